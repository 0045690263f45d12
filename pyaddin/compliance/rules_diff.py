"""Rule-change impact: which open filings a change to the 平台规则 table now hits.

Platform rules change under open filings. Every run that reads the rules keeps a snapshot of them
in the history folder the weekly snapshots use (`<history>/rules/`), so a later run can say what
changed and whom it affects. Snapshots hold the rules as beian understood them (platform, form
and industry names canonical), so it does not matter whether they came from the workbook's own
平台规则 sheet, from `--rules`, or from the packaged defaults after an upgrade; a spelling change
(微信公众号 → 微信) is not a change.

Format — `<history>/rules/<NNNN>_<YYYY-MM-DD>_<source>_<hash8>.csv`, UTF-8 with BOM, one line per
rule, columns `SNAPSHOT_COLUMNS`; NNNN counts up, the date is the day it was taken (system clock),
source is workbook or default, hash8 the start of the SHA-256 of the content. A run stores a new
file only when the content differs from the latest one, so the folder is a list of versions.

Definitions:
- Changes are by 规则编号: added, removed, changed (field by field, `DIFF_FIELDS`).
- Open filing: as `filings.open_filings` (and so rule-stale, check and the weekly report) count
  it: not 已撤回, not a 已驳回 that another row resubmits, and 活动结束日期 empty or not before today.
- For a new rule, the open filings it applies to; for a removed rule, those it applied to; for a
  changed rule, those it now applies to and did not, those it applied to and no longer does, and,
  when its 要求 or 级别 changed, those it applies to both before and after. Each with what it now
  misses (the material not ticked and not in the archive, or the field empty).
- `rule-changed` (check): compares the rules with the version the previous check saw
  (`<history>/rules/check_baseline.txt`; before any check, the previous stored version), then
  records the current version, so the same change is reported once, not on every run. A warning
  goes only to an open filing the change leaves short (the rule now applies, or its 要求/级别
  changed, and the filing misses what it asks) or that loses a requirement it relied on (the rule
  no longer applies to it); a filing that already meets the new rule hears nothing (docs/rules.md:
  one level change over 46 satisfied filings is not 46 warnings). `beian rules-diff` still lists
  every affected filing, satisfied or not.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..errors import SnapshotNotFound
from ..run.context import Context
from ..run.findings import SEVERITY_ZH, Finding, make
from ..run.safe_text import csv_text, restore
from ..tracker.filings import open_filings
from ..tracker.values import as_text, is_blank
from .ruleset import Rule, RuleSet, applies, row_dates

RULES_DIR = "rules"
BASELINE = "check_baseline.txt"
ANY = "*"
DIFF_FIELDS = ["平台", "创意形式", "行业", "收集个人信息", "要求", "级别", "说明", "依据", "已核实", "生效日期", "失效日期"]
SNAPSHOT_COLUMNS = ["规则编号", *DIFF_FIELDS, "要求键"]
REQUIREMENT_FIELDS = {"要求", "级别"}
NAME = re.compile(r"^(\d{4})_(\d{4}-\d{2}-\d{2})_([a-z]+)_([0-9a-f]{8})\.csv$")


# ---------------------------------------------------------------- canonical rule rows
def _names(values: frozenset[str] | None) -> str:
    return ANY if values is None else "、".join(sorted(values))


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def rule_rows(ruleset: RuleSet) -> list[dict[str, str]]:
    """The rules as text, one dict per rule (keys SNAPSHOT_COLUMNS), ids made unique with #2, #3."""
    seen: dict[str, int] = {}
    out = []
    for r in ruleset.rules:
        seen[r.id] = seen.get(r.id, 0) + 1
        rid = r.id if seen[r.id] == 1 else f"{r.id}#{seen[r.id]}"
        out.append({
            "规则编号": rid, "平台": _names(r.platforms), "创意形式": _names(r.forms), "行业": _names(r.industries),
            "收集个人信息": ANY if r.collects_pi is None else ("是" if r.collects_pi else "否"),
            "要求": r.target_name, "级别": r.severity, "说明": r.description, "依据": r.source,
            "已核实": "是" if r.verified else "否", "生效日期": _day(r.start), "失效日期": _day(r.end),
            "要求键": r.target,
        })
    return out


def to_csv_text(rows: list[dict[str, str]]) -> str:
    return csv_text(SNAPSHOT_COLUMNS, ([r.get(c, "") for c in SNAPSHOT_COLUMNS] for r in rows))


def content_hash(rows: list[dict[str, str]]) -> str:
    return hashlib.sha256(to_csv_text(rows).encode("utf-8")).hexdigest()


def to_rule(row: dict[str, str]) -> Rule:
    """A snapshot line back as a Rule, for computing whom it applied to."""
    def names(text: str) -> frozenset[str] | None:
        return None if text in ("", ANY) else frozenset(p for p in text.split("、") if p)

    def day(text: str) -> date | None:
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None

    pi = row.get("收集个人信息", ANY)
    return Rule(
        id=row["规则编号"], platforms=names(row.get("平台", "")), forms=names(row.get("创意形式", "")),
        industries=names(row.get("行业", "")), collects_pi=None if pi in ("", ANY) else pi == "是",
        target=row.get("要求键", ""), target_name=row.get("要求", ""),
        severity=row.get("级别") if row.get("级别") in ("error", "warning", "info") else "error",
        description=row.get("说明", ""), source=row.get("依据", ""), verified=row.get("已核实") == "是",
        start=day(row.get("生效日期", "")), end=day(row.get("失效日期", "")), row=None)


# ---------------------------------------------------------------- stored snapshots
@dataclass(frozen=True)
class Snapshot:
    """A stored version of the rules (read and written by `adapters.rule_history`)."""

    path: Path
    seq: int
    taken: date
    source: str
    hash8: str

    @property
    def name(self) -> str:
        return self.path.name


def snapshot_name(seq: int, taken: date, source: str, digest: str) -> str:
    return f"{seq:04d}_{taken.isoformat()}_{'workbook' if source == 'workbook' else 'default'}_{digest[:8]}.csv"


def parse_name(path: Path) -> Snapshot | None:
    m = NAME.match(path.name)
    if not m:
        return None
    return Snapshot(path, int(m.group(1)), date.fromisoformat(m.group(2)), m.group(3), m.group(4))


def from_csv_text(text: str) -> list[dict[str, str]]:
    return [{k: restore(v or "") for k, v in r.items() if k} for r in csv.DictReader(text.lstrip("\ufeff").splitlines())]


def previous(snapshots: list[Snapshot], current: Snapshot) -> Snapshot | None:
    """The latest stored version before `current` (None for the first)."""
    earlier = [s for s in snapshots if s.seq < current.seq and s.hash8 != current.hash8]
    return earlier[-1] if earlier else None


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def find_snapshot(snapshots: list[Snapshot], since: str) -> Snapshot:
    """`since` as a date (the rules as they stood when that day began: the latest snapshot taken
    before it), a file name or path, a sequence number, or a hash prefix. A date before the first
    snapshot is refused rather than compared with the first one: nothing says what the rules were
    then. A date that does not exist (2026-02-30) is named as such, not as a missing snapshot."""
    text = since.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None and _DATE_SHAPE.fullmatch(text):
        raise SnapshotNotFound(f"日期“{text}”不存在（月份为 01–12，日不超过当月天数），请改正 --since。")
    if day is not None:
        if not snapshots:
            raise SnapshotNotFound("还没有任何规则快照：请先运行一次 beian check 或 beian validate。")
        before = [s for s in snapshots if s.taken < day]
        if not before:
            first = snapshots[0]
            raise SnapshotNotFound(
                f"{day:%Y-%m-%d} 之前没有规则快照（最早的一份是 {first.taken:%Y-%m-%d} 的 {first.name}），"
                f"无法得知当时的规则；请用 --since {first.taken:%Y-%m-%d} 或更晚的日期。")
        return before[-1]
    name = Path(text).name
    for s in snapshots:
        if name in (s.name, s.path.stem) or (name.isdigit() and int(name) == s.seq) or s.hash8.startswith(name.lower()):
            return s
    raise SnapshotNotFound(f"找不到规则快照“{text}”，请用 YYYY-MM-DD 日期或 history/rules/ 中的文件名。")


# ---------------------------------------------------------------- diff and impact
def _shown(field_name: str, value: str) -> str:
    if not value:
        return "（空）"
    return SEVERITY_ZH.get(value, value) if field_name == "级别" else value


@dataclass
class Change:
    kind: str
    """added, removed or changed."""
    rule_id: str
    fields: list[tuple[str, str, str]]
    """(field, before, after) for a changed rule; empty for added/removed."""
    old: Rule | None
    new: Rule | None

    @property
    def label(self) -> str:
        if self.kind == "added":
            return "新增"
        if self.kind == "removed":
            return "删除"
        return "修改（" + "、".join(f for f, _, _ in self.fields) + "）"

    @property
    def changes_text(self) -> list[str]:
        """Each changed field as a person reads it: "级别：警告 → 错误" (snapshots store 级别 as
        error/warning/info; --json keeps those, people see the Chinese labels)."""
        return [f"{f}：{_shown(f, a)} → {_shown(f, b)}" for f, a, b in self.fields]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.rule_id}"


@dataclass
class Affected:
    row: int
    filing_id: str | None
    activity: str | None
    platform: str | None
    status: str | None
    effect: str
    """现在适用, 不再适用 or 要求已变."""
    missing: str
    """What the filing now lacks under the new rule ('' when nothing, or when it no longer applies)."""


@dataclass
class Impact:
    change: Change
    affected: list[Affected] = field(default_factory=list)


def diff(old: list[dict[str, str]], new: list[dict[str, str]]) -> list[Change]:
    before = {r["规则编号"]: r for r in old}
    after = {r["规则编号"]: r for r in new}
    out = []
    for rid, r in after.items():
        if rid not in before:
            out.append(Change("added", rid, [], None, to_rule(r)))
            continue
        fields = [(f, before[rid].get(f, ""), r.get(f, "")) for f in DIFF_FIELDS if before[rid].get(f, "") != r.get(f, "")]
        if fields:
            out.append(Change("changed", rid, fields, to_rule(before[rid]), to_rule(r)))
    for rid, r in before.items():
        if rid not in after:
            out.append(Change("removed", rid, [], to_rule(r), None))
    return out


class _Tracker:
    """The open part of the tracker with what `applies` needs, computed once for every change."""

    def __init__(self, ctx: Context):
        df = ctx.tracker.df
        self.ctx = ctx
        # open as every other output counts it: rule-changed reaches what rule-stale counts
        self.df = df[open_filings(df, ctx.today)] if not df.empty else df
        self.dates = row_dates(self.df, ctx.today) if not self.df.empty else None
        self.exploded = self.df["forms"].explode() if not self.df.empty else None
        self.cols = {c: dict(zip((int(r) for r in self.df.index), self.df[c], strict=True))
                     for c in ("filing_id", "activity", "platform", "status")}

    def mask(self, rule: Rule | None) -> pd.Series:
        if rule is None or self.df.empty or not rule.target:
            return pd.Series(False, index=self.df.index)
        return applies(rule, self.df, self.dates, self.exploded)

    def column(self, key: str) -> dict:
        if key not in self.cols:
            values = self.df[key] if key in self.df.columns else [None] * len(self.df)
            self.cols[key] = dict(zip((int(r) for r in self.df.index), values, strict=True))
        return self.cols[key]

    def missing(self, rule: Rule, row: int) -> str:
        if rule.is_ban:
            return f"规则 {rule.id} 不允许此类活动"
        if rule.is_material:
            ticked = self.column(rule.target).get(row) is True
            archived = self.ctx.archive_materials or {}
            fid = self.cols["filing_id"].get(row)
            if ticked or rule.target_name in archived.get(as_text(fid) if fid else "", set()):
                return ""
            return f"缺少材料“{rule.target_name}”"
        value = self.column(rule.target).get(row)
        if is_blank(value) or (isinstance(value, list) and not value):
            return f"“{rule.target_name}”未填写"
        return ""

    def affected(self, row: int, effect: str, missing: str) -> Affected:
        c = self.cols
        return Affected(row, c["filing_id"].get(row), c["activity"].get(row), c["platform"].get(row),
                        c["status"].get(row), effect, missing)


def impacts(ctx: Context, changes: list[Change]) -> list[Impact]:
    t = _Tracker(ctx)
    out = []
    for ch in changes:
        old, new = t.mask(ch.old), t.mask(ch.new)
        imp = Impact(ch)
        requirement_changed = any(f in REQUIREMENT_FIELDS for f, _, _ in ch.fields)
        for r, was, now in zip((int(x) for x in t.df.index), old.to_numpy(), new.to_numpy(), strict=True):
            if now and (not was or requirement_changed):
                imp.affected.append(t.affected(r, "现在适用" if not was else "要求已变", t.missing(ch.new, r)))
            elif was and not now:
                imp.affected.append(t.affected(r, "不再适用", ""))
        out.append(imp)
    return out


# ---------------------------------------------------------------- results
@dataclass
class RulesDiff:
    base: Snapshot | None
    current: Snapshot
    changes: list[Change]
    impacts: list[Impact]
    note: str = ""


def compare(ctx: Context, base: Snapshot | None, base_rows: list[dict[str, str]] | None, current: Snapshot,
            current_rows: list[dict[str, str]]) -> RulesDiff:
    if base is None or base_rows is None:
        return RulesDiff(None, current, [], [], note="这是第一份规则快照，没有更早的版本可比；规则变化后再运行即可看到差异。")
    changes = diff(base_rows, current_rows) if base.hash8 != current.hash8 else []
    return RulesDiff(base, current, changes, impacts(ctx, changes))


def _change_message(imp: Impact, a: Affected) -> str:
    ch = imp.change
    rule = ch.new or ch.old
    what = rule.target_name if rule else ""
    if a.effect == "不再适用":
        return f"平台规则 {ch.rule_id} 已{ch.label}，本备案不再需要“{what}”，请确认后更新材料清单。"
    lead = "现在适用于本备案" if a.effect == "现在适用" else "对本备案的要求已变"
    return f"平台规则 {ch.rule_id} 已{ch.label}，{lead}（要求“{what}”），现{a.missing}，请补齐后再提交或复核。"


def needs_word(a: Affected) -> bool:
    """A change is worth a warning on a filing when it leaves it short of a requirement, or takes
    away one it relied on; one it already meets needs no action."""
    return a.effect == "不再适用" or bool(a.missing)


def change_findings(ctx: Context, result: RulesDiff) -> list[Finding]:
    """One `rule-changed` warning per change per open filing it leaves short or relieves."""
    return [make("rule-changed", _change_message(imp, a), sheet=ctx.tracker.sheet, row=a.row,
                 filing_id=a.filing_id, activity=a.activity, rule=imp.change.rule_id)
            for imp in result.impacts for a in imp.affected if needs_word(a)]
