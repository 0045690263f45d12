"""材料预检: read every file of the selected filings' archive folders and check it (docs/precheck.md).

Shared by `beian precheck`, the 材料预检 button and `pyaddin.precheck_materials`. Reads the archive
(never writes there), keeps the extracted-text cache in the workbook's `history/precheck/`, and writes
findings.xlsx with its 材料预检 sheet into `out_dir`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..archive import index as archive_core
from ..precheck.run import PrecheckResult
from ..run.context import Context
from .result import ActionResult

Progress = Callable[[int, int], None]
FINDINGS_NAME = "findings.xlsx"


def run(ctx: Context, *, out_dir: Path | None, root: Path | None = None, ids: list[str] | None = None,
        all_rows: bool = False, ocr: bool = True, progress: Progress | None = None,
        workers: int | None = None, write: bool = True) -> ActionResult[PrecheckResult]:
    """Pre-check the open filings (or `ids`, or all rows); `data` is the `PrecheckResult`."""
    from ..adapters.archive_tree import scan_tree
    from ..adapters.materials.reader import CACHE_DIR, Job, read_all
    from ..precheck import run as core
    from ..precheck.lexicon import load_lexicon
    from ..precheck.material import MaterialFile
    from ..precheck.specs import load_specs

    archive_root = archive_core.resolve_root(ctx, root)
    if out_dir is not None:
        archive_core.check_output(archive_root, Path(out_dir))
    filings = core.filing_facts(ctx, ids=ids, all_rows=all_rows)
    scan = scan_tree(archive_root, list(filings), ctx.catalog)
    files = [f for f in scan.files if f.filing in filings]
    jobs = [Job(f.source, f.rel.rpartition(".")[2] if "." in f.rel.rsplit("/", 1)[-1] else "") for f in files]
    cache_dir = ctx.history_dir / CACHE_DIR  # the workbook's history (`run.places`), whatever out_dir says
    extracted, cached = read_all(jobs, cache_dir=cache_dir, ocr=ocr, workers=workers, progress=progress)
    materials = [MaterialFile(f.rel, f.filing, f.material, job.ext.lower(), f.size, x, hit)
                 for f, job, x, hit in zip(files, jobs, extracted, cached, strict=True)]
    skipped = [(s.rel, s.reason) for s in scan.skipped if _under(s.rel, scan.folders, filings)]
    result = core.check(ctx, filings, materials, load_lexicon(ctx.book), load_specs(ctx.book),
                        folders=set(scan.folders), skipped=skipped, ocr=ocr)
    result.root = str(archive_root)
    if ids:
        for missing in core.unknown_ids(ctx, ids, filings):
            from ..run.findings import make

            result.report.findings.append(make("material-not-read", f"台账中没有备案编号“{missing}”，未做预检，请检查 --ids。",
                                               value=missing))
    result.report.workbook = str(ctx.workbook or ctx.path or "")
    written = []
    if write and out_dir is not None:
        from ..adapters.findings_xlsx import write_findings

        written.append(write_findings(Path(out_dir) / FINDINGS_NAME, result.report, ctx.path,
                                      precheck=result))
    return ActionResult(result.report, written, result)


def _under(rel: str, folders: dict[str, list[str]], filings) -> bool:
    """A skipped link inside a selected filing's folder."""
    return any(rel.startswith(folder + "/") for fid, paths in folders.items() if fid in filings for folder in paths)
