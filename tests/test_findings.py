"""The finding and the report: registry severities, merge, sort, summary, validity and the JSON shape."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from pyaddin.run.findings import Finding, Report, codes, make

TODAY = date(2026, 11, 20)
CODES_CSV = Path(__file__).resolve().parent.parent / "pyaddin" / "data" / "codes.csv"


def report(*findings: Finding, command: str = "validate", rows: int = 3) -> Report:
    return Report(command, "t.xlsx", TODAY, rows, list(findings))


def test_registry_lists_every_code_of_the_data_file_with_a_known_severity():
    with CODES_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(codes()) == sorted(r["代码"] for r in rows)
    assert {c.severity for c in codes().values()} <= {"error", "warning", "info"}
    assert all(c.title for c in codes().values())


def test_make_takes_the_registry_severity_unless_overridden():
    assert make("missing-value", "活动名称为空", sheet="备案台账", row=2).severity == "error"
    assert make("invalid-phone", "电话有误").severity == "warning"
    assert make("missing-field", "联系电话为空", severity="warning").severity == "warning"


def test_make_refuses_an_unregistered_code():
    with pytest.raises(KeyError, match="no-such-code"):
        make("no-such-code", "x")


def test_report_is_valid_with_warnings_and_infos_but_not_with_one_error():
    warn, info = make("invalid-phone", "电话有误", row=2), make("calendar-fallback", "无节假日数据")
    assert report(warn, info).valid
    assert report().valid
    assert not report(warn, make("missing-value", "活动名称为空", row=3)).valid


def test_summary_counts_every_severity_including_zero():
    r = report(make("invalid-phone", "a", row=2), make("invalid-email", "b", row=2),
               make("missing-value", "c", row=3))
    assert r.summary() == {"error": 1, "warning": 2, "info": 0}


def test_json_shape_is_stable_and_serialisable():
    f = make("license-expiring", "资质将于 2026-12-01 到期", sheet="备案台账", row=4, column=7, field="有效期至",
             filing_id="BA-4", activity="双11", value=date(2026, 12, 1), rule="R1", due=date(2026, 12, 1),
             days_left=8)
    data = report(f).as_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert list(data) == ["tool", "command", "workbook", "today", "today_pinned", "system_today", "run_at", "rows",
                          "findings", "summary"]
    assert (data["today_pinned"], data["system_today"], data["run_at"]) == (False, None, None)
    assert data["tool"] == "beian" and data["today"] == "2026-11-20" and data["rows"] == 3
    assert data["summary"] == {"error": 0, "warning": 1, "info": 0}
    assert data["findings"] == [{
        "code": "license-expiring", "message": "资质将于 2026-12-01 到期", "severity": "warning",
        "sheet": "备案台账", "row": 4, "column": 8, "cell": "H4",  # 0-based column 7 is the 8th: H
        "field": "有效期至", "filing_id": "BA-4", "activity": "双11",
        "value": "2026-12-01", "rule": "R1", "due": "2026-12-01", "days_left": 8, "workbook": None,
        "file": None, "location": None, "snippet": None,  # 材料预检 fields (docs/precheck.md), null elsewhere
    }]


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (True, True), (12, 12), (1.5, 1.5), ("文本", "文本"), (date(2026, 1, 2), "2026-01-02"),
    (object, str(object)),
])
def test_json_values_are_json_types_or_text(value, expected):
    data = make("invalid-value", "x", value=value).as_json()
    assert data["value"] == expected
    json.dumps(data)


def test_merge_drops_repeats_keeps_first_seen_order_and_the_larger_row_count():
    a = make("missing-value", "活动名称为空", sheet="备案台账", row=2, field="活动名称")
    b = make("review-overdue", "审核超期", sheet="备案台账", row=3, field="提交日期")
    again = make("missing-value", "活动名称为空", sheet="备案台账", row=2, field="活动名称", column=1)
    same_place_other_text = make("missing-value", "活动名称为空白", sheet="备案台账", row=2, field="活动名称")
    merged = report(a, b, rows=5).merged(report(again, same_place_other_text, b, rows=7), "check")
    assert merged.command == "check"
    assert merged.rows == 7
    assert merged.findings == [a, b, same_place_other_text]
    assert (merged.workbook, merged.today) == ("t.xlsx", TODAY)


def test_sorted_orders_by_sheet_row_column_severity_then_code_and_leaves_the_original():
    findings = [
        make("invalid-phone", "w", sheet="备案台账", row=3, column=2),
        make("missing-value", "e", sheet="备案台账", row=3, column=2),
        make("date-order", "e2", sheet="备案台账", row=3, column=2),
        make("missing-value", "e3", sheet="备案台账", row=3, column=0),
        make("missing-value", "e4", sheet="备案台账", row=2, column=5),
        make("bad-rule", "r", sheet="平台规则", row=2),
        make("calendar-fallback", "no sheet"),
        make("missing-column", "no row", sheet="备案台账"),
    ]
    r = report(*findings)
    ordered = r.sorted()
    assert [(f.sheet, f.row, f.column, f.code) for f in ordered.findings] == [
        (None, None, None, "calendar-fallback"),
        ("备案台账", None, None, "missing-column"),
        ("备案台账", 2, 5, "missing-value"),
        ("备案台账", 3, 0, "missing-value"),
        ("备案台账", 3, 2, "date-order"),
        ("备案台账", 3, 2, "missing-value"),
        ("备案台账", 3, 2, "invalid-phone"),
        ("平台规则", 2, None, "bad-rule"),
    ]
    assert r.findings == findings


def test_flatten_picks_the_named_attributes_of_every_finding():
    r = report(make("missing-value", "m", row=2, field="活动名称"), make("invalid-phone", "p", row=3, field="联系电话"))
    assert r.flatten(["row", "field", "severity"]) == [[2, "活动名称", "error"], [3, "联系电话", "warning"]]


def test_sharing_values_keeps_each_type_and_makes_equal_ones_one_object():
    from datetime import date as day

    from pyaddin.run.findings import Finding, share_values

    def make(value, message):
        return Finding("missing-value", message, "error", "备案台账", 3, 1, "字段", "BA-1", "活动", value, None,
                       day(2026, 11, 30), -3)

    text_a, text_b = "".join(["否", "是"]), "".join(["否", "是"])  # equal, two objects
    findings = [make(True, text_a), make(1, text_b), make(1.0, "m"), make(text_a, "m"), make(text_b, "m")]
    assert text_a is not text_b
    share_values(findings)
    assert [type(f.value) for f in findings] == [bool, int, float, str, str]
    assert findings[3].value is findings[4].value and findings[0].message is findings[1].message
    assert findings[0].due is findings[4].due and findings[0].days_left is findings[4].days_left
