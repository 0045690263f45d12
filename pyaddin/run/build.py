"""Building a run's Context from the workbook's cells: settings, vocabularies, rules, the tracker
and the licenses register, each parsed by its own domain, and the day the run counts from.

Apart from `run.context` (the data) because building needs every reader, and the checks only need
the data.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ..compliance.rules import freshness, load_rules
from ..deadlines.licenses import load_licenses
from ..tracker.book import Book
from ..tracker.catalog import load_catalog
from ..tracker.filings import open_filings
from ..tracker.reading import read_tracker
from ..tracker.settings import load_settings
from ..tracker.unreadable import unreadable_findings
from .context import Context, resolve_setting_path
from .findings import make


def build_context(
    book: Book,
    *,
    system_today: date,
    today: date | None = None,
    sheet: str | None = None,
    rules_book: Book | None = None,
    tracker_book: Book | None = None,
    base_dir: Path | None = None,
    run_at: datetime | None = None,
) -> Context:
    """`today` (an explicit --today) wins over 设置 今天, which wins over `system_today`.

    `rules_book` supplies 平台/平台规则/材料 from another workbook (`--rules`); `tracker_book` is the
    workbook named in 设置 台账文件, when the team keeps the tracker in its own file. Relative paths
    in 设置 resolve against `base_dir`, by default the folder of `book`. `run_at` is when the run
    started (the loader's one reading of the clock).
    """
    settings = load_settings(book)
    settings.findings.extend(unreadable_findings(book))  # reported with 设置's: once for a workbook trackers share
    table_book = rules_book or book
    catalog = load_catalog(table_book, default_review_days=settings.default_review_days,
                           default_lead_days=settings.default_lead_days)
    if rules_book is not None and book.get("字段映射") is not None:
        catalog.header_overrides.update(load_catalog(book).header_overrides)
    rules = load_rules(table_book, catalog)
    if rules_book is not None and rules_book is not book:
        rules.findings.extend(unreadable_findings(rules_book))
    source = tracker_book or book
    own = unreadable_findings(tracker_book) if tracker_book is not None and tracker_book is not book else []
    tracker = read_tracker(source, catalog, settings, sheet_name=sheet)
    licenses = load_licenses(source if source.get("资质库") is not None else book)
    effective = today or settings.today or system_today
    today_source = "option" if today else ("settings" if settings.today else "system")
    pinned = []
    if effective != system_today:
        origin = "--today" if today else "设置“今天”"
        cell = {} if today else {"sheet": "设置", "row": settings.cells.get("today", (None, None))[0],
                                 "column": settings.cells.get("today", (None, None))[1], "field": "值"}
        pinned.append(make("today-pinned", f"本次按 {effective:%Y-%m-%d}（{origin}）计算，不是当天的系统日期；"
                                           f"如需按实际日期复核，请去掉{origin}。",
                           value=effective, **cell))
    open_rows = open_filings(tracker.df, effective)
    stale = freshness(rules, tracker.df, open_rows, effective, settings.rule_review_days)
    setup = [*pinned, *settings.findings, *catalog.findings, *rules.findings, *stale, *licenses.findings, *own]
    base = base_dir or (book.path.parent if book.path is not None else None)
    return Context(
        workbook=book.path,
        base_dir=base,
        archive_root=resolve_setting_path(settings.archive_root, base),
        output_dir=resolve_setting_path(settings.output_dir, base),
        system_today=system_today,
        run_at=run_at,
        today_source=today_source,
        book=book,
        settings=settings,
        catalog=catalog,
        rules=rules,
        tracker=tracker,
        licenses=licenses,
        today=effective,
        path=source.path,
        source=source,
        setup_findings=setup,
    )
