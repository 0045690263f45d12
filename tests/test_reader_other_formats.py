""".xls, .xlsb and .ods (issue 25): calamine builds their sheets' whole grids before anything can
be surveyed, so they are read in a child process with bounded memory. A far cell there is one
Chinese refusal and exit 2 (in a run over several files, a skipped file), never an abort of the
run; a moderately sparse sheet comes back with its values in place. The .ods files are written
here by hand (zip + content.xml); .xls ones are converted from a generated .xlsx by LibreOffice;
.xlsb ones, which LibreOffice cannot export, are written record by record by xlsb_build.py, whose
output two independent readers (python-calamine and pyxlsb) must read back cell for cell."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import CLEAN, write_tracker
from xlsb_build import CELL_ISST, END_SHEET_DATA, cell_head, grid, record, row_header, write_xlsb

from pyaddin.adapters import files
from pyaddin.cli.main import main

HEADER = ["备案编号", "活动名称", "平台", "状态", "上线日期"]
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def _cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def ods(path: Path, rows: list[list], *, far: tuple[int, int] | None = None, sheet: str = "备案台账") -> Path:
    """An .ods with `rows` from A1 and, with `far` (1-based row, column), one more value there, the
    gap written the way LibreOffice writes it (repeated empty rows and cells)."""
    body = "".join(f"<table:table-row>{''.join(_cell(v) for v in row)}</table:table-row>" for row in rows)
    if far is not None:
        row, col = far
        gap = row - len(rows) - 1
        if gap > 0:
            body += f'<table:table-row table:number-rows-repeated="{gap}"><table:table-cell/></table:table-row>'
        body += (f'<table:table-row><table:table-cell table:number-columns-repeated="{col - 1}"/>'
                 f'{_cell("远")}</table:table-row>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}><office:body>'
               f'<office:spreadsheet><table:table table:name="{sheet}">{body}</table:table>'
               f'</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    return path


TRACKER_ROWS = [HEADER, ["BA-0001", "活动1", "抖音", "待提交", "2026-12-01"],
                ["BA-0002", "活动2", "微信", "待提交", "2026-12-02"]]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_refusal(result, name: str, says: str) -> None:
    """Exit 2 and one stderr line naming the file and saying why; never a traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and says in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_a_plain_ods_reads_the_same_cells_as_calamine_in_this_process(tmp_path):
    import python_calamine as pc

    path = ods(tmp_path / "台账.ods", TRACKER_ROWS)
    book = files.read_book(path)
    direct = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("备案台账").to_python(skip_empty_area=False)
    assert book.sheets["备案台账"].rows == direct
    assert book.sheets["备案台账"].rows[1][0] == "BA-0001"


def test_a_far_cell_in_an_ods_is_one_chinese_refusal_and_exit_2(tmp_path):
    path = ods(tmp_path / "远.ods", TRACKER_ROWS, far=(65536, 256))  # IV65536: a 1.2 GB grid
    result = invoke("check", path, "--today", "2026-11-20")
    assert_one_refusal(result, "远.ods", "远处")


def test_a_far_cell_ods_among_several_files_is_skipped_and_the_others_checked(tmp_path):
    good = tmp_path / "好.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "备案台账"
    wb.active.append(HEADER)
    wb.active.append(["BA-0009", "活动9", "抖音", "待提交", datetime(2026, 12, 1)])
    wb.save(good)
    bad = ods(tmp_path / "远.ods", TRACKER_ROWS, far=(65536, 256))
    result = invoke("check", good, bad, "--json", "--today", "2026-11-20")
    assert result.exit_code in (0, 1), result.output
    run = json.loads(result.stdout)
    assert [Path(w).name for w in run["workbooks"]] == ["好.xlsx"]
    assert [Path(s["workbook"]).name for s in run["skipped"]] == ["远.ods"]


def test_a_sparse_ods_sheet_keeps_its_values_in_place_and_rows_only_as_long_as_them(tmp_path):
    path = ods(tmp_path / "稀疏.ods", TRACKER_ROWS, far=(5000, 300))  # 1.5M cells of grid for 16 values
    rows = files.read_book(path).sheets["备案台账"].rows
    assert rows[0] == HEADER and rows[2][0] == "BA-0002"
    assert len(rows) == 5000 and rows[4999][299] == "远"
    assert sum(len(r) for r in rows) < 1000


def test_doctor_reads_one_sheet_of_an_ods_through_the_child(tmp_path):
    path = ods(tmp_path / "设置.ods", [["项目", "值"], ["今天", "2026-11-20"]], sheet="设置")
    assert files.read_sheet_values(path, "设置")[1] == ["今天", "2026-11-20"]
    assert files.read_sheet_values(path, "没有") is None


def test_the_child_process_imports_nothing_but_calamine(tmp_path):
    """It must start fast and stay small: no pandas, numpy or the core."""
    child = str(Path(files.__file__).with_name("calamine_child.py"))
    code = ("import runpy, sys; sys.argv = ['c', sys.argv[1], str(1 << 30), '1000000']\n"
            f"try:\n    runpy.run_path({child!r}, run_name='__main__')\n"
            "finally:\n    print(sorted(m for m in sys.modules if m in ('pandas', 'numpy', 'pyaddin')), file=sys.stderr)")
    path = ods(tmp_path / "台账.ods", TRACKER_ROWS)
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().strip().splitlines()[-1] == "[]"


def test_a_far_cell_in_an_xls_from_libreoffice_is_refused_and_a_plain_one_read(tmp_path, soffice):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    for row in TRACKER_ROWS:
        ws.append(row)
    wb.save(tmp_path / "好.xlsx")
    ws["IV65536"] = "远"
    wb.save(tmp_path / "远.xlsx")
    subprocess.run([soffice, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path),
                    str(tmp_path / "好.xlsx"), str(tmp_path / "远.xlsx")],
                   capture_output=True, timeout=180, check=True)
    assert files.read_book(tmp_path / "好.xls").sheets["备案台账"].rows[1][0] == "BA-0001"
    result = invoke("check", tmp_path / "远.xls", "--today", "2026-11-20")
    assert result.exit_code == 2 and "远处" in result.stderr, result.output


# ------------------------------------------------------------------------------------------ .xlsb
XLSB_VALUES = [["备案编号", "空", "短", "整数", "百分之一", "小数", "大数", "真假", "日期", "时刻"],
               ["BA-0001", None, 42, 12345678, 12345.67, 0.1, 13800138000, True, date(2026, 12, 1),
                datetime(2026, 12, 2, 9, 30)],
               ["中文𠀀", None, -0.5, -7654321, 1.1, 1e300, 2.0 ** 40, False, date(1900, 3, 1),
                datetime(2027, 1, 1, 0, 0, 30)]]
"""Every cell encoding the builder has: a shared (or inline) string, the four RkNumber forms (a
short double: 42, -0.5, 2**40 and the dates; a 30-bit integer; either of them / 100: 0.1, 12345.67),
whole doubles (1.1, 1e300, 13800138000, the date-times), bools and an empty column."""


@pytest.mark.parametrize("shared_strings", [True, False], ids=["shared-strings", "inline-strings"])
def test_the_xlsb_builder_writes_what_calamine_reads_back_cell_for_cell(tmp_path, shared_strings):
    import python_calamine as pc

    path = write_xlsb(tmp_path / "值.xlsb", {"备案台账": XLSB_VALUES, "设置": [["项目", "值"]]},
                      hidden=["设置"], shared_strings=shared_strings)
    wb = pc.CalamineWorkbook.from_path(str(path))
    assert [(m.name, str(m.visible).endswith("Visible")) for m in wb.sheets_metadata] == [("备案台账", True), ("设置", False)]
    expected = [[v if v is not None else "" for v in row] for row in XLSB_VALUES]
    assert wb.get_sheet_by_name("备案台账").to_python(skip_empty_area=False) == expected
    assert wb.get_sheet_by_name("设置").to_python() == [["项目", "值"]]


def test_pyxlsb_a_second_reader_reads_the_same_cells_from_the_xlsb_builder(tmp_path):
    """pyxlsb shares no code with calamine; it reads no inline strings (BrtCellSt) and gives dates as
    serial numbers, so it checks the shared-string form against the cells' raw values."""
    import pyxlsb

    path = write_xlsb(tmp_path / "值.xlsb", {"备案台账": XLSB_VALUES, "设置": [["项目", "值"]]})
    with pyxlsb.open_workbook(str(path)) as wb:
        assert wb.sheets == ["备案台账", "设置"]
        with wb.get_sheet("备案台账") as ws:
            rows = [[c.v for c in row] for row in ws.rows()]
    epoch = datetime(1899, 12, 30)
    raw = [[(datetime.combine(v, datetime.min.time()) if type(v) is date else v) for v in row] for row in XLSB_VALUES]
    raw = [[(v - epoch).total_seconds() / 86400 if isinstance(v, datetime) else v for v in row] for row in raw]
    assert rows == raw


def test_an_xlsb_tracker_gives_the_findings_the_same_rows_give_in_an_xlsx(tmp_path):
    """Real dates (numbers in a date style), numbers where text is expected and faults of several
    rules: the .xlsb path (a child process) must hand the checker what the .xlsx path does."""
    rows = [{}, {"备案编号": "BA-2", "联系电话": 12345, "活动结束日期": date(2026, 8, 1), "归档状态": "否",
                 "营业执照": "否"},
            {"备案编号": "BA-2", "联系电话": 13800138000, "收集个人信息": "是", "提交日期": datetime(2026, 8, 17, 9, 30)}]
    headers = list(CLEAN)
    xlsx = write_tracker(tmp_path / "台账.xlsx", rows)
    xlsb = write_xlsb(tmp_path / "台账.xlsb",
                      {"备案台账": [headers] + [[{**CLEAN, **r}.get(h) for h in headers] for r in rows]})
    runs = [invoke("check", p, "--json", "--today", "2026-11-20") for p in (xlsx, xlsb)]
    assert [r.exit_code for r in runs] == [1, 1], [r.output for r in runs]
    findings = [json.loads(r.stdout)["findings"] for r in runs]
    assert findings[1] == findings[0]
    codes = {f["code"] for f in findings[1]}
    assert {"invalid-phone", "date-order", "archive-overdue", "missing-material", "duplicate-id"} <= codes, codes


def test_a_far_cell_in_an_xlsb_is_one_chinese_refusal_and_exit_2(tmp_path):
    """XFD1048576 asks calamine for a 17-billion-cell grid (~550 GB): the child dies, the run does not."""
    path = write_xlsb(tmp_path / "远.xlsb", {"备案台账": grid(TRACKER_ROWS, {(1_048_575, 16_383): "远"})})
    result = invoke("check", path, "--today", "2026-11-20")
    assert_one_refusal(result, "远.xlsb", "远处")


def test_a_far_cell_xlsb_among_several_files_is_skipped_and_the_others_checked(tmp_path):
    good = write_xlsb(tmp_path / "好.xlsb", {"备案台账": TRACKER_ROWS})
    bad = write_xlsb(tmp_path / "远.xlsb", {"备案台账": grid(TRACKER_ROWS, {(1_048_575, 16_383): "远"})})
    result = invoke("check", good, bad, "--json", "--today", "2026-11-20")
    assert result.exit_code in (0, 1), result.output
    run = json.loads(result.stdout)
    assert [Path(w).name for w in run["workbooks"]] == ["好.xlsb"]
    assert [Path(s["workbook"]).name for s in run["skipped"]] == ["远.xlsb"]


def test_a_sparse_xlsb_sheet_not_starting_at_a1_keeps_its_values_in_place(tmp_path):
    """calamine's grid for an .xlsb starts at the first cell written, not at A1; the child pads it
    back to A1 whether the sheet is read whole or, past a million cells of grid, row by row."""
    moved = {(r + 2, c + 1): v for (r, c), v in grid(TRACKER_ROWS).items()}  # header at B3
    for far in ({}, {(4999, 299): "远"}):
        path = write_xlsb(tmp_path / f"稀疏{len(far)}.xlsb", {"备案台账": {**moved, **far}})
        rows = files.read_book(path).sheets["备案台账"].rows
        got = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != ""}
        assert got == {**moved, **far}
        assert rows[2][1:6] == HEADER and rows[4][1] == "BA-0002"
        if far:  # read row by row: rows only as long as their values
            assert len(rows) == 5000 and sum(len(r) for r in rows) < 1000


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _rewrite(src: Path, dst: Path, part: str, change) -> Path:
    """`src` with one part changed (None: left out), repacked with correct CRCs, so that only the
    records inside it are wrong."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            data = change(data) if info.filename == part else data
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


CORRUPT_XLSB = {
    "truncated": "文件已损坏或不完整",  # not a zip any more: refused before the child starts
    "workbook-cut": "文件已损坏或格式不正确",
    "strings-cut": "文件已损坏或格式不正确",
    "relationships-gone": "文件已损坏或格式不正确",
    "sheet-cut": "工作表“备案台账”无法读取",  # the book opens; its one sheet cannot be parsed
    "string-index-past-table": "工作表“备案台账”无法读取",
    # calamine stops before the end of a part, where zip compares the checksum: the reader must
    "string-changed-under-its-checksum": "文件已损坏或不完整",
}
"""How each corruption is refused: what the one line on stderr says."""


@pytest.mark.parametrize("breaks", list(CORRUPT_XLSB))
def test_a_truncated_or_corrupt_xlsb_is_one_chinese_refusal_and_exit_2(tmp_path, breaks):
    good = write_xlsb(tmp_path / "好.xlsb", {"备案台账": TRACKER_ROWS})
    bad = tmp_path / "坏.xlsb"
    if breaks == "truncated":
        bad.write_bytes(half(good.read_bytes()))
    elif breaks == "workbook-cut":
        _rewrite(good, bad, "xl/workbook.bin", half)
    elif breaks == "strings-cut":
        _rewrite(good, bad, "xl/sharedStrings.bin", half)
    elif breaks == "relationships-gone":  # the sheet's r:id points nowhere: calamine panics
        _rewrite(good, bad, "xl/_rels/workbook.bin.rels", lambda data: None)
    elif breaks == "sheet-cut":
        _rewrite(good, bad, "xl/worksheets/sheet1.bin", half)
    elif breaks == "string-changed-under-its-checksum":  # stored, so the text is there to change
        raw = _rewrite(good, bad, "xl/sharedStrings.bin", lambda data: data).read_bytes()
        was, now = "BA-0001".encode("utf-16-le"), "BA-0009".encode("utf-16-le")
        assert raw.count(was) == 1
        bad.write_bytes(raw.replace(was, now))
    else:  # one more row, its string number 9999 of a table of 14: calamine panics on the index
        end = record(END_SHEET_DATA)
        stray = row_header(9) + record(CELL_ISST, cell_head(0) + struct.pack("<I", 9999))
        _rewrite(good, bad, "xl/worksheets/sheet1.bin", lambda data: data.replace(end, stray + end))
    result = invoke("check", bad, "--today", "2026-11-20")
    assert_one_refusal(result, "坏.xlsb", CORRUPT_XLSB[breaks])
