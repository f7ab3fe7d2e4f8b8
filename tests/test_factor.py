"""Tests for psikometri.factor (confirmatory factor analysis and measurement invariance).

Reference values: lavaan 0.6-14 in R 4.2, written by tests/fixtures/factor/make_reference.R to
tests/fixtures/factor/reference.json (``fitMeasures()`` and ``parameterEstimates(standardized = TRUE)`` of
each model; the R call is stored next to each model as ``call``).  Data: lavaan's HolzingerSwineford1939
(hs1939.csv, 301 pupils) and a constructed Heywood case (heywood.csv).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri.factor import CFAResult

FIX = Path(__file__).parent / "fixtures" / "factor"
REF = json.loads((FIX / "reference.json").read_text())
HS = """visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"""
# our fit-measure names -> lavaan's fitMeasures() names
FIT_NAMES = {"npar": "npar", "ntotal": "ntotal", "chisq": "chisq", "df": "df", "pvalue": "pvalue",
             "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df", "cfi": "cfi", "tli": "tli",
             "rmsea": "rmsea", "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper", "srmr": "srmr",
             "loglik": "logl", "unrestricted_loglik": "unrestricted.logl", "aic": "aic", "bic": "bic"}


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(FIX / "hs1939.csv")


def _merged(res: CFAResult, key: str) -> pd.DataFrame:
    ref = pd.DataFrame(REF[key]["estimates"])
    P = res.parameters.copy()
    P["group"] = P["group"].map({g: i + 1 for i, g in enumerate(res.groups)}) if "group" in P else 1
    m = ref.merge(P, on=["lhs", "op", "rhs", "group"], suffixes=("_r", ""), how="left", validate="one_to_one")
    assert len(m) == len(ref) == len(P)
    assert not m["est"].isna().any()
    return m


def _check(res: CFAResult, key: str, tol: float = 1e-4):
    """Every fit measure, estimate, SE and standardized value against lavaan (reference.json[key])."""
    fit = REF[key]["fit"]
    for ours, theirs in FIT_NAMES.items():
        assert res.fit[ours] == pytest.approx(fit[theirs], abs=tol, rel=1e-6), (key, ours)
    m = _merged(res, key)
    np.testing.assert_allclose(m["est"], m["est_r"], atol=tol)
    free = m["se_r"] > 0  # lavaan: se 0 for fixed parameters; ours NaN
    assert (free == m["free"]).all()
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_r"], atol=tol)
    np.testing.assert_allclose(m.loc[free, "z"], m.loc[free, "z_r"], atol=1e-3)
    np.testing.assert_allclose(m["std_all"], m["std.all"], atol=tol)
    np.testing.assert_allclose(m["std_lv"], m["std.lv"], atol=tol)
    assert res.converged == bool(REF[key]["converged"])


def test_hs1939_three_factor_matches_lavaan(hs):
    # lavaan: cfa(HS, data = hs) -- reference.json["hs_marker"]
    res = pk.cfa(hs, HS)
    _check(res, "hs_marker")
    assert res.admissible and res.reason == ""
    assert res.n == 301 and res.df == 24


def test_hs1939_std_lv_matches_lavaan(hs):
    # lavaan: cfa(HS, data = hs, std.lv = TRUE) -- reference.json["hs_std_lv"]
    _check(pk.cfa(hs, HS, std_lv=True), "hs_std_lv")
