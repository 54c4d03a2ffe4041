"""The tiny models' store: built once, verified, shared by every test process."""

from __future__ import annotations

import threading
import time

import pytest

from tests.fixtures.tiny_models import _intact, stored


@pytest.mark.waits
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


def test_the_growth_check_tells_a_square_from_a_line():
    from tests.growth import assert_linear_time

    def run(n: int):
        return lambda: sum(i ^ j for i in range(n) for j in range(n))

    with pytest.raises(AssertionError, match="quadratic 64x"):
        assert_linear_time(run, 120, floor=0.0)
    small, large = assert_linear_time(lambda n: (lambda: sum(i ^ 7 for i in range(n * 120))), 120, floor=0.0)
    assert 0 < small < large
