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
