"""The command line speaks Chinese end to end: click's own words, dates that do not exist, an --out
that names a file, JSON that points at cells, numbers read from numeric cells, archive problems."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import write_tracker
from test_archive import SAMPLE_BOOK

from pyaddin.cli.main import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def tracker(tmp_path):
    return write_tracker(tmp_path / "t.xlsx", [{"活动名称": None, "联系电话": 1380013800}])


def test_help_and_usage_are_in_chinese():
    result = invoke("check", "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("用法: ") and "check [选项] WORKBOOK" in result.stdout.splitlines()[0]
    assert "显示本帮助并退出。" in result.stdout and "选项:" in result.stdout
    assert "Usage" not in result.stdout and "Show this message" not in result.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["check"], "缺少参数"),
    (["chek", "x.xlsx"], "没有命令"),
    (["check", "x.xlsx", "--bogus"], "没有选项 '--bogus'"),
])
def test_click_errors_are_in_chinese(args, words):
    result = invoke(*args)
    assert result.exit_code == 2
    assert words in result.stderr and "错误：" in result.stderr and "查看帮助" in result.stderr
    assert "Error" not in result.stderr and "Usage" not in result.stderr


def test_today_that_does_not_exist_says_so(tracker):
    result = invoke("check", tracker, "--today", "2026-13-01")
    assert result.exit_code == 2
    assert "2026-13-01" in result.stderr and "不存在" in result.stderr


def test_today_in_another_shape_asks_for_yyyy_mm_dd(tracker):
    result = invoke("check", tracker, "--today", "2026/11/20")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr and "不存在" not in result.stderr


def test_out_naming_an_existing_file_exits_2_with_a_clear_line(tracker, tmp_path):
    existing = tmp_path / "findings.xlsx"
    existing.write_bytes(b"not a folder")
    result = invoke("check", tracker, "--out", existing)
    assert result.exit_code == 2
    assert "已存在的文件" in result.stderr and "文件夹" in result.stderr
    assert "内部错误" not in result.stderr and "FileExistsError" not in result.stderr
    assert existing.read_bytes() == b"not a folder"


def test_json_gives_the_cell_beside_a_1_based_column_and_numbers_without_point_zero(tracker):
    payload = json.loads(invoke("validate", tracker, "--today", "2026-11-20", "--json").stdout)
    by_code = {f["code"]: f for f in payload["findings"]}
    missing = by_code["missing-value"]
    assert (missing["cell"], missing["column"], missing["row"]) == ("B2", 2, 2)
    phone = by_code["invalid-phone"]
    assert phone["value"] == 1380013800 and isinstance(phone["value"], int)
    assert ".0" not in phone["message"]
    assert phone["cell"] == f"H{phone['row']}" and phone["column"] == 8


def test_archive_json_lists_what_the_index_found_wrong(tmp_path):
    result = invoke("archive", SAMPLE_BOOK, "--out", tmp_path / "out", "--today", "2026-11-20", "--json")
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)["archive"]["problems"]
    # BA-2026-0001 is an H5: ICP-01 asks for its ICP备案证明 on every platform (issue 23)
    assert [(p["filing_id"], p["material"]) for p in problems["missing"]] == [
        ("BA-2026-0001", "ICP备案证明"), ("BA-2026-0022", "抽奖规则")]
    assert [p["material"] for p in problems["wrong_format"]] == ["营业执照"]
    assert len(problems["orphan_folders"]) == 1 and len(problems["unclassified"]) == 1
    summary = json.loads(result.stdout)["archive"]
    assert summary["missing"] == len(problems["missing"]) and summary["no_folder"] == len(problems["no_folder"])
