"""What the group robots say: urgent deadlines by 负责人, newly issued 备案号, the weekly summary.

Vendor-neutral: a `Message` is a title, an intro and groups of plain-text lines, each group
optionally addressed to one person (the 负责人). The adapter (`adapters/robots.py`) turns it
into each vendor's payload, @-mentions the person as that app knows them and splits it to the
vendor's size limit. Nothing here knows a webhook or does I/O.

Definitions:
- *urgent*: the deadline findings (`deadlines.check`) that are overdue or due within 设置
  提醒提前工作日 (default 3) working days, whatever their level: a licence error 14 working days
  away is in the check report, not in an urgent message whose header says "3 个工作日内". An error
  with no date at all is urgent too, and the header counts it apart. Most urgent first, grouped
  by the row's 负责人 (else 联系人, else “未填负责人”); a 资质库 item names the company and the
  licence (资质类型, 证书编号) and its 资质库 row, never a tracker row.
- *approved*: rows 已通过 with a 备案号 not yet announced to this robot. The state (keys already
  announced, per robot) lives in `history/notify.sqlite` in the output folder
  (`adapters/notify_store.py`; `State` below is the JSON of earlier versions); on a robot's first run,
  only approvals of the last `FIRST_RUN_DAYS` days are announced and older ones are recorded as
  known, so connecting a robot does not replay the whole history.
- *weekly*: the weekly Markdown summary (`adapters.report_md.render`), already masked.
Lines hold the user's text as is; the robot adapter masks phone numbers, e-mail addresses and
ID-card numbers in every line as the weekly Markdown does, and escapes it for the vendor's markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ..deadlines.checks import urgency, when
from ..run.context import Context
from ..run.findings import DEADLINE_CODES, Finding, codes
from ..tracker.values import as_text, is_blank

FIRST_RUN_DAYS = 7
NO_OWNER = "未填负责人"
STATE_VERSION = 1


@dataclass(frozen=True)
class Line:
    text: str
    """Plain text as the tracker has it; the adapter masks and escapes it."""
    key: str | None = None
    """For *approved*: the state key announced once this line is delivered."""
    omitted: int = 0
    """For the line a capped group ends with: how many items it stands for."""


@dataclass
class Group:
    heading: str
    person: str | None
    """The name to @ (a 负责人), or None for a group addressed to nobody."""
    lines: list[Line]
    total: int | None = None
    """Items in the group before capping (None: all listed)."""


@dataclass
class Message:
    content: str
    """urgent | approved | weekly."""
    title: str
    intro: str
    groups: list[Group]
    footer: str = ""
    markdown: bool = False
    """Lines are already Markdown (the weekly summary): send as is."""
    omitted_hint: str = ""
    """What to say for items left out when the message is capped."""

    @property
    def items(self) -> int:
        return sum(g.total if g.total is not None else len(g.lines) for g in self.groups)

    @property
    def listed(self) -> int:
        return sum(1 for g in self.groups for ln in g.lines if not ln.omitted)

    @property
    def keys(self) -> list[str]:
        return [ln.key for g in self.groups for ln in g.lines if ln.key]

    def capped(self, per_group: int) -> Message:
        """The same message listing at most `per_group` lines per group (the most urgent, as
        ordered), each shortened group ending with a line that says how many were left out."""
        groups = []
        for g in self.groups:
            total = g.total if g.total is not None else len(g.lines)
            if len(g.lines) <= per_group:
                groups.append(g)
                continue
            kept = g.lines[:per_group]
            more = Line(f"……另有 {total - per_group} 项未列出{self.omitted_hint}", omitted=total - per_group)
            groups.append(replace(g, lines=[*kept, more], total=total))
        return replace(self, groups=groups)


# ---------------------------------------------------------------------------------------------
# urgent


def owner_of(ctx: Context, row: int | None) -> str:
    df = ctx.tracker.df
    if row is None or row not in df.index:
        return NO_OWNER
    for key in ("owner", "contact_name"):
        if key in df.columns:
            v = df.at[row, key]
            if not is_blank(v):
                return as_text(v).strip()
    return NO_OWNER


def is_urgent(f: Finding, lead_days: int, today: date) -> bool:
    """Overdue, or due within `lead_days` working days; or an error that has no date to wait for."""
    if f.code not in DEADLINE_CODES or f.code == "calendar-fallback":
        return False
    if f.days_left is not None:
        return f.days_left <= lead_days or (f.due is not None and f.due < today)
    if f.due is not None:
        return f.due <= today
    return f.severity == "error"


def urgent_findings(findings: list[Finding], lead_days: int, today: date) -> list[Finding]:
    return sorted((f for f in findings if is_urgent(f, lead_days, today)), key=urgency)


def _timing(f: Finding, today: date) -> str:
    if f.due is not None and f.days_left is not None:
        return f"{f.due:%Y-%m-%d} {when(f.due, f.days_left, today)}"
    if f.due is not None:
        return f"{f.due:%Y-%m-%d}"
    return "尽快处理"


def urgent_line(f: Finding, platform: str, today: date) -> str:
    parts = [f.filing_id or f"台账第{f.row}行", f.activity or "（无活动名称）", platform or "（无平台）",
             codes()[f.code].title, _timing(f, today)]
    return " · ".join(as_text(p) for p in parts)


def license_line(f: Finding, held: dict | None, today: date) -> str:
    """A 资质库 item: whose licence, which one, and where it is — the row is the 资质库's."""
    held = held or {}
    company = as_text(held.get("company") or held.get("credit_code") or "") or "（资质库未填主体名称）"
    kind = as_text(held.get("type") or "") or "（未填资质类型）"
    number = as_text(held.get("number") or "")
    licence = f"{kind}（证书编号 {number}）" if number else kind
    parts = [company, licence, codes()[f.code].title, _timing(f, today), f"资质库第{f.row}行"]
    return " · ".join(parts)


def urgent_message(ctx: Context, findings: list[Finding]) -> Message:
    """Urgent deadline findings grouped by 负责人; groups ordered by their most urgent item. The
    header counts exactly the items listed, by what makes them urgent."""
    days = ctx.settings.reminder_days
    chosen = urgent_findings(findings, days, ctx.today)
    df = ctx.tracker.df
    platforms = dict(zip(df.index, df["platform"], strict=True)) if "platform" in df.columns else {}
    licenses = ctx.licenses
    held = {int(r["row"]): r for r in licenses.frame.to_dict("records")} if licenses.present else {}
    groups: dict[str, Group] = {}
    for f in chosen:
        row = f.row if f.sheet == ctx.tracker.sheet else None
        name = owner_of(ctx, row)
        g = groups.setdefault(name, Group(name, None if name == NO_OWNER else name, []))
        if licenses.present and f.sheet == licenses.sheet and f.row is not None:
            g.lines.append(Line(license_line(f, held.get(f.row), ctx.today)))
        else:
            g.lines.append(Line(urgent_line(f, as_text(platforms.get(row) or ""), ctx.today)))
    for g in groups.values():
        g.heading = f"{g.heading}（{len(g.lines)} 项）"
    overdue = sum(1 for f in chosen if f.due is not None and f.due < ctx.today)
    dated = sum(1 for f in chosen if f.due is not None)
    undated = len(chosen) - dated
    errors = sum(1 for f in chosen if f.severity == "error")
    header = f"共 {len(chosen)} 项：已逾期 {overdue} 项，{days} 个工作日内到期 {dated - overdue} 项"
    if undated:
        header += f"，无到期日但须立即处理 {undated} 项"
    return Message(
        "urgent", f"备案紧急提醒 {ctx.today:%Y-%m-%d}",
        f"{header}（其中错误 {errors} 项），请负责人尽快处理：",
        list(groups.values()),
        footer="完整清单：运行 beian deadlines 或点击台账的“到期与逾期”按钮。",
        omitted_hint="，完整清单见“到期提醒”工作表或 beian deadlines")


# ---------------------------------------------------------------------------------------------
# approved


def announcement_key(filing_id: str, platform: str, approval_no: str) -> str:
    """What the notify state remembers as announced: one approval of one filing on one platform
    (not `textnorm.approval_key`, which is a 备案号's comparison form)."""
    return f"{filing_id}|{platform}|{approval_no}"


@dataclass
class Approval:
    key: str
    line: str
    approved: date | None
    owner: str


def approvals(ctx: Context) -> list[Approval]:
    df = ctx.tracker.df
    if "approval_no" not in df.columns:
        return []
    mask_ = (df["status"] == "已通过") & df["approval_no"].map(lambda v: not is_blank(v)).astype(bool)
    out = []
    for row in df.index[mask_]:
        r = df.loc[row]
        fid = as_text(r.get("filing_id") or f"第{row}行")
        platform = as_text(r.get("platform") or "")
        number = as_text(r["approval_no"])
        approved = r.get("approved_date")
        approved = approved if isinstance(approved, date) else None
        when_text = f"{approved:%Y-%m-%d} 通过" if approved else "已通过"
        parts = [fid, as_text(r.get("activity") or "（无活动名称）"), platform or "（无平台）", f"备案号 {number}", when_text]
        out.append(Approval(announcement_key(fid, platform, number), " · ".join(parts), approved,
                            owner_of(ctx, row)))
    return out


def new_approvals(ctx: Context, announced: set[str] | None) -> tuple[list[Approval], list[str]]:
    """(to announce, keys to record as known without announcing).

    `announced` None = this robot has no state yet: only the last FIRST_RUN_DAYS days count as new.
    """
    items = approvals(ctx)
    if announced is None:
        since = ctx.today - timedelta(days=FIRST_RUN_DAYS)
        fresh = [a for a in items if a.approved is not None and a.approved >= since]
        fresh_keys = {a.key for a in fresh}
        return fresh, [a.key for a in items if a.key not in fresh_keys]
    return [a for a in items if a.key not in announced], []


def approved_message(ctx: Context, items: list[Approval]) -> Message:
    groups: dict[str, Group] = {}
    for a in sorted(items, key=lambda a: (a.approved or date.min), reverse=True):
        g = groups.setdefault(a.owner, Group(a.owner, None if a.owner == NO_OWNER else a.owner, []))
        g.lines.append(Line(a.line, key=a.key))
    for g in groups.values():
        g.heading = f"{g.heading}（{len(g.lines)} 个）"
    return Message("approved", f"新通过备案 {ctx.today:%Y-%m-%d}",
                   f"以下 {len(items)} 个备案已下号，请相关团队知悉并按备案号上线：", list(groups.values()),
                   omitted_hint="，将在下次通知中列出")


# ---------------------------------------------------------------------------------------------
# weekly


def weekly_message(ctx: Context, markdown_text: str) -> Message:
    lines = [Line(t) for t in markdown_text.rstrip("\n").split("\n")]
    title = lines[0].text.lstrip("# ").strip() if lines else "备案周报"
    return Message("weekly", title, "", [Group("", None, lines[1:])], markdown=True,
                   omitted_hint="，完整周报见输出文件夹")


# ---------------------------------------------------------------------------------------------
# state


@dataclass
class State:
    approved: dict[str, list[str]] = field(default_factory=dict)
    """Robot name → approval keys already announced (or recorded as known)."""
    last_run: str | None = None

    def announced(self, robot: str) -> set[str] | None:
        keys = self.approved.get(robot)
        return None if keys is None else set(keys)

    def record(self, robot: str, keys: list[str]) -> None:
        known = self.approved.setdefault(robot, [])
        seen = set(known)
        known.extend(k for k in keys if k not in seen)

    def as_json(self) -> dict:
        return {"version": STATE_VERSION, "last_run": self.last_run, "approved": self.approved}

    @classmethod
    def from_json(cls, data: object) -> State:
        if not isinstance(data, dict) or not isinstance(data.get("approved", {}), dict):
            raise ValueError("not a notify state object")
        approved = {str(k): [str(x) for x in v] for k, v in data.get("approved", {}).items() if isinstance(v, list)}
        return cls(approved, data.get("last_run"))
