"""Records of when something was done use the real clock even when 今天 is pinned (docs/deadlines.md):
the archive manifest's `created`, BagIt's `Bagging-Date` and 复用来源.txt."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner
from helpers import write_tracker

from pyaddin.cli.main import main

PINNED = "2026-01-05"


def test_archive_manifest_and_bags_carry_the_real_date_while_deadlines_use_the_pinned_one(tmp_path):
    folder = tmp_path / "归档" / "BA-1 活动"
    folder.mkdir(parents=True)
    (folder / "营业执照.pdf").write_bytes(b"%PDF-1.4 test")
    book = write_tracker(tmp_path / "t.xlsx", [{"备案编号": "BA-1"}],
                         extra_sheets={"设置": [["项目", "值"], ["今天", PINNED], ["归档根目录", "归档"]]})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["archive", str(book), "--out", str(out), "--bag", "--json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["today"] == PINNED  # computations: the pinned day
    manifest = json.loads((out / "archive_manifest.json").read_text(encoding="utf-8"))
    assert manifest["created"] == date.today().isoformat() != PINNED  # the record: the real day
    infos = list((out / "bags").glob("*/bag-info.txt"))
    assert infos  # BA-1 is 已通过: one bag
    for info in infos:
        assert f"Bagging-Date: {date.today().isoformat()}" in info.read_text(encoding="utf-8")
