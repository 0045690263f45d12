"""A big sheet parsed in slices on several cores gives exactly the rows of the whole-sheet parse."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner

from pyaddin.adapters import files, sheet_split
from pyaddin.cli.main import main
from pyaddin.tracker.cells import CellError

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "备案台账示例.xlsx"


def _read(path: Path, threads: int, monkeypatch) -> dict[str, list[list[object]]]:
    monkeypatch.setattr(files, "PARSE_THREADS", threads)
    monkeypatch.setattr(sheet_split, "SPLIT_MIN_BYTES", 0)
    book = files.read_book(path)
    return {name: sheet.rows for name, sheet in book.sheets.items()}


def _awkward(path: Path) -> Path:
    """Data from C3 with a gap of blank rows in the middle, every kind of value, error values in
    both halves, a merged range, a hidden second sheet, and 1904-free dates."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws["C3"] = "备案编号"
    ws["D3"] = "上线日期"
    ws["E3"] = "预算"
    ws["F3"] = "是否"
    ws["G3"] = "备注"
    for i in range(400):
        r = 4 + i + (50 if i >= 200 else 0)  # rows 204..253 stay blank
        ws.cell(r, 3, f"BA-{i:04d}")
        ws.cell(r, 4, datetime(2026, 1, 1 + i % 28))
        ws.cell(r, 5, i * 1.5)
        ws.cell(r, 6, i % 2 == 0)
        ws.cell(r, 7, "=1/0" if i in (5, 390) else ("长文本" * (i % 5)))
    ws.cell(460, 9, "far right")  # one row wider than the others, late in the sheet
    ws.merge_cells("C500:E500")
    ws["C500"] = "合并"
    other = wb.create_sheet("资质库")
    other["A1"] = "主体名称"
    other.sheet_state = "hidden"
    wb.save(path)
    # openpyxl writes no cached values; give the two formulas an error value as Excel would
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    xml = re.sub(rb'<c r="G(9|444)"([^>]*)><f>1/0</f><v\s*/?>(</v>)?</c>',
                 rb'<c r="G\1"\2 t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml)
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return path


@pytest.mark.parametrize("threads", [2, 3, 4])
def test_slices_give_the_whole_sheet_parse(tmp_path, monkeypatch, threads):
    path = _awkward(tmp_path / "awkward.xlsx")
    whole = _read(path, 1, monkeypatch)
    split = _read(path, threads, monkeypatch)
    assert split == whole
    rows = split["备案台账"]
    assert rows[3][2] == "BA-0000" and rows[2][2] == "备案编号" and rows[0] == [""] * len(rows[0])
    assert all(v == "" for v in rows[210])  # the blank gap survives
    assert isinstance(rows[8][6], CellError) and isinstance(rows[443][6], CellError)
    assert rows[459][8] == "far right" and len({len(r) for r in rows}) == 1
    assert isinstance(rows[3][3], datetime | date)


@pytest.mark.parametrize("threads", [2, 3])
def test_the_split_really_cuts_the_sheet(tmp_path, monkeypatch, threads):
    """Guards the tests above: with the threshold at 0 the awkward sheet is parsed in slices."""
    path = _awkward(tmp_path / "awkward.xlsx")
    parsed = []
    real = sheet_split._parse
    monkeypatch.setattr(sheet_split, "_parse", lambda package, sheet: parsed.append(package) or real(package, sheet))
    monkeypatch.setattr(sheet_split, "READ", 997)  # many small pieces: cuts happen while inflating
    with zipfile.ZipFile(path) as zf:
        done = sheet_split.parse_split(zf, "xl/worksheets/sheet1.xml", "备案台账", threads, lambda xml: [])
    assert done is not None and len(parsed) == threads
    whole = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("备案台账")
    assert done[0] == whole.to_python(skip_empty_area=False)  # error values are the caller's (scan)


def test_rows_without_addresses_are_parsed_whole(tmp_path, monkeypatch):
    """Some writers leave out r="…" on rows and cells; cutting those would renumber them from A1."""
    path = _awkward(tmp_path / "bare.xlsx")
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'(<(?:row|c)\b[^>]*?) r="[A-Z]*\d+"', rb"\1",
                                               parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        assert sheet_split.parse_split(zf, "xl/worksheets/sheet1.xml", "备案台账", 2, lambda xml: []) is None
    assert _read(path, 2, monkeypatch) == _read(path, 1, monkeypatch)


def test_check_on_the_sample_is_the_same_with_the_sheet_cut(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no beian-out/history from elsewhere: rule snapshots would differ
    copy = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, copy)

    def findings(threads: int) -> list[dict]:
        monkeypatch.setattr(files, "PARSE_THREADS", threads)
        monkeypatch.setattr(sheet_split, "SPLIT_MIN_BYTES", 0 if threads > 1 else 10**12)
        result = CliRunner().invoke(main, ["check", str(copy), "--json", "--today", "2026-11-30"])
        assert result.exit_code in (0, 1, 2), result.output
        data = json.loads(result.output)
        return data["findings"]

    assert findings(2) == findings(1)
    assert copy.read_bytes() == SAMPLE.read_bytes()


def test_stitch_pads_each_slice_to_the_sheet(tmp_path):
    slices = [((1, 0), [["a", "b"]]), ((3, 2), [["c"]]), ((0, 0), [])]
    assert sheet_split.stitch(slices) == [["", "", ""], ["a", "b", ""], ["", "", ""], ["", "", "c"]]


@pytest.mark.parametrize("chunk", [3, 5, 7, 64])
def test_error_values_are_found_across_read_boundaries(tmp_path, monkeypatch, chunk):
    """The error scan reads the sheet XML in pieces; a t="e" cut between two pieces still counts."""
    path = _awkward(tmp_path / "awkward.xlsx")
    monkeypatch.setattr(files, "CHUNK", chunk)
    monkeypatch.setattr(files, "PARSE_THREADS", 1)
    rows = files.read_book(path).sheets["备案台账"].rows
    assert rows[8][6] == CellError("#DIV/0!") and rows[443][6] == CellError("#DIV/0!")
