"""Parse one big worksheet on several cores.

calamine parses a sheet on one thread (a 100k-row tracker's ~200 MB of sheet XML takes ~5 s, more
than half of `beian check`), but it releases the GIL while it parses. So a big sheet is cut at
`<row>` boundaries into N slices while it is inflated; each slice becomes a small stored
(uncompressed) package with the workbook's other parts (shared strings, styles, the 1904 flag) and
is parsed in a thread as soon as it is complete; the slices' rows are stitched back exactly as
`to_python(skip_empty_area=False)` of the whole sheet returns them. The error-value scan reads each
slice's XML too, so the sheet is inflated once.

Rows may come in any order: each slice is put back by its rows' addresses (calamine's `start`).
Anything unusual (rows or cells without an `r` address, a prefixed namespace, no sheetData) falls
back to the ordinary whole-sheet parse: the split is only an optimisation and must never change a
value."""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import python_calamine as pc

SPLIT_MIN_BYTES = 8_000_000
"""Sheet XML below this (≈4k rows of 40 columns) parses in a tenth of a second: not worth a split.
At 10k rows (~20 MB) the split saves ~0.14 s of a 0.47 s read; at 100k (~200 MB) ~1.5 s of 5 s."""

_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_ROW_ADDRESS = re.compile(rb'<row\b[^>]*?\sr="\d+"')
_CELL = re.compile(rb"<c[\s>/]")
_CELL_ADDRESS = re.compile(rb'<c\b[^>]*?\sr="[A-Z]+\d+"')
_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')


READ = 4 << 20
"""Inflate the sheet XML in pieces of this size, so the first slice is parsed while the rest inflates."""
LOOKAHEAD = 1 << 16
"""Bytes past a cut that must be inflated before cutting: the row tag and its first cell."""
END = b"</sheetData></worksheet>"
"""What follows each slice's rows: nothing after sheetData (merges, page setup …) changes a value."""


def safe_cut(data: bytes | bytearray, at: int) -> bool:
    """Whether a slice may open at `at` (a `<row `): an addressed row whose first cell is addressed,
    else calamine would number the slice's rows and cells from A1."""
    row_end = data.find(b">", at)
    if row_end < 0 or not _ROW_ADDRESS.match(data, at, row_end + 1):
        return False
    cell = _CELL.search(data, row_end, row_end + 4096)
    return not cell or bool(_CELL_ADDRESS.match(data, cell.start(), data.find(b">", cell.start()) + 1))


def parse_split(zf: zipfile.ZipFile, part: str, sheet: str, workers: int,
                scan: Callable[[bytes], list],
                guard: Callable[[bytes], None] | None = None) -> tuple[list[list[object]], list] | None:
    """The rows of `sheet` (`part` of the package `zf`) parsed in `workers` slices, and what `scan`
    found in each slice's XML; None when the XML cannot be cut safely (then parse it whole).

    Each slice is handed to a thread as soon as it is inflated, so parsing overlaps inflating;
    `guard` sees each slice's XML in that thread before calamine does, and may raise to stop."""
    size = zf.getinfo(part).file_size
    others = [(info.filename, _EMPTY_SHEET if _is_sheet(info.filename) else zf.read(info))
              for info in zf.infolist() if info.filename != part and not info.is_dir()]
    with tempfile.TemporaryDirectory(prefix="beian-split-") as tmp, \
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="beian-parse") as pool:
        jobs = []

        def hand_over(xml: bytes) -> None:
            package = Path(tmp) / f"slice{len(jobs)}.xlsx"
            jobs.append(pool.submit(_slice, package, others, part, head, xml, sheet, scan, guard))

        data = bytearray()
        head = None
        begin = 0
        dropped = 0  # bytes of the XML already handed over and cut off the front of `data`
        with zf.open(part) as fh:
            while True:
                chunk = fh.read(READ)
                data += chunk
                if head is None:
                    at = data.find(b"<sheetData>")
                    if at < 0:
                        if chunk:
                            continue
                        return None
                    begin = at + len(b"<sheetData>")
                    head = _DIMENSION.sub(b"", bytes(data[:begin]), count=1)  # the whole sheet's size
                while len(jobs) < workers - 1:
                    target = size * (len(jobs) + 1) // workers
                    if chunk and dropped + len(data) < target + LOOKAHEAD:
                        break  # inflate more first
                    at = data.find(b"<row ", max(begin, target - dropped))
                    if at < 0:
                        break
                    if not safe_cut(data, at):
                        return None
                    with memoryview(data) as view:
                        hand_over(bytes(view[begin:at]))
                    del data[:at]  # the handed-over rows are not held twice (O(1) at a bytearray's front)
                    dropped += at
                    begin = 0
                if not chunk:
                    break
        end = data.rfind(b"</sheetData>")
        if end < begin or not jobs:
            return None
        with memoryview(data) as view:
            hand_over(bytes(view[begin:end]))
        del data
        done = [job.result() for job in jobs]
    return stitch([d[0] for d in done]), [x for d in done for x in d[1]]


def _is_sheet(name: str) -> bool:
    # other sheets are parsed from the original package: a slice needs only their names
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _slice(package: Path, others: list[tuple[str, bytes]], part: str, head: bytes, xml: bytes, sheet: str,
           scan: Callable[[bytes], list], guard: Callable[[bytes], None] | None = None):
    if guard is not None:
        guard(xml)
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as out:
        for name, content in others:
            out.writestr(name, content)
        with out.open(part, "w") as fh:
            fh.write(head)
            fh.write(xml)
            fh.write(END)
    found = scan(xml)
    return _parse(package, sheet), found


def _parse(package: Path, sheet: str) -> tuple[tuple[int, int], list[list[object]]]:
    parsed = pc.CalamineWorkbook.from_path(str(package)).get_sheet_by_name(sheet)
    rows = parsed.to_python(skip_empty_area=True) if parsed.height else []
    return tuple(parsed.start or (0, 0)), rows


def stitch(slices: list[tuple[tuple[int, int], list[list[object]]]]) -> list[list[object]]:
    """Rows from A1, every row as wide as the widest slice: what calamine gives for the whole sheet.

    Each slice is placed by its rows' addresses, not by its place in the XML: Excel may write rows
    out of order, and then a slice's rows fall among rows already placed (values merged cell by cell)."""
    width = max((c0 + len(rows[0]) for (_, c0), rows in slices if rows), default=0)
    out: list[list[object]] = []

    def full(row: list[object], c0: int) -> list[object]:
        return [""] * c0 + row + [""] * (width - c0 - len(row)) if c0 or len(row) != width else row

    for (r0, c0), rows in slices:
        if not rows:
            continue
        if r0 >= len(out):  # in order: the usual case
            while len(out) < r0:
                out.append([""] * width)
            if c0 == 0 and len(rows[0]) == width:
                out.extend(rows)
            else:
                out.extend(full(row, c0) for row in rows)
            continue
        for i, row in enumerate(rows):
            r = r0 + i
            while len(out) < r:
                out.append([""] * width)
            if r == len(out):
                out.append(full(row, c0))
                continue
            target = out[r]
            for j, v in enumerate(row, c0):
                if v != "":
                    target[j] = v
    return out
