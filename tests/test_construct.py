"""Tests for psikometri.construct (multitrait-multimethod analysis).

Reference values: R 4.x ``cor(wide, use = "pairwise.complete.obs")`` on the candidate
means of tests/fixtures/gtheory/ac_ill.csv, written by
tests/fixtures/gtheory/make_reference.R to reference_mtmm.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri._resampling import bootstrap_indices
from psikometri.construct import MTMMResult, mtmm

from . import naive_gtheory as naive

FIX = Path(__file__).parent / "fixtures" / "gtheory"


@pytest.fixture(scope="module")
def ac():
    return pd.read_csv(FIX / "ac_ill.csv")


@pytest.fixture(scope="module")
def complete():
    rng = np.random.default_rng(4)
    rows = []
    g, ex, dim = rng.normal(size=80), rng.normal(size=(80, 3)), rng.normal(0, 0.5, size=(80, 4))
    for p in range(80):
        for c in range(4):
            for e in range(3):
                for a in range(2):
                    rows.append((f"P{p:02d}", f"C{c}", f"E{e}", a, g[p] + ex[p, e] + dim[p, c] + rng.normal(0, 0.6)))
    return pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "assessor", "score"])


def test_matches_r_reference(ac):
    res = mtmm(ac, person="candidate", n_boot=0)
    ref = pd.read_csv(FIX / "reference_mtmm.csv").set_index("kind")
    # R: mean(cor(wide, use = "pairwise.complete.obs")[kind == k])
    for k in ref.index:
        assert getattr(res, k).value == pytest.approx(ref.loc[k, "mean"], rel=1e-9), k
        assert res.means.loc[k, "n_pairs"] == ref.loc[k, "n_pairs"]
    # R: cor(...)[1, 2], competency C1 in exercises E1 and E2
    assert res.matrix.iloc[0, 1] == pytest.approx(ref["r_first_pair"].iloc[0], rel=1e-9)
    assert res.matrix.index[0] == ("C1", "E1") and res.matrix.index[1] == ("C1", "E2")
    # the AC exercise effect: same-exercise correlations exceed the convergent ones
    assert res.exercise_effect > 0.2


def test_matrix_equals_pandas_pairwise(ac):
    res = mtmm(ac.iloc[::2], person="candidate", n_boot=0)
    wide = ac.iloc[::2].pivot_table(index="candidate", columns=["competency", "exercise"], values="score",
                                    aggfunc="mean")
    np.testing.assert_allclose(res.matrix.to_numpy(), wide.corr().to_numpy(), rtol=1e-10, atol=1e-12)
    pd.testing.assert_frame_equal(res.scores, wide, check_names=False)


def test_means_against_naive_loops(complete):
    res = mtmm(complete, person="candidate", n_boot=0)
    wide = res.scores.to_numpy()
    exp = naive.mtmm_means(wide, ["C0", "C1", "C2", "C3"], ["E0", "E1", "E2"])
    for k, v in exp.items():
        assert getattr(res, k).value == pytest.approx(v, rel=1e-12)
    assert res.means.loc["convergent", "n_pairs"] == 4 * 3  # 4 traits x C(3, 2) method pairs
    assert res.means.loc["heterotrait_monomethod", "n_pairs"] == 3 * 6
    assert res.means.loc["heterotrait_heteromethod", "n_pairs"] == 6 * 6


def test_bootstrap_replicates_resample_candidates(complete):
    res = mtmm(complete, person="candidate", n_boot=30, seed=11)
    idx = bootstrap_indices(res.n_persons, 30, seed=11)
    wide = res.scores.to_numpy()
    for b in (0, 17, 29):
        exp = naive.mtmm_means(wide[idx[b]], ["C0", "C1", "C2", "C3"], ["E0", "E1", "E2"])
        got = res._boot[b]
        np.testing.assert_allclose(got, [exp["convergent"], exp["heterotrait_monomethod"],
                                         exp["heterotrait_heteromethod"]], rtol=1e-10)
    again = mtmm(complete, person="candidate", n_boot=30, seed=11)
    assert again.convergent == res.convergent
    other = mtmm(complete, person="candidate", n_boot=30, seed=12)
    assert other.convergent.ci != res.convergent.ci
    e = res.convergent
    assert e.ci_low < e.value < e.ci_high
    assert e.ci_method == "percentile bootstrap" and e.n == 80


def test_exercise_effect_on_project_simulator():
    from psikometri.simulate import simulate_assessment

    sim = simulate_assessment({"a": (150, {"administrator": 1.0})}, design="crossed", seed=2)
    res = mtmm(sim.ratings, person="candidate", n_boot=50, seed=1)
    # simulator: var(candidate:exercise) = .20 >> var(candidate:competency) = .03, so the
    # heterotrait-monomethod interval lies above the convergent one
    assert res.heterotrait_monomethod.ci_low > res.convergent.ci_high


def test_display_and_plot(complete):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    res = mtmm(complete, person="candidate", n_boot=20, seed=1)
    assert isinstance(res, MTMMResult)
    assert "convergent (same competency, different exercise)" in res.summary()
    assert "<table" in res._repr_html_()
    assert "MTMMResult(n_persons=80" in repr(res)
    ax = res.plot()
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 3  # one block per exercise
    assert len(ax.get_xticklabels()) == 12
    plt.close("all")
    # beyond 20 scores the columns are named by the method of each block (the rows keep full labels)
    rng = np.random.default_rng(2)
    rows = [(p, f"C{c}", f"E{e}", rng.normal()) for p in range(40) for c in range(7) for e in range(3)]
    big = mtmm(pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "score"]), person="candidate")
    ax = big.plot()
    fig = ax.figure
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["E0", "E1", "E2"]
    assert list(ax.get_xticks()) == [3.0, 10.0, 17.0]
    assert len(ax.get_yticklabels()) == 21 and ax.get_yticklabels()[0].get_text() == "C0 | E0"
    plt.close("all")


def test_top_level_and_input_untouched(complete):
    before = complete.copy()
    res = pk.mtmm(complete, person="candidate", n_boot=0)
    pd.testing.assert_frame_equal(complete, before)
    assert np.isnan(res.convergent.ci_low)


def test_errors(complete):
    with pytest.raises(ValueError, match="person column 'cand' is not in data"):
        mtmm(complete, person="cand")
    with pytest.raises(ValueError, match="at least 2 methods"):
        mtmm(complete[complete.exercise == "E0"], person="candidate")
    with pytest.raises(ValueError, match="four different columns"):
        mtmm(complete, person="candidate", method="competency")
    with pytest.raises(ValueError, match="n_boot must be an integer >= 0"):
        mtmm(complete, person="candidate", n_boot=-1)
    d = complete.copy()
    d["score"] = d["score"].astype(object)
    d.loc[3, "score"] = "tinggi"
    with pytest.raises(TypeError, match="row 3 holds 'tinggi'"):
        mtmm(d, person="candidate")
    with pytest.raises(ValueError, match="at least 3 candidates"):
        mtmm(complete[complete.candidate.isin(["P00", "P01"])], person="candidate")


def test_blocked_bootstrap_correlations_equal_the_pairwise_weighted_ones():
    from psikometri import construct as C

    rng = np.random.default_rng(8)
    X = rng.normal(3, 1, size=(200, 6))
    W = rng.multinomial(200, np.full(200, 1 / 200), size=7).astype(float)
    block = C._weighted_corr_block(X, W)
    for b in range(len(W)):
        np.testing.assert_allclose(block[b], C._weighted_corr(X, np.ones_like(X), W[b]), rtol=1e-11, atol=1e-12)
        # the textbook weighted correlation of the resampled rows
        Xb = np.repeat(X, W[b].astype(int), axis=0)
        np.testing.assert_allclose(block[b], np.corrcoef(Xb, rowvar=False), rtol=1e-10, atol=1e-12)


def test_blocked_bootstrap_with_missing_scores_equals_the_per_resample_path():
    """With missing scores the resamples' pairwise-complete correlations and their means by kind, computed
    for a block of resamples at once, equal the per-resample functions (and so the textbook correlation of the
    resampled complete pairs); pairs with fewer than 3 complete rows are NaN in both."""
    from psikometri import construct as C

    rng = np.random.default_rng(9)
    n = 40
    X = rng.normal(3, 1, size=(n, 6))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[3:, 5] = np.nan  # a column with 3 observed rows: resamples with fewer than 3 give NaN
    M = np.isfinite(X).astype(float)
    X0 = np.where(M > 0, X, 0.0)
    W = rng.multinomial(n, np.full(n, 1 / n), size=9).astype(float)
    cols = [(t, m) for m in ("E1", "E2") for t in ("C1", "C2", "C3")]
    pairs = C._pair_kinds(cols)
    block = C._weighted_corr_block_missing(X0, M, W)
    means = C._block_means(block, pairs)
    for b in range(len(W)):
        one = C._weighted_corr(X0, M, W[b])
        np.testing.assert_allclose(block[b], one, rtol=1e-11, atol=1e-12)
        np.testing.assert_array_equal(np.isnan(block[b]), np.isnan(one))
        m = C._means(one, pairs)
        np.testing.assert_allclose(means[b], [m[k] for k in C._KINDS], rtol=1e-12, atol=1e-14)
        i, j = 0, 1  # the textbook correlation of the resampled rows where both scores are observed
        rows = np.repeat(np.arange(n), W[b].astype(int))
        both = rows[np.isfinite(X[rows, i]) & np.isfinite(X[rows, j])]
        np.testing.assert_allclose(block[b][i, j], np.corrcoef(X[both, i], X[both, j])[0, 1], rtol=1e-10)
    assert np.isnan(block[:, 5, 0]).any()
    assert np.all(np.abs(block[np.isfinite(block)]) <= 1 + 1e-12)  # no quotient of rounding noise
    # a score constant in the data: no correlation (NaN), on every path
    Xc = X0.copy()
    Xc[:, 2] = 4.0
    Mc = M.copy()
    Mc[:, 2] = 1.0
    for r in (C._weighted_corr(Xc, Mc, np.ones(n)), C._weighted_corr_block_missing(Xc, Mc, W)[0]):
        assert np.isnan(np.delete(r[2], 2)).all() and np.isnan(np.delete(r[:, 2], 2)).all()
    full = rng.normal(3, 1, size=(n, 4))
    full[:, 1] = 2.7
    for r in (C._weighted_corr_complete(full, W[0]), C._weighted_corr_block(full, W[:2])[0]):
        assert np.isnan(r[1]).all() and np.isfinite(r[0, [0, 2, 3]]).all()


def test_person_by_score_table_equals_groupby_unstack():
    from psikometri.construct import _person_by_score

    rng = np.random.default_rng(8)
    n = 600
    long = pd.DataFrame({"p": rng.choice([f"c{i:03d}" for i in range(50)], n),
                         "t": rng.choice(["kom", "int", "ker"], n), "m": rng.choice(["lgd", "rp", "ib"], n),
                         "y": rng.normal(3, 1, n)})
    long = long[~((long["t"] == "ker") & (long["m"] == "ib"))]  # a combination nobody was rated on
    got = _person_by_score(long.sample(frac=1.0, random_state=2), "person", "trait", "method")
    want = long.groupby(["p", "t", "m"], sort=True)["y"].mean().unstack(["t", "m"]).sort_index(axis=1)
    assert got.index.tolist() == want.index.tolist() and got.columns.tolist() == want.columns.tolist()
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)  # repeats averaged, NaN where none
    assert got.columns.names == ["trait", "method"] and got.index.name == "person"
