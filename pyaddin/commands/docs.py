"""`beian docs`: 安全承诺书 and 营销活动方案 for the chosen filings."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from ..errors import SeveralTrackers
from ..findings import SEVERITY_ZH, Report, stamp
from .common import DEFAULT_OUT, EXIT_FINDINGS, EXIT_OK, common_options, emit_json, open_workbook

_SPLIT = re.compile(r"[,，;；、\s]+")


def split_ids(values: tuple[str, ...]) -> list[str]:
    """`--ids A,B --ids C` and `--ids "A B"` all name A, B and C."""
    return [part for v in values for part in _SPLIT.split(v) if part]


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
@click.option("--kind", type=click.Choice(["承诺书", "方案", "all"]), default="all", show_default=True,
              help="生成哪种文书。")
@click.option("--pdf", is_flag=True, help="同时导出 PDF（LibreOffice 或 Word）。")
@click.option("--force", is_flag=True, help="有错误的行也生成。")
@click.option("--templates", "templates_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="模板文件夹（默认：随程序的 templates/）。")
def docs(workbooks, out, today, sheet, as_json, ids, rows, kind, pdf, force, templates_dir):
    """按台账生成安全承诺书和营销活动方案（Word，可选 PDF）及 documents.xlsx 索引。

    有错误（校验结果为“错误”）的行默认不生成并列出原因；--force 强制生成。
    文件名为 <备案编号>_<平台>_<文书>.docx。

    \b
    多个台账（工作簿或文件夹）时，每个台账的文书写入 <输出目录>/<台账文件名>/。

    \b
    示例：beian docs 备案台账.xlsx --ids BA-2025-001 --pdf --out 文书/
    """
    from ..actions import documents as action

    options = dict(ids=split_ids(ids), rows=parse_rows(rows), kind=kind, pdf=pdf, force=force,
                   templates_dir=templates_dir)
    runs = []  # (workbook shown, result, report)
    ctx = None
    if len(workbooks) == 1 and not Path(workbooks[0]).is_dir():
        try:
            ctx = open_workbook(workbooks[0], sheet=sheet, today=today)
        except SeveralTrackers:  # its 设置 台账文件 names a folder or several trackers
            ctx = None
    if ctx is not None:
        outcome = action.run(ctx, out_dir=ctx.out_dir(out, default=DEFAULT_OUT), **options)
        runs.append((str(workbooks[0]), outcome.data, outcome.report))
    else:  # several trackers: each one's documents in <out>/<tracker name>/
        from ..actions.many import open_many

        contexts, skipped = open_many(list(workbooks), sheet=sheet, today=today)
        for s in skipped:
            click.echo(f"已跳过 {s.path}：{s.reason}", err=True)
        base = out or DEFAULT_OUT
        for c in contexts:
            source = str(c.path or c.workbook)
            outcome = action.run(c, out_dir=Path(base) / Path(source).stem, **options)
            stamp(outcome.report.findings, source)
            runs.append((source, outcome.data, outcome.report))
    report = runs[0][2]
    if len(runs) > 1:
        report = Report(report.command, "；".join(w for w, _, _ in runs), report.today, sum(r.rows for _, _, r in runs),
                        [f for _, _, r in runs for f in r.findings])
    report.workbook = report.workbook if len(runs) > 1 else str(workbooks[0])
    refused = [(w, *x) for w, result, _ in runs for x in result.refused]
    if as_json:
        payload = report.as_json()
        payload["documents"] = [
            {"row": d.row, "filing_id": d.filing_id, "platform": d.platform, "kind": d.kind, "format": d.format,
             "path": str(d.path), "sha256": d.sha256, **({"workbook": w} if len(runs) > 1 else {})}
            for w, result, _ in runs for d in result.documents]
        payload["refused"] = [{"row": r, "filing_id": i, "reason": why, **({"workbook": w} if len(runs) > 1 else {})}
                              for w, r, i, why in refused]
        indexes = [str(result.index_path) if result.index_path else None for _, result, _ in runs]
        payload["index"] = indexes[0] if len(runs) == 1 else indexes
        emit_json(payload)
    else:
        for w, row, filing_id, why in refused:
            label = " ".join(x for x in (Path(w).name if len(runs) > 1 else "",
                                         f"第 {row} 行" if row is not None else "", filing_id or "") if x)
            click.echo(f"[未生成] {label}：{why}")
        for _w, result, _ in runs:
            for f in result.findings:
                if f.code == "empty-placeholder":
                    click.echo(f"[{SEVERITY_ZH[f.severity]}] 第 {f.row} 行 {f.filing_id or ''}：{f.message}")
        for w, result, _ in runs:
            n_docx = sum(d.format == "docx" for d in result.documents)
            n_pdf = sum(d.format == "pdf" for d in result.documents)
            who = f"{Path(w).name}：" if len(runs) > 1 else ""
            click.echo(f"{who}已生成 {n_docx} 份 Word 文书" + (f"、{n_pdf} 份 PDF" if pdf else "") +
                       f"，未生成 {len(result.refused)} 行；索引：{result.index_path}")
    sys.exit(EXIT_FINDINGS if refused else EXIT_OK)
