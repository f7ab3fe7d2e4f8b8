"""Tests of psikometri.fairness.

R references from tests/fixtures/validity/make_reference.R (fisher.test, prop.test with
correct = FALSE, metafor::escalc(measure = "SMD"), lm/anova); hand-computed tables below.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from psikometri import fairness as F

FIX = Path(__file__).parent / "fixtures" / "validity"
REF = json.loads((FIX / "reference.json").read_text())
DATA = pd.read_csv(FIX / "data.csv")
TOL = 1e-8


# ---------------------------------------------------------------------------------------------
# adverse impact
# ---------------------------------------------------------------------------------------------
def test_adverse_impact_hand_computed_table():
    # men 60 applicants, 30 selected (50%); women 40 applicants, 12 selected (30%)
    d = pd.DataFrame({"gender": ["L"] * 60 + ["P"] * 40, "selected": [1] * 30 + [0] * 30 + [1] * 12 + [0] * 28})
    ai = F.adverse_impact(d, group="gender", selected="selected")
    assert ai.attrs["reference"] == "L"
    assert ai["n"].tolist() == [60, 40] and ai["n_selected"].tolist() == [30, 12]
    assert ai.loc["P", "impact_ratio"] == pytest.approx(0.3 / 0.5, abs=1e-15)
    assert bool(ai.loc["P", "four_fifths_violation"]) and not bool(ai.loc["L", "four_fifths_violation"])
    # z by hand: pooled p = 42/100
    z = (0.3 - 0.5) / math.sqrt(0.42 * 0.58 * (1 / 40 + 1 / 60))
    assert ai.loc["P", "z"] == pytest.approx(z, abs=1e-12)
    assert ai.loc["P", "p_z"] == pytest.approx(2 * stats.norm.sf(abs(z)), abs=1e-12)
    # Fisher exact by hand: hypergeometric two-sided sum of tables no more probable than the observed
    hg = stats.hypergeom(100, 42, 40)  # population 100, 42 selected, draw the 40 women
    p_obs = hg.pmf(12)
    ks = np.arange(0, 41)
    pm = hg.pmf(ks)
    assert ai.loc["P", "p_fisher"] == pytest.approx(pm[pm <= p_obs * (1 + 1e-7)].sum(), abs=1e-10)
    assert np.isnan(ai.loc["L", ["z", "p_z", "p_fisher"]].to_numpy(dtype=float)).all()
    assert list(ai.columns) == ["n", "n_selected", "selection_rate", "impact_ratio", "ci_low", "ci_high",
                                "four_fifths_violation",
                                "z", "p_z", "p_fisher", "small_group"]


def test_adverse_impact_matches_r_and_flags_small_group():
    ref = REF["adverse"]
    ai = F.adverse_impact(DATA, group="grp", selected="selected")
    assert ai.attrs["reference"] == ref["reference"]
    assert ai["n"].tolist() == ref["n"]
    assert ai["n_selected"].tolist() == ref["n_selected"]
    np.testing.assert_allclose(ai["selection_rate"], ref["rate"], atol=1e-15)
    np.testing.assert_allclose(ai["impact_ratio"], ref["impact"], atol=1e-15)
    for g in ("A", "B", "C"):
        if g == ref["reference"]:
            continue
        assert ai.loc[g, "p_fisher"] == pytest.approx(ref[f"fisher_{g}"], abs=TOL)  # fisher.test(m)$p.value
        assert ai.loc[g, "z"] ** 2 == pytest.approx(ref[f"chisq_{g}"], abs=TOL)  # prop.test(correct=FALSE)
        assert ai.loc[g, "p_z"] == pytest.approx(ref[f"pz_{g}"], abs=TOL)
    assert ai["small_group"].tolist() == [False, False, True]  # group C has 4 members
    assert "fewer than 5" in ai.attrs["notes"]


def test_adverse_impact_given_reference_bool_decision_and_missing_rows():
    d = pd.DataFrame({"g": ["x", "x", "y", "y", "y", None], "s": [True, False, True, True, False, True]})
    ai = F.adverse_impact(d, group="g", selected="s", reference="x")
    assert ai.attrs["reference"] == "x"
    assert ai.loc["y", "impact_ratio"] == pytest.approx((2 / 3) / 0.5)
    assert "1 row(s)" in ai.attrs["notes"]
    with pytest.raises(ValueError, match="reference='z' is not a group"):
        F.adverse_impact(d, group="g", selected="s", reference="z")


def test_adverse_impact_errors():
    d = pd.DataFrame({"g": ["a", "b", "a"], "s": [1, 2, 0]})
    with pytest.raises(ValueError, match=r"must hold 1 \(selected\) or 0.*row 1 holds 2"):
        F.adverse_impact(d, group="g", selected="s")
    with pytest.raises(ValueError, match="at least two groups"):
        F.adverse_impact(pd.DataFrame({"g": ["a", "a"], "s": [1, 0]}), group="g", selected="s")
    with pytest.raises(ValueError, match="has no column"):
        F.adverse_impact(d, group="gender", selected="s")


# ---------------------------------------------------------------------------------------------
# subgroup differences
# ---------------------------------------------------------------------------------------------
def test_subgroup_differences_match_metafor_escalc():
    res = F.subgroup_differences(DATA, group="grp", score="ac")
    assert res.attrs["reference"] == "A"  # the largest group
    z = stats.norm.ppf(0.975)
    for g in ("B", "C"):
        ref = REF["smd"][g]
        assert res.loc[g, "d"] == pytest.approx(ref["d"], abs=TOL)
        assert res.loc[g, "g"] == pytest.approx(ref["g"], abs=TOL)  # escalc(measure = "SMD")$yi
        half = z * math.sqrt(ref["vg"])  # escalc(...)$vi
        assert res.loc[g, "g_ci_low"] == pytest.approx(ref["g"] - half, abs=TOL)
        assert res.loc[g, "g_ci_high"] == pytest.approx(ref["g"] + half, abs=TOL)
    assert res["small_group"].tolist() == [False, True]
    assert "fewer than 5" in res.attrs["notes"]


def test_subgroup_differences_hand_example():
    d = pd.DataFrame({"gender": ["L"] * 5 + ["P"] * 5, "oar": [3, 4, 5, 4, 4, 3, 3, 4, 2, 3]})
    res = F.subgroup_differences(d, group="gender", score="oar", level=0.90)
    # means 4 and 3, both SDs sqrt(.5): d = -1 / sqrt(.5)
    assert res.loc["P", "d"] == pytest.approx(-math.sqrt(2), abs=1e-12)
    # J(8) = Gamma(4) / (sqrt(4) Gamma(3.5)) = 6 / (2 * 3.32335097...) ; 1 - 3/(4*8 - 1) approx = .9032
    j8 = math.gamma(4) / (2 * math.gamma(3.5))
    assert res.loc["P", "g"] == pytest.approx(-math.sqrt(2) * j8, abs=1e-12)
    assert j8 == pytest.approx(1 - 3 / 31, abs=2e-3)
    vd = 0.4 + 2 / 20
    assert res.loc["P", "d_ci_high"] == pytest.approx(-math.sqrt(2) + stats.norm.ppf(0.95) * math.sqrt(vd), abs=1e-12)


# ---------------------------------------------------------------------------------------------
# differential prediction
# ---------------------------------------------------------------------------------------------
def test_differential_prediction_matches_r_anova():
    ref = REF["cleary"]
    d = DATA[DATA["grp"] != "C"]
    res = F.differential_prediction(d, predictor="ac", criterion="kinerja", group="grp")
    assert res.reference == "A"
    t = res.tests
    assert t.loc["slopes", "F"] == pytest.approx(ref["F_slopes"], rel=1e-8)  # anova(p2, p3)
    assert t.loc["slopes", "p"] == pytest.approx(ref["p_slopes"], rel=1e-6)
    assert t.loc["intercepts", "F"] == pytest.approx(ref["F_int"], rel=1e-8)  # anova(p1, p2)
    assert t.loc["intercepts", "p"] == pytest.approx(ref["p_int"], rel=1e-6, abs=1e-300)
    assert t.loc["omnibus", "F"] == pytest.approx(ref["F_omni"], rel=1e-8)  # anova(p1, p3)
    assert t.loc["intercepts", "df2"] == ref["df2_int"]
    np.testing.assert_allclose(res.coefficients["coef"], ref["coef"], atol=1e-8)  # coef(lm(kinerja ~ xc * grp))
    np.testing.assert_allclose(res.coefficients["se"], ref["se"], atol=1e-8)
    # per-group lines are the full model's intercept and slope sums
    b = ref["coef"]
    assert res.lines.loc["B", "intercept"] == pytest.approx(b[0] + b[2], abs=1e-8)
    assert res.lines.loc["B", "slope"] == pytest.approx(b[1] + b[3], abs=1e-8)
    assert "Cleary" in res.summary() and "<table" in res._repr_html_()


def test_differential_prediction_common_line_residuals_and_flags():
    rng = np.random.default_rng(9)
    n = 400
    g = np.where(rng.random(n) < 0.5, "L", "P")
    x = rng.normal(3, 0.5, n)
    y = 60 + 6 * x + np.where(g == "P", -2.0, 0.0) + rng.normal(0, 1, n)
    d = pd.DataFrame({"g": g, "x": x, "y": y})
    d.loc[:3, "g"] = "Q"  # four members: flagged
    res = F.differential_prediction(d, predictor="x", criterion="y", group="g")
    assert res.tests.loc["intercepts", "p"] < 1e-6
    assert res.lines.loc["P", "mean_residual_common"] < 0 < res.lines.loc["L", "mean_residual_common"]
    assert bool(res.lines.loc["Q", "small_group"]) and "fewer than 5" in res.note
    # the common line's residuals sum to zero over all groups
    assert (res.lines["n"] * res.lines["mean_residual_common"]).sum() == pytest.approx(0, abs=1e-8)


def test_differential_prediction_errors():
    d = pd.DataFrame({"g": ["a"] * 6 + ["b"], "x": np.arange(7.0), "y": np.arange(7.0) ** 2})
    with pytest.raises(ValueError, match="group 'b' has 1 member"):
        F.differential_prediction(d, predictor="x", criterion="y", group="g")
    with pytest.raises(ValueError, match="at least two groups"):
        F.differential_prediction(d.assign(g="a"), predictor="x", criterion="y", group="g")


def test_impact_ratio_interval_is_the_log_ratio_interval():
    # Morris & Lobsenz (2000): ln(IR) +- z sqrt((1 - p_g)/s_g + (1 - p_r)/s_r)
    d = pd.DataFrame({"gender": ["L"] * 60 + ["P"] * 40, "selected": [1] * 30 + [0] * 30 + [1] * 12 + [0] * 28})
    ai = F.adverse_impact(d, group="gender", selected="selected", level=0.90)
    ir = 0.3 / 0.5
    half = 1.6448536269514722 * np.sqrt((1 - 0.3) / 12 + (1 - 0.5) / 30)
    assert ai.loc["P", "ci_low"] == pytest.approx(ir * np.exp(-half), rel=1e-12)
    assert ai.loc["P", "ci_high"] == pytest.approx(ir * np.exp(half), rel=1e-12)
    assert np.isnan(ai.loc["L", "ci_low"])
    none = pd.DataFrame({"gender": ["L"] * 10 + ["P"] * 10, "selected": [1] * 5 + [0] * 5 + [0] * 10})
    assert np.isnan(F.adverse_impact(none, group="gender", selected="selected").loc["P", "ci_low"])
    with pytest.raises(ValueError, match="level"):
        F.adverse_impact(d, group="gender", selected="selected", level=1.5)


def test_categorical_groups_keep_their_order():
    d = pd.DataFrame({"age": pd.Categorical(["< 40"] * 6 + ["40-49"] * 6 + [">= 50"] * 6,
                                            categories=["< 40", "40-49", ">= 50"], ordered=True),
                      "oar": np.linspace(2, 4, 18)})
    sd = F.subgroup_differences(d, group="age", score="oar", reference="< 40")
    assert list(sd.index) == ["40-49", ">= 50"]  # the reference row is not listed; the others in category order
    assert (sd.loc[["40-49", ">= 50"], "d"] > 0).all()
