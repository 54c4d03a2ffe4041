"""The LLM engine with a real model: a tiny trained Qwen2-architecture instruct model
(tests/fixtures/tiny_llm.py) translating multi-paragraph articles exactly, in process through
transformers and through a real ``transformers serve`` process called with the openai client.

The protocol's failure paths (wrong line counts, 429s, a server down or slow, injections) are in
test_llm.py against a fake server that can misbehave on cue.
"""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from bilingual import Settings, Translator
from tests.fixtures.articles import EN_ARTICLE, EN_OF_ZH_ARTICLE, ZH_ARTICLE, ZH_OF_EN_ARTICLE

ZH_TW_OF_EN_ARTICLE = "代表團訪問了重慶。雙方將加強貿易合作。\n\n銀行降低了利率。價格保持穩定。\n\n謝謝。"


def test_an_instruct_model_in_process_translates_articles_exactly_both_ways(tiny_llm, tmp_path):
    translator = Translator(Settings(model_zh_en=str(tiny_llm), model_en_zh=str(tiny_llm), offline=True,
                                     home=str(tmp_path), cache=False))
    assert translator.translate(ZH_ARTICLE, "en") == EN_OF_ZH_ARTICLE
    assert translator.translate(EN_ARTICLE, "zh") == ZH_OF_EN_ARTICLE
    assert translator.translate(EN_ARTICLE, "zh-TW") == ZH_TW_OF_EN_ARTICLE  # OpenCC after the model, as always
    backend = translator.backend("zh", "en")
    assert (backend.engine, backend.contextual) == ("causal", True)
    doc = translator.translate_document(ZH_ARTICLE, "en")
    second = doc.paragraphs[1]
    assert [s.source for s in second] == ["会议在周一举行。", "出口增长了百分之五。", "新工厂明年开工。"]
    assert [s.target for s in second] == ["The meeting was held on Monday.", "Exports grew by five percent.",
                                        "The new factory opens next year."]
    # in process the tokens' log-probabilities are at hand: every model sentence has a confidence from them
    model_sentences = [s for p in doc.paragraphs for s in p if s.origin == "model"]
    assert model_sentences and all(s.confidence is not None and s.confidence > 0.5 for s in model_sentences)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def transformers_serve(tiny_llm) -> Iterator[str]:
    """A real ``transformers serve`` process serving the tiny model; yields its /v1 base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "transformers.cli.transformers", "serve", str(tiny_llm), "--host", "127.0.0.1",
               "--port", str(port), "--device", "cpu", "--log-level", "warning"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"transformers serve exited: {process.stdout.read()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("transformers serve did not start within 120 s")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_transformers_serve_with_the_openai_client_translates_articles_exactly(transformers_serve, tiny_llm, tmp_path):
    translator = Translator(Settings(engine="llm", llm_url=transformers_serve, llm_model=str(tiny_llm), offline=True,
                                     home=str(tmp_path), cache=False, llm_retries=0, llm_timeout=60.0))
    assert translator.translate(ZH_ARTICLE, "en") == EN_OF_ZH_ARTICLE
    assert translator.translate(EN_ARTICLE, "zh") == ZH_OF_EN_ARTICLE
    backend = translator.backend("en", "zh")
    assert (backend.engine, backend.model_name) == ("llm", str(tiny_llm))
    # transformers serve ignores `logprobs`: the confidence then comes from the checks alone
    doc = translator.translate_document(EN_ARTICLE, "zh")
    assert all(s.confidence is not None for p in doc.paragraphs for s in p if s.origin == "model")


def test_concurrent_articles_through_transformers_serve_all_come_back_exact(transformers_serve, tiny_llm, tmp_path):
    translator = Translator(Settings(engine="llm", llm_url=transformers_serve, llm_model=str(tiny_llm), offline=True,
                                     home=str(tmp_path), cache=False, llm_retries=0, llm_timeout=60.0,
                                     llm_concurrency=4))
    jobs = [(ZH_ARTICLE, "en", EN_OF_ZH_ARTICLE), (EN_ARTICLE, "zh", ZH_OF_EN_ARTICLE)] * 4
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda job: translator.translate(job[0], job[1]), jobs))
    assert got == [expected for _, _, expected in jobs]
