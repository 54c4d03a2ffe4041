"""Headless Chromium for the page's tests (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[1] / "test-output"  # screenshots


@contextmanager
def chromium() -> Iterator:
    """A launched browser; the test is skipped where Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(page, url: str) -> None:
    """Load the page and wait until it can be used (not for "networkidle", which Playwright advises
    against and which once waited past 30 s on a busy CI machine)."""
    page.goto(url, wait_until="load")
    page.locator("#article textarea").wait_for(timeout=60_000)
    page.locator("#translate-btn").wait_for(timeout=60_000)
