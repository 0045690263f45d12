from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyaddin.documents.chinese_format import capital_amount, chinese_date, money


@pytest.mark.parametrize(
    "amount, expected",
    [
        (0, "零元整"),
        (0.5, "伍角整"),
        (0.05, "伍分"),
        (0.55, "伍角伍分"),
        (1, "壹元整"),
        (10, "壹拾元整"),
        (15, "壹拾伍元整"),
        (100.05, "壹佰元零伍分"),
        (100.5, "壹佰元伍角整"),
        (1001, "壹仟零壹元整"),
        (1010, "壹仟零壹拾元整"),
        (10000, "壹万元整"),
        (12000, "壹万贰仟元整"),
        (100100, "壹拾万零壹佰元整"),
        (107000.53, "壹拾万柒仟元伍角叁分"),
        (1000001, "壹佰万零壹元整"),
        (10000000, "壹仟万元整"),
        (100000010, "壹亿零壹拾元整"),
        (100001000, "壹亿零壹仟元整"),
        (1680.32, "壹仟陆佰捌拾元叁角贰分"),
        ("12,000", "壹万贰仟元整"),
        ("¥3,500.10", "叁仟伍佰元壹角整"),
        (Decimal("2.675"), "贰元陆角捌分"),
        (-20, "负贰拾元整"),
    ],
)
def test_capital_amount_follows_financial_rules(amount, expected):
    assert capital_amount(amount) == expected


def test_float_noise_is_rounded_to_the_cent():
    assert capital_amount(0.1 + 0.2) == "叁角整"
    assert money(0.1 + 0.2) == "¥0.30"


@pytest.mark.parametrize("bad", [None, True, "一万", float("nan"), object()])
def test_non_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        capital_amount(bad)


def test_amount_too_large_is_refused():
    with pytest.raises(ValueError):
        capital_amount(10**16)


@pytest.mark.parametrize(
    "amount, expected",
    [(12000, "¥12,000.00"), (0, "¥0.00"), (1234567.891, "¥1,234,567.89"), (-5, "-¥5.00")],
)
def test_money_has_yuan_sign_thousands_and_cents(amount, expected):
    assert money(amount) == expected


@pytest.mark.parametrize(
    "value", [date(2025, 11, 1), datetime(2025, 11, 1, 9, 30), "2025-11-01", "2025-11-01T00:00:00"]
)
def test_chinese_date_without_leading_zeros(value):
    assert chinese_date(value) == "2025年11月1日"


def test_chinese_date_refuses_text():
    with pytest.raises(ValueError):
        chinese_date("下周一")


_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_capitals(text: str) -> int:
    """Cents from a capital amount: an independent reader to check the writer against."""
    text = text.removesuffix("整")
    yuan_text, _, rest = text.rpartition("元") if "元" in text else ("", "", text)
    total = section = number = 0
    for ch in yuan_text:
        if ch in _DIGIT:
            number = _DIGIT[ch]
        elif ch in _UNIT:
            section += number * _UNIT[ch]
            number = 0
        elif ch == "万":
            total += (section + number) * 10_000
            section = number = 0
        elif ch == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
    cents = (total + section + number) * 100
    rest = rest.removeprefix("零")
    if "角" in rest:
        j, _, rest = rest.partition("角")
        cents += _DIGIT[j] * 10
    if "分" in rest:
        cents += _DIGIT[rest.removesuffix("分")]
    return cents


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_capital_amount_reads_back_to_the_same_cents(cents):
    text = capital_amount(Decimal(cents) / 100)
    assert _read_capitals(text) == cents
    assert "零零" not in text
    assert not text.startswith("零") or text == "零元整"
    assert not any(text.endswith(z) for z in ("零元整", "零整")) or text == "零元整"
