"""`beian archive`: exit codes, --verify on changed/missing/added files, --json, the archive left untouched."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA
from test_archive import SAMPLE_ARCHIVE, SAMPLE_BOOK, small_archive, small_workbook, tree_digest

import pyaddin.cli.commands.archive  # noqa: F401  (registers the command)
from pyaddin.cli.main import main

TODAY = ["--today", "2026-11-20"]


def run(*args):
    return CliRunner().invoke(main, ["archive", *map(str, args), *TODAY], catch_exceptions=False)


@pytest.fixture
def sample_copy(tmp_path):
    """The sample workbook and archive copied together, so --verify can tamper with the copy."""
    shutil.copy(SAMPLE_BOOK, tmp_path / SAMPLE_BOOK.name)
    shutil.copytree(SAMPLE_ARCHIVE, tmp_path / "archive")
    return tmp_path / SAMPLE_BOOK.name, tmp_path / "archive"


def test_archive_writes_index_and_manifest_and_exits_0_despite_missing_materials(tmp_path):
    before = tree_digest(SAMPLE_ARCHIVE)
    out = tmp_path / "out"
    result = run(SAMPLE_BOOK, "--out", out)
    assert result.exit_code == 0, result.output
    # BA-2026-0022 lacks its 抽奖规则; BA-2026-0001, an H5, its ICP备案证明 (ICP-01 on every platform)
    assert "缺失材料 2" in result.stdout and "格式不符 1" in result.stdout and "孤立文件夹 1" in result.stdout
    assert (out / "archive_index.xlsx").is_file()
    manifest = json.loads((out / "archive_manifest.json").read_text(encoding="utf-8"))
    assert manifest["created"] == date.today().isoformat()  # a record: the real day, not --today (docs/deadlines.md)
    assert len(manifest["files"]) == sum(1 for p in SAMPLE_ARCHIVE.rglob("*") if p.is_file())
    assert {"path", "size", "mtime", "sha256", "filing", "material"} <= set(manifest["files"][0])
    assert tree_digest(SAMPLE_ARCHIVE) == before


def test_verify_reports_a_changed_byte_a_deleted_file_and_an_added_file(sample_copy, tmp_path):
    book, root = sample_copy
    out = tmp_path / "out"
    assert run(book, "--out", out).exit_code == 0
    clean = run(book, "--out", out, "--verify")
    assert clean.exit_code == 0, clean.output

    changed = root / "BA-2026-0001 秋季新品上市 微信" / "营业执照.pdf"
    data = bytearray(changed.read_bytes())
    data[-10] ^= 0x01
    stat = changed.stat()
    changed.write_bytes(bytes(data))
    import os

    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and mtime: only the hash tells
    (root / "BA-2026-0022 门店焕新 微信" / "海报.jpg").unlink()
    (root / "BA-2026-0022 门店焕新 微信" / "抽奖规则.pdf").write_bytes(b"%PDF-1.4 late")

    result = run(book, "--out", out, "--verify", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    got = sorted((f["code"], f["value"], f["filing_id"], f["row"]) for f in payload["findings"])
    assert got == [
        ("archive-added-file", "BA-2026-0022 门店焕新 微信/抽奖规则.pdf", "BA-2026-0022", 26),
        ("archive-changed", "BA-2026-0001 秋季新品上市 微信/营业执照.pdf", "BA-2026-0001", 4),
        ("archive-missing-file", "BA-2026-0022 门店焕新 微信/海报.jpg", "BA-2026-0022", 26),
    ]
    assert (out / "archive_verify.xlsx").is_file()


def test_verify_exits_1_on_an_added_file_alone(sample_copy, tmp_path):
    book, root = sample_copy
    out = tmp_path / "out"
    run(book, "--out", out)
    (root / "新增说明.txt").write_text("x", encoding="utf-8")
    result = run(book, "--out", out, "--verify")
    assert result.exit_code == 1
    assert "新增 1" in result.stdout


def test_verify_without_a_manifest_cannot_run(tmp_path):
    result = run(SAMPLE_BOOK, "--out", tmp_path / "empty", "--verify")
    assert result.exit_code == 2
    assert "找不到上次的归档清单" in result.stderr


def test_no_archive_root_exits_2_with_a_chinese_reason(tmp_path):
    book = small_workbook(tmp_path)
    result = run(book, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith("没有归档根目录")
    assert "Traceback" not in result.output


def test_output_folder_inside_the_archive_is_refused(tmp_path):
    root = small_archive(tmp_path / "归档")
    before = tree_digest(root)
    result = run(small_workbook(tmp_path), "--root", root, "--out", root / "out")
    assert result.exit_code == 2
    assert "输出目录" in result.stderr
    assert tree_digest(root) == before


def test_verify_and_bag_together_is_a_usage_error(tmp_path):
    result = run(SAMPLE_BOOK, "--out", tmp_path / "out", "--verify", "--bag")
    assert result.exit_code == 2


def test_json_summary_counts_hashed_files_and_rerun_hashes_none(tmp_path):
    root = small_archive(tmp_path / "归档")
    book = small_workbook(tmp_path)
    first = json.loads(run(book, "--root", root, "--out", tmp_path / "out", "--json").stdout)
    second = json.loads(run(book, "--root", root, "--out", tmp_path / "out", "--json").stdout)
    assert first["command"] == "archive" and first["tool"] == "beian"
    assert (first["archive"]["hashed"], second["archive"]["hashed"]) == (7, 0)
    assert second["archive"]["missing"] == 5 and second["archive"]["orphan_folders"] == 1  # BA-1, BA-2 (H5): ICP备案证明 too


def test_every_command_leaves_the_sample_archive_untouched(tmp_path):
    before = tree_digest(SAMPLE_ARCHIVE)
    out = tmp_path / "out"
    assert run(SAMPLE_BOOK, "--out", out).exit_code == 0
    assert run(SAMPLE_BOOK, "--out", out, "--bag").exit_code == 0
    assert run(SAMPLE_BOOK, "--out", out, "--verify").exit_code == 0
    assert tree_digest(SAMPLE_ARCHIVE) == before
    assert not list(SAMPLE_DATA.glob("archive/**/.beian*"))


def test_archive_help_names_its_options():
    result = CliRunner().invoke(main, ["archive", "--help"])
    assert result.exit_code == 0
    for option in ("--root", "--verify", "--bag", "--out", "--today", "--sheet", "--json"):
        assert option in result.output
