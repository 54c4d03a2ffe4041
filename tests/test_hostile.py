"""Hostile input: arbitrary Unicode, control characters, huge inputs, and a corpus of nasty real-world cases.

Every public function either returns a result or raises a BilingualError subclass
(TypeError for non-strings); nothing hangs; time grows at most linearly; every input
paragraph is accounted for.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilingual import BilingualError, Settings, Summarizer, detect_language, split_sentences
from bilingual.text.normalize import normalize_text, paragraph_layout
from bilingual.text.pieces import needs_translation, separator
from tests.fakes import fake_translator
from tests.growth import assert_linear_time

NASTY = Path(__file__).with_name("nasty")

hostile_text = st.one_of(
    st.text(max_size=400),  # any code point Python strings allow, lone surrogates included
    st.lists(
        st.sampled_from(
            ["\x00", "\x07", "\u200b", "\u200d", "\u202e", "\ufeff", "\u0301", "👩‍👩‍👧", "🇨🇳", "\ud800", "\n" * 50,
             "<b>粗体</b>", "**bold**", "# 标题", "- item", "| a | b |", "\t", "。", "！", "……", "U.S.", "3.5",
             "中文句子。", "English sentence. ", "مرحبا", "שלום", "\r\n", "\u2028", "a" * 300, "的" * 300]
        ),
        max_size=40,
    ).map("".join),
)


def _squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_text_functions_return_or_raise_bilingual_errors(text):
    pieces = split_sentences(text)
    assert _squeeze("".join(pieces)) == _squeeze(normalize_text(text))
    try:
        assert detect_language(text) in ("zh", "en")
    except BilingualError:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_translate_document_accounts_for_every_paragraph(text):
    translator = fake_translator()
    try:
        doc = translator.translate_document(text)
    except BilingualError:
        return
    layout = paragraph_layout(normalize_text(text))
    if not doc.model:  # nothing to translate: returned unchanged
        assert doc.text == text
        return
    assert len(doc.paragraphs) == len(layout.paragraphs)
    for paragraph, original in zip(doc.paragraphs, layout.paragraphs):
        assert _squeeze("".join(s.source for s in paragraph)) == _squeeze(original)
    assert translator.translate(text) == doc.text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_summarize_returns_or_raises_bilingual_errors(text):
    summarizer = Summarizer(Settings(model_summary_en="nobody/x", model_summary_zh="nobody/y", offline=True))
    try:
        out = summarizer.summarize(text, method="extractive")
    except BilingualError:
        return
    if not needs_translation(text):
        assert out == text.strip()
        return
    # an extractive summary is some of the article's own sentences, whole, in order, none repeated
    assert _joins_some_of(out, split_sentences(text), separator(detect_language(text)))


def _joins_some_of(out: str, sentences: list[str], glue: str) -> bool:
    """Whether ``out`` is ``glue.join`` of a subsequence of ``sentences`` (each used at most once)."""
    ends = {0}  # positions of ``out`` reachable by joining sentences taken in order
    for sentence in sentences:
        for end in list(ends):
            start = end + (len(glue) if end else 0)
            if (end == 0 or out[end:start] == glue) and out.startswith(sentence, start):
                ends.add(start + len(sentence))
    return bool(out) and len(out) in ends


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(hostile_text)
def test_real_tiny_model_survives_hostile_text(tiny_translator, text):
    try:
        doc = tiny_translator.translate_document(text)
    except BilingualError:
        return
    assert tiny_translator.translate(text) == doc.text  # deterministic
    if doc.model:
        assert len(doc.paragraphs) == len(paragraph_layout(normalize_text(text)).paragraphs)
        for paragraph, original in zip(doc.paragraphs, paragraph_layout(normalize_text(text)).paragraphs):
            assert _squeeze("".join(s.source for s in paragraph)) == _squeeze(original)
    else:
        assert doc.text == text


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["ok", None], {"a": 1}])
def test_non_strings_raise_type_error(value):
    with pytest.raises(TypeError):
        fake_translator().translate(value)
    if not isinstance(value, list):
        with pytest.raises(TypeError):
            split_sentences(value)
        with pytest.raises(TypeError):
            detect_language(value)
        with pytest.raises(TypeError):
            Summarizer(Settings()).summarize(value)


@pytest.mark.parametrize(
    "unit",
    [
        "两江新区签署了合作协议，代表团访问了重庆。",
        "The delegation visited the port and met officials, who said that trade\nwould grow. ",
        "没有标点的长句子" * 3,
        "\n\n\n",
    ],
)
def test_time_grows_linearly(unit):
    translator = fake_translator(max_input_chars=10_000_000)

    def run(n):
        text = "Intro.\n\n" + unit * n
        return lambda: (translator.translate(text), split_sentences(text))

    assert_linear_time(run, 200)  # 8x the input: 8x the time with slack for noise, far below quadratic (64x)


# -- the corpus of nasty real-world cases (each file written for this project) ---------------------


def corpus(name: str) -> str:
    return (NASTY / name).read_text(encoding="utf-8")


def test_pdf_text_with_hard_breaks_and_hyphenation():
    doc = fake_translator().translate_document(corpus("pdf-hyphenated.en.txt"))
    # two paragraphs, the wrapped lines joined and "vol-\numes" mended
    assert len(doc.paragraphs) == 2
    assert [s.source for s in doc.paragraphs[0]][1].startswith("Cargo volumes rose for the third year in a row, while")


def test_table_rows_stay_rows_and_numbers_pass_through():
    doc = fake_translator().translate_document(corpus("table.en.txt"))
    assert [p[0].source for p in doc.paragraphs] == [
        "Port traffic by year", "Year\tContainers\tPassengers", "2021\t1,204,000\t310,000",
        "2022\t1,351,000\t298,000", "2023\t1,422,500\t287,400",
    ]
    assert [p[0].target for p in doc.paragraphs[2:]] == [p[0].source for p in doc.paragraphs[2:]]


def test_chinese_with_english_names_and_numbers():
    text = corpus("names-numbers.zh.txt")
    assert detect_language(text) == "zh"
    assert split_sentences(text) == [
        "重庆两江新区管委会主任John Smith表示，2023年新区GDP增长6.1%，达到4,850.5亿元。",
        "他说，WTPF主席Bruno Masier将于9月7日访问重庆，双方将在iPhone配套、AI芯片等领域合作。",
    ]


def test_full_width_digits_and_letters():
    text = corpus("fullwidth.zh.txt")
    assert detect_language(text) == "zh"
    assert split_sentences(text) == ["今年一季度ＧＤＰ增长５．２％，高于市场预期。", "ＡＢＣ公司的出口额达到１２３亿元！"]


def test_traditional_chinese_is_chinese():
    text = corpus("traditional.zh.txt")
    assert detect_language(text) == "zh"
    assert len(split_sentences(text)) == 2


def test_quotes_nested_in_quotes():
    assert split_sentences(corpus("nested-quotes.en.txt")) == [
        "The mayor said, \"My grandfather told me, 'Build bridges, not walls.' I still believe that.\"",
        "Then she opened the bridge.",
    ]
    assert split_sentences(corpus("nested-quotes.zh.txt")) == [
        "市长说：“我祖父告诉我：‘要修桥，不要筑墙。’",
        "我至今仍然相信这句话。”",
        "随后，她为大桥剪彩。",
    ]


def test_bullet_lists_keep_one_item_a_paragraph_and_their_markers():
    # one paragraph per item; the markers never reach the model and come back as they were
    assert fake_translator().translate(corpus("bullets.en.txt")) == (
        "<The agreement covers three areas:>\n-<trade promotion for small firms;>\n-<a joint office in Chongqing;>\n"
        "-<training for export managers.>\n"
    )
    doc = fake_translator().translate_document(corpus("bullets.zh.txt"))
    assert doc.text == (
        "<协议包括以下内容：>\n一、 <为中小企业提供贸易推广服务；>\n二、 <在重庆设立联合办事处；>\n三、 <为出口经理提供培训。>\n"
    )
    assert [s.source for s in doc.paragraphs[1]] == ["一、", "为中小企业提供贸易推广服务；"]


def test_a_50000_character_article():
    paragraph = "两江新区签署了合作协议，代表团访问了重庆。双方将加强贸易合作。" * 12
    article = "\n\n".join([paragraph] * 140)
    assert 50_000 <= len(article) <= 55_000
    translator = fake_translator()
    start = time.perf_counter()
    doc = translator.translate_document(article)
    assert time.perf_counter() - start < 30
    assert len(doc.paragraphs) == 140
    assert all(len(p) == 24 for p in doc.paragraphs)
