"""`beian validate`: every tracker row against the built-in checks and the 平台规则 table.

Checks run column-wise over the normalised DataFrame and collect every finding before anything
is reported (lazy, like pandera); structural findings (missing columns, bad rules, settings) come
first, then data findings in sheet order.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..run.context import Context
from ..run.findings import Report, sort_findings
from ..run.row_findings import RowFindings, each_distinct
from ..tracker import credit_code
from ..tracker.filings import open_filings
from ..tracker.reading import error_cells
from ..tracker.textnorm import approval_key, filing_key
from ..tracker.values import as_text, is_blank
from .ruleset import row_dates

PHONE_PATTERNS = [
    re.compile(r"^(?:\+?86)?1[3-9]\d{9}$"),
    re.compile(r"^0\d{2,3}\d{7,8}(?:(?:转|ext|#)\d{1,6})?$"),
    re.compile(r"^[48]00\d{7}$"),
]
EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
TRAILING_NOTES = frozenset({"rule-unverified"})
URL = re.compile(r"^https?://[^\s/?#.][^\s/?#]*\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)


def validate(ctx: Context) -> Report:
    f = RowFindings(ctx.tracker, ctx.catalog)
    df = ctx.tracker.df
    _required(ctx, f)
    keys = _duplicate_ids(df, f)
    _date_order(df, f)
    _credit_codes(df, f)
    _contacts(df, f)
    _prize(ctx, df, f)
    _personal_info(ctx, df, f)
    _prohibited(ctx, df, f)
    _status(ctx, df, f)
    _approval_numbers(ctx, df, f)
    _company(ctx, df, f)
    _table_rules(ctx, df, f)
    _links(df, f, keys)
    _rejection_patterns(ctx, df, f)
    # notes about unverified rules come last: they qualify the rules, not the rows, and would
    # otherwise push every real problem off the first screen
    notes = [x for x in ctx.setup_findings if x.code in TRAILING_NOTES]
    structural = [*[x for x in ctx.setup_findings if x.code not in TRAILING_NOTES],
                  *[x for x in ctx.tracker.findings if x.row == ctx.tracker.header_row and x.code == "missing-column"]]
    data = [x for x in ctx.tracker.findings if x not in structural]
    data += f.out
    f.out = []  # one list of the run's findings at a time: ~2 MB each at 280k findings
    return Report("validate", str(ctx.path or ""), ctx.today, ctx.tracker.rows,
                  structural + sort_findings(data) + notes)


def _required(ctx: Context, f: RowFindings) -> None:
    df = ctx.tracker.df
    required = [s for s in ctx.catalog.fields if s.required and s.key in ctx.tracker.columns]
    errors = error_cells(ctx.tracker, [s.key for s in required])
    for spec in required:
        for row in df.index[df[spec.key].isna()]:
            err = errors.get((int(row), spec.key))
            if err is not None:
                msg = f"必填项“{f.header(spec.key)}”是错误值 {err}，请改正公式或直接填写。"
            elif spec.key in ("platform", "status") and not is_blank(f.column("raw:" + spec.key).get(row)):
                continue  # unknown-platform, multi-platform or unknown-status already says what is wrong
            else:
                msg = f"必填项“{f.header(spec.key)}”为空，请填写。"
            f.add("missing-value", row, spec.key, msg, value=err)


def _duplicate_ids(df: pd.DataFrame, f: RowFindings) -> pd.Series:
    """duplicate-id; returns each row's `filing_key`, which the link check needs too."""
    ids = each_distinct(df["filing_id"], filing_key)
    present = ids[ids.notna()]
    dup = present[present.duplicated(keep=False)]
    first: dict[str, int] = {}
    for row, key in dup.items():
        if key not in first:
            first[key] = int(row)
            continue
        f.add("duplicate-id", row, "filing_id",
              f"备案编号“{df.at[row, 'filing_id']}”与第{first[key]}行重复，请为每个活动×平台使用唯一编号。")
    return ids


def _date_order(df: pd.DataFrame, f: RowFindings) -> None:
    pairs = [("start_date", "end_date", "开始", "结束"), ("submitted_date", "approved_date", "提交", "通过")]
    for early, late, a, b in pairs:
        both = df[early].notna() & df[late].notna()
        if not both.any():
            continue
        hit = both.to_numpy(dtype=bool)
        for row, x, y in zip(df.index[hit], df[early].to_numpy(dtype=object)[hit],
                             df[late].to_numpy(dtype=object)[hit], strict=True):
            if x > y:
                f.add("date-order", row, late,
                      f"{a}日期 {x:%Y-%m-%d} 晚于{b}日期 {y:%Y-%m-%d}，"
                      f"请核对“{f.header(early)}”和“{f.header(late)}”。")


def _credit_codes(df: pd.DataFrame, f: RowFindings) -> None:
    codes = df["credit_code"]
    for value in pd.unique(codes[codes.notna()].to_numpy(dtype=object)):
        problem = credit_code.problem(value)
        if problem is None:
            continue
        severity, message = problem
        for row in df.index[codes == value]:
            f.add("invalid-credit-code", row, "credit_code", message, severity=severity)


_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_ANY_PHONE = re.compile("|".join(f"(?:{p.pattern})" for p in PHONE_PATTERNS))
"""Any of PHONE_PATTERNS, as one regex: one match call per value instead of up to three."""


def _bad_values(series: pd.Series, ok) -> pd.Series:
    """The filled cells of `series` for which `ok(value)` is false, testing each distinct value once."""
    filled = series[series.notna()]
    if filled.empty:
        return filled
    distinct = pd.unique(filled.to_numpy(dtype=object))
    bad = [v for v in distinct if not ok(v)]
    return filled[filled.isin(bad)] if bad else filled.iloc[0:0]


def _contacts(df: pd.DataFrame, f: RowFindings) -> None:
    def phone_ok(value: str) -> bool:
        return _ANY_PHONE.match(_PHONE_NOISE.sub("", value)) is not None

    for row, value in _bad_values(df["contact_phone"], phone_ok).items():
        f.add("invalid-phone", row, "contact_phone",
              f"联系电话“{value}”不是有效的手机号或座机号，请填写 11 位手机号或带区号的座机号。")
    for row, value in _bad_values(df["contact_email"], lambda v: EMAIL.match(v.strip())).items():
        f.add("invalid-email", row, "contact_email", f"联系邮箱“{value}”格式不正确，请填写如 name@example.com 的邮箱。")
    for row, value in _bad_values(df["privacy_url"], lambda v: URL.match(v.strip())).items():
        f.add("invalid-url", row, "privacy_url",
              f"隐私政策链接“{value}”不是 http(s) 网址，请填写以 https:// 开头的完整链接。")


def _prize(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    """The lottery cap (docs/rules.md, 抽奖即随机) is about chance: it applies to every row with a draw
    form (创意形式 table 抽奖性质 = 是: 抽奖, 福袋, 刮刮卡, 随机红包 …), at the lower of 设置
    抽奖最高金额 and the platform's 单奖上限(元) when the team has filled one in. A 最高奖金额 on a
    row with no draw form (a coupon, a fixed 红包) is not capped but said once (`prize-without-draw`,
    info): the letters then speak of the highest value of a 奖品/权益, never of a lottery, and the
    team sees that reading in case the prize is in fact drawn. Only on open filings: on a year of
    history the same note on every past coupon buries the rows that need work, and no letter is
    written for a closed filing."""
    limit = ctx.settings.prize_limit
    live = dict(zip(df.index, open_filings(df, ctx.today), strict=True)) if len(df) else {}
    platforms = ctx.catalog.platforms
    chance = ctx.catalog.chance_forms
    has_prize = pd.to_numeric(df["top_prize"], errors="coerce").fillna(0).gt(0)
    for row, value, platform, forms, draw in zip(df.index[has_prize], df["top_prize"][has_prize],
                                                 df["platform"][has_prize], df["forms"][has_prize],
                                                 df["draw"][has_prize], strict=True):
        named = [x for x in forms if x] if isinstance(forms, list) else []
        if not draw:
            if not live[row]:
                continue
            shown = f"创意形式为“{'、'.join(named)}”" if named else "未填创意形式"
            f.add("prize-without-draw", row, "top_prize",
                  f"填写了最高奖金额 ¥{value:,.2f}，但{shown}，不属于抽奖（随机决定中奖），按奖品/权益的最高价值"
                  f"处理、不适用抽奖上限；如奖品由抽奖、福袋、随机红包等随机方式决定，请在创意形式中写明。")
            continue
        cap = platforms[platform].prize_cap if platform in platforms else None
        if cap is not None and cap < limit:
            bound, source = cap, f"{platform}的单奖上限（“平台”表“单奖上限(元)”）"
        else:
            bound, source = limit, "抽奖上限（设置“抽奖最高金额(元)”，《反不正当竞争法》）"
        if value > bound:
            kind = "、".join(x for x in named if x in chance)
            f.add("prize-over-limit", row, "top_prize",
                  f"抽奖式有奖销售（{kind}）最高奖金额 ¥{value:,.2f} 超过{source} ¥{bound:,.0f}，"
                  f"请把单个奖品价值降到上限以内。")


def _personal_info(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    """敏感个人信息 implies 收集个人信息 (PIPL 第28条); 《广告法》第40条 industries not aimed at minors."""
    sensitive = df["sensitive_pi"].eq(True).fillna(False).astype(bool)
    collects = df["collects_pi"].eq(True).fillna(False).astype(bool)
    for row in df.index[sensitive & ~collects]:
        f.add("pi-inconsistent", row, "sensitive_pi",
              f"“{f.header('sensitive_pi')}”为“是”但“{f.header('collects_pi')}”不为“是”：敏感个人信息也是个人信息，"
              f"请把“{f.header('collects_pi')}”改为“是”（并按规则补齐隐私政策和授权机制），或更正敏感个人信息。")
    catalog = ctx.catalog
    aimed = df["minors"].eq(True).fillna(False).astype(bool)
    banned = aimed & df["industry"].isin(catalog.minors_banned)
    for row, industry in zip(df.index[banned], df.loc[banned, "industry"], strict=True):
        basis = catalog.industry_basis.get(industry) or "《广告法》第40条"
        f.add("prohibited-for-minors", row, "minors",
              f"行业“{industry}”的广告不得在针对未成年人的媒介上发布（{basis}），"
              f"请取消面向未成年人的投放，或更正“{f.header('minors')}”。")
    warned = aimed & df["industry"].isin(catalog.minors_warned)
    for row, industry in zip(df.index[warned], df.loc[warned, "industry"], strict=True):
        basis = catalog.industry_basis.get(industry) or "《广告法》第40条"
        f.add("prohibited-for-minors", row, "minors",
              f"不利于未成年人身心健康的{industry}广告不得在针对未成年人的媒介上发布（{basis}），"
              f"请确认所推广的内容适合未成年人，否则取消面向未成年人的投放。", severity="warning")


def _prohibited(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    """Ads no filing can make lawful on the internet (docs/rules.md): the 行业 table's 禁止互联网广告
    industries (处方药, 烟草, 电子烟) and a row marked 处方药 = 是. Every platform here is on the
    internet, so the row cannot be filed: an error, and documents refuse it."""
    catalog = ctx.catalog
    internet = df["industry"].isin(catalog.internet_banned)
    for row, industry in zip(df.index[internet], df.loc[internet, "industry"], strict=True):
        f.add("prohibited-ad", row, "industry",
              f"行业“{industry}”的广告禁止在互联网发布（{catalog.industry_basis.get(industry) or '《互联网广告管理办法》(2023)'}），"
              f"该备案无法通过，请取消该活动或更正“{f.header('industry')}”。")
    marked = df["prescription"].eq(True).fillna(False).astype(bool) & ~internet
    for row in df.index[marked]:
        f.add("prohibited-ad", row, "prescription",
              f"处方药广告禁止在互联网发布（《广告法》第15条；《互联网广告管理办法》(2023)），该备案无法通过，"
              f"请取消该活动，或在确认不是处方药后更正“{f.header('prescription')}”。")


def _status(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    needs = {
        "已通过": [("approval_no", "备案号"), ("approved_date", "通过日期")],
        "已提交": [("submitted_date", "提交日期")],
        "审核中": [("submitted_date", "提交日期")],
        "需补充": [("feedback", "审核意见")],
        "已驳回": [("feedback", "审核意见")],
    }
    status = df["status"]
    for state, required in needs.items():
        in_state = (status == state).to_numpy(dtype=bool)
        index = df.index[in_state]
        for key, label in required:
            for row in index[pd.isna(df[key].to_numpy(dtype=object)[in_state])]:
                present = key in ctx.tracker.columns
                f.add("status-inconsistent", row, key if present else "status",
                      f"状态为“{state}”但{label}为空，请填写{label}或更正状态。")


def _approval_numbers(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    """备案号 against the 平台 table's 备案号格式 when the team filled one in, else against the format
    learned from this tracker's approved numbers of the platform (`approval_formats`)."""
    from .approval_formats import learn, shape, words

    numbers = df["approval_no"]
    filled = numbers.notna().to_numpy(dtype=bool)
    triples = list(zip(df.index[filled], numbers.to_numpy(dtype=object)[filled],
                       df["platform"].to_numpy(dtype=object)[filled], strict=True))
    approved = set(df.index[(df["status"] == "已通过").to_numpy(dtype=bool)])
    by_platform: dict[str, list[str]] = {}
    for row, raw_number, platform_name in triples:
        if row in approved and isinstance(platform_name, str):
            by_platform.setdefault(platform_name, []).append(as_text(raw_number))
    learned: dict[str, object] = {}
    for row, raw_number, platform_name in triples:
        platform = ctx.catalog.platforms.get(platform_name)
        if platform is None:
            continue
        number = as_text(raw_number).strip()
        if platform.pattern is not None:
            if not platform.pattern.fullmatch(number):
                f.add("approval-no-format", row, "approval_no",
                      f"备案号“{number}”不符合“平台”表中{platform.name}的备案号格式 {platform.pattern_text}，"
                      f"请核对平台回执或在“平台”表中修改格式。")
            continue
        if platform.name not in learned:
            learned[platform.name] = learn(by_platform.get(platform.name, []))
        known = learned[platform.name]
        if known is not None and shape(number) != known.shape:
            f.add("approval-no-format", row, "approval_no",
                  f"备案号“{number}”（{words(shape(number))}）与本台账{platform.name}已通过的备案号格式不同"
                  f"（{known.agreeing} 个为 {known.words}），请核对平台回执。")
    first: dict[str, tuple[int, str]] = {}
    for row, raw_number, platform in triples:
        number = approval_key(raw_number)
        if number not in first:
            first[number] = (int(row), platform)
            continue
        first_row, first_platform = first[number]
        if platform != first_platform:
            f.add("approval-no-reused", row, "approval_no",
                  f"备案号“{raw_number}”已用于第{first_row}行的{first_platform}，"
                  f"同一备案号不能用于两个平台，请核对。")


def _company(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    lic = ctx.licenses.frame
    if not ctx.licenses.present or lic.empty:
        return
    from ..tracker.textnorm import fold

    names_by_code: dict[str, set[str]] = {}
    codes_by_name: dict[str, set[str]] = {}
    for code, name in zip(lic["credit_code"], lic["company_key"], strict=True):
        if code and name:
            names_by_code.setdefault(code, set()).add(name)
            codes_by_name.setdefault(name, set()).add(code)
    folded: dict[str, str] = {}
    for row, company, code in zip(df.index, df["company"], df["credit_code"], strict=True):
        if not company or not code:
            continue
        name = folded.get(company)
        if name is None:
            name = folded[company] = fold(company)
        if code in names_by_code and name not in names_by_code[code]:
            registered = ctx.licenses.frame.loc[ctx.licenses.frame["credit_code"] == code, "company"].iloc[0]
            f.add("company-mismatch", row, "company",
                  f"统一社会信用代码 {code} 在资质库中属于“{registered}”，与主体名称“{company}”不一致，请核对主体或代码。")
        elif code not in names_by_code and name in codes_by_name:
            f.add("company-mismatch", row, "credit_code",
                  f"主体“{company}”在资质库中的统一社会信用代码为 {'、'.join(sorted(codes_by_name[name]))}，"
                  f"与本行的 {code} 不一致，请核对。")


def _table_rules(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    if df.empty:
        return
    dates = row_dates(df, ctx.today)
    exploded = df["forms"].explode()
    archive = ctx.archive_materials
    empty_cells: dict[str, np.ndarray] = {}  # per target column, computed once for all its rules
    for rule in ctx.rules.rules:
        mask = ctx.rules.mask(rule, df, dates, exploded)
        if not mask.any():
            continue
        hit = mask.to_numpy(dtype=bool)
        index = df.index[hit]
        if rule.is_ban:
            message = (f"规则 {rule.id} 不允许这样的活动：{rule.description.rstrip('。')}。"
                       f"请修改玩法后更正“{f.header('forms')}”，或取消该活动。")
            for row in index:
                f.add("forbidden-form", row, "forms", message, severity=rule.severity, rule=rule.id)
        elif rule.is_material:
            col = rule.target
            if col in df.columns:
                ticked = df[col].to_numpy(dtype=object)[hit] == True  # noqa: E712 - elementwise, None is not ticked
                unmet = index[~ticked]
            else:
                unmet = index
            # one message per rule: it names the rule and the material, not the row
            where = "该行未勾选" if col in ctx.tracker.columns else f"台账没有“{rule.target_name}”列"
            archived = "且归档中未找到，" if archive is not None else "，"
            message = (f"规则 {rule.id} 要求材料“{rule.target_name}”，{where}{archived}"
                       f"请补齐后在“{rule.target_name}”列填“是”。（{rule.description}）")
            ids = f.column("filing_id")
            if archive is not None:
                filed = [ids.get(row) for row in unmet]
                unmet = [row for row, fid in zip(unmet, filed, strict=True)
                         if rule.target_name not in archive.get(as_text(fid) if fid else "", set())]
            if col not in ctx.tracker.columns and rule.severity != "error" and len(unmet) > 1:
                _absent_material(ctx, f, rule, unmet, ids)
                continue
            for row in unmet:
                f.add("missing-material", row, col, message, severity=rule.severity, rule=rule.id)
        else:
            if rule.target not in empty_cells:
                values = df[rule.target].to_numpy(dtype=object)
                empty_cells[rule.target] = pd.isna(values) | np.fromiter(
                    (v.__class__ is list and not v for v in values), dtype=bool, count=len(values))
            message = f"规则 {rule.id} 要求填写“{f.header(rule.target)}”，请补充。（{rule.description}）"
            for row in index[empty_cells[rule.target][hit]]:
                f.add("missing-field", row, rule.target, message, severity=rule.severity, rule=rule.id)


def _absent_material(ctx: Context, f: RowFindings, rule, unmet, ids) -> None:
    """One finding for a warning or info rule whose material column the tracker does not have.

    A team's tracker from before a rule existed (ICP-01, APP-01) has no column for its material;
    the same warning on every H5 row of a year's history hides the rows that need work. Errors stay
    per row: a letter must still be refused for each filing an error rule applies to."""
    named = [as_text(ids.get(row)) for row in unmet if ids.get(row)]
    shown = "、".join(named[:3]) + ("等" if len(named) > 3 else "")
    message = (f"规则 {rule.id} 要求材料“{rule.target_name}”，台账没有“{rule.target_name}”列，适用的 {len(unmet)} 个备案"
               f"{f'（{shown}）' if shown else ''}无法核对；请在表头添加“{rule.target_name}”列并逐行填写“是”或“否”。"
               f"（{rule.description}）")
    f.add("missing-material", ctx.tracker.header_row, rule.target, message, severity=rule.severity, rule=rule.id)


def _links(df: pd.DataFrame, f: RowFindings, keys: pd.Series) -> None:
    from ..tracker.chains import bad_links

    for bad in bad_links(df, keys):
        f.add("bad-link", bad.row, "original_id", bad.message)


def _rejection_patterns(ctx: Context, df: pd.DataFrame, f: RowFindings) -> None:
    from .rejections import PATTERN_WEEKS, load_classifier, pattern_hints

    classifier = load_classifier(ctx.book)
    f.out.extend(classifier.findings)
    for row, platform, category, count, advice in pattern_hints(df, classifier, ctx.today):
        f.add("rejection-pattern", row, "status",
              f"{platform}近{PATTERN_WEEKS}周最常见的驳回原因是“{category}”（{count}次），提交前请检查：{advice.rstrip('。')}。")
