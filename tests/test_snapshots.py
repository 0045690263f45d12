"""Week snapshots: exact round trip, week-over-week deltas, and the first week without history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from helpers import write_tracker

from pyaddin import open_workbook as load
from pyaddin.adapters import history as history_files
from pyaddin.adapters.history import load_history
from pyaddin.adapters.weekly_files import write_outputs
from pyaddin.reports import snapshots
from pyaddin.reports.weekly import build_report

HEADERS = ["备案编号", "活动名称", "平台", "主体名称", "状态", "提交日期", "通过日期", "备案号", "计划上线日期"]
LAST_WEEK = [
    {"备案编号": "C1", "活动名称": "冬季上新", "平台": "微信", "状态": "审核中", "提交日期": date(2026, 11, 10),
     "通过日期": None, "备案号": None},
    {"备案编号": "C2", "活动名称": "-满减活动", "平台": "抖音", "状态": "审核中",
     "提交日期": date(2026, 11, 11), "通过日期": None, "备案号": None},
    {"备案编号": "C3", "活动名称": "年终盘点", "平台": "快手", "状态": "待提交", "提交日期": None, "通过日期": None,
     "备案号": None},
    {"备案编号": "C4", "活动名称": "下架活动", "平台": "微博", "状态": "草稿", "提交日期": None, "通过日期": None,
     "备案号": None},
]


def tracker(tmp_path: Path, name: str, rows: list[dict], today: str):
    path = write_tracker(tmp_path / name, rows, headers=HEADERS)
    return load(path, today=date.fromisoformat(today))


def this_week_rows() -> list[dict]:
    rows = [dict(r) for r in LAST_WEEK if r["备案编号"] != "C4"]  # C4 removed from the tracker
    rows[0].update({"状态": "已通过", "通过日期": date(2026, 11, 18), "备案号": "WX2026110201"})  # C1 approved
    rows[2].update({"状态": "已提交", "提交日期": date(2026, 11, 17)})  # C3 submitted
    rows.append({"备案编号": "C5", "活动名称": "新品试投", "平台": "小红书", "状态": "草稿", "提交日期": None,
                 "通过日期": None, "备案号": None})  # new
    return rows


def test_snapshot_round_trip_is_exact_including_formula_like_text(tmp_path):
    ctx = tracker(tmp_path, "a.xlsx", LAST_WEEK, "2026-11-13")
    snap = snapshots.take(ctx.tracker.df, ctx.today)
    path = history_files.store(snap, tmp_path / "history", "2026-W46")
    assert path.name == "2026-W46.csv"
    raw = path.read_text(encoding="utf-8-sig")
    assert "'-满减活动" in raw  # safe to open in Excel
    back = history_files.load(path)
    assert list(back.columns) == list(snap.columns)
    pd.testing.assert_frame_equal(back.drop(columns="row"), snap.drop(columns="row"), check_dtype=False,
                                  check_index_type=False)
    assert back.at["C2|抖音", "activity"] == "-满减活动"
    assert back.at["C1|微信", "submitted_date"] == date(2026, 11, 10)
    assert back.at["C1|微信", "approved_date"] is None


def test_keys_separate_platforms_and_number_repeats():
    df = pd.DataFrame({"filing_id": ["X", "X", "X", None], "platform": ["微信", "抖音", "微信", None]},
                      index=[2, 3, 4, 5])
    assert list(snapshots.row_keys(df)) == ["X|微信", "X|抖音", "X|微信#2", "行5|"]


def test_two_snapshots_give_week_over_week_deltas(tmp_path):
    history = tmp_path / "out" / "history"
    first = build_report(tracker(tmp_path, "w46.xlsx", LAST_WEEK, "2026-11-13"), history=load_history(history))
    assert first.week == "2026-W46" and first.previous_week is None
    write_outputs(first, tmp_path / "out")
    assert (history / "2026-W46.csv").exists()

    r = build_report(tracker(tmp_path, "w47.xlsx", this_week_rows(), "2026-11-20"), history=load_history(history))
    assert r.previous_week == "2026-W46"
    d = r.status_delta
    # independent: last week 审核中 2, 待提交 1, 草稿 1; this week 已通过 1, 审核中 1, 已提交 1, 草稿 1
    expected = {"草稿": (1, 1, 0), "待提交": (1, 0, -1), "已提交": (0, 1, 1), "审核中": (2, 1, -1),
                "已通过": (0, 1, 1)}
    assert {s: (int(x["上周"]), int(x["本周"]), int(x["变化"])) for s, x in d.iterrows()} == expected
    assert list(r.newly_approved["备案编号"]) == ["C1"] and list(r.newly_approved["备案号"]) == ["WX2026110201"]
    changes = set(zip(r.status_changes["备案编号"], r.status_changes["上周状态"], r.status_changes["本周状态"],
                      strict=True))
    assert changes == {("C1", "审核中", "已通过"), ("C3", "待提交", "已提交")}
    assert list(r.removed["备案编号"]) == ["C4"]
    assert list(r.new["备案编号"]) == ["C5"] and "2026-W46" in r.new_basis
    assert r.comparison_text == "与 2026-W46 的快照相比。"
    assert r.trend.set_index("周").at["2026-W46", "来源"] == "快照"


def test_first_report_says_there_is_nothing_to_compare(tmp_path):
    r = build_report(tracker(tmp_path, "w47.xlsx", this_week_rows(), "2026-11-20"), history=load_history(tmp_path / "none"))
    assert r.previous_week is None and r.status_delta is None
    assert r.comparison_text == "本周为首份周报，无上周数据可比。"
    written = write_outputs(r, tmp_path / "out")
    md = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    assert "本周为首份周报，无上周数据可比" in md and "周环比（对比" not in md


def test_latest_earlier_snapshot_is_used_when_a_week_was_skipped_and_damaged_files_are_ignored(tmp_path):
    history = tmp_path / "history"
    ctx = tracker(tmp_path, "a.xlsx", LAST_WEEK, "2026-11-06")
    history_files.store(snapshots.take(ctx.tracker.df, ctx.today), history, "2026-W45")
    (history / "2026-W46.csv").write_bytes(b"\xff\xfe\x00garbage")
    (history / "notes.csv").write_text("not a week", encoding="utf-8")
    (history / "2026-W48.csv").write_text("key\nX|微信\n", encoding="utf-8")  # later weeks never count
    r = build_report(tracker(tmp_path, "b.xlsx", this_week_rows(), "2026-11-20"), history=load_history(history))
    assert r.previous_week == "2026-W45"


def test_rerun_in_the_same_week_replaces_the_snapshot_and_does_not_compare_with_itself(tmp_path):
    out = tmp_path / "out"
    ctx = tracker(tmp_path, "a.xlsx", LAST_WEEK, "2026-11-16")
    write_outputs(build_report(ctx, history=load_history(out / "history")), out)
    ctx2 = tracker(tmp_path, "b.xlsx", this_week_rows(), "2026-11-20")
    r = build_report(ctx2, history=load_history(out / "history"))
    assert r.previous_week is None
    write_outputs(r, out)
    stored = history_files.load(out / "history" / "2026-W47.csv")
    assert stored.at["C1|微信", "status"] == "已通过" and history_files.list_weeks(out / "history") == ["2026-W47"]
