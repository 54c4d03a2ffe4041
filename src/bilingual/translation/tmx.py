"""TMX 1.4 (Translation Memory eXchange), in and out, for the translation memory.

CAT tools (OmegaT, Trados, memoQ, Wordfast, Weblate) exchange translation memories as TMX.
Reading is safe with hostile files: the size is checked before parsing, entities are neither
resolved nor fetched, no DTD is loaded, and the number of units is limited. A segment's inline
codes (``<bpt>``, ``<ept>``, ``<it>``, ``<ph>``: the original format's markup) are left out of
its text; the text of ``<hi>`` and ``<sub>`` is kept.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputTooLargeError, InvalidInputError, UnsupportedLanguageError
from ..languages import SCRIPT_TAGS, Language, normalize_language
from ..text.chinese import chinese_script
from .memory import Entry

MAX_TMX_BYTES = 64 * 1024 * 1024
MAX_UNITS = 500_000
_CODES = {"bpt", "ept", "it", "ph", "ut"}  # inline native codes: not part of the text
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_tmx(path: str | Path) -> Iterator[tuple[str, str, Language, Language]]:
    """(source, target, source language, target language) for every Chinese-English pair in a TMX file.

    A unit's source is its ``srclang`` (the unit's, else the header's); with ``*all*`` both
    directions are read. Units in other languages are skipped.

    Raises:
        InputTooLargeError: a file over 64 MB, or more than 500,000 units.
        InvalidInputError: a file that is not TMX.
    """
    from lxml import etree

    path = Path(path)
    size = path.stat().st_size
    if size > MAX_TMX_BYTES:
        raise InputTooLargeError(f"{path.name} has {size / 1024 / 1024:.0f} MB; TMX files of up to "
                                 f"{MAX_TMX_BYTES // 1024 // 1024} MB are read. Split it.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise InvalidInputError(f"{path.name} is not a well-formed TMX file ({exc.msg}).") from None
    if etree.QName(root).localname != "tmx":
        raise InvalidInputError(f"{path.name} is not a TMX file: its root element is not <tmx>.")
    header = root.find("header")
    default_source = (header.get("srclang") if header is not None else None) or "*all*"
    body = root.find("body")
    units = body.iterfind("tu") if body is not None else iter(())
    for count, unit in enumerate(units, 1):
        if count > MAX_UNITS:
            raise InputTooLargeError(f"{path.name} holds more than {MAX_UNITS:,} units; split it.")
        texts: dict[Language, str] = {}
        for variant in unit.iterfind("tuv"):
            language = _language(variant.get(_XML_LANG) or variant.get("lang"))
            seg = variant.find("seg")
            if language is None or seg is None or language in texts:
                continue
            text = _text(seg).strip()
            if text:
                texts[language] = text
        if len(texts) != 2:
            continue
        source = _language(unit.get("srclang") or default_source)
        for src in ([source] if source else ["zh", "en"]):
            tgt: Language = "en" if src == "zh" else "zh"
            yield texts[src], texts[tgt], src, tgt


def write_tmx(entries: Iterable[Entry], path: str | Path, *, tool_version: str = "") -> int:
    """Write ``entries`` as TMX 1.4 to ``path`` (each unit with its own ``srclang``); returns how many."""
    from lxml import etree

    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", creationtool="bilingual", creationtoolversion=tool_version or "0",
                     segtype="sentence", **{"o-tmf": "bilingual", "adminlang": "en", "srclang": "*all*",
                                            "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    count = 0
    for entry in entries:
        tags = {language: _tag(language, text) for language, text in ((entry.source_language, entry.source),
                                                                       (entry.target_language, entry.target))}
        unit = etree.SubElement(body, "tu", tuid=str(entry.id), srclang=tags[entry.source_language],
                                creationdate=_stamp(entry.created), changedate=_stamp(entry.updated))
        for language, text in ((entry.source_language, entry.source), (entry.target_language, entry.target)):
            variant = etree.SubElement(unit, "tuv", {_XML_LANG: tags[language]})
            etree.SubElement(variant, "seg").text = _xml_safe(text)
        count += 1
    Path(path).write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return count


def _tag(language: Language, text: str) -> str:
    """The ``xml:lang`` of a segment: ``en``, or ``zh-Hans``/``zh-Hant`` by how the Chinese is written."""
    return SCRIPT_TAGS[chinese_script(text)] if language == "zh" else "en"


def _language(tag: str | None) -> Language | None:
    if not tag or tag == "*all*":
        return None
    try:
        return normalize_language(tag)
    except (UnsupportedLanguageError, TypeError):
        return None


def _text(seg) -> str:
    """A segment's text without its inline native codes (their tails are text)."""
    parts = [seg.text or ""]
    for child in seg:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag not in _CODES:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _stamp(seconds: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def _xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (control characters, lone surrogates)."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
                   or c >= "\U00010000")
