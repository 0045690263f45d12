"""`beian deadlines`: what is late or about to be, counted in Chinese working days.

Every deadline finding carries the date it is about (`due`) and the working days from today to
it (`days_left`, negative when overdue), so the 到期提醒 sheet and the buttons can sort and colour
by urgency. "Today" is `ctx.today` (--today, 设置 今天, or the date the CLI passed in); nothing
here reads the system clock, so a run can be reproduced later.

Scoping decisions (SPEC §5 leaves them open):
- Licenses are checked only when the workbook has a 资质库 sheet; without one every row would be
  "missing" and the list would drown the real problems. They are checked for rows that still
  matter: status not 已撤回/已驳回 and an activity that has not ended before today. A row's
  licenses are those with its 统一社会信用代码; when none carry that code, those filed under its
  主体名称 without a code. Of several licenses of one type, the one valid longest counts; a
  license with an empty 有效期至 is not judged. An expired license gets license-expired only (it
  also ends before the activity, but saying so adds nothing); one still valid can get both
  license-gap (it lapses mid-activity) and license-expiring (renew soon), as SPEC §5 defines them.
  License findings point at the row's 主体名称 cell and name the 资质库 row in the message.
- A row whose launch is today gets launch-unapproved (error) only, not also submit-late-risk.
- An unknown platform uses the default review and lead times from 设置.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .context import Context
from .findings import SEVERITY_ORDER, Finding, Report
from .statuses import CLOSED, IN_REVIEW, NOT_SUBMITTED, PENDING
from .textnorm import fold
from .validate import RowFindings, each_distinct
from .values import LONG_TERM, is_blank
from .workdays import Calendar, calendar_for, plus_days

APPROVED = "已通过"
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
    setup = [*holiday_findings, *ctx.settings.findings, *ctx.licenses.findings]
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
        self.f = _Findings(ctx)
        self._left: dict[date, int] = {}
        self.df = ctx.tracker.df
        self.status = self.df["status"]
        raw = ctx.tracker.raw
        if "status" in raw.columns:
            self.status_blank = each_distinct(raw["status"], is_blank).astype(bool)
        else:
            self.status_blank = pd.Series(True, index=self.df.index)
        settings = ctx.settings
        platforms = ctx.catalog.platforms
        self.review = each_distinct(self.df["platform"],
                                     lambda p: platforms[p].review_days if p in platforms else settings.default_review_days)
        self.lead = each_distinct(self.df["platform"],
                                   lambda p: platforms[p].lead_days if p in platforms else settings.default_lead_days)

    def left(self, due: date) -> int:
        if due not in self._left:
            self._left[due] = self.cal.workdays_between(self.today, due)
        return self._left[due]

    def rows(self, mask: pd.Series, *keys: str):
        """(row, value of each key …) for the rows in `mask`, without per-cell DataFrame access."""
        sub = self.df.loc[mask]
        extra = {"review": self.review, "lead": self.lead}
        columns = [extra[k][mask] if k in extra else sub[k] for k in keys]
        return zip(sub.index, *columns, strict=True)

    # ---------------------------------------------------------------- tracker rows
    def review_overdue(self) -> None:
        df = self.df
        mask = self.status.isin(IN_REVIEW) & df["submitted_date"].notna()
        for row, submitted, days, platform in self.rows(mask, "submitted_date", "review", "platform"):
            days = int(days)
            due = self.cal.add_workdays(submitted, days)
            if self.today <= due:
                continue
            left = self.left(due)
            self.f.add("review-overdue", row, "submitted_date",
                       f"{platform or '平台'}审核超期：{submitted:%Y-%m-%d} 提交，审核周期 {days} 个工作日，"
                       f"应于 {due:%Y-%m-%d} 前有结果，{when(due, left, self.today)}，请联系平台催审并更新状态。",
                       due=due, days_left=left)

    def supplement_overdue(self) -> None:
        df = self.df
        days = self.ctx.settings.supplement_days
        mask = (self.status == "需补充") & (df["supplement_due"].notna() | df["feedback_date"].notna())
        for row, explicit, feedback in self.rows(mask, "supplement_due", "feedback_date"):
            if explicit is not None:
                due, key, basis = explicit, "supplement_due", f"补充截止日期 {explicit:%Y-%m-%d}"
            else:
                due = self.cal.add_workdays(feedback, days)
                key = "feedback_date"
                basis = f"{feedback:%Y-%m-%d} 反馈后 {days} 个工作日内（{due:%Y-%m-%d}）"
            if self.today <= due:
                continue
            left = self.left(due)
            self.f.add("supplement-overdue", row, key,
                       f"补充材料已逾期：应于{basis}补交，{when(due, left, self.today)}，"
                       f"请立即补交材料或联系平台延期，并更新状态。",
                       due=due, days_left=left)

    def _not_submitted(self) -> pd.Series:
        return self.status.isin(NOT_SUBMITTED) | (self.status.isna() & self.status_blank)

    def submit_late_risk(self) -> None:
        df = self.df
        mask = self._not_submitted() & df["launch_date"].notna()
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
        mask = self.status.isin(PENDING) & df["launch_date"].notna()
        for row, target, state in self.rows(mask, "launch_date", "status"):
            if target > self.today:
                continue
            left = self.left(target)
            timing = "就是今天" if target == self.today else f"已过 {-left} 个工作日"
            self.f.add("launch-unapproved", row, "launch_date",
                       f"计划上线日期 {target:%Y-%m-%d} {timing}，但备案状态仍为“{state}”（剩余工作日 {left}），"
                       f"请在备案通过前暂停上线，或更新状态和上线日期。",
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
            left = self.left(due)
            self.f.add("archive-overdue", row, "archived",
                       f"活动已于 {end:%Y-%m-%d} 结束，应在 {days} 天内（{due:%Y-%m-%d} 前）归档，"
                       f"{when(due, left, self.today)}，请归档全部材料后在“{self.f.header('archived')}”填“是”。",
                       due=due, days_left=left)

    # ---------------------------------------------------------------- licenses
    def licenses(self) -> None:
        ctx = self.ctx
        if not ctx.licenses.present:
            return
        df = self.df
        end = df["end_date"]
        in_scope = (~self.status.isin(CLOSED)
                    & (df["company"].notna() | df["credit_code"].notna())
                    & end.map(lambda d: d is None or d >= self.today).astype(bool))
        by_industry = {fold(k): v for k, v in ctx.catalog.industry_licenses.items()}
        everyone = by_industry.get(EVERY_INDUSTRY, [])
        cache: dict[tuple, list[tuple[str, str, dict | None]]] = {}
        folded: dict[str, str] = {}

        def fold_once(text):
            if not text:
                return None
            if text not in folded:
                folded[text] = fold(text)
            return folded[text]

        frame = ctx.licenses.frame
        # the register as plain tuples, filtered in Python: a DataFrame filter per (company, type)
        # costs ~100 µs, and there is one per company × industry × license type
        register = list(zip(frame["row"], frame["company_key"], frame["credit_code"], frame["type_key"],
                            frame["valid_until"], strict=True))
        columns = ("company", "credit_code", "industry", "end_date", "launch_date", "start_date")
        for row, company, code, industry, ends, launch, start in self.rows(in_scope, *columns):
            key = (fold_once(company), code, fold_once(industry))
            if key not in cache:
                required = list(dict.fromkeys(everyone + (by_industry.get(key[2], []) if key[2] else [])))
                held = self._held(register, company, code)
                cache[key] = [(t, "所有活动均需" if t in everyone else f"行业“{industry}”需要",
                               self._best(held, t)) for t in required]
            for lic_type, why, best in cache[key]:
                self._license_row(row, company or code, lic_type, why, best, ends, launch, start)

    @staticmethod
    def _held(register: list[tuple], company: str | None, code: str | None) -> list[tuple]:
        """The row's licenses (`Licenses.for_company`): by 统一社会信用代码, else by 主体名称; with a
        code that holds none, those filed under the 主体名称 without a code."""
        if code:
            wanted = code.upper()
            held = [r for r in register if r[2] == wanted]
        elif company:
            wanted = fold(company)
            held = [r for r in register if r[1] == wanted]
        else:
            held = []
        if not held and code and company:
            wanted = fold(company)
            held = [r for r in register if r[1] == wanted and r[2] == ""]
        return held

    @staticmethod
    def _best(held: list[tuple], lic_type: str) -> dict | None:
        """The license of this type valid longest; {} when held but no 有效期至 is filled; None if absent."""
        wanted = fold(lic_type)
        same = [r for r in held if r[3] == wanted]
        if not same:
            return None
        dated = [r for r in same if not pd.isna(r[4])]
        if not dated:
            return {}
        best = max(dated, key=lambda r: r[4].toordinal())  # the first of equals, like idxmax
        return {"row": int(best[0]), "valid_until": best[4]}

    def _license_row(self, row, company: str, lic_type: str, why: str, best: dict | None, end: date | None,
                     launch: date | None, start: date | None) -> None:
        today, s = self.today, self.ctx.settings
        if best is None:
            needed_by = launch or start
            left = self.left(needed_by) if needed_by else None
            label = "计划上线" if launch else "活动开始"
            timing = f"（{label} {needed_by:%Y-%m-%d}，{when(needed_by, left, today)}）" if needed_by else ""
            self.f.add("license-missing", row, "company",
                       f"资质库中没有“{company}”的{lic_type}（{why}）{timing}，请在资质库添加该资质及有效期至。",
                       due=needed_by, days_left=left)
            return
        if not best or best["valid_until"] >= LONG_TERM:
            return
        valid_until, lic_row = best["valid_until"], best["row"]
        left = self.left(valid_until)
        where = f"“{company}”的{lic_type}（资质库第{lic_row}行）"
        if valid_until < today:
            self.f.add("license-expired", row, "company",
                       f"{where}已于 {valid_until:%Y-%m-%d} 过期，{when(valid_until, left, today)}，"
                       f"请换发新证并更新资质库的有效期至。", due=valid_until, days_left=left)
            return
        if end is not None and valid_until < end:
            self.f.add("license-gap", row, "company",
                       f"{where}有效期至 {valid_until:%Y-%m-%d}，早于活动结束日期 {end:%Y-%m-%d}（{when(valid_until, left, today)}），"
                       f"请在到期前续期或缩短活动期。", due=valid_until, days_left=left)
        if valid_until <= plus_days(today, s.license_info_days):
            severity = "warning" if valid_until <= plus_days(today, s.license_warn_days) else "info"
            self.f.add("license-expiring", row, "company",
                       f"{where}将于 {valid_until:%Y-%m-%d} 到期，{when(valid_until, left, today)}，请提前办理续期。",
                       severity=severity, due=valid_until, days_left=left)
