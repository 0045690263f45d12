"""SHA-256 of files and bytes, one implementation for the archive, documents, reuse, the material
pre-check and the run information of findings.xlsx."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Stream the file in 1 MiB chunks; never follows a symlink swapped in after a scan."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with open(fd, "rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


def sha256_or_none(path: Path) -> str | None:
    """`sha256_file`, or None when the file cannot be read (the run information says so instead)."""
    try:
        return sha256_file(path)
    except OSError:
        return None
