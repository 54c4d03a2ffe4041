"""Subtitles (.srt): cue numbers and timings kept exactly; sentences translated whole across cues.

A sentence often runs over two or three cues. The cues' text is joined and translated as
one text, so each sentence is translated once, whole; its translation is then shared out
over the cues it came from, in proportion to how much of the sentence each cue held (at
word boundaries in English, at characters in Chinese); no cue is left empty.

What a cue's lines say is kept: a two-speaker cue ("- Where to?" / "- Home.") keeps a line
per speaker with its dash; italics or bold around a whole line or cue (``<i>…</i>``) and a
position override (``{\\an8}``) are kept around its translation (tags inside a line are
dropped: they cannot be placed on the translated words). Chinese lines are wrapped at about
16 characters, two lines at most. In bilingual mode each cue shows its own text and, on the
next lines, its share of the translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UnsupportedFormatError
from ..text.pieces import separator
from ..translation.result import DocumentTranslation
from .formats import Format, Job

Translate = Callable[[list[str]], list[DocumentTranslation]]


_TAG = re.compile(r"</?(?:i|b|u|font)\b[^>]*>", re.I)
_WRAPPED = re.compile(r"^<(i|b)>(.*)</\1>$", re.I | re.S)
_POSITION = re.compile(r"^\{\\an?\d+\}")  # an ASS position override ({\an8}: top of the screen)
_DASH = re.compile(r"^-\s*")
_BREAK_AFTER = "，。！？；：、,.!?;: "
WRAP = 16  # Chinese subtitle lines are wrapped at about this many characters, into two lines at most


@dataclass
class _Unit:
    """What one line of a two-speaker cue, or a whole cue, says: its text, and how it was marked up."""

    text: str
    prefix: str = ""  # a position override, kept as written
    wrappers: tuple[str, ...] = ()  # <i>/<b> around all of it
    dash: bool = False  # a speaker's line ("- Where to?")

    def render(self, translation: str, language: str) -> str:
        body = translation
        if language == "zh" and not self.dash:
            body = wrap_chinese(body)
        for tag in reversed(self.wrappers):
            body = f"<{tag}>{body}</{tag}>"
        return self.prefix + ("- " if self.dash else "") + body


def _units(content: str) -> list[_Unit]:
    lines = [line.strip() for line in content.split("\n") if line.strip()]
    if len(lines) > 1 and all(_DASH.match(_TAG.sub("", line)) for line in lines):
        return [_unit(line, dash=True) for line in lines]  # two speakers: a line each
    return [_unit(" ".join(lines))]


def _unit(line: str, *, dash: bool = False) -> _Unit:
    prefix = _POSITION.match(line)
    line = line[prefix.end():] if prefix else line
    wrappers = []
    while (match := _WRAPPED.match(line.strip())) and f"</{match.group(1).lower()}>" not in match.group(2).lower():
        wrappers.append(match.group(1).lower())  # <i>…</i> around all of it ("<i>A</i> and <i>B</i>" is not)
        line = match.group(2)
    text = " ".join(_TAG.sub("", line).split())  # tags inside a line cannot be placed on the translation
    if dash:
        text = _DASH.sub("", text)
    return _Unit(text, prefix.group() if prefix else "", tuple(wrappers), dash)


def wrap_chinese(text: str, width: int = WRAP) -> str:
    """A Chinese subtitle line of more than ``width`` characters as two lines, broken after the punctuation
    nearest the middle (or at the middle)."""
    if len(text) <= width:
        return text
    middle = len(text) // 2
    candidates = [i + 1 for i, ch in enumerate(text[:-1]) if ch in _BREAK_AFTER]
    cut = min(candidates, key=lambda i: abs(i - middle)) if candidates else middle
    if abs(cut - middle) > len(text) // 4:  # punctuation far off the middle: balanced lines read better
        cut = middle
    return text[:cut].rstrip() + "\n" + text[cut:].lstrip()


def translate_srt(text: str, translate: Translate, *, bilingual: bool = False) -> str:
    import srt

    try:
        cues = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as exc:
        raise UnsupportedFormatError("The file is not valid SubRip (.srt): a cue's number or timing is broken.") from exc
    if not cues:
        raise UnsupportedFormatError("The subtitle file has no cues.")
    units = [_units(cue.content) for cue in cues]
    flat = [unit for cue_units in units for unit in cue_units]
    stream = ""
    spans = []
    for unit in flat:
        start = len(stream) + (1 if stream else 0)
        stream = f"{stream} {unit.text}" if stream else unit.text
        spans.append((start, start + len(unit.text)))
    (doc,) = translate([stream])
    parts: list[list[str]] = [[] for _ in flat]
    cursor = 0
    for seg in (s for paragraph in doc.paragraphs for s in paragraph):
        found = stream.find(seg.source, cursor)
        if found < 0 or not seg.target.strip():
            continue
        end = found + len(seg.source)
        cursor = end
        shares = [(i, min(end, hi) - max(found, lo)) for i, (lo, hi) in enumerate(spans) if min(end, hi) > max(found, lo)]
        for i, piece in zip((i for i, _ in shares), _share_out(seg.target.strip(), [n for _, n in shares],
                                                              doc.target_language)):
            parts[i].append(piece)
    join = separator(doc.target_language)
    out = []
    index = 0
    for cue, cue_units in zip(cues, units):
        lines = []
        for unit in cue_units:
            translation = join.join(p for p in parts[index] if p) or unit.text  # never an empty cue
            lines.append(unit.render(translation, doc.target_language))
            index += 1
        translated = "\n".join(lines)
        content = f"{cue.content}\n{translated}" if bilingual else translated
        out.append(srt.Subtitle(index=cue.index, start=cue.start, end=cue.end, content=content,
                                proprietary=cue.proprietary))
    return srt.compose(out, reindex=False, strict=False)


def _share_out(text: str, weights: list[int], language: str) -> list[str]:
    """Cut ``text`` into ``len(weights)`` consecutive parts sized like the weights (words, or characters);
    every part gets at least one word or character when there are enough."""
    if len(weights) == 1:
        return [text]
    units = re.findall(r"\S+\s*", text) if language == "en" else list(text)
    total = sum(weights)
    parts, taken, cumulative = [], 0, 0
    for n, weight in enumerate(weights):
        cumulative += weight
        upto = len(units) if n == len(weights) - 1 else round(len(units) * cumulative / total)
        left = len(weights) - n - 1  # parts still to fill: each keeps one unit
        upto = max(min(upto, len(units) - left), min(taken + 1, len(units) - left))
        parts.append("".join(units[taken:upto]).strip())
        taken = max(taken, upto)
    return parts


def _translate(job: Job) -> bytes:
    return translate_srt(job.text(), job.aligned(), bilingual=job.bilingual).encode("utf-8")


FORMAT = Format("SubRip subtitles", (".srt",), "application/x-subrip", _translate, text=True)
