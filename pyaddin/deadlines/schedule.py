"""Calendar events for every deadline beian computes, for `beian calendar` (备案日程.ics).

One event per deadline, dated like the deadline checks date them (`deadlines.py`, Chinese working
days with the 节假日 sheet):
- 审核结果应出 (review due): status 已提交/审核中 → 提交日期 + the platform's 审核周期 working days;
- 补充材料截止 (supplement due): status 需补充 → 补充截止日期, else 反馈日期 + 设置 补充材料默认工作日;
- 最晚提交日 (latest submission for on-time approval): not yet submitted, with a 计划上线日期 → the
  latest day from which 审核周期 + 提前量 working days still reach the launch;
- 计划上线 (launch): every open filing with a 计划上线日期;
- 归档截止 (archive due): 已通过, not archived, with an end date → 活动结束日期 + 设置 归档期限天数;
- 资质到期 (license expiry): each dated 资质库 license (长期 never expires).
The first four are only for open filings (`filings.open_filings`, as the deadline checks ask it):
a filing withdrawn, resubmitted, or whose activity has ended has no review, submission or launch
left to remind of (docs/deadlines.md); archiving, which follows the end, stays.
Each event has a key that stays the same while the filing (备案编号 + 平台) or the license (主体 +
资质类型 + 证书编号) does, so the .ics writer can give it a stable UID and re-importing the file
updates the event instead of adding a copy. A deadline up to `PAST_DAYS` days past stays in (an
overdue one still needs doing, and the week's misses should stay visible); older ones are left out of
the calendar, which would otherwise fill with last quarter's launches. The check and deadlines reports
still list every overdue item; the calendar command says how many it left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from ..run.context import Context
from ..tracker.filings import open_filings, open_rejected
from ..tracker.statuses import IN_REVIEW, NOT_SUBMITTED
from ..tracker.values import LONG_TERM, as_text, is_blank
from .workdays import Calendar, calendar_for, plus_days

PAST_DAYS = 7
"""Deadlines more than this many days before today are left out of the calendar."""

KINDS = {
    "review": "审核结果应出",
    "supplement": "补充材料截止",
    "submit": "最晚提交日",
    "launch": "计划上线",
    "archive": "归档截止",
    "license": "资质到期",
}


@dataclass(frozen=True)
class Event:
    kind: str
    day: date
    summary: str
    description: str
    key: str
    """Stable identity: kind + filing (or license); the UID is derived from it."""
    remind: date
    """When to remind: 设置 日程提醒提前工作日 working days before `day` (never after it)."""
    owner: str = ""

    @property
    def uid(self) -> str:
        return hashlib.sha1(self.key.encode("utf-8")).hexdigest()[:24] + "@beian"


def _text(value: object) -> str:
    return "" if value is None or is_blank(value) else as_text(value).strip()


def current(found: list[Event], today: date, past_days: int = PAST_DAYS) -> tuple[list[Event], int]:
    """The events dated at most `past_days` days before `today`, and how many older ones were left out."""
    cutoff = today - timedelta(days=past_days)
    kept = [e for e in found if e.day >= cutoff]
    return kept, len(found) - len(kept)


def events(ctx: Context, calendar: Calendar | None = None) -> list[Event]:
    """Every deadline as an event, in date order (past ones too; `current` drops the old ones)."""
    if calendar is None:
        calendar, _ = calendar_for(ctx.book)
    s = ctx.settings
    platforms = ctx.catalog.platforms
    lead_n = max(0, s.calendar_reminder_days)
    out: list[Event] = []

    def remind(day: date) -> date:
        return calendar.workdays_before(day, lead_n) if lead_n else day

    df = ctx.tracker.df
    raw = ctx.tracker.raw
    blank_status = (dict(zip(raw.index, raw["status"].map(is_blank), strict=True)) if "status" in raw.columns
                    else dict.fromkeys(df.index, True))
    # the line between open and closed that check draws: a 已驳回 row nobody resubmitted is still
    # to be submitted and launched; one resubmitted, 已撤回, or whose activity is over has no
    # review, submission or launch left
    still_open = set(df.index[open_filings(df, ctx.today)])
    reopened = set(df.index[open_rejected(df)])  # df has every field
    keys: set[str] = set()
    for row, r in zip(df.index, df.to_dict("records"), strict=True):
        fid = _text(r.get("filing_id")) or f"第{row}行"
        platform = _text(r.get("platform"))
        activity = _text(r.get("activity")) or "（无活动名称）"
        owner = _text(r.get("owner")) or _text(r.get("contact_name"))
        status = r.get("status")
        spec = platforms.get(platform)
        review = spec.review_days if spec else s.default_review_days
        lead = spec.lead_days if spec else s.default_lead_days
        who = f"（负责人：{owner}）" if owner else ""

        found: list[tuple[str, date, str]] = []

        def add(kind: str, day: date | None, detail: str, found=found) -> None:
            if day is not None:
                found.append((kind, day, detail))

        submitted, launch = r.get("submitted_date"), r.get("launch_date")
        live = row in still_open
        if live and status in IN_REVIEW and submitted is not None:
            add("review", calendar.add_workdays(submitted, review),
                f"{submitted:%Y-%m-%d} 提交，{platform or '平台'}审核周期 {review} 个工作日，应在此日前有结果；逾期请催审。")
        if live and status == "需补充":
            explicit, feedback = r.get("supplement_due"), r.get("feedback_date")
            if explicit is not None:
                add("supplement", explicit, "补充截止日期（台账填写）：请在此日前补交材料。")
            elif feedback is not None:
                add("supplement", calendar.add_workdays(feedback, s.supplement_days),
                    f"{feedback:%Y-%m-%d} 反馈后 {s.supplement_days} 个工作日内补交材料。")
        not_submitted = (status in NOT_SUBMITTED or row in reopened
                         or (status is None and bool(blank_status.get(row))))
        if live and not_submitted and launch is not None:
            latest = calendar.workdays_before(plus_days(launch, 1), review + lead + 1)
            add("submit", latest, f"计划 {launch:%Y-%m-%d} 上线；审核周期 {review} + 提前量 {lead} 个工作日，"
                                  "最晚此日提交才能按时通过。")
        if live and launch is not None:
            add("launch", launch, f"计划上线日期；当前状态：{_text(status) or '未填'}。未通过备案不得上线。")
        end = r.get("end_date")
        if status == "已通过" and end is not None and r.get("archived") is not True:
            add("archive", plus_days(end, s.archive_days),
                f"活动 {end:%Y-%m-%d} 结束，{s.archive_days} 天内归档全部材料，并在台账标记已归档。")
        for kind, day, detail in found:
            summary = f"{KINDS[kind]}：{fid} {activity}（{platform or '未填平台'}）"
            description = f"{detail}{who}\n台账：{ctx.tracker.sheet} 第 {row} 行。由 beian calendar 生成。"
            key = f"{kind}|{fid}|{platform}"
            if key in keys:  # a duplicated 备案编号 + 平台 (itself a duplicate-id finding)
                key += f"|{row}"
            keys.add(key)
            out.append(Event(kind, day, summary, description, key, remind(day), owner))
    lic = ctx.licenses.frame
    for rec in lic.to_dict("records") if ctx.licenses.present else []:
        until = rec.get("valid_until")
        if until is None or until >= LONG_TERM:
            continue
        company, kind_name, number = rec.get("company") or "", rec.get("type") or "", rec.get("number") or ""
        out.append(Event(
            "license", until, f"资质到期：{company} {kind_name}",
            f"{company}的{kind_name}（证书编号 {number or '未填'}，资质库第 {rec.get('row')} 行）于此日到期，请提前续期并更新资质库。"
            "\n由 beian calendar 生成。",
            f"license|{company}|{kind_name}|{number}", remind(until)))
    out.sort(key=lambda e: (e.day, e.kind, e.key))
    return out
