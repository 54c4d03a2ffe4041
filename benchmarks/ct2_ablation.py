"""Where CTranslate2's speed comes from, per direction: the same batches with and without each change.

On the random-weight model with the Opus-MT architecture (``benchmarks/speed.py`` builds it),
the first ``--sentences`` FLORES devtest sentences, sorted by length into the translator's
batches (16 sentences, 4,096 tokens), beam 4, cap 1.2 x source tokens + 10:

* before: one call at a time over all cores (``inter_threads=1``), the full output vocabulary;
* + target vocabulary: the output layer restricted to the target's SentencePiece pieces (``use_vmap``);
* + side by side: one call per core at once (``inter_threads=cores``, ``intra_threads=1``);
* both (what the translator now does on the CPU).

It prints sentences/s and the output length in model tokens per sentence, which must be the
same in every row (random weights never end a sentence early: every hypothesis runs to its cap),
so no row is faster by writing less.

Usage::

    python benchmarks/ct2_ablation.py --sentences 96
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))

from speed import DEFAULT_DATA, build_random_model, flores  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=96)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bilingual-bench")
    args = parser.parse_args(argv)
    import ctranslate2

    from bilingual.translation.backends.ctranslate2_backend import converted_model
    from bilingual.translation.backends.marian_text import MarianText
    from bilingual.translation.backends.transformers_backend import pick_target_token
    from bilingual.translation.guards import max_new_tokens
    from bilingual.translation.pipeline import make_batches

    cores = os.cpu_count() or 1
    print(f"{args.sentences} FLORES devtest sentences per direction, beam 4, cap 1.2 x source tokens + 10, "
          f"{cores} CPU threads, int8")
    for source, target in (("zh", "en"), ("en", "zh")):
        model_dir = build_random_model(args.workdir / f"random-opus-mt-{source}-{target}", source, target, args.data)
        path = converted_model(model_dir, f"random-opus-mt-{source}-{target}", "int8", args.workdir / "home")
        text = MarianText(model_dir)
        tokens = text.encode(flores(args.data, "devtest", source)[: args.sentences],
                             pick_target_token(text.vocab, target))
        batches = make_batches([len(t) for t in tokens], max_size=16, max_tokens=4096)
        rows = []
        for label, inter, vmap in (("before", 1, False), ("+ target vocabulary", 1, True),
                                   ("+ side by side", cores, False), ("both (now)", cores, True)):
            model = ctranslate2.Translator(str(path), compute_type="int8", inter_threads=inter,
                                           intra_threads=max(1, cores // inter))
            start = time.perf_counter()
            pending = [model.translate_batch([tokens[i] for i in b], beam_size=4, use_vmap=vmap,
                                             max_decoding_length=max(max_new_tokens(len(tokens[i]), 1.2) for i in b),
                                             asynchronous=True) for b in batches]
            outputs = [r.result() for group in pending for r in group]
            seconds = time.perf_counter() - start
            produced = sum(len(o.hypotheses[0]) for o in outputs) / len(outputs)
            rows.append((label, len(tokens) / seconds, produced))
            del model
        print(f"\n{source}-{target}  {'':<22}{'sent/s':>9}{'out tokens':>12}{'vs before':>11}")
        for label, rate, produced in rows:
            print(f"{'':<7}{label:<22}{rate:>9.2f}{produced:>12.1f}{rate / rows[0][1]:>10.2f}x")


if __name__ == "__main__":
    main()
