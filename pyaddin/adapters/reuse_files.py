"""`beian reuse --copy`: copy reusable files into a filing's archive folder, never overwriting,
and append the provenance to 复用来源.txt beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

from .output_files import atomic_write_text


def copy_new(source: Path, dest: Path) -> bool:
    """Copy `source` to `dest` unless `dest` exists (exclusive create: never overwrites, even in
    a race); False when it was left as it was."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(source, "rb") as src, open(dest, "xb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except FileExistsError:
        return False
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    shutil.copystat(source, dest)
    return True


def append_text(path: Path, text: str) -> Path:
    """Append to a text file, rewritten atomically (a crash never leaves half of it)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    return atomic_write_text(path, old + text)
