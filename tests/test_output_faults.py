"""Faults on output (read-only or full disk, a file-size limit, a path through a file or too long,
an output folder that is the input) end the run with one Chinese line naming the path and the OS
reason, exit 2, never 内部错误; no temp file is left, not even after SIGTERM or a killed run.

Tests run as root, which ignores permission bits: read-only and full disks are simulated by making
`os.replace` or the temp file's creation raise the OS error, the size limit is a real
RLIMIT_FSIZE in a subprocess."""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyaddin.adapters import output_files
from pyaddin.adapters.output_files import TEMP_PREFIX, atomic_write_text, sweep_stale_temps
from pyaddin.cli.main import main
from pyaddin.errors import OutputFailed

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "备案台账示例.xlsx"
ARCHIVE = ROOT / "sample_data" / "archive"
TODAY = "2026-11-20"
COMMANDS = {
    "check": ["check"],
    "validate": ["validate"],
    "report": ["report"],
    "calendar": ["calendar"],
    "docs": ["docs", "--ids", "BA-2026-0001"],
    "archive": ["archive", "--root", str(ARCHIVE)],
}


def leftovers(folder: Path) -> list[str]:
    """Temp files of atomic writes (the archive's hash cache is not one)."""
    return sorted(p.name for p in folder.rglob(TEMP_PREFIX + "*")
                  if p.name != ".beian-hash-cache.json") if folder.exists() else []


def assert_one_clean_line(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "内部错误" not in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def tracker(tmp_path) -> Path:
    target = tmp_path / "in" / "台账.xlsx"
    target.parent.mkdir()
    shutil.copyfile(SAMPLE, target)
    return target


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyaddin", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EFBIG])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_refused_write_names_the_path_and_the_reason(tracker, tmp_path, monkeypatch, command, code):
    def refuse(src, dst):
        raise OSError(code, os.strerror(code), str(src))

    monkeypatch.setattr(output_files.os, "replace", refuse)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [*COMMANDS[command], str(tracker), "--out", str(out), "--today", TODAY])
    assert result.exit_code == 2, result.output
    # the first refused file may be the rule history beside the workbook rather than one in --out
    assert_one_clean_line(result.stderr, "无法写入", str(tmp_path), output_files.OS_REASONS[code])
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_temp_file_that_cannot_be_created_is_named_too(tracker, tmp_path, monkeypatch, command):
    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(output_files.tempfile, "mkstemp", read_only)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [*COMMANDS[command], str(tracker), "--out", str(out), "--today", TODAY])
    assert result.exit_code == 2
    assert_one_clean_line(result.stderr, str(tmp_path), "只读")


@pytest.mark.parametrize("command", ["check", "report", "docs", "archive"])
def test_a_file_size_limit_is_an_error_with_the_path_not_a_kill(tracker, tmp_path, command):
    """RLIMIT_FSIZE: the write fails with EFBIG (SIGXFSZ ignored); XlsxWriter's zip is closed cleanly
    (no "Exception ignored in ZipFile.__del__") and no temp file stays behind."""
    out = tmp_path / "out"
    limit = 6000

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    args = [sys.executable, "-m", "pyaddin", *COMMANDS[command], str(tracker), "--out", str(out), "--today", TODAY]
    result = subprocess.run(args, capture_output=True, text=True, preexec_fn=limited, timeout=120, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert_one_clean_line(result.stderr, "无法写入", "大小上限")
    assert leftovers(out) == []


@pytest.mark.parametrize("command", ["check", "calendar", "docs"])
def test_out_below_a_file_or_too_long_is_refused_in_one_line(tracker, tmp_path, command):
    (tmp_path / "a-file").write_text("x")
    for out, reason in ((tmp_path / "a-file" / "sub", "是文件而不是文件夹"), (tmp_path / ("长" * 200) / "x", "太长")):
        result = CliRunner().invoke(main, [*COMMANDS[command], str(tracker), "--out", str(out), "--today", TODAY])
        assert result.exit_code == 2
        assert reason in result.stderr and "内部错误" not in result.stderr and "Traceback" not in result.stderr


def settings_out(tracker: Path, value: str) -> Path:
    """A copy of the tracker whose 设置 输出目录 is `value`."""
    import openpyxl

    wb = openpyxl.load_workbook(tracker)
    ws = wb["设置"]
    for row in ws.iter_rows(min_row=1):
        if row[0].value == "输出目录":
            row[1].value = value
            break
    else:
        ws.append(["输出目录", value])
    target = tracker.with_name("设置输出.xlsx")
    wb.save(target)
    return target


@pytest.mark.parametrize("command", ["check", "docs", "report"])
def test_settings_output_folder_that_is_the_input_file_is_named(tracker, command):
    book = settings_out(tracker, "设置输出.xlsx")  # relative: the workbook itself
    before = book.read_bytes()
    args = [a for a in COMMANDS[command]] + [str(book), "--today", TODAY]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert_one_clean_line(result.stderr, "设置输出.xlsx")
    assert book.read_bytes() == before


def test_settings_output_folder_on_a_read_only_disk_is_named(tracker, monkeypatch):
    book = settings_out(tracker, "只读盘")
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.name == "只读盘":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    for command in ("check", "docs", "calendar"):
        result = CliRunner().invoke(main, [*COMMANDS[command], str(book), "--today", TODAY])
        assert result.exit_code == 2
        assert_one_clean_line(result.stderr, "只读盘", "只读")


def test_sigterm_while_writing_leaves_no_temp_file(tracker, tmp_path):
    """The writer is slowed down so the signal lands while the temp file exists."""
    out = tmp_path / "out"
    script = (
        "import time\n"
        "from pyaddin.adapters import findings_xlsx\n"
        "real = findings_xlsx._write\n"
        "def slow(tmp, *a, **k):\n"
        "    real(tmp, *a, **k)\n"
        "    time.sleep(60)\n"
        "findings_xlsx._write = slow\n"
        "import sys\n"
        f"sys.argv = ['beian', 'check', {str(tracker)!r}, '--out', {str(out)!r}, '--today', {TODAY!r}]\n"
        "from pyaddin.cli.main import entry\n"
        "entry()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not leftovers(out):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the temp file never appeared"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert leftovers(out) == []
    assert not (out / "findings.xlsx").exists()


def test_the_next_run_removes_temp_files_a_killed_run_left(tracker, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = out / f"{TEMP_PREFIX}{dead.stdout.strip()}-abc_1234.xlsx"
    killed.write_bytes(b"")
    old = out / f"{TEMP_PREFIX}x1y2z3w4.xlsx"  # a name from before pids were in it
    old.write_bytes(b"")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    fresh = out / f"{TEMP_PREFIX}x3y4z5w6.xlsx"  # unknown writer, recent: may still be in use
    fresh.write_bytes(b"")
    cache = out / ".beian-hash-cache.json"  # the archive's hash cache is no temp file, however old
    cache.write_text("{}")
    os.utime(cache, (time.time() - 3 * 86400,) * 2)
    result = CliRunner().invoke(main, ["check", str(tracker), "--out", str(out), "--today", TODAY])
    assert result.exit_code in (0, 1), result.stderr
    assert leftovers(out) == [fresh.name]
    assert cache.exists()
    assert (out / "findings.xlsx").exists()


def test_a_running_writer_keeps_its_temp_file(tmp_path):
    mine = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-zz_abcde.xlsx"
    mine.write_bytes(b"")
    assert sweep_stale_temps(tmp_path) == []
    assert mine.exists()


def test_atomic_write_reports_a_full_disk_with_its_path(tmp_path, monkeypatch):
    def full(*_args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output_files.os, "replace", full)
    target = tmp_path / "a.txt"
    with pytest.raises(OutputFailed, match="磁盘空间已满") as caught:
        atomic_write_text(target, "x")
    assert caught.value.path == target and str(target) in str(caught.value)
    assert not target.exists() and leftovers(tmp_path) == []
