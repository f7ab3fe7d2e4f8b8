"""Tests of psikometri.reassessment.

Reference values come from R (tests/fixtures/reassessment/make_reference.R -> reference.csv; the R call
producing each value is beside it there and in the comments below), from formulas computed by hand, or
from the plain Monte-Carlo simulation in tests/naive_reassessment.py.  No test needs R.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import psikometri as pk
from psikometri import reassessment as rs
from psikometri.talent import JPM_SCHEMES

from ._nojit import run_without_jit
from .naive_reassessment import decision_consistency_sim, expected_by_error_sim, rect_prob_scipy

FIX = Path(__file__).parent / "fixtures" / "reassessment"
REF = pd.read_csv(FIX / "reference.csv").set_index("quantity")["value"]


def ref(name: str) -> float:
    return float(REF[name])


@pytest.fixture(scope="module")
def pairs():
    d = pd.read_csv(FIX / "pairs.csv").set_index("person")
    return d["t1"], d["t2"]


@pytest.fixture(scope="module")
def das():
    d = pd.read_csv(FIX / "das_jt1991.csv").set_index("couple")
    return d["pre"].astype(float), d["post"].astype(float)


# ---------------------------------------------------------------------------------------------------------------
# test_retest
# ---------------------------------------------------------------------------------------------------------------


def test_test_retest_matches_r(pairs):
    t1, t2 = pairs
    res = rs.test_retest(t1, t2)
    assert res.index.tolist() == ["ICC(A,1)", "ICC(C,1)", "pearson_r", "disattenuated_r", "mean_change", "d_z"]
    assert res.columns.tolist() == ["value", "ci_low", "ci_high", "n"]
    # psych::ICC(cbind(t1, t2), lmer = FALSE)$results: ICC2 = ICC(A,1), ICC3 = ICC(C,1),
    # columns "ICC", "lower bound", "upper bound"
    for row, key in (("ICC(A,1)", "ICC2"), ("ICC(C,1)", "ICC3")):
        np.testing.assert_allclose(res.loc[row, ["value", "ci_low", "ci_high"]].to_numpy(float),
                                   [ref(f"{key}_value"), ref(f"{key}_lower"), ref(f"{key}_upper")], rtol=1e-10)
    # cor.test(t1, t2): estimate and Fisher-z conf.int
    np.testing.assert_allclose(res.loc["pearson_r", ["value", "ci_low", "ci_high"]].to_numpy(float),
                               [ref("r_value"), ref("r_lower"), ref("r_upper")], rtol=1e-10)
    # t.test(t2, t1, paired = TRUE): estimate and conf.int
    np.testing.assert_allclose(res.loc["mean_change", ["value", "ci_low", "ci_high"]].to_numpy(float),
                               [ref("mean_change_value"), ref("mean_change_lower"), ref("mean_change_upper")],
                               rtol=1e-10)
    # d_z = mean(d) / sd(d); interval: uniroot(pt(t, n - 1, ncp) = .975 / .025) / sqrt(n)
    np.testing.assert_allclose(res.loc["d_z", ["value", "ci_low", "ci_high"]].to_numpy(float),
                               [ref("d_z_value"), ref("d_z_lower"), ref("d_z_upper")], rtol=1e-6)
    assert (res["n"] == 40).all()
    assert math.isnan(res.loc["disattenuated_r", "value"])
    assert "reliability" in res.attrs["notes"]["disattenuated_r"]


def test_test_retest_level_matches_r(pairs):
    res = rs.test_retest(*pairs, level=0.90)
    # psych::ICC(cbind(t1, t2), lmer = FALSE, alpha = 0.10): ICC2 lower and upper bound
    np.testing.assert_allclose(res.loc["ICC(A,1)", ["ci_low", "ci_high"]].to_numpy(float),
                               [ref("ICC2_lower_90"), ref("ICC2_upper_90")], rtol=1e-10)


def test_test_retest_aligns_by_person_not_position(pairs):
    t1, t2 = pairs
    base = rs.test_retest(t1, t2)
    # shuffle t2, add persons present in one occasion only and a common person with a missing score
    extra1 = pd.concat([t1, pd.Series([9.9, 1.0], index=["ONLY1a", "MISS"])])
    extra2 = pd.concat([t2.sample(frac=1.0, random_state=3), pd.Series([0.1, 2.0, np.nan],
                                                                        index=["ONLY2a", "ONLY2b", "MISS"])])
    before = (extra1.copy(), extra2.copy())
    res = rs.test_retest(extra1, extra2)
    pd.testing.assert_frame_equal(res, base)
    assert res.attrs["n_only_t1"] == 1 and res.attrs["n_only_t2"] == 2 and res.attrs["n_missing"] == 1
    pd.testing.assert_series_equal(extra1, before[0])
    pd.testing.assert_series_equal(extra2, before[1])


def test_test_retest_disattenuated(pairs):
    res = rs.test_retest(*pairs, reliability_t1=0.8, reliability_t2=0.9)
    f = math.sqrt(0.8 * 0.9)
    np.testing.assert_allclose(res.loc["disattenuated_r", ["value", "ci_low", "ci_high"]].to_numpy(float),
                               [ref("r_value") / f, ref("r_lower") / f, ref("r_upper") / f], rtol=1e-10)
    low = rs.test_retest(*pairs, reliability_t1=0.5, reliability_t2=0.5)
    assert low.loc["disattenuated_r", "value"] > 1 and "exceeds 1" in low.attrs["notes"]["disattenuated_r"]


def test_test_retest_three_pairs_gives_nan_fisher_interval():
    t1 = pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"])
    t2 = pd.Series([1.5, 2.0, 3.0], index=["a", "b", "c"])
    res = rs.test_retest(t1, t2)
    assert np.isfinite(res.loc["pearson_r", "value"]) and math.isnan(res.loc["pearson_r", "ci_low"])
    assert "4 pairs" in res.attrs["notes"]["pearson_r"]


@pytest.mark.parametrize(
    ("t1", "t2", "kw", "exc", "match"),
    [
        (pd.Series([1.0, 2, 3], index=list("aab")), pd.Series([1.0, 2, 3], index=list("abc")), {}, ValueError,
         "duplicated index label 'a'"),
        (pd.Series([1.0, 2, 3], index=list("abc")), pd.Series([1.0, 2, 3], index=list("xyz")), {}, ValueError,
         "share no person"),
        (pd.Series([1.0, 2, 3], index=list("abc")), pd.Series([1.0, 2, np.nan], index=list("abc")), {}, ValueError,
         "at least 3 persons"),
        (pd.Series([1.0, 2, 3], index=list("abc")), pd.Series([1.0, 2, 3], index=list("abc")),
         {"reliability_t1": 1.2}, ValueError, r"reliability_t1 must be a number in \(0, 1\]; got reliability_t1=1.2"),
        (pd.Series([1.0, 2, 3], index=list("abc")), pd.Series([1.0, 2, 3], index=list("abc")),
         {"reliability_t2": 0.0}, ValueError, "reliability_t2"),
        (pd.Series([1.0, 2, 3], index=list("abc")), pd.Series([1.0, 2, 3], index=list("abc")),
         {"reliability_t2": "0.8"}, TypeError, "reliability_t2"),
        ([1.0, 2, 3], pd.Series([1.0, 2, 3], index=list("abc")), {}, TypeError, "t1 must be a pandas Series"),
        (pd.Series([1.0, 2, 3], index=list("abc")), pd.Series([1.0, "x", 3], index=list("abc")), {}, TypeError,
         "person 'b' has 'x'"),
        (pd.Series([1.0, 2, 3], index=list("abc")), pd.Series([1.0, 2, 3], index=list("abc")), {"level": 95},
         ValueError, "level"),
    ],
)
def test_test_retest_errors(t1, t2, kw, exc, match):
    with pytest.raises(exc, match=match):
        rs.test_retest(t1, t2, **kw)


# ---------------------------------------------------------------------------------------------------------------
# reliable change
# ---------------------------------------------------------------------------------------------------------------


def test_reliable_change_jacobson_truax_on_their_table_2(das):
    pre, post = das
    rc = rs.reliable_change(pre, post, reliability=0.84)
    # sd(pre) * sqrt(1 - .84); sqrt(2 * sem^2); qnorm(.975) * sdiff
    assert rc.attrs["sem"] == pytest.approx(ref("jt_sem"), rel=1e-12)
    assert rc.attrs["se_diff"] == pytest.approx(ref("jt_sdiff"), rel=1e-12)
    assert rc.attrs["mdc"] == pytest.approx(ref("jt_mdc"), rel=1e-12)
    # (post - pre) / sdiff for each of the 30 couples
    want = np.array([ref(f"jt_rci_{i}") for i in range(1, 31)])
    np.testing.assert_allclose(rc["rci"].to_numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(rc["change"].to_numpy(), (post - pre).to_numpy())
    # sum(rci >= qnorm(.975)), sum(rci <= -qnorm(.975))
    assert rc.attrs["counts"]["improved"] == int(ref("jt_n_improved"))
    assert rc.attrs["counts"]["declined"] == int(ref("jt_n_declined"))
    assert sum(rc.attrs["counts"].values()) == 30
    assert (rc["classification"] == "improved").sum() == int(ref("jt_n_improved"))
    assert list(rc["classification"].cat.categories) == ["declined", "no_reliable_change", "improved"]
    assert rc.columns.tolist() == ["change", "se_diff", "rci", "classification"]


def test_reliable_change_chelune_and_maassen(das):
    pre, post = das
    ch = rs.reliable_change(pre, post, reliability=0.84, method="chelune")
    assert ch.attrs["se_diff"] == pytest.approx(ref("jt_sdiff"), rel=1e-12)
    assert ch.attrs["practice_effect"] == pytest.approx(float((post - pre).mean()))
    for i in (1, 2, 28):  # (change - mean(change)) / sdiff
        assert ch.loc[i, "rci"] == pytest.approx(ref(f"chelune_rci_{i}"), rel=1e-12)
    assert ch.attrs["counts"]["improved"] == int(ref("chelune_n_improved"))
    assert ch.attrs["counts"]["declined"] == int(ref("chelune_n_declined"))
    ma = rs.reliable_change(pre, post, reliability=0.84, method="maassen")
    # sqrt((sd(pre)^2 + sd(post)^2) * (1 - .84))
    assert ma.attrs["se_diff"] == pytest.approx(ref("maassen_sdiff"), rel=1e-12)
    for i in (1, 2, 28):
        assert ma.loc[i, "rci"] == pytest.approx(ref(f"maassen_rci_{i}"), rel=1e-12)
    # Maassen with one reliability per occasion: sqrt((1 - .8) sd(pre)^2 + (1 - .9) sd(post)^2)
    ma2 = rs.reliable_change(pre, post, reliability=(0.8, 0.9), method="maassen")
    assert ma2.attrs["se_diff"] == pytest.approx(ref("maassen_sdiff_r80_r90"), rel=1e-12)
    assert ma2.attrs["sem"][0] == pytest.approx(ref("jt_sd_pre") * math.sqrt(0.2))


def test_reliable_change_given_sd_and_mdc(das):
    pre, post = das
    rc = rs.reliable_change(pre, post, reliability=0.84, sd=7.5)
    assert rc.attrs["se_diff"] == pytest.approx(ref("jt_sdiff_norm_sd_7.5"), rel=1e-12)
    assert rc.attrs["mdc"] == pytest.approx(rs.minimal_detectable_change(7.5, 0.84))
    # 1.96 sqrt(2) SEM at 95% (qnorm(.975) = 1.959964)
    assert rs.minimal_detectable_change(7.5, 0.84) == pytest.approx(1.959963984540054 * math.sqrt(2) * 7.5 * 0.4)
    assert rs.minimal_detectable_change(10, 0.9, level=0.90) == pytest.approx(
        stats.norm.ppf(0.95) * math.sqrt(2) * 10 * math.sqrt(0.1))
    # a single person can be classified against a norm-group SD
    one = rs.reliable_change(pd.Series([50.0], index=["x"]), pd.Series([60.0], index=["x"]), reliability=0.9, sd=10)
    assert one["classification"].tolist() == ["improved"]


def test_reliable_change_boundary_and_alignment():
    # se_diff = sqrt(2) * 10 * sqrt(.1) = 4.4721; z * se_diff = 8.765: a change of 9 is reliable, 8.7 is not
    t1 = pd.Series([50.0, 50.0, 50.0, 50.0, 50.0, 40.0], index=list("abcdef"))
    t2 = pd.Series([59.0, 58.7, 41.0, 41.3, np.nan, 99.0], index=list("abcdeg"))
    rc = rs.reliable_change(t1, t2, reliability=0.9, sd=10)
    assert rc.index.tolist() == ["a", "b", "c", "d"]
    assert rc["classification"].tolist() == ["improved", "no_reliable_change", "declined", "no_reliable_change"]
    assert rc.attrs["n_missing"] == 1 and rc.attrs["n_only_t1"] == 1 and rc.attrs["n_only_t2"] == 1


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        ({"reliability": 0.8, "method": "temkin"}, ValueError, "method must be one of"),
        ({"reliability": (0.8, 0.9)}, ValueError, "only with method='maassen'"),
        ({"reliability": 1.5}, ValueError, "reliability must be a number in"),
        ({"reliability": 0.8, "sd": -2}, ValueError, "sd must be a positive"),
        ({"reliability": 0.8, "sd": (5, 6), "method": "chelune"}, ValueError, "only with method='maassen'"),
    ],
)
def test_reliable_change_errors(kw, exc, match):
    t = pd.Series([1.0, 2.0, 3.0], index=list("abc"))
    with pytest.raises(exc, match=match):
        rs.reliable_change(t, t + 1, **kw)


def test_reliable_change_constant_scores_need_sd():
    t = pd.Series([3.0, 3.0, 3.0], index=list("abc"))
    with pytest.raises(ValueError, match="pass sd="):
        rs.reliable_change(t, t + pd.Series([1.0, 0, 2], index=list("abc")), reliability=0.8)


# ---------------------------------------------------------------------------------------------------------------
# transitions
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trans():
    d = pd.read_csv(FIX / "transitions.csv").set_index("person")
    return d


def test_transition_table_matches_r(trans):
    labs = list(JPM_SCHEMES["mapping"]["labels"])
    tr = rs.transition_table(trans["c1"], trans["c2"].sample(frac=1.0, random_state=1), categories=labs)
    assert tr.table.index.tolist() == labs and tr.table.columns.tolist() == labs
    assert tr.table.loc["Kurang Optimal", "Cukup Optimal"] == 14 and int(tr.table.to_numpy().sum()) == 90
    # mcnemar.test(table(c1, c2)): statistic, parameter, p.value
    assert tr.bowker.statistic == pytest.approx(ref("bowker3_stat"), rel=1e-12)
    assert tr.bowker.df == int(ref("bowker3_df"))
    assert tr.bowker.p == pytest.approx(ref("bowker3_p"), rel=1e-10)
    # coin::mh_test(table(c1, c2)) and the formula by hand
    assert tr.stuart_maxwell.statistic == pytest.approx(ref("sm3_stat"), rel=1e-10)
    assert tr.stuart_maxwell.statistic == pytest.approx(ref("sm3_stat_formula"), rel=1e-10)
    assert tr.stuart_maxwell.df == 2
    assert tr.stuart_maxwell.p == pytest.approx(ref("sm3_p"), rel=1e-8)
    # psych::cohen.kappa(cbind(c1, c2)): kappa, weighted.kappa (quadratic), confid of the unweighted kappa
    assert tr.kappa.value == pytest.approx(ref("kappa3_value"), rel=1e-10)
    assert tr.weighted_kappa.value == pytest.approx(ref("wkappa3_value"), rel=1e-10)
    assert (tr.kappa.ci_low, tr.kappa.ci_high) == pytest.approx((ref("kappa3_lower"), ref("kappa3_upper")), rel=1e-8)
    text = tr.summary()
    assert "Bowker" in text and "Stuart-Maxwell" in text and "Optimal" in text
    assert "<table" in tr._repr_html_() and "Stuart-Maxwell" in tr._repr_html_()
    assert "bowker_symmetry" in tr.bowker.summary() and "<table" in tr.stuart_maxwell._repr_html_()


def test_transition_table_empty_pairs_and_four_levels():
    d = pd.read_csv(FIX / "transitions4.csv").set_index("person")
    tr = rs.transition_table(d["c1"], d["c2"])
    assert tr.categories == (1, 2, 3, 4)
    # R: is.nan(mcnemar.test(table4)$statistic) is TRUE (empty pairs); the statistic over the non-empty pairs
    assert ref("bowker4_mcnemar_is_nan") == 1
    assert tr.bowker.statistic == pytest.approx(ref("bowker4_stat_nonempty"), rel=1e-12)
    assert tr.bowker.df == int(ref("bowker4_df_nonempty"))
    assert "left out" in tr.bowker.note
    # coin::mh_test(table4)
    assert tr.stuart_maxwell.statistic == pytest.approx(ref("sm4_stat"), rel=1e-10)
    assert tr.stuart_maxwell.p == pytest.approx(ref("sm4_p"), rel=1e-8)
    # psych::cohen.kappa(cbind(c1, c2))
    assert tr.kappa.value == pytest.approx(ref("kappa4_value"), rel=1e-10)
    assert tr.weighted_kappa.value == pytest.approx(ref("wkappa4_value"), rel=1e-10)
    # 2 x 2: mcnemar.test(table(c1 > 2, c2 > 2), correct = FALSE)
    tr2 = rs.transition_table(d["c1"] > 2, d["c2"] > 2)
    assert tr2.bowker.statistic == pytest.approx(ref("mcnemar2_stat"), rel=1e-12)
    assert tr2.bowker.p == pytest.approx(ref("mcnemar2_p"), rel=1e-10)
    assert "correct = FALSE" in tr2.bowker.note


def test_transition_table_category_order_and_no_change():
    cat = pd.CategoricalDtype(["rendah", "sedang", "tinggi"], ordered=True)
    c1 = pd.Series(["tinggi", "rendah", "sedang", "sedang"], index=list("abcd"), dtype=cat)
    tr = rs.transition_table(c1, c1.copy())
    assert tr.table.index.tolist() == ["rendah", "sedang", "tinggi"]
    assert np.array_equal(tr.table.to_numpy(), np.diag([1, 2, 1]))
    assert math.isnan(tr.bowker.statistic) and "no person changed" in tr.bowker.note
    assert math.isnan(tr.stuart_maxwell.statistic)
    assert tr.kappa.value == pytest.approx(1.0)


def test_transition_table_stuart_maxwell_singular_uses_rank():
    # category C: everyone stays, so S is singular; coin/MASS-style generalised inverse, df = rank = 1
    c1 = pd.Series(list("AABBBCC") + ["A"], index=range(8))
    c2 = pd.Series(list("BABBBCC") + ["B"], index=range(8))
    tr = rs.transition_table(c1, c2)
    assert tr.stuart_maxwell.df == 1
    # with C left out the 2 x 2 table is [[1, 2], [0, 3]]: d = 2, S = 2, chi2 = 2
    assert tr.stuart_maxwell.statistic == pytest.approx(2.0)
    assert "Moore-Penrose" in tr.stuart_maxwell.note


@pytest.mark.parametrize(
    ("c1", "c2", "kw", "exc", "match"),
    [
        (pd.Series(["a", "b", "x"], index=[1, 2, 3]), pd.Series(["a", "b", "b"], index=[1, 2, 3]),
         {"categories": ["a", "b"]}, ValueError, "category 'x' for person 3"),
        (pd.Series(["a", "b"], index=[1, 1]), pd.Series(["a", "b"], index=[1, 2]), {}, ValueError, "duplicated"),
        (pd.Series(["a", "b"], index=[1, 2]), pd.Series(["a", "b"], index=[3, 4]), {}, ValueError, "share no person"),
        (pd.Series(["a", "a"], index=[1, 2]), pd.Series(["a", "a"], index=[1, 2]), {}, ValueError,
         "only one category"),
        (["a", "b"], pd.Series(["a", "b"], index=[1, 2]), {}, TypeError, "c1 must be a pandas Series"),
    ],
)
def test_transition_table_errors(c1, c2, kw, exc, match):
    with pytest.raises(exc, match=match):
        rs.transition_table(c1, c2, **kw)


def test_expected_by_error_against_simulation(trans):
    s1, s2 = trans["jpm1"], trans["jpm2"]
    tr = rs.transition_table(trans["c1"], trans["c2"], categories=list(JPM_SCHEMES["mapping"]["labels"]),
                             scores=(s1, s2))
    exp = tr.expected_by_error(0.8, 0.75, "mapping")
    sim = expected_by_error_sim(s1.to_numpy(), s2.to_numpy(), 0.8, 0.75, (78.0, 90.0), n_sim=40000, seed=5)
    assert exp.to_numpy().sum() == pytest.approx(90.0, abs=1e-9)
    # Monte-Carlo: each cell's sd is at most sqrt(90 * 0.25 / 40000) = 0.024
    np.testing.assert_allclose(exp.to_numpy(), sim, atol=0.12)
    assert exp.index.tolist() == tr.table.index.tolist()
    # same scores passed at call time
    exp2 = rs.transition_table(trans["c1"], trans["c2"], categories=list(JPM_SCHEMES["mapping"]["labels"])
                               ).expected_by_error(0.8, 0.75, (78, 90), scores=(s1, s2))
    pd.testing.assert_frame_equal(exp, exp2)


def test_expected_by_error_perfect_reliability_is_diagonal(trans):
    labs = list(JPM_SCHEMES["mapping"]["labels"])
    tr = rs.transition_table(trans["c1"], trans["c2"], categories=labs, scores=(trans["jpm1"], trans["jpm2"]))
    exp = tr.expected_by_error(1.0, 1.0, (78, 90))
    # no error: both measurements equal the occasion-1 score, so the table is diagonal with its counts
    assert np.array_equal(exp.to_numpy(), np.diag(tr.table.sum(axis=1).to_numpy()).astype(float))
    with pytest.raises(ValueError, match="needs the numeric scores"):
        rs.transition_table(trans["c1"], trans["c2"]).expected_by_error(0.8, 0.8, (78, 90))
    with pytest.raises(ValueError, match="one category fewer"):
        tr.expected_by_error(0.8, 0.8, (70, 80, 90))
    with pytest.raises(ValueError, match="reliability_t2"):
        tr.expected_by_error(0.8, 1.3, (78, 90))


# ---------------------------------------------------------------------------------------------------------------
# decision consistency
# ---------------------------------------------------------------------------------------------------------------


def _jpm(n, seed=11):
    return pd.Series(np.random.default_rng(seed).normal(83, 7, n), index=[f"N{i}" for i in range(n)])


def test_pair_probs_is_exact():
    from psikometri._reassessment_kernels import bvn_lower, gauss_legendre, pair_probs

    gx, gw = gauss_legendre()
    rng = np.random.default_rng(2)
    worst = 0.0
    for _ in range(200):
        h, k = rng.normal(0, 2, 2)
        r = rng.uniform(-0.75, 0.75)
        want = stats.multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]]).cdf([h, k])
        worst = max(worst, abs(bvn_lower(h, k, r, gx, gw) - want))
    assert worst < 1e-12
    cuts = np.array([78.0, 90.0])
    m = np.array([75.0, 85.0, 92.0])
    v, e1, e2 = 9.0, 4.0, 5.0
    out = np.empty((3, 3, 3))
    pair_probs(m, v, e1, e2, cuts, gx, gw, out)
    edges = [-np.inf, 78.0, 90.0, np.inf]
    for i in range(3):
        for a in range(3):
            for b in range(3):
                want = rect_prob_scipy(edges[a], edges[a + 1], edges[b], edges[b + 1], [m[i], m[i]],
                                       [[v + e1**2, v], [v, v + e2**2]])
                assert out[i, a, b] == pytest.approx(want, abs=1e-9)


def test_decision_consistency_against_naive_simulation():
    x = _jpm(150)
    res = rs.decision_consistency(x, reliability=0.8, cuts="mapping")
    sim = decision_consistency_sim(x.to_numpy(), 0.8, (78.0, 90.0), n_sim=40000, seed=9)
    labs = list(JPM_SCHEMES["mapping"]["labels"])
    # per-person probabilities: Monte-Carlo sd <= 0.5 / sqrt(40000) = 0.0025
    np.testing.assert_allclose(res[labs].to_numpy(), sim["p_true"], atol=0.015)
    np.testing.assert_allclose(res["p_assigned"].to_numpy(), sim["p_assigned"], atol=0.015)
    np.testing.assert_allclose(res["p_retest"].to_numpy(), sim["p_retest"], atol=0.015)
    cons = res.attrs["consistency"]
    for key in ("agreement", "chance_agreement", "kappa", "accuracy"):
        assert cons.loc[key, "value"] == pytest.approx(sim[key], abs=0.006), key
    assert res.attrs["model"]["method"] == "exact normal integrals"


def test_decision_consistency_normal_cohort_equals_bivariate_normal_agreement():
    # For normal scores, the mixture of posteriors is the normal true-score distribution, so the agreement is
    # the probability that two parallel measurements (correlation = reliability) fall in the same category
    # (Huynh 1976; Peng & Subkoviak 1980), computed here from scipy's bivariate normal CDF.
    n, rel = 4000, 0.75
    z = stats.norm.ppf((np.arange(n) + 0.5) / n)
    x = 80 + 8 * z / z.std(ddof=1)
    res = rs.decision_consistency(x, reliability=rel, cuts=(76.0, 88.0))
    edges = [-np.inf, (76 - 80) / 8, (88 - 80) / 8, np.inf]
    pa = sum(rect_prob_scipy(edges[k], edges[k + 1], edges[k], edges[k + 1], [0, 0], [[1, rel], [rel, 1]])
             for k in range(3))
    assert res.attrs["consistency"].loc["agreement", "value"] == pytest.approx(pa, abs=2e-3)
    # accuracy: in units of the observed SD, T has variance rel and covariance rel with X
    acc = sum(rect_prob_scipy(edges[k], edges[k + 1], edges[k], edges[k + 1], [0, 0], [[rel, rel], [rel, 1]])
              for k in range(3))
    assert res.attrs["consistency"].loc["accuracy", "value"] == pytest.approx(acc, abs=2e-3)


def test_decision_consistency_kernel_without_jit():
    snippet = """
        import json
        import numpy as np
        from scipy import stats
        from psikometri._reassessment_kernels import gauss_legendre, pair_probs
        from psikometri.reassessment import decision_consistency
        gx, gw = gauss_legendre()
        m = np.array([70.0, 80.0, 95.0]); cuts = np.array([78.0, 90.0])
        out = np.empty((3, 3, 3)); pair_probs(m, 6.0, 3.0, 0.0, cuts, gx, gw, out)
        x = np.random.default_rng(11).normal(83, 7, 60)
        dc = decision_consistency(x, reliability=0.7, cuts="selection")
        print(json.dumps({"pp": out.tolist(), "p": dc[["p_assigned", "p_retest"]].to_numpy().tolist(),
                          "cons": dc.attrs["consistency"]["value"].tolist()}))
    """
    got = run_without_jit(snippet)
    from psikometri._reassessment_kernels import gauss_legendre, pair_probs

    gx, gw = gauss_legendre()
    out = np.empty((3, 3, 3))
    pair_probs(np.array([70.0, 80.0, 95.0]), 6.0, 3.0, 0.0, np.array([78.0, 90.0]), gx, gw, out)
    np.testing.assert_allclose(np.array(got["pp"]), out, rtol=1e-12, atol=1e-15)
    x = np.random.default_rng(11).normal(83, 7, 60)
    dc = rs.decision_consistency(x, reliability=0.7, cuts="selection")
    np.testing.assert_allclose(np.array(got["p"]), dc[["p_assigned", "p_retest"]].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.array(got["cons"]), dc.attrs["consistency"]["value"].to_numpy(), rtol=1e-12)
    # and the no-JIT kernel against the Monte-Carlo reference
    sim = decision_consistency_sim(x, 0.7, (68.0, 80.0), n_sim=40000, seed=1)
    np.testing.assert_allclose(np.array(got["p"])[:, 0], sim["p_assigned"], atol=0.015)


def test_decision_consistency_both_jpm_schemes_and_sem_band():
    x = _jpm(50)
    for scheme in ("mapping", "selection"):
        labs = list(JPM_SCHEMES[scheme]["labels"])
        res = rs.decision_consistency(x, reliability=0.85, cuts=scheme)
        assert list(res["category"].cat.categories) == labs
        assert res["category"].tolist() == pk.jpm_category(x, scheme=scheme).tolist()
        # cuts equal to a scheme's take its labels
        same = rs.decision_consistency(x, reliability=0.85, cuts=JPM_SCHEMES[scheme]["cuts"])
        pd.testing.assert_frame_equal(res, same)
        np.testing.assert_allclose(res[labs].sum(axis=1), 1.0, atol=1e-12)
    sem = x.std(ddof=1) * math.sqrt(1 - 0.85)
    np.testing.assert_allclose(res["sem_high"] - res["score"], 1.959963984540054 * sem)
    assert res.attrs["model"]["sem"] == pytest.approx(sem)
    own = rs.decision_consistency(x, reliability=0.85, cuts=(75.0,), labels=["belum", "siap"])
    assert own.columns.tolist()[:4] == ["score", "category", "belum", "siap"]


def test_decision_consistency_reliability_one_and_missing():
    x = pd.Series([70.0, np.nan, 80.0, 95.0, 89.0], index=list("abcde"))
    before = x.copy()
    res = rs.decision_consistency(x, reliability=1.0, cuts="mapping")
    pd.testing.assert_series_equal(x, before)
    assert res.loc["b"].drop("category").isna().all() and pd.isna(res.loc["b", "category"])
    np.testing.assert_allclose(res["p_assigned"].dropna(), 1.0)
    np.testing.assert_allclose(res["p_retest"].dropna(), 1.0)
    cons = res.attrs["consistency"]
    assert cons.loc["agreement", "value"] == pytest.approx(1.0) and cons.loc["accuracy", "value"] == pytest.approx(1.0)
    assert res.attrs["model"]["n_missing"] == 1


def test_decision_consistency_consistency_rises_with_reliability():
    x = _jpm(300)
    vals = [rs.decision_consistency(x, reliability=r, cuts="mapping").attrs["consistency"].loc["kappa", "value"]
            for r in (0.5, 0.7, 0.9, 0.99)]
    assert np.all(np.diff(vals) > 0)


def test_decision_consistency_bootstrap_intervals():
    x = _jpm(120)
    a = rs.decision_consistency(x, reliability=0.8, cuts="mapping", n_boot=200, seed=4)
    b = rs.decision_consistency(x, reliability=0.8, cuts="mapping", n_boot=200, seed=4)
    ca, cb = a.attrs["consistency"], b.attrs["consistency"]
    pd.testing.assert_frame_equal(ca, cb)
    assert ((ca["ci_low"] < ca["value"]) & (ca["value"] < ca["ci_high"])).all()
    assert ca.attrs["n_boot_used"] == 200
    none = rs.decision_consistency(x, reliability=0.8, cuts="mapping")
    assert none.attrs["consistency"][["ci_low", "ci_high"]].isna().all().all()


@pytest.mark.parametrize(
    ("scores", "kw", "exc", "match"),
    [
        ([80.0, 85.0], {"reliability": 0.8, "cuts": "mapping"}, ValueError, "at least 3 scores"),
        ([80.0, 80.0, 80.0], {"reliability": 0.8, "cuts": "mapping"}, ValueError, "all equal"),
        ([70.0, 80.0, 90.0], {"reliability": 0.0, "cuts": "mapping"}, ValueError, "reliability"),
        ([70.0, 80.0, 90.0], {"reliability": 0.8, "cuts": (90, 78)}, ValueError, "strictly increasing"),
        ([70.0, 80.0, 90.0], {"reliability": 0.8, "cuts": "pemetaan"}, ValueError, "JPM scheme name"),
        ([70.0, 80.0, 90.0], {"reliability": 0.8, "cuts": (78, 90), "labels": ["a", "b"]}, ValueError,
         "one more entry than cuts"),
        ([70.0, 80.0, 90.0], {"reliability": 0.8, "cuts": (78, 90), "labels": ["a", "a", "b"]}, ValueError,
         "distinct"),
        ([70.0, "x", 90.0], {"reliability": 0.8, "cuts": "mapping"}, TypeError, "element 1"),
        ([70.0, 80.0, 90.0], {"reliability": 0.8, "cuts": "mapping", "n_boot": -1}, ValueError, "n_boot"),
    ],
)
def test_decision_consistency_errors(scores, kw, exc, match):
    with pytest.raises(exc, match=match):
        rs.decision_consistency(scores, **kw)


def test_top_level_exports():
    for name in rs.__all__:
        assert getattr(pk, name) is getattr(rs, name)


def test_d_z_interval_large_sample():
    # uniroot(pt(5.27, 179, ncp) = 0.975 / 0.025) in R
    lo, hi = rs._d_z_interval(5.27, 179, 0.95)
    assert (lo, hi) == pytest.approx((ref("ncp_lower_t5.27_df179"), ref("ncp_upper_t5.27_df179")), rel=1e-7)
    # through the public function: 180 pairs with a standardised change of 0.39
    rng = np.random.default_rng(1)
    t1 = pd.Series(rng.normal(84, 6, 180))
    t2 = t1 + 1.5 + pd.Series(rng.normal(0, 4, 180))
    res = rs.test_retest(t1, t2)
    assert np.isfinite(res.loc["d_z", ["ci_low", "ci_high"]].to_numpy(float)).all()


def test_bootstrap_weights_equal_the_duplicated_sample():
    # a resample computed once per distinct person with its count as weight = the resample written out
    x = _jpm(40).to_numpy()
    rng = np.random.default_rng(8)
    counts = rng.multinomial(40, np.full(40, 1 / 40))
    keep = counts > 0
    cuts = np.array([78.0, 90.0])
    assigned = np.searchsorted(cuts, x, side="right")
    weighted = rs._consistency_run(np.ascontiguousarray(x[keep]), 0.8, cuts, assigned[keep], per_person=False,
                                   weights=counts[keep].astype(float))
    expanded = np.repeat(x, counts)
    full = rs._consistency_run(expanded, 0.8, cuts, np.repeat(assigned, counts), per_person=False)
    np.testing.assert_allclose(weighted, full, rtol=1e-12)


def test_bootstrap_intervals_are_those_of_every_person_computed_on_their_own(monkeypatch):
    """decision_consistency computes each distinct score once per resample (tied persons summed): the
    resamples' figures equal the kernel run on every person with its own count, ties included."""
    from psikometri import _reassessment_kernels as RK

    x = pd.Series(np.round(_jpm(90).to_numpy() / 2.5) * 2.5)  # a JPM-like scale with many ties
    assert x.nunique() < 40
    seen = {}
    kernel = RK.bootstrap_consistency

    def spy(xv, rel, cuts, gx, gw, counts, out):
        kernel(xv, rel, cuts, gx, gw, counts, out)
        seen.update(x=xv.copy(), counts=counts.copy(), out=out.copy(), rel=rel, cuts=cuts)

    monkeypatch.setattr(RK, "bootstrap_consistency", spy)
    rs.decision_consistency(x, reliability=0.8, cuts=[78, 90], n_boot=200, seed=4)
    assert len(seen["x"]) == x.nunique() and seen["counts"].sum(axis=1).max() == 90
    from psikometri._resampling import bootstrap_counts, resolve_seed

    per_person = np.empty_like(seen["out"])
    gx, gw = RK.gauss_legendre()
    kernel(np.ascontiguousarray(x.to_numpy(float)), seen["rel"], seen["cuts"], gx, gw,
           bootstrap_counts(90, 200, resolve_seed(4)).astype(float), per_person)
    np.testing.assert_allclose(seen["out"], per_person, rtol=1e-12, atol=1e-14)


_BOOT_SNIPPET = """
import json
import numpy as np
from psikometri._reassessment_kernels import bootstrap_consistency, gauss_legendre
from psikometri._resampling import bootstrap_counts
x = np.random.default_rng(8).normal(84, 7, 25)
cuts = np.array([78.0, 90.0])
counts = bootstrap_counts(25, 6, 3).astype(float)
counts[2] = 0.0
counts[2, 4] = 25.0  # a resample of one person: constant scores, NaN
out = np.empty((6, 4))
gx, gw = gauss_legendre()
bootstrap_consistency(x, 0.8, cuts, gx, gw, counts, out)
print(json.dumps(np.where(np.isnan(out), None, out).tolist()))
"""


def _boot_reference():
    """Each resample's cohort figures from the per-resample Python path (weighted distinct persons)."""
    from psikometri._resampling import bootstrap_counts

    x = np.random.default_rng(8).normal(84, 7, 25)
    cuts = np.array([78.0, 90.0])
    counts = bootstrap_counts(25, 6, 3).astype(float)
    counts[2] = 0.0
    counts[2, 4] = 25.0
    assigned = np.searchsorted(cuts, x, side="right")
    ref = []
    for b in range(6):
        keep = counts[b] > 0
        if np.ptp(x[keep]) == 0:
            ref.append([None] * 4)
            continue
        ref.append(rs._consistency_run(x[keep], 0.8, cuts, assigned[keep], per_person=False,
                                       weights=counts[b, keep]).tolist())
    return ref


@pytest.mark.parametrize("jit", [True, False])
def test_bootstrap_kernel_equals_the_per_resample_computation(jit):
    import json as _json
    import subprocess
    import sys

    from ._nojit import run_without_jit

    if jit:
        got = _json.loads(subprocess.run([sys.executable, "-c", _BOOT_SNIPPET], capture_output=True, text=True,
                                         check=True).stdout)
    else:
        got = run_without_jit(_BOOT_SNIPPET)
    ref = _boot_reference()
    for g, r in zip(got, ref):
        if r[0] is None:
            assert g == [None] * 4
        else:
            np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-14)
