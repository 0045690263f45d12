"""`beian demo`: the whole pipeline on the embedded sample data, as a new user's first run."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from .common import open_workbook

REPO_SAMPLE = Path(__file__).resolve().parents[3] / "sample_data"
PACKAGED_SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


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
    if (samples / "archive").is_dir():
        shutil.copytree(samples / "archive", target / "archive", symlinks=True)
    return target / "备案台账示例.xlsx"


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("beian-out/demo"), show_default=True,
              help="输出文件夹。")
def demo(out: Path) -> None:
    """在内置示例台账上运行全流程：校验 + 到期提醒、生成文书、归档索引、周报。

    \b
    示例：beian demo --out beian-out/demo
    """
    from ...actions import archive, check, documents, weekly

    if out.exists():
        shutil.rmtree(out / "documents", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    workbook = copy_sample(sample_dir(), out / "示例台账")
    ctx = open_workbook(workbook)
    click.echo(f"示例台账：{workbook}（今天按设置固定为 {ctx.today}，共 {ctx.tracker.rows} 行）")

    checked = check.run(ctx, out_dir=out)
    s = checked.report.summary()
    click.echo(f"1. 校验与到期提醒：错误 {s['error']}，警告 {s['warning']}，提示 {s['info']} → {checked.written[0]}")

    docs = documents.run(ctx, out_dir=out / "documents", checked=checked.data).data
    click.echo(f"2. 文书：生成 {len(docs.written)} 份，因校验或到期错误跳过 {len(docs.refused)} 行，"
               f"{len(docs.not_in_loop)} 行不在备案流程中 → {out / 'documents'}")

    root = ctx.archive_root or workbook.parent / "archive"
    if root.is_dir():
        indexed = archive.run(ctx, out_dir=out / "archive", root=root, bag=True).data
        click.echo(f"3. 归档索引：{len(indexed.files)} 个文件，计算哈希 {indexed.hashed} 个 → {out / 'archive'}")
    else:
        click.echo(f"3. 归档索引：示例归档文件夹 {root} 不存在，已跳过。")

    report = weekly.run(ctx, out_dir=out, deadline_findings=checked.data.deadlines.findings)
    click.echo(f"4. 周报：{', '.join(p.name for p in report.written if p.suffix in {'.xlsx', '.md'})} → {out}")
    click.echo(f"完成。请打开 {out} 查看结果。")
