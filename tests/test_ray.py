"""bilingual batch --engine ray: the same records as the local engine, on a local Ray instance (the tiny models)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest

from bilingual import Translator
from bilingual.cli import main as cli_main
from bilingual.corpus import translate_corpus
from bilingual.corpus_ray import read_output, translate_corpus_ray

from .test_corpus import EXPECTED, RECORDS


@pytest.fixture(scope="module")
def local_ray():
    """Ray, imported here and not at collection (every test here needs a model, so none is in the fast lane)."""
    ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'bilingual[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _without_nulls(rows):
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_jsonl_on_ray_with_two_actors_equals_the_local_engine(local_ray, tiny_settings, tmp_path):
    source = tmp_path / "in.jsonl"
    records = [dict(r, id=r["id"] + 100 * k) for k in range(3) for r in RECORDS]  # 21 records, 2 actors busy
    _jsonl(source, records)
    settings = replace(tiny_settings, backend="ctranslate2")
    translate_corpus(Translator(settings), source, tmp_path / "local.jsonl", chunk=4)
    local = [json.loads(line) for line in (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()]
    report = translate_corpus_ray(settings, source, tmp_path / "ray-out", workers=2, chunk=4)
    assert read_output("jsonl", tmp_path / "ray-out") == _without_nulls(local)
    assert _without_nulls(local)[:7] == _without_nulls(EXPECTED)  # and both are right
    assert (report.done, report.failed) == (15, 6)


def test_csv_keeps_text_columns_and_quoted_newlines_on_ray(local_ray, tiny_settings, tmp_path):
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text"])
        writer.writeheader()
        writer.writerow({"id": "007", "text": "天气很好。\n\n谢谢。"})
        writer.writerow({"id": "008", "text": "The weather is good."})
    translate_corpus(Translator(tiny_settings), source, tmp_path / "local.csv", id_field="id")
    with (tmp_path / "local.csv").open(encoding="utf-8", newline="") as handle:
        local = list(csv.DictReader(handle))
    translate_corpus_ray(tiny_settings, source, tmp_path / "ray-out", id_field="id")
    assert read_output("csv", tmp_path / "ray-out") == local
    assert [(r["id"], r["translation"]) for r in local] == [("007", "The weather is good.\n\nThank you."),
                                                            ("008", "天气很好。")]


def test_parquet_and_the_cli_on_ray(local_ray, tiny_settings, tmp_path, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": 1, "body": "出口增长了百分之五。"}, {"id": 2, "body": "Thank you."}]),
                   source)
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", tiny_settings.model_zh_en)
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", tiny_settings.model_en_zh)
    assert cli_main(["batch", str(source), str(tmp_path / "out"), "--engine", "ray", "--field", "body",
                     "--workers", "1"]) == 0
    rows = read_output("parquet", tmp_path / "out")
    assert [(r["id"], r["translation"], r["source_language"]) for r in rows] == [
        (1, "Exports grew by five percent.", "zh"), (2, "谢谢。", "en")]


def test_ray_engine_refuses_what_it_cannot_do(local_ray, tiny_settings, tmp_path, capsys):
    (tmp_path / "in.jsonl").write_text('{"text": "Thank you."}\n')
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    for output, message in ((tmp_path / "out.jsonl", "folder of part files"), (tmp_path / "full", "not empty")):
        assert cli_main(["batch", str(tmp_path / "in.jsonl"), str(output), "--engine", "ray"]) != 0
        assert message in capsys.readouterr().err
    (tmp_path / "docs").mkdir()
    assert cli_main(["batch", str(tmp_path / "docs"), str(tmp_path / "docs-out"), "--engine", "ray"]) != 0
    assert "local engine" in capsys.readouterr().err
    assert cli_main(["batch", str(tmp_path / "in.jsonl"), str(tmp_path / "o.jsonl"), "--workers", "2"]) != 0
    assert "--engine ray" in capsys.readouterr().err
