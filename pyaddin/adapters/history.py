"""The history folder: one snapshot CSV per ISO week (format in `pyaddin/reports/snapshots.py`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..reports.snapshots import WEEK, from_csv, to_csv_text
from .output_files import atomic_write_text


def store(snapshot: pd.DataFrame, history_dir: Path, week: str) -> Path:
    """Write `<history_dir>/<week>.csv` atomically, replacing an earlier run of the same week."""
    return atomic_write_text(Path(history_dir) / f"{week}.csv", to_csv_text(snapshot))


def load(path: Path) -> pd.DataFrame:
    return from_csv(path)


def list_weeks(history_dir: Path | None) -> list[str]:
    """The weeks with a stored snapshot, oldest first."""
    if history_dir is None or not Path(history_dir).is_dir():
        return []
    return sorted(p.stem for p in Path(history_dir).glob("*.csv") if WEEK.match(p.stem))


def load_history(history_dir: Path | None, *, before: str | None = None) -> dict[str, pd.DataFrame]:
    """Every readable snapshot (optionally only weeks before `before`), by week, oldest first.

    A snapshot that cannot be read is skipped rather than stopping the report; history is a
    convenience, and a damaged file should cost a comparison, not the week's report.
    """
    out: dict[str, pd.DataFrame] = {}
    for week in list_weeks(history_dir):
        if before is not None and week >= before:
            continue
        try:
            out[week] = load(Path(history_dir) / f"{week}.csv")
        except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError):
            continue
    return out
