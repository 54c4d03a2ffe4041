"""Sentence segmentation for Chinese and English (and mixed) text.

The splitter is rule based and written for news. It avoids the failures seen
in existing tools:

* full-width ``！？`` and ``……`` end sentences; so does ``；`` in Chinese text;
* decimals (``3.5``, ``1.2万``), URLs, e-mail addresses, abbreviations
  (``U.S.``, ``Mr.``, ``Sept.``, ``No. 5``) and initials (``J. K. Rowling``)
  are never split;
* closing quotes and brackets (``”」』）"``) stay with their sentence;
* text after the last full stop is kept as a sentence of its own.

``sentence_spans`` partitions a paragraph exactly into character ranges, so no
character is ever lost; ``split_sentences`` is the public view of it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from ..languages import normalize_language
from .normalize import normalize_text, paragraph_layout
from .scripts import CJK_RE, HAN, KANA

CLOSERS = "\"'”’」』）)]】》〉»›"
_OPENERS = "\"'“‘「『（(【《〈«‹["
_CJK_CHAR = HAN + KANA
_CJK_RE = CJK_RE

# Candidate sentence ends: a run of terminal punctuation plus the closers glued to it.
_CANDIDATE = re.compile(
    rf"(?:\.{{3,}}|…+|[.!?]+|[。！？!?；]+|[.!?]*[。！？；]|(?<=[{_CJK_CHAR}]);)[{re.escape(CLOSERS)}]*"
)
# Every repeat is bounded and anchored with a look-behind, so a long run of letters or digits
# (Chinese text without punctuation is one long \w run) is scanned in linear time.
_PROTECTED = re.compile(
    r"(?:https?|ftp)://[^\s<>\"“”‘’「」，。！？；、]*[^\s<>\"“”‘’「」，。！？；、.,;:!?)\]'’]"
    r"|www\.[^\s<>\"“”‘’「」，。！？；、]*[^\s<>\"“”‘’「」，。！？；、.,;:!?)\]'’]"
    r"|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"|\b(?:[A-Za-z0-9-]+\.)+(?:com|org|net|edu|gov|cn|uk|io|int|info)\b(?:/[^\s，。]*[^\s，。.,;:!?)])?"
    r"|(?<![\d.])\d{1,30}(?:\.\d{1,30})+"
)
_TOKEN_BEFORE = re.compile(r"([A-Za-z][A-Za-z.'’-]*)$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([A-Za-z]+|\d)")

_TITLES = frozenset(
    """mr mrs ms mx dr prof sr jr st gen gov sen rep col lt capt sgt maj rev hon pres supt cmdr adm brig
    messrs mme mlle sra sr fr insp det cpl pvt""".split()
)
_BEFORE_NUMBER = frozenset("no nos vol vols fig figs p pp art sec ch op para ex tel".split())
_MONTHS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_NEVER_END = frozenset("e.g i.e vs v cf approx ca al viz".split())
_MAY_END = frozenset("inc ltd co corp bros a.m p.m u.s u.k u.n e.u d.c jr plc llc dept est".split())
# Words that start a new sentence after an abbreviation that may also end one.
_STARTERS = frozenset(
    """the a an he she it they we i you this that these those there his her their our its my your
    but and or so yet if when while after before as at in on for from by with without however meanwhile
    also then still since although though because during under over about among one two three some
    many most all no not what who why how where which there's it's he's she's""".split()
)


def _dotted_acronym(token: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Za-z]\.){2,}[A-Za-z]?\.?", token))


def _abbreviation_blocks(text: str, dot: int, after: int) -> bool:
    """True when the period at ``dot`` belongs to an abbreviation, not a sentence end."""
    m = _TOKEN_BEFORE.search(text, max(0, dot - 40), dot)
    if not m:
        return False
    token = m.group(1)
    if "-" in token and "." in token.rsplit("-", 1)[-1]:
        token = token.rsplit("-", 1)[-1]  # "non-U.S." -> "U.S.", but "Super-G." stays
    key = token.lower().rstrip(".")
    nxt = _NEXT_WORD.match(text, after)
    next_word = nxt.group(1) if nxt else ""
    if key in _NEVER_END or key in _TITLES:
        return True
    if len(token) == 1 and token.isupper():
        return True  # an initial: "J. K. Rowling"
    if key in _BEFORE_NUMBER or key in _MONTHS:
        return next_word[:1].isdigit()
    if text[dot + 1 : dot + 2] in CLOSERS:
        return False  # "(… etc.) Next", "… in the U.S." She"
    if key in _MAY_END or _dotted_acronym(token + "."):
        return next_word.lower() not in _STARTERS
    return False


def _boundary_end(text: str, start: int, end: int, protected: list[tuple[int, int]]) -> int | None:
    """Where the sentence ends if the punctuation run ``text[start:end]`` ends one, else None."""
    if not _is_boundary(text, start, end, protected):
        return None
    paren = _TRAILING_PAREN.match(text, _SPACES.match(text, end).end())
    if paren:
        after = text[_SPACES.match(text, paren.end()).end() : paren.end() + 8]
        if not after or after[0].isupper() or after[0] in _OPENERS or _CJK_RE.match(after):
            return paren.end()  # "… flexible hours. (Bremer, 1998) The use …"
    return end


def _is_boundary(text: str, start: int, end: int, protected: list[tuple[int, int]]) -> bool:
    """Decide whether the punctuation run ``text[start:end]`` ends a sentence."""
    i = bisect.bisect_right(protected, (start, len(text) + 1)) - 1
    if i >= 0 and protected[i][0] <= start < protected[i][1]:
        return False
    run = text[start:end]
    rest = text[end:]
    stripped = rest.lstrip()
    if not stripped:
        return True
    head = stripped[0]
    cjk_punct = any(ch in "。！？；…" for ch in run) or run[0] == ";"
    if cjk_punct:
        # Chinese punctuation ends a sentence unless more clause punctuation follows.
        return head not in "，,、：:）)」』”’。！？；…!?."
    spaced = len(rest) != len(stripped)
    prev = text[start - 1] if start else ""
    if not spaced:
        # "你好!我很好" ends a sentence; "3.5", "U.S.A", "Yahoo!Inc" do not.
        return bool(_CJK_RE.match(head)) and (run[0] != "." or bool(_CJK_RE.match(prev)))
    if head.islower() or head in ",;:)]}":
        return False
    if run[0] == "." and not run.startswith(".."):
        return not _abbreviation_blocks(text, start, len(text) - len(stripped))
    return True


_TRAILING_PAREN = re.compile(rf"[(（][^()（）.!?。！？]{{1,60}}[)）](?=\s|$|[{_CJK_CHAR}])")
_SPACES = re.compile(r"\s*")


_QUOTE_CLOSE = re.compile(r'\s*[^"]{1,120}?[.!?]"')


def _closes_soon(paragraph: str, match: re.Match[str]) -> bool:
    """Inside an English quotation whose next sentence closes it: "A. B." keeps A and B together."""
    return not match.group().endswith('"') and bool(_QUOTE_CLOSE.match(paragraph, match.end()))


# A short attribution after a closed quotation belongs to it: “……。”他说道。
_ATTRIBUTION = re.compile(
    r"[^。！？!?；\n]{1,24}?(?:说|说道|表示|称|指出|强调|写道|问道|答道|如是说|补充道|介绍说)[。！!]"
)


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Partition ``paragraph`` into sentence ranges ``(start, end)``.

    The ranges are contiguous and cover the whole string: whitespace after a
    sentence belongs to that sentence's range.
    """
    protected = [m.span() for m in _PROTECTED.finditer(paragraph)]
    spans: list[tuple[int, int]] = []
    start = quotes = counted = 0
    for match in _CANDIDATE.finditer(paragraph):
        if match.start() < start:
            continue  # inside a parenthetical already attached to the previous sentence
        stop = _boundary_end(paragraph, match.start(), match.end(), protected)
        if stop is None:
            continue
        if match.group()[-1] in "”」』" and _ATTRIBUTION.match(paragraph, match.end()):
            continue
        quotes += paragraph.count('"', counted, match.start())
        counted = match.start()
        if quotes % 2 and _closes_soon(paragraph, match):
            continue
        if match.group().endswith('"') and quotes % 2 == 0:
            stop -= 1  # after an even number of '"' this one opens the next sentence's quotation
        end = stop
        while end < len(paragraph) and paragraph[end].isspace():
            end += 1
        if paragraph[start:stop].strip():
            spans.append((start, end))
            start = end
    if start < len(paragraph):
        if spans and not paragraph[start:].strip():
            spans[-1] = (spans[-1][0], len(paragraph))
        else:
            spans.append((start, len(paragraph)))
    return spans


def iter_sentences(paragraph: str) -> Iterator[str]:
    """The sentences of one paragraph, without surrounding whitespace."""
    for lo, hi in sentence_spans(paragraph):
        piece = paragraph[lo:hi].strip()
        if piece:
            yield piece


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split text into sentences, paragraph by paragraph.

    The text is normalized first (see :func:`bilingual.text.normalize.normalize_text`).
    Sentences never span a paragraph break, and no character is lost:
    ``"".join(split_sentences(t))`` equals the normalized text up to whitespace.

    Args:
        text: Chinese, English or mixed text.
        language: ``"zh"``, ``"en"`` or an alias. The rules cover both scripts
            at once, so the language is only validated, never required.

    Returns:
        The sentences, without surrounding whitespace.

    Raises:
        UnsupportedLanguageError: when ``language`` is given and not Chinese or English.
        TypeError: when ``text`` is not a string.

    Example:
        >>> split_sentences("GDP grew 3.5% in the U.S. last year. 你好！今天天气很好")
        ['GDP grew 3.5% in the U.S. last year.', '你好！', '今天天气很好']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    if language is not None:
        normalize_language(language)
    layout = paragraph_layout(normalize_text(text))
    return [s for paragraph in layout.paragraphs for s in iter_sentences(paragraph)]
