"""The 通知 sheet: which group robots to post to, and what each vendor allows.

One row per robot: 名称, 类型 (企业微信 | 钉钉 | 飞书), Webhook, 加签密钥 (optional), 内容 (urgent /
approved / weekly, several allowed; blank = urgent + approved), 启用 (blank = 是). A row that
cannot be used becomes a `robot-invalid` finding naming the row, never the webhook or the secret:
both are credentials, so `Channel.__repr__` hides them and nothing here puts them in a message.

Vendor limits (messages per minute/second, bytes per message, "too frequent" error codes) are data
in `data/robots.csv`, with the vendor page each figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from ..run.findings import Finding, make
from ..tracker.book import Book
from ..tracker.tables import default_table, read_sheet_table, split_list
from ..tracker.textnorm import fold
from ..tracker.values import Unreadable, is_blank, parse_bool

NOTIFY_SHEET = "通知"
COLUMNS = {
    "名称": ["机器人", "群名称", "name"],
    "类型": ["应用", "平台", "type"],
    "Webhook": ["webhook地址", "地址", "url", "webhook url"],
    "加签密钥": ["密钥", "签名密钥", "加签", "secret"],
    "内容": ["发送内容", "通知内容", "content"],
    "启用": ["是否启用", "enabled"],
}
CONTENTS = ("urgent", "approved", "weekly")
CONTENT_ALIASES = {
    "urgent": ["urgent", "紧急", "紧急提醒", "到期", "到期提醒", "逾期"],
    "approved": ["approved", "通过", "已通过", "备案号", "新备案号", "下号"],
    "weekly": ["weekly", "周报", "每周"],
}
CONTENT_ZH = {"urgent": "紧急提醒", "approved": "新通过备案", "weekly": "周报"}
DEFAULT_CONTENTS = ("urgent", "approved")


@dataclass(frozen=True)
class VendorSpec:
    kind: str
    """企业微信 | 钉钉 | 飞书."""
    per_minute: int
    per_second: int | None
    max_bytes: int
    measure: str
    """What `max_bytes` bounds: the markdown text, or the whole request body (飞书)."""
    busy_codes: frozenset[int]
    busy_action: str
    """What a "too frequent" answer means: `stop` (the robot is blocked for `busy_seconds`: send
    nothing more to it this run), `wait` (a per-minute quota: wait at least `busy_seconds`, or defer
    to the next run) or `retry` (a per-second quota: a short backoff succeeds)."""
    busy_seconds: float
    mention_id: str
    """How the message text names a person mentioned by app ID (`{id}` stands for it); empty = not in text."""
    mention_mobile: str
    """How the message text names a person mentioned by 手机 (`{mobile}`); empty = this app cannot in markdown."""
    source: str
    unverified: tuple[str, ...] = ()
    """The items of robots.csv whose 已核实 is 否: shipped, but not yet checked against the vendor's text."""


def _vendor_items() -> dict[str, dict[str, tuple[str, str, bool]]]:
    """类型 → 项目 → (值, 依据, 已核实) from the long table `data/robots.csv` (one fact a row)."""
    out: dict[str, dict[str, tuple[str, str, bool]]] = {}
    for r in default_table("robots.csv", "机器人").rows:
        out.setdefault(r.text("类型"), {})[r.text("项目")] = (r.text("值"), r.text("依据"), r.text("已核实") == "是")
    return out


@cache
def vendors() -> dict[str, VendorSpec]:
    out = {}
    for kind, items in _vendor_items().items():
        def val(name: str, items=items) -> str:
            return items.get(name, ("", "", False))[0]

        action, _, seconds = val("限流处理").partition(" ")
        busy_action = {"停发": "stop", "等待": "wait"}.get(action, "retry")
        out[kind] = VendorSpec(
            kind, int(val("每分钟条数")), int(val("每秒条数")) if val("每秒条数") else None, int(val("单条上限字节")),
            val("计量"), frozenset(int(c) for c in split_list(val("限流错误码"))), busy_action,
            float(seconds) if seconds else 0.0, val("正文@ID"), val("正文@手机"),
            "；".join(dict.fromkeys(src for _, src, _ in items.values() if src)),
            tuple(name for name, (_, _, ok) in items.items() if not ok))
    return out


@cache
def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for kind, items in _vendor_items().items():
        for alias in [kind, *split_list(items.get("别名", ("", "", False))[0])]:
            lookup[fold(alias)] = kind
    return lookup


def vendor_kind(text: str) -> str | None:
    return _kind_lookup().get(fold(text))


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str
    webhook: str = field(repr=False)
    secret: str = field(default="", repr=False)
    contents: tuple[str, ...] = DEFAULT_CONTENTS
    row: int | None = None

    @property
    def spec(self) -> VendorSpec:
        return vendors()[self.kind]

    @property
    def masked_webhook(self) -> str:
        return mask_url(self.webhook)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every string that must never be shown: the webhook, its token parts and the secret."""
        parts = [self.webhook, self.secret]
        split = urlsplit(self.webhook)
        parts += [split.path, split.query, split.netloc.rpartition("@")[0], split.username or "", split.password or ""]
        parts += [p.split("=", 1)[-1] for p in split.query.split("&")]
        parts += [seg for seg in split.path.split("/") if len(seg) >= 16]
        return tuple(p for p in parts if p and len(p) >= 6)


def mask_url(url: str) -> str:
    """Scheme and host only: `https://qyapi.weixin.qq.com/****`; a user name or password written
    into the URL (`https://bot:PASS@host/…`) is a credential and never shown."""
    split = urlsplit(url)
    try:
        host = split.hostname
        port = split.port
    except ValueError:
        return "****"
    if not split.scheme or not host:
        return "****"
    host = f"[{host}]" if ":" in host else host
    return f"{split.scheme}://{host}{f':{port}' if port else ''}/****"


def parse_contents(text: str) -> tuple[tuple[str, ...], list[str]]:
    """(contents, unreadable parts) from a 内容 cell; blank → urgent + approved."""
    if not text.strip():
        return DEFAULT_CONTENTS, []
    lookup = {fold(a): key for key, aliases in CONTENT_ALIASES.items() for a in aliases}
    found, bad = [], []
    for part in (w for chunk in split_list(text) for w in chunk.split()):
        key = lookup.get(fold(part))
        if key is None:
            bad.append(part)
        elif key not in found:
            found.append(key)
    return tuple(k for k in CONTENTS if k in found), bad


@dataclass
class Channels:
    channels: list[Channel] = field(default_factory=list)
    present: bool = False
    disabled: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def load_channels(book: Book | None) -> Channels:
    sheet = book.get(NOTIFY_SHEET) if book else None
    if sheet is None:
        return Channels()
    table = read_sheet_table(sheet, COLUMNS, min_match=2)
    if table is None:
        return Channels(findings=[make("missing-column", "“通知”工作表缺少表头（名称、类型、Webhook、加签密钥、内容、启用），"
                                       "请在第一行填写这些列名。", sheet=NOTIFY_SHEET, row=1, field="Webhook")])
    out = Channels(present=True)

    def bad(r, column: str, message: str, value: object = None) -> None:
        out.findings.append(make("robot-invalid", message, sheet=NOTIFY_SHEET, row=r.row,
                                 column=r.columns.get(column), field=column, value=value))

    seen: set[str] = set()
    for r in table.rows:
        name = r.text("名称") or f"第{r.row}行"
        enabled_raw = r.values.get("启用")
        try:
            enabled = True if is_blank(enabled_raw) else parse_bool(enabled_raw)
        except Unreadable:
            bad(r, "启用", f"通知表第{r.row}行（{name}）的“启用”无法识别，已跳过该机器人，请填“是”或“否”。",
                r.text("启用"))
            continue
        if enabled is False:
            out.disabled.append(name)
            continue
        kind = vendor_kind(r.text("类型"))
        if kind is None:
            bad(r, "类型", f"通知表第{r.row}行（{name}）的类型“{r.text('类型')}”无法识别，"
                             "已跳过，请填写 企业微信、钉钉 或 飞书。", r.text("类型"))
            continue
        webhook = r.text("Webhook")
        split = urlsplit(webhook)
        if split.scheme not in ("http", "https") or not split.netloc:
            what = "为空" if not webhook else "不是 http(s) 网址"
            bad(r, "Webhook", f"通知表第{r.row}行（{name}）的 Webhook {what}，已跳过，"
                                  f"请从{kind}群机器人设置中复制完整的 Webhook 地址。", "****" if webhook else None)
            continue
        contents, unknown = parse_contents(r.text("内容"))
        if unknown:
            bad(r, "内容", f"通知表第{r.row}行（{name}）的内容“{'、'.join(unknown)}”无法识别，已忽略，"
                             "请填写 urgent（紧急）、approved（通过）、weekly（周报）中的一项或几项。", "、".join(unknown))
        if not contents:
            continue
        if fold(name) in seen:
            bad(r, "名称", f"通知表中名称“{name}”重复，请改为不同的名称，以便 --channel 选择。", name)
        seen.add(fold(name))
        out.channels.append(Channel(name, kind, webhook, r.text("加签密钥"), contents, r.row))
    return out
