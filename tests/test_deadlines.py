"""Each deadline code on a minimal workbook, with the boundaries of docs/deadlines.md.

Today is fixed at Friday 2026-11-20 (the sample tracker's 今天); late November 2026 has no
holidays, so working days there are plain weekdays and the expected numbers can be checked by hand.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pyaddin import open_workbook as load
from pyaddin.adapters.files import read_book
from pyaddin.deadlines.checks import deadline_findings as check
from pyaddin.run.build import build_context
from pyaddin.run.findings import DEADLINE_CODES

TODAY = date(2026, 11, 20)
HEADERS = ["备案编号", "活动名称", "平台", "主体名称", "统一社会信用代码", "行业", "状态", "活动开始日期",
           "活动结束日期", "计划上线日期", "提交日期", "反馈日期", "补充截止日期", "归档状态"]
LICENSE_HEADERS = ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至", "文件"]
CODE_A = "91310000MA1FL0000A"


def build(tmp_path: Path, rows: list[dict], *, licenses: list[dict] | None = None,
          holidays: list[tuple] | None = None, settings: dict | None = None, name: str = "台账.xlsx") -> Path:
    """A tracker (row i of `rows` is Excel row i + 2) plus optional 资质库, 节假日 and 设置 sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(HEADERS)
    for i, r in enumerate(rows):
        base = {"备案编号": f"BA-{i + 1:03d}", "活动名称": f"活动{i + 1}", "平台": "抖音", "主体名称": "甲公司"}
        base.update(r)
        ws.append([base.get(h) for h in HEADERS])
    if licenses is not None:
        lic = wb.create_sheet("资质库")
        lic.append(LICENSE_HEADERS)
        for r in licenses:
            lic.append([r.get(h) for h in LICENSE_HEADERS])
    if holidays is not None:
        hol = wb.create_sheet("节假日")
        hol.append(["日期", "类型", "说明"])
        for h in holidays:
            hol.append(list(h))
    if settings is not None:
        s = wb.create_sheet("设置")
        s.append(["项目", "值"])
        for k, v in settings.items():
            s.append([k, v])
    path = tmp_path / name
    wb.save(path)
    return path


def run(path: Path, today: date | None = TODAY):
    """check() as of `today`; the today-pinned note (tested in test_compliance.py) is left out."""
    report = check(load(path, today=today))
    report.findings = [f for f in report.findings if f.code != "today-pinned"]
    return report


def deadline_rows(report, code=None):
    return [[f.row, f.field, f.code, f.severity, f.due, f.days_left] for f in report.findings
            if f.code in DEADLINE_CODES and f.code != "calendar-fallback" and (code is None or f.code == code)]


# ---------------------------------------------------------------- review-overdue
def test_review_is_overdue_only_after_the_platforms_review_working_days(tmp_path):
    path = build(tmp_path, [
        {"状态": "已提交", "提交日期": date(2026, 11, 13)},   # +5 wd = 11-20 = today: not overdue
        {"状态": "审核中", "提交日期": date(2026, 11, 12)},   # +5 wd = 11-19: overdue by 1
        {"状态": "已通过", "提交日期": date(2026, 11, 1)},    # decided: nothing to chase
        {"状态": "已提交", "提交日期": date(2026, 11, 10), "平台": "微信"},  # 7 wd → 11-19
    ])
    report = run(path)
    assert deadline_rows(report, "review-overdue") == [
        [3, "提交日期", "review-overdue", "warning", date(2026, 11, 19), -1],
        [5, "提交日期", "review-overdue", "warning", date(2026, 11, 19), -1],
    ]
    f = next(x for x in report.findings if x.row == 5)
    assert "微信" in f.message and "7 个工作日" in f.message and "已逾期 1 个工作日" in f.message
    assert f.filing_id == "BA-004" and f.activity == "活动4" and f.column == HEADERS.index("提交日期")


def test_review_time_counts_working_days_across_national_day(tmp_path):
    # submitted Tue 2025-09-30; 5 working days: 10-09, 10, 11 (Sat make-up), 13, 14 → due 10-14
    path = build(tmp_path, [{"状态": "审核中", "提交日期": date(2025, 9, 30)}])
    assert deadline_rows(run(path, date(2025, 10, 14)), "review-overdue") == []
    assert deadline_rows(run(path, date(2025, 10, 15)), "review-overdue") == [
        [2, "提交日期", "review-overdue", "warning", date(2025, 10, 14), -1]]


# ---------------------------------------------------------------- supplement-overdue
def test_supplement_is_overdue_after_its_deadline_or_three_working_days_after_feedback(tmp_path):
    path = build(tmp_path, [
        {"状态": "需补充", "补充截止日期": date(2026, 11, 18), "反馈日期": date(2026, 11, 10)},
        {"状态": "需补充", "反馈日期": date(2026, 11, 16)},   # Mon + 3 wd = Thu 11-19
        {"状态": "需补充", "反馈日期": date(2026, 11, 17)},   # + 3 wd = 11-20 = today
        {"状态": "需补充", "补充截止日期": date(2026, 11, 20)},
        {"状态": "需补充"},                                     # no date: nothing to compute
    ])
    assert deadline_rows(run(path), "supplement-overdue") == [
        [2, "补充截止日期", "supplement-overdue", "error", date(2026, 11, 18), -2],
        [3, "反馈日期", "supplement-overdue", "error", date(2026, 11, 19), -1],
    ]


def test_supplement_days_come_from_settings(tmp_path):
    path = build(tmp_path, [{"状态": "需补充", "反馈日期": date(2026, 11, 16)}],
                 settings={"补充材料默认工作日": 5})
    assert deadline_rows(run(path), "supplement-overdue") == []


# ---------------------------------------------------------------- submit-late-risk
def test_submitting_too_late_for_review_plus_lead_time_is_a_risk(tmp_path):
    # 微信: review 7 + lead 2 = 9 working days; today + 9 wd = Thu 12-03
    path = build(tmp_path, [
        {"平台": "微信", "状态": "草稿", "计划上线日期": date(2026, 12, 3)},
        {"平台": "微信", "状态": "待提交", "计划上线日期": date(2026, 12, 2)},
        {"平台": "微信", "计划上线日期": date(2026, 12, 2)},                    # empty status
        {"平台": "微信", "状态": "已提交", "计划上线日期": date(2026, 12, 2), "提交日期": TODAY},
    ])
    report = run(path)
    assert deadline_rows(report, "submit-late-risk") == [
        [3, "计划上线日期", "submit-late-risk", "warning", date(2026, 12, 2), 8],
        [4, "计划上线日期", "submit-late-risk", "warning", date(2026, 12, 2), 8],
    ]
    f = next(x for x in report.findings if x.row == 3)
    # latest submission leaving 9 working days before Wed 12-02 was Thu 11-19
    assert "2026-11-19" in f.message and "9 个工作日" in f.message and "8 个工作日" in f.message


def test_launch_today_is_launch_unapproved_not_also_a_late_risk(tmp_path):
    path = build(tmp_path, [{"状态": "草稿", "计划上线日期": TODAY}])
    assert [r[2] for r in deadline_rows(run(path))] == ["launch-unapproved"]


# ---------------------------------------------------------------- launch-unapproved
def test_pending_rows_whose_launch_has_come_are_launch_unapproved(tmp_path):
    path = build(tmp_path, [
        {"状态": "审核中", "计划上线日期": TODAY, "提交日期": date(2026, 11, 19)},
        {"状态": "需补充", "计划上线日期": date(2026, 11, 16), "反馈日期": date(2026, 11, 19)},
        {"状态": "已通过", "计划上线日期": date(2026, 11, 16)},
        {"状态": "已提交", "计划上线日期": date(2026, 11, 23), "提交日期": date(2026, 11, 19)},
        {"状态": "已驳回", "计划上线日期": date(2026, 11, 16)},
    ])
    report = run(path)
    assert deadline_rows(report, "launch-unapproved") == [
        [3, "计划上线日期", "launch-unapproved", "error", date(2026, 11, 16), -4],
        [6, "计划上线日期", "launch-unapproved", "error", date(2026, 11, 16), -4],  # 已驳回, not resubmitted
        [2, "计划上线日期", "launch-unapproved", "error", TODAY, 0],
    ]
    assert "需补充" in report.findings[0].message


# ---------------------------------------------------------------- archive-overdue
def test_approved_activities_must_be_archived_within_thirty_days_of_ending(tmp_path):
    path = build(tmp_path, [
        {"状态": "已通过", "活动结束日期": date(2026, 10, 21)},                    # due 11-20: not yet
        {"状态": "已通过", "活动结束日期": date(2026, 10, 20), "归档状态": "否"},  # due 11-19
        {"状态": "已通过", "活动结束日期": date(2026, 10, 1), "归档状态": "是"},
        {"状态": "已提交", "活动结束日期": date(2026, 10, 1)},
    ])
    assert deadline_rows(run(path), "archive-overdue") == [
        [3, "归档状态", "archive-overdue", "warning", date(2026, 11, 19), -1]]


def test_archive_window_comes_from_settings(tmp_path):
    path = build(tmp_path, [{"状态": "已通过", "活动结束日期": date(2026, 10, 20)}], settings={"归档期限天数": 60})
    assert deadline_rows(run(path), "archive-overdue") == []


# ---------------------------------------------------------------- licenses
def lic(company, valid_until, lic_type="营业执照", code=""):
    return {"主体名称": company, "统一社会信用代码": code, "资质类型": lic_type, "证书编号": "X", "有效期至": valid_until}


def test_license_expiry_windows_at_their_boundaries(tmp_path):
    companies = {
        "已过期": date(2026, 11, 19),
        "今天到期": TODAY,
        "三十天": date(2026, 12, 20),   # Sunday, today + 30
        "三十一天": date(2026, 12, 21),
        "九十天": date(2027, 2, 18),
        "九十一天": date(2027, 2, 19),
        "长期": "长期",
    }
    rows = [{"主体名称": c} for c in companies]
    path = build(tmp_path, rows, licenses=[lic(c, v) for c, v in companies.items()])
    report = run(path)
    assert deadline_rows(report) == [
        [2, "主体名称", "license-expired", "error", date(2026, 11, 19), -1],
        [3, "主体名称", "license-expiring", "warning", TODAY, 0],
        [4, "主体名称", "license-expiring", "warning", date(2026, 12, 20), 20],
        [5, "主体名称", "license-expiring", "info", date(2026, 12, 21), 21],
        [6, "主体名称", "license-expiring", "info", date(2027, 2, 18), 64],  # 29 in 2026 + 35 fallback
    ]
    # 2027 has no holiday data: counting to 2027-02-18 used the weekday fallback, said once
    assert [f.code for f in report.findings].count("calendar-fallback") == 1
    expired = report.findings[0]
    assert "资质库第2行" in expired.message and "营业执照" in expired.message and "已逾期 1 个工作日" in expired.message


def test_license_expiring_before_the_activity_ends_is_a_gap(tmp_path):
    path = build(tmp_path, [
        {"活动结束日期": date(2027, 6, 30)},
        {"主体名称": "乙公司", "活动结束日期": date(2026, 12, 1)},
    ], licenses=[lic("甲公司", date(2027, 6, 29)), lic("乙公司", date(2026, 12, 1))])
    assert deadline_rows(run(path)) == [
        [2, "主体名称", "license-gap", "error", date(2027, 6, 29), 157],
        [3, "主体名称", "license-expiring", "warning", date(2026, 12, 1), 7],
    ]


def test_a_license_lapsing_soon_and_mid_activity_is_both_expiring_and_a_gap(tmp_path):
    path = build(tmp_path, [{"活动结束日期": date(2026, 12, 31)}], licenses=[lic("甲公司", date(2026, 12, 10))])
    assert deadline_rows(run(path)) == [
        [2, "主体名称", "license-gap", "error", date(2026, 12, 10), 14],
        [2, "主体名称", "license-expiring", "warning", date(2026, 12, 10), 14],
    ]


def test_an_expired_license_is_not_also_reported_as_a_gap(tmp_path):
    path = build(tmp_path, [{"活动结束日期": date(2026, 12, 31)}], licenses=[lic("甲公司", date(2026, 11, 19))])
    assert [r[2] for r in deadline_rows(run(path))] == ["license-expired"]


def test_industry_licenses_are_required_and_missing_ones_reported(tmp_path):
    path = build(tmp_path, [
        {"行业": "医疗", "状态": "已通过", "计划上线日期": date(2026, 11, 27)},
        {"行业": "快消"},
        {"主体名称": "丙公司"},
    ], licenses=[lic("甲公司", "长期")])
    report = run(path)
    assert deadline_rows(report) == [
        [2, "主体名称", "license-missing", "error", date(2026, 11, 27), 5],
        [2, "主体名称", "license-missing", "error", date(2026, 11, 27), 5],
        [4, "主体名称", "license-missing", "error", None, None],
    ]
    assert "医疗广告审查证明" in report.findings[0].message and "医疗" in report.findings[0].message
    assert "医疗机构执业许可证" in report.findings[1].message
    assert "丙公司" in report.findings[2].message and "营业执照" in report.findings[2].message


def test_licenses_match_by_credit_code_before_name(tmp_path):
    path = build(tmp_path, [
        {"主体名称": "甲公司（上海）", "统一社会信用代码": CODE_A},
        {"主体名称": "丁公司", "统一社会信用代码": "91110000MA0000000X"},
    ], licenses=[lic("甲公司", date(2026, 11, 1), code=CODE_A), lic("丁公司", "长期")])
    assert deadline_rows(run(path)) == [[2, "主体名称", "license-expired", "error", date(2026, 11, 1), -15]]


def test_the_longest_valid_license_of_a_type_counts(tmp_path):
    path = build(tmp_path, [{}], licenses=[lic("甲公司", date(2026, 1, 1)), lic("甲公司", date(2030, 1, 1))])
    assert deadline_rows(run(path)) == []


def test_closed_or_finished_rows_need_no_licenses(tmp_path):
    path = build(tmp_path, [
        {"状态": "已撤回"}, {"状态": "已驳回"}, {"活动结束日期": date(2026, 11, 19)},
        {"活动结束日期": TODAY},
    ], licenses=[lic("甲公司", date(2026, 11, 1))])
    # row 3 (已驳回, not resubmitted) is still headed for launch, so its licenses matter
    assert [r[0] for r in deadline_rows(run(path))] == [3, 5]


def test_without_a_license_sheet_no_license_findings(tmp_path):
    path = build(tmp_path, [{"行业": "医疗"}])
    assert deadline_rows(run(path)) == []


def test_unreadable_license_date_is_a_finding_and_not_judged(tmp_path):
    path = build(tmp_path, [{}], licenses=[lic("甲公司", "明年")])
    report = run(path)
    assert deadline_rows(report) == []
    assert [(f.code, f.sheet, f.row, f.field) for f in report.findings] == [("invalid-date", "资质库", 2, "有效期至")]


# ---------------------------------------------------------------- the calendar in a run
def test_a_run_crossing_new_year_reports_the_fallback_once(tmp_path):
    rows = [{"状态": "审核中", "提交日期": date(2026, 12, 28)}, {"状态": "已提交", "提交日期": date(2026, 12, 29)}]
    report = run(build(tmp_path, rows), date(2027, 1, 20))
    assert deadline_rows(report) == [
        # 12-28 + 5 wd: 29, 30, 31, 01-01 (fallback weekday), 01-04
        [2, "提交日期", "review-overdue", "warning", date(2027, 1, 4), -12],
        [3, "提交日期", "review-overdue", "warning", date(2027, 1, 5), -11],
    ]
    fallback = [f for f in report.findings if f.code == "calendar-fallback"]
    assert len(fallback) == 1 and fallback[0].row is None and "2027" in fallback[0].message


def test_holiday_sheet_entries_change_deadlines_and_silence_the_fallback(tmp_path):
    rows = [{"状态": "审核中", "提交日期": date(2026, 12, 28)}]
    holidays = [("2027-01-01", "休", "元旦"), ("2027-01-04", "休", "假设的调休"), ("2027-01-09", "班")]
    report = run(build(tmp_path, rows, holidays=holidays), date(2027, 1, 20))
    # 12-28 + 5 wd: 29, 30, 31, (01-01 and 01-04 off) 01-05, 01-06; Sat 01-09 is a working day
    assert deadline_rows(report) == [[2, "提交日期", "review-overdue", "warning", date(2027, 1, 6), -11]]
    assert "calendar-fallback" not in [f.code for f in report.findings]


def test_bad_holiday_sheet_date_is_reported_and_the_run_goes_on(tmp_path):
    rows = [{"状态": "审核中", "提交日期": date(2026, 11, 12)}]
    report = run(build(tmp_path, rows, holidays=[("2027-13-01", "休")]))
    assert [(f.code, f.sheet, f.row, f.field) for f in report.findings] == [
        ("review-overdue", "备案台账", 2, "提交日期"), ("invalid-date", "节假日", 2, "日期")]


def test_unreadable_tracker_date_is_a_finding_not_a_crash(tmp_path):
    report = run(build(tmp_path, [{"状态": "审核中", "提交日期": "上周五"}]))
    assert [(f.code, f.row, f.field) for f in report.findings] == [("invalid-date", 2, "提交日期")]


# ---------------------------------------------------------------- report shape, order, reproducibility
def test_findings_are_sorted_by_urgency(tmp_path):
    path = build(tmp_path, [
        {"状态": "已通过", "活动结束日期": date(2026, 9, 1)},                   # archive, warning, -58
        {"状态": "审核中", "提交日期": date(2026, 11, 12)},                     # review, warning, -1
        {"状态": "需补充", "补充截止日期": date(2026, 11, 18)},                 # supplement, error, -2
        {"状态": "草稿", "计划上线日期": date(2026, 11, 10)},                   # launch, error, -8
    ])
    report = run(path)
    assert report.command == "deadlines" and report.rows == 4 and report.today == TODAY
    assert [(f.row, f.code) for f in report.findings] == [
        (5, "launch-unapproved"), (4, "supplement-overdue"), (2, "archive-overdue"), (3, "review-overdue")]


def test_today_from_settings_or_argument_makes_runs_reproducible(tmp_path):
    rows = [{"状态": "审核中", "提交日期": date(2026, 11, 12)}]
    path = build(tmp_path, rows, settings={"今天": "2026-11-20"})
    book = read_book(path)
    a = check(build_context(book, system_today=date(2030, 1, 1)))
    b = check(build_context(book, system_today=date(1999, 1, 1)))
    assert a.as_json() == b.as_json() and a.today == TODAY
    c = check(build_context(book, system_today=date(2030, 1, 1), today=date(2026, 11, 19)))
    assert deadline_rows(c) == []


CORE_EXCLUDED = {"buttons.py", "__main__.py"}
CORE_EXCLUDED_DIRS = {"cli", "excel", "adapters", "actions"}
CLOCK_CALLS = {"today", "now", "utcnow", "time", "localtime", "gmtime"}
CLOCK_OWNERS = {"date", "datetime", "time", "dt", "_dt"}


def core_modules() -> list[Path]:
    root = Path(__file__).resolve().parent.parent / "pyaddin"
    return [p for p in root.rglob("*.py")
            if p.name not in CORE_EXCLUDED and not CORE_EXCLUDED_DIRS & set(p.relative_to(root).parts[:-1])]


def test_no_code_below_the_cli_reads_the_system_clock():
    calls = []
    for path in core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in CLOCK_CALLS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in CLOCK_OWNERS):
                calls.append(f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    assert any(p.name == "checks.py" for p in core_modules())
    assert calls == []


def test_the_clock_scan_would_catch_a_call(tmp_path):
    tree = ast.parse("from datetime import date\nx = date.today()\n")
    hits = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in CLOCK_CALLS and n.func.value.id in CLOCK_OWNERS]
    assert len(hits) == 1


@pytest.mark.parametrize("status", ["已撤回"])
def test_closed_rows_raise_no_deadlines(tmp_path, status):
    path = build(tmp_path, [{"状态": status, "提交日期": date(2026, 1, 1), "计划上线日期": date(2026, 1, 5),
                             "活动结束日期": date(2026, 2, 1)}])
    assert deadline_rows(run(path)) == []


@pytest.mark.parametrize("today", [TODAY, date(9999, 12, 30), date(1, 1, 2)])
def test_extreme_dates_never_crash_a_run(tmp_path, today):
    path = build(tmp_path, [
        {"状态": "审核中", "提交日期": date(9999, 12, 30), "计划上线日期": date(9999, 12, 31)},
        {"状态": "草稿", "计划上线日期": date(9999, 12, 31)},
        {"状态": "已通过", "活动结束日期": date(9999, 12, 20)},
        {"状态": "需补充", "反馈日期": date(9999, 12, 31)},
        {"状态": "审核中", "提交日期": date(1900, 1, 1)},
    ], licenses=[lic("甲公司", date(9999, 12, 30))])
    report = run(path, today)
    assert report.today == today


def test_unknown_platform_uses_the_default_review_time_from_settings(tmp_path):
    path = build(tmp_path, [{"平台": "某新平台", "状态": "审核中", "提交日期": date(2026, 11, 12)}],
                 settings={"默认审核周期(工作日)": 3})
    assert deadline_rows(run(path), "review-overdue") == [
        [2, "提交日期", "review-overdue", "warning", date(2026, 11, 17), -3]]


def test_review_time_comes_from_the_workbooks_platform_sheet(tmp_path):
    path = build(tmp_path, [{"平台": "抖音", "状态": "审核中", "提交日期": date(2026, 11, 12)}])
    wb = openpyxl.load_workbook(path)
    sheet = wb.create_sheet("平台")
    sheet.append(["平台", "别名", "审核周期(工作日)", "提前量(工作日)"])
    sheet.append(["抖音", "douyin", 10, 2])
    wb.save(path)
    assert deadline_rows(run(path), "review-overdue") == []
    assert deadline_rows(run(path, date(2026, 11, 27)), "review-overdue") == [
        [2, "提交日期", "review-overdue", "warning", date(2026, 11, 26), -1]]


def test_a_tracker_with_only_its_header_has_no_deadlines_but_its_register_still_speaks(tmp_path):
    report = run(build(tmp_path, [], licenses=[lic("甲公司", date(2026, 1, 1))], holidays=[]))
    assert report.rows == 0
    # no open filing of 甲公司: the expired license is reported once, on its 资质库 row
    assert [(f.sheet, f.row, f.code) for f in report.findings] == [("资质库", 2, "license-expired")]
