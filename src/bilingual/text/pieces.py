"""Pieces of text as the model sees them: which need translating, how they join, how long ones split.

Pure text helpers shared by translation, summarization and the page; no model here. A
length function (``LengthFn``) is passed in by the caller: it counts a model's tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..languages import Language

LengthFn = Callable[[Sequence[str]], list[int]]

# Pieces made only of these need no model: digits, punctuation, symbols, emoji, URLs, e-mails. ASCII only:
# written against Chinese text with no space (发送邮件至service@example.com咨询), an address ends where
# the Chinese begins, rather than taking the sentence with it.
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
URL_OR_EMAIL = re.compile(
    rf"(?:https?|ftp)://{_URL_CHARS}+|www\.{_URL_CHARS}+"
    r"|(?<![A-Za-z0-9.+_-])[A-Za-z0-9.+_-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}"
)
_CLAUSE_END = re.compile(r"(?<=[，、：；,;:])\s*")


def needs_translation(piece: str) -> bool:
    """False when ``piece`` has no letters outside URLs and e-mail addresses."""
    return any(ch.isalpha() for ch in URL_OR_EMAIL.sub("", piece))


def separator(language: Language) -> str:
    """What goes between two sentences of ``language``: a space in English, nothing in Chinese."""
    return " " if language == "en" else ""


def split_long(sentence: str, max_tokens: int, length: LengthFn) -> list[str]:
    """Split a sentence longer than ``max_tokens`` into pieces that fit, losing no character.

    Clause boundaries (``，、：；, ; :``) are tried first, packing as many clauses
    as fit into each piece; a clause that alone is too long is cut at spaces
    (English) or characters (Chinese) by halving until each part fits.
    """
    if length([sentence])[0] <= max_tokens:
        return [sentence]
    clauses = [c for c in _CLAUSE_END.split(sentence) if c]
    if len(clauses) == 1:
        return _cut_by_budget(sentence, max_tokens, length)
    pieces: list[str] = []
    current = ""
    for clause in clauses:
        candidate = f"{current}{_sep(current, clause)}{clause}" if current else clause
        if current and length([candidate])[0] > max_tokens:
            pieces.append(current)
            current = clause
        else:
            current = candidate
    pieces.append(current)
    out: list[str] = []
    for piece in pieces:
        out.extend(_cut_by_budget(piece, max_tokens, length) if length([piece])[0] > max_tokens else [piece])
    return out


def _sep(left: str, right: str) -> str:
    return " " if left[-1:] in ",;:" and right[:1].isascii() else ""


def _cut_by_budget(text: str, max_tokens: int, length: LengthFn) -> list[str]:
    if length([text])[0] <= max_tokens or len(text) < 2:
        return [text]
    middle = len(text) // 2
    space = text.rfind(" ", 0, middle + 1)
    if space <= 0:
        space = text.find(" ", middle)
    cut = space + 1 if 0 < space < len(text) - 1 else middle
    left, right = text[:cut].rstrip(), text[cut:].lstrip()
    return _cut_by_budget(left, max_tokens, length) + _cut_by_budget(right, max_tokens, length)
