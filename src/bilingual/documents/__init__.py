"""Documents: translate a file's text and give back the same kind of file, laid out as the original.

Formats: plain text (``.txt``), Markdown (``.md``), HTML (``.html``, ``.htm``), Word (``.docx``),
PowerPoint (``.pptx``), subtitles (``.srt``), and PDF in (``.pdf``, its text layer), written out as
``.docx`` (or ``.md``/``.txt`` when the output name says so). ``bilingual=True`` writes each
block followed by its translation. Each function takes the
:class:`~bilingual.translation.translator.Translator` to use, so a server shares one
translator, its cache and its work limit with every other request; all the blocks of a file
are translated together, so their sentences share the model's batches.

Bad files raise :class:`~bilingual.errors.UnsupportedFormatError` before any model work, and
no partial output is ever left: files are written under a temporary name and renamed at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePath

from ..errors import BilingualError, InputTooLargeError, UnsupportedFormatError
from ..languages import TAGS, normalize_language, other, parse_target
from ..text.detect import detect_language
from ..text.pieces import separator
from ..translation.result import DocumentTranslation
from ..translation.translator import Translator
from ..work import MemoryBudget
from .archive import MAX_UNCOMPRESSED_BYTES, read_package
from .html import translate_html

FORMATS = {
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".srt": "application/x-subrip",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".pdf": "application/pdf",
}
TEXT_FORMATS = frozenset({".txt", ".html", ".htm", ".srt", ".md", ".markdown"})
MAX_FILE_BYTES = 50 * 1024 * 1024  # a file larger than this is refused before it is read


def html(
    translator: Translator,
    markup: str,
    target: str | None = None,
    *,
    source: str | None = None,
    bilingual: bool = False,
    report: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """Translate the text of an HTML document or fragment, keeping its markup (see :mod:`.html`)."""
    wanted = parse_target(target) if target else None
    given = normalize_language(source) if source else None
    translator.check_size([markup])

    def translate_many(texts: list[str], src: str) -> list[str]:
        language = normalize_language(src)
        docs = translator.translate_documents(texts, target or other(language), source=language, progress=progress)
        if report is not None:
            report["source"], report["documents"] = language, docs
        return [doc.text for doc in docs]

    def lang_code(src: str) -> str:
        return wanted.tag if wanted else TAGS[other(normalize_language(src))]

    return translate_html(markup, translate_many, source=given, lang_code=lang_code, bilingual=bilingual)


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
        "or upload one of the supported formats: " + ", ".join(FORMATS) + "."
    )


def suffix_of(filename: str) -> str:
    """The file's lower-case extension if it is supported.

    Raises:
        UnsupportedFormatError: the extension is missing or not supported.
    """
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise UnsupportedFormatError(
            f"Files of type {suffix or '(none)'!r} cannot be translated; supported: {', '.join(FORMATS)}."
        )
    return suffix


def output_suffix(suffix: str, out: str | Path | None = None) -> str:
    """The output's extension: the input's, but a PDF becomes .docx unless ``out`` asks for .md or .txt."""
    if suffix != ".pdf":
        return suffix
    wanted = PurePath(str(out)).suffix.lower() if out else ""
    return wanted if wanted in (".md", ".txt", ".docx") else ".docx"


def check_zip(data: bytes, kind: str) -> bytes:
    """A .docx/.pptx read without trusting its zip directory; returns the package repacked with true sizes.

    Raises:
        UnsupportedFormatError: not a zip, damaged, encrypted, or unpacking past a limit (a zip bomb).
    """
    return read_package(data, kind).data


def _aligned(
    translator: Translator,
    target: str | None,
    source: str | None,
    report: dict,
    max_chars: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Callable[[list[str]], list[DocumentTranslation]]:
    """Translate a document's blocks together, its language detected once from all of them."""

    def translate(texts: list[str]) -> list[DocumentTranslation]:
        chars = sum(len(t) for t in texts)
        if max_chars is not None and chars > max_chars:
            raise InputTooLargeError(f"The file holds {chars:,} characters of text, more than the limit of {max_chars:,}.")
        src = normalize_language(source) if source else detect_language(" ".join(texts)[:20_000])
        report["source"] = src
        docs = translator.translate_documents(texts, target, source=src, progress=progress)
        report["documents"] = docs
        return docs

    return translate


def translate_content(
    translator: Translator,
    data: bytes,
    filename: str,
    target: str | None = None,
    *,
    source: str | None = None,
    bilingual: bool = False,
    out_suffix: str | None = None,
    report: dict | None = None,
    max_chars: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    memory: MemoryBudget | None = None,
) -> bytes:
    """Translate a file's bytes; the result is the same format (a PDF: ``out_suffix``, .docx by default).

    ``report``, when given, receives ``source`` (the detected language) and ``documents`` (the
    aligned translations of the file's blocks); ``progress`` is told ``(done, total)`` per model batch.
    ``memory``, the process's budget for documents being read, is held for a file's estimated
    memory while it is unpacked and parsed (a server passes its work limit's).

    Raises:
        UnsupportedFormatError: unknown extension, empty, binary, corrupt, encrypted, scanned or too large content.
        InputTooLargeError, UnsupportedLanguageError, ModelNotAvailableError: as for ``translate``.
    """
    suffix = suffix_of(filename)
    if not data:
        raise UnsupportedFormatError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise InputTooLargeError(f"The file has {len(data) / 1024 / 1024:.0f} MB, more than {MAX_FILE_BYTES >> 20} MB.")
    report = {} if report is None else report
    aligned = _aligned(translator, target, source, report, max_chars, progress)
    memory = memory or MemoryBudget(1 << 62)
    if suffix in (".docx", ".pptx"):
        from lxml import etree

        from .word import translate_docx, translate_pptx

        with memory.reserve(2 * MAX_UNCOMPRESSED_BYTES + len(data)):
            package = read_package(data, suffix[1:])
        translate = translate_docx if suffix == ".docx" else translate_pptx
        with memory.reserve(package.memory_estimate):
            try:
                return translate(package.data, aligned, bilingual=bilingual)
            except BilingualError:
                raise
            except (KeyError, ValueError, etree.LxmlError, RecursionError) as exc:  # not an Office package
                raise UnsupportedFormatError(f"The file is not a valid {suffix[1:]} document (its XML cannot be "
                                             "read).") from exc
    if suffix == ".pdf":
        from .pdf import memory_estimate, paragraphs_to_docx, pdf_text

        with memory.reserve(memory_estimate(data)):
            text = pdf_text(data)
        if max_chars is not None and len(text) > max_chars:
            raise InputTooLargeError(f"The PDF holds {len(text):,} characters, more than the limit of {max_chars:,}.")
        doc = translator.translate_document(text, target, source=source, progress=progress)
        report["source"], report["documents"] = doc.source_language, [doc]
        blocks = _blocks(doc, bilingual)
        if (out_suffix or ".docx") == ".docx":
            return paragraphs_to_docx(blocks)
        return ("\n\n".join(blocks) + "\n").encode("utf-8")
    text = decode_text(data)
    if suffix == ".srt":
        from .subtitles import translate_srt

        return translate_srt(text, aligned, bilingual=bilingual).encode("utf-8")
    if suffix in (".html", ".htm"):
        return html(translator, text, target, source=source, bilingual=bilingual, report=report,
                    progress=progress).encode("utf-8")
    if suffix in (".md", ".markdown"):
        from .markdown import translate_markdown

        return translate_markdown(text, aligned, bilingual=bilingual).encode("utf-8")
    doc = translator.translate_document(text, target, source=source, progress=progress)
    report["source"], report["documents"] = doc.source_language, [doc]
    if bilingual:
        return ("\n\n".join(_blocks(doc, True)) + "\n").encode("utf-8")
    return doc.text.encode("utf-8")


def _blocks(doc: DocumentTranslation, bilingual: bool) -> list[str]:
    """The translated paragraphs, each after its source paragraph in bilingual mode."""
    out = []
    for paragraph in doc.paragraphs:
        target = separator(doc.target_language).join(s.target for s in paragraph)
        if bilingual:
            out.append(separator(doc.source_language).join(s.source for s in paragraph) + "\n" + target)
        else:
            out.append(target)
    return out


def default_output(path: Path, target_tag: str, suffix: str) -> Path:
    """``report.docx`` -> ``report.en.docx`` beside the input."""
    return path.with_name(f"{path.stem}.{target_tag}{suffix}")


def translate_file(
    translator: Translator,
    path: str | Path,
    target: str | None = None,
    *,
    out: str | Path | None = None,
    bilingual: bool = False,
    source: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    report: dict | None = None,
) -> Path:
    """Translate a document file and write the result; returns its path.

    The output defaults to ``<name>.<target>.<ext>`` beside the input (``<target>`` is the
    target's tag: ``en``, ``zh-Hans``, ``zh-TW`` …; for automatic targets, the detected other
    language). It is written under a temporary name and renamed when complete.

    Raises:
        UnsupportedFormatError, InputTooLargeError, UnsupportedLanguageError, ModelNotAvailableError.
        OSError: the file cannot be read or the output cannot be written.
    """
    path = Path(path)
    suffix = suffix_of(path.name)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputTooLargeError(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MB.")
    data = path.read_bytes()
    if progress:
        progress(0, 1)
    report = {} if report is None else report
    result = translate_content(translator, data, path.name, target, source=source, bilingual=bilingual,
                               out_suffix=output_suffix(suffix, out), report=report)
    if out is None:
        detected = report.get("source") or (normalize_language(source) if source else "zh")
        tag = parse_target(target).tag if target else TAGS[other(detected)]
        out = default_output(path, tag, output_suffix(suffix))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(result)
        os.replace(staging, out)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    if progress:
        progress(1, 1)
    return out
