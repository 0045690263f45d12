"""Minimal Excel Binary Workbooks (.xlsb) written from scratch, for tests.

LibreOffice reads .xlsb but cannot write it, and no writer is a dependency, so the reader's .xlsb
path (a child process, `calamine_child.py`) had no file of its own. This writes one: BIFF12
records ([MS-XLSB] 2.1.4: a record type and a size, each a little-endian base-128 integer, then
the payload) in the zip package Excel uses. Only what readers need is written: the workbook's sheet
list, each sheet's dimension and cells, the shared-string table Excel puts strings in (or inline
BrtCellSt strings), and a style table whose only job is to mark date cells as dates. Excel itself
is not here to open the result; what vouches for it is that python-calamine and pyxlsb, two
independent readers, read back exactly what was written (test_reader_other_formats.py).

Record layouts follow [MS-XLSB] section 2.4 and what calamine's src/xlsb reader parses.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

# [MS-XLSB] 2.3 record types (the numbers the spec lists, not their encoded bytes)
BEGIN_BOOK, END_BOOK = 0x83, 0x84
BEGIN_BUNDLE_SHS, END_BUNDLE_SHS, BUNDLE_SH = 0x8F, 0x90, 0x9C
BEGIN_SHEET, END_SHEET = 0x81, 0x82
WS_DIM, BEGIN_SHEET_DATA, END_SHEET_DATA = 0x94, 0x91, 0x92
ROW_HDR, CELL_RK, CELL_BOOL, CELL_REAL, CELL_ST, CELL_ISST = 0x00, 0x02, 0x04, 0x05, 0x06, 0x07
BEGIN_SST, SST_ITEM, END_SST = 0x9F, 0x13, 0xA0
BEGIN_STYLE_SHEET, END_STYLE_SHEET = 0x116, 0x117
BEGIN_CELL_XFS, XF, END_CELL_XFS = 0x269, 0x2F, 0x26A

XF_GENERAL, XF_DATE, XF_DATETIME = 0, 1, 2
"""Cell styles written to styles.bin: built-in number formats 0 (General), 14 (a date) and 22
(a date and time); a number in a date style is how every spreadsheet stores a date."""
_XF_FORMATS = (0, 14, 22)
EPOCH = datetime(1899, 12, 30)
"""Day 0 of the 1900 date system (Excel's 1900 leap-year bug makes it the 30th, not the 31st)."""

NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

Cells = Mapping[tuple[int, int], object]
"""A sheet as (0-based row, 0-based column) → value; None is no cell."""


def varint(n: int) -> bytes:
    """[MS-XLSB] 2.1.4: 7 bits a byte, low bits first, the high bit saying another byte follows.
    Record types take at most 2 bytes (so up to 0x3FFF), sizes at most 4."""
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def record(kind: int, payload: bytes = b"") -> bytes:
    if kind > 0x3FFF or len(payload) >= 1 << 28:
        raise ValueError(f"record {kind:#x} of {len(payload)} bytes cannot be encoded")
    return varint(kind) + varint(len(payload)) + payload


def wide(text: str | None) -> bytes:
    """XLWideString (2.5.168): a count of UTF-16 code units, then the UTF-16LE text; None is the
    XLNullableWideString null (count 0xFFFFFFFF)."""
    if text is None:
        return struct.pack("<I", 0xFFFFFFFF)
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def cell_head(col: int, style: int = XF_GENERAL) -> bytes:
    """Cell (2.5.9): column, then a 24-bit iStyleRef and a byte of flags (fPhShow, reserved)."""
    return struct.pack("<II", col, style & 0xFFFFFF)


def rk(value: float) -> int | None:
    """The RkNumber (2.5.122) `value` is stored as, or None when it needs a whole Xnum (BrtCellReal).
    The forms are tried in the order Excel's own files show: the top 30 bits of the double (its
    low 34 bits zero: every date, every integer up to 2**19), then a 30-bit integer, each also of
    the value × 100. (calamine ignores the cell's date style for the integer form, which Excel
    uses only for serials past the year 3335.)"""
    for x100 in (0, 1):
        scaled = value * 100 if x100 else value
        if x100 and scaled / 100 != value:
            continue
        bits = struct.unpack("<Q", struct.pack("<d", scaled))[0]
        if bits & ((1 << 34) - 1) == 0:
            return (bits >> 32) | x100
        if scaled.is_integer() and -(1 << 29) <= scaled < 1 << 29:
            return (int(scaled) << 2) | 2 | x100
    return None


def serial(value: date) -> float:
    when = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return (when - EPOCH).total_seconds() / 86400


class _Strings:
    """The shared-string table: each distinct string once, cells refer to it by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.uses = 0

    def add(self, text: str) -> int:
        self.uses += 1
        return self.index.setdefault(text, len(self.index))

    def part(self) -> bytes:
        items = b"".join(record(SST_ITEM, b"\x00" + wide(s)) for s in self.index)  # RichStr, no runs
        return (record(BEGIN_SST, struct.pack("<II", self.uses, len(self.index))) + items
                + record(END_SST))


def cell(col: int, value, strings: _Strings | None) -> bytes:
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return record(CELL_BOOL, cell_head(col) + bytes([value]))
    style = XF_GENERAL
    if isinstance(value, date):
        style = XF_DATETIME if isinstance(value, datetime) and value.time() != datetime.min.time() else XF_DATE
        value = serial(value)
    if isinstance(value, int | float):
        packed = rk(float(value))
        if packed is not None:
            return record(CELL_RK, cell_head(col, style) + struct.pack("<I", packed & 0xFFFFFFFF))
        return record(CELL_REAL, cell_head(col, style) + struct.pack("<d", float(value)))
    if isinstance(value, str):
        if strings is not None:
            return record(CELL_ISST, cell_head(col) + struct.pack("<I", strings.add(value)))
        return record(CELL_ST, cell_head(col) + wide(value))
    raise TypeError(f"no .xlsb cell for {type(value).__name__}")


def row_header(row: int, cols: Iterable[int] = ()) -> bytes:
    """BrtRowHdr (2.4.726): row, style 0, height 300 twips (15 pt), 3 bytes of flags, then the
    row's first and last column in each 1024-column block that has any (BrtColSpan, 2.5.8)."""
    spans: dict[int, list[int]] = {}
    for c in cols:
        span = spans.setdefault(c >> 10, [c, c])
        span[0], span[1] = min(span[0], c), max(span[1], c)
    packed = b"".join(struct.pack("<II", *spans[block]) for block in sorted(spans))
    return record(ROW_HDR, struct.pack("<IIH3sI", row, 0, 300, bytes(3), len(spans)) + packed)


def sheet_part(cells: Cells, strings: _Strings | None) -> bytes:
    filled = {at: v for at, v in cells.items() if v is not None}
    if filled:
        rows = [r for r, _ in filled]
        cols = [c for _, c in filled]
        dim = (min(rows), max(rows), min(cols), max(cols))
    else:
        dim = (0, 0, 0, 0)
    out = [record(BEGIN_SHEET), record(WS_DIM, struct.pack("<4I", *dim)), record(BEGIN_SHEET_DATA)]
    by_row: dict[int, list[tuple[int, object]]] = {}
    for (r, c), v in sorted(filled.items()):
        by_row.setdefault(r, []).append((c, v))
    for r, row in by_row.items():
        out.append(row_header(r, (c for c, _ in row)))
        out.extend(cell(c, v, strings) for c, v in row)
    out += [record(END_SHEET_DATA), record(END_SHEET)]
    return b"".join(out)


def styles_part() -> bytes:
    # BrtXF (2.4.812): ixfeParent, iFmt, iFont, iFill, ixBorder, trot, indent, then flag bits
    xfs = b"".join(record(XF, struct.pack("<HHHHHBBI", 0, fmt, 0, 0, 0, 0, 0, 0)) for fmt in _XF_FORMATS)
    return (record(BEGIN_STYLE_SHEET) + record(BEGIN_CELL_XFS, struct.pack("<I", len(_XF_FORMATS))) + xfs
            + record(END_CELL_XFS) + record(END_STYLE_SHEET))


def grid(rows: Iterable[Iterable], extra: Cells | None = None) -> dict[tuple[int, int], object]:
    """Rows from A1 as cells, plus `extra` (0-based addresses) on top."""
    cells = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row)}
    cells.update(extra or {})
    return cells


def write_xlsb(path: Path, sheets: Mapping[str, Cells | list[list]], *, hidden: Iterable[str] = (),
               shared_strings: bool = True) -> Path:
    """An .xlsb with `sheets` (name → cells, or rows from A1) in order. Strings go to the
    shared-string table as Excel writes them, or with `shared_strings=False` inline in each cell
    (BrtCellSt, which Excel writes only for formulas' results and pyxlsb does not read)."""
    hidden = set(hidden)
    strings = _Strings() if shared_strings else None
    parts: dict[str, bytes] = {}
    bundle = []
    for i, (name, data) in enumerate(sheets.items(), start=1):
        cells = grid(data) if isinstance(data, list) else data
        parts[f"xl/worksheets/sheet{i}.bin"] = sheet_part(cells, strings)
        # BrtBundleSh (2.4.304): hsState (0 visible, 1 hidden), iTabID, strRelID, strName
        bundle.append(record(BUNDLE_SH, struct.pack("<II", int(name in hidden), i) + wide(f"rId{i}") + wide(name)))
    parts["xl/workbook.bin"] = (record(BEGIN_BOOK) + record(BEGIN_BUNDLE_SHS) + b"".join(bundle)
                                + record(END_BUNDLE_SHS) + record(END_BOOK))
    parts["xl/styles.bin"] = styles_part()
    n = len(sheets)
    rels = [(f"rId{i}", f"{REL}/worksheet", f"worksheets/sheet{i}.bin") for i in range(1, n + 1)]
    rels.append((f"rId{n + 1}", f"{REL}/styles", "styles.bin"))
    overrides = [(f"/xl/worksheets/sheet{i}.bin", "application/vnd.ms-excel.worksheet") for i in range(1, n + 1)]
    overrides.append(("/xl/styles.bin", "application/vnd.ms-excel.styles"))
    if strings is not None:
        parts["xl/sharedStrings.bin"] = strings.part()
        rels.append((f"rId{n + 2}", f"{REL}/sharedStrings", "sharedStrings.bin"))
        overrides.append(("/xl/sharedStrings.bin", "application/vnd.ms-excel.sharedStrings"))
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{NS_CT}">'
        '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", _rels([("rId1", f"{REL}/officeDocument", "xl/workbook.bin")]))
        zf.writestr("xl/_rels/workbook.bin.rels", _rels(rels))
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _rels(items: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{NS_REL}">{body}</Relationships>'
