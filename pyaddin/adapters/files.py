"""Reading workbook files into the core's `Book`, with python-calamine (fast, read-only).

Calamine reads cached formula values and gives merged cells' value to the top-left cell only,
as SPEC §3 wants; it drops Excel error values, so a cheap scan of the sheet XML puts them back
(#N/A must be a finding on a required field, not an empty cell). Any file that cannot be read
raises `UnreadableWorkbook` with a one-line reason naming the file.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path, PurePosixPath

import python_calamine as pc

from ..errors import UnreadableWorkbook
from ..tracker.book import Book, CellError, Sheet
from . import sheet_split
from .output_files import register_input

MAX_UNCOMPRESSED = 1_500_000_000
"""Refuse workbooks that would expand beyond this (zip bombs); a 100k-row tracker is ~100 MB."""
MAX_RATIO = 100
"""…or whose parts are compressed more than this (ordinary sheets compress 5–20×)."""
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SUPPORTED = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


PASSWORD = ("工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再试。",
            "the workbook is password-protected (encrypted).")


def _fail(path: Path, zh: str, en: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"无法读取“{path.name}”：{zh} / Cannot read {path.name}: {en}")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise _fail(path, "文件不存在，请检查路径。", "file not found.")
    if path.is_dir():
        raise _fail(path, "这是一个文件夹，请指定工作簿文件。", "it is a folder.")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise _fail(path, "文件为空，请确认文件已完整保存。", "the file is empty.")
    if head.startswith(OLE_MAGIC) and suffix in {".xlsx", ".xlsm", ".xlsb"}:
        raise _fail(path, *PASSWORD)
    if suffix == ".csv":
        raise _fail(path, "这是 CSV 文本文件，请在 Excel 中另存为 .xlsx 后再试。", "CSV is not a workbook; save it as .xlsx.")
    if suffix not in SUPPORTED:
        raise _fail(path, f"不支持“{suffix or '无扩展名'}”文件，请使用 .xlsx 或 .xlsm 工作簿。", "unsupported file type.")
    if suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"}:
        if not head.startswith(ZIP_MAGIC):
            raise _fail(path, "文件内容不是 Excel 工作簿（可能是改了扩展名的其他文件），请用 Excel 另存为 .xlsx。",
                        "the content is not an Excel workbook.")
        _check_zip(path)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(path, "文件已损坏或不完整，请重新保存或从备份恢复。", f"the file is corrupt ({exc}).") from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED or (total > 50_000_000 and total / packed > MAX_RATIO):
        raise _fail(path, f"解压后体积异常（{total / 1e6:.0f} MB），可能是损坏或恶意文件，已拒绝读取。",
                    "it expands to an abnormal size (zip bomb?).")


_AHEAD: dict[Path, object] = {}


def read_ahead(path: str | Path) -> None:
    """Start reading a workbook in the background while the caller imports pandas and the core
    (~0.3 s in which calamine can already inflate and parse); `read_book` of the same path takes
    the result, or the exception, from there."""
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"} and path.is_file() and path not in _AHEAD:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="beian-ahead")
        _AHEAD[path] = pool.submit(_read_book, path)
        pool.shutdown(wait=False)


def read_book(path: str | Path) -> Book:
    ahead = _AHEAD.pop(Path(path), None)
    if ahead is not None:
        return ahead.result()
    return _read_book(Path(path))


def _read_book(path: Path) -> Book:
    register_input(path)
    _check_file(path)
    scan = big = None
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        # calamine drops error values; finding them means inflating the sheet XML a second time.
        # zlib releases the GIL, so that runs beside calamine's parse instead of after it. A big
        # sheet is inflated once, for both the scan and a parse split over the cores.
        big = _big_sheets(path)
        scan = _pool().submit(_error_cells, path, set(big))
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        sheets: dict[str, Sheet] = {}
        errors: list[tuple[str, int, int, CellError]] = []
        for meta in wb.sheets_metadata:
            if str(getattr(meta, "typ", "WorkSheet")).endswith("ChartSheet"):
                continue
            rows = None
            if big and meta.name in big:
                rows = _read_big(path, meta.name, big[meta.name], errors)
            try:
                if rows is None:
                    rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            except Exception:  # noqa: BLE001 - a chart or dialog sheet calamine cannot read
                continue
            hidden = not str(meta.visible).endswith("Visible")
            sheets[meta.name] = Sheet(meta.name, rows, hidden)
    except UnreadableWorkbook:
        raise
    except pc.PasswordError as exc:  # .xls with FILEPASS, .ods with encrypted parts
        raise _fail(path, *PASSWORD) from exc
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for corrupt files
        if scan is not None:
            scan.cancel()
        raise _fail(path, "文件已损坏或格式不正确，请用 Excel 打开确认后另存为 .xlsx。", f"{type(exc).__name__}: {exc}") from exc
    if scan is not None:
        _put_errors(sheets, scan.result() + errors)
    return Book(sheets, path)


PARSE_THREADS = max(1, min(os.cpu_count() or 1, 4))
"""Threads for one big sheet; worker processes that each read a whole workbook set it to 1."""


def parse_on_one_core() -> None:
    """For worker processes of a parallel run: the cores are already shared out by workbook."""
    global PARSE_THREADS
    PARSE_THREADS = 1


def _big_sheets(path: Path) -> dict[str, str]:
    """Sheet name → part, for the sheets whose XML is big enough to parse on several cores."""
    if PARSE_THREADS < 2:
        return {}
    try:
        with zipfile.ZipFile(path) as zf:
            sizes = {i.filename: i.file_size for i in zf.infolist()}
            if max(sizes.values(), default=0) < sheet_split.SPLIT_MIN_BYTES:
                return {}
            parts = _sheet_parts(zf)
    except Exception:  # noqa: BLE001 - the ordinary parse reports a broken package
        return {}
    return {name: part for name, part in parts.items() if sizes.get(part, 0) >= sheet_split.SPLIT_MIN_BYTES}


def _read_big(path: Path, name: str, part: str, errors: list) -> list[list[object]] | None:
    """The sheet parsed in slices (its error values added to `errors`), or None to parse it whole."""
    try:
        with zipfile.ZipFile(path) as zf:
            done = sheet_split.parse_split(zf, part, name, PARSE_THREADS, lambda xml: _errors_in(name, xml))
    except Exception:  # noqa: BLE001 - the whole-sheet parse then says what is wrong with the file
        return None
    if done is None:
        return None
    rows, found = done
    errors.extend(found)
    return rows


_POOL = None


def _pool():
    """One small thread pool per process for the error-value scans (several workbooks in one run)."""
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="beian-errors")
    return _POOL


def read_sheet_values(path: str | Path, name: str) -> list[list[object]] | None:
    """One sheet's values, read on its own (None when there is no such sheet). Unlike `read_book`,
    a sheet that cannot be parsed raises, so `beian doctor` can name it; other sheets do not matter."""
    wb = pc.CalamineWorkbook.from_path(str(path))
    if name not in wb.sheet_names:
        return None
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


_ERROR_CELL = re.compile(rb'<c\b([^>]*?)\bt="e"([^>]*)>(.*?)</c>', re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part path inside the package, from workbook.xml and its relationships."""
    from defusedxml import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = target
    out = {}
    for sheet in workbook.iter(f"{ns_main}sheet"):
        rid = sheet.get(f"{ns_rel}id")
        if rid in targets:
            out[sheet.get("name")] = targets[rid]
    return out


def _error_cells(path: Path, skip: set[str] = frozenset()) -> list[tuple[str, int, int, CellError]]:
    """(sheet, 0-based row, 0-based column, error) of every Excel error value (#N/A, #REF! …),
    except in the sheets of `skip` (scanned where they are parsed in slices)."""
    from defusedxml import DefusedXmlException

    found: list[tuple[str, int, int, CellError]] = []
    try:
        with zipfile.ZipFile(path) as zf:
            parts = _sheet_parts(zf)
            for name, part in parts.items():
                if name not in skip and _has_errors(zf, part):
                    found.extend(_errors_in(name, zf.read(part)))
    except DefusedXmlException as exc:  # Excel never writes DTDs: entity tricks (billion laughs, XXE)
        raise _fail(path, "工作簿含有不安全的 XML 实体声明（可能是恶意文件），已拒绝读取，请用 Excel 另存为新的 .xlsx。",
                    f"unsafe XML ({type(exc).__name__}).") from exc
    except (KeyError, zipfile.BadZipFile, OSError, SyntaxError):
        return found  # error values stay empty; the workbook itself was readable
    return found


ERROR_MARK = b't="e"'
CHUNK = 1 << 20


def _has_errors(zf: zipfile.ZipFile, part: str) -> bool:
    """Whether the part has any error cell, read in 1 MB pieces: most sheets have none, and holding a
    whole sheet's XML (~20 MB at 10k rows) beside calamine's parse would add to the run's peak memory."""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(CHUNK):
            if ERROR_MARK in tail + chunk[:len(ERROR_MARK)] or ERROR_MARK in chunk:
                return True
            tail = chunk[-len(ERROR_MARK):]
    return False


def _errors_in(name: str, data: bytes) -> list[tuple[str, int, int, CellError]]:
    if ERROR_MARK not in data:
        return []
    found = []
    for m in _ERROR_CELL.finditer(data):
        ref = _REF.search(m.group(1) + m.group(2))
        value = _VALUE.search(m.group(3))
        if ref and value:
            found.append((name, int(ref.group(2)) - 1, _col_index(ref.group(1)),
                          CellError(value.group(1).decode("utf-8", "replace"))))
    return found


def _put_errors(sheets: dict[str, Sheet], cells: list[tuple[str, int, int, CellError]]) -> None:
    """Put the error values back where calamine left empty strings."""
    for name, r, c, error in cells:
        if name not in sheets:
            continue
        rows = sheets[name].rows
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        row[c] = error


class FileReader:
    """Workbooks from files (python-calamine): the command line's and the Python API's reader."""

    def main(self, path: Path | None) -> Book:
        if path is None:
            raise UnreadableWorkbook("没有指定工作簿文件。 / No workbook given.")
        return read_book(path)

    def other(self, path: Path) -> Book:
        return read_book(path)
