"""Every docx/xlsx beian writes passes an independent OOXML validator (openxml-audit) with zero
findings, so Word and Excel open them without offering a repair."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from helpers import assert_valid_ooxml, ooxml_findings

from pyaddin.cli.main import main
from pyaddin.documents.kinds import KINDS, TEMPLATES_DIR


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_committed_templates_are_valid_ooxml(kind):
    assert_valid_ooxml(TEMPLATES_DIR / KINDS[kind].template)


def test_rebuilt_templates_are_valid_and_carry_no_styles_with_effects(tmp_path):
    import importlib.util
    import zipfile

    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "templates" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.main(tmp_path):
        assert_valid_ooxml(path)
        with zipfile.ZipFile(path) as z:
            assert "word/stylesWithEffects.xml" not in z.namelist()
            body = z.read("word/document.xml").decode()
            fonts = z.read("word/fontTable.xml").decode()
        for table in body.split("<w:tbl>")[1:]:
            assert table.split("</w:tblPr>")[0].count("<w:tblLayout") == 1
        assert "ＭＳ 明朝" not in fonts and 'w:name="宋体"' in fonts


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """Every output of the whole pipeline on the sample data, written once for this module."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_generated_plan_letter_and_index_are_valid_ooxml(demo):
    docs = demo / "documents"
    for pattern in ("*_营销活动方案.docx", "*_安全承诺书.docx", "documents.xlsx"):
        found = sorted(docs.glob(pattern))
        assert found, pattern
        assert_valid_ooxml(found[0])


@pytest.mark.parametrize("pattern", ["findings.xlsx", "周报_*.xlsx", "archive/archive_index.xlsx"])
def test_findings_weekly_and_archive_workbooks_are_valid_ooxml(demo, pattern):
    found = sorted(demo.glob(pattern))
    assert found, pattern
    assert_valid_ooxml(found[0])


def test_committed_workbook_is_valid_ooxml():
    assert_valid_ooxml(ROOT / "beian.xlsm")


def test_the_validator_does_find_a_second_table_layout(tmp_path):
    """The helper can fail: a table with the duplicate w:tblLayout the old builder wrote is reported."""
    import zipfile

    source = TEMPLATES_DIR / KINDS["方案"].template
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(broken, "w") as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:tblPr>", b'<w:tblLayout w:type="fixed"/></w:tblPr>', 1)
            out.writestr(item, data)
    assert any("tblLayout" in f for f in ooxml_findings(broken))
