"""`beian calendar`: 备案日程.ics read back with the icalendar library and the strict `ical` parser."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA
from helpers import CLEAN, write_tracker
from ical.calendar_stream import IcsCalendarStream

from pyaddin.cli.commands.common import open_workbook as load
from pyaddin.cli.main import main
from pyaddin.deadlines.checks import deadline_findings as check
from pyaddin.tracker.filings import open_filings

SAMPLE = SAMPLE_DATA / "备案台账示例.xlsx"
HEADERS = [*CLEAN, "负责人", "审核意见", "反馈日期", "补充截止日期"]


def export(path, out, *extra):
    result = CliRunner().invoke(main, ["calendar", str(path), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    data = (out / "备案日程.ics").read_bytes()
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))  # raises on what it rejects
    cal = icalendar.Calendar.from_ical(data)
    assert len(strict.events) == len(cal.walk("VEVENT"))
    return cal


@pytest.fixture(scope="module")
def sample_calendars(tmp_path_factory):
    base = tmp_path_factory.mktemp("ics")
    # pinned before the sample's dates, so no deadline of it is left out as past
    return export(SAMPLE, base / "a", "--today", "2025-01-01"), export(SAMPLE, base / "b", "--today", "2025-01-01")


def test_uids_are_unique_and_stable_across_runs(sample_calendars):
    first, second = ([str(e["uid"]) for e in cal.walk("VEVENT")] for cal in sample_calendars)
    assert len(first) == len(set(first)) > 0
    assert first == second


def test_every_deadline_is_an_all_day_event_with_a_reminder_at_nine(sample_calendars):
    cal = sample_calendars[0]
    assert cal.walk("VEVENT")
    for event in cal.walk("VEVENT"):
        start, end = event["dtstart"].dt, event["dtend"].dt
        assert type(start) is date and event["dtstart"].params.get("VALUE") == "DATE"
        assert type(end) is date and end == start + timedelta(days=1)
        (alarm,) = event.walk("VALARM")
        lead = alarm["trigger"].dt
        assert alarm["action"] == "DISPLAY" and lead < timedelta(0)
        assert (lead % timedelta(days=1)) == timedelta(hours=9)  # 09:00 on the reminder day
    assert b"DTSTART;VALUE=DATE:" in cal.to_ical() and not cal.walk("VTIMEZONE")


def test_the_file_is_no_itip_message_so_needs_no_organizer(sample_calendars):
    """RFC 5546 §3.2.1: METHOD:PUBLISH requires an ORGANIZER; a deadline list has none, so no METHOD."""
    for cal in sample_calendars:
        assert "METHOD" not in cal
        assert all("ORGANIZER" not in e for e in cal.walk("VEVENT"))


def test_deadlines_more_than_seven_days_past_are_left_out_and_counted(tmp_path):
    launch = {"状态": "草稿", "提交日期": None, "备案号": None, "通过日期": None,
              "活动结束日期": date(2027, 1, 31)}  # still running: an ended activity is closed
    rows = [
        {"备案编号": "R-OLD", **launch, "计划上线日期": date(2026, 11, 12)},
        {"备案编号": "R-WEEK", **launch, "计划上线日期": date(2026, 11, 13)},
        {"备案编号": "R-NEXT", **launch, "计划上线日期": date(2026, 11, 30)},
    ]
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=HEADERS)
    result = CliRunner().invoke(main, ["calendar", str(path), "--out", str(tmp_path / "out"), "--today", "2026-11-20"])
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical((tmp_path / "out" / "备案日程.ics").read_bytes())
    launches = {str(e["summary"]).split("：")[1].split()[0] for e in cal.walk("VEVENT") if "计划上线" in str(e["summary"])}
    assert launches == {"R-WEEK", "R-NEXT"}
    assert all(e["dtstart"].dt >= date(2026, 11, 13) for e in cal.walk("VEVENT"))
    # R-OLD's launch (8 days past) and the latest-submission days of R-OLD and R-WEEK (further back)
    assert "7 天前已过的 3 个到期日未写入日程" in result.output


def test_the_reminder_lead_time_comes_from_the_settings_sheet(tmp_path):
    row = {"备案编号": "R-1", "状态": "审核中", "提交日期": date(2026, 11, 2), "备案号": None, "通过日期": None,
           "活动结束日期": date(2027, 1, 31)}
    leads = {}
    for days in (None, 5, 0):
        sheets = {"设置": [["项目", "值"], ["日程提醒提前工作日", days]]} if days is not None else None
        path = write_tracker(tmp_path / f"t{days}.xlsx", [row], headers=HEADERS, extra_sheets=sheets)
        cal = export(path, tmp_path / f"out{days}", "--today", "2026-11-04")
        (review,) = [e for e in cal.walk("VEVENT") if "审核" in str(e["summary"])]
        (alarm,) = review.walk("VALARM")
        leads[days] = (review["dtstart"].dt, alarm["trigger"].dt)
    due = datetime.combine(leads[None][0], time(0))  # Wed 2026-11-11: 微信's 7 working days after Mon 11-02
    assert due == datetime(2026, 11, 11)
    assert due + leads[None][1] == datetime(2026, 11, 6, 9)  # default: 3 working days before (Fri), 09:00
    assert due + leads[5][1] == datetime(2026, 11, 4, 9)     # 设置 5: 5 working days before
    assert leads[0][1] == timedelta(0)                        # 设置 0: at the start of the day


def test_one_event_per_deadline_of_the_sample(sample_calendars):
    ctx = load(SAMPLE, today=date(2025, 1, 1))  # as the calendars were exported
    df = ctx.tracker.df
    kinds = Counter(str(e["categories"].cats[1]) for e in sample_calendars[0].walk("VEVENT"))
    live = open_filings(df, ctx.today)  # not 已撤回, not a resubmitted 已驳回, activity not over
    in_review = int((df["status"].isin(["已提交", "审核中"]) & df["submitted_date"].notna() & live).sum())
    launches = int((df["launch_date"].notna() & live).sum())
    supplements = int(((df["status"] == "需补充") & (df["supplement_due"].notna() | df["feedback_date"].notna())
                       & live).sum())
    dated_licenses = int(ctx.licenses.frame["valid_until"].map(lambda d: d is not None and d.year < 9999).sum())
    assert kinds["审核结果应出"] == in_review
    assert kinds["计划上线"] == launches
    assert kinds["补充材料截止"] == supplements
    assert kinds["资质到期"] == dated_licenses
    assert kinds["最晚提交日"] > 0 and kinds["归档截止"] > 0


def test_events_fall_on_the_dates_the_deadline_findings_name(tmp_path):
    rows = [
        {"备案编号": "R-1", "状态": "审核中", "提交日期": date(2026, 11, 2), "备案号": None, "通过日期": None,
         "计划上线日期": date(2026, 12, 31), "活动开始日期": date(2026, 12, 31), "活动结束日期": date(2027, 1, 31)},
        {"备案编号": "R-2", "状态": "需补充", "备案号": None, "通过日期": None, "审核意见": "补资质",
         "反馈日期": date(2026, 11, 10), "计划上线日期": date(2026, 12, 31), "活动开始日期": date(2026, 12, 31),
         "活动结束日期": date(2027, 1, 31)},
        {"备案编号": "R-3", "活动结束日期": date(2026, 10, 14), "归档状态": "否"},
    ]
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=HEADERS)
    cal = export(path, tmp_path / "out", "--today", "2026-11-16")  # all three overdue, none > 7 days
    by_kind = {(str(e["categories"].cats[1]), str(e["summary"]).split("：")[1].split()[0]): e["dtstart"].dt
               for e in cal.walk("VEVENT")}
    findings = check(load(path, today=date(2026, 11, 16))).findings
    due = {(f.code, f.filing_id): f.due for f in findings if f.due}
    assert by_kind[("审核结果应出", "R-1")] == due[("review-overdue", "R-1")]
    assert by_kind[("补充材料截止", "R-2")] == due[("supplement-overdue", "R-2")]
    assert by_kind[("归档截止", "R-3")] == due[("archive-overdue", "R-3")]


def test_a_changed_date_keeps_the_uid_so_reimport_updates(tmp_path):
    row = {"备案编号": "R-1", "状态": "审核中", "提交日期": date(2026, 11, 2), "备案号": None, "通过日期": None,
           "活动结束日期": date(2027, 1, 31)}  # still running: an ended activity has no review left to await
    a = export(write_tracker(tmp_path / "a.xlsx", [row], headers=HEADERS), tmp_path / "a", "--today", "2026-11-09")
    b = export(write_tracker(tmp_path / "b.xlsx", [{**row, "提交日期": date(2026, 11, 9)}], headers=HEADERS),
               tmp_path / "b", "--today", "2026-11-09")
    review = [{str(e["uid"]): e for e in cal.walk("VEVENT") if "审核" in str(e["summary"])} for cal in (a, b)]
    assert review[0].keys() == review[1].keys()
    (uid,) = review[0]
    assert review[0][uid]["dtstart"].dt < review[1][uid]["dtstart"].dt
    assert int(review[1][uid]["sequence"]) >= int(review[0][uid]["sequence"])


def test_a_rejection_nobody_resubmitted_keeps_its_deadlines_and_a_resubmitted_one_has_none(tmp_path):
    """The calendar draws the line where check does: 已驳回 without a resubmission is still to be
    submitted and launched (submit-late-risk, launch-unapproved); once resubmitted, it is closed."""
    undecided = {"备案号": None, "通过日期": None, "提交日期": None, "计划上线日期": date(2026, 11, 27),
                 "活动开始日期": date(2026, 11, 27), "活动结束日期": date(2027, 1, 31)}
    rows = [
        {"备案编号": "R-OPEN", "状态": "已驳回", **undecided},
        {"备案编号": "R-DONE", "状态": "已驳回", **undecided},
        {"备案编号": "R-NEW", "状态": "草稿", **undecided, "原备案编号": "R-DONE"},
    ]
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=[*HEADERS, "原备案编号"])
    cal = export(path, tmp_path / "out", "--today", "2026-11-20")
    events = {(str(e["categories"].cats[1]), str(e["summary"]).split("：")[1].split()[0]): e["dtstart"].dt
              for e in cal.walk("VEVENT")}
    assert ("计划上线", "R-OPEN") in events and ("最晚提交日", "R-OPEN") in events
    assert not [k for k in events if k[1] == "R-DONE"]
    findings = check(load(path, today=date(2026, 11, 20))).findings
    risky = {f.filing_id: f.due for f in findings if f.code == "submit-late-risk"}
    assert "R-OPEN" in risky and "R-DONE" not in risky
