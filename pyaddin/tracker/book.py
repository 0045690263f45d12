"""An adapter-neutral picture of a workbook: sheet names and cell values as 2-D lists.

The file reader (calamine) and the live-Excel reader (xlwings) both produce this, so the core
never learns where the cells came from. Row 0 of `rows` is Excel row 1 and column 0 is column A.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    hidden: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Book:
    """Sheets in workbook order; `path` is where they came from (None for a live workbook)."""

    sheets: dict[str, Sheet] = field(default_factory=dict)
    path: Path | None = None
    unreadable: dict[str, str] = field(default_factory=dict)
    """Worksheets the reader could not parse safely → the Chinese reason: never dropped in silence,
    so a broken 备案台账 is named rather than replaced by the next sheet that looks like a tracker."""

    def get(self, name: str) -> Sheet | None:
        if name in self.sheets:
            return self.sheets[name]
        wanted = name.strip().casefold()
        for key, sheet in self.sheets.items():
            if key.strip().casefold() == wanted:
                return sheet
        return None

    @property
    def names(self) -> list[str]:
        return list(self.sheets)

    def unreadable_reason(self, name: str) -> str | None:
        """Why the sheet `name` (matched like `get`) could not be read, or None."""
        wanted = name.strip().casefold()
        for key, reason in self.unreadable.items():
            if key == name or key.strip().casefold() == wanted:
                return reason
        return None


@cache
def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (cached: a run asks for the same few dozen columns ~10k times)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """Excel reference for an Excel row number and 0-based column index."""
    return f"{column_letter(col)}{row}"
