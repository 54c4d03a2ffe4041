"""Paragraphs of Office documents (Word's ``w:p``, PowerPoint's DrawingML ``a:p``), translated whole.

A sentence in Word is often several runs (a bold name, an italic title, a hyperlink).
Translating run by run, as argos-translate-files does, cuts such sentences into pieces.
Here a paragraph's text is translated as one unit with the article pipeline, then written
back as one run per translated sentence:

* formatting of the whole paragraph (its paragraph properties, style, numbering) stays;
* a sentence that lies within one run gets that run's formatting (a bold sentence stays bold);
* a sentence made of differently formatted runs gets the formatting of the run covering most
  of it, less the inline emphasis (bold, italic, underline, colour …), which cannot be placed
  on the right words of the translation;
* hyperlinks inside a translated paragraph are not kept (their text is translated, their
  target is lost); images, fields and other objects in the paragraph stay where they are.

Nothing is duplicated or lost: every character of the paragraph's text is in exactly one
translated sentence. In bilingual mode the paragraph stays as it is and a copy with the
translation, in grey, follows it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ..text.pieces import needs_translation, separator
from ..translation.result import DocumentTranslation

GREY = "5F6368"


@dataclass(frozen=True)
class Dialect:
    """The element names of one Office XML vocabulary."""

    ns: str
    run: str
    props: str  # run properties
    text: str
    paragraph_props: str
    containers: frozenset[str]  # elements between a paragraph and its runs that hold plain text runs
    keep: frozenset[str]  # a run holding one of these is an object, never rewritten
    breaks: frozenset[str]  # inside a run: become a space
    inline_emphasis: frozenset[str]  # run-property children dropped when formatting cannot be placed
    emphasis_attributes: frozenset[str]
    end_props: str | None = None  # an element that must stay last in a paragraph

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"


WORD = Dialect(
    ns="http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    run="r",
    props="rPr",
    text="t",
    paragraph_props="pPr",
    containers=frozenset({"hyperlink", "ins", "smartTag", "sdt", "sdtContent", "customXml"}),
    keep=frozenset({"drawing", "pict", "object", "fldChar", "instrText", "footnoteReference", "endnoteReference",
                    "commentReference", "ruby", "sym"}),
    breaks=frozenset({"tab", "br", "cr"}),
    inline_emphasis=frozenset({"b", "bCs", "i", "iCs", "u", "strike", "dstrike", "highlight", "color", "vertAlign",
                               "shd", "caps", "smallCaps"}),
    emphasis_attributes=frozenset(),
)

DRAWING = Dialect(
    ns="http://schemas.openxmlformats.org/drawingml/2006/main",
    run="r",
    props="rPr",
    text="t",
    paragraph_props="pPr",
    containers=frozenset(),
    keep=frozenset(),
    breaks=frozenset(),
    inline_emphasis=frozenset({"solidFill", "highlight", "hlinkClick", "uFill", "uLn"}),
    emphasis_attributes=frozenset({"b", "i", "u", "strike", "baseline"}),
    end_props="endParaRPr",
)


class Paragraph:
    """One paragraph element and its text runs."""

    def __init__(self, element: etree._Element, dialect: Dialect) -> None:
        self.element = element
        self.d = dialect
        self.runs = [r for r in element.iter(dialect.q(dialect.run)) if self._plain(r)]
        self.texts = [self._run_text(r) for r in self.runs]
        self.text = "".join(self.texts)

    def _plain(self, run: etree._Element) -> bool:
        parent = run.getparent()
        while parent is not None and parent is not self.element:
            if etree.QName(parent).localname not in self.d.containers:
                return False  # a field, a text box inside a shape …: left alone
            parent = parent.getparent()
        if any(etree.QName(child).localname in self.d.keep for child in run):
            return False
        return run.find(self.d.q(self.d.text)) is not None

    def _run_text(self, run: etree._Element) -> str:
        parts = []
        for child in run:
            name = etree.QName(child).localname
            if name == self.d.text:
                parts.append(child.text or "")
            elif name in self.d.breaks:
                parts.append(" ")
        return "".join(parts)

    @property
    def translatable(self) -> bool:
        return bool(self.runs) and needs_translation(self.text)

    # -- writing -----------------------------------------------------------------------------

    def _formats(self, doc: DocumentTranslation) -> list[tuple[etree._Element | None, str]]:
        """(run properties, text) for each translated sentence, by the rules in the module docstring."""
        starts = []
        offset = 0
        for text in self.texts:
            starts.append(offset)
            offset += len(text)
        glue = separator(doc.target_language)
        out: list[tuple[etree._Element | None, str]] = []
        cursor = 0
        segments = [s for paragraph in doc.paragraphs for s in paragraph]
        for n, seg in enumerate(segments):
            target = seg.target.strip()
            if not target:
                continue
            found, length = _locate(self.text, seg.source, cursor)
            props = self._props_for(found, length, starts) if found >= 0 else self._props_for(0, 0, starts)
            if found >= 0:
                cursor = found + length
            out.append((props, (glue if out else "") + target))
        return out

    def _props_for(self, start: int, length: int, starts: list[int]) -> etree._Element | None:
        end = start + length
        covering = []
        for i, (run_start, text) in enumerate(zip(starts, self.texts)):
            overlap = min(end, run_start + len(text)) - max(start, run_start)
            if overlap > 0 and text[max(0, start - run_start) : end - run_start].strip():
                covering.append((overlap, i))
        if not covering:
            return self._props(self.runs[0], strip=True) if self.runs else None
        if len(covering) == 1:
            return self._props(self.runs[covering[0][1]], strip=False)
        _, main = max(covering)
        return self._props(self.runs[main], strip=True)

    def _props(self, run: etree._Element, *, strip: bool) -> etree._Element | None:
        props = run.find(self.d.q(self.d.props))
        if props is None:
            return None
        props = copy.deepcopy(props)
        if strip:
            for child in list(props):
                if etree.QName(child).localname in self.d.inline_emphasis:
                    props.remove(child)
            for name in self.d.emphasis_attributes:
                props.attrib.pop(name, None)
        return props

    def _run(self, props: etree._Element | None, text: str, *, grey: bool = False) -> etree._Element:
        run = etree.Element(self.d.q(self.d.run))
        if props is not None or grey:
            props = copy.deepcopy(props) if props is not None else etree.Element(self.d.q(self.d.props))
            if grey:
                _grey(props, self.d)
            run.append(props)
        t = etree.SubElement(run, self.d.q(self.d.text))
        t.text = text
        if self.d is WORD:
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return run

    def replace(self, doc: DocumentTranslation) -> None:
        """Put the translation in place of the paragraph's text runs."""
        new_runs = [self._run(props, text) for props, text in self._formats(doc)]
        first = self.runs[0]
        anchor = first
        while anchor.getparent() is not self.element:
            anchor = anchor.getparent()
        index = self.element.index(anchor)
        for run in self.runs:
            parent = run.getparent()
            parent.remove(run)
            while parent is not self.element and (len(parent) == 0 or _only_props(parent, self.d)):
                grand = parent.getparent()
                grand.remove(parent)  # an emptied hyperlink or insertion goes too
                parent = grand
        index = min(index, len(self.element))
        for offset, run in enumerate(new_runs):
            self.element.insert(index + offset, run)

    def add_translation_after(self, doc: DocumentTranslation) -> etree._Element:
        """Bilingual mode: a copy of the paragraph's properties holding the translation, in grey, after it."""
        twin = etree.Element(self.element.tag)
        props = self.element.find(self.d.q(self.d.paragraph_props))
        if props is not None:
            twin.append(copy.deepcopy(props))
        for run_props, text in self._formats(doc):
            twin.append(self._run(run_props, text, grey=True))
        if self.d.end_props:
            end = self.element.find(self.d.q(self.d.end_props))
            if end is not None:
                twin.append(copy.deepcopy(end))
        self.element.addnext(twin)
        return twin


def _locate(text: str, sentence: str, start: int) -> tuple[int, int]:
    """Where ``sentence`` (whitespace folded by the pipeline) is in ``text`` from ``start``: (index, length)."""
    if not sentence.strip():
        return -1, 0
    found = text.find(sentence, start)
    if found >= 0:
        return found, len(sentence)
    match = re.compile(r"\s+".join(map(re.escape, sentence.split()))).search(text, start)
    return (match.start(), match.end() - match.start()) if match else (-1, 0)


def _only_props(element: etree._Element, d: Dialect) -> bool:
    """A container left holding only properties (an emptied hyperlink)."""
    return etree.QName(element).localname in d.containers and all(
        etree.QName(child).localname in ("rPr", "pPr", "sdtPr", "sdtEndPr") for child in element
    )


def _grey(props: etree._Element, d: Dialect) -> None:
    if d is WORD:
        for old in props.findall(d.q("color")):
            props.remove(old)
        color = etree.SubElement(props, d.q("color"))
        color.set(d.q("val"), GREY)
        return
    for old in props.findall(d.q("solidFill")):
        props.remove(old)
    fill = etree.Element(d.q("solidFill"))
    etree.SubElement(fill, d.q("srgbClr")).set("val", GREY)
    props.insert(0, fill)


def translate_paragraphs(
    paragraphs: list[Paragraph],
    translate: Callable[[list[str]], list[DocumentTranslation]],
    *,
    bilingual: bool,
) -> int:
    """Translate every translatable paragraph in one batch; returns how many were translated."""
    todo = [p for p in paragraphs if p.translatable]
    if not todo:
        return 0
    docs = translate([" ".join(p.text.split()) for p in todo])
    for paragraph, doc in zip(todo, docs):
        if bilingual:
            paragraph.add_translation_after(doc)
        else:
            paragraph.replace(doc)
    return len(todo)
