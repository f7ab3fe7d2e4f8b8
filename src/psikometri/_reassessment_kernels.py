r"""numba kernels for :mod:`psikometri.reassessment` (exact normal-model category probabilities).

The public entry points are :func:`psikometri.reassessment.decision_consistency` and
:meth:`psikometri.reassessment.TransitionResult.expected_by_error`.  Both need, for every
person, the probabilities that two normal variables sharing a true score fall in each pair of
categories:

.. math::

    Y_1 = T + E_1,\quad Y_2 = T + E_2,\qquad T \sim N(m_i, v),\ E_j \sim N(0, s_j^2)

independent, so :math:`(Y_1, Y_2)` is bivariate normal with means :math:`m_i`, variances
:math:`v + s_j^2` and covariance :math:`v`.  (:math:`s_1 = 0` makes :math:`Y_1` the true score
itself.)  :func:`pair_probs` writes :math:`P(Y_1 \in a, Y_2 \in b)` for every pair of categories
``a, b`` of the cut-offs, by inclusion-exclusion of the bivariate normal CDF on the grid of cuts.

The bivariate normal CDF (:func:`bvn_lower`) uses Sheppard's formula

.. math::

    P(X < h, Y < k) = \Phi(h)\Phi(k) + \frac{1}{2\pi}\int_0^{\arcsin r}
        \exp\!\Big(-\frac{h^2 + k^2 - 2hk\sin\theta}{2\cos^2\theta}\Big)\,d\theta

integrated by Gauss-Legendre quadrature (the form used by Drezner & Wesolowsky 1990 and Genz 2004
for :math:`|r| < 0.925`).  With 20 nodes it is exact to rounding for :math:`|r| \le 0.75`
(checked in the tests against ``scipy.stats.multivariate_normal``); the public functions only
call it with :math:`r \le 1/\sqrt 2`.

In :func:`pair_probs` the quadrature terms that depend on the correlation only (the sines and
weights) are computed once per call.  The ``prange`` loop over persons writes only row ``i`` of
the output.

References
----------
Drezner, Z., & Wesolowsky, G. O. (1990). On the computation of the bivariate normal integral.
*Journal of Statistical Computation and Simulation*, 35, 101-107.
Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and t
probabilities. *Statistics and Computing*, 14, 251-260.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_SQRT1_2 = 0.7071067811865476
_INV_2PI = 0.15915494309189535

#: Gauss-Legendre nodes used by :func:`bvn_lower` (20 points on [-1, 1]).
GL_NODES = 20


def gauss_legendre() -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the 20-point Gauss-Legendre rule on [-1, 1] (contiguous float64)."""
    x, w = np.polynomial.legendre.leggauss(GL_NODES)
    return np.ascontiguousarray(x), np.ascontiguousarray(w)


@njit(cache=True, inline="always")
def _ndtr(z):
    """Standard normal CDF; exact at +-inf."""
    return 0.5 * math.erfc(-z * _SQRT1_2)


@njit(cache=True)
def bvn_lower(h, k, r, gl_x, gl_w):
    """P(X < h, Y < k) for a standard bivariate normal with correlation ``r`` (|r| <= 0.75).

    ``h`` and ``k`` may be infinite.
    """
    sn, ic, wh = _r_terms(r, gl_x, gl_w)
    return _bvn_pre(h, k, sn, ic, wh)


@njit(cache=True, inline="always")
def _bvn_pre(h, k, sn, ic, wh):
    """:func:`bvn_lower` with the quadrature terms that depend on ``r`` only precomputed.

    ``sn[j] = sin(asin(r)/2 (1 + x_j))``, ``ic[j] = 1 / (2 (1 - sn[j]^2))``,
    ``wh[j] = w_j asin(r) / (4 pi)``; empty arrays for ``r = 0``.
    """
    if h == -np.inf or k == -np.inf:
        return 0.0
    if h == np.inf:
        return _ndtr(k)
    if k == np.inf:
        return _ndtr(h)
    s = _ndtr(h) * _ndtr(k)
    hk2 = 2.0 * h * k
    hs = h * h + k * k
    for j in range(sn.shape[0]):
        s += wh[j] * math.exp((hk2 * sn[j] - hs) * ic[j])
    return s


@njit(cache=True, inline="always")
def _z(c, m, sd):
    """Standardised cut ``(c - m) / sd``; a degenerate variable (sd = 0) gives -inf or +inf (equal goes up)."""
    if sd > 0.0:
        return (c - m) / sd
    if m < c:
        return np.inf
    return -np.inf


@njit(cache=True, parallel=True)
def pair_probs(mean, v, s1, s2, cuts, gl_x, gl_w, out):
    r"""Category-pair probabilities of two measurements sharing a normal true score.

    Parameters
    ----------
    mean : (n,) float64
        Mean of each person's true score :math:`m_i`.
    v : float
        Variance of the true score given the data (the same for every person), >= 0.
    s1, s2 : float
        Error standard deviations of the two measurements (0: the true score itself).
    cuts : (K - 1,) float64
        Increasing cut-offs; category ``a`` is ``cuts[a-1] <= y < cuts[a]``.
    gl_x, gl_w : float64 arrays
        Gauss-Legendre nodes and weights (:func:`gauss_legendre`).

    Outputs
    -------
    out : (n, K, K) float64, overwritten
        ``out[i, a, b]`` = :math:`P(Y_1 \in a, Y_2 \in b)` for person ``i``; row ``i`` written by
        iteration ``i`` only.
    """
    n = mean.shape[0]
    nk = cuts.shape[0] + 1
    sd1, sd2, sn, ic, wh = _quadrature(v, s1, s2, gl_x, gl_w)
    for i in prange(n):
        grid = np.empty((nk + 1, nk + 1))
        z1 = np.empty(nk + 1)
        z2 = np.empty(nk + 1)
        _pair_table(mean[i], sd1, sd2, cuts, sn, ic, wh, grid, z1, z2, out[i])


@njit(cache=True)
def _r_terms(r, gl_x, gl_w):
    """The quadrature terms of :func:`_bvn_pre` that depend on the correlation ``r`` only (empty for r = 0)."""
    n_nodes = gl_x.shape[0] if r != 0.0 else 0
    half = 0.5 * math.asin(r)
    sn = np.empty(n_nodes)
    ic = np.empty(n_nodes)
    wh = np.empty(n_nodes)
    for j in range(n_nodes):
        sn[j] = math.sin(half * (1.0 + gl_x[j]))
        ic[j] = 1.0 / (2.0 * (1.0 - sn[j] * sn[j]))
        wh[j] = gl_w[j] * half * _INV_2PI
    return sn, ic, wh


@njit(cache=True)
def _quadrature(v, s1, s2, gl_x, gl_w):
    """``sd1, sd2`` and the ``r``-dependent quadrature terms of :func:`_bvn_pre` for two measurements."""
    sd1 = math.sqrt(v + s1 * s1)
    sd2 = math.sqrt(v + s2 * s2)
    r = 0.0
    if sd1 > 0.0 and sd2 > 0.0:
        r = v / (sd1 * sd2)
    sn, ic, wh = _r_terms(r, gl_x, gl_w)
    return sd1, sd2, sn, ic, wh


@njit(cache=True)
def _pair_table(m, sd1, sd2, cuts, sn, ic, wh, grid, z1, z2, res):
    """``res[a, b] = P(Y1 in a, Y2 in b)`` for one person (the body of :func:`pair_probs`)."""
    nk = cuts.shape[0] + 1
    z1[0] = -np.inf
    z2[0] = -np.inf
    z1[nk] = np.inf
    z2[nk] = np.inf
    for a in range(1, nk):
        z1[a] = _z(cuts[a - 1], m, sd1)
        z2[a] = _z(cuts[a - 1], m, sd2)
    for a in range(nk + 1):
        for b in range(nk + 1):
            grid[a, b] = _bvn_pre(z1[a], z2[b], sn, ic, wh)
    for a in range(nk):
        for b in range(nk):
            p = grid[a + 1, b + 1] - grid[a, b + 1] - grid[a + 1, b] + grid[a, b]
            res[a, b] = p if p > 0.0 else 0.0


@njit(cache=True, parallel=True)
def bootstrap_consistency(x, rel, cuts, gl_x, gl_w, counts, out):
    """Cohort figures (agreement, chance agreement, kappa, accuracy) of every bootstrap resample.

    ``counts[b, i]``: how often person ``i`` is drawn in resample ``b``.  Row ``b`` of ``out`` (n_boot, 4)
    is written by iteration ``b`` only; a resample of constant scores gives NaN.  Each resample refits the
    cohort's mean and SD and evaluates the same normal true-score model as the full sample.
    """
    n_boot, n = counts.shape
    nk = cuts.shape[0] + 1
    for b in prange(n_boot):
        w_sum = 0.0
        mu = 0.0
        lo = np.inf
        hi = -np.inf
        for i in range(n):
            c = counts[b, i]
            if c > 0:
                w_sum += c
                mu += c * x[i]
                lo = min(lo, x[i])
                hi = max(hi, x[i])
        if not hi > lo or w_sum < 2.0:
            for j in range(4):
                out[b, j] = np.nan
            continue
        mu /= w_sum
        ss = 0.0
        for i in range(n):
            c = counts[b, i]
            if c > 0:
                ss += c * (x[i] - mu) ** 2
        s = math.sqrt(ss / (w_sum - 1.0))
        v = rel * (1.0 - rel) * s * s
        sem = s * math.sqrt(1.0 - rel)
        sd1, sd2, sn, ic, wh = _quadrature(v, sem, sem, gl_x, gl_w)
        td1, td2, tsn, tic, twh = _quadrature(v, 0.0, sem, gl_x, gl_w)
        grid = np.empty((nk + 1, nk + 1))
        z1 = np.empty(nk + 1)
        z2 = np.empty(nk + 1)
        both = np.empty((nk, nk))
        tx = np.empty((nk, nk))
        qbar = np.zeros(nk)
        pa = 0.0
        acc = 0.0
        for i in range(n):
            c = counts[b, i]
            if c == 0:
                continue
            m = mu + rel * (x[i] - mu)
            _pair_table(m, sd1, sd2, cuts, sn, ic, wh, grid, z1, z2, both)
            _pair_table(m, td1, td2, cuts, tsn, tic, twh, grid, z1, z2, tx)
            for a in range(nk):
                pa += c * both[a, a]
                acc += c * tx[a, a]
                row = 0.0
                for d in range(nk):
                    row += both[a, d]
                qbar[a] += c * row
        pa /= w_sum
        acc /= w_sum
        pc = 0.0
        for a in range(nk):
            q = qbar[a] / w_sum
            pc += q * q
        out[b, 0] = pa
        out[b, 1] = pc
        out[b, 2] = (pa - pc) / (1.0 - pc) if pc < 1.0 - 1e-12 else np.nan
        out[b, 3] = acc
