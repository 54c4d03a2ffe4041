"""Each engine's speed on this machine, and the LLM path's own overhead, side by side in one run.

No pretrained weights can be fetched here, so the models have **random weights at their real
layer sizes** (Opus-MT; M2M100-418M; a Qwen2.5-0.5B-shaped causal model): the speed of a model
depends on its shape, not on its weights. The vocabularies are the tiny test models' (a few
hundred pieces; random weights would write ids their tokenizers cannot decode), so the real
output layers (65k, 128k and 152k rows) add their cost on top of these figures. Random weights do not stop where a trained
model would, so every output is decoded to a fixed length (``--tokens`` new tokens a sentence,
about a FLORES sentence's translation) for every engine alike.

Measured:

* seq2seq engines (Marian = Opus-MT, M2M100-418M), through transformers and int8 CTranslate2:
  sentences per second on FLORES-200 dev sentences (``../shared/evaldata``), batches of 16;
* the LLM engine: its own work per sentence (building the numbered-line prompt, parsing the
  reply, the checks) timed with an instant chat model, against the time of the in-process
  Qwen2.5-0.5B-shaped model for the same requests; the share must stay under 5 %.

Usage::

    python benchmarks/engines.py                 # real sizes (a few minutes on 2 cores)
    python benchmarks/engines.py --quick         # small shapes: checks that it runs
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

SHAPES = {
    # name: (config class, real-size arguments, --quick arguments)
    "marian": ("MarianConfig", dict(d_model=512, encoder_layers=6, decoder_layers=6,
                                    encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048,
                                    decoder_ffn_dim=2048), dict(d_model=128, encoder_layers=2,
                                                                decoder_layers=2, encoder_ffn_dim=256,
                                                                decoder_ffn_dim=256)),
    "m2m_100": ("M2M100Config", dict(d_model=1024, encoder_layers=12, decoder_layers=12,
                                     encoder_attention_heads=16, decoder_attention_heads=16, encoder_ffn_dim=4096,
                                     decoder_ffn_dim=4096), dict(d_model=128, encoder_layers=2,
                                                                 decoder_layers=2, encoder_ffn_dim=256,
                                                                 decoder_ffn_dim=256)),
}
QWEN = (dict(vocab_size=4000, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
             num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True),
        dict(vocab_size=4000, hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, tie_word_embeddings=True))


def sentences(count: int) -> list[str]:
    path = ROOT.parent / "shared" / "evaldata" / "flores200" / "flores200.dev.eng_Latn"
    try:
        return path.read_text(encoding="utf-8").splitlines()[:count]
    except OSError:
        return [f"The delegation visited the city on day {i} and signed a trade agreement." for i in range(count)]


def seq2seq_model(engine: str, folder: Path, quick: bool) -> Path:
    """A random-weight model of ``engine``'s shape, with the tiny test models' tokenizer files."""
    import shutil

    import transformers

    from tests.fixtures.tiny_engines import cached_engine_model
    from tests.fixtures.tiny_models import cached_model

    name, real, small = SHAPES[engine]
    tiny = cached_model("en", "zh") if engine == "marian" else cached_engine_model("m2m100")
    config = json.loads((tiny / "config.json").read_text())
    config.update(small if quick else real)
    if engine == "marian":
        config["decoder_vocab_size"] = config["vocab_size"]
    shape = getattr(transformers, name)(**{k: v for k, v in config.items() if k not in ("architectures",)})
    model_class = transformers.MarianMTModel if engine == "marian" else transformers.M2M100ForConditionalGeneration
    model = model_class(shape)
    for file in tiny.iterdir():
        if file.name not in ("model.safetensors", "config.json", "verified.json"):
            shutil.copyfile(file, folder / file.name)
    model.generation_config = transformers.GenerationConfig(
        decoder_start_token_id=shape.decoder_start_token_id, eos_token_id=shape.eos_token_id,
        pad_token_id=shape.pad_token_id)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def seq2seq_speed(engine: str, texts: list[str], quick: bool) -> list[tuple[str, float]]:
    from bilingual.translation.backends.ctranslate2_backend import CTranslate2Backend
    from bilingual.translation.backends.transformers_backend import TransformersBackend

    rows = []
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "model").mkdir()
        folder = seq2seq_model(engine, Path(work) / "model", quick)
        for runtime in ("transformers", "ctranslate2"):
            common = dict(model_name=f"random-{engine}", source="en", target="zh", repetition_guard=False)
            if runtime == "transformers":
                backend = TransformersBackend(folder, **common)
            else:
                backend = CTranslate2Backend(folder, home=Path(work), **common)
            backend.length_ratio = 1.0  # the same cap for every engine: the shapes are compared, not the weights
            backend.translate_batch(texts[:2])  # warm up (CTranslate2 conversion, first allocations)
            started = time.perf_counter()
            for i in range(0, len(texts), 16):
                backend.translate_batch(texts[i:i + 16])
            rows.append((f"{engine} / {runtime}", len(texts) / (time.perf_counter() - started)))
    return rows


class InstantChat:
    """Answers every request at once with a well-formed reply: only our own work is timed."""

    name = "instant"
    fingerprint = "instant"
    license = None

    def complete(self, messages, max_tokens):
        from bilingual.translation.backends.llm import Reply

        lines = messages[-1]["content"].split("\n")[1:-1]
        return Reply("\n".join(f"{i}. 代表团访问了这个城市并签署了贸易协定。" for i in range(1, len(lines) + 1)))


def llm_overhead(texts: list[str], tokens: int, quick: bool) -> dict[str, float]:
    import torch
    import transformers

    from bilingual.translation.backends.llm import LLMBackend, LocalChat, build_messages

    ours = LLMBackend(InstantChat(), source="en", target="zh")
    ours.translate_context(texts[:2], (), {})  # warm up: the checks' word lists load once per process
    started = time.perf_counter()
    for i in range(0, len(texts), 12):
        ours.translate_context(texts[i:i + 12], texts[max(0, i - 3):i], {})
    overhead = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        config = transformers.Qwen2Config(**(QWEN[1] if quick else QWEN[0]))
        torch.manual_seed(0)
        transformers.Qwen2ForCausalLM(config).save_pretrained(folder, safe_serialization=True)
        from tokenizers import Tokenizer, models, pre_tokenizers

        raw = Tokenizer(models.WordLevel({"<unk>": 0, "<|im_end|>": 1, **{chr(c): c for c in range(32, 4000)}},
                                         unk_token="<unk>"))
        raw.pre_tokenizer = pre_tokenizers.Split("", "isolated")
        fast = transformers.PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="<unk>", eos_token="<|im_end|>")
        fast.chat_template = ("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                              "<|im_start|>assistant\n")
        fast.save_pretrained(folder)
        chat = LocalChat(folder, "random-qwen2.5-0.5b-shape")
        window = texts[:12]
        started = time.perf_counter()  # one window's request, scaled to all the sentences
        chat.complete(build_messages(window, "en", "zh"), tokens * len(window))
        server = (time.perf_counter() - started) * len(texts) / len(window)
    return {"ours_s": overhead, "model_s": server, "share": overhead / (overhead + server)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=48)
    parser.add_argument("--chars", type=int, default=60, help="sentences are cut to this many characters")
    parser.add_argument("--tokens", type=int, default=30, help="new tokens a sentence the LLM may write")
    parser.add_argument("--quick", action="store_true", help="small shapes: checks that the script runs")
    args = parser.parse_args()
    texts = [t[: args.chars] for t in sentences(args.sentences)]
    print(f"{len(texts)} FLORES-200 dev sentences cut to {args.chars} characters, en->zh, random weights "
          f"({'small shapes' if args.quick else 'real sizes'})\n")
    print(f"{'engine / runtime':<28} {'sentences/s':>12}")
    for engine in SHAPES:
        for name, speed in seq2seq_speed(engine, texts, args.quick):
            print(f"{name:<28} {speed:>12.2f}", flush=True)
    found = llm_overhead(texts, args.tokens if not args.quick else 4, args.quick)
    print(f"\nLLM engine: our work (prompts, parsing, checks) {found['ours_s'] * 1000 / len(texts):.2f} ms a sentence; "
          f"the model {found['model_s'] / len(texts):.3f} s a sentence; our share {100 * found['share']:.2f} %"
          + (" (under 5 %)" if found["share"] < 0.05 else " (OVER 5 %)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
