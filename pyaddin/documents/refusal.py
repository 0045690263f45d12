"""Which selected rows are refused: a row `check` reports an error on (validate or deadlines: an
expired license, an unapproved launch …) gets no letter unless the user forces it, because a
document goes to a platform with the company's seal on it."""

from __future__ import annotations

from collections.abc import Iterable

from ..run.findings import Finding
from .cells import text_of
from .results import Refusal

NON_BLOCKING = frozenset({"missing-material"})
"""Error codes that do not refuse a row: a missing material (often the very 承诺书 or 方案 being
generated) is gathered alongside the documents and says nothing about the data they print."""


def blocking_errors(ctx, findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """Tracker row → its error findings that refuse a document (other sheets' rows do not count)."""
    out: dict[int, list[Finding]] = {}
    for f in findings:
        if (f.severity == "error" and f.row is not None and f.row != ctx.tracker.header_row
                and f.sheet in (None, ctx.tracker.sheet) and f.code not in NON_BLOCKING):
            out.setdefault(f.row, []).append(f)
    return out


def _refusal_reason(errors: list[Finding]) -> str:
    shown = "；".join(f.message.rstrip("。") for f in errors[:3])
    more = f"；另有 {len(errors) - 3} 个错误" if len(errors) > 3 else ""
    return f"{shown}{more}。修正后重新生成，或用 --force 强制生成。"


def refuse(ctx, selected: list[int], errors_by_row: dict[int, list[Finding]], force: bool
           ) -> tuple[list[int], list[Refusal], list[Finding]]:
    """(rows to render, refusals with their reasons, the error findings behind them); `force`
    renders every row but still reports its errors."""
    keep, refused, findings = [], [], []
    for row in selected:
        errors = errors_by_row.get(row, [])
        if errors:
            findings.extend(errors)
            if not force:
                refused.append((row, text_of(ctx.tracker.df.at[row, "filing_id"]), _refusal_reason(errors)))
                continue
        keep.append(row)
    return keep, refused, findings
