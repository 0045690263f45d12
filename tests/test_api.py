"""The Python API is the third door: the same loader and actions as the command line."""

from __future__ import annotations

import json

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
    # the command line keeps its rule history in ./beian-out: start both doors without one, so an
    # earlier test's snapshot of other rules (e.g. the packaged defaults) reads as no rule-changed
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    ctx = pyaddin.open_workbook(WORKBOOK)
    result = pyaddin.run_check(ctx, out_dir=tmp_path)
    assert result.written == [tmp_path / "findings.xlsx"] and result.written[0].is_file()
    cli = CliRunner().invoke(main, ["check", str(WORKBOOK), "--json"])
    from_cli = [(f["row"], f["code"], f["field"]) for f in json.loads(cli.output)["findings"]]
    assert [(f.row, f.code, f.field) for f in result.report.findings] == from_cli
