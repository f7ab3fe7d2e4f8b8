"""Plain numpy / statsmodels references for the DIF kernels (psikometri.fairness._dif_kernels).

Written from the formulas, on the respondent-level data, independently of the
kernels (which work on aggregated score x group x response tables):

* :func:`matching_scores` - the matching score of every item for an anchor set;
* :func:`mh_item` - Mantel-Haenszel chi-square, common odds ratio and the
  Robins-Breslow-Greenland variance of its log, stratum by stratum;
* :func:`mantel_item` - Mantel's (1963) ordinal test and the standardized mean
  difference for a polytomous item;
* :func:`logistic_item` - the three Swaminathan-Rogers models fitted with
  ``statsmodels.Logit`` on the rows (also the baseline of ``benchmarks/bench_dif.py``).
"""

from __future__ import annotations

import warnings

import numpy as np


def matching_scores(X: np.ndarray, anchor: np.ndarray, include_self: bool) -> np.ndarray:
    """``(n, J)`` matching scores: sum of the anchor items, with (``include_self``) or without item j itself."""
    X = np.asarray(X, dtype=float)
    J = X.shape[1]
    out = np.empty_like(X)
    for j in range(J):
        cols = [k for k in range(J) if anchor[k] and k != j]
        s = X[:, cols].sum(axis=1) if cols else np.zeros(X.shape[0])
        if include_self:
            s = s + X[:, j]
        out[:, j] = s
    return out


def mh_item(y: np.ndarray, g: np.ndarray, s: np.ndarray, correct: bool = True) -> dict:
    """MH statistics of one 0/1 item ``y`` for groups ``g`` (0 reference, 1 focal) matched on ``s``."""
    diff = var = 0.0
    R = S = pr = psqr = qs = 0.0
    for lev in np.unique(s):
        k = s == lev
        T = k.sum()
        if T < 2:
            continue
        A = np.sum(k & (g == 0) & (y == 1))
        B = np.sum(k & (g == 0) & (y == 0))
        C = np.sum(k & (g == 1) & (y == 1))
        D = np.sum(k & (g == 1) & (y == 0))
        nr, nf, m1, m0 = A + B, C + D, A + C, B + D
        diff += A - nr * m1 / T
        var += nr * nf * m1 * m0 / (T**2 * (T - 1))
        r, ss = A * D / T, B * C / T
        p, q = (A + D) / T, (B + C) / T
        R += r
        S += ss
        pr += p * r
        psqr += p * ss + q * r
        qs += q * ss
    dev = abs(diff) - (0.5 if correct else 0.0)
    chi2 = dev**2 / var if var > 0 else np.nan
    alpha = R / S if S > 0 else (np.inf if R > 0 else np.nan)
    v = pr / (2 * R**2) + psqr / (2 * R * S) + qs / (2 * S**2) if (R > 0 and S > 0) else np.nan
    return {"chi2": chi2, "alpha": alpha, "var_log_alpha": v, "diff": diff, "var": var}


def mantel_item(y: np.ndarray, g: np.ndarray, s: np.ndarray) -> dict:
    """Mantel (1963) chi-square (no continuity correction) and SMD of item scores ``y``."""
    diff = var = 0.0
    smd_num = nf_tot = 0.0
    for lev in np.unique(s):
        k = s == lev
        T = k.sum()
        if T < 2:
            continue
        yy, gg = y[k].astype(float), g[k]
        nf = np.sum(gg == 1)
        nr = T - nf
        diff += yy[gg == 1].sum() - nf * yy.sum() / T
        var += nr * nf * (T * np.sum(yy**2) - yy.sum() ** 2) / (T**2 * (T - 1))
        if nf > 0 and nr > 0:
            smd_num += nf * (yy[gg == 1].mean() - yy[gg == 0].mean())
            nf_tot += nf
    return {"chi2": diff**2 / var if var > 0 else np.nan, "smd": smd_num / nf_tot if nf_tot else np.nan}


def logistic_item(y: np.ndarray, g: np.ndarray, s: np.ndarray) -> dict:
    """Deviances of M0 (1 + s), M1 (+ g), M2 (+ s g), the null deviance and two coefficients, by statsmodels."""
    import statsmodels.api as sm

    y = np.asarray(y, dtype=float)
    s = np.asarray(s, dtype=float)
    g = np.asarray(g, dtype=float)
    designs = [np.column_stack([np.ones_like(s), s]), np.column_stack([np.ones_like(s), s, g]),
               np.column_stack([np.ones_like(s), s, g, s * g])]
    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for X in designs:
            fits.append(sm.Logit(y, X).fit(method="newton", disp=0, maxiter=100, tol=1e-12))
    pbar = y.mean()
    null = -2 * (y.sum() * np.log(pbar) + (y.size - y.sum()) * np.log1p(-pbar))
    return {"dev0": -2 * fits[0].llf, "dev1": -2 * fits[1].llf, "dev2": -2 * fits[2].llf, "null": null,
            "b_group_m1": fits[1].params[2], "b_int_m2": fits[2].params[3], "params_m2": fits[2].params}
