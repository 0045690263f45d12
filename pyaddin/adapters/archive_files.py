"""The archive run's own files in the output folder: hash cache and manifest (never the archive)."""

from __future__ import annotations

import json
from pathlib import Path

from ..archive.index import ArchiveFile, ArchiveResult, cache_entries, manifest_json
from ..errors import ManifestMissing
from .output_files import atomic_write_text


def load_cache(path: Path) -> dict[str, list]:
    """The hash cache of the last run; an unreadable cache only costs re-hashing."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data.get("entries", {})
        return entries if isinstance(entries, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def save_cache(path: Path, files: list[ArchiveFile]) -> Path:
    # ASCII JSON: a name that is not UTF-8 (held as lone surrogates) is kept as \\udcXX and read back the same
    return atomic_write_text(Path(path), json.dumps({"version": 1, "entries": cache_entries(files)}))


def write_manifest(path: Path, result: ArchiveResult, today) -> Path:
    return atomic_write_text(Path(path), manifest_json(result, today))


def load_manifest(path: Path) -> dict:
    """The manifest `archive --verify` checks against; a missing or damaged one stops the run."""
    path = Path(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest.get("files"), list) or not all("path" in e for e in manifest["files"]):
            raise ValueError("no file list")
        return manifest
    except FileNotFoundError:
        raise ManifestMissing(f"找不到上次的归档清单“{path}”，请先运行 beian archive（不加 --verify）生成清单。 "
                              f"/ No manifest found; run beian archive first.") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ManifestMissing(f"归档清单“{path}”无法读取（{exc}），请重新运行 beian archive 生成清单。 "
                              f"/ The manifest cannot be read.") from None
