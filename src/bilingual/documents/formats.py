"""The document formats: one :class:`Format` per kind of file, each in its own module, one signature.

A format says which suffixes are its own, its media type, whether it is text (then its characters
are counted before any work), the other suffixes it can be written as (a PDF becomes ``.docx``),
cheap checks made before any work (:meth:`Format.check`), and its ``translate(job) -> bytes``.
:mod:`bilingual.documents` gathers the formats into one registry that the library, the page, REST
and the CLI ask, so a new format is one module and one line there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from ..errors import InputTooLargeError, InvalidInputError, UnsupportedFormatError, UnsupportedLanguageError
from ..languages import TAGS, Target, normalize_language, other, parse_target
from ..text.detect import detect_language
from ..text.pieces import needs_translation, separator
from ..translation.result import DocumentTranslation
from .archive import MAX_UNCOMPRESSED_BYTES, Package, read_package
from .memory import MemoryBudget

Progress = Callable[[int, int], None]
LAYOUTS = ("", "side", "below")  # where bilingual mode puts a translation (Job.layout)
Aligned = Callable[..., list[DocumentTranslation]]  # (texts, spans=None): see Job.aligned


@dataclass
class Job:
    """One file to translate, and how.

    Attributes:
        translator: the :class:`~bilingual.translation.translator.Translator` to use.
        data: the file's bytes.
        name: its file name.
        target, source: the target and source language codes (None: automatic).
        bilingual: keep each block and add its translation after it.
        out_suffix: the output's suffix (a format's own, or one of its ``outputs``).
        report: receives ``source`` (the detected language) and ``documents`` (the aligned translations).
        max_chars: most characters of text the file may hold (an API key's own limit; None: the
            translator's limit for documents, ``max_document_chars``).
        progress: told ``(done, total)`` per model batch.
        memory: the process's budget for documents being read.
        retranslate: translate again what the file already holds a translation of (XLIFF targets).
        sheet_names: translate a workbook's sheet names too (those no formula refers to).
        layout: where bilingual mode puts a translation (:data:`LAYOUTS`): ``""`` the format's way (after
            its block, page or, in a workbook, on a second line of its cell); ``"side"`` beside it (a PDF's page
            and its translation on one wide page; a workbook's column followed by a column of translations);
            ``"below"`` under it (a workbook's row followed by a row of translations). Implies bilingual.
    """

    translator: object
    data: bytes
    name: str
    target: str | Target | None = None
    source: str | None = None
    bilingual: bool = False
    out_suffix: str = ""
    report: dict | None = None
    max_chars: int | None = None
    progress: Progress | None = None
    memory: MemoryBudget | None = None
    retranslate: bool = False
    sheet_names: bool = False
    layout: str = ""

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise InvalidInputError(f"layout must be one of {', '.join(repr(v) for v in LAYOUTS)}, not {self.layout!r}.")
        self.bilingual = self.bilingual or bool(self.layout)
        self.report = {} if self.report is None else self.report
        self.memory = self.memory or MemoryBudget(1 << 62)

    def text(self) -> str:
        """The file's text (see :func:`decode_text`)."""
        return decode_text(self.data)

    @contextmanager
    def unpacked(self, kind: str) -> Iterator[Package]:
        """The file as a zip package read and counted (:func:`~.archive.read_package`), with the memory its
        reading takes reserved while the caller parses it."""
        with self.memory.reserve(2 * MAX_UNCOMPRESSED_BYTES + len(self.data)):
            package = read_package(self.data, kind)
        with self.memory.reserve(package.memory_estimate):
            yield package

    def translate_from(self, texts: list[str], source: str,
                       spans: list[list[tuple[int, int]]] | None = None) -> list[DocumentTranslation]:
        """The file's ``texts`` translated from ``source`` (its language, found once for the file), reported;
        ``spans``: their inline spans, carried as marks (:mod:`~bilingual.translation.inline`)."""
        language = normalize_language(source)
        docs = self.translator.translate_documents(texts, self.target or other(language), source=language,
                                                   progress=self.progress, document=True, spans=spans)
        self.report["source"] = language
        self.report.setdefault("documents", []).extend(docs)
        return docs

    def target_tag(self, source: str) -> str:
        """The language tag of the translation (``zh-Hans``, ``zh-TW``, ``en``) of a file in ``source``."""
        return parse_target(self.target).tag if self.target else TAGS[other(normalize_language(source))]

    def aligned(self) -> Aligned:
        """Translate a document's blocks together, its language detected once from all of them; ``spans``:
        each block's inline spans, carried onto the translation as marks (:mod:`~bilingual.translation.inline`)."""

        def translate(texts: list[str], spans: list[list[tuple[int, int]]] | None = None) -> list[DocumentTranslation]:
            chars = sum(len(t) for t in texts)
            if self.max_chars is not None and chars > self.max_chars:
                raise InputTooLargeError(
                    f"The file holds {chars:,} characters of text, more than the {self.max_chars:,} this "
                    "request may hold (its API key's limit).")
            src = self.report.get("source") or (
                normalize_language(self.source) if self.source else _detected(" ".join(texts)[:20_000]))
            self.report["source"] = src  # once for the file: a second batch (a deck's comments) follows the first
            docs = self.translator.translate_documents(texts, self.target, source=src, progress=self.progress,
                                                       document=True, spans=spans)
            self.report.setdefault("documents", []).extend(docs)
            return docs

        return translate

    def document(self, text: str) -> DocumentTranslation:
        """Translate ``text`` as one article (paragraphs kept), reported."""
        if self.max_chars is not None and len(text) > self.max_chars:
            raise InputTooLargeError(
                f"The file holds {len(text):,} characters, more than the {self.max_chars:,} this request "
                "may hold (its API key's limit).")
        source = self.source or (_detected(text[:20_000]) if needs_translation(text) else None)
        doc = self.translator.translate_document(text, self.target, source=source, progress=self.progress,
                                                 document=True)
        self.report["source"], self.report["documents"] = doc.source_language, [doc]
        return doc


def language_of(texts: list[str], source: str | None = None) -> str:
    """A file's language: ``source`` when given, else detected from its texts' first 20,000 characters
    (English when they hold nothing to translate); a refusal says how to translate it anyway."""
    if source:
        return normalize_language(source)
    sample, size = [], 0
    for text in texts:
        if size >= 20_000:
            break
        sample.append(text)
        size += len(text) + 1
    joined = " ".join(sample)[:20_000]
    return _detected(joined) if needs_translation(joined) else "en"


def _detected(text: str) -> str:
    """The language of a file's text; a refusal says how to translate the file's Chinese or English anyway."""
    try:
        return detect_language(text)
    except UnsupportedLanguageError as exc:
        raise UnsupportedLanguageError(
            f"{exc} If the document mixes languages and its Chinese or English is what you want translated, give "
            "the source language: source=\"en\" or \"zh\" (the page's direction, REST's source, the CLI's --from)."
        ) from exc


@dataclass(frozen=True)
class Format:
    """A kind of file (see the module docstring)."""

    name: str
    suffixes: tuple[str, ...]
    mime: str
    translate: Callable[[Job], bytes]
    text: bool = False
    outputs: tuple[str, ...] = ()  # the suffixes it can be written as, the default first (none: its own)

    def output_suffix(self, suffix: str, out: str | None = None) -> str:
        """The output's suffix: the input's, or for a format with ``outputs`` the one ``out`` names, if allowed."""
        if not self.outputs:
            return suffix
        text = str(out).lower() if out else ""
        if f".{text}" in self.outputs:  # "docx" as well as ".docx"
            text = f".{text}"
        wanted = text if text in self.outputs else PurePath(text).suffix  # a suffix, or a file name
        return wanted if wanted in self.outputs else self.outputs[0]

    def check(self, data: bytes, max_chars: int | None = None) -> None:
        """What can be checked before any work: not empty, and for text, decodable and within ``max_chars``.

        Raises:
            UnsupportedFormatError: empty, or not text in a Unicode encoding.
            InputTooLargeError: more characters than ``max_chars``.
        """
        if not data:
            raise UnsupportedFormatError("The file is empty.")
        if self.text:
            text = decode_text(data)
            if max_chars is not None and len(text) > max_chars:
                raise InputTooLargeError(
                    f"The file holds {len(text):,} characters, more than the {max_chars:,} this request may "
                    "hold (its API key's limit).")


def decode_text(data: bytes) -> str:
    """The text of an uploaded text file (UTF-8, with or without BOM; UTF-16 with a BOM).

    Raises:
        UnsupportedFormatError: the file is empty, binary, or not in a Unicode encoding.
    """
    if not data:
        raise UnsupportedFormatError("The file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise UnsupportedFormatError(
        "The file is not text in UTF-8 (it looks binary, or uses another encoding). Save it as UTF-8 text, "
        "or upload a document in one of the supported formats."
    )


def blocks(doc: DocumentTranslation, bilingual: bool) -> list[str]:
    """The translated paragraphs, each after its source paragraph in bilingual mode."""
    out = []
    for paragraph in doc.paragraphs:
        target = separator(doc.target_language).join(s.target for s in paragraph)
        if bilingual:
            out.append(separator(doc.source_language).join(s.source for s in paragraph) + "\n" + target)
        else:
            out.append(target)
    return out


def plain_text(job: Job) -> bytes:
    """Plain text: translated as an article, paragraphs kept."""
    doc = job.document(job.text())
    if job.bilingual:
        return ("\n\n".join(blocks(doc, True)) + "\n").encode("utf-8")
    return doc.text.encode("utf-8")


TEXT = Format("Plain text", (".txt",), "text/plain", plain_text, text=True)
