import hashlib
import json
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import write_tracker

from pyaddin.cli.main import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def clean(tmp_path):
    return write_tracker(tmp_path / "clean.xlsx", [{}])


@pytest.fixture
def bad(tmp_path):
    return write_tracker(tmp_path / "bad.xlsx", [{"活动名称": None}])


def test_exit_0_when_no_error_findings(clean):
    assert invoke("validate", clean, "--today", "2026-11-20").exit_code == 0


def test_exit_1_when_error_findings(bad):
    result = invoke("validate", bad, "--today", "2026-11-20")
    assert result.exit_code == 1 and "必填项为空" in result.output and "missing-value" not in result.output


def test_exit_2_with_one_line_reason_when_file_cannot_be_read(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert "notes.xlsx" in result.stderr and "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_exit_2_when_no_tracker_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名"])
    wb.save(tmp_path / "x.xlsx")
    result = invoke("validate", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "找不到备案台账" in result.stderr and "x.xlsx" in result.stderr


def test_bad_today_is_a_usage_error(clean):
    assert invoke("validate", clean, "--today", "20261120").exit_code == 2


def test_json_shape(bad):
    result = invoke("validate", bad, "--json", "--today", "2026-11-20")
    payload = json.loads(result.output)
    assert set(payload) == {"tool", "command", "workbook", "today", "today_pinned", "system_today", "run_at", "rows",
                            "findings", "summary"}
    assert payload["tool"] == "beian" and payload["command"] == "validate" and payload["today"] == "2026-11-20"
    notes = [f for f in payload["findings"] if f["code"] in ("today-pinned", "rule-unverified")]
    assert payload["rows"] == 1 and payload["summary"] == {"error": 1, "warning": 0, "info": len(notes)}
    f = next(f for f in payload["findings"] if f["code"] not in ("today-pinned", "rule-unverified"))
    assert {"sheet", "row", "filing_id", "field", "code", "severity", "message", "rule"} <= set(f)
    assert (f["sheet"], f["row"], f["field"], f["code"]) == ("备案台账", 2, "活动名称", "missing-value")


def test_validate_writes_nothing_without_out(bad, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    invoke("validate", bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_findings_xlsx_links_back_to_the_offending_cell(bad, tmp_path):
    out = tmp_path / "out"
    assert invoke("validate", bad, "--out", out).exit_code == 1
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    ws = wb["校验结果"]
    assert [c.value for c in ws[1]][:10] == ["级别", "备案编号", "活动名称", "负责人", "问题", "说明", "到期日",
                                             "剩余工作日", "单元格", "代码"]
    assert ws["J2"].value == "missing-value" and ws["A2"].value == "错误" and ws["E2"].value == "必填项为空"
    assert ws["I2"].value == "备案台账!B2"
    link = ws["I2"].hyperlink
    assert link.location == "'备案台账'!B2"
    assert (out / link.target.replace("\\", "/")).resolve() == bad.resolve()
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


@pytest.mark.parametrize("command", ["validate"])
def test_input_workbook_bytes_unchanged(bad, tmp_path, command):
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    invoke(command, bad, "--out", tmp_path / "o", "--today", str(date(2026, 11, 20)))
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest


def test_every_command_has_help_text_and_is_in_the_readme():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, name
        assert f"beian {name}" in readme, name


def test_every_finding_code_is_documented_in_docs_codes():
    from conftest import ROOT

    from pyaddin.run.findings import codes

    page = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    for code in codes():
        assert f"| `{code}` |" in page, code
