"""`calendar`: every computed deadline as an event in <out_dir>/备案日程.ics."""

from __future__ import annotations

from pathlib import Path

from ..run.context import Context
from ..run.findings import Report
from .result import ActionResult


def run(ctx: Context, *, out_dir: Path, progress=None) -> ActionResult:
    from ..adapters import ics
    from ..deadlines.schedule import events
    from ..deadlines.workdays import calendar_for

    calendar, holiday_findings = calendar_for(ctx.book)
    found = events(ctx, calendar)
    if progress:
        progress(f"正在写入 {len(found)} 个日程……")
    path = ics.write(found, Path(out_dir))
    notes = [calendar.fallback_finding()] if calendar.fallback_years else []
    findings = [*notes, *holiday_findings, *ctx.settings.findings, *ctx.licenses.findings]
    report = Report("calendar", str(ctx.workbook or ctx.path or ""), ctx.today,
                    ctx.tracker.rows, [f for f in findings if f is not None])
    return ActionResult(report, [path], found)
