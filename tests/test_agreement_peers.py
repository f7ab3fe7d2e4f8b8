"""The agreement coefficients' input forms and options against their peers.

Reference values come from tests/fixtures/agreement/make_reference_peers.R (R 4.2, irrCAC 1.0, irr 0.84-1,
vcd 1.4-11, psych), stored in reference_peers.json with the data sets (CSV): irrCAC's vignette data
(cac.raw4raters, cac.raw5obser, distrib.6raters, cont3x3abstractors, cont4x4diagnosis) and irr's diagnoses,
anxiety and video.  The R call is named beside each comparison.  irrCAC prints coefficients and standard
errors of the raw-data functions rounded to 5 decimals (``round(x, 5)`` in its code): those are compared to
5e-6; its p, pa and pe are unrounded and compared to 1e-9.  The tests never run R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import psikometri as pk
from psikometri import agreement as ag

FIX = Path(__file__).parent / "fixtures" / "agreement"
REF = json.loads((FIX / "reference_peers.json").read_text())
RAW4 = pd.read_csv(FIX / "cac_raw4raters.csv")  # irrCAC::cac.raw4raters: 12 units x 4 raters, missing ratings
RAW5 = pd.read_csv(FIX / "cac_raw5obser.csv")  # irrCAC::cac.raw5obser: 15 units x 5 observers
DIST6 = pd.read_csv(FIX / "distrib_6raters.csv")  # irrCAC::distrib.6raters: 15 subjects x 5 categories
DIAGNOSES = pd.read_csv(FIX / "irr_diagnoses.csv")  # irr::diagnoses: 30 patients x 6 raters, 5 diagnoses
ANXIETY = pd.read_csv(FIX / "irr_anxiety.csv")  # irr::anxiety: 20 subjects x 3 raters, 1-6
VIDEO = pd.read_csv(FIX / "irr_video.csv")  # irr::video: 20 targets x 4 raters, 1-5

ROUNDED = 5e-6 + 1e-12  # irrCAC's round(x, 5)


def _w(name):
    return None if name.startswith("unweighted") else name.split("_")[0]


def check_irrcac(est, ref, *, p=True):
    """An Estimate against an irrCAC result (coefficient and se rounded to 5 decimals; pa, pe, p unrounded)."""
    assert est.extra["pa"] == pytest.approx(ref["pa"], rel=1e-9, abs=1e-12)
    assert est.extra["pe"] == pytest.approx(ref["pe"], rel=1e-9, abs=1e-12)
    assert est.value == pytest.approx(ref["coeff"], abs=ROUNDED)
    assert est.se == pytest.approx(ref["se"], abs=ROUNDED)
    # the unrounded coefficient follows from pa and pe
    assert est.value == pytest.approx((ref["pa"] - ref["pe"]) / (1 - ref["pe"]), rel=1e-9, abs=1e-12)
    if p:
        # irrCAC's p = 2 (1 - pt(|coef / se|, n - 1)) unrounded: checks se beyond its 5 printed decimals
        assert est.extra["pval"] == pytest.approx(ref["p"], rel=1e-7, abs=1e-13)


# ----------------------------------------------------------------------------- 1. Cohen's kappa from a table


@pytest.mark.parametrize("name", ["cont3x3abstractors", "cont4x4diagnosis"])
@pytest.mark.parametrize("weights,key", [(None, ""), ("linear", "_linear"), ("quadratic", "_quadratic")])
def test_cohen_kappa_table_matches_vcd(name, weights, key):
    ref = REF[name]
    tab = pd.DataFrame(ref["table"], index=ref["labels"], columns=ref["labels"])
    est = ag.cohen_kappa(table=tab, weights=weights)
    # vcd::Kappa(as.matrix(<table>)) and vcd::Kappa(..., weights = "Fleiss-Cohen"): value and ASE
    assert est.value == pytest.approx(ref["kappa" + key], abs=1e-12)
    assert est.se == pytest.approx(ref["ase" + key], abs=1e-12)
    assert est.extra["categories"] == ref["labels"]
    assert est.n == int(np.sum(ref["table"]))


@pytest.mark.parametrize("name", ["cont3x3abstractors", "cont4x4diagnosis"])
def test_cohen_kappa_table_matches_irrcac_and_statsmodels(name):
    from statsmodels.stats.inter_rater import cohens_kappa

    ref = REF[name]
    tab = np.array(ref["table"])
    est = ag.cohen_kappa(table=tab)
    # irrCAC::kappa2.table(as.matrix(<table>)): kappa (its standard error is Gwet's, not Fleiss-Cohen-Everitt)
    assert est.value == pytest.approx(ref["irrcac"]["coeff"], abs=1e-12)
    # statsmodels.stats.inter_rater.cohens_kappa(table): kappa, its standard error and the null one
    sm = cohens_kappa(tab)
    assert est.value == pytest.approx(sm.kappa, abs=1e-12)
    assert est.se == pytest.approx(sm.std_kappa, abs=1e-12)
    assert est.extra["se0"] == pytest.approx(sm.std_kappa0, abs=1e-12)


def test_cohen_kappa_table_equals_the_ratings_it_counts():
    tab = np.array(REF["cont4x4diagnosis"]["table"])
    # rebuild the two raters' ratings from the table
    a = np.repeat(np.arange(4), tab.sum(axis=1))
    b = np.concatenate([np.repeat(np.arange(4), tab[i]) for i in range(4)])
    for weights in (None, "linear", "quadratic"):
        e_tab = ag.cohen_kappa(table=tab, weights=weights)
        e_raw = ag.cohen_kappa(a, b, weights=weights)
        assert (e_tab.value, e_tab.se, e_tab.ci_low, e_tab.ci_high, e_tab.n) == (
            e_raw.value, e_raw.se, e_raw.ci_low, e_raw.ci_high, e_raw.n)
        assert e_tab.extra["se0"] == e_raw.extra["se0"]
        assert np.array_equal(e_tab.extra["table"], e_raw.extra["table"])
    # labels from categories=; text labels in a table are ordered by the table itself
    e = ag.cohen_kappa(table=tab, categories=["a", "b", "c", "d"], weights="linear")
    assert e.extra["categories"] == ["a", "b", "c", "d"]
    assert e.value == ag.cohen_kappa(a, b, weights="linear").value


def test_cohen_kappa_table_input_is_not_modified_and_errors():
    tab = pd.DataFrame([[5, 1], [2, 4]], index=["ya", "tidak"], columns=["ya", "tidak"])
    before = tab.copy()
    ag.cohen_kappa(table=tab, weights="linear")
    pd.testing.assert_frame_equal(tab, before)
    with pytest.raises(ValueError, match="square"):
        ag.cohen_kappa(table=[[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="non-negative finite counts.*row 1, column 0"):
        ag.cohen_kappa(table=[[1, 2], [-1, 3]])
    with pytest.raises(ValueError, match="non-negative finite counts"):
        ag.cohen_kappa(table=[[1, 2], [np.nan, 3]])
    with pytest.raises(TypeError, match="table column 'b' is not numeric"):
        ag.cohen_kappa(table=pd.DataFrame({"a": [1, 2], "b": ["x", 3]}))
    with pytest.raises(ValueError, match="categories has 3 entries but table is 2 x 2"):
        ag.cohen_kappa(table=[[1, 2], [3, 4]], categories=[1, 2, 3])
    with pytest.raises(ValueError, match="either the two raters' ratings"):
        ag.cohen_kappa([1, 2], [1, 2], table=[[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="needs the ratings of two raters"):
        ag.cohen_kappa([1, 2, 3])
    with pytest.raises(ValueError, match="must be None, 'linear', 'quadratic' or a 2 x 2 matrix"):
        ag.cohen_kappa(table=[[1, 2], [3, 4]], weights=np.eye(3))


# ----------------------------------------------------------------------------- 2.-3. Gwet's framework

FAMILY = {"fleiss": ag.fleiss_kappa, "gwet": ag.gwet_ac, "bp": ag.brennan_prediger, "pa": ag.percent_agreement}


@pytest.mark.parametrize("coef", list(FAMILY))
@pytest.mark.parametrize("key", ["unweighted", "linear", "quadratic", "unweighted_N50", "linear_N50",
                                 "quadratic_N50"])
def test_family_raw_matches_irrcac(coef, key):
    # irrCAC::fleiss.kappa.raw / gwet.ac1.raw / bp.coeff.raw / pa.coeff.raw(cac.raw4raters, weights = w[, N = 50])
    n_pop = 50 if key.endswith("N50") else None
    est = FAMILY[coef](RAW4, weights=_w(key), N=n_pop)
    check_irrcac(est, REF["raw4"][key][coef])
    assert est.extra["N"] == n_pop


@pytest.mark.parametrize("coef", list(FAMILY))
@pytest.mark.parametrize("key", ["unweighted", "linear", "quadratic"])
def test_family_raw_five_observers_matches_irrcac(coef, key):
    # irrCAC::<coefficient>.raw(cac.raw5obser, weights = w): 15 units, 5 observers, missing ratings, 0-4 scale
    check_irrcac(FAMILY[coef](RAW5, weights=_w(key)), REF["raw5"][key][coef])


@pytest.mark.parametrize("coef", list(FAMILY))
@pytest.mark.parametrize("key", ["unweighted", "linear", "quadratic", "unweighted_N100", "linear_N100",
                                 "quadratic_N100"])
def test_family_counts_match_irrcac_dist(coef, key):
    # irrCAC::fleiss.kappa.dist / gwet.ac1.dist / bp.coeff.dist / pa.coeff.dist(distrib.6raters, weights = w
    # [, N = 100]); the *.dist functions return unrounded values
    ref = REF["dist6"][key][coef]
    est = FAMILY[coef](DIST6, counts=True, weights=_w(key), N=100 if key.endswith("N100") else None)
    assert est.value == pytest.approx(ref["coeff"], rel=1e-12, abs=1e-14)
    assert est.se == pytest.approx(ref["se"], rel=1e-12)
    assert est.extra["pa"] == pytest.approx(ref["pa"], rel=1e-12)
    assert est.extra["pe"] == pytest.approx(ref["pe"], rel=1e-12, abs=1e-15)
    if not (coef == "fleiss" and key.startswith("unweighted")):  # unweighted Fleiss: pval is the z test of se0
        assert est.extra["pval"] == pytest.approx(ref["p"], rel=1e-9, abs=1e-14)
    assert est.extra["categories"] == list(DIST6.columns)


def test_finite_population_correction_scales_the_variance_only():
    for fn in FAMILY.values():
        full = fn(RAW4, weights="quadratic")
        part = fn(RAW4, weights="quadratic", N=30)
        assert part.value == full.value
        assert part.se == pytest.approx(full.se * np.sqrt(1 - 12 / 30), rel=1e-13)
        assert fn(RAW4, N=12).se == 0.0  # the whole population was rated: no sampling error
        assert fn(RAW4, N=np.inf).se == fn(RAW4).se
    with pytest.raises(ValueError, match="N=5 .* must be at least 12"):
        ag.gwet_ac(RAW4, N=5)
    with pytest.raises(TypeError, match="N must be the population size"):
        ag.fleiss_kappa(RAW4, N="100")


def test_weighted_fleiss_with_a_custom_asymmetric_matrix_matches_irrcac():
    ref = REF["raw4_matrix"]
    wm = np.array(ref["weights"])
    # irrCAC::fleiss.kappa.raw(cac.raw4raters, weights = wm) (categories 1-4 observed, 5 in the matrix)
    check_irrcac(ag.fleiss_kappa(RAW4, weights=wm, categories=[1, 2, 3, 4, 5]), ref["fleiss"])
    # irrCAC::gwet.ac1.raw(cac.raw4raters, weights = wm)
    check_irrcac(ag.gwet_ac(RAW4, weights=wm, categories=[1, 2, 3, 4, 5]), ref["gwet"])
    with pytest.raises(ValueError, match="5 x 5 matrix"):
        ag.fleiss_kappa(RAW4, weights=np.eye(4), categories=[1, 2, 3, 4, 5])


def test_weighted_fleiss_kappa_of_two_raters_is_scotts_pi_and_unweighted_is_unchanged():
    d = RAW4.dropna(subset=["Rater1", "Rater2"])[["Rater1", "Rater2"]]
    a, b = d["Rater1"].to_numpy(), d["Rater2"].to_numpy()
    cats = sorted(set(a) | set(b))
    w = 1 - (np.subtract.outer(np.arange(len(cats)), np.arange(len(cats))) / (len(cats) - 1)) ** 2
    idx = {c: i for i, c in enumerate(cats)}
    pa = np.mean([w[idx[x], idx[y]] for x, y in zip(a, b)])
    pi = (np.bincount([idx[x] for x in a], minlength=len(cats)) + np.bincount([idx[y] for y in b],
                                                                            minlength=len(cats))) / (2 * len(a))
    pe = pi @ w @ pi
    assert ag.fleiss_kappa(d, weights="quadratic").value == pytest.approx((pa - pe) / (1 - pe), abs=1e-14)
    # identity weights as a matrix give the unweighted value
    assert ag.fleiss_kappa(DIAGNOSES, weights=np.eye(5)).value == pytest.approx(ag.fleiss_kappa(DIAGNOSES).value,
                                                                               abs=1e-14)
    est = ag.fleiss_kappa(DIAGNOSES, weights="quadratic", categories=sorted(pd.unique(DIAGNOSES.to_numpy().ravel())))
    assert est.method == "weighted_fleiss_kappa" and "per_category" not in est.extra


def test_fleiss_counts_fractional_match_statsmodels_randolph_table():
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    # statsmodels' test_fleis_randolph: values of Randolph's online calculator
    tab = pd.DataFrame([[6.99, 0.01], [6.99, 0.01]])
    assert ag.fleiss_kappa(tab, counts=True).value == pytest.approx(-0.166667, abs=6e-6)
    assert ag.percent_agreement(tab, counts=True).value == pytest.approx(0.996671, abs=6e-6)
    assert ag.brennan_prediger(tab, counts=True).value == pytest.approx(0.993343, abs=6e-6)  # free-marginal
    tab = pd.DataFrame([[7, 1], [3, 5]])
    assert ag.fleiss_kappa(tab, counts=True).value == pytest.approx(0.161905, abs=6e-6)
    assert ag.percent_agreement(tab, counts=True).value == pytest.approx(0.607143, abs=6e-6)
    assert ag.brennan_prediger(tab, counts=True).value == pytest.approx(0.214286, abs=6e-6)
    # statsmodels' fleiss_kappa(table) on a fractional table of irr's diagnoses shares
    rng = np.random.default_rng(15)
    frac = rng.dirichlet(np.ones(4), size=25) * 6
    assert ag.fleiss_kappa(pd.DataFrame(frac), counts=True).value == pytest.approx(sm_fleiss(frac), abs=1e-13)


def test_counts_equal_the_ratings_they_count():
    from statsmodels.stats.inter_rater import aggregate_raters

    tab, cats = aggregate_raters(DIAGNOSES.to_numpy())
    ctab = pd.DataFrame(tab, columns=cats)
    for name, fn in FAMILY.items():
        for w in (None, "quadratic"):
            e_raw = fn(DIAGNOSES, weights=w, categories=list(cats))
            e_cnt = fn(ctab, counts=True, weights=w)
            assert e_cnt.value == pytest.approx(e_raw.value, abs=1e-14), name
            assert e_cnt.se == pytest.approx(e_raw.se, abs=1e-14), name


def test_count_table_errors_and_input_not_modified():
    good = DIST6.copy()
    ag.gwet_ac(DIST6, counts=True, weights="linear", N=40)
    pd.testing.assert_frame_equal(DIST6, good)
    neg = DIST6.copy()
    neg.iloc[2, 1] = -1
    with pytest.raises(ValueError, match="non-negative finite counts; row 2, column 'Personality.Disorder' holds -1"):
        ag.gwet_ac(neg, counts=True)
    txt = DIST6.astype(object)  # numbers in object columns are counts too
    assert ag.brennan_prediger(txt, counts=True).value == ag.brennan_prediger(DIST6, counts=True).value
    txt.iloc[0, 0] = "dua"
    with pytest.raises(TypeError, match=r"counts, but column 'Depression' is not numeric \(row 0 holds 'dua'\)"):
        ag.brennan_prediger(txt, counts=True)
    with pytest.raises(ValueError, match="non-negative finite counts"):
        ag.percent_agreement(DIST6.where(DIST6 > 0), counts=True)
    with pytest.raises(ValueError, match="categories has 3 entries but data has 5 category columns"):
        ag.fleiss_kappa(DIST6, counts=True, categories=[1, 2, 3])
    with pytest.raises(ValueError, match="cannot be combined with counts=True"):
        ag.gwet_ac(DIST6, counts=True, targets="a", raters="b", ratings="c")
    with pytest.raises(TypeError, match="counts must be True"):
        ag.gwet_ac(DIST6, counts="yes")


# ----------------------------------------------------------------------------- 4. Conger's kappa


def test_conger_kappa_is_exported():
    assert pk.conger_kappa is ag.conger_kappa
    assert "conger_kappa" in ag.__all__


@pytest.mark.parametrize("key", ["unweighted", "linear", "quadratic", "unweighted_N50", "linear_N50",
                                 "quadratic_N50"])
def test_conger_kappa_matches_irrcac_with_missing_ratings(key):
    # irrCAC::conger.kappa.raw(cac.raw4raters, weights = w[, N = 50])
    est = ag.conger_kappa(RAW4, weights=_w(key), N=50 if key.endswith("N50") else None)
    check_irrcac(est, REF["raw4"][key]["conger"])


@pytest.mark.parametrize("key", ["unweighted", "linear", "quadratic"])
def test_conger_kappa_matches_irrcac_five_observers(key):
    # irrCAC::conger.kappa.raw(cac.raw5obser, weights = w)
    check_irrcac(ag.conger_kappa(RAW5, weights=_w(key)), REF["raw5"][key]["conger"])


def test_conger_kappa_matches_irr_and_irrcac_on_irr_data():
    # irr::kappam.fleiss(diagnoses, exact = TRUE) = 0.442; irrCAC::conger.kappa.raw(diagnoses)
    est = ag.conger_kappa(DIAGNOSES)
    assert est.value == pytest.approx(REF["diagnoses"]["kappam_exact"], abs=1e-12)
    check_irrcac(est, REF["diagnoses"]["conger"])
    # irr::kappam.fleiss(video, exact = TRUE); irrCAC::conger.kappa.raw(video[, weights = "quadratic"])
    est = ag.conger_kappa(VIDEO)
    assert est.value == pytest.approx(REF["video"]["kappam_exact"], abs=1e-12)
    check_irrcac(est, REF["video"]["conger"])
    check_irrcac(ag.conger_kappa(VIDEO, weights="quadratic"), REF["video"]["conger_quadratic"])
    # irrCAC::conger.kappa.raw(anxiety, weights = "linear")
    check_irrcac(ag.conger_kappa(ANXIETY, weights="linear"), REF["anxiety"]["conger_linear"])
    # irrCAC::conger.kappa.raw(cac.raw4raters, weights = wm): an asymmetric matrix, one unused category
    wm = np.array(REF["raw4_matrix"]["weights"])
    check_irrcac(ag.conger_kappa(RAW4, weights=wm, categories=[1, 2, 3, 4, 5]), REF["raw4_matrix"]["conger"])


def test_conger_kappa_of_two_raters_is_cohens_kappa():
    d = RAW5.dropna(subset=["Observer1", "Observer3"])[["Observer1", "Observer3"]]
    for w in (None, "linear", "quadratic"):
        c = ag.conger_kappa(d, weights=w, categories=[0, 1, 2, 3, 4])
        k = ag.cohen_kappa(d["Observer1"], d["Observer3"], weights=w, categories=[0, 1, 2, 3, 4])
        assert c.value == pytest.approx(k.value, abs=1e-14)


def test_conger_kappa_long_labels_and_errors():
    long = DIAGNOSES.rename_axis("patient").reset_index().melt(id_vars="patient", var_name="rater",
                                                              value_name="dx")
    before = long.copy()
    assert ag.conger_kappa(long, targets="patient", raters="rater", ratings="dx").value == pytest.approx(
        ag.conger_kappa(DIAGNOSES).value, abs=1e-14)
    pd.testing.assert_frame_equal(long, before)
    # text labels: the same value as their codes; an ordered categorical gives the order for weights
    lab = {1: "rendah", 2: "cukup", 3: "sedang", 4: "baik", 5: "tinggi"}
    order = list(lab.values())
    txt = VIDEO.apply(lambda s: pd.Categorical(s.map(lab), categories=order, ordered=True))
    assert ag.conger_kappa(txt, weights="quadratic").value == pytest.approx(
        ag.conger_kappa(VIDEO, weights="quadratic", categories=[1, 2, 3, 4, 5]).value, abs=1e-14)
    with pytest.raises(ValueError, match="needs ordered categories"):
        ag.conger_kappa(VIDEO.apply(lambda s: s.map(lab)), weights="linear")
    with pytest.raises(ValueError, match=r"holds the value 5(\.0)?, which is not in categories=\[1, 2, 3, 4\]"):
        ag.conger_kappa(VIDEO, categories=[1, 2, 3, 4])
    with pytest.raises(ValueError, match="rater 'r3' has no rating"):
        ag.conger_kappa(pd.DataFrame({"r1": [1, 2, 1], "r2": [1, 2, 2], "r3": [np.nan] * 3}))
    with pytest.raises(ValueError, match="at least 2 raters"):
        ag.conger_kappa(VIDEO[["rater1"]])
    with pytest.raises(ValueError, match=r"a 4 x 4 matrix .*got shape \(3, 3\)"):  # video's ratings: 2-5
        ag.conger_kappa(VIDEO, weights=np.eye(3))
    with pytest.raises(ValueError, match="N=10 .* at least 20"):
        ag.conger_kappa(VIDEO, N=10)


# ----------------------------------------------------------------------------- 6. ICC: r0 and missing="omit"

IRR_FORMS = {"oneway_agreement_single": "ICC1", "oneway_agreement_average": "ICC1k",
             "twoway_agreement_single": "ICC2", "twoway_agreement_average": "ICC2k",
             "twoway_consistency_single": "ICC3", "twoway_consistency_average": "ICC3k"}


@pytest.mark.parametrize("data,key,r0", [(ANXIETY, "anxiety_icc_r0_3", 0.3), (VIDEO, "video_icc_r0_5", 0.5)])
def test_icc_r0_tests_match_irr(data, key, r0):
    out = ag.icc(data, r0=r0)
    assert out.attrs["r0"] == r0
    for form, ref in REF[key].items():
        # irr::icc(<data>, model, type, unit, r0 = r0): value, F, df1, df2, p for all six forms
        row = out.loc[IRR_FORMS[form]]
        assert row["icc"] == pytest.approx(ref["value"], abs=1e-12), form
        assert row["F"] == pytest.approx(ref["F"], rel=1e-12), form
        assert row["df1"] == ref["df1"], form
        assert row["df2"] == pytest.approx(ref["df2"], rel=1e-12), form
        assert row["pval"] == pytest.approx(ref["p"], rel=1e-10, abs=1e-15), form
        if IRR_FORMS[form] != "ICC2k":  # irr's ICC(A,k) interval is not McGraw & Wong's (psych's, used here)
            assert row["ci_low"] == pytest.approx(ref["lbound"], abs=1e-12), form
            assert row["ci_high"] == pytest.approx(ref["ubound"], abs=1e-12), form
    # r0 changes the tests only
    base = ag.icc(data)
    pd.testing.assert_series_equal(out["icc"], base["icc"])
    pd.testing.assert_frame_equal(out[["ci_low", "ci_high"]], base[["ci_low", "ci_high"]])
    assert (out["F"] < base["F"]).all() and (out["pval"] > base["pval"]).all()


def test_icc_r0_zero_keeps_the_exact_tests_and_bad_r0():
    out = ag.icc(ANXIETY, r0=0)
    assert out.loc["ICC2", "df2"] == (20 - 1) * (3 - 1)  # psych::ICC's df; irr reports Satterthwaite df
    pd.testing.assert_frame_equal(out, ag.icc(ANXIETY))
    for bad in (-0.1, 1.0, "0.3", True, np.nan):
        with pytest.raises(ValueError, match="r0 must be a number in \\[0, 1\\)"):
            ag.icc(ANXIETY, r0=bad)


def test_icc_missing_omit_matches_psych_irr_and_pingouin():
    import pingouin as pg

    anx = pd.read_csv(FIX / "anxiety_missing.csv")  # irr's anxiety with 4 ratings of 3 subjects removed
    before = anx.copy()
    out = ag.icc(anx, missing="omit")
    pd.testing.assert_frame_equal(anx, before)
    assert out.attrs["n_omitted"] == 3 and out.attrs["n_targets"] == 17 and out.attrs["method"] == "anova"
    # psych::ICC(na.omit(anx_na), lmer = FALSE)
    ref = REF["anxiety_missing_psych"]
    for col, rcol in (("icc", "icc"), ("F", "F"), ("df1", "df1"), ("df2", "df2"), ("pval", "p"),
                      ("ci_low", "lower"), ("ci_high", "upper")):
        assert_allclose(out[col], ref[rcol], rtol=1e-10, atol=1e-12, err_msg=col)
    # irr::icc(anx_na, ...) drops incomplete subjects too: values
    for form, r in REF["anxiety_missing_icc"].items():
        assert out.loc[IRR_FORMS[form], "icc"] == pytest.approx(r["value"], abs=1e-12)
    # pingouin.intraclass_corr(..., nan_policy="omit")
    long = anx.rename_axis("t").reset_index().melt(id_vars="t", var_name="r", value_name="y")
    pgo = pg.intraclass_corr(long, targets="t", raters="r", ratings="y", nan_policy="omit")
    assert_allclose(pgo["ICC"], out["icc"], atol=1e-12)
    assert_allclose(pgo["F"], out["F"], rtol=1e-12)
    # long input, omit equals the complete rows given directly
    lo = ag.icc(long, targets="t", raters="r", ratings="y", missing="omit")
    pd.testing.assert_frame_equal(lo, out, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(ag.icc(anx.dropna()), out, check_exact=False, rtol=1e-13)
    with pytest.raises(ValueError, match="missing='omit'"):
        ag.icc(anx)
    with pytest.raises(ValueError, match="missing must be one of|missing="):
        ag.icc(anx, missing="drop")


# ----------------------------------------------------------------------------- 5. Krippendorff's alpha


@pytest.mark.parametrize("data,key", [(RAW4, "raw4"), (RAW5, "raw5")])
@pytest.mark.parametrize("w", ["unweighted", "linear", "quadratic"])
def test_krippendorff_weights_match_irrcac(data, key, w):
    # irrCAC::krippen.alpha.raw(<data>, weights = w): alpha = (pa - pe)/(1 - pe) from its unrounded pa, pe
    ref = REF[key][w]["krippen"]
    est = (ag.krippendorff_alpha(data, level_of_measurement="nominal") if w == "unweighted"
           else ag.krippendorff_alpha(data, weights=w))
    assert est.value == pytest.approx((ref["pa"] - ref["pe"]) / (1 - ref["pe"]), abs=1e-12)
    assert est.value == pytest.approx(ref["coeff"], abs=ROUNDED)


def test_krippendorff_weights_on_irr_video_and_identities():
    # irrCAC::krippen.alpha.raw(video, weights = "quadratic" / "linear"); video's ratings use 2-5
    for w in ("quadratic", "linear"):
        ref = REF["video"][f"krippen_{w}"]
        assert ag.krippendorff_alpha(VIDEO, weights=w).value == pytest.approx(
            (ref["pa"] - ref["pe"]) / (1 - ref["pe"]), abs=1e-12)
    # quadratic weights = interval alpha on the category positions, bootstrap included (same seed)
    q = ag.krippendorff_alpha(RAW4, weights="quadratic", n_boot=500, seed=3)
    i = ag.krippendorff_alpha(RAW4, level_of_measurement="interval", n_boot=500, seed=3)  # values 1-4
    assert q.value == pytest.approx(i.value, abs=1e-13)
    assert_allclose(q.extra["boot"], i.extra["boot"], atol=1e-12)
    # identity weights (a matrix) = nominal alpha
    q = int(pd.unique(RAW5.to_numpy().ravel()).size - RAW5.isna().any().any())  # categories observed
    assert ag.krippendorff_alpha(RAW5, weights=np.eye(q)).value == pytest.approx(
        ag.krippendorff_alpha(RAW5, level_of_measurement="nominal").value, abs=1e-13)
    assert ag.krippendorff_alpha(RAW5, weights="linear").method == "krippendorff_alpha (linear weights)"


def test_krippendorff_linear_weights_equal_pairwise_definition():
    # D_o and D_e by enumerating every ordered pair of values (Krippendorff 2011) with delta = |c - k|/(q - 1)
    x = RAW5.to_numpy()
    cats = sorted(set(x[~np.isnan(x)]))
    pos = {c: i for i, c in enumerate(cats)}
    units = [[pos[v] for v in row if not np.isnan(v)] for row in x]
    units = [u for u in units if len(u) >= 2]
    allv = [v for u in units for v in u]
    n = len(allv)
    dist = lambda a, b: abs(a - b) / (len(cats) - 1)  # noqa: E731
    d_o = sum(sum(dist(u[i], u[j]) for i in range(len(u)) for j in range(len(u)) if i != j) / (len(u) - 1)
              for u in units) / n
    d_e = sum(dist(a, b) for i, a in enumerate(allv) for j, b in enumerate(allv) if i != j) / (n * (n - 1))
    est = ag.krippendorff_alpha(RAW5, weights="linear")
    assert est.value == pytest.approx(1 - d_o / d_e, abs=1e-13)
    assert est.extra["D_o"] == pytest.approx(d_o, abs=1e-13)


LEVELS_ID = ["Rendah", "Cukup", "Menengah", "Baik", "Tinggi"]  # order stated, not alphabetical


def test_krippendorff_ordinal_labels_match_value_domain_and_irr():
    import krippendorff

    labels = RAW4.apply(lambda s: s.map(lambda v: LEVELS_ID[int(v) - 1] if v == v else None))
    before = labels.copy()
    est = ag.krippendorff_alpha(labels, level_of_measurement="ordinal", categories=LEVELS_ID)
    pd.testing.assert_frame_equal(labels, before)
    # krippendorff.alpha(reliability_data, level_of_measurement="ordinal", value_domain=...)
    rel = labels.T.fillna("nan").to_numpy(dtype=str)  # the package's missing label for strings
    ref = krippendorff.alpha(reliability_data=rel, level_of_measurement="ordinal", value_domain=LEVELS_ID)
    assert est.value == pytest.approx(ref, abs=1e-12)
    # irr::kripp.alpha(t(cac.raw4raters), method = "ordinal"): the same order as numbers
    assert est.value == pytest.approx(REF["raw4_kripp_ordinal"], abs=1e-12)
    # an ordered pandas Categorical states the order too; long format keeps it
    cat = labels.apply(lambda s: pd.Categorical(s, categories=LEVELS_ID, ordered=True))
    assert ag.krippendorff_alpha(cat, level_of_measurement="ordinal").value == pytest.approx(est.value, abs=1e-13)
    long = cat.rename_axis("unit").reset_index().melt(id_vars="unit", var_name="coder", value_name="level")
    long["level"] = pd.Categorical(long["level"], categories=LEVELS_ID, ordered=True)
    assert ag.krippendorff_alpha(long, level_of_measurement="ordinal", targets="unit", raters="coder",
                                 ratings="level").value == pytest.approx(est.value, abs=1e-13)
    # alphabetical order would be another (wrong) answer: the order matters
    alpha_sorted = ag.krippendorff_alpha(labels, level_of_measurement="ordinal", categories=sorted(LEVELS_ID))
    assert abs(alpha_sorted.value - est.value) > 1e-3
    # nominal: categories only check the labels; unused categories change nothing
    assert ag.krippendorff_alpha(labels, level_of_measurement="nominal", categories=LEVELS_ID + ["Sangat tinggi"]
                                 ).value == pytest.approx(ag.krippendorff_alpha(labels, level_of_measurement="nominal"
                                                                                 ).value, abs=1e-13)
    # weights on ordered labels = weights on their codes
    assert ag.krippendorff_alpha(cat, weights="linear").value == pytest.approx(
        ag.krippendorff_alpha(RAW4, weights="linear").value, abs=1e-13)


@pytest.mark.parametrize("lvl", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_value_counts_match_package(lvl):
    import krippendorff

    counts = DIST6.copy()
    counts.columns = [1, 2, 3, 4, 5]  # the values of the categories, for interval and ratio alpha
    est = ag.krippendorff_alpha(counts, level_of_measurement=lvl, value_counts=True)
    # krippendorff.alpha(value_counts=<units x values>, level_of_measurement=lvl)
    ref = krippendorff.alpha(value_counts=counts.to_numpy(), level_of_measurement=lvl,
                             value_domain=[1, 2, 3, 4, 5])
    assert est.value == pytest.approx(ref, abs=1e-12)
    # the same as the ratings the table counts
    wide = pd.DataFrame([np.repeat(counts.columns, row).tolist() for row in counts.to_numpy()])
    assert est.value == pytest.approx(ag.krippendorff_alpha(wide, level_of_measurement=lvl).value, abs=1e-13)


def test_krippendorff_value_counts_labels_weights_and_bootstrap():
    # text columns: their order is the order of the values
    est = ag.krippendorff_alpha(DIST6, value_counts=True, weights="quadratic", n_boot=200, seed=1)
    num = DIST6.set_axis([1, 2, 3, 4, 5], axis=1)
    ref = ag.krippendorff_alpha(num, value_counts=True, level_of_measurement="interval", n_boot=200, seed=1)
    assert est.value == pytest.approx(ref.value, abs=1e-13)
    assert_allclose(est.extra["boot"], ref.extra["boot"], atol=1e-12)
    assert est.extra["categories"] == list(DIST6.columns)
    assert ag.krippendorff_alpha(DIST6, value_counts=True, level_of_measurement="ordinal").value == pytest.approx(
        ag.krippendorff_alpha(num, value_counts=True, level_of_measurement="ordinal").value, abs=1e-13)


def test_krippendorff_new_options_errors():
    labels = RAW4.apply(lambda s: s.map(lambda v: LEVELS_ID[int(v) - 1] if v == v else None))
    with pytest.raises(ValueError, match="cannot be combined with level_of_measurement='ordinal'"):
        ag.krippendorff_alpha(RAW4, weights="linear", level_of_measurement="ordinal")
    with pytest.raises(ValueError, match="interval alpha uses the numbers themselves"):
        ag.krippendorff_alpha(RAW4, categories=[1, 2, 3, 4])
    with pytest.raises(ValueError, match="holds the value 'Baik', which is not in categories"):
        ag.krippendorff_alpha(labels, level_of_measurement="ordinal", categories=LEVELS_ID[:3])
    unordered = labels.apply(lambda s: pd.Categorical(s, categories=LEVELS_ID))
    with pytest.raises(ValueError, match="ordinal alpha needs ordered categories"):
        ag.krippendorff_alpha(unordered, level_of_measurement="ordinal")
    with pytest.raises(TypeError, match="'Rendah'.*For ordinal labels pass categories="):
        ag.krippendorff_alpha(labels, level_of_measurement="ordinal")
    with pytest.raises(ValueError, match="weights='quadratic' needs ordered categories"):
        ag.krippendorff_alpha(labels, weights="quadratic")
    with pytest.raises(ValueError, match=r"must be None, 'linear', 'quadratic' or a 5 x 5 matrix .*\(4, 4\)"):
        ag.krippendorff_alpha(RAW4, weights=np.eye(4))  # cac.raw4raters uses 1-5
    with pytest.raises(ValueError, match="weights must be one of|weights="):
        ag.krippendorff_alpha(RAW4, weights="ordinal")
    with pytest.raises(ValueError, match="whole numbers; row 0, column 'Depression' holds 0.5"):
        ag.krippendorff_alpha(DIST6.assign(Depression=[0.5] + [0] * 14), value_counts=True,
                              level_of_measurement="nominal")
    neg = DIST6.copy()
    neg.iloc[1, 1] = -2
    with pytest.raises(ValueError, match="non-negative finite counts; row 1"):
        ag.krippendorff_alpha(neg, value_counts=True, level_of_measurement="nominal")
    with pytest.raises(TypeError, match="interval and ratio alpha need numeric values.*'Depression'"):
        ag.krippendorff_alpha(DIST6, value_counts=True)
    with pytest.raises(TypeError, match="value_counts must be True"):
        ag.krippendorff_alpha(DIST6, value_counts=1)
    with pytest.raises(ValueError, match="cannot be combined with value_counts=True"):
        ag.krippendorff_alpha(DIST6, value_counts=True, targets="a", raters="b", ratings="c")


def test_krippendorff_on_complete_data_where_irr_differs():
    # irr::kripp.alpha(x, "interval") prints 0.0460571924 on these complete data (irr_kripp_alpha_complete.R);
    # Krippendorff's definition, as the krippendorff package computes it, gives 0.0513864818
    import krippendorff

    x = pd.read_csv(Path(__file__).parent / "fixtures" / "agreement" / "kripp_complete_3x30.csv")
    ours = pk.krippendorff_alpha(x, level_of_measurement="interval").value
    ref = krippendorff.alpha(reliability_data=x.T.to_numpy(dtype=float), level_of_measurement="interval")
    assert abs(ours - ref) < 1e-12
    assert abs(ours - 0.0513864818) < 1e-9 and abs(ours - 0.0460571924) > 1e-3
