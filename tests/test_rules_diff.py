"""Rule-change impact on a v1 → v2 rules fixture: `rules-diff` lists exactly the changed rules and
the open filings they hit; `check` warns `rule-changed` once per change, not on every run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from helpers import write_tracker

from pyaddin.cli.main import main
from pyaddin.compliance.rules_diff import rule_rows, snapshot_name, to_csv_text

HEADERS = ["备案编号", "活动名称", "平台", "创意形式", "行业", "主体名称", "收集个人信息", "隐私政策链接", "状态",
           "提交日期", "通过日期", "备案号", "活动结束日期", "营业执照", "活动方案", "创意物料", "安全承诺书", "原备案编号"]
RULE_HEADER = ["规则编号", "平台", "创意形式", "行业", "收集个人信息", "要求", "级别", "说明", "依据", "已核实", "生效日期", "失效日期"]
UNDECIDED = {"通过日期": None, "备案号": None, "提交日期": None, "活动结束日期": date(2027, 3, 31)}
ROWS = [
    {"备案编号": "O-1", "平台": "抖音", "创意形式": "短视频", "状态": "草稿", **UNDECIDED},
    {"备案编号": "O-2", "平台": "抖音", "创意形式": "H5", "状态": "审核中", **UNDECIDED, "提交日期": date(2026, 11, 18)},
    {"备案编号": "O-3", "平台": "微信", "创意形式": "H5", "状态": "已通过", "活动结束日期": date(2026, 12, 31)},
    {"备案编号": "C-1", "平台": "抖音", "创意形式": "短视频", "状态": "已通过", "活动结束日期": date(2026, 9, 30)},
    {"备案编号": "C-2", "平台": "抖音", "创意形式": "短视频", "状态": "已撤回", **UNDECIDED},
    {"备案编号": "C-3", "平台": "微信", "创意形式": "H5", "状态": "已驳回", **UNDECIDED, "原备案编号": None},
    {"备案编号": "O-4", "平台": "小红书", "创意形式": "图文", "状态": "待提交", "收集个人信息": "是", **UNDECIDED},
    # rejected and not resubmitted: still headed for launch, so open, as check and rule-stale count it
    {"备案编号": "O-5", "平台": "微信", "创意形式": "H5", "状态": "已驳回", **UNDECIDED},
    {"备案编号": "C-4", "平台": "抖音", "创意形式": "短视频", "状态": "草稿", **UNDECIDED,
     "活动结束日期": date(2026, 10, 31)},  # the activity ended: no rule change reaches it
    {"备案编号": "O-6", "平台": "微信", "创意形式": "H5", "状态": "草稿", **UNDECIDED, "原备案编号": "C-3"},
]
V1 = [
    ["R-BASE", "*", "*", "*", "*", "营业执照", "error", "每个备案都须附营业执照", "", "否", "", ""],
    ["R-DY", "抖音", "短视频", "*", "*", "安全承诺书", "error", "抖音短视频须附承诺书", "", "否", "", ""],
    ["R-OLD", "微信", "*", "*", "*", "活动方案", "error", "微信须附活动方案", "", "否", "", ""],
    ["R-DESC", "小红书", "*", "*", "*", "营业执照", "error", "旧说明", "", "否", "", ""],
    ["R-SEV", "抖音", "*", "*", "*", "创意物料", "warning", "抖音须附创意物料", "", "否", "", ""],
]
V2 = [
    V1[0],
    ["R-DY", "抖音", "短视频、H5", "*", "*", "安全承诺书", "error", "抖音短视频须附承诺书", "", "否", "", ""],
    ["R-DESC", "小红书", "*", "*", "*", "营业执照", "error", "新说明", "", "否", "", ""],
    ["R-SEV", "抖音", "*", "*", "*", "创意物料", "error", "抖音须附创意物料", "", "否", "", ""],
    ["R-NEW", "*", "*", "*", "是", "隐私政策链接", "warning", "收集个人信息须附隐私政策链接", "", "否", "", ""],
]
TODAY = ["--today", "2026-11-20"]


def tracker(path: Path, rules: list[list] | None) -> Path:
    extra = {"平台规则": [RULE_HEADER, *rules]} if rules is not None else None
    return write_tracker(path, ROWS, headers=HEADERS, extra_sheets=extra)


def beian(*args) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [*map(str, args), "--json", *TODAY], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def changed(payload: dict) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["filing_id"]) for f in payload["findings"] if f["code"] == "rule-changed")


EXPECTED_WARNINGS = [("R-NEW", "O-4"), ("R-OLD", "O-3"), ("R-OLD", "O-5"), ("R-OLD", "O-6")]
"""Only what leaves a filing short (R-NEW: O-4 has no 隐私政策链接) or takes away a requirement it had
(R-OLD removed). R-DY now reaching O-2 and R-SEV's new level reach filings that already have the
material (every row ticks it): nothing to do, so no warning (docs/rules.md); rules-diff still lists them."""


def test_check_warns_rule_changed_once_per_change_and_affected_open_filing(tmp_path):
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    tracker(book, V1)
    assert changed(beian("check", book, "--out", out)[1]) == []  # the first run has nothing to compare with
    assert changed(beian("check", book, "--out", out)[1]) == []
    tracker(book, V2)
    _, payload = beian("check", book, "--out", out)
    assert changed(payload) == EXPECTED_WARNINGS
    assert all(f["severity"] == "warning" for f in payload["findings"] if f["code"] == "rule-changed")
    assert changed(beian("check", book, "--out", out)[1]) == []  # seen once, not on every run


def test_validate_between_keeps_a_snapshot_but_leaves_the_warning_to_the_next_check(tmp_path):
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    tracker(book, V1)
    beian("check", book, "--out", out)
    tracker(book, V2)
    _, validated = beian("validate", book, "--out", out)
    assert changed(validated) == []
    assert len(list((tmp_path / "beian-out" / "history" / "rules").glob("*.csv"))) == 2
    assert changed(beian("check", book, "--out", out)[1]) == EXPECTED_WARNINGS


def test_rules_from_another_workbook_are_followed_the_same_way(tmp_path):
    book, out = tracker(tmp_path / "台账.xlsx", None), tmp_path / "out"
    rules_v1 = tracker(tmp_path / "规则v1.xlsx", V1)
    rules_v2 = tracker(tmp_path / "规则v2.xlsx", V2)
    beian("check", book, "--rules", rules_v1, "--out", out)
    assert changed(beian("check", book, "--rules", rules_v2, "--out", out)[1]) == EXPECTED_WARNINGS


def test_rules_diff_lists_changes_field_by_field_and_exactly_the_affected_open_filings(tmp_path):
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    tracker(book, V1)
    beian("validate", book, "--out", out)
    v1 = sorted((tmp_path / "beian-out" / "history" / "rules").glob("*.csv"))[0].name
    tracker(book, V2)
    code, payload = beian("rules-diff", book, "--out", out, "--since", v1)
    assert code == 0 and payload["base"] == v1
    by_rule = {c["rule"]: c for c in payload["changes"]}
    assert {r: c["kind"] for r, c in by_rule.items()} == {
        "R-DY": "changed", "R-DESC": "changed", "R-SEV": "changed", "R-NEW": "added", "R-OLD": "removed"}
    assert by_rule["R-DY"]["fields"] == [{"field": "创意形式", "before": "短视频", "after": "H5、短视频"}]
    assert by_rule["R-SEV"]["fields"] == [{"field": "级别", "before": "warning", "after": "error"}]
    assert by_rule["R-DESC"]["fields"] == [{"field": "说明", "before": "旧说明", "after": "新说明"}]

    def hits(rule):
        return [(a["filing_id"], a["effect"], a["missing"]) for a in by_rule[rule]["affected"]]

    assert hits("R-DY") == [("O-2", "现在适用", "")]
    assert hits("R-SEV") == [("O-1", "要求已变", ""), ("O-2", "要求已变", "")]
    assert hits("R-NEW") == [("O-4", "现在适用", "“隐私政策链接”未填写")]
    assert hits("R-OLD") == [("O-3", "不再适用", ""), ("O-5", "不再适用", ""), ("O-6", "不再适用", "")]
    assert hits("R-DESC") == []  # a changed description changes no filing's requirements
    # the default comparison is with the previous version
    assert beian("rules-diff", book, "--out", out)[1]["changes"] == payload["changes"]


def test_a_level_change_reads_in_chinese_for_a_person(tmp_path):
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    tracker(book, V1)
    beian("validate", book, "--out", out)
    tracker(book, V2)
    result = CliRunner().invoke(main, ["rules-diff", str(book), "--out", str(out), *TODAY])
    assert "级别：警告 → 错误" in result.output
    assert "warning" not in result.output and "error" not in result.output


def test_since_a_date_before_any_snapshot_says_so_instead_of_comparing_the_first(tmp_path):
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    tracker(book, V1)
    beian("validate", book, "--out", out)
    tracker(book, V2)
    result = CliRunner().invoke(main, ["rules-diff", str(book), "--out", str(out), "--since", "2025-01-01", *TODAY])
    assert result.exit_code == 2 and result.stdout == ""
    assert "2025-01-01 之前没有规则快照" in result.stderr and "最早的一份" in result.stderr
    assert "Traceback" not in result.stderr


def test_since_a_date_that_does_not_exist_says_the_date_does_not_exist(tmp_path):
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    tracker(book, V1)
    beian("validate", book, "--out", out)
    result = CliRunner().invoke(main, ["rules-diff", str(book), "--out", str(out), "--since", "2026-02-30", *TODAY])
    assert result.exit_code == 2
    assert "日期“2026-02-30”不存在" in result.stderr and "找不到规则快照" not in result.stderr


def test_unchanged_rules_list_nothing(tmp_path):
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    tracker(book, V1)
    beian("check", book, "--out", out)
    # a cosmetic respelling (微信公众号 for 微信) is not a change
    tracker(book, [[*r[:1], "微信公众号" if r[1] == "微信" else r[1], *r[2:]] for r in V1])
    _, payload = beian("rules-diff", book, "--out", out)
    assert payload["changes"] == [] and payload["base"] is None
    assert changed(beian("check", book, "--out", out)[1]) == []


def test_an_upgrade_of_the_packaged_rules_is_a_change_too(tmp_path):
    book, out = tracker(tmp_path / "台账.xlsx", None), tmp_path / "out"
    beian("check", book, "--out", out)  # records the packaged defaults as seen
    rules_dir = tmp_path / "beian-out" / "history" / "rules"
    current = sorted(rules_dir.glob("0*.csv"))[-1]
    # pretend the previous release lacked BASE-05 (联系电话): rewrite history as that release left it
    from pyaddin.actions.loader import open_context
    from pyaddin.adapters.files import FileReader

    ctx = open_context(FileReader(), book, today=date(2026, 11, 20))
    old_rows = [r for r in rule_rows(ctx.rules) if r["规则编号"] != "BASE-05"]
    current.unlink()
    (rules_dir / "check_baseline.txt").unlink()
    (rules_dir / snapshot_name(1, date(2026, 1, 1), "default", "0" * 8)).write_text(to_csv_text(old_rows),
                                                                                    encoding="utf-8")
    (rules_dir / "check_baseline.txt").write_text("00000000\n", encoding="utf-8")
    _, payload = beian("check", book, "--out", out)
    warned = changed(payload)
    assert warned and {r for r, _ in warned} == {"BASE-05"}  # 联系电话: no row has the column
    assert {f for _, f in warned} == {"O-1", "O-2", "O-3", "O-4", "O-5", "O-6"}


def test_a_level_change_over_satisfied_filings_says_nothing_and_one_left_short_is_told(tmp_path):
    rules = [RULE_HEADER, ["R-LVL", "*", "*", "*", "*", "活动方案", "warning", "", "", "否", "", ""]]
    draft = {"状态": "草稿", **UNDECIDED, "平台": "抖音", "创意形式": "H5"}
    rows = [{**draft, "备案编号": f"S-{i:02d}", "活动方案": "是"} for i in range(46)]
    book, out = tmp_path / "台账.xlsx", tmp_path / "out"
    write_tracker(book, rows, headers=HEADERS, extra_sheets={"平台规则": rules})
    beian("check", book, "--out", out)
    rules[1][6] = "error"
    write_tracker(book, rows, headers=HEADERS, extra_sheets={"平台规则": rules})
    assert changed(beian("check", book, "--out", out)[1]) == []
    rules[1][6] = "warning"
    write_tracker(book, [*rows, {**draft, "备案编号": "SHORT", "活动方案": "否"}], headers=HEADERS,
                  extra_sheets={"平台规则": rules})
    assert changed(beian("check", book, "--out", out)[1]) == [("R-LVL", "SHORT")]
