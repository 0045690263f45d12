"""The weekly report as it is forwarded and printed: Markdown fit to paste into 企业微信/钉钉/飞书,
a workbook whose charts are never cut by a page break, working days as the one unit of days."""

from __future__ import annotations

import re
import zipfile
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import CLEAN, write_tracker

from pyaddin.adapters.report_md import MAX_ERRORS
from pyaddin.cli.main import main

N_LATE = MAX_ERRORS + 5


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("weekly")
    late = [{"备案编号": f"BA-{i:03d}", "活动名称": f"双十一预热 联系13812345{i:03d}"[:30], "负责人": f"负责人{i}",
             "状态": "审核中", "提交日期": date(2026, 11, 2), "计划上线日期": date(2026, 11, 10),
             "活动开始日期": date(2026, 11, 10), "活动结束日期": date(2026, 11, 30),
             "备案号": None, "通过日期": None, "归档状态": "否"} for i in range(N_LATE)]
    approved = [{"备案编号": f"OK-{i}", "备案号": f"WX20261100{i:02d}", "负责人": "韩梅梅"} for i in range(3)]
    tracker = write_tracker(folder / "台账.xlsx", late + approved, headers=[*CLEAN, "负责人"])
    out = folder / "out"
    result = CliRunner().invoke(main, ["report", str(tracker), "--today", "2026-11-20", "--out", str(out)])
    assert result.exit_code == 0, result.output
    md = next(out.glob("周报_*.md")).read_text(encoding="utf-8")
    return md, next(out.glob("周报_*.xlsx"))


def action_lines(md: str) -> list[str]:
    section = md.split("## 需要处理", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("- ")]


def test_markdown_has_no_relative_links(outputs):
    md, _ = outputs
    for target in re.findall(r"\]\(([^)]*)\)", md):
        assert re.match(r"https?://", target), target


def test_markdown_lists_each_filing_once_with_its_owner(outputs):
    md, _ = outputs
    ids = [re.search(r"BA-\d{3}", line).group(0) for line in action_lines(md) if "BA-" in line]
    assert ids and len(ids) == len(set(ids))
    for line in action_lines(md):
        if "BA-" in line:
            n = int(re.search(r"BA-(\d{3})", line).group(1))
            assert f"负责人 负责人{n}" in line
            assert "未通过即上线" in line and "审核超期" in line  # both reasons on the one line


def test_markdown_lists_every_error_up_to_the_cap_then_counts_the_rest(outputs):
    md, _ = outputs
    lines = action_lines(md)
    errors = [line for line in lines if line.startswith("- **错误**")]
    assert len(errors) == MAX_ERRORS
    assert any(f"另有 {N_LATE - MAX_ERRORS} 项错误" in line for line in lines)


def test_markdown_has_no_boilerplate_and_masking_holds(outputs):
    md, _ = outputs
    assert "完整数据见" not in md.splitlines()[-1]
    assert not re.search(r"1[3-9]\d{9}", md)
    assert "138****" in md


def test_weekly_workbook_charts_never_cross_a_page_break(outputs):
    _, xlsx = outputs
    with zipfile.ZipFile(xlsx) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        drawing = z.read("xl/drawings/drawing1.xml").decode("utf-8")
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', sheet)]
    spans = [(int(a), int(b)) for a, b in re.findall(
        r"<xdr:from><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>.*?"
        r"<xdr:to><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>", drawing, re.S)]
    assert len(spans) == 3 and breaks
    for top, bottom in spans:
        assert not any(top < b <= bottom for b in breaks), (top, bottom, breaks)


def test_weekly_workbook_counts_days_in_working_days_only(outputs):
    _, xlsx = outputs
    with zipfile.ZipFile(xlsx) as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "剩余天数" not in text and "剩余工作日" in text
