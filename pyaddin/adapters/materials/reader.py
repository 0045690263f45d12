"""Read many material files: hash, reuse the cache, extract the rest in time-limited workers.

The cache (`cache.TextCache`, one SQLite file in `<history>/precheck/`) keeps each file's extracted
text under its SHA-256 and the extractor version, so a re-run over unchanged files parses and OCRs
nothing; files whose size and modification time are unchanged are not even hashed again. A run
hashes each other file once, looks every file up in one query, and reads identical files (the same
poster in several filings) once.

Plain text (txt, md, csv, html) is read here, in bounded bytes. Everything else — PDFs, Office
files, images — goes to `pool.Pool`: worker processes started as soon as the misses are known (they
read the images while this process reads the plain text), every file under a time limit. When
every file hits the cache, no worker starts and no reader library is imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ...precheck.material import UNREADABLE, Extracted
from ..hashing import sha256_file
from .cache import TextCache
from .extract import EXTRACTOR_VERSION, extract, kind
from .pool import FILE_SECONDS, STOPPED, Pool

CACHE_DIR = "precheck"
HASH_WORKERS = max(1, min(4, os.cpu_count() or 1))
IN_PROCESS = frozenset({"text", "other"})
"""Kinds read in this process: bounded bytes of plain text, or nothing at all."""
_ORDER = {"image": 0, "pdf": 1}
"""Workers take images and PDFs (OCR, the long jobs) first, so the short ones fill the gaps at the end."""


def ocr_workers() -> int:
    """One worker process per core (two on the target machine), at most four."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class Job:
    path: Path
    ext: str


def read_all(jobs: list[Job], *, cache_dir: Path | None, ocr: bool = True, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None, extractor: Callable[..., Extracted] = extract,
             limit: float | None = None) -> tuple[list[Extracted], list[bool]]:
    """Extracted text for each job, in order, and whether it came from the cache.

    `extractor` reads one file in a worker (`extract.extract`; tests pass a stand-in that hangs)
    and `limit` is the seconds allowed per file (`pool.FILE_SECONDS`)."""
    n = len(jobs)
    results: list[Extracted | None] = [None] * n
    cached = [False] * n
    cache = TextCache(cache_dir)
    try:
        known = cache.known([str(j.path) for j in jobs])
        stats: dict[str, tuple[int, int, str]] = {}

        def stat(job: Job):
            try:
                st = os.stat(job.path)
            except OSError as exc:
                return exc
            hit = known.get(str(job.path))
            if hit is not None and hit[:2] == (st.st_size, st.st_mtime_ns):
                return hit[2]
            return st

        def digest(job: Job, st: os.stat_result):
            try:
                sha = sha256_file(job.path)
            except OSError as exc:
                return exc
            stats[str(job.path)] = (st.st_size, st.st_mtime_ns, sha)
            return sha

        hashes = [stat(j) for j in jobs]
        changed = [i for i, h in enumerate(hashes) if isinstance(h, os.stat_result)]
        if len(changed) > 1:  # hashlib releases the GIL: threads hash files side by side
            with ThreadPoolExecutor(max_workers=HASH_WORKERS) as threads:
                for i, sha in zip(changed, threads.map(lambda i: digest(jobs[i], hashes[i]), changed), strict=True):
                    hashes[i] = sha
        else:
            for i in changed:
                hashes[i] = digest(jobs[i], hashes[i])
        hits = cache.texts((h for h in hashes if isinstance(h, str)), EXTRACTOR_VERSION, ocr)
        first: dict[str, int] = {}  # sha → the job that reads it
        same: list[tuple[int, int]] = []  # (job, the earlier job with the same bytes)
        todo: list[int] = []
        for i, (job, sha) in enumerate(zip(jobs, hashes, strict=True)):
            if isinstance(sha, OSError):
                results[i] = Extracted(type=kind(job.ext), status=UNREADABLE,
                                       reason=f"无法读取文件（{sha.strerror or sha}）")
            elif sha in hits:
                results[i], cached[i] = hits[sha], True
            elif sha in first:
                same.append((i, first[sha]))
            else:
                first[sha] = i
                todo.append(i)
        done = n - len(todo) - len(same)
        if progress is not None:
            progress(done, n)

        def finished(i: int, x: Extracted) -> None:
            nonlocal done
            results[i] = x
            done += 1
            if progress is not None:
                progress(done, n)

        here = [i for i in todo if kind(jobs[i].ext) in IN_PROCESS]
        away = sorted((i for i in todo if kind(jobs[i].ext) not in IN_PROCESS),
                      key=lambda i: _ORDER.get(kind(jobs[i].ext), 2))
        if away:
            size = min(workers or ocr_workers(), len(away))
            with Pool(size, extractor=extractor, limit=limit or FILE_SECONDS).start() as pool:
                for i in here:  # while the workers read the others
                    finished(i, extract(jobs[i].path, jobs[i].ext, ocr=ocr))
                for i, x in pool.results((i, str(jobs[i].path), jobs[i].ext, ocr) for i in away):
                    finished(i, x)
        else:
            for i in here:
                finished(i, extract(jobs[i].path, jobs[i].ext, ocr=ocr))
        for i, j in same:
            finished(i, results[j])
        fresh = {hashes[i]: results[i] for i in todo if not _stopped(results[i])}
        cache.save(stats, fresh, EXTRACTOR_VERSION, ocr)
    finally:
        cache.close()
    return [r for r in results if r is not None], cached


def _stopped(x: Extracted | None) -> bool:
    """A time-out or a dead worker may say more about this run's machine (busy, short of memory)
    than about the file: such a file is read again next time, not remembered as unreadable."""
    return x is None or (x.status == UNREADABLE and x.reason.startswith(STOPPED))
