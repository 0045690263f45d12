"""`beian calendar`: 备案日程.ics read back with the icalendar library."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA
from helpers import CLEAN, write_tracker

from pyaddin.cli.commands.common import open_workbook as load
from pyaddin.cli.main import main
from pyaddin.deadlines.checks import deadline_findings as check
from pyaddin.tracker.filings import open_filings

SAMPLE = SAMPLE_DATA / "备案台账示例.xlsx"
HEADERS = [*CLEAN, "负责人", "审核意见", "反馈日期", "补充截止日期"]


def export(path, out, *extra):
    result = CliRunner().invoke(main, ["calendar", str(path), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return icalendar.Calendar.from_ical((out / "备案日程.ics").read_bytes())


@pytest.fixture(scope="module")
def sample_calendars(tmp_path_factory):
    base = tmp_path_factory.mktemp("ics")
    return export(SAMPLE, base / "a"), export(SAMPLE, base / "b")


def test_uids_are_unique_and_stable_across_runs(sample_calendars):
    first, second = ([str(e["uid"]) for e in cal.walk("VEVENT")] for cal in sample_calendars)
    assert len(first) == len(set(first)) > 0
    assert first == second


def test_every_event_is_at_nine_shanghai_time_with_a_reminder(sample_calendars):
    cal = sample_calendars[0]
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    for event in cal.walk("VEVENT"):
        start = event["dtstart"].dt
        assert isinstance(start, datetime) and start.tzinfo is not None
        assert str(start.tzinfo) == "Asia/Shanghai" and start.time() == time(9, 0)
        assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
        (alarm,) = event.walk("VALARM")
        assert alarm["action"] == "DISPLAY" and alarm["trigger"].dt < timedelta(0)


def test_one_event_per_deadline_of_the_sample(sample_calendars):
    ctx = load(SAMPLE)
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
        {"备案编号": "R-3", "活动结束日期": date(2026, 10, 1), "归档状态": "否"},
    ]
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=HEADERS)
    cal = export(path, tmp_path / "out", "--today", "2026-11-20")
    by_kind = {(str(e["categories"].cats[1]), str(e["summary"]).split("：")[1].split()[0]): e["dtstart"].dt.date()
               for e in cal.walk("VEVENT")}
    findings = check(load(path, today=date(2026, 11, 20))).findings
    due = {(f.code, f.filing_id): f.due for f in findings if f.due}
    assert by_kind[("审核结果应出", "R-1")] == due[("review-overdue", "R-1")]
    assert by_kind[("补充材料截止", "R-2")] == due[("supplement-overdue", "R-2")]
    assert by_kind[("归档截止", "R-3")] == due[("archive-overdue", "R-3")]


def test_a_changed_date_keeps_the_uid_so_reimport_updates(tmp_path):
    row = {"备案编号": "R-1", "状态": "审核中", "提交日期": date(2026, 11, 2), "备案号": None, "通过日期": None,
           "活动结束日期": date(2027, 1, 31)}  # still running: an ended activity has no review left to await
    a = export(write_tracker(tmp_path / "a.xlsx", [row], headers=HEADERS), tmp_path / "a", "--today", "2026-11-20")
    b = export(write_tracker(tmp_path / "b.xlsx", [{**row, "提交日期": date(2026, 11, 9)}], headers=HEADERS),
               tmp_path / "b", "--today", "2026-11-20")
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
    events = {(str(e["categories"].cats[1]), str(e["summary"]).split("：")[1].split()[0]): e["dtstart"].dt.date()
              for e in cal.walk("VEVENT")}
    assert ("计划上线", "R-OPEN") in events and ("最晚提交日", "R-OPEN") in events
    assert not [k for k in events if k[1] == "R-DONE"]
    findings = check(load(path, today=date(2026, 11, 20))).findings
    risky = {f.filing_id: f.due for f in findings if f.code == "submit-late-risk"}
    assert "R-OPEN" in risky and "R-DONE" not in risky
