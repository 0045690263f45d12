"""Use cases: one runner per capability, shared by the command line, the buttons and the API.

Each takes a Context (from `loader.open_context`) and options, computes through the core, writes
through the adapters, and returns an `ActionResult(report, written, data)`. This is the only
layer that both computes and writes; the doors parse, call one action and present its result.
"""

from .result import ActionResult

__all__ = ["ActionResult"]
