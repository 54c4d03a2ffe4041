"""Test configuration: no network, and tiny real models built once per machine."""

from __future__ import annotations

import os
import tempfile

# Tests never touch the network; set before huggingface_hub is imported anywhere.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# Caches and converted models of code that reads the environment stay out of the user's home.
os.environ["BILINGUAL_HOME"] = tempfile.mkdtemp(prefix="bilingual-test-home-")

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
def tiny_settings(tiny_zh_en, tiny_en_zh, tmp_path_factory):
    from bilingual import Settings

    return Settings(
        model_zh_en=str(tiny_zh_en),
        model_en_zh=str(tiny_en_zh),
        offline=True,
        backend="transformers",
        home=str(tmp_path_factory.mktemp("home")),
    )


@pytest.fixture(scope="session")
def tiny_translator(tiny_settings):
    from bilingual import Translator

    return Translator(tiny_settings)


@pytest.fixture(scope="session")
def tiny_translator_ct2(tiny_settings):
    from bilingual import Translator

    return Translator(tiny_settings, backend="ctranslate2")


@pytest.fixture(scope="session")
def tiny_summarizer_model() -> Path:
    return cached_model("en", "summary")
