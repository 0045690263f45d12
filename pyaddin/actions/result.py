"""What every action returns: the run's findings, the files it wrote, and its own result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BeianError
from ..run.findings import Report


@dataclass
class ActionResult:
    report: Report
    """Findings of this run (the exit status and the summary come from here)."""
    written: list[Path] = field(default_factory=list)
    """Every file the action wrote, in the order written."""
    data: Any = None
    """The action's own result (CheckData, DocsResult, ArchiveResult, WeeklyReport …)."""
    skipped: list = field(default_factory=list)
    """Workbooks named but not run over (no tracker, unreadable), with the reason."""
    not_written: list[BeianError] = field(default_factory=list)
    """Outputs that could not be written (a file open in Excel …): the findings still stand, and the
    door says what was not written and exits 2."""
