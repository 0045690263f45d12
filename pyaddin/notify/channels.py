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
    source: str


@cache
def vendors() -> dict[str, VendorSpec]:
    out = {}
    for r in default_table("robots.csv", "机器人").rows:
        spec = VendorSpec(r.text("类型"), int(r.text("每分钟条数")),
                          int(r.text("每秒条数")) if r.text("每秒条数") else None,
                          int(r.text("单条上限字节")), r.text("计量"),
                          frozenset(int(c) for c in split_list(r.text("限流错误码"))), r.text("依据"))
        out[spec.kind] = spec
    return out


@cache
def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for r in default_table("robots.csv", "机器人").rows:
        kind = r.text("类型")
        for alias in [kind, *split_list(r.text("别名"))]:
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
        parts += [split.path, split.query]
        parts += [p.split("=", 1)[-1] for p in split.query.split("&")]
        parts += [seg for seg in split.path.split("/") if len(seg) >= 16]
        return tuple(p for p in parts if p and len(p) >= 6)


def mask_url(url: str) -> str:
    """Scheme and host only: `https://qyapi.weixin.qq.com/****`."""
    split = urlsplit(url)
    if not split.scheme or not split.netloc:
        return "****"
    return f"{split.scheme}://{split.netloc}/****"


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
