"""Plain numpy reference for the validity-study bootstrap (the kernel in psikometri._validity_kernels).

Written independently of the kernel, straight from the formulas: it materialises
each resample with :func:`psikometri._resampling.bootstrap_indices` (the same
counter-based draws the kernel makes), computes the observed correlation among
those with an observed criterion, re-estimates ``u`` and applies the Case II or
Case IV (Hunter, Schmidt & Le 2006) corrections.  Also the baseline of
``benchmarks/bench_validity.py``.
"""

from __future__ import annotations

import math

import numpy as np

from psikometri._resampling import bootstrap_indices


def chain(r, u, rxxa, ryyi, case):
    """(observed, corrected_criterion, corrected_range_restriction, operational) from r and u."""
    if not (np.isfinite(r) and np.isfinite(u) and u > 0):
        return (r, np.nan, np.nan, np.nan)
    have = ryyi is not None and np.isfinite(ryyi)
    rc = r / math.sqrt(ryyi) if have else np.nan

    def thorndike(rr, uu):
        big_u = 1.0 / uu
        return big_u * rr / math.sqrt((big_u**2 - 1.0) * rr**2 + 1.0)

    if case == "II":
        return (r, rc, thorndike(r, u), thorndike(rc, u) if have else np.nan)
    if not have:
        return (r, np.nan, np.nan, np.nan)
    rxxi = 1.0 - (1.0 - rxxa) / u**2
    ut2 = (u**2 - (1.0 - rxxa)) / rxxa
    if rxxi <= 0 or ut2 <= 0:
        return (r, rc, np.nan, np.nan)
    rtpi = r / math.sqrt(rxxi * ryyi)
    if abs(rtpi) > 1:
        return (r, rc, np.nan, np.nan)
    d = (1.0 / ut2 - 1.0) * rtpi**2 + 1.0
    if d <= 0:
        return (r, rc, np.nan, np.nan)
    rtpa = rtpi / math.sqrt(ut2) / math.sqrt(d)
    # true-criterion variance among incumbents (applicant variance 1), error variance from ryyi
    var_p_inc = rtpa**2 * ut2 + (1.0 - rtpa**2)
    err = var_p_inc * (1.0 - ryyi) / ryyi
    ryya = 1.0 / (1.0 + err)
    return (r, rc, rtpa * math.sqrt(rxxa) * math.sqrt(ryya), rtpa * math.sqrt(rxxa))


def validity_bootstrap(x, y, *, n_boot, seed, case="IV", rxxa=None, ryyi=None, u=None, applicant_sd=None):
    """Replicates as an (n_boot, 6) array: 4 coefficients, number selected, u (same layout as the kernel)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    idx = bootstrap_indices(x.size, n_boot, seed)
    out = np.full((n_boot, 6), np.nan)
    for b in range(n_boot):
        xb, yb = x[idx[b]], y[idx[b]]
        sel = ~np.isnan(yb)
        out[b, 4] = sel.sum()
        if sel.sum() < 3:
            continue
        xs, ys = xb[sel], yb[sel]
        if xs.std() == 0 or ys.std() == 0:
            continue
        r = np.corrcoef(xs, ys)[0, 1]
        if u is not None:
            ub = u
        elif applicant_sd is not None:
            ub = xs.std(ddof=1) / applicant_sd
        else:
            ub = xs.std(ddof=1) / xb.std(ddof=1)
        out[b, 5] = ub
        out[b, :4] = chain(r, ub, rxxa if rxxa is not None else 1.0, ryyi, case)
    return out


def ols_r2_boot_loop(X, y, idx):
    """R-squared of ``lstsq(X[ii], y[ii])`` for each resample ``ii`` of ``idx`` (NaN where y is constant)."""
    out = np.empty(len(idx))
    for b, ii in enumerate(idx):
        yb = y[ii]
        tss = np.sum((yb - yb.mean()) ** 2)
        if tss <= 0:
            out[b] = np.nan
            continue
        Xb = X[ii]
        beta, *_ = np.linalg.lstsq(Xb, yb, rcond=None)
        out[b] = 1.0 - np.sum((yb - Xb @ beta) ** 2) / tss
    return out
