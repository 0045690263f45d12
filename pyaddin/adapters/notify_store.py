"""What `notify` remembers between runs and shares between processes: one small SQLite file.

The workbook's `history/notify.sqlite` (`run.places`) holds
- `sent`: when each robot was last posted to (the per-minute window), so two runs a minute apart,
  or two at the same moment, together stay within the vendor's limit;
- `blocked`: a robot the vendor has blocked (钉钉 130101: ten minutes) and until when, so the next
  run does not knock again and can say when it may send;
- `announced`: the *approved* keys each robot has announced, and the ones a run is announcing
  right now (`claimed`). A run claims its keys in one transaction before it sends, so two runs
  started together cannot both announce a 备案号; a claim is released when its payload fails and
  expires after `CLAIM_TTL` seconds if its run died.
Every read-modify-write is one `BEGIN IMMEDIATE` transaction: SQLite's own lock serialises the
processes, and a crash mid-way rolls back. The window's writes (one per message) skip the disk
flush (`synchronous=OFF`: a power cut could cost a minute's count, never a process crash), which
made them 30 ms → 0.1 ms each here; what was announced is flushed (`FULL`), once per robot and run.
No WAL: the output folder may be on a network share, where WAL does not work. Robots are keyed by a hash of the webhook (the window
and blocks belong to the robot, whatever its name) or, for *approved*, by the 通知 row's 名称 as
the JSON state was; nothing in the file is a webhook or a secret.

The JSON state of earlier versions (`notify_state.json` in the results folder) is imported once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CannotNotify
from ..notify.messages import State

STORE_NAME = "notify.sqlite"
CLAIM_TTL = 15 * 60.0
"""Seconds after which a claim of a run that never finished no longer holds its keys."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (robot TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sent_robot ON sent (robot, at);
CREATE TABLE IF NOT EXISTS blocked (robot TEXT PRIMARY KEY, until REAL NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS robots (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS announced (name TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL,
                                      run TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (name, key));
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
"""


def robot_key(webhook: str) -> str:
    """A stable, non-reversible name for a robot: the webhook is a credential and stays out of files."""
    return hashlib.sha256(webhook.encode("utf-8")).hexdigest()[:24]


def window_wait(times: list[float], now: float, per_minute: int, per_second: int | None) -> float:
    """Seconds to wait before one more message fits the window (0 = it fits now)."""
    recent = [t for t in times if now - t < 60.0]
    wait = 0.0
    if len(recent) >= per_minute:
        wait = 60.0 - (now - recent[-per_minute])
    if per_second:
        second = [t for t in recent if now - t < 1.0]
        if len(second) >= per_second:
            wait = max(wait, 1.0 - (now - second[-per_second]))
    return max(wait, 0.0)


class MemoryLedger:
    """The window and blocks of one process (tests, and the dry run, which sends nothing)."""

    def __init__(self):
        self.sent: dict[str, list[float]] = {}
        self.blocks: dict[str, tuple[float, str]] = {}

    def reserve(self, robot: str, per_minute: int, per_second: int | None, now: float) -> float:
        times = [t for t in self.sent.get(robot, []) if now - t < 60.0]
        wait = window_wait(times, now, per_minute, per_second)
        if wait <= 0:
            times.append(now)
        self.sent[robot] = times
        return wait

    def block(self, robot: str, until: float, reason: str) -> None:
        self.blocks[robot] = (until, reason)

    def blocked(self, robot: str, now: float) -> tuple[float, str] | None:
        b = self.blocks.get(robot)
        return b if b and b[0] > now else None


class NotifyStore:
    """The SQLite file; also the Sender's ledger (`reserve`, `block`, `blocked`)."""

    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        try:
            if read_only:
                self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0,
                                          isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
                self.db.execute("PRAGMA synchronous=OFF")
                self.db.executescript(_SCHEMA)
            self.db.execute("SELECT count(*) FROM announced").fetchone()
        except (sqlite3.Error, OSError) as exc:
            raise CannotNotify(f"通知记录文件“{self.path}”无法读取（{type(exc).__name__}），为避免重复通知已停止；"
                               "请修复或删除该文件后重试（删除后只通知最近 7 天通过的备案）。 / Unreadable notify state.") from exc

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        if durable:
            self.db.execute("PRAGMA synchronous=FULL")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        finally:
            if durable:
                self.db.execute("PRAGMA synchronous=OFF")

    # ------------------------------------------------------------------ the window and blocks

    def reserve(self, robot: str, per_minute: int, per_second: int | None, now: float) -> float:
        with self._tx() as db:
            db.execute("DELETE FROM sent WHERE at < ?", (now - 120.0,))
            times = [t for (t,) in db.execute("SELECT at FROM sent WHERE robot = ? AND at > ? ORDER BY at",
                                              (robot, now - 60.0))]
            wait = window_wait(times, now, per_minute, per_second)
            if wait <= 0:
                db.execute("INSERT INTO sent (robot, at) VALUES (?, ?)", (robot, now))
        return wait

    def block(self, robot: str, until: float, reason: str) -> None:
        with self._tx(durable=True) as db:
            db.execute("INSERT OR REPLACE INTO blocked (robot, until, reason) VALUES (?, ?, ?)", (robot, until, reason))

    def blocked(self, robot: str, now: float) -> tuple[float, str] | None:
        row = self.db.execute("SELECT until, reason FROM blocked WHERE robot = ? AND until > ?", (robot, now)).fetchone()
        return (float(row[0]), str(row[1])) if row else None

    # ------------------------------------------------------------------ approved keys

    def import_json(self, legacy: Path) -> None:
        """Take over the keys of the JSON state file of earlier versions, once."""
        if self.read_only or not legacy.exists():
            return
        if self.db.execute("SELECT v FROM meta WHERE k = 'imported'").fetchone():
            return
        state = load_json_state(legacy)
        now = time.time()
        with self._tx(durable=True) as db:
            for name, keys in state.approved.items():
                db.execute("INSERT OR IGNORE INTO robots (name) VALUES (?)", (name,))
                db.executemany("INSERT OR IGNORE INTO announced VALUES (?, ?, 'done', 'json', ?)",
                               [(name, k, now) for k in keys])
            db.execute("INSERT OR REPLACE INTO meta (k, v) VALUES ('imported', ?)", (str(legacy.name),))

    def announced(self, name: str, now: float) -> set[str] | None:
        """Keys announced to this robot or being announced by a live run; None = a robot never seen."""
        if not self.db.execute("SELECT 1 FROM robots WHERE name = ?", (name,)).fetchone():
            return None
        rows = self.db.execute("SELECT key FROM announced WHERE name = ? AND (state = 'done' OR at > ?)",
                               (name, now - CLAIM_TTL))
        return {k for (k,) in rows}

    def claim(self, name: str, keys: Iterable[str], known: Iterable[str], run: str, now: float) -> list[str]:
        """Claim `keys` for this run (those no other run holds), record `known` as announced
        without a message (a robot's first run), all in one transaction; returns the claimed keys."""
        keys = list(dict.fromkeys(keys))
        with self._tx(durable=True) as db:
            db.execute("INSERT OR IGNORE INTO robots (name) VALUES (?)", (name,))
            db.execute("DELETE FROM announced WHERE name = ? AND state = 'claimed' AND at <= ?", (name, now - CLAIM_TTL))
            taken = {k for (k,) in db.execute("SELECT key FROM announced WHERE name = ?", (name,))}
            mine = [k for k in keys if k not in taken]
            db.executemany("INSERT INTO announced VALUES (?, ?, 'claimed', ?, ?)", [(name, k, run, now) for k in mine])
            db.executemany("INSERT OR IGNORE INTO announced VALUES (?, ?, 'done', ?, ?)",
                           [(name, k, run, now) for k in known])
            db.execute("INSERT OR REPLACE INTO meta (k, v) VALUES ('last_run', ?)", (str(now),))
        return mine

    def finish(self, name: str, run: str, delivered: Iterable[str]) -> None:
        """Delivered keys become announced; the rest of this run's claims are released for next time."""
        delivered = list(delivered)
        with self._tx(durable=True) as db:
            db.executemany("UPDATE announced SET state = 'done' WHERE name = ? AND key = ? AND run = ?",
                           [(name, k, run) for k in delivered])
            db.execute("DELETE FROM announced WHERE name = ? AND run = ? AND state = 'claimed'", (name, run))


def load_json_state(path: Path) -> State:
    try:
        return State.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise CannotNotify(f"通知记录文件“{path}”无法读取（{type(exc).__name__}），为避免重复通知已停止；"
                           "请修复或删除该文件后重试（删除后只通知最近 7 天通过的备案）。 / Unreadable notify state.") from exc


def open_store(history_dir: Path, legacy: Path, *, dry_run: bool) -> tuple[NotifyStore | None, State | None]:
    """(store, None) for a real run; for a dry run (which writes nothing) the store read-only if it
    exists, else the legacy JSON state in memory (or an empty one)."""
    path = Path(history_dir) / STORE_NAME
    if dry_run:
        if path.exists():
            return NotifyStore(path, read_only=True), None
        return None, load_json_state(legacy) if legacy.exists() else State()
    store = NotifyStore(path)
    store.import_json(legacy)
    return store, None
