"""Assessment occasions (re-assessed cohorts): loading, ordering, subsets and the simulator's earlier occasion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri.io import DataValidationError
from psikometri.simulate import add_previous_occasion, simulate_assessment


@pytest.fixture(scope="module")
def reassessed():
    sim = simulate_assessment({"jpt": (30, {"jpt_pratama": 1.0}), "kab": 20}, seed=11)
    return add_previous_occasion(sim, "jpt", years=5, seed=12)


def _write(sim, tmp_path, ratings=None, candidates=None):
    (ratings if ratings is not None else sim.ratings).to_csv(tmp_path / "ratings.csv", index=False)
    (candidates if candidates is not None else sim.candidates).to_csv(tmp_path / "candidates.csv", index=False)
    return tmp_path


def test_simulator_links_persons_across_occasions(reassessed):
    t = reassessed.truth["reassessment"]
    r = reassessed.ratings
    assert t["occasions"] == ["2021", "2026"] and t["dates"] == ["2021-08-17", "2026-08-17"]
    then = set(r.loc[(r.agency == "jpt") & (r.occasion == "2021"), "candidate"])
    now = set(r.loc[(r.agency == "jpt") & (r.occasion == "2026"), "candidate"])
    assert len(then & now) == t["n_both"] == 24 and len(then - now) == t["n_first_only"] == 6
    assert len(now - then) == t["n_second_only"] == 6
    assert set(r.loc[r.agency == "kab", "occasion"]) == {"2026"}
    # every person rated has one candidates row; the truth's change covers exactly the persons seen twice
    assert set(r["candidate"]) <= set(reassessed.candidates["candidate"])
    assert reassessed.candidates["candidate"].is_unique
    assert set(reassessed.truth["reassessment_change"].index) == then & now
    # some assessors are new at the earlier occasion, some rated at both
    a_then = set(r.loc[(r.agency == "jpt") & (r.occasion == "2021"), "assessor"])
    a_now = set(r.loc[(r.agency == "jpt") & (r.occasion == "2026"), "assessor"])
    assert a_then & a_now and a_then - a_now


def test_simulated_retest_gain_is_recovered(reassessed):
    # mean OAR change of the persons seen twice ~ retest gain + mean real change (known), within sampling error
    r = reassessed.ratings[reassessed.ratings.agency == "jpt"]
    oar = r.groupby(["occasion", "candidate"])["score"].mean().unstack(0).dropna()
    change = (oar["2026"] - oar["2021"]).mean()
    truth = reassessed.truth["reassessment_change"].mean()
    se = (oar["2026"] - oar["2021"]).std(ddof=1) / np.sqrt(len(oar))
    assert abs(change - truth) < 4 * se


def test_add_previous_occasion_is_reproducible_and_checks_arguments():
    sim = simulate_assessment({"a": 12}, seed=1)
    a = add_previous_occasion(sim, "a", seed=5).ratings
    b = add_previous_occasion(sim, "a", seed=5).ratings
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="agency='x' is not in the simulation"):
        add_previous_occasion(sim, "x")
    with pytest.raises(ValueError, match="attrition must be in"):
        add_previous_occasion(sim, "a", attrition=1.0)
    with pytest.raises(ValueError, match="years must be a positive integer"):
        add_previous_occasion(sim, "a", years=0)


def test_loader_reads_occasions_in_time_order(reassessed, tmp_path):
    data = pk.load_assessment(_write(reassessed, tmp_path), warn=False)
    assert data.occasions == ["2021", "2026"]
    assert data.ratings["occasion"].cat.ordered
    assert pd.api.types.is_datetime64_any_dtype(data.ratings["assessment_date"])
    jpt = data.for_agency("jpt")
    first = jpt.for_occasion("2021")
    assert first.occasions == ["2021"] and len(first.ratings) == int((reassessed.ratings.occasion == "2021").sum())
    assert set(first.candidates["candidate"]) == set(first.ratings["candidate"])
    assert data.summary().loc["jpt", "occasions"] == 2
    with pytest.raises(ValueError, match=r"occasion='2030' is not in the data; the occasions are \['2021', '2026'\]"):
        data.for_occasion("2030")


def test_occasion_order_from_dates_then_numbers(tmp_path):
    sim = simulate_assessment({"a": 10}, seed=2)
    r = sim.ratings.copy()
    half = r["candidate"].isin(sorted(set(r["candidate"]))[:5])
    # labels whose alphabetical order is wrong: "siklus 10" after "siklus 9"
    r["siklus"] = np.where(half, "siklus 9", "siklus 10")
    data = pk.load_assessment(_write(sim, tmp_path, ratings=r), warn=False)
    assert data.occasions == ["siklus 9", "siklus 10"]
    # dates decide when given (day-first, as typed in Indonesia)
    r["tanggal_asesmen"] = np.where(half, "02/03/2025", "15/01/2024")
    data = pk.load_assessment(_write(sim, tmp_path, ratings=r), warn=False)
    assert data.occasions == ["siklus 10", "siklus 9"]
    assert data.ratings["assessment_date"].min() == pd.Timestamp("2024-01-15")


def test_occasions_without_a_shared_person_are_named(tmp_path):
    sim = simulate_assessment({"a": 10}, seed=3)
    r = sim.ratings.copy()
    r["occasion"] = np.where(r["candidate"].isin(sorted(set(r["candidate"]))[:5]), "2022", "2025")
    with pytest.warns(pk.io.DataWarning, match="occasions '2022' and '2025' share no candidate"):
        pk.load_assessment(_write(sim, tmp_path, ratings=r))


def test_same_rating_twice_in_one_occasion_is_an_error_but_not_across_occasions(tmp_path):
    sim = simulate_assessment({"a": 10}, seed=4)
    r = sim.ratings.copy()
    both = pd.concat([r.assign(occasion="2021"), r.assign(occasion="2026")], ignore_index=True)
    data = pk.load_assessment(_write(sim, tmp_path, ratings=both), warn=False)
    assert len(data.ratings) == 2 * len(r)
    dup = pd.concat([both, both.iloc[[3]]], ignore_index=True)
    with pytest.raises(DataValidationError, match="x occasion"):
        pk.load_assessment(_write(sim, tmp_path, ratings=dup), warn=False)


def test_unreadable_assessment_date_is_named(tmp_path):
    sim = simulate_assessment({"a": 10}, seed=5)
    r = sim.ratings.assign(occasion="2026", assessment_date="2026-08-17")
    r.loc[7, "assessment_date"] = "17 Agustus"
    with pytest.raises(DataValidationError, match=r"assessment date\(s\) could not be read \(e.g. '17 Agustus'\)"):
        pk.load_assessment(_write(sim, tmp_path, ratings=r), warn=False)


def test_candidates_with_an_occasion_column_have_one_row_per_occasion(tmp_path):
    sim = simulate_assessment({"a": 10}, seed=6)
    r = pd.concat([sim.ratings.assign(occasion="1"), sim.ratings.assign(occasion="2")], ignore_index=True)
    c = pd.concat([sim.candidates.assign(occasion="1"), sim.candidates.assign(occasion="2")], ignore_index=True)
    data = pk.load_assessment(_write(sim, tmp_path, ratings=r, candidates=c), warn=False)
    assert len(data.for_occasion("2").candidates) == 10
    with pytest.raises(DataValidationError, match="appear more than once"):
        pk.load_assessment(_write(sim, tmp_path, ratings=r, candidates=pd.concat([c, c.iloc[[0]]])), warn=False)


def test_data_without_occasions():
    data = pk.load_assessment("data_samples", warn=False).for_agency("kab_sukamaju")
    assert data.occasions == ["2026"]
    sim = simulate_assessment({"a": 10}, seed=7)
    plain = pk.io.AssessmentData(sim.ratings, sim.candidates)
    assert plain.occasions == []
    with pytest.raises(ValueError, match="for_occasion needs an 'occasion' column"):
        plain.for_occasion("2026")


def test_occasion_dates_and_results_older_than_three_years(reassessed, tmp_path):
    data = pk.load_assessment(_write(reassessed, tmp_path), warn=False)
    dates = data.occasion_dates()
    assert list(dates.index) == ["2021", "2026"]
    assert dates["2021"] == pd.Timestamp("2021-08-17") and dates["2026"] == pd.Timestamp("2026-08-17")
    assert data.expired_occasions() == ["2021"]
    assert data.expired_occasions(years=6) == []
    # without dates, year labels stand for 1 January of the year; other labels have no date
    r = reassessed.ratings.drop(columns="assessment_date")
    data = pk.load_assessment(_write(reassessed, tmp_path, ratings=r), warn=False)
    assert data.occasion_dates()["2021"] == pd.Timestamp("2021-01-01")
    assert data.expired_occasions() == ["2021"]
    r["occasion"] = r["occasion"].map({"2021": "siklus 1", "2026": "siklus 2"})
    data = pk.load_assessment(_write(reassessed, tmp_path, ratings=r), warn=False)
    assert data.occasion_dates().isna().all() and data.expired_occasions() == []
