"""Tracker cells as a document prints them. The tracker reader already parsed every value
(`tracker.values`); what is left here is what a sentence needs: every spelling of "empty" a
DataFrame cell can hold as None, text through `values.as_text`, dates as ISO text, yes/no in
Chinese, and free text without the trailing punctuation the template adds itself."""

from __future__ import annotations

from datetime import date, datetime

from ..tracker.values import as_text, is_blank


def clean(value: object) -> object:
    """None for every spelling of "empty" a DataFrame cell can hold (`values.is_blank`: None, NaN,
    blank text; and pandas' NaT, which a date column holds), text stripped."""
    if is_blank(value) or _is_nat(value):
        return None
    return value.strip() if isinstance(value, str) else value


def _is_nat(value: object) -> bool:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        return False
    return value is pd.NaT


def iso(value: object) -> str | None:
    value = clean(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)


def yes_no(value: object) -> str | None:
    value = clean(value)
    return None if value is None else ("是" if bool(value) else "否")


def amount(value: object) -> float | None:
    value = clean(value)
    return None if value is None else float(value)


def text_of(value: object) -> str | None:
    """A cell as text for a document: None when empty, else as the tracker reader writes text
    (`values.as_text`: integers without ".0", dates as ISO text)."""
    value = clean(value)
    return None if value is None else as_text(value)


_TRAILING = "。．.；;，,、！!？? \t"


def clause(value: object) -> str | None:
    """Free text from the tracker placed inside a sentence: trailing punctuation dropped, so the
    template's own 。 or ； does not double it."""
    text = text_of(value)
    if text is None:
        return None
    return text.rstrip(_TRAILING) or None
