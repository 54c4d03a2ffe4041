"""The web interface (Gradio). ``create_app()`` builds it; ``app.py`` launches it.

Gradio is imported only when the page is built, so the pure parts (:mod:`.views`) load without it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The Gradio page (see :func:`bilingual.ui.app.create_app`)."""
    from .app import create_app as build

    return build(*args, **kwargs)
