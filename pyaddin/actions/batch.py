"""One action over what the door opened: one tracker, or each of several in turn.

The loop over several trackers and where each one's files go (`run.places.tracker_results`) are
decided here, once, for the command line, the buttons and the API alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from ..compliance.cross_tracker import Skipped
from ..run.context import Context
from ..run.places import tracker_results
from .loader import Opened, contexts_of
from .result import ActionResult

T = TypeVar("T")


@dataclass
class TrackerRun(Generic[T]):
    """One tracker's part of a run: which file it came from, where its files went, what it gave."""

    source: Path
    out_dir: Path
    result: ActionResult[T]


@dataclass
class Batch(Generic[T]):
    """Every tracker's part, in the order opened, and the workbooks skipped (no tracker, unreadable)."""

    parts: list[TrackerRun[T]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    several: bool = False
    """The door named several trackers (each part then has its own sub-folder)."""


def each_tracker(opened: Opened, out: Path | None,
                 run_one: Callable[[Context, Path], ActionResult[T]]) -> Batch[T]:
    """`run_one(ctx, out_dir)` for every tracker: one tracker writes into the results folder
    (`run.places`), several each into `<results>/<tracker file name>/`."""
    contexts, skipped = contexts_of(opened)
    folder = opened.results_dir(out)
    batch: Batch[T] = Batch(skipped=list(skipped), several=opened.several)
    for ctx in contexts:
        source = Path(ctx.path or ctx.workbook or folder)
        target = tracker_results(folder, source) if opened.several else folder
        batch.parts.append(TrackerRun(source, target, run_one(ctx, target)))
    return batch
