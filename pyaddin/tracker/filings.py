"""Where each filing stands: which rows are still headed for launch and which are closed.

`open_filings` is the one answer to "is this filing still open?": the deadline checks (and so
the robots' reminders), the calendar, the licenses check, rule freshness, rules-diff and the
weekly report all ask it, so no two outputs draw the line in different places (docs/deadlines.md):
- 已撤回 is closed.
- 已驳回 is closed once another row resubmits it (its 原备案编号 names this row's 备案编号);
  without a resubmission the filing is still headed for launch: "not yet submitted" for
  submit-late-risk and "pending" for launch-unapproved.
- Whatever its status, a filing whose 活动结束日期 is before today is closed: the activity is
  history (a 已驳回 row nobody resubmitted, a 草稿 never sent), not a launch to stop or a
  submission to hurry. Only what follows the end (archiving) is still asked of it.
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


def ended(df: pd.DataFrame, today: date) -> pd.Series:
    """Rows whose 活动结束日期 is before today (a row without an end date has not ended)."""
    # per distinct end date (a tracker repeats a few hundred of them), not per row
    codes, uniques = pd.factorize(df["end_date"].to_numpy(dtype=object))
    out = np.zeros(len(df), dtype=bool)
    if len(uniques):
        ended_u = np.fromiter((d < today for d in uniques), dtype=bool, count=len(uniques))
        out = (codes >= 0) & ended_u[np.maximum(codes, 0)]
    return pd.Series(out, index=df.index)


def open_filings(df: pd.DataFrame, today: date) -> pd.Series:
    """Rows not closed whose activity has not ended before today."""
    return ~closed(df) & ~ended(df, today)
