"""`beian validate`, `beian deadlines`, `beian check`: findings about the tracker."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, common_options, emit_json, emit_json_lines, load, main, output_dir
from ..findings import SEVERITY_ZH, Report

TERMINAL_LIMIT = 40


def print_summary(report: Report, written: list[Path]) -> None:
    """A terminal view: the first findings, counts by code, and where the full list went."""
    for f in report.findings[:TERMINAL_LIMIT]:
        where = f"{f.sheet}!{f.row}" if f.row is not None else (f.sheet or "")
        who = f" {f.filing_id}" if f.filing_id else ""
        click.echo(f"[{SEVERITY_ZH[f.severity]}] {where}{who} {f.code}：{f.message}")
    if len(report.findings) > TERMINAL_LIMIT:
        click.echo(f"……还有 {len(report.findings) - TERMINAL_LIMIT} 条，完整列表请用 --out 写入 findings.xlsx 或用 --json。")
    counts = Counter(f.code for f in report.findings)
    if counts:
        click.echo("按代码：" + "，".join(f"{code} {n}" for code, n in counts.most_common()))
    s = report.summary()
    click.echo(f"共读取 {report.rows} 行：错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}。")
    for path in written:
        click.echo(f"已写入 {path}")


def finish(report: Report, ctx, out: Path | None, as_json: bool | str, workbook: Path) -> None:
    """`as_json`: False, True (one document) or "lines" (one finding per line, then the summary)."""
    written = []
    target = output_dir(out, ctx, default=None)
    if target is not None:
        from ..adapters.findings_xlsx import write_findings  # XlsxWriter only when writing

        written.append(write_findings(target / "findings.xlsx", report, workbook))
    if as_json == "lines":
        emit_json_lines(report.as_json())
    elif as_json:
        emit_json(report.as_json())
    else:
        print_summary(report, written)
    sys.exit(EXIT_OK if report.valid else EXIT_FINDINGS)


def run_validate(ctx) -> Report:
    from ..validate import validate

    return validate(ctx)


def run_deadlines(ctx) -> Report:
    from ..deadlines import check

    return check(ctx)


def run(command: str, workbook, out, today, sheet, as_json, rules) -> None:
    """The body shared by validate, deadlines and check: load, run the core, report, exit."""
    ctx = load(workbook, sheet=sheet, today=today, rules=rules)
    if command == "validate":
        report = run_validate(ctx)
    elif command == "deadlines":
        report = run_deadlines(ctx)
    else:
        report = run_validate(ctx).merged(run_deadlines(ctx), "check").sorted()
    report.workbook = str(workbook)
    finish(report, ctx, out, as_json, workbook)


def rules_option(func):
    func = click.option("--json-lines", "json_lines", is_flag=True,
                        help="以 JSON Lines 输出：每行一条问题，最后一行为汇总。")(func)
    return click.option("--rules", type=click.Path(path_type=Path), default=None,
                        help="从另一个工作簿读取 平台/平台规则/材料 表。")(func)


@main.command()
@common_options
@rules_option
def validate(workbook, out, today, sheet, as_json, rules, json_lines):
    """逐行校验台账：必填项、格式、状态一致性、平台规则要求的字段与材料。

    \b
    示例：beian validate 备案台账.xlsx --out 结果/
    """
    run("validate", workbook, out, today, sheet, "lines" if json_lines else as_json, rules)


@main.command()
@common_options
@rules_option
def deadlines(workbook, out, today, sheet, as_json, rules, json_lines):
    """到期与逾期：资质到期、审核超期、补充逾期、提交过晚、未通过即上线、归档逾期。

    \b
    示例：beian deadlines 备案台账.xlsx --today 2026-11-20
    """
    run("deadlines", workbook, out, today, sheet, "lines" if json_lines else as_json, rules)


@main.command()
@common_options
@rules_option
def check(workbook, out, today, sheet, as_json, rules, json_lines):
    """校验 + 到期提醒，一次运行合并为一份报告。

    \b
    示例：beian check 备案台账.xlsx --out 结果/
    """
    run("check", workbook, out, today, sheet, "lines" if json_lines else as_json, rules)
