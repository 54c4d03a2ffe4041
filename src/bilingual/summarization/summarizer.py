"""``Summarizer``: summaries of Chinese and English articles, in either language."""

from __future__ import annotations

import logging
import threading
import warnings
from dataclasses import replace
from typing import Any

from ..config import ModelRef, Settings
from ..errors import InputTooLargeError
from ..languages import Language, Target, normalize_language, other, parse_target
from ..models import locate, resolve
from ..text.chinese import chinese_script, rewrite
from ..text.chinese import convert as to_script
from ..text.detect import detect_language
from ..text.pieces import needs_translation, separator
from ..text.segment import split_sentences
from ..translation.translator import Translator
from .extractive import select
from .llm import SummaryRefused, summarize_with_chat

logger = logging.getLogger(__name__)

METHODS = ("extractive", "abstractive")


def default_sentences(count: int) -> int:
    """An extractive summary's length for an article of ``count`` sentences: 1 to 5, about its square root."""
    return max(1, min(5, round(count**0.5)))


class Summarizer:
    """Summarize articles extractively (built in) or abstractively (pretrained seq2seq).

    Args:
        settings: a :class:`~bilingual.config.Settings`; by default read from the environment.
        translator: the translator used for cross-lingual summaries (default: a new one
            sharing these settings, created on first use).
        **overrides: fields of ``Settings``, e.g. ``model_summary_en``, ``model_summary_zh``.
    """

    def __init__(self, settings: Settings | None = None, *, translator: Translator | None = None, **overrides: Any):
        base = settings if settings is not None else Settings.from_env()
        self.settings = replace(base, **overrides) if overrides else base
        self._translator = translator
        self._models: dict[Language, Any] = {}
        self._lock = threading.Lock()

    def model_ref(self, language: Language) -> ModelRef:
        return self.settings.model_ref(f"summary-{language}")

    def abstractive_available(self, language: Language) -> bool:
        """Whether the abstractive model for ``language`` is present locally (no network)."""
        return language in self._models or locate(self.model_ref(language)) is not None

    def _model(self, language: Language):
        from .abstractive import AbstractiveModel

        with self._lock:
            if language not in self._models:
                ref = self.model_ref(language)
                path = resolve(ref, offline=self.settings.offline)
                self._models[language] = AbstractiveModel(
                    path, model_name=ref.name, device=self.settings.device, beam_size=self.settings.beam_size,
                    allow_pickle=self.settings.allow_pickle,
                )
            return self._models[language]

    @property
    def translator(self) -> Translator:
        with self._lock:
            if self._translator is None:
                self._translator = Translator(self.settings)
            return self._translator

    def summarize(
        self,
        text: str,
        *,
        language: str | Target | None = None,
        method: str | None = None,
        num_sentences: int | None = None,
        max_length: int | None = None,
        source: str | None = None,
        translator: Translator | None = None,
        report: dict[str, Any] | None = None,
    ) -> str:
        """Summarize an article.

        Args:
            text: a Chinese or English article.
            language: the summary's language (``"zh"``, ``"en"`` or an alias); default: the article's.
            source: the article's language; None detects it (as ``translate(source=...)``).
            method: ``"extractive"``, ``"abstractive"``, or None: abstractive when its model is
                present locally, otherwise extractive (with a warning). When the translator's engine
                is an LLM (``llm``, or a causal model), abstractive and None mean its chat model
                writes the summary, straight in ``language`` (:mod:`.llm`); a reply that is not a
                summary in that language falls back to the other methods.
            num_sentences: length of an extractive or LLM summary (default: adapts to the article).
            max_length: most tokens of a seq2seq abstractive summary (default: adapts to the article).
            translator: the translator for cross-lingual summaries and the LLM engine (default: this
                summarizer's; the page passes the engine its user picked).
            report: a dict that receives ``"method"``: the method that made the summary
                (``"llm"``, ``"abstractive"`` or ``"extractive"``), for the page and REST to show.

        Returns:
            The summary; ``""`` for empty input; the whole text when it is one sentence or
            no longer than the requested summary.

        Raises:
            UnsupportedLanguageError, InputTooLargeError, ModelNotAvailableError, TypeError, ValueError.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        if method is not None and method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)} or None, not {method!r}")
        for name, value in (("num_sentences", num_sentences), ("max_length", max_length)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        wanted = parse_target(language) if language is not None else None
        if len(text) > self.settings.max_input_chars:
            raise InputTooLargeError(
                f"The input has {len(text):,} characters, more than the limit of {self.settings.max_input_chars:,}. "
                "Summarize a shorter text, or raise max_input_chars (BILINGUAL_MAX_INPUT_CHARS)."
            )
        if not needs_translation(text):
            return text.strip()
        source = normalize_language(source) if source is not None else detect_language(text)
        translator = translator or self.translator
        language_wanted = wanted.language if wanted is not None else source
        if method != "extractive" and (chat := self._chat(translator, source, language_wanted)) is not None:
            sentences = split_sentences(text)
            if len(sentences) <= 1:
                return text.strip()
            try:
                summary = summarize_with_chat(chat, text, source=source, language=language_wanted,
                                              sentences=num_sentences or default_sentences(len(sentences)))
                if report is not None:
                    report["method"] = "llm"
                return self._in_script(summary, text, wanted, source)
            except SummaryRefused as exc:
                logger.warning("the LLM engine's summary was refused (%s); using the other methods", exc)
        summary = self._summarize(text, source, method, num_sentences, max_length, report)
        if wanted is None or wanted.language == source:
            return self._in_script(summary, text, wanted, source)
        return translator.translate(summary, language, source=source)

    @staticmethod
    def _chat(translator: Translator, source: Language, language: Language):
        """The LLM engine's chat model that can write this summary: the direction's own when it crosses
        languages; either direction's for a summary in the article's language. None: no LLM engine."""
        pairs = [(source, language)] if language != source else [(source, other(source)), (other(source), source)]
        for pair in pairs:
            chat = translator.chat(*pair)
            if chat is not None:
                return chat
        return None

    @staticmethod
    def _in_script(summary: str, text: str, wanted: Target | None, source: Language) -> str:
        """A Chinese summary in the script asked for, or the article's: Traditional for a Traditional article."""
        language = wanted.language if wanted is not None else source
        if language != "zh" or not summary:
            return summary
        if wanted is not None and wanted.script:
            return rewrite(summary, wanted.script)
        if source == "zh" and chinese_script(text) == "Hant" and chinese_script(summary) == "Hans":
            return to_script(summary, "Hant")  # a Traditional article gets a Traditional summary
        return summary

    def _summarize(
        self, text: str, source: Language, method: str | None, num_sentences: int | None, max_length: int | None,
        report: dict[str, Any] | None = None,
    ) -> str:
        sentences = split_sentences(text)
        if method is None:
            method = "abstractive" if self.abstractive_available(source) else "extractive"
            if method == "extractive":
                message = (
                    f"No abstractive {source} summarization model ({self.model_ref(source).name}) is present "
                    "locally; using the extractive method. Run `bilingual models download --all` to get it."
                )
                warnings.warn(message, stacklevel=3)  # the server logs warnings (once per kind), not twice
        if report is not None:
            report["method"] = method
        if method == "extractive" or len(sentences) <= 1:
            count = num_sentences or default_sentences(len(sentences))
            return separator(source).join(sentences[i] for i in select(sentences, count, source))
        model = self._model(source)
        tokens = sum(model.count_tokens(sentences))
        length = max_length or max(16, min(142, tokens // 3))
        from .abstractive import map_reduce

        return map_reduce(
            text,
            budget=model.budget,
            max_length=length,
            length=model.count_tokens,
            generate=model.generate,
            language=source,
        )

