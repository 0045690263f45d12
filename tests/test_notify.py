"""`beian notify` against a group-robot receiver on 127.0.0.1: each vendor's payload, @ lists and
signature, masking, splitting, retries, vendor error codes, once-only *approved*, dry run, secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from helpers import CLEAN, write_tracker
from robot_receiver import Receiver

from pyaddin.actions import notify as action
from pyaddin.adapters.robots import Payload, Sender
from pyaddin.cli.commands.common import open_workbook as load
from pyaddin.cli.main import main
from pyaddin.notify.channels import Channel

TODAY = "2026-11-20"
HEADERS = [*CLEAN, "负责人", "审核意见", "反馈日期", "补充截止日期"]
WECOM_KEY = "wecomKEY-5f1c2d3e-aaaa-bbbb-cccc-1234567890ab"
DING_TOKEN = "dingTOKEN9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0"
DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
FEISHU_HOOK = "feishuHOOK-11112222-3333-4444-5555-666677778888"
FEISHU_SECRET = "fsSECRETqwertyuiop12345"
SECRETS = (WECOM_KEY, DING_TOKEN, DING_SECRET, FEISHU_HOOK, FEISHU_SECRET)
LATER = {"计划上线日期": date(2026, 12, 31), "活动开始日期": date(2026, 12, 31), "活动结束日期": date(2027, 1, 31)}

ROWS = [
    # supplement overdue (error) for 王敏, with a phone number typed into the activity name
    {"备案编号": "BA-1", "活动名称": "咨询热线13812345678", "负责人": "王敏", "状态": "需补充", "备案号": None,
     "通过日期": None, "审核意见": "补充资质", "反馈日期": date(2026, 11, 10), "补充截止日期": date(2026, 11, 13), **LATER},
    # launch without approval (error) for 李雷 (known only by 手机)
    {"备案编号": "BA-2", "活动名称": "双十二预热", "负责人": "李雷", "状态": "草稿", "备案号": None, "通过日期": None,
     "提交日期": None, "计划上线日期": date(2026, 11, 19), "活动开始日期": date(2026, 11, 19),
     "活动结束日期": date(2026, 12, 31)},
    # review overdue (warning, overdue) for 张三, who is not in 人员
    {"备案编号": "BA-3", "活动名称": "年终盛典", "负责人": "张三", "状态": "审核中", "备案号": None, "通过日期": None,
     "提交日期": date(2026, 11, 2), **LATER},
    # approved this week, and one approved long ago
    {"备案编号": "BA-4", "活动名称": "冬季新品", "负责人": "王敏", "备案号": "WX2026110004", "通过日期": date(2026, 11, 18)},
    {"备案编号": "BA-5", "活动名称": "国庆特惠", "负责人": "李雷", "备案号": "WX2026090005", "通过日期": date(2026, 9, 20)},
]
PEOPLE = [["姓名", "手机", "企业微信ID", "钉钉ID", "飞书ID"],
          ["王敏", "13900001111", "wangmin", "ding_wm", "ou_wm"],
          ["李雷", "13700002222", None, None, None]]


@pytest.fixture(scope="module")
def rx():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def fresh(rx):
    rx.requests.clear()
    for q in rx.script.values():
        q.clear()


def robots_sheet(rx, *rows):
    urls = {"企业微信": rx.url("wecom", WECOM_KEY), "钉钉": rx.url("ding", DING_TOKEN), "飞书": rx.url("feishu", FEISHU_HOOK)}
    secrets = {"企业微信": "", "钉钉": DING_SECRET, "飞书": FEISHU_SECRET}
    sheet = [["名称", "类型", "Webhook", "加签密钥", "内容", "启用"]]
    for kind, contents in rows:
        sheet.append([f"{kind}群", kind, urls[kind], secrets[kind], contents, "是"])
    return sheet


def workbook(tmp_path, rx, *robots, rows=ROWS, name="台账.xlsx"):
    return write_tracker(tmp_path / name, rows, headers=HEADERS,
                         extra_sheets={"通知": robots_sheet(rx, *robots), "人员": PEOPLE})


def notify(path, *args):
    return CliRunner().invoke(main, ["notify", str(path), "--today", TODAY, *map(str, args)])


def contents(requests, key):
    return [r.body["markdown"][key] for r in requests if r.body.get("msgtype") == "markdown"]


def test_wecom_markdown_mentions_by_userid_then_by_mobile_and_masks_phones(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "urgent"))
    result = notify(path)
    assert result.exit_code == 0, result.output
    markdown = contents(rx.of("wecom"), "content")
    assert len(markdown) == 1
    text = markdown[0]
    assert "<@wangmin>" in text
    # masked like the weekly Markdown; in markdown the stars are full-width so they cannot turn text bold
    assert "BA-1 · 咨询热线138＊＊＊＊5678 · 微信 · 补充材料逾期 · 2026-11-13 已逾期" in text
    assert "13812345678" not in text
    assert {"BA-1", "BA-2", "BA-3"} <= {w for w in text.replace("\n", " ").split() if w.startswith("BA-")}
    assert len(text.encode()) <= 4096
    mobile = [r.body for r in rx.of("wecom") if r.body.get("msgtype") == "text"]
    assert mobile and mobile[0]["text"]["mentioned_mobile_list"] == ["13700002222"]
    assert "张三" in result.output and "未能 @" in result.output


def test_dingtalk_signature_recomputes_and_at_lists_name_ids_and_mobiles(tmp_path, rx):
    path = workbook(tmp_path, rx, ("钉钉", "urgent"))
    assert notify(path).exit_code == 0
    (req,) = rx.of("ding")
    ts, sign = req.query["timestamp"], req.query["sign"]
    expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256).digest())
    assert sign == expected.decode()  # parse_qs has undone the URL encoding
    body = req.body
    assert body["msgtype"] == "markdown"
    assert body["at"] == {"atMobiles": ["13700002222"], "atUserIds": ["ding_wm"], "isAtAll": False}
    text = body["markdown"]["text"]
    assert "**王敏（1 项）** @ding_wm" in text
    # 钉钉 @-s a person in atMobiles only when the text says @<手机号> too
    assert "**李雷（1 项）** @13700002222" in text
    assert all(f"@{m}" in text for m in body["at"]["atMobiles"])
    assert all(f"@{u}" in text for u in body["at"]["atUserIds"])


def test_feishu_post_signature_recomputes_and_mentions_by_user_id(tmp_path, rx):
    path = workbook(tmp_path, rx, ("飞书", "urgent"))
    assert notify(path).exit_code == 0
    (req,) = rx.of("feishu")
    body = req.body
    key = f"{body['timestamp']}\n{FEISHU_SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    elements = [el for line in post["content"] for el in line]
    assert {"tag": "at", "user_id": "ou_wm"} in elements
    texts = " ".join(el.get("text", "") for el in elements)
    assert "138****5678" in texts and "13812345678" not in texts
    assert len(req.raw) <= 20_000


@pytest.fixture(scope="module")
def many_rows():
    return [{"备案编号": f"BA-{i:04d}", "活动名称": f"大促活动第{i}场", "负责人": ["王敏", "李雷"][i % 2], "状态": "审核中",
             "备案号": None, "通过日期": None, "提交日期": date(2026, 11, 2), **LATER} for i in range(300)]


def sent_texts(rx, vendor, limit):
    """Each payload's visible text, checking it is within the vendor's limit."""
    texts = []
    for r in rx.of(vendor):
        if r.body.get("msgtype") == "text":
            continue
        if vendor == "feishu":
            assert len(r.raw) <= limit
            post = r.body["content"]["post"]["zh_cn"]
            texts.append("\n".join([post["title"], *(el.get("text", "") for line in post["content"] for el in line)]))
        else:
            text = r.body["markdown"]["content" if vendor == "wecom" else "text"]
            assert len(text.encode()) <= limit
            texts.append(text)
    return texts


VENDORS = [("企业微信", "wecom", 4096), ("钉钉", "ding", 20_000), ("飞书", "feishu", 20_000)]


@pytest.mark.parametrize("kind, vendor, limit", VENDORS)
def test_a_long_message_is_split_within_the_limit_and_loses_no_item(tmp_path, rx, many_rows, kind, vendor, limit):
    path = workbook(tmp_path, rx, (kind, "urgent"), rows=many_rows)
    result = notify(path)
    assert result.exit_code == 0, result.output
    texts = sent_texts(rx, vendor, limit)
    assert len(texts) > 1
    assert texts[0].count(f"（1/{len(texts)}）") == 1
    joined = "\n".join(texts)
    listed = {f"BA-{i:04d}" for i in range(300) if f"BA-{i:04d} ·" in joined}
    left_out = sum(int(part.split(" 项未列出")[0]) for part in joined.split("……另有 ")[1:])
    assert len(listed) + left_out == 300


@pytest.mark.parametrize("kind, vendor, limit", VENDORS)
def test_a_line_longer_than_a_message_is_split_and_each_piece_marked(tmp_path, rx, kind, vendor, limit):
    rows = [{**ROWS[2], "活动名称": "超长活动名" * 2000}]
    path = workbook(tmp_path, rx, (kind, "urgent"), rows=rows)
    assert notify(path).exit_code == 0
    texts = sent_texts(rx, vendor, limit)
    joined = "".join(texts)
    assert "（未完，1/" in joined and "（接上，2/" in joined
    assert joined.count("长") == 2000  # every character of the name arrived, across the pieces


def test_wecom_45009_waits_a_full_minute_then_sends(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "urgent"))
    rx.reply("wecom", 429, {"errcode": 45009, "errmsg": "api freq out of limit"}, {"Retry-After": "0"})
    waits = []
    ctx = load(path, today=date(2026, 11, 20))
    result = action.run(ctx, sender=Sender(sleep=waits.append))
    assert action.exit_code(result) == 0
    markdown = [r for r in rx.of("wecom") if r.body.get("msgtype") == "markdown"]
    assert len(markdown) == 2 and markdown[0].raw == markdown[1].raw
    assert max(waits) >= 60  # a per-minute quota: a 2–8 s retry cannot succeed


def test_wecom_45009_defers_to_the_next_run_when_the_run_cannot_wait(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "urgent,approved"))
    rx.reply("wecom", 200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    ctx = load(path, today=date(2026, 11, 20))
    waits = []
    result = action.run(ctx, sender=Sender(sleep=waits.append, rate_wait=30))
    assert action.exit_code(result) == 1
    assert waits == []  # never a short retry
    assert [d.status for d in result.data.deliveries] == ["deferred"] * len(result.data.deliveries)
    assert len(rx.of("wecom")) == 1  # the first 45009 defers the rest of this run without knocking again
    lines = "\n".join(action.summary_lines(result, dry_run=False))
    assert "推迟到下次运行" in lines and "因限流未发" in lines
    rx.requests.clear()
    again = action.run(load(path, today=date(2026, 11, 20)), sender=Sender(sleep=waits.append))
    assert action.exit_code(again) == 0
    assert "WX2026110004" in "".join(contents(rx.of("wecom"), "content"))  # the deferred approval comes next run


def test_dingtalk_130101_stops_that_robot_and_says_when_it_can_send_again(tmp_path, rx):
    path = workbook(tmp_path, rx, ("钉钉", "urgent,approved"), ("企业微信", "urgent"))
    rx.reply("ding", 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    waits = []
    now = [1_800_000_000.0]
    sender = Sender(sleep=waits.append, clock=lambda: now[0])
    result = action.run(load(path, today=date(2026, 11, 20)), sender=sender)
    assert action.exit_code(result) == 1
    assert len(rx.of("ding")) == 1 and waits == []  # no retry into a 10-minute block
    ding = [d for d in result.data.deliveries if d.channel == "钉钉群"]
    assert [d.status for d in ding] == ["blocked", "blocked"]
    until = datetime.fromtimestamp(now[0] + 600).strftime("%H:%M")
    assert f"约 {until} 后可再发送" in ding[0].error and "130101" in ding[0].error
    assert all(d.ok for d in result.data.deliveries if d.channel == "企业微信群")
    # the next run within the ten minutes does not knock either, and still says when
    rx.requests.clear()
    now[0] += 300
    again = action.run(load(path, today=date(2026, 11, 20)),
                       sender=Sender(sleep=waits.append, clock=lambda: now[0]))
    assert rx.of("ding") == [] and f"约 {until} 后可再发送" in again.data.deliveries[0].error
    now[0] += 301
    later = action.run(load(path, today=date(2026, 11, 20)),
                       sender=Sender(sleep=waits.append, clock=lambda: now[0]))
    assert action.exit_code(later) == 0 and len(rx.of("ding")) == 2
    assert "WX2026110004" in "".join(contents(rx.of("ding"), "text"))


def test_a_vendor_error_code_with_http_200_is_a_named_failure(tmp_path, rx):
    path = workbook(tmp_path, rx, ("钉钉", "urgent"), ("企业微信", "urgent"))
    rx.reply("ding", 200, {"errcode": 310000, "errmsg": "sign not match"})
    result = notify(path, "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    failed = [d for d in payload["deliveries"] if not d["ok"]]
    assert [d["channel"] for d in failed] == ["钉钉群"]
    assert "310000" in failed[0]["error"]
    assert any(f["code"] == "notify-failed" and "钉钉群" in f["message"] for f in payload["findings"])
    assert [d["ok"] for d in payload["deliveries"] if d["channel"] == "企业微信群"] == [True, True]


def test_approved_is_announced_once_across_runs(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "approved"))
    out = tmp_path / "out"
    assert notify(path, "--out", out).exit_code == 0
    first = contents(rx.of("wecom"), "content")
    assert len(first) == 1 and "WX2026110004" in first[0]
    assert "WX2026090005" not in first[0]  # approved long before the robot's first run: history, not news
    rx.requests.clear()
    result = notify(path, "--out", out)
    assert result.exit_code == 0 and rx.of("wecom") == []
    assert "没有需要通知的内容" in result.output
    newer = [*ROWS, {"备案编号": "BA-6", "活动名称": "元旦", "负责人": "王敏", "备案号": "WX2026110006",
                     "通过日期": date(2026, 11, 20)}]
    path = workbook(tmp_path, rx, ("企业微信", "approved"), rows=newer, name="台账2.xlsx")
    assert notify(path, "--out", out).exit_code == 0
    (third,) = contents(rx.of("wecom"), "content")
    assert "WX2026110006" in third and "WX2026110004" not in third


def test_an_undelivered_approval_is_announced_next_time(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "approved"))
    out = tmp_path / "out"
    rx.reply("wecom", 200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    assert notify(path, "--out", out).exit_code == 1
    rx.requests.clear()
    assert notify(path, "--out", out).exit_code == 0
    assert "WX2026110004" in contents(rx.of("wecom"), "content")[0]


def test_dry_run_sends_nothing_and_masks_webhooks_and_signatures(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "urgent,approved"), ("钉钉", "urgent"), ("飞书", "urgent,approved"))
    out = tmp_path / "out"
    result = notify(path, "--dry-run", "--out", out)
    assert result.exit_code == 0, result.output
    assert rx.requests == []
    assert not (out / "notify_state.json").exists() and not (tmp_path / "beian-out" / "history" / "notify.sqlite").exists()
    assert '"msgtype": "markdown"' in result.output and '"msg_type": "post"' in result.output
    assert '"sign": "****"' in result.output and "sign=****" in result.output
    assert "/****" in result.output
    for secret in SECRETS:
        assert secret not in result.output


def test_no_secret_in_any_output_log_or_file(tmp_path, rx, monkeypatch):
    from pyaddin.adapters import robots

    monkeypatch.setitem(robots.Sender.__init__.__kwdefaults__, "sleep", lambda _seconds: None)  # retries, no waiting
    path = workbook(tmp_path, rx, ("企业微信", "urgent,approved"), ("钉钉", "urgent,approved"), ("飞书", "urgent"))
    out = tmp_path / "out"
    texts = []
    for extra in ([], ["--json"]):
        rx.reply("ding", 200, {"errcode": 300001, "errmsg": f"token {DING_TOKEN} is invalid"})
        for _ in range(4):
            rx.reply("feishu", 500, {"code": 1, "msg": "boom"})
        result = notify(path, "--out", out, *extra)
        assert result.exit_code == 1
        texts += [result.stdout, result.stderr]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file()]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
    assert "钉钉群" in texts[0] and "飞书群" in texts[0]


def test_a_robot_row_that_cannot_be_used_is_named_and_the_others_still_send(tmp_path, rx):
    sheet = robots_sheet(rx, ("企业微信", "urgent"))
    sheet.append(["坏机器人", "QQ", "https://example.invalid/hook/xyz", "", "urgent", "是"])
    sheet.append(["停用", "钉钉", "not a url", "", "urgent", "否"])
    path = write_tracker(tmp_path / "t.xlsx", ROWS, headers=HEADERS, extra_sheets={"通知": sheet, "人员": PEOPLE})
    result = notify(path)
    assert result.exit_code == 1
    assert "第3行（坏机器人）" in result.output and "QQ" in result.output
    assert "停用" not in result.output
    assert len(rx.of("wecom")) == 2


def test_without_a_notify_sheet_it_cannot_run(tmp_path):
    path = write_tracker(tmp_path / "t.xlsx", ROWS, headers=HEADERS)
    result = notify(path)
    assert result.exit_code == 2
    assert "通知" in result.stderr


def test_channel_option_sends_to_that_robot_only(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "urgent"), ("飞书", "urgent"))
    assert notify(path, "--channel", "飞书群").exit_code == 0
    assert rx.of("wecom") == [] and len(rx.of("feishu")) == 1
    assert notify(path, "--channel", "没有这个群").exit_code == 2


def test_the_rate_limit_keeps_twenty_messages_a_minute_per_robot(rx):
    now = [0.0]
    sender = Sender(sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0])
    robot = Channel("企微", "企业微信", rx.url("wecom", WECOM_KEY))
    times = []
    for _ in range(45):
        assert sender.send(robot, Payload({"msgtype": "text", "text": {"content": "x"}})).ok
        times.append(now[0])
    assert all(sum(1 for t in times if start <= t < start + 60) <= 20 for start in times)
    assert times[-1] >= 120


def test_weekly_is_the_masked_markdown_summary(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "weekly"))
    assert notify(path, "--out", tmp_path / "out").exit_code == 0
    (text,) = contents(rx.of("wecom"), "content")
    assert "备案周报 2026-W47" in text and "13812345678" not in text


def test_an_unreadable_state_file_stops_the_run_rather_than_announce_twice(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "approved"))
    legacy = tmp_path / "beian-out"  # where earlier versions kept it: the workbook's results folder
    legacy.mkdir()
    (legacy / "notify_state.json").write_text("{not json", encoding="utf-8")
    result = notify(path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "notify_state.json" in result.stderr
    assert rx.requests == []


def test_each_unknown_person_is_listed_once(tmp_path, rx):
    path = workbook(tmp_path, rx, ("企业微信", "urgent"), ("飞书", "urgent"))
    payload = json.loads(notify(path, "--json").stdout)
    unknown = [f["value"] for f in payload["findings"] if f["code"] == "person-unknown"]
    assert sorted(unknown) == ["张三", "李雷"]  # 李雷 has only a 手机: 飞书 cannot @ by phone
    assert {robot: sorted(names) for robot, names in payload["unresolved"].items()} == {
        "企业微信群": ["张三"], "飞书群": ["张三", "李雷"]}
