"""`beian reuse --copy`: copy reusable files into a filing's archive folder, never overwriting,
and append the provenance to 复用来源.txt beside them.

Every destination is resolved (symlinks followed) and must stay under the resolved archive root,
as the archive index refuses to follow a link out of the root: a filing folder that is a symlink
to elsewhere would otherwise receive the copies in the link's target.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import OutsideRoot
from .output_files import atomic_write_text


def check_inside(root: Path, path: Path) -> None:
    """Raise OutsideRoot unless `path`, with every existing symlink on it resolved, lies under `root`."""
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(path))
    if target != real_root and real_root not in target.parents:
        raise OutsideRoot(path, target)


def copy_new(source: Path, dest: Path, *, root: Path) -> bool:
    """Copy `source` to `dest` unless `dest` exists (exclusive create: never overwrites, even in
    a race); False when it was left as it was. OutsideRoot when `dest` resolves outside `root`."""
    check_inside(root, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    check_inside(root, dest)  # a link swapped in while the folders were made
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


def append_text(path: Path, text: str, *, root: Path) -> Path:
    """Append to a text file, rewritten atomically (a crash never leaves half of it)."""
    check_inside(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    return atomic_write_text(path, old + text)
