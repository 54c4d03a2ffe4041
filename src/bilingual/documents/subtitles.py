"""Subtitles (.srt): cue numbers and timings kept exactly; sentences translated whole across cues.

A sentence often runs over two or three cues. The cues' text is joined and translated as
one text, so each sentence is translated once, whole; its translation is then shared out
over the cues it came from, in proportion to how much of the sentence each cue held (at
word boundaries in English, at characters in Chinese). In bilingual mode each cue shows
its own text and, on the next line, its share of the translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import UnsupportedFormatError
from ..text.pieces import separator
from ..translation.result import DocumentTranslation
from .formats import Format, Job

Translate = Callable[[list[str]], list[DocumentTranslation]]


def translate_srt(text: str, translate: Translate, *, bilingual: bool = False) -> str:
    import srt

    try:
        cues = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as exc:
        raise UnsupportedFormatError("The file is not valid SubRip (.srt): a cue's number or timing is broken.") from exc
    if not cues:
        raise UnsupportedFormatError("The subtitle file has no cues.")
    contents = [" ".join(cue.content.split()) for cue in cues]
    glue = " "
    stream = ""
    spans = []
    for content in contents:
        start = len(stream) + (len(glue) if stream else 0)
        stream = f"{stream}{glue}{content}" if stream else content
        spans.append((start, start + len(content)))
    (doc,) = translate([stream])
    parts: list[list[str]] = [[] for _ in cues]
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
    for cue, pieces in zip(cues, parts):
        translation = join.join(p for p in pieces if p)
        content = f"{cue.content}\n{translation}" if bilingual else translation
        out.append(srt.Subtitle(index=cue.index, start=cue.start, end=cue.end, content=content,
                                proprietary=cue.proprietary))
    return srt.compose(out, reindex=False, strict=False)


def _share_out(text: str, weights: list[int], language: str) -> list[str]:
    """Cut ``text`` into ``len(weights)`` consecutive parts sized like the weights (words, or characters)."""
    if len(weights) == 1:
        return [text]
    units = re.findall(r"\S+\s*", text) if language == "en" else list(text)
    total = sum(weights)
    parts, taken, cumulative = [], 0, 0
    for n, weight in enumerate(weights):
        cumulative += weight
        upto = len(units) if n == len(weights) - 1 else round(len(units) * cumulative / total)
        parts.append("".join(units[taken:upto]).strip())
        taken = max(taken, upto)
    return parts


def _translate(job: Job) -> bytes:
    return translate_srt(job.text(), job.aligned(), bilingual=job.bilingual).encode("utf-8")


FORMAT = Format("SubRip subtitles", (".srt",), "application/x-subrip", _translate, text=True)
