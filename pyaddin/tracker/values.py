"""Reading the many ways teams type dates, yes/no, money and numbers into a tracker.

Each parser returns the value or raises `Unreadable` with a Chinese reason; the caller turns
that into a finding on the cell. Nothing is guessed silently.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from ..errors import Unreadable
from .cells import as_text
from .cells import is_blank as is_blank  # the parsers' callers ask both questions here
from .cells import is_error as is_error

LONG_TERM = date(9999, 12, 31)
"""Stands for 长期 (no expiry) in validity dates, so comparisons need no special case."""

_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


# ---------------------------------------------------------------- dates
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_LONG_TERM_WORDS = {"长期", "长期有效", "永久", "永久有效", "无固定期限", "无期限"}


def parse_date(value: object, *, allow_long_term: bool = False) -> date:
    """A date from a real Excel date, a serial number, or text in the forms docs/tracker.md lists."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise Unreadable("不是日期")
    if isinstance(value, int | float):
        if not math.isfinite(value) or not 1 <= value <= _MAX_SERIAL:
            raise Unreadable(f"数字 {as_text(value)} 不是有效的 Excel 日期序号")
        if 19000101 <= value <= 99991231 and value == int(value):
            return parse_date(str(int(value)))
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = _nfkc(str(value))
    if allow_long_term and text in _LONG_TERM_WORDS:
        return LONG_TERM
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d)
            except ValueError as exc:
                raise Unreadable(f"“{text}”不是存在的日期，请改正") from exc
    raise Unreadable(f"“{text}”不是可识别的日期（请写成 2025-11-01 或 2025年11月1日）")


# ---------------------------------------------------------------- booleans
_TRUE = {"是", "有", "y", "yes", "✓", "✔", "√", "☑", "true", "1", "已备", "已归档", "已提供", "已上传",
         "齐全", "ok", "已收集", "收集", "涉及", "需要", "已备齐", "完成", "已完成", "t"}
_FALSE = {"否", "无", "n", "no", "×", "✗", "✘", "☐", "false", "0", "缺", "未归档", "未提供", "未上传",
          "缺失", "未备", "不收集", "不涉及", "不需要", "未完成", "f", "x"}


_NOT_APPLICABLE = {"不适用", "无需", "n/a", "na", "-", "—", "/", "不涉及材料"}


def parse_bool(value: object) -> bool | None:
    """True/False from the many yes/no spellings; None for 不适用 (explicitly not applicable)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _nfkc(as_text(value)).casefold()
    if text in _NOT_APPLICABLE:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Unreadable(f"“{as_text(value)}”不是可识别的是/否（请填 是 或 否）")


# ---------------------------------------------------------------- amounts
_MULTIPLIERS = {"万": Decimal(10_000), "千": Decimal(1_000), "亿": Decimal(100_000_000), "k": Decimal(1_000),
                "w": Decimal(10_000)}
_AMOUNT = re.compile(r"^(?:rmb|cny|人民币)?[¥￥]?\s*(-?[\d,]*\.?\d+)\s*(万|千|亿|k|w)?\s*(?:元|块|rmb|cny)?(?:整)?$")


def parse_amount(value: object) -> float:
    """Yuan as a float, from 12000, ¥12,000, 1.2万, 12000元."""
    if isinstance(value, bool):
        raise Unreadable("不是金额")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise Unreadable("不是有限的金额")
        return float(value)
    text = _nfkc(str(value)).casefold().replace(" ", "")
    m = _AMOUNT.match(text)
    if not m:
        raise Unreadable(f"“{as_text(value)}”不是可识别的金额（请填数字，如 12000 或 1.2万）")
    try:
        number = Decimal(m.group(1).replace(",", ""))
    except InvalidOperation as exc:
        raise Unreadable(f"“{as_text(value)}”不是可识别的金额") from exc
    if m.group(2):
        number *= _MULTIPLIERS[m.group(2)]
    return float(number)


AMOUNT_LIMIT = 10.0 ** 16
"""一万亿亿 yuan: no campaign budget or prize comes near it, and 大写 has no unit above 万亿, so a
tracker amount this large is a pasted ID or account number (18 digits), not money."""


def parse_tracker_amount(value: object) -> float:
    """`parse_amount` for a tracker cell, refusing amounts no campaign can have."""
    amount = parse_amount(value)
    if abs(amount) >= AMOUNT_LIMIT:
        raise Unreadable(f"“{as_text(value)}”大得不像金额（不能超过 9999万亿元），像是误填了编号或账号，请改成金额")
    return amount


# ---------------------------------------------------------------- multi-valued
MULTI_SPLIT = re.compile(r"[、，,/／;；\s+＋&]+")


def split_multi(value: object) -> list[str]:
    """创意形式 cells list several forms: H5、抽奖 / H5,直播 / H5 抽奖."""
    text = _nfkc(as_text(value))
    return [p for p in MULTI_SPLIT.split(text) if p]
