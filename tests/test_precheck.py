"""材料预检 end to end: real files built in tmp_path (docx with header, table and text box, pptx with
notes, text and scanned PDFs, a poster through OCR), bad files that must not stop the run, the
cache, the command line and findings.xlsx read back with pandas."""

from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import write_tracker

from pyaddin.adapters.materials import extract as ex
from pyaddin.cli.main import main
from pyaddin.precheck.material import NOT_READ, OCR_SKIPPED, UNREADABLE
from pyaddin.tracker.credit_code import check_character

OTHER_CODE = "91110000MA00ABCD1" + check_character("91110000MA00ABCD1")
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TODAY = ["--today", "2026-09-10"]
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with_textbox(path: Path, body: str, box: str) -> Path:
    """A minimal hand-written docx: one body paragraph and a text box (with Word's VML fallback copy)."""
    doc = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:body>
<w:p><w:r><w:t>{body}</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>
<w:p><w:r><w:t>{box}</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>{box}</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>
</mc:AlternateContent></w:r></w:p></w:body></w:document>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", doc)
    return path


def office_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("本次活动全网最佳。")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 1).text = "转发朋友圈领取红包"
    d.sections[0].header.paragraphs[0].text = "主办：北京别家传媒有限公司"
    d.save(path)
    return path


def office_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "双11 秒杀"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    box.text_frame.text = "全国销量第一"
    slide.notes_slide.notes_text_frame.text = "讲解：本品可治疗失眠"
    prs.save(path)
    return path


def text_pdf(path: Path, text: str, pages: int = 1) -> Path:
    """PDF pages with a Helvetica text layer (ASCII), or blank pages when `text` is empty."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    w = PdfWriter()
    for _ in range(pages):
        page = w.add_blank_page(595, 842)
        if text:
            font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                                     NameObject("/BaseFont"): NameObject("/Helvetica")})
            page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
                {NameObject("/F1"): w._add_object(font)})})
            stream = DecodedStreamObject()
            stream.set_data(f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
            page[NameObject("/Contents")] = w._add_object(stream)
    with open(path, "wb") as fh:
        w.write(fh)
    return path


def png_header_bomb(path: Path, width: int = 30000, height: int = 30000) -> Path:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's signature)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def poster(path: Path, lines: list[str], size=(720, 480)) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 40)
    for i, line in enumerate(lines):
        draw.text((30, 40 + i * 70), line, font=font, fill="black")
    im.save(path)
    return path


# ---------------------------------------------------------------- extractors
def test_docx_reads_body_table_header_and_a_text_box_once(tmp_path):
    x = ex.extract(office_docx(tmp_path / "a.docx"), "docx")
    texts = [(s.location, s.text) for s in x.segments]
    assert ("第 1 段", "本次活动全网最佳。") in texts and ("第 2 段", "转发朋友圈领取红包") in texts
    assert ("页眉", "主办：北京别家传媒有限公司") in texts
    boxed = ex.extract(docx_with_textbox(tmp_path / "b.docx", "正文", "框内最佳"), "docx")
    assert [s.text for s in boxed.segments] == ["正文", "框内最佳"]


def test_pptx_reads_slides_and_notes(tmp_path):
    x = ex.extract(office_pptx(tmp_path / "a.pptx"), "pptx")
    assert ("第 1 张幻灯片", "全国销量第一") in [(s.location, s.text) for s in x.segments]
    assert ("第 1 张幻灯片备注", "讲解：本品可治疗失眠") in [(s.location, s.text) for s in x.segments]
    assert x.pages == 1


def test_pdf_text_layer_is_read_per_page(tmp_path):
    x = ex.extract(text_pdf(tmp_path / "a.pdf", "Code 91110000MA00ABCD1X", pages=2), "pdf")
    assert [s.location for s in x.segments] == ["第 1 页", "第 2 页"] and x.pages == 2 and not x.ocr_used


def test_bad_files_become_unreadable_or_not_read_and_never_raise(tmp_path, monkeypatch):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 this is not a zip")
    (tmp_path / "locked.docx").write_bytes(ex.OLE_MAGIC + b"\0" * 512)
    (tmp_path / "notes.zip").write_bytes(b"PK")
    good = poster(tmp_path / "good.jpg", ["x"], size=(200, 100)).read_bytes()
    (tmp_path / "cut.jpg").write_bytes(good[: len(good) // 2])
    png_header_bomb(tmp_path / "bomb.png")
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(100, 100)
    w.encrypt("secret")
    with open(tmp_path / "locked.pdf", "wb") as fh:
        w.write(fh)
    (tmp_path / "cut.pdf").write_bytes(text_pdf(tmp_path / "t.pdf", "hello").read_bytes()[:60])
    monkeypatch.setattr(ex, "MAX_PART", 1024 * 1024)
    with zipfile.ZipFile(tmp_path / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>")
    got = {name: ex.extract(tmp_path / name, name.rsplit(".", 1)[1], ocr=False)
           for name in ["empty.txt", "broken.docx", "locked.docx", "notes.zip", "cut.jpg", "bomb.png", "locked.pdf",
                        "cut.pdf", "bomb.docx"]}
    assert {n: x.status for n, x in got.items()} == {
        "empty.txt": UNREADABLE, "broken.docx": UNREADABLE, "locked.docx": UNREADABLE, "notes.zip": NOT_READ,
        "cut.jpg": UNREADABLE, "bomb.png": UNREADABLE, "locked.pdf": UNREADABLE, "cut.pdf": UNREADABLE,
        "bomb.docx": UNREADABLE}
    assert "0 字节" in got["empty.txt"].reason and "加密" in got["locked.pdf"].reason
    assert "加密" in got["locked.docx"].reason and "解压炸弹" in got["bomb.png"].reason
    assert "压缩炸弹" in got["bomb.docx"].reason


def test_a_long_scanned_pdf_is_capped_and_the_cap_is_said(tmp_path, monkeypatch):
    monkeypatch.setattr(ex, "MAX_OCR_PAGES", 2)
    monkeypatch.setattr("pyaddin.adapters.materials.ocr.read_lines", lambda image: [])
    x = ex.extract(text_pdf(tmp_path / "scan.pdf", "", pages=2000), "pdf")
    assert x.pages == 2000 and x.no_text == ["第 1 页", "第 2 页"]
    assert x.notes == ["有 2000 页没有文字层，只对前 2 页做了文字识别（上限）"]
    skipped = ex.extract(tmp_path / "scan.pdf", "pdf", ocr=False)
    assert "--no-ocr" in skipped.notes[0] and not skipped.ocr_used


# ---------------------------------------------------------------- the whole run
@pytest.fixture(scope="session")
def case(tmp_path_factory):
    """One tracker row (微信, 快消, 9/1–9/30, no 最高奖金额) and its archive folder with every kind of file."""
    base = tmp_path_factory.mktemp("precheck")
    book = write_tracker(base / "台账.xlsx", [{}])
    folder = base / "archive" / "BA-1 秋季上新"
    (folder / "物料").mkdir(parents=True)
    office_docx(folder / "活动方案.docx")
    office_pptx(folder / "物料" / "创意提案.pptx")
    (folder / "物料" / "海报文案.txt").write_text("活动时间 10月1日-10月7日\n最高奖现金5000元\n", encoding="utf-8")
    text_pdf(folder / "营业执照.pdf", f"Code {OTHER_CODE}")
    poster(folder / "物料" / "海报.png", ["全网最低价", "转发朋友圈领取"])
    (folder / "空白.txt").write_bytes(b"")
    (folder / "视频.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    outside = base / "outside.txt"
    outside.write_text("最佳", encoding="utf-8")
    os.symlink(outside, folder / "链接.txt")
    return book, base / "archive"


def run(book, root, out, *more):
    return CliRunner().invoke(main, ["precheck", str(book), "--root", str(root), "--out", str(out), *TODAY, *more],
                              catch_exceptions=False)


@pytest.fixture(scope="session")
def first_run(case, tmp_path_factory):
    book, root = case
    out = tmp_path_factory.mktemp("out")
    result = run(book, root, out, "--json")
    return out, result


def test_the_command_finds_every_kind_of_problem_and_exits_1(first_run):
    out, result = first_run
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    codes = {(f["code"], f["file"]) for f in data["findings"]}
    assert ("copy-term", "BA-1 秋季上新/活动方案.docx") in codes
    assert ("copy-term", "BA-1 秋季上新/物料/海报.png") in codes  # read through OCR
    assert ("copy-term", "BA-1 秋季上新/物料/创意提案.pptx") in codes
    assert ("material-company-mismatch", "BA-1 秋季上新/活动方案.docx") in codes
    assert ("material-date-mismatch", "BA-1 秋季上新/物料/海报文案.txt") in codes
    assert ("material-prize-mismatch", "BA-1 秋季上新/物料/海报文案.txt") in codes
    assert ("material-unreadable", "BA-1 秋季上新/空白.txt") in codes
    assert ("material-not-read", "BA-1 秋季上新/视频.mp4") in codes
    assert ("archive-skipped", "BA-1 秋季上新/链接.txt") in codes
    licence = [f for f in data["findings"] if f["file"] == "BA-1 秋季上新/营业执照.pdf"]
    assert {(f["code"], f["severity"]) for f in licence} == {
        ("material-company-mismatch", "error"),  # another company's code on a licence
        ("material-format", "warning")}  # 微信 licence images only, 材料规格 row not verified for filings
    term = next(f for f in data["findings"] if f["file"].endswith("海报.png") and f["code"] == "copy-term")
    assert term["location"].startswith("图中第") and "【" in term["snippet"] and term["row"] == 2
    assert data["precheck"]["files"] == 7 and data["precheck"]["read"] == 7


def test_findings_xlsx_has_file_columns_and_one_precheck_row_per_file(first_run):
    out, _ = first_run
    findings = pd.read_excel(out / "findings.xlsx", sheet_name="校验结果")
    assert {"文件", "位置", "片段"} <= set(findings.columns)
    files = pd.read_excel(out / "findings.xlsx", sheet_name="材料预检")
    assert len(files) == 7
    poster_row = files[files["文件"].str.endswith("海报.png")].iloc[0]
    assert poster_row["文字识别"].startswith("是") and poster_row["最严重问题"] == "错误"
    assert poster_row["像素或页数"] == "720×480"


def test_a_rerun_over_unchanged_files_reads_nothing_and_reports_the_same(case, first_run):
    out, first = first_run
    book, root = case
    again = run(book, root, out, "--json")
    data = json.loads(again.stdout)
    assert data["precheck"]["read"] == 0 and data["precheck"]["from_cache"] == 7
    assert data["findings"] == json.loads(first.stdout)["findings"]


def test_no_ocr_skips_images_and_says_so(case, tmp_path):
    book, root = case
    result = run(book, root, tmp_path / "o", "--no-ocr", "--ids", "BA-1")
    assert "本次使用了 --no-ocr" in result.stdout
    data = json.loads(run(book, root, tmp_path / "o", "--no-ocr", "--json").stdout)
    poster_findings = [f["code"] for f in data["findings"] if (f["file"] or "").endswith("海报.png")]
    assert poster_findings == ["material-not-read"]
    assert next(f for f in data["precheck"]["files_detail"] if f["file"].endswith("海报.png"))["status"] == OCR_SKIPPED


def test_no_archive_root_is_exit_2_with_one_chinese_line(tmp_path):
    book = write_tracker(tmp_path / "t.xlsx", [{}])
    result = CliRunner().invoke(main, ["precheck", str(book), *TODAY])
    assert result.exit_code == 2 and "归档根目录" in result.output
