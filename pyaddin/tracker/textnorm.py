"""Normalising header and category text so that teams' spellings meet the canonical names.

Matching ignores case, spaces, full-width vs half-width forms, a trailing unit in parentheses
and trailing punctuation (`Approval No.` = `Approval No`, `备注：` = 备注), because that is how
the same header drifts between teams' trackers.
"""

from __future__ import annotations

import re
import unicodedata

_UNIT = re.compile(r"[（(][^（()）]*[)）]\s*$")
_TRAILING = "*＊:：.。,，;；!！?？、 "
_SPACE = re.compile(r"[\s\u3000_\-]+")
PART_SEPARATORS = re.compile(r"[/／、,，;；|]")


def fold(text: object) -> str:
    """NFKC (full-width → half-width), casefold, and drop all whitespace."""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return _SPACE.sub("", s)


def header_key(text: object) -> str:
    """The form of a header used for alias lookup: folded, trailing unit removed."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = _UNIT.sub("", s.rstrip(_TRAILING))
    s = s.rstrip(_TRAILING)
    return fold(s)


def header_parts(text: object) -> list[str]:
    """A compound header such as 驳回原因/补充要求 split into its parts."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = _UNIT.sub("", s)
    parts = [p for p in PART_SEPARATORS.split(s) if p.strip()]
    return [header_key(p) for p in parts] if len(parts) > 1 else []


def filing_key(value: object) -> str | None:
    """The one comparison form of a 备案编号: NFKC (ＢＡ-1 → BA-1), trimmed, upper case.

    validate (duplicates), documents (--ids), the archive (folder names) and the weekly report
    all compare IDs through this, so `docs --ids BA-1` finds the row validate calls a duplicate of BA-1.
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    return text or None


def approval_key(value: object) -> str | None:
    """The comparison form of a 备案号: trimmed, upper case; None when blank. One tracker's
    approval-no-reused (validate) and the one across trackers (multi) compare through this."""
    if value is None:
        return None
    text = str(value).strip().upper()
    return text or None


_SPACES = re.compile(r"\s+")


def code_key(text: object) -> str:
    """A 统一社会信用代码 as compared and checked: NFKC, no whitespace, upper case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).upper()
