"""Read an .xls, .xlsb or .ods workbook's cells in a process of its own (run as a script).

These formats cannot be surveyed before calamine parses them (it builds each sheet's whole grid,
from A1 to the farthest cell, as it opens or selects the sheet), so one value at a far address can
ask for gigabytes (IV65536 in an .xls: 1.2 GB; AAA100000 in an .ods: 5 GB) or make the allocation
fail, and Rust then aborts the process (SIGABRT cannot be caught). Here that happens in a child
with a bounded address space and no core file; the parent (`files._read_in_child`) turns its death
into a one-line refusal. A sheet whose grid is far larger than its values comes back row by row
with the empty tails dropped, so what crosses to the parent grows with the values, not the grid.

Imports only python-calamine and the standard library (the child starts in ~50 ms).
Usage: python calamine_child.py PATH MEMORY_BYTES DENSE_CELLS; writes one pickle to stdout:
("ok", [(name, visible, "rows" | "error", rows | reason), ...]) or ("fail", type name, message).
"""

from __future__ import annotations

import pickle
import sys


def limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the abort still ends only this process
        return
    for what, value in ((resource.RLIMIT_AS, limit), (resource.RLIMIT_CORE, 0)):
        try:
            soft, hard = resource.getrlimit(what)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(what, (value, hard))
        except (ValueError, OSError):
            pass


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def sheet_rows(sheet, dense: int) -> list:
    """Every row from A1 as calamine gives it; past `dense` cells of grid, rows without their
    trailing blanks (and empty rows as empty tuples) so that only the values travel."""
    if sheet.height * sheet.width <= dense:
        return sheet.to_python(skip_empty_area=False)
    rows: list = []
    end_row, end_col = sheet.end or (sheet.height - 1, sheet.width - 1)
    for row in sheet.iter_rows():
        end = len(row)
        while end and row[end - 1] == "":
            end -= 1
        pad = end_col + 1 - len(row)  # iter_rows starts at the grid's first column, to_python at A
        rows.append(([""] * pad + row[:end] if pad > 0 else row[:end]) if end else ())
    if len(rows) < end_row + 1:  # …and, in some versions, at its first row
        rows[:0] = [()] * (end_row + 1 - len(rows))
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read(path: str, dense: int) -> tuple:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(path)
    except BaseException as exc:  # noqa: BLE001 - a panic (BaseException) too: the parent says which
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return "fail", type(exc).__name__, first_line(exc)
    out = []
    for meta in wb.sheets_metadata:
        if not str(getattr(meta, "typ", "WorkSheet")).endswith("WorkSheet"):
            continue  # chart, dialog and macro sheets hold no tracker
        visible = str(meta.visible).endswith("Visible")
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet_rows(sheet, dense)
            del sheet
            out.append((meta.name, visible, "rows", rows))
        except BaseException as exc:  # noqa: BLE001 - one sheet calamine cannot parse (or panics on)
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            out.append((meta.name, visible, "error", f"{type(exc).__name__}: {first_line(exc)}"))
    return "ok", out


def main() -> None:
    path, memory, dense = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limit_memory(memory)
    result = read(path, dense)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
