"""Simplified and Traditional Chinese: which one a text is written in, and converting between them.

Conversions are OpenCC's (the ``opencc`` wheel ships its dictionaries): ``s2t`` for
Traditional characters, ``s2twp`` for Taiwan (characters and phrasing: 滑鼠, 軟體, 影片),
``s2hk`` for Hong Kong, ``t2s`` back to Simplified.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from ..languages import Script

_CONFIGS = {"Hant": "s2t", "Hant-TW": "s2twp", "Hant-HK": "s2hk", "Hans": "t2s"}
_lock = threading.Lock()


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def convert(text: str, script: Script) -> str:
    """``text`` written in ``script``: ``Hans`` converts to Simplified, the others from Simplified."""
    if not text:
        return text
    text = text.encode("utf-8", "replace").decode("utf-8")  # OpenCC takes valid UTF-8 only
    with _lock:
        return _converter(_CONFIGS[script]).convert(text)


def chinese_script(text: str) -> Script:
    """``"Hant"`` when ``text`` has more Traditional-only than Simplified-only characters, else ``"Hans"``."""
    sample = text[:20_000].encode("utf-8", "replace").decode("utf-8")  # lone surrogates: "?"
    with _lock:
        simplified = _converter("t2s").convert(sample)
        traditional = _converter("s2t").convert(sample)
    if len(simplified) != len(sample) or len(traditional) != len(sample):
        return "Hans"  # a phrase conversion changed lengths: too rare to count character by character
    traditional_only = sum(a != b for a, b in zip(sample, simplified))
    simplified_only = sum(a != b for a, b in zip(sample, traditional))
    return "Hant" if traditional_only > simplified_only else "Hans"


def rewrite(text: str, script: Script) -> str:
    """Chinese ``text`` in either script, written in ``script`` (Traditional text asked for as plain
    Traditional is left as it is; Traditional to Taiwan or Hong Kong usage goes through Simplified)."""
    if script == "Hans":
        return convert(text, "Hans")
    current = chinese_script(text)
    if current == "Hant" and script == "Hant":
        return text
    return convert(convert(text, "Hans") if current == "Hant" else text, script)
