"""The address the workbook's VBA calls: `RunPython "import pyaddin.buttons; pyaddin.buttons.check_all()"`.

It stays here so that every beian.xlsm ever built keeps working; the Excel door itself lives in
`pyaddin/excel/buttons.py`. Debug a button without clicking, with beian.xlsm open in Excel:
`python -m pyaddin.buttons check_all`.
"""

from __future__ import annotations

import sys

from .excel.buttons import (
    build_archive_index,
    check_all,
    diagnose,
    export_calendar,
    flag_deadlines,
    generate_documents,
    precheck_materials,
    reuse_selected,
    rules_changes,
    send_reminders,
    validate_tracker,
    weekly_report,
)

BUTTONS = {f.__name__: f for f in (
    validate_tracker, flag_deadlines, generate_documents, build_archive_index, weekly_report, check_all,
    send_reminders, export_calendar, diagnose, reuse_selected, rules_changes, precheck_materials)}
"""Every function a VBA macro calls, by the name the macro uses."""


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
