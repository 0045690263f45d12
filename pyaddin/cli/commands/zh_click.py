"""click's own words in Chinese: usage lines, errors, the help option.

click marks its messages with gettext (`_` and `ngettext` imported into each of its modules); this
module swaps those names for lookups in `data/click_zh.csv`, so "Usage:" prints 用法：, "Missing
argument" prints 缺少参数, and so on. Unknown messages stay as click wrote them. Importing the module
installs the translation (the CLI imports it once); `install()` is idempotent.
"""

from __future__ import annotations

import csv
import importlib
import unicodedata
from functools import cache
from importlib.resources import files

import click

USAGE_WORDS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}
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


def _usage_pieces(original):
    def collect_usage_pieces(self, ctx):
        return [USAGE_WORDS.get(piece, piece) for piece in original(self, ctx)]

    collect_usage_pieces.__zh__ = True
    return collect_usage_pieces


def install() -> None:
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    formatting = importlib.import_module("click.formatting")
    formatting.term_len = term_len
    if not getattr(click.Command.collect_usage_pieces, "__zh__", False):
        click.Command.collect_usage_pieces = _usage_pieces(click.Command.collect_usage_pieces)


install()
