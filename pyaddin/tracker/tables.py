"""Small key/value and lookup tables read from a workbook sheet or from the packaged CSV defaults.

The team edits these tables in the workbook (平台, 平台规则, 材料, 设置 …); the package ships the
same tables as CSV so a tracker without them still gets sensible defaults.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from .book import Sheet
from .cells import as_text, is_blank, is_error
from .textnorm import header_key


@dataclass
class TableRow:
    row: int
    """Excel row number (1-based); for packaged CSVs the CSV line number."""
    values: dict[str, object]
    columns: dict[str, int]
    """Canonical column name → 0-based column index, for pointing at a cell."""

    def text(self, name: str) -> str:
        v = self.values.get(name)
        return "" if is_blank(v) or is_error(v) else as_text(v)


@dataclass
class Table:
    name: str
    source: str
    """'workbook' when read from the user's sheet, 'default' for the packaged CSV."""
    rows: list[TableRow]


@cache
def _default_rows(filename: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    text = files("pyaddin.data").joinpath(filename).read_text(encoding="utf-8")
    reader = list(csv.reader(text.splitlines()))
    return tuple(reader[0]), tuple(tuple(r) for r in reader[1:])


def default_table(filename: str, name: str) -> Table:
    header, body = _default_rows(filename)
    cols = {h: i for i, h in enumerate(header)}
    rows = [TableRow(i + 2, dict(zip(header, r, strict=False)), cols) for i, r in enumerate(body) if any(r)]
    return Table(name, "default", rows)


def _bounds(text_min: str, text_max: str) -> tuple[float, float] | None:
    if not text_min and not text_max:
        return None
    return (float(text_min) if text_min else -math.inf, float(text_max) if text_max else math.inf)


def setting_bounds() -> dict[str, tuple[float, float]]:
    """Key → (最小值, 最大值) from settings.csv: a number outside would stall a calendar (提醒提前工作日
    = 1e9 walks a billion working days) or overflow a date (临近上线天数 = 1e9). Here rather than in
    `settings` because the catalogue checks its own numbers against the same bounds."""
    out = {}
    for r in default_table("settings.csv", "设置").rows:
        bounds = _bounds(r.text("最小值"), r.text("最大值"))
        if bounds is not None:
            out[r.text("键")] = bounds
    return out


def default_header(filename: str) -> list[str]:
    return list(_default_rows(filename)[0])


def read_sheet_table(sheet: Sheet, expected: list[str] | dict[str, list[str]], *, min_match: int = 1,
                     scan: int = 10) -> Table | None:
    """Rows of a sheet under the first row (within `scan`) naming at least `min_match` expected columns.

    Column names are matched like tracker headers (case, width and trailing unit ignored) so a
    team's light edits to the header do not disconnect the table.
    """
    aliases = expected if isinstance(expected, dict) else {h: [] for h in expected}
    wanted = {}
    for name, alts in aliases.items():
        for a in [name, *alts]:
            wanted.setdefault(header_key(a), name)
    for r, cells in enumerate(sheet.rows[:scan]):
        cols: dict[str, int] = {}
        for c, v in enumerate(cells):
            if is_blank(v):
                continue
            key = header_key(as_text(v))
            if key in wanted and wanted[key] not in cols:
                cols[wanted[key]] = c
        if len(cols) >= min_match:
            rows = []
            for offset, data in enumerate(sheet.rows[r + 1:]):
                values = {name: (data[c] if c < len(data) else None) for name, c in cols.items()}
                if all(is_blank(v) for v in values.values()):
                    continue
                rows.append(TableRow(r + 2 + offset, values, cols))
            return Table(sheet.name, "workbook", rows)
    return None


def sheet_or_default(book, sheet_name: str, csv_name: str, *, min_match: int, keep_empty: bool = True) -> Table:
    """The team's table where the workbook has that sheet with a recognisable header (the packaged
    CSV's), else the packaged default: every editable table (平台, 平台规则, 材料, 行业, 用语库, 材料规格)
    is read this one way. `keep_empty=False`: a sheet with a header but no rows falls back too."""
    sheet = book.get(sheet_name) if book is not None else None
    if sheet is not None:
        table = read_sheet_table(sheet, default_header(csv_name), min_match=min_match)
        if table is not None and (keep_empty or table.rows):
            return table
    return default_table(csv_name, sheet_name)


def split_list(text: str) -> list[str]:
    """An alias or condition list cell: 医疗、药品 | a|b | a, b."""
    import re

    return [p.strip() for p in re.split(r"[|、,，;；/]", text) if p.strip()]
