"""Rejection reasons: real-looking 审核意见 sorted into the 驳回原因分类 categories, the sheet
override, and validate's `rejection-pattern` hint on drafts."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import write_tracker

from pyaddin.adapters.files import read_book
from pyaddin.cli.commands.common import open_workbook
from pyaddin.compliance.rejections import OTHER, load_classifier
from pyaddin.compliance.validate import validate

# (审核意见 as platforms write them, expected categories in table order)
OPINIONS = [
    ("请补充营业执照彩色扫描件", ["资质不全", "格式与清晰度"]),
    ("缺少保健食品广告批准文件，请补充后重新提交", ["资质不全"]),
    ("主体资质与申报主体不一致，请核实", ["资质不全", "物料与报备不符"]),
    ("品牌授权书已过有效期，请上传新的授权书", ["资质不全"]),
    ("医疗广告审查证明缺失", ["资质不全"]),
    ("文案中“全网最低价”属于绝对化用语，请修改", ["绝对化用语"]),
    ("海报出现“国家级”“顶级”字样，违反广告法", ["绝对化用语"]),
    ("标题含“第一品牌”，请删除", ["绝对化用语"]),
    ("落地页宣称效果100%有效，不予通过", ["绝对化用语"]),
    ("活动要求用户分享到朋友圈才能领取优惠券，属于诱导分享", ["诱导分享"]),
    ("集赞送礼品的玩法不符合平台规范", ["诱导分享"]),
    ("邀请好友助力砍价的设计请去除", ["诱导分享"]),
    ("转发抽奖活动涉嫌诱导，请调整参与方式", ["诱导分享", "抽奖规则"]),
    ("未提供隐私政策链接，收集手机号需用户单独同意", ["隐私与授权"]),
    ("授权同意框不得默认勾选", ["隐私与授权"]),
    ("表单收集身份证号，未说明个人信息使用目的", ["隐私与授权"]),
    ("涉及敏感信息收集，请补充用户授权机制说明", ["隐私与授权"]),
    ("抽奖规则未公示开奖时间和中奖概率", ["抽奖规则"]),
    ("奖品价值超过五万元上限", ["抽奖规则"]),
    ("请补充活动规则公示截图", ["抽奖规则"]),
    ("兑奖方式不明确，请补充", ["抽奖规则"]),
    ("实际上线页面与报备物料不一致", ["物料与报备不符"]),
    ("视频内容与申报材料不符，请重新提交", ["物料与报备不符"]),
    ("擅自修改落地页文案后上线", ["物料与报备不符"]),
    ("上传的海报模糊不清晰，请提供高分辨率原图", ["格式与清晰度"]),
    ("安全承诺书盖章不清，请重新扫描", ["格式与清晰度"]),
    ("附件无法打开，请检查文件格式", ["格式与清晰度"]),
    ("文件大小超过 10MB 限制", ["格式与清晰度"]),
    ("请联系客服经理确认排期", [OTHER]),
    ("本次活动暂不符合平台商业化方向", [OTHER]),
    ("驳回", [OTHER]),
    ("请于三个工作日内回复", [OTHER]),
    ("", [OTHER]),
    ("  ", [OTHER]),
]


@pytest.mark.parametrize(("text", "expected"), OPINIONS, ids=[t or "empty" for t, _ in OPINIONS])
def test_each_opinion_falls_into_the_expected_categories(text, expected):
    assert load_classifier(None).classify(text) == expected


def test_the_opinion_table_covers_every_category_several_times_with_doubles_and_misses():
    counts: dict[str, int] = {}
    for _, cats in OPINIONS:
        for c in cats:
            counts[c] = counts.get(c, 0) + 1
    assert len(OPINIONS) >= 30
    assert all(counts.get(c, 0) >= 3 for c in ["资质不全", "绝对化用语", "诱导分享", "隐私与授权", "抽奖规则",
                                                 "物料与报备不符", "格式与清晰度", OTHER])
    assert sum(len(c) > 1 for _, c in OPINIONS) >= 3


def test_classification_ignores_width_and_case():
    c = load_classifier(None)
    assert c.classify("网站缺少ｉｃｐ备案截图") == ["资质不全"]
    assert c.classify("No ICP licence") == ["资质不全"]


SHEET = [["类别", "关键词", "建议"],
         ["价格违规", "原价|划线价|虚构", "标注真实的原价依据"],
         ["坏模式", "([未闭合", "x"]]


def test_a_workbook_sheet_replaces_the_packaged_categories_and_a_bad_pattern_is_a_finding(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", [{}], extra_sheets={"驳回原因分类": SHEET})
    c = load_classifier(read_book(path))
    assert c.source == "workbook"
    assert c.classify("划线价无依据") == ["价格违规"]
    assert c.classify("营业执照模糊") == [OTHER]  # the packaged categories are replaced, not merged
    assert [(f.code, f.sheet, f.row, f.field) for f in c.findings] == [("bad-rule", "驳回原因分类", 3, "关键词")]


def _rows():
    base = {"状态": "已驳回", "平台": "抖音", "备案号": None, "通过日期": None, "提交日期": date(2026, 11, 2)}
    return [
        {**base, "备案编号": "R-1", "审核意见": "文案含“最佳”属绝对化用语", "反馈日期": date(2026, 11, 5)},
        {**base, "备案编号": "R-2", "审核意见": "标题出现国家级字样", "反馈日期": date(2026, 11, 6)},
        {**base, "备案编号": "R-3", "审核意见": "请补充营业执照", "反馈日期": date(2026, 11, 9), "状态": "需补充"},
        # an old rejection, outside the 12 weeks, must not count
        {**base, "备案编号": "R-4", "审核意见": "营业执照过期", "反馈日期": date(2026, 6, 1)},
        {**base, "备案编号": "R-5", "审核意见": "营业执照过期", "反馈日期": date(2026, 6, 2)},
        {**base, "备案编号": "D-1", "状态": "草稿", "审核意见": None, "提交日期": None},
        {**base, "备案编号": "D-2", "状态": "待提交", "审核意见": None, "提交日期": None},
        {**base, "备案编号": "D-3", "状态": "待提交", "平台": "微信", "审核意见": None, "提交日期": None},
        {**base, "备案编号": "S-1", "状态": "审核中", "审核意见": None},
    ]


HEADERS = ["备案编号", "活动名称", "平台", "创意形式", "行业", "主体名称", "状态", "提交日期", "审核意见", "反馈日期",
           "备案号", "通过日期"]


def test_validate_hints_each_draft_once_with_its_platforms_most_frequent_recent_category(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", _rows(), headers=HEADERS)
    ctx = open_workbook(path, today=date(2026, 11, 20))
    hints = [f for f in validate(ctx).findings if f.code == "rejection-pattern"]
    assert [(f.filing_id, f.severity) for f in hints] == [("D-1", "info"), ("D-2", "info")]
    assert all("绝对化用语" in f.message and "（2次）" in f.message and "《广告法》" in f.message for f in hints)


def test_validate_gives_no_hint_when_the_only_recent_rejections_are_unclassified(tmp_path):
    rows = [r for r in _rows() if r["备案编号"] in ("D-1", "S-1")]
    rows.append({"备案编号": "R-9", "平台": "抖音", "状态": "已驳回", "审核意见": "请联系客服", "反馈日期": date(2026, 11, 5),
                 "提交日期": date(2026, 11, 2), "备案号": None, "通过日期": None})
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=HEADERS)
    ctx = open_workbook(path, today=date(2026, 11, 20))
    assert [f for f in validate(ctx).findings if f.code == "rejection-pattern"] == []
