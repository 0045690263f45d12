"""200 documents through the documents action vs a bare docxtpl render loop (docs/budgets.md: ≤ 1.3×).

The bare loop renders the same two templates with the same contexts and saves each file, with a
plain (unsandboxed) Jinja environment carrying the same filters: what a hand-written script would
do. `generate` adds the `check` findings (validate and deadlines) that refuse rows, template
pre-flight, the rules' material list per row, blanks tracking, SHA-256, atomic writes, a progress
callback per document and the documents.xlsx index.

Run:  uv run python benchmarks/bench_docs.py [--docs 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ["备案编号", "活动名称", "平台", "创意形式", "行业", "主体名称", "统一社会信用代码", "负责人", "联系人",
          "联系电话", "联系邮箱", "活动开始日期", "活动结束日期", "计划上线日期", "预算(元)", "收集个人信息",
          "敏感个人信息", "隐私政策链接", "用户授权机制", "最高奖金额(元)", "状态", "营业执照", "活动方案", "安全承诺书"]
PLATFORMS = ["微信", "抖音", "小红书", "快手", "微博"]
FORMS = ["H5、抽奖", "直播", "图文", "H5", "短视频、抽奖"]


def make_tracker(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案台账"
    ws.append(HEADER)
    start = date(2025, 11, 1)
    for i in range(rows):
        s = start + timedelta(days=i % 60)
        ws.append([f"BA-{i + 1:04d}", f"活动{i + 1} A&B", PLATFORMS[i % 5], FORMS[i % 5], "快消",
                   "上海示例科技有限公司", "91310000MA1FL4B24G", "王五", "张三", "13800138000",
                   "zhang@example.com", s, s + timedelta(days=10), s - timedelta(days=2), 10000 + 37 * i, "是",
                   "否", "https://example.com/privacy", "弹窗勾选同意", 3000, "待提交", "是", "否", "否"])
    wb.save(path)


def bare_loop(templates: dict[str, Path], contexts: list[dict], out: Path) -> None:
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    from pyaddin.documents import chinese_format
    from pyaddin.documents.sandbox import _finalize

    env = Environment(autoescape=True, finalize=_finalize)
    env.filters.update({"中文日期": chinese_format.chinese_date, "金额": chinese_format.money,
                        "大写金额": chinese_format.capital_amount})
    for i, ctx in enumerate(contexts):
        for title, path in templates.items():
            tpl = DocxTemplate(path)
            tpl.render(ctx, env, autoescape=True)
            tpl.save(out / f"{i}_{title}.docx")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from pyaddin.actions.documents import generate
    from pyaddin.adapters.files import read_book
    from pyaddin.documents.context import template_values
    from pyaddin.documents.kinds import KINDS, TEMPLATES_DIR
    from pyaddin.run.build import build_context

    rows = args.docs // len(KINDS)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_tracker(tmp / "t.xlsx", rows)
        ctx = build_context(read_book(tmp / "t.xlsx"), system_today=date(2025, 10, 20))
        templates = {k.title: TEMPLATES_DIR / k.template for k in KINDS.values()}
        contexts = [template_values(ctx.tracker.df.loc[r], ctx) for r in ctx.tracker.df.index]

        beian_times, bare_times = [], []
        for n in range(args.repeat):
            out = tmp / f"bare{n}"
            out.mkdir()
            t = time.perf_counter()
            bare_loop(templates, contexts, out)
            bare_times.append(time.perf_counter() - t)

            ticks: list[int] = []
            t = time.perf_counter()
            result = generate(ctx, out_dir=tmp / f"beian{n}", progress=lambda d, _total, ticks=ticks: ticks.append(d))
            beian_times.append(time.perf_counter() - t)
            assert len(result.written) == rows * len(templates), (len(result.written), result.refused[:3])
            assert ticks[-1] == len(result.written)  # the progress callback ran once per document

        bare, beian = statistics.median(bare_times), statistics.median(beian_times)
        n_docs = rows * len(templates)
        print(f"documents: {n_docs} (median of {args.repeat})")
        print(f"bare docxtpl loop      : {bare:7.2f} s  ({1000 * bare / n_docs:5.1f} ms/doc)")
        print(f"actions.documents      : {beian:7.2f} s  ({1000 * beian / n_docs:5.1f} ms/doc)")
        print(f"ratio generate / bare  : {beian / bare:7.2f}×  (budget ≤ 1.30×)")


if __name__ == "__main__":
    main()
