"""MS-OVBA compression and VBA project editing, checked against oletools' independent decompressor."""

from __future__ import annotations

import io
import zipfile

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from pyaddin.excel import ovba
from pyaddin.excel.build import xlwings_template

SAMPLES = [
    b"",
    b"a",
    b"abcabcabcabcabc",
    b"Attribute VB_Name = \"Module1\"\r\nSub A()\r\nEnd Sub\r\n" * 300,  # many chunks, long matches
    bytes(range(256)) * 40,  # incompressible: raw chunks
    b"x" * 70000,  # maximum-length copy tokens across many chunks
]


@pytest.mark.parametrize("data", SAMPLES, ids=lambda d: f"{len(d)}B")
def test_compressed_stream_round_trips_through_oletools(data):
    packed = ovba.compress(data)
    assert bytes(decompress_stream(bytearray(packed)))[: len(data)] == data
    assert ovba.decompress(packed)[: len(data)] == data


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=9000) | st.text(alphabet="ab \r\n", max_size=9000).map(str.encode))
def test_any_bytes_round_trip(data):
    packed = ovba.compress(data)
    assert bytes(decompress_stream(bytearray(packed)))[: len(data)] == data


def test_long_text_is_actually_compressed():
    data = (b"    RunPython \"import pyaddin.buttons; pyaddin.buttons.validate_tracker()\"\r\n") * 200
    assert len(ovba.compress(data)) < len(data) // 4


def test_decompress_rejects_a_stream_without_signature():
    with pytest.raises(ovba.OvbaError):
        ovba.decompress(b"\x02\x00\x00")


def _template_project() -> ovba.VbaProject:
    with zipfile.ZipFile(xlwings_template()) as z:
        return ovba.VbaProject.load(z.read("xl/vbaProject.bin"))


def test_xlwings_template_project_is_read_with_kinds_and_version():
    import xlwings

    project = _template_project()
    kinds = {m.name: m.kind for m in project.modules}
    assert kinds["xlwings"] == "module" and kinds["Dictionary"] == "class" and kinds["Sheet1"] == "document"
    assert ovba.xlwings_version(project) == xlwings.__version__


def test_edited_project_is_a_clean_compound_file_olevba_reads():
    from oletools.olevba import VBA_Parser

    project = _template_project()
    project.remove_module("Module1")
    source = 'Attribute VB_Name = "Extra"\r\nSub Hello()\r\n    MsgBox "hi"\r\nEnd Sub\r\n'
    project.set_module(ovba.Module("Extra", "module", source))
    data = project.to_bytes()
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    assert "Module=Extra" in ole.openstream("PROJECT").read().decode("cp1252")
    parser = VBA_Parser("vbaProject.bin", data=data)
    found = {name: code for _, _, name, code in parser.extract_all_macros()}
    assert found["Extra.bas"] == source
    assert "Module1.bas" not in found
    again = ovba.VbaProject.load(data)
    assert [(m.name, m.kind, m.source) for m in again.modules] == [(m.name, m.kind, m.source) for m in project.modules]


def test_non_ascii_vba_source_is_refused():
    project = _template_project()
    project.set_module(ovba.Module("Bad", "module", 'Attribute VB_Name = "Bad"\r\n\' 校验\r\n'))
    with pytest.raises(ovba.OvbaError, match="not ASCII"):
        project.to_bytes()


def test_large_streams_use_regular_sectors_and_small_ones_the_mini_stream():
    streams = {"A/big": b"b" * 10000, "A/small": b"s" * 100, "top": b"t" * 4096}
    ole = olefile.OleFileIO(io.BytesIO(ovba.write_compound_file(streams)))
    for path, data in streams.items():
        assert ole.openstream(path).read() == data
