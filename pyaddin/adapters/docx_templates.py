"""Word templates: read and pre-flight a .docx template, render it with a context to .docx bytes.

The format-specific half of documents (docxtpl and python-docx); what a template may say, the
sandboxed Jinja environment and the contexts live in `pyaddin.documents`.
"""

from __future__ import annotations

import gc
import io
import re
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..documents.blanks import wrap_context
from ..documents.kinds import TEMPLATES_DIR, kinds_for
from ..documents.sandbox import begin_render, jinja_env
from ..documents.template_check import TemplateIssue, inspect_source, undefined
from ..errors import TemplateProblem, TemplateTooCostly, ValueNotPrintable


@dataclass
class Template:
    """A template file read once per batch: its bytes and the names it uses."""

    name: str
    data: bytes
    names: frozenset[str]


_NAME_IN_ERROR = re.compile(r"'([^']+)' is undefined")



def template_text(data: bytes) -> str:
    """The template's body, headers and footers as docxtpl renders them (tags patched), one text."""
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    tpl.init_docx()
    xml = tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for rel in tpl.docx.part.rels.values():
            if rel.reltype == uri and rel.target_part.blob:
                xml += tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    return xml


def inspect_template(name: str, data: bytes) -> tuple[frozenset[str], list[TemplateIssue]]:
    """Every problem of one .docx template at once (see `documents.template_check.inspect_source`)."""
    try:
        # one paragraph per line, so a syntax error's line number is the paragraph a user counts in Word
        text = template_text(data).replace("</w:p>", "</w:p>\n")
    except Exception as exc:  # noqa: BLE001 - a corrupt .docx, not a bug here
        return frozenset(), [TemplateIssue(name, None, f"模板“{name}”不是有效的 Word 文档（{type(exc).__name__}），"
                                                       f"请用 Word 重新保存为 .docx。 / Template {name} is not a valid .docx file.")]
    return inspect_source(name, text)


def check_templates(folder: Path) -> tuple[list[Path], list[TemplateIssue]]:
    """Every .docx template in `folder` (Word's `~$` lock files skipped) and all their problems."""
    folder = Path(folder)
    paths = sorted(p for p in folder.glob("*.docx") if not p.name.startswith("~$"))
    issues: list[TemplateIssue] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            issues.append(TemplateIssue(path.name, None, f"无法读取模板“{path.name}”：{exc.strerror or exc}。"
                                                         f" / Cannot read template {path.name}."))
            continue
        issues.extend(inspect_template(path.name, data)[1])
    return paths, issues


def load_template(path: Path) -> Template:
    """Read and pre-flight a template: syntax errors and unknown placeholders are a TemplateProblem
    naming the template and every broken placeholder, before any document is written."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateProblem(f"无法读取模板“{name}”：{exc.strerror or exc}；请检查 --templates 文件夹。"
                              f" / Cannot read template {name}.") from None
    names, issues = inspect_template(name, data)
    if issues:
        raise TemplateProblem("；".join(i.message.split(" / ")[0].rstrip("。") for i in issues) + "。"
                              f" / Template {name} has {len(issues)} problem(s).")
    return Template(name, data, names)


def load_templates(templates_dir: Path | None, kind: str) -> dict[str, Template]:
    """Document title → pre-flighted template, for the chosen kind(s)."""
    folder = Path(templates_dir) if templates_dir else TEMPLATES_DIR
    return {k.title: load_template(folder / k.template) for k in kinds_for(kind)}


RENDER_SECONDS = 30
"""Wall time one document may take to render (a normal one takes milliseconds)."""


def _too_costly(name: str, reason: str) -> TemplateTooCostly:
    return TemplateTooCostly(f"模板“{name}”计算量过大（{reason}），已停止渲染；请简化模板中的循环、重复或宽度。"
                             f" / Template {name} exceeds the rendering budget.")


@contextmanager
def _time_limit(seconds: float):
    """SIGALRM after `seconds` ends a render that loops without calling anything the sandbox sees
    (`{% for a in s %}{% for b in s %}` over long strings). Only in the main thread of a POSIX
    process and when no other timer is set; elsewhere the step and size budgets still hold."""
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return

    def expired(_signum, _frame):
        raise TemplateTooCostly(f"渲染超过 {seconds:g} 秒")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(template: Template, context: dict) -> tuple[bytes, set[str]]:
    """The rendered .docx bytes and the names of the empty values it printed as blanks."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError, UndefinedError
    from jinja2.sandbox import SecurityError

    wrapped, printed = wrap_context(context)
    doc = DocxTemplate(io.BytesIO(template.data))
    begin_render()
    try:
        with _time_limit(RENDER_SECONDS):
            doc.render(wrapped, jinja_env(), autoescape=True)
    except TemplateTooCostly as exc:
        raise _too_costly(template.name, str(exc)) from None
    except RecursionError:
        raise _too_costly(template.name, "宏或循环递归过深（宏不能调用自己）") from None
    except MemoryError:
        raise _too_costly(template.name, "占用内存过多") from None
    except SecurityError as exc:
        raise TemplateProblem(f"模板“{template.name}”含有不安全的表达式（{exc}），已拒绝渲染；请只使用 README "
                              f"模板变量表中的占位符和过滤器。 / Template {template.name} uses an unsafe "
                              f"expression.") from None
    except UndefinedError as exc:
        m = _NAME_IN_ERROR.search(str(exc))
        if m:
            raise undefined(template.name, m.group(1)) from None
        raise TemplateProblem(f"模板“{template.name}”访问了不存在的内容（{exc}），请改成 README 模板变量表中的名称。"
                              f" / Template {template.name}: {exc}.") from None
    except ValueError as exc:  # a filter (中文日期, 金额, 大写金额) refused this row's value, not the template
        raise ValueNotPrintable(f"模板“{template.name}”中的值无法写出（{exc}），已跳过这一行的文书；请改正台账中的该值。"
                                f" / A value cannot be printed in {template.name}.", reason=str(exc)) from None
    except (TemplateError, TypeError, ArithmeticError) as exc:
        raise TemplateProblem(f"模板“{template.name}”无法渲染（{exc}），请检查占位符和过滤器的写法。"
                              f" / Template {template.name} cannot be rendered.") from None
    buf = io.BytesIO()
    doc.save(buf)
    del doc
    _collect_now_and_then()
    return buf.getvalue(), printed


COLLECT_EVERY = 8
"""Documents rendered between two collections of cyclic garbage (see `_collect_now_and_then`)."""
_rendered = 0


def _collect_now_and_then() -> None:
    """A rendered DocxTemplate is a reference cycle (document ↔ parts) holding a whole lxml tree,
    several MB that the cyclic collector does not see: with the thresholds the CLI raises for its
    million small objects (`cli.main.entry`) 250 documents reached 1.4 GB before any collection.
    Collecting every few documents keeps `docs --all` flat for a few ms per batch of eight."""
    global _rendered
    _rendered += 1
    if _rendered % COLLECT_EVERY == 0:
        gc.collect()
