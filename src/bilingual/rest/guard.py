"""An ASGI layer in front of everything: request bodies are limited before they are parsed,
the page's own API refuses other sites, and every response carries anti-framing headers.

* A body whose ``Content-Length`` is over the limit is refused at once (413, nothing read);
  a body without one (chunked) is read up to the limit and refused as soon as it passes it,
  so a 300 MB upload costs at most the limit in memory and never reaches a parser.
* A browser request to the page's API (``/gradio_api/...``, uploads included) that another
  site's page made (its ``Origin`` is neither this host nor an allowed origin) is refused
  (403): a form on another site cannot upload files or start work here.
* With ``allowed_hosts``, a request for another ``Host`` is refused (400), so a forged Host
  header is never reflected into the page's configuration.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class Guard:
    """Wraps an ASGI app.

    Args:
        app: the application.
        body_limit: bytes a request to a path may send (the function gets the path).
    """

    def __init__(
        self,
        app,
        body_limit: Callable[[str], int],
        *,
        allowed_origins: tuple[str, ...] = (),
        allowed_hosts: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.body_limit = body_limit
        self.allowed_origins = allowed_origins
        self.allowed_hosts = tuple(h.lower() for h in allowed_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1").lower()
        if self.allowed_hosts and host.rsplit(":", 1)[0].strip("[]") not in self.allowed_hosts:
            if scope["type"] != "http":
                return None
            return await _error(send, 400, "Invalid request: unknown host")
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present
                ]
            await send(message)

        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send_with_headers)
        origin = headers.get(b"origin", b"").decode("latin-1")
        if scope["path"].startswith("/gradio_api/") and origin and not self._same_site(origin, host):
            return await _error(send_with_headers, 403, "Requests from other sites are not accepted here.")
        limit = self.body_limit(scope["path"])
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return await _error(send_with_headers, 400, "Invalid request: bad Content-Length header")
            if declared > limit:
                return await _too_large(send_with_headers, limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                return await _too_large(send_with_headers, limit)
            chunks.append(body)
            if not message.get("more_body", False):
                break
        data = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send_with_headers)

    def _same_site(self, origin: str, host: str) -> bool:
        if "*" in self.allowed_origins or origin in self.allowed_origins:
            return True
        return urlsplit(origin).netloc.lower() == host


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:.1f} MB" if limit >= 1024 * 1024 else f"{limit / 1024:.0f} KB"


async def _too_large(send, limit: int) -> None:
    await _error(send, 413, f"Invalid request: the request is larger than this server accepts ({_size(limit)}).")


async def _error(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
