"""One registration per capability (`pyaddin/capabilities.py`): the command line, the buttons, the
workbook's VBA and button sheets, the API and the README all agree with it; every action declares
the type of what it returns."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from pathlib import Path

import pytest

import pyaddin
import pyaddin.buttons
from pyaddin import capabilities
from pyaddin.capabilities import CAPABILITIES
from pyaddin.cli.commands import COMMANDS
from pyaddin.excel.build import BUTTONS, macro_calls, vba_modules

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTIONS = ROOT / "pyaddin" / "actions"

LEGACY_BUTTONS = ("validate_tracker", "flag_deadlines", "generate_documents", "build_archive_index", "weekly_report",
                  "check_all", "send_reminders", "export_calendar", "diagnose", "reuse_selected", "rules_changes",
                  "precheck_materials")
"""Every `pyaddin.buttons.<name>` a workbook already built calls: these must keep working."""

LEGACY_API = ("open_workbook", "run_check", "make_documents", "index_archive", "verify_archive", "weekly_report",
              "send_notifications", "export_calendar", "find_reusable", "diff_rules", "precheck_materials")


def test_names_are_unique_across_the_registry():
    for values in ([c.name for c in CAPABILITIES], [c.name for c in capabilities.commands()],
                   [b.macro for b in capabilities.buttons()], [b.function for b in capabilities.buttons()],
                   [b.slot for b in capabilities.buttons()], [a.verb for a in capabilities.api()]):
        assert len(values) == len(set(values)), values


@pytest.mark.parametrize("cap", [c for c in CAPABILITIES if c.action], ids=lambda c: c.name)
def test_every_capability_with_an_action_has_a_command_a_button_an_api_name_and_a_readme_section(cap):
    assert (ACTIONS / f"{cap.action}.py").is_file()
    assert cap.commands and cap.buttons and cap.api
    assert re.search(rf"^#+ {re.escape(cap.readme)}$", README, re.M), cap.readme


@pytest.mark.parametrize("cap", [c for c in CAPABILITIES if not c.action], ids=lambda c: c.name)
def test_every_tool_has_a_door_and_a_readme_section(cap):
    assert cap.commands or cap.buttons
    assert re.search(rf"^#+ {re.escape(cap.readme)}$", README, re.M), cap.readme


def test_the_command_line_offers_exactly_the_registered_commands():
    assert [c.name for c in COMMANDS] == [c.name for c in capabilities.commands()]
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    for cmd in capabilities.commands():
        assert f"`beian {cmd.name}" in README, f"README 命令表缺少 beian {cmd.name}"


def test_every_button_is_in_the_workbook_build_and_its_macro_calls_its_function():
    assert BUTTONS == capabilities.buttons()
    calls = {}
    for source in vba_modules().values():
        calls.update(macro_calls(source))
    assert calls == {b.macro: b.function for b in BUTTONS}
    assert list(pyaddin.buttons.BUTTONS) == [b.function for b in BUTTONS]
    for b in BUTTONS:
        assert pyaddin.buttons.BUTTONS[b.function] is getattr(pyaddin.buttons, b.function)
        assert f"| {b.caption} |" in README, f"README 按钮表缺少“{b.caption}”"


def test_every_button_function_is_defined_once_in_the_excel_door_and_titled_by_its_caption():
    source = (ROOT / "pyaddin" / "excel" / "buttons.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    defined = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for b in BUTTONS:
        body = ast.unparse(defined[b.function])
        assert f"_run('{b.function}'" in body, b.function


def test_every_name_an_old_workbook_calls_still_works():
    for name in LEGACY_BUTTONS:
        assert callable(getattr(pyaddin.buttons, name)), name
    with pytest.raises(AttributeError):
        pyaddin.buttons.no_such_button  # noqa: B018


def test_the_api_names_are_the_registered_verbs_and_each_is_its_action():
    assert pyaddin.__all__ == ["__version__", "open_workbook", *(a.verb for a in capabilities.api())]
    assert set(LEGACY_API) <= set(pyaddin.__all__)
    for a in capabilities.api():
        module, function = a.function.rsplit(".", 1)
        assert getattr(pyaddin, a.verb) is getattr(importlib.import_module(f"pyaddin.actions.{module}"), function)
    with pytest.raises(AttributeError):
        pyaddin.no_such_verb  # noqa: B018


def _entry_points() -> list[tuple[str, ast.FunctionDef]]:
    """Every registered API function and every public `run*`/`verify` of `pyaddin/actions/`."""
    out = []
    for path in sorted(ACTIONS.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and (node.name.startswith("run") or node.name == "verify"):
                out.append((f"{path.stem}.{node.name}", node))
    return out


@pytest.mark.parametrize(("name", "node"), _entry_points(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_action_declares_the_concrete_type_of_its_result(name, node):
    annotation = ast.unparse(node.returns) if node.returns else ""
    m = re.fullmatch(r"ActionResult\[(\w+)\]", annotation)
    assert m, f"{name} returns {annotation or '(not annotated)'}"
    module = importlib.import_module(f"pyaddin.actions.{name.split('.')[0]}")
    data_type = getattr(module, m.group(1))
    assert dataclasses.is_dataclass(data_type), f"{name}: {m.group(1)} is not a dataclass"


def test_no_result_travels_on_an_exception():
    offenders = []
    for path in (ROOT / "pyaddin").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        pattern = r"\b(?:exc|problem|error)\.(?:result|finding|findings|data|outcome)\b|getattr\(exc, \"(?:result|finding)"
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []


def test_doors_never_guess_at_an_actions_result():
    doors = [*(ROOT / "pyaddin" / "cli").rglob("*.py"), *(ROOT / "pyaddin" / "excel").rglob("*.py"),
             ROOT / "pyaddin" / "buttons.py", ROOT / "pyaddin" / "__init__.py"]
    guess = re.compile(r"(?:getattr|hasattr|isinstance)\([^)]*\.data\b")
    assert [f"{p.name}: {m.group(0)}" for p in doors for m in guess.finditer(p.read_text(encoding="utf-8"))] == []


def test_every_capability_table_is_a_workbook_sheet_from_packaged_data_and_never_the_tracker():
    from importlib.resources import files

    from pyaddin.excel.build import SHEETS
    from pyaddin.tracker.reading import OUTPUT_SHEETS

    for table in capabilities.tables():
        assert SHEETS[table.sheet] == table.code_name
        header = files("pyaddin.data").joinpath(table.csv).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert {name for name, _ in table.widths} <= set(header), table.csv
    assert capabilities.sheets() <= OUTPUT_SHEETS
    assert {s for b in BUTTONS for s in b.writes} >= {"校验结果", "到期提醒", "材料预检"}


def test_the_imports_the_registry_makes_at_run_time_keep_the_layers_and_make_no_cycle():
    """The doors import the registered modules by name (`import_module`), which the layer test cannot
    read in the source: add those edges to its graph and check them the same way."""
    from test_layers import find_cycle, internal_edges, layer

    edges = internal_edges()
    added = {("pyaddin", f"pyaddin.actions.{a.function.rsplit('.', 1)[0]}") for a in capabilities.api()}
    added |= {("pyaddin.cli.commands", f"pyaddin.cli.commands.{c.module}") for c in capabilities.commands()}
    for importer, target in added:
        assert target in edges, target
        edges[importer].add(target)
        assert layer(importer) == "door" and layer(target) in {"door", "action"}, (importer, target)
    assert find_cycle(edges) is None, " → ".join(find_cycle(edges) or [])


def test_with_the_registry_imports_the_graph_is_still_at_most_twelve_floors_deep():
    """Imports made by name still count as floors: the registry must not make the graph look flatter
    than it runs."""
    from test_layers import MAX_FLOORS, internal_edges, longest_chain

    edges = internal_edges()
    for a in capabilities.api():
        edges["pyaddin"].add(f"pyaddin.actions.{a.function.rsplit('.', 1)[0]}")
    for c in capabilities.commands():
        edges["pyaddin.cli.commands"].add(f"pyaddin.cli.commands.{c.module}")
    chain, height = longest_chain(edges)
    assert height <= MAX_FLOORS, " → ".join(chain)
