"""材料预检 core: folding, the 用语库 matcher with 例外, facts against the row, 材料规格 (no files, no OCR)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pyaddin.precheck import facts
from pyaddin.precheck.check import FilingCheck, snippet
from pyaddin.precheck.fold import fold, fold_term
from pyaddin.precheck.lexicon import COLUMNS, from_table, load_lexicon
from pyaddin.precheck.material import Extracted, FilingFacts, MaterialFile, Segment
from pyaddin.precheck.specs import load_specs
from pyaddin.tracker.credit_code import check_character
from pyaddin.tracker.tables import Table, TableRow


def lexicon_of(*rows: dict):
    cols = {c: i for i, c in enumerate(COLUMNS)}
    return from_table(Table("用语库", "workbook", [TableRow(i + 2, r, cols) for i, r in enumerate(rows)]))


def terms(text, lex=None, **where):
    return [(h.term.term, text[h.start:h.end]) for h in (lex or load_lexicon()).find(text, **where)]


def valid_code(body17: str) -> str:
    return body17 + check_character(body17)


@pytest.mark.parametrize("written", ["最佳", "最 佳", "最*佳", "最·佳", "最\u200b佳", "最 _ 佳", "ＺＵＩ最佳", "最佳"])
def test_a_term_is_found_through_separators_and_width(written):
    assert [t for t, _ in terms(f"本品{written}之选")] == ["最佳"]


def test_four_separators_or_sentence_punctuation_keep_the_characters_apart():
    assert terms("最 _ * 佳") == []
    assert terms("我们做到最。佳品质") == []
    assert terms("最，佳") == []


def test_traditional_characters_are_folded_and_the_snippet_shows_the_original():
    text = "參與活動：轉發朋友圈領取紅包"
    [(term, shown)] = terms(text, platform="微信")
    assert term == "转发朋友圈" and shown == "轉發朋友圈"
    hit = load_lexicon().find(text, platform="微信")[0]
    assert snippet(text, hit.start, hit.end) == "參與活動：【轉發朋友圈】領取紅包"


def test_a_longer_exception_phrase_wins_over_the_term_it_contains():
    assert terms("我们会第一时间发货，最佳食用期 12 个月") == []
    assert terms("2024年上半年华东区销量第一") == []
    assert [t for t, _ in terms("全国销量第一")] == ["销量第一"]


def test_conditions_limit_a_term_to_its_platform_and_industry():
    assert terms("转发朋友圈领取", platform="抖音") == []
    assert terms("本品可治疗失眠", industry="医疗") == []
    assert [t for t, _ in terms("本品可治疗失眠", industry="快消")] == ["治疗"]
    assert [t for t, _ in terms("本品可治疗失眠", industry=None)] == ["治疗"]
    assert [t for t, _ in terms("保证收益", industry="金融")] == ["保证收益"]
    assert terms("保证收益", industry="快消") == []


def test_a_workbook_lexicon_is_folded_like_the_text_and_bad_rows_are_reported():
    lex = lexicon_of({"用语": "ＮＯ．１", "级别": "错误", "例外": "no.1号线"},
                     {"用语": "", "级别": "错误"}, {"用语": "秒杀", "级别": "严重"})
    assert [t for t, _ in terms("品质 No 1 之选", lex)] == ["ＮＯ．１"]
    assert terms("乘坐 NO.1号线", lex) == []
    assert [r for r, _ in lex.problems] == [3, 4]


def test_the_default_lexicon_has_150_to_300_terms_each_with_basis_and_category():
    lex = load_lexicon()
    assert 150 <= len(lex.terms) <= 300 and not lex.problems
    assert all(t.basis and t.category and t.severity in {"error", "warning", "info"} for t in lex.terms)
    assert {"绝对化用语", "医疗功效", "保健功效", "诱导分享", "金融承诺", "教育承诺", "未成年人"} <= {t.category for t in lex.terms}


def test_fold_maps_every_folded_offset_back_to_the_original():
    text = "ＡＢ最 * 佳ｃ"
    f = fold(text)
    assert f.text == "ab最佳c"
    assert text[f.origin(2):f.origin(3) + 1] == "最 * 佳"
    assert fold_term("最 佳") == "最佳"


def test_companies_codes_dates_and_prizes_are_read_from_text():
    code = valid_code("91310000MA1FL4XQ3")
    text = (f"本活动由上海某某科技有限公司主办，统一社会信用代码{code.replace('0', 'O')}；"
            "活动时间2026年11月11日-11月15日，开奖 11/20，截至2026.12.01。最高奖现金5000元，一等奖价值¥1,999元，奖金2万元")
    assert [m.text for m in facts.companies(text)] == ["上海某某科技有限公司"]
    assert [m.value for m in facts.credit_codes(text)] == [code]
    year = facts.activity_year(date(2026, 11, 1), date(2026, 11, 30))
    assert [m.value for m in facts.dates(text, year)] == [date(2026, 11, 11), date(2026, 11, 15), date(2026, 11, 20),
                                                          date(2026, 12, 1)]
    assert [m.value for m in facts.prizes(text)] == [Decimal(5000), Decimal(1999), Decimal(20000)]


def test_a_code_failing_its_check_character_is_not_a_code_and_a_year_follows_the_activity():
    assert facts.credit_codes("91310000MA1FL4XQ3X 订单号 ABCDEFGHJKLMNPQRTU") == []
    across = facts.activity_year(date(2026, 12, 20), date(2027, 1, 10))
    assert [m.value for m in facts.dates("1月5日开奖", across)] == [date(2027, 1, 5)]


ROW = FilingFacts("BA-1", 4, "秋季上新", "微信", "快消", ("H5",), "上海星河数字科技有限公司",
                  valid_code("91310110666007217"), date(2026, 9, 1), date(2026, 9, 30), Decimal(1000))


def check(text: str, material="创意物料", ext="txt", size=100, pixels=None, row=ROW, confidence=None):
    m = MaterialFile(f"BA-1/{material}.{ext}", "BA-1", material, ext, size,
                     Extracted("text", [Segment("第 1 段", text, confidence)], pixels=pixels))
    return FilingCheck(row, load_lexicon(), load_specs(), sheet="备案台账").file(m)


def test_facts_against_the_row_give_the_codes_of_the_spec():
    findings, summary = check("活动时间9月28日-10月3日，最高奖现金5000元，主办：北京别家传媒有限公司")
    got = {(f.code, f.severity, f.value) for f in findings}
    assert ("material-date-mismatch", "warning", date(2026, 10, 3)) in got
    assert ("material-prize-mismatch", "error", 5000.0) in got
    assert ("material-company-mismatch", "warning", "北京别家传媒有限公司") in got
    assert not any(f.value == date(2026, 9, 28) for f in findings)
    assert summary.worst == "error"
    assert all(f.file == "BA-1/创意物料.txt" and f.location == "第 1 段" and len(f.snippet) <= 42 for f in findings)


def test_a_licence_of_another_company_is_an_error_and_its_dates_are_not_activity_dates():
    other = valid_code("91110000MA00ABCD1")
    findings, _ = check(f"营业执照 统一社会信用代码 {other} 成立日期 2015年3月1日", material="营业执照", ext="jpg")
    assert [(f.code, f.severity) for f in findings if f.code.startswith("material-")] == [
        ("material-company-mismatch", "error")]


def test_the_row_s_own_company_and_a_prize_within_the_limit_are_clean():
    findings, summary = check("上海星河数字科技有限公司（主办）9月10日开奖，一等奖价值 800 元")
    assert findings == [] and summary.worst is None


def test_low_confidence_text_is_marked_for_review():
    findings, _ = check("全网最低价", confidence=0.61)
    assert findings and "需人工复核" in findings[0].message


def test_a_verified_spec_is_an_error_an_unverified_one_a_warning_and_an_unknown_platform_gets_none():
    specs = load_specs()
    [(code, spec, _)] = specs.check("微信支付", "营业执照", "pdf", 100, None)
    assert code == "material-format" and spec.severity == "error"
    [(code, spec, _)] = specs.check("抖音", "营业执照", "png", 6 * 1024 * 1024, (800, 600))
    assert code == "material-too-large" and spec.severity == "warning"
    assert specs.check("抖音", "营业执照", "png", 1024, (2000, 1000))[0][0] == "image-too-small"
    assert specs.check("小红书", "营业执照", "exe", 10**9, (1, 1)) == []
