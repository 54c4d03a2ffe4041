"""Decoding guards, without a model: the length cap and the repetition-loop check.

Marian models sometimes loop on short Chinese fragments ("come on, come on,
come on, ..."). The backend caps new tokens relative to the source length and
re-decodes or trims any output that ``find_loop`` flags.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

logger = logging.getLogger(__name__)


def max_new_tokens(source_tokens: int, ratio: float, limit: int = 512) -> int:
    """Most tokens the model may produce for a source of ``source_tokens`` tokens."""
    return max(8, min(limit, int(ratio * source_tokens) + 10))


def find_loop(tokens: Sequence[object], min_repeats: int = 3, max_period: int = 12) -> int | None:
    """Index where a run of one n-gram repeated ``min_repeats`` times in a row starts, or None.

    Single tokens must repeat ``min_repeats + 1`` times (``"...."`` of periods and the like
    are common), longer n-grams ``min_repeats`` times.
    """
    n = len(tokens)
    for period in range(1, max_period + 1):
        needed = period * (min_repeats + (1 if period == 1 else 0))
        if needed > n:
            break
        run = 0
        for i in range(period, n):
            run = run + 1 if tokens[i] == tokens[i - period] else 0
            if run >= needed - period:
                return i - needed + 1
    return None


def trim_loop(tokens: Sequence[object], start: int, max_period: int = 12) -> list[object]:
    """Keep ``tokens`` up to the end of the first occurrence of the loop that starts at ``start``."""
    tail = tokens[start:]
    for period in range(1, max_period + 1):
        if len(tail) >= 2 * period and tail[:period] == tail[period : 2 * period]:
            return list(tokens[: start + period])
    return list(tokens[: start + 1])


# Decoding options for a second pass over outputs caught in a loop.
STRICT = {"no_repeat_ngram_size": 3, "repetition_penalty": 1.3}

# (indices of the batch's sources, most new tokens, strict) -> one token sequence per index, or
# (token sequences, scores): the mean log-probability of each sequence's tokens.
Generate = Callable[[Sequence[int], int, bool], "list[Sequence[Any]] | tuple[list[Sequence[Any]], list[float]]"]


def _split(result) -> tuple[list, list[float | None]]:
    if isinstance(result, tuple):
        return result[0], list(result[1])
    return result, [None] * len(result)


def guarded_decode(
    source_lengths: Sequence[int],
    generate: Generate,
    *,
    length_ratio: float,
    limit: int = 512,
    guard: bool = True,
    scores: list | None = None,
) -> tuple[list[list[Any]], list[bool]]:
    """The one decoding policy every backend runs around its raw generate call.

    Each output is capped at ``max_new_tokens`` of its source; with ``guard``, outputs caught
    in a repetition loop are decoded again in one batch with :data:`STRICT` options, and
    trimmed at the loop if they still loop.

    Returns:
        ``(outputs, guarded)``: the token sequences, and for each whether the guard had to act.
        When ``scores`` is a list, it receives each output's score (None where the backend gives none).
    """
    caps = [max_new_tokens(n, length_ratio, limit) for n in source_lengths]
    if not caps:
        return [], []
    first, first_scores = _split(generate(range(len(caps)), max(caps), False))
    outputs = [list(out[:cap]) for out, cap in zip(first, caps)]
    if scores is not None:
        scores[:] = first_scores
    guarded = [False] * len(outputs)
    looping = [i for i, out in enumerate(outputs) if guard and find_loop(out) is not None]
    if looping:
        logger.debug("repetition loops in %d outputs; decoding them again", len(looping))
        again, again_scores = _split(generate(looping, max(caps[i] for i in looping), True))
        for i, out, score in zip(looping, again, again_scores):
            if scores is not None:
                scores[i] = score
            out = list(out[: caps[i]])
            still = find_loop(out)
            outputs[i] = out if still is None else trim_loop(out, still)
            guarded[i] = True
    return outputs, guarded
