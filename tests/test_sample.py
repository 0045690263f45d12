"""The sample tracker against its answer key, written from the sample's intent (build_sample.py)."""

import csv

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DATA

from pyaddin.adapters.files import read_book
from pyaddin.cli.main import main
from pyaddin.compliance.validate import validate
from pyaddin.run.build import build_context

WORKBOOK = SAMPLE_DATA / "备案台账示例.xlsx"


def answer_key(command: str) -> set[tuple]:
    with (SAMPLE_DATA / "answer_key.csv").open(encoding="utf-8") as fh:
        return {(r["工作表"], int(r["行"]) if r["行"] else None, r["代码"], r["字段"], r["规则"] or None)
                for r in csv.DictReader(fh) if r["命令"] == command}


@pytest.fixture(scope="module")
def ctx():
    from datetime import date

    return build_context(read_book(WORKBOOK), system_today=date(2000, 1, 1))


def test_sample_settings_fix_today_so_results_are_reproducible(ctx):
    assert ctx.today.isoformat() == "2026-11-20"


def test_sample_validate_matches_answer_key_exactly(ctx):
    report = validate(ctx)
    got = {(f.sheet, f.row, f.code, f.field, f.rule) for f in report.findings}
    assert got == answer_key("validate")
    assert len(report.findings) == len(got)


def test_sample_old_sheet_reports_its_missing_column():
    from datetime import date

    ctx = build_context(read_book(WORKBOOK), system_today=date(2026, 11, 20), sheet="2025旧台账")
    report = validate(ctx)
    missing = {(f.sheet, f.row, f.code, f.field, f.rule) for f in report.findings if f.code == "missing-column"}
    assert missing == answer_key("validate --sheet 2025旧台账")


def test_sample_is_realistic(ctx):
    df = ctx.tracker.df
    assert ctx.tracker.header_row == 3  # title row and a blank row above
    assert len(df) >= 80 and df["platform"].nunique() >= 8
    # an info hint (rejection-pattern) is advice, not a problem with the row
    flagged = {r for (s, r, c, *_rest) in answer_key("validate") | answer_key("deadlines")
               if r and s == "备案台账" and c != "rejection-pattern"}
    assert len(df) - len(flagged & set(df.index)) >= len(df) / 2
    assert {"投放平台", "活动形式", "申报主体", "上线日期", "备案状态"} <= set(ctx.tracker.headers.values())


def test_every_validate_code_occurs_in_the_sample():
    from pyaddin.run.findings import DEADLINE_CODES, codes

    seen = {c for (_s, _r, c, _f, _ru) in answer_key("validate") | answer_key("validate --sheet 2025旧台账")}
    other = ("archive-", "template-", "empty-", "robot-", "person-", "notify-", "output-",
             "material-", "image-", "copy-")  # not validate's codes (材料预检's: test_demo checks them)
    expected = {c for c in codes() if c not in DEADLINE_CODES and not c.startswith(other)}
    # rule-changed needs a stored rules history (tests/test_rules_diff.py); bad-link needs a 原备案编号
    # column, which the sample does not have yet (tests/test_chains.py); sheet-unreadable needs a
    # broken sheet, which the sample must not have (tests/test_unreadable_sheets.py)
    assert expected - {"rule-changed", "bad-link", "sheet-unreadable"} <= seen


def test_cli_validate_on_sample_exits_1_and_matches_key():
    import json

    result = CliRunner().invoke(main, ["validate", str(WORKBOOK), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    got = {(f["sheet"], f["row"], f["code"], f["field"], f["rule"]) for f in payload["findings"]}
    assert got == answer_key("validate")


def test_sample_deadlines_match_answer_key_exactly(ctx):
    from pyaddin.deadlines.checks import deadline_findings as check
    from pyaddin.run.findings import DEADLINE_CODES

    report = check(ctx)
    got = {(f.sheet, f.row, f.code) for f in report.findings if f.code in DEADLINE_CODES}
    assert got == {(sheet, row, code) for (sheet, row, code, _f, _r) in answer_key("deadlines")}


def test_every_deadline_code_occurs_in_the_sample():
    from pyaddin.run.findings import DEADLINE_CODES

    assert {c for (_s, _r, c, _f, _ru) in answer_key("deadlines")} == set(DEADLINE_CODES)


def test_the_committed_sample_is_what_its_builder_builds(tmp_path, monkeypatch):
    """The sample is generated; a rule or setting change that is not rebuilt into it leaves tests
    checking a workbook nobody can reproduce (it happened when 设置 gained bounds)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_sample", SAMPLE_DATA / "build_sample.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    monkeypatch.setattr(builder, "WORKBOOK", tmp_path / WORKBOOK.name)
    monkeypatch.setattr(builder, "ANSWER_KEY", tmp_path / "answer_key.csv")
    builder.main()
    assert (tmp_path / WORKBOOK.name).read_bytes() == WORKBOOK.read_bytes(), \
        "sample_data 中的示例台账与生成脚本不一致：请运行 uv run python sample_data/build_sample.py 并提交结果"
    assert (tmp_path / "answer_key.csv").read_bytes() == (SAMPLE_DATA / "answer_key.csv").read_bytes()
