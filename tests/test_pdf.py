import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyaddin import documents
from pyaddin.adapters import pdf

CONTEXT = {
    "备案编号": "BA-009", "活动名称": "春节 A&B<C> 抽奖", "平台": "抖音", "备案入口": "巨量引擎", "创意形式": "H5、抽奖",
    "创意形式列表": ["H5", "抽奖"], "含H5": True, "含直播": False, "含抽奖": True, "行业": "快消",
    "主体名称": "杭州示例网络有限公司", "统一社会信用代码": "91330100MA2B3C4D5E", "负责人": "王五", "联系人": "张三",
    "联系电话": "13800138000", "联系邮箱": "a@example.com", "活动开始日期": "2026-01-20",
    "活动结束日期": "2026-02-05", "计划上线日期": "2026-01-18", "提交日期": None, "预算": 12000.0,
    "最高奖金额": 5000.0, "收集个人信息": "是", "敏感个人信息": "否", "敏感个人信息说明": "不收集敏感个人信息",
    "隐私政策链接": "https://example.com/p", "用户授权机制": "弹窗勾选", "备案号": None, "备注": None,
    "落款日期": "2026-01-05",
    "材料清单": [{"名称": "营业执照", "说明": "副本", "状态": "已备"}],
    "时间安排": [{"阶段": "活动开始", "日期": "2026-01-20", "说明": "开始"}],
}


def rendered(tmp_path: Path) -> list[Path]:
    out = []
    for kind in documents.KINDS.values():
        data, _ = documents.render(documents.load_template(documents.TEMPLATES_DIR / kind.template), CONTEXT)
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
    monkeypatch.setattr(pdf, "_word_windows", lambda: False)
    monkeypatch.setattr(pdf, "_word_mac", lambda: False)
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


def test_private_fontconfig_maps_windows_chinese_fonts(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf.sys, "platform", "linux")
    env = pdf._fontconfig(tmp_path)
    conf = Path(env["FONTCONFIG_FILE"]).read_text(encoding="utf-8")
    assert "<family>宋体</family><prefer><family>Noto Serif CJK SC</family>" in conf
    assert "<family>黑体</family><prefer><family>Noto Sans CJK SC</family>" in conf


def test_generate_with_pdf_indexes_both_formats(soffice, tmp_path):
    import openpyxl

    from pyaddin.adapters.files import read_book
    from pyaddin.context import build_context

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(["备案编号", "活动名称", "平台", "主体名称", "状态", "活动开始日期", "预算(元)"])
    ws.append(["BA-1", "测试活动", "微信", "示例公司", "草稿", "2025-11-01", 100.05])
    wb.save(tmp_path / "t.xlsx")
    from datetime import date

    ctx = build_context(read_book(tmp_path / "t.xlsx"), system_today=date(2025, 10, 1))
    result = documents.generate(ctx, out_dir=tmp_path / "out", pdf=True, kind="承诺书", force=True)
    assert sorted(p.name for p in result.written) == ["BA-1_微信_安全承诺书.docx", "BA-1_微信_安全承诺书.pdf"]
    assert [d.format for d in result.documents] == ["docx", "pdf"]
    assert all(len(d.sha256) == 64 for d in result.documents)
