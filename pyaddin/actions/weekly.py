"""The weekly report: xlsx with native charts, Markdown summary, PNG, and the week's snapshot."""

from __future__ import annotations

from pathlib import Path

from ..reports.weekly import WeeklyReport
from ..run.context import Context
from ..run.findings import Finding, Report
from ..run.places import tracker_results
from .result import ActionResult


def run(ctx: Context, *, out_dir: Path, week: str | None = None,
        deadline_findings: list[Finding] | None = None) -> ActionResult[WeeklyReport]:
    """Reads the workbook's history, writes the report into `out_dir` and stores this week's snapshot
    in the history."""
    from ..adapters.history import load_history
    from ..adapters.weekly_files import write_outputs
    from ..reports.weekly import build_report

    out_dir = Path(out_dir)
    history_dir = ctx.history_dir
    weekly = build_report(ctx, week=week, history=load_history(history_dir),
                          deadline_findings=deadline_findings)
    weekly.workbook = str(ctx.workbook or ctx.path or "")
    from . import rules_diff

    rules_diff.keep(ctx, history_dir)
    written = write_outputs(weekly, out_dir, history_dir=history_dir)
    report = Report("report", weekly.workbook, weekly.today, weekly.rows, weekly.findings)
    return ActionResult(report, written, weekly)


def run_opened(opened, *, out: Path | None = None, week: str | None = None) -> ActionResult[WeeklyReport]:
    """One weekly report over what the door opened: one tracker's, or one over several (skipped
    workbooks in `skipped`), in the results folder of `run.places`."""
    from .loader import contexts_of

    if not opened.several:
        return run(opened.ctx, out_dir=opened.ctx.results_dir(out), week=week)
    contexts, skipped = contexts_of(opened)
    outcome = run_many(contexts, out_dir=opened.results_dir(out), week=week)
    outcome.skipped = list(skipped)
    return outcome


def run_many(contexts: list[Context], *, out_dir: Path, week: str | None = None) -> ActionResult[WeeklyReport]:
    """One weekly report over several trackers (docs/cli.md, 多个台账) with a 来源 breakdown. Each tracker keeps
    its own snapshot history in `<history>/<tracker file name>/`, so week-over-week compares each
    brand with itself."""
    from ..adapters.history import load_history, store
    from ..adapters.weekly_files import write_outputs
    from ..reports.combine import combine_weekly
    from ..reports.weekly import build_report

    out_dir = Path(out_dir)
    parts, sources, written = [], [], []
    for ctx in contexts:
        source = str(ctx.path or ctx.workbook or "")
        history_dir = tracker_results(ctx.history_dir, Path(source))
        weekly = build_report(ctx, week=week, history=load_history(history_dir))
        weekly.workbook = source
        if weekly.store_snapshot:
            written.append(store(weekly.snapshot, history_dir, weekly.week))
        parts.append(weekly)
        sources.append(source)
    combined = combine_weekly(parts, sources)
    written[:0] = write_outputs(combined, out_dir)
    report = Report("report", combined.workbook, combined.today, combined.rows, combined.findings)
    return ActionResult(report, written, combined)
