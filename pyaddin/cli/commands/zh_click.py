"""click's own words in Chinese: usage lines, errors, the help option.

click marks its messages with gettext (`_` and `ngettext` imported into each of its modules); this
module swaps those names for lookups in `data/click_zh.csv`, so "Usage:" prints 用法：, "Missing
argument" prints 缺少参数, and so on. Unknown messages stay as click wrote them. Importing the module
installs the translation (the CLI imports it once); `install()` is idempotent.

click also writes words that gettext never sees: metavars made from a parameter's name or type
(WORKBOOKS..., PATH, INTEGER RANGE) and a group's "COMMAND [ARGS]...". Each upper-case word of a
metavar or usage piece is looked up in the same table (WORKBOOKS → 工作簿) and "..." becomes "…", so
usage lines, help and "缺少参数 '工作簿…'" read in Chinese; a word not in the table (YYYY-MM-DD, BA-…)
stays as written.
"""

from __future__ import annotations

import csv
import importlib
import re
import unicodedata
from functools import cache
from importlib.resources import files

import click

USAGE_WORDS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]…", "[COMMAND] [ARGS]...": "[命令] [参数]…"}
_WORD = re.compile(r"[A-Z][A-Z_]*(?: [A-Z][A-Z_]*)*")
_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "utils", "termui",
            "shell_completion", "_termui_impl")


@cache
def table() -> dict[str, str]:
    text = files("pyaddin.data").joinpath("click_zh.csv").read_text(encoding="utf-8")
    return {r["英文"].replace("\\n", "\n").replace("\\t", "\t"): r["中文"].replace("\\n", "\n").replace("\\t", "\t")
            for r in csv.DictReader(text.splitlines())}


def gettext(message: str) -> str:
    return table().get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def term_len(text: str) -> int:
    """Display width: a Chinese character takes two columns, so help text lines up."""
    from click._compat import strip_ansi

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in strip_ansi(text))


def metavar(text: str) -> str:
    """WORKBOOKS... → 工作簿…, [PATH] → [路径], DATE|SNAPSHOT → 日期|快照; unknown words unchanged."""
    if text in USAGE_WORDS:
        return USAGE_WORDS[text]
    words = table()
    return _WORD.sub(lambda m: words.get(m.group(0), m.group(0)), text).replace("...", "…")


def _usage_pieces(original):
    def collect_usage_pieces(self, ctx):
        return [metavar(piece) for piece in original(self, ctx)]

    collect_usage_pieces.__zh__ = True
    return collect_usage_pieces


def _make_metavar(original):
    def make_metavar(self, *args, **kwargs):
        return metavar(original(self, *args, **kwargs))

    make_metavar.__zh__ = True
    return make_metavar


def _missing_message(original):
    """click ends "Missing argument 'X'." with an ASCII full stop it never translates."""
    def format_message(self):
        text = original(self)
        return text[:-1] + "。" if text.endswith(".") else text

    format_message.__zh__ = True
    return format_message


def install() -> None:
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    formatting = importlib.import_module("click.formatting")
    formatting.term_len = term_len
    for cls, name, wrap in ((click.Command, "collect_usage_pieces", _usage_pieces),
                            (click.Group, "collect_usage_pieces", _usage_pieces),
                            (click.Parameter, "make_metavar", _make_metavar),
                            (click.Argument, "make_metavar", _make_metavar),
                            (click.MissingParameter, "format_message", _missing_message)):
        method = cls.__dict__.get(name)
        if method is not None and not getattr(method, "__zh__", False):
            setattr(cls, name, wrap(method))


install()
