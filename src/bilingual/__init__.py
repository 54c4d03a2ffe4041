"""bilingual: translate and summarize Chinese and English articles.

    import bilingual
    bilingual.translate("重庆两江新区与世界贸易网点联盟签署战略合作协议。")
    bilingual.translate(article, target="zh")
    bilingual.split_sentences(article)
"""

import logging as _logging

from .api import default_summarizer, default_translator, reset_defaults, summarize, translate, translate_file
from .config import Settings
from .errors import (
    BackendNotAvailableError,
    BilingualError,
    ConfigError,
    InputTooLargeError,
    InvalidInputError,
    ModelNotAvailableError,
    ServerBusyError,
    UnsupportedFormatError,
    UnsupportedLanguageError,
)
from .summarization.summarizer import Summarizer
from .text.checks import Flag, check_translation
from .text.detect import detect_language
from .text.segment import split_sentences
from .translation.memory import TranslationMemory
from .translation.result import DocumentTranslation, Hint, Segment
from .translation.translator import Translator

_logging.getLogger(__name__).addHandler(_logging.NullHandler())

__version__ = "0.1.0"

__all__ = [
    "BackendNotAvailableError",
    "BilingualError",
    "ConfigError",
    "DocumentTranslation",
    "Hint",
    "InputTooLargeError",
    "InvalidInputError",
    "ModelNotAvailableError",
    "Segment",
    "ServerBusyError",
    "Settings",
    "Summarizer",
    "Flag",
    "check_translation",
    "TranslationMemory",
    "Translator",
    "UnsupportedFormatError",
    "UnsupportedLanguageError",
    "default_summarizer",
    "default_translator",
    "detect_language",
    "reset_defaults",
    "split_sentences",
    "summarize",
    "translate",
    "translate_file",
]
