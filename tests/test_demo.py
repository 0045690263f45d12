"""`beian demo` runs the whole pipeline on the sample data and leaves the sample untouched: check,
documents (+PDF), archive, weekly report, calendar, notify (dry run), reuse and rules-diff.

Its outputs are checked for content against the sample's answer key (written from each row's
stated intent, never by running beian), not only for existence.
"""

import csv
import hashlib
from collections import Counter

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA

from pyaddin.cli.main import main

KEY = SAMPLE_DATA / "answer_key.csv"
NON_BLOCKING = {"missing-material"}


def tree_digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    before = tree_digest(SAMPLE_DATA)
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, before, result.stdout


@pytest.fixture(scope="module")
def demo(demo_run):
    return demo_run[:2]


def findings_table(out) -> pd.DataFrame:
    sheets = pd.read_excel(out / "findings.xlsx", sheet_name=None, engine="calamine")
    table = pd.concat([df for name, df in sheets.items() if "代码" in df.columns], ignore_index=True)
    where = table["单元格"].astype(str).str.extract(r"^(?P<工作表>.+)!\$?[A-Z]+\$?(?P<行>\d+)$")
    return table.assign(工作表=where["工作表"], 行=pd.to_numeric(where["行"]))  # 单元格 is “备案台账!B6”


def test_demo_changes_no_sample_file(demo):
    _, before = demo
    assert tree_digest(SAMPLE_DATA) == before


def test_demo_findings_are_the_answer_keys_per_code(demo):
    out, _ = demo
    with open(KEY, encoding="utf-8-sig", newline="") as fh:
        expected = Counter(r["代码"] for r in csv.DictReader(fh) if r["命令"] in {"validate", "deadlines"})
    assert Counter(findings_table(out)["代码"]) == expected


def test_demo_writes_both_documents_for_exactly_the_rows_without_blocking_errors(demo):
    out, _ = demo
    table = findings_table(out)
    blocking = table[(table["级别"].astype(str).str.contains("错误")) & ~table["代码"].isin(NON_BLOCKING)
                     & (table["工作表"] == "备案台账")]
    index = pd.read_excel(out / "documents" / "documents.xlsx", engine="calamine")
    per_kind = index.groupby("文书")["行"].apply(set)
    assert set(per_kind.index) == {"安全承诺书", "营销活动方案"}
    assert per_kind["安全承诺书"] == per_kind["营销活动方案"]
    assert not per_kind["安全承诺书"] & set(blocking["行"].dropna().astype(int))
    docx = list((out / "documents").glob("*.docx"))
    assert len(docx) == len(index[index["格式"].astype(str).str.lower() == "docx"]) == 2 * len(per_kind["安全承诺书"])


def test_demo_indexes_the_sample_archive_and_writes_the_weekly_report(demo):
    out, _ = demo
    archived = [p for p in (SAMPLE_DATA / "archive").rglob("*") if p.is_file()]
    index = pd.read_excel(out / "archive" / "archive_index.xlsx", sheet_name=None, engine="calamine")
    assert archived and len(index) >= 1
    assert (out / "archive" / "archive_manifest.json").is_file() and list((out / "archive" / "bags").iterdir())
    weekly = list(out.glob("周报_*.xlsx"))
    assert len(weekly) == 1 and list(out.glob("周报_*.md"))
    counts = pd.read_excel(weekly[0], sheet_name=None, engine="calamine")
    assert counts


def test_demo_runs_every_step_of_the_flow_in_order(demo_run):
    *_, stdout = demo_run
    steps = [line.split("：")[0] for line in stdout.splitlines() if line[:1].isdigit()]
    assert steps == ["1. 校验与到期提醒", "2. 文书", "3. 归档索引", "4. 材料预检", "5. 周报", "6. 日程",
                     "7. 群机器人通知（演示，未发送）", "8. 材料复用", "9. 规则变化"]
    assert "已跳过" not in stdout


def test_demo_exports_pdfs_when_libreoffice_is_present(demo_run):
    from pyaddin.adapters import pdf

    out, _, stdout = demo_run
    pdfs = list((out / "documents").glob("*.pdf"))
    if pdf.available() is None:
        assert not pdfs and "未导出 PDF" in stdout
    else:
        assert len(pdfs) == len(list((out / "documents").glob("*.docx"))) > 0
        assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)


def test_demo_writes_the_calendar_a_notify_preview_and_a_rules_snapshot_pair(demo_run):
    import icalendar

    out, _, stdout = demo_run
    cal = icalendar.Calendar.from_ical((out / "备案日程.ics").read_bytes())
    assert cal.walk("VEVENT")
    preview = (out / "通知预览.txt").read_text(encoding="utf-8")
    assert "备案紧急提醒" in preview and "key=" not in preview  # the webhook key is never shown
    snapshots = sorted(p.name for p in (out / "示例台账" / "beian-out" / "history" / "rules").glob("*.csv"))
    assert "_default_" in snapshots[-2] and "_workbook_" in snapshots[-1]  # packaged rules, then the sample's
    assert "9. 规则变化：示例的平台规则与随程序的默认规则相比有" in stdout
    assert "8. 材料复用：" in stdout and "最相似的已通过备案是" in stdout


def test_demo_precheck_findings_are_the_answer_keys_per_file_and_code(demo):
    """The sample's creatives (sample_data/materials, built by build_materials.py) against their key."""
    out, _ = demo
    with open(SAMPLE_DATA / "precheck_answer_key.csv", encoding="utf-8", newline="") as fh:
        expected = Counter((r["文件"], r["代码"], r["级别"]) for r in csv.DictReader(fh))
    table = pd.read_excel(out / "precheck" / "findings.xlsx", sheet_name="校验结果", engine="calamine")
    levels = {"错误": "error", "警告": "warning", "提示": "info"}
    got = Counter(zip(table["文件"], table["代码"], table["级别"].map(levels), strict=True))
    assert got == expected
    files = pd.read_excel(out / "precheck" / "findings.xlsx", sheet_name="材料预检", engine="calamine")
    assert len(files) == len({r[0] for r in expected} | {"BA-2026-0092 会员日 微信/活动文案.docx"}) == 8
