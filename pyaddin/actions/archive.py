"""The archive index (with hashes and optional BagIt bags) and its later verification."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..archive import index as core
from ..archive.index import ArchiveResult
from ..run.context import Context
from .result import ActionResult

Progress = Callable[[int, int], None]


@dataclass
class Verified:
    """What `verify` checked: the archive root it re-hashed (the findings are the report's)."""

    root: Path


def run(ctx: Context, *, out_dir: Path, root: Path | None = None, bag: bool = False,
        progress: Progress | None = None) -> ActionResult[ArchiveResult]:
    """Writes archive_index.xlsx, archive_manifest.json and the hash cache into `out_dir` (never
    into the archive); with `bag`, one BagIt bag per 已通过 filing under `<out_dir>/bags/`."""
    from ..adapters.archive_files import load_cache, save_cache, write_manifest
    from ..adapters.archive_tree import ArchiveTree
    from ..adapters.archive_xlsx import write_archive_index

    archive_root = core.resolve_root(ctx, root)
    out_dir = Path(out_dir)
    core.check_output(archive_root, out_dir)
    result = core.index_archive(ctx, archive_root, ArchiveTree(), cache=load_cache(out_dir / core.CACHE_NAME), progress=progress)
    written = [write_manifest(out_dir / core.MANIFEST_NAME, result, ctx.record_day),
               write_archive_index(out_dir / core.INDEX_NAME, result, ctx)]
    save_cache(out_dir / core.CACHE_NAME, result.files)
    if bag:
        from ..adapters.bagit_pack import make_bags

        written += make_bags(result, result.by_id, out_dir / "bags", ctx.record_day, result.report)
    result.report.workbook = str(ctx.workbook or ctx.path or "")
    return ActionResult(result.report, written, result)


def verify(ctx: Context, *, out_dir: Path, root: Path | None = None, progress: Progress | None = None,
           name: str = "archive_verify.xlsx") -> ActionResult[Verified]:
    """Re-hash against the manifest of the last run; findings go to `<out_dir>/archive_verify.xlsx`."""
    from ..adapters.archive_files import load_manifest
    from ..adapters.archive_tree import ArchiveTree
    from ..adapters.findings_xlsx import write_findings

    archive_root = core.resolve_root(ctx, root)
    out_dir = Path(out_dir)
    core.check_output(archive_root, out_dir)
    manifest = load_manifest(out_dir / core.MANIFEST_NAME)
    report = core.verify(ctx, archive_root, manifest, ArchiveTree(), progress=progress)
    report.workbook = str(ctx.workbook or ctx.path or "")
    written = [write_findings(out_dir / name, report, ctx.path)]
    return ActionResult(report, written, Verified(archive_root))
