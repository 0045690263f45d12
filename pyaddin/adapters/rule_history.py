"""The rule snapshots in `<history>/rules/` (format in `pyaddin/compliance/rules_diff.py`) and the version
the last `check` saw (`check_baseline.txt`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..compliance.rules_diff import (
    BASELINE,
    RULES_DIR,
    Snapshot,
    content_hash,
    from_csv_text,
    parse_name,
    rule_rows,
    snapshot_name,
    to_csv_text,
)
from ..compliance.ruleset import RuleSet
from .output_files import atomic_write_text


def list_snapshots(history_dir: Path | None) -> list[Snapshot]:
    """Stored versions, oldest first; files not named like a snapshot are ignored."""
    folder = Path(history_dir) / RULES_DIR if history_dir else None
    if folder is None or not folder.is_dir():
        return []
    found = [parse_name(p) for p in folder.iterdir() if p.is_file()]
    return sorted((s for s in found if s is not None), key=lambda s: s.seq)


def read_rows(snapshot: Snapshot) -> list[dict[str, str]] | None:
    """A snapshot's rules, or None when the file cannot be read (a damaged file costs a comparison)."""
    try:
        return from_csv_text(snapshot.path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def keep_snapshot(ruleset: RuleSet, history_dir: Path, taken: date) -> tuple[Snapshot, list[dict[str, str]], bool]:
    """Store the rules unless the latest snapshot already holds them.

    Returns (the snapshot holding the current rules, their rows, whether a file was written now).
    """
    rows = rule_rows(ruleset)
    digest = content_hash(rows)
    existing = list_snapshots(history_dir)
    if existing and existing[-1].hash8 == digest[:8]:
        return existing[-1], rows, False
    seq = existing[-1].seq + 1 if existing else 1
    path = Path(history_dir) / RULES_DIR / snapshot_name(seq, taken, ruleset.source, digest)
    atomic_write_text(path, to_csv_text(rows))
    return parse_name(path), rows, True


def read_baseline(history_dir: Path) -> str | None:
    path = Path(history_dir) / RULES_DIR / BASELINE
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def write_baseline(history_dir: Path, snapshot: Snapshot) -> Path:
    return atomic_write_text(Path(history_dir) / RULES_DIR / BASELINE, snapshot.hash8 + "\n")
