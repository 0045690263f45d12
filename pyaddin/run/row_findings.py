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


class RowIndex:
    """Excel row → position in the tracker's frames. Rows are almost always contiguous (header + 1,
    + 2, …), and then the position is a subtraction; a dict of every row (~100 B a row) is built
    only for a frame whose rows are not."""

    __slots__ = ("_start", "_stop", "_table")

    def __init__(self, index: pd.Index):
        self._start = self._stop = 0
        self._table = None
        n = len(index)
        if n and index.dtype.kind in "iu" and int(index[-1]) - int(index[0]) == n - 1 and index.is_monotonic_increasing:
            self._start, self._stop = int(index[0]), int(index[-1]) + 1
        elif n:
            self._table = dict(zip(index, range(n), strict=True))

    def get(self, row, default=None):
        if self._table is not None:
            return self._table.get(row, default)
        try:
            if self._start <= row < self._stop:
                return int(row) - self._start
        except TypeError:  # not a row number
            pass
        return default


class RowValues:
    """{Excel row: value} of one column, read through the `RowIndex` every column shares, over the
    frame's own array (no copy): a dict per column would cost ~100 B a row for each column asked."""

    __slots__ = ("_positions", "_values")

    def __init__(self, positions: RowIndex, values: np.ndarray):
        self._positions = positions
        self._values = values

    def get(self, row, default=None):
        at = self._positions.get(row)
        return default if at is None else self._values[at]


class RowFindings:
    """Builds findings for tracker rows, filling sheet, cell, 备案编号 and 活动名称 consistently.

    Column lookups are cached (`RowValues`): `DataFrame.at` costs ~50 µs a call, which over 100k
    findings would be most of a run.
    """

    def __init__(self, tracker: Tracker, catalog: Catalog):
        self.catalog = catalog
        self.t = tracker
        self.out: list[Finding] = []
        self._columns: dict[str, dict] = self.t.row_values
        self._where: dict[str | None, tuple[int | None, str | None, dict | None]] = {}
        self._ids: tuple[dict, dict] | None = None
        self._kinds: dict[tuple, tuple] = {}
        self._rows: dict = {}
        self._codes = codes()

    def column(self, key: str) -> RowValues | dict:
        """Excel row → value (`.get(row)`) of a normalised column, or of the raw cells with a `raw:` prefix."""
        if key not in self._columns:
            frame = self.t.raw if key.startswith("raw:") else self.t.df
            name = key[4:] if key.startswith("raw:") else key
            if name not in frame.columns:
                self._columns[key] = {}
            else:
                self._columns[key] = RowValues(self._positions(frame), frame[name].to_numpy(dtype=object))
        return self._columns[key]

    def _positions(self, frame: pd.DataFrame) -> RowIndex:
        """One row index for the normalised and the raw frame (same rows)."""
        cached = self._columns.get(" positions")
        if cached is None or not (cached[0] is frame.index or cached[0].equals(frame.index)):
            cached = self._columns[" positions"] = (frame.index, RowIndex(frame.index))
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
        # one `_kind` tuple (and so one message string) for every finding of a rule on a column:
        # a rule's missing-material message repeats on thousands of rows
        severity = severity or known.severity
        kind = self._kinds.get((code, message, severity, key, rule))
        if kind is None:
            kind = self._kinds[(code, message, severity, key, rule)] = Finding.kind(
                code, message, severity, self.t.sheet, column, header, rule)
        # one int object per row too: ten findings on a row otherwise hold ten copies of its number
        number = self._rows.get(row)
        if number is None:
            number = self._rows[row] = int(row)
        finding = Finding.of(kind, number, ids.get(row), activities.get(row), value)
        if due is not None or days_left is not None:
            finding.due, finding.days_left = due, days_left
        self.out.append(finding)

    def header(self, key: str) -> str:
        """The header as the user's sheet spells it, else the canonical name."""
        return self.t.header_for(key, self.catalog)


def each_distinct(series: pd.Series, fn) -> pd.Series:
    """`series.map(fn)`, calling `fn` once per distinct value (None included) rather than per row."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=False)
    return pd.Series(np.asarray([fn(u) for u in uniques])[codes] if len(uniques) else [], index=series.index,
                     dtype=None if len(uniques) else object)
