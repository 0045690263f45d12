"""Lottery = chance (docs/rules.md): the cap and the lottery wording follow the 创意形式 table's 抽奖性质,
not the word 抽奖; a prize on a row that is no draw is an info finding and the letters call it the
highest value of a 奖品/权益. Documents are read back with python-docx."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import CLEAN, write_tracker
from helpers import docx_text as text_of

from pyaddin.actions.documents import generate
from pyaddin.adapters.files import read_book
from pyaddin.compliance.validate import validate
from pyaddin.run.build import build_context
from pyaddin.tracker.catalog import load_catalog

TODAY = date(2026, 8, 20)
OPEN = {"状态": "待提交", "备案号": None, "通过日期": None, "归档状态": None, "提交日期": None,
        "活动开始日期": date(2026, 9, 10), "计划上线日期": date(2026, 9, 10), "活动结束日期": date(2026, 9, 30)}
HEADERS = [h for h in CLEAN if h not in ("备案号", "通过日期", "归档状态")] + ["最高奖金额(元)", "抽奖规则", "兑换规则"]
LICENSES = [["主体名称", "统一社会信用代码", "资质类型", "有效期至"],
            [CLEAN["主体名称"], CLEAN["统一社会信用代码"], "营业执照", "长期"]]


def context(tmp_path, rows):
    path = write_tracker(tmp_path / "台账.xlsx", [{**OPEN, **r} for r in rows], headers=HEADERS,
                         extra_sheets={"资质库": LICENSES})
    return build_context(read_book(path), system_today=TODAY)


def codes_on(ctx, row=2) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in validate(ctx).findings:
        if f.row == row:
            out.setdefault(f.code, []).append(f)
    return out


def test_the_forms_table_marks_every_chance_form_and_red_packet_is_no_coupon():
    catalog = load_catalog(None)
    assert catalog.chance_forms >= {"抽奖", "福袋", "刮刮卡", "砸金蛋", "大转盘", "随机红包", "红包雨", "锦鲤"}
    assert not catalog.chance_forms & {"优惠券", "红包", "H5", "直播"}
    assert catalog.forms.get("红包") == "红包" and catalog.forms.get("拼手气红包") == "随机红包"
    assert catalog.forms.get("券") == "优惠券"


def test_a_60000_coupon_gets_prize_without_draw_and_no_cap(tmp_path):
    found = codes_on(context(tmp_path, [{"创意形式": "优惠券", "最高奖金额(元)": 60000, "抽奖规则": "是",
                                         "兑换规则": "是"}]))
    assert "prize-over-limit" not in found
    (note,) = found["prize-without-draw"]
    assert note.severity == "info" and note.field == "最高奖金额(元)" and "60,000.00" in note.message


@pytest.mark.parametrize("form", ["福袋", "随机红包", "拼手气红包", "刮刮卡", "大转盘"])
def test_every_chance_form_is_capped(tmp_path, form):
    found = codes_on(context(tmp_path, [{"创意形式": f"H5、{form}", "最高奖金额(元)": 60000, "抽奖规则": "是"}]))
    (over,) = found["prize-over-limit"]
    assert over.severity == "error" and "¥50,000" in over.message
    assert "prize-without-draw" not in found


def test_a_chance_form_within_the_cap_and_a_fixed_red_packet_are_not_errors(tmp_path):
    ctx = context(tmp_path, [{"创意形式": "福袋", "最高奖金额(元)": 5000, "抽奖规则": "是"},
                             {"备案编号": "BA-2", "创意形式": "红包", "最高奖金额(元)": 60000, "抽奖规则": "是"}])
    assert "prize-over-limit" not in codes_on(ctx, 2) and "prize-without-draw" not in codes_on(ctx, 2)
    assert "prize-over-limit" not in codes_on(ctx, 3) and "prize-without-draw" in codes_on(ctx, 3)


def test_lot01_asks_every_prize_sale_for_its_rules(tmp_path):
    rows = [{"创意形式": "刮刮卡", "最高奖金额(元)": 100},             # a draw
            {"备案编号": "BA-2", "创意形式": "优惠券", "最高奖金额(元)": 200, "兑换规则": "是"},  # a prize, no draw
            {"备案编号": "BA-3", "创意形式": "H5"}]                     # no prize at all
    ctx = context(tmp_path, rows)
    missing = {f.row for f in validate(ctx).findings if f.code == "missing-material" and f.rule == "LOT-01"}
    assert missing == {2, 3}
    lot = next(r for r in ctx.rules.rules if r.id == "LOT-01")
    assert "第13条" in lot.source and not lot.verified  # read from reprints, not the gazette: 已核实 = 否


def test_the_coupon_letter_and_plan_speak_of_a_prize_never_of_a_draw(tmp_path):
    ctx = context(tmp_path, [{"创意形式": "优惠券", "最高奖金额(元)": 60000, "抽奖规则": "是", "兑换规则": "是"}])
    result = generate(ctx, out_dir=tmp_path / "out")
    assert result.refused == [], result.refused
    docs = {d.kind: text_of(d.path) for d in result.documents}
    assert set(docs) == {"安全承诺书", "营销活动方案"}
    for text in docs.values():
        assert "抽奖" not in text
        assert "¥60,000.00" in text and "陆万元整" in text
    assert "单个奖品或权益的最高价值为¥60,000.00" in docs["安全承诺书"]
    assert "不超过¥50,000.00" not in docs["安全承诺书"]
    assert "有奖活动规则" in docs["营销活动方案"]  # LOT-01's material, worded for a row with no draw


def test_a_lucky_bag_letter_keeps_the_lottery_clause(tmp_path):
    ctx = context(tmp_path, [{"创意形式": "福袋", "最高奖金额(元)": 3000, "抽奖规则": "是"}])
    result = generate(ctx, out_dir=tmp_path / "out", kind="承诺书")
    (letter,) = [text_of(d.path) for d in result.documents]
    assert "本活动含抽奖环节，最高奖金额¥3,000.00" in letter and "不超过¥50,000.00" in letter


@pytest.mark.parametrize("form", ["抽奖", "福袋", "随机红包", "刮刮卡"])
def test_every_chance_draw_without_a_top_prize_is_asked_for_it(tmp_path, form):
    found = codes_on(context(tmp_path, [{"创意形式": form, "抽奖规则": "是"}]))
    assert [f.rule for f in found.get("missing-field", [])] == ["LOT-02"]


def test_a_coupon_without_a_top_prize_is_not_asked_for_one(tmp_path):
    found = codes_on(context(tmp_path, [{"创意形式": "优惠券", "兑换规则": "是"}]))
    assert "LOT-02" not in [f.rule for f in found.get("missing-field", [])]


def test_a_prize_on_a_past_coupon_is_history_not_a_note(tmp_path):
    past = {"创意形式": "优惠券", "最高奖金额(元)": 800, "兑换规则": "是", "状态": "已通过",
            "活动开始日期": date(2026, 6, 1), "计划上线日期": date(2026, 6, 1), "活动结束日期": date(2026, 6, 30)}
    assert "prize-without-draw" not in codes_on(context(tmp_path, [past]))
