"""Extraction in worker processes, every file under a time limit, so that no file can hang a run.

pdfium, Pillow's decoders and onnxruntime are native code: a crafted or damaged file can make them
loop or crash, and a thread cannot be stopped. So each file is read in a worker process; when a
file takes longer than `FILE_SECONDS`, its worker is killed and replaced and the file gets
`material-unreadable` with 读取超时 and the limit; a worker that dies (a crash in native code) costs
only its file.

The workers start as soon as the reader knows which files it must read and take the images first,
while the parent reads the plain-text files; a worker loads the OCR model with its first image
(never for PDFs that have a text layer) and keeps it for every image after. The load (about 0.7 s)
counts in that image's time. Workers are forked on Linux (a worker starts in milliseconds with the parent's
imports) and spawned elsewhere: Windows has nothing else, and macOS system libraries are not safe to
fork. The parent itself never loads the OCR model, so nothing native is running when it forks.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait
from pathlib import Path

from ...precheck.material import UNREADABLE, Extracted
from .extract import extract, kind

FILE_SECONDS = 60.0
"""Time allowed to read one file. A poster takes about 1 s of OCR on one core and a PDF at most
`extract.MAX_OCR_PAGES` (20) OCR'd pages, so 60 s leaves room for a slow, busy machine; a file
that needs longer is treated as a file that hangs."""

Extractor = Callable[..., Extracted]
Task = tuple[int, str, str, bool]
"""(index, path, extension, ocr)."""


def _context():
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _serve(conn, extractor: Extractor) -> None:
    """A worker: read files until told to stop. The OCR model loads with the first image and stays."""
    from . import ocr

    ocr.engine.cache_clear()  # a forked worker builds its own engine, never shares one across fork
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        i, path, ext, use_ocr = task
        try:
            data = extractor(Path(path), ext, ocr=use_ocr).to_json()
        except Exception as exc:  # noqa: BLE001 - extract() itself never raises; a stand-in might
            data = Extracted(type=kind(ext), status=UNREADABLE, reason=f"读取失败（{type(exc).__name__}）").to_json()
        conn.send((i, data))


class _Worker:
    def __init__(self, ctx, extractor: Extractor):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, extractor), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.deadline = 0.0

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if not kill:
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


STOPPED = ("读取超时", "读取时程序异常退出")
"""How the reasons of a file whose worker was stopped begin (such a file is not cached)."""


def timed_out(ext: str, limit: float) -> Extracted:
    return Extracted(type=kind(ext), status=UNREADABLE,
                     reason=f"读取超时：超过 {limit:g} 秒仍未读完，已停止读取")


def crashed(ext: str) -> Extracted:
    return Extracted(type=kind(ext), status=UNREADABLE, reason="读取时程序异常退出，文件可能已损坏")


class Pool:
    """`size` worker processes; `start()` early, `results()` later, `close()` always."""

    def __init__(self, size: int, *, extractor: Extractor = extract, limit: float = FILE_SECONDS):
        self.size, self.extractor, self.limit = max(1, size), extractor, limit
        self.ctx = _context()
        self.workers: list[_Worker] = []

    def start(self) -> Pool:
        self.workers = [_Worker(self.ctx, self.extractor) for _ in range(self.size)]
        return self

    def results(self, tasks: Iterable[Task]) -> Iterator[tuple[int, Extracted]]:
        """(index, Extracted) for every task, in the order they finish."""
        pending = deque(tasks)
        idle = list(self.workers)
        busy: dict = {}
        while pending or busy:
            while pending and idle:
                w = idle.pop()
                w.task = pending.popleft()
                w.deadline = time.monotonic() + self.limit
                try:
                    w.conn.send(w.task)
                except OSError:  # the worker died while idle: replace it and try again
                    w.stop(kill=True)
                    self.workers.remove(w)
                    pending.appendleft(w.task)
                    idle.append(self._replace())
                    continue
                busy[w.conn] = w
            soonest = min(w.deadline for w in busy.values())
            for conn in wait(list(busy), timeout=max(0.0, soonest - time.monotonic())):
                w = busy.pop(conn)
                try:
                    i, data = conn.recv()
                except (EOFError, OSError):
                    yield w.task[0], crashed(w.task[2])
                    w.stop(kill=True)
                    self.workers.remove(w)
                    if pending:
                        idle.append(self._replace())
                    continue
                yield i, Extracted.from_json(data)
                idle.append(w)
            now = time.monotonic()
            for conn, w in list(busy.items()):
                if now >= w.deadline:
                    del busy[conn]
                    yield w.task[0], timed_out(w.task[2], self.limit)
                    w.stop(kill=True)
                    self.workers.remove(w)
                    if pending:
                        idle.append(self._replace())

    def _replace(self) -> _Worker:
        w = _Worker(self.ctx, self.extractor)
        self.workers.append(w)
        return w

    def close(self) -> None:
        for w in self.workers:
            w.stop()
        self.workers = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
