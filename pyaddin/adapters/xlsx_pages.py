"""Print layout shared by the xlsx files beian writes: A4, one page wide, header row on every page,
and rows tall enough for the text they wrap.

Excel sizes a row to its wrapped text when it opens a file, but LibreOffice and WPS keep the height
the file gives (15 pt when none is given), which cuts every line below the first. So each writer
sets the height of a row that wraps, counted here the same way for every file.
"""

from __future__ import annotations

LINE_PT = 16.0
"""Points per line of wrapped 11 pt text: LibreOffice and WPS draw a line of Chinese about 16 pt high
(Noto Sans CJK, 等线), taller than Excel's 15 pt default row."""
HEADER_PT = 20.0
"""A one-line bold header with a border: at the 15 pt default LibreOffice clips its Chinese glyphs."""
MAX_PT = 409.0
"""Excel's highest row."""
FILL = 0.9
"""The share of a column's width a wrapped line is counted to fill: lines break at words, and a
Chinese character is a little wider than two digits in every office suite."""


def text_units(text: str) -> int:
    """Width in Excel's column units (one digit): a Chinese character counts 2."""
    return (len(text.encode("utf-8")) + len(text)) // 2


def wrapped_lines(text: str, width: float, fill: float = FILL) -> int:
    """Lines `text` takes when wrapped in a column `width` units wide (explicit line breaks count);
    `fill` 1.0 for text without spaces that breaks anywhere (a hash)."""
    per_line = max(1, int(width * fill))
    return sum(max(1, -(-text_units(part) // per_line)) for part in text.split("\n"))


def row_height(lines: int) -> float:
    """The height in points of a row showing `lines` lines of wrapped text."""
    return min(MAX_PT, LINE_PT * lines + 2)


def print_a4(ws, *, landscape: bool = True, repeat_header: bool = True) -> None:
    """An xlsxwriter worksheet printed on A4, fitted to one page wide (as many pages tall as it
    needs), the first row repeated on every page, page numbers in the footer."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if repeat_header:
        ws.repeat_rows(0)
    ws.set_footer("&C第 &P 页，共 &N 页")
