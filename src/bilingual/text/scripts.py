"""Unicode ranges of the scripts the text stages tell apart, written once.

Each constant is the inside of a regular-expression character class, so they combine:
``re.compile(f"[{HAN}{KANA}]")``.
"""

from __future__ import annotations

import re

# Han ideographs: Extension A, the basic block, compatibility ideographs, the supplementary planes.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
# Hiragana, katakana, katakana extensions and half-width katakana.
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# CJK symbols and punctuation (、。「」《》…) and the full-width forms (ＡＢＣ１２３！？).
CJK_PUNCTUATION = "\u3000-\u303f"
FULL_WIDTH = "\uff00-\uffef"

HAN_RE = re.compile(f"[{HAN}]")
KANA_RE = re.compile(f"[{KANA}]")
# Characters of East Asian text: ideographs and kana.
CJK_RE = re.compile(f"[{HAN}{KANA}]")
# Anything set in full-width columns: ideographs, kana, CJK punctuation, full-width forms.
WIDE_RE = re.compile(f"[{HAN}{KANA}{CJK_PUNCTUATION}{FULL_WIDTH}]")
