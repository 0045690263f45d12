"""`notify`: post urgent deadlines, new 备案号 and the weekly summary to the 通知 sheet's group robots.

Each robot gets the contents its 内容 names (narrowed by `what`); each content becomes one
message, rendered and split for the vendor, capped so that a robot's messages in one run stay
within its per-minute allowance (items left out are counted in the message).

What is remembered lives in one SQLite file, the workbook's `history/notify.sqlite`
(`adapters/notify_store.py`), shared by runs and processes: each robot's per-minute window and
vendor blocks, and the *approved* keys. A run claims the keys it will announce in one transaction
before sending (two runs started together cannot both announce a 备案号), marks them announced
once the payload carrying them was delivered, and releases the rest, so one that failed is
announced next time. The JSON state of earlier versions is imported once.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CannotNotify
from ..notify.channels import CONTENT_ZH, CONTENTS, NOTIFY_SHEET, Channel, load_channels
from ..notify.messages import State, approved_message, new_approvals, urgent_message, weekly_message
from ..notify.people import PEOPLE_SHEET, load_people
from ..run.context import Context
from ..run.findings import Finding, Report, make
from .result import ActionResult

STATE_NAME = "notify_state.json"


@dataclass
class NotifyData:
    deliveries: list = field(default_factory=list)
    """adapters.robots.Delivery per payload sent (empty on a dry run)."""
    plans: list = field(default_factory=list)
    """adapters.robots.Plan per robot × content."""
    dry_run: list[str] = field(default_factory=list)
    """The exact requests, masked, when dry-running."""
    unresolved: dict[str, list[str]] = field(default_factory=dict)
    """Robot name → names written without @ (no 人员 entry or no ID for that app)."""
    nothing: list[str] = field(default_factory=list)
    """“robot：content” pairs with nothing to say this run (nothing sent)."""
    state_path: Path | None = None

    @property
    def failed(self) -> list:
        return [d for d in self.deliveries if not d.ok]

    @property
    def held(self) -> list:
        """Payloads not sent because the vendor blocks the robot or its quota was spent (not tried)."""
        return [d for d in self.deliveries if d.status in ("blocked", "deferred")]

    @property
    def sent(self) -> int:
        return sum(1 for d in self.deliveries if d.ok)


def parse_what(text: str | None) -> tuple[str, ...] | None:
    """`urgent,approved` → ('urgent', 'approved'); None = every robot's own 内容."""
    if text is None:
        return None
    from ..notify.channels import parse_contents

    contents, bad = parse_contents(text)
    if bad or not contents:
        raise CannotNotify(f"--what 的取值“{text}”无法识别，请写 urgent、approved、weekly 中的一项或几项（逗号分隔）。"
                           " / --what takes urgent, approved, weekly.")
    return contents


def _select(ctx: Context, channel_name: str | None) -> tuple[list[Channel], list[Finding]]:
    channels = load_channels(ctx.book)
    if not channels.present:
        raise CannotNotify("工作簿中没有“通知”工作表：请添加“通知”表（名称、类型、Webhook、加签密钥、内容、启用）"
                           "并填写群机器人，见 README“群机器人通知”。 / No 通知 sheet.")
    chosen = channels.channels
    if channel_name:
        chosen = [c for c in chosen if c.name == channel_name]
        if not chosen:
            names = "、".join(c.name for c in channels.channels) or "（无）"
            raise CannotNotify(f"“通知”表中没有名为“{channel_name}”的启用机器人；可用：{names}。 / No such channel.")
    if not chosen:
        raise CannotNotify("“通知”表中没有可用的群机器人（都未启用或填写有误），请检查该表。 / No usable robot.")
    return chosen, channels.findings


def _messages(ctx: Context, wanted: set[str], state: State, channels: list[Channel],
              deadline_findings: list[Finding] | None, store=None, run_id: str = "") -> dict:
    """content → Message (or, for approved, robot name → (Message, baseline keys)).

    With a `store` (a real run) the *approved* keys are claimed for this run before any is sent."""
    out: dict = {}
    if "urgent" in wanted:
        if deadline_findings is None:
            from ..deadlines.checks import deadline_findings as deadline_findings_of

            deadline_findings = deadline_findings_of(ctx).findings
        out["urgent"] = urgent_message(ctx, deadline_findings)
    if "approved" in wanted:
        per_robot = {}
        now = time.time()
        for c in channels:
            if "approved" in c.contents:
                announced = store.announced(c.name, now) if store is not None else state.announced(c.name)
                items, baseline = new_approvals(ctx, announced)
                if store is not None and not store.read_only:
                    mine = set(store.claim(c.name, [a.key for a in items], baseline, run_id, now))
                    items, baseline = [a for a in items if a.key in mine], []
                per_robot[c.name] = (approved_message(ctx, items) if items else None, baseline)
        out["approved"] = per_robot
    if "weekly" in wanted:
        from ..adapters.history import load_history
        from ..adapters.report_md import render
        from ..reports.weekly import build_report

        weekly = build_report(ctx, history=load_history(ctx.history_dir), deadline_findings=deadline_findings)
        out["weekly"] = weekly_message(ctx, render(weekly))
    return out


def run(ctx: Context, *, channel: str | None = None, what: tuple[str, ...] | None = None,
        dry_run: bool = False, sender=None, deadline_findings: list[Finding] | None = None,
        progress: Callable[[str], None] | None = None) -> ActionResult[NotifyData]:
    from ..adapters import robots
    from ..adapters.notify_store import STORE_NAME, open_store

    chosen, findings = _select(ctx, channel)
    people = load_people(ctx.book)
    findings = [*findings, *people.findings]
    # the JSON state of earlier versions sat in the results folder
    store, state = open_store(ctx.history_dir, ctx.results_dir() / STATE_NAME, dry_run=dry_run)
    try:
        return _run(ctx, chosen, findings, people, what, dry_run, sender, deadline_findings, progress,
                    store, state or State(), robots, ctx.history_dir / STORE_NAME)
    finally:
        if store is not None:
            store.close()


def _run(ctx, chosen, findings, people, what, dry_run, sender, deadline_findings, progress,
         store, state, robots, store_path) -> ActionResult:
    run_id = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    wanted = {k for c in chosen for k in c.contents if what is None or k in what}
    messages = _messages(ctx, wanted, state, chosen, deadline_findings, store, run_id)
    data = NotifyData(state_path=None if dry_run else store_path)
    sender = sender or robots.Sender()
    if store is not None and not store.read_only and sender.own_ledger:
        sender.ledger = store  # the window and blocks shared with every other run
    for c in chosen:
        contents = [k for k in CONTENTS if k in c.contents and (what is None or k in what)]
        budget = robots.message_budget(c.spec, len(contents))
        for content in contents:
            entry = messages[content]
            if content == "approved":
                message, _ = entry[c.name]
            else:
                message = entry
            if message is None or (content == "urgent" and not message.groups):
                data.nothing.append(f"{c.name}：{CONTENT_ZH[content]}")
                continue
            plan = robots.plan_within(c, message, people, budget)
            data.plans.append(plan)
            for name in plan.unresolved:
                data.unresolved.setdefault(c.name, [])
                if name not in data.unresolved[c.name]:
                    data.unresolved[c.name].append(name)
            if dry_run:
                data.dry_run += [f"# {c.name}（{c.kind}）· {p.label}\n{robots.describe(c, p.body)}" for p in plan.payloads]
                continue
            delivered: list[str] = []
            try:
                for i, payload in enumerate(plan.payloads, start=1):
                    if progress:
                        progress(f"正在发送到“{c.name}”：{payload.label}（{i}/{len(plan.payloads)}）")
                    result = sender.send(c, payload)
                    data.deliveries.append(result)
                    if result.ok:
                        delivered += payload.keys
                    else:
                        advice = ("请到时再运行一次" if result.status in ("blocked", "deferred") else
                                  "请检查 Webhook 与加签密钥、机器人是否仍在群内，然后重试")
                        findings.append(make("notify-failed", f"群机器人“{c.name}”（{c.kind}）的“{payload.label}”未送达："
                                             f"{result.error}。{advice}。",
                                             sheet=NOTIFY_SHEET, row=c.row, field="Webhook"))
            finally:
                if content == "approved" and store is not None:
                    store.finish(c.name, run_id, delivered)
    robots_of: dict[str, list[str]] = {}
    for robot, names in data.unresolved.items():
        for name in names:
            robots_of.setdefault(name, []).append(robot)
    for name, where in robots_of.items():
        findings.append(make("person-unknown", f"“{name}”在“人员”表中没有记录，或没有{'、'.join(where)}所用应用的 ID/手机号："
                             "消息中只写姓名、未 @，请在“人员”表补充。", sheet=PEOPLE_SHEET, field="姓名", value=name))
    written: list[Path] = [store_path] if store is not None and not dry_run else []
    report = Report("notify", str(ctx.workbook or ctx.path or ""), ctx.today, ctx.tracker.rows,
                    findings)
    return ActionResult(report, written, data)


def exit_code(result: ActionResult) -> int:
    """0 every payload delivered, 1 some failed or a robot row was unusable (each named)."""
    data: NotifyData = result.data
    bad_rows = any(f.code == "robot-invalid" for f in result.report.findings)
    return 1 if data.failed or bad_rows else 0


def summary_lines(result: ActionResult, *, dry_run: bool) -> list[str]:
    data: NotifyData = result.data
    lines = []
    for plan in data.plans:
        capped = f"，列出 {plan.listed} 项（其余已汇总计数）" if plan.listed < plan.items else ""
        verb = "将发送" if dry_run else "发送"
        count = "" if plan.message.markdown else f"{plan.items} 项，"
        lines.append(f"“{plan.channel.name}”（{plan.channel.kind}）{CONTENT_ZH[plan.message.content]}：{count}"
                     f"{verb} {len(plan.payloads)} 条消息{capped}。")
    for name in dict.fromkeys(p.channel.name for p in data.plans if p.channel.kind == "企业微信" and p.channel.secret):
        lines.append(f"“{name}”：企业微信群机器人不支持加签，已忽略该行的加签密钥。")
    for item in data.nothing:
        lines.append(f"{item}：没有需要通知的内容，未发送。")
    for d in data.failed:
        verb = {"blocked": "未发送", "deferred": "已推迟"}.get(d.status, "发送失败")
        lines.append(f"{verb}：“{d.channel}”的“{d.label}”——{d.error}")
    for f in result.report.findings:
        if f.code == "robot-invalid":
            lines.append(f"已跳过：{f.message}")
    for robot, names in data.unresolved.items():
        lines.append(f"“{robot}”中未能 @ 的人（人员表无记录或无该应用 ID）：{'、'.join(names)}")
    if not dry_run:
        held = len(data.held)
        lines.append(f"共发送 {data.sent} 条消息，失败 {len(data.failed) - held} 条"
                     + (f"，因限流未发 {held} 条（下次运行再发）" if held else "") + "。")
    else:
        lines.append("试运行（--dry-run）：以上消息均未发送；Webhook 与签名已隐藏。")
    return lines

