"""安全承诺书 and 营销活动方案 per filing, from Word templates the team edits (the core: everything
up to what each document says; `adapters.docx_templates` reads and renders the .docx templates and
`actions.documents` writes the files).

A document goes to a platform with the company's seal on it, so three things matter more than
speed: a template can never run code or reach outside its data (sandboxed Jinja, StrictUndefined,
autoescaped so `A&B<C>` cannot break the XML); an empty value is never silently dropped from a
sentence (it prints as a visible blank line and yields a warning); and a row `check` reports an
error on (validate or deadlines: an expired license, an unapproved launch …) gets no letter unless
the user forces it. `template_values` is pure and JSON-able, so the same context can be saved, diffed
or fed to `python -m docxtpl`. The placeholder table `VARIABLES` is the one list the renderer
checks templates against and the README and `beian templates` print.
"""

from __future__ import annotations

import csv
import math
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path

from ..errors import TemplateProblem
from ..run.findings import Finding, codes, make
from ..tracker.filings import ended
from ..tracker.statuses import DRAFT, REJECTED, SUPPLEMENT, TO_SUBMIT
from ..tracker.textnorm import filing_key
from . import chinese_format

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
BLANK = "＿＿＿＿"
INDEX_NAME = "documents.xlsx"
NAME_LIMIT = 60
"""Characters per output-name stem: 60 CJK characters are 180 UTF-8 bytes, under the 255-byte limit
of ext4/APFS and far under Windows' 260-character path limit for ordinary folders."""


@dataclass(frozen=True)
class Kind:
    option: str
    """What `--kind` calls it."""
    title: str
    """The document's name, used in output file names and messages."""
    template: str


KINDS: dict[str, Kind] = {
    "承诺书": Kind("承诺书", "安全承诺书", "安全承诺书.docx"),
    "方案": Kind("方案", "营销活动方案", "营销活动方案.docx"),
}


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str
    key: str | None = None
    """The tracker field it comes from, so an empty-value warning can name the column to fill."""
    example: str = ""
    """What it prints for the sample row (with the filters applied, where it takes one)."""
    filters: tuple[str, ...] = ()


DATE = ("中文日期",)
MONEY = ("金额", "大写金额")
VARIABLES: tuple[Variable, ...] = (
    Variable("备案编号", "台账“备案编号”", "filing_id", "BA-2026-0001"),
    Variable("活动名称", "台账“活动名称”", "activity", "秋季新品上市"),
    Variable("平台", "投放平台（规范名称，如 微信、抖音）", "platform", "微信"),
    Variable("备案入口", "平台表中该平台的“备案入口”", None, "微信公众平台 / 小程序后台"),
    Variable("创意形式", "创意形式，用顿号连接（如 H5、抽奖）", "forms", "H5、抽奖"),
    Variable("创意形式列表", "创意形式的列表，可用 {% for 形式 in 创意形式列表 %} 循环", "forms", "[H5, 抽奖]"),
    Variable("含H5", "创意形式包含 H5 时为真，用于 {%p if 含H5 %}", None, "真"),
    Variable("含直播", "创意形式包含 直播 时为真", None, "假"),
    Variable("含抽奖", "创意形式含随机决定中奖的形式（创意形式表 抽奖性质 = 是：抽奖、福袋、刮刮卡、随机红包 …）时为真",
             None, "真"),
    Variable("含奖品", "填写了最高奖金额、但创意形式不含抽奖时为真：按奖品/权益的最高价值表述，不写抽奖", None, "假"),
    Variable("行业", "台账“行业”", "industry", "快消"),
    Variable("主体名称", "台账“主体名称”（申报主体）", "company", "上海星河数字科技有限公司"),
    Variable("统一社会信用代码", "台账“统一社会信用代码”", "credit_code", "91310110666007217T"),
    Variable("负责人", "台账“负责人”", "owner", "王敏"),
    Variable("联系人", "台账“联系人”", "contact_name", "李娜"),
    Variable("联系电话", "台账“联系电话”", "contact_phone", "13800138000"),
    Variable("联系邮箱", "台账“联系邮箱”", "contact_email", "li.na@example.com"),
    Variable("活动开始日期", "台账“活动开始日期”", "start_date", "2026年9月1日", DATE),
    Variable("活动结束日期", "台账“活动结束日期”", "end_date", "2026年9月30日", DATE),
    Variable("计划上线日期", "台账“计划上线日期”", "launch_date", "2026年9月1日", DATE),
    Variable("提交日期", "台账“提交日期”", "submitted_date", "2026年8月17日", DATE),
    Variable("预算", "台账“预算(元)”数值", "budget", "¥50,000.00 / 伍万元整", MONEY),
    Variable("显示预算", "设置“承诺书显示预算”为“是”时为真，用于 {% if 显示预算 %}", None, "假"),
    Variable("最高奖金额", "台账“最高奖金额(元)”数值", "top_prize", "¥5,000.00 / 伍仟元整", MONEY),
    Variable("抽奖金额上限", "设置“抽奖最高金额(元)”（默认 50000）", None, "¥50,000.00", MONEY),
    Variable("收集个人信息", "“是”或“否”（台账“收集个人信息”）", "collects_pi", "是"),
    Variable("敏感个人信息", "“是”或“否”（台账“敏感个人信息”）", "sensitive_pi", "否"),
    Variable("敏感个人信息说明", "按“敏感个人信息”生成的一句说明（不带句号）", "sensitive_pi", "不收集敏感个人信息"),
    Variable("隐私政策链接", "台账“隐私政策链接”", "privacy_url", "https://example.com/privacy"),
    Variable("用户授权机制", "台账“用户授权机制”（去掉末尾标点，可放在“授权方式为：”之后）", "consent",
             "页面勾选同意《隐私政策》后参与"),
    Variable("备案号", "台账“备案号”（已通过时）", "approval_no", "WX2026110001"),
    Variable("备注", "台账“备注”（去掉末尾标点）", "notes", "与线下门店同步开展"),
    Variable("落款日期", "文书日期：台账“提交日期”，未填则为今天（--today、设置“今天”或系统日期）", None,
             "2026年8月17日", DATE),
    Variable("材料清单", "备案材料表：平台规则对本行要求的材料加上本行勾选的材料，每项有 名称、说明、状态"
             "（已备/未备/不适用），用 {%tr for 材料 in 材料清单 %}", None, "营业执照 · 主体营业执照副本 · 已备"),
    Variable("时间安排", "时间节点表（提交备案、计划上线、活动开始、活动结束），每项有 阶段、日期、说明，"
             "用 {%tr for 节点 in 时间安排 %}", None, "活动开始 · 2026-09-01 · 活动正式开始"),
)
VARIABLE_NAMES = frozenset(v.name for v in VARIABLES)
ITEM_FIELDS = {"材料清单": ("名称", "说明", "状态"), "时间安排": ("阶段", "日期", "说明")}
FILTERS = {
    "中文日期": "日期写成 2025年11月1日",
    "金额": "金额写成 ¥12,000.00",
    "大写金额": "金额写成中文大写 壹万贰仟元整",
}
PLACEHOLDER_COLUMNS = ("占位符", "含义", "示例", "可用过滤器")


def placeholder_rows() -> list[dict[str, str]]:
    """One row per placeholder (占位符, 含义, 示例, 可用过滤器) from the table the renderer checks
    templates against, for a 占位符说明 sheet or any other listing."""
    rows = []
    for v in VARIABLES:
        usage = "、".join(f"{{{{ {v.name}|{f} }}}}" for f in v.filters)
        rows.append({"占位符": f"{{{{ {v.name} }}}}", "含义": v.meaning, "示例": v.example, "可用过滤器": usage})
    return rows


def variables_markdown() -> str:
    """The README's 模板变量 section, generated so the docs cannot drift from the code."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["## 模板变量", "", "模板（`templates/*.docx`）中可用的占位符。写法如 `{{ 主体名称 }}`；"
             "空值在文书中显示为“" + BLANK + "”并给出警告。用 `beian templates --check 文件夹` 一次列出"
             "模板中所有写错的占位符。", "", "| 占位符 | 含义 | 示例 | 过滤器 |", "|---|---|---|---|"]
    for v in VARIABLES:
        filters = "、".join(f"`|{f}`" for f in v.filters)
        lines.append(f"| `{v.name}` | {cell(v.meaning)} | {cell(v.example)} | {cell(filters)} |")
    lines += ["", "表格循环项的字段：", ""]
    lines += [f"- `{name}`：" + "、".join(f"`{f}`" for f in fields) for name, fields in ITEM_FIELDS.items()]
    lines += ["", "过滤器：", ""]
    lines += [f"- `|{name}`：{meaning}" for name, meaning in FILTERS.items()]
    return "\n".join(lines) + "\n"


# --- context ------------------------------------------------------------------------------------

def _clean(value: object) -> object:
    """None for every spelling of "empty" a DataFrame cell can hold (None, NaN, NaT, "")."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    try:
        import pandas as pd

        if value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def _iso(value: object) -> str | None:
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)


def _yes_no(value: object) -> str | None:
    value = _clean(value)
    return None if value is None else ("是" if bool(value) else "否")


def _amount(value: object) -> float | None:
    value = _clean(value)
    return None if value is None else float(value)


def text_of(value: object) -> str | None:
    """A cell as text for a document: None when empty, integers without ".0"."""
    return _text(value)


def _text(value: object) -> str | None:
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TRAILING = "。．.；;，,、！!？? \t"


def _clause(value: object) -> str | None:
    """Free text from the tracker placed inside a sentence: trailing punctuation dropped, so the
    template's own 。 or ； does not double it."""
    text = _text(value)
    if text is None:
        return None
    return text.rstrip(_TRAILING) or None


def template_values(row: Mapping, ctx, *, required: Iterable[str] | None = None) -> dict:
    """The template context of one tracker row: plain str/float/bool/list/dict (dates as ISO text),
    None where the tracker is empty. `ctx` supplies the catalogue, rules, settings and today;
    `required` the materials the rules require for this row (computed here when not given)."""
    get = row.get
    forms = [str(f) for f in (_clean(get("forms")) or []) if str(f).strip()]
    platform = _text(get("platform"))
    top_prize = _amount(get("top_prize"))
    # chance decides a draw (SPEC §10.1): a coupon or fixed 红包 with a prize is not a lottery
    draw = any(f in ctx.catalog.chance_forms for f in forms)
    sensitive = _yes_no(get("sensitive_pi"))
    entry = None
    if platform and platform in ctx.catalog.platforms:
        entry = ctx.catalog.platforms[platform].entry or None
    if required is None:
        number = _row_number(row)
        required = required_materials(ctx, [number]).get(number, []) if number is not None else []

    start, end = _iso(get("start_date")), _iso(get("end_date"))
    submitted = _iso(get("submitted_date"))
    return {
        "备案编号": _text(get("filing_id")),
        "活动名称": _text(get("activity")),
        "平台": platform,
        "备案入口": entry,
        "创意形式": "、".join(forms) or None,
        "创意形式列表": forms,
        "含H5": "H5" in forms,
        "含直播": "直播" in forms,
        "含抽奖": draw,
        "含奖品": bool(top_prize) and not draw,
        "行业": _text(get("industry")),
        "主体名称": _text(get("company")),
        "统一社会信用代码": _text(get("credit_code")),
        "负责人": _text(get("owner")),
        "联系人": _text(get("contact_name")),
        "联系电话": _text(get("contact_phone")),
        "联系邮箱": _text(get("contact_email")),
        "活动开始日期": start,
        "活动结束日期": end,
        "计划上线日期": _iso(get("launch_date")),
        "提交日期": submitted,
        "预算": _amount(get("budget")),
        "显示预算": bool(getattr(ctx.settings, "letter_show_budget", False)),
        "最高奖金额": top_prize,
        "抽奖金额上限": float(getattr(ctx.settings, "prize_limit", 50000.0)),
        "收集个人信息": _yes_no(get("collects_pi")),
        "敏感个人信息": sensitive,
        "敏感个人信息说明": None if sensitive is None else (
            "涉及敏感个人信息，已单独告知处理目的并取得用户单独同意" if sensitive == "是" else "不收集敏感个人信息"),
        "隐私政策链接": _text(get("privacy_url")),
        "用户授权机制": _clause(get("consent")),
        "备案号": _text(get("approval_no")),
        "备注": _clause(get("notes")),
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
    from ..compliance.rules import applies, row_dates

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
    row does not have is listed. A row without a draw form is no lottery (SPEC §10.1): the rules
    still ask it for the prize rules (LOT-01 covers every 有奖销售), which the letter then calls
    有奖活动规则 instead of 抽奖规则, so a signed document never claims a draw that is not there."""
    described = {m.name: m.description for m in ctx.catalog.materials}
    required = list(required)
    ticked = [n for n in ctx.tracker.materials() if _clean(row.get(f"material:{n}")) is True and n not in required]
    forms = _clean(row.get("forms")) or []
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
    value = _clean(row.get(column))
    if value is True:
        return MATERIAL_READY
    filing_id = _text(row.get("filing_id"))
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
        iso = _iso(when)
        if iso is not None:
            nodes.append({"阶段": stage, "日期": iso, "说明": note})

    collects = _clean(row.get("collects_pi")) is True
    add("提交备案", row.get("submitted_date"), "向平台提交备案材料")
    add("计划上线", row.get("launch_date"), "备案通过后上线")
    add("活动开始", row.get("start_date"), "活动正式开始")
    add("活动结束", row.get("end_date"), "活动结束，停止收集个人信息" if collects else "活动结束")
    nodes.sort(key=lambda n: n["日期"])
    return nodes


# --- rendering ----------------------------------------------------------------------------------

class Blank:
    """An empty value inside a template: prints as a visible blank line, is false in `{% if %}`,
    and records its name when printed so the caller can warn about it."""

    __slots__ = ("name", "printed")

    def __init__(self, name: str, printed: set[str]):
        self.name = name
        self.printed = printed

    def __str__(self) -> str:
        self.printed.add(self.name)
        return BLANK

    __html__ = __str__

    def __bool__(self) -> bool:
        return False

    def __iter__(self):
        return iter(())


def _wrap(value: object, name: str, printed: set[str]) -> object:
    if value is None:
        return Blank(name, printed)
    if isinstance(value, dict):
        return {k: _wrap(v, f"{name}.{k}", printed) for k, v in value.items()}
    if isinstance(value, list):
        return [_wrap(v, name, printed) for v in value]
    return value


def wrap_context(context: dict) -> tuple[dict, set[str]]:
    """The context a template renders with: None values become Blanks; the set fills with the
    names of those printed."""
    printed: set[str] = set()
    return {k: _wrap(v, k, printed) for k, v in context.items()}, printed


def _blank_safe(func):
    def filter_(value):
        if isinstance(value, Blank):
            return value
        if value is None:
            return BLANK
        return func(value)
    filter_.__name__ = func.__name__
    return filter_


MAX_REPEAT = 100_000
MAX_POWER_BITS = 4096
COMPILED_CACHE = 32
MAX_TEXT = 1_000_000
"""Characters (or list items) one expression may build: a letter is a few pages."""
MAX_WIDTH = 10_000
"""Widths and precisions (center, ljust, `%9s`, `{:>9}`, indent, wordwrap)."""
MAX_STEPS = 1_000_000
"""Loop steps, calls and operations one document may take (nested range loops, macro fan-out)."""
MAX_OUTPUT = 10_000_000
"""Characters one document may print through {{ }}."""
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_WIDE_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class RenderBudget:
    """What one document's render has spent; `begin_render` starts a fresh one."""

    def __init__(self):
        self.steps = 0
        self.printed = 0

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            _too_costly(f"循环或调用超过 {MAX_STEPS:,} 步")

    def print(self, n: int) -> None:
        self.printed += n
        if self.printed > MAX_OUTPUT:
            _too_costly(f"输出超过 {MAX_OUTPUT:,} 个字符")


def _too_costly(reason: str):
    from ..errors import TemplateTooCostly

    raise TemplateTooCostly(reason)


def begin_render() -> RenderBudget:
    """A fresh budget for the next document rendered with `jinja_env()`."""
    env = jinja_env()
    env.budget = RenderBudget()
    return env.budget


def _size(value) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def _check_width(*numbers) -> None:
    for n in numbers:
        if isinstance(n, int) and not isinstance(n, bool) and abs(n) > MAX_WIDTH:
            _too_costly(f"宽度或精度 {n} 超过 {MAX_WIDTH:,}")


def _check_printf(fmt: str, args) -> None:
    """`'%999999999s' % x` and `|format`: widths in the spec, and `*` widths among the arguments."""
    star = False
    for width, precision in _PRINTF.findall(fmt):
        for part in (width, precision):
            if part == "*":
                star = True
            elif part and int(part) > MAX_WIDTH:
                _too_costly(f"格式宽度 {part} 超过 {MAX_WIDTH:,}")
    if star:
        _check_width(*(args if isinstance(args, tuple | list) else (args,)))


def _check_format_spec(fmt: str, args, kwargs) -> None:
    """`'{:>999999999}'.format(x)`, and nested `{:{}}` widths taken from the arguments."""
    from string import Formatter

    nested = False
    try:
        parsed = list(Formatter().parse(fmt))
    except ValueError:
        return  # str.format raises the same error itself
    for _literal, _field, spec, _conversion in parsed:
        if not spec:
            continue
        nested = nested or "{" in spec
        for number in re.findall(r"\d+", spec):
            if int(number) > MAX_WIDTH:
                _too_costly(f"格式宽度 {number} 超过 {MAX_WIDTH:,}")
    if nested:
        _check_width(*args, *kwargs.values())


def _check_call(obj, args, kwargs) -> None:
    """str methods that build long text from a short one: widths, join and replace sizes."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if not isinstance(owner, str):
        return
    if name in _WIDE_METHODS:
        _check_width(*args, *kwargs.values())
    elif name == "join" and args:
        items = args[0] if isinstance(args[0], list | tuple | str) else ()
        total = sum(map(_size, items)) + len(owner) * max(len(items) - 1, 0)
        if total > MAX_TEXT:
            _too_costly(f"拼接结果超过 {MAX_TEXT:,} 个字符")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = owner.count(args[0]) if args[0] else len(owner) + 1
        if len(owner) + count * len(args[1]) > MAX_TEXT:
            _too_costly(f"替换结果超过 {MAX_TEXT:,} 个字符")


class _Range:
    """`range` in a template: the sandbox's (at most 100,000 items), each step counted."""

    __slots__ = ("_range", "_budget")

    def __init__(self, r: range, budget: RenderBudget):
        self._range, self._budget = r, budget

    def __iter__(self):
        budget = self._budget
        for i in self._range:
            budget.step()
            yield i

    def __len__(self):
        return len(self._range)

    def __getitem__(self, index):
        return self._range[index]

    def __contains__(self, item):
        return item in self._range

    def __reversed__(self):
        return _Range(self._range[::-1], self._budget)


@cache
def jinja_env():
    """The one shared environment: sandboxed, strict about undefined names, autoescaping XML, and
    bounded (sizes of `*`, `%`, format widths, str methods, join, loop steps, printed text) so a
    template can neither exhaust memory nor stall a batch; recursion depth and wall time are
    bounded where the render runs (`adapters.docx_templates.render`)."""
    from jinja2 import StrictUndefined, pass_eval_context
    from jinja2.filters import do_center, do_format, do_indent, do_wordwrap, sync_do_join
    from jinja2.sandbox import SandboxedEnvironment, SecurityError, safe_range

    class Env(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%"})

        def call_binop(self, context, operator, left, right):
            """Refuse `'x' * 10**9`, `('a'*100000)*100000`, `'%999999999s' % x` and `9 ** 9 ** 9`:
            a template must not stall a batch."""
            self.budget.step()
            if operator == "**" and isinstance(left, int | float) and isinstance(right, int | float):
                if abs(right) > 64 and abs(left) > 1 or math.log2(abs(left) + 2) * abs(right) > MAX_POWER_BITS:
                    raise SecurityError("乘方过大")
            if operator == "*" and any(isinstance(x, str | list | tuple) for x in (left, right)):
                n = right if isinstance(right, int) else left
                if isinstance(n, int) and n > MAX_REPEAT:
                    raise SecurityError("重复次数过多")
                if isinstance(n, int) and n * max(_size(left), _size(right)) > MAX_TEXT:
                    _too_costly(f"重复结果超过 {MAX_TEXT:,} 个字符或项")
            if operator == "%" and isinstance(left, str):
                _check_printf(left, right)
            return super().call_binop(context, operator, left, right)

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - the sandbox's own signature
            __self.budget.step()
            _check_call(__obj, args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value):
            fmt = super().wrap_str_format(value)
            if fmt is None:
                return None
            text = value.__self__

            def bounded(*args, **kwargs):
                _check_format_spec(text, args, args[0] if value.__name__ == "format_map" and args
                                   and isinstance(args[0], dict) else kwargs)
                return fmt(*args, **kwargs)
            return bounded

        def from_string(self, source, globals=None, template_class=None):
            """docxtpl compiles the whole document XML on every render; the patched XML of one
            template is identical each time, so compile it once per batch instead of per document."""
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            compiled = self._compiled.get(source)
            if compiled is None:
                if len(self._compiled) >= COMPILED_CACHE:
                    self._compiled.clear()
                compiled = self._compiled[source] = super().from_string(source)
            return compiled

    env = Env(undefined=StrictUndefined, autoescape=True, finalize=_finalize)
    env._compiled = {}
    env.budget = RenderBudget()

    def bounded_range(*args):
        return _Range(safe_range(*args), env.budget)

    def center(value, width=80):
        _check_width(width)
        return do_center(value, width)

    def indent(s, width=4, first=False, blank=False):
        _check_width(width)
        if isinstance(width, str) and len(width) > MAX_WIDTH:
            _too_costly(f"缩进超过 {MAX_WIDTH:,} 个字符")
        return do_indent(s, width, first, blank)

    def wordwrap(s, width=79, *args, **kwargs):
        _check_width(width)
        return do_wordwrap(env, s, width, *args, **kwargs)

    def format_(value, *args, **kwargs):
        _check_printf(str(value), args or tuple(kwargs.values()))
        return do_format(value, *args, **kwargs)

    @pass_eval_context
    def join(eval_ctx, value, d="", attribute=None):
        items = list(value)
        env.budget.step(len(items))
        if sum(map(_size, items)) + len(d) * max(len(items) - 1, 0) > MAX_TEXT:
            _too_costly(f"拼接结果超过 {MAX_TEXT:,} 个字符")
        return sync_do_join(eval_ctx, items, d, attribute)

    env.globals["range"] = bounded_range
    env.filters.update({"center": center, "indent": indent, "wordwrap": wordwrap, "format": format_, "join": join})
    env.filters["中文日期"] = _blank_safe(chinese_format.chinese_date)
    env.filters["金额"] = _blank_safe(chinese_format.money)
    env.filters["大写金额"] = _blank_safe(chinese_format.capital_amount)
    return env


def _finalize(value):
    if value is None:
        return BLANK
    budget = jinja_env().budget
    budget.step()
    if isinstance(value, str):
        budget.print(len(value))
    return value


@dataclass(frozen=True)
class TemplateIssue:
    """One broken placeholder (or the file itself) in a template, with the sentence to show."""

    template: str
    placeholder: str | None
    message: str


def inspect_source(name: str, xml: str) -> tuple[frozenset[str], list[TemplateIssue]]:
    """Every problem of one template's text at once: every unknown placeholder, filter, test and
    loop-item field, and a syntax error too. Jinja stops at a syntax error, so then each {{ }} and
    {% %} tag is read on its own (`_tags_alone`) and the names of the tags that do parse are
    checked all the same: a user fixes the whole file in one round, not one error per run.
    Returns the names the template uses with its issues."""
    from jinja2 import TemplateSyntaxError

    env = jinja_env()
    try:
        env.parse(xml)
    except TemplateSyntaxError as exc:
        source, declared, loops = _tags_alone(env, xml)
        names, issues = _source_issues(name, env, source, declared, loops)
        return names, [TemplateIssue(name, None, syntax_message(name, exc, xml)), *issues]
    return _source_issues(name, env, xml, frozenset(), {})


def _source_issues(name: str, env, source: str, declared: frozenset[str], extra_loops: dict[str, str]
                   ) -> tuple[frozenset[str], list[TemplateIssue]]:
    from jinja2 import meta, nodes

    tree = env.parse(source)
    unknown_filters = {node.name for node in tree.find_all(nodes.Filter)} - set(env.filters)
    unknown_tests = {node.name for node in tree.find_all(nodes.Test)} - set(env.tests)
    if unknown_filters or unknown_tests:  # meta's code generator stops at the first unknown filter
        lenient = env.overlay()
        lenient.filters = {**env.filters, **dict.fromkeys(unknown_filters, _same)}
        lenient.tests = {**env.tests, **dict.fromkeys(unknown_tests, _same)}
        tree = lenient.parse(source)
    names = frozenset(meta.find_undeclared_variables(tree)) - declared
    issues = [TemplateIssue(name, n, undefined(name, n).args[0]) for n in sorted(names - VARIABLE_NAMES)]
    for t in sorted(unknown_tests):
        issues.append(TemplateIssue(name, f"is {t}", f"模板“{name}”使用了未定义的判断“is {t}”，请改用 "
                                                      f"{{% if 占位符 %}}。 / Unknown test {t}."))
    for f in sorted(unknown_filters):
        issues.append(TemplateIssue(name, f"|{f}", f"模板“{name}”使用了未定义的过滤器“|{f}”，请改成 "
                                                   f"{'、'.join('|' + k for k in FILTERS)} 之一。 / Unknown filter {f}."))
    loops = {node.target.name: node.iter.name for node in tree.find_all(nodes.For)
             if isinstance(node.target, nodes.Name) and isinstance(node.iter, nodes.Name)
             and node.iter.name in ITEM_FIELDS}
    loops.update(extra_loops)
    bad_fields = sorted({(node.node.name, node.attr) for node in tree.find_all(nodes.Getattr)
                         if isinstance(node.node, nodes.Name) and node.node.name in loops
                         and node.attr not in ITEM_FIELDS[loops[node.node.name]]})
    for item, attr in bad_fields:
        fields_ = "、".join(ITEM_FIELDS[loops[item]])
        issues.append(TemplateIssue(name, f"{item}.{attr}", f"模板“{name}”使用了“{{{{ {item}.{attr} }}}}”，"
                                    f"{loops[item]}的每项只有 {fields_}。 / Unknown field {item}.{attr}."))
    return names, issues


_TAG = re.compile(r"\{\{(.*?)\}\}|\{%-?(.*?)-?%\}", re.S)
_FOR = re.compile(r"^for\s+(.+?)\s+in\s+(.+?)(?:\s+if\s+(.+?))?(?:\s+recursive)?$", re.S)
_SET = re.compile(r"^set\s+([\w\s,]+?)\s*=\s*(.+)$", re.S)
_DOCXTPL_MARK = re.compile(r"^(?:p|tr|tc|r)\s+")


def _tags_alone(env, xml: str) -> tuple[str, frozenset[str], dict[str, str]]:
    """A template that parses, made of every expression of `xml` that parses on its own: each
    {{ x }}, the conditions of if/elif, the values of set and the sequences of for. Loop and set
    targets are returned as declared names (never "undefined"), with each loop item's list."""
    from jinja2 import TemplateSyntaxError

    exprs: list[str] = []
    declared: set[str] = set()
    loops: dict[str, str] = {}
    for m in _TAG.finditer(xml):
        body = re.sub(r"<[^>]+>", "", m.group(1) if m.group(1) is not None else m.group(2)).strip()
        if m.group(1) is not None:
            exprs.append(body)
            continue
        body = _DOCXTPL_MARK.sub("", body)
        keyword = body.split(None, 1)[0] if body else ""
        if keyword in ("if", "elif"):
            exprs.append(body[len(keyword):])
        elif (loop := _FOR.match(body)):
            targets = [t.strip() for t in loop.group(1).split(",")]
            declared.update(targets)
            exprs.extend(e for e in (loop.group(2), loop.group(3)) if e)
            if len(targets) == 1 and loop.group(2).strip() in ITEM_FIELDS:
                loops[targets[0]] = loop.group(2).strip()
        elif (assign := _SET.match(body)):
            declared.update(t.strip() for t in assign.group(1).split(","))
            exprs.append(assign.group(2))
    kept = []
    for expr in exprs:
        piece = "{{ " + expr + " }}"
        try:
            env.parse(piece)
        except TemplateSyntaxError:
            continue  # the broken tag itself, already reported with its line
        kept.append(piece)
    return "\n".join(kept), frozenset(declared), loops


def syntax_message(name: str, exc, xml: str) -> str:
    """Jinja's syntax error as one Chinese sentence: what (from data/jinja_zh.csv), which paragraph
    (the template text has one paragraph per line), the words near it, and what to check."""
    what = _jinja_zh(exc.message or "")
    lineno = exc.lineno
    if (exc.message or "").lower().startswith("unexpected end of template"):
        lineno = _unclosed_block_line(xml) or lineno  # Jinja names the end; the user needs the opener
    line = f"第 {lineno} 段" if lineno else "某处"
    near = _near(xml, lineno)
    return (f"模板“{name}”{line}有语法错误：{what}{near}，请检查 {{{{ }}}} 与 {{% %}} 是否成对、"
            f"if/for 是否有对应的 endif/endfor。 / Template {name} has a syntax error (line {exc.lineno}).")


_OPENERS = {"if", "for", "with", "macro", "block", "filter", "call", "raw", "autoescape"}


def _unclosed_block_line(xml: str) -> int | None:
    """The line (paragraph) of the innermost {% if/for … %} that no {% end… %} closes."""
    stack: list[int] = []
    for m in _TAG.finditer(xml):
        if m.group(2) is None:
            continue
        body = _DOCXTPL_MARK.sub("", re.sub(r"<[^>]+>", "", m.group(2)).strip())
        keyword = body.split(None, 1)[0] if body else ""
        if keyword in _OPENERS:
            stack.append(xml.count("\n", 0, m.start()) + 1)
        elif keyword.startswith("end") and stack:
            stack.pop()
    return stack[-1] if stack else None


@cache
def _jinja_patterns() -> list[tuple[re.Pattern, str]]:
    text = files("pyaddin.data").joinpath("jinja_zh.csv").read_text(encoding="utf-8")
    return [(re.compile(r["模式"], re.S), r["中文"]) for r in csv.DictReader(text.splitlines())]


def _jinja_zh(message: str) -> str:
    for pattern, zh in _jinja_patterns():
        m = pattern.search(message)
        if m:
            return zh.format(*m.groups())
    return "这里的写法无法识别"


def _same(value, *_args, **_kwargs):
    return value


def _near(xml: str, lineno: int | None) -> str:
    """A few words of visible text around a syntax error, so the user can find it in Word."""
    if not lineno:
        return ""
    line = xml.splitlines()[lineno - 1] if lineno <= len(xml.splitlines()) else ""
    text = re.sub(r"<[^>]+>", "", line).strip()
    return f"，位于“{text[:40]}”附近" if text else ""


def undefined(template: str, placeholder: str) -> TemplateProblem:
    return TemplateProblem(f"模板“{template}”使用了未定义的占位符“{{{{ {placeholder} }}}}”，"
                           f"请改成 README 模板变量表中的名称。 / Template {template} uses an undefined "
                           f"placeholder {placeholder}.")


# --- selection ----------------------------------------------------------------------------------

@dataclass
class Document:
    row: int
    filing_id: str | None
    platform: str | None
    kind: str
    """The document title (安全承诺书 / 营销活动方案)."""
    format: str
    path: Path
    sha256: str


Refusal = tuple[int | None, str | None, str]
"""(Excel row, 备案编号, reason): a selected row, or a name, for which nothing was written."""


@dataclass
class DocsResult:
    written: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    """Every selected row not rendered, and every --ids/--rows name that matched nothing."""
    findings: list[Finding] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    index_path: Path | None = None
    not_in_loop: list[int] = field(default_factory=list)
    """Rows left out of the default selection (already submitted, approved, withdrawn, resubmitted)."""
    locked: list[Path] = field(default_factory=list)
    """Outputs skipped because Word or Excel holds them open."""

    @property
    def ok(self) -> bool:
        return not self.refused and not self.locked


def kinds_for(kind: str) -> list[Kind]:
    if kind in ("all", "全部"):
        return list(KINDS.values())
    for k in KINDS.values():
        if kind in (k.option, k.title, k.template):
            return [k]
    raise TemplateProblem(f"未知的文书类型“{kind}”，请用 承诺书、方案 或 all。 / Unknown document kind {kind}.")


FILING_LOOP = frozenset({DRAFT, TO_SUBMIT, SUPPLEMENT})
"""Statuses still being prepared for (re)submission: the rows that need documents by default."""


def in_filing_loop(df, today: date | None = None) -> list[int]:
    """Rows that still need documents: 草稿, 待提交, 需补充, an empty status (refused later with its
    reason rather than silently passed over), and 已驳回 unless another row's 原备案编号 names it
    (resubmitted: the new row carries the filing on; links as `chains` reads them). With `today`,
    not a row whose activity has ended: it is closed whatever its status (SPEC §10.1), a letter for
    it could not be filed (`--ids`/`--rows`/`--all` still reach it)."""
    resubmitted: set[int] = set()
    if "original_id" in df.columns and df["original_id"].notna().any():
        from ..tracker.chains import build_chains

        resubmitted = set(build_chains(df).parent.values())
    over = set(df.index[ended(df, today)]) if today is not None else set()
    out = []
    for r, status in zip(df.index, df["status"], strict=True):
        if r in over:
            continue
        status = _text(status)
        if status is None or status in FILING_LOOP or (status == REJECTED and int(r) not in resubmitted):
            out.append(int(r))
    return out


def select_rows(df, *, ids: Iterable[str] | None, rows: Iterable[int] | None, all_rows: bool = False,
                today: date | None = None) -> tuple[list[int], list[Refusal]]:
    """Rows named by 备案编号 or Excel row number, every row with `all_rows`, else the rows still
    in the filing loop; and the names that match nothing, as refusals the user can read."""
    ids = [i for i in (ids or []) if str(i).strip()]
    rows = list(rows or [])
    if not ids and not rows:
        return ([int(r) for r in df.index] if all_rows else in_filing_loop(df, today)), []
    missing: list[Refusal] = []
    chosen: set[int] = set()
    by_id: dict[str, list[int]] = {}
    for r, value in df["filing_id"].items():
        key = filing_key(value)
        if key:
            by_id.setdefault(key, []).append(int(r))
    for i in ids:
        found = by_id.get(filing_key(i) or "")
        if found:
            chosen.update(found)
        else:
            missing.append((None, str(i), f"台账中没有备案编号“{i}”，请检查 --ids。"))
    index = {int(r) for r in df.index}
    for r in rows:
        if r in index:
            chosen.add(int(r))
        else:
            missing.append((int(r), None, f"第 {r} 行不是台账的数据行（空行或表头），请检查 --rows。"))
    return sorted(chosen), missing


# --- refusal ------------------------------------------------------------------------------------

NON_BLOCKING = frozenset({"missing-material"})
"""Error codes that do not refuse a row: a missing material (often the very 承诺书 or 方案 being
generated) is gathered alongside the documents and says nothing about the data they print."""


def blocking_errors(ctx, findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """Tracker row → its error findings that refuse a document (other sheets' rows do not count)."""
    out: dict[int, list[Finding]] = {}
    for f in findings:
        if (f.severity == "error" and f.row is not None and f.row != ctx.tracker.header_row
                and f.sheet in (None, ctx.tracker.sheet) and f.code not in NON_BLOCKING):
            out.setdefault(f.row, []).append(f)
    return out


def _refusal_reason(errors: list[Finding]) -> str:
    shown = "；".join(f.message.rstrip("。") for f in errors[:3])
    more = f"；另有 {len(errors) - 3} 个错误" if len(errors) > 3 else ""
    return f"{shown}{more}。修正后重新生成，或用 --force 强制生成。"


def _finding(code: str, message: str, *, severity: str, **where) -> Finding:
    """`make` for registered codes; codes this module proposes but the registry may not list yet
    still produce a finding rather than crash a batch."""
    if code in codes():
        return make(code, message, **where)
    return Finding(code=code, message=message, severity=severity, **where)


# --- one row ------------------------------------------------------------------------------------

def refuse(ctx, selected: list[int], errors_by_row: dict[int, list[Finding]], force: bool
           ) -> tuple[list[int], list[Refusal], list[Finding]]:
    """(rows to render, refusals with their reasons, the error findings behind them); `force`
    renders every row but still reports its errors."""
    keep, refused, findings = [], [], []
    for row in selected:
        errors = errors_by_row.get(row, [])
        if errors:
            findings.extend(errors)
            if not force:
                refused.append((row, _text(ctx.tracker.df.at[row, "filing_id"]), _refusal_reason(errors)))
                continue
        keep.append(row)
    return keep, refused, findings


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
        "invalid-value", f"《{title}》中“{culprit.name}”的值 {_text(context.get(culprit.name))} 无法写出（{reason}），"
        f"这一行未生成文书；请改正台账后重新生成。", severity="error", sheet=ctx.tracker.sheet, row=row,
        column=ctx.tracker.columns.get(key) if key else None, field=_header(ctx, key) if key else None,
        filing_id=_text(record.get("filing_id")), activity=_text(record.get("activity")))


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
            filing_id=_text(record.get("filing_id")), activity=_text(record.get("activity"))))
    return out


def locked_finding(ctx, path: Path, *, row: int | None, filing_id: str | None) -> Finding:
    return _finding("output-locked", f"“{path.name}”正在被 Word 或 Excel 打开，已跳过这个文件；关闭它后重新生成。",
                    severity="error", sheet=ctx.tracker.sheet, row=row, filing_id=filing_id)


def output_name(filing_id: str | None, platform: str | None, title: str, row: int, taken: set[str]) -> str:
    from ..run.safe_text import safe_filename

    stem = safe_filename(f"{filing_id or f'第{row}行'}_{platform or '未知平台'}_{title}", max_len=NAME_LIMIT)
    name = stem + ".docx"
    if name.casefold() in taken:
        name = f"{stem}_第{row}行.docx"
    taken.add(name.casefold())
    return name


def _header(ctx, key: str) -> str:
    """The column as the user's sheet spells it, else the canonical header (column absent)."""
    return ctx.tracker.header_for(key, ctx.catalog)


def _key_of(variable: str) -> str | None:
    for v in VARIABLES:
        if v.name == variable:
            return v.key
    return None
