"""The 复用材料 and 规则变化 buttons on xlwings' remote engine, through the same actions as the CLI."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import xlwings as xw
from test_buttons import _remote_engine, payload, row  # noqa: F401 - _remote_engine is an autouse fixture

import pyaddin.buttons as buttons
from pyaddin.excel.build import build_workbook


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "beian.xlsm"
    build_workbook(path)
    return path

APPROVED = dict(活动名称="秋季上新", 平台="微信", 创意形式="H5", 行业="快消", 主体名称="上海星河数字科技有限公司",
                统一社会信用代码="91310110666007217T", 状态="已通过", 提交日期=dt.date(2026, 8, 17),
                通过日期=dt.date(2026, 8, 26), 备案号="WX2026110001", 活动结束日期=dt.date(2026, 9, 30))


def rows() -> list[list[object]]:
    return [
        row(备案编号="BA-1", **APPROVED),
        row(备案编号="BA-2", **{**APPROVED, "平台": "抖音", "备案号": "DY2026110002"}),
        row(备案编号="BA-3", **{**APPROVED, "状态": "草稿", "备案号": "", "通过日期": "", "提交日期": "",
                                             "活动结束日期": dt.date(2027, 1, 31)}),
    ]


def click(workbook, function: str, selected_id: str | None):
    """Click with the cell in column B of the row holding `selected_id` selected (None: A1)."""
    data = payload(workbook, {"备案台账": rows()})
    index = [s["name"] for s in data["sheets"]].index("备案台账")
    data["book"]["active_sheet_index"] = index
    values = data["sheets"][index]["values"]
    data["book"]["selection"] = "A1" if selected_id is None else \
        f"B{next(i for i, r in enumerate(values, start=1) if r[0] == selected_id)}"
    book = xw.Book(json=data)
    with mock.patch.object(xw.Book, "caller", return_value=book):
        getattr(buttons, function)()
    return book.json()["actions"]


def table_written(actions, sheet_name: str) -> list[list[object]]:
    added = [a for a in actions if a["func"] == "addSheet"]
    assert added and added[-1]["args"][1] == sheet_name
    return next(a for a in actions if a["func"] == "setValues")["values"]


def test_reuse_button_lists_candidates_for_the_selected_row(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    actions = click(workbook, "reuse_selected", "BA-3")  # the draft
    values = table_written(actions, "复用建议")
    assert values[0][:5] == ["候选", "备案编号", "活动名称", "平台", "得分"]
    # same company 8 + platform 4 + forms 2 + industry 1; BA-2 is on another platform
    assert [(r[1], r[4]) for r in values[1:]] == [("BA-1", 15), ("BA-2", 11)]
    assert values[0][-1] == "说明"
    message = actions[-1]["args"][0]
    assert actions[-1]["func"] == "alert" and "BA-3" in message and "首选 BA-1" in message


def test_reuse_button_without_a_tracker_row_selected_says_what_to_do(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    actions = click(workbook, "reuse_selected", None)  # A1: not a filing's row
    assert "setValues" not in [a["func"] for a in actions]
    assert "请先在“备案台账”中选中" in actions[-1]["args"][0]


def test_rules_button_keeps_a_snapshot_first_then_reports_changes(workbook, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = click(workbook, "rules_changes", None)
    assert "第一份规则快照" in first[-1]["args"][0]
    snapshots = list((tmp_path / "beian-out" / "history" / "rules").glob("0001_*.csv"))
    assert len(snapshots) == 1
    # an older release without BASE-04: the button compares with it
    text = snapshots[0].read_text(encoding="utf-8")
    older = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("BASE-04,"))
    snapshots[0].rename(snapshots[0].with_name("0000_2026-01-01_default_00000000.csv"))
    snapshots[0].with_name("0000_2026-01-01_default_00000000.csv").write_text(older, encoding="utf-8")
    actions = click(workbook, "rules_changes", None)
    values = table_written(actions, "规则变化")
    assert {r[1] for r in values[1:]} == {"BASE-04"}
    assert {r[5] for r in values[1:]} == {"BA-3"}  # the only open filing; BA-1/BA-2 ended long ago
    assert "1 处规则变化" in actions[-1]["args"][0]
