"""What one cell can hold and the three questions every reader asks of it: is it blank, is it an
Excel error, what text did the user mean.

A leaf (it imports nothing of the package) so that the table readers, the settings and the
catalogue sit beside `values` (the parsers) instead of on top of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time

EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!",
     "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"}
)


@dataclass(frozen=True)
class CellError:
    """An Excel error value (#N/A, #REF! …) kept distinct from text and from an empty cell."""

    code: str

    def __str__(self) -> str:
        return self.code


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_error(value: object) -> bool:
    return isinstance(value, CellError) or (isinstance(value, str) and value.strip() in EXCEL_ERRORS)


def as_text(value: object) -> str:
    """Text as the user meant it: 13800138000.0 typed into a text column reads as 13800138000."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
