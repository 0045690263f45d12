"""Every xlsx beian writes prints on A4, one page wide, its header on every page, and no cell's text
is cut off: rendered by LibreOffice (an independent reader) and measured cell by cell.

The demo writes all four workbooks (findings.xlsx, 周报_<week>.xlsx, archive_index.xlsx,
documents.xlsx) once; one LibreOffice process converts them all to PDF.

"Visible" is measured here independently of the writers' own arithmetic: a Chinese character (East
Asian wide) is 2.1 digit widths (14.7 px at 11 pt against Calibri's 7 px digit), anything else 1;
text wraps greedily at spaces and between Chinese characters, as LibreOffice and Excel break it; a
wrapped line takes 15.5 pt. A cell that does not wrap (and every link: LibreOffice never wraps
one) must fit its column, or its merged range.
"""

from __future__ import annotations

import math
import re
import subprocess
import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import require_tool
from openpyxl.utils import get_column_letter

from pyaddin.cli.main import main

A4 = (595.0, 842.0)  # points, portrait; landscape is the same pair turned
LINE_PT = 15.5
WIDE = {"W", "F"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The demo's four workbooks and their PDFs (LibreOffice, one process for all)."""
    soffice = require_tool("soffice")
    root = tmp_path_factory.mktemp("pages")
    out = root / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    books = {"findings": out / "findings.xlsx", "weekly": next(out.glob("周报_*.xlsx")),
             "archive": out / "archive" / "archive_index.xlsx", "documents": out / "documents" / "documents.xlsx"}
    pdf_dir = root / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{root}/lo", "--convert-to", "pdf",
                    "--outdir", str(pdf_dir), *map(str, books.values())],
                   check=True, capture_output=True, timeout=300)
    return {kind: (path, pdf_dir / (path.stem + ".pdf")) for kind, path in books.items()}


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    pdfinfo = require_tool("pdfinfo")
    text = subprocess.run([pdfinfo, "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", text)]


def page_texts(pdf: Path, pages: int) -> list[str]:
    pdftotext = require_tool("pdftotext")
    return [subprocess.run([pdftotext, "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for i in range(1, pages + 1)]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def table_sheets(wb) -> dict[str, list[str]]:
    """Sheets printed as one table (header row repeated): name → their header texts."""
    out = {}
    for ws in wb.worksheets:
        if ws.print_title_rows and ws.print_title_rows.replace("$", "") == "1:1":
            out[ws.title] = [squash(str(c.value)) for c in ws[1] if c.value not in (None, "")
                             and ws.column_dimensions[c.column_letter].width != 0]
    return out


# ----------------------------------------------------------------------------- measuring a cell
def units(text: str, size: float = 11.0) -> float:
    return sum(2.1 if unicodedata.east_asian_width(ch) in WIDE else 1.0 for ch in text) * size / 11.0


def lines_needed(text: str, width: float, size: float = 11.0) -> int:
    """Greedy wrap: break at spaces and around Chinese characters; a word wider than the line breaks anywhere."""
    capacity = width - 1.0  # cell padding
    total = 0
    for paragraph in text.split("\n"):
        tokens = re.findall(r"[^\s\u2e80-\uffff]+|[\u2e80-\uffff]|\s+", paragraph)
        lines, used = 1, 0.0
        for token in tokens:
            w = units(token, size)
            if token.isspace():
                used += w
                continue
            if used + w <= capacity:
                used += w
            elif w <= capacity:
                lines, used = lines + 1, w
            else:  # a long token (a hash, a path): broken wherever the line is full
                lines += math.ceil((used + w) / capacity) - 1
                used = (used + w) % capacity
        total += lines
    return total


def shown(cell) -> str:
    value, fmt = cell.value, cell.number_format or ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return "2026-01-01 00:00:00" if "h" in fmt else "2026-01-01"
    if isinstance(value, date):
        return "2026-01-01"
    if isinstance(value, float):
        return f"{value * 100:.1f}%" if fmt.endswith("%") else f"{value:.2f}"
    return str(value)


def column_widths(ws) -> dict[int, float]:
    default = ws.sheet_format.defaultColWidth or 8.43
    widths = {}
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max:
            for c in range(dim.min, dim.max + 1):
                widths[c] = 0.0 if dim.hidden else (dim.width if dim.width is not None else default)
    return {c: widths.get(c, default) for c in range(1, ws.max_column + 1)}


def cut_cells(ws) -> list[str]:
    """Cells whose text a printout would not show whole."""
    widths = column_widths(ws)
    spans = {}
    covered = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = sum(widths[c] for c in range(rng.min_col, rng.max_col + 1))
        covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)}
    default_height = ws.sheet_format.defaultRowHeight or 15
    problems = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in (None, "") or not hasattr(cell, "column"):
                continue
            key = (cell.row, cell.column)
            width = spans.get(key, widths.get(cell.column, 8.43))
            if width == 0 or (key in covered and key not in spans):
                continue  # a hidden helper column, or inside a merged range
            text = shown(cell)
            size = cell.font.sz or 11.0
            indent = (cell.alignment.indent or 0) if isinstance(cell.value, int | float) else 0
            where = f"{ws.title}!{get_column_letter(cell.column)}{cell.row}"
            if cell.alignment.wrap_text and cell.hyperlink is None:
                lines = lines_needed(text, width, size)
                height = ws.row_dimensions[cell.row].height or default_height
                if lines > 1 and height < lines * LINE_PT * size / 11.0 - 1:
                    problems.append(f"{where}: {lines} lines in a {height} pt row: {text[:30]}")
            elif units(text, size) + indent > width - 0.5:
                problems.append(f"{where}: {units(text, size):.0f} wide in a {width:.0f} column, no wrap: {text[:30]}")
    return problems


# ----------------------------------------------------------------------------- the tests
KINDS = ["findings", "weekly", "archive", "documents"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_sheet_is_set_to_print_on_a4_one_page_wide(rendered, kind):
    xlsx, _ = rendered[kind]
    wb = openpyxl.load_workbook(xlsx)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert int(setup.paperSize or 0) == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(setup.fitToWidth if setup.fitToWidth is not None else 1) == 1, ws.title
        assert int(setup.fitToHeight if setup.fitToHeight is not None else 1) == 0, ws.title
    assert table_sheets(wb), "no sheet repeats its header row"


@pytest.mark.parametrize("kind", KINDS)
def test_libreoffice_prints_a4_pages_each_with_a_whole_header_row(rendered, kind):
    xlsx, pdf = rendered[kind]
    sizes = page_sizes(pdf)
    assert sizes, pdf
    assert all(sorted(size) == pytest.approx(sorted(A4), abs=2) for size in sizes), sizes
    texts = [squash(t) for t in page_texts(pdf, len(sizes))]
    tables = table_sheets(openpyxl.load_workbook(xlsx))
    for sheet, header in tables.items():
        row = "".join(header)  # the header row as LibreOffice prints it, left to right
        left, right = "".join(header[: len(header) // 2 + 1]), "".join(header[len(header) // 2:])
        pages = [i for i, t in enumerate(texts) if row in t]
        assert pages, f"{sheet}: its whole header row is on no page of {pdf.name}"
        # a page that prints the left or the right half of this header prints all of it: the table
        # was never split across the width of a page
        for i, t in enumerate(texts):
            others = ["".join(h) for name, h in tables.items() if name != sheet and "".join(h) in t]
            for half in (left, right):
                if half in t and not any(half in other for other in others) and len(half) > 4:
                    assert row in t, f"page {i + 1} of {pdf.name}: {sheet} cut across its width"


def test_page_counts_stay_small(rendered):
    """22 archived files printed on 25 portrait pages, 4 columns each, before the print setup."""
    counts = {kind: len(page_sizes(pdf)) for kind, (_, pdf) in rendered.items()}
    wb = openpyxl.load_workbook(rendered["archive"][0])
    archive_rows = sum(ws.max_row for ws in wb.worksheets)
    assert counts["archive"] <= math.ceil(archive_rows / 15) + len(wb.worksheets), counts
    assert counts["documents"] <= 4 and counts["findings"] <= 10, counts


@pytest.mark.parametrize("kind", KINDS)
def test_no_cell_text_is_cut_off(rendered, kind):
    xlsx, _ = rendered[kind]
    wb = openpyxl.load_workbook(xlsx)
    problems = [p for ws in wb.worksheets for p in cut_cells(ws)]
    assert problems == [], "\n".join(problems[:30])
