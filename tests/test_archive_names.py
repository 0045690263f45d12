"""A file name that is not UTF-8 (a GBK zip unpacked on Linux) never fails the archive index: the file
is listed under a name every output can hold, hashed, classified by its GBK reading, and reported."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import write_tracker

from pyaddin.archive.index import safe_name
from pyaddin.cli.main import main

GBK_LICENCE = "营业执照.pdf".encode("gbk")
GBK_FOLDER = "外部资料".encode("gbk")
CONTENT = b"%PDF-1.4 licence in a GBK name"


@pytest.fixture
def tree(tmp_path) -> tuple[Path, Path]:
    if os.name == "nt":  # pragma: no cover - Windows names are UTF-16, no such bytes exist there
        pytest.skip("POSIX byte names only")
    root = tmp_path / "归档"
    filing = root / "BA-1 秋季上新 微信"
    filing.mkdir(parents=True)
    (filing / "活动方案.docx").write_bytes(b"plan")
    with open(os.path.join(os.fsencode(filing), GBK_LICENCE), "wb") as fh:
        fh.write(CONTENT)
    outside = os.path.join(os.fsencode(root), GBK_FOLDER)
    os.mkdir(outside)
    with open(os.path.join(outside, "说明.txt".encode("gbk")), "wb") as fh:
        fh.write(b"loose")
    book = write_tracker(tmp_path / "台账.xlsx", [{"备案编号": "BA-1"}])
    return book, root


def test_a_utf8_name_is_kept_and_a_gbk_one_is_shown_safely_with_its_reading():
    assert safe_name("营业执照.pdf") == ("营业执照.pdf", None)
    shown, guess = safe_name(os.fsdecode(GBK_LICENCE))
    shown.encode("utf-8")  # writable anywhere
    assert "\\x" in shown and guess == "营业执照.pdf"
    assert safe_name(os.fsdecode(b"\xff\xfe.pdf"))[0] != safe_name(os.fsdecode(b"\xfe\xff.pdf"))[0]


def test_the_archive_index_lists_hashes_and_reports_a_gbk_name(tree, tmp_path):
    book, root = tree
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["archive", str(book), "--root", str(root), "--out", str(out), "--json",
                                       "--today", "2026-11-20"])
    assert result.exit_code in (0, 1), result.output
    assert "内部错误" not in result.output
    payload = json.loads(result.output)
    bad = [f for f in payload["findings"] if f["code"] == "archive-bad-name"]
    assert len(bad) == 3 and any("营业执照.pdf" in f["message"] for f in bad)  # the folder and both files
    assert any("外部资料" in f["message"] for f in bad)

    manifest = json.loads((out / "archive_manifest.json").read_text(encoding="utf-8"))
    by_path = {e["path"]: e for e in manifest["files"]}
    [licence] = [e for p, e in by_path.items() if p.startswith("BA-1") and p.endswith(".pdf")]
    assert licence["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert licence["material"] == "营业执照"  # classified by its GBK reading
    ws = openpyxl.load_workbook(out / "archive_index.xlsx").worksheets[0]
    assert any("\\x" in str(c) for row in ws.iter_rows(values_only=True) for c in row if c)


def test_a_rerun_uses_the_cache_and_verify_finds_the_gbk_file_unchanged(tree, tmp_path):
    book, root = tree
    out = tmp_path / "out"
    args = ["archive", str(book), "--root", str(root), "--out", str(out), "--today", "2026-11-20", "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code in (0, 1), first.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code in (0, 1), again.output
    verify = CliRunner().invoke(main, [*args, "--verify"])
    assert verify.exit_code in (0, 1), verify.output
    codes = {f["code"] for f in json.loads(verify.output)["findings"]}
    assert not codes & {"archive-changed", "archive-missing-file", "archive-added-file"}
    assert "archive-bad-name" in codes
