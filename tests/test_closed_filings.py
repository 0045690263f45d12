"""A filing whose activity is over is closed for every output (docs/deadlines.md), on a tracker with years
of history: check, the robots' urgent reminder and the calendar agree, and a row whose activity is
still running keeps the behaviour of an open filing."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from helpers import CLEAN, write_tracker

from pyaddin import open_workbook as load
from pyaddin.deadlines.checks import deadline_findings
from pyaddin.deadlines.schedule import events
from pyaddin.notify.messages import urgent_message
from pyaddin.run.findings import codes

TODAY = date(2026, 11, 20)
HEADERS = [*CLEAN, "原备案编号", "反馈日期", "补充截止日期", "负责人"]
STATUSES = ["草稿", "待提交", "已提交", "审核中", "需补充", "已通过", "已驳回", "已撤回"]
# what an ended activity must no longer produce (archive-overdue, after the end, stays)
LIVE_ONLY = {"launch-unapproved", "submit-late-risk", "review-overdue", "supplement-overdue"}
LIVE_EVENTS = {"审核结果应出", "补充材料截止", "最晚提交日", "计划上线"}


def history_rows(n: int = 3000) -> list[dict]:
    """`n` filings from 2023 to early 2027, mostly over; many 已驳回 nobody resubmitted."""
    rng = random.Random(23)
    rows = []
    for i in range(n):
        start = date(2023, 1, 2) + timedelta(days=rng.randrange(0, 1450))
        end = start + timedelta(days=rng.randrange(7, 60))
        status = rng.choice(STATUSES + ["已驳回"] * 3)  # rejections a team never came back to
        submitted = start - timedelta(days=rng.randrange(3, 20))
        row = {"备案编号": f"H-{i:05d}", "活动名称": f"历史活动{i}", "状态": status,
               "活动开始日期": start, "计划上线日期": start, "活动结束日期": end, "负责人": f"负责人{i % 7}",
               "提交日期": None if status in ("草稿", "待提交") else submitted,
               "备案号": f"WX{2023 + i % 4}{i:08d}" if status == "已通过" else None,
               "通过日期": submitted + timedelta(days=3) if status == "已通过" else None,
               "归档状态": rng.choice(["是", "否"])}
        if status == "需补充":
            row["反馈日期"] = submitted + timedelta(days=2)
        if status == "已驳回" and rng.random() < 0.1 and i + 1 < n:
            row["备案编号"] = f"R-{i:05d}"  # resubmitted by the next row
        if i and rows[-1]["备案编号"].startswith("R-"):
            row["原备案编号"] = rows[-1]["备案编号"]
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    rows = history_rows()
    path = write_tracker(tmp_path_factory.mktemp("history") / "台账.xlsx", rows, headers=HEADERS)
    ctx = load(path, today=TODAY)
    report = deadline_findings(ctx)
    ends = {r["备案编号"]: r["活动结束日期"] for r in rows}
    return rows, ctx, report, ends


def test_ended_activities_raise_no_launch_or_submission_finding_whatever_their_status(history):
    rows, _ctx, report, ends = history
    ended_rejected = [r for r in rows if r["状态"] == "已驳回" and r["活动结束日期"] < TODAY]
    assert len(ended_rejected) > 500  # the case of issue 23: hundreds of old rejections
    stale = [(f.filing_id, f.code) for f in report.findings if f.code in LIVE_ONLY and ends[f.filing_id] < TODAY]
    assert stale == []
    # archiving is what an ended activity still owes
    assert any(f.code == "archive-overdue" for f in report.findings)


def test_running_activities_keep_the_launch_and_submission_checks(history):
    rows, _ctx, report, _ends = history
    codes_of: dict[str, set[str]] = {}
    for f in report.findings:
        codes_of.setdefault(f.filing_id, set()).add(f.code)
    running_late = [r["备案编号"] for r in rows if r["活动结束日期"] >= TODAY and r["计划上线日期"] <= TODAY
                    and r["状态"] in ("草稿", "待提交", "已提交", "审核中", "需补充", "已驳回")
                    and not r["备案编号"].startswith("R-")]
    assert running_late  # the generator keeps some activities running past today
    assert all("launch-unapproved" in codes_of.get(fid, set()) for fid in running_late)


def test_reminders_and_calendar_leave_out_what_check_leaves_out(history):
    _rows, ctx, report, ends = history
    message = urgent_message(ctx, report.findings)
    lines = [line.text.split(" · ") for g in message.groups for line in g.lines]
    archive = codes()["archive-overdue"].title
    assert lines and any(parts[3] != archive for parts in lines)
    # an ended activity is reminded of archiving only, never of a launch or a submission
    assert not [parts for parts in lines if parts[0] in ends and ends[parts[0]] < TODAY and parts[3] != archive]
    live = [e for e in events(ctx) if e.kind != "license" and e.summary.split("：")[0] in LIVE_EVENTS]
    assert live
    assert not [e.key for e in live if ends[e.key.split("|")[1]] < TODAY]
    ended_archive = [e for e in events(ctx) if e.summary.startswith("归档截止") and ends[e.key.split("|")[1]] < TODAY]
    assert ended_archive


def test_a_rejection_still_running_is_pending_and_one_that_ended_is_history(tmp_path):
    base = {"状态": "已驳回", "备案号": None, "通过日期": None, "提交日期": date(2026, 11, 2),
            "计划上线日期": date(2026, 11, 16), "活动开始日期": date(2026, 11, 16)}
    path = write_tracker(tmp_path / "t.xlsx", [
        {**base, "备案编号": "RUNNING", "活动结束日期": date(2026, 12, 31)},
        {**base, "备案编号": "ENDED", "活动结束日期": date(2026, 11, 19)},
        {**base, "备案编号": "ENDS-TODAY", "活动结束日期": TODAY},
    ], headers=HEADERS)
    found = {(f.filing_id, f.code) for f in deadline_findings(load(path, today=TODAY)).findings}
    assert ("RUNNING", "launch-unapproved") in found and ("ENDS-TODAY", "launch-unapproved") in found
    assert not [x for x in found if x[0] == "ENDED"]


def test_documents_by_default_skip_a_draft_whose_activity_is_over(tmp_path):
    from pyaddin.actions.documents import generate

    base = {"状态": "草稿", "备案号": None, "通过日期": None, "提交日期": None, "计划上线日期": date(2026, 12, 1),
            "活动开始日期": date(2026, 12, 1)}
    path = write_tracker(tmp_path / "t.xlsx", [
        {**base, "备案编号": "LIVE", "活动结束日期": date(2026, 12, 31)},
        {**base, "备案编号": "OVER", "活动结束日期": date(2026, 11, 1), "计划上线日期": date(2026, 10, 1),
         "活动开始日期": date(2026, 10, 1)},
    ], headers=HEADERS)
    result = generate(load(path, today=TODAY), out_dir=tmp_path / "out", kind="承诺书")
    assert result.not_in_loop == [3]
    assert {d.filing_id for d in result.documents} | {r[1] for r in result.refused} <= {"LIVE"}
