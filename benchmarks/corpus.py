"""A corpus on one machine: ``bilingual batch`` with the local engine, then on Ray Data with 1 and 2 actors.

The same records in each run: ``--records`` JSONL records of ``--per-record`` consecutive
FLORES-200 English sentences (dev, then devtest) (English, translated into Chinese), translated by the random-weight
model with the Opus-MT architecture that ``benchmarks/speed.py`` builds (no download), with
the speed benchmark's decoding (cap 1.2 x source tokens + 10, repetition guard off). Ray starts
a local instance with as many CPUs as the machine has; each actor gets ``cores / actors`` CPUs.
Prints records/s and sentences/s for each run, the time Ray takes to start and to finish an
empty job (its fixed overhead), and the ratios to the local engine.

Usage::

    python benchmarks/corpus.py                          # 200 records x 10 sentences
    python benchmarks/corpus.py --records 20             # a quicker look
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # (a package named "benchmarks" may be installed)
sys.path.insert(0, str(ROOT / "src"))

from speed import DEFAULT_DATA, build_random_model, flores  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--per-record", type=int, default=10)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bilingual-bench")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import ray

    from bilingual import Settings, Translator
    from bilingual.corpus import translate_corpus
    from bilingual.corpus_ray import read_output, translate_corpus_ray

    model = build_random_model(args.workdir / "random-opus-mt-en-zh", "en", "zh", args.data)
    sentences = flores(args.data, "dev", "en") + flores(args.data, "devtest", "en")
    need = args.records * args.per_record
    if need > len(sentences):
        parser.error(f"FLORES dev and devtest have {len(sentences)} sentences; ask for fewer")
    work = Path(tempfile.mkdtemp(prefix="bilingual-corpus-bench-"))
    source = work / "corpus.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for r in range(args.records):
            text = " ".join(sentences[r * args.per_record : (r + 1) * args.per_record])
            handle.write(json.dumps({"id": r, "text": text}, ensure_ascii=False) + "\n")
    settings = Settings(model_en_zh=str(model), model_zh_en=str(model), backend="ctranslate2", offline=True,
                        home=str(args.workdir / "home"), cache=False, length_ratio=1.2, repetition_guard=False)
    cores = os.cpu_count() or 1
    print(f"{args.records} records x {args.per_record} FLORES dev+devtest sentences, en->zh, "
          "random Opus-MT-size model, "
          f"CTranslate2, {cores} CPU threads")
    Translator(settings).translate("Warm up.", "zh", source="en")  # convert the model outside the timings
    rows = []
    start = time.perf_counter()
    translate_corpus(Translator(settings), source, work / "local.jsonl")
    rows.append(("local engine", time.perf_counter() - start))
    local = [json.loads(line) for line in (work / "local.jsonl").read_text(encoding="utf-8").splitlines()]

    start = time.perf_counter()
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - start
    (work / "empty.jsonl").write_text('{"id": 0, "text": "2023"}\n', encoding="utf-8")
    start = time.perf_counter()
    translate_corpus_ray(settings, work / "empty.jsonl", work / "empty-out", workers=1, cpus_per_worker=cores)
    empty = time.perf_counter() - start
    expected = [{k: v for k, v in r.items() if v is not None} for r in local]
    unlike: dict[int, int] = {}
    for actors in (1, 2):
        start = time.perf_counter()
        translate_corpus_ray(settings, source, work / f"ray-{actors}", workers=actors, cpus_per_worker=cores / actors)
        rows.append((f"Ray, {actors} actor{'s' if actors > 1 else ''} ({cores / actors:g} CPU each)",
                     time.perf_counter() - start))
        got = read_output("jsonl", work / f"ray-{actors}")
        if len(got) != len(expected) or any({**a, "translation": ""} != {**b, "translation": ""}
                                            for a, b in zip(got, expected)):
            raise SystemExit(f"Ray with {actors} actors wrote other records than the local engine")
        unlike[actors] = sum(a != b for a, b in zip(got, expected))
    ray.shutdown()
    print(f"Ray start {started:.1f} s; a one-record job (actor start, model load, read, write) {empty:.1f} s")
    print(f"{'run':<34}{'seconds':>9}{'records/s':>11}{'sent/s':>9}{'vs local':>10}")
    for label, seconds in rows:
        print(f"{label:<34}{seconds:>9.1f}{args.records / seconds:>11.2f}{need / seconds:>9.2f}"
              f"{rows[0][1] / seconds:>9.2f}x")
    print("Ray's records: the same records, in the same order, with the same fields; translations unlike the "
          "local engine's: " + ", ".join(f"{n} with {a} actor{'s' if a > 1 else ''}" for a, n in unlike.items())
          + f" of {args.records} (random weights: a sentence's beam at the length cap depends on the lengths "
          "of the sentences it shares a model call with, and Ray cuts the records into model calls its own way; "
          "tests/test_ray.py checks equal translations with the trained tiny models)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
