"""Group-robot delivery: each vendor's payload, @-mentions, size-limited splitting, signing, HTTP.

Vendor facts (each figure is data in `pyaddin/data/robots.csv`, with its source):
- 企业微信 群机器人: `{"msgtype": "markdown", "markdown": {"content": …}}`, `<@userid>` mentions
  inside markdown; `mentioned_mobile_list` works only on `text` messages, so people known only by
  手机 are mentioned by one short text message after the markdown. No signing.
- 钉钉 自定义机器人: `{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {"atMobiles",
  "atUserIds", "isAtAll"}}`; a person in `atMobiles` is @-ed only if the text also says
  `@<手机号>` (and `@<userid>` for `atUserIds`). 加签: HMAC-SHA256 over `timestamp + "\\n" + secret`
  keyed by the secret, Base64, URL-encoded, sent as `&timestamp=<ms>&sign=…` on the webhook URL.
- 飞书 自定义机器人: `{"msg_type": "post", "content": {"post": {"zh_cn": {"title", "content":
  [[elements]]}}}}`; elements are `text` (bold as `"style": ["bold"]`), `a` (links) and `at`
  (`user_id`): 飞书 shows Markdown signs as typed, so none is sent. 签名: `timestamp + "\\n" +
  secret` is the HMAC-SHA256 *key* over an empty message, Base64, body fields `timestamp`, `sign`.
The limits (per minute/second, bytes, "too frequent" codes and what they mean, how text names a
mentioned person) are data in `pyaddin/data/robots.csv`, one fact a row with its source.

Delivery: a timeout on every request; redirects are not followed (a 3xx is a failed delivery: a
webhook that answers elsewhere is not the robot). Retries with exponential backoff on HTTP 5xx and
network errors. A "too frequent" answer is handled as the vendor means it: 钉钉 130101 blocks the
robot for 10 minutes, so nothing more is sent to it and the block is remembered across runs;
企业微信 45009 is a per-minute quota, so the sender waits at least 60 s once, or defers the rest
to the next run; 飞书's per-second limit is retried after its reset header or a short backoff. Any
other non-zero vendor code is a failure even with HTTP 200. The per-minute window lives in a
ledger that, for real runs, is the SQLite file of `adapters/notify_store.py`: shared by processes.

Secrets: the webhook URL, user name and password written into it and the 加签密钥 never appear in
what this module returns or raises; a vendor answer that echoes the signed URL has its
`timestamp`/`sign` masked; `describe()` prints a payload with the URL reduced to its host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from ..errors import DeliveryFailed, DeliveryRetry
from ..notify.channels import Channel, VendorSpec
from ..notify.markup import Span, parse, plain_line
from ..notify.messages import Message
from ..notify.people import People, Person
from .notify_store import MemoryLedger, robot_key
from .report_md import mask

MASK = "****"
MARGIN = 200
"""Bytes kept free under each limit for the part label, signature fields and JSON punctuation."""
_MD_ESCAPE = str.maketrans({"<": "＜", ">": "＞", "*": "＊", "[": "［", "]": "］", "`": "｀", "#": "＃"})


@lru_cache(maxsize=1 << 16)
def _masked(text: str) -> str:
    return mask(text)


@lru_cache(maxsize=1 << 16)
def _masked_md(text: str) -> str:
    return mask(text).translate(_MD_ESCAPE)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def json_len(value: object) -> int:
    return utf8_len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


# ---------------------------------------------------------------------------------------------
# rendering: Message → units with a byte cost → chunks within the vendor limit


@dataclass
class Unit:
    """One rendered line: markdown text or 飞书 post elements, and what it costs in bytes."""

    text: str
    elements: list[dict] | None
    cost: int
    key: str | None = None
    mention: Person | None = None
    heading: str | None = None
    """For a group heading: the heading repeated (without @) when the group continues in the next part."""
    item: bool = False
    """A line listing one item (not the intro, a heading or the footer)."""


@dataclass
class Payload:
    """One HTTP request's body (before signing) and what it carries."""

    body: dict
    keys: list[str] = field(default_factory=list)
    """*approved* state keys delivered by this payload."""
    label: str = ""
    """“紧急提醒 1/3” — what the command output names when this payload fails."""
    items: int = 0


@dataclass
class Plan:
    channel: Channel
    message: Message
    payloads: list[Payload]
    unresolved: list[str]
    """Names that could not be @-mentioned in this app (no 人员 entry, or no ID/手机 for it)."""
    listed: int = 0
    items: int = 0


_APP_ID = {"企业微信": "wecom_id", "钉钉": "dingtalk_id", "飞书": "feishu_id"}


def _can_mention(kind: str, person: Person) -> bool:
    if kind == "企业微信":
        return bool(person.wecom_id or person.mobile)
    if kind == "钉钉":
        return bool(person.dingtalk_id or person.mobile)
    return bool(person.feishu_id)


def mention_text(spec: VendorSpec, person: Person) -> str:
    """How the message text names a mentioned person in this app (`<@wangmin>`, `@13700002222`),
    as robots.csv says; empty when the app mentions otherwise (飞书's `at` element, 企业微信's
    separate text message for 手机)."""
    app_id = getattr(person, _APP_ID[spec.kind])
    if app_id and spec.mention_id:
        return spec.mention_id.format(id=app_id)
    if not app_id and person.mobile and spec.mention_mobile:
        return spec.mention_mobile.format(mobile=person.mobile)
    return ""


class _Renderer:
    """Markdown vendors (企业微信, 钉钉); 飞书 overrides for post elements."""

    def __init__(self, channel: Channel, message: Message):
        self.channel = channel
        self.kind = channel.kind
        self.message = message

    def esc(self, text: str) -> str:
        """Masked as the weekly Markdown masks (the stars full-width, so they cannot make text bold);
        user text cannot open a tag, a mention or bold."""
        return _masked(text) if self.message.markdown else _masked_md(text)

    def line(self, text: str, key: str | None = None) -> Unit:
        body = self.esc(text) if self.message.markdown else f"- {self.esc(text)}"
        return Unit(body, None, utf8_len(body) + 2, key, item=True)

    def plain(self, text: str) -> Unit:
        body = self.esc(text)
        return Unit(body, None, utf8_len(body) + 2)

    def heading(self, text: str, person: Person | None) -> Unit:
        base = f"**{self.esc(text)}**"
        tag = mention_text(self.channel.spec, person) if person is not None else ""
        body = f"{base} {tag}" if tag else base
        return Unit(body, None, utf8_len(body) + 2 + 40, mention=person, heading=f"{base}（续）")

    def continuation(self, heading: Unit) -> Unit:
        text = heading.heading or ""
        return Unit(text, None, utf8_len(text) + 2)

    def overhead(self, title: str) -> int:
        return utf8_len(title) * 2 + 60

    def body(self, title: str, units: list[Unit]) -> dict:
        text = "\n".join([f"### {self.esc(title)}", *[u.text for u in units]])
        mentioned = [u.mention for u in units if u.mention is not None]
        if self.kind == "企业微信":
            return {"msgtype": "markdown", "markdown": {"content": text}}
        mobiles = [p.mobile for p in mentioned if not p.dingtalk_id and p.mobile]
        ids = [p.dingtalk_id for p in mentioned if p.dingtalk_id]
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text},
                "at": {"atMobiles": mobiles, "atUserIds": ids, "isAtAll": False}}

    def size(self, body: dict) -> int:
        if self.kind == "企业微信":
            return utf8_len(body["markdown"]["content"])
        if self.kind == "钉钉":
            return utf8_len(body["markdown"]["text"])
        return json_len(body)


def _elements(spans: list[Span], *, bold: bool = False) -> list[dict]:
    out: list[dict] = []
    for sp in spans:
        text = _masked(sp.text)
        el: dict = {"tag": "a", "text": text, "href": sp.href} if sp.href else {"tag": "text", "text": text}
        if bold or sp.bold:
            el["style"] = ["bold"]
        out.append(el)
    return out


class _FeishuRenderer(_Renderer):
    """飞书 `post` elements: bold as a style, links as `a`, mentions as `at`; no Markdown sign is
    sent, since 飞书 would show it as typed. The weekly summary's Markdown is parsed back
    (`notify/markup.py`) so its headings and bold words keep their weight."""

    def esc(self, text: str) -> str:
        return _masked(text)

    def _unit(self, text: str, el: list[dict], key: str | None = None, **kw) -> Unit:
        return Unit(text, el, json_len(el) + 1, key, **kw)

    def line(self, text: str, key: str | None = None) -> Unit:
        if self.message.markdown:
            parsed = parse(text)
            if not parsed or parsed[0].kind == "blank":
                return Unit("", None, 0)
            md = parsed[0]
            if md.kind == "row":
                el = []
                for i, cell in enumerate(md.cells):
                    if i:
                        el.append({"tag": "text", "text": " · "})
                    el += _elements(cell, bold=md.header)
            else:
                lead = {"bullet": "• ", "quote": "注："}.get(md.kind, "")
                el = ([{"tag": "text", "text": lead}] if lead else []) + _elements(md.spans, bold=md.kind == "heading")
            return self._unit(plain_line(md), [e for e in el if e.get("text")], key, item=True)
        body = f"• {self.esc(text)}"
        return self._unit(body, [{"tag": "text", "text": body}], key, item=True)

    def plain(self, text: str) -> Unit:
        text = self.esc(text)
        return self._unit(text, [{"tag": "text", "text": text}])

    def heading(self, text: str, person: Person | None) -> Unit:
        text = self.esc(text)
        el: list[dict] = [{"tag": "text", "text": text, "style": ["bold"]}]
        if person is not None and person.feishu_id:
            el += [{"tag": "text", "text": " "}, {"tag": "at", "user_id": person.feishu_id}]
        return self._unit(text, el, mention=person, heading=f"{text}（续）")

    def continuation(self, heading: Unit) -> Unit:
        text = heading.heading or ""
        return self._unit(text, [{"tag": "text", "text": text, "style": ["bold"]}])

    def overhead(self, title: str) -> int:
        return json_len(self.body(title, [])) + utf8_len(title) + 120

    def body(self, title: str, units: list[Unit]) -> dict:
        return {"msg_type": "post", "content": {"post": {"zh_cn": {
            "title": title, "content": [u.elements for u in units if u.elements]}}}}


def renderer(channel: Channel, message: Message) -> _Renderer:
    return _FeishuRenderer(channel, message) if channel.kind == "飞书" else _Renderer(channel, message)


def _split_text(text: str, budget: int) -> list[str]:
    """A line too long for one message, cut into pieces of at most `budget` UTF-8 bytes."""
    pieces, current, size = [], [], 0
    for ch in text:
        n = utf8_len(ch)
        if size + n > budget and current:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += n
    if current:
        pieces.append("".join(current))
    return pieces


def _units(r: _Renderer, message: Message, people: People, unresolved: list[str], limit: int) -> list[Unit]:
    units: list[Unit] = []
    if message.intro:
        units.append(r.plain(message.intro))
    line_budget = max(200, (limit - r.overhead(message.title)) // 2)
    for g in message.groups:
        if g.heading:
            person = people.get(g.person) if g.person else None
            if g.person and (person is None or not _can_mention(r.kind, person)):
                if g.person not in unresolved:
                    unresolved.append(g.person)
                person = None
            units.append(r.heading(g.heading, person))
        for ln in g.lines:
            if utf8_len(ln.text) <= line_budget:
                units.append(r.line(ln.text, ln.key))
                continue
            pieces = _split_text(ln.text, line_budget - 20)
            for i, piece in enumerate(pieces):
                mark = f"（接上，{i + 1}/{len(pieces)}）" if i else ""
                end = f"（未完，{i + 1}/{len(pieces)}）" if i < len(pieces) - 1 else ""
                units.append(r.line(mark + piece + end, ln.key if i == len(pieces) - 1 else None))
    if message.footer:
        units.append(r.plain(message.footer))
    return units


def _pack(r: _Renderer, units: list[Unit], limit: int, title: str) -> list[list[Unit]]:
    budget = limit - r.overhead(title) - MARGIN
    chunks: list[list[Unit]] = []
    current: list[Unit] = []
    size = 0
    last_heading: Unit | None = None
    for u in units:
        if current and size + u.cost > budget:
            chunks.append(current)
            current, size = [], 0
            if last_heading is not None and u.heading is None and u.item:
                cont = r.continuation(last_heading)
                current.append(cont)
                size += cont.cost
        if u.heading is not None:
            last_heading = u
        current.append(u)
        size += u.cost
    if current:
        chunks.append(current)
    return chunks


def render(channel: Channel, message: Message, people: People) -> Plan:
    """The payloads for one message on one robot, each within the vendor's size limit.

    Nothing is cut: a message too long for one payload becomes several, titled “(i/n)”; a single
    line too long for one payload is split across payloads, each piece marked.
    """
    r = renderer(channel, message)
    limit = channel.spec.max_bytes
    unresolved: list[str] = []
    units = _units(r, message, people, unresolved, limit)
    chunks = _pack(r, units, limit, message.title + "（99/99）")
    payloads = []
    for i, chunk in enumerate(chunks):
        title = message.title if len(chunks) == 1 else f"{message.title}（{i + 1}/{len(chunks)}）"
        body = r.body(title, chunk)
        keys = [u.key for u in chunk if u.key]
        payloads.append(Payload(body, keys, title, sum(1 for u in chunk if u.item)))
    if channel.kind == "企业微信":
        mobiles = [u.mention.mobile for c in chunks for u in c
                   if u.mention is not None and not u.mention.wecom_id and u.mention.mobile]
        if mobiles:
            payloads.append(Payload({"msgtype": "text", "text": {
                "content": f"{message.title}：请以上负责人及时处理。", "mentioned_mobile_list": mobiles}},
                label=f"{message.title}（@手机号）"))
    return Plan(channel, message, payloads, unresolved, message.listed, message.items)


def plan_within(channel: Channel, message: Message, people: People, max_messages: int) -> Plan:
    """Render, listing fewer items per group until the message fits in `max_messages` payloads,
    so many items travel in few messages instead of waiting out the rate limit. The cap is the
    largest that fits (binary search); every capped group says how many items it left out. If even
    one item per group does not fit, everything is sent and the rate limiter paces it."""
    plan = render(channel, message, people)
    if len(plan.payloads) <= max_messages or message.markdown:
        return plan
    lo, hi = 1, max((len(g.lines) for g in message.groups), default=1) - 1
    best = None
    while lo <= hi:
        cap = (lo + hi) // 2
        trial = render(channel, message.capped(cap), people)
        if len(trial.payloads) <= max_messages:
            best, lo = trial, cap + 1
        else:
            hi = cap - 1
    return best or plan


def message_budget(spec: VendorSpec, contents: int) -> int:
    """Payloads one content may use in a run: the robot's per-minute allowance shared by the
    contents it sends, one kept spare, at most 10."""
    return max(1, min(10, (spec.per_minute - 1) // max(1, contents)))


# ---------------------------------------------------------------------------------------------
# signing and masking


def sign_request(channel: Channel, body: dict, *, now: float | None = None) -> tuple[str, dict]:
    """(URL, body) as sent: 钉钉 signs in the URL, 飞书 in the body, 企业微信 does not sign."""
    now = time.time() if now is None else now
    url, body = channel.webhook, dict(body)
    if not channel.secret:
        return url, body
    if channel.kind == "钉钉":
        ts = str(int(now * 1000))
        digest = hmac.new(channel.secret.encode(), f"{ts}\n{channel.secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sign}"
    elif channel.kind == "飞书":
        ts = str(int(now))
        digest = hmac.new(f"{ts}\n{channel.secret}".encode(), b"", hashlib.sha256).digest()
        body = {"timestamp": ts, "sign": base64.b64encode(digest).decode(), **body}
    return url, body


def describe(channel: Channel, body: dict, *, now: float | None = None) -> str:
    """The exact request for --dry-run, with the URL reduced to its host and signatures masked."""
    _, signed = sign_request(channel, body, now=now)
    if "sign" in signed:
        signed["sign"] = MASK
    url = channel.masked_webhook
    if channel.kind == "钉钉" and channel.secret:
        url += f"（URL 附加 timestamp=…&sign={MASK}）"
    text = json.dumps(signed, ensure_ascii=False, indent=2)
    return scrub(f"POST {url}\n{text}", channel)


_SIGNED_PARAM = re.compile(r"(?i)\b(timestamp|sign|access_token|key|token)=([A-Za-z0-9%+/=._~-]+)")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s\"'<>]+@")


def scrub(text: str, channel: Channel, extra: tuple[str, ...] = ()) -> str:
    """`text` with every secret of the robot masked: the webhook and its parts, the 加签密钥, any
    user name or password written into a URL, and the `timestamp`/`sign` (or token) of a URL a
    vendor echoes back; `extra` are further values of this request (its signature)."""
    for secret in sorted((*channel.secrets, *(e for e in extra if e and len(e) >= 6)), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    return _SIGNED_PARAM.sub(lambda m: f"{m.group(1)}={MASK}", text)


# ---------------------------------------------------------------------------------------------
# delivery


@dataclass
class Delivery:
    channel: str
    label: str
    ok: bool
    attempts: int
    error: str = ""
    """Chinese, naming the robot and the vendor's code or HTTP status; never the URL or secret."""
    status: str = "sent"
    """sent | failed | blocked (the vendor blocks this robot for a while: not tried) | deferred
    (a per-minute quota this run could not wait out: left for the next run)."""


class RateLimited(DeliveryRetry):
    """The vendor's "too frequent" code: handled as robots.csv's 限流处理 says, not blindly retried."""

    def __init__(self, reason: str, code: int, wait: float | None = None):
        super().__init__(reason, wait)
        self.code = code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is not the robot: the 3xx comes back as an HTTPError, unfollowed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913 - urllib's signature
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _clock_text(at: float) -> str:
    try:
        return datetime.fromtimestamp(at).strftime("%H:%M")
    except (OverflowError, OSError, ValueError):
        return "稍后"


class Sender:
    """POSTs payloads with timeouts, retries and a per-robot sliding-window rate limit.

    `ledger` keeps the window and the vendor's blocks: by default this process's memory; a real
    run passes the shared SQLite store so concurrent and consecutive runs count together.
    `rate_wait` is how long one run may wait out per-minute quotas (企业微信 45009) in all.
    `sleep` and `clock` (wall-clock seconds) are injectable so tests need not wait in real time.
    """

    def __init__(self, *, timeout: float = 10.0, retries: int = 3, backoff: float = 2.0, max_wait: float = 60.0,
                 rate_wait: float = 75.0, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, ledger=None):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.rate_wait = rate_wait
        self.sleep = sleep
        self.clock = clock
        self.ledger = ledger if ledger is not None else MemoryLedger()
        self.own_ledger = ledger is None
        """True when no ledger was given: a run then lends its shared store."""
        self._deferred: set[str] = set()
        self.waited = 0.0
        self.rate_waited = 0.0
        self.requests = 0

    def _wait(self, seconds: float) -> None:
        self.waited += seconds
        self.sleep(seconds)

    def _throttle(self, channel: Channel, robot: str) -> None:
        spec = channel.spec
        while True:
            wait = self.ledger.reserve(robot, spec.per_minute, spec.per_second, self.clock())
            if wait <= 0:
                return
            self._wait(wait)

    def _blocked(self, channel: Channel, payload: Payload, attempts: int, until: float, reason: str) -> Delivery:
        return Delivery(channel.name, payload.label, False, attempts,
                        f"{channel.kind}已暂停该机器人发送（{reason}），本次运行不再向它发送，"
                        f"约 {_clock_text(until)} 后可再发送", status="blocked")

    def _deferred_delivery(self, channel: Channel, payload: Payload, attempts: int, code: int | None) -> Delivery:
        what = f"错误码 {code}，" if code is not None else ""
        return Delivery(channel.name, payload.label, False, attempts,
                        f"发送过于频繁（{what}超过每分钟 {channel.spec.per_minute} 条），本次运行已等不及，"
                        "已推迟到下次运行再发", status="deferred")

    def send(self, channel: Channel, payload: Payload) -> Delivery:
        robot = robot_key(channel.webhook)
        spec = channel.spec
        attempts = 0
        while True:
            blocked = self.ledger.blocked(robot, self.clock())
            if blocked is not None:
                return self._blocked(channel, payload, attempts, *blocked)
            if robot in self._deferred:
                return self._deferred_delivery(channel, payload, attempts, None)
            attempts += 1
            self._throttle(channel, robot)
            try:
                self._post_once(channel, payload.body)
                return Delivery(channel.name, payload.label, True, attempts)
            except RateLimited as exc:
                if spec.busy_action == "stop":
                    until = self.clock() + spec.busy_seconds
                    self.ledger.block(robot, until, f"错误码 {exc.code}，每分钟超过 {spec.per_minute} 条，限流 "
                                                    f"{spec.busy_seconds / 60:g} 分钟")
                    continue
                if spec.busy_action == "wait":
                    need = max(spec.busy_seconds, exc.wait or 0.0)
                    if attempts > 2 or self.rate_waited + need > self.rate_wait:
                        self._deferred.add(robot)
                        return self._deferred_delivery(channel, payload, attempts, exc.code)
                    self.rate_waited += need
                    self._wait(need)
                    continue
                if attempts > self.retries:
                    return Delivery(channel.name, payload.label, False, attempts,
                                    scrub(f"{exc.reason}，已重试 {attempts - 1} 次仍失败", channel), status="failed")
                self._wait(min(max(exc.wait if exc.wait is not None else self.backoff * 2 ** (attempts - 1), 0.0),
                               self.max_wait))
            except DeliveryRetry as exc:
                if attempts > self.retries:
                    return Delivery(channel.name, payload.label, False, attempts,
                                    scrub(f"{exc.reason}，已重试 {attempts - 1} 次仍失败", channel), status="failed")
                wait = exc.wait if exc.wait is not None else self.backoff * 2 ** (attempts - 1)
                self._wait(min(max(wait, 0.0), self.max_wait))
            except DeliveryFailed as exc:
                return Delivery(channel.name, payload.label, False, attempts, scrub(exc.reason, channel), status="failed")
            except Exception as exc:  # noqa: BLE001 - e.g. http.client.InvalidURL quotes the URL: never show it
                return Delivery(channel.name, payload.label, False, attempts,
                                f"请求无法发出（{type(exc).__name__}），请检查 Webhook 地址是否完整、没有空格", status="failed")

    def _post_once(self, channel: Channel, body: dict) -> None:
        url, signed = sign_request(channel, body)
        split = urllib.parse.urlsplit(url)
        extra = tuple(v for part in split.query.split("&") for v in (part.partition("=")[2],
                                                                    urllib.parse.unquote_plus(part.partition("=")[2])))
        extra += (str(signed.get("sign", "")), str(signed.get("timestamp", "")))
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if split.username is not None or split.password is not None:
            # credentials in the URL travel as HTTP Basic auth (as curl sends them), never in the request line
            user = urllib.parse.unquote(split.username or "")
            password = urllib.parse.unquote(split.password or "")
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            host = split.netloc.rpartition("@")[2]
            url = urllib.parse.urlunsplit((split.scheme, host, split.path, split.query, split.fragment))
            extra += (split.username or "", split.password or "")
        data = json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST", headers=headers)
        self.requests += 1
        try:
            try:
                with _OPENER.open(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                    status, raw = response.status, response.read()
            except urllib.error.HTTPError as exc:
                status, raw = exc.code, exc.read() if exc.fp else b""
                code, _ = _vendor_code(raw)
                if code is not None and code in channel.spec.busy_codes:
                    raise RateLimited(f"发送过于频繁（HTTP {status}，错误码 {code}）", code, _retry_after(exc.headers)) from None
                if 300 <= status < 400:
                    raise DeliveryFailed(f"HTTP {status}：Webhook 地址把请求转到了别处，为安全起见未跟随；"
                                         "请从群机器人设置中重新复制 Webhook 地址") from None
                if status == 429 or status >= 500:
                    raise DeliveryRetry(f"HTTP {status}", _retry_after(exc.headers)) from None
                raise DeliveryFailed(f"HTTP {status}{_vendor_text(raw)}") from None
            except OSError as exc:  # URLError, timeouts and connection errors are all OSError
                reason = getattr(exc, "reason", exc)
                kind = "超时" if isinstance(reason, TimeoutError) else "网络错误"
                raise DeliveryRetry(f"{kind}（{type(reason).__name__}）") from None
            code, msg = _vendor_code(raw)
            if code is None:
                raise DeliveryFailed(f"HTTP {status}，响应无法识别")
            if code in channel.spec.busy_codes:
                raise RateLimited(f"发送过于频繁（错误码 {code}）", code)
            if code != 0:
                raise DeliveryFailed(f"错误码 {code}{f'：{msg}' if msg else ''}")
        except (DeliveryRetry, DeliveryFailed) as exc:
            exc.reason = _short(scrub(exc.reason, channel, extra))  # masked whole, then cut: no half secret survives
            raise


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _retry_after(headers) -> float | None:
    for name in ("Retry-After", "x-ogw-ratelimit-reset"):
        value = headers.get(name) if headers else None
        if value:
            try:
                return float(value)
            except ValueError:
                continue
    return None


def _vendor_code(raw: bytes) -> tuple[int | None, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    for key in ("errcode", "code", "StatusCode"):
        if key in data:
            try:
                code = int(data[key])
            except (TypeError, ValueError):
                return None, ""
            msg = data.get("errmsg") or data.get("msg") or data.get("StatusMessage") or ""
            return code, str(msg)[:4000]
    return None, ""


def _vendor_text(raw: bytes) -> str:
    code, msg = _vendor_code(raw)
    return f"，错误码 {code}：{msg}" if code is not None else ""
