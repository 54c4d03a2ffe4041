"""Traditional Chinese: detected and translated as Chinese, written on request (OpenCC), converted without a model."""

from __future__ import annotations

import io

import pytest

from bilingual import Settings, Summarizer, Translator, UnsupportedLanguageError
from bilingual.cli import main as cli_main
from bilingual.languages import Target, parse_target
from bilingual.text.chinese import chinese_script, convert, rewrite
from tests.fakes import fake_translator
from tests.fixtures.corpus import PAIRS


@pytest.mark.parametrize(
    ("code", "target"),
    [("zh", Target("zh")), ("zh-CN", Target("zh", "Hans")), ("zh_Hans", Target("zh", "Hans")),
     ("zh-Hant", Target("zh", "Hant")), ("zht", Target("zh", "Hant")), ("Traditional Chinese", Target("zh", "Hant")),
     ("繁體中文", Target("zh", "Hant")), ("zh-TW", Target("zh", "Hant-TW")), ("zh-HK", Target("zh", "Hant-HK")),
     ("EN-us", Target("en"))],
)
def test_targets(code, target):
    assert parse_target(code) == target


def test_unknown_target():
    with pytest.raises(UnsupportedLanguageError, match="zh-Hant"):
        parse_target("klingon")


def test_script_detection_and_taiwan_vocabulary():
    assert chinese_script("兩江新區簽署了合作協議。") == "Hant"
    assert chinese_script("两江新区签署了合作协议。") == "Hans"
    assert chinese_script("我哋今日去咗飲茶，好開心。") == "Hant"
    assert chinese_script("The weather 好") == "Hans"
    assert convert("鼠标、软件和视频", "Hant-TW") == "滑鼠、軟體和影片"  # Taiwan phrasing
    assert convert("鼠标、软件和视频", "Hant") == "鼠標、軟件和視頻"  # characters only
    assert convert("兩江新區", "Hans") == "两江新区"
    assert rewrite("兩江新區", "Hant") == "兩江新區"
    assert convert("\ud800天气", "Hant") == "?天氣"  # a lone surrogate does not break OpenCC


def _no_model(source, target, settings):
    raise AssertionError("no model may be used to convert between the scripts")


def test_conversion_between_scripts_uses_no_model(tmp_path):
    translator = Translator(Settings(home=str(tmp_path), cache=False), backend_factory=_no_model)
    doc = translator.translate_document("两江新区签署了合作协议。\n\n鼠标和软件", "zh-TW")
    assert doc.text == "兩江新區簽署了合作協議。\n\n滑鼠和軟體"
    assert (doc.source_script, doc.target_script, doc.model) == ("Hans", "Hant-TW", "")
    assert translator.translate("兩江新區簽署了合作協議。", "zh-Hans") == "两江新区签署了合作协议。"
    assert translator.translate("兩江新區簽署了合作協議。", "zh") == "兩江新區簽署了合作協議。"  # no script asked
    assert translator.translate("兩江新區簽署了合作協議。", "zh-Hant") == "兩江新區簽署了合作協議。"


def test_traditional_source_reaches_the_model_as_simplified(tmp_path):
    record: list = []
    translator = fake_translator(tmp_path, record=record)
    doc = translator.translate_document("兩江新區簽署了合作協議。")
    assert record[0].batches == [["两江新区签署了合作协议。"]]
    assert doc.paragraphs[0][0].source == "兩江新區簽署了合作協議。"  # the article's own text is kept
    assert doc.source_script == "Hant" and doc.target_language == "en"


def test_exact_traditional_output_for_every_trained_sentence(tiny_translator):
    english = [en for _, en in PAIRS]
    simplified = [zh for zh, _ in PAIRS]
    assert tiny_translator.translate(english, "zh-Hant") == [convert(s, "Hant") for s in simplified]
    assert tiny_translator.translate(english, "zh-TW") == [convert(s, "Hant-TW") for s in simplified]
    assert tiny_translator.translate("The weather is good. Thank you.", "zh-HK") == "天氣很好。謝謝。"
    doc = tiny_translator.translate_document("The weather is good.", "zh-TW")
    assert doc.paragraphs[0][0].target == "天氣很好。" and doc.target_script == "Hant-TW"


def test_traditional_article_translated_exactly(tiny_translator):
    traditional = convert("两江新区签署了合作协议。代表团访问了重庆。", "Hant")
    assert traditional == "兩江新區簽署了合作協議。代表團訪問了重慶。"
    assert tiny_translator.translate(traditional) == (
        "Liangjiang New Area signed a cooperation agreement. The delegation visited Chongqing."
    )


def test_traditional_article_gets_a_traditional_summary(tiny_translator):
    summarizer = Summarizer(tiny_translator.settings, translator=tiny_translator)
    simplified = "".join(zh for zh, _ in PAIRS[:5])
    article = convert(simplified, "Hant")
    summary = summarizer.summarize(article, method="extractive", num_sentences=2)
    assert summary == convert(summarizer.summarize(simplified, method="extractive", num_sentences=2), "Hant")
    assert chinese_script(summary) == "Hant"
    english = " ".join(en for _, en in PAIRS[:4])
    assert summarizer.summarize(english, language="zh-TW", method="extractive", num_sentences=1) == convert(
        PAIRS[0][0], "Hant-TW"
    )
    assert summarizer.summarize(article, language="zh-Hans", method="extractive", num_sentences=1) == PAIRS[0][0]


def test_cli_to_taiwan(tiny_translator, monkeypatch):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", tiny_translator.settings.model_zh_en)
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", tiny_translator.settings.model_en_zh)
    monkeypatch.setenv("BILINGUAL_BACKEND", "transformers")
    out = io.StringIO()
    assert cli_main(["translate", "--to", "zh-TW"], stdin=io.StringIO("Thank you."), stdout=out) == 0
    assert out.getvalue() == "謝謝。\n"
