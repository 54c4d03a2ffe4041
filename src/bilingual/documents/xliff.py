"""XLIFF (1.2 and 2.x), the exchange format of CAT tools: each unit's ``<target>`` filled from its ``<source>``.

* **Units.** XLIFF 1.2's ``<trans-unit>`` and 2.x's ``<segment>`` (in ``<unit>``) get a ``<target>``
  translated from their ``<source>``. Units that already have a target keep it unless
  ``retranslate`` is asked for; units marked ``translate="no"`` are left alone.
* **State.** A filled target is marked for review: ``state="needs-review-translation"`` (1.2), or the
  segment's ``state="translated"`` (2.x; XLIFF 2 has no review state, ``initial`` means no target).
  The file's target language is set (``target-language`` in 1.2, ``trgLang`` in 2.x).
* **Inline codes** (1.2: ``<g>``, ``<x/>``, ``<bx/>``, ``<ex/>``, ``<ph>``, ``<bpt>``, ``<ept>``, ``<it>``,
  ``<mrk>``; 2.x: ``<pc>``, ``<ph/>``, ``<sc/>``, ``<ec/>``, ``<cp/>``, ``<sm/>``, ``<em/>``, ``<mrk>``)
  reach the model as placeholders (``ZQ1``, ``ZQ2`` …, the glossary's) that it copies through, and come
  back where it put them: paired codes around the words it put between them. When the model loses
  or reorders one, the translation is kept without them, every code of the source follows it
  (paired ones empty), and a note on the unit says to check them.
* **Languages.** Without a target or source given, the file's own (``target-language``/``trgLang``,
  ``source-language``/``srcLang``) are used.
* **Safety.** Parsed by lxml with entities neither resolved nor fetched, no DTD loaded and no huge
  trees; a file declaring entities is refused; at most ``MAX_UNITS`` units; the characters of text
  are counted against the request's limit before any model work. Bilingual mode does not apply.
"""

from __future__ import annotations

import copy
import re

from ..errors import InputTooLargeError, UnsupportedFormatError, UnsupportedLanguageError
from ..languages import Target, normalize_language, other, parse_target
from .formats import Format, Job

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
MAX_UNITS = 100_000
PAIRED = {"g", "mrk", "pc"}  # codes with text inside (translated, kept around it)
_TOKEN = re.compile(r"ZQ(\d{1,4})")
_REVIEW_NOTE = ("bilingual: the machine translation lost or moved an inline code; every code was placed after "
                "the text. Check their positions.")


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _flatten(source, codes: list) -> str:
    """``source``'s text with each inline code as a placeholder; ``codes`` gets ("open"|"close"|"single",
    element, partner) per placeholder, numbered from 1. A placeholder next to a letter or digit of
    English text gets a space on that side, so the model sees it as a word of its own."""
    parts = [source.text or ""]
    for child in source:
        if not isinstance(child.tag, str):  # a comment or processing instruction: dropped
            parts.append(child.tail or "")
            continue
        if _local(child) in PAIRED:
            codes.append(("open", child, 0))
            opening = len(codes)
            parts += [f"\x01{opening}\x02", _flatten(child, codes)]
            codes.append(("close", child, opening))
            parts.append(f"\x01{len(codes)}\x02")
        else:
            codes.append(("single", child, 0))
            parts.append(f"\x01{len(codes)}\x02")
        parts.append(child.tail or "")
    text = re.sub(r"(?<=[A-Za-z0-9])\x01", " \x01", "".join(parts))
    text = re.sub(r"\x02(?=[A-Za-z0-9])", "\x02 ", text)
    return text.replace("\x01", "ZQ").replace("\x02", "")


def _spaced(text: str, chinese: bool) -> str:
    """Runs of white space as one space; none next to Chinese characters in a Chinese translation."""
    text = re.sub(r"\s+", " ", text)
    if chinese:
        text = re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)
    return text


def _rebuild(target, output: str, codes: list, chinese: bool) -> bool:
    """Fill ``target`` from the model's ``output``, putting the source's codes where their placeholders
    came back; False (``target`` untouched) when one is missing, repeated, made up or out of order."""
    found = [int(n) for n in _TOKEN.findall(output)]
    if sorted(found) != list(range(1, len(codes) + 1)):
        return False
    pieces = _TOKEN.split(output)  # text, number, text, number, ..., text
    stack, opened = [target], {}
    built = []  # (parent, node-or-text) in order, applied only when the whole is valid
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            built.append((stack[-1], piece))
            continue
        number = int(piece)
        kind, element, partner = codes[number - 1]
        if kind == "single":
            node = copy.deepcopy(element)
            node.tail = None
            built.append((stack[-1], node))
        elif kind == "open":
            node = element.makeelement(element.tag, dict(element.attrib))
            built.append((stack[-1], node))
            stack.append(node)
            opened[number] = node
        else:
            if partner not in opened or stack[-1] is not opened[partner]:
                return False
            stack.pop()
    if len(stack) != 1:
        return False
    for parent, item in built:
        if isinstance(item, str):
            _append_text(parent, item)
        else:
            parent.append(item)
    _tidy(target, chinese)
    return True


def _append_text(parent, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _tidy(target, chinese: bool) -> None:
    """The placeholders' spaces: runs of white space as one, none inside the ends of a paired code (they
    move outside it), none at the ends of the target, none next to Chinese in a Chinese translation."""
    for node in target.iter():
        if not isinstance(node.tag, str):
            continue
        if node is not target and _local(node) in PAIRED and len(node) == 0 and node.text:
            inner = node.text
            previous = node.getprevious()
            before = (previous.tail if previous is not None else node.getparent().text) or ""
            if inner[:1].isspace() and before[-1:].isalnum():  # "read ZQ1 here": the space goes before the code
                if previous is not None:
                    previous.tail = before + " "
                else:
                    node.getparent().text = before + " "
            if inner[-1:].isspace() and (node.tail or "")[:1].isalnum():
                node.tail = " " + node.tail
            node.text = inner.strip()
    for node in target.iter():
        if node.text:
            node.text = _spaced(node.text, chinese)
        if node is not target and node.tail:
            node.tail = _spaced(node.tail, chinese)
    if target.text:
        target.text = target.text.lstrip()
    if len(target) and target[-1].tail:
        target[-1].tail = target[-1].tail.rstrip()
    elif not len(target) and target.text:
        target.text = target.text.rstrip()


def _fallback(target, output: str, codes: list, chinese: bool) -> None:
    """The translation without its placeholders, then every code of the source (paired ones empty)."""
    target.text = _spaced(_TOKEN.sub(" ", output), chinese).strip()
    for kind, element, _ in codes:
        if kind == "close":
            continue
        node = copy.deepcopy(element) if kind == "single" else element.makeelement(element.tag, dict(element.attrib))
        node.tail = None
        target.append(node)


def translate_xliff(job: Job) -> bytes:
    from lxml import etree

    if job.bilingual:
        raise UnsupportedFormatError("Bilingual mode does not apply to XLIFF: its targets already stand beside "
                                     "their sources. Translate it without bilingual mode.")
    if b"<!ENTITY" in job.data:
        raise UnsupportedFormatError("The XLIFF file declares XML entities, which are not accepted (they can read "
                                     "files or expand without end). Remove the DOCTYPE.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_blank_text=False)
    try:
        root = etree.fromstring(job.data, parser)
    except etree.XMLSyntaxError as exc:
        raise UnsupportedFormatError(f"The file is not well-formed XML ({exc.msg}).") from None
    namespace = etree.QName(root).namespace
    if _local(root) != "xliff" or namespace not in (NS12, NS20):
        raise UnsupportedFormatError("The file is not XLIFF 1.2 or 2.x (its root must be <xliff> in the OASIS "
                                     "XLIFF namespace).")
    version2 = namespace == NS20
    ns = {"x": namespace}
    if version2:
        file_source, file_target = root.get("srcLang"), root.get("trgLang")
        units = [s for s in root.iterfind(".//x:segment", ns) if _translatable(s)]
    else:
        files = root.findall("x:file", ns)
        file_source = files[0].get("source-language") if files else None
        file_target = files[0].get("target-language") if files else None
        units = [u for u in root.iterfind(".//x:trans-unit", ns) if u.get("translate", "yes") != "no"]
    if len(units) > MAX_UNITS:
        raise InputTooLargeError(f"The file has {len(units):,} units; files of up to {MAX_UNITS:,} are translated.")
    if job.source is None and file_source:
        job.source = _language(file_source, None, "source").language
    target = _language(job.target, file_target, "target") if (job.target or file_target) else None
    if target is None and job.source:
        target = Target(other(normalize_language(job.source)))
    job.target = target  # None: the other language of the one detected
    work = []  # (unit, source element, existing target, text, codes)
    for unit in units:
        source = unit.find("x:source", ns)
        if source is None:
            continue
        existing = unit.find("x:target", ns)
        if existing is not None and _has_text(existing) and not job.retranslate:
            continue
        codes: list = []
        work.append((unit, source, existing, _flatten(source, codes), codes))
    if work:
        docs = job.aligned()([text for *_, text, _ in work])
        target = target or Target(docs[0].target_language)
        chinese = target.language == "zh"
        for (unit, source, existing, _, codes), doc in zip(work, docs):
            node = existing if existing is not None else _new_target(unit, source, ns)
            for child in list(node):
                node.remove(child)
            node.text = None
            if not _rebuild(node, doc.text, codes, chinese):
                _fallback(node, doc.text, codes, chinese)
                _note(unit, version2, ns)
            if version2:
                unit.set("state", "translated")
            else:
                node.set("state", "needs-review-translation")
    if target is not None:
        if version2:
            root.set("trgLang", target.tag)
        else:
            for file in root.findall("x:file", ns):
                file.set("target-language", target.tag)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _translatable(segment) -> bool:
    unit = segment.getparent()
    return unit is None or unit.get("translate", "yes") != "no"


def _has_text(element) -> bool:
    return bool("".join(element.itertext()).strip())


def _new_target(unit, source, ns):
    target = source.makeelement(f"{{{ns['x']}}}target", {})
    source.addnext(target)
    target.tail = source.tail
    return target


def _note(unit, version2: bool, ns) -> None:
    x = ns["x"]
    if version2:
        holder = unit.getparent()  # the <unit> of this <segment>
        notes = holder.find("x:notes", ns)
        if notes is None:
            notes = holder.makeelement(f"{{{x}}}notes", {})
            holder.insert(0, notes)
        note = notes.makeelement(f"{{{x}}}note", {"category": "bilingual"})
        notes.append(note)
    else:
        note = unit.makeelement(f"{{{x}}}note", {"from": "bilingual"})
        unit.append(note)
    note.text = _REVIEW_NOTE


def _language(asked, from_file: str | None, what: str) -> Target:
    value = asked if asked is not None else from_file
    try:
        return parse_target(value)
    except (UnsupportedLanguageError, TypeError):
        raise UnsupportedFormatError(f"The XLIFF file's {what} language {str(value)[:20]!r} is not Chinese or "
                                     "English.") from None


FORMAT = Format("XLIFF", (".xlf", ".xliff"), "application/xliff+xml", translate_xliff, text=True)
