"""Hostile and broken workbooks (issue 25): every one is refused with one Chinese line naming it
(exit 2) or read correctly; none makes the reader panic, abort, allocate by address, or check
another sheet in silence. Every input is generated here (openpyxl, then zip surgery)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pyaddin.adapters import files, sheet_split
from pyaddin.cli.main import main
from pyaddin.tracker.cells import CellError

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["备案编号", "活动名称", "平台", "状态", "上线日期"]
TRACKER = "xl/worksheets/sheet1.xml"
OLD = "xl/worksheets/sheet2.xml"


def workbook(path: Path, rows: int = 3, *, old_sheet: bool = False) -> Path:
    """备案台账 with `rows` filings; with `old_sheet`, a second tracker 2025旧台账 that must never be
    checked in its place."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(HEADER)
    for i in range(rows):
        ws.append([f"BA-{i:04d}", f"活动{i}", "抖音", "待提交", datetime(2026, 12, 1)])
    if old_sheet:
        old = wb.create_sheet("2025旧台账")
        old.append(HEADER)
        for i in range(3):
            old.append([f"OLD-{i}", "旧活动", "微信", "已通过", datetime(2025, 3, 1)])
    wb.save(path)
    return path


def surgery(path: Path, part: str, change) -> Path:
    """Rewrite one part of the package (`change`: bytes → bytes)."""
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return path


def add_rows(xml: bytes, rows: bytes) -> bytes:
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(result, *needles: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and "内部错误" not in lines[0], lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def beian(*args, cwd: Path) -> subprocess.CompletedProcess:
    """The real process (fd 2 as a user sees it: a Rust panic prints there before Python knows)."""
    code = ("import resource, sys; from pyaddin.cli.main import entry; sys.argv = ['beian', *sys.argv[1:]]\n"
            "try:\n    entry()\nfinally:\n"
            "    print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.__stdout__)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RUST_BACKTRACE": "1"}
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def max_rss_mb(proc: subprocess.CompletedProcess) -> float:
    return int(re.search(r"MAXRSS (\d+)", proc.stdout).group(1)) / 1024


# ------------------------------------------------------------------ 1. Rust panics
def negative_date(path: Path) -> Path:
    """A date-formatted cell holding −1e12: chrono's “TimeDelta out of bounds” panic in calamine."""
    workbook(path)
    return surgery(path, TRACKER, lambda x: re.sub(rb'(<c r="E3"[^>]*>)<v>[^<]*</v>', rb"\1<v>-1000000000000</v>", x))


def test_a_panic_in_the_tracker_sheet_is_one_line_naming_file_and_sheet(tmp_path):
    path = negative_date(tmp_path / "负日期.xlsx")
    one_line(invoke("check", path, "--out", tmp_path / "out"), "负日期.xlsx", "备案台账", "无法读取")


def test_a_panic_prints_no_rust_backtrace_on_the_real_stderr(tmp_path):
    path = negative_date(tmp_path / "负日期.xlsx")
    proc = beian("check", path, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "panicked" not in proc.stderr and "backtrace" not in proc.stderr


def test_a_panicking_file_in_a_folder_run_is_skipped_and_the_others_checked(tmp_path):
    folder = tmp_path / "台账"
    folder.mkdir()
    negative_date(folder / "坏.xlsx")
    workbook(folder / "好.xlsx")
    result = invoke("check", folder, "--json", "--today", "2026-11-20", "--out", tmp_path / "out")
    assert result.exit_code in (0, 1), result.output
    run = json.loads(result.stdout)
    assert [Path(w).name for w in run["workbooks"]] == ["好.xlsx"]
    assert [Path(s["workbook"]).name for s in run["skipped"]] == ["坏.xlsx"]
    assert "备案台账" in run["skipped"][0]["reason"]


# ------------------------------------------------------------------ 2. far cells: memory by values, not addresses
@pytest.mark.parametrize("ref", ["XFD1048576", "AAA100000", "Z1000000"])
def test_one_far_cell_is_read_in_place_without_the_dense_grid(tmp_path, ref):
    row = int(re.sub(r"\D", "", ref))
    path = surgery(workbook(tmp_path / "远.xlsx"), TRACKER, lambda x: add_rows(
        x, b'<row r="%d"><c r="%s" t="inlineStr"><is><t>stray</t></is></c></row>' % (row, ref.encode())))
    book = files.read_book(path)
    rows = book.sheets["备案台账"].rows
    col = files._col_index(re.sub(r"\d", "", ref))
    assert rows[row - 1][col] == "stray" and len(rows) == row
    assert rows[1][0] == "BA-0000" and rows[0][:5] == HEADER
    assert sum(len(r) for r in rows) < 20_000, "rows are as long as their own values"


def test_a_far_cell_costs_a_check_run_little_memory(tmp_path):
    path = surgery(workbook(tmp_path / "远.xlsx"), TRACKER, lambda x: add_rows(
        x, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    proc = beian("check", path, "--out", tmp_path / "out", "--today", "2026-11-20", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert max_rss_mb(proc) < 600, max_rss_mb(proc)


def test_an_address_beyond_excels_limits_names_the_sheet(tmp_path):
    path = surgery(workbook(tmp_path / "越界.xlsx", old_sheet=True), TRACKER, lambda x: add_rows(
        x, b'<row r="5"><c r="ZZZZZZZ5"><v>1</v></c></row>'))
    one_line(invoke("check", path, "--out", tmp_path / "out"), "越界.xlsx", "备案台账", "超出")


# ------------------------------------------------------------------ 3. bombs
def near_empty_rows(path: Path, rows: int) -> Path:
    body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r)
                    for r in range(5, 5 + rows))
    return surgery(workbook(path), TRACKER, lambda x: add_rows(x, body))


def test_a_small_file_with_a_hundred_thousand_near_empty_rows_is_refused(tmp_path):
    path = near_empty_rows(tmp_path / "炸弹.xlsx", 100_000)
    assert path.stat().st_size < 1_000_000
    one_line(invoke("check", path, "--out", tmp_path / "out"), "炸弹.xlsx", "备案台账", "异常")


def test_a_sheet_expanding_over_a_hundred_times_past_twenty_megabytes_is_refused(tmp_path):
    body = b'<row><c t="inlineStr"><is><t> </t></is></c></row>' * 450_000  # unaddressed: numbered in turn
    path = surgery(workbook(tmp_path / "膨胀.xlsx"), TRACKER, lambda x: add_rows(x, body))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(TRACKER).file_size > 20_000_000 and path.stat().st_size < 1_000_000
    one_line(invoke("check", path, "--out", tmp_path / "out"), "膨胀.xlsx", "解压后体积异常")


def test_a_plain_tracker_above_the_row_floor_is_not_a_bomb(tmp_path):
    """Seven plain columns (~43 bytes a row): over ROW_FLOOR rows, within MIN_BYTES_PER_ROW."""
    rng = random.Random(1)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append([*HEADER, "负责人", "预算（元）"])
    for i in range(files.ROW_FLOOR + 1000):
        ws.append([f"BA-2026-{i:05d}", f"{rng.choice(['春季', '双十一', '会员日'])}{rng.choice(['抽奖', '直播', 'H5'])}"
                   f"活动第{rng.randint(1, 99)}期", rng.choice(["抖音", "微信", "小红书"]),
                   rng.choice(["待提交", "审核中", "已通过"]), datetime(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
                   rng.choice(["张伟", "李娜", "王芳"]), rng.randint(1000, 500_000)])
    path = tmp_path / "大.xlsx"
    wb.save(path)
    assert len(files.read_book(path).sheets["备案台账"].rows) == files.ROW_FLOOR + 1001


# ------------------------------------------------------------------ 4. error values from parsed XML
def test_error_cells_in_comments_and_cdata_are_text_not_cells(tmp_path):
    fake = (b'<!-- <c r="ZZZZZZZ5" t="e"><v>#REF!</v></c> --><row r="6"><c r="B6" t="inlineStr"><is><t>'
            b'<![CDATA[<c r="ZZZZZZZ6" t="e"><v>#N/A</v></c>]]></t></is></c><c r="C6" t="e"><v>#N/A</v></c></row>')
    path = surgery(workbook(tmp_path / "注释.xlsx"), TRACKER, lambda x: add_rows(x, fake))
    rows = files.read_book(path).sheets["备案台账"].rows
    assert rows[5][2] == CellError("#N/A")
    assert rows[5][1] == '<c r="ZZZZZZZ6" t="e"><v>#N/A</v></c>'
    assert len(rows) == 6 and max(len(r) for r in rows) == 5


def test_an_empty_error_cell_does_not_take_the_next_cells_value(tmp_path):
    path = surgery(workbook(tmp_path / "空错误.xlsx"), TRACKER, lambda x: add_rows(
        x, b'<row r="6"><c r="A6" t="e"/><c r="B6"><v>5</v></c><c r="C6" t=\'e\'><v>#DIV/0!</v></c></row>'))
    rows = files.read_book(path).sheets["备案台账"].rows
    assert rows[5][0] == "" and rows[5][1] == 5 and rows[5][2] == CellError("#DIV/0!")


# ------------------------------------------------------------------ 6. a broken tracker sheet is named, never swapped
def truncated(x: bytes) -> bytes:
    return x[: len(x) // 2]


def with_dtd(x: bytes) -> bytes:
    """An internal DTD whose entity stands for a value (openpyxl writes no XML declaration)."""
    x = x.replace(b"BA-0001", b"&a;")
    dtd = b'<!DOCTYPE worksheet [<!ENTITY a "BA-9999">]>'
    return x.replace(b"?>", b"?>" + dtd, 1) if x.startswith(b"<?xml") else dtd + x


def lying_size(path: Path) -> Path:
    """The central directory and local header say the tracker part is half its real size."""
    data = bytearray(path.read_bytes())
    name = TRACKER.encode()
    for sig, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        at = data.find(sig)
        while at >= 0:
            if data[at + name_at: at + name_at + len(name)] == name:
                real = int.from_bytes(data[at + size_at: at + size_at + 4], "little")
                data[at + size_at: at + size_at + 4] = (real // 2).to_bytes(4, "little")
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))
    return path


def passwd_target(path: Path) -> Path:
    return surgery(path, "xl/_rels/workbook.xml.rels",
                   lambda x: x.replace(b'Target="/xl/worksheets/sheet1.xml"', b'Target="../etc/passwd"')
                   .replace(b'Target="worksheets/sheet1.xml"', b'Target="../etc/passwd"'))


@pytest.mark.parametrize("breaks", ["truncated", "dtd", "lying_size", "passwd_target"])
def test_a_broken_tracker_sheet_is_named_and_no_other_sheet_is_checked(tmp_path, breaks):
    path = workbook(tmp_path / "坏表.xlsx", old_sheet=True)
    if breaks == "truncated":
        surgery(path, TRACKER, truncated)
    elif breaks == "dtd":
        surgery(path, TRACKER, with_dtd)
    elif breaks == "lying_size":
        lying_size(path)
    else:
        passwd_target(path)
    result = invoke("check", path, "--json", "--out", tmp_path / "out")
    line = one_line(result, "坏表.xlsx")
    assert "备案台账" in line or "损坏" in line, line
    assert "OLD-" not in result.output and "2025旧台账" not in result.stdout


def test_a_broken_other_sheet_does_not_stop_the_tracker(tmp_path):
    path = surgery(workbook(tmp_path / "旧表坏.xlsx", old_sheet=True), OLD, truncated)
    book = files.read_book(path)
    assert "2025旧台账" in book.unreadable and book.sheets["备案台账"].rows[1][0] == "BA-0000"
    result = invoke("check", path, "--json", "--today", "2026-11-20", "--out", tmp_path / "out")
    assert result.exit_code in (0, 1), result.output


# ------------------------------------------------------------------ 8, 13. names and file kinds
def test_a_file_name_that_is_not_utf8_is_reported_as_such(tmp_path):
    raw = os.fsencode(tmp_path) + b"/\xb1\xb8\xb0\xb8.xlsx"  # 备案 in GBK
    good = workbook(tmp_path / "x.xlsx")
    os.rename(good, raw)
    name = os.fsdecode(raw)
    line = one_line(invoke("check", name, "--out", tmp_path / "out"), "UTF-8")
    assert "os error" not in line and "\\xb1\\xb8" in line


def test_a_fifo_named_xlsx_is_refused_at_once(tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(r=invoke("check", fifo, "--out", tmp_path / "out")),
                              daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading a FIFO blocked"
    one_line(outcome["r"], "管道.xlsx", "不是普通文件")


# ------------------------------------------------------------------ 11. slices keyed by row address
def test_rows_out_of_order_in_a_split_sheet_keep_their_addresses(tmp_path, monkeypatch):
    path = workbook(tmp_path / "乱序.xlsx", rows=600)
    whole = files.read_book(path).sheets["备案台账"].rows

    def shuffle(xml: bytes) -> bytes:
        rows = re.findall(rb"<row .*?</row>", xml, re.S)
        order = rows[300:] + rows[:300]  # the second half first
        return xml.replace(b"".join(rows), b"".join(order))

    surgery(path, TRACKER, shuffle)
    monkeypatch.setattr(files, "PARSE_THREADS", 3)
    monkeypatch.setattr(sheet_split, "SPLIT_MIN_BYTES", 0)
    split = files.read_book(path).sheets["备案台账"].rows
    assert split == whole
    assert split[0][:5] == HEADER and split[400][0] == "BA-0399"


def test_findings_of_rows_out_of_order_in_slices_point_at_their_rows(tmp_path, monkeypatch):
    path = workbook(tmp_path / "乱序发现.xlsx", rows=600)
    surgery(path, TRACKER, lambda x: re.sub(rb'(<c r="C(17|450)" t="inlineStr"><is><t>)[^<]*', rb"\1" + "火星".encode(), x))

    def findings() -> set[tuple[str, int]]:
        result = invoke("validate", path, "--json", "--today", "2026-11-20", "--out", tmp_path / "out")
        assert result.exit_code in (0, 1), result.output
        return {(f["code"], f["row"]) for f in json.loads(result.stdout)["findings"] if f["row"]}

    expected = findings()
    assert {row for _, row in expected} >= {17, 450}
    surgery(path, TRACKER, lambda x: x.replace(b"".join(re.findall(rb"<row .*?</row>", x, re.S)), b"".join(
        (lambda rows: rows[350:] + rows[:350])(re.findall(rb"<row .*?</row>", x, re.S)))))
    monkeypatch.setattr(files, "PARSE_THREADS", 3)
    monkeypatch.setattr(sheet_split, "SPLIT_MIN_BYTES", 0)
    assert findings() == expected


def test_the_reader_lets_no_panic_escape(tmp_path):
    """The Python API never sees a PanicException (a BaseException): the sheet is kept as unreadable."""
    book = files.read_book(negative_date(tmp_path / "负.xlsx"))
    assert "备案台账" not in book.sheets and "PanicException" in book.unreadable["备案台账"]


def test_doctor_reads_a_settings_sheet_with_a_far_cell_without_the_dense_grid(tmp_path):
    path = workbook(tmp_path / "设置远.xlsx")
    surgery(path, TRACKER, lambda x: add_rows(x, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    rows = files.read_sheet_values(path, "备案台账")
    assert rows[0][:5] == HEADER and rows[1048575][16383] == 1 and sum(len(r) for r in rows) < 20_000


def test_a_far_cell_in_a_sheet_parsed_in_slices_is_read_sparse_with_its_error_values(tmp_path, monkeypatch):
    """Big sheets are surveyed slice by slice: the slice holding the far cell stops the split, and
    the whole sheet is then surveyed and read cell by cell, error values included."""
    path = surgery(workbook(tmp_path / "远切片.xlsx", rows=300), TRACKER, lambda x: add_rows(
        x, b'<row r="400"><c r="C400" t="e"><v>#N/A</v></c></row>'
           b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    monkeypatch.setattr(files, "PARSE_THREADS", 3)
    monkeypatch.setattr(sheet_split, "SPLIT_MIN_BYTES", 0)
    rows = files.read_book(path).sheets["备案台账"].rows
    assert rows[1048575][16383] == 1 and rows[399][2] == CellError("#N/A") and rows[300][0] == "BA-0299"
    assert sum(len(r) for r in rows) < 20_000
