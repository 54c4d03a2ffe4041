"""Backends turn a batch of sentences into translations. Nothing else.

A backend knows one model and one direction. The document logic (splitting,
batching, reassembly) lives above it in :mod:`bilingual.translation.translator`.
:class:`Backend` is the whole contract the translator relies on; :class:`BackendBase`
gives the optional parts (scores, the beam's n best, calls side by side) their
"not offered" defaults, so a simple backend writes only ``count_tokens`` and
``translate_batch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

Scored = tuple[str, "float | None", bool]  # (translation, mean token log-probability or None, guarded)


class Backend(Protocol):
    """The contract every translation backend fulfils (:class:`BackendBase` has defaults for the optional parts).

    Attributes:
        model_name: the model's Hub id or path (shown, and part of the cache's namespace).
        fingerprint: model, revision, backend and decoding settings: the translation cache's namespace.
        parallel: model calls that may run at once (the batching scheduler runs that many workers).
        supports_hypotheses: whether :meth:`hypotheses` gives the beam's n best (for ``alternatives``).
    """

    model_name: str
    fingerprint: str
    parallel: int
    supports_hypotheses: bool

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


class BackendBase:
    """The optional parts of :class:`Backend`, as "not offered": no scores, no n best, one call at a time."""

    model_name: str
    fingerprint: str
    parallel: int = 1
    supports_hypotheses: bool = False

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        raise NotImplementedError

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        raise NotImplementedError

    def translate_scored(self, texts: Sequence[str]) -> list[Scored]:
        return [(out, None, False) for out in self.translate_batch(texts)]

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        return [[] for _ in texts]


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
    """Resolve a direction's model (downloading it unless offline) and build the ``kind`` backend over it."""
    from pathlib import Path

    from ...models import resolve

    ref = settings.model_ref(f"{source}-{target}")
    path = resolve(ref, offline=settings.offline)
    common = {
        "model_name": ref.name,
        "target": target,
        "beam_size": settings.beam_size,
        "length_ratio": settings.length_ratio,
        "device": settings.device,
        "repetition_guard": settings.repetition_guard,
    }
    if kind == "ctranslate2":
        from .ctranslate2_backend import CTranslate2Backend

        return CTranslate2Backend(
            path, home=Path(settings.home) if settings.home else None, compute_type=settings.compute_type,
            parallel=0 if settings.batching else 1, **common,  # parallel calls need the batching queue to feed them
        )
    from .transformers_backend import TransformersBackend

    return TransformersBackend(path, allow_pickle=settings.allow_pickle, **common)
