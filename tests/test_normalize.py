import pytest

from bilingual.text.normalize import normalize_text, paragraph_layout

CASES = [
    ("A\r\nB\rC\u2028D", "A\nB\nC\nD"),
    ("nul\x00 and bell\x07 go; tab\tstays", "nul and bell go; tab\tstays"),
    ("e\u0301", "é"),  # NFC
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    # hard-wrapped English is re-joined; hyphenation undone
    (
        "PDF text is often wrapped at a fixed width of about seventy\ncharacters, and a word may be hyphen-\nated at the end.",
        "PDF text is often wrapped at a fixed width of about seventy characters, and a word may be hyphenated at the end.",
    ),
    # a single newline before a lowercase word joins
    ("The meeting was held\non Monday.", "The meeting was held on Monday."),
    # hard-wrapped Chinese joins without a space
    ("中国经济在过去十年里保持了较快增长，重庆两江新区\n保持了较快增长。", "中国经济在过去十年里保持了较快增长，重庆两江新区保持了较快增长。"),
    # headings, list items, tables and blank-line breaks stay
    ("News from Chongqing\n\nBody text.", "News from Chongqing\n\nBody text."),
    ("Trade Office Signs Agreement With Federation\nThe office signed it.", "Trade Office Signs Agreement With Federation\nThe office signed it."),
    ("Items:\n- one\n- two\n1. three", "Items:\n- one\n- two\n1. three"),
    ("一、总体要求\n二、主要任务", "一、总体要求\n二、主要任务"),
    ("# Title\nText here.", "# Title\nText here."),
    ("name\tvalue\nalpha\t1", "name\tvalue\nalpha\t1"),
    ("Room 201\nBuilding 5\nBeijing", "Room 201\nBuilding 5\nBeijing"),
    # one paragraph per line, as pasted from the web, stays apart
    (
        "One paragraph per line is also common when people paste from the web.\nAnd the next paragraph follows.",
        "One paragraph per line is also common when people paste from the web.\nAnd the next paragraph follows.",
    ),
    ("trailing spaces   \nnext", "trailing spaces next"),
    # a list item wrapped over two lines (a PDF's) is one item: hanging under it, or in lower case
    (
        "Findings:\n1. The bank lowered interest rates and prices\n   remain stable.\n2. Thank you.",
        "Findings:\n1. The bank lowered interest rates and prices remain stable.\n2. Thank you.",
    ),
    ("- a short item\ncontinued here.\n- next", "- a short item continued here.\n- next"),
    ("- Apples\nBananas are good.", "- Apples\nBananas are good."),  # not a continuation
    # an indent is not a table column; a gap inside a line is
    ("    Indented text that goes on\nand on.", "    Indented text that goes on and on."),
    ("Region     2023\nNorth      5%", "Region     2023\nNorth      5%"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize(raw, expected):
    assert normalize_text(raw) == expected


def test_layout_round_trip():
    text = "  First para\n\n\n Second\nThird  \n"
    layout = paragraph_layout(normalize_text(text))
    assert layout.paragraphs == ("First para", "Second", "Third")
    assert layout.separators == ("  ", "\n\n\n ", "\n", "\n")
    assert layout.render(layout.paragraphs) == normalize_text(text)
    assert layout.render(["A", "B", "C"]) == "  A\n\n\n B\nC\n"
    with pytest.raises(ValueError):
        layout.render(["only one"])
