"""`beian rules-diff` and `beian reuse` on the 10k-row benchmark tracker vs `beian check` on the same
file, each end to end in a fresh interpreter, best of `--repeat`, measured in the same run.

rules-diff compares the current (packaged) rules with an older version written into the history
folder first (BASE-04 missing, BASE-02 at warning), so it computes the impact of two changes on
every open filing; reuse ranks the approved filings for one draft (no archive manifest: the
figure is the ranking, not file hashing, which `bench_archive.py` measures).

Run: `uv run python benchmarks/bench_loop.py [--rows 10000] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from pyaddin.compliance.rules_diff import snapshot_name, to_csv_text  # noqa: E402

PY = sys.executable
TODAY = "2026-11-20"


def timed(args: list[str], cwd: Path, repeat: int) -> float:
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        best = elapsed if best is None else min(best, elapsed)
    return best


def older_rules(path: Path, history: Path) -> str:
    """Write an older version of the rules into `history/rules/` and return its file name."""
    from pyaddin.actions.loader import open_context
    from pyaddin.adapters.files import FileReader
    from pyaddin.compliance.rules_diff import rule_rows

    ctx = open_context(FileReader(), path, today=date.fromisoformat(TODAY))
    rows = [dict(r, 级别="warning") if r["规则编号"] == "BASE-02" else r
            for r in rule_rows(ctx.rules) if r["规则编号"] != "BASE-04"]
    name = snapshot_name(0, date(2026, 1, 1), "default", "0" * 8)
    (history / "rules").mkdir(parents=True, exist_ok=True)
    (history / "rules" / name).write_text(to_csv_text(rows), encoding="utf-8")
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = generate(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        out = cwd / "out"
        since = older_rules(path, out / "history")
        beian = [PY, "-m", "pyaddin"]
        check = timed([*beian, "check", str(path), "--today", TODAY], cwd, args.repeat)
        diff = timed([*beian, "rules-diff", str(path), "--today", TODAY, "--out", str(out), "--since", since], cwd,
                     args.repeat)
        reuse = timed([*beian, "reuse", str(path), "--today", TODAY, "--out", str(out), "--id", "BA-2026-000010"],
                      cwd, args.repeat)
    print(f"| figure ({args.rows} rows, best of {args.repeat}) | seconds | vs check |")
    print("|---|---|---|")
    print(f"| beian check (baseline) | {check:.2f} | 1.00× |")
    print(f"| beian rules-diff --since (2 changes, impact on every open filing) | {diff:.2f} | {diff / check:.2f}× |")
    print(f"| beian reuse --id (rank approved filings for one draft) | {reuse:.2f} | {reuse / check:.2f}× |")


if __name__ == "__main__":
    main()
