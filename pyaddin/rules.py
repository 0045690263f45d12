"""The 平台规则 decision table: which row needs which field or material.

Hit policy "collect" (as in DMN): every rule whose conditions all match a row applies. `*` or an
empty cell matches anything; a cell may list several values (医疗、药品). Rules are data: a rule
naming an unknown platform, form, industry, field or material becomes a `bad-rule` finding
pointing at its cell, and only that rule is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from .book import Book
from .catalog import Catalog
from .findings import Finding, Severity, make
from .tables import Table, TableRow, default_header, default_table, read_sheet_table, split_list
from .tracker import MATERIAL_PREFIX
from .values import Unreadable, parse_bool, parse_date

RULES_SHEET = "平台规则"
SEVERITY_WORDS = {"error": "error", "错误": "error", "warning": "warning", "警告": "warning", "info": "info",
                  "提示": "info"}
ANY = {"", "*", "＊", "全部", "所有", "任意"}


@dataclass(frozen=True)
class Rule:
    id: str
    platforms: frozenset[str] | None
    forms: frozenset[str] | None
    industries: frozenset[str] | None
    collects_pi: bool | None
    target: str
    """A field key, or `material:<名称>` for a material."""
    target_name: str
    severity: Severity
    description: str
    source: str
    verified: bool
    start: date | None
    end: date | None
    row: int | None

    @property
    def is_material(self) -> bool:
        return self.target.startswith(MATERIAL_PREFIX)


@dataclass
class RuleSet:
    rules: list[Rule]
    source: str
    findings: list[Finding] = field(default_factory=list)


def _table(book: Book | None) -> Table:
    sheet = book.get(RULES_SHEET) if book else None
    if sheet is not None:
        table = read_sheet_table(sheet, default_header("platform_rules.csv"), min_match=3)
        if table is not None:
            return table
    return default_table("platform_rules.csv", RULES_SHEET)


def load_rules(book: Book | None, catalog: Catalog) -> RuleSet:
    table = _table(book)
    rules, findings = [], []
    for r in table.rows:
        rule, problems = _parse(r, catalog)
        for column, message in problems:
            findings.append(make(
                "bad-rule", f"规则{rule_id(r)}：{message}，该规则已跳过，请在“平台规则”表中改正。",
                sheet=table.name, row=r.row if table.source == "workbook" else None,
                column=r.columns.get(column) if table.source == "workbook" else None, field=column,
                value=r.values.get(column), rule=rule_id(r)))
        if rule is not None and not problems:
            rules.append(rule)
    return RuleSet(rules, table.source, findings)


def rule_id(r: TableRow) -> str:
    return r.text("规则编号") or f"第{r.row}行"


def _names(r: TableRow, column: str, vocab, label: str, problems: list) -> frozenset[str] | None:
    text = r.text(column)
    if text.strip() in ANY:
        return None
    out = set()
    for part in split_list(text):
        name = vocab.get(part)
        if name is None:
            problems.append((column, f"{label}“{part}”不在目录中"))
        else:
            out.add(name)
    return frozenset(out)


def _parse(r: TableRow, catalog: Catalog) -> tuple[Rule | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    platforms = _names(r, "平台", catalog.platform_names, "平台", problems)
    forms = _names(r, "创意形式", catalog.forms, "创意形式", problems)
    industries = _names(r, "行业", catalog.industries, "行业", problems)
    pi_text = r.text("收集个人信息")
    collects = None
    if pi_text.strip() not in ANY:
        try:
            collects = parse_bool(pi_text)
        except Unreadable:
            problems.append(("收集个人信息", f"收集个人信息条件“{pi_text}”应为 是、否 或 *"))
    requirement = r.text("要求")
    target = None
    if not requirement:
        problems.append(("要求", "没有填写要求（台账字段名或材料名）"))
    else:
        material = catalog.material_names.get(requirement)
        spec = catalog.field_for_name(requirement)
        if material is not None:
            target, target_name = MATERIAL_PREFIX + material, material
        elif spec is not None:
            target, target_name = spec.key, spec.header
        else:
            problems.append(("要求", f"要求“{requirement}”既不是台账字段也不是“材料”表中的材料"))
    severity = SEVERITY_WORDS.get(r.text("级别").strip().lower() or "error")
    if severity is None:
        problems.append(("级别", f"级别“{r.text('级别')}”应为 error、warning、info（或 错误、警告、提示）"))
    window = {}
    for column in ("生效日期", "失效日期"):
        text = r.values.get(column)
        window[column] = None
        if r.text(column):
            try:
                window[column] = parse_date(text)
            except Unreadable as exc:
                problems.append((column, f"{column}{exc}"))
    if problems or target is None:
        return None, problems
    return Rule(
        id=rule_id(r), platforms=platforms, forms=forms, industries=industries, collects_pi=collects,
        target=target, target_name=target_name, severity=severity, description=r.text("说明"),
        source=r.text("依据"), verified=r.text("已核实") == "是", start=window["生效日期"],
        end=window["失效日期"], row=r.row,
    ), []


def row_dates(df: pd.DataFrame, today: date) -> pd.Series:
    """The date a rule's effective window is checked against: submitted, else launch, else today."""
    d = df["submitted_date"].where(df["submitted_date"].notna(), df["launch_date"])
    return d.where(d.notna(), today)


def applies(rule: Rule, df: pd.DataFrame, dates: pd.Series, exploded_forms: pd.Series) -> pd.Series:
    """Boolean mask of the rows a rule applies to, computed column-wise over the whole tracker."""
    mask = pd.Series(True, index=df.index)
    if rule.platforms is not None:
        mask &= df["platform"].isin(rule.platforms)
    if rule.industries is not None:
        mask &= df["industry"].isin(rule.industries)
    if rule.forms is not None:
        hit = exploded_forms.isin(rule.forms).groupby(level=0).any()
        mask &= hit.reindex(df.index, fill_value=False).astype(bool)
    if rule.collects_pi is not None:
        mask &= df["collects_pi"].eq(rule.collects_pi).fillna(False).astype(bool)
    if rule.start is not None or rule.end is not None:
        codes, distinct = pd.factorize(dates.to_numpy(dtype=object))  # compare each distinct date once
        inside = np.array([(rule.start is None or d >= rule.start) and (rule.end is None or d <= rule.end)
                           for d in distinct] + [False], dtype=bool)
        mask &= pd.Series(inside[codes], index=dates.index)
    return mask
