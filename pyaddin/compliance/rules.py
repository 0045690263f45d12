"""The 平台规则 decision table: which row needs which field or material.

Hit policy "collect" (as in DMN): every rule whose conditions all match a row applies. `*` or an
empty cell matches anything; a cell may list several values (医疗、药品). Rules are data: a rule
naming an unknown platform, form, industry, field or material becomes a `bad-rule` finding
pointing at its cell, and only that rule is skipped.

创意形式 may also name the class 有奖销售 (`ruleset.PRIZE_SALE`): every row that is a 有奖销售 under
《规范促销行为暂行规定》, i.e. a chance form (创意形式 table 抽奖性质 = 是) or a stated 最高奖金额
(附赠式 prizes, coupons given as prizes). LOT-01 uses it: a rule listing forms one by one would
miss the draws a team names 福袋 or 刮刮卡 and every prize that is not drawn. The narrower class
抽奖式 (`ruleset.DRAW`) matches the chance forms alone (tracker column `draw`): LOT-02 asks a 福袋 or a
随机红包 for its 最高奖金额 as it asks a 抽奖, since the prize cap applies to all of them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..run.findings import Finding, make
from ..tracker.book import Book
from ..tracker.catalog import Catalog
from ..tracker.columns import MATERIAL_PREFIX
from ..tracker.tables import Table, TableRow, sheet_or_default, split_list
from ..tracker.textnorm import fold
from ..tracker.values import Unreadable, parse_bool, parse_date
from .ruleset import BAN, CLASSES, RULES_SHEET, Rule, RuleSet, row_dates
from .ruleset import applies as applies  # documents ask rules which rows a rule applies to

SEVERITY_WORDS = {"error": "error", "错误": "error", "warning": "warning", "警告": "warning", "info": "info",
                  "提示": "info"}
VERIFIED_WORDS = {"是", "y", "yes", "true", "1", "✓", "√", "已核实"}
ANY = {"", "*", "＊", "全部", "所有", "任意"}
BAN_WORDS = {"禁止", "不得", "不允许", "禁止发布"}


def _table(book: Book | None) -> Table:
    return sheet_or_default(book, RULES_SHEET, "platform_rules.csv", min_match=3)


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
    columns = table.rows[0].columns if table.rows and table.source == "workbook" else {}
    return RuleSet(rules, table.source, findings, table.name, dict(columns))


def freshness(rules: RuleSet, df: pd.DataFrame, open_rows: pd.Series, today: date,
              review_days: int) -> list[Finding]:
    """The rules' own state, said without drowning the rows' problems (docs/rules.md, 规则表的提示不刷屏):
    - `rule-unverified`: ONE finding per run listing the rules with 已核实 = 否 that apply to at
      least one open filing, each with how many (none when none apply: a rule no open filing
      meets is nobody's concern today). With one such rule it points at that rule's 已核实 cell.
    - `rule-stale`: one warning per rule not checked within `review_days`, naming how many open
      filings it applies to."""
    stale_before = date.fromordinal(max(1, today.toordinal() - review_days))
    unverified = [r for r in rules.rules if not r.verified]
    stale = [r for r in rules.rules if r.checked is not None and r.checked < stale_before]
    if not unverified and not stale:
        return []
    dates = row_dates(df, today)
    exploded = df["forms"].explode()
    counts: dict[int, int] = {}

    def count(rule: Rule) -> int:
        if id(rule) not in counts:
            counts[id(rule)] = int((rules.mask(rule, df, dates, exploded) & open_rows).sum()) if len(df) else 0
        return counts[id(rule)]

    where_default = "（内置默认规则，可在“平台规则”表中修改）" if rules.source != "workbook" else ""
    from_workbook = rules.source == "workbook"

    def at(rule: Rule, column: str) -> dict:
        row = rule.row if from_workbook else None
        return {"sheet": rules.sheet, "row": row, "column": rules.columns.get(column) if row else None,
                "field": column, "rule": rule.id}

    out = []
    applying = [(r, count(r)) for r in unverified]
    applying = [(r, n) for r, n in applying if n]
    if len(applying) == 1:
        rule, n = applying[0]
        out.append(make("rule-unverified",
                        f"规则 {rule.id}{where_default}尚未核实（已核实 = 否），目前适用于 {n} 个未结束的备案，"
                        f"请对照“{rule.source or '依据'}”的现行文本核对后把已核实改为“是”并填写核对日期。",
                        **at(rule, "已核实")))
    elif applying:
        listed = "、".join(f"{r.id}（{n} 个）" for r, n in applying)
        out.append(make("rule-unverified",
                        f"{len(applying)} 条规则{where_default}尚未核实（已核实 = 否）而适用于未结束的备案：{listed}；"
                        f"请对照各规则“依据”的现行文本核对后把已核实改为“是”并填写核对日期。",
                        sheet=rules.sheet, row=None, field="已核实", value=len(applying)))
    for rule in stale:
        n = count(rule)
        out.append(make("rule-stale",
                        f"规则 {rule.id} 上次核对于 {rule.checked:%Y-%m-%d}，已超过 {review_days} 天（设置“规则复核天数”），"
                        f"目前适用于 {n} 个未结束的备案；平台规则常有变动，请重新核对并更新核对日期。",
                        **at(rule, "核对日期")))
    return out


def rule_id(r: TableRow) -> str:
    return r.text("规则编号") or f"第{r.row}行"


def _names(r: TableRow, column: str, vocab, label: str, problems: list) -> frozenset[str] | None:
    text = r.text(column)
    if text.strip() in ANY:
        return None
    out = set()
    for part in split_list(text):
        if column == "创意形式" and fold(part) in CLASSES:
            out.add(fold(part))
            continue
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
    flags = {}
    for column in ("收集个人信息", "敏感个人信息", "面向未成年人"):
        text = r.text(column)
        flags[column] = None
        if text.strip() not in ANY:
            try:
                flags[column] = parse_bool(text)
            except Unreadable:
                problems.append((column, f"{column}条件“{text}”应为 是、否 或 *"))
    requirement = r.text("要求")
    target = None
    if not requirement:
        problems.append(("要求", "没有填写要求（台账字段名或材料名）"))
    elif requirement.strip() in BAN_WORDS:
        target, target_name = BAN, "禁止"
    else:
        material = catalog.material_names.get(requirement)
        spec = catalog.field_for_name(requirement)
        if material is not None:
            target, target_name = MATERIAL_PREFIX + material, material
        elif spec is not None:
            target, target_name = spec.key, spec.header
        else:
            problems.append(("要求", f"要求“{requirement}”既不是台账字段、“材料”表中的材料，也不是“禁止”"))
    severity = SEVERITY_WORDS.get(r.text("级别").strip().lower() or "error")
    if severity is None:
        problems.append(("级别", f"级别“{r.text('级别')}”应为 error、warning、info（或 错误、警告、提示）"))
    window = {}
    for column in ("生效日期", "失效日期", "核对日期"):
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
        id=rule_id(r), platforms=platforms, forms=forms, industries=industries, collects_pi=flags["收集个人信息"],
        sensitive_pi=flags["敏感个人信息"], minors=flags["面向未成年人"], checked=window["核对日期"],
        target=target, target_name=target_name, severity=severity, description=r.text("说明"),
        source=r.text("依据"), verified=fold(r.text("已核实")) in VERIFIED_WORDS, start=window["生效日期"],
        end=window["失效日期"], row=r.row,
    ), []
