"""Numba kernels of :mod:`psikometri._codes`: integer codes and tables from long-format ids (private).

Contiguous arrays in, contiguous arrays out; compiled on first call and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def int_bounds(v):
    """``(min, max)`` of a non-empty int64 array in one pass."""
    lo = v[0]
    hi = v[0]
    for i in range(1, v.size):
        x = v[i]
        if x < lo:
            lo = x
        elif x > hi:
            hi = x
    return lo, hi


@njit(cache=True)
def compact_int_codes(v, lo, span, codes):
    """Dense ranks of ``v`` (values in ``lo .. lo + span - 1``) written to ``codes``; returns the present offsets.

    ``codes[i]`` is the number of distinct values of ``v`` below ``v[i]``.
    """
    rank = np.zeros(span, dtype=np.int64)
    for i in range(v.size):
        rank[v[i] - lo] = 1
    k = 0
    present = np.empty(span, dtype=np.int64)
    for j in range(span):
        if rank[j]:
            rank[j] = k
            present[k] = j
            k += 1
    for i in range(v.size):
        codes[i] = rank[v[i] - lo]
    return present[:k]


@njit(cache=True)
def scatter_table(tc, rc, y, n_r, x):
    """Write ``y[i]`` at ``x[tc[i] * n_r + rc[i]]`` (``x`` flat, pre-filled); stop at the first repeated cell.

    Returns the position of the first row whose cell was already written, or -1.
    """
    seen = np.zeros(x.size, dtype=np.uint8)
    for i in range(tc.size):
        k = tc[i] * n_r + rc[i]
        if seen[k]:
            return i
        seen[k] = 1
        x[k] = y[i]
    return -1
