"""Week snapshots: the tracker as it stood in a week, kept so next week's report can say what changed.

The tracker only holds the present (a status is overwritten when it moves on), so week-over-week
change needs a record of last week. Each `beian report` run for the current week stores one
snapshot; a later run in the same week replaces it, so the stored one is the week's last word.

Format — one UTF-8 (with BOM, so Excel opens the Chinese correctly) CSV per ISO week,
`<history>/<YYYY-Www>.csv`, one line per tracker row, columns in this order:

| column          | meaning                                                            |
|-----------------|--------------------------------------------------------------------|
| key             | `<备案编号>|<平台>`, `#2`, `#3` … appended to repeats; rows without a 备案编号 use `行<row>` |
| row             | Excel row number in the tracker when the snapshot was taken        |
| filing_id       | 备案编号                                                           |
| activity        | 活动名称                                                           |
| platform        | canonical platform name (empty when not recognised)                |
| status          | canonical status (empty when not recognised)                       |
| submitted_date, feedback_date, supplement_due, approved_date, launch_date, start_date, end_date | ISO dates `YYYY-MM-DD`, empty when none |
| approval_no     | 备案号                                                             |
| company         | 主体名称                                                           |
| taken_on        | the run's "today" (ISO date)                                       |

Contact fields (电话, 邮箱) are deliberately not stored. Text that a spreadsheet would run as a
formula (`= + - @`) is stored with a leading `'` and restored on load, so opening a snapshot in
Excel is safe and reading it back is exact.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from ..run.safe_text import csv_text, restore

TEXT_COLUMNS = ("filing_id", "activity", "platform", "status", "approval_no", "company")
DATE_COLUMNS = ("submitted_date", "feedback_date", "supplement_due", "approved_date", "launch_date",
                "start_date", "end_date")
COLUMNS = ("key", "row", *TEXT_COLUMNS[:4], *DATE_COLUMNS, *TEXT_COLUMNS[4:], "taken_on")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_label(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def row_keys(df: pd.DataFrame) -> pd.Series:
    """The identity of a filing across weeks: 备案编号 and platform (one filing per platform)."""
    seen: dict[str, int] = {}
    keys = []
    for row, fid, platform in zip(df.index, df["filing_id"], df["platform"], strict=True):
        fid, platform = _text(fid), _text(platform)
        base = f"{fid or f'行{row}'}|{platform}"
        seen[base] = seen.get(base, 0) + 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return pd.Series(keys, index=df.index, dtype=object)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def take(df: pd.DataFrame, today: date) -> pd.DataFrame:
    """The snapshot of a normalised tracker frame (`Tracker.df`), indexed by key."""
    out = pd.DataFrame({"key": row_keys(df), "row": [int(r) for r in df.index]}, index=df.index)
    for col in (*TEXT_COLUMNS, *DATE_COLUMNS):
        out[col] = df[col].astype(object) if col in df.columns else None
    out["taken_on"] = today
    return out[list(COLUMNS)].set_index("key")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv_text(snapshot: pd.DataFrame) -> str:
    frame = snapshot.reset_index()[list(COLUMNS)]
    return csv_text(COLUMNS, frame.map(_cell).itertuples(index=False, name=None))


def _restore(text: object) -> object:
    """Blank as None, else the cell as written before `csv_text` neutralised it."""
    if not isinstance(text, str) or text == "":
        return None
    return restore(text)


def _parse_date(text: object) -> date | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def from_csv(source) -> pd.DataFrame:
    """A stored snapshot (a path or a text buffer) back as a frame indexed by key, dates as `date`,
    blanks as None."""
    raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in COLUMNS:
        if col not in raw.columns:
            raw[col] = ""
    out = pd.DataFrame(index=raw.index)
    out["key"] = raw["key"]
    out["row"] = pd.to_numeric(raw["row"], errors="coerce")
    for col in TEXT_COLUMNS:
        out[col] = raw[col].map(_restore).astype(object)
    for col in (*DATE_COLUMNS, "taken_on"):
        out[col] = raw[col].map(_parse_date).astype(object)
    return out[list(COLUMNS)].set_index("key")
