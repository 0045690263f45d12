"""The one way into a run: read a workbook (from a file or from live Excel) into a Context.

The command line, the buttons and the Python API all call `open_context`; only the reader
differs. Everything a run needs before the core is done here, once, the same way for every door:
follow 设置 台账文件 to the workbook that holds the tracker, take 平台/平台规则/材料 from `--rules`
when given, resolve every relative path in 设置 (台账文件, 归档根目录, 输出目录) against the folder of
the workbook that holds 设置, and attach the archive's materials so validate's material rules see
the files that are really there.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from ..errors import SeveralTrackers, TrackerNotFound
from ..run.context import Context, build_context, tracker_paths
from ..tracker.book import Book
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
    system_today = system_today or date.today()
    try:
        ctx = build_context(book, system_today=system_today, today=today, sheet=sheet, rules_book=rules_book,
                            tracker_book=tracker_book, base_dir=base)
    except TrackerNotFound as exc:
        source = tracker_book or book
        name = Path(source.path or workbook or "工作簿").name
        raise TrackerNotFound(f"“{name}”：{empty_reason(source) or exc}") from exc
    ctx.workbook = workbook  # a live workbook's Book has no path; the name the door gave stands in
    ctx.run_at = datetime.now()
    if rules_book is not None:
        ctx.rules_source = f"--rules 指定的工作簿 {rules}（平台、平台规则、材料表）"
    elif ctx.rules.source == "workbook":
        ctx.rules_source = f"工作簿自带的“平台规则”表（{workbook}）" if workbook else "工作簿自带的“平台规则”表"
    attach_archive(ctx)
    return ctx


def empty_reason(book: Book) -> str | None:
    """An empty workbook deserves its own reason rather than 'no tracker header found' (a workbook
    whose sheets could not be read is not empty: the sheet's own reason stands)."""
    if book.unreadable:
        return None
    if any(v not in (None, "") for s in book.sheets.values() for r in s.rows for v in r):
        return None
    return "工作簿中没有任何数据，请确认选择了正确的文件并已保存。 / The workbook contains no data."


def attach_archive(ctx: Context) -> None:
    """With 设置 归档根目录, materials found in the archive count for validate's material rules."""
    if ctx.archive_root is None or not ctx.archive_root.is_dir():
        return
    from ..archive.index import scan_materials

    ctx.archive_materials = scan_materials(ctx.archive_root, ctx.tracker.df, ctx.catalog)
