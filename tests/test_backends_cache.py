"""The CTranslate2 backend against the transformers reference, and the persistent translation cache."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bilingual import BackendNotAvailableError, Settings, Translator
from bilingual.cache import TranslationCache
from bilingual.translation.translator import backend_name
from tests.fakes import fake_factory, fake_translator
from tests.fixtures.articles import EN_ARTICLE, EN_OF_ZH_ARTICLE, ZH_ARTICLE, ZH_OF_EN_ARTICLE
from tests.fixtures.corpus import PAIRS

ARTICLES = [ZH_ARTICLE, EN_ARTICLE, "\n\n".join(zh for zh, _ in PAIRS), " ".join(en for _, en in PAIRS)]


@pytest.mark.parametrize("article", ARTICLES)
def test_both_backends_translate_alike(article, tiny_translator, tiny_translator_ct2):
    assert tiny_translator_ct2.translate(article) == tiny_translator.translate(article)


def test_ctranslate2_exact_articles_and_marian_details(tiny_translator_ct2):
    assert tiny_translator_ct2.translate(ZH_ARTICLE) == EN_OF_ZH_ARTICLE
    assert tiny_translator_ct2.translate(EN_ARTICLE) == ZH_OF_EN_ARTICLE
    backend = tiny_translator_ct2.backend("en", "zh")
    assert backend.quantization == "int8"
    tokens = backend.text.encode(["Thank you."], backend.codes.source_prefix)[0]
    assert tokens[0] == ">>cmn_Hans<<" and tokens[-1] == "</s>"
    assert tiny_translator_ct2.backend("zh", "en").codes.source_prefix is None


def test_converted_model_is_kept_and_reused(tiny_settings, tiny_translator_ct2):
    tiny_translator_ct2.translate("天气很好。")
    converted = list(Path(tiny_settings.home, "ct2").glob("*tiny-zh-en@*/int8-vmap/model.bin"))
    assert len(converted) == 1
    vmap = (converted[0].parent / "vmap.txt").read_text(encoding="utf-8")  # the output layer: target pieces only
    assert vmap.startswith("\t") and "谢" not in vmap and tiny_translator_ct2.backend("zh", "en").use_vmap
    stamp = converted[0].stat().st_mtime_ns
    again = Translator(tiny_settings, backend="ctranslate2")
    assert again.translate("天气很好。") == "The weather is good."
    assert converted[0].stat().st_mtime_ns == stamp


def test_backend_choice():
    assert backend_name("auto") == "ctranslate2"  # installed with the package
    assert backend_name("transformers") == "transformers"
    with pytest.raises(BackendNotAvailableError, match="Unknown backend 'onnx'"):
        Translator(Settings(backend="onnx"))


# -- the cache -------------------------------------------------------------------------------


def cached(tmp_path, record, **options):
    return fake_translator(tmp_path, record=record, backend_options=options, cache=True)


def test_second_translation_comes_from_the_cache(tmp_path):
    record: list = []
    t = cached(tmp_path, record)
    first = t.translate("One. Two.\n\nThree.")
    assert sum(len(b) for b in record[0].batches) == 3
    again = cached(tmp_path, record)  # a new translator (or process) reads the same file
    assert again.translate("One. Two.\n\nThree. Four.") == first + "<Four.>"  # Chinese output: no space
    assert record[1].batches == [["Four."]]
    assert len(again.cache) == 4


def test_cache_is_keyed_by_model_and_settings(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite3")
    cache.put_many("model-a|beam=4", [("Hello.", "你好。")])
    assert cache.get_many("model-a|beam=4", ["Hello."]) == {"Hello.": "你好。"}
    assert cache.get_many("model-a|beam=1", ["Hello."]) == {}
    assert cache.get_many("model-b|beam=4", ["Hello."]) == {}


def test_cache_is_bounded(tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite3", max_entries=10)
    for i in range(30):
        cache.put_many("ns", [(f"s{i}", f"t{i}")])
    assert len(cache) <= 10
    assert cache.get_many("ns", ["s29"]) == {"s29": "t29"}
    assert cache.get_many("ns", ["s0"]) == {}


def test_cache_can_be_switched_off(tmp_path):
    assert Settings.from_env({"BILINGUAL_CACHE": "0", "BILINGUAL_HOME": str(tmp_path)}).cache is False
    assert Translator(Settings(home=str(tmp_path), cache=False), backend_factory=fake_factory([])).cache is None


def test_corrupt_cache_file_falls_back_with_a_warning(tmp_path, caplog):
    (tmp_path / "translations.sqlite3").write_bytes(b"this is not a database" * 100)
    record: list = []
    with caplog.at_level(logging.WARNING, logger="bilingual.cache"):
        assert cached(tmp_path, record).translate("One.") == "<One.>"
    assert "translation cache" in caplog.text and "disabled" in caplog.text


def test_read_only_cache_falls_back(tmp_path, caplog):
    record: list = []
    t = cached(tmp_path, record)
    t.translate("One.")
    t.cache._connection().execute("PRAGMA query_only = ON")  # writes now fail as on a read-only file
    with caplog.at_level(logging.WARNING, logger="bilingual.cache"):
        assert t.translate("Two.") == "<Two.>"
    assert "readonly" in caplog.text or "read-only" in caplog.text
    assert t.cache.enabled is False
    assert t.translate("One. Two.") == "<One.><Two.>"  # translation goes on without the cache


def test_locked_cache_falls_back(tmp_path, caplog):
    db = tmp_path / "translations.sqlite3"
    TranslationCache(db).put_many("x", [("a", "b")])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        record: list = []
        t = Translator(Settings(home=str(tmp_path), cache=True), backend_factory=fake_factory(record))
        t.cache.timeout = 0.2
        with caplog.at_level(logging.WARNING, logger="bilingual.cache"):
            assert t.translate("One.") == "<One.>"
        assert "locked" in caplog.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_abandoned_request_leaves_only_whole_entries(tmp_path):
    record: list = []
    t = cached(tmp_path, record, fail_on_batch=1)
    t.settings = t.settings.__class__(**{**t.settings.__dict__, "batch_size": 1})
    with pytest.raises(ConnectionAbortedError):
        t.translate("Aaaa. Bb.")
    from bilingual.translation.translator import _decode_cached

    stored = t.cache.get_many("fake|fake-en-zh", ["Aaaa.", "Bb."])
    assert list(stored) == ["Aaaa."] and _decode_cached(stored["Aaaa."]) == ("<Aaaa.>", None, False)
    later = cached(tmp_path, [])
    assert later.translate("Aaaa. Bb.") == "<Aaaa.><Bb.>"


@pytest.mark.waits
def test_cache_is_safe_across_processes(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from bilingual.cache import TranslationCache
        cache = TranslationCache({str(tmp_path / 'shared.sqlite3')!r}, max_entries=100000)
        n = int(sys.argv[1])
        for i in range(200):
            cache.put_many("ns", [(f"{{n}}-{{i}}", f"t{{n}}-{{i}}")])
            assert cache.get_many("ns", [f"{{n}}-{{i}}"]) == {{f"{{n}}-{{i}}": f"t{{n}}-{{i}}"}}
        assert cache.enabled
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)]) for n in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert len(TranslationCache(tmp_path / "shared.sqlite3")) == 800


def test_compute_type_setting(tiny_settings, tmp_path):
    from bilingual import Settings, Translator

    translator = Translator(tiny_settings, backend="ctranslate2", compute_type="float32", home=str(tmp_path))
    assert translator.translate("天气很好。") == "The weather is good."
    backend = translator.backend("zh", "en")
    assert backend.quantization == "float32" and "|float32|" in backend.fingerprint
    assert list((tmp_path / "ct2").glob("*/float32-vmap/model.bin"))
    assert Settings.from_env({"BILINGUAL_COMPUTE_TYPE": "int8_float32"}).compute_type == "int8_float32"
    with pytest.raises(ValueError, match="compute_type must be one of"):
        Settings(compute_type="int4")


def test_scores_and_the_guard_are_kept_in_the_cache(tiny_settings, tmp_path):
    from bilingual import Translator
    from bilingual.translation.translator import _decode_cached, _encode_cached

    assert _decode_cached("plain text from an older cache") == ("plain text from an older cache", None, False)
    assert _decode_cached(_encode_cached("好。", -0.25, True)) == ("好。", -0.25, True)
    translator = Translator(tiny_settings, home=str(tmp_path), cache=True)
    first = translator.translate_document("天气很好。")
    again = Translator(tiny_settings, home=str(tmp_path), cache=True).translate_document("天气很好。")
    assert first.paragraphs == again.paragraphs and 0.9 < again.paragraphs[0][0].confidence <= 1.0


def test_both_backends_score_alike(tiny_translator, tiny_translator_ct2):
    """The model's confidence means the same on both backends (int8 CTranslate2 vs float transformers)."""
    sentences = ["The weather is good.", "Thank you.", "Nonsense words nobody trained."]
    plain = tiny_translator.backend("en", "zh").translate_scored(sentences)
    fast = tiny_translator_ct2.backend("en", "zh").translate_scored(sentences)
    for (text_a, score_a, _), (text_b, score_b, _) in zip(plain, fast):
        assert text_a == text_b and abs(score_a - score_b) < 0.05
    assert plain[0][1] > -0.1 > plain[2][1]  # a trained sentence is surer than nonsense
