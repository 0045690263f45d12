"""How much address space a pre-check worker adds while reading the heaviest legitimate materials —
the figures `pool.WORKER_MEMORY` (2 GiB) is chosen against.

For each material a fresh worker is forked from this process and set up as the reader's pool sets
up its workers, with no ceiling; it reads the file with the real `extract` (OCR on) and reports its VmPeak and VmHWM
(peak resident) minus its VmSize/VmRSS at start. The address space is what RLIMIT_AS counts.
Materials: a 1080×1920 poster, a 20-page scanned A4 PDF (every page OCR'd, `MAX_OCR_PAGES`),
an 8000×8000 photo (the pixel limit, `MAX_PIXELS`) and a workbook with a cell at XFD1048576.
The baseline is the worker reading a one-line text file, measured in the same run.

Run: `.venv/bin/python benchmarks/bench_pool_memory.py`.
"""

from __future__ import annotations

import io
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sample_data"), str(ROOT / "tests")]


def status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status", "rb") as fh:
        for line in fh:
            key, _, rest = line.partition(b":")
            if key in (b"VmSize", b"VmPeak", b"VmRSS", b"VmHWM"):
                out[key.decode()] = int(rest.split()[0]) * 1024
    return out


def measure(conn, path: str, ext: str) -> None:
    from pyaddin.adapters.materials import ocr, pool
    from pyaddin.adapters.materials.extract import extract

    pool.WORKER_MEMORY = 1 << 40  # the worker's own set-up (malloc arenas), with no real ceiling
    pool._bound_worker(None)
    ocr.engine.cache_clear()
    start = status()
    t0 = time.monotonic()
    x = extract(Path(path), ext, ocr=True)
    end = status()
    conn.send((end["VmPeak"] - start["VmSize"], end["VmHWM"] - start["VmRSS"], time.monotonic() - t0,
               x.status, len(x.segments)))


def materials(folder: Path) -> list[tuple[str, Path, str]]:
    import build_materials as bm
    import numpy as np
    from PIL import Image
    from pypdf import PdfReader, PdfWriter
    from test_precheck_memory import sparse_xlsx

    (folder / "one.txt").write_text("本品为同类产品中的最佳选择\n", encoding="utf-8")
    (folder / "poster.png").write_bytes(bm.poster(["年货节 全场五折", "活动时间 12月12日", "最高奖 现金5000元"]))
    page = PdfReader(io.BytesIO(bm.scanned_pdf(["第一页 扫描件", "活动规则"]))).pages[0]
    writer = PdfWriter()
    for _ in range(20):
        writer.add_page(page)
    with open(folder / "scanned20.pdf", "wb") as fh:
        writer.write(fh)
    rng = np.random.default_rng(25)
    big = rng.integers(0, 256, (8000, 8000, 3), dtype=np.uint8)
    Image.fromarray(big).save(folder / "photo8000.jpg", quality=80)
    del big
    sparse_xlsx(folder / "far.xlsx", "XFD1048576", "全场最低价")
    return [("one-line text (baseline)", folder / "one.txt", "txt"),
            ("poster 1080×1920, OCR", folder / "poster.png", "png"),
            ("scanned PDF, 20 pages OCR'd", folder / "scanned20.pdf", "pdf"),
            ("photo 8000×8000, OCR", folder / "photo8000.jpg", "jpg"),
            ("workbook, cell at XFD1048576", folder / "far.xlsx", "xlsx")]


def main() -> None:
    import pyaddin.adapters.materials.extract  # noqa: F401 - imported before fork, as in a run
    from pyaddin.adapters.materials.pool import WORKER_MEMORY

    ctx = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for label, path, ext in materials(Path(tmp)):
            here, there = ctx.Pipe()
            p = ctx.Process(target=measure, args=(there, str(path), ext))
            p.start()
            rows.append((label, *here.recv()))
            p.join()
    base_vm = rows[0][1]
    print(f"{'material':32} {'+address space':>15} {'+resident':>10} {'seconds':>8}  status")
    for label, vm, rss, secs, st, n in rows:
        print(f"{label:32} {vm / 2**20:12.0f} MB {rss / 2**20:7.0f} MB {secs:8.2f}  {st} ({n} segments)"
              f"   {vm / max(base_vm, 1 << 20):6.1f}× baseline")
    worst = max(r[1] for r in rows)
    print(f"ceiling WORKER_MEMORY = {WORKER_MEMORY / 2**20:.0f} MB; heaviest material uses "
          f"{worst / WORKER_MEMORY:.0%} of it")


if __name__ == "__main__":
    main()
