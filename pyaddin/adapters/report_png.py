"""周报_<week>.png: the key chart (filings by platform and status) as a picture for the Markdown.

E-mail and IM cannot show an Excel chart, so the summary carries this one image. matplotlib is
imported inside the function (it costs a second of start-up that no other command should pay),
with the Agg backend (no display on servers, no Tk on Windows embedded Python). Chinese labels
need a CJK font; without one the labels would be empty boxes, so no picture is written at all
and the Markdown goes without it.
"""

from __future__ import annotations

from pathlib import Path

from ..reports.weekly import WeeklyReport
from .output_files import atomic_write

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei", "SimHei", "PingFang SC",
             "Hiragino Sans GB", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")
"""Simplified Chinese faces only, best first. The Noto/Source Han collections (.ttc) hold JP, KR, SC,
TC and HK faces under one file; matplotlib ≥ 3.11 lists every face of a collection with its index,
so asking for the family "Noto Sans CJK SC" opens the SC face (index 2 in Debian's file). Older
matplotlib saw only face 0 (JP), whose glyph forms differ from Chinese ones (直, 骨, 角…): that is
why no JP family is listed here and pyproject asks for matplotlib>=3.11."""
STATUS_COLOURS = {"草稿": "#BFBFBF", "待提交": "#A5A5A5", "已提交": "#9DC3E6", "审核中": "#5B9BD5",
                  "需补充": "#FFC000", "已通过": "#70AD47", "已驳回": "#C00000", "已撤回": "#7F7F7F"}


def cjk_font() -> str | None:
    """The family of the first installed Simplified Chinese face, or None (no picture then)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def write_chart_png(report: WeeklyReport, path: Path, *, dpi: int = 110) -> Path | None:
    """Write the stacked bar chart; None when there is nothing to draw or no CJK font or matplotlib."""
    table = report.by_platform_status
    if table.empty:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.figure import Figure
    except ImportError:
        return None
    font = cjk_font()
    if font is None:
        return None

    fig = Figure(figsize=(8, 0.9 + 0.38 * len(table) + 0.8), dpi=dpi)
    ax = fig.add_subplot()
    platforms = list(table.index)[::-1]  # first platform at the top
    left = [0] * len(platforms)
    for status in table.columns:
        values = [int(table.at[p, status]) for p in platforms]
        if not any(values):
            continue
        ax.barh(platforms, values, left=left, label=status, color=STATUS_COLOURS.get(status, "#D9D9D9"),
                edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        ax.text(total + 0.2, y, str(total), va="center", fontsize=8, family=font)
    ax.set_title(f"各平台备案状态 {report.week}（截至 {report.today:%Y-%m-%d}）", family=font, fontsize=12)
    ax.set_xlabel("件数", family=font)
    ax.set_xlim(0, max(left) * 1.1 + 1)
    for label in ax.get_yticklabels():
        label.set_family(font)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(prop={"family": font, "size": 8}, ncols=min(len(table.columns), 8), loc="upper center",
              bbox_to_anchor=(0.5, -0.12 if len(table) > 6 else -0.2), frameon=False)
    fig.tight_layout()
    return atomic_write(Path(path), lambda tmp: fig.savefig(tmp, format="png"))
