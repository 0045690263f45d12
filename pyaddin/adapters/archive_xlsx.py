"""archive_index.xlsx: the archive index an auditor opens, with a link to every file.

Printed on A4 landscape, one page wide, header on every page: long paths, hashes and reasons wrap in
their columns (rows sized for them), so an auditor's printout holds every character on as few
pages as the rows need.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..archive.index import ArchiveFile
from ..tracker.values import as_text
from .output_files import atomic_write, memory_workbook, save_workbook
from .xlsx_pages import FILL, HEADER_PT, print_a4, row_height, text_units, wrapped_lines

MAX_LINKS = 65_000
"""Excel allows 65,530 hyperlinks per sheet; beyond that paths are written as plain text."""

INDEX_COLUMNS = [("备案编号", 14), ("台账行", 7), ("平台", 8), ("活动名称", 16), ("备案号", 15), ("状态", 8),
                 ("材料", 10), ("要求", 14), ("是否找到", 9), ("文件路径", 30), ("大小(字节)", 11),
                 ("SHA-256", 34), ("修改时间", 19)]
ORPHAN_COLUMNS = [("文件夹", 40), ("疑似备案编号", 16), ("文件数", 8), ("大小(字节)", 11), ("说明", 56)]
UNCLASSIFIED_COLUMNS = [("备案编号", 14), ("文件路径", 40), ("大小(字节)", 11), ("SHA-256", 34), ("修改时间", 19),
                        ("原因", 50)]
NO_FOLDER_COLUMNS = [("备案编号", 14), ("台账行", 7), ("平台", 8), ("活动名称", 20), ("状态", 8), ("应有材料", 36),
                     ("说明", 56)]
WRAPPED = {"活动名称", "材料", "要求", "文件路径", "SHA-256", "文件夹", "说明", "原因", "应有材料"}
"""Columns whose text wraps (a 64-character hash prints on two lines); the others fit their width."""
MAX_LINK_WIDTH = 100
"""A link column widens to its longest path up to this; a longer path shows its start."""
FILLS = {"缺失": "#FFC7CE", "格式不符": "#FFEB9C"}


def _text(value: object) -> str:
    return "" if value is None else as_text(value)


def link_target(target: Path, base: Path) -> str:
    """A hyperlink relative to the index's folder when possible.

    XlsxWriter writes `file:///` links Windows-style (`C:\\…`), which breaks POSIX absolute paths,
    and a relative link keeps working when the output folder and the archive move together.
    Another drive on Windows has no relative path, so that case keeps the absolute URI.
    """
    try:
        rel = os.path.relpath(target, base)
    except ValueError:
        return target.as_uri()
    return "external:" + rel


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Sheet:
    """One output sheet: header, widths, and a hyperlink budget shared by its rows."""

    def __init__(self, wb, name: str, columns, formats, base: Path):
        self.base = base
        self.ws = wb.add_worksheet(name)
        self.f = formats
        self.links = 0
        self.row = 1
        self.lines = 1
        self.link_width: dict[int, int] = {}
        self.ncols = len(columns)
        self.widths = {i: width for i, (_, width) in enumerate(columns)}
        self.wrapped = {i for i, (c, _) in enumerate(columns) if c in WRAPPED}
        self.hashes = {i for i, (c, _) in enumerate(columns) if c == "SHA-256"}
        self.ws.write_row(0, 0, [c for c, _ in columns], formats["header"])
        self.ws.set_row(0, HEADER_PT)
        for i, (_, width) in enumerate(columns):
            self.ws.set_column(i, i, width)
        self.ws.freeze_panes(1, 0)
        print_a4(self.ws)

    def _fits(self, col: int, text: str) -> None:
        if col in self.wrapped:
            fill = 1.0 if col in self.hashes else FILL  # a hash breaks anywhere, not at words
            self.lines = max(self.lines, wrapped_lines(text, self.widths[col], fill))

    def next_row(self) -> None:
        """Size the finished row for its tallest wrapped cell and move to the next."""
        if self.lines > 1:
            self.ws.set_row(self.row, row_height(self.lines))
        self.row += 1
        self.lines = 1

    def text(self, col: int, value: object) -> None:
        text = _text(value)
        self._fits(col, text)
        self.ws.write_string(self.row, col, text, self.f["wrap" if col in self.wrapped else "text"])

    def number(self, col: int, value) -> None:
        if value is not None:
            self.ws.write_number(self.row, col, value, self.f["number"])

    def when(self, col: int, value) -> None:
        if value is not None:
            self.ws.write_datetime(self.row, col, value, self.f["datetime"])

    def path(self, col: int, rel: str, target: Path | None) -> None:
        if target is not None and self.links < MAX_LINKS:
            url = link_target(target, self.base)
            if len(url) <= 2079 and url.isprintable() and _utf8(url):  # a name not UTF-8 cannot be a link
                # LibreOffice never wraps a link cell: the column widens to the longest link instead
                self.link_width[col] = max(self.link_width.get(col, 0), text_units(rel) + 2)
                self.ws.write_url(self.row, col, url, self.f["link"], string=rel, tip="打开文件")
                self.links += 1
                return
        self.text(col, rel)

    def done(self) -> None:
        for col, width in self.link_width.items():
            if width > self.widths[col]:
                self.ws.set_column(col, col, min(width, MAX_LINK_WIDTH))
        self.ws.autofilter(0, 0, max(self.row - 1, 1), self.ncols - 1)
        self.row += 1


def write_archive_index(path: Path, result, ctx) -> Path:
    """Write archive_index.xlsx atomically: 归档索引, 孤立文件夹, 未归类文件, 无文件夹的备案."""


    base = Path(path).resolve().parent

    def write(tmp: Path) -> None:
        wb = memory_workbook()
        wb.set_properties({"title": "beian 归档索引", "comments": f"{result.root} {ctx.today.isoformat()}"})
        formats = {
            "header": wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "valign": "top"}),
            "text": wb.add_format({"num_format": "@", "valign": "top"}),
            "wrap": wb.add_format({"num_format": "@", "valign": "top", "text_wrap": True}),
            "number": wb.add_format({"valign": "top", "align": "right", "indent": 1}),
            "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss", "valign": "top"}),
            "link": wb.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top", "text_wrap": True}),
        }

        s = _Sheet(wb, "归档索引", INDEX_COLUMNS, formats, base)
        for r in result.index:
            fl = r.filing
            s.text(0, fl.filing_id)
            s.number(1, fl.row)
            s.text(2, fl.platform)
            s.text(3, fl.activity)
            s.text(4, fl.approval_no)
            s.text(5, fl.status)
            s.text(6, r.material)
            s.text(7, r.required or "（非必需）")
            s.text(8, r.found)
            if r.file is not None:
                s.path(9, r.file.rel, r.file.path)
                s.number(10, r.file.size)
                s.text(11, r.file.sha256 or "无法读取")
                s.when(12, r.file.mtime)
            s.next_row()
        last = max(s.row - 1, 1)
        for label, color in FILLS.items():
            s.ws.conditional_format(1, 0, last, s.ncols - 1, {
                "type": "formula", "criteria": f'=$I2="{label}"', "format": wb.add_format({"bg_color": color})})
        s.done()

        s = _Sheet(wb, "孤立文件夹", ORPHAN_COLUMNS, formats, base)
        for o in result.orphans:
            s.path(0, o.rel, o.path)
            s.text(1, o.probable_id)
            s.number(2, o.files)
            s.number(3, o.size)
            s.text(4, "台账中没有以此文件夹名开头的备案编号，请核对文件夹名中的编号或在台账中补登该备案。")
            s.next_row()
        s.done()

        s = _Sheet(wb, "未归类文件", UNCLASSIFIED_COLUMNS, formats, base)
        for item, reason in result.unclassified:
            if isinstance(item, ArchiveFile):
                s.text(0, item.filing)
                s.path(1, item.rel, item.path)
                s.number(2, item.size)
                s.text(3, item.sha256 or "无法读取")
                s.when(4, item.mtime)
            else:
                s.text(1, item.rel)
            s.text(5, reason)
            s.next_row()
        s.done()

        s = _Sheet(wb, "无文件夹的备案", NO_FOLDER_COLUMNS, formats, base)
        for fl in result.no_folder:
            s.text(0, fl.filing_id)
            s.number(1, fl.row)
            s.text(2, fl.platform)
            s.text(3, fl.activity)
            s.text(4, fl.status)
            s.text(5, "、".join(fl.expected))
            s.text(6, f"归档根目录下没有以“{fl.filing_id}”开头的文件夹；备案通过后请建立该文件夹并放入全部材料。")
            s.next_row()
        s.done()
        save_workbook(wb, tmp)

    return atomic_write(Path(path), write)
