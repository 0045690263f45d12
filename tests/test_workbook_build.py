"""beian.xlsm is built from source, and every check of XLSM.md "How to verify" holds for it."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest

import pyaddin.buttons
from pyaddin.excel import ovba
from pyaddin.excel.build import (
    BUTTONS,
    SHEETS,
    build_workbook,
    macro_calls,
    tracker_headers,
    vba_dir,
    vba_modules,
)

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "beian.xlsm"


@pytest.fixture
def built(built_workbook) -> Path:
    return built_workbook


def _parts(path: Path) -> dict[str, bytes]:
    """Zip parts, with vbaProject.bin replaced by its decompressed module sources."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    project = ovba.VbaProject.load(parts.pop("xl/vbaProject.bin"))
    for m in project.modules:
        parts[f"vba:{m.kind}:{m.name}"] = m.source.encode()
    return parts


def test_build_is_deterministic(built):
    again = io.BytesIO()
    build_workbook(again)
    assert again.getvalue() == built.read_bytes()


def test_committed_workbook_is_not_stale(built):
    assert COMMITTED.exists(), "beian.xlsm is missing: run `beian build-workbook`"
    committed, fresh = _parts(COMMITTED), _parts(built)
    assert sorted(committed) == sorted(fresh), "beian.xlsm is stale: run `beian build-workbook` and commit it"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert not stale, f"beian.xlsm is stale in {stale}: run `beian build-workbook` and commit it"


def test_package_is_macro_enabled_with_a_vba_project(built):
    with zipfile.ZipFile(built) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        types = z.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    with zipfile.ZipFile(built) as z:
        assert olefile.isOleFile(io.BytesIO(z.read("xl/vbaProject.bin")))
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    assert ole.exists("VBA/dir") and ole.exists("PROJECT")


def _vml_macros(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    return re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)


def _project(path: Path) -> ovba.VbaProject:
    with zipfile.ZipFile(path) as z:
        return ovba.VbaProject.load(z.read("xl/vbaProject.bin"))


def test_every_button_names_an_existing_macro(built):
    macros = _vml_macros(built)
    defined = {}
    for m in _project(built).modules:
        defined.update(macro_calls(m.source))
    # every button on 使用说明; the tracker's buttons on 备案台账 too
    assert sorted(macros) == sorted([b.macro for b in BUTTONS] + [b.macro for b in BUTTONS if b.on_tracker])
    assert set(macros) <= set(defined)


def test_every_macro_calls_an_existing_button_function():
    calls = {}
    for source in vba_modules().values():
        calls.update(macro_calls(source))
    assert calls == {b.macro: b.function for b in BUTTONS}
    for function in calls.values():
        assert callable(getattr(pyaddin.buttons, function)), function


def test_vba_sources_are_ascii():
    for bas in vba_dir().glob("*.bas"):
        bas.read_bytes().decode("ascii")
    for source in vba_modules().values():
        source.encode("ascii")


def test_olevba_returns_each_module_source_exactly(built):
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(built))
    found = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_all_macros()}
    for name, source in vba_modules().items():
        assert found[name] == source
    assert "xlwings" in found and "Dictionary" in found
    parser.close()


def test_every_sheet_has_a_document_module_named_as_its_code_name(built):
    documents = {m.name for m in _project(built).modules if m.kind == "document"}
    wb = openpyxl.load_workbook(built, keep_vba=True)
    code_names = {ws.title: ws.sheet_properties.codeName for ws in wb.worksheets}
    assert code_names == SHEETS
    assert documents == set(SHEETS.values()) | {"ThisWorkbook"}


def test_material_sheet_starts_with_chinese_names_and_hides_the_internal_keys(built):
    from pyaddin.tracker.book import Book, Sheet
    from pyaddin.tracker.catalog import load_catalog

    ws = openpyxl.load_workbook(built)["材料"]
    header = [c.value for c in ws[1]]
    assert header[0] == "材料名称" and ws["A2"].value == "营业执照"
    key_col = openpyxl.utils.get_column_letter(header.index("材料键") + 1)
    assert header[-1] == "材料键" and ws.column_dimensions[key_col].hidden
    shown = [c.value for row in ws.iter_rows(min_row=2, max_col=len(header) - 1) for c in row if c.value]
    assert not [v for v in shown if re.fullmatch(r"[a-z]+(_[a-z]+)+", str(v))]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    catalog = load_catalog(Book({"材料": Sheet("材料", rows)}))  # the reader still finds the keys by header
    assert {m.key for m in catalog.materials} >= {"business_license", "plan"}


def test_openpyxl_reads_sheets_headers_and_drop_downs(built):
    wb = openpyxl.load_workbook(built)
    assert wb.sheetnames == list(SHEETS)
    tracker = wb["备案台账"]
    headers = [c.value for c in tracker[2]]
    assert headers == tracker_headers()
    assert tracker.freeze_panes == "C3"
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in tracker.data_validations.dataValidation}
    col = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(headers)}
    assert lists[f"{col['平台']}3"] == "'平台'!$A$2:$A$200"
    assert "已通过" in lists[f"{col['状态']}3"]
    # 行业 comes from the 行业 sheet the team edits (issue 23), like 平台
    assert lists[f"{col['行业']}3"] == "'行业'!$A$2:$A$200"
    assert "医疗" in [c.value for c in wb["行业"]["A"]]
    assert "直播" in lists[f"{col['创意形式']}3"]
    assert tracker.conditional_formatting, "date columns need conditional formats"
    assert [c.value for c in wb["资质库"][1]][:6] == ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至"]
    assert wb["平台"]["A2"].value == "微信" and isinstance(wb["平台"]["C2"].value, int)
    assert [c.value for c in wb["设置"][1]] == ["项目", "值", "说明"]
    conf = {r[0]: r[1] for r in wb["xlwings.conf"].iter_rows(values_only=True)}
    assert set(conf) == {"INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH"}


def test_libreoffice_imports_modules_and_bound_buttons(built, soffice, tmp_path):
    result = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                             "--convert-to", "ods", "--outdir", str(tmp_path), str(built)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "beian.ods") as z:
        names = z.namelist()
        content = z.read("content.xml").decode()
        basic = {n for n in names if n.startswith("Basic/VBAProject/")}
        buttons_source = z.read("Basic/VBAProject/BeianButtons.xml").decode()
    for module in ["BeianButtons", "xlwings", "Dictionary", *SHEETS.values()]:
        assert f"Basic/VBAProject/{module}.xml" in basic
    assert "pyaddin.buttons.validate_tracker()" in buttons_source
    for b in BUTTONS:
        assert content.count(f"vnd.sun.star.script:VBAProject.BeianButtons.{b.macro}?") == (2 if b.on_tracker else 1)


def test_guide_shows_no_macro_or_python_function_names(built):
    ws = openpyxl.load_workbook(built)["使用说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for b in BUTTONS:
        assert b.macro not in text and b.function not in text
    assert "pyaddin.buttons" not in text and "宏 " not in text
    assert "beian setup" in text


def test_guide_wraps_and_prints_one_page_wide(built):
    ws = openpyxl.load_workbook(built)["使用说明"]
    # fitToWidth 1 is OOXML's default (omitted); fitToHeight 0 = as many pages tall as needed
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.paperSize == 9  # A4
    widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width}
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, str) and len(c.value) > 20:
                assert c.alignment.wrap_text, c.coordinate
                # a wrapped cell gets the height its text needs (15 pt a line), so nothing is cut
                units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in c.value)
                lines = -(-units // int(widths[c.column_letter]))
                assert ws.row_dimensions[c.row].height >= 15 * lines, c.coordinate


def test_guide_lists_every_template_placeholder_and_filter(built):
    from pyaddin.documents.placeholders import FILTERS, VARIABLES

    ws = openpyxl.load_workbook(built)["使用说明"]
    column_a = {c.value for c in ws["A"] if c.value}
    assert {"{{ " + v.name + " }}" for v in VARIABLES} <= column_a
    assert {"|" + f for f in FILTERS} <= column_a


def test_material_drop_downs_offer_what_validate_accepts(built):
    from pyaddin.tracker.values import parse_bool

    wb = openpyxl.load_workbook(built)
    tracker = wb["备案台账"]
    headers = [c.value for c in tracker[2]]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in tracker.data_validations.dataValidation}
    col = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(headers)}
    assert lists[f"{col['营业执照']}3"] == '"是,否,不适用"'
    assert lists[f"{col['收集个人信息']}3"] == '"是,否"'
    assert [parse_bool(v) for v in ("是", "否", "不适用")] == [True, False, None]


def test_rule_severity_is_chinese_and_english_is_still_accepted(built, tmp_path):
    from pyaddin.compliance.rules import load_rules
    from pyaddin.tracker.catalog import load_catalog

    wb = openpyxl.load_workbook(built)
    ws = wb["平台规则"]
    header = [c.value for c in ws[1]]
    levels = {r[header.index("级别")] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert levels <= {"错误", "警告", "提示"} and levels
    [dv] = [dv for dv in ws.data_validations.dataValidation]
    assert dv.formula1 == '"错误,警告,提示"' and dv.errorStyle == "warning"  # English can still be typed
    default = load_rules(None, load_catalog(None))
    assert not default.findings and {r.severity for r in default.rules} <= {"error", "warning", "info"}
    from pyaddin.tracker.book import Book, Sheet

    rows = [["规则编号", "平台", "创意形式", "行业", "收集个人信息", "要求", "级别"],
            ["E-1", "*", "*", "*", "*", "直播脚本", "warning"], ["C-1", "*", "*", "*", "*", "直播脚本", "警告"]]
    book = Book({"平台规则": Sheet("平台规则", rows)})
    loaded = load_rules(book, load_catalog(None))
    assert not loaded.findings and [r.severity for r in loaded.rules] == ["warning", "warning"]


def test_build_workbook_refuses_a_name_not_ending_in_xlsm(tmp_path):
    from click.testing import CliRunner

    from pyaddin.cli.main import main

    result = CliRunner().invoke(main, ["build-workbook", "--out", str(tmp_path / "beian.xlsx")])
    assert result.exit_code == 2 and ".xlsm" in result.output
    assert not (tmp_path / "beian.xlsx").exists()


def test_rebuilding_with_the_command_is_byte_identical(tmp_path):
    from click.testing import CliRunner

    from pyaddin.cli.main import main

    out = tmp_path / "beian.xlsm"
    assert CliRunner().invoke(main, ["build-workbook", "--out", str(out)]).exit_code == 0
    first = out.read_bytes()
    assert CliRunner().invoke(main, ["build-workbook", "--out", str(out)]).exit_code == 0
    assert out.read_bytes() == first
