"""findings.xlsx writers on the same report: the shipped one (rustpy-xlsxwriter) against XlsxWriter
writing the same rows and properties, and pyexcelerate (values only: it has no hyperlinks) when
installed. CPU seconds of the writer alone, then wall seconds; the check that makes the report is
not timed.

Run: `uv run python benchmarks/bench_findings_xlsx.py [--rows 100000]`
(`uv run --with pyexcelerate …` adds the third writer).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def report_for(rows: int):
    from pyaddin.actions import check
    from pyaddin.actions.loader import open_context
    from pyaddin.adapters.files import FileReader

    path = generate(rows)
    ctx = open_context(FileReader(), path, today=date(2026, 11, 20))
    return path, ctx, check.run(ctx).report


def captured_rows(report, path: Path, out: Path):
    """The sheets exactly as the shipped writer hands them to rustpy-xlsxwriter."""
    from pyaddin.adapters import findings_xlsx

    captured = {}
    real = findings_xlsx.write_worksheets
    findings_xlsx.write_worksheets = lambda data, target, **options: captured.update(data=data)
    try:
        findings_xlsx.write_findings(out / "unused.xlsx", report, path)
    finally:
        findings_xlsx.write_worksheets = real
    return captured["data"]


def with_xlsxwriter(data, target: Path) -> None:
    import xlsxwriter

    from pyaddin.adapters.findings_xlsx import LINK, LINK_TEXT, MAX_LINKS
    from pyaddin.adapters.output_files import xlsx_writer_options

    book = xlsxwriter.Workbook(str(target), xlsx_writer_options())
    text = book.add_format({"num_format": "@", "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    day = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    link = book.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
    for name, rows in data:
        ws = book.add_worksheet(name)
        cols = list(rows[0])
        ws.write_row(0, 0, cols)
        links = 0
        for r, row in enumerate(rows, 1):
            for c, key in enumerate(cols):
                value = row[key]
                if value is None:
                    continue
                if key == LINK and value.startswith("file:///") and links < MAX_LINKS:
                    links += 1
                    ws.write_url(r, c, "external:" + value[8:], link, string=row[LINK_TEXT])
                elif key == "说明":
                    ws.write_string(r, c, value, wrap)
                elif isinstance(value, date):
                    ws.write_datetime(r, c, value, day)
                elif isinstance(value, str):
                    ws.write_string(r, c, value, text)
                else:
                    ws.write_number(r, c, value)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows), len(cols) - 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
    book.close()


def with_pyexcelerate(data, target: Path) -> None:
    from pyexcelerate import Workbook

    book = Workbook()
    for name, rows in data:
        cols = list(rows[0])
        book.new_sheet(name, data=[cols] + [[row[k] for k in cols] for row in rows])
    book.save(str(target))


def timed(label: str, work) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    print(f"{label:48s} cpu {time.process_time() - cpu:6.2f} s   wall {time.perf_counter() - wall:6.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    from pyaddin.adapters.findings_xlsx import write_findings

    path, _, report = report_for(args.rows)
    print(f"tracker: {args.rows:,} rows, {len(report.findings):,} findings")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        timed("rustpy-xlsxwriter (shipped: rows + write)", lambda: write_findings(out / "a.xlsx", report, path))
        data = captured_rows(report, path, out)
        timed("XlsxWriter, same rows and properties (write)", lambda: with_xlsxwriter(data, out / "b.xlsx"))
        try:
            import pyexcelerate  # noqa: F401
        except ImportError:
            print("pyexcelerate: not installed (uv run --with pyexcelerate … to include it)")
        else:
            timed("pyexcelerate, values only (write)", lambda: with_pyexcelerate(data, out / "c.xlsx"))


if __name__ == "__main__":
    main()
