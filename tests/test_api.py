"""The Python API is the third door: the same loader and actions as the command line."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from conftest import SAMPLE_DATA

import pyaddin
from pyaddin.cli.main import main

WORKBOOK = SAMPLE_DATA / "备案台账示例.xlsx"


def test_every_public_name_exists_and_none_shadows_a_submodule():
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(pyaddin.__path__)}
    assert all(hasattr(pyaddin, name) for name in pyaddin.__all__)
    assert not set(pyaddin.__all__) & submodules


def test_api_check_gives_the_findings_the_command_line_prints(tmp_path, monkeypatch):
    # a copy: writing findings.xlsx keeps a rule snapshot in the workbook's own history (`run.places`)
    workbook = tmp_path / WORKBOOK.name
    shutil.copy2(WORKBOOK, workbook)
    monkeypatch.chdir(tmp_path)
    ctx = pyaddin.open_workbook(workbook)
    result = pyaddin.run_check(ctx, out_dir=tmp_path / "out")
    assert result.written == [tmp_path / "out" / "findings.xlsx"] and result.written[0].is_file()
    cli = CliRunner().invoke(main, ["check", str(workbook), "--json"])
    from_cli = [(f["row"], f["code"], f["field"]) for f in json.loads(cli.output)["findings"]]
    assert [(f.row, f.code, f.field) for f in result.report.findings] == from_cli
