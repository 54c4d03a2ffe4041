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
    """Records are streamed: 8x the corpus, about the same peak memory (the input is never held whole)."""
    import tracemalloc

    from bilingual import Settings

    class Echo:  # an instant backend that keeps nothing (the test fake records every batch)
        model_name = fingerprint = "echo"

        def count_tokens(self, texts):
            return [len(t) + 1 for t in texts]

        def translate_batch(self, texts):
            return [f"<{t}>" for t in texts]

    def peak(n: int) -> int:
        source, output = tmp_path / f"in{n}.jsonl", tmp_path / f"out{n}.jsonl"
        _jsonl(source, [{"id": i, "text": f"The weather is good number {i}. " * 8} for i in range(n)])
        translator = Translator(Settings(home=str(tmp_path), cache=False), backend_factory=lambda *a: Echo())
        tracemalloc.start()
        translate_corpus(translator, source, output, target="zh")
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(output.read_text(encoding="utf-8").splitlines()) == n
        return result

    peak(20)  # load what loads once (the language model, OpenCC) outside the measurement
    small, large = peak(150), peak(1200)
    assert large < 1.5 * small, (small, large)  # read whole first, 8x the corpus took 2x the memory


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
