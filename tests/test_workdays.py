from __future__ import annotations

from datetime import date, timedelta

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyaddin.adapters.files import read_book
from pyaddin.deadlines.workdays import Calendar, calendar_for, load_overrides


@pytest.fixture(scope="module")
def cal() -> Calendar:
    return Calendar()


def holiday_book(tmp_path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "节假日"
    ws.append(["日期", "类型", "说明"])
    for r in rows:
        ws.append(list(r))
    path = tmp_path / "holidays.xlsx"
    wb.save(path)
    return read_book(path)


def test_national_day_week_2025_is_off_and_the_sunday_before_is_a_make_up_working_day(cal):
    assert [cal.is_workday(date(2025, 10, d)) for d in range(1, 9)] == [False] * 8
    assert date(2025, 9, 28).weekday() == 6
    assert cal.is_workday(date(2025, 9, 28))
    assert cal.is_workday(date(2025, 10, 11))  # Saturday make-up day after the holiday
    assert cal.is_workday(date(2025, 10, 9))
    assert cal.fallback_years == set()


def test_adding_working_days_skips_the_national_day_holiday(cal):
    assert cal.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert cal.add_workdays(date(2025, 9, 26), 1) == date(2025, 9, 28)  # the make-up Sunday counts
    assert cal.add_workdays(date(2025, 9, 26), 2) == date(2025, 9, 29)
    assert cal.workdays_between(date(2025, 9, 30), date(2025, 10, 9)) == 1


def test_zero_working_days_is_the_day_itself_even_on_a_holiday(cal):
    assert cal.add_workdays(date(2025, 10, 3), 0) == date(2025, 10, 3)
    assert cal.workdays_between(date(2025, 10, 3), date(2025, 10, 3)) == 0


def test_counting_backwards_is_negative(cal):
    assert cal.workdays_between(date(2025, 10, 9), date(2025, 9, 30)) == -1
    assert cal.workdays_between(date(2025, 11, 24), date(2025, 11, 21)) == -1  # Fri due, Mon today


def test_deadline_crossing_into_2027_falls_back_to_weekdays_and_names_the_year():
    cal = Calendar()
    # 2026-12-31 is a Thursday (package data); 2027-01-01 Fri and 01-04 Mon are fallback weekdays.
    assert cal.add_workdays(date(2026, 12, 30), 3) == date(2027, 1, 4)
    assert cal.fallback_years == {2027}
    finding = cal.fallback_finding()
    assert finding.code == "calendar-fallback" and finding.row is None and finding.severity == "info"
    assert "2027" in finding.message and "节假日" in finding.message


def test_no_fallback_is_reported_when_every_date_is_covered():
    cal = Calendar()
    cal.add_workdays(date(2026, 12, 1), 10)
    assert cal.fallback_years == set()
    assert cal.fallback_finding() is None


def test_cached_results_still_report_the_fallback_year():
    cal = Calendar()
    cal.add_workdays(date(2026, 12, 30), 3)
    cal.fallback_years.clear()
    cal.add_workdays(date(2026, 12, 30), 3)
    assert cal.fallback_years == {2027}


def test_holiday_sheet_day_off_in_2027_moves_the_deadline_and_covers_the_year(tmp_path):
    book = holiday_book(tmp_path, [("2027-01-01", "休", "元旦")])
    cal, findings = calendar_for(book)
    assert findings == []
    assert cal.add_workdays(date(2026, 12, 30), 3) == date(2027, 1, 5)
    assert cal.fallback_years == set()


def test_holiday_sheet_overrides_the_package(tmp_path):
    book = holiday_book(tmp_path, [(date(2025, 9, 28), "休"), (date(2025, 10, 8), "班")])
    cal, _ = calendar_for(book)
    assert not cal.is_workday(date(2025, 9, 28))
    assert cal.is_workday(date(2025, 10, 8))
    assert cal.add_workdays(date(2025, 9, 26), 3) == date(2025, 10, 8)


def test_holiday_sheet_bad_date_and_bad_type_are_findings_on_their_cells(tmp_path):
    book = holiday_book(tmp_path, [("2027-02-30", "休"), ("下周一", "休"), ("2027-01-01", "放半天"),
                                   ("2027-01-02", "休"), ("2027-01-02", "班")])
    overrides, findings = load_overrides(book)
    assert overrides == {date(2027, 1, 2): False}
    assert [(f.code, f.sheet, f.row, f.column, f.field) for f in findings] == [
        ("invalid-date", "节假日", 2, 0, "日期"),
        ("invalid-date", "节假日", 3, 0, "日期"),
        ("invalid-value", "节假日", 4, 1, "类型"),
        ("invalid-value", "节假日", 6, 1, "类型"),
    ]
    assert all("请" in f.message for f in findings)


def test_holiday_type_aliases_are_accepted(tmp_path):
    book = holiday_book(tmp_path, [("2027-01-01", "放假"), ("2027-02-20", "补班")])
    overrides, findings = load_overrides(book)
    assert findings == []
    assert overrides == {date(2027, 1, 1): False, date(2027, 2, 20): True}


def test_a_workbook_without_holiday_sheet_uses_the_package_only():
    overrides, findings = load_overrides(None)
    assert overrides == {} and findings == []


def brute_between(cal: Calendar, a: date, b: date) -> int:
    sign = 1 if a <= b else -1
    lo, hi = min(a, b), max(a, b)
    return sign * sum(cal.is_workday(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))


days = st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(d=days, n=st.integers(min_value=0, max_value=60))
def test_adding_n_working_days_and_counting_back_gives_n(cal, d, n):
    assert cal.workdays_between(d, cal.add_workdays(d, n)) == n


@settings(max_examples=300, deadline=None)
@given(d=days, n=st.integers(min_value=1, max_value=60))
def test_the_n_th_working_day_is_a_working_day(cal, d, n):
    result = cal.add_workdays(d, n)
    assert result > d
    assert cal.is_workday(result)


@settings(max_examples=200, deadline=None)
@given(a=days, span=st.integers(min_value=-200, max_value=200))
def test_counting_matches_a_day_by_day_count(cal, a, span):
    b = a + timedelta(days=span)
    assert cal.workdays_between(a, b) == brute_between(cal, a, b)
    assert cal.workdays_between(b, a) == -cal.workdays_between(a, b)


@settings(max_examples=100, deadline=None)
@given(d=days, n=st.integers(min_value=1, max_value=30))
def test_workdays_before_is_the_inverse_on_working_days(cal, d, n):
    start = cal.workdays_before(d, n)
    assert cal.is_workday(start)
    first_working_from_d = cal.add_workdays(d - timedelta(days=1), 1)
    assert cal.add_workdays(start, n) == first_working_from_d


def test_many_pairs_are_counted_once_each(cal):
    a = [date(2025, 9, 30)] * 3 + [date(2025, 10, 9)]
    b = [date(2025, 10, 9)] * 4
    assert cal.workdays_between_many(a, b) == [1, 1, 1, 0]
