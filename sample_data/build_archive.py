"""Build `sample_data/archive/` (a small compliance archive) and its answer key `archive_answer_key.csv`.

The archive holds real, openable files (a minimal valid PDF, JPEG/PNG images drawn with
matplotlib, DOCX written with python-docx) for four approved filings of the sample tracker, plus
the situations an index must report:

- BA-2026-0001: complete; a creative file classified by its folder (创意物料/主视觉_v1.jpg), and one
  file that matches no material (会议纪要.txt → 未归类文件);
- ba-2026-0006_品牌周年庆_快手: lower-case ID and `_` separator still match; complete;
- BA-2026-0010-国庆出游-B站: the business licence saved as .docx, which the 材料 catalogue does not
  accept for 营业执照 (pdf/jpg/jpeg/png) → 格式不符;
- BA-2026-0022 门店焕新 微信: a lottery without its 抽奖规则 → 缺失;
- BA-2025-0999 旧活动 微信: a folder whose ID is not in the tracker → 孤立文件夹.

The answer key is written below from what each folder is meant to show and from the default
平台规则 table read by hand (BASE-01..04 for every row, PI-03 隐私政策 when 收集个人信息 is 是, LOT-01
抽奖规则 for 抽奖, AD-04 风险提示 for 金融, LIVE-01 直播脚本 for 直播), never by running the indexer.
Run: `uv run python sample_data/build_archive.py`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARCHIVE = HERE / "archive"
ANSWER_KEY = HERE / "archive_answer_key.csv"
MTIME = datetime(2026, 9, 1, 10, 0).timestamp()
"""Every file gets this modification time, so the index looks the same after each rebuild."""


def pdf(title: str) -> bytes:
    """A minimal valid one-page PDF (catalog, pages, page, font, content stream, correct xref)."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def image(label: str, fmt: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
    ax.bar(["A", "B", "C"], [3, 5, 2], color=["#c0392b", "#2980b9", "#27ae60"])
    ax.set_title(label)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata=None if fmt == "jpg" else {"Software": None})
    plt.close(fig)
    return buf.getvalue()


def docx(title: str, paragraphs: list[str]) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.created = datetime(2026, 8, 1)
    doc.core_properties.modified = datetime(2026, 8, 1)
    doc.core_properties.author = "beian sample"
    doc.add_heading(title, level=1)
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# folder → [(relative file path, bytes factory)]
FOLDERS = {
    "BA-2026-0001 秋季新品上市 微信": [
        ("营业执照.pdf", lambda: pdf("Business licence - Shanghai Xinghe Digital (sample)")),
        ("活动方案.docx", lambda: docx("营销活动方案", ["活动名称：秋季新品上市", "平台：微信", "预算：¥120,000.00"])),
        ("创意物料/主视觉_v1.jpg", lambda: image("Key visual v1", "jpg")),
        ("隐私政策.pdf", lambda: pdf("Privacy policy (sample)")),
        ("安全承诺书.pdf", lambda: pdf("Security commitment letter, stamped (sample)")),
        ("会议纪要.txt", lambda: "2026-08-20 会议纪要：确认上线时间。\n".encode()),
    ],
    "ba-2026-0006_品牌周年庆_快手": [
        ("营业执照.jpg", lambda: image("Business licence", "jpg")),
        ("活动方案.pdf", lambda: pdf("Campaign plan - brand anniversary (sample)")),
        ("海报.png", lambda: image("Poster", "png")),
        ("安全承诺书.docx", lambda: docx("安全承诺书", ["本公司承诺遵守平台规则与相关法律法规。"])),
        ("风险提示.pdf", lambda: pdf("Risk notice: investment involves risk (sample)")),
        ("直播脚本.docx", lambda: docx("直播脚本", ["19:00 开场", "19:10 产品介绍（附风险提示）"])),
    ],
    "BA-2026-0010-国庆出游-B站": [
        ("营业执照.docx", lambda: docx("营业执照（误存为 Word）", ["应提交扫描件 PDF 或图片。"])),
        ("活动方案.docx", lambda: docx("营销活动方案", ["活动名称：国庆出游", "平台：B站"])),
        ("物料/短视频封面.png", lambda: image("Video cover", "png")),
        ("隐私政策.pdf", lambda: pdf("Privacy policy (sample)")),
        ("安全承诺书.pdf", lambda: pdf("Security commitment letter (sample)")),
    ],
    "BA-2026-0022 门店焕新 微信": [
        ("营业执照.pdf", lambda: pdf("Business licence (sample)")),
        ("活动方案.docx", lambda: docx("营销活动方案", ["活动名称：门店焕新", "形式：抽奖"])),
        ("海报.jpg", lambda: image("Lottery poster", "jpg")),
        ("安全承诺书.pdf", lambda: pdf("Security commitment letter (sample)")),
    ],
    "BA-2025-0999 旧活动 微信": [
        ("营业执照.pdf", lambda: pdf("Business licence, 2025 campaign (sample)")),
    ],
}

# The answer key, by intent: 表, 备案编号, 材料, 是否找到, 文件路径 (relative to the archive root).
F1, F6, F10, F22 = list(FOLDERS)[:4]
ANSWERS = [
    ("归档索引", "BA-2026-0001", "营业执照", "找到", f"{F1}/营业执照.pdf"),
    ("归档索引", "BA-2026-0001", "活动方案", "找到", f"{F1}/活动方案.docx"),
    ("归档索引", "BA-2026-0001", "创意物料", "找到", f"{F1}/创意物料/主视觉_v1.jpg"),
    ("归档索引", "BA-2026-0001", "隐私政策", "找到", f"{F1}/隐私政策.pdf"),
    ("归档索引", "BA-2026-0001", "安全承诺书", "找到", f"{F1}/安全承诺书.pdf"),
    ("归档索引", "BA-2026-0001", "ICP备案证明", "缺失", ""),  # ICP-01: an H5 on every platform (issue 23)
    ("归档索引", "BA-2026-0006", "营业执照", "找到", f"{F6}/营业执照.jpg"),
    ("归档索引", "BA-2026-0006", "活动方案", "找到", f"{F6}/活动方案.pdf"),
    ("归档索引", "BA-2026-0006", "创意物料", "找到", f"{F6}/海报.png"),
    ("归档索引", "BA-2026-0006", "安全承诺书", "找到", f"{F6}/安全承诺书.docx"),
    ("归档索引", "BA-2026-0006", "风险提示", "找到", f"{F6}/风险提示.pdf"),
    ("归档索引", "BA-2026-0006", "直播脚本", "找到", f"{F6}/直播脚本.docx"),
    ("归档索引", "BA-2026-0010", "营业执照", "格式不符", f"{F10}/营业执照.docx"),
    ("归档索引", "BA-2026-0010", "活动方案", "找到", f"{F10}/活动方案.docx"),
    ("归档索引", "BA-2026-0010", "创意物料", "找到", f"{F10}/物料/短视频封面.png"),
    ("归档索引", "BA-2026-0010", "隐私政策", "找到", f"{F10}/隐私政策.pdf"),
    ("归档索引", "BA-2026-0010", "安全承诺书", "找到", f"{F10}/安全承诺书.pdf"),
    ("归档索引", "BA-2026-0022", "营业执照", "找到", f"{F22}/营业执照.pdf"),
    ("归档索引", "BA-2026-0022", "活动方案", "找到", f"{F22}/活动方案.docx"),
    ("归档索引", "BA-2026-0022", "创意物料", "找到", f"{F22}/海报.jpg"),
    ("归档索引", "BA-2026-0022", "安全承诺书", "找到", f"{F22}/安全承诺书.pdf"),
    ("归档索引", "BA-2026-0022", "抽奖规则", "缺失", ""),
    ("孤立文件夹", "BA-2025-0999", "", "", "BA-2025-0999 旧活动 微信"),
    ("未归类文件", "BA-2026-0001", "", "", f"{F1}/会议纪要.txt"),
]


def build() -> None:
    if ARCHIVE.exists():
        shutil.rmtree(ARCHIVE)
    for folder, files in FOLDERS.items():
        for rel, make in files:
            path = ARCHIVE / folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(make())
            os.utime(path, (MTIME, MTIME))
    with ANSWER_KEY.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["表", "备案编号", "材料", "是否找到", "文件路径"])
        w.writerows(ANSWERS)
    print(f"wrote {ARCHIVE} ({sum(len(v) for v in FOLDERS.values())} files) and {ANSWER_KEY.name}")


if __name__ == "__main__":
    build()
