"""`beian setup`: from an installed beian to a workbook whose buttons work on this machine.

The workbook comes from the same builder as `beian build-workbook`, with this machine's interpreter
in xlwings.conf (and PYTHONPATH when that interpreter cannot import beian by itself) and, given a
tracker, 设置 台账文件 pointing at it. `doctor` then checks the result; what is left is a short
list of steps only a person can do, in Chinese.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import SetupRefused
from . import doctor

WORKBOOK_NAME = "beian.xlsm"
TRACKER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
"""The folder that holds `pyaddin/`: what PYTHONPATH needs when beian is not installed."""


@dataclass(frozen=True)
class SetupResult:
    workbook: Path
    conf: dict[str, str]
    tracker_setting: str | None
    checks: list[doctor.Check]
    steps: list[str]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def needs_pythonpath(interpreter: str) -> bool:
    """True when `interpreter`, started outside the beian folder, cannot import pyaddin."""
    with tempfile.TemporaryDirectory() as empty:
        found = doctor.probe(interpreter, [], cwd=Path(empty))
    return isinstance(found, str) or found.get("pyaddin") is None


def conf_values(*, platform: str = sys.platform, executable: str = sys.executable) -> dict[str, str]:
    interpreter = doctor.interpreter_for(platform, executable)
    conf = {doctor.interpreter_key(platform): interpreter}
    if needs_pythonpath(interpreter):
        conf["PYTHONPATH"] = str(PACKAGE_ROOT)
    return conf


def tracker_setting(tracker: Path, out_dir: Path) -> str:
    """设置 台账文件: the bare name beside the workbook (the pair can move together), else absolute."""
    tracker = tracker.resolve()
    return tracker.name if tracker.parent == out_dir.resolve() else str(tracker)


def install_runpython_mac(home: Path | None = None) -> Path:
    """What `xlwings runpython install` does: Excel for macOS starts Python through this script."""
    import xlwings

    target = doctor.runpython_script(home, xlwings.__version__)
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(xlwings.__file__).parent / target.name, target)
    return target


def human_steps(workbook: Path, *, platform: str, tracker: Path | None, checks: list[doctor.Check]) -> list[str]:
    """What only a person can do now, in order; problems doctor found come first."""
    steps = [f"{c.message}{c.why} 修改方法：{c.fix}" for c in checks if not c.ok]
    steps.append(f"用 Excel 打开 {workbook}。")
    if platform == "darwin":
        steps.append("Excel 询问是否启用宏时，点击“启用宏”。")
        steps.append("第一次点击按钮时，Excel 会请求访问该文件夹，点击“授予访问权限”。")
    else:
        steps.append("点击黄色提示栏中的“启用内容”。若提示“Microsoft 已阻止宏运行”（文件来自网络或邮件），"
                     "关闭 Excel，右键该文件 → 属性 → 勾选“解除锁定” → 确定，再打开；"
                     f"或在“文件 → 选项 → 信任中心 → 信任中心设置 → 受信任位置”中添加文件夹 {workbook.parent}。")
    if tracker is not None:
        steps.append(f"在 Excel 中同时打开台账 {tracker}（按钮读取已打开的台账）。")
    steps.append("点击“使用说明”工作表上的“诊断”确认一切正常，然后点击“全部检查”。")
    return steps


def setup(out_dir: Path, tracker: Path | None = None, *, today: date, force: bool = False,
          platform: str = sys.platform, executable: str = sys.executable, home: Path | None = None) -> SetupResult:
    from ..adapters.output_files import atomic_write, check_not_locked
    from .build import build_workbook

    out_dir = Path(out_dir)
    target = out_dir / WORKBOOK_NAME
    if tracker is not None:
        tracker = Path(tracker)
        if not tracker.is_file():
            raise SetupRefused(f"找不到台账文件 {tracker}：请给出台账工作簿的路径。 / Tracker not found: {tracker}.")
        if tracker.suffix.lower() not in TRACKER_SUFFIXES:
            raise SetupRefused(f"{tracker.name} 不是 Excel 工作簿（应为 .xlsx、.xlsm、.xls 或 .xlsb）。 "
                               f"/ {tracker.name} is not an Excel workbook.")
        if tracker.resolve() == target.resolve():
            raise SetupRefused(f"台账 {tracker.name} 与要生成的工作簿同名同位置：请用 --out 选择另一个文件夹。 "
                               f"/ The tracker is the workbook to be written; choose another --out.")
    check_not_locked(target)
    if target.exists() and not force:
        raise SetupRefused(f"{target} 已存在：确认其中没有要保留的内容后加 --force 覆盖，或用 --out 选择另一个文件夹。 "
                           f"/ {target} exists; use --force to replace it.")
    conf = conf_values(platform=platform, executable=executable)
    setting = tracker_setting(tracker, out_dir) if tracker is not None else None
    atomic_write(target, lambda tmp: build_workbook(tmp, conf=conf,
                                                    settings={"台账文件": setting} if setting else None))
    if platform == "darwin":
        install_runpython_mac(home)
    checks = doctor.run_checks(target, today=today, platform=platform, home=home)
    steps = human_steps(target.resolve(), platform=platform, tracker=tracker.resolve() if tracker else None,
                        checks=checks)
    return SetupResult(target, conf, setting, checks, steps)

