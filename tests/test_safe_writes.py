"""Outputs are written atomically, never over a file Excel holds open, never over the input."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pyaddin.adapters import findings_xlsx
from pyaddin.adapters.output_files import (
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    check_not_locked,
)
from pyaddin.cli.main import main
from pyaddin.errors import OutputLocked

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "备案台账示例.xlsx"
BAD = ROOT / "tests" / "data" / "bad"
TODAY = "2026-11-20"
COMMANDS = ["validate", "deadlines", "check"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".beian-"))


@pytest.fixture
def tracker(tmp_path) -> Path:
    target = tmp_path / "台账" / "备案台账示例.xlsx"
    target.parent.mkdir()
    shutil.copyfile(SAMPLE, target)
    return target


def test_atomic_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "out" / "a.txt"
    atomic_write_text(target, "旧内容")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(target.parent) == []


def test_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"previous findings")

    def half_then_crash(tmp: Path) -> None:
        tmp.write_bytes(b"half a fi")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, half_then_crash)
    assert target.read_bytes() == b"previous findings"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("lock_name", ["~$findings.xlsx", "~$ndings.xlsx"])
def test_lock_file_beside_target_is_reported_not_overwritten(tmp_path, lock_name):
    target = tmp_path / "findings.xlsx"
    target.write_bytes(b"open in Excel")
    (tmp_path / lock_name).write_bytes(b"")
    with pytest.raises(OutputLocked, match="正在被 Excel"):
        check_not_locked(target)
    with pytest.raises(OutputLocked):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"open in Excel"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_exits_2_when_findings_xlsx_is_open_in_excel(tracker, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    (out / "findings.xlsx").write_bytes(b"open in Excel")
    (out / "~$findings.xlsx").write_bytes(b"")
    result = CliRunner().invoke(main, [command, str(tracker), "--out", str(out), "--today", TODAY])
    assert result.exit_code == 2
    assert "findings.xlsx" in result.stderr and "正在被 Excel" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (out / "findings.xlsx").read_bytes() == b"open in Excel"
    assert leftovers(out) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_input_workbook_bytes_unchanged(tracker, command):
    before = digest(tracker)
    mtime = tracker.stat().st_mtime_ns
    # --out the workbook's own folder: the most tempting place to write
    result = CliRunner().invoke(main, [command, str(tracker), "--out", str(tracker.parent), "--today", TODAY])
    assert result.exit_code in (0, 1), result.stderr
    assert digest(tracker) == before
    assert tracker.stat().st_mtime_ns == mtime
    assert (tracker.parent / "findings.xlsx").exists()
    assert leftovers(tracker.parent) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_input_named_findings_xlsx_is_not_overwritten_by_its_findings(tmp_path, command):
    tracker = tmp_path / "findings.xlsx"
    shutil.copyfile(BAD / "merged_header.xlsx", tracker)
    before = digest(tracker)
    result = CliRunner().invoke(main, [command, str(tracker), "--out", str(tmp_path), "--today", TODAY])
    assert result.exit_code == 2
    assert "就是输入的工作簿" in result.stderr
    assert digest(tracker) == before
    assert leftovers(tmp_path) == []


def test_crash_while_writing_findings_keeps_previous_findings(tracker, tmp_path, monkeypatch):
    out = tmp_path / "out"
    ok = CliRunner().invoke(main, ["validate", str(tracker), "--out", str(out), "--today", TODAY])
    assert ok.exit_code == 1
    before = digest(out / "findings.xlsx")

    def exploding(data, filename, **options):
        Path(filename).write_bytes(b"PK half")
        raise OSError("disk full")

    monkeypatch.setattr(findings_xlsx, "write_worksheets", exploding)
    result = CliRunner().invoke(main, ["validate", str(tracker), "--out", str(out), "--today", TODAY])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert digest(out / "findings.xlsx") == before
    assert leftovers(out) == []
    assert openpyxl.load_workbook(out / "findings.xlsx").sheetnames[0] == "校验结果"


def test_without_out_nothing_is_written(tracker, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for command in COMMANDS:
        result = CliRunner().invoke(main, [command, str(tracker), "--today", TODAY])
        assert result.exit_code in (0, 1)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_no_command_replaces_a_workbook_it_read(tmp_path):
    """docs, archive and report write fixed names; an input with such a name must survive."""
    from conftest import SAMPLE_DATA

    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copytree(SAMPLE_DATA / "archive", folder / "archive")
    # docs writes its index last: one filing is enough to reach it
    for name, args in (("documents.xlsx", ["docs", "--ids", "BA-2026-0001"]), ("archive_index.xlsx", ["archive"]),
                       ("周报_2026-W47.xlsx", ["report"])):
        tracker = folder / name
        shutil.copy(SAMPLE_DATA / "备案台账示例.xlsx", tracker)
        before = tracker.read_bytes()
        result = CliRunner().invoke(main, [*args, str(tracker), "--out", str(folder)])
        assert result.exit_code == 2, (name, result.output)
        assert "就是输入的工作簿" in result.stderr
        assert tracker.read_bytes() == before
