"""Team settings from the 设置 sheet (项目 | 值), falling back to the packaged defaults."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date

from ..run.findings import Finding, make
from .book import Book
from .tables import default_table, read_sheet_table, setting_bounds
from .textnorm import fold, header_key
from .values import Unreadable, as_text, is_blank, parse_amount, parse_bool, parse_date

SETTINGS_SHEET = "设置"


@dataclass
class Settings:
    tracker_sheet: str = ""
    tracker_file: str = ""
    today: date | None = None
    output_dir: str = ""
    archive_root: str = ""
    prize_limit: float = 50000.0
    license_warn_days: int = 30
    license_info_days: int = 90
    supplement_days: int = 3
    archive_days: int = 30
    upcoming_days: int = 14
    default_review_days: int = 5
    default_lead_days: int = 2
    rule_review_days: int = 180
    reminder_days: int = 3
    calendar_reminder_days: int = 3
    """备案日程.ics alarms, apart from the robots' urgent window: a calendar reminder wants room to act."""
    letter_show_budget: bool = False
    """安全承诺书 states the budget only when the team chooses to (设置 承诺书显示预算 = 是)."""
    findings: list[Finding] = field(default_factory=list, repr=False)
    cells: dict[str, tuple[int, int | None]] = field(default_factory=dict, repr=False)
    """Setting key → (Excel row, 0-based column of 值) in the 设置 sheet, for findings about it."""


def _convert(kind: type | str, raw: object):
    if kind in ("date | None", date | None):
        return parse_date(raw)
    if kind in ("bool", bool):
        flag = parse_bool(raw)
        if flag is None:
            raise Unreadable(f"“{as_text(raw)}”不是 是 或 否")
        return flag
    if kind in ("float", float):
        return parse_amount(raw)
    if kind in ("int", int):
        try:
            number = parse_amount(raw)
        except Unreadable:
            raise Unreadable(f"“{as_text(raw)}”不是非负整数") from None
        if number != int(number) or number < 0:
            raise Unreadable(f"“{as_text(raw)}”不是非负整数")
        return int(number)
    return as_text(raw)


def _number(value: float) -> str:
    value = float(value)
    return f"{int(value)}" if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def load_settings(book: Book | None) -> Settings:
    settings = Settings()
    defaults = default_table("settings.csv", "设置")
    by_label = {}
    for r in defaults.rows:
        by_label[header_key(r.text("项目"))] = r.text("键")
        by_label[fold(r.text("键"))] = r.text("键")
    bounds = setting_bounds()
    types = {f.name: f.type for f in fields(Settings)}
    sheet = book.get(SETTINGS_SHEET) if book else None
    if sheet is None:
        return settings
    table = read_sheet_table(sheet, ["项目", "值"], min_match=2)
    if table is None:
        return settings
    for r in table.rows:
        key = by_label.get(header_key(r.text("项目")))
        raw = r.values.get("值")
        if key is None or is_blank(raw):
            continue
        settings.cells[key] = (r.row, r.columns.get("值"))
        default = getattr(settings, key)
        shown_default = f"默认值 {_number(default)}" if isinstance(default, int | float) and not isinstance(default, bool) \
            else "默认值"
        try:
            value = _convert(types[key], raw)
        except (Unreadable, ValueError, OverflowError) as exc:
            settings.findings.append(make(
                "invalid-value", f"设置“{r.text('项目')}”的值{exc}，已使用{shown_default}，请改正。",
                sheet=SETTINGS_SHEET, row=r.row, column=r.columns.get("值"), field="值", value=raw))
            continue
        low, high = bounds.get(key, (-math.inf, math.inf))
        if isinstance(value, int | float) and not isinstance(value, bool) and not low <= value <= high:
            settings.findings.append(make(
                "invalid-value", f"设置“{r.text('项目')}”的值 {_number(value)} 超出可用范围 {_number(low)}–{_number(high)}，"
                                 f"已使用{shown_default}，请改正。",
                sheet=SETTINGS_SHEET, row=r.row, column=r.columns.get("值"), field="值", value=raw))
            continue
        setattr(settings, key, value)
    return settings
