"""One test per validate finding code, each on a minimal workbook built in tmp_path."""

from datetime import date, timedelta

import pytest
from helpers import CLEAN, write_tracker

from pyaddin.adapters.files import read_book
from pyaddin.compliance.validate import validate
from pyaddin.run.build import build_context

TODAY = date(2026, 11, 20)
LICENSES = [["主体名称", "统一社会信用代码", "资质类型", "有效期至"],
            ["上海星河数字科技有限公司", "91310110666007217T", "营业执照", "长期"],
            ["北京云帆文化传媒有限公司", "911101055923456781", "营业执照", "长期"]]


SETUP_NOTES = {"rule-unverified"}
"""The packaged rules are examples marked 已核实 = 否: each says so once per run (tested below)."""


def run(tmp_path, rows, **kw):
    path = write_tracker(tmp_path / "t.xlsx", rows, **kw)
    report = validate(build_context(read_book(path), system_today=TODAY))
    report.findings = [f for f in report.findings if f.code not in SETUP_NOTES]
    return report


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


def test_a_60000_coupon_is_not_a_lottery_prize(tmp_path):
    # an activity still running: on a past coupon the note is history and is not said
    report = run(tmp_path, [{"创意形式": "优惠券", "最高奖金额": 60000, "兑换规则": "是", "抽奖规则": "是",
                             "活动结束日期": TODAY + timedelta(days=30)}],
                 headers=[*CLEAN, "最高奖金额", "兑换规则", "抽奖规则"])
    assert found(report, "prize-over-limit") == []
    assert found(report, "prize-without-draw") == [[2, "最高奖金额", "prize-without-draw"]]


def test_the_platforms_own_prize_cap_applies_when_lower_than_settings(tmp_path):
    platforms = [["平台", "别名", "审核周期(工作日)", "提前量(工作日)", "单奖上限(元)"], ["微博", "weibo", 5, 2, 5000],
                 ["微信", "wechat", 7, 2, None]]
    rows = [{"平台": "微博", "创意形式": "抽奖", "最高奖金额": 8000, "抽奖规则": "是"},
            {"备案编号": "BA-2", "创意形式": "抽奖", "最高奖金额": 8000, "抽奖规则": "是", "备案号": "WX2026110002"}]
    report = run(tmp_path, rows, headers=[*CLEAN, "最高奖金额", "抽奖规则"], extra_sheets={"平台": platforms})
    hits = [f for f in report.findings if f.code == "prize-over-limit"]
    assert [[f.row, f.field, f.severity] for f in hits] == [[2, "最高奖金额", "error"]]
    assert "微博的单奖上限" in hits[0].message and "5,000" in hits[0].message and "非抽奖" not in hits[0].message


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


def approved(n: int, **over) -> dict:
    return {"备案编号": f"BA-{n}", "备案号": f"WX20261100{n:02d}", **over}


def test_approval_number_format_is_learned_from_five_agreeing_approved_numbers(tmp_path):
    rows = [approved(n) for n in range(1, 6)] + [approved(6, 备案号="WX-1")]
    report = run(tmp_path, rows)
    assert found(report, "approval-no-format") == [[7, "备案号", "approval-no-format"]]
    (message,) = [f.message for f in report.findings if f.code == "approval-no-format"]
    assert "12 位：2 个字母 + 10 位数字" in message and "4 位：2 个字母 + “-” + 1 位数字" in message
    assert "\\d" not in message and "^" not in message  # words, never a regex


def test_fewer_than_five_approved_numbers_or_no_agreement_teach_no_format(tmp_path):
    four = [approved(n) for n in range(1, 5)] + [approved(5, 备案号="WX-1")]
    assert found(run(tmp_path, four), "approval-no-format") == []
    split = [approved(n) for n in range(1, 6)] + [approved(n, 备案号=f"WX-{n}") for n in range(6, 10)]
    assert found(run(tmp_path, split), "approval-no-format") == []


def test_a_team_pattern_in_the_platform_sheet_still_wins(tmp_path):
    platforms = [["平台", "别名", "审核周期(工作日)", "提前量(工作日)", "备案号格式"], ["微信", "", 7, 2, r"^WX-\d+$"]]
    report = run(tmp_path, [{"备案号": "WX2026110001"}], extra_sheets={"平台": platforms})
    assert found(report, "approval-no-format") == [[2, "备案号", "approval-no-format"]]


def test_prohibited_ad(tmp_path):
    report = run(tmp_path, [{"行业": "烟草"}, {"备案编号": "BA-2", "行业": "快消"}], headers=[*CLEAN, "行业"])
    assert found(report, "prohibited-ad") == [[2, "行业", "prohibited-ad"]]


def test_forbidden_form(tmp_path):
    # WX-01: 微信 does not allow rewards for sharing; the same 助力 on 抖音 is not this rule's
    report = run(tmp_path, [{"创意形式": "助力"}, {"备案编号": "BA-2", "平台": "抖音", "创意形式": "助力",
                                               "备案号": "DY2026110002"}])
    assert found(report, "forbidden-form") == [[2, "创意形式", "forbidden-form"]]
    assert [f.rule for f in report.findings if f.code == "forbidden-form"] == ["WX-01"]


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


def test_sensitive_information_without_collecting_is_pi_inconsistent(tmp_path):
    headers = [*CLEAN, "敏感个人信息", "隐私政策链接", "用户授权机制"]
    report = run(tmp_path, [{"敏感个人信息": "是", "收集个人信息": "否", "隐私政策链接": "https://a.cn/p",
                             "用户授权机制": "单独弹窗同意"},
                            {"备案编号": "BA-2", "敏感个人信息": "否", "收集个人信息": "否"}], headers=headers)
    assert [[f.row, f.field, f.code, f.severity] for f in report.findings] == [
        [2, "敏感个人信息", "pi-inconsistent", "error"]]


def test_sensitive_information_needs_its_own_consent_rule(tmp_path):
    headers = [*CLEAN, "敏感个人信息", "隐私政策链接", "用户授权机制", "隐私政策"]
    report = run(tmp_path, [{"敏感个人信息": "是", "收集个人信息": "是", "隐私政策链接": "https://a.cn/p",
                             "隐私政策": "是"}], headers=headers)
    assert [[f.row, f.field, f.code, f.rule] for f in report.findings] == [
        [2, "用户授权机制", "missing-field", "PI-02"], [2, "用户授权机制", "missing-field", "PI-05"]]


def test_minors_need_guardian_consent_when_data_is_collected(tmp_path):
    headers = [*CLEAN, "儿童", "监护人同意机制", "隐私政策链接", "用户授权机制", "隐私政策"]
    base = {"收集个人信息": "是", "隐私政策链接": "https://a.cn/p", "用户授权机制": "勾选同意", "隐私政策": "是"}
    report = run(tmp_path, [{**base, "儿童": "是"},
                            {**base, "备案编号": "BA-2", "儿童": "是", "监护人同意机制": "家长短信验证"},
                            {**base, "备案编号": "BA-3", "儿童": "否"}], headers=headers)
    assert [[f.row, f.field, f.code, f.rule, f.severity] for f in report.findings] == [
        [2, "监护人同意机制", "missing-field", "PI-06", "error"]]


@pytest.mark.parametrize(("industry", "expected"), [("医疗", True), ("美妆", True), ("酒类", True), ("保健食品", True),
                                                    ("快消", False), ("教育", False)])
def test_advertising_law_article_40_industries_are_prohibited_for_minors(tmp_path, industry, expected):
    report = run(tmp_path, [{"行业": industry, "面向未成年人": "是", "行业许可证明": "是"},
                            {"备案编号": "BA-2", "行业": industry, "面向未成年人": "否", "行业许可证明": "是"}],
                 headers=[*CLEAN, "面向未成年人", "行业许可证明"])
    hits = [[f.row, f.field, f.severity] for f in report.findings if f.code == "prohibited-for-minors"]
    assert hits == ([[2, "面向未成年人", "error"]] if expected else [])


def test_mini_program_needs_an_icp_filing(tmp_path):
    report = run(tmp_path, [{"创意形式": "小程序", "ICP备案证明": "否"}], headers=[*CLEAN, "ICP备案证明"])
    assert [[f.row, f.field, f.code, f.rule, f.severity] for f in report.findings] == [
        [2, "ICP备案证明", "missing-material", "ICP-02", "warning"]]


RULE_HEADER = ["规则编号", "平台", "创意形式", "行业", "收集个人信息", "敏感个人信息", "面向未成年人", "要求", "级别",
               "说明", "依据", "已核实", "核对日期"]


def test_unverified_and_stale_rules_each_give_one_setup_finding_with_their_open_filings(tmp_path):
    rules = [RULE_HEADER,
             ["T-1", "微信", "*", "*", "*", "*", "*", "活动名称", "warning", "", "团队", "否", ""],
             ["T-2", "*", "*", "*", "*", "*", "*", "活动名称", "warning", "", "团队", "是", date(2026, 1, 1)],
             ["T-3", "*", "*", "*", "*", "*", "*", "活动名称", "warning", "", "团队", "是", date(2026, 10, 1)]]
    rows = [{"活动结束日期": date(2026, 12, 31)},                               # open, 微信
            {"备案编号": "BA-2", "平台": "抖音", "活动结束日期": date(2026, 12, 31)},  # open, 抖音
            {"备案编号": "BA-3", "活动结束日期": date(2026, 10, 1)},                 # ended
            {"备案编号": "BA-4", "状态": "已撤回"}]                                 # closed
    path = write_tracker(tmp_path / "t.xlsx", rows, extra_sheets={"平台规则": rules})
    report = validate(build_context(read_book(path), system_today=TODAY))
    notes = sorted([f.sheet, f.row, f.field, f.code, f.rule, f.severity] for f in report.findings
                   if f.code in ("rule-unverified", "rule-stale"))
    assert notes == [["平台规则", 2, "已核实", "rule-unverified", "T-1", "info"],
                     ["平台规则", 3, "核对日期", "rule-stale", "T-2", "warning"]]
    unverified = next(f for f in report.findings if f.code == "rule-unverified")
    stale = next(f for f in report.findings if f.code == "rule-stale")
    assert report.findings[-1] is unverified  # notes about rules come after the rows' problems
    assert "1 个未结束的备案" in unverified.message
    assert "2 个未结束的备案" in stale.message and "180" in stale.message


def test_rule_review_days_come_from_settings(tmp_path):
    rules = [RULE_HEADER, ["T-3", "*", "*", "*", "*", "*", "*", "活动名称", "warning", "", "团队", "是", date(2026, 10, 1)]]
    path = write_tracker(tmp_path / "t.xlsx", [{}], extra_sheets={"平台规则": rules,
                                                                 "设置": [["项目", "值"], ["规则复核天数", 30]]})
    report = validate(build_context(read_book(path), system_today=TODAY))
    assert [(f.code, f.rule) for f in report.findings] == [("rule-stale", "T-3")]


def test_packaged_unverified_rules_are_one_finding_listing_those_that_apply(tmp_path):
    running = {"活动结束日期": date(2026, 12, 31)}
    path = write_tracker(tmp_path / "t.xlsx", [{**running, "创意形式": "H5", "抽奖规则": "是"},
                                               {**running, "备案编号": "BA-2", "创意形式": "小程序"}],
                         headers=[*CLEAN, "抽奖规则"])
    report = validate(build_context(read_book(path), system_today=TODAY))
    (note,) = [f for f in report.findings if f.code == "rule-unverified"]
    assert note.sheet == "平台规则" and note.row is None and note.severity == "info" and note.rule is None
    assert "BASE-01（2 个）" in note.message and "ICP-02（1 个）" in note.message
    # rules no open filing meets stay out: no draw or prize, no live stream, no 微博 here
    assert "LOT-01" not in note.message and "LIVE-01" not in note.message and "WB-01" not in note.message
    assert "PI-01" not in note.message  # verified


def test_no_unverified_note_when_no_open_filing_meets_an_unverified_rule(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{}])  # the one activity ended on 2026-09-30
    report = validate(build_context(read_book(path), system_today=TODAY))
    assert [f for f in report.findings if f.code == "rule-unverified"] == []


def test_a_pinned_today_is_never_silent(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{}], extra_sheets={"设置": [["项目", "值"], ["今天", "2026-11-20"]]})
    pinned = build_context(read_book(path), system_today=date(2026, 12, 1))
    hits = [f for f in validate(pinned).findings if f.code == "today-pinned"]
    assert [[f.sheet, f.row, f.field, f.severity] for f in hits] == [["设置", 2, "值", "info"]]
    assert "2026-11-20" in hits[0].message
    same = build_context(read_book(path), system_today=TODAY)
    assert [f for f in validate(same).findings if f.code == "today-pinned"] == []
    argument = build_context(read_book(path), system_today=TODAY, today=date(2026, 11, 1))
    hits = [f for f in validate(argument).findings if f.code == "today-pinned"]
    assert [[f.sheet, f.row] for f in hits] == [[None, None]] and "--today" in hits[0].message


def test_sheet_unreadable_names_the_sheet_what_failed_and_what_replaced_it(tmp_path):
    """The reader records a sheet it could not parse (tests/test_unreadable_sheets.py cuts real XML)."""
    book = read_book(write_tracker(tmp_path / "t.xlsx", [{}]))
    book.unreadable["平台规则"] = "工作表的 XML 结构不完整"
    book.unreadable["备忘"] = "工作表的 XML 结构不完整"
    report = validate(build_context(book, system_today=TODAY))
    hits = [(f.sheet, f.severity) for f in report.findings if f.code == "sheet-unreadable"]
    assert hits == [("平台规则", "error"), ("备忘", "warning")]
    message = next(f.message for f in report.findings if f.code == "sheet-unreadable")
    assert "XML 结构不完整" in message and "内置的平台规则" in message


def test_every_registered_validate_code_has_a_test_here():
    from pyaddin.run.findings import DEADLINE_CODES, codes

    source = open(__file__, encoding="utf-8").read()
    for code in set(codes()) - DEADLINE_CODES:
        if code.startswith(("archive-", "template-", "empty-", "robot-", "person-", "notify-", "output-")):  # notify: test_notify.py
            continue
        if code.startswith("material-") or code in {"copy-term", "image-too-small"}:  # 材料预检: test_precheck.py
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
    from pyaddin.actions.loader import open_context
    from pyaddin.adapters.files import FileReader

    rules = [["规则编号", "平台", "创意形式", "行业", "收集个人信息", "要求", "级别"],
             ["T-1", "微信", "*", "*", "*", "营业执照", "error"]]
    # a draft whose activity has not ended: an open filing, which is what a rule change reaches
    # lacking the 营业执照 the rule asks for: a filing that met it would need no word about the change
    draft = {"状态": "草稿", "备案号": None, "通过日期": None, "提交日期": None, "活动结束日期": date(2099, 1, 31),
             "营业执照": "否"}
    path = write_tracker(tmp_path / "t.xlsx", [draft], extra_sheets={"平台规则": rules})
    check.run(open_context(FileReader(), path, today=TODAY), keep_history=True)
    rules[1][6] = "warning"
    write_tracker(path, [draft], extra_sheets={"平台规则": rules})
    report = check.run(open_context(FileReader(), path, today=TODAY), keep_history=True).report
    assert found(report, "rule-changed") == [[2, None, "rule-changed"]]
