"""A warning rule whose material the tracker has no column for is one finding, not one per row.

Trackers kept since before ICP-01/APP-01 existed have no ICP备案证明 column; repeating the same
warning on every H5 row of a year's history buried the rows that need work. The finding still says
which rule, how many filings and what to add, so nothing goes unsaid; error rules stay per row
because letters are refused row by row."""

from __future__ import annotations

from datetime import date

from helpers import CLEAN, write_tracker

from pyaddin.adapters.files import read_book
from pyaddin.compliance.validate import validate
from pyaddin.run.build import build_context

WITHOUT_ICP = [h for h in CLEAN if h != "ICP备案证明"]


def findings(tmp_path, rows, headers):
    path = write_tracker(tmp_path / "台账.xlsx", rows, headers=headers)
    return validate(build_context(read_book(path), system_today=date(2026, 8, 20))).findings


def test_a_missing_icp_column_is_one_finding_naming_the_count_and_the_fix(tmp_path):
    rows = [{"备案编号": f"BA-{i}", "备案号": f"WX202611000{i}"} for i in range(1, 6)]
    icp = [f for f in findings(tmp_path, rows, WITHOUT_ICP) if f.rule == "ICP-01"]
    assert len(icp) == 1
    (only,) = icp
    assert only.code == "missing-material" and only.severity == "warning" and only.row == 1
    assert "5 个备案" in only.message and "BA-1、BA-2、BA-3等" in only.message
    assert "添加“ICP备案证明”列" in only.message


def test_with_the_column_each_unticked_row_is_named(tmp_path):
    rows = [{"备案编号": f"BA-{i}", "备案号": f"WX202611000{i}", "ICP备案证明": "否" if i % 2 else "是"}
            for i in range(1, 6)]
    icp = [f for f in findings(tmp_path, rows, list(CLEAN)) if f.rule == "ICP-01"]
    assert sorted(f.row for f in icp) == [2, 4, 6]


def test_a_missing_error_rule_column_stays_on_every_row(tmp_path):
    headers = [h for h in WITHOUT_ICP if h != "营业执照"]
    rows = [{"备案编号": f"BA-{i}", "备案号": f"WX202611000{i}"} for i in range(1, 4)]
    base = [f for f in findings(tmp_path, rows, headers) if f.rule == "BASE-01"]
    assert sorted(f.row for f in base) == [2, 3, 4]
