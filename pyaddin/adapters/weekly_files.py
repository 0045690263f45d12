"""The weekly report's files: 周报_<week>.xlsx/.md/.txt/.png and the week's snapshot."""

from __future__ import annotations

from pathlib import Path

from ..reports.weekly import WeeklyReport, output_names
from .history import store
from .report_md import write_markdown, write_plain_text
from .report_png import write_chart_png
from .report_xlsx import write_report_xlsx


def write_outputs(report: WeeklyReport, out_dir: Path, *, history_dir: Path | None = None) -> list[Path]:
    """Write the report into `out_dir` and the week's snapshot into `history_dir` (default
    `<out_dir>/history`); returns the paths written.

    The PNG is best effort: without a working matplotlib the Markdown simply has no picture.
    """
    out_dir = Path(out_dir)
    names = output_names(report.week)
    written = [write_report_xlsx(report, out_dir / names["xlsx"])]
    png = write_chart_png(report, out_dir / names["png"])
    if png is not None:
        written.append(png)
    written.append(write_markdown(report, out_dir / names["md"], image=png.name if png else None))
    written.append(write_plain_text(report, (out_dir / names["md"]).with_suffix(".txt")))
    if report.store_snapshot:
        written.append(store(report.snapshot, history_dir or out_dir / "history", report.week))
    return written
