"""The pre-check's reader: a file that hangs or kills its reader is stopped and named, the rest are
read; the cache is one query, imports no reader library when every file hits it, survives damage;
identical files are read once. The stand-in extractors go in through `read_all(extractor=…)` and
run in the reader's real worker processes; every other file goes through the real `extract`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from test_precheck import office_docx, text_pdf

from pyaddin.adapters.materials.cache import CACHE_NAME
from pyaddin.adapters.materials.extract import extract
from pyaddin.adapters.materials.reader import Job, read_all
from pyaddin.precheck.material import OK, UNREADABLE


def hangs_on_hang(path: Path, ext: str, *, ocr: bool = True):
    """A reader that never returns on files named hang* (a pdfium loop), the real one otherwise."""
    if path.name.startswith("hang"):
        time.sleep(600)
    return extract(path, ext, ocr=ocr)


def dies_on_crash(path: Path, ext: str, *, ocr: bool = True):
    """A reader that takes its process down on files named crash* (a crash in native code)."""
    if path.name.startswith("crash"):
        os._exit(11)
    return extract(path, ext, ocr=ocr)


def logs_each_read(path: Path, ext: str, *, ocr: bool = True):
    with open(path.parent / "reads.log", "a", encoding="utf-8") as fh:
        fh.write(path.name + "\n")
    return extract(path, ext, ocr=ocr)


def pdfs(folder: Path, *names: str) -> list[Job]:
    return [Job(text_pdf(folder / name, f"page of {name}"), "pdf") for name in names]


def test_a_file_that_hangs_is_stopped_at_the_limit_and_the_others_are_read(tmp_path):
    jobs = pdfs(tmp_path, "hang.pdf", "a.pdf", "b.pdf", "c.pdf")
    t0 = time.monotonic()
    got, cached = read_all(jobs, cache_dir=tmp_path / "cache", extractor=hangs_on_hang, limit=2.5, workers=2)
    assert time.monotonic() - t0 < 30
    assert got[0].status == UNREADABLE and "读取超时" in got[0].reason and "2.5 秒" in got[0].reason
    assert [x.status for x in got[1:]] == [OK] * 3
    assert [x.segments[0].text for x in got[1:]] == ["page of a.pdf", "page of b.pdf", "page of c.pdf"]
    # the time-out is not remembered: the next run reads the file again
    again, cached = read_all(jobs, cache_dir=tmp_path / "cache", workers=2)
    assert cached == [False, True, True, True] and again[0].status == OK


def test_a_hang_reaches_the_user_as_material_unreadable_with_the_limit(tmp_path):
    from pyaddin.precheck.check import FilingCheck
    from pyaddin.precheck.lexicon import load_lexicon
    from pyaddin.precheck.material import FilingFacts, MaterialFile
    from pyaddin.precheck.specs import load_specs

    job = pdfs(tmp_path, "hang.pdf")[0]
    x = read_all([job], cache_dir=None, extractor=hangs_on_hang, limit=1)[0][0]
    facts = FilingFacts("BA-1", 2, platform="微信")
    found, _ = FilingCheck(facts, load_lexicon(), load_specs(), sheet="备案台账").file(
        MaterialFile("BA-1/hang.pdf", "BA-1", None, "pdf", 1, x))
    assert [f.code for f in found] == ["material-unreadable"]
    assert "读取超时" in found[0].message and "1 秒" in found[0].message


def test_a_reader_that_dies_costs_only_its_file(tmp_path):
    jobs = pdfs(tmp_path, "crash.pdf", "a.pdf", "b.pdf")
    got, _ = read_all(jobs, cache_dir=None, extractor=dies_on_crash, workers=2)
    assert got[0].status == UNREADABLE and "异常退出" in got[0].reason
    assert [x.status for x in got[1:]] == [OK, OK]


def test_identical_files_are_read_once(tmp_path):
    jobs = pdfs(tmp_path, "a.pdf", "b.pdf")
    copy = tmp_path / "sub" / "a-copy.pdf"
    copy.parent.mkdir()
    copy.write_bytes(jobs[0].path.read_bytes())
    got, _ = read_all([*jobs, Job(copy, "pdf")], cache_dir=None, extractor=logs_each_read)
    reads = (tmp_path / "reads.log").read_text(encoding="utf-8").split()
    assert sorted(reads) == ["a.pdf", "b.pdf"]
    assert got[2].segments[0].text == "page of a.pdf"


def test_a_damaged_cache_is_set_aside_and_the_run_goes_on(tmp_path):
    jobs = pdfs(tmp_path, "a.pdf")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_NAME).write_bytes(b"not a database" * 100)
    got, cached = read_all(jobs, cache_dir=tmp_path / "cache")
    assert got[0].status == OK and cached == [False]
    assert read_all(jobs, cache_dir=tmp_path / "cache")[1] == [True]


READERS = ("PIL", "pypdfium2", "pptx", "docx", "rapidocr", "onnxruntime", "defusedxml", "python_calamine", "numpy")


def test_a_rerun_that_hits_the_cache_imports_no_reader_and_starts_no_worker(tmp_path):
    from PIL import Image

    Image.new("RGB", (108, 192), (255, 250, 240)).save(tmp_path / "海报.png")
    office_docx(tmp_path / "方案.docx")
    text_pdf(tmp_path / "政策.pdf", "policy")
    (tmp_path / "文案.txt").write_text("全网最低价", encoding="utf-8")
    jobs = [Job(p, p.suffix[1:]) for p in sorted(tmp_path.iterdir())]
    read_all(jobs, cache_dir=tmp_path / "cache", ocr=False)
    code = (
        "import sys, multiprocessing\n"
        "from pathlib import Path\n"
        "from pyaddin.adapters.materials.reader import Job, read_all\n"
        f"jobs = [Job(Path(p), p.rsplit('.', 1)[1]) for p in {[str(j.path) for j in jobs]!r}]\n"
        f"got, cached = read_all(jobs, cache_dir=Path({str(tmp_path / 'cache')!r}), ocr=False)\n"
        "assert all(cached), cached\n"
        f"print(sorted(m for m in {READERS!r} if m in sys.modules), len(multiprocessing.active_children()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] 0"
