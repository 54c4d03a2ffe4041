"""What a newcomer met in their first hour, each fixed and kept fixed (a fake backend: no model needed)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from tests.fakes import fake_translator
from tests.live_server import fn_index, live_server, request, run_event


def _completed(messages: list[dict]) -> dict:
    done = [m for m in messages if m.get("msg") == "process_completed"]
    assert done, messages
    return done[-1]


def _handlers(tmp_path, **settings):
    from bilingual import Summarizer
    from bilingual.ui.app import Handlers

    translator = fake_translator(tmp_path, model_summary_en="nobody/no-en", model_summary_zh="nobody/no-zh",
                                 **settings)
    return Handlers(translator, Summarizer(translator.settings, translator=translator))


def _quiet(*args, **kwargs) -> None:
    return None


def test_an_article_over_the_limit_is_refused_with_its_length_never_cut(tmp_path):
    """The page's text box cut a 298,932-character article at 200,000 and said "Done"."""
    with live_server(tmp_path / "home") as url:
        status, body = request(url + "/config")
        article = json.loads(body)["components"]
        box = next(c for c in article if c.get("props", {}).get("elem_id") == "article")
        assert box["props"].get("max_length") is None  # nothing is cut in the browser
        translate = fn_index(url, "translate_stream")
        text = "The weather is good. " * 12_000  # 252,000 characters
        status, messages = run_event(url, translate, [text, "自动 Auto", "", "latency_optimized"])
        shown = _completed(messages)["output"]["data"][0]
        assert status == 200 and "文本太长" in shown and "252,000 characters" in shown and "200,000" in shown


def test_a_direction_the_text_is_already_in_is_said(tmp_path):
    h = _handlers(tmp_path)
    status, text, view, files, _ = list(h.translate_stream("两江新区签署了合作协议。", "English → 中文", progress=_quiet))[-1]
    assert status.startswith("此文本已是中文") and "中文 → English" in status and (text, view, files) == ("", "", None)
    status, *_ = list(h.translate_stream("The weather is good.", "中文 → English", progress=_quiet))[-1]
    assert status.startswith("This text is already English") and "English → 中文" in status
    status, text, *_ = list(h.translate_stream("The weather is good.", "English → 中文", progress=_quiet))[-1]
    assert status.startswith("完成 Done") and text == "<The weather is good.>"


def test_summaries_select_their_tab_name_their_method_and_say_what_failed(tmp_path):
    h = _handlers(tmp_path)
    article = ("The council approved the harbour plan on Tuesday. The plan includes new housing for residents. "
               "Critics said the budget was too small. The work starts next year.")
    status, chinese, english, tabs = h.summarize_both(article, "短 Short", "自动 Auto")
    assert tabs.selected == "summaries"
    assert status.startswith("完成 Done") and "抽取 Extractive" in status  # no abstractive model: extractive, named
    assert english == "The council approved the harbour plan on Tuesday."
    assert chinese == "<The council approved the harbour plan on Tuesday.>"

    from bilingual import ModelNotAvailableError, Summarizer
    from bilingual.ui.app import Handlers

    def no_models(source, target, settings):
        raise ModelNotAvailableError("Model 'Helsinki-NLP/opus-mt-en-zh' is not on this machine.")

    from bilingual import Settings, Translator

    translator = Translator(Settings(home=str(tmp_path), cache=False, offline=True), backend_factory=no_models)
    h = Handlers(translator, Summarizer(translator.settings, translator=translator))
    status, chinese, english, tabs = h.summarize_both(article, "短 Short", "抽取 Extractive")
    assert status.startswith("部分完成 Partly done") and "中文摘要 The Chinese summary 未完成 not made" in status
    assert "模型不在本服务器上" in status and "opus-mt-en-zh" in status  # what failed, why, in both languages
    assert (chinese, english) == ("", "The council approved the harbour plan on Tuesday.") and tabs.selected


def test_the_landing_page_says_which_models_are_missing_and_how_to_get_them(tmp_path):
    h = _handlers(tmp_path, model_zh_en="Helsinki-NLP/opus-mt-zh-en", model_en_zh="Helsinki-NLP/opus-mt-en-zh",
                  offline=True)
    notice, button = h.model_notice()
    assert "翻译模型尚未下载" in notice and "opus-mt-zh-en" in notice
    assert "extractive summaries, language detection" in notice  # what still works
    assert "models--Helsinki-NLP--opus-mt-en-zh" in notice and "on a machine with network access" in notice
    assert button["visible"] is False  # offline: no download button
    online = _handlers(tmp_path, model_zh_en="Helsinki-NLP/opus-mt-zh-en", offline=False)
    notice, button = online.model_notice()
    assert button["visible"] is True and "Press the button below" in notice


def test_model_errors_say_what_to_do_elsewhere_not_to_run_the_same_command(tmp_path):
    from bilingual.config import Settings

    hint = Settings().model_ref("zh-en").fix_hint()
    assert hint.startswith("On a machine with network access, run `bilingual models download`")
    assert "copy the folder models--Helsinki-NLP--opus-mt-zh-en" in hint and "BILINGUAL_MODEL_ZH_EN" in hint


def test_rest_corrects_a_contradicted_source_or_refuses_it_when_strict(tmp_path):
    with live_server(tmp_path / "home", page=False) as url:
        def translate(body):
            status, answer = request(url + "/translate", json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
            return status, json.loads(answer)

        assert translate({"q": "两江新区签署了合作协议。", "source": "en", "target": "en"}) == (200, {
            "translatedText": "<两江新区签署了合作协议。>", "detectedLanguage": {"confidence": 100.0, "language": "zh-Hans"}})
        status, answer = translate({"q": ["两江新区签署了合作协议。", "The port is busy today."], "source": "en",
                                    "target": "zh"})
        assert answer["translatedText"] == ["两江新区签署了合作协议。", "<The port is busy today.>"]
        assert [d["language"] for d in answer["detectedLanguage"]] == ["zh-Hans", "en"]
        status, answer = translate({"q": "两江新区签署了合作协议。", "source": "en", "target": "zh",
                                    "strict_source": "true"})
        assert status == 400 and answer["error"].startswith("Invalid request: the text is Chinese, not English")
        assert translate({"q": "The port is busy today.", "source": "en", "target": "zh"}) == (
            200, {"translatedText": "<The port is busy today.>"})  # agreeing: as before, nothing added
        assert translate({"q": "   ", "source": "auto", "target": "zh"})[0] == 400
        status, answer = request(url + "/detect", json.dumps({"q": " \n "}).encode(),
                                 headers={"Content-Type": "application/json"})
        assert status == 400 and b"no text" in answer


def test_refused_page_api_calls_log_a_line_not_a_traceback(tmp_path, caplog, capsys):
    """A Japanese input through gradio_client logged a full traceback."""
    from gradio_client import Client

    with live_server(tmp_path / "home") as url, caplog.at_level(logging.INFO):
        client = Client(url, verbose=False)
        with pytest.raises(Exception, match="Japanese"):
            client.predict("日本語のテキストです。東京は晴れです。", "auto", api_name="/translate")
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out + caplog.text
    assert "translate request refused" in caplog.text


def test_the_cli_does_not_overwrite_an_output_without_force(tmp_path, monkeypatch):
    from bilingual import documents
    from bilingual.cli import main as cli_main

    source = tmp_path / "note.md"
    source.write_text("The weather is good.\n")
    out = tmp_path / "note.zh.md"
    out.write_text("keep me")
    monkeypatch.setattr(documents, "translate_content", lambda *a, **k: b"translated\n")
    err = io.StringIO()
    assert cli_main(["translate", str(source), "-o", str(out), "--to", "zh"], stdout=io.StringIO(), stderr=err) == 1
    assert "exists" in err.getvalue() and "--force" in err.getvalue() and out.read_text() == "keep me"
    assert cli_main(["translate", str(source), "-o", str(out), "--to", "zh", "--force"], stdout=io.StringIO(),
                    stderr=io.StringIO()) == 0
    assert out.read_text() == "translated\n"


def test_an_empty_text_record_is_an_error_not_done(tmp_path):
    from bilingual.corpus import translate_corpus

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"text": ""}\n{"text": "  "}\n{"text": "Hi there."}\n')
    report = translate_corpus(fake_translator(tmp_path), source, output, target="zh")
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r.get("error") for r in records[:2]] == ["The text in field 'text' is empty."] * 2
    assert (report.done, report.failed) == (1, 2)
