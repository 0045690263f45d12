"""Peak memory of `beian check` against reading the same cells with calamine (issue 25's budget:
≤ 3× the read, and ≤ 1 GB for any file under 1 MB).

What is measured, and why this way:
- **Peak resident memory (max RSS)** of each process, the kernel's own account of the child as
  `/usr/bin/time` reports it ("Maximum resident set size"): exact, with no sampling that could miss
  a short peak. (Linux and GNU time only.)
- **Ours:** `python -m pyaddin check FILE --today …` (file mode, summary on the terminal), the
  venv's python, no `uv run`.
- **The read:** a script that imports only python-calamine and keeps every sheet's cells as
  Python values (`CalamineWorkbook.from_path(…).get_sheet_by_name(n).to_python()` for each sheet),
  which is the least any reader of the workbook holds.
- **Two ratios**, because the two sides start from very different floors: the calamine script
  never imports pandas (~10 MB at start), `check` does (~80 MB before reading a cell):
  - *raw*: peak of check ÷ peak of the read;
  - *net*: (peak of check − its interpreter+imports) ÷ (peak of the read − its interpreter+import
    of python-calamine); each floor is the max RSS of a process that only imports what that side
    imports. The raw ratio at small sizes is mostly pandas' import, which no work on `check` moves.
- Each size runs `--repeat` rounds with the two sides interleaved; the smallest peak of the rounds
  is kept (the steadiest on a shared machine, though peak RSS varies little).
- `--hostile` adds the worst file under 1 MB the reader's row budget lets through (near-empty rows
  at the reader's minimum bytes per row), against the 1 GB ceiling.

Run: `.venv/bin/python benchmarks/bench_memory.py [--sizes 1000 10000 100000] [--repeat 2] [--hostile]`
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PY = sys.executable
TODAY = "2026-11-20"
READ_CELLS = ("import sys\nfrom python_calamine import CalamineWorkbook\n"
              "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
              "cells = [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]\n")
READ_FLOOR = "import python_calamine"
CHECK_FLOOR = ("import pandas, pyaddin.cli.main, pyaddin.actions.many, pyaddin.compliance.validate, "
               "pyaddin.deadlines.checks, pyaddin.adapters.files")
"""What `check` has imported before it reads a cell (pandas is ~70 MB of it)."""


TIME = "/usr/bin/time"


def max_rss(args: list[str]) -> int:
    """Peak resident bytes of one child process, as GNU time reports it ("Maximum resident set size").

    Not this process's own `wait4` rusage: a child forked from this (~40 MB) interpreter keeps the
    parent's resident size as its high-water mark across exec, which would put a 40 MB floor under
    every figure; `time` is a small C program, so the child it forks starts from almost nothing."""
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        proc = subprocess.run([TIME, "-f", "%M", "-o", out.name, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return int(out.read().split()[-1]) * 1024  # KiB


def best(commands: dict[str, list[str]], repeat: int) -> dict[str, int]:
    runs: dict[str, list[int]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, args in commands.items():
            runs[name].append(max_rss(args))
    return {name: min(values) for name, values in runs.items()}


def hostile_file(folder: Path) -> Path:
    """As many near-empty rows as the reader's row budget lets through a file just under 1 MB: each
    row holds its 备案编号, a platform and a form with a draw (so every field and material those
    require is a finding, ~9 a row), and the file is padded
    with an incompressible part nothing reads up to 0.99 MB."""
    import random
    import zipfile

    import xlsxwriter

    from pyaddin.adapters.files import MIN_BYTES_PER_ROW

    size = 990_000
    path = folder / "hostile_under_1mb.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("备案台账")
    sheet.write_row(0, 0, ["备案编号", "活动名称", "投放平台", "上线日期", "备案状态", "活动形式"])
    for r in range(1, size // MIN_BYTES_PER_ROW - 10):
        sheet.write_row(r, 0, [f"BA-{r:06d}", "", "抖音", "", "", "H5、抽奖"])
    book.close()
    pad = size - path.stat().st_size - 200
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("customXml/pad.bin", random.Random(0).randbytes(pad))
    return path


def table(rows: list[tuple[str, dict[str, int]]], floors: dict[str, int]) -> str:
    mb = 1e6
    lines = [f"Floors (interpreter + imports, max RSS): check {floors['check'] / mb:.0f} MB, "
             f"calamine {floors['read'] / mb:.0f} MB", "",
             "| input | check MB | calamine read MB | raw ratio | check − floor MB | read − floor MB | net ratio | budget |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, got in rows:
        net_ours, net_read = got["check"] - floors["check"], got["read"] - floors["read"]
        net = f"{net_ours / net_read:.2f}×" if net_read > 0 else "—"
        over = " (under 1 GB: " + ("OK)" if got["check"] < 1e9 else "OVER)") if "1 MB" in name else ""
        verdict = "OK" if got["check"] <= 3 * got["read"] else ("net OK" if net_read > 0 and net_ours <= 3 * net_read
                                                                 else "OVER")
        lines.append(f"| {name} | {got['check'] / mb:.0f} | {got['read'] / mb:.0f} | {got['check'] / got['read']:.2f}× | "
                     f"{net_ours / mb:.0f} | {net_read / mb:.0f} | {net} | ≤ 3×: {verdict}{over} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--hostile", action="store_true", help="also the worst file under 1 MB the reader accepts")
    args = parser.parse_args()
    floors = best({"check": [PY, "-c", CHECK_FLOOR], "read": [PY, "-c", READ_FLOOR]}, max(args.repeat, 3))
    inputs = [(f"{n:,} rows ({generate(n).stat().st_size / 1e6:.1f} MB)", generate(n)) for n in args.sizes]
    if args.hostile:
        import tempfile

        tmp = tempfile.TemporaryDirectory()
        path = hostile_file(Path(tmp.name))
        inputs.append((f"near-empty rows, {path.stat().st_size / 1e6:.2f} MB file (< 1 MB)", path))
    rows = []
    for name, path in inputs:
        got = best({"read": [PY, "-c", READ_CELLS, str(path)],
                    "check": [PY, "-m", "pyaddin", "check", str(path), "--today", TODAY]}, args.repeat)
        rows.append((name, got))
        print(f"{name}: check {got['check'] / 1e6:.0f} MB, read {got['read'] / 1e6:.0f} MB", file=sys.stderr, flush=True)
    print(table(rows, floors))


if __name__ == "__main__":
    main()
