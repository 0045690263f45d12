"""Text that is safe to put where users' cells end up: file names and spreadsheet cells.

Pure functions, used by the core (document names, snapshots) and by every writer.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME = 120
MAX_NAME_BYTES = 200
"""Leaves room for a suffix such as `.docx` or `_第12行` within the 255-byte name limit."""


def neutralise(text: str) -> str:
    """For CSV/Markdown cells: text that a spreadsheet would run as a formula gets a leading quote."""
    return "'" + text if isinstance(text, str) and text.startswith(INJECTION_PREFIXES) else text


def restore(text: str) -> str:
    """`neutralise` undone, for a cell read back from a CSV that beian wrote."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(INJECTION_PREFIXES):
        return text[1:]
    return text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A CSV kept in the workbook's history (rule snapshots, weekly snapshots): a UTF-8 BOM so Excel
    opens it as UTF-8, `\n` line ends, every cell neutralised (`restore` reads it back)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(header))
    for r in rows:
        w.writerow([neutralise(v) for v in r])
    return "\ufeff" + buf.getvalue()


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
