"""What the 诊断 button reports: the facts about the Python that Excel started, as rows of text.

Plain Python (no Excel): the button gathers what only Excel knows (its version, the workbook's
path) and passes it in; everything else is read here, so the same rows can be tested anywhere.
"""

from __future__ import annotations

import importlib
import os
import platform
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from ..capabilities import needs
from ..version import __version__

LOG_NAME = "beian-error.log"
RUNPYTHON_SCRIPTS = Path("Library/Application Scripts/com.microsoft.Excel")
SHEET = "诊断"

CAPABILITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Excel 按钮", ("xlwings",)),
    ("读取台账", ("pandas", "python_calamine", "openpyxl", "defusedxml")),
    *needs(),
)
"""Each capability (as users name it) and the modules it imports: the buttons and reading the
tracker, then each registered capability's own (`pyaddin/capabilities.py`)."""


def import_problems(modules: Iterable[str], importer: Callable[[str], object] = importlib.import_module
                    ) -> dict[str, str]:
    """{module: why it did not import} for the modules that fail to import (really imported,
    since a module can be present yet broken)."""
    problems = {}
    for name in dict.fromkeys(modules):
        try:
            importer(name)
        except Exception as exc:  # noqa: BLE001 - any failure is what the diagnosis reports
            problems[name] = f"{type(exc).__name__}: {exc}"
    return problems


def log_tail(path: Path | None, lines: int = 20) -> list[str]:
    """The last `lines` lines of beian-error.log, or one line saying why there are none."""
    if path is None:
        return ["（工作簿尚未保存到磁盘，找不到日志）"]
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except FileNotFoundError:
        return [f"（没有 {path}：按钮还没有出过错）"]
    except OSError as exc:
        return [f"（读不出 {path}：{exc}）"]
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return tail or ["（日志为空）"]


def diagnosis_rows(*, excel_version: str, excel_platform: str, workbook: Path | None,
                   workbook_vba_xlwings: str, installed_xlwings: str,
                   importer: Callable[[str], object] = importlib.import_module, log_lines: int = 20
                   ) -> list[list[str]]:
    """The 诊断 sheet: 项目 | 值 | 说明, every value text."""
    rows: list[list[str]] = [["项目", "值", "说明"]]

    def add(item: str, value: object, note: str = "") -> None:
        rows.append([item, "" if value is None else str(value), note])

    add("Excel 版本", excel_version)
    add("操作系统", excel_platform or f"{platform.system()} {platform.release()}")
    add("工作簿", workbook or "（未保存）")
    match = workbook_vba_xlwings == installed_xlwings
    add("工作簿中的 xlwings VBA 版本", workbook_vba_xlwings)
    add("已安装的 xlwings", installed_xlwings,
        "与工作簿一致" if match else "与工作簿不一致：在 beian 文件夹中运行 beian setup 重新生成工作簿")
    add("Python 解释器", sys.executable, f"Python {platform.python_version()}")
    add("PYTHONPATH", os.environ.get("PYTHONPATH", ""), "Excel 传给 Python 的搜索路径（xlwings.conf 与工作簿所在文件夹）")
    add("beian 版本", __version__, str(Path(__file__).resolve().parents[1]))
    problems = import_problems((m for _, mods in CAPABILITIES for m in mods), importer)
    for capability, modules in CAPABILITIES:
        failed = [f"{m}（{problems[m]}）" for m in modules if m in problems]
        add(f"功能：{capability}", "不可用" if failed else "可用",
            "；".join(failed) + "。在 beian 文件夹中运行 uv sync（或 pip install .）" if failed
            else "、".join(modules) + " 均可导入")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    add("文书另存 PDF", "LibreOffice" if soffice else "Word（未找到 LibreOffice）",
        soffice or "Windows/macOS 上用本机的 Microsoft Word 转换；都没有时只生成 docx")
    log = workbook.parent / LOG_NAME if workbook is not None else None
    tail = log_tail(log, log_lines)
    add(f"{LOG_NAME} 最后 {len(tail)} 行", tail[0] if tail else "", str(log) if log else "")
    for line in tail[1:]:
        add("", line)
    return rows
