"""Any cell value Excel can hold goes through the normaliser and validate without raising anything
but the documented `Unreadable`, and every value that cannot be read becomes a finding on its cell."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pyaddin.compliance.validate import validate
from pyaddin.run.build import build_context
from pyaddin.tracker.book import Book, Sheet
from pyaddin.tracker.cells import EXCEL_ERRORS, CellError
from pyaddin.tracker.values import (
    Unreadable,
    as_text,
    is_blank,
    is_error,
    parse_amount,
    parse_bool,
    parse_date,
    split_multi,
)

TODAY = date(2026, 11, 20)

plausible = st.sampled_from([
    "2025-11-01", "2025/11/1", "2025.11.01", "2025年11月1日", "20251101", "2025-02-30", "长期", "长期有效",
    "¥12,000", "1.2万", "12000元", "五万", "-", "是", "否", "✓", "×", "不适用", "已归档", "TRUE", "0", "1",
    "微信", "微信公众号", "Douyin", "RED", "天猫旗舰店 ", "微信、抖音", "草稿", "通过", "审核中", "H5、抽奖",
    "医疗", "13800138000", "name@example.com", "https://example.com/p", "#N/A", "  ", "\t", "=1+1",
    "91310110666007217T", "😀🎉", "\u200b", "\x00", "１２３", "1e308", "NaN", "inf",
])
excel_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet=st.characters(categories=["Zs", "Cc", "So", "Lo", "Nd"]), max_size=10),
    plausible,
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=3e6),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.builds(CellError, st.sampled_from(sorted(EXCEL_ERRORS))),
)


@settings(max_examples=500, deadline=None)
@given(excel_values)
def test_parsers_return_or_raise_unreadable(value):
    for parse in (parse_date, lambda v: parse_date(v, allow_long_term=True), parse_bool, parse_amount):
        try:
            parse(value)
        except Unreadable as exc:
            assert str(exc)  # a reason the user can read
    assert isinstance(as_text(value), str)
    assert all(isinstance(p, str) and p for p in split_multi(value))
    assert isinstance(is_blank(value), bool) and isinstance(is_error(value), bool)


@settings(max_examples=300, deadline=None)
@given(excel_values)
def test_parse_date_gives_a_date(value):
    try:
        result = parse_date(value, allow_long_term=True)
    except Unreadable:
        return
    assert type(result) is date


@settings(max_examples=300, deadline=None)
@given(excel_values)
def test_parse_amount_gives_a_finite_float(value):
    try:
        result = parse_amount(value)
    except Unreadable:
        return
    assert isinstance(result, float) and result == result and abs(result) != float("inf")


HEADER = ["备案编号", "活动名称", "平台", "主体名称", "状态", "计划上线日期", "提交日期", "预算（元）",
          "收集个人信息", "创意形式", "行业", "联系电话", "联系邮箱", "统一社会信用代码", "隐私政策链接",
          "最高奖金额（元）", "活动开始日期", "活动结束日期", "营业执照", "备案号", "通过日期", "补充截止日期"]
KINDS = {"计划上线日期": "date", "提交日期": "date", "活动开始日期": "date", "活动结束日期": "date",
         "通过日期": "date", "补充截止日期": "date", "预算（元）": "amount", "最高奖金额（元）": "amount",
         "收集个人信息": "bool", "营业执照": "bool"}
PARSERS = {"date": parse_date, "amount": parse_amount, "bool": parse_bool}

rows_strategy = st.lists(st.lists(excel_values, min_size=0, max_size=len(HEADER) + 2), min_size=1, max_size=8)


def book_of(rows: list[list[object]]) -> Book:
    return Book({"备案台账": Sheet("备案台账", [["2026 年备案台账"], list(HEADER), *rows])})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
@example([["BA-1", "活动", "微信", "主体", "草稿", "明年春节", float("nan"), "五万", "也许", None, None, None, None,
           None, None, float("inf"), -5.0, 3e6, "✓"]])
def test_tracker_and_validate_never_crash_and_report_every_unreadable_cell(rows):
    ctx = build_context(book_of(rows), system_today=TODAY)
    report = validate(ctx)
    assert report.rows == len(ctx.tracker.df)
    on_cell = {(f.row, f.column) for f in report.findings if f.code in {"invalid-date", "invalid-value"}}
    if rows[0][:6] == ["BA-1", "活动", "微信", "主体", "草稿", "明年春节"]:  # the explicit example
        assert {(3, 5), (3, 7), (3, 8), (3, 15), (3, 16)} <= on_cell, on_cell
    for offset, cells in enumerate(rows):
        excel_row = 3 + offset
        for c, value in enumerate(cells[: len(HEADER)]):
            kind = KINDS.get(HEADER[c])
            if kind is None or is_blank(value) or is_error(value):
                continue
            try:
                PARSERS[kind](value)
            except Unreadable:
                assert (excel_row, c) in on_cell, (excel_row, HEADER[c], value)
    for f in report.findings:
        assert f.code and f.message and f.severity in {"error", "warning", "info"}
        if f.row is not None and f.row > 2:
            assert f.row in ctx.tracker.df.index
    report.as_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
def test_check_with_deadlines_never_crashes(rows):
    from pyaddin.deadlines.checks import deadline_findings as check

    ctx = build_context(book_of(rows), system_today=TODAY)
    validate(ctx).merged(check(ctx), "check").sorted().as_json()


@settings(max_examples=80, deadline=None)
@given(st.lists(excel_values, min_size=4, max_size=12))
def test_random_header_rows_never_crash_sheet_detection(header):
    from pyaddin.errors import TrackerNotFound

    book = Book({"表1": Sheet("表1", [header, header[::-1]])})
    try:
        validate(build_context(book, system_today=TODAY))
    except TrackerNotFound:
        pass
