"""The pre-check's workers have a memory ceiling: a material that asks for more than
`pool.WORKER_MEMORY` fails that one file with a memory reason (not "crashed", not the machine's
memory), whether Python raises MemoryError or native code aborts on a failed allocation; the
other files are read, and the failure is not cached. A material workbook with a far stray cell
is read cell by cell, not as a dense grid. The stand-in extractors run in the real workers."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest
from test_precheck_reader import pdfs

from pyaddin.adapters.materials import pool
from pyaddin.adapters.materials.extract import extract
from pyaddin.adapters.materials.reader import Job, read_all
from pyaddin.precheck.material import OK, UNREADABLE

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the ceiling is set with RLIMIT_AS on Linux")


def allocates_on_big(path: Path, ext: str, *, ocr: bool = True):
    """Python asks for 3 GiB on files named big* — more than the ceiling, far less than this machine has."""
    if path.name.startswith("big"):
        import numpy as np

        block = np.ones(3 << 30, dtype=np.uint8)
        return extract(path, ext, ocr=ocr) if block[-1] == 7 else extract(path, ext, ocr=ocr)
    return extract(path, ext, ocr=ocr)


def aborts_on_native(path: Path, ext: str, *, ocr: bool = True):
    """Native code failing an allocation: Rust prints this line and aborts (SIGABRT); on files named
    plain* the process aborts with nothing said (a crash, not memory)."""
    if path.name.startswith("native"):
        os.write(2, b"memory allocation of 549755813888 bytes failed\n")
        os.abort()
    if path.name.startswith("plain"):
        os.abort()
    return extract(path, ext, ocr=ocr)


@linux_only
def test_python_asking_past_the_ceiling_fails_that_file_with_the_memory_reason(tmp_path):
    jobs = pdfs(tmp_path, "big.pdf", "a.pdf", "b.pdf")
    got, _ = read_all(jobs, cache_dir=tmp_path / "cache", extractor=allocates_on_big, workers=2)
    assert got[0].status == UNREADABLE and got[0].reason.startswith("读取所需内存超出上限")
    assert [x.status for x in got[1:]] == [OK, OK]
    # not remembered: a rerun reads the file again (with the real reader, which succeeds)
    again, cached = read_all(jobs, cache_dir=tmp_path / "cache", workers=2)
    assert cached == [False, True, True] and again[0].status == OK


@linux_only
def test_a_native_allocation_abort_is_named_as_memory_and_a_bare_abort_as_a_crash(tmp_path, capfd):
    jobs = pdfs(tmp_path, "native.pdf", "plain.pdf", "a.pdf")
    got, _ = read_all(jobs, cache_dir=None, extractor=aborts_on_native, workers=2)
    assert got[0].status == UNREADABLE and got[0].reason.startswith("读取所需内存超出上限")
    assert got[1].status == UNREADABLE and got[1].reason.startswith("读取时程序异常退出")
    assert got[2].status == OK
    # the worker's own words stay in its file, off the user's terminal
    assert "memory allocation" not in capfd.readouterr().err


@linux_only
def test_the_ceiling_is_the_workers_start_plus_the_allowance(tmp_path):
    import multiprocessing
    import resource

    def report(conn):
        pool._bound_worker(None)
        conn.send((resource.getrlimit(resource.RLIMIT_AS)[0], pool._vm_size()))

    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    p = ctx.Process(target=report, args=(there,))
    p.start()
    limit, size = here.recv()
    p.join()
    assert size is not None and size < limit <= size + pool.WORKER_MEMORY + (64 << 20)


def sparse_xlsx(path: Path, far: str, text: str) -> Path:
    """A one-sheet workbook: A1 holds `text`, `far` holds 1 (the grid from A1 to it is enormous)."""
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
             f'<row r="{far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{far}"><v>1</v></c></row>'
             '</sheetData></worksheet>')
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="活动" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '</Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return path


def test_a_material_workbook_with_a_cell_at_xfd1048576_is_read_not_allocated(tmp_path):
    book = sparse_xlsx(tmp_path / "活动规则.xlsx", "XFD1048576", "全场最低价")
    got, _ = read_all([Job(book, "xlsx")], cache_dir=None, workers=1)
    assert got[0].status == OK, got[0].reason
    texts = [s.text for s in got[0].segments]
    assert texts == ["全场最低价", "1.0"]  # the far cell too, as calamine gives numbers
    assert [s.location for s in got[0].segments] == ["工作表“活动”第 1 行", "工作表“活动”第 1048576 行"]


def test_a_material_workbook_that_cannot_be_parsed_names_its_sheet(tmp_path):
    book = sparse_xlsx(tmp_path / "坏表.xlsx", "B2", "x")
    data = {n: zipfile.ZipFile(book).read(n) for n in zipfile.ZipFile(book).namelist()}
    data["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
                                        + data["xl/worksheets/sheet1.xml"].split(b"?>", 1)[1])
    with zipfile.ZipFile(book, "w") as zf:
        for name, body in data.items():
            zf.writestr(name, body)
    x = extract(book, "xlsx")
    assert x.status == UNREADABLE and x.reason
