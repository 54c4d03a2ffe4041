"""The tiny models' store: built once, verified, shared by every test process."""

from __future__ import annotations

import threading
import time

from tests.fixtures.tiny_models import _intact, stored


def test_a_tiny_model_is_built_once_when_test_workers_ask_for_it_at_once(tmp_path):
    calls = []

    def builder(folder):
        calls.append(folder)
        time.sleep(0.3)  # the others ask meanwhile
        (folder / "model.safetensors").write_bytes(b"weights")

    found = []
    threads = [threading.Thread(target=lambda: found.append(stored(tmp_path / "tiny", builder))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and found == [tmp_path / "tiny"] * 3 and _intact(tmp_path / "tiny")
    (tmp_path / "tiny" / "model.safetensors").write_bytes(b"damaged")
    assert stored(tmp_path / "tiny", builder) == tmp_path / "tiny" and len(calls) == 2  # damaged: built again
    assert (tmp_path / "tiny" / "model.safetensors").read_bytes() == b"weights"
