"""Tests of psikometri.agreement.

Provenance of every reference number is given beside it.  R values come from
tests/fixtures/agreement/make_reference.R (R 4.2.2, psych 2.2.9, lme4 1.1-31,
psy 1.2, vcd 1.4-11), stored in reference.json together with the data sets it
drew; the tests never run R.  irr is not available for Debian, so Fleiss' and
Krippendorff's coefficients are checked against the published worked examples
and the ``krippendorff`` / ``statsmodels`` Python packages.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from psikometri import _agreement_kernels as K
from psikometri import agreement as ag

from . import naive_agreement as naive
from ._nojit import run_without_jit

FIX = Path(__file__).parent / "fixtures" / "agreement"
REF = json.loads((FIX / "reference.json").read_text())
NAN = np.nan

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SF = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
                   "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section E:
# 4 coders x 12 units (here transposed: rows = units, columns = coders).
KRIPP = pd.DataFrame({
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    "C": [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
})

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses
# (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other),
# as one diagnosis per rater (the layout of irr's `diagnoses` data).
DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])


def _icc_arr(df):
    return df[["icc", "F", "df1", "df2", "pval", "ci_low", "ci_high"]].to_numpy()


def _ref_icc_arr(r):
    return np.column_stack([r["icc"], r["F"], r["df1"], r["df2"], r["p"], r["lower"], r["upper"]])


def _missing(rng, shape, frac):
    x = rng.integers(1, 6, size=shape).astype(float)
    x[rng.random(shape) < frac] = np.nan
    return x


# ==========================================================================
# ICC
# ==========================================================================


def test_icc_shrout_fleiss_published_table():
    out = ag.icc(SF)
    assert list(out.index) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    # Shrout & Fleiss (1979), Table 4: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44,
    # ICC(2,4) .62, ICC(3,4) .91
    assert_allclose(out["icc"].round(2), [0.17, 0.29, 0.71, 0.44, 0.62, 0.91])
    # Shrout & Fleiss (1979), Table 3 (ANOVA): BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02
    ms = out.attrs["mean_squares"]
    assert_allclose([round(ms[k], 2) for k in ("targets", "within", "raters", "residual")],
                    [11.24, 6.26, 32.49, 1.02])
    assert "ICC(A,1)" in out.loc["ICC2", "description"]
    assert "ICC(C,k)" in out.loc["ICC3k", "description"]


def test_icc_matches_psych_on_shrout_fleiss():
    # psych::ICC(sf, lmer = FALSE): ICC, F, df1, df2, p, lower bound, upper bound
    assert_allclose(_icc_arr(ag.icc(SF)), _ref_icc_arr(REF["sf_psych"]), rtol=1e-9, atol=1e-12)
    # psych::ICC(sf, lmer = FALSE, alpha = 0.10) -> 90% intervals
    assert_allclose(_icc_arr(ag.icc(SF, level=0.90)), _ref_icc_arr(REF["sf_psych_90"]), rtol=1e-9, atol=1e-12)


def test_icc_matches_psy():
    out = ag.icc(SF)
    # psy::icc(sf): icc.consistency 0.7148407, icc.agreement 0.2897638
    assert out.loc["ICC3", "icc"] == pytest.approx(REF["sf_psy"]["icc.consistency"], rel=1e-9)
    assert out.loc["ICC2", "icc"] == pytest.approx(REF["sf_psy"]["icc.agreement"], rel=1e-9)
    vc = out.attrs["variance_components"]
    assert vc["target"] == pytest.approx(REF["sf_psy"]["subject.variance"], rel=1e-9)
    assert vc["rater"] == pytest.approx(REF["sf_psy"]["rater.variance"], rel=1e-9)
    assert vc["residual"] == pytest.approx(REF["sf_psy"]["residual"], rel=1e-9)


def test_icc_matches_psych_on_random_complete_data():
    x = pd.read_csv(FIX / "icc_complete.csv")
    # psych::ICC(icc_complete, lmer = FALSE)
    assert_allclose(_icc_arr(ag.icc(x)), _ref_icc_arr(REF["complete_psych"]), rtol=1e-9, atol=1e-13)


def test_icc_reml_matches_psych_lmer_with_missing_ratings():
    x = pd.read_csv(FIX / "icc_missing.csv")
    with pytest.raises(ValueError, match="missing='reml'"):
        ag.icc(x)
    out = ag.icc(x, missing="reml")
    assert out.attrs["method"] == "reml"
    # lme4::lmer(y ~ 1 + (1|t) + (1|r)) variance components; differences are optimiser tolerance
    vc = out.attrs["variance_components"]
    ref = REF["missing_lme4"]
    assert_allclose([vc["target"], vc["rater"], vc["residual"]], [ref["target"], ref["rater"], ref["residual"]],
                    rtol=1e-4)
    # psych::ICC(icc_missing, lmer = TRUE)
    assert_allclose(_icc_arr(out), _ref_icc_arr(REF["missing_psych"]), rtol=2e-5, atol=2e-5)
    # our optimum is at least as good as lme4's under an independent dense REML deviance
    a = x.to_numpy()
    obs = ~np.isnan(a)
    ti, rj = np.nonzero(obs)
    ours = naive.reml_deviance_dense(a[obs], ti, rj, *a.shape, vc["target"], vc["rater"], vc["residual"])
    theirs = naive.reml_deviance_dense(a[obs], ti, rj, *a.shape, ref["target"], ref["rater"], ref["residual"])
    assert ours <= theirs + 1e-8
    assert theirs == pytest.approx(ref["reml_deviance"], rel=1e-9)  # lme4::REMLcrit(m)


def test_reml_equals_anova_on_balanced_data():
    # REML estimates of a balanced crossed design equal the ANOVA (expected mean square) estimates
    x = pd.read_csv(FIX / "icc_complete.csv").to_numpy()
    msr, _msw, msc, mse = naive.icc_mean_squares(x)
    n, k = x.shape
    ti, rj = np.nonzero(np.ones_like(x, dtype=bool))
    va, vb, ve = ag._reml_crossed(x.ravel(), ti, rj, n, k)
    assert_allclose([va, vb, ve], [(msr - mse) / k, (msc - mse) / n, mse], rtol=1e-6)


def test_icc_long_format_equals_wide():
    long = SF.reset_index().melt(id_vars="index", var_name="judge", value_name="score").sample(frac=1, random_state=3)
    out = ag.icc(long, targets="index", raters="judge", ratings="score")
    assert_allclose(_icc_arr(out), _icc_arr(ag.icc(SF)), rtol=1e-12)


def test_icc_long_format_with_missing_cells_reml():
    x = pd.read_csv(FIX / "icc_missing.csv")
    long = x.reset_index().melt(id_vars="index", var_name="rater", value_name="score").dropna()
    out = ag.icc(long, targets="index", raters="rater", ratings="score", missing="reml")
    assert_allclose(_icc_arr(out), _icc_arr(ag.icc(x, missing="reml")), rtol=1e-7, atol=1e-9)


def test_icc_kernel_mean_squares_match_naive():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 4)) + rng.normal(size=(200, 1))
    ssr, ssc, sse, sst = K.icc_sums_of_squares(np.ascontiguousarray(x))
    n, k = x.shape
    msr, msw, msc, mse = naive.icc_mean_squares(x)
    assert_allclose([ssr / (n - 1), ssc / (k - 1), sse / ((n - 1) * (k - 1)), (ssc + sse) / (n * (k - 1))],
                    [msr, msc, mse, msw], rtol=1e-10)
    assert sst == pytest.approx(((x - x.mean()) ** 2).sum(), rel=1e-12)


def test_icc_agrees_with_pingouin_point_estimates():
    pg = pytest.importorskip("pingouin")
    x = pd.read_csv(FIX / "icc_complete.csv")
    long = x.reset_index().melt(id_vars="index", var_name="rater", value_name="score")
    # pingouin lists the same six forms in the same order (ICC(1,1), ICC(A,1), ICC(C,1), ICC(1,k), ...)
    theirs = pg.intraclass_corr(long, targets="index", raters="rater", ratings="score")
    ours = ag.icc(x)
    assert_allclose(ours["icc"].to_numpy(), theirs["ICC"].to_numpy(), rtol=1e-9)
    assert_allclose(ours["F"].to_numpy(), theirs["F"].to_numpy(), rtol=1e-9)


def test_icc_identical_raters_is_one():
    rng = np.random.default_rng(2)
    v = rng.normal(size=30)
    out = ag.icc(pd.DataFrame({"a": v, "b": v, "c": v}))
    assert_allclose(out["icc"], 1.0, atol=1e-12)
    assert np.isinf(out["F"]).all() and (out["pval"] == 0).all()
    assert_allclose(out[["ci_low", "ci_high"]], 1.0)
    assert "residual variance is zero" in out.attrs["note"]
    # raters that differ by constants: consistency forms are 1, absolute agreement below 1
    out = ag.icc(pd.DataFrame({"a": v, "b": v + 1.0, "c": v - 0.5}))
    assert_allclose(out.loc[["ICC3", "ICC3k"], "icc"], 1.0, atol=1e-12)
    assert (out.loc[["ICC1", "ICC2"], "icc"] < 1).all()


def test_icc_bad_input():
    with pytest.raises(ValueError, match="at least 2 raters"):
        ag.icc(SF[["J1"]])
    with pytest.raises(ValueError, match="at least 2 are needed"):
        ag.icc(SF.iloc[:1])
    with pytest.raises(ValueError, match="constant"):
        ag.icc(pd.DataFrame({"a": [3.0] * 5, "b": [3.0] * 5}))
    with pytest.raises(ValueError, match="missing must be one of"):
        ag.icc(SF, missing="drop")
    with pytest.raises(ValueError, match="all three"):
        ag.icc(SF, targets="J1")
    long = SF.reset_index().melt(id_vars="index", var_name="judge", value_name="score")
    with pytest.raises(ValueError, match="more than one rating"):
        ag.icc(pd.concat([long, long.iloc[:1]]), targets="index", raters="judge", ratings="score")
    with pytest.raises(TypeError, match="not numeric"):
        ag.icc(pd.DataFrame({"a": [1, 2, "x"], "b": [1, 2, 3]}))
    with pytest.raises(ValueError, match="level"):
        ag.icc(SF, level=95)
    before = SF.copy()
    ag.icc(SF)
    pd.testing.assert_frame_equal(SF, before)


# ==========================================================================
# Cohen's kappa
# ==========================================================================


def _fleiss_1981_pairs():
    # Fleiss (1981), Statistical Methods for Rates and Proportions (2nd ed.), ch. 13: two raters,
    # 100 patients, 3 diagnoses; cell counts [[53, 5, 2], [11, 14, 5], [1, 6, 3]]
    t = np.array([[53, 5, 2], [11, 14, 5], [1, 6, 3]])
    a = np.repeat(np.repeat([1, 2, 3], 3), t.ravel())
    b = np.repeat(np.tile([1, 2, 3], 3), t.ravel())
    return a, b


def test_cohen_kappa_published_and_vcd():
    a, b = _fleiss_1981_pairs()
    est = ag.cohen_kappa(a, b)
    assert round(est.value, 3) == 0.429  # Fleiss (1981): p_o = .70, p_e = .475, kappa = .429
    r = REF["fleiss_table_vcd"]
    # vcd::Kappa(table): Unweighted value and ASE (Fleiss, Cohen & Everitt 1969)
    assert est.value == pytest.approx(r["kappa"], rel=1e-12)
    assert est.se == pytest.approx(r["ase"], rel=1e-9)
    # vcd::Kappa(table)$Weighted ("Equal-Spacing" = linear weights)
    lin = ag.cohen_kappa(a, b, weights="linear")
    assert lin.value == pytest.approx(r["kappa_linear"], rel=1e-12)
    assert lin.se == pytest.approx(r["ase_linear"], rel=1e-9)
    # vcd::Kappa(table, weights = "Fleiss-Cohen")$Weighted (quadratic weights)
    quad = ag.cohen_kappa(a, b, weights="quadratic")
    assert quad.value == pytest.approx(r["kappa_quadratic"], rel=1e-12)
    assert quad.se == pytest.approx(r["ase_quadratic"], rel=1e-9)
    z = 1.959963984540054
    assert est.ci_low == pytest.approx(est.value - z * est.se, rel=1e-9)


def test_cohen_kappa_random_pairs_vcd_psych_psy():
    d = pd.read_csv(FIX / "kappa_pairs.csv")
    r = REF["pairs_vcd"]
    un = ag.cohen_kappa(d["a"], d["b"])
    assert un.value == pytest.approx(r["kappa"], rel=1e-12)  # vcd::Kappa(tab)
    assert un.se == pytest.approx(r["ase"], rel=1e-9)
    assert un.se**2 == pytest.approx(REF["pairs_psych"]["var_kappa"], rel=1e-9)  # psych::cohen.kappa var.kappa
    assert un.value == pytest.approx(REF["pairs_psy"]["ckappa"], rel=1e-12)  # psy::ckappa
    lin = ag.cohen_kappa(d["a"], d["b"], weights="linear")
    assert lin.value == pytest.approx(r["kappa_linear"], rel=1e-12)
    assert lin.se == pytest.approx(r["ase_linear"], rel=1e-9)
    quad = ag.cohen_kappa(d["a"], d["b"], weights="quadratic")
    assert quad.value == pytest.approx(r["kappa_quadratic"], rel=1e-12)  # vcd, Fleiss-Cohen weights
    assert quad.se == pytest.approx(r["ase_quadratic"], rel=1e-9)
    assert quad.value == pytest.approx(REF["pairs_psych"]["weighted_kappa"], rel=1e-12)  # psych weighted.kappa
    assert quad.value == pytest.approx(REF["pairs_psy"]["wkappa"], rel=1e-12)  # psy::wkappa


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_matches_sklearn_and_naive(weights):
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(11)
    a = rng.integers(1, 6, 500)
    b = np.clip(a + rng.integers(-1, 2, 500), 1, 5)
    est = ag.cohen_kappa(a, b, weights=weights)
    assert est.value == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-12)
    assert est.value == pytest.approx(naive.weighted_kappa(a, b, [1, 2, 3, 4, 5], weights), abs=1e-12)
    assert est.n == 500


def test_cohen_kappa_non_integer_and_wide_range_codes():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(13)
    a = rng.integers(0, 4, 300)
    b = np.where(rng.random(300) < 0.6, a, rng.integers(0, 4, 300))
    for scale in (0.5, 1e7):  # non-integral labels, and integers too far apart for offset coding
        est = ag.cohen_kappa(a * scale, b * scale, weights="linear")
        assert est.value == pytest.approx(cohen_kappa_score(a, b, weights="linear"), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=3, max_size=40),
       st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_kappa_symmetric_in_raters(pairs, weights):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    cats = [1, 2, 3, 4]
    k1 = ag.cohen_kappa(a, b, weights=weights, categories=cats)
    k2 = ag.cohen_kappa(b, a, weights=weights, categories=cats)
    if math.isnan(k1.value):
        assert math.isnan(k2.value)
    else:
        assert k1.value == pytest.approx(k2.value, abs=1e-12)
        assert k1.se == pytest.approx(k2.se, abs=1e-6)  # sqrt of a variance that may cancel to ~1e-16


def test_cohen_kappa_categories_labels_missing_and_matrix():
    a = ["low", "mid", "high", "mid", None, "low", "high"]
    b = ["low", "high", "high", "mid", "mid", "mid", "low"]
    cats = ["low", "mid", "high"]
    est = ag.cohen_kappa(a, b, categories=cats, weights="linear")
    keep = [0, 1, 2, 3, 5, 6]
    assert est.n == 6
    exp = naive.weighted_kappa([a[i] for i in keep], [b[i] for i in keep], cats, "linear")
    assert est.value == pytest.approx(exp, abs=1e-12)
    # an unused category inserted between observed ones moves their positions and so the weights
    x, y = [1, 2, 3, 1, 2, 3, 1, 3], [2, 3, 1, 1, 2, 2, 3, 3]
    wider = ag.cohen_kappa(x, y, categories=[1, 2, 2.5, 3], weights="linear")
    assert wider.value == pytest.approx(naive.weighted_kappa(x, y, [1, 2, 2.5, 3], "linear"), abs=1e-12)
    assert wider.value != pytest.approx(ag.cohen_kappa(x, y, weights="linear").value)
    w = 1 - np.abs(np.subtract.outer(np.arange(3), np.arange(3))) / 2
    assert ag.cohen_kappa(a, b, categories=cats, weights=w).value == pytest.approx(est.value, abs=1e-15)


def test_cohen_kappa_drops_incomplete_pairs_before_taking_categories():
    # irr::kappa2 applies na.omit first: a category seen only beside a missing rating is not in the set
    a = [1, 2, 3, 3, 2, 5]
    b = [1, 2, 3, 2, 2, np.nan]
    est = ag.cohen_kappa(a, b, weights="linear")
    assert est.extra["categories"] == [1, 2, 3] and est.n == 5
    assert est.value == pytest.approx(naive.weighted_kappa(a[:5], b[:5], [1, 2, 3], "linear"), abs=1e-12)
    # labels (unweighted: linear weights need a stated order of the labels)
    lab = ag.cohen_kappa(["x", "y", "z", "z", "y", "w"], ["x", "y", "z", "y", "y", None])
    assert lab.extra["categories"] == ["x", "y", "z"]
    assert lab.value == pytest.approx(ag.cohen_kappa(a[:5], b[:5]).value, abs=1e-12)


def test_cohen_kappa_uses_categorical_order():
    order = ["rendah", "sedang", "tinggi"]
    a = pd.Series(pd.Categorical(["rendah", "sedang", "tinggi", "tinggi", "rendah"], categories=order, ordered=True))
    b = pd.Series(pd.Categorical(["sedang", "sedang", "tinggi", "rendah", "rendah"], categories=order, ordered=True))
    est = ag.cohen_kappa(a, b, weights="quadratic")
    assert est.extra["categories"] == order  # not the alphabetical order rendah < sedang < tinggi by chance
    exp = naive.weighted_kappa(list(a), list(b), order, "quadratic")
    assert est.value == pytest.approx(exp, abs=1e-12)
    c = pd.Series(pd.Categorical(list(a), categories=["tinggi", "sedang", "rendah"], ordered=True))
    d = pd.Series(pd.Categorical(list(b), categories=["tinggi", "sedang", "rendah"], ordered=True))
    assert ag.cohen_kappa(c, d, weights="quadratic").extra["categories"] == ["tinggi", "sedang", "rendah"]


def test_cohen_kappa_bad_input():
    with pytest.raises(ValueError, match="same units"):
        ag.cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="weights must be one of"):
        ag.cohen_kappa([1, 2, 3], [1, 2, 2], weights="cubic")
    with pytest.raises(ValueError, match="1 on the diagonal"):
        ag.cohen_kappa([1, 2, 3], [1, 2, 2], weights=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="3 x 3"):
        ag.cohen_kappa([1, 2, 3], [1, 2, 2], weights=np.eye(2))
    with pytest.raises(ValueError, match="not in categories"):
        ag.cohen_kappa([1, 2, 7], [1, 2, 2], categories=[1, 2, 3])
    with pytest.raises(ValueError, match="single category"):
        ag.cohen_kappa([1, 1, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="at least 2"):
        ag.cohen_kappa([1, np.nan], [np.nan, 2])
    # a single observed category with the scale given: chance agreement 1 -> NaN with a reason
    est = ag.cohen_kappa([1, 1, 1], [1, 1, 1], categories=[1, 2])
    assert math.isnan(est.value) and "undefined" in est.note


# ==========================================================================
# Fleiss' kappa and Gwet's framework
# ==========================================================================


def test_fleiss_kappa_fleiss_1971():
    est = ag.fleiss_kappa(pd.DataFrame(DIAGNOSES))
    assert round(est.value, 3) == 0.430  # Fleiss (1971): kappa = .430
    per = est.extra["per_category"]
    # Fleiss (1971) category kappas; also printed by irr::kappam.fleiss(diagnoses, detail = TRUE)
    assert_allclose(per["kappa"].round(3), [0.245, 0.245, 0.520, 0.471, 0.566])
    # irr::kappam.fleiss(diagnoses): z = 17.65 (Fleiss, Nee & Landis 1979 null SE)
    assert round(est.extra["z"], 2) == 17.65
    assert_allclose(per["z"].round(2), [5.19, 5.19, 11.03, 9.99, 12.01])


def test_fleiss_kappa_matches_statsmodels_and_counts():
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    rng = np.random.default_rng(8)
    x = np.clip(rng.integers(1, 5, size=(60, 1)) + rng.integers(-1, 2, size=(60, 5)), 1, 4)
    tab = aggregate_raters(x)[0]
    est = ag.fleiss_kappa(pd.DataFrame(x))
    assert est.value == pytest.approx(fleiss_kappa(tab, method="fleiss"), abs=1e-12)
    assert est.value == pytest.approx(naive.fleiss_1971(tab), abs=1e-12)
    assert ag.fleiss_kappa(pd.DataFrame(tab), counts=True).value == pytest.approx(est.value, abs=1e-14)


def test_gwet_handbook_example():
    # Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: 4 raters x 12 subjects with missing
    # ratings (Krippendorff's 2011 data; irrCAC data set `cac.raw4raters`).  Values as printed in the
    # irrCAC documentation: gwet.ac1.raw -> pa 0.8181818, pe 0.1903212, AC1 0.77544, se 0.14295,
    # 95% CI (0.461, 1); fleiss.kappa.raw -> pe 0.2387153, 0.76117, se 0.15302;
    # bp.coeff.raw -> 0.77273; pa.coeff.raw -> 0.81818.
    ac1 = ag.gwet_ac(KRIPP)
    assert ac1.extra["pa"] == pytest.approx(0.8181818, abs=1e-7)
    assert ac1.extra["pe"] == pytest.approx(0.1903212, abs=1e-7)
    assert round(ac1.value, 5) == 0.77544
    assert round(ac1.se, 5) == 0.14295
    assert round(ac1.ci_low, 3) == 0.461
    fk = ag.fleiss_kappa(KRIPP)
    assert fk.extra["pe"] == pytest.approx(0.2387153, abs=1e-7)
    assert round(fk.value, 5) == 0.76117
    assert round(fk.se, 5) == 0.15302
    assert "unequal numbers" in fk.note and "per_category" not in fk.extra
    assert round(ag.brennan_prediger(KRIPP).value, 5) == 0.77273
    assert round(ag.percent_agreement(KRIPP).value, 5) == 0.81818


def test_fleiss_kappa_bad_input():
    # fractional counts are allowed (Randolph's calculator); negative ones are not
    with pytest.raises(ValueError, match="non-negative finite counts"):
        ag.fleiss_kappa(pd.DataFrame([[-1.5, 2], [1, 2]]), counts=True)
    with pytest.raises(ValueError, match="at least 2 raters"):
        ag.fleiss_kappa(pd.DataFrame({"a": [1, 2, 3]}))


@pytest.mark.parametrize("method,fn,weights", [
    ("gwet", ag.gwet_ac, None), ("gwet", ag.gwet_ac, "quadratic"), ("gwet", ag.gwet_ac, "linear"),
    ("bp", ag.brennan_prediger, None), ("bp", ag.brennan_prediger, "quadratic"),
    ("pa", ag.percent_agreement, None), ("pa", ag.percent_agreement, "linear"),
])
def test_gwet_family_matches_pairwise_definition(method, fn, weights):
    rng = np.random.default_rng(4)
    x = np.clip(rng.integers(1, 6, size=(80, 1)) + rng.integers(-1, 2, size=(80, 4)), 1, 5).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    est = fn(pd.DataFrame(x), weights=weights)
    codes = np.where(np.isnan(x), -1, x - 1).astype(int)
    w = ag._weight_matrix(weights, 5)
    assert est.value == pytest.approx(naive.gwet_pairwise(codes, method, 5, w), abs=1e-12)


def test_gwet_generalized_fleiss_with_missing_matches_pairwise():
    rng = np.random.default_rng(6)
    x = np.clip(rng.integers(1, 4, size=(50, 1)) + rng.integers(-1, 2, size=(50, 3)), 1, 3).astype(float)
    x[rng.random(x.shape) < 0.15] = np.nan
    tab = K.category_counts(np.where(np.isnan(x), -1, x - 1).astype(np.int64), 3)
    coef = ag._gwet_framework(tab[tab.sum(1) > 0].astype(float), np.eye(3), "fleiss")[0]
    codes = np.where(np.isnan(x), -1, x - 1).astype(int)
    assert coef == pytest.approx(naive.gwet_pairwise(codes, "fleiss", 3), abs=1e-12)


def test_percent_agreement_variance_two_raters():
    # two raters, no weights, no missing: v = pa (1 - pa) / (n - 1) (binomial proportion, Gwet 2014 ch. 5)
    rng = np.random.default_rng(9)
    a = rng.integers(1, 4, 120)
    b = np.where(rng.random(120) < 0.7, a, rng.integers(1, 4, 120))
    est = ag.percent_agreement(pd.DataFrame({"a": a, "b": b}))
    pa = float((a == b).mean())
    assert est.value == pytest.approx(pa, abs=1e-15)
    assert est.se == pytest.approx(math.sqrt(pa * (1 - pa) / 119), rel=1e-12)


def test_gwet_ac1_se_matches_monte_carlo_spread():
    # the linearised SE should match the sampling sd of AC1 over replicated studies (within 15%)
    rng = np.random.default_rng(12)
    vals, ses = [], []
    for _ in range(300):
        truth = rng.integers(0, 3, size=(150, 1))
        x = np.where(rng.random((150, 3)) < 0.75, truth, rng.integers(0, 3, size=(150, 3)))
        est = ag.gwet_ac(pd.DataFrame(x), categories=[0, 1, 2])
        vals.append(est.value)
        ses.append(est.se)
    assert np.mean(ses) == pytest.approx(np.std(vals, ddof=1), rel=0.15)


def test_gwet_ac1_paradox_example():
    # Feinstein & Cicchetti (1990) style paradox: 2 raters, 125 subjects, cells (118, 5, 2, 0):
    # percent agreement .944, kappa about -0.02, AC1 = (p - e)/(1 - e) with e = 2 q (1 - q),
    # q = (A1 + B1) / (2 N) (Gwet 2008, eq. 17, two raters and two categories)
    a = np.array([1] * 118 + [1] * 5 + [2] * 2)
    b = np.array([1] * 118 + [2] * 5 + [1] * 2)
    p = 118 / 125
    q = ((118 + 5) + (118 + 2)) / 250
    e = 2 * q * (1 - q)
    assert ag.gwet_ac(pd.DataFrame({"a": a, "b": b})).value == pytest.approx((p - e) / (1 - e), abs=1e-12)
    assert ag.cohen_kappa(a, b).value < 0


# ==========================================================================
# Krippendorff's alpha
# ==========================================================================


def test_krippendorff_published_example():
    # Krippendorff (2011), section E: nominal .743, ordinal .815, interval .849, ratio .797
    for lvl, pub in (("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)):
        est = ag.krippendorff_alpha(KRIPP, level_of_measurement=lvl)
        assert round(est.value, 3) == pub, lvl
        assert est.n == 40  # 40 pairable values (unit 12 has one value)
        assert est.value == pytest.approx(naive.kalpha_coincidence(KRIPP.to_numpy(), lvl), abs=1e-12)


@pytest.mark.parametrize("lvl", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_matches_package_on_random_data(lvl):
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(21)
    x = np.clip(rng.integers(1, 8, size=(400, 1)) + rng.integers(-2, 3, size=(400, 4)), 1, 7).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    ours = ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement=lvl).value
    theirs = krippendorff.alpha(reliability_data=x.T, level_of_measurement=lvl)
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("lvl", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_matches_coincidence_matrix_with_real_values(lvl):
    rng = np.random.default_rng(22)
    x = np.round(rng.gamma(3.0, 1.0, size=(60, 1)) + rng.normal(0, 0.5, size=(60, 3)), 2)
    x = np.abs(x)
    x[rng.random(x.shape) < 0.25] = np.nan
    ours = ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement=lvl).value
    assert ours == pytest.approx(naive.kalpha_coincidence(x, lvl), abs=1e-10)


def test_krippendorff_ratio_expected_disagreement_many_values():
    # > 4000 distinct values takes the threaded O(V^2) path; compare with the serial kernel and numpy
    rng = np.random.default_rng(23)
    values = np.unique(np.round(rng.gamma(2.0, 2.0, 6000), 4))
    counts = rng.integers(1, 4, values.size).astype(float)
    par = K.ratio_expected_parallel(values, counts)
    ser = K.ratio_expected(values, counts)
    assert par == pytest.approx(ser, rel=1e-12)
    sub, cs = values[:500], counts[:500]
    d = ((sub[:, None] - sub[None, :]) / (sub[:, None] + sub[None, :])) ** 2
    assert K.ratio_expected(sub, cs) == pytest.approx(cs @ d @ cs, rel=1e-12)
    x = np.column_stack([rng.gamma(2.0, 2.0, 3000), rng.gamma(2.0, 2.0, 3000)])
    x[:, 1] = x[:, 0] * np.exp(rng.normal(0, 0.1, 3000))
    est = ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement="ratio")
    assert est.value == pytest.approx(naive.kalpha_coincidence(x[:300], "ratio"), abs=0.1)  # same population
    assert est.value == pytest.approx(
        ag.krippendorff_alpha(pd.DataFrame(x[rng.permutation(3000)]), level_of_measurement="ratio").value, abs=1e-12)


def test_krippendorff_nominal_string_labels():
    krippendorff = pytest.importorskip("krippendorff")
    lab = np.array(["a", "b", "c"], dtype=object)
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 3, size=(50, 3))
    codes[:, 1] = np.where(rng.random(50) < 0.6, codes[:, 0], codes[:, 1])
    data = pd.DataFrame(lab[codes])
    data.iloc[2, 1] = None
    num = codes.astype(float)
    num[2, 1] = np.nan
    ours = ag.krippendorff_alpha(data, level_of_measurement="nominal").value
    assert ours == pytest.approx(krippendorff.alpha(reliability_data=num.T, level_of_measurement="nominal"), abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_krippendorff_invariant_to_unit_and_rater_order(seed, lvl):
    rng = np.random.default_rng(seed)
    x = np.clip(rng.integers(1, 6, size=(30, 1)) + rng.integers(-1, 2, size=(30, 3)), 1, 5).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    a = ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement=lvl).value
    b = ag.krippendorff_alpha(pd.DataFrame(x[rng.permutation(30)]), level_of_measurement=lvl).value
    c = ag.krippendorff_alpha(pd.DataFrame(x[:, rng.permutation(3)]), level_of_measurement=lvl).value
    if math.isnan(a):
        assert math.isnan(b) and math.isnan(c)
    else:
        assert b == pytest.approx(a, abs=1e-12)
        assert c == pytest.approx(a, abs=1e-12)


def test_krippendorff_pairs_kernel_matches_naive():
    rng = np.random.default_rng(30)
    x = np.round(rng.uniform(0, 5, size=(40, 4)), 1)
    x[rng.random(x.shape) < 0.3] = np.nan
    for code in (0, 1, 3):
        d, w = K.kalpha_pairs(np.ascontiguousarray(x), code)
        dn, wn = naive.kalpha_pairs(x, code)
        assert_allclose(d, dn, atol=1e-15)
        assert_allclose(w, wn, atol=1e-15)
        # the pair weights reproduce D_o: sum(w * delta) / n
        n = (~np.isnan(x[(~np.isnan(x)).sum(1) >= 2])).sum()
        assert w.sum() == pytest.approx(n)


def test_krippendorff_bootstrap_reproducible_and_matches_stream_replay():
    from psikometri._resampling import stream_start, stream_uniform

    e1 = ag.krippendorff_alpha(KRIPP, level_of_measurement="nominal", n_boot=500, seed=2024)
    e2 = ag.krippendorff_alpha(KRIPP, level_of_measurement="nominal", n_boot=500, seed=2024)
    assert_allclose(e1.extra["boot"], e2.extra["boot"], rtol=0, atol=0)
    assert e1.ci_low < e1.value < e1.ci_high
    assert e1.ci_method.startswith("bootstrap")
    # replay replicates 0..4 in plain Python from the same counter-based stream
    d, w = naive.kalpha_pairs(KRIPP.to_numpy(), 0)
    uniq, inv = np.unique(d, return_inverse=True)
    wsum = np.bincount(inv, weights=w)
    prob, alias = K.alias_table(wsum)
    d_e = e1.extra["D_e"]
    for b in range(5):
        state = np.uint64(stream_start(np.uint64(2024), b) % 2**64)
        acc = 0.0
        for _ in range(d.size):
            state, u = stream_uniform(state)
            state = np.uint64(state % 2**64)
            i = min(int(u * uniq.size), uniq.size - 1)
            acc += uniq[i] if u * uniq.size - i < prob[i] else uniq[alias[i]]
        assert e1.extra["boot"][b] == pytest.approx(1 - acc / d.size / d_e, abs=1e-12)


def test_alias_table_reproduces_probabilities():
    w = np.array([0.5, 2.0, 0.25, 1.25, 0.0, 3.0])
    prob, alias = K.alias_table(w)
    n = w.size
    implied = np.zeros(n)
    for i in range(n):
        implied[i] += prob[i] / n
        implied[alias[i]] += (1 - prob[i]) / n
    assert_allclose(implied, w / w.sum(), atol=1e-12)


def test_krippendorff_bootstrap_centres_on_alpha():
    rng = np.random.default_rng(31)
    x = np.clip(rng.integers(1, 6, size=(300, 1)) + rng.integers(-1, 2, size=(300, 3)), 1, 5).astype(float)
    est = ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement="interval", n_boot=2000, seed=1)
    # draws of D_o are unbiased for D_o, so the bootstrap mean of alpha equals alpha up to MC error
    assert np.mean(est.extra["boot"]) == pytest.approx(est.value, abs=4 * est.se / math.sqrt(2000) + 1e-3)
    assert 0 <= est.extra["p_below"][0.8] <= 1


def test_krippendorff_degenerate_and_bad_input():
    with pytest.raises(ValueError, match="level_of_measurement must be one of"):
        ag.krippendorff_alpha(KRIPP, level_of_measurement="metric")
    with pytest.raises(ValueError, match="at least 2 raters"):
        ag.krippendorff_alpha(KRIPP[["A"]])
    with pytest.raises(ValueError, match="non-negative"):
        ag.krippendorff_alpha(KRIPP - 3, level_of_measurement="ratio")
    with pytest.raises(TypeError, match="not numeric"):
        ag.krippendorff_alpha(pd.DataFrame({"a": ["x", "y"], "b": ["x", "x"]}), level_of_measurement="interval")
    est = ag.krippendorff_alpha(pd.DataFrame({"a": [1, np.nan], "b": [np.nan, 2]}))
    assert math.isnan(est.value) and "pairable" in est.note
    est = ag.krippendorff_alpha(pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}), n_boot=10)
    assert math.isnan(est.value) and "identical" in est.note
    with pytest.raises(ValueError, match="n_boot"):
        ag.krippendorff_alpha(KRIPP, n_boot=-1)


# ==========================================================================
# rwg
# ==========================================================================


def test_rwg_hand_computed():
    # s^2 = 0.25, sigma_EU^2 = (25 - 1)/12 = 2 -> rwg = 1 - 0.125
    assert ag.rwg([3, 3, 4, 3], n_options=5).value == pytest.approx(0.875)
    # variances 1/3, 0, 1/3 -> mean 2/9; ratio 1/9; rwg(J) = 3 (8/9) / (3 (8/9) + 1/9) = 24/25
    d = pd.DataFrame({"int": [3, 3, 4], "kom": [4, 4, 4], "kerj": [2, 3, 3]})
    assert ag.rwg_j(d, n_options=5).value == pytest.approx(0.96)
    wide = ag.rwg([1, 5, 1, 5], n_options=5)
    assert wide.value == 0.0 and wide.extra["raw"] < 0 and "truncated" in wide.note
    assert ag.rwg([2, 3], null_variance=1.0).value == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least 2"):
        ag.rwg([3])
    with pytest.raises(ValueError, match="n_options"):
        ag.rwg([3, 4], n_options=1)


# ==========================================================================
# assessor diagnostics
# ==========================================================================


def _simulated_ac(seed=0):
    rng = np.random.default_rng(seed)
    comps = ["INT", "KOM", "KER", "ORH"]
    exs = ["LGD", "RP", "INB"]
    rows = []
    for c in range(60):
        ability = rng.normal(0, 0.8)
        cdim = rng.normal(0, 0.4, len(comps))
        for e in exs:
            ex_eff = rng.normal(0, 0.3)
            for ki, k in enumerate(comps):
                true = 3 + ability + cdim[ki] + ex_eff
                for a in ["A1", "A2", "LEN", "CEN", "HAL", "RND"]:
                    s = true + rng.normal(0, 0.35)
                    if a == "LEN":
                        s += 0.8
                    elif a == "CEN":
                        s = 3 + 0.3 * (s - 3)
                    elif a == "HAL":
                        s = 3 + ability + ex_eff + rng.normal(0, 0.05)
                    elif a == "RND":
                        s = rng.normal(3, 1.0)
                    rows.append((f"c{c}", k, e, a, s))
    return pd.DataFrame(rows, columns=["nip", "kompetensi", "alat_ukur", "asesor", "nilai"])


def test_assessor_diagnostics_finds_planted_problems():
    d = _simulated_ac()
    out = ag.assessor_diagnostics(d, candidate="nip", competency="kompetensi", exercise="alat_ukur",
                                  assessor="asesor", score="nilai")
    assert set(out.index) == {"A1", "A2", "LEN", "CEN", "HAL", "RND"}
    assert (out["n_ratings"] == 60 * 3 * 4).all()
    assert out.loc["LEN", "severity"] == "lenient"
    assert out.loc["LEN", "ci_low"] < 0.8 * 6 / 5 < out.loc["LEN", "ci_high"] + 0.2
    assert out.loc["CEN", "central_tendency"]
    assert out.loc["HAL", "halo_flag"] and out.loc["HAL", "halo"] > out.loc["A1", "halo"]
    assert out.loc["RND", "low_agreement"]
    assert not out.loc["A1", "flagged"] and not out.loc["A2", "flagged"]
    assert "lenient" in out.loc["LEN", "flag_summary"]


def test_assessor_diagnostics_leniency_matches_loop():
    d = _simulated_ac(1)
    d = d.loc[d["nip"].isin(["c0", "c1", "c2", "c3"])].rename(columns={
        "nip": "candidate", "kompetensi": "competency", "alat_ukur": "exercise", "asesor": "assessor",
        "nilai": "score"})
    d = d.sample(frac=0.7, random_state=2)  # unequal panels, some cells rated once
    out = ag.assessor_diagnostics(d)
    for a in ["A1", "LEN"]:
        devs = []
        for _, r in d.loc[d["assessor"] == a].iterrows():
            others = d.loc[(d["candidate"] == r["candidate"]) & (d["competency"] == r["competency"])
                           & (d["exercise"] == r["exercise"]) & (d["assessor"] != a), "score"]
            if len(others):
                devs.append(r["score"] - others.mean())
        assert out.loc[a, "n_shared"] == len(devs)
        assert out.loc[a, "leniency"] == pytest.approx(np.mean(devs), abs=1e-12)
        assert out.loc[a, "leniency_se"] == pytest.approx(np.std(devs, ddof=1) / math.sqrt(len(devs)), rel=1e-10)


def test_assessor_diagnostics_halo_and_agreement_match_loops():
    d = _simulated_ac(2).rename(columns={"nip": "candidate", "kompetensi": "competency", "alat_ukur": "exercise",
                                         "asesor": "assessor", "nilai": "score"})
    d = d.sample(frac=0.8, random_state=4)
    out = ag.assessor_diagnostics(d)
    cell_n = d.groupby(["candidate", "competency", "exercise"])["score"].transform("size")
    cell_sum = d.groupby(["candidate", "competency", "exercise"])["score"].transform("sum")
    for a in ["A1", "HAL", "RND"]:
        g = d.loc[d["assessor"] == a]
        num = den = 0.0
        for _, ge in g.groupby("exercise"):
            mat = ge.pivot_table(index="candidate", columns="competency", values="score")
            c = mat.corr(min_periods=3).to_numpy()
            v = c[np.triu_indices_from(c, k=1)]
            v = v[np.isfinite(v)]
            if v.size and mat.shape[0] >= 3:
                num += v.mean() * mat.shape[0]
                den += mat.shape[0]
        assert out.loc[a, "halo"] == pytest.approx(num / den, abs=1e-12)
        m = (d["assessor"] == a) & (cell_n >= 2)
        cons = (cell_sum[m] - d.loc[m, "score"]) / (cell_n[m] - 1)
        assert out.loc[a, "agreement_r"] == pytest.approx(np.corrcoef(d.loc[m, "score"], cons)[0, 1], abs=1e-12)


def test_assessor_diagnostics_bad_input():
    d = _simulated_ac().rename(columns={"nip": "candidate", "kompetensi": "competency", "alat_ukur": "exercise",
                                        "asesor": "assessor", "nilai": "score"})
    with pytest.raises(ValueError, match="has no column"):
        ag.assessor_diagnostics(d.drop(columns="exercise"))
    with pytest.raises(ValueError, match="more than one score"):
        ag.assessor_diagnostics(pd.concat([d, d.iloc[:1]]))
    with pytest.raises(ValueError, match="single assessor"):
        ag.assessor_diagnostics(d.loc[d["assessor"] == "A1"])
    bad = d.copy()
    bad["score"] = bad["score"].astype(object)
    bad.iloc[3, bad.columns.get_loc("score")] = "tinggi"
    with pytest.raises(TypeError, match="not numeric"):
        ag.assessor_diagnostics(bad)


# ==========================================================================
# kernels without JIT
# ==========================================================================


@pytest.mark.nojit
def test_kernels_without_jit_match_compiled():
    rng = np.random.default_rng(40)
    x = np.clip(rng.integers(1, 6, size=(25, 1)) + rng.integers(-1, 2, size=(25, 3)), 1, 5).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    jit = {lvl: ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement=lvl, n_boot=20, seed=5).extra["boot"]
           .tolist() + [ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement=lvl).value]
           for lvl in ("nominal", "ordinal", "interval", "ratio")}
    full = np.nan_to_num(x, nan=3.0)
    jit["icc"] = ag.icc(pd.DataFrame(full))["icc"].tolist()
    jit["kappa"] = ag.cohen_kappa(full[:, 0], full[:, 1], weights="quadratic").value
    jit["gwet"] = ag.gwet_ac(pd.DataFrame(x)).value
    vals = np.linspace(0.5, 9.0, 40)
    jit["ratio_par"] = K.ratio_expected_parallel(vals, np.arange(1.0, 41.0))
    snippet = f"""
        import json, numpy as np, pandas as pd
        from psikometri import agreement as ag
        x = np.array({np.where(np.isnan(x), -1, x).tolist()}); x[x < 0] = np.nan
        out = {{lvl: ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement=lvl, n_boot=20, seed=5)
                .extra["boot"].tolist() + [ag.krippendorff_alpha(pd.DataFrame(x), level_of_measurement=lvl).value]
                for lvl in ("nominal", "ordinal", "interval", "ratio")}}
        full = np.nan_to_num(x, nan=3.0)
        out["icc"] = ag.icc(pd.DataFrame(full))["icc"].tolist()
        out["kappa"] = ag.cohen_kappa(full[:, 0], full[:, 1], weights="quadratic").value
        out["gwet"] = ag.gwet_ac(pd.DataFrame(x)).value
        from psikometri import _agreement_kernels as K
        out["ratio_par"] = K.ratio_expected_parallel(np.linspace(0.5, 9.0, 40), np.arange(1.0, 41.0))
        print(json.dumps(out))
    """
    nojit = run_without_jit(snippet)
    for key, val in jit.items():
        assert_allclose(nojit[key], val, rtol=1e-12, atol=1e-12, err_msg=key)


def test_public_names():
    import psikometri as pk

    for name in ag.__all__:
        assert getattr(pk, name) is getattr(ag, name)


# ----------------------------------------------------------------------------- cell_ratings


def _ac_ratings(seed=3, n=40):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        for comp in ("integritas", "kerjasama", "komunikasi"):
            for ex in ("in_basket", "wawancara"):
                k = rng.choice([1, 2, 2, 2, 3])
                for a in rng.choice(8, size=k, replace=False):
                    rows.append((f"P{c:03d}", comp, ex, f"{ex}-A{a}", float(rng.integers(1, 6))))
    return pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "assessor", "score"])


def test_cell_ratings_uses_every_cell_with_two_or_more_ratings():
    r = _ac_ratings()
    tab = ag.cell_ratings(r)
    keys = ["candidate", "competency", "exercise"]
    # naive: group, sort the cell's ratings by assessor id
    expected = {k: g.sort_values("assessor")["score"].tolist() for k, g in r.groupby(keys) if len(g) >= 2}
    assert tab.attrs["n_cells"] == r.groupby(keys).ngroups
    assert tab.attrs["n_cells_used"] == len(expected) == len(tab)
    assert tab.attrs["n_ratings_used"] == sum(len(v) for v in expected.values())
    assert tab.shape[1] == 3
    for k, row in tab.iterrows():
        assert row.dropna().tolist() == expected[k]
        who = tab.attrs["assessors"].loc[k].dropna().tolist()
        assert who == sorted(who)


def test_cell_ratings_do_not_depend_on_row_order():
    r = _ac_ratings()
    a = ag.cell_ratings(r)
    for seed in (1, 2):
        b = ag.cell_ratings(r.sample(frac=1.0, random_state=seed))
        pd.testing.assert_frame_equal(a, b)
    # agreement computed from the table is row-order invariant too
    x = ag.krippendorff_alpha(a.reset_index(drop=True), level_of_measurement="interval")
    y = ag.krippendorff_alpha(ag.cell_ratings(r.iloc[::-1]).reset_index(drop=True), level_of_measurement="interval")
    assert x.value == y.value


def test_cell_ratings_bad_input():
    r = _ac_ratings()
    dup = pd.concat([r, r.iloc[[5]]])
    with pytest.raises(ValueError, match="more than once.*round"):
        ag.cell_ratings(dup)
    with pytest.raises(ValueError, match="'nilai'"):
        ag.cell_ratings(r, score="nilai")
    bad = r.copy()
    bad["score"] = bad["score"].astype(object)
    bad.loc[3, "score"] = "tinggi"
    with pytest.raises(ValueError, match="non-number 'tinggi'.*row 3"):
        ag.cell_ratings(bad)
    with pytest.raises(ValueError, match="min_ratings"):
        ag.cell_ratings(r, min_ratings=0)
    pd.testing.assert_frame_equal(r, _ac_ratings())  # input untouched


def test_sorted_codes_equal_pandas_factorize_sorted():
    rng = np.random.default_rng(2)
    cols = [pd.Series(rng.integers(-5, 40, 300)), pd.Series(rng.integers(0, 10**12, 50)),
            pd.Series(rng.choice(["b", "a", "c10", "c2"], 200)), pd.Series([3, 1, None, 2], dtype="Int64"),
            pd.Series(pd.Categorical(rng.choice(["x", "y"], 20), categories=["y", "x"])),
            pd.Series(["a", "b", None, "a", "c"]), pd.Series(["a", "b", "c", "a"]), pd.Series([7, 7, 7]),
            pd.Series(rng.choice(["r3", None, "r1", "r2"], 500), dtype="str")]
    for col in cols:
        codes, uniq = ag._sorted_codes(col)
        ref_codes, ref_uniq = pd.factorize(col, sort=True)
        np.testing.assert_array_equal(codes, ref_codes)
        assert list(uniq) == list(ref_uniq)


_CODES_SNIPPET = """
import json
import numpy as np
from psikometri import _codes_kernels as K
rng = np.random.default_rng(4)
out = {}
for case, v in enumerate([rng.integers(-50, 50, 400), rng.integers(10**9, 10**9 + 3, 30), np.array([5])]):
    v = np.ascontiguousarray(v, dtype=np.int64)
    lo, hi = (int(b) for b in K.int_bounds(v))
    codes = np.empty(len(v), dtype=np.int64)
    present = K.compact_int_codes(v, lo, hi - lo + 1, codes)
    out[f"int{case}"] = [lo, hi, codes.tolist(), (present + lo).tolist()]
tc = rng.integers(0, 30, 60); rc = rng.integers(0, 4, 60); y = rng.normal(size=60)
x = np.full(120, np.nan)
out["scatter"] = [int(K.scatter_table(tc, rc, y, 4, x)), np.where(np.isnan(x), None, x).tolist()]
print(json.dumps(out))
"""


def _naive_codes_results():
    rng = np.random.default_rng(4)
    out = {}
    for case, v in enumerate([rng.integers(-50, 50, 400), rng.integers(10**9, 10**9 + 3, 30), np.array([5])]):
        uniq, inv = np.unique(v, return_inverse=True)
        out[f"int{case}"] = [int(v.min()), int(v.max()), inv.tolist(), uniq.tolist()]
    tc = rng.integers(0, 30, 60)
    rc = rng.integers(0, 4, 60)
    y = rng.normal(size=60)
    key = tc * 4 + rc
    first_repeat = next(i for i in range(60) if key[i] in key[:i])
    x = np.full(120, np.nan)
    x[key[:first_repeat]] = y[:first_repeat]
    out["scatter"] = [first_repeat, np.where(np.isnan(x), None, x).tolist()]
    return out


@pytest.mark.parametrize("jit", [True, False])
def test_code_kernels_against_naive_numpy(jit):
    if jit:
        import json
        import subprocess
        import sys

        got = json.loads(subprocess.run([sys.executable, "-c", _CODES_SNIPPET], capture_output=True, text=True,
                                        check=True).stdout)
    else:
        got = run_without_jit(_CODES_SNIPPET)
    assert got == _naive_codes_results()


def test_long_to_wide_finds_the_first_repeated_cell():
    d = pd.DataFrame({"t": [1, 2, 1, 2, 1], "r": ["a", "a", "b", "b", "a"], "y": [1.0, 2, 3, 4, 5]},
                     index=[10, 11, 12, 13, 14])
    with pytest.raises(ValueError, match=r"target 1 by rater 'a' \(row 10\)"):
        ag.icc(d, targets="t", raters="r", ratings="y")
    with pytest.raises(ValueError, match=r"target 1 by rater 'a' \(row 10\)"):
        ag.fleiss_kappa(d.assign(y=list("xyzxw")), targets="t", raters="r", ratings="y")


def test_consensus_change_against_a_naive_computation():
    r = _ac_ratings(seed=6)
    pre = r.assign(round="sebelum konsensus")
    post = r.groupby(["candidate", "competency", "exercise"], as_index=False)["score"].mean()
    post["score"] = np.round(post["score"] + 0.3)
    post = post.assign(assessor="panel", round="konsensus")
    both = pd.concat([post, pre], ignore_index=True).sample(frac=1.0, random_state=2)
    out = ag.consensus_change(both)
    assert out.attrs == {"independent": "sebelum konsensus", "consensus": "konsensus"}
    keys = ["candidate", "competency", "exercise"]
    g = pre.groupby(keys)["score"].agg(["mean", "min", "max"]).join(post.set_index(keys)["score"])
    change = g["score"] - g["mean"]
    outside = (g["score"] < g["min"]) | (g["score"] > g["max"])
    row = out.loc["overall"]
    assert row["n_cells"] == len(g)
    assert row["mean_change"] == pytest.approx(change.mean(), rel=1e-12)
    assert row["mean_abs_change"] == pytest.approx(change.abs().mean(), rel=1e-12)
    assert row["share_outside_range"] == pytest.approx(outside.mean(), rel=1e-12)
    comp = g.reset_index()
    for c, t in comp.groupby("competency"):
        assert out.loc[c, "mean_consensus"] == pytest.approx(t["score"].mean(), rel=1e-12)
    with pytest.raises(ValueError, match="consensus="):
        ag.consensus_change(both, consensus="nope")
    three = pd.concat([both, pre.assign(round="ulang")])
    with pytest.raises(ValueError, match="consensus="):
        ag.consensus_change(three)
    bad = both.astype({"score": object}).reset_index(drop=True)
    bad.loc[4, "score"] = "tinggi"
    with pytest.raises(ValueError, match="non-number 'tinggi'.*row 4"):
        ag.consensus_change(bad)


def test_halo_is_judged_against_co_assessors_of_the_same_candidates():
    rng = np.random.default_rng(11)
    rows = []
    comps = ["c1", "c2", "c3", "c4"]
    general = rng.normal(0, 1.5, 60)  # candidates differ a lot: every assessor's competencies correlate
    for c in range(60):
        for a in ("A1", "A2", "A3"):
            own = rng.normal(0, 0.8)  # an impression of the candidate that A3 carries into every competency
            for k in comps:
                noise = rng.normal(0, 0.6)
                score = 3 + general[c] + (own + 0.05 * noise if a == "A3" else noise)
                rows.append((f"P{c}", k, "wawancara", a, score))
    d = pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "assessor", "score"])
    out = ag.assessor_diagnostics(d, halo_threshold=0.5)
    assert (out["halo"] > 0.5).all()  # an absolute rule would flag everyone
    assert list(out.index[out["halo_flag"]]) == ["A3"]
    # halo_co_assessors of A1: the halo of A2 and A3, each weighted by the 60 candidates shared
    assert out.loc["A1", "halo_co_assessors"] == pytest.approx((out.loc["A2", "halo"] + out.loc["A3", "halo"]) / 2,
                                                               rel=1e-12)


def _naive_cluster_boot(x, clusters, n_boot, seed, level, missing="raise"):
    """Resample clusters with the same counts, build each resampled table and call icc on it."""
    from psikometri._resampling import bootstrap_counts, percentile_interval

    labels = np.unique(clusters)
    counts = bootstrap_counts(len(labels), n_boot, seed)
    vals = []
    for b in range(n_boot):
        rows = np.concatenate([np.tile(np.flatnonzero(clusters == lab), int(w))
                               for lab, w in zip(labels, counts[b]) if w])
        vals.append(ag.icc(pd.DataFrame(x[rows]), missing=missing)["icc"].to_numpy())
    vals = np.array(vals)
    return np.array([percentile_interval(vals[:, j], level) for j in range(6)])


def test_icc_cluster_bootstrap_equals_resampling_the_table():
    rng = np.random.default_rng(3)
    n_cand, per = 25, 4
    cand = np.repeat(np.arange(n_cand), per)
    x = (rng.normal(0, 1, n_cand)[cand][:, None] + rng.normal(0, 0.7, (n_cand * per, 1))
         + rng.normal(0, 0.6, (n_cand * per, 3)) + np.array([0.0, 0.3, -0.2]))
    out = ag.icc(pd.DataFrame(x), clusters=cand, n_boot=60, seed=8, level=0.9)
    ref = _naive_cluster_boot(x, cand, 60, 8, 0.9)
    assert_allclose(out[["boot_ci_low", "boot_ci_high"]].to_numpy(), ref, rtol=0, atol=1e-12)
    assert out.attrs["n_clusters"] == n_cand and out.attrs["n_boot_used"] == 60
    # the point estimates and F intervals do not change; cells clustered in candidates widen the interval
    plain = ag.icc(pd.DataFrame(x), level=0.9)
    pd.testing.assert_frame_equal(plain, out[plain.columns], check_exact=True)
    naive_targets = ag.icc(pd.DataFrame(x), n_boot=60, seed=8, level=0.9)  # every target its own cluster
    w_cl = out.loc["ICC1", "boot_ci_high"] - out.loc["ICC1", "boot_ci_low"]
    w_t = naive_targets.loc["ICC1", "boot_ci_high"] - naive_targets.loc["ICC1", "boot_ci_low"]
    assert w_cl > w_t


def test_icc_cluster_bootstrap_with_missing_ratings_refits_reml():
    rng = np.random.default_rng(4)
    n_cand, per = 15, 3
    cand = np.repeat(np.arange(n_cand), per)
    x = rng.normal(0, 1, n_cand)[cand][:, None] + rng.normal(0, 0.6, (n_cand * per, 3))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[np.isnan(x).sum(axis=1) == 3, 0] = 0.5
    out = ag.icc(pd.DataFrame(x), missing="reml", clusters=cand, n_boot=15, seed=2)
    ref = _naive_cluster_boot(x, cand, 15, 2, 0.95, missing="reml")
    assert_allclose(out[["boot_ci_low", "boot_ci_high"]].to_numpy(), ref, rtol=1e-9, atol=1e-9)


def test_icc_cluster_bootstrap_long_format_and_errors():
    rng = np.random.default_rng(5)
    wide = pd.DataFrame(rng.normal(size=(40, 2)) + rng.normal(size=(40, 1)), columns=["a", "b"])
    wide["cand"] = np.repeat(np.arange(10), 4)
    long = wide.reset_index().melt(id_vars=["index", "cand"], value_vars=["a", "b"], var_name="rater",
                                   value_name="y").sample(frac=1.0, random_state=1)
    a = ag.icc(long, targets="index", raters="rater", ratings="y", clusters="cand", n_boot=30, seed=1)
    b = ag.icc(wide[["a", "b"]], clusters=wide["cand"], n_boot=30, seed=1)
    assert_allclose(a[["boot_ci_low", "boot_ci_high"]].to_numpy(), b[["boot_ci_low", "boot_ci_high"]].to_numpy(),
                    atol=1e-12)
    with pytest.raises(ValueError, match="n_boot must be 0"):
        ag.icc(wide[["a", "b"]], n_boot=-1)
    with pytest.raises(ValueError, match="clusters is only used by the bootstrap"):
        ag.icc(wide[["a", "b"]], clusters=wide["cand"])
    with pytest.raises(ValueError, match="one value per row of data \\(40 rows\\); got 3"):
        ag.icc(wide[["a", "b"]], clusters=[1, 2, 3], n_boot=5)
    with pytest.raises(ValueError, match="names a column, which needs long-format data"):
        ag.icc(wide[["a", "b"]], clusters="cand", n_boot=5)
    bad = long.copy()
    bad.loc[bad.index[0], "cand"] = 99
    with pytest.raises(ValueError, match="lies in more than one cluster of 'cand'"):
        ag.icc(bad, targets="index", raters="rater", ratings="y", clusters="cand", n_boot=5)
    with pytest.raises(ValueError, match=r"clusters is missing for row 0 \(position\)"):
        ag.icc(wide[["a", "b"]], clusters=[np.nan] + [1] * 39, n_boot=5)
    # a repeated index and an empty row do not matter: clusters are positional, empty rows dropped with theirs
    dupidx = wide[["a", "b"]].set_axis([0] * 40)
    dupidx.iloc[3] = np.nan
    c = ag.icc(dupidx, clusters=wide["cand"].to_numpy(), n_boot=30, seed=1)
    keep = np.ones(40, bool)
    keep[3] = False
    icc_ref = ag.icc(wide[["a", "b"]][keep], clusters=wide["cand"].to_numpy()[keep], n_boot=30, seed=1)
    assert_allclose(c[["boot_ci_low", "boot_ci_high"]].to_numpy(), icc_ref[["boot_ci_low", "boot_ci_high"]].to_numpy(),
                    atol=1e-12)
    # cluster values per long row work as a column name does
    d = ag.icc(long, targets="index", raters="rater", ratings="y", clusters=long["cand"].to_numpy(), n_boot=30, seed=1)
    assert_allclose(d[["boot_ci_low", "boot_ci_high"]].to_numpy(), a[["boot_ci_low", "boot_ci_high"]].to_numpy(),
                    atol=1e-12)


def test_long_format_input_equals_wide_for_every_multi_rater_coefficient():
    rng = np.random.default_rng(12)
    wide = pd.DataFrame(rng.integers(1, 6, (60, 4)).astype(float), columns=["r1", "r2", "r3", "r4"])
    wide.iloc[rng.random(wide.shape) < 0.15] = np.nan
    long = (wide.rename_axis("unit").reset_index().melt(id_vars="unit", var_name="rater", value_name="y")
            .dropna().sample(frac=1.0, random_state=3))
    kw = dict(targets="unit", raters="rater", ratings="y")
    for fn, extra in ((ag.gwet_ac, {"weights": "quadratic"}), (ag.gwet_ac, {}), (ag.brennan_prediger, {}),
                      (ag.percent_agreement, {}), (ag.fleiss_kappa, {})):
        a, b = fn(wide, **extra), fn(long, **kw, **extra)
        assert (a.value, a.se, a.ci_low, a.ci_high) == pytest.approx((b.value, b.se, b.ci_low, b.ci_high),
                                                                     abs=1e-12), fn.__name__
    for lvl in ("nominal", "ordinal", "interval", "ratio"):
        a = ag.krippendorff_alpha(wide, level_of_measurement=lvl, n_boot=50, seed=1)
        b = ag.krippendorff_alpha(long, level_of_measurement=lvl, n_boot=50, seed=1, **kw)
        assert (a.value, a.ci_low, a.ci_high) == pytest.approx((b.value, b.ci_low, b.ci_high), abs=1e-12), lvl
    # text labels stay labels
    lab = long.assign(y=long["y"].map({1.0: "a", 2.0: "b", 3.0: "c", 4.0: "d", 5.0: "e"}))
    assert ag.gwet_ac(lab, **kw).value == pytest.approx(ag.gwet_ac(wide).value, abs=1e-12)
    assert ag.krippendorff_alpha(lab, level_of_measurement="nominal", **kw).value == pytest.approx(
        ag.krippendorff_alpha(wide, level_of_measurement="nominal").value, abs=1e-12)
    dup = pd.concat([long, long.iloc[[5]]])
    with pytest.raises(ValueError, match="more than one rating for target"):
        ag.gwet_ac(dup, **kw)
    with pytest.raises(ValueError, match="pass all three of targets=, raters= and ratings="):
        ag.krippendorff_alpha(long, targets="unit")
    with pytest.raises(ValueError, match="cannot be combined with counts=True"):
        ag.fleiss_kappa(long, counts=True, **kw)
    with pytest.raises(ValueError, match=r"data has no column\(s\) \['rater'\]"):
        ag.gwet_ac(long.drop(columns="rater"), **kw)
    gap = long.copy()
    gap.loc[gap.index[2], "rater"] = None
    with pytest.raises(ValueError, match="column 'rater' is missing at row"):
        ag.fleiss_kappa(gap, **kw)


def test_icc_clusters_align_by_index_and_too_few_clusters_give_no_interval():
    rng = np.random.default_rng(2)
    W = pd.DataFrame(rng.normal(size=(20, 3)) + np.repeat(rng.normal(size=10), 2)[:, None] * 2,
                     index=[f"t{i:02d}" for i in range(20)])
    cl = pd.Series(np.repeat(np.arange(10), 2), index=W.index)
    a = ag.icc(W, clusters=cl, n_boot=100, seed=1)
    b = ag.icc(W, clusters=cl.sample(frac=1.0, random_state=1), n_boot=100, seed=1)  # same mapping, other order
    assert_allclose(a[["boot_ci_low", "boot_ci_high"]].to_numpy(), b[["boot_ci_low", "boot_ci_high"]].to_numpy())
    with pytest.raises(ValueError, match="index does not match the rows of data"):
        ag.icc(W, clusters=cl.set_axis(range(20)), n_boot=10)
    one = ag.icc(W, clusters=np.zeros(20), n_boot=50, seed=1)
    assert one["boot_ci_low"].isna().all() and "needs at least 5" in one.attrs["note"]
    # resamples of a single distinct target are dropped, not scored at the -1/(k-1) floor
    x3 = np.ascontiguousarray(W.iloc[:3].to_numpy())
    for method in ("anova", "reml"):
        lo, hi, used, _ = ag._icc_cluster_bootstrap(x3, np.arange(3), 100, 3, 0.95, method)
        assert used < 100 and lo[0] > -0.5 + 1e-9, method
    for bad, err in ((np.zeros((20, 1)), ValueError), ({1: 2}, TypeError), (W.iloc[:, :2], ValueError)):
        with pytest.raises(err, match="clusters"):
            ag.icc(W, clusters=bad, n_boot=10)
    for bad in (1, 10**12):
        with pytest.raises(ValueError, match="n_boot must be 0"):
            ag.icc(W, n_boot=bad)


def test_categorical_ratings_keep_their_order_and_unused_levels():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.choice(["lo", "mid", "hi"], size=(30, 3)), columns=list("abc"))
    cat = pd.CategoricalDtype(["lo", "mid", "hi"], ordered=True)
    want = ag.gwet_ac(X, weights="quadratic", categories=["lo", "mid", "hi"]).value
    assert ag.gwet_ac(X.astype(cat), weights="quadratic").value == pytest.approx(want, abs=1e-12)
    L = X.rename_axis("u").reset_index().melt(id_vars="u", var_name="r", value_name="y")
    L["y"] = L["y"].astype(cat)
    assert ag.gwet_ac(L, targets="u", raters="r", ratings="y", weights="quadratic").value == pytest.approx(
        want, abs=1e-12)
    ext = pd.CategoricalDtype(["lo", "mid", "hi", "extra"], ordered=True)  # an unused level still counts in q
    assert ag.brennan_prediger(X.astype(ext)).value == pytest.approx(
        ag.brennan_prediger(X, categories=["lo", "mid", "hi", "extra"]).value, abs=1e-12)


def test_long_format_edge_ids_and_option_errors():
    u = np.array([2**63 + 1] * 2 + [2**63 + 2] * 2 + [2**63 + 3] * 2, dtype=np.uint64)
    d = pd.DataFrame({"u": u, "r": [0, 1] * 3, "y": [1.0, 2, 2, 2, 3, 3]})
    w = pd.DataFrame({"r0": [1.0, 2, 3], "r1": [2.0, 2, 3]})
    assert ag.krippendorff_alpha(d, targets="u", raters="r", ratings="y").value == pytest.approx(
        ag.krippendorff_alpha(w).value, abs=1e-12)
    with pytest.raises(ValueError, match="level_of_measurement must be one of"):
        ag.krippendorff_alpha(d, targets="u", raters="r", ratings="y", level_of_measurement="Nominal")


# ----------------------------------------------------------------------------- kernels and helpers made faster


def _alias_inputs(delta, weight):
    prob, alias = K.alias_table(np.asarray(weight, dtype=float))
    return np.ascontiguousarray(delta, dtype=float), prob, alias


def test_kalpha_bootstrap_kernels_match_draw_by_draw_replay():
    # squared differences of ratings in half points (multiples of 1/4): the integer kernel applies, and must give
    # the float kernel's and the Python replay's numbers bit for bit
    delta, prob, alias = _alias_inputs([0.0, 0.25, 1.0, 2.25, 4.0, 16.0], [40.0, 25.0, 18.0, 9.0, 5.0, 0.5])
    n_draw, d_e, seed = 97, 1.37, 2024
    scaled = ag._dyadic_integers(delta, n_draw)
    assert scaled is not None and scaled[1] == 0.25
    assert scaled[0].tolist() == [0, 1, 4, 9, 16, 64]
    ref = naive.kalpha_bootstrap(delta, prob, alias, n_draw, d_e, seed, 30)
    fl = K.kalpha_bootstrap(delta, prob, alias, n_draw, d_e, np.uint64(seed), 30)
    it = K.kalpha_bootstrap_scaled(scaled[0], scaled[1], prob, alias, n_draw, d_e, np.uint64(seed), 30)
    assert np.array_equal(fl, ref) and np.array_equal(it, ref)
    # differences that are no dyadic fractions (weights such as 1/3) use the float kernel: the same replay
    third, prob3, alias3 = _alias_inputs([0.0, 1.0 / 3.0, 0.1, 1.0], [3.0, 2.0, 1.0, 1.0])
    assert ag._dyadic_integers(third, n_draw) is None
    assert np.array_equal(K.kalpha_bootstrap(third, prob3, alias3, n_draw, d_e, np.uint64(5), 20),
                          naive.kalpha_bootstrap(third, prob3, alias3, n_draw, d_e, 5, 20))


def test_dyadic_integers_refuses_sums_beyond_exact_integers():
    assert ag._dyadic_integers(np.array([0.0, 2.0**40]), 2**12)[0].tolist() == [0, 2**40]
    assert ag._dyadic_integers(np.array([0.0, 2.0**40]), 2**13) is None  # 2**53 reached: rounding possible
    assert ag._dyadic_integers(np.array([1.0, np.inf]), 10) is None
    assert ag._dyadic_integers(np.array([2.0**-70]), 10) is None  # finer than 2**-63
    ints, scale = ag._dyadic_integers(np.array([-0.5, 0.75]), 10)
    assert ints.tolist() == [-2, 3] and scale == 0.25


def test_f_distribution_helpers_equal_scipy_everywhere():
    from scipy import stats

    xs = [np.nan, -np.inf, -1.0, -0.0, 0.0, 1e-300, 0.3, 1.0, 2.5, 17.0, 1e6, np.inf]
    dfs = [np.nan, -1, 0, 0.5, 1, 2, 7, 39, 119.0, 1e5, np.inf]
    qs = [np.nan, -0.1, 0.0, 1e-12, 0.025, 0.5, 0.975, 1.0 - 1e-15, 1.0, 1.2]
    with np.errstate(all="ignore"):
        for d1 in dfs:
            for d2 in dfs:
                for x in xs:
                    want = stats.f.sf(x, d1, d2)
                    got = ag._f_sf(x, d1, d2)
                    assert type(got) is type(want) and np.array_equal(got, want, equal_nan=True), (x, d1, d2)
                for q in qs:
                    want = stats.f.ppf(q, d1, d2)
                    got = ag._f_ppf(q, d1, d2)
                    assert type(got) is type(want) and np.array_equal(got, want, equal_nan=True), (q, d1, d2)


def test_cluster_counts_are_the_bootstrap_counts_kept_read_only():
    from psikometri._resampling import bootstrap_counts

    a = ag._cluster_counts(9, 40, 17)
    assert a.dtype == np.float64 and not a.flags.writeable
    assert np.array_equal(a, bootstrap_counts(9, 40, 17))
    assert ag._cluster_counts(9, 40, 17) is a  # the same arguments: the kept table
    b = ag._cluster_counts(9, 40, 18)
    assert np.array_equal(b, bootstrap_counts(9, 40, 18)) and not np.array_equal(a, b)


def _panel_ratings(seed):
    """Unequal panels: 1 to 3 assessors a cell, some cells rated once, competencies rated together."""
    d = _simulated_ac(seed).rename(columns={"nip": "candidate", "kompetensi": "competency",
                                            "alat_ukur": "exercise", "asesor": "assessor", "nilai": "score"})
    d = d.loc[d["candidate"].isin([f"c{i}" for i in range(12)])]
    d = d.sample(frac=0.45, random_state=seed).reset_index(drop=True)
    d["score"] = np.round(d["score"] * 2) / 2  # half points, so that some co-rated scores are equal
    return d


def test_assessor_diagnostics_spread_exact_and_co_assessor_halo_match_loops():
    for seed in (3, 4):
        d = _panel_ratings(seed)
        out = ag.assessor_diagnostics(d)
        assert out["n_ratings"].to_dict() == d["assessor"].value_counts().to_dict()
        for a in out.index:
            own_sd, other_sd, exact = naive.assessor_pairs(d, a)
            ratio = own_sd / other_sd if other_sd > 0 else math.nan
            assert out.loc[a, "spread"] == pytest.approx(d.loc[d["assessor"] == a, "score"].std(ddof=1), abs=1e-12)
            assert out.loc[a, "spread_ratio"] == pytest.approx(ratio, abs=1e-12, nan_ok=True)
            assert out.loc[a, "exact_agreement"] == pytest.approx(exact, abs=1e-12, nan_ok=True)
            assert out.loc[a, "halo_co_assessors"] == pytest.approx(naive.halo_co_assessors(d, a), abs=1e-12,
                                                                    nan_ok=True)
        assert out["halo_co_assessors"].notna().sum() >= 3  # the loops above compared numbers, not only NaNs


def test_assessor_diagnostics_index_and_dtypes_follow_the_assessor_column():
    d = _panel_ratings(5)
    base = ag.assessor_diagnostics(d)
    dtypes = {"n_ratings": "int64", "n_shared": "int64", "severity": "str", "central_tendency": "bool",
              "halo_flag": "bool", "low_agreement": "bool", "flagged": "bool", "flag_summary": "str"}
    assert {c: str(base[c].dtype) for c in dtypes} == dtypes
    codes = {a: i * 3 + 1 for i, a in enumerate(sorted(d["assessor"].unique()))}
    for col in (d["assessor"].astype("category"), d["assessor"].astype(object), d["assessor"].map(codes),
                d["assessor"].map(codes).astype(object), d["assessor"].map(codes).astype(float).astype(object)):
        out = ag.assessor_diagnostics(d.assign(assessor=col))
        # the index is that of a groupby on the column, in the sorted order of the ids
        pd.testing.assert_index_equal(out.index, col.groupby(col).size().index.rename("assessor"), exact=True)
        assert_allclose(out["leniency"].to_numpy(), base["leniency"].to_numpy(), atol=1e-12)
    shuffled = ag.assessor_diagnostics(d.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(shuffled, base, check_exact=False, rtol=1e-12, atol=1e-12)


def test_assessor_diagnostics_more_bad_input():
    d = _panel_ratings(6)
    bad = d.copy()
    bad.loc[7, "exercise"] = None
    with pytest.raises(ValueError, match="'exercise' is empty at row 7"):
        ag.assessor_diagnostics(bad)
    with pytest.raises(ValueError, match="holds no score"):
        ag.assessor_diagnostics(d.assign(score=np.nan))
    with pytest.raises(ValueError, match="infinite"):
        ag.assessor_diagnostics(d.assign(score=d["score"].where(d.index != 3, np.inf)))
    dup = pd.concat([d, d.iloc[[5]].assign(score=np.nan), d.iloc[[5]]], ignore_index=True)
    r = d.iloc[5]
    with pytest.raises(ValueError, match=f"assessor '{r['assessor']}' for candidate '{r['candidate']}'"):
        ag.assessor_diagnostics(dup)
    ag.assessor_diagnostics(pd.concat([d, d.iloc[[5]].assign(score=np.nan)]))  # an unscored repeat is no repeat
    before = d.copy()
    ag.assessor_diagnostics(d)
    pd.testing.assert_frame_equal(d, before)


def test_report_level_codes_order_cells_as_their_labels():
    from psikometri._codes import sorted_codes
    from psikometri.report.sections import _level_codes

    idx = pd.MultiIndex(levels=[["c3", "c1", "c2"], ["x", "y"]], codes=[[0, 1, 2, 1, 0], [0, 1, 0, 0, 1]],
                        names=["candidate", "exercise"])  # levels not in sorted order
    assert _level_codes(idx, "candidate").tolist() == sorted_codes(pd.Series(idx.get_level_values(0)))[0].tolist()
    with_nan = pd.MultiIndex.from_arrays([["c1", None, "c2"], ["x", "y", "x"]], names=["candidate", "exercise"])
    assert _level_codes(with_nan, "candidate").equals(with_nan.get_level_values("candidate"))
