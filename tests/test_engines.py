"""Engines: which one a model folder needs, how it is told the languages, its license; and a tiny
M2M100-architecture model translating articles exactly through both runtimes."""

from __future__ import annotations

import json
import logging

import pytest

from bilingual import Settings, Translator
from bilingual.errors import ConfigError, ModelNotAvailableError
from bilingual.translation.backends.engines import (
    LanguageCodes,
    announce_license,
    architecture,
    language_codes,
    model_license,
)
from tests.fixtures.articles import EN_ARTICLE, EN_OF_ZH_ARTICLE, ZH_ARTICLE, ZH_OF_EN_ARTICLE


def _model(tmp_path, config: dict, files: dict[str, str] | None = None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.json").write_text(json.dumps(config))
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("config, files, engine", [
    ({"model_type": "marian"}, {}, "marian"),
    ({"model_type": "m2m_100"}, {}, "m2m_100"),
    ({"model_type": "m2m_100"}, {"special_tokens_map.json": '{"additional_special_tokens": ["zho_Hans"]}'}, "nllb"),
    ({"model_type": "t5"}, {}, "t5"),
    ({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"]}, {}, "causal"),
    ({"model_type": "llama", "architectures": ["LlamaForCausalLM"]}, {}, "causal"),
])
def test_the_engine_is_read_from_the_models_config(tmp_path, config, files, engine):
    assert architecture(_model(tmp_path, config, files)) == engine


def test_a_model_that_cannot_translate_is_named_with_what_would(tmp_path):
    with pytest.raises(ModelNotAvailableError, match="'bert' model, which cannot translate") as caught:
        architecture(_model(tmp_path, {"model_type": "bert", "architectures": ["BertModel"]}))
    assert str(tmp_path) not in str(caught.value)  # no server path in the message


def test_each_engine_gets_its_language_codes_and_a_missing_one_is_refused():
    marian = {">>cmn_Hans<<": 5, "▁a": 6}
    assert language_codes("marian", marian, "en", "zh") == LanguageCodes(source_prefix=">>cmn_Hans<<")
    assert language_codes("marian", {"▁a": 1}, "zh", "en") == LanguageCodes()
    m2m = {"__zh__": 1, "__en__": 2}
    assert language_codes("m2m_100", m2m, "en", "zh") == LanguageCodes(source_lang="en", target_token="__zh__")
    nllb = {"zho_Hans": 1, "eng_Latn": 2}
    assert language_codes("nllb", nllb, "zh", "en") == LanguageCodes(source_lang="zho_Hans", target_token="eng_Latn")
    assert language_codes("t5", {"<2zh>": 1, "<2en>": 2}, "en", "zh") == LanguageCodes(source_prefix="<2zh>")
    with pytest.raises(ModelNotAvailableError, match="no language token '__zh__'"):
        language_codes("m2m_100", {"__en__": 1}, "en", "zh")


def test_the_license_comes_from_the_model_card_or_the_family(tmp_path, caplog):
    card = "---\nlanguage: [zh, en]\nlicense: cc-by-nc-4.0\n---\n# A model\nlicense: mit\n"
    assert model_license(_model(tmp_path / "a", {}, {"README.md": card}), "x/y") == "cc-by-nc-4.0"
    assert model_license(None, "facebook/nllb-200-distilled-600M").startswith("CC-BY-NC-4.0")
    assert model_license(None, "facebook/m2m100_418M") == "MIT"
    assert model_license(None, "google/madlad400-3b-mt") == "Apache-2.0"
    assert model_license(None, "someone/private-model") is None
    with caplog.at_level(logging.INFO):
        announce_license("facebook/nllb-200-distilled-600M", "cc-by-nc-4.0")
        announce_license("facebook/m2m100_418M", "MIT")
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "nllb" in warned[0].getMessage() and "cc-by-nc-4.0" in warned[0].getMessage()


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_multilingual_m2m100_model_translates_articles_exactly_both_ways(tiny_m2m100, tmp_path, backend):
    settings = Settings(model_zh_en=str(tiny_m2m100), model_en_zh=str(tiny_m2m100), offline=True,
                        backend=backend, home=str(tmp_path), cache=False)
    translator = Translator(settings)
    assert translator.translate(ZH_ARTICLE, "en") == EN_OF_ZH_ARTICLE
    assert translator.translate(EN_ARTICLE, "zh") == ZH_OF_EN_ARTICLE
    assert translator.translate(EN_ARTICLE, "zh-TW") == "代表團訪問了重慶。雙方將加強貿易合作。\n\n銀行降低了利率。價格保持穩定。\n\n謝謝。"
    zh_en = translator.backend("zh", "en")
    assert (zh_en.engine, zh_en.codes.target_token, zh_en.license) == ("m2m_100", "__en__", "MIT")
    # a beam may repeat the language token: it is never part of a translation
    assert all("__" not in a for a in translator.alternatives("出口增长了百分之五。", 2, "en"))
    if backend == "ctranslate2":
        assert zh_en._decode(["__en__", "__en__", "▁Th", "an", "k"]) == "Thank"


def test_an_engine_setting_that_does_not_match_the_model_is_refused(tiny_m2m100, tmp_path):
    settings = Settings(model_zh_en=str(tiny_m2m100), offline=True, engine="marian", home=str(tmp_path))
    with pytest.raises(ConfigError, match="is a m2m_100 model, but the engine setting asks for marian"):
        Translator(settings).translate("谢谢。", "en")
