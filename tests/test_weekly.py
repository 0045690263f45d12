"""Weekly report figures, each checked against an independent computation written here.

On the sample tracker the expected values are computed straight from a pandas read of the sheet
(own date parsing, own working-day count on chinese_calendar), never by calling pyaddin.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pandas as pd
import pytest
from helpers import write_tracker

from pyaddin import open_workbook as load
from pyaddin.reports.weekly import UNKNOWN, BadWeek, build_report, parse_week, week_activity

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "备案台账示例.xlsx"
STATUSES = ["草稿", "待提交", "已提交", "审核中", "需补充", "已通过", "已驳回", "已撤回"]
PLATFORMS = ["微信", "抖音", "小红书", "快手", "微博", "B站", "淘宝", "天猫", "京东", "拼多多", "百度", "自有APP"]
TODAY = date(2026, 11, 20)
MONDAY, SUNDAY = date(2026, 11, 16), date(2026, 11, 22)


# ------------------------------------------------------------------ independent reading of the sample
def to_date(v) -> date | None:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    if isinstance(v, datetime | pd.Timestamp):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, int | float):
        return date(1899, 12, 30) + timedelta(days=int(v))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", str(v).strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def is_workday(d: date) -> bool:
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:  # a year the package does not cover: Monday to Friday, as beian falls back
        return d.weekday() < 5


def workdays(a: date, b: date) -> int:
    """Working days in (a, b] on the Chinese calendar, one day at a time."""
    return sum(is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


def add_wd(d: date, n: int) -> date:
    while n:
        d += timedelta(days=1)
        n -= chinese_calendar.is_workday(d)
    return d


@pytest.fixture(scope="module")
def sheet() -> pd.DataFrame:
    raw = pd.read_excel(SAMPLE, sheet_name="备案台账", header=2, engine="calamine")
    raw = raw.dropna(how="all")
    out = pd.DataFrame({
        "id": raw["备案编号"], "activity": raw["活动名称"],
        "platform": raw["投放平台"].map(lambda p: p.strip() if isinstance(p, str) and p.strip() in PLATFORMS
                                      else UNKNOWN),
        "status": raw["备案状态"].map(lambda s: s if s in STATUSES else UNKNOWN),
        "approval_no": raw["备案号"],
    })
    # 已驳回 with no row naming it in 原备案编号 is still headed for launch (docs/deadlines.md)
    resubmitted = set(raw["原备案编号"].dropna())
    out["rejected_open"] = (out["status"] == "已驳回") & ~out["id"].isin(resubmitted)
    for col, src in (("submitted", "提交日期"), ("approved", "通过日期"), ("feedback", "反馈日期"),
                     ("launch", "上线日期"), ("supplement_due", "补充截止日期"), ("end", "活动结束日期")):
        out[col] = raw[src].map(to_date)
    # an activity over before today is history whatever its status (docs/deadlines.md)
    out["ended"] = out["end"].map(lambda d: d is not None and d < TODAY).astype(bool)
    out["closed"] = ((out["status"] == "已撤回") | ((out["status"] == "已驳回") & out["id"].isin(resubmitted))
                     | out["ended"])
    return out


@pytest.fixture(scope="module")
def report():
    ctx = load(SAMPLE)
    assert ctx.today == TODAY
    return build_report(ctx)


def in_week(d) -> bool:
    return d is not None and MONDAY <= d <= SUNDAY


def test_sample_week_defaults_to_the_iso_week_of_the_settings_today(report):
    assert (report.week, report.week_start, report.week_end) == ("2026-W47", MONDAY, SUNDAY)
    assert report.rows == 129  # issue 23 added four late problem rows


def test_platform_by_status_counts_equal_a_plain_crosstab(report, sheet):
    expected = pd.crosstab(sheet["platform"], sheet["status"])
    got = report.by_platform_status
    assert got.to_numpy().sum() == len(sheet)
    for p in expected.index:
        for s in expected.columns:
            assert got.at[p, s] == expected.at[p, s], (p, s)
    assert set(got.index) == set(expected.index) and set(got.columns) == set(expected.columns)
    # catalogue order, unrecognised last
    assert list(got.index)[:3] == ["微信", "抖音", "小红书"] and list(got.index)[-1] == UNKNOWN


def test_week_activity_counts_follow_the_documented_dates(report, sheet):
    submitted = sheet[sheet["submitted"].map(in_week)]
    approved = sheet[sheet["approved"].map(in_week) & (sheet["status"] == "已通过")]
    rejected = sheet[sheet["feedback"].map(in_week) & (sheet["status"] == "已驳回")]
    supplement = sheet[sheet["feedback"].map(in_week) & (sheet["status"] == "需补充")]
    c = report.counts
    assert (c["提交"], c["通过"], c["驳回"], c["需补充"]) == (len(submitted), len(approved), len(rejected),
                                                       len(supplement))
    assert c["提交"] == 26 and c["需补充"] == 1
    assert sorted(report.submitted["备案编号"]) == sorted(submitted["id"])
    assert list(report.supplement["备案编号"]) == list(supplement["id"]) == ["BA-2026-0090"]
    # no previous snapshot: new = submitted this week
    assert c["新增"] == len(submitted) and "无上周快照" in report.new_basis
    assert c["在审"] == int(sheet["status"].isin(["已提交", "审核中", "需补充"]).sum())


def test_week_activity_lists_each_filing_once_with_all_its_events(report):
    activity = week_activity(report)
    moved = {*report.new["行"], *report.submitted["行"], *report.supplement["行"], *report.approved["行"],
             *report.rejected["行"]}
    assert sorted(activity["行"]) == sorted(moved) and activity["行"].is_unique  # 27 rows, not 26 × 2 + 1
    assert len(activity) == 27
    assert set(activity.loc[activity["行"].isin(report.submitted["行"]), "事项"]) == {"新增、提交"}
    assert list(activity.loc[activity["备案编号"] == "BA-2026-0090", "事项"]) == ["需补充"]


def test_a_filing_submitted_and_approved_in_one_week_is_one_row(tmp_path):
    rows = [{"备案编号": "S1", "平台": "微信", "状态": "已通过", "提交日期": date(2026, 11, 16),
             "通过日期": date(2026, 11, 19), "备案号": "WX2026110201"}]
    activity = week_activity(build_report(small(tmp_path, rows)))
    assert list(activity["备案编号"]) == ["S1"] and list(activity["事项"]) == ["新增、提交、通过"]


def test_approval_rates(report, sheet):
    n_ok, n_no = (sheet["status"] == "已通过").sum(), (sheet["status"] == "已驳回").sum()
    assert report.approval_rate_total == pytest.approx(n_ok / (n_ok + n_no))
    assert report.approval_rate_week is None  # nothing decided in W47 on the sample


def test_review_time_median_and_p90_in_chinese_working_days(report, sheet):
    done = sheet[(sheet["status"] == "已通过") & sheet["submitted"].notna() & sheet["approved"].notna()]
    done = done[[a >= s for s, a in zip(done["submitted"], done["approved"], strict=True)]]
    days = pd.Series([workdays(s, a) for s, a in zip(done["submitted"], done["approved"], strict=True)],
                     index=done.index, dtype=float)
    by = days.groupby(done["platform"])
    rt = report.review_time
    assert set(rt.index) == set(by.groups)
    for p, values in by:
        assert rt.at[p, "件数"] == len(values)
        assert rt.at[p, "中位数"] == pytest.approx(values.median())
        assert rt.at[p, "P90"] == pytest.approx(values.quantile(0.9))
    assert rt.at["天猫", "中位数"] == 6.0  # 7 (08-17→08-26) and 5 (10-15→10-22); 通过早于提交 excluded


def test_overdue_and_at_risk_lists_follow_the_deadline_rules(report, sheet):
    platforms = pd.read_excel(SAMPLE, sheet_name="平台", engine="calamine")
    review_days = dict(zip(platforms["平台"], platforms["审核周期(工作日)"], strict=True))
    lead_days = dict(zip(platforms["平台"], platforms["提前量(工作日)"], strict=True))
    pending = {"草稿", "待提交", "已提交", "审核中", "需补充"}
    overdue, risk = set(), set()
    for r in sheet.itertuples():
        if r.closed:
            continue
        review = int(review_days.get(r.platform, 5))
        if r.status in ("已提交", "审核中") and r.submitted and TODAY > add_wd(r.submitted, review):
            overdue.add((r.id, "审核超期"))
        if r.status == "需补充":
            due = r.supplement_due or (add_wd(r.feedback, 3) if r.feedback else None)
            if due and TODAY > due:
                overdue.add((r.id, "补充材料逾期"))
        if (r.status in pending or r.rejected_open) and r.launch and r.launch <= TODAY:
            overdue.add((r.id, "未通过即上线"))
        if (r.status in ("草稿", "待提交") or r.rejected_open) and r.launch and r.launch > TODAY \
                and add_wd(TODAY, review + int(lead_days.get(r.platform, 2))) > r.launch:
            risk.add((r.id, "提交过晚风险"))
    assert set(zip(report.overdue["备案编号"], report.overdue["类型"], strict=True)) == overdue
    assert set(zip(report.at_risk["备案编号"], report.at_risk["类型"], strict=True)) == risk
    assert report.counts["逾期"] == len(overdue) == 4 and report.counts["风险"] == len(risk) == 2


def test_licenses_expiring_within_the_info_window_include_expired_ones(report):
    """Per company and type the license valid longest; a 医疗广告审查证明 without 有效期至 runs one
    year from 发证日期; remaining time in Chinese working days (negative once expired)."""
    lic = pd.read_excel(SAMPLE, sheet_name="资质库", engine="calamine")
    limit = TODAY + timedelta(days=90)
    best: dict[tuple, tuple] = {}
    for _, r in lic.iterrows():
        until = to_date(r["有效期至"])
        issued = to_date(r["发证日期"])
        if until is None and r["资质类型"] == "医疗广告审查证明" and issued is not None:
            until = issued.replace(year=issued.year + 1) - timedelta(days=1)
        if until is None:
            continue
        key = (r["统一社会信用代码"], r["资质类型"])
        if key not in best or until > best[key][2]:
            best[key] = (r["主体名称"], r["资质类型"], until)
    def is_wd(d: date) -> bool:  # 2027 has no official calendar yet: weekdays (the sample's 节假日 is empty)
        return chinese_calendar.is_workday(d) if d.year <= 2026 else d.weekday() < 5

    def wd(a: date, b: date) -> int:
        return sum(is_wd(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))

    expected = sorted((name, kind, wd(TODAY, until) if until >= TODAY else -wd(until, TODAY))
                      for name, kind, until in best.values() if until <= limit)
    got = sorted(zip(report.licenses_expiring["主体名称"], report.licenses_expiring["资质类型"],
                     report.licenses_expiring["剩余工作日"], strict=True))
    assert got == expected
    assert ("南京仁康口腔门诊部有限公司", "医疗广告审查证明", workdays(TODAY, date(2026, 11, 30))) in got
    assert [s for s in report.licenses_expiring["状态"]].count("已过期") == sum(1 for e in expected if e[2] < 0) == 3


def test_upcoming_launches_are_the_unapproved_ones_in_the_next_14_days(report, sheet):
    horizon = TODAY + timedelta(days=14)
    expected = sheet[sheet["launch"].map(lambda d: d is not None and TODAY <= d <= horizon)
                     & (sheet["status"] != "已通过") & ~sheet["closed"]]
    assert sorted(report.upcoming["备案编号"]) == sorted(expected["id"])
    assert "BA-2026-R001" not in set(report.upcoming["备案编号"])  # rejected but resubmitted: closed


def test_trend_ends_with_the_report_week_and_counts_by_week(report, sheet):
    assert len(report.trend) == 8 and report.trend["周"].iloc[-1] == "2026-W47"
    for _, row in report.trend.iterrows():
        monday = date.fromisocalendar(int(row["周"][:4]), int(row["周"][-2:]), 1)
        sunday = monday + timedelta(days=6)
        sub = sheet["submitted"].map(lambda d, m=monday, s=sunday: d is not None and m <= d <= s).sum()
        ok = (sheet["approved"].map(lambda d, m=monday, s=sunday: d is not None and m <= d <= s)
              & (sheet["status"] == "已通过")).sum()
        assert (row["提交"], row["通过"]) == (sub, ok), row["周"]


# ------------------------------------------------------------------ hand-built trackers
def small(tmp_path: Path, rows: list[dict], today: str = "2026-11-20"):
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=[
        "备案编号", "活动名称", "平台", "主体名称", "状态", "提交日期", "反馈日期", "审核意见", "通过日期", "备案号",
        "计划上线日期"])
    return load(path, today=date.fromisoformat(today))


WEEK_ROWS = [
    {"备案编号": "A1", "平台": "微信", "状态": "已通过", "提交日期": date(2026, 11, 10), "通过日期": date(2026, 11, 17),
     "备案号": "WX2026110101", "计划上线日期": date(2026, 12, 20)},
    {"备案编号": "A2", "平台": "抖音", "状态": "已通过", "提交日期": date(2026, 11, 16), "通过日期": date(2026, 11, 19),
     "备案号": "DY2026110102", "计划上线日期": date(2026, 12, 20)},
    {"备案编号": "A3", "平台": "抖音", "状态": "已驳回", "提交日期": date(2026, 11, 12), "反馈日期": date(2026, 11, 18),
     "审核意见": "素材含绝对化用语", "通过日期": None, "备案号": None, "计划上线日期": date(2026, 12, 20)},
    {"备案编号": "A4", "平台": "快手", "状态": "需补充", "提交日期": date(2026, 11, 12), "反馈日期": date(2026, 11, 13),
     "审核意见": "补充执照", "通过日期": None, "备案号": None, "计划上线日期": date(2026, 12, 1)},
    {"备案编号": "A5", "平台": "微信", "状态": "已通过", "提交日期": date(2026, 11, 2), "通过日期": date(2026, 11, 9),
     "备案号": "WX2026110105", "计划上线日期": date(2026, 11, 25)},
    {"备案编号": "A6", "平台": "微博", "状态": "已撤回", "提交日期": None, "通过日期": None, "备案号": None,
     "计划上线日期": date(2026, 11, 26)},
    {"备案编号": "A7", "平台": "微博", "状态": "草稿", "提交日期": None, "通过日期": None, "备案号": None,
     "计划上线日期": date(2026, 11, 26)},
]


def test_hand_built_week_counts_announcements_and_rates(tmp_path):
    r = build_report(small(tmp_path, WEEK_ROWS))
    assert (r.counts["提交"], r.counts["通过"], r.counts["驳回"], r.counts["需补充"]) == (1, 2, 1, 0)
    assert list(r.announcements["备案编号"]) == ["A1", "A2"]
    assert list(r.announcements["备案号"]) == ["WX2026110101", "DY2026110102"]
    assert r.approval_rate_week == pytest.approx(2 / 3)
    assert r.approval_rate_total == pytest.approx(3 / 4)
    # A1: 11-10 → 11-17 is 5 working days; A5: 11-02 → 11-09 is 5; A2: 11-16 → 11-19 is 3
    assert r.review_time.at["微信", "中位数"] == 5 and r.review_time.at["抖音", "中位数"] == 3
    # by launch date: draft A7 (11-26) and A4 需补充 (12-01); withdrawn A6 and approved A5 are not listed
    assert list(r.upcoming["备案编号"]) == ["A7", "A4"]


def test_a_week_other_than_todays_counts_that_week_and_stores_no_snapshot(tmp_path):
    r = build_report(small(tmp_path, WEEK_ROWS), week="2026-W46")
    assert (r.week_start, r.counts["通过"], r.counts["提交"], r.counts["需补充"]) == (date(2026, 11, 9), 1, 3, 1)
    assert not r.store_snapshot and any("不保存快照" in n for n in r.notes)


def test_unknown_status_and_platform_are_counted_not_dropped(tmp_path):
    rows = [{"备案编号": "B1", "平台": "推特", "状态": "挂起"}, {"备案编号": "B2", "平台": "微信", "状态": "已通过"}]
    r = build_report(small(tmp_path, rows))
    t = r.by_platform_status
    assert t.at[UNKNOWN, UNKNOWN] == 1 and t.at["微信", "已通过"] == 1 and t.to_numpy().sum() == 2


def test_empty_tracker_gives_an_empty_report_not_a_crash(tmp_path):
    r = build_report(small(tmp_path, []))
    assert r.rows == 0 and r.by_platform_status.empty and r.review_time.empty
    assert r.counts["提交"] == 0 and r.approval_rate_total is None


@pytest.mark.parametrize("text,expected", [
    ("2026-W48", ("2026-W48", date(2026, 11, 23))), ("2026w48", ("2026-W48", date(2026, 11, 23))),
    ("2026-11-25", ("2026-W48", date(2026, 11, 23))), ("2027-01-01", ("2026-W53", date(2026, 12, 28))),
])
def test_parse_week_accepts_iso_weeks_and_dates(text, expected):
    label, monday, sunday = parse_week(text)
    assert (label, monday) == expected and sunday == monday + timedelta(days=6)


@pytest.mark.parametrize("text", ["2026-W54", "2025-W53", "next week", ""])
def test_parse_week_rejects_what_is_not_a_week(text):
    with pytest.raises(BadWeek):
        parse_week(text)
