"""Hard bans and minors (docs/rules.md, issue 23 item 3): 处方药 and 烟草/电子烟 never on the internet,
the minors list with 特医食品, 美容 and (as a warning) 游戏, children's data under the sensitive-data
rules, and the 行业 table as a sheet the team edits. Each case on a minimal workbook in tmp_path."""

from datetime import date

from helpers import CLEAN, write_tracker

from pyaddin.adapters.files import read_book
from pyaddin.compliance.validate import validate
from pyaddin.run.build import build_context

TODAY = date(2026, 11, 20)
INDUSTRY_HEADER = ["行业", "别名", "需审查广告", "禁向未成年人", "禁止互联网广告", "依据"]


def run(tmp_path, rows, **kw):
    path = write_tracker(tmp_path / "t.xlsx", rows, **kw)
    return validate(build_context(read_book(path), system_today=TODAY))


def found(report, code):
    return [(f.row, f.field, f.severity) for f in report.findings if f.code == code]


def test_prescription_drugs_and_tobacco_are_banned_on_the_internet(tmp_path):
    rows = [{"备案编号": f"BA-{i}", "行业": industry} for i, industry in
            enumerate(["处方药", "烟草", "电子烟", "药品", "快消"], start=1)]
    report = run(tmp_path, rows)
    assert found(report, "prohibited-ad") == [(2, "行业", "error"), (3, "行业", "error"), (4, "行业", "error")]
    messages = [f.message for f in report.findings if f.code == "prohibited-ad"]
    assert "《互联网广告管理办法》" in messages[0] and "《广告法》第15条" in messages[0]
    assert "《广告法》第22条" in messages[1] and "无法通过" in messages[2]


def test_a_prescription_column_marks_a_drug_row_banned(tmp_path):
    rows = [{"备案编号": "BA-1", "行业": "药品", "处方药": "是"}, {"备案编号": "BA-2", "行业": "药品", "处方药": "否"},
            {"备案编号": "BA-3", "行业": "处方药", "处方药": "是"}]
    report = run(tmp_path, rows, headers=[*CLEAN, "行业", "处方药"])
    # BA-3 is reported once, on its 行业
    assert found(report, "prohibited-ad") == [(2, "处方药", "error"), (4, "行业", "error")]


def test_minors_list_has_special_medical_food_and_beauty_and_games_are_a_warning(tmp_path):
    rows = [{"备案编号": f"BA-{i}", "行业": industry, "面向未成年人": minors} for i, (industry, minors) in
            enumerate([("特医食品", "是"), ("美容", "是"), ("游戏", "是"), ("游戏", "否"), ("快消", "是")], start=1)]
    report = run(tmp_path, rows, headers=[*CLEAN, "行业", "面向未成年人"])
    assert found(report, "prohibited-for-minors") == [
        (2, "面向未成年人", "error"), (3, "面向未成年人", "error"), (4, "面向未成年人", "warning")]
    game = next(f.message for f in report.findings if f.code == "prohibited-for-minors" and f.row == 4)
    assert "不利于未成年人身心健康" in game


def test_childrens_data_gets_the_sensitive_data_rules(tmp_path):
    headers = [*CLEAN, "面向未成年人", "隐私政策链接", "用户授权机制", "监护人同意机制"]
    child = {"收集个人信息": "是", "面向未成年人": "是", "隐私政策链接": None, "用户授权机制": None,
             "监护人同意机制": "家长短信确认"}
    rows = [{"备案编号": "BA-1", **child}, {"备案编号": "BA-2", **child, "面向未成年人": "否"},
            {"备案编号": "BA-3", **child, "收集个人信息": "否"}]
    report = run(tmp_path, rows, headers=headers)
    rules = {(f.row, f.rule) for f in report.findings if f.code == "missing-field"}
    assert {(2, "PI-04"), (2, "PI-05")} <= rules
    assert not {r for r in rules if r[0] in (3, 4) and r[1] in ("PI-04", "PI-05")}


def test_the_industry_sheet_replaces_the_packaged_table_and_a_bad_cell_is_reported(tmp_path):
    sheet = [INDUSTRY_HEADER,
             ["快消", "", "否", "否", "否", ""],
             ["游戏", "手游", "否", "是", "否", "团队内控：游戏一律不面向未成年人"],
             ["盲盒", "", "否", "也许", "是", "团队内控"]]
    rows = [{"备案编号": "BA-1", "行业": "手游", "面向未成年人": "是"}, {"备案编号": "BA-2", "行业": "盲盒"}]
    report = run(tmp_path, rows, headers=[*CLEAN, "行业", "面向未成年人"], extra_sheets={"行业": sheet})
    assert found(report, "prohibited-for-minors") == [(2, "面向未成年人", "error")]
    assert "团队内控" in next(f.message for f in report.findings if f.code == "prohibited-for-minors")
    assert found(report, "prohibited-ad") == [(3, "行业", "error")]
    # the default rules naming industries this short table lacks are bad-rule findings of their own
    bad = [(f.sheet, f.row, f.field) for f in report.findings if f.code == "bad-rule" and f.sheet == "行业"]
    assert bad == [("行业", 4, "禁向未成年人")]
    # 处方药 is not in the team's table: an unknown industry, not a ban
    other = run(tmp_path, [{"行业": "处方药"}], headers=[*CLEAN, "行业"], extra_sheets={"行业": sheet})
    assert found(other, "prohibited-ad") == [] and found(other, "unknown-value")


def test_the_built_workbook_carries_the_industry_sheet_the_catalog_reads(tmp_path):
    from pyaddin.excel.build import build_workbook
    from pyaddin.tracker.catalog import load_catalog

    path = tmp_path / "beian.xlsm"
    build_workbook(path)
    catalog = load_catalog(read_book(path))
    assert catalog.sources["行业"] == "workbook" and catalog.findings == []
    assert {"处方药", "烟草", "电子烟"} == set(catalog.internet_banned)
    assert {"特医食品", "美容"} <= catalog.minors_banned and catalog.minors_warned == {"游戏"}


def test_no_letter_for_a_banned_ad(tmp_path):
    from pyaddin.documents.refusal import blocking_errors

    path = write_tracker(tmp_path / "t.xlsx", [{"行业": "电子烟"}, {"备案编号": "BA-2"}], headers=[*CLEAN, "行业"])
    ctx = build_context(read_book(path), system_today=TODAY)
    refused = blocking_errors(ctx, validate(ctx).findings)
    assert [f.code for f in refused[2]] == ["prohibited-ad"] and 3 not in refused
