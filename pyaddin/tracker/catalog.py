"""The vocabularies a tracker is read against: fields, platforms, statuses, industries, forms, materials.

Each comes from the workbook's own sheet when the team keeps one (平台, 材料, 字段映射), else from
the packaged CSV defaults. Lookups go through `textnorm.fold`, so 微信公众号, `WeChat ` and 微信
all reach the same platform.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field

from ..run.findings import Finding, make
from .book import Book
from .tables import (
    Table,
    TableRow,
    default_table,
    read_sheet_table,
    setting_bounds,
    sheet_or_default,
    split_list,
)
from .textnorm import fold, header_key
from .values import Unreadable, parse_amount

PLATFORM_SHEET = "平台"
MATERIAL_SHEET = "材料"
MAPPING_SHEET = "字段映射"
INDUSTRY_LICENSE_SHEET = "行业资质"
INDUSTRY_SHEET = "行业"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    header: str
    kind: str
    required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Platform:
    name: str
    aliases: tuple[str, ...]
    review_days: int
    lead_days: int
    pattern: re.Pattern | None
    pattern_text: str
    entry: str = ""
    verified: bool = False
    prize_cap: float | None = None
    """单奖上限(元): the platform's own cap on one prize, when the team has filled it in."""


@dataclass(frozen=True)
class Material:
    key: str
    name: str
    keywords: tuple[str, ...]
    formats: tuple[str, ...]
    description: str = ""
    reuse: str = ""
    """复用: 可复用 (any filing), 同主体 (only from a filing of the same company: licences, 资质, papers
    naming the company) or 每次新建 (per-filing documents, generated anew); see `archive.reuse`."""


class Vocabulary:
    """Canonical names with their aliases, looked up by folded text."""

    def __init__(self, entries: dict[str, list[str]]):
        self.names = list(entries)
        self._lookup: dict[str, str] = {}
        for name, aliases in entries.items():
            for a in [name, *aliases]:
                self._lookup.setdefault(fold(a), name)

    def get(self, text: str) -> str | None:
        return self._lookup.get(fold(text))

    def __contains__(self, text: str) -> bool:
        return self.get(text) is not None


@dataclass
class Catalog:
    fields: list[FieldSpec]
    platforms: dict[str, Platform]
    platform_names: Vocabulary
    statuses: Vocabulary
    status_stage: dict[str, str]
    industries: Vocabulary
    forms: Vocabulary
    materials: list[Material]
    material_names: Vocabulary
    industry_licenses: dict[str, list[str]]
    license_severity: dict[tuple[str, str], str] = field(default_factory=dict)
    """(行业, 资质类型) → severity of license-missing for that requirement (default error)."""
    minors_banned: frozenset[str] = frozenset()
    """Industries whose ads may not target minors (《广告法》第40条), from industries.csv."""
    chance_forms: frozenset[str] = frozenset()
    """Forms whose prize is decided by chance (创意形式 table 抽奖性质 = 是: 抽奖, 福袋, 随机红包 …):
    a 抽奖式有奖销售, so the lottery cap and the lottery wording of the letters apply (docs/rules.md)."""
    """Industries whose ads may not target minors (《广告法》第40条), from the 行业 table (禁向未成年人 = 是)."""
    minors_warned: frozenset[str] = frozenset()
    """Industries a person must judge for minors (禁向未成年人 = 警告: 游戏, only games harmful to minors are banned)."""
    internet_banned: frozenset[str] = frozenset()
    """Industries whose ads may not be published on the internet at all (禁止互联网广告 = 是: 处方药, 烟草, 电子烟)."""
    industry_basis: dict[str, str] = field(default_factory=dict)
    """行业 → its 依据 cell, quoted by the findings the 行业 table drives."""
    header_overrides: dict[str, str] = field(default_factory=dict)
    """Folded header text → field key or material name, from the 字段映射 sheet."""
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def field_by_key(self) -> dict[str, FieldSpec]:
        return {f.key: f for f in self.fields}

    def field_for_name(self, text: str) -> FieldSpec | None:
        """A field named by its canonical header, an alias, or its key (used by rules)."""
        cached = self.__dict__.get("_names")
        if cached is None or len(cached[0]) != len(self.fields) or not all(map(operator.is_, cached[0], self.fields)):
            # every name of every field, the first field winning as in a scan; rebuilt when `fields` changes
            names: dict[str, FieldSpec] = {}
            for f in self.fields:
                for name in (header_key(f.header), fold(f.key), *(header_key(a) for a in f.aliases)):
                    names.setdefault(name, f)
            cached = self.__dict__["_names"] = (tuple(self.fields), names)
        return cached[1].get(header_key(text))


def _days(table: Table, row: TableRow, column: str, name: str, default: int, bounds: tuple[float, float],
          findings: list[Finding]) -> int:
    """A whole number of working days within `bounds` (those of the matching 设置 default), else the
    default with a finding: −1 or 1e9 would stop every deadline computed from it."""
    text = row.text(column)
    if not text:
        return default
    low, high = bounds
    try:
        number = parse_amount(text)
    except Unreadable:
        number = None
    if number is None or number != int(number) or not low <= number <= high:
        findings.append(_bad_table_row(
            table, row, column, f"平台“{name}”的{column}“{text}”不是 {int(low)}–{int(high)} 之间的整数，"
                                f"已使用默认值 {default}，请改正。"))
        return default
    return int(number)


def _bool_text(text: str) -> bool:
    return fold(text) in {"是", "y", "yes", "true", "1", "✓", "√"}


def _table(book: Book | None, sheet_name: str, csv_name: str, min_match: int) -> Table:
    return sheet_or_default(book, sheet_name, csv_name, min_match=min_match, keep_empty=False)


def _bad_table_row(table: Table, row: TableRow, column: str, message: str) -> Finding:
    return make("bad-rule", message, sheet=table.name, row=row.row if table.source == "workbook" else None,
                column=row.columns.get(column) if table.source == "workbook" else None, field=column)


def load_catalog(book: Book | None, *, default_review_days: int = 5, default_lead_days: int = 2) -> Catalog:
    findings: list[Finding] = []
    fields = [
        FieldSpec(r.text("key"), r.text("字段"), r.text("类型"), r.text("必填") == "是", tuple(split_list(r.text("别名"))))
        for r in default_table("fields.csv", "fields").rows
    ]

    platforms_table = _table(book, PLATFORM_SHEET, "platforms.csv", min_match=2)
    bounds = setting_bounds()
    platforms: dict[str, Platform] = {}
    for r in platforms_table.rows:
        name = r.text("平台")
        if not name:
            continue
        pattern_text = r.text("备案号格式")
        pattern = None
        if pattern_text:
            try:
                pattern = re.compile(pattern_text)
            except re.error:
                findings.append(_bad_table_row(platforms_table, r, "备案号格式",
                                               f"平台“{name}”的备案号格式“{pattern_text}”不是有效的正则表达式，请修正或留空。"))
        cap_text = r.text("单奖上限(元)")
        cap = None
        if cap_text:
            try:
                cap = parse_amount(cap_text)
            except Unreadable:
                findings.append(_bad_table_row(platforms_table, r, "单奖上限(元)",
                                               f"平台“{name}”的单奖上限“{cap_text}”不是金额，已忽略，请填写数字或留空。"))
        platforms[name] = Platform(
            name=name,
            aliases=tuple(split_list(r.text("别名"))),
            review_days=_days(platforms_table, r, "审核周期(工作日)", name, default_review_days,
                              bounds["default_review_days"], findings),
            lead_days=_days(platforms_table, r, "提前量(工作日)", name, default_lead_days,
                            bounds["default_lead_days"], findings),
            pattern=pattern,
            pattern_text=pattern_text,
            entry=r.text("备案入口"),
            verified=_bool_text(r.text("已核实")),
            prize_cap=cap,
        )

    statuses_table = default_table("statuses.csv", "状态")
    statuses = {r.text("状态"): split_list(r.text("别名")) for r in statuses_table.rows}
    stage = {r.text("状态"): r.text("阶段") for r in statuses_table.rows}
    industries_table = _table(book, INDUSTRY_SHEET, "industries.csv", min_match=2)
    industries = {r.text("行业"): split_list(r.text("别名")) for r in industries_table.rows if r.text("行业")}
    flags = _industry_flags(industries_table, findings)
    forms_table = default_table("forms.csv", "创意形式")
    forms = {r.text("创意形式"): split_list(r.text("别名")) for r in forms_table.rows}
    chance_forms = frozenset(r.text("创意形式") for r in forms_table.rows if _bool_text(r.text("抽奖性质")))

    materials_table = _table(book, MATERIAL_SHEET, "materials.csv", min_match=2)
    # a team's 材料 sheet kept from before the 复用 column still gets the packaged policy by name
    default_reuse = {r.text("材料名称"): r.text("复用") for r in default_table("materials.csv", MATERIAL_SHEET).rows}
    materials = []
    for r in materials_table.rows:
        name = r.text("材料名称")
        if not name:
            continue
        materials.append(Material(
            key=r.text("材料键") or name,
            name=name,
            keywords=tuple(split_list(r.text("文件名关键词"))) or (name,),
            formats=tuple(f.lower().lstrip(".") for f in split_list(r.text("格式"))),
            description=r.text("说明"),
            reuse=r.text("复用") or default_reuse.get(name, ""),
        ))

    lic_table = _table(book, INDUSTRY_LICENSE_SHEET, "industry_licenses.csv", min_match=2)
    industry_licenses: dict[str, list[str]] = {}
    license_severity: dict[tuple[str, str], str] = {}
    for r in lic_table.rows:
        ind, lic = r.text("行业"), r.text("资质类型")
        if ind and lic:
            industry_licenses.setdefault(ind, []).append(lic)
            level = {"warning": "warning", "警告": "warning", "info": "info", "提示": "info"}.get(
                r.text("级别").strip().lower())
            if level:
                license_severity[(ind, lic)] = level

    catalog = Catalog(
        fields=fields,
        platforms=platforms,
        platform_names=Vocabulary({p.name: list(p.aliases) for p in platforms.values()}),
        statuses=Vocabulary(statuses),
        status_stage=stage,
        industries=Vocabulary(industries),
        forms=Vocabulary(forms),
        materials=materials,
        material_names=Vocabulary({m.name: [m.key] for m in materials}),
        industry_licenses=industry_licenses,
        license_severity=license_severity,
        chance_forms=chance_forms,
        minors_banned=frozenset(n for n, (minors, _) in flags.items() if minors == "是"),
        minors_warned=frozenset(n for n, (minors, _) in flags.items() if minors == "警告"),
        internet_banned=frozenset(n for n, (_, internet) in flags.items() if internet),
        industry_basis={r.text("行业"): r.text("依据") for r in industries_table.rows if r.text("行业")},
        findings=findings,
        sources={"平台": platforms_table.source, "材料": materials_table.source, "行业资质": lic_table.source,
                 "行业": industries_table.source},
    )
    catalog.header_overrides = _header_overrides(book, catalog)
    return catalog


MINORS_WORDS = {"是": "是", "y": "是", "yes": "是", "1": "是", "✓": "是", "√": "是", "禁止": "是", "否": "否", "": "否",
                "n": "否", "no": "否", "0": "否", "警告": "警告", "warning": "警告", "提醒": "警告"}


def _industry_flags(table: Table, findings: list[Finding]) -> dict[str, tuple[str, bool]]:
    """行业 → (禁向未成年人 是/否/警告, 禁止互联网广告). An unreadable cell is a `bad-rule` finding on it and
    counts as 否, so a typo in one row never stops the run."""
    out = {}
    for r in table.rows:
        name = r.text("行业")
        if not name:
            continue
        minors = MINORS_WORDS.get(fold(r.text("禁向未成年人")))
        if minors is None:
            findings.append(_bad_table_row(table, r, "禁向未成年人",
                                           f"行业“{name}”的禁向未成年人“{r.text('禁向未成年人')}”应为 是、否 或 警告，已按否处理。"))
            minors = "否"
        internet = MINORS_WORDS.get(fold(r.text("禁止互联网广告")))
        if internet not in ("是", "否"):
            findings.append(_bad_table_row(table, r, "禁止互联网广告",
                                           f"行业“{name}”的禁止互联网广告“{r.text('禁止互联网广告')}”应为 是 或 否，已按否处理。"))
            internet = "否"
        out[name] = (minors, internet == "是")
    return out


def _header_overrides(book: Book | None, catalog: Catalog) -> dict[str, str]:
    """The 字段映射 sheet: 表头 → 字段 (a canonical header, alias, key, or material name)."""
    sheet = book.get(MAPPING_SHEET) if book else None
    if sheet is None:
        return {}
    table = read_sheet_table(sheet, ["表头", "字段"], min_match=2)
    if table is None:
        return {}
    out = {}
    for r in table.rows:
        header, target = r.text("表头"), r.text("字段")
        if not header or not target:
            continue
        spec = catalog.field_for_name(target)
        material = catalog.material_names.get(target)
        if spec is not None:
            out[header_key(header)] = spec.key
        elif material is not None:
            out[header_key(header)] = "material:" + material
        else:
            catalog.findings.append(make(
                "bad-rule", f"字段映射把“{header}”映射到未知字段“{target}”，请改成台账字段名（如 平台、状态）或材料名。",
                sheet=MAPPING_SHEET, row=r.row, column=r.columns.get("字段"), field="字段", value=target))
    return out
