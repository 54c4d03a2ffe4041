"""Documents: translate a file's text and give back the same kind of file, laid out as the original.

Formats (one module each, gathered in :data:`FORMATS`; see :mod:`.formats`): plain text (``.txt``),
Markdown (``.md``), HTML (``.html``, ``.htm``), Word (``.docx``), PowerPoint (``.pptx``), Excel (``.xlsx``), OpenDocument
(``.odt``, ``.odp``), EPUB (``.epub``), subtitles
(``.srt``), XLIFF 1.2 and 2.x (``.xlf``, ``.xliff``: each unit's target filled), and PDF in (``.pdf``,
its text layer), written out as ``.docx`` (or ``.md``/``.txt`` when the output name says so). ``bilingual=True`` writes each block followed by its translation. Each
function takes the :class:`~bilingual.translation.translator.Translator` to use, so a server shares
one translator, its cache and its work limit with every other request; all the blocks of a file
are translated together, so their sentences share the model's batches.

Bad files raise :class:`~bilingual.errors.UnsupportedFormatError` before any model work, and
no partial output is ever left: files are written under a temporary name and renamed at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePath

from ..errors import InputTooLargeError, OutputExistsError, UnsupportedFormatError
from ..languages import TAGS, normalize_language, other, parse_target
from ..translation.translator import Translator
from . import epub as _epub
from . import html as _html
from . import markdown as _markdown
from . import opendocument as _opendocument
from . import pdf as _pdf
from . import spreadsheet as _spreadsheet
from . import subtitles as _subtitles
from . import word as _word
from . import xliff as _xliff
from .formats import LAYOUTS, TEXT, Format, Job, decode_text
from .memory import MemoryBudget

# suffix -> format: every format, each in its own module (a new format: one module, one entry here)
FORMATS: dict[str, Format] = {
    suffix: fmt
    for fmt in (TEXT, _html.FORMAT, _word.DOCX, _word.PPTX, _spreadsheet.FORMAT, _opendocument.ODT, _opendocument.ODP,
                _subtitles.FORMAT, _markdown.FORMAT, _epub.FORMAT, _pdf.FORMAT, _xliff.FORMAT)
    for suffix in fmt.suffixes
}
TEXT_FORMATS = frozenset(suffix for suffix, fmt in FORMATS.items() if fmt.text)
MAX_FILE_BYTES = 50 * 1024 * 1024  # a file larger than this is refused before it is read
html = _html.translate_markup  # an HTML document or fragment (REST's ``format=html``)

__all__ = ["FORMATS", "LAYOUTS", "MAX_FILE_BYTES", "TEXT_FORMATS", "Format", "Job", "decode_text", "format_for", "html",
           "output_suffix", "suffix_of", "translate_content", "translate_file"]


def format_for(filename: str) -> Format:
    """The format of a file, by its name's suffix.

    Raises:
        UnsupportedFormatError: the suffix is missing or not a supported format's.
    """
    return FORMATS[suffix_of(filename)]


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
    """The output's extension: the input's (a PDF's: a PDF, or the .docx, .md or .txt ``out`` asks for)."""
    return FORMATS[suffix].output_suffix(suffix, str(out) if out else None)


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
    retranslate: bool = False,
    sheet_names: bool = False,
    layout: str = "",
) -> bytes:
    """Translate a file's bytes; the result is the same format (a PDF: ``out_suffix``, .docx by default).

    ``report``, when given, receives ``source`` (the detected language) and ``documents`` (the
    aligned translations of the file's blocks); ``progress`` is told ``(done, total)`` per model batch.
    ``memory``, the process's budget for documents being read, is held for a file's estimated
    memory while it is unpacked and parsed (a server passes its work limit's). ``retranslate``
    translates again what the file already holds a translation of (XLIFF targets; kept by default);
    ``sheet_names`` translates a workbook's sheet names too. ``layout``: where bilingual mode puts each
    translation, ``"side"`` or ``"below"`` (see :class:`~bilingual.documents.formats.Job`; implies ``bilingual``).

    Raises:
        UnsupportedFormatError: unknown extension, empty, binary, corrupt, encrypted, scanned or too large content.
        InputTooLargeError, UnsupportedLanguageError, ModelNotAvailableError: as for ``translate``.
    """
    suffix = suffix_of(filename)
    fmt = FORMATS[suffix]
    if len(data) > MAX_FILE_BYTES:
        raise InputTooLargeError(f"The file has {len(data) / 1024 / 1024:.0f} MB, more than {MAX_FILE_BYTES >> 20} MB.")
    fmt.check(data)
    job = Job(translator, data, filename, target, source, bilingual, fmt.output_suffix(suffix, out_suffix),
              report, max_chars, progress, memory, retranslate, sheet_names, layout)
    return fmt.translate(job)


def _refuse_existing(out: Path) -> None:
    if out.exists():
        raise OutputExistsError(f"{out} exists; choose another output, or overwrite it (--force).")


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
    overwrite: bool = True,
    retranslate: bool = False,
    layout: str = "",
) -> Path:
    """Translate a document file and write the result; returns its path.

    The output defaults to ``<name>.<target>.<ext>`` beside the input (``<target>`` is the
    target's tag: ``en``, ``zh-Hans``, ``zh-TW`` …; for automatic targets, the detected other
    language). It is written under a temporary name and renamed when complete. With
    ``overwrite=False`` an output that exists is refused (before any work when its name is known).
    ``retranslate`` translates again what the file already holds a translation of (XLIFF targets).
    ``layout``: where bilingual mode puts each translation (``"side"``, ``"below"``; see ``translate_content``).

    Raises:
        UnsupportedFormatError, InputTooLargeError, UnsupportedLanguageError, ModelNotAvailableError.
        OutputExistsError: ``overwrite=False`` and the output exists.
        OSError: the file cannot be read or the output cannot be written.
    """
    path = Path(path)
    suffix = suffix_of(path.name)
    if not overwrite and out is not None:
        _refuse_existing(Path(out))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputTooLargeError(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MB.")
    data = path.read_bytes()
    if progress:
        progress(0, 1)
    report = {} if report is None else report
    result = translate_content(translator, data, path.name, target, source=source, bilingual=bilingual,
                               out_suffix=output_suffix(suffix, out), report=report, retranslate=retranslate,
                               layout=layout)
    if out is None:
        detected = report.get("source") or (normalize_language(source) if source else "zh")
        tag = parse_target(target).tag if target else TAGS[other(detected)]
        out = default_output(path, tag, output_suffix(suffix))
    out = Path(out)
    if not overwrite:
        _refuse_existing(out)
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
