"""A sheet other than the tracker that cannot be read (issue 25): the run goes on with something in
its place, and says so in a `sheet-unreadable` finding naming the sheet, the reason and what was
used instead — an error for 设置 and the rule sheets, a warning for any other sheet — in the
terminal, in findings.xlsx and in the JSON. Workbooks are generated, then one sheet's XML cut."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pyaddin.cli.main import main
from pyaddin.tracker.unreadable import fallbacks

HEADER = ["备案编号", "活动名称", "平台", "状态", "上线日期"]


def workbook(path: Path, *, second: str) -> Path:
    """备案台账 (sheet1) with two filings, then `second` (sheet2): 设置 pinning 今天, or another sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(HEADER)
    for i in range(2):
        ws.append([f"BA-{i:04d}", f"活动{i}", "抖音", "待提交", datetime(2026, 12, 1)])
    other = wb.create_sheet(second)
    if second == "设置":
        other.append(["项目", "值"])
        other.append(["今天", datetime(2026, 11, 20)])
    else:
        other.append(["备注"])
        other.append(["去年的记录"])
    wb.save(path)
    return truncate(path, "xl/worksheets/sheet2.xml")


def truncate(path: Path, part: str) -> Path:
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts[part] = parts[part][: len(parts[part]) // 2]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return path


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_truncated_settings_sheet_is_an_error_finding_saying_defaults_were_used(tmp_path):
    path = workbook(tmp_path / "设置坏.xlsx", second="设置")
    result = invoke("check", path, "--json", "--today", "2026-11-20")
    assert result.exit_code == 1, result.output
    found = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "sheet-unreadable"]
    assert len(found) == 1, found
    assert found[0]["severity"] == "error" and found[0]["sheet"] == "设置"
    assert "“设置”无法读取" in found[0]["message"] and "默认设置" in found[0]["message"]


def test_a_truncated_other_sheet_is_a_warning_and_the_tracker_is_still_checked(tmp_path):
    path = workbook(tmp_path / "旧表坏.xlsx", second="2025旧台账")
    result = invoke("check", path, "--json", "--today", "2026-11-20")
    payload = json.loads(result.stdout)
    found = [f for f in payload["findings"] if f["code"] == "sheet-unreadable"]
    assert [(f["severity"], f["sheet"]) for f in found] == [("warning", "2025旧台账")]
    assert "已跳过" in found[0]["message"]
    assert payload["rows"] == 2


def test_the_finding_is_in_the_terminal_summary_and_in_findings_xlsx(tmp_path):
    path = workbook(tmp_path / "设置坏.xlsx", second="设置")
    result = invoke("check", path, "--today", "2026-11-20", "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "工作表无法读取" in result.stdout or "“设置”无法读取" in result.stdout, result.stdout
    wb = openpyxl.load_workbook(tmp_path / "out" / "findings.xlsx", read_only=True)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert any("“设置”无法读取" in c for c in cells)


@pytest.mark.parametrize("sheet", ["设置", "平台规则", "资质库"])
def test_settings_and_rule_sheets_are_errors_and_say_what_replaced_them(sheet):
    severity, instead = fallbacks()[sheet]
    assert severity == "error" and instead.startswith("已")

