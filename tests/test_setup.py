"""`beian setup` writes a workbook whose buttons work on this machine, then lists only human steps."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_tracker

from pyaddin.cli.main import main
from pyaddin.excel import doctor
from pyaddin.excel import setup as firstrun
from pyaddin.excel.build import vba_modules

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _venv_on_path(monkeypatch):
    """As `uv run` does: the project's interpreter first on PATH."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))


def _setting(path: Path, item: str) -> object:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("设置").to_python()
    return next(r[1] for r in rows if r and r[0] == item)


def _numbered(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"\d+\. ", line)]


@pytest.fixture(scope="module")
def with_tracker(tmp_path_factory) -> tuple[Path, Path, object]:
    folder = tmp_path_factory.mktemp("setup")
    tracker = write_tracker(folder / "备案台账.xlsx", [{}])
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    result = CliRunner(env=env).invoke(main, ["setup", str(tracker), "--today", "2026-11-30"])
    return folder, tracker, result


def test_setup_with_a_tracker_writes_a_ready_workbook_beside_it(with_tracker):
    folder, tracker, result = with_tracker
    assert result.exit_code == 0, result.output
    workbook = folder / "beian.xlsm"
    conf = doctor.read_conf(workbook)
    interpreter = Path(conf[doctor.interpreter_key()])
    assert interpreter.is_file() and interpreter == Path(sys.executable)
    assert _setting(workbook, "台账文件") == "备案台账.xlsx"  # relative: the pair can move together
    assert (workbook.parent / _setting(workbook, "台账文件")).resolve() == tracker.resolve()


def test_setup_prints_only_the_numbered_human_steps_in_chinese(with_tracker):
    folder, tracker, result = with_tracker
    steps = _numbered(result.output)
    assert [s.split(". ")[0] for s in steps] == [str(i) for i in range(1, len(steps) + 1)]
    assert len(steps) == 4
    assert "启用内容" in steps[1] and "解除锁定" in steps[1] and "受信任位置" in steps[1]
    assert str(tracker.resolve()) in steps[2]
    assert "诊断" in steps[-1]
    assert "[正常]" not in result.output and "[提示]" not in result.output  # doctor's report is not repeated
    assert not re.search(r"[A-Za-z]{4,} [a-z]{4,} [a-z]{4,}", "\n".join(steps))  # Chinese, not English prose


def test_doctor_exits_0_on_the_setup_workbook(with_tracker):
    folder, _, _ = with_tracker
    result = CliRunner().invoke(main, ["doctor", str(folder / "beian.xlsm"), "--today", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert "[正常] 台账文件" in result.output and "[正常] Python 环境" in result.output


def test_setup_without_a_tracker_writes_to_out_and_leaves_the_setting_empty(tmp_path):
    result = CliRunner().invoke(main, ["setup", "--out", str(tmp_path / "wb"), "--today", "2026-11-30"])
    assert result.exit_code == 0, result.output
    workbook = tmp_path / "wb" / "beian.xlsm"
    assert Path(doctor.read_conf(workbook)[doctor.interpreter_key()]).is_file()
    assert _setting(workbook, "台账文件") in (None, "")
    assert len(_numbered(result.output)) == 3
    assert CliRunner().invoke(main, ["doctor", str(workbook)]).exit_code == 0


def test_tracker_elsewhere_is_named_by_its_absolute_path(tmp_path):
    tracker = write_tracker(tmp_path / "台账.xlsx", [{}])
    result = firstrun.setup(tmp_path / "elsewhere", tracker, today=TODAY)
    assert result.tracker_setting == str(tracker.resolve())
    assert doctor.check_tracker_file(result.workbook).ok


def test_setup_refuses_to_replace_an_existing_workbook_without_force(tmp_path):
    firstrun.setup(tmp_path, today=TODAY)
    before = (tmp_path / "beian.xlsm").read_bytes()
    result = CliRunner().invoke(main, ["setup", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--force" in result.output
    assert (tmp_path / "beian.xlsm").read_bytes() == before
    assert CliRunner().invoke(main, ["setup", "--out", str(tmp_path), "--force"]).exit_code == 0


def test_setup_refuses_a_tracker_that_is_not_a_workbook(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["setup", str(notes)])
    assert result.exit_code == 2 and "不是 Excel 工作簿" in result.output
    assert not (tmp_path / "beian.xlsm").exists()


def test_pythonpath_is_written_only_when_the_interpreter_cannot_import_beian(tmp_path):
    assert "PYTHONPATH" not in firstrun.conf_values()  # uv sync installs the project into the venv
    missing = tmp_path / "Python311" / "python.exe"
    missing.parent.mkdir()
    missing.write_bytes(b"")
    (missing.parent / "pythonw.exe").write_bytes(b"")
    conf = firstrun.conf_values(platform="win32", executable=str(missing))
    assert conf == {"INTERPRETER_WIN": str(missing.parent / "pythonw.exe"), "PYTHONPATH": str(ROOT)}


def test_windows_uses_pythonw_beside_python_and_falls_back_to_python(tmp_path):
    python = tmp_path / "python.exe"
    python.write_bytes(b"")
    assert doctor.interpreter_for("win32", str(python)) == str(python)
    (tmp_path / "pythonw.exe").write_bytes(b"")
    assert doctor.interpreter_for("win32", str(python)) == str(tmp_path / "pythonw.exe")
    assert doctor.interpreter_for("darwin", str(python)) == str(python)


def test_macos_setup_fills_interpreter_mac_and_installs_runpython(tmp_path):
    home = tmp_path / "home"
    result = firstrun.setup(tmp_path / "out", today=TODAY, platform="darwin", home=home)
    assert doctor.read_conf(result.workbook)["INTERPRETER_MAC"] == sys.executable
    assert doctor.runpython_script(home).is_file()
    assert result.ok, [c.line() for c in result.checks if not c.ok]
    assert any("授予访问权限" in s for s in result.steps)


def test_setup_workbook_passes_olevba(with_tracker):
    from oletools.olevba import VBA_Parser

    folder, _, _ = with_tracker
    parser = VBA_Parser(str(folder / "beian.xlsm"))
    found = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_all_macros()}
    parser.close()
    for name, source in vba_modules().items():
        assert found[name] == source


def test_setup_workbook_opens_in_libreoffice_with_its_modules(with_tracker, soffice, tmp_path):
    folder, _, _ = with_tracker
    result = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                             "--convert-to", "ods", "--outdir", str(tmp_path), str(folder / "beian.xlsm")],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "beian.ods") as z:
        assert "Basic/VBAProject/BeianButtons.xml" in z.namelist()
        assert "pyaddin.buttons.diagnose()" in z.read("Basic/VBAProject/BeianButtons.xml").decode()
