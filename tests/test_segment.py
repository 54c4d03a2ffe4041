import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual import UnsupportedLanguageError, split_sentences
from bilingual.text.normalize import normalize_text

CASES = [
    # full-width punctuation, ellipsis, semicolon, trailing text without a full stop
    ("你好！今天天气很好？是的；明天也好……后天呢", ["你好！", "今天天气很好？", "是的；", "明天也好……", "后天呢"]),
    # decimals
    ("增长了3.5%。人口达到1.2万人。", ["增长了3.5%。", "人口达到1.2万人。"]),
    ("GDP rose 3.5 percent. Prices fell.", ["GDP rose 3.5 percent.", "Prices fell."]),
    # abbreviations and initials
    (
        "Mr. Smith met Dr. J. K. Rowling on Sept. 5 at No. 5 Main St. in Washington. They talked.",
        ["Mr. Smith met Dr. J. K. Rowling on Sept. 5 at No. 5 Main St. in Washington.", "They talked."],
    ),
    ("The U.S. economy grew. It was 5 p.m. The end", ["The U.S. economy grew.", "It was 5 p.m.", "The end"]),
    ("He lives in the U.S. with his family.", ["He lives in the U.S. with his family."]),
    ("Users of non-U.S. Arctic services left.", ["Users of non-U.S. Arctic services left."]),
    # URLs and e-mail addresses
    (
        "See https://example.com/a.b?x=1. Mail info@example.org. Or visit www.example.cn now.",
        ["See https://example.com/a.b?x=1.", "Mail info@example.org.", "Or visit www.example.cn now."],
    ),
    # closing quotes and brackets stay with their sentence
    ('He said, "It works." Then he left.', ['He said, "It works."', "Then he left."]),
    ("“我们要坚持开放。”随后他离开了。", ["“我们要坚持开放。”", "随后他离开了。"]),
    ("「好了。」『走吧！』（完。）结束", ["「好了。」", "『走吧！』", "（完。）", "结束"]),
    ("(This is an aside.) The rest follows.", ["(This is an aside.)", "The rest follows."]),
    # attribution after a quotation stays with it
    ("“有人帮助我们。”他说。会议结束了。", ["“有人帮助我们。”他说。", "会议结束了。"]),
    # a citation in parentheses stays with the sentence before it
    ("Hours are flexible. (Bremer, 1998) The web helps.", ["Hours are flexible. (Bremer, 1998)", "The web helps."]),
    # quoted multi-sentence speech closed in the next sentence stays whole
    ('She said, "I am happy. We won." Then she left.', ['She said, "I am happy. We won."', "Then she left."]),
    # ASCII punctuation inside Chinese text
    ("你好!我很好?谢谢", ["你好!", "我很好?", "谢谢"]),
    # paragraphs never merge
    ("第一段。\n\n第二段", ["第一段。", "第二段"]),
    ("", []),
    ("   \n\n ", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_tricky_cases(text, expected):
    assert split_sentences(text) == expected


def test_language_is_validated_not_required():
    assert split_sentences("A. B.", language="English") == split_sentences("A. B.")
    with pytest.raises(UnsupportedLanguageError, match="Chinese"):
        split_sentences("Hola.", language="es")
    with pytest.raises(TypeError):
        split_sentences(None)  # type: ignore[arg-type]


def _squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


text_pieces = st.sampled_from(
    ["。", "！", "？", "；", "……", ".", "!", "?", " ", "\n", "\n\n", "”", "」", ")", '"', "3.5", "U.S.", "Mr.",
     "https://a.b/c.d", "a@b.cn", "中文", "word", "Word", "，", ",", "\t"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(text_pieces, st.text(max_size=8)), max_size=30).map("".join))
def test_no_character_lost_and_order_kept(text):
    pieces = split_sentences(text)
    assert _squeeze("".join(pieces)) == _squeeze(normalize_text(text))
    assert all(p == p.strip() and p for p in pieces)
