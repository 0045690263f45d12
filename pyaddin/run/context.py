"""Everything a command needs about one workbook, loaded once: settings, vocabularies, rules,
the tracker and the licenses register.

Every door (CLI, buttons, Python API) gets its Context from `loader.open_context`, which reads
the cells through a reader and calls `build_context` here; nothing below this point knows where the
cells came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..compliance.rules import RuleSet, freshness, load_rules
from ..deadlines.licenses import Licenses, load_licenses
from ..tracker.book import Book
from ..tracker.catalog import Catalog, load_catalog
from ..tracker.filings import open_filings
from ..tracker.reading import Tracker, read_tracker
from ..tracker.settings import Settings, load_settings
from ..tracker.unreadable import unreadable_findings
from . import places
from .findings import Finding, make


@dataclass
class Context:
    book: Book
    settings: Settings
    catalog: Catalog
    rules: RuleSet
    tracker: Tracker
    licenses: Licenses
    today: date
    path: Path | None = None
    """The workbook holding the tracker, for hyperlinks back to the offending cell."""
    source: Book | None = None
    """The Book the tracker was read from (`book`, or the one 设置 台账文件 names)."""
    archive_materials: dict[str, set[str]] | None = None
    """filing_id → material names found in the archive, when an archive root is configured."""
    setup_findings: list[Finding] = field(default_factory=list)
    """Findings about the setup (设置, 平台, 平台规则, 资质库 …) rather than about tracker rows."""
    workbook: Path | None = None
    """The workbook the user opened (holds 设置; may differ from `path` when 台账文件 is set)."""
    base_dir: Path | None = None
    """The workbook's folder: every relative path in 设置 is resolved against it."""
    archive_root: Path | None = None
    """设置 归档根目录, resolved (None when not set)."""
    output_dir: Path | None = None
    """设置 输出目录, resolved (None when not set)."""
    system_today: date | None = None
    """The machine's date when the run started (differs from `today` when 今天 or --today pins it)."""
    run_at: datetime | None = None
    """When the run really started (set by the loader; core never reads the clock)."""
    rules_source: str = "beian 内置默认规则（pyaddin/data/platform_rules.csv）"
    """Where 平台/平台规则/材料 came from, in words, for the run information of every output (set
    by the loader, which knows the --rules workbook)."""

    @property
    def record_day(self) -> date:
        """The day this run really happened, for records of when something was done (archive
        manifest `created`, BagIt `Bagging-Date`, 复用来源.txt): "今天" pinned in 设置 or --today moves
        every computation, never the date a record says it was made."""
        if self.run_at is not None:
            return self.run_at.date()
        return self.system_today or self.today

    @property
    def today_pinned(self) -> bool:
        return self.system_today is not None and self.today != self.system_today

    def explicit_out(self, given: Path | None) -> Path | None:
        """An output folder the user asked for (--out, else 设置 输出目录), or None: validate, deadlines
        and check write findings.xlsx only then."""
        if given is not None:
            return Path(given)
        return self.output_dir

    def results_dir(self, given: Path | None = None) -> Path:
        """Where this run's files go (`run.places`): --out, else 设置 输出目录, else beian-out beside
        the workbook."""
        return places.results_dir(given, self.workbook, self.output_dir)

    @property
    def history_dir(self) -> Path:
        """This workbook's history (`run.places`): the same folder for every run, whatever --out says."""
        return places.history_dir(self.workbook, self.output_dir)


def build_context(
    book: Book,
    *,
    system_today: date,
    today: date | None = None,
    sheet: str | None = None,
    rules_book: Book | None = None,
    tracker_book: Book | None = None,
    base_dir: Path | None = None,
) -> Context:
    """`today` (an explicit --today) wins over 设置 今天, which wins over `system_today`.

    `rules_book` supplies 平台/平台规则/材料 from another workbook (`--rules`); `tracker_book` is the
    workbook named in 设置 台账文件, when the team keeps the tracker in its own file. Relative paths
    in 设置 resolve against `base_dir`, by default the folder of `book`.
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


TRACKER_LIST_SEPARATORS = re.compile(r"[\r\n；;]+")


def tracker_paths(value: str | None, base: Path | None) -> list[Path]:
    """设置 台账文件 as a list (SPEC §9): one file, several separated by a newline or ；, or a folder
    (kept as the folder; `actions.loader.expand` lists its workbooks). Relative to the workbook's folder."""
    if value is None:
        return []
    parts = [p.strip() for p in TRACKER_LIST_SEPARATORS.split(str(value)) if p.strip()]
    return [p for p in (resolve_setting_path(part, base) for part in parts) if p is not None]


def resolve_setting_path(value: str | Path | None, base: Path | None) -> Path | None:
    """A path from 设置: absolute as written, else relative to the workbook's folder (the one rule
    for every door); empty → None."""
    if value is None or str(value).strip() == "":
        return None
    target = Path(str(value).strip()).expanduser()
    if target.is_absolute() or base is None:
        return target
    return base / target
