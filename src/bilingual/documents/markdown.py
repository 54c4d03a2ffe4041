"""Markdown (.md): the text of headings, paragraphs, list items, quotes and table cells is
translated; everything else stays as written.

The document is parsed with ``markdown-it-py`` (CommonMark and tables), whose tokens carry
their source lines, and only those lines are rewritten: front matter, fenced and indented
code, HTML blocks, blank lines, list markers, quote markers and table pipes are kept byte
for byte. Inside a block, code spans and inline HTML stay exactly as written (they divide
the text around them); an image keeps its address and gets its alt text translated; the
rest is translated sentence by sentence. Emphasis and links on a few words of a sentence come
back on the words that translate them when the engine can carry them
(:mod:`bilingual.translation.inline`); otherwise a sentence keeps the emphasis that covers all
of it, a link inside it makes the whole translated sentence its text (its address kept), and a
sentence's further links follow it in parentheses, each with its own text translated; a link
whose text is code keeps it: no link target is lost. In bilingual mode
each block is followed by its translation as a quote.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from ..text.pieces import needs_translation, separator
from ..translation.inline import cut, fold
from ..translation.result import DocumentTranslation
from .formats import Format, Job

Translate = Callable[..., list[DocumentTranslation]]  # (texts, spans=None), see Job.aligned
_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n.*?\n(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_SPECIAL = re.compile(r"([\\`*_\[\]|<>])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:#{1,6}[ \t]+)?")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


@dataclass
class _Run:
    """Consecutive text of an inline block, with the marks (strong, em, link) of each piece."""

    pieces: list[tuple[str, frozenset]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.pieces)


    def spans(self) -> tuple[list[tuple[int, int]], list[list[int]]]:
        """Its inline spans: pieces in a row with the same emphasis or link, where the run also has plain
        text (offsets in :attr:`text`, and the pieces)."""
        if all(marks for _, marks in self.pieces if _.strip()):
            return [], []
        spans: list[tuple[int, int]] = []
        pieces: list[list[int]] = []
        offset = 0
        for i, (text, marks) in enumerate(self.pieces):
            if marks:
                if pieces and pieces[-1][-1] == i - 1 and self.pieces[i - 1][1] == marks:
                    spans[-1] = (spans[-1][0], offset + len(text))
                    pieces[-1].append(i)
                else:
                    spans.append((offset, offset + len(text)))
                    pieces.append([i])
            offset += len(text)
        return spans, pieces

    def links(self) -> list[tuple]:
        """The run's links, in order, each once."""
        return list(dict.fromkeys(m for _, marks in self.pieces for m in marks if isinstance(m, tuple)))

    def link_text(self, link: tuple) -> str:
        return " ".join("".join(t for t, marks in self.pieces if link in marks).split())


@dataclass
class _Inline:
    parts: list[object]  # _Run, or ("raw", markdown), or ("image", alt, src, title)
    units: dict[int, int] = field(default_factory=dict)  # part index -> unit index
    link_units: dict[tuple, int] = field(default_factory=dict)  # (part index, link) -> unit of the link's text


def _parse_inline(token) -> _Inline:
    parts: list[object] = []
    marks: list[object] = []
    run = _Run()

    def flush() -> None:
        nonlocal run
        if run.pieces:
            parts.append(run)
            run = _Run()

    for child in token.children or []:
        kind = child.type
        if kind == "text":
            run.pieces.append((child.content, frozenset(marks)))
        elif kind in ("softbreak", "hardbreak"):
            run.pieces.append((" ", frozenset(marks)))
        elif kind in ("strong_open", "em_open"):
            marks.append(kind[:-5])
        elif kind in ("strong_close", "em_close"):
            if kind[:-6] in marks:
                marks.remove(kind[:-6])
        elif kind == "link_open":
            marks.append(("link", child.attrs.get("href", ""), child.attrs.get("title") or ""))
        elif kind == "link_close":
            marks[:] = [m for m in marks if not isinstance(m, tuple)]
        elif kind == "code_inline":
            flush()
            fence = child.markup or "`"
            code = f"{fence}{child.content}{fence}"
            links = [m for m in marks if isinstance(m, tuple)]
            parts.append(("raw", _linked(code, links[-1]) if links else code))  # [`code`](url) keeps its link
        elif kind == "image":
            flush()
            parts.append(("image", child.content, child.attrs.get("src", ""), child.attrs.get("title") or ""))
        else:  # inline HTML and anything else: as written
            flush()
            parts.append(("raw", child.content))
    flush()
    return _Inline(parts)


def _linked(text: str, link: tuple) -> str:
    _, href, title = link
    return f'[{text}]({href}{f" {chr(34)}{title}{chr(34)}" if title else ""})'


def _render_sentence(text: str, marks: frozenset, extra: list[tuple[tuple, str]] = ()) -> str:
    """A translated sentence with the emphasis that covered all of it, inside its (first) link; the
    sentence's other links follow it, each with its own text translated, so no link target is lost."""
    out = _escape(text)
    if "strong" in marks:
        out = f"**{out}**"
    if "em" in marks:
        out = f"*{out}*"
    links = [m for m in marks if isinstance(m, tuple)]
    if links:
        out = _linked(out, links[0])
    if extra:
        wide = any("\u4e00" <= ch <= "\u9fff" for ch in text)
        inner = ", ".join(_linked(_escape(label), link) for link, label in extra)
        out += f"（{inner}）" if wide else f" ({inner})"
    return out


def _render_run(run: _Run, doc: DocumentTranslation | None, labels: dict[tuple, str] | None = None) -> str:
    """A run's translation, sentence by sentence; ``labels`` are the translated texts of its links, for
    the sentences that hold more than one."""
    raw = run.text
    lead = raw[: len(raw) - len(raw.lstrip())]
    trail = raw[len(raw.rstrip()) :]
    if doc is None:  # nothing to translate: the pieces as they were
        return "".join(_render_sentence(t, m) if t.strip() else t for t, m in run.pieces)
    starts, offset = [], 0
    for text, _ in run.pieces:
        starts.append(offset)
        offset += len(text)
    folded, mapping = _fold(raw)
    out, cursor = [], 0
    glue = separator(doc.target_language)
    _, span_pieces = run.spans()
    for seg in (s for p in doc.paragraphs for s in p):
        if not seg.target.strip():
            continue
        parts = cut(seg.target, [m for m in seg.marks if m.key < len(span_pieces)], strip=True)
        carried = {i for _, key in parts if key is not None for i in span_pieces[key]}
        found = folded.find(seg.source, cursor)
        covered: list[frozenset] = []
        if found >= 0:
            cursor = found + len(seg.source)
            lo, hi = mapping[found], mapping[cursor - 1] + 1
            first = max(0, bisect_right(starts, lo) - 1)  # the pieces from the one holding lo: a sentence
            covered = [run.pieces[n][1] for n in range(first, bisect_left(starts, hi))  # looks at its own
                       if starts[n] + len(run.pieces[n][0]) > lo and run.pieces[n][0].strip() and n not in carried]
        common = frozenset.intersection(*covered) if covered else frozenset()
        links = list(dict.fromkeys(m for ms in covered for m in ms if isinstance(m, tuple)))
        if carried:  # the carried spans' words have their own emphasis and links; the rest is plain
            marks, extra = frozenset(), [(link, (labels or {}).get(link) or run.link_text(link)) for link in links]
            pieces = [_render_sentence(words, frozenset() if key is None else run.pieces[span_pieces[key][0]][1])
                      for words, key in parts]
            plain = seg.target.strip()  # the links not carried follow it, as below
            out.append("".join(pieces) + _render_sentence(plain, marks, extra)[len(_escape(plain)):])
            continue
        marks = frozenset(m for m in common if not isinstance(m, tuple)) | (frozenset(links[:1]))
        extra = [(link, (labels or {}).get(link) or run.link_text(link)) for link in links[1:]]
        out.append(_render_sentence(seg.target.strip(), marks, extra))
    return lead + glue.join(out) + trail


def _fold(raw: str) -> tuple[str, list[int]]:
    """``" ".join(raw.split())`` and, for each of its characters, its index in ``raw``."""
    chars: list[str] = []
    mapping: list[int] = []
    after_space = True
    for i, ch in enumerate(raw):
        if ch.isspace():
            if after_space:
                continue
            chars.append(" ")
            after_space = True
        else:
            chars.append(ch)
            after_space = False
        mapping.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        mapping.pop()
    return "".join(chars), mapping


def translate_markdown(text: str, translate: Translate, *, bilingual: bool = False) -> str:
    from markdown_it import MarkdownIt

    front = _FRONT_MATTER.match(text)
    head = front.group() if front else ""
    body = text[len(head) :]
    lines = body.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    blocks: list[tuple[int, int, object]] = []  # (first line, last line, inline token)
    rows: dict[int, list[object]] = {}
    in_table = 0
    for token in tokens:
        if token.type == "table_open":
            in_table += 1
        elif token.type == "table_close":
            in_table -= 1
        elif token.type == "inline" and token.map:
            if in_table:
                rows.setdefault(token.map[0], []).append(token)
            else:
                blocks.append((token.map[0], token.map[1], token))
    inlines = {id(tok): _parse_inline(tok) for _, _, tok in blocks}
    inlines.update({id(tok): _parse_inline(tok) for toks in rows.values() for tok in toks})
    units: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    for inline in inlines.values():
        for i, part in enumerate(inline.parts):
            unit, found = fold(part.text, part.spans()[0]) if isinstance(part, _Run) else (
                part[1] if part[0] == "image" else "", [])
            if needs_translation(unit):
                inline.units[i] = len(units)
                units.append(unit)
                spans.append(found)
            links = part.links() if isinstance(part, _Run) and i in inline.units else []
            for link in links if len(links) > 1 else ():  # a sentence may hold several: their texts, translated
                label = part.link_text(link)
                if needs_translation(label):
                    inline.link_units[(i, link)] = len(units)
                    units.append(label)
                    spans.append([])
    docs = (translate(units, spans) if any(spans) else translate(units)) if units else []

    def render(token) -> str:
        inline = inlines[id(token)]
        out = []
        for i, part in enumerate(inline.parts):
            doc = docs[inline.units[i]] if i in inline.units else None
            if isinstance(part, _Run):
                labels = {link: docs[u].text.strip() for (k, link), u in inline.link_units.items() if k == i}
                out.append(_render_run(part, doc, labels))
            elif part[0] == "image":
                alt = doc.text.strip() if doc else part[1]
                title = f' "{part[3]}"' if part[3] else ""
                out.append(f"![{_escape(alt)}]({part[2]}{title})")
            else:
                out.append(part[1])
        return "".join(out).strip()

    replacements: list[tuple[int, int, list[str]]] = []
    for first, last, token in blocks:
        if not any(i in inlines[id(token)].units for i in range(len(inlines[id(token)].parts))):
            continue
        line = lines[first]
        head_line = token.content.split("\n", 1)[0]
        at = line.find(head_line) if head_line else -1
        prefix = line[:at] if at >= 0 else _PREFIX.match(line).group()
        suffix = line[at + len(head_line) :] if at >= 0 and last - first == 1 else ""
        translated = render(token)
        if bilingual:
            indent = re.sub(r"[-*+]|\d{1,9}[.)]", lambda m: " " * len(m.group()), re.sub(r"#{1,6}\s*", "", prefix))
            replacements.append((last, last, [indent + "> " + translated]))
        else:
            replacements.append((first, last, [prefix + translated + suffix.rstrip()]))
    for row, toks in rows.items():
        if not any(inlines[id(t)].units for t in toks):
            continue
        cells = _CELL_SPLIT.split(lines[row])
        edge = 1 if cells and not cells[0].strip() else 0
        for k, tok in enumerate(toks):
            if edge + k >= len(cells) or not inlines[id(tok)].units:
                continue
            cell = cells[edge + k]
            lead = cell[: len(cell) - len(cell.lstrip())]
            trail = cell[len(cell.rstrip()) :]
            translated = render(tok).replace("|", "\\|")
            content = f"{cell.strip()} / {translated}" if bilingual else translated
            cells[edge + k] = f"{lead}{content}{trail}"
        replacements.append((row, row + 1, ["|".join(cells)]))
    for first, last, new in sorted(replacements, key=lambda r: r[0], reverse=True):
        if first == last and bilingual:
            lines[first:first] = new
        else:
            lines[first:last] = new
    return head + "\n".join(lines)


def _translate(job: Job) -> bytes:
    return translate_markdown(job.text(), job.aligned(), bilingual=job.bilingual).encode("utf-8")


FORMAT = Format("Markdown", (".md", ".markdown"), "text/markdown", _translate, text=True)
