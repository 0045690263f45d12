"""`beian validate`, `beian deadlines`, `beian check`: findings about the tracker."""

from __future__ import annotations

import sys

import click

from .common import (
    EXIT_CANNOT_RUN,
    EXIT_FINDINGS,
    EXIT_OK,
    common_options,
    emit_json,
    emit_json_lines,
    json_lines_option,
    licenses_option,
    open_named,
    print_summary,
    rules_option,
)


def run(command: str, workbooks, out, today, sheet, as_json, rules, json_lines=False, licenses=None) -> None:
    """The body shared by validate, deadlines and check: open, run the check action, present, exit."""
    opened = open_named(workbooks, sheet=sheet, today=today, rules=rules)
    from ...actions import many  # after opening: the workbook reads while the core imports

    result = many.run_opened(opened, validation=command != "deadlines", deadlines=command != "validate",
                               out=out, licenses=licenses)
    multi = result.data.several
    if multi is None:
        result.report.workbook = str(workbooks[0])
        return present(result.report, result.written, as_json, json_lines, not_written=result.not_written)
    extra = {"workbooks": list(multi.per_workbook),
             "by_workbook": {w: r.summary() for w, r in multi.per_workbook.items()},
             "cross_findings": len(multi.cross),
             "skipped": [{"workbook": str(s.path), "reason": s.reason} for s in multi.skipped]}
    if not (as_json or json_lines):
        for w, r in multi.per_workbook.items():
            s = r.summary()
            click.echo(f"{w}：{r.rows} 行，错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}")
        if multi.cross:
            click.echo(f"跨台账：{len(multi.cross)} 条（备案编号重复或备案号跨平台复用）")
    present(result.report, result.written, as_json, json_lines, extra, multi.skipped, result.not_written)


def present(report, written, as_json, json_lines, extra: dict | None = None, skipped=(), not_written=()) -> None:
    if json_lines or as_json:
        payload = report.as_json()
        payload.update(extra or {})
        (emit_json_lines if json_lines else emit_json)(payload)
    else:
        for s in skipped:
            click.echo(f"已跳过 {s.path}：{s.reason}")
        print_summary(report, written)
    for problem in not_written:  # findings.xlsx open in Excel: the findings were shown, then say so
        click.echo(str(problem), err=True)
    if not_written:
        sys.exit(EXIT_CANNOT_RUN)
    sys.exit(EXIT_OK if report.valid else EXIT_FINDINGS)


def _command(name: str, doc: str):
    @click.command(name=name, help=doc)
    @common_options(many=True)
    @rules_option
    @licenses_option
    @json_lines_option
    def command(workbooks, out, today, sheet, as_json, rules, licenses, json_lines):
        run(name, workbooks, out, today, sheet, as_json, rules, json_lines, licenses)
    return command


MANY = """

    可一次检查多个台账：给出多个工作簿或文件夹（文件夹中每个含台账的 .xlsx/.xlsm；不含台账的列出并跳过），
    跨台账检查备案编号重复与备案号跨平台复用；--licenses 指定共用的资质库。"""

validate = _command("validate", """逐行校验台账：必填项、格式、状态一致性、平台规则要求的字段与材料。""" + MANY + """

    \b
    示例：beian validate 备案台账.xlsx --out 结果/
          beian validate 台账/ --licenses 资质库.xlsx""")

deadlines = _command("deadlines", """到期与逾期：资质到期、审核超期、补充逾期、提交过晚、未通过即上线、归档逾期。""" + MANY + """

    \b
    示例：beian deadlines 备案台账.xlsx --today 2026-11-20
          beian deadlines 品牌A.xlsx 品牌B.xlsx""")

check = _command("check", """校验 + 到期提醒，一次运行合并为一份报告。""" + MANY + """

    \b
    示例：beian check 备案台账.xlsx --out 结果/
          beian check 台账/ --out 结果/""")
