"""numba kernels for :func:`psikometri.fairness.dif` (private).

The public function validates the data, codes the groups (0 = reference,
1 = focal) and the responses (integers ``0 .. K-1``), and calls the kernels on
contiguous integer arrays.  The formulas are documented in
:func:`psikometri.fairness.dif`; this module only does the arithmetic.

Every statistic of both methods depends on the data only through the counts
``counts[j, s, g, k]``: the number of respondents of group ``g`` with matching
score ``s`` who gave response ``k`` to item ``j``.  :func:`dif_tables` builds
them for all items in one pass over the data; the Mantel-Haenszel statistics
(:func:`mh_stats`, :func:`mantel_ordinal_stats`) sum over the strata ``s`` and
the logistic regressions (:func:`logistic_fits`) are fitted to the aggregated
binomial cells ``(s, g)`` (at most ``2 (S + 1)`` of them instead of ``n``
rows; the Bernoulli log-likelihood of the rows equals the cells'
``sum y log p + (m - y) log(1 - p)``, so deviances and estimates are those of
the row-level fit).  Results therefore do not depend on the order of the rows.

:func:`dif_tables` and :func:`logistic_fits` run their items in a ``prange``
loop, each iteration writing only its item's slot; the Mantel-Haenszel sums
(a few hundred operations per item) run serially, where threads would cost
more than they save.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

#: Columns of the :func:`mh_stats` output.
MH_CHI2, MH_ALPHA, MH_VAR_LOG_ALPHA, MH_DIFF, MH_VAR, MH_STRATA = range(6)
MH_NCOL = 6

#: Columns of the :func:`logistic_fits` output.
(LR_DEV0, LR_DEV1, LR_DEV2, LR_NULL, LR_B_GROUP1, LR_B_INT2, LR_B0_2, LR_B_SCORE2, LR_B_GROUP2,
 LR_CONV, LR_N) = range(11)
LR_NCOL = 11

#: Columns of the :func:`mantel_ordinal_stats` output.
MO_CHI2, MO_DIFF, MO_VAR, MO_SMD, MO_STRATA = range(5)
MO_NCOL = 5


@njit(cache=True)
def anchor_scores(xt, anchor):
    """Sum over the anchor items of each respondent's response codes (``xt`` is items x respondents)."""
    J, n = xt.shape
    base = np.zeros(n, dtype=np.int64)
    for k in range(J):
        if anchor[k]:
            for i in range(n):
                base[i] += xt[k, i]
    return base


@njit(cache=True, parallel=True)
def dif_tables(xt, g, anchor, include_self, n_scores, n_cat):
    """Counts ``(J, n_scores, 2, n_cat)`` of respondents by item, matching score, group and response.

    ``xt`` is the ``(J, n)`` item-by-respondent matrix of response codes, ``g``
    the group codes (0/1).  The matching score of item ``j`` is the sum of the
    anchor items' responses, plus item ``j``'s own response when ``include_self``
    and ``j`` is not an anchor item, minus it when not ``include_self`` and
    ``j`` is an anchor item.
    """
    J, n = xt.shape
    base = anchor_scores(xt, anchor)
    out = np.zeros((J, n_scores, 2, n_cat), dtype=np.int64)
    for j in prange(J):
        add = 1 if (include_self and not anchor[j]) else 0
        sub = 1 if ((not include_self) and anchor[j]) else 0
        o = out[j]  # this item's block: the iteration writes nothing else
        for i in range(n):
            x = xt[j, i]
            o[base[i] + add * x - sub * x, g[i], x] += 1
    return out


@njit(cache=True)
def mh_stats(counts, correct):
    """Mantel-Haenszel statistics of each item from its 2 x 2 x S table (response code 1 = keyed).

    Per stratum ``s`` with ``T > 1`` respondents: ``A`` (reference, 1), ``B``
    (reference, 0), ``C`` (focal, 1), ``D`` (focal, 0).  Returns ``(J, 6)``:
    chi-square (with the 0.5 continuity correction when ``correct``), common
    odds ratio, Robins-Breslow-Greenland variance of its log,
    ``sum(A - E(A))``, ``sum Var(A)`` and the number of strata holding both groups.
    """
    J, S = counts.shape[0], counts.shape[1]
    out = np.full((J, MH_NCOL), np.nan)
    for j in range(J):
        diff = 0.0
        var = 0.0
        r_sum = 0.0  # sum A D / T
        s_sum = 0.0  # sum B C / T
        pr = 0.0  # sum P R, P = (A + D) / T, R = A D / T
        ps_qr = 0.0  # sum (P S + Q R)
        qs = 0.0  # sum Q S, Q = (B + C) / T, S = B C / T
        both = 0
        for s in range(S):
            a = float(counts[j, s, 0, 1])
            b = float(counts[j, s, 0, 0])
            c = float(counts[j, s, 1, 1])
            d = float(counts[j, s, 1, 0])
            t = a + b + c + d
            if t <= 1.0:
                continue
            nr = a + b
            nf = c + d
            m1 = a + c
            m0 = b + d
            if nr > 0.0 and nf > 0.0:
                both += 1
            diff += a - nr * m1 / t
            var += nr * nf * m1 * m0 / (t * t * (t - 1.0))
            rr = a * d / t
            ss = b * c / t
            p = (a + d) / t
            q = (b + c) / t
            r_sum += rr
            s_sum += ss
            pr += p * rr
            ps_qr += p * ss + q * rr
            qs += q * ss
        out[j, MH_DIFF] = diff
        out[j, MH_VAR] = var
        out[j, MH_STRATA] = both
        if var > 0.0:
            dev = abs(diff) - 0.5 if correct else abs(diff)
            out[j, MH_CHI2] = dev * dev / var
        if s_sum > 0.0:
            out[j, MH_ALPHA] = r_sum / s_sum
        elif r_sum > 0.0:
            out[j, MH_ALPHA] = np.inf
        if r_sum > 0.0 and s_sum > 0.0:
            out[j, MH_VAR_LOG_ALPHA] = (pr / (2.0 * r_sum * r_sum) + ps_qr / (2.0 * r_sum * s_sum)
                                        + qs / (2.0 * s_sum * s_sum))
    return out


@njit(cache=True)
def mantel_ordinal_stats(counts, values):
    """Mantel's (1963) test and the standardized mean difference from ``(J, S, 2, K)`` tables.

    ``values[j, k]`` is the score of response code ``k`` of item ``j``.  Per
    stratum with ``T > 1``: ``F`` = sum of the focal group's item scores,
    ``E(F) = n_F sum_k y_k n_{+k} / T``, ``Var(F) = n_R n_F (T sum_k y_k^2 n_{+k}
    - (sum_k y_k n_{+k})^2) / (T^2 (T - 1))``.  SMD = sum over strata of
    ``(n_Fs / n_F) (mean_F,s - mean_R,s)`` over the strata holding both groups,
    ``n_F`` the focal respondents in those strata.  Returns ``(J, 5)``:
    chi-square, ``sum(F - E(F))``, ``sum Var(F)``, SMD, number of strata holding both groups.
    """
    J, S, K = counts.shape[0], counts.shape[1], counts.shape[3]
    out = np.full((J, MO_NCOL), np.nan)
    for j in range(J):
        diff = 0.0
        var = 0.0
        smd_num = 0.0
        nf_tot = 0.0
        both = 0
        for s in range(S):
            nr = 0.0
            nf = 0.0
            sum_f = 0.0
            sum_r = 0.0
            sy = 0.0
            syy = 0.0
            for k in range(K):
                y = values[j, k]
                cr = float(counts[j, s, 0, k])
                cf = float(counts[j, s, 1, k])
                nr += cr
                nf += cf
                sum_r += y * cr
                sum_f += y * cf
                sy += y * (cr + cf)
                syy += y * y * (cr + cf)
            t = nr + nf
            if t <= 1.0:
                continue
            diff += sum_f - nf * sy / t
            var += nr * nf * (t * syy - sy * sy) / (t * t * (t - 1.0))
            if nr > 0.0 and nf > 0.0:
                both += 1
                smd_num += sum_f - nf * sum_r / nr
                nf_tot += nf
        out[j, MO_DIFF] = diff
        out[j, MO_VAR] = var
        out[j, MO_STRATA] = both
        if var > 0.0:
            out[j, MO_CHI2] = diff * diff / var
        if nf_tot > 0.0:
            out[j, MO_SMD] = smd_num / nf_tot
    return out


@njit(cache=True)
def _cholesky_solve(h, grad, p):
    """Solve ``h d = grad`` for a symmetric positive definite ``p x p`` block of ``h``; NaN if not p.d."""
    L = np.zeros((4, 4))
    for i in range(p):
        for k in range(i + 1):
            acc = h[i, k]
            for m in range(k):
                acc -= L[i, m] * L[k, m]
            if i == k:
                if not (acc > 1e-300):
                    d = np.empty(p)
                    d[:] = np.nan
                    return d
                L[i, i] = math.sqrt(acc)
            else:
                L[i, k] = acc / L[k, k]
    z = np.empty(p)
    for i in range(p):
        acc = grad[i]
        for m in range(i):
            acc -= L[i, m] * z[m]
        z[i] = acc / L[i, i]
    d = np.empty(p)
    for i in range(p - 1, -1, -1):
        acc = z[i]
        for m in range(i + 1, p):
            acc -= L[m, i] * d[m]
        d[i] = acc / L[i, i]
    return d


@njit(cache=True)
def _deviance(X, y, m, beta, p):
    """Bernoulli deviance ``-2 sum [y log mu + (m - y) log(1 - mu)]`` of the cells at ``beta``."""
    dev = 0.0
    for c in range(y.size):
        eta = 0.0
        for a in range(p):
            eta += X[c, a] * beta[a]
        # log mu = -log1p(exp(-eta)), log(1 - mu) = -log1p(exp(eta)), both without overflow
        if eta >= 0.0:
            l1 = -math.log1p(math.exp(-eta))
            l0 = -eta + l1
        else:
            l0 = -math.log1p(math.exp(eta))
            l1 = eta + l0
        dev -= 2.0 * (y[c] * l1 + (m[c] - y[c]) * l0)
    return dev


@njit(cache=True)
def logit_fit(X, y, m, p, max_iter, tol):
    """Newton-Raphson (IRLS) fit of a logistic regression on the first ``p`` columns of the cells ``X``.

    ``y`` successes out of ``m`` trials per cell.  Starts at zero, halves a step
    that raises the deviance, stops when the largest change of a coefficient is
    below ``tol`` (relative to 1 + its size).  Returns ``(beta, deviance, converged)``; the deviance is
    NaN when the design has not full rank.
    """
    beta = np.zeros(4)
    dev = _deviance(X, y, m, beta, p)
    grad = np.zeros(4)
    h = np.zeros((4, 4))
    converged = False
    for it in range(max_iter):
        grad[:] = 0.0
        h[:, :] = 0.0
        for c in range(y.size):
            eta = 0.0
            for a in range(p):
                eta += X[c, a] * beta[a]
            if eta >= 0.0:
                e = math.exp(-eta)
                mu = 1.0 / (1.0 + e)
            else:
                e = math.exp(eta)
                mu = e / (1.0 + e)
            w = m[c] * mu * (1.0 - mu)
            r = y[c] - m[c] * mu
            for a in range(p):
                grad[a] += X[c, a] * r
                for b in range(a + 1):
                    h[a, b] += w * X[c, a] * X[c, b]
        for a in range(p):
            for b in range(a):
                h[b, a] = h[a, b]
        step = _cholesky_solve(h, grad, p)
        if not np.isfinite(step).all():
            # singular information: a design without full rank (NaN) or, after some steps, fitted values at
            # 0 or 1 (separation: the deviance reached is kept, flagged as not converged)
            return beta, (np.nan if it == 0 else dev), False
        new = beta.copy()
        scale = 1.0
        for _h in range(60):
            for a in range(p):
                new[a] = beta[a] + scale * step[a]
            nd = _deviance(X, y, m, new, p)
            if nd <= dev + 1e-12 * (1.0 + abs(dev)):
                break
            scale *= 0.5
        big = 0.0
        for a in range(p):
            ch = abs(new[a] - beta[a]) / (1.0 + abs(beta[a]))
            if ch > big:
                big = ch
        beta = new
        dev = nd
        if big < tol:
            converged = True
            break
    return beta, dev, converged


@njit(cache=True, parallel=True)
def logistic_fits(counts, max_iter, tol):
    """Swaminathan-Rogers logistic regressions of each dichotomous item on its ``(S, 2, 2)`` table.

    Models on the cells ``(score s, group g)`` with ``y`` = count of response 1:
    M0 ``1 + s``, M1 ``1 + s + g``, M2 ``1 + s + g + s g`` (the score is centred
    at its mean in the fit, which changes neither the deviances nor the group
    coefficient of M1, the interaction of M2, nor, after shifting back, any
    coefficient of M2).  Returns ``(J, 11)``: deviances of M0, M1, M2 and of the
    intercept-only model; group coefficient of M1; interaction, intercept,
    score and group coefficients of M2 (uncentred score); number of the three
    fits that converged; number of respondents.
    """
    J, S = counts.shape[0], counts.shape[1]
    out = np.full((J, LR_NCOL), np.nan)
    for j in prange(J):
        ncell = 0
        for s in range(S):
            for gg in range(2):
                if counts[j, s, gg, 0] + counts[j, s, gg, 1] > 0:
                    ncell += 1
        X = np.zeros((ncell, 4))
        y = np.zeros(ncell)
        m = np.zeros(ncell)
        c = 0
        tot = 0.0
        ytot = 0.0
        stot = 0.0
        for s in range(S):
            for gg in range(2):
                mm = counts[j, s, gg, 0] + counts[j, s, gg, 1]
                if mm > 0:
                    X[c, 0] = 1.0
                    X[c, 1] = s
                    X[c, 2] = gg
                    y[c] = counts[j, s, gg, 1]
                    m[c] = mm
                    tot += mm
                    ytot += y[c]
                    stot += s * mm
                    c += 1
        center = stot / tot if tot > 0 else 0.0
        for c in range(ncell):
            X[c, 1] -= center
            X[c, 3] = X[c, 1] * X[c, 2]
        out[j, LR_N] = tot
        if ytot > 0.0 and ytot < tot:
            pbar = ytot / tot
            out[j, LR_NULL] = -2.0 * (ytot * math.log(pbar) + (tot - ytot) * math.log1p(-pbar))
        else:
            out[j, LR_NULL] = 0.0
        nconv = 0
        b0, d0, c0 = logit_fit(X, y, m, 2, max_iter, tol)
        b1, d1, c1 = logit_fit(X, y, m, 3, max_iter, tol)
        b2, d2, c2 = logit_fit(X, y, m, 4, max_iter, tol)
        nconv = int(c0) + int(c1) + int(c2)
        out[j, LR_DEV0] = d0
        out[j, LR_DEV1] = d1
        out[j, LR_DEV2] = d2
        out[j, LR_B_GROUP1] = b1[2]
        out[j, LR_B_INT2] = b2[3]
        # back to the uncentred score: b0 + b1 (s - c) + b2 g + b3 (s - c) g
        out[j, LR_B0_2] = b2[0] - b2[1] * center
        out[j, LR_B_SCORE2] = b2[1]
        out[j, LR_B_GROUP2] = b2[2] - b2[3] * center
        out[j, LR_CONV] = nconv
    return out
