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

from datetime import date

import numpy as np
import pandas as pd

from .statuses import REJECTED, WITHDRAWN
from .textnorm import filing_key


def resubmitted(df: pd.DataFrame) -> pd.Series:
    """True for rows whose 备案编号 is named in another row's 原备案编号."""
    if "original_id" not in df.columns or df["original_id"].isna().all():
        return pd.Series(False, index=df.index, dtype=bool)
    named = {k for k in df["original_id"].map(filing_key) if k}
    return df["filing_id"].map(lambda v: filing_key(v) in named).astype(bool)


def open_rejected(df: pd.DataFrame) -> pd.Series:
    """已驳回 rows with no resubmission: still headed for launch."""
    return (df["status"] == REJECTED) & ~resubmitted(df)


def closed(df: pd.DataFrame) -> pd.Series:
    """已撤回, and 已驳回 rows that another row resubmits."""
    return (df["status"] == WITHDRAWN) | ((df["status"] == REJECTED) & resubmitted(df))


def open_filings(df: pd.DataFrame, today: date) -> pd.Series:
    """Rows not closed whose activity has not ended before today."""
    # per distinct end date (a tracker repeats a few hundred of them), not per row
    codes, uniques = pd.factorize(df["end_date"].to_numpy(dtype=object))
    ended = np.zeros(len(df), dtype=bool)
    if len(uniques):
        ended_u = np.fromiter((d < today for d in uniques), dtype=bool, count=len(uniques))
        ended = (codes >= 0) & ended_u[np.maximum(codes, 0)]
    return ~closed(df) & ~pd.Series(ended, index=df.index)
