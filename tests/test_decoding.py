"""The one decoding policy and the one device resolver shared by every backend."""

from __future__ import annotations

import pytest

from bilingual.errors import BackendNotAvailableError
from bilingual.translation.devices import resolve_device
from bilingual.translation.guards import STRICT, guarded_decode, max_new_tokens


def test_policy_caps_redecodes_loops_once_and_trims_what_still_loops():
    calls = []

    def generate(indices, cap, strict):
        calls.append((list(indices), cap, strict))
        out = {0: list("abcdefghijklmnopqrstuvwxyz"), 1: list("xyxyxyxyxy"), 2: list("hello")}
        if strict:  # the second pass mends 1 and 2 still loops
            out = {1: list("xyz"), 2: list("lalalalala")}
        return [out[i] for i in indices]

    def looping_generate(indices, cap, strict):
        base = generate(indices, cap, strict)
        return [list("lalalalala") if (i == 2 and not strict) else seq for i, seq in zip(indices, base)]

    outputs, guarded = guarded_decode([2, 3, 4], looping_generate, length_ratio=1.0)
    caps = [max_new_tokens(n, 1.0) for n in (2, 3, 4)]
    assert caps == [12, 13, 14]
    assert calls[0] == ([0, 1, 2], 14, False)
    assert calls[1] == ([1, 2], 14, True)  # only the looping outputs, in one batch
    assert outputs[0] == list("abcdefghijkl")  # capped at 12 tokens
    assert outputs[1] == list("xyz")
    assert outputs[2] == list("la")  # still looping after the second pass: trimmed
    assert guarded == [False, True, True]


def test_policy_without_guard_never_redecodes():
    calls = []

    def generate(indices, cap, strict):
        calls.append(strict)
        return [list("abababababab") for _ in indices]

    outputs, guarded = guarded_decode([5], generate, length_ratio=3.0, guard=False)
    assert calls == [False] and guarded == [False] and outputs == [list("abababababab")]
    assert guarded_decode([], generate, length_ratio=3.0) == ([], [])
    assert STRICT == {"no_repeat_ngram_size": 3, "repetition_penalty": 1.3}


@pytest.mark.parametrize(
    ("requested", "cuda", "expected"),
    [(None, 0, ("cpu", 0)), (None, 2, ("cuda", 0)), ("cpu", 2, ("cpu", 0)), ("cuda:1", 2, ("cuda", 1)),
     ("CUDA", 1, ("cuda", 0))],
)
def test_device_resolver_keeps_the_index(requested, cuda, expected):
    assert resolve_device(requested, cuda) == expected


@pytest.mark.parametrize(("requested", "cuda", "message"),
                         [("cuda:1", 1, "has 1 CUDA device"), ("cuda", 0, "has 0 CUDA"), ("gpu", 1, "Unknown device"),
                          ("cuda:x", 2, "Unknown device")])
def test_device_resolver_refuses_what_is_not_there(requested, cuda, message):
    with pytest.raises(BackendNotAvailableError, match=message):
        resolve_device(requested, cuda)
