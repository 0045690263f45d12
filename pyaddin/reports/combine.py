"""One weekly report over several trackers of the same week (`combine_weekly`): counts and the
platform × status table add up, lists gain a 来源 column, medians stay per 来源·平台.

Beside `weekly` (whose report it combines) rather than with the cross-tracker checks, which
compare filings and need nothing of the weekly report.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..run.findings import stamp
from .weekly import rate

SOURCE = "来源"
_LISTS = ("new", "submitted", "approved", "rejected", "supplement", "announcements", "overdue", "at_risk",
          "licenses_expiring", "upcoming", "status_changes", "newly_approved", "removed", "rejection_top")
_BY_PLATFORM = ("review_time", "review_time_chain", "first_pass")
"""Tables indexed by 平台 whose figures (medians, rates) do not add up: listed per 来源·平台."""


def _with_source(frames, sources: list[str]):
    parts = [f.assign(**{SOURCE: name})[[SOURCE, *f.columns]] for f, name in zip(frames, sources, strict=True)]
    return pd.concat(parts, ignore_index=True) if parts else None


def combine_weekly(reports: list, sources: list[str]):
    """One WeeklyReport over several trackers' reports of the same week: counts and the
    platform × status table add up, every list gains a 来源 column, review times are listed per
    来源 and 平台 (medians do not add), and `by_source` holds each tracker's counts."""
    first = reports[0]
    counts = {k: sum(r.counts[k] for r in reports) for k in first.counts}
    crosstab = reports[0].by_platform_status
    for r in reports[1:]:
        crosstab = crosstab.add(r.by_platform_status, fill_value=0)
    rows = list(dict.fromkeys(p for r in reports for p in r.by_platform_status.index))
    cols = list(dict.fromkeys(c for r in reports for c in r.by_platform_status.columns))
    crosstab = crosstab.reindex(index=rows, columns=cols, fill_value=0).fillna(0).astype(int)
    crosstab.index.name, crosstab.columns.name = "平台", "状态"
    per_platform = {}
    for name in _BY_PLATFORM:
        frames = [getattr(r, name) for r in reports]
        if any(len(f) for f in frames):
            table = pd.concat([f.set_axis([f"{src}·{p}" for p in f.index]) for f, src in zip(frames, sources, strict=True)])
            table.index.name = frames[0].index.name
        else:
            table = frames[0]
        per_platform[name] = table
    trend = first.trend
    if all(len(r.trend) for r in reports):
        summed = pd.concat([r.trend for r in reports]).groupby("周", sort=True)[["提交", "通过"]].sum().reset_index()
        trend = summed.merge(first.trend[["周", "来源"]], on="周", how="left")[list(first.trend.columns)]
    delta = None
    if all(r.status_delta is not None for r in reports):
        delta = reports[0].status_delta
        for r in reports[1:]:
            delta = delta.add(r.status_delta, fill_value=0)
        delta = delta.astype(int)
    by_source = pd.DataFrame([{**r.counts, "行数": r.rows} for r in reports], index=pd.Index(sources, name=SOURCE))
    approved_total = sum(int(r.by_platform_status.get("已通过", pd.Series(dtype=int)).sum()) for r in reports)
    rejected_total = sum(int(r.by_platform_status.get("已驳回", pd.Series(dtype=int)).sum()) for r in reports)
    lists = {name: _with_source([getattr(r, name) for r in reports], sources) for name in _LISTS}
    findings = [f for r, name in zip(reports, sources, strict=True) for f in stamp(list(r.findings), name)]
    notes = list(dict.fromkeys(n for r in reports for n in r.notes))
    return replace(
        first, workbook="；".join(sources), sheet="、".join(dict.fromkeys(r.sheet for r in reports)),
        rows=sum(r.rows for r in reports), by_platform_status=crosstab, counts=counts,
        approval_rate_week=rate(counts["通过"], counts["驳回"]), approval_rate_total=rate(approved_total, rejected_total),
        trend=trend, status_delta=delta, **per_platform,
        previous_week=max((r.previous_week for r in reports if r.previous_week), default=None),
        snapshot=pd.concat([r.snapshot for r in reports]), store_snapshot=False, notes=notes, findings=findings,
        by_source=by_source, **lists)
