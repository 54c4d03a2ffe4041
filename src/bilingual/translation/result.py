"""What a translation returns: aligned segments with their confidence and flags, documents, stream steps.

The types the translator produces and everything above it reads (documents, the page, REST):
kept apart from the :class:`~bilingual.translation.translator.Translator` itself, so that the
layers above can use them without importing the machinery, and nothing imports in a circle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..languages import Language, Script
from ..text.checks import Flag
from .inline import Mark


@dataclass(frozen=True)
class Hint:
    """A similar sentence in the translation memory and its human translation, shown beside the
    model's sentence (not in its place)."""

    source: str
    target: str
    similarity: float


@dataclass(frozen=True)
class Segment:
    """One source sentence and its translation.

    Attributes:
        source: the sentence as it stands in the input.
        target: its translation.
        confidence: from 0 to 1 (see :func:`confidence`); 1.0 from the translation memory; None when
            nothing translated it (numbers, URLs, list markers pass through).
        flags: what to check in this sentence (:class:`~bilingual.text.checks.Flag`), empty when nothing.
        origin: ``"model"``, ``"memory"`` (a person's translation, from the translation memory) or
            ``"copied"`` (nothing to translate: passed through).
        hints: similar sentences in the translation memory with their human translations (model
            sentences only).
        marks: where the inline spans the caller gave landed in ``target`` (see
            :mod:`bilingual.translation.inline`); empty when none was carried.
    """

    source: str
    target: str
    confidence: float | None = None
    flags: tuple[Flag, ...] = ()
    origin: str = "model"
    hints: tuple[Hint, ...] = ()
    marks: tuple[Mark, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The sentence as JSON (REST's ``detail=true``, a background job's view); marks when it has some."""
        out = {"source": self.source, "target": self.target, "confidence": self.confidence,
               "flags": [{"code": f.code, "message": f.message} for f in self.flags], "origin": self.origin,
               "hints": [{"source": h.source, "target": h.target, "similarity": h.similarity} for h in self.hints]}
        if self.marks:
            out["marks"] = [list(m) for m in self.marks]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        return cls(data["source"], data["target"], data.get("confidence"),
                   tuple(Flag(f["code"], f["message"]) for f in data.get("flags", ())), data.get("origin", "model"),
                   tuple(Hint(h["source"], h["target"], h["similarity"]) for h in data.get("hints", ())),
                   tuple(Mark(*m) for m in data.get("marks", ())))


# How much each flag lowers a sentence's confidence (see ``confidence``).
FLAG_WEIGHTS = {"empty": 0.0, "numbers": 0.4, "names": 0.5, "untranslated": 0.4, "glossary": 0.5,
                "repetition": 0.5, "length": 0.7, "score": 1.0}
LOW_SCORE = 0.35  # a model confidence under this is itself a flag


def confidence(score: float | None, flags: Sequence[Flag]) -> float:
    """``exp(mean token log-probability)`` (1 without a score), times each flag's weight (FLAG_WEIGHTS).

    The model's mean log-probability of its output maps to 0-1 the same way for both backends;
    a wrong number halves it and more, a missing name halves it, and so on.
    """
    value = math.exp(score) if score is not None else 1.0
    for flag in flags:
        value *= FLAG_WEIGHTS.get(flag.code, 0.7)
    return round(max(0.0, min(1.0, value)), 3)


@dataclass(frozen=True)
class DocumentTranslation:
    """An aligned translation of one document.

    Attributes:
        source_language: ``"zh"`` or ``"en"``, detected or given.
        target_language: the other one.
        model: the model that translated (Hub id or path; empty when nothing needed a model).
        paragraphs: one entry per input paragraph, each a list of segments.
        text: the whole translation, with the input's paragraph layout.
        source_script: for a Chinese source, how it is written: ``"Hans"`` or ``"Hant"``.
        target_script: for Chinese output converted by OpenCC, its script (``"Hant"``,
            ``"Hant-TW"``, ``"Hant-HK"``, ``"Hans"``); None when it is as the model wrote it.
    """

    source_language: Language
    target_language: Language
    model: str
    paragraphs: tuple[tuple[Segment, ...], ...]
    text: str
    source_script: Script | None = None
    target_script: Script | None = None

    def __str__(self) -> str:
        return self.text

    def marks(self) -> list[Mark]:
        """Every segment's marks, moved into :attr:`text`'s coordinates (each segment's target found in
        the text in order)."""
        out: list[Mark] = []
        at = 0
        for segment in (s for paragraph in self.paragraphs for s in paragraph):
            found = self.text.find(segment.target, at) if segment.target else -1
            if found < 0:
                continue
            out += [Mark(found + m.start, found + m.end, m.key) for m in segment.marks]
            at = found + len(segment.target)
        return out

    @property
    def flagged(self) -> list[tuple[int, Segment]]:
        """(paragraph number from 1, segment) of every sentence with a flag: the ones to check."""
        return [(n, seg) for n, paragraph in enumerate(self.paragraphs, 1) for seg in paragraph if seg.flags]


@dataclass(frozen=True)
class TranslationStep:
    """Where a streamed translation stands (see :meth:`Translator.iter_translate_document`).

    Attributes:
        source_language: ``"zh"`` or ``"en"``.
        target_language: the other one.
        paragraphs: the paragraphs finished so far, in order (a prefix of the document's).
        total_paragraphs: how many paragraphs the document has.
        done: pieces translated so far (from the cache or the model).
        total: pieces to translate in all.
        document: the finished translation, on the last step only.
    """

    source_language: Language
    target_language: Language
    paragraphs: tuple[tuple[Segment, ...], ...]
    total_paragraphs: int
    done: int
    total: int
    document: DocumentTranslation | None = None
