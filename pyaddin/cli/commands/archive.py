"""`beian archive`: index the archive with hashes, verify it against the last manifest, bag approved filings.

Exit status: 0 when the index was written (missing materials are listed in the index, not an
error: `beian validate` reports them against the rules); 1 when a file could not be read, or, with
--verify, when any file changed, disappeared or was added since the manifest; 2 when it could not
run (no archive root, no manifest for --verify, output folder inside the archive).
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
)
from .progress import terminal_progress

VERIFY_CODES = {"archive-changed", "archive-missing-file", "archive-added-file", "archive-unreadable"}


def _problems(result, core) -> dict[str, list]:
    """What the index lists as wrong, for --json readers: the same items as archive_index.xlsx."""
    def filing(f) -> dict:
        return {"filing_id": f.filing_id, "row": f.row, "platform": f.platform}

    return {
        "missing": [filing(r.filing) | {"material": r.material, "required_by": r.required}
                    for r in result.index if r.found == core.MISSING],
        "wrong_format": [filing(r.filing) | {"material": r.material, "file": r.file.rel if r.file else None}
                         for r in result.index if r.found == core.WRONG_FORMAT],
        "orphan_folders": [{"folder": o.rel, "probable_id": o.probable_id, "files": o.files} for o in result.orphans],
        "unclassified": [{"file": item.rel, "reason": reason} for item, reason in result.unclassified],
        "no_folder": [filing(f) for f in result.no_folder],
    }


@click.command()
@common_options(many=True)
@click.option("--root", type=click.Path(path_type=Path), default=None,
              help="归档根目录（默认：设置表“归档根目录”，相对路径以工作簿所在文件夹为准）。")
@click.option("--verify", is_flag=True, help="按上次的 archive_manifest.json 重新计算哈希，报告改动、缺失和新增的文件。")
@click.option("--bag", is_flag=True, help="把每个“已通过”的备案打包为 BagIt 包，写入 <输出目录>/bags/。")
def archive(workbooks, out, today, sheet, as_json, root, verify, bag):
    """归档索引：每个备案的材料、文件、大小与 SHA-256；--verify 核验，--bag 打包。

    \b
    示例：beian archive 备案台账.xlsx --root 归档/ --out 结果/
          beian archive 备案台账.xlsx --verify
          beian archive 备案台账.xlsx --bag

    多个台账（工作簿或文件夹）时逐个处理，各自的输出写入 <输出目录>/<台账文件名>/。
    """
    if verify and bag:
        raise click.UsageError("--verify 与 --bag 不能同时使用：请先核验，再单独运行 --bag。 / Use --verify and --bag separately.")
    from ...actions import archive as action
    from ...actions.batch import each_tracker

    opened = open_named(workbooks, sheet=sheet, today=today)
    with terminal_progress("核验哈希" if verify else "计算哈希", as_json=as_json) as progress:
        if verify:
            batch = each_tracker(opened, out, lambda c, folder: action.verify(c, out_dir=folder, root=root,
                                                                             progress=progress))
        else:
            batch = each_tracker(opened, out, lambda c, folder: action.run(c, out_dir=folder, root=root, bag=bag,
                                                                          progress=progress))
    present_batch("archive", batch, workbooks, lambda r, w, emit: _archive_one(r, w, verify, emit), as_json=as_json)


def _archive_one(outcome, workbook: str, verify: bool, emit) -> int:
    """Present one tracker's archive run; `emit` receives the JSON payload (None: print for a
    person). Returns the exit code."""
    from ...archive import index as core

    if verify:
        report, archive_root = outcome.report, outcome.data.root
        report.workbook = workbook
        written = outcome.written[0]
        changed = [f for f in report.findings if f.code in VERIFY_CODES]
        stamp(report.findings, workbook)
        if emit is not None:
            emit(report.as_json() | {"archive": {"root": str(archive_root), "written": [str(written)]}})
        else:
            print_findings(report.findings, full_list=written)
            counts = Counter(f.code for f in changed)
            click.echo(f"核验 {archive_root}：改动 {counts['archive-changed']}，缺失 {counts['archive-missing-file']}，"
                       f"新增 {counts['archive-added-file']}，无法读取 {counts['archive-unreadable']}。")
            click.echo(f"已写入 {written}")
        return EXIT_FINDINGS if changed or not report.valid else EXIT_OK

    result, archive_root = outcome.data, outcome.data.root
    result.report.workbook = workbook
    bags = [p for p in outcome.written if p.parent.name == "bags"]
    files_written = [p for p in outcome.written if p not in bags]
    summary = {
        "root": str(archive_root),
        "files": len(result.files),
        "hashed": result.hashed,
        "filings_with_folder": len({r.filing.filing_id for r in result.index}),
        "missing": sum(1 for r in result.index if r.found == core.MISSING),
        "wrong_format": sum(1 for r in result.index if r.found == core.WRONG_FORMAT),
        "orphan_folders": len(result.orphans),
        "unclassified": len(result.unclassified),
        "no_folder": len(result.no_folder),
        "bags": [str(p) for p in bags],
        "written": [str(p) for p in files_written],
    }
    if emit is not None:
        emit(result.report.as_json() | {"archive": summary | {"problems": _problems(result, core)}})
    else:
        print_findings(result.report.findings, more_hint="完整列表见 --json")
        click.echo(f"归档 {archive_root}：{summary['files']} 个文件（本次计算哈希 {summary['hashed']} 个），"
                   f"{summary['filings_with_folder']} 个备案有文件夹；缺失材料 {summary['missing']}，格式不符 "
                   f"{summary['wrong_format']}，孤立文件夹 {summary['orphan_folders']}，未归类 {summary['unclassified']}，"
                   f"无文件夹的备案 {summary['no_folder']}。")
        for p in outcome.written:
            click.echo(f"已写入 {p}")
    return EXIT_OK if result.report.valid else EXIT_FINDINGS
