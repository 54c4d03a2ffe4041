"""Start the server as users do (``python app.py``) on a free loopback port, for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(folder: Path, models: tuple[Path, Path], **env_extra: str) -> Iterator[str]:
    """Yields the server's URL; the server's log is ``folder/app.log``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BILINGUAL_", "GRADIO_"))}
    env.update(
        HF_HUB_OFFLINE="1",
        HF_HUB_CACHE=str(folder / "empty-hub"),
        BILINGUAL_MODEL_ZH_EN=str(models[0]),
        BILINGUAL_MODEL_EN_ZH=str(models[1]),
        GRADIO_SERVER_PORT=str(port),
        BILINGUAL_HOME=str(folder / "home"),
        PYTHONUNBUFFERED="1",
    )
    env.update(env_extra)
    log = (folder / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"the app exited with {proc.returncode}: {(folder / 'app.log').read_text()[-2000:]}")
                time.sleep(0.3)
        else:
            pytest.fail("the app did not start within 120 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
