"""PDF in (text layer only, with pypdf), written out as .docx, .md or .txt.

The text of each page is read in reading order, hard-wrapped lines are joined again and
hyphenation mended by the normalizer, and the paragraphs are translated as an article.
Scanned PDFs (no text layer) and encrypted PDFs are refused with a clear message.
"""

from __future__ import annotations

import io

from ..errors import UnsupportedFormatError


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, paragraphs separated by blank lines."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnsupportedFormatError("The PDF is encrypted; save an unprotected copy and upload that.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnsupportedFormatError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnsupportedFormatError("The file is not a readable PDF (it may be damaged).") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not any(ch.isalpha() for ch in text):
        raise UnsupportedFormatError(
            "The PDF has no text layer (it looks scanned). OCR is not supported: convert it to text first."
        )
    return text


def paragraphs_to_docx(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
