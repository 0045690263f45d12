"""`beian deadlines` and `beian check` from the command line: exit codes, JSON, findings.xlsx."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA
from helpers import write_tracker
from test_deadlines import build

from pyaddin.cli.main import main
from pyaddin.run.findings import DEADLINE_CODES

SAMPLE = SAMPLE_DATA / "备案台账示例.xlsx"
FINDING_KEYS = {"code", "message", "severity", "sheet", "row", "column", "field", "filing_id", "activity", "value",
                "rule", "due", "days_left", "cell", "workbook", "file", "location", "snippet"}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


IN_REVIEW = {"状态": "审核中", "提交日期": date(2026, 11, 10), "备案号": None, "通过日期": None,
             "计划上线日期": date(2026, 12, 20), "活动开始日期": date(2026, 12, 20), "活动结束日期": date(2026, 12, 31)}


@pytest.fixture
def warning_only(tmp_path):
    """A row that passes validate, with its review overdue by one working day (a warning) on 2026-11-20."""
    return write_tracker(tmp_path / "warn.xlsx", [IN_REVIEW])


@pytest.fixture
def with_error(tmp_path):
    return build(tmp_path, [{"状态": "草稿", "计划上线日期": date(2026, 11, 16)}], name="err.xlsx")


NOTES = {"today-pinned", "rule-unverified"}
"""Notes about the run (--today differs from the system date) and the packaged example rules."""


def rows_of(payload: dict) -> list[dict]:
    return [f for f in payload["findings"] if f["code"] not in NOTES]


def test_the_warning_only_tracker_passes_validate(warning_only):
    payload = json.loads(invoke("validate", warning_only, "--today", "2026-11-20", "--json").stdout)
    assert rows_of(payload) == [] and payload["summary"]["error"] == 0


@pytest.mark.parametrize("command", ["deadlines", "check"])
def test_warnings_only_exit_0(warning_only, command):
    result = invoke(command, warning_only, "--today", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert "审核超期" in result.output


@pytest.mark.parametrize("command", ["deadlines", "check"])
def test_error_findings_exit_1(with_error, command):
    result = invoke(command, with_error, "--today", "2026-11-20")
    assert result.exit_code == 1
    assert "未通过即上线" in result.output


@pytest.mark.parametrize("command", ["deadlines", "check"])
def test_unreadable_workbook_exits_2_with_a_chinese_reason_and_no_traceback(tmp_path, command):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"this is not a workbook")
    result = invoke(command, bad)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "\u4e00" <= line[0] <= "\u9fff"


def test_missing_tracker_sheet_exits_2(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["随便", "什么"])
    path = tmp_path / "空.xlsx"
    wb.save(path)
    result = invoke("deadlines", path)
    assert result.exit_code == 2 and "找不到" in result.stderr


def test_bad_today_option_is_a_usage_error(warning_only):
    result = invoke("deadlines", warning_only, "--today", "20/11/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_json_has_the_spec_shape_with_due_and_days_left(warning_only):
    result = invoke("deadlines", warning_only, "--today", "2026-11-20", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert set(payload) == {"tool", "command", "workbook", "today", "today_pinned", "system_today", "run_at", "rows",
                            "findings", "summary"}
    assert payload["tool"] == "beian" and payload["command"] == "deadlines"
    assert payload["workbook"] == str(warning_only) and payload["today"] == "2026-11-20" and payload["rows"] == 1
    assert payload["summary"] == {"error": 0, "warning": 1, "info": len(payload["findings"]) - 1}
    [f] = rows_of(payload)
    assert set(f) == FINDING_KEYS
    assert (f["code"], f["sheet"], f["row"], f["field"], f["filing_id"], f["due"], f["days_left"]) == (
        "review-overdue", "备案台账", 2, "提交日期", "BA-1", "2026-11-19", -1)
    assert f["cell"] == f"{chr(ord('A') + f['column'] - 1)}2"  # the 1-based column beside its reference


def test_check_merges_validate_and_deadlines(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{**IN_REVIEW, "主体名称": None}])
    payload = json.loads(invoke("check", path, "--today", "2026-11-20", "--json").stdout)
    assert payload["command"] == "check"
    assert {f["code"] for f in rows_of(payload)} == {"missing-value", "review-overdue"}


def test_today_option_makes_results_reproducible(warning_only):
    def run(today):
        return json.loads(invoke("deadlines", warning_only, "--today", today, "--json").stdout)

    first, again = run("2026-11-20"), run("2026-11-20")
    assert first.pop("run_at") <= again.pop("run_at") and first == again
    assert rows_of(run("2026-11-19")) == []
    assert rows_of(run("2026-11-23"))[0]["days_left"] == -2


def test_out_writes_findings_xlsx_with_due_dates_and_working_days_left(tmp_path, with_error):
    out = tmp_path / "结果"
    result = invoke("deadlines", with_error, "--today", "2026-11-20", "--out", out)
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    assert "到期提醒" in wb.sheetnames
    ws = wb["到期提醒"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[6:8] == ["到期日", "剩余工作日"]
    record = dict(zip(header, rows[1], strict=False))
    assert record["代码"] == "launch-unapproved" and record["级别"] == "错误" and record["问题"] == "未通过即上线"
    assert record["到期日"] == datetime(2026, 11, 16) and record["剩余工作日"] == -4
    assert record["单元格"].endswith("2") and "2026-11-16" in record["说明"]
    assert len(rows) == 2


def test_without_out_nothing_is_written(tmp_path, with_error, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.rglob("*"))
    invoke("deadlines", with_error, "--today", "2026-11-20")
    assert set(tmp_path.rglob("*")) == before


def sample_key() -> set[tuple]:
    with (SAMPLE_DATA / "answer_key.csv").open(encoding="utf-8") as fh:
        return {(r["工作表"] or None, int(r["行"]) if r["行"] else None, r["代码"])
                for r in csv.DictReader(fh) if r["命令"] == "deadlines"}


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample tracker not built")
def test_sample_deadlines_match_the_answer_key():
    result = invoke("deadlines", SAMPLE, "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["today"] == "2026-11-20"  # fixed by the sample's 设置
    got = [(f["sheet"], f["row"], f["code"]) for f in payload["findings"]
           if f["code"] in DEADLINE_CODES]
    assert len(got) == len(set(got))
    assert set(got) == sample_key()
    assert all(f["due"] and f["days_left"] is not None for f in payload["findings"]
               if f["code"] in DEADLINE_CODES - {"calendar-fallback"})


def test_check_out_puts_deadlines_on_their_own_sheet_and_checks_on_the_other(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{**IN_REVIEW, "主体名称": None}])
    out = tmp_path / "out"
    assert invoke("check", path, "--today", "2026-11-20", "--out", out).exit_code == 1
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    checks = [r[9] for r in wb["校验结果"].iter_rows(min_row=2, values_only=True) if r[9] not in NOTES]
    deadlines = [(r[9], r[6], r[7]) for r in wb["到期提醒"].iter_rows(min_row=2, values_only=True)]
    assert checks == ["missing-value"]
    assert deadlines == [("review-overdue", datetime(2026, 11, 19), -1)]
