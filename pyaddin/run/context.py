"""Everything a command needs about one workbook, loaded once: settings, vocabularies, rules,
the tracker and the licenses register.

Every door (CLI, buttons, Python API) gets its Context from `loader.open_context`, which reads
the cells through a reader and calls `run.build.build_context`; nothing below this point knows where
the cells came from. This module holds only the data (its fields are types from low modules), so
every check can take a Context without depending on how one is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..compliance.ruleset import RuleSet
from ..deadlines.register import Licenses
from ..tracker.book import Book
from ..tracker.catalog import Catalog
from ..tracker.cells import is_blank
from ..tracker.frame import Tracker
from ..tracker.settings import Settings
from . import places
from .findings import Finding


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
    """When the run really started (read once by the loader; nothing else reads the clock)."""
    today_source: str = "system"
    """Where `today` came from: "option" (--today or the API's `today`), "settings" (设置 今天) or
    "system" (the clock), decided once by `run.build` so the run information need not guess."""
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


TRACKER_LIST_SEPARATORS = re.compile(r"[\r\n；;]+")


def tracker_paths(value: str | None, base: Path | None) -> list[Path]:
    """设置 台账文件 as a list (docs/cli.md, 多个台账): one file, several separated by a newline or ；, or a folder
    (kept as the folder; `actions.loader.expand` lists its workbooks). Relative to the workbook's folder."""
    if value is None:
        return []
    parts = [p.strip() for p in TRACKER_LIST_SEPARATORS.split(str(value)) if p.strip()]
    return [p for p in (resolve_setting_path(part, base) for part in parts) if p is not None]


def resolve_setting_path(value: str | Path | None, base: Path | None) -> Path | None:
    """A path from 设置: absolute as written, else relative to the workbook's folder (the one rule
    for every door); empty → None."""
    if value is None or is_blank(str(value)):
        return None
    target = Path(str(value).strip()).expanduser()
    if target.is_absolute() or base is None:
        return target
    return base / target
