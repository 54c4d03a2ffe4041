"""Summarization: extractive (pure, exact), abstractive map-reduce on a tiny trained model, cross-lingual."""

from __future__ import annotations

import io
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual import (
    InputTooLargeError,
    ModelNotAvailableError,
    Settings,
    Summarizer,
    UnsupportedLanguageError,
    split_sentences,
)
from bilingual.cli import main as cli_main
from bilingual.summarization.extractive import select
from tests.fixtures.corpus import FINAL_SUMMARY, PAIRS, SUMMARY_ARTICLE

EN_ARTICLE = """Harbour Report

The city council approved a plan on Tuesday to rebuild the old harbour district over the next ten years.
The plan includes new housing for twelve thousand residents, two schools and a riverside park.
Council members said the first homes would be ready by the end of next year.

Local shop owners welcomed the decision but asked for help during the construction work.
The council promised a support fund for small businesses in the district.
Photo: City Hall.
Critics said the budget was too small for a project of this size."""

ZH_ARTICLE = """港口新规划

市议会周二批准了一项计划，将在未来十年内重建老港口区。该计划包括为一万二千名居民建造新住房、两所学校和一座滨江公园。议员们表示，首批住房将在明年年底前完工。

当地店主欢迎这一决定，但希望在施工期间获得帮助。市议会承诺为该区的小企业设立扶持基金。批评者认为，对于如此规模的项目来说，预算太少。"""


def offline_summarizer(**overrides) -> Summarizer:
    base = Settings(model_summary_en="nobody/no-en-summarizer", model_summary_zh="nobody/no-zh-summarizer", offline=True)
    return Summarizer(base, **overrides)


def test_extractive_english_takes_the_lead_and_skips_headline_and_captions():
    s = offline_summarizer()
    assert s.summarize(EN_ARTICLE, method="extractive", num_sentences=2) == (
        "The city council approved a plan on Tuesday to rebuild the old harbour district over the next ten years. "
        "The plan includes new housing for twelve thousand residents, two schools and a riverside park."
    )


def test_extractive_chinese():
    s = offline_summarizer()
    assert s.summarize(ZH_ARTICLE, method="extractive", num_sentences=2) == (
        "市议会周二批准了一项计划，将在未来十年内重建老港口区。该计划包括为一万二千名居民建造新住房、两所学校和一座滨江公园。"
    )


def test_extractive_never_repeats_a_sentence():
    repeated = "The council approved the harbour plan on Tuesday after a long debate. " * 3 + (
        "Residents will be able to comment on the detailed designs until the end of March."
    )
    out = offline_summarizer().summarize(repeated, method="extractive", num_sentences=2)
    assert out == (
        "The council approved the harbour plan on Tuesday after a long debate. "
        "Residents will be able to comment on the detailed designs until the end of March."
    )


def test_default_length_adapts_to_the_article():
    s = offline_summarizer()
    with pytest.warns(UserWarning, match="extractive"):
        out = s.summarize(EN_ARTICLE)
    assert len(split_sentences(out)) == 3  # 9 sentences -> 3


def test_short_inputs_come_back_whole():
    s = offline_summarizer()
    assert s.summarize("") == ""
    assert s.summarize("   ") == ""
    one = "The council approved the plan on Tuesday."
    assert s.summarize(one, method="extractive") == one
    two = "The council approved the plan. Work starts soon."
    assert s.summarize(two, method="extractive", num_sentences=5) == two


def test_bad_input():
    s = offline_summarizer(max_input_chars=50)
    with pytest.raises(InputTooLargeError):
        s.summarize("A long article. " * 10)
    with pytest.raises(UnsupportedLanguageError):
        s.summarize("서울은 한국의 수도입니다. 날씨가 좋습니다.")
    with pytest.raises(UnsupportedLanguageError):
        s.summarize("Short text.", language="fr")
    with pytest.raises(ValueError, match="method"):
        s.summarize("Short text.", method="magic")
    with pytest.raises(ValueError, match="num_sentences"):
        s.summarize("Short text.", num_sentences=0)
    with pytest.raises(TypeError):
        s.summarize(None)  # type: ignore[arg-type]


sentences = st.lists(
    st.sampled_from([zh for zh, _ in PAIRS] + [en for _, en in PAIRS[:5]]), min_size=1, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(sentences, st.integers(1, 6))
def test_selection_is_whole_sentences_in_order_without_repeats(pieces, count):
    picked = select(pieces, count, "zh")
    assert picked == sorted(set(picked))
    assert len(picked) == min(count, len(pieces)) or len({pieces[i] for i in picked}) == len(picked)
    assert all(0 <= i < len(pieces) for i in picked)


def test_automatic_method_falls_back_to_extractive_with_a_warning():
    s = offline_summarizer()
    with pytest.warns(UserWarning, match="nobody/no-en-summarizer") as warned:
        out = s.summarize(EN_ARTICLE, num_sentences=1)
    assert out.startswith("The city council approved a plan")
    assert "bilingual models download --all" in str(warned[0].message)


def test_explicit_abstractive_without_a_model_says_how_to_get_it():
    with pytest.raises(ModelNotAvailableError, match="bilingual models download"):
        offline_summarizer().summarize(EN_ARTICLE, method="abstractive")


def abstractive(tiny_summarizer_model, **kw) -> Summarizer:
    return Summarizer(Settings(model_summary_en=str(tiny_summarizer_model), offline=True), **kw)


def test_abstractive_map_reduce_over_an_article_longer_than_the_model_input(tiny_summarizer_model, caplog):
    s = abstractive(tiny_summarizer_model)
    model = s._model("en")
    assert model.count_tokens([SUMMARY_ARTICLE])[0] > model.budget  # must be chunked
    with caplog.at_level(logging.DEBUG, logger="bilingual.summarization.abstractive"):
        assert s.summarize(SUMMARY_ARTICLE) == FINAL_SUMMARY  # automatic: the model is present
    assert "summarizing 4 chunks" in caplog.text


def test_abstractive_length_limit(tiny_summarizer_model):
    s = abstractive(tiny_summarizer_model)
    out = s.summarize(SUMMARY_ARTICLE, method="abstractive", max_length=3)
    tokenizer = s._model("en").tokenizer
    assert 0 < len(tokenizer(out, add_special_tokens=False)["input_ids"]) <= 3


def test_cross_lingual_summaries_through_the_tiny_translators(tiny_translator, tiny_summarizer_model):
    zh_article = "".join(zh for zh, _ in PAIRS[:3]) + "\n\n" + "".join(zh for zh, _ in PAIRS[3:5])
    s = Summarizer(tiny_translator.settings, translator=tiny_translator)
    # Sentence 3 shares 合作 with the lead, so it is more central than sentence 2.
    assert s.summarize(zh_article, language="en", method="extractive", num_sentences=2) == (
        f"{PAIRS[0][1]} {PAIRS[2][1]}"
    )
    en_article = " ".join(en for _, en in PAIRS[:4])
    assert s.summarize(en_article, language="zh-CN", method="extractive", num_sentences=1) == PAIRS[0][0]
    with_model = Summarizer(
        Settings(model_zh_en=tiny_translator.settings.model_zh_en, model_en_zh=tiny_translator.settings.model_en_zh,
                 model_summary_en=str(tiny_summarizer_model), offline=True),
        translator=tiny_translator,
    )
    # the abstractive English summary of an English article, then translated with the same translator
    assert with_model.summarize(SUMMARY_ARTICLE) == FINAL_SUMMARY
    assert with_model.summarize(SUMMARY_ARTICLE, language="zh") == tiny_translator.translate(FINAL_SUMMARY, "zh")


def test_cli_summarize(monkeypatch):
    monkeypatch.setenv("BILINGUAL_MODEL_SUMMARY_EN", "nobody/no-en-summarizer")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["summarize", "--sentences", "1"], stdin=io.StringIO(EN_ARTICLE), stdout=out, stderr=err)
    assert code == 0
    assert out.getvalue() == (
        "The city council approved a plan on Tuesday to rebuild the old harbour district over the next ten years.\n"
    )
    assert err.getvalue().startswith("bilingual: note: No abstractive en summarization model")


def test_extractive_memory_and_time_grow_linearly():
    """The probe's input: thousands of two-character sentences. A full n x n graph took 4.9 GB at 12,000."""
    import tracemalloc

    from bilingual.summarization.extractive import select
    from bilingual.summarization.words import content_words
    from tests.growth import assert_linear_time

    content_words("两江新区签署了合作协议。", "zh")  # load jieba's dictionary outside the measurement

    def sentences(n: int) -> list[str]:
        return [f"好{chr(0x4E00 + i % 5000)}。" for i in range(n)]

    def peak(n: int) -> int:  # of one traced run (tracing slows and varies, so the times are untraced)
        chosen = sentences(n)  # the input itself is not counted, as before
        tracemalloc.start()
        select(chosen, 3, "zh")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small_peak, large_peak = peak(500), peak(4_000)  # 8x; a full graph: 0.7 GB
    assert large_peak < 60 * 1024 * 1024
    assert large_peak / small_peak < 16  # linear: about 8x; quadratic: 64x

    def run(n: int):
        chosen = sentences(n)
        return lambda: select(chosen, 3, "zh")

    assert_linear_time(run, 500, floor=0.02)


def test_summarize_takes_the_source_language_like_translate():
    import bilingual
    from bilingual import UnsupportedLanguageError

    s = offline_summarizer()
    text = "Le café est ouvert. La crème brûlée est prête. Le chef arrive demain matin."
    with pytest.raises(UnsupportedLanguageError, match="French"):
        s.summarize(text, method="extractive", num_sentences=1)
    assert s.summarize(text, method="extractive", num_sentences=1, source="en") in text  # told, not detected
    with pytest.raises(UnsupportedLanguageError):
        s.summarize(EN_ARTICLE, method="extractive", source="fr")
    assert "source" in bilingual.summarize.__code__.co_varnames
