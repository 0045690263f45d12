"""validate + deadlines: the findings about the tracker, and findings.xlsx when a folder is given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputLocked
from ..run.context import Context
from ..run.findings import DEADLINE_CODES, Report, sort_findings
from .result import ActionResult

FINDINGS_NAME = "findings.xlsx"


@dataclass
class CheckData:
    validation: Report | None
    """The validate part (None when not asked for)."""
    deadlines: Report | None
    """The deadlines part (None when not asked for)."""
    merged: list | None = None
    """Both parts' findings in report order, when both were asked for (the two parts are this list split)."""


def findings(ctx: Context, *, validation: bool = True, deadlines: bool = True) -> CheckData:
    """Compute without writing: the split the buttons show as 校验结果 and 到期提醒."""
    from ..compliance.validate import validate
    from ..deadlines.checks import deadline_findings

    v = validate(ctx) if validation else None
    d = deadline_findings(ctx) if deadlines else None
    if v is not None and d is not None:
        merged = v.merged(d, "check")
        sort_findings(merged.findings)  # merged's own list
        del v, d
        v = Report("validate", merged.workbook, merged.today, merged.rows,
                   [f for f in merged.findings if f.code not in DEADLINE_CODES])
        d = Report("deadlines", merged.workbook, merged.today, merged.rows,
                   [f for f in merged.findings if f.code in DEADLINE_CODES])
        return CheckData(v, d, merged.findings)  # both parts keep the merged order, already sorted
    return CheckData(v.sorted() if v else None, d.sorted() if d else None)


def run(ctx: Context, *, validation: bool = True, deadlines: bool = True, out_dir: Path | None = None,
        name: str = FINDINGS_NAME, keep_history: bool | None = None) -> ActionResult[CheckData]:
    """`check` (both), `validate` or `deadlines`; writes `<out_dir>/findings.xlsx` when out_dir is set.

    Keeps a snapshot of the rules in the workbook's history (`run.places`) when `keep_history`, or,
    left None, when an output folder is given or the history already exists (a bare `validate` writes
    nothing new); `check` (both parts) also adds `rule-changed` for rule changes it has not reported
    before (see `actions/rules_diff.py`).
    When findings.xlsx cannot be replaced (open in Excel), the result says so in `not_written`, so
    a door still shows the findings before it gives up.
    运行信息 takes the run's start and today (with where it came from) from the Context.
    """
    data = findings(ctx, validation=validation, deadlines=deadlines)
    changed = []
    if keep_history is None:
        keep_history = out_dir is not None or ctx.history_dir.is_dir()
    history_dir = ctx.history_dir if keep_history else None
    if history_dir is not None:
        from . import rules_diff

        if validation and deadlines:
            changed = rules_diff.rule_changed(ctx, history_dir)
            if changed:
                data.validation = Report(data.validation.command, data.validation.workbook, data.validation.today,
                                         data.validation.rows, [*data.validation.findings, *changed]).sorted()
        else:
            rules_diff.keep(ctx, history_dir)
    command = "check" if validation and deadlines else ("validate" if validation else "deadlines")
    parts = [r for r in (data.validation, data.deadlines) if r is not None]
    report = Report(command, str(ctx.workbook or ctx.path or ""), ctx.today, ctx.tracker.rows,
                    [f for r in parts for f in r.findings], run_at=ctx.run_at, system_today=ctx.system_today)
    if data.merged is not None and not changed:
        # the two parts are the sorted merged list split by code, and a stable sort of their concatenation
        # is that list again (findings that tie share their code, so their order stays): skip ~0.2 s at 100k
        report.findings = list(data.merged)
    else:
        report = report.sorted()
    written: list[Path] = []
    if out_dir is not None:
        from ..adapters.findings_xlsx import write_for_context

        try:
            written.append(write_for_context(Path(out_dir) / name, report, ctx, workbook=ctx.workbook))
        except OutputLocked as exc:
            return ActionResult(report, written, data, not_written=[exc])
    return ActionResult(report, written, data)

