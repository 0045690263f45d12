"""Notifying 1,000 urgent findings: messages sent, wall time, and how they were batched and split.

Builds a tracker whose 1,000 rows are all overdue in review (1,000 `review-overdue` findings) for
20 负责人, with a 通知 sheet of three robots (企业微信, 钉钉 with 加签, 飞书 with 签名) pointing at a
receiver on 127.0.0.1 and a 人员 sheet giving everyone an ID in each app. Then times, best of
`--repeat`:
- `actions.notify.run(..., what=("urgent",))` end to end (deadlines, message building, rendering,
  signing, HTTP with the real rate limiter and real sleeps) — what `beian notify --what urgent` pays
  after loading the workbook;
- the baseline: a bare `urllib` POST loop sending the same payloads to the same receiver.
It also renders the same message uncapped, to say how many messages listing every item would take
and how long each vendor's per-minute limit would make that run wait.

Run: `uv run python benchmarks/bench_notify.py [--items 1000] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import CLEAN, write_tracker  # noqa: E402
from robot_receiver import Receiver  # noqa: E402

from pyaddin.actions import notify as action  # noqa: E402
from pyaddin.adapters import robots  # noqa: E402
from pyaddin.cli.commands.common import open_workbook  # noqa: E402
from pyaddin.notify.channels import load_channels  # noqa: E402
from pyaddin.notify.messages import urgent_message  # noqa: E402
from pyaddin.notify.people import load_people  # noqa: E402

OWNERS = [f"负责人{i:02d}" for i in range(20)]
VENDORS = (("企业微信", "wecom", ""), ("钉钉", "ding", "SECbenchmark0123456789abcdef"), ("飞书", "feishu", "fsbench0123"))


def build(folder: Path, n: int, rx: Receiver) -> Path:
    rows = [{"备案编号": f"BA-{i:05d}", "活动名称": f"双十一大促第{i}场·直播间专享", "负责人": OWNERS[i % len(OWNERS)],
             "状态": "审核中", "提交日期": date(2026, 10, 8), "备案号": None, "通过日期": None,
             "计划上线日期": date(2026, 12, 31), "活动开始日期": date(2026, 12, 31), "活动结束日期": date(2027, 1, 31)}
            for i in range(n)]
    robots_sheet = [["名称", "类型", "Webhook", "加签密钥", "内容", "启用"]]
    robots_sheet += [[f"{kind}群", kind, rx.url(v), secret, "urgent", "是"] for kind, v, secret in VENDORS]
    people = [["姓名", "手机", "企业微信ID", "钉钉ID", "飞书ID"]]
    people += [[o, f"139{i:08d}", f"wx{i}", f"dd{i}", f"ou_{i}"] for i, o in enumerate(OWNERS)]
    return write_tracker(folder / "台账.xlsx", rows, headers=[*CLEAN, "负责人"],
                         extra_sheets={"通知": robots_sheet, "人员": people})


def bare_loop(plans) -> float:
    """POST the same (signed) payloads with urllib and nothing else."""
    requests = []
    for plan in plans:
        for p in plan.payloads:
            url, body = robots.sign_request(plan.channel, p.body)
            requests.append((url, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()))
    start = time.perf_counter()
    for url, data in requests:
        req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - 127.0.0.1
            r.read()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with Receiver() as rx, tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp), args.items, rx)
        ctx = open_workbook(path, today=date(2026, 11, 20))
        from pyaddin.deadlines.checks import deadline_findings

        findings = deadline_findings(ctx).findings
        best, result, waited, requests = float("inf"), None, 0.0, 0
        for _ in range(args.repeat):
            rx.requests.clear()
            sender = robots.Sender()
            start = time.perf_counter()
            # a fresh history each time: the per-minute window is shared across runs (history/notify.sqlite),
            # so repeats would rightly wait for the minute to pass
            shutil.rmtree(ctx.history_dir, ignore_errors=True)
            result = action.run(ctx, what=("urgent",), sender=sender,
                                deadline_findings=findings)
            took = time.perf_counter() - start
            if took < best:
                best, waited, requests = took, sender.waited, sender.requests
            assert action.exit_code(result) == 0, [d.error for d in result.data.failed]
        baseline = min(bare_loop(result.data.plans) for _ in range(args.repeat))
        message = urgent_message(ctx, findings)
        people = load_people(ctx.book)
        print(f"{message.items} urgent items, {len(OWNERS)} 负责人, robots: {', '.join(k for k, _, _ in VENDORS)}")
        print(f"notify (urgent, 3 robots): {best:.3f} s, {requests} requests, rate-limit waits {waited:.1f} s")
        print(f"bare urllib POST loop of the same payloads: {baseline:.3f} s  → ratio {best / baseline:.2f}×; "
              f"without the vendor-mandated waits {best - waited:.3f} s → {(best - waited) / baseline:.2f}×")
        print()
        print("| robot | messages | items listed | bytes / message (max) | limit | to list all 1,000 | rate-limit wait for that |")
        print("|---|---|---|---|---|---|---|")
        for plan, channel in zip(result.data.plans, load_channels(ctx.book).channels, strict=True):
            sizes = [len(json.dumps(robots.sign_request(channel, p.body)[1], ensure_ascii=False,
                                    separators=(",", ":")).encode()) for p in plan.payloads]
            full = robots.render(channel, message, people)
            spec = channel.spec
            over = max(0, len(full.payloads) - spec.per_minute)
            wait = f"≥ {60 * -(-over // spec.per_minute)} s" if over else "none"
            print(f"| {channel.kind} | {len(plan.payloads)} | {plan.listed} of {plan.items} | {max(sizes):,} | "
                  f"{spec.max_bytes:,} ({spec.measure}), {spec.per_minute}/min | {len(full.payloads)} messages | {wait} |")


if __name__ == "__main__":
    main()
