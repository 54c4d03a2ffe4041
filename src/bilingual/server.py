"""The server: the web page at ``/`` and the REST API beside it, one process, one port.

The environment is read by :mod:`bilingual.config` (``main`` asks it). One :class:`Translator` and one
:class:`Summarizer` serve both the page and the API, so each model loads once, and one
:class:`~bilingual.service.work.WorkLimit` bounds the work of both. ``python app.py`` runs
:func:`main`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import tempfile
from pathlib import Path

from .config import ServiceSettings, Settings
from .errors import BilingualError

logger = logging.getLogger(__name__)

PURGE_EVERY_S = 60
_TEXT_BODY_OVERHEAD = 64 * 1024


def read_auth(service: ServiceSettings) -> list[tuple[str, str]] | None:
    """Logins for the web page from ``BILINGUAL_AUTH_FILE`` (one ``user:password`` a line) or ``BILINGUAL_AUTH``
    (``service.auth_file``, ``service.auth``).

    Returns None when neither is set. A setting that is present but holds no login refuses
    to start rather than serving without one.

    Raises:
        BilingualError: the file cannot be read, a line is not ``user:password``, or there is no login.
    """
    source = service.auth_file
    if source is not None and not source.strip():
        # an unset shell variable ("$LOGINS") must not serve the page without its login
        raise BilingualError("BILINGUAL_AUTH_FILE is set but empty; name the logins file, or unset it.")
    if source:
        try:
            lines = Path(source).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise BilingualError(f"Cannot read BILINGUAL_AUTH_FILE: {exc.strerror}.") from exc
        try:
            if Path(source).stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
                logger.warning("BILINGUAL_AUTH_FILE is readable by other users; chmod 600 it")
        except OSError:
            pass
        where = "BILINGUAL_AUTH_FILE"
    elif service.auth is not None:
        lines = service.auth.split(",")
        where = "BILINGUAL_AUTH"
    else:
        return None
    logins = []
    for line in (x.strip() for x in lines):
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user or not password:
            raise BilingualError("Each login must be written as user:password, with a non-empty password.")
        logins.append((user, password))
    if not logins:
        raise BilingualError(f"{where} is set but holds no login (user:password); add one, or unset it.")
    return logins


def build(
    settings: Settings,
    service: ServiceSettings,
    *,
    auth: list[tuple[str, str]] | None = None,
    translator=None,
    summarizer=None,
    page: bool = True,
):
    """The ASGI application: REST routes, the Gradio page mounted at ``/``, limits and headers around both.

    ``translator`` and ``summarizer`` default to new ones over ``settings``, shared by page and API.
    With ``page=False``, the REST API alone (as :mod:`bilingual.serve` runs it on Ray Serve).
    """
    import anyio.to_thread
    from fastapi_offline import FastAPIOffline
    from starlette.middleware.cors import CORSMiddleware

    from .service.admission import Admission, RateLimits
    from .service.filestore import FileStore
    from .service.guard import Guard
    from .service.jobs import DocumentJobs
    from .service.keys import KeyStore
    from .service.paths import HidePaths
    from .service.rest import RestApi, allowed_methods
    from .service.work import WorkLimit
    from .summarization.summarizer import Summarizer
    from .translation.translator import Translator

    home = Path(settings.home) if settings.home else Path(tempfile.mkdtemp(prefix="bilingual-home-"))
    if page:  # the page's uploads and download copies stay in the home folder, private, unless the operator chose
        os.environ["GRADIO_TEMP_DIR"] = service.upload_dir or _private_folder(home / "gradio")  # (Gradio reads it)
    translator = translator or Translator(settings)
    summarizer = summarizer or Summarizer(settings, translator=translator)
    work = WorkLimit(service.workers, service.queue_size, memory=service.memory_budget_mb * 1024 * 1024)
    quota = service.file_quota_mb * 1024 * 1024
    files = FileStore(home / "files", retention=service.file_retention_s, quota=quota, total=5 * quota)
    exports = FileStore(home / "exports", retention=service.file_retention_s, total=5 * quota)
    keys = KeyStore(home / "api_keys.sqlite3")
    admission = Admission(service, keys, RateLimits(service.rate_window_s))
    rest = RestApi(translator, summarizer, service, work=work, keys=keys, files=files, admission=admission)
    rest.jobs = DocumentJobs(home / "jobs", rest.run_job, retention=service.file_retention_s,
                             per_owner=service.job_quota, total=service.job_queue)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        # Requests beyond the work limit wait inside it (bounded by queue_size), not in anyio's pool.
        anyio.to_thread.current_default_thread_limiter().total_tokens = service.workers + service.queue_size + 16

        async def purge() -> None:
            while True:
                await asyncio.sleep(min(PURGE_EVERY_S, max(1, service.file_retention_s // 2)))
                await asyncio.to_thread(files.purge)
                await asyncio.to_thread(exports.purge)
                await asyncio.to_thread(rest.jobs.purge)

        task = asyncio.create_task(purge())
        try:
            yield
        finally:
            task.cancel()
            rest.jobs.close()  # a running job is not waited for: it runs again at the next start

    # /docs serves Swagger UI's files from the fastapi-offline package, not from a CDN: it works offline
    app = FastAPIOffline(title="bilingual", version=_version(), openapi_url="/spec", docs_url="/docs", redoc_url=None,
                         lifespan=lifespan, description="LibreTranslate-compatible translation between Chinese and "
                         "English.", static_url="/docs-static")
    app.add_middleware(CORSMiddleware, allow_origins=list(service.cors_origins), allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], max_age=3600)
    rest.install(app)
    api_paths = frozenset(allowed_methods(app.routes)) | {"/docs"}  # the REST API's fixed paths (metrics' labels)
    if page:
        import gradio as gr
        from gradio.utils import get_upload_folder

        from .ui.app import create_app
        from .ui.views import CSS

        demo = create_app(settings, translator=translator, summarizer=summarizer, work=work, exports=exports,
                          retention=service.file_retention_s, suggestions=service.suggestions, jobs=rest.jobs)
        admission.light_events = light_events(demo)
        admission.known_events = frozenset(demo.fns)
        admission.upload_folder = Path(get_upload_folder())
        if service.require_api_key:
            auth = page_login(auth, keys)
        # Gradio's own queue only hands jobs to the shared work limit, which decides what runs.
        demo.queue(default_concurrency_limit=service.workers + service.queue_size, max_size=service.queue_size)
        app = gr.mount_gradio_app(app, demo, path="/", auth=auth, show_error=False, css=CSS, ssr_mode=False,
                                  max_file_size=service.file_limit_bytes, footer_links=["api", "settings"],
                                  allowed_paths=[str(exports.folder)])
        # Gradio checks the file paths that events name only in apps it launched itself; a mounted
        # app must say it is running, or an event could name any file on the server.
        demo.has_launched = True
        app = HidePaths(app, get_upload_folder())
    text_limit = _TEXT_BODY_OVERHEAD + 6 * max(service.char_limit, settings.max_input_chars)  # JSON's \\u escapes
    file_limit = _TEXT_BODY_OVERHEAD + service.file_limit_bytes
    # the page sends what is pasted whole: an article up to twice the limit reaches the handler, which says
    # how long it is and what the limit is (the text box no longer cuts it silently)
    page_limit = _TEXT_BODY_OVERHEAD + 12 * settings.max_input_chars

    def body_limit(path: str) -> int:
        if path in ("/translate_file", "/gradio_api/upload"):
            return file_limit
        return page_limit if path.startswith("/gradio_api/") else text_limit

    metrics = None
    if service.metrics:
        from .service.metrics import Metrics

        metrics = Metrics(work, api_paths)
        translator.observer = metrics
        app = metrics.serve(app, service.metrics_token)
        if not service.metrics_token and not service.loopback:
            logger.warning("/metrics is open to anyone who can reach this server; set BILINGUAL_METRICS_TOKEN")
    guarded = Guard(app, body_limit, allowed_origins=service.cors_origins, allowed_hosts=service.allowed_hosts,
                    port=service.port, body_timeout=service.body_timeout_s,
                    body_budget=service.body_budget_mb * 1024 * 1024,
                    before_body=admission.before_body, after_body=admission.after_body)
    if metrics is not None:  # outside the guard: refused requests are counted too
        guarded = metrics.count(guarded)
    guarded.work = work  # type: ignore[attr-defined] - the shared limit, for monitoring and tests
    return guarded


LIGHT_EVENTS = ("detect", "models", "read_glossary_file", "pick_correction")  # page events that run no model


def light_events(demo) -> frozenset[int]:
    """The indices of the page's events that do no model work (not counted against rate limits)."""
    return frozenset(index for index, fn in demo.fns.items() if getattr(fn.fn, "__name__", "") in LIGHT_EVENTS)


def page_login(logins: list[tuple[str, str]] | None, keys):
    """With API keys required, the page asks for a login too: one of ``logins``, or any user name with
    an API key as the password. Everything under ``/gradio_api/`` then needs that login's session."""
    import hmac

    def check(user: str, password: str) -> bool:
        for known_user, known_password in logins or ():
            if hmac.compare_digest(user.encode(), known_user.encode()) and hmac.compare_digest(
                    password.encode(), known_password.encode()):
                return True
        return keys.lookup(password) is not None

    return check


def _version() -> str:
    from . import __version__

    return __version__


def _private_folder(path: Path) -> str:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return str(path)


def serve_options(service: ServiceSettings) -> dict:
    """uvicorn's settings for the server: connection limits and timeouts (see the README's threat model).

    * ``limit_concurrency``: past this many open connections and tasks, new requests get 503 at once;
    * ``timeout_keep_alive``: an idle kept-alive connection is closed after this many seconds;
    * a connection that has not sent a whole request head within ``header_timeout_s`` is closed
      (uvicorn itself waits forever), so half-sent requests cannot hold the server's sockets.
    """
    return {
        "limit_concurrency": service.max_connections,
        "timeout_keep_alive": 5,
        "http": _header_timeout_protocol(service.header_timeout_s),
    }


def _header_timeout_protocol(seconds: float):
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        """uvicorn's HTTP/1.1 protocol, closing a connection that sends no complete request head in time
        (when it opens, and again after each response, before the keep-alive timeout can apply)."""

        _head_timer = None
        _waiting_since = None  # the request cycle that was current when the wait began

        def _wait_for_head(self) -> None:
            self._cancel_head_timer()
            self._waiting_since = self.cycle
            self._head_timer = self.loop.call_later(seconds, self._head_timeout)

        def _cancel_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self) -> None:
            self._head_timer = None
            if self.cycle is self._waiting_since and not self.transport.is_closing():
                self.transport.close()  # no new request began in time

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._wait_for_head()

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not self._waiting_since:
                self._cancel_head_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._wait_for_head()

        def connection_lost(self, exc) -> None:
            self._cancel_head_timer()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


def private_home(home: Path) -> None:
    """Make the home folder 0700 and everything created from now on private (umask 077): the cache,
    keys, glossaries, uploads and their SQLite side files are never readable by other local users."""
    os.umask(0o077)
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    for path in home.rglob("*"):  # files an earlier version left readable
        try:
            if not path.is_symlink():
                os.chmod(path, 0o700 if path.is_dir() else 0o600)
        except OSError:
            continue


def main() -> None:
    """Build the server from the environment and serve it until interrupted."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)  # library warnings go to the log, each kind once, not to stderr line by line
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        settings = Settings.from_env()
        service = ServiceSettings.from_env(max_input_chars=settings.max_input_chars)
        auth = read_auth(service)
    except BilingualError as exc:
        raise SystemExit(f"bilingual: {exc}") from None
    if not service.loopback and auth is None:
        print(f"bilingual: warning: serving the page on {service.host} without a login; set BILINGUAL_AUTH_FILE",
              flush=True)
    if not service.loopback and not service.require_api_key:
        print("bilingual: note: the REST API is open to anyone who can reach this address; set "
              "BILINGUAL_REQUIRE_API_KEY=1 and add keys with `bilingual keys add`", flush=True)
    if settings.home:
        private_home(Path(settings.home))
    if not service.loopback and not service.allowed_hosts:
        print("bilingual: warning: answering to any Host name; set BILINGUAL_ALLOWED_HOSTS to this server's "
              "names (DNS rebinding)", flush=True)
    app = build(settings, service, auth=auth)
    print(f"bilingual: serving the page and the REST API on http://{service.host}:{service.port}", flush=True)
    uvicorn.run(app, host=service.host, port=service.port, log_level="warning", proxy_headers=True,
                timeout_graceful_shutdown=5, **serve_options(service))
