"""The model store: find a model locally, download it, or say exactly how to get it.

A model reference is either a local directory with the Hugging Face file layout,
or a Hub id (``Helsinki-NLP/opus-mt-zh-en``) looked up in the Hugging Face cache
(``HF_HOME`` / ``HF_HUB_CACHE``) and downloaded there when allowed. Only the
files a model needs are fetched, safetensors weights preferred; remote code is
never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from .config import ModelRef
from .errors import ModelNotAvailableError

__all__ = ["ModelRef", "download", "load_model", "load_seq2seq", "locate", "model_revision", "resolve", "verify"]

logger = logging.getLogger(__name__)

_CONFIG_FILES = [
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "target_vocab.json",
    "*.spm",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tokenizer.json",
    "merges.txt",
    "added_tokens.json",
    "chat_template.jinja",  # instruction-tuned models' prompt format
    "chat_template.json",
    "README.md",  # the model card: its license is shown at load
]
_WEIGHTS = ["model.safetensors", "model.safetensors.index.json", "model-*.safetensors"]
_PICKLE_WEIGHTS = ["pytorch_model.bin"]
_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")


def is_local(ref: ModelRef) -> bool:
    return Path(ref.name).expanduser().is_dir()


def _has_weights(path: Path) -> bool:
    return any((path / name).is_file() for name in _WEIGHT_FILES)


def _check_dir(path: Path, ref: ModelRef) -> Path:
    if not (path / "config.json").is_file() or not _has_weights(path):
        raise ModelNotAvailableError(
            f"The directory {path} for model {ref.name!r} lacks config.json or its weights "
            f"(model.safetensors). Copy the complete model directory there, or {ref.fix_hint()}"
        )
    return path


def _damaged(ref: ModelRef, name: str, why: str) -> ModelNotAvailableError:
    return ModelNotAvailableError(
        f"The file {name} of model {ref.name!r} is {why}. Delete the model's files (or its Hugging Face cache "
        f"entry) and fetch them again. " + ref.fix_hint()
    )


def _safetensors_complete(path: Path) -> bool:
    """Whether a safetensors file is as long as its header says (a cut download is not)."""
    try:
        with path.open("rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            if size <= 0 or size > 100_000_000:
                return False
            header = json.loads(handle.read(size))
    except (OSError, ValueError):
        return False
    ends = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"]
    return path.stat().st_size == 8 + size + max(ends, default=0)


def verify(path: Path, ref: ModelRef) -> Path:
    """Check a model directory's files before loading: each damaged file is named.

    ``pytorch_model.bin`` is accepted: it is read with torch's ``weights_only`` loader, which
    cannot run code (see :func:`load_seq2seq`).

    Raises:
        ModelNotAvailableError: a file is missing, cut short or corrupt.
    """
    _check_dir(path, ref)
    for name in ("config.json", "vocab.json", "tokenizer_config.json"):
        file = path / name
        if file.is_file():
            try:
                json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise _damaged(ref, name, "not valid JSON") from None
    weights = path / "model.safetensors"
    if weights.is_file() and not _safetensors_complete(weights):
        raise _damaged(ref, "model.safetensors", "truncated or corrupt")
    if _is_marian(path):
        for name in ("source.spm", "target.spm", "vocab.json"):
            if not (path / name).is_file():
                raise _damaged(ref, name, "missing")
    for spm_file in sorted(path.glob("*.spm")) + sorted(path.glob("spiece.model")):
        if not _sentencepiece_loads(spm_file):
            raise _damaged(ref, spm_file.name, "missing or corrupt")
    return path


def _is_marian(path: Path) -> bool:
    try:
        return json.loads((path / "config.json").read_text(encoding="utf-8")).get("model_type") == "marian"
    except (OSError, ValueError):
        return False


def _sentencepiece_loads(path: Path) -> bool:
    import sentencepiece as spm

    try:
        spm.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError):
        return False
    return True


def locate(ref: ModelRef) -> Path | None:
    """The local directory of ``ref`` if it is present with its config and weights (no network), else None."""
    if is_local(ref):
        path = Path(ref.name).expanduser()
        return path if (path / "config.json").is_file() and _has_weights(path) else None
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        path = Path(
            snapshot_download(
                ref.name,
                revision=ref.revision,
                allow_patterns=_CONFIG_FILES + _WEIGHTS + _PICKLE_WEIGHTS,
                local_files_only=True,
            )
        )
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        return None
    return path if (path / "config.json").is_file() and _has_weights(path) else None


def download(ref: ModelRef) -> Path:
    """Download ``ref`` into the Hugging Face cache and return its directory.

    safetensors weights are fetched when the model has them; otherwise ``pytorch_model.bin``,
    which is read with torch's safe ``weights_only`` loader.

    Raises:
        ModelNotAvailableError: when the Hub cannot be reached, or has no such model or revision.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        path = Path(snapshot_download(ref.name, revision=ref.revision, allow_patterns=_CONFIG_FILES + _WEIGHTS))
        if not _has_weights(path):
            logger.info("%s has no safetensors weights; downloading pytorch_model.bin", ref.name)
            path = Path(
                snapshot_download(ref.name, revision=ref.revision, allow_patterns=_CONFIG_FILES + _PICKLE_WEIGHTS)
            )
    except OfflineModeIsEnabled as exc:
        raise ModelNotAvailableError(
            f"Model {ref.name!r} is not on this machine, and offline mode (HF_HUB_OFFLINE or BILINGUAL_OFFLINE) "
            "forbids downloading it. " + ref.fix_hint()
        ) from exc
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise ModelNotAvailableError(
            f"The Hugging Face Hub has no public model {ref.name!r}. Check {ref.setting}." 
        ) from exc
    except RevisionNotFoundError as exc:
        raise ModelNotAvailableError(
            f"Model {ref.name!r} has no revision {ref.revision!r}. Check the revision setting."
        ) from exc
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
        raise ModelNotAvailableError(
            f"Model {ref.name!r} is not on this machine and the Hugging Face Hub could not be reached "
            "(no network, or a proxy or firewall in the way). " + ref.fix_hint()
        ) from exc
    return verify(path, ref)


def resolve(ref: ModelRef, *, offline: bool) -> Path:
    """The verified local directory of ``ref``, downloading it first unless ``offline``.

    Raises:
        ModelNotAvailableError: naming the model, the damaged file if any, and the commands that fix it.
    """
    return verify(_find(ref, offline=offline), ref)


def _find(ref: ModelRef, *, offline: bool) -> Path:
    if is_local(ref):
        return _check_dir(Path(ref.name).expanduser(), ref)
    if not _looks_like_hub_id(ref.name):
        raise ModelNotAvailableError(
            f"Model {ref.name!r} is neither an existing directory nor a Hugging Face Hub id (owner/name). "
            f"Check {ref.setting}: a local model folder, or a Hub id such as 'Helsinki-NLP/opus-mt-zh-en'."
        )
    found = locate(ref)
    if found is not None:
        return found
    if offline:
        raise ModelNotAvailableError(
            f"Model {ref.name!r} is not in the local Hugging Face cache and offline mode is on "
            f"(HF_HUB_OFFLINE or BILINGUAL_OFFLINE). " + ref.fix_hint()
        )
    return download(ref)


def model_revision(model_dir: Path) -> str:
    """A stable id of a model's files: the Hub snapshot's commit, or a digest of a local directory."""
    if model_dir.parent.name == "snapshots":
        return model_dir.name
    digest = hashlib.sha256(str(model_dir.resolve()).encode())
    for name in ("config.json", "model.safetensors", "pytorch_model.bin", "vocab.json"):
        path = model_dir / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _looks_like_hub_id(name: str) -> bool:
    parts = name.split("/")
    return 1 <= len(parts) <= 2 and all(parts) and not name.startswith((".", "~"))


def load_seq2seq(model_dir: Path, model_name: str, *, allow_pickle: bool = False):
    """A seq2seq model and its tokenizer (see :func:`load_model`)."""
    return load_model(model_dir, model_name, allow_pickle=allow_pickle, causal=False)


def load_model(model_dir: Path, model_name: str, *, allow_pickle: bool = False, causal: bool = False):
    """Load a verified model (seq2seq, or decoder-only when ``causal``) and its tokenizer for inference: no
    remote code, safetensors first.

    ``pytorch_model.bin`` is read with torch's ``weights_only`` loader, which refuses anything
    but tensors and so cannot run code; only with ``allow_pickle`` is a file that needs full
    unpickling loaded (for models you trust).

    Returns:
        ``(tokenizer, model)``, the model in eval mode with no fixed ``max_length`` (callers cap new tokens).

    Raises:
        ModelNotAvailableError: the files cannot be loaded.
    """
    import pickle

    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=False)
        model = (AutoModelForCausalLM if causal else AutoModelForSeq2SeqLM).from_pretrained(
            model_dir,
            trust_remote_code=False,
            use_safetensors=(model_dir / "model.safetensors").is_file() or None,
            weights_only=not allow_pickle,
        )
    except pickle.UnpicklingError as exc:
        raise ModelNotAvailableError(
            f"The weights of model {model_name!r} hold more than tensors, and loading them could run code; they "
            "were refused. Use a copy with model.safetensors, or set BILINGUAL_ALLOW_PICKLE=1 if you trust it."
        ) from exc
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelNotAvailableError(
            f"Could not load model {model_name!r}: {exc}. The files may be incomplete; delete the "
            "directory (or the Hugging Face cache entry) and run `bilingual models download --all` again."
        ) from exc
    model.eval()
    model.generation_config.max_length = None
    return tokenizer, model
