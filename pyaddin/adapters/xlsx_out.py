"""Writing output files safely: atomic replace, Excel lock files, safe names, no formula injection."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputLocked

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME = 120
MAX_NAME_BYTES = 200
"""Leaves room for a suffix such as `.docx` or `_第12行` within the 255-byte name limit."""


def xlsx_writer_options() -> dict:
    """XlsxWriter options for every workbook beian writes: user text is never a formula or URL."""
    return {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": True}


def neutralise(text: str) -> str:
    """For CSV/Markdown cells: text that a spreadsheet would run as a formula gets a leading quote."""
    return "'" + text if isinstance(text, str) and text.startswith(INJECTION_PREFIXES) else text


def lock_file(path: Path) -> Path:
    return path.with_name("~$" + path.name)


def check_not_locked(path: Path) -> None:
    """Excel keeps `~$name` beside a workbook it has open; overwriting then fails or loses work."""
    path = Path(path)
    candidates = {lock_file(path)}
    if len(path.name) > 2:
        candidates.add(path.with_name("~$" + path.name[2:]))  # Word and Excel sometimes drop 2 chars
    for lock in candidates:
        if lock.exists():
            raise OutputLocked(f"“{path.name}”正在被 Excel 或 Word 打开（发现锁文件 {lock.name}），请关闭该文件后重试。 "
                               f"/ {path.name} is open in Excel or Word; close it and try again.")


_INPUTS: set[Path] = set()
"""Workbooks read in this process (see `files.read_book`); no output may replace one of them."""


def register_input(path: Path) -> None:
    _INPUTS.add(Path(path).resolve())


def check_not_input(path: Path, *inputs: Path | None) -> None:
    """The command line never modifies its input: `beian validate findings.xlsx --out .` must not
    replace the tracker with its own findings, nor `beian docs` an input named documents.xlsx."""
    target = Path(path).resolve()
    for source in (*inputs, *_INPUTS):
        if source is not None and Path(source).resolve() == target:
            raise OutputLocked(f"输出文件“{target.name}”就是输入的工作簿，不能覆盖，请换一个 --out 文件夹或给台账改名。 "
                               f"/ The output {target.name} is the input workbook; choose another --out folder.")


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Run `write(tmp)` then rename over `path`, so a crash never leaves half a file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    check_not_input(path)
    check_not_locked(path)
    fd, tmp_name = tempfile.mkstemp(prefix=".beian-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any saved file
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


_EDGES = re.compile(r"^[\s.]+|[\s.]+$")
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_filename(text: str, *, fallback: str = "未命名", max_len: int = MAX_NAME) -> str:
    """A name valid on Windows and POSIX that cannot leave its folder: no separators, no `..`,
    no reserved device names, no trailing dots or spaces, at most `max_len` characters."""
    s = unicodedata.normalize("NFC", str(text))
    s = _UNSAFE.sub("_", s)
    s = "".join(ch if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"} else "_" for ch in s)
    s = _EDGES.sub("", s)  # Windows drops trailing dots and spaces: "a. ." would silently become "a"
    s = re.sub(r"_{2,}", "_", s)
    if not s or set(s) <= {"_", "."}:
        s = fallback
    stem = s.split(".")[0].strip().upper()  # "CON .txt" opens the console device too
    if stem in WINDOWS_RESERVED:
        s = "_" + s
    if len(s) > max_len:
        s = _EDGES.sub("", s[:max_len])
    while len(s.encode("utf-8")) > MAX_NAME_BYTES:  # ext4/APFS limit names to 255 bytes, not characters
        s = _EDGES.sub("", s[:-1])
    return s


def inside(root: Path, candidate: Path) -> bool:
    """True when `candidate` resolves to a path under `root` (guards against traversal)."""
    try:
        candidate.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False
