"""Tests of psikometri.validity against further peers: Thorndike Case I and the homogeneity test.

Reference values come from tests/fixtures/validity/make_reference_peers.R (R 4.2, psych 2.2.9
``rangeCorrection(case = 1)``, psychometric 2.3 ``rbar``/``varr``/``vare``/``Qrbar`` on the
package's data sets ABHt32 and HSJt35, exported to abht32.csv and hsjt35.csv).  I^2 is not in
psychometric: the script writes Higgins & Thompson's formula out by hand.
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

FIX = Path(__file__).parent / "fixtures" / "validity"
REF = json.loads((FIX / "reference_peers.json").read_text())
STUDIES = pd.read_csv(FIX / "studies.csv")
TOL = 1e-12


# ---------------------------------------------------------------------------------------------
# Thorndike Case I
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", REF["case_i"], ids=lambda r: f"r{r['r']}-u{r['u']}")
def test_case_i_matches_psych_rangeCorrection_case1(row):
    got = V.correct_range_restriction(row["r"], u=row["u"], case="I")
    # rangeCorrection(r, sdu = 1, sdr = u, case = 1): psych returns the positive root
    assert abs(got) == pytest.approx(row["case_i"], abs=TOL)
    # rangeCorrection(r, sdu = 12.5, sdr = 12.5 * u, case = 1): only the ratio matters
    assert abs(got) == pytest.approx(row["case_i_raw"], abs=1e-10)
    # psikometri keeps the sign of r
    assert math.copysign(1.0, got) == (-1.0 if row["r"] < 0 else 1.0)


def test_case_i_grid_covers_negative_r_and_no_restriction():
    rows = REF["case_i"]
    assert any(row["r"] < 0 for row in rows)
    for row in rows:
        if row["u"] == 1.0:  # no restriction: nothing to correct
            assert V.correct_range_restriction(row["r"], u=1.0, case="I") == pytest.approx(row["r"], abs=TOL)


@pytest.mark.parametrize("r", [-0.6, 0.1, 0.45])
@pytest.mark.parametrize("u", [0.5, 0.8])
def test_case_i_is_case_ii_with_the_roles_of_x_and_y_swapped(r, u):
    # Case I for selection on Y with the predictor's ratio u is Case II applied to the criterion:
    # the slope of X on Y is unchanged by selection on Y, r s_x / s_y = rho S_x / S_y, so the
    # criterion's ratio is uy = s_y / S_y = u r / rho.
    rho = V.correct_range_restriction(r, u=u, case="I")
    uy = u * r / rho
    assert V.correct_range_restriction(r, u=uy, case="II") == pytest.approx(rho, abs=1e-12)


def test_case_i_recovers_population_correlation_under_selection_on_the_criterion():
    rng = np.random.default_rng(7)
    n, rho = 400_000, 0.45
    x = rng.normal(size=n)
    y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=n)
    keep = y > np.quantile(y, 0.7)  # only the best-rated 30 % stay
    r_obs = float(np.corrcoef(x[keep], y[keep])[0, 1])
    u = float(x[keep].std() / x.std())
    got = V.correct_range_restriction(r_obs, u=u, case="I")
    assert r_obs < rho - 0.1
    assert got == pytest.approx(rho, abs=0.01)


def test_case_i_errors():
    with pytest.raises(ValueError, match="case='I' corrects observed-score correlations only"):
        V.correct_range_restriction(0.3, u=0.7, case="I", ryyi=0.6)
    with pytest.raises(ValueError, match="case='I' corrects observed-score correlations only"):
        V.correct_range_restriction(0.3, u=0.7, case="I", rxxa=0.8, true_score=True)
    with pytest.raises(ValueError, match=r"u must be in \(0, 1\]"):
        V.correct_range_restriction(0.3, u=1.2, case="I")
    with pytest.raises(ValueError, match="case must be one of"):
        V.correct_range_restriction(0.3, u=0.7, case="i")


# ---------------------------------------------------------------------------------------------
# homogeneity of the bare-bones meta-analysis
# ---------------------------------------------------------------------------------------------
def _data(name):
    if name == "meta_studies":
        return STUDIES
    df = pd.read_csv(FIX / f"{name.removeprefix('meta_')}.csv").rename(columns={"Rxy": "r"})
    return df


@pytest.mark.parametrize("name", ["meta_abht32", "meta_hsjt35", "meta_studies"])
def test_bare_bones_and_q_match_psychometric(name):
    ref = REF[name]
    data = _data(name)
    before = data.copy()
    bb = V.meta_analysis(data).bare_bones.iloc[0]
    pd.testing.assert_frame_equal(data, before)
    assert int(bb["k"]) == ref["k"]
    assert bb["mean_r"] == pytest.approx(ref["rbar"], abs=TOL)  # rbar(x)
    assert bb["var_obs"] == pytest.approx(ref["varr"], abs=TOL)  # varr(x)
    assert bb["var_e"] == pytest.approx(ref["vare"], abs=TOL)  # vare(x)
    assert bb["Q"] == pytest.approx(ref["Q"], abs=1e-10)  # Qrbar(x)[, "CHISQ"]
    assert int(bb["Q_df"]) == ref["Q_df"]  # Qrbar(x)[, "df"]
    assert bb["Q_p"] == pytest.approx(ref["Q_p"], abs=1e-12)  # Qrbar(x)[, "p-val"]
    assert bb["I2"] == pytest.approx(ref["I2"], abs=1e-10)  # hand: max(0, (Q - df) / Q) * 100


def test_references_span_heterogeneous_and_homogeneous_sets():
    assert REF["meta_abht32"]["Q_p"] < 0.01 and REF["meta_abht32"]["I2"] > 50
    assert REF["meta_studies"]["Q"] < REF["meta_studies"]["Q_df"] and REF["meta_studies"]["I2"] == 0


def test_q_is_zero_for_identical_studies_and_grows_with_spread():
    same = pd.DataFrame({"r": [0.3, 0.3, 0.3], "n": [50, 80, 120]})
    bb = V.meta_analysis(same).bare_bones.iloc[0]
    assert bb["Q"] == 0.0 and bb["I2"] == 0.0 and bb["Q_p"] == 1.0
    spread = pd.DataFrame({"r": [0.1, 0.3, 0.5], "n": [50, 80, 120]})
    wide = pd.DataFrame({"r": [-0.1, 0.3, 0.7], "n": [50, 80, 120]})
    q1 = V.meta_analysis(spread).bare_bones["Q"].iloc[0]
    q2 = V.meta_analysis(wide).bare_bones["Q"].iloc[0]
    assert 0 < q1 < q2
    assert V.meta_analysis(wide).bare_bones["Q_p"].iloc[0] == pytest.approx(stats.chi2.sf(q2, 2), rel=1e-12)


def test_q_is_only_in_the_bare_bones_table():
    res = V.meta_analysis(STUDIES, study="agency", ryyi="ryyi")
    assert {"Q", "Q_df", "Q_p", "I2"} <= set(res.bare_bones.columns)
    assert "Q" not in res.corrected.columns
