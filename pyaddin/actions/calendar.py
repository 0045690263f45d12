"""`calendar`: every computed deadline as an event in <out_dir>/备案日程.ics.

Deadlines more than `schedule.PAST_DAYS` days past are left out; the result's `data` is a
`CalendarResult` so every door can say how many (never silently shorter than the tracker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..run.context import Context
from ..run.findings import Report
from .result import ActionResult


@dataclass
class CalendarResult:
    events: list = field(default_factory=list)
    past_left_out: int = 0
    """Deadlines older than PAST_DAYS days, not in the file."""
    past_days: int = 7


def run(ctx: Context, *, out_dir: Path, progress=None) -> ActionResult[CalendarResult]:
    from ..adapters import ics
    from ..deadlines.schedule import PAST_DAYS, current, events
    from ..deadlines.workdays import calendar_for

    calendar, holiday_findings = calendar_for(ctx.book)
    found, left_out = current(events(ctx, calendar), ctx.today)
    if progress:
        progress(f"正在写入 {len(found)} 个日程……")
    path = ics.write(found, Path(out_dir), now=ctx.run_at)  # DTSTAMP: when the run started
    notes = [calendar.fallback_finding()] if calendar.fallback_years else []
    findings = [*notes, *holiday_findings, *ctx.settings.findings, *ctx.licenses.findings]
    report = Report("calendar", str(ctx.workbook or ctx.path or ""), ctx.today,
                    ctx.tracker.rows, [f for f in findings if f is not None])
    return ActionResult(report, [path], CalendarResult(found, left_out, PAST_DAYS))
