"""docx → PDF through LibreOffice (any OS) or Microsoft Word (Windows COM, macOS AppleScript).

LibreOffice is preferred where present: it converts a whole batch in one process, while a Word
round trip per document is slow and can pop dialogs. Each batch gets its own throw-away
LibreOffice profile, because a second `soffice` sharing the user's profile with a running office
silently hands the job to that instance and exits without converting anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputLocked, PdfFailed, PdfUnavailable

SOFFICE_NAMES = ("soffice", "libreoffice")
SOFFICE_PATHS = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
WORD_MAC = "/Applications/Microsoft Word.app"
TIMEOUT_BASE, TIMEOUT_PER_DOC = 90, 15
"""Seconds: first start with a fresh profile takes a few seconds, each document well under one."""


NO_CONVERTER = ("未找到 PDF 转换工具：请安装 LibreOffice（https://zh-cn.libreoffice.org/ ，确保 soffice 在 PATH 中）"
                "或在 Windows/macOS 上安装 Microsoft Word，或去掉 --pdf 只生成 Word 文档。 / No PDF converter found: "
                "install LibreOffice or Microsoft Word, or drop --pdf.")


def find_soffice() -> str | None:
    for name in SOFFICE_NAMES:
        path = shutil.which(name)
        if path:
            return path
    for path in SOFFICE_PATHS:
        if Path(path).is_file():
            return path
    return None


def _word_windows() -> bool:
    if sys.platform != "win32":
        return False
    try:
        import winreg

        import win32com.client  # noqa: F401  (pywin32 ships with xlwings on Windows)
    except ImportError:
        return False
    try:
        winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, r"Word.Application\CLSID").Close()
        return True
    except OSError:
        return False


def _word_mac() -> bool:
    return sys.platform == "darwin" and Path(WORD_MAC).is_dir() and shutil.which("osascript") is not None


def available() -> str | None:
    """Which converter `convert` would use: "libreoffice", "word" or None (for `beian doctor`)."""
    if find_soffice():
        return "libreoffice"
    if _word_windows() or _word_mac():
        return "word"
    return None


def convert(docx_paths: list[Path], out_dir: Path, *, progress: Callable[[int, int], None] | None = None,
            on_locked: Callable[[Path], None] | None = None) -> list[Path | None]:
    """PDFs for `docx_paths`, written atomically into `out_dir` in the same order (same stems).

    `progress(done, total)` is called as PDFs appear. A target PDF that Word or Acrobat holds open
    raises OutputLocked, or, with `on_locked`, is passed to it and comes back as None in its place
    while the rest of the batch is kept."""
    docx_paths = [Path(p).resolve() for p in docx_paths]
    if not docx_paths:
        return []
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".beian-pdf-", dir=out_dir) as work:
        work_dir = Path(work)
        soffice = find_soffice()
        if soffice:
            _libreoffice(soffice, docx_paths, work_dir, progress)
        elif _word_windows():
            _word_com(docx_paths, work_dir, progress)
        elif _word_mac():
            _word_applescript(docx_paths, work_dir)
        else:
            raise PdfUnavailable(NO_CONVERTER)
        if progress is not None:
            progress(len(docx_paths), len(docx_paths))
        return _collect(docx_paths, work_dir, out_dir, on_locked)


def _collect(docx_paths: list[Path], work_dir: Path, out_dir: Path,
             on_locked: Callable[[Path], None] | None = None) -> list[Path | None]:
    from .output_files import check_not_locked

    missing = [p.name for p in docx_paths if not (work_dir / (p.stem + ".pdf")).is_file()]
    if missing:
        raise PdfFailed(f"有 {len(missing)} 份文书未能转换为 PDF（如“{missing[0]}”），请用 Word 打开检查后重试。 "
                        f"/ {len(missing)} documents were not converted to PDF.")
    out: list[Path | None] = []
    for p in docx_paths:
        target = out_dir / (p.stem + ".pdf")
        try:
            check_not_locked(target)
            os.replace(work_dir / (p.stem + ".pdf"), target)
        except (OutputLocked, PermissionError):
            if on_locked is None:
                raise
            on_locked(target)
            out.append(None)
            continue
        out.append(target)
    return out


FONT_ALIASES = {
    "Noto Serif CJK SC": ("宋体", "SimSun", "新宋体", "NSimSun", "仿宋", "FangSong", "楷体", "KaiTi"),
    "Noto Sans CJK SC": ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian"),
}
"""Windows Chinese fonts → the Noto CJK fonts Linux distributions ship, so a PDF made on a server
keeps serif body text and sans headings instead of one fallback face for everything."""


def _fontconfig(profile: Path) -> dict[str, str]:
    """Environment for soffice on Linux: a private fonts.conf that adds the aliases above."""
    if not sys.platform.startswith("linux"):
        return {}
    base = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    from xml.sax.saxutils import escape

    aliases = "".join(
        f"<alias binding=\"same\"><family>{escape(name)}</family><prefer><family>{escape(target)}</family>"
        f"</prefer></alias>"
        for target, names in FONT_ALIASES.items() for name in names)
    conf = profile / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">{escape(base)}</include>{aliases}</fontconfig>',
                    encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


POLL_SECONDS = 0.5


def _libreoffice(soffice: str, docx_paths: list[Path], work_dir: Path,
                 progress: Callable[[int, int], None] | None = None) -> None:
    """One `soffice` process for the whole batch, with a private profile; progress is the number of
    PDFs it has written so far, polled while it runs."""
    with tempfile.TemporaryDirectory(prefix="beian-lo-profile-") as profile:
        env = {**os.environ, **_fontconfig(Path(profile))}
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--invisible",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               "--convert-to", "pdf", "--outdir", str(work_dir), *map(str, docx_paths)]
        timeout = TIMEOUT_BASE + TIMEOUT_PER_DOC * len(docx_paths)
        try:
            returncode, output = _run_polling(cmd, env, timeout, work_dir, len(docx_paths), progress)
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"LibreOffice 转换 PDF 超过 {timeout} 秒未完成，请关闭其他 LibreOffice 窗口后重试，"
                            f"或减少一次生成的文书数量。 / LibreOffice timed out.") from None
        except OSError as exc:
            raise PdfFailed(f"无法启动 LibreOffice（{exc}），请检查安装。 / Cannot start LibreOffice.") from None
        if returncode != 0 and not any(work_dir.glob("*.pdf")):
            detail = output.decode("utf-8", "replace").strip().splitlines()
            raise PdfFailed(f"LibreOffice 转换失败（退出码 {returncode}：{detail[-1] if detail else '无输出'}），"
                            f"请检查 LibreOffice 安装。 / LibreOffice failed.")


def _run_polling(cmd: list[str], env: dict, timeout: float, work_dir: Path, total: int,
                 progress: Callable[[int, int], None] | None) -> tuple[int, bytes]:
    """Run the converter; while it runs, report how many PDFs exist in `work_dir`. Output goes to a
    temporary file, not a pipe, so a chatty converter cannot block on a full pipe buffer."""
    from .output_files import end_child_group, started_group

    # Its own session (POSIX) or process group (Windows): a SIGTERM, Ctrl-C or timeout then ends
    # soffice and the soffice.bin it starts, which otherwise outlived the run.
    group = {"start_new_session": True} if os.name == "posix" else \
        {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, **group)
        if os.name == "posix":
            started_group(proc.pid)
        finished = False
        try:
            deadline = time.monotonic() + timeout
            seen = 0
            while True:
                try:
                    proc.wait(timeout=POLL_SECONDS)
                    finished = True
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() > deadline:
                        raise
                    if progress is not None:
                        done = sum(1 for _ in work_dir.glob("*.pdf"))
                        if done > seen:
                            seen = done
                            progress(min(done, total), total)
        finally:
            if not finished:  # timed out, SIGTERM (SystemExit), Ctrl-C, or a failing progress callback
                if os.name == "posix":
                    end_child_group(proc.pid)
                proc.kill()
                proc.wait()
            elif os.name == "posix":
                end_child_group(proc.pid, grace=0)  # anything it left running in its group
        log.seek(0)
        return proc.returncode, log.read()


def _word_com(docx_paths: list[Path], work_dir: Path,
              progress: Callable[[int, int], None] | None = None) -> None:  # pragma: no cover - Windows only
    import win32com.client

    word = win32com.client.DispatchEx("Word.Application")
    word.Visible = False
    word.DisplayAlerts = 0
    try:
        for p in docx_paths:
            doc = word.Documents.Open(str(p), ReadOnly=True, AddToRecentFiles=False)
            try:
                doc.SaveAs2(str(work_dir / (p.stem + ".pdf")), FileFormat=17)  # wdFormatPDF
            finally:
                doc.Close(SaveChanges=0)
            if progress is not None:
                progress(docx_paths.index(p) + 1, len(docx_paths))
    finally:
        word.Quit()


def _word_applescript(docx_paths: list[Path], work_dir: Path) -> None:  # pragma: no cover - macOS only
    def quote(path: Path) -> str:
        return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ['tell application "Microsoft Word"']
    for p in docx_paths:
        lines += [f"open POSIX file {quote(p)}",
                  f"save as active document file name {quote(work_dir / (p.stem + '.pdf'))} file format format PDF",
                  "close active document saving no"]
    lines.append("end tell")
    subprocess.run(["osascript", "-e", "\n".join(lines)], capture_output=True,
                   timeout=TIMEOUT_BASE + TIMEOUT_PER_DOC * len(docx_paths), check=False)
