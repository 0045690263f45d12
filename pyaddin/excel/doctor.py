"""`beian doctor`: is this machine ready to run the workbook's buttons?

Each check is ok, information (advice, never a failure) or a problem. A problem says what is wrong,
why it matters and the exact fix; `beian doctor` exits 1 only for problems. The interpreter the
workbook names is asked directly (one subprocess) whether it can import beian, its xlwings and every
capability's dependencies, because that is the Python Excel will start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..adapters.files import read_sheet_values
from . import ovba
from .diagnosis import CAPABILITIES, RUNPYTHON_SCRIPTS

CONF_SHEET = "xlwings.conf"
OK, INFO, PROBLEM = "ok", "info", "problem"
LABELS = {OK: "正常", INFO: "提示", PROBLEM: "问题"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str
    """What is (or is wrong)."""
    why: str = ""
    """Why it matters, for a problem or a piece of information."""
    fix: str = ""
    """The exact fix (problem) or advice (information)."""

    @property
    def ok(self) -> bool:
        """Not a problem: information does not stop the buttons."""
        return self.status != PROBLEM

    def line(self) -> str:
        """One line: [label] name：what, why. fix."""
        text = f"[{LABELS[self.status]}] {self.name}：{self.message}"
        if self.why:
            text += self.why
        if self.fix:
            text += (" 修改方法：" if self.status == PROBLEM else " 建议：") + self.fix
        return text


def _rebuild(path: Path) -> str:
    return (f"在 beian 文件夹中运行 beian setup --out \"{path.parent}\" --force 重新生成 beian.xlsm"
            f"（会覆盖同名文件；工作簿里填写的台账请先另存为单独的文件）。")


def has_vba_project(path: Path) -> bool:
    """Whether `path` is a macro workbook at all: an .xlsx tracker (or a file that is no workbook)
    has no xl/vbaProject.bin, and every check after this one would only say so in other words."""
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/vbaProject.bin" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def workbook_xlwings_version(path: Path) -> str | None:
    """The version the workbook's `xlwings` VBA module was built for (its DLL names it)."""
    with zipfile.ZipFile(path) as z:
        project = ovba.VbaProject.load(z.read("xl/vbaProject.bin"))
    return ovba.xlwings_version(project)


def installed_xlwings() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xlwings")
    except PackageNotFoundError:
        return None


def check_version(path: Path) -> Check:
    installed = installed_xlwings()
    try:
        in_book = workbook_xlwings_version(path)
    except (OSError, KeyError, zipfile.BadZipFile, ovba.OvbaError) as exc:
        return Check("xlwings 版本", PROBLEM, f"读不出 {path.name} 中的 VBA 工程（{exc}），",
                     "工作簿的按钮因此无法运行。", _rebuild(path))
    if in_book is None:
        return Check("xlwings 版本", PROBLEM, f"{path.name} 中没有 xlwings VBA 模块，",
                     "按钮因此无法调用 Python。", _rebuild(path))
    if in_book != installed:
        return Check("xlwings 版本", PROBLEM,
                     f"工作簿中的 xlwings VBA 模块是 {in_book}，而本机安装的 xlwings 是 {installed or '（未安装）'}，",
                     "版本不一致时 Excel 找不到对应的 xlwings 组件，每个按钮都会报错。", _rebuild(path))
    return Check("xlwings 版本", OK, f"工作簿与已安装的 xlwings 都是 {in_book}。")


def read_conf(path: Path) -> dict[str, str] | None:
    """Keys (upper-cased, like xlwings' VBA) and values of the xlwings.conf sheet; None if absent."""
    rows = read_sheet_values(path, CONF_SHEET)
    if rows is None:
        return None
    out = {}
    for row in rows:
        if not row or row[0] in (None, ""):
            break  # xlwings stops at the first empty cell in column A
        out[str(row[0]).strip().upper()] = "" if len(row) < 2 or row[1] in (None, "") else str(row[1]).strip()
    return out


def expand(value: str) -> str:
    """A conf path as xlwings' VBA sees it: %VAR% and ~ expanded."""
    return os.path.expanduser(os.path.expandvars(re.sub(r"%(\w+)%", r"${\1}", value)))


def interpreter_key(platform: str = sys.platform) -> str:
    return "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"


def interpreter_for(platform: str = sys.platform, executable: str = sys.executable) -> str:
    """The interpreter Excel should start: pythonw.exe beside python.exe on Windows (no console
    window), the running interpreter elsewhere."""
    exe = Path(executable)
    if platform == "win32":
        windowless = exe.with_name("pythonw.exe")
        if windowless.exists():
            return str(windowless)
    return str(exe)


def pythonpath_entries(value: str) -> list[str]:
    return [expand(p.strip()) for p in value.split(";") if p.strip()]


# The probe runs in the workbook's interpreter: stdlib only, so it reports rather than fails.
PROBE = r"""
import importlib.util, json, sys
from importlib.metadata import version, PackageNotFoundError
mods = json.loads(sys.argv[1])
out = {"executable": sys.executable, "missing": [m for m in mods if importlib.util.find_spec(m) is None]}
try:
    out["xlwings"] = version("xlwings")
except PackageNotFoundError:
    out["xlwings"] = None
spec = importlib.util.find_spec("pyaddin")
out["pyaddin"] = spec.origin if spec else None
print(json.dumps(out))
"""


def probe(interpreter: str, pythonpath: list[str], *, cwd: Path) -> dict | str:
    """What `interpreter` can import with `pythonpath` (as xlwings passes it), or why it could not run."""
    exe = Path(interpreter)
    if exe.name.lower() == "pythonw.exe" and exe.with_name("python.exe").exists():
        exe = exe.with_name("python.exe")  # same environment, but its output can be read
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    modules = sorted({m for _, mods in CAPABILITIES for m in mods} | {"pyaddin"})
    try:
        result = subprocess.run([str(exe), "-c", PROBE, json.dumps(modules)], cwd=cwd, env=env,
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or [f"退出码 {result.returncode}"])[-1]
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return f"输出无法识别：{result.stdout[:200]}"


def check_conf(path: Path, *, platform: str = sys.platform) -> list[Check]:
    try:
        conf = read_conf(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable sheet is reported, never a crash
        return [Check("xlwings.conf", PROBLEM, f"读不出 {path.name} 中的“{CONF_SHEET}”工作表（{type(exc).__name__}: {exc}），",
                      "Excel 也就读不出其中的 Python 路径，按钮会找不到 Python。", _rebuild(path))]
    if conf is None:
        return [Check("xlwings.conf", PROBLEM, f"{path.name} 没有名为“{CONF_SHEET}”的工作表，",
                      "按钮因此不知道用哪个 Python（macOS 上无法运行）。",
                      f"把存放 Python 路径的工作表改名为 {CONF_SHEET}，或{_rebuild(path)}")]
    key = interpreter_key(platform)
    suggested = interpreter_for(platform)
    value = conf.get(key, "")
    checks = []
    interpreter = None
    set_it = (f"在 beian 文件夹中运行 beian setup 重新生成工作簿，或把“{CONF_SHEET}”工作表 B 列中 {key} 的值"
              f"改为 {suggested}。")
    if value:
        target = Path(expand(value))
        if target.is_file():
            interpreter = str(target)
            checks.append(Check("Python 解释器", OK, f"{key} = {value}"))
        else:
            checks.append(Check("Python 解释器", PROBLEM, f"“{CONF_SHEET}”中 {key} 指向的 {value} 不存在，",
                                "点击按钮时 Excel 找不到 Python，按钮无法运行。", set_it))
    elif platform == "darwin":
        checks.append(Check("Python 解释器", PROBLEM, f"“{CONF_SHEET}”中没有填写 INTERPRETER_MAC，",
                            "macOS 上的 Excel 不会在 PATH 中找 Python，按钮无法运行。", set_it))
    else:
        found = shutil.which("pythonw" if platform == "win32" else "python")
        if found is None:
            checks.append(Check("Python 解释器", PROBLEM, f"“{CONF_SHEET}”中没有填写 {key}，PATH 中也找不到 python，",
                                "点击按钮时 Excel 找不到 Python，按钮无法运行。", set_it))
        else:
            interpreter = found
            checks.append(Check("Python 解释器", OK, f"{key} 未填写，将使用 PATH 中的 {found}。"))
    entries = pythonpath_entries(conf.get("PYTHONPATH", ""))
    missing = [p for p in entries if not Path(p).exists()]
    if missing:
        checks.append(Check("PYTHONPATH", PROBLEM, f"“{CONF_SHEET}”中 PYTHONPATH 的文件夹不存在：{'；'.join(missing)}，",
                            "Python 可能因此找不到 beian，按钮会报“找不到模块”。",
                            f"在 beian 文件夹中运行 beian setup 重新生成工作簿，或把 PYTHONPATH 改为 "
                            f"{Path(__file__).resolve().parents[2]}。"))
    if interpreter is not None:
        # xlwings puts the workbook's folder on the path too (ADD_WORKBOOK_TO_PYTHONPATH)
        checks += check_interpreter(interpreter, [str(path.resolve().parent), *entries], path, cwd=path.resolve().parent)
    return checks


def check_interpreter(interpreter: str, pythonpath: list[str], workbook: Path, *, cwd: Path) -> list[Check]:
    found = probe(interpreter, pythonpath, cwd=cwd)
    if isinstance(found, str):
        return [Check("Python 环境", PROBLEM, f"无法运行 {interpreter}（{found}），",
                      "Excel 启动它时同样会失败，按钮无法运行。",
                      "在 beian 文件夹中运行 uv sync（或 pip install .）后再运行 beian setup 重新生成工作簿。")]
    checks = []
    if found.get("pyaddin") is None:
        checks.append(Check("Python 环境", PROBLEM, f"{interpreter} 找不到 beian（pyaddin），",
                            "点击按钮时会报“找不到模块 pyaddin”。",
                            "在 beian 文件夹中运行 beian setup 重新生成工作簿（需要时它会填写 PYTHONPATH），"
                            "或用这个 Python 在 beian 文件夹中运行 pip install .。"))
    in_book = None
    try:
        in_book = workbook_xlwings_version(workbook)
    except (OSError, KeyError, zipfile.BadZipFile, ovba.OvbaError):
        pass  # reported by check_version
    if in_book and found.get("xlwings") != in_book:
        checks.append(Check("Python 环境", PROBLEM,
                            f"{interpreter} 中的 xlwings 是 {found.get('xlwings') or '（未安装）'}，工作簿需要 {in_book}，",
                            "版本不一致时每个按钮都会报错。",
                            "在 beian 文件夹中运行 uv sync（或用这个 Python 运行 pip install .），再运行 beian setup。"))
    missing = set(found.get("missing", []))
    for capability, modules in CAPABILITIES:
        lacking = [m for m in modules if m in missing]
        if lacking:
            checks.append(Check(f"功能：{capability}", PROBLEM, f"{interpreter} 中缺少 {'、'.join(lacking)}，",
                                f"“{capability}”会报错。",
                                "在 beian 文件夹中运行 uv sync（或用这个 Python 运行 pip install .）。"))
    if not checks:
        checks.append(Check("Python 环境", OK, f"{interpreter} 能导入 beian、xlwings {found.get('xlwings')} 和各功能所需组件。"))
    return checks


def check_tracker_file(path: Path) -> Check | None:
    """设置 台账文件, resolved against the workbook's folder, must exist (None when not set)."""
    rows = read_sheet_values(path, "设置") or []
    value = next((row[1] for row in rows[1:] if len(row) > 1 and row[0] == "台账文件"), None)
    if value in (None, ""):
        return None
    target = Path(str(value))
    target = target if target.is_absolute() else path.resolve().parent / target
    if target.is_file():
        return Check("台账文件", OK, f"“设置”中的台账文件 {value} 存在（{target}）。")
    return Check("台账文件", PROBLEM, f"“设置”中的台账文件 {value} 不存在（{target}），",
                 "按钮找不到台账，无法检查。", "在“设置”工作表中把“台账文件”改为台账的完整路径，或清空以使用本工作簿的台账。")


def holiday_years(path: Path) -> set[int]:
    """Years that the workbook's 节假日 sheet lists dates for."""
    rows = read_sheet_values(path, "节假日") or []
    return {row[0].year for row in rows[1:] if row and isinstance(row[0], date)}


def check_calendar(today: date, listed_years: set[int] = frozenset()) -> Check:
    try:
        import chinese_calendar
    except ImportError:
        return Check("节假日日历", PROBLEM, "没有安装 chinesecalendar，", "工作日将按周一至周五计算，审核与补充期限会算错。",
                     "在 beian 文件夹中运行 uv sync（或 pip install .）。")
    missing = []
    for year in (today.year, today.year + 1):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            if year not in listed_years:
                missing.append(year)
    if missing:
        years = "、".join(str(y) for y in missing)
        return Check("节假日日历", INFO, f"节假日日历尚未收录 {years} 年，",
                     "国务院办公厅通常在上一年年底才公布放假安排；在填写之前，这些年份的工作日按周一至周五计算。",
                     f"国务院办公厅公布 {years} 年部分节假日安排的通知后，在“节假日”工作表中逐日填写放假（休）和调休上班（班）的日期。")
    return Check("节假日日历", OK, f"已收录 {today.year}–{today.year + 1} 年的节假日。")


def check_pdf() -> Check:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        return Check("PDF 转换", OK, f"将用 LibreOffice（{soffice}）把文书转成 PDF。")
    if sys.platform in ("win32", "darwin"):
        return Check("PDF 转换", OK, "未找到 LibreOffice；将用本机的 Microsoft Word 把文书转成 PDF（需已安装 Word）。")
    return Check("PDF 转换", INFO, "未找到 LibreOffice，", "文书只生成 docx，不能另存 PDF。",
                 "需要 PDF 时安装 LibreOffice（如 apt install libreoffice-writer）。")


def runpython_script(home: Path | None = None, version: str | None = None) -> Path:
    """Where Excel for macOS looks for xlwings' AppleScript (`xlwings runpython install`)."""
    return (home or Path.home()) / RUNPYTHON_SCRIPTS / f"xlwings-{version or installed_xlwings()}.applescript"


def check_runpython_mac(home: Path | None = None) -> Check:
    script = runpython_script(home)
    if script.is_file():
        return Check("RunPython（macOS）", OK, f"已安装 {script.name}。")
    return Check("RunPython（macOS）", PROBLEM, f"没有找到 {script}，",
                 "macOS 上的 Excel 需要它才能启动 Python，按钮无法运行。",
                 "在 beian 文件夹中运行 beian setup（会自动安装），或运行 xlwings runpython install。")


def run_checks(workbook: Path, *, today: date, platform: str = sys.platform, home: Path | None = None
               ) -> list[Check]:
    checks = [check_version(workbook)]
    checks += check_conf(workbook, platform=platform)
    if platform == "darwin":
        checks.append(check_runpython_mac(home))
    try:
        tracker = check_tracker_file(workbook)
    except Exception as exc:  # noqa: BLE001 - reported, never a crash
        tracker = Check("台账文件", PROBLEM, f"读不出 {workbook.name} 中的“设置”工作表（{type(exc).__name__}: {exc}），",
                        "按钮读不到设置。", _rebuild(workbook))
    if tracker is not None:
        checks.append(tracker)
    try:
        listed = holiday_years(workbook)
    except Exception:  # noqa: BLE001 - an unreadable 节假日 sheet only loses its years
        listed = set()
    checks.append(check_calendar(today, listed))
    checks.append(check_pdf())
    return checks


def summary(checks: list[Check]) -> str:
    problems = sum(c.status == PROBLEM for c in checks)
    infos = sum(c.status == INFO for c in checks)
    if problems:
        return f"发现 {problems} 个问题，请按“修改方法”逐条处理后再运行 beian doctor。"
    return "全部正常，可以使用按钮。" + (f"（另有 {infos} 条提示。）" if infos else "")
