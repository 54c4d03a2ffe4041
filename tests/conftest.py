"""Test configuration: no network, a private home folder, and tiny real models built once per machine.

The environment is set by a session fixture (not when this file is imported), and restored
after the session. Every test that uses a tiny model is marked ``slow`` here, so
``pytest -m "not slow"`` runs the pure-logic tests only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.tiny_models import cached_model

MODEL_FIXTURES = {"tiny_zh_en", "tiny_en_zh", "tiny_settings", "tiny_translator", "tiny_translator_ct2",
                  "tiny_summarizer_model", "tiny_m2m100", "tiny_llm"}


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: its results are sent before the process ends
        import atexit

        atexit.register(_skip_finalization)
        try:  # nor a last full garbage collection (1 s on a worker's heap) to look for unraisable exceptions
            from _pytest.unraisableexception import gc_collect_iterations_key  # left by objects never freed
        except ImportError:  # another pytest: it collects, as before
            return
        config.stash[gc_collect_iterations_key] = 0


def _skip_finalization() -> None:
    """The last step of a test worker's exit (its threads joined, every other exit handler run): leave
    without freeing each object one by one, which took a worker 3 s (language detection's model, the page's
    modules, every test's leftovers) while the whole run waited for it."""
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # Tests that mostly wait (a browser, a clock, a timeout) start first: a worker waiting on one leaves the
    # cores to the others, where at the end of the run it would keep them all waiting.
    items.sort(key=lambda item: item.get_closest_marker("waits") is None)


@pytest.fixture(scope="session", autouse=True)
def test_environment() -> Iterator[None]:
    """No downloads; caches and converted models of code that reads the environment stay out of the home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("TRANSFORMERS_VERBOSITY", "error")
        patch.setenv("BILINGUAL_HOME", tempfile.mkdtemp(prefix="bilingual-test-home-"))
        import sys

        constants = sys.modules.get("huggingface_hub.constants")
        if constants is not None:  # imported before the session began (by a test module): offline too
            patch.setattr(constants, "HF_HUB_OFFLINE", True)
        yield


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


@pytest.fixture(scope="session")
def tiny_m2m100() -> Path:
    """One tiny M2M100-architecture model for both directions (tests/fixtures/tiny_engines.py)."""
    from tests.fixtures.tiny_engines import cached_engine_model

    return cached_engine_model("m2m100")


@pytest.fixture(scope="session")
def tiny_llm() -> Path:
    """A tiny Qwen2-architecture instruct model that answers the LLM engine's prompt (tests/fixtures/tiny_llm.py)."""
    from tests.fixtures.tiny_llm import cached_llm

    return cached_llm()
