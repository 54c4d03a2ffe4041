"""Word-level views of sentences for ranking: jieba for Chinese, a regex tokenizer for English.

``Tokenizer`` also serves sumy (``to_sentences`` / ``to_words``), so sumy's
algorithms run without NLTK's punkt data, on the project's own sentence splitter.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from ..languages import Language
from ..text.scripts import HAN
from ..text.segment import split_sentences

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_ZH_KEEP = re.compile(rf"[\w{HAN}]")


@lru_cache(maxsize=2)
def stop_words(language: Language) -> frozenset[str]:
    from sumy.utils import get_stop_words

    return frozenset(get_stop_words("english" if language == "en" else "chinese"))


@lru_cache(maxsize=1)
def _stemmer():
    from sumy.nlp.stemmers import Stemmer

    return Stemmer("english")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def words(sentence: str, language: Language) -> list[str]:
    """All word tokens of ``sentence``, lowercased, punctuation dropped."""
    if language == "zh":
        return [w.lower() for w in _jieba().lcut(sentence) if _ZH_KEEP.search(w) and not w.isspace()]
    return [w.lower() for w in _EN_WORD.findall(sentence)]


def content_words(sentence: str, language: Language) -> list[str]:
    """Words that carry content: stop words removed, English stemmed."""
    stops = stop_words(language)
    kept = [w for w in words(sentence, language) if w not in stops]
    if language == "en":
        stem = _stemmer()
        return [stem(w) for w in kept]
    return kept


class Tokenizer:
    """The sumy tokenizer interface over the project's splitter and word tokenizers."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> list[str]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return words(sentence, self.language)
