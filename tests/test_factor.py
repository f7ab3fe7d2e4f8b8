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


def test_mapping_model_matches_lavaan(hs):
    # lavaan: cfa('visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6', data = hs) -- reference.json["hs_two"]
    res = pk.cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"]})
    _check(res, "hs_two")
    # the mapping is the same model as the syntax
    syn = pk.cfa(hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6")
    pd.testing.assert_series_equal(res.fit, syn.fit)


def test_syntax_extras_match_lavaan(hs):
    # freed marker (NA*), fixed loading, equality label, fixed zero covariance, residual covariance,
    # continuation line, '#' and '!' comments, ';' -- lavaan: cfa(SYN, data = hs), reference.json["hs_syntax"]
    syn = (FIX / "make_reference.R").read_text().split('SYN <- "')[1].split('"\n')[0]
    res = pk.cfa(hs, syn)
    _check(res, "hs_syntax")
    load = res.loadings.set_index("indicator")
    assert load.loc["x8", "est"] == load.loc["x9", "est"]  # a*x8 + a*x9
    assert load.loc["x6", "est"] == 0.5 and np.isnan(load.loc["x6", "se"])
    cov = res.covariances.set_index(["lhs", "rhs"])
    assert cov.loc[("textual", "speed"), "est"] == 0.0
    assert cov.loc[("x7", "x8"), "kind"] == "residual"
    # std_all of a residual covariance is the residual correlation (lavaan's convention)
    th = res.residual_variances.set_index("indicator")["est"]
    assert cov.loc[("x7", "x8"), "std_all"] == pytest.approx(
        cov.loc[("x7", "x8"), "est"] / np.sqrt(th["x7"] * th["x8"]), rel=1e-12)


LAVAAN_ORDER = ["Pasteur", "Grant-White"]  # lavaan's group order: first appearance in the data


@pytest.mark.parametrize("key, equal", [
    ("mi_configural", ()),
    ("mi_metric", ("loadings",)),
    ("mi_scalar", ("loadings", "intercepts")),
    ("mi_strict", ("loadings", "intercepts", "residuals")),
    ("mi_lv", ("loadings", "intercepts", "lv.variances", "lv.covariances")),
])
def test_multigroup_matches_lavaan(hs, key, equal):
    # lavaan: cfa(HS, data = hs, group = "school", group.equal = ...) -- reference.json[key]; groups in lavaan's
    # order (first appearance: Pasteur, then Grant-White), passed explicitly (psikometri sorts by default)
    res = pk.cfa(hs, HS, group="school", group_equal=equal, group_levels=LAVAAN_ORDER)
    assert res.groups == ("Pasteur", "Grant-White") and res.n_per_group == (156, 145)
    _check(res, key)
    assert len(res.intercepts) == 2 * (9 + 3)


def test_multigroup_std_lv_frees_later_factor_variances(hs):
    # lavaan: cfa(HS, data = hs, group = "school", std.lv = TRUE, group.equal = "loadings"): factor variances are
    # 1 in the first group and free in the second -- reference.json["mi_metric_std_lv"]
    res = pk.cfa(hs, HS, group="school", group_equal=["loadings"], std_lv=True, group_levels=LAVAAN_ORDER)
    _check(res, "mi_metric_std_lv")
    var = res.covariances[res.covariances["lhs"] == res.covariances["rhs"]]
    assert (var.loc[var["group"] == "Pasteur", "est"] == 1.0).all()
    assert var.loc[var["group"] == "Grant-White", "se"].notna().all()


def test_measurement_invariance_matches_lavaan(hs):
    mi = pk.measurement_invariance(hs, HS, "school", group_levels=LAVAAN_ORDER)
    assert mi.attrs["groups"] == tuple(LAVAAN_ORDER)
    assert list(mi.index) == ["configural", "metric", "scalar", "strict"]
    for level in mi.index:
        fit = REF[f"mi_{level}"]["fit"]  # lavaan fitMeasures() of the four models
        for col in ("chisq", "df", "cfi", "rmsea", "srmr", "tli", "aic", "bic"):
            assert mi.loc[level, col] == pytest.approx(fit[col], abs=1e-6, rel=1e-6), (level, col)
    lrt = REF["mi_lrt"]  # lavTestLRT(configural, metric, scalar, strict)
    np.testing.assert_allclose(mi["delta_chisq"].iloc[1:], lrt["chisq_diff"][1:], atol=1e-5)
    assert mi["delta_df"].iloc[1:].tolist() == lrt["df_diff"][1:]
    np.testing.assert_allclose(mi["p_delta"].iloc[1:], lrt["p"][1:], rtol=1e-4, atol=1e-9)
    # delta CFI / RMSEA from lavaan's values, and the decisions they imply with the default cut-offs
    cfi = [REF[f"mi_{k}"]["fit"]["cfi"] for k in mi.index]
    rmsea = [REF[f"mi_{k}"]["fit"]["rmsea"] for k in mi.index]
    np.testing.assert_allclose(mi["delta_cfi"].iloc[1:], np.diff(cfi), atol=1e-6)
    np.testing.assert_allclose(mi["delta_rmsea"].iloc[1:], np.diff(rmsea), atol=1e-6)
    expected = ["baseline"] + ["holds" if (-dc <= 0.01 and dr <= 0.015) else "rejected"
                               for dc, dr in zip(np.diff(cfi), np.diff(rmsea))]
    assert mi["decision"].tolist() == expected == ["baseline", "holds", "rejected", "holds"]
    # the conclusion: metric invariance; strict is not supported once scalar is rejected
    assert mi["supported"].tolist() == [True, True, False, False]
    assert mi.attrs["highest_level"] == "metric"
    assert isinstance(mi.attrs["fits"]["scalar"], CFAResult)
    # stricter cut-offs as parameters
    strict = pk.measurement_invariance(hs, HS, "school", cfi_cut=0.002, levels=("configural", "metric"))
    assert strict["decision"].tolist() == ["baseline", "rejected"]
    assert strict.attrs["highest_level"] == "configural"


def test_heywood_case_is_reported_not_raised():
    # lavaan: cfa('fa =~ a1 + a2 + a3\n fb =~ b1 + b2 + b3', data = hey) warns "some estimated ov variances are
    # negative" -- reference.json["heywood"]; the estimates (with the negative variance) are the same
    hey = pd.read_csv(FIX / "heywood.csv")
    res = pk.cfa(hey, "fa =~ a1 + a2 + a3\nfb =~ b1 + b2 + b3")
    _check(res, "heywood")
    assert "ov variances are negative" in REF["heywood"]["warnings"][0] and REF["heywood"]["post_check"] is False
    assert res.converged and not res.admissible
    assert "Heywood" in res.reason and "a1" in res.reason
    a1 = res.residual_variances.set_index("indicator").loc["a1", "est"]
    assert a1 < 0
    assert "NOT admissible" in res.summary() and "a1" in res.summary()


def test_factor_correlation_beyond_one_is_inadmissible():
    # lavaan warns "covariance matrix of latent variables is not positive definite" -- reference.json["nonpd"]
    npd = pd.read_csv(FIX / "nonpd.csv")
    res = pk.cfa(npd, "fa =~ a1 + a2 + a3\nfb =~ b1 + b2 + b3")
    assert "latent variables" in REF["nonpd"]["warnings"][0]
    _check(res, "nonpd", tol=2e-4)
    assert not res.admissible and "not positive definite" in res.reason and "fa~~fb" in res.reason
    r = res.covariances.set_index(["lhs", "rhs"]).loc[("fa", "fb"), "std_all"]
    assert r > 1


def test_engine_non_convergence_is_a_result(hs):
    from psikometri import factor as F

    m = F._build_model(HS)
    S, mu, n = F._sample_moments([hs[list(m.ov)].to_numpy()])
    fit = F._fit_ml(m, S, mu, n, max_iter=2)
    assert not fit.converged and "within 2 iterations" in fit.notes[0]
    assert np.isfinite(fit.fit["chisq"])
    res = F._result(m, fit)
    assert not res.converged and "NOT converged" in repr(res) and res.reason
    # a warm start at the solution converges at once
    full = F._fit_ml(m, S, mu, n)
    again = F._fit_ml(m, S, mu, n, start=full.x)
    assert again.converged and again.iterations <= 5
    assert again.fit["chisq"] == pytest.approx(REF["hs_marker"]["fit"]["chisq"], abs=1e-6)


def test_gradient_and_information_against_naive():
    from psikometri import factor as F

    from . import naive_factor as naive

    hs = pd.read_csv(FIX / "hs1939.csv")
    for equal, std_lv in (((), False), (("loadings", "intercepts"), False), (("loadings",), True)):
        m = F._build_model(HS + "\nx7 ~~ x8", ngroups=2, std_lv=std_lv, meanstructure=True, group_equal=equal)
        X = [hs.loc[hs.school == s, list(m.ov)].to_numpy() for s in ("Pasteur", "Grant-White")]
        S, mu, n = F._sample_moments(X)
        rng = np.random.default_rng(5)
        x = F._start_values(m, S, mu) * rng.uniform(0.8, 1.2, m.npar) + rng.normal(0, 0.05, m.npar)
        w = np.array(n) / sum(n)
        ld = [np.linalg.slogdet(s)[1] for s in S]
        assert F._objective(m, x, S, mu, w, ld) == pytest.approx(naive.discrepancy(m, x, S, mu, n), rel=1e-12)
        g, H = F._grad_info(m, x, S, mu, w)
        gn = naive.numeric_gradient(lambda v: naive.discrepancy(m, v, S, mu, n), x)
        np.testing.assert_allclose(g, gn, atol=1e-7)
        Hn = naive.expected_information(m, x, n)
        np.testing.assert_allclose(H, Hn, atol=1e-6)
        for g_ in range(2):
            mats = F._matrices(m, x, g_)
            for a, b in zip(mats, naive.matrices(m, x, g_)):
                np.testing.assert_array_equal(a, b)


def _hessian_cases(hs):
    """Models for the second derivatives: two groups with means and equality constraints (loadings with factor
    means), ``std_lv`` (free factor variances in group 2), and one group with a cross-loading, correlated
    residuals and fixed factor variances (loadings with factor covariances of both orders)."""
    from psikometri import factor as F

    out = []
    for equal, std_lv in ((("loadings", "intercepts"), False), (("loadings",), True)):
        m = F._build_model(HS + "\nx7 ~~ x8", ngroups=2, std_lv=std_lv, meanstructure=True, group_equal=equal)
        out.append((m, [hs.loc[hs.school == s, list(m.ov)].to_numpy() for s in ("Pasteur", "Grant-White")]))
    m = F._build_model("f1 =~ x1 + x2 + x3 + x4\nf2 =~ x4 + x5 + x6 + x7\nf3 =~ x7 + x8 + x9\nx1 ~~ x2\n"
                       "x5 ~~ x6", std_lv=True)
    out.append((m, [hs[list(m.ov)].to_numpy()]))
    return out


def _off_optimum(F, m, S, mu):
    rng = np.random.default_rng(5)
    return F._start_values(m, S, mu) * rng.uniform(0.8, 1.2, m.npar) + rng.normal(0, 0.05, m.npar)


def test_observed_information_against_naive(hs):
    """The kernel's Hessian of F (the Newton steps' observed information) against second differences of the
    naive discrepancy, away from the optimum (where it differs from the expected information)."""
    from psikometri import factor as F

    from . import naive_factor as naive

    for m, X in _hessian_cases(hs):
        S, mu, n = F._sample_moments(X)
        x = _off_optimum(F, m, S, mu)
        w = np.array(n) / sum(n)
        g, H, Ho = F._grad_info(m, x, S, mu, w, observed=True)
        g2, H2 = F._grad_info(m, x, S, mu, w)
        np.testing.assert_array_equal(g, g2)
        np.testing.assert_array_equal(H, H2)
        Hn = naive.numeric_hessian(lambda v: naive.discrepancy(m, v, S, mu, n), x)
        np.testing.assert_allclose(Ho, Hn, atol=2e-5)
        assert np.abs(Ho - H).max() > 1.0  # not the expected information again


def test_kernels_without_jit_against_naive():
    """The kernels of psikometri._factor_kernels as plain Python (coverage) against the naive references."""
    from ._nojit import run_without_jit

    snippet = f"""
        import json, sys
        import numpy as np, pandas as pd
        sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        from psikometri import factor as F
        from tests import naive_factor as naive
        from tests.test_factor import _hessian_cases, _off_optimum
        hs = pd.read_csv({str(FIX / "hs1939.csv")!r})
        out = []
        for m, X in _hessian_cases(hs):
            S, mu, n = F._sample_moments(X)
            x = _off_optimum(F, m, S, mu)
            w = np.array(n) / sum(n)
            ld = [np.linalg.slogdet(s)[1] for s in S]
            g, H, Ho = F._grad_info(m, x, S, mu, w, observed=True)
            fun = lambda v: naive.discrepancy(m, v, S, mu, n)
            out.append([abs(F._objective(m, x, S, mu, w, ld) - fun(x)) / abs(fun(x)),
                        float(np.abs(g - naive.numeric_gradient(fun, x)).max()),
                        float(np.abs(H - naive.expected_information(m, x, n)).max()),
                        float(np.abs(Ho - naive.numeric_hessian(fun, x)).max())])
        # a Sigma that is not positive definite: F is inf and the gradient raises
        m, X = _hessian_cases(hs)[2]
        S, mu, n = F._sample_moments(X)
        x = _off_optimum(F, m, S, mu)
        x[[r.free for r in m.params if r.op == "~~" and r.lhs == r.rhs == "x1"][0]] = -50.0
        bad = F._objective(m, x, S, mu, [1.0], [0.0])
        try:
            F._grad_info(m, x, S, mu, [1.0])
            raised = False
        except np.linalg.LinAlgError:
            raised = True
        print(json.dumps({{"diffs": out, "bad": str(bad), "raised": raised}}))
    """
    got = run_without_jit(snippet)
    for rel_f, dg, dh, dho in got["diffs"]:
        assert rel_f < 1e-12 and dg < 1e-7 and dh < 1e-6 and dho < 2e-5
    assert got["bad"] == "inf" and got["raised"]


def test_kernel_codes_are_the_engine_codes():
    from psikometri import _factor_kernels as K
    from psikometri import factor as F

    assert (K.LAMBDA, K.THETA, K.PSI, K.NU, K.ALPHA) == (F._LAMBDA, F._THETA, F._PSI, F._NU, F._ALPHA)


def _backtrack(f, F0, slope):
    """The step of a backtracking search from t = 1: the longest power of two with an Armijo decrease."""
    t = 1.0
    while t > 1e-4:
        Fn = f(t)
        if Fn < F0 and Fn <= F0 + 1e-4 * t * slope:
            return t
        t *= 0.5
    return 0.0


@pytest.mark.parametrize("t0", [1.0, 0.5, 2.0 ** -5, 2.0 ** -13])
def test_line_search_from_any_start_is_the_backtracking_search(hs, t0):
    """Started anywhere, the kernel's search returns the step of a backtracking search from t = 1 where the
    passing steps form an interval (here: scoring steps of a CFA stretched up to 3000-fold), and nothing where
    none passes (an ascent direction); the naive reference does the same on quadratics."""
    from psikometri import _factor_kernels as K
    from psikometri import factor as F

    from . import naive_factor as naive

    m = F._build_model(HS)
    S, mu, n = F._sample_moments([hs[list(m.ov)].to_numpy()])
    w = np.array(n) / sum(n)
    ld = np.array([np.linalg.slogdet(s)[1] for s in S])
    x0 = _off_optimum(F, m, S, mu)
    F0 = F._objective(m, x0, S, mu, w, ld)
    g, H = F._grad_info(m, x0, S, mu, w)
    args = F._stacked_args(m, S, mu)
    scoring = -np.linalg.solve(H, g)
    for scale in (0.3, 1.0, 3.0, 40.0, 900.0, 3e3):
        step = scale * scoring
        slope = float(g @ step)
        t, xn, Fn = K.line_search(x0, F0, step, slope, t0, 1e-4, *args, w, ld)
        expected = _backtrack(lambda u: F._objective(m, x0 + u * step, S, mu, w, ld), F0, slope)
        assert t == expected and t > 0, (scale, t, expected)
        np.testing.assert_array_equal(xn, x0 + t * step)
        assert Fn == F._objective(m, xn, S, mu, w, ld)
    t, xn, Fn = K.line_search(x0, F0, g, float(g @ g), t0, 1e-4, *args, w, ld)  # uphill
    assert t == 0.0 and Fn == F0

    for curv in (0.5, 3.0, 40.0, 900.0, 3e3):
        f = lambda v, c=curv: float(-v[0] + 0.5 * c * v[0] ** 2)  # noqa: E731  slope -1 at 0, minimum at 1/c
        t, xn, Fn = naive.line_search(f, np.zeros(1), 0.0, np.ones(1), -1.0, t0)
        assert t == _backtrack(lambda u: f(np.array([u])), 0.0, -1.0) and t > 0, (curv, t)
    rising = lambda v: float(v[0])  # noqa: E731  no step decreases it
    assert naive.line_search(rising, np.zeros(1), 0.0, np.ones(1), -1.0, t0) == (0.0, None, None)


def _loop_cases(hs):
    """``(model, S, means, nobs, start, options)`` for the loop: one and two groups, equality constraints,
    ``std_lv`` with a cross-loading and residual covariances, scoring only, an iteration limit, a divergence
    guard no estimate stays within, and start values far from the minimum."""
    from psikometri import factor as F

    out = []
    moments = [F._sample_moments(X) for _, X in _hessian_cases(hs)]
    (m0, _), (m1, _), (m2, _) = _hessian_cases(hs)
    out.append((m0, *moments[0], _off_optimum(F, m0, *moments[0][:2]), {}))
    out.append((m0, *moments[0], _off_optimum(F, m0, *moments[0][:2]), {"newton_below": 0.0, "max_iter": 60}))
    out.append((m1, *moments[1], F._start_values(m1, *moments[1][:2]), {}))
    out.append((m2, *moments[2], F._start_values(m2, *moments[2][:2]), {"max_iter": 80}))
    m = F._build_model(HS)
    S, mu, n = F._sample_moments([hs[list(m.ov)].to_numpy()])
    x = F._start_values(m, S, mu)
    out.append((m, S, mu, n, x, {"max_iter": 2}))
    out.append((m, S, mu, n, x, {"bounds": np.full(m.npar, 0.3), "patience": 3}))
    out.append((m, S, mu, n, 3.0 * x + 0.5, {}))
    return out


def test_loop_kernel_against_naive(hs):
    """The loop kernel (psikometri._factor_kernels.iterate, behind factor._iterate) against the plain Python
    loop of tests/naive_factor.py: the same outcome and point, in the same number of iterations (give or take
    one: LAPACK's and the kernel's triangular solves round differently near the stopping thresholds)."""
    from psikometri import factor as F

    from . import naive_factor as naive

    for m, S, mu, n, x0, opts in _loop_cases(hs):
        w = np.array(n) / sum(n)
        ld = [np.linalg.slogdet(s)[1] for s in S]
        F0 = F._objective(m, x0, S, mu, w, ld)
        x1, F1, it1, ok1, why1, g1 = F._iterate(m, x0.copy(), F0, S, mu, w, ld, **opts)
        x2, F2, it2, ok2, why2, g2 = naive.iterate(m, x0.copy(), F0, S, mu, w, ld, **opts)
        assert ok1 == ok2 and abs(it1 - it2) <= 1, (opts, it1, it2, why1, why2)
        assert why1.split(" at iteration")[0].split(" within")[0] == why2.split(" at iteration")[0].split(" within")[0]
        np.testing.assert_allclose(x1, x2, rtol=1e-7, atol=1e-9)
        assert F1 == pytest.approx(F2, rel=1e-12, abs=1e-14)
        if ok1:
            assert np.abs(g1).max() < 1e-5
    # a start where Sigma is not positive definite: a numerical failure at iteration 0, as the naive loop
    m, S, mu, n, x0, _ = _loop_cases(hs)[0]
    x0 = x0.copy()
    x0[[r.free for r in m.params if r.op == "~~" and r.lhs == r.rhs == "x1"][0]] = -50.0
    w = np.array(n) / sum(n)
    got = F._iterate(m, x0, np.inf, S, mu, w, [0.0] * len(S))
    ref = naive.iterate(m, x0, np.inf, S, mu, w, [0.0] * len(S))
    assert got[2:5] == ref[2:5] and got[4].startswith("numerical failure at iteration 0")
    assert np.isnan(got[5]).all() and np.isnan(ref[5]).all()


def test_loop_kernel_without_jit_against_naive():
    """The loop kernel as plain Python (coverage) against the naive loop."""
    from ._nojit import run_without_jit

    snippet = f"""
        import json, sys
        import numpy as np, pandas as pd
        sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        from psikometri import factor as F
        from tests import naive_factor as naive
        from tests.test_factor import _loop_cases
        hs = pd.read_csv({str(FIX / "hs1939.csv")!r})
        out = []
        for m, S, mu, n, x0, opts in [c for c in _loop_cases(hs) if c[0].ngroups == 1]:
            w = np.array(n) / sum(n)
            ld = [np.linalg.slogdet(s)[1] for s in S]
            F0 = F._objective(m, x0, S, mu, w, ld)
            a = F._iterate(m, x0.copy(), F0, S, mu, w, ld, **opts)
            b = naive.iterate(m, x0.copy(), F0, S, mu, w, ld, **opts)
            out.append([bool(a[3]), bool(b[3]), int(a[2]), int(b[2]),
                        float(np.max(np.abs(a[0] - b[0]) / np.maximum(np.abs(b[0]), 1e-2)))])
        print(json.dumps(out))
    """
    for ok1, ok2, it1, it2, dx in run_without_jit(snippet):
        assert ok1 == ok2 and abs(it1 - it2) <= 1 and dx < 1e-7


def test_newton_steps_near_the_minimum(hs):
    """Near the minimum the engine switches from Fisher scoring to Newton steps with the observed information:
    fewer iterations and a smaller final gradient than scoring alone, at the same minimum."""
    from psikometri import factor as F

    m = F._build_model(HS)
    S, mu, n = F._sample_moments([hs[list(m.ov)].to_numpy()])
    w = np.array(n) / sum(n)
    ld = [np.linalg.slogdet(s)[1] for s in S]
    x0 = F._start_values(m, S, mu)
    F0 = F._objective(m, x0, S, mu, w, ld)
    x1, F1, it1, ok1, _, g1 = F._iterate(m, x0, F0, S, mu, w, ld)
    x2, F2, it2, ok2, _, g2 = F._iterate(m, x0, F0, S, mu, w, ld, newton_below=0.0)  # scoring only
    assert ok1 and ok2
    assert it1 < 15 < 25 < it2
    assert np.abs(g1).max() < 1e-8 < np.abs(g2).max()
    assert F1 == pytest.approx(F2, abs=1e-13)
    np.testing.assert_allclose(x1, x2, atol=1e-6)


def test_forty_five_indicators_recover_the_truth():
    rng = np.random.default_rng(11)
    n, nf, k = 2000, 9, 5
    phi = 0.3 + 0.7 * np.eye(nf)
    f = rng.normal(size=(n, nf)) @ np.linalg.cholesky(phi).T
    lam = rng.uniform(0.5, 0.9, size=(nf, k))
    X = np.column_stack([lam[j, i] * f[:, j] + rng.normal(0, np.sqrt(1 - lam[j, i] ** 2), n)
                         for j in range(nf) for i in range(k)])
    cols = [f"c{j}e{i}" for j in range(nf) for i in range(k)]
    data = pd.DataFrame(X, columns=cols)
    res = pk.cfa(data, {f"C{j}": cols[j * k:(j + 1) * k] for j in range(nf)}, std_lv=True)
    assert res.converged and res.admissible
    assert res.df == 45 * 46 // 2 - (45 + 45 + 36)
    est = res.loadings["est"].to_numpy()
    assert np.max(np.abs(est - lam.ravel())) < 0.08  # sampling error of a loading is about 0.02 here
    assert res.fit["rmsea"] < 0.02 and res.fit["cfi"] > 0.99


def test_listwise_deletion_and_inputs_unchanged(hs):
    d = hs.copy()
    d.loc[[0, 5, 9], "x2"] = np.nan
    before = d.copy()
    res = pk.cfa(d, HS)
    pd.testing.assert_frame_equal(d, before)
    assert res.n == 298 and any("3 row(s)" in n for n in res.notes)
    assert res.fit["chisq"] == pytest.approx(pk.cfa(hs.drop(index=[0, 5, 9]), HS).fit["chisq"], rel=1e-12)


def test_categorical_group_order_follows_the_categories(hs):
    d = hs.assign(school=pd.Categorical(hs["school"], categories=["Grant-White", "Pasteur"]))
    res = pk.cfa(d, HS, group="school")
    assert res.groups == ("Grant-White", "Pasteur")
    assert res.fit["chisq"] == pytest.approx(REF["mi_configural"]["fit"]["chisq"], abs=1e-6)


def test_display(hs):
    res = pk.cfa(hs, HS, group="school", group_equal="loadings")
    text = res.summary()
    assert "Pasteur: 156" in text and "CFI" in text and "Loadings" in text
    assert "<table" in res._repr_html_()
    assert repr(res).startswith("CFAResult(n=301")
    assert res.vcov.shape == (54, 54)
    assert set(res.implied) == {"Pasteur", "Grant-White"}


# ----------------------------------------------------------------------------- errors


def test_error_indicator_missing_from_data(hs):
    with pytest.raises(ValueError, match=r"\['x10'\] are not columns of data; its columns are \['id'"):
        pk.cfa(hs, "visual =~ x1 + x2 + x10")


def test_error_single_indicator_factor(hs):
    with pytest.raises(ValueError, match="factor 'speed' has a single indicator \\('x7'\\)"):
        pk.cfa(hs, "visual =~ x1 + x2 + x3\nspeed =~ x7")
    # with the residual variance fixed it is identified
    res = pk.cfa(hs, "visual =~ x1 + x2 + x3\nspeed =~ x7\nx7 ~~ 0*x7")
    assert res.converged


def test_error_negative_df(hs):
    with pytest.raises(ValueError, match=r"df = -1 < 0"):
        pk.cfa(hs, "f =~ x1 + x2")


def test_error_not_identified_by_rank(hs):
    # two uncorrelated two-indicator factors: df = 2 but neither factor is identified
    with pytest.raises(ValueError, match=r"not identified.*cannot be told apart: \[.*'a=~x2'"):
        pk.cfa(hs, "a =~ x1 + x2\nb =~ x4 + x5\na ~~ 0*b")


def test_error_small_group(hs):
    d = hs.copy()
    d.loc[d.index[:6], "school"] = "Tiny"
    with pytest.raises(ValueError, match=r"group 'Tiny' of column 'school' has 6 complete rows .* 9 indicators"):
        pk.cfa(d, HS, group="school")


def test_error_non_numeric_indicator(hs):
    d = hs.copy()
    d["x3"] = d["x3"].astype(object)
    d.loc[4, "x3"] = "tinggi"
    with pytest.raises(TypeError, match=r"column 'x3' \(indicator\) is not numeric: row 4 holds 'tinggi'"):
        pk.cfa(d, HS)


def test_error_fewer_rows_than_indicators(hs):
    with pytest.raises(ValueError, match=r"data has 8 complete rows but the model has 9 indicators"):
        pk.cfa(hs.head(8), HS)


@pytest.mark.parametrize("kwargs, match", [
    ({"estimator": "WLSMV"}, "estimator='WLSMV' is not implemented"),
    ({"missing": "fiml"}, "full-information ML is not implemented"),
    ({"group_equal": ("loadings",)}, "needs group="),
    ({"group": "school", "group_equal": ("slopes",)}, "group_equal entries must be among"),
    ({"group": "sekolah"}, r"group must be a column of data \(its name\)"),
    ({"std_lv": "yes"}, "std_lv must be True or False"),
])
def test_error_arguments(hs, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        pk.cfa(hs, HS, **kwargs)


@pytest.mark.parametrize("model, match", [
    ("visual =~ x1 + x2 + x3\nvisual ~ textual", "regression"),
    ("visual =~ x1 + x2 + x3\na := 2*b", "not supported"),
    ("visual =~ x1 + + x2", "empty term"),
    ("visual =~ x1 + x2 + x3\nx1 ~~ x99", "'x99'"),
    ("visual =~ c(1, NA)*x1 + x2 + x3", "c\\(...\\) .* 2 values but there are 1 group"),
    ("x1 x2 x3", "no operator"),
    ({"visual": "x1"}, "must be a list of column names"),
    (42, "lavaan syntax \\(str\\) or a mapping"),
])
def test_error_syntax(hs, model, match):
    with pytest.raises((ValueError, TypeError), match=match):
        pk.cfa(hs, model)


def test_empirically_unidentified_model_is_a_result():
    # a two-indicator factor uncorrelated with the other factor: identified in general (the rank check passes),
    # but these data (zero cross-covariances exactly) leave its loading and variance undetermined
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(300, 5))
    Z -= Z.mean(axis=0)
    C = np.eye(5)
    C[:3, :3] = 0.5 + 0.5 * np.eye(3)
    C[3, 4] = C[4, 3] = 0.5
    Z = Z @ np.linalg.inv(np.linalg.cholesky(np.cov(Z.T, bias=True))).T @ np.linalg.cholesky(C).T
    res = pk.cfa(pd.DataFrame(Z, columns=["x1", "x2", "x3", "y1", "y2"]), "a =~ x1 + x2 + x3\nb =~ y1 + y2")
    assert "information matrix is singular" in res.reason
    assert res.loadings["se"].isna().all()
    assert res.fit["chisq"] == pytest.approx(0, abs=1e-8)


# ----------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize("levels, match", [
    (("strict", "configural"), "must start at 'configural'"),
    ("metric", "must start at 'configural'"),
    (("configural", "configural"), "without gaps or repeats"),
    (("configural", "scalar"), "without gaps or repeats"),
    ((), "must start at 'configural'"),
    (None, "levels must be a sequence"),
    (("configural", 3), "levels entries must be among"),
])
def test_measurement_invariance_levels_must_be_the_ordered_sequence(hs, levels, match):
    with pytest.raises((ValueError, TypeError), match=match) as e:
        pk.measurement_invariance(hs, HS, "school", levels=levels)
    assert "levels=" in str(e.value) and "e.g. levels=('configural', 'metric', 'scalar')" in str(e.value)


def test_measurement_invariance_delta_srmr_and_srmr_cut(hs):
    mi = pk.measurement_invariance(hs, HS, "school", group_levels=LAVAAN_ORDER)
    srmr = [REF[f"mi_{k}"]["fit"]["srmr"] for k in mi.index]  # lavaan fitMeasures()["srmr"]
    assert np.isnan(mi["delta_srmr"].iloc[0])
    np.testing.assert_allclose(mi["delta_srmr"].iloc[1:], np.diff(srmr), atol=1e-6)
    assert mi.attrs["srmr_cut"] is None
    # a cut between the metric and the strict SRMR rises rejects exactly the steps above it
    d = np.diff(srmr)
    cut = (d[0] + d[2]) / 2 if d[0] < d[2] else None
    assert cut is not None  # lavaan's values: the metric step raises SRMR less than the strict one
    mi2 = pk.measurement_invariance(hs, HS, "school", group_levels=LAVAAN_ORDER, srmr_cut=cut)
    expected = ["baseline"] + [
        "holds" if (dec == "holds" and ds <= cut) else "rejected" for dec, ds in zip(mi["decision"].iloc[1:], d)]
    assert mi2["decision"].tolist() == expected
    assert mi2.loc["strict", "decision"] == "rejected"
    with pytest.raises(ValueError, match="srmr_cut must be a finite number"):
        pk.measurement_invariance(hs, HS, "school", srmr_cut="0.01")


def test_group_order_is_sorted_and_rows_order_does_not_matter(hs):
    sh = hs.sample(frac=1, random_state=1)
    # first appearance differs, so an order by first appearance would change the reference group
    assert (sh["school"].iloc[0], hs["school"].iloc[0]) == ("Grant-White", "Pasteur")
    for equal in ((), ("loadings", "intercepts")):
        a = pk.cfa(hs, HS, group="school", group_equal=equal)
        b = pk.cfa(sh, HS, group="school", group_equal=equal)
        c = pk.cfa(hs.iloc[::-1], HS, group="school", group_equal=equal)
        assert a.groups == b.groups == c.groups == ("Grant-White", "Pasteur")
        for other in (b, c):  # bit-identical
            assert a.fit.equals(other.fit)
            assert np.array_equal(a.parameters["est"].to_numpy(), other.parameters["est"].to_numpy())
    # single group as well
    assert pk.cfa(hs, HS).fit.equals(pk.cfa(sh, HS).fit)
    # an explicit order wins; it must list every group once
    r = pk.cfa(sh, HS, group="school", group_levels=("Pasteur", "Grant-White"))
    assert r.groups == ("Pasteur", "Grant-White")
    with pytest.raises(ValueError, match=r"group_levels must list every group .*missing \['Pasteur'\]"):
        pk.cfa(hs, HS, group="school", group_levels=["Grant-White"])
    with pytest.raises(ValueError, match=r"not groups of the complete rows \['Paster'\]"):
        pk.cfa(hs, HS, group="school", group_levels=["Grant-White", "Pasteur", "Paster"])
    with pytest.raises(TypeError, match="group_levels must be None or a sequence"):
        pk.cfa(hs, HS, group="school", group_levels="Pasteur")
    with pytest.raises(ValueError, match="group_levels=.* needs group="):
        pk.cfa(hs, HS, group_levels=["Pasteur", "Grant-White"])


def test_errors_duplicated_columns_mixed_group_types_group_equal(hs):
    d = hs[["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "school"]].copy()
    dd = d.set_axis(["x1", "x1", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "school"], axis=1)
    with pytest.raises(ValueError, match=r"data has duplicated column names \['x1'\]; give every column a unique"):
        pk.cfa(dd, HS)
    dd = d.assign(x9=d["x8"]).set_axis(["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "school", "school"], axis=1)
    with pytest.raises(ValueError, match=r"duplicated column names \['school'\]"):
        pk.cfa(dd, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", group="school")
    mixed = d.assign(school=[1 if i % 2 else "1" for i in range(len(d))])
    with pytest.raises(ValueError, match=r"group column 'school' .* differ only in type: .*astype\(str\)"):
        pk.cfa(mixed, HS, group="school")
    for bad in (None, 3):
        with pytest.raises(TypeError, match=r"group_equal must be a sequence .* got group_equal="):
            pk.cfa(d, HS, group="school", group_equal=bad)


def test_group_column_with_a_non_string_name(hs):
    d = hs.rename(columns={"school": 0})
    res = pk.cfa(d, HS, group=0)
    assert res.groups == ("Grant-White", "Pasteur")
    assert res.fit.equals(pk.cfa(hs, HS, group="school").fit)


def test_equal_modifier_naming_a_parameter_is_rejected(hs):
    with pytest.raises(ValueError, match=r"only equal\(\) of a label is supported"):
        pk.cfa(hs, "visual =~ x1 + equal('visual=~x1')*x2 + x3")
    a = pk.cfa(hs, "visual =~ x1 + l*x2 + equal('l')*x3")
    b = pk.cfa(hs, "visual =~ x1 + l*x2 + l*x3")
    assert a.fit.equals(b.fit)


def test_full_rank_bound_agrees_with_the_singular_values():
    """The shortcut of the rank check says "full rank" only where the SVD rank test does too: on matrices whose
    singular values span 1 to 10^-c (c = 0 ... 14) and on a rank-deficient one."""
    from psikometri.factor import _full_rank_by_bound

    rng = np.random.default_rng(8)
    n, q = 120, 40
    U, _ = np.linalg.qr(rng.normal(size=(n, q)))
    V, _ = np.linalg.qr(rng.normal(size=(q, q)))
    said = []
    for c in range(15):
        J = (U * np.logspace(0, -c, q)) @ V.T
        sv = np.linalg.svd(J, compute_uv=False)
        full = int((sv > sv[0] * max(J.shape) * 1e-10).sum()) == q
        quick = _full_rank_by_bound(J)
        assert not quick or full, c
        said.append(quick)
    assert said[0] and said[2] and not said[-1]  # well-conditioned: no SVD needed; near-singular: the SVD decides
    J = rng.normal(size=(n, q))
    J[:, 5] = J[:, 3] - 2 * J[:, 7]
    assert not _full_rank_by_bound(J)
