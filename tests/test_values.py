from datetime import date, datetime

import pytest

from pyaddin.tracker.cells import CellError
from pyaddin.tracker.values import (
    LONG_TERM,
    Unreadable,
    as_text,
    parse_amount,
    parse_bool,
    parse_date,
    split_multi,
)


@pytest.mark.parametrize("raw", [
    date(2025, 11, 1), datetime(2025, 11, 1, 10, 30), 45962, 45962.0, "2025-11-01", "2025/11/1", "2025.11.01",
    "2025年11月1日", "２０２５年１１月１日", "2025-11-01 00:00:00", "20251101", " 2025/11/01 ",
])
def test_every_date_form_reads_as_the_same_day(raw):
    assert parse_date(raw) == date(2025, 11, 1)


@pytest.mark.parametrize("raw", ["2025年13月1日", "下周一", "2025-02-30", True, -5, "长期"])
def test_unreadable_dates_raise_with_a_reason(raw):
    with pytest.raises(Unreadable):
        parse_date(raw)


def test_long_term_is_accepted_only_where_a_validity_date_is_expected():
    assert parse_date("长期", allow_long_term=True) == LONG_TERM


@pytest.mark.parametrize("raw,expected", [
    ("是", True), ("否", False), ("有", True), ("无", False), ("Y", True), ("n", False), ("✓", True),
    ("✔", True), ("√", True), ("×", False), ("✗", False), ("TRUE", True), ("false", False), (1, True), (0, False),
    (1.0, True), ("已备", True), ("缺", False), ("已归档", True), ("未归档", False), (True, True), ("不适用", None),
])
def test_boolean_spellings(raw, expected):
    assert parse_bool(raw) is expected


def test_unknown_boolean_is_unreadable():
    with pytest.raises(Unreadable):
        parse_bool("也许")


@pytest.mark.parametrize("raw,expected", [
    ("¥12,000", 12000.0), ("￥12,000.50", 12000.5), ("1.2万", 12000.0), ("12000元", 12000.0), (12000, 12000.0),
    ("3千", 3000.0), ("RMB 5000", 5000.0), (" 8,000 ", 8000.0), ("0.5亿", 50_000_000.0),
])
def test_amount_forms(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["五万", "abc", True, float("nan")])
def test_unreadable_amounts(raw):
    with pytest.raises(Unreadable):
        parse_amount(raw)


def test_numbers_typed_into_text_fields_read_as_their_digits():
    assert as_text(13800138000.0) == "13800138000"
    assert as_text(91310110.0) == "91310110"
    assert as_text(1.5) == "1.5"


def test_multi_valued_cells_split_on_every_separator():
    assert split_multi("H5、抽奖，直播,短视频/问卷;图文；海报 优惠券") == [
        "H5", "抽奖", "直播", "短视频", "问卷", "图文", "海报", "优惠券"]


def test_cell_error_prints_as_its_code():
    assert str(CellError("#N/A")) == "#N/A"
