"""A group-robot receiver on 127.0.0.1 for tests and benchmarks: records every request and answers
like the vendor (or as scripted: HTTP 429, a vendor error code with HTTP 200, a redirect …).

A scripted answer may echo the request line as some vendors do in errors: "{path}" in a string
value becomes the path and query the request came to (signature included). `delay` seconds are
waited before each answer, to hold a run in the middle of its sending."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OK = {"wecom": {"errcode": 0, "errmsg": "ok"}, "ding": {"errcode": 0, "errmsg": "ok"},
      "feishu": {"code": 0, "msg": "success", "data": {}}}


@dataclass
class Received:
    vendor: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> dict:
        return json.loads(self.raw.decode("utf-8"))


class Receiver:
    """`with Receiver() as rx:` … `rx.url("wecom")` is a webhook for that vendor on this server."""

    def __init__(self):
        self.requests: list[Received] = []
        self.script: dict[str, deque[tuple[int, dict, dict]]] = {"wecom": deque(), "ding": deque(), "feishu": deque()}
        self._lock = threading.Lock()
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                split = urlsplit(self.path)
                vendor = split.path.strip("/").split("/")[0]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(Received(vendor, split.path, {k: v[0] for k, v in parse_qs(split.query).items()},
                                                      dict(self.headers), raw))
                    queue = receiver.script.get(vendor)
                    status, payload, headers = queue.popleft() if queue else (200, OK.get(vendor, {}), {})
                if receiver.delay:
                    time.sleep(receiver.delay)
                payload = {k: v.replace("{path}", self.path) if isinstance(v, str) else v for k, v in payload.items()}
                data = json.dumps(payload).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, vendor: str, token: str = "TOKEN0123456789abcdef") -> str:
        if vendor == "wecom":
            return f"{self.base}/wecom/cgi-bin/webhook/send?key={token}"
        if vendor == "ding":
            return f"{self.base}/ding/robot/send?access_token={token}"
        return f"{self.base}/feishu/open-apis/bot/v2/hook/{token}"

    def of(self, vendor: str) -> list[Received]:
        return [r for r in self.requests if r.vendor == vendor]

    def reply(self, vendor: str, status: int, payload: dict, headers: dict | None = None) -> None:
        """The next request to `vendor` gets this answer instead of success."""
        self.script[vendor].append((status, payload, headers or {}))
