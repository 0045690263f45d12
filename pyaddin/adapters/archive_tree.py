"""Reading the archive tree for `archive.index`: one walk (folders, files, links never followed out of
the root) and the hashing of the files found, on a small thread pool.

The core decides what a folder or a file means (`FolderMatcher`, `Classifier`); this adapter is the
only place that lists, stats or reads the archive (`ArchiveTree` implements `index.ArchiveDisk`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..archive.index import (
    ArchiveFile,
    Classifier,
    FolderMatcher,
    OrphanFolder,
    ProgressFn,
    Scan,
    Skipped,
    ignored,
    probable_id,
    safe_name,
)
from ..tracker.catalog import Catalog
from .hashing import sha256_file

HASH_WORKERS = max(1, min(4, os.cpu_count() or 1))


class ArchiveTree:
    """`index.ArchiveDisk` on the real file system."""

    def scan(self, root: Path, ids: Iterable[str], catalog: Catalog) -> Scan:
        return scan_tree(root, ids, catalog)

    def hash(self, files: list[ArchiveFile], *, cache: dict[str, list] | None = None,
             progress: ProgressFn | None = None) -> tuple[int, list[tuple[ArchiveFile, str]]]:
        return hash_files(files, cache=cache, progress=progress)

    def sha256(self, path: Path) -> str:
        return sha256_file(path)

    def folders(self, root: Path) -> list[Path]:
        try:
            return sorted(entry for entry in Path(root).iterdir() if entry.is_dir())
        except OSError:
            return []


def _inside(root: Path, target: Path) -> bool:
    return target == root or root in target.parents


def scan_tree(root: Path, ids: Iterable[str], catalog: Catalog) -> Scan:
    """Walk the archive (no hashing): filing folders, their files and materials, orphans, skipped links."""
    walker = TreeWalker(Path(root).resolve(), FolderMatcher(ids), Classifier(catalog.materials))
    walker.walk(walker.root, PurePosixPath("."), None, None, [])
    walker.scan.files.sort(key=lambda f: f.rel)
    walker.scan.orphans.sort(key=lambda o: o.rel)
    return walker.scan


class TreeWalker:
    """One walk of the archive tree.

    Outside any filing folder, a folder whose name starts with a 备案编号 becomes that filing's
    folder; everything below it belongs to the filing. A folder with no filing folder anywhere
    below it, sitting beside one that has, is an orphan (probably a filing whose ID is mistyped);
    loose files elsewhere are collected for the 未归类 list.
    """

    def __init__(self, root: Path, matcher: FolderMatcher, classifier: Classifier):
        self.root = root
        self.matcher = matcher
        self.classifier = classifier
        self.scan = Scan(root)

    def add_file(self, entry: os.DirEntry, rel: str, source: Path, st: os.stat_result, filing: str | None,
                 folder: str | None, below: list[str]) -> ArchiveFile:
        f = ArchiveFile(rel=rel, path=Path(entry.path), source=source, size=st.st_size, mtime_ns=st.st_mtime_ns,
                        filing=filing, folder=folder)
        if filing is not None:
            material, ok = self.classifier.classify(below)
            if material is not None:
                f.material, f.format_ok = material.name, ok
        self.scan.files.append(f)
        return f

    def skip(self, rel: str, reason: str) -> None:
        self.scan.skipped.append(Skipped(rel, reason))

    def walk(self, path: Path, rel: PurePosixPath, filing: str | None, folder: str | None, below: list[str]
             ) -> tuple[bool, list[ArchiveFile]]:
        """Returns (a filing folder lies at or below here, files collected while outside any filing)."""
        found = Found()
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            self.skip(str(rel) if str(rel) != "." else "", f"无法读取文件夹：{exc.strerror}")
            return False, found.loose
        for entry in entries:
            if ignored(entry.name):
                continue
            shown, guess = safe_name(entry.name)
            child_rel = rel / shown
            if shown != entry.name:
                self.scan.bad_names.append((child_rel.as_posix(), guess))
            try:
                self.visit(entry, child_rel, filing, folder, below, found, guess or shown)
            except OSError as exc:
                self.skip(child_rel.as_posix(), f"无法读取：{exc.strerror or exc}")
        if found.has_match or str(rel) == ".":
            self.record_orphans(found.unmatched)
        else:
            for _, _, child_loose in found.unmatched:
                found.loose.extend(child_loose)
        return found.has_match, found.loose

    def visit(self, entry: os.DirEntry, child_rel: PurePosixPath, filing: str | None, folder: str | None,
              below: list[str], found: Found, name: str | None = None) -> None:
        """`name`: the entry's name as read for matching (its GB18030 reading when not UTF-8)."""
        rel_text = child_rel.as_posix()
        name = name or entry.name
        if entry.is_symlink():
            self.visit_link(entry, rel_text, filing, folder, [*below, name][:-1], found, name)
        elif entry.is_dir(follow_symlinks=False):
            self.visit_folder(entry, child_rel, filing, folder, below, found, name)
        elif entry.is_file(follow_symlinks=False):
            st = entry.stat(follow_symlinks=False)
            f = self.add_file(entry, rel_text, Path(entry.path), st, filing, folder, [*below, name])
            if filing is None:
                found.loose.append(f)
        else:
            self.skip(rel_text, "不是普通文件（设备、管道等），已忽略")

    def visit_link(self, entry: os.DirEntry, rel_text: str, filing: str | None, folder: str | None,
                   below: list[str], found: Found, name: str | None = None) -> None:
        """A link is followed only to a file inside the root, never out of it or into a folder."""
        target = Path(os.path.realpath(entry.path))
        if not _inside(self.root, target):
            self.skip(rel_text, "符号链接指向归档根目录之外，已忽略（不跟随）")
        elif not target.is_file():
            self.skip(rel_text, "符号链接指向文件夹或不存在的目标，已忽略（不跟随）")
        else:
            f = self.add_file(entry, rel_text, target, target.stat(), filing, folder, [*below, name or entry.name])
            if filing is None:
                found.loose.append(f)

    def visit_folder(self, entry: os.DirEntry, child_rel: PurePosixPath, filing: str | None, folder: str | None,
                     below: list[str], found: Found, name: str | None = None) -> None:
        rel_text = child_rel.as_posix()
        name = name or entry.name
        if filing is not None:
            self.walk(Path(entry.path), child_rel, filing, folder, [*below, name])
            return
        fid = self.matcher.match(name)
        if fid is not None:
            self.scan.folders.setdefault(fid, []).append(rel_text)
            self.walk(Path(entry.path), child_rel, fid, rel_text, [])
            found.has_match = True
            return
        child_match, child_loose = self.walk(Path(entry.path), child_rel, None, None, [])
        if child_match:
            found.has_match = True
            found.loose.extend(f for f in child_loose if f.folder is None)
        else:
            found.unmatched.append((rel_text, Path(entry.path), child_loose))

    def record_orphans(self, unmatched: list[tuple[str, Path, list[ArchiveFile]]]) -> None:
        for rel_text, child_path, child_loose in unmatched:
            orphan = OrphanFolder(rel_text, child_path, probable_id(PurePosixPath(rel_text).name))
            for f in child_loose:
                f.folder = rel_text
                orphan.files += 1
                orphan.size += f.size
            self.scan.orphans.append(orphan)


@dataclass
class Found:
    """What one folder's walk has found so far."""

    has_match: bool = False
    loose: list[ArchiveFile] = field(default_factory=list)
    unmatched: list[tuple[str, Path, list[ArchiveFile]]] = field(default_factory=list)


def hash_files(files: list[ArchiveFile], *, cache: dict[str, list] | None = None,
               progress: ProgressFn | None = None) -> tuple[int, list[tuple[ArchiveFile, str]]]:
    """Fill `sha256` on each file, reading only those the cache does not vouch for.

    Returns (files hashed, [(file, reason)] for files that could not be read).
    """
    cache = cache or {}
    todo = []
    for f in files:
        hit = cache.get(str(f.source))
        if isinstance(hit, list) and len(hit) == 3 and hit[0] == f.size and hit[1] == f.mtime_ns and hit[2]:
            f.sha256 = hit[2]
        else:
            todo.append(f)
    total = sum(f.size for f in todo)
    done = 0
    failed: list[tuple[ArchiveFile, str]] = []
    if progress is not None:
        progress(0, total)

    def work(f: ArchiveFile):
        try:
            return sha256_file(f.source), None
        except OSError as exc:
            return None, exc.strerror or str(exc)

    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        for f, (digest, error) in zip(todo, pool.map(work, todo), strict=True):
            f.sha256 = digest
            if error is not None:
                failed.append((f, error))
            done += f.size
            if progress is not None:
                progress(done, total)
    return len(todo) - len(failed), failed
