"""What every action returns: the run's findings, the files it wrote, and its own result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..run.findings import Report


@dataclass
class ActionResult:
    report: Report
    """Findings of this run (the exit status and the summary come from here)."""
    written: list[Path] = field(default_factory=list)
    """Every file the action wrote, in the order written."""
    data: Any = None
    """The action's own result (CheckData, DocsResult, ArchiveResult, WeeklyReport …)."""
