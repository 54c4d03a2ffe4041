"""The REST API's parts without a model: HTML units, the file store, settings, logins, redaction."""

from __future__ import annotations

import os
import time

import pytest

from bilingual import BilingualError
from bilingual.config import ServiceSettings
from bilingual.documents.html import translate_html
from bilingual.errors import redact
from bilingual.server import read_auth
from bilingual.service.filestore import FileStore, download_name
from bilingual.text.detect import detect_language
from tests.fakes import plain_documents


def _tagging(texts, source, spans=None):
    return plain_documents(f"[{source}:{t}]" for t in texts)


def _html(markup, source=None):
    return translate_html(markup, _tagging, source=source, lang_code=lambda src: f"to-{src}")


def test_a_sentence_across_inline_tags_is_one_unit():
    # the sentence holds a link: it is written inside it, so the link keeps its target on the translated words
    assert _html("<p>The <b>weather</b> is <a href='x'>good</a>.</p>", "en") == (
        '<p><b></b><a href="x">[en:The weather is good.]</a></p>'
    )
    assert _html("<p>The <b>weather</b> is good.</p>", "en") == "<p>[en:The weather is good.]<b></b></p>"


def test_blocks_and_line_breaks_are_separate_units():
    assert _html("<div>One.<p>Two.</p>Three.<br>Four.</div>", "en") == (
        "<div>[en:One.]<p>[en:Two.]</p>[en:Three.]<br/>[en:Four.]</div>"
    )


def test_untouched_elements_and_attributes():
    markup = (
        "<p>Run <code>ls -la</code> now.</p><script>var a = 'Hello there';</script><style>p {}</style>"
        "<pre>Keep this.</pre><span translate='no'>Brand Name</span><span class='x notranslate'>Acme Ltd</span>"
        "<img src='a.png' alt='A harbour' title='The port'><!-- a comment stays -->"
    )
    assert _html(markup, "en") == (
        "<p>[en:Run] <code>ls -la</code> [en:now.]</p><script>var a = 'Hello there';</script><style>p {}</style>"
        '<pre>Keep this.</pre><span translate="no">Brand Name</span><span class="x notranslate">Acme Ltd</span>'
        '<img alt="[en:A harbour]" src="a.png" title="[en:The port]"/><!-- a comment stays -->'
    )


def test_whitespace_numbers_and_lang():
    markup = "<html><body>\n  <p>\n   Hello\n   world.  </p><td>2023</td><p>https://example.com</p></body></html>"
    # (the parser folds whitespace-only text between tags to one newline; HTML renders both alike)
    assert _html(markup) == (
        '<html lang="to-en"><body>\n<p>\n   [en:Hello world.]  </p><td>2023</td>'
        "<p>https://example.com</p></body></html>"
    )


def test_broken_markup_is_parsed_leniently():
    assert _html("<p>Hello <b>world.<p>Again.", "en") == "<p>[en:Hello world.]<b><p>[en:Again.]</p></b></p>"


def test_nothing_to_translate_leaves_markup_alone():
    markup = "<html><body><p>2023</p><code>x</code></body></html>"
    assert _html(markup) == markup


def test_file_store_names_modes_and_retention(tmp_path):
    old = tmp_path / "files"
    old.mkdir()
    (old / "left-from-before.txt").write_text("x")
    store = FileStore(old, retention=3600)
    assert not (old / "left-from-before.txt").exists()  # cleared at start-up
    assert os.stat(old).st_mode & 0o777 == 0o700
    name = store.put(b"hello", download_name("My Report (final).TXT", "en"))
    token, rest = name.split(".", 1)
    assert len(token) == 32 and rest == "My_Report_final.en.txt"
    path = store.get(name)
    assert path and path.read_bytes() == b"hello" and os.stat(path).st_mode & 0o777 == 0o600
    for bad in ("../" + name, name + "/", "x" * 32, "", name.replace(token, "A" * 32), "/etc/passwd"):
        assert store.get(bad) is None
    past = time.time() - 7200
    os.utime(path, (past, past))
    assert store.get(name) is None and not path.exists()  # expired files are deleted


def test_service_settings_from_env():
    s = ServiceSettings.from_env({}, max_input_chars=1000)
    assert (s.host, s.port, s.workers, s.req_limit, s.char_limit, s.require_api_key) == (
        "127.0.0.1", 7860, 16, 0, 1000, False)
    public = ServiceSettings.from_env({"GRADIO_SERVER_NAME": "0.0.0.0"})
    assert public.req_limit == 60 and not public.loopback  # limited by default off loopback
    s = ServiceSettings.from_env({"BILINGUAL_REQUIRE_API_KEY": "1", "BILINGUAL_REQ_LIMIT": "0",
                                  "BILINGUAL_CORS_ORIGINS": "https://a.example, *", "BILINGUAL_FILE_LIMIT_MB": "3"})
    assert s.require_api_key and s.req_limit == 0 and s.cors_origins == ("https://a.example", "*")
    assert s.file_limit_bytes == 3 * 1024 * 1024
    with pytest.raises(ValueError, match="BILINGUAL_WORKERS must be a whole number"):
        ServiceSettings.from_env({"BILINGUAL_WORKERS": "two"})
    with pytest.raises(ValueError, match="at least 1"):
        ServiceSettings.from_env({"BILINGUAL_BATCH_LIMIT": "0"})


@pytest.mark.parametrize("value", [",", " , ", "# nobody"])
def test_login_settings_without_a_login_refuse_to_start(value):
    with pytest.raises(BilingualError, match="holds no login"):
        read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH": value}))


def test_empty_auth_file_refuses_to_start(tmp_path, caplog):
    logins = tmp_path / "logins"
    logins.write_text("# only a comment\n\n")
    with pytest.raises(BilingualError, match="holds no login"):
        read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH_FILE": str(logins)}))
    logins.write_text("ann:pw\n")
    logins.chmod(0o644)
    assert read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH_FILE": str(logins)})) == [("ann", "pw")]
    assert "readable by other users" in caplog.text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("No model at /srv: fix it", "No model at <local path>: fix it"),
        ("cannot open '/home/ann/my models/x'", "cannot open '<local path>'"),
        ("missing /opt/m/model.safetensors.", "missing <local path>."),
        ("see C:\\Users\\ann\\model", "see <local path>"),
        ("see https://huggingface.co/Helsinki-NLP/opus-mt-zh-en", "see https://huggingface.co/Helsinki-NLP/opus-mt-zh-en"),
        ("use Helsinki-NLP/opus-mt-zh-en or 1/2 of it", "use Helsinki-NLP/opus-mt-zh-en or 1/2 of it"),
    ],
)
def test_redact(message, expected):
    assert redact(message) == expected


def test_detect_with_confidence():
    assert detect_language("两江新区签署了合作协议。") == "zh"
    language, confidence = detect_language("两江新区与WTPF签署了合作协议。", with_confidence=True)
    assert language == "zh" and 0.5 < confidence < 1
    assert detect_language("两江新区签署了合作协议。", with_confidence=True) == ("zh", 1.0)
    language, confidence = detect_language("The weather is good and the port is busy.", with_confidence=True)
    assert language == "en" and 0.5 < confidence <= 1.0


def test_page_says_the_server_is_busy(tmp_path):
    """The page's buttons and API take their slot from the same limit, and say so when it is full."""
    import gradio as gr

    from bilingual import Summarizer
    from bilingual.service.work import WorkLimit
    from bilingual.ui.app import Handlers
    from tests.fakes import fake_translator, slot_held

    translator = fake_translator(tmp_path)
    settings = translator.settings
    work = WorkLimit(1, 0)
    handlers = Handlers(translator, Summarizer(settings, translator=translator), work)
    with slot_held(work):
        status, *_ = list(handlers.translate_stream("The weather is good.", "自动 Auto", progress=lambda *a, **k: None))[-1]
        assert "busy" in status and "繁忙" in status
        status, *_ = handlers.summarize_both("The weather is good. The port is busy.", "中 Medium", "自动 Auto")
        assert "busy" in status
        with pytest.raises(gr.Error, match="busy"):
            handlers.api_translate("The weather is good.", "zh")

    status, text, *_ = list(handlers.translate_stream("The weather is good.", "自动 Auto",
                                                      progress=lambda *a, **k: None))[-1]
    assert status.startswith("完成 Done") and text == "<The weather is good.>"
    assert work.running == 0


def test_detect_event_judges_a_bounded_prefix(tmp_path):
    from bilingual import Summarizer
    from bilingual.ui.app import Handlers
    from tests.fakes import fake_translator

    translator = fake_translator(tmp_path)
    handlers = Handlers(translator, Summarizer(translator.settings, translator=translator))
    start = time.perf_counter()
    assert "中文" in handlers.detect("天气很好。" * 1_000_000)  # 5 million characters
    assert time.perf_counter() - start < 0.5


def test_summaries_show_what_can_be_computed_without_a_translation_model(tmp_path):
    from bilingual import ModelNotAvailableError, Settings, Summarizer, Translator
    from bilingual.ui.app import Handlers

    def no_models(source, target, settings):
        raise ModelNotAvailableError("Model 'Helsinki-NLP/opus-mt-en-zh' is not on this machine. Run it.")

    settings = Settings(home=str(tmp_path), cache=False, offline=True)
    translator = Translator(settings, backend_factory=no_models)
    handlers = Handlers(translator, Summarizer(settings, translator=translator))
    article = ("The council approved the harbour plan on Tuesday. The plan includes new housing for residents. "
               "Critics said the budget was too small. The work starts next year.")
    status, chinese, english, _ = handlers.summarize_both(article, "短 Short", "抽取 Extractive")
    assert english == "The council approved the harbour plan on Tuesday."
    assert chinese == ""
    assert status.startswith("部分完成 Partly done (方法 method: 抽取 Extractive")
    assert "未完成 not made: 模型不在本服务器上。 Model 'Helsinki-NLP/opus-mt-en-zh'" in status


def test_file_store_keeps_plain_names_in_private_folders(tmp_path):
    store = FileStore(tmp_path / "exports", retention=3600)
    path = store.put_named(b"hello", "release.zh-Hans.docx")
    assert path.name == "release.zh-Hans.docx" and path.read_bytes() == b"hello"
    assert len(path.parent.name) == 32 and path.parent.parent == store.folder
    assert os.stat(path.parent).st_mode & 0o777 == 0o700 and os.stat(path).st_mode & 0o777 == 0o600
    past = time.time() - 7200
    os.utime(path.parent, (past, past))
    assert store.purge() == 1 and not path.parent.exists()
