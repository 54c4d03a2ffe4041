"""Backends turn a batch of sentences into translations. Nothing else.

A backend knows one model (or one OpenAI-compatible server) and one direction. Which one a
direction gets is its *engine* (:mod:`.engines`): a local model's architecture, read from its
config.json, or ``llm``. The document logic (splitting,
batching, reassembly) lives above it in :mod:`bilingual.translation.translator`.
:class:`Backend` is the whole contract the translator relies on; :class:`BackendBase`
gives the optional parts (scores, the beam's n best, calls side by side) their
"not offered" defaults, so a simple backend writes only ``count_tokens`` and
``translate_batch``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

Scored = tuple[str, "float | None", bool]  # (translation, mean token log-probability or None, guarded)


class Backend(Protocol):
    """The contract every translation backend fulfils (:class:`BackendBase` has defaults for the optional parts).

    Attributes:
        model_name: the model's Hub id or path (shown, and part of the cache's namespace).
        fingerprint: model, revision, backend and decoding settings: the translation cache's namespace.
        parallel: model calls that may run at once (the batching scheduler runs that many workers).
        supports_hypotheses: whether :meth:`hypotheses` gives the beam's n best (for ``alternatives``).
        engine: ``marian``, ``m2m_100``, ``nllb``, ``t5``, ``causal`` or ``llm`` (shown; see :mod:`.engines`).
        license: the model's license when known (shown at load and on the page).
        contextual: the backend translates a paragraph's sentences together, with the paragraphs before
            as context (:meth:`translate_context`), and runs ``parallel`` calls itself (no batching queue).
    """

    model_name: str
    fingerprint: str
    parallel: int
    supports_hypotheses: bool
    engine: str
    license: str | None
    contextual: bool

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, as the model will see them."""
        ...

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        """Translate sentences; one output per input, in order."""
        ...

    def translate_scored(self, texts: Sequence[str]) -> list[Scored]:
        """Translate sentences with each one's mean token log-probability (None when the model gives none)
        and whether the repetition guard decoded it again."""
        ...

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        """The ``n`` best translations of each sentence, best first (only when ``supports_hypotheses``)."""
        ...

    def translate_context(self, texts: Sequence[str], context: Sequence[str],
                          terms: Mapping[str, str]) -> list[Scored]:
        """Translate one paragraph's consecutive sentences (one output each, in order), given the source
        paragraphs before them (``context``, not translated) and the glossary's ``terms`` found in them."""
        ...


class BackendBase:
    """The optional parts of :class:`Backend`, as "not offered": no scores, no n best, one call at a time."""

    model_name: str
    fingerprint: str
    parallel: int = 1
    supports_hypotheses: bool = False
    engine: str = "marian"
    license: str | None = None
    contextual: bool = False

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        raise NotImplementedError

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        raise NotImplementedError

    def translate_scored(self, texts: Sequence[str]) -> list[Scored]:
        return [(out, None, False) for out in self.translate_batch(texts)]

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        return [[] for _ in texts]

    def translate_context(self, texts: Sequence[str], context: Sequence[str],
                          terms: Mapping[str, str]) -> list[Scored]:
        return self.translate_scored(texts)


# -- the registry: which backends exist and how one is built for a direction ---------------------

BACKEND_NAMES = ("transformers", "ctranslate2")


def backend_name(requested: str) -> str:
    """The backend that ``requested`` means here: ``auto`` is CTranslate2 when it is installed."""
    import importlib.util

    from ...errors import BackendNotAvailableError

    if requested == "auto":
        return "ctranslate2" if importlib.util.find_spec("ctranslate2") is not None else "transformers"
    if requested not in BACKEND_NAMES:
        raise BackendNotAvailableError(
            f"Unknown backend {requested!r}; choose one of: auto, {', '.join(BACKEND_NAMES)} (BILINGUAL_BACKEND)."
        )
    return requested


def build_backend(kind: str, source: str, target: str, settings) -> Backend:
    """Build the backend of one direction: its engine's, over the ``kind`` runtime where it has a choice.

    ``llm`` talks to the OpenAI-compatible server; a local model is resolved (downloaded unless
    offline) and its architecture read from config.json: a ``causal`` model runs in process
    through transformers, a seq2seq model through ``kind`` (ctranslate2 or transformers).

    Raises:
        ModelNotAvailableError: the model is missing, or not of the engine asked for.
        ConfigError: the engine setting cannot be used.
    """
    from pathlib import Path

    from ...errors import ConfigError
    from ...models import resolve
    from .engines import announce_license, architecture, model_license

    engine = settings.engine_for(f"{source}-{target}")
    if engine == "llm":
        from .llm import LLMBackend, OpenAIChat

        chat = OpenAIChat(settings.llm_url, settings.llm_model, api_key=settings.llm_api_key,
                          timeout=settings.llm_timeout, retries=settings.llm_retries)
        return LLMBackend(chat, source=source, target=target, parallel=settings.llm_concurrency)
    ref = settings.model_ref(f"{source}-{target}")
    path = resolve(ref, offline=settings.offline)
    found = architecture(path)
    if engine != "auto" and engine != found:
        raise ConfigError(
            f"The {source}->{target} model {ref.name!r} is a {found} model, but the engine setting asks for "
            f"{engine}. Set BILINGUAL_ENGINE=auto (or {found}), or point {ref.setting} at a {engine} model."
        )
    license_ = model_license(path, ref.name)
    announce_license(ref.name, license_)
    if found == "causal":
        from .llm import LLMBackend, LocalChat

        chat = LocalChat(path, ref.name, device=settings.device, allow_pickle=settings.allow_pickle)
        backend: Backend = LLMBackend(chat, source=source, target=target, parallel=1)
    else:
        common = {
            "model_name": ref.name,
            "source": source,
            "target": target,
            "beam_size": settings.beam_size,
            "length_ratio": settings.length_ratio,
            "device": settings.device,
            "repetition_guard": settings.repetition_guard,
        }
        if kind == "ctranslate2":
            from .ctranslate2_backend import CTranslate2Backend

            backend = CTranslate2Backend(
                path, home=Path(settings.home) if settings.home else None, compute_type=settings.compute_type,
                parallel=0 if settings.batching else 1, **common,  # parallel calls need the batching queue to feed them
            )
        else:
            from .transformers_backend import TransformersBackend

            backend = TransformersBackend(path, allow_pickle=settings.allow_pickle, **common)
    backend.license = license_
    return backend
