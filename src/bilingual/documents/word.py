"""Word (.docx) and PowerPoint (.pptx): every paragraph translated whole (see :mod:`.office`)."""

from __future__ import annotations

import io
from collections.abc import Callable

from ..errors import BilingualError, UnsupportedFormatError
from ..translation.result import DocumentTranslation
from .formats import Format, Job
from .office import DRAWING, WORD, Paragraph, translate_paragraphs

Translate = Callable[[list[str]], list[DocumentTranslation]]

# Parts beyond the body and the slides that hold text people read, by content type, and their vocabulary.
_WORD_PARTS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
)
_DRAWING_PARTS = (
    "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml",  # SmartArt's text
    "application/vnd.ms-office.drawingml.diagramDrawing+xml",  # the drawing PowerPoint shows of it
    "application/vnd.ms-powerpoint.comments+xml",  # modern PowerPoint comments
)
_SLIDE_COMMENTS = "application/vnd.openxmlformats-officedocument.presentationml.comments+xml"  # plain p:text


class _Parts:
    """The package's other parts with text: their paragraphs, and writing back the ones python-docx or
    python-pptx does not model (parsed here from their bytes)."""

    def __init__(self, package, types: dict[str, object]) -> None:
        from lxml import etree

        self._etree = etree
        self.roots: list[tuple[object, object]] = []  # (element, dialect)
        self._parsed = []
        for part in package.iter_parts():
            dialect = types.get(part.content_type)
            if dialect is None:
                continue
            element = getattr(part, "_element", None)
            if element is None:
                element = etree.fromstring(part.blob)
                self._parsed.append((part, element))
            self.roots.append((element, dialect))

    def write_back(self) -> None:
        for part, element in self._parsed:
            part._blob = self._etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def translate_docx(data: bytes, translate: Translate, *, bilingual: bool = False) -> bytes:
    """The body (tables and text boxes included), headers, footers, footnotes, endnotes, comments and
    SmartArt text."""
    from docx import Document

    document = Document(io.BytesIO(data))
    roots = [(document.element.body, WORD)]
    seen: set[str] = set()
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            name = str(part.part.partname)
            if name not in seen:
                seen.add(name)
                roots.append((part._element, WORD))
    parts = _Parts(document.part.package, {**dict.fromkeys(_WORD_PARTS, WORD), **dict.fromkeys(_DRAWING_PARTS, DRAWING)})
    roots += parts.roots
    paragraphs = [Paragraph(p, dialect) for root, dialect in roots for p in root.iter(dialect.q("p"))]
    translate_paragraphs(paragraphs, translate, bilingual=bilingual)
    parts.write_back()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def translate_pptx(data: bytes, translate: Translate, *, bilingual: bool = False) -> bytes:
    """Every text frame and table of every slide, the speaker notes, SmartArt text and comments; layouts
    and masters stay."""
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    roots = []
    for slide in presentation.slides:
        roots.append(slide.shapes._spTree)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None:
                roots.append(frame._txBody)
    package = presentation.part.package
    parts = _Parts(package, dict.fromkeys(_DRAWING_PARTS, DRAWING))
    paragraphs = [Paragraph(p, DRAWING) for root in roots for p in root.iter(DRAWING.q("p"))]
    paragraphs += [Paragraph(p, DRAWING) for root, _ in parts.roots for p in root.iter(DRAWING.q("p"))]
    translate_paragraphs(paragraphs, translate, bilingual=bilingual)
    comments = _Parts(package, {_SLIDE_COMMENTS: DRAWING})
    _translate_plain_comments([root for root, _ in comments.roots], translate, bilingual=bilingual)
    parts.write_back()
    comments.write_back()
    if bilingual:
        _shrink_on_overflow(roots)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _translate_plain_comments(roots, translate: Translate, *, bilingual: bool) -> None:
    """Legacy PowerPoint comments (``p:cm/p:text``, plain text): each translated whole; in bilingual mode
    the translation follows the original on a new line."""
    from ..text.pieces import needs_translation

    texts = [t for root in roots for t in root.iter("{http://schemas.openxmlformats.org/presentationml/2006/main}text")
             if t.text and needs_translation(t.text)]
    if not texts:
        return
    for element, doc in zip(texts, translate([" ".join(t.text.split()) for t in texts])):
        element.text = f"{element.text}\n{doc.text}" if bilingual else doc.text


def _shrink_on_overflow(roots) -> None:
    """Bilingual slides hold twice the text: every text frame shrinks its text on overflow (PowerPoint's
    "shrink text on overflow"), unless it already fits its shape to the text."""
    a = DRAWING.q
    for root in roots:
        for body in root.iter(a("bodyPr")):
            if body.find(a("spAutoFit")) is not None or body.find(a("normAutofit")) is not None:
                continue
            for old in body.findall(a("noAutofit")):
                body.remove(old)
            fit = body.makeelement(a("normAutofit"), {})
            # bodyPr's children in schema order: prstTxWarp, then the autofit choice, then the rest
            warp = body.find(a("prstTxWarp"))
            if warp is not None:
                warp.addnext(fit)
            else:
                body.insert(0, fit)


def office_package(job: Job, translate: Callable[..., bytes], kind: str) -> bytes:
    """Unpack and count the package (never trusting its directory), reserve its memory, translate it."""
    from lxml import etree

    with job.unpacked(kind) as package:
        try:
            return translate(package.data, job.aligned(), bilingual=job.bilingual)
        except BilingualError:
            raise
        except (KeyError, ValueError, etree.LxmlError, RecursionError) as exc:  # not an Office package
            if _strict(package.data):
                app = "Word Document" if kind == "docx" else "PowerPoint Presentation"
                raise UnsupportedFormatError(
                    f"The file is saved in the Strict Open XML format, which cannot be read here. Save it as a "
                    f"{app} (.{kind}) (File → Save As) and upload that.") from exc
            raise UnsupportedFormatError(f"The file is not a valid {kind} document (its XML cannot be read).") from exc


def _strict(data: bytes) -> bool:
    """Whether a package is in ISO 29500 Strict form (its relationships in the purl.oclc.org namespace)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return b"purl.oclc.org/ooxml" in package.read("_rels/.rels")[:65536]
    except (KeyError, zipfile.BadZipFile, OSError):
        return False


DOCX = Format("Word", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              lambda job: office_package(job, translate_docx, "docx"))
PPTX = Format("PowerPoint", (".pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation",
              lambda job: office_package(job, translate_pptx, "pptx"))
