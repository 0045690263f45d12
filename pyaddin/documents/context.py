"""The template context of one tracker row: everything a 安全承诺书 or 营销活动方案 says, as plain
str/float/bool/list/dict (dates as ISO text, None where the tracker is empty). `template_values`
is pure and JSON-able, so the same context can be saved, diffed or fed to `python -m docxtpl`."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping

from .cells import amount, clause, clean, iso, text_of, yes_no


def template_values(row: Mapping, ctx, *, required: Iterable[str] | None = None) -> dict:
    """The template context of one tracker row: plain str/float/bool/list/dict (dates as ISO text),
    None where the tracker is empty. `ctx` supplies the catalogue, rules, settings and today;
    `required` the materials the rules require for this row (computed here when not given)."""
    get = row.get
    forms = [str(f) for f in (clean(get("forms")) or []) if str(f).strip()]
    platform = text_of(get("platform"))
    top_prize = amount(get("top_prize"))
    # chance decides a draw (docs/rules.md): a coupon or fixed 红包 with a prize is not a lottery
    draw = any(f in ctx.catalog.chance_forms for f in forms)
    sensitive = yes_no(get("sensitive_pi"))
    entry = None
    if platform and platform in ctx.catalog.platforms:
        entry = ctx.catalog.platforms[platform].entry or None
    if required is None:
        number = _row_number(row)
        required = required_materials(ctx, [number]).get(number, []) if number is not None else []

    start, end = iso(get("start_date")), iso(get("end_date"))
    submitted = iso(get("submitted_date"))
    return {
        "备案编号": text_of(get("filing_id")),
        "活动名称": text_of(get("activity")),
        "平台": platform,
        "备案入口": entry,
        "创意形式": "、".join(forms) or None,
        "创意形式列表": forms,
        "含H5": "H5" in forms,
        "含直播": "直播" in forms,
        "含抽奖": draw,
        "含奖品": bool(top_prize) and not draw,
        "行业": text_of(get("industry")),
        "主体名称": text_of(get("company")),
        "统一社会信用代码": text_of(get("credit_code")),
        "负责人": text_of(get("owner")),
        "联系人": text_of(get("contact_name")),
        "联系电话": text_of(get("contact_phone")),
        "联系邮箱": text_of(get("contact_email")),
        "活动开始日期": start,
        "活动结束日期": end,
        "计划上线日期": iso(get("launch_date")),
        "提交日期": submitted,
        "预算": amount(get("budget")),
        "显示预算": bool(getattr(ctx.settings, "letter_show_budget", False)),
        "最高奖金额": top_prize,
        "抽奖金额上限": float(getattr(ctx.settings, "prize_limit", 50000.0)),
        "收集个人信息": yes_no(get("collects_pi")),
        "敏感个人信息": sensitive,
        "敏感个人信息说明": None if sensitive is None else (
            "涉及敏感个人信息，已单独告知处理目的并取得用户单独同意" if sensitive == "是" else "不收集敏感个人信息"),
        "隐私政策链接": text_of(get("privacy_url")),
        "用户授权机制": clause(get("consent")),
        "备案号": text_of(get("approval_no")),
        "备注": clause(get("notes")),
        "落款日期": submitted or ctx.today.isoformat(),
        "材料清单": _materials(row, ctx, required),
        "时间安排": _timeline(row),
    }


def _row_number(row: Mapping) -> int | None:
    """The Excel row of a tracker row (a Series from `tracker.df`, named by its index), else None."""
    name = getattr(row, "name", None)
    try:
        return None if isinstance(name, bool) else operator.index(name)
    except TypeError:
        return None


def required_materials(ctx, rows: Iterable[int] | None = None) -> dict[int, list[str]]:
    """Excel row → the materials the 平台规则 table requires for it (catalogue order), computed over
    all chosen rows at once with the same masks `validate` uses."""
    from ..compliance.ruleset import applies, row_dates

    df = ctx.tracker.df
    if rows is not None:
        df = df.loc[[r for r in rows if r in df.index]]
    found: dict[int, set[str]] = {int(r): set() for r in df.index}
    material_rules = [r for r in ctx.rules.rules if r.is_material]
    if df.empty or not material_rules:
        return {r: [] for r in found}
    dates = row_dates(df, ctx.today)
    exploded = df["forms"].explode()
    for rule in material_rules:
        for r in df.index[applies(rule, df, dates, exploded)]:
            found[int(r)].add(rule.target_name)
    order = {m.name: i for i, m in enumerate(ctx.catalog.materials)}
    return {r: sorted(names, key=lambda n: (order.get(n, len(order)), n)) for r, names in found.items()}


MATERIAL_READY, MATERIAL_MISSING, MATERIAL_NOT_APPLICABLE = "已备", "未备", "不适用"


def _materials(row: Mapping, ctx, required: Iterable[str]) -> list[dict]:
    """What the rules require for this row plus what the row ticks, each 已备 / 未备 / 不适用: a
    platform reads this table as the list of what is attached, so nothing no rule asks for and the
    row does not have is listed. A row without a draw form is no lottery (docs/rules.md): the rules
    still ask it for the prize rules (LOT-01 covers every 有奖销售), which the letter then calls
    有奖活动规则 instead of 抽奖规则, so a signed document never claims a draw that is not there."""
    described = {m.name: m.description for m in ctx.catalog.materials}
    required = list(required)
    ticked = [n for n in ctx.tracker.materials() if clean(row.get(f"material:{n}")) is True and n not in required]
    forms = clean(row.get("forms")) or []
    draw = any(f in ctx.catalog.chance_forms for f in forms)

    def worded(text: str) -> str:
        return text if draw else text.replace(LOTTERY_WORD, NO_DRAW_WORD)

    out = []
    for name in [*required, *ticked]:
        out.append({"名称": worded(name), "说明": worded(described.get(name) or "—"),
                    "状态": _material_status(row, ctx, name)})
    return out


LOTTERY_WORD, NO_DRAW_WORD = "抽奖", "有奖活动"


def _material_status(row: Mapping, ctx, name: str) -> str:
    from ..tracker.values import is_blank, parse_bool

    column = f"material:{name}"
    value = clean(row.get(column))
    if value is True:
        return MATERIAL_READY
    filing_id = text_of(row.get("filing_id"))
    archived = ctx.archive_materials or {}
    if filing_id and name in archived.get(filing_id, set()):
        return MATERIAL_READY
    number = _row_number(row)
    raw = ctx.tracker.raw
    if value is None and number is not None and column in raw.columns and number in raw.index:
        cell = raw.at[number, column]
        try:
            if not is_blank(cell) and parse_bool(cell) is None:
                return MATERIAL_NOT_APPLICABLE  # the tracker says 不适用 / 无需 / —
        except ValueError:
            pass
    return MATERIAL_MISSING


def _timeline(row: Mapping) -> list[dict]:
    """The campaign's own milestones with a known date, in date order. Internal steps (archiving)
    are not the platform's business and stay out."""
    nodes = []

    def add(stage: str, when: object, note: str) -> None:
        day = iso(when)
        if day is not None:
            nodes.append({"阶段": stage, "日期": day, "说明": note})

    collects = clean(row.get("collects_pi")) is True
    add("提交备案", row.get("submitted_date"), "向平台提交备案材料")
    add("计划上线", row.get("launch_date"), "备案通过后上线")
    add("活动开始", row.get("start_date"), "活动正式开始")
    add("活动结束", row.get("end_date"), "活动结束，停止收集个人信息" if collects else "活动结束")
    nodes.sort(key=lambda n: n["日期"])
    return nodes
