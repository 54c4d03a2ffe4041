"""The page's files named without server paths.

Gradio names an uploaded file, and a file an event returns, by its path on the server: the
upload route answers with it, events send it back, and download links are ``/gradio_api/file=<path>``.
That path shows where the server keeps its files (its home folder, often the user's name).
:class:`HidePaths` sits in front of the page and puts a neutral prefix (:data:`ALIAS`) in place
of the upload folder's path in everything that goes out, and the real path back in what comes
in: the download links it answers, and the file paths of events (only in Gradio's ``FileData``
objects, never in the text a user sends). Every check on an event's files (see
:func:`bilingual.ui.app.received_upload`) then runs on the real path, as before.

It also words Gradio's own refusal of an event when its queue is full ("Queue is full. Max size is
1 and size is 1.") as the server's busy message, in both languages: a burst of page events can
reach Gradio's bound before the shared work limit refuses them, and the page says the same
whichever limit was reached.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..documents.memory import BUSY_MESSAGE

ALIAS = "/uploads"
_FILE_ROUTES = ("/gradio_api/file=", "/gradio_api/file/")
_EVENT_ROUTES = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/")
_MAX_ANSWER = 4 * 1024 * 1024  # a JSON answer this large is passed on as it is (the upload answers are small)
_QUEUE_FULL = b'{"detail":"Queue is full'  # Gradio's 503 when its own queue is full


class HidePaths:
    """Wraps the ASGI app serving the page; ``real`` is the upload folder's absolute path."""

    def __init__(self, app, real: str, alias: str = ALIAS) -> None:
        self.app = app
        self.real = real.rstrip("/")
        self.alias = alias
        spellings = dict.fromkeys([self.real, os.path.realpath(self.real)])  # as set, and with links resolved
        self._out = [(form.encode(), alias.encode()) for path in spellings
                     for form in dict.fromkeys([path, json.dumps(path)[1:-1]])]  # plain, and inside JSON strings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/gradio_api/"):
            return await self.app(scope, receive, send)
        scope = self._inbound_path(scope)
        if scope["method"] == "POST" and scope["path"].startswith(_EVENT_ROUTES):
            receive = self._inbound_body(receive)
        return await self.app(scope, receive, self._outbound(send))

    # -- in: the alias back to the real folder -------------------------------------------------

    def _inbound_path(self, scope: dict) -> dict:
        for route in _FILE_ROUTES:
            if scope["path"].startswith(route + self.alias + "/"):
                path = route + self.real + scope["path"][len(route) + len(self.alias):]
                return {**scope, "path": path, "raw_path": path.encode()}
        return scope

    def _inbound_body(self, receive):
        async def rewritten():
            message = await receive()
            body = message.get("body", b"")
            if message["type"] == "http.request" and not message.get("more_body") and self.alias.encode() in body:
                try:
                    data = json.loads(body)
                except (ValueError, RecursionError):
                    return message  # Gradio answers a broken body itself
                message = {**message, "body": json.dumps(self._real_files(data)).encode()}
            return message

        return rewritten

    def _real_files(self, value: Any) -> Any:
        """``value`` with the alias replaced in the ``path`` and ``url`` of every Gradio FileData in it."""
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                meta = item.get("meta")
                if isinstance(meta, dict) and meta.get("_type") == "gradio.FileData":
                    for key in ("path", "url"):
                        text = item.get(key)
                        if isinstance(text, str) and self.alias + "/" in text:
                            item[key] = text.replace(self.alias + "/", self.real + "/", 1)
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        return value

    # -- out: the real folder hidden ------------------------------------------------------------

    def _hide(self, data: bytes) -> bytes:
        for real, alias in self._out:
            data = data.replace(real, alias)
        return data

    def _outbound(self, send):
        start: dict | None = None
        buffered: list[bytes] = []
        whole = False  # a JSON answer with a length: rewritten whole, its length corrected
        passing = True  # neither JSON nor an event stream (a file): passed on as it is
        pending = b""  # a streamed answer: rewritten line by line

        async def rewritten(message):
            nonlocal start, whole, pending, passing
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
                passing = kind not in (b"application/json", b"text/event-stream")  # files pass untouched
                length = headers.get(b"content-length")
                whole = not passing and length is not None and int(length) <= _MAX_ANSWER
                if whole:
                    start = message
                    return None
                return await send(message)
            if message["type"] != "http.response.body" or passing:
                return await send(message)
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if whole:
                buffered.append(body)
                if more:
                    return None
                data = self._hide(b"".join(buffered))
                if start.get("status") == 503 and data.startswith(_QUEUE_FULL):
                    data = json.dumps({"detail": BUSY_MESSAGE}, ensure_ascii=False).encode()
                headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
                headers.append((b"content-length", str(len(data)).encode()))
                await send({**start, "headers": headers})
                return await send({"type": "http.response.body", "body": data, "more_body": False})
            data = pending + body
            cut = data.rfind(b"\n") + 1 if more else len(data)  # whole lines only: a path is never split
            pending = data[cut:]
            return await send({**message, "body": self._hide(data[:cut])})

        return rewritten
