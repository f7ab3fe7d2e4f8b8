"""numba kernels for :mod:`psikometri.validity` (the bootstrap of a validity study).

The public entry point is :func:`psikometri.validity.validity_study`, which
validates the data and calls :func:`validity_bootstrap_kernel`.  The formulas
are documented there and in :func:`psikometri.validity.correct_range_restriction`;
this module only does the arithmetic.

Replicate ``b`` draws ``n`` row indices from its own counter-based stream
``stream_start(seed, b)`` (see :mod:`psikometri._resampling`), so the results do
not depend on the number of threads, and the ``prange`` loop writes only row
``b`` of the output.  No resampled data set is built: each draw adds the row to
running sums (over all applicants, and over those whose criterion is observed),
from which the replicate's standard deviations, correlation, ``u`` and the
corrected coefficients follow.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._resampling import stream_index, stream_start

#: Codes of the range-restriction case used by the kernels.
CASE_II = 2
CASE_IV = 4

#: Codes of how ``u`` is obtained in each replicate.
U_FIXED = 0  # a number given by the user
U_APPLICANT_SD = 1  # SD(predictor | criterion observed) / given applicant SD
U_POOL = 2  # SD(predictor | criterion observed) / SD(predictor over all rows)


@njit(cache=True)
def case_ii(r, u):
    """Thorndike Case II: ``r / sqrt(u**2 + r**2 (1 - u**2))``."""
    d = u * u + r * r * (1.0 - u * u)
    if not (d > 0.0):
        return math.nan
    return r / math.sqrt(d)


@njit(cache=True)
def correction_chain(r, u, rxxa, ryyi, case):
    """The four coefficients of a validity study from the observed ``r`` and ``u``.

    Returns ``(observed, corrected_criterion, corrected_range_restriction,
    operational)``.  ``ryyi`` NaN means "not given": the rows that need it are
    NaN.  Invalid intermediate values (``u`` outside (0, 1], ``u**2 <= 1 - rxxa``
    in Case IV, a true-score correlation among incumbents above 1) give NaN.
    """
    nan = math.nan
    if not (math.isfinite(r) and math.isfinite(u)) or u <= 0.0:
        return r, nan, nan, nan
    have_ryy = math.isfinite(ryyi)
    rc = r / math.sqrt(ryyi) if have_ryy else nan
    if case == CASE_II:
        rxya = case_ii(r, u)
        op = case_ii(rc, u) if have_ryy else nan
        return r, rc, rxya, op
    # Case IV (Hunter, Schmidt & Le 2006)
    if not have_ryy:
        return r, nan, nan, nan
    rxxi = 1.0 - (1.0 - rxxa) / (u * u)
    ut2 = (u * u - (1.0 - rxxa)) / rxxa
    if not (rxxi > 0.0) or not (ut2 > 0.0):
        return r, rc, nan, nan
    ut = math.sqrt(ut2)
    rtpi = r / math.sqrt(rxxi * ryyi)
    if abs(rtpi) > 1.0:
        return r, rc, nan, nan
    rtpa = case_ii(rtpi, ut)
    if not math.isfinite(rtpa):
        return r, rc, nan, nan
    # criterion reliability in the applicant pool implied by selection on T only
    vpi = 1.0 - rtpa * rtpa * (1.0 - ut2)
    ryya = 1.0 / (1.0 + vpi * (1.0 - ryyi) / ryyi)
    return r, rc, rtpa * math.sqrt(rxxa * ryya), rtpa * math.sqrt(rxxa)


@njit(cache=True)
def _replicate(x, y, obs, seed, b, u_mode, u_fixed, applicant_sd, rxxa, ryyi, case, out_row):
    n = x.shape[0]
    state = stream_start(seed, b)
    wa = 0.0
    sxa = 0.0
    sxxa = 0.0
    ws = 0.0
    sx = 0.0
    sy = 0.0
    sxx = 0.0
    syy = 0.0
    sxy = 0.0
    for _ in range(n):
        state, i = stream_index(state, n)
        xi = x[i]
        wa += 1.0
        sxa += xi
        sxxa += xi * xi
        if obs[i]:
            yi = y[i]
            ws += 1.0
            sx += xi
            sy += yi
            sxx += xi * xi
            syy += yi * yi
            sxy += xi * yi
    out_row[4] = ws
    nan = math.nan
    if ws < 3.0:
        for k in range(4):
            out_row[k] = nan
        out_row[5] = nan
        return
    cxx = sxx - sx * sx / ws
    cyy = syy - sy * sy / ws
    cxy = sxy - sx * sy / ws
    if not (cxx > 0.0 and cyy > 0.0):
        for k in range(4):
            out_row[k] = nan
        out_row[5] = nan
        return
    r = cxy / math.sqrt(cxx * cyy)
    sd_sel = math.sqrt(cxx / (ws - 1.0))
    if u_mode == U_FIXED:
        u = u_fixed
    elif u_mode == U_APPLICANT_SD:
        u = sd_sel / applicant_sd
    else:
        va = (sxxa - sxa * sxa / wa) / (wa - 1.0)
        u = sd_sel / math.sqrt(va) if va > 0.0 else nan
    out_row[5] = u
    c0, c1, c2, c3 = correction_chain(r, u, rxxa, ryyi, case)
    out_row[0] = c0
    out_row[1] = c1
    out_row[2] = c2
    out_row[3] = c3


@njit(cache=True, parallel=True)
def validity_bootstrap_kernel(x, y, obs, seed, n_boot, u_mode, u_fixed, applicant_sd, rxxa, ryyi, case, out):
    """Fill ``out`` (n_boot x 6): the four coefficients, the replicate's number selected and its ``u``.

    ``x`` (predictor) and ``y`` (criterion, any value where ``obs`` is False)
    are float64 arrays over all rows (the applicant pool when ``u_mode`` is
    ``U_POOL``); ``obs`` marks rows whose criterion is observed.  Centre ``x``
    and ``y`` beforehand for accurate sums of squares.
    """
    for b in prange(n_boot):
        _replicate(x, y, obs, seed, b, u_mode, u_fixed, applicant_sd, rxxa, ryyi, case, out[b])


def empty_out(n_boot: int) -> np.ndarray:
    """Output buffer for :func:`validity_bootstrap_kernel`."""
    return np.empty((int(n_boot), 6), dtype=np.float64)
