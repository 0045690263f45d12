"""Writing output files safely: atomic replace, Excel lock files, never over a workbook this run read.

The pure parts (safe names, formula-injection guard) live in `pyaddin/run/safe_text.py`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputLocked


def xlsx_writer_options() -> dict:
    """XlsxWriter options for every workbook beian writes: user text is never a formula or URL."""
    return {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": True}


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
