"""Tests for psikometri.gtheory (G and D studies, ANOVA and REML).

References
----------
* Brennan, R. L. (2001). Generalizability Theory. Springer.  Synthetic Data Set
  No. 3 (p x i x o) and No. 4 (p x (r:t)), ch. 3; the published estimates are
  quoted beside each number (4 decimals as printed).
* R lme4 1.1-31 ``lmer(..., REML = TRUE)`` on the committed CSVs, run by
  tests/fixtures/gtheory/make_reference.R (calls quoted beside the checks);
  values in tests/fixtures/gtheory/reference_lme4.csv.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri import _gtheory_kernels as K
from psikometri._reml import RemlProblem
from psikometri.gtheory import GStudy, _Design, g_study

from . import naive_gtheory as naive
from ._nojit import run_without_jit

FIX = Path(__file__).parent / "fixtures" / "gtheory"
FACETS = ["competency", "exercise", "assessor"]


def _ref(name: str) -> pd.DataFrame:
    ref = pd.read_csv(FIX / "reference_lme4.csv")
    return ref[ref.dataset == name].set_index("component")


@pytest.fixture(scope="module")
def pio():
    return pd.read_csv(FIX / "brennan_pio.csv")


@pytest.fixture(scope="module")
def prt():
    return pd.read_csv(FIX / "brennan_prt.csv")


@pytest.fixture(scope="module")
def ac_ill_fit():
    d = pd.read_csv(FIX / "ac_ill.csv")
    return d, g_study(d, score="score", person="candidate", facets=FACETS)


# ----------------------------------------------------------------------------- Brennan (2001), balanced ANOVA

# Brennan (2001), Synthetic Data Set No. 3, p x i x o, G study estimates (printed to 4 decimals).
BRENNAN_PIO = {
    "person": 0.5528, "item": 0.4417, "occasion": 0.0074, "person:item": 0.5750,
    "person:occasion": 0.1009, "item:occasion": 0.1565, "person:item:occasion": 0.9352,
}
# Brennan (2001), Synthetic Data Set No. 4, p x (r:t).
BRENNAN_PRT = {
    "person": 0.4731, "task": 0.3252, "rater:task": 0.6475, "person:task": 0.5596, "person:rater:task": 2.3802,
}


def test_brennan_pio_components_and_coefficients(pio):
    gs = g_study(pio, score="score", person="person", facets=["item", "occasion"])
    assert gs.method == "anova"
    comp = gs.components["variance"]
    for lab, v in BRENNAN_PIO.items():
        assert comp[lab] == pytest.approx(v, abs=5e-5), lab
    # Brennan (2001) Synthetic Data Set No. 3: E rho^2 = .64, Phi = .55 for n'_i = 4, n'_o = 2
    assert round(gs.g_coefficient, 2) == 0.64
    assert round(gs.phi, 2) == 0.55
    # sums of squares and mean squares printed with the data set: SS(p) = 62.20, MS(pio) = .9352
    assert gs.anova.loc["person", "ss"] == pytest.approx(62.20, abs=5e-3)
    assert gs.anova.loc["item", "ss"] == pytest.approx(37.45, abs=5e-3)
    assert gs.anova.loc["person:item:occasion", "df"] == 27
    # lme4: lmer(score ~ 1 + (1|person) + (1|item) + (1|occasion) + (1|person:item) + (1|person:occasion)
    #                    + (1|item:occasion), REML = TRUE)  (balanced, no negative estimate: REML = ANOVA)
    ref = _ref("brennan_pio")
    for lab in BRENNAN_PIO:
        assert comp[lab] == pytest.approx(ref.loc[lab, "variance"], rel=1e-5), lab
    assert gs.components["percent"].sum() == pytest.approx(100.0)


def test_brennan_prt_nested(prt):
    gs = g_study(prt, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"})
    comp = gs.components["variance"]
    assert set(comp.index) == set(BRENNAN_PRT)
    for lab, v in BRENNAN_PRT.items():
        assert comp[lab] == pytest.approx(v, abs=5e-5), lab
    # Brennan (2001) Synthetic Data Set No. 4: E rho^2 = .55, Phi = .46 (n'_t = 3, n'_r = 4)
    assert round(gs.g_coefficient, 2) == 0.55
    assert round(gs.phi, 2) == 0.46
    # ANOVA table printed with the data: SS(r:t) = 79.70 on 9 df, MS(pt) = 4.6185
    assert gs.anova.loc["rater:task", "ss"] == pytest.approx(79.70, abs=5e-3)
    assert gs.anova.loc["rater:task", "df"] == 9
    assert gs.anova.loc["person:task", "ms"] == pytest.approx(4.6185, abs=5e-5)
    # lme4: lmer(score ~ 1 + (1|person) + (1|task) + (1|task:rater) + (1|person:task), REML = TRUE)
    ref = _ref("brennan_prt")
    for lab in BRENNAN_PRT:
        assert comp[lab] == pytest.approx(ref.loc[lab, "variance"], rel=1e-5), lab
    assert gs.sizes == {"task": 3.0, "rater": 4.0}


def test_brennan_prt_reml_matches_lme4(prt):
    gs = g_study(prt, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"},
                 method="reml")
    ref = _ref("brennan_prt")
    # lme4 logLik(REML) = -243.62981191
    assert gs.loglik == pytest.approx(ref["loglik"].iloc[0], abs=1e-6)
    for lab in BRENNAN_PRT:
        assert gs.components.loc[lab, "variance"] == pytest.approx(ref.loc[lab, "variance"], rel=1e-4)
    assert gs.components["se"].notna().all()


def test_d_study_hand_computation(prt):
    gs = g_study(prt, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"})
    v = BRENNAN_PRT
    d = gs.d_study(task=[2, 6], rater=[1, 3])
    assert list(d.columns[:2]) == ["task", "rater"]
    assert len(d) == 4
    row = d[(d.task == 2) & (d.rater == 3)].iloc[0]
    # Brennan (2001, eq. 4.11-4.13) by hand with the printed components:
    rel = v["person:task"] / 2 + v["person:rater:task"] / 6
    ab = rel + v["task"] / 2 + v["rater:task"] / 6
    assert row["relative_error"] == pytest.approx(rel, abs=1e-4)
    assert row["absolute_error"] == pytest.approx(ab, abs=1e-4)
    assert row["g_coefficient"] == pytest.approx(v["person"] / (v["person"] + rel), abs=1e-4)
    assert row["phi"] == pytest.approx(v["person"] / (v["person"] + ab), abs=1e-4)
    # the observed design reproduces the G-study coefficients
    obs = gs.d_study().iloc[0]
    assert obs["g_coefficient"] == pytest.approx(gs.g_coefficient)
    assert obs["phi"] == pytest.approx(gs.phi)


def test_fixed_facet_rules(pio):
    gs = g_study(pio, score="score", person="person", facets=["item", "occasion"])
    comp = gs.components["variance"].to_dict()
    for fixed in ([], ["occasion"], ["item"]):
        got = gs.d_study(fixed=fixed or None, item=[3], occasion=[2]).iloc[0]
        g, phi = naive.coefficients(comp, {"item": 3, "occasion": 2}, "person", fixed=fixed)
        assert got["g_coefficient"] == pytest.approx(g, rel=1e-12)
        assert got["phi"] == pytest.approx(phi, rel=1e-12)
    # Brennan (2001, sec. 4.4.1) by hand, occasions fixed: tau = s2(p) + s2(po)/n_o
    v = BRENNAN_PIO
    row = gs.d_study(fixed="occasion").iloc[0]
    assert row["universe_score"] == pytest.approx(v["person"] + v["person:occasion"] / 2, abs=1e-4)
    assert row["relative_error"] == pytest.approx(v["person:item"] / 4 + v["person:item:occasion"] / 8, abs=1e-4)


def test_anova_matches_projection_sums_of_squares():
    rng = np.random.default_rng(11)
    rows = []
    for p in range(7):
        for c in range(3):
            for e in range(2):
                for a in range(2):
                    rows.append((f"p{p}", f"c{c}", f"e{e}", f"e{e}a{a}", rng.normal()))
    d = pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "assessor", "score"])
    d["score"] += d.candidate.map({f"p{p}": rng.normal(0, 1) for p in range(7)})
    gs = g_study(d, score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"})
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    ss = naive.projection_ss(codes, d["score"].to_numpy(), design.effects)
    np.testing.assert_allclose(gs.anova["ss"].to_numpy(), ss, rtol=1e-9, atol=1e-10)
    # EMS solution: sum over b of the estimates times pi(not b) reproduces each mean square
    sizes = {"candidate": 7, "competency": 3, "exercise": 2, "assessor": 2}
    est = gs.anova["estimate"]
    for a_lab, a in zip(design.labels, design.effects):
        expect = 0.0
        for b_lab, b in zip(design.labels, design.effects):
            if a <= b:
                expect += est[b_lab] * np.prod([sizes[f] for i, f in enumerate(design.factors) if i not in b])
        assert gs.anova.loc[a_lab, "ms"] == pytest.approx(expect, rel=1e-9)


def test_anova_standard_errors_formula(pio):
    gs = g_study(pio, score="score", person="person", facets=["item", "occasion"])
    a = gs.anova
    # Brennan (2001, eq. 6.1): se[s2(p)] = sqrt(2/(n_i n_o)^2 * sum over MS used, MS^2/(df+2))
    ms, df = a["ms"], a["df"]
    terms = ["person", "person:item", "person:occasion", "person:item:occasion"]
    signs = [1, -1, -1, 1]
    assert sum(s * ms[t] for s, t in zip(signs, terms)) / 8 == pytest.approx(a.loc["person", "estimate"])
    se = np.sqrt(2 * sum(ms[t] ** 2 / (df[t] + 2) for t in terms)) / 8
    assert gs.components.loc["person", "se"] == pytest.approx(se, rel=1e-12)


def test_negative_estimate_set_to_zero_with_note():
    # items with identical means: MS(item) = 0 < MS(pi), so the item estimate is negative
    base = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 3.0], [3.0, 3.0, 0.0], [2.0, 2.0, 2.0]])
    d = pd.DataFrame([(f"p{p}", f"i{i}", base[p, i]) for p in range(4) for i in range(3)],
                     columns=["person", "item", "score"])
    gs = g_study(d, score="score", person="person", facets=["item"])
    # hand: item means all 2 -> MS(i) = 0; MS(pi) = SS(pi)/6
    assert gs.anova.loc["item", "ms"] == pytest.approx(0.0, abs=1e-12)
    assert gs.anova.loc["item", "estimate"] < 0
    assert gs.components.loc["item", "variance"] == 0.0
    assert any("negative" in n and "item" in n for n in gs.notes)
    assert "note:" in gs.summary()


def test_anova_equals_reml_on_balanced_data_without_negatives(pio):
    a = g_study(pio, score="score", person="person", facets=["item", "occasion"], method="anova")
    r = g_study(pio, score="score", person="person", facets=["item", "occasion"], method="reml")
    np.testing.assert_allclose(r.components["variance"], a.components["variance"], rtol=1e-5)
    # lme4 logLik(REML) = -139.058061792
    assert r.loglik == pytest.approx(_ref("brennan_pio")["loglik"].iloc[0], abs=1e-6)


# ----------------------------------------------------------------------------- REML against lme4


def test_reml_ill_structured_matches_lme4(ac_ill_fit):
    _, gs = ac_ill_fit
    assert gs.method == "reml"
    ref = _ref("ac_ill")
    # lme4: lmer(score ~ 1 + (1|candidate) + (1|competency) + ... + (1|competency:exercise:assessor),
    #            REML = TRUE); logLik = -6099.3120655
    assert gs.loglik == pytest.approx(ref["loglik"].iloc[0], abs=1e-3)
    assert set(gs.components.index) == set(ref.index)
    for lab in ref.index:
        assert gs.components.loc[lab, "variance"] == pytest.approx(ref.loc[lab, "variance"], rel=1e-4), lab
    assert (gs.components["se"] > 0).all()
    assert gs.components["percent"].sum() == pytest.approx(100.0)


def test_reml_nested_with_missing_and_boundary_matches_lme4():
    d = pd.read_csv(FIX / "ac_nested.csv")
    gs = g_study(d, score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"})
    ref = _ref("ac_nested")
    # lme4: lmer(score ~ 1 + (1|candidate) + ... + (1|exercise:assessor) + ..., REML = TRUE); logLik -1153.94160871
    assert gs.loglik == pytest.approx(ref["loglik"].iloc[0], abs=1e-3)
    for lab in ref.index:
        r = ref.loc[lab, "variance"]
        if r == 0:  # lme4 on the boundary (singular fit)
            assert gs.components.loc[lab, "variance"] == pytest.approx(0.0, abs=1e-8), lab
            assert np.isnan(gs.components.loc[lab, "se"])
        else:
            assert gs.components.loc[lab, "variance"] == pytest.approx(r, rel=1e-4), lab
    assert any("boundary" in n for n in gs.notes)
    assert gs.sizes["assessor"] == pytest.approx(2.0, abs=0.05)


def test_reml_criterion_matches_dense_formula():
    d = pd.read_csv(FIX / "ac_nested.csv").iloc[::7]
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    effects = [tuple(sorted(e)) for e in design.effects[:-1]]
    prob = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects)
    order = prob.order
    Zs = [naive.dummies(codes[order], list(e)) for e in effects]
    rng = np.random.default_rng(5)
    for theta in (rng.uniform(0.1, 1.5, len(effects)), np.r_[0.0, rng.uniform(0, 1, len(effects) - 1)]):
        f = prob.factorize(theta)
        assert prob.profiled_deviance(f) == pytest.approx(naive.reml_criterion(prob.y, Zs, theta), rel=1e-10)


def test_reml_chunking_and_cache_do_not_change_results():
    d = pd.read_csv(FIX / "ac_nested.csv")
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    effects = [tuple(sorted(e)) for e in design.effects[:-1]]
    a = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects).fit()
    b = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects, chunk_bytes=1,
                    cache_bytes=0).fit()
    np.testing.assert_allclose(a.variances, b.variances, rtol=1e-9, atol=1e-12)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-9)


# ----------------------------------------------------------------------------- kernels


def _small_problem():
    d = pd.read_csv(FIX / "ac_ill.csv").iloc[:120]
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in ["candidate", *FACETS]])
    effects = [e for r in (1, 2, 3) for e in itertools.combinations(range(4), r)]
    return d, codes, effects


def test_person_block_kernel_against_dense_matrices():
    d, codes, effects = _small_problem()
    prob = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects)
    assert prob.fold is not None  # crossed facets: exercise, competency x exercise, ... folded
    theta = np.linspace(0.3, 1.2, len(effects))
    lam_p, gwt = prob._lams(theta)
    A = np.empty((prob.P, prob.m, prob.m))
    B = np.empty((prob.P, prob.m, prob.gmax))
    K.person_blocks(prob.row_ptr, prob.pos, prob.glocal, gwt, lam_p, 0, prob.P, A, B)
    oc = codes[prob.order]
    person = oc[:, 0]
    for p in range(prob.P):
        rows = person == p
        # dense: columns of the person's own levels of each person effect, then its facet-only columns
        cols_p = np.zeros((rows.sum(), prob.m))
        for j, _ in enumerate(prob.pidx):
            cols_p[np.arange(rows.sum()), prob.pos[rows, j]] += lam_p[j]
        cols_g = np.zeros((rows.sum(), prob.gmax))
        for j in range(prob.gcol.shape[1]):
            np.add.at(cols_g, (np.arange(rows.sum()), prob.glocal[rows, j]), gwt[rows, j])
        np.testing.assert_allclose(A[p], cols_p.T @ cols_p + np.eye(prob.m), atol=1e-12)
        np.testing.assert_allclose(B[p], cols_p.T @ cols_g, atol=1e-12)
    # the person-block factorisation against the dense penalised matrix determinant (unfolded effects)
    Zs = [naive.dummies(oc, list(e)) for e in effects]
    f = prob.factorize(theta)
    M = naive.penalised_matrix(Zs, theta)
    assert f["logdet_u"] == pytest.approx(np.linalg.slogdet(M)[1], rel=1e-10)


@pytest.mark.parametrize("nested", [False, True])
def test_folded_border_columns_give_the_covariance_of_the_folded_effects(nested):
    """``(Zg Lg)(Zg Lg)'`` from the ratings' columns and weights equals ``sum_k theta_k^2 Z_k Z_k'`` (dense)."""
    d = pd.read_csv(FIX / ("cohort_1500.csv.gz" if nested else "ac_ill.csv"))
    d = d[d["candidate"].isin(d["candidate"].unique()[:30])]
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)} if nested else {})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    effects = [tuple(sorted(e)) for e in design.effects[:-1]]
    prob = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects)
    assert prob.fold is not None and prob.g < 1 + sum(int(prob.q[i]) for i in prob.gidx)
    rng = np.random.default_rng(8)
    for theta in (rng.uniform(0.2, 1.3, len(effects)), np.where(np.arange(len(effects)) % 3 == 0, 0.0, 0.7)):
        _, gwt = prob._lams(theta)
        Zg = np.zeros((prob.n, prob.g))
        np.add.at(Zg, (np.repeat(np.arange(prob.n), prob.gcol.shape[1]), prob.gcol.ravel()), gwt.ravel())
        oc = codes[prob.order]
        ref = np.ones((prob.n, prob.n))  # the intercept column
        for i in prob.gidx:
            Zk = naive.dummies(oc, list(effects[i]))
            ref += theta[i] ** 2 * (Zk @ Zk.T)
        np.testing.assert_allclose(Zg @ Zg.T, ref, atol=1e-12)


def test_fold_plan_folds_the_assessor_into_its_competencies_only_when_persons_fill_the_blocks():
    prob = _cohort_problem(n_persons=80)
    # assessor:exercise folded into competency x assessor:exercise (blocks: the competencies an assessor rates)
    assert [prob.effects[prob.gidx[j]] for j in prob.fold.effects] == [(2, 3), (1, 2, 3)]
    assert prob.g == 1 + sum(int(prob.q[i]) for i in prob.gidx if prob.effects[i] != (2, 3))
    # a design where a person meets one level of each block: folding would widen every person's border
    rng = np.random.default_rng(0)
    n_p, n_a, n_b = 60, 4, 12
    person = np.repeat(np.arange(n_p), n_a * 2)
    a = np.tile(np.repeat(np.arange(n_a), 2), n_p)
    b = rng.integers(0, n_b, n_p * n_a)[np.arange(n_p * n_a * 2) // 2]
    codes = np.column_stack([person, a, b])
    effects = [(0,), (1,), (2,), (1, 2)]
    y = rng.normal(size=len(person))
    assert RemlProblem(y, codes, codes.max(axis=0) + 1, effects).fold is None
    assert RemlProblem(y, codes, codes.max(axis=0) + 1, effects, fold_border=False).fold is None


@pytest.mark.parametrize("sparse", [False, True])
def test_folded_and_unfolded_border_give_the_same_factorisation_and_fit(sparse):
    kw = dict(n_persons=80, sparse_border=sparse)
    a, b = _cohort_problem(fold_border=False, **kw), _cohort_problem(**kw)
    assert b.fold is not None and b.g < a.g and b.border.kind == a.border.kind == ("sparse" if sparse else "dense")
    rng = np.random.default_rng(3)
    for theta in (rng.uniform(0.2, 1.1, len(a.effects)), np.r_[rng.uniform(0.2, 1.0, len(a.effects) - 1), 1e-5]):
        fa, fb = a.factorize(theta), b.factorize(theta)
        assert fb["logdet_u"] == pytest.approx(fa["logdet_u"], rel=1e-12)
        assert fb["logdet_x"] == pytest.approx(fa["logdet_x"], rel=1e-10)
        assert fb["r2"] == pytest.approx(fa["r2"], rel=1e-12)
        # per-effect traces; at theta 1e-5 both sides lose digits to cancellation (q_k - tr M^kk is tiny)
        np.testing.assert_allclose(fb["one_minus"] / theta**2, fa["one_minus"] / theta**2, rtol=1e-6)
        T = np.column_stack([a.y, a.y**2])
        np.testing.assert_allclose(b.solve_fitted(fb, T), a.solve_fitted(fa, T), rtol=1e-10, atol=1e-10)
    fit_a, fit_b = a.fit(), b.fit()
    np.testing.assert_allclose(fit_b.variances, fit_a.variances, rtol=1e-6, atol=1e-9)
    assert fit_b.loglik == pytest.approx(fit_a.loglik, abs=1e-8)


def test_kernels_without_jit_match_jitted():
    d, codes, effects = _small_problem()
    prob = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects)
    theta = np.linspace(0.3, 1.2, len(effects))
    f = prob.factorize(theta)
    jit_dev = prob.profiled_deviance(f)
    jit_fit = prob.solve_fitted(f, np.column_stack([prob.y, prob.y**2]))
    sq, _ = prob.effect_sums(prob.y - f["fitted"])
    snippet = f"""
        import json, itertools, numpy as np, pandas as pd
        from psikometri._reml import RemlProblem
        d = pd.read_csv({str(FIX / 'ac_ill.csv')!r}).iloc[:120]
        codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in
                                 ["candidate", "competency", "exercise", "assessor"]])
        effects = [e for r in (1, 2, 3) for e in itertools.combinations(range(4), r)]
        prob = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects)
        theta = np.linspace(0.3, 1.2, len(effects))
        f = prob.factorize(theta)
        fit = prob.solve_fitted(f, np.column_stack([prob.y, prob.y ** 2]))
        sq, _ = prob.effect_sums(prob.y - f["fitted"])
        print(json.dumps({{"dev": prob.profiled_deviance(f), "fit": fit.tolist(), "sq": sq.tolist(),
                          "one_minus": f["one_minus"].tolist()}}))
    """
    out = run_without_jit(snippet)
    assert out["dev"] == pytest.approx(jit_dev, rel=1e-12)
    np.testing.assert_allclose(out["fit"], jit_fit, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out["sq"], sq, rtol=1e-10)
    np.testing.assert_allclose(out["one_minus"], f["one_minus"], rtol=1e-10)


# ----------------------------------------------------------------------------- border factorisation


def _cohort_problem(n_persons=80, **kw):
    d = pd.read_csv(FIX / "cohort_1500.csv.gz")
    d = d[d["candidate"].isin(d["candidate"].unique()[:n_persons])]
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    effects = [tuple(sorted(e)) for e in design.effects[:-1]]
    return RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects, **kw)


def test_auto_border_counts_a_session_clique_once():
    """Candidates of one session touch the same border levels: the quick bound on the border's pattern counts
    their clique once, so a session design whose pattern stays sparse is factored sparse ("auto"), while with
    assessors drawn at random (every candidate its own clique) the bound still sends a dense border to LAPACK."""
    from psikometri.simulate import simulate_assessment

    def problem(assignment):  # 1,200 candidates, 400 assessors in 5 exercises: a border of 3,557 levels
        d = simulate_assessment({"k": 1200}, assessors_per_exercise=2, candidates_per_assessor=15, rounding=None,
                                assignment=assignment, seed=3).ratings
        design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
        codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
        effects = [tuple(sorted(e)) for e in design.effects[:-1]]
        return RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects)

    sessions = problem("sessions")
    per_person = float(np.sum(sessions.gcount.astype(float) ** 2)) / 2
    assert per_person > 10 * 0.05 * sessions.g * (sessions.g + 1) / 2  # the per-person bound said dense
    assert sessions.border.kind == "sparse"
    assert sessions.border.nnz <= 0.05 * sessions.g * (sessions.g + 1) / 2
    assert problem("random").border.kind == "dense"


def test_sparse_and_dense_border_give_the_same_factorisation():
    dense = _cohort_problem(sparse_border=False)
    sparse = _cohort_problem(sparse_border=True)
    assert dense.border.kind == "dense" and sparse.border.kind == "sparse"
    assert sparse.compact  # candidates touch a small part of the assessor levels
    theta = np.linspace(0.2, 1.1, len(dense.effects))
    fd, fs = dense.factorize(theta), sparse.factorize(theta)
    assert fs["logdet_u"] == pytest.approx(fd["logdet_u"], rel=1e-12)
    assert fs["logdet_x"] == pytest.approx(fd["logdet_x"], rel=1e-10)
    assert fs["r2"] == pytest.approx(fd["r2"], rel=1e-12)
    np.testing.assert_allclose(fs["one_minus"], fd["one_minus"], rtol=1e-10, atol=1e-10)
    T = np.column_stack([dense.y, dense.y**2])
    np.testing.assert_allclose(sparse.solve_fitted(fs, T), dense.solve_fitted(fd, T), rtol=1e-10, atol=1e-10)


def test_selected_inverse_and_sparse_solve_against_numpy():
    import scipy.sparse as sps

    rng = np.random.default_rng(4)
    n = 60
    A = sps.random(n, n, density=0.06, random_state=5).toarray()
    A = A + A.T
    A += np.diag(np.abs(A).sum(axis=1) + 1.0)
    perm = rng.permutation(n)
    L = np.linalg.cholesky(A[np.ix_(perm, perm)])
    Lc = sps.csc_matrix(np.where(np.abs(L) > 0, L, 0.0))
    Lc.sort_indices()
    indptr, indices, lx = Lc.indptr.astype(np.int64), Lc.indices.astype(np.int64), Lc.data.copy()
    z = K.selected_inverse(indptr, indices, lx)
    inv = np.linalg.inv(A[np.ix_(perm, perm)])
    cols = np.repeat(np.arange(n), np.diff(indptr))
    np.testing.assert_allclose(z, inv[indices, cols], rtol=1e-10, atol=1e-13)
    B = rng.normal(size=(n, 3))
    np.testing.assert_allclose(K.csc_cholesky_solve(indptr, indices, lx, perm, B), np.linalg.solve(A, B),
                               rtol=1e-10, atol=1e-12)


def test_symbolic_column_counts_against_dense_elimination():
    import scipy.sparse as sps

    rng = np.random.default_rng(11)
    for n, density in ((1, 1.0), (7, 0.3), (40, 0.05), (90, 0.02), (60, 0.4)):
        P = sps.random(n, n, density=density, random_state=int(rng.integers(1000))).toarray() != 0
        P = P | P.T | np.eye(n, dtype=bool)
        low = sps.csr_matrix(np.tril(P))
        low.sort_indices()
        parent, counts = K.cholesky_column_counts(low.indptr.astype(np.int64), low.indices.astype(np.int64))
        np.testing.assert_array_equal(counts, naive.cholesky_column_counts(P))
        # the parent of column j is the first row below the diagonal in the factor's column j
        L = np.linalg.cholesky(np.where(P, rng.uniform(0.1, 1.0, (n, n)), 0.0) + n * np.eye(n))
        L = np.tril(np.tril(L) != 0)
        np.testing.assert_array_equal(L.sum(axis=0), counts)
        first = [int(np.flatnonzero(L[j + 1:, j])[0]) + j + 1 if L[j + 1:, j].any() else -1 for j in range(n)]
        np.testing.assert_array_equal(parent, first)


def test_sparse_border_fill_count_equals_the_factor_under_its_ordering():
    prob = _cohort_problem(sparse_border=True)
    bd = prob.border
    perm = np.asarray(bd.cv_perm).ravel()
    S = np.zeros((prob.g, prob.g))
    # the pattern itself, permuted; its dense factor's structural nonzeros (random values, no cancellation)
    cols = np.repeat(np.arange(prob.g), np.diff(bd.indptr))
    S[bd.indices, cols] = 1.0
    S = np.maximum(S, S.T)[np.ix_(perm, perm)]
    rng = np.random.default_rng(2)
    A = np.where(S != 0, rng.uniform(0.1, 1.0, S.shape), 0.0)
    A = 0.5 * (A + A.T) + prob.g * np.eye(prob.g)
    assert bd.factor_nnz() == int((np.abs(np.linalg.cholesky(A)) > 0).sum())


def test_reml_fit_is_the_same_with_sparse_border_and_from_the_moment_start():
    from psikometri import _reml

    d = pd.read_csv(FIX / "cohort_1500.csv.gz")
    d = d[d["candidate"].isin(d["candidate"].unique()[:60])]
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    effects = [tuple(sorted(e)) for e in design.effects[:-1]]
    y = d["score"].to_numpy()
    plain = RemlProblem(y, codes, codes.max(axis=0) + 1, effects, sparse_border=False).fit()
    sparse = RemlProblem(y, codes, codes.max(axis=0) + 1, effects, sparse_border=True).fit()
    np.testing.assert_allclose(sparse.variances, plain.variances, rtol=1e-7, atol=1e-9)
    assert sparse.loglik == pytest.approx(plain.loglik, abs=1e-8)
    # the MINQUE(0) start only changes the path, not the optimum
    warm = _reml.fit_reml(y, codes, codes.max(axis=0) + 1, effects)
    np.testing.assert_allclose(warm.variances, plain.variances, rtol=1e-5, atol=1e-7)
    assert warm.loglik == pytest.approx(plain.loglik, abs=1e-7)


def test_reml_is_one_fit_from_the_moment_start_in_a_session_design(monkeypatch):
    """Fixed assessor panels per session: one fit of the full problem, started from the MINQUE(0) estimates,
    with the default search, reaching the cold start's optimum."""
    from psikometri import _reml
    from psikometri.simulate import simulate_assessment

    d = simulate_assessment({"k": 160}, assessors_per_exercise=2, candidates_per_assessor=8, rounding=None,
                            assignment="sessions", seed=7).ratings
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    effects = [tuple(sorted(e)) for e in design.effects[:-1]]
    y = d["score"].to_numpy()
    nl = codes.max(axis=0) + 1
    cold = RemlProblem(y, codes, nl, effects).fit()
    calls = []
    fit = RemlProblem.fit

    def counted(self, *args, **kwargs):
        out = fit(self, *args, **kwargs)
        calls.append((self.n, kwargs, out.iterations))
        return out

    monkeypatch.setattr(RemlProblem, "fit", counted)
    warm = _reml.fit_reml(y, codes, nl, effects)
    ((n, kw, iters),) = calls
    assert n == len(y) and set(kw) == {"start"}
    np.testing.assert_array_equal(kw["start"], _reml.moment_start(y, codes, nl, effects))
    assert warm.converged and iters < cold.iterations
    np.testing.assert_allclose(warm.variances, cold.variances, rtol=1e-4, atol=1e-6)
    assert warm.loglik == pytest.approx(cold.loglik, abs=1e-6)


def test_moment_start_is_minque0_and_shortens_the_reml_iteration():
    """The REML start: MINQUE(0) estimates from cross-tabulation counts equal the dense-matrix formulas; from
    them the fit reaches the optimum of the default start in fewer factorisations (negative estimates start at
    a small positive value)."""
    from psikometri import _reml
    from psikometri.simulate import simulate_assessment

    d = simulate_assessment({"k": 36}, assessors_per_exercise=3, candidates_per_assessor=8, rounding=None,
                            missing_rate=0.1, seed=4).ratings
    design = _Design("candidate", FACETS, {"assessor": ("exercise",)})
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors])
    effects = [tuple(sorted(e)) for e in design.effects[:-1]]
    y = d["score"].to_numpy()
    n_levels = codes.max(axis=0) + 1
    raw = naive.minque0(y, codes, effects)
    start = _reml.moment_start(y, codes, n_levels, effects)
    positive = raw[:-1] > 1e-3 * np.clip(raw, 0, None).sum() / len(raw)
    assert positive.sum() >= 3 and (~positive).sum() >= 1  # both kinds of component occur
    np.testing.assert_allclose(start[:-1][positive], raw[:-1][positive], rtol=1e-9)
    np.testing.assert_allclose(start[-1], raw[-1], rtol=1e-9)
    assert np.all(start[:-1][~positive] > 0) and np.all(start[:-1][~positive] < 0.01 * start.sum())
    # the cross-tabulations through np.unique when the level product is large
    a, b = codes[:, 0], codes[:, 3]
    dense = np.zeros((n_levels[0], n_levels[3]))
    np.add.at(dense, (a, b), 1.0)
    want = float((dense**2).sum())
    assert _reml._pair_square_sum(a, int(n_levels[0]), b, int(n_levels[3])) == want
    assert _reml._pair_square_sum(a, 10**7, b, int(n_levels[3])) == want

    counts = []
    factorize = RemlProblem.factorize

    def counted(self, theta, traces=True):
        counts[-1] += 1
        return factorize(self, theta, traces)

    RemlProblem.factorize = counted
    try:
        counts.append(0)
        cold = RemlProblem(y, codes, n_levels, effects).fit()
        counts.append(0)
        warm = _reml.fit_reml(y, codes, n_levels, effects)
    finally:
        RemlProblem.factorize = factorize
    assert warm.converged and counts[1] < counts[0], counts
    np.testing.assert_allclose(warm.variances, cold.variances, rtol=1e-5, atol=1e-7)
    assert warm.loglik == pytest.approx(cold.loglik, abs=1e-7)


# ----------------------------------------------------------------------------- recovery on the simulator


def test_recovery_on_project_simulator():
    from psikometri.simulate import simulate_assessment

    sim = simulate_assessment({"a": (120, {"administrator": 1.0})}, design="crossed", rounding=None, seed=3,
                              missing_rate=0.05, candidates_per_assessor=60)
    gs = g_study(sim.ratings, score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"})
    truth = sim.truth["variance_components"]
    comp = gs.components
    resid = "candidate:competency:assessor:exercise"
    assert comp.loc[resid, "variance"] == pytest.approx(truth["candidate:competency:exercise:assessor"], rel=0.1)
    for lab in ["candidate", "candidate:exercise", "candidate:competency"]:
        est, se = comp.loc[lab, "variance"], comp.loc[lab, "se"]
        assert abs(est - truth[lab]) < 3.5 * se, lab
    # components absent from the simulator are estimated near zero
    for lab in ["candidate:assessor:exercise", "competency:assessor:exercise"]:
        assert comp.loc[lab, "variance"] < 0.02


# ----------------------------------------------------------------------------- D studies, optimisation, AC views


def test_optimize_returns_cheapest_design(prt):
    gs = g_study(prt, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"})
    res = gs.optimize(0.6, cost={"task": 3, "rater": 1}, max_size=8)
    best = res.iloc[0]
    assert best["g_coefficient"] >= 0.6
    # cost: 3 per task + 1 per rater in each task
    assert best["cost"] == 3 * best["task"] + best["rater"] * best["task"]
    full = gs.d_study(task=range(1, 9), rater=range(1, 9))
    full["cost"] = 3 * full.task + full.rater * full.task
    cheaper = full[(full.cost < best["cost"]) & (full.g_coefficient >= 0.6)]
    assert cheaper.empty
    assert res["cost"].is_monotonic_increasing
    with pytest.raises(ValueError, match="no design"):
        gs.optimize(0.99, cost={"task": 1}, max_size=3)
    # default cost: ratings per candidate
    r2 = gs.optimize(0.5, criterion="phi", max_size=6).iloc[0]
    assert r2["phi"] >= 0.5 and r2["cost"] == r2["task"] * r2["rater"]


def test_ac_perspectives(ac_ill_fit):
    _, gs = ac_ill_fit
    tab = gs.perspectives()
    assert list(tab.index) == ["OAR (competency fixed)", "OAR (all facets random)", "competency score",
                               "exercise score"]
    comp = gs.components["variance"].to_dict()
    sizes = dict(gs.sizes)
    g, phi = naive.coefficients(comp, dict(sizes, competency=1), "candidate", fixed=["competency"])
    assert tab.loc["competency score", "g_coefficient"] == pytest.approx(g, rel=1e-12)
    assert tab.loc["competency score", "phi"] == pytest.approx(phi, rel=1e-12)
    g, _ = naive.coefficients(comp, sizes, "candidate", fixed=["competency"])
    assert tab.loc["OAR (competency fixed)", "g_coefficient"] == pytest.approx(g, rel=1e-12)
    # fixing the competencies can only raise the OAR coefficient
    assert tab.loc["OAR (competency fixed)", "g_coefficient"] >= tab.loc["OAR (all facets random)", "g_coefficient"]
    s = gs.score_reliability("exercise", assessor=2)
    assert s["exercise"] == 1 and s["assessor"] == 2


def test_observed_coefficients_unbalanced_use_harmonic_divisors(ac_ill_fit):
    d, gs = ac_ill_fit
    comp = gs.components["variance"]
    # by hand: each candidate's error variance is s2(effect) / (levels of the effect seen by the candidate)
    rel = 0.0
    for lab in comp.index:
        fs = lab.split(":")
        if "candidate" in fs and len(fs) > 1:
            others = [f for f in fs if f != "candidate"]
            n_levels = d.groupby("candidate")[others].apply(lambda x: len(x.drop_duplicates()))
            rel += comp[lab] * float(np.mean(1.0 / n_levels))
    assert gs.relative_error == pytest.approx(rel, rel=1e-12)
    assert gs.g_coefficient == pytest.approx(comp["candidate"] / (comp["candidate"] + rel), rel=1e-12)


# ----------------------------------------------------------------------------- display, input safety


def test_summary_repr_html(pio):
    gs = g_study(pio, score="score", person="person", facets=["item", "occasion"])
    assert isinstance(gs, GStudy)
    text = gs.summary()
    assert "person:item:occasion" in text and "E rho^2 = 0.6399" in text
    assert "<table" in gs._repr_html_()
    assert "g_coefficient=0.640" in repr(gs)
    with pytest.raises(Exception):
        gs.method = "reml"  # frozen


def test_input_not_modified_and_top_level_export(prt):
    before = prt.copy()
    pk.g_study(prt, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"})
    pd.testing.assert_frame_equal(prt, before)
    assert pk.g_study is g_study


def test_missing_scores_are_left_out_with_note(prt):
    d = prt.copy()
    d.loc[3, "score"] = np.nan
    gs = g_study(d, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"})
    assert gs.method == "reml" and gs.n_obs == 119
    assert any("missing score" in n for n in gs.notes)


# ----------------------------------------------------------------------------- errors


def test_error_person_column_missing(pio):
    with pytest.raises(ValueError, match="person column 'candidate' is not in data"):
        g_study(pio, score="score", person="candidate", facets=["item", "occasion"])


def test_error_facet_with_one_level(pio):
    d = pio[pio.occasion == 1]
    with pytest.raises(ValueError, match="facet 'occasion' has only 1 levels"):
        g_study(d, score="score", person="person", facets=["item", "occasion"])


def test_error_nesting_contradicted(prt):
    d = prt.copy()
    d["rater"] = (d["rater"] - 1) % 4 + 1  # labels reused in every task
    with pytest.raises(ValueError, match="contradicted by the data: rater 1 appears in"):
        g_study(d, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"})


def test_error_disconnected_design():
    rng = np.random.default_rng(2)
    rows = []
    for p in range(20):
        team = ["A1", "A2"] if p < 10 else ["A3", "A4"]
        for e in ["E1", "E2"]:
            for a in team:
                rows.append((p, e, a, rng.normal()))
    d = pd.DataFrame(rows, columns=["candidate", "exercise", "assessor", "score"])
    with pytest.raises(ValueError, match="disconnected: facet 'assessor' splits the candidate into 2 groups"):
        g_study(d, score="score", person="candidate", facets=["exercise", "assessor"])


def test_error_anova_on_unbalanced(prt):
    with pytest.raises(ValueError, match="method='anova' needs a balanced design"):
        g_study(prt.iloc[1:], score="score", person="person", facets=["task", "rater"], nested={"rater": "task"},
                method="anova")


@pytest.mark.parametrize(
    "kwargs, exc, msg",
    [
        ({"facets": []}, ValueError, "facets must be a non-empty list"),
        ({"facets": ["item", "item"]}, ValueError, "duplicates"),
        ({"facets": ["item", "nope"]}, ValueError, r"no column\(s\) \['nope'\]"),
        ({"method": "ml"}, ValueError, "method must be one of"),
        ({"nested": {"person": "item"}}, ValueError, "only facets can be nested"),
        ({"nested": {"item": "occasion", "occasion": "item"}}, ValueError, "cycle"),
        ({"nested": "item"}, TypeError, "nested must be a dict"),
    ],
)
def test_argument_errors(pio, kwargs, exc, msg):
    args = dict(score="score", person="person", facets=["item", "occasion"])
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        g_study(pio, **args)


def test_data_errors(pio):
    d = pio.copy()
    d["score"] = d["score"].astype(object)
    d.loc[5, "score"] = "x"
    with pytest.raises(TypeError, match="row 5 holds 'x'"):
        g_study(d, score="score", person="person", facets=["item", "occasion"])
    d = pio.copy()
    d["item"] = d["item"].astype(float)
    d.loc[7, "item"] = np.nan
    with pytest.raises(ValueError, match="column 'item' is missing at row 7"):
        g_study(d, score="score", person="person", facets=["item", "occasion"])
    with pytest.raises(TypeError, match="DataFrame"):
        g_study([1, 2], score="score", person="person", facets=["item"])
    with pytest.raises(ValueError, match="no variance to decompose"):
        g_study(pio.assign(score=3.0), score="score", person="person", facets=["item", "occasion"])


def test_d_study_errors(pio):
    gs = g_study(pio, score="score", person="person", facets=["item", "occasion"])
    with pytest.raises(ValueError, match="unknown facet"):
        gs.d_study(rater=[1, 2])
    with pytest.raises(ValueError, match="positive numbers"):
        gs.d_study(item=[0, 2])
    with pytest.raises(ValueError, match="fixed names unknown facet"):
        gs.d_study(fixed="rater")
    with pytest.raises(ValueError, match="target must be strictly between 0 and 1"):
        gs.optimize(1.2)
    with pytest.raises(ValueError, match="cost names unknown facet"):
        gs.optimize(0.8, cost={"rater": 1})



def test_error_confounded_effects():
    # one assessor per candidate and exercise: candidate:assessor:exercise = candidate:exercise
    rng = np.random.default_rng(3)
    who = rng.integers(2, size=(12, 2))
    rows = [(p, c, e, f"e{e}a{who[p, e]}", rng.normal()) for p in range(12) for c in range(2) for e in range(2)]
    d = pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "assessor", "score"])
    with pytest.raises(ValueError, match="'candidate:exercise' and 'candidate:assessor:exercise' are confounded"):
        g_study(d, score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"})


def test_facet_nested_in_person_anova_equals_reml():
    # raters nested in persons (Brennan's r:p, here with an item facet crossed): p x (r:p) x i
    rng = np.random.default_rng(8)
    rows = []
    for p in range(15):
        pe = rng.normal(0, 1.0)
        for r in range(3):
            re = rng.normal(0, 0.7)
            for i in range(4):
                rows.append((p, f"p{p}r{r}", i, pe + re + 0.5 * i + rng.normal(0, 0.5)))
    d = pd.DataFrame(rows, columns=["person", "rater", "item", "score"])
    a = g_study(d, score="score", person="person", facets=["rater", "item"], nested={"rater": "person"})
    assert a.method == "anova"
    assert list(a.components.index) == ["person", "item", "rater:person", "person:item", "rater:item:person"]
    r = g_study(d, score="score", person="person", facets=["rater", "item"], nested={"rater": "person"},
                method="reml")
    if not any("negative" in n for n in a.notes):
        np.testing.assert_allclose(r.components["variance"], a.components["variance"], rtol=1e-5)
    # relative error of p x (r:p) x i: s2(r:p)/n_r + s2(pi)/n_i + s2(ri:p)/(n_r n_i)
    v = a.components["variance"]
    rel = v["rater:person"] / 3 + v["person:item"] / 4 + v["rater:item:person"] / 12
    assert a.relative_error == pytest.approx(rel, rel=1e-12)


@pytest.mark.parametrize("method", ["anova", "reml"])
def test_location_scale_and_row_order_invariance(prt, method):
    kw = dict(score="score", person="person", facets=["task", "rater"], nested={"rater": "task"}, method=method)
    base = g_study(prt, **kw)
    shifted = g_study(prt.assign(score=2.5 * prt["score"] + 10), **kw)
    np.testing.assert_allclose(shifted.components["variance"], 6.25 * base.components["variance"], rtol=1e-6)
    assert shifted.g_coefficient == pytest.approx(base.g_coefficient, rel=1e-6)
    shuffled = g_study(prt.sample(frac=1.0, random_state=3), **kw)
    np.testing.assert_allclose(shuffled.components["variance"], base.components["variance"], rtol=1e-6)
    relabeled = g_study(prt.assign(person=prt["person"].map(lambda p: f"cand-{100 - p}")), **kw)
    np.testing.assert_allclose(relabeled.components["variance"], base.components["variance"], rtol=1e-6)


def test_effect_sums_and_solves_against_dense():
    d, codes, effects = _small_problem()
    prob = RemlProblem(d["score"].to_numpy(), codes, codes.max(axis=0) + 1, effects)
    oc = codes[prob.order]
    v = np.random.default_rng(1).normal(size=prob.n)
    sq, T = prob.effect_sums(v)
    for k, e in enumerate(effects):
        Z = naive.dummies(oc, list(e))
        s = Z.T @ v
        assert sq[k] == pytest.approx(float(s @ s), rel=1e-12)
        np.testing.assert_allclose(T[:, k], Z @ s, rtol=1e-12)
    # X b + Z u from the person-block solve equals the dense mixed-model-equation solution
    theta = np.linspace(0.2, 1.0, len(effects))
    f = prob.factorize(theta)
    Zl = np.column_stack([t * naive.dummies(oc, list(e)) for t, e in zip(theta, effects)])
    W = np.column_stack([Zl, np.ones(prob.n)])
    M = W.T @ W + np.diag(np.r_[np.ones(Zl.shape[1]), 0.0])
    sol = np.linalg.solve(M, W.T @ v)
    np.testing.assert_allclose(prob.solve_fitted(f, v[:, None])[:, 0], W @ sol, rtol=1e-9, atol=1e-11)


# ----------------------------------------------------------------------------- uncertainty


def test_g_and_phi_intervals_by_the_delta_method_against_numerical_gradients():
    d = pd.read_csv(FIX / "ac_nested.csv")
    gs = g_study(d, score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"})
    out = gs.d_study(fixed=["competency"], level=0.90, exercise=[3, 5])
    comp = gs.components["variance"].to_numpy()
    cov = np.nan_to_num(gs._cov.copy())  # boundary components count as known zeros
    for r, row in out.iterrows():
        for name in ("g_coefficient", "phi"):
            def coef(c):
                g2 = GStudy(**{**gs.__dict__, "components": gs.components.assign(variance=c)})
                return float(g2.d_study(fixed=["competency"], exercise=row["exercise"])[name].iloc[0])

            h = 1e-6
            grad = np.array([(coef(comp + h * np.eye(len(comp))[j]) - coef(comp - h * np.eye(len(comp))[j])) / (2 * h)
                             for j in range(len(comp))])
            se = float(np.sqrt(grad @ cov @ grad))
            assert row[f"{name}_se"] == pytest.approx(se, rel=1e-5)
            z = 1.6448536269514722  # 90%
            logit = np.log(row[name] / (1 - row[name]))
            half = z * se / (row[name] * (1 - row[name]))
            assert row[f"{name}_ci_low"] == pytest.approx(1 / (1 + np.exp(-(logit - half))), rel=1e-5)
            assert row[f"{name}_ci_low"] < row[name] < row[f"{name}_ci_high"]


def test_component_intervals_are_satterthwaite():
    from scipy import stats

    pio = pd.read_csv(FIX / "brennan_pio.csv")
    gs = g_study(pio, score="score", person="person", facets=["item", "occasion"], method="anova")
    c = gs.components
    for k in c.index:
        v, se = c.loc[k, "variance"], c.loc[k, "se"]
        if v <= 0:
            assert np.isnan(c.loc[k, "ci_low"])
            continue
        nu = 2 * (v / se) ** 2
        assert c.loc[k, "ci_low"] == pytest.approx(nu * v / stats.chi2.ppf(0.975, nu), rel=1e-12)
        assert c.loc[k, "ci_high"] == pytest.approx(nu * v / stats.chi2.ppf(0.025, nu), rel=1e-12)


@pytest.mark.slow
def test_reml_cohort_of_1500_candidates_matches_lme4():
    """1,500 candidates, 400 assessors nested in 5 exercises, 9 competencies, 64,114 ratings, full random model.

    Reference: tests/fixtures/gtheory/make_reference_cohort.R (lme4 1.1-31, lmer(REML = TRUE), lme4's default
    optimiser), recorded in reference_lme4_cohort.csv with lme4's time (2,550 s, 495 deviance evaluations).
    """
    ref = pd.read_csv(FIX / "reference_lme4_cohort.csv")
    d = pd.read_csv(FIX / "cohort_1500.csv.gz")
    g = g_study(d, score="score", person="candidate", facets=["competency", "exercise", "assessor"],
                nested={"assessor": "exercise"}, method="reml")
    lme = dict(zip(ref["component"], ref["variance"].astype(float)))
    assert set(lme) == set(g.components.index)
    total = sum(lme.values())
    for k, v in lme.items():
        # relative difference, components under 0.1% of the total compared on that scale
        assert abs(g.components.loc[k, "variance"] - v) / max(v, 1e-3 * total) < 1e-3, k
    ll = float(ref["loglik"].iloc[0])
    assert g.loglik >= ll - 1e-6  # at least as high as lme4's optimum
    assert abs(g.loglik - ll) / abs(ll) < 1e-3


# ----------------------------------------------------------------------------- candidate bootstrap of G and Phi


def _resampled(data, person, draw):
    """The data of the candidates in ``draw`` (with repeats), each drawn candidate a new one."""
    ids = pd.unique(data[person].sort_values())
    parts = [data[data[person] == ids[c]].assign(**{person: f"draw{i:04d}"}) for i, c in enumerate(draw)]
    return pd.concat(parts, ignore_index=True)


def test_bootstrap_anova_replicates_equal_a_g_study_of_each_resample(pio):
    from psikometri._resampling import bootstrap_indices

    args = dict(score="score", person="person", facets=["item", "occasion"])
    gs = g_study(pio, n_boot=4, seed=11, **args)
    assert gs.method == "anova" and gs.boot_components.shape == (4, 7)
    draws = bootstrap_indices(pio["person"].nunique(), 4, seed=11)
    for b in range(4):
        ref = g_study(_resampled(pio, "person", draws[b]), method="anova", **args).components["variance"]
        np.testing.assert_allclose(gs.boot_components.iloc[b].to_numpy(), ref.to_numpy(), rtol=1e-12, atol=1e-12)


def test_bootstrap_reml_replicates_equal_a_cold_fit_of_each_resample(ac_ill_fit):
    from psikometri._resampling import bootstrap_indices

    d, _ = ac_ill_fit
    d = d[d["candidate"].isin(pd.unique(d["candidate"])[:40])]
    gs = g_study(d, score="score", person="candidate", facets=FACETS, method="reml", n_boot=3, seed=5)
    assert gs.boot_components.shape == (3, len(gs.components))
    draws = bootstrap_indices(d["candidate"].nunique(), 3, seed=5)
    for b in range(3):
        ref = g_study(_resampled(d, "candidate", draws[b]), score="score", person="candidate", facets=FACETS,
                      method="reml").components["variance"].to_numpy()
        # warm and cold starts reach the same optimum; components on the boundary are exact zeros in both
        np.testing.assert_allclose(gs.boot_components.iloc[b].to_numpy(), ref, rtol=2e-4, atol=1e-6 * ref.sum())


def test_bootstrap_intervals_are_percentiles_of_the_hand_coefficients(prt):
    # p x (r:t): G = p / (p + pt/nt + prt/(nt nr)); Phi adds t/nt + rt/(nt nr)
    gs = g_study(prt, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"},
                 n_boot=300, seed=3)
    bc = gs.boot_components
    nt, nr = 3, 2
    rel = bc["person:task"] / nt + bc["person:rater:task"] / (nt * nr)
    ab = rel + bc["task"] / nt + bc["rater:task"] / (nt * nr)
    g = bc["person"] / (bc["person"] + rel)
    phi = bc["person"] / (bc["person"] + ab)
    row = gs.d_study(task=nt, rater=nr, level=0.90).iloc[0]
    np.testing.assert_allclose([row["g_coefficient_ci_low"], row["g_coefficient_ci_high"]],
                               np.quantile(g, [0.05, 0.95]), rtol=1e-12)
    np.testing.assert_allclose([row["phi_ci_low"], row["phi_ci_high"]], np.quantile(phi, [0.05, 0.95]), rtol=1e-12)
    np.testing.assert_allclose(row["g_coefficient_se"], g.std(ddof=1), rtol=1e-12)
    assert gs.d_study(task=nt, rater=nr, level=0.9).attrs["ci_method"] == "bootstrap"
    delta = gs.d_study(task=nt, rater=nr, level=0.9, ci="delta")
    assert delta.attrs["ci_method"] == "delta"
    assert delta["g_coefficient_ci_low"].iloc[0] != row["g_coefficient_ci_low"]
    oar = gs.oar_reliability(level=0.9, task=nt, rater=nr)
    assert oar.attrs["ci_method"] == "bootstrap" and oar["g_coefficient_ci_low"] == row["g_coefficient_ci_low"]


def test_bootstrap_is_reproducible_by_seed(prt):
    args = dict(score="score", person="person", facets=["task", "rater"], nested={"rater": "task"}, n_boot=20)
    a = g_study(prt, seed=7, **args).boot_components
    b = g_study(prt.sample(frac=1.0, random_state=1), seed=7, **args).boot_components
    c = g_study(prt, seed=8, **args).boot_components
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.to_numpy(), c.to_numpy())


@pytest.mark.parametrize("bad", [1, -1, True, 2.5, 100_001])
def test_bootstrap_argument_errors(pio, bad):
    with pytest.raises(ValueError, match="n_boot must be 0"):
        g_study(pio, score="score", person="person", facets=["item", "occasion"], n_boot=bad)


def test_bootstrap_seed_checked_and_ci_choice(pio):
    args = dict(score="score", person="person", facets=["item", "occasion"])
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        g_study(pio, seed=-1, **args)
    gs = g_study(pio, **args)
    assert gs.boot_components is None
    with pytest.raises(ValueError, match="ci='bootstrap' needs"):
        gs.d_study(level=0.95, ci="bootstrap")
    with pytest.raises(ValueError, match="ci must be one of"):
        gs.d_study(level=0.95, ci="percentile")
    assert gs.d_study(level=0.95).attrs["ci_method"] == "delta"


# ----------------------------------------------------------------------------- Henderson's Method 1


def _design_arrays(d, person, facets, nested):
    design = _Design(person, facets, nested)
    codes = np.column_stack([pd.factorize(d[c], sort=True)[0] for c in design.factors]).astype(np.int64)
    return design, codes, [tuple(sorted(e)) for e in design.effects[:-1]]


@pytest.mark.parametrize("case", ["pio", "prt"])
def test_henderson1_equals_anova_on_balanced_data(case, pio, prt):
    """With balanced data the T terms span the ANOVA sums of squares: the unbiased solutions coincide (Brennan's
    printed estimates, crossed p x i x o and nested p x (r:t))."""
    if case == "pio":
        args = dict(data=pio, score="score", person="person", facets=["item", "occasion"])
    else:
        args = dict(data=prt, score="score", person="person", facets=["task", "rater"], nested={"rater": "task"})
    a = g_study(**args, method="anova")
    h = g_study(**args, method="henderson1")
    assert h.method == "henderson1"
    np.testing.assert_allclose(h.anova["estimate"].to_numpy(), a.anova["estimate"].to_numpy(), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(h.components["variance"], a.components["variance"], rtol=1e-10, atol=1e-12)
    assert h.g_coefficient == pytest.approx(a.g_coefficient, rel=1e-10)
    assert h.components["se"].isna().all() and np.isnan(h.loglik)
    # the T term of the person: sum over persons of their total squared over their count
    tot = args["data"].groupby("person")["score"].agg(["sum", "count"])
    assert h.anova.loc["person", "t_term"] == pytest.approx(float((tot["sum"] ** 2 / tot["count"]).sum()), rel=1e-12)
    assert h.anova.loc[h.anova.index[-1], "t_term"] == pytest.approx(float((args["data"]["score"] ** 2).sum()))


def test_henderson1_matches_the_dense_quadratic_forms_on_an_unbalanced_design():
    from psikometri._henderson import henderson1
    from psikometri.simulate import simulate_assessment

    d = simulate_assessment({"k": 18}, assessors_per_exercise=3, candidates_per_assessor=6, rounding=None,
                            missing_rate=0.15, seed=4).ratings
    design, codes, effects = _design_arrays(d, "candidate", FACETS, {"assessor": ("exercise",)})
    y = d["score"].to_numpy()
    fit = henderson1(y, codes, codes.max(axis=0) + 1, effects)
    ref = naive.henderson1(y, codes, effects)
    np.testing.assert_allclose(fit.estimates, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    gs = g_study(d, score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"},
                 method="henderson1")
    np.testing.assert_allclose(gs.anova["estimate"].to_numpy(), ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_array_equal(gs.components["variance"].to_numpy(), np.maximum(gs.anova["estimate"], 0))
    assert any("incomplete design" in n for n in gs.notes)
    assert any("no standard errors" in n for n in gs.notes)


def test_henderson1_pair_counts_by_hash_equal_the_dense_cross_tabulation():
    from psikometri._henderson import _pair_cells

    rng = np.random.default_rng(2)
    a = rng.integers(0, 3000, 2000)
    b = rng.integers(0, 40, 2000)
    dense = np.zeros((3000, 40))
    np.add.at(dense, (a, b), 1.0)
    for qa in (3000, 10**6):  # a level product under and over the bincount limit: bincount, then hashing
        c, i, j = _pair_cells(a, qa, b, 40)
        assert c.sum() == 2000 and len(c) == np.count_nonzero(dense)
        np.testing.assert_array_equal(c, dense[i, j])


def test_henderson1_is_unbiased_on_a_fixed_unbalanced_design():
    """Mean of 400 estimates from data drawn with known components: within 4 Monte Carlo standard errors of the
    truth for every component (the estimator is unbiased for any design; wrong coefficients would bias it)."""
    from psikometri._henderson import henderson1
    from psikometri.simulate import simulate_assessment

    d = simulate_assessment({"k": 24}, assessors_per_exercise=3, candidates_per_assessor=6, rounding=None,
                            missing_rate=0.2, seed=8).ratings
    design, codes, effects = _design_arrays(d, "candidate", FACETS, {"assessor": ("exercise",)})
    n_levels = codes.max(axis=0) + 1
    groups = [pd.factorize(pd.Series(list(map(tuple, codes[:, list(e)]))))[0] for e in effects]
    truth = np.linspace(0.05, 0.4, len(effects) + 1)[::-1].copy()
    rng = np.random.default_rng(12)
    est = []
    for _ in range(400):
        y = 3.0 + rng.normal(0.0, np.sqrt(truth[-1]), len(d))
        for g, s2 in zip(groups, truth[:-1]):
            y += rng.normal(0.0, np.sqrt(s2), g.max() + 1)[g]
        est.append(henderson1(y, codes, n_levels, effects).estimates)
    est = np.array(est)
    mc_se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - truth) < 4 * mc_se), (est.mean(axis=0) - truth) / mc_se


def test_henderson1_is_linear_in_the_ratings_and_independent_of_row_order():
    from psikometri.simulate import simulate_assessment

    d = simulate_assessment({"k": 60}, assessors_per_exercise=2, candidates_per_assessor=10, rounding=None,
                            missing_rate=0.05, seed=3).ratings
    args = dict(score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"},
                method="henderson1")
    a = g_study(d, **args)
    b = g_study(d.sample(frac=1.0, random_state=1), **args)
    pd.testing.assert_frame_equal(a.components, b.components, rtol=1e-12)
    # the T terms and estimates do not depend on the rows' order up to rounding: every sum is a bincount
    pd.testing.assert_frame_equal(a.anova, b.anova, rtol=1e-12)
    # a shift of every rating changes the T terms but not the estimates (the centred equations keep their digits
    # with ratings far from zero)
    far = d.assign(score=d["score"] + 1e6)
    c = g_study(far, **args)
    np.testing.assert_allclose(c.anova["estimate"], a.anova["estimate"], rtol=1e-7,
                               atol=1e-9 * a.anova["estimate"].abs().sum())
    assert c.anova.loc["candidate", "t_term"] > 1e6 * a.anova.loc["candidate", "t_term"]
    # a large-scale difference against REML would mean a wrong estimator: both are consistent
    r = g_study(d, score="score", person="candidate", facets=FACETS, nested={"assessor": "exercise"},
                method="reml")
    assert abs(a.components.loc["candidate", "variance"] - r.components.loc["candidate", "variance"]) < 0.1


def test_henderson1_bootstrap_equals_the_estimates_of_each_resample_and_intervals_need_it(ac_ill_fit):
    from psikometri._resampling import bootstrap_indices

    d, _ = ac_ill_fit
    d = d[d["candidate"].isin(pd.unique(d["candidate"])[:50])]
    gs = g_study(d, score="score", person="candidate", facets=FACETS, method="henderson1", n_boot=4, seed=9)
    assert gs.boot_components.shape == (4, len(gs.components))
    assert not any("no standard errors" in n for n in gs.notes)
    draws = bootstrap_indices(d["candidate"].nunique(), 4, seed=9)
    for b in range(4):
        ref = g_study(_resampled(d, "candidate", draws[b]), score="score", person="candidate", facets=FACETS,
                      method="henderson1").components["variance"].to_numpy()
        np.testing.assert_allclose(gs.boot_components.iloc[b].to_numpy(), ref, rtol=1e-9, atol=1e-12)
    row = gs.d_study(level=0.9).iloc[0]
    assert row["g_coefficient_ci_low"] < row["g_coefficient"] < row["g_coefficient_ci_high"]
    with pytest.raises(ValueError, match="use ci='bootstrap'"):
        gs.d_study(level=0.9, ci="delta")
    plain_fit = g_study(d, score="score", person="candidate", facets=FACETS, method="henderson1")
    with pytest.raises(ValueError, match="method='henderson1' does not give"):
        plain_fit.oar_reliability(level=0.95)
    assert plain_fit.d_study().shape[0] == 1  # point values need no intervals
    assert "HENDERSON1" in plain_fit.summary() and "henderson1" in repr(plain_fit)


def test_henderson1_notes_nearly_confounded_effects_and_reml_fails_clearly_on_degenerate_data():
    # 300 candidates x 3 exercises, one assessor per candidate and exercise except a single second rating:
    # candidate:exercise and the residual are all but confounded, and the moment estimates are unstable
    rng = np.random.default_rng(0)
    rows = [(p, e, f"{e}-{rng.integers(20)}") for p in range(300) for e in range(3)] + [(0, 0, "0-99")]
    d = pd.DataFrame(rows, columns=["p", "e", "a"])
    d["score"] = rng.normal(size=300)[d.p] + rng.normal(size=len(d))
    gs = g_study(d, score="score", person="p", facets=["e", "a"], nested={"a": "e"}, method="henderson1")
    near = [n for n in gs.notes if n.startswith("nearly confounded")]
    assert len(near) == 1 and "p:e and p:a:e: only 1 of the 900" in near[0]
    # a design without such a pair has no such note
    two = pd.concat([d.iloc[:-1], d.iloc[:-1].assign(a=lambda x: x["a"] + "b")], ignore_index=True)
    two["score"] = rng.normal(size=300)[two.p] + rng.normal(size=len(two))
    ok = g_study(two, score="score", person="p", facets=["e", "a"], nested={"a": "e"}, method="henderson1")
    assert not any(n.startswith("nearly confounded") for n in ok.notes)
    # with as many ratings as parameters REML's matrices become singular: a ValueError that says what to do
    tiny = pd.DataFrame({"p": [0, 0, 1, 1, 2, 3, 3], "i": [0, 1, 0, 0, 1, 0, 1], "o": [1, 1, 0, 1, 0, 1, 1],
                         "score": [-0.598, -0.224, 0.971, 0.097, 1.157, 1.078, 1.430]})
    with pytest.raises(ValueError, match="REML cannot be fitted to these data: 7 ratings for 7 variance components"):
        g_study(tiny, score="score", person="p", facets=["i", "o"], method="reml")
    with pytest.raises(ValueError, match="moment equations of these data are singular"):
        g_study(tiny, score="score", person="p", facets=["i", "o"], method="henderson1")
    # a bootstrapped Henderson fit asked for delta intervals is told to use its bootstrap
    boot = g_study(two, score="score", person="p", facets=["e", "a"], nested={"a": "e"}, method="henderson1",
                   n_boot=20, seed=1)
    with pytest.raises(ValueError, match="use ci='bootstrap'"):
        boot.d_study(level=0.9, ci="delta")


@pytest.mark.parametrize("scale", [1e-120, 1e160])
def test_scores_beyond_double_precision_squares_raise_instead_of_inf_or_zero(scale, pio):
    d = pio.assign(score=pio["score"] * scale)
    for method in ("anova", "reml", "henderson1"):
        with pytest.raises(ValueError, match="Rescale the score column"):
            g_study(d, score="score", person="person", facets=["item", "occasion"], method=method)
    # ratings near 1e6 (a shifted scale) are fine: ANOVA gives Brennan's components
    ok = g_study(pio.assign(score=pio["score"] + 1e6), score="score", person="person", facets=["item", "occasion"])
    assert ok.components.loc["person", "variance"] == pytest.approx(BRENNAN_PIO["person"], abs=5e-5)


def test_reml_problem_rejects_an_unknown_border_choice():
    y = np.arange(12.0) % 5
    codes = np.column_stack([np.repeat(np.arange(4), 3), np.tile(np.arange(3), 4)]).astype(np.int64)
    for bad in (np.True_, 1, "sparse"):
        with pytest.raises(ValueError, match="sparse_border must be True, False or 'auto'"):
            RemlProblem(y, codes, np.array([4, 3]), [(0,), (1,)], sparse_border=bad)
