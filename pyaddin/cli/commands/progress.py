"""A progress bar on the terminal for long work (documents, PDF export, archive hashing).

`terminal_progress(label)` is a context manager yielding a `progress(done, total)` callback — the
shape every action takes — or None when nothing should be drawn: output is not a terminal (a
pipe, a log, CI) or the command prints JSON. The bar goes to stderr, so stdout stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Progress = Callable[[int, int], None]


def wanted(stream: TextIO, *, as_json: bool = False) -> bool:
    """Draw only for a person watching: a terminal, and not a --json run."""
    if as_json:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@contextmanager
def terminal_progress(label: str, *, as_json: bool = False, stream: TextIO | None = None,
                      force: bool = False) -> Iterator[Progress | None]:
    """Yield `progress(done, total)` drawing a bar on `stream` (stderr), or None when quiet.

    `force` draws even when `stream` is not a terminal (for tests). The bar appears on the first
    call with a positive total and closes when the block ends, also after an exception.
    """
    stream = stream or sys.stderr
    if not force and not wanted(stream, as_json=as_json):
        yield None
        return
    from tqdm import tqdm

    state: dict = {}

    def progress(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            if total <= 0:
                return
            bar = state["bar"] = tqdm(total=total, desc=label, unit="个", file=stream, leave=True,
                                      dynamic_ncols=True, mininterval=0.2)
        elif total != bar.total:
            bar.total = total
        bar.update(max(0, min(done, total) - bar.n))

    try:
        yield progress
    finally:
        if "bar" in state:
            state["bar"].close()
