"""The shared seeded resampling utility."""

import numpy as np
import pytest
from scipy import stats

from psikometri._resampling import (
    bca_interval,
    bootstrap_counts,
    bootstrap_indices,
    percentile_interval,
    resolve_seed,
)

from ._nojit import run_without_jit


def test_same_seed_same_numbers_and_prefix_stability():
    a = bootstrap_indices(50, 20, seed=7)
    b = bootstrap_indices(50, 20, seed=7)
    c = bootstrap_indices(50, 40, seed=7)
    d = bootstrap_indices(50, 20, seed=8)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c[:20])  # replicate b does not depend on n_boot
    assert not np.array_equal(a, d)
    assert a.min() >= 0 and a.max() < 50


def test_counts_match_indices():
    idx = bootstrap_indices(37, 15, seed=3)
    cnt = bootstrap_counts(37, 15, seed=3)
    naive = np.stack([np.bincount(row, minlength=37) for row in idx])
    np.testing.assert_array_equal(cnt, naive)
    assert (cnt.sum(axis=1) == 37).all()


def test_indices_are_uniform():
    idx = bootstrap_indices(10, 5000, seed=1).ravel()
    counts = np.bincount(idx, minlength=10)
    chi2 = stats.chisquare(counts)
    assert chi2.pvalue > 0.001
    # replicates are independent: correlation of consecutive replicates' first draws ~ 0
    m = bootstrap_indices(1000, 400, seed=2)
    assert abs(np.corrcoef(m[:-1, 0], m[1:, 0])[0, 1]) < 0.15


def test_same_numbers_without_jit():
    jit = bootstrap_indices(13, 6, seed=99).tolist()
    nojit = run_without_jit(
        """
        import json
        from psikometri._resampling import bootstrap_indices
        print(json.dumps(bootstrap_indices(13, 6, seed=99).tolist()))
        """
    )
    assert nojit == jit


def test_resolve_seed():
    assert resolve_seed(5) == 5
    assert resolve_seed(np.random.default_rng(1)) == resolve_seed(np.random.default_rng(1))
    assert resolve_seed(None) != resolve_seed(None)
    with pytest.raises(ValueError, match="non-negative"):
        resolve_seed(-1)
    with pytest.raises(TypeError, match="seed must be"):
        resolve_seed(1.5)


def test_percentile_interval():
    boot = np.arange(1001, dtype=float)
    lo, hi = percentile_interval(boot, 0.9)
    assert lo == pytest.approx(50.0) and hi == pytest.approx(950.0)
    assert np.isnan(percentile_interval([np.nan, 1.0])[0])
    with pytest.raises(ValueError, match="level"):
        percentile_interval(boot, 1.5)


def _naive_bca(boot, theta, jack, level):
    z0 = stats.norm.ppf(np.mean(boot < theta))
    d = jack.mean() - jack
    a = (d**3).sum() / (6 * ((d**2).sum()) ** 1.5)
    out = []
    for q in ((1 - level) / 2, (1 + level) / 2):
        z = stats.norm.ppf(q)
        out.append(np.quantile(boot, stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))))
    return out


def test_bca_matches_textbook_formula_on_skewed_statistic():
    rng = np.random.default_rng(0)
    x = rng.exponential(size=60)
    idx = bootstrap_indices(60, 4000, seed=4)
    boot = x[idx].var(axis=1, ddof=1)
    theta = x.var(ddof=1)
    jack = np.array([np.delete(x, i).var(ddof=1) for i in range(60)])
    got = bca_interval(boot, theta, jack, 0.95)
    exp = _naive_bca(boot, theta, jack, 0.95)
    np.testing.assert_allclose(got, exp, rtol=1e-12)
    # skewed statistic: BCa shifts the interval up relative to the percentile interval
    pct = percentile_interval(boot, 0.95)
    assert got[1] > pct[1]


def test_bca_reduces_to_percentile_without_bias_or_skew():
    boot = np.linspace(-1, 1, 2001)
    jack = np.array([-1.0, 1.0, -1.0, 1.0])
    np.testing.assert_allclose(bca_interval(boot, 0.0, jack, 0.95), percentile_interval(boot, 0.95), atol=2e-3)
