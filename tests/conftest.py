"""Test configuration: no network, and tiny real models built once per machine."""

from __future__ import annotations

import os

# Tests never touch the network; set before huggingface_hub is imported anywhere.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.fixtures.tiny_models import cached_model  # noqa: E402


@pytest.fixture(scope="session")
def tiny_zh_en() -> Path:
    return cached_model("zh", "en")


@pytest.fixture(scope="session")
def tiny_en_zh() -> Path:
    return cached_model("en", "zh")


@pytest.fixture(scope="session")
def tiny_translator(tiny_zh_en, tiny_en_zh):
    from bilingual import Settings, Translator

    return Translator(Settings(model_zh_en=str(tiny_zh_en), model_en_zh=str(tiny_en_zh), offline=True))


@pytest.fixture(scope="session")
def tiny_summarizer_model() -> Path:
    return cached_model("en", "summary")
