"""An ASGI layer in front of everything: request bodies are limited before they are parsed,
and every response carries anti-framing and no-sniff headers.

A body whose ``Content-Length`` is over the limit is refused at once (413, nothing read);
a body without one (chunked) is read up to the limit and refused as soon as it passes it,
so a 300 MB upload costs at most the limit in memory and never reaches a parser.
"""

from __future__ import annotations

import json
from collections.abc import Callable

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

    def __init__(self, app, body_limit: Callable[[str], int]) -> None:
        self.app = app
        self.body_limit = body_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present
                ]
            await send(message)

        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return await self.app(scope, receive, send_with_headers)
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
