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
    rf"(?:\.(?: \.){{2,3}}|\.{{3,}}|…+|[.!?]+|[。！？!?；]+|[.!?]*[。！？；]|(?<=[{_CJK_CHAR}]);)[{re.escape(CLOSERS)}]*"
)
_SPACED_ELLIPSIS = re.compile(r"\.(?: \.){2,3}")
# Spans no sentence ends in: book and article titles (《摔跤吧！爸爸》) and elisions in brackets ([...]).
_UNBREAKABLE = re.compile(r"《[^《》\n]{1,100}》|〈[^〈〉\n]{1,100}〉|\[(?:\.{3}|…)\]")
# An inline list item marker: "1. ", "1.) ", "1) ", "a. ", "• 9. ", "⁃9. ".
_LIST_MARKER = re.compile(r"(?:(?<=\s)|^)(?P<bullet>[•⁃]\s?)?(?P<label>\d{1,3}|[a-z])(?P<punct>\.\)|\)|\.)\s")
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
_MAY_END = frozenset("inc ltd co corp bros u.s u.k u.n e.u d.c jr plc llc dept est".split())
_TIMES = frozenset("a.m p.m".split())
# Capitalized, these come before a name (Mt. Fuji, Ft. Bragg); lower-case after a number, they are units.
_PLACE_TITLES = frozenset("mt mts ft pt".split())
_UNITS = frozenset("ft in lb lbs oz yd yds mi km cm mm kg sq pt qt gal hr hrs min sec".split())
# Words that start a new sentence after an abbreviation that may also end one.
_STARTERS = frozenset(
    """the a an he she it they we i you this that these those there his her their our its my your
    but and or so yet if when while after before as at in on for from by with without however meanwhile
    also then still since although though because during under over about among one two three some
    many most all no not what who why how where which there's it's he's she's""".split()
)


def _dotted_acronym(token: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Za-z]\.){2,}[A-Za-z]?\.?", token))


def _abbreviation_blocks(text: str, dot: int, after: int, sentence_start: int = 0) -> bool:
    """True when the period at ``dot`` belongs to an abbreviation, not a sentence end."""
    if text[max(0, dot - 2) : dot] in ("N°", "n°", "Nº", "nº"):
        return bool(_NEXT_WORD.match(text, after)) and text[after : after + 1].isdigit()
    m = _TOKEN_BEFORE.search(text, max(0, dot - 40), dot)
    if not m:
        return False
    token = m.group(1)
    if "-" in token and "." in token.rsplit("-", 1)[-1]:
        token = token.rsplit("-", 1)[-1]  # "non-U.S." -> "U.S.", but "Super-G." stays
    key = token.lower().rstrip(".")
    nxt = _NEXT_WORD.match(text, after)
    next_word = nxt.group(1) if nxt else ""
    before = text[max(0, m.start() - 12) : m.start()]
    if key in _PLACE_TITLES and token[0].isupper():
        return True  # "Mt. Fuji", "Ft. Bragg"
    if key in _UNITS and token.islower() and re.search(r"\d\s?$", before):
        return next_word.lower() not in _STARTERS  # "12 in. wide", but "6 ft. It was …"
    if key in _NEVER_END or key in _TITLES or token.rsplit(".", 1)[-1].lower() in _TITLES:
        return True  # also "Tuesday.Mr." written without a space
    if token == "I" and re.search(r"\b[a-z]+\s$", before):
        return False  # the pronoun: "you and I. Did you …"
    if len(token) == 1 and token.isupper():
        return True  # an initial: "J. K. Rowling"
    if key in _BEFORE_NUMBER or key in _MONTHS:
        return next_word[:1].isdigit()
    if text[dot + 1 : dot + 2] in CLOSERS:
        return False  # "(… etc.) Next", "… in the U.S." She"
    if key in _TIMES:
        # "At 5 a.m. Mr. Smith went …" goes on; "He left at 6 P.M. Mr. Smith then …" ends: a sentence
        # needs a few words before the time to be complete.
        so_far = text[sentence_start : m.start()]
        if next_word.isupper() and len(next_word) <= 4 or so_far.count("(") > so_far.count(")"):
            return True  # a time zone ("6 p.m. GMT"), or inside a parenthesis
        words_before = len(re.findall(r"[A-Za-z]+", so_far))
        return not (next_word.lower() in _STARTERS or (next_word[:1].isupper() and words_before >= 4))
    if key in _MAY_END or _dotted_acronym(token + "."):
        return next_word.lower() not in _STARTERS
    return False


def _boundary_end(
    text: str, start: int, end: int, protected: list[tuple[int, int]], sentence_start: int = 0
) -> int | None:
    """Where the sentence ends if the punctuation run ``text[start:end]`` ends one, else None."""
    if not _is_boundary(text, start, end, protected, sentence_start):
        return None
    paren = _TRAILING_PAREN.match(text, _SPACES.match(text, end).end())
    if paren:
        after = text[_SPACES.match(text, paren.end()).end() : paren.end() + 8]
        if not after or after[0].isupper() or after[0] in _OPENERS or _CJK_RE.match(after):
            return paren.end()  # "… flexible hours. (Bremer, 1998) The use …"
    return end


def _is_boundary(text: str, start: int, end: int, protected: list[tuple[int, int]], sentence_start: int = 0) -> bool:
    """Decide whether the punctuation run ``text[start:end]`` ends a sentence."""
    i = bisect.bisect_right(protected, (start, len(text) + 1)) - 1
    if i >= 0 and protected[i][0] <= start < protected[i][1]:
        return False
    run = text[start:end]
    ellipsis = _SPACED_ELLIPSIS.match(run)
    if ellipsis and ellipsis.group().count(".") == 3:
        return False  # ". . ." leaves out words inside a sentence; ". . . ." ends one
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
        # "你好!我很好" ends a sentence; "3.5", "U.S.A", "Yahoo!Inc" do not; "world.Today is" does.
        if _CJK_RE.match(head):
            return run[0] != "." or bool(_CJK_RE.match(prev))
        return (
            run == "."
            and (prev.islower() or prev.isdigit())
            and head.isupper()
            and stripped[1:2].islower()
            and not _abbreviation_blocks(text, start, end, sentence_start)
            and not re.search(r"(?:^|\s)\S?$", text[max(0, start - 2) : start])  # not after one letter
        )
    if head.islower() or head in ",;:)]}":
        return False
    if run[0] == "." and not run.startswith("..") and not ellipsis:
        return not _abbreviation_blocks(text, start, len(text) - len(stripped), sentence_start)
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
    sentence belongs to that sentence's range. An inline list (``1. First 2. Second``,
    ``a) … b) …``) is cut before each item, and an item's marker never ends a sentence.
    """
    protected = sorted(
        [m.span() for m in _PROTECTED.finditer(paragraph)] + [m.span() for m in _UNBREAKABLE.finditer(paragraph)]
    )
    items = _list_items(paragraph)
    if items:
        protected = sorted(protected + [marker for _, marker in items])
        cuts = [lo for lo, _ in items[1:]] + [len(paragraph)]
        spans: list[tuple[int, int]] = []
        lo = 0
        for hi in cuts:
            spans.extend(_spans(paragraph, lo, hi, protected))
            lo = hi
        return spans
    return _spans(paragraph, 0, len(paragraph), protected)


def _list_items(paragraph: str) -> list[tuple[int, tuple[int, int]]]:
    """``(item start, marker span)`` of an inline list that opens the paragraph, or []."""
    first = _LIST_MARKER.match(paragraph)
    if not first:
        return []
    items = [(0, first.span())]
    label = first.group("label")
    for m in _LIST_MARKER.finditer(paragraph, first.end()):
        if (m.group("punct"), bool(m.group("bullet"))) != (first.group("punct"), bool(first.group("bullet"))):
            continue
        if _successor(label) == m.group("label"):
            items.append((m.start(), m.span()))
            label = m.group("label")
    return items


def _successor(label: str) -> str:
    return str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)


def _spans(paragraph: str, lo: int, hi: int, protected: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence ranges covering ``paragraph[lo:hi]``."""
    spans: list[tuple[int, int]] = []
    start = lo
    quotes = 0
    counted = lo
    text = paragraph[:hi]
    for match in _CANDIDATE.finditer(text, lo):
        if match.start() < start:
            continue  # inside a parenthetical already attached to the previous sentence
        stop = _boundary_end(text, match.start(), match.end(), protected, start)
        if stop is None:
            continue
        if match.group()[-1] in "”」』" and _ATTRIBUTION.match(text, match.end()):
            continue
        quotes += text.count('"', counted, match.start())
        counted = match.start()
        if quotes % 2 and _closes_soon(text, match):
            continue
        if match.group().endswith('"') and quotes % 2 == 0:
            stop -= 1  # after an even number of '"' this one opens the next sentence's quotation
        end = stop
        while end < hi and text[end].isspace():
            end += 1
        if text[start:stop].strip():
            spans.append((start, end))
            start = end
    if start < hi:
        if spans and not text[start:hi].strip():
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((start, hi))
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
