"""`beian setup`: a ready beian.xlsm for this machine, then only the steps a person must do."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .common import EXIT_FINDINGS, EXIT_OK, parse_today


@click.command("setup")
@click.argument("tracker", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="生成 beian.xlsm 的文件夹（默认：给了台账时为台账所在文件夹，否则为当前文件夹）。")
@click.option("--force", is_flag=True, help="覆盖已存在的 beian.xlsm。")
@click.option("--today", callback=parse_today, default=None, metavar="YYYY-MM-DD", help="按指定日期检查日历覆盖。")
def setup(tracker: Path | None, out: Path | None, force: bool, today: date | None) -> None:
    """生成可直接使用的 beian.xlsm：已填好本机 Python 路径（xlwings.conf），给了台账时“设置”中的台账文件指向它；
    随后运行 doctor 检查，只列出还需要你动手的步骤。

    \b
    示例：uv run beian setup 备案台账.xlsx
          beian setup --out D:\\备案
    """
    from ...excel.setup import setup as run_setup

    out_dir = out if out is not None else (tracker.parent if tracker is not None else Path.cwd())
    result = run_setup(out_dir, tracker, force=force, today=today or date.today())
    python = next(iter(result.conf.values()))
    click.echo(f"已生成 {result.workbook.resolve()}（Python：{python}"
               + ("，已填写 PYTHONPATH" if "PYTHONPATH" in result.conf else "")
               + (f"，台账文件：{result.tracker_setting}" if result.tracker_setting else "") + "）。")
    click.echo("环境检查：" + ("全部正常。" if result.ok else "发现问题，请先按下面的前几步修改。"))
    click.echo("还需要你做的：")
    for i, step in enumerate(result.steps, start=1):
        click.echo(f"{i}. {step}")
    sys.exit(EXIT_OK if result.ok else EXIT_FINDINGS)
