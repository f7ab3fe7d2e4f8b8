"""Plain numpy references for psikometri.reassessment, written independently of its kernels.

* :func:`decision_consistency_sim`: the normal true-score model of ``decision_consistency`` by brute-force
  Monte-Carlo: true scores and two independent errors are *drawn*, categories come from ``np.searchsorted``,
  and every probability is a frequency.  Used by tests/test_reassessment.py (agreement within Monte-Carlo
  error) and as the baseline of benchmarks/bench_reassessment.py.
* :func:`expected_by_error_sim`: the same for the transition table that measurement error alone produces.
* :func:`rect_prob_scipy`: bivariate normal rectangle probabilities from ``scipy.stats.multivariate_normal``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def categories(x, cuts):
    """0, 1, ...: number of cuts <= x (a value on a cut goes up)."""
    return np.searchsorted(np.asarray(cuts, dtype=float), x, side="right")


def decision_consistency_sim(x, rel, cuts, n_sim=20000, seed=0, chunk=200):
    """Monte-Carlo version of decision_consistency: per-person probabilities and the cohort figures."""
    x = np.asarray(x, dtype=float)
    rng = np.random.default_rng(seed)
    n, k = x.size, len(cuts) + 1
    mu, s = x.mean(), x.std(ddof=1)
    sem = s * np.sqrt(1 - rel)
    post_sd = np.sqrt(rel * (1 - rel)) * s
    m = mu + rel * (x - mu)
    assigned = categories(x, cuts)
    p_true = np.empty((n, k))
    p_retest = np.empty(n)
    agree = np.empty(n)
    acc = np.empty(n)
    q = np.empty((n, k))
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        t = m[a:b, None] + post_sd * rng.standard_normal((b - a, n_sim))
        x1 = t + sem * rng.standard_normal(t.shape)
        x2 = t + sem * rng.standard_normal(t.shape)
        ct, c1, c2 = categories(t, cuts), categories(x1, cuts), categories(x2, cuts)
        for j in range(k):
            p_true[a:b, j] = (ct == j).mean(axis=1)
            q[a:b, j] = (c1 == j).mean(axis=1)
        p_retest[a:b] = (c1 == assigned[a:b, None]).mean(axis=1)
        agree[a:b] = (c1 == c2).mean(axis=1)
        acc[a:b] = (c1 == ct).mean(axis=1)
    pa = agree.mean()
    pc = float((q.mean(axis=0) ** 2).sum())
    return {
        "p_true": p_true,
        "p_assigned": p_true[np.arange(n), assigned],
        "p_retest": p_retest,
        "agreement": pa,
        "chance_agreement": pc,
        "kappa": (pa - pc) / (1 - pc),
        "accuracy": acc.mean(),
    }


def expected_by_error_sim(x1, x2, rel1, rel2, cuts, n_sim=20000, seed=0):
    """Monte-Carlo expected transition counts under measurement error alone (true score from occasion 1)."""
    x1 = np.asarray(x1, dtype=float)
    x2 = np.asarray(x2, dtype=float)
    rng = np.random.default_rng(seed)
    k = len(cuts) + 1
    mu, s1, s2 = x1.mean(), x1.std(ddof=1), x2.std(ddof=1)
    m = mu + rel1 * (x1 - mu)
    t = m[:, None] + np.sqrt(rel1 * (1 - rel1)) * s1 * rng.standard_normal((x1.size, n_sim))
    a = categories(t + s1 * np.sqrt(1 - rel1) * rng.standard_normal(t.shape), cuts)
    b = categories(t + s2 * np.sqrt(1 - rel2) * rng.standard_normal(t.shape), cuts)
    out = np.zeros((k, k))
    np.add.at(out, (a.ravel(), b.ravel()), 1.0)
    return out / n_sim


def rect_prob_scipy(lo1, hi1, lo2, hi2, mean, cov):
    """P(lo1 <= Y1 < hi1, lo2 <= Y2 < hi2) for a bivariate normal, by scipy's CDF and inclusion-exclusion."""
    big = 1e6
    f = stats.multivariate_normal(mean=mean, cov=cov)

    def cdf(a, b):
        if a == -np.inf or b == -np.inf:
            return 0.0
        return f.cdf([min(a, big), min(b, big)])

    return cdf(hi1, hi2) - cdf(lo1, hi2) - cdf(hi1, lo2) + cdf(lo1, lo2)
