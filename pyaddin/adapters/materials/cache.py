"""The pre-check's text cache: one SQLite file in the workbook's history (`history/precheck/`).

- `files`: path → size, modification time and SHA-256, so a file whose size and time are unchanged
  is not hashed again (as the archive's hash cache does);
- `texts`: SHA-256 + extractor version + OCR or not → the extracted text as JSON.

A re-run reads both in one query each (not one small file per material, which the earlier JSON
cache did), and writes what it read in one transaction. No WAL, as for the notify store: the
history may sit on a network share. A damaged or locked cache is only a miss: the run reads the
files again and says nothing, and a file that is not a database is set aside and started afresh.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ...precheck.material import Extracted

CACHE_NAME = "cache.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                                  sha TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS texts (sha TEXT NOT NULL, version INTEGER NOT NULL, ocr INTEGER NOT NULL,
                                  data TEXT NOT NULL, PRIMARY KEY (sha, version, ocr));
"""
_CHUNK = 500
"""Keys per `IN (…)` query, well under SQLite's parameter limit."""


def _chunks(items: list, n: int = _CHUNK):
    for i in range(0, len(items), n):
        yield items[i:i + n]


class TextCache:
    """Opened per run; every method swallows SQLite errors (a cache never fails a run)."""

    def __init__(self, folder: Path | None):
        self.db: sqlite3.Connection | None = None
        if folder is None:
            return
        path = Path(folder) / CACHE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._open(path)
        except sqlite3.DatabaseError:
            try:
                path.replace(path.with_suffix(".damaged"))
                self.db = self._open(path)
            except (OSError, sqlite3.Error):
                self.db = None
        except (OSError, sqlite3.Error):
            self.db = None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA synchronous=OFF")  # a power cut can cost entries (a re-read), never the run
        db.executescript(_SCHEMA)
        return db

    def known(self, paths: list[str]) -> dict[str, tuple[int, int, str]]:
        """Path → (size, mtime_ns, sha) recorded by earlier runs."""
        out: dict[str, tuple[int, int, str]] = {}
        if self.db is None:
            return out
        try:
            for part in _chunks(paths):
                q = f"SELECT path, size, mtime_ns, sha FROM files WHERE path IN ({','.join('?' * len(part))})"
                out.update((p, (s, m, h)) for p, s, m, h in self.db.execute(q, part))
        except sqlite3.Error:
            return {}
        return out

    def texts(self, shas: Iterable[str], version: int, ocr: bool) -> dict[str, Extracted]:
        out: dict[str, Extracted] = {}
        if self.db is None:
            return out
        try:
            for part in _chunks(sorted(set(shas))):
                q = f"SELECT sha, data FROM texts WHERE version = ? AND ocr = ? AND sha IN ({','.join('?' * len(part))})"
                for sha, data in self.db.execute(q, [version, int(ocr), *part]):
                    try:
                        out[sha] = Extracted.from_json(json.loads(data))
                    except (ValueError, TypeError, KeyError, AttributeError):
                        continue  # a damaged entry is a miss
        except sqlite3.Error:
            return {}
        return out

    def save(self, files: dict[str, tuple[int, int, str]], texts: dict[str, Extracted], version: int, ocr: bool) -> None:
        if self.db is None or not (files or texts):
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                                [(p, s, m, h) for p, (s, m, h) in files.items()])
            self.db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?)",
                                [(sha, version, int(ocr), json.dumps(x.to_json(), ensure_ascii=False))
                                 for sha, x in texts.items()])
            self.db.execute("COMMIT")
        except sqlite3.Error:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # a cache that cannot be written costs the next run a re-read, nothing else

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
