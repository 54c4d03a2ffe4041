"""PDF to PDF with the layout kept: each text block translated whole and written back into its box.

With permissive libraries only: pdfminer.six (MIT) finds the text blocks (lines joined into
paragraphs, in reading order, columns apart) with their boxes and font sizes; pypdf (BSD) removes
the text that is shown inside the translated blocks from the pages' content streams, keeping every
other drawing operation (images, vector graphics, tables' rules, and the text of blocks with
nothing to translate: numbers, formulas, code); reportlab (BSD) draws the translations, each in its
block's box at the largest size that fits (never larger than the original), and the two are merged.
So nothing leaves its box, the page or overlaps another block. Chinese (and English holding
characters Helvetica has not) is drawn in an installed Noto Sans CJK font, subset to the document
and embedded, or else in reportlab's built-in CID font ``STSong-Light`` (:mod:`.pdf_fonts`);
other English in Helvetica.

A rotated page's rotation is moved into its content first (it looks the same), so that the
layout, the content stream and the drawing share one space; a media box need not start at 0, 0.

What is not reproduced: the original fonts of translated blocks (one font for the translation),
text drawn inside form XObjects (left as it is), annotations' text. A bilingual PDF has each
original page followed by its translation. The checks of :mod:`.pdf` (encryption, scans, decoded
content, time) run first.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import InputTooLargeError
from ..text.normalize import normalize_text
from ..text.pieces import needs_translation
from .pdf_fonts import chinese_font

MIN_SIZE = 3.0  # points: a translation is never set smaller
LEADING = 1.2
MARGIN = 1.0  # points around a block in which its original text is removed


@dataclass(frozen=True)
class Block:
    """A text block of a page: its box (PDF points, origin bottom left), its text, its font size."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float

    def holds(self, x: float, y: float) -> bool:
        return self.x0 - MARGIN <= x <= self.x1 + MARGIN and self.y0 - MARGIN <= y <= self.y1 + MARGIN


def upright(data: bytes) -> bytes:
    """The PDF with every rotated page's rotation moved into its content (``/Rotate`` 0), so that the
    layout's coordinates, the content stream's and the drawing's are one space; ``data`` if none is."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    if not any(page.rotation % 360 for page in reader.pages):
        return data
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        if page.rotation % 360:
            page.transfer_rotation_to_content()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def read_blocks(data: bytes, corners: Sequence[tuple[float, float]], *,
                time_budget: float = 30.0) -> list[list[Block]]:
    """Each page's text blocks, in reading order (pdfminer's layout analysis), in the page's own
    coordinates: pdfminer's start at the media box's corner, each page's in ``corners`` (pages must
    be upright: :func:`upright`)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextBox

    started = time.monotonic()
    pages = []
    for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams())):
        dx, dy = corners[number] if number < len(corners) else (0.0, 0.0)
        blocks = []
        for box in page:
            if not isinstance(box, LTTextBox):
                continue
            sizes = sorted(ch.size for line in box for ch in line if isinstance(ch, LTChar))
            lines = [line.get_text().strip() for line in box if line.get_text().strip()]
            text = " ".join(normalize_text("\n".join(lines)).split())  # hard wraps and hyphenation mended
            if text:
                blocks.append(Block(box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy, text,
                                    sizes[len(sizes) // 2] if sizes else 10.0))
        pages.append(blocks)
        if time.monotonic() - started > time_budget:
            raise InputTooLargeError(f"Laying out the PDF's text takes longer than {time_budget:g} s; split it into "
                                     "smaller files, or ask for a .docx.")
    return pages


def _multiply(m: Sequence[float], n: Sequence[float]) -> list[float]:
    """The PDF matrix m × n (each [a b c d e f])."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2]


def remove_text(page, blocks: Sequence[Block]) -> int:
    """Drop from ``page``'s content stream the text shown inside ``blocks`` (the rest stays); returns how
    many show operations were dropped."""
    from pypdf.generic import ContentStream

    contents = page.get_contents()
    if not blocks or contents is None:
        return 0
    content = ContentStream(contents, page.pdf)
    identity = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    ctm, stack = list(identity), []
    tm, tlm, leading = list(identity), list(identity), 0.0
    kept, dropped = [], 0

    def move(tx: float, ty: float) -> None:
        nonlocal tm, tlm
        tlm = _multiply([1, 0, 0, 1, tx, ty], tlm)
        tm = list(tlm)

    for operands, op in content.operations:
        number = [float(x) for x in operands] if op in (b"cm", b"Tm", b"Td", b"TD", b"TL") else []
        if op == b"q":
            stack.append(list(ctm))
        elif op == b"Q" and stack:
            ctm = stack.pop()
        elif op == b"cm" and len(number) == 6:
            ctm = _multiply(number, ctm)
        elif op == b"BT":
            tm, tlm = list(identity), list(identity)
        elif op == b"Tm" and len(number) == 6:
            tm, tlm = list(number), list(number)
        elif op in (b"Td", b"TD") and len(number) == 2:
            if op == b"TD":
                leading = -number[1]
            move(*number)
        elif op == b"TL" and number:
            leading = number[0]
        elif op in (b"T*", b"'", b'"'):
            move(0, -leading)
        if op in (b"Tj", b"TJ", b"'", b'"'):
            x, y = _multiply(tm, ctm)[4:]  # where the text starts, on the page
            if any(block.holds(x, y) for block in blocks):
                dropped += 1
                if op == b'"':  # its spacings still apply to what follows
                    kept += [(operands[:1], b"Tw"), (operands[1:2], b"Tc")]
                if op in (b"'", b'"'):
                    kept.append(([], b"T*"))  # and the line still moves
                continue
        kept.append((operands, op))
    content.operations = kept
    page.replace_contents(content)
    return dropped


def wrap(text: str, font: str, size: float, width: float, language: str) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (words in English, characters in Chinese)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    units = list(text) if language == "zh" else text.split(" ")
    glue = "" if language == "zh" else " "
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{glue}{unit}" if current else unit
        if stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = unit
    if current:
        lines.append(current)
    return lines


def fit(text: str, block: Block, language: str, font: str) -> tuple[float, list[str]]:
    """The largest size (at most the block's own) at which ``text`` fits the block's box in ``font``, and its
    lines."""
    width, height = max(1.0, block.x1 - block.x0), max(1.0, block.y1 - block.y0)
    size = max(MIN_SIZE, block.size)
    while True:
        lines = wrap(text, font, size, width, language)
        if len(lines) * size * LEADING <= height + size * (LEADING - 1) or size <= MIN_SIZE:
            return size, lines
        size = max(MIN_SIZE, size * 0.92)


def draw_page(width: float, height: float, origin: tuple[float, float],
              placed: Sequence[tuple[Block, str]], language: str, font: str) -> bytes:
    """A page of ``width`` × ``height`` with each translation drawn in its block's box, in ``font``."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height))
    for block, text in placed:
        size, lines = fit(text, block, language, font)
        page.setFont(font, size)
        y = block.y1 - origin[1] - size
        for line in lines:
            page.drawString(block.x0 - origin[0], y, line)
            y -= size * LEADING
    page.showPage()
    page.save()
    return out.getvalue()


def translate_pdf_layout(data: bytes, translate: Callable[[list[str]], list], *, bilingual: bool = False,
                         side_by_side: bool = False, font: str | None = None) -> bytes:
    """The PDF ``data`` with its text blocks translated in place (see the module docstring).

    ``translate`` takes the blocks' texts and returns their :class:`DocumentTranslation`\\ s. ``font``: the
    CJK font file to embed (``BILINGUAL_PDF_FONT``; None: an installed Noto Sans CJK, else STSong-Light).
    ``side_by_side``: each original page and its translation on one page twice as wide (implies ``bilingual``).
    """
    bilingual = bilingual or side_by_side
    from pypdf import PdfReader

    data = upright(data)
    readers = [PdfReader(io.BytesIO(data)) for _ in range(2 if bilingual else 1)]  # the translations, the originals
    for reader in readers:
        if reader.is_encrypted:
            reader.decrypt("")
    pages_blocks = read_blocks(data, [(float(p.mediabox.left), float(p.mediabox.bottom)) for p in readers[0].pages])
    todo = [(n, block) for n, page in enumerate(pages_blocks) for block in page if needs_translation(block.text)]
    docs = translate([block.text for _, block in todo]) if todo else []
    language = docs[0].target_language if docs else "zh"
    placed: dict[int, list[tuple[Block, str]]] = {}
    for (n, block), doc in zip(todo, docs):
        placed.setdefault(n, []).append((block, " ".join(doc.text.split())))
    text = "".join(t for page in placed.values() for _, t in page)
    if language != "zh" and _latin(text):
        out = _write(readers, placed, language, "Helvetica", bilingual)
    else:
        with chinese_font(text, font) as name:  # Chinese, or English holding a name left in Chinese
            out = _write(readers, placed, language, name, bilingual)
    return side_by_side_pages(out) if side_by_side else out


def side_by_side_pages(data: bytes) -> bytes:
    """A bilingual PDF (each original page followed by its translation) as one wide page per pair: the
    original on the left, its translation on the right, each in its own media box's size."""
    from pypdf import PdfReader, PdfWriter, Transformation

    pages = PdfReader(io.BytesIO(data)).pages
    writer = PdfWriter()
    for n in range(0, len(pages) - 1, 2):
        left, right = pages[n], pages[n + 1]
        width = float(left.mediabox.width)
        height = max(float(left.mediabox.height), float(right.mediabox.height))
        wide = writer.add_blank_page(width + float(right.mediabox.width), height)
        for page, x in ((left, 0.0), (right, width)):
            box = page.mediabox
            wide.merge_transformed_page(page, Transformation().translate(x - float(box.left), -float(box.bottom)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _latin(text: str) -> bool:
    """Whether Helvetica (reportlab's standard font, Latin-1 and a few more) can draw ``text``."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _write(readers, placed: dict[int, list[tuple[Block, str]]], language: str, font: str, bilingual: bool) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for n in range(len(readers[0].pages)):
        if bilingual:
            writer.add_page(readers[1].pages[n])  # the original page, then its translation
        page = writer.add_page(readers[0].pages[n])
        mine = placed.get(n, [])
        remove_text(page, [block for block, _ in mine])
        if mine:
            box = page.mediabox
            overlay = PdfReader(io.BytesIO(draw_page(float(box.width), float(box.height),
                                                     (float(box.left), float(box.bottom)), mine, language,
                                                     font))).pages[0]
            page.merge_translated_page(overlay, float(box.left), float(box.bottom))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
