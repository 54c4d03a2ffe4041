"""A fake backend for pure pipeline tests: 'translates' by tagging each sentence."""

from __future__ import annotations

from collections.abc import Sequence


class FakeBackend:
    """Counts one token per character (plus one for </s>) and records every batch it sees."""

    def __init__(self, model_name: str = "fake") -> None:
        self.model_name = model_name
        self.batches: list[list[str]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t) + 1 for t in texts]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        self.batches.append(list(texts))
        return [f"<{t}>" for t in texts]


def fake_factory(record: list):
    def factory(source, target, settings):
        backend = FakeBackend(f"fake-{source}-{target}")
        record.append(backend)
        return backend

    return factory
