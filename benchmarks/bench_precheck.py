"""材料预检 figures (issue 22), each beside the baseline measured in the same run.

- text materials (docx, pptx, txt, text-layer PDF) per filing, extraction + checks, budget ≤ 0.2 s;
- OCR per 1080×1920 poster on one core (warm engine), budget ≤ 1.6 s per poster per core;
- the reader's pool over `--posters` posters (≥ 8): wall time against the sum of the per-poster CPU
  measured on one core, and the pool's CPU use (this process and its workers, `getrusage`) per
  core of wall time — "both cores busy" reads as a utilisation near 100 %;
- a re-run over unchanged files vs hashing the same files, budget ≤ 1.3×, on a corpus large
  enough that hashing takes about a second (`--filings` filings of four text materials, plus
  docx files with large pictures and noisy JPEG posters): once with the size/mtime index warm
  (nothing hashed), once after every file was touched (each file hashed once, text from the cache);
- peak memory (max RSS of this process and of the workers);
- recall per code on the sample's creatives (sample_data/materials vs precheck_answer_key.csv);
- OCR character accuracy on posters drawn like the sample's, clean and degraded (scaled 0.6×,
  blurred, JPEG quality 50);
- cold start `import pyaddin.buttons` vs `import pandas, xlwings` (budget ≤ 1.2×).

Run: `.venv/bin/python benchmarks/bench_precheck.py [--posters 8] [--filings 50] [--code DIR]`.
`--code DIR` imports `pyaddin` from DIR (e.g. an export of main: `git archive main pyaddin | tar -x
-C DIR`), so before and after run through the same benchmark; run them alternately. The machine
is shared: OCR figures swing with its load; the CPU time is printed beside the wall time.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINES = ["双12会员日", "全网最低价", "转发朋友圈领取红包", "活动时间12月12日-12月25日", "最高奖现金5000元"]


def cpu(who=resource.RUSAGE_SELF) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def timed(fn):
    """(result, wall, CPU of this process and of the children that ended meanwhile)."""
    c0, k0, t0 = cpu(), cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, cpu() - c0 + cpu(resource.RUSAGE_CHILDREN) - k0


def text_filings(base: Path, n: int) -> list[Path]:
    import build_materials as bm
    from test_precheck import text_pdf  # the tests' small PDF writer

    files = []
    for i in range(n):
        folder = base / f"BA-T-{i:03d}"
        folder.mkdir(parents=True)
        for name, data in (("活动方案.docx", bm.docx(["本品是同类产品中的最佳选择。"] * 40, header="上海星河数字科技有限公司")),
                           ("直播脚本.pptx", bm.pptx([("本品增强体质", "话术：限时优惠")] * 10)),
                           ("文案.txt", (f"第{i}号 活动时间12月12日-12月25日，最高奖现金5000元\n" * 200).encode())):
            (folder / name).write_bytes(data)
            files.append(folder / name)
        files.append(text_pdf(folder / "隐私政策.pdf", f"Privacy policy {i} " * 20, pages=5))
    return files


def heavy_files(base: Path, docs: int, photos: int) -> list[Path]:
    """Large files as teams keep them: docx with 8 MB of pictures, posters as noisy 1080×1920 JPEGs."""
    import build_materials as bm
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(22)
    files = []
    for i in range(docs):
        p = base / "heavy" / f"BA-H-{i:03d}" / "方案含图.docx"
        p.parent.mkdir(parents=True)
        buf = io.BytesIO(bm.docx([f"方案第{i}版，活动详情见附图。"] * 20))
        with zipfile.ZipFile(buf, "a") as z:
            z.writestr(zipfile.ZipInfo("word/media/image1.jpeg"), random.Random(i).randbytes(8 << 20))
        p.write_bytes(buf.getvalue())
        files.append(p)
    for i in range(photos):
        p = base / "heavy" / f"BA-P-{i:03d}" / "海报.jpg"
        p.parent.mkdir(parents=True)
        im = np.asarray(Image.open(io.BytesIO(bm.poster([*LINES[i % 3:], f"第{i}张"]))).convert("RGB"), dtype=np.int16)
        im = np.clip(im + rng.integers(-12, 13, im.shape), 0, 255).astype(np.uint8)
        Image.fromarray(im).save(p, quality=95)
        files.append(p)
    return files


SPANS: Path | None = None


def logged_extract(path, ext, *, ocr=True):
    """The real extractor, noting which worker read the file and when (for the pool's overlap)."""
    from pyaddin.adapters.materials.extract import extract

    t0 = time.monotonic()
    out = extract(path, ext, ocr=ocr)
    with open(SPANS, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {t0} {time.monotonic()}\n")
    return out


def overlap(spans: list[tuple[int, float, float]], start: float, end: float) -> tuple[float, int]:
    """Share of [start, end] during which two or more workers were reading a file; workers seen."""
    edges = sorted([(a, 1) for _, a, _ in spans] + [(b, -1) for _, _, b in spans])
    both, busy, last = 0.0, 0, start
    for t, step in edges:
        if busy >= 2:
            both += t - last
        busy, last = busy + step, t
    return both / (end - start), len({pid for pid, _, _ in spans})


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def accuracy(read: list[str], truth: list[str]) -> float:
    a, b = "".join(read).replace(" ", ""), "".join(truth).replace(" ", "")
    return max(0.0, 1 - edit_distance(a, b) / len(b))


def degraded(png: bytes) -> dict[str, bytes]:
    from PIL import Image, ImageFilter

    im = Image.open(io.BytesIO(png)).convert("RGB")
    out = {}
    small = im.resize((int(im.width * 0.6), int(im.height * 0.6)))
    for name, img, fmt, opts in (("缩小0.6×", small, "PNG", {}), ("模糊", im.filter(ImageFilter.GaussianBlur(2)), "PNG", {}),
                                 ("JPEG质量50", im, "JPEG", {"quality": 50})):
        buf = io.BytesIO()
        img.save(buf, format=fmt, **opts)
        out[name] = buf.getvalue()
    return out


def cold(codes: list[str], env: dict, repeat: int = 5) -> list[float]:
    """Best wall time of each snippet in a fresh interpreter, the snippets run alternately."""
    best = [1e9] * len(codes)
    for _ in range(repeat):
        for k, code in enumerate(codes):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env)
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def recall() -> dict[str, tuple[int, int]]:
    from click.testing import CliRunner

    from pyaddin.cli.main import main

    with tempfile.TemporaryDirectory() as out:
        r = CliRunner().invoke(main, ["precheck", str(ROOT / "sample_data/备案台账示例.xlsx"), "--root",
                                      str(ROOT / "sample_data/materials"), "--out", out, "--json"])
        got = Counter((f["file"], f["code"]) for f in json.loads(r.stdout)["findings"])
    with open(ROOT / "sample_data/precheck_answer_key.csv", encoding="utf-8") as fh:
        key = Counter((r["文件"], r["代码"]) for r in csv.DictReader(fh))
    per: dict[str, list[int]] = {}
    for (file, code), n in key.items():
        hit = min(n, got.get((file, code), 0))
        per.setdefault(code, [0, 0])
        per[code][0] += hit
        per[code][1] += n
    return {c: (h, n) for c, (h, n) in per.items()}


def ensure_bytecode(code_root: Path) -> None:
    """Compile the venv's packages and the measured pyaddin once, as an install has them: with
    PYTHONDONTWRITEBYTECODE every spawned worker would otherwise compile pandas from source."""
    import compileall
    import sysconfig

    for where in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], str(code_root / "pyaddin")}:
        compileall.compile_dir(where, quiet=2, workers=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posters", type=int, default=8)
    parser.add_argument("--filings", type=int, default=50)
    parser.add_argument("--heavy-docs", type=int, default=160)
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--code", type=Path, default=ROOT, help="folder holding the pyaddin package to measure")
    args = parser.parse_args()
    code_root = args.code.resolve()
    ensure_bytecode(code_root)
    sys.path[:0] = [str(code_root), str(ROOT / "sample_data"), str(ROOT / "tests")]
    import build_materials as bm

    from pyaddin.adapters.hashing import sha256_file
    from pyaddin.adapters.materials import ocr
    from pyaddin.adapters.materials.reader import Job, read_all
    from pyaddin.precheck.check import FilingCheck
    from pyaddin.precheck.lexicon import load_lexicon
    from pyaddin.precheck.material import FilingFacts, MaterialFile
    from pyaddin.precheck.specs import load_specs

    print(f"pyaddin from {Path(sys.modules['pyaddin'].__file__).parent}; load {os.getloadavg()[0]:.1f} at start")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        files = text_filings(base / "text", args.filings)
        lex, specs = load_lexicon(), load_specs()
        load_lexicon().find("预热")  # build the automaton once, as a run does
        facts = FilingFacts("BA-T", 2, platform="微信", industry="快消", company="上海星河数字科技有限公司")

        def text_run():
            check = FilingCheck(facts, lex, specs, sheet="备案台账")
            jobs = [Job(p, p.suffix[1:]) for p in files]
            for p, x in zip(files, read_all(jobs, cache_dir=None, ocr=True)[0], strict=True):
                check.file(MaterialFile(p.name, "BA-T", None, p.suffix[1:], p.stat().st_size, x))
        _, wall, c = timed(text_run)
        rows.append(("文字材料 每个备案（4 个文件，经读取器）", wall / args.filings, c / args.filings, "≤ 0.2 s"))

        posters = []
        for i in range(args.posters):
            p = base / "posters" / f"海报{i}.png"
            p.parent.mkdir(exist_ok=True)
            p.write_bytes(bm.poster([*LINES[i % 2:], f"第{i}张"]))
            posters.append(p)
        jobs = [Job(p, "png") for p in posters]
        # the pool first, while this process has no OCR engine (the workers load their own)
        global SPANS
        SPANS = base / "spans.txt"
        both = ""
        if "extractor" in inspect.signature(read_all).parameters:
            t_start = time.monotonic()
            _, wall2, c2 = timed(lambda: read_all(jobs, cache_dir=None, ocr=True, workers=2, extractor=logged_extract))
            spans = [(int(a), float(b), float(c)) for a, b, c in (ln.split() for ln in SPANS.read_text().splitlines())]
            share, seen = overlap(spans, t_start, time.monotonic())
            both = f"；{seen} 个进程，两个同时在读的时间占 {share:.0%}"
        else:
            _, wall2, c2 = timed(lambda: read_all(jobs, cache_dir=None, ocr=True, workers=2))

        (_, load_wall, load_cpu) = timed(ocr.engine)
        from PIL import Image

        _, wall1, c1 = timed(lambda: [ocr.read_lines(Image.open(p)) for p in posters])
        rows.append(("OCR 1080×1920 海报，单核（引擎已加载）每张", wall1 / len(posters), c1 / len(posters), "≤ 1.6 s"))
        rows.append(("OCR 引擎加载（每进程一次）", load_wall, load_cpu, ""))
        serial = c1 + 2 * load_cpu
        rows.append((f"OCR 读取器进程池 {len(posters)} 张（含进程启动、两份模型加载）", wall2, c2,
                     f"CPU/墙钟 = {c2 / wall2:.2f} 核（两核全忙 = 2.00），墙钟 = 单核 CPU 总和 {serial:.1f} s 的 "
                     f"{wall2 / serial:.0%}{both}"))

        corpus = files + heavy_files(base, args.heavy_docs, args.photos)
        all_jobs = [Job(p, p.suffix[1:]) for p in corpus]
        size = sum(p.stat().st_size for p in corpus)
        cache = base / "cache"
        read_all(all_jobs, cache_dir=cache, ocr=True, workers=2)

        def hash_all(threads):
            with ThreadPoolExecutor(threads) as pool:
                return list(pool.map(sha256_file, (j.path for j in all_jobs)))
        _, hash1, _ = timed(lambda: hash_all(1))
        _, hash2, _ = timed(lambda: hash_all(2))
        (_, cached), warm, warm_cpu = timed(lambda: read_all(all_jobs, cache_dir=cache, ocr=True))
        assert all(cached), "the warm re-run missed the cache"
        now = time.time()
        for p in corpus:
            os.utime(p, (now + 5, now + 5))  # same bytes, new time: every file is hashed again
        (_, cached), touched, touched_cpu = timed(lambda: read_all(all_jobs, cache_dir=cache, ocr=True))
        assert all(cached), "the re-run after touching missed the cache"
        label = f"{len(corpus)} 个文件 {size / 1e6:.0f} MB"
        rows.append((f"计算哈希（{label}，单线程 / 两线程）", hash1, hash2, ""))
        rows.append(("重跑，大小与修改时间未变（不计算哈希）", warm, warm_cpu,
                     f"{warm / hash1:.2f}× 单线程哈希，{warm / hash2:.2f}× 两线程（≤ 1.3×）"))
        rows.append(("重跑，文件被触碰过（每个文件哈希一次）", touched, touched_cpu,
                     f"{touched / hash1:.2f}× 单线程哈希，{touched / hash2:.2f}× 两线程（≤ 1.3×）"))

        truth = LINES[:]
        clean = bm.poster(truth)
        acc = {"清晰": accuracy([t for t, _ in ocr.read_lines(Image.open(io.BytesIO(clean)))], truth)}
        for name, data in degraded(clean).items():
            acc[name] = accuracy([t for t, _ in ocr.read_lines(Image.open(io.BytesIO(data)))], truth)

    rec = recall()
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    import_buttons, import_base = cold(["import pyaddin.buttons", "import pandas, xlwings"], env)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"load {os.getloadavg()[0]:.1f} at end")
    print("| 项目 | 墙钟 (s) | CPU (s) / 基准 | 预算 / 比值 |")
    print("|---|---|---|---|")
    for name, wall, c, budget in rows:
        print(f"| {name} | {wall:.3f} | {'' if c is None else f'{c:.3f}'} | {budget} |")
    print(f"| 冷启动 import pyaddin.buttons vs import pandas, xlwings | {import_buttons:.2f} | {import_base:.2f} | "
          f"{import_buttons / import_base:.2f}×（≤ 1.2×） |")
    print(f"| 峰值内存（本进程 / 最大的子进程） | {peak:.0f} MB | {peak_children:.0f} MB | |")
    print()
    print("OCR 字符准确率：" + "，".join(f"{k} {v:.1%}" for k, v in acc.items()))
    print("示例材料召回（按代码）：" + "，".join(f"{c} {h}/{n}" for c, (h, n) in sorted(rec.items())))


if __name__ == "__main__":
    main()
