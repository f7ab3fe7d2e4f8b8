r"""numba kernels for :mod:`psikometri.talent` (placement consistency of the nine-box grid).

The public entry point is :func:`psikometri.talent.placement_consistency`, which
validates the data, computes each candidate's posterior true-score distribution
and calls :func:`placement_kernel`; with ``n_boot > 0`` it then calls
:func:`placement_boot_kernel`, which runs every bootstrap resample (moments,
posterior, simulation and grid table) in one kernel.  The model and the formulas
are documented there; this module only does the arithmetic.

Every candidate ``i`` draws from its own counter-based stream
``stream_start(seed, i)`` (see :mod:`psikometri._resampling`), so the results do
not depend on the number of threads, and the ``prange`` loop writes only row
``i`` of each output array.  The bootstrap kernel's ``prange`` runs over
resamples: resample ``b`` draws its candidates from ``stream_start(seed, b)`` and
their true scores from the streams of seed ``(seed + 1 + b) mod 2**63``, and
writes only ``out[b]``.  Both kernels share :func:`_simulate_candidate`, so a
resample's simulation is the same arithmetic as :func:`placement_kernel` on it.

The normal CDF inside the simulation loop is read from a table with cubic Hermite interpolation
(:func:`phi_table`, :func:`_phi`): nodes every 1/64 on [-8.5, 8.5] carrying the exact values of
:math:`\Phi` and :math:`\varphi`; the interpolation error is below 3e-10 (checked in the tests against
``scipy.special.ndtr``), four orders of magnitude below the Monte-Carlo error of any probability the
kernel returns, and it is cheaper than ``erfc`` (the whole kernel runs about 1.5x faster).

The simulation (:func:`_simulate_candidate`) runs a candidate's draws in blocks of ``_CHUNK``: first the
Box-Muller normals of the block, in stream order (:func:`_normals`), then the interpolation weights of the four
:math:`\Phi` values of every draw (a loop without branches or table reads, which the compiler runs on several
draws at once), then the table reads and the sums.  This returns the numbers of the plain one-draw-at-a-time
loop bit for bit (tests/naive_talent.py keeps that loop and the tests compare the two with ``np.array_equal``):
the draws, the formulas and the order in which every sum adds its terms are the same; only independent work
is regrouped.  On one thread it halves the time of the bootstrap kernel.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy.special import ndtr

from ._resampling import stream_index, stream_start, stream_uniform

#: Box number minus one for (potential level - 1, performance level - 1), PermenPANRB 3/2020.
BOX_INDEX = np.array([[0, 1, 3], [2, 4, 6], [5, 7, 8]], dtype=np.int64)

_TINY = 1.1102230246251565e-16  # 2**-53
PHI_STEP = 1.0 / 64.0
PHI_LIMIT = 8.5


def phi_table() -> tuple[np.ndarray, np.ndarray]:
    """Exact normal CDF and density at the interpolation nodes -8.5, -8.5 + 1/64, ..., 8.5.

    The last value, Phi(8.5) = 1 - 9.5e-18, is 1 in double precision; :func:`_hermite` relies on it.
    """
    x = -PHI_LIMIT + PHI_STEP * np.arange(int(round(2 * PHI_LIMIT / PHI_STEP)) + 1)
    return np.ascontiguousarray(ndtr(x)), np.ascontiguousarray(np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))


@njit(cache=True, inline="always")
def _hermite(z, last):
    """Node and weights of the table interpolation of Phi(z): ``(j, w0, w1, w2, w3)``, ``j`` as a float.

    Phi(z) = ``w0 * tab_v[j] + w1 * tab_d[j] + w2 * tab_v[j + 1] + w3 * tab_d[j + 1]`` (:func:`_interp`),
    with ``last`` = number of nodes - 2.  No branch and no table access, so a loop of these runs on
    several ``z`` at once.  At or below -8.5 all weights are 0 (Phi = 0); at or above 8.5 ``z`` is clipped
    to 8.5, where the weights are (0, 0, 1, 0) on the last node, whose value Phi(8.5) is 1 in double
    precision (checked in the tests), so Phi = 1; an infinite ``z`` gives 0 or 1 the same way.
    """
    zc = min(max(z, -PHI_LIMIT), PHI_LIMIT)
    s = (zc + PHI_LIMIT) * (1.0 / PHI_STEP)
    jf = min(np.floor(s), last)
    u = s - jf
    u2 = u * u
    u3 = u2 * u
    w0 = 2.0 * u3 - 3.0 * u2 + 1.0
    w1 = (u3 - 2.0 * u2 + u) * PHI_STEP
    w2 = 3.0 * u2 - 2.0 * u3
    w3 = (u3 - u2) * PHI_STEP
    low = z <= -PHI_LIMIT
    return jf, 0.0 if low else w0, 0.0 if low else w1, 0.0 if low else w2, 0.0 if low else w3


@njit(cache=True, inline="always")
def _interp(jf, w0, w1, w2, w3, tab_v, tab_d):
    """The cubic Hermite interpolant of :func:`_hermite` on the table (node ``jf``, a float >= 0).

    The node is converted to an unsigned integer, which spares the negative-index handling of signed
    indices (``jf`` is never negative).
    """
    j = np.uint64(jf)
    j1 = j + np.uint64(1)
    return w0 * tab_v[j] + w1 * tab_d[j] + w2 * tab_v[j1] + w3 * tab_d[j1]


@njit(cache=True, inline="always")
def _phi(z, tab_v, tab_d):
    """Normal CDF by cubic Hermite interpolation of the table; 0 at or below -8.5 and 1 at or above 8.5."""
    jf, w0, w1, w2, w3 = _hermite(z, tab_v.shape[0] - 2.0)
    return _interp(jf, w0, w1, w2, w3, tab_v, tab_d)


@njit(cache=True, inline="always")
def _level(x, c1, c2):
    """Level 0, 1 or 2 of ``x`` for cuts ``c1 < c2`` (a value equal to a cut goes up), without a branch."""
    return (1.0 if x >= c1 else 0.0) + (1.0 if x >= c2 else 0.0)


@njit(cache=True, inline="always")
def _pick(k, v0, v1, v2):
    """``(v0, v1, v2)[k]`` for ``k`` in 0, 1, 2."""
    if k == 0:
        return v0
    return v1 if k == 1 else v2


@njit(cache=True, inline="always")
def _z_upper(t, c, inv_sd):
    """Argument of Phi in P(T + E >= c | T = t) = Phi((t - c) / sd); +-inf (a step at ``c``) when sd = 0."""
    step = math.inf if t >= c else -math.inf
    return (t - c) * inv_sd if inv_sd > 0.0 else step


#: draws per block: the normal deviates of a block are made first (a loop of ``log``/``sincos`` calls), then
#: the interpolation weights (a loop without branches or table reads), then the sums
_CHUNK = 64
#: fields of the scratch block (each ``_CHUNK`` long): the two normals; node and four weights for each of the
#: four Phi values (potential cut 1 and 2, performance cut 1 and 2); the true levels
_F_Z1 = 0
_F_Z2 = 1
_F_PHI = 2
_F_LP = 22
_F_LF = 23
_N_FIELDS = 24


#: the Box-Muller angles of a block are visited by ``_ANGLE_BINS`` equal sectors of the circle (see :func:`_normals`)
_ANGLE_BINS = 16


@njit(cache=True, inline="always")
def _normals(state, m, buf, order):
    """Advance ``state`` by ``m`` Box-Muller pairs; pair ``k`` goes to fields ``_F_Z1``, ``_F_Z2`` of ``buf``.

    Pair ``k`` is ``r cos(a), r sin(a)`` with ``r = sqrt(-2 log u1)``, ``a = 2 pi u2`` and ``u1`` (0 taken as
    2**-53), ``u2`` the next two uniforms of the stream.  The uniforms come first (a loop the compiler
    runs on several draws at once); then ``log`` and ``sincos`` are called draw by draw, with the draws
    visited by sector of their angle (a counting sort into ``order``, int64 scratch of
    ``2 * _CHUNK + _ANGLE_BINS + 1``).  The library's sine and cosine branch on the range and the quadrant of
    the angle; in random order those branches are mispredicted, by sector they are not, which makes the
    calls about a third cheaper.  The calls are pure functions, so the order changes no number.
    """
    z1 = _F_Z1 * _CHUNK
    z2 = _F_Z2 * _CHUNK
    cnt = _CHUNK  # order[cnt + b]: first position of sector b, then the next free one
    sec = _CHUNK + _ANGLE_BINS + 1  # order[sec + k]: sector of draw k
    for k in range(m):
        state, u1 = stream_uniform(state)
        state, u2 = stream_uniform(state)
        buf[z1 + k] = u1
        buf[z2 + k] = u2
        order[sec + k] = int(u2 * _ANGLE_BINS)
    for b in range(_ANGLE_BINS + 1):
        order[cnt + b] = 0
    for k in range(m):
        order[cnt + 1 + order[sec + k]] += 1
    for b in range(_ANGLE_BINS):
        order[cnt + b + 1] += order[cnt + b]
    for k in range(m):
        b = cnt + order[sec + k]
        order[order[b]] = k
        order[b] += 1
    for i in range(m):
        k = order[i]
        u1 = buf[z1 + k]
        if u1 <= 0.0:
            u1 = _TINY
        r = math.sqrt(-2.0 * math.log(u1))
        a = 2.0 * math.pi * buf[z2 + k]
        buf[z1 + k] = r * math.cos(a)
        buf[z2 + k] = r * math.sin(a)
    return state


@njit(cache=True, inline="always")
def _simulate_candidate(state, m_p, m_f, a_lp, a_lf, l11, l21, l22, inv_p, inv_f, cp1, cp2, cf1, cf2, n_sim,
                        tab_v, tab_d, buf, order, sq, cnt, full):
    """Draw ``n_sim`` true-score pairs of one candidate from ``state``.

    Writes the 15 class sums into ``sq`` (9 boxes, 3 potential, 3 performance levels; overwritten) and, when
    ``full``, adds the true-box counts to ``cnt`` (9, zero on entry).  Returns the sums of
    ``(retest, acc grid, acc potential, acc performance, agree grid, agree potential, agree performance)``;
    the first four are 0 unless ``full`` (the bootstrap needs only the agreement and class sums, and passes
    a constant ``False`` so that the compiler drops the rest).  ``buf``: float scratch of
    ``_N_FIELDS * _CHUNK``; ``order``: int64 scratch for :func:`_normals`.

    The draws run in blocks of ``_CHUNK``: the normals of the block (draw ``k`` of the block gets the
    ``k``-th pair of the stream), then the weights of the four Phi values of every draw (a loop the
    compiler runs on several draws at once), then the table reads and the sums, with every sum in a
    register (the library calls of Box-Muller clobber every floating-point register, so sums carried
    across them would go through memory at each draw).  Each sum still adds its terms draw by draw from
    0.0, and each Phi value is the arithmetic of :func:`_phi`, so the numbers are those of the one-loop
    form (tests/naive_talent.py) bit for bit.
    """
    last = tab_v.shape[0] - 2.0
    q0 = 0.0
    q1 = 0.0
    q2 = 0.0
    q3 = 0.0
    q4 = 0.0
    q5 = 0.0
    q6 = 0.0
    q7 = 0.0
    q8 = 0.0
    mp0 = 0.0
    mp1 = 0.0
    mp2 = 0.0
    mf0 = 0.0
    mf1 = 0.0
    mf2 = 0.0
    s_retest = 0.0
    s_acc_g = 0.0
    s_acc_p = 0.0
    s_acc_f = 0.0
    s_ag_g = 0.0
    s_ag_p = 0.0
    s_ag_f = 0.0
    done = 0
    while done < n_sim:
        m = min(_CHUNK, n_sim - done)
        state = _normals(state, m, buf, order)
        for k in range(m):
            z1 = buf[_F_Z1 * _CHUNK + k]
            z2 = buf[_F_Z2 * _CHUNK + k]
            t_p = m_p + l11 * z1
            t_f = m_f + l21 * z1 + l22 * z2
            # the stores are written out here: an inlined helper taking ``buf`` keeps this loop scalar
            jf, w0, w1, w2, w3 = _hermite(_z_upper(t_p, cp1, inv_p), last)
            buf[(_F_PHI + 0) * _CHUNK + k] = jf
            buf[(_F_PHI + 1) * _CHUNK + k] = w0
            buf[(_F_PHI + 2) * _CHUNK + k] = w1
            buf[(_F_PHI + 3) * _CHUNK + k] = w2
            buf[(_F_PHI + 4) * _CHUNK + k] = w3
            jf, w0, w1, w2, w3 = _hermite(_z_upper(t_p, cp2, inv_p), last)
            buf[(_F_PHI + 5) * _CHUNK + k] = jf
            buf[(_F_PHI + 6) * _CHUNK + k] = w0
            buf[(_F_PHI + 7) * _CHUNK + k] = w1
            buf[(_F_PHI + 8) * _CHUNK + k] = w2
            buf[(_F_PHI + 9) * _CHUNK + k] = w3
            jf, w0, w1, w2, w3 = _hermite(_z_upper(t_f, cf1, inv_f), last)
            buf[(_F_PHI + 10) * _CHUNK + k] = jf
            buf[(_F_PHI + 11) * _CHUNK + k] = w0
            buf[(_F_PHI + 12) * _CHUNK + k] = w1
            buf[(_F_PHI + 13) * _CHUNK + k] = w2
            buf[(_F_PHI + 14) * _CHUNK + k] = w3
            jf, w0, w1, w2, w3 = _hermite(_z_upper(t_f, cf2, inv_f), last)
            buf[(_F_PHI + 15) * _CHUNK + k] = jf
            buf[(_F_PHI + 16) * _CHUNK + k] = w0
            buf[(_F_PHI + 17) * _CHUNK + k] = w1
            buf[(_F_PHI + 18) * _CHUNK + k] = w2
            buf[(_F_PHI + 19) * _CHUNK + k] = w3
            if full:
                buf[_F_LP * _CHUNK + k] = _level(t_p, cp1, cp2)
                buf[_F_LF * _CHUNK + k] = _level(t_f, cf1, cf2)
        for k in range(m):
            # level probabilities of a parallel administration X' = T + E' given T
            u1 = _interp(buf[(_F_PHI + 0) * _CHUNK + k], buf[(_F_PHI + 1) * _CHUNK + k],
                         buf[(_F_PHI + 2) * _CHUNK + k], buf[(_F_PHI + 3) * _CHUNK + k],
                         buf[(_F_PHI + 4) * _CHUNK + k], tab_v, tab_d)
            u2 = _interp(buf[(_F_PHI + 5) * _CHUNK + k], buf[(_F_PHI + 6) * _CHUNK + k],
                         buf[(_F_PHI + 7) * _CHUNK + k], buf[(_F_PHI + 8) * _CHUNK + k],
                         buf[(_F_PHI + 9) * _CHUNK + k], tab_v, tab_d)
            p0 = 1.0 - u1
            p1 = u1 - u2
            p2 = u2
            u1 = _interp(buf[(_F_PHI + 10) * _CHUNK + k], buf[(_F_PHI + 11) * _CHUNK + k],
                         buf[(_F_PHI + 12) * _CHUNK + k], buf[(_F_PHI + 13) * _CHUNK + k],
                         buf[(_F_PHI + 14) * _CHUNK + k], tab_v, tab_d)
            u2 = _interp(buf[(_F_PHI + 15) * _CHUNK + k], buf[(_F_PHI + 16) * _CHUNK + k],
                         buf[(_F_PHI + 17) * _CHUNK + k], buf[(_F_PHI + 18) * _CHUNK + k],
                         buf[(_F_PHI + 19) * _CHUNK + k], tab_v, tab_d)
            f0 = 1.0 - u1
            f1 = u1 - u2
            f2 = u2
            sp = p0 * p0 + p1 * p1 + p2 * p2
            sf = f0 * f0 + f1 * f1 + f2 * f2
            mp0 += p0
            mp1 += p1
            mp2 += p2
            mf0 += f0
            mf1 += f1
            mf2 += f2
            # box BOX_INDEX[a, b] + 1 collects pp[a] * pf[b]
            q0 += p0 * f0
            q1 += p0 * f1
            q3 += p0 * f2
            q2 += p1 * f0
            q4 += p1 * f1
            q6 += p1 * f2
            q5 += p2 * f0
            q7 += p2 * f1
            q8 += p2 * f2
            s_ag_g += sp * sf
            s_ag_p += sp
            s_ag_f += sf
            if full:
                lp = int(buf[_F_LP * _CHUNK + k])
                lf = int(buf[_F_LF * _CHUNK + k])
                cnt[BOX_INDEX[lp, lf]] += 1.0
                s_retest += _pick(a_lp, p0, p1, p2) * _pick(a_lf, f0, f1, f2)
                g_p = _pick(lp, p0, p1, p2)
                g_f = _pick(lf, f0, f1, f2)
                s_acc_g += g_p * g_f
                s_acc_p += g_p
                s_acc_f += g_f
        done += m
    sq[0] = q0
    sq[1] = q1
    sq[2] = q2
    sq[3] = q3
    sq[4] = q4
    sq[5] = q5
    sq[6] = q6
    sq[7] = q7
    sq[8] = q8
    sq[9] = mp0
    sq[10] = mp1
    sq[11] = mp2
    sq[12] = mf0
    sq[13] = mf1
    sq[14] = mf2
    return s_retest, s_acc_g, s_acc_p, s_acc_f, s_ag_g, s_ag_p, s_ag_f


@njit(cache=True, parallel=True)
def placement_kernel(mean, chol, err_sd, cuts_p, cuts_f, assigned, n_sim, seed, tab_v, tab_d,
                     p_true, p_retest, acc, agree, marg):
    """Simulate true scores and accumulate per-candidate placement probabilities.

    Parameters
    ----------
    mean : (n, 2) float64
        Posterior mean of (potential, performance) true scores per candidate.
    chol : (3,) float64
        ``l11, l21, l22`` of the lower Cholesky factor of the posterior covariance.
    err_sd : (2,) float64
        Error standard deviations of potential and performance.
    cuts_p, cuts_f : (2,) float64
        Increasing cut-offs.
    assigned : (n, 2) int64
        Observed potential and performance levels minus one.
    n_sim : int
    seed : uint64
    tab_v, tab_d : float64 arrays
        Normal CDF and density at the interpolation nodes (:func:`phi_table`).

    Outputs (overwritten, row ``i`` written by candidate ``i`` only)
    -------
    p_true : (n, 9)   P(true scores in box k | x)
    p_retest : (n,)   P(a parallel administration gives the assigned box | x)
    acc : (n, 3)      P(observed class = true class) for grid, potential, performance
    agree : (n, 3)    P(two parallel administrations agree) for grid, potential, performance
    marg : (n, 15)    P(a parallel administration gives class k): 9 boxes, 3 potential, 3 performance levels
    """
    n = mean.shape[0]
    l11 = chol[0]
    l21 = chol[1]
    l22 = chol[2]
    inv_p = 1.0 / err_sd[0] if err_sd[0] > 0.0 else 0.0
    inv_f = 1.0 / err_sd[1] if err_sd[1] > 0.0 else 0.0
    cp1 = cuts_p[0]
    cp2 = cuts_p[1]
    cf1 = cuts_f[0]
    cf2 = cuts_f[1]
    inv = 1.0 / n_sim
    for i in prange(n):
        cnt = np.zeros(9)
        sq = np.empty(15)
        buf = np.empty(_N_FIELDS * _CHUNK)
        order = np.empty(2 * _CHUNK + _ANGLE_BINS + 1, dtype=np.int64)
        s_retest, s_acc_g, s_acc_p, s_acc_f, s_ag_g, s_ag_p, s_ag_f = _simulate_candidate(
            stream_start(seed, i), mean[i, 0], mean[i, 1], assigned[i, 0], assigned[i, 1], l11, l21, l22,
            inv_p, inv_f, cp1, cp2, cf1, cf2, n_sim, tab_v, tab_d, buf, order, sq, cnt, True)
        for k in range(9):
            p_true[i, k] = cnt[k] * inv
        for k in range(15):
            marg[i, k] = sq[k] * inv
        p_retest[i] = s_retest * inv
        acc[i, 0] = s_acc_g * inv
        acc[i, 1] = s_acc_p * inv
        acc[i, 2] = s_acc_f * inv
        agree[i, 0] = s_ag_g * inv
        agree[i, 1] = s_ag_p * inv
        agree[i, 2] = s_ag_f * inv


@njit(cache=True, inline="always")
def _block_sum(a, lo, n):
    """numpy's pairwise sum of a leaf block ``a[lo:lo + n]``, ``n <= 128``: 8 running sums when ``n >= 8``."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    m = n - n % 8
    i = 8
    while i < m:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, inline="always")
def _left_half(n):
    h = n // 2
    return h - h % 8


@njit(cache=True)
def _pairwise_sum(a):
    """Sum of the 1-d array ``a`` in numpy's pairwise order (``np.add.reduce``, numpy 1.9+), bit for bit.

    numpy sums blocks of up to 128 numbers with eight running sums and splits longer ranges at
    ``n // 2`` rounded down to a multiple of 8, adding the two halves.  The recursion runs here on an
    explicit stack (numba cannot cache recursive functions).
    """
    n = a.shape[0]
    if n <= 128:
        return _block_sum(a, 0, n)
    lo_s = np.empty(64, dtype=np.int64)
    n_s = np.empty(64, dtype=np.int64)
    left = np.empty(64)
    has_left = np.zeros(64, dtype=np.bool_)
    top = 0
    lo_s[0] = 0
    n_s[0] = n
    while True:
        m = n_s[top]
        if m > 128:  # descend into the left half
            top += 1
            lo_s[top] = lo_s[top - 1]
            n_s[top] = _left_half(m)
            has_left[top] = False
            continue
        v = _block_sum(a, lo_s[top], m)
        # hand the value up: a left half waits for its right half, a right half completes its parent
        while True:
            if top == 0:
                return v
            top -= 1
            if has_left[top]:
                v = left[top] + v
                continue
            left[top] = v
            has_left[top] = True
            h = _left_half(n_s[top])
            top += 1
            lo_s[top] = lo_s[top - 1] + h
            n_s[top] = n_s[top - 1] - h
            has_left[top] = False
            break


#: first and one-past-last column of ``marg`` for the rows nine_box, potential, performance of the grid table
_GRID_FROM = np.array([0, 9, 12], dtype=np.int64)
_GRID_TO = np.array([9, 12, 15], dtype=np.int64)
_SEED_MASK = np.uint64(2**63 - 1)


@njit(cache=True, parallel=True)
def placement_boot_kernel(x, assigned, rel_p, rel_f, correlated, cuts_p, cuts_f, n_sim, seed, tab_v, tab_d, out):
    r"""All bootstrap replicates of the grid agreement and kappa of :func:`psikometri.talent.placement_consistency`.

    Replicate ``b`` resamples the candidates with the indices of ``bootstrap_indices(n, n_boot, seed)[b]``,
    estimates the moments and the posterior of the resample (the formulas of ``talent._posterior``, in
    scalar 2x2 arithmetic), simulates each resampled candidate ``j`` from ``stream_start(seed_b, j)`` with
    ``seed_b = (seed + 1 + b) mod 2**63`` and forms the grid table as ``talent._placement_run`` does (its
    means in numpy's summation order).  A replicate that ``talent._posterior`` would refuse (a constant
    column, an observed correlation above :math:`\sqrt{\rho_p\rho_f}`, a singular covariance) is left NaN.

    Parameters
    ----------
    x : (n, 2) float64
        Potential and performance scores.
    assigned : (n, 2) int64
        Observed levels minus one.
    rel_p : (n_boot,) float64
        Potential reliability of each replicate (drawn around the stated one, or all equal to it).
    rel_f : float
        Performance reliability.
    correlated : bool
    cuts_p, cuts_f : (2,) float64
    n_sim : int
        Draws per resampled candidate.
    seed : uint64
    tab_v, tab_d : float64 arrays
        :func:`phi_table`.
    out : (n_boot, 3, 2) float64
        Overwritten: agreement and kappa of rows nine_box, potential, performance; replicate ``b`` writes
        ``out[b]`` only, so the numbers do not depend on the number of threads.

    Notes
    -----
    The replicates agree with the per-resample numpy path (tests/naive_talent.py) to rounding, about 1e-15
    (np.cov sums through BLAS, here in row order); kappa magnifies that by :math:`1/(1-P_C)`.  With a
    reliability of exactly 1 the posterior variance of that measure is 0, which both paths compute as a
    difference of equal numbers: its square root is rounding noise (about 1e-7 of a score point), so with
    ``correlated=True`` or a score exactly on a cut the two paths can differ by more.
    """
    n = x.shape[0]
    n_boot = out.shape[0]
    inv = 1.0 / n_sim
    cp1 = cuts_p[0]
    cp2 = cuts_p[1]
    cf1 = cuts_f[0]
    cf2 = cuts_f[1]
    f = 1.0 / (n - 1)
    for b in prange(n_boot):
        for j in range(3):
            out[b, j, 0] = np.nan
            out[b, j, 1] = np.nan
        idx = np.empty(n, dtype=np.int64)
        state = stream_start(seed, b)
        for j in range(n):
            state, i = stream_index(state, n)
            idx[j] = i
        # moments of the resample (x.mean(axis=0) sums row by row; np.cov with ddof=1)
        s0 = 0.0
        s1 = 0.0
        lo0 = x[idx[0], 0]
        hi0 = lo0
        lo1 = x[idx[0], 1]
        hi1 = lo1
        for j in range(n):
            v0 = x[idx[j], 0]
            v1 = x[idx[j], 1]
            s0 += v0
            s1 += v1
            lo0 = min(lo0, v0)
            hi0 = max(hi0, v0)
            lo1 = min(lo1, v1)
            hi1 = max(hi1, v1)
        if hi0 - lo0 == 0.0 or hi1 - lo1 == 0.0:
            continue
        mu0 = s0 / n
        mu1 = s1 / n
        c00 = 0.0
        c01 = 0.0
        c11 = 0.0
        for j in range(n):
            d0 = x[idx[j], 0] - mu0
            d1 = x[idx[j], 1] - mu1
            c00 += d0 * d0
            c01 += d0 * d1
            c11 += d1 * d1
        c00 *= f
        c01 *= f
        c11 *= f
        r0 = rel_p[b]
        if not correlated:
            c01 = 0.0
        e0 = (1.0 - r0) * c00
        e1 = (1.0 - rel_f) * c11
        t00 = c00 - e0
        t11 = c11 - e1
        if correlated and c01 * c01 > r0 * rel_f * c00 * c11 * (1.0 + 1e-12):
            continue  # the true-score correlation would exceed 1
        det = c00 * c11 - c01 * c01
        if det <= 0.0:
            continue  # singular covariance
        # B = Sigma_T Sigma_X^{-1}; posterior covariance Sigma_T - B Sigma_T, symmetrised; its Cholesky factor
        i00 = c11 / det
        i01 = -c01 / det
        i11 = c00 / det
        b00 = t00 * i00 + c01 * i01
        b01 = t00 * i01 + c01 * i11
        b10 = c01 * i00 + t11 * i01
        b11 = c01 * i01 + t11 * i11
        v00 = t00 - (b00 * t00 + b01 * c01)
        v01 = c01 - (b00 * c01 + b01 * t11)
        v10 = c01 - (b10 * t00 + b11 * c01)
        v11 = t11 - (b10 * c01 + b11 * t11)
        v00 = 0.5 * (v00 + v00)
        v10 = 0.5 * (v10 + v01)
        v11 = 0.5 * (v11 + v11)
        l11 = math.sqrt(max(v00, 0.0))
        l21 = v10 / l11 if l11 > 1e-300 else 0.0
        l22 = math.sqrt(max(v11 - l21 * l21, 0.0))
        sd0 = math.sqrt(e0)
        sd1 = math.sqrt(e1)
        inv_p = 1.0 / sd0 if sd0 > 0.0 else 0.0
        inv_f = 1.0 / sd1 if sd1 > 0.0 else 0.0
        # simulate every resampled candidate; keep the per-candidate agreement and the running class means
        seed_b = (seed + np.uint64(1) + np.uint64(b)) & _SEED_MASK
        ag = np.empty((3, n))
        msum = np.zeros(15)
        sq = np.empty(15)
        buf = np.empty(_N_FIELDS * _CHUNK)
        order = np.empty(2 * _CHUNK + _ANGLE_BINS + 1, dtype=np.int64)
        for j in range(n):
            i = idx[j]
            d0 = x[i, 0] - mu0
            d1 = x[i, 1] - mu1
            m_p = mu0 + (d0 * b00 + d1 * b01)
            m_f = mu1 + (d0 * b10 + d1 * b11)
            # full=False: only the agreement and class sums (the count argument is not touched)
            res = _simulate_candidate(stream_start(seed_b, j), m_p, m_f, 0, 0, l11, l21, l22, inv_p, inv_f,
                                      cp1, cp2, cf1, cf2, n_sim, tab_v, tab_d, buf, order, sq, sq, False)
            ag[0, j] = res[4] * inv
            ag[1, j] = res[5] * inv
            ag[2, j] = res[6] * inv
            for k in range(15):
                msum[k] += sq[k] * inv
        # grid table: agreement, chance agreement, kappa (as talent._placement_run)
        for r in range(3):
            pa = _pairwise_sum(ag[r]) / n
            sq[:] = 0.0
            m = 0
            for k in range(_GRID_FROM[r], _GRID_TO[r]):
                q = msum[k] / n
                sq[m] = q * q
                m += 1
            pc = _pairwise_sum(sq[:m])
            out[b, r, 0] = pa
            out[b, r, 1] = (pa - pc) / (1.0 - pc) if pc < 1.0 - 1e-9 else np.nan
