"""notify across runs and processes, and its secrets on the wire: two runs at the same moment
announce a 备案号 once, the per-minute window is one window for every process, redirects are
not followed, a password in the webhook URL and a signature echoed by the vendor are never shown."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CLEAN, write_tracker
from robot_receiver import Receiver

from pyaddin.adapters.notify_store import STORE_NAME, NotifyStore
from pyaddin.cli.main import main

TODAY = "2026-11-20"
HEADERS = [*CLEAN, "负责人"]
ROWS = [{"备案编号": "BA-4", "活动名称": "冬季新品", "负责人": "王敏", "备案号": "WX2026110004", "通过日期": date(2026, 11, 18)},
        {"备案编号": "BA-5", "活动名称": "元旦", "负责人": "王敏", "备案号": "WX2026110005", "通过日期": date(2026, 11, 19)}]
DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rx():
    with Receiver() as receiver:
        yield receiver


def workbook(tmp_path, *robots):
    sheet = [["名称", "类型", "Webhook", "加签密钥", "内容", "启用"], *robots]
    return write_tracker(tmp_path / "台账.xlsx", ROWS, headers=HEADERS, extra_sheets={"通知": sheet})


def notify(path, *args):
    return CliRunner().invoke(main, ["notify", str(path), "--today", TODAY, *map(str, args)])


def test_two_runs_at_the_same_moment_announce_each_approval_once(tmp_path, rx):
    path = workbook(tmp_path, ["企微群", "企业微信", rx.url("wecom"), "", "approved", "是"])
    out = tmp_path / "out"
    rx.delay = 1.0  # each run holds its request a second: the other run reads the state meanwhile
    command = [sys.executable, "-m", "pyaddin", "notify", str(path), "--today", TODAY, "--out", str(out)]
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in runs]
    assert [code for code, *_ in results] == [0, 0], results
    texts = [r.body["markdown"]["content"] for r in rx.of("wecom")]
    assert sum("WX2026110004" in t for t in texts) == 1 and sum("WX2026110005" in t for t in texts) == 1
    assert any("没有需要通知的内容" in stdout for _, stdout, _ in results)
    # and a third run later announces nothing again
    rx.delay = 0.0
    rx.requests.clear()
    assert notify(path, "--out", out).exit_code == 0 and rx.of("wecom") == []


RESERVE = textwrap.dedent("""
    import sys, json
    from pyaddin.adapters.notify_store import NotifyStore
    store = NotifyStore(sys.argv[1])
    print(json.dumps([store.reserve("robot", 20, None, 1000.0 + i * 0.01) for i in range(15)]))
""")


def test_the_per_minute_window_is_one_window_for_every_process(tmp_path):
    path = tmp_path / "history" / STORE_NAME
    NotifyStore(path).close()
    runs = [subprocess.Popen([sys.executable, "-c", RESERVE, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    waits = [w for p in runs for w in json.loads(p.communicate(timeout=60)[0])]
    assert len(waits) == 30
    assert sum(1 for w in waits if w == 0) == 20  # 36 before: each process counted only its own
    assert all(w > 59 for w in waits if w)  # the 21st waits until the first leaves the minute


def test_a_redirect_is_a_failed_delivery_naming_the_status_and_not_followed(tmp_path, rx):
    path = workbook(tmp_path, ["企微群", "企业微信", rx.url("wecom"), "", "urgent,approved", "是"])
    rx.reply("wecom", 307, {"errcode": 0}, {"Location": rx.url("feishu", "elsewhere0123456789")})
    result = notify(path, "--json", "--out", tmp_path / "out")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    (failed,) = [d for d in payload["deliveries"] if not d["ok"]]
    assert "HTTP 307" in failed["error"] and "未跟随" in failed["error"]
    assert rx.of("feishu") == []  # the other host never heard from us
    assert "elsewhere0123456789" not in result.stdout


def test_a_password_in_the_webhook_url_is_never_shown_and_sent_as_basic_auth(tmp_path, rx):
    host = rx.base.split("//", 1)[1]
    url = f"http://robot-user:Hunter2Secret@{host}/wecom/cgi-bin/webhook/send?key=k0123456789abcdef"
    path = workbook(tmp_path, ["企微群", "企业微信", url, "", "approved", "是"])
    texts = []
    for args in (["--dry-run"], ["--dry-run", "--json"], []):
        result = notify(path, "--out", tmp_path / "out", *args)
        assert result.exit_code == 0, result.output
        texts += [result.stdout, result.stderr]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in (tmp_path / "out").rglob("*") if p.is_file()]
    for text in texts:
        assert "Hunter2Secret" not in text and "robot-user" not in text
    assert f"http://{host}/****" in texts[0]
    (req,) = rx.of("wecom")
    assert req.headers["Authorization"] == "Basic cm9ib3QtdXNlcjpIdW50ZXIyU2VjcmV0"  # robot-user:Hunter2Secret


def test_a_vendor_error_echoing_the_signed_url_has_timestamp_and_sign_masked(tmp_path, rx):
    token = "dingTOKEN9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0"
    path = workbook(tmp_path, ["钉钉群", "钉钉", rx.url("ding", token), DING_SECRET, "approved", "是"])
    rx.reply("ding", 200, {"errcode": 310000, "errmsg": "sign not match, request {path}"})
    result = notify(path, "--json", "--out", tmp_path / "out")
    assert result.exit_code == 1
    (req,) = rx.of("ding")
    ts, sign = req.query["timestamp"], req.query["sign"]
    payload = json.loads(result.stdout)
    (failed,) = [d for d in payload["deliveries"] if not d["ok"]]
    assert "310000" in failed["error"] and "timestamp=****" in failed["error"] and "sign=****" in failed["error"]
    for text in (result.stdout, result.stderr):
        assert ts not in text and sign not in text and token not in text


def test_a_damaged_state_file_stops_the_run_rather_than_announce_twice(tmp_path, rx):
    path = workbook(tmp_path, ["企微群", "企业微信", rx.url("wecom"), "", "approved", "是"])
    store = tmp_path / "beian-out" / "history" / STORE_NAME  # the workbook's history, whatever --out says
    store.parent.mkdir(parents=True)
    store.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    result = notify(path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and STORE_NAME in result.stderr and "Traceback" not in result.output
    assert rx.requests == []


def test_vendor_rules_are_data_with_source_and_verification():
    import csv

    from pyaddin.notify.channels import vendors

    rows = list(csv.DictReader((ROOT / "pyaddin" / "data" / "robots.csv").open(encoding="utf-8")))
    assert rows and all(r["已核实"] in ("是", "否") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["核对日期"]) for r in rows)
    assert all(r["依据"] for r in rows if r["项目"] not in ("别名", "每秒条数"))
    ding, wecom, feishu = vendors()["钉钉"], vendors()["企业微信"], vendors()["飞书"]
    assert (ding.max_bytes, ding.busy_codes, ding.busy_action, ding.busy_seconds) == (20_000, {130101}, "stop", 600)
    assert (wecom.busy_codes, wecom.busy_action, wecom.busy_seconds) == ({45009}, "wait", 60)
    assert feishu.busy_action == "retry" and ding.mention_mobile == "@{mobile}"
    assert "单条上限字节" in ding.unverified  # 460101 / 20,000 bytes: no vendor text read, shipped as 否
