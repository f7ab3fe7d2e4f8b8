"""Numba kernels for :mod:`psikometri.agreement`.

Everything here works on contiguous numpy arrays and is called by the private
helpers of ``agreement.py`` (never by users).  Nothing is compiled at import:
kernels compile on first call and are cached on disk (``cache=True``).

Conventions
-----------
* ``x`` : float64 array (units x raters), ``NaN`` = missing.
* ``codes`` : int64 array (units x raters), ``-1`` = missing, categories 0..K-1.
* Krippendorff's alpha is computed from per-unit sums without any
  value-by-value coincidence matrix, using the identity

  .. math:: \\sum_{i \\ne j} (x_i - x_j)^2 = 2 m \\sum_i (x_i - \\bar x)^2

  for the ``m`` values of a unit (and of all pairable values for the expected
  disagreement).  The ordinal metric is the interval metric applied to the
  mid-rank positions ``r_c = sum_{g<c} n_g + n_c / 2`` of the pooled value
  distribution, because Krippendorff's ordinal difference
  ``(sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`` equals ``(r_k - r_c)^2``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._resampling import stream_start, stream_uniform

# --------------------------------------------------------------------------
# integer coding helpers
# --------------------------------------------------------------------------


@njit(cache=True)
def integer_range(x):
    """Return ``(all_integral, lo, hi, n_finite)`` over the non-NaN entries of a 1-D array."""
    lo = math.inf
    hi = -math.inf
    ok = True
    cnt = 0
    for i in range(x.shape[0]):
        v = x[i]
        if math.isnan(v):
            continue
        cnt += 1
        lo = min(lo, v)
        hi = max(hi, v)
        if ok and v != math.floor(v):
            ok = False
    return ok, lo, hi, cnt


@njit(cache=True)
def offset_codes(x, lo):
    """Integer codes ``x - lo`` (``-1`` for NaN) of an integral-valued 1-D float array."""
    out = np.empty(x.shape[0], dtype=np.int64)
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = -1 if math.isnan(v) else np.int64(v - lo)
    return out


@njit(cache=True)
def offset_confusion(a, b, lo, size):
    """``size x size`` table of the pairs ``(a[i] - lo, b[i] - lo)`` of integral-valued arrays
    (no missing values); one pass, no per-element codes."""
    out = np.zeros((size, size), dtype=np.int64)
    for i in range(a.shape[0]):
        out[np.int64(a[i] - lo), np.int64(b[i] - lo)] += 1
    return out


@njit(cache=True)
def confusion_matrix(ca, cb, k):
    """``k x k`` table of pairs (ca[i], cb[i]); pairs with a ``-1`` code are skipped."""
    out = np.zeros((k, k), dtype=np.int64)
    for i in range(ca.shape[0]):
        a = ca[i]
        b = cb[i]
        if a >= 0 and b >= 0:
            out[a, b] += 1
    return out


@njit(cache=True)
def category_counts(codes, k):
    """Units x categories table: how many raters put unit ``i`` in category ``c``."""
    n, r = codes.shape
    out = np.zeros((n, k), dtype=np.int64)
    for i in range(n):
        for j in range(r):
            c = codes[i, j]
            if c >= 0:
                out[i, c] += 1
    return out


# --------------------------------------------------------------------------
# ICC: two-way ANOVA sums of squares for a complete targets x raters table
# --------------------------------------------------------------------------


@njit(cache=True)
def icc_sums_of_squares(x):
    """Return ``(SSR, SSC, SSE, SST)`` of the two-way layout without replication.

    SSR: between targets (rows), SSC: between raters (columns), SSE: residual,
    SST: total, all about the grand mean; SSE is accumulated directly as
    ``sum (x_ij - xbar_i. - xbar_.j + xbar)^2`` for accuracy.
    """
    n, k = x.shape
    row = np.zeros(n)
    col = np.zeros(k)
    tot = 0.0
    for i in range(n):
        s = 0.0
        for j in range(k):
            v = x[i, j]
            s += v
            col[j] += v
        row[i] = s / k
        tot += s
    gm = tot / (n * k)
    for j in range(k):
        col[j] = col[j] / n
    ssr = 0.0
    sse = 0.0
    sst = 0.0
    for i in range(n):
        d = row[i] - gm
        ssr += d * d
        for j in range(k):
            e = x[i, j] - row[i] - col[j] + gm
            sse += e * e
            t = x[i, j] - gm
            sst += t * t
    ssc = 0.0
    for j in range(k):
        d = col[j] - gm
        ssc += d * d
    return ssr * k, ssc * n, sse, sst


# --------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------


@njit(cache=True)
def kalpha_interval_parts(x):
    """Interval-metric parts from per-unit sums.

    Returns ``(do_sum, n_pairable, ss_total)`` where
    ``do_sum = sum_u m_u SS_u / (m_u - 1)`` over units with ``m_u >= 2`` values,
    ``n_pairable = sum m_u`` and ``ss_total`` is the sum of squares of all
    pairable values about their mean.  Then
    ``alpha = 1 - (n - 1) do_sum / (n ss_total)``.
    """
    n, k = x.shape
    m = np.zeros(n, dtype=np.int64)
    s1 = np.zeros(n)
    dsum = np.zeros(n)
    for i in range(n):
        cnt = 0
        s = 0.0
        for j in range(k):
            v = x[i, j]
            if not math.isnan(v):
                cnt += 1
                s += v
        m[i] = cnt
        if cnt >= 2:
            mu = s / cnt
            ss = 0.0
            for j in range(k):
                v = x[i, j]
                if not math.isnan(v):
                    d = v - mu
                    ss += d * d
            dsum[i] = cnt * ss / (cnt - 1)
            s1[i] = s
    npair = 0
    tot = 0.0
    do_sum = 0.0
    for i in range(n):
        if m[i] >= 2:
            npair += m[i]
            tot += s1[i]
            do_sum += dsum[i]
    if npair == 0:
        return 0.0, 0, 0.0
    gm = tot / npair
    sst = np.zeros(n)
    for i in range(n):
        if m[i] >= 2:
            acc = 0.0
            for j in range(k):
                v = x[i, j]
                if not math.isnan(v):
                    d = v - gm
                    acc += d * d
            sst[i] = acc
    return do_sum, npair, sst.sum()


@njit(cache=True)
def kalpha_nominal_parts(codes, k_cat):
    """Nominal-metric parts.

    Returns ``(do_sum, n_pairable, de_sum)`` with
    ``do_sum = sum_u (#ordered disagreeing pairs in u) / (m_u - 1)`` and
    ``de_sum = n^2 - sum_c n_c^2`` (ordered disagreeing pairs among all pairable
    values); ``alpha = 1 - (n - 1) do_sum / de_sum``.
    """
    n, k = codes.shape
    m = np.zeros(n, dtype=np.int64)
    dis = np.zeros(n)
    for i in range(n):
        cnt = 0
        for j in range(k):
            if codes[i, j] >= 0:
                cnt += 1
        m[i] = cnt
        if cnt >= 2:
            eq = 0
            for a in range(k):
                ca = codes[i, a]
                if ca < 0:
                    continue
                for b in range(a + 1, k):
                    if codes[i, b] == ca:
                        eq += 1
            dis[i] = (cnt * (cnt - 1) - 2 * eq) / (cnt - 1.0)
    counts = np.zeros(k_cat, dtype=np.int64)
    npair = 0
    do_sum = 0.0
    for i in range(n):
        if m[i] >= 2:
            npair += m[i]
            do_sum += dis[i]
            for j in range(k):
                c = codes[i, j]
                if c >= 0:
                    counts[c] += 1
    sq = 0.0
    for c in range(k_cat):
        sq += float(counts[c]) * float(counts[c])
    return do_sum, npair, float(npair) * float(npair) - sq


@njit(cache=True)
def pairable_units(codes):
    """Number of units (rows) with two or more non-missing codes (``>= 0``)."""
    n, k = codes.shape
    tot = 0
    for i in range(n):
        cnt = 0
        for j in range(k):
            if codes[i, j] >= 0:
                cnt += 1
        if cnt >= 2:
            tot += 1
    return tot


@njit(cache=True)
def pairable_counts(codes, k_cat):
    """Counts ``n_c`` of each category among pairable values (units with >= 2 values)."""
    n, k = codes.shape
    counts = np.zeros(k_cat, dtype=np.int64)
    for i in range(n):
        cnt = 0
        for j in range(k):
            if codes[i, j] >= 0:
                cnt += 1
        if cnt >= 2:
            for j in range(k):
                c = codes[i, j]
                if c >= 0:
                    counts[c] += 1
    return counts


@njit(cache=True)
def map_codes(codes, table):
    """Float array ``table[codes]`` with NaN where ``codes == -1``."""
    n, k = codes.shape
    out = np.empty((n, k))
    for i in range(n):
        for j in range(k):
            c = codes[i, j]
            out[i, j] = np.nan if c < 0 else table[c]
    return out


@njit(cache=True, inline="always")
def _ratio_delta(a, b):
    s = a + b
    if s == 0.0:
        return 0.0
    d = (a - b) / s
    return d * d


@njit(cache=True)
def kalpha_ratio_parts(x):
    """Ratio-metric observed part: ``(do_sum, n_pairable)`` with
    ``do_sum = sum_u (sum_{i != j in u} delta_ij) / (m_u - 1)``."""
    n, k = x.shape
    npair = 0
    do_sum = 0.0
    for i in range(n):
        cnt = 0
        for j in range(k):
            if not math.isnan(x[i, j]):
                cnt += 1
        if cnt < 2:
            continue
        npair += cnt
        acc = 0.0
        for a in range(k):
            va = x[i, a]
            if math.isnan(va):
                continue
            for b in range(a + 1, k):
                vb = x[i, b]
                if not math.isnan(vb):
                    acc += 2.0 * _ratio_delta(va, vb)
        do_sum += acc / (cnt - 1.0)
    return do_sum, npair


@njit(cache=True)
def ratio_expected(values, counts):
    """``sum_{c != k} n_c n_k delta_ck`` over the distinct pairable values (O(V^2) time, O(1) memory)."""
    nv = values.shape[0]
    tot = 0.0
    for c in range(nv):
        acc = 0.0
        vc = values[c]
        for kk in range(c + 1, nv):
            acc += counts[kk] * _ratio_delta(vc, values[kk])
        tot += 2.0 * counts[c] * acc
    return tot


@njit(cache=True, parallel=True)
def ratio_expected_parallel(values, counts):
    """Threaded :func:`ratio_expected` for many distinct values (each thread writes its own slot)."""
    nv = values.shape[0]
    part = np.zeros(nv)
    for c in prange(nv):
        acc = 0.0
        vc = values[c]
        for kk in range(c + 1, nv):
            acc += counts[kk] * _ratio_delta(vc, values[kk])
        part[c] = 2.0 * counts[c] * acc
    return part.sum()


@njit(cache=True)
def kalpha_pairs(y, level):
    """Within-unit unordered pairs of pairable values: their metric differences and weights.

    ``level``: 0 nominal (``y`` holds category codes), 1 interval-type (``y``
    holds values or ordinal mid-ranks; delta = squared difference), 3 ratio.
    Each unordered pair of unit ``u`` gets weight ``2 / (m_u - 1)``, so that the
    weights of a unit add up to ``m_u`` (Krippendorff's coincidences).
    """
    n, k = y.shape
    npairs = 0
    for i in range(n):
        cnt = 0
        for j in range(k):
            if not math.isnan(y[i, j]):
                cnt += 1
        if cnt >= 2:
            npairs += cnt * (cnt - 1) // 2
    delta = np.empty(npairs)
    weight = np.empty(npairs)
    p = 0
    for i in range(n):
        cnt = 0
        for j in range(k):
            if not math.isnan(y[i, j]):
                cnt += 1
        if cnt < 2:
            continue
        w = 2.0 / (cnt - 1.0)
        for a in range(k):
            va = y[i, a]
            if math.isnan(va):
                continue
            for b in range(a + 1, k):
                vb = y[i, b]
                if math.isnan(vb):
                    continue
                if level == 0:
                    d = 0.0 if va == vb else 1.0
                elif level == 3:
                    d = _ratio_delta(va, vb)
                else:
                    d = (va - vb) * (va - vb)
                delta[p] = d
                weight[p] = w
                p += 1
    return delta, weight


@njit(cache=True, inline="always")
def _alias_pick(state, prob, npair):
    """Advance ``state`` and return ``(new_state, slot)``: slot ``2 i`` (pair ``i`` itself) or ``2 i + 1`` (its alias).

    The comparison becomes an index, not a branch: a branch taken at random half the time costs a
    misprediction per draw.
    """
    state, u = stream_uniform(state)
    t = u * npair
    i = int(t)
    if i >= npair:
        i = npair - 1
    frac = t - i
    return state, 2 * i + (1 if frac >= prob[i] else 0)


@njit(cache=True, parallel=True)
def kalpha_bootstrap(delta, prob, alias, n_draw, d_e, seed, n_boot):
    """Hayes & Krippendorff (2007) bootstrap of alpha.

    Replicate ``b`` draws ``n_draw`` pairs of values with replacement, pair
    ``p`` with probability proportional to its coincidence weight (Walker's
    alias table ``prob``/``alias``), and returns
    ``alpha_b = 1 - mean(delta of the drawn pairs) / D_e``; ``D_e`` stays fixed.
    Draws come from the counter-based stream of ``(seed, b)``, so the result
    does not depend on the number of threads.
    """
    out = np.empty(n_boot)
    npair = delta.shape[0]
    both = np.empty(2 * npair)  # slot 2i: pair i, slot 2i + 1: its alias
    for i in range(npair):
        both[2 * i] = delta[i]
        both[2 * i + 1] = delta[alias[i]]
    for b in prange(n_boot):
        state = stream_start(seed, b)
        acc = 0.0
        for _ in range(n_draw):
            state, slot = _alias_pick(state, prob, npair)
            acc += both[slot]
        out[b] = 1.0 - (acc / n_draw) / d_e
    return out


@njit(cache=True, parallel=True)
def kalpha_bootstrap_scaled(delta_int, scale, prob, alias, n_draw, d_e, seed, n_boot):
    """:func:`kalpha_bootstrap` for differences that are whole multiples of ``scale`` (a power of two).

    ``delta_int`` holds ``delta / scale`` as integers, small enough that ``n_draw`` of them add up to less
    than 2**53 in absolute value.  Every partial sum of the float kernel is then an exact multiple of
    ``scale`` (no rounding), so the integer sum times ``scale`` is the float kernel's sum bit for bit, and
    an integer accumulator does not wait on a floating-point addition at every draw.
    """
    out = np.empty(n_boot)
    npair = delta_int.shape[0]
    both = np.empty(2 * npair, dtype=np.int64)
    for i in range(npair):
        both[2 * i] = delta_int[i]
        both[2 * i + 1] = delta_int[alias[i]]
    for b in prange(n_boot):
        state = stream_start(seed, b)
        acc = 0
        for _ in range(n_draw):
            state, slot = _alias_pick(state, prob, npair)
            acc += both[slot]
        out[b] = 1.0 - ((acc * scale) / n_draw) / d_e
    return out


def alias_table(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias table for sampling index ``i`` with probability ``w_i / sum w``."""
    w = np.asarray(weights, dtype=float)
    n = w.shape[0]
    scaled = w * (n / w.sum())
    prob = np.ones(n)
    alias = np.arange(n, dtype=np.int64)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s = small.pop()
        lg = large.pop()
        prob[s] = scaled[s]
        alias[s] = lg
        scaled[lg] = scaled[lg] + scaled[s] - 1.0
        if scaled[lg] < 1.0:
            small.append(lg)
        else:
            large.append(lg)
    for i in small + large:
        prob[i] = 1.0
        alias[i] = i
    return prob, alias
