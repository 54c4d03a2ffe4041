"""Batching across requests (translation/scheduler.py): pure logic with a fake model, then the Translator."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual import Settings
from bilingual.translation.pipeline import make_batches
from bilingual.translation.scheduler import Scheduler

from .fakes import FakeBackend, fake_translator


class Model:
    """Scores a batch by tagging each sentence; records every call; can be slowed or made to fail."""

    def __init__(self, delay: float = 0.0, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.delay = delay
        self.fail_on = fail_on
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, texts: list[str]):
        self.gate.wait(10)
        self.calls.append(list(texts))
        time.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in texts:
            raise ConnectionAbortedError("the model failed")
        return [(f"<{t}>", -0.1, False) for t in texts]


def lengths_of(texts):
    return [len(t) + 1 for t in texts]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=80),
       st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=600))
def test_one_request_alone_gets_exactly_make_batches_calls(lengths, max_size, max_tokens):
    model = Model()
    scheduler = Scheduler(model, max_size=max_size, max_tokens=max_tokens, max_wait=0)
    texts = [f"s{i}" for i in range(len(lengths))]
    ticket = scheduler.submit(texts, lengths)
    chunks = list(ticket)
    expected = make_batches(lengths, max_size=max_size, max_tokens=max_tokens)
    assert chunks == expected
    assert model.calls == [[texts[i] for i in batch] for batch in expected]
    assert [r[0] for r in ticket.results] == [f"<{t}>" for t in texts]


def test_concurrent_requests_share_model_calls_and_each_gets_its_own_results():
    model = Model(delay=0.02)
    scheduler = Scheduler(model, max_size=16, max_tokens=4096, max_wait=0.05)
    results: dict[int, list[str]] = {}

    def request(n: int) -> None:
        texts = [f"request {n} sentence {k}" for k in range(1 + n % 3)]
        results[n] = [r[0] for r in scheduler.translate(texts, lengths_of(texts))]

    threads = [threading.Thread(target=request, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for n in range(12):
        assert results[n] == [f"<request {n} sentence {k}>" for k in range(1 + n % 3)]
    sentences = sum(1 + n % 3 for n in range(12))
    assert sum(len(c) for c in model.calls) == sentences  # each sentence translated once
    assert len(model.calls) <= 4  # 12 requests, 24 sentences: a few shared calls, not 12
    assert all(len(c) <= 16 for c in model.calls)


def test_a_long_document_does_not_make_a_short_request_wait_for_all_of_it():
    model = Model()
    model.gate.clear()  # hold the first call until both requests are queued
    scheduler = Scheduler(model, max_size=4, max_tokens=4096, max_wait=0)
    document = [f"document sentence {k}" for k in range(40)]
    big = scheduler.submit(document, lengths_of(document))
    small = scheduler.submit(["one line"], [9])
    model.gate.set()
    assert list(small) == [[0]]
    call = next(i for i, c in enumerate(model.calls) if "one line" in c)
    assert call <= 1  # in the first or second call, not after ten calls of the document
    assert sum(len(c) for c in list(big)) == 40


class OneCallAtATime(Model):
    """A model that makes each call wait for the test's permission (no race with the test's own steps)."""

    def __init__(self) -> None:
        super().__init__()
        self.permits = threading.Semaphore(0)

    def __call__(self, texts: list[str]):
        assert self.permits.acquire(timeout=10)
        return super().__call__(texts)


def test_cancel_drops_sentences_no_call_has_taken():
    model = OneCallAtATime()
    scheduler = Scheduler(model, max_size=2, max_tokens=4096, max_wait=0)
    texts = [f"sentence {k}" for k in range(10)]
    ticket = scheduler.submit(texts, lengths_of(texts))
    iterator = iter(ticket)
    model.permits.release()  # one call
    first = next(iterator)
    ticket.cancel()  # the worker holds at most one more batch, waiting for permission
    for _ in range(5):
        model.permits.release()
    assert list(iterator) in ([], [[i for i in range(10) if i not in first][:2]])  # at most the call taken
    time.sleep(0.05)
    assert sum(len(c) for c in model.calls) <= 4
    assert ticket.cancelled


def test_a_model_error_reaches_the_requests_in_that_call_and_no_other():
    model = Model(fail_on="bad")
    model.gate.clear()
    scheduler = Scheduler(model, max_size=1, max_tokens=4096, max_wait=0)
    failing = scheduler.submit(["bad"], [4])
    fine = scheduler.submit(["good"], [5])
    model.gate.set()
    with pytest.raises(ConnectionAbortedError):
        list(failing)
    assert list(fine) == [[0]] and fine.results == [("<good>", -0.1, False)]
    assert scheduler.translate(["after"], [6]) == [("<after>", -0.1, False)]  # the worker goes on


def test_the_worker_thread_ends_when_idle_and_a_new_request_starts_another():
    model = Model()
    scheduler = Scheduler(model, max_size=4, max_tokens=4096, max_wait=0, idle=0.05, name="idle-test")
    assert scheduler.translate(["a"], [2]) == [("<a>", -0.1, False)]
    time.sleep(0.3)
    assert not [t for t in threading.enumerate() if t.name == "bilingual-batcher-idle-test"]
    assert scheduler.translate(["b"], [2]) == [("<b>", -0.1, False)]


def test_an_empty_request_needs_no_worker():
    scheduler = Scheduler(Model(), max_size=4, max_tokens=4096)
    assert list(scheduler.submit([], [])) == []


# -- the translator over the scheduler (fake backend) -----------------------------------------------


def translator(record, batching=True, **options):
    return fake_translator(record=record, backend_options=options, model_zh_en="fake", model_en_zh="fake",
                           batching=batching, batch_wait_ms=50)


def test_concurrent_translations_share_model_calls_with_batching_and_not_without():
    texts = [f"Request number {n} is here. It has two sentences." for n in range(8)]
    calls = {}
    for batching in (True, False):
        record: list[FakeBackend] = []
        t = translator(record, batching=batching, delay=0.05)
        t.translate("Warm up.", "zh", source="en")
        out: dict[int, str] = {}
        threads = [threading.Thread(target=lambda n=n: out.__setitem__(n, t.translate(texts[n], "zh", source="en")))
                   for n in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(10)
        assert [out[n] for n in range(8)] == [f"<Request number {n} is here.><It has two sentences.>"
                                              for n in range(8)]
        calls[batching] = len(record[0].batches) - 1
        if batching:
            assert record[0].peak == 1  # one model call at a time (the fake backend has no lock of its own)
    assert calls[False] == 8
    assert calls[True] <= 3


def test_abandoning_a_stream_drops_its_queued_sentences():
    record: list[FakeBackend] = []
    t = translator(record, delay=0.01)
    text = "\n\n".join(f"Paragraph {n} sentence one. Paragraph {n} sentence two." for n in range(200))
    steps = t.iter_translate_document(text, "zh", source="en")
    next(steps)
    next(steps)
    steps.close()
    time.sleep(0.2)
    assert sum(len(b) for b in record[0].batches) < 400 // 2


def test_batching_switch_is_read_from_the_environment():
    assert Settings.from_env({}).batching is True
    assert Settings.from_env({"BILINGUAL_BATCHING": "0"}).batching is False
    assert Settings.from_env({"BILINGUAL_BATCH_WAIT_MS": "20"}).batch_wait_ms == 20
    with pytest.raises(ValueError, match="BILINGUAL_BATCH_WAIT_MS"):
        Settings.from_env({"BILINGUAL_BATCH_WAIT_MS": "soon"})
    from bilingual.config import ServiceSettings

    assert ServiceSettings.from_env({}).workers == 16
    assert ServiceSettings.from_env({"BILINGUAL_BATCHING": "off"}).workers == 2
    assert ServiceSettings.from_env({"BILINGUAL_WORKERS": "3"}).workers == 3


def test_two_workers_run_two_calls_at_once_and_every_result_lands_in_place():
    running, peak = [0], [0]
    lock = threading.Lock()

    def score(texts):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.03)
        with lock:
            running[0] -= 1
        return [(f"<{t}>", -0.1, False) for t in texts]

    scheduler = Scheduler(score, max_size=2, max_tokens=4096, max_wait=0, workers=2)
    texts = [f"sentence number {k}" + "!" * (k % 5) for k in range(12)]
    ticket = scheduler.submit(texts, lengths_of(texts))
    chunks = list(ticket)
    assert sorted(i for chunk in chunks for i in chunk) == list(range(12))
    assert [r[0] for r in ticket.results] == [f"<{t}>" for t in texts]
    assert peak[0] == 2  # one document's batches side by side
