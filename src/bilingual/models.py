"""The model store: find a model locally, download it, or say exactly how to get it.

A model reference is either a local directory with the Hugging Face file layout,
or a Hub id (``Helsinki-NLP/opus-mt-zh-en``) looked up in the Hugging Face cache
(``HF_HOME`` / ``HF_HUB_CACHE``) and downloaded there when allowed. Only the
files a model needs are fetched, safetensors weights preferred; remote code is
never trusted.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelNotAvailableError

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
]
_WEIGHTS = ["model.safetensors", "model.safetensors.index.json", "model-*.safetensors"]
_PICKLE_WEIGHTS = ["pytorch_model.bin"]
_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")


@dataclass(frozen=True)
class ModelRef:
    """A model to load: Hub id or local directory, and an optional pinned revision."""

    name: str
    revision: str | None = None
    task: str = "translation"

    def fix_hint(self) -> str:
        rev = f" --revision {self.revision}" if self.revision else ""
        return (
            f"Run `bilingual models download` (or `huggingface-cli download {self.name}{rev}`) on a machine "
            f"with network access, or point the model setting (for example BILINGUAL_MODEL_ZH_EN) at a local "
            f"directory holding the model's files."
        )


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


def locate(ref: ModelRef) -> Path | None:
    """The local directory of ``ref`` if it is present (no network), else None."""
    if is_local(ref):
        return Path(ref.name).expanduser()
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
    """Download ``ref`` into the Hugging Face cache (safetensors first) and return its directory.

    Raises:
        ModelNotAvailableError: when the Hub cannot be reached or has no such model.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled

    try:
        path = Path(snapshot_download(ref.name, revision=ref.revision, allow_patterns=_CONFIG_FILES + _WEIGHTS))
        if not _has_weights(path):
            logger.warning("%s has no safetensors weights; downloading pytorch_model.bin", ref.name)
            path = Path(
                snapshot_download(ref.name, revision=ref.revision, allow_patterns=_CONFIG_FILES + _PICKLE_WEIGHTS)
            )
    except (OfflineModeIsEnabled, LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
        raise ModelNotAvailableError(
            f"Model {ref.name!r} is not in the local cache and could not be downloaded ({type(exc).__name__}). "
            + ref.fix_hint()
        ) from exc
    return _check_dir(path, ref)


def resolve(ref: ModelRef, *, offline: bool) -> Path:
    """The local directory of ``ref``, downloading it first unless ``offline``.

    Raises:
        ModelNotAvailableError: naming the model and the commands that fix it.
    """
    if is_local(ref):
        return _check_dir(Path(ref.name).expanduser(), ref)
    if not _looks_like_hub_id(ref.name):
        raise ModelNotAvailableError(
            f"Model {ref.name!r} is neither an existing directory nor a Hugging Face Hub id (owner/name). "
            "Check the path, or use a Hub id such as 'Helsinki-NLP/opus-mt-zh-en'."
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
