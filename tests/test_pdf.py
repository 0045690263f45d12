import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyaddin.actions.documents import generate
from pyaddin.adapters import docx_templates, pdf
from pyaddin.documents.kinds import KINDS, TEMPLATES_DIR

CONTEXT = {
    "备案编号": "BA-009", "活动名称": "春节 A&B<C> 抽奖", "平台": "抖音", "备案入口": "巨量引擎", "创意形式": "H5、抽奖",
    "创意形式列表": ["H5", "抽奖"], "含H5": True, "含直播": False, "含抽奖": True, "行业": "快消",
    "主体名称": "杭州示例网络有限公司", "统一社会信用代码": "91330100MA2B3C4D5E", "负责人": "王五", "联系人": "张三",
    "联系电话": "13800138000", "联系邮箱": "a@example.com", "活动开始日期": "2026-01-20",
    "活动结束日期": "2026-02-05", "计划上线日期": "2026-01-18", "提交日期": None, "预算": 12000.0,
    "显示预算": True, "最高奖金额": 5000.0, "抽奖金额上限": 50000.0, "收集个人信息": "是", "敏感个人信息": "否", "敏感个人信息说明": "不收集敏感个人信息",
    "隐私政策链接": "https://example.com/p", "用户授权机制": "弹窗勾选", "备案号": None, "备注": None,
    "落款日期": "2026-01-05",
    "材料清单": [{"名称": "营业执照", "说明": "副本", "状态": "已备"}],
    "时间安排": [{"阶段": "活动开始", "日期": "2026-01-20", "说明": "开始"}],
}


def rendered(tmp_path: Path) -> list[Path]:
    out = []
    for kind in KINDS.values():
        data, _ = docx_templates.render(docx_templates.load_template(TEMPLATES_DIR / kind.template), CONTEXT)
        path = tmp_path / f"BA-009_抖音_{kind.title}.docx"
        path.write_bytes(data)
        out.append(path)
    return out


def test_documents_convert_to_pdf_with_the_company_name(soffice, tmp_path):
    pdftotext = shutil.which("pdftotext") or pytest.skip("pdftotext is not installed")
    (tmp_path / "docx").mkdir()
    docx = rendered(tmp_path / "docx")
    out = tmp_path / "pdf"
    pdfs = pdf.convert(docx, out)
    assert [p.name for p in pdfs] == [p.with_suffix(".pdf").name for p in docx]
    for p in pdfs:
        assert p.parent == out and p.read_bytes().startswith(b"%PDF")
        text = subprocess.run([pdftotext, str(p), "-"], capture_output=True, check=True).stdout.decode()
        text = re.sub(r"\s+", "", text)  # pdftotext spaces CJK from digits and keeps line breaks
        assert "杭州示例网络有限公司" in text
        assert "壹万贰仟元整" in text and "2026年1月20日" in text
    assert not any(x.name.startswith(".beian-pdf-") for x in out.iterdir())  # work folder cleaned up


def test_libreoffice_is_reported_as_available(soffice):
    assert pdf.available() == "libreoffice"


def test_no_converter_gives_a_chinese_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    monkeypatch.setattr(pdf.sys, "platform", "linux")  # no Word on Linux: nothing left to convert with
    assert pdf.available() is None
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"x")
    with pytest.raises(pdf.PdfUnavailable) as exc:
        pdf.convert([docx], tmp_path / "out")
    assert str(exc.value).startswith("未找到 PDF 转换工具") and "--pdf" in str(exc.value)


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell script as a fake soffice")
def test_a_converter_that_writes_nothing_is_reported(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(fake))
    doc = tmp_path / "坏文件.docx"
    doc.write_bytes(b"x")
    with pytest.raises(pdf.PdfFailed) as exc:
        pdf.convert([doc], tmp_path / "out")
    assert "坏文件.docx" in str(exc.value)
    assert not list((tmp_path / "out").iterdir())


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell script as a fake soffice")
def test_libreoffice_on_linux_gets_windows_chinese_fonts_mapped_to_noto(tmp_path, monkeypatch):
    record = tmp_path / "fonts.conf.seen"
    fake = tmp_path / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        'cat "$FONTCONFIG_FILE" > "$BEIAN_TEST_RECORD"\n'
        'prev=""; for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done\n'
        'for a in "$@"; do case "$a" in *.docx) printf "%%PDF-1.4" > "$out/$(basename "$a" .docx).pdf";; esac; done\n')
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(fake))
    monkeypatch.setattr(pdf.sys, "platform", "linux")
    monkeypatch.setenv("BEIAN_TEST_RECORD", str(record))
    doc = tmp_path / "承诺书.docx"
    doc.write_bytes(b"x")
    assert [p.name for p in pdf.convert([doc], tmp_path / "out")] == ["承诺书.pdf"]
    conf = record.read_text(encoding="utf-8")
    assert "<family>宋体</family><prefer><family>Noto Serif CJK SC</family>" in conf
    assert "<family>黑体</family><prefer><family>Noto Sans CJK SC</family>" in conf
    assert "<include ignore_missing=\"yes\">" in conf  # the system fonts stay available


def test_generate_with_pdf_indexes_both_formats(soffice, tmp_path):
    import openpyxl

    from pyaddin.adapters.files import read_book
    from pyaddin.run.build import build_context

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(["备案编号", "活动名称", "平台", "主体名称", "状态", "活动开始日期", "预算(元)"])
    ws.append(["BA-1", "测试活动", "微信", "示例公司", "草稿", "2025-11-01", 100.05])
    wb.save(tmp_path / "t.xlsx")
    from datetime import date

    ctx = build_context(read_book(tmp_path / "t.xlsx"), system_today=date(2025, 10, 1))
    calls = []
    result = generate(ctx, out_dir=tmp_path / "out", pdf=True, kind="承诺书", force=True,
                      progress=lambda done, total: calls.append((done, total)))
    assert sorted(p.name for p in result.written) == ["BA-1_微信_安全承诺书.docx", "BA-1_微信_安全承诺书.pdf"]
    assert [d.format for d in result.documents] == ["docx", "pdf"]
    assert all(len(d.sha256) == 64 for d in result.documents)
    assert calls[0] == (0, 2) and calls[-1] == (2, 2) and calls == sorted(calls)  # Word, then PDF


def test_a_pdf_open_in_a_viewer_is_skipped_and_the_others_are_kept(soffice, tmp_path):
    (tmp_path / "docx").mkdir()
    docx = rendered(tmp_path / "docx")
    out = tmp_path / "pdf"
    out.mkdir()
    held = out / docx[0].with_suffix(".pdf").name
    held.write_bytes(b"the copy open in Acrobat")
    (out / ("~$" + held.name)).write_bytes(b"lock")
    skipped = []
    pdfs = pdf.convert(docx, out, on_locked=skipped.append)
    assert skipped == [held] and pdfs[0] is None and held.read_bytes() == b"the copy open in Acrobat"
    assert pdfs[1] == out / docx[1].with_suffix(".pdf").name and pdfs[1].read_bytes().startswith(b"%PDF")


# --- Simplified Chinese glyphs -------------------------------------------------------------------

GLYPHS = "骨直说递"
"""Characters whose Simplified Chinese and Japanese forms differ visibly (the inner stroke of 骨,
the base of 直, the top of 说 and 递)."""
NOTO_CJK_COLLECTION = re.compile(r"^[A-Z]{6}\+NotoS(ans|erif)CJKjp-")
"""pdffonts names every region of the Noto CJK .ttc collections "…CJKjp…": the CFF table, which
holds that name, is shared by the JP/SC/TC/KR faces. The name says nothing about the glyphs drawn."""


def glyph_document(path: Path, *, east_asia: str | None = None, lang: str | None = None) -> Path:
    """The 安全承诺书 template's styles and footer with one large line of GLYPHS; optionally the run
    forced to a font and East Asian language (the references)."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document(str(TEMPLATES_DIR / KINDS["承诺书"].template))
    body = doc.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    run = doc.add_paragraph().add_run(GLYPHS)
    run.font.size = Pt(48)
    rpr = run._element.get_or_add_rPr()
    if east_asia:
        fonts = OxmlElement("w:rFonts")
        fonts.set(qn("w:eastAsia"), east_asia)
        rpr.insert(0, fonts)
    if lang:
        el = OxmlElement("w:lang")
        el.set(qn("w:eastAsia"), lang)
        rpr.append(el)
    doc.save(path)
    return path


def page_pixels(pdf_path: Path) -> bytes:
    pdftoppm = shutil.which("pdftoppm") or pytest.skip("pdftoppm is not installed")
    out = subprocess.run([pdftoppm, "-gray", "-r", "40", "-f", "1", "-l", "1", str(pdf_path)],
                         capture_output=True, check=True).stdout
    return out


def test_exported_pdf_draws_simplified_chinese_glyphs_not_japanese(soffice, tmp_path):
    pdffonts = shutil.which("pdffonts") or pytest.skip("pdffonts is not installed")
    src = tmp_path / "docx"
    src.mkdir()
    styled = glyph_document(src / "styled.docx")
    sc = glyph_document(src / "sc.docx", east_asia="Noto Serif CJK SC", lang="zh-CN")
    jp = glyph_document(src / "jp.docx", east_asia="Noto Serif CJK JP", lang="ja-JP")
    styled_pdf, sc_pdf, jp_pdf = pdf.convert([styled, sc, jp], tmp_path / "pdf")
    if page_pixels(sc_pdf) == page_pixels(jp_pdf):
        pytest.skip("no CJK font here with distinct Simplified Chinese and Japanese forms")
    assert page_pixels(styled_pdf) == page_pixels(sc_pdf)  # the template's own fonts and language: SC forms
    listing = subprocess.run([pdffonts, str(styled_pdf)], capture_output=True, check=True, text=True).stdout
    names = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    japanese = [n for n in names if re.search(r"jp|JP|Mincho|Gothic|IPA|Takao|MS-", n)
                and not NOTO_CJK_COLLECTION.match(n)]
    assert names and japanese == []


def test_a_generated_letter_exports_with_no_japanese_face(soffice, tmp_path):
    pdffonts = shutil.which("pdffonts") or pytest.skip("pdffonts is not installed")
    (tmp_path / "docx").mkdir()
    letter = rendered(tmp_path / "docx")[0]
    (out,) = pdf.convert([letter], tmp_path / "pdf")
    listing = subprocess.run([pdffonts, str(out)], capture_output=True, check=True, text=True).stdout
    names = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    assert any("CJK" in n or "Sim" in n for n in names), names
    assert [n for n in names if re.search(r"jp|JP|Mincho|Gothic", n) and not NOTO_CJK_COLLECTION.match(n)] == []


def _tree(root: int) -> dict[int, str]:
    """pid → command name of `root`'s descendants (Linux /proc)."""
    parents: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            name, rest = stat.split(b"(", 1)[1].rsplit(b")", 1)
            parents[int(entry.name)] = (int(rest.split()[1]), name.decode(errors="replace"))
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, (parent, name) in parents.items():
            if parent == pid and child not in found:
                found[child] = name
                frontier.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
def test_sigterm_during_a_pdf_run_leaves_no_libreoffice_behind(soffice, tmp_path):
    """soffice starts soffice.bin; both must end with the run (its own session, killed as a group)."""
    import os
    import signal
    import time

    book = tmp_path / "台账.xlsx"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_data" / "备案台账示例.xlsx", book)
    proc = subprocess.Popen([sys.executable, "-m", "pyaddin", "docs", str(book), "--all", "--force", "--pdf",
                             "--out", str(tmp_path / "out"), "--today", "2026-11-20"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        seen.update(_tree(proc.pid))
        if any("soffice" in name for name in seen.values()) and len(seen) >= 2:
            time.sleep(1.0)  # let soffice.bin come up and start converting
            seen.update(_tree(proc.pid))
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before LibreOffice was seen: " + proc.stderr.read().decode()
    assert any("soffice" in name for name in seen.values()), seen
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == 143, proc.stderr.read().decode()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in seen):
        time.sleep(0.1)
    left = {pid: name for pid, name in seen.items() if _alive(pid)}
    assert not left, f"still running after SIGTERM: {left}"
