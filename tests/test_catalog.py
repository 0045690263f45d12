"""The vocabularies: platforms and their aliases, statuses, header aliases, 字段映射, and 平台表 defaults."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pyaddin.tracker.book import Book, Sheet
from pyaddin.tracker.catalog import load_catalog
from pyaddin.tracker.reading import read_tracker
from pyaddin.tracker.settings import load_settings

DATA = Path(__file__).resolve().parent.parent / "pyaddin" / "data"
PLATFORM_HEADER = ["平台", "别名", "审核周期(工作日)", "提前量(工作日)", "备案号格式"]
TRACKER = [["备案编号", "活动名称", "投放渠道", "主体名称", "状态"],
           ["BA-1", "秋季上新", "公众号", "上海星河数字科技有限公司", "已通过"]]


def data_rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def book(**sheets: list[list]) -> Book:
    return Book({name: Sheet(name, rows) for name, rows in sheets.items()})


def test_without_team_sheets_the_packaged_platforms_and_materials_are_used():
    catalog = load_catalog(None)
    assert list(catalog.platforms) == [r["平台"] for r in data_rows("platforms.csv")]
    assert [m.name for m in catalog.materials] == [r["材料名称"] for r in data_rows("materials.csv")]
    assert catalog.sources == {"平台": "default", "材料": "default", "行业资质": "default", "行业": "default"}
    assert catalog.findings == []
    wechat = catalog.platforms["微信"]
    assert (wechat.review_days, wechat.lead_days) == (7, 2)
    # no invented 备案号 pattern ships (docs/rules.md): every shipped 备案号格式 is empty
    assert all(p.pattern is None for p in catalog.platforms.values())


@pytest.mark.parametrize(("typed", "platform"), [
    ("微信", "微信"), ("公众号", "微信"), (" WeChat ", "微信"), ("ＷＸ", "微信"), ("微信 小程序", "微信"),
    ("TikTok", "抖音"), ("哔哩哔哩", "B站"), ("tmall", "天猫"),
])
def test_platform_aliases_fold_case_width_and_spaces(typed, platform):
    assert load_catalog(None).platform_names.get(typed) == platform


def test_an_unknown_platform_is_not_guessed():
    names = load_catalog(None).platform_names
    assert names.get("推特") is None and "推特" not in names and "公众号" in names


def test_every_packaged_status_and_alias_reaches_its_status_and_stage():
    catalog = load_catalog(None)
    for r in data_rows("statuses.csv"):
        for spelling in [r["状态"], *filter(None, r["别名"].split("|"))]:
            assert catalog.statuses.get(spelling.upper()) == r["状态"], spelling
        assert catalog.status_stage[r["状态"]] == r["阶段"]
    assert catalog.statuses.get("差不多了") is None


def test_industry_and_form_aliases():
    catalog = load_catalog(None)
    assert [catalog.industries.get(t) for t in ("化妆品", "医美", "保险", "航天")] == ["美妆", "医疗", "金融", None]
    assert [catalog.forms.get(t) for t in ("h5页面", "Live", "转盘", "快闪")] == ["H5", "直播", "大转盘", None]


@pytest.mark.parametrize(("text", "key"), [
    ("平台", "platform"), ("投放渠道", "platform"), ("platform", "platform"), ("Channel", "platform"),
    ("预算（元）", "budget"), ("备案编号*", "filing_id"), ("收集个人信息", "collects_pi"),
])
def test_fields_are_named_by_header_alias_or_key(text, key):
    assert load_catalog(None).field_for_name(text).key == key


def test_a_tracker_header_alias_maps_to_its_field():
    b = book(备案台账=TRACKER)
    tracker = read_tracker(b, load_catalog(b), load_settings(b))
    assert tracker.columns["platform"] == 2 and tracker.headers["platform"] == "投放渠道"
    assert tracker.df.loc[2, "platform"] == "微信"


def test_a_team_platform_sheet_replaces_the_defaults_and_blank_cycles_take_the_settings_defaults():
    catalog = load_catalog(book(平台=[
        PLATFORM_HEADER,
        ["微信", "公众号", 10, 3, r"^WX\d+$"],
        ["视频号直播", "直播号|channels", None, "", ""],
    ]), default_review_days=9, default_lead_days=4)
    assert list(catalog.platforms) == ["微信", "视频号直播"]
    assert catalog.sources["平台"] == "workbook"
    assert [(p.review_days, p.lead_days) for p in catalog.platforms.values()] == [(10, 3), (9, 4)]
    assert catalog.platforms["视频号直播"].pattern is None
    assert catalog.platform_names.get("CHANNELS") == "视频号直播"
    assert catalog.platform_names.get("抖音") is None


def test_without_the_settings_the_default_cycle_is_five_and_lead_two_working_days():
    catalog = load_catalog(book(平台=[PLATFORM_HEADER, ["新平台", "", None, None, ""]]))
    assert (catalog.platforms["新平台"].review_days, catalog.platforms["新平台"].lead_days) == (5, 2)


def test_an_invalid_pattern_is_a_bad_rule_finding_on_its_cell_and_the_platform_is_kept():
    catalog = load_catalog(book(平台=[
        ["说明：平台清单"],
        PLATFORM_HEADER,
        ["微信", "", 7, 2, r"^WX\d{10$("],
        ["抖音", "", 5, 2, r"^DY\d{10}$"],
    ]))
    assert [(f.code, f.sheet, f.row, f.column, f.field) for f in catalog.findings] == [
        ("bad-rule", "平台", 3, 4, "备案号格式")]
    assert "微信" in catalog.findings[0].message
    assert catalog.platforms["微信"].pattern is None and catalog.platforms["抖音"].pattern is not None


def test_a_team_material_sheet_replaces_the_default_materials():
    catalog = load_catalog(book(材料=[["材料键", "材料名称", "文件名关键词", "格式"],
                                    ["stamp", "用章申请", "用章|盖章", ".PDF|jpg"],
                                    ["", "授权书", "", ""]]))
    assert [(m.key, m.name, m.keywords, m.formats) for m in catalog.materials] == [
        ("stamp", "用章申请", ("用章", "盖章"), ("pdf", "jpg")),
        ("授权书", "授权书", ("授权书",), ()),
    ]
    assert catalog.material_names.get("stamp") == "用章申请"
    assert catalog.sources["材料"] == "workbook"


def test_field_mapping_sends_a_team_header_to_a_field_or_a_material():
    b = book(字段映射=[["表头", "字段"], ["渠道名", "平台"], ["执照扫描件", "营业执照"], ["负责", "owner"]])
    catalog = load_catalog(b)
    assert catalog.findings == []
    assert catalog.header_overrides == {"渠道名": "platform", "执照扫描件": "material:营业执照", "负责": "owner"}


def test_field_mapping_is_used_when_reading_the_tracker():
    b = book(备案台账=[["备案编号", "活动名称", "渠道名", "主体名称", "状态"],
                   ["BA-1", "秋季上新", "抖音号", "上海星河数字科技有限公司", "已通过"]],
             字段映射=[["表头", "字段"], ["渠道名", "平台"]])
    tracker = read_tracker(b, load_catalog(b), load_settings(b))
    assert tracker.columns["platform"] == 2
    assert tracker.df.loc[2, "platform"] == "抖音"


def test_a_mapping_to_an_unknown_field_is_a_bad_rule_finding_on_its_cell():
    catalog = load_catalog(book(字段映射=[["表头", "字段"], ["渠道名", "平台"], ["奇怪列", "幸运数字"]]))
    assert catalog.header_overrides == {"渠道名": "platform"}
    assert [(f.code, f.sheet, f.row, f.column, f.field, f.value) for f in catalog.findings] == [
        ("bad-rule", "字段映射", 3, 1, "字段", "幸运数字")]
    assert "奇怪列" in catalog.findings[0].message


@pytest.mark.parametrize(("review", "lead"), [(-1, 2), (1e9, 2), (7, float("inf")), ("七天", 2), (2.5, 2), (7, 10**20)])
def test_an_impossible_cycle_or_lead_is_a_finding_on_its_cell_and_the_default_is_used(review, lead):
    catalog = load_catalog(book(平台=[PLATFORM_HEADER, ["微信", "", review, lead, ""]]),
                           default_review_days=6, default_lead_days=3)
    platform = catalog.platforms["微信"]
    bad_review = review != 7
    assert (platform.review_days, platform.lead_days) == ((6 if bad_review else 7), (2 if bad_review else 3))
    [finding] = catalog.findings
    column = "审核周期(工作日)" if bad_review else "提前量(工作日)"
    assert (finding.code, finding.sheet, finding.row, finding.field) == ("bad-rule", "平台", 2, column)
    assert finding.column == (2 if bad_review else 3)
    assert "默认值" in finding.message and "0–250" in finding.message
