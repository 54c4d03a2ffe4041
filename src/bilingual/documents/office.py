"""Paragraphs of Office documents (Word's ``w:p``, PowerPoint's DrawingML ``a:p``), translated whole.

A sentence in Word is often several runs (a bold name, an italic title, a hyperlink).
Translating run by run, as argos-translate-files does, cuts such sentences into pieces.
Here a paragraph's text is translated as one unit with the article pipeline, then written
back as one run per translated sentence, beside the run it came from:

* formatting of the whole paragraph (its paragraph properties, style, numbering) stays;
* a sentence that lies within one run gets that run's formatting (a bold sentence stays bold);
* a span of runs formatted apart from the rest of the paragraph (a bold name, an italic title, a
  link's words) inside a sentence comes back on the words that translate it, with its formatting
  and its link, when the engine can carry it (:mod:`bilingual.translation.inline`: short spans,
  within one sentence);
* otherwise a sentence made of differently formatted runs gets the formatting of the run covering
  most of it, less the inline emphasis (bold, italic, underline, colour …), which then cannot be
  placed on the right words of the translation;
* a sentence is written in the container its run was in: a linked sentence stays in its
  hyperlink (Word's ``w:hyperlink``; DrawingML's ``a:hlinkClick`` stays in the run's properties),
  an inserted one in its tracked insertion (``w:ins``), a content control's in the control. A
  sentence holding a link whose words could not be carried is written whole inside that link: the
  target is never lost, though the link then covers the whole translated sentence; a sentence's
  further such links follow it in brackets, each around its own text translated ("…（第二个链接）");
* tabs and line breaks (``w:tab``, ``w:br``, ``a:br``) stay between the same sentences; one
  inside a sentence follows its translation;
* fields keep their instruction (``w:instrText``, ``w:fldSimple/@w:instr``) and their runs; the
  text of their result is translated in place (a page number stays as it is);
* deleted text (``w:del``), images and other objects in the paragraph stay where they are.

Nothing is duplicated or lost: every character of the paragraph's text is in exactly one
translated sentence. In bilingual mode the paragraph stays as it is and a copy with the
translation, in grey and without list numbering of its own, follows it.
"""

from __future__ import annotations

import copy
import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ..text.pieces import needs_translation, separator
from ..text.segment import iter_sentences
from ..translation.inline import cut, fold
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
    inline_emphasis=frozenset({"solidFill", "highlight", "uFill", "uLn"}),  # a link (hlinkClick) is kept
    emphasis_attributes=frozenset({"b", "i", "u", "strike", "baseline"}),
    end_props="endParaRPr",
)


@dataclass
class _Break:
    """A tab or line break in a paragraph, at ``offset`` in its text."""

    element: etree._Element  # Word: the w:tab/w:br inside ``run``; DrawingML: the a:br itself
    run: etree._Element | None  # Word: the run holding it (its formatting goes with it)
    offset: int


class Paragraph:
    """One paragraph element: its text runs, its tabs and breaks, and its fields' result texts."""

    def __init__(self, element: etree._Element, dialect: Dialect) -> None:
        self.element = element
        self.d = dialect
        self.runs: list[etree._Element | None] = []  # the runs whose text is translated as the paragraph
        # (None: a DrawingML line break, which sits between runs)
        self.texts: list[str] = []
        self.breaks: list[_Break] = []
        self.fields: list[list[etree._Element]] = []  # runs of one field result's text, each translated alone
        self._offset = 0
        if dialect is WORD:
            self._read_word()
        else:
            self._read_drawing()
        self.text = "".join(self.texts)
        self.starts = list(itertools.accumulate((len(t) for t in self.texts), initial=0))[:-1]  # each entry's offset
        self.links = [self._link(run) for run in self.runs]
        # which link each run is in (Word: the w:hyperlink element; DrawingML: the hlinkClick's target)
        self.link_keys = [link if link is None or dialect is WORD else link.get(_RID) for link in self.links]
        self.spans, self.span_runs = self._spans()

    def _signature(self, i: int) -> tuple:
        """What sets run ``i``'s words apart inside a sentence: its inline emphasis and its link."""
        props = self.runs[i].find(self.d.q(self.d.props))  # type: ignore[union-attr]
        emphasis: list = []
        if props is not None:
            emphasis = sorted(etree.tostring(c) for c in props if etree.QName(c).localname in self.d.inline_emphasis)
            emphasis += sorted((n, props.get(n)) for n in self.d.emphasis_attributes
                              if props.get(n) not in (None, "0", "false", "none"))
        return tuple(emphasis), self.link_keys[i]

    def _spans(self) -> tuple[list[tuple[int, int]], list[list[int]]]:
        """The paragraph's inline spans: in each sentence, runs in a row formatted alike and apart from the
        sentence's plain words (or, in a sentence without any, from its most common formatting by characters).
        Their offsets in the text, and their runs."""
        signatures = [self._signature(i) if r is not None else None for i, r in enumerate(self.runs)]
        if len({s for s in signatures if s is not None}) < 2:
            return [], []
        starts = self.starts
        spans: list[tuple[int, int]] = []
        runs: list[list[int]] = []
        cursor = 0
        for sentence in iter_sentences(self.text):
            begin, length = _locate(self.text, sentence, cursor)
            if begin < 0:
                continue
            end = cursor = begin + length
            inside = [(i, max(begin, starts[i]), min(end, starts[i] + len(self.texts[i])))
                      for i in _overlapping(starts, self.texts, begin, end) if signatures[i] is not None]
            weight: dict[tuple, int] = {}
            for i, a, b in inside:
                weight[signatures[i]] = weight.get(signatures[i], 0) + len(self.text[a:b].strip())
            plain: tuple = ((), None)  # no emphasis, no link: the sentence's own words, when it has some
            base = plain if weight.get(plain) else max(weight, key=lambda k: weight[k])
            previous = None
            for i, a, b in inside:
                if signatures[i] != base:
                    if previous == signatures[i] and runs and runs[-1][-1] == i - 1:
                        spans[-1] = (spans[-1][0], b)
                        runs[-1].append(i)
                    else:
                        spans.append((a, b))
                        runs.append([i])
                previous = signatures[i]
        keep = [n for n, (a, b) in enumerate(spans) if self.text[a:b].strip()]
        return [spans[n] for n in keep], [runs[n] for n in keep]

    # -- reading -----------------------------------------------------------------------------

    def _read_word(self) -> None:
        d = self.d
        fields: list[str] = []  # complex fields open here: "instr" until their separator, then "result"
        unit: list[etree._Element] | None = None  # the field result being collected
        simple: dict[etree._Element, list[etree._Element]] = {}
        for run in self.element.iter(d.q("r")):
            chain = self._chain(run)
            if chain is None:
                continue  # a text box's or another object's own paragraphs are read on their own
            if "fldSimple" in chain:
                if run.find(d.q("t")) is not None:
                    holder = next(a for a in run.iterancestors(d.q("fldSimple")))
                    simple.setdefault(holder, []).append(run)
                continue
            names = [etree.QName(c).localname for c in run]
            if "fldChar" in names:
                kind = run.find(d.q("fldChar")).get(d.q("fldCharType"))
                if kind == "begin":
                    fields.append("instr")
                elif kind == "separate" and fields:
                    fields[-1] = "result"
                elif kind == "end" and fields:
                    fields.pop()
                unit = None
                continue
            if "instrText" in names or any(n in d.keep for n in names):
                unit = None if fields else unit
                continue
            if fields:
                if fields[-1] == "result" and "t" in names and not any(n in d.breaks for n in names):
                    if unit is None:
                        unit = []
                        self.fields.append(unit)
                    unit.append(run)
                else:
                    unit = None
                continue
            if "t" in names or any(n in d.breaks for n in names):
                self._add_run(run, [(etree.QName(c).localname, c) for c in run])
        self.fields += list(simple.values())

    def _read_drawing(self) -> None:
        for child in self.element:
            name = etree.QName(child).localname
            if name == "r" and child.find(self.d.q("t")) is not None:
                self._add_run(child, [("t", child.find(self.d.q("t")))])
            elif name == "br":  # a line break between runs: an entry of its own, with no run
                self.breaks.append(_Break(child, None, self._offset))
                self.runs.append(None)
                self.texts.append("\n")
                self._offset += 1

    def _chain(self, run: etree._Element) -> list[str] | None:
        """The names of the elements between the paragraph and ``run``; None when one is not a text container."""
        names = []
        parent = run.getparent()
        while parent is not None and parent is not self.element:
            name = etree.QName(parent).localname
            if name not in self.d.containers and name != "fldSimple":
                return None
            names.append(name)
            parent = parent.getparent()
        return names

    def _add_run(self, run: etree._Element, children: list[tuple[str, etree._Element]]) -> None:
        parts = []
        for name, child in children:
            if name == self.d.text:
                parts.append(child.text or "")
            elif name in self.d.breaks:
                self.breaks.append(_Break(child, run, self._offset + len("".join(parts))))
                parts.append("\t" if name == "tab" else "\n")
        text = "".join(parts)
        self.runs.append(run)
        self.texts.append(text)
        self._offset += len(text)

    def _link(self, run: etree._Element | None) -> etree._Element | None:
        """The hyperlink a run belongs to: Word's w:hyperlink element, DrawingML's a:hlinkClick; else None."""
        if run is None:
            return None
        if self.d is WORD:
            return next(run.iterancestors(self.d.q("hyperlink")), None)
        props = run.find(self.d.q(self.d.props))
        return props.find(self.d.q("hlinkClick")) if props is not None else None

    @property
    def translatable(self) -> bool:
        return any(r is not None for r in self.runs) and needs_translation(self.text)

    # -- writing -----------------------------------------------------------------------------

    def _plan(self, doc: DocumentTranslation) -> tuple[list[_Sentence], list[int]]:
        """Each translated sentence as it is written (by the rules in the module docstring); and for each
        break, the sentence it follows (-1: before the first): a break between two sentences stays between
        them, one inside a sentence goes after it."""
        starts = self.starts
        glue = separator(doc.target_language)
        out: list[_Sentence] = []
        begins: list[int] = []  # where each written sentence begins in the paragraph's text
        cursor = 0
        for seg in (s for paragraph in doc.paragraphs for s in paragraph):
            target = seg.target.strip()
            found, length = _locate(self.text, seg.source, cursor)
            if not target:
                cursor = found + length if found >= 0 else cursor
                continue
            parts = cut(seg.target, [m for m in seg.marks if m.key < len(self.spans)], strip=True)
            carried = {i for _, key in parts if key is not None for i in self.span_runs[key]}
            anchor, props, extras = self._anchor(found, length, starts, carried) if found >= 0 else (None, None, [])
            if anchor is not None and self.links[anchor] is not None and any(self.links[i] is not None for i in carried):
                # a link cannot hold another: the sentence goes whole, in its link, as when nothing is carried
                parts, carried = [(target, None)], set()
                anchor, props, extras = self._anchor(found, length, starts)
            if anchor is None:  # not found: beside the previous sentence, with the paragraph's first formatting
                anchor = out[-1].anchor if out else next(i for i, r in enumerate(self.runs) if r is not None)
                props = self._props(self.runs[anchor], strip=True)
            anchor = max(anchor, out[-1].anchor) if out else anchor  # document order is kept
            if out:
                parts[0] = (glue + parts[0][0], parts[0][1]) if parts[0][1] is None else parts[0]
                parts = parts if parts[0][1] is None else [(glue, None), *parts]
            out.append(_Sentence(anchor, props, (glue if out else "") + target, extras, parts))
            begins.append(found if found >= 0 else cursor)
            cursor = found + length if found >= 0 else cursor
        anchored = {self.link_keys[sentence.anchor] for sentence in out}
        anchored |= {self.link_keys[self.span_runs[key][0]] for sentence in out for _, key in sentence.parts
                     if key is not None}  # a link carried on its own words
        for sentence in out:  # a link that carries a sentence of its own does not also follow another
            sentence.extras = [i for i in sentence.extras if self.link_keys[i] not in anchored]
        follows = []
        for brk in self.breaks:
            before = [i for i, begin in enumerate(begins) if begin < brk.offset]
            follows.append(before[-1] if before and self.text[:brk.offset].strip() else -1)
        return out, follows

    def _anchor(self, start: int, length: int, starts: list[int],
                carried: set[int] = frozenset()) -> tuple[int | None, etree._Element | None, list[int]]:  # type: ignore[assignment]
        """The run a sentence is written beside and its formatting: a link's run when the sentence holds a
        link (the link stays on the translated sentence); else the run covering most of it. And the first
        run of each other link in the sentence. Runs of ``carried`` spans (placed on their own words) do
        not count, unless they are all the sentence has."""
        end = start + length
        covering = []
        for i in _overlapping(starts, self.texts, start, end):
            run_start, text = starts[i], self.texts[i]
            if self.runs[i] is None:  # a DrawingML break
                continue
            if i in carried:
                continue
            overlap = min(end, run_start + len(text)) - max(start, run_start)
            if overlap > 0 and text[max(0, start - run_start): end - run_start].strip():
                covering.append((overlap, i))
        if not covering:
            return self._anchor(start, length, starts) if carried else (None, None, [])
        linked = [(overlap, i) for overlap, i in covering if self.links[i] is not None]
        plain = [(overlap, i) for overlap, i in covering if self.links[i] is None]
        # with spans carried on their own words, the sentence's other words take no link of their own (a
        # link not carried follows the sentence); else a link carries the sentence, so its target stays
        _, main = max((plain if carried else linked) or covering)
        firsts: dict[object, int] = {}
        for _, i in sorted(linked, key=lambda pair: pair[1]):
            firsts.setdefault(self.link_keys[i], i)
        extras = [i for key, i in firsts.items() if key != self.link_keys[main]]
        return main, self._props(self.runs[main], strip=len(covering) > 1), extras

    def link_labels(self) -> list[tuple[object, str]]:
        """The text of each link, when the paragraph has more than one (a sentence may hold two): translated
        apart, to follow a sentence whose first link carries it."""
        texts: dict[object, str] = {}
        for key, text in zip(self.link_keys, self.texts):
            if key is not None:
                texts[key] = texts.get(key, "") + text
        return [(key, " ".join(text.split())) for key, text in texts.items()] if len(texts) > 1 else []

    def _write_extras(self, sentence: _Sentence, after: etree._Element, labels: dict, language: str, *,
                      grey: bool) -> etree._Element:
        """The sentence's further links after ``after`` (at the paragraph's level), each with its text
        translated, in brackets: "…（链接二，链接三）"; returns the last element written."""
        if not sentence.extras:
            return after
        while after.getparent() is not None and after.getparent().tag != self.element.tag:
            after = after.getparent()
        wide = language == "zh"
        pieces: list[etree._Element] = [self._run(None, "（" if wide else " (", grey=grey)]
        for n, first in enumerate(sentence.extras):
            if n:
                pieces.append(self._run(None, "，" if wide else ", ", grey=grey))
            key = self.link_keys[first]
            label = labels.get(key) or " ".join(
                t for k, t in zip(self.link_keys, self.texts) if k == key).strip()
            run = self._run(self._props(self.runs[first], strip=False), label, grey=grey)
            if self.d is WORD:  # the same w:hyperlink (its target, its tooltip) around the translated text
                link = self.links[first]
                shell = etree.Element(link.tag, dict(link.attrib))
                shell.append(run)
                run = shell
            pieces.append(run)
        pieces.append(self._run(None, "）" if wide else ")", grey=grey))
        for piece in pieces:
            after.addnext(piece)
            after = piece
        return after

    def _sentence_runs(self, sentence: _Sentence, *, grey: bool) -> list[etree._Element]:
        """The runs of one translated sentence, in order: its words in the sentence's formatting, and each
        carried span's words in its own (inside a copy of its link when it is in another link than the
        sentence's anchor, which is in none)."""
        if not sentence.parts or all(key is None for _, key in sentence.parts):
            return [self._run(sentence.props, sentence.text, grey=grey)]
        out = []
        for text, key in sentence.parts:
            if not text:
                continue
            if key is None:
                out.append(self._run(sentence.props, text, grey=grey))
                continue
            first = self.span_runs[key][0]
            run = self._run(self._props(self.runs[first], strip=False), text, grey=grey)
            link = self.links[first]
            if self.d is WORD and link is not None and self.links[sentence.anchor] is None:
                shell = etree.Element(link.tag, dict(link.attrib))
                shell.append(run)
                run = shell
            out.append(run)
        return out or [self._run(sentence.props, sentence.text, grey=grey)]

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

    def _run(self, props: etree._Element | None, text: str | None, *, grey: bool = False) -> etree._Element:
        run = etree.Element(self.d.q(self.d.run))
        if props is not None or grey:
            props = copy.deepcopy(props) if props is not None else etree.Element(self.d.q(self.d.props))
            if grey:
                _grey(props, self.d)
            run.append(props)
        if text is None:  # a run for a tab or a break
            return run
        t = etree.SubElement(run, self.d.q(self.d.text))
        t.text = text
        if self.d is WORD:
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return run

    def replace(self, doc: DocumentTranslation, labels: dict | None = None) -> None:
        """Put the translation in place of the paragraph's text runs, beside the runs it came from: inside
        their hyperlink, insertion or content control; tabs and breaks between the same sentences.
        ``labels``: the translated texts of the paragraph's links (:meth:`link_labels`)."""
        plan, follows = self._plan(doc)
        firsts: list[etree._Element] = []
        lasts: list[etree._Element] = []
        for sentence in plan:
            elements = self._sentence_runs(sentence, grey=False)
            self.runs[sentence.anchor].addprevious(elements[0])
            for previous, element in zip(elements, elements[1:]):
                previous.addnext(element)
            firsts.append(elements[0])
            lasts.append(self._write_extras(sentence, elements[-1], labels or {}, doc.target_language, grey=False))
        self._place_breaks(firsts, lasts, follows, grey=False)
        for run in self.runs:
            if run is None:
                continue
            parent = run.getparent()
            parent.remove(run)
            # An emptied hyperlink goes: its sentence carries it, or a copy follows its sentence. Insertions,
            # content controls and smart tags stay, empty, where their text was (their markup is kept).
            while (parent is not self.element and etree.QName(parent).localname == "hyperlink"
                   and (len(parent) == 0 or _only_props(parent, self.d))):
                grand = parent.getparent()
                grand.remove(parent)
                parent = grand

    def _place_breaks(self, firsts: list[etree._Element], lasts: list[etree._Element], follows: list[int], *,
                      grey: bool) -> None:
        """Each tab or break after the sentence it follows (Word: in a run of its own, formatted as it was)."""
        last = list(lasts)
        lead: etree._Element | None = None
        for brk, k in zip(self.breaks, follows):
            if not firsts:
                return
            if self.d is WORD:
                holder = self._run(self._props(brk.run, strip=False), None, grey=grey)
                holder.append(copy.deepcopy(brk.element))
            else:
                holder = brk.element if not grey else copy.deepcopy(brk.element)
            if k < 0:
                (lead.addnext if lead is not None else self._outside(firsts[0], brk).addprevious)(holder)
                lead = holder
            else:
                self._outside(last[k], brk).addnext(holder)
                last[k] = holder

    def _outside(self, element: etree._Element, brk: _Break) -> etree._Element:
        """Where a break goes beside ``element``: next to it when both were in the same container (a tab
        inside a hyperlink stays in it), else next to the container that is a child of the paragraph."""
        if brk.run is not None and brk.run.getparent() is element.getparent():
            return element
        while element.getparent() is not None and element.getparent().tag != self.element.tag:
            element = element.getparent()
        return element

    def add_translation_after(self, doc: DocumentTranslation, labels: dict | None = None) -> etree._Element:
        """Bilingual mode: a paragraph holding the translation, in grey, after this one: the same paragraph
        properties without list numbering (the pair is one item), its links, tabs and breaks."""
        twin = etree.Element(self.element.tag)
        props = self.element.find(self.d.q(self.d.paragraph_props))
        if props is not None:
            props = copy.deepcopy(props)
            for numbering in props.findall(self.d.q("numPr")):
                props.remove(numbering)
            twin.append(props)
        plan, follows = self._plan(doc)
        firsts, lasts = [], []
        for sentence in plan:
            link = self.links[sentence.anchor]
            holder = twin
            if self.d is WORD and link is not None:  # the same link target, on the translated words
                holder = etree.SubElement(twin, link.tag, dict(link.attrib))
            elements = self._sentence_runs(sentence, grey=True)
            for element in elements:
                holder.append(element)
            firsts.append(elements[0])
            lasts.append(self._write_extras(sentence, elements[-1], labels or {}, doc.target_language, grey=True))
        self._place_breaks(firsts, lasts, follows, grey=True)
        if self.d.end_props:
            end = self.element.find(self.d.q(self.d.end_props))
            if end is not None:
                twin.append(copy.deepcopy(end))
        self.element.addnext(twin)
        return twin

    def field_texts(self) -> list[tuple[list[etree._Element], str]]:
        """Each field result with text to translate: (its runs, its text)."""
        out = []
        for runs in self.fields:
            text = "".join(t.text or "" for r in runs for t in r.findall(self.d.q(self.d.text)))
            if needs_translation(text):
                out.append((runs, text))
        return out

    def write_field(self, runs: list[etree._Element], translation: str) -> None:
        """A field's result text replaced, its runs (and so its formatting and instruction) kept."""
        texts = [t for r in runs for t in r.findall(self.d.q(self.d.text))]
        texts[0].text = translation
        for t in texts[1:]:
            t.getparent().remove(t)


_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class _Sentence:
    """A translated sentence as it is written: beside which run, formatted how, and the links of the
    sentence other than the one it is written in (each then follows it with its own text translated)."""

    anchor: int
    props: etree._Element | None
    text: str
    extras: list[int]  # the first run of each further link
    parts: list[tuple[str, int | None]]  # the text cut at its carried spans: (words, span index or None)


def _overlapping(starts: list[int], texts: list[str], start: int, end: int) -> range:
    """The runs whose text overlaps ``[start, end)`` (``starts``: where each run's text begins, in order):
    found by bisection, so a paragraph's sentences together look at each run about once."""
    first = bisect_right(starts, start) - 1
    while first > 0 and starts[first - 1] + len(texts[first - 1]) > start:
        first -= 1
    first = max(first, 0)
    while first < len(starts) and starts[first] + len(texts[first]) <= start:
        first += 1
    last = bisect_left(starts, end, lo=first)
    return range(first, last)


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
    """Translate every translatable paragraph, and every field's result text, in one batch; returns how
    many paragraphs were translated. In bilingual mode fields keep their results (the twin has none)."""
    todo = [p for p in paragraphs if p.translatable]
    fields = [] if bilingual else [(p, runs, text) for p in paragraphs for runs, text in p.field_texts()]
    links = [(n, key, text) for n, p in enumerate(todo) for key, text in p.link_labels() if needs_translation(text)]
    if not todo and not fields:
        return 0
    folded = [fold(p.text, p.spans) for p in todo]
    texts = ([text for text, _ in folded] + [" ".join(text.split()) for _, _, text in fields]
             + [text for _, _, text in links])
    spans = [spans for _, spans in folded] + [[] for _ in texts[len(todo):]]
    docs = translate(texts, spans) if any(spans) else translate(texts)
    for (paragraph, runs, _), doc in zip(fields, docs[len(todo):]):
        paragraph.write_field(runs, doc.text)
    labels: list[dict] = [{} for _ in todo]
    for (n, key, _), doc in zip(links, docs[len(todo) + len(fields):]):
        labels[n][key] = doc.text.strip()
    for paragraph, doc, own in zip(todo, docs, labels):
        if bilingual:
            paragraph.add_translation_after(doc, own)
        else:
            paragraph.replace(doc, own)
    return len(todo)
