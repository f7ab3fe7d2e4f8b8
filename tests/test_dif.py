"""Tests of psikometri.fairness.dif (differential item functioning).

Reference values: tests/fixtures/fairness/make_dif_reference.R on the verbal aggression data
(tests/fixtures/fairness/verbal.csv, the same matrix as difR's `verbal`), recorded in
dif_reference.json:

* "difMH" / "difLogistic": difR 5.1 (Magis et al. 2010) difMH and difLogistic;
* "base": base R mantelhaen.test and glm(binomial), independent of difR;
* "ets": the full ETS rule (Zieky 1993; Paek & Holland 2015) written out in the R script;
* "poly": Mantel's (1963) ordinal test (coin::cmh_test and by hand), the SMD and the ETS polytomous
  classes (Zwick, Thayer & Mazzeo 1997), by hand, on the three-category answers (verbal_poly.csv).

Kernels are checked against the respondent-level numpy / statsmodels versions in
tests/naive_fairness.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri
from psikometri.fairness import _dif_kernels as K
from psikometri.fairness import dif
from tests import naive_fairness as N
from tests._nojit import run_without_jit

FIX = Path(__file__).parent / "fixtures" / "fairness"
REF = json.loads((FIX / "dif_reference.json").read_text())
VERBAL = pd.read_csv(FIX / "verbal.csv", index_col="id")
ITEMS = VERBAL[REF["items"]]
GENDER = VERBAL["Gender"]  # 0 women (reference), 1 men (focal), as difR's focal.name = 1
TOL = 1e-9


def _arr(x):
    return np.array([np.nan if v is None else v for v in x], dtype=float)


def _list(x):
    """A JSON value written by jsonlite with auto_unbox (a length-1 vector becomes a scalar) as a list."""
    return x if isinstance(x, list) else [x]


def _flagged(res):
    return [i + 1 for i in np.flatnonzero(res["flag"].to_numpy())]


# ---------------------------------------------------------------------------------------------
# Mantel-Haenszel against difR::difMH
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key,kw", [
    ("correct", {}),
    ("uncorrected", {"correct": False}),
    ("holm", {"p_adjust": "holm"}),
    ("BH", {"p_adjust": "bh"}),
])
def test_mh_matches_difR(key, kw):
    ref = REF["difMH"][key]  # difR::difMH(verbal[, 1:24], Gender, focal.name = 1, ...)
    res = dif(ITEMS, GENDER, method="mh", **kw)
    assert res.attrs["reference"] == 0 and res.attrs["focal"] == 1
    assert list(res.index) == REF["items"]
    np.testing.assert_allclose(res["chi2"], ref["MH"], rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(res["p"], ref["p"], rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(res["alpha_mh"], ref["alphaMH"], rtol=TOL)
    np.testing.assert_allclose(res["var_log_alpha"], ref["varLambda"], rtol=TOL)
    np.testing.assert_allclose(res["delta_mh"], -2.35 * np.log(ref["alphaMH"]), rtol=TOL)
    if ref["adjusted_p"] is not None:
        np.testing.assert_allclose(res["p_adjusted"], ref["adjusted_p"], rtol=TOL, atol=1e-12)
    else:
        np.testing.assert_array_equal(res["p_adjusted"], res["p"])
    assert _flagged(res) == _list(ref["DIFitems"])
    # difR's effect-size code (print.MH): no value of these data lies on a class boundary
    assert list(res["ets_size"]) == ref["ets_size"]


@pytest.mark.parametrize("key,kw", [("purified", {}), ("BH_purified", {"p_adjust": "bh"})])
def test_mh_purification_matches_difR(key, kw):
    ref = REF["difMH"][key]  # difMH(..., purify = TRUE, nrIter = 10)
    res = dif(ITEMS, GENDER, method="mh", purify=True, **kw)
    np.testing.assert_allclose(res["chi2"], ref["MH"], rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(res["alpha_mh"], ref["alphaMH"], rtol=TOL)
    np.testing.assert_allclose(res["var_log_alpha"], ref["varLambda"], rtol=TOL)
    if ref["adjusted_p"] is not None:
        np.testing.assert_allclose(res["p_adjusted"], ref["adjusted_p"], rtol=TOL, atol=1e-12)
    assert _flagged(res) == _list(ref["DIFitems"])
    assert res.attrs["iterations"] == ref["nrPur"] and res.attrs["converged"] == ref["convergence"]
    # difPur: one row per step (Step0 = first run), 1 = flagged (unadjusted)
    hist = [[REF["items"][k] for k in np.flatnonzero(row)] for row in ref["difPur"]]
    assert res.attrs["flagged_history"] == hist
    assert res.attrs["anchor"] == [it for it in REF["items"] if it not in hist[-2]]


def test_purification_stops_at_max_iter_with_a_note():
    full = REF["difMH"]["purified"]  # difR needs 6 re-runs on these data
    assert full["nrPur"] > 2
    res = dif(ITEMS, GENDER, purify=True, max_iter=2)
    assert res.attrs["iterations"] == 2 and not res.attrs["converged"]
    assert "did not converge in 2 iteration(s)" in res.attrs["notes"]
    hist = [[REF["items"][k] for k in np.flatnonzero(row)] for row in full["difPur"]]
    assert res.attrs["flagged_history"] == hist[:3]


def test_ets_classification_full_rule():
    # R: Zieky (1993) rule with the Paek & Holland (2015) interval-null test, from difMH's alphaMH, varLambda
    for grp, key in ((GENDER, "ets"), ((VERBAL["Anger"] >= REF["anger_threshold"]).astype(int), "ets_anger")):
        ref = REF[key]
        res = dif(ITEMS, grp, method="mh")
        np.testing.assert_allclose(res["delta_mh"], ref["delta"], rtol=TOL)
        np.testing.assert_allclose(res["se_delta"], ref["se_delta"], rtol=TOL)
        np.testing.assert_allclose(res["p_delta_gt_1"], ref["p_gt1"], rtol=1e-7, atol=1e-14)
        assert list(res["ets"]) == ref["class"]
    assert set(REF["ets"]["class"]) == {"A", "B", "C"}  # the fixture exercises every class


def test_ets_rule_boundaries():
    from psikometri.fairness._dif import _ets_class

    delta = np.array([-0.99, 1.0, -1.49, 1.5, 1.5, 2.5, 2.5, np.nan, np.inf])
    se = np.array([0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.1, 0.1, np.nan])
    p = np.array([0.001, 0.001, 0.001, 0.001, 0.001, 0.2, 0.001, 0.001, 0.001])
    p_gt1, cls = _ets_class(delta, se, p, 0.05)
    assert cls == ["A", "B", "B", "C", "B", "A", "C", None, "C"]
    assert p_gt1[4] > 0.05  # |delta| = 1.5 with SE 0.5: not significantly above 1


# ---------------------------------------------------------------------------------------------
# Logistic regression against difR::difLogistic
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key,dif_type,kw", [
    ("both", "both", {}), ("udif", "uniform", {}), ("nudif", "nonuniform", {}),
    ("udif", "udif", {}), ("nudif", "nudif", {}), ("both_holm", "both", {"p_adjust": "holm"}),
])
def test_logistic_matches_difR(key, dif_type, kw):
    ref = REF["difLogistic"][key]  # difLogistic(verbal[, 1:24], Gender, focal.name = 1, type, criterion = "LRT")
    res = dif(ITEMS, GENDER, method="logistic", dif_type=dif_type, **kw)
    np.testing.assert_allclose(res["chi2"], ref["stat"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res["p"], ref["p"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(res["delta_r2"], ref["deltaR2"], rtol=1e-8, atol=1e-12)
    assert list(res["zumbo_thomas"]) == ref["zt"] and list(res["jodoin_gierl"]) == ref["jg"]
    if ref["adjusted_p"] is not None:
        np.testing.assert_allclose(res["p_adjusted"], ref["adjusted_p"], rtol=1e-8, atol=1e-12)
    assert _flagged(res) == _list(ref["DIFitems"])
    assert (res["df"] == (2 if key.startswith("both") else 1)).all()
    par = np.array(ref["parM0"])  # full model: M2 for both / nudif, M1 for udif (then the 4th column is 0)
    # difR fits glm with its default convergence (relative deviance change < 1e-8), so its coefficients are
    # good to about 1e-7; the tight comparison with glm(epsilon = 1e-14) is in test_matches_base_r
    if key == "udif":
        np.testing.assert_allclose(res["beta_group"], par[:, 2], atol=1e-6)
    else:
        np.testing.assert_allclose(res["beta_interaction"], par[:, 3], atol=1e-6)
    assert res["converged"].all()


@pytest.mark.parametrize("key,dif_type", [("both_purified", "both"), ("udif_purified", "uniform")])
def test_logistic_purification_matches_difR(key, dif_type):
    ref = REF["difLogistic"][key]
    res = dif(ITEMS, GENDER, method="logistic", dif_type=dif_type, purify=True)
    np.testing.assert_allclose(res["chi2"], ref["stat"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res["delta_r2"], ref["deltaR2"], rtol=1e-8, atol=1e-12)
    assert _flagged(res) == _list(ref["DIFitems"])
    assert res.attrs["iterations"] == ref["nrPur"] and res.attrs["converged"] == ref["convergence"]
    hist = [[REF["items"][k] for k in np.flatnonzero(row)] for row in ref["difPur"]]
    assert res.attrs["flagged_history"] == hist


# ---------------------------------------------------------------------------------------------
# against base R (mantelhaen.test, glm), independently of difR; rest score; a second grouping
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["gender_total", "gender_rest", "anger_total"])
def test_matches_base_r(key):
    ref = REF["base"][key]
    grp = GENDER if key.startswith("gender") else (VERBAL["Anger"] >= REF["anger_threshold"]).astype(int)
    match = "rest" if key.endswith("rest") else "total"
    mh = dif(ITEMS, grp, method="mh", match=match, correct=False)
    # mantelhaen.test(table, correct = FALSE): statistic, estimate, conf.int -> SE of log(alpha)
    np.testing.assert_allclose(mh["chi2"], ref["mh_stat_uncorrected"], rtol=TOL)
    np.testing.assert_allclose(mh["alpha_mh"], ref["alpha"], rtol=TOL)
    np.testing.assert_allclose(np.sqrt(mh["var_log_alpha"]), ref["se_log_alpha"], rtol=1e-8)
    # with correction: R corrects only when |sum(A - E(A))| >= 0.5, difR and dif always
    mc = dif(ITEMS, grp, method="mh", match=match, correct=True)
    big = np.abs(K.mh_stats(_tables(grp, match), True)[:, K.MH_DIFF]) >= 0.5
    assert big.sum() >= 20
    np.testing.assert_allclose(mc["chi2"][big], np.array(ref["mh_stat_corrected"])[big], rtol=TOL)
    lr = dif(ITEMS, grp, method="logistic", match=match)
    d0, d1, d2 = (np.array(ref[k]) for k in ("dev0", "dev1", "dev2"))
    np.testing.assert_allclose(lr["chi2_uniform"], d0 - d1, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(lr["chi2_nonuniform"], d1 - d2, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(lr["chi2_both"], d0 - d2, rtol=1e-8, atol=1e-9)
    for m in ("m0", "m1", "m2"):
        np.testing.assert_allclose(lr[f"r2_{m}"], ref[f"r2_{m}"], rtol=1e-9)
    np.testing.assert_allclose(lr["beta_group"], ref["b_group_m1"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(lr["beta_interaction"], ref["b_int_m2"], rtol=1e-8, atol=1e-10)


def _tables(grp, match, anchor=None):
    X = ITEMS.to_numpy().astype(np.int64)
    a = np.ones(X.shape[1], dtype=np.bool_) if anchor is None else anchor
    return K.dif_tables(np.ascontiguousarray(X.T), grp.to_numpy().astype(np.int64), a, match == "total",
                        X.shape[1] + 1, 2)


# ---------------------------------------------------------------------------------------------
# kernels against the naive respondent-level versions
# ---------------------------------------------------------------------------------------------
def _sim(n=400, J=10, seed=3, dif_item=0):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    g = (rng.random(n) < 0.4).astype(np.int64)
    b = np.linspace(-1.2, 1.2, J)
    a = np.linspace(0.6, 1.8, J)
    logit = a * (theta[:, None] - b)
    logit[:, dif_item] -= 0.8 * g + 0.5 * g * theta  # uniform and non-uniform DIF
    X = (rng.random((n, J)) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return X, g


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("anchor_kind", ["all", "some"])
def test_kernels_match_naive(include_self, anchor_kind):
    X, g = _sim()
    J = X.shape[1]
    anchor = np.ones(J, dtype=np.bool_) if anchor_kind == "all" else np.array([k % 3 != 0 for k in range(J)])
    counts = K.dif_tables(np.ascontiguousarray(X.T), g, anchor, include_self, J + 1, 2)
    S = N.matching_scores(X, anchor, include_self)
    assert counts.sum() == X.shape[0] * J
    mh = K.mh_stats(counts, True)
    lr = K.logistic_fits(counts, 100, 1e-10)
    for j in range(J):
        ref = N.mh_item(X[:, j], g, S[:, j], correct=True)
        assert mh[j, K.MH_CHI2] == pytest.approx(ref["chi2"], rel=1e-12)
        assert mh[j, K.MH_ALPHA] == pytest.approx(ref["alpha"], rel=1e-12)
        assert mh[j, K.MH_VAR_LOG_ALPHA] == pytest.approx(ref["var_log_alpha"], rel=1e-12)
        ref = N.logistic_item(X[:, j], g, S[:, j])
        for col, k in ((K.LR_DEV0, "dev0"), (K.LR_DEV1, "dev1"), (K.LR_DEV2, "dev2"), (K.LR_NULL, "null")):
            assert lr[j, col] == pytest.approx(ref[k], rel=1e-10)
        assert lr[j, K.LR_B_GROUP1] == pytest.approx(ref["b_group_m1"], rel=1e-7)
        np.testing.assert_allclose(lr[j, [K.LR_B0_2, K.LR_B_SCORE2, K.LR_B_GROUP2, K.LR_B_INT2]], ref["params_m2"],
                                   rtol=1e-7)
        assert lr[j, K.LR_CONV] == 3


@pytest.mark.nojit
def test_kernels_without_jit_match_jit():
    snippet = """
    import json, numpy as np
    from psikometri.fairness import _dif_kernels as K
    from tests.test_dif import _sim
    X, g = _sim(n=150, J=6)
    anchor = np.array([True, True, False, True, True, True])
    c = K.dif_tables(np.ascontiguousarray(X.T), g, anchor, True, 7, 2)
    out = [c.ravel().tolist(), K.mh_stats(c, True).ravel().tolist(), K.logistic_fits(c, 100, 1e-10).ravel().tolist()]
    print(json.dumps(out))
    """
    c_nj, mh_nj, lr_nj = run_without_jit(snippet)
    X, g = _sim(n=150, J=6)
    anchor = np.array([True, True, False, True, True, True])
    c = K.dif_tables(np.ascontiguousarray(X.T), g, anchor, True, 7, 2)
    np.testing.assert_array_equal(c.ravel(), c_nj)
    np.testing.assert_allclose(K.mh_stats(c, True).ravel(), mh_nj, rtol=1e-13)
    np.testing.assert_allclose(K.logistic_fits(c, 100, 1e-10).ravel(), lr_nj, rtol=1e-9)


def test_simulated_dif_item_is_found():
    X, g = _sim(n=1500, J=12, seed=11, dif_item=4)
    items = pd.DataFrame(X, columns=[f"q{k}" for k in range(12)])
    grp = pd.Series(np.where(g == 1, "P", "L"))
    for method in ("mh", "logistic"):
        res = dif(items, grp, method=method, purify=True, p_adjust="holm")
        assert res.attrs["focal"] == "P"
        assert bool(res.loc["q4", "flag"])
        assert res["p_adjusted"].drop("q4").min() > 1e-3
    mh = dif(items, grp)
    assert mh.loc["q4", "delta_mh"] < -1  # harder for the focal group at equal score: negative delta (ETS sign)
    lr = dif(items, grp, method="logistic")
    assert lr.loc["q4", "beta_group"] < 0


# ---------------------------------------------------------------------------------------------
# polytomous items: Mantel (1963) and SMD
# ---------------------------------------------------------------------------------------------
POLY = pd.read_csv(FIX / "verbal_poly.csv", index_col="id")


def test_polytomous_matches_coin_and_hand():
    ref = REF["poly"]  # coin::cmh_test(y ~ g | score, scores = list(y = 0:2))$Z^2; SMD, SD, classes by hand in R
    res = dif(POLY[REF["items"]], POLY["Gender"])
    assert res.attrs["polytomous"] and res.attrs["correct"] is None
    np.testing.assert_allclose(res["chi2"], ref["mantel_coin"], rtol=1e-9)
    np.testing.assert_allclose(res["chi2"], ref["mantel_hand"], rtol=1e-9)
    np.testing.assert_allclose(res["p"], ref["p"], rtol=1e-9)
    np.testing.assert_allclose(res["smd"], ref["smd"], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(res["sd_item"], ref["sd_item"], rtol=1e-12)
    assert list(res["ets"]) == ref["class"]
    assert set(ref["class"]) == {"AA", "BB", "CC"}
    assert list(res.columns) == ["chi2", "df", "p", "p_adjusted", "smd", "sd_item", "smd_sd", "ets", "n_strata",
                                 "flag"]


def test_polytomous_shift_and_order_invariance():
    items = POLY[REF["items"]]
    a = dif(items, POLY["Gender"], purify=True)
    b = dif(items + 1, POLY["Gender"], purify=True)  # scored 1-3 instead of 0-2: same strata, same differences
    np.testing.assert_allclose(b["chi2"], a["chi2"], rtol=1e-12)
    np.testing.assert_allclose(b["smd"], a["smd"], rtol=1e-12, atol=1e-15)
    perm = np.random.default_rng(2).permutation(len(items))
    c = dif(items.iloc[perm], POLY["Gender"], purify=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)
    assert a.attrs["flagged_history"] == c.attrs["flagged_history"]


def test_polytomous_rejected_for_logistic():
    with pytest.raises(ValueError, match="0/1 \\(dichotomous\\) for method='logistic'"):
        dif(POLY[REF["items"]], POLY["Gender"], method="logistic")


def _sim_poly(n=500, J=8, K=5, seed=4):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    g = (rng.random(n) < 0.45).astype(np.int64)
    latent = theta[:, None] + rng.normal(0, 1, (n, J))
    latent[:, 2] -= 0.5 * g
    cuts = np.linspace(-1.5, 1.5, K - 1)
    return (latent[:, :, None] > cuts).sum(axis=2).astype(np.int64), g


@pytest.mark.parametrize("include_self", [True, False])
def test_mantel_kernel_matches_naive(include_self):
    X, g = _sim_poly()
    J = X.shape[1]
    anchor = np.array([k != 5 for k in range(J)])
    counts = K.dif_tables(np.ascontiguousarray(X.T), g, anchor, include_self, int(X.max(axis=0).sum()) + 1, 5)
    values = np.tile(np.arange(5.0), (J, 1))
    out = K.mantel_ordinal_stats(counts, values)
    S = N.matching_scores(X, anchor, include_self)
    for j in range(J):
        ref = N.mantel_item(X[:, j], g, S[:, j])
        assert out[j, K.MO_CHI2] == pytest.approx(ref["chi2"], rel=1e-12)
        assert out[j, K.MO_SMD] == pytest.approx(ref["smd"], rel=1e-12)


def test_mantel_on_dichotomous_items_is_the_uncorrected_mh_chi2():
    X, g = _sim()
    J = X.shape[1]
    counts = K.dif_tables(np.ascontiguousarray(X.T), g, np.ones(J, dtype=np.bool_), True, J + 1, 2)
    mo = K.mantel_ordinal_stats(counts, np.tile(np.arange(2.0), (J, 1)))
    np.testing.assert_allclose(mo[:, K.MO_CHI2], K.mh_stats(counts, False)[:, K.MH_CHI2], rtol=1e-12)


def test_mixed_items_use_the_polytomous_test_for_all():
    items = ITEMS.copy()
    items["likert"] = POLY["S1DoCurse"]
    res = dif(items, GENDER)
    assert res.attrs["polytomous"] and "smd" in res.columns
    assert res["ets"].isin(["AA", "BB", "CC"]).all()


# ---------------------------------------------------------------------------------------------
# behaviour: invariance, input untouched, group forms, missing data, focal choice
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["mh", "logistic"])
def test_shuffled_rows_give_identical_results(method):
    rng = np.random.default_rng(5)
    perm = rng.permutation(len(ITEMS))
    a = dif(ITEMS, GENDER, method=method, purify=True)
    b = dif(ITEMS.iloc[perm], GENDER.iloc[perm], method=method, purify=True)
    c = dif(ITEMS.iloc[perm], GENDER, method=method, purify=True)  # aligned by index
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)
    assert a.attrs == b.attrs


def test_input_not_modified():
    items = ITEMS.astype(float).copy()
    items.iloc[3, 2] = np.nan
    grp = GENDER.map({0: "F", 1: "M"})
    i0, g0 = items.copy(), grp.copy()
    dif(items, grp, method="mh", purify=True)
    dif(items, grp, method="logistic")
    frame = items.assign(sex=grp)
    f0 = frame.copy()
    dif(frame, "sex")
    pd.testing.assert_frame_equal(items, i0)
    pd.testing.assert_series_equal(grp, g0)
    pd.testing.assert_frame_equal(frame, f0)


def test_group_as_column_series_or_array():
    a = dif(ITEMS, GENDER)
    b = dif(VERBAL.drop(columns="Anger"), "Gender")
    c = dif(ITEMS, GENDER.to_numpy())
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert b.attrs["group"] == "Gender"


def test_missing_values_dropped_listwise_and_counted():
    items = ITEMS.astype(float).copy()
    grp = GENDER.astype(float).copy()
    items.iloc[[0, 5, 9], [1, 1, 4]] = np.nan
    items.iloc[5, 7] = np.nan
    grp.iloc[[2, 5]] = np.nan
    res = dif(items, grp)
    keep = items.notna().all(axis=1) & grp.notna()
    ref = dif(ITEMS[keep], GENDER[keep])
    pd.testing.assert_frame_equal(res, ref)
    assert res.attrs["n_dropped"] == {"missing_items": 3, "missing_group": 1}
    assert res.attrs["n"] == len(ITEMS) - 4


def test_swapping_focal_flips_the_sign():
    a = dif(ITEMS, GENDER)
    b = dif(ITEMS, GENDER, focal=0)
    assert b.attrs["reference"] == 1
    np.testing.assert_allclose(b["chi2"], a["chi2"], rtol=1e-12)
    np.testing.assert_allclose(b["delta_mh"], -a["delta_mh"], rtol=1e-12)
    assert list(a["ets"]) == list(b["ets"])
    la = dif(ITEMS, GENDER, method="logistic")
    lb = dif(ITEMS, GENDER, method="logistic", focal=0)
    np.testing.assert_allclose(lb["chi2"], la["chi2"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(lb["beta_group"], -la["beta_group"], rtol=1e-7)


def test_default_focal_is_second_sorted_level_and_categorical_order():
    grp = GENDER.map({0: "P", 1: "L"})  # sorted: L, P -> focal P (the women)
    assert dif(ITEMS, grp).attrs["focal"] == "P"
    cat = pd.Series(pd.Categorical(grp, categories=["P", "L"]), index=grp.index)
    assert dif(ITEMS, cat).attrs["focal"] == "L"


def test_bool_items_accepted():
    a = dif(ITEMS, GENDER)
    b = dif(ITEMS.astype(bool), GENDER)
    pd.testing.assert_frame_equal(a, b)


def test_constant_item_gives_nan_with_note():
    items = ITEMS.copy()
    items["const"] = 1
    for method in ("mh", "logistic"):
        res = dif(items, GENDER, method=method)
        assert np.isnan(res.loc["const", "chi2"]) and not res.loc["const", "flag"]
        assert "const" in res.attrs["notes"]
        # the constant item adds 1 to every total score: the other items' statistics are unchanged
        ref = dif(ITEMS, GENDER, method=method)
        np.testing.assert_allclose(res["chi2"].drop("const"), ref["chi2"], rtol=1e-9)


def test_separation_does_not_crash():
    items = ITEMS.copy()
    items["sep"] = GENDER  # answered 1 by every man and 0 by every woman
    res = dif(items, GENDER, method="logistic")
    assert not res.loc["sep", "converged"] and "sep" in res.attrs["notes"]
    assert res.loc["sep", "chi2"] > 100 and res.loc["sep", "flag"]
    mh = dif(items, GENDER, method="mh")
    assert mh.loc["sep", "alpha_mh"] == 0 and np.isinf(mh.loc["sep", "delta_mh"])
    assert mh.loc["sep", "p_delta_gt_1"] == 0 and mh.loc["sep", "ets"] == "C"


def test_top_level_reexport():
    assert psikometri.dif is dif
    assert "dif" in psikometri.fairness.__all__


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def test_non_binary_item_names_row_and_column():
    items = ITEMS.copy()
    items.loc[7, "S2DoScold"] = 2
    with pytest.raises(ValueError, match=r"0/1 \(dichotomous\) for method='logistic': row 7, column 'S2DoScold' "
                                         r"holds 2\. .*use method='mh'"):
        dif(items, GENDER, method="logistic")
    items = items.astype(float)
    items.loc[9, "S3DoShout"] = 0.5
    with pytest.raises(ValueError, match=r"integer item scores .*row 9, column 'S3DoShout' holds 0.5"):
        dif(items, GENDER, method="mh")
    items.loc[9, "S3DoShout"] = 40
    with pytest.raises(ValueError, match=r"scores from 0 to 40, 41 possible categories"):
        dif(items, GENDER, method="mh")


def test_errors_on_groups():
    three = GENDER.copy()
    three.iloc[:40] = 2
    with pytest.raises(ValueError, match=r"exactly two groups; 'Gender' has 3 .*\[0, 1, 2\]"):
        dif(ITEMS, three)
    with pytest.raises(ValueError, match=r"group 1 of 'Gender' has 73 respondent\(s\).*min_group=100"):
        dif(ITEMS, GENDER, min_group=100)
    with pytest.raises(ValueError, match=r"focal='M' is not a group of 'Gender'; the groups are \[0, 1\]"):
        dif(ITEMS, GENDER, focal="M")
    with pytest.raises(ValueError, match=r"group='sex' is not a column of items"):
        dif(ITEMS, "sex")
    with pytest.raises(ValueError, match=r"group has 10 values but items has 316 rows"):
        dif(ITEMS, GENDER.to_numpy()[:10])
    short = GENDER.iloc[:-3]
    with pytest.raises(ValueError, match=r"group has no value for 3 row\(s\) of items, e.g. row 314"):
        dif(ITEMS, short)
    with pytest.raises(TypeError, match="group must be"):
        dif(ITEMS, {"a": 1})


@pytest.mark.parametrize("kw,msg", [
    ({"method": "sibtest"}, "method must be one of"),
    ({"match": "anchor"}, "match must be one of"),
    ({"dif_type": "all"}, "dif_type must be one of"),
    ({"p_adjust": "fdr"}, "p_adjust must be one of"),
    ({"alpha": 0}, "alpha must be a number strictly between 0 and 1"),
    ({"max_iter": 0}, "max_iter must be an integer >= 1"),
    ({"min_group": 1.5}, "min_group must be an integer >= 1"),
    ({"purify": "yes"}, "purify must be True or False"),
])
def test_errors_on_options(kw, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        dif(ITEMS, GENDER, **kw)


def test_errors_on_items():
    with pytest.raises(TypeError, match="items must be a pandas DataFrame"):
        dif([[0, 1], [1, 0]], GENDER)
    with pytest.raises(ValueError, match="looks like a respondent identifier"):
        dif(VERBAL.reset_index(), "Gender")
    with pytest.raises(ValueError, match="at least 2 item columns"):
        dif(ITEMS[["S1DoCurse"]], GENDER)


def _review_data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    g = pd.Series(np.repeat(["L", "P"], n // 2))
    b = np.linspace(-1, 1, 6)
    x = pd.DataFrame((rng.random((n, 6)) < 1 / (1 + np.exp(-(theta[:, None] - b)))).astype(int),
                     columns=[f"i{k}" for k in range(1, 7)])
    return x, g


def test_items_determined_by_the_score_give_nan_with_a_note():
    x, g = _review_data()
    same = pd.DataFrame({f"i{k}": x["i1"] for k in range(1, 5)})
    res = dif(same, g, method="logistic")
    assert res["chi2"].isna().all() and res["p"].isna().all() and not res["flag"].any()
    assert res["delta_r2"].isna().all() and res["zumbo_thomas"].isna().all()
    assert "predicted perfectly by the matching score" in res.attrs["notes"]
    assert dif(same, g)["chi2"].isna().all()  # MH: no stratum varies


def test_one_group_answering_alike_is_noted():
    x, g = _review_data()
    x.loc[g == "P", "i2"] = 1
    res = dif(x, g)
    row = res.loc["i2"]
    assert row["alpha_mh"] == 0 and np.isinf(row["delta_mh"]) and np.isnan(row["se_delta"])
    assert row["ets"] == "C"
    assert "item(s) ['i2']: the Mantel-Haenszel odds ratio is 0 or infinite" in res.attrs["notes"]
    assert "standard error is not available" in res.attrs["notes"]


def test_group_labels_differing_only_in_type():
    x, _ = _review_data()
    gm = pd.Series([1] * (len(x) // 2) + ["1"] * (len(x) // 2), dtype=object)
    with pytest.raises(ValueError, match=r"group 'group' holds values that differ only in type: .*astype\(str\)"):
        dif(x, gm)
