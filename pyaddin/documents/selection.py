"""Which tracker rows get documents: the rows named by 备案编号 or Excel row, every row, or by
default the rows still in the filing loop."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..tracker.filings import ended
from ..tracker.statuses import DRAFT, REJECTED, SUPPLEMENT, TO_SUBMIT
from ..tracker.textnorm import filing_key
from .cells import text_of
from .results import Refusal

FILING_LOOP = frozenset({DRAFT, TO_SUBMIT, SUPPLEMENT})
"""Statuses still being prepared for (re)submission: the rows that need documents by default."""


def in_filing_loop(df, today: date | None = None) -> list[int]:
    """Rows that still need documents: 草稿, 待提交, 需补充, an empty status (refused later with its
    reason rather than silently passed over), and 已驳回 unless another row's 原备案编号 names it
    (resubmitted: the new row carries the filing on; links as `chains` reads them). With `today`,
    not a row whose activity has ended: it is closed whatever its status (docs/deadlines.md), a letter for
    it could not be filed (`--ids`/`--rows`/`--all` still reach it)."""
    resubmitted: set[int] = set()
    if "original_id" in df.columns and df["original_id"].notna().any():
        from ..tracker.chains import build_chains

        resubmitted = set(build_chains(df).parent.values())
    over = set(df.index[ended(df, today)]) if today is not None else set()
    out = []
    for r, status in zip(df.index, df["status"], strict=True):
        if r in over:
            continue
        status = text_of(status)
        if status is None or status in FILING_LOOP or (status == REJECTED and int(r) not in resubmitted):
            out.append(int(r))
    return out


def select_rows(df, *, ids: Iterable[str] | None, rows: Iterable[int] | None, all_rows: bool = False,
                today: date | None = None) -> tuple[list[int], list[Refusal]]:
    """Rows named by 备案编号 or Excel row number, every row with `all_rows`, else the rows still
    in the filing loop; and the names that match nothing, as refusals the user can read."""
    ids = [i for i in (ids or []) if str(i).strip()]
    rows = list(rows or [])
    if not ids and not rows:
        return ([int(r) for r in df.index] if all_rows else in_filing_loop(df, today)), []
    missing: list[Refusal] = []
    chosen: set[int] = set()
    by_id: dict[str, list[int]] = {}
    for r, value in df["filing_id"].items():
        key = filing_key(value)
        if key:
            by_id.setdefault(key, []).append(int(r))
    for i in ids:
        found = by_id.get(filing_key(i) or "")
        if found:
            chosen.update(found)
        else:
            missing.append((None, str(i), f"台账中没有备案编号“{i}”，请检查 --ids。"))
    index = {int(r) for r in df.index}
    for r in rows:
        if r in index:
            chosen.add(int(r))
        else:
            missing.append((int(r), None, f"第 {r} 行不是台账的数据行（空行或表头），请检查 --rows。"))
    return sorted(chosen), missing
