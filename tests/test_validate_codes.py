"""One test per validate finding code, each on a minimal workbook built in tmp_path."""

from datetime import date

import pytest
from helpers import CLEAN, write_tracker

from pyaddin.adapters.files import read_book
from pyaddin.context import build_context
from pyaddin.validate import validate

TODAY = date(2026, 11, 20)
LICENSES = [["主体名称", "统一社会信用代码", "资质类型", "有效期至"],
            ["上海星河数字科技有限公司", "91310110666007217T", "营业执照", "长期"],
            ["北京云帆文化传媒有限公司", "911101055923456781", "营业执照", "长期"]]


def run(tmp_path, rows, **kw):
    path = write_tracker(tmp_path / "t.xlsx", rows, **kw)
    return validate(build_context(read_book(path), system_today=TODAY))


def found(report, code):
    return [[f.row, f.field, f.code] for f in report.findings if f.code == code]


def test_a_clean_row_has_no_findings(tmp_path):
    assert run(tmp_path, [{}]).findings == []


def test_missing_column(tmp_path):
    report = run(tmp_path, [{}], headers=[h for h in CLEAN if h != "状态"])
    assert found(report, "missing-column") == [[1, "状态", "missing-column"]]


def test_missing_value(tmp_path):
    assert found(run(tmp_path, [{"活动名称": None}]), "missing-value") == [[2, "活动名称", "missing-value"]]


def test_duplicate_id_names_the_first_row(tmp_path):
    report = run(tmp_path, [{}, {"备案号": "WX2026110002"}, {"备案编号": "ba-1", "备案号": "WX2026110003"}])
    assert found(report, "duplicate-id") == [[3, "备案编号", "duplicate-id"], [4, "备案编号", "duplicate-id"]]
    assert "第2行" in report.findings[0].message


def test_unknown_platform(tmp_path):
    assert found(run(tmp_path, [{"平台": "推特"}]), "unknown-platform") == [[2, "平台", "unknown-platform"]]


def test_multi_platform(tmp_path):
    assert found(run(tmp_path, [{"平台": "抖音、快手"}]), "multi-platform") == [[2, "平台", "multi-platform"]]


def test_invalid_date(tmp_path):
    assert found(run(tmp_path, [{"计划上线日期": "2026年13月1日"}]), "invalid-date") == [
        [2, "计划上线日期", "invalid-date"]]


def test_invalid_value_for_boolean_and_amount(tmp_path):
    report = run(tmp_path, [{"收集个人信息": "也许"}], headers=[*CLEAN, "预算"])
    assert found(report, "invalid-value") == [[2, "收集个人信息", "invalid-value"]]
    report = run(tmp_path, [{"预算": "五万"}], headers=[*CLEAN, "预算"])
    assert found(report, "invalid-value") == [[2, "预算", "invalid-value"]]


@pytest.mark.parametrize("change,field", [
    ({"活动开始日期": date(2026, 10, 1), "活动结束日期": date(2026, 9, 1)}, "活动结束日期"),
    ({"提交日期": date(2026, 9, 1), "通过日期": date(2026, 8, 1)}, "通过日期"),
])
def test_date_order(tmp_path, change, field):
    assert found(run(tmp_path, [change]), "date-order") == [[2, field, "date-order"]]


def test_credit_code_bad_format_is_an_error_and_bad_check_character_a_warning(tmp_path):
    report = run(tmp_path, [{"统一社会信用代码": "9131011066600721"},
                            {"统一社会信用代码": "91310110666007217X", "备案编号": "BA-2", "备案号": "WX2026110002"}])
    assert [(f.row, f.severity) for f in report.findings if f.code == "invalid-credit-code"] == [
        (2, "error"), (3, "warning")]


def test_real_early_code_failing_checksum_is_only_a_warning(tmp_path):
    report = run(tmp_path, [{"统一社会信用代码": "91350211M00013FA1N"}])
    assert [(f.code, f.severity) for f in report.findings] == [("invalid-credit-code", "warning")]


def test_invalid_phone_and_email(tmp_path):
    report = run(tmp_path, [{"联系电话": "1380013800", "联系邮箱": "a#b.com"}])
    assert found(report, "invalid-phone") == [[2, "联系电话", "invalid-phone"]]
    assert found(report, "invalid-email") == [[2, "联系邮箱", "invalid-email"]]


@pytest.mark.parametrize("phone", ["13800138000", "+8613800138000", "021-61234567", "0755 8888 6666", "400-800-1234"])
def test_valid_phone_forms(tmp_path, phone):
    assert found(run(tmp_path, [{"联系电话": phone}]), "invalid-phone") == []


def test_invalid_url(tmp_path):
    report = run(tmp_path, [{"收集个人信息": "是", "隐私政策链接": "www.x.com/p", "用户授权机制": "勾选同意",
                             "隐私政策": "是"}], headers=[*CLEAN, "隐私政策链接", "用户授权机制", "隐私政策"])
    assert found(report, "invalid-url") == [[2, "隐私政策链接", "invalid-url"]]


def test_missing_field_from_rule_pi01_when_personal_information_is_collected(tmp_path):
    report = run(tmp_path, [{"收集个人信息": "是", "用户授权机制": "勾选同意", "隐私政策": "是"}],
                 headers=[*CLEAN, "隐私政策链接", "用户授权机制", "隐私政策"])
    assert [[f.row, f.field, f.code, f.rule, f.severity] for f in report.findings] == [
        [2, "隐私政策链接", "missing-field", "PI-01", "error"]]


def test_missing_material_takes_the_rules_severity(tmp_path):
    report = run(tmp_path, [{"创意形式": "直播", "直播脚本": "否"}], headers=[*CLEAN, "直播脚本"])
    assert [[f.row, f.field, f.code, f.rule, f.severity] for f in report.findings] == [
        [2, "直播脚本", "missing-material", "LIVE-01", "warning"]]


def test_material_found_in_archive_satisfies_the_rule(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{"安全承诺书": "否"}])
    ctx = build_context(read_book(path), system_today=TODAY)
    assert found(validate(ctx), "missing-material") == [[2, "安全承诺书", "missing-material"]]
    ctx.archive_materials = {"BA-1": {"安全承诺书"}}
    assert found(validate(ctx), "missing-material") == []


def test_prize_over_limit(tmp_path):
    report = run(tmp_path, [{"创意形式": "抽奖", "最高奖金额": "¥60,000", "抽奖规则": "是"}],
                 headers=[*CLEAN, "最高奖金额", "抽奖规则"])
    assert found(report, "prize-over-limit") == [[2, "最高奖金额", "prize-over-limit"]]


def test_prize_limit_comes_from_settings(tmp_path):
    report = run(tmp_path, [{"创意形式": "抽奖", "最高奖金额": 8000, "抽奖规则": "是"}],
                 headers=[*CLEAN, "最高奖金额", "抽奖规则"], extra_sheets={"设置": [["项目", "值"], ["抽奖最高金额(元)", 5000]]})
    assert found(report, "prize-over-limit") == [[2, "最高奖金额", "prize-over-limit"]]


def test_unknown_status(tmp_path):
    assert found(run(tmp_path, [{"状态": "挂起"}]), "unknown-status") == [[2, "状态", "unknown-status"]]


@pytest.mark.parametrize("change,field", [
    ({"备案号": None}, "备案号"),
    ({"通过日期": None}, "通过日期"),
    ({"状态": "审核中", "提交日期": None, "备案号": None, "通过日期": None}, "提交日期"),
    ({"状态": "已驳回", "备案号": None, "通过日期": None}, "审核意见"),
])
def test_status_inconsistent(tmp_path, change, field):
    report = run(tmp_path, [change], headers=[*CLEAN, "审核意见"])
    assert found(report, "status-inconsistent") == [[2, field, "status-inconsistent"]]


def test_approval_number_format(tmp_path):
    assert found(run(tmp_path, [{"备案号": "WX-1"}]), "approval-no-format") == [[2, "备案号", "approval-no-format"]]


def test_approval_number_reused_on_another_platform(tmp_path):
    report = run(tmp_path, [{}, {"备案编号": "BA-2", "平台": "自有APP"}])
    assert found(report, "approval-no-reused") == [[3, "备案号", "approval-no-reused"]]


def test_company_mismatch_with_licenses_register(tmp_path):
    report = run(tmp_path, [{"统一社会信用代码": "911101055923456781"}], extra_sheets={"资质库": LICENSES})
    assert found(report, "company-mismatch") == [[2, "主体名称", "company-mismatch"]]


def test_unknown_industry_and_form_are_warnings(tmp_path):
    report = run(tmp_path, [{"行业": "宠物", "创意形式": "快闪"}])
    assert sorted(found(report, "unknown-value")) == [[2, "创意形式", "unknown-value"], [2, "行业", "unknown-value"]]


def test_bad_rule_points_at_its_cell_and_only_that_rule_is_skipped(tmp_path):
    rules = [["规则编号", "平台", "创意形式", "行业", "收集个人信息", "要求", "级别"],
             ["T-1", "推特", "*", "*", "*", "创意物料", "error"],
             ["T-2", "*", "*", "*", "*", "抽奖规测", "error"],
             ["T-3", "*", "*", "*", "*", "直播脚本", "严重"],
             ["T-4", "微信", "*", "*", "*", "直播脚本", "warning"]]
    report = run(tmp_path, [{}], extra_sheets={"平台规则": rules})
    assert [[f.sheet, f.row, f.field, f.code, f.rule] for f in report.findings if f.code == "bad-rule"] == [
        ["平台规则", 2, "平台", "bad-rule", "T-1"], ["平台规则", 3, "要求", "bad-rule", "T-2"],
        ["平台规则", 4, "级别", "bad-rule", "T-3"]]
    assert found(report, "missing-material") == [[2, "直播脚本", "missing-material"]]


def test_rule_effective_window_uses_the_rows_submitted_date(tmp_path):
    rules = [["规则编号", "平台", "创意形式", "行业", "收集个人信息", "要求", "级别", "生效日期", "失效日期"],
             ["NEW-1", "*", "*", "*", "*", "直播脚本", "error", "2026-10-01", ""]]
    report = run(tmp_path, [{}], extra_sheets={"平台规则": rules})  # submitted 2026-08-17: before the window
    assert found(report, "missing-material") == []


def test_required_field_holding_an_excel_error_is_a_finding(tmp_path):
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("备案台账")
    ws.write_row(0, 0, ["备案编号", "活动名称", "平台", "主体名称", "状态"])
    ws.write_row(1, 0, ["A-1"])
    ws.write_formula(1, 1, "=NA()", None, "#N/A")
    ws.write_row(1, 2, ["微信", "公司", "草稿"])
    wb.close()
    report = validate(build_context(read_book(path), system_today=TODAY))
    missing = [f for f in report.findings if f.code == "missing-value"]
    assert [[f.row, f.field] for f in missing] == [[2, "活动名称"]] and "#N/A" in missing[0].message


def test_every_registered_validate_code_has_a_test_here():
    from pyaddin.findings import DEADLINE_CODES, codes

    source = open(__file__, encoding="utf-8").read()
    for code in set(codes()) - DEADLINE_CODES:
        if code.startswith(("archive-", "template-", "empty-", "robot-", "person-", "notify-", "output-")):  # notify: test_notify.py
            continue
        assert f'"{code}"' in source, code



def test_bad_link(tmp_path):
    report = run(tmp_path, [{"备案编号": "A"}, {"备案编号": "B", "原备案编号": "NOPE"}], headers=[*CLEAN, "原备案编号"])
    assert found(report, "bad-link") == [[3, "原备案编号", "bad-link"]]


def test_rejection_pattern(tmp_path):
    rejected = {"状态": "已驳回", "备案号": None, "通过日期": None, "审核意见": "含绝对化用语“最佳”",
                "反馈日期": date(2026, 11, 10)}
    draft = {"备案编号": "B", "状态": "草稿", "备案号": None, "通过日期": None, "提交日期": None}
    report = run(tmp_path, [rejected, draft], headers=[*CLEAN, "审核意见", "反馈日期"])
    assert found(report, "rejection-pattern") == [[3, "状态", "rejection-pattern"]]


def test_rule_changed(tmp_path):
    from pyaddin.actions import check
    from pyaddin.adapters.files import FileReader
    from pyaddin.loader import open_context

    rules = [["规则编号", "平台", "创意形式", "行业", "收集个人信息", "要求", "级别"],
             ["T-1", "微信", "*", "*", "*", "营业执照", "error"]]
    draft = {"状态": "草稿", "备案号": None, "通过日期": None, "提交日期": None}
    path = write_tracker(tmp_path / "t.xlsx", [draft], extra_sheets={"平台规则": rules})
    history = tmp_path / "history"
    check.run(open_context(FileReader(), path, today=TODAY), history_dir=history)
    rules[1][6] = "warning"
    write_tracker(path, [draft], extra_sheets={"平台规则": rules})
    report = check.run(open_context(FileReader(), path, today=TODAY), history_dir=history).report
    assert found(report, "rule-changed") == [[2, None, "rule-changed"]]
