"""Text folding for the 用语库: what a term looks like after the tricks copywriters (and OCR) play.

A term must still be found when it is written full-width (ＮＯ．１), in traditional characters
(廣告), or with up to three separators squeezed between its characters (最 佳, 最*佳, 最\u200b佳).
The text and every lexicon term go through the same `fold`, so matching is exact string matching
on folded text; an offset map leads each match back to the original text for the snippet.

Separators are only the characters listed in SEPARATORS: sentence punctuation (，。！？；：、…)
and line breaks are never dropped, so a term is never found across two sentences. A run of more
than three separators is kept, so words set apart on purpose stay apart.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

SEPARATORS = " \t\u3000*·._-~|/\u200b\u200c\u200d\u2060\ufeff\u00ad\u30fb\u2027"
"""Spaces (ASCII and ideographic), zero-width characters and `* · . _ - ~ | /`."""
_SEP_CLASS = "[" + re.escape(SEPARATORS) + "]"
_DROP = re.compile(rf"(?<!{_SEP_CLASS}){_SEP_CLASS}{{1,3}}(?!{_SEP_CLASS})")


@cache
def _t2s():
    """The native OpenCC converter, loaded on first use (the pre-check only; never at cold start)."""
    import opencc

    return opencc.OpenCC("t2s")


def _per_char(text: str, convert) -> tuple[str, list[int]]:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = convert(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def normalise(text: str) -> tuple[str, list[int] | None]:
    """NFKC, traditional → simplified, lower case. Returns the text and, when its length changed,
    the original offset of each character (None: offsets are unchanged)."""
    def step(s: str) -> str:
        return unicodedata.normalize("NFKC", s)

    a = step(text)
    index: list[int] | None = None
    if len(a) != len(text):
        a, index = _per_char(text, step)
    b = _t2s().convert(a)
    if len(b) != len(a):  # a phrase converted to a different length: convert character by character
        b, inner = _per_char(a, _t2s().convert)
        index = [index[j] if index is not None else j for j in inner]
    c = b.lower()
    if len(c) != len(b):
        c, inner = _per_char(b, str.lower)
        index = [index[j] if index is not None else j for j in inner]
    return c, index


@dataclass
class Folded:
    """Folded text and the way back to the original: `origin(i)` is the original offset of the
    folded text's i-th character."""

    text: str
    starts: list[int]
    """Folded offsets where a kept stretch begins (after separators were dropped) …"""
    shifts: list[int]
    """… and the normalised offset that stretch began at."""
    index: list[int] | None

    def origin(self, i: int) -> int:
        k = bisect_right(self.starts, i) - 1
        j = self.shifts[k] + (i - self.starts[k])
        return self.index[j] if self.index is not None and j < len(self.index) else j


def fold(text: str) -> Folded:
    norm, index = normalise(text)
    starts, shifts, parts = [0], [0], []
    last = total = 0
    for m in _DROP.finditer(norm):
        if m.start() == 0 or m.end() == len(norm):
            continue
        parts.append(norm[last:m.start()])
        total += m.start() - last
        last = m.end()
        starts.append(total)
        shifts.append(last)
    parts.append(norm[last:])
    return Folded("".join(parts), starts, shifts, index)


def fold_term(term: str) -> str:
    """A lexicon entry as the matcher stores it: folded like text, every separator gone."""
    norm, _ = normalise(term.strip())
    return re.sub(_SEP_CLASS, "", norm)
