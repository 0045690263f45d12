"""findings.xlsx: one row per finding, a hyperlink back to the offending cell of the input."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import xlsxwriter

from ..book import cell_ref
from ..findings import DEADLINE_CODES, SEVERITY_ORDER, SEVERITY_ZH, Finding, Report
from ..values import as_text
from .output_files import atomic_write, check_not_input, xlsx_writer_options

COLUMNS = ["工作表", "行", "备案编号", "活动名称", "字段", "值", "代码", "级别", "说明", "规则", "链接"]
DEADLINE_COLUMNS = ["到期日", "剩余工作日"]
WIDTHS = [12, 6, 16, 24, 14, 18, 20, 8, 70, 10, 10, 12, 10]
MAX_LINKS = 65_530
"""Excel allows this many hyperlinks per worksheet; XlsxWriter warns once per extra link."""
FILLS = {"错误": "#FFC7CE", "警告": "#FFEB9C", "提示": "#DDEBF7"}


def _cell_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return as_text(value)


def _relative_target(workbook: Path | None, out_dir: Path) -> str | None:
    """The input workbook relative to the findings file, so the pair still works when copied together."""
    return None if workbook is None else os.path.relpath(workbook.resolve(), out_dir.resolve())


def _link(target: str | None, f: Finding) -> tuple[str, str] | None:
    if target is None or f.sheet is None:
        return None
    ref = cell_ref(f.row, f.column) if f.row is not None and f.column is not None else (
        f"A{f.row}" if f.row is not None else "A1")
    sheet = f.sheet.replace("'", "''")
    return f"external:{target}#'{sheet}'!{ref}", ref


def _urgency(f: Finding):
    return (SEVERITY_ORDER[f.severity], f.days_left if f.days_left is not None else 10**6,
            f.due or date.max, f.row or 0)


def write_findings(path: Path, report: Report, workbook: Path | None) -> Path:
    """Write `findings.xlsx` atomically; deadline findings get their own 到期提醒 sheet."""
    checks = [f for f in report.findings if f.code not in DEADLINE_CODES]
    deadlines = sorted((f for f in report.findings if f.code in DEADLINE_CODES), key=_urgency)
    with_deadlines = report.command in {"deadlines", "check"} or bool(deadlines)
    relative = _relative_target(workbook, Path(path).parent)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), xlsx_writer_options())
        wb.set_properties({"title": "beian 校验结果", "comments": f"{report.command} {report.today.isoformat()}"})
        header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        text = wb.add_format({"num_format": "@", "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        link = wb.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        sheets = [("校验结果", checks, False)]
        if with_deadlines:
            sheets.append(("到期提醒", deadlines, True))
        for name, findings, is_deadline in sheets:
            ws = wb.add_worksheet(name)
            cols = COLUMNS + (DEADLINE_COLUMNS if is_deadline else [])
            ws.write_row(0, 0, cols, header)
            for c, width in enumerate(WIDTHS[: len(cols)]):
                ws.set_column(c, c, width, wrap if cols[c] == "说明" else None)
            for r, f in enumerate(findings, start=1):
                ws.write_string(r, 0, f.sheet or "", text)
                if f.row is not None:
                    ws.write_number(r, 1, f.row)
                ws.write_string(r, 2, as_text(f.filing_id) if f.filing_id is not None else "", text)
                ws.write_string(r, 3, as_text(f.activity) if f.activity is not None else "", text)
                ws.write_string(r, 4, f.field or "", text)
                value = _cell_value(f.value)
                if isinstance(value, str):
                    ws.write_string(r, 5, value, text)
                else:
                    ws.write(r, 5, value)
                ws.write_string(r, 6, f.code, text)
                ws.write_string(r, 7, SEVERITY_ZH[f.severity], text)
                ws.write_string(r, 8, f.message, wrap)
                ws.write_string(r, 9, f.rule or "", text)
                target = _link(relative, f)
                if target is not None and r <= MAX_LINKS:
                    ws.write_url(r, 10, target[0], link, string=target[1], tip="打开台账中的该单元格")
                elif target is not None:  # past Excel's hyperlink limit: the cell reference as text
                    ws.write_string(r, 10, target[1], text)
                if is_deadline:
                    if f.due is not None:
                        ws.write_datetime(r, 11, f.due, date_fmt)
                    if f.days_left is not None:
                        ws.write_number(r, 12, f.days_left)
            last = max(len(findings), 1)
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, last, len(cols) - 1)
            for label, color in FILLS.items():
                ws.conditional_format(1, 0, last, len(cols) - 1, {
                    "type": "formula", "criteria": f'=$H2="{label}"',
                    "format": wb.add_format({"bg_color": color})})
        wb.close()

    check_not_input(Path(path), workbook)  # also when the workbook was not read by this process
    return atomic_write(Path(path), write)
