"""Documents: translate a file's text and give back the same kind of file.

So far: plain text (``.txt``) and HTML (``.html``, ``.htm``). Each function takes the
:class:`~bilingual.translation.translator.Translator` to use, so a server shares one
translator, its cache and its work limit with every other request.
"""

from __future__ import annotations

from pathlib import PurePath

from ..errors import UnsupportedFormatError
from ..languages import TAGS, normalize_language, other, parse_target
from ..translation.translator import Translator
from .html import translate_html

FORMATS = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}


def html(translator: Translator, markup: str, target: str | None = None, *, source: str | None = None) -> str:
    """Translate the text of an HTML document or fragment, keeping its markup (see :mod:`.html`)."""
    wanted = parse_target(target) if target else None
    given = normalize_language(source) if source else None
    translator.check_size([markup])

    def translate_many(texts: list[str], src: str) -> list[str]:
        language = normalize_language(src)
        return translator.translate(texts, target or other(language), source=language)

    def lang_code(src: str) -> str:
        return wanted.tag if wanted else TAGS[other(normalize_language(src))]

    return translate_html(markup, translate_many, source=given, lang_code=lang_code)


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


def translate_content(
    translator: Translator, data: bytes, filename: str, target: str | None = None, *, source: str | None = None
) -> bytes:
    """Translate a file's bytes; the result is the same format, UTF-8 encoded.

    Raises:
        UnsupportedFormatError: unknown extension, empty or binary content.
        InputTooLargeError, UnsupportedLanguageError, ModelNotAvailableError: as for ``translate``.
    """
    suffix = suffix_of(filename)
    text = decode_text(data)
    if suffix in (".html", ".htm"):
        return html(translator, text, target, source=source).encode("utf-8")
    return translator.translate(text, target, source=source).encode("utf-8")
