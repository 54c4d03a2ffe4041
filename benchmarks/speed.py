"""Translation speed, side by side in one run: naive transformers, our transformers backend, our CTranslate2 backend.

Without ``--model``, a randomly initialized model with exactly the Opus-MT architecture
(d_model 512, 6+6 layers, 8 heads, feed-forward 2048, vocabulary 65,001, shared
embeddings, swish, static sinusoidal positions) is built, with SentencePiece
vocabularies trained on the FLORES-200 dev text in ``../shared/evaldata``, so speed is
measured with no download. Random weights never emit ``</s>``: every hypothesis runs to
the length cap, so all contenders use the same cap rule,
``length_ratio * source tokens + 10`` per batch (``--length-ratio``).

Contenders, each in its own process (so peak memory is its own), on the first
``--sentences`` FLORES devtest sentences:

1. baseline: plain ``MarianMTModel.generate`` in file order, batch 32, same beam size and cap;
2. bilingual's transformers backend, with its defaults (length-sorted batches of 16 under a token budget);
3. bilingual's CTranslate2 backend, with its defaults (the same batches, int8 on CPU).

Also: end-to-end time for a ~600-word English and a ~1,500-character Chinese article
(built from FLORES devtest), and a second run of the same article through the cache.

Usage::

    python benchmarks/speed.py                         # both directions, 500 sentences, beam 4
    python benchmarks/speed.py --direction zh-en --sentences 100
    python benchmarks/speed.py --model Helsinki-NLP/opus-mt-zh-en --direction zh-en   # real weights
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"
CODES = {"zh": "zho_Hans", "en": "eng_Latn"}


def flores(data: Path, split: str, lang: str) -> list[str]:
    return (data / "flores200" / f"flores200.{split}.{CODES[lang]}").read_text(encoding="utf-8").splitlines()


def build_random_model(out: Path, source: str, target: str, data: Path, *, d_model: int = 512, layers: int = 6,
                       heads: int = 8, ffn: int = 2048, vocab_size: int = 65001) -> Path:
    """A randomly initialized Marian model with the Opus-MT architecture and file layout."""
    import io

    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    if (out / "model.safetensors").is_file():
        return out
    out.mkdir(parents=True, exist_ok=True)
    pieces: list[str] = []
    for name, lang in (("source.spm", source), ("target.spm", target)):
        buffer = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(flores(data, "dev", lang)), model_writer=buffer, vocab_size=8000,
            model_type="unigram", character_coverage=0.9995, hard_vocab_limit=False, minloglevel=2,
        )
        (out / name).write_bytes(buffer.getvalue())
        sp = spm.SentencePieceProcessor(model_file=str(out / name))
        pieces += [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = {"</s>": 0, "<unk>": 1}
    if target == "zh":
        vocab[">>cmn_Hans<<"] = 2
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    filler = 0
    while len(vocab) < vocab_size - 1:  # Opus-MT's joint vocabulary size
        vocab.setdefault(f"▁unused{filler}", len(vocab))
        filler += 1
    vocab["<pad>"] = vocab_size - 1
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps({"source_lang": source, "target_lang": target,
                                                           "tokenizer_class": "MarianTokenizer", "model_max_length": 512}))
    (out / "special_tokens_map.json").write_text(json.dumps({"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}))
    pad = vocab_size - 1
    config = MarianConfig(
        vocab_size=vocab_size, decoder_vocab_size=vocab_size, d_model=d_model, encoder_layers=layers,
        decoder_layers=layers, encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn, max_position_embeddings=512, activation_function="swish", static_position_embeddings=True,
        scale_embedding=True, share_encoder_decoder_embeddings=True, pad_token_id=pad, decoder_start_token_id=pad,
        eos_token_id=0, forced_eos_token_id=0, bos_token_id=0,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config)
    with torch.no_grad():
        model.model.shared.weight[pad].zero_()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]], bos_token_id=0, decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0,
        max_length=512, num_beams=4, pad_token_id=pad, renormalize_logits=True,
    )
    model.save_pretrained(out, safe_serialization=True)
    return out


# -- workers: each runs in its own process -------------------------------------------------------


def _target_tokens(model_dir: Path, outputs: list[str]) -> int:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
    return sum(len(sp.encode(o)) + 1 for o in outputs)


def worker_baseline(model_dir: Path, sentences: list[str], beam: int, ratio: float, target: str) -> tuple[list[str], float]:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    from bilingual.translation.backends.transformers_backend import pick_target_token
    from bilingual.translation.guards import max_new_tokens

    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    token = pick_target_token(tokenizer.get_vocab(), target)
    outputs: list[str] = []
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(sentences), 32):
            batch = [f"{token} {s}" if token else s for s in sentences[i : i + 32]]
            enc = tokenizer(batch, return_tensors="pt", padding=True)
            cap = max(max_new_tokens(int(n), ratio) for n in enc["attention_mask"].sum(dim=1))
            out = model.generate(**enc, num_beams=beam, max_new_tokens=cap, max_length=None)
            outputs += tokenizer.batch_decode(out, skip_special_tokens=True)
    return outputs, time.perf_counter() - start


def worker_bilingual(backend: str, model_dir: Path, sentences: list[str], beam: int, ratio: float, source: str,
                     target: str, home: Path, guard: bool) -> tuple[list[str], float]:
    from bilingual import Settings, Translator

    settings = Settings(model_zh_en=str(model_dir), model_en_zh=str(model_dir), backend=backend, beam_size=beam,
                        length_ratio=ratio, offline=True, home=str(home), cache=False,
                        repetition_guard=guard)
    translator = Translator(settings)
    translator.backend(source, target)  # load (and for CTranslate2, convert) before the clock starts
    start = time.perf_counter()
    outputs = translator.translate(sentences, target, source=source)
    return outputs, time.perf_counter() - start


def worker_article(backend: str, model_dir: Path, article: str, beam: int, ratio: float, source: str, target: str,
                   home: Path, guard: bool) -> dict:
    from bilingual import Settings, Translator

    settings = Settings(model_zh_en=str(model_dir), model_en_zh=str(model_dir), backend=backend, beam_size=beam,
                        length_ratio=ratio, offline=True, home=str(home), cache=True,
                        repetition_guard=guard)
    translator = Translator(settings)
    translator.backend(source, target)  # load first: the article time is translation only
    start = time.perf_counter()
    translator.translate(article, target, source=source)
    first = time.perf_counter() - start
    start = time.perf_counter()
    translator.translate(article, target, source=source)
    return {"seconds": first, "cached_seconds": time.perf_counter() - start}


def run_worker(args: argparse.Namespace) -> None:
    print("RESULT " + json.dumps(work(json.loads(args.worker)), ensure_ascii=False))


def work(job: dict) -> dict:
    """One contender's run (see ``_spawn``): its seconds, output tokens and peak memory."""
    model_dir, home = Path(job["model"]), Path(job["home"])
    if job["kind"] == "article":
        result = worker_article(job["backend"], model_dir, job["text"], job["beam"], job["ratio"], job["source"],
                                job["target"], home, job["guard"])
    else:
        sentences = job["sentences"]
        if job["kind"] == "baseline":
            outputs, seconds = worker_baseline(model_dir, sentences, job["beam"], job["ratio"], job["target"])
        else:
            outputs, seconds = worker_bilingual(job["kind"], model_dir, sentences, job["beam"], job["ratio"],
                                                job["source"], job["target"], home, job["guard"])
        result = {"seconds": seconds, "tokens": _target_tokens(model_dir, outputs)}
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def shape(model_dir: Path, sentences: list[str], source: str, target: str, ratio: float) -> str:
    """What the direction asks of the decoder: source tokens, output length at the cap, output vocabulary."""
    from bilingual.translation.backends.ctranslate2_backend import target_vocabulary
    from bilingual.translation.backends.marian_text import MarianText
    from bilingual.translation.backends.transformers_backend import pick_target_token
    from bilingual.translation.guards import max_new_tokens

    text = MarianText(model_dir)
    tokens = [len(t) for t in text.encode(sentences, pick_target_token(text.vocab, target))]
    steps = [max_new_tokens(n, ratio) for n in tokens]
    return (f"source tokens/sentence {sum(tokens) / len(tokens):.1f} (target-language token "
            f"{'yes' if target == 'zh' else 'no'}), output tokens/sentence at the cap {sum(steps) / len(steps):.1f}, "
            f"output vocabulary {len(text.vocab):,} (target pieces {len(target_vocabulary(model_dir)):,})")


SMOKE = False  # --small: every contender in this process (a smoke test of the script, not a measurement)


def _spawn(job: dict) -> dict:
    """Run one contender in its own process, so its peak memory is its own (``--small``: in this one)."""
    if SMOKE:
        return work(job)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error")
    proc = subprocess.run([sys.executable, __file__, "--worker", json.dumps(job, ensure_ascii=False)],
                          capture_output=True, text=True, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"worker failed:\n{proc.stderr[-3000:]}")


def _article(sentences: list[str], lang: str, size: int) -> str:
    out, length = [], 0
    for s in sentences:
        out.append(s)
        length += len(s.split()) if lang == "en" else len(s)
        if length >= size:
            break
    joined = " " if lang == "en" else ""
    half = len(out) // 2
    return joined.join(out[:half]) + "\n\n" + joined.join(out[half:])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--direction", choices=["zh-en", "en-zh", "both"], default="both")
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--beam-size", type=int, default=4)
    parser.add_argument("--length-ratio", type=float, default=1.2, help="cap: ratio * source tokens + 10, for all")
    parser.add_argument("--model", help="a real model (Hub id or directory) instead of the random one")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bilingual-bench")
    parser.add_argument("--small", action="store_true",
                        help="a tiny architecture and vocabulary, every contender in this process: to smoke-test "
                             "this script (not a measurement)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)
    global SMOKE
    SMOKE = args.small
    directions = ["zh-en", "en-zh"] if args.direction == "both" else [args.direction]
    arch = {"d_model": 64, "layers": 1, "heads": 2, "ffn": 128, "vocab_size": 12000} if args.small else {}
    print(f"beam {args.beam_size}, cap {args.length_ratio} x source tokens + 10, {os.cpu_count()} CPU threads, "
          f"{args.sentences} FLORES devtest sentences per direction, repetition guard "
          f"{'on' if args.model else 'off (random weights)'}")
    for direction in directions:
        source, target = direction.split("-")
        if args.model:
            from bilingual.models import ModelRef, resolve

            model_dir = resolve(ModelRef(args.model), offline=False)
        else:
            name = f"random-opus-mt-{direction}" + ("-small" if args.small else "")
            model_dir = build_random_model(args.workdir / name, source, target, args.data, **arch)
        home = args.workdir / "home"  # converted CTranslate2 models are kept here between runs
        sentences = flores(args.data, "devtest", source)[: args.sentences]
        # Random weights loop almost always, which the repetition guard would re-decode: off for them,
        # on (as in production) for a real model.
        guard = bool(args.model)
        base = {"model": str(model_dir), "home": str(home), "beam": args.beam_size, "ratio": args.length_ratio,
                "source": source, "target": target, "guard": guard}
        _spawn({**base, "kind": "ctranslate2", "sentences": sentences[:1]})  # convert once, outside the timing
        rows = []
        for label, kind in (("baseline generate", "baseline"), ("bilingual transformers", "transformers"),
                            ("bilingual ctranslate2", "ctranslate2")):
            result = _spawn({**base, "kind": kind, "sentences": sentences})
            seconds = result["seconds"]
            rows.append((label, len(sentences) / seconds, result["tokens"] / seconds, result["peak_rss_mb"], seconds))
        print(f"\n{direction}  {shape(model_dir, sentences, source, target, args.length_ratio)}")
        print(f"{'':<7}{'contender':<24}{'sent/s':>9}{'tok/s':>9}{'peak MB':>9}{'speed-up':>10}")
        for label, sps, tps, mb, _ in rows:
            print(f"{'':<7}{label:<24}{sps:>9.2f}{tps:>9.1f}{mb:>9.0f}{sps / rows[0][1]:>9.2f}x")
        memory = rows[2][3] / rows[0][3]
        print(f"{'':<7}CTranslate2 peak memory / baseline: {memory:.2f}")
        pool = flores(args.data, "devtest", source)
        text = _article(pool, source, 600 if source == "en" else 1500)
        size = f"{len(text.split())} words" if source == "en" else f"{len(text)} characters"
        for label, kind in (("bilingual transformers", "transformers"), ("bilingual ctranslate2", "ctranslate2")):
            fresh = tempfile.mkdtemp(prefix="bilingual-bench-cache-")  # an empty translation cache
            r = _spawn({**base, "kind": "article", "backend": kind, "text": text, "home": fresh})
            print(f"{'':<7}article ({size}) {label}: {r['seconds']:.2f} s; again from the cache: "
                  f"{r['cached_seconds'] * 1000:.1f} ms ({r['seconds'] / max(r['cached_seconds'], 1e-9):.0f}x)")


if __name__ == "__main__":
    main()
