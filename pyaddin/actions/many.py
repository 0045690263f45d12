"""check / validate / deadlines over several trackers in one run (docs/cli.md, 多个台账).

Folders are expanded to the .xlsx/.xlsm files in them; a file without a tracker (or unreadable) is
listed as skipped, not fatal. Each tracker is opened with the one loader and checked by the check
action exactly as in a single run; `multi.combine` adds the cross-tracker findings. With several
large files the trackers are read in worker processes (calamine holds the GIL, so threads would
not help); each worker sends back only its findings and the keys the cross checks need, so memory
stays that of one tracker per worker plus the findings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..compliance.cross_tracker import MultiReport, Skipped, TrackerKeys, combine, keys_of
from ..errors import BeianError, SeveralTrackers, TrackerNotFound
from ..run.findings import Finding, Report, share_values, stamp
from ..tracker.book import Book
from .check import CheckData
from .loader import expand, open_tracker
from .result import ActionResult

PARALLEL_MIN_BYTES = 2_000_000
"""Below this much input, starting worker processes costs more than it saves."""


@dataclass
class OneChecked:
    """One tracker checked (in this process or a worker): what comes back to be combined."""

    tracker: Path
    report: Report
    keys: TrackerKeys
    common: list[Finding] = field(default_factory=list)
    """Findings about a workbook every tracker shares (home's 设置 and rules, --rules), stamped."""


@dataclass
class Expands:
    """A workbook whose 设置 台账文件 names other trackers: those, each checked with it as home."""

    path: Path
    trackers: list[Path]
    home: Book


@dataclass
class Checked:
    """The check action over what a door opened. Exactly one part is set: `one` for a single
    tracker (the validate/deadlines split the buttons show), `several` for several trackers or a
    shared 资质库 (each workbook's report, the cross-tracker findings, the workbooks skipped)."""

    one: CheckData | None = None
    several: MultiReport | None = None


def _check_one(path: Path, options: dict, home: Book | None = None) -> OneChecked | Skipped | Expands:
    """One tracker checked, skipped (no tracker, unreadable) with the reason, or expanded into the
    trackers its 台账文件 names.

    With `home`, the tracker is checked as `home` naming only it would check it: 设置, rules and
    (where the tracker has none) 资质库 from `home`. Findings about a workbook every tracker shares
    (home's 设置 and rule tables, a --rules workbook) come back apart, to be reported once."""
    from . import check as action

    try:
        ctx = open_tracker(path, home, sheet=options["sheet"], rules=options["rules"], today=options["today"])
    except SeveralTrackers as exc:  # 设置 台账文件 names a folder or several files
        return Expands(path, exc.paths, exc.book)
    except BeianError as exc:
        return Skipped(path, str(exc))
    shared = options.get("licenses")
    if shared is not None:
        own = {id(f) for f in ctx.licenses.findings}
        ctx.setup_findings = [f for f in ctx.setup_findings if id(f) not in own]
        ctx.licenses = replace(shared, findings=[])  # the shared register's findings are reported once
    common: list = []
    if home is not None or options["rules"] is not None:
        ids = {id(f) for f in [*ctx.catalog.findings, *ctx.rules.findings]}
        if home is not None:
            ids |= {id(f) for f in ctx.settings.findings}
            ids |= {id(f) for f in ctx.setup_findings if f.code == "today-pinned"}
        common = [f for f in ctx.setup_findings if id(f) in ids]
        ctx.setup_findings = [f for f in ctx.setup_findings if id(f) not in ids]
        source = home.path if home is not None else options["rules"]
        stamp(common, str(source) if source is not None else None)
    result = action.run(ctx, validation=options["validation"], deadlines=options["deadlines"], out_dir=None)
    tracker = Path(ctx.path or ctx.workbook or path)
    share_values(result.report.findings)  # each distinct value pickled once, not once per finding
    outcome = OneChecked(tracker, result.report, keys_of(ctx, str(tracker)), common)
    if _IN_WORKER:
        del ctx, result
        _give_back_memory()
    return outcome


_IN_WORKER = False


def _worker_started() -> None:
    """A worker process reads whole workbooks one after another: the cores are shared out by
    workbook, so a big sheet is not also split over them."""
    global _IN_WORKER
    from ..adapters.files import parse_on_one_core

    _IN_WORKER = True
    parse_on_one_core()


def _give_back_memory() -> None:
    """Between two workbooks, hand the freed heap back to the system: the reader's threads leave
    it in per-thread malloc arenas, where glibc keeps it, and two workers holding on to the peak of
    their biggest workbook were a third of the run's memory."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _before_fork() -> None:
    """Import what every worker needs, once, here: forked workers then share those pages with this
    process instead of each importing pandas into memory of its own (~40 MB a worker); and freeze
    them, so the garbage collector's bookkeeping does not copy the shared pages either."""
    import gc

    from . import check  # noqa: F401
    from .loader import open_context  # noqa: F401 - pandas and the core, for the workers

    gc.collect()
    gc.freeze()


def _workers(files: list[Path]) -> int:
    cpus = os.cpu_count() or 1
    if len(files) < 2 or cpus < 2:
        return 1
    size = sum(p.stat().st_size for p in files if p.exists())
    return min(cpus, len(files)) if size >= PARALLEL_MIN_BYTES else 1


def run(paths: list[Path], *, validation: bool = True, deadlines: bool = True, sheet: str | None = None,
        rules: Path | None = None, licenses: Path | None = None, today: date | None = None,
        out_dir: Path | None = None, workers: int | None = None, progress=None,
        home: Book | None = None) -> ActionResult[MultiReport]:
    """Check every tracker in `paths` (files and folders); findings.xlsx over all of them when
    `out_dir` is set. Raises TrackerNotFound when none of them holds a tracker.

    `home`: the workbook whose 设置 台账文件 named `paths` (the buttons pass the live workbook);
    a workbook given here that names several trackers becomes their home the same way."""
    found, skipped = expand(paths)
    files = [(p, home) for p in found]
    shared = None
    shared_findings = []
    if licenses is not None:
        from ..adapters.files import read_book
        from ..deadlines.licenses import load_licenses

        shared = load_licenses(read_book(licenses))
        if not shared.present:
            raise TrackerNotFound(f"“{Path(licenses).name}”中没有“资质库”工作表，请检查 --licenses 指定的工作簿。 "
                                  f"/ No 资质库 sheet in {Path(licenses).name}.")
        shared_findings = list(shared.findings)
    options = {"sheet": sheet, "rules": rules, "today": today, "validation": validation, "deadlines": deadlines,
               "licenses": shared}
    outcomes = []
    shared_objects: dict = {}

    def arrived(outcome):
        if isinstance(outcome, OneChecked):  # as each arrives, so its copies are freed before the next one comes
            share_values(outcome.report.findings, shared_objects)  # rule messages repeat in every tracker
        return outcome

    seen = {p.resolve() for p, _ in files}
    while files:
        n = workers or _workers([p for p, _ in files])
        if n > 1:
            from concurrent.futures import ProcessPoolExecutor

            _before_fork()
            with ProcessPoolExecutor(max_workers=n, initializer=_worker_started) as pool:
                batch = [arrived(o) for o in pool.map(_check_one, [p for p, _ in files], [options] * len(files),
                                                      [h for _, h in files])]
        else:
            batch = []
            for i, (p, h) in enumerate(files):
                batch.append(arrived(_check_one(p, options, h)))
                if progress is not None:
                    progress(i + 1, len(files))
        files = []
        for outcome in batch:
            if not isinstance(outcome, Expands):
                outcomes.append(outcome)
                continue
            # the trackers a workbook's 设置 台账文件 names, each checked as that workbook would check it
            more, more_skipped = expand(outcome.trackers)
            skipped.extend(more_skipped)
            for p in more:
                if p.resolve() not in seen:
                    seen.add(p.resolve())
                    files.append((p, outcome.home))
    reports, keys, trackers, common, homes = [], [], set(), [], set()
    for outcome in outcomes:
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
            continue
        tracker, report, k, shared_here = outcome.tracker, outcome.report, outcome.keys, outcome.common
        if tracker.resolve() in trackers:
            skipped.append(Skipped(tracker, "同一份台账已检查过（另一个工作簿的“台账文件”指向它）。"))
            continue
        trackers.add(tracker.resolve())
        reports.append(report)
        keys.append(k)
        for f in shared_here:  # the same for every tracker of one home or --rules workbook: once each
            key = (f.workbook, f.code, f.message, f.sheet, f.row, f.column)
            if key not in homes:
                homes.add(key)
                common.append(f)
    if not reports:
        names = "、".join(s.path.name for s in skipped) or "（无）"
        raise TrackerNotFound(f"给定的工作簿中没有备案台账：{names}。 / No tracker in the given workbooks.")
    command = "check" if validation and deadlines else ("validate" if validation else "deadlines")
    day = reports[0].today
    multi: MultiReport = combine(reports, keys, command=command, today=day, skipped=skipped)
    multi.report.findings[:0] = common
    if shared_findings:
        multi.report.findings[:0] = stamp(shared_findings, str(licenses))
    written: list[Path] = []
    if out_dir is not None:
        from ..adapters.findings_xlsx import write_findings

        sources = {k.workbook: Path(k.workbook) for k in keys}  # each finding's label → the file its link opens
        written.append(write_findings(Path(out_dir) / "findings.xlsx", multi.report, None, workbooks=sources))
    return ActionResult(multi.report, written, multi)


__all__ = ["Checked", "TrackerKeys", "run", "run_opened"]


def run_opened(opened, *, validation: bool = True, deadlines: bool = True, out: Path | None = None,
               licenses: Path | None = None, keep_history: bool | None = None, workers: int | None = None,
               progress=None) -> ActionResult[Checked]:
    """The check action over what the door opened: one tracker as `check.run` (findings.xlsx only into an output
    folder the user asked for: --out or 设置 输出目录); several trackers, or a shared `licenses`
    register, through `actions.many` with the cross-tracker checks (findings.xlsx into `out`)."""
    if not opened.several and licenses is None:
        from . import check

        ctx = opened.ctx
        one = check.run(ctx, validation=validation, deadlines=deadlines, out_dir=ctx.explicit_out(out),
                        keep_history=keep_history)
        return ActionResult(one.report, one.written, Checked(one=one.data), one.skipped, one.not_written)
    paths = opened.trackers if opened.several else [Path(opened.ctx.path or opened.ctx.workbook)]
    many = run(paths, validation=validation, deadlines=deadlines, sheet=opened.sheet, rules=opened.rules,
               licenses=licenses, today=opened.today, out_dir=out, workers=workers, progress=progress,
               home=opened.home)
    return ActionResult(many.report, many.written, Checked(several=many.data), many.skipped, many.not_written)
