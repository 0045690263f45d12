"""`beian precheck`: open every file of the filings' archive folders before submission (docs/precheck.md).

Exit status as §5: 0 no error findings, 1 error findings, 2 could not run (no archive root, output
folder inside the archive). The door only parses, calls `actions.precheck` and presents.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from ...run.findings import stamp
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    common_options,
    open_named,
    present_batch,
    print_findings,
    split_ids,
)
from .progress import terminal_progress


@click.command()
@common_options(many=True)
@click.option("--ids", default=None, help="只预检这些备案编号（逗号分隔）。")
@click.option("--all", "all_rows", is_flag=True, help="预检台账中的所有备案（默认只预检未结束的备案）。")
@click.option("--root", type=click.Path(path_type=Path), default=None,
              help="归档根目录（默认：设置表“归档根目录”，相对路径以工作簿所在文件夹为准）。")
@click.option("--no-ocr", "no_ocr", is_flag=True, help="不做图片文字识别（更快；图片和扫描页会列为“未读取”）。")
def precheck(workbooks, out, today, sheet, as_json, ids, all_rows, root, no_ocr):
    """材料预检：打开每个备案归档文件夹中的文件，检查上传格式、违规用语和与台账不一致的主体、日期、奖金。

    \b
    示例：beian precheck 备案台账.xlsx --root 归档/ --out 结果/
          beian precheck 备案台账.xlsx --ids BA-2026-0001,BA-2026-0002
          beian precheck 备案台账.xlsx --all --no-ocr --json
    """
    if ids and all_rows:
        raise click.UsageError("--ids 与 --all 不能同时使用。 / Use either --ids or --all.")
    from ...actions import precheck as action
    from ...actions.batch import each_tracker

    opened = open_named(workbooks, sheet=sheet, today=today)
    with terminal_progress("读取材料", as_json=as_json) as progress:
        batch = each_tracker(opened, out, lambda c, folder: action.run(
            c, out_dir=folder, root=root, ids=split_ids((ids,)) if ids else None, all_rows=all_rows, ocr=not no_ocr, progress=progress))
    present_batch("precheck", batch, workbooks, lambda r, w, emit: _one(r, w, not no_ocr, emit), as_json=as_json)


def _one(outcome, workbook: str, ocr: bool, emit) -> int:
    """Present one tracker's pre-check; `emit` receives the JSON payload (None: print for a person)."""
    result, report = outcome.data, outcome.report
    report.workbook = workbook
    stamp(report.findings, workbook)
    summary = {
        "root": result.root, "filings": len(result.filings), "files": len(result.files), "read": result.read,
        "from_cache": len(result.files) - result.read, "ocr": result.ocr,
        "no_folder": [f.filing_id for f in result.no_folder], "written": [str(p) for p in outcome.written],
        "files_detail": [{"filing_id": s.filing_id, "file": s.rel, "material": s.material, "type": s.type,
                          "size": s.size, "pixels": list(s.pixels) if s.pixels else None, "pages": s.pages,
                          "chars": s.chars, "ocr": s.ocr_used, "low_confidence": s.low_confidence,
                          "status": s.status, "worst": s.worst} for s in result.files],
    }
    if emit is not None:
        emit(report.as_json() | {"precheck": summary})
    else:
        print_findings(report.findings, more_hint="完整列表见 findings.xlsx 或 --json")
        counts = Counter(f.code for f in report.findings)
        if counts:
            click.echo("按代码：" + "，".join(f"{code} {n}" for code, n in counts.most_common()))
        s = report.summary()
        click.echo(f"预检 {summary['filings']} 个备案、{summary['files']} 个文件（本次读取 {summary['read']} 个，"
                   f"其余来自缓存）：错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}。")
        if not ocr:
            click.echo("本次使用了 --no-ocr：图片与扫描页未做文字识别。")
        if result.no_folder:
            names = [f.filing_id for f in result.no_folder]
            more = f" 等 {len(names)} 个" if len(names) > 10 else ""
            click.echo(f"没有归档文件夹、未能预检的备案：{'、'.join(names[:10])}{more}")
        for p in outcome.written:
            click.echo(f"已写入 {p}")
    return EXIT_OK if report.valid else EXIT_FINDINGS
