"""beian: marketing-campaign filing (备案) tracker checks for Excel and the command line.

The Python API is the third door (beside the command line and the workbook's buttons) onto the
same loader and actions::

    import pyaddin as beian

    ctx = beian.open_workbook("备案台账.xlsx")            # the one loader, file reader
    result = beian.run_check(ctx, out_dir="结果")           # validate + deadlines, findings.xlsx
    print(result.report.summary(), result.written)
    beian.make_documents(ctx, out_dir="文书")                # 承诺书 and 方案 per filing

Each verb is its capability's action itself (`pyaddin/capabilities.py` names them: `run_check`
is `pyaddin.actions.check.run`, `make_documents` is `pyaddin.actions.documents.run` …), so the
API takes the same options as the command line and returns the action's typed
`ActionResult(report, written, data)`. The names are verbs so they never shadow a submodule
(`pyaddin.archive` is the core package). They are looked up on first use, so that a button's cold
start pays only for what it uses.
"""

from __future__ import annotations

from .capabilities import api as _api
from .version import __version__

_VERBS = {a.verb: a.function for a in _api()}

__all__ = ["__version__", "open_workbook", *_VERBS]


def open_workbook(path, *, sheet=None, rules=None, today=None):
    """Read a workbook (and the tracker/rules workbooks it names) into a Context."""
    from .actions.loader import open_context
    from .adapters.files import FileReader

    return open_context(FileReader(), path, sheet=sheet, rules=rules, today=today)


def __getattr__(name: str):
    """`pyaddin.<verb>`: the action registered for it, imported on first use."""
    if name not in _VERBS:
        raise AttributeError(f"module 'pyaddin' has no attribute {name!r}")
    from importlib import import_module

    module, function = _VERBS[name].rsplit(".", 1)
    return getattr(import_module(f"{__name__}.actions.{module}"), function)


def __dir__() -> list[str]:
    return sorted([*globals(), *_VERBS])
