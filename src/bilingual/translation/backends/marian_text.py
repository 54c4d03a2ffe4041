"""Marian (Opus-MT) text processing without torch: what MarianTokenizer does, for CTranslate2.

Source: Moses punctuation normalization, the language token (if any), SentencePiece
pieces, then ``</s>``. Target: pieces decoded by the target SentencePiece model,
special tokens dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ...errors import ModelNotAvailableError

SPECIAL = frozenset({"</s>", "<pad>", "<unk>"})


class MarianText:
    """Encode and decode text for a Marian model directory (source.spm, target.spm, vocab.json)."""

    def __init__(self, model_dir: Path) -> None:
        import sentencepiece as spm

        try:
            self.source = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
            self.target = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
            self.vocab: dict[str, int] = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelNotAvailableError(
                f"The tokenizer files (source.spm, target.spm, vocab.json) in {model_dir} are missing or corrupt "
                f"({exc}). Download the model again with `bilingual models download`."
            ) from exc
        try:
            config = json.loads((model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            config = {}
        self._normalize = _moses_normalizer(config.get("source_lang") or "en")

    def encode(self, texts: Sequence[str], prefix: str | None = None) -> list[list[str]]:
        """Source tokens for each text, ending with ``</s>``."""
        head = [prefix] if prefix else []
        return [head + self.source.encode(self._normalize(t), out_type=str) + ["</s>"] for t in texts]

    def decode(self, tokens: Sequence[str]) -> str:
        return self.target.decode_pieces([t for t in tokens if t not in SPECIAL]).strip()


def _moses_normalizer(language: str):
    try:
        from sacremoses import MosesPunctNormalizer
    except ImportError:  # pragma: no cover - sacremoses is a dependency
        return lambda text: text
    normalize = MosesPunctNormalizer(language).normalize
    return lambda text: normalize(text) if text else ""
