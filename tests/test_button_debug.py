"""`python -m pyaddin.buttons <name>` (the README's way to debug a button) knows every macro's function."""

from __future__ import annotations

import re
import subprocess
import sys

import pyaddin.buttons
from pyaddin.excel.build import vba_modules


def test_every_macro_names_a_function_the_debug_entry_can_run():
    called = re.findall(r"pyaddin\.buttons\.(\w+)\(\)", "".join(vba_modules().values()))
    assert called and set(called) == set(pyaddin.buttons.BUTTONS)
    assert all(callable(pyaddin.buttons.BUTTONS[name]) for name in called)


def test_an_unknown_button_name_is_one_chinese_line_listing_the_names():
    result = subprocess.run([sys.executable, "-m", "pyaddin.buttons", "no_such_button"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "没有名为 no_such_button 的按钮函数" in result.stderr and "check_all" in result.stderr
