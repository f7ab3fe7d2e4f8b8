"""Numba kernels for :mod:`psikometri.reliability` (private).

All kernels work on contiguous float64 arrays prepared by the public functions.

* Bootstrap of alpha: replicate ``b`` draws its rows from the counter-based stream
  ``(seed, b)`` of :mod:`psikometri._resampling` and accumulates the sufficient
  statistics of alpha over them (with missing data: multinomial counts from
  :func:`psikometri._resampling.draw_counts` and a weighted pairwise covariance
  matrix), so no resampled data set is ever built (memory O(n) per thread).
* Jackknife of alpha (for the BCa acceleration): leave-one-out covariance matrices
  downdated from the full cross-products (pairwise: weight 0 for the left-out row).
* Undefined replicates: a resample whose total-score variance (item variances
  for standardized alpha) is zero up to round-off (at most ``ZERO_VARIANCE``
  times the full sample's) gives NaN, never the ratio of two round-off errors
  (which can be any number, e.g. 1.125).  Alpha never exceeds 1: round-off above
  1 is set to 1, and a pairwise matrix giving more than 1 is undefined.
* Split-half coefficients: every split of the items into two non-empty parts is
  visited once in Gray-code order, so that moving from one split to the next
  moves a single item and updates the half sums in O(k).  Random splits draw
  their items from the counter-based streams, so results depend only on the seed.

Each ``prange`` iteration writes only its own output slot.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._resampling import draw_counts, stream_index, stream_start, stream_uniform


# --------------------------------------------------------------------------- alpha
ZERO_VARIANCE = 1e-10
"""A replicate's (total-score or item) variance at most this fraction of the full sample's is zero up to
round-off: the replicate's alpha is undefined (NaN), never the ratio of two round-off errors."""

ROUNDOFF_ABOVE_ONE = 1e-9
"""Alpha of a covariance matrix never exceeds 1; a value within this of 1 is round-off and is set to 1, a
larger one comes from a pairwise matrix that is not a covariance matrix of any data and is undefined (NaN)."""


@njit(cache=True, inline="always")
def _cap_alpha(a):
    if a > 1.0:
        return 1.0 if a <= 1.0 + ROUNDOFF_ABOVE_ONE else np.nan
    return a


@njit(cache=True)
def alpha_from_cov_ref(C, standardized, tot_ref, diag_ref):
    """Cronbach's alpha of a covariance matrix ``C`` of a resample (NaN when undefined).

    ``tot_ref`` and ``diag_ref`` are the total-score variance and the item variances of the full
    sample: a total (standardized: item) variance of at most ``ZERO_VARIANCE`` times those is zero
    up to round-off, so alpha is undefined.
    """
    k = C.shape[0]
    if standardized:
        tot = 0.0
        for i in range(k):
            if not C[i, i] > ZERO_VARIANCE * diag_ref[i]:
                return np.nan
        for i in range(k):
            for j in range(k):
                tot += C[i, j] / math.sqrt(C[i, i] * C[j, j])
        if not tot > 0.0:
            return np.nan
        return _cap_alpha(k / (k - 1.0) * (1.0 - k / tot))
    tr = 0.0
    tot = 0.0
    for i in range(k):
        tr += C[i, i]
        for j in range(k):
            tot += C[i, j]
    if not math.isfinite(tot) or not tot > ZERO_VARIANCE * tot_ref:
        return np.nan
    return _cap_alpha(k / (k - 1.0) * (1.0 - tr / tot))


@njit(cache=True)
def alpha_from_cov(C, standardized):
    """Cronbach's alpha of a covariance matrix (NaN when undefined: no positive total variance)."""
    k = C.shape[0]
    tot = 0.0
    for i in range(k):
        for j in range(k):
            tot += C[i, j]
    return alpha_from_cov_ref(C, standardized, abs(tot), np.diag(C).copy())


@njit(cache=True)
def weighted_alpha_complete(X, w, standardized):
    """Alpha of the data set in which row ``i`` of ``X`` appears ``w[i]`` times (no missing values).

    Raw alpha needs only the item variances and the variance of the total score,
    ``alpha = k/(k-1) * (1 - sum_j var_j / var_total)``; standardized alpha is raw
    alpha of the z-scored items.  Two (three) passes over the rows, O(n k).
    """
    n, k = X.shape
    mean = np.zeros(k)
    wsum = 0.0
    for i in range(n):
        wi = w[i]
        if wi == 0.0:
            continue
        wsum += wi
        for j in range(k):
            mean[j] += wi * X[i, j]
    if wsum < 2.0:
        return np.nan
    for j in range(k):
        mean[j] /= wsum
    var = np.zeros(k)
    vt = 0.0
    for i in range(n):
        wi = w[i]
        if wi == 0.0:
            continue
        t = 0.0
        for j in range(k):
            d = X[i, j] - mean[j]
            var[j] += wi * d * d
            t += d
        vt += wi * t * t
    if not standardized:
        if vt <= 0.0:
            return np.nan
        s = 0.0
        for j in range(k):
            s += var[j]
        return k / (k - 1.0) * (1.0 - s / vt)
    inv_sd = np.empty(k)
    for j in range(k):
        if var[j] <= 0.0:
            return np.nan
        inv_sd[j] = 1.0 / math.sqrt(var[j])
    vz = 0.0
    for i in range(n):
        wi = w[i]
        if wi == 0.0:
            continue
        t = 0.0
        for j in range(k):
            t += (X[i, j] - mean[j]) * inv_sd[j]
        vz += wi * t * t
    if vz <= 0.0:
        return np.nan
    # the z-scores have variance 1 (same denominator), so sum(R) = vz / 1 in those units
    return k / (k - 1.0) * (1.0 - k / vz)


@njit(cache=True)
def weighted_pairwise_cov(X, w, C):
    """Pairwise-complete covariance matrix of ``X`` (NaN = missing) with row weights ``w``.

    Entry (j, l) uses the rows where both items are observed, with their own means
    and the ``sum(w) - 1`` denominator, as R's ``cov(x, use = "pairwise")`` does on
    the resampled data.  Writes into ``C``; an entry with fewer than 2 rows is NaN.
    """
    n, k = X.shape
    for j in range(k):
        for l in range(j, k):
            sw = 0.0
            sx = 0.0
            sy = 0.0
            for i in range(n):
                wi = w[i]
                if wi == 0.0:
                    continue
                x = X[i, j]
                y = X[i, l]
                if math.isnan(x) or math.isnan(y):
                    continue
                sw += wi
                sx += wi * x
                sy += wi * y
            if sw < 2.0:
                C[j, l] = np.nan
                C[l, j] = np.nan
                continue
            mx = sx / sw
            my = sy / sw
            s = 0.0
            for i in range(n):
                wi = w[i]
                if wi == 0.0:
                    continue
                x = X[i, j]
                y = X[i, l]
                if math.isnan(x) or math.isnan(y):
                    continue
                s += wi * (x - mx) * (y - my)
            C[j, l] = s / (sw - 1.0)
            C[l, j] = C[j, l]


@njit(cache=True)
def _weighted_alpha(X, w, standardized, pairwise, C, tot_ref, diag_ref):
    if pairwise:
        weighted_pairwise_cov(X, w, C)
        for j in range(C.shape[0]):
            for l in range(C.shape[1]):
                if math.isnan(C[j, l]):
                    return np.nan
        return alpha_from_cov_ref(C, standardized, tot_ref, diag_ref)
    return weighted_alpha_complete(X, w, standardized)


@njit(cache=True)
def _pairwise_ref(X):
    """Total-score variance (sum of the pairwise covariance matrix) and item variances of the full sample."""
    n, k = X.shape
    C = np.empty((k, k))
    weighted_pairwise_cov(X, np.ones(n), C)
    tot = 0.0
    for j in range(k):
        for l in range(k):
            tot += C[j, l]
    return abs(tot), np.diag(C).copy()


@njit(cache=True)
def _centre(X):
    """Column-centred copy of complete data and the row totals of the centred items."""
    n, k = X.shape
    mean = np.zeros(k)
    for i in range(n):
        for j in range(k):
            mean[j] += X[i, j]
    for j in range(k):
        mean[j] /= n
    Xc = np.empty((n, k))
    T = np.zeros(n)
    for i in range(n):
        for j in range(k):
            Xc[i, j] = X[i, j] - mean[j]
            T[i] += Xc[i, j]
    return Xc, T


@njit(cache=True)
def _boot_alpha_complete(Xc, T, seed, b, standardized, vt_ref, s2_ref):
    """Alpha of bootstrap replicate ``b`` of complete, centred data, in one pass over the drawn rows.

    The rows are drawn from the stream ``(seed, b)`` exactly as
    :func:`psikometri._resampling.bootstrap_indices` draws them; the item sums,
    sums of squares and those of the total score give the variances
    (``sum x^2 - (sum x)^2 / n``; the data are centred on the full-sample means so
    this is numerically safe).  Standardized alpha makes a second pass over the
    same draws for the variance of the sum of z-scores, which equals the sum of
    the correlation matrix.  ``vt_ref`` and ``s2_ref`` are the same sums of squares
    of the full sample: a replicate whose total (standardized: item) sum of
    squares is at most ``ZERO_VARIANCE`` times those has no variance up to
    round-off and its alpha is NaN.
    """
    n, k = Xc.shape
    s1 = np.zeros(k)
    s2 = np.zeros(k)
    t1 = 0.0
    t2 = 0.0
    state = stream_start(seed, b)
    for _ in range(n):
        state, i = stream_index(state, n)
        for j in range(k):
            x = Xc[i, j]
            s1[j] += x
            s2[j] += x * x
        t = T[i]
        t1 += t
        t2 += t * t
    vt = t2 - t1 * t1 / n
    sv = 0.0
    for j in range(k):
        s2[j] = s2[j] - s1[j] * s1[j] / n  # now n-1 times the variance
        sv += s2[j]
    if not standardized:
        if not vt > ZERO_VARIANCE * vt_ref:
            return np.nan
        return _cap_alpha(k / (k - 1.0) * (1.0 - sv / vt))
    for j in range(k):
        if not s2[j] > ZERO_VARIANCE * s2_ref[j]:
            return np.nan
        s2[j] = 1.0 / math.sqrt(s2[j])
    z1 = 0.0
    z2 = 0.0
    state = stream_start(seed, b)
    for _ in range(n):
        state, i = stream_index(state, n)
        z = 0.0
        for j in range(k):
            z += Xc[i, j] * s2[j]
        z1 += z
        z2 += z * z
    vz = z2 - z1 * z1 / n
    if vz <= 0.0:
        return np.nan
    return _cap_alpha(k / (k - 1.0) * (1.0 - k / vz))


@njit(cache=True, parallel=True)
def bootstrap_alpha(X, seed, n_boot, standardized, pairwise, out):
    """``out[b]`` = alpha of bootstrap replicate ``b`` (rows drawn from the stream ``(seed, b)``).

    Complete data: one pass over the ``n`` drawn rows per replicate (O(n k)).
    Pairwise: multinomial counts and a weighted pairwise covariance matrix
    (O(n k^2)).  No resampled data set is built in either case.  A replicate
    without variance (up to round-off, see ``ZERO_VARIANCE``) is NaN.
    """
    n, k = X.shape
    if pairwise:
        tot_ref, diag_ref = _pairwise_ref(X)
        for b in prange(n_boot):
            counts = np.empty(n, dtype=np.int64)
            draw_counts(seed, b, n, counts)
            w = counts.astype(np.float64)
            C = np.empty((k, k))
            out[b] = _weighted_alpha(X, w, standardized, True, C, tot_ref, diag_ref)
    else:
        Xc, T = _centre(X)
        vt_ref = 0.0
        s2_ref = np.zeros(k)
        for i in range(n):
            vt_ref += T[i] * T[i]
            for j in range(k):
                s2_ref[j] += Xc[i, j] * Xc[i, j]
        for b in prange(n_boot):
            out[b] = _boot_alpha_complete(Xc, T, seed, b, standardized, vt_ref, s2_ref)


@njit(cache=True, parallel=True)
def jackknife_alpha(X, standardized, pairwise, out):
    """``out[i]`` = alpha without row ``i``.

    Complete data: the covariance matrix without row ``i`` is downdated from the
    full cross-product matrix of the centred data (O(k^2) per row); pairwise:
    weighted pairwise covariances with weight 0 for row ``i``.
    """
    n, k = X.shape
    if pairwise:
        tot_ref, diag_ref = _pairwise_ref(X)
        for i in prange(n):
            w = np.ones(n)
            w[i] = 0.0
            C = np.empty((k, k))
            out[i] = _weighted_alpha(X, w, standardized, True, C, tot_ref, diag_ref)
        return
    Xc, _ = _centre(X)
    P = np.zeros((k, k))
    S = np.zeros(k)
    for r in range(n):
        for j in range(k):
            S[j] += Xc[r, j]
            for l in range(k):
                P[j, l] += Xc[r, j] * Xc[r, l]
    m = n - 1.0
    diag_ref = np.empty(k)
    tot_ref = 0.0
    for j in range(k):
        diag_ref[j] = (P[j, j] - S[j] * S[j] / n) / m
        for l in range(k):
            tot_ref += (P[j, l] - S[j] * S[l] / n) / m
    tot_ref = abs(tot_ref)
    for i in prange(n):
        C = np.empty((k, k))
        for j in range(k):
            for l in range(k):
                C[j, l] = (P[j, l] - Xc[i, j] * Xc[i, l] - (S[j] - Xc[i, j]) * (S[l] - Xc[i, l]) / m) / (m - 1.0)
        out[i] = alpha_from_cov_ref(C, standardized, tot_ref, diag_ref) if n > 2 else np.nan


# --------------------------------------------------------------------------- split halves
@njit(cache=True, inline="always")
def _split_values(V, VA, SA):
    """(Guttman/Flanagan-Rulon coefficient, Spearman-Brown of the half correlation)."""
    cab = SA - VA
    VB = V - VA - 2.0 * cab
    flan = 4.0 * cab / V
    den = VA * VB
    if den > 0.0:
        r = cab / math.sqrt(den)
        sb = 2.0 * r / (1.0 + r) if r != -1.0 else np.nan
    else:
        sb = np.nan
    return flan, sb


@njit(cache=True, parallel=True)
def split_half_all(C, chunk, out_flan, out_sb, out_size):
    """Every split of the k items into two non-empty parts.

    Split ``i`` (1 <= i < 2**(k-1)) puts in part A the items whose bit is set in
    the Gray code ``i ^ (i >> 1)``; the last item is always in part B, so every
    split is visited exactly once.  Slot 0 (empty part A) is NaN.

    Guttman's split-half coefficient ``4 c_AB / V`` (Flanagan-Rulon, psych's
    ``splitHalf``) goes to ``out_flan``, the Spearman-Brown corrected correlation of
    the two half scores to ``out_sb`` and the size of part A to ``out_size``.
    """
    k = C.shape[0]
    n_masks = out_flan.shape[0]
    V = 0.0
    rowtot = np.zeros(k)
    for i in range(k):
        for j in range(k):
            rowtot[i] += C[i, j]
            V += C[i, j]
    n_chunks = (n_masks + chunk - 1) // chunk
    for c in prange(n_chunks):
        start = c * chunk
        stop = min(start + chunk, n_masks)
        inA = np.zeros(k, dtype=np.bool_)
        rowA = np.zeros(k)
        g = start ^ (start >> 1)
        size = 0
        for j in range(k - 1):
            if (g >> j) & 1:
                inA[j] = True
                size += 1
        VA = 0.0
        SA = 0.0
        for t in range(k):
            for j in range(k):
                if inA[j]:
                    rowA[t] += C[t, j]
        for t in range(k):
            if inA[t]:
                VA += rowA[t]
                SA += rowtot[t]
        for idx in range(start, stop):
            if idx > start:
                bit = 0
                while ((idx >> bit) & 1) == 0:
                    bit += 1
                if inA[bit]:
                    VA -= 2.0 * rowA[bit] - C[bit, bit]
                    SA -= rowtot[bit]
                    inA[bit] = False
                    size -= 1
                    for t in range(k):
                        rowA[t] -= C[t, bit]
                else:
                    VA += 2.0 * rowA[bit] + C[bit, bit]
                    SA += rowtot[bit]
                    inA[bit] = True
                    size += 1
                    for t in range(k):
                        rowA[t] += C[t, bit]
            out_size[idx] = size
            if size == 0:
                out_flan[idx] = np.nan
                out_sb[idx] = np.nan
            else:
                f, s = _split_values(V, VA, SA)
                out_flan[idx] = f
                out_sb[idx] = s


@njit(cache=True)
def _split_from_mask(C, inA, V):
    k = C.shape[0]
    VA = 0.0
    SA = 0.0
    for i in range(k):
        if inA[i]:
            for j in range(k):
                SA += C[i, j]
                if inA[j]:
                    VA += C[i, j]
    return _split_values(V, VA, SA)


@njit(cache=True, parallel=True)
def split_half_random(C, seed, n_splits, equal, out_flan, out_sb, out_masks):
    """``n_splits`` random splits; split ``b`` is drawn from the stream ``(seed, b)``.

    ``equal=True``: part A is a uniformly drawn set of ``k // 2`` items (partial
    Fisher-Yates shuffle); otherwise every item joins A with probability 1/2,
    redrawing the rare split with an empty part.  ``out_masks[b]`` records part A.
    """
    k = C.shape[0]
    V = 0.0
    for i in range(k):
        for j in range(k):
            V += C[i, j]
    m = k // 2
    for b in prange(n_splits):
        state = stream_start(seed, b)
        inA = np.zeros(k, dtype=np.bool_)
        if equal:
            perm = np.arange(k)
            for i in range(m):
                state, j = stream_index(state, k - i)
                tmp = perm[i]
                perm[i] = perm[i + j]
                perm[i + j] = tmp
                inA[perm[i]] = True
        else:
            while True:
                size = 0
                for j in range(k):
                    state, u = stream_uniform(state)
                    inA[j] = u < 0.5
                    if inA[j]:
                        size += 1
                if 0 < size < k:
                    break
        for j in range(k):
            out_masks[b, j] = inA[j]
        f, s = _split_from_mask(C, inA, V)
        out_flan[b] = f
        out_sb[b] = s


# --------------------------------------------------------------------------- oblimin rotation
@njit(cache=True)
def _quartimin_value_grad(L, Gq):
    """Quartimin criterion Q = 1/4 sum_i sum_{r != s} l_ir^2 l_is^2 of ``L``; its gradient into ``Gq``."""
    p, m = L.shape
    f = 0.0
    for i in range(p):
        tot = 0.0
        for r in range(m):
            tot += L[i, r] * L[i, r]
        for r in range(m):
            x = tot - L[i, r] * L[i, r]  # (L^2 N)_ir, N = 1 - I
            Gq[i, r] = L[i, r] * x
            f += L[i, r] * L[i, r] * x
    return f / 4.0


@njit(cache=True)
def oblimin_gpa(A, eps, maxit):
    """Direct oblimin (quartimin) rotation of ``A`` by gradient projection (Bernaards & Jennrich 2005).

    The same iteration as GPArotation's ``GPFoblq`` (and the plain numpy version in the tests): a projected
    gradient step on the unit-column rotation ``T`` with step halving, until the projected gradient's norm
    is below ``eps``, or until not even the shortest step of the line search lowers the criterion (the
    rounding floor, which can lie above ``eps``: GPFoblq would run on to ``maxit`` there without moving).
    Returns the pattern loadings ``L = A (T')^-1``, ``T' T`` and the number of iterations.
    """
    p, m = A.shape
    T = np.eye(m)
    L = A.copy()
    Gq = np.empty((p, m))
    f = _quartimin_value_grad(L, Gq)
    G = -(np.ascontiguousarray(L.T) @ Gq @ np.linalg.inv(T)).T.copy()
    al = 1.0
    Tt = T.copy()
    ft = f
    it = 0
    for it in range(maxit):
        tg = np.zeros(m)
        for j in range(m):
            for i in range(m):
                tg[j] += T[i, j] * G[i, j]
        Gp = G - T * tg.reshape(1, m)
        s = math.sqrt((Gp * Gp).sum())
        if s < eps:
            break
        al *= 2.0
        armijo = False
        for _ in range(11):
            X = T - al * Gp
            norms = np.sqrt((X * X).sum(axis=0))
            Tt = X / norms.reshape(1, m)
            L = A @ np.ascontiguousarray(np.linalg.inv(Tt).T)
            ft = _quartimin_value_grad(L, Gq)
            if f - ft > 0.5 * s * s * al:
                armijo = True
                break
            al /= 2.0
        if not armijo and ft >= f:
            # not even the shortest step lowers the criterion: the rounding floor, where the projected
            # gradient can stay above eps for every remaining iteration (stop at the current rotation)
            L = A @ np.ascontiguousarray(np.linalg.inv(T).T)
            break
        T = Tt
        f = ft
        G = -(np.ascontiguousarray(L.T) @ Gq @ np.linalg.inv(Tt)).T.copy()
    return L, np.ascontiguousarray(T.T) @ T, it


# --------------------------------------------------------------------------- one-factor minres (omega bootstrap)
MINRES_TOL = 1e-13
"""Convergence of :func:`minres1`: the largest projected gradient of the ULS criterion below this."""

MINRES_MAXIT = 100


@njit(cache=True)
def _minres1_state(R, x, A, g):
    """Eigen-decomposition of ``R - diag(x)`` (into new arrays), the ULS criterion and its gradient (into ``g``).

    Returns ``(f, w, V)``; ``f`` is infinite when the largest eigenvalue is not positive (no one-factor solution
    with these uniquenesses: the caller falls back to the general optimiser).
    """
    k = R.shape[0]
    for i in range(k):
        for j in range(k):
            A[i, j] = R[i, j]
        A[i, i] -= x[i]
    w, V = np.linalg.eigh(A)
    w1 = w[k - 1]
    if not w1 > 0.0:
        return np.inf, w, V
    f = 0.0
    for c in range(k - 1):
        f += w[c] * w[c]
    for i in range(k):
        v = V[i, k - 1]
        g[i] = -(A[i, i] - w1 * v * v)
    return 0.5 * f, w, V


@njit(cache=True)
def _cholesky(H, n, Lc):
    """Lower Cholesky factor of ``H[:n, :n]`` into ``Lc``; False when it is not positive definite."""
    for i in range(n):
        for j in range(i + 1):
            s = H[i, j]
            for c in range(j):
                s -= Lc[i, c] * Lc[j, c]
            if i == j:
                if not s > 0.0:
                    return False
                Lc[i, i] = math.sqrt(s)
            else:
                Lc[i, j] = s / Lc[j, j]
    return True


@njit(cache=True)
def minres1(R, x, lo, hi, L):
    r"""One-factor minimum-residual (ULS) solution of the correlation matrix ``R`` by Newton's method.

    Minimises the criterion of :func:`psikometri.reliability._minres` with ``nf = 1``,
    :math:`f(\psi) = \tfrac12\lVert R - \lambda\lambda^\top - \operatorname{diag}\psi\rVert_F^2
    = \tfrac12\sum_{j \ge 2} w_j^2` (:math:`w_1 \ge w_2 \ge \dots` the eigenvalues of
    :math:`A = R - \operatorname{diag}\psi`, :math:`\lambda = \sqrt{w_1} v_1`), over the uniquenesses
    ``x`` (start values, overwritten) inside ``(lo, hi)``.  Gradient
    :math:`g_i = -(A - \lambda\lambda^\top)_{ii}`; exact Hessian from the eigenvalue and eigenvector
    derivatives (:math:`\partial w_1/\partial\psi_k = -v_{1k}^2`,
    :math:`\partial v_1/\partial\psi_k = -\sum_{j \ge 2} v_j v_{jk} v_{1k} / (w_1 - w_j)`):

    .. math:: H_{ik} = \delta_{ik} - v_{1i}^2 v_{1k}^2
              - 2 w_1 v_{1i} v_{1k} \sum_{j \ge 2} \frac{v_{ji} v_{jk}}{w_1 - w_j}.

    Converged when the largest gradient is below :data:`MINRES_TOL` (the loadings then go into ``L``, signed
    so that their sum is positive, as ``_minres``).  Returns True only for a plain Newton path: every step a
    full step of a positive definite system that does not raise the criterion, every uniqueness strictly
    inside the bounds.  The criterion can have several local minima (small samples, Heywood solutions at
    the lower bound), and a path needing damping, step halving or a bound might reach another one than the
    general optimiser (scipy's L-BFGS-B, bounded) from the same start.  False in those cases, and when it
    does not converge or ``R - diag(x)`` has no positive eigenvalue: the caller then uses the general
    optimiser for that matrix, so every replicate ends where the general path ends.
    """
    k = R.shape[0]
    A = np.empty((k, k))
    g = np.empty(k)
    gn = np.empty(k)
    xn = np.empty(k)
    H = np.empty((k, k))
    Lc = np.zeros((k, k))
    z = np.empty(k)
    for i in range(k):
        x[i] = min(max(x[i], lo), hi)
        if x[i] <= lo or x[i] >= hi:
            return False
    f, w, V = _minres1_state(R, x, A, g)
    if not math.isfinite(f):
        return False
    converged = False
    for _ in range(MINRES_MAXIT):
        gmax = 0.0
        for i in range(k):
            if abs(g[i]) > gmax:
                gmax = abs(g[i])
        if gmax < MINRES_TOL:
            converged = True
            break
        w1 = w[k - 1]
        for i in range(k):
            for j in range(i + 1):
                m = 0.0
                for c in range(k - 1):
                    m += V[i, c] * V[j, c] / (w1 - w[c])
                h = -(V[i, k - 1] ** 2) * (V[j, k - 1] ** 2) - 2.0 * w1 * V[i, k - 1] * V[j, k - 1] * m
                if i == j:
                    h += 1.0
                H[i, j] = h
                H[j, i] = h
        if not np.all(np.isfinite(H)) or not _cholesky(H, k, Lc):
            return False
        # Newton step -H^-1 g: forward then backward substitution
        for a in range(k):
            s = -g[a]
            for c in range(a):
                s -= Lc[a, c] * z[c]
            z[a] = s / Lc[a, a]
        for a in range(k - 1, -1, -1):
            s = z[a]
            for c in range(a + 1, k):
                s -= Lc[c, a] * z[c]
            z[a] = s / Lc[a, a]
        slope = 0.0
        for i in range(k):
            xn[i] = x[i] + z[i]
            if not (lo < xn[i] < hi):
                return False
            slope += g[i] * z[i]
        fn, wn, Vn = _minres1_state(R, xn, A, gn)
        # near the minimum f changes below its rounding error: a step that does not raise it is taken
        if not (math.isfinite(fn) and (fn <= f + 1e-4 * slope or fn <= f * (1.0 + 1e-13))):
            return False
        for i in range(k):
            x[i] = xn[i]
            g[i] = gn[i]
        f = fn
        w = wn
        V = Vn
    if not converged:
        return False
    s1 = math.sqrt(w[k - 1])
    tot = 0.0
    for i in range(k):
        L[i] = V[i, k - 1] * s1
        tot += L[i]
    if tot < 0.0:
        for i in range(k):
            L[i] = -L[i]
    return True


@njit(cache=True)
def weighted_cor(X, w, R):
    """Correlation matrix of the rows of ``X`` weighted by ``w`` (as ``reliability._weighted_cor``) into ``R``;
    False when an item has no variance (or a value is not finite)."""
    n, k = X.shape
    W = 0.0
    for r in range(n):
        W += w[r]
    m = np.zeros(k)
    for r in range(n):
        if w[r] != 0.0:
            for j in range(k):
                m[j] += w[r] * X[r, j]
    for j in range(k):
        m[j] /= W
    C = np.zeros((k, k))
    D = np.empty(k)
    for r in range(n):
        if w[r] != 0.0:
            for j in range(k):
                D[j] = X[r, j] - m[j]
            for i in range(k):
                wi = w[r] * D[i]
                for j in range(i + 1):
                    C[i, j] += wi * D[j]
    for i in range(k):
        if not (C[i, i] > 0.0 and math.isfinite(C[i, i])):
            return False
    for i in range(k):
        for j in range(i):
            v = C[i, j] / math.sqrt(C[i, i] * C[j, j])
            if not math.isfinite(v):
                return False
            R[i, j] = v
            R[j, i] = v
        R[i, i] = 1.0
    return True


@njit(cache=True, parallel=True)
def omega1_bootstrap(X, seed, n_boot, start, lo, out, done):
    """Omega total and hierarchical of one-factor minres solutions of bootstrap replicates.

    Replicate ``b`` weights the rows of ``X`` by its multinomial counts (:func:`draw_counts`), forms their
    correlation matrix, fits :func:`minres1` from ``start`` and writes ``(omega_t, omega_h)`` of the keyed
    matrix (items whose loading is negative reversed, as ``reliability._omega_from_cor``) into ``out[b]``.
    ``done[b]`` is False where the replicate needs the general path (an item without variance, no
    convergence): the caller computes those replicates as before.
    """
    n, k = X.shape
    for b in prange(n_boot):
        counts = np.empty(n, dtype=np.int64)
        draw_counts(seed, b, n, counts)
        wts = np.empty(n)
        for r in range(n):
            wts[r] = float(counts[r])
        R = np.empty((k, k))
        done[b] = False
        if not weighted_cor(X, wts, R):
            continue
        x = start.copy()
        L = np.empty(k)
        if not minres1(R, x, lo, 1.0, L):
            continue
        vt = 0.0
        u2 = 0.0
        gs = 0.0
        for i in range(k):
            ki = 1.0 if L[i] >= 0.0 else -1.0
            u2 += R[i, i] - L[i] * L[i]
            gs += L[i] * ki
            for j in range(k):
                kj = 1.0 if L[j] >= 0.0 else -1.0
                vt += R[i, j] * ki * kj
        out[b, 0] = (vt - u2) / vt
        out[b, 1] = gs * gs / vt
        done[b] = True
