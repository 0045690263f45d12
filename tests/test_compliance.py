"""Issue 12: every license checked, rejected filings still guarded, English headers, credit codes,
a pinned "today". One minimal workbook per behaviour (built in tmp_path), plus the sample."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA
from helpers import CLEAN, write_tracker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyaddin.adapters.files import read_book
from pyaddin.cli.main import main
from pyaddin.compliance.validate import validate
from pyaddin.deadlines.checks import deadline_findings as check
from pyaddin.reports.weekly import build_report
from pyaddin.run.build import build_context
from pyaddin.run.findings import DEADLINE_CODES
from pyaddin.tracker import credit_code
from pyaddin.tracker.book import Book, Sheet

TODAY = date(2026, 11, 20)
SAMPLE = SAMPLE_DATA / "备案台账示例.xlsx"
LICENSE_HEADER = ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至"]
COMPANY, CODE = CLEAN["主体名称"], CLEAN["统一社会信用代码"]
OPEN = {"状态": "审核中", "提交日期": date(2026, 11, 18), "备案号": None, "通过日期": None, "归档状态": "否",
        "计划上线日期": date(2027, 1, 8), "活动开始日期": date(2027, 1, 8), "活动结束日期": date(2027, 1, 31)}
HEADERS = [*CLEAN, "原备案编号", "审核意见", "反馈日期", "行业许可证明"]


def licenses(*rows) -> list[list]:
    return [LICENSE_HEADER, [COMPANY, CODE, "营业执照", "1", date(2015, 1, 1), "长期"], *rows]


def context(tmp_path: Path, rows: list[dict], lic: list[list] | None = None, headers=None):
    extra = {"资质库": lic} if lic is not None else {}
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=headers or HEADERS, extra_sheets=extra)
    return build_context(read_book(path), system_today=TODAY)


def deadline_findings(report, code=None):
    return [[f.sheet, f.row, f.field, f.code, f.severity] for f in report.findings
            if f.code in DEADLINE_CODES and f.code != "calendar-fallback" and (code is None or f.code == code)]


# ---------------------------------------------------------------- 1. every license of the company
def test_an_expired_license_of_any_type_is_reported_on_the_open_filing(tmp_path):
    lic = licenses([COMPANY, CODE, "医疗机构执业许可证", "2", date(2021, 11, 1), date(2026, 10, 31)],
                   [COMPANY, CODE, "医疗广告审查证明", "3", date(2026, 6, 1), date(2027, 5, 31)])
    report = check(context(tmp_path, [{**OPEN, "行业": "医疗", "行业许可证明": "是"}], lic))
    assert deadline_findings(report) == [["备案台账", 2, "主体名称", "license-expired", "error"]]
    assert "医疗机构执业许可证" in report.findings[0].message and "资质库第3行" in report.findings[0].message


def test_a_license_not_required_by_the_industry_still_warns_before_it_expires(tmp_path):
    lic = licenses([COMPANY, CODE, "食品经营许可证", "2", date(2021, 11, 28), date(2026, 11, 27)])
    report = check(context(tmp_path, [{**OPEN, "活动结束日期": date(2026, 11, 26)}], lic))
    assert deadline_findings(report) == [["备案台账", 2, "主体名称", "license-expiring", "warning"]]
    assert report.findings[0].due == date(2026, 11, 27) and report.findings[0].days_left == 5


@pytest.mark.parametrize(("industry", "license_type", "severity"), [
    ("医疗", "医疗机构执业许可证", "error"), ("食品", "食品经营许可证", "warning"), ("餐饮", "食品经营许可证", "warning")])
def test_industry_licenses_are_required_at_their_level(tmp_path, industry, license_type, severity):
    held = [[COMPANY, CODE, "医疗广告审查证明", "3", date(2026, 6, 1), date(2027, 5, 31)]] if industry == "医疗" else []
    report = check(context(tmp_path, [{**OPEN, "行业": industry, "行业许可证明": "是"}], licenses(*held)))
    assert deadline_findings(report) == [["备案台账", 2, "主体名称", "license-missing", severity]]
    assert license_type in report.findings[0].message


def test_a_medical_ad_certificate_without_an_end_date_runs_one_year_from_issue(tmp_path):
    lic = licenses([COMPANY, CODE, "医疗机构执业许可证", "2", date(2021, 1, 1), date(2031, 1, 1)],
                   [COMPANY, CODE, "医疗广告审查证明", "3", date(2025, 12, 1), None])
    report = check(context(tmp_path, [{**OPEN, "行业": "医疗", "行业许可证明": "是",
                                       "活动结束日期": date(2026, 11, 28)}], lic))
    assert deadline_findings(report) == [["备案台账", 2, "主体名称", "license-expiring", "warning"]]
    f = report.findings[0]
    assert f.due == date(2026, 11, 30)
    assert "发证日期 2025-12-01" in f.message and "一年的法定有效期" in f.message


def test_a_license_of_a_company_with_only_closed_filings_is_reported_once_on_the_register(tmp_path):
    lic = licenses([COMPANY, CODE, "增值电信业务经营许可证", "2", date(2021, 11, 1), date(2026, 11, 1)])
    rows = [{"状态": "已撤回"}, {"备案编号": "BA-2", "备案号": "WX2026110002"},  # 已通过, ended in September
            {"备案编号": "BA-3", "状态": "已撤回", "活动结束日期": date(2026, 12, 31)}]
    report = check(context(tmp_path, rows, lic))
    assert deadline_findings(report) == [["资质库", 3, "有效期至", "license-expired", "error"]]
    assert "没有未结束的备案" in report.findings[0].message


def test_check_and_the_weekly_report_list_the_same_due_licenses_on_the_sample():
    ctx = build_context(read_book(SAMPLE), system_today=TODAY)
    report = check(ctx)
    from_check = set()
    for f in report.findings:
        if f.code not in ("license-expired", "license-expiring"):
            continue
        if f.sheet == "资质库":
            from_check.add(f.row)
        else:
            from_check.add(int(re.search(r"资质库第(\d+)行", f.message).group(1)))
    weekly = build_report(ctx)
    assert from_check == set(weekly.licenses_expiring["资质库行"]) and len(from_check) == 7
    # one unit for remaining time: the same working days in both
    left = {(f.due, f.days_left) for f in report.findings if f.code in ("license-expired", "license-expiring")}
    assert left == set(zip(weekly.licenses_expiring["有效期至"], weekly.licenses_expiring["剩余工作日"], strict=True))


# ---------------------------------------------------------------- 4. a rejected filing is not a closed one
REJECTED = {"状态": "已驳回", "审核意见": "创意含绝对化用语", "反馈日期": date(2026, 11, 9), "提交日期": date(2026, 11, 2),
            "备案号": None, "通过日期": None, "归档状态": "否", "计划上线日期": date(2026, 11, 25),
            "活动开始日期": date(2026, 11, 25), "活动结束日期": date(2026, 12, 31)}


def test_a_rejected_filing_without_resubmission_is_still_headed_for_launch(tmp_path):
    rows = [REJECTED, {**REJECTED, "备案编号": "BA-2", "计划上线日期": date(2026, 11, 16)}]
    report = check(context(tmp_path, rows))
    assert deadline_findings(report) == [["备案台账", 3, "计划上线日期", "launch-unapproved", "error"],
                                         ["备案台账", 2, "计划上线日期", "submit-late-risk", "warning"]]
    assert "重新提交" in report.findings[0].message


@pytest.mark.parametrize("link_header", ["原备案编号", "重新提交自", "关联备案编号", "Original Filing"])
def test_a_resubmitted_rejected_filing_is_closed(tmp_path, link_header):
    lic = licenses([COMPANY, CODE, "增值电信业务经营许可证", "2", date(2021, 11, 1), date(2026, 12, 1)])
    rows = [{**REJECTED, "计划上线日期": date(2026, 11, 16)},
            {**OPEN, "备案编号": "BA-2", "原备案编号": "ba-1 ", "主体名称": "另一家公司", "统一社会信用代码": None}]
    headers = [h if h != "原备案编号" else link_header for h in HEADERS]
    rows = [{(link_header if k == "原备案编号" else k): v for k, v in r.items()} for r in rows]
    report = check(context(tmp_path, rows, lic, headers=headers))
    # no deadline finding on the rejected row; its company's license now has no open filing
    assert [x for x in deadline_findings(report) if x[0] == "备案台账" and x[1] == 2] == []
    assert ["资质库", 3, "有效期至", "license-expiring", "warning"] in deadline_findings(report)


# ---------------------------------------------------------------- 7. English headers
ENGLISH = {
    "备案编号": "Filing ID", "活动名称": "Campaign", "投放平台": "Platform", "活动形式": "Format",
    "行业": "Industry", "申报主体": "Company", "统一社会信用代码": "Credit Code", "负责人": "Owner",
    "联系人": "Contact", "联系电话": "Contact Phone", "联系邮箱": "Contact Email", "活动开始日期": "Start Date",
    "活动结束日期": "End Date", "上线日期": "Go-live Date", "预算（元）": "Budget (CNY)", "收集个人信息": "Personal Info",
    "敏感个人信息": "Sensitive PI", "隐私政策链接": "Privacy Policy URL", "用户授权机制": "Consent",
    "最高奖金额（元）": "Prize (CNY)", "提交日期": "Submission Date", "申请号": "Application No.",
    "备案状态": "Status", "驳回原因/补充要求": "Feedback", "反馈日期": "Feedback Date", "补充截止日期": "Supplement Due",
    "备案号": "Approval No.", "通过日期": "Approval Date", "归档状态": "Archived", "原备案编号": "Original Filing",
    "面向未成年人": "Minors", "监护人同意机制": "Guardian Consent", "备注": "Remarks",
}
VARIANTS = {
    "main": {},
    "alternatives": {"通过日期": "Approved On", "最高奖金额（元）": "Top Prize", "上线日期": "Launch"},
    "plain": {"最高奖金额（元）": "Prize", "申请号": "Application No", "备案号": "Approval No"},
}


@pytest.fixture(scope="module")
def sample_book() -> Book:
    return read_book(SAMPLE)


def findings_of(book: Book, rename: dict[str, str]) -> list[tuple]:
    ctx = build_context(book, system_today=TODAY)
    report = validate(ctx).merged(check(ctx), "check")
    back = {v: k for k, v in rename.items()}
    return sorted((f.sheet, f.row or 0, f.code, f.rule or "", f.severity, back.get(f.field, f.field) or "")
                  for f in report.findings)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_an_english_tracker_reads_with_no_configuration_like_its_chinese_twin(sample_book, variant):
    rename = {**ENGLISH, **VARIANTS[variant]}
    english = copy.deepcopy(sample_book)
    sheet = english.get("备案台账")
    header = sheet.rows[2]
    assert set(rename) <= set(header)
    sheet.rows[2] = [rename.get(h, h) for h in header]
    assert findings_of(english, rename) == findings_of(sample_book, {})
    ctx = build_context(english, system_today=TODAY)
    assert set(ctx.tracker.headers.values()) >= set(rename.values())


# ---------------------------------------------------------------- 9. credit codes
def with_check(code17: str) -> str:
    return code17 + credit_code.check_character(code17)


def test_credit_code_positions_1_and_2_are_checked_and_named():
    bad_authority = with_check("KL9433057NAC91XMC")
    severity, message = credit_code.problem(bad_authority)
    assert severity == "error" and "第1位" in message and "登记管理部门" in message
    bad_type = with_check("97310110666007217")
    severity, message = credit_code.problem(bad_type)
    assert severity == "error" and "第2位" in message and "工商" in message
    assert credit_code.problem(with_check("Y1310110666007217")) is None
    assert credit_code.problem(with_check("N3310110666007217")) is None


def test_a_full_width_digit_in_a_credit_code_reads_as_the_same_code(tmp_path):
    lic = [["主体名称", "统一社会信用代码", "资质类型", "有效期至"], [COMPANY, "９１310110666007217t", "营业执照", "长期"]]
    ctx = context(tmp_path, [{"统一社会信用代码": "91３10110666007217T"}], lic, headers=list(CLEAN))
    assert [f.code for f in validate(ctx).findings if f.row == 2] == []
    assert ctx.tracker.df.at[2, "credit_code"] == CODE


@settings(max_examples=400, deadline=None)
@given(st.text(min_size=0, max_size=24))
def test_no_text_at_all_crashes_the_credit_code_check(text):
    result = credit_code.problem(text)
    assert result is None or (result[0] in {"error", "warning"} and result[1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.characters(), min_size=18, max_size=18), st.integers(0, 17))
def test_any_character_anywhere_in_an_otherwise_valid_code_never_crashes(chars, position):
    code = list(CODE)
    code[position] = chars[position]
    result = credit_code.problem("".join(code))
    assert result is None or result[0] in {"error", "warning"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=20))
def test_no_credit_code_cell_crashes_validate_or_check(text):
    header = ["备案编号", "活动名称", "平台", "主体名称", "状态", "统一社会信用代码"]
    book = Book({"备案台账": Sheet("备案台账", [header, ["BA-1", "活动", "微信", COMPANY, "草稿", text]]),
                 "资质库": Sheet("资质库", [["主体名称", "统一社会信用代码", "资质类型", "有效期至"],
                                             [COMPANY, text, "营业执照", "2026-12-01"]])})
    ctx = build_context(book, system_today=TODAY)
    validate(ctx).as_json()
    check(ctx).as_json()


# ---------------------------------------------------------------- 8. a pinned today is never silent
def test_a_pinned_today_is_said_first_and_carried_by_json_and_findings_xlsx(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{}], extra_sheets={"设置": [["项目", "值"], ["今天", "2020-01-06"]]})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(out)])
    first = result.stdout.splitlines()[0]
    assert first.startswith("注意：本次按 2020-01-06 计算") and date.today().isoformat() in first
    assert "今天已固定" in result.stdout
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    payload = json.loads(result.stdout)
    assert payload["today"] == "2020-01-06" and payload["today_pinned"] is True
    assert payload["system_today"] == date.today().isoformat() and payload["run_at"][:10] == date.today().isoformat()
    assert [f["code"] for f in payload["findings"]].count("today-pinned") == 1
    info = dict(openpyxl.load_workbook(out / "findings.xlsx")["运行信息"].iter_rows(min_row=2, values_only=True))
    assert info["按哪天计算"].startswith("2020-01-06（已固定") and f"系统日期为 {date.today().isoformat()}" in info["按哪天计算"]
    assert info["运行时间"][:10] == date.today().isoformat()


def test_an_unpinned_run_says_nothing_about_today(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{}])
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    payload = json.loads(result.stdout)
    assert payload["today_pinned"] is False and "today-pinned" not in result.stdout


# ---------------------------------------------------------------- 3. templates take the cap from 设置
def test_documents_state_the_lottery_cap_from_settings_not_a_fixed_fifty_thousand(tmp_path):
    import zipfile

    from pyaddin.actions.documents import generate

    rows = [{"创意形式": "抽奖", "最高奖金额": 20000, "抽奖规则": "是"}]
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=[*CLEAN, "最高奖金额", "抽奖规则"],
                         extra_sheets={"设置": [["项目", "值"], ["抽奖最高金额(元)", 30000]]})
    ctx = build_context(read_book(path), system_today=TODAY)
    result = generate(ctx, out_dir=tmp_path / "out", all_rows=True)
    assert len(result.written) == 2
    for doc in result.written:
        with zipfile.ZipFile(doc) as z:
            text = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
        assert "不超过¥30,000.00" in text, doc.name  # the cap from 设置, not a fixed 五万元
