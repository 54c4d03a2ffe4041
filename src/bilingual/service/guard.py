"""An ASGI layer in front of everything: hosts, origins, admission and request bodies are checked
before anything is parsed, and every response carries anti-framing headers.

* **Hosts.** A request whose ``Host`` is not an allowed host name is refused (400), so a forged
  Host header is never reflected into the page and DNS rebinding finds no answer. On loopback
  the allowed names default to ``localhost``, ``127.0.0.1`` and ``[::1]`` (with this port).
* **Other sites.** A browser request to the page's API (``/gradio_api/...``, uploads included)
  that another site's page made (its ``Origin`` is neither this host nor an allowed origin) is
  refused (403): a form on another site cannot upload files or start work here.
* **Admission before the body.** ``before_body`` sees the request line and headers (where an
  API key in a header or the query string can be checked, and rates counted) and may refuse
  it before one byte of its body is read.
* **Bodies.** A body whose ``Content-Length`` is over the limit is refused at once (413, nothing
  read); a body without one (chunked) is read up to the limit and refused as soon as it passes
  it. A body must arrive within ``body_timeout`` seconds (else 408), and the bytes buffered by
  all connections together stay under ``body_budget`` (else 503): slow or parked uploads cannot
  hold the server's memory.
* **After the body.** ``after_body`` sees the buffered body (the page's event requests are small
  JSON) and may refuse it, for the page's own rate limits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)
NO_ROUTE = b'{"detail":"Not Found"}'  # Starlette's answer when no route matches a path
NOT_FOUND_MESSAGE = "Not Found: see /docs for this server's routes"
NOT_FOUND = json.dumps({"error": NOT_FOUND_MESSAGE}).encode()
DRAIN_LIMIT = 1024 * 1024  # a refused body up to this size is read and dropped, so the client sees the answer

SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


@dataclass(frozen=True)
class Refusal:
    """An answer given instead of running the app: ``{"error": message}`` with ``status``."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


Check = Callable[[dict], "Refusal | None"]
BodyCheck = Callable[[dict, bytes], "Refusal | None"]


class BodyBudget:
    """Bytes of request bodies buffered at once, over every connection; a reservation past it fails."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.peak = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.used + size > self.limit:
                return False
            self.used += size
            self.peak = max(self.peak, self.used)
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.used -= size


class Guard:
    """Wraps an ASGI app.

    Args:
        app: the application.
        body_limit: bytes a request to a path may send (the function gets the path).
        allowed_origins: origins (besides this host) whose pages may call the page's API.
        allowed_hosts: host names (``Host`` without the port) the server answers to; empty: any.
        port: with ``allowed_hosts``, a ``Host`` that names a port must name this one (None: any).
        body_timeout: seconds a request body may take to arrive.
        body_budget: bytes of bodies buffered at once over every connection.
        before_body, after_body: admission checks (see the module docstring).
    """

    def __init__(
        self,
        app,
        body_limit: Callable[[str], int],
        *,
        allowed_origins: tuple[str, ...] = (),
        allowed_hosts: tuple[str, ...] = (),
        port: int | None = None,
        body_timeout: float = 30.0,
        body_budget: int = 256 * 1024 * 1024,
        before_body: Check | None = None,
        after_body: BodyCheck | None = None,
    ) -> None:
        self.app = app
        self.body_limit = body_limit
        self.allowed_origins = allowed_origins
        self.allowed_hosts = tuple(h.lower().strip("[]") for h in allowed_hosts)
        self.port = port
        self.body_timeout = body_timeout
        self.budget = BodyBudget(body_budget)
        self.before_body = before_body
        self.after_body = after_body

    def _host_allowed(self, host: str) -> bool:
        if not self.allowed_hosts:
            return True
        name, port = host, None
        if host.startswith("["):  # [::1]:7860
            name, _, rest = host[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else None
        elif host.count(":") == 1:
            name, port = host.split(":")
        if port is not None and self.port is not None and port != str(self.port):
            return False
        return name in self.allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1").lower().strip()
        if not self._host_allowed(host):
            if scope["type"] != "http":
                return None
            return await _error(send, Refusal(400, "Invalid request: unknown host"))
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        not_found: list[dict] = []  # the start of a 404, until its body shows whether no route matched

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present
                ]
                if message["status"] == 404:
                    not_found.append(message)
                    return
            elif not_found and message["type"] == "http.response.body":
                start = not_found.pop()
                if message.get("body") == NO_ROUTE and not message.get("more_body"):
                    # no route matched (the page's app, mounted at /, answers those): LibreTranslate's shape
                    message = {**message, "body": NOT_FOUND}
                    start = {**start, "headers": [(k, str(len(NOT_FOUND)).encode() if k.lower() == b"content-length"
                                                   else v) for k, v in start["headers"]]}
                await send(start)
            await send(message)

        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            refusal = self.before_body(scope) if self.before_body else None
            if refusal is not None:
                return await _error(send_with_headers, refusal)
            return await _answering_errors(self.app, scope, receive, send_with_headers)
        origin = headers.get(b"origin", b"").decode("latin-1")
        if scope["path"].startswith("/gradio_api/") and origin and not self._same_site(origin, host):
            return await _error(send_with_headers, Refusal(403, "Requests from other sites are not accepted here."))
        refusal = self.before_body(scope) if self.before_body else None
        if refusal is not None:
            await self._drain(headers, receive)
            return await _error(send_with_headers, refusal)
        limit = self.body_limit(scope["path"])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return await _error(send_with_headers, Refusal(400, "Invalid request: bad Content-Length header"))
            if declared > limit:
                return await _too_large(send_with_headers, limit)
        held = 0
        try:
            chunks: list[bytes] = []
            deadline = time.monotonic() + self.body_timeout
            while True:
                try:
                    message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
                except asyncio.TimeoutError:
                    return await _error(send_with_headers, Refusal(
                        408, f"Invalid request: the request body did not arrive within {self.body_timeout:g} s."))
                if message["type"] == "http.disconnect":
                    return None
                body = message.get("body", b"")
                if held + len(body) > limit:
                    return await _too_large(send_with_headers, limit)
                if body and not self.budget.take(len(body)):
                    return await _error(send_with_headers, Refusal(
                        503, "The server is receiving too much at once; try again in a minute. 服务器繁忙，请稍后再试。",
                        {"Retry-After": "30"}))
                held += len(body)
                chunks.append(body)
                if not message.get("more_body", False):
                    break
            data = b"".join(chunks)
            del chunks
            refusal = self.after_body(scope, data) if self.after_body else None
            if refusal is not None:
                return await _error(send_with_headers, refusal)
            replayed = False

            async def replay():
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": data, "more_body": False}
                return await receive()

            return await _answering_errors(self.app, scope, replay, send_with_headers)
        finally:
            self.budget.give(held)

    async def _drain(self, headers: dict, receive) -> None:
        """Read and drop a small refused body, so that the client reads the answer rather than a reset
        connection; a large one (or one without a length) is left unread: the connection closes."""
        try:
            declared = int(headers.get(b"content-length", b"-1"))
        except ValueError:
            return
        if not 0 < declared <= DRAIN_LIMIT:
            return
        deadline = time.monotonic() + min(self.body_timeout, 5.0)
        left = declared
        while left > 0:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                return
            if message["type"] != "http.request":
                return
            left -= len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    def _same_site(self, origin: str, host: str) -> bool:
        if "*" in self.allowed_origins or origin in self.allowed_origins:
            return True
        return urlsplit(origin).netloc.lower() == host


async def _answering_errors(app, scope, receive, send) -> None:
    """Run ``app``; an error that escapes it becomes a JSON 500 (never a plain-text page or a trace)."""
    started = False

    async def tracking_send(message):
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, receive, tracking_send)
    except Exception:  # noqa: BLE001 - logged here, answered without details
        logger.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
        if not started:
            await _error(send, Refusal(500, "The server hit an unexpected error; it is recorded in the server's log."))


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:.1f} MB" if limit >= 1024 * 1024 else f"{limit / 1024:.0f} KB"


async def _too_large(send, limit: int) -> None:
    await _error(send, Refusal(413, f"Invalid request: the request is larger than this server accepts ({_size(limit)})."))


async def _error(send: Callable[[dict], Awaitable[None]], refusal: Refusal) -> None:
    body = json.dumps({"error": refusal.message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in refusal.headers.items()]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
