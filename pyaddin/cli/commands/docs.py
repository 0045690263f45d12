"""`beian docs`: 安全承诺书 and 营销活动方案 for the chosen filings."""

from __future__ import annotations

import re
from pathlib import Path

import click

from ...run.findings import SEVERITY_ZH, stamp
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    common_options,
    open_named,
    present_batch,
    split_ids,
)
from .progress import terminal_progress


def parse_rows(values: tuple[str, ...]) -> list[int]:
    """`--rows 5,7-9` → [5, 7, 8, 9]; anything else is a usage error naming the bad part."""
    rows: list[int] = []
    for part in split_ids(values):
        m = re.fullmatch(r"(\d+)(?:[-–~～](\d+))?", part)
        if not m:
            raise click.BadParameter(f"“{part}”不是行号或行号范围，请写成 5 或 7-9。 / use 5 or 7-9", param_hint="--rows")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo or hi - lo > 1_000_000:
            raise click.BadParameter(f"行号范围“{part}”无效。 / bad range", param_hint="--rows")
        rows.extend(range(lo, hi + 1))
    return rows


@click.command()
@common_options(many=True)
@click.option("--ids", multiple=True, help="只生成这些备案编号（逗号分隔，可重复）。")
@click.option("--rows", multiple=True, help="只生成这些 Excel 行（如 5,7-9）。")
@click.option("--all", "all_rows", is_flag=True,
              help="所有行都生成（默认只生成 草稿、待提交、需补充 和未重新提交的 已驳回）。")
@click.option("--kind", type=click.Choice(["承诺书", "方案", "all"]), default="all", show_default=True,
              help="生成哪种文书。")
@click.option("--pdf", is_flag=True, help="同时导出 PDF（LibreOffice 或 Word）。")
@click.option("--force", is_flag=True, help="有错误的行也生成。")
@click.option("--templates", "templates_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="模板文件夹（默认：随程序的 templates/）。")
def docs(workbooks, out, today, sheet, as_json, ids, rows, all_rows, kind, pdf, force, templates_dir):
    """按台账生成安全承诺书和营销活动方案（Word，可选 PDF）及 documents.xlsx 索引。

    默认只为仍在备案流程中的行生成（草稿、待提交、需补充、未重新提交的已驳回）；--ids、--rows 或 --all
    选择其他行。有错误（校验或到期检查为“错误”，如资质过期、未通过已上线）的行不生成并列出原因；
    --force 强制生成。正被 Word 打开的文件跳过并列出，其余照常生成。
    文件名为 <备案编号>_<平台>_<文书>.docx。

    多个台账（工作簿或文件夹）时逐个生成，每个台账的文书写入 <输出目录>/<台账文件名>/。

    \b
    示例：beian docs 备案台账.xlsx --ids BA-2025-001 --pdf --out 文书/
    """
    from ...actions import documents as action
    from ...actions.batch import each_tracker

    options = dict(ids=split_ids(ids), rows=parse_rows(rows), all_rows=all_rows, kind=kind, pdf=pdf, force=force,
                   templates_dir=templates_dir)
    opened = open_named(workbooks, sheet=sheet, today=today)
    with terminal_progress("生成文书" + ("并导出 PDF" if pdf else ""), as_json=as_json) as progress:
        batch = each_tracker(opened, out, lambda c, folder: action.run(c, out_dir=folder, progress=progress,
                                                                      **options))
    present_batch("docs", batch, workbooks, lambda r, w, emit: _docs_one(r, w, pdf, emit), as_json=as_json)


def _docs_one(outcome, workbook: str, pdf: bool, emit) -> int:
    """Present one tracker's documents run; `emit` receives the JSON payload (None: print for a
    person). Returns the exit code."""
    result, report = outcome.data, outcome.report
    stamp(report.findings, workbook)
    report.workbook = workbook
    if emit is not None:
        payload = report.as_json()
        payload["documents"] = [
            {"row": d.row, "filing_id": d.filing_id, "platform": d.platform, "kind": d.kind, "format": d.format,
             "path": str(d.path), "sha256": d.sha256} for d in result.documents]
        payload["refused"] = [{"row": r, "filing_id": i, "reason": why} for r, i, why in result.refused]
        payload["index"] = str(result.index_path) if result.index_path else None
        payload["not_in_filing_loop"] = result.not_in_loop
        payload["locked"] = [str(p) for p in result.locked]
        emit(payload)
    else:
        for row, filing_id, why in result.refused:
            label = " ".join(x for x in (f"第 {row} 行" if row is not None else "", filing_id or "") if x)
            click.echo(f"[未生成] {label}：{why}")
        for f in result.findings:
            if f.code in ("empty-placeholder", "output-locked"):
                click.echo(f"[{SEVERITY_ZH[f.severity]}] 第 {f.row} 行 {f.filing_id or ''}：{f.message}")
        n_docx = sum(d.format == "docx" for d in result.documents)
        n_pdf = sum(d.format == "pdf" for d in result.documents)
        if result.not_in_loop:
            click.echo(f"另有 {len(result.not_in_loop)} 行已提交、审核中、已通过、已撤回或已重新提交，不在备案流程中，未生成；"
                       f"需要时用 --ids、--rows 或 --all 选择。")
        click.echo(f"已生成 {n_docx} 份 Word 文书" + (f"、{n_pdf} 份 PDF" if pdf else "") +
                   f"，未生成 {len(result.refused)} 行" +
                   (f"，跳过 {len(result.locked)} 个被打开的文件" if result.locked else "") +
                   f"；索引：{result.index_path or '未写入'}")
    return EXIT_FINDINGS if result.refused or result.locked else EXIT_OK
