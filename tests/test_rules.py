"""The 平台规则 decision table: wildcards, lists, effective windows, and bad rows skipped one by one."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers import CLEAN

from pyaddin.compliance.rules import applies, load_rules, row_dates
from pyaddin.tracker.book import Book, Sheet
from pyaddin.tracker.catalog import load_catalog
from pyaddin.tracker.reading import read_tracker
from pyaddin.tracker.settings import load_settings

TODAY = date(2026, 11, 20)
RULES_CSV = Path(__file__).resolve().parent.parent / "pyaddin" / "data" / "platform_rules.csv"
RULE_HEADER = ["规则编号", "平台", "创意形式", "行业", "收集个人信息", "要求", "级别", "说明", "依据", "已核实",
               "生效日期", "失效日期"]


def rule(id: str, **cells) -> dict:
    """One rule row; columns not given are empty (= any)."""
    return {"规则编号": id, "要求": "联系电话", **cells}


def book(rules: list[dict], tracker: list[dict] | None = None) -> Book:
    sheets = {"平台规则": Sheet("平台规则", [RULE_HEADER, *([r.get(c) for c in RULE_HEADER] for r in rules)])}
    if tracker is not None:
        headers = list(CLEAN)
        sheets["备案台账"] = Sheet("备案台账", [headers, *([{**CLEAN, **r}.get(h) for h in headers] for r in tracker)])
    return Book(sheets)


def loaded(rules: list[dict]):
    b = book(rules)
    return load_rules(b, load_catalog(b))


def matches(rules: list[dict], tracker: list[dict], today: date = TODAY) -> dict[str, list[int]]:
    """Rule id → the Excel rows of the tracker it applies to."""
    b = book(rules, tracker)
    catalog = load_catalog(b)
    ruleset = load_rules(b, catalog)
    assert ruleset.findings == []
    df = read_tracker(b, catalog, load_settings(b)).df
    dates = row_dates(df, today)
    return {r.id: list(df.index[applies(r, df, dates, df["forms"].explode())]) for r in ruleset.rules}


def test_the_packaged_rules_load_whole_and_clean():
    with RULES_CSV.open(encoding="utf-8") as fh:
        ids = [r["规则编号"] for r in csv.DictReader(fh)]
    ruleset = load_rules(None, load_catalog(None))
    assert ruleset.source == "default" and ruleset.findings == []
    assert [r.id for r in ruleset.rules] == ids


def test_a_sheet_without_a_rules_header_falls_back_to_the_packaged_rules():
    b = Book({"平台规则": Sheet("平台规则", [["随便写的"], ["内容"]])})
    assert load_rules(b, load_catalog(b)).source == "default"


def test_a_team_rules_sheet_replaces_the_packaged_rules():
    ruleset = loaded([rule("T-1")])
    assert ruleset.source == "workbook"
    assert [(r.id, r.row) for r in ruleset.rules] == [("T-1", 2)]


@pytest.mark.parametrize("wildcard", ["*", "＊", "", None, "全部", "任意"])
def test_a_wildcard_or_empty_condition_matches_every_row(wildcard):
    tracker = [{}, {"平台": "抖音", "创意形式": "直播", "行业": "医疗", "收集个人信息": "是"},
               {"平台": "快手", "创意形式": None, "行业": None, "收集个人信息": None}]
    cells = {c: wildcard for c in ("平台", "创意形式", "行业", "收集个人信息")}
    assert matches([rule("ANY", **cells)], tracker) == {"ANY": [2, 3, 4]}


def test_a_list_in_a_cell_matches_any_of_its_values_by_alias():
    tracker = [{"平台": "公众号", "行业": "医美"}, {"平台": "抖音", "行业": "药品"}, {"平台": "快手", "行业": "医疗"},
               {"平台": "微博", "行业": "快消"}]
    rules = [rule("P", 平台="微信、抖音|快手"), rule("I", 行业="医疗，药"), rule("PI", 平台="wechat/douyin", 行业="医疗;药品")]
    assert matches(rules, tracker) == {"P": [2, 3, 4], "I": [2, 3, 4], "PI": [2, 3]}


def test_a_form_condition_matches_a_row_naming_that_form_among_several():
    tracker = [{"创意形式": "H5、抽奖"}, {"创意形式": "直播"}, {"创意形式": "抽奖活动"}, {"创意形式": None}]
    assert matches([rule("LOT", 创意形式="抽奖"), rule("LIVE-OR-H5", 创意形式="直播、H5")], tracker) == {
        "LOT": [2, 4], "LIVE-OR-H5": [2, 3]}


def test_a_personal_information_condition_matches_only_rows_that_say_so():
    tracker = [{"收集个人信息": "是"}, {"收集个人信息": "否"}, {"收集个人信息": None}]
    assert matches([rule("YES", 收集个人信息="是"), rule("NO", 收集个人信息="否")], tracker) == {
        "YES": [2], "NO": [3]}


def test_an_effective_window_includes_both_ends():
    tracker = [{"提交日期": date(2026, 8, 31)}, {"提交日期": date(2026, 9, 1)}, {"提交日期": date(2026, 9, 30)},
               {"提交日期": date(2026, 10, 1)}]
    rules = [rule("WINDOW", 生效日期="2026-09-01", 失效日期=datetime(2026, 9, 30)),
             rule("FROM", 生效日期="2026年9月1日"), rule("UNTIL", 失效日期=date(2026, 9, 30))]
    assert matches(rules, tracker) == {"WINDOW": [3, 4], "FROM": [3, 4, 5], "UNTIL": [2, 3, 4]}


def test_the_window_is_checked_against_the_submitted_date_else_launch_date_else_today():
    tracker = [
        {"提交日期": date(2026, 8, 15), "计划上线日期": date(2026, 10, 1)},
        {"提交日期": None, "计划上线日期": date(2026, 10, 1)},
        {"提交日期": None, "计划上线日期": None},
    ]
    b = book([], tracker)
    df = read_tracker(b, load_catalog(b), load_settings(b)).df
    assert list(row_dates(df, TODAY)) == [date(2026, 8, 15), date(2026, 10, 1), TODAY]
    rules = [rule("SEP", 生效日期="2026-09-01"), rule("NOV", 生效日期="2026-11-01")]
    assert matches(rules, tracker) == {"SEP": [3, 4], "NOV": [4]}
    assert matches(rules, tracker, today=date(2026, 10, 15)) == {"SEP": [3, 4], "NOV": []}


def test_requirements_name_a_material_or_a_field_by_header_or_alias():
    ruleset = loaded([rule("M", 要求="营业执照"), rule("F", 要求="联系电话"), rule("A", 要求="手机"),
                      rule("K", 要求="privacy_url")])
    assert [(r.id, r.is_material, r.target_name) for r in ruleset.rules] == [
        ("M", True, "营业执照"), ("F", False, "联系电话"), ("A", False, "联系电话"), ("K", False, "隐私政策链接")]


@pytest.mark.parametrize(("word", "severity"), [
    ("error", "error"), ("ERROR", "error"), ("错误", "error"), ("warning", "warning"), ("警告", "warning"),
    ("info", "info"), ("提示", "info"), (None, "error"),
])
def test_severity_words_in_english_or_chinese_and_error_when_empty(word, severity):
    assert loaded([rule("S", 级别=word)]).rules[0].severity == severity


def test_a_rule_without_an_id_is_named_by_its_row():
    ruleset = loaded([rule("A"), rule(None, 平台="推特")])
    assert [f.rule for f in ruleset.findings] == ["第3行"]
    assert "规则第3行" in ruleset.findings[0].message


BAD_CELLS = [
    ("平台", "推特"), ("平台", "微信、推特"), ("创意形式", "快闪"), ("行业", "航天"), ("收集个人信息", "也许"),
    ("要求", "幸运数字"), ("要求", None), ("级别", "critical"), ("生效日期", "下个月"), ("失效日期", "2026-02-30"),
]


@pytest.mark.parametrize(("column", "value"), BAD_CELLS)
def test_a_bad_cell_is_a_bad_rule_finding_on_that_cell_and_only_its_rule_is_skipped(column, value):
    ruleset = loaded([rule("GOOD-1"), rule("BAD", **{column: value}), rule("GOOD-2", 平台="抖音")])
    assert [r.id for r in ruleset.rules] == ["GOOD-1", "GOOD-2"]
    assert [(f.code, f.severity, f.sheet, f.row, f.column, f.field, f.rule, f.value) for f in ruleset.findings] == [
        ("bad-rule", "error", "平台规则", 3, RULE_HEADER.index(column), column, "BAD", value)]
    message = ruleset.findings[0].message
    assert "BAD" in message and "已跳过" in message and (value is None or str(value).split("、")[-1] in message)


def test_every_bad_cell_of_a_row_is_reported():
    ruleset = loaded([rule("BAD", 平台="推特", 行业="航天", 级别="严重")])
    assert ruleset.rules == []
    assert [(f.row, f.field) for f in ruleset.findings] == [(2, "平台"), (2, "行业"), (2, "级别")]


def test_every_packaged_rule_marked_verified_carries_its_check_date():
    # a 已核实 = 是 rule without 核对日期 can never go stale (rule-stale), so the claim would never be re-checked
    import csv
    from importlib.resources import files

    rows = list(csv.DictReader(files("pyaddin.data").joinpath("platform_rules.csv").read_text(encoding="utf-8")
                               .splitlines()))
    verified = [r for r in rows if r["已核实"] == "是"]
    assert verified and [r["规则编号"] for r in verified if not r["核对日期"]] == []
    assert all(r["核对日期"] <= "2026-12-05" for r in verified)
