"""The package's shape: no import cycles, writers only in the outer layers, core knows no door.

The core is the domain folders (tracker, compliance, deadlines, documents, archive, reports,
notify, run): they compute. `adapters/` read and write files and live Excel; `actions/` are the
only place that uses both; `cli/`, `excel/`, `buttons.py` and the package face are doors. These
tests read every import statement (lazy ones inside functions included) so a shortcut cannot slip
in unnoticed, and they count package faces (`__init__.py`) as modules, so a cycle through a face
is a cycle. The import graph stays at most twelve floors deep (faces count 0, as
`shared/tools/structure` counts), and only adapters and doors read, write, list or walk files.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "pyaddin"
WRITER_LIBS = {"xlsxwriter", "rustpy_xlsxwriter", "xlwings", "openpyxl", "matplotlib"}
DOOR_PACKAGES = ("pyaddin.cli", "pyaddin.excel")
DOORS = {"pyaddin", "pyaddin.buttons", "pyaddin.__main__"}
MAX_FLOORS = 12
FILE_IO = re.compile(r"\b(open|os\.walk|os\.scandir|os\.listdir|shutil\.\w+)\(|"
                     r"\.(read_text|read_bytes|write_text|write_bytes|iterdir|rglob|glob)\(")
"""Calls that read, write, list or walk files: only adapters and doors make them."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    targets = []
    for alias in node.names:
        candidate = f"{prefix}.{alias.name}"
        targets.append(candidate if candidate in MODULES else prefix)
    return targets


def imports_of(path: Path) -> list[str]:
    name = module_name(path)
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out += resolve(name, path.name == "__init__.py", node)
    return out


FILES = sorted(ROOT.rglob("*.py"))
MODULES = {module_name(p) for p in FILES}
GRAPH = {module_name(p): imports_of(p) for p in FILES}


def layer(module: str) -> str:
    if module.startswith("pyaddin.adapters"):
        return "adapter"
    if module.startswith("pyaddin.actions"):
        return "action"
    if module.startswith(DOOR_PACKAGES) or module in DOORS:
        return "door"
    return "core"


def internal_edges() -> dict[str, set[str]]:
    return {m: {t for t in targets if t in MODULES and t != m} for m, targets in GRAPH.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_anywhere_in_the_package():
    edges = internal_edges()
    assert find_cycle(edges) is None, " → ".join(find_cycle(edges) or [])


def test_the_cycle_finder_would_catch_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def floors(edges: dict[str, set[str]], faces: set[str]) -> dict[str, int]:
    """Each module's floor: 1 + the highest floor it imports (0 + … for a package face, which only
    hands names on), so the package's floors are the longest import chain counted in modules."""

    @functools.cache
    def floor(module: str) -> int:
        return (0 if module in faces else 1) + max((floor(t) for t in edges.get(module, ())), default=0)

    return {m: floor(m) for m in edges}


def longest_chain(edges: dict[str, set[str]]) -> tuple[list[str], int]:
    """The import chain that sets the floor count, top module first (package faces counted 0)."""
    faces = {module_name(p) for p in FILES if p.name == "__init__.py"}
    height = floors(edges, faces)
    chain = [max(height, key=height.get)]
    while edges.get(chain[-1]):
        chain.append(max(edges[chain[-1]], key=height.get))
    return chain, height[chain[0]]


def test_the_import_graph_is_at_most_twelve_floors_deep():
    edges = internal_edges()
    assert find_cycle(edges) is None
    chain, height = longest_chain(edges)
    assert height <= MAX_FLOORS, " → ".join(chain)


def test_the_floor_count_skips_package_faces_and_follows_the_longest_chain():
    edges = {"door": {"face"}, "face": {"deep", "leaf"}, "deep": {"leaf"}, "leaf": set()}
    assert floors(edges, {"face"}) == {"door": 3, "face": 2, "deep": 2, "leaf": 1}


def file_io_calls(path: Path) -> list[int]:
    """Line numbers of file I/O calls (comments and docstring lines aside; package data read through
    importlib.resources, `files("pyaddin…")`, is not file I/O)."""
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#")[0]
        if FILE_IO.search(code) and 'files("pyaddin' not in code and not line.strip().startswith(('"', "'")):
            out.append(i)
    return out


def test_only_adapters_and_doors_touch_files():
    offenders = [f"{p.relative_to(ROOT.parent)}:{i}" for p in FILES if layer(module_name(p)) in {"core", "action"}
                 for i in file_io_calls(p)]
    assert offenders == []


def test_the_file_io_check_would_catch_a_walk_a_listing_and_a_read(tmp_path):
    sample = tmp_path / "core.py"
    sample.write_text('import os\nfor e in os.scandir(root):\n    pass\nnames = folder.iterdir()\n'
                      'text = Path(p).read_text()\ndata = files("pyaddin.data").joinpath("x.csv").read_text()\n'
                      '# open(p) in a comment is not a call\n', encoding="utf-8")
    assert file_io_calls(sample) == [2, 4, 5]


def test_writer_libraries_are_imported_only_by_adapters_doors_and_build_tooling():
    offenders = [f"{m} imports {t}" for m, targets in GRAPH.items() for t in targets
                 if t.split(".")[0] in WRITER_LIBS and layer(m) not in {"adapter", "door"}]
    assert offenders == []


@pytest.mark.parametrize(("inner", "forbidden"), [
    ("core", {"adapter", "action", "door"}),
    ("adapter", {"action", "door"}),
    ("action", {"door"}),
])
def test_inner_layers_never_import_outer_ones(inner, forbidden):
    offenders = [f"{m} imports {t}" for m, targets in internal_edges().items() if layer(m) == inner
                 for t in targets if layer(t) in forbidden]
    assert offenders == []


def test_every_exception_lives_in_errors_and_is_a_beian_error():
    import inspect

    from pyaddin import errors

    elsewhere = []
    for path in FILES:
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(b, ast.Name) and (b.id.endswith(("Error", "Exception")) or b.id == "BeianError")
                    for b in node.bases):
                elsewhere.append(f"{module_name(path)}.{node.name}")
    assert elsewhere == []
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception)]
    assert classes and all(issubclass(c, errors.BeianError) for c in classes)
