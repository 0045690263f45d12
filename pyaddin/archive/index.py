"""The compliance archive: which files each filing has, their SHA-256, and whether they changed since.

Audits ask years later for a filing's application materials, submission records and review
results. The archive is a folder tree the team keeps (设置 归档根目录), one folder per filing named
by its 备案编号; this module indexes it without ever writing inside it, records every file's hash in
a manifest in the output folder, and re-checks that manifest on `--verify`.

Files are read once each per run at most: a cache keyed by path, size and mtime_ns (kept in the
output folder) lets a re-run hash only the files that changed, and hashing streams 1 MiB chunks
on a small thread pool (hashlib releases the GIL), so a large archive costs about what `sha256sum`
costs. Symbolic links are never followed out of the root.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from ..compliance.ruleset import applies, row_dates
from ..errors import ArchiveRootMissing, OutputInsideArchive
from ..run.context import Context
from ..run.findings import Finding, Report, make
from ..tracker.catalog import Catalog, Material
from ..tracker.columns import MATERIAL_PREFIX
from ..tracker.textnorm import filing_key
from ..tracker.values import as_text, is_blank

CACHE_NAME = ".beian-hash-cache.json"
MANIFEST_NAME = "archive_manifest.json"
INDEX_NAME = "archive_index.xlsx"
FOUND, MISSING, WRONG_FORMAT = "找到", "缺失", "格式不符"
CHECKLIST = "台账勾选"
"""Shown in 要求 when a material is expected because its checklist cell says 是."""
IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".beian-hash-cache.json"})
"""System clutter that is not part of a filing; Office lock files (`~$…`) are skipped as well."""
ID_SEPARATORS = " _-\u3000"

ProgressFn = Callable[[int, int], None]
"""Called with (bytes hashed so far, bytes to hash in total) as hashing proceeds."""


# ---------------------------------------------------------------- data shapes
@dataclass
class ArchiveFile:
    rel: str
    """Path relative to the archive root, with `/` separators (stable across operating systems)."""
    path: Path
    """Where the entry sits under the root (a symlink's own path)."""
    source: Path
    """The file actually read: `path`, or a symlink's resolved target inside the root."""
    size: int
    mtime_ns: int
    filing: str | None = None
    """备案编号 as written in the tracker; None outside every filing folder."""
    folder: str | None = None
    """Root-relative path of the filing (or orphan) folder this file lies in."""
    material: str | None = None
    format_ok: bool = False
    sha256: str | None = None

    @property
    def mtime(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9)

    @property
    def found(self) -> str:
        return FOUND if self.format_ok else WRONG_FORMAT


@dataclass
class OrphanFolder:
    rel: str
    path: Path
    probable_id: str
    files: int = 0
    size: int = 0


@dataclass
class Skipped:
    rel: str
    reason: str


@dataclass
class Scan:
    root: Path
    files: list[ArchiveFile] = field(default_factory=list)
    folders: dict[str, list[str]] = field(default_factory=dict)
    """备案编号 → root-relative paths of its folders (usually one)."""
    orphans: list[OrphanFolder] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    bad_names: list[tuple[str, str | None]] = field(default_factory=list)
    """(root-relative path as shown, the name read as GB18030) of entries whose name is not UTF-8."""


@dataclass
class Filing:
    """A tracker row as the archive sees it (the first row when an ID is duplicated)."""

    filing_id: str
    row: int
    platform: str | None
    activity: str | None
    company: str | None
    approval_no: str | None
    approved_date: date | None
    status: str | None
    expected: dict[str, list[str]]
    """Material name → why it is expected (rule IDs, or 台账勾选)."""


@dataclass
class IndexRow:
    filing: Filing
    material: str
    required: str
    """Rule IDs (or 台账勾选) that require this material; empty when found but not required."""
    found: str
    file: ArchiveFile | None = None


@dataclass
class ArchiveResult:
    root: Path
    files: list[ArchiveFile]
    index: list[IndexRow]
    orphans: list[OrphanFolder]
    unclassified: list[tuple[ArchiveFile | Skipped, str]]
    """Files in no filing folder or matching no material, and skipped links, each with a reason."""
    no_folder: list[Filing]
    report: Report
    hashed: int = 0
    """Files actually read and hashed this run (the rest came from the cache)."""
    by_id: dict[str, Filing] = field(default_factory=dict)
    """备案编号 → the filing and the materials it is expected to have."""

    @property
    def missing(self) -> list[IndexRow]:
        return [r for r in self.index if r.found != FOUND]


class ArchiveDisk(Protocol):
    """What the archive core asks of the file system, answered by `adapters.archive_tree.ArchiveTree`:
    the core decides what a folder or file means, the adapter walks, lists and hashes."""

    def scan(self, root: Path, ids: Iterable[str], catalog: Catalog) -> Scan:
        """One walk of the tree under `root` (no hashing)."""

    def hash(self, files: list[ArchiveFile], *, cache: dict[str, list] | None = None,
             progress: ProgressFn | None = None) -> tuple[int, list[tuple[ArchiveFile, str]]]:
        """Fill `sha256` on each file; (files hashed, [(file, reason)] for files that could not be read)."""

    def sha256(self, path: Path) -> str:
        """One file's SHA-256 (raises OSError when it cannot be read)."""

    def folders(self, root: Path) -> list[Path]:
        """The folders directly under `root`, sorted (empty when it cannot be listed)."""


# ---------------------------------------------------------------- root and IDs
def resolve_root(ctx: Context, root: Path | None) -> Path:
    """--root (as typed), else 设置 归档根目录 (resolved by the loader against the workbook's folder);
    it must be an existing folder."""
    if root is None:
        if ctx.archive_root is None:
            raise ArchiveRootMissing("没有归档根目录：请在“设置”表填写“归档根目录”或使用 --root 指定文件夹。 "
                                     "/ No archive root: set 归档根目录 in 设置 or pass --root.")
        root = ctx.archive_root
    if not Path(root).is_dir():
        raise ArchiveRootMissing(f"归档根目录“{root}”不存在或不是文件夹，请检查“设置”中的归档根目录或 --root。 "
                                 f"/ Archive root {root} is not a folder.")
    return Path(root).resolve()


def check_output(root: Path, out_dir: Path) -> None:
    """The archive is evidence: refuse an output folder inside it rather than write there."""
    out = out_dir.resolve()
    if out == root or root in out.parents:
        raise OutputInsideArchive(f"输出目录“{out_dir}”位于归档根目录内，beian 不会写入归档，请用 --out 指定归档以外的文件夹。 "
                                  f"/ The output folder must be outside the archive.")


class FolderMatcher:
    """Finds the 备案编号 a folder name starts with: the ID then end, space, `_` or `-`, any case.

    The longest matching ID wins, so `BA-1-2 补充` goes to BA-1-2 even when BA-1 also exists.
    """

    def __init__(self, ids: Iterable[str]):
        self.ids: dict[str, str] = {}
        for i in ids:
            self.ids.setdefault(filing_key(i), i)

    def match(self, name: str) -> str | None:
        text = filing_key(name) or ""  # folder names compare in the same form as the IDs
        best = None
        for pos, ch in enumerate(text):
            if ch in ID_SEPARATORS and text[:pos] in self.ids:
                best = text[:pos]
        if text in self.ids:
            best = text
        return self.ids[best] if best is not None else None


# ---------------------------------------------------------------- classification
_ASCII_WORD = re.compile(r"^[a-z0-9 ._-]+$")


class Classifier:
    """File → material by the 材料 catalogue's file-name keywords, then by the folders above it.

    The longest keyword wins (直播方案 beats 方案). ASCII keywords must stand as words (`script` does
    not match `description.pdf`); Chinese ones match anywhere in the name.
    """

    def __init__(self, materials: list[Material]):
        pairs = []
        for m in materials:
            for kw in dict.fromkeys([*m.keywords, m.name]):
                k = unicodedata.normalize("NFKC", kw).casefold().strip()
                if not k:
                    continue
                pattern = re.compile(r"(?<![a-z])" + re.escape(k) + r"(?![a-z])") if _ASCII_WORD.match(k) else None
                pairs.append((k, pattern, m))
        self.keywords = sorted(pairs, key=lambda p: -len(p[0]))

    def material(self, text: str) -> Material | None:
        t = unicodedata.normalize("NFKC", text).casefold()
        for k, pattern, m in self.keywords:
            if (pattern.search(t) if pattern is not None else k in t):
                return m
        return None

    def classify(self, parts: list[str]) -> tuple[Material | None, bool]:
        """`parts`: the path below the filing folder, file name last."""
        name = parts[-1]
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        for text in [stem, *reversed(parts[:-1])]:
            m = self.material(text)
            if m is not None:
                return m, (not m.formats) or ext.lower() in m.formats
        return None, False


# ---------------------------------------------------------------- names
def safe_name(name: str) -> tuple[str, str | None]:
    """(the name as beian shows and records it, a GB18030 reading or None) for a name from the disk.

    A zip made on a Chinese Windows and unpacked on Linux leaves names whose bytes are GBK, not
    UTF-8; Python holds them as lone surrogates that no file, terminal or workbook can write. Such
    a name is shown with its bad bytes as `\\xNN` (unique, so the manifest still tells files apart)
    and read as GB18030 for classification; the file itself is still opened by its real name."""
    try:
        name.encode("utf-8")
        return name, None
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    shown = raw.decode("utf-8", "backslashreplace")
    try:
        guess = raw.decode("gb18030")
    except UnicodeDecodeError:
        guess = None
    return shown, guess


def safe_path_text(path: Path | str) -> str:
    """A path as text any output can hold (see `safe_name`)."""
    return safe_name(str(path))[0]


# ---------------------------------------------------------------- scanning
def ignored(name: str) -> bool:
    return name.casefold() in IGNORED_NAMES or name.startswith("~$")


def probable_id(name: str) -> str:
    """The first word of a folder name: what the team probably meant as its 备案编号."""
    text = unicodedata.normalize("NFKC", name).strip()
    return re.split(r"[\s_]+", text, maxsplit=1)[0] if text else ""


def tracker_ids(df: pd.DataFrame) -> list[str]:
    ids = df["filing_id"] if "filing_id" in df.columns else pd.Series(dtype=object)
    return [as_text(v) for v in ids if not is_blank(v)]


def scan_materials(disk: ArchiveDisk, root: Path, tracker_df: pd.DataFrame, catalog: Catalog) -> dict[str, set[str]]:
    """备案编号 → materials with a file in an accepted format under the filing's folder.

    Used by validate so a material found in the archive counts even when its checklist cell is
    not 是; no hashing, so it costs one directory walk.
    """
    scan = disk.scan(Path(root), tracker_ids(tracker_df), catalog)
    out: dict[str, set[str]] = {fid: set() for fid in scan.folders}
    for f in scan.files:
        if f.filing is not None and f.material is not None and f.format_ok:
            out.setdefault(f.filing, set()).add(f.material)
    return out


# ---------------------------------------------------------------- expected materials
def filings(ctx: Context) -> dict[str, Filing]:
    """备案编号 → Filing with the materials the 平台规则 rules (and ticked checklist cells) expect."""
    df = ctx.tracker.df
    expected: dict[int, dict[str, list[str]]] = {int(r): {} for r in df.index}
    if not df.empty:
        dates = row_dates(df, ctx.today)
        exploded = df["forms"].explode()
        for rule in ctx.rules.rules:
            if not rule.is_material:
                continue
            for row in df.index[applies(rule, df, dates, exploded)]:
                expected[int(row)].setdefault(rule.target_name, []).append(rule.id)
        for col in df.columns:
            if col.startswith(MATERIAL_PREFIX):
                for row in df.index[df[col].eq(True).fillna(False).astype(bool)]:
                    expected[int(row)].setdefault(col[len(MATERIAL_PREFIX):], []).append(CHECKLIST)
    order = {m.name: i for i, m in enumerate(ctx.catalog.materials)}
    out: dict[str, Filing] = {}
    seen: set[str] = set()
    for row in df.index:
        fid = df.at[row, "filing_id"]
        if is_blank(fid):
            continue
        fid = as_text(fid)
        if filing_key(fid) in seen:
            continue
        seen.add(filing_key(fid))
        exp = dict(sorted(expected[int(row)].items(), key=lambda kv: order.get(kv[0], len(order))))

        def get(key, row=row):
            v = df.at[row, key]
            return None if v is None or (isinstance(v, float) and pd.isna(v)) else v

        out[fid] = Filing(fid, int(row), get("platform"), get("activity"), get("company"), get("approval_no"),
                          get("approved_date"), get("status"), exp)
    return out


# ---------------------------------------------------------------- hashing
def cache_entries(files: list[ArchiveFile]) -> dict[str, list]:
    """What the hash cache keeps per file: size, mtime_ns and the hash they vouch for."""
    return {str(f.source): [f.size, f.mtime_ns, f.sha256] for f in files if f.sha256}


# ---------------------------------------------------------------- index
def index_archive(ctx: Context, root: Path, disk: ArchiveDisk, *, cache: dict[str, list] | None = None,
                  progress: ProgressFn | None = None) -> ArchiveResult:
    """Index and hash the archive; reads only (the `archive` action writes the index, manifest,
    hash cache and bags)."""
    root = Path(root).resolve()
    by_id = filings(ctx)
    scan = disk.scan(root, by_id, ctx.catalog)
    hashed, failed = disk.hash(scan.files, cache=cache, progress=progress)

    report = Report("archive", str(ctx.path or ""), ctx.today, ctx.tracker.rows)
    for f, reason in failed:
        report.findings.append(_file_finding(ctx, by_id, "archive-unreadable", f.filing, f.rel,
                                             f"无法读取归档文件“{f.rel}”（{reason}），请检查文件权限或是否被占用后重试。"))
    for s in scan.skipped:
        report.findings.append(make("archive-skipped", f"“{s.rel}”{s.reason}；如需归档请放入真实文件。", value=s.rel))
    report.findings.extend(name_findings(scan))

    index, unclassified = _index_rows(by_id, scan)
    no_folder = [fl for fid, fl in by_id.items() if fid not in scan.folders]
    return ArchiveResult(root, scan.files, index, scan.orphans, unclassified, no_folder, report, hashed,
                         by_id=by_id)


def name_findings(scan: Scan) -> list[Finding]:
    """archive-bad-name for each entry whose name is not UTF-8: listed and hashed all the same."""
    out = []
    for rel, guess in scan.bad_names:
        reading = f"，按 GBK 读作“{guess}”" if guess else ""
        out.append(make("archive-bad-name", f"“{rel}”的文件名不是 UTF-8 编码（多为在 Windows 上打包、在 Linux/macOS 上"
                                            f"解压的压缩包）{reading}；已照常索引和计算哈希，请用正确的编码重新解压或改名。",
                        value=rel))
    return out


def _index_rows(by_id: dict[str, Filing], scan: Scan):
    files_by_filing: dict[str, list[ArchiveFile]] = {}
    unclassified: list[tuple[ArchiveFile | Skipped, str]] = []
    orphan_dirs = {o.rel for o in scan.orphans}
    for f in scan.files:
        if f.filing is None:
            if f.folder not in orphan_dirs:
                unclassified.append((f, "不在任何备案文件夹内（文件夹名应以备案编号开头）"))
            continue
        files_by_filing.setdefault(f.filing, []).append(f)
        if f.material is None:
            unclassified.append((f, "文件名和所在文件夹都不含“材料”表中的关键词，请按材料名称重命名"))
    for s in scan.skipped:
        unclassified.append((s, s.reason))

    index: list[IndexRow] = []
    for fid, filing in sorted(by_id.items(), key=lambda kv: kv[1].row):
        if fid not in scan.folders:
            continue
        files = files_by_filing.get(fid, [])
        by_material: dict[str, list[ArchiveFile]] = {}
        for f in files:
            if f.material is not None:
                by_material.setdefault(f.material, []).append(f)
        materials = list(filing.expected) + [m for m in by_material if m not in filing.expected]
        for m in materials:
            required = "、".join(filing.expected.get(m, []))
            hits = sorted(by_material.get(m, []), key=lambda f: (not f.format_ok, f.rel))
            if not hits:
                index.append(IndexRow(filing, m, required, MISSING))
            for f in hits:
                index.append(IndexRow(filing, m, required, f.found, f))
    return index, unclassified


def manifest_json(result: ArchiveResult, today: date) -> str:
    files = [{
        "path": f.rel, "size": f.size, "mtime": f.mtime.isoformat(timespec="seconds"), "mtime_ns": f.mtime_ns,
        "sha256": f.sha256, "filing": f.filing, "material": f.material,
    } for f in result.files]
    return json.dumps({"tool": "beian", "root": safe_path_text(result.root), "created": today.isoformat(),
                       "algorithm": "sha256", "files": files}, ensure_ascii=False, indent=1)


def _file_finding(ctx: Context, by_id: dict[str, Filing], code: str, fid: str | None, rel: str,
                  message: str) -> Finding:
    filing = by_id.get(fid) if fid else None
    if filing is None:
        return make(code, message, filing_id=fid, value=rel)
    return make(code, message, sheet=ctx.tracker.sheet, row=filing.row, filing_id=fid,
                activity=as_text(filing.activity) if filing.activity else None, value=rel)


# ---------------------------------------------------------------- verify
def verify(ctx: Context, root: Path, manifest: dict, disk: ArchiveDisk, *, progress: ProgressFn | None = None
           ) -> Report:
    """Re-hash every file (no cache: a tampered file may keep its size and mtime) against the
    manifest of an earlier run (as `adapters.archive_files.load_manifest` reads it)."""
    root = Path(root).resolve()
    recorded = {e["path"]: e for e in manifest["files"]}
    by_id = filings(ctx)
    scan = disk.scan(root, by_id, ctx.catalog)
    _, failed = disk.hash(scan.files, progress=progress)
    report = Report("archive", str(ctx.path or ""), ctx.today, ctx.tracker.rows)
    report.findings.extend(name_findings(scan))
    unreadable = {f.rel for f, _ in failed}
    current = {f.rel: f for f in scan.files}
    for f, reason in failed:
        report.findings.append(_file_finding(ctx, by_id, "archive-unreadable", f.filing, f.rel,
                                             f"无法读取归档文件“{f.rel}”（{reason}），请检查文件权限后重新核验。"))
    created = manifest.get("created", "")
    for rel, entry in recorded.items():
        fid = entry.get("filing")
        f = current.get(rel)
        if f is None:
            report.findings.append(_file_finding(
                ctx, by_id, "archive-missing-file", fid, rel,
                f"归档文件“{rel}”在清单（{created}）中有记录但已不存在，请从备份恢复，或确认删除后重新运行 beian archive。"))
        elif rel not in unreadable and f.sha256 != entry.get("sha256"):
            report.findings.append(_file_finding(
                ctx, by_id, "archive-changed", f.filing or fid, rel,
                f"归档文件“{rel}”的内容自清单（{created}）以来已改变（SHA-256 不同），请核实改动，"
                f"确认无误后重新运行 beian archive 更新清单。"))
    for rel, f in current.items():
        if rel not in recorded:
            report.findings.append(_file_finding(
                ctx, by_id, "archive-added-file", f.filing, rel,
                f"归档文件“{rel}”是清单（{created}）之后新增的，请确认后重新运行 beian archive 把它记入清单。"))
    return report
