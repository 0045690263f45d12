"""Writing output files safely: atomic replace, Excel lock files, never over a workbook this run read.

The pure parts (safe names, formula-injection guard) live in `pyaddin/run/safe_text.py`."""

from __future__ import annotations

import errno
import io
import os
import re
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputFailed, OutputLocked

TEMP_PREFIX = ".beian-"
STALE_AFTER = 24 * 3600
"""A temp file whose writer is gone (its pid no longer runs) is removed at once; one whose pid
cannot be told (an old name, another machine on a shared folder) only after a day."""

OS_REASONS = {
    errno.EROFS: "所在磁盘或文件夹是只读的",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EFBIG: "文件超过了系统允许的大小上限",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EEXIST: "同名文件已存在，不是文件夹",
    errno.EISDIR: "同名文件夹已存在",
    errno.ENAMETOOLONG: "路径或文件名太长",
    errno.ENOENT: "路径不存在",
    errno.EIO: "磁盘读写出错",
    errno.EMFILE: "打开的文件太多",
    errno.ELOOP: "路径中的符号链接形成了循环",
}
"""The OS reason in words a user can act on; the system's own (English) text follows it."""


def xlsx_writer_options() -> dict:
    """XlsxWriter options for every workbook beian writes: user text is never a formula or URL."""
    return {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": True}


def lock_file(path: Path) -> Path:
    return path.with_name("~$" + path.name)


def check_not_locked(path: Path) -> None:
    """Excel keeps `~$name` beside a workbook it has open; overwriting then fails or loses work."""
    path = Path(path)
    candidates = {lock_file(path)}
    if len(path.name) > 2:
        candidates.add(path.with_name("~$" + path.name[2:]))  # Word and Excel sometimes drop 2 chars
    for lock in candidates:
        if lock.exists():
            raise OutputLocked(f"“{path.name}”正在被 Excel 或 Word 打开（发现锁文件 {lock.name}），请关闭该文件后重试。 "
                               f"/ {path.name} is open in Excel or Word; close it and try again.")


_INPUTS: set[Path] = set()
"""Workbooks read in this process (see `files.read_book`); no output may replace one of them."""


def register_input(path: Path) -> None:
    _INPUTS.add(Path(path).resolve())


def check_not_input(path: Path, *inputs: Path | None) -> None:
    """The command line never modifies its input: `beian validate findings.xlsx --out .` must not
    replace the tracker with its own findings, nor `beian docs` an input named documents.xlsx."""
    target = Path(path).resolve()
    for source in (*inputs, *_INPUTS):
        if source is not None and Path(source).resolve() == target:
            raise OutputLocked(f"输出文件“{target.name}”就是输入的工作簿，不能覆盖，请换一个 --out 文件夹或给台账改名。 "
                               f"/ The output {target.name} is the input workbook; choose another --out folder.")


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind `exc`: itself, the one a library wrapped (XlsxWriter's FileCreateError
    holds it as its argument), or its cause."""
    for candidate in (exc, *(getattr(exc, "args", ()) or ())[:1], exc.__cause__, exc.__context__):
        if isinstance(candidate, OSError):
            return candidate
    return None


def errno_of(exc: OSError) -> int | None:
    """errno, also from a message such as rust_xlsxwriter's "… File too large (os error 27)"."""
    if exc.errno:
        return exc.errno
    found = re.search(r"os error (\d+)", str(exc))
    return int(found.group(1)) if found else None


def os_reason(exc: OSError) -> str:
    """"磁盘空间已满（No space left on device）": the reason in Chinese, then the system's words."""
    code = errno_of(exc)
    system = os.strerror(code) if code else (exc.strerror or str(exc))
    zh = OS_REASONS.get(code) if code else None
    return f"{zh}（{system}）" if zh else f"系统拒绝：{system}"


def output_failed(path: Path, exc: OSError, *, held_open: bool = False) -> OutputFailed:
    """One line naming the output path and the OS reason, and what to do."""
    path = Path(path)
    code = errno_of(exc)
    advice = ("请腾出磁盘空间后重试，或换一个 --out 文件夹" if code in (errno.ENOSPC, errno.EDQUOT) else
              "请放宽文件大小限制（ulimit -f）后重试，或换一个 --out 文件夹" if code == errno.EFBIG else
              "请换一个可写的 --out 文件夹（或改设置中的输出目录）后重试")
    return OutputFailed(
        f"无法写入“{path}”：{os_reason(exc)}，{advice}。 "
        f"/ Cannot write {path}: {os.strerror(errno_of(exc)) if errno_of(exc) else exc}.",
        path=path, os_error=exc, held_open=held_open)


def ensure_folder(folder: Path) -> Path:
    """mkdir -p, with a refusal named (a file in the way, a read-only disk, a name too long)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_failed(folder, exc) from None
    return folder


_LIVE_TEMPS: set[Path] = set()
"""Temp files this process is writing now: removed by the SIGTERM handler before it exits."""
_SWEPT: set[Path] = set()


_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(?:(\d+)-)?[a-z0-9_]{8}(?:\.[A-Za-z0-9]+)?")
"""What `atomic_write` names its temp files (mkstemp's 8 random characters, the pid before them
since pids are recorded): other `.beian-*` files, such as the archive's hash cache, are kept."""


def _pid_of(name: str) -> int | None:
    found = _TEMP_NAME.fullmatch(name)
    return int(found.group(1)) if found and found.group(1) else None


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def sweep_stale_temps(folder: Path) -> list[Path]:
    """Remove `.beian-*` temp files a killed run left in `folder` (SIGKILL, power cut): those of a
    process that no longer runs, and any older than a day. Once per folder per run; never fails."""
    folder = Path(folder)
    if folder in _SWEPT:
        return []
    _SWEPT.add(folder)
    removed = []
    try:
        entries = [e for e in os.scandir(folder)
                   if _TEMP_NAME.fullmatch(e.name) and e.is_file(follow_symlinks=False)]
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        pid = _pid_of(entry.name)
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            if (pid is not None and not _running(pid)) or old:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Run `write(tmp)` then rename over `path`, so a crash never leaves half a file behind.

    A refusal by the OS (read-only, disk full, size limit, a file where a folder should be, a name
    too long) becomes OutputFailed naming `path` and the reason; the temp file is removed on any
    failure and on SIGTERM (see `remove_temps_on_sigterm`), and stale ones are swept first."""
    path = Path(path)
    ensure_folder(path.parent)
    check_not_input(path)
    check_not_locked(path)
    sweep_stale_temps(path.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise output_failed(path, exc) from None
    os.close(fd)
    tmp = Path(tmp_name)
    _LIVE_TEMPS.add(tmp)
    replacing = False
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any saved file
        replacing = True
        os.replace(tmp, path)
    except BaseException as exc:
        _discard(tmp)
        cause = os_error_in(exc) if isinstance(exc, Exception) else None
        if cause is not None:
            held = replacing and isinstance(cause, PermissionError) and path.exists()
            raise output_failed(path, cause, held_open=held) from None
        raise
    finally:
        _LIVE_TEMPS.discard(tmp)
    return path


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass


_LIVE_GROUPS: set[int] = set()
"""Process groups of helper programs running now (LibreOffice for --pdf): ended with this process."""


def started_group(pgid: int) -> None:
    """A helper started in a session of its own (`start_new_session`), whose whole group — soffice
    starts soffice.bin, which outlived a SIGTERM to the run — must end when this process does:
    on SIGTERM (handler below) and at exit, whatever thread started it."""
    if not _LIVE_GROUPS:
        import atexit

        atexit.register(end_child_groups)
    _LIVE_GROUPS.add(pgid)


def end_child_group(pgid: int, grace: float = 2.0) -> None:
    """SIGTERM to the group, then SIGKILL to whatever is left after `grace` seconds."""
    _LIVE_GROUPS.discard(pgid)
    if not hasattr(os, "killpg"):
        return
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def end_child_groups() -> None:
    for pgid in list(_LIVE_GROUPS):
        end_child_group(pgid)


def remove_temps_on_sigterm() -> None:
    """SIGTERM (a stopped service, a closed terminal, `timeout`) ends the run as Ctrl-C would: the
    temp files being written are removed, then the process exits 143. SIGXFSZ is ignored so that a
    file-size limit is an error (EFBIG) reported with its path, not a silent kill."""
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if not hasattr(signal, "SIGTERM"):
        return

    def on_term(signum, _frame):
        for tmp in list(_LIVE_TEMPS):
            _discard(tmp)
        end_child_groups()
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread (an embedding host): leave its handlers alone
        pass


def memory_workbook():
    """An XlsxWriter workbook built in memory: a refused write then fails once, in `save_workbook`,
    with the OS reason, and leaves neither a half zip (no "Exception ignored in ZipFile.__del__")
    nor XlsxWriter's temp files behind."""
    import xlsxwriter

    return xlsxwriter.Workbook(io.BytesIO(), {**xlsx_writer_options(), "in_memory": True})


def save_workbook(wb, tmp: Path) -> None:
    wb.close()
    Path(tmp).write_bytes(wb.filename.getvalue())


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
