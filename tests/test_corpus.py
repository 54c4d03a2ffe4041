"""bilingual batch: a corpus translated record by record, resumably, with the tiny models."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from bilingual import Translator, UnsupportedFormatError
from bilingual.cli import main as cli_main
from bilingual.corpus import translate_corpus

RECORDS = [
    {"id": 1, "text": "两江新区签署了合作协议。代表团访问了重庆。"},
    {"id": 2, "text": "The weather is good. Thank you."},
    {"id": 3, "text": "Le gouvernement a annoncé une nouvelle réforme des retraites mardi."},
    {"id": 4, "text": "2023"},
    {"id": 5, "body": "no text field"},
    {"id": 6, "text": "出口增长了百分之五。"},
    {"id": 7, "text": "The bank lowered interest rates."},
]
EXPECTED = [
    {"id": 1, "text": RECORDS[0]["text"], "translation": "Liangjiang New Area signed a cooperation agreement. "
     "The delegation visited Chongqing.", "source_language": "zh"},
    {"id": 2, "text": RECORDS[1]["text"], "translation": "天气很好。谢谢。", "source_language": "en"},
    {"id": 3, "text": RECORDS[2]["text"], "error": "This looks like French; only Chinese and English are supported."},
    {"id": 4, "text": "2023", "translation": "2023", "source_language": None},
    {"id": 5, "body": "no text field", "error": "No text in field 'text'."},
    {"id": 6, "text": "出口增长了百分之五。", "translation": "Exports grew by five percent.", "source_language": "zh"},
    {"id": 7, "text": "The bank lowered interest rates.", "translation": "银行降低了利率。", "source_language": "en"},
]


class Killed(BaseException):
    """The process dying in the middle of a job."""


def _dying_after(calls_before_death: int):
    real = Translator.translate_documents
    calls = {"n": 0}

    def dying(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > calls_before_death:
            raise Killed
        return real(self, *args, **kwargs)

    return dying


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_records_errors_and_summary(tiny_translator, tmp_path):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, RECORDS)
    report = translate_corpus(tiny_translator, source, output, chunk=3)
    assert _read_jsonl(output) == EXPECTED
    assert (report.done, report.skipped, report.failed) == (5, 0, 2)
    again = translate_corpus(tiny_translator, source, output, chunk=3)  # finished: everything skipped
    assert (again.done, again.skipped, again.failed) == (0, 7, 0) and _read_jsonl(output) == EXPECTED


def test_killed_and_started_again_loses_and_repeats_nothing(tiny_translator, tmp_path, monkeypatch):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, RECORDS)
    real = Translator.translate_documents
    monkeypatch.setattr(Translator, "translate_documents", _dying_after(2))  # in the middle of the second chunk
    with pytest.raises(Killed):
        translate_corpus(tiny_translator, source, output, chunk=3)
    monkeypatch.setattr(Translator, "translate_documents", real)
    with output.open("a", encoding="utf-8") as handle:
        handle.write('{"id": 4, "text": "20')  # a record half written when the process died
    report = translate_corpus(tiny_translator, source, output, chunk=3)
    assert report.skipped == 3 and _read_jsonl(output) == EXPECTED


def test_other_arguments_do_not_mix_into_an_unfinished_output(tiny_translator, tmp_path, monkeypatch):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, RECORDS)
    real = Translator.translate_documents
    monkeypatch.setattr(Translator, "translate_documents", _dying_after(2))
    with pytest.raises(Killed):
        translate_corpus(tiny_translator, source, output, chunk=3)
    monkeypatch.setattr(Translator, "translate_documents", real)
    with pytest.raises(UnsupportedFormatError, match="another input or other options"):
        translate_corpus(tiny_translator, source, output, target="zh", chunk=3)
    (tmp_path / "other.jsonl").write_text("{}\n")
    with pytest.raises(UnsupportedFormatError, match="not written by an unfinished run"):
        translate_corpus(tiny_translator, source, tmp_path / "other.jsonl")
    with pytest.raises(UnsupportedFormatError, match="same kind of file"):
        translate_corpus(tiny_translator, source, tmp_path / "out.csv")


def test_csv_with_a_quoted_newline_and_resume(tiny_translator, tmp_path, monkeypatch):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text"])
        writer.writeheader()
        writer.writerow({"id": "a", "text": "天气很好。\n\n谢谢。"})
        writer.writerow({"id": "b", "text": "The weather is good."})
        writer.writerow({"id": "c", "text": "Thank you."})
    real = Translator.translate_documents
    monkeypatch.setattr(Translator, "translate_documents", _dying_after(1))
    with pytest.raises(Killed):
        translate_corpus(tiny_translator, source, output, chunk=1, id_field="id")
    monkeypatch.setattr(Translator, "translate_documents", real)
    translate_corpus(tiny_translator, source, output, chunk=1, id_field="id")
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert [(r["id"], r["translation"], r["source_language"]) for r in rows] == [
        ("a", "The weather is good.\n\nThank you.", "zh"), ("b", "天气很好。", "en"), ("c", "谢谢。", "en")]


def test_parquet(tiny_translator, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    source, output = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.Table.from_pylist([r for r in RECORDS if "text" in r]), source)
    translate_corpus(tiny_translator, source, output, chunk=2)
    rows = pq.read_table(output).to_pylist()
    assert [r.get("translation") for r in rows] == [r.get("translation") for r in EXPECTED if "text" in r]
    assert rows[2]["error"].startswith("This looks like French")


def test_folder_is_mirrored_and_resumed(tiny_translator, tmp_path):
    source, output = tmp_path / "articles", tmp_path / "translated"
    (source / "2024").mkdir(parents=True)
    (source / "a.txt").write_text("天气很好。\n\n谢谢。\n", encoding="utf-8")
    (source / "2024" / "b.md").write_text("# Thank you.\n", encoding="utf-8")
    (source / "2024" / "c.txt").write_text("Москва является столицей России.", encoding="utf-8")
    (source / "ignored.pdf").write_bytes(b"%PDF")
    report = translate_corpus(tiny_translator, source, output)
    assert (report.done, report.failed) == (2, 1)
    assert (output / "a.txt").read_text(encoding="utf-8") == "The weather is good.\n\nThank you.\n"
    assert (output / "2024" / "b.md").read_text(encoding="utf-8") == "# 谢谢。\n"
    assert "Russian" in (output / "2024" / "c.txt.error.txt").read_text(encoding="utf-8")
    assert translate_corpus(tiny_translator, source, output).skipped == 3


def test_cli_batch(tiny_translator, tmp_path, monkeypatch):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", tiny_translator.settings.model_zh_en)
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", tiny_translator.settings.model_en_zh)
    monkeypatch.setenv("BILINGUAL_BACKEND", "transformers")
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, RECORDS)
    out = io.StringIO()
    assert cli_main(["batch", str(source), str(output)], stdout=out) == 0
    assert out.getvalue().startswith(f"{output}: done 5, skipped 0, failed 2")
    assert _read_jsonl(output) == EXPECTED
    err = io.StringIO()
    assert cli_main(["batch", str(source), str(tmp_path / "x.txt")], stdout=io.StringIO(), stderr=err) == 1
    assert "same kind of file" in err.getvalue()


def test_records_too_large_fail_alone(tiny_settings, tmp_path):
    translator = Translator(replace(tiny_settings, max_input_chars=40))
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, [{"text": "天气很好。" * 20}, {"text": "谢谢。"}])
    translate_corpus(translator, source, output)
    first, second = _read_jsonl(output)
    assert first["error"].startswith("The text has 100 characters") and second["translation"] == "Thank you."


def test_memory_does_not_grow_with_the_corpus(tmp_path):
    """Records are streamed in chunks: 8x the corpus, about the same peak memory (never held whole)."""
    import tracemalloc

    from bilingual import Settings
    from bilingual.translation.backends import BackendBase

    class Echo(BackendBase):  # an instant backend that keeps nothing (the test fake records every batch)
        model_name = fingerprint = "echo"

        def count_tokens(self, texts):
            return [len(t) + 1 for t in texts]

        def translate_batch(self, texts):
            return [f"<{t}>" for t in texts]

    def peak(n: int) -> int:
        source, output = tmp_path / f"in{n}.jsonl", tmp_path / f"out{n}.jsonl"
        _jsonl(source, [{"id": i, "text": f"The weather is good number {i}. " * 2} for i in range(n)])
        translator = Translator(Settings(home=str(tmp_path), cache=False, batch_wait_ms=0), backend_factory=lambda *a: Echo())
        tracemalloc.start()
        translate_corpus(translator, source, output, target="zh", chunk=16)
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(output.read_text(encoding="utf-8").splitlines()) == n
        return result

    peak(10)  # load what loads once (the language model, OpenCC) outside the measurement
    small, large = peak(50), peak(400)
    assert large < 1.5 * small, (small, large)  # as one chunk (chunk=10**6), 8x the corpus took 7.9x


def test_without_ray_the_ray_engine_and_serve_say_how_to_install_it(tmp_path, monkeypatch, capsys):
    import importlib
    import sys

    for name in ("ray", "ray.data", "ray.serve"):
        monkeypatch.setitem(sys.modules, name, None)  # as if the extra were not installed
    (tmp_path / "in.jsonl").write_text('{"text": "Thank you."}\n', encoding="utf-8")
    assert cli_main(["batch", str(tmp_path / "in.jsonl"), str(tmp_path / "out"), "--engine", "ray"]) == 1
    assert "pip install 'bilingual[ray]'" in capsys.readouterr().err
    monkeypatch.delitem(sys.modules, "bilingual.serve", raising=False)
    from bilingual.errors import BackendNotAvailableError

    with pytest.raises(BackendNotAvailableError, match=r"pip install 'bilingual\[ray\]'"):
        importlib.import_module("bilingual.serve")


# -- hostile corpora (a fake backend: the reading and resuming logic, no model) -------------------------


def _fake_translator(tmp_path, **settings):
    from tests.fakes import fake_translator

    return fake_translator(tmp_path, **settings)


def test_a_malformed_jsonl_line_is_that_records_error(tmp_path):
    """One bad line aborted the whole job with 0 records written and pointed at 'line 1 column 28'."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"text": "Hi there."}\n{"text": "broken\n[1, 2]\n\n{"text": "Thank you."}\n', encoding="utf-8")
    report = translate_corpus(_fake_translator(tmp_path), source, output, target="zh")
    assert _read_jsonl(output) == [
        {"text": "Hi there.", "translation": "<Hi there.>", "source_language": "en"},
        {"line": 2, "error": "Line 2 is not valid JSON (Invalid control character at column 17)."},
        {"line": 3, "error": "Line 3 is not a JSON object."},
        {"text": "Thank you.", "translation": "<Thank you.>", "source_language": "en"},
    ]
    assert (report.done, report.failed) == (2, 2)


def test_a_line_past_the_character_limit_is_refused_while_it_is_read(tmp_path):
    """A 1 GB line peaked at 4.5 GB; a line is never held whole past the limit's bytes."""
    import tracemalloc

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        handle.write('{"text": "Hi there."}\n{"text": "' + "x" * 30_000_000 + '"}\n{"text": "Bye."}\n')
    tracemalloc.start()
    try:
        translate_corpus(_fake_translator(tmp_path, max_input_chars=1000), source, output, target="zh")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    first, second, third = _read_jsonl(output)
    assert second == {"line": 2, "error": "Line 2 is longer than 1,000 characters allow."}
    assert first["translation"] == "<Hi there.>" and third["translation"] == "<Bye.>"
    assert peak < 5_000_000


def test_a_long_csv_field_is_read(tmp_path):
    """A 150,000-character field crashed with a raw _csv.Error (the csv module's 131,072 limit)."""
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    long_text = "The weather is good. " * 7_200  # 151,200 characters
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([["id", "text"], ["1", long_text], ["2", "Thank you."]])
    report = translate_corpus(_fake_translator(tmp_path), source, output, target="zh")
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert (report.done, report.failed) == (2, 0) and rows[1]["translation"] == "<Thank you.>"
    assert rows[0]["translation"].count("<The weather is good.>") == 7_200
    with source.open("a", encoding="utf-8", newline="") as handle:
        handle.write('3,"' + "x" * 300_000 + '"\n')  # past the character limit: the job says where
    with pytest.raises(UnsupportedFormatError, match="Line 4 of in.csv cannot be read as CSV"):
        translate_corpus(_fake_translator(tmp_path), source, tmp_path / "out2.csv", target="zh")


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_killed_between_a_chunks_write_and_its_state_goes_on(tmp_path, monkeypatch, kind):
    """A kill after a chunk was written but before the state said so left a resume that refused to go on."""
    import bilingual.corpus as corpus

    source, output = tmp_path / f"in.{kind}", tmp_path / f"out.{kind}"
    texts = [f"Sentence number {n}." for n in range(7)]
    if kind == "jsonl":
        _jsonl(source, [{"text": t} for t in texts])
    else:
        source.write_text("text\n" + "".join(f"{t}\n" for t in texts), encoding="utf-8")
    real = corpus._write_state
    writes = {"n": 0}

    def dying_state(path, state):
        writes["n"] += 1
        if writes["n"] in (1, 2):  # the first state (before any write), then after the first chunk
            return real(path, state)
        raise Killed  # after the second chunk was written, before its state

    monkeypatch.setattr(corpus, "_write_state", dying_state)
    with pytest.raises(Killed):
        translate_corpus(_fake_translator(tmp_path), source, output, target="zh", chunk=3)
    monkeypatch.setattr(corpus, "_write_state", real)
    report = translate_corpus(_fake_translator(tmp_path), source, output, target="zh", chunk=3)
    assert report.skipped == 3 and report.done == 4
    if kind == "jsonl":
        got = [r["translation"] for r in _read_jsonl(output)]
    else:
        got = [r["translation"] for r in csv.DictReader(output.open(encoding="utf-8", newline=""))]
    assert got == [f"<{t}>" for t in texts]


def test_killed_before_the_first_chunk_goes_on(tmp_path, monkeypatch):
    import bilingual.corpus as corpus

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, [{"text": "Hi."}, {"text": "Bye."}])
    real = corpus._append

    def dying_append(path, text):
        real(path, text[: len(text) // 2])  # half a chunk reached the disk
        raise Killed

    monkeypatch.setattr(corpus, "_append", dying_append)
    with pytest.raises(Killed):
        translate_corpus(_fake_translator(tmp_path), source, output, target="zh")
    monkeypatch.setattr(corpus, "_append", real)
    translate_corpus(_fake_translator(tmp_path), source, output, target="zh")
    assert [r["translation"] for r in _read_jsonl(output)] == ["<Hi.>", "<Bye.>"]


@pytest.mark.parametrize("state", ["{not json", '{"fingerprint": "x", "done": "lots"}', "[1]", '{"done": -3}'])
def test_an_edited_state_file_is_named(tmp_path, state):
    """An edited state file failed with 'invalid setting: subsection not found'."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, [{"text": "Hi."}])
    output.write_text('{"text": "Hi."}\n')
    (tmp_path / ".out.jsonl.state.json").write_text(state)
    err = io.StringIO()
    code = cli_main(["batch", str(source), str(output), "--to", "zh"], stdout=io.StringIO(), stderr=err)
    assert code == 1
    assert err.getvalue() == ("bilingual: The job's state file .out.jsonl.state.json is damaged; remove it and the "
                              "output to start again.\n")


def test_resuming_does_not_read_the_output_whole(tmp_path, monkeypatch):
    """Resuming after a 1.34 GB output peaked at 1,314 MB: the state keeps the offset, nothing is read."""
    import tracemalloc

    import bilingual.corpus as corpus

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _jsonl(source, [{"text": f"Sentence {n}.", "payload": "y" * 40_000} for n in range(400)])
    real = corpus.translate_records
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 5:
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(corpus, "translate_records", dying)
    with pytest.raises(Killed):
        translate_corpus(_fake_translator(tmp_path), source, output, target="zh")
    monkeypatch.setattr(corpus, "translate_records", real)
    assert output.stat().st_size > 10_000_000
    read = []
    original_open = type(output).open

    def watched_open(self, *args, **kwargs):
        handle = original_open(self, *args, **kwargs)
        if self == output and "r" in (args[0] if args else kwargs.get("mode", "r")) and "+" not in str(args):
            read.append(self)
        return handle

    monkeypatch.setattr(type(output), "open", watched_open)
    tracemalloc.start()
    try:
        report = translate_corpus(_fake_translator(tmp_path), source, output, target="zh")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.skipped == 5 * 64 and read == []
    assert peak < 8_000_000  # the output (over 10 MB) was not read into memory
    assert len(_read_jsonl(output)) == 400
