"""Backends turn a batch of sentences into translations. Nothing else.

A backend knows one model and one direction. The document logic (splitting,
batching, reassembly) lives above it in :mod:`bilingual.translation.translator`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Backend(Protocol):
    """The contract every translation backend fulfils."""

    model_name: str
    fingerprint: str  # model, revision, backend and decoding settings: the translation cache's namespace

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, as the model will see them."""
        ...

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        """Translate sentences; one output per input, in order."""
        ...


class HypothesesBackend(Backend, Protocol):
    """A backend that can also give the n best translations from its beam (for ``alternatives``).

    Optional: the translator offers alternative translations only when its backend has it.
    """

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        """The ``n`` best translations of each sentence, best first."""
        ...


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
