"""The simulator: reproducibility, structure, and recovery of the truth it states."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from psikometri.simulate import COMPETENCY_IDS, EXERCISE_DESIGN, simulate_assessment


def test_same_seed_same_data_and_different_seed_differs():
    a = simulate_assessment({"x": 50}, seed=11)
    b = simulate_assessment({"x": 50}, seed=11)
    c = simulate_assessment({"x": 50}, seed=12)
    pd.testing.assert_frame_equal(a.ratings, b.ratings)
    pd.testing.assert_frame_equal(a.candidates, b.candidates)
    assert not a.ratings["score"].equals(c.ratings["score"])


def test_structure_and_nesting():
    sim = simulate_assessment({"x": 60, "y": 30}, seed=1, missing_rate=0.0)
    r = sim.ratings
    assert set(r["competency"]) == set(COMPETENCY_IDS)
    # assessors nested in exercises and agencies
    assert (r.groupby("assessor")["exercise"].nunique() == 1).all()
    assert (r.groupby("assessor")["agency"].nunique() == 1).all()
    # every candidate x cell rated by exactly 2 distinct assessors
    per = r.groupby(["candidate", "competency", "exercise"])["assessor"].agg(["size", "nunique"])
    assert (per["size"] == 2).all() and (per["nunique"] == 2).all()
    n_cells = sum(len(v) for v in EXERCISE_DESIGN.values())
    assert len(r) == 90 * n_cells * 2
    assert r["score"].between(1, 5).all() and np.allclose(r["score"] * 2, np.round(r["score"] * 2))
    c = sim.candidates
    assert c["candidate"].is_unique and c["candidate"].str.len().eq(18).all()
    # performance observed only for the selected
    assert c.loc[c["selected"] == 0, "performance"].isna().all()
    assert c.loc[c["selected"] == 1, "performance"].notna().all()


def test_session_assignment_keeps_each_panel_with_its_session():
    """assignment="sessions": fixed panels per session; assessors meet only their session's candidates."""
    n, ape, cpa = 240, 2, 20
    sim = simulate_assessment({"x": n}, seed=3, missing_rate=0.0, assignment="sessions",
                              assessors_per_exercise=ape, candidates_per_assessor=cpa)
    r = sim.ratings
    per = r.groupby(["candidate", "competency", "exercise"])["assessor"].agg(["size", "nunique"])
    assert (per["size"] == ape).all() and (per["nunique"] == ape).all()
    # a candidate has one panel per exercise (the same assessors for every competency of the exercise)
    assert (r.groupby(["candidate", "exercise"])["assessor"].nunique() == ape).all()
    # the candidate-assessor graph splits into pool // ape sessions of near-equal size
    n_sessions = (n * ape // cpa) // ape
    panel = r.groupby("candidate")["assessor"].apply(lambda a: tuple(sorted(set(a))))
    sizes = panel.value_counts()
    assert len(sizes) == n_sessions and sizes.max() - sizes.min() <= 1
    assessors = [set(p) for p in sizes.index]
    assert sum(len(a) for a in assessors) == len(set().union(*assessors))  # no assessor in two sessions
    # random assignment (the default) mixes assessors across candidates
    rnd = simulate_assessment({"x": n}, seed=3, missing_rate=0.0, assessors_per_exercise=ape,
                              candidates_per_assessor=cpa).ratings
    assert rnd.groupby("candidate")["assessor"].apply(lambda a: tuple(sorted(set(a)))).nunique() > n // 2


def test_missing_rate():
    sim = simulate_assessment({"x": 400}, seed=2, missing_rate=0.2)
    cells = sim.ratings.groupby(["candidate", "competency", "exercise"]).ngroups
    n_cells = 400 * sum(len(v) for v in EXERCISE_DESIGN.values())
    assert abs(1 - cells / n_cells - 0.2) < 0.02


def test_recovers_variance_components_on_latent_scale():
    """Balanced crossed design, no rounding: simple ANOVA-type moment estimates match the truth."""
    sim = simulate_assessment({"x": 3000}, seed=5, design="crossed", missing_rate=0.0, rounding=None,
                              assessors_per_exercise=1, var_assessor=0.0, var_competency=0.0, var_exercise=0.0)
    r = sim.ratings
    y = r.pivot_table(index="candidate", columns=["competency", "exercise"], values="score").to_numpy()
    n, k = y.shape
    vc = sim.truth["variance_components"]
    # variance of candidate means minus error share -> person variance (within one position level mix: use residual
    # around level means), checked loosely against the truth
    pm = sim.candidates.set_index("candidate").loc[r.pivot_table(index="candidate", columns=["competency", "exercise"],
                                                                 values="score").index, "position_level"]
    means = pd.Series(y.mean(axis=1)).groupby(pm.to_numpy()).transform(lambda s: s - s.mean()).to_numpy()
    n_d, n_e = 9, len(EXERCISE_DESIGN)
    expected_var_mean = vc["candidate"] + vc["candidate:competency"] / n_d + vc["candidate:exercise"] / n_e + vc[
        "candidate:competency:exercise:assessor"] / (n_d * n_e)
    assert means.var(ddof=1) == pytest.approx(expected_var_mean, rel=0.08)
    # within-candidate total variance
    within = y - y.mean(axis=1, keepdims=True)
    exp_within = (vc["candidate:competency"] * (n_d - 1) / n_d + vc["candidate:exercise"] * (n_e - 1) / n_e
                  + vc["candidate:competency:exercise:assessor"] * (1 - 1 / (n_d * n_e)))
    assert (within**2).sum() / (n * (k - 1)) * k / k == pytest.approx(exp_within * k / (k - 1), rel=0.05)


def test_validity_truth_and_range_restriction():
    sim = simulate_assessment({"x": 4000}, seed=7, true_validity=0.5)
    ts = sim.truth["true_scores"]
    c = sim.candidates.set_index("candidate")
    # truth: general factor vs true performance correlation ~ 0.5
    assert np.corrcoef(ts["general"], ts["performance_true"])[0, 1] == pytest.approx(0.5, abs=0.04)
    op = sim.truth["operational_validity"]
    assert 0.2 < op < 0.5
    # selection restricts the range of the overall rating among the selected
    oar = ts.set_index("candidate")["oar"]
    sel = c["selected"] == 1
    assert oar[sel.to_numpy()].std() / oar.std() < 0.8
    assert sel.mean() == pytest.approx(0.35, abs=0.01)


def test_items_reflect_loadings():
    sim = simulate_assessment({"x": 3000}, seed=9, item_loadings=0.7, n_items=8)
    items = sim.items.drop(columns="candidate")
    r = items.corr().to_numpy()
    off = r[np.triu_indices(8, 1)]
    # polychoric .49 attenuated by coarse categories: Pearson correlations around .40-.49
    assert 0.35 < off.mean() < 0.5
    assert set(np.unique(items.to_numpy())) <= {1.0, 2.0, 3.0, 4.0, 5.0}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(agencies=[]), "agencies must be"),
        (dict(var_residual=-1.0), "var_residual"),
        (dict(missing_rate=1.0), "missing_rate"),
        (dict(selection_ratio=0.0), "selection_ratio"),
        (dict(item_loadings=1.2), "item_loadings"),
        (dict(agencies={"x": 1}), "at least 2 candidates"),
        (dict(assignment="panel"), "assignment must be 'random' or 'sessions'"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        simulate_assessment(**kwargs)
