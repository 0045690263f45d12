"""The one way into a run: read a workbook (from a file or from live Excel) into a Context.

The command line, the buttons and the Python API all call `open_context`; only the reader
differs. Everything a run needs before the core is done here, once, the same way for every door:
follow 设置 台账文件 to the workbook that holds the tracker, take 平台/平台规则/材料 from `--rules`
when given, resolve every relative path in 设置 (台账文件, 归档根目录, 输出目录) against the folder of
the workbook that holds 设置, and attach the archive's materials so validate's material rules see
the files that are really there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from ..compliance.cross_tracker import Skipped
from ..errors import BeianError, SeveralTrackers, TrackerNotFound
from ..run import places
from ..run.build import build_context
from ..run.context import Context, tracker_paths
from ..tracker.book import Book
from ..tracker.cells import is_blank
from ..tracker.settings import load_settings


class Reader(Protocol):
    """Reads workbooks into `Book`s: `adapters.files.FileReader` or `adapters.excel.LiveReader`."""

    def main(self, path: Path | None) -> Book:
        """The workbook the user opened (or clicked in)."""

    def other(self, path: Path) -> Book:
        """Another workbook named by 设置 台账文件 or --rules, already resolved to a full path."""


def open_context(reader: Reader, path: str | Path | None = None, *, sheet: str | None = None,
                 rules: str | Path | None = None, today: date | None = None,
                 system_today: date | None = None, tracker: Path | None = None) -> Context:
    """Everything a run needs about one workbook.

    `today` (an explicit --today) wins over 设置 今天, which wins over the system date; `rules` is
    a workbook whose 平台/平台规则/材料 replace this one's (a path as the user typed it). `tracker`
    is one of the several trackers this workbook's 设置 台账文件 names (`actions.many` runs each
    of them exactly as a workbook naming only that one would run).
    """
    run_at = datetime.now()  # the run's one reading of the clock: its start, and the system date
    book = reader.main(Path(path) if path is not None else None)
    workbook = book.path or (Path(path) if path is not None else None)
    base = workbook.parent if workbook is not None else Path.cwd()
    settings = load_settings(book)
    named = [tracker] if tracker is not None else tracker_paths(settings.tracker_file, base)
    if len(named) > 1 or (named and named[0].is_dir()):
        raise SeveralTrackers(named, book)
    tracker_path = named[0] if named else None
    tracker_book = reader.other(tracker_path) if tracker_path is not None else None
    rules_book = reader.other(Path(rules)) if rules else None
    system_today = system_today or run_at.date()
    try:
        ctx = build_context(book, system_today=system_today, today=today, sheet=sheet, rules_book=rules_book,
                            tracker_book=tracker_book, base_dir=base, run_at=run_at)
    except TrackerNotFound as exc:
        source = tracker_book or book
        name = Path(source.path or workbook or "工作簿").name
        raise TrackerNotFound(f"“{name}”：{empty_reason(source) or exc}") from exc
    ctx.workbook = workbook  # a live workbook's Book has no path; the name the door gave stands in
    if rules_book is not None:
        ctx.rules_source = f"--rules 指定的工作簿 {rules}（平台、平台规则、材料表）"
    elif ctx.rules.source == "workbook":
        ctx.rules_source = f"工作簿自带的“平台规则”表（{workbook}）" if workbook else "工作簿自带的“平台规则”表"
    attach_archive(ctx)
    from ..adapters.files import release_freed

    release_freed()  # what reading and building left free, before the checks make their findings
    return ctx


def empty_reason(book: Book) -> str | None:
    """An empty workbook deserves its own reason rather than 'no tracker header found' (a workbook
    whose sheets could not be read is not empty: the sheet's own reason stands)."""
    if book.unreadable:
        return None
    if any(not is_blank(v) for s in book.sheets.values() for r in s.rows for v in r):
        return None
    return "工作簿中没有任何数据，请确认选择了正确的文件并已保存。 / The workbook contains no data."


def attach_archive(ctx: Context) -> None:
    """With 设置 归档根目录, materials found in the archive count for validate's material rules."""
    if ctx.archive_root is None or not ctx.archive_root.is_dir():
        return
    from ..adapters.archive_tree import ArchiveTree
    from ..archive.index import scan_materials

    ctx.archive_materials = scan_materials(ArchiveTree(), ctx.archive_root, ctx.tracker.df, ctx.catalog)


@dataclass
class Opened:
    """What a door named, opened once: the one input every action that can run over several
    trackers takes. Either the one tracker's Context, or the trackers to run over (files and
    folders, as named) with the workbook whose 设置 台账文件 named them."""

    ctx: Context | None = None
    trackers: list[Path] = field(default_factory=list)
    home: Book | None = None
    """The naming workbook as already read (the live workbook behind a button, or a file)."""
    sheet: str | None = None
    rules: Path | None = None
    today: date | None = None

    @property
    def several(self) -> bool:
        return self.ctx is None

    def results_dir(self, given: Path | None = None) -> Path:
        """`run.places` for a run over several trackers: --out, else the naming workbook's results
        folder, else beside the first workbook (inside a named folder)."""
        if self.ctx is not None:
            return self.ctx.results_dir(given)
        if given is not None:
            return Path(given)
        if self.home is not None:
            from ..run.context import resolve_setting_path
            from ..tracker.settings import load_settings

            workbook = self.home.path
            base = workbook.parent if workbook is not None else Path.cwd()
            return places.default_results(workbook, resolve_setting_path(load_settings(self.home).output_dir, base))
        first = Path(self.trackers[0])
        return places.default_results(first / "_" if first.is_dir() else first, None)


def open_named(reader: Reader, paths: list[Path] | None = None, *, sheet: str | None = None,
               rules: str | Path | None = None, today: date | None = None) -> Opened:
    """Open what the user named: one workbook file (or, with no path, the reader's own workbook,
    as behind a button), several, or folders. One workbook holding one tracker gives its Context;
    anything else (several, a folder, or a workbook whose 设置 台账文件 names several trackers)
    gives the trackers to run over. The several-trackers case is decided here, once, for every door."""
    paths = [Path(p) for p in paths] if paths else [None]
    options = {"sheet": sheet, "rules": Path(rules) if rules else None, "today": today}
    if len(paths) > 1 or (paths[0] is not None and paths[0].is_dir()):
        return Opened(trackers=paths, **options)
    try:
        return Opened(ctx=open_context(reader, paths[0], sheet=sheet, rules=rules, today=today), **options)
    except SeveralTrackers as exc:  # 设置 台账文件 names a folder or several files
        return Opened(trackers=exc.paths, home=exc.book, **options)


def contexts_of(opened: Opened):
    """Every tracker's Context (several opened in this process, each once) and the files skipped."""
    if opened.ctx is not None:
        return [opened.ctx], []
    return open_many(opened.trackers, sheet=opened.sheet, rules=opened.rules, today=opened.today, home=opened.home)


def expand(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Files as given, folders as the workbooks directly in them (sorted; Excel's ~$ lock files and
    anything else skipped silently), each file once."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        if given.is_dir():
            from ..adapters.files import workbooks_in

            found = workbooks_in(given)
            if not found:
                skipped.append(Skipped(given, "文件夹中没有 .xlsx/.xlsm 工作簿。"))
            candidates = found
        else:
            candidates = [given]
        for p in candidates:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    return files, skipped


class HomeReader:
    """The workbook whose 设置 台账文件 named the trackers (already read: a file, or the live
    workbook behind a button), and the trackers themselves from their files."""

    def __init__(self, home: Book):
        self.home = home

    def main(self, path: Path | None) -> Book:
        return self.home

    def other(self, path: Path) -> Book:
        from ..adapters.files import read_book

        return read_book(path)


def open_tracker(path: Path, home: Book | None, *, sheet: str | None, rules: Path | None, today: date | None):
    """One tracker's Context: from its own file, or as `home` (whose 台账文件 named it) would open it."""
    from ..adapters.files import FileReader

    if home is not None:
        return open_context(HomeReader(home), home.path, sheet=sheet, rules=rules, today=today, tracker=path)
    return open_context(FileReader(), path, sheet=sheet, rules=rules, today=today)


def open_many(paths: list[Path], *, sheet: str | None = None, rules: Path | None = None,
              today: date | None = None, home: Book | None = None) -> tuple[list, list[Skipped]]:
    """Every tracker in `paths` opened in this process (for actions that need the whole Context:
    documents, archive, the weekly report), each tracker once; raises TrackerNotFound when there
    is none. `home`: as for `run`, the workbook whose 设置 台账文件 named them."""
    files, skipped = expand([Path(p) for p in paths])
    contexts, seen = [], set()
    queue = [(p, home) for p in files]
    while queue:
        p, named_by = queue.pop(0)
        try:
            ctx = open_tracker(p, named_by, sheet=sheet, rules=rules, today=today)
        except SeveralTrackers as exc:
            more, more_skipped = expand(exc.paths)
            skipped.extend(more_skipped)
            queue.extend((m, exc.book) for m in more)
            continue
        except BeianError as exc:
            skipped.append(Skipped(p, str(exc)))
            continue
        tracker = Path(ctx.path or ctx.workbook or p).resolve()
        if tracker in seen:
            skipped.append(Skipped(p, "同一份台账已读取过（另一个工作簿的“台账文件”指向它）。"))
            continue
        seen.add(tracker)
        contexts.append(ctx)
    if not contexts:
        names = "、".join(s.path.name for s in skipped) or "（无）"
        raise TrackerNotFound(f"给定的工作簿中没有备案台账：{names}。 / No tracker in the given workbooks.")
    return contexts, skipped
