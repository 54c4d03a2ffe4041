"""What kind of model a folder holds, how it is told the languages, and its license.

A local model's engine is its architecture, read from ``config.json``:

=========  ======================================  =============================================
engine     models                                  how the languages are given
=========  ======================================  =============================================
marian     Opus-MT                                 ``>>cmn_Hans<<`` before the source (multi-target)
m2m_100    M2M100 418M / 1.2B (MIT)                source code ``zh`` to the tokenizer, the decoder
                                                   starts with ``__zh__``
nllb       NLLB-200 (CC-BY-NC-4.0; M2M100's        source code ``eng_Latn`` to the tokenizer, the
           architecture with its own codes)        decoder starts with ``zho_Hans``
t5         MADLAD-400 (Apache-2.0)                 ``<2zh>`` before the source
causal     decoder-only instruct models (Qwen2.5)  the prompt (:mod:`.llm`)
=========  ======================================  =============================================

Chinese is always asked for in Simplified; Traditional output is OpenCC's job above.
Nothing here imports torch.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ...errors import ModelNotAvailableError

logger = logging.getLogger(__name__)

# Target-language tokens of multi-target Opus-MT models, best first, per target language.
MARIAN_TARGET_TOKENS = {
    "zh": (">>cmn_Hans<<", ">>zho_Hans<<", ">>cmn<<", ">>zho<<", ">>zh<<"),
    "en": (">>eng<<", ">>en<<"),
}
NLLB_CODES = {"zh": "zho_Hans", "en": "eng_Latn"}
CAUSAL_TYPES = ("ForCausalLM", "LMHeadModel")

# Licenses of well-known model families, for models whose card (README.md) is not on disk.
KNOWN_LICENSES = (
    ("nllb", "CC-BY-NC-4.0 (non-commercial use only)"),
    ("m2m100", "MIT"),
    ("madlad", "Apache-2.0"),
    ("opus-mt", "CC-BY-4.0"),
    ("qwen2.5", "Apache-2.0 (Qwen2.5-3B and -72B: Qwen's own licenses)"),
)
PERMISSIVE = ("mit", "apache-2.0", "bsd", "cc-by-4.0", "cc-by-sa-4.0")


@dataclass(frozen=True)
class LanguageCodes:
    """How one direction's languages are given to a seq2seq model.

    Attributes:
        source_prefix: text put before every source sentence (``>>cmn_Hans<<``, ``<2zh>``), or None.
        source_lang: the tokenizer's ``src_lang`` (``zh``, ``eng_Latn``), or None.
        target_token: the token the decoder must start with (``__zh__``, ``zho_Hans``), or None.
    """

    source_prefix: str | None = None
    source_lang: str | None = None
    target_token: str | None = None


def read_config(model_dir: Path) -> dict:
    try:
        return json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def architecture(model_dir: Path, vocab: dict[str, int] | None = None) -> str:
    """The engine a model folder needs: ``marian``, ``m2m_100``, ``nllb``, ``t5`` or ``causal``.

    Raises:
        ModelNotAvailableError: the model is of no architecture we can translate with.
    """
    config = read_config(model_dir)
    kind = config.get("model_type", "")
    if kind == "marian":
        return "marian"
    if kind == "m2m_100":
        return "nllb" if _is_nllb(model_dir, vocab) else "m2m_100"
    if kind in ("t5", "mt5", "umt5"):
        return "t5"
    if any(a.endswith(CAUSAL_TYPES) for a in config.get("architectures") or ()):
        return "causal"
    raise ModelNotAvailableError(
        f"The model in {model_dir.name!r} is a {kind or 'unknown'!r} model, which cannot translate here. Use an "
        "Opus-MT, M2M100, NLLB-200, MADLAD-400 or instruction-tuned causal model, or BILINGUAL_ENGINE=llm."
    )


def _is_nllb(model_dir: Path, vocab: dict[str, int] | None) -> bool:
    if vocab is not None:
        return "zho_Hans" in vocab
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        try:
            if "zho_Hans" in (model_dir / name).read_text(encoding="utf-8"):
                return True
        except OSError:
            continue
    return False


def language_codes(engine: str, vocab: dict[str, int] | list[str], source: str, target: str) -> LanguageCodes:
    """The codes a model of ``engine`` needs for ``source -> target``, checked against its vocabulary.

    Raises:
        ModelNotAvailableError: a multilingual model without a token for one of the languages.
    """
    if engine == "marian":
        return LanguageCodes(source_prefix=pick_target_token(vocab, target))
    if engine == "m2m_100":
        codes = LanguageCodes(source_lang=source, target_token=f"__{target}__")
        needed = [f"__{source}__", codes.target_token]
    elif engine == "nllb":
        codes = LanguageCodes(source_lang=NLLB_CODES[source], target_token=NLLB_CODES[target])
        needed = [codes.source_lang, codes.target_token]
    elif engine == "t5":
        codes = LanguageCodes(source_prefix=f"<2{target}>")
        needed = [codes.source_prefix] if any(t.startswith("<2") for t in vocab) else []
    else:
        raise ValueError(f"no language codes for engine {engine!r}")
    missing = [t for t in needed if t not in vocab]
    if missing:
        raise ModelNotAvailableError(
            f"The {engine} model has no language token {missing[0]!r}; it cannot translate {source}->{target}. "
            "Check the model setting (BILINGUAL_MODEL_ZH_EN / BILINGUAL_MODEL_EN_ZH)."
        )
    return codes


def tokenizer_vocab(tokenizer) -> dict[str, int]:
    """A Hugging Face tokenizer's whole vocabulary: its pieces, special tokens and language tokens
    (M2M100's ``__zh__`` are not in ``get_vocab()``)."""
    vocab = dict(tokenizer.get_vocab())
    vocab.update(getattr(tokenizer, "lang_token_to_id", None) or {})
    vocab.update(zip(tokenizer.all_special_tokens, tokenizer.all_special_ids))
    return vocab


def pick_target_token(vocab: dict[str, int] | list[str], target: str) -> str | None:
    """The Opus-MT target-language token to prepend, if the vocabulary has language tokens at all."""
    if not any(t.startswith(">>") and t.endswith("<<") for t in vocab):
        return None
    for token in MARIAN_TARGET_TOKENS[target]:
        if token in vocab:
            return token
    return None


def model_license(model_dir: Path | None, name: str) -> str | None:
    """A model's license: its card's ``license:`` (README.md front matter), else the family's known one."""
    if model_dir is not None:
        try:
            head = (model_dir / "README.md").read_text(encoding="utf-8")[:4000]
        except OSError:
            head = ""
        front = re.match(r"---\n(.*?)\n---", head, re.S)
        found = re.search(r"^license:\s*(\S+)", front.group(1), re.M) if front else None
        if found:
            return found.group(1).strip("'\"")
    lowered = name.lower()
    for family, license_ in KNOWN_LICENSES:
        if family in lowered:
            return license_
    return None


def announce_license(name: str, license_: str | None) -> None:
    """Say a model's license once, at load; loudly when it is not a permissive one."""
    if license_ is None:
        logger.info("model %s: license unknown; check its model card before using its output", name)
    elif not license_.lower().startswith(PERMISSIVE):
        logger.warning("model %s is licensed %s: check that your use is allowed", name, license_)
    else:
        logger.info("model %s is licensed %s", name, license_)
