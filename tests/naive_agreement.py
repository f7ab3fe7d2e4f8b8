"""Plain numpy / Python reference implementations for the agreement kernels.

Written straight from the textbook definitions (explicit coincidence matrices,
explicit loops over pairs of raters), deliberately unlike the kernels' sum
identities, so that an error in either shows up as a mismatch.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def icc_mean_squares(x: np.ndarray):
    """Two-way ANOVA mean squares (MSR, MSW, MSC, MSE) of a complete targets x raters table."""
    n, k = x.shape
    gm = x.mean()
    ssr = k * ((x.mean(axis=1) - gm) ** 2).sum()
    ssc = n * ((x.mean(axis=0) - gm) ** 2).sum()
    sst = ((x - gm) ** 2).sum()
    sse = sst - ssr - ssc
    return ssr / (n - 1), (ssc + sse) / (n * (k - 1)), ssc / (k - 1), sse / ((n - 1) * (k - 1))


def kalpha_coincidence(data: np.ndarray, level: str) -> float:
    """Krippendorff's alpha via the coincidence matrix (Krippendorff 2011, sections B-E)."""
    units = [row[~np.isnan(row)] for row in np.asarray(data, float)]
    units = [u for u in units if u.size >= 2]
    values = np.unique(np.concatenate(units))
    idx = {v: i for i, v in enumerate(values)}
    V = values.size
    o = np.zeros((V, V))
    for u in units:
        m = u.size
        for i, j in itertools.permutations(range(m), 2):
            o[idx[u[i]], idx[u[j]]] += 1.0 / (m - 1)
    nc = o.sum(axis=1)
    n = nc.sum()
    delta = np.zeros((V, V))
    for c in range(V):
        for k in range(V):
            a, b = values[c], values[k]
            if level == "nominal":
                delta[c, k] = float(a != b)
            elif level == "ordinal":
                lo, hi = min(c, k), max(c, k)
                delta[c, k] = (nc[lo:hi + 1].sum() - (nc[c] + nc[k]) / 2.0) ** 2
            elif level == "interval":
                delta[c, k] = (a - b) ** 2
            else:
                delta[c, k] = ((a - b) / (a + b)) ** 2 if a + b != 0 else 0.0
    d_o = (o * delta).sum()
    d_e = (np.outer(nc, nc) * delta).sum() / (n - 1)
    return 1.0 - d_o / d_e


def kappa_table(a, b, categories):
    k = len(categories)
    pos = {c: i for i, c in enumerate(categories)}
    t = np.zeros((k, k))
    for x, y in zip(a, b):
        t[pos[x], pos[y]] += 1
    return t


def weighted_kappa(a, b, categories, weights=None):
    """Cohen's (1968) weighted kappa from disagreement weights |i-j|^p, as 1 - sum(v o)/sum(v e)."""
    t = kappa_table(a, b, categories)
    k = len(categories)
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    if weights is None:
        v = (i != j).astype(float)
    elif weights == "linear":
        v = np.abs(i - j).astype(float)
    else:
        v = ((i - j) ** 2).astype(float)
    e = np.outer(t.sum(1), t.sum(0)) / t.sum()
    return 1.0 - (v * t).sum() / (v * e).sum()


def gwet_pairwise(data: np.ndarray, method: str, q: int, w: np.ndarray | None = None) -> float:
    """AC1/AC2, Brennan-Prediger, Fleiss' generalized kappa and percent agreement by explicit loops.

    ``data``: units x raters of integer category codes 0..q-1 (-1 missing).
    Agreement of a unit = mean weight over its ordered pairs of distinct raters.
    """
    w = np.eye(q) if w is None else w
    n_units = 0
    pa_sum, n2 = 0.0, 0
    pi = np.zeros(q)
    for row in data:
        r = [int(c) for c in row if c >= 0]
        if not r:
            continue
        n_units += 1
        for c in r:
            pi[c] += 1.0 / len(r)
        if len(r) >= 2:
            n2 += 1
            pairs = [(x, y) for ia, x in enumerate(r) for ib, y in enumerate(r) if ia != ib]
            pa_sum += sum(w[x, y] for x, y in pairs) / len(pairs)
    pa = pa_sum / n2
    pi /= n_units
    if method == "pa":
        return pa
    if method == "bp":
        pe = w.sum() / q**2
    elif method == "fleiss":
        pe = sum(w[k, l] * pi[k] * pi[l] for k in range(q) for l in range(q))
    else:
        pe = w.sum() / (q * (q - 1)) * sum(p * (1 - p) for p in pi)
    return (pa - pe) / (1 - pe)


def fleiss_1971(counts: np.ndarray) -> float:
    """Fleiss' (1971) kappa from a subjects x categories count table, eq. (1)-(9) of the paper."""
    N = counts.shape[0]
    n = counts[0].sum()
    p = counts.sum(axis=0) / (N * n)
    P = ((counts**2).sum(axis=1) - n) / (n * (n - 1))
    return (P.mean() - (p**2).sum()) / (1 - (p**2).sum())


def reml_deviance_dense(y, ti, rj, n_t, n_r, va, vb, ve):
    """-2 REML log-likelihood of y = mu + a_t + b_r + e from the dense marginal covariance."""
    N = len(y)
    Zt = np.zeros((N, n_t))
    Zt[np.arange(N), ti] = 1
    Zr = np.zeros((N, n_r))
    Zr[np.arange(N), rj] = 1
    V = va * Zt @ Zt.T + vb * Zr @ Zr.T + ve * np.eye(N)
    Vi = np.linalg.inv(V)
    X = np.ones((N, 1))
    XVX = X.T @ Vi @ X
    P = Vi - Vi @ X @ np.linalg.inv(XVX) @ X.T @ Vi
    return np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + y @ P @ y + (N - 1) * math.log(2 * math.pi)


def kalpha_pairs(data: np.ndarray, level: str):
    """Within-unit unordered pairs (delta, weight 2/(m_u-1)) by explicit enumeration."""
    out_d, out_w = [], []
    for row in np.asarray(data, float):
        u = row[~np.isnan(row)]
        m = u.size
        if m < 2:
            continue
        for i, j in itertools.combinations(range(m), 2):
            a, b = u[i], u[j]
            if level == 0:
                d = float(a != b)
            elif level == 3:
                d = ((a - b) / (a + b)) ** 2 if a + b != 0 else 0.0
            else:
                d = (a - b) ** 2
            out_d.append(d)
            out_w.append(2.0 / (m - 1))
    return np.array(out_d), np.array(out_w)


def kalpha_bootstrap(delta, prob, alias, n_draw, d_e, seed, n_boot):
    """Hayes & Krippendorff bootstrap replayed draw by draw in Python from the counter-based stream.

    Pair ``i = floor(u * P)`` is kept when ``u * P - i < prob[i]``, else its alias is drawn; the drawn
    differences are added in draw order (the order of the kernels' sums).
    """
    from psikometri._resampling import stream_start, stream_uniform

    npair = len(delta)
    out = np.empty(n_boot)
    for b in range(n_boot):
        state = np.uint64(stream_start(np.uint64(seed), b) % 2**64)
        acc = 0.0
        for _ in range(n_draw):
            state, u = stream_uniform(state)
            state = np.uint64(state % 2**64)
            t = u * npair
            i = min(int(t), npair - 1)
            acc += delta[i] if t - i < prob[i] else delta[alias[i]]
        out[b] = 1.0 - (acc / n_draw) / d_e
    return out


def assessor_pairs(d, assessor):
    """Co-rating statistics of one assessor by explicit loops over its ratings (long frame with columns
    candidate, competency, exercise, assessor, score; every row scored).

    Returns ``(own_sd, other_sd, exact)``: the sd of its scores on cells another assessor rated too, the sd of
    the other assessors' scores over all (its rating, another rating of the cell) pairs, and the share of those
    pairs with equal scores.
    """
    own, other, same = [], [], []
    for _, r in d.loc[d["assessor"] == assessor].iterrows():
        cell = d.loc[(d["candidate"] == r["candidate"]) & (d["competency"] == r["competency"])
                     & (d["exercise"] == r["exercise"]) & (d["assessor"] != assessor), "score"]
        if len(cell):
            own.append(r["score"])
        for s in cell:
            other.append(s)
            same.append(s == r["score"])
    sd = (lambda v: float(np.std(v, ddof=1)) if len(v) >= 2 else math.nan)
    return sd(own), sd(other), float(np.mean(same)) if same else math.nan


def halo_of(d, assessor, exercise):
    """Mean correlation between competencies of one assessor in one exercise across its candidates (NaN when
    no pair of competencies has 3 candidates with both scores and variation in both)."""
    g = d.loc[(d["assessor"] == assessor) & (d["exercise"] == exercise)]
    comps = sorted(g["competency"].unique())
    rs = []
    for i, k1 in enumerate(comps):
        for k2 in comps[i + 1:]:
            a = g.loc[g["competency"] == k1].set_index("candidate")["score"]
            b = g.loc[g["competency"] == k2].set_index("candidate")["score"]
            both = a.index.intersection(b.index)
            x, y = a[both].to_numpy(), b[both].to_numpy()
            if len(both) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                rs.append(float(np.corrcoef(x, y)[0, 1]))
    return float(np.mean(rs)) if rs else math.nan


def halo_co_assessors(d, assessor):
    """Halo of the assessors who rated the same candidates in the same exercise as ``assessor``, weighted by the
    candidates shared (a loop over exercises and co-assessors)."""
    num = den = 0.0
    for e in sorted(d.loc[d["assessor"] == assessor, "exercise"].unique()):
        mine = set(d.loc[(d["assessor"] == assessor) & (d["exercise"] == e), "candidate"])
        for b in sorted(d.loc[d["exercise"] == e, "assessor"].unique()):
            if b == assessor:
                continue
            w = len(mine & set(d.loc[(d["assessor"] == b) & (d["exercise"] == e), "candidate"]))
            h = halo_of(d, b, e)
            if w and not math.isnan(h):
                num += w * h
                den += w
    return num / den if den else math.nan
