import pytest
from hypothesis import given
from hypothesis import strategies as st

from bilingual import InputTooLargeError, UnsupportedLanguageError
from bilingual.text.pieces import needs_translation, split_long
from bilingual.translation.guards import find_loop, max_new_tokens, trim_loop
from bilingual.translation.pipeline import make_batches
from tests.fakes import fake_translator


def char_len(texts):
    return [len(t) for t in texts]


def make(record=None, **overrides):
    record = [] if record is None else record
    return fake_translator(record=record, **{"cache": False, **overrides}), record


def test_paragraphs_sentences_and_joiners():
    t, _ = make()
    doc = t.translate_document("第一句。第二句！\n\n第三句", target="en")
    assert doc.source_language == "zh" and doc.target_language == "en" and doc.model == "fake-zh-en"
    assert [[(s.source, s.target) for s in p] for p in doc.paragraphs] == [
        [("第一句。", "<第一句。>"), ("第二句！", "<第二句！>")],
        [("第三句", "<第三句>")],
    ]
    assert doc.text == "<第一句。> <第二句！>\n\n<第三句>"
    # Chinese output joins sentences with nothing
    assert t.translate("One. Two.\n\nThree") == "<One.><Two.>\n\n<Three>"


def test_layout_is_kept_exactly():
    t, _ = make()
    # list markers pass through without reaching the model
    assert t.translate("  One.\n\n\n- Two\n- Three\n") == "  <One.>\n\n\n-<Two>\n-<Three>\n"


def test_nothing_to_translate_passes_through_without_a_model():
    t, record = make()
    for text in ["", "   \n\n  ", "2023 — 3.5%", "https://example.com/x", "🙂🙂", "!!!"]:
        assert t.translate(text) == text
        assert t.translate(text, source="zh") == text
    assert record == []  # no backend was even built


def test_numbers_and_urls_inside_an_article_skip_the_model():
    t, record = make()
    assert t.translate("Prices rose.\n\n2023\n\nhttps://example.com") == "<Prices rose.>\n\n2023\n\nhttps://example.com"
    assert record[0].batches == [["Prices rose."]]


def test_list_input_keeps_order_and_mixed_directions():
    t, _ = make()
    assert t.translate(["Hello.", "你好。", "", "42"]) == ["<Hello.>", "<你好。>", "", "42"]


@pytest.mark.parametrize("alias", ["zh-CN", "zh-Hans", "cmn", "Chinese", "ZH"])
def test_target_aliases(alias):
    t, _ = make()
    assert t.translate("Hello.", alias) == "<Hello.>"
    assert t.translate_document("Hello.", alias).target_language == "zh"


def test_bad_arguments():
    t, record = make()
    with pytest.raises(UnsupportedLanguageError, match="'fr'"):
        t.translate("Hello.", "fr")
    with pytest.raises(UnsupportedLanguageError):
        t.translate("Hello.", source="de")
    with pytest.raises(UnsupportedLanguageError, match="French"):
        t.translate("Le gouvernement a annoncé une nouvelle réforme des retraites pour les travailleurs du pays.")
    with pytest.raises(TypeError):
        t.translate(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        t.translate(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        t.translate("Hello.", colour="red")
    assert record == [] or all(b.batches == [] for b in record)


def test_input_too_large_is_refused_before_model_work():
    t, record = make(max_input_chars=10)
    with pytest.raises(InputTooLargeError, match="BILINGUAL_MAX_INPUT_CHARS"):
        t.translate("This sentence is far too long.")
    assert record == []
    with pytest.raises(InputTooLargeError):
        t.translate(["short", "texts add up"])


def test_long_sentences_are_split_and_rejoined_without_loss():
    t, record = make(max_segment_tokens=12)
    doc = t.translate_document("甲乙丙丁戊己，庚辛壬癸子丑，寅卯辰巳午未。", "en")
    sent = record[0].batches
    assert sorted(x for b in sent for x in b) == sorted(["甲乙丙丁戊己，", "庚辛壬癸子丑，", "寅卯辰巳午未。"])
    assert doc.paragraphs[0][0].target == "<甲乙丙丁戊己，> <庚辛壬癸子丑，> <寅卯辰巳午未。>"


def test_split_long_cuts_at_budget_when_no_clause_boundary():
    text = "word " * 30
    parts = split_long(text.strip(), 20, char_len)
    assert all(len(p) <= 20 for p in parts)
    assert " ".join(parts) == text.strip()
    chinese = "中" * 50
    parts = split_long(chinese, 16, char_len)
    assert "".join(parts) == chinese and all(len(p) <= 16 for p in parts)


def test_batches_are_sorted_and_bounded():
    t, record = make(batch_size=2, max_batch_tokens=1000)
    t.translate("Aa. Bbbbbb. Cc. Ddddddddd. Ee.")
    assert record[0].batches == [["Ddddddddd.", "Bbbbbb."], ["Aa.", "Cc."], ["Ee."]]


@given(st.lists(st.integers(min_value=1, max_value=300), max_size=60), st.integers(1, 8), st.integers(1, 2000))
def test_make_batches_uses_every_item_once(lengths, size, budget):
    batches = make_batches(lengths, max_size=size, max_tokens=budget)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= size
        assert len(b) == 1 or max(lengths[i] for i in b) * len(b) <= budget


def test_progress_is_reported():
    t, _ = make(batch_size=1)
    seen = []
    t.translate("One. Two. Three.", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_backend_is_built_once_per_direction():
    t, record = make()
    t.translate("One.")
    t.translate("Two.")
    t.translate("三。")
    assert [b.model_name for b in record] == ["fake-en-zh", "fake-zh-en"]


def test_needs_translation():
    assert needs_translation("1.2万")
    assert not needs_translation("3.5% (2023) — https://a.cn/x?y=1 a@b.cn 🙂")


def test_loop_guard():
    assert find_loop([1, 2, 3, 4]) is None
    assert find_loop([5, 1, 2, 1, 2, 1, 2]) == 1
    assert find_loop([7, 7, 7]) is None  # single tokens need four in a row
    assert find_loop([9, 7, 7, 7, 7]) == 1
    assert trim_loop([5, 1, 2, 1, 2, 1, 2], 1) == [5, 1, 2]
    assert max_new_tokens(10, 3.0) == 40
    assert max_new_tokens(1000, 3.0, limit=512) == 512
