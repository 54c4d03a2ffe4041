"""Abstractive summaries with a pretrained seq2seq model, and map-reduce for long articles.

``map_reduce`` is pure: it packs whole sentences into chunks that fit the model's
input, summarizes each chunk, joins the partial summaries and summarizes them
again until they fit, so nothing is ever silently truncated.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import BilingualError
from ..languages import Language
from ..models import load_seq2seq
from ..text.pieces import LengthFn, separator, split_long
from ..text.segment import split_sentences
from ..translation.devices import resolve_device

logger = logging.getLogger(__name__)

Generate = Callable[[Sequence[str], int], list[str]]
_MAX_ROUNDS = 8


def chunk_sentences(sentences: Sequence[str], budget: int, length: LengthFn, language: Language) -> list[str]:
    """Pack whole sentences, in order, into texts of at most ``budget`` tokens.

    A sentence longer than the budget alone is split at clauses (then at the budget).
    """
    glue = separator(language)
    units: list[str] = []
    for sentence in sentences:
        units.extend(split_long(sentence, budget, length))
    chunks: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and length([glue.join([*current, unit])])[0] > budget:
            chunks.append(glue.join(current))
            current = []
        current.append(unit)
    if current:
        chunks.append(glue.join(current))
    return chunks


def map_reduce(
    text: str, *, budget: int, max_length: int, length: LengthFn, generate: Generate, language: Language
) -> str:
    """Summarize ``text`` of any length with a model that reads at most ``budget`` tokens.

    Args:
        text: the article.
        budget: the model's input limit, in tokens.
        max_length: the most tokens of the final summary.
        length: token counter of the model.
        generate: ``generate(texts, max_length) -> summaries`` for texts that fit.
        language: the article's language (how sentences are joined).
    """
    partial_length = max(8, min(max_length, budget // 2))
    for _ in range(_MAX_ROUNDS):
        if length([text])[0] <= budget:
            return generate([text], max_length)[0]
        chunks = chunk_sentences(split_sentences(text), budget, length, language)
        logger.debug("summarizing %d chunks of at most %d tokens", len(chunks), budget)
        text = separator(language).join(s.strip() for s in generate(chunks, partial_length))
    raise BilingualError(
        "The article is too long to summarize with this model; use method='extractive' or a shorter text."
    )


class AbstractiveModel:
    """A seq2seq summarizer loaded through transformers (no remote code).

    Args:
        model_dir: local directory in the Hugging Face layout.
        model_name: Hub id or path shown to users.
        device: torch device, or None for CUDA when available.
        beam_size: beams in decoding.
        allow_pickle: unpickle weight files fully (only for trusted models).
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        model_name: str,
        device: str | None = None,
        beam_size: int = 4,
        allow_pickle: bool = False,
    ) -> None:
        import torch

        self.model_name = model_name
        self.beam_size = beam_size
        kind, index = resolve_device(device, torch.cuda.device_count() if torch.cuda.is_available() else 0)
        self.device = f"cuda:{index}" if kind == "cuda" else "cpu"
        self.tokenizer, self.model = load_seq2seq(model_dir, model_name, allow_pickle=allow_pickle)
        self.model.to(self.device)
        self._torch = torch
        self._lock = threading.Lock()
        config = self.model.config
        limits = [
            getattr(config, "max_position_embeddings", None),
            getattr(config, "n_positions", None),
            self.tokenizer.model_max_length if self.tokenizer.model_max_length < 100_000 else None,
        ]
        self.budget = min([x for x in limits if x] or [512])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        with self._lock:
            return [len(ids) for ids in self.tokenizer(list(texts))["input_ids"]]

    def generate(self, texts: Sequence[str], max_length: int) -> list[str]:
        with self._lock, self._torch.inference_mode():
            enc = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False).to(self.device)
            min_length = min(self.model.generation_config.min_length or 0, max_length // 2)
            out = self.model.generate(
                **enc,
                num_beams=self.beam_size,
                max_new_tokens=max_length,
                min_length=min_length,
                no_repeat_ngram_size=3,
                do_sample=False,
            )
            return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]
