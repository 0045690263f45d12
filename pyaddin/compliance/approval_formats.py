"""备案号 formats learned from the tracker's own approved numbers (docs/rules.md, 备案号格式).

No platform publishes the format of its filing numbers in a source we could verify, so none ships:
an invented pattern (`^WX\\d{10}$`) turns every real number into a warning. Instead, the numbers a
team already got approved for a platform show what that platform issues. A number is reduced to
its shape — runs of letters, digits and Chinese characters with their lengths, other characters
kept as they are — and the shape most of a platform's approved numbers share becomes its format.
A number of another shape is worth a second look (a typo, a number pasted from another
platform), said in words a team can check against the receipt, never as a regex.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

MIN_AGREEING = 5
"""Fewer approved numbers of one shape than this say nothing about a platform's format."""
MIN_SHARE = 0.8
"""The shape must be this share of the platform's approved numbers: with two shapes in common use
(a platform that changed its numbering) there is no one format to hold numbers to."""

Shape = tuple[tuple[str, int], ...]
_KIND_WORDS = {"A": "个字母", "9": "位数字", "汉": "个汉字"}


_RUNS = re.compile(r"[A-Za-z]+|[0-9]+|[\u4e00-\u9fff]+|(.)\1*", re.DOTALL)


def shape(number: str) -> Shape:
    """Runs of (kind, length): A = ASCII letter (any case), 9 = digit, 汉 = Chinese character,
    any other character stands for itself. Full-width characters count as their ASCII forms."""
    text = unicodedata.normalize("NFKC", number.strip())
    out = []
    for m in _RUNS.finditer(text):
        run = m.group()
        ch = run[0]
        if ch.isascii() and ch.isalpha():
            kind = "A"
        elif ch.isascii() and ch.isdigit():
            kind = "9"
        elif "\u4e00" <= ch <= "\u9fff":
            kind = "汉"
        else:
            kind = ch
        out.append((kind, len(run)))
    return tuple(out)


def words(s: Shape) -> str:
    """"14 位：2 个字母 + 12 位数字"; other characters quoted: "8 位：3 个字母 + “-” + 4 位数字"."""
    total = sum(n for _, n in s)
    parts = [f"{n} {_KIND_WORDS[k]}" if k in _KIND_WORDS else f"“{k * n}”" for k, n in s]
    return f"{total} 位：{' + '.join(parts)}"


@dataclass(frozen=True)
class Learned:
    shape: Shape
    agreeing: int
    total: int

    @property
    def words(self) -> str:
        return words(self.shape)


def learn(numbers) -> Learned | None:
    """The format of one platform's approved numbers, or None (too few, or no shape in the majority)."""
    counts = Counter(shape(n) for n in numbers if n and n.strip())
    if not counts:
        return None
    best, agreeing = counts.most_common(1)[0]
    total = sum(counts.values())
    if agreeing < MIN_AGREEING or agreeing < MIN_SHARE * total:
        return None
    return Learned(best, agreeing, total)
