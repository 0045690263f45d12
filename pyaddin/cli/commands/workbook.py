"""`beian build-workbook` and `beian doctor`: the Excel workbook and the machine that runs its buttons."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, parse_today


@click.command("build-workbook")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("beian.xlsm"),
              show_default=True, help="生成的工作簿路径。")
def build_workbook(out: Path) -> None:
    """按源文件（功能登记表 pyaddin/capabilities.py、pyaddin/excel/vba/*.bas、默认表 CSV、已安装的 xlwings）生成带按钮的 beian.xlsm。

    \b
    升级 xlwings 后请重新运行，使工作簿中的 xlwings 模块与已安装版本一致。
    示例：beian build-workbook --out beian.xlsm
    """
    import xlwings

    from ...excel.build import build_workbook as build

    if out.suffix.lower() != ".xlsm":
        raise click.BadParameter(f"{out.name} 必须以 .xlsm 结尾：Excel 不会打开扩展名不是 .xlsm 的带宏工作簿。"
                                 f" / The workbook name must end in .xlsm.", param_hint="--out")
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
    """检查运行按钮所需的环境：xlwings 版本、xlwings.conf 中的 Python 及其能否导入 beian 和各功能组件、
    台账文件、节假日日历、PDF 转换。

    \b
    每个问题一行：哪里不对、有什么影响、怎么改；有问题时以状态 1 退出，只有提示时以状态 0 退出。
    示例：beian doctor beian.xlsm
    """
    from ...excel.doctor import has_vba_project, run_checks, summary

    if not workbook.exists():
        raise click.ClickException(f"找不到工作簿 {workbook}：请指定 beian.xlsm 的路径，或运行 beian build-workbook 生成。"
                                   f" / Workbook not found.")
    if not has_vba_project(workbook):
        click.echo(_not_the_addin(workbook), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    checks = run_checks(workbook, today=today or date.today())
    for c in checks:
        click.echo(c.line())
    click.echo(summary(checks))
    click.echo(f"（本次检查用的 Python：{sys.executable}）")
    sys.exit(EXIT_OK if all(c.ok for c in checks) else EXIT_FINDINGS)


def _not_the_addin(workbook: Path) -> str:
    """What to say when doctor is given a workbook without macros: most often the tracker itself."""
    from .common import open_workbook

    try:
        ctx = open_workbook(workbook)
        tracker = f"“{ctx.tracker.sheet}”表 {ctx.tracker.rows} 行" if ctx.tracker.rows else None
    except Exception:  # noqa: BLE001 - not a readable tracker either: say only that it is not beian.xlsm
        tracker = None
    addin = "检查按钮环境请运行 beian doctor beian.xlsm（还没有的话先运行 beian build-workbook 生成）。"
    if tracker:
        return (f"{workbook.name} 是一份台账（{tracker}），不是 beian.xlsm：doctor 检查的是带按钮的 beian.xlsm "
                f"能否在本机运行；检查台账请运行 beian check \"{workbook}\"，{addin}")
    return f"{workbook.name} 没有宏和按钮，不是 beian.xlsm：{addin}"
