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
    assert result.stdout.startswith("用法: ") and "check [选项] 工作簿…" in result.stdout.splitlines()[0]
    assert "显示本帮助并退出。" in result.stdout and "选项:" in result.stdout
    assert "Usage" not in result.stdout and "Show this message" not in result.stdout


def test_no_english_metavar_usage_word_or_required_mark_is_left():
    import re

    import click

    group = invoke("--help").stdout
    assert group.splitlines()[0].endswith(" [选项] 命令 [参数]…") and "COMMAND" not in group
    format_words = {"YYYY", "MM", "DD", "BA", "Www"}  # YYYY-MM-DD, YYYY-Www, BA-…
    for name, command in main.commands.items():
        ctx = click.Context(command, info_name=name)
        text = invoke(name, "--help").stdout
        assert "[required]" not in text and "..." not in text.splitlines()[0], name
        for param in command.params:
            if isinstance(param.type, click.Choice):
                continue  # the values themselves, typed as shown
            shown = param.make_metavar(ctx)
            english = set(re.findall(r"[A-Za-z]{2,}", shown)) - format_words - {"urgent", "approved", "weekly"}
            assert not english, (name, param.name, shown)
    assert "--id BA-…" in invoke("reuse", "--help").stdout and "[必填]" in invoke("reuse", "--help").stdout


def test_a_missing_argument_is_named_in_chinese():
    result = invoke("validate")
    assert result.exit_code == 2
    assert "缺少参数 '工作簿…'。" in result.stderr and "WORKBOOK" not in result.stderr


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


def test_terminal_lines_name_each_problem_in_chinese_not_by_code(tmp_path):
    from pyaddin.run.findings import codes

    path = write_tracker(tmp_path / "t.xlsx", [{"活动名称": None}, {"备案编号": "BA-2", "备案号": "X-1"}])
    result = invoke("check", path, "--today", "2026-11-20")
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert any(" 必填项为空：" in line for line in lines)
    assert any(" 今天已固定：" in line for line in lines)  # the message follows the name, never the code
    shown = result.stdout
    assert not [code for code in codes() if f" {code}：" in shown or f"{code} " in shown.split("按问题：")[-1]]
    assert "按问题：" in shown and "必填项为空 1" in shown


@pytest.fixture(scope="module")
def many_findings(tmp_path_factory):
    base = tmp_path_factory.mktemp("many")
    return write_tracker(base / "t.xlsx", [{"备案编号": f"BA-{i}", "活动名称": None, "联系电话": "12"}
                                            for i in range(30)])


def test_the_rest_of_a_long_list_points_at_the_file_written_with_out(many_findings, tmp_path):
    result = invoke("check", many_findings, "--today", "2026-11-20", "--out", tmp_path / "out")
    assert "还有" in result.stdout
    assert "请用 --out" not in result.stdout
    assert f"完整列表已写入 {tmp_path / 'out' / 'findings.xlsx'}" in result.stdout


def test_without_out_the_rest_of_a_long_list_says_how_to_get_it(many_findings):
    result = invoke("check", many_findings, "--today", "2026-11-20")
    assert "完整列表请用 --out 写入" in result.stdout
