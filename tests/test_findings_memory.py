"""Findings stay small however many a tracker makes (issue 25's memory budget): a 1 MB file of
near-empty rows makes ten findings a row, and the check's peak must stay within 3× what reading
the cells costs. The layout that makes this possible (shared kinds, sorting and de-duplicating
without a tuple per finding) must keep every observable behaviour of the plain dataclass it
replaced: equality, hashing, pickling, JSON, order and which repeats a merge drops."""

from __future__ import annotations

import pickle
import tracemalloc
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyaddin.run.findings import (
    FIELDS,
    Finding,
    Report,
    _first_of_each,
    share_values,
    sort_findings,
    sort_key,
    stamp,
)

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def dense_tracker(tmp_path_factory):
    """3,000 rows holding only a 备案编号, a platform and a form with a draw: ~9 findings a row."""
    import xlsxwriter

    path = tmp_path_factory.mktemp("dense") / "dense.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("备案台账")
    sheet.write_row(0, 0, ["备案编号", "活动名称", "投放平台", "上线日期", "备案状态", "活动形式"])
    for r in range(1, 3001):
        sheet.write_row(r, 0, [f"BA-{r:06d}", "", "抖音", "", "", "H5、抽奖"])
    book.close()
    return path


def test_a_finding_dense_tracker_costs_under_a_hundred_and_sixty_bytes_a_finding_at_the_peak(dense_tracker):
    from pyaddin.actions import check
    from pyaddin.actions.loader import open_context
    from pyaddin.adapters.files import FileReader

    ctx = open_context(FileReader(), dense_tracker, today=TODAY)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        data = check.findings(ctx)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    n = len(data.merged)
    assert n > 8 * 3000
    # a 17-slot dataclass finding was 168 B, and its sort and merge built a tuple per finding on top
    assert peak / n < 160, f"{peak / n:.0f} bytes a finding at the peak of the check ({n} findings)"


def test_findings_of_one_rule_on_one_column_share_their_common_fields(dense_tracker):
    from pyaddin.actions import check
    from pyaddin.actions.loader import open_context
    from pyaddin.adapters.files import FileReader

    ctx = open_context(FileReader(), dense_tracker, today=TODAY)
    findings = check.findings(ctx).merged
    kinds = {id(f._kind) for f in findings}
    messages = {f.message for f in findings}
    assert len(kinds) <= len(messages) + 10 < 100 < len(findings)


texts = st.sampled_from(["备案台账", "平台规则", "a", "b"]) | st.none()
small = st.integers(min_value=-1, max_value=40) | st.none()
findings_st = st.builds(
    Finding, code=st.sampled_from(["missing-value", "invalid-phone", "date-order", "license-expired"]),
    message=st.sampled_from(["m1", "m2", "必填项为空"]), severity=st.sampled_from(["error", "warning", "info"]),
    sheet=texts, row=small, column=small, field=texts, filing_id=texts, activity=texts,
    value=st.none() | st.integers(0, 3) | st.sampled_from(["x", "是"]) | st.booleans(),
    rule=texts, due=st.none() | st.just(date(2026, 12, 1)), days_left=small, workbook=texts,
    file=texts, location=texts, snippet=texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(findings_st, max_size=40))
def test_sorting_in_passes_gives_the_order_of_the_sort_key(findings):
    assert sort_findings(list(findings)) == sorted(findings, key=sort_key)


@settings(max_examples=150, deadline=None)
@given(st.lists(findings_st, max_size=40), st.randoms())
def test_merging_drops_exactly_the_later_repeats_of_code_sheet_row_field_and_message(findings, rnd):
    doubled = findings + [rnd.choice(findings) for _ in range(len(findings) // 2)] if findings else []
    seen, expected = set(), []
    for f in doubled:
        key = (f.code, f.sheet, f.row, f.field, f.message)
        if key not in seen:
            seen.add(key)
            expected.append(f)
    got = _first_of_each(list(doubled))
    assert [id(f) for f in got] == [id(f) for f in expected]


@settings(max_examples=100, deadline=None)
@given(findings_st)
def test_a_finding_reads_compares_hashes_and_pickles_like_its_fields(f):
    values = {name: getattr(f, name) for name in FIELDS}
    twin = Finding(**values)
    assert twin == f and hash(twin) == hash(f)
    back = pickle.loads(pickle.dumps(f))
    assert back == f and {name: getattr(back, name) for name in FIELDS} == values
    assert back.as_json() == f.as_json()
    assert repr(back) == repr(f)


def test_changing_one_field_changes_only_that_field():
    f = Finding("missing-value", "m", "error", "备案台账", 3, 1, "字段", "BA-1", "活动", "v", "R1",
                date(2026, 12, 1), 4, None, "a.png", "第 1 页", "【x】")
    before = {name: getattr(f, name) for name in FIELDS}
    for name, new in [("message", "m2"), ("workbook", "t.xlsx"), ("due", None), ("days_left", None),
                      ("file", None), ("location", None), ("snippet", None), ("value", None)]:
        setattr(f, name, new)
        before[name] = new
        assert {n: getattr(f, n) for n in FIELDS} == before
    assert f._more is None  # nothing only a few findings have is left: back to the shared None


def test_stamping_and_sharing_keep_findings_of_one_kind_on_one_shared_kind():
    kind = Finding.kind("missing-value", "m", "error", "备案台账", 1, "字段", None)
    findings = [Finding.of(kind, r, f"BA-{r}", None) for r in range(5)]
    stamp(findings, "t.xlsx")
    assert {f.workbook for f in findings} == {"t.xlsx"} and len({id(f._kind) for f in findings}) == 1
    other = [Finding("missing-value", "".join(["m"]), "error", "备案台账", r, 1, "字段", workbook="t.xlsx")
             for r in range(3)]
    pool = share_values(findings)
    share_values(other, pool)
    assert len({id(f._kind) for f in findings + other}) == 1


def test_the_report_sorted_is_a_new_list_and_the_original_keeps_its_order():
    fs = [Finding("missing-value", "m", "error", "备案台账", r) for r in (3, 1, 2)]
    r = Report("validate", "t.xlsx", TODAY, 3, fs)
    assert [f.row for f in r.sorted().findings] == [1, 2, 3]
    assert [f.row for f in r.findings] == [3, 1, 2]
