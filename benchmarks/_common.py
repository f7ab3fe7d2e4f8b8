"""Helpers for the side-by-side benchmarks.

Each ``benchmarks/bench_<family>.py`` module defines ``cases(quick: bool) -> list[dict]``.
Every dict is one row of the report, with keys

``case``      what is measured (sizes included),
``ours``      seconds taken by psikometri (best of the repeats, after compilation),
``baseline``  name of what it is compared with (``"pingouin"``, ``"krippendorff"``, ``"numpy"``...),
``theirs``    seconds taken by the baseline (``None`` if only our time is reported),
``target``    the figure to reach, as text (e.g. ``">= 20x"`` or ``"< 2 s"``),
``check``     optional text, e.g. the largest absolute difference between the two results.

``ratio`` (theirs / ours) is computed by the runner.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], repeat: int = 3, warmup: int = 1) -> float:
    """Best wall-clock time of ``repeat`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def once(fn: Callable[[], object]) -> tuple[float, object]:
    """Time a single call and return ``(seconds, result)``."""
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out
