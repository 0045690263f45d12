"""周报_<week>.md: a short Markdown summary to paste into an e-mail or an IM group.

It leaves the building: whatever looks like a phone number, an e-mail address or an ID-card
number is masked wherever it appears (activity names and feedback included, because people type
contacts everywhere), text a spreadsheet would run as a formula is neutralised, and table cells
are escaped so a `|` in a name cannot break the table. Ready to paste into 企业微信/钉钉/飞书: no
relative links, one line per filing with its 负责人, every error-level item (up to MAX_ERRORS, then
a count), no closing boilerplate; the workbook has the rest.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..reports.weekly import WeeklyReport, output_names
from ..run.safe_text import neutralise
from ..tracker.values import as_text
from .output_files import atomic_write_text

MAX_ANNOUNCE = 8
MAX_ERRORS = 30
"""Every error-level item is listed up to this many; the rest are counted."""
MAX_ACTIONS = 8
"""Warnings listed after the errors, up to this many."""

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[-\s]?(\d{3,4})[-\s]?(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
                      r"([0-9Xx])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"([A-Za-z0-9._%+\-]+)@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


_STAR = "\ue000"
"""Stands in for the masking asterisks while user text is escaped, so only the user's own `*` get a backslash."""


def mask(text: str, *, star: str = "*") -> str:
    """138****8000, 021-****4567, l***@example.com, 110101***********X."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)[0]}{star * 3}@{m.group(2)}", text)
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}{star * 11}{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}{star * 4}{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-{star * 4}{m.group(3)}", text)


def md_text(value: object, *, limit: int | None = None) -> str:
    """One user value made safe for Markdown: masked, neutralised, escaped, on one line.

    Masking comes before shortening to `limit`: a cut could leave half an address that no
    longer looks like one and so escapes the mask.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = " ".join(mask(as_text(value), star=_STAR).split())
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return _MD_SPECIAL.sub(r"\\\1", neutralise(text)).replace(_STAR, "*")


def _short_date(value: object) -> str:
    return value.strftime("%m-%d") if hasattr(value, "strftime") else ""


def _table(frame: pd.DataFrame, columns: list[str], limit: int) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in frame.head(limit).iterrows():
        cells = [row[c].isoformat() if hasattr(row[c], "isoformat") else md_text(row[c]) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


_LEVELS = {"错误": 0, "警告": 1, "提示": 2}


def _days(left: object) -> str:
    if left is None or pd.isna(left):
        return ""
    return f"，逾期 {-int(left)} 个工作日" if left < 0 else f"，剩 {int(left)} 个工作日"


class _Items:
    """What needs doing, one line per filing (a filing overdue and launching soon is one line with
    both reasons), worst level first; licenses are about a company, one line each."""

    def __init__(self):
        self.by_filing: dict[tuple, dict] = {}
        self.order: list[tuple] = []

    def add(self, level: str, row: pd.Series, reason: str) -> None:
        key = (md_text(row.get("备案编号")), md_text(row.get("平台"))) if md_text(row.get("备案编号")) else \
            ("", md_text(row.get("主体名称")), reason)
        item = self.by_filing.get(key)
        if item is None:
            item = self.by_filing[key] = {"level": level, "row": row, "reasons": []}
            self.order.append(key)
        if _LEVELS[level] < _LEVELS[item["level"]]:
            item["level"] = level
        if reason not in item["reasons"]:
            item["reasons"].append(reason)

    def lines(self) -> list[tuple[str, str]]:
        out = []
        for key in sorted(self.order, key=lambda k: _LEVELS[self.by_filing[k]["level"]]):
            item = self.by_filing[key]
            row = item["row"]
            if key[0]:
                who = md_text(row.get("负责人")) or "未填负责人"
                head = f"{key[0]} {md_text(row.get('活动名称'))}（{key[1]}）· 负责人 {who}"
            else:
                head = f"{key[1]}"
            out.append((item["level"], f"- **{item['level']}** {head}：{'；'.join(item['reasons'])}"))
        return out


def _actions(report: WeeklyReport) -> list[str]:
    """Every error-level item up to MAX_ERRORS, then the others up to MAX_ACTIONS; past a cap, a count."""
    items = _Items()
    for frame in (report.overdue, report.at_risk):
        for _, f in frame.iterrows():
            items.add(f.get("级别") or "警告", f, f"{md_text(f['类型'])}，期限 {_short_date(f['到期日'])}"
                                                 f"{_days(f['剩余工作日'])}")
    for kind, frame in (("驳回", report.rejected), ("需补充", report.supplement)):
        for _, f in frame.iterrows():
            feedback = md_text(f["审核意见"], limit=40) or "未写审核意见"
            items.add("警告", f, f"本周{kind}（{feedback}）")
    for _, u in report.upcoming.iterrows():
        items.add("警告", u, f"{_short_date(u['计划上线日期'])} 上线，仍为{md_text(u['状态'])}")
    for _, lic in report.licenses_expiring.iterrows():
        expired = lic["状态"] == "已过期"
        state = (f"已于 {lic['有效期至']:%Y-%m-%d} 过期" if expired else f"{lic['有效期至']:%Y-%m-%d} 到期") + \
            _days(lic["剩余工作日"])
        items.add("错误" if expired else "警告", lic, f"{md_text(lic['资质类型'])} {state}")
    lines = items.lines()
    errors = [text for level, text in lines if level == "错误"]
    others = [text for level, text in lines if level != "错误"]
    out = errors[:MAX_ERRORS]
    if len(errors) > MAX_ERRORS:
        out.append(f"- ……另有 {len(errors) - MAX_ERRORS} 项错误（共 {len(errors)} 项，只列前 {MAX_ERRORS} 项）。")
    out += others[:MAX_ACTIONS]
    if len(others) > MAX_ACTIONS:
        out.append(f"- ……另有 {len(others) - MAX_ACTIONS} 项警告（共 {len(others)} 项，只列前 {MAX_ACTIONS} 项）。")
    return out or ["- 没有逾期、风险、临近上线未通过或到期的资质。"]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def render(report: WeeklyReport, *, image: str | None = None) -> str:
    """The Markdown. `image` is accepted and not linked: a relative picture link does not survive a
    paste into 企业微信/钉钉/飞书 (the PNG sits beside the file for anyone who wants to attach it)."""
    c = report.counts
    names = output_names(report.week)
    lines = [
        f"# 备案周报 {report.week}（{report.week_start:%Y-%m-%d} 至 {report.week_end:%Y-%m-%d}）",
        "",
        f"台账“{md_text(report.sheet)}”共 {report.rows} 行，统计日期 {report.today:%Y-%m-%d}。{report.comparison_text}",
        "",
        f"- **本周**：新增 {c['新增']} · 提交 {c['提交']} · 通过 {c['通过']} · 驳回 {c['驳回']} · 需补充 {c['需补充']}"
        f" · 本周通过率 {_percent(report.approval_rate_week)} · 累计通过率 {_percent(report.approval_rate_total)}",
        f"- **当前**：在审 {c['在审']} · 逾期 {c['逾期']} · 上线风险 {c['风险']} · "
        f"{len(report.upcoming)} 个临近上线未通过 · {len(report.licenses_expiring)} 项资质到期",
        "",
        "## 新备案号（请各团队知悉）",
    ]
    if report.announcements.empty:
        lines.append("本周没有新通过的备案。")
    else:
        lines += _table(report.announcements, ["备案编号", "活动名称", "平台", "备案号"], MAX_ANNOUNCE)
        if len(report.announcements) > MAX_ANNOUNCE:
            lines.append(f"……共 {len(report.announcements)} 条，完整列表见 {names['xlsx']}“新备案号”表。")
    lines += ["", "## 需要处理", *_actions(report), ""]
    if report.by_source is not None:
        lines += ["## 按来源（品牌/台账）", "", "| 来源 | 行数 | 新增 | 提交 | 通过 | 驳回 | 逾期 | 风险 |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for source, r in report.by_source.iterrows():
            lines.append(f"| {md_text(Path(str(source)).name)} | {r['行数']} | {r['新增']} | {r['提交']} | {r['通过']} | "
                         f"{r['驳回']} | {r['逾期']} | {r['风险']} |")
        lines.append("")
    if report.status_delta is not None:
        delta = report.status_delta[report.status_delta["变化"] != 0]
        moved = "，".join(f"{md_text(s)} {r['上周']}→{r['本周']}（{r['变化']:+d}）" for s, r in delta.iterrows())
        lines += [f"## 周环比（对比 {report.previous_week}）",
                  f"- 状态计数：{moved or '各状态数量没有变化'}",
                  f"- 状态变化 {len(report.status_changes)} 条，新通过 {len(report.newly_approved)} 条，"
                  f"新增 {c['新增']} 条，移出台账 {len(report.removed)} 条。", ""]
    if not report.review_time.empty:
        parts = [f"{md_text(p)} {r['中位数']:g}/{r['P90']:g}" for p, r in report.review_time.iterrows()]
        lines += ["## 审核用时（工作日，中位数/P90）", " · ".join(parts), ""]
    if not report.review_time_chain.empty:
        parts = [f"{md_text(p)} {r['中位数']:g}/{r['P90']:g}" for p, r in report.review_time_chain.iterrows()]
        if lines and lines[-1] == "":
            lines.pop()
        lines += ["全程（首次提交到最终通过，含重新提交）：" + " · ".join(parts), ""]
    loop = []
    if not report.first_pass.empty:
        loop.append("一次通过率：" + " · ".join(f"{md_text(p)} {_percent(r['一次通过率'])}"
                                             for p, r in report.first_pass.iterrows())
                    + f"；每备案平均重新提交 {report.first_pass['重新提交'].sum() / max(report.first_pass['备案数'].sum(), 1):.2f} 次")
    recent = report.rejection_top[report.rejection_top["时间窗"] == "近4周"] if not report.rejection_top.empty else None
    if recent is not None and not recent.empty:
        loop.append("近4周常见驳回：" + " · ".join(
            f"{md_text(p)} " + "、".join(f"{md_text(c)} {n}" for c, n in zip(part["类别"], part["次数"], strict=True))
            for p, part in recent.groupby("平台", sort=False)))
    if loop:
        lines += ["## 一次通过与驳回原因", *loop, ""]
    for note in report.notes:
        lines += [f"> {md_text(note)}", ""]
    while lines and not lines[-1]:
        lines.pop()
    return mask("\n".join(lines)) + "\n"


def write_markdown(report: WeeklyReport, path: Path, *, image: str | None = None) -> Path:
    return atomic_write_text(Path(path), render(report, image=image))


def write_plain_text(report: WeeklyReport, path: Path) -> Path:
    """周报_<week>.txt: the same summary with no Markdown, for people who paste it by hand where
    Markdown is not rendered (mail, a chat without Markdown): `notify.markup.plain_text`."""
    from ..notify.markup import plain_text

    return atomic_write_text(Path(path), plain_text(render(report)))
