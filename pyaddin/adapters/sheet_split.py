"""Parse one big worksheet on several cores.

calamine parses a sheet on one thread (a 100k-row tracker's ~200 MB of sheet XML takes ~5 s, more
than half of `beian check`), but it releases the GIL while it parses. So a big sheet is cut at
`<row>` boundaries into N slices; each slice becomes a small stored (uncompressed) package with the
workbook's other parts (shared strings, styles, the 1904 flag); the slices are parsed in threads and
their rows stitched back exactly as `to_python(skip_empty_area=False)` of the whole sheet returns
them. The sheet XML is inflated once here, so the error-value scan reads the same bytes.

Anything unusual (rows or cells without an `r` address, a prefixed namespace, no sheetData) falls
back to the ordinary whole-sheet parse: the split is only an optimisation and must never change a
value.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
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


def cuts(data: bytes, slices: int) -> tuple[int, int, list[int]] | None:
    """(start of sheetData's content, its end, the slice boundaries) or None when the XML is not
    the plain, fully addressed form that can be cut without renumbering anything."""
    open_tag = data.find(b"<sheetData>")
    end = data.rfind(b"</sheetData>")
    if open_tag < 0 or end < 0:
        return None
    start = open_tag + len(b"<sheetData>")
    bounds = [start]
    for k in range(1, slices):
        at = data.find(b"<row ", start + (end - start) * k // slices, end)
        if at < 0 or at <= bounds[-1]:
            break
        bounds.append(at)
    bounds.append(end)
    if len(bounds) < 3:
        return None
    for at in bounds[1:-1]:
        # every slice must open on an addressed row whose first cell is addressed, or calamine
        # would number the slice's rows and cells from A1
        row_end = data.find(b">", at)
        if not _ROW_ADDRESS.match(data, at, row_end + 1):
            return None
        cell = _CELL.search(data, row_end, row_end + 4096)
        if cell and not _CELL_ADDRESS.match(data, cell.start(), data.find(b">", cell.start()) + 1):
            return None
    return start, end, bounds


def parse_split(zf: zipfile.ZipFile, part: str, sheet: str, data: bytes,
                workers: int) -> list[list[object]] | None:
    """The rows of `sheet` (whose XML `data` is `part` of the package `zf`), parsed in `workers`
    threads, or None when the XML cannot be cut safely (the caller then parses it whole)."""
    plan = cuts(data, workers)
    if plan is None:
        return None
    start, end, bounds = plan
    head = _DIMENSION.sub(b"", data[:start], count=1)  # the whole sheet's size would mislead a slice
    tail = data[end:]
    with tempfile.TemporaryDirectory(prefix="beian-split-") as tmp:
        packages = []
        others = [(info, zf.read(info)) for info in zf.infolist()
                  if info.filename != part and not info.is_dir()]
        for i in range(len(bounds) - 1):
            target = Path(tmp) / f"slice{i}.xlsx"
            with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
                for info, content in others:
                    if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                        content = _EMPTY_SHEET  # other sheets are parsed from the original package
                    out.writestr(info.filename, content)
                with out.open(part, "w") as fh:
                    fh.write(head)
                    fh.write(memoryview(data)[bounds[i]:bounds[i + 1]])
                    fh.write(tail)
            packages.append(target)
        with ThreadPoolExecutor(max_workers=len(packages), thread_name_prefix="beian-parse") as pool:
            slices = list(pool.map(lambda p: _parse(p, sheet), packages))
    return stitch(slices)


def _parse(package: Path, sheet: str) -> tuple[tuple[int, int], list[list[object]]]:
    parsed = pc.CalamineWorkbook.from_path(str(package)).get_sheet_by_name(sheet)
    rows = parsed.to_python(skip_empty_area=True) if parsed.height else []
    return tuple(parsed.start or (0, 0)), rows


def stitch(slices: list[tuple[tuple[int, int], list[list[object]]]]) -> list[list[object]]:
    """Rows from A1, every row as wide as the widest slice: what calamine gives for the whole sheet."""
    width = max((c0 + len(rows[0]) for (_, c0), rows in slices if rows), default=0)
    out: list[list[object]] = []
    for (r0, c0), rows in slices:
        if not rows:
            continue
        while len(out) < r0:
            out.append([""] * width)
        if c0 == 0 and len(rows[0]) == width:
            out.extend(rows)
            continue
        for row in rows:
            out.append([""] * c0 + row + [""] * (width - c0 - len(row)))
    return out
