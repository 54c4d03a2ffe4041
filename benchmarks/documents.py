"""The cost of documents outside the model: parsing, alignment and writing Word, Excel, EPUB and PDF files.

Builds documents of ``--pages`` and ten times as many pages (a Word page: a heading, eight
paragraphs of three sentences with bold and italic runs, a bullet list, a 4 x 3 table; an Excel
"page": a sheet of 40 rows of text, numbers and a formula; an EPUB page: a chapter of the same
paragraphs as the Word page; a PDF page: eight such paragraphs set in lines, translated PDF to PDF),
translates them with an instant fake backend (so only the document work is timed), and
prints the time per page, how it grows with ten times the pages, and its share of a real
translation at ``--speed`` sentences per second (default: what ``benchmarks/speed.py``
measured for CTranslate2 en->zh on two cores, 2.59 sentences/s).

Targets (exit code 1 when missed): under 5% of a real translation's time; 10x the pages in
at most 12x the time.

Usage::

    python benchmarks/documents.py                  # 20 and 200 pages, every format
    python benchmarks/documents.py --pages 5 --format xlsx
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeBackend  # noqa: E402

SENTENCES = [
    "The delegation visited the new logistics park on Monday morning.",
    "Officials said the project would create about two thousand jobs.",
    "Exports of electronic products grew by twelve percent in the first half.",
    "The city will open three new metro lines before the end of next year.",
    "Both sides agreed to strengthen cooperation in trade and technology.",
    "The report was presented to the council during its annual meeting.",
]


def build_docx(pages: int) -> tuple[bytes, int]:
    """A generated .docx and the number of sentences in it."""
    from docx import Document

    document = Document()
    sentences = 0
    for page in range(pages):
        document.add_heading(f"Section {page + 1}: trade and investment", level=1)
        sentences += 1
        for n in range(8):
            paragraph = document.add_paragraph()
            for k in range(3):
                text = SENTENCES[(page + n + k) % len(SENTENCES)]
                run = paragraph.add_run(text + " ")
                run.bold = k == 1 and n % 2 == 0
                run.italic = k == 2 and n % 3 == 0
                sentences += 1
        for item in SENTENCES[:3]:
            document.add_paragraph(item, style="List Bullet")
            sentences += 1
        table = document.add_table(rows=4, cols=3)
        for r in range(4):
            for c in range(3):
                table.cell(r, c).text = SENTENCES[(r + c) % len(SENTENCES)] if c == 0 else f"{r * 10 + c}.5%"
                sentences += c == 0
        document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), sentences


def build_xlsx(pages: int) -> tuple[bytes, int]:
    """A workbook of ``pages`` sheets, each 40 rows: a sentence, a number and a formula a row."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    sentences = 0
    for page in range(pages):
        sheet = book.create_sheet(f"S{page + 1}")
        for row in range(1, 41):
            sheet.cell(row, 1, f"{SENTENCES[(page + row) % len(SENTENCES)]} (row {row} of sheet {page + 1})")
            sheet.cell(row, 2, row * 1.5)
            sheet.cell(row, 3, f"=B{row}*2")
            sentences += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), sentences


def build_epub(pages: int) -> tuple[bytes, int]:
    """An EPUB 3 book of ``pages`` chapters, each a heading and eight paragraphs of three sentences."""
    import zipfile

    items, refs, chapters, sentences = [], [], {}, 0
    for page in range(pages):
        paragraphs = "".join(
            "<p>" + " ".join(SENTENCES[(page + n + k) % len(SENTENCES)] for k in range(3)) + "</p>" for n in range(8))
        chapters[f"OEBPS/c{page}.xhtml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>'
            f"Section {page + 1}</title></head><body><h1>Section {page + 1}: trade and investment</h1>{paragraphs}"
            "</body></html>")
        items.append(f'<item id="c{page}" href="c{page}.xhtml" media-type="application/xhtml+xml"/>')
        refs.append(f'<itemref idref="c{page}"/>')
        sentences += 25
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:language>en</dc:language></metadata>'
           f"<manifest>{''.join(items)}</manifest><spine>{''.join(refs)}</spine></package>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                      '<rootfiles><rootfile full-path="OEBPS/content.opf"/></rootfiles></container>')
        book.writestr("OEBPS/content.opf", opf)
        for name, text in chapters.items():
            book.writestr(name, text)
    return out.getvalue(), sentences


def build_pdf(pages: int) -> tuple[bytes, int]:
    """A PDF of ``pages`` pages, each eight paragraphs of three sentences set in lines (PDF to PDF)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    sentences = 0
    for page in range(pages):
        y = 790
        for n in range(8):
            words = " ".join(SENTENCES[(page + n + k) % len(SENTENCES)] for k in range(3)).split()
            for start in range(0, len(words), 12):
                pdf.drawString(60, y, " ".join(words[start:start + 12]))
                y -= 13
            y -= 13
            sentences += 3
        pdf.showPage()
    pdf.save()
    return out.getvalue(), sentences


BUILDERS = {"docx": build_docx, "xlsx": build_xlsx, "epub": build_epub, "pdf": build_pdf}


def timed(kind: str, pages: int, repeat: int) -> tuple[float, int]:
    from bilingual import Settings, Translator
    from bilingual.documents import translate_content

    data, sentences = BUILDERS[kind](pages)
    home = tempfile.mkdtemp(prefix="bilingual-docbench-")
    best = float("inf")
    for _ in range(repeat):
        translator = Translator(Settings(home=home, cache=False, max_input_chars=10_000_000),
                                backend_factory=lambda s, t, settings: FakeBackend(f"fake-{s}-{t}"))
        start = time.perf_counter()
        translate_content(translator, data, f"report.{kind}", "zh", source="en")
        best = min(best, time.perf_counter() - start)
    return best, sentences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--speed", type=float, default=2.59, help="model sentences per second to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", choices=[*BUILDERS, "all"], default="all")
    args = parser.parse_args(argv)
    ok = True
    for kind in BUILDERS if args.format == "all" else [args.format]:
        small, small_sentences = timed(kind, args.pages, args.repeat)
        large, large_sentences = timed(kind, 10 * args.pages, max(1, args.repeat - 2))
        model = small_sentences / args.speed
        share = small / (small + model)
        growth = large / small
        print(f"{kind}: {args.pages} pages, {small_sentences} sentences: {small:.2f} s outside the model "
              f"({small / args.pages * 1000:.0f} ms a page)")
        print(f"{kind}: {10 * args.pages} pages, {large_sentences} sentences: {large:.2f} s "
              f"({large / (10 * args.pages) * 1000:.0f} ms a page); 10x the pages took {growth:.1f}x the time")
        print(f"{kind}: at {args.speed} sentences/s the model needs {model:.0f} s for {args.pages} pages: the document "
              f"work is {share * 100:.2f}% of the whole")
        ok = ok and share < 0.05 and growth <= 12
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
