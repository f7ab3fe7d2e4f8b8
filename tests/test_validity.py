"""Tests of psikometri.validity.

Reference values come from tests/fixtures/validity/make_reference.R (R 4.x; psych 2.x
``rangeCorrection``, metafor 3.8 ``escalc``, base ``lm``/``glm``/``anova``).  Where no R
package implements a formula the script writes it out step by step from the publication
("hand" below); those are independent of the Python code.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from psikometri import validity as V
from psikometri._validity_kernels import (
    CASE_II,
    CASE_IV,
    U_APPLICANT_SD,
    U_FIXED,
    U_POOL,
    correction_chain,
    empty_out,
    validity_bootstrap_kernel,
)
from tests import naive_validity as N
from tests._nojit import run_without_jit

FIX = Path(__file__).parent / "fixtures" / "validity"
REF = json.loads((FIX / "reference.json").read_text())
DATA = pd.read_csv(FIX / "data.csv")
STUDIES = pd.read_csv(FIX / "studies.csv")
TOL = 1e-8


# ---------------------------------------------------------------------------------------------
# corrections against R
# ---------------------------------------------------------------------------------------------
def test_correct_attenuation_formula_and_errors():
    # Spearman: .30 / sqrt(.8 * .6)
    assert V.correct_attenuation(0.30, rxx=0.8, ryy=0.6) == pytest.approx(0.30 / math.sqrt(0.48), abs=1e-12)
    assert V.correct_attenuation(0.30, ryy=0.52) == pytest.approx(0.30 / math.sqrt(0.52), abs=1e-12)
    with pytest.raises(ValueError, match="rxx, ryy or both"):
        V.correct_attenuation(0.3)
    for bad in (0.0, 1.2, -0.5, float("nan")):
        with pytest.raises(ValueError, match=r"ryy must be a reliability in \(0, 1\]"):
            V.correct_attenuation(0.3, ryy=bad)
    with pytest.raises(ValueError, match=r"r must be a correlation in \[-1, 1\]"):
        V.correct_attenuation(1.3, ryy=0.8)


@pytest.mark.parametrize("row", REF["grid"], ids=lambda r: f"r{r['r']}-u{r['u']}")
def test_case_ii_matches_psych_rangeCorrection(row):
    r, u = row["r"], row["u"]
    # psych::rangeCorrection(r, sdu = 1, sdr = u)
    assert V.correct_range_restriction(r, u=u) == pytest.approx(row["case_ii"], abs=TOL)
    # psych::rangeCorrection(r / sqrt(.6), sdu = 1, sdr = u), then / sqrt(.8)
    assert V.correct_range_restriction(r, u=u, ryyi=0.6) == pytest.approx(row["case_ii_op"], abs=TOL)
    assert V.correct_range_restriction(r, u=u, ryyi=0.6, rxxa=0.8, true_score=True) == pytest.approx(
        row["case_ii_true"], abs=TOL)


@pytest.mark.parametrize("row", REF["grid"], ids=lambda r: f"r{r['r']}-u{r['u']}")
def test_bvirr_matches_psych_case4(row):
    r, u = row["r"], row["u"]
    # psych::rangeCorrection(r, sdu = 1, sdr = .8, sdxu = 1, sdxr = u)
    assert V.correct_range_restriction(r, u=u, uy=0.8, case="bvirr") == pytest.approx(row["bvirr"], abs=TOL)
    # hand: / sqrt(ryya), ryya = 1 - uy^2 (1 - ryyi) (psychmeta correct_r_bvirr), then / sqrt(rxxa)
    assert V.correct_range_restriction(r, u=u, uy=0.8, case="bvirr", ryyi=0.6) == pytest.approx(
        row["bvirr_op"], abs=TOL)
    assert V.correct_range_restriction(r, u=u, uy=0.8, case="bvirr", ryyi=0.6, rxxa=0.8,
                                       true_score=True) == pytest.approx(row["bvirr_true"], abs=TOL)


@pytest.mark.parametrize("row", REF["grid"], ids=lambda r: f"r{r['r']}-u{r['u']}")
def test_case_iii_and_iv_match_hand_formulas(row):
    r, u = row["r"], row["u"]
    # hand (Thorndike Case III, rxz = .5, ryz = .3)
    assert V.correct_range_restriction(r, u=u, case="III", rxz=0.5, ryz=0.3) == pytest.approx(
        row["case_iii"], abs=TOL)
    # hand (Hunter, Schmidt & Le 2006, correction steps; rxxa = .8, ryyi = .6)
    if "case_iv_op" in row and row["case_iv_op"] is not None:
        assert V.correct_range_restriction(r, u=u, case="IV", rxxa=0.8, ryyi=0.6) == pytest.approx(
            row["case_iv_op"], abs=TOL)
        assert V.correct_range_restriction(r, u=u, case="IV", rxxa=0.8, ryyi=0.6, true_score=True) == \
            pytest.approx(row["case_iv_true"], abs=TOL)
    else:  # NA in R: the true-score correlation among incumbents exceeds 1
        with pytest.raises(ValueError, match="exceeds 1"):
            V.correct_range_restriction(r, u=u, case="IV", rxxa=0.8, ryyi=0.6)


def test_grid_covers_undefined_case_iv():
    assert any(row.get("case_iv_op") is None for row in REF["grid"])
    assert sum(row.get("case_iv_op") is not None for row in REF["grid"]) >= 12


@pytest.mark.parametrize("r", [-0.4, 0.0, 0.25, 0.7])
@pytest.mark.parametrize("u", [0.5, 0.8, 1.0])
def test_identities_between_cases(r, u):
    # Case III with the selection variable = the predictor is Case II
    assert V.correct_range_restriction(r, u=u, case="III", rxz=1.0, ryz=r) == pytest.approx(
        V.correct_range_restriction(r, u=u), abs=1e-12)
    # Case IV with a perfectly reliable predictor is Case II on the criterion-corrected r
    assert V.correct_range_restriction(r, u=u, case="IV", rxxa=1.0, ryyi=0.7) == pytest.approx(
        V.correct_range_restriction(r, u=u, ryyi=0.7), abs=1e-12)
    # no restriction: u = 1 leaves r unchanged (Case II, bivariate with uy = 1)
    if u == 1.0:
        assert V.correct_range_restriction(r, u=u) == pytest.approx(r, abs=1e-15)
        assert V.correct_range_restriction(r, u=u, case="bvirr", uy=1.0) == pytest.approx(r, abs=1e-15)


@pytest.mark.parametrize("bad", [0.0, -0.2, 1.01, 2.0, float("nan"), float("inf")])
def test_u_outside_unit_interval_is_an_error(bad):
    with pytest.raises(ValueError, match=r"u must be in \(0, 1\]"):
        V.correct_range_restriction(0.3, u=bad)
    with pytest.raises(ValueError, match=r"uy must be in \(0, 1\]"):
        V.correct_range_restriction(0.3, u=0.8, case="bvirr", uy=bad)


@pytest.mark.parametrize("name", ["rxxa", "ryyi"])
@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, float("nan")])
def test_reliability_outside_unit_interval_is_an_error(name, bad):
    kw = {"rxxa": 0.8, "ryyi": 0.6, name: bad}
    with pytest.raises(ValueError, match=rf"{name} must be a reliability in \(0, 1\]"):
        V.correct_range_restriction(0.3, u=0.8, case="IV", **kw)


def test_missing_case_parameters_are_clear_errors():
    with pytest.raises(ValueError, match="needs rxxa"):
        V.correct_range_restriction(0.3, u=0.8, case="IV", ryyi=0.6)
    with pytest.raises(ValueError, match="needs rxz and ryz"):
        V.correct_range_restriction(0.3, u=0.8, case="III")
    with pytest.raises(ValueError, match="needs uy"):
        V.correct_range_restriction(0.3, u=0.8, case="bvirr")
    with pytest.raises(ValueError, match="true_score=True needs rxxa"):
        V.correct_range_restriction(0.3, u=0.8, true_score=True)
    with pytest.raises(ValueError, match="case must be one of"):
        V.correct_range_restriction(0.3, u=0.8, case="V")
    with pytest.raises(ValueError, match=r"u\*\*2 must exceed 1 - rxxa"):
        V.correct_range_restriction(0.1, u=0.4, case="IV", rxxa=0.8, ryyi=0.6)


# ---------------------------------------------------------------------------------------------
# validity study: point estimates, kernel vs naive, no-JIT, errors
# ---------------------------------------------------------------------------------------------
def _pool(n=800, seed=0, rho=0.5, rxxa=0.8, ryya=0.7, sr=0.35, z_on_t=0.8):
    """Applicant pool with indirect selection on a composite of the predictor's true score."""
    rng = np.random.default_rng(seed)
    t = rng.normal(size=n)
    x = math.sqrt(rxxa) * t + math.sqrt(1 - rxxa) * rng.normal(size=n)
    p = rho * t + math.sqrt(1 - rho**2) * rng.normal(size=n)
    y = math.sqrt(ryya) * p + math.sqrt(1 - ryya) * rng.normal(size=n)
    z = z_on_t * t + math.sqrt(1 - z_on_t**2) * rng.normal(size=n)
    y = np.where(z >= np.quantile(z, 1 - sr), y, np.nan)
    return pd.DataFrame({"ac": x, "kinerja": y})


def test_validity_study_point_estimates_equal_the_formulas():
    d = _pool()
    res = V.validity_study(d, predictor="ac", criterion="kinerja", rxxa=0.8, ryyi=0.55, n_boot=0)
    sel = d.dropna()
    r = np.corrcoef(sel["ac"], sel["kinerja"])[0, 1]
    u = sel["ac"].std(ddof=1) / d["ac"].std(ddof=1)
    assert res.attrs["u"] == pytest.approx(u, abs=1e-12)
    assert res.loc["observed", "r"] == pytest.approx(r, abs=1e-12)
    assert res.loc["corrected_criterion", "r"] == pytest.approx(r / math.sqrt(0.55), abs=1e-12)
    assert res.loc["operational", "r"] == pytest.approx(
        V.correct_range_restriction(r, u=u, case="IV", rxxa=0.8, ryyi=0.55), abs=1e-12)
    assert res.loc["corrected_range_restriction", "r"] == pytest.approx(N.chain(r, u, 0.8, 0.55, "IV")[2], abs=1e-12)
    assert list(res.columns) == ["r", "ci_low", "ci_high", "n"]
    assert (res["n"] == len(sel)).all()
    assert res["ci_low"].isna().all()  # n_boot = 0
    # Case II with a given applicant SD
    res2 = V.validity_study(d, predictor="ac", criterion="kinerja", ryyi=0.55, applicant_sd=1.1, case="II", n_boot=0)
    u2 = sel["ac"].std(ddof=1) / 1.1
    assert res2.loc["corrected_range_restriction", "r"] == pytest.approx(V.correct_range_restriction(r, u=u2),
                                                                         abs=1e-12)
    assert res2.loc["operational", "r"] == pytest.approx(V.correct_range_restriction(r, u=u2, ryyi=0.55), abs=1e-12)


@pytest.mark.parametrize("case,kw,mode", [
    ("IV", {"rxxa": 0.8, "ryyi": 0.55}, "pool"),
    ("II", {"ryyi": 0.6}, "pool"),
    ("II", {}, "fixed"),
    ("IV", {"rxxa": 0.85, "ryyi": 0.6}, "applicant_sd"),
])
def test_kernel_matches_naive_numpy(case, kw, mode):
    d = _pool(n=300, seed=3)
    x, y = d["ac"].to_numpy(), d["kinerja"].to_numpy()
    extra = {"pool": {}, "fixed": {"u": 0.7}, "applicant_sd": {"applicant_sd": 1.05}}[mode]
    naive = N.validity_bootstrap(x, y, n_boot=64, seed=11, case=case, **kw, **extra)
    obs = ~np.isnan(y)
    out = empty_out(64)
    u_mode = {"pool": U_POOL, "fixed": U_FIXED, "applicant_sd": U_APPLICANT_SD}[mode]
    validity_bootstrap_kernel(x - x[obs].mean(), np.where(obs, y - y[obs].mean(), 0.0), obs, np.uint64(11), 64,
                              u_mode, extra.get("u", math.nan), extra.get("applicant_sd", math.nan),
                              kw.get("rxxa", 1.0), kw.get("ryyi", math.nan), CASE_IV if case == "IV" else CASE_II,
                              out)
    np.testing.assert_allclose(out, naive, atol=1e-10, equal_nan=True)
    if mode == "fixed":
        assert np.all(out[:, 5] == 0.7)
    # and the public function's intervals are the percentiles of these replicates
    res = V.validity_study(d, predictor="ac", criterion="kinerja", case=case, n_boot=64, seed=11, **kw, **extra)
    for k, row in enumerate(res.index):
        if np.isfinite(res.loc[row, "r"]):
            lo, hi = np.quantile(naive[np.isfinite(naive[:, k]), k], [0.025, 0.975])
            assert res.loc[row, "ci_low"] == pytest.approx(lo, abs=1e-10)
            assert res.loc[row, "ci_high"] == pytest.approx(hi, abs=1e-10)


def test_correction_chain_kernel_matches_naive_chain():
    n_undefined = 0
    for r in (-0.2, 0.1, 0.3, 0.5, 0.6):
        for u in (0.6, 0.85, 1.0):
            for case, code in (("II", CASE_II), ("IV", CASE_IV)):
                got = correction_chain(r, u, 0.8, 0.6, code)
                np.testing.assert_allclose(got, N.chain(r, u, 0.8, 0.6, case), atol=1e-12)
                n_undefined += bool(np.isnan(got[3]))
    # r = .6, u = .6: the true-score correlation among incumbents exceeds 1, undefined in Case IV
    assert n_undefined == 1
    assert np.isnan(correction_chain(0.3, 0.4, 0.8, 0.6, CASE_IV)[3])  # u**2 < 1 - rxxa


def test_kernel_without_jit_matches_jit():
    snippet = """
    import json, math, numpy as np
    from psikometri._validity_kernels import validity_bootstrap_kernel, empty_out, U_POOL, CASE_IV
    rng = np.random.default_rng(7)
    x = rng.normal(size=60); y = 0.5 * x + rng.normal(size=60); y[x < 0] = np.nan
    obs = ~np.isnan(y)
    out = empty_out(12)
    validity_bootstrap_kernel(x - x[obs].mean(), np.where(obs, y - y[obs].mean(), 0.0), obs, np.uint64(5), 12,
                              U_POOL, math.nan, math.nan, 0.85, 0.6, CASE_IV, out)
    print(json.dumps(np.where(np.isfinite(out), out, -99.0).tolist()))
    """
    nojit = np.asarray(run_without_jit(snippet))
    rng = np.random.default_rng(7)
    x = rng.normal(size=60)
    y = 0.5 * x + rng.normal(size=60)
    y[x < 0] = np.nan
    obs = ~np.isnan(y)
    out = empty_out(12)
    validity_bootstrap_kernel(x - x[obs].mean(), np.where(obs, y - y[obs].mean(), 0.0), obs, np.uint64(5), 12,
                              U_POOL, math.nan, math.nan, 0.85, 0.6, CASE_IV, out)
    np.testing.assert_allclose(np.where(np.isfinite(out), out, -99.0), nojit, atol=1e-12)


def test_validity_study_reproducible_and_does_not_modify_input():
    d = _pool(n=400, seed=5)
    before = d.copy()
    a = V.validity_study(d, predictor="ac", criterion="kinerja", rxxa=0.8, ryyi=0.6, n_boot=300, seed=42)
    b = V.validity_study(d, predictor="ac", criterion="kinerja", rxxa=0.8, ryyi=0.6, n_boot=300, seed=42)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(d, before)
    c = V.validity_study(d, predictor="ac", criterion="kinerja", rxxa=0.8, ryyi=0.6, n_boot=300, seed=43)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] < a["r"]).all() and (a["r"] < a["ci_high"]).all()


def test_validity_study_case_ii_without_ryyi_gives_nan_rows_with_note():
    d = _pool(n=400, seed=6)
    res = V.validity_study(d, predictor="ac", criterion="kinerja", case="II", n_boot=100, seed=1)
    assert np.isnan(res.loc["corrected_criterion", "r"]) and np.isnan(res.loc["operational", "r"])
    assert np.isfinite(res.loc["corrected_range_restriction", ["r", "ci_low", "ci_high"]]).all()
    assert "ryyi not given" in res.attrs["notes"]


def test_validity_study_errors():
    d = _pool(n=200, seed=8)
    kw = {"predictor": "ac", "criterion": "kinerja", "n_boot": 0}
    few = d.copy()
    few.loc[few.dropna().index[4:], "kinerja"] = np.nan
    with pytest.raises(ValueError, match="too few selected candidates.*4 row"):
        V.validity_study(few, rxxa=0.8, ryyi=0.6, **kw)
    with pytest.raises(ValueError, match="case='IV' needs rxxa"):
        V.validity_study(d, ryyi=0.6, **kw)
    with pytest.raises(ValueError, match=r"rxxa must be a reliability in \(0, 1\]"):
        V.validity_study(d, rxxa=1.2, ryyi=0.6, **kw)
    with pytest.raises(ValueError, match=r"ryyi must be a reliability in \(0, 1\]"):
        V.validity_study(d, rxxa=0.8, ryyi=0.0, **kw)
    with pytest.raises(ValueError, match=r"u must be in \(0, 1\]"):
        V.validity_study(d, rxxa=0.8, ryyi=0.6, u=1.3, **kw)
    with pytest.raises(ValueError, match="cannot obtain u"):
        V.validity_study(d.dropna(), rxxa=0.8, ryyi=0.6, **kw)
    with pytest.raises(ValueError, match=r"estimated u = .* is not in \(0, 1\]"):
        V.validity_study(d, rxxa=0.8, ryyi=0.6, applicant_sd=0.1, **kw)
    with pytest.raises(ValueError, match="has no column"):
        V.validity_study(d, predictor="oar", criterion="kinerja", rxxa=0.8, ryyi=0.6)
    bad = d.astype({"ac": object})
    bad.loc[3, "ac"] = "tinggi"
    with pytest.raises(TypeError, match="column 'ac' is not numeric: row 3 holds 'tinggi'"):
        V.validity_study(bad, rxxa=0.8, ryyi=0.6, **kw)
    with pytest.raises(ValueError, match="n_boot must be an integer"):
        V.validity_study(d, predictor="ac", criterion="kinerja", rxxa=0.8, ryyi=0.6, n_boot=-1)


# ---------------------------------------------------------------------------------------------
# simulation: Case IV recovers the operational validity, intervals cover it
# ---------------------------------------------------------------------------------------------
def _population_ryyi(rho, rxxa, ryya, sr, z_on_t):
    """Criterion reliability among incumbents implied by the simulation design (large-sample value)."""
    d = _pool(n=400_000, seed=123, rho=rho, rxxa=rxxa, ryya=ryya, sr=sr, z_on_t=z_on_t)
    # with var(P_a) = 1 and error variance (1 - ryya)/ryya on the P scale, ryyi = var(P_i) / var(Y_i);
    # the selection is on T, so var(P_i) = 1 - rho^2 (1 - var(T_i))
    rng = np.random.default_rng(123)
    t = rng.normal(size=400_000)
    z = z_on_t * t + math.sqrt(1 - z_on_t**2) * rng.normal(size=400_000)
    vt = t[z >= np.quantile(z, 1 - sr)].var()
    vp = 1 - rho**2 * (1 - vt)
    del d
    return vp / (vp + (1 - ryya) / ryya)


def test_case_iv_recovers_operational_validity_and_intervals_cover_it():
    rho, rxxa, ryya, sr, zt = 0.5, 0.8, 0.7, 0.35, 0.8
    truth = rho * math.sqrt(rxxa)  # corr(X, P) in the applicant pool
    ryyi = _population_ryyi(rho, rxxa, ryya, sr, zt)
    reps = 200
    est = np.empty(reps)
    cover = np.empty(reps, dtype=bool)
    for i in range(reps):
        d = _pool(n=600, seed=1000 + i, rho=rho, rxxa=rxxa, ryya=ryya, sr=sr, z_on_t=zt)
        res = V.validity_study(d, predictor="ac", criterion="kinerja", rxxa=rxxa, ryyi=ryyi, n_boot=400, seed=i)
        est[i] = res.loc["operational", "r"]
        cover[i] = res.loc["operational", "ci_low"] <= truth <= res.loc["operational", "ci_high"]
    # recovery: the mean estimate is within 3 Monte Carlo standard errors (+ .01 for the small-sample
    # bias of a ratio estimator) of the truth
    mc_se = est.std(ddof=1) / math.sqrt(reps)
    assert abs(est.mean() - truth) < 3 * mc_se + 0.01, (est.mean(), truth, mc_se)
    # the observed validity is clearly attenuated, so the test can fail if the correction did nothing
    assert est.mean() - 0.1 > np.mean([np.corrcoef(*_pool(600, 1000 + i).dropna().to_numpy().T)[0, 1]
                                       for i in range(20)])
    # coverage of the 95% percentile intervals: binomial SE at 200 reps is about .015
    assert 0.89 <= cover.mean() <= 0.99, cover.mean()


def test_case_iv_on_project_simulator_recovers_operational_validity():
    """The project's simulator: selection on the overall rating + noise, criterion observed for the selected."""
    from psikometri.simulate import simulate_assessment

    sim = simulate_assessment({"pemprov": (2091, {"administrator": 0.4, "pengawas": 0.6})}, seed=77,
                              selection_ratio=0.35)
    ts = sim.truth["true_scores"]
    cand = sim.candidates.merge(ts[["candidate", "oar", "performance_true"]], on="candidate")
    # rxxa as a practitioner would estimate it: the two assessors of each candidate x exercise x competency
    # give two half-OARs; their correlation, stepped up by Spearman-Brown, is the OAR's inter-rater reliability
    rt = sim.ratings.sort_values(["candidate", "exercise", "competency", "assessor"]).copy()
    rt["slot"] = rt.groupby(["candidate", "exercise", "competency"]).cumcount()
    half = rt.pivot_table(index="candidate", columns="slot", values="score", aggfunc="mean")
    r_half = float(np.corrcoef(half[0], half[1])[0, 1])
    rxxa = 2 * r_half / (1 + r_half)
    assert 0.8 < rxxa < 1.0
    # the criterion's reliability among incumbents from the simulator's known true performance
    inc = cand[cand["selected"] == 1]
    ryyi = float(np.corrcoef(inc["performance"], inc["performance_true"])[0, 1] ** 2)
    res = V.validity_study(cand, predictor="oar", criterion="performance", rxxa=rxxa, ryyi=ryyi, n_boot=2000, seed=3)
    truth = sim.truth["operational_validity"]
    assert res.loc["operational", "ci_low"] <= truth <= res.loc["operational", "ci_high"], (res, truth)
    assert res.loc["observed", "r"] < truth
    assert abs(res.loc["operational", "r"] - truth) < abs(res.loc["observed", "r"] - truth)


# ---------------------------------------------------------------------------------------------
# incremental validity against R (lm, anova, glm)
# ---------------------------------------------------------------------------------------------
def test_incremental_validity_ols_matches_r():
    ref = REF["inc_ols"]
    res = V.incremental_validity(DATA, criterion="kinerja", base="tes", added="ac", n_boot=300, seed=1)
    assert res.model == "ols"
    assert res.steps.loc["base", "r2"] == pytest.approx(ref["r2_base"], abs=TOL)  # summary(lm(kinerja ~ tes))
    assert res.steps.loc["full", "r2"] == pytest.approx(ref["r2_full"], abs=TOL)
    assert res.steps.loc["full", "adj_r2"] == pytest.approx(ref["adj_full"], abs=TOL)
    assert res.delta == pytest.approx(ref["r2_full"] - ref["r2_base"], abs=TOL)
    assert res.statistic == pytest.approx(ref["F"], rel=1e-8)  # anova(m1, m2)$F
    assert res.p_value == pytest.approx(ref["p"], rel=1e-6, abs=1e-300)
    assert (res.df1, res.df2) == (ref["df1"], ref["df2"])
    np.testing.assert_allclose(res.coefficients["coef"], ref["coef"], atol=1e-8)
    np.testing.assert_allclose(res.coefficients["se"], ref["se"], atol=1e-8)
    assert res.delta_ci[0] < res.delta < res.delta_ci[1]
    assert "Delta R2" in res.summary() and "<table" in res._repr_html_()
    two = V.incremental_validity(DATA, criterion="kinerja", base=["tes"], added=["ac", "k3"], n_boot=0)
    assert two.statistic == pytest.approx(REF["inc_ols2"]["F"], rel=1e-8)  # anova(m1, lm(y ~ tes + ac + k3))
    assert two.p_value == pytest.approx(REF["inc_ols2"]["p"], rel=1e-6, abs=1e-300)
    assert two.df1 == 2


def test_ols_bootstrap_r2_equals_the_lstsq_loop_also_for_rank_deficient_resamples():
    """The stacked-QR R-squared of every resample equals lstsq's per resample, where a rare binary predictor
    is constant in some resamples (rank-deficient designs, fitted by lstsq) and where y is constant (NaN)."""
    from psikometri._resampling import bootstrap_indices

    rng = np.random.default_rng(11)
    n = 30
    rare = np.zeros(n)
    rare[:2] = 1.0
    X = np.column_stack([np.ones(n), rng.normal(size=n), rare, rng.normal(size=n) * 1e3])
    y = X @ np.array([1.0, 0.5, 2.0, 1e-3]) + rng.normal(size=n)
    idx = bootstrap_indices(n, 700, 5)
    got = V._ols_r2_boot(X, y, idx, block=97)
    want = N.ols_r2_boot_loop(X, y, idx)
    deficient = np.array([np.linalg.matrix_rank(X[ii]) < X.shape[1] for ii in idx])
    assert 50 < deficient.sum() < 650  # both kinds of resample are there
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    y4 = np.array([1.0, 1.0, 1.0, 2.0])
    idx4 = bootstrap_indices(4, 300, 2)
    got4 = V._ols_r2_boot(np.column_stack([np.ones(4), [0.1, 0.5, 0.2, 0.9]]), y4, idx4)
    want4 = N.ols_r2_boot_loop(np.column_stack([np.ones(4), [0.1, 0.5, 0.2, 0.9]]), y4, idx4)
    assert np.isnan(want4).sum() > 10
    np.testing.assert_array_equal(np.isnan(got4), np.isnan(want4))
    np.testing.assert_allclose(got4, want4, rtol=0, atol=1e-12)


def test_incremental_validity_logit_matches_r():
    ref = REF["inc_logit"]
    res = V.incremental_validity(DATA, criterion="promoted", base="tes", added="ac", n_boot=100, seed=2)
    assert res.model == "logit"
    assert res.statistic == pytest.approx(ref["lr"], rel=1e-7)  # anova(g1, g2, test = "Chisq")$Deviance
    assert res.p_value == pytest.approx(ref["p"], rel=1e-6, abs=1e-300)
    assert res.steps.loc["base", "log_lik"] == pytest.approx(ref["ll_base"], abs=1e-7)
    assert res.steps.loc["full", "pseudo_r2"] == pytest.approx(ref["mcfadden_full"], abs=1e-8)
    assert res.steps.loc["base", "auc"] == pytest.approx(ref["auc_base"], abs=1e-10)
    assert res.steps.loc["full", "auc"] == pytest.approx(ref["auc_full"], abs=1e-10)
    assert res.delta_auc == pytest.approx(ref["auc_full"] - ref["auc_base"], abs=1e-10)
    np.testing.assert_allclose(res.coefficients["coef"], ref["coef"], atol=1e-6)
    np.testing.assert_allclose(res.coefficients["se"], ref["se"], atol=1e-6)
    assert res.delta_auc_ci[0] <= res.delta_auc <= res.delta_auc_ci[1]
    assert "AUC" in res.summary()


def test_numpy_logit_fit_agrees_with_statsmodels():
    import statsmodels.api as sm

    X = np.column_stack([np.ones(len(DATA)), DATA[["tes", "ac"]].to_numpy()])
    y = DATA["promoted"].to_numpy(dtype=float)
    beta, ll = V._logit_fit(X, y)
    fit = sm.Logit(y, X).fit(disp=0)
    np.testing.assert_allclose(beta, fit.params, atol=1e-8)
    assert ll == pytest.approx(fit.llf, abs=1e-8)


def test_incremental_validity_errors():
    with pytest.raises(ValueError, match="share column"):
        V.incremental_validity(DATA, criterion="kinerja", base="tes", added=["tes", "ac"])
    with pytest.raises(ValueError, match="needs a 0/1 criterion"):
        V.incremental_validity(DATA, criterion="kinerja", base="tes", added="ac", model="logit")
    d = DATA.assign(ac2=2 * DATA["ac"])
    with pytest.raises(ValueError, match="collinear"):
        V.incremental_validity(d, criterion="kinerja", base=["tes", "ac"], added="ac2")


# ---------------------------------------------------------------------------------------------
# relative weights, expectancy, meta-analysis, utility
# ---------------------------------------------------------------------------------------------
def test_relative_weights_match_hand_computation_in_r():
    ref = REF["relweights"]
    rw = V.relative_weights(DATA, criterion="kinerja", predictors=["ac", "k1", "k2", "k3"])
    np.testing.assert_allclose(rw["weight"], ref["weights"], atol=TOL)  # eigen-based, make_reference.R
    assert rw.attrs["r2"] == pytest.approx(ref["r2"], abs=TOL)  # summary(lm(...))$r.squared
    assert rw["percent"].sum() == pytest.approx(100.0)


def test_relative_weights_orthogonal_predictors_equal_squared_correlations():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(50, 3)))
    x = (q - q.mean(axis=0)) / q.std(axis=0)
    x = np.linalg.qr(x - x.mean(axis=0))[0]  # exactly uncorrelated, centred columns
    d = pd.DataFrame(x, columns=["a", "b", "c"])
    d["y"] = x @ [3.0, 1.0, 0.5] + rng.normal(size=50) * 0.05
    rw = V.relative_weights(d, criterion="y", predictors=["a", "b", "c"], n_boot=200, seed=1)
    r = d.corr().loc[["a", "b", "c"], "y"].to_numpy()
    np.testing.assert_allclose(rw["weight"], r**2, atol=1e-10)
    assert (rw["ci_low"] <= rw["weight"]).all() and (rw["weight"] <= rw["ci_high"]).all()


def test_expectancy_table_counts_by_hand():
    d = pd.DataFrame({"ac": np.arange(1, 11, dtype=float), "promoted": [0, 0, 1, 0, 0, 1, 1, 0, 1, 1]})
    tab = V.expectancy_table(d, predictor="ac", criterion="promoted", bins=[0, 4, 7, 10])
    assert tab["n"].tolist() == [4, 3, 3]
    assert tab["n_high"].tolist() == [1, 2, 2]
    np.testing.assert_allclose(tab["p_high"], [0.25, 2 / 3, 2 / 3])
    # Wilson interval for 1/4 at 95%: hand formula
    z = stats.norm.ppf(0.975)
    c = (0.25 + z**2 / 8) / (1 + z**2 / 4)
    h = z * math.sqrt(0.25 * 0.75 / 4 + z**2 / 64) / (1 + z**2 / 4)
    assert tab.loc[0, "ci_low"] == pytest.approx(c - h, abs=1e-12)
    assert tab.loc[0, "ci_high"] == pytest.approx(c + h, abs=1e-12)
    q = V.expectancy_table(d, predictor="ac", criterion="ac", bins=2)  # median split of a continuous criterion
    assert q["p_high"].tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="outside the band edges"):
        V.expectancy_table(d, predictor="ac", criterion="promoted", bins=[2, 5, 8])


def test_plot_expectancy_and_forest_plot_draw():
    import matplotlib

    matplotlib.use("Agg")
    d = pd.DataFrame({"ac": np.arange(40.0), "promoted": np.tile([0, 1, 1, 0], 10)})
    ax = V.plot_expectancy(V.expectancy_table(d, predictor="ac", criterion="promoted", bins=4))
    assert len(ax.patches) == 4
    res = V.meta_analysis(STUDIES, study="agency", ryyi="ryyi")
    ax2 = res.plot()
    assert len(ax2.get_yticklabels()) == len(STUDIES) + 1


def test_meta_analysis_bare_bones_matches_hand_and_metafor():
    ref = REF["meta_bb"]
    res = V.meta_analysis(STUDIES, study="agency")
    bb = res.bare_bones.iloc[0]
    for key in ("mean_r", "var_obs", "var_e", "var_rho", "ci_low", "ci_high", "cr_low", "cr_high"):
        assert bb[key] == pytest.approx(ref[key], abs=TOL), key
    # metafor::escalc(measure = "COR", vtype = "AV")$vi
    np.testing.assert_allclose(res.studies["var_e"], ref["vi_metafor"], atol=1e-12)
    assert res.corrected is None
    assert "Bare-bones" in res.summary() and "MetaAnalysisResult(k=8" in repr(res)


def test_meta_analysis_corrected_case_iv_matches_hand():
    ref = REF["meta_c"]
    res = V.meta_analysis(STUDIES, study="agency", rxxa=0.85, ryyi="ryyi", u="u", case="IV")
    np.testing.assert_allclose(res.studies["r_c"], ref["rc"], atol=TOL)
    c = res.corrected.iloc[0]
    for key in ("mean_rho", "var_obs", "var_e", "var_rho", "ci_low", "ci_high"):
        assert c[key] == pytest.approx(ref[key], abs=TOL), key


def test_meta_analysis_errors():
    with pytest.raises(ValueError, match="at least 2 studies"):
        V.meta_analysis(STUDIES.iloc[:1])
    bad = STUDIES.copy()
    bad.loc[2, "u"] = 1.4
    with pytest.raises(ValueError, match=r"artifact u .* holds 1.4 at row 2"):
        V.meta_analysis(bad, rxxa=0.85, ryyi="ryyi", u="u")
    bad = STUDIES.copy()
    bad.loc[1, "n"] = 1
    with pytest.raises(ValueError, match="sample sizes must be integers >= 2"):
        V.meta_analysis(bad)


def test_utility_matches_hand_and_naylor_shine_ordinates():
    ref = REF["utility"]
    u = V.utility(validity=0.37, sd_y=48e6, selection_ratio=0.25, n_selected=40, cost_per_candidate=4.5e6, tenure=3)
    assert u["z_bar"] == pytest.approx(ref["z_bar"], abs=1e-10)  # dnorm(qnorm(.75)) / .25
    assert u["net_utility"] == pytest.approx(ref["net"], rel=1e-10)
    # Naylor & Shine (1965) mean standard score of those selected: SR .10 -> 1.755, .50 -> .798
    for sr, zbar in ((0.10, 1.755), (0.20, 1.400), (0.50, 0.798)):
        assert V.utility(validity=0.3, sd_y=1, selection_ratio=sr, n_selected=1,
                         cost_per_candidate=0)["z_bar"] == pytest.approx(zbar, abs=1e-3)
    with pytest.raises(ValueError, match=r"selection_ratio must be a number in \(0, 1\]"):
        V.utility(validity=0.3, sd_y=1, selection_ratio=0, n_selected=1, cost_per_candidate=0)


def test_bootstrap_does_not_depend_on_thread_count():
    import numba

    d = _pool(n=500, seed=12)
    kw = {"predictor": "ac", "criterion": "kinerja", "rxxa": 0.8, "ryyi": 0.6, "n_boot": 500, "seed": 9}
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = V.validity_study(d, **kw)
    finally:
        numba.set_num_threads(before)
    many = V.validity_study(d, **kw)
    pd.testing.assert_frame_equal(one, many)


def test_large_sample_corrections_are_exact_under_their_selection_models():
    # indirect selection on the predictor's true score: Case IV recovers corr(X, P) in the applicant pool
    rho, rxxa, ryya, sr, zt = 0.45, 0.75, 0.65, 0.3, 0.9
    d = _pool(n=300_000, seed=21, rho=rho, rxxa=rxxa, ryya=ryya, sr=sr, z_on_t=zt)
    ryyi = _population_ryyi(rho, rxxa, ryya, sr, zt)
    res = V.validity_study(d, predictor="ac", criterion="kinerja", rxxa=rxxa, ryyi=ryyi, n_boot=0)
    assert res.loc["operational", "r"] == pytest.approx(rho * math.sqrt(rxxa), abs=0.01)
    # ... and the observed-score correlation in the pool, corr(X, Y) = rho sqrt(rxxa ryya)
    assert res.loc["corrected_range_restriction", "r"] == pytest.approx(rho * math.sqrt(rxxa * ryya), abs=0.01)
    # direct selection on the observed predictor: Case II recovers corr(X, Y) in the pool
    rng = np.random.default_rng(22)
    x = rng.normal(size=300_000)
    y = 0.35 * x + math.sqrt(1 - 0.35**2) * rng.normal(size=300_000)
    y[x < np.quantile(x, 0.6)] = np.nan
    res2 = V.validity_study(pd.DataFrame({"x": x, "y": y}), predictor="x", criterion="y", case="II", n_boot=0)
    assert res2.loc["observed", "r"] < 0.25
    assert res2.loc["corrected_range_restriction", "r"] == pytest.approx(0.35, abs=0.01)
