"""`beian deadlines`: what is late or about to be, counted in Chinese working days.

Every deadline finding carries the date it is about (`due`) and the working days from today to
it (`days_left`, negative when overdue), so the 到期提醒 sheet and the buttons can sort and colour
by urgency. "Today" is `ctx.today` (--today, 设置 今天, or the date the CLI passed in); nothing
here reads the system clock, so a run can be reproduced later.

Scoping decisions (docs/deadlines.md states them for users):
- Licenses are checked only when the workbook has a 资质库 sheet; without one every row would be
  "missing" and the list would drown the real problems. A row's licenses are those with its
  统一社会信用代码; when none carry that code, those filed under its 主体名称 without a code.
  license-missing covers the types its 行业 requires (行业资质 table, with its level);
  license-expired / license-expiring / license-gap cover every dated license of the company
  (docs/deadlines.md), judged on the one valid longest per type, and are reported on each open filing
  (filings.open_filings: not 已撤回, not a resubmitted 已驳回, activity not ended). A license
  of a company with no open filing is reported once, on its 资质库 row. The list of due
  licenses is `licenses.alerts`, the same the weekly report shows. An expired license gets
  license-expired only; one still valid can get both license-gap (it lapses mid-activity) and
  license-expiring (renew soon). License findings on a filing point at its 主体名称 cell and name
  the 资质库 row in the message. Remaining time is in working days, as for every deadline.
- 已驳回 without a resubmission (no row's 原备案编号 names it) counts as not yet submitted for
  submit-late-risk and as pending for launch-unapproved; with one, it is closed.
- A filing whose activity has ended (活动结束日期 before today) is closed whatever its status
  (docs/deadlines.md): no review-overdue, supplement-overdue, submit-late-risk or launch-unapproved for
  it, so neither the robots' reminders (built from these findings) nor the calendar (which asks
  the same `open_filings`) nag about history. archive-overdue, the duty that follows the end,
  stays.
- A row whose launch is today gets launch-unapproved (error) only, not also submit-late-risk.
- An unknown platform uses the default review and lead times from 设置.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..run.context import Context
from ..run.findings import SEVERITY_ORDER, Finding, Report, make
from ..run.row_findings import RowFindings, each_distinct
from ..tracker.filings import open_filings, open_rejected
from ..tracker.statuses import APPROVED, IN_REVIEW, NOT_SUBMITTED, PENDING
from ..tracker.textnorm import fold
from ..tracker.values import is_blank
from . import licenses as lic
from .workdays import Calendar, calendar_for, plus_days

EVERY_INDUSTRY = "*"
DATE_KEYS = ("submitted_date", "feedback_date", "supplement_due", "launch_date", "start_date", "end_date")


def urgency(f: Finding):
    """Errors first, then the most overdue / least time left, then sheet order."""
    return (SEVERITY_ORDER[f.severity], f.days_left if f.days_left is not None else 10**6, f.due or date.max,
            f.row if f.row is not None else -1, f.code)


def deadline_findings(ctx: Context, calendar: Calendar | None = None) -> Report:
    """Deadline findings sorted by urgency, then the calendar note and the unreadable inputs that
    kept a deadline from being computed (节假日, 设置, 资质库 and tracker date cells).

    `calendar` is for callers that already built one (the buttons, the weekly report); by default
    it comes from the package plus the workbook's 节假日 sheet.
    """
    holiday_findings: list[Finding] = []
    if calendar is None:
        calendar, holiday_findings = calendar_for(ctx.book)
    run = _Run(ctx, calendar)
    run.review_overdue()
    run.supplement_overdue()
    run.submit_late_risk()
    run.launch_unapproved()
    run.archive_overdue()
    run.licenses()
    deadline = sorted(run.f.out, key=urgency)
    notes = [calendar.fallback_finding()] if calendar.fallback_years else []
    date_columns = {ctx.tracker.headers.get(k) for k in DATE_KEYS}
    inputs = [x for x in ctx.tracker.findings if x.code == "invalid-date" and x.field in date_columns]
    pinned = [f for f in ctx.setup_findings if f.code == "today-pinned"]
    setup = [*pinned, *holiday_findings, *ctx.settings.findings, *ctx.licenses.findings]
    return Report("deadlines", str(ctx.path or ""), ctx.today, ctx.tracker.rows,
                  deadline + notes + setup + inputs)


class _Findings(RowFindings):
    """Deadline findings are built like validate's; the subclass keeps the name used below."""


def when(due: date, days_left: int, today: date) -> str:
    """The Chinese phrase for where today stands against `due`, with the working days."""
    if due > today:
        return f"还剩 {days_left} 个工作日"
    if due == today:
        return "今天到期（剩余 0 个工作日）"
    if days_left == 0:
        return "已过期（逾期 0 个工作日，期间无工作日）"
    return f"已逾期 {-days_left} 个工作日"


class _Run:
    def __init__(self, ctx: Context, calendar: Calendar):
        self.ctx = ctx
        self.cal = calendar
        self.today = ctx.today
        self.f = _Findings(ctx.tracker, ctx.catalog)
        self._left: dict[date, int] = {}
        self._alerts: dict[int, lic.LicenseAlert | None] = {}
        self.df = ctx.tracker.df
        self.status = self.df["status"]
        self.rejected_open = open_rejected(self.df)
        self.open = open_filings(self.df, self.today)
        raw = ctx.tracker.raw
        if "status" in raw.columns:
            self.status_blank = each_distinct(raw["status"], is_blank).astype(bool)
        else:
            self.status_blank = pd.Series(True, index=self.df.index)
        settings = ctx.settings
        platforms = ctx.catalog.platforms
        # per distinct platform, not per row
        self.review = each_distinct(self.df["platform"], lambda p: platforms[p].review_days
                                    if p in platforms else settings.default_review_days)
        self.lead = each_distinct(self.df["platform"], lambda p: platforms[p].lead_days
                                  if p in platforms else settings.default_lead_days)

    def left(self, due: date) -> int:
        if due not in self._left:
            self._left[due] = self.cal.workdays_between(self.today, due)
        return self._left[due]

    def rows(self, mask: pd.Series, *keys: str):
        """(row, value of each key …) for the rows in `mask`, without per-cell DataFrame access."""
        hit = mask.to_numpy(dtype=bool)
        extra = {"review": self.review, "lead": self.lead}
        # column by column: `df.loc[mask]` would copy all ~45 columns for the two or three used
        columns = [(extra[k] if k in extra else self.df[k]).to_numpy(dtype=object)[hit] for k in keys]
        return zip(self.df.index[hit], *columns, strict=True)

    # ---------------------------------------------------------------- tracker rows
    def overdue(self, code: str, row, key: str, due: date, before: str, after: str) -> None:
        """`code` on a row whose `due` has passed, the phrase saying by how much (`when`) between
        `before` and `after`: the overdue checks differ only in their due date and their words (the
        caller skips rows not yet due before building the words)."""
        left = self.left(due)
        self.f.add(code, row, key, f"{before}{when(due, left, self.today)}{after}", due=due, days_left=left)

    def review_overdue(self) -> None:
        df = self.df
        mask = self.status.isin(IN_REVIEW) & df["submitted_date"].notna() & self.open
        for row, submitted, days, platform in self.rows(mask, "submitted_date", "review", "platform"):
            days = int(days)
            due = self.cal.add_workdays(submitted, days)
            if self.today <= due:
                continue
            self.overdue("review-overdue", row, "submitted_date", due,
                         f"{platform or '平台'}审核超期：{submitted:%Y-%m-%d} 提交，审核周期 {days} 个工作日，"
                         f"应于 {due:%Y-%m-%d} 前有结果，", "，请联系平台催审并更新状态。")

    def supplement_overdue(self) -> None:
        df = self.df
        days = self.ctx.settings.supplement_days
        mask = ((self.status == "需补充") & (df["supplement_due"].notna() | df["feedback_date"].notna())
                & self.open)
        for row, explicit, feedback in self.rows(mask, "supplement_due", "feedback_date"):
            if explicit is not None:
                due, key, basis = explicit, "supplement_due", f"补充截止日期 {explicit:%Y-%m-%d}"
            else:
                due = self.cal.add_workdays(feedback, days)
                key = "feedback_date"
                basis = f"{feedback:%Y-%m-%d} 反馈后 {days} 个工作日内（{due:%Y-%m-%d}）"
            if self.today <= due:
                continue
            self.overdue("supplement-overdue", row, key, due, f"补充材料已逾期：应于{basis}补交，",
                         "，请立即补交材料或联系平台延期，并更新状态。")

    def _not_submitted(self) -> pd.Series:
        return self.status.isin(NOT_SUBMITTED) | (self.status.isna() & self.status_blank) | self.rejected_open

    def submit_late_risk(self) -> None:
        df = self.df
        mask = self._not_submitted() & df["launch_date"].notna() & self.open
        for row, target, review, lead, platform in self.rows(mask, "launch_date", "review", "lead", "platform"):
            if target <= self.today:
                continue  # launch today or earlier: launch-unapproved (pending) says it more strongly
            review, lead = int(review), int(lead)
            needed = review + lead
            ready = self.cal.add_workdays(self.today, needed)
            if ready <= target:
                continue
            left = self.left(target)
            latest = self.cal.workdays_before(plus_days(target, 1), needed + 1)
            self.f.add("submit-late-risk", row, "launch_date",
                       f"提交过晚风险：计划 {target:%Y-%m-%d} 上线，距今只有 {left} 个工作日，而{platform or '平台'}"
                       f"审核周期 {review} + 提前量 {lead} 共需 {needed} 个工作日（最晚应在 {latest:%Y-%m-%d} 提交），"
                       f"今天提交最早 {ready:%Y-%m-%d} 才能通过，请立即提交并申请加急，或推迟上线日期。",
                       due=target, days_left=left)

    def launch_unapproved(self) -> None:
        df = self.df
        mask = (self.status.isin(PENDING) | self.rejected_open) & df["launch_date"].notna() & self.open
        for row, target, state in self.rows(mask, "launch_date", "status"):
            if target > self.today:
                continue
            left = self.left(target)
            timing = "就是今天" if target == self.today else f"已过 {-left} 个工作日"
            todo = ("请修改后重新提交（新行的“原备案编号”填本行备案编号），通过前暂停上线"
                    if state == "已驳回" else "请在备案通过前暂停上线，或更新状态和上线日期")
            self.f.add("launch-unapproved", row, "launch_date",
                       f"计划上线日期 {target:%Y-%m-%d} {timing}，但备案状态仍为“{state}”（剩余工作日 {left}），"
                       f"{todo}。",
                       due=target, days_left=left)

    def archive_overdue(self) -> None:
        df = self.df
        days = self.ctx.settings.archive_days
        archived = df["archived"]
        mask = (self.status == APPROVED) & df["end_date"].notna() & ~archived.eq(True).fillna(False).astype(bool)
        for row, end in self.rows(mask, "end_date"):
            due = plus_days(end, days)
            if self.today <= due:
                continue
            self.overdue("archive-overdue", row, "archived", due,
                         f"活动已于 {end:%Y-%m-%d} 结束，应在 {days} 天内（{due:%Y-%m-%d} 前）归档，",
                         f"，请归档全部材料后在“{self.f.header('archived')}”填“是”。")

    # ---------------------------------------------------------------- licenses
    def licenses(self) -> None:
        ctx = self.ctx
        if not ctx.licenses.present:
            return
        df = self.df
        in_scope = self.open & (df["company"].notna() | df["credit_code"].notna())
        by_industry = {fold(k): v for k, v in ctx.catalog.industry_licenses.items()}
        severity_of = {(fold(i), t): s for (i, t), s in ctx.catalog.license_severity.items()}
        everyone = by_industry.get(EVERY_INDUSTRY, [])
        cache: dict[tuple, tuple[list, list]] = {}
        covered: set[tuple[str, str]] = set()
        holdings = lic.Holdings(ctx.licenses)
        columns = ("company", "credit_code", "industry", "end_date", "launch_date", "start_date")
        folded: dict[str, str] = {}  # fold once per distinct 主体/行业, not per row

        def folded_of(text):
            if not text:
                return None
            out = folded.get(text)
            if out is None:
                out = folded[text] = fold(text)
            return out

        for row, company, code, industry, ends, launch, start in self.rows(in_scope, *columns):
            key = (folded_of(company), code, folded_of(industry))
            if key not in cache:
                held = holdings.held(company, code)
                held_types = {h["type_key"] for h in held}
                required = list(dict.fromkeys(everyone + (by_industry.get(key[2], []) if key[2] else [])))
                missing = [(t, "所有活动均需" if t in everyone else f"行业“{industry}”需要",
                            severity_of.get((key[2], t)) or severity_of.get((EVERY_INDUSTRY, t)))
                           for t in required if fold(t) not in held_types]
                best = lic.best_dated(held)
                cache[key] = (missing, best)
                covered.update(lic.group_key(r) for r in best)
            missing, best = cache[key]
            for lic_type, why, severity in missing:
                self._missing(row, company or code, lic_type, why, severity, launch, start)
            for held_license in best:
                self._dated(row, company or code, held_license, ends)
        self._register_only(covered)

    def _missing(self, row, company: str, lic_type: str, why: str, severity: str | None, launch: date | None,
                 start: date | None) -> None:
        needed_by = launch or start
        left = self.left(needed_by) if needed_by else None
        label = "计划上线" if launch else "活动开始"
        timing = f"（{label} {needed_by:%Y-%m-%d}，{when(needed_by, left, self.today)}）" if needed_by else ""
        self.f.add("license-missing", row, "company",
                   f"资质库中没有“{company}”的{lic_type}（{why}）{timing}，请在资质库添加该资质及有效期至。",
                   severity=severity, due=needed_by, days_left=left)

    def _alert(self, held_license: dict) -> lic.LicenseAlert | None:
        row = held_license["row"]
        if row not in self._alerts:
            self._alerts[row] = lic.alert_for(held_license, self.today, self.ctx.settings, self.left)
        return self._alerts[row]

    def _dated(self, row, company: str, held_license: dict, end: date | None) -> None:
        today = self.today
        alert = self._alert(held_license)
        valid_until = held_license["valid_until"]
        if alert is None and (valid_until >= lic.LONG_TERM or end is None or valid_until >= end):
            return
        left = alert.days_left if alert else self.left(valid_until)
        basis = alert.basis() if alert else ""
        where = f"“{company}”的{held_license['type']}（资质库第{int(held_license['row'])}行）"
        if alert is not None and alert.expired:
            self.f.add("license-expired", row, "company",
                       f"{where}已于 {valid_until:%Y-%m-%d} 过期{basis}，{when(valid_until, left, today)}，"
                       f"请换发新证并更新资质库的有效期至。", due=valid_until, days_left=left)
            return
        if end is not None and valid_until < end:
            self.f.add("license-gap", row, "company",
                       f"{where}有效期至 {valid_until:%Y-%m-%d}{basis}，早于活动结束日期 {end:%Y-%m-%d}"
                       f"（{when(valid_until, left, today)}），请在到期前续期或缩短活动期。",
                       due=valid_until, days_left=left)
        if alert is not None:
            self.f.add("license-expiring", row, "company",
                       f"{where}将于 {valid_until:%Y-%m-%d} 到期{basis}，{when(valid_until, left, today)}，请提前办理续期。",
                       severity=alert.severity, due=valid_until, days_left=left)

    def _register_only(self, covered: set[tuple[str, str]]) -> None:
        """Due licenses of companies with no open filing: once each, on the 资质库 row."""
        licenses = self.ctx.licenses
        if licenses.frame.empty:
            return
        rows = {int(r["row"]): lic.group_key(r) for r in licenses.frame.to_dict("records")}
        for alert in lic.alerts(licenses, self.today, self.ctx.settings, self.left):
            if rows[alert.row] in covered:
                continue
            left, valid_until = alert.days_left, alert.valid_until
            where = f"“{alert.company or alert.credit_code}”的{alert.type}"
            field = "发证日期" if alert.implied else "有效期至"
            if alert.expired:
                code = "license-expired"
                text = f"{where}已于 {valid_until:%Y-%m-%d} 过期{alert.basis()}，{when(valid_until, left, self.today)}"
            else:
                code = "license-expiring"
                text = f"{where}将于 {valid_until:%Y-%m-%d} 到期{alert.basis()}，{when(valid_until, left, self.today)}"
            self.f.out.append(make(
                code, f"{text}（该主体目前没有未结束的备案），请换发或续期后更新资质库的有效期至。",
                severity=alert.severity, sheet=licenses.sheet, row=alert.row,
                column=licenses.columns.get(field), field=field, value=alert.valid_until,
                due=valid_until, days_left=left))
