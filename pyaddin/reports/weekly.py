"""The weekly status report: every figure as a pandas DataFrame, computed from one Context.

Operations, design, development and customer service all need the same answer once a week:
where each filing stands and which 备案号 were issued. This module computes that answer; the
adapters (`adapters/report_xlsx.py`, `report_md.py`, `report_png.py`) only lay it out.

Definitions (the tracker has no creation date, so "this week" rests on the dates it does have):
- The week is an ISO week, Monday to Sunday (`2026-W47` = 2026-11-16 … 2026-11-22); by default
  the one containing `ctx.today`. Lists about "now" (overdue, at risk, licenses, upcoming
  launches) are as of `ctx.today` whatever week is asked for.
- 新增 (new): filings (备案编号 + 平台) absent from the previous stored snapshot. Without a
  previous snapshot the tracker cannot tell, so rows whose 提交日期 falls in the week count as new
  and the report says which basis it used (`new_basis`).
- 提交: 提交日期 in the week. 通过: status 已通过 and 通过日期 in the week. 驳回: status 已驳回 and
  反馈日期 in the week. 需补充: status 需补充 and 反馈日期 in the week.
- 本周通过率 = 通过 / (通过 + 驳回) of the week; 累计通过率 = 已通过 / (已通过 + 已驳回) over the
  whole tracker by status. None (shown as —) when there is no decision to divide by.
- 审核用时: working days from 提交日期 to 通过日期 (`workdays_between`: days in (提交, 通过], the
  Chinese calendar with the 节假日 sheet), over rows 已通过 with both dates and 通过 ≥ 提交;
  median and 90th percentile (linear interpolation, pandas' default) per platform.
- 逾期 and 风险: the deadline findings of `deadlines.check` — overdue = review-overdue,
  supplement-overdue, launch-unapproved; at risk = submit-late-risk.
- 资质到期: `licenses.alerts`, the same list `beian check` reports: per company and type the
  license valid longest, when its 有效期至 (or 发证日期 + statutory validity) is on or before
  today + 设置 资质到期提示天数 (90), expired ones included; 长期 never. 剩余工作日 counts working
  days like every deadline (negative once expired).
- 临近上线: 计划上线日期 from today to today + 设置 临近上线天数 (14), status not 已通过 and the
  filing open (`filings.open_filings`: not 已撤回, not a resubmitted 已驳回, activity not ended); a
  rejected filing without a resubmission, or an unreadable status, still needs attention before launch.
- 趋势: submissions and approvals per week for the last `TREND_WEEKS` weeks up to the report
  week; a week with a stored snapshot is counted from it (what was known then), other weeks from
  the current tracker's dates.
- 周环比: against the latest stored snapshot of an earlier week (not necessarily the week right
  before, when a week was skipped; `previous_week` says which).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from ..errors import BadWeek
from ..run.context import Context
from ..run.findings import SEVERITY_ZH, Finding
from ..tracker import filings
from ..tracker.statuses import APPROVED, AWAITING_DECISION, REJECTED, SUPPLEMENT
from . import snapshots

TREND_WEEKS = 8
UNKNOWN = "（未识别）"
OVERDUE_CODES = ("review-overdue", "supplement-overdue", "launch-unapproved")
AT_RISK_CODES = ("submit-late-risk",)
LIST_COLUMNS = ["行", "备案编号", "活动名称", "负责人", "平台", "状态", "提交日期", "反馈日期", "通过日期", "计划上线日期",
                "备案号", "审核意见"]
_SOURCE = {"行": None, "备案编号": "filing_id", "活动名称": "activity", "负责人": "owner", "平台": "platform", "状态": "status",
           "提交日期": "submitted_date", "反馈日期": "feedback_date", "通过日期": "approved_date",
           "计划上线日期": "launch_date", "备案号": "approval_no", "审核意见": "feedback"}
_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")


def parse_week(text: str) -> tuple[str, date, date]:
    """`2026-W48` (also `2026W48`, `2026-w48`, or any date in the week) → (label, Monday, Sunday)."""
    m = _WEEK.match(text or "")
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise BadWeek(f"{year} 年没有第 {week} 周，请写成 YYYY-Www（如 2026-W48）。") from exc
    else:
        try:
            day = date.fromisoformat(text.strip())
        except (ValueError, AttributeError) as exc:
            raise BadWeek(f"周“{text}”无法识别，请写成 YYYY-Www（如 2026-W48）或该周内的日期 YYYY-MM-DD。") from exc
        monday = day - timedelta(days=day.weekday())
    return snapshots.week_label(monday), monday, monday + timedelta(days=6)


@dataclass
class WeeklyReport:
    week: str
    week_start: date
    week_end: date
    today: date
    workbook: str
    sheet: str
    rows: int
    by_platform_status: pd.DataFrame
    """Crosstab: index 平台 (UNKNOWN for unrecognised), columns 状态 in catalogue order, counts."""
    counts: dict[str, int]
    """新增, 提交, 通过, 驳回, 需补充, 在审, 逾期, 风险 for the week."""
    approval_rate_week: float | None
    approval_rate_total: float | None
    new: pd.DataFrame
    new_basis: str
    submitted: pd.DataFrame
    approved: pd.DataFrame
    rejected: pd.DataFrame
    supplement: pd.DataFrame
    announcements: pd.DataFrame
    """Newly issued 备案号 to announce: 备案编号, 活动名称, 平台, 备案号, 通过日期."""
    review_time: pd.DataFrame
    """Index 平台; columns 件数, 中位数, P90 (working days)."""
    overdue: pd.DataFrame
    at_risk: pd.DataFrame
    licenses_expiring: pd.DataFrame
    upcoming: pd.DataFrame
    trend: pd.DataFrame
    """Columns 周, 提交, 通过, 来源 (快照/台账), oldest first, the report week last."""
    previous_week: str | None
    status_delta: pd.DataFrame | None
    """Index 状态; columns 上周, 本周, 变化. None without a previous snapshot."""
    status_changes: pd.DataFrame
    newly_approved: pd.DataFrame
    removed: pd.DataFrame
    snapshot: pd.DataFrame
    store_snapshot: bool
    """Only a report for the week containing today stores its snapshot (a past week's label on
    today's data would falsify that week's history)."""
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    by_source: pd.DataFrame | None = None
    """Several trackers in one report: index 来源 (each tracker's file), the week's counts per
    tracker plus 行数; None for a single tracker."""
    first_pass: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FIRST_PASS_COLUMNS))
    """Index 平台; columns 备案数 (chains), 已有结果, 一次通过, 一次通过率, 重新提交, 每备案重新提交."""
    review_time_chain: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["件数", "中位数", "P90"]))
    """Like `review_time` but from a chain's first 提交日期 to its final 通过日期 (resubmissions included)."""
    rejection_top: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECTION_TOP_COLUMNS))
    """Columns 平台, 时间窗 (近4周/近12周), 类别, 次数, 建议: top rejection categories per platform."""

    @property
    def comparison_text(self) -> str:
        if self.previous_week is None:
            return "本周为首份周报，无上周数据可比。"
        return f"与 {self.previous_week} 的快照相比。"


def rate(yes: int, no: int) -> float | None:
    return yes / (yes + no) if yes + no else None


def _in(series: pd.Series, start: date, end: date) -> pd.Series:
    return series.map(lambda d: d is not None and not pd.isna(d) and start <= d <= end).astype(bool)


def _list(df: pd.DataFrame, mask: pd.Series | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    part = df if mask is None else df[mask]
    columns = columns or LIST_COLUMNS
    out = pd.DataFrame(index=range(len(part)))
    for col in columns:
        src = _SOURCE[col]
        values = list(part.index) if src is None else list(part[src]) if src in part.columns else [None] * len(part)
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


def _crosstab(df: pd.DataFrame, statuses: list[str], platforms: list[str]) -> pd.DataFrame:
    platform = df["platform"].map(lambda p: p or UNKNOWN)
    status = df["status"].map(lambda s: s or UNKNOWN)
    table = pd.crosstab(platform, status)
    order = [s for s in statuses if s in table.columns] + [c for c in table.columns if c not in statuses]
    rows = [p for p in platforms if p in table.index] + [p for p in table.index if p not in platforms]
    table = table.reindex(index=rows, columns=order, fill_value=0)
    table.index.name, table.columns.name = "平台", "状态"
    return table.astype(int)


def _review_time(ctx: Context, df: pd.DataFrame, calendar) -> pd.DataFrame:
    done = df[(df["status"] == APPROVED) & df["submitted_date"].notna() & df["approved_date"].notna()]
    done = done[[a >= s for s, a in zip(done["submitted_date"], done["approved_date"], strict=True)]]
    if done.empty:
        return pd.DataFrame({"件数": pd.Series(dtype=int), "中位数": pd.Series(dtype=float),
                             "P90": pd.Series(dtype=float)}, index=pd.Index([], name="平台"))
    days = pd.Series(calendar.workdays_between_many(done["submitted_date"], done["approved_date"]),
                     index=done.index, dtype=float)
    grouped = days.groupby(done["platform"].map(lambda p: p or UNKNOWN))
    out = pd.DataFrame({"件数": grouped.size(), "中位数": grouped.median(), "P90": grouped.quantile(0.9)})
    out.index.name = "平台"
    order = [p for p in ctx.catalog.platform_names.names if p in out.index] + \
        [p for p in out.index if p not in ctx.catalog.platform_names.names]
    return out.reindex(order)


FIRST_PASS_COLUMNS = ["备案数", "已有结果", "一次通过", "一次通过率", "重新提交", "每备案重新提交"]
REJECTION_TOP_COLUMNS = ["平台", "时间窗", "类别", "次数", "建议"]


def _order_platforms(ctx: Context, out: pd.DataFrame) -> pd.DataFrame:
    names = ctx.catalog.platform_names.names
    return out.reindex([p for p in names if p in out.index] + [p for p in out.index if p not in names])


def _first_pass(ctx: Context, chains: pd.DataFrame) -> pd.DataFrame:
    """Per platform over every chain: first attempts decided (已通过/已驳回), approved at the first
    attempt, and resubmissions (attempts after the first)."""
    if chains.empty:
        return pd.DataFrame(columns=FIRST_PASS_COLUMNS, index=pd.Index([], name="平台"))
    platform = chains["平台"].map(lambda p: p or UNKNOWN)
    decided = chains["首次结果"].isin([APPROVED, REJECTED])
    first_ok = chains["首次结果"].eq(APPROVED) & chains["尝试次数"].eq(1)
    grouped = pd.DataFrame({"p": platform, "n": 1, "d": decided.astype(int), "ok": first_ok.astype(int),
                            "re": chains["尝试次数"] - 1}).groupby("p")
    sums = grouped.sum()
    out = pd.DataFrame({
        "备案数": sums["n"], "已有结果": sums["d"], "一次通过": sums["ok"],
        "一次通过率": [ok / d if d else None for ok, d in zip(sums["ok"], sums["d"], strict=True)],
        "重新提交": sums["re"], "每备案重新提交": sums["re"] / sums["n"],
    })
    out.index.name = "平台"
    return _order_platforms(ctx, out)


def _review_time_chain(ctx: Context, chains: pd.DataFrame) -> pd.DataFrame:
    done = chains[chains["全程工作日"].notna()] if not chains.empty else chains
    if done.empty:
        return pd.DataFrame({"件数": pd.Series(dtype=int), "中位数": pd.Series(dtype=float),
                             "P90": pd.Series(dtype=float)}, index=pd.Index([], name="平台"))
    days = done["全程工作日"].astype(float)
    grouped = days.groupby(done["平台"].map(lambda p: p or UNKNOWN))
    out = pd.DataFrame({"件数": grouped.size(), "中位数": grouped.median(), "P90": grouped.quantile(0.9)})
    out.index.name = "平台"
    return _order_platforms(ctx, out)


FINDING_COLUMNS = ["行", "备案编号", "活动名称", "负责人", "平台", "类型", "级别", "到期日", "剩余工作日", "说明"]


def _findings_frame(findings: list[Finding], codes: tuple[str, ...], code_names: dict[str, str],
                    df: pd.DataFrame) -> pd.DataFrame:
    platforms = dict(df["platform"].items()) if "platform" in df.columns else {}
    owners = dict(df["owner"].items()) if "owner" in df.columns else {}
    rows = [{"行": f.row, "备案编号": f.filing_id, "活动名称": f.activity, "负责人": owners.get(f.row),
             "平台": platforms.get(f.row), "类型": code_names.get(f.code, f.code), "级别": SEVERITY_ZH[f.severity],
             "到期日": f.due, "剩余工作日": f.days_left, "说明": f.message}
            for f in findings if f.code in codes]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


LICENSE_COLUMNS = ["资质库行", "主体名称", "资质类型", "证书编号", "有效期至", "剩余工作日", "状态"]


def _licenses(ctx: Context, calendar) -> pd.DataFrame:
    from ..deadlines.licenses import alerts

    due = alerts(ctx.licenses, ctx.today, ctx.settings, lambda d: calendar.workdays_between(ctx.today, d))
    return pd.DataFrame([[a.row, a.company, a.type, a.number, a.valid_until, a.days_left, a.state] for a in due],
                        columns=LICENSE_COLUMNS)


def _week_counts(snap: pd.DataFrame, start: date, end: date) -> tuple[int, int]:
    submitted = int(_in(snap["submitted_date"], start, end).sum())
    approved = int((_in(snap["approved_date"], start, end) & (snap["status"] == APPROVED)).sum())
    return submitted, approved


def _trend(current: pd.DataFrame, history: dict[str, pd.DataFrame], monday: date) -> pd.DataFrame:
    rows = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        label = snapshots.week_label(start)
        if back == 0:
            source, frame = "台账", current
        elif label in history:
            source, frame = "快照", history[label]
        else:
            source, frame = "台账", current
        submitted, approved = _week_counts(frame, start, start + timedelta(days=6))
        rows.append({"周": label, "提交": submitted, "通过": approved, "来源": source})
    return pd.DataFrame(rows, columns=["周", "提交", "通过", "来源"])


def _compare(now: pd.DataFrame, before: pd.DataFrame, statuses: list[str]):
    """(status delta, status changes, newly approved, removed) between two snapshots."""
    def counts(s: pd.DataFrame) -> pd.Series:
        return s["status"].map(lambda x: x or UNKNOWN).value_counts()

    a, b = counts(before), counts(now)
    order = [s for s in statuses if s in a.index or s in b.index] + \
        sorted((set(a.index) | set(b.index)) - set(statuses))
    delta = pd.DataFrame({"上周": a.reindex(order, fill_value=0), "本周": b.reindex(order, fill_value=0)})
    delta = delta.astype(int)
    delta["变化"] = delta["本周"] - delta["上周"]
    delta.index.name = "状态"

    now_status = now["status"].map(lambda x: x or UNKNOWN)
    before_status = before["status"].map(lambda x: x or UNKNOWN)
    both = now.index.intersection(before.index)
    moved = both[(now_status.loc[both] != before_status.loc[both]).to_numpy()]
    changes = pd.DataFrame({
        "备案编号": now.loc[moved, "filing_id"].tolist(), "活动名称": now.loc[moved, "activity"].tolist(),
        "平台": now.loc[moved, "platform"].tolist(),
        "上周状态": before_status.loc[moved].tolist(),
        "本周状态": now_status.loc[moved].tolist(),
    }, columns=["备案编号", "活动名称", "平台", "上周状态", "本周状态"])
    newly_approved = (now["status"] == APPROVED) & (before_status.reindex(now.index) != APPROVED)
    approved_now = now.index[newly_approved.to_numpy()]
    newly = pd.DataFrame({
        "备案编号": now.loc[approved_now, "filing_id"].tolist(),
        "活动名称": now.loc[approved_now, "activity"].tolist(),
        "平台": now.loc[approved_now, "platform"].tolist(),
        "备案号": now.loc[approved_now, "approval_no"].tolist(),
        "通过日期": now.loc[approved_now, "approved_date"].tolist(),
    }, columns=["备案编号", "活动名称", "平台", "备案号", "通过日期"])
    gone = [k for k in before.index if k not in now.index]
    removed = pd.DataFrame({
        "备案编号": [before.at[k, "filing_id"] for k in gone], "活动名称": [before.at[k, "activity"] for k in gone],
        "平台": [before.at[k, "platform"] for k in gone], "上周状态": [before.at[k, "status"] for k in gone],
    }, columns=["备案编号", "活动名称", "平台", "上周状态"])
    return delta, changes, newly, removed


def build_report(ctx: Context, *, week: str | None = None, history: dict[str, pd.DataFrame] | None = None,
                 calendar=None, deadline_findings: list[Finding] | None = None) -> WeeklyReport:
    """The week's report from a loaded Context and the stored snapshots of earlier weeks
    (`history`: week label → snapshot, as `adapters.history.load_history` reads them).

    `calendar` and `deadline_findings` let a caller that already ran `deadlines.check` reuse it
    (the demo runs everything once); by default both are computed here.
    """
    from ..deadlines.checks import deadline_findings as find_deadlines
    from ..deadlines.workdays import calendar_for
    from ..run.findings import codes as code_registry

    label, monday, sunday = parse_week(week) if week else parse_week(ctx.today.isoformat())
    df = ctx.tracker.df
    statuses = list(ctx.catalog.statuses.names)
    notes: list[str] = []
    if calendar is None:
        calendar, _ = calendar_for(ctx.book)
    if deadline_findings is None:
        deadline_findings = find_deadlines(ctx, calendar).findings

    history = {w: snap for w, snap in (history or {}).items() if w < label}
    previous_week = max(history) if history else None
    current = snapshots.take(df, ctx.today)
    # the snapshot is indexed by key; rebuild it against the tracker rows for masks below
    keyed = current.reset_index().set_index("row")

    in_week = {name: _in(df[col], monday, sunday) for name, col in
               (("submitted", "submitted_date"), ("approved", "approved_date"), ("feedback", "feedback_date"))}
    status = df["status"]
    submitted = in_week["submitted"]
    approved = in_week["approved"] & (status == APPROVED)
    rejected = in_week["feedback"] & (status == REJECTED)
    supplement = in_week["feedback"] & (status == SUPPLEMENT)

    if previous_week is not None:
        prev = history[previous_week]
        new_mask = pd.Series([k not in prev.index for k in keyed["key"]], index=df.index, dtype=bool)
        new_basis = f"备案编号+平台不在 {previous_week} 快照中的行"
        delta, changes, newly, removed = _compare(current, prev, statuses)
    else:
        new_mask = submitted
        new_basis = "无上周快照，以提交日期在本周的行计为新增（台账没有创建日期）"
        delta = None
        changes = pd.DataFrame(columns=["备案编号", "活动名称", "平台", "上周状态", "本周状态"])
        newly = pd.DataFrame(columns=["备案编号", "活动名称", "平台", "备案号", "通过日期"])
        removed = pd.DataFrame(columns=["备案编号", "活动名称", "平台", "上周状态"])

    review = _review_time(ctx, df, calendar)
    names = {c: v.title for c, v in code_registry().items()}
    overdue = _findings_frame(deadline_findings, OVERDUE_CODES, names, df)
    at_risk = _findings_frame(deadline_findings, AT_RISK_CODES, names, df)

    horizon = ctx.today + timedelta(days=ctx.settings.upcoming_days)
    upcoming_mask = _in(df["launch_date"], ctx.today, horizon) & (status != APPROVED) & filings.open_filings(df, ctx.today)
    upcoming = _list(df, upcoming_mask, ["行", "备案编号", "活动名称", "负责人", "平台", "状态", "计划上线日期", "提交日期"])
    upcoming = upcoming.sort_values(["计划上线日期", "行"], kind="stable").reset_index(drop=True)

    announcements = _list(df, approved, ["备案编号", "活动名称", "平台", "备案号", "通过日期"])
    pending = int(status.isin(AWAITING_DECISION).sum())
    counts = {"新增": int(new_mask.sum()), "提交": int(submitted.sum()), "通过": int(approved.sum()),
              "驳回": int(rejected.sum()), "需补充": int(supplement.sum()), "在审": pending,
              "逾期": len(overdue), "风险": len(at_risk)}
    fallback = [f for f in deadline_findings if f.code == "calendar-fallback"]
    if calendar.fallback_years:
        notes.append(f"{'、'.join(str(y) for y in sorted(calendar.fallback_years))}年暂无法定节假日数据，"
                     f"相关工作日按周一至周五计算，请在“节假日”表补充。")
    elif fallback:
        notes.append(fallback[0].message)
    store = monday <= ctx.today <= sunday
    if not store:
        notes.append(f"所选周 {label} 不含今天（{ctx.today:%Y-%m-%d}），本次不保存快照；逾期、风险、资质和临近上线按今天计算。")

    from ..compliance.rejections import classify_tracker, load_classifier, top_categories
    from ..tracker.chains import build_chains, chain_frame

    chains = chain_frame(df, build_chains(df), calendar)
    classifier = load_classifier(ctx.book)
    rejection_top = top_categories(classify_tracker(df, classifier), classifier, sunday)

    return WeeklyReport(
        first_pass=_first_pass(ctx, chains), review_time_chain=_review_time_chain(ctx, chains),
        rejection_top=rejection_top,
        week=label, week_start=monday, week_end=sunday, today=ctx.today, workbook=str(ctx.path or ""),
        sheet=ctx.tracker.sheet, rows=ctx.tracker.rows,
        by_platform_status=_crosstab(df, statuses, list(ctx.catalog.platform_names.names)), counts=counts,
        approval_rate_week=rate(int(approved.sum()), int(rejected.sum())),
        approval_rate_total=rate(int((status == APPROVED).sum()), int((status == REJECTED).sum())),
        new=_list(df, new_mask), new_basis=new_basis,
        submitted=_list(df, submitted), approved=_list(df, approved), rejected=_list(df, rejected),
        supplement=_list(df, supplement), announcements=announcements, review_time=review,
        overdue=overdue, at_risk=at_risk, licenses_expiring=_licenses(ctx, calendar), upcoming=upcoming,
        trend=_trend(current, history, monday), previous_week=previous_week, status_delta=delta,
        status_changes=changes, newly_approved=newly, removed=removed, snapshot=current,
        store_snapshot=store, notes=notes, findings=list(deadline_findings),
    )


ACTIVITY_PARTS = (("新增", "new"), ("提交", "submitted"), ("通过", "approved"), ("驳回", "rejected"),
                  ("需补充", "supplement"))


def week_activity(report: WeeklyReport) -> pd.DataFrame:
    """本周动态: one row per filing that moved in the week, its events joined in 事项 (新增、提交).

    One row per event listed a filing once for each: without a previous snapshot 新增 *is* the week's
    submissions (the tracker has no creation date), so every submitted filing was printed twice, and a
    filing submitted and approved in the same week also showed twice. Rows are keyed by tracker row
    (and 来源 when several trackers are combined), in the order of their first event."""
    frames = [(name, getattr(report, attr)) for name, attr in ACTIVITY_PARTS]
    columns = list(dict.fromkeys(c for _, f in frames for c in f.columns))
    key = [c for c in ("来源", "行") if c in columns] or [c for c in ("备案编号", "平台") if c in columns]
    merged: dict[tuple, tuple[dict, list[str]]] = {}
    for name, frame in frames:
        for record in frame.to_dict("records"):
            k = tuple(record.get(c) for c in key)
            merged.setdefault(k, (record, []))[1].append(name)
    return pd.DataFrame([{"事项": "、".join(events), **record} for record, events in merged.values()],
                        columns=["事项", *columns])


def output_names(week: str) -> dict[str, str]:
    return {"xlsx": f"周报_{week}.xlsx", "md": f"周报_{week}.md", "png": f"周报_{week}.png"}
