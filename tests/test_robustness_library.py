"""Catalogue of degenerate inputs to the library functions (issue 13, "Library edge cases" and
"Misleading messages").

Each test builds one malformed or degenerate input and asserts the exact outcome: a clear error that
names the parameter, where the bad value is and the fix, or an honest value (NaN with a reason, an
interval inside the coefficient's range with a note saying it was truncated).  Expected values are
computed here independently of the implementation.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri import _reliability_kernels as K
from psikometri._resampling import bootstrap_indices

from . import naive_reliability as naive


# =============================================================================== 1. bootstrap alpha
# Three respondents with decimal scores: a resample that draws one respondent three times has no
# variance, but its sums of squares are round-off (about 1e-17), whose ratio used to give alpha = 1.137.
THREE = pd.DataFrame({"a": [0.1, 0.2, 0.7], "b": [0.3, 0.2, 0.4], "c": [0.1, 0.3, 0.9]})


@pytest.mark.parametrize("ci", ["bootstrap", "bca"])
@pytest.mark.parametrize("standardized", [False, True])
def test_bootstrap_alpha_zero_variance_resamples_are_undefined_not_above_one(ci, standardized):
    n_boot, seed = 2000, 1
    est = pk.cronbach_alpha(THREE, ci=ci, n_boot=n_boot, seed=seed, standardized=standardized)
    boot = est.extra["bootstrap"]
    # the respondents are distinct, so a resample has no variance exactly when it draws one of them n times
    idx = bootstrap_indices(3, n_boot, seed)
    constant = (idx == idx[:, :1]).all(axis=1)
    assert np.array_equal(np.isnan(boot), constant)
    assert np.nanmax(boot) <= 1.0
    assert est.ci_high <= 1.0 and est.ci_low <= est.ci_high
    assert f"{int(constant.sum())} bootstrap replicate(s) undefined and dropped" in est.note
    # the plain reference (materialised resamples) agrees replicate by replicate
    want = naive.bootstrap_alpha(THREE.to_numpy(), seed, n_boot, standardized)
    np.testing.assert_allclose(boot, want, rtol=1e-10, atol=1e-12)
    jack = np.empty(3)
    K.jackknife_alpha(THREE.to_numpy(), standardized, False, jack)
    np.testing.assert_allclose(jack, naive.jackknife_alpha(THREE.to_numpy(), standardized), rtol=1e-10)


def test_bootstrap_alpha_too_many_undefined_replicates_gives_nan_interval():
    # two distinct respondents among three: resamples drawing only the two identical rows have no variance
    df = pd.DataFrame({"a": [0.1, 0.1, 0.7], "b": [0.3, 0.3, 0.4], "c": [0.2, 0.2, 0.9]})
    n_boot, seed = 1000, 3
    idx = bootstrap_indices(3, n_boot, seed)
    n_bad = int(np.isin(idx, [0, 1]).all(axis=1).sum() + (idx == 2).all(axis=1).sum())
    assert n_bad > 0.1 * n_boot  # about 30% (8/27 + 1/27)
    est = pk.cronbach_alpha(df, ci="bootstrap", n_boot=n_boot, seed=seed)
    assert math.isnan(est.ci_low) and math.isnan(est.ci_high)
    assert f"{n_bad} of {n_boot} bootstrap replicates are undefined" in est.note
    assert "ci='feldt'" in est.note
    assert int(np.isnan(est.extra["bootstrap"]).sum()) == n_bad


def test_alpha_kernels_pairwise_never_above_one():
    rng = np.random.default_rng(5)
    for _ in range(30):
        X = np.round(rng.normal(size=(6, 3)), 1) / 10
        X[rng.random(X.shape) < 0.2] = np.nan
        got = np.empty(200)
        K.bootstrap_alpha(np.ascontiguousarray(X), np.uint64(2), 200, False, True, got)
        want = naive.bootstrap_alpha(X, 2, 200, False, True)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        assert not (got > 1.0).any()
