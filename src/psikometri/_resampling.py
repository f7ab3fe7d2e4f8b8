"""Seeded, reproducible resampling shared by every bootstrap in psikometri.

Design
------
Bootstrap replicates are drawn from a *counter-based* generator: replicate ``b``
of a run with seed ``s`` gets its own stream, derived from ``(s, b)`` with the
SplitMix64 mixer (Steele, Lea & Flood 2014).  A replicate's draws therefore do
not depend on which thread computes it nor on how many threads run, so numba
``prange`` loops over replicates give the same numbers as a serial loop and as
plain Python (``NUMBA_DISABLE_JIT=1``).  Same seed, same numbers.

Kernels never build resampled data sets: they draw ``n`` indices into a
per-replicate count vector (multinomial weights) and compute weighted
statistics from it, so memory stays O(n) per thread, never O(n_boot * n * k).

Public helpers here are used by the coefficient modules:

* :func:`resolve_seed` turns ``None``, an ``int`` or a ``numpy.random.Generator``
  into the 64-bit seed the kernels use.
* :func:`bootstrap_indices` materialises the index draws (for tests, for small
  problems and for Python-level bootstraps such as regressions).
* :func:`percentile_interval` and :func:`bca_interval` turn a bootstrap
  distribution into an interval (Efron & Tibshirani 1993, ch. 13-14).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numba import njit, prange
from scipy import stats

__all__ = [
    "resolve_seed",
    "bootstrap_indices",
    "bootstrap_counts",
    "percentile_interval",
    "bca_interval",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def _mix64(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def stream_start(seed, b):
    """Initial state of the stream of replicate ``b`` (uint64 arithmetic)."""
    return _mix64(np.uint64(seed) ^ _mix64(np.uint64(b) * _GOLDEN + _GOLDEN))


@njit(cache=True, inline="always")
def stream_uniform(state):
    """Advance ``state`` and return ``(new_state, u)`` with ``u`` uniform in [0, 1)."""
    state = state + _GOLDEN
    z = _mix64(state)
    return state, float(z >> _S11) * _INV53


@njit(cache=True, inline="always")
def stream_index(state, n):
    """Advance ``state`` and return ``(new_state, i)`` with ``i`` uniform in 0..n-1."""
    state, u = stream_uniform(state)
    i = int(u * n)
    if i >= n:  # guard against rounding at the top end
        i = n - 1
    return state, i


@njit(cache=True, inline="always")
def stream_normal(state):
    """Advance ``state`` and return ``(new_state, z)`` with ``z`` standard normal (Box-Muller)."""
    state, u1 = stream_uniform(state)
    state, u2 = stream_uniform(state)
    if u1 <= 0.0:
        u1 = _INV53
    return state, math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, inline="always")
def draw_counts(seed, b, n, counts):
    """Fill ``counts`` (length n, overwritten) with the multinomial counts of replicate ``b``."""
    for i in range(n):
        counts[i] = 0
    state = stream_start(seed, b)
    for _ in range(n):
        state, i = stream_index(state, n)
        counts[i] += 1


@njit(cache=True, parallel=True)
def _bootstrap_indices_kernel(seed, n, n_boot, out):
    for b in prange(n_boot):
        state = stream_start(seed, b)
        for j in range(n):
            state, i = stream_index(state, n)
            out[b, j] = i


@njit(cache=True, parallel=True)
def _bootstrap_counts_kernel(seed, n, n_boot, out):
    for b in prange(n_boot):
        draw_counts(seed, b, n, out[b])


def resolve_seed(seed) -> int:
    """Return a non-negative 63-bit integer seed.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        ``None`` draws fresh entropy from the operating system (not
        reproducible); an ``int`` >= 0 is used as is; a ``Generator`` supplies
        one integer.

    Raises
    ------
    TypeError
        If ``seed`` is of another type.
    ValueError
        If ``seed`` is a negative integer.
    """
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63 - 1))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be None, a non-negative integer or a numpy.random.Generator; got {seed!r} "
            f"of type {type(seed).__name__}. Pass e.g. seed=2024 for reproducible results."
        )
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got seed={seed}. Pass e.g. seed=2024.")
    return int(seed) & (2**63 - 1)


def _check_sizes(n, n_boot):
    if not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a positive integer; got n={n!r}.")
    if not isinstance(n_boot, numbers.Integral) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer; got n_boot={n_boot!r}. Use e.g. n_boot=2000.")


def bootstrap_indices(n: int, n_boot: int, seed=None) -> np.ndarray:
    """Row indices of ``n_boot`` bootstrap resamples of ``n`` observations.

    Replicate ``b`` is the same array whatever ``n_boot`` is and however many
    threads compute it, so results are reproducible by ``seed``.

    Returns
    -------
    ndarray of shape (n_boot, n), dtype int64

    Examples
    --------
    >>> from psikometri._resampling import bootstrap_indices
    >>> idx = bootstrap_indices(5, 3, seed=1)
    >>> idx.shape
    (3, 5)
    >>> bool((bootstrap_indices(5, 1, seed=1) == idx[:1]).all())
    True
    """
    _check_sizes(n, n_boot)
    out = np.empty((int(n_boot), int(n)), dtype=np.int64)
    _bootstrap_indices_kernel(np.uint64(resolve_seed(seed)), int(n), int(n_boot), out)
    return out


def bootstrap_counts(n: int, n_boot: int, seed=None) -> np.ndarray:
    """Multinomial counts (how often each row is drawn) for ``n_boot`` resamples.

    ``bootstrap_counts(n, B, s)[b]`` equals ``np.bincount(bootstrap_indices(n, B, s)[b], minlength=n)``.
    """
    _check_sizes(n, n_boot)
    out = np.empty((int(n_boot), int(n)), dtype=np.int64)
    _bootstrap_counts_kernel(np.uint64(resolve_seed(seed)), int(n), int(n_boot), out)
    return out


def _check_level(level):
    if not isinstance(level, numbers.Real) or not (0.0 < float(level) < 1.0):
        raise ValueError(f"level must be a number strictly between 0 and 1; got level={level!r}. Use e.g. level=0.95.")


def percentile_interval(boot: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval: the (1-level)/2 and (1+level)/2 quantiles of ``boot``.

    Non-finite replicates are dropped; returns ``(nan, nan)`` when fewer than 2 remain.
    """
    _check_level(level)
    boot = np.asarray(boot, dtype=float)
    boot = boot[np.isfinite(boot)]
    if boot.size < 2:
        return (math.nan, math.nan)
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(boot, [a, 1.0 - a])
    return (float(lo), float(hi))


def bca_interval(
    boot: np.ndarray, theta_hat: float, jackknife: np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    r"""Bias-corrected and accelerated (BCa) bootstrap interval.

    .. math::

        z_0 = \Phi^{-1}\{\#(\hat\theta^*_b < \hat\theta) / B\},\qquad
        a = \frac{\sum_i (\bar\theta_{(\cdot)} - \theta_{(i)})^3}
                 {6\,[\sum_i (\bar\theta_{(\cdot)} - \theta_{(i)})^2]^{3/2}}

    and the interval's ends are the bootstrap quantiles at
    :math:`\Phi(z_0 + (z_0 + z_\alpha)/(1 - a(z_0 + z_\alpha)))`
    (Efron & Tibshirani 1993, eq. 14.9-14.15).

    Parameters
    ----------
    boot : array
        Bootstrap replicates of the statistic.
    theta_hat : float
        The statistic on the original data.
    jackknife : array
        Leave-one-out values of the statistic (for the acceleration).
    level : float
        Confidence level.
    """
    _check_level(level)
    boot = np.asarray(boot, dtype=float)
    boot = boot[np.isfinite(boot)]
    jack = np.asarray(jackknife, dtype=float)
    jack = jack[np.isfinite(jack)]
    if boot.size < 2 or not math.isfinite(theta_hat):
        return (math.nan, math.nan)
    prop = (np.sum(boot < theta_hat) + 0.5 * np.sum(boot == theta_hat)) / boot.size
    prop = min(max(prop, 1.0 / (boot.size + 1)), boot.size / (boot.size + 1.0))
    z0 = stats.norm.ppf(prop)
    if jack.size >= 2:
        d = jack.mean() - jack
        den = 6.0 * (np.sum(d**2) ** 1.5)
        acc = float(np.sum(d**3) / den) if den > 0 else 0.0
    else:
        acc = 0.0
    alpha = (1.0 - level) / 2.0
    out = []
    for z_a in (stats.norm.ppf(alpha), stats.norm.ppf(1.0 - alpha)):
        adj = z0 + (z0 + z_a) / (1.0 - acc * (z0 + z_a))
        out.append(float(np.quantile(boot, stats.norm.cdf(adj))))
    return (out[0], out[1])
