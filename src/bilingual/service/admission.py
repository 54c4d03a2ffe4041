"""Who may do work, how often: API keys and rate limits for both doors (the REST API and the page).

One :class:`RateLimits` (moving windows from the ``limits`` library) counts every client's
requests, whichever door they come in by:

* REST requests: per key (its own limit, or the server's) or per client address;
* the page's work events (translate, summarize, documents; not the language shown while typing)
  and its uploads: per client address, uploads with a limit of their own;
* wrong API keys: at most :data:`BAD_KEY_LIMIT` per window per address, then 429 for every
  request from that address until the window moves on, before any key is looked up.

:class:`Admission` gives the :class:`~bilingual.service.guard.Guard` its checks: the key and rate of
a REST request whose key is in a header or the query string are checked before its body is
read, and the page's events are counted once their small JSON body has arrived.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ..config import ServiceSettings
from .guard import Refusal
from .keys import ApiKey, KeyStore

BAD_KEY_LIMIT = 10  # wrong API keys per window per client address
WORK_ROUTES = frozenset({"/translate", "/detect", "/translate_file", "/summarize", "/glossaries", "/suggest"})
PAGE_EVENT_PREFIXES = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/")
ADMITTED = "bilingual.admitted"  # scope["state"] key: the key record (or None) admitted before the body


def window_text(seconds: int) -> str:
    """``60`` -> ``"1 minute"``, ``2`` -> ``"2 seconds"``, ``7200`` -> ``"2 hours"``."""
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" + ("s" if count != 1 else "")
    return f"{seconds} seconds"


class RateLimited(Exception):
    """A client over its rate: the 429 answer's message and Retry-After."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class RateLimits:
    """Moving-window counters per client, one window length for all of them."""

    def __init__(self, window: int = 60) -> None:
        self.window = window
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, limit: int, who: str, what: str = "requests") -> None:
        """Count one event for ``who``; 0 means unlimited.

        Raises:
            RateLimited: past ``limit`` events in the window.
        """
        if limit <= 0:
            return
        if not self._limiter.hit(RateLimitItemPerSecond(limit, self.window), what, who):
            suffix = "" if what == "requests" else f" {what}"
            raise RateLimited(f"Slowdown: {limit}{suffix} per {window_text(self.window)}", self.window)

    def over(self, limit: int, who: str, what: str) -> bool:
        """Whether ``who`` has used up ``limit`` in the window (nothing is counted)."""
        item = RateLimitItemPerSecond(limit, self.window)
        return limit > 0 and not self._limiter.test(item, what, who)


def folder_size(folder: Path) -> int:
    """Bytes of the files below ``folder`` (0 when it does not exist)."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def client_address(scope: dict) -> str:
    client = scope.get("client")
    return client[0] if client else "?"


def on_this_machine(address: str, header_names: Iterable[str]) -> bool:
    """The request comes from this machine, not through a proxy (which forwards everyone's requests
    from its own loopback address, and says so in a Forwarded or X-Forwarded-For header)."""
    if not (address.startswith("127.") or address == "::1"):
        return False
    return not {name.lower() for name in header_names} & {"forwarded", "x-forwarded-for", "x-real-ip"}


def may_suggest(setting: bool | None, *, key_holder: bool, logged_in: bool, address: str,
                header_names: Iterable[str]) -> bool:
    """Whether a caller may add to the translation memory: ``BILINGUAL_SUGGESTIONS=1`` (``setting``
    True) everyone, ``0`` no one; by default callers on this machine, API key holders and the
    page's logged-in users."""
    if setting is not None:
        return setting
    return key_holder or logged_in or on_this_machine(address, header_names)


class Admission:
    """Keys and rates for the REST API and the page (see the module docstring)."""

    def __init__(self, service: ServiceSettings, keys: KeyStore, rates: RateLimits) -> None:
        self.service = service
        self.keys = keys
        self.rates = rates
        self.light_events: frozenset[int] = frozenset()  # page events that do no model work (set by the server)
        self.known_events: frozenset[int] | None = None  # every page event's index (set by the server)
        self.upload_folder: Path | None = None  # where the page's uploads are kept (set by the server)
        self._uploads_size = (0.0, 0)  # (when measured, bytes): the folder is walked at most once a second

    # -- REST -------------------------------------------------------------------------------

    def check_key(self, key: Any, address: str) -> ApiKey | None:
        """The record of ``key`` (None when no key was given, or, when keys are not required, an
        unknown one: LibreTranslate ignores keys then, and several clients always send one);
        a 403 refusal for a wrong key where keys are required.

        Raises:
            RefusedError: a wrong key where keys are required (counted against the address), or too many.
        """
        self.refuse_if_guessing(address)
        if not key:
            if self.service.require_api_key:
                raise RefusedError(Refusal(400, "Please contact the server operator to get an API key"))
            return None
        record = self.keys.lookup(key) if isinstance(key, str) else None
        if record is None and not self.service.require_api_key:
            return None  # the caller is served as one without a key, with those limits
        if record is None:
            try:
                self.rates.hit(BAD_KEY_LIMIT, f"ip:{address}", "wrong keys")
            except RateLimited as exc:
                raise RefusedError(Refusal(429, exc.message, {"Retry-After": str(exc.retry_after)})) from None
            raise RefusedError(Refusal(403, "Invalid API key"))
        return record

    def refuse_if_guessing(self, address: str) -> None:
        if self.rates.over(BAD_KEY_LIMIT, f"ip:{address}", "wrong keys"):
            raise RefusedError(Refusal(429, f"Slowdown: {BAD_KEY_LIMIT} wrong keys per "
                                            f"{window_text(self.rates.window)}", {"Retry-After": str(self.rates.window)}))

    def count_request(self, record: ApiKey | None, address: str) -> None:
        """Count one REST request against its key's or its address's rate."""
        limit = record.req_limit if record is not None and record.req_limit is not None else self.service.req_limit
        who = f"key:{record.id}" if record is not None else f"ip:{address}"
        try:
            self.rates.hit(limit, who)
        except RateLimited as exc:
            raise RefusedError(Refusal(429, exc.message, {"Retry-After": str(exc.retry_after)})) from None

    # -- the Guard's checks -----------------------------------------------------------------

    def before_body(self, scope: dict) -> Refusal | None:
        path, address = scope["path"], client_address(scope)
        try:
            if path in WORK_ROUTES and scope["method"] == "POST":
                key = header_or_query_key(scope)
                if key is None:
                    self.refuse_if_guessing(address)  # a key in the body is checked once it is read
                    return None
                record = self.check_key(key, address)
                self.count_request(record, address)
                scope.setdefault("state", {})[ADMITTED] = record
            elif path == "/gradio_api/upload" and scope["method"] == "POST":
                self.rates.hit(self.service.upload_limit, f"ip:{address}", "uploads")
                return self._upload_room(scope)
        except RefusedError as exc:
            return exc.refusal
        except RateLimited as exc:
            return Refusal(429, exc.message, {"Retry-After": str(exc.retry_after)})
        return None

    def _upload_room(self, scope: dict) -> Refusal | None:
        """Refuse an upload when the page's uploads already take the whole quota (they are deleted after the
        file retention time)."""
        if self.upload_folder is None:
            return None
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        try:
            incoming = int(declared)
        except ValueError:
            incoming = 0
        measured, size = self._uploads_size
        if time.monotonic() - measured > 1.0:
            measured, size = time.monotonic(), folder_size(self.upload_folder)
        if size + incoming <= self.service.upload_quota_mb * 1024 * 1024:
            self._uploads_size = (measured, size + max(0, incoming))  # counted until the folder is measured again
            return None
        self._uploads_size = (measured, size)
        minutes = max(1, round(self.service.file_retention_s / 60))
        return Refusal(429, f"The server's space for uploads is full; try again within {minutes} minute(s). "
                            "服务器上传空间已满，请稍后再试。", {"Retry-After": "60"})

    def after_body(self, scope: dict, body: bytes) -> Refusal | None:
        path = scope["path"]
        if not path.startswith(PAGE_EVENT_PREFIXES):
            return None
        if path.startswith("/gradio_api/queue/join"):
            try:
                index = json.loads(body or b"{}").get("fn_index")
            except (ValueError, AttributeError, RecursionError):
                return Refusal(400, "Invalid request: the body is not a JSON object")
            if self.known_events is not None and index is not None and index not in self.known_events:
                return Refusal(400, "Invalid request: there is no such event on this page")
            if index in self.light_events:
                return None
        if self.service.req_limit <= 0:
            return None
        try:
            self.rates.hit(self.service.req_limit, f"ip:{client_address(scope)}")
        except RateLimited as exc:
            return Refusal(429, exc.message, {"Retry-After": str(exc.retry_after)})
        return None


class RefusedError(Exception):
    """Admission refused a request; ``refusal`` is the answer."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def header_or_query_key(scope: dict) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            if text.lower().startswith("bearer "):
                return text[7:].strip() or None
    query = scope.get("query_string", b"").decode("latin-1")
    if "api_key=" in query:
        values = parse_qs(query, max_num_fields=50).get("api_key")
        if values and values[0]:
            return values[0]
    return None
