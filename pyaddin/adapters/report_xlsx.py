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

from ..reports.weekly import WeeklyReport, week_activity
from ..tracker.values import as_text
from .output_files import atomic_write, memory_workbook, save_workbook
from .xlsx_pages import HEADER_PT, print_a4, row_height, wrapped_lines

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


MAX_WIDTH = 40
"""A table column grows to its longest value up to this; longer text wraps."""


def _cell_text(value: object) -> str:
    """The text a cell shows, for measuring."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, datetime | date):
        return "2026-01-01"
    if isinstance(value, list):
        return "、".join(as_text(v) for v in value)
    return as_text(value)


def _width(value: object) -> int:
    text = value if isinstance(value, str) else _cell_text(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


class _Writer:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "valign": "top"})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.heading = wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F4E78"})
        self.text = wb.add_format({"num_format": "@", "valign": "top"})
        # numbers and dates right-aligned one space in, off the left-aligned text of the next column
        gap = {"valign": "top", "align": "right", "indent": 1}
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", **gap})
        self.number = wb.add_format(gap)
        self.decimal = wb.add_format({"num_format": "0.0#", **gap})  # 0.05 re-submissions per filing is not 0.1
        self.percent = wb.add_format({"num_format": "0.0%", **gap})
        self.wrap = wb.add_format({"num_format": "@", "valign": "top", "text_wrap": True})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.wrap_note = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.wrap_heading = wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F4E78", "text_wrap": True,
                                           "valign": "top"})
        self.right = wb.add_format({"align": "right"})
        self.widths: dict[tuple[str, int], int] = {}
        """(sheet, column) → width set so far: a second table on a sheet never narrows the first."""

    def cell(self, ws, r: int, c: int, value: object, *, wrap: bool = False, rate: bool = False) -> None:
        """One value: text as text (wrapped in a wrapping column), a rate (一次通过率) as a percent."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return
        if rate and isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(r, c, value, self.percent)
        elif isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否", self.text)
        elif isinstance(value, datetime | date):
            ws.write_datetime(r, c, value, self.date)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(r, c, value, self.decimal if isinstance(value, float) and value != int(value)
                            else self.number)
        elif hasattr(value, "item"):  # numpy scalars
            self.cell(ws, r, c, value.item(), wrap=wrap, rate=rate)
        elif isinstance(value, list):
            ws.write_string(r, c, "、".join(as_text(v) for v in value), self.wrap if wrap else self.text)
        else:
            ws.write_string(r, c, as_text(value), self.wrap if wrap else self.text)

    def frame(self, ws, df: pd.DataFrame, *, row: int = 0, index: bool = False, empty: str = "（无）",
              widths: dict[int, int] | None = None) -> int:
        """Write `df` with a header at `row`; returns the first free row after it.

        A column is as wide as its longest value up to `widths[c]` (else `MAX_WIDTH`); longer text
        wraps and its row is sized for it, so nothing is cut when printed. Every column is at
        least as wide as its header, which is one line tall and never clipped."""
        data = df.reset_index() if index else df
        cols = [as_text(c) for c in data.columns]
        ws.write_row(row, 0, cols, self.header)
        ws.set_row(row, HEADER_PT)
        caps = widths or {}
        texts = [[_cell_text(v) for v in values] for values in data.itertuples(index=False)]
        natural = [max([_width(name), *(_width(t[c]) for t in texts)]) for c, name in enumerate(cols)]
        final = {c: max(6, _width(cols[c]) + 2, min(natural[c], caps.get(c, MAX_WIDTH)) + 2)
                 for c in range(len(cols))}
        wraps = {c for c in final if natural[c] + 2 > final[c]}
        rates = {c for c, name in enumerate(cols) if name.endswith("率")}
        for i, (values, line) in enumerate(zip(data.itertuples(index=False), texts, strict=True), start=row + 1):
            for c, v in enumerate(values):
                self.cell(ws, i, c, v, wrap=c in wraps, rate=c in rates)
            lines = max((wrapped_lines(line[c], final[c]) for c in wraps), default=1)
            if lines > 1:
                ws.set_row(i, row_height(lines))
        for c, w in final.items():
            ws.set_column(c, c, max(w, self.widths.get((ws.name, c), 0)))
            self.widths[(ws.name, c)] = max(w, self.widths.get((ws.name, c), 0))
        if data.empty:
            self.wrapped_note(ws, row + 1, empty, span=len(cols))
        return row + 1 + max(len(data), 1)

    def wrapped_note(self, ws, r: int, text: str, *, span: int | None = None, fmt=None) -> None:
        """A note or heading by a table, wrapped across the sheet's table columns so it prints whole
        (text running past the last column is cut off the printed page)."""
        last = max(c for (name, c) in self.widths if name == ws.name) if span is None else span - 1
        width = sum(self.widths.get((ws.name, c), 8) for c in range(last + 1))
        fmt = fmt or self.wrap_note
        if last > 0:
            ws.merge_range(r, 0, r, last, text, fmt)
        else:
            ws.write_string(r, 0, text, fmt)
        lines = wrapped_lines(text, width)
        if lines > 1:
            ws.set_row(r, row_height(lines))


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

        if report.by_source is not None:  # several trackers: each one's counts (docs/cli.md, 多个台账)
            by_source = wb.add_worksheet(BY_SOURCE)
            w.frame(by_source, report.by_source, index=True)
            by_source.freeze_panes(1, 1)

        ann = wb.add_worksheet(ANNOUNCE)
        w.frame(ann, report.announcements, empty="本周没有新通过的备案。")

        act = wb.add_worksheet(ACTIVITY)
        combined = week_activity(report)  # one row per filing, its events joined: never listed twice
        w.frame(act, combined, empty="本周没有提交、通过、驳回或补充。")
        w.wrapped_note(act, max(len(combined), 1) + 2, f"新增的口径：{report.new_basis}")
        act.freeze_panes(1, 0)

        rev = wb.add_worksheet(REVIEW)
        w.frame(rev, report.review_time, index=True, empty="没有同时填写提交日期和通过日期的已通过备案。")
        r = max(len(report.review_time), 1) + 4
        w.frame(rev, report.review_time_chain, row=r + 1, index=True, empty="没有以通过结束的重新提交链。")
        w.wrapped_note(rev, r - 2, "审核用时 = 提交日期到通过日期之间的工作日数（按中国法定节假日与调休）；P90 为第90百分位。")
        w.wrapped_note(rev, r, "全程审核用时（首次提交到最终通过，含重新提交）", fmt=w.wrap_heading)


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
        if (chg.name, 0) in w.widths:
            w.wrapped_note(chg, 0, report.comparison_text, fmt=w.wrap_heading)
        else:
            chg.set_column(0, 0, max(8, _width(report.comparison_text) + 2))
            chg.write_string(0, 0, report.comparison_text, w.heading)

        trend = wb.add_worksheet(TREND)
        w.frame(trend, report.trend)
        w.wrapped_note(trend, len(report.trend) + 2, "来源：快照 = 当周保存的台账快照；台账 = 按当前台账的日期推算。")

        rej = wb.add_worksheet(REJECTIONS)
        r = w.frame(rej, report.first_pass, row=1, index=True, empty="没有备案。") + 1
        w.frame(rej, report.rejection_top, row=r + 1, empty="窗口内没有驳回或需补充的备案。", widths={4: 60})
        w.wrapped_note(rej, 0, "一次通过率与重新提交（按原备案编号串起的重新提交链）", fmt=w.wrap_heading)
        w.wrapped_note(rej, r, "各平台最常见的驳回原因（近4周、近12周，按反馈日期）", fmt=w.wrap_heading)

        # -- summary
        summary.set_default_row(ROW_PT)
        summary.set_column(0, 0, SUMMARY_WIDTHS[0])
        summary.set_column(1, 1, SUMMARY_WIDTHS[1])
        summary.set_column(2, 2, SUMMARY_WIDTHS[2])
        # title and source line span the width the first chart takes beside the figures
        summary.merge_range(0, 0, 0, TITLE_SPAN, f"备案周报 {report.week}（{report.week_start:%Y-%m-%d} 至 "
                            f"{report.week_end:%Y-%m-%d}）", w.title)
        summary.set_row(0, 22)
        summary.merge_range(1, 0, 1, TITLE_SPAN, f"台账“{report.sheet}”共 {report.rows} 行，统计日期 "
                            f"{report.today:%Y-%m-%d}。", w.note)
        figures: list[tuple[str, object]] = [(f"本周{k}", v) for k, v in report.counts.items()
                                             if k not in ("在审", "逾期", "风险")]
        figures += [("本周通过率", report.approval_rate_week), ("累计通过率", report.approval_rate_total),
                    ("当前在审（已提交/审核中/需补充）", report.counts["在审"]),
                    ("逾期", report.counts["逾期"]), ("上线风险", report.counts["风险"]),
                    ("资质到期（含已过期）", len(report.licenses_expiring)),
                    (f"{UPCOMING}未通过", len(report.upcoming))]
        summary.write_row(3, 0, ["指标", "数值"], w.header)
        summary.set_row(3, HEADER_PT)
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
            heights[r] = max(ROW_PT, row_height(wrapped_lines(line, sum(SUMMARY_WIDTHS))))
            summary.set_row(r, heights[r])
            r += 1
        heights[0], heights[3] = 22, HEADER_PT
        _charts(wb, summary, report, table, heights, below=r)
        tables = {cross, ann, act, rev, acts, lic, up, trend}  # one table from the top: header on every page
        for ws in wb.worksheets():
            print_a4(ws, repeat_header=ws in tables)
        summary.activate()
        save_workbook(wb, tmp)

    return atomic_write(Path(path), write)


def _unit(peak: int) -> int:
    """Whole-number gridlines, about eight of them: counts of filings have no fractions."""
    return max(1, math.ceil(peak / 8))


ROW_PT = 16.0
"""摘要's row height, written as the sheet's custom default: at Excel's 15 pt default (not written to
the file) LibreOffice sizes the empty rows from its own font, and the charts anchored across them
shrink and break where `_Pages` did not plan."""
SUMMARY_WIDTHS = (36, 12, 2)
"""摘要's columns: figure names (the longest, 当前在审（已提交/审核中/需补充）, is 34 wide), values, a gap."""
TITLE_SPAN = 12
"""The last column the title spans: the figures and the chart beside them."""
CHART_WIDTH = 720
"""The status chart beside the figures; the two charts below it share this width plus the figures'."""
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


def _charts(wb, summary, report: WeeklyReport, table: pd.DataFrame, heights: dict[int, float], *,
            below: int) -> None:
    """The status chart beside the figures on the first page; the trend and review-time charts side
    by side under them (on the next page when they do not fit), so no printed page holds one small
    chart and two thirds of white."""
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
        # slanted platform names: level, 自有APP and （未识别） run into each other with a dozen platforms
        chart.set_x_axis({"num_font": {"rotation": -45}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": CHART_WIDTH, "height": 360})
        summary.insert_chart(pages.place(360), 3, chart)

    weeks, n_review = len(report.trend), len(report.review_time)
    pair = []
    if weeks:
        line = wb.add_chart({"type": "line"})
        for c, colour in ((1, "#5B9BD5"), (2, "#70AD47")):
            line.add_series({"name": [TREND, 0, c], "categories": [TREND, 1, 0, weeks, 0],
                             "values": [TREND, 1, c, weeks, c], "marker": {"type": "circle"},
                             "line": {"color": colour}})
        line.set_title({"name": "每周提交与通过"})
        peak = int(report.trend[["提交", "通过"]].to_numpy().max())
        line.set_y_axis({"name": "件数", "min": 0, "major_unit": _unit(peak), "num_format": "0"})
        line.set_x_axis({"num_font": {"rotation": -45}})
        line.set_legend({"position": "bottom"})
        pair.append(line)
    if n_review:
        bar = wb.add_chart({"type": "bar"})
        for c, colour in ((2, "#5B9BD5"), (3, "#ED7D31")):
            bar.add_series({"name": [REVIEW, 0, c], "categories": [REVIEW, 1, 0, n_review, 0],
                            "values": [REVIEW, 1, c, n_review, c], "fill": {"color": colour}})
        bar.set_title({"name": "各平台审核用时（工作日）"})
        bar.set_x_axis({"name": "工作日", "min": 0})
        bar.set_y_axis({"reverse": True, "crossing": "max"})
        bar.set_legend({"position": "bottom"})
        pair.append(bar)
    if pair:
        height = int((PAGE_PT - 2 * ROW_PT) / 0.75)  # the whole page: a page of its own either way
        total = sum(int(w * 7 + 5) for w in SUMMARY_WIDTHS[:2]) + 19 + CHART_WIDTH
        width = total // len(pair) - (10 if len(pair) > 1 else 0)
        pages.row = max(pages.row, below + 1)  # under the notes as well as the first chart
        anchor = pages.place(height)
        for i, chart in enumerate(pair):
            chart.set_size({"width": width, "height": height})
            summary.insert_chart(anchor, 0, chart, {"x_offset": i * (width + 20)})
    if pages.breaks:
        summary.set_h_pagebreaks(pages.breaks)
