"""Where each filing stands: which rows are still headed for launch and which are closed.

Shared by deadlines, the licenses check, rule freshness and the weekly report, so that every
output draws the line between open and closed filings in the same place (SPEC §9):
- 已撤回 is closed.
- 已驳回 is closed only when another row resubmits it (its 原备案编号 names this row's 备案编号);
  without a resubmission the filing is still headed for launch: "not yet submitted" for
  submit-late-risk and "pending" for launch-unapproved.
- An open filing is one that is not closed and whose activity has not ended before today.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pandas as pd

NOT_SUBMITTED = frozenset({"草稿", "待提交"})
IN_REVIEW = frozenset({"已提交", "审核中"})
PENDING = frozenset({"草稿", "待提交", "已提交", "审核中", "需补充"})
REJECTED, WITHDRAWN, APPROVED = "已驳回", "已撤回", "已通过"


def id_key(value: object) -> str | None:
    """A 备案编号 as compared between rows: NFKC, trimmed, upper case."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return unicodedata.normalize("NFKC", str(value)).strip().upper() or None


def resubmitted(df: pd.DataFrame) -> pd.Series:
    """True for rows whose 备案编号 is named in another row's 原备案编号."""
    if "original_id" not in df.columns or df["original_id"].isna().all():
        return pd.Series(False, index=df.index, dtype=bool)
    named = {k for k in df["original_id"].map(id_key) if k}
    return df["filing_id"].map(lambda v: id_key(v) in named).astype(bool)


def open_rejected(df: pd.DataFrame) -> pd.Series:
    """已驳回 rows with no resubmission: still headed for launch."""
    return (df["status"] == REJECTED) & ~resubmitted(df)


def closed(df: pd.DataFrame) -> pd.Series:
    """已撤回, and 已驳回 rows that another row resubmits."""
    return (df["status"] == WITHDRAWN) | ((df["status"] == REJECTED) & resubmitted(df))


def open_filings(df: pd.DataFrame, today: date) -> pd.Series:
    """Rows not closed whose activity has not ended before today."""
    ended = df["end_date"].map(lambda d: d is not None and not pd.isna(d) and d < today).astype(bool)
    return ~closed(df) & ~ended
