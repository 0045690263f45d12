"""The findings a documents run reports about a row or a file: a value the Chinese formatting
cannot write, a placeholder printed as a blank, an output Word or Excel holds open. Each names the
cell to fix, so the rest of the batch still gets its documents."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..run.findings import Finding, codes, make
from . import chinese_format
from .cells import text_of
from .placeholders import VARIABLES


def _finding(code: str, message: str, *, severity: str, **where) -> Finding:
    """`make` for registered codes; codes this module proposes but the registry may not list yet
    still produce a finding rather than crash a batch."""
    if code in codes():
        return make(code, message, **where)
    return Finding(code=code, message=message, severity=severity, **where)


def unprintable_finding(ctx, record, row: int, title: str, context: Mapping, reason: str) -> Finding | None:
    """invalid-value on the cell whose value a filter refused (the first amount or date the Chinese
    formatting cannot write): the other rows of the batch still get their documents. None when no
    value of the row fails on its own: then the template's expression is at fault, not the row."""
    checks = {"中文日期": chinese_format.chinese_date, "金额": chinese_format.money,
              "大写金额": chinese_format.capital_amount}
    culprit = None
    for v in VARIABLES:
        value = context.get(v.name)
        if value is None or not v.filters:
            continue
        try:
            for f in v.filters:
                checks[f](value)
        except (ValueError, ArithmeticError):
            culprit = v
            break
    if culprit is None:
        return None
    key = culprit.key
    return _finding(
        "invalid-value", f"《{title}》中“{culprit.name}”的值 {text_of(context.get(culprit.name))} 无法写出（{reason}），"
        f"这一行未生成文书；请改正台账后重新生成。", severity="error", sheet=ctx.tracker.sheet, row=row,
        column=ctx.tracker.columns.get(key) if key else None, field=_header(ctx, key) if key else None,
        filing_id=text_of(record.get("filing_id")), activity=text_of(record.get("activity")))


def blank_findings(ctx, record, row: int, title: str, blanks: set[str]) -> list[Finding]:
    """empty-placeholder warnings for the values a document printed as blanks."""
    out = []
    for name in sorted(blanks):
        top = name.split(".")[0]
        key = _key_of(top)
        out.append(_finding(
            "empty-placeholder", f"《{title}》中“{name}”为空，已留出空白横线；请在台账填写后重新生成，"
            f"或在打印件上手写补全。", severity="warning", sheet=ctx.tracker.sheet, row=row,
            column=ctx.tracker.columns.get(key), field=_header(ctx, key) if key else top,
            filing_id=text_of(record.get("filing_id")), activity=text_of(record.get("activity"))))
    return out


def locked_finding(ctx, path: Path, *, row: int | None, filing_id: str | None) -> Finding:
    return _finding("output-locked", f"“{path.name}”正在被 Word 或 Excel 打开，已跳过这个文件；关闭它后重新生成。",
                    severity="error", sheet=ctx.tracker.sheet, row=row, filing_id=filing_id)


def _header(ctx, key: str) -> str:
    """The column as the user's sheet spells it, else the canonical header (column absent)."""
    return ctx.tracker.header_for(key, ctx.catalog)


def _key_of(variable: str) -> str | None:
    for v in VARIABLES:
        if v.name == variable:
            return v.key
    return None
