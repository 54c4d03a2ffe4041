"""Launching the web app: the environment is read here (the edge), then the app is built."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from ..config import Settings
from ..errors import BilingualError
from .app import create_app

# A CPU runs one model call at a time well; two lets a second request tokenize meanwhile.
CONCURRENCY = 2
QUEUE_SIZE = 64


def read_auth(environ: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """Logins from ``BILINGUAL_AUTH_FILE`` (one ``user:password`` a line) or ``BILINGUAL_AUTH``.

    Raises:
        BilingualError: the file cannot be read, or a line is not ``user:password``.
    """
    source = environ.get("BILINGUAL_AUTH_FILE")
    if source:
        try:
            lines = Path(source).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise BilingualError(f"Cannot read BILINGUAL_AUTH_FILE: {exc.strerror}.") from exc
    elif environ.get("BILINGUAL_AUTH"):
        lines = environ["BILINGUAL_AUTH"].split(",")
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
    return logins or None


def main() -> None:
    """Build the app from the environment and serve it until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    try:
        auth = read_auth(os.environ)
        settings = Settings.from_env()
    except (BilingualError, ValueError) as exc:
        raise SystemExit(f"bilingual: {exc}") from None
    if auth is None and host not in ("127.0.0.1", "localhost", "::1"):
        print(f"bilingual: warning: serving on {host} without a login; set BILINGUAL_AUTH_FILE", flush=True)
    app = create_app(settings)
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    print(f"bilingual: serving on http://{host}:{port}", flush=True)
    app.launch(server_name=host, server_port=port, show_error=False, css=_css(), auth=auth)


def _css() -> str:
    from .views import CSS

    return CSS
