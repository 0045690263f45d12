"""`beian doctor` finds what stops the buttons and says how to fix it."""

from __future__ import annotations

import io
import os
import shutil
import sys
import venv
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner

from pyaddin.cli.commands import workbook as _workbook  # noqa: F401  (registers the commands)
from pyaddin.cli.main import main
from pyaddin.excel import doctor, ovba
from pyaddin.excel.build import build_workbook, xlwings_template

ROOT = Path(__file__).resolve().parent.parent


def _xlwings_source() -> str:
    with zipfile.ZipFile(xlwings_template()) as z:
        return ovba.VbaProject.load(z.read("xl/vbaProject.bin")).module("xlwings").source


@pytest.fixture
def current(tmp_path, built_workbook) -> Path:
    """A private copy of the freshly built workbook, which the test may edit."""
    path = tmp_path / "beian.xlsm"
    shutil.copyfile(built_workbook, path)
    return path


def test_workbook_version_matches_installed_xlwings(current):
    assert doctor.workbook_xlwings_version(current) == xlwings.__version__
    assert doctor.check_version(current).ok


def _problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("[问题]")]


def test_doctor_reports_a_version_mismatch_and_exits_1(tmp_path):
    old = _xlwings_source().replace(xlwings.__version__, "0.30.0")
    path = tmp_path / "old.xlsm"
    build_workbook(path, xlwings_source=old)
    result = CliRunner().invoke(main, ["doctor", str(path)])
    assert result.exit_code == 1
    [line] = [line for line in _problem_lines(result.output) if "xlwings 版本" in line]
    # what is wrong, why it matters, the exact fix: all on the one line
    assert "0.30.0" in line and xlwings.__version__ in line and "每个按钮都会报错" in line
    assert f'修改方法：在 beian 文件夹中运行 beian setup --out "{tmp_path}" --force' in line


def test_doctor_exits_0_on_a_fresh_clone_after_uv_sync(monkeypatch):
    """The committed workbook, with the venv's python first on PATH as `uv run` puts it."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    result = CliRunner().invoke(main, ["doctor", str(ROOT / "beian.xlsm"), "--today", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert _problem_lines(result.output) == []
    assert "全部正常" in result.output


def test_an_uncovered_calendar_year_is_information_with_the_holiday_sheet_advice(current, monkeypatch):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    result = CliRunner().invoke(main, ["doctor", str(current), "--today", "2090-01-01"])
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if "节假日日历" in line]
    assert line.startswith("[提示]") and "2090" in line and "“节假日”工作表" in line and "国务院" in line
    assert "pip" not in line


def test_missing_interpreter_exits_1_with_the_path_to_use(current):
    wb = openpyxl.load_workbook(current, keep_vba=True)
    wb["xlwings.conf"]["B1"] = "/nowhere/python3"
    wb.save(current)
    result = CliRunner().invoke(main, ["doctor", str(current)])
    assert result.exit_code == 1
    [line] = _problem_lines(result.output)
    assert "INTERPRETER_WIN 指向的 /nowhere/python3 不存在" in line and "找不到 Python" in line
    assert f"改为 {sys.executable}" in line


def test_unreadable_conf_sheet_exits_1_naming_the_sheet(current, tmp_path):
    broken = tmp_path / "broken-conf.xlsm"
    conf_part = _sheet_part(current, "xlwings.conf")
    with zipfile.ZipFile(current) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, b"<worksheet><sheetData><row" if item.filename == conf_part else src.read(item))
    result = CliRunner().invoke(main, ["doctor", str(broken)])
    assert result.exit_code == 1
    [line] = _problem_lines(result.output)
    assert "读不出 broken-conf.xlsm 中的“xlwings.conf”工作表" in line and "修改方法：" in line


def test_interpreter_that_cannot_import_beian_is_a_problem(current, tmp_path):
    """A Python that exists but lacks beian: Excel would start it and fail at `import pyaddin`."""
    bare = tmp_path / "bare-venv"
    venv.create(bare, with_pip=False)
    python = bare / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    wb = openpyxl.load_workbook(current, keep_vba=True)
    wb["xlwings.conf"]["B1"] = str(python)
    wb.save(current)
    checks = doctor.check_conf(current, platform="linux")
    problems = [c.line() for c in checks if not c.ok]
    assert any("找不到 beian（pyaddin）" in p for p in problems), problems
    assert any("xlwings 是 （未安装）" in p for p in problems), problems


def test_tracker_file_setting_that_does_not_resolve_is_a_problem(tmp_path):
    path = tmp_path / "beian.xlsm"
    build_workbook(path, settings={"台账文件": "不存在的台账.xlsx"})
    check = doctor.check_tracker_file(path)
    assert not check.ok and str(tmp_path / "不存在的台账.xlsx") in check.message


def _sheet_part(path: Path, name: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(name) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def test_missing_interpreter_path_is_reported_with_the_value_to_use(current):
    wb = openpyxl.load_workbook(current, keep_vba=True)
    wb["xlwings.conf"]["B2"] = "/nowhere/python3"
    wb.save(current)
    checks = doctor.check_conf(current, platform="darwin")
    bad = next(c for c in checks if c.name == "Python 解释器")
    assert not bad.ok and "/nowhere/python3" in bad.message and "INTERPRETER_MAC" in bad.fix


def test_macos_needs_an_interpreter_path(current):
    checks = doctor.check_conf(current, platform="darwin")
    assert not next(c for c in checks if c.name == "Python 解释器").ok


def test_missing_conf_sheet_is_reported(current):
    wb = openpyxl.load_workbook(current, keep_vba=True)
    wb["xlwings.conf"].title = "_xlwings.conf"
    wb.save(current)
    [check] = doctor.check_conf(current)
    assert not check.ok and "xlwings.conf" in check.message


def test_calendar_gap_is_information_unless_the_holiday_sheet_covers_it():
    far = date(2090, 1, 1)
    check = doctor.check_calendar(far)
    assert check.ok and check.status == doctor.INFO and "2090" in check.message and "节假日" in check.fix
    assert doctor.check_calendar(far, {2090, 2091}).status == doctor.OK


def test_unreadable_workbook_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "broken.xlsm"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/vbaProject.bin", b"not a compound file")
    assert not doctor.check_version(path).ok


def test_build_workbook_command_writes_the_workbook(tmp_path):
    out = tmp_path / "beian.xlsm"
    result = CliRunner().invoke(main, ["build-workbook", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(io.BytesIO(out.read_bytes()))


def test_doctor_on_a_tracker_says_it_is_a_tracker_not_beian_xlsm(tmp_path):
    from helpers import write_tracker

    path = write_tracker(tmp_path / "我的台账.xlsx", [{}])
    result = CliRunner().invoke(main, ["doctor", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "我的台账.xlsx 是一份台账" in result.stderr and "不是 beian.xlsm" in result.stderr
    assert "beian check" in result.stderr and "beian doctor beian.xlsm" in result.stderr
    assert "vbaProject" not in result.stderr and "--force" not in result.stderr and "There is no" not in result.stderr


def test_doctor_on_a_workbook_without_macros_that_is_no_tracker_says_it_is_not_beian_xlsm(tmp_path):
    path = tmp_path / "notes.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议纪要"
    wb.save(path)
    result = CliRunner().invoke(main, ["doctor", str(path)])
    assert result.exit_code == 2
    assert "notes.xlsx 没有宏和按钮，不是 beian.xlsm" in result.stderr and "--force" not in result.stderr
