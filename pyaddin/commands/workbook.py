"""`beian build-workbook` and `beian doctor`: the Excel workbook and the machine that runs its buttons."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .common import EXIT_FINDINGS, EXIT_OK, parse_today


@click.command("build-workbook")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("beian.xlsm"),
              show_default=True, help="生成的工作簿路径。")
def build_workbook(out: Path) -> None:
    """按源文件（pyaddin/vba/*.bas、默认表 CSV、已安装的 xlwings）生成带按钮的 beian.xlsm。

    \b
    升级 xlwings 后请重新运行，使工作簿中的 xlwings 模块与已安装版本一致。
    示例：beian build-workbook --out beian.xlsm
    """
    import xlwings

    from ..workbook_build import build_workbook as build

    lock = out.with_name("~$" + out.name)
    if lock.exists():
        raise click.ClickException(f"{out} 正在 Excel 中打开：请先关闭它再重新生成。 / {out} is open in Excel.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    build(tmp)
    tmp.replace(out)
    click.echo(f"已生成 {out}（xlwings {xlwings.__version__}）。")


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path), default=Path("beian.xlsm"))
@click.option("--today", callback=parse_today, default=None, metavar="YYYY-MM-DD", help="按指定日期检查日历覆盖。")
def doctor(workbook: Path, today: date | None) -> None:
    """检查运行按钮所需的环境：xlwings 版本、xlwings.conf 中的 Python 路径、节假日日历、PDF 转换。

    \b
    发现问题时逐条给出修改方法，并以状态 1 退出。
    示例：beian doctor beian.xlsm
    """
    from ..doctor import run_checks

    if not workbook.exists():
        raise click.ClickException(f"找不到工作簿 {workbook}：请指定 beian.xlsm 的路径，或运行 beian build-workbook 生成。"
                                   f" / Workbook not found.")
    checks = run_checks(workbook, today=today or date.today())
    for c in checks:
        click.echo(f"[{'正常' if c.ok else '问题'}] {c.name}：{c.message}")
        if not c.ok and c.fix:
            click.echo(f"    修改方法：{c.fix}")
    problems = sum(not c.ok for c in checks)
    click.echo(f"发现 {problems} 个问题。" if problems else "全部正常。")
    click.echo(f"Python：{sys.executable}")
    sys.exit(EXIT_FINDINGS if problems else EXIT_OK)
