"""Rule-change impact: keep a snapshot of the rules each run, list what changed and whom it hits."""

from __future__ import annotations

from pathlib import Path

from ..compliance.rules_diff import RulesDiff
from ..run.context import Context
from ..run.findings import Finding, Report
from .result import ActionResult


def keep(ctx: Context, history_dir: Path) -> None:
    """Store this run's rules in `<history_dir>/rules/` (only when they differ from the last version)."""
    from ..adapters.rule_history import keep_snapshot

    keep_snapshot(ctx.rules, history_dir, ctx.system_today or ctx.today)


def rule_changed(ctx: Context, history_dir: Path) -> list[Finding]:
    """`rule-changed` for the changes since the version the previous check saw, then record the
    current version as seen: each change is reported once, not on every run."""
    from ..adapters.rule_history import (
        keep_snapshot,
        list_snapshots,
        read_baseline,
        read_rows,
        write_baseline,
    )
    from ..compliance.rules_diff import change_findings, compare, previous

    current, rows, _ = keep_snapshot(ctx.rules, history_dir, ctx.system_today or ctx.today)
    snapshots = list_snapshots(history_dir)
    seen = read_baseline(history_dir)
    base = next((s for s in reversed(snapshots) if s.hash8 == seen), None) if seen else None
    if base is None:
        base = previous(snapshots, current)
    out: list[Finding] = []
    if base is not None and base.hash8 != current.hash8:
        base_rows = read_rows(base)
        if base_rows is not None:
            out = change_findings(ctx, compare(ctx, base, base_rows, current, rows))
    if seen != current.hash8:
        write_baseline(history_dir, current)
    return out


def run(ctx: Context, *, since: str | None = None) -> ActionResult[RulesDiff]:
    """Compare the rules now read with `since` (a date, a snapshot file name, its number or hash),
    else with the previous stored version. Reads and adds to the workbook's `history/rules/`."""
    from ..adapters.rule_history import keep_snapshot, list_snapshots, read_rows
    from ..compliance.rules_diff import SnapshotNotFound, compare, find_snapshot, previous

    history_dir = ctx.history_dir
    current, rows, stored = keep_snapshot(ctx.rules, history_dir, ctx.system_today or ctx.today)
    snapshots = list_snapshots(history_dir)
    base = find_snapshot(snapshots, since) if since else previous(snapshots, current)
    base_rows = read_rows(base) if base is not None else None
    if base is not None and base_rows is None:
        raise SnapshotNotFound(f"规则快照“{base.name}”无法读取，请换一个 --since。")
    result = compare(ctx, base, base_rows, current, rows)
    written = [current.path] if stored else []
    report = Report("rules-diff", str(ctx.workbook or ctx.path or ""), ctx.today, ctx.tracker.rows,
                    list(ctx.rules.findings))
    return ActionResult(report, written, result)
