"""安全承诺书 and 营销活动方案 for the chosen filings, plus the documents.xlsx index."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..context import Context
from ..findings import Report
from . import check
from .result import ActionResult


def run(ctx: Context, *, out_dir: Path, ids: Iterable[str] | None = None, rows: Iterable[int] | None = None,
        kind: str = "all", pdf: bool = False, force: bool = False, templates_dir: Path | None = None,
        checked: check.CheckData | None = None,
        progress: Callable[[int, int], None] | None = None) -> ActionResult:
    """Rows with error findings are refused unless `force`; `checked` reuses a check already run."""
    from ..documents import generate

    checked = checked or check.findings(ctx, validation=True, deadlines=False)
    result = generate(ctx, out_dir=Path(out_dir), ids=ids, rows=rows, kind=kind, pdf=pdf, force=force,
                      templates_dir=templates_dir, report=checked.validation)
    report = Report("docs", str(ctx.workbook or ctx.path or ""), ctx.today, ctx.tracker.rows, result.findings)
    written = [*result.written]
    if result.index_path is not None and result.index_path not in written:
        written.append(result.index_path)
    return ActionResult(report, written, result)
