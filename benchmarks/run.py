"""Measure every budget of docs/budgets.md that exists, each against its baseline measured in the same run.

Every figure is end to end in a fresh interpreter (what a user waits for): `beian check` (validate +
deadlines, file mode) on generated trackers vs `pandas.read_excel(..., sheet_name=None,
engine="calamine")` of the same file; cold start `import pyaddin.buttons` vs `import pandas, xlwings`.
`bench_docs.py` and `bench_archive.py` (written with those features) run when present and their
output is appended.

Both sides run with the venv's own python (`sys.executable`, e.g. `.venv/bin/python benchmarks/run.py`),
never through `uv run`, so no launcher start-up is counted on either side; the venv's bytecode is
compiled first (`compileall`, as an installed package has it), because with PYTHONDONTWRITEBYTECODE
every run would otherwise compile pandas from source. Each figure shows wall time (best of
`--repeat`) and CPU time (user + sys of the process and its children, best of `--repeat`): on a
shared machine CPU time is the steadier of the two. The many-trackers case also shows the peak
resident memory of the whole process tree (workers included) against the read's.

Run: `.venv/bin/python benchmarks/run.py [--sizes 1000 10000 100000] [--many 20] [--repeat 3] [--readme]`
(`--readme` rewrites the table in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate, many_trackers  # noqa: E402

PY = sys.executable
TODAY = "2026-11-20"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def ensure_bytecode() -> None:
    """Compile the venv's packages and pyaddin once (a no-op when up to date), as `pip install` does."""
    import compileall
    import sysconfig

    for where in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], str(ROOT / "pyaddin")}:
        compileall.compile_dir(where, quiet=2, workers=1)


class Timing(float):
    """Best wall seconds (the float), with the best CPU seconds beside it."""

    cpu: float

    def __new__(cls, wall: float, cpu: float):
        obj = super().__new__(cls, wall)
        obj.cpu = cpu
        return obj


def timed(args: list[str], repeat: int) -> Timing:
    """Best wall time and best CPU time of `repeat` runs (the least disturbed by the machine's other work)."""
    import resource

    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return Timing(min(walls), min(cpus))


def interleaved(commands: dict[str, list[str]], repeat: int) -> dict[str, Timing]:
    """Each command once per round, `repeat` rounds, the baseline and ours side by side: on a shared
    machine a slow minute then slows both sides of a ratio instead of one. Best of the rounds."""
    runs: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, args in commands.items():
            runs[name].append(timed(args, 1))
    return {name: Timing(min(t), min(x.cpu for x in t)) for name, t in runs.items()}


def _tree_pss(root: int) -> int:
    """Proportional set size of `root` and all its descendants (Linux /proc): resident memory with
    pages shared between processes (a forked worker's copy-on-write pages of pandas and numpy)
    divided among them, so that the tree's total is not counted twice."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                parents[int(entry)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            continue
    return total


def peak_memory(args: list[str]) -> int:
    """Peak memory (PSS) of the process tree, sampled every 20 ms (0 where /proc is missing)."""
    if not Path("/proc/self/smaps_rollup").exists():
        return 0
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_pss(proc.pid))
        time.sleep(0.02)
    return peak


def read_excel_cmd(path: Path) -> list[str]:
    return [PY, "-c", f"import pandas; pandas.read_excel({str(path)!r}, sheet_name=None, engine='calamine')"]


def beian_cmd(path: Path, *extra: str) -> list[str]:
    return [PY, "-m", "pyaddin", "check", str(path), "--today", TODAY, *extra]


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu or 'unknown CPU'}), Python {platform.python_version()}, {platform.system()}"


def read_many_cmd(folder: Path) -> list[str]:
    """One pandas read of every tracker in the folder, all kept (what a group report would load)."""
    return [PY, "-c", "import pandas, pathlib, sys\n"
            f"frames = [pandas.read_excel(p, sheet_name=None, engine='calamine') "
            f"for p in sorted(pathlib.Path({str(folder)!r}).glob('*.xlsx'))]"]


def rows_for(sizes: list[int], repeat: int, many: int = 0) -> list[tuple]:
    """(figure, ours, baseline name, baseline, budget) per measurement; ours/baseline are Timings,
    or (bytes, bytes) for a memory row."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = generate(n)
            commands = {"base": read_excel_cmd(path), "check": beian_cmd(path),
                        "out": beian_cmd(path, "--out", str(Path(tmp) / f"out{n}"))}
            if n == 10_000:
                commands["json"] = beian_cmd(path, "--json")
            got = interleaved(commands, repeat)
            base = got["base"]
            budget = "≤ 1.5×" if n == 10_000 else ("≤ 10 s" if n == 100_000 else "")
            out.append((f"beian check, {n:,} rows", got["check"], "read_excel calamine", base, budget))
            if n == 10_000:
                out.append((f"beian check --json (piped), {n:,} rows", got["json"], "read_excel calamine", base,
                            "≤ 1.6×"))
            out.append((f"beian check --out (findings.xlsx), {n:,} rows", got["out"], "read_excel calamine", base,
                        "≤ 2×" if n == 100_000 else ""))
        if many:
            folder = many_trackers(many, 10_000)
            base = timed(read_many_cmd(folder), 1)
            ours = timed([PY, "-m", "pyaddin", "check", str(folder), "--today", TODAY], 1)
            label = f"{many} trackers × 10,000 rows"
            out.append((f"beian check <folder>, {label}, one run", ours, f"read_excel of all {many}", base, "≤ 1.5×"))
            loop = timed([sys.executable, "-c", "import subprocess, sys, pathlib\n"
                          f"for p in sorted(pathlib.Path({str(folder)!r}).glob('*.xlsx')):\n"
                          f"    subprocess.run([sys.executable, '-m', 'pyaddin', 'check', str(p), '--today', {TODAY!r}],"
                          f" stdout=subprocess.DEVNULL)"], 1)
            out.append((f"loop of single beian check, {label}", loop, f"read_excel of all {many}", base, ""))
            mem_base = peak_memory(read_many_cmd(folder))
            mem_ours = peak_memory([PY, "-m", "pyaddin", "check", str(folder), "--today", TODAY])
            if mem_base:
                out.append((f"peak memory (PSS), {label} (process tree)", mem_ours, f"read_excel of all {many}", mem_base,
                            "≤ 1.5×"))
    base = timed([PY, "-c", "import pandas, xlwings"], max(repeat, 5))
    target = "pyaddin.buttons"
    ours = timed([PY, "-c", f"import {target}"], max(repeat, 5))
    out.append((f"cold start: import {target}", ours, "import pandas, xlwings", base, "≤ 1.2×"))
    return out


def verdict(ours: float, base: float, budget: str) -> str:
    if budget.endswith("×"):
        return "OK" if ours / base <= float(budget.split()[1].rstrip("×")) else "OVER"
    if budget.endswith(" s"):
        return "OK" if ours <= float(budget.split()[1]) else "OVER"
    return ""


def table(rows) -> str:
    lines = ["| figure | wall s | baseline | baseline wall s | wall ratio | CPU ratio | budget | wall | CPU |",
             "|---|---:|---|---:|---:|---:|---|---|---|"]
    for figure, ours, base_name, base, budget in rows:
        if isinstance(ours, Timing):
            lines.append(f"| {figure} | {ours:.2f} | {base_name} | {base:.2f} | {ours / base:.2f}× | "
                         f"{ours.cpu / base.cpu:.2f}× | {budget} | {verdict(ours, base, budget)} | "
                         f"{verdict(ours.cpu, base.cpu, budget) if budget.endswith('×') else ''} |")
        else:  # memory: bytes
            lines.append(f"| {figure} | {ours / 1e6:.0f} MB | {base_name} | {base / 1e6:.0f} MB | {ours / base:.2f}× | "
                         f" | {budget} | {verdict(ours, base, budget)} | |")
    return "\n".join(lines)


def extra_benchmarks(quick: bool) -> str:
    parts = []
    for name, args in (("bench_docs.py", ["--repeat", "1" if quick else "3"]),
                       ("bench_archive.py", ["--repeat", "1" if quick else "3"] + (["--scale", "0.2"] if quick else []))):
        script = HERE / name
        if not script.exists():
            continue
        proc = subprocess.run([PY, str(script), *args], cwd=ROOT, capture_output=True, text=True)
        text = proc.stdout.strip() if proc.returncode == 0 else f"failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
        parts.append(f"`{name}`:\n\n```\n{text}\n```")
    return "\n\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--many", type=int, default=20, metavar="N",
                        help="N trackers × 10k rows in one run (0: skip)")
    parser.add_argument("--quick", action="store_true", help="one repeat, smaller docs/archive runs")
    parser.add_argument("--no-extra", action="store_true", help="skip bench_docs.py and bench_archive.py")
    parser.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    ensure_bytecode()
    report = (f"Machine: {machine()}; load average before the run {os.getloadavg()[0]:.1f}\n\n"
              f"{table(rows_for(args.sizes, repeat, args.many))}")
    if not args.no_extra:
        extra = extra_benchmarks(args.quick)
        if extra:
            report += "\n\n" + extra
    print(report)
    if args.readme:
        readme = HERE / "README.md"
        text = readme.read_text(encoding="utf-8")
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        readme.write_text(f"{head}{BEGIN}\n{report}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
