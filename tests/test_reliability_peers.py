"""Bootstrap intervals of omega total and omega hierarchical (psikometri.reliability).

psych::omega gives no intervals, so these tests check the bootstrap itself: every replicate is
the coefficient of a materialised resample, the same seed gives the same replicates, the
interval is the percentile interval of the stored replicates and stays inside [0, 1].
Data: the simulated bifactor set of tests/fixtures/reliability (12 items, 500 respondents).

The last tests pin down where psych and psikometri differ on data with missing answers (the
Feldt interval of cronbach_alpha with empty rows, guttman_lambdas); reference values from
tests/fixtures/reliability/make_reference_peers.R (R 4.2, psych 2.2.9), the R call beside each.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri import reliability as rel
from psikometri._resampling import bootstrap_indices

FIX = Path(__file__).parent / "fixtures" / "reliability"
N_BOOT = 30


@pytest.fixture(scope="module")
def sim():
    return pd.read_csv(FIX / "sim_bifactor.csv")


@pytest.fixture(scope="module")
def boot3(sim):
    return pk.omega(sim, nfactors=3, ci="bootstrap", n_boot=N_BOOT, seed=11)


def test_omega_replicates_are_omega_of_the_resamples(sim, boot3):
    idx = bootstrap_indices(sim.shape[0], 3, 11)
    for b in range(3):
        want = pk.omega(sim.iloc[idx[b]].reset_index(drop=True), nfactors=3)
        assert boot3.bootstrap["omega_total"].iloc[b] == pytest.approx(want.omega_total, abs=1e-7)
        assert boot3.bootstrap["omega_hierarchical"].iloc[b] == pytest.approx(want.omega_hierarchical, abs=1e-7)


def test_omega_intervals_are_percentiles_of_the_replicates(boot3):
    assert boot3.bootstrap.shape == (N_BOOT, 2)
    assert boot3.n_boot == N_BOOT and boot3.ci_method == "bootstrap" and boot3.level == 0.95
    for col, ci in (("omega_total", boot3.omega_total_ci), ("omega_hierarchical", boot3.omega_hierarchical_ci)):
        reps = boot3.bootstrap[col].to_numpy()
        assert np.isfinite(reps).all()
        np.testing.assert_allclose(ci, np.quantile(reps, [0.025, 0.975]), rtol=0, atol=1e-14)
        assert 0.0 <= ci[0] < ci[1] <= 1.0
    # the replicates vary: the interval is not a point
    assert boot3.omega_hierarchical_ci[1] - boot3.omega_hierarchical_ci[0] > 0.01
    tab = boot3.to_frame()
    assert tab.loc["omega_total", "ci_low"] == boot3.omega_total_ci[0]
    assert tab.loc["omega_hierarchical", "ci_high"] == boot3.omega_hierarchical_ci[1]
    assert "95% CI" in boot3.summary()


def test_omega_point_estimates_do_not_depend_on_the_bootstrap(sim, boot3):
    plain = pk.omega(sim, nfactors=3)
    assert (plain.omega_total, plain.omega_hierarchical) == (boot3.omega_total, boot3.omega_hierarchical)
    assert plain.bootstrap is None and plain.ci_method is None
    assert list(plain.to_frame().columns) == ["value"]
    assert np.isnan(plain.omega_total_ci).all()


def test_omega_bootstrap_reproducible_by_seed(sim, boot3):
    again = pk.omega(sim, nfactors=3, ci="bootstrap", n_boot=N_BOOT, seed=11)
    pd.testing.assert_frame_equal(again.bootstrap, boot3.bootstrap)
    assert again.omega_hierarchical_ci == boot3.omega_hierarchical_ci
    other = pk.omega(sim, nfactors=3, ci="bootstrap", n_boot=N_BOOT, seed=12)
    assert not np.allclose(other.bootstrap.to_numpy(), boot3.bootstrap.to_numpy())
    gen = pk.omega(sim, nfactors=3, ci="bootstrap", n_boot=5, seed=np.random.default_rng(3))
    assert gen.bootstrap.shape == (5, 2)


def test_omega_level_changes_the_interval(sim):
    wide = pk.omega(sim, nfactors=2, ci="bootstrap", n_boot=N_BOOT, seed=5, level=0.95)
    narrow = pk.omega(sim, nfactors=2, ci="bootstrap", n_boot=N_BOOT, seed=5, level=0.5)
    assert narrow.omega_total_ci[0] > wide.omega_total_ci[0]
    assert narrow.omega_total_ci[1] < wide.omega_total_ci[1]
    np.testing.assert_allclose(narrow.omega_total_ci, np.quantile(narrow.bootstrap["omega_total"], [0.25, 0.75]))


def test_omega_one_factor_bootstrap_equals_omega_total_bootstrap(sim):
    one = pk.omega(sim, nfactors=1, ci="bootstrap", n_boot=N_BOOT, seed=2)
    est = pk.omega_total(sim, ci="bootstrap", n_boot=N_BOOT, seed=2)
    np.testing.assert_allclose(one.bootstrap["omega_total"], est.extra["bootstrap"], atol=1e-10)
    assert one.omega_total_ci == pytest.approx((est.ci_low, est.ci_high), abs=1e-10)


def test_omega_total_interval_is_the_percentile_of_its_replicates(sim):
    est = pk.omega_total(sim, ci="bootstrap", n_boot=N_BOOT, seed=4, level=0.9)
    np.testing.assert_allclose((est.ci_low, est.ci_high), np.quantile(est.extra["bootstrap"], [0.05, 0.95]),
                               rtol=0, atol=1e-14)
    assert 0.0 <= est.ci_low < est.ci_high <= 1.0


def test_bootstrap_does_not_modify_the_input(sim):
    data = sim.copy()
    pk.omega(data, nfactors=2, ci="bootstrap", n_boot=3, seed=1, reverse=["x01"], scale_range=(-10, 10))
    pd.testing.assert_frame_equal(data, sim)


def test_replicates_outside_the_unit_interval_are_set_to_the_bound():
    raw = np.array([[0.5, 0.2], [1.3, -0.1], [np.nan, 0.4], [0.9, 0.3]])
    before = raw.copy()
    out, note, usable = rel._bounded_replicates(raw, ("omega_total", "omega_hierarchical"))
    np.testing.assert_array_equal(raw, before)
    np.testing.assert_array_equal(out[:, 0], [0.5, 1.0, np.nan, 0.9])
    np.testing.assert_array_equal(out[:, 1], [0.2, 0.0, 0.4, 0.3])
    assert "1 bootstrap replicate(s) of omega_total outside [0, 1]" in note
    assert "1 bootstrap replicate(s) of omega_hierarchical outside [0, 1]" in note
    # 1 of 4 undefined is more than 10 %: no interval for omega_total
    assert "no bootstrap interval for omega_total: the factor model failed in 1 of 4 replicates" in note
    assert usable == [False, True]
    # 1 of 20 undefined is dropped
    many = np.r_[np.linspace(0.6, 0.8, 19), np.nan]
    out, note, usable = rel._bounded_replicates(many, ("omega_total",))
    assert usable == [True]
    assert note == "1 bootstrap replicate(s) of omega_total undefined (factor model failed) and dropped"
    assert out.shape == (20, 1)


def test_bootstrap_errors(sim):
    with pytest.raises(ValueError, match=r"ci must be one of \['bootstrap', None\]; got ci='bca'"):
        pk.omega(sim, ci="bca")
    with pytest.raises(ValueError, match="need missing='listwise'; got missing='pairwise'"):
        pk.omega(sim, ci="bootstrap", missing="pairwise")
    with pytest.raises(ValueError, match="n_boot"):
        pk.omega(sim, ci="bootstrap", n_boot=1)
    with pytest.raises(ValueError, match="level"):
        pk.omega(sim, ci="bootstrap", level=1.5)
    with pytest.raises((TypeError, ValueError), match="seed"):
        pk.omega(sim, ci="bootstrap", n_boot=3, seed="abc")


# =============================================================================== what psych matches, exactly
REF = json.loads((FIX / "reference_peers.json").read_text())
REV = ["A1", "C4", "C5", "E1", "E2"]


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(FIX / "bfi16.csv")


def test_feldt_pairwise_with_empty_rows_differs_from_psych_by_the_n_it_counts(bfi):
    ref = REF["feldt_blank_rows"]
    blank = pd.concat([bfi, bfi.iloc[:12] * np.nan], ignore_index=True)
    est = pk.cronbach_alpha(blank, reverse=REV, scale_range=(1, 6), missing="pairwise")
    assert len(blank) == ref["n_rows"] == 1012
    assert est.n == ref["n_answering"] == 1000
    assert "12 respondent(s) without any answer dropped" in est.note
    assert est.value == pytest.approx(ref["raw_alpha"], abs=1e-10)  # alpha(blank)$total$raw_alpha
    # psikometri's interval is psych's alpha.ci(raw_alpha, n.obs = 1000, n.var = 16) ...
    assert est.ci_low == pytest.approx(ref["feldt_lower_n1000"], abs=1e-10)
    assert est.ci_high == pytest.approx(ref["feldt_upper_n1000"], abs=1e-10)
    # ... not alpha(blank)$feldt, which counts the empty rows (n = 1012): 1.1e-4 apart, as documented
    assert abs(est.ci_low - ref["feldt_lower"]) == pytest.approx(1.1e-4, abs=0.1e-4)
    assert abs(est.ci_high - ref["feldt_upper"]) == pytest.approx(1.0e-4, abs=0.1e-4)


def test_guttman_with_missing_answers_differs_from_psych_as_documented(bfi):
    ref = REF["guttman_missing"]  # guttman(bfi16r): cor(x, use = "pairwise")
    names = ["lambda1", "lambda2", "lambda3", "lambda4", "lambda5", "lambda6"]
    want = np.array([ref[k] for k in names])
    lw = pk.guttman_lambdas(bfi, standardized=True, reverse=REV, scale_range=(1, 6)).to_numpy()
    pw = pk.guttman_lambdas(bfi, standardized=True, reverse=REV, scale_range=(1, 6), missing="pairwise").to_numpy()
    assert bfi.shape[0] - ref["n_complete"] == 85
    assert 1e-3 < np.abs(lw - want).max() <= 3.5e-3  # "up to 3e-3 (listwise)"
    assert 1e-4 < np.abs(pw - want).max() <= 2.5e-4  # "2e-4 (pairwise)"
