"""Several trackers in one run (docs/cli.md): a folder of brand trackers checked as one."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import write_tracker

from pyaddin.cli.main import main

TODAY = "2026-11-20"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def payload(*args) -> dict:
    result = invoke(*args, "--today", TODAY, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.fixture
def folder(tmp_path):
    """Three brand trackers and one workbook that is not a tracker. 品牌B reuses 品牌A's 备案编号 BA-A2
    (its row 3); 品牌C files 备案号 WX2026110002 on 抖音 while 品牌A has it on 微信 (row 3)."""
    d = tmp_path / "台账"
    d.mkdir()
    write_tracker(d / "品牌A.xlsx", [
        {"备案编号": "BA-A1", "备案号": "WX2026110001"},
        {"备案编号": "BA-A2", "备案号": "WX2026110002"},
    ])
    write_tracker(d / "品牌B.xlsx", [
        {"备案编号": "BA-B1", "备案号": "WX2026110101"},
        {"备案编号": "ba-a2", "备案号": "WX2026110102"},  # the same 备案编号 as 品牌A row 3, case aside
    ])
    write_tracker(d / "品牌C.xlsx", [
        {"备案编号": "BA-C1", "平台": "抖音", "备案号": "WX2026110002"},
        {"备案编号": "BA-C2", "备案号": "WX2026110201"},
    ])
    wb = openpyxl.Workbook()
    wb.active.append(["会议纪要", "与备案无关"])
    wb.save(d / "会议纪要.xlsx")
    return d


def digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_folder_is_checked_as_one_run_with_cross_tracker_findings_naming_both_files(folder):
    before = digest(folder)
    run = payload("check", folder)
    cross = [f for f in run["findings"] if f["code"] in ("duplicate-id", "approval-no-reused")]
    dup = [f for f in cross if f["code"] == "duplicate-id"]
    assert [(f["workbook"].endswith("品牌B.xlsx"), f["row"], f["value"]) for f in dup] == [(True, 3, "ba-a2")]
    assert "品牌A.xlsx" in dup[0]["message"] and "第3行" in dup[0]["message"]
    reused = [f for f in cross if f["code"] == "approval-no-reused"]
    assert [(f["workbook"].endswith("品牌C.xlsx"), f["row"]) for f in reused] == [(True, 2)]
    assert "品牌A.xlsx" in reused[0]["message"] and "第3行" in reused[0]["message"] and "微信" in reused[0]["message"]
    assert run["cross_findings"] == 2
    assert [s["workbook"].endswith("会议纪要.xlsx") for s in run["skipped"]] == [True]
    assert digest(folder) == before  # the inputs are never modified


def test_totals_equal_the_single_runs_plus_the_cross_tracker_findings(folder):
    run = payload("check", folder)
    singles = [payload("check", folder / name) for name in ("品牌A.xlsx", "品牌B.xlsx", "品牌C.xlsx")]
    expected = Counter()
    for single in singles:
        expected.update(f["code"] for f in single["findings"])
    expected.update(["duplicate-id", "approval-no-reused"])
    assert Counter(f["code"] for f in run["findings"]) == expected
    assert run["rows"] == sum(s["rows"] for s in singles)
    for severity in ("error", "warning", "info"):
        assert run["summary"][severity] == sum(s["summary"][severity] for s in singles) + (
            2 if severity == "error" else 0)
    sources = {f["workbook"] for f in run["findings"]}
    assert {str(folder / "品牌B.xlsx"), str(folder / "品牌C.xlsx")} <= sources
    assert sources <= {str(folder / n) for n in ("品牌A.xlsx", "品牌B.xlsx", "品牌C.xlsx")}


def test_several_workbooks_named_on_the_command_line_and_the_terminal_lists_the_skipped(folder):
    result = invoke("check", folder / "品牌A.xlsx", folder / "品牌B.xlsx", folder / "会议纪要.xlsx", "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert "已跳过" in result.output and "会议纪要.xlsx" in result.output
    assert "跨台账：1 条" in result.output


def test_json_lines_streams_one_finding_per_line_then_the_summary(folder):
    result = invoke("check", folder, "--today", TODAY, "--json-lines")
    lines = [json.loads(line) for line in result.output.splitlines()]
    *findings, last = lines
    assert all("code" in f and "workbook" in f for f in findings)
    assert last["summary"]["error"] == sum(1 for f in findings if f["severity"] == "error")
    assert "findings" not in last


def test_a_shared_licenses_register_serves_every_tracker(tmp_path):
    running = {"活动开始日期": date(2026, 12, 1), "活动结束日期": date(2026, 12, 31), "计划上线日期": date(2026, 12, 1)}
    a = write_tracker(tmp_path / "品牌A.xlsx", [{**running, "备案编号": "A-1", "备案号": "WX2026110001"}])
    b = write_tracker(tmp_path / "品牌B.xlsx", [{**running, "备案编号": "B-1", "备案号": "WX2026110002"}])
    register = tmp_path / "资质库.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "资质库"
    wb.active.append(["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至", "文件"])
    wb.active.append(["上海星河数字科技有限公司", "91310110666007217T", "营业执照", "L1", "2015-01-01", "2026-11-25", "a.pdf"])
    wb.save(register)
    assert not [f for f in payload("check", a, b)["findings"] if f["code"].startswith("license-")]
    run = payload("check", a, b, "--licenses", register)
    gaps = [f for f in run["findings"] if f["code"] == "license-gap"]
    assert sorted(Path(f["workbook"]).name for f in gaps) == ["品牌A.xlsx", "品牌B.xlsx"]
    assert all("2026-11-25" in f["message"] for f in gaps)


def test_a_folder_without_any_tracker_cannot_run(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["随便"])
    wb.save(tmp_path / "x.xlsx")
    result = invoke("check", tmp_path, "--today", TODAY)
    assert result.exit_code == 2
    assert "x.xlsx" in result.output


def test_one_weekly_report_over_two_trackers_adds_up_the_two_single_reports(tmp_path):
    week = {"提交日期": date(2026, 11, 17)}
    a = write_tracker(tmp_path / "品牌A.xlsx", [
        {"备案编号": "A-1", "备案号": "WX2026110001", "提交日期": date(2026, 11, 10), "通过日期": date(2026, 11, 18)},
        {**week, "备案编号": "A-2", "状态": "审核中", "备案号": None, "通过日期": None},
    ])
    b = write_tracker(tmp_path / "品牌B.xlsx", [
        {**week, "备案编号": "B-1", "平台": "抖音", "状态": "审核中", "备案号": None, "通过日期": None},
        {"备案编号": "B-2", "状态": "已驳回", "备案号": None, "通过日期": None, "审核意见": "缺资质",
         "反馈日期": date(2026, 11, 19)},
    ])

    def weekly(*books, out):
        result = invoke("report", *books, "--today", TODAY, "--out", tmp_path / out, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    single_a, single_b = weekly(a, out="a"), weekly(b, out="b")
    both = weekly(a, b, out="both")
    assert both["counts"] == {k: single_a["counts"][k] + single_b["counts"][k] for k in single_a["counts"]}
    assert both["counts"]["提交"] == 2 and both["counts"]["通过"] == 1
    for platform in set(single_a["by_platform_status"]) | set(single_b["by_platform_status"]):
        for status, n in both["by_platform_status"][platform].items():
            assert n == (single_a["by_platform_status"].get(platform, {}).get(status, 0)
                         + single_b["by_platform_status"].get(platform, {}).get(status, 0))
    assert {Path(k).name: v["提交"] for k, v in both["by_source"].items()} == {"品牌A.xlsx": 1, "品牌B.xlsx": 1}
    assert len(both["announcements"]) == len(single_a["announcements"]) + len(single_b["announcements"])
    assert all(row["来源"].endswith(".xlsx") for row in both["announcements"])
    sheets = openpyxl.load_workbook(next((tmp_path / "both").glob("周报_*.xlsx")), read_only=True).sheetnames
    assert "按来源" in sheets
    assert "按来源" in next((tmp_path / "both").glob("周报_*.md")).read_text(encoding="utf-8")


@pytest.mark.parametrize("listing", ["台账/品牌A.xlsx；台账/品牌B.xlsx", "台账/品牌A.xlsx\n台账/品牌B.xlsx", "台账"])
def test_settings_tracker_file_may_name_several_trackers_or_a_folder(folder, listing):
    hub = folder.parent / "总控.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "设置"
    wb.active.append(["项目", "值"])
    wb.active.append(["台账文件", listing if listing != "台账" else str(folder)])
    wb.save(hub)
    run = payload("check", hub)
    names = {Path(w).name for w in run["workbooks"]}
    assert {"品牌A.xlsx", "品牌B.xlsx"} <= names
    dup = [f for f in run["findings"] if f["code"] == "duplicate-id" and "品牌A.xlsx" in f["message"]]
    assert [Path(f["workbook"]).name for f in dup] == ["品牌B.xlsx"]


def test_documents_for_several_trackers_go_into_one_folder_per_tracker(folder, tmp_path):
    out = tmp_path / "文书"
    result = invoke("docs", folder / "品牌A.xlsx", folder / "品牌C.xlsx", "--kind", "承诺书", "--all", "--force",
                    "--out", out, "--today", TODAY, "--json")
    assert result.exit_code in (0, 1), result.output
    run = json.loads(result.output)
    assert [Path(t["workbook"]).name for t in run["trackers"]] == ["品牌A.xlsx", "品牌C.xlsx"]
    docs = [(Path(t["workbook"]).name, d) for t in run["trackers"] for d in t["documents"]]
    assert {(name, Path(d["path"]).parent.name) for name, d in docs} == {("品牌A.xlsx", "品牌A"), ("品牌C.xlsx", "品牌C")}
    assert sorted(d["filing_id"] for _, d in docs) == ["BA-A1", "BA-A2", "BA-C1", "BA-C2"]


def test_archive_over_several_trackers_indexes_each_into_its_own_folder(folder, tmp_path):
    root = tmp_path / "归档"
    (root / "BA-A1").mkdir(parents=True)
    (root / "BA-A1" / "营业执照.pdf").write_bytes(b"%PDF-1.4 test")
    out = tmp_path / "out"
    result = invoke("archive", folder / "品牌A.xlsx", folder / "品牌C.xlsx", "--root", root, "--out", out,
                    "--today", TODAY, "--json")
    assert result.exit_code in (0, 1), result.output
    run = json.loads(result.output)
    assert [Path(t["workbook"]).name for t in run["trackers"]] == ["品牌A.xlsx", "品牌C.xlsx"]
    assert [t["archive"]["filings_with_folder"] for t in run["trackers"]] == [1, 0]
    assert (out / "品牌A").is_dir() and (out / "品牌C").is_dir()


def test_findings_xlsx_over_several_trackers_names_each_source_and_links_to_its_file(folder, tmp_path):
    out = tmp_path / "out"
    assert invoke("check", folder, "--today", TODAY, "--out", out).exit_code == 1
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    ws = wb["校验结果"]
    header = [c.value for c in ws[1]]
    source, link = header.index("来源"), header.index("单元格")
    rows = list(ws.iter_rows(min_row=2))
    dup = next(r for r in rows if r[header.index("代码")].value == "duplicate-id")
    assert dup[source].value == "品牌B.xlsx"
    hyperlink = dup[link].hyperlink
    assert hyperlink.target.endswith("品牌B.xlsx") and hyperlink.location == "'备案台账'!A3"  # 备案编号 is column A
    assert {r[source].value for r in rows} >= {"品牌A.xlsx", "品牌B.xlsx", "品牌C.xlsx"}
