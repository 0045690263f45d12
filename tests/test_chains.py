"""Resubmission chains through 原备案编号: review time counted per attempt and over the whole chain,
first-pass rate and resubmissions in the weekly report, and `bad-link` for loops and dangling links."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import openpyxl
from helpers import CLEAN, write_tracker

from pyaddin.cli.commands.common import open_workbook
from pyaddin.compliance.validate import validate
from pyaddin.deadlines.workdays import calendar_for
from pyaddin.reports.weekly import build_report
from pyaddin.tracker.chains import build_chains, chain_frame

HEADERS = [*CLEAN, "原备案编号", "审核意见", "反馈日期"]
REJECTED = {"状态": "已驳回", "备案号": None, "通过日期": None}


def busdays(a: date, b: date) -> int:
    """Mon–Fri days in (a, b]: November 2026 has no public holiday, so this is the whole truth."""
    return int(np.busday_count(a + timedelta(days=1), b + timedelta(days=1)))


def three_attempts() -> list[dict]:
    return [
        {**REJECTED, "备案编号": "BA-1", "平台": "抖音", "提交日期": date(2026, 11, 2), "反馈日期": date(2026, 11, 5),
         "审核意见": "文案含“最佳”"},
        {**REJECTED, "备案编号": "BA-1-R1", "平台": "抖音", "原备案编号": "BA-1", "提交日期": date(2026, 11, 6),
         "反馈日期": date(2026, 11, 10), "审核意见": "请补充营业执照"},
        {"备案编号": "BA-1-R2", "平台": "抖音", "原备案编号": "ba-1-r1", "提交日期": date(2026, 11, 11),
         "通过日期": date(2026, 11, 16), "备案号": "DY2026110002"},
        {"备案编号": "BA-2", "平台": "抖音", "提交日期": date(2026, 11, 3), "通过日期": date(2026, 11, 6),
         "备案号": "DY2026110003"},
    ]


def test_three_attempts_form_one_chain_timed_per_attempt_and_whole(tmp_path):
    ctx = open_workbook(write_tracker(tmp_path / "t.xlsx", three_attempts(), headers=HEADERS), today=date(2026, 11, 20))
    df = ctx.tracker.df
    chains = build_chains(df)
    assert chains.bad == []
    frame = chain_frame(df, chains, calendar_for(ctx.book)[0])
    first = frame[frame["尝试次数"] == 3].iloc[0]
    assert [df.at[r, "filing_id"] for r in chains.chains[0].rows] == ["BA-1", "BA-1-R1", "BA-1-R2"]
    assert first["各次工作日"] == [busdays(date(2026, 11, 2), date(2026, 11, 5)),
                                busdays(date(2026, 11, 6), date(2026, 11, 10)),
                                busdays(date(2026, 11, 11), date(2026, 11, 16))] == [3, 2, 3]
    assert first["全程工作日"] == busdays(date(2026, 11, 2), date(2026, 11, 16)) == 10


def test_weekly_report_counts_review_time_both_ways_and_first_pass_rate(tmp_path):
    ctx = open_workbook(write_tracker(tmp_path / "t.xlsx", three_attempts(), headers=HEADERS), today=date(2026, 11, 20))
    report = build_report(ctx, history={})
    # per attempt: the approved attempts only (BA-1-R2: 3 days, BA-2: 3 days)
    assert report.review_time.loc["抖音", "件数"] == 2
    assert report.review_time.loc["抖音", "中位数"] == 3
    # whole chain: BA-1 submitted → BA-1-R2 approved = 10 days; BA-2 alone = 3 days
    assert report.review_time_chain.loc["抖音", "件数"] == 2
    assert report.review_time_chain.loc["抖音", "中位数"] == (10 + 3) / 2
    fp = report.first_pass.loc["抖音"]
    assert (fp["备案数"], fp["已有结果"], fp["一次通过"], fp["重新提交"]) == (2, 2, 1, 2)
    assert fp["一次通过率"] == 0.5 and fp["每备案重新提交"] == 1.0
    top = report.rejection_top
    assert set(top[top["时间窗"] == "近4周"]["类别"]) == {"绝对化用语", "资质不全"}


def test_a_loop_and_a_dangling_link_each_give_bad_link_on_their_cell(tmp_path):
    rows = [
        {"备案编号": "L-1", "原备案编号": "L-2"},
        {"备案编号": "L-2", "原备案编号": "L-1"},
        {"备案编号": "L-3", "原备案编号": "L-3"},
        {"备案编号": "D-1", "原备案编号": "BA-404"},
        {"备案编号": "OK-1"},
        {"备案编号": "OK-2", "原备案编号": "OK-1"},
    ]
    ctx = open_workbook(write_tracker(tmp_path / "t.xlsx", rows, headers=HEADERS), today=date(2026, 11, 20))
    bad = [f for f in validate(ctx).findings if f.code == "bad-link"]
    column = HEADERS.index("原备案编号")
    assert [(f.filing_id, f.row, f.column, f.severity) for f in bad] == [
        ("L-1", 2, column, "error"), ("L-2", 3, column, "error"), ("L-3", 4, column, "error"),
        ("D-1", 5, column, "error")]
    assert "循环" in bad[0].message and "L-1 → L-2 → L-1" in bad[0].message
    assert "BA-404" in bad[3].message and "找不到" in bad[3].message
    chains = build_chains(ctx.tracker.df)
    # the looping rows belong to no chain; the dangling one starts its own
    assert sorted(c.rows for c in chains.chains) == [[5], [6, 7]]


def test_the_resubmission_column_is_found_by_its_aliases(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{"备案编号": "A"}, {"备案编号": "B", "原备案编号": "Z"}],
                         headers=[*CLEAN, "原备案编号"])
    wb = openpyxl.load_workbook(path)
    wb.active.cell(1, len(CLEAN) + 1).value = "重新提交自"
    wb.save(path)
    ctx = open_workbook(path, today=date(2026, 11, 20))
    assert [f.filing_id for f in validate(ctx).findings if f.code == "bad-link"] == ["B"]


def test_weekly_files_carry_first_pass_chain_time_and_top_rejections(tmp_path):
    import pandas as pd

    from pyaddin.actions import weekly

    ctx = open_workbook(write_tracker(tmp_path / "t.xlsx", three_attempts(), headers=HEADERS), today=date(2026, 11, 20))
    written = weekly.run(ctx, out_dir=tmp_path / "out").written
    xlsx = next(p for p in written if p.suffix == ".xlsx")
    sheet = pd.read_excel(xlsx, sheet_name="驳回分析", header=None, dtype=object, engine="openpyxl")
    cells = [str(v) for v in sheet.to_numpy().ravel() if not pd.isna(v)]
    assert "一次通过率" in cells and "抖音" in cells and "绝对化用语" in cells and "近12周" in cells
    review = pd.read_excel(xlsx, sheet_name="审核用时", header=None, dtype=object, engine="openpyxl")
    assert any("全程审核用时" in str(v) for v in review[0])
    md = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    assert "全程（首次提交到最终通过，含重新提交）：抖音 6.5/" in md
    assert "一次通过率：抖音 50.0%；每备案平均重新提交 1.00 次" in md
    assert "近4周常见驳回：抖音 资质不全 1、绝对化用语 1" in md
