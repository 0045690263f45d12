"""Reading workbook files into the core's `Book`, with python-calamine (fast, read-only).

Calamine reads cached formula values and gives merged cells' value to the top-left cell only,
as docs/tracker.md wants; it drops Excel error values, so a cheap scan of the sheet XML puts them back
(#N/A must be a finding on a required field, not an empty cell). Any file that cannot be read
raises `UnreadableWorkbook` with a one-line reason naming the file.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import sys
import tempfile
import threading
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import python_calamine as pc

from ..errors import UnreadableSheet, UnreadableWorkbook
from ..tracker.book import Book, Sheet, column_letter
from ..tracker.cells import CellError
from . import sheet_split
from .output_files import register_input

MAX_UNCOMPRESSED = 1_500_000_000
"""Refuse workbooks that would expand beyond this (zip bombs); a 100k-row tracker is ~100 MB."""
MAX_RATIO = 100
"""…or whose parts are compressed more than this (ordinary sheets compress 5–20×)…"""
RATIO_FLOOR = 20_000_000
"""…once they expand beyond this: a 188 KB file whose 45 MB sheet held 450k near-empty rows took 9 GB."""
ROW_FLOOR = 20_000
"""Rows holding a value that any workbook may have (`check` costs ~30 KB per row: 20k near-empty
rows with 9 findings each peaked at 670 MB)…"""
MIN_BYTES_PER_ROW = 32
"""…and beyond that, at least this many bytes of file per row, so that no file under 1 MB can make
`check` pass 1 GB (31k near-empty rows in 0.99 MB: 920 MB). A plain seven-column tracker row takes
~43 bytes, a realistic one ~185 (benchmarks/generate.py); the bombs of issue 25 under one byte."""
DENSE_FLOOR = 1_000_000
"""Cells (values and blanks, from A1) a sheet may span whatever it holds: ~40 MB while calamine reads it."""
DENSE_PER_CELL = 4
"""Beyond that, a sheet may span this many cells per cell it writes, else it is read cell by cell:
calamine allocates the whole rectangle from A1 to the farthest cell (one value at XFD1048576 asked
for 549 GB and aborted the process)."""
SLICE_AREA = 1_000_000
"""Cells one slice of a sparse sheet may span (its rows from first to last, its columns likewise)."""
MAX_SLICES = 200
"""Slices a sparse sheet may need; more means values scattered all over it, refused with a reason."""
MAX_ROW, MAX_COL = 1_048_576, 16_384
"""Excel's limits: an address beyond them is not a cell Excel can hold."""
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SUPPORTED = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


PASSWORD = ("工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再试。",
            "the workbook is password-protected (encrypted).")


def _fail(path: Path, zh: str, en: str) -> UnreadableWorkbook:
    name = display_name(path)
    return UnreadableWorkbook(f"无法读取“{name}”：{zh} / Cannot read {name}: {en}")


def _check_file(path: Path) -> None:
    if _not_utf8(path):
        raise UnreadableWorkbook(
            f"无法读取“{display_name(path)}”：文件名含有非 UTF-8 编码的字符（常见于在 Linux 上解压的 GBK 压缩包），"
            f"请把文件改成正常的中文或英文名后再试。 / Cannot read {display_name(path)}: the file name is not valid UTF-8; "
            f"rename the file.")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _fail(path, "文件不存在，请检查路径。", "file not found.") from None
    except OSError as exc:
        raise _fail(path, f"无法访问文件（{exc.strerror or exc}），请检查路径和权限。", f"cannot access it ({exc}).") from exc
    if stat.S_ISDIR(info.st_mode):
        raise _fail(path, "这是一个文件夹，请指定工作簿文件。", "it is a folder.")
    if not stat.S_ISREG(info.st_mode):
        # a FIFO or a device would block the read (or never end): refused before it is opened
        raise _fail(path, "这不是普通文件（可能是管道或设备文件），请指定保存在磁盘上的工作簿文件。",
                    "it is not a regular file (a pipe or a device).")
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


def _not_utf8(path: Path) -> bool:
    """A name undecodable as UTF-8 arrives with surrogate escapes (PEP 383); calamine cannot open
    it (it reported “os error 2”), and every output naming it would fail to encode."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def display_name(path: Path) -> str:
    """The file's name as it can be printed: undecodable bytes shown as \\xNN."""
    return os.fsencode(path.name).decode("utf-8", "backslashreplace")


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(path, "文件已损坏或不完整，请重新保存或从备份恢复。", f"the file is corrupt ({exc}).") from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED or (total > RATIO_FLOOR and total / packed > MAX_RATIO):
        raise _fail(path, f"解压后体积异常（{total / 1e6:.0f} MB），可能是损坏或恶意文件，已拒绝读取。",
                    "it expands to an abnormal size (zip bomb?).")


_AHEAD: dict[Path, object] = {}


MMAP_THRESHOLD = 4 << 20
"""Allocations of at least this many bytes get pages of their own, given back when freed (below).
At 1 MB the 10k-row peak was 2 MB lower but each run paid ~0.1 s of system time in page faults
(fresh pages for every mid-sized block); at 16 MB the peak came back up to 161 MB."""
_heap_bounded = False


def bound_heap() -> None:
    """Fix glibc's mmap threshold at 4 MB for the rest of the process.

    glibc starts at 128 KB but raises the threshold to the size of each big block freed (up to
    32 MB); after the first sheet XML piece or calamine cell grid is freed, the next ones come from
    the heap of whichever thread reads, and that heap keeps its peak, fragmented over the reading
    threads' arenas. `check` on 10k rows peaked at 200 MB with that, 148 MB without it (calamine's
    own read of the cells: 65 MB). A fixed threshold also stops the raising."""
    global _heap_bounded
    if _heap_bounded or not sys.platform.startswith("linux"):
        return
    _heap_bounded = True
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError, TypeError):  # not glibc (musl has no mallopt): nothing to fix
        pass


def read_ahead(path: str | Path) -> None:
    """Start reading a workbook in the background while the caller imports pandas and the core
    (~0.3 s in which calamine can already inflate and parse); `read_book` of the same path takes
    the result, or the exception, from there."""
    path = Path(path)
    bound_heap()
    if path.suffix.lower() in {".xlsx", ".xlsm"} and not _not_utf8(path) and path.is_file() and path not in _AHEAD:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="beian-ahead")
        _AHEAD[path] = pool.submit(_read_book_quietly, path)
        pool.shutdown(wait=False)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def workbooks_in(folder: Path) -> list[Path]:
    """The workbooks directly in `folder`, sorted; Excel's ~$ lock files and anything else skipped."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$"))


def release_freed() -> None:
    """Hand the heap's free pages back to the system (glibc's `malloc_trim`).

    Reading and building the tracker's frames leave calamine's parse buffers, the XML pieces and
    pandas' temporaries freed but resident in glibc's heaps (below `bound_heap`'s threshold they
    are not separate mappings), and Python's own small objects — the findings — come from other
    memory, so they land on top of it. The loader calls this once the Context is built: on a
    1 MB file of near-empty rows it was ~10 MB of the run's peak; the call takes about a millisecond."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to hand back this way
        pass


def read_book(path: str | Path) -> Book:
    ahead = _AHEAD.pop(Path(path), None)
    try:
        if ahead is not None:
            return ahead.result()
        return _read_book_quietly(Path(path))
    finally:
        release_freed()  # before the frames are built on top of what the parse left free


def _read_book_quietly(path: Path) -> Book:
    with rust_panics_quiet():
        return _read_book(path)


def is_panic(exc: BaseException) -> bool:
    """pyo3's PanicException (a Rust panic inside calamine) derives from BaseException, so
    `except Exception` never sees it; it is a fault of the file being read, not a reason to stop."""
    return type(exc).__name__ == "PanicException"


_QUIET = threading.Lock()
_quiet_depth = 0
_quiet_state: dict = {}


@contextmanager
def rust_panics_quiet():
    """While workbooks are read, stderr (fd 2) goes to a temporary file: a Rust panic prints its
    message and backtrace there before Python sees the exception, which would break the one-line
    contract. What was written is replayed afterwards unless a panic was caught meanwhile."""
    global _quiet_depth
    with _QUIET:
        if _quiet_depth == 0:
            try:
                sys.stderr.flush()
                saved = os.dup(2)
                sink = tempfile.TemporaryFile()
                os.dup2(sink.fileno(), 2)
            except (OSError, ValueError, AttributeError):  # no fd 2 (pythonw, Excel): nothing to hide
                saved = sink = None
            _quiet_state.update(saved=saved, sink=sink, panicked=False)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _QUIET:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _quiet_state.get("saved") is not None:
                saved, sink = _quiet_state["saved"], _quiet_state["sink"]
                try:
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass
                os.dup2(saved, 2)
                os.close(saved)
                if not _quiet_state["panicked"]:
                    sink.seek(0)
                    text = sink.read()
                    if text:
                        os.write(2, text)
                sink.close()
                _quiet_state.clear()


def _panicked() -> None:
    with _QUIET:
        if _quiet_state:
            _quiet_state["panicked"] = True


def _read_book(path: Path) -> Book:
    bound_heap()
    register_input(path)
    _check_file(path)
    try:
        return _read_checked(path)
    except UnreadableWorkbook:
        raise
    except pc.PasswordError as exc:  # .xls with FILEPASS, .ods with encrypted parts
        raise _fail(path, *PASSWORD) from exc
    except BaseException as exc:  # noqa: BLE001 - calamine raises several types (and panics) for corrupt files
        if not isinstance(exc, Exception) and not is_panic(exc):
            raise  # KeyboardInterrupt, SystemExit
        if is_panic(exc):
            _panicked()
        raise _fail(path, "文件已损坏或格式不正确，请用 Excel 打开确认后另存为 .xlsx。",
                    f"{type(exc).__name__}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def _read_checked(path: Path) -> Book:
    if path.suffix.lower() in CHILD_READ:
        return _read_in_child(path)
    plan = None
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        # Every sheet's XML is surveyed (inflated in 1 MB pieces, never held whole) before calamine
        # may allocate anything for it: its extent, its cell count, error values, a DTD. zlib
        # releases the GIL, so this runs beside calamine's opening of the workbook.
        plan = _pool().submit(_plan, path)
    wb = pc.CalamineWorkbook.from_path(str(path))
    surveys, big = plan.result() if plan is not None else ({}, {})
    sheets: dict[str, Sheet] = {}
    unreadable: dict[str, str] = {}
    errors: list[tuple[str, int, int, CellError]] = []
    scan = None
    if surveys:
        # calamine drops error values; the sheets that hold any are parsed once more (as XML)
        # beside calamine's parse. Big sheets are scanned where they are parsed in slices.
        with_errors = {name: s.part for name, s in surveys.items()
                       if isinstance(s, Survey) and s.errors and name not in big}
        if with_errors:
            scan = _pool().submit(_error_cells, path, with_errors)
    budget = max(ROW_FLOOR, path.stat().st_size // MIN_BYTES_PER_ROW)
    for meta in wb.sheets_metadata:
        if not str(getattr(meta, "typ", "WorkSheet")).endswith("WorkSheet"):
            continue  # chart, dialog and macro sheets hold no tracker
        survey = surveys.get(meta.name)
        try:
            if isinstance(survey, str):
                raise UnreadableSheet(survey)
            rows = None
            if survey is not None and survey.sparse:
                rows = _read_sparse(path, meta.name, survey, errors)
            elif meta.name in big:
                rows = _read_big(path, meta.name, big[meta.name], errors)
                if rows is None:  # not split: surveyed whole before calamine may parse it whole
                    rows = _read_unsplit(path, meta.name, big[meta.name], errors)
            if rows is None:
                rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except UnreadableSheet as exc:
            unreadable[meta.name] = str(exc)
            continue
        except BaseException as exc:  # noqa: BLE001 - one sheet calamine cannot parse (or panics on)
            if not isinstance(exc, Exception) and not is_panic(exc):
                raise
            if is_panic(exc):
                _panicked()
            unreadable[meta.name] = f"工作表内容无法解析（{type(exc).__name__}: {_first_line(exc)}）"
            continue
        try:
            _within_budget(path, meta.name, rows, budget)
        except UnreadableWorkbook:
            if scan is not None:
                scan.cancel()
            raise
        hidden = not str(meta.visible).endswith("Visible")
        sheets[meta.name] = Sheet(meta.name, rows, hidden)
    if scan is not None:
        errors.extend(scan.result())
    _put_errors(sheets, errors)
    return Book(sheets, path, unreadable)


def _within_budget(path: Path, name: str, rows: list, budget: int) -> None:
    filled = sum(1 for r in rows if any(r))
    if filled > budget:
        raise _fail(path, f"工作表“{name}”有 {filled} 行数据，而文件只有 {_size(path)}"
                    f"（每行不到 {MIN_BYTES_PER_ROW} 字节），像是异常构造的文件，已拒绝读取；"
                    f"如确为真实台账，请删除空白行后用 Excel 另存再试。",
                    f"sheet {name!r} has {filled} rows in a {_size(path)} file (row budget {budget}).")


CHILD_READ = {".xls", ".xlsb", ".ods"}
"""Formats read in a child process (`calamine_child.py`): they cannot be surveyed before calamine
builds each sheet's whole grid, so a far cell must cost a refusal, not this process."""
CHILD_MEMORY = 1 << 30
"""Address space of that child: a file under 1 MB stays under 1 GB…"""
CHILD_MEMORY_PER_BYTE = 256
"""…and a bigger file may use this much per byte of file (a 65,536-row .xls of 40 columns, ~20 MB,
needs ~0.5 GB)."""
CHILD_SECONDS = 300


def _read_in_child(path: Path) -> Book:
    """An .xls/.xlsb/.ods read by `calamine_child.py` in its own process with bounded memory: a
    stray far cell that makes calamine allocate a dense grid ends that process (Rust aborts on a
    failed allocation), and becomes one refusal here; the other sheets of a good file are as
    `_read_checked` gives them, with sparse sheets' rows ragged."""
    import pickle
    import subprocess

    limit = max(CHILD_MEMORY, path.stat().st_size * CHILD_MEMORY_PER_BYTE)
    child = Path(__file__).with_name("calamine_child.py")
    # checked here while the child reads (zlib and the wait for the child both release the GIL)
    damage = _pool().submit(_damaged_record_part, path) if path.suffix.lower() == ".xlsb" else None
    try:
        proc = subprocess.run([sys.executable, str(child), str(path), str(limit), str(DENSE_FLOOR)],
                              capture_output=True, timeout=CHILD_SECONDS, stdin=subprocess.DEVNULL,
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except subprocess.TimeoutExpired:
        raise _fail(path, f"读取超过 {CHILD_SECONDS} 秒仍未完成（表格可能含有极远处的单元格），已停止；"
                    f"请在 Excel 中删除远处零散的单元格后另存为 .xlsx 再试。", "reading timed out.") from None
    except OSError as exc:
        raise _fail(path, f"无法启动读取进程（{exc.strerror or exc}），请稍后再试。", f"cannot start the reader ({exc}).") from exc
    damaged = damage.result() if damage is not None else None
    if damaged:  # whatever the child read from it, it is not what was saved
        raise _fail(path, "文件已损坏或不完整，请重新保存或从备份恢复。", f"the file is corrupt ({damaged}).")
    try:
        result = pickle.loads(proc.stdout) if proc.returncode == 0 else None
    except Exception:  # noqa: BLE001 - a truncated answer is the same as none
        result = None
    far = ("读取时所需内存超出上限（表格可能含有极远处的单元格，如 IV65536，会让整张网格占满内存），已拒绝读取；"
           "请在 Excel 中删除远处零散的单元格后另存为 .xlsx 再试。")
    if result is None:
        said = [line for line in proc.stderr.decode("utf-8", "replace").splitlines()
                if line.strip() and not line.startswith("note:")]
        raise _fail(path, far, f"the reader process ended with {proc.returncode}"
                               f"{': ' + said[0][:200] if said else ''}.")
    if result[0] == "fail":
        if result[1] == "PasswordError":
            raise _fail(path, *PASSWORD)
        if "Cell limit exceeded" in result[2]:  # calamine's own cap (100M cells) on the grid
            raise _fail(path, far, f"{result[1]}: {result[2]}")
        raise _fail(path, "文件已损坏或格式不正确，请用 Excel 打开确认后另存为 .xlsx。", f"{result[1]}: {result[2]}")
    budget = max(ROW_FLOOR, path.stat().st_size // MIN_BYTES_PER_ROW)
    sheets: dict[str, Sheet] = {}
    unreadable: dict[str, str] = {}
    for name, visible, kind, payload in result[1]:
        if kind == "error":
            unreadable[name] = f"工作表内容无法解析（{payload}）"
            continue
        _within_budget(path, name, payload, budget)
        sheets[name] = Sheet(name, payload, not visible)
    return Book(sheets, path, unreadable)


XLSB_RECORD_PARTS = re.compile(r"xl/(workbook|sharedStrings|styles)\.bin|xl/worksheets/[^/]+\.bin", re.IGNORECASE)
"""The parts of an .xlsb that calamine parses: the workbook, its shared strings and styles, the sheets."""


def _damaged_record_part(path: Path) -> str | None:
    """The first record part of an .xlsb whose bytes do not match their zip checksum, with why
    (None: all match). calamine stops reading each part at its last record it needs (BrtEndSheetData,
    the last shared string), before the end of the entry where the checksum is compared, so a
    damaged part is otherwise read as whatever its bytes now say: a changed digit or name, a sheet
    cut short. .xlsx and .ods parts are read to their ends (and so checked) as they are parsed."""
    name = ""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename
                if XLSB_RECORD_PARTS.fullmatch(name):
                    with zf.open(info) as part:
                        while part.read(1 << 20):
                            pass
    except (NotImplementedError, RuntimeError):
        return None  # a compression method or encryption zipfile lacks: calamine decides alone
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
        return f"{name}: {_first_line(exc)}"
    return None


def _read_unsplit(path: Path, name: str, part: str, errors: list) -> list | None:
    """A big sheet the split gave back: the whole survey first, then cell by cell if it is sparse
    (None: calamine may parse it whole). Its error values are scanned here, not in the slices."""
    with zipfile.ZipFile(path) as zf:
        survey = _survey(zf, part)
    if isinstance(survey, str):
        raise UnreadableSheet(survey)
    if survey.errors:
        errors.extend(_error_cells(path, {name: part}))
    return _read_sparse(path, name, survey, []) if survey.sparse else None


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1_000_000 else f"{max(1, size // 1000)} KB"


PARSE_THREADS = max(1, min(os.cpu_count() or 1, 4))
"""Threads for one big sheet; worker processes that each read a whole workbook set it to 1."""


def parse_on_one_core() -> None:
    """For worker processes of a parallel run: the cores are already shared out by workbook."""
    global PARSE_THREADS
    PARSE_THREADS = 1


def _plan(path: Path) -> tuple[dict[str, Survey | str], dict[str, str]]:
    """(sheet name → its survey or the reason it cannot be read, sheet name → part of the sheets
    big enough to parse on several cores)."""
    from defusedxml import DefusedXmlException

    try:
        with zipfile.ZipFile(path) as zf:
            parts = _sheet_parts(zf)
            names = set(zf.namelist())
            surveys: dict[str, Survey | str] = {}
            for name, part in parts.items():
                if part not in names:
                    surveys[name] = f"工作簿里找不到这张表的内容（{part}），文件可能已损坏或被改动过"
                    continue
                try:
                    if PARSE_THREADS >= 2 and zf.getinfo(part).file_size >= sheet_split.SPLIT_MIN_BYTES:
                        surveys[name] = _head_survey(zf, part)  # the rest slice by slice (`_slice_guard`)
                    else:
                        surveys[name] = _survey(zf, part)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
                    surveys[name] = f"工作表的压缩数据已损坏（{_first_line(exc)}）"
    except DefusedXmlException as exc:  # Excel never writes DTDs: entity tricks (billion laughs, XXE)
        raise _fail(path, "工作簿含有不安全的 XML 实体声明（可能是恶意文件），已拒绝读取，请用 Excel 另存为新的 .xlsx。",
                    f"unsafe XML ({type(exc).__name__}).") from exc
    except (KeyError, zipfile.BadZipFile, OSError, SyntaxError):
        return {}, {}  # calamine's own open then says what is wrong with the package
    big = {name: s.part for name, s in surveys.items() if isinstance(s, Survey) and s.deferred}
    return surveys, big


def _head_survey(zf: zipfile.ZipFile, part: str) -> Survey | str:
    """A big sheet's first piece only (a DTD comes before the root element); the rest is surveyed
    slice by slice as it is parsed."""
    with zf.open(part) as fh:
        head = _survey_stream(_BytesSource(fh.read(CHUNK)), part)
    if isinstance(head, Survey):
        head.deferred = True
    return head


def _slice_guard(xml: bytes) -> None:
    """A slice of a big sheet is surveyed in its parse thread, just before calamine parses it (so
    the survey of one slice overlaps the parse of another): a slice spanning far more cells than it
    holds, or holding an impossible address, stops the split; the whole sheet is surveyed then."""
    s = _survey_stream(_BytesSource(xml), "")
    if isinstance(s, str):
        raise UnreadableSheet(s)
    if (s.max_row - s.min_row + 1) * s.width > max(DENSE_FLOOR, DENSE_PER_CELL * s.cells):
        raise UnreadableSheet("sparse slice")


def _read_big(path: Path, name: str, part: str, errors: list) -> list[list[object]] | None:
    """The sheet parsed in slices (its error values added to `errors`), or None to parse it whole."""
    try:
        with zipfile.ZipFile(path) as zf:
            done = sheet_split.parse_split(zf, part, name, PARSE_THREADS, lambda xml: _errors_in(name, xml, fragment=True),
                                           guard=_slice_guard)
    except Exception:  # noqa: BLE001 - the whole-sheet parse then says what is wrong with the file
        return None
    if done is None:
        return None
    rows, found = done
    errors.extend(found)
    return rows


_POOL = None


def _pool():
    """One small thread pool per process for the surveys and error-value scans (several workbooks in one run)."""
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="beian-errors")
    return _POOL


def read_sheet_values(path: str | Path, name: str) -> list[list[object]] | None:
    """One sheet's values, read on its own (None when there is no such sheet). Unlike `read_book`,
    a sheet that cannot be parsed raises, so `beian doctor` can name it; other sheets do not matter.
    The sheet is surveyed first like in `read_book` (a far cell must not allocate the dense grid),
    and a Rust panic becomes `UnreadableSheet`."""
    path = Path(path)
    if path.suffix.lower() in CHILD_READ:
        book = _read_in_child(path)
        if name in book.unreadable:
            raise UnreadableSheet(f"工作表“{name}”无法读取：{book.unreadable[name]}。 / Sheet {name!r} cannot be read.")
        sheet = book.sheets.get(name)
        return sheet.rows if sheet is not None else None
    got = read_sheets_values(path, [name])
    return got[0][1] if got else None


def read_sheets_values(path: str | Path, names: list[str] | None = None) -> list[tuple[str, list[list[object]]]]:
    """(name, values) of the named sheets that exist (every sheet when None), the workbook opened
    once, each sheet surveyed before calamine may parse it; the first sheet that cannot be parsed
    raises `UnreadableSheet` naming it (a Rust panic too). Uses no thread pool, so a process forked
    after the pool started (a pre-check worker) can call it."""
    path = Path(path)
    name = ""
    with rust_panics_quiet():
        try:
            wb = pc.CalamineWorkbook.from_path(str(path))
            present = wb.sheet_names
            wanted = present if names is None else [n for n in names if n in present]
            surveys: dict[str, Survey | str] = {}
            if path.suffix.lower() in {".xlsx", ".xlsm"}:
                with zipfile.ZipFile(path) as zf:
                    parts, stored = _sheet_parts(zf), set(zf.namelist())
                    surveys = {n: _survey(zf, parts[n]) for n in wanted if parts.get(n) in stored}
            out = []
            for name in wanted:
                survey = surveys.get(name)
                if isinstance(survey, str):
                    raise UnreadableSheet(f"工作表“{name}”无法读取：{survey}。 / Sheet {name!r} cannot be read.")
                if survey is not None and survey.sparse:
                    out.append((name, _read_sparse(path, name, survey, [])))
                else:
                    out.append((name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)))
            return out
        except BaseException as exc:
            if not is_panic(exc):
                raise
            _panicked()
            raise UnreadableSheet(f"工作表“{name}”无法读取（PanicException: {_first_line(exc)}）。 "
                                  f"/ Sheet {name!r} cannot be read.") from None


def _col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part path inside the package, from workbook.xml and its relationships. A target
    is resolved like a path inside the package (`../etc/passwd` leaves it: no such part)."""
    from defusedxml import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    out = {}
    for sheet in workbook.iter(f"{ns_main}sheet"):
        rid = sheet.get(f"{ns_rel}id")
        if rid in targets:
            out[sheet.get("name")] = targets[rid]
    return out


# ------------------------------------------------------------------ survey: what a sheet's XML holds
CHUNK = 1 << 20
_ROW_ADDRESS = re.compile(rb'<row\b[^>]*?\sr\s*=\s*["\'](\d+)["\']')
_ERROR_TYPE = re.compile(rb'\st\s*=\s*["\']e["\']')
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ADDRESS = re.compile(rb'\sr\s*=\s*["\']([A-Z]+)(\d+)["\']')


@dataclass
class Survey:
    """What one sheet's XML holds, counted on the inflated text (comments, CDATA and processing
    instructions left out) before calamine parses it."""

    part: str
    size: int = 0
    rows: int = 0
    """`<row>` elements (calamine numbers unaddressed rows by their count)."""
    cells: int = 0
    """`<c>` elements."""
    max_row: int = 0
    """Largest row number of any row or cell address (1-based)."""
    min_row: int = 1
    """Smallest such row number where it is known cheaply (else 1: the bound stays safe)."""
    max_col: bytes = b""
    """Letters of the rightmost column of any cell address."""
    errors: bool = False
    """Some cell is typed as an error value (t="e")."""
    deferred: bool = False
    """Only the head was surveyed: a big sheet, surveyed slice by slice while it is parsed."""

    @property
    def width(self) -> int:
        return _col_index(self.max_col) + 1 if self.max_col else 0

    @property
    def area(self) -> int:
        """Cells of the rectangle calamine allocates for the sheet, from A1 (to_python pads to A1)."""
        return max(self.max_row, self.rows) * self.width

    @property
    def sparse(self) -> bool:
        """Too few cells for its extent: read cell by cell rather than as one rectangle."""
        return not self.deferred and self.area > max(DENSE_FLOOR, DENSE_PER_CELL * self.cells)


def _survey(zf: zipfile.ZipFile, part: str) -> Survey | str:
    """The survey of one sheet part, or the reason it must not be parsed. Never holds more than
    two 1 MB pieces of the XML: the counts are C-speed, and the farthest column is found by a
    search for an address beyond the farthest one so far (a handful of searches per sheet)."""
    with zf.open(part) as fh:
        return _survey_stream(fh, part)


class _BytesSource:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def read(self, n: int) -> bytes:
        piece = self.data[self.at:self.at + n]
        self.at += n
        return piece


def _survey_stream(fh, part: str) -> Survey | str:
    s = Survey(part)
    tail = b""
    state = [None]
    while True:
        chunk = fh.read(CHUNK)
        data = tail + chunk
        if chunk:
            cut = data.rfind(b">") + 1
            piece, tail = data[:cut], data[cut:]
        else:
            piece, tail = data, b""
        s.size += len(piece)
        if b"<!" in piece or b"<?" in piece or state[0]:
            piece = _strip_markup(piece, state)
            if _DOCTYPE.search(piece):
                return "工作表含有 DTD 声明（Excel 从不写入，可能是恶意文件）"
        s.rows += piece.count(b"<row")  # with <rowBreaks>: a bound is enough
        s.cells += piece.count(b"<c")  # with <col>, <cfRule>…: likewise
        # Attributes as Excel writes them (` r="A1"`) are decoded all at once (numpy); a piece with
        # quotes, tabs, line breaks or spaces around "=" anywhere is searched the slow way: one
        # search for an address beyond the farthest column, or below the last row, so far. A
        # cell's own address counts (calamine places the cell by it), not only its row's.
        loose = _loose(piece)
        if not loose:
            first_row, last_row, width = _extent(piece)
            s.max_row = max(s.max_row, last_row)
            if first_row:
                s.min_row = first_row if s.size == len(piece) else min(s.min_row, first_row)
            if width > s.width:
                s.max_col = column_letter(width - 1).encode() if width <= MAX_COL else b"XFDA"
        else:
            s.min_row = 1
            rows = _ROW_ADDRESS.findall(piece)
            if rows:
                s.max_row = max(s.max_row, max(map(int, rows)))
            m = _beyond(s.max_col, s.max_row, loose).search(piece)
            while m:
                if m.group(1):
                    s.max_col = m.group(1)
                else:
                    s.max_row = int(m.group(2))
                m = _beyond(s.max_col, s.max_row, loose).search(piece, m.start())
        if not s.errors and (_ERROR_TYPE.search(piece) if loose else b' t="e"' in piece):
            s.errors = True
        if s.max_row > MAX_ROW or s.width > MAX_COL:
            where = "、".join(x for x in (s.max_col.decode() and f"列 {s.max_col.decode()}",
                                          s.max_row > MAX_ROW and f"行 {s.max_row}") if x)
            return f"单元格地址超出 Excel 的范围（{where}；最大为 XFD1048576），文件可能已损坏或被改动过"
        if not chunk:
            break
    return s


_MARKUP = re.compile(rb"<!--|<!\[CDATA\[|<\?")
_MARKUP_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}


def _strip_markup(piece: bytes, state: list) -> bytes:
    """`piece` without comments, CDATA sections and processing instructions (which may run on from
    the previous piece: `state[0]` holds the terminator still awaited)."""
    out = []
    at = 0
    while at < len(piece):
        if state[0]:
            end = piece.find(state[0], at)
            if end < 0:
                break
            at = end + len(state[0])
            state[0] = None
            continue
        m = _MARKUP.search(piece, at)
        if m is None:
            out.append(piece[at:])
            break
        out.append(piece[at:m.start()])
        state[0], at = _MARKUP_END[m.group()], m.end()
    return b"".join(out)


def _greater(current: bytes, low: int, high: int) -> bytes:
    """A regex alternation for strings over [low–high] that are greater than `current` (same
    length and lexicographically greater, or longer): the column letters or row digits beyond it."""
    cls = b"[%c-%c]" % (low, high)
    first = b"[%c-%c]" % (low if low != ord("0") else ord("1"), high)
    parts = [first + cls + b"{%d,}" % len(current)] if current else [first + cls + b"*"]
    for i, ch in enumerate(current):
        if ch < high:
            parts.append(re.escape(current[:i]) + b"[%c-%c]" % (ch + 1, high) + cls + b"{%d}" % (len(current) - i - 1))
    return b"(?:" + b"|".join(parts) + b")"


_WINDOW = np.arange(12)


def _extent(piece: bytes) -> tuple[int, int, int]:
    """(smallest and largest row number, largest 1-based column number) of the ` r="…"` addresses in `piece`,
    decoded with numpy: ~20× faster than a regex over every cell. An address of four or more
    letters, or nine or more digits, lies beyond Excel's limits and comes back as such."""
    a = np.frombuffer(piece, np.uint8)
    if len(a) < 8:
        return 0, 0, 0
    hit = a[:-4] == 0x20
    hit &= a[1:-3] == 0x72
    hit &= a[2:-2] == 0x3D
    hit &= a[3:-1] == 0x22
    at = np.flatnonzero(hit)
    if not len(at):
        return 0, 0, 0
    win = np.concatenate([a, np.zeros(16, np.uint8)])[(at + 4)[:, None] + _WINDOW]
    letter = (win >= 65) & (win <= 90)
    letters = np.where(letter.all(axis=1), 12, np.argmin(letter, axis=1))
    if letters.max() > 3:
        return 0, 0, MAX_COL + 1
    v = win[:, :3].astype(np.int64) - 64
    col = np.select([letters == 1, letters == 2, letters == 3], [v[:, 0], v[:, 0] * 26 + v[:, 1],
                    v[:, 0] * 676 + v[:, 1] * 26 + v[:, 2]], 0)
    row = np.zeros(len(at), np.int64)
    alive = np.ones(len(at), bool)
    rows_idx = np.arange(len(at))
    for k in range(9):
        d = win[rows_idx, letters + k].astype(np.int64) - 48
        alive &= (d >= 0) & (d <= 9)
        row = np.where(alive, row * 10 + d, row)
    if alive.any():  # nine digits or more
        return 0, MAX_ROW + 1, int(col.max())
    return int(row.min()), int(row.max()), int(col.max())


def _loose(piece: bytes) -> bool:
    """Whether attributes may be written other than ` name="value"` (C-speed tests only)."""
    return (b"\n" in piece or b"\t" in piece or b"\r" in piece or b"'" in piece or b' ="' in piece
            or piece.count(b"=") != piece.count(b'="'))


_ATTR = {False: rb' r="', True: rb'\sr\s*=\s*["\']'}
_QUOTE = {False: rb'"', True: rb'["\']'}


def _beyond(col: bytes, row: int, loose: bool) -> re.Pattern:
    return _beyond_cached(col, str(row).encode() if row else b"", loose)


@lru_cache(maxsize=512)
def _beyond_cached(col: bytes, row: bytes, loose: bool) -> re.Pattern:
    """An address whose column lies beyond `col` (group 1) or whose row lies below `row` (group 2)."""
    return re.compile(_ATTR[loose] + b"(?:(" + _greater(col, ord("A"), ord("Z")) + rb")\d|[A-Z]*("
                      + _greater(row, ord("0"), ord("9")) + b")" + _QUOTE[loose] + b")")


# ------------------------------------------------------------------ sparse sheets: cell by cell
_ROW_START = re.compile(rb"<row\b")
EMPTY_ROW: tuple = ()
"""Every empty row of a sparse sheet: one shared object, so memory follows the values, not the addresses."""


def _read_sparse(path: Path, name: str, survey: Survey, errors: list) -> list:
    """A sheet whose extent is far larger than its cells (a stray value at XFD1048576): its rows cut
    into slices that each span at most SLICE_AREA cells, each parsed by calamine on its own, and
    put back by address. Rows come back ragged (each as long as its own last value)."""
    with zipfile.ZipFile(path) as zf:
        data = zf.read(survey.part)
        begin = data.find(b"<sheetData>")
        end = data.rfind(b"</sheetData>")
        if begin < 0 or end < begin:
            raise UnreadableSheet("工作表的 XML 结构不完整，文件可能已损坏")
        head = sheet_split._DIMENSION.sub(b"", data[:begin + len(b"<sheetData>")], count=1)
        starts = [m.start() for m in _ROW_START.finditer(data, begin, end)]
        groups: list[tuple[int, int]] = []  # byte ranges of whole rows
        lo = hi = None
        box = None
        for i, at in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else end
            refs = _ADDRESS.findall(data, at, stop)
            if not refs:
                row = _ROW_ADDRESS.match(data, at)
                if row is None:
                    raise UnreadableSheet("工作表的行没有地址，无法安全读取远处的单元格")
                continue  # a row without cells
            rs = [int(r) for _, r in refs]
            cs = [_col_index(c) for c, _ in refs]
            here = (min(rs), max(rs), min(cs), max(cs))
            merged = here if box is None else (min(box[0], here[0]), max(box[1], here[1]),
                                              min(box[2], here[2]), max(box[3], here[3]))
            if box is not None and (merged[1] - merged[0] + 1) * (merged[3] - merged[2] + 1) > SLICE_AREA:
                groups.append((lo, hi))
                lo, box = at, here
            else:
                box = merged
                lo = at if lo is None else lo
            hi = stop
        if lo is not None:
            groups.append((lo, hi))
        if len(groups) > MAX_SLICES:
            raise UnreadableSheet(f"工作表的单元格散布得过于分散（需要分成 {len(groups)} 块读取），"
                               f"请删除远处零散的单元格后用 Excel 另存")
        others = [(info.filename, sheet_split._EMPTY_SHEET if sheet_split._is_sheet(info.filename) else zf.read(info))
                  for info in zf.infolist() if info.filename != survey.part and not info.is_dir()]
    rows: list = [EMPTY_ROW] * max(survey.max_row, 0)
    with tempfile.TemporaryDirectory(prefix="beian-sparse-") as tmp:
        for k, (lo, hi) in enumerate(groups):
            package = Path(tmp) / f"slice{k}.xlsx"
            parsed, found = sheet_split._slice(package, others, survey.part, head, data[lo:hi], name,
                                               lambda xml: _errors_in(name, xml, fragment=True))
            (r0, c0), part_rows = parsed
            errors.extend(found)
            package.unlink()
            for i, cells in enumerate(part_rows):
                while cells and cells[-1] == "":
                    cells.pop()
                if not cells:
                    continue
                r = r0 + i
                if r >= len(rows):
                    rows.extend([EMPTY_ROW] * (r + 1 - len(rows)))
                new = [""] * c0 + cells if c0 else cells
                rows[r] = _merge(rows[r], new) if rows[r] else new
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _merge(old, new):
    """Two parses of the same row (rows out of order in the XML): the values of both."""
    out = list(old) + [""] * max(0, len(new) - len(old))
    for j, v in enumerate(new):
        if v != "":
            out[j] = v
    return out


# ------------------------------------------------------------------ error values, from parsed XML
def _error_cells(path: Path, parts: dict[str, str]) -> list[tuple[str, int, int, CellError]]:
    """(sheet, 0-based row, 0-based column, error) of every Excel error value (#N/A, #REF! …) in the
    sheets named (name → part), read by a streaming XML parser: an error cell in a comment or a
    CDATA section is text, not a cell."""
    from defusedxml import DefusedXmlException

    found: list[tuple[str, int, int, CellError]] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for name, part in parts.items():
                try:
                    with zf.open(part) as fh:
                        found.extend(_errors_in(name, fh))
                except (SyntaxError, DefusedXmlException):  # ParseError is a SyntaxError
                    continue  # calamine's parse of the same sheet names what is wrong with it
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return found  # error values stay empty; the workbook itself was readable
    return found


class _ErrorCells:
    """Target of the (defusedxml) parser: collects the cells typed t="e" and the text of their <v>."""

    def __init__(self, name: str, found: list):
        self.name = name
        self.found = found
        self.cell = None  # (row, col) of the error cell being read
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: dict) -> None:
        local = tag.rpartition("}")[2].rpartition(":")[2]
        if local == "c":
            self.cell = None
            if attrs.get("t") == "e":
                m = _CELL_REF.fullmatch(attrs.get("r", ""))
                if m:
                    row, col = int(m.group(2)) - 1, _col_index(m.group(1))
                    if row < MAX_ROW and col < MAX_COL:
                        self.cell = (row, col)
        elif local == "v" and self.cell is not None:
            self.text = []

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, tag: str) -> None:
        local = tag.rpartition("}")[2].rpartition(":")[2]
        if local == "v" and self.text is not None:
            if self.cell is not None:
                self.found.append((self.name, *self.cell, CellError("".join(self.text).strip())))
            self.cell = self.text = None
        elif local == "c":
            self.cell = None

    def close(self) -> None:
        return None


def _errors_in(name: str, source, *, fragment: bool = False) -> list[tuple[str, int, int, CellError]]:
    """Error cells of one sheet's XML (`source`: bytes, or a binary file read in pieces), from a
    streaming parse (defusedxml: a DTD is refused before anything is expanded). A `fragment` is a
    run of `<row>` elements (one slice of a big sheet), parsed inside a wrapper element."""
    from defusedxml.ElementTree import DefusedXMLParser

    if isinstance(source, bytes | bytearray) and not _ERROR_TYPE.search(source):
        return []
    found: list[tuple[str, int, int, CellError]] = []
    parser = DefusedXMLParser(target=_ErrorCells(name, found), forbid_dtd=True)
    if fragment:
        parser.feed(b"<sheetData>")
    if isinstance(source, bytes | bytearray):
        parser.feed(bytes(source))
    else:
        while piece := source.read(CHUNK):
            parser.feed(piece)
    if fragment:
        parser.feed(b"</sheetData>")
    parser.close()
    return found


_CELL_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")


def _put_errors(sheets: dict[str, Sheet], cells: list[tuple[str, int, int, CellError]]) -> None:
    """Put the error values back where calamine left empty strings (only inside Excel's limits)."""
    for name, r, c, error in cells:
        if name not in sheets or r >= MAX_ROW or c >= MAX_COL:
            continue
        rows = sheets[name].rows
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if not isinstance(row, list):
            row = rows[r] = list(row)
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
