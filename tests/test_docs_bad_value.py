"""One bad value never aborts a docs batch nor blames the template: an 18-digit ID pasted into 预算 is
reported on its cell (validate too), the other rows get their documents and documents.xlsx is written."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_documents import HEADER, row, tracker

from pyaddin.cli.main import main
from pyaddin.documents.chinese_format import MAX_AMOUNT
from pyaddin.tracker import values

BUDGET_LETTER = chr(ord("A") + HEADER.index("预算(元)"))
PASTED_ID = 123456789012345678


@pytest.fixture
def batch(tmp_path) -> Path:
    return tracker(tmp_path, [row("BA-1"), row("BA-2", **{"预算(元)": PASTED_ID}), row("BA-3"),
                              row("BA-4", **{"预算(元)": 1e16})])


def docs(path: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["docs", str(path), "--out", str(out), "--today", "2025-10-20", "--json", *extra])


def indexed_ids(out: Path) -> set[str]:
    ws = openpyxl.load_workbook(out / "documents.xlsx").active
    return {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}


def test_the_tracker_limit_is_what_chinese_capitals_can_write():
    assert values.AMOUNT_LIMIT == MAX_AMOUNT


def test_validate_reports_an_amount_that_is_a_pasted_id_on_its_cell(batch):
    result = CliRunner().invoke(main, ["validate", str(batch), "--json", "--today", "2025-10-20"])
    found = [(f["row"], f["field"], f["code"]) for f in json.loads(result.output)["findings"]
             if f["code"] == "invalid-value"]
    assert found == [(3, "预算(元)", "invalid-value"), (5, "预算(元)", "invalid-value")]
    assert result.exit_code == 1


def test_a_pasted_id_in_the_budget_refuses_that_row_and_the_batch_goes_on(batch, tmp_path):
    out = tmp_path / "out"
    result = docs(batch, out)
    assert result.exit_code == 1, result.output
    payload = json.loads(result.output)
    assert {r["row"] for r in payload["refused"]} == {3, 5}
    assert "模板" not in " ".join(r["reason"] for r in payload["refused"])
    assert indexed_ids(out) == {"BA-1", "BA-3"}
    assert sorted(p.name for p in out.glob("BA-*.docx")) == [
        "BA-1_微信_安全承诺书.docx", "BA-1_微信_营销活动方案.docx", "BA-3_微信_安全承诺书.docx", "BA-3_微信_营销活动方案.docx"]


def test_a_value_the_chinese_capitals_cannot_write_is_reported_on_its_row_even_when_forced(batch, tmp_path,
                                                                                            monkeypatch):
    """Were the reader to let the amount through, the renderer still blames the value, not the template."""
    monkeypatch.setattr(values, "AMOUNT_LIMIT", float("inf"))
    out = tmp_path / "out"
    result = docs(batch, out, "--force")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.output)
    refused = {r["row"]: r["reason"] for r in payload["refused"]}
    assert set(refused) == {3, 5}
    assert "预算" in refused[3] and "无法写出" in refused[3]
    found = [f for f in payload["findings"] if f["code"] == "invalid-value"]
    assert {(f["row"], f["field"]) for f in found} == {(3, "预算(元)"), (5, "预算(元)")}
    assert {f["cell"] for f in found} == {f"{BUDGET_LETTER}3", f"{BUDGET_LETTER}5"}
    assert indexed_ids(out) == {"BA-1", "BA-3"}


def test_a_filter_the_template_misuses_is_still_the_templates_fault(batch, tmp_path):
    """`{{ 备案编号|金额 }}` fails on every row's ID: one line naming the template, not a refusal per row."""
    from test_documents import make_template

    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }}", "{{ 备案编号|金额 }}")
    result = CliRunner().invoke(main, ["docs", str(batch), "--templates", str(tpl), "--kind", "承诺书", "--out",
                                       str(tmp_path / "out"), "--today", "2025-10-20"])
    assert result.exit_code == 2
    assert "模板“安全承诺书.docx”无法渲染" in result.stderr and len(result.stderr.strip().splitlines()) == 1
