"""findings.xlsx as a person uses it: columns in working order, links that open the right file and
cell, a page setup that prints, 运行信息 that traces the run, and Excel's hyperlink limit respected."""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import CLEAN, write_tracker
from python_calamine import CalamineWorkbook

from pyaddin.adapters.findings_xlsx import MAX_LINKS, write_findings
from pyaddin.cli.main import main
from pyaddin.run.findings import Finding, Report, codes

HEADER = ["级别", "备案编号", "活动名称", "负责人", "问题", "说明", "到期日", "剩余工作日", "单元格", "代码"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


@pytest.fixture
def run(tmp_path):
    tracker = write_tracker(tmp_path / "台账.xlsx", [
        {"备案编号": "BA-1", "活动名称": None, "负责人": "李雷"},
        {"备案编号": "BA-2", "状态": "审核中", "备案号": None, "通过日期": None, "提交日期": date(2026, 11, 2),
         "负责人": "韩梅梅", "活动结束日期": date(2026, 12, 31)},  # still running: its deadlines stand
    ], headers=[*CLEAN, "负责人"])
    out = tmp_path / "结果"
    result = invoke("check", tracker, "--today", "2026-11-20", "--out", out)
    assert result.exit_code == 1, result.output
    return tracker, out / "findings.xlsx", result


def test_columns_follow_the_order_a_person_works_with_owner_and_chinese_problem(run):
    _, path, _ = run
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["校验结果", "到期提醒", "运行信息"]
    rows = list(wb["校验结果"].iter_rows(values_only=True))
    assert list(rows[0][:10]) == HEADER
    record = dict(zip(rows[0], rows[1], strict=False))
    assert (record["级别"], record["备案编号"], record["负责人"], record["代码"]) == ("错误", "BA-1", "李雷", "missing-value")
    assert record["问题"] == codes()["missing-value"].title
    due = [dict(zip(rows[0], r, strict=False)) for r in wb["到期提醒"].iter_rows(min_row=2, values_only=True)]
    assert [(d["级别"], d["备案编号"], d["负责人"], d["代码"]) for d in due] == [  # errors first, then by urgency
        ("错误", "BA-2", "韩梅梅", "launch-unapproved"), ("警告", "BA-2", "韩梅梅", "review-overdue")]
    assert due[1]["到期日"].date() == date(2026, 11, 11) and due[1]["剩余工作日"] < 0


def test_link_opens_the_input_workbook_at_the_offending_cell(run):
    tracker, path, _ = run
    ws = openpyxl.load_workbook(path)["校验结果"]
    cell = ws.cell(2, HEADER.index("单元格") + 1)
    assert cell.value == "备案台账!B2"
    assert cell.hyperlink.location == "'备案台账'!B2"
    assert (path.parent / cell.hyperlink.target).resolve() == tracker.resolve()


def test_page_setup_prints_landscape_one_page_wide_with_the_header_repeated(run):
    _, path, _ = run
    xml = sheet_xml(path, 1)
    assert re.search(r'<pageSetup [^>]*orientation="landscape"', xml)
    assert re.search(r'<pageSetup [^>]*fitToHeight="0"', xml)
    assert not re.search(r'<pageSetup [^>]*fitToWidth="(?!1")', xml)  # default 1 page wide
    assert '<pageSetUpPr fitToPage="1"/>' in xml
    assert 'state="frozen"' in xml and 'ySplit="1"' in xml
    assert re.search(r'<autoFilter ref="A1:[A-Z]+\d+"/>', xml)
    assert re.search(r'<col min="6" max="6" [^>]*style="(\d+)"', xml)  # 说明 has its own (wrapping) style
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
    assert re.search(r'<definedName name="_xlnm.Print_Titles" localSheetId="0">校验结果!\$1:\$1</definedName>', workbook)


def test_run_information_names_the_input_with_its_sha256_and_the_pinned_day(run):
    tracker, path, _ = run
    info = dict(openpyxl.load_workbook(path)["运行信息"].iter_rows(min_row=2, values_only=True))
    assert info["输入文件"] == str(tracker)
    assert info["输入文件 SHA-256"] == hashlib.sha256(tracker.read_bytes()).hexdigest()
    assert info["按哪天计算"].startswith("2026-11-20（已固定，来自命令行 --today")
    assert "内置默认规则" in info["规则来源"]
    assert info["beian 版本"] and info["运行时间"] and info["命令"] == "beian check"


def test_locked_findings_xlsx_still_prints_the_findings_then_exits_2_naming_it(run):
    tracker, path, _ = run
    (path.parent / ("~$" + path.name)).write_bytes(b"")
    before = path.read_bytes()
    result = invoke("check", tracker, "--today", "2026-11-20", "--out", path.parent)
    assert result.exit_code == 2
    assert "missing-value" in result.stdout and "review-overdue" in result.stdout
    assert "findings.xlsx" in result.stderr and "正在被 Excel" in result.stderr
    assert path.read_bytes() == before


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """65,531 findings on one sheet: one past Excel's hyperlink limit."""
    folder = tmp_path_factory.mktemp("many")
    tracker = write_tracker(folder / "t.xlsx", [{}])
    findings = [Finding("missing-value", f"第{r}行 =1+{r}", "error", sheet="备案台账", row=r, column=1,
                        filing_id=f"=HYPERLINK(\"x\",{r})" if r == 2 else f"BA-{r}") for r in range(2, MAX_LINKS + 3)]
    path = write_findings(folder / "out" / "findings.xlsx", Report("validate", str(tracker), date(2026, 11, 20),
                                                                  len(findings), findings), tracker)
    return path, findings


def test_past_excels_hyperlink_limit_the_reference_stays_as_text_and_the_file_is_valid(many):
    path, findings = many
    xml = sheet_xml(path, 1)
    assert xml.count("<hyperlink ") == MAX_LINKS
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("校验结果").to_python()
    assert len(rows) == len(findings) + 1
    col = HEADER.index("单元格")
    assert rows[-1][col] == f"备案台账!B{findings[-1].row}"
    assert rows[1][HEADER.index("备案编号")] == '=HYPERLINK("x",2)'  # formula-like text stays text
    assert "<f>" not in xml


def test_several_workbooks_get_a_source_column_whose_links_open_the_right_file(tmp_path):
    a = write_tracker(tmp_path / "品牌A.xlsx", [{}])
    (tmp_path / "子目录").mkdir()
    b = write_tracker(tmp_path / "子目录" / "品牌B.xlsx", [{}])
    findings = [Finding("duplicate-id", "重复", "error", sheet="备案台账", row=2, column=0, filing_id="BA-1",
                        workbook=label) for label in ("A", "B")]
    path = write_findings(tmp_path / "out" / "findings.xlsx", Report("check", "", date(2026, 11, 20), 2, findings),
                          None, workbooks={"A": a, "B": b})
    ws = openpyxl.load_workbook(path)["校验结果"]
    header = [c.value for c in ws[1]]
    assert header.index("来源") == header.index("单元格") - 1
    for r, expected in ((2, a), (3, b)):
        assert ws.cell(r, header.index("来源") + 1).value == expected.name
        link = ws.cell(r, header.index("单元格") + 1).hyperlink
        assert (path.parent / link.target).resolve() == expected.resolve() and link.location == "'备案台账'!A2"
