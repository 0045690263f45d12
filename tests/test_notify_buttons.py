"""发送提醒 and 导出日程 on xlwings' remote engine: the same actions as `beian notify` / `beian calendar`,
nothing written into the workbook, the secrets in no message."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from robot_receiver import Receiver
from test_buttons import _remote_engine, row, run, workbook, writes  # noqa: F401 - fixtures

TOKEN = "wecomKEY-0000-1111-2222-buttons-secret"


def late_rows() -> list[list[object]]:
    """Two filings launching before approval (errors), one per 负责人."""
    return [row(备案编号=f"BA-{i}", 活动名称=f"活动{i}", 平台="微信", 主体名称="上海星河数字科技有限公司", 状态="草稿",
                负责人=name, 计划上线日期=dt.date(2026, 11, 2)) for i, name in enumerate(["王敏", "李雷"])]


@pytest.fixture
def rx():
    with Receiver() as receiver:
        yield receiver


def test_send_reminders_posts_urgent_items_and_writes_nothing(workbook, rx, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    robots = [["企微群", "企业微信", rx.url("wecom", TOKEN), "", "urgent,approved,weekly", "是"]]
    people = [["王敏", "13900001111", "wangmin", "", ""]]
    book, actions = run(workbook, "send_reminders", late_rows(), 通知=robots, 人员=people,
                        设置=[["今天", "2026-11-20"]])
    markdown = [r.body["markdown"]["content"] for r in rx.of("wecom") if r.body.get("msgtype") == "markdown"]
    assert len(markdown) == 1, actions[-1]  # urgent only: the button never sends the weekly report
    assert "<@wangmin>" in markdown[0] and "BA-0" in markdown[0] and "BA-1" in markdown[0]
    assert writes(actions) == []
    alert = actions[-1]
    assert alert["func"] == "alert" and "共发送 1 条消息" in alert["args"][0] and "李雷" in alert["args"][0]
    assert TOKEN not in str(actions)


def test_export_calendar_writes_an_ics_beside_the_workbook_output(workbook, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    _, actions = run(workbook, "export_calendar", late_rows(), 设置=[["今天", "2026-11-20"]])
    path = tmp_path / "beian-out" / "备案日程.ics"
    events = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert {str(e["summary"]).split("：")[0] for e in events} >= {"计划上线", "最晚提交日"}
    assert writes(actions) == []
    assert "备案日程.ics" in actions[-1]["args"][0]
