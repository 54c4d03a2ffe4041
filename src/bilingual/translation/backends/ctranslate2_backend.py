"""A fast backend: the same Marian model converted once to CTranslate2 (int8 on CPU, float16 on CUDA).

The converted copy is kept under ``<home>/ct2/``, keyed by model id, revision and
quantization, so later starts load it directly. Marian details handled here:
``</s>`` is appended to the source, the target-language token is prepended for
multi-target models, and decoding is capped relative to the source length with the
same repetition guard as the transformers backend.
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
from ..guards import find_loop, max_new_tokens, trim_loop
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
        logger.info("converting %s to CTranslate2 (%s) into %s", model_name, quantization, target)
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
    """Translate batches with a CTranslate2 model; one lock keeps requests from oversubscribing the cores."""

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
        device = (device or ("cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu")).split(":")[0]
        self.quantization = "float16" if device == "cuda" else "int8"
        self.text = MarianText(model_dir)
        self.target_token = pick_target_token(self.text.vocab, target)
        path = converted_model(model_dir, model_name, self.quantization, home)
        self.translator = ctranslate2.Translator(
            str(path),
            device=device,
            compute_type=self.quantization,
            inter_threads=1,
            intra_threads=threads or os.cpu_count() or 1,
        )
        self.fingerprint = f"ctranslate2|{model_name}|{model_revision(model_dir)}|{self.quantization}|beam={beam_size}|ratio={length_ratio}"
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(tokens) for tokens in self.text.encode(texts, self.target_token)]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        source = self.text.encode(texts, self.target_token)
        caps = [max_new_tokens(len(tokens), self.length_ratio) for tokens in source]
        with self._lock:
            outputs = [
                r.hypotheses[0][:cap]
                for r, cap in zip(
                    self.translator.translate_batch(source, beam_size=self.beam_size, max_decoding_length=max(caps)),
                    caps,
                )
            ]
            looping = [i for i, out in enumerate(outputs) if self.repetition_guard and find_loop(out) is not None]
            if looping:
                logger.debug("repetition loops in %d outputs; decoding them again", len(looping))
                again = self.translator.translate_batch(
                    [source[i] for i in looping],
                    beam_size=self.beam_size,
                    max_decoding_length=max(caps[i] for i in looping),
                    no_repeat_ngram_size=3,
                    repetition_penalty=1.3,
                )
                for i, result in zip(looping, again):
                    out = result.hypotheses[0][: caps[i]]
                    still = find_loop(out)
                    outputs[i] = out if still is None else [str(t) for t in trim_loop(out, still)]
        return [self.text.decode(out) for out in outputs]

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
