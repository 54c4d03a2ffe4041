"""Inline spans carried onto the translation: a bold name, an italic title, a link's words.

A document gives the translator, beside each text, the character spans that carry formatting
of their own (:meth:`~bilingual.translation.translator.Translator.translate_documents`'s
``spans``). How a span travels depends on the engine:

* **Opus-MT and the other sequence-to-sequence engines**: a span inside a sentence is translated
  on its own and replaced, in the sentence the model sees, by a placeholder (``ZQ1`` …, the
  glossary's mechanism, which these models copy through); the span's translation takes the
  placeholder's place in the output, and is marked there. A span that is its whole sentence marks
  the whole translation.
* **Contextual engines (an LLM)**: the engine sees the sentence whole and writes the marks itself
  (see :mod:`bilingual.translation.backends.llm`); a reply whose marks do not match is used
  without them.

A span is left out (the document then formats the sentence as a whole, as before) when it lies
across sentences, is long (over ``MAX_WORDS`` words or ``MAX_CHARS`` characters), would make the
spans of its sentence more than half of it (the model needs the sentence's own words for context),
is one of more than ``MAX_PER_SENTENCE`` in it, cuts a word in two, or when the model loses its
placeholder (the sentence is then translated again without placeholders).

Inside the translator the marks travel in the text as private-use characters
(``OPEN key MID … CLOSE``), so the pipeline's joins and OpenCC keep them in place; they become
:class:`Mark`\\ s of the segment, in the coordinates of its clean target, when the segment is built.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import NamedTuple

OPEN, MID, CLOSE = "\ue000", "\ue001", "\ue002"
MAX_WORDS = 8
MAX_CHARS = 40
MAX_SHARE = 0.5  # of its sentence's characters, for its spans together: the model keeps the sentence's context
MAX_PER_SENTENCE = 6
_SENTINELS = re.compile(f"[{OPEN}{MID}{CLOSE}]")
_WORDISH = re.compile(r"[A-Za-z0-9]")


class Mark(NamedTuple):
    """Where span ``key`` (its index in the list the caller gave) landed in a translated text."""

    start: int
    end: int
    key: int


def wrap(key: int, text: str) -> str:
    """``text`` marked as the translation of span ``key``."""
    return f"{OPEN}{key}{MID}{text}{CLOSE}"


def unmark(text: str) -> tuple[str, tuple[Mark, ...]]:
    """The text without its marks, and the marks (nested ones too) in the clean text's coordinates,
    in the order they begin. A text with unbalanced marks comes back clean, without marks."""
    if OPEN not in text:
        return _SENTINELS.sub("", text), ()
    out: list[str] = []
    size = 0
    marks: list[Mark] = []
    stack: list[tuple[int, int]] = []  # (key, start)
    i = 0
    while i < len(text):
        char = text[i]
        if char == OPEN:
            middle = text.find(MID, i)
            if middle < 0 or not text[i + 1 : middle].isdigit():
                return _SENTINELS.sub("", text), ()
            stack.append((int(text[i + 1 : middle]), size))
            i = middle + 1
            continue
        if char == CLOSE:
            if not stack:
                return _SENTINELS.sub("", text), ()
            key, start = stack.pop()
            marks.append(Mark(start, size, key))
        elif char != MID:
            out.append(char)
            size += 1
        i += 1
    if stack:
        return _SENTINELS.sub("", text), ()
    return "".join(out), tuple(sorted(marks))


def convert(text: str, function: Callable[[str], str]) -> str:
    """``function`` (a script conversion) applied to the text between the marks, the marks kept."""
    if OPEN not in text:
        return function(text)
    parts = re.split(f"({OPEN}\\d+{MID}|{CLOSE})", text)
    return "".join(part if i % 2 else function(part) for i, part in enumerate(parts))


def fold(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """``" ".join(text.split())`` and the spans moved onto it (a span of only spaces becomes empty)."""
    folded: list[str] = []
    where = [0] * (len(text) + 1)  # each index of text -> its index in the folded text
    pending_space = False
    for i, char in enumerate(text):
        if char.isspace():
            pending_space = bool(folded)
            where[i] = len(folded) + (1 if pending_space else 0)
            continue
        if pending_space:
            folded.append(" ")
            pending_space = False
        where[i] = len(folded)
        folded.append(char)
    where[len(text)] = len(folded)
    out = "".join(folded)
    moved = []
    for start, end in spans:
        a, b = min(where[start], len(out)), min(where[end], len(out))
        while a < b and out[a] == " ":
            a += 1
        while b > a and out[b - 1] == " ":
            b -= 1
        moved.append((a, b))
    return out, moved


def carried(span: str) -> bool:
    """Whether a span is short enough to be translated on its own and put back."""
    return bool(span.strip()) and len(span) <= MAX_CHARS and len(span.split()) <= MAX_WORDS


def place(sentences: Sequence[str], spans: Sequence[str | None],
          starts: Sequence[int] | None = None) -> list[list[tuple[int, int, int]]]:
    """Where each span lies in the sentences, in order: for each sentence its (start, end, key).

    ``spans`` are the spans' texts in document order (None: not to be placed), on word boundaries,
    inside one sentence; one not found is left out. ``starts``: where each span began in the text the
    sentences were cut from; a span is then looked for near the same distance from the previous one
    (so a plain occurrence of the same words before it is not taken, and the time stays linear).
    A span that is its whole sentence is placed as (0, len, key).
    """
    out: list[list[tuple[int, int, int]]] = [[] for _ in sentences]
    offsets = []
    size = 0
    for sentence in sentences:
        offsets.append(size)
        size += len(sentence) + 1
    full = "\n".join(sentences)
    cursor, previous = 0, 0
    for key, span in enumerate(spans):
        if not span:
            continue
        if starts is None:
            low, high = cursor, len(full)
        else:
            gap = max(0, starts[key] - previous)
            slack = 16 + gap // 8
            low, high = max(cursor, cursor + gap - slack), cursor + gap + slack + len(span)
        found = _find(full, span, low, high)
        if found < 0:
            if starts is not None:  # the next one is looked for from where this one should have been
                cursor, previous = min(len(full), cursor + gap), starts[key]
            continue
        n = bisect_right(offsets, found) - 1
        sentence, local = sentences[n], found - offsets[n]
        whole = sentence.strip() == span
        share = len(span) + sum(end - start for start, end, _ in out[n])
        if whole or (share <= MAX_SHARE * len(sentence.strip()) and len(out[n]) < MAX_PER_SENTENCE):
            out[n].append((local, local + len(span), key))
        cursor = found + len(span)
        if starts is not None:
            previous = starts[key] + len(span)
    return out


def _find(text: str, span: str, start: int, stop: int) -> int:
    """``span`` in ``text[start:stop]``, not cutting a Latin word or number in two; -1 if none."""
    at = text.find(span, start, stop)
    while at >= 0:
        before = text[at - 1] if at else ""
        after = text[at + len(span)] if at + len(span) < len(text) else ""
        if not (_WORDISH.match(before or " ") and _WORDISH.match(span[0])) and not (
            _WORDISH.match(after or " ") and _WORDISH.match(span[-1])
        ):
            return at
        at = text.find(span, at + 1, stop)
    return -1


_TAG = re.compile(r"<(/?)m(\d{1,2})>")


def tag(text: str, spans: Sequence[tuple[int, int, int]]) -> tuple[str, tuple[int, ...]]:
    """``text`` with each span between ``<m1>`` and ``</m1>`` (``<m2>`` …) for a contextual engine, and the
    span key of each tag number; tags of that form already in the text are disarmed first."""
    keys: list[int] = []
    parts: list[str] = []
    last = 0
    for start, end, key in sorted(spans):
        if start < last:
            continue  # overlapping spans: the first one wins
        keys.append(key)
        n = len(keys)
        parts += [_disarm(text[last:start]), f"<m{n}>", _disarm(text[start:end]), f"</m{n}>"]
        last = end
    return "".join(parts) + _disarm(text[last:]), tuple(keys)


def untag(output: str, keys: Sequence[int]) -> str:
    """An engine's output with its ``<mN>`` tags turned into marks; when a tag is missing, repeated, made up
    or crossed with another, the output without any tag (the sentence is then formatted as a whole)."""
    out: list[str] = []
    stack: list[int] = []
    seen: set[int] = set()
    last = 0
    ok = True
    for match in _TAG.finditer(output):
        n = int(match.group(2))
        out.append(output[last:match.start()])
        last = match.end()
        if not 1 <= n <= len(keys):
            ok = False
        elif match.group(1):  # a closing tag: it must close the innermost open one
            if not stack or stack[-1] != n:
                ok = False
            else:
                stack.pop()
                out.append(CLOSE)
        elif n in seen:
            ok = False
        else:
            seen.add(n)
            stack.append(n)
            out.append(f"{OPEN}{keys[n - 1]}{MID}")
    out.append(output[last:])
    if ok and not stack and len(seen) == len(keys):
        return "".join(out)
    return _TAG.sub("", output)


def _disarm(text: str) -> str:
    return _TAG.sub(lambda m: m.group().replace("<", "‹").replace(">", "›"), text)


def cut(text: str, marks: Sequence[Mark], *, strip: bool = False) -> list[tuple[str, int | None]]:
    """``text`` cut at its marks, in order: (words, the span's key, or None between spans). A mark inside or
    across an earlier one is left out (the outer span carries the words). ``strip``: cut the stripped text
    (the marks are moved by the spaces taken off its start)."""
    lead = len(text) - len(text.lstrip()) if strip else 0
    text = text.strip() if strip else text
    out: list[tuple[str, int | None]] = []
    at = 0
    for mark in sorted(marks):
        start, end = max(0, mark.start - lead), min(len(text), mark.end - lead)
        if start < at or end <= start:
            continue
        if start > at:
            out.append((text[at:start], None))
        out.append((text[start:end], mark.key))
        at = end
    if at < len(text) or not out:
        out.append((text[at:], None))
    return out
