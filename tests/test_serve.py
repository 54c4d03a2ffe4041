"""bilingual.serve on a local Ray Serve: the REST API with per-direction model deployments (the tiny models)."""

from __future__ import annotations

import json
import os
import socket
import threading
import urllib.request

import pytest

from tests.fixtures.corpus import PAIRS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tiny_zh_en, tiny_en_zh, tmp_path_factory):
    # imported here, not when the tests are collected: the fast lane does not pay for Ray
    ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'bilingual[ray]'")
    serve = pytest.importorskip("ray.serve", reason="Ray Serve is an optional extra: pip install 'bilingual[ray]'")

    from bilingual.serve import app_builder

    env = {k: v for k, v in os.environ.items() if not k.startswith("BILINGUAL_")}
    env.update(BILINGUAL_MODEL_ZH_EN=str(tiny_zh_en), BILINGUAL_MODEL_EN_ZH=str(tiny_en_zh), HF_HUB_OFFLINE="1",
               BILINGUAL_HOME=str(tmp_path_factory.mktemp("serve-home")), BILINGUAL_SERVE_MAX_REPLICAS="1",
               BILINGUAL_SERVE_CPUS="0.5")  # two model replicas and the ingress fit on ray.init(num_cpus=2)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    for attempt in range(3):  # a free port can be taken by a test running beside this one before Serve binds it
        port = _free_port()
        try:
            serve.start(http_options={"host": "127.0.0.1", "port": port})
            break
        except Exception:  # noqa: BLE001 - ray wraps the bind error ("Failed to bind to address")
            serve.shutdown()
            if attempt == 2:
                raise
    serve.run(app_builder(env), name="bilingual", route_prefix="/", blocking=False)
    url = f"http://127.0.0.1:{port}"
    try:
        yield url
    finally:
        serve.shutdown()
        ray.shutdown()


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_libretranslate_client_gets_exact_translations_from_ray_serve(served):
    from libretranslatepy import LibreTranslateAPI

    client = LibreTranslateAPI(served + "/")
    zh, en = PAIRS[0]
    assert client.translate(zh, "zh", "en") == en
    assert client.translate(en, "en", "zh") == zh
    assert client.detect(zh)[0]["language"] == "zh-Hans"  # as the app answers
    assert {lang["code"] for lang in client.languages()} == {"en", "zh-Hans", "zh-Hant"}


def test_sixteen_concurrent_clients_each_get_their_own_exact_answer(served):
    pairs = PAIRS[:16]
    answers: dict[int, str] = {}
    errors: list[BaseException] = []

    def client(n: int) -> None:
        zh, en = pairs[n]
        text, target = (zh, "en") if n % 2 else (en, "zh")
        try:
            for _ in range(3):
                status, body = _post(served + "/translate", {"q": text, "source": "auto", "target": target})
                assert status == 200, body
                answers[n] = body["translatedText"]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert [answers[n] for n in range(16)] == [pairs[n][1] if n % 2 else pairs[n][0] for n in range(16)]
    from ray import serve

    stats = [serve.get_deployment_handle(name, app_name="bilingual").stats.remote().result()
             for name in ("zh-en", "en-zh")]
    assert sum(s["calls"] for s in stats) >= 15  # each new sentence went to a model deployment (repeats: cache)
    assert sum(s["batches"] for s in stats) < sum(s["calls"] for s in stats)  # and @serve.batch joined some


def test_ray_serve_keeps_the_apis_errors_and_limits(served):
    status, body = _post(served + "/translate", {"q": "Bonjour", "source": "fr", "target": "en"})
    assert status == 400 and "error" in body and "Traceback" not in json.dumps(body)
    status, body = _post(served + "/translate", {"source": "en", "target": "zh"})
    assert status == 400 and "q" in body["error"]
    zh, en = PAIRS[1]
    status, body = _post(served + "/translate", {"q": [zh, zh], "source": "zh", "target": "en", "detail": True})
    assert status == 200 and body["translatedText"] == [en, en] and body["segments"][0][0][0]["target"] == en
