"""Archive hashing vs `sha256sum` over the same ~1 GB tree (budget ≤ 1.3×, docs/budgets.md).

Builds 20×40 MB + 2000×100 KB + 5000×4 KB files in 20 filing folders in a temp folder, warms
the page cache, then times, best of `--repeat`:
- `find … -type f -print0 | xargs -0 sha256sum` (the reference),
- beian's scan + hash with a cold hash cache (what `beian archive` pays the first time),
- the whole `build_index` (scan, hash, manifest, archive_index.xlsx) cold, and a warm re-run.

Run: `uv run python benchmarks/bench_archive.py [--scale 1.0] [--repeat 3] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyaddin.actions import archive as archive_action  # noqa: E402
from pyaddin.adapters import archive_tree  # noqa: E402
from pyaddin.adapters.files import read_book  # noqa: E402
from pyaddin.run.build import build_context  # noqa: E402

FILINGS = 20
MATERIAL_NAMES = ["营业执照.pdf", "活动方案.docx", "海报.jpg", "安全承诺书.pdf", "隐私政策.pdf", "素材.bin"]


def build_tree(root: Path, scale: float) -> tuple[int, int]:
    plan = [(20, 40 << 20), (2000, 100 << 10), (5000, 4 << 10)]
    block = os.urandom(1 << 20)
    n = total = 0
    for count, size in plan:
        for i in range(max(1, int(count * scale))):
            folder = root / f"BA-B-{i % FILINGS:04d} 基准活动"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{size}_{i}_{MATERIAL_NAMES[i % len(MATERIAL_NAMES)]}"
            with open(folder / name, "wb") as fh:
                left = size
                salt = i.to_bytes(8, "little")
                while left > 0:
                    chunk = (salt + block)[: min(left, 1 << 20)]
                    fh.write(chunk)
                    left -= len(chunk)
            n += 1
            total += size
    return n, total


def workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(["备案编号", "活动名称", "平台", "主体名称", "状态"])
    for i in range(FILINGS):
        ws.append([f"BA-B-{i:04d}", "基准活动", "微信", "上海星河数字科技有限公司", "已通过"])
    wb.save(path)
    return path


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=None, help="build the tree here and keep it")
    args = ap.parse_args()
    if shutil.which("sha256sum") is None:
        sys.exit("sha256sum not found")
    tmp = Path(tempfile.mkdtemp(prefix="beian-bench-archive-"))
    root = args.keep or tmp / "archive"
    try:
        root.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        n, total = build_tree(root, args.scale)
        print(f"tree: {n} files, {total / 1e9:.2f} GB in {FILINGS} filing folders (built in {time.perf_counter() - t:.1f} s)")
        ctx = build_context(read_book(workbook(tmp / "台账.xlsx")), system_today=date(2026, 11, 20))

        def reference():
            subprocess.run(f"find '{root}' -type f -print0 | xargs -0 sha256sum > /dev/null", shell=True, check=True)

        def ours_hash():
            scan = archive_tree.scan_tree(root, [f"BA-B-{i:04d}" for i in range(FILINGS)], ctx.catalog)
            hashed, failed = archive_tree.hash_files(scan.files)
            assert hashed == n and not failed

        out = tmp / "out"

        def ours_full():
            shutil.rmtree(out, ignore_errors=True)
            result = archive_action.run(ctx, out_dir=out, root=root).data
            assert result.hashed == n

        reference()  # warm the page cache so both sides read from memory
        t_ref = best(reference, args.repeat)
        t_hash = best(ours_hash, args.repeat)
        t_full = best(ours_full, args.repeat)
        t_warm = best(lambda: archive_action.run(ctx, out_dir=out, root=root), args.repeat)
        warm = archive_action.run(ctx, out_dir=out, root=root).data.hashed

        print(f"{'measure':<44}{'seconds':>9}{'ratio':>8}")
        print(f"{'sha256sum (find | xargs -0)':<44}{t_ref:>9.2f}{1:>8.2f}")
        print(f"{'beian scan + hash, cold cache':<44}{t_hash:>9.2f}{t_hash / t_ref:>8.2f}")
        print(f"{'beian build_index (index + manifest), cold':<44}{t_full:>9.2f}{t_full / t_ref:>8.2f}")
        print(f"{'beian build_index re-run, warm cache':<44}{t_warm:>9.2f}{t_warm / t_ref:>8.2f}"
              f"   (files hashed: {warm})")
        print(f"budget ≤ 1.30×: {'OK' if t_full / t_ref <= 1.3 else 'OVER'}"
              f" (workers={archive_tree.HASH_WORKERS}, cpus={os.cpu_count()}, {total / t_hash / 1e6:.0f} MB/s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
