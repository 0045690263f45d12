"""Template rendering is bounded in memory, time and recursion while the sandbox holds: each hostile
template is refused with one Chinese line naming it (exit 2), quickly, and `templates --check` reads
it without evaluating anything large. Run in a child process with a 2 GB address-space limit, so a
regression fails the test instead of exhausting the shared machine."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from test_documents import make_template, row, tracker

from pyaddin.adapters import docx_templates
from pyaddin.cli.main import main

HOSTILE = [
    "{{ ('a'*100000)*100000 }}",
    "{{ ([0]*100000)*100000 }}",
    "{{ (['a'*100000]*100000)|join }}",
    "{{ (['a'*100000]*100)|join(',') }}",
    "{{ ('b'*100000).join(['x']*100) }}",
    "{{ 'x'|center(999999999) }}",
    "{{ 'x'.ljust(999999999) ~ 'x'.zfill(999999999) }}",
    "{{ '%999999999s' % 'x' }}",
    "{{ '%*s' % (999999999, 'x') }}",
    "{{ '%999999999s'|format('x') }}",
    "{{ '{:>999999999}'.format('x') }}",
    "{{ '{:{}}'.format('x', 999999999) }}",
    "{{ 'x'|indent(999999999) ~ 'x'|wordwrap(999999999) }}",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}",
]

SCRIPT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
from pyaddin.cli.main import main
sys.exit(main(sys.argv[1:], prog_name="beian"))
"""

RENDER_ALL = """
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
from pyaddin.adapters.docx_templates import load_template, render
out = []
for path in sorted(Path(sys.argv[1]).glob("*.docx")):
    started = time.monotonic()
    try:
        render(load_template(path), {"主体名称": "示例公司"})
        out.append([path.name, None, "", time.monotonic() - started])
    except BaseException as exc:
        out.append([path.name, type(exc).__name__, str(exc), time.monotonic() - started])
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return tracker(tmp_path_factory.mktemp("book"), [row("BA-1")])


def run_limited(args: list[str], script: str = SCRIPT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300)


def test_every_hostile_template_is_refused_quickly_naming_it(tmp_path):
    """All in one child process under a 2 GB address-space limit: a regression fails, never swaps."""
    for i, hostile in enumerate(HOSTILE):
        make_template(tmp_path, f"模板{i:02d}.docx", "{{ 主体名称 }}", hostile)
    result = run_limited([str(tmp_path)], RENDER_ALL)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    assert len(outcomes) == len(HOSTILE)
    for name, kind, message, seconds in outcomes:
        hostile = HOSTILE[int(name[2:4])]
        assert kind == "TemplateTooCostly", (hostile, kind, message)
        assert f"模板“{name}”" in message and "计算量过大" in message, (hostile, message)
        assert seconds < 20, (hostile, seconds)


def test_the_command_line_refuses_a_hostile_template_in_one_line(book, tmp_path):
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }}", HOSTILE[0])
    result = run_limited(["docs", str(book), "--templates", str(tpl), "--kind", "承诺书", "--out",
                          str(tmp_path / "out"), "--today", "2025-10-20"])
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "安全承诺书.docx" in lines[0], result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr


def test_templates_check_reads_hostile_constants_without_evaluating_them(tmp_path):
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }}", *HOSTILE)
    result = run_limited(["templates", "--check", str(tpl)])
    assert result.returncode in (0, 1), result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr


def test_a_loop_the_sandbox_does_not_see_is_stopped_by_the_clock(book, tmp_path, monkeypatch):
    """Nested loops over long strings call nothing the sandbox intercepts: the wall-time limit ends them."""
    monkeypatch.setattr(docx_templates, "RENDER_SECONDS", 1)
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }}",
                  "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["docs", str(book), "--templates", str(tpl), "--kind", "承诺书",
                                       "--out", str(tmp_path / "out"), "--today", "2025-10-20"])
    assert time.monotonic() - started < 20
    assert result.exit_code == 2
    assert "安全承诺书.docx" in result.stderr and "1 秒" in result.stderr


def test_ordinary_filters_ranges_and_formats_still_work(book, tmp_path):
    tpl = tmp_path / "tpl"
    make_template(tpl, "安全承诺书.docx", "{{ 主体名称 }}",
                  "[{{ 'ab'|center(6) }}|{{ [1, 2]|join('、') }}|{{ '%05.1f' % 3.14159 }}|{{ '{:>4}'.format(7) }}|"
                  "{{ range(3)|list|length }}|{% for i in range(2) %}{{ i }}{% endfor %}|{{ 'x' * 3 }}]")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["docs", str(book), "--templates", str(tpl), "--kind", "承诺书",
                                       "--out", str(out), "--today", "2025-10-20"])
    assert result.exit_code == 0, result.output
    from docx import Document

    [doc] = out.glob("*.docx")
    text = "\n".join(p.text for p in Document(doc).paragraphs)
    assert "[  ab  |1、2|003.1|   7|3|01|xxx]" in text

