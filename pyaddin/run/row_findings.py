"""Findings on tracker rows, built the same way by every check (validate, deadlines): sheet, cell,
header, 备案编号 and 活动名称 filled in consistently and cheaply.

Here, below both checks, so that deadlines need not depend on validate to name a row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..tracker.catalog import Catalog
from ..tracker.frame import Tracker
from .findings import Finding, codes

FULL_DICTS = frozenset({"filing_id", "activity"})
"""Columns every finding names (备案编号, 活动名称); the others are looked up for a few rows each."""


class RowValues:
    """{Excel row: value} of one column, read through a row → position table shared by every column:
    a dict per column would cost 100k entries each at 100k rows, for a few hundred findings."""

    __slots__ = ("_positions", "_values")

    def __init__(self, positions: dict, values: np.ndarray):
        self._positions = positions
        self._values = values

    def get(self, row, default=None):
        at = self._positions.get(row)
        return default if at is None else self._values[at]


class RowFindings:
    """Builds findings for tracker rows, filling sheet, cell, 备案编号 and 活动名称 consistently.

    Column lookups are cached as dicts: `DataFrame.at` costs ~50 µs a call, which over 100k
    findings would be most of a run.
    """

    def __init__(self, tracker: Tracker, catalog: Catalog):
        self.catalog = catalog
        self.t = tracker
        self.out: list[Finding] = []
        self._columns: dict[str, dict] = self.t.row_values
        self._where: dict[str | None, tuple[int | None, str | None, dict | None]] = {}
        self._ids: tuple[dict, dict] | None = None
        self._messages: dict[str, str] = {}
        self._rows: dict = {}
        self._codes = codes()

    def column(self, key: str) -> RowValues | dict:
        """Excel row → value (`.get(row)`) of a normalised column, or of the raw cells with a `raw:` prefix."""
        if key not in self._columns:
            frame = self.t.raw if key.startswith("raw:") else self.t.df
            name = key[4:] if key.startswith("raw:") else key
            if name not in frame.columns:
                self._columns[key] = {}
            elif key in FULL_DICTS:  # asked for by every finding: a plain dict's C lookup pays off
                self._columns[key] = dict(zip(frame.index, frame[name], strict=True))
            else:
                self._columns[key] = RowValues(self._positions(frame), frame[name].to_numpy(dtype=object))
        return self._columns[key]

    def _positions(self, frame: pd.DataFrame) -> dict:
        """Excel row → position in `frame`, one table for the normalised and the raw frame (same rows)."""
        cached = self._columns.get(" positions")
        if cached is None or not (cached[0] is frame.index or cached[0].equals(frame.index)):
            cached = self._columns[" positions"] = (frame.index, dict(zip(frame.index, range(len(frame)), strict=True)))
        return cached[1]

    def add(self, code: str, row: int, key: str | None, message: str, *, severity=None, rule=None,
            value=None, due=None, days_left=None) -> None:
        where = self._where.get(key)
        if where is None:
            where = self._where[key] = ((self.t.columns.get(key), self.header(key), self.column("raw:" + key))
                                        if key else (None, None, None))
        column, header, raw = where
        if value is None and raw is not None:
            value = raw.get(row)
            if value == "":
                value = None
        if self._ids is None:
            self._ids = self.column("filing_id"), self.column("activity")
        ids, activities = self._ids
        known = self._codes[code]  # KeyError for an unregistered code, like findings.make
        # one string object per distinct message: a rule's missing-material message repeats on
        # thousands of rows, and a run over many trackers holds every finding
        message = self._messages.setdefault(message, message)
        # positional, in field order: ~12k findings at 10k rows, where keyword passing shows
        # one int object per row too: ten findings on a row otherwise hold ten copies of its number
        number = self._rows.get(row)
        if number is None:
            number = self._rows[row] = int(row)
        self.out.append(Finding(code, message, severity or known.severity, self.t.sheet, number, column, header,
                                ids.get(row), activities.get(row), value, rule, due, days_left))

    def header(self, key: str) -> str:
        """The header as the user's sheet spells it, else the canonical name."""
        return self.t.header_for(key, self.catalog)


def each_distinct(series: pd.Series, fn) -> pd.Series:
    """`series.map(fn)`, calling `fn` once per distinct value (None included) rather than per row."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=False)
    return pd.Series(np.asarray([fn(u) for u in uniques])[codes] if len(uniques) else [], index=series.index,
                     dtype=None if len(uniques) else object)
