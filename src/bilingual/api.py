"""The one-call functions, each delegating to a shared default instance.

Like ``requests.get()`` over a ``Session``: ``translate()`` uses one
:class:`~bilingual.translation.translator.Translator`, built on first use from
the environment and kept for the life of the process, so each model loads once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from .summarization.summarizer import Summarizer
from .translation.translator import GlossaryLike, Progress, Translator

_lock = threading.Lock()
_translator: Translator | None = None
_summarizer: Summarizer | None = None


def default_translator() -> Translator:
    """The shared translator behind :func:`translate`, created on first use (thread-safe)."""
    global _translator
    with _lock:
        if _translator is None:
            _translator = Translator()
        return _translator


def default_summarizer() -> Summarizer:
    """The shared summarizer behind :func:`summarize`; it translates with the shared translator."""
    global _summarizer
    translator = default_translator()
    with _lock:
        if _summarizer is None:
            _summarizer = Summarizer(translator.settings, translator=translator)
        return _summarizer


def reset_defaults() -> None:
    """Forget the shared instances, so the next call re-reads the environment."""
    global _translator, _summarizer
    with _lock:
        _translator = None
        _summarizer = None


def translate(
    text: str | Sequence[str], target: str | None = None, *, source: str | None = None,
    glossary: GlossaryLike = None, progress: Progress | None = None,
) -> str | list[str]:
    """Translate an article (or a list of articles) between Chinese and English.

    See :meth:`Translator.translate`. Text with nothing to translate (``""``, whitespace,
    numbers, URLs, emoji) comes back unchanged without loading a model.

    Example:
        >>> import bilingual                                        # doctest: +SKIP
        >>> bilingual.translate("重庆两江新区签署了战略合作协议。")        # doctest: +SKIP
        'Chongqing Liangjiang New Area signed a strategic cooperation agreement.'
    """
    return default_translator().translate(text, target, source=source, glossary=glossary, progress=progress)


def summarize(
    text: str,
    *,
    language: str | None = None,
    method: str | None = None,
    num_sentences: int | None = None,
    max_length: int | None = None,
    source: str | None = None,
) -> str:
    """Summarize a Chinese or English article, in either language. See :meth:`Summarizer.summarize`.

    Example:
        >>> bilingual.summarize(article, language="en", num_sentences=3)   # doctest: +SKIP
    """
    return default_summarizer().summarize(
        text, language=language, method=method, num_sentences=num_sentences, max_length=max_length, source=source
    )


def translate_file(
    path: str | Path,
    target: str | None = None,
    *,
    out: str | Path | None = None,
    bilingual: bool = False,
    source: str | None = None,
) -> Path:
    """Translate a document (.txt, .md, .html, .docx, .pptx, .srt, .pdf) into the same kind of file.

    The output defaults to ``<name>.<target>.<ext>`` beside the input (a PDF becomes .docx);
    ``bilingual=True`` keeps each block and adds its translation after it. See
    :func:`bilingual.documents.translate_file`.

    Example:
        >>> bilingual.translate_file("release.docx", target="zh")      # doctest: +SKIP
        PosixPath('release.zh-Hans.docx')
    """
    from .documents import translate_file as translate_document_file

    return translate_document_file(default_translator(), path, target, out=out, bilingual=bilingual, source=source)
