"""The reference backend: a Marian (Opus-MT) model through Hugging Face transformers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from ...models import load_seq2seq, model_revision
from ..guards import find_loop, max_new_tokens, trim_loop

logger = logging.getLogger(__name__)

# Target-language tokens of multi-target Opus-MT models, best first, per target language.
TARGET_TOKENS = {
    "zh": (">>cmn_Hans<<", ">>zho_Hans<<", ">>cmn<<", ">>zho<<", ">>zh<<"),
    "en": (">>eng<<", ">>en<<"),
}


def pick_target_token(vocab: dict[str, int] | Sequence[str], target: str) -> str | None:
    """The target-language token to prepend, if the vocabulary has language tokens at all."""
    if not any(t.startswith(">>") and t.endswith("<<") for t in vocab):
        return None
    for token in TARGET_TOKENS[target]:
        if token in vocab:
            return token
    return None


def _device(requested: str | None) -> str:
    import torch

    if requested:
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


class TransformersBackend:
    """Translate batches with ``model.generate``; one lock serializes calls to the model.

    Args:
        model_dir: a local directory in the Hugging Face layout.
        model_name: the id reported to users (Hub id or path).
        target: the target language, ``"zh"`` or ``"en"``.
        beam_size: beams in decoding.
        length_ratio: cap of new tokens relative to the source length.
        device: torch device, or None for cuda when available.
        repetition_guard: decode looping outputs again without repeated trigrams.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        model_name: str,
        target: str,
        beam_size: int = 4,
        length_ratio: float = 3.0,
        device: str | None = None,
        repetition_guard: bool = True,
    ) -> None:
        import torch

        self.model_name = model_name
        self.beam_size = beam_size
        self.length_ratio = length_ratio
        self.repetition_guard = repetition_guard
        self.device = _device(device)
        self._lock = threading.Lock()
        self.tokenizer, self.model = load_seq2seq(model_dir, model_name)
        self.model.to(self.device)
        self._torch = torch
        self.target_token = pick_target_token(self.tokenizer.get_vocab(), target)
        self.fingerprint = f"transformers|{model_name}|{model_revision(model_dir)}|beam={beam_size}|ratio={length_ratio}"
        limit = getattr(self.model.config, "max_position_embeddings", 512) or 512
        self.max_length = min(int(limit), 512)

    def _prefixed(self, texts: Sequence[str]) -> list[str]:
        return [f"{self.target_token} {t}" for t in texts] if self.target_token else list(texts)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        with self._lock:
            encoded = self.tokenizer(self._prefixed(texts), add_special_tokens=True)["input_ids"]
        return [len(ids) for ids in encoded]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        with self._lock, self._torch.inference_mode():
            enc = self.tokenizer(
                self._prefixed(texts), return_tensors="pt", padding=True, truncation=False
            ).to(self.device)
            lengths = enc["attention_mask"].sum(dim=1).tolist()
            caps = [max_new_tokens(n, self.length_ratio, self.max_length) for n in lengths]
            outputs = self._generate(enc, max(caps))
            outputs = [ids[:cap] for ids, cap in zip(outputs, caps)]
            looping = [i for i, ids in enumerate(outputs) if self.repetition_guard and find_loop(ids) is not None]
            if looping:
                logger.debug("repetition loops in %d outputs; decoding them again", len(looping))
                subset = {k: v[looping] for k, v in enc.items()}
                again = self._generate(subset, max(caps[i] for i in looping), no_repeat_ngram_size=3,
                                       repetition_penalty=1.3)
                for i, ids in zip(looping, again):
                    ids = ids[: caps[i]]
                    still = find_loop(ids)
                    outputs[i] = ids if still is None else trim_loop(ids, still)
            return [self.tokenizer.decode(ids, skip_special_tokens=True).strip() for ids in outputs]

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        """The ``n`` best translations of each sentence from the beam, best first (no repetition guard)."""
        if not texts:
            return []
        with self._lock, self._torch.inference_mode():
            enc = self.tokenizer(
                self._prefixed(texts), return_tensors="pt", padding=True, truncation=False
            ).to(self.device)
            lengths = enc["attention_mask"].sum(dim=1).tolist()
            caps = [max_new_tokens(k, self.length_ratio, self.max_length) for k in lengths]
            flat = self._generate(enc, max(caps), beams=max(self.beam_size, n), num_return_sequences=n)
        return [
            [self.tokenizer.decode(ids[: caps[i]], skip_special_tokens=True).strip() for ids in flat[i * n : (i + 1) * n]]
            for i in range(len(texts))
        ]

    def _generate(self, enc, cap: int, *, beams: int | None = None, **options) -> list[list[int]]:
        out = self.model.generate(
            **enc, num_beams=beams or self.beam_size, max_new_tokens=cap, do_sample=False, **options
        )
        special = {t for t in (self.tokenizer.pad_token_id, self.tokenizer.eos_token_id) if t is not None}
        return [[t for t in ids if t not in special] for ids in out.tolist()]
