"""documents.xlsx: the index of the documents one `beian docs` run wrote.

Printed on A4 landscape, one page wide, header on every page; paths wrap and the 64-character
SHA-256 prints on two lines, rows sized for them (LibreOffice and WPS do not size rows themselves).
"""

from __future__ import annotations

from pathlib import Path

from ..run.safe_text import inside
from .output_files import atomic_write, memory_workbook, save_workbook
from .xlsx_pages import HEADER_PT, print_a4, row_height, wrapped_lines

INDEX_COLUMNS = ("备案编号", "平台", "文书", "格式", "路径", "SHA-256", "行")
WIDTHS = (14, 10, 14, 6, 40, 34, 6)
WRAPPED = (4, 5)
"""路径 and SHA-256 wrap; the other columns fit their width."""


def write_index(path: Path, documents: list, root: Path) -> Path:
    """One row per written file (any object with row, filing_id, platform, kind, format, path and
    sha256); user text is written as text, never a formula. Atomic; a file Excel holds open raises
    OutputLocked."""

    def write(tmp: Path) -> None:
        wb = memory_workbook()
        ws = wb.add_worksheet("文书索引")
        bold = wb.add_format({"bold": True, "bg_color": "#E7ECF3", "border": 1, "valign": "top"})
        text = wb.add_format({"valign": "top"})
        wrap = wb.add_format({"valign": "top", "text_wrap": True})
        for c, name in enumerate(INDEX_COLUMNS):
            ws.write_string(0, c, name, bold)
        ws.set_row(0, HEADER_PT)
        for r, d in enumerate(documents, start=1):
            rel = d.path.relative_to(root).as_posix() if inside(root, d.path) else str(d.path)
            values = (d.filing_id or "", d.platform or "", d.kind, d.format, rel, d.sha256)
            for c, value in enumerate(values):
                ws.write_string(r, c, value, wrap if c in WRAPPED else text)
            ws.write_number(r, 6, d.row, text)
            lines = max(wrapped_lines(rel, WIDTHS[4]), wrapped_lines(d.sha256, WIDTHS[5], fill=1.0))
            if lines > 1:
                ws.set_row(r, row_height(lines))
        for c, width in enumerate(WIDTHS):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        print_a4(ws)
        if documents:
            ws.autofilter(0, 0, len(documents), len(INDEX_COLUMNS) - 1)
        save_workbook(wb, tmp)

    return atomic_write(path, write)
