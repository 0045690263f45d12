"""`beian reuse`: the approved filings most like one filing, and what of theirs can be reused."""

from __future__ import annotations

import click

from .common import common_options, emit_json, open_workbook

MATCH_ZH = {"company": "主体", "platform": "平台", "forms": "创意形式", "industry": "行业"}


def _days(n) -> str:
    return "—" if n is None else f"{n} 个工作日"


def as_json_payload(ctx, data, findings=()) -> dict:
    plan = data.plan
    return {
        "tool": "beian", "command": "reuse", "workbook": str(ctx.workbook or ""), "today": ctx.today.isoformat(),
        "filing_id": plan.filing_id, "manifest": plan.manifest, "note": data.note,
        "candidates": [{
            "filing_id": c.filing_id, "activity": c.activity, "platform": c.platform, "score": c.score,
            "matched": [MATCH_ZH[m] for m in c.matched], "approval_no": c.approval_no,
            "approved_date": c.approved_date.isoformat() if c.approved_date else None,
            "review_workdays": c.review_days, "chain_workdays": c.chain_days, "attempts": c.attempts,
            "rejections": [{"filing_id": r.filing_id, "status": r.status, "feedback": r.feedback,
                            "categories": r.categories} for r in c.rejections],
            "company": c.company,
            "files": [{"path": f.rel, "material": f.material, "state": f.state, "sha256": f.sha256, "reason": f.reason}
                      for f in c.files],
            "expired_licenses": [{"type": x.type, "number": x.number, "valid_until": x.valid_until.isoformat()}
                                 for x in c.expired_licenses],
        } for c in plan.candidates],
        "copied": [{"from": c.rel, "to": str(c.dest)} for c in data.copied],
        "kept_existing": [str(p) for p in data.kept],
        "copied_from": data.source,
        "skipped": [{"filing_id": fid, "reason": reason} for fid, reason in plan.skipped],
        "findings": [{"code": f.code, "severity": f.severity, "message": f.message, "value": f.value} for f in findings],
    }


@click.command()
@common_options
@click.option("--id", "filing_id", required=True, metavar="BA-…", help="要复用材料的备案编号。")
@click.option("--copy", "copy", is_flag=True,
              help="把首选备案中未改动的归档文件复制到本备案的归档文件夹（从不覆盖），并写入 复用来源.txt。")
@click.option("--from", "source_id", default=None, metavar="BA-…", help="与 --copy 同用：从指定的候选备案复制。")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50), help="列出多少个候选备案。")
def reuse(workbook, out, today, sheet, as_json, filing_id, copy, source_id, top):
    """复用：与本备案最相似的已通过备案（同主体优先，其次平台、创意形式、行业）及可复用的材料。

    评分：同主体 8 分 + 同平台 4 分 + 创意形式有交集 2 分 + 同行业 1 分；同分时可复用文件多的、
    通过日期晚的在前；本身有错误级问题的备案（编号重复、已通过缺备案号、错误值等）跳过并说明。
    每个候选列出备案号、审核用时、驳回历史、归档文件（SHA-256 与上次 beian archive 的清单一致
    才可复用；营业执照、资质等只从同一主体复用，安全承诺书、活动方案不复用；每个文件写明原因）、
    此后已过期的资质。

    \b
    示例：beian reuse 备案台账.xlsx --id BA-2026-0091
          beian reuse 备案台账.xlsx --id BA-2026-0091 --copy
    """
    from ...actions import reuse as action

    ctx = open_workbook(workbook, sheet=sheet, today=today)
    outcome = action.run(ctx, filing_id=filing_id, out_dir=ctx.results_dir(out), copy=copy,
                         source_id=source_id, top=top)
    data = outcome.data
    findings = outcome.report.findings
    if as_json:
        emit_json(as_json_payload(ctx, data, findings))
        return
    plan = data.plan
    click.echo(f"{plan.filing_id}（{plan.activity or '—'}，{plan.platform or '—'}）最相似的已通过备案：")
    if not plan.candidates:
        click.echo("没有同平台、同创意形式、同行业或同主体的已通过备案。")
    for i, c in enumerate(plan.candidates, start=1):
        matched = "、".join(MATCH_ZH[m] for m in c.matched)
        click.echo(f"{i}. {c.filing_id} {c.activity or ''}（{c.platform or '—'}）得分 {c.score}（相同：{matched}）")
        chain = f"，全程 {_days(c.chain_days)}（共 {c.attempts} 次提交）" if c.attempts > 1 else ""
        click.echo(f"   备案号 {c.approval_no or '—'}，通过日期 {c.approved_date or '—'}，审核用时 {_days(c.review_days)}{chain}")
        for r in c.rejections:
            click.echo(f"   驳回历史：{r.filing_id} {r.status}「{r.feedback}」→ {'、'.join(r.categories)}")
        for f in c.files:
            click.echo(f"   [{f.state}] {f.rel}：{f.reason}" if f.reason else f"   [{f.state}] {f.rel}")
        for x in c.expired_licenses:
            click.echo(f"   资质已过期：{x.type} {x.number}（有效期至 {x.valid_until}），复用前请先续期。")
    for fid, reason in plan.skipped:
        click.echo(f"已跳过 {fid}（本身有错误，不作复用来源）：{reason}")
    if data.note:
        click.echo(data.note)
    for f in findings:
        click.echo(f"[{f.severity}] {f.code}：{f.message}")
    if copy:
        for c in data.copied:
            click.echo(f"已复制 {c.rel} → {c.dest}")
        for dest in data.kept:
            click.echo(f"已存在，未覆盖：{dest}")
        for path in outcome.written:
            if path.name == "复用来源.txt":
                click.echo(f"已记录来源 {path}")
