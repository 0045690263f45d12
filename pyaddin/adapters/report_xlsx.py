"""周报_<week>.xlsx: the weekly report's frames as sheets, with native Excel charts on 摘要.

Native charts (not pictures) so the team can restyle them, copy them into slides, and see them
follow the numbers if someone corrects a cell. Every chart reads its data from a sheet of this
workbook; `CHART_SOURCES` names which, so tests can check the ranges.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from ..reports.weekly import WeeklyReport
from ..tracker.values import as_text
from .output_files import atomic_write, memory_workbook, save_workbook

SUMMARY = "摘要"
CROSSTAB = "平台×状态"
BY_SOURCE = "按来源"
ANNOUNCE = "新备案号"
ACTIVITY = "本周动态"
REVIEW = "审核用时"
ACTIONS = "逾期与风险"
LICENSES = "资质到期"
UPCOMING = "临近上线"
CHANGES = "周环比"
TREND = "趋势"
TOTAL = "合计"
REJECTIONS = "驳回分析"
CHART_SOURCES = {"status_by_platform": CROSSTAB, "trend": TREND, "review_time": REVIEW}
STATUS_COLOURS = {"草稿": "#BFBFBF", "待提交": "#A5A5A5", "已提交": "#9DC3E6", "审核中": "#5B9BD5",
                  "需补充": "#FFC000", "已通过": "#70AD47", "已驳回": "#C00000", "已撤回": "#7F7F7F"}


def _width(value: object) -> int:
    text = as_text(value) if value is not None else ""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


class _Writer:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "valign": "top"})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.heading = wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F4E78"})
        self.text = wb.add_format({"num_format": "@", "valign": "top"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.number = wb.add_format({"valign": "top"})
        self.decimal = wb.add_format({"num_format": "0.0", "valign": "top"})
        self.percent = wb.add_format({"num_format": "0.0%"})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.wrap_note = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.right = wb.add_format({"align": "right"})

    def cell(self, ws, r: int, c: int, value: object) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return
        if isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否", self.text)
        elif isinstance(value, datetime | date):
            ws.write_datetime(r, c, value, self.date)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(r, c, value, self.decimal if isinstance(value, float) and value != int(value)
                            else self.number)
        elif hasattr(value, "item"):  # numpy scalars
            self.cell(ws, r, c, value.item())
        elif isinstance(value, list):
            ws.write_string(r, c, "、".join(as_text(v) for v in value), self.text)
        else:
            ws.write_string(r, c, as_text(value), self.text)

    def frame(self, ws, df: pd.DataFrame, *, row: int = 0, index: bool = False, empty: str = "（无）",
              widths: dict[int, int] | None = None) -> int:
        """Write `df` with a header at `row`; returns the first free row after it."""
        data = df.reset_index() if index else df
        cols = [as_text(c) for c in data.columns]
        ws.write_row(row, 0, cols, self.header)
        widths = widths if widths is not None else {}
        for c, name in enumerate(cols):
            widths[c] = max(widths.get(c, 0), _width(name))
        for i, values in enumerate(data.itertuples(index=False), start=row + 1):
            for c, v in enumerate(values):
                self.cell(ws, i, c, v)
                widths[c] = max(widths.get(c, 0), min(_width(v), 60))
        if data.empty:
            ws.write_string(row + 1, 0, empty, self.note)
        for c, w in widths.items():
            ws.set_column(c, c, max(6, w + 2))
        return row + 1 + max(len(data), 1)


def _crosstab_with_totals(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out[TOTAL] = out.sum(axis=1)
    out.loc[TOTAL] = out.sum(axis=0)
    out.index.name = "平台"
    return out.astype(int)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def write_report_xlsx(report: WeeklyReport, path: Path) -> Path:
    """Write the workbook atomically; returns `path`."""

    def write(tmp: Path) -> None:
        wb = memory_workbook()
        wb.set_properties({"title": f"备案周报 {report.week}", "comments": f"beian report {report.today}"})
        w = _Writer(wb)
        summary = wb.add_worksheet(SUMMARY)

        # -- data sheets first: charts point at them
        cross = wb.add_worksheet(CROSSTAB)
        table = _crosstab_with_totals(report.by_platform_status)
        w.frame(cross, table, index=True)
        cross.freeze_panes(1, 1)

        if report.by_source is not None:  # several trackers: each one's counts (SPEC §9)
            by_source = wb.add_worksheet(BY_SOURCE)
            w.frame(by_source, report.by_source, index=True)
            by_source.freeze_panes(1, 1)

        ann = wb.add_worksheet(ANNOUNCE)
        w.frame(ann, report.announcements, empty="本周没有新通过的备案。")

        act = wb.add_worksheet(ACTIVITY)
        parts = [("新增", report.new), ("提交", report.submitted), ("通过", report.approved),
                 ("驳回", report.rejected), ("需补充", report.supplement)]
        combined = pd.concat([p.assign(事项=name) for name, p in parts if not p.empty] or [report.new.assign(事项=[])],
                             ignore_index=True)
        combined = combined[["事项", *[c for c in combined.columns if c != "事项"]]]
        w.frame(act, combined, empty="本周没有提交、通过、驳回或补充。")
        act.write_string(max(len(combined), 1) + 2, 0, f"新增的口径：{report.new_basis}", w.note)
        act.freeze_panes(1, 0)

        rev = wb.add_worksheet(REVIEW)
        w.frame(rev, report.review_time, index=True, empty="没有同时填写提交日期和通过日期的已通过备案。")
        rev.write_string(max(len(report.review_time), 1) + 2, 0,
                         "审核用时 = 提交日期到通过日期之间的工作日数（按中国法定节假日与调休）；P90 为第90百分位。", w.note)
        r = max(len(report.review_time), 1) + 4
        rev.write_string(r, 0, "全程审核用时（首次提交到最终通过，含重新提交）", w.heading)
        r = w.frame(rev, report.review_time_chain, row=r + 1, index=True, empty="没有以通过结束的重新提交链。") + 1


        acts = wb.add_worksheet(ACTIONS)
        actions = pd.concat([report.overdue.assign(分类="逾期"), report.at_risk.assign(分类="风险")],
                            ignore_index=True)
        actions = actions[["分类", *[c for c in actions.columns if c != "分类"]]]
        w.frame(acts, actions, empty="没有逾期或有风险的备案。", widths={len(actions.columns) - 1: 60})
        acts.freeze_panes(1, 0)

        lic = wb.add_worksheet(LICENSES)
        w.frame(lic, report.licenses_expiring, empty="窗口内没有到期的资质。")

        up = wb.add_worksheet(UPCOMING)
        w.frame(up, report.upcoming, empty="临近上线的备案都已通过。")

        chg = wb.add_worksheet(CHANGES)
        chg.write_string(0, 0, report.comparison_text, w.heading)
        r = 2
        if report.status_delta is not None:
            breaks = []
            for title, frame, idx in (("按状态计数", report.status_delta, True),
                                      ("状态变化", report.status_changes, False),
                                      ("新通过", report.newly_approved, False),
                                      ("本周已不在台账中", report.removed, False)):
                if r > 2:
                    breaks.append(r)  # each section starts a page when printed
                chg.write_string(r, 0, title, w.heading)
                r = w.frame(chg, frame, row=r + 1, index=idx) + 1
            chg.set_h_pagebreaks(breaks)

        trend = wb.add_worksheet(TREND)
        w.frame(trend, report.trend)
        trend.write_string(len(report.trend) + 2, 0, "来源：快照 = 当周保存的台账快照；台账 = 按当前台账的日期推算。", w.note)

        rej = wb.add_worksheet(REJECTIONS)
        rej.write_string(0, 0, "一次通过率与重新提交（按原备案编号串起的重新提交链）", w.heading)
        r = w.frame(rej, report.first_pass, row=1, index=True, empty="没有备案。") + 1
        rej.write_string(r, 0, "各平台最常见的驳回原因（近4周、近12周，按反馈日期）", w.heading)
        w.frame(rej, report.rejection_top, row=r + 1, empty="窗口内没有驳回或需补充的备案。", widths={4: 60})

        # -- summary
        summary.set_column(0, 0, 30)
        summary.set_column(1, 1, 12)
        summary.set_column(2, 2, 2)
        summary.write_string(0, 0, f"备案周报 {report.week}（{report.week_start:%Y-%m-%d} 至 {report.week_end:%Y-%m-%d}）",
                             w.title)
        summary.write_string(1, 0, f"台账“{report.sheet}”共 {report.rows} 行，统计日期 {report.today:%Y-%m-%d}。", w.note)
        figures: list[tuple[str, object]] = [(f"本周{k}", v) for k, v in report.counts.items()
                                             if k not in ("在审", "逾期", "风险")]
        figures += [("本周通过率", report.approval_rate_week), ("累计通过率", report.approval_rate_total),
                    ("当前在审（已提交/审核中/需补充）", report.counts["在审"]),
                    ("逾期", report.counts["逾期"]), ("上线风险", report.counts["风险"]),
                    ("资质到期（含已过期）", len(report.licenses_expiring)),
                    (f"{UPCOMING}未通过", len(report.upcoming))]
        summary.write_row(3, 0, ["指标", "数值"], w.header)
        for i, (name, value) in enumerate(figures, start=4):
            summary.write_string(i, 0, name, w.text)
            if name.endswith("通过率"):
                if value is None:
                    summary.write_string(i, 1, "—", w.right)
                else:
                    summary.write_number(i, 1, value, w.percent)
            else:
                w.cell(summary, i, 1, value)
        r = 4 + len(figures) + 1
        lines = [report.comparison_text]
        if report.status_delta is not None:
            moved = report.status_delta[report.status_delta["变化"] != 0]
            lines.append("按状态计数：" + ("，".join(f"{s} {x['上周']}→{x['本周']}（{x['变化']:+d}）"
                                               for s, x in moved.iterrows()) or "各状态数量没有变化") + "。")
            lines.append(f"状态变化 {len(report.status_changes)} 条，新通过 {len(report.newly_approved)} 条，"
                         f"移出台账 {len(report.removed)} 条，详见“{CHANGES}”表。")
        heights: dict[int, float] = {}
        for line in [*lines, f"新增的口径：{report.new_basis}。", *report.notes]:
            summary.merge_range(r, 0, r, 2, line, w.wrap_note)
            heights[r] = 15 * max(1, math.ceil(_width(line) / 42))
            summary.set_row(r, heights[r])
            r += 1
        _charts(wb, summary, report, table, heights)
        for ws in (cross, ann, act, rev, acts, lic, up, trend):
            ws.repeat_rows(0)  # one table from the top: its header on every printed page
        for ws in wb.worksheets():
            ws.set_landscape()
            ws.set_paper(9)  # A4
            ws.fit_to_pages(1, 0)
            ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        summary.activate()
        save_workbook(wb, tmp)

    return atomic_write(Path(path), write)


def _unit(peak: int) -> int:
    """Whole-number gridlines, about eight of them: counts of filings have no fractions."""
    return max(1, math.ceil(peak / 8))


ROW_PT = 15.0
"""Excel's default row height in points."""
PAGE_PT = 480.0
"""What a landscape A4 page holds at 100 % with the margins below (7.27 in, kept with a margin of
safety): printing fits the width, so a page holds at least this much height."""


class _Pages:
    """Places charts down the 摘要 sheet so none is cut by a page break: a chart that would cross the
    bottom of the current page starts a new one (a manual break above it)."""

    def __init__(self, heights: dict[int, float], first_row: int):
        self.heights, self.row, self.page_top, self.breaks = heights, first_row, 0, []

    def _pt(self, start: int, end: int) -> float:
        return sum(self.heights.get(r, ROW_PT) for r in range(start, end))

    def _rows_for(self, height_pt: float) -> int:
        rows, total = 0, 0.0
        while total < height_pt:
            total += self.heights.get(self.row + rows, ROW_PT)
            rows += 1
        return rows

    def place(self, height_px: int) -> int:
        """The 0-based row at which to anchor a chart `height_px` tall; records any break needed."""
        height_pt = min(height_px * 0.75, PAGE_PT - ROW_PT)
        rows = self._rows_for(height_pt)
        if self._pt(self.page_top, self.row + rows) > PAGE_PT:
            self.page_top = self.row
            self.breaks.append(self.row)
            self.row += 1  # a blank row under the break, so no chart edge shows on the page before
            rows = self._rows_for(height_pt)
        anchor = self.row
        self.row += rows + 1
        return anchor


def _charts(wb, summary, report: WeeklyReport, table: pd.DataFrame, heights: dict[int, float]) -> None:
    pages = _Pages(heights, first_row=3)
    n_platforms = len(table) - 1  # without the 合计 row
    n_statuses = len(table.columns) - 1  # without the 合计 column
    if n_platforms > 0 and n_statuses > 0:
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        for c in range(1, n_statuses + 1):
            status = table.columns[c - 1]
            series = {"name": [CROSSTAB, 0, c], "categories": [CROSSTAB, 1, 0, n_platforms, 0],
                      "values": [CROSSTAB, 1, c, n_platforms, c]}
            if status in STATUS_COLOURS:
                series["fill"] = {"color": STATUS_COLOURS[status]}
            chart.add_series(series)
        chart.set_title({"name": "各平台备案状态"})
        tallest = int(table.iloc[:n_platforms, :n_statuses].sum(axis=1).max())
        chart.set_y_axis({"name": "件数", "min": 0, "major_unit": _unit(tallest), "num_format": "0",
                          "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 360})
        summary.insert_chart(pages.place(360), 3, chart)

    weeks = len(report.trend)
    if weeks:
        line = wb.add_chart({"type": "line"})
        for c, colour in ((1, "#5B9BD5"), (2, "#70AD47")):
            line.add_series({"name": [TREND, 0, c], "categories": [TREND, 1, 0, weeks, 0],
                             "values": [TREND, 1, c, weeks, c], "marker": {"type": "circle"},
                             "line": {"color": colour}})
        line.set_title({"name": "每周提交与通过"})
        peak = int(report.trend[["提交", "通过"]].to_numpy().max())
        line.set_y_axis({"name": "件数", "min": 0, "major_unit": _unit(peak), "num_format": "0"})
        line.set_legend({"position": "bottom"})
        line.set_size({"width": 720, "height": 300})
        summary.insert_chart(pages.place(300), 3, line)

    n_review = len(report.review_time)
    if n_review:
        bar = wb.add_chart({"type": "bar"})
        for c, colour in ((2, "#5B9BD5"), (3, "#ED7D31")):
            bar.add_series({"name": [REVIEW, 0, c], "categories": [REVIEW, 1, 0, n_review, 0],
                            "values": [REVIEW, 1, c, n_review, c], "fill": {"color": colour}})
        bar.set_title({"name": "各平台审核用时（工作日）"})
        bar.set_x_axis({"name": "工作日", "min": 0})
        bar.set_y_axis({"reverse": True, "crossing": "max"})
        bar.set_legend({"position": "bottom"})
        height = min(40 + 28 * n_review + 80, int((PAGE_PT - ROW_PT) / 0.75))
        bar.set_size({"width": 720, "height": height})
        summary.insert_chart(pages.place(height), 3, bar)
    if pages.breaks:
        summary.set_h_pagebreaks(pages.breaks)
