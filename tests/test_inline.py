"""Inline spans (a bold name, an italic place, a link's words) carried onto the translated words.

The pure parts (marks, folding, placing, tags) with properties; the translator's placeholders with a
fake backend (what the model is sent, a lost placeholder); then whole documents with the tiny models,
exact, both ways, in Word, PowerPoint and HTML, the bilingual mode and Traditional Chinese; and an
LLM engine's tags over real HTTP with the fake server.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from bilingual import Settings, Translator
from bilingual.documents import translate_content
from bilingual.documents.html import translate_markup
from bilingual.translation.inline import MID, OPEN, Mark, cut, fold, place, tag, unmark, untag, wrap
from tests.fake_llm import fake_llm_server
from tests.fakes import FakeBackend, fake_translator
from tests.fixtures.corpus import GLOSSARY_PAIRS, INLINE_PAIRS, PAIRS
from tests.growth import assert_linear_time
from tests.test_office_structures import _word

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS = {"w": W, "r": R, "a": A}
ZH = {en: zh for zh, en in PAIRS + INLINE_PAIRS}
EN = {zh: en for zh, en in PAIRS + INLINE_PAIRS}


# -- the pure parts ---------------------------------------------------------------------------------

words = st.text(alphabet=st.sampled_from("ab 中文.,"), min_size=0, max_size=8)


@given(st.lists(st.tuples(words, st.booleans()), min_size=1, max_size=8))
def test_marked_text_comes_back_clean_with_each_mark_on_its_words(parts):
    text = "".join(wrap(n, piece) if marked else piece for n, (piece, marked) in enumerate(parts))
    clean, marks = unmark(text)
    assert clean == "".join(piece for piece, _ in parts)
    expected = []
    at = 0
    for n, (piece, marked) in enumerate(parts):
        if marked:
            expected.append(Mark(at, at + len(piece), n))
        at += len(piece)
    assert sorted(marks) == sorted(expected)


def test_nested_and_broken_marks():
    assert unmark(wrap(0, "a " + wrap(1, "b") + " c")) == ("a b c", (Mark(0, 5, 0), Mark(2, 3, 1)))
    assert unmark(f"{OPEN}0{MID}open only") == ("0open only", ())  # unbalanced: clean, no marks
    assert unmark("no marks") == ("no marks", ())
    assert cut("ab cd ef", [Mark(3, 5, 0), Mark(4, 5, 1)]) == [("ab ", None), ("cd", 0), (" ef", None)]  # outer wins
    assert cut("  ab cd", [Mark(5, 7, 0)], strip=True) == [("ab ", None), ("cd", 0)]


@given(st.text(alphabet=st.sampled_from("ab \n\t中"), max_size=30), st.data())
def test_folding_moves_each_span_onto_the_same_words(text, data):
    bounds = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=2)))
    folded, (span,) = fold(text, [tuple(bounds)])
    assert folded == " ".join(text.split())
    assert folded[span[0]:span[1]] == " ".join(text[bounds[0]:bounds[1]].split())


def test_placing_keeps_short_spans_inside_one_sentence_on_word_boundaries():
    sentences = ["The delegation visited Chongqing.", "Prices remain stable today in the whole region."]
    assert place(sentences, ["Chongqing", "stable"]) == [[(23, 32, 0)], [(14, 20, 1)]]
    assert place(sentences, ["Chongqing. Prices"]) == [[], []]  # across two sentences: not carried
    assert place(sentences, ["Chong"]) == [[], []]  # cuts a word
    assert place(sentences, ["The delegation visited"]) == [[], []]  # more than half of its sentence
    # the second and third would make the sentence's spans more than half of it
    assert place(sentences, ["delegation", "visited", "Chongqing"]) == [[(4, 14, 0)], []]
    assert place(["Thank you."], ["Thank you."]) == [[(0, 10, 0)]]  # the whole sentence: marks it all
    assert place(["代表团访问了重庆。"], ["重庆"]) == [[(6, 8, 0)]]  # Chinese: no word boundaries to keep


def test_a_span_is_looked_for_where_it_was_not_at_an_earlier_plain_occurrence():
    sentences = ["Thank you Chongqing.", "The delegation visited Chongqing."]
    text = " ".join(sentences)
    assert place(sentences, ["Chongqing"], [text.rindex("Chongqing")]) == [[], [(23, 32, 0)]]
    assert place(sentences, ["Chongqing"]) == [[(10, 19, 0)], []]  # without starts: the first one found


def test_placing_time_grows_linearly_even_when_no_span_is_found():
    def run(n):
        sentences = ["The delegation visited the port and met officials."] * n
        spans = ["Chongqing"] * n  # none is there: each search must stay near its own place
        starts = [i * 51 + 20 for i in range(n)]
        return lambda: place(sentences, spans, starts)

    assert_linear_time(run, 2000)  # 8x the input: far below quadratic (64x, ~0.5 s)


def test_an_engines_tags_become_marks_only_when_each_comes_back_once_and_well_nested():
    tagged, keys = tag("The delegation visited Chongqing. <m1>fake</m1>", [(23, 32, 4)])
    assert tagged == "The delegation visited <m1>Chongqing</m1>. ‹m1›fake‹/m1›"  # the text's own tags disarmed
    assert keys == (4,)
    assert unmark(untag("代表团访问了<m1>重庆</m1>。", keys)) == ("代表团访问了重庆。", (Mark(6, 8, 4),))
    for broken in ("代表团访问了重庆。", "<m1>代表团</m1>访问了<m1>重庆</m1>。", "代表团访问了<m2>重庆</m2>。",
                   "代表团<m1>访问了</m1>重庆</m1>。", "代表团访问了<m1>重庆。"):
        assert untag(broken, keys) == "代表团访问了重庆。" or unmark(untag(broken, keys))[1] == ()
        assert unmark(untag(broken, keys))[1] == ()


# -- the translator, with a fake backend ------------------------------------------------------------

def test_a_span_is_translated_apart_and_the_sentence_carries_a_placeholder(tmp_path):
    record: list = []
    translator = fake_translator(tmp_path, record=record)
    text = "The Ministry of Commerce said exports grew. Read the annual report today."
    (doc,) = translator.translate_documents([text], "zh", source="en", spans=[[(4, 24), (53, 66)]])
    assert record[0].batches == [["Ministry of Commerce", "annual report"],  # the spans first, on their own
                                 ["The ZQ1 said exports grew.", "Read the ZQ1 today."]]
    assert doc.text == "<The <Ministry of Commerce> said exports grew.><Read the <annual report> today.>"
    assert [doc.text[m.start:m.end] for m in doc.marks()] == ["<Ministry of Commerce>", "<annual report>"]
    assert [m.key for m in doc.marks()] == [0, 1]
    first, second = doc.paragraphs[0]
    assert first.marks == (Mark(5, 27, 0),) and second.marks == (Mark(10, 25, 1),)
    assert first.as_dict()["marks"] == [[5, 27, 0]] and type(first).from_dict(first.as_dict()) == first


class PlaceholderDroppingBackend(FakeBackend):
    """Loses every placeholder, as a model sometimes does."""

    def translate_batch(self, texts):
        return [re.sub(r"ZQ\d+", "", out) for out in super().translate_batch(texts)]


def test_a_lost_span_placeholder_gives_the_sentence_translated_whole_without_marks_or_flag(tmp_path):
    backends: list = []

    def factory(source, target, settings):
        backends.append(PlaceholderDroppingBackend(f"drop-{source}-{target}"))
        return backends[-1]

    translator = Translator(Settings(home=str(tmp_path), cache=False, offline=True), backend_factory=factory)
    (doc,) = translator.translate_documents(["The delegation visited Chongqing."], "zh", source="en",
                                            spans=[[(23, 32)]])
    assert doc.text == "<The delegation visited Chongqing.>"  # translated again, whole
    (segment,) = doc.paragraphs[0]
    assert segment.marks == ()
    assert "glossary" not in [f.code for f in segment.flags]  # formatting is not a glossary fault
    assert backends[0].batches == [["Chongqing"], ["The delegation visited ZQ1."], ["The delegation visited Chongqing."]]


def test_spans_and_glossary_terms_share_the_placeholders(tmp_path):
    record: list = []
    translator = fake_translator(tmp_path, record=record)
    (doc,) = translator.translate_documents(["The bank visited Chongqing."], "zh", source="en",
                                            glossary={"bank": "银行"}, spans=[[(17, 26)]])
    assert record[0].batches[-1] == ["The ZQ1 visited ZQ2."]
    assert doc.text == "<The 银行 visited <Chongqing>.>"
    assert [doc.text[m.start:m.end] for m in doc.marks()] == ["<Chongqing>"]


# -- documents with the tiny models (exact) ---------------------------------------------------------

def _run(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _runs(paragraph: etree._Element) -> list[tuple[str, str]]:
    """Each run's text with its emphasis ("b", "i", "link:<r:id>", "" for none)."""
    out = []
    for run in paragraph.iter(f"{{{W}}}r"):
        text = "".join(t.text or "" for t in run.findall("w:t", NS))
        if not text:
            continue
        kind = "".join(name for name in ("b", "i") if run.find(f"w:rPr/w:{name}", NS) is not None)
        link = next(run.iterancestors(f"{{{W}}}hyperlink"), None)
        out.append((text, kind + (f"link:{link.get(f'{{{R}}}id')}" if link is not None else "")))
    return out


def _paragraphs(data: bytes) -> list[etree._Element]:
    from docx import Document

    return [p for p in Document(io.BytesIO(data)).element.body.iter(f"{{{W}}}p") if "".join(p.itertext()).strip()]


def test_word_emphasis_and_links_land_on_the_translated_words_both_ways(tiny_translator):
    visited = "The delegation visited ZQ1."
    assert (("代表团访问了ZQ1。", visited) in GLOSSARY_PAIRS) and ("重庆", "Chongqing") in INLINE_PAIRS
    data = _word([
        _run("The delegation visited ") + _run("Chongqing", "<w:i/>") + _run("."),
        _run("The delegation visited ") + '<w:hyperlink r:id="{link}">' + _run("Chongqing") + "</w:hyperlink>"
        + _run("."),
    ])
    out = translate_content(tiny_translator, data, "a.docx", "zh")
    italic, linked = _paragraphs(out)
    assert _runs(italic) == [("代表团访问了", ""), ("重庆", "i"), ("。", "")]
    rid = _paragraphs(data)[1].find("w:hyperlink", NS).get(f"{{{R}}}id")
    assert _runs(linked) == [("代表团访问了", ""), ("重庆", f"link:{rid}"), ("。", "")]

    data = _word([_run("两江新区", "<w:b/>") + _run("签署了合作协议。")])
    (bold,) = _paragraphs(translate_content(tiny_translator, data, "a.docx", "en"))
    assert _runs(bold) == [("Liangjiang New Area", "b"), (" signed a cooperation agreement.", "")]


def test_word_bilingual_and_traditional_chinese_keep_the_spans(tiny_translator):
    data = _word([_run("The delegation visited ") + _run("Chongqing", "<w:b/>") + _run(".")])
    original, twin = _paragraphs(translate_content(tiny_translator, data, "a.docx", "zh", bilingual=True))
    assert _runs(original) == [("The delegation visited ", ""), ("Chongqing", "b"), (".", "")]
    assert _runs(twin) == [("代表团访问了", ""), ("重庆", "b"), ("。", "")]
    (traditional,) = _paragraphs(translate_content(tiny_translator, data, "a.docx", "zh-TW"))
    assert _runs(traditional) == [("代表團訪問了", ""), ("重慶", "b"), ("。", "")]


def test_a_span_too_long_to_carry_keeps_todays_whole_sentence_formatting(tiny_translator):
    data = _word([_run("The ") + _run("delegation visited", "<w:b/>") + _run(" Chongqing.")])
    (paragraph,) = _paragraphs(translate_content(tiny_translator, data, "a.docx", "zh"))
    assert _runs(paragraph) == [(ZH["The delegation visited Chongqing."], "")]  # more than half: whole


def test_slides_carry_emphasis_onto_the_translated_words(tiny_translator):
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    paragraph = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1)).text_frame.paragraphs[0]
    for text, italic in (("The delegation visited ", False), ("Chongqing", True), (".", False)):
        run = paragraph.add_run()
        run.text, run.font.italic = text, italic or None
    data = io.BytesIO()
    presentation.save(data)
    out = Presentation(io.BytesIO(translate_content(tiny_translator, data.getvalue(), "a.pptx", "zh")))
    runs = [(r.text, bool(r.font.italic)) for shape in out.slides[0].shapes for p in shape.text_frame.paragraphs
            for r in p.runs]
    assert runs == [("代表团访问了", False), ("重庆", True), ("。", False)]


def test_html_elements_come_back_around_the_translated_words(tiny_translator):
    assert translate_markup(tiny_translator, '<p>The delegation visited <a href="/cq">Chongqing</a>.</p>', "zh") == (
        '<p>代表团访问了<a href="/cq">重庆</a>。</p>')
    assert translate_markup(tiny_translator, "<p><b>两江新区</b>签署了合作协议。</p>", "en") == (
        "<p><b>Liangjiang New Area</b> signed a cooperation agreement.</p>")
    assert translate_markup(tiny_translator, "<p>The delegation visited <em>Chongqing</em>.</p>", "zh",
                            bilingual=True) == (
        '<p>The delegation visited <em>Chongqing</em>.<br/><span class="bilingual-translation" '
        'style="color:#5f6368">代表团访问了<em>重庆</em>。</span></p>')


def test_markdown_links_and_emphasis_come_back_on_the_translated_words(tiny_translator):
    from bilingual.documents.formats import Job
    from bilingual.documents.markdown import translate_markdown

    out = translate_markdown("The delegation visited [Chongqing](https://example.com/cq).\n",
                             Job(tiny_translator, b"", "a.md", "zh").aligned())
    assert out == "代表团访问了[重庆](https://example.com/cq)。\n"
    out = translate_markdown("**两江新区**签署了合作协议。\n", Job(tiny_translator, b"", "a.md", "en").aligned())
    assert out == "**Liangjiang New Area** signed a cooperation agreement.\n"


# -- an LLM engine: tags in the prompt --------------------------------------------------------------

def _llm(url: str, home) -> Translator:
    return Translator(Settings(engine="llm", llm_url=url, llm_model="fake-mt", home=str(home), cache=False,
                               offline=True, llm_retries=0, llm_timeout=10.0))


@pytest.mark.parametrize("drop", [False, True])
def test_an_llm_engine_is_asked_to_keep_tags_and_its_tags_become_marks(tmp_path, drop):
    with fake_llm_server() as (url, behaviour):
        behaviour.drop_tags = drop
        (doc,) = _llm(url, tmp_path).translate_documents(["The delegation visited Chongqing."], "zh", source="en",
                                                         spans=[[(23, 32)]])
    request = behaviour.requests[0]["messages"]
    assert "1. The delegation visited <m1>Chongqing</m1>." in request[1]["content"]
    assert "<m1> and </m1>" in request[0]["content"]
    assert doc.text == ZH["The delegation visited Chongqing."]
    assert [doc.text[m.start:m.end] for m in doc.marks()] == ([] if drop else ["重庆"])


@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_a_long_paragraph_with_many_spans_takes_time_in_proportion(tmp_path, kind):
    from bilingual.documents.formats import Job
    from bilingual.documents.markdown import translate_markdown
    translator = fake_translator(tmp_path, max_input_chars=10_000_000, max_document_chars=10_000_000)

    def run(n: int):
        if kind == "markdown":
            text = "The delegation visited **Chongqing** on Monday. " * n + "\n"
            return lambda: translate_markdown(text, Job(translator, b"", "a.md", "zh", source="en").aligned())
        markup = "<p>" + "The delegation visited <b>Chongqing</b> on Monday. " * n + "</p>"
        return lambda: translate_markup(translator, markup, "zh", source="en")

    n = 250 if kind == "markdown" else 150  # the sizes at which the old Markdown search showed its square
    assert_linear_time(run, n)  # 8x the input: far below quadratic (64x)
