"""Build `sample_data/materials/` (creatives of three open filings, for `beian precheck`) and its
answer key `precheck_answer_key.csv`.

A separate archive root from `archive/` (whose filings are all closed as of the sample's 今天 and
whose index has its own answer key): the pre-check looks at open filings by default, and these
three are open on 2026-11-20. Posters and the scanned licence are drawn with a real CJK font
(Noto Sans CJK, installed with fonts-noto-cjk) so that OCR reads them as it would a real file.

Each file carries problems on purpose; the answer key below lists, per file, the findings the
intent implies (written by hand from the 用语库 and the rows, never by running beian):
- BA-2026-0092 (微信, 快消, 2026-11-18–12-18, no 最高奖金额): a poster with an absolute price claim,
  微信 share-for-reward wording, a date range ending after the activity and a cash prize on a row
  without one; copy naming a co-organiser; a scanned licence of another company (name and code),
  saved as PDF where 微信's licence spec (unverified for filings) lists images only.
- BA-2026-0040 (天猫, 保健食品, 最高奖金额 5000): a live script claiming disease prevention and that
  it replaces medicine, and a first prize above the limit; copy in traditional characters with a
  sales-rank claim; an empty poster file and a video nobody reads.
- BA-2026-0098 (B站, 教育): a course poster promising exam results.
Run: `uv run python sample_data/build_materials.py`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "materials"
ANSWER_KEY = HERE / "precheck_answer_key.csv"
MTIME = datetime(2026, 11, 15, 10, 0).timestamp()
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


def poster(lines: list[str], size=(1080, 1920), fmt="PNG", font_size=72) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("RGB", size, (255, 250, 240))
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, font_size)
    for i, line in enumerate(lines):
        draw.text((70, 260 + i * int(font_size * 2.2)), line, font=font, fill=(40, 20, 20))
    buf = io.BytesIO()
    im.save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def scanned_pdf(lines: list[str]) -> bytes:
    """A page that is only an image (no text layer), as a scanner makes it."""
    from PIL import Image

    im = Image.open(io.BytesIO(poster(lines, size=(1240, 1754), font_size=48)))
    buf = io.BytesIO()
    im.save(buf, format="PDF", resolution=150)
    return buf.getvalue()


def docx(paragraphs: list[str], header: str | None = None) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.created = datetime(2026, 11, 1)
    doc.core_properties.modified = datetime(2026, 11, 1)
    doc.core_properties.author = "beian sample"
    for p in paragraphs:
        doc.add_paragraph(p)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pptx(slides: list[tuple[str, str]]) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.core_properties.created = datetime(2026, 11, 1)
    prs.core_properties.modified = datetime(2026, 11, 1)
    for text, notes in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        slide.shapes.add_textbox(Inches(1), Inches(1), Inches(8), Inches(1)).text_frame.text = text
        slide.notes_slide.notes_text_frame.text = notes
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


F92, F40, F98 = "BA-2026-0092 会员日 微信", "BA-2026-0040 年货节 天猫", "BA-2026-0098 寒假课 B站"
FOLDERS = {
    F92: [
        ("海报.png", lambda: poster(["双12会员日", "全网最低价", "转发朋友圈领取红包", "活动时间12月12日-12月25日",
                                    "最高奖现金5000元"])),
        ("活动文案.docx", lambda: docx(["冬季会员日，精选好物限时优惠。", "本品是同类产品中的最佳选择。",
                                        "联合主办：杭州禾美生物科技有限公司"], header="上海星河数字科技有限公司")),
        ("营业执照.pdf", lambda: scanned_pdf(["营业执照", "名称 深圳快启电子商务有限公司",
                                             "统一社会信用代码 91440300MA5FGH789R", "类型 有限责任公司"])),
    ],
    F40: [
        ("直播脚本.pptx", lambda: pptx([("开场：年货节直播开始", "主播介绍活动规则"),
                                        ("本品增强体质，预防疾病", "话术：可以替代药物，天天吃"),
                                        ("抽奖：一等奖价值8888元的年货礼盒", "中奖名单直播间公布")])),
        ("宣传文案.txt", lambda: "年貨節好評如潮，全網銷量第一！\n活动时间：2027.01.08-2027.01.31\n".encode()),
        ("海报_v2.jpg", lambda: b""),
        ("宣传视频.mp4", lambda: b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"),
    ],
    F98: [
        ("课程海报.jpg", lambda: poster(["寒假冲刺班", "名师押题 保过班", "12月20日开课"], fmt="JPEG")),
    ],
}

# 备案编号, 文件 (relative to the root), 代码, 级别, 说明 — by intent
ANSWERS = [
    ("BA-2026-0092", f"{F92}/海报.png", "copy-term", "warning", "全网最低价：绝对化用语"),
    ("BA-2026-0092", f"{F92}/海报.png", "copy-term", "error", "转发朋友圈：微信诱导分享"),
    ("BA-2026-0092", f"{F92}/海报.png", "material-date-mismatch", "warning", "12月25日晚于活动结束 12月18日"),
    ("BA-2026-0092", f"{F92}/海报.png", "material-prize-mismatch", "error", "现金5000元，台账没有最高奖金额"),
    ("BA-2026-0092", f"{F92}/活动文案.docx", "copy-term", "error", "最佳：《广告法》第9条"),
    ("BA-2026-0092", f"{F92}/活动文案.docx", "material-company-mismatch", "warning", "联合主办的另一家公司"),
    ("BA-2026-0092", f"{F92}/营业执照.pdf", "material-company-mismatch", "error", "执照上的公司名称不是主体"),
    ("BA-2026-0092", f"{F92}/营业执照.pdf", "material-company-mismatch", "error", "执照上的信用代码不是主体的"),
    ("BA-2026-0092", f"{F92}/营业执照.pdf", "material-format", "warning", "微信证照规格只列图片（未核实）"),
    ("BA-2026-0040", f"{F40}/直播脚本.pptx", "copy-term", "error", "预防疾病：保健食品第18条"),
    ("BA-2026-0040", f"{F40}/直播脚本.pptx", "copy-term", "error", "替代药物：保健食品第18条"),
    ("BA-2026-0040", f"{F40}/直播脚本.pptx", "material-prize-mismatch", "error", "8888 元超过最高奖金额 5000"),
    ("BA-2026-0040", f"{F40}/宣传文案.txt", "copy-term", "warning", "銷量第一（繁体）：绝对化用语"),
    ("BA-2026-0040", f"{F40}/海报_v2.jpg", "material-unreadable", "error", "0 字节"),
    ("BA-2026-0040", f"{F40}/宣传视频.mp4", "material-not-read", "info", "视频不读取"),
    ("BA-2026-0098", f"{F98}/课程海报.jpg", "copy-term", "error", "押题：教育承诺"),
    ("BA-2026-0098", f"{F98}/课程海报.jpg", "copy-term", "error", "保过：教育承诺"),
]


def build() -> None:
    if ROOT.exists():
        shutil.rmtree(ROOT)
    for folder, files in FOLDERS.items():
        for rel, make in files:
            path = ROOT / folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(make())
            os.utime(path, (MTIME, MTIME))
    with ANSWER_KEY.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["备案编号", "文件", "代码", "级别", "说明"])
        w.writerows(ANSWERS)
    print(f"wrote {ROOT} ({sum(len(v) for v in FOLDERS.values())} files) and {ANSWER_KEY.name}")


if __name__ == "__main__":
    build()
