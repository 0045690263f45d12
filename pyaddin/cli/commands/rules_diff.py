"""`beian rules-diff`: what changed in the 平台规则 since a snapshot, and which open filings it hits."""

from __future__ import annotations

import click

from .common import common_options, emit_json, open_workbook, rules_option

KIND_ZH = {"added": "新增", "removed": "删除", "changed": "修改"}


def as_json_payload(ctx, report, diff) -> dict:
    base = report.as_json()
    base.update({
        "base": diff.base.name if diff.base else None, "current": diff.current.name, "note": diff.note,
        "changes": [{
            "kind": imp.change.kind, "rule": imp.change.rule_id,
            "fields": [{"field": f, "before": a, "after": b} for f, a, b in imp.change.fields],
            "affected": [{"row": a.row, "filing_id": a.filing_id, "activity": a.activity, "platform": a.platform,
                          "status": a.status, "effect": a.effect, "missing": a.missing} for a in imp.affected],
        } for imp in diff.impacts],
    })
    return base


@click.command("rules-diff")
@common_options
@rules_option
@click.option("--since", default=None, metavar="DATE|SNAPSHOT",
              help="与哪一版规则比较：日期 YYYY-MM-DD（当天或之前最后一份快照）或 history/rules/ 中的快照文件名；"
                   "默认与上一版比较。")
def rules_diff(workbook, out, today, sheet, as_json, rules, since):
    """规则变化：按规则编号列出新增、删除、修改（逐字段）的平台规则，以及受影响的未结备案和它们现在缺什么。

    每次读取规则的运行（check、validate、report、rules-diff）都把规则快照存入 <输出目录>/history/rules/。

    \b
    示例：beian rules-diff 备案台账.xlsx
          beian rules-diff 备案台账.xlsx --since 2026-11-01
    """
    from ...actions import rules_diff as action

    ctx = open_workbook(workbook, sheet=sheet, today=today, rules=rules)
    outcome = action.run(ctx, since=since)
    diff = outcome.data
    if as_json:
        emit_json(as_json_payload(ctx, outcome.report, diff))
        return
    if diff.base is None:
        click.echo(diff.note)
        click.echo(f"当前规则快照：{diff.current.name}")
        return
    click.echo(f"对比 {diff.base.name}（{diff.base.taken}）→ 当前 {diff.current.name}：共 {len(diff.changes)} 处变化。")
    for imp in diff.impacts:
        ch = imp.change
        click.echo(f"[{KIND_ZH[ch.kind]}] {ch.rule_id}")
        for f, a, b in ch.fields:
            click.echo(f"    {f}：{a or '（空）'} → {b or '（空）'}")
        if not imp.affected:
            click.echo("    没有受影响的未结备案。")
        for a in imp.affected:
            miss = f"，{a.missing}" if a.missing else ""
            click.echo(f"    {a.effect}：第{a.row}行 {a.filing_id or ''} {a.activity or ''}（{a.platform or '—'}，{a.status or '—'}）{miss}")
    for path in outcome.written:
        click.echo(f"已写入 {path}")
