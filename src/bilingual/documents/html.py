"""Translate HTML: the text of the markup changes, the markup does not.

Translation units are runs of text inside one block element (``p``, ``li``, ``td``,
``h1`` ..., ``br`` also ends a run), so a sentence that spans inline tags
(``<b>``, ``<a>``, ``<em>``) is translated as one sentence. An inline element that is a child of the
block (``<b>``, ``<em>``, ``<a href>``, ODF's ``text:span`` and ``text:a``) is a span the engine can
carry (:mod:`bilingual.translation.inline`): when it does, the element, its attributes and its
link target come back around the words that translate its own, in the order the translation puts
them. Otherwise the translation is written into the first text node of the run that has text (the
first inside a link when the run holds one: the link keeps its target, on the translated words),
and the run's other text nodes are emptied: every tag and attribute stays, but other inline tags
inside the sentence keep their place and not their words.
``script``, ``style``, ``code``, ``pre``, ``kbd``, ``samp``, ``textarea``, ``svg``,
``math`` and anything marked ``translate="no"`` or ``class="notranslate"`` is left
exactly as it is. ``alt`` and ``title`` attributes are translated. ``<html lang>`` is
set to the target language.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag
from bs4.element import CData

from ..errors import UnsupportedFormatError
from ..languages import TAGS, normalize_language, other, parse_target
from ..text.detect import detect_language
from ..text.pieces import needs_translation
from ..translation.inline import cut, fold
from ..translation.result import DocumentTranslation
from .formats import Format, Job

if TYPE_CHECKING:
    from ..translation.translator import Translator

BOUNDARIES = frozenset(
    "address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html li main nav ol option p section summary table "
    "tbody td tfoot th thead title tr ul label button legend".split()
)
UNTOUCHED = frozenset("script style code pre kbd samp var textarea svg math noscript template".split())
# OpenDocument's blocks (text:p, text:h …; a line break or a tab ends a run too) and what is not text
ODF_BOUNDARIES = frozenset("p h list-item table-cell note-body text-box line-break tab index-body "
                           "notes annotation".split())
ODF_UNTOUCHED = frozenset("note-citation tracked-changes sequence-decls variable-decls user-field-decls "
                          "creator date".split())
ATTRIBUTES = ("alt", "title")
MAX_DEPTH = 1_000  # elements nested deeper than this are refused (browsers themselves stop near 512)
_SPACE = re.compile(r"\s+")
_NOT_TEXT = (Comment, CData, ProcessingInstruction, Doctype, Declaration)

# (texts, source language, each text's inline spans or None) -> their aligned translations
TranslateMany = Callable[..., "list[DocumentTranslation]"]


def _untouched(tag: Tag, odf: bool = False) -> bool:
    classes = tag.get("class") or []
    return (
        tag.name in (ODF_UNTOUCHED if odf else UNTOUCHED)
        or str(tag.get("translate", "")).lower() == "no"
        or "notranslate" in (classes if isinstance(classes, list) else str(classes).split())
    )


def _runs(root: Tag, odf: bool = False) -> tuple[list[list[NavigableString]], list[tuple[Tag, str]]]:
    """Runs of text nodes to translate as units, and (tag, attribute) pairs to translate."""
    runs: list[list[NavigableString]] = []
    attributes: list[tuple[Tag, str]] = []
    current: list[NavigableString] = []

    def flush() -> None:
        nonlocal current
        if current:
            runs.append(current)
            current = []

    # iterative, so that deeply nested markup cannot exhaust the stack
    pending = [iter(list(root.children))]
    blocks = [False]  # whether the element whose children pending[i] walks is a block
    while pending:
        if len(pending) > MAX_DEPTH:
            raise UnsupportedFormatError(f"The HTML is nested more than {MAX_DEPTH} elements deep; this server reads "
                                         "HTML up to that depth.")
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            if blocks.pop():
                flush()
            continue
        if isinstance(child, _NOT_TEXT):
            continue
        if isinstance(child, NavigableString):
            current.append(child)
            continue
        if not isinstance(child, Tag):
            continue
        if _untouched(child, odf):
            flush()
            continue
        if not odf:
            attributes.extend((child, a) for a in ATTRIBUTES if isinstance(child.get(a), str) and child.get(a).strip())
        block = child.name in (ODF_BOUNDARIES if odf else BOUNDARIES)
        if block:
            flush()
        pending.append(iter(list(child.children)))
        blocks.append(block)

    flush()
    return runs, attributes


def translate_html(
    markup: str,
    translate_many: TranslateMany,
    *,
    source: str | None,
    lang_code: Callable[[str], str],
    bilingual: bool = False,
    xml: bool = False,
    odf: bool = False,
) -> str:
    """Translate the text of ``markup``; return the markup with the translations in place.

    Args:
        markup: an HTML document or fragment (broken markup is parsed leniently).
        translate_many: translates a list of texts from the given source language, in order.
        source: the source language, or None to detect it from all the text together.
        lang_code: the ``<html lang>`` value for a source language (set when there was text to translate).
        bilingual: keep the text and add its translation after it, in grey (``<html lang>`` unchanged).
        xml: the markup is XHTML (an e-book's): parsed and written as XML, its case and namespaces kept.
        odf: the markup is an OpenDocument part (``content.xml``): XML, with ODF's blocks.

    Raises:
        UnsupportedLanguageError: the text is not Chinese or English.
    """
    xml = xml or odf
    if xml and "<!ENTITY" in markup:
        raise UnsupportedFormatError("The document declares XML entities, which are not accepted (they can read files "
                                     "or expand without end).")
    soup = BeautifulSoup(markup, "xml" if xml else "html.parser")
    runs, attributes = _runs(soup, odf)
    units: list[tuple[str, list[tuple[int, int]], Callable[[DocumentTranslation], None]]] = []
    for run in runs:
        text = "".join(str(node) for node in run)
        elements, spans = _spans(run, odf)
        core, folded = fold(text, spans)
        if not needs_translation(core):
            continue
        units.append((core, folded, (_odf_appender(soup, run, elements) if odf else _appender(soup, run, elements))
                      if bilingual else _writer(run, text, elements)))
    for tag, name in attributes:
        value = _SPACE.sub(" ", tag[name]).strip()
        if needs_translation(value):
            if bilingual:
                units.append((value, [], lambda out, tag=tag, name=name, value=value:
                              tag.__setitem__(name, f"{value} / {out.text}")))
            else:
                units.append((value, [], lambda out, tag=tag, name=name: tag.__setitem__(name, out.text)))
    if units:
        texts = [u[0] for u in units]
        src = source or detect_language(" ".join(texts)[:20_000])
        spans = [u[1] for u in units]
        for (_, _, write), out in zip(units, translate_many(texts, src, spans if any(spans) else None)):
            write(out)
        html_tag = soup.find("html")
        if isinstance(html_tag, Tag) and not bilingual:
            html_tag["lang"] = lang_code(src)
            if xml:
                html_tag["xml:lang"] = lang_code(src)
    return str(soup)


def _in_link(node: NavigableString) -> bool:
    """Whether a text node is inside a link (``<a href>``, ODF's ``text:a``), below its block."""
    for parent in node.parents:
        if parent.name in BOUNDARIES or parent.name in ODF_BOUNDARIES:
            return False
        if parent.name == "a":
            return True
    return False


def _spans(run: Sequence[NavigableString], odf: bool) -> tuple[list[Tag], list[tuple[int, int]]]:
    """A run's inline spans: each inline element that is a child of the run's block, with the offsets of
    its text in the run's text. None when some of the run's text lies elsewhere (deeper in another block,
    or the run is not all in one block): the run is then written the old way."""
    block = next((p for p in run[0].parents if p.name in (ODF_BOUNDARIES if odf else BOUNDARIES)), None)
    elements: list[Tag] = []
    spans: list[tuple[int, int]] = []
    offset = 0
    for node in run:
        top: Tag | NavigableString = node
        while top.parent is not None and top.parent is not block:
            top = top.parent
        if top.parent is None or block is None:
            return [], []
        size = len(str(node))
        if isinstance(top, Tag):
            if elements and elements[-1] is top:
                spans[-1] = (spans[-1][0], offset + size)
            else:
                elements.append(top)
                spans.append((offset, offset + size))
        offset += size
    return elements, spans


def _writer(run: Sequence[NavigableString], text: str, elements: Sequence[Tag] = ()) -> Callable[[DocumentTranslation], None]:
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    filled = [i for i, node in enumerate(run) if str(node).strip()]
    # the translation goes into a link's text when the run holds one: its target stays on the translated words
    home = next((i for i in filled if _in_link(run[i])), filled[0])

    def write(doc: DocumentTranslation) -> None:
        marks = [m for m in doc.marks() if m.key < len(elements)]
        if marks:
            _write_marked(run, doc.text, marks, elements, lead, trail)
            return
        translation = doc.text
        for i, node in enumerate(run):
            if i == home:
                node.replace_with(NavigableString(f"{lead if i == 0 else ''}{translation}{trail if i == len(run) - 1 else ''}"))
            else:
                keep = (lead if i == 0 else "") + (trail if i == len(run) - 1 else "")
                node.replace_with(NavigableString(keep))

    return write


def _write_marked(run: Sequence[NavigableString], translation: str, marks: list, elements: Sequence[Tag],
                  lead: str, trail: str) -> None:
    """The translation written with each carried span's element around its words, in the translation's
    order: the run's loose text nodes emptied, the carried elements moved (a span inside another goes with
    the outer one)."""
    parts = cut(translation, marks)
    carried = {key for _, key in parts if key is not None}
    moved = [elements[key] for key in sorted(carried)]
    spot = NavigableString("")
    first = run[0]  # the block's child that holds the run's first text: the translation starts there
    while first.parent is not None and first.parent.name not in BOUNDARIES | ODF_BOUNDARIES:
        first = first.parent
    first.insert_before(spot)
    kept = {id(e) for e in moved}
    for node in run:  # the loose text goes; a carried element's text stays in it (moved below)
        if not any(id(p) in kept for p in _up_to_block(node)):
            node.replace_with(NavigableString(""))
    for element in moved:
        element.extract()
    parts[0] = (lead + parts[0][0], parts[0][1])
    parts[-1] = (parts[-1][0] + trail, parts[-1][1])
    at = spot
    for words, key in parts:
        if key is None:
            piece = NavigableString(words)
        else:
            piece = elements[key]
            _set_text(piece, words)
        at.insert_after(piece)
        at = piece
    spot.extract()


def _up_to_block(node: NavigableString) -> Iterator[NavigableString | Tag]:
    """The node and its inline ancestors, up to (not including) its block."""
    yield node
    for parent in node.parents:
        if parent.name in BOUNDARIES or parent.name in ODF_BOUNDARIES:
            return
        yield parent


def _set_text(element: Tag, words: str) -> None:
    """An element's text replaced by ``words``: in its text node when its text lies in one element
    (``<a><b>name</b></a>`` stays so), else as its only content (the alignment inside it is not known)."""
    nodes = [n for n in element.descendants if isinstance(n, NavigableString) and not isinstance(n, _NOT_TEXT)]
    filled = [n for n in nodes if n.strip()]
    if not filled or any(n.parent is not filled[0].parent for n in filled):
        element.clear()
        element.append(NavigableString(words))
        return
    filled[0].replace_with(NavigableString(words))
    for node in nodes:
        if node is not filled[0]:
            node.replace_with(NavigableString(""))


def _marked_pieces(doc: DocumentTranslation, elements: Sequence[Tag]) -> list[NavigableString | Tag]:
    """The translation as text and copies of its carried spans' elements (bilingual mode)."""
    parts = cut(doc.text, [m for m in doc.marks() if m.key < len(elements)])
    out: list[NavigableString | Tag] = []
    for words, key in parts:
        if key is None:
            out.append(NavigableString(words))
            continue
        element = copy.copy(elements[key])
        _set_text(element, words)
        out.append(element)
    return out


def _appender(soup: BeautifulSoup, run: Sequence[NavigableString], elements: Sequence[Tag] = ()) -> Callable[[DocumentTranslation], None]:
    """Bilingual mode: the run stays; its translation follows it on a new line, in grey."""

    def write(doc: DocumentTranslation) -> None:
        span = soup.new_tag("span", attrs={"class": "bilingual-translation", "style": "color:#5f6368"})
        for piece in _marked_pieces(doc, elements):
            span.append(piece)
        last = run[-1]
        last.insert_after(span)
        last.insert_after(soup.new_tag("br"))

    return write


def _odf_appender(soup: BeautifulSoup, run: Sequence[NavigableString], elements: Sequence[Tag] = ()) -> Callable[[DocumentTranslation], None]:
    """Bilingual mode in OpenDocument: the translation follows the run after a line break."""

    def write(doc: DocumentTranslation) -> None:
        last = run[-1]
        span = soup.new_tag("text:span")
        for piece in _marked_pieces(doc, elements):
            span.append(piece)
        last.insert_after(span)
        last.insert_after(soup.new_tag("text:line-break"))

    return write


def translate_markup(
    translator: Translator,
    markup: str,
    target: str | None = None,
    *,
    source: str | None = None,
    bilingual: bool = False,
    report: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
    document: bool = False,
) -> str:
    """Translate the text of an HTML document or fragment with ``translator``, keeping its markup.
    ``document``: a file's (held to ``max_document_chars``, not to ``max_input_chars``)."""
    wanted = parse_target(target) if target else None
    given = normalize_language(source) if source else None
    translator.check_size([markup], document=document)

    def translate_many(texts: list[str], src: str, spans=None) -> list[DocumentTranslation]:
        language = normalize_language(src)
        docs = translator.translate_documents(texts, target or other(language), source=language, progress=progress,
                                              document=document, spans=spans)
        if report is not None:
            report["source"], report["documents"] = language, docs
        return docs

    def lang_code(src: str) -> str:
        return wanted.tag if wanted else TAGS[other(normalize_language(src))]

    return translate_html(markup, translate_many, source=given, lang_code=lang_code, bilingual=bilingual)


def _translate(job: Job) -> bytes:
    return translate_markup(job.translator, job.text(), job.target, source=job.source, bilingual=job.bilingual,
                            report=job.report, progress=job.progress, document=True).encode("utf-8")


FORMAT = Format("HTML", (".html", ".htm"), "text/html", _translate, text=True)
