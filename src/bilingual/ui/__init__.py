"""The web interface (Gradio). ``create_app()`` builds it; ``app.py`` launches it."""

from .app import create_app

__all__ = ["create_app"]
