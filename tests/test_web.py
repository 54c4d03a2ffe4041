"""The web app, started as users start it (python app.py), driven through its API and a real browser."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.app_server import running_app
from tests.browser import OUTPUT, chromium, open_page
from tests.fixtures.articles import EN_ARTICLE, EN_OF_ZH_ARTICLE, ZH_ARTICLE, ZH_OF_EN_ARTICLE


@pytest.fixture(scope="module")
def app_url(tiny_zh_en, tiny_en_zh, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("app"), (tiny_zh_en, tiny_en_zh)) as url:
        yield url


@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def test_api_translate(client):
    assert client.predict(ZH_ARTICLE, "auto", api_name="/translate") == EN_OF_ZH_ARTICLE
    assert client.predict("The weather is good. Thank you.", "zh", api_name="/translate") == "天气很好。谢谢。"


def test_api_summarize_without_any_summarization_model(client):
    article = (
        "The city council approved a plan on Tuesday to rebuild the old harbour district. "
        "The plan includes new housing for twelve thousand residents and a riverside park. "
        "Critics said the budget was too small for a project of this size."
    )
    assert client.predict(article, "en", "extractive", api_name="/summarize") == (
        "The city council approved a plan on Tuesday to rebuild the old harbour district. "
        "The plan includes new housing for twelve thousand residents and a riverside park."
    )
    # automatic method: no abstractive model is present, so the extractive one answers
    assert client.predict(article, "auto", "auto", api_name="/summarize").startswith("The city council")


def test_api_errors_are_messages_not_tracebacks(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as info:
        client.predict("서울은 한국의 수도입니다", "auto", api_name="/translate")
    assert "looks like Korean" in str(info.value)
    assert "Traceback" not in str(info.value) and ".py" not in str(info.value)


@pytest.mark.parametrize(
    ("args", "api_name", "message"),
    [
        ((), "/translate", "Give the article"),
        (("",), "/translate", "Give the article"),
        (("The weather is good.", "fr"), "/translate", "Unknown target 'fr': use auto, en, zh, zh-Hant"),
        (("The weather is good.", "en", "magic"), "/summarize", "Unknown method 'magic'"),
        (("The weather is good.", "klingon"), "/summarize", "Unknown language 'klingon'"),
    ],
)
def test_api_arguments_get_readable_errors(client, args, api_name, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name=api_name)


def test_input_size_is_enforced_by_the_server(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="more than the limit"):
        client.predict("天气很好。" * 40_001, "auto", api_name="/translate")


def test_concurrent_api_calls_are_all_correct(app_url):
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    def call(i):
        client = Client(app_url, verbose=False)
        if i % 2:
            return client.predict(ZH_ARTICLE, "en", api_name="/translate") == EN_OF_ZH_ARTICLE
        return client.predict("The weather is good.", "zh", api_name="/translate") == "天气很好。"

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(call, range(8)))


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_browser_translate_side_by_side_and_no_external_requests(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1400})
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    open_page(page, app_url)
    page.locator("#article textarea").fill(ZH_ARTICLE)
    page.get_by_text("中文 Chinese").first.wait_for(timeout=30_000)  # detected language shown
    page.locator("#translate-btn").click()
    page.get_by_text("完成 Done").first.wait_for(timeout=120_000)
    view = page.locator("#side-by-side table")
    rows = view.locator("tbody tr")
    assert rows.count() == 4
    first = rows.nth(0).locator("td")
    assert first.nth(1).inner_text() == "两江新区签署了合作协议。代表团访问了重庆。"
    assert first.nth(2).inner_text() == "Liangjiang New Area signed a cooperation agreement. The delegation visited Chongqing."
    # hovering a sentence highlights it and its aligned partner in the other column
    partner = first.nth(1).locator('.seg[data-seg="1"]')
    other = first.nth(1).locator('.seg[data-seg="0"]')
    background = "e => getComputedStyle(e).backgroundColor"
    plain = partner.evaluate(background)
    first.nth(2).locator('.seg[data-seg="1"]').hover()
    assert partner.evaluate(background) != plain
    assert other.evaluate(background) == plain
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "web-side-by-side.png"), full_page=True)
    page.get_by_role("tab", name="译文 Translation").click()
    assert page.locator("#translation textarea").input_value() == EN_OF_ZH_ARTICLE
    page.screenshot(path=str(OUTPUT / "web-translation.png"), full_page=True)
    assert hosts == {urlparse(app_url).netloc}, f"requests to other hosts: {hosts}"
    page.close()


def test_browser_shows_errors_as_messages(app_url, browser):
    page = browser.new_page()
    open_page(page, app_url)
    page.locator("#article textarea").fill("Москва является столицей России. Погода хорошая.")
    page.locator("#translate-btn").click()
    status = page.locator("#status")
    status.get_by_text("looks like Russian").wait_for(timeout=30_000)
    assert "Traceback" not in page.content()
    page.close()


def test_browser_both_button_translates_and_summarizes(app_url, browser, tiny_settings):
    from bilingual import Summarizer, Translator

    summarizer = Summarizer(tiny_settings, translator=Translator(tiny_settings))
    english = summarizer.summarize(EN_ARTICLE, language="en", method="extractive", num_sentences=3)
    chinese = summarizer.summarize(EN_ARTICLE, language="zh", method="extractive", num_sentences=3)
    assert english.startswith("The delegation visited Chongqing.") and chinese.startswith("代表团访问了重庆。")
    page = browser.new_page(viewport={"width": 1300, "height": 1400})
    open_page(page, app_url)
    page.locator("#article textarea").fill(EN_ARTICLE)
    page.locator("#both-btn").click()
    page.get_by_text("摘要 summaries ready").first.wait_for(timeout=120_000)
    page.get_by_role("tab", name="译文 Translation").click()
    assert page.locator("#translation textarea").input_value() == ZH_OF_EN_ARTICLE
    page.get_by_role("tab", name="摘要 Summaries").click()
    assert page.locator("#summary-en textarea").input_value() == english
    assert page.locator("#summary-zh textarea").input_value() == chinese
    page.screenshot(path=str(OUTPUT / "web-summaries.png"), full_page=True)
    page.close()


def test_traditional_chinese_through_the_api_and_the_page(client, app_url, browser):
    assert client.predict("The weather is good. Thank you.", "zh-TW", api_name="/translate") == "天氣很好。謝謝。"
    assert client.predict("兩江新區簽署了合作協議。", "auto", api_name="/translate") == (
        "Liangjiang New Area signed a cooperation agreement."
    )
    page = browser.new_page(viewport={"width": 1300, "height": 1200})
    open_page(page, app_url)
    page.locator("#article textarea").fill("The weather is good. Thank you.")
    page.get_by_label("English → 繁體中文 (台灣)").check()
    page.locator("#translate-btn").click()
    page.get_by_text("完成 Done").first.wait_for(timeout=60_000)
    assert "繁體中文（台灣）" in page.locator("#status").inner_text()
    page.get_by_role("tab", name="译文 Translation").click()
    assert page.locator("#translation textarea").input_value() == "天氣很好。謝謝。"
    page.close()


def test_browser_uploads_a_word_document_and_downloads_it_translated(app_url, browser, tmp_path):
    from docx import Document

    from tests.test_documents import _docx

    source = tmp_path / "press-release.docx"
    source.write_bytes(_docx())
    page = browser.new_page(viewport={"width": 1300, "height": 1400})
    open_page(page, app_url)
    page.get_by_role("tab", name="文件 Document").click()
    page.locator("#document-upload input[type=file]").set_input_files(str(source))
    page.get_by_label("English → 中文").check()
    # every status the tab shows, as it shows them: the background job's, then done
    page.evaluate("""() => { window.shown = []; const box = document.querySelector('#document-status');
        new MutationObserver(() => window.shown.push(box.innerText)).observe(box, {subtree: true, childList: true,
        characterData: true}); }""")
    page.locator("#document-btn").click()
    page.locator("#document-status").get_by_text("完成 Done").wait_for(timeout=120_000)
    shown = page.evaluate("window.shown")
    assert any("Queued" in s or "Translating" in s for s in shown), shown
    rows = page.locator("#document-view table tbody tr")
    assert rows.first.locator("td").nth(2).inner_text() == "天气很好。"
    with page.expect_download() as info:
        page.locator("#translated-file a").first.click()
    downloaded = tmp_path / info.value.suggested_filename
    info.value.save_as(downloaded)
    assert downloaded.name == "press-release.zh-Hans.docx"
    result = Document(str(downloaded))
    assert [p.text for p in result.paragraphs[:4]] == ["天气很好。", "代表团访问了重庆。谢谢。", "银行降低了利率。", "价格保持稳定。"]
    assert result.paragraphs[0].style.name == "Heading 1" and len(result.tables) == 1
    page.screenshot(path=str(OUTPUT / "web-document.png"), full_page=True)
    page.close()


def test_browser_highlights_the_sentences_to_check(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    open_page(page, app_url)
    page.locator("#article textarea").fill("天气很好。WTPF签署了12万份协议。")
    page.locator("#translate-btn").click()
    page.get_by_text("完成 Done").first.wait_for(timeout=60_000)
    assert page.locator("#side-by-side .to-check").inner_text().startswith("1 句需要检查 · 1 sentence to check")
    flagged = page.locator("#side-by-side .seg.flagged")
    assert flagged.count() == 1
    assert "12万" in flagged.get_attribute("title") and "WTPF" in flagged.get_attribute("title")
    flagged.hover()
    page.screenshot(path=str(OUTPUT / "web-flags.png"))
    page.close()


def test_browser_corrects_a_sentence_into_the_translation_memory(app_url, browser):
    """Edit a translated sentence, save it, and the next translation takes it from the memory, marked;
    a correction holding markup is shown as text. (Runs last here: it leaves the sentence in the memory.)"""
    page = browser.new_page(viewport={"width": 1300, "height": 1400})
    open_page(page, app_url)
    page.locator("#article textarea").fill("游客喜欢这里的美食。谢谢。")
    page.locator("#translate-btn").click()
    page.get_by_text("完成 Done").first.wait_for(timeout=60_000)
    assert page.locator("#side-by-side .seg.memory").count() == 0
    page.get_by_text("修改译文 Correct a sentence").click()
    page.locator("#correction-sentence input").click()
    page.get_by_role("option", name="1.1 游客喜欢这里的美食。").click()
    box = page.locator("#correction-text textarea")
    page.wait_for_function("() => document.querySelector('#correction-text textarea').value !== ''")
    assert box.input_value() == "Tourists like the food here."
    box.fill("Visitors <b>love</b> the local food.")
    page.locator("#save-correction").click()
    page.locator("#correction-status").get_by_text("Saved to the translation memory").wait_for(timeout=30_000)
    page.locator("#translate-btn").click()
    page.locator("#side-by-side .seg.memory").wait_for(timeout=60_000)
    remembered = page.locator("#side-by-side .seg.memory")
    assert remembered.count() == 1
    assert remembered.inner_text().startswith("Visitors <b>love</b> the local food.")  # text, not markup
    assert page.locator("#side-by-side .seg.memory b").count() == 0
    row = page.locator("#side-by-side tbody tr").nth(0).locator("td").nth(2)
    assert "Thank you." in row.inner_text()  # the other sentence still from the model
    page.screenshot(path=str(OUTPUT / "web-memory.png"), full_page=True)
    page.close()
