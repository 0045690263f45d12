"""Read many material files: hash, reuse the cache, extract the rest (OCR on a process pool).

The cache keeps each file's extracted text under its SHA-256 and the extractor version in the
history folder beside the output (`<out>/history/precheck/`), so a re-run over unchanged files
parses and OCRs nothing; files whose size and modification time are unchanged are not even hashed
again (`index.json`). A damaged cache entry is only a miss.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ...precheck.material import UNREADABLE, Extracted
from ..hashing import sha256_file
from ..output_files import atomic_write_text
from .extract import EXTRACTOR_VERSION, extract, kind

CACHE_DIR = "precheck"
HASH_WORKERS = max(1, min(4, os.cpu_count() or 1))


def ocr_workers() -> int:
    """One OCR process per core (two on the target machine), at most four."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class Job:
    path: Path
    ext: str


INDEX_NAME = "index.json"
"""Path → [size, mtime_ns, SHA-256]: a file whose size and modification time are unchanged is not
hashed again (as the archive's hash cache does), so a re-run reads only the small cache entries."""


def _load_index(cache_dir: Path | None) -> dict[str, list]:
    if cache_dir is None:
        return {}
    try:
        entries = json.loads((cache_dir / INDEX_NAME).read_text(encoding="utf-8")).get("entries", {})
        return entries if isinstance(entries, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _cache_path(cache_dir: Path, sha: str, ocr: bool) -> Path:
    return cache_dir / sha[:2] / f"{sha}.v{EXTRACTOR_VERSION}.{'ocr' if ocr else 'no-ocr'}.json"


def _load(path: Path) -> Extracted | None:
    try:
        return Extracted.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _job(args: tuple[str, str, bool]) -> dict:
    path, ext, ocr = args
    return extract(Path(path), ext, ocr=ocr).to_json()


def _warm() -> None:
    from .ocr import engine

    engine()


def read_all(jobs: list[Job], *, cache_dir: Path | None, ocr: bool = True, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> tuple[list[Extracted], list[bool]]:
    """Extracted text for each job, in order, and whether it came from the cache."""
    n = len(jobs)
    results: list[Extracted | None] = [None] * n
    cached = [False] * n
    known = _load_index(cache_dir)
    stats: dict[str, list] = {}

    def digest(job: Job):
        try:
            st = os.stat(job.path)
            key = str(job.path)
            hit = known.get(key)
            if isinstance(hit, list) and len(hit) == 3 and hit[:2] == [st.st_size, st.st_mtime_ns]:
                stats[key] = hit
                return hit[2]
            sha = sha256_file(job.path)
            stats[key] = [st.st_size, st.st_mtime_ns, sha]
            return sha
        except OSError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        hashes = list(pool.map(digest, jobs))
    todo_text, todo_ocr = [], []
    for i, (job, sha) in enumerate(zip(jobs, hashes, strict=True)):
        if isinstance(sha, OSError):
            results[i] = Extracted(type=kind(job.ext), status=UNREADABLE,
                                   reason=f"无法读取文件（{sha.strerror or sha}）")
            continue
        if cache_dir is not None:
            hit = _load(_cache_path(cache_dir, sha, ocr))
            if hit is not None:
                results[i], cached[i] = hit, True
                continue
        (todo_ocr if ocr and kind(job.ext) in {"image", "pdf"} else todo_text).append(i)
    done = n - len(todo_text) - len(todo_ocr)
    if progress is not None:
        progress(done, n)
    for i in todo_text:
        results[i] = extract(jobs[i].path, jobs[i].ext, ocr=ocr)
        done += 1
        if progress is not None:
            progress(done, n)
    workers = workers or ocr_workers()
    if len(todo_ocr) >= 2 and workers > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(todo_ocr)), mp_context=ctx, initializer=_warm) as pool:
            args = [(str(jobs[i].path), jobs[i].ext, ocr) for i in todo_ocr]
            for i, data in zip(todo_ocr, pool.map(_job, args), strict=True):
                results[i] = Extracted.from_json(data)
                done += 1
                if progress is not None:
                    progress(done, n)
    else:
        for i in todo_ocr:
            results[i] = extract(jobs[i].path, jobs[i].ext, ocr=ocr)
            done += 1
            if progress is not None:
                progress(done, n)
    if cache_dir is not None:
        if stats != {k: v for k, v in known.items() if k in stats}:
            try:
                atomic_write_text(cache_dir / INDEX_NAME, json.dumps({"version": 1, "entries": {**known, **stats}},
                                                                     ensure_ascii=False))
            except OSError:
                pass
        for i in todo_text + todo_ocr:
            sha = hashes[i]
            if isinstance(sha, str):
                try:
                    atomic_write_text(_cache_path(cache_dir, sha, ocr), json.dumps(results[i].to_json(), ensure_ascii=False))
                except OSError:
                    pass  # a cache that cannot be written costs the next run a re-read, nothing else
    return [r for r in results if r is not None], cached
