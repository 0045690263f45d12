"""The 平台规则 decision table as data: a rule, the set of rules a run holds, and which tracker rows
a rule applies to (`applies`).

Parsing the 平台规则 sheet is `rules`; this module sits below it so the run context and the checks
can hold a rule set without depending on how one is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..run.findings import Finding, Severity
from ..tracker.columns import MATERIAL_PREFIX

RULES_SHEET = "平台规则"
PRIZE_SALE = "有奖销售"
"""A 创意形式 condition matching every 有奖销售 row (tracker column `prize_sale`)."""
DRAW = "抽奖式"
"""A 创意形式 condition matching every chance draw, 抽奖性质 = 是 (tracker column `draw`)."""
CLASSES = {PRIZE_SALE: "prize_sale", DRAW: "draw"}
"""创意形式 classes → the tracker column that says whether a row belongs to them."""
BAN = "ban:"
"""The target of a rule whose 要求 is 禁止: the conditions describe what the platform or the law does
not allow (WX-01: 微信 rewards for sharing), so every row they match is the finding."""


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
    sensitive_pi: bool | None = None
    minors: bool | None = None
    checked: date | None = None
    """核对日期: when the team last checked the rule against its source."""

    @property
    def is_material(self) -> bool:
        return self.target.startswith(MATERIAL_PREFIX)

    @property
    def is_ban(self) -> bool:
        return self.target == BAN


@dataclass
class RuleSet:
    rules: list[Rule]
    source: str
    findings: list[Finding] = field(default_factory=list)
    sheet: str = RULES_SHEET
    columns: dict[str, int] = field(default_factory=dict)
    """Column name → 0-based index in the workbook's 平台规则 sheet (empty for the packaged defaults)."""
    masks: dict[tuple[int, int], pd.Series] = field(default_factory=dict, repr=False)
    """Rows each rule applies to (by rule and tracker frame), computed once per context by `mask`."""

    def mask(self, rule: Rule, df: pd.DataFrame, dates: pd.Series, exploded_forms: pd.Series) -> pd.Series:
        """`applies`, remembered: freshness and validate ask the same question of the same tracker."""
        key = (id(rule), id(df))
        if key not in self.masks:
            self.masks[key] = applies(rule, df, dates, exploded_forms)
        return self.masks[key]


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
        hit = hit.reindex(df.index, fill_value=False).astype(bool)
        for name, key in CLASSES.items():
            if name in rule.forms and key in df.columns:
                hit |= df[key].astype(bool)
        mask &= hit
    for key, wanted in (("collects_pi", rule.collects_pi), ("minors", rule.minors)):
        if wanted is not None:
            mask &= df[key].eq(wanted).fillna(False).astype(bool)
    if rule.sensitive_pi is not None:
        # the data of children under 14 is sensitive personal information (《个人信息保护法》第28条):
        # a row aimed at minors that collects data gets the sensitive-data rules (docs/rules.md)
        children = (df["minors"].eq(True).fillna(False) & df["collects_pi"].eq(True).fillna(False)).astype(bool)
        if rule.sensitive_pi:
            mask &= df["sensitive_pi"].eq(True).fillna(False).astype(bool) | children
        else:
            mask &= df["sensitive_pi"].eq(False).fillna(False).astype(bool) & ~children
    if rule.start is not None or rule.end is not None:
        codes, distinct = pd.factorize(dates.to_numpy(dtype=object))  # compare each distinct date once
        inside = np.array([(rule.start is None or d >= rule.start) and (rule.end is None or d <= rule.end)
                           for d in distinct] + [False], dtype=bool)
        mask &= pd.Series(inside[codes], index=dates.index)
    return mask
