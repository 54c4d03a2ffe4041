"""Checks of a translation that need no model: numbers, names and codes, untranslated text, length.

``check_translation(source, translation)`` returns a list of :class:`Flag` (a short code and a
message for people), empty when nothing looks wrong. It works on any translation, a person's
or another system's, of one sentence or paragraph between Chinese and English:

* ``numbers``: every number written with digits in the source has its value in the translation,
  whatever the notation there: separators (``1,200`` / ``1200``), decimals, percentages
  (``6.1%`` / ``百分之六点一``), scales and units (``4,850.5亿`` = ``485.05 billion``,
  ``1.2万`` = ``12,000``), Chinese numerals (``两``, ``三千``), number words (``five``), full-width
  digits, dates (``9月7日`` / ``September 7``) and years;
* ``names``: Latin-letter names, acronyms, codes, URLs and e-mail addresses of a Chinese source
  (``WTPF``, ``iPhone``, ``5G``) appear in the English translation; in English to Chinese, the
  acronyms of three or more capitals and the codes with digits stay (or are in the glossary);
* ``language``: English running text (three lower-case words or more) whose "Chinese" translation has
  no Chinese character at all (an engine that answered instead of translating, or copied);
* ``untranslated``: the translation still holds a long run in the source's script;
* ``length``: the translation is far shorter or longer than translations in that direction
  usually are (bounds from the FLORES-200 dev references, ``benchmarks/flags.py``);
* ``glossary``: a glossary term of the source whose target term is missing.

Numbers written only in words in the source are not checked (``one of the`` is no number).
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from .scripts import HAN, HAN_RE
from .terms import Terms, found_terms


@dataclass(frozen=True)
class Flag:
    """Something in a translation worth a look: ``code`` (numbers, names, untranslated, length,
    glossary, repetition, score) and a message that says what."""

    code: str
    message: str


# Characters of the translation over characters of the source, outside which a translation is
# flagged: the 0.5th and 99.5th percentiles of FLORES-200 dev references, widened by a fifth.
LENGTH_BOUNDS = {("zh", "en"): (0.99, 5.5), ("en", "zh"): (0.18, 0.99)}
_ENGLISH_WORD = re.compile(r"\b[a-z]{2,}\b")  # lower-case words: running English, not names or codes
MIN_LENGTH_CHECKED = 12  # shorter sources vary too much to judge by length
COMMON_WORD = 500  # an all-capitals word at least this frequent in English text is a word, not an acronym

_DIGITS = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_SCALES_EN = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
              "trillion": 1e12, "tn": 1e12, "k": 1e3}
_SCALE_EN = re.compile(r"\s*(thousand|million|billion|trillion|mn|bn|tn|[mbk])\b", re.I)
_SCALES_ZH = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百万": 1e6, "千万": 1e7}
_SCALE_ZH = re.compile(r"\s*(万亿|百万|千万|亿|万|千)")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_RANGE = re.compile(r"\s*(?:-|–|—|~|to|至|到)\s*[\d,]+(?:\.\d+)?")
# Chinese numerals count where they are numbers: two or more characters, or one before a measure
# word, a unit or a date part, or after 第 / 百分之 ("一些", "统一" are not numbers).
_ZH_NUMERAL = re.compile(
    r"(?<=第|之)[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?"
    r"|[零〇一二两三四五六七八九十百千万亿]{2,}(?:点[零〇一二三四五六七八九]+)?"
    r"|[零〇一二两三四五六七八九十](?=[个位名人岁年月日号天次倍元米里吨件项座条家只辆台部层点分秒周届场张把本支份股"
    r"颗块片双对套批种类所间架艘头匹棵根枚篇首句段页季期轮级步遍回声口笔度成折美英公千万亿]|$)"
)
_EN_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "first": 1,
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "twentieth": 20, "hundredth": 100,
    "dozen": 12, "half": 0.5, "quarter": 0.25, "once": 1, "twice": 2, "thrice": 3, "single": 1, "double": 2,
}
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_EN_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_LATIN_TOKEN = re.compile(r"(?<![A-Za-z0-9@.])[A-Za-z0-9][A-Za-z0-9.+&'’-]*[A-Za-z0-9+]|(?<![A-Za-z0-9])[A-Za-z]\d")
_URL_OR_MAIL = re.compile(r"(?:https?://|www\.)[\x21-\x7e]+|[A-Za-z0-9.+_-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_HAN_RUN = re.compile(f"[{HAN}]{{5,}}")
_EN_RUN = re.compile(r"(?:\b[A-Za-z]{2,}\b[ ,'’-]*){4,}")
_ACRONYM = re.compile(r"\b[A-Z]{3,}s?\b")
_SHOUTING = re.compile(r"\b[A-Z]{2,}(?:[\s,.!'’-]+[A-Z]{2,}\b)+")
# codes: letters and digits together, no lower-case word in them ("5G", "G7", "LP700-4", "COVID-19", not "4-month-old")
_CODE = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])(?![A-Za-z0-9-]*[a-z]{3})[A-Za-z0-9-]{2,}\b")
# Acronyms that Chinese news writes in Chinese: any of these renderings counts as the acronym kept.
KNOWN_ACRONYMS = {
    "USA": ("美国",), "UAE": ("阿联酋",), "USSR": ("苏联",), "NATO": ("北约", "北大西洋公约"), "FBI": ("联邦调查局",),
    "CIA": ("中情局", "中央情报局"), "NSA": ("国家安全",), "GDP": ("国内生产总值", "生产总值"), "ISIS": ("伊斯兰国",),
    "ISIL": ("伊斯兰国",), "WHO": ("世卫", "世界卫生组织"), "NASA": ("宇航局", "航天局", "航空航天"),
    "USOC": ("奥委会",), "IOC": ("奥委会",), "WTO": ("世贸", "世界贸易组织"), "IMF": ("货币基金",),
    "CEO": ("首席执行官", "总裁", "执行长"), "AIDS": ("艾滋",), "HIV": ("艾滋",), "DNA": ("基因",),
    "FIFA": ("国际足联",), "BBC": ("英国广播公司",), "CNN": ("有线电视新闻网",), "NHS": ("国民医疗", "国民保健"),
    "ASEAN": ("东盟",), "OPEC": ("欧佩克", "石油输出国"), "APEC": ("亚太经合",), "UNESCO": ("教科文",),
    "UNICEF": ("儿童基金",), "NGO": ("非政府",), "NGOS": ("非政府",), "SARS": ("非典",), "COVID": ("新冠",),
    "NBA": ("美职篮", "篮球"), "NFL": ("橄榄球",), "MLB": ("棒球",), "NHL": ("冰球",), "UEFA": ("欧足联", "欧洲足联"),
    "NPC": ("人大",), "CPC": ("共产党",), "CCP": ("共产党",), "PLA": ("解放军",), "ICU": ("重症监护",),
    "EPA": ("环保署", "环境保护署"), "FDA": ("食品药品", "食品和药物"), "CDC": ("疾控", "疾病控制"),
    "NYPD": ("纽约警察",), "LGBT": ("性少数",), "CEOS": ("首席执行官",), "UFO": ("不明飞行物",),
    "G7": ("七国集团",), "G8": ("八国集团",), "G20": ("二十国集团",), "COVID-19": ("新冠", "新型冠状病毒"),
    "VAT": ("增值税",), "BCE": ("公元前",), "GMT": ("格林尼治", "格林威治"), "WWII": ("二战", "第二次世界大战"),
    "WWI": ("一战", "第一次世界大战"), "F1": ("一级方程式",), "CPR": ("心肺复苏",), "UCLA": ("加州大学洛杉矶",),
    "USD": ("美元",), "GBP": ("英镑",), "AUD": ("澳元",), "EUR": ("欧元",), "JPY": ("日元",), "CNY": ("人民币",),
    "RMB": ("人民币",), "HKD": ("港元", "港币"), "CAD": ("加元",), "MMORPG": ("网络游戏", "网游"),
}
# Numbers with a suffix are numbers, not codes: 10th, 1960s, 3mm, 70km, 5pm, 99p.
_NUMBER_WITH_SUFFIX = re.compile(r"\d+(?:st|nd|rd|th|s|mm|cm|km|m|kg|g|mg|ml|l|pm|am|p|k|ft|in|mph|kmh|kw|mw|gb|mb|x)",
                                 re.I)
_ROMAN = re.compile(r"[IVXLCDM]+")


def _value(integer: str, fraction: str | None) -> float:
    return float(integer.replace(",", "") + (fraction or ""))


def _zh_numeral(text: str) -> float | None:
    """The value of a Chinese numeral (三千五百, 两, 一点五, 四十万), or None."""
    whole, _, decimal = text.partition("点")
    total = section = number = 0.0
    seen = False
    for ch in whole:
        if ch in _ZH_DIGITS:
            number = _ZH_DIGITS[ch]
            seen = True
        elif ch in _ZH_UNITS:
            section += (number or 1) * _ZH_UNITS[ch]
            number = 0
            seen = True
        elif ch in ("万", "亿"):
            total = (total + section + number) * (1e4 if ch == "万" else 1e8)
            section = number = 0
            seen = True
    if not seen:
        return None
    value = total + section + number
    if decimal:
        value += float("0." + "".join(str(_ZH_DIGITS[c]) for c in decimal if c in _ZH_DIGITS) or "0")
    return value


def source_numbers(text: str) -> list[tuple[str, float]]:
    """The numbers written with digits in ``text``: (as written, value with its scale or unit)."""
    text = unicodedata.normalize("NFKC", text)
    found = []
    for m in _DIGITS.finditer(text):
        value = _value(m.group(1), m.group(2))
        written = m.group()
        after = text[m.end() :]
        shared = _RANGE.match(after)  # "4.2-3.9 million", "3至5亿": the scale belongs to both
        scale_at = after[shared.end() :] if shared else after
        zh = _SCALE_ZH.match(scale_at)
        en = _SCALE_EN.match(scale_at)
        if zh:
            value *= _SCALES_ZH[zh.group(1)]
            written += "" if shared else zh.group(1)
        elif en and (len(en.group(1)) > 1 or not scale_at[len(en.group()) : len(en.group()) + 1].isalpha()):
            value *= _SCALES_EN[en.group(1).lower()]
            written += "" if shared else en.group()
        found.append((written, value))
    return found


def translation_numbers(text: str) -> set[float]:
    """Every value ``text`` writes, in any notation (digits, scales, Chinese numerals, words, months)."""
    text = unicodedata.normalize("NFKC", text)
    values = {v for _, v in source_numbers(text)}
    values |= {_value(m.group(1), m.group(2)) for m in _DIGITS.finditer(text)}
    for m in _ZH_NUMERAL.finditer(text):
        value = _zh_numeral(m.group())
        if value is not None:
            values.add(value)
            scale = _SCALE_ZH.match(text, m.end())
            if scale:
                values.add(value * _SCALES_ZH[scale.group(1)])
    words = [w.lower() for w in _EN_WORD.findall(text)]
    for i, word in enumerate(words):
        for part in word.split("-"):
            if part in _EN_WORDS:
                values.add(_EN_WORDS[part])
            if part in _MONTHS:
                values.add(_MONTHS[part])
        if "-" in word and all(p in _EN_WORDS for p in word.split("-")):
            values.add(sum(_EN_WORDS[p] for p in word.split("-")))  # twenty-five
        if word in _EN_WORDS and i + 1 < len(words) and words[i + 1] in _SCALES_EN:
            values.add(_EN_WORDS[word] * _SCALES_EN[words[i + 1]])
    return values


def _has(values: set[float], value: float) -> bool:
    return any(math.isclose(value, v, rel_tol=1e-6, abs_tol=1e-9) for v in values)


def _chinese(text: str) -> bool:
    han = len(HAN_RE.findall(text))
    return han * 3 >= sum(1 for ch in text if ch.isascii() and ch.isalpha())


def check_translation(
    source: str,
    translation: str,
    *,
    source_language: str | None = None,
    glossary: Mapping[str, str] | None = None,
) -> list[Flag]:
    """The checks above on one source text and its translation; an empty list when all pass.

    Args:
        source: the original (a sentence or a paragraph).
        translation: its translation into the other language.
        source_language: ``"zh"`` or ``"en"``; guessed from the script when None.
        glossary: source term -> target term; a term of the source must come out as its target.
    """
    if not isinstance(source, str) or not isinstance(translation, str):
        raise TypeError("source and translation must be strings")
    language = source_language or ("zh" if _chinese(source) else "en")
    language = "zh" if language.lower().startswith(("zh", "cmn", "chinese")) else "en"
    flags: list[Flag] = []
    if not translation.strip():
        return [Flag("empty", "The translation is empty.")] if source.strip() else []
    values = translation_numbers(translation)
    missing = [written for written, value in source_numbers(source) if not _has(values, value)]
    if missing:
        flags.append(Flag("numbers", f"Not found in the translation: {', '.join(dict.fromkeys(missing))}."))
    plain = _plain(translation)
    lost = [token for token in _names(source, language, glossary) if not _kept(token, plain)]
    if lost:
        flags.append(Flag("names", f"Missing from the translation: {', '.join(dict.fromkeys(lost))}."))
    if language == "en" and not HAN_RE.search(translation) and len(_ENGLISH_WORD.findall(source)) >= 3:
        flags.append(Flag("language", "The translation is not in Chinese."))
    leftover = _HAN_RUN.search(translation) if language == "zh" else _copied_english(source, translation)
    if leftover:
        flags.append(Flag("untranslated", f"Left untranslated: “{leftover.group().strip()[:40]}”."))
    ratio = _length_ratio(source, translation)
    low, high = LENGTH_BOUNDS[(language, "en" if language == "zh" else "zh")]
    if ratio is not None and not low <= ratio <= high:
        which = "shorter" if ratio < low else "longer"
        flags.append(Flag("length", f"Much {which} than translations usually are (length ratio {ratio:.2f})."))
    for term in _glossary_terms(source, glossary or {}, language):
        wanted = glossary[term]
        if wanted.lower() not in translation.lower():
            flags.append(Flag("glossary", f"“{term}” should be translated as “{wanted}”."))
    return flags


def _names(source: str, language: str, glossary: Mapping[str, str] | None) -> list[str]:
    glossed = glossary.lowered if isinstance(glossary, Terms) else {t.lower() for t in (glossary or {})}
    if language == "zh":
        text = unicodedata.normalize("NFKC", source)
        tokens = [m.group() for m in _URL_OR_MAIL.finditer(text)]
        rest = _URL_OR_MAIL.sub(" ", text)
        tokens += [t for t in _LATIN_TOKEN.findall(rest) if any(c.isalpha() for c in t)]
        return [t.rstrip(".") for t in tokens if t.lower() not in glossed]
    tokens = [m.group() for m in _URL_OR_MAIL.finditer(source)]
    rest = _URL_OR_MAIL.sub(" ", source)
    shouted = {w for run in _SHOUTING.findall(rest) for w in run.split()}  # "DO NOT RETURN USED ITEMS"
    for acronym in _ACRONYM.findall(rest):
        word = acronym[:-1] if acronym.endswith("s") and acronym[:-1].isupper() else acronym
        if word in shouted or _ROMAN.fullmatch(word):
            continue
        if word.upper() not in KNOWN_ACRONYMS and _common_word(word):
            continue  # "I absolutely LOVE it": an ordinary word in capitals, for emphasis
        tokens.append(word)
    tokens += [t for t in _CODE.findall(rest) if not _NUMBER_WITH_SUFFIX.fullmatch(t)]
    return [t for t in tokens if t.lower() not in glossed]


_words_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _english_frequencies():
    """pyspellchecker's English word frequencies (bundled in its wheel), loaded once, when first needed."""
    from spellchecker import SpellChecker

    with _words_lock:
        return SpellChecker(language="en", distance=1).word_frequency


def _common_word(word: str) -> bool:
    return _english_frequencies()[word.lower()] >= COMMON_WORD


def _plain(text: str) -> str:
    """Lower case, without accents, apostrophes unified: how names are compared."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def _kept(token: str, plain_translation: str) -> bool:
    if _plain(token) in plain_translation:
        return True
    return any(rendering in plain_translation for rendering in KNOWN_ACRONYMS.get(token.upper(), ()))


def _copied_english(source: str, translation: str):
    """A run of four or more English words of the source left in a Chinese translation."""
    for match in _EN_RUN.finditer(translation):
        if match.group().strip().lower() in source.lower():
            return match
    return None


def _length_ratio(source: str, translation: str) -> float | None:
    src = len("".join(source.split()))
    if src < MIN_LENGTH_CHECKED:
        return None
    return len("".join(translation.split())) / src


def _glossary_terms(text: str, glossary: Mapping[str, str], language: str) -> list[str]:
    """The glossary's terms found in ``text`` (leftmost, longest first; a term inside a longer one not
    counted), in one pass with the glossary's trie."""
    return found_terms(text, glossary, language)
