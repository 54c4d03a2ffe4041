"""Language detection: Chinese, English, or neither.

Decides by script first, then, for Latin-script text, by function words:

* Han characters dominate (each weighs as much as three Latin letters, since a
  Chinese word is one to three characters) -> ``"zh"``, unless kana show the
  text is Japanese;
* Hangul, Cyrillic, Arabic, Hebrew, Thai, Devanagari, Greek ... dominate -> unsupported;
* Latin script -> ``"en"`` unless the function words of French, Spanish, German,
  Italian, Portuguese or Dutch clearly outnumber English ones. A few quoted
  foreign words do not flip the decision; a short phrase with no evidence
  either way is taken as English.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Literal, overload

from ..errors import UnsupportedLanguageError
from ..languages import Language
from .scripts import HAN_RE, KANA_RE

_HAN = HAN_RE
_KANA = KANA_RE
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]")
_WORDS = re.compile(r"[a-zà-öø-ÿœ']+")

_OTHER_SCRIPTS = {
    "HANGUL": "Korean",
    "CYRILLIC": "Russian or another Cyrillic-script language",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "THAI": "Thai",
    "DEVANAGARI": "Hindi or another Devanagari-script language",
    "GREEK": "Greek",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
    "BENGALI": "Bengali",
    "TAMIL": "Tamil",
    "KHMER": "Khmer",
    "LAO": "Lao",
    "MYANMAR": "Burmese",
    "ETHIOPIC": "Amharic",
}

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "English": frozenset(
        "the of and to in is that it for was on are with as his they be at by this from have or had not "
        "but what all were when we there can an which their said if will would has been who its more".split()
    ),
    "French": frozenset(
        "le la les des est une du et en dans que qui pour pas sur au avec ce il elle sont nous vous "
        "aux cette mais ont été leur sa ses plus par".split()
    ),
    "Spanish": frozenset(
        "el la los las del es una y en que por con para se su no al lo como más pero sus le ha "
        "este esta son fue muy también".split()
    ),
    "German": frozenset(
        "der die das und ist nicht ein eine mit den dem zu von sich auf für auch es des im ich sie "
        "wir wird werden sind hat nach bei oder aus".split()
    ),
    "Italian": frozenset(
        "il lo la gli le di che è e un una per non con del della sono nel alla questo anche più ma "
        "come ha".split()
    ),
    "Portuguese": frozenset(
        "o os as um uma do da dos das em que não com para por se é mais mas foi são ao na no pelo "
        "pela".split()
    ),
    "Dutch": frozenset(
        "de het een en van is dat op te zijn niet met voor ook maar aan er als bij door wordt deze "
        "nog naar".split()
    ),
}


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    counts["han"] = len(_HAN.findall(text))
    counts["kana"] = len(_KANA.findall(text))
    counts["latin"] = len(_LATIN.findall(text))
    for ch in text:
        if ord(ch) < 0x370 or not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for script in _OTHER_SCRIPTS:
            if name.startswith(script):
                counts[script] += 1
                break
    return counts


def _latin_language(text: str) -> tuple[str, float]:
    """The language of Latin-script text, and English's share of the function words found (1.0 if none)."""
    words = _WORDS.findall(text.lower())
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _FUNCTION_WORDS.items()}
    english = scores.pop("English")
    best, best_score = max(scores.items(), key=lambda kv: kv[1])
    # Another language must clearly outweigh English and be supported by a few words.
    if best_score >= 3 and best_score > 2 * english:
        return best, 0.0
    return "English", (english + 1) / (english + best_score + 1)


@overload
def detect_language(text: str) -> Language: ...
@overload
def detect_language(text: str, *, with_confidence: Literal[False]) -> Language: ...
@overload
def detect_language(text: str, *, with_confidence: Literal[True]) -> tuple[Language, float]: ...


def detect_language(text: str, *, with_confidence: bool = False) -> Language | tuple[Language, float]:
    """Detect whether ``text`` is Chinese or English.

    Args:
        text: the text to judge; mixed text is judged by the script that dominates.
        with_confidence: also return a confidence from 0 to 1: the share of the text's
            letters (Han characters weighted as three Latin letters) in the winning script,
            lowered for Latin text by the function words of other languages.

    Returns:
        ``"zh"`` or ``"en"``, or ``(language, confidence)`` with ``with_confidence=True``.

    Raises:
        UnsupportedLanguageError: for any other language, or text with no letters at all.
        TypeError: when ``text`` is not a string.

    Example:
        >>> detect_language("重庆两江新区与WTPF签署战略合作协议")
        'zh'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    counts = _script_counts(text)
    han, kana, latin = counts.pop("han"), counts.pop("kana"), counts.pop("latin")
    other_script, other_count = max(counts.items(), key=lambda kv: kv[1], default=("", 0))
    weights = {"han": 3 * han + 3 * kana, "latin": latin, "other": 3 * other_count}
    dominant = max(weights, key=lambda k: weights[k])
    if weights[dominant] == 0:
        raise UnsupportedLanguageError(
            "Could not detect a language: the text has no letters. Pass source='zh' or source='en' if it needs translating."
        )
    if dominant == "other":
        name = _OTHER_SCRIPTS[other_script]
        raise UnsupportedLanguageError(f"The text looks like {name}; bilingual translates only Chinese and English.")
    if dominant == "han":
        if kana >= 2 and kana >= 0.3 * (han + kana):
            raise UnsupportedLanguageError("The text looks like Japanese; bilingual translates only Chinese and English.")
        return ("zh", round(weights["han"] / sum(weights.values()), 3)) if with_confidence else "zh"
    language, share = _latin_language(text)
    if language != "English":
        raise UnsupportedLanguageError(
            f"The text looks like {language}; bilingual translates only Chinese and English."
        )
    return ("en", round(share * weights["latin"] / sum(weights.values()), 3)) if with_confidence else "en"
