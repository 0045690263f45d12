"""Measure every SPEC §7 figure that exists, each against its baseline measured in the same run.

Every figure is end to end in a fresh interpreter (what a user waits for): `beian check` (validate +
deadlines, file mode) on generated trackers vs `pandas.read_excel(..., sheet_name=None,
engine="calamine")` of the same file; cold start `import pyaddin.buttons` vs `import pandas, xlwings`.
`bench_docs.py` and `bench_archive.py` (written with those features) run when present and their
output is appended.

Run: `uv run python benchmarks/run.py [--sizes 1000 10000 100000] [--repeat 3] [--readme]`
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

from generate import generate  # noqa: E402

PY = sys.executable
TODAY = "2026-11-20"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def timed(args: list[str], repeat: int) -> float:
    """Best wall time of `repeat` runs (the least disturbed by the machine's other work)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return min(times)


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


def rows_for(sizes: list[int], repeat: int) -> list[tuple[str, float, str, float, str]]:
    """(figure, seconds, baseline name, baseline seconds, budget) per measurement."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = generate(n)
            reps = 1 if n >= 100_000 else repeat
            base = timed(read_excel_cmd(path), reps)
            ours = timed(beian_cmd(path), reps)
            budget = "≤ 1.5×" if n == 10_000 else ("≤ 10 s" if n == 100_000 else "")
            out.append((f"beian check, {n:,} rows", ours, "read_excel calamine", base, budget))
            with_out = timed(beian_cmd(path, "--out", str(Path(tmp) / f"out{n}")), reps)
            out.append((f"beian check --out (findings.xlsx), {n:,} rows", with_out, "read_excel calamine", base,
                        "≤ 2×" if n == 100_000 else ""))
    base = timed([PY, "-c", "import pandas, xlwings"], max(repeat, 5))
    target = "pyaddin.buttons" if (ROOT / "pyaddin" / "buttons.py").exists() else "pyaddin.cli"
    ours = timed([PY, "-c", f"import {target}"], max(repeat, 5))
    out.append((f"cold start: import {target}", ours, "import pandas, xlwings", base, "≤ 1.2×"))
    return out


def verdict(seconds: float, base: float, budget: str) -> str:
    if budget.endswith("×"):
        return "OK" if seconds / base <= float(budget.split()[1].rstrip("×")) else "OVER"
    if budget.endswith(" s"):
        return "OK" if seconds <= float(budget.split()[1]) else "OVER"
    return ""


def table(rows) -> str:
    lines = ["| figure | seconds | baseline | baseline s | ratio | budget | |",
             "|---|---:|---|---:|---:|---|---|"]
    for figure, seconds, base_name, base, budget in rows:
        lines.append(f"| {figure} | {seconds:.2f} | {base_name} | {base:.2f} | {seconds / base:.2f}× | {budget} "
                     f"| {verdict(seconds, base, budget)} |")
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
    parser.add_argument("--quick", action="store_true", help="one repeat, smaller docs/archive runs")
    parser.add_argument("--no-extra", action="store_true", help="skip bench_docs.py and bench_archive.py")
    parser.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    report = f"Machine: {machine()}\n\n{table(rows_for(args.sizes, repeat))}"
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
