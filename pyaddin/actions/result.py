"""What every action returns: the run's findings, the files it wrote, and its own typed result.

`ActionResult[T]`: each action's `run` is annotated with its own `T` (a dataclass: `CheckData`,
`DocsResult`, `ArchiveResult` …), so a door reads `result.data.<field>` knowing what is there and
never guesses at the shape with `getattr`/`isinstance` (`tests/test_action_results.py` checks the
annotations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from ..errors import BeianError
from ..run.findings import Report

T = TypeVar("T")


@dataclass
class ActionResult(Generic[T]):
    report: Report
    """Findings of this run (the exit status and the summary come from here)."""
    written: list[Path] = field(default_factory=list)
    """Every file the action wrote, in the order written."""
    data: T = None  # type: ignore[assignment]  # every action passes its own result
    """The action's own result, of the type its `run` declares."""
    skipped: list = field(default_factory=list)
    """Workbooks named but not run over (no tracker, unreadable), with the reason."""
    not_written: list[BeianError] = field(default_factory=list)
    """Outputs that could not be written (a file open in Excel …): the findings still stand, and the
    door says what was not written and exits 2."""
