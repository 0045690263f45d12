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
from pathlib import Path

from ..errors import BeianError

SOFFICE_NAMES = ("soffice", "libreoffice")
SOFFICE_PATHS = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
WORD_MAC = "/Applications/Microsoft Word.app"
TIMEOUT_BASE, TIMEOUT_PER_DOC = 90, 15
"""Seconds: first start with a fresh profile takes a few seconds, each document well under one."""


class PdfUnavailable(BeianError):
    """No PDF converter (LibreOffice or Word) on this computer."""


class PdfFailed(BeianError):
    """The converter ran but did not produce every PDF."""


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


def convert(docx_paths: list[Path], out_dir: Path) -> list[Path]:
    """PDFs for `docx_paths`, written atomically into `out_dir` in the same order (same stems)."""
    docx_paths = [Path(p).resolve() for p in docx_paths]
    if not docx_paths:
        return []
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".beian-pdf-", dir=out_dir) as work:
        work_dir = Path(work)
        soffice = find_soffice()
        if soffice:
            _libreoffice(soffice, docx_paths, work_dir)
        elif _word_windows():
            _word_com(docx_paths, work_dir)
        elif _word_mac():
            _word_applescript(docx_paths, work_dir)
        else:
            raise PdfUnavailable(NO_CONVERTER)
        return _collect(docx_paths, work_dir, out_dir)


def _collect(docx_paths: list[Path], work_dir: Path, out_dir: Path) -> list[Path]:
    from .output_files import check_not_locked

    missing = [p.name for p in docx_paths if not (work_dir / (p.stem + ".pdf")).is_file()]
    if missing:
        raise PdfFailed(f"有 {len(missing)} 份文书未能转换为 PDF（如“{missing[0]}”），请用 Word 打开检查后重试。 "
                        f"/ {len(missing)} documents were not converted to PDF.")
    out = []
    for p in docx_paths:
        target = out_dir / (p.stem + ".pdf")
        check_not_locked(target)
        os.replace(work_dir / (p.stem + ".pdf"), target)
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


def _libreoffice(soffice: str, docx_paths: list[Path], work_dir: Path) -> None:
    """One `soffice` process for the whole batch, with a private profile."""
    with tempfile.TemporaryDirectory(prefix="beian-lo-profile-") as profile:
        env = {**os.environ, **_fontconfig(Path(profile))}
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--invisible",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               "--convert-to", "pdf", "--outdir", str(work_dir), *map(str, docx_paths)]
        timeout = TIMEOUT_BASE + TIMEOUT_PER_DOC * len(docx_paths)
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"LibreOffice 转换 PDF 超过 {timeout} 秒未完成，请关闭其他 LibreOffice 窗口后重试，"
                            f"或减少一次生成的文书数量。 / LibreOffice timed out.") from None
        except OSError as exc:
            raise PdfFailed(f"无法启动 LibreOffice（{exc}），请检查安装。 / Cannot start LibreOffice.") from None
        if proc.returncode != 0 and not any(work_dir.glob("*.pdf")):
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
            raise PdfFailed(f"LibreOffice 转换失败（退出码 {proc.returncode}：{detail[-1] if detail else '无输出'}），"
                            f"请检查 LibreOffice 安装。 / LibreOffice failed.")


def _word_com(docx_paths: list[Path], work_dir: Path) -> None:  # pragma: no cover - Windows only
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
