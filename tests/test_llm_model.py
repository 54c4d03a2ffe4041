"""The LLM engine with a real model: a tiny trained Qwen2-architecture instruct model
(tests/fixtures/tiny_llm.py) translating multi-paragraph articles exactly, in process through
transformers and through a real ``transformers serve`` process called with the openai client.

Summaries on the LLM engine, from the page's handlers and in the browser with the engine picked
in the page's selector, are here too. The protocol's failure paths (wrong line counts, 429s, a server down or slow, injections) are in
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

from bilingual import Settings, Summarizer, Translator
from tests.app_server import running_app
from tests.browser import OUTPUT, chromium, open_page
from tests.fixtures.articles import EN_ARTICLE, EN_OF_ZH_ARTICLE, LLM_SUMMARIES, ZH_ARTICLE, ZH_OF_EN_ARTICLE

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


def test_summaries_on_an_llm_engine_are_written_by_it_in_each_language_at_the_pages_length(tiny_llm, tmp_path):
    from bilingual.ui.app import Handlers

    translator = Translator(Settings(model_zh_en=str(tiny_llm), model_en_zh=str(tiny_llm), offline=True,
                                     home=str(tmp_path), cache=False))
    handlers = Handlers(translator, Summarizer(translator.settings, translator=translator))
    for length, count in (("中 Medium", 3), ("短 Short", 1)):
        status, chinese, english, _ = handlers.summarize_both(ZH_ARTICLE, length, "自动 Auto")
        assert (chinese, english) == (LLM_SUMMARIES[("zh", count)], LLM_SUMMARIES[("en", count)])
        assert "LLM engine" in status
    report: dict = {}
    summary = handlers.summarizer.summarize(ZH_ARTICLE, language="zh-TW", num_sentences=1, report=report)
    assert (summary, report) == ("兩江新區簽署協議，出口增長百分之五。", {"method": "llm"})  # OpenCC after the model
    # extractive still means the article's own sentences
    _, chinese, _, _ = handlers.summarize_both(ZH_ARTICLE, "短 Short", "抽取 Extractive")
    assert chinese in ZH_ARTICLE


def test_the_page_lists_its_engines_and_the_quality_one_translates_and_summarizes(
        transformers_serve, tiny_llm, tiny_zh_en, tiny_en_zh, tmp_path):
    env = {"BILINGUAL_QUALITY_ENGINE": "llm", "BILINGUAL_LLM_URL": transformers_serve,
           "BILINGUAL_LLM_MODEL": str(tiny_llm), "BILINGUAL_LLM_RETRIES": "0"}
    with running_app(tmp_path, (tiny_zh_en, tiny_en_zh), **env) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 1400})
        open_page(page, url)
        choices = page.locator("#engine label")
        assert choices.count() == 2
        fast, quality = choices.nth(0).inner_text(), choices.nth(1).inner_text()
        assert fast.startswith("快速 Fast") and "marian · tiny-zh-en (see its model card)" in fast
        assert quality == f"高质量 Quality: llm · {tiny_llm.name} (the server's model)"
        assert str(tiny_llm.parent) not in page.content()  # no server path on the page
        page.locator("#article textarea").fill(ZH_ARTICLE)
        page.get_by_label(quality).check()
        page.locator("#both-btn").click()
        page.get_by_text("摘要 summaries ready").first.wait_for(timeout=120_000)
        assert "LLM engine" in page.locator("#status").inner_text()
        page.get_by_role("tab", name="译文 Translation").click()
        assert page.locator("#translation textarea").input_value() == EN_OF_ZH_ARTICLE
        page.get_by_role("tab", name="摘要 Summaries").click()
        assert page.locator("#summary-zh textarea").input_value() == LLM_SUMMARIES[("zh", 3)]
        assert page.locator("#summary-en textarea").input_value() == LLM_SUMMARIES[("en", 3)]
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "web-engines.png"), full_page=True)
        page.close()
