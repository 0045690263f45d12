"""`beian report`: the weekly status report (xlsx with native charts, Markdown summary, PNG).

Unlike validate/deadlines this command's product is the files, not a verdict: it exits 0 when the
report was written (problems in the tracker are content of the report, listed under 逾期与风险),
and 2 when it could not run.
"""

from __future__ import annotations

import click

from ...errors import BadWeek
from .common import common_options, emit_json, open_named


def parse_week_option(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    from ...reports.weekly import parse_week

    try:
        return parse_week(value)[0]
    except BadWeek as exc:
        raise click.BadParameter(f"{exc} / use an ISO week such as 2026-W48") from exc


@click.command()
@common_options(many=True)
@click.option("--week", callback=parse_week_option, default=None, metavar="YYYY-Www",
              help="统计哪一周（ISO 周，如 2026-W48；默认：今天所在的周）。")
def report(workbooks, out, today, sheet, as_json, week):
    """周报：各平台各状态计数、本周提交/通过/驳回、新备案号、审核用时、逾期与风险、资质到期、临近上线、周环比。

    写出 周报_<周>.xlsx（含原生图表）、周报_<周>.md（可直接粘贴到邮件或群聊，电话与邮箱已打码）和
    周报_<周>.png；每次运行把本周台账快照存入 <输出目录>/history/，下周的周报据此计算环比。

    \b
    多个台账（工作簿或文件夹）合并为一份周报，另有“按来源”分表；不含台账的工作簿列出并跳过。

    \b
    示例：beian report 备案台账.xlsx --week 2026-W47 --out 周报/
          beian report 台账/ --out 周报/
    """
    from ...actions import weekly as action

    opened = open_named(workbooks, sheet=sheet, today=today)
    outcome = action.run_opened(opened, out=out, week=week)
    result, written = outcome.data, outcome.written
    if not opened.several:
        result.workbook = str(workbooks[0])
    for s in outcome.skipped:
        click.echo(f"已跳过 {s.path}：{s.reason}", err=True)
    if as_json:
        emit_json(as_json_payload(result, written))
        return
    c = result.counts
    click.echo(f"周报 {result.week}（{result.week_start:%Y-%m-%d} 至 {result.week_end:%Y-%m-%d}），台账 {result.rows} 行。")
    click.echo(f"本周：新增 {c['新增']}，提交 {c['提交']}，通过 {c['通过']}，驳回 {c['驳回']}，需补充 {c['需补充']}；"
               f"在审 {c['在审']}，逾期 {c['逾期']}，风险 {c['风险']}。")
    click.echo(result.comparison_text)
    for note in result.notes:
        click.echo(note)
    if not any(p.suffix == ".png" for p in written):
        click.echo("未生成 PNG 图：没有可用的中文字体或 matplotlib，或台账为空；Markdown 中不含图片。")
    for path in written:
        click.echo(f"已写入 {path}")


def as_json_payload(result, written) -> dict:
    """The common JSON shape (tool, command, workbook, today, rows, findings, summary) plus the
    week's figures and the files written."""
    from ...run.findings import Report

    base = Report("report", result.workbook, result.today, result.rows, result.findings).as_json()
    base.update({
        "week": result.week,
        "week_start": result.week_start.isoformat(),
        "week_end": result.week_end.isoformat(),
        "counts": result.counts,
        "approval_rate_week": result.approval_rate_week,
        "approval_rate_total": result.approval_rate_total,
        "by_platform_status": {p: {s: int(n) for s, n in row.items()}
                               for p, row in result.by_platform_status.iterrows()},
        "announcements": result.announcements.to_dict(orient="records"),
        "previous_week": result.previous_week,
        "outputs": [str(p) for p in written],
        "first_pass": {p: {k: (None if v is None or v != v else float(v)) for k, v in row.items()}
                       for p, row in result.first_pass.iterrows()},
        "rejection_top": result.rejection_top.to_dict(orient="records"),
    })
    if result.by_source is not None:
        base["by_source"] = {str(k): {c: int(v) for c, v in row.items()} for k, row in result.by_source.iterrows()}
    return base
