"""Word (.docx) and PowerPoint (.pptx): every paragraph translated whole (see :mod:`.office`)."""

from __future__ import annotations

import io
from collections.abc import Callable

from ..errors import BilingualError, UnsupportedFormatError
from ..translation.result import DocumentTranslation
from .archive import MAX_UNCOMPRESSED_BYTES, read_package
from .formats import Format, Job
from .office import DRAWING, WORD, Paragraph, translate_paragraphs

Translate = Callable[[list[str]], list[DocumentTranslation]]

_NOTE_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
)


def translate_docx(data: bytes, translate: Translate, *, bilingual: bool = False) -> bytes:
    """The body (tables and text boxes included), headers, footers, footnotes and endnotes."""
    from docx import Document
    from lxml import etree

    document = Document(io.BytesIO(data))
    roots = [document.element.body]
    seen: set[str] = set()
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            name = str(part.part.partname)
            if name not in seen:
                seen.add(name)
                roots.append(part._element)
    notes = []
    for part in document.part.package.iter_parts():
        if part.content_type in _NOTE_TYPES:
            element = getattr(part, "_element", None)
            if element is None:  # a part python-docx does not model: parse it, write it back below
                element = etree.fromstring(part.blob)
                notes.append((part, element))
            roots.append(element)
    paragraphs = [Paragraph(p, WORD) for root in roots for p in root.iter(WORD.q("p"))]
    translate_paragraphs(paragraphs, translate, bilingual=bilingual)
    for part, element in notes:
        part._blob = etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def translate_pptx(data: bytes, translate: Translate, *, bilingual: bool = False) -> bytes:
    """Every text frame and table of every slide, and the speaker notes; layouts and masters stay."""
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    roots = []
    for slide in presentation.slides:
        roots.append(slide.shapes._spTree)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None:
                roots.append(frame._txBody)
    paragraphs = [Paragraph(p, DRAWING) for root in roots for p in root.iter(DRAWING.q("p"))]
    translate_paragraphs(paragraphs, translate, bilingual=bilingual)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _office(job: Job, translate: Callable[..., bytes], kind: str) -> bytes:
    """Unpack and count the package (never trusting its directory), reserve its memory, translate it."""
    from lxml import etree

    with job.memory.reserve(2 * MAX_UNCOMPRESSED_BYTES + len(job.data)):
        package = read_package(job.data, kind)
    with job.memory.reserve(package.memory_estimate):
        try:
            return translate(package.data, job.aligned(), bilingual=job.bilingual)
        except BilingualError:
            raise
        except (KeyError, ValueError, etree.LxmlError, RecursionError) as exc:  # not an Office package
            raise UnsupportedFormatError(f"The file is not a valid {kind} document (its XML cannot be read).") from exc


DOCX = Format("Word", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              lambda job: _office(job, translate_docx, "docx"))
PPTX = Format("PowerPoint", (".pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation",
              lambda job: _office(job, translate_pptx, "pptx"))
