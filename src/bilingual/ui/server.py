"""Launching the web app: the environment is read here (the edge), then the app is built."""

from __future__ import annotations

import logging
import os

from ..config import Settings
from .app import create_app

# A CPU runs one model call at a time well; two lets a second request tokenize meanwhile.
CONCURRENCY = 2
QUEUE_SIZE = 64


def main() -> None:
    """Build the app from the environment and serve it until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    app = create_app(Settings.from_env())
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    print(f"bilingual: serving on http://{host}:{port}", flush=True)
    app.launch(server_name=host, server_port=port, show_error=False, css=_css())


def _css() -> str:
    from .views import CSS

    return CSS
