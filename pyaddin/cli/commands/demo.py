"""`beian demo`: the whole pipeline on the embedded sample data, as a new user's first run.

Every capability the README lists runs once, in the order a team uses them: check, documents (and
PDF when LibreOffice or Word is there), archive index with bags, the weekly report, the calendar, the
group-robot messages as a dry run (a demo robot is added in memory: nothing is sent, the sample is
not touched), reuse for one filing still to be submitted, and rules-diff of the sample's 平台规则
against the packaged rules. Each step prints one line and where its output went.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import click

from .common import open_workbook

REPO_SAMPLE = Path(__file__).resolve().parents[3] / "sample_data"
PACKAGED_SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
DEMO_ROBOT = ["示例群", "企业微信", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000",
              "", "urgent,approved,weekly", "是"]
"""A robot that exists only in the demo's memory: the dry run shows what each message would say."""
PREVIEW = "通知预览.txt"


def sample_dir() -> Path:
    """The repository's sample_data/ when run from a checkout, else the copy inside the wheel."""
    for candidate in (REPO_SAMPLE, PACKAGED_SAMPLE):
        if (candidate / "备案台账示例.xlsx").exists():
            return candidate
    raise click.ClickException("找不到示例数据 sample_data/备案台账示例.xlsx，请从完整的代码仓库运行。")


def copy_sample(samples: Path, target: Path) -> Path:
    """The demo runs on a fresh copy of the sample (workbook and archive): a run keeps its history
    beside the workbook (`run.places`), and the embedded sample, maybe inside an installed package,
    must stay as shipped."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(samples / "备案台账示例.xlsx", target / "备案台账示例.xlsx")
    for folder in ("archive", "materials"):  # the archive, and the creatives the pre-check opens
        if (samples / folder).is_dir():
            shutil.copytree(samples / folder, target / folder, symlinks=True)
    return target / "备案台账示例.xlsx"


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("beian-out/demo"), show_default=True,
              help="输出文件夹。")
def demo(out: Path) -> None:
    """在内置示例台账上运行全流程：校验 + 到期提醒、文书（有 LibreOffice 或 Word 时另存 PDF）、归档索引与 BagIt 包、
    材料预检、周报、日程、群机器人通知（演示，不发送）、材料复用、规则变化。

    \b
    示例：beian demo --out beian-out/demo
    """
    from ...actions import archive, check, documents, precheck, weekly
    from ...adapters import pdf

    if out.exists():
        for stale in (out / "documents", out / "history" / "rules"):
            shutil.rmtree(stale, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    workbook = copy_sample(sample_dir(), out / "示例台账")
    ctx = open_workbook(workbook)
    click.echo(f"示例台账：{workbook}（今天按设置固定为 {ctx.today}，共 {ctx.tracker.rows} 行）")

    checked = check.run(ctx, out_dir=out)
    s = checked.report.summary()
    click.echo(f"1. 校验与到期提醒：错误 {s['error']}，警告 {s['warning']}，提示 {s['info']} → {checked.written[0]}")

    converter = pdf.available()
    docs = documents.run(ctx, out_dir=out / "documents", checked=checked.data, pdf=converter is not None).data
    pdfs = [p for p in docs.written if p.suffix == ".pdf"]
    as_pdf = f"，其中 PDF {len(pdfs)} 份" if converter else "（本机没有 LibreOffice 或 Word，未导出 PDF）"
    click.echo(f"2. 文书：生成 {len(docs.written)} 份{as_pdf}，因校验或到期错误跳过 {len(docs.refused)} 行，"
               f"{len(docs.not_in_loop)} 行不在备案流程中 → {out / 'documents'}")

    root = ctx.archive_root or workbook.parent / "archive"
    if root.is_dir():
        indexed = archive.run(ctx, out_dir=out / "archive", root=root, bag=True)
        bags = [p for p in indexed.written if p.parent.name == "bags"]
        click.echo(f"3. 归档索引：{len(indexed.data.files)} 个文件，计算哈希 {indexed.data.hashed} 个，"
                   f"BagIt 包 {len(bags)} 个 → {out / 'archive'}")
    else:
        click.echo(f"3. 归档索引：示例归档文件夹 {root} 不存在，已跳过。")

    materials = workbook.parent / "materials"
    if materials.is_dir():
        pre = precheck.run(ctx, out_dir=out / "precheck", root=materials)
        ps = pre.report.summary()
        click.echo(f"4. 材料预检：{len(pre.data.filings)} 个未结束的备案、{len(pre.data.files)} 个文件，错误 {ps['error']}，"
                   f"警告 {ps['warning']}，提示 {ps['info']} → {pre.written[0]}")
    else:
        click.echo(f"4. 材料预检：示例材料文件夹 {materials} 不存在，已跳过。")

    report = weekly.run(ctx, out_dir=out, deadline_findings=checked.data.deadlines.findings)
    click.echo(f"5. 周报：{', '.join(p.name for p in report.written if p.suffix in {'.xlsx', '.md'})} → {out}")

    _calendar(ctx, out)
    _notify(ctx, out, checked.data.deadlines.findings)
    _reuse(ctx, out)
    _rules_diff(ctx, out)
    click.echo(f"完成。请打开 {out} 查看结果。")


def _calendar(ctx, out: Path) -> None:
    from ...actions import calendar

    result = calendar.run(ctx, out_dir=out)
    data = result.data
    older = f"（{data.past_days} 天前已过的 {data.past_left_out} 个未导出）" if data.past_left_out else ""
    click.echo(f"6. 日程：{len(data.events)} 个到期日{older} → {result.written[0]}")


def _notify(ctx, out: Path, deadline_findings) -> None:
    """A dry run to a robot that exists only in memory: what 发送提醒 would post, written to a file."""
    from ...actions import notify
    from ...tracker.book import Book, Sheet

    header = ["名称", "类型", "Webhook", "加签密钥", "内容", "启用"]
    book = Book({**ctx.book.sheets, "通知": Sheet("通知", [header, DEMO_ROBOT])}, ctx.book.path)
    result = notify.run(dataclasses.replace(ctx, book=book), dry_run=True,
                        deadline_findings=deadline_findings)
    preview = out / PREVIEW
    preview.write_text("\n\n".join(result.data.dry_run) + "\n", encoding="utf-8")
    click.echo(f"7. 群机器人通知（演示，未发送）：{len(result.data.dry_run)} 条消息 → {preview}")


def _reuse(ctx, out: Path) -> None:
    """Reuse for the first filing still to be submitted whose closest approved look-alike has files
    to reuse (else the first with any look-alike)."""
    from ...actions import reuse
    from ...archive.reuse import REUSABLE
    from ...tracker.statuses import NOT_SUBMITTED

    df = ctx.tracker.df
    todo = [str(fid) for fid, status in zip(df["filing_id"], df["status"], strict=True)
            if status in NOT_SUBMITTED and isinstance(fid, str) and fid]
    shown = None
    for fid in todo:
        data = reuse.run(ctx, filing_id=fid, out_dir=out / "archive").data
        if data.plan.candidates:
            best = data.plan.candidates[0]
            usable = sum(1 for f in best.files if f.state == REUSABLE)
            if shown is None or (usable and not shown[3]):
                shown = (fid, best.filing_id, best.score, usable)
            if usable:
                break
    if shown is not None:
        fid, source, score, usable = shown
        click.echo(f"8. 材料复用：{fid} 最相似的已通过备案是 {source}（得分 {score}），可复用文件 {usable} 个；"
                   f"详见 beian reuse \"{ctx.workbook}\" --id {fid}")
        return
    click.echo("8. 材料复用：示例中没有待提交且有相似已通过备案的行，已跳过。")


def _rules_diff(ctx, out: Path) -> None:
    """The packaged rules as the earlier version, the sample's 平台规则 as the current one."""
    from ...actions import rules_diff
    from ...compliance.rules import load_rules

    history = ctx.history_dir
    rules_diff.keep(dataclasses.replace(ctx, rules=load_rules(None, ctx.catalog)), history)
    diff = rules_diff.run(ctx).data
    if diff.base is None:
        click.echo("9. 规则变化：示例的平台规则与随程序的默认规则相同，没有变化。")
        return
    hit = sum(len(imp.affected) for imp in diff.impacts)
    click.echo(f"9. 规则变化：示例的平台规则与随程序的默认规则相比有 {len(diff.changes)} 处变化，"
               f"涉及未结备案 {hit} 次 → {history / 'rules'}")
