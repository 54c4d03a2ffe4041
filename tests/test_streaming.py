"""Streaming: the library yields finished paragraphs per model batch; the page sends linear bytes."""

from __future__ import annotations

import time

from bilingual import Summarizer
from tests.fakes import fake_translator


def _translator(tmp_path, batch_size=4):
    record: list = []
    return fake_translator(tmp_path, record=record, batch_size=batch_size), record


def _article(paragraphs: int) -> str:
    return "\n\n".join(f"Paragraph {i} starts here. It has a second sentence." for i in range(paragraphs))


def test_steps_come_per_batch_with_finished_paragraphs_in_order(tmp_path):
    translator, record = _translator(tmp_path)
    steps = list(translator.iter_translate_document(_article(10), "zh"))
    batches = record[0].batches
    assert len(batches) == 5  # 20 sentences, 4 a batch
    assert [s.done for s in steps] == [0, 4, 8, 12, 16, 20]
    assert all(s.total == 20 and s.total_paragraphs == 10 for s in steps)
    counts = [len(s.paragraphs) for s in steps]
    assert counts == sorted(counts) and counts[-1] == 10
    for step in steps:  # every step's paragraphs are the final ones' prefix
        assert step.paragraphs == steps[-1].paragraphs[: len(step.paragraphs)]
    assert steps[-1].document == translator.translate_document(_article(10), "zh")
    assert all(s.document is None for s in steps[:-1])


def test_progress_callback_is_told_per_batch(tmp_path):
    translator, _ = _translator(tmp_path)
    seen = []
    translator.translate(_article(6), "zh", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 12), (4, 12), (8, 12), (12, 12)]


def test_stopping_the_stream_stops_the_work(tmp_path):
    """Nothing is translated after the reader goes away: without batching across requests, not one more
    model call; with it, the queue's worker may finish what it already took of the current window
    (16 sentences, 4 calls) and drops the rest (200 sentences, 50 calls in all)."""
    for batching, most in ((False, 2), (True, 4)):
        record: list = []
        translator = fake_translator(tmp_path, record=record, batch_size=4, batching=batching)
        stream = translator.iter_translate_document(_article(100), "zh")
        for step in stream:
            if step.done >= 8:
                break
        stream.close()
        time.sleep(0.05)  # time for a worker that would go on
        assert 2 <= len(record[0].batches) <= most, (batching, len(record[0].batches))


def test_nothing_to_translate_is_one_step(tmp_path):
    translator, record = _translator(tmp_path)
    (step,) = translator.iter_translate_document("2023\n\nhttps://example.com")
    assert step.document is not None and step.document.text == "2023\n\nhttps://example.com"
    assert record == []


def _stream_bytes(tmp_path, paragraphs: int) -> tuple[int, int, int]:
    translator, _ = _translator(tmp_path, batch_size=16)
    from bilingual.ui.app import Handlers  # here: Gradio is imported only by the workers that run this

    handlers = Handlers(translator, Summarizer(translator.settings, translator=translator))
    progress_calls = []
    sent = updates = 0
    final = None
    for update in handlers.translate_stream(_article(paragraphs), "English → 中文",
                                            progress=lambda *a, **k: progress_calls.append(a)):
        sent += sum(len(str(part)) for part in update[:3])
        updates += 1
        final = update
    assert final[0].startswith("完成 Done")
    return sent, len(final[1]) + len(final[2]), len(progress_calls)


def test_page_stream_bytes_grow_linearly(tmp_path):
    small_sent, small_final, small_progress = _stream_bytes(tmp_path / "a", 1000)
    large_sent, large_final, large_progress = _stream_bytes(tmp_path / "b", 2000)
    assert large_sent <= 4 * large_final  # every update together: at most a few copies of the result
    assert large_sent / small_sent < 2.3  # twice the paragraphs, about twice the bytes (quadratic: 4x)
    assert large_progress >= 2000 * 2 // 16  # the progress bar moves with every model batch
