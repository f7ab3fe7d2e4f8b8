"""Tests for psikometri.construct.ac_cfa_models (the AC confirmatory model set).

Reference values: lavaan 0.6-14 (R 4.2), ``cfa(syntax, data, std.lv = TRUE, estimator = "ML",
missing = "listwise")`` with the syntax built by tests/fixtures/construct/make_reference.R from the
candidate x (competency, exercise) matrices written by tests/fixtures/construct/make_data.py (simulated with
psikometri.simulate); the output is tests/fixtures/construct/reference_lavaan.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri.construct import AC_MODELS, _ac_specs, ac_cfa_models

FIX = Path(__file__).parent / "fixtures" / "construct"
REF = json.loads((FIX / "reference_lavaan.json").read_text())
GROUPS = REF["dimension_groups"]  # the broad dimensions used by make_reference.R
FIT = ("chisq", "df", "cfi", "rmsea", "srmr")


def _long(file: str) -> pd.DataFrame:
    """The fixture's candidate x ``competency__exercise`` matrix as long ratings (one row per scored cell)."""
    w = pd.read_csv(FIX / file, index_col=0)
    long = w.stack().rename("score").reset_index()
    long.columns = ["candidate", "cell", "score"]
    long[["competency", "exercise"]] = long["cell"].str.split("__", expand=True)
    return long.drop(columns="cell")


@pytest.fixture(scope="module")
def complete():
    return _long("ac_complete.csv")


@pytest.fixture(scope="module")
def incomplete():
    return _long("ac_incomplete.csv")
