"""Language codes: the two supported languages, Chinese scripts, and the aliases users type."""

from __future__ import annotations

from typing import Literal, NamedTuple

from .errors import UnsupportedLanguageError

Language = Literal["zh", "en"]
# How Chinese is written: Simplified; Traditional; Traditional with Taiwan or Hong Kong usage.
Script = Literal["Hans", "Hant", "Hant-TW", "Hant-HK"]
SUPPORTED: tuple[Language, ...] = ("zh", "en")
NAMES = {"zh": "Chinese", "en": "English"}
# The tag each language has on the web (HTML ``lang``, the REST API's language codes).
TAGS: dict[Language, str] = {"zh": "zh-Hans", "en": "en"}
SCRIPT_TAGS: dict[str, str] = {"Hans": "zh-Hans", "Hant": "zh-Hant", "Hant-TW": "zh-TW", "Hant-HK": "zh-HK"}
SCRIPT_NAMES: dict[str, str] = {
    "Hans": "Chinese (Simplified)",
    "Hant": "Chinese (Traditional)",
    "Hant-TW": "Chinese (Traditional, Taiwan)",
    "Hant-HK": "Chinese (Traditional, Hong Kong)",
}


class Target(NamedTuple):
    """A requested output: the language, and for Chinese the script (None: as the model writes it)."""

    language: Language
    script: Script | None = None

    @property
    def tag(self) -> str:
        return SCRIPT_TAGS[self.script] if self.script else TAGS[self.language]


_ALIASES: dict[str, Target] = {}
for _code in ("zh", "zho", "chi", "cmn", "chinese", "中文", "汉语", "漢語"):
    _ALIASES[_code] = Target("zh")
for _code in ("zh-cn", "zh-hans", "zh-hans-cn", "zh-sg", "zh-my", "cmn-hans", "cmn_hans", "zho_hans", "zhs",
              "simplified chinese", "chinese (simplified)", "简体中文", "簡體中文", "简体"):
    _ALIASES[_code] = Target("zh", "Hans")
for _code in ("zh-hant", "zt", "zht", "cmn-hant", "zho_hant", "traditional chinese", "chinese (traditional)",
              "繁體中文", "繁体中文", "繁體", "正體中文"):
    _ALIASES[_code] = Target("zh", "Hant")
for _code in ("zh-tw", "zh-hant-tw", "台灣", "臺灣", "台灣華語"):
    _ALIASES[_code] = Target("zh", "Hant-TW")
for _code in ("zh-hk", "zh-hant-hk", "zh-mo", "zh-hant-mo", "香港"):
    _ALIASES[_code] = Target("zh", "Hant-HK")
for _code in ("en", "en-us", "en-gb", "en-au", "en-ca", "eng", "eng_latn", "english", "英文", "英语", "英語"):
    _ALIASES[_code] = Target("en")


def parse_target(code: str | Target) -> Target:
    """A language name or code (any case, ``-`` or ``_``) as a :class:`Target` (a Target as it is).

    ``zh-Hant``, ``zt`` (LibreTranslate's), ``zh-TW``, ``zh-HK``, ``繁體中文`` … ask for Traditional characters
    (with Taiwan or Hong Kong usage for ``zh-TW`` and ``zh-HK``); ``zh-Hans``, ``zh-CN`` for
    Simplified; plain ``zh`` for Chinese as the model writes it (Simplified).

    Raises:
        UnsupportedLanguageError: for any other language.
        TypeError: when ``code`` is not a string.
    """
    if isinstance(code, Target):
        return code
    if not isinstance(code, str):
        raise TypeError(f"language must be a string such as 'zh' or 'en', not {type(code).__name__}")
    key = code.strip().lower()
    found = _ALIASES.get(key) or _ALIASES.get(key.replace("_", "-")) or _ALIASES.get(key.replace("-", "_"))
    if found is None:
        raise UnsupportedLanguageError(
            f"Unsupported language {code!r}: bilingual translates between Chinese ('zh', 'zh-Hant', 'zh-TW' …) "
            "and English ('en')."
        )
    return found


def normalize_language(code: str) -> Language:
    """Map a language name or code (any case, ``-`` or ``_``) to ``"zh"`` or ``"en"``.

    Args:
        code: for example ``"zh-CN"``, ``"zh_Hans"``, ``"zh-TW"``, ``"cmn"``, ``"Chinese"``, ``"en-US"``.

    Raises:
        UnsupportedLanguageError: for any other language.
        TypeError: when ``code`` is not a string.
    """
    return parse_target(code).language


def other(language: Language) -> Language:
    """The other supported language."""
    return "en" if language == "zh" else "zh"
