"""End to end through the real loading code, on tiny trained Marian checkpoints (no mocks)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import bilingual
from bilingual import ModelNotAvailableError, Settings, Translator
from bilingual.cli import main as cli_main
from tests.fixtures.articles import EN_ARTICLE, EN_OF_ZH_ARTICLE, ZH, ZH_ARTICLE, ZH_OF_EN_ARTICLE
from tests.fixtures.corpus import PAIRS


def test_zh_to_en_article(tiny_translator):
    assert tiny_translator.translate(ZH_ARTICLE) == EN_OF_ZH_ARTICLE


def test_en_to_zh_article_uses_the_target_language_token(tiny_translator):
    assert tiny_translator.translate(EN_ARTICLE) == ZH_OF_EN_ARTICLE
    backend = tiny_translator.backend("en", "zh")
    assert backend.codes.source_prefix == ">>cmn_Hans<<"
    ids = backend.tokenizer(backend._prefixed(["Thank you."]))["input_ids"][0]
    assert ids[0] == backend.tokenizer.get_vocab()[">>cmn_Hans<<"]
    assert tiny_translator.backend("zh", "en").codes.source_prefix is None


def test_every_trained_sentence_in_one_batched_call(tiny_translator):
    sources = [zh for zh, _ in PAIRS]
    assert tiny_translator.translate(sources, "en") == [ZH[s] for s in sources]
    assert tiny_translator.translate(list(ZH.values()), "zh") == sources


def test_aligned_document(tiny_translator):
    doc = tiny_translator.translate_document(ZH_ARTICLE)
    assert (doc.source_language, doc.target_language) == ("zh", "en")
    assert doc.model.endswith("tiny-zh-en")
    assert [[(s.source, s.target) for s in p] for p in doc.paragraphs] == [
        [("两江新区签署了合作协议。", ZH["两江新区签署了合作协议。"]), ("代表团访问了重庆。", ZH["代表团访问了重庆。"])],
        [(s, ZH[s]) for s in ["会议在周一举行。", "出口增长了百分之五。", "新工厂明年开工。"]],
        [("2023", "2023")],
        [("谢谢。", "Thank you.")],
    ]
    assert str(doc) == EN_OF_ZH_ARTICLE


def test_long_article_is_not_truncated(tiny_translator):
    sentences = [zh for zh, _ in PAIRS[:10]]
    article = "\n\n".join("".join(sentences) for _ in range(12))
    expected = "\n\n".join(" ".join(ZH[s] for s in sentences) for _ in range(12))
    assert tiny_translator.translate(article) == expected


def test_concurrent_requests_share_one_model_and_stay_correct(tiny_translator):
    results: dict[int, str] = {}

    def work(i: int) -> None:
        text = ZH_ARTICLE if i % 2 else EN_ARTICLE
        results[i] = tiny_translator.translate(text)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == {i: EN_OF_ZH_ARTICLE if i % 2 else ZH_OF_EN_ARTICLE for i in range(6)}


def test_missing_model_fails_fast_with_the_fix(tmp_path):
    t = Translator(Settings(model_zh_en="nobody/no-such-model", model_en_zh="nobody/other", offline=True))
    start = time.monotonic()
    with pytest.raises(ModelNotAvailableError, match=r"nobody/no-such-model.*bilingual models download.*BILINGUAL_MODEL_ZH_EN"):
        t.translate("天气很好。")
    with pytest.raises(ModelNotAvailableError, match=r"nobody/other.*BILINGUAL_MODEL_EN_ZH"):
        t.translate("The weather is good.")
    assert time.monotonic() - start < 10


def test_incomplete_model_directory(tmp_path, tiny_zh_en):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_zh_en, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(ModelNotAvailableError, match="model.safetensors"):
        Translator(Settings(model_zh_en=str(broken), offline=True)).translate("天气很好。")


def _hf_cache(root: Path, repo_id: str, model_dir: Path, *, pickle_only: bool = False) -> None:
    repo = root / ("models--" + repo_id.replace("/", "--"))
    commit = "0" * 40
    snapshot = repo / "snapshots" / commit
    shutil.copytree(model_dir, snapshot)
    if pickle_only:  # as the Hub's main branch of Helsinki-NLP/opus-mt-en-zh: pytorch_model.bin only
        import torch
        from safetensors.torch import load_file

        torch.save(load_file(snapshot / "model.safetensors"), snapshot / "pytorch_model.bin")
        (snapshot / "model.safetensors").unlink()
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)


@pytest.mark.slow
@pytest.mark.parametrize("pickle_only", [False, True], ids=["safetensors", "pytorch_model.bin"])
def test_default_translate_works_offline_from_the_hugging_face_cache(tmp_path, tiny_zh_en, tiny_en_zh, pickle_only):
    cache = tmp_path / "hub"
    _hf_cache(cache, "Helsinki-NLP/opus-mt-zh-en", tiny_zh_en, pickle_only=pickle_only)
    _hf_cache(cache, "Helsinki-NLP/opus-mt-en-zh", tiny_en_zh, pickle_only=pickle_only)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILINGUAL_")}
    env.update(HF_HUB_CACHE=str(cache), HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8", XDG_CACHE_HOME=str(tmp_path))
    # a new process (nothing loaded yet), both directions from the cache: the default model for each
    code = ("import bilingual, json, sys; zh, en = json.load(sys.stdin); "
            "sys.stdout.write(json.dumps([bilingual.translate(zh), bilingual.translate(en, target='zh')]))")
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps([ZH_ARTICLE, EN_ARTICLE]), env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [EN_OF_ZH_ARTICLE, ZH_OF_EN_ARTICLE]
    if pickle_only:
        return  # the listing reads the cache's layout, not the weights: once is enough
    out = subprocess.run(
        [sys.executable, "-m", "bilingual", "models", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["translate", "zh->en", "Helsinki-NLP/opus-mt-zh-en", "present"]
    assert lines[2].split()[:4] == ["summarize", "en", "sshleifer/distilbart-cnn-12-6", "missing"]


def test_default_instance_is_shared(monkeypatch, tiny_zh_en):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", str(tiny_zh_en))
    bilingual.reset_defaults()
    try:
        seen = []
        threads = [threading.Thread(target=lambda: seen.append(bilingual.default_translator())) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert len({id(t) for t in seen}) == 1
        assert bilingual.translate("天气很好。") == "The weather is good."
        assert bilingual.translate("") == ""
    finally:
        bilingual.reset_defaults()


def test_cli_translate(monkeypatch, tiny_zh_en, tiny_en_zh):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", str(tiny_zh_en))
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", str(tiny_en_zh))
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["translate"], stdin=io.StringIO(ZH_ARTICLE), stdout=out, stderr=err) == 0
    assert out.getvalue() == EN_OF_ZH_ARTICLE + "\n"
    out = io.StringIO()
    assert cli_main(["translate", "--to", "zh"], stdin=io.StringIO(EN_ARTICLE), stdout=out, stderr=err) == 0
    assert out.getvalue() == ZH_OF_EN_ARTICLE + "\n"


def test_cli_errors_are_one_line(monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["translate"], stdin=io.StringIO("서울은 한국의 수도입니다"), stdout=out, stderr=err)
    assert code == 1
    assert err.getvalue().startswith("bilingual: This looks like Korean")
    assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()


@pytest.mark.slow
def test_alternatives_come_from_the_beam(tiny_translator):
    backend = tiny_translator.backend("en", "zh")
    (hyps,) = backend.hypotheses(["The weather is good."], 3)
    assert hyps[0] == "天气很好。" and len(hyps) == 3
    expected = [h for h in dict.fromkeys(hyps[1:]) if h != "天气很好。"]
    assert tiny_translator.alternatives("The weather is good.", 2, "zh") == expected[:2]
    # an article's k-th alternative joins each sentence's (k+1)-th hypothesis
    (second,) = backend.hypotheses(["Thank you."], 2)
    joined = hyps[1] + second[1]
    assert tiny_translator.alternatives("The weather is good. Thank you.", 1, "zh") == (
        [joined] if joined != "天气很好。谢谢。" else []
    )
    assert tiny_translator.alternatives("2023", 2, "zh") == []  # nothing for the model to do


def test_cli_flags_the_sentences_to_check(tiny_translator, monkeypatch):
    monkeypatch.setenv("BILINGUAL_MODEL_ZH_EN", tiny_translator.settings.model_zh_en)
    monkeypatch.setenv("BILINGUAL_MODEL_EN_ZH", tiny_translator.settings.model_en_zh)
    monkeypatch.setenv("BILINGUAL_BACKEND", "transformers")
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["translate", "--flags"], stdin=io.StringIO("天气很好。\n\nWTPF签署了12万份协议。"), stdout=out,
                    stderr=err) == 0
    assert out.getvalue().startswith("The weather is good.\n\n")
    report = err.getvalue()
    assert "check paragraph 2" in report and "WTPF签署了12万份协议。" in report
    assert "[numbers] Not found in the translation: 12万." in report and "[names]" in report
    assert report.endswith("bilingual: 1 sentence to check\n")


def test_segments_carry_confidence_and_flags(tiny_translator):
    doc = tiny_translator.translate_document("天气很好。WTPF签署了12万份协议。\n\n2023")
    good, bad = doc.paragraphs[0]
    assert good.flags == () and 0.9 < good.confidence <= 1.0
    assert {"numbers", "names"} <= {f.code for f in bad.flags} and bad.confidence < 0.3
    assert doc.paragraphs[1][0].confidence is None  # a number: passed through, nothing to judge
    assert [seg.source for _, seg in doc.flagged] == ["WTPF签署了12万份协议。"]
