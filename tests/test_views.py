from bilingual import Segment
from bilingual.ui.views import model_panel, side_by_side, to_markdown, to_text

PARAS = [(Segment("天气很好。", "The weather is good."), Segment("谢谢。", "Thank you.")), (Segment("<b>", "<b>"),)]


def test_side_by_side_aligns_sentences_and_escapes_html():
    html = side_by_side(PARAS, "zh", "en")
    assert html.count("<tr>") == 3  # header + 2 paragraphs
    assert (
        '<td lang="zh"><span class="seg" data-seg="0">天气很好。</span><span class="seg" data-seg="1">谢谢。</span></td>'
        in html
    )
    assert (
        '<td lang="en"><span class="seg" data-seg="0">The weather is good.</span> '
        '<span class="seg" data-seg="1">Thank you.</span></td>' in html
    )
    assert '<td lang="en"><span class="seg" data-seg="0">&lt;b&gt;</span></td>' in html
    assert "2 more paragraph(s)" in side_by_side(PARAS, "zh", "en", pending=2)


def test_exports():
    assert to_text(PARAS, "zh", "en") == "天气很好。谢谢。\nThe weather is good. Thank you.\n\n<b>\n<b>\n"
    assert to_markdown(PARAS, "zh", "en") == (
        "# 中文 Chinese → English 英文\n\n天气很好。谢谢。\n\n> The weather is good. Thank you.\n\n<b>\n\n> <b>\n"
    )


def test_model_panel_says_how_to_get_missing_models_without_paths():
    text = model_panel([("zh->en", "Helsinki-NLP/opus-mt-zh-en", True), ("en->zh", "Helsinki-NLP/opus-mt-en-zh", False)])
    assert "| zh->en | `Helsinki-NLP/opus-mt-zh-en` | 已就绪 available |" in text
    assert "bilingual models download --all" in text and "BILINGUAL_MODEL_EN_ZH" in text
    assert "bilingual models download" not in model_panel([("zh->en", "x/y", True)])


def test_flagged_sentences_are_highlighted_with_their_reasons():
    from bilingual import Flag

    flagged = Segment("出口增长了4,850.5亿元。", "Exports grew by 48.5 billion yuan.", 0.38,
                      (Flag("numbers", "Not found in the translation: 4,850.5亿."),))
    html = side_by_side([(flagged, Segment("谢谢。", "Thank you.", 0.97))], "zh", "en")
    assert html.startswith('<p class="to-check">1 句需要检查 · 1 sentence to check')
    assert ('<span class="seg flagged" data-seg="0" title="Not found in the translation: 4,850.5亿. (38%)" '
            'data-flags="numbers">Exports grew by 48.5 billion yuan.</span>') in html
    assert '<span class="seg" data-seg="1">Thank you.</span>' in html
    assert "No sentence flagged" in side_by_side(PARAS, "zh", "en")
