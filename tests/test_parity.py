"""The command line and the buttons are two doors onto one loader and one action per capability:
on the same workbook they must give the same findings and write the same files.

The button side runs on xlwings' remote engine (a real `xw.Book` from a JSON payload, as in
test_buttons.py). The workbook is a copy of the sample whose 设置 names a relative archive root and
a relative 输出目录, and whose row 4 says 安全承诺书 = 否 while the file sits in the archive — the
case where the two doors once disagreed.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
import pytest
import xlwings as xw
from click.testing import CliRunner
from test_buttons import _remote_engine, payload  # noqa: F401  (autouse fixture: the remote engine)

import pyaddin.buttons as buttons
from pyaddin.cli.main import main
from pyaddin.run.findings import SEVERITY_ZH

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
OUT = "结果"


def prepared_copy(folder: Path, *, last_row: int | None = None) -> Path:
    """The sample + its archive in `folder`, 设置 输出目录 = 结果 (relative), row 4 安全承诺书 = 否;
    with `last_row`, the tracker cut after that row (documents cost a second each)."""
    folder.mkdir(parents=True)
    shutil.copytree(SAMPLE / "archive", folder / "archive")
    wb = openpyxl.load_workbook(SAMPLE / "备案台账示例.xlsx")
    ws = wb["备案台账"]
    col = next(c.column for c in ws[3] if c.value == "安全承诺书")
    ws.cell(4, col, "否")
    if last_row is not None:
        ws.delete_rows(last_row + 1, ws.max_row)
    settings = wb["设置"]
    for r in range(1, settings.max_row + 1):
        if settings.cell(r, 1).value == "输出目录":
            settings.cell(r, 2, OUT)
            break
    else:
        settings.append(["输出目录", OUT])
    path = folder / "台账.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def doors(tmp_path_factory):
    root = tmp_path_factory.mktemp("parity")
    return prepared_copy(root / "cli"), prepared_copy(root / "button")


@pytest.fixture(scope="module")
def small_doors(tmp_path_factory):
    root = tmp_path_factory.mktemp("parity-small")
    return prepared_copy(root / "cli", last_row=16), prepared_copy(root / "button", last_row=16)


def cli_findings(path: Path, command: str) -> set[tuple]:
    result = CliRunner().invoke(main, [command, str(path), "--json"])
    assert result.exit_code in (0, 1), result.output
    return {(f["row"], f["field"], SEVERITY_ZH[f["severity"]], f["code"]) for f in json.loads(result.output)["findings"]}


def click(path: Path, function: str, monkeypatch) -> list[dict]:
    """Run a button with the workbook's folder as the current folder (the remote engine's book has
    no full path, so the loader resolves 设置 paths against the current folder, as Excel's would
    against the workbook's)."""
    monkeypatch.chdir(path.parent)
    book = xw.Book(json=payload(path))
    with mock.patch.object(xw.Book, "caller", return_value=book):
        getattr(buttons, function)()
    return book.json()["actions"]


def sheet_findings(actions: list[dict], sheet_header_code: str = "代码") -> set[tuple]:
    found = set()
    for a in actions:
        if a["func"] != "setValues" or not a["values"] or sheet_header_code not in a["values"][0]:
            continue
        header = a["values"][0]
        at = {h: header.index(h) for h in ("行", "字段", "级别", "代码")}
        for line in a["values"][1:]:
            row = line[at["行"]]
            level = str(line[at["级别"]]).split(" ")[-1]
            found.add((int(row) if row not in ("", None) else None, line[at["字段"]] or None, level, line[at["代码"]]))
    return found


@pytest.mark.parametrize(("command", "button"), [("check", "check_all"), ("validate", "validate_tracker"),
                                                  ("deadlines", "flag_deadlines")])
def test_check_buttons_and_commands_report_the_same_findings(doors, monkeypatch, command, button):
    cli_path, button_path = doors
    from_cli = cli_findings(cli_path, command)
    from_button = sheet_findings(click(button_path, button, monkeypatch))
    assert from_cli and from_cli == from_button


def test_a_material_in_the_archive_counts_through_both_doors(doors, monkeypatch):
    cli_path, button_path = doors
    on_row_4 = {f for f in cli_findings(cli_path, "validate") if f[0] == 4 and f[3] == "missing-material"}
    assert not any(f[1] == "安全承诺书" for f in on_row_4)
    button_row_4 = {f for f in sheet_findings(click(button_path, "validate_tracker", monkeypatch)) if f[0] == 4}
    assert not any(f[1] == "安全承诺书" and f[3] == "missing-material" for f in button_row_4)


def docx_body(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml")


def output_files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("command", "button"), [
    ("docs", "generate_documents"),
    ("archive", "build_archive_index"),
    ("report", "weekly_report"),
])
def test_file_buttons_write_what_the_commands_write_into_the_relative_output_folder(
        small_doors, monkeypatch, command, button):
    cli_path, button_path = small_doors
    for path in small_doors:
        shutil.rmtree(path.parent / OUT, ignore_errors=True)
    result = CliRunner().invoke(main, [command, str(cli_path)])
    assert result.exit_code in (0, 1), result.output
    actions = click(button_path, button, monkeypatch)
    assert actions[-1]["func"] == "alert" and "出错" not in actions[-1]["args"][0], actions[-1]["args"][0]
    cli_files = output_files(cli_path.parent / OUT)
    button_files = output_files(button_path.parent / OUT)
    assert cli_files and set(cli_files) == set(button_files)
    for name, path in cli_files.items():
        if path.suffix == ".xlsx":
            a = pd.read_excel(path, sheet_name=None, engine="calamine")
            b = pd.read_excel(button_files[name], sheet_name=None, engine="calamine")
            assert set(a) == set(b), name
            for sheet in a:
                # paths name each door's own folder; a docx's hash covers its zip timestamps
                drop = [c for c in a[sheet].columns if "路径" in str(c) or str(c) in {"文件", "SHA-256"}]
                assert a[sheet].drop(columns=drop).equals(b[sheet].drop(columns=drop)), (name, sheet)
        elif path.suffix == ".docx":
            assert docx_body(path) == docx_body(button_files[name]), name
        elif path.suffix in {".md", ".csv"}:
            assert path.read_text(encoding="utf-8") == button_files[name].read_text(encoding="utf-8"), name
