"""Checking a template before any document is rendered (`beian templates --check`, and every run):
every unknown placeholder, filter, test and loop-item field, and a syntax error said in one
Chinese sentence that names the paragraph, so a user fixes the whole file in one round."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from ..errors import TemplateProblem
from .placeholders import FILTERS, ITEM_FIELDS, VARIABLE_NAMES
from .sandbox import jinja_env


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
