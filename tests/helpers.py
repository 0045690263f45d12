"""Building small real workbooks in tmp_path for tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

CLEAN = {
    "备案编号": "BA-1", "活动名称": "秋季上新", "平台": "微信", "创意形式": "H5", "行业": "快消",
    "主体名称": "上海星河数字科技有限公司", "统一社会信用代码": "91310110666007217T", "联系电话": "13800138000",
    "联系邮箱": "a@b.com", "活动开始日期": date(2026, 9, 1), "活动结束日期": date(2026, 9, 30),
    "计划上线日期": date(2026, 9, 1), "收集个人信息": "否", "提交日期": date(2026, 8, 17), "状态": "已通过",
    "备案号": "WX2026110001", "通过日期": date(2026, 8, 26), "归档状态": "是",
    "营业执照": "是", "活动方案": "是", "创意物料": "是", "安全承诺书": "是",
    "ICP备案证明": "是",  # ICP-01: an H5 on every platform needs it (issue 23)
}


def write_tracker(path: Path, rows: list[dict], *, headers: list[str] | None = None, title: str | None = None,
                  sheet: str = "备案台账", extra_sheets: dict[str, list[list]] | None = None) -> Path:
    """A tracker whose rows override CLEAN; returns the path. Header on row 1 (or 2 with a title)."""
    headers = headers or list(CLEAN)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(headers)
    for r in rows:
        merged = {**CLEAN, **r}
        ws.append([merged.get(h) for h in headers])
    for name, data in (extra_sheets or {}).items():
        s = wb.create_sheet(name)
        for line in data:
            s.append(line)
    wb.save(path)
    return path


def index_archive(ctx, root, out, **options):
    """The archive action's result with the files it wrote (`written`, `bags`) for assertions."""
    from pyaddin.actions import archive

    outcome = archive.run(ctx, out_dir=out, root=root, **options)
    result = outcome.data
    result.written = [p for p in outcome.written if p.parent.name != "bags"]
    result.bags = [p for p in outcome.written if p.parent.name == "bags"]
    return result


def ooxml_findings(path: Path) -> list[str]:
    """What the independent OOXML validator (openxml-audit, a dev dependency) reports on a
    .docx/.xlsx/.xlsm: schema, package and semantic findings, one line each."""
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator(max_errors=1000).validate(Path(path))
    return [str(e) for e in result.errors]


def assert_valid_ooxml(path: Path) -> None:
    """Zero findings from openxml-audit: Word/Excel will open the file without offering a repair."""
    findings = ooxml_findings(path)
    assert findings == [], f"{Path(path).name}: {len(findings)} OOXML finding(s):\n" + "\n".join(findings[:20])


def docx_text(path: Path) -> str:
    """Everything a reader sees in a .docx, read back with python-docx: body paragraphs, table
    cells and the section headers, one per line."""
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for r in table.rows:
            parts.extend(c.text for c in r.cells)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)

