"""Normalization: the first stage of the article pipeline.

``normalize_text`` makes pasted text predictable for every later stage:

* Unicode NFC; lone surrogates become U+FFFD;
* ``\\r\\n``, ``\\r``, U+2028, U+0085 and form feeds become ``\\n``; U+2029 a blank line;
* control characters other than newline and tab are dropped (NUL included);
* trailing spaces are removed from every line;
* hard-wrapped lines inside a paragraph are joined again, while blank-line
  paragraph breaks, headings, list items and tables are kept as they are.

``paragraph_layout`` then cuts the normalized text into paragraphs (one per
non-blank line) and remembers the exact whitespace between them, so the output
can be put back together with the same layout.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .scripts import WIDE_RE

_NEWLINES = re.compile(r"\r\n|[\r\u2028\x85\x0b\x0c]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

LIST_MARKER = _LIST_ITEM = re.compile(
    r"^\s*(?:[-*+•·▪●○◦‣–—]\s|\d{1,3}[.)]\s|\d{1,3}、|[（(]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|[一二三四五六七八九十]{1,3}、|[a-z][)]\s|第[一二三四五六七八九十\d]{1,3}[章节条部分])"
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|={3,}\s*$|-{3,}\s*$)")
_TABLE = re.compile(r"\t|\|.*\||\S {3,}\S")  # columns: a gap inside the line (an indent is not one)
_TERMINAL = re.compile(r"[.!?。！？…:：;；][\"'”’」』）)\]】》〉]*$")
_CJK = WIDE_RE
_HYPHENATED = re.compile(r"[A-Za-z]-$")
_WORD = re.compile(r"[^\W\d_]+")

# A block is hard-wrapped when its longest line is between these display widths
# (a CJK character counts two columns): typical e-mail, terminal and PDF widths.
_WRAP_MIN, _WRAP_MAX = 40, 110
_LONG_LATIN = 30


def normalize_text(text: str) -> str:
    """Normalize pasted text (see the module docstring).

    Args:
        text: any string.

    Returns:
        The normalized text.

    Example:
        >>> normalize_text("The quick brown fox jumps over the lazy dog and then\\nruns away.")
        'The quick brown fox jumps over the lazy dog and then runs away.'
    """
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES.sub("\n", text).replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(_rejoin_block(block) for block in _blocks(lines))


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group lines into runs of non-blank lines; each blank line is a block of its own."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
            continue
        if current:
            blocks.append(current)
            current = []
        blocks.append([line])
    if current:
        blocks.append(current)
    return blocks


def _is_structural(line: str) -> bool:
    return bool(_LIST_ITEM.match(line) or _HEADING.match(line) or _TABLE.search(line))


def _is_title(line: str) -> bool:
    words = _WORD.findall(line)
    if not words or len(words) > 15 or _CJK.search(line):
        return False
    capitalized = sum(1 for w in words if w[0].isupper() or len(w) <= 3)
    return capitalized / len(words) >= 0.8 and sum(1 for w in words if w[0].isupper()) >= 1


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _should_join(prev: str, nxt: str, hard_wrapped: bool, width: int) -> bool:
    if _is_structural(nxt):
        return False
    head = nxt.lstrip()[:1]
    if _is_structural(prev):
        if not _LIST_ITEM.match(prev) or _HEADING.match(prev) or _TABLE.search(prev):
            return False
        # a list item wrapped over lines (a PDF's, an e-mail's): the next line hangs under it, starts in
        # lower case, or follows a full-width line that did not end
        if nxt[:1].isspace() or (head.islower() and head.isascii()):
            return True
        return hard_wrapped and _width(prev) >= 0.6 * width and not _TERMINAL.search(prev)
    if head.islower() and head.isascii():
        return True
    if _HYPHENATED.search(prev) or _is_title(prev):
        return False  # "well-" before a capital, or a heading: keep the line break
    if hard_wrapped and _width(prev) >= 0.6 * width:
        return True
    if _TERMINAL.search(prev) or _CJK.search(prev[-1:]):
        return False
    return len(prev) >= _LONG_LATIN


def _glue(prev: str, nxt: str) -> tuple[str, str]:
    """How ``prev`` ends and what goes between it and ``nxt`` when the two lines are joined."""
    if _HYPHENATED.search(prev) and nxt[:1].islower():
        return prev[:-1], ""
    if _CJK.search(prev[-1:]) and _CJK.search(nxt[:1]):
        return prev, ""
    return prev, " "


def _rejoin_block(block: list[str]) -> str:
    """Join the hard-wrapped lines of a block; each line is judged against the line before it."""
    if len(block) == 1:
        return block[0]
    widths = [_width(line) for line in block]
    width = max(widths)
    open_ends = sum(1 for line in block[:-1] if not _TERMINAL.search(line))
    hard_wrapped = _WRAP_MIN <= width <= _WRAP_MAX and open_ends * 2 >= len(block) - 1
    parts = [block[0]]
    for prev, line in zip(block, block[1:]):
        if _should_join(prev, line, hard_wrapped, width):
            parts[-1], sep = _glue(parts[-1], line.lstrip())
            parts.extend((sep, line.lstrip()))
        else:
            parts.extend(("\n", line))
    return "".join(parts)


@dataclass(frozen=True)
class Layout:
    """Paragraphs of a normalized text and the exact whitespace around them.

    ``separators`` has one more entry than ``paragraphs``: the leading
    whitespace, the whitespace between each pair, and the trailing whitespace.
    """

    paragraphs: tuple[str, ...]
    separators: tuple[str, ...]

    def render(self, paragraphs: list[str] | tuple[str, ...]) -> str:
        """Rebuild a text with these separators around the given paragraphs."""
        if len(paragraphs) != len(self.paragraphs):
            raise ValueError("render() needs exactly one paragraph per input paragraph")
        parts = [self.separators[0]]
        for paragraph, sep in zip(paragraphs, self.separators[1:]):
            parts.append(paragraph)
            parts.append(sep)
        return "".join(parts)


_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")


def paragraph_layout(normalized: str) -> Layout:
    """Cut normalized text into paragraphs, one per non-blank line.

    Leading and trailing spaces of a line belong to the separators, so
    ``layout.render(layout.paragraphs) == normalized``.
    """
    paragraphs: list[str] = []
    separators: list[str] = []
    pos = 0
    for match in _PARAGRAPH.finditer(normalized):
        line = match.group()
        start = match.start() + (len(line) - len(line.lstrip()))
        end = match.start() + len(line.rstrip())
        separators.append(normalized[pos:start])
        paragraphs.append(normalized[start:end])
        pos = end
    separators.append(normalized[pos:])
    return Layout(tuple(paragraphs), tuple(separators))
