"""Decoding guards, without a model: the length cap and the repetition-loop check.

Marian models sometimes loop on short Chinese fragments ("come on, come on,
come on, ..."). The backend caps new tokens relative to the source length and
re-decodes or trims any output that ``find_loop`` flags.
"""

from __future__ import annotations

from collections.abc import Sequence


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
