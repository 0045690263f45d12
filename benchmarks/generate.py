"""Generate realistic trackers of 1k/10k/100k rows for the benchmarks (docs/budgets.md).

What a team's tracker looks like after a year: a title row, ~40 columns with the team's own
header words (投放平台, 活动形式, 申报主体, 上线日期, 备案状态 …), dates typed four ways (real dates,
serial numbers, 2026/11/1, 2026年11月1日), amounts as numbers and as ¥/万 text, yes/no as 是/否/✓,
platform aliases, unknown columns, a 资质库 register, and ~2 % problem rows (bad dates, unknown
platforms, missing required values, duplicate IDs, two platforms in one row).

Run: `uv run python benchmarks/generate.py 1000 10000 100000 [--dir DIR]`. Files are cached by
size in DIR (default: the system temp folder), never committed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pyaddin.tracker.credit_code import check_character  # noqa: E402

DEFAULT_DIR = Path(tempfile.gettempdir()) / "beian-bench"
HEADER = [
    "备案编号", "活动名称", "投放平台", "活动形式", "行业", "申报主体", "信用代码", "负责人", "联系人", "联系电话",
    "联系邮箱", "活动开始日期", "活动结束日期", "上线日期", "预算（元）", "收集个人信息", "敏感个人信息", "隐私政策链接",
    "用户授权机制", "最高奖金额（元）", "提交日期", "申请号", "备案状态", "审核意见", "反馈日期", "补充截止日期",
    "备案号", "通过日期", "归档状态", "备注", "营业执照", "行业许可证明", "活动方案", "创意物料", "隐私政策",
    "安全承诺书", "抽奖规则", "部门", "内部编号", "渠道负责人",
]
PLATFORMS = {"微信": "WX", "微信公众号": "WX", "抖音": "DY", "Douyin": "DY", "小红书": "XHS", "RED": "XHS",
             "快手": "KS", "微博": "WB", "B站": "BL", "哔哩哔哩": "BL", "淘宝": "TB", "天猫旗舰店": "TM", "京东": "JD",
             "拼多多": "PDD", "百度": "BD", "自有APP": "", "视频号 ": "WX"}
"""Platform as typed (aliases, a trailing space) → its 备案号 prefix."""
FORMS = ["H5", "H5、抽奖", "直播", "图文", "短视频", "问卷", "优惠券", "短视频，抽奖", "H5 问卷"]
INDUSTRIES = ["快消", "美妆", "食品", "教育", "旅游", "电商", "医疗", "金融", "餐饮", "保健食品"]
STATUSES = ["草稿", "待提交", "已提交", "审核中", "需补充", "已通过", "已通过", "已通过", "已驳回", "通过", "审核通过"]
COMPANIES = [(name, prefix + check_character(prefix)) for name, prefix in [
    ("上海星河数字科技有限公司", "91310110666007217"),
    ("北京云帆文化传媒有限公司", "91110105MA01ABCD1"),
    ("杭州禾美生物科技有限公司", "91330106MA2CDE123"),
    ("深圳快启电子商务有限公司", "91440300MA5FGH789"),
    ("广州青禾餐饮管理有限公司", "91440101MA9JKL012"),
]]
YES = ["是", "否", "✓", "×", "有", "无", "Y", "N", True, False, 1, 0]
EPOCH = date(1899, 12, 30)


def date_cell(rng: random.Random, d: date):
    """A date the way people type it: real, serial, 2026/11/1, 2026年11月1日, 2026-11-01."""
    form = rng.random()
    if form < 0.5:
        return datetime(d.year, d.month, d.day)
    if form < 0.6:
        return (d - EPOCH).days
    if form < 0.75:
        return f"{d.year}/{d.month}/{d.day}"
    if form < 0.9:
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def amount_cell(rng: random.Random, value: int):
    form = rng.random()
    if form < 0.7:
        return value
    if form < 0.85:
        return f"¥{value:,}"
    return f"{value / 10000:g}万"


def row_values(rng: random.Random, i: int, n: int) -> list:
    company, code = COMPANIES[i % len(COMPANIES)]
    start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 700))
    end = start + timedelta(days=rng.randrange(3, 60))
    launch = start - timedelta(days=rng.randrange(0, 5))
    status = rng.choice(STATUSES)
    submitted = launch - timedelta(days=rng.randrange(5, 30)) if status not in ("草稿", "待提交") else None
    approved = submitted + timedelta(days=rng.randrange(2, 12)) if submitted and "通过" in status else None
    feedback = "请补充营业执照" if status in ("需补充", "已驳回") else None
    forms = rng.choice(FORMS)
    platform = rng.choice(list(PLATFORMS))
    prefix = PLATFORMS[platform]
    approval_no = (f"{prefix}{i:0{9 if len(prefix) == 3 else 10}d}" if prefix else f"APP-{i}") if approved else None
    row = [
        f"BA-{2026}-{i:06d}", f"活动{i}：{rng.choice(['双十一', '周年庆', '新品', '会员日'])}{forms}",
        platform, forms, rng.choice(INDUSTRIES), company, code, rng.choice(["王五", "李四", "赵六"]),
        "张三", f"138{i % 100_000_000:08d}", f"ops{i % 97}@example.com",
        date_cell(rng, start), date_cell(rng, end), date_cell(rng, launch),
        amount_cell(rng, rng.randrange(1, 50) * 1000), rng.choice(YES), rng.choice(["否", "否", "是"]),
        "https://example.com/privacy", "弹窗勾选同意", rng.choice([None, 500, 3000, 20000]),
        date_cell(rng, submitted) if submitted else None, f"AP{i:07d}" if submitted else None, status,
        feedback, date_cell(rng, submitted + timedelta(days=3)) if feedback and submitted else None, None,
        approval_no, date_cell(rng, approved) if approved else None,
        rng.choice(["已归档", "未归档", None]), rng.choice([None, None, "加急", "老客户"]),
        *(rng.choice(["是"] * 18 + ["✓", "否"]) for _ in range(7)),
        rng.choice(["市场部", "电商部", "品牌部"]), f"INT-{i}", rng.choice(["小王", "小李"]),
    ]
    problem = rng.random()
    if problem < 0.004:
        row[13] = "下周三"  # unreadable date
    elif problem < 0.008:
        row[2] = "抖音、快手"  # two platforms in one row
    elif problem < 0.012:
        row[2] = "小众平台"  # unknown platform
    elif problem < 0.016:
        row[1] = None  # missing required value
    elif problem < 0.02 and i > 1:
        row[0] = f"BA-{2026}-{i - 1:06d}"  # duplicate id
    return row


def generate(rows: int, directory: Path = DEFAULT_DIR, *, seed: int = 2026, first: int = 1) -> Path:
    """The tracker with `rows` data rows, built once per size, seed and first row number (cached).

    `first` numbers the rows (备案编号, 备案号 …) from there, so several trackers of one group
    (`many_trackers`) do not share IDs by accident."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (f"tracker_{rows}_{seed}.xlsx" if first == 1 else f"tracker_{rows}_{seed}_{first}.xlsx")
    if path.exists():
        return path
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("备案台账")
    ws.write(0, 0, "2026 年营销活动备案台账（示例，自动生成）")
    ws.write_row(1, 0, HEADER)
    for r, i in enumerate(range(first, first + rows), start=1):
        for c, value in enumerate(row_values(rng, i, rows)):
            if value is None:
                continue
            if isinstance(value, datetime):
                ws.write_datetime(r + 1, c, value, date_fmt)
            elif isinstance(value, bool):
                ws.write_boolean(r + 1, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r + 1, c, value)
            else:
                ws.write_string(r + 1, c, value)
    lic = wb.add_worksheet("资质库")
    lic.write_row(0, 0, ["主体名称", "统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至", "文件"])
    for r, (company, code) in enumerate(COMPANIES, start=1):
        lic.write_row(r, 0, [company, code, "营业执照", f"LIC{r:06d}", "2015-01-01", "长期", f"营业执照_{r}.pdf"])
    wb.close()
    tmp.replace(path)
    return path


def many_trackers(count: int, rows: int, directory: Path = DEFAULT_DIR) -> Path:
    """A folder of `count` brand trackers of `rows` rows each, numbered apart (cached)."""
    folder = directory / f"many_{count}x{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        target = folder / f"品牌{k + 1:02d}.xlsx"
        if not target.exists():
            built = generate(rows, directory, seed=2026 + k, first=1 + k * rows)
            target.write_bytes(built.read_bytes())
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--many", type=int, default=0, metavar="N", help="also N trackers × 10k rows (run.py's case)")
    args = parser.parse_args()
    if args.many:
        print(many_trackers(args.many, 10_000, args.dir))
    for n in args.sizes:
        path = generate(n, args.dir)
        print(f"{n:>7} rows  {path.stat().st_size / 1e6:6.1f} MB  {path}")


if __name__ == "__main__":
    main()
