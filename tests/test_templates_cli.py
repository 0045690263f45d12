"""`beian templates`: the placeholder list and `--check`, which reports every broken placeholder of
every template in one run."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from docx import Document

from pyaddin.adapters import docx_templates
from pyaddin.cli.main import main
from pyaddin.documents.placeholders import VARIABLES, placeholder_rows
from pyaddin.errors import TemplateProblem


def make_template(folder: Path, name: str, *paragraphs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(folder / name)
    return folder / name


def broken_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "模板"
    make_template(folder, "甲.docx", "{{ 主题 }}和{{ 主体名称|大写 }}", "{{ 活动名字 }}",
                  "{% for 材料 in 材料清单 %}{{ 材料.编号 }}{% endfor %}")
    make_template(folder, "乙.docx", "{{ 主体名称 }}", "{% if 含抽奖 %}没有结束")
    make_template(folder, "丙.docx", "{{ 主体名称 }}（{{ 落款日期|中文日期 }}）")
    (folder / "~$甲.docx").write_bytes(b"Word lock file")
    return folder


def test_check_reports_every_broken_placeholder_of_every_template_at_once(tmp_path):
    r = CliRunner().invoke(main, ["templates", "--check", str(broken_folder(tmp_path)), "--json"])
    assert r.exit_code == 1, r.output
    payload = json.loads(r.stdout)
    assert payload["templates"] == ["丙.docx", "乙.docx", "甲.docx"]
    found = sorted((i["template"], i["placeholder"]) for i in payload["issues"])
    assert found == [("乙.docx", None), ("甲.docx", "|大写"), ("甲.docx", "主题"), ("甲.docx", "材料.编号"),
                     ("甲.docx", "活动名字")]
    syntax = next(i for i in payload["issues"] if i["template"] == "乙.docx")
    assert "语法错误" in syntax["message"]


def test_check_prints_one_chinese_line_per_problem_and_a_summary(tmp_path):
    r = CliRunner().invoke(main, ["templates", "--check", str(broken_folder(tmp_path))])
    assert r.exit_code == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 6 and all(line.startswith("[错误] ") for line in lines[:5])
    assert "未定义的占位符“{{ 主题 }}”" in r.stdout and "未定义的过滤器“|大写”" in r.stdout
    assert lines[-1] == "检查了 3 个模板：2 个有问题，共 5 处。"


def test_check_of_the_shipped_templates_passes():
    r = CliRunner().invoke(main, ["templates", "--check"])
    assert r.exit_code == 0, r.output
    assert "检查了 2 个模板：全部正常。" in r.stdout


def test_generation_refuses_a_broken_template_naming_all_its_problems(tmp_path):
    folder = broken_folder(tmp_path)
    problem = None
    try:
        docx_templates.load_template(folder / "甲.docx")
    except TemplateProblem as exc:
        problem = str(exc)
    assert problem is not None
    for part in ("{{ 主题 }}", "{{ 活动名字 }}", "|大写", "材料.编号"):
        assert part in problem


def test_list_shows_each_placeholder_with_meaning_example_and_filters():
    r = CliRunner().invoke(main, ["templates", "--json"])
    assert r.exit_code == 0
    rows = json.loads(r.stdout)["placeholders"]
    assert rows == placeholder_rows()
    assert len(rows) == len(VARIABLES)


def test_a_syntax_error_is_chinese_with_its_paragraph_and_the_same_files_undefined_names_are_listed_too(tmp_path):
    folder = tmp_path / "模板"
    make_template(folder, "丁.docx", "{{ 主体名称 }}", "{{ 活动名字 }}", "{% if 含抽奖 %}没有结束",
                  "{{ 主题|大写 }}", "{% for 材料 in 材料清单 %}{{ 材料.编号 }}{% endfor %}")
    r = CliRunner().invoke(main, ["templates", "--check", str(folder)])
    assert r.exit_code == 1
    lines = [line for line in r.stdout.splitlines() if line.startswith("[错误]")]
    syntax = [line for line in lines if "语法错误" in line]
    assert len(syntax) == 1
    assert "第 3 段" in syntax[0] and "“{% if %}”没有对应的“{% endif %}”" in syntax[0]
    assert "Unexpected" not in r.stdout and "Jinja" not in r.stdout
    for shown in ("未定义的占位符“{{ 活动名字 }}”", "未定义的占位符“{{ 主题 }}”", "未定义的过滤器“|大写”", "“{{ 材料.编号 }}”"):
        assert any(shown in line for line in lines), shown
    assert r.stdout.strip().splitlines()[-1] == "检查了 1 个模板：1 个有问题，共 5 处。"
