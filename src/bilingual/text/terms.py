"""Finding a glossary's terms in a text in one pass: a character trie, built once per glossary.

A regular expression of 10,000 alternatives is tried term by term at every position of every
sentence, and checking each term with its own search multiplies again: a 10,000-term glossary
made 600 sentences take 36 times as long. Here the terms go into one trie when the glossary is
first used; a text is scanned once, and at each position the trie is walked for at most the
longest term's length. The time is linear in the text (times a constant, the longest term) plus
the terms, whatever their number.

Matching follows the rules the glossary has always had: the leftmost match wins, the longest
term at a position first; Chinese terms match exactly, anywhere; English terms ignore case, must
stand on word boundaries, and take a plural ``s`` or ``es``; matches do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property

_END = ""  # the key under which a trie node keeps the term that ends there (no character is "")
_PLURALS = ("s", "es", "")  # the order a regular expression ``(?:s|es)?`` tries them in


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _folded(text: str) -> str:
    """``text`` in lower case, one character for one (a character whose lower case is longer stays)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class TermMatcher:
    """The terms of one language, ready to be found in any number of texts."""

    def __init__(self, terms: Iterable[str], language: str) -> None:
        self.language = language
        self.root: dict = {}
        for term in terms:
            if not term:
                continue
            node = self.root
            for ch in term if language == "zh" else _folded(term):
                node = node.setdefault(ch, {})
            node[_END] = term

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """``(start, end, term)`` for each match, left to right, not overlapping (see the module docstring)."""
        english = self.language != "zh"
        hay = _folded(text) if english else text
        n = len(hay)
        i = 0
        while i < n:
            boundary = _word(hay[i - 1]) != _word(hay[i]) if i > 0 else _word(hay[0])
            if english and not boundary:
                i += 1  # not a word boundary: no English term starts here
                continue
            found = self._longest(hay, i) if english else self._exact(hay, i)
            if found is None:
                i += 1
                continue
            end, term = found
            yield i, end, term
            i = max(end, i + 1)

    def _walk(self, hay: str, start: int) -> list[tuple[int, str]]:
        """Every term that starts at ``start``: (end, term), shortest first."""
        node, ends = self.root, []
        for j in range(start, len(hay)):
            node = node.get(hay[j])
            if node is None:
                break
            if _END in node:
                ends.append((j + 1, node[_END]))
        return ends

    def _exact(self, hay: str, start: int) -> tuple[int, str] | None:
        ends = self._walk(hay, start)
        return ends[-1] if ends else None

    def _longest(self, hay: str, start: int) -> tuple[int, str] | None:
        for end, term in reversed(self._walk(hay, start)):
            for plural in _PLURALS:
                stop = end + len(plural)
                if plural and hay[end:stop] != plural:
                    continue
                after = _word(hay[stop]) if stop < len(hay) else False
                if _word(hay[stop - 1]) != after:  # a word boundary after the match
                    return stop, term
        return None


class Terms(dict):
    """Source term -> target term for one source language, with its matcher built on first use."""

    def __init__(self, entries: Mapping[str, str] | Iterable[tuple[str, str]], language: str) -> None:
        super().__init__(entries)
        self.language = language

    @cached_property
    def matcher(self) -> TermMatcher:
        return TermMatcher(self, self.language)

    @cached_property
    def lowered(self) -> frozenset[str]:
        """The terms in lower case (the checks leave names that are glossary terms to the glossary)."""
        return frozenset(t.lower() for t in self)


def matcher_for(terms: Mapping[str, str], language: str) -> TermMatcher:
    """The matcher of ``terms``: its own when it is a :class:`Terms` of that language, else a new one."""
    if isinstance(terms, Terms) and terms.language == language:
        return terms.matcher
    return TermMatcher(terms, language)


def found_terms(text: str, terms: Mapping[str, str], language: str) -> list[str]:
    """The terms found in ``text``, each once, in the order they first appear."""
    return list(dict.fromkeys(term for _, _, term in matcher_for(terms, language).finditer(text)))
