"""`beian doctor` finds what stops the buttons and says how to fix it."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner

from pyaddin import doctor, ovba
from pyaddin.cli import main
from pyaddin.commands import workbook as _workbook  # noqa: F401  (registers the commands)
from pyaddin.workbook_build import build_workbook, xlwings_template


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


def test_doctor_reports_a_version_mismatch_and_exits_1(tmp_path):
    old = _xlwings_source().replace(xlwings.__version__, "0.30.0")
    path = tmp_path / "old.xlsm"
    build_workbook(path, xlwings_source=old)
    result = CliRunner().invoke(main, ["doctor", str(path)])
    assert result.exit_code == 1
    assert "0.30.0" in result.output and xlwings.__version__ in result.output
    assert "beian build-workbook" in result.output


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


def test_calendar_gap_is_reported_unless_the_holiday_sheet_covers_it():
    far = date(2090, 1, 1)
    check = doctor.check_calendar(far)
    assert not check.ok and "2090" in check.message and "节假日" in check.fix
    assert doctor.check_calendar(far, {2090, 2091}).ok


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
