"""The address the workbook's VBA calls: `RunPython "import pyaddin.buttons; pyaddin.buttons.check_all()"`.

It stays here so that every beian.xlsm ever built keeps working; the Excel door itself lives in
`pyaddin/excel/buttons.py`, and which functions are buttons is `pyaddin/capabilities.py`'s to say
(`BUTTONS` and every `pyaddin.buttons.<name>` come from there). Debug a button without clicking,
with beian.xlsm open in Excel: `python -m pyaddin.buttons check_all`.
"""

from __future__ import annotations

import sys

from . import capabilities
from .excel import buttons as _door

BUTTONS = {b.function: getattr(_door, b.function) for b in capabilities.buttons()}
"""Every function a VBA macro calls, by the name the macro uses."""


def __getattr__(name: str):
    """`pyaddin.buttons.<name>()`, the call every workbook's macros make."""
    try:
        return BUTTONS[name]
    except KeyError:
        raise AttributeError(f"module 'pyaddin.buttons' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted([*globals(), *BUTTONS])


def debug(argv: list[str], book: str = "beian.xlsm") -> int:
    """Run one button against the open workbook as if it had been clicked (xlwings' mock caller)."""
    name = argv[0] if argv else "validate_tracker"
    if name not in BUTTONS:
        print(f"没有名为 {name} 的按钮函数，可用：{'、'.join(BUTTONS)}。", file=sys.stderr)
        return 2
    import xlwings as xw

    xw.Book(book).set_mock_caller()
    BUTTONS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(debug(sys.argv[1:]))
