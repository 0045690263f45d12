"""The command modules; `COMMANDS` is what `beian` offers, one per command registered in
`pyaddin/capabilities.py` (`beian --help` lists them by name)."""

from importlib import import_module

from ...capabilities import commands

COMMANDS = [getattr(import_module(f"{__name__}.{c.module}"), c.attribute) for c in commands()]
