"""The whole server (page and REST API) in this process, on a free loopback port, over a fake backend.

For hardening tests that need real HTTP (the page's events, uploads, slow bodies) but no model:
the app is :func:`bilingual.server.build` served by uvicorn in a thread, as ``main`` serves it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from tests.app_server import free_port


@contextmanager
def live_server(home: Path, *, auth=None, translator_factory=None, page: bool = True,
                **service_overrides) -> Iterator[str]:
    """Yields the server's URL; ``service_overrides`` are :class:`ServiceSettings` fields. With
    ``page=False``, the REST API alone (for tests of it: the page costs a second to build)."""
    import uvicorn

    from bilingual import Settings, Translator
    from bilingual.config import ServiceSettings
    from bilingual.server import build, serve_options
    from tests.fakes import fake_factory

    port = free_port()
    settings = Settings(home=str(home), cache=False, offline=True)
    translator = Translator(settings, backend_factory=translator_factory or fake_factory([]))
    service = replace(ServiceSettings(port=port), **service_overrides)
    app = build(settings, service, auth=auth, translator=translator, page=page)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **serve_options(service))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the in-process server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def request(url: str, body: bytes | None = None, *, headers: dict[str, str] | None = None,
            method: str | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """(status, body) of one HTTP request; error statuses are returned, not raised."""
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def upload(url: str, name: str, data: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Upload a file through the page's upload route, as the browser does."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return request(url + "/gradio_api/upload", body,
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})})


def fn_index(url: str, fn_name: str, headers: dict[str, str] | None = None) -> int:
    """The index of the page event whose Python function is named ``fn_name``."""
    status, body = request(url + "/config", headers=headers)
    assert status == 200, body[:200]
    config = json.loads(body)
    for number, dependency in enumerate(config["dependencies"]):
        if dependency.get("api_name") == fn_name or dependency.get("id") == fn_name:
            return dependency.get("id", number)
    names = [d.get("api_name") for d in config["dependencies"]]
    raise KeyError(f"no event {fn_name!r} in {names}")


def run_event(url: str, index: int, data: list, headers: dict[str, str] | None = None,
              timeout: float = 60) -> tuple[int, list[dict]]:
    """Call a page event through Gradio's queue as the browser does: (join status, the messages received)."""
    session = uuid.uuid4().hex[:10]
    payload = json.dumps({"data": data, "fn_index": index, "session_hash": session}).encode()
    status, answer = request(url + "/gradio_api/queue/join", payload,
                             headers={"Content-Type": "application/json", **(headers or {})})
    if status != 200:
        return status, [{"msg": "refused", "body": answer.decode("utf-8", "replace")}]
    messages = []
    req = urllib.request.Request(f"{url}/gradio_api/queue/data?session_hash={session}", headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as stream:
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            messages.append(message)
            if message.get("msg") == "process_completed":
                break
    return status, messages
