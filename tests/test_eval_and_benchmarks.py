"""The evaluation command end to end on the tiny models, and smoke runs of the benchmark scripts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bilingual.cli import main as cli_main
from tests.fixtures.corpus import PAIRS

ROOT = Path(__file__).resolve().parents[1]
EVALDATA = ROOT.parent / "shared" / "evaldata"
needs_data = pytest.mark.skipif(not EVALDATA.is_dir(), reason="../shared/evaldata is not beside the repository")


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_eval_on_a_pair_of_files(tmp_path, monkeypatch, tiny_zh_en, tiny_en_zh, backend):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", str(tiny_zh_en))
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", str(tiny_en_zh))
    (tmp_path / "src.zh").write_text("\n".join(zh for zh, _ in PAIRS) + "\n", encoding="utf-8")
    (tmp_path / "ref.en").write_text("\n".join(en for _, en in PAIRS) + "\n", encoding="utf-8")
    out = io.StringIO()
    code = cli_main(
        ["eval", "--direction", "zh-en", "--src", str(tmp_path / "src.zh"), "--ref", str(tmp_path / "ref.en"),
         "--backend", backend, "--out", str(tmp_path / "result")],
        stdout=out, stderr=io.StringIO(),
    )
    assert code == 0
    scores = json.loads((tmp_path / "result" / "scores.json").read_text())
    assert scores["sentences"] == len(PAIRS)
    assert scores["bleu"] == 100.0 and scores["chrf"] == 100.0  # the tiny models reproduce their pairs exactly
    assert (tmp_path / "result" / "hypothesis.txt").read_text(encoding="utf-8").splitlines() == [e for _, e in PAIRS]
    assert "BLEU 100.0" in out.getvalue()


def test_eval_en_zh_uses_the_chinese_tokenizer(tmp_path, monkeypatch, tiny_en_zh):
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", str(tiny_en_zh))
    (tmp_path / "src.en").write_text("\n".join(en for _, en in PAIRS[:10]), encoding="utf-8")
    (tmp_path / "ref.zh").write_text("\n".join(zh for zh, _ in PAIRS[:10]), encoding="utf-8")
    assert cli_main(["eval", "--direction", "en-zh", "--src", str(tmp_path / "src.en"), "--ref",
                     str(tmp_path / "ref.zh"), "--out", str(tmp_path / "r")], stdout=io.StringIO()) == 0
    scores = json.loads((tmp_path / "r" / "scores.json").read_text())
    assert scores["bleu"] == 100.0 and "tok:zh" in scores["bleu_signature"]


def test_eval_errors_are_one_line(tmp_path):
    err = io.StringIO()
    assert cli_main(["eval", "--direction", "zh-en", "--set", "nosuchset"], stdout=io.StringIO(), stderr=err) == 1
    assert err.getvalue().startswith("bilingual: Unknown test set 'nosuchset'")
    (tmp_path / "a").write_text("一\n二\n")
    (tmp_path / "b").write_text("one\n")
    err = io.StringIO()
    assert cli_main(["eval", "--direction", "zh-en", "--src", str(tmp_path / "a"), "--ref", str(tmp_path / "b")],
                    stdout=io.StringIO(), stderr=err) == 1
    assert "has 2 lines" in err.getvalue()


@needs_data
def test_eval_on_a_named_set(tmp_path, monkeypatch, tiny_zh_en):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", str(tiny_zh_en))
    out = io.StringIO()
    assert cli_main(["eval", "--direction", "zh-en", "--set", "flores200-dev", "--data", str(EVALDATA), "--limit",
                     "5", "--out", str(tmp_path / "r")], stdout=out) == 0
    scores = json.loads((tmp_path / "r" / "scores.json").read_text())
    assert scores["sentences"] == 5 and 0 <= scores["bleu"] <= 100


def _run(args: list[str], timeout: int = 900) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@needs_data
@pytest.mark.slow
def test_segmentation_benchmark_runs():
    out = _run(["benchmarks/segmentation.py", "--split", "dev"])
    assert "FLORES dev      zh    bilingual" in out and "pysbd" in out


@needs_data
@pytest.mark.slow
def test_summarization_benchmark_runs():
    out = _run(["benchmarks/summarization.py", "--limit", "10"])
    assert "cnndm   LEAD-3" in out and "lcsts   bilingual" in out


@needs_data
@pytest.mark.slow
def test_speed_benchmark_runs(tmp_path):
    out = _run(["benchmarks/speed.py", "--small", "--direction", "zh-en", "--sentences", "4", "--workdir",
                str(tmp_path)])
    assert "bilingual ctranslate2" in out and "speed-up" in out and "again from the cache" in out


def test_engines_are_compared_side_by_side_on_the_same_sentences(tmp_path, monkeypatch, tiny_zh_en, tiny_en_zh,
                                                                  tiny_m2m100):
    from tests.fake_llm import fake_llm_server

    data = tmp_path / "data" / "flores200"
    data.mkdir(parents=True)
    (data / "flores200.devtest.zho_Hans").write_text("\n".join(zh for zh, _ in PAIRS[:4]) + "\n", encoding="utf-8")
    (data / "flores200.devtest.eng_Latn").write_text("\n".join(en for _, en in PAIRS[:4]) + "\n", encoding="utf-8")
    ntrex = tmp_path / "data" / "ntrex128"
    ntrex.mkdir()
    (ntrex / "newstest2019-src.eng.txt").write_text("\n".join(en for _, en in PAIRS[4:8]) + "\n", encoding="utf-8")
    (ntrex / "newstest2019-ref.zho_Hans.txt").write_text("\n".join(zh for zh, _ in PAIRS[4:8]) + "\n", encoding="utf-8")
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", str(tiny_zh_en))
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", str(tiny_en_zh))
    out = io.StringIO()
    with fake_llm_server() as (url, _):
        monkeypatch.setenv("BILINGUAL_LLM_URL", url)
        monkeypatch.setenv("BILINGUAL_LLM_MODEL", "fake-mt")
        assert cli_main(["eval", "--engine", "marian", "--engine", f"m2m_100={tiny_m2m100}", "--engine", "llm",
                         "--set", "flores200-devtest", "--set", "ntrex128", "--data", str(tmp_path / "data"),
                         "--out", str(tmp_path / "r")], stdout=out) == 0
    rows = json.loads((tmp_path / "r" / "comparison.json").read_text())
    # FLORES both ways, NTREX-128 en->zh only; each engine on the same 4 sentences
    assert [(r["test_set"], r["direction"], r["engine"].split("=")[0]) for r in rows] == [
        (s, d, e) for s, d in (("flores200-devtest", "zh-en"), ("flores200-devtest", "en-zh"), ("ntrex128", "en-zh"))
        for e in ("marian", "m2m_100", "llm")]
    assert all(r["sentences"] == 4 and r["comet"] is None for r in rows)
    m2m = {(r["test_set"], r["direction"]): r["bleu"] for r in rows if r["engine"].startswith("m2m_100")}
    assert m2m[("ntrex128", "en-zh")] < 100.0  # sentences it never learned: the scores are real, not echoed
    assert all(r["bleu"] == 100.0 for r in rows if r not in [x for x in rows if x["engine"].startswith("m2m_100")
                                                              and x["test_set"] == "ntrex128"])
    assert all(r["sentences_per_second"] > 0 and r["peak_rss_mb"] > 0 for r in rows)
    table = out.getvalue()
    assert table.startswith("| test set | direction | engine | sentences | BLEU | chrF | COMET | sentences/s |")
    assert "| flores200-devtest | en-zh | llm | 4 | 100.00 | 100.00 | n/a |" in table


@pytest.mark.slow
def test_engines_benchmark_runs(tiny_en_zh, tiny_m2m100):
    out = _run(["benchmarks/engines.py", "--quick", "--sentences", "8"])
    for row in ("marian / transformers", "marian / ctranslate2", "m2m_100 / transformers", "m2m_100 / ctranslate2"):
        assert row in out
    assert "LLM engine: our work (prompts, parsing, checks)" in out
