"""The reference backend: a seq2seq model (Opus-MT, M2M100, NLLB-200, MADLAD-400) through Hugging Face transformers."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from ...models import load_seq2seq, model_revision
from ..devices import resolve_device
from ..guards import STRICT, guarded_decode, max_new_tokens
from . import BackendBase
from .engines import architecture, language_codes, pick_target_token, tokenizer_vocab

__all__ = ["TransformersBackend", "pick_target_token"]

class TransformersBackend(BackendBase):
    """Translate batches with ``model.generate``; one lock serializes calls to the model.

    Args:
        model_dir: a local directory in the Hugging Face layout.
        model_name: the id reported to users (Hub id or path).
        target: the target language, ``"zh"`` or ``"en"``.
        source: the source language (None: the other one).
        beam_size: beams in decoding.
        length_ratio: cap of new tokens relative to the source length.
        device: ``cpu``, ``cuda``, ``cuda:N``, or None for CUDA when available.
        repetition_guard: decode looping outputs again without repeated trigrams.
        allow_pickle: unpickle weight files fully (only for trusted models).
    """

    supports_hypotheses = True  # the beam's n best, for alternatives

    name = "transformers"

    def __init__(
        self,
        model_dir: Path,
        *,
        model_name: str,
        target: str,
        source: str | None = None,
        beam_size: int = 4,
        length_ratio: float = 3.0,
        device: str | None = None,
        repetition_guard: bool = True,
        allow_pickle: bool = False,
    ) -> None:
        import torch

        self.model_name = model_name
        self.beam_size = beam_size
        self.length_ratio = length_ratio
        self.repetition_guard = repetition_guard
        kind, index = resolve_device(device, torch.cuda.device_count() if torch.cuda.is_available() else 0)
        self.device = f"cuda:{index}" if kind == "cuda" else "cpu"
        self._lock = threading.Lock()
        self.tokenizer, self.model = load_seq2seq(model_dir, model_name, allow_pickle=allow_pickle)
        self.model.to(self.device)
        self._torch = torch
        vocab = tokenizer_vocab(self.tokenizer)
        self.engine = architecture(model_dir, vocab)
        self.codes = language_codes(self.engine, vocab, source or ("en" if target == "zh" else "zh"), target)
        if self.codes.source_lang:
            self.tokenizer.src_lang = self.codes.source_lang  # M2M100 and NLLB put it before the source
        self._special = {t for t in (self.tokenizer.pad_token_id, self.tokenizer.eos_token_id) if t is not None}
        self._forced = {}
        if self.codes.target_token:  # and the decoder starts with the target's (never part of the output)
            self._forced["forced_bos_token_id"] = self.tokenizer.convert_tokens_to_ids(self.codes.target_token)
            self._special.add(self._forced["forced_bos_token_id"])
        self.fingerprint = f"transformers|{model_name}|{model_revision(model_dir)}|beam={beam_size}|ratio={length_ratio}"
        limit = getattr(self.model.config, "max_position_embeddings", 512) or 512
        self.max_length = min(int(limit), 512)

    def _prefixed(self, texts: Sequence[str]) -> list[str]:
        prefix = self.codes.source_prefix
        return [f"{prefix} {t}" for t in texts] if prefix else list(texts)

    def _encode(self, texts: Sequence[str]):
        return self.tokenizer(self._prefixed(texts), return_tensors="pt", padding=True, truncation=False).to(self.device)

    def _decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True).strip()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        with self._lock:
            encoded = self.tokenizer(self._prefixed(texts), add_special_tokens=True)["input_ids"]
        return [len(ids) for ids in encoded]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        return [text for text, _, _ in self.translate_scored(texts)]

    def translate_scored(self, texts: Sequence[str]) -> list[tuple[str, float | None, bool]]:
        """Translations with their mean token log-probability and whether the repetition guard acted."""
        if not texts:
            return []
        with self._lock, self._torch.inference_mode():
            enc = self._encode(texts)

            def generate(indices, cap, strict):
                subset = {k: v[list(indices)] for k, v in enc.items()}
                return self._generate(subset, cap, scored=True, **(STRICT if strict else {}))

            scores: list = []
            outputs, guarded = guarded_decode(
                enc["attention_mask"].sum(dim=1).tolist(), generate, length_ratio=self.length_ratio,
                limit=self.max_length, guard=self.repetition_guard, scores=scores,
            )
            return [(self._decode(ids), score, g) for ids, score, g in zip(outputs, scores, guarded)]

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        """The ``n`` best translations of each sentence from the beam, best first (no repetition guard)."""
        if not texts:
            return []
        with self._lock, self._torch.inference_mode():
            enc = self._encode(texts)
            caps = [max_new_tokens(k, self.length_ratio, self.max_length) for k in enc["attention_mask"].sum(dim=1).tolist()]
            flat = self._generate(enc, max(caps), beams=max(self.beam_size, n), num_return_sequences=n)
        return [[self._decode(h[:cap]) for h in flat[i * n : (i + 1) * n]] for i, cap in enumerate(caps)]

    def _generate(self, enc, cap: int, *, beams: int | None = None, scored: bool = False, **options):
        beams = beams or self.beam_size
        out = self.model.generate(
            **enc, num_beams=beams, max_new_tokens=cap, do_sample=False,
            output_scores=scored, return_dict_in_generate=scored, **self._forced, **options
        )
        sequences = out.sequences if scored else out
        tokens = [[t for t in ids if t not in self._special] for ids in sequences.tolist()]
        if not scored:
            return tokens
        if beams > 1 and getattr(out, "sequences_scores", None) is not None:
            scores = out.sequences_scores.tolist()  # the beam's log-probability over its length
        else:
            transition = self.model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
            scores = [float(row[row > float("-inf")].mean()) for row in transition]
        return tokens, scores
