"""`beian validate`, `beian deadlines`, `beian check`: findings about the tracker."""

from __future__ import annotations

import sys

import click

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    common_options,
    emit_json,
    emit_json_lines,
    json_lines_option,
    open_workbook,
    print_summary,
    rules_option,
)


def run(command: str, workbook, out, today, sheet, as_json, rules, json_lines=False) -> None:
    """The body shared by validate, deadlines and check: open, run the check action, present, exit."""
    from ..actions import check as action

    ctx = open_workbook(workbook, sheet=sheet, today=today, rules=rules)
    result = action.run(ctx, validation=command != "deadlines", deadlines=command != "validate",
                        out_dir=ctx.out_dir(out, default=None))
    report = result.report
    report.workbook = str(workbook)
    if json_lines:
        emit_json_lines(report.as_json())
    elif as_json:
        emit_json(report.as_json())
    else:
        print_summary(report, result.written)
    sys.exit(EXIT_OK if report.valid else EXIT_FINDINGS)


@click.command()
@common_options
@rules_option
@json_lines_option
def validate(workbook, out, today, sheet, as_json, rules, json_lines):
    """逐行校验台账：必填项、格式、状态一致性、平台规则要求的字段与材料。

    \b
    示例：beian validate 备案台账.xlsx --out 结果/
    """
    run("validate", workbook, out, today, sheet, as_json, rules, json_lines)


@click.command()
@common_options
@rules_option
@json_lines_option
def deadlines(workbook, out, today, sheet, as_json, rules, json_lines):
    """到期与逾期：资质到期、审核超期、补充逾期、提交过晚、未通过即上线、归档逾期。

    \b
    示例：beian deadlines 备案台账.xlsx --today 2026-11-20
    """
    run("deadlines", workbook, out, today, sheet, as_json, rules, json_lines)


@click.command()
@common_options
@rules_option
@json_lines_option
def check(workbook, out, today, sheet, as_json, rules, json_lines):
    """校验 + 到期提醒，一次运行合并为一份报告。

    \b
    示例：beian check 备案台账.xlsx --out 结果/
    """
    run("check", workbook, out, today, sheet, as_json, rules, json_lines)
