"""Documents in, the same kind of document out: built here with python-docx, python-pptx, srt,
reportlab and written strings, translated with the tiny models, checked structurally and exactly."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from bilingual import InputTooLargeError, UnsupportedFormatError, UnsupportedLanguageError
from bilingual import documents as docs_module
from bilingual.documents import translate_content, translate_file
from bilingual.text.chinese import convert
from tests.fakes import fake_translator
from tests.fixtures.corpus import PAIRS

ZH = {en: zh for zh, en in PAIRS}  # English sentence -> its Chinese translation
GREY = "5F6368"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("The weather is good.", level=1)
    p = document.add_paragraph("")
    p.add_run("The ")
    p.add_run("delegation visited").bold = True
    p.add_run(" Chongqing.")  # one sentence over three runs, bold in the middle: more than half of it, so not
    # translated apart (bilingual.translation.inline): the sentence goes whole, in the plain formatting
    p.add_run(" ")
    p.add_run("Thank you.").bold = True  # a whole sentence in one bold run keeps it
    document.add_paragraph("The bank lowered interest rates.", style="List Bullet")
    document.add_paragraph("Prices remain stable.", style="List Number")
    table = document.add_table(rows=2, cols=3)
    table.style = "Table Grid"
    for (r, c), text in {(0, 0): "The mayor welcomed the foreign guests.", (0, 1): "2023", (0, 2): "12.5%",
                         (1, 0): "https://example.com/report.pdf", (1, 1): "Exports grew by five percent.",
                         (1, 2): ""}.items():
        table.cell(r, c).text = text
    document.add_picture(io.BytesIO(_png()))
    document.sections[0].header.paragraphs[0].text = "Thank you."
    document.sections[0].footer.paragraphs[0].text = "The company released its annual report."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return _docx()


def test_docx_structure_and_exact_text(tiny_translator, docx_bytes):
    from docx import Document

    original = Document(io.BytesIO(docx_bytes))
    result = Document(io.BytesIO(translate_content(tiny_translator, docx_bytes, "release.docx", "zh")))
    assert [p.style.name for p in result.paragraphs] == [p.style.name for p in original.paragraphs]
    texts = [p.text for p in result.paragraphs]
    assert texts[:4] == ["天气很好。", "代表团访问了重庆。谢谢。", "银行降低了利率。", "价格保持稳定。"]
    runs = [(r.text, r.bold, r.italic) for r in result.paragraphs[1].runs]
    assert runs == [("代表团访问了重庆。", None, None), ("谢谢。", True, None)]  # mixed dropped, whole kept
    cells = [[c.text for c in row.cells] for row in result.tables[0].rows]
    assert cells == [["市长欢迎外国客人。", "2023", "12.5%"], ["https://example.com/report.pdf", "出口增长了百分之五。", ""]]
    assert result.tables[0].style.name == "Table Grid"
    assert result.sections[0].header.paragraphs[0].text == "谢谢。"
    assert result.sections[0].footer.paragraphs[0].text == "公司发布了年度报告。"
    assert len(result.inline_shapes) == 1
    image = result.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert result.part.related_parts[image].blob == _png()  # the image, byte for byte


def test_docx_bilingual(tiny_translator, docx_bytes):
    from docx import Document

    result = Document(io.BytesIO(translate_content(tiny_translator, docx_bytes, "r.docx", "zh", bilingual=True)))
    texts = [p.text for p in result.paragraphs]
    assert texts[:4] == ["The weather is good.", "天气很好。", "The delegation visited Chongqing. Thank you.",
                         "代表团访问了重庆。谢谢。"]
    assert result.paragraphs[1].style.name == "Heading 1"
    assert all(str(r.font.color.rgb) == GREY for r in result.paragraphs[1].runs)
    assert result.paragraphs[0].runs[0].font.color.rgb is None  # the original is untouched
    assert [p.text for p in result.tables[0].cell(0, 0).paragraphs] == ["The mayor welcomed the foreign guests.",
                                                                         "市长欢迎外国客人。"]


def test_a_sentence_over_three_runs_reaches_the_model_whole(tmp_path, docx_bytes):

    record: list = []
    translator = fake_translator(tmp_path, record=record)
    translate_content(translator, docx_bytes, "r.docx", "zh", source="en")
    sent = [s for batch in record[0].batches for s in batch]
    assert "The delegation visited Chongqing." in sent
    assert not any(s in ("The", "delegation", "visited") for s in sent)
    assert "2023" not in sent and "https://example.com/report.pdf" not in sent  # no language: never sent


def _pptx() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "The weather is good."
    slide.placeholders[1].text = "The bank lowered interest rates.\nPrices remain stable."
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(5), Inches(4), Inches(1)).table
    table.cell(0, 0).text = "Thank you."
    table.cell(1, 1).text = "2023"
    slide.notes_slide.notes_text_frame.text = "The delegation visited Chongqing."
    second = presentation.slides.add_slide(presentation.slide_layouts[5])
    second.shapes.title.text = "The new factory opens next year."
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def test_pptx_frames_tables_notes_and_bilingual(tiny_translator):
    from pptx import Presentation

    data = _pptx()
    result = Presentation(io.BytesIO(translate_content(tiny_translator, data, "deck.pptx", "zh")))
    first, second = result.slides
    frames = [s.text_frame.text for s in first.shapes if s.has_text_frame]
    assert frames == ["天气很好。", "银行降低了利率。\n价格保持稳定。"]
    table = next(s for s in first.shapes if s.has_table).table
    assert [[c.text for c in row.cells] for row in table.rows] == [["谢谢。", ""], ["", "2023"]]
    assert first.notes_slide.notes_text_frame.text == "代表团访问了重庆。"
    assert second.shapes.title.text == "新工厂明年开工。"
    original = Presentation(io.BytesIO(data))
    assert [(s.left, s.top, s.width, s.height) for s in first.shapes] == [
        (s.left, s.top, s.width, s.height) for s in original.slides[0].shapes
    ]  # layout untouched
    both = Presentation(io.BytesIO(translate_content(tiny_translator, data, "deck.pptx", "zh", bilingual=True)))
    assert both.slides[0].shapes.title.text_frame.text == "The weather is good.\n天气很好。"


def _srt() -> str:
    import srt

    def t(seconds: float) -> datetime.timedelta:
        return datetime.timedelta(seconds=seconds)

    cues = [
        srt.Subtitle(7, t(1.0), t(2.5), "The delegation"),
        srt.Subtitle(8, t(2.5), t(4.0), "visited Chongqing."),
        srt.Subtitle(9, t(4.5), t(6.25), "The weather is good.\nThank you."),
        srt.Subtitle(10, t(7.0), t(8.0), "2023"),
    ]
    return srt.compose(cues, reindex=False)


def test_srt_keeps_numbers_and_timings_and_shares_sentences_over_cues(tiny_translator):
    import srt

    original = list(srt.parse(_srt()))
    result = list(srt.parse(translate_content(tiny_translator, _srt().encode(), "news.srt", "zh").decode()))
    assert [(c.index, c.start, c.end) for c in result] == [(c.index, c.start, c.end) for c in original]
    assert "".join(c.content for c in result[:2]) == "代表团访问了重庆。"  # one sentence, shared by two cues
    assert result[0].content and result[1].content
    assert result[2].content == "天气很好。谢谢。"
    assert result[3].content == "2023"
    both = list(srt.parse(translate_content(tiny_translator, _srt().encode(), "n.srt", "zh", bilingual=True).decode()))
    assert both[2].content == "The weather is good.\nThank you.\n天气很好。谢谢。"


MARKDOWN = """---
title: The weather is good.
---
# The weather is good.

**Thank you.** The bank lowered interest rates. `make test`

- Prices remain stable.
- [The new factory opens next year.](https://example.com/factory "Plans")

| Item | Value |
| --- | --- |
| Exports grew by five percent. | 12.5% |

![The city has many bridges.](images/bridges.png)

```python
print("The weather is good.")
```
"""


def test_markdown(tiny_translator):
    out = translate_content(tiny_translator, MARKDOWN.encode(), "post.md", "zh").decode()
    lines = out.split("\n")
    assert lines[:4] == ["---", "title: The weather is good.", "---", "# 天气很好。"]  # front matter untouched
    assert lines[5] == "**谢谢。**银行降低了利率。 `make test`"  # a bold sentence stays bold; code untouched
    assert lines[7] == "- 价格保持稳定。"
    assert lines[8] == '- [新工厂明年开工。](https://example.com/factory "Plans")'  # URL untouched
    assert lines[11:13] == ["| --- | --- |", "| 出口增长了百分之五。 | 12.5% |"]  # cell by cell
    assert "![这座城市有很多桥。](images/bridges.png)" in out
    assert '```python\nprint("The weather is good.")\n```' in out  # fenced code untouched
    both = translate_content(tiny_translator, MARKDOWN.encode(), "post.md", "zh", bilingual=True).decode()
    assert "# The weather is good.\n> 天气很好。" in both
    assert "- Prices remain stable.\n  > 价格保持稳定。" in both


def test_html_file_bilingual(tiny_translator):
    page = "<html><body><h1>Thank you.</h1><p>The weather is good.</p><code>Thank you.</code></body></html>"
    out = translate_content(tiny_translator, page.encode(), "p.html", "zh", bilingual=True).decode()
    assert out == (
        '<html><body><h1>Thank you.<br/><span class="bilingual-translation" style="color:#5f6368">谢谢。</span></h1>'
        '<p>The weather is good.<br/><span class="bilingual-translation" style="color:#5f6368">天气很好。</span></p>'
        "<code>Thank you.</code></body></html>"
    )


def _pdf(lines: list[str], *, text: bool = True) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    y = 780
    for line in lines:
        if text and line:
            pdf.drawString(72, y, line)
        elif not text:
            pdf.rect(72, y, 200, 10, fill=1)
        y -= 16
    pdf.save()
    return out.getvalue()


PDF_LINES = [
    "The delegation visited Chongqing. The weather is good. The bank low-",
    "ered interest rates. Prices remain stable. The new factory opens",
    "next year.",
    "The mayor welcomed the foreign guests. Both sides will strengthen",
    "trade cooperation. Thank you.",
]
PDF_ZH = ["代表团访问了重庆。天气很好。银行降低了利率。价格保持稳定。新工厂明年开工。", "市长欢迎外国客人。双方将加强贸易合作。谢谢。"]


def test_a_pdf_with_little_text_and_no_images_is_not_taken_for_a_scan(tmp_path):
    out = translate_content(fake_translator(tmp_path), _pdf(["Thank you."]), "short.pdf", "zh", source="en",
                            out_suffix=".txt")
    assert out.decode() == "<Thank you.>\n"


def test_pdf_text_layer_to_docx_and_txt(tiny_translator):
    from docx import Document

    from bilingual.documents.pdf import pdf_text

    text = pdf_text(_pdf(PDF_LINES))
    assert "low-\nered" in text  # hard-wrapped and hyphenated, as a PDF's text layer is
    result = Document(io.BytesIO(translate_content(tiny_translator, _pdf(PDF_LINES), "report.pdf", "zh",
                                                   out_suffix=".docx")))
    assert [p.text for p in result.paragraphs] == PDF_ZH
    as_text = translate_content(tiny_translator, _pdf(PDF_LINES), "report.pdf", "zh", out_suffix=".txt").decode()
    assert as_text == "\n\n".join(PDF_ZH) + "\n"


# -- bad files ------------------------------------------------------------------------------------


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/image1.png", b"\0" * (120 * 1024 * 1024), compresslevel=1)  # past 100 MB
    return out.getvalue()


def _scanned_pdf() -> bytes:
    """Two pages that are images, with a six-letter watermark in the text layer (as a real scan had)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for _ in range(2):
        pdf.drawImage(ImageReader(io.BytesIO(_png())), 0, 0, width=595, height=842)
        pdf.drawString(500, 20, "SCAN")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _ole(*streams: str) -> bytes:
    """The start of a Compound File naming these streams (as Office writes around an encrypted package)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"".join(s.encode("utf-16-le") + bytes(8) for s in streams)


def _strict_docx() -> bytes:
    """A .docx in ISO 29500 Strict form (as Word's "Strict Open XML Document" writes its relationships)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "_rels/.rels":
                data = data.replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
                                    b"http://purl.oclc.org/ooxml/officeDocument/relationships/")
            target.writestr(info, data)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf(["The weather is good."]))).pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("report.docx", lambda: b"this is not a zip file", "not a valid docx"),
        ("deck.pptx", lambda: b"PK\x03\x04 broken", "not a valid pptx"),
        ("bomb.docx", _zip_bomb, "zip bomb"),
        ("notes.txt", lambda: bytes(range(256)) * 8, "not text in UTF-8"),
        ("scan.pdf", lambda: _pdf(["x"] * 5, text=False), "OCR is not supported"),
        ("watermarked-scan.pdf", _scanned_pdf, "looks scanned: its pages are images, with 8 letter"),
        ("locked.docx", lambda: _ole("EncryptionInfo", "EncryptedPackage"), "docx file is password-protected"),
        ("locked.pptx", lambda: _ole("EncryptionInfo", "EncryptedPackage"), "pptx file is password-protected"),
        ("old.docx", lambda: _ole("WordDocument"), "old .doc document, not docx"),
        ("strict.docx", _strict_docx, "Strict Open XML format.*Save it as a Word Document"),
        ("locked.pdf", _encrypted_pdf, "protected by a password"),
        ("broken.pdf", lambda: b"%PDF-1.4 nonsense", "not a readable PDF"),
        ("empty.md", lambda: b"", "empty"),
        ("cues.srt", lambda: b"1\nnot a timing\nhello\n", "not valid SubRip"),
        ("image.png", lambda: _png(), "cannot be translated"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path, name, make, message):

    translator = fake_translator(tmp_path)
    with pytest.raises(UnsupportedFormatError, match=message):
        translate_content(translator, make(), name, "zh", source="en")
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(UnsupportedFormatError):
        translate_file(translator, path, "zh", source="en")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [name]  # nothing left behind


def test_too_large_files_and_texts(tmp_path, monkeypatch):

    translator = fake_translator(tmp_path, max_input_chars=50, max_document_chars=100)
    with pytest.raises(InputTooLargeError, match="limit for documents of 100.*BILINGUAL_MAX_DOCUMENT_CHARS"):
        translate_content(translator, ("The weather is good. " * 10).encode(), "a.txt", "zh")
    # a file is held to the documents' limit, not to the limit of a text
    assert translate_content(translator, ("The weather is good. " * 4).encode(), "a.txt", "zh", source="en")
    with pytest.raises(InputTooLargeError):
        translate_content(translator, _docx(), "a.docx", "zh", max_chars=20)
    monkeypatch.setattr(docs_module, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.md"
    path.write_text("The weather is good. " * 10)
    with pytest.raises(InputTooLargeError, match="larger than"):
        translate_file(translator, path, "zh")


def test_broken_html_is_parsed_leniently(tiny_translator):
    out = translate_content(tiny_translator, b"<p>The weather is good.<p>Thank you.</b></div>", "x.html", "zh")
    assert out.decode() == "<p>天气很好。<p>谢谢。</p></p>"


# -- entry points ----------------------------------------------------------------------------------


def test_python_api_writes_beside_the_input(tiny_translator, tmp_path):
    source = tmp_path / "release.docx"
    source.write_bytes(_docx())
    written = translate_file(tiny_translator, source, "zh-TW")
    assert written == tmp_path / "release.zh-TW.docx"
    from docx import Document

    assert Document(str(written)).paragraphs[0].text == convert("天气很好。", "Hant-TW")
    auto = translate_file(tiny_translator, source)  # automatic target: the other language
    assert auto == tmp_path / "release.zh-Hans.docx"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_pdf(PDF_LINES))
    assert translate_file(tiny_translator, pdf, "zh") == tmp_path / "report.zh-Hans.pdf"  # a PDF stays a PDF
    assert translate_file(tiny_translator, pdf, "zh", out=tmp_path / "r.docx") == tmp_path / "r.docx"
    assert translate_file(tiny_translator, pdf, "zh", out=tmp_path / "out" / "r.md").read_text() == "\n\n".join(PDF_ZH) + "\n"


def test_cli_file_and_folder(tiny_translator, tmp_path, monkeypatch):
    from bilingual.cli import main as cli_main

    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", tiny_translator.settings.model_zh_en)
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", tiny_translator.settings.model_en_zh)
    monkeypatch.setenv("BILINGUAL_BACKEND", "transformers")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.docx").write_bytes(_docx())
    (folder / "sub" / "b.md").write_text("# Thank you.\n")
    (folder / "sub" / "c.srt").write_text(_srt())
    (folder / "ignored.bin").write_bytes(b"\0")
    out = io.StringIO()
    assert cli_main(["translate", str(folder / "a.docx"), "-o", str(tmp_path / "x.docx"), "--bilingual"],
                    stdout=out) == 0
    assert out.getvalue().strip() == str(tmp_path / "x.docx")
    out = io.StringIO()
    assert cli_main(["translate", str(folder), "--to", "zh", "-o", str(tmp_path / "out")], stdout=out) == 0
    assert "3 of 3 files translated" in out.getvalue()
    assert (tmp_path / "out" / "sub" / "b.md").read_text() == "# 谢谢。\n"
    assert (tmp_path / "out" / "a.docx").is_file() and (tmp_path / "out" / "sub" / "c.srt").is_file()


def test_a_document_refused_for_its_language_says_how_to_translate_its_english(tmp_path):
    french = ("La réunion a eu lieu lundi. Les exportations ont augmenté. Le temps est beau aujourd'hui. "
              "The weather is good.")
    with pytest.raises(UnsupportedLanguageError, match='looks like French.*source="en"'):
        translate_content(fake_translator(tmp_path), french.encode(), "mixed.txt", "zh")
    out = translate_content(fake_translator(tmp_path), french.encode(), "mixed.txt", "zh", source="en")
    assert out.decode().endswith("<The weather is good.>")


def test_pypdf_warnings_reach_the_log_once_each_not_stderr_per_glyph(capsys):
    import logging

    from bilingual.documents import pdf  # noqa: F401 - installs the handler

    seen: list[logging.LogRecord] = []
    root = logging.getLogger()
    handler = logging.Handler()
    handler.emit = seen.append
    root.addHandler(handler)
    try:
        for font in range(50):
            logging.getLogger("pypdf._page").warning(f"fontTools is required to read font '/F{font}' ({font} glyphs)")
    finally:
        root.removeHandler(handler)
    shown = [(r.name, r.getMessage()) for r in seen if "fontTools" in r.getMessage()]
    assert len(shown) <= 1 and all(name == "bilingual.documents.pdf" for name, _ in shown)  # once, or seen already
    assert "fontTools" not in capsys.readouterr().err


def test_markdown_keeps_every_link_of_a_sentence_and_links_on_code(tmp_path):
    source = "[The bank](https://a.example) lowered [interest rates](https://b.example) again. See [`make test`](https://c.example).\n"
    out = translate_content(fake_translator(tmp_path), source.encode(), "a.md", "zh", source="en").decode()
    # the fake engine marks each translation <...>: the first link is carried onto its own translated words
    # (bilingual.translation.inline); the second would make the sentence's spans over half of it, so it
    # follows the sentence with its own text translated; the code keeps its link
    assert out == ("\\<[\\<The bank\\>](https://a.example) lowered interest rates again.\\> "
                   "([\\<interest rates\\>](https://b.example))\\<See\\> [`make test`](https://c.example).\n")
    import re

    assert re.findall(r"\]\((\S+?)\)", out) == ["https://a.example", "https://b.example", "https://c.example"]


def test_subtitles_keep_speakers_italics_and_wrap_chinese_lines(tiny_translator):
    import srt

    def t(seconds: float) -> datetime.timedelta:
        return datetime.timedelta(seconds=seconds)

    cues = [
        srt.Subtitle(1, t(0), t(2), "- The weather is good.\n- Thank you."),  # two speakers
        srt.Subtitle(2, t(2), t(4), "<i>The delegation visited Chongqing.</i>"),
        srt.Subtitle(3, t(4), t(6), "{\\an8}The mayor welcomed the foreign guests. Both sides will strengthen trade "
                                     "cooperation."),
        srt.Subtitle(4, t(6), t(7), "The company released its annual report. The"),  # one word of the next sentence
        srt.Subtitle(5, t(7), t(9), "railway connects the two cities."),
    ]
    data = srt.compose(cues, reindex=False).encode()
    result = list(srt.parse(translate_content(tiny_translator, data, "talk.srt", "zh").decode()))
    assert result[0].content == "- 天气很好。\n- 谢谢。"
    assert result[1].content == "<i>代表团访问了重庆。</i>"
    assert result[2].content == "{\\an8}市长欢迎外国客人。\n双方将加强贸易合作。"  # 19 characters: two lines
    assert all(len(line) <= 16 for c in result[2:] for line in c.content.removeprefix("{\\an8}").split("\n"))
    assert all(c.content.strip() for c in result)  # the cue holding one word of a sentence gets its share
    assert "".join(c.content for c in result[3:]).replace("\n", "") == "公司发布了年度报告。铁路连接了两个城市。"


def test_share_out_gives_every_part_something_and_wraps_balance():
    from bilingual.documents.subtitles import _share_out, wrap_chinese

    assert _share_out("铁路连接了两个城市。", [1, 40], "zh") == ["铁", "路连接了两个城市。"]
    assert all(_share_out("甲乙丙", [1, 1, 50], "zh"))
    assert wrap_chinese("短句。") == "短句。"
    assert wrap_chinese("这是一个很长的句子，它需要分成两行来显示才好看。") == "这是一个很长的句子，\n它需要分成两行来显示才好看。"


def test_a_pdf_list_item_wrapped_over_two_lines_is_one_paragraph(tmp_path):
    lines = ["Findings of the delegation:", "1. The bank lowered interest rates and prices",
             "   remain stable in the region.", "2. Exports grew by five percent in the first",
             "   quarter of the year."]
    out = translate_content(fake_translator(tmp_path), _pdf(lines), "paper.pdf", "zh", source="en",
                            out_suffix=".txt").decode()
    assert out.strip().split("\n\n") == ["<Findings of the delegation:>",
                                          "1.<The bank lowered interest rates and prices remain stable in the region.>",
                                          "2.<Exports grew by five percent in the first quarter of the year.>"]
