"""A fast backend: the same seq2seq model converted once to CTranslate2 (int8 on CPU, float16 on CUDA).

The converted copy is kept under ``<home>/ct2/``, keyed by model id, revision and
quantization, so later starts load it directly. Marian (Opus-MT) text is handled without
torch (:class:`MarianText`): ``</s>`` is appended to the source, the target-language token
is prepended for multi-target models. M2M100, NLLB-200 and MADLAD-400 go through their own
Hugging Face tokenizer (:class:`TokenizerText`), with the language codes of
:mod:`.engines` (the target's token starts the decoder, as ``target_prefix``). Decoding
runs under the same policy as the transformers backend
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

from ...config import cpu_threads
from ...errors import BackendNotAvailableError, ModelNotAvailableError
from ...models import model_revision
from ..devices import resolve_device
from ..guards import STRICT, guarded_decode, max_new_tokens
from . import BackendBase
from .engines import architecture, language_codes, tokenizer_vocab
from .marian_text import MarianText

logger = logging.getLogger(__name__)
_convert_lock = threading.Lock()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "--", name.strip("/"))[-80:]


def target_vocabulary(model_dir: Path) -> list[str]:
    """The pieces the model can usefully write: those of ``target.spm`` that are in ``vocab.json``.

    Opus-MT models share one vocabulary between the source and target languages, but the
    target side was trained, and is decoded, with ``target.spm`` alone. Restricting the
    output layer to these pieces (CTranslate2's vocabulary map) makes each decoding step
    cheaper without taking away a piece the model could usefully write (its scores are then
    normalized over these pieces). Empty when the files are not there.
    """
    import json

    import sentencepiece as spm

    try:
        vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
        target = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
    except (OSError, RuntimeError, ValueError):
        return []
    pieces = (target.id_to_piece(i) for i in range(target.get_piece_size()))
    return [p for p in pieces if p in vocab and p not in ("<unk>", "<s>", "</s>", "<pad>") and " " not in p]


class TokenizerText:
    """Encode and decode text with a model's own Hugging Face tokenizer (M2M100, NLLB-200, MADLAD-400)."""

    def __init__(self, model_dir: Path) -> None:
        from transformers import AutoTokenizer

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=False)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailableError(
                f"The tokenizer files in the model folder {model_dir.name!r} are missing or corrupt ({exc}). "
                "Download the model again with `bilingual models download`."
            ) from exc
        self.vocab: dict[str, int] = tokenizer_vocab(self.tokenizer)
        self._lock = threading.Lock()  # Python tokenizers keep per-call state

    def source_lang(self, code: str | None) -> None:
        """The source language code the tokenizer puts before each sentence (M2M100, NLLB)."""
        if code:
            self.tokenizer.src_lang = code

    def encode(self, texts: Sequence[str], prefix: str | None = None) -> list[list[str]]:
        head = f"{prefix} " if prefix else ""
        with self._lock:
            ids = self.tokenizer([head + t for t in texts])["input_ids"]
            return [self.tokenizer.convert_ids_to_tokens(row) for row in ids]

    def decode(self, tokens: Sequence[str]) -> str:
        with self._lock:
            ids = self.tokenizer.convert_tokens_to_ids(list(tokens))
            return self.tokenizer.decode(ids, skip_special_tokens=True).strip()


def _m2m100_vocabulary_by_id() -> None:
    """Make CTranslate2's M2M100/NLLB converter take the vocabulary from the tokenizer's ids.

    CTranslate2 4.x finds M2M100's language tokens (``__zh__``) in the tokenizer's
    ``additional_special_tokens``, which transformers 5 no longer fills; the conversion then
    fails ("vocabulary has size 128008 but the model expected 128112"). Here every id of the
    model's vocabulary gets the token the tokenizer gives it (``madeupwordN`` for the unused ones).
    """
    from ctranslate2.converters import transformers as ct2_transformers

    base = ct2_transformers._MODEL_LOADERS.get("M2M100Config")
    if base is None or getattr(base, "by_id", False):
        return

    class ByIdLoader(type(base)):
        by_id = True

        def get_vocabulary(self, model, tokenizer):
            by_id = {i: t for t, i in tokenizer_vocab(tokenizer).items()}
            return [by_id.get(i, f"madeupword{i}") for i in range(model.config.vocab_size)]

    ct2_transformers._MODEL_LOADERS["M2M100Config"] = ByIdLoader()


def converted_model(model_dir: Path, model_name: str, quantization: str, home: Path | None) -> Path:
    """The CTranslate2 copy of ``model_dir``, converting it on first use (with its target vocabulary map)."""
    import ctranslate2

    root = (home / "ct2") if home else Path(tempfile.gettempdir()) / "bilingual-ct2"
    target = root / f"{_slug(model_name)}@{model_revision(model_dir)}" / f"{quantization}-vmap"
    if (target / "model.bin").is_file():
        return target
    with _convert_lock:
        if (target / "model.bin").is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
        logger.info("converting %s to CTranslate2 (%s)", model_name, quantization)
        try:
            pieces = target_vocabulary(model_dir)
            vmap = None
            if pieces:
                vmap = staging.parent / f"{staging.name}.vmap.txt"
                vmap.write_text("\t" + " ".join(pieces) + "\n", encoding="utf-8")  # always allowed: these pieces
            _m2m100_vocabulary_by_id()
            ctranslate2.converters.TransformersConverter(str(model_dir)).convert(
                str(staging), quantization=quantization, force=True, vmap=str(vmap) if vmap else None
            )
            for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
                if (model_dir / name).is_file():
                    shutil.copyfile(model_dir / name, staging / name)  # not the mode: private in a private home
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
            Path(f"{staging}.vmap.txt").unlink(missing_ok=True)
    return target




class CTranslate2Backend(BackendBase):
    """Translate batches with a CTranslate2 model; at most ``parallel`` calls run at once.

    ``compute_type`` ``auto`` is int8 on the CPU and float16 on CUDA; the model is converted
    with the same quantization, so ``float32`` gives the unquantized model. ``parallel`` is
    how many calls run at once, each on its share of the cores (0: one per core, on the CPU);
    the translator's batching queue makes that many calls at once, so a single document's
    batches run side by side too. With 1, one call at a time uses every core.
    """

    supports_hypotheses = True  # the beam's n best, for alternatives

    name = "ctranslate2"

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
        home: Path | None = None,
        threads: int | None = None,
        repetition_guard: bool = True,
        compute_type: str = "auto",
        parallel: int = 1,
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
        self.engine = architecture(model_dir)
        source = source or ("en" if target == "zh" else "zh")
        if self.engine == "marian":
            self.text: MarianText | TokenizerText = MarianText(model_dir)
            self.codes = language_codes(self.engine, self.text.vocab, source, target)
        elif self.engine in ("m2m_100", "nllb", "t5"):
            self.text = TokenizerText(model_dir)
            self.codes = language_codes(self.engine, self.text.vocab, source, target)
            self.text.source_lang(self.codes.source_lang)
        else:
            raise BackendNotAvailableError(
                f"The ctranslate2 backend runs seq2seq models; {model_name!r} is a {self.engine} model. "
                "Use BILINGUAL_BACKEND=transformers."
            )
        self._target_prefix = [self.codes.target_token] if self.codes.target_token else None
        path = converted_model(model_dir, model_name, self.quantization, home)
        self.use_vmap = (path / "vmap.txt").is_file()  # the output layer restricted to the target's pieces
        cores = threads or cpu_threads()
        # On the CPU, calls made at once run on separate cores (parallel=0: one per core): separate
        # batches in parallel beat one batch spread over all cores. One at a time on a GPU.
        self.parallel = 1 if kind == "cuda" else max(1, min(parallel or cores, cores))
        self.translator = ctranslate2.Translator(
            str(path),
            device=kind,
            device_index=index,
            compute_type=self.quantization,
            inter_threads=self.parallel,
            intra_threads=max(1, cores // self.parallel),
        )
        self.fingerprint = (
            f"ctranslate2|{model_name}|{model_revision(model_dir)}|{self.quantization}|beam={beam_size}|ratio={length_ratio}"
            + ("|vmap" if self.use_vmap else "")
        )
        self._lock = threading.BoundedSemaphore(self.parallel)  # no more calls at once than workers

    def _decode(self, tokens: Sequence[str]) -> str:
        """The text of an output: the target-language token (the decoder's first, or one a beam repeated)
        is not part of it."""
        if self._target_prefix:
            tokens = [t for t in tokens if t != self._target_prefix[0]]
        return self.text.decode(tokens)

    def _prefixes(self, count: int) -> list[list[str]] | None:
        """The decoder's first token for each sentence (multilingual models), or None."""
        return [self._target_prefix] * count if self._target_prefix else None

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(tokens) for tokens in self.text.encode(texts, self.codes.source_prefix)]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        return [text for text, _, _ in self.translate_scored(texts)]

    def translate_scored(self, texts: Sequence[str]) -> list[tuple[str, float | None, bool]]:
        """Translations with their mean token log-probability and whether the repetition guard acted."""
        if not texts:
            return []
        source = self.text.encode(texts, self.codes.source_prefix)

        def generate(indices, cap, strict):
            results = self.translator.translate_batch(
                [source[i] for i in indices], beam_size=self.beam_size, max_decoding_length=cap, return_scores=True,
                use_vmap=self.use_vmap, target_prefix=self._prefixes(len(indices)), **(STRICT if strict else {}),
            )
            return [r.hypotheses[0] for r in results], [r.scores[0] for r in results]

        scores: list = []
        with self._lock:
            outputs, guarded = guarded_decode(
                [len(s) for s in source], generate, length_ratio=self.length_ratio, guard=self.repetition_guard,
                scores=scores,
            )
        return [(self._decode(out), score, g) for out, score, g in zip(outputs, scores, guarded)]

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        """The ``n`` best translations of each sentence from the beam, best first (no repetition guard)."""
        if not texts:
            return []
        source = self.text.encode(texts, self.codes.source_prefix)
        caps = [max_new_tokens(len(tokens), self.length_ratio) for tokens in source]
        with self._lock:
            results = self.translator.translate_batch(
                source, beam_size=max(self.beam_size, n), num_hypotheses=n, max_decoding_length=max(caps),
                use_vmap=self.use_vmap, target_prefix=self._prefixes(len(source)),
            )
        return [[self._decode(h[:cap]) for h in r.hypotheses] for r, cap in zip(results, caps)]
