"""Growth tests: does 8x the input take about 8x the time (linear), far from 64x (quadratic)?

Time is the process's CPU time (every thread of it, none of another process's), so a machine busy with
other work does not count; what noise is left (caches, a collection) can slow a run, never speed one
up: the small input's time is the best of three, and the large input is run again only while it is over
the bound. Linear code passes at its first large run (a third of a best-of-three's cost); a square is
over the bound every time.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def assert_linear_time(run: Callable[[int], Callable[[], object]], n: int, *, factor: int = 8,
                       slack: float = 2.5, floor: float = 0.05, tries: int = 3) -> tuple[float, float]:
    """``run(n)`` returns a callable doing ``n`` units of work; ``factor`` times the units must take less
    than ``factor * slack`` times as long (plus ``floor`` seconds for a timer's noise). Returns the times."""
    small = best_time(run(n), tries)
    large_run = run(factor * n)
    bound = factor * small * slack + floor
    large = float("inf")
    for _ in range(tries):
        large = min(large, best_time(large_run, 1))
        if large < bound:
            return small, large
    raise AssertionError(f"{factor}x the input took {large / max(small, 1e-9):.1f}x the time ({small:.3f} s, then "
                         f"{large:.3f} s): linear is {factor}x, quadratic {factor * factor}x")
