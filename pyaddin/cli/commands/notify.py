"""`beian notify` (group robots) and `beian calendar` (.ics of deadlines)."""

from __future__ import annotations

import sys

import click

from .common import EXIT_CANNOT_RUN, common_options, emit_json, open_workbook


@click.command()
@common_options
@click.option("--channel", default=None, metavar="名称", help="只发给“通知”表中这一个机器人（按名称）。")
@click.option("--what", default=None, metavar="urgent,approved,weekly",
              help="只发这些内容（默认：每个机器人“内容”列所填）。")
@click.option("--dry-run", is_flag=True, help="只打印将发送的消息（Webhook 与签名已隐藏），不发送。")
def notify(workbook, out, today, sheet, as_json, channel, what, dry_run):
    """把紧急到期事项、新下号的备案和周报发到“通知”表中的企业微信 / 钉钉 / 飞书群机器人，并 @ 负责人。

    紧急：已逾期或“设置”提醒提前工作日（默认 3）内到期的事项，按负责人分组。
    通过：上次通知以来新下号的备案（记录在工作簿的 beian-out/history/notify.sqlite，多次、同时运行也不会重复通知）。
    退出码：0 全部送达，1 有消息发送失败或因限流未发（逐条列出），2 无法运行。

    \b
    示例：beian notify 备案台账.xlsx --what urgent,approved
          beian notify 备案台账.xlsx --channel 市场部群 --dry-run
    """
    from ...actions import notify as action

    try:
        wanted = action.parse_what(what)
    except action.CannotNotify as exc:
        raise click.BadParameter(str(exc), param_hint="--what") from exc
    ctx = open_workbook(workbook, sheet=sheet, today=today)
    result = action.run(ctx, channel=channel, what=wanted, dry_run=dry_run,
                        progress=None if as_json else lambda text: click.echo(text, err=True))
    data = result.data
    code = action.exit_code(result)
    if as_json:
        payload = result.report.as_json()
        payload.update({
            "dry_run": dry_run,
            "messages": [{"channel": p.channel.name, "type": p.channel.kind, "content": p.message.content,
                          "items": p.items, "listed": p.listed, "payloads": len(p.payloads)} for p in data.plans],
            "deliveries": [{"channel": d.channel, "label": d.label, "ok": d.ok, "attempts": d.attempts,
                            "error": d.error, "status": d.status} for d in data.deliveries],
            "unresolved": data.unresolved,
            "state": str(data.state_path) if data.state_path else None,
        })
        if dry_run:
            payload["requests"] = data.dry_run
        emit_json(payload)
    else:
        for text in data.dry_run:
            click.echo(text)
        for line in action.summary_lines(result, dry_run=dry_run):
            click.echo(line)
    sys.exit(code)


@click.command()
@common_options
def calendar(workbook, out, today, sheet, as_json):
    """把每个到期日（审核结果应出、补充截止、最晚提交日、计划上线、资质到期、归档截止）导出为 备案日程.ics。

    每个事件 9:00（北京时间）开始并带提醒（提前“设置”提醒提前工作日）；UID 固定，重新导入会更新而不是重复。
    可导入 Outlook、飞书日历、钉钉日历。默认写到工作簿旁的 beian-out/。

    \b
    示例：beian calendar 备案台账.xlsx --out 日程/
    """
    from collections import Counter

    from ...actions import calendar as action
    from ...deadlines.schedule import KINDS

    ctx = open_workbook(workbook, sheet=sheet, today=today)
    result = action.run(ctx, out_dir=ctx.results_dir(out))
    events = result.data
    if as_json:
        payload = result.report.as_json()
        payload["events"] = [{"uid": e.uid, "kind": e.kind, "date": e.day.isoformat(), "summary": e.summary}
                             for e in events]
        payload["outputs"] = [str(p) for p in result.written]
        emit_json(payload)
    else:
        counts = Counter(e.kind for e in events)
        click.echo(f"共 {len(events)} 个日程：" + "，".join(f"{KINDS[k]} {counts[k]}" for k in KINDS if counts[k]))
        for f in result.report.findings:
            click.echo(f"[提示] {f.message}")
        for path in result.written:
            click.echo(f"已写入 {path}")
    sys.exit(0 if result.written else EXIT_CANNOT_RUN)
