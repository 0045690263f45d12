"""Reuse what passed: the approved filings most like one filing, and optionally copy their
still-unchanged archived files into its archive folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..archive.reuse import ReusePlan
from ..run.context import Context
from ..run.findings import Report
from .result import ActionResult


@dataclass
class Copied:
    """One file copied: its path in the archive (relative to the root) and where it went."""

    rel: str
    dest: Path


@dataclass
class ReuseResult:
    plan: ReusePlan
    copied: list[Copied] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    """Destinations that already existed and were left untouched."""
    source: str | None = None
    """The filing the copied files came from."""
    note: str = ""


def run(ctx: Context, *, filing_id: str, out_dir: Path, copy: bool = False, source_id: str | None = None,
        top: int = 5) -> ActionResult[ReuseResult]:
    """Reads the archive manifest of the last `beian archive` run in `out_dir`; with `copy`, copies
    into this filing's folder under the archive root and appends to 复用来源.txt there."""
    from ..adapters.archive_files import load_manifest
    from ..adapters.archive_tree import ArchiveTree
    from ..archive import reuse as core
    from ..archive.index import MANIFEST_NAME
    from ..errors import ManifestMissing

    try:
        manifest = load_manifest(Path(out_dir) / MANIFEST_NAME)
    except ManifestMissing:
        manifest = None
    root = ctx.archive_root.resolve() if ctx.archive_root is not None and ctx.archive_root.is_dir() else None
    disk = ArchiveTree()
    plan = core.plan(ctx, filing_id, manifest=manifest, archive_root=root, disk=disk, top=top)
    result = ReuseResult(plan, note=plan.note)
    written: list[Path] = []
    findings: list = []
    if copy:
        if root is None:
            from ..errors import ArchiveRootMissing

            raise ArchiveRootMissing("没有可用的归档根目录，无法复制：请在“设置”表填写“归档根目录”。 "
                                     "/ No archive root to copy into.")
        todo = core.copy_plan(plan, root, disk, source_id)
        if todo is None:
            result.note = "".join([plan.note, "没有可复用（SHA-256 与归档清单一致、且允许复用到本备案）的文件，"
                                              "未复制任何文件。"])
        else:
            from ..adapters.reuse_files import append_text, copy_new
            from ..errors import OutsideRoot

            result.source = todo.source.filing_id
            for rel, src, dest in todo.files:
                try:
                    if copy_new(src, dest, root=root):
                        result.copied.append(Copied(rel, dest))
                        written.append(dest)
                    else:
                        result.kept.append(dest)
                except OutsideRoot as exc:
                    findings.append(_outside(exc, root))
            if result.copied or result.kept:
                text = core.provenance_text(
                    plan.filing_id, todo.source,
                    [(c.rel, c.dest.relative_to(todo.folder).as_posix()) for c in result.copied],
                    [d.relative_to(todo.folder).as_posix() for d in result.kept], ctx.record_day)
                try:
                    written.append(append_text(todo.folder / core.PROVENANCE, text, root=root))
                except OutsideRoot as exc:
                    findings.append(_outside(exc, root))
    report = Report("reuse", str(ctx.workbook or ctx.path or ""), ctx.today, ctx.tracker.rows, findings)
    return ActionResult(report, written, result)


def _outside(exc, root: Path):
    from ..run.findings import make

    return make("archive-outside-root",
                f"复制目标“{exc.path}”经符号链接指向归档根目录 {root} 之外的“{exc.target}”，未写入；"
                f"请把本备案的文件夹改为归档根目录下的真实文件夹后再复制。", value=str(exc.path))
