"""The document pipeline, without a model: plan, batch, reassemble.

1. ``plan_document`` normalizes the text, cuts it into paragraphs and
   sentences, marks the pieces with nothing to translate, and splits sentences
   too long for the model at clause boundaries or, failing that, at a token budget.
2. ``make_batches`` sorts the pieces by length and groups them under a token budget.
3. ``DocumentPlan.assemble`` puts the translated pieces back, in order, one output
   paragraph per input paragraph, with the original whitespace between paragraphs.

Nothing here imports torch; the stages are tested with a fake backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..languages import Language, Script
from ..text.normalize import LIST_MARKER, Layout, normalize_text, paragraph_layout
from ..text.pieces import LengthFn, needs_translation, separator, split_long
from ..text.segment import iter_sentences


@dataclass(eq=False)
class Context:
    """What a contextual engine (an LLM) is told beside one paragraph's sentences: the source paragraphs
    just before it, not to be translated again, and the glossary's terms found in the paragraph."""

    before: tuple[str, ...] = ()
    terms: dict[str, str] = field(default_factory=dict)


@dataclass
class Piece:
    """One unit sent to the model (or passed through), and where it belongs."""

    text: str
    paragraph: int
    sentence: int
    translate: bool
    result: str | None = None
    score: float | None = None  # the model's mean token log-probability
    guarded: bool = False  # the repetition guard had to decode again or trim
    model_text: str | None = None  # what the model sees, when it differs (Traditional input -> Simplified)
    placeholders: dict[str, str] | None = None  # placeholder -> target term (or an inline span's marked translation)
    plain_text: str | None = None  # the model's input without the glossary's placeholders
    glossary_lost: bool = False  # a glossary term's placeholder did not come back: translated without the glossary
    whole: tuple[int, ...] = ()  # inline spans that are this whole piece: its translation is marked with them
    tags: tuple[int, ...] = ()  # a contextual engine's inline spans, as <m1>… tags in model_text: their keys
    context: Context | None = None  # for contextual engines: shared by the pieces of one paragraph

    @property
    def source_text(self) -> str:
        """The text sent to the model (and the translation cache's key)."""
        return self.model_text if self.model_text is not None else self.text


@dataclass
class DocumentPlan:
    """A planned document: its layout, its sentences per paragraph, and the pieces to translate."""

    source: Language
    target: Language
    layout: Layout
    sentences: list[list[str]]
    pieces: list[Piece] = field(default_factory=list)
    glossary: dict[str, str] | None = None  # source term -> target term, checked in every sentence
    source_script: Script | None = None  # how a Chinese source is written
    target_script: Script | None = None  # the script the Chinese output is converted to, if any
    remembered: dict[tuple[int, int], str] = field(default_factory=dict)  # (paragraph, sentence) -> memory's
    hints: dict[tuple[int, int], tuple] = field(default_factory=dict)  # (paragraph, sentence) -> memory hints
    _index: dict[int, list[Piece]] | None = field(default=None, repr=False)
    _indexed: int = field(default=0, repr=False)

    @property
    def pending(self) -> list[Piece]:
        """The pieces for the model: to translate, and not translated yet (the memory's are)."""
        return [p for p in self.pieces if p.translate and p.result is None]

    def assemble_paragraph(self, index: int) -> list[tuple[str, str]]:
        """One paragraph's (source sentence, target sentence) pairs; its pieces must be translated."""
        glue = separator(self.target)
        parts: list[list[str]] = [[] for _ in self.sentences[index]]
        for piece in self._by_paragraph().get(index, []):
            text = piece.result if piece.translate else piece.text
            if text is None:
                raise RuntimeError("assemble_paragraph() called before the paragraph was translated")
            parts[piece.sentence].append(text.strip())
        return [(self.sentences[index][s], glue.join(x for x in parts[s] if x)) for s in range(len(parts))]

    def sentence_pieces(self, index: int) -> list[list[Piece]]:
        """The pieces of each sentence of one paragraph (a long sentence has several)."""
        out: list[list[Piece]] = [[] for _ in self.sentences[index]]
        for piece in self._by_paragraph().get(index, []):
            out[piece.sentence].append(piece)
        return out

    def _by_paragraph(self) -> dict[int, list[Piece]]:
        if self._index is None or self._indexed != len(self.pieces):
            self._index = {}
            for piece in self.pieces:
                self._index.setdefault(piece.paragraph, []).append(piece)
            self._indexed = len(self.pieces)
        return self._index

    def assemble(self) -> list[list[tuple[str, str]]]:
        """Per paragraph, the (source sentence, target sentence) pairs, in order."""
        glue = separator(self.target)
        out: list[list[tuple[str, str]]] = [[("", "")] * len(s) for s in self.sentences]
        grouped: dict[tuple[int, int], list[str]] = {}
        for piece in self.pieces:
            text = piece.result if piece.translate else piece.text
            if text is None:
                raise RuntimeError("assemble() called before every piece was translated")
            grouped.setdefault((piece.paragraph, piece.sentence), []).append(text.strip())
        for (p, s), parts in grouped.items():
            out[p][s] = (self.sentences[p][s], glue.join(x for x in parts if x))
        return out


def plan_document(
    text: str,
    source: Language,
    target: Language,
    *,
    max_tokens: int,
    length: LengthFn,
) -> DocumentPlan:
    """Normalize and segment ``text`` into a plan of pieces for the model."""
    layout = paragraph_layout(normalize_text(text))
    plan = DocumentPlan(source, target, layout, [])
    for p_index, paragraph in enumerate(layout.paragraphs):
        marker = LIST_MARKER.match(paragraph)
        head = [marker.group().strip()] if marker and marker.group().strip() else []
        sentences = head + list(iter_sentences(paragraph[marker.end() :] if head else paragraph))
        plan.sentences.append(sentences)
        for s_index, sentence in enumerate(sentences):
            if (head and s_index == 0) or not needs_translation(sentence):
                # list markers ("-", "1.", "一、") and pieces without words never reach the model
                plan.pieces.append(Piece(sentence, p_index, s_index, translate=False))
                continue
            for part in split_long(sentence, max_tokens, length):
                plan.pieces.append(Piece(part, p_index, s_index, translate=needs_translation(part)))
    return plan


def paragraph_contexts(paragraphs: Sequence[str], limit: int) -> list[tuple[str, ...]]:
    """For each paragraph, the paragraphs just before it, nearest last, at most ``limit`` characters
    together (the nearest one cut to its end when it alone is longer). Linear in the text's length."""
    out: list[tuple[str, ...]] = []
    window: list[str] = []
    size = 0
    for paragraph in paragraphs:
        out.append(tuple(window))
        window.append(paragraph if len(paragraph) <= limit else paragraph[-limit:])
        size += len(window[-1])
        while size > limit and len(window) > 1:
            size -= len(window.pop(0))
    return out


def make_batches(lengths: Sequence[int], *, max_size: int, max_tokens: int) -> list[list[int]]:
    """Group item indices into batches of similar length.

    Items are sorted by length (longest first, so a memory problem shows at once);
    a batch holds at most ``max_size`` items and ``max_tokens`` padded tokens.
    Every index appears exactly once.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = max([lengths[j] for j in current] + [lengths[i]])
        if current and (len(current) >= max_size or width * (len(current) + 1) > max_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
