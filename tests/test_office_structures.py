"""What real Word and PowerPoint files hold inside a paragraph, kept through translation: hyperlinks,
fields and their results, tabs and breaks, tracked insertions and deletions, content controls; and
in bilingual mode, no second list number. Written as the XML Word and PowerPoint write, translated
with the tiny models (exact), and checked element by element."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from bilingual.documents import translate_content
from tests.fixtures.corpus import PAIRS
from tests.growth import assert_linear_time

ZH = {en: zh for zh, en in PAIRS}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS = {"w": W, "r": R, "a": A}


def _run(text: str, *, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _word(paragraphs: list[str], *, link: str = "https://example.com/report") -> bytes:
    """A .docx whose body holds these paragraphs' inner XML; ``{link}`` in them is a hyperlink's r:id."""
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    document = Document()
    rid = document.part.relate_to(link, RT.HYPERLINK, is_external=True)
    body = document.element.body
    for inner in paragraphs:
        body.insert(len(body) - 1, parse_xml(f'<w:p xmlns:w="{W}" xmlns:r="{R}">{inner.format(link=rid)}</w:p>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _body(data: bytes) -> list[etree._Element]:
    from docx import Document

    return list(Document(io.BytesIO(data)).element.body.iter(f"{{{W}}}p"))


def _text(p: etree._Element) -> str:
    """A paragraph's text as Word shows it: tabs and breaks as \\t and \\n, field instructions left out."""
    out = []
    for node in p.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br"):
        out.append({"t": node.text or "", "tab": "\t", "br": "\n"}[etree.QName(node).localname])
    return "".join(out)


def test_a_hyperlink_keeps_its_target_on_the_translated_words(tiny_translator):
    data = _word([
        _run("The delegation visited Chongqing. ") + '<w:hyperlink r:id="{link}">' + _run("Thank you.") + "</w:hyperlink>",
        # a link inside a sentence: the link stays, on the whole translated sentence
        _run("The bank ") + '<w:hyperlink r:id="{link}">' + _run("lowered interest rates") + "</w:hyperlink>" + _run("."),
    ])
    out = translate_content(tiny_translator, data, "a.docx", "zh")
    first, second = _body(out)[:2]
    assert _text(first) == ZH["The delegation visited Chongqing."] + ZH["Thank you."]
    links = first.findall("w:hyperlink", NS)
    assert len(links) == 1 and _text(links[0]) == ZH["Thank you."]  # exactly the words that were linked
    assert links[0].get(f"{{{R}}}id") == _body(data)[0].find("w:hyperlink", NS).get(f"{{{R}}}id")
    links = second.findall("w:hyperlink", NS)
    assert len(links) == 1 and _text(links[0]) == ZH["The bank lowered interest rates."]


def test_tabs_and_breaks_stay_between_the_same_sentences(tiny_translator):
    data = _word([
        _run("The meeting was held on Monday.") + "<w:r><w:tab/></w:r>" + _run("Exports grew by five percent.")
        + '<w:r><w:br/><w:t xml:space="preserve">The new factory opens next year.</w:t></w:r>',
        "<w:r><w:tab/></w:r>" + _run("Thank you."),  # a leading tab stays first
        _run("The delegation visited") + "<w:r><w:br/></w:r>" + _run(" Chongqing."),  # a break inside a sentence
    ])
    out = translate_content(tiny_translator, data, "a.docx", "zh")
    first, second, third = _body(out)[:3]
    assert _text(first) == (ZH["The meeting was held on Monday."] + "\t" + ZH["Exports grew by five percent."] + "\n"
                            + ZH["The new factory opens next year."])
    assert _text(second) == "\t" + ZH["Thank you."]
    assert _text(third) == ZH["The delegation visited Chongqing."] + "\n"  # after the sentence it was in


def test_fields_keep_their_instructions_and_translate_their_results(tiny_translator):
    data = _word([
        _run("The weather is good. ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> REF _Ref1 \\h '
          '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>' + _run("Thank you.", bold=True)
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        _run("Prices remain stable. ") + '<w:fldSimple w:instr=" PAGE ">' + _run("3") + "</w:fldSimple>",
        '<w:fldSimple w:instr=" DOCPROPERTY Title ">' + _run("The company released its annual report.")
        + "</w:fldSimple>",
    ])
    out = translate_content(tiny_translator, data, "a.docx", "zh")
    first, second, third = _body(out)[:3]
    assert first.findtext(".//w:instrText", namespaces=NS) == " REF _Ref1 \\h "
    assert [f.get(f"{{{W}}}fldCharType") for f in first.iter(f"{{{W}}}fldChar")] == ["begin", "separate", "end"]
    assert _text(first) == ZH["The weather is good."] + ZH["Thank you."]
    result = first.findall("w:r", NS)[-2]  # the result run, between separate and end, still bold
    assert result.findtext("w:t", namespaces=NS) == ZH["Thank you."] and result.find("w:rPr/w:b", NS) is not None
    assert second.find("w:fldSimple", NS).get(f"{{{W}}}instr") == " PAGE " and _text(second).endswith("3")
    assert _text(third) == ZH["The company released its annual report."]
    assert third.find("w:fldSimple", NS).get(f"{{{W}}}instr") == " DOCPROPERTY Title "


def test_tracked_changes_and_content_controls_keep_their_markup(tiny_translator):
    data = _word([
        _run("The meeting was held on Monday. ") + '<w:ins w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">'
        + _run("Prices remain stable.") + '</w:ins><w:del w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:delText>Old words.</w:delText></w:r></w:del>',
        '<w:sdt><w:sdtPr><w:id w:val="7"/></w:sdtPr><w:sdtContent>' + _run("Thank you.") + "</w:sdtContent></w:sdt>",
    ])
    out = translate_content(tiny_translator, data, "a.docx", "zh")
    first, second = _body(out)[:2]
    inserted = first.find("w:ins", NS)
    assert inserted is not None and _text(inserted) == ZH["Prices remain stable."]
    assert first.findtext("w:del/w:r/w:delText", namespaces=NS) == "Old words."  # deleted text left as it is
    assert _text(second) == ZH["Thank you."] and second.find("w:sdt/w:sdtPr/w:id", NS) is not None


def test_bilingual_mode_gives_the_translation_no_list_number_of_its_own(tiny_translator):
    data = _word([
        '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>' + _run("The weather is good.")
        + '<w:hyperlink r:id="{link}">' + _run(" Thank you.") + "</w:hyperlink>",
    ])
    out = translate_content(tiny_translator, data, "a.docx", "zh", bilingual=True)
    original, twin = _body(out)[:2]
    assert original.find("w:pPr/w:numPr", NS) is not None and twin.find("w:pPr/w:numPr", NS) is None
    assert _text(twin) == ZH["The weather is good."] + ZH["Thank you."]
    assert _text(twin.find("w:hyperlink", NS)) == ZH["Thank you."]  # the link is on the translation too


def _slide(paragraph_xml: str) -> bytes:
    from pptx import Presentation
    from pptx.oxml import parse_xml
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(2))
    rid = slide.part.relate_to("https://example.com/", "http://schemas.openxmlformats.org/officeDocument/2006/"
                               "relationships/hyperlink", is_external=True)
    body = box.text_frame._txBody
    body.remove(body.find(f"{{{A}}}p"))
    body.append(parse_xml(f'<a:p xmlns:a="{A}" xmlns:r="{R}">{paragraph_xml.format(link=rid)}</a:p>'))
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _slide_paragraph(data: bytes) -> etree._Element:
    from pptx import Presentation

    shape = Presentation(io.BytesIO(data)).slides[0].shapes[0]
    return shape.text_frame._txBody.find(f"{{{A}}}p")


@pytest.mark.parametrize("bilingual", [False, True])
def test_slide_breaks_stay_mid_paragraph_and_links_stay_on_their_words(tiny_translator, bilingual):
    data = _slide('<a:r><a:rPr lang="en-US"/><a:t>The weather is good.</a:t></a:r><a:br><a:rPr lang="en-US"/></a:br>'
                  '<a:r><a:rPr lang="en-US"><a:hlinkClick r:id="{link}"/></a:rPr><a:t>Thank you.</a:t></a:r>')
    out = translate_content(tiny_translator, data, "a.pptx", "zh", bilingual=bilingual)
    from pptx import Presentation

    frame = Presentation(io.BytesIO(out)).slides[0].shapes[0].text_frame._txBody
    paragraph = frame.findall(f"{{{A}}}p")[-1]  # bilingual: the translation follows the original
    children = [etree.QName(c).localname for c in paragraph if etree.QName(c).localname in ("r", "br")]
    assert children == ["r", "br", "r"]
    runs = paragraph.findall("a:r", NS)
    assert [r.findtext("a:t", namespaces=NS) for r in runs] == [ZH["The weather is good."], ZH["Thank you."]]
    assert runs[1].find("a:rPr/a:hlinkClick", NS) is not None and runs[0].find("a:rPr/a:hlinkClick", NS) is None


def test_word_comments_are_translated(tiny_translator):
    from docx import Document

    document = Document()
    paragraph = document.add_paragraph("The weather is good.")
    document.add_comment(paragraph.runs, text="Prices remain stable.", author="Editor")
    out = io.BytesIO()
    document.save(out)
    translated = Document(io.BytesIO(translate_content(tiny_translator, out.getvalue(), "a.docx", "zh")))
    assert translated.paragraphs[0].text == ZH["The weather is good."]
    assert [c.text for c in translated.comments] == [ZH["Prices remain stable."]]
    assert [c.author for c in translated.comments] == ["Editor"]


DGM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"


def _pptx_with_parts() -> bytes:
    """A slide with a SmartArt data part and a legacy comments part, as PowerPoint writes them."""
    from pptx import Presentation
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    frame = slide.shapes.add_textbox(0, 0, 100, 100).text_frame
    frame.text = "The weather is good."
    frame.auto_size = MSO_AUTO_SIZE.NONE  # a fixed box, as placeholders are
    data = (f'<dgm:dataModel xmlns:dgm="{DGM}" xmlns:a="{A}"><dgm:ptLst><dgm:pt modelId="{{1}}"><dgm:t><a:bodyPr/>'
            '<a:p><a:r><a:rPr lang="en-US"/><a:t>Exports grew by five percent.</a:t></a:r></a:p></dgm:t></dgm:pt>'
            "</dgm:ptLst></dgm:dataModel>").encode()
    diagram = Part(PackURI("/ppt/diagrams/data1.xml"),
                   "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml", presentation.part.package,
                   data)
    slide.part.relate_to(diagram, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/diagramData")
    comments = (f'<p:cmLst xmlns:p="{P}"><p:cm authorId="0" dt="2024-01-01T00:00:00" idx="1"><p:pos x="0" y="0"/>'
                "<p:text>Thank you.</p:text></p:cm></p:cmLst>").encode()
    part = Part(PackURI("/ppt/comments/comment1.xml"),
                "application/vnd.openxmlformats-officedocument.presentationml.comments+xml", presentation.part.package,
                comments)
    slide.part.relate_to(part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments")
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


@pytest.mark.parametrize("bilingual", [False, True])
def test_smartart_text_and_slide_comments_are_translated(tiny_translator, bilingual):
    from pptx import Presentation

    out = translate_content(tiny_translator, _pptx_with_parts(), "a.pptx", "zh", bilingual=bilingual)
    presentation = Presentation(io.BytesIO(out))
    blobs = {str(p.partname): p.blob for p in presentation.part.package.iter_parts()}
    diagram = etree.fromstring(blobs["/ppt/diagrams/data1.xml"])
    texts = [t.text for t in diagram.iter(f"{{{A}}}t")]
    comment = etree.fromstring(blobs["/ppt/comments/comment1.xml"]).findtext(f".//{{{P}}}text")
    frame = presentation.slides[0].shapes[0].text_frame
    if bilingual:
        assert texts == ["Exports grew by five percent.", ZH["Exports grew by five percent."]]
        assert comment == "Thank you.\n" + ZH["Thank you."]
        # twice the text in the same box: it shrinks on overflow
        assert frame._txBody.find(f"{{{A}}}bodyPr/{{{A}}}normAutofit") is not None
    else:
        assert texts == [ZH["Exports grew by five percent."]] and comment == ZH["Thank you."]
        assert frame.text == ZH["The weather is good."]


@pytest.mark.parametrize("bilingual", [False, True])
def test_a_sentence_with_three_links_keeps_all_three(tmp_path, bilingual):
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    from tests.fakes import fake_translator

    document = Document()
    ids = [document.part.relate_to(f"https://{n}.example", RT.HYPERLINK, is_external=True) for n in "abc"]
    inner = (_run("Three links: ") + f'<w:hyperlink r:id="{ids[0]}">{_run("the first")}</w:hyperlink>'
             + _run(", ") + f'<w:hyperlink r:id="{ids[1]}">{_run("the second")}</w:hyperlink>' + _run(" and ")
             + f'<w:hyperlink r:id="{ids[2]}">{_run("the third")}</w:hyperlink>' + _run("."))
    body = document.element.body
    body.insert(0, parse_xml(f'<w:p xmlns:w="{W}" xmlns:r="{R}">{inner}</w:p>'))
    data = io.BytesIO()
    document.save(data)
    out = translate_content(fake_translator(tmp_path), data.getvalue(), "a.docx", "zh", source="en",
                            bilingual=bilingual)
    paragraph = _body(out)[1 if bilingual else 0]
    links = paragraph.findall("w:hyperlink", NS)
    # the first two links are carried onto their own translated words (bilingual.translation.inline); the
    # third would make the sentence's spans more than half of it, so it follows the sentence around its own text
    assert [link.get(f"{{{R}}}id") for link in links] == ids
    assert [_text(link) for link in links] == ["<the first>", "<the second>", "<the third>"]
    assert _text(paragraph) == "<Three links: <the first>, <the second> and the third.>（<the third>）"


def test_a_long_paragraph_of_many_runs_takes_time_in_proportion(tmp_path):
    """One paragraph of n sentences, each with a bold word (a run of its own) and a link: each sentence looks
    at its own runs only (a scan of every run per sentence was n squared)."""
    from tests.fakes import fake_translator
    translator = fake_translator(tmp_path, max_document_chars=10_000_000)

    def run(n: int):
        sentence = _run("The delegation visited ") + _run("Chongqing", bold=True) + _run(" on Monday. ")
        data = _word([sentence * n])
        return lambda: translate_content(translator, data, "a.docx", "zh", source="en")

    assert_linear_time(run, 250)  # 8x the input: far below quadratic (64x)
