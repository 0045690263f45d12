"""An empty tracker value inside a document: never silently dropped from a sentence, it prints as a
visible blank line the signer can fill by hand, and each one printed is remembered so the run can
warn about the cell to fill."""

from __future__ import annotations

BLANK = "＿＿＿＿"


class Blank:
    """An empty value inside a template: prints as a visible blank line, is false in `{% if %}`,
    and records its name when printed so the caller can warn about it."""

    __slots__ = ("name", "printed")

    def __init__(self, name: str, printed: set[str]):
        self.name = name
        self.printed = printed

    def __str__(self) -> str:
        self.printed.add(self.name)
        return BLANK

    __html__ = __str__

    def __bool__(self) -> bool:
        return False

    def __iter__(self):
        return iter(())


def _wrap(value: object, name: str, printed: set[str]) -> object:
    if value is None:
        return Blank(name, printed)
    if isinstance(value, dict):
        return {k: _wrap(v, f"{name}.{k}", printed) for k, v in value.items()}
    if isinstance(value, list):
        return [_wrap(v, name, printed) for v in value]
    return value


def wrap_context(context: dict) -> tuple[dict, set[str]]:
    """The context a template renders with: None values become Blanks; the set fills with the
    names of those printed."""
    printed: set[str] = set()
    return {k: _wrap(v, k, printed) for k, v in context.items()}, printed


def blank_safe(func):
    """A filter that passes a Blank (or None) through untouched: `{{ 预算|金额 }}` on an empty cell
    prints the blank line, not an error."""
    def filter_(value):
        if isinstance(value, Blank):
            return value
        if value is None:
            return BLANK
        return func(value)
    filter_.__name__ = func.__name__
    return filter_
