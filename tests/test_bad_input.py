"""Bad input never crashes a run: every file in the corpus is refused with a one-line reason
naming it (exit 2, nothing written) or read normally with findings on the right cells."""

from __future__ import annotations

import importlib.util
import json
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyaddin.adapters.files import read_book
from pyaddin.cli.main import main
from pyaddin.run.build import build_context

HERE = Path(__file__).resolve().parent
BAD = HERE / "data" / "bad"
COMMANDS = ["validate", "deadlines", "check"]
TODAY = "2026-11-20"


def _corpus_module():
    spec = importlib.util.spec_from_file_location("build_bad_corpus", HERE / "data" / "build_bad_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _corpus_module()
REFUSED = sorted(n for n, (what, _) in corpus.EXPECT.items() if what == "refuse")
READABLE = sorted(n for n, (what, _) in corpus.EXPECT.items() if what == "read")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_refused(result, name: str, out: Path) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    reason = lines[0]
    assert name in reason
    assert "Traceback" not in result.stderr + result.stdout
    assert "内部错误" not in reason, reason  # a known failure, not an unexpected exception
    first_cjk = next(i for i, ch in enumerate(reason) if "\u4e00" <= ch <= "\u9fff")
    first_latin = next((i for i, ch in enumerate(reason.replace(name, "")) if ch.isascii() and ch.isalpha()), 10**6)
    assert first_cjk < first_latin, "Chinese first, English after"
    assert " / " in reason, "an English reason follows the Chinese one"
    assert not out.exists() or not any(out.iterdir()), "nothing written for a refused input"


def test_corpus_holds_every_file_the_builder_names():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(corpus.EXPECT)


def test_builder_rebuilds_the_corpus(tmp_path):
    written = corpus.build(tmp_path)
    names = {p.name for p in written}
    assert names >= set(corpus.EXPECT) - {"old.xls"}
    for name in ("merged_header.xlsx", "formulas_errors.xlsx", "wide_16384.xlsx"):
        assert read_book(tmp_path / name).get("备案台账") is not None


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", REFUSED)
def test_bad_file_exits_2_with_one_line_reason_naming_it(tmp_path, name, command):
    out = tmp_path / "out"
    result = run(command, str(BAD / name), "--out", str(out), "--today", TODAY)
    assert_refused(result, name, out)


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_file_and_folder_exit_2(tmp_path, command):
    out = tmp_path / "out"
    assert_refused(run(command, str(tmp_path / "nope.xlsx"), "--out", str(out)), "nope.xlsx", out)
    folder = tmp_path / "台账.xlsx"
    folder.mkdir()
    assert_refused(run(command, str(folder), "--out", str(out)), "台账.xlsx", out)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("encrypted.xlsx", "密码"),
        ("encrypted.xls", "密码"),
        ("encrypted.ods", "密码"),
        ("tracker.csv", "CSV"),
        ("text_named.xlsx", "不是 Excel 工作簿"),
        ("truncated.xlsx", "损坏"),
        ("empty.xlsx", "没有任何数据"),
        ("no_tracker.xlsx", "找不到备案台账"),
        ("zero_bytes.xlsx", "文件为空"),
    ],
)
def test_reason_says_what_is_wrong(name, reason):
    result = run("validate", str(BAD / name))
    assert reason in result.stderr


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory) -> Path:
    return corpus.zip_bomb(tmp_path_factory.mktemp("bomb") / "zip_bomb.xlsx", megabytes=200)


def test_zip_bomb_is_small_on_disk_and_huge_inflated(zip_bomb):
    import zipfile

    with zipfile.ZipFile(zip_bomb) as zf:
        inflated = sum(i.file_size for i in zf.infolist())
    assert zip_bomb.stat().st_size < 2_000_000
    assert inflated > 200_000_000


@pytest.mark.parametrize("command", COMMANDS)
def test_zip_bomb_is_refused_quickly(tmp_path, zip_bomb, command):
    out = tmp_path / "out"
    started = time.perf_counter()
    result = run(command, str(zip_bomb), "--out", str(out))
    assert time.perf_counter() - started < 10
    assert_refused(result, "zip_bomb.xlsx", out)
    assert "体积异常" in result.stderr


def test_billion_laughs_is_refused_without_expanding():
    started = time.perf_counter()
    result = run("validate", str(BAD / "billion_laughs.xlsx"))
    assert time.perf_counter() - started < 10
    assert result.exit_code == 2
    assert "lollol" not in result.stderr + result.stdout


# ------------------------------------------------------------------ readable inputs
def findings_of(name: str, command: str = "check") -> tuple[int, dict]:
    result = run(command, str(BAD / name), "--json", "--today", TODAY)
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout)


def cells(payload: dict, code: str) -> set[tuple[int, int | None]]:
    return {(f["row"], f["column"]) for f in payload["findings"] if f["code"] == code}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", READABLE)
def test_readable_odd_workbooks_run_normally(name, command):
    _, payload = findings_of(name, command)
    assert payload["rows"] == (4 if name == "formulas_errors.xlsx" else 3)


def test_merged_cells_give_their_value_to_the_top_left_cell_only():
    _, payload = findings_of("merged_header.xlsx", "validate")
    # 活动名称 B3:B4 merged: row 4 has no activity name of its own (JSON columns count from 1)
    assert cells(payload, "missing-value") == {(4, 2)}
    ids = {f["filing_id"] for f in payload["findings"]}
    assert {"BA-101", "BA-102", "BA-103"} <= ids
    assert not cells(payload, "invalid-date")


def test_merged_title_row_above_the_header_is_skipped():
    book = read_book(BAD / "merged_header.xlsx")
    ctx = build_context(book, system_today=date(2026, 11, 20))
    assert ctx.tracker.header_row == 2
    assert ctx.tracker.df.loc[3, "launch_date"] == date(2026, 12, 1)
    assert ctx.tracker.df.loc[4, "activity"] is None


def test_formulas_read_by_cached_value_and_errors_are_findings_on_required_fields():
    _, payload = findings_of("formulas_errors.xlsx", "validate")
    missing = [f for f in payload["findings"] if f["code"] == "missing-value"]
    assert [(f["row"], f["cell"], f["value"]) for f in missing] == [(3, "B3", "#N/A")]
    assert "#N/A" in missing[0]["message"]
    # #REF! in the optional 提交日期 of a 草稿 row is empty, not a finding
    assert not [f for f in payload["findings"] if f["row"] == 4 and f["column"] == 7]
    book = read_book(BAD / "formulas_errors.xlsx")
    df = build_context(book, system_today=date(2026, 11, 20)).tracker.df
    assert df.loc[2, "budget"] == 12000.0
    assert df.loc[5, "filing_id"] == "BA-004"


def test_16384_columns_are_read_and_findings_land_on_the_right_cell():
    _, payload = findings_of("wide_16384.xlsx", "validate")
    assert cells(payload, "invalid-date") == {(3, 6)}  # F3: JSON columns count from 1
    book = read_book(BAD / "wide_16384.xlsx")
    tracker = build_context(book, system_today=date(2026, 11, 20)).tracker
    assert tracker.extra_columns == {"内部备注": 16383}


def test_old_xls_is_read_like_xlsx():
    """Decision: a real Excel 97-2003 .xls is a workbook teams still have; calamine reads it
    correctly, so it gets a normal run rather than a refusal."""
    book = read_book(BAD / "old.xls")
    df = build_context(book, system_today=date(2026, 11, 20)).tracker.df
    assert list(df["filing_id"]) == ["BA-001", "BA-002", "BA-003"]
    assert list(df["budget"]) == [12000.0, 12000.0, 5000.0]
    assert list(df["platform"]) == ["微信", "抖音", "小红书"]
    _, payload = findings_of("old.xls", "validate")
    assert not cells(payload, "invalid-value") and not cells(payload, "invalid-date")
