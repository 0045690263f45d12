"""A new user's first 全部检查 shows no error they did not cause (docs/rules.md): the committed beian.xlsm
and the workbook `beian setup` writes check clean on every sheet, their example rows included."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from helpers import CLEAN, write_tracker

from pyaddin.adapters.files import read_book
from pyaddin.cli.main import main
from pyaddin.deadlines.workdays import load_overrides
from pyaddin.excel import setup as firstrun

ROOT = Path(__file__).resolve().parent.parent


def check(path: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", str(path), "--json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def errors(payload: dict) -> list[tuple]:
    return [(f["sheet"], f["row"], f["code"], f["message"]) for f in payload["findings"] if f["severity"] == "error"]


def test_a_fresh_copy_of_the_committed_workbook_checks_clean(tmp_path):
    copy = tmp_path / "beian.xlsm"
    shutil.copyfile(ROOT / "beian.xlsm", copy)
    assert openpyxl.load_workbook(copy, read_only=True)["节假日"]["C2"].value  # the explanation row is there
    code, payload = check(copy)
    assert errors(payload) == [] and payload["summary"]["error"] == 0 and code == 0


def test_the_workbook_setup_writes_checks_clean(tmp_path):
    firstrun.setup(tmp_path / "wb", today=date(2026, 11, 30))
    code, payload = check(tmp_path / "wb" / "beian.xlsm")
    assert errors(payload) == [] and code == 0


def test_a_holiday_note_row_is_skipped_but_a_dateless_holiday_is_still_an_error(tmp_path):
    holidays = [["日期", "类型", "说明"], [None, None, "示例：按国务院办公厅通知填写"], [None, "休", "元旦"],
                [date(2027, 1, 1), "休", "元旦"]]
    path = write_tracker(tmp_path / "t.xlsx", [CLEAN], extra_sheets={"节假日": holidays})
    overrides, findings = load_overrides(read_book(path))
    assert overrides == {date(2027, 1, 1): False}
    assert [(f.row, f.code) for f in findings] == [(3, "invalid-date")]
