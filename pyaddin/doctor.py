"""`beian doctor`: is this machine ready to run the workbook's buttons?

Each check returns problems; a problem says what is wrong and how to fix it, in one sentence.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import ovba

CONF_SHEET = "xlwings.conf"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str
    fix: str = ""


def workbook_xlwings_version(path: Path) -> str | None:
    """The version the workbook's `xlwings` VBA module was built for (its DLL names it)."""
    with zipfile.ZipFile(path) as z:
        project = ovba.VbaProject.load(z.read("xl/vbaProject.bin"))
    return ovba.xlwings_version(project)


def check_version(path: Path) -> Check:
    import xlwings

    try:
        in_book = workbook_xlwings_version(path)
    except (OSError, KeyError, zipfile.BadZipFile, ovba.OvbaError) as exc:
        return Check("xlwings 版本", False, f"读不出 {path.name} 中的 VBA 工程（{exc}）。",
                     "运行 beian build-workbook 重新生成工作簿。")
    if in_book is None:
        return Check("xlwings 版本", False, f"{path.name} 中没有 xlwings VBA 模块。",
                     "运行 beian build-workbook 重新生成工作簿。")
    if in_book != xlwings.__version__:
        return Check("xlwings 版本", False,
                     f"工作簿中的 xlwings VBA 模块是 {in_book}，而已安装的 xlwings 是 {xlwings.__version__}，按钮会报错。",
                     f"运行 pip install xlwings=={in_book}，或运行 beian build-workbook 按已安装版本重新生成工作簿。")
    return Check("xlwings 版本", True, f"工作簿与已安装的 xlwings 都是 {in_book}。")


def read_conf(path: Path) -> dict[str, str] | None:
    """Keys (upper-cased, like xlwings' VBA) and values of the xlwings.conf sheet; None if absent."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False)
    try:
        if CONF_SHEET not in wb.sheetnames:
            return None
        out = {}
        for row in wb[CONF_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
            if not row or row[0] in (None, ""):
                break  # xlwings stops at the first empty cell in column A
            out[str(row[0]).strip().upper()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
        return out
    finally:
        wb.close()


def _expand(value: str) -> str:
    return os.path.expanduser(os.path.expandvars(re.sub(r"%(\w+)%", r"${\1}", value)))


def check_conf(path: Path, *, platform: str = sys.platform) -> list[Check]:
    conf = read_conf(path)
    if conf is None:
        return [Check("xlwings.conf", False, f"{path.name} 没有名为“{CONF_SHEET}”的工作表，按钮找不到 Python。",
                      "运行 beian build-workbook 重新生成工作簿，或把配置工作表改名为 xlwings.conf。")]
    checks = []
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    value = conf.get(key, "")
    here = sys.executable
    if value:
        target = Path(_expand(value))
        if target.exists():
            checks.append(Check("Python 解释器", True, f"{key} = {value}"))
        else:
            checks.append(Check("Python 解释器", False, f"xlwings.conf 中 {key} 指向的 {value} 不存在。",
                                f"把 xlwings.conf 工作表 B 列中 {key} 的值改为 {here}。"))
    elif platform == "darwin":
        checks.append(Check("Python 解释器", False, "macOS 上 xlwings.conf 必须填写 INTERPRETER_MAC，否则按钮找不到 Python。",
                            f"在 xlwings.conf 工作表中把 INTERPRETER_MAC 的值填为 {here}。"))
    elif shutil.which("python") is None:
        checks.append(Check("Python 解释器", False, "xlwings.conf 未填写 INTERPRETER_WIN，PATH 中也找不到 python。",
                            f"在 xlwings.conf 工作表中把 INTERPRETER_WIN 的值填为 {here}。"))
    else:
        checks.append(Check("Python 解释器", True, f"{key} 未填写，将使用 PATH 中的 {shutil.which('python')}。"))
    missing = [p for p in re.split(r"[;]", conf.get("PYTHONPATH", "")) if p.strip() and not Path(_expand(p)).exists()]
    if missing:
        checks.append(Check("PYTHONPATH", False, f"xlwings.conf 中 PYTHONPATH 的文件夹不存在：{'；'.join(missing)}。",
                            "改为 pyaddin 所在文件夹的完整路径，已用 pip 安装 beian 时可清空。"))
    else:
        checks.append(Check("PYTHONPATH", True, "PYTHONPATH 的文件夹都存在（或未填写）。"))
    return checks


def holiday_years(path: Path) -> set[int]:
    """Years that the workbook's 节假日 sheet lists dates for."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if "节假日" not in wb.sheetnames:
            return set()
        return {row[0].year for row in wb["节假日"].iter_rows(min_row=2, max_col=1, values_only=True)
                if row and isinstance(row[0], date)}
    finally:
        wb.close()


def check_calendar(today: date, listed_years: set[int] = frozenset()) -> Check:
    try:
        import chinese_calendar
    except ImportError:
        return Check("节假日日历", False, "没有安装 chinesecalendar，工作日将按周一至周五计算。",
                     "运行 pip install -U chinesecalendar。")
    missing = []
    for year in (today.year, today.year + 1):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            if year not in listed_years:
                missing.append(year)
    if missing:
        years = "、".join(str(y) for y in missing)
        return Check("节假日日历", False, f"chinesecalendar 尚未收录 {years} 年的节假日，这些年份将按周一至周五计算。",
                     f"运行 pip install -U chinesecalendar；若仍未收录，请在“节假日”工作表中填写 {years} 年的放假与调休日期。")
    return Check("节假日日历", True, f"chinesecalendar 已收录 {today.year}–{today.year + 1} 年。")


def check_pdf() -> Check:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        return Check("PDF 转换", True, f"将用 LibreOffice（{soffice}）把文书转成 PDF。")
    if sys.platform in ("win32", "darwin"):
        return Check("PDF 转换", True, "未找到 LibreOffice；将尝试用本机的 Microsoft Word 转 PDF（需已安装 Word）。")
    return Check("PDF 转换", False, "未找到 LibreOffice，无法把文书转成 PDF（docx 仍会生成）。",
                 "安装 LibreOffice（如 apt install libreoffice-writer），或不使用 PDF 选项。")


def run_checks(workbook: Path, *, today: date, platform: str = sys.platform) -> list[Check]:
    checks = [check_version(workbook)]
    try:
        checks += check_conf(workbook, platform=platform)
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        checks.append(Check("xlwings.conf", False, f"读不出 {workbook.name}（{exc}）。", "运行 beian build-workbook 重新生成工作簿。"))
    try:
        listed = holiday_years(workbook)
    except (OSError, zipfile.BadZipFile, KeyError):
        listed = set()
    checks.append(check_calendar(today, listed))
    checks.append(check_pdf())
    return checks
