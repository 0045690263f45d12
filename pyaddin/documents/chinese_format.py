"""Chinese formatting for documents: 2025年11月1日, ¥12,000.00 and 壹万贰仟元整.

Platforms read these documents by eye; a 大写 amount that breaks the 零 rules of the People's Bank
票据填写规定 looks forged, so the rules are implemented here, once, and tested on the edge cases.
Formatting functions accept the JSON-able forms document contexts carry (ISO date strings, floats)
as well as real dates and numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")
MAX_AMOUNT = Decimal(10) ** (4 * len(GROUP_UNITS))
CENT = Decimal("0.01")


def to_date(value: object) -> date:
    """A date from a date, a datetime or an ISO `YYYY-MM-DD` string (how contexts carry dates)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"不是日期：{value!r}")


def chinese_date(value: object) -> str:
    """2025-11-01 → 2025年11月1日 (no leading zeros, as typed in official letters)."""
    d = to_date(value)
    return f"{d.year}年{d.month}月{d.day}日"


def to_cents(value: object) -> Decimal:
    """An amount as a Decimal rounded half-up to the cent; floats go through repr to avoid 0.1 drift."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"不是金额：{value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | float):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").lstrip("¥￥")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"不是金额：{value!r}") from None
    else:
        raise ValueError(f"不是金额：{value!r}")
    if not amount.is_finite():
        raise ValueError(f"不是金额：{value!r}")
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds (1e300): no amount, a pasted number
        raise ValueError(f"金额过大：{value!r}") from None


def money(value: object) -> str:
    """12000 → ¥12,000.00."""
    cents = to_cents(value)
    sign = "-" if cents < 0 else ""
    return f"{sign}¥{abs(cents):,.2f}"


def _group(n: int) -> str:
    """0 < n < 10000 as capitals with 零 for each run of inner zeros (1001 → 壹仟零壹)."""
    digits = f"{n:04d}"
    out: list[str] = []
    pending_zero = False
    for i, ch in enumerate(digits):
        d = int(ch)
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[d] + SMALL_UNITS[3 - i])
    return "".join(out)


def _integer(n: int) -> str:
    """Yuan part: groups of four digits joined by 万/亿, with one 零 where a group starts with zeros
    after a non-zero higher group (100000010 → 壹亿零壹拾)."""
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out: list[str] = []
    need_zero = False
    for level in range(len(groups) - 1, -1, -1):
        g = groups[level]
        if g == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or g < 1000):
            out.append("零")
        need_zero = False
        out.append(_group(g) + GROUP_UNITS[level])
    return "".join(out)


def capital_amount(value: object) -> str:
    """Chinese financial capitals: 12000 → 壹万贰仟元整, 100.05 → 壹佰元零伍分, 0.5 → 伍角整, 0 → 零元整.

    Follows the 票据填写 rules: 壹拾 is always written with its 壹; 整 after 元 and after 角 when
    there are no 分; 零 between 元 and 分 when 角 is zero.
    """
    cents = to_cents(value)
    sign = ""
    if cents < 0:
        sign, cents = "负", -cents
    if cents >= MAX_AMOUNT:
        raise ValueError(f"金额过大：{value!r}")
    total = int(cents * 100)
    yuan, jiao, fen = total // 100, total // 10 % 10, total % 10
    if total == 0:
        return "零元整"
    out = _integer(yuan) + "元" if yuan else ""
    if jiao:
        out += DIGITS[jiao] + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    else:
        out += "整"
    return sign + out
