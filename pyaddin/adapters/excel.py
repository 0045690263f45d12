"""The xlwings glue for the buttons: read live sheets into the core's `Book`, write result blocks.

Every Excel call is a COM (Windows) or AppleScript (macOS) round trip, so the number of calls per
click must not depend on the number of rows: each sheet is read with one `.value` call and each
output block is written with one `.value` call; colours come from conditional-format rules on
whole columns, links from `=HYPERLINK()` formulas inside the block. Blocks that hold user text get
the text number format first, so a cell typed as `=HYPERLINK("http://…")` stays text.

The pure functions (`result_block`, `findings_block`, …) decide what to write; the `write_*`
functions only make the calls, so tests can check both.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..run.findings import SEVERITY_ORDER, SEVERITY_ZH, Finding, Report
from ..tracker.book import Book, Sheet, cell_ref, column_letter
from ..tracker.cells import EXCEL_ERRORS, CellError

RESULT_HEADERS = ("校验结果", "问题说明", "到期提醒")
OUTPUT_SHEETS = frozenset({"校验结果", "到期提醒", "归档索引", "周报"})
NOT_READ = OUTPUT_SHEETS | {"使用说明", "xlwings.conf"}
"""Sheets the core never needs: skipped when reading, so their size costs nothing."""

MARK = {"error": "✖", "warning": "⚠", "info": "ℹ"}
LABEL = {sev: f"{MARK[sev]} {SEVERITY_ZH[sev]}" for sev in MARK}
PASSED = "✔ 通过"
RED, YELLOW = "#FFC7CE", "#FFEB9C"
EXCEL_LAST_ROW = 1_048_576
MAX_CELL_TEXT = 2000

SOURCE_HEADER = "来源"
FINDING_HEADERS = ("位置", "工作表", "行", "备案编号", "活动名称", "字段", "值", "级别", "代码", "说明", "规则",
                   "到期日", "剩余工作日")


# ---------------------------------------------------------------------------------------------
# reading

_ADDRESS = re.compile(r"\$?([A-Z]+)\$?(\d+)")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell(value: object) -> object:
    if isinstance(value, str) and value in EXCEL_ERRORS:
        return CellError(value)
    return value


def pad_grid(values: list[list[object]] | None, address: str) -> list[list[object]]:
    """The used range's values placed so that row 0 is Excel row 1 and column 0 is column A."""
    first = _ADDRESS.search(address or "A1")
    top = int(first.group(2)) - 1 if first else 0
    left = _col_number(first.group(1)) if first else 0
    rows = [[None] * left + [_cell(v) for v in row] for row in (values or [])]
    if len(rows) == 1 and all(v is None for v in rows[0]):
        rows = []  # an empty sheet reports A1 as its used range
    return [[] for _ in range(top)] + rows


def read_sheet(xsheet) -> Sheet:
    """One sheet in one value call (plus the used range's address)."""
    used = xsheet.used_range
    address = used.address
    values = used.options(ndim=2, err_to_str=True).value
    return Sheet(xsheet.name, pad_grid(values, address))


def read_book(xbook, *, skip: frozenset[str] = NOT_READ) -> Book:
    """Every sheet the core may need (settings, tables, tracker, licenses), each in one call."""
    sheets = {}
    for xsheet in xbook.sheets:
        name = xsheet.name
        if name in skip:
            continue
        sheets[name] = read_sheet(xsheet)
    return Book(sheets=sheets, path=_book_path(xbook))


def _book_path(xbook) -> Path | None:
    try:
        full = Path(xbook.fullname)
    except Exception:  # noqa: BLE001 - some engines have no full name
        return None
    return full if full.is_absolute() else None


def find_open_book(xbook, target: Path):
    """The open workbook at `target` (by full path, else by file name), or None."""
    for other in xbook.app.books:
        full = str(other.fullname)
        if full == str(target) or other.name.casefold() == target.name.casefold():
            return other
    return None


def book_path(xbook) -> Path | None:
    """The workbook's full path, or None for an unsaved book (or an engine without one)."""
    return _book_path(xbook)


class LiveReader:
    """Workbooks from live Excel (xlwings): the buttons' reader.

    Keeps the xlwings book behind each `Book` it read, so a button writes its results into the
    workbook the tracker came from (`xbook_for`).
    """

    def __init__(self, xbook):
        self.xbook = xbook
        self.opened: dict[int, object] = {}

    def main(self, path: Path | None) -> Book:
        book = read_book(self.xbook)
        self.opened[id(book)] = self.xbook
        return book

    def other(self, path: Path) -> Book:
        other = find_open_book(self.xbook, path)
        if other is None:
            from ..errors import NotOpenInExcel

            raise NotOpenInExcel(f"“设置”中的工作簿“{path.name}”没有打开：请先在 Excel 中打开它，再点击按钮"
                                 "（或清空“台账文件”以使用本工作簿的台账）。 / Open the workbook in Excel first.")
        book = read_book(other)
        if book.path is None:
            book.path = path
        self.opened[id(book)] = other
        return book

    def xbook_for(self, book: Book | None):
        """The xlwings book a `Book` was read from (the calling workbook when unknown)."""
        return self.opened.get(id(book), self.xbook) if book is not None else self.xbook


# ---------------------------------------------------------------------------------------------
# deciding what to write


def worst(findings: list[Finding]) -> str | None:
    return min((f.severity for f in findings), key=SEVERITY_ORDER.__getitem__, default=None)


def _join(messages: list[str]) -> str:
    text = "；".join(dict.fromkeys(messages))
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


@dataclass
class ResultBlock:
    """Result columns for the tracker: `columns` header → column index, `values` from the header row down."""

    first_row: int  # Excel row of the header
    columns: dict[str, int]
    values: list[list[str]]
    reused: bool
    """Every result column was already there from an earlier run (its colour rules too)."""
    label_columns: list[str] = field(default_factory=list)
    partly_reused: bool = False
    """Some result columns were there, others are new."""

    @property
    def first_col(self) -> int:
        return min(self.columns.values())


def result_columns(tracker, headers: list[str], header_cells: list[object]) -> tuple[dict[str, int], bool, bool]:
    """Where each result column goes: its existing column from an earlier run, else right of the
    last non-empty header cell (the user's last column, or earlier result columns)."""
    existing = dict(tracker.result_columns)
    last = max((i for i, v in enumerate(header_cells) if v not in (None, "")), default=tracker.n_cols - 1)
    nxt = max(last + 1, tracker.n_cols)
    out = {}
    for h in RESULT_HEADERS:
        if h not in headers:
            continue
        if h in existing:
            out[h] = existing[h]
        else:
            out[h] = nxt
            nxt += 1
    kept = [h for h in out if h in existing]
    return out, bool(kept) and len(kept) == len(out), 0 < len(kept) < len(out)


def result_block(tracker, sheet: Sheet, validation: Report | None, deadlines: Report | None) -> ResultBlock:
    """The values of 校验结果/问题说明 (from `validation`) and 到期提醒 (from `deadlines`)."""
    headers = []
    if validation is not None:
        headers += ["校验结果", "问题说明"]
    if deadlines is not None:
        headers.append("到期提醒")
    header_cells = sheet.rows[tracker.header_row - 1] if sheet.n_rows >= tracker.header_row else []
    columns, reused, partly_reused = result_columns(tracker, headers, header_cells)
    last_row = max(sheet.n_rows, tracker.header_row, max(tracker.df.index, default=0))
    data_rows = set(tracker.df.index)

    def by_row(report: Report | None) -> dict[int, list[Finding]]:
        out: dict[int, list[Finding]] = {}
        for f in report.findings if report else []:
            if f.sheet == tracker.sheet and f.row is not None and f.row > tracker.header_row:
                out.setdefault(f.row, []).append(f)
        return out

    v_rows, d_rows = by_row(validation), by_row(deadlines)
    width = max(columns.values()) - min(columns.values()) + 1
    first = min(columns.values())
    values = [[""] * width for _ in range(last_row - tracker.header_row + 1)]
    for h, c in columns.items():
        values[0][c - first] = h
    for r in range(tracker.header_row + 1, last_row + 1):
        line = values[r - tracker.header_row]
        if r not in data_rows:
            continue
        if validation is not None:
            found = v_rows.get(r, [])
            sev = worst(found)
            line[columns["校验结果"] - first] = LABEL[sev] if sev else PASSED
            line[columns["问题说明"] - first] = _join([f.message for f in found])
        if deadlines is not None:
            found = d_rows.get(r, [])
            sev = worst(found)
            line[columns["到期提醒"] - first] = f"{MARK[sev]} {_join([f.message for f in found])}" if sev else ""
    label_cols = [h for h in ("校验结果", "到期提醒") if h in columns]
    return ResultBlock(tracker.header_row, columns, values, reused, label_cols, partly_reused)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def link_formula(sheet: str, row: int, col: int | None, book_file: str | None = None) -> str:
    """`=HYPERLINK("#'备案台账'!F12","F12")`: our own formula, never built from a cell's text."""
    ref = cell_ref(row, col or 0)
    target = f"{_quote_sheet(sheet)}!{ref}"
    target = f"[{book_file}]{target}" if book_file else f"#{target}"
    return '=HYPERLINK("{}","{}")'.format(target.replace('"', '""'), ref)


def plain(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return str(value)


def findings_block(report: Report, *, tracker_sheet: str | None = None, tracker_file: str | None = None,
                   several: bool = False, home: str | None = None) -> list[list[object]]:
    """Header + one row per finding; column A links to the cell (in another workbook when the
    tracker lives in `tracker_file`). `several` (a run over several trackers): a 来源 column, and
    each finding links into the file it is about, unless that is `home`, this workbook itself."""
    rows: list[list[object]] = [[*FINDING_HEADERS, SOURCE_HEADER] if several else list(FINDING_HEADERS)]
    for f in report.findings:
        link = ""
        if f.sheet and f.row is not None:
            if several:
                external = f.workbook if f.workbook and f.workbook != home else None
            else:
                external = tracker_file if (tracker_file and f.sheet == tracker_sheet) else None
            link = link_formula(f.sheet, f.row, f.column, external)
        row = [
            link, f.sheet or "", f.row if f.row is not None else "", plain(f.filing_id), plain(f.activity),
            plain(f.field), plain(f.value), LABEL[f.severity], f.code, f.message, plain(f.rule),
            plain(f.due), f.days_left if f.days_left is not None else "",
        ]
        if several:
            row.append(Path(f.workbook).name if f.workbook else "")
        rows.append(row)
    if len(rows) == 1:
        rows.append(["", "", "", "", "", "", "", "", "", "没有发现问题。", "", "", ""] + ([""] if several else []))
    return rows


# ---------------------------------------------------------------------------------------------
# writing (each function makes a fixed number of Excel calls)


def _runs(cols: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for c in sorted(cols):
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def write_result_block(xsheet, block: ResultBlock) -> None:
    """Text format and values per run of adjacent result columns (normally one run), then, on the
    first run only, two colour rules per run that holds a label column.

    Both label columns start with a severity mark (✖ 错误, ⚠ 到期…), so one rule per severity
    serves them both, and the rules reach the last Excel row so a re-run needs none: a click
    stays within the ten writes of docs/budgets.md even for 全部检查."""
    top = block.first_row
    bottom = top + len(block.values) - 1
    first = block.first_col
    runs = _runs(list(block.columns.values()))
    for run in runs:
        rng = xsheet.range((top, run[0] + 1), (bottom, run[-1] + 1))
        rng.number_format = "@"
        rng.value = [line[run[0] - first: run[-1] - first + 1] for line in block.values]
    if block.reused:
        return
    labels = {block.columns[h] for h in block.label_columns}
    for run in runs:
        if not labels & set(run):
            continue
        cells = xsheet.range((top + 1, run[0] + 1), (EXCEL_LAST_ROW, run[-1] + 1))
        if block.partly_reused:  # a column added beside earlier ones: replace their rules, don't stack
            cells.conditional_formats.clear()
        for severity, colour in (("error", RED), ("warning", YELLOW)):
            # INDIRECT("RC",FALSE) is the cell itself, whatever cell the rule is evaluated for
            cells.conditional_formats.add_custom(f'=LEFT(INDIRECT("RC",FALSE),1)="{MARK[severity]}"',
                                                 fill_color=colour)


def output_sheet(xbook, name: str):
    """The output sheet, emptied (contents, formats and rules) or newly added at the end."""
    for xsheet in xbook.sheets:
        if xsheet.name == name:
            xsheet.clear()
            return xsheet
    return xbook.sheets.add(name, after=xbook.sheets[len(xbook.sheets) - 1])


def write_findings_sheet(xbook, name: str, block: list[list[object]]):
    """Findings as one block: column A our link formulas, the rest text. 级别 carries its severity
    mark instead of colour rules, which would cost two more writes per sheet."""
    xsheet = output_sheet(xbook, name)
    n = len(block)
    width = len(block[0])
    xsheet.range((1, 2), (n, width)).number_format = "@"
    xsheet.range((1, 1), (n, width)).value = block
    return xsheet


def write_table_sheet(xbook, name: str, block: list[list[object]], *, text_from: int = 0):
    """A plain table (archive index, weekly report): columns from `text_from` on are text."""
    xsheet = output_sheet(xbook, name)
    n, width = len(block), max(len(r) for r in block)
    block = [list(r) + [""] * (width - len(r)) for r in block]
    if text_from < width:
        xsheet.range((1, text_from + 1), (n, width)).number_format = "@"
    xsheet.range((1, 1), (n, width)).value = block
    return xsheet


def set_status(xbook, text: str | bool) -> None:
    """Progress in Excel's status bar, where the engine has one (False restores Excel's own)."""
    try:
        xbook.app.status_bar = text
    except Exception:  # noqa: BLE001 - remote engines have no status bar
        pass


def status_progress(xbook, label: str, *, every: float = 1.0,
                    clock: Callable[[], float] = time.monotonic) -> Callable[[int, int], None]:
    """A `progress(done, total)` callback for the buttons: "label n / N" in Excel's status bar, at
    most once per `every` seconds (each write is a call into Excel), and always the last step."""
    last = [None]

    def progress(done: int, total: int) -> None:
        now = clock()
        if done < total and last[0] is not None and now - last[0] < every:
            return
        last[0] = now
        set_status(xbook, f"{label} {done} / {total}")

    return progress


def column_range_text(block: ResultBlock) -> str:
    cols = sorted(block.columns.values())
    return f"{column_letter(cols[0])}–{column_letter(cols[-1])}"


def selected_cell(xbook) -> tuple[str, int] | None:
    """(sheet name, Excel row) of the active cell, or None when nothing is selected."""
    try:
        selection = xbook.selection
    except Exception:  # noqa: BLE001 - an engine without a selection simply has none
        return None
    if selection is None:
        return None
    return selection.sheet.name, int(selection.row)
