"""PDF to PDF with the layout kept, on a press release and a two-column paper page typeset here with
reportlab from the tiny models' sentences: the output's text, read back with its positions, has
every block translated (exactly), nothing outside the page or over another line, the images byte
for byte, the numbers block untouched; the bilingual PDF has twice the pages."""

from __future__ import annotations

import io

import pytest

from bilingual.documents import translate_content
from bilingual.documents.pdf_fonts import font_file
from tests.fixtures.corpus import PAIRS
from tests.test_documents import _png

ZH = {en: zh for zh, en in PAIRS}
PRESS = [  # (font size, sentences): one block each
    (18, ["Liangjiang New Area signed a cooperation agreement."]),
    (11, ["The delegation visited Chongqing.", "Both sides will strengthen trade cooperation.",
          "The mayor welcomed the foreign guests."]),
    (11, ["Exports grew by five percent.", "The new factory opens next year."]),
]
LEFT = [["The meeting was held on Monday.", "The bank lowered interest rates."],
        ["Prices remain stable.", "The company released its annual report."]]
RIGHT = [["The railway connects the two cities.", "Experts introduced the new technology."],
         ["The government supports small businesses.", "Thank you."]]



def _lines(canvas, sentences: list[str], x: float, y: float, width: float, size: float) -> float:
    """The sentences set as a paragraph (wrapped at ``width``) from ``y`` down; returns the y below it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    canvas.setFont("Helvetica", size)
    line = ""
    for word in " ".join(sentences).split():
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, "Helvetica", size) > width and line:
            canvas.drawString(x, y, line)
            y -= size * 1.2
            line = word
        else:
            line = candidate
    canvas.drawString(x, y, line)
    return y - size * 3


def _press_release() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    y = 780.0
    for size, sentences in PRESS:
        y = _lines(page, sentences, 72, y, 300, size)
    page.line(72, y + 20, 520, y + 20)  # a rule
    page.drawImage(ImageReader(io.BytesIO(_png())), 400, 640, width=120, height=60)
    page.setFont("Helvetica", 11)
    page.drawString(72, y - 10, "2023   12.5%")  # nothing to translate: stays as it is
    page.showPage()
    page.save()
    return out.getvalue()


def _two_columns() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for x, column in ((60, LEFT), (320, RIGHT)):
        y = 760.0
        for sentences in column:
            y = _lines(page, sentences, x, y, 210, 10)
    page.showPage()
    page.save()
    return out.getvalue()


def _read(data: bytes):
    """Each page's text lines with their boxes, and the page sizes, read back with pdfminer."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextBox

    pages = []
    for page in extract_pages(io.BytesIO(data)):
        lines = [(line.get_text().strip(), line.bbox) for box in page if isinstance(box, LTTextBox) for line in box
                 if line.get_text().strip()]
        pages.append((page.bbox, lines))
    return pages


def _overlap(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


@pytest.mark.parametrize(("make", "blocks"), [(_press_release, [s for _, s in PRESS]), (_two_columns, LEFT + RIGHT)])
def test_every_block_is_translated_in_its_box(tiny_translator, make, blocks):
    source = make()
    out = translate_content(tiny_translator, source, "paper.pdf", "zh")
    assert out.startswith(b"%PDF")
    (page_box, lines), = _read(out)
    text = "".join(t for t, _ in lines).replace(" ", "")
    for sentences in blocks:
        assert "".join(ZH[s] for s in sentences) in text  # the block's translation, whole
        assert not any(s.split()[0] + " " + s.split()[1] in " ".join(t for t, _ in lines) for s in sentences)
    for _, box in lines:  # inside the page
        assert page_box[0] <= box[0] and box[2] <= page_box[2] and page_box[1] <= box[1] and box[3] <= page_box[3]
    boxes = [box for _, box in lines]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if _overlap(a, b) > 1.0]


def test_images_and_untranslatable_text_stay_and_a_bilingual_pdf_has_twice_the_pages(tiny_translator):
    from pypdf import PdfReader

    source = _press_release()
    out = translate_content(tiny_translator, source, "release.pdf", "zh")
    before, after = PdfReader(io.BytesIO(source)).pages[0], PdfReader(io.BytesIO(out)).pages[0]
    assert [i.data for i in after.images] == [i.data for i in before.images] != []  # byte for byte
    assert "2023 12.5%" in " ".join(" ".join(t.split()) for t, _ in _read(out)[0][1])
    both = translate_content(tiny_translator, source, "release.pdf", "zh", bilingual=True)
    pages = _read(both)
    assert len(pages) == 2 * len(_read(source))
    assert any("Liangjiang New Area" in t for t, _ in pages[0][1])  # the original page first
    assert ZH[PRESS[0][1][0]] in "".join(t for t, _ in pages[1][1]).replace(" ", "")
    docx = translate_content(tiny_translator, source, "release.pdf", "zh", out_suffix=".docx")
    assert docx.startswith(b"PK")  # a .docx on request


def test_side_by_side_puts_each_page_and_its_translation_on_one_wide_page(tiny_translator, tmp_path, monkeypatch):
    from pypdf import PdfReader

    from bilingual.cli import main as cli_main

    source = tmp_path / "release.pdf"
    source.write_bytes(_press_release())
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", tiny_translator.settings.model_zh_en)
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", tiny_translator.settings.model_en_zh)
    monkeypatch.setenv("BILINGUAL_BACKEND", "transformers")
    assert cli_main(["translate", str(source), "--to", "zh", "--layout", "side", "-o", str(tmp_path / "out.pdf")],
                    stdout=io.StringIO()) == 0
    out = (tmp_path / "out.pdf").read_bytes()
    (page,), (wide,) = PdfReader(io.BytesIO(source.read_bytes())).pages, PdfReader(io.BytesIO(out)).pages
    width = float(page.mediabox.width)
    assert (float(wide.mediabox.width), float(wide.mediabox.height)) == (2 * width, float(page.mediabox.height))
    (box, lines), = _read(out)
    left = " ".join(t for t, b in lines if b[2] <= width)
    right = "".join(t for t, b in lines if b[0] >= width).replace(" ", "")
    assert all(s in left for _, sentences in PRESS for s in sentences)  # the original on the left
    assert all(ZH[s] in right for _, sentences in PRESS for s in sentences)  # its translation on the right
    assert not [t for t, b in lines if b[0] < width < b[2]]  # nothing across the middle
    assert [i.data for i in wide.images] == [i.data for i in page.images] * 2  # the image, on both halves


def test_a_rotated_page_and_a_shifted_media_box_are_translated_in_place(tiny_translator):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    reader = PdfReader(io.BytesIO(_two_columns()))
    writer = PdfWriter()
    rotated = writer.add_page(reader.pages[0])
    rotated.rotate(90).transfer_rotation_to_content()  # its content drawn sideways …
    rotated.rotate(270)  # … and the page turned to show it upright, as rotated pages are made
    shifted = writer.add_page(PdfReader(io.BytesIO(_two_columns())).pages[0])
    shifted.add_transformation([1, 0, 0, 1, 100, 50])  # the content, and its media box, away from 0, 0
    shifted.mediabox = RectangleObject([100, 50, 100 + float(shifted.mediabox.width), 50 + float(shifted.mediabox.height)])
    source = io.BytesIO()
    writer.write(source)
    out = translate_content(tiny_translator, source.getvalue(), "paper.pdf", "zh")
    for _, lines in _read(out):
        text = "".join(t for t, _ in lines).replace(" ", "")
        assert all("".join(ZH[s] for s in sentences) in text for sentences in LEFT + RIGHT)
        assert "meeting" not in " ".join(t for t, _ in lines)  # the English is gone, not hidden under


def _fonts(data: bytes) -> list[tuple[str, bool]]:
    """Each font of the first page: its base name, and whether its file is embedded."""
    from pypdf import PdfReader

    out = []
    for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        out.append((str(font["/BaseFont"]), any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return out


@pytest.mark.skipif(font_file(None) is None, reason="no Noto Sans CJK installed (Debian: fonts-noto-cjk)")
def test_chinese_is_drawn_in_an_embedded_subset_of_the_installed_cjk_font(tiny_translator):
    from reportlab.pdfbase import pdfmetrics

    for make, blocks in ((_press_release, [s for _, s in PRESS]), (_two_columns, LEFT + RIGHT)):
        out = translate_content(tiny_translator, make(), "release.pdf", "zh")
        cjk = [(name, embedded) for name, embedded in _fonts(out) if "Helvetica" not in name]
        assert len(cjk) == 1 and cjk[0][1] and "BilingualCJK" in cjk[0][0]  # a TrueType subset, in the file
        text = "".join(t for t, _ in _read(out)[0][1]).replace(" ", "")
        # the second document's subset is its own (reportlab would map a font of the same name to the first)
        assert all("".join(ZH[s] for s in sentences) in text for sentences in blocks)
    assert not [n for n in pdfmetrics.getRegisteredFontNames() if n.startswith("BilingualCJK")]  # forgotten after
    assert not [n for n in pdfmetrics._dynFaceNames if "BilingualCJK" in str(n)]


def test_without_a_font_file_chinese_is_drawn_in_the_builtin_font(tiny_translator, tmp_path, caplog):
    from bilingual import Translator

    builtin = Translator(tiny_translator.settings, pdf_font="builtin")
    out = translate_content(builtin, _press_release(), "release.pdf", "zh")
    assert ("/STSong-Light", False) in _fonts(out)
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    out = translate_content(Translator(tiny_translator.settings, pdf_font=str(broken)), _press_release(),
                            "release.pdf", "zh")
    assert ("/STSong-Light", False) in _fonts(out)  # a file that is no font: the text is still drawn
    assert "broken.ttf is not used for PDFs" in caplog.text and str(tmp_path) not in caplog.text


@pytest.mark.skipif(font_file(None) is None, reason="no Noto Sans CJK installed (Debian: fonts-noto-cjk)")
def test_english_holding_chinese_characters_is_drawn_in_the_cjk_font(tmp_path):
    from reportlab.pdfgen import canvas

    from bilingual.documents.pdf_fonts import chinese_font
    from tests.fakes import fake_translator

    source = io.BytesIO()
    page = canvas.Canvas(source)
    with chinese_font("代表团访问了重庆。") as name:
        page.setFont(name, 12)
        page.drawString(72, 700, "代表团访问了重庆。")
        page.showPage()
        page.save()
    out = translate_content(fake_translator(tmp_path), source.getvalue(), "a.pdf", "en", source="zh")
    assert "<代表团访问了重庆。>" in "".join(t for t, _ in _read(out)[0][1])  # Helvetica has no such glyphs
    assert any("CJK" in name and embedded for name, embedded in _fonts(out))


def test_the_page_offers_the_side_by_side_layout(tmp_path):
    import json

    from pypdf import PdfReader

    from tests.live_server import fn_index, live_server, request, run_event, upload
    from tests.test_hardening import _completed

    source = _press_release()
    with live_server(tmp_path / "home") as url:
        status, body = upload(url, "release.pdf", source)
        (alias,) = json.loads(body)
        file_data = {"path": alias, "meta": {"_type": "gradio.FileData"}, "orig_name": "release.pdf"}
        _, messages = run_event(url, fn_index(url, "translate_upload"),
                                [file_data, "自动 Auto", False, "", "latency_optimized", "side"])
        download = _completed(messages)["output"]["data"][1]
        assert download["url"].endswith("/release.zh-Hans.bilingual.pdf")
        status, content = request(download["url"])
    (page,), (wide,) = PdfReader(io.BytesIO(source)).pages, PdfReader(io.BytesIO(content)).pages
    assert status == 200 and float(wide.mediabox.width) == 2 * float(page.mediabox.width)
