"""Findings for the sheets of a workbook that the reader could not parse (`Book.unreadable`).

A broken 备案台账 stops the run (reading.choose_sheet names it); any other broken sheet is left
out and the run goes on with something else in its place: the default settings for 设置, the
packaged table for a rule sheet, nothing for the rest. Without a finding that substitution is
silent, and a team whose 设置 says 今天 = 2026-11-20 would get results for the system date with
no word. What each sheet falls back to, and how serious that is, is data (`sheet_fallbacks.csv`).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from ..run.findings import Finding, make
from .book import Book

ANY = "*"


@cache
def fallbacks() -> dict[str, tuple[str, str]]:
    """Sheet name → (severity, what was used instead); `*` for any other sheet."""
    text = files("pyaddin.data").joinpath("sheet_fallbacks.csv").read_text(encoding="utf-8")
    return {r["工作表"]: (r["级别"], r["改用"]) for r in csv.DictReader(text.splitlines())}


def unreadable_findings(book: Book | None) -> list[Finding]:
    """One `sheet-unreadable` per sheet of `book` that could not be read, in workbook order."""
    if book is None or not book.unreadable:
        return []
    table = fallbacks()
    out = []
    for name, reason in book.unreadable.items():
        severity, instead = table.get(name.strip(), table[ANY])
        out.append(make("sheet-unreadable", f"工作表“{name}”无法读取（{reason.rstrip('。')}），{instead}；"
                                            f"请在 Excel 中打开该表检查后另存再试。",
                        severity=severity, sheet=name))
    return out
