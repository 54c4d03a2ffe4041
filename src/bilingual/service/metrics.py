"""Prometheus metrics at ``/metrics`` (``BILINGUAL_METRICS=1``; ``BILINGUAL_METRICS_TOKEN`` for a bearer token).

What is counted: requests by route, method and status, and their latency; sentences translated by
direction and origin (model, memory, copied); translation cache hits; model calls and their batch
sizes; jobs running and waiting for the work limit, and the jobs it refused as busy.

Labels never hold a client address, an API key or a text: routes are the API's fixed paths (the
page is ``page``, anything else ``other``), so their number stays small whatever clients send.
Each app has its own registry (two servers in one process do not mix their counts).
"""

from __future__ import annotations

import hmac
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..translation.translator import Observer
from .work import WorkLimit

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


PAGE_PREFIXES = ("/gradio_api/", "/assets/", "/static/", "/config", "/theme.css", "/uploads/", "/favicon.ico",
                 "/manifest.json", "/login", "/logout", "/docs-static/")


def route_label(path: str, routes: frozenset[str]) -> str:
    """The label of a request path: one of the API's fixed ``routes``, ``/download_file``, ``page`` or ``other``."""
    if path in routes:
        return path
    if path.startswith("/download_file/"):
        return "/download_file"
    if path == "/" or path.startswith(PAGE_PREFIXES):
        return "page"
    return "other"


class Metrics(Observer):
    """The process's metrics: an observer of the translator, and an ASGI layer counting requests."""

    def __init__(self, work: WorkLimit, routes: frozenset[str]) -> None:
        self.routes = routes | {"/metrics"}  # the API's fixed paths: the only route labels besides page and other
        self.registry = CollectorRegistry()
        self.requests = Counter("bilingual_http_requests", "HTTP requests answered, by route, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("bilingual_http_request_duration_seconds", "Time to answer a request, by route",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.translated = Counter("bilingual_sentences_translated", "Sentences translated, by direction and origin "
                                  "(model, memory: a person's translation, copied: nothing to translate)",
                                  ["direction", "origin"], registry=self.registry)
        self.cache = Counter("bilingual_cache_hits", "Sentence pieces found in the translation cache",
                             ["direction"], registry=self.registry)
        self.model_calls = Counter("bilingual_model_calls", "Model calls, by direction", ["direction"],
                                   registry=self.registry)
        self.batch_size = Histogram("bilingual_model_batch_size", "Sentence pieces per model call",
                                    ["direction"], buckets=BATCH_BUCKETS, registry=self.registry)
        running = Gauge("bilingual_jobs_running", "Jobs holding a slot of the work limit", registry=self.registry)
        running.set_function(lambda: work.running)
        waiting = Gauge("bilingual_jobs_waiting", "Jobs waiting for a slot (the queue's depth)", registry=self.registry)
        waiting.set_function(lambda: work.waiting)
        self._refused = Counter("bilingual_jobs_refused", "Jobs refused as busy by the work limit",
                                registry=self.registry)
        self._work = work
        self._refused_seen = 0

    # -- the translator's observer --------------------------------------------------------------

    def model_call(self, direction: str, sentences: int) -> None:
        self.model_calls.labels(direction).inc()
        self.batch_size.labels(direction).observe(sentences)

    def cache_hits(self, direction: str, pieces: int) -> None:
        self.cache.labels(direction).inc(pieces)

    def sentences(self, direction: str, origin: str, count: int) -> None:
        self.translated.labels(direction, origin).inc(count)

    # -- the endpoint ---------------------------------------------------------------------------

    def exposition(self) -> bytes:
        refused = self._work.refused
        if refused > self._refused_seen:
            self._refused.inc(refused - self._refused_seen)
            self._refused_seen = refused
        return generate_latest(self.registry)

    def count(self, app) -> Counted:
        """An ASGI layer counting every HTTP request (refused ones too: it goes outside the guard)."""
        return Counted(app, self)

    def serve(self, app, token: str | None):
        """An ASGI layer answering ``/metrics`` (with ``token``: only to ``Authorization: Bearer <token>``)."""
        metrics = self

        async def serving(scope, receive, send):
            if scope["type"] == "http" and scope["path"] == "/metrics":
                return await metrics._answer(scope, send, token)
            return await app(scope, receive, send)

        return serving

    async def _answer(self, scope, send, token: str | None) -> None:
        headers = dict(scope.get("headers", []))
        given = headers.get(b"authorization", b"").decode("latin-1")
        if token and not (given.lower().startswith("bearer ")
                          and hmac.compare_digest(given[7:].strip().encode(), token.encode())):
            body, status = b'{"error": "Metrics need the bearer token (BILINGUAL_METRICS_TOKEN)"}', 401
            content_type = b"application/json"
            extra = [(b"www-authenticate", b'Bearer realm="metrics"')]
        elif scope["method"] not in ("GET", "HEAD"):
            body, status, content_type, extra = b'{"error": "Method Not Allowed"}', 405, b"application/json", [
                (b"allow", b"GET")]
        else:
            body, status, content_type, extra = self.exposition(), 200, CONTENT_TYPE_LATEST.encode(), []
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store"), *extra]})
        await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})


class Counted:
    """The ASGI layer of :meth:`Metrics.count`."""

    def __init__(self, app, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        route = route_label(scope["path"], self.metrics.routes)
        started = time.perf_counter()
        status = 500

        async def watched(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
