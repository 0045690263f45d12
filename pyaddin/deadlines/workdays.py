"""Working days on the Chinese calendar: statutory holidays and 调休 make-up days.

Platforms count review times in working days, and a Chinese working day is not Monday–Friday:
国庆 takes a week of weekdays off and a Sunday becomes a working day. The `chinese_calendar`
package knows this for the years the State Council has announced (2004–2026 in 1.11); the team's
节假日 sheet (日期, 类型 休/班) overrides it and extends it to later years. A date neither covers
falls back to Monday–Friday and the calendar remembers the year, so a run can say once that a
result rests on a guess (`calendar-fallback`).

Counting is Monday–Friday arithmetic (numpy's business-day count) corrected by the few special
dates, so a count costs the same over a week or a decade and no per-day loop runs per row.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar
import numpy as np

from ..run.findings import Finding, make
from ..tracker.book import Book
from ..tracker.tables import default_table, read_sheet_table, split_list
from ..tracker.textnorm import fold
from ..tracker.values import Unreadable, as_text, is_blank, is_error, parse_date

HOLIDAY_SHEET = "节假日"
HOLIDAY_COLUMNS = {"日期": ["date", "日子"], "类型": ["休/班", "type", "kind"], "说明": ["备注", "名称", "note"]}
_ONE = np.timedelta64(1, "D")


def plus_days(d: date, days: int) -> date:
    """d + days calendar days, clamped to the date range: a typo like 9999-12-31 must not crash a run."""
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _package_years() -> set[int]:
    """Years the installed chinese_calendar has data for (the same bounds it validates against)."""
    if not chinese_calendar.holidays:
        return set()
    return set(range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1))


class Calendar:
    """Which days are working days, and working-day arithmetic over them.

    `overrides` maps a date to True (班: a working day) or False (休: a day off); it wins over the
    package. A year is covered when the package has it or the overrides name any date in it.
    """

    def __init__(self, overrides: dict[date, bool] | None = None, *, use_package: bool = True):
        self.overrides = dict(overrides or {})
        self.covered_years = (_package_years() if use_package else set()) | {d.year for d in self.overrides}
        self.fallback_years: set[int] = set()
        off = {d for d in chinese_calendar.holidays if d.weekday() < 5} if use_package else set()
        on = {d for d in chinese_calendar.workdays if d.weekday() >= 5} if use_package else set()
        for d, working in self.overrides.items():
            if working:
                off.discard(d)
                if d.weekday() >= 5:
                    on.add(d)
            else:
                on.discard(d)
                if d.weekday() < 5:
                    off.add(d)
        self._off = off
        self._on = on
        self._on_sorted = sorted(on)
        self._busdays = np.busdaycalendar(weekmask="1111100",
                                          holidays=np.array(sorted(off), dtype="datetime64[D]"))
        self._add_cache: dict[tuple[date, int], date] = {}

    # ------------------------------------------------------------ single dates
    def _note(self, first_year: int, last_year: int) -> None:
        # asked once per date computed (~60k times at 100k rows) for a span of a year or two:
        # a plain loop, not a generator fed to set.update
        covered = self.covered_years
        for y in range(first_year, last_year + 1):
            if y not in covered:
                self.fallback_years.add(y)

    def is_workday(self, d: date) -> bool:
        self._note(d.year, d.year)
        if d in self._on:
            return True
        if d in self._off:
            return False
        return d.weekday() < 5

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after d (n ≥ 0); n = 0 is d itself, working day or not.
        Past the end of the date range the answer is `date.max` (never reached, never overdue)."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        key = (d, n)
        cached = self._add_cache.get(key)
        if cached is not None:
            if n:
                self._note(d.year, cached.year)
            return cached
        current, left = d, n
        while left and current < date.max:
            current += timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        self._add_cache[key] = current
        return current

    def workdays_before(self, d: date, n: int) -> date:
        """The n-th working day strictly before d (n ≥ 1), so adding n working days to it reaches
        the first working day on or after d: the latest start that still fits n days before d."""
        current, left = d, n
        while left and current > date.min:
            current -= timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        return current

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b] when a ≤ b, minus those in (b, a] otherwise.

        So `workdays_between(d, add_workdays(d, n)) == n`, and for a deadline `due`,
        `workdays_between(today, due)` is the working days left (negative: overdue).
        """
        if a == b:
            return 0
        if a > b:
            return -self.workdays_between(b, a)
        self._note((a + timedelta(days=1)).year, b.year)
        start = np.datetime64(a, "D") + _ONE
        end = np.datetime64(b, "D") + _ONE
        plain = int(np.busday_count(start, end, busdaycal=self._busdays))
        extra = bisect.bisect_right(self._on_sorted, b) - bisect.bisect_right(self._on_sorted, a)
        return plain + extra

    def workdays_between_many(self, a: Iterable[date], b: Iterable[date]) -> list[int]:
        """`workdays_between` over pairs, computed once per distinct pair (trackers repeat dates)."""
        cache: dict[tuple[date, date], int] = {}
        out = []
        for x, y in zip(a, b, strict=True):
            key = (x, y)
            if key not in cache:
                cache[key] = self.workdays_between(x, y)
            out.append(cache[key])
        return out

    # ------------------------------------------------------------ reporting
    def fallback_finding(self) -> Finding | None:
        """The one `calendar-fallback` note of a run, or None when every date used was covered."""
        if not self.fallback_years:
            return None
        years = _year_ranges(sorted(self.fallback_years))
        return make(
            "calendar-fallback",
            f"{years}年的法定节假日和调休尚无数据，这些年份暂按周一至周五计算工作日，"
            f"请按国务院办公厅的放假通知在“{HOLIDAY_SHEET}”表填写日期和类型（休/班）。",
            sheet=HOLIDAY_SHEET, row=None, field=None, value=years)


def _year_ranges(years: list[int]) -> str:
    """[2027, 2028, 2030] → 2027–2028、2030."""
    parts: list[str] = []
    start = prev = years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return "、".join(parts)


def _kinds() -> dict[str, bool]:
    out: dict[str, bool] = {}
    for r in default_table("holidays_kinds.csv", HOLIDAY_SHEET).rows:
        working = r.text("工作日") == "是"
        for name in [r.text("类型"), *split_list(r.text("别名"))]:
            out.setdefault(fold(name), working)
    return out


def load_overrides(book: Book | None) -> tuple[dict[date, bool], list[Finding]]:
    """The 节假日 sheet as date → working day?, with a finding on every cell it cannot read."""
    sheet = book.get(HOLIDAY_SHEET) if book is not None else None
    if sheet is None:
        return {}, []
    table = read_sheet_table(sheet, HOLIDAY_COLUMNS, min_match=2, scan=20)
    if table is None:
        return {}, []
    kinds = _kinds()
    overrides: dict[date, bool] = {}
    first_row: dict[date, int] = {}
    findings: list[Finding] = []

    def bad(code: str, r, column: str, message: str, value: object) -> None:
        findings.append(make(code, message, sheet=sheet.name, row=r.row, column=r.columns.get(column),
                             field=column, value=value))

    for r in table.rows:
        raw_date, raw_kind = r.values.get("日期"), r.values.get("类型")
        if is_blank(raw_date) and is_blank(raw_kind):
            continue  # a note in 说明 only (the shipped workbook explains the sheet on its first row)
        if is_blank(raw_date) or is_error(raw_date):
            bad("invalid-date", r, "日期", f"节假日表第{r.row}行的日期为空，请填写日期（如 2027-01-01）或删除该行。",
                raw_date)
            continue
        try:
            day = parse_date(raw_date)
        except Unreadable as exc:
            bad("invalid-date", r, "日期", f"节假日表的日期{exc}。", raw_date)
            continue
        working = None if is_blank(raw_kind) or is_error(raw_kind) else kinds.get(fold(as_text(raw_kind)))
        if working is None:
            shown = "" if is_blank(raw_kind) else as_text(raw_kind)
            bad("invalid-value", r, "类型",
                f"节假日表 {day:%Y-%m-%d} 的类型“{shown}”无法识别，请填“休”（放假）或“班”（调休上班）。", raw_kind)
            continue
        if day in overrides and overrides[day] != working:
            bad("invalid-value", r, "类型",
                f"节假日表 {day:%Y-%m-%d} 与第{first_row[day]}行的类型矛盾（一个休一个班），已按第{first_row[day]}行计算，"
                f"请删除错误的一行。", raw_kind)
            continue
        overrides.setdefault(day, working)
        first_row.setdefault(day, r.row)
    return overrides, findings


def calendar_for(book: Book | None) -> tuple[Calendar, list[Finding]]:
    """The calendar a run uses: the package plus the workbook's 节假日 sheet."""
    overrides, findings = load_overrides(book)
    return Calendar(overrides), findings
