"""The files `beian report` writes: workbook with native charts, masked Markdown, PNG, PDF render."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import require_tool
from defusedxml import ElementTree
from helpers import write_tracker

import pyaddin.cli.commands.report  # noqa: F401  (registers the command on the group)
from pyaddin import open_workbook as load
from pyaddin.adapters.history import load_history
from pyaddin.adapters.report_md import mask, md_text
from pyaddin.adapters.report_png import cjk_font
from pyaddin.adapters.weekly_files import write_outputs
from pyaddin.cli.main import main
from pyaddin.reports.weekly import build_report

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "备案台账示例.xlsx"
NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
PHONE, EMAIL = "13912345678", "zhang.wei@example.com"


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    report = build_report(load(SAMPLE), history=load_history(out / "history"))
    return report, write_outputs(report, out)


def charts(path: Path) -> dict[str, dict]:
    """Chart kind → {'refs': [every <c:f> formula], 'grouping': …}, read from the chart XML."""
    found = {}
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            root = ElementTree.fromstring(z.read(name))
            plot = root.find("c:chart/c:plotArea", NS)
            if plot.find("c:lineChart", NS) is not None:
                kind = "line"
            else:
                bar = plot.find("c:barChart", NS)
                kind = "column" if bar.find("c:barDir", NS).get("val") == "col" else "bar"
                grouping = bar.find("c:grouping", NS).get("val")
            found[kind] = {"refs": [f.text for f in root.iter(f"{{{NS['c']}}}f")],
                           "grouping": grouping if kind != "line" else None}
    return found


def charts_on_sheet(path: Path, sheet: str) -> int:
    """Charts anchored on one sheet, followed through the package relationships (sheet → drawing → chart)."""
    rel_ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    doc_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

    def targets(z: zipfile.ZipFile, part: str, kind: str) -> list[str]:
        folder, name = part.rsplit("/", 1)
        rels = f"{folder}/_rels/{name}.rels"
        if rels not in z.namelist():
            return []
        root = ElementTree.fromstring(z.read(rels))
        return [_join(folder, r.get("Target")) for r in root.iter(f"{rel_ns}Relationship")
                if r.get("Type").endswith("/" + kind)]

    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        by_id = {r.get("Id"): _join("xl", r.get("Target")) for r in rels.iter(f"{rel_ns}Relationship")}
        part = next(by_id[s.get(doc_rel)] for s in book.iter() if s.tag.endswith("}sheet") and s.get("name") == sheet)
        return sum(len(targets(z, drawing, "chart")) for drawing in targets(z, part, "drawing"))


def _join(folder: str, target: str) -> str:
    """A relationship target resolved against the folder of the part that names it."""
    parts = [] if target.startswith("/") else folder.split("/")
    for p in target.lstrip("/").split("/"):
        if p == "..":
            parts.pop()
        elif p != ".":
            parts.append(p)
    return "/".join(parts)


def test_workbook_reopens_with_the_expected_sheets_and_three_charts_on_the_summary(sample_out):
    report, written = sample_out
    xlsx = next(p for p in written if p.suffix == ".xlsx")
    assert xlsx.name == "周报_2026-W47.xlsx"
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["摘要", "平台×状态", "新备案号", "本周动态", "审核用时", "逾期与风险", "资质到期",
                             "临近上线", "周环比", "趋势", "驳回分析"]
    assert charts_on_sheet(xlsx, "摘要") == 3
    assert wb["摘要"]["A1"].value == "备案周报 2026-W47（2026-11-16 至 2026-11-22）"
    figures = {wb["摘要"].cell(r, 1).value: wb["摘要"].cell(r, 2).value for r in range(5, 20)}
    assert figures["本周提交"] == report.counts["提交"] == 26
    assert figures["累计通过率"] == pytest.approx(report.approval_rate_total)
    # crosstab sheet: platforms down, statuses across, totals last
    ws = wb["平台×状态"]
    statuses = [ws.cell(1, c).value for c in range(2, ws.max_column + 1)]
    assert statuses[-1] == "合计" and statuses[:-1] == list(report.by_platform_status.columns)
    assert ws.cell(ws.max_row, 1).value == "合计" and ws.cell(ws.max_row, ws.max_column).value == report.rows


def test_charts_point_at_the_data_ranges(sample_out):
    report, written = sample_out
    found = charts(next(p for p in written if p.suffix == ".xlsx"))
    n_p, n_s = report.by_platform_status.shape
    col = found["column"]
    assert col["grouping"] == "stacked"
    letters = "BCDEFGHIJ"
    expected = []
    for i in range(n_s):
        expected += [f"'平台×状态'!${letters[i]}$1", f"'平台×状态'!$A$2:$A${n_p + 1}",
                     f"'平台×状态'!${letters[i]}$2:${letters[i]}${n_p + 1}"]
    assert col["refs"] == expected  # the 合计 row and column are never plotted
    assert found["line"]["refs"] == ["趋势!$B$1", "趋势!$A$2:$A$9", "趋势!$B$2:$B$9",
                                     "趋势!$C$1", "趋势!$A$2:$A$9", "趋势!$C$2:$C$9"]
    n_r = len(report.review_time)
    assert found["bar"]["refs"] == ["审核用时!$C$1", f"审核用时!$A$2:$A${n_r + 1}", f"审核用时!$C$2:$C${n_r + 1}",
                                    "审核用时!$D$1", f"审核用时!$A$2:$A${n_r + 1}", f"审核用时!$D$2:$D${n_r + 1}"]
    wb = openpyxl.load_workbook(next(p for p in written if p.suffix == ".xlsx"))
    assert [wb["审核用时"].cell(1, c).value for c in (1, 3, 4)] == ["平台", "中位数", "P90"]
    assert wb["趋势"]["A9"].value == "2026-W47"


def test_sample_markdown_is_short_and_writes_the_png_beside_it_without_linking_it(sample_out):
    _, written = sample_out
    md = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    assert len(md.splitlines()) <= 40
    assert md.startswith("# 备案周报 2026-W47")
    assert "本周为首份周报，无上周数据可比。" in md
    png = [p for p in written if p.suffix == ".png"]
    if cjk_font() is not None:
        assert png and png[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "](" not in md  # a relative link does not survive a paste into 企业微信/钉钉/飞书
    assert "13800138000" not in md and "li.na@" not in md


def personal_tracker(tmp_path: Path, n_extra: int = 0) -> Path:
    rows = [
        {"备案编号": "P1", "活动名称": f"联系{PHONE}领券|{EMAIL}", "平台": "微信", "状态": "已通过",
         "提交日期": date(2026, 11, 10), "通过日期": date(2026, 11, 18), "备案号": "WX2026110301"},
        {"备案编号": "P2", "活动名称": "=HYPERLINK(\"http://evil\")", "平台": "抖音", "状态": "需补充",
         "提交日期": date(2026, 11, 10), "反馈日期": date(2026, 11, 17),
         "审核意见": f"请联系 021-61234567 或 {PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}，邮件 {EMAIL}", "备案号": None,
         "通过日期": None},
        {"备案编号": "P3", "活动名称": "驳回活动", "平台": "快手", "状态": "已驳回", "提交日期": date(2026, 11, 10),
         "反馈日期": date(2026, 11, 19), "审核意见": f"身份证 11010119900307123X 与 {EMAIL.upper()} 不符",
         "备案号": None, "通过日期": None},
    ]
    rows += [{"备案编号": f"Q{i}", "活动名称": f"批量{i}", "平台": "微信", "状态": "已通过",
              "提交日期": date(2026, 11, 10), "通过日期": date(2026, 11, 17), "备案号": f"WX20261104{i:02d}"}
             for i in range(n_extra)]
    headers = ["备案编号", "活动名称", "平台", "主体名称", "状态", "提交日期", "反馈日期", "审核意见", "通过日期", "备案号",
               "联系电话", "联系邮箱"]
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=headers)
    wb = openpyxl.load_workbook(path)
    wb["备案台账"]["B3"].value = "=HYPERLINK(\"http://evil\")"
    wb["备案台账"]["B3"].data_type = "s"  # typed text, not a formula
    wb.save(path)
    return path


def test_markdown_masks_phones_emails_and_ids_wherever_they_appear(tmp_path):
    report = build_report(load(personal_tracker(tmp_path), today=date(2026, 11, 20)))
    written = write_outputs(report, tmp_path / "out")
    md = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    digits = re.sub(r"\D", "", md)
    assert PHONE not in digits and "61234567" not in digits and "19900307" not in digits
    assert EMAIL not in md and EMAIL.upper() not in md and "zhang.wei" not in md.lower()
    assert "139****5678" in md and "z\\*\\*\\*@example.com" not in md and "z***@example.com" in md
    assert "021-****4567" in md and "110101***********X" in md
    # table cell with a `|` stays one cell; formula-like text is neutralised
    row = next(line for line in md.splitlines() if line.startswith("| P1 "))
    assert row.count(" | ") == 3 and "\\|" in row
    assert "'=HYPERLINK" in md


def test_workbook_keeps_formula_like_text_as_text(tmp_path):
    report = build_report(load(personal_tracker(tmp_path), today=date(2026, 11, 20)))
    written = write_outputs(report, tmp_path / "out")
    wb = openpyxl.load_workbook(next(p for p in written if p.suffix == ".xlsx"))
    ws = wb["本周动态"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("=") for c in cells)


def test_markdown_stays_about_forty_lines_with_many_announcements(tmp_path):
    report = build_report(load(personal_tracker(tmp_path, n_extra=30), today=date(2026, 11, 20)))
    assert len(report.announcements) == 31
    written = write_outputs(report, tmp_path / "out")
    md = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    assert len(md.splitlines()) <= 40
    assert "共 31 条" in md


@pytest.mark.parametrize("text,expected", [
    ("13800138000", "138****8000"), ("+86 138 0013 8000", "138****8000"), ("l@example.com", "l***@example.com"),
    ("WX2026110001 SQ202600001 2026-11-20 ¥12,000", "WX2026110001 SQ202600001 2026-11-20 ¥12,000"),
])
def test_mask_hides_personal_data_and_leaves_filing_numbers(text, expected):
    assert mask(text) == expected


def test_md_text_escapes_markdown_but_not_the_mask():
    assert md_text("*粗体* [链接](x) 13800138000") == "\\*粗体\\* \\[链接\\](x) 138****8000"
    assert md_text("@所有人") == "'@所有人"


def test_cli_writes_the_outputs_and_json(tmp_path):
    out = tmp_path / "out"
    sample = tmp_path / SAMPLE.name  # a copy: the week's snapshot goes into the workbook's own history
    shutil.copy2(SAMPLE, sample)
    result = CliRunner().invoke(main, ["report", str(sample), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    import json

    payload = json.loads(result.output)
    assert payload["command"] == "report" and payload["week"] == "2026-W47" and payload["rows"] == 129
    assert payload["counts"]["提交"] == 26
    assert (out / "周报_2026-W47.xlsx").exists() and (tmp_path / "beian-out" / "history" / "2026-W47.csv").exists()
    bad = CliRunner().invoke(main, ["report", str(sample), "--out", str(out), "--week", "2026-W99"])
    assert bad.exit_code == 2 and "2026-W48" in bad.output


def test_report_xlsx_converts_to_pdf_with_libreoffice(sample_out, soffice, tmp_path):
    pdftoppm = require_tool("pdftoppm")
    _, written = sample_out
    xlsx = next(p for p in written if p.suffix == ".xlsx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (xlsx.stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run([pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 5000  # a rendered page with charts, not a blank sheet


def test_chart_font_opens_the_simplified_chinese_face_of_the_noto_collection():
    from matplotlib import font_manager, ft2font

    font = cjk_font()
    if font is None:
        pytest.skip("no Simplified Chinese font installed")
    path = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    face = ft2font.FT2Font(path, face_index=getattr(path, "face_index", 0))
    assert face.family_name == font  # the face itself, not face 0 of its collection file
    assert not any(tag in face.family_name for tag in ("JP", "KR", "TC", "HK"))


def test_a_japanese_face_alone_is_never_used_for_chinese_labels(monkeypatch):
    from matplotlib import font_manager

    jp = [f for f in font_manager.fontManager.ttflist if f.name in ("Noto Sans CJK JP", "Noto Serif CJK JP")]
    if not jp:
        jp = [font_manager.FontEntry(fname="NotoSansCJK-Regular.ttc", index=0, name="Noto Sans CJK JP")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", jp)
    assert cjk_font() is None  # JP glyph forms (直, 骨, 角) would be wrong in a Chinese chart: no picture


def test_report_xlsx_shows_rates_as_percent_wraps_long_text_and_lists_each_filing_once(sample_out):
    _, written = sample_out
    wb = openpyxl.load_workbook(next(p for p in written if p.suffix == ".xlsx"))
    rej = wb["驳回分析"]
    col = next(c.column for c in rej[2] if c.value == "一次通过率")
    rates = [rej.cell(r, col) for r in range(3, rej.max_row + 1) if isinstance(rej.cell(r, col).value, float)]
    assert rates and all(c.number_format.endswith("%") for c in rates)  # 75.0%, not 0.8
    acts = wb["逾期与风险"]
    note = next(c.column for c in acts[1] if c.value == "说明")
    long = [acts.cell(r, note) for r in range(2, acts.max_row + 1) if len(str(acts.cell(r, note).value or "")) > 40]
    assert long and all(c.alignment.wrap_text for c in long)
    assert all((acts.row_dimensions[c.row].height or 15) >= 30 for c in long)  # two lines at least, not cut
    act = wb["本周动态"]
    rows = [act.cell(r, 2).value for r in range(2, act.max_row + 1) if isinstance(act.cell(r, 2).value, int)]
    assert len(rows) == len(set(rows)) == 27
