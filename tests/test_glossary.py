"""Glossaries: files read strictly, terms protected by placeholders, exact tiny-model outputs from every entry point."""

from __future__ import annotations

import io
import re

import pytest

from bilingual import Settings, Translator
from bilingual.cli import main as cli_main
from bilingual.translation.glossary import GlossaryError, load_glossary, parse_glossary, protect, restore
from tests.fakes import FakeBackend

ZH_TERMS = {"两江新区": "Liangjiang New Zone", "新区": "new district", "重庆": "Chongqing Municipality",
            "出口": "outbound trade", "铁路": "the rail line", "城市": "cities", "天气": "weather conditions"}
EN_TERMS = {"Chongqing": "重庆市", "the bank": "央行", "bridge": "大桥", "new factory": "新厂", "factory": "工厂"}


# -- files ---------------------------------------------------------------------------------------


def test_tsv_csv_header_comments_and_identical_duplicates():
    glossary = parse_glossary("source\ttarget\n# our names\n两江新区\tLiangjiang New Area\n\nWTPF\t世界贸易网点联盟\n"
                              "两江新区\tLiangjiang New Area\n")
    assert glossary.entries == (("两江新区", "Liangjiang New Area"), ("WTPF", "世界贸易网点联盟"))
    assert glossary.for_source("zh") == {"两江新区": "Liangjiang New Area"}
    assert glossary.for_source("en") == {"WTPF": "世界贸易网点联盟"}
    csv = parse_glossary('term,translation\n"Liangjiang, New Area",两江新区\n')
    assert csv.entries == (("Liangjiang, New Area", "两江新区"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no entries"),
        ("# only a comment\n\n", "has no entries"),
        ("两江新区\n", "Line 1 of the glossary has no second column"),
        ("两江新区\tLiangjiang\n重庆\n", "Line 2 of the glossary has no second column"),
        ("协议\tagreement\n协议\tdeal\n", "gives '协议' two translations"),
        ("Bank\t银行\nbank\t央行\n", "gives 'bank' two translations"),
        ("ZQ1\tx\n", "look like its placeholders"),
        ("a" * 201 + "\tb\n", "longer than 200"),
    ],
)
def test_bad_glossaries(text, message):
    with pytest.raises(GlossaryError, match=message):
        parse_glossary(text)


def test_large_and_unreadable_files(tmp_path):
    big = tmp_path / "big.tsv"
    big.write_text("术语\tterm\n" * 800_000)  # about 10 MB
    with pytest.raises(GlossaryError, match="larger than 1 MB"):
        load_glossary(big)
    binary = tmp_path / "bin.tsv"
    binary.write_bytes(b"\xff\xfe\x00\x01" * 10)
    with pytest.raises(GlossaryError, match="not UTF-8"):
        load_glossary(binary)
    assert isinstance(GlossaryError("x"), ValueError)


# -- placeholders --------------------------------------------------------------------------------


def test_longest_first_plurals_and_case():
    assert protect("两江新区和新区", ZH_TERMS, "zh") == ("ZQ1和ZQ2", {"ZQ1": "Liangjiang New Zone",
                                                                  "ZQ2": "new district"})
    protected, mapping = protect("The Bridges of the new factory", EN_TERMS, "en")
    assert protected == "The ZQ1 of the ZQ2" and mapping == {"ZQ1": "大桥", "ZQ2": "新厂"}
    assert restore("ZQ1 grew.", {"ZQ1": "outbound trade"}, "en") == "Outbound trade grew."  # starts the sentence
    assert restore("It grew.", {"ZQ1": "x"}, "en") is None  # lost
    assert restore("ZQ1 and ZQ1.", {"ZQ1": "x"}, "en") is None  # doubled
    assert restore("ZQ1 and ZQ2.", {"ZQ1": "x"}, "en") is None  # made up


# -- the tiny models -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_exact_outputs_in_both_directions(tiny_settings, tmp_path, backend):
    translator = Translator(tiny_settings, backend=backend, home=str(tmp_path), cache=False)
    zh = {
        "两江新区签署了合作协议。": "Liangjiang New Zone signed a cooperation agreement.",  # overlapping terms, at the start
        "代表团访问了重庆。": "The delegation visited Chongqing Municipality.",  # at the end
        "出口增长了百分之五。": "Outbound trade grew by five percent.",  # with a number
        "铁路连接了两个城市。": "The rail line connects the two cities.",  # two terms
    }
    for source, expected in zh.items():
        doc = translator.translate_document(source, glossary=ZH_TERMS)
        assert doc.text == expected and doc.paragraphs[0][0].flags == ()
    en = {
        "The delegation visited Chongqing.": "代表团访问了重庆市。",
        "The bank lowered interest rates.": "央行降低了利率。",  # case-insensitive, at the start
        "The city has many bridges.": "这座城市有很多大桥。",  # a plural
        "The new factory opens next year.": "新厂明年开工。",  # the longer of two overlapping terms
    }
    for source, expected in en.items():
        assert translator.translate(source, glossary=EN_TERMS) == expected


class PlaceholderDroppingBackend(FakeBackend):
    """Tags each sentence like the fake backend, but loses every glossary placeholder (``ZQ1`` …)."""

    def translate_batch(self, texts):
        return [re.sub(r"ZQ\d+", "", out) for out in super().translate_batch(texts)]


def test_a_lost_placeholder_falls_back_and_is_flagged(tmp_path):
    backends = []

    def factory(source, target, settings):
        backends.append(PlaceholderDroppingBackend(f"drop-{source}-{target}"))
        return backends[-1]

    translator = Translator(Settings(home=str(tmp_path), cache=False, offline=True), backend_factory=factory)
    doc = translator.translate_document("天气很好。", glossary=ZH_TERMS)
    (segment,) = doc.paragraphs[0]
    assert segment.target == "<天气很好。>"  # translated again without the glossary
    assert [f.code for f in segment.flags] == ["glossary"]
    assert [b for backend in backends for b in backend.batches] == [["ZQ1很好。"], ["天气很好。"]]


def test_the_glossary_is_part_of_the_cache_key(tiny_settings, tmp_path):
    translator = Translator(tiny_settings, home=str(tmp_path), cache=True)
    assert translator.translate("代表团访问了重庆。") == "The delegation visited Chongqing."  # cached without
    assert translator.translate("代表团访问了重庆。", glossary=ZH_TERMS) == "The delegation visited Chongqing Municipality."
    again = Translator(tiny_settings, home=str(tmp_path), cache=True, glossary=ZH_TERMS)  # from the cache now
    assert again.translate("代表团访问了重庆。") == "The delegation visited Chongqing Municipality."


def test_cli_glossary(tiny_translator, tmp_path, monkeypatch):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", tiny_translator.settings.model_zh_en)
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", tiny_translator.settings.model_en_zh)
    monkeypatch.setenv("BILINGUAL_BACKEND", "transformers")
    terms = tmp_path / "terms.tsv"
    terms.write_text("重庆\tChongqing Municipality\n", encoding="utf-8")
    out = io.StringIO()
    assert cli_main(["translate", "--glossary", str(terms)], stdin=io.StringIO("代表团访问了重庆。"), stdout=out) == 0
    assert out.getvalue() == "The delegation visited Chongqing Municipality.\n"
    bad = tmp_path / "bad.tsv"
    bad.write_text("重庆\n", encoding="utf-8")
    err = io.StringIO()
    assert cli_main(["translate", "--glossary", str(bad)], stdin=io.StringIO("x"), stdout=io.StringIO(),
                    stderr=err) == 1
    assert "no second column" in err.getvalue()


def test_page_glossary_box(tiny_translator):
    from bilingual import Summarizer
    from bilingual.ui.app import Handlers

    handlers = Handlers(tiny_translator, Summarizer(tiny_translator.settings, translator=tiny_translator))
    updates = list(handlers.translate_stream("代表团访问了重庆。", "自动 Auto", "重庆\tChongqing Municipality",
                                             progress=lambda *a, **k: None))
    assert updates[-1][1] == "The delegation visited Chongqing Municipality."
    status, *_ = list(handlers.translate_stream("代表团访问了重庆。", "自动 Auto", "重庆", progress=lambda *a, **k: None))[-1]
    assert "no second column" in status


def test_settings_are_untouched_by_a_per_call_glossary(tmp_path):
    translator = Translator(Settings(home=str(tmp_path), cache=False), glossary={"重庆": "Chongqing"})
    twin = translator.with_glossary({"重庆": "CQ"})
    assert translator.glossary.entries == (("重庆", "Chongqing"),) and twin.glossary.entries == (("重庆", "CQ"),)
    assert twin._backends is translator._backends  # the same models
