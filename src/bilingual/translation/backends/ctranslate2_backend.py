"""A fast backend: the same Marian model converted once to CTranslate2 (int8 on CPU, float16 on CUDA).

The converted copy is kept under ``<home>/ct2/``, keyed by model id, revision and
quantization, so later starts load it directly. Marian details handled here:
``</s>`` is appended to the source, the target-language token is prepended for
multi-target models; decoding runs under the same policy as the transformers backend
(:func:`~bilingual.translation.guards.guarded_decode`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from ...errors import BackendNotAvailableError, ModelNotAvailableError
from ...models import model_revision
from ..devices import resolve_device
from ..guards import STRICT, guarded_decode, max_new_tokens
from .marian_text import MarianText
from .transformers_backend import pick_target_token

logger = logging.getLogger(__name__)
_convert_lock = threading.Lock()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "--", name.strip("/"))[-80:]


def converted_model(model_dir: Path, model_name: str, quantization: str, home: Path | None) -> Path:
    """The CTranslate2 copy of ``model_dir``, converting it on first use."""
    import ctranslate2

    root = (home / "ct2") if home else Path(tempfile.gettempdir()) / "bilingual-ct2"
    target = root / f"{_slug(model_name)}@{model_revision(model_dir)}" / quantization
    if (target / "model.bin").is_file():
        return target
    with _convert_lock:
        if (target / "model.bin").is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
        logger.info("converting %s to CTranslate2 (%s)", model_name, quantization)
        try:
            ctranslate2.converters.TransformersConverter(str(model_dir)).convert(
                str(staging), quantization=quantization, force=True
            )
            for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
                if (model_dir / name).is_file():
                    shutil.copy2(model_dir / name, staging / name)
            os.replace(staging, target)
        except OSError:
            if not (target / "model.bin").is_file():
                raise
        except (ValueError, RuntimeError, KeyError) as exc:
            raise ModelNotAvailableError(
                f"Could not convert {model_name!r} to CTranslate2: {exc}. Use backend='transformers', or download "
                "the model again."
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


class CTranslate2Backend:
    """Translate batches with a CTranslate2 model; one lock keeps requests from oversubscribing the cores.

    ``compute_type`` ``auto`` is int8 on the CPU and float16 on CUDA; the model is converted
    with the same quantization, so ``float32`` gives the unquantized model.
    """

    name = "ctranslate2"

    def __init__(
        self,
        model_dir: Path,
        *,
        model_name: str,
        target: str,
        beam_size: int = 4,
        length_ratio: float = 3.0,
        device: str | None = None,
        home: Path | None = None,
        threads: int | None = None,
        repetition_guard: bool = True,
        compute_type: str = "auto",
    ) -> None:
        try:
            import ctranslate2
        except ImportError as exc:
            raise BackendNotAvailableError(
                "The ctranslate2 backend needs the ctranslate2 package: pip install ctranslate2"
            ) from exc
        self.model_name = model_name
        self.beam_size = beam_size
        self.length_ratio = length_ratio
        self.repetition_guard = repetition_guard
        kind, index = resolve_device(device, ctranslate2.get_cuda_device_count())
        self.quantization = compute_type if compute_type != "auto" else ("float16" if kind == "cuda" else "int8")
        self.text = MarianText(model_dir)
        self.target_token = pick_target_token(self.text.vocab, target)
        path = converted_model(model_dir, model_name, self.quantization, home)
        self.translator = ctranslate2.Translator(
            str(path),
            device=kind,
            device_index=index,
            compute_type=self.quantization,
            inter_threads=1,
            intra_threads=threads or os.cpu_count() or 1,
        )
        self.fingerprint = (
            f"ctranslate2|{model_name}|{model_revision(model_dir)}|{self.quantization}|beam={beam_size}|ratio={length_ratio}"
        )
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(tokens) for tokens in self.text.encode(texts, self.target_token)]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        return [text for text, _, _ in self.translate_scored(texts)]

    def translate_scored(self, texts: Sequence[str]) -> list[tuple[str, float | None, bool]]:
        """Translations with their mean token log-probability and whether the repetition guard acted."""
        if not texts:
            return []
        source = self.text.encode(texts, self.target_token)

        def generate(indices, cap, strict):
            results = self.translator.translate_batch(
                [source[i] for i in indices], beam_size=self.beam_size, max_decoding_length=cap, return_scores=True,
                **(STRICT if strict else {}),
            )
            return [r.hypotheses[0] for r in results], [r.scores[0] for r in results]

        scores: list = []
        with self._lock:
            outputs, guarded = guarded_decode(
                [len(s) for s in source], generate, length_ratio=self.length_ratio, guard=self.repetition_guard,
                scores=scores,
            )
        return [(self.text.decode(out), score, g) for out, score, g in zip(outputs, scores, guarded)]

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        """The ``n`` best translations of each sentence from the beam, best first (no repetition guard)."""
        if not texts:
            return []
        source = self.text.encode(texts, self.target_token)
        caps = [max_new_tokens(len(tokens), self.length_ratio) for tokens in source]
        with self._lock:
            results = self.translator.translate_batch(
                source, beam_size=max(self.beam_size, n), num_hypotheses=n, max_decoding_length=max(caps)
            )
        return [[self.text.decode(h[:cap]) for h in r.hypotheses] for r, cap in zip(results, caps)]
