"""The Jinja environment every template renders in: sandboxed (a template can never run code or
reach outside its data), strict about undefined names, autoescaped so `A&B<C>` cannot break the
XML, and bounded so a template can neither exhaust memory nor stall a batch. The bounds are the
constants below; recursion depth and wall time are bounded where the render runs
(`adapters.docx_templates.render`)."""

from __future__ import annotations

import math
import re
from functools import cache

from . import chinese_format
from .blanks import BLANK, blank_safe

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
    env.filters["中文日期"] = blank_safe(chinese_format.chinese_date)
    env.filters["金额"] = blank_safe(chinese_format.money)
    env.filters["大写金额"] = blank_safe(chinese_format.capital_amount)
    return env


def _finalize(value):
    if value is None:
        return BLANK
    budget = jinja_env().budget
    budget.step()
    if isinstance(value, str):
        budget.print(len(value))
    return value
