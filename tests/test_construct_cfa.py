"""Tests for psikometri.construct.ac_cfa_models (the AC confirmatory model set).

Reference values: lavaan 0.6-14 (R 4.2), ``cfa(syntax, data, std.lv = TRUE, estimator = "ML",
missing = "listwise")`` with the syntax built by tests/fixtures/construct/make_reference.R from the
candidate x (competency, exercise) matrices written by tests/fixtures/construct/make_construct_data.py (simulated with
psikometri.simulate); the output is tests/fixtures/construct/reference_lavaan.json.
"""

from __future__ import annotations

import json
import re
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


@pytest.fixture(scope="module")
def tables(complete, incomplete):
    """The model set on the four fixtures, and the inadmissible CD solutions kept (``keep_inadmissible``)."""
    data = {"complete": (complete, None), "incomplete": (incomplete, GROUPS),
            "bench": (_long("ac_bench.csv.gz"), GROUPS), "province": (_long("ac_province.csv.gz"), GROUPS)}
    out = {}
    for name, (d, g) in data.items():
        out[name] = ac_cfa_models(d, person="candidate", dimension_groups=g)
        out[name + "_kept"] = ac_cfa_models(d, person="candidate", models="CD", keep_inadmissible=True)
    return out


# How lavaan 0.6-14's default run (cfa(..., std.lv = TRUE)) relates to psikometri's solution, read from
# reference_lavaan.json (make_reference.R):
# "same"         lavaan converged to an admissible solution; psikometri finds the same one.
# "inadmissible" lavaan and psikometri converge to the same improper solution (a factor correlation beyond 1:
#                lavInspect(fit, "post.check") FALSE); psikometri reports it as inadmissible.
# "lower"        lavaan's default run stops at a point with a larger chi-square (CDCE: an improper one with
#                a negative residual variance or factor correlations far beyond 1, after thousands of
#                iterations); psikometri's admissible solution has a smaller chi-square, and lavaan started
#                from psikometri's estimates ("restart") stays there: converged in one iteration, post.check
#                TRUE, the same chi-square.  Different local minima of the same function, not a different
#                function.
# "no solution"  lavaan's default run ends at an improper local minimum (the province's CDCE: a residual
#                variance of -0.37, chi-square 136.42); the discrepancy is lower still along a ridge on which
#                that kind of estimate goes to minus infinity, where psikometri's two runs end ("the estimates
#                diverge").  Neither has an admissible solution.
EXPECT = {
    "complete": {"CE": "same", "CD": "inadmissible", "CDCE": "same", "CDCU": "same", "1D-CE": "same"},
    "incomplete": {"CE": "same", "CD": "inadmissible", "CDCE": "lower", "CDCU": "same", "1D-CE": "same",
                   "G-BD-CE": "same"},
    "bench": {"CE": "same", "CD": "same", "CDCE": "lower", "CDCU": "same", "1D-CE": "lower", "G-BD-CE": "lower"},
    "province": {"CE": "same", "CD": "inadmissible", "CDCE": "no solution", "CDCU": "same", "1D-CE": "same",
                 "G-BD-CE": "same"},
}


def _close(got, want, rel=1e-4):
    return got == pytest.approx(float(want), rel=rel, abs=1e-7)


@pytest.mark.parametrize("dataset", ["complete", "incomplete", "bench", "province"])
def test_model_set_against_lavaan(tables, dataset):
    tab = tables[dataset]
    kept = tables[dataset + "_kept"]
    ref = REF["datasets"][dataset]["models"]
    assert list(tab.index) == list(EXPECT[dataset])
    assert (tab["n_persons"] == ref["CE"]["nobs"]).all()  # listwise deletion as lavaan's
    assert (tab["n_persons"] + tab["n_excluded"] == REF["datasets"][dataset]["n_rows"]).all()
    for model, how in EXPECT[dataset].items():
        row, r = tab.loc[model], ref[model]
        assert row["npar"] == r["npar"], model
        assert r["converged"], model
        if how == "same":
            assert r["post_check"], model
            assert row["converged"] and row["admissible"] and row["reason"] == "", (model, row["reason"])
            for c in FIT:  # lavaan fitMeasures(): chisq, df, cfi, rmsea, srmr
                assert _close(row[c], r["fit"][c]), (model, c, row[c], r["fit"][c])
            for c in ("pvalue", "tli", "aic", "bic"):
                assert _close(row[c], r["fit"][c]), (model, c)
            for c, v in r["shares"].items():  # squared standardized loadings from lavInspect(fit, "std")
                if v is None:
                    assert np.isnan(row[c]), (model, c)
                else:
                    assert row[c] == pytest.approx(v, abs=1e-4), (model, c)
        elif how == "inadmissible":
            assert not r["post_check"], model
            assert row["converged"] and not row["admissible"], model
            assert row["reason"].startswith("inadmissible: the factor covariance matrix is not positive definite")
            assert np.isnan(row[list(FIT)].astype(float)).all()
            # the same improper solution: kept, its fit equals lavaan's
            for c in FIT:
                assert _close(kept.loc[model, c], r["fit"][c]), (model, c)
        elif how == "no solution":
            assert not r["post_check"] and r["min_residual_variance"] < 0, model
            assert not row["converged"] and not row["admissible"], model
            assert row["reason"].startswith("did not converge: the estimates diverge: the residual variance of "), \
                row["reason"]
            assert np.isnan(row[list(FIT)].astype(float)).all()
        else:  # "lower"
            rs = r["restart"]
            assert rs["converged"] and rs["post_check"] and rs["iterations"] <= 1, model
            assert row["converged"] and row["admissible"], (model, row["reason"])
            for c in FIT:
                assert _close(row[c], rs["fit"][c]), (model, c)
            assert row["chisq"] < float(r["fit"]["chisq"]) - 0.1, model
            for c, v in rs["shares"].items():
                if v is not None:
                    assert row[c] == pytest.approx(v, abs=1e-4), (model, c)


def test_lavaan_default_cdce_is_improper_where_ours_is_admissible():
    """The incomplete design's CDCE: lavaan's default run ends (9,776 iterations) at a negative residual
    variance of -204 and a standardized loading of 17 (chi-square 192.16); from psikometri's estimates it stays
    at the admissible minimum (chi-square 184.195).  Values from reference_lavaan.json."""
    r = REF["datasets"]["incomplete"]["models"]["CDCE"]
    assert r["iterations"] > 5000 and not r["post_check"]
    assert r["min_residual_variance"] < -100 and r["max_abs_std_loading"] > 10
    assert float(r["restart"]["fit"]["chisq"]) == pytest.approx(184.195065, abs=1e-5)
    assert r["restart"]["min_residual_variance"] > 0 and r["restart"]["min_lv_eigenvalue"] > 0


def test_shuffled_rows_give_identical_results(incomplete):
    rng = np.random.default_rng(5)
    shuffled = incomplete.sample(frac=1.0, random_state=7)
    shuffled.index = rng.permutation(len(shuffled)) + 1000
    a = ac_cfa_models(incomplete, person="candidate", dimension_groups=GROUPS)
    b = ac_cfa_models(shuffled, person="candidate", dimension_groups=GROUPS)
    pd.testing.assert_frame_equal(a, b)


def test_assessors_are_averaged(complete):
    """Two assessors per cell, s - 0.25 and s + 0.25: the indicator is their mean s."""
    two = pd.concat([complete.assign(score=complete["score"] - 0.25, assessor="A1"),
                     complete.assign(score=complete["score"] + 0.25, assessor="A2")], ignore_index=True)
    a = ac_cfa_models(complete, person="candidate", models=["CE", "CDCU"])
    b = ac_cfa_models(two, person="candidate", models=["CE", "CDCU"])
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-8)


def test_inputs_are_not_modified(incomplete):
    before = incomplete.copy()
    groups = {k: list(v) for k, v in GROUPS.items()}
    ac_cfa_models(incomplete, person="candidate", models="CE", dimension_groups=groups)
    pd.testing.assert_frame_equal(incomplete, before)
    assert groups == GROUPS


def test_top_level_and_table_layout(complete):
    assert pk.ac_cfa_models is ac_cfa_models
    tab = pk.ac_cfa_models(complete, person="candidate", models=["CDCU", "CE"])
    assert list(tab.index) == ["CDCU", "CE"]
    assert tab.index.name == "model"
    assert list(tab.columns) == ["description", "n_persons", "n_excluded", "n_indicators", "npar", "chisq", "df", "pvalue", "cfi",
                                 "tli", "rmsea", "srmr", "aic", "bic", "converged", "admissible", "reason",
                                 "dimension_share", "general_share", "exercise_share"]
    assert tab.loc["CE", "description"] == AC_MODELS["CE"]
    # CE has no dimension factors, CDCU no general factor
    assert np.isnan(tab.loc["CE", "dimension_share"]) and np.isnan(tab.loc["CDCU", "general_share"])
    assert tab.loc["CE", "n_indicators"] == 20 and tab.loc["CE", "df"] == 210 - 46


def test_shares_by_hand(complete):
    """The shares from the engine's estimates: squared standardized loadings, and CDCU's residual covariances."""
    from psikometri.factor import _build_model, _matrices

    from psikometri.construct import _ac_optimise, _long_ratings, _person_by_score

    long = _long_ratings(complete, "candidate", "competency", "exercise", "score", "x")
    wide = _person_by_score(long, "candidate", "competency", "exercise")
    cols = list(wide.columns)
    X = wide.to_numpy()
    S = np.cov(X, rowvar=False, bias=True)
    tab = ac_cfa_models(complete, person="candidate", models=["CDCE", "CDCU"])
    for spec in _ac_specs(cols, ["CDCE", "CDCU"], None):
        model = _build_model(spec.syntax, std_lv=True)
        perm = np.array([int(v[3:]) - 1 for v in model.ov])
        x = _ac_optimise(spec, model, S, perm, cols, None).x
        L, T, P, _, _ = _matrices(model, x, 0)
        sig = np.diagonal(L @ P @ L.T + T)
        dim = np.array([f.startswith("dim") for f in model.lv])
        # one loading per kind and unit factor variances: squared loading / model-implied variance
        assert tab.loc[spec.name, "dimension_share"] == pytest.approx(np.mean((L[:, dim] ** 2).sum(1) / sig))
        if spec.name == "CDCE":
            assert tab.loc[spec.name, "exercise_share"] == pytest.approx(np.mean((L[:, ~dim] ** 2).sum(1) / sig))
        else:
            ex = np.array([cols[i][1] for i in perm])
            r = T / np.sqrt(np.outer(sig, sig))
            per = [np.mean([r[i, j] for j in range(len(ex)) if j != i and ex[j] == ex[i]]) for i in range(len(ex))]
            assert tab.loc[spec.name, "exercise_share"] == pytest.approx(np.mean(per))


def test_single_indicator_factor_is_a_row_not_an_error(complete):
    """A competency rated in one exercise only: models with competency factors are not identified."""
    d = complete.copy()
    d.loc[d["competency"] == d["competency"].iloc[0], "competency"] = "khusus"
    one = d["competency"].iloc[0]
    d = d[(d["competency"] != one) | (d["exercise"] == d["exercise"].iloc[0])]
    tab = ac_cfa_models(d, person="candidate")
    for m in ("CD", "CDCE", "CDCU"):
        assert not tab.loc[m, "converged"] and np.isnan(tab.loc[m, "chisq"])
        assert tab.loc[m, "reason"].startswith("not identified: competency 'khusus' is rated in one exercise only")
    assert tab.loc["CE", "converged"] and tab.loc["CE", "admissible"]


def test_non_convergence_is_a_row(complete, monkeypatch):
    import psikometri.factor as engine

    real = engine._minimise  # the minimisation of engine._fit_ml, which _ac_optimise runs from each start
    monkeypatch.setattr(engine, "_minimise", lambda *a, **k: real(*a, **{**k, "max_iter": 2}))
    tab = ac_cfa_models(complete, person="candidate", models=["CDCE"])
    row = tab.loc["CDCE"]
    assert not row["converged"] and not row["admissible"]
    assert row["reason"].startswith("did not converge: no convergence within 2 iterations")
    assert np.isnan(row[["chisq", "cfi", "rmsea", "dimension_share", "exercise_share"]].astype(float)).all()


def test_reason_names_competencies_and_exercises(incomplete):
    tab = ac_cfa_models(incomplete, person="candidate", models=["CD"])
    reason = tab.loc["CD", "reason"]
    assert reason.startswith("inadmissible: the factor covariance matrix is not positive definite")
    assert re.search(r"competency factor '\w+' ~~ competency factor '\w+' = 1\.\d+", reason), reason
    assert not re.search(r"\b(ind|dim|exe|brd)\d+\b|\bgen\b", reason), reason


def test_too_few_candidates(complete):
    few = complete[complete["candidate"].isin(complete["candidate"].unique()[:15])]
    with pytest.raises(ValueError, match=r"too few candidates for a confirmatory model: 15 candidates have all 20 "):
        ac_cfa_models(few, person="candidate")


def test_too_few_complete_candidates_says_why(incomplete):
    # 30 candidates, but half of them lack one cell
    ids = incomplete["candidate"].unique()[:30]
    d = incomplete[incomplete["candidate"].isin(ids)]
    drop = d[(d["candidate"].isin(ids[:15])) & (d["competency"] == "integritas") & (d["exercise"] == "analisis_kasus")]
    d = d.drop(drop.index)
    with pytest.raises(ValueError, match=r"at least one of these scores and are left out"):
        ac_cfa_models(d, person="candidate")


@pytest.mark.parametrize("kwargs, exc, msg", [
    ({"models": ["CE", "XYZ"]}, ValueError, r"models holds 'XYZ', which is not a model of the set"),
    ({"models": []}, ValueError, r"models is empty"),
    ({"models": ["CE", "CE"]}, ValueError, r"models names a model twice"),
    ({"models": ["G-BD-CE"]}, ValueError, r"needs dimension_groups="),
    ({"dimension_groups": ["komunikasi"]}, TypeError, r"dimension_groups must be a mapping"),
    ({"dimension_groups": {"a": "komunikasi"}}, TypeError, r"dimension_groups\['a'\] must be a list"),
    ({"dimension_groups": {"a": ["tidak_ada"]}}, ValueError, r"names competency 'tidak_ada', which has no score"),
    ({"keep_inadmissible": "yes"}, TypeError, r"keep_inadmissible must be True or False"),
    ({"person": "kandidat"}, ValueError, r"person column 'kandidat' is not in data"),
    ({"trait": "score"}, ValueError, r"four different columns"),
    ({"models": 3}, TypeError, r"models must be None, a model name or a list of them .* got models=3"),
])
def test_errors(complete, kwargs, exc, msg):
    kw = {"person": "candidate", **kwargs}
    with pytest.raises(exc, match=msg):
        ac_cfa_models(complete, **kw)


def test_dimension_group_errors(complete):
    comps = sorted(complete["competency"].unique())
    with pytest.raises(ValueError, match=r"leaves out the rated competencies \['"):
        ac_cfa_models(complete, person="candidate", dimension_groups={"a": comps[:2], "b": comps[2:3]})
    with pytest.raises(ValueError, match=r"is in two broad dimensions"):
        ac_cfa_models(complete, person="candidate", dimension_groups={"a": comps, "b": comps[:1]})
    with pytest.raises(ValueError, match=r"has 1 broad dimension; the general \+ broad dimension model needs"):
        ac_cfa_models(complete, person="candidate", dimension_groups={"a": comps})


def test_constant_and_duplicated_scores(complete):
    d = complete.copy()
    cell = (d["competency"] == d["competency"].iloc[0]) & (d["exercise"] == d["exercise"].iloc[0])
    d.loc[cell, "score"] = 3.0
    with pytest.raises(ValueError, match=r"has the same score on competency=.*a constant score has no variance"):
        ac_cfa_models(d, person="candidate", models="CE")
    one_exercise = complete[complete["exercise"] == complete["exercise"].iloc[0]]
    with pytest.raises(ValueError, match=r"method column 'exercise' has 1 level\(s\); a confirmatory model"):
        ac_cfa_models(one_exercise, person="candidate")


def test_engine_converges_on_the_general_factor_ridge():
    """The CFA engine from its own start values, as ``cfa()`` runs it (no bounds, 500 iterations), on the
    general + broad dimensions + exercises model of the incomplete design (22 indicators, 101 parameters): the
    damped scoring reaches lavaan's admissible solution (reference_lavaan.json, chi-square 459.9366), where
    undamped scoring stalled at chi-square 793.69 after 500 iterations."""
    from psikometri.construct import _check_dimension_groups
    from psikometri.factor import _build_model, _fit_ml

    w = pd.read_csv(FIX / "ac_incomplete.csv", index_col=0)
    cols = [tuple(c.split("__")) for c in w.columns]
    order = sorted(range(len(cols)), key=lambda i: cols[i])
    cols = [cols[i] for i in order]
    X = w.to_numpy(dtype=float)[:, order]
    X = X[np.isfinite(X).all(axis=1)]
    S = np.cov(X, rowvar=False, bias=True)
    g = _check_dimension_groups(GROUPS, list(dict.fromkeys(t for t, _ in cols)))
    (spec,) = _ac_specs(cols, ["G-BD-CE"], g)
    model = _build_model(spec.syntax, std_lv=True)
    perm = np.array([int(v[3:]) - 1 for v in model.ov])
    fit = _fit_ml(model, [S[np.ix_(perm, perm)]], [X.mean(0)[perm]], [len(X)])
    ref = REF["datasets"]["incomplete"]["models"]["G-BD-CE"]
    assert fit.converged and fit.admissible and ref["post_check"]
    for c in FIT:
        assert _close(fit.fit[c], ref["fit"][c]), c


def test_divergence_guard_with_groups_and_means():
    """``bounds`` / ``patience`` reach the engine's loop for a multigroup model with a mean structure: with
    bounds no estimate can stay within, the run stops after ``patience`` iterations as diverging."""
    from psikometri.factor import _build_model, _fit_ml, _sample_moments

    hs = pd.read_csv(Path(__file__).parent / "fixtures" / "factor" / "hs1939.csv")
    model = _build_model("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", ngroups=2,
                         meanstructure=True, group_equal=("loadings", "intercepts"))
    S, means, n = _sample_moments([d[list(model.ov)].to_numpy(dtype=float) for _, d in hs.groupby("school")])
    free = _fit_ml(model, S, means, n)
    wide = _fit_ml(model, S, means, n, bounds=np.full(model.npar, 1e6))
    assert free.converged and wide.converged
    np.testing.assert_array_equal(free.x, wide.x)
    tight = _fit_ml(model, S, means, n, bounds=np.full(model.npar, 1e-3), patience=3)
    assert not tight.converged and tight.iterations == 3
    assert tight.notes[0].startswith("did not converge: the estimates diverge: "), tight.notes


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_score_is_an_error_not_a_dropped_candidate(complete, value):
    d = complete.copy()
    d.loc[d.index[7], "score"] = value
    with pytest.raises(ValueError, match=rf"data column 'score' \(score\) holds an infinite value \({value}\) at "
                                         rf"row {d.index[7]}"):
        ac_cfa_models(d, person="candidate", models="CE")
    with pytest.raises(ValueError, match="infinite value"):
        pk.mtmm(d, person="candidate", n_boot=10, seed=1)


def test_duplicated_columns_and_ids_differing_in_type(complete):
    d = complete.copy()
    d.columns = ["score" if c == "exercise" else c for c in d.columns]
    with pytest.raises(ValueError, match=r"data has duplicated column names \['score'\]; give every column"):
        ac_cfa_models(d, person="candidate")
    ids = sorted(complete["candidate"].unique())
    d = complete.assign(candidate=complete["candidate"].astype(object))
    d.loc[d["candidate"] == ids[0], "candidate"] = 1
    d.loc[d["candidate"] == ids[1], "candidate"] = "1"
    with pytest.raises(ValueError, match=r"data column 'candidate' holds values that differ only in type: .*astype"):
        ac_cfa_models(d, person="candidate", models="CE")
