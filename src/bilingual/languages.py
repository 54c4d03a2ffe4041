"""Language codes: the two supported languages and the aliases users type."""

from __future__ import annotations

from typing import Literal

from .errors import UnsupportedLanguageError

Language = Literal["zh", "en"]
SUPPORTED: tuple[Language, ...] = ("zh", "en")
NAMES = {"zh": "Chinese", "en": "English"}
# The tag each language has on the web (HTML ``lang``, the REST API's language codes).
TAGS: dict[Language, str] = {"zh": "zh-Hans", "en": "en"}

_ALIASES: dict[str, Language] = {}
for _code in (
    "zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh-sg", "zh-hant", "zh-tw", "zh-hk",
    "zho", "chi", "cmn", "cmn-hans", "cmn_hans", "zho_hans", "chinese", "中文", "汉语", "简体中文",
):
    _ALIASES[_code] = "zh"
for _code in ("en", "en-us", "en-gb", "en-au", "en-ca", "eng", "eng_latn", "english", "英文", "英语"):
    _ALIASES[_code] = "en"


def normalize_language(code: str) -> Language:
    """Map a language name or code (any case, ``-`` or ``_``) to ``"zh"`` or ``"en"``.

    Args:
        code: for example ``"zh-CN"``, ``"zh_Hans"``, ``"cmn"``, ``"Chinese"``, ``"en-US"``.

    Returns:
        ``"zh"`` or ``"en"``.

    Raises:
        UnsupportedLanguageError: for any other language.
        TypeError: when ``code`` is not a string.
    """
    if not isinstance(code, str):
        raise TypeError(f"language must be a string such as 'zh' or 'en', not {type(code).__name__}")
    key = code.strip().lower()
    found = _ALIASES.get(key) or _ALIASES.get(key.replace("_", "-"))
    if found is None:
        raise UnsupportedLanguageError(
            f"Unsupported language {code!r}: bilingual translates between Chinese ('zh') and English ('en')."
        )
    return found


def other(language: Language) -> Language:
    """The other supported language."""
    return "en" if language == "zh" else "zh"
