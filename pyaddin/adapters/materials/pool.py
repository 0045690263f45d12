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

On Linux each worker's address space is capped at what it had when it started plus
`WORKER_MEMORY`, so that a crafted file (a PDF page, a sheet with a cell at XFD1048576, a huge
image within the pixel limit) fails one file with a memory reason instead of taking the machine's
memory. Python and numpy raise MemoryError at the cap; Rust (calamine) and C++ (onnxruntime,
pdfium) abort instead, so a worker writes its stderr to a file the parent reads when the worker
dies: "memory allocation of … failed" or "bad_alloc" there means memory, anything else a crash.
That file also keeps a panic's backtrace off the user's terminal.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait
from pathlib import Path

from ...precheck.material import UNREADABLE, Extracted
from .extract import MEMORY_REASON, extract, kind

FILE_SECONDS = 60.0
"""Time allowed to read one file. A poster takes about 1 s of OCR on one core and a PDF at most
`extract.MAX_OCR_PAGES` (20) OCR'd pages, so 60 s leaves room for a slow, busy machine; a file
that needs longer is treated as a file that hangs."""

WORKER_MEMORY = 2 << 30
"""Address space a worker may add to what it started with. Measured growth while reading
(benchmarks/bench_pool_memory.py): a poster with OCR 0.55 GB, a 20-page scanned PDF 0.8 GB, an
8000×8000 photo (the pixel limit) 1.15 GB; 2 GiB leaves room for all of them and stops a file that
asks for more before it can push the machine into swap."""
OUT_OF_MEMORY = re.compile(rb"memory allocation of \d+ bytes failed|bad_alloc|MemoryError|Cannot allocate memory"
                           rb"|out of memory", re.IGNORECASE)

Extractor = Callable[..., Extracted]
Task = tuple[int, str, str, bool]
"""(index, path, extension, ocr)."""


def _context():
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _bound_worker(stderr_fd: int | None) -> None:
    """In a fresh worker: stderr to the parent's file, no core files, the address-space cap, and
    at most two malloc arenas (each thread's arena reserves 64 MB of address space, which the cap
    counts although it is never touched)."""
    if stderr_fd is not None:
        try:
            os.dup2(stderr_fd, 2)
            os.close(stderr_fd)
            import faulthandler

            if faulthandler.is_enabled():  # it writes to the descriptor it was given (pytest's, say)
                faulthandler.enable(file=sys.__stderr__, all_threads=False)
        except (OSError, ValueError, AttributeError):
            pass
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError, TypeError):  # not glibc
        pass
    start = _vm_size()
    if start is not None:
        from ..calamine_child import limit_memory

        limit_memory(start + WORKER_MEMORY)


def _serve(conn, extractor: Extractor, stderr_fd: int | None = None) -> None:
    """A worker: read files until told to stop. The OCR model loads with the first image and stays."""
    _bound_worker(stderr_fd)
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
        except MemoryError:
            data = out_of_memory(ext).to_json()
        except Exception as exc:  # noqa: BLE001 - extract() itself never raises; a stand-in might
            data = Extracted(type=kind(ext), status=UNREADABLE, reason=f"读取失败（{type(exc).__name__}）").to_json()
        conn.send((i, data))


class _Worker:
    def __init__(self, ctx, extractor: Extractor):
        self.conn, child = ctx.Pipe()
        # the worker's stderr, read back when it dies (forked workers only: a spawned one cannot
        # inherit an arbitrary descriptor on Windows)
        self.stderr = tempfile.TemporaryFile() if ctx.get_start_method() == "fork" else None
        fd = self.stderr.fileno() if self.stderr is not None else None
        self.process = ctx.Process(target=_serve, args=(child, extractor, fd), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.deadline = 0.0

    def died(self, ext: str) -> Extracted:
        """Why the worker died while reading a file of type `ext`, from what it wrote to stderr."""
        self.process.join(5)
        said = b""
        if self.stderr is not None:
            try:
                self.stderr.seek(0, os.SEEK_END)
                self.stderr.seek(max(0, self.stderr.tell() - 65536))
                said = self.stderr.read()
            except OSError:
                pass
        return out_of_memory(ext) if OUT_OF_MEMORY.search(said) else crashed(ext)

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
        if self.stderr is not None:
            self.stderr.close()


STOPPED = ("读取超时", "读取时程序异常退出", MEMORY_REASON)
"""How the reasons of a file whose worker was stopped begin (such a file is not cached)."""


def timed_out(ext: str, limit: float) -> Extracted:
    return Extracted(type=kind(ext), status=UNREADABLE,
                     reason=f"读取超时：超过 {limit:g} 秒仍未读完，已停止读取")


def crashed(ext: str) -> Extracted:
    return Extracted(type=kind(ext), status=UNREADABLE, reason="读取时程序异常退出，文件可能已损坏")


def out_of_memory(ext: str) -> Extracted:
    return Extracted(type=kind(ext), status=UNREADABLE, reason=MEMORY_REASON)


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
                    yield w.task[0], w.died(w.task[2])
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
