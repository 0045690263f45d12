"""The contract in docs/ stays true to the code: the pages generated from data equal what the
generator writes now, every workbook sheet, JSON field and exit code has its line, every page a
text refers to exists, and nothing in the repository points at a file outside it."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT

DOCS = ROOT / "docs"
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()


def _generator():
    spec = importlib.util.spec_from_file_location("build_docs", DOCS / "build_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def repo_texts() -> dict[str, str]:
    """Every committed (or staged) text file of the repository, by its path."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    texts = {}
    for name in listed:
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary: xlsx, docx, xlsm, images
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts


@pytest.mark.parametrize("page", ["fields.md", "settings.md", "codes.md"])
def test_generated_page_equals_what_its_data_gives(page):
    build = _generator().PAGES[page]
    committed = (DOCS / page).read_text(encoding="utf-8")
    assert committed == build(), f"docs/{page} is stale: run `uv run python docs/build_docs.py`"


def test_generated_pages_list_every_field_and_setting_with_its_bounds():
    """Every finding code in docs/codes.md: `test_cli.test_every_finding_code_is_documented_in_docs_codes`."""
    from pyaddin.tracker.settings import setting_bounds

    fields = (DOCS / "fields.md").read_text(encoding="utf-8")
    settings = (DOCS / "settings.md").read_text(encoding="utf-8")
    for key, (low, high) in setting_bounds().items():
        row = next(line for line in settings.splitlines() if f"| `{key}` |" in line)
        low, high = (str(int(v)) if v == int(v) else str(v) for v in (low, high))
        assert f"| {low} | {high} |" in row, (key, row)
    for key in ("filing_id", "platform", "status", "original_id", "minors"):
        assert f"| `{key}` |" in fields, key


def test_every_sheet_the_workbook_build_writes_has_a_section():
    from pyaddin.excel.build import SHEETS

    page = (DOCS / "sheets.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (.+)$", page, flags=re.M))
    assert set(SHEETS) <= headings, set(SHEETS) - headings


def test_every_key_check_json_writes_is_documented():
    from pyaddin.run.findings import Finding, Report

    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    finding = Finding(code="missing-value", message="m", severity="error")
    report = Report(command="check", workbook="x.xlsx", today=date(2026, 1, 1), findings=[finding])
    keys = set(report.as_json()) | set(finding.as_json()) | set(report.summary())
    missing = {k for k in keys if f"`{k}`" not in page}
    assert not missing, missing


def test_every_exit_code_is_documented():
    from pyaddin.cli.commands.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK

    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for code in (EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN, 141, 143):
        assert f"\n| {code} |" in page, code


def test_every_docs_page_a_text_names_exists(repo_texts):
    named = {(name, m) for name, text in repo_texts.items()
             for m in re.findall(r"docs/([\w.-]+\.(?:md|py))", text)}
    named |= {(f"docs/{name}", m) for name in (p.name for p in DOCS.glob("*.md"))
              for m in re.findall(r"\]\(([\w.-]+\.md)\)", (DOCS / name).read_text(encoding="utf-8"))}
    missing = sorted((where, page) for where, page in named if not (DOCS / page).exists())
    assert not missing, missing


def test_no_text_in_the_repository_points_outside_it(repo_texts):
    outside = re.compile(r"\.\./shared|SPEC §")
    found = [(name, i + 1, line.strip()) for name, text in repo_texts.items() if name != THIS
             for i, line in enumerate(text.splitlines()) if outside.search(line)]
    assert not found, found[:20]
