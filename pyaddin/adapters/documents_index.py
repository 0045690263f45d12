"""documents.xlsx: the index of the documents one `beian docs` run wrote."""

from __future__ import annotations

from pathlib import Path

from ..run.safe_text import inside
from .output_files import atomic_write, memory_workbook, save_workbook

INDEX_COLUMNS = ("备案编号", "平台", "文书", "格式", "路径", "SHA-256", "行")
WIDTHS = (16, 10, 14, 6, 44, 66, 6)


def write_index(path: Path, documents: list, root: Path) -> Path:
    """One row per written file (any object with row, filing_id, platform, kind, format, path and
    sha256); user text is written as text, never a formula. Atomic; a file Excel holds open raises
    OutputLocked."""

    def write(tmp: Path) -> None:
        wb = memory_workbook()
        ws = wb.add_worksheet("文书索引")
        bold = wb.add_format({"bold": True, "bg_color": "#E7ECF3", "border": 1})
        for c, name in enumerate(INDEX_COLUMNS):
            ws.write_string(0, c, name, bold)
        for r, d in enumerate(documents, start=1):
            rel = d.path.relative_to(root).as_posix() if inside(root, d.path) else str(d.path)
            for c, value in enumerate((d.filing_id or "", d.platform or "", d.kind, d.format, rel, d.sha256)):
                ws.write_string(r, c, value)
            ws.write_number(r, 6, d.row)
        for c, width in enumerate(WIDTHS):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        if documents:
            ws.autofilter(0, 0, len(documents), len(INDEX_COLUMNS) - 1)
        save_workbook(wb, tmp)

    return atomic_write(path, write)
