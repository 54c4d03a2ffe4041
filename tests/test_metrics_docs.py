"""Prometheus metrics (read back with prometheus_client's own parser) and API docs that work offline."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bilingual import Settings
from bilingual.config import ServiceSettings
from bilingual.server import build
from bilingual.service.keys import KeyStore
from tests.fakes import FakeBackend, fake_translator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _app(home, translator=None, page=False, **service):
    translator = translator or fake_translator(home, cache=True)
    return build(Settings(home=str(home), cache=True, offline=True), ServiceSettings(**service), translator=translator,
                 page=page)


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, for every sample of the exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_are_off_by_default(tmp_path):
    with TestClient(_app(tmp_path / "home")) as client:
        answer = client.get("/metrics")
        assert (answer.status_code, answer.json()) == (404, {"error": "Not Found: see /docs for this server's routes"})
    assert ServiceSettings.from_env({}).metrics is False
    on = ServiceSettings.from_env({"BILINGUAL_METRICS": "1", "BILINGUAL_METRICS_TOKEN": " t0k "})
    assert (on.metrics, on.metrics_token) == (True, "t0k")


def test_metrics_count_a_known_mix_of_requests(tmp_path):
    home = tmp_path / "home"
    secret, _ = KeyStore(home / "api_keys.sqlite3").add(name="newsroom")
    with TestClient(_app(home, metrics=True, metrics_token="s3cret", suggestions=True)) as client:
        body = {"q": "天气很好。谢谢。", "source": "zh", "target": "en", "api_key": secret}
        assert client.post("/translate", json=body).status_code == 200  # 2 sentences, 1 model call
        assert client.post("/translate", json=body).status_code == 200  # both from the cache
        assert client.post("/suggest", data={"q": "谢谢。", "s": "Cheers.", "source": "zh", "target": "en",
                                             "api_key": secret}).status_code == 200
        assert client.post("/translate", json=body).json() == {"translatedText": "<天气很好。> Cheers."}
        assert client.post("/translate", json={"source": "zh", "target": "en"}).status_code == 400
        assert client.get("/languages").status_code == 200
        assert client.get("/no-such-route").status_code == 404
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        answer = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)

    def value(name, **labels):
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    requests = "bilingual_http_requests_total"
    assert value(requests, route="/translate", method="POST", status="200") == 3
    assert value(requests, route="/translate", method="POST", status="400") == 1
    assert value(requests, route="/suggest", method="POST", status="200") == 1
    assert value(requests, route="/languages", method="GET", status="200") == 1
    assert value(requests, route="other", method="GET", status="404") == 1
    assert value(requests, route="/metrics", method="GET", status="401") == 2
    assert value("bilingual_http_request_duration_seconds_count", route="/translate") == 4
    sentences = "bilingual_sentences_translated_total"
    assert value(sentences, direction="zh-en", origin="model") == 5
    assert value(sentences, direction="zh-en", origin="memory") == 1
    assert value("bilingual_cache_hits_total", direction="zh-en") == 3
    assert value("bilingual_model_calls_total", direction="zh-en") == 1
    assert value("bilingual_model_batch_size_sum", direction="zh-en") == 2
    assert value("bilingual_jobs_running") == 0 and value("bilingual_jobs_waiting") == 0
    # no client address, key or text in any label
    labels = " ".join(f"{k}={v}" for (_, pairs) in samples for k, v in pairs)
    for secret_thing in (secret, "testclient", "127.0.0.1", "天气"):
        assert secret_thing not in labels


def test_busy_refusals_are_counted(tmp_path):
    from bilingual import Translator

    home = tmp_path / "home"
    release = threading.Event()

    class Slow(FakeBackend):
        def translate_batch(self, texts):
            release.wait(10)
            return super().translate_batch(texts)

    translator = Translator(Settings(home=str(home), cache=False, offline=True, batch_wait_ms=0),
                            backend_factory=lambda *a: Slow())
    app = _app(home, translator, metrics=True, workers=1, queue_size=0)
    with TestClient(app) as client:
        body = {"q": "谢谢。", "source": "zh", "target": "en"}
        first = threading.Thread(target=client.post, args=("/translate",), kwargs={"json": body})
        first.start()
        for _ in range(200):
            if app.work.running:
                break
            threading.Event().wait(0.01)
        assert client.post("/translate", json=body).status_code == 503
        running = _samples(client.get("/metrics").text)
        release.set()
        first.join(10)
    assert running[("bilingual_jobs_refused_total", ())] == 1
    assert running[("bilingual_jobs_running", ())] == 1
    assert running[("bilingual_http_requests_total", (("method", "POST"), ("route", "/translate"),
                                                      ("status", "503")))] == 1


@pytest.mark.waits
def test_api_docs_render_with_the_network_blocked(tmp_path):
    """/docs loads Swagger UI from this server (the fastapi-offline package), not from a CDN."""
    from tests.live_server import live_server, request

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    playwright = pytest.importorskip("playwright.sync_api")
    with live_server(tmp_path / "home", page=False) as url:
        status, page_html = request(url + "/docs")
        assert status == 200 and b"cdn" not in page_html.lower() and b"https://" not in page_html
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            outside: list[str] = []

            def only_this_server(route):
                if route.request.url.startswith(url):
                    return route.continue_()
                outside.append(route.request.url)
                return route.abort()

            page.route("**/*", only_this_server)
            page.goto(url + "/docs")
            page.locator(".opblock-summary-path", has_text="/translate").first.wait_for(timeout=20_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            browser.close()
    assert {"/translate", "/detect", "/languages", "/suggest", "/translate_file"} <= {p.strip() for p in paths}
    assert outside == []
