"""Fuzzing a workbook's file structure (issue 25): stray far cells, XML comments and CDATA, a DTD,
truncation and rows out of order, on a tracker generated here, read whole or in slices. Whatever the damage, the reader
returns a Book or refuses with its own error, never a panic, an abort or a dense grid of a far
address, and `check` exits 0/1, or 2 with one line.

Bounded to a few seconds by default; CI=true selects the longer profile (still under a minute)."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyaddin.adapters import files, sheet_split
from pyaddin.cli.main import main
from pyaddin.errors import UnreadableWorkbook
from pyaddin.tracker.book import column_letter

settings.register_profile("reader-default", max_examples=12, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("reader-ci", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = settings.get_profile("reader-ci" if os.environ.get("CI", "").lower() == "true" else "reader-default")
SHEET = "xl/worksheets/sheet1.xml"


_PARTS: dict[str, bytes] = {}


def parts(tmp: Path) -> dict[str, bytes]:
    """The package of a small tracker, built once (not a fixture: hypothesis would print it)."""
    if _PARTS:
        return _PARTS
    path = tmp / "base.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(["备案编号", "活动名称", "平台", "状态", "上线日期"])
    for i in range(40):
        ws.append([f"BA-{i:04d}", f"活动{i}", "抖音", "待提交", datetime(2026, 12, 1)])
    wb.create_sheet("2025旧台账").append(["备案编号", "活动名称", "平台", "状态"])
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        _PARTS.update({i.filename: zf.read(i.filename) for i in zf.infolist()})
    return _PARTS


far_cells = st.lists(st.tuples(st.integers(1, 1_048_576), st.integers(0, 16_383), st.text("ab备案", min_size=1, max_size=3)),
                     max_size=3)
mutations = st.fixed_dictionaries({
    "far": far_cells,
    "comments": st.lists(st.sampled_from([
        b'<!-- <c r="ZZZZZZZ5" t="e"><v>#REF!</v></c> -->', b"<!-- <row r=\"1048576\"><c r=\"XFD1\"/></row> -->",
        b"<?pi r=\"XFD1048576\"?>"]), max_size=2),
    "cdata": st.booleans(),
    "dtd": st.booleans(),
    "shuffle": st.randoms(use_true_random=False),
    "shuffled": st.booleans(),
    "truncate": st.one_of(st.none(), st.floats(0.05, 0.99)),
    "split": st.booleans(),  # parsed in slices on three threads, as a big sheet would be
})


def mutate(xml: bytes, m: dict) -> bytes:
    rows = re.findall(rb"<row .*?</row>", xml, re.S)
    body = list(rows)
    for r, c, text in m["far"]:
        ref = f"{column_letter(c)}{r}".encode()
        body.append(b'<row r="%d"><c r="%s" t="inlineStr"><is><t>%s</t></is></c></row>'
                    % (r, ref, text.encode()))
    for comment in m["comments"]:
        body.insert(len(body) // 2, comment)
    if m["cdata"]:
        body.append(b'<row r="60"><c r="B60" t="inlineStr"><is><t><![CDATA[<c r="XFD60" t="e">]]></t></is></c></row>')
    if m["shuffled"]:
        m["shuffle"].shuffle(body)
    xml = xml.replace(b"".join(rows), b"".join(body))
    if m["dtd"]:
        xml = b'<!DOCTYPE worksheet [<!ENTITY x "y">]>' + xml
    if m["truncate"] is not None:
        xml = xml[: int(len(xml) * m["truncate"])]
    return xml


@settings(PROFILE)
@given(m=mutations)
def test_any_file_structure_is_read_or_refused_in_one_line(tmp_path, m):
    path = tmp_path / "fuzz.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts(tmp_path).items():
            zf.writestr(name, mutate(data, m) if name == SHEET else data)
    threads, split_at = files.PARSE_THREADS, sheet_split.SPLIT_MIN_BYTES
    if m["split"]:
        files.PARSE_THREADS, sheet_split.SPLIT_MIN_BYTES = 3, 0
    try:
        book = files.read_book(path)
    except UnreadableWorkbook:
        book = None
    finally:
        files.PARSE_THREADS, sheet_split.SPLIT_MIN_BYTES = threads, split_at
    if book is not None and "备案台账" in book.sheets:
        rows = book.sheets["备案台账"].rows
        # memory follows the values, not their addresses (a small sheet may span DENSE_FLOOR cells)
        assert sum(len(r) for r in rows) <= files.DENSE_FLOOR + 50_000
        destructive = m["dtd"] or m["truncate"] is not None
        addresses = [(r, c) for r, c, _ in m["far"]]
        for r, c, text in m["far"]:
            if not destructive and addresses.count((r, c)) == 1 and (r > 60 or c > 4):
                assert rows[r - 1][c] == text, (r, c)
    if book is not None and m["dtd"]:
        assert "备案台账" in book.unreadable
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(tmp_path / "out"), "--today", "2026-11-20"])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "内部错误" not in result.stderr, result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
