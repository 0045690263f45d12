"""安全承诺书 and 营销活动方案 per filing, from Word templates the team edits.

A document goes to a platform with the company's seal on it, so three things matter more than
speed: a template can never run code or reach outside its data (sandboxed Jinja, StrictUndefined,
autoescaped so `A&B<C>` cannot break the XML); an empty value is never silently dropped from a
sentence (it prints as a visible blank line and yields a warning); and rows the validator rejects
are refused unless the user forces them. `build_context` is pure and JSON-able, so the same
context can be saved, diffed or fed to `python -m docxtpl`.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from . import chinese_format
from .errors import TemplateProblem
from .findings import Finding, codes, make
from .hashing import sha256_bytes, sha256_file
from .textnorm import filing_key

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
BLANK = "＿＿＿＿"
INDEX_NAME = "documents.xlsx"
NON_BLOCKING = frozenset({"missing-material"})
"""Error codes that do not refuse a row: a missing material (often the very 承诺书 or 方案 being
generated) is gathered alongside the documents and says nothing about the data they print."""
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


VARIABLES: tuple[Variable, ...] = (
    Variable("备案编号", "台账“备案编号”", "filing_id"),
    Variable("活动名称", "台账“活动名称”", "activity"),
    Variable("平台", "投放平台（规范名称，如 微信、抖音）", "platform"),
    Variable("备案入口", "平台表中该平台的“备案入口”", None),
    Variable("创意形式", "创意形式，用顿号连接（如 H5、抽奖）", "forms"),
    Variable("创意形式列表", "创意形式的列表，可用 {% for 形式 in 创意形式列表 %} 循环", "forms"),
    Variable("含H5", "创意形式包含 H5 时为真，用于 {%p if 含H5 %}", None),
    Variable("含直播", "创意形式包含 直播 时为真", None),
    Variable("含抽奖", "创意形式包含 抽奖，或填写了最高奖金额时为真", None),
    Variable("行业", "台账“行业”", "industry"),
    Variable("主体名称", "台账“主体名称”（申报主体）", "company"),
    Variable("统一社会信用代码", "台账“统一社会信用代码”", "credit_code"),
    Variable("负责人", "台账“负责人”", "owner"),
    Variable("联系人", "台账“联系人”", "contact_name"),
    Variable("联系电话", "台账“联系电话”", "contact_phone"),
    Variable("联系邮箱", "台账“联系邮箱”", "contact_email"),
    Variable("活动开始日期", "台账“活动开始日期”，配合 |中文日期 使用", "start_date"),
    Variable("活动结束日期", "台账“活动结束日期”，配合 |中文日期 使用", "end_date"),
    Variable("计划上线日期", "台账“计划上线日期”，配合 |中文日期 使用", "launch_date"),
    Variable("提交日期", "台账“提交日期”，配合 |中文日期 使用", "submitted_date"),
    Variable("预算", "台账“预算(元)”数值，配合 |金额 或 |大写金额 使用", "budget"),
    Variable("最高奖金额", "台账“最高奖金额(元)”数值，配合 |金额 或 |大写金额 使用", "top_prize"),
    Variable("收集个人信息", "“是”或“否”（台账“收集个人信息”）", "collects_pi"),
    Variable("敏感个人信息", "“是”或“否”（台账“敏感个人信息”）", "sensitive_pi"),
    Variable("敏感个人信息说明", "按“敏感个人信息”生成的一句说明", "sensitive_pi"),
    Variable("隐私政策链接", "台账“隐私政策链接”", "privacy_url"),
    Variable("用户授权机制", "台账“用户授权机制”", "consent"),
    Variable("备案号", "台账“备案号”（已通过时）", "approval_no"),
    Variable("备注", "台账“备注”", "notes"),
    Variable("落款日期", "文书日期：--today、设置表“今天”或系统日期，配合 |中文日期 使用", None),
    Variable("材料清单", "备案材料表，每项有 名称、说明、状态（已备/缺/未填写），用 {%tr for 材料 in 材料清单 %}", None),
    Variable("时间安排", "时间节点表，每项有 阶段、日期、说明，用 {%tr for 节点 in 时间安排 %}", None),
)
VARIABLE_NAMES = frozenset(v.name for v in VARIABLES)
ITEM_FIELDS = {"材料清单": ("名称", "说明", "状态"), "时间安排": ("阶段", "日期", "说明")}
FILTERS = {
    "中文日期": "日期写成 2025年11月1日",
    "金额": "金额写成 ¥12,000.00",
    "大写金额": "金额写成中文大写 壹万贰仟元整",
}


def variables_markdown() -> str:
    """The README's 模板变量 section, generated so the docs cannot drift from the code."""
    lines = ["## 模板变量", "", "模板（`templates/*.docx`）中可用的占位符。写法如 `{{ 主体名称 }}`；"
             "空值在文书中显示为“" + BLANK + "”并给出警告。", "", "| 占位符 | 含义 |", "|---|---|"]
    lines += [f"| `{v.name}` | {v.meaning.replace('|', chr(92) + '|')} |" for v in VARIABLES]
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


def _text(value: object) -> str | None:
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_context(row: Mapping, ctx) -> dict:
    """The template context of one tracker row: plain str/float/bool/list/dict (dates as ISO text),
    None where the tracker is empty. `ctx` supplies the catalogue, the materials columns and today."""
    get = row.get
    forms = [str(f) for f in (_clean(get("forms")) or []) if str(f).strip()]
    platform = _text(get("platform"))
    top_prize = _amount(get("top_prize"))
    sensitive = _yes_no(get("sensitive_pi"))
    entry = None
    if platform and platform in ctx.catalog.platforms:
        entry = ctx.catalog.platforms[platform].entry or None

    start, end = _iso(get("start_date")), _iso(get("end_date"))
    return {
        "备案编号": _text(get("filing_id")),
        "活动名称": _text(get("activity")),
        "平台": platform,
        "备案入口": entry,
        "创意形式": "、".join(forms) or None,
        "创意形式列表": forms,
        "含H5": "H5" in forms,
        "含直播": "直播" in forms,
        "含抽奖": "抽奖" in forms or bool(top_prize),
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
        "提交日期": _iso(get("submitted_date")),
        "预算": _amount(get("budget")),
        "最高奖金额": top_prize,
        "收集个人信息": _yes_no(get("collects_pi")),
        "敏感个人信息": sensitive,
        "敏感个人信息说明": None if sensitive is None else (
            "涉及敏感个人信息，已单独告知处理目的并取得用户单独同意" if sensitive == "是" else "不收集敏感个人信息"),
        "隐私政策链接": _text(get("privacy_url")),
        "用户授权机制": _text(get("consent")),
        "备案号": _text(get("approval_no")),
        "备注": _text(get("notes")),
        "落款日期": ctx.today.isoformat(),
        "材料清单": _materials(row, ctx),
        "时间安排": _timeline(row, ctx),
    }


def _materials(row: Mapping, ctx) -> list[dict]:
    """The tracker's checklist columns, described from the 材料 catalogue; the whole catalogue when
    the tracker keeps no checklist (so the 方案 still lists what the platform expects)."""
    described = {m.name: m.description for m in ctx.catalog.materials}
    names = ctx.tracker.materials() or list(described)
    out = []
    for name in names:
        value = _clean(row.get(f"material:{name}"))
        status = "未填写" if value is None else ("已备" if value else "缺")
        out.append({"名称": name, "说明": described.get(name) or "—", "状态": status})
    return out


def _timeline(row: Mapping, ctx) -> list[dict]:
    """Known dates only, in date order; archive is due `archive_days` after the activity ends."""
    nodes = []

    def add(stage: str, when: object, note: str) -> None:
        iso = _iso(when)
        if iso is not None:
            nodes.append({"阶段": stage, "日期": iso, "说明": note})

    add("提交备案", row.get("submitted_date"), "向平台提交备案材料")
    add("计划上线", row.get("launch_date"), "备案通过后上线")
    add("活动开始", row.get("start_date"), "活动正式开始")
    add("活动结束", row.get("end_date"), "活动结束，停止收集信息")
    end = _clean(row.get("end_date"))
    if isinstance(end, date):
        days = getattr(ctx.settings, "archive_days", 30)
        add("资料归档", end + timedelta(days=days), f"活动结束后 {days} 日内归档全部备案材料")
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


@cache
def jinja_env():
    """The one shared environment: sandboxed, strict about undefined names, autoescaping XML."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    class Env(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context, operator, left, right):
            """Refuse `'x' * 10**9` and `9 ** 9 ** 9`: a template must not stall a batch."""
            if operator == "**" and isinstance(left, int | float) and isinstance(right, int | float):
                if abs(right) > 64 and abs(left) > 1 or math.log2(abs(left) + 2) * abs(right) > MAX_POWER_BITS:
                    raise SecurityError("乘方过大")
            if operator == "*" and any(isinstance(x, str | list | tuple) for x in (left, right)):
                n = right if isinstance(right, int) else left
                if isinstance(n, int) and n > MAX_REPEAT:
                    raise SecurityError("重复次数过多")
            return super().call_binop(context, operator, left, right)

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
    env.filters["中文日期"] = _blank_safe(chinese_format.chinese_date)
    env.filters["金额"] = _blank_safe(chinese_format.money)
    env.filters["大写金额"] = _blank_safe(chinese_format.capital_amount)
    return env


def _finalize(value):
    if value is None:
        return BLANK
    return value


@dataclass
class Template:
    """A template file read once per batch: its bytes and the names it uses."""

    name: str
    data: bytes
    names: frozenset[str]


_NAME_IN_ERROR = re.compile(r"'([^']+)' is undefined")


def load_template(path: Path) -> Template:
    """Read and pre-flight a template: syntax errors and unknown placeholders are a TemplateProblem
    naming the template and the placeholder, before any document is written."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateProblem(f"无法读取模板“{name}”：{exc.strerror or exc}；请检查 --templates 文件夹。"
                              f" / Cannot read template {name}.") from None
    try:
        names = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(jinja_env=jinja_env())
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"模板“{name}”有语法错误（{exc.message}），请检查 {{{{ }}}} 与 {{% %}} 是否成对。"
                              f" / Template {name} has a syntax error.") from None
    except Exception as exc:  # noqa: BLE001 - a corrupt .docx, not a bug here
        raise TemplateProblem(f"模板“{name}”不是有效的 Word 文档（{type(exc).__name__}），请用 Word 重新保存为 .docx。"
                              f" / Template {name} is not a valid .docx file.") from None
    unknown = sorted(set(names) - VARIABLE_NAMES)
    if unknown:
        raise _undefined(name, unknown[0])
    return Template(name, data, frozenset(names))


def _undefined(template: str, placeholder: str) -> TemplateProblem:
    return TemplateProblem(f"模板“{template}”使用了未定义的占位符“{{{{ {placeholder} }}}}”，"
                           f"请改成 README 模板变量表中的名称。 / Template {template} uses an undefined "
                           f"placeholder {placeholder}.")


def render(template: Template, context: dict) -> tuple[bytes, set[str]]:
    """The rendered .docx bytes and the names of the empty values it printed as blanks."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError, UndefinedError
    from jinja2.sandbox import SecurityError

    printed: set[str] = set()
    wrapped = {k: _wrap(v, k, printed) for k, v in context.items()}
    doc = DocxTemplate(io.BytesIO(template.data))
    try:
        doc.render(wrapped, jinja_env(), autoescape=True)
    except SecurityError as exc:
        raise TemplateProblem(f"模板“{template.name}”含有不安全的表达式（{exc}），已拒绝渲染；请只使用 README "
                              f"模板变量表中的占位符和过滤器。 / Template {template.name} uses an unsafe "
                              f"expression.") from None
    except UndefinedError as exc:
        m = _NAME_IN_ERROR.search(str(exc))
        if m:
            raise _undefined(template.name, m.group(1)) from None
        raise TemplateProblem(f"模板“{template.name}”访问了不存在的内容（{exc}），请改成 README 模板变量表中的名称。"
                              f" / Template {template.name}: {exc}.") from None
    except (TemplateError, ValueError, TypeError, ArithmeticError) as exc:
        raise TemplateProblem(f"模板“{template.name}”无法渲染（{exc}），请检查占位符和过滤器的写法。"
                              f" / Template {template.name} cannot be rendered.") from None
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), printed


# --- selection, output, index -------------------------------------------------------------------

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


@dataclass
class DocsResult:
    written: list[Path] = field(default_factory=list)
    refused: list[tuple[int | None, str | None, str]] = field(default_factory=list)
    """(Excel row, 备案编号, reason) for every selected row not rendered."""
    findings: list[Finding] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    index_path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.refused


def kinds_for(kind: str) -> list[Kind]:
    if kind in ("all", "全部"):
        return list(KINDS.values())
    for k in KINDS.values():
        if kind in (k.option, k.title, k.template):
            return [k]
    raise TemplateProblem(f"未知的文书类型“{kind}”，请用 承诺书、方案 或 all。 / Unknown document kind {kind}.")


def select_rows(df, *, ids: Iterable[str] | None, rows: Iterable[int] | None
                ) -> tuple[list[int], list[tuple[int | None, str | None, str]]]:
    """Rows named by 备案编号 or Excel row number (all rows when neither is given), and the names
    that match nothing, as refusals the user can read."""
    ids = [i for i in (ids or []) if str(i).strip()]
    rows = list(rows or [])
    if not ids and not rows:
        return [int(r) for r in df.index], []
    missing: list[tuple[int | None, str | None, str]] = []
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


def output_name(filing_id: str | None, platform: str | None, title: str, row: int, taken: set[str]) -> str:
    from .safe_text import safe_filename

    stem = safe_filename(f"{filing_id or f'第{row}行'}_{platform or '未知平台'}_{title}", max_len=NAME_LIMIT)
    name = stem + ".docx"
    if name.casefold() in taken:
        name = f"{stem}_第{row}行.docx"
    taken.add(name.casefold())
    return name


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


def generate(ctx, *, out_dir: Path, ids: Iterable[str] | None = None, rows: Iterable[int] | None = None,
             kind: str = "all", pdf: bool = False, force: bool = False,
             templates_dir: Path | None = None, report=None) -> DocsResult:
    """Render the chosen documents for the chosen rows into `out_dir`, plus `documents.xlsx`.

    Rows with error findings (from `validate`, or `report` when the caller already has one) are
    refused unless `force`; templates are pre-flighted before anything is written.
    """
    from .adapters.output_files import atomic_write_bytes
    from .safe_text import inside

    out_dir = Path(out_dir)
    templates_dir = Path(templates_dir) if templates_dir else TEMPLATES_DIR
    chosen_kinds = kinds_for(kind)
    templates = {k.title: load_template(templates_dir / k.template) for k in chosen_kinds}

    df = ctx.tracker.df
    result = DocsResult()
    selected, missing = select_rows(df, ids=ids, rows=rows)
    result.refused.extend(missing)

    if report is None:
        from .validate import validate

        report = validate(ctx)
    errors_by_row: dict[int, list[Finding]] = {}
    for f in report.findings:
        if (f.severity == "error" and f.row is not None and f.row != ctx.tracker.header_row
                and f.code not in NON_BLOCKING):
            errors_by_row.setdefault(f.row, []).append(f)

    field_header = {v.name: _header(ctx, v.key) if v.key else v.name for v in VARIABLES}
    taken: set[str] = set()
    out_dir.mkdir(parents=True, exist_ok=True)
    for row in selected:
        record = df.loc[row]
        filing_id, platform = _text(record.get("filing_id")), _text(record.get("platform"))
        errors = errors_by_row.get(row, [])
        if errors:
            result.findings.extend(errors)
            if not force:
                result.refused.append((row, filing_id, _refusal_reason(errors)))
                continue
        context = build_context(record, ctx)
        for title, template in templates.items():
            data, blanks = render(template, context)
            path = out_dir / output_name(filing_id, platform, title, row, taken)
            if not inside(out_dir, path):  # safe_filename makes this impossible; keep the guard
                raise TemplateProblem(f"输出文件名“{path.name}”不在输出文件夹内，已停止。 / Unsafe output name.")
            atomic_write_bytes(path, data)
            result.written.append(path)
            result.documents.append(Document(row, filing_id, platform, title, "docx", path,
                                             sha256_bytes(data)))
            for name in sorted(blanks):
                top = name.split(".")[0]
                result.findings.append(_finding(
                    "empty-placeholder", f"《{title}》中“{name}”为空，已留出空白横线；请在台账填写后重新生成，"
                    f"或在打印件上手写补全。", severity="warning", sheet=ctx.tracker.sheet, row=row,
                    column=ctx.tracker.columns.get(_key_of(top)), field=field_header.get(top, top),
                    filing_id=filing_id, activity=_text(record.get("activity"))))

    if pdf and result.documents:
        from .adapters import pdf as pdf_mod

        docx_docs = list(result.documents)
        pdfs = pdf_mod.convert([d.path for d in docx_docs], out_dir)
        for d, p in zip(docx_docs, pdfs, strict=True):
            result.written.append(p)
            result.documents.append(Document(d.row, d.filing_id, d.platform, d.kind, "pdf", p, sha256_file(p)))

    result.index_path = write_index(out_dir / INDEX_NAME, result.documents, out_dir)
    return result


def _header(ctx, key: str) -> str:
    """The column as the user's sheet spells it, else the canonical header (column absent)."""
    if key in ctx.tracker.headers:
        return ctx.tracker.headers[key]
    spec = ctx.catalog.field_by_key.get(key)
    return spec.header if spec else key


def _key_of(variable: str) -> str | None:
    for v in VARIABLES:
        if v.name == variable:
            return v.key
    return None


INDEX_COLUMNS = ("备案编号", "平台", "文书", "格式", "路径", "SHA-256", "行")


def write_index(path: Path, documents: list[Document], root: Path) -> Path:
    """documents.xlsx: one row per written file; user text is written as text, never a formula."""
    import xlsxwriter

    from .adapters.output_files import atomic_write, xlsx_writer_options
    from .safe_text import inside

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), xlsx_writer_options())
        ws = wb.add_worksheet("文书索引")
        bold = wb.add_format({"bold": True, "bg_color": "#E7ECF3", "border": 1})
        for c, name in enumerate(INDEX_COLUMNS):
            ws.write_string(0, c, name, bold)
        for r, d in enumerate(documents, start=1):
            rel = d.path.relative_to(root).as_posix() if inside(root, d.path) else str(d.path)
            for c, value in enumerate((d.filing_id or "", d.platform or "", d.kind, d.format, rel, d.sha256)):
                ws.write_string(r, c, value)
            ws.write_number(r, 6, d.row)
        for c, width in enumerate((16, 10, 14, 6, 44, 66, 6)):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        if documents:
            ws.autofilter(0, 0, len(documents), len(INDEX_COLUMNS) - 1)
        wb.close()

    return atomic_write(path, write)
