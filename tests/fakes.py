"""A fake backend for pure pipeline tests: 'translates' by tagging each sentence."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager

from bilingual.translation.backends import BackendBase


class FakeBackend(BackendBase):
    """Counts one token per character (plus one for </s>) and records every batch it sees.

    With ``delay``, each batch takes that long; ``peak`` is the most batches seen running at once.
    """

    def __init__(self, model_name: str = "fake", fail_on_batch: int | None = None, delay: float = 0.0) -> None:
        self.model_name = model_name
        self.fingerprint = f"fake|{model_name}"
        self.batches: list[list[str]] = []
        self.fail_on_batch = fail_on_batch
        self.delay = delay
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t) + 1 for t in texts]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        if self.fail_on_batch is not None and len(self.batches) == self.fail_on_batch:
            raise ConnectionAbortedError("client went away")
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.delay)
            self.batches.append(list(texts))
            return [f"<{t}>" for t in texts]
        finally:
            with self._lock:
                self.running -= 1


def fake_translator(home=None, *, record: list | None = None, backend_options: dict | None = None, **settings):
    """A :class:`~bilingual.Translator` over :class:`FakeBackend`: offline, no cache and no batching wait
    (5 ms a model call, idle time the logic tests do not need) unless asked.

    ``record`` receives the backends it builds; ``settings`` are :class:`~bilingual.Settings` fields.
    """
    from bilingual import Settings, Translator

    values = {"cache": False, "offline": True, "batch_wait_ms": 0, **settings}
    if home is not None:
        values["home"] = str(home)
    return Translator(Settings(**values), backend_factory=fake_factory([] if record is None else record,
                                                                       **(backend_options or {})))


def fake_factory(record: list, **options):
    def factory(source, target, settings):
        backend = FakeBackend(f"fake-{source}-{target}", **options)
        record.append(backend)
        return backend

    return factory


def slot_held(work):
    """Hold one slot of a :class:`~bilingual.service.work.WorkLimit` from another thread while the block runs."""
    return held_in_thread(work.slot)


@contextmanager
def held_in_thread(context):
    """Enter ``context()`` in another thread and stay inside it while the block runs."""
    holding, release = threading.Event(), threading.Event()

    def hold():
        with context():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(10)


def plain_documents(texts) -> list:
    """Strings as :class:`~bilingual.translation.result.DocumentTranslation`\\ s without marks: what a
    ``translate_many`` callback of the HTML translator returns, for tests that translate by hand."""
    from bilingual.translation.result import DocumentTranslation, Segment

    return [DocumentTranslation("en", "zh", "", ((Segment(t, t),),), t) for t in texts]
