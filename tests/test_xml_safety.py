"""XML is parsed with defusedxml protection: entity expansion and external entities are refused,
in bounded time, by openpyxl, by calamine and by our own parsing in adapters/files.py."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from defusedxml import DefusedXmlException

from pyaddin.adapters.files import read_book
from pyaddin.cli.main import main
from pyaddin.errors import UnreadableWorkbook

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
HOSTILE = ["billion_laughs.xlsx", "dtd_workbook.xlsx", "xxe.xlsx"]
UNSAFE_PARSERS = {"xml.etree", "xml.dom", "xml.sax", "xml.parsers", "lxml"}


def test_defusedxml_is_in_effect_for_openpyxl():
    assert openpyxl.DEFUSEDXML is True


def test_openpyxl_refuses_entity_expansion_quickly():
    started = time.perf_counter()
    with pytest.raises(ValueError) as info:
        openpyxl.load_workbook(BAD / "billion_laughs.xlsx")
    assert time.perf_counter() - started < 5
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(e, DefusedXmlException) for e in chain), chain


@pytest.mark.parametrize("name", HOSTILE)
def test_read_book_refuses_hostile_xml_quickly(name):
    started = time.perf_counter()
    with pytest.raises(UnreadableWorkbook, match=name):
        read_book(BAD / name)
    assert time.perf_counter() - started < 5


def test_our_workbook_xml_parse_uses_defusedxml():
    with pytest.raises(UnreadableWorkbook) as info:
        read_book(BAD / "dtd_workbook.xlsx")
    assert isinstance(info.value.__cause__, DefusedXmlException), info.value.__cause__


def test_dtd_in_workbook_xml_is_refused_not_an_internal_error(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["validate", str(BAD / "dtd_workbook.xlsx"), "--out", str(out)])
    assert result.exit_code == 2
    assert "不安全的 XML" in result.stderr and "内部错误" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["validate", "check"])
def test_external_entity_never_leaks_local_files(command):
    result = CliRunner().invoke(main, [command, str(BAD / "xxe.xlsx"), "--json"])
    assert result.exit_code == 2
    assert "root:" not in result.stdout + result.stderr


def test_no_module_parses_xml_with_the_unprotected_standard_library():
    """Any XML parsing in pyaddin must go through defusedxml (escaping helpers are fine)."""
    offenders = []
    for path in (ROOT / "pyaddin").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module + "." + a.name for a in node.names]
            for name in names:
                if name.startswith("xml.sax.saxutils"):
                    continue
                if any(name == p or name.startswith(p + ".") for p in UNSAFE_PARSERS):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
