"""Group-robot delivery: each vendor's payload, @-mentions, size-limited splitting, signing, HTTP.

Vendor facts (each figure is data in `pyaddin/data/robots.csv`, with its source):
- 企业微信 群机器人 (developer.work.weixin.qq.com/document/path/91770): `{"msgtype": "markdown",
  "markdown": {"content": …}}`, content ≤ 4096 bytes UTF-8 (over it the API answers errcode 40058),
  `<@userid>` mentions inside markdown; `mentioned_mobile_list` works only on `text` messages, so
  people known only by 手机 are mentioned by one short text message after the markdown. 20
  messages a minute per robot; errcode 45009 = call frequency over the limit. No signing.
- 钉钉 自定义机器人 (open.dingtalk.com/document/orgapp/custom-robot-access): `{"msgtype":
  "markdown", "markdown": {"title", "text"}, "at": {"atMobiles", "atUserIds", "isAtAll"}}`; 加签:
  HMAC-SHA256 over `timestamp + "\\n" + secret` keyed by the secret, Base64, URL-encoded, sent as
  `&timestamp=<ms>&sign=…` on the webhook URL. 20 messages a minute per robot, over it errcode
  130101 and a 10-minute block. No published size limit for custom robots: 4000 bytes of markdown
  text, a conservative figure.
- 飞书 自定义机器人 (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): `{"msg_type":
  "post", "content": {"post": {"zh_cn": {"title", "content": [[elements]]}}}}` with `{"tag": "at",
  "user_id": …}` elements; 签名: `timestamp + "\\n" + secret` is the HMAC-SHA256 *key* over an empty
  message, Base64, sent as body fields `timestamp` (seconds) and `sign`. 100 requests a minute and
  5 a second per robot; request body ≤ 20 KB; 11232 = frequency limited (the open platform's
  99991400 too).

Delivery: a timeout on every request, retries with exponential backoff on HTTP 429/5xx, network
errors and the vendor's "too frequent" codes (a `Retry-After` or `x-ogw-ratelimit-reset` header is
honoured, capped); any other non-zero vendor code is a failure even with HTTP 200. A sliding
window per robot keeps within its per-minute and per-second limits.

Secrets: the webhook URL and the 加签密钥 never appear in what this module returns or raises;
`describe()` prints a payload with the URL reduced to its host and the signature masked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import DeliveryFailed, DeliveryRetry
from ..notify.channels import Channel, VendorSpec
from ..notify.messages import Message
from ..notify.people import People, Person
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


def _can_mention(kind: str, person: Person) -> bool:
    if kind == "企业微信":
        return bool(person.wecom_id or person.mobile)
    if kind == "钉钉":
        return bool(person.dingtalk_id or person.mobile)
    return bool(person.feishu_id)


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
        tag = ""
        if person is not None and self.kind == "企业微信" and person.wecom_id:
            tag = f" <@{person.wecom_id}>"
        elif person is not None and self.kind == "钉钉" and person.dingtalk_id:
            tag = f" @{person.dingtalk_id}"
        body = base + tag
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


class _FeishuRenderer(_Renderer):
    def esc(self, text: str) -> str:
        return _masked(text)

    def line(self, text: str, key: str | None = None) -> Unit:
        body = self.esc(text) if self.message.markdown else f"• {self.esc(text)}"
        el = [{"tag": "text", "text": body}]
        return Unit(body, el, json_len(el) + 1, key, item=True)

    def plain(self, text: str) -> Unit:
        text = self.esc(text)
        el = [{"tag": "text", "text": text}]
        return Unit(text, el, json_len(el) + 1)

    def heading(self, text: str, person: Person | None) -> Unit:
        text = self.esc(text)
        el: list[dict] = [{"tag": "text", "text": f"【{text}】"}]
        if person is not None and person.feishu_id:
            el.append({"tag": "at", "user_id": person.feishu_id})
        return Unit(f"【{text}】", el, json_len(el) + 1, mention=person, heading=f"【{text}（续）】")

    def continuation(self, heading: Unit) -> Unit:
        return self.plain(heading.heading or "")

    def overhead(self, title: str) -> int:
        return json_len(self.body(title, [])) + utf8_len(title) + 120

    def body(self, title: str, units: list[Unit]) -> dict:
        return {"msg_type": "post", "content": {"post": {"zh_cn": {
            "title": title, "content": [u.elements for u in units if u.elements is not None]}}}}


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


def scrub(text: str, channel: Channel) -> str:
    for secret in sorted(channel.secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


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


class Sender:
    """POSTs payloads with timeouts, retries and a per-robot sliding-window rate limit.

    `sleep` and `clock` are injectable so tests and benchmarks need not wait in real time.
    """

    def __init__(self, *, timeout: float = 10.0, retries: int = 3, backoff: float = 2.0, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self._sent: dict[str, deque[float]] = {}
        self.waited = 0.0
        self.requests = 0

    def _throttle(self, channel: Channel) -> None:
        spec = channel.spec
        sent = self._sent.setdefault(channel.webhook, deque())
        while True:
            now = self.clock()
            while sent and now - sent[0] >= 60.0:
                sent.popleft()
            wait = 0.0
            if len(sent) >= spec.per_minute:
                wait = 60.0 - (now - sent[0])
            if spec.per_second:
                recent = [t for t in sent if now - t < 1.0]
                if len(recent) >= spec.per_second:
                    wait = max(wait, 1.0 - (now - recent[0]))
            if wait <= 0:
                sent.append(now)
                return
            self.waited += wait
            self.sleep(wait)

    def send(self, channel: Channel, payload: Payload) -> Delivery:
        attempts = 0
        while True:
            attempts += 1
            self._throttle(channel)
            try:
                self._post_once(channel, payload.body)
                return Delivery(channel.name, payload.label, True, attempts)
            except DeliveryRetry as exc:
                if attempts > self.retries:
                    return Delivery(channel.name, payload.label, False, attempts,
                                    scrub(f"{exc.reason}，已重试 {attempts - 1} 次仍失败", channel))
                wait = exc.wait if exc.wait is not None else self.backoff * 2 ** (attempts - 1)
                wait = min(max(wait, 0.0), self.max_wait)
                self.waited += wait
                self.sleep(wait)
            except DeliveryFailed as exc:
                return Delivery(channel.name, payload.label, False, attempts, scrub(exc.reason, channel))
            except Exception as exc:  # noqa: BLE001 - e.g. http.client.InvalidURL quotes the URL: never show it
                return Delivery(channel.name, payload.label, False, attempts,
                                f"请求无法发出（{type(exc).__name__}），请检查 Webhook 地址是否完整、没有空格")

    def _post_once(self, channel: Channel, body: dict) -> None:
        url, signed = sign_request(channel, body)
        data = json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read() if exc.fp else b""
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
            raise DeliveryRetry(f"发送过于频繁（错误码 {code}）")
        if code != 0:
            raise DeliveryFailed(f"错误码 {code}{f'：{msg}' if msg else ''}")


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
            return code, str(msg)[:120]
    return None, ""


def _vendor_text(raw: bytes) -> str:
    code, msg = _vendor_code(raw)
    return f"，错误码 {code}：{msg}" if code is not None else ""
