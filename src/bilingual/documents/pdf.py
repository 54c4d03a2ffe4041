"""PDF in (text layer only, with pypdf), written out as a PDF with its layout kept (:mod:`.pdf_layout`), or
as .docx, .md or .txt on request.

The text of each page is read in reading order, hard-wrapped lines are joined again and
hyphenation mended by the normalizer, and the paragraphs are translated as an article.
Scanned PDFs (no text layer) and encrypted PDFs are refused with a clear message.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time

from ..errors import InputTooLargeError, UnsupportedFormatError
from .formats import Format, Job, blocks

# A PDF's cost is not its size: a 73 KB file whose 15 pages all point at one 74 MB content stream
# kept a server busy for 102 s. Every stream's decoded size is bounded, each page's content is
# counted every time a page uses it (parsing costs per use, even where the bytes are shared), and
# reading stops at a time budget.
MAX_STREAM_BYTES = 8 * 1024 * 1024  # decoded bytes of one stream
MAX_CONTENT_BYTES = 16 * 1024 * 1024  # decoded page content read for the whole document, per use
MAX_PAGES = 2_000
TIME_BUDGET_S = 6.0  # text extraction stops here (a page in progress may finish: about 2 s at most)
_PARSE_WORK = 300_000  # pypdf's parsing budget (operands and operators) for one content stream: about 2 s
SCANNED_LETTERS = 40  # fewer letters a page than this, on pages of images: a scan (a stamp, a watermark)
MEMORY_FACTOR = 30  # an allowance of memory per byte of decoded content while a page is parsed (Python objects)


class _Once(logging.Handler):
    """pypdf's warnings, each kind once per process, in our log: pypdf warns per glyph or per object (1,377
    "fontTools is required" lines on stderr for one file), which says nothing more after the first."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._seen: set[str] = set()
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        kind = re.sub(r"\d+|'[^']*'|\"[^\"]*\"", "_", str(record.msg))[:100]
        with self._guard:
            if kind in self._seen:
                return
            self._seen.add(kind)
        logger.warning("pypdf (shown once): %s", record.getMessage())


logger = logging.getLogger(__name__)
_pypdf = logging.getLogger("pypdf")  # every pypdf.* logger propagates here, and no further
_pypdf.addHandler(_Once())
_pypdf.propagate = False


def _limits():
    from pypdf import apply_configuration

    return apply_configuration(
        maximum_declared_stream_length=MAX_STREAM_BYTES, array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
        zlib_maximum_output_length=MAX_STREAM_BYTES, lzw_maximum_output_length=MAX_STREAM_BYTES,
        run_length_maximum_output_length=MAX_STREAM_BYTES, brotli_maximum_output_length=MAX_STREAM_BYTES,
        jbig2_maximum_output_length=MAX_STREAM_BYTES, image_maximum_buffer_size=MAX_STREAM_BYTES,
        stream_decoding_work_maximum_length=4 * MAX_STREAM_BYTES, stream_parsing_work_maximum_count=_PARSE_WORK,
        xform_maximum_invocations_per_extraction=200, page_tree_maximum_entries=4 * MAX_PAGES,
        page_tree_maximum_page_entries=40 * MAX_PAGES,
    )


def memory_estimate(data: bytes) -> int:
    """Bytes that reading a PDF's text may take at most: the file, its decoded streams, one page parsed."""
    return 2 * len(data) + MAX_CONTENT_BYTES + MEMORY_FACTOR * MAX_STREAM_BYTES


def _content_bytes(page) -> int:
    """Decoded bytes of a page's content streams (each decoded once; pypdf keeps the result)."""
    from pypdf.generic import ArrayObject

    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = contents if isinstance(contents, ArrayObject) else [contents]
    total = 0
    for stream in streams:
        stream = stream.get_object()
        if hasattr(stream, "get_data"):
            total += len(stream.get_data())
    return total


def pdf_text(data: bytes, *, time_budget: float = TIME_BUDGET_S) -> str:
    """The text layer of a PDF, paragraphs separated by blank lines.

    Raises:
        UnsupportedFormatError: damaged, encrypted with a password, scanned, or past a limit of its
            decoded content or its reading time (the message names the limit).
    """
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    too_costly = InputTooLargeError(
        "The PDF's pages hold more content than this server reads in one document (its streams decode to more than "
        f"{MAX_CONTENT_BYTES >> 20} MB, or reading them takes longer than {time_budget:g} s); split it into "
        "smaller files.")
    started = time.monotonic()
    pages = []
    try:
        with _limits():
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")  # an empty user password: every viewer opens it
                except Exception:  # noqa: BLE001 - an unsupported cipher is as good as a password here
                    opened = 0
                if not opened:
                    raise UnsupportedFormatError(
                        "The PDF is protected by a password; save an unprotected copy and upload that.")
            if len(reader.pages) > MAX_PAGES:
                raise InputTooLargeError(f"The PDF has {len(reader.pages):,} pages, more than {MAX_PAGES:,}.")
            content = 0
            imaged = 0  # pages that show an image
            for page in reader.pages:
                content += _content_bytes(page)
                if content > MAX_CONTENT_BYTES or time.monotonic() - started > time_budget:
                    raise too_costly
                imaged += _has_image(page)
                pages.append(page.extract_text() or "")
                if time.monotonic() - started > time_budget:
                    raise too_costly
    except (UnsupportedFormatError, InputTooLargeError):
        raise
    except LimitReachedError as exc:
        raise too_costly from exc
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError, RecursionError) as exc:
        raise UnsupportedFormatError("The file is not a readable PDF (it may be damaged).") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    letters = sum(ch.isalpha() for ch in text)
    # A scan's text layer is empty, or a stamp or watermark of a few characters over page images.
    if not letters or (letters < SCANNED_LETTERS * len(pages) and 2 * imaged >= len(pages)):
        raise UnsupportedFormatError(
            f"The PDF looks scanned: its pages are images, with {letters} letter(s) of text in all. OCR is not "
            "supported: run OCR on it first (for example ocrmypdf), then upload the result."
        )
    return text


def _has_image(page) -> bool:
    """Whether a page draws an image XObject of its own (read from its resources, nothing decoded)."""
    try:
        objects = page.get("/Resources", {}).get_object().get("/XObject", {}).get_object()
        return any(objects[name].get_object().get("/Subtype") == "/Image" for name in objects)
    except (AttributeError, KeyError, TypeError, ValueError):
        return False


def paragraphs_to_docx(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _translate(job: Job) -> bytes:
    with job.memory.reserve(memory_estimate(job.data)):
        text = pdf_text(job.data)  # the checks: encrypted, scanned, too costly
        if job.out_suffix == ".pdf":
            from .pdf_layout import translate_pdf_layout

            return translate_pdf_layout(job.data, job.aligned(), bilingual=job.bilingual,
                                        side_by_side=job.layout == "side", font=job.translator.settings.pdf_font)
    translated = blocks(job.document(text), job.bilingual)
    if job.out_suffix == ".docx":
        return paragraphs_to_docx(translated)
    return ("\n\n".join(translated) + "\n").encode("utf-8")


FORMAT = Format("PDF", (".pdf",), "application/pdf", _translate, outputs=(".pdf", ".docx", ".md", ".txt"))
