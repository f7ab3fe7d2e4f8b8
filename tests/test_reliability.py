"""Tests of psikometri.reliability.

Reference values come from R psych 2.2.9 (GPArotation 2022.10.2, R 4.2.2), made by
tests/fixtures/reliability/make_reference.R and stored in reference.json; the R call
that produced each number is named beside the comparison.  Data: 16 items of
psych::bfi (first 1000 respondents; A1, C4, C5, E1, E2 reverse-keyed on the 1-6 scale)
and a simulated bifactor set (12 items, 500 respondents).
"""

from __future__ import annotations

import json
import math
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import psikometri as pk
from psikometri import _reliability_kernels as K
from psikometri import reliability as rel

from . import naive_reliability as naive
from ._nojit import run_without_jit

FIX = Path(__file__).parent / "fixtures" / "reliability"
REF = json.loads((FIX / "reference.json").read_text())
REV = ["A1", "C4", "C5", "E1", "E2"]


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(FIX / "bfi16.csv")


@pytest.fixture(scope="module")
def bfi_cc(bfi):
    """Listwise-complete rows (915), as cc16 in make_reference.R."""
    return bfi.dropna()


@pytest.fixture(scope="module")
def sim():
    return pd.read_csv(FIX / "sim_bifactor.csv")


def parallel_items(n, k, error_sd=1.0, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.normal(size=(n, 1))
    return pd.DataFrame(t + error_sd * rng.normal(size=(n, k)), columns=[f"i{j}" for j in range(k)])


# =============================================================================== R psych references
class TestAgainstPsych:
    def test_alpha_listwise(self, bfi):
        r = REF["bfi16_listwise"]
        est = pk.cronbach_alpha(bfi, reverse=REV, scale_range=(1, 6))
        assert est.n == r["n_rows"] == 915
        assert est.value == pytest.approx(r["raw_alpha"], abs=1e-6)  # psych::alpha(cc16)$total$raw_alpha
        assert est.ci_low == pytest.approx(r["feldt_lower"], abs=1e-6)  # psych::alpha(cc16)$feldt$lower.ci
        assert est.ci_high == pytest.approx(r["feldt_upper"], abs=1e-6)  # psych::alpha(cc16)$feldt$upper.ci
        std = pk.cronbach_alpha(bfi, reverse=REV, scale_range=(1, 6), standardized=True)
        assert std.value == pytest.approx(r["std_alpha"], abs=1e-6)  # psych::alpha(cc16)$total$std.alpha
        assert std.ci_low == pytest.approx(r["std_feldt_lower"], abs=1e-6)  # psych::alpha.ci(std.alpha, 915, 16)
        assert std.ci_high == pytest.approx(r["std_feldt_upper"], abs=1e-6)

    def test_alpha_pairwise(self, bfi):
        r = REF["bfi16_pairwise"]
        est = pk.cronbach_alpha(bfi, reverse=REV, scale_range=(1, 6), missing="pairwise")
        assert est.n == 1000
        assert est.value == pytest.approx(r["raw_alpha"], abs=1e-6)  # psych::alpha(bfi16r)$total$raw_alpha
        assert est.ci_low == pytest.approx(r["feldt_lower"], abs=1e-6)  # psych::alpha(bfi16r)$feldt
        assert est.ci_high == pytest.approx(r["feldt_upper"], abs=1e-6)
        std = pk.cronbach_alpha(bfi, reverse=REV, scale_range=(1, 6), missing="pairwise", standardized=True)
        assert std.value == pytest.approx(r["std_alpha"], abs=1e-6)  # psych::alpha(bfi16r)$total$std.alpha

    @pytest.mark.parametrize("case,missing", [("bfi16_listwise", "listwise"), ("bfi16_pairwise", "pairwise")])
    def test_item_statistics(self, bfi, case, missing):
        r = REF[case]
        tab = pk.item_analysis(bfi, reverse=REV, scale_range=(1, 6), missing=missing)
        assert list(tab.index) == list(bfi.columns)
        np.testing.assert_array_equal(tab["n"], r["item_n"])  # psych::alpha(x)$item.stats$n
        np.testing.assert_allclose(tab["mean"], r["item_mean"], atol=1e-6)  # $item.stats$mean
        np.testing.assert_allclose(tab["sd"], r["item_sd"], atol=1e-6)  # $item.stats$sd
        np.testing.assert_allclose(tab["r_total"], r["item_raw_r"], atol=1e-6)  # $item.stats$raw.r
        np.testing.assert_allclose(tab["r_drop"], r["item_r_drop"], atol=1e-6)  # $item.stats$r.drop
        np.testing.assert_allclose(tab["alpha_if_deleted"], r["alpha_drop"], atol=1e-6)  # $alpha.drop$raw_alpha

    def test_omega_if_deleted(self, bfi):
        tab = pk.item_analysis(bfi, reverse=REV, scale_range=(1, 6))
        # sapply(1:16, function(i) omega(cc16[, -i], nfactors = 1)$omega.tot)
        np.testing.assert_allclose(tab["omega_if_deleted"], REF["bfi16_listwise"]["omega_drop"], atol=1e-3)

    def test_item_statistics_sim(self, sim):
        r = REF["sim"]
        tab = pk.item_analysis(sim)
        np.testing.assert_allclose(tab["r_total"], r["item_raw_r"], atol=1e-6)  # psych::alpha(sim)$item.stats$raw.r
        np.testing.assert_allclose(tab["r_drop"], r["item_r_drop"], atol=1e-6)  # $item.stats$r.drop
        np.testing.assert_allclose(tab["alpha_if_deleted"], r["alpha_drop"], atol=1e-6)  # $alpha.drop$raw_alpha
        np.testing.assert_allclose(tab["omega_if_deleted"], r["omega_drop"], atol=1e-3)  # omega(sim[,-i], 1)
        assert pk.cronbach_alpha(sim).value == pytest.approx(r["raw_alpha"], abs=1e-6)  # psych::alpha(sim)

    @pytest.mark.parametrize("case", ["bfi16_listwise", "sim"])
    def test_guttman_standardized(self, bfi, sim, case):
        data = bfi if case.startswith("bfi") else sim
        kw = {"reverse": REV, "scale_range": (1, 6)} if case.startswith("bfi") else {}
        lam = pk.guttman_lambdas(data, standardized=True, **kw)
        ref = REF[case]["guttman_cor"]  # psych::guttman(x): lambda.1 ... lambda.6 (lambda.4 = splitHalf maxrb)
        for i in range(1, 7):
            assert lam[f"lambda{i}"] == pytest.approx(ref[f"lambda{i}"], abs=1e-6), i

    @pytest.mark.parametrize("case", ["bfi16_listwise", "sim"])
    def test_guttman_covariance(self, bfi, sim, case):
        data = bfi if case.startswith("bfi") else sim
        kw = {"reverse": REV, "scale_range": (1, 6)} if case.startswith("bfi") else {}
        lam = pk.guttman_lambdas(data, **kw)
        hand = REF[case]["lambdas_cov_by_hand"]  # lambdas_by_hand(cov(x)) in make_reference.R (Guttman 1945)
        for name in ("lambda1", "lambda2", "lambda3", "lambda5", "lambda6"):
            assert lam[name] == pytest.approx(hand[name], abs=1e-6), name
        sh = REF[case]["split_cov"]  # psych::splitHalf(x, covar = TRUE)
        assert lam["lambda2"] == pytest.approx(sh["lambda2"], abs=1e-6)
        assert lam["lambda6"] == pytest.approx(sh["lambda6"], abs=1e-6)
        assert lam["lambda4"] == pytest.approx(sh["max"], abs=1e-6)  # maxrb
        assert lam["lambda3"] == pytest.approx(REF[case]["raw_alpha"], abs=1e-6)

    @pytest.mark.parametrize("case", ["bfi16_listwise", "sim"])
    @pytest.mark.parametrize("standardized", [False, True])
    def test_split_half(self, bfi, sim, case, standardized):
        data = bfi if case.startswith("bfi") else sim
        kw = {"reverse": REV, "scale_range": (1, 6)} if case.startswith("bfi") else {}
        res = pk.split_half(data, standardized=standardized, **kw)
        ref = REF[case]["split_cor" if standardized else "split_cov"]  # psych::splitHalf(x, covar = !standardized)
        assert res.n_splits == ref["n_splits"]  # 6435 = C(16, 8) / 2 ; 462 = C(12, 6) / 2
        assert res.max == pytest.approx(ref["max"], abs=1e-6)  # maxrb
        assert res.min == pytest.approx(ref["min"], abs=1e-6)  # minrb
        assert res.mean == pytest.approx(ref["mean"], abs=1e-6)  # meanr

    @pytest.mark.parametrize("case,nf", [("bfi15_omega1", 1), ("bfi15_omega3", 3)])
    def test_omega_bfi(self, bfi_cc, case, nf):
        ref = REF[case]  # omega(cc15, nfactors = nf)
        res = pk.omega(bfi_cc.iloc[:, :15], nfactors=nf, reverse=REV, scale_range=(1, 6))
        assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-3)  # $omega.tot
        assert res.omega_hierarchical == pytest.approx(ref["omega_h"], abs=1e-3)  # $omega_h
        np.testing.assert_allclose(res.loadings["g"], ref["g"], atol=1e-3)  # $schmid$sl[, "g"]
        np.testing.assert_allclose(res.loadings["h2"], ref["h2"], atol=1e-3)  # $schmid$sl[, "h2"]
        if nf == 3:
            # group factors may come out in another order: compare the sets of columns
            ours = np.abs(res.loadings[["F1*", "F2*", "F3*"]].to_numpy())
            theirs = np.abs(np.asarray(ref["group"]))
            for col in theirs.T:
                assert min(np.abs(ours - col[:, None]).max(axis=0)) < 1e-3

    def test_omega_two_factors_and_pairwise(self, bfi, bfi_cc):
        ref = REF["bfi15_omega2"]  # omega(cc15, nfactors = 2): general loadings set equal (option = "equal")
        res = pk.omega(bfi_cc.iloc[:, :15], nfactors=2, reverse=REV, scale_range=(1, 6))
        assert res.omega_hierarchical == pytest.approx(ref["omega_h"], abs=1e-3)
        assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-3)
        ref = REF["bfi15_pairwise_omega3"]  # omega(bfi16r[, 1:15], nfactors = 3), cor(use = "pairwise")
        res = pk.omega(bfi.iloc[:, :15], nfactors=3, reverse=REV, scale_range=(1, 6), missing="pairwise")
        assert res.n == 1000
        assert res.omega_hierarchical == pytest.approx(ref["omega_h"], abs=1e-3)
        assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-3)
        np.testing.assert_allclose(res.loadings["g"], ref["g"], atol=1e-3)

    @pytest.mark.parametrize("case,nf", [("bfi15_raw_omega1", 1), ("bfi15_raw_omega3", 3)])
    def test_omega_flips_reverse_keyed_items(self, bfi_cc, case, nf):
        ref = REF[case]  # omega(raw15, nfactors = nf), raw15 without reverse keying
        raw = bfi_cc.iloc[:, :15]
        res = pk.omega(raw, nfactors=nf)
        assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-3)
        assert res.omega_hierarchical == pytest.approx(ref["omega_h"], abs=1e-3)
        assert list(res.flipped) == [c for c, s in zip(raw.columns, ref["key"]) if s < 0]  # $key
        assert pk.omega_total(raw).value == pytest.approx(REF["bfi15_raw_omega1"]["omega_tot"], abs=1e-3)

    @pytest.mark.parametrize("nf", [1, 3])
    def test_omega_sim(self, sim, nf):
        ref = REF["sim"][f"omega{nf}"]  # omega(sim, nfactors = nf)
        res = pk.omega(sim, nfactors=nf)
        assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-3)
        assert res.omega_hierarchical == pytest.approx(ref["omega_h"], abs=1e-3)
        assert res.alpha == pytest.approx(ref["alpha"], abs=1e-6)
        if nf == 1:
            est = pk.omega_total(sim)
            assert est.value == pytest.approx(ref["omega_tot"], abs=1e-3)
            assert est.extra["omega_h_1factor"] == pytest.approx(ref["omega_h"], abs=1e-3)


def test_alpha_matches_pingouin(sim):
    pg = pytest.importorskip("pingouin")
    a, ci = pg.cronbach_alpha(sim, ci=0.95)
    est = pk.cronbach_alpha(sim)
    assert est.value == pytest.approx(a, abs=1e-10)
    # pingouin rounds its Feldt interval to 3 decimals
    assert est.ci_low == pytest.approx(ci[0], abs=5e-4)
    assert est.ci_high == pytest.approx(ci[1], abs=5e-4)


# =============================================================================== kernels vs naive
@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 5)) + rng.normal(size=(40, 1))
    Xm = X.copy()
    Xm[rng.random(X.shape) < 0.1] = np.nan
    return X, Xm


@pytest.mark.parametrize("standardized", [False, True])
@pytest.mark.parametrize("pairwise", [False, True])
def test_bootstrap_kernel_matches_materialised_resamples(small, standardized, pairwise):
    X, Xm = small
    data = Xm if pairwise else X
    seed = 123
    got = np.empty(60)
    K.bootstrap_alpha(np.ascontiguousarray(data), np.uint64(seed), 60, standardized, pairwise, got)
    want = naive.bootstrap_alpha(data, seed, 60, standardized, pairwise)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    jack = np.empty(data.shape[0])
    K.jackknife_alpha(np.ascontiguousarray(data), standardized, pairwise, jack)
    np.testing.assert_allclose(jack, naive.jackknife_alpha(data, standardized, pairwise), rtol=1e-10)


def test_alpha_from_cov_kernel(small):
    X, _ = small
    C = np.cov(X, rowvar=False)
    assert K.alpha_from_cov(C, False) == pytest.approx(naive.alpha_of_data(X), rel=1e-12)
    assert K.alpha_from_cov(C, True) == pytest.approx(naive.alpha_of_data(X, True), rel=1e-12)


@pytest.mark.parametrize("k", [2, 5, 8, 9])
def test_split_half_all_kernel_matches_naive(k):
    rng = np.random.default_rng(k)
    X = rng.normal(size=(60, k)) + rng.normal(size=(60, 1))
    C = np.cov(X, rowvar=False)
    n_masks = 1 << (k - 1)
    flan, sb, size = np.empty(n_masks), np.empty(n_masks), np.empty(n_masks, dtype=np.int64)
    K.split_half_all(C, 3, flan, sb, size)  # tiny chunks: exercises the restart of the Gray code
    want = naive.all_splits(C, equal=False)
    assert len(want) == n_masks - 1
    assert np.isnan(flan[0]) and size[0] == 0
    seen = set()
    for idx in range(1, n_masks):
        g = idx ^ (idx >> 1)
        A = frozenset(j for j in range(k - 1) if (g >> j) & 1)
        seen.add(A)
        assert size[idx] == len(A)
        assert flan[idx] == pytest.approx(want[A][0], abs=1e-12)
        assert sb[idx] == pytest.approx(want[A][1], abs=1e-12)
    assert len(seen) == n_masks - 1


@pytest.mark.parametrize("equal", [True, False])
def test_split_half_random_kernel(equal):
    rng = np.random.default_rng(3)
    k = 7
    C = np.cov(rng.normal(size=(50, k)) + rng.normal(size=(50, 1)), rowvar=False)
    n = 200
    flan, sb, masks = np.empty(n), np.empty(n), np.zeros((n, k), dtype=np.bool_)
    K.split_half_random(C, np.uint64(5), n, equal, flan, sb, masks)
    sizes = masks.sum(axis=1)
    if equal:
        assert np.all(sizes == k // 2)
    else:
        assert np.all((sizes > 0) & (sizes < k))
        assert len(set(sizes)) > 2
    for b in range(n):
        f, s = naive.split_values(C, np.flatnonzero(masks[b]))
        assert flan[b] == pytest.approx(f, abs=1e-12)
        assert sb[b] == pytest.approx(s, abs=1e-12)
    # draws depend on the seed only
    flan2, sb2, masks2 = np.empty(50), np.empty(50), np.zeros((50, k), dtype=np.bool_)
    K.split_half_random(C, np.uint64(5), 50, equal, flan2, sb2, masks2)
    np.testing.assert_array_equal(masks2, masks[:50])


def _one_factor_items(n, k, seed, reverse=()):
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.4, 0.8, k)
    X = rng.normal(size=(n, 1)) * lam + rng.normal(size=(n, k)) * np.sqrt(1 - lam**2)
    X[:, list(reverse)] *= -1
    return X


@pytest.mark.parametrize("n, k, reverse", [(60, 6, ()), (120, 12, (2, 7)), (35, 4, (0,))])
def test_omega1_bootstrap_kernel_matches_materialised_resamples(n, k, reverse):
    X = _one_factor_items(n, k, n + k, reverse)
    start = rel._omega_from_cor(np.corrcoef(X, rowvar=False), 1)["u2"]
    out, done = np.full((40, 2), np.nan), np.zeros(40, dtype=np.bool_)
    K.omega1_bootstrap(np.ascontiguousarray(X), np.uint64(17), 40, start.copy(), 0.005, out, done)
    assert done.mean() > 0.6  # interior solutions reached by plain Newton steps: most replicates
    want = naive.omega1_bootstrap(X, 17, 40, start)
    # both at the minimum of the same criterion (scipy's gradient-free stop leaves about 1e-9)
    np.testing.assert_allclose(out[done], want[done], atol=1e-8)


def test_minres1_kernel_and_its_fallback():
    from psikometri._reliability_kernels import minres1

    X = _one_factor_items(80, 7, 5)
    R = np.corrcoef(X, rowvar=False)
    x, L = np.full(7, 0.5), np.empty(7)
    assert minres1(R, x, 0.005, 1.0, L)
    # the general optimiser's solution, and a zero gradient of the ULS criterion: diag(R - LL' - psi) = 0
    np.testing.assert_allclose(L, rel._minres(R, 1)[:, 0], atol=1e-7)
    np.testing.assert_allclose(np.diag(R - np.outer(L, L)) - x, 0.0, atol=1e-12)
    # a matrix whose criterion has a second, lower minimum on the bound psi = 0.005 (found by Newton from this
    # start, while L-BFGS-B stays at the interior one): the kernel declines, the general path decides
    R2 = np.array([[1.0, 0.169, 0.064, -0.161], [0.169, 1.0, -0.067, 0.084], [0.064, -0.067, 1.0, 0.56],
                   [-0.161, 0.084, 0.56, 1.0]])
    assert not minres1(R2, np.full(4, 0.5), 0.005, 1.0, np.empty(4))
    # so the bootstrap equals the general path replicate by replicate, also where the kernel declines
    Xs = _one_factor_items(15, 4, 3)
    start = rel._omega_from_cor(np.corrcoef(Xs, rowvar=False), 1)["u2"]
    got = rel._omega_bootstrap(Xs, 1, True, start, 60, 4)
    from psikometri._resampling import draw_counts

    counts = np.empty(15, dtype=np.int64)
    for b in range(60):
        draw_counts(np.uint64(4), b, 15, counts)
        try:
            want = rel._omega_from_cor(rel._weighted_cor(Xs, counts.astype(float)), 1, start=start)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            assert np.isnan(got[b]).all()
            continue
        np.testing.assert_allclose(got[b], [want["omega_t"], want["omega_h"]], atol=1e-8)


@pytest.mark.nojit
def test_kernels_without_jit(small):
    X, Xm = small
    snippet = f"""
    import json, numpy as np
    from psikometri import _reliability_kernels as K
    X = np.array({X[:15].tolist()})
    Xm = np.array({np.where(np.isnan(Xm[:15]), 1e300, Xm[:15]).tolist()}); Xm[Xm > 1e299] = np.nan
    out = {{}}
    for name, data, pw in (("complete", X, False), ("pairwise", Xm, True)):
        for std in (False, True):
            b = np.empty(8); K.bootstrap_alpha(data, np.uint64(11), 8, std, pw, b)
            j = np.empty(data.shape[0]); K.jackknife_alpha(data, std, pw, j)
            out[f"{{name}}_{{std}}_boot"] = b.tolist(); out[f"{{name}}_{{std}}_jack"] = j.tolist()
    C = np.cov(X, rowvar=False)
    f = np.empty(16); s = np.empty(16); z = np.empty(16, dtype=np.int64)
    K.split_half_all(C, 3, f, s, z)
    out["all"] = np.nan_to_num(f, nan=-9.0).tolist()
    f = np.empty(10); s = np.empty(10); m = np.zeros((10, 5), dtype=np.bool_)
    K.split_half_random(C, np.uint64(4), 10, True, f, s, m)
    out["random"] = f.tolist()
    o = np.full((6, 2), np.nan); d = np.zeros(6, dtype=np.bool_)
    K.omega1_bootstrap(X, np.uint64(3), 6, np.full(5, 0.5), 0.005, o, d)
    out["omega1"] = np.nan_to_num(o, nan=-9.0).tolist(); out["omega1_done"] = d.tolist()
    print(json.dumps(out))
    """
    got = run_without_jit(snippet)
    Xs, Xms = X[:15], Xm[:15]
    for name, data, pw in (("complete", Xs, False), ("pairwise", Xms, True)):
        for std in (False, True):
            b = np.empty(8)
            K.bootstrap_alpha(np.ascontiguousarray(data), np.uint64(11), 8, std, pw, b)
            j = np.empty(data.shape[0])
            K.jackknife_alpha(np.ascontiguousarray(data), std, pw, j)
            np.testing.assert_allclose(got[f"{name}_{std}_boot"], b, rtol=1e-10)
            np.testing.assert_allclose(got[f"{name}_{std}_jack"], j, rtol=1e-10)
    C = np.cov(Xs, rowvar=False)
    f, s, z = np.empty(16), np.empty(16), np.empty(16, dtype=np.int64)
    K.split_half_all(C, 3, f, s, z)
    np.testing.assert_allclose(got["all"], np.nan_to_num(f, nan=-9.0), rtol=1e-10)
    f, s, m = np.empty(10), np.empty(10), np.zeros((10, 5), dtype=np.bool_)
    K.split_half_random(C, np.uint64(4), 10, True, f, s, m)
    np.testing.assert_allclose(got["random"], f, rtol=1e-10)
    o, d = np.full((6, 2), np.nan), np.zeros(6, dtype=np.bool_)
    K.omega1_bootstrap(np.ascontiguousarray(Xs), np.uint64(3), 6, np.full(5, 0.5), 0.005, o, d)
    assert got["omega1_done"] == d.tolist() and d.any()
    np.testing.assert_allclose(got["omega1"], np.nan_to_num(o, nan=-9.0), rtol=1e-9)


# =============================================================================== bootstrap behaviour
def test_bootstrap_reproducible_and_thread_independent():
    import numba

    df = parallel_items(150, 6, seed=1)
    a = pk.cronbach_alpha(df, ci="bootstrap", n_boot=300, seed=9)
    b = pk.cronbach_alpha(df, ci="bootstrap", n_boot=300, seed=9)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        c = pk.cronbach_alpha(df, ci="bootstrap", n_boot=300, seed=9)
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(a.extra["bootstrap"], c.extra["bootstrap"])
    d = pk.cronbach_alpha(df, ci="bootstrap", n_boot=300, seed=10)
    assert a.ci_low != d.ci_low
    assert a.ci_low < a.value < a.ci_high
    assert a.se == pytest.approx(np.std(a.extra["bootstrap"], ddof=1))


def test_bootstrap_on_tiny_sample_reports_undefined_replicates():
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4], "c": [2, 2, 3, 4]})
    est = pk.cronbach_alpha(df, ci="bootstrap", n_boot=500, seed=4)
    boot = est.extra["bootstrap"]
    assert np.isnan(boot).any()  # resamples of 4 rows often repeat one row: no variance
    assert f"{int(np.isnan(boot).sum())} bootstrap replicate(s) undefined and dropped" in est.note
    assert np.isfinite(est.ci_low) and np.isfinite(est.ci_high)


def test_bca_uses_jackknife_acceleration():
    from psikometri._resampling import bca_interval

    df = parallel_items(120, 5, seed=2)
    est = pk.cronbach_alpha(df, ci="bca", n_boot=400, seed=3)
    X = df.to_numpy()
    jack = naive.jackknife_alpha(X)
    lo, hi = bca_interval(est.extra["bootstrap"], est.value, jack, 0.95)
    assert (est.ci_low, est.ci_high) == pytest.approx((lo, hi), abs=1e-12)
    assert est.ci_method == "bca"


def _true_alpha(k, error_sd):
    return k / (k + error_sd**2)  # parallel items, true-score variance 1


@pytest.mark.slow
@pytest.mark.parametrize("ci", ["bootstrap", "bca"])
def test_bootstrap_interval_coverage(ci):
    # 300 replications of n = 200 respondents x 6 parallel items (true alpha = 6 / 7 = .857).
    # With true coverage .95 the number of hits is Binomial(300, .95): sd = 3.8 hits (1.26 points),
    # so [0.91, 0.99] is a band of about +-3 sd; percentile/BCa intervals of alpha are known to run
    # slightly below nominal at this n, which the lower end allows.
    k, sd, reps = 6, 1.0, 300
    truth = _true_alpha(k, sd)
    hits = 0
    for r in range(reps):
        df = parallel_items(200, k, sd, seed=1000 + r)
        est = pk.cronbach_alpha(df, ci=ci, n_boot=400, seed=r)
        hits += est.ci_low <= truth <= est.ci_high
    assert 0.91 <= hits / reps <= 0.99, hits / reps


# =============================================================================== properties
@st.composite
def item_data(draw):
    n = draw(st.integers(10, 60))
    k = draw(st.integers(3, 8))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1)) * draw(st.floats(0.3, 2.0)) + rng.normal(size=(n, k))
    return pd.DataFrame(np.round(X * 3 + 10, 2), columns=[f"q{j}" for j in range(k)]), seed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_data())
def test_alpha_invariant_to_item_order(data):
    df, seed = data
    perm = np.random.default_rng(seed).permutation(df.shape[1])
    for std in (False, True):
        a = pk.cronbach_alpha(df, standardized=std, ci=None).value
        b = pk.cronbach_alpha(df.iloc[:, perm], standardized=std, ci=None).value
        assert a == pytest.approx(b, abs=1e-12)
    la, lb = pk.guttman_lambdas(df), pk.guttman_lambdas(df.iloc[:, perm])
    np.testing.assert_allclose(la.to_numpy(), lb.to_numpy(), atol=1e-10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_data())
def test_guttman_and_split_half_inequalities(data):
    df, _ = data
    lam = pk.guttman_lambdas(df)
    k = df.shape[1]
    assert lam["lambda3"] <= lam["lambda2"] + 1e-12  # Guttman (1945): l3 <= l2 (Cauchy-Schwarz)
    if lam["lambda1"] > 0:  # l3 = k/(k-1) l1 exceeds l1 only when l1 is positive
        assert lam["lambda1"] < lam["lambda3"]
    assert lam["lambda3"] == pytest.approx(pk.cronbach_alpha(df, ci=None).value, abs=1e-12)
    sh = pk.split_half(df)
    assert sh.min <= sh.mean <= sh.max
    if k % 2 == 0:  # over all equal splits of an even number of items the mean split half is alpha
        assert sh.mean == pytest.approx(lam["lambda3"], abs=1e-10)
        assert lam["lambda4"] >= lam["lambda3"] - 1e-12
    assert pk.split_half(df, halves="any").max >= sh.max - 1e-12


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_data(), st.floats(0.2, 5.0), st.floats(-10, 10))
def test_alpha_scale_invariances(data, scale, shift):
    df, _ = data
    a = pk.cronbach_alpha(df, ci=None).value
    assert pk.cronbach_alpha(df + shift, ci=None).value == pytest.approx(a, abs=1e-9)
    assert pk.cronbach_alpha(df * scale, ci=None).value == pytest.approx(a, abs=1e-9)
    s = pk.cronbach_alpha(df, standardized=True, ci=None).value
    one = df.copy()
    one.iloc[:, 0] = one.iloc[:, 0] * scale + shift  # standardized alpha ignores each item's own scale
    assert pk.cronbach_alpha(one, standardized=True, ci=None).value == pytest.approx(s, abs=1e-9)


def test_alpha_increases_with_added_parallel_items():
    df = parallel_items(20000, 12, seed=5)
    values = [pk.cronbach_alpha(df.iloc[:, :k], ci=None).value for k in range(2, 13)]
    assert np.all(np.diff(values) > 0)
    # and follows the Spearman-Brown prophecy from 4 to 8 to 12 items (large n)
    assert values[6] == pytest.approx(pk.spearman_brown(values[2], 2), abs=0.01)
    assert values[10] == pytest.approx(_true_alpha(12, 1.0), abs=0.01)


def test_reverse_keying_equals_manual_rescoring(bfi_cc):
    manual = bfi_cc.copy()
    manual[REV] = 7 - manual[REV]
    a = pk.cronbach_alpha(bfi_cc, reverse=REV, scale_range=(1, 6))
    assert a.value == pytest.approx(pk.cronbach_alpha(manual).value, abs=1e-14)
    # without scale_range the observed minimum and maximum (1 and 6 here) are used, and the note says so
    b = pk.cronbach_alpha(bfi_cc, reverse=REV)
    assert b.value == pytest.approx(a.value, abs=1e-14)
    assert "observed minimum and maximum" in b.note
    # a reverse-keyed item lowers alpha when left unreversed
    assert pk.cronbach_alpha(bfi_cc).value < a.value


def test_inputs_not_modified(bfi):
    before = bfi.copy()
    pk.cronbach_alpha(bfi, reverse=REV, scale_range=(1, 6), missing="pairwise")
    pk.item_analysis(bfi, reverse=REV, scale_range=(1, 6))
    pd.testing.assert_frame_equal(bfi, before)


def test_split_half_counts_and_random():
    df = parallel_items(100, 9, seed=4)
    assert pk.split_half(df).n_splits == comb(9, 4)  # every split into 4 + 5 items
    assert pk.split_half(df, halves="any").n_splits == 2**8 - 1
    exact = pk.split_half(df)
    rnd = pk.split_half(df, method="random", n_splits=3000, seed=1)
    assert rnd.method == "random" and rnd.n_splits == 3000
    assert rnd.max <= exact.max + 1e-12 and rnd.min >= exact.min - 1e-12
    assert rnd.mean == pytest.approx(exact.mean, abs=0.005)
    assert rnd.max == pytest.approx(exact.max, abs=1e-12)  # 3000 draws out of 126 splits find the best
    best = exact.best_split
    a = list(best[0])
    assert sorted(a + list(best[1])) == sorted(df.columns)
    C = np.cov(df.to_numpy(), rowvar=False)
    cols = list(df.columns)
    assert naive.split_values(C, [cols.index(c) for c in a])[0] == pytest.approx(exact.max, abs=1e-12)


def test_split_half_falls_back_to_random_beyond_20_items():
    df = parallel_items(80, 22, seed=6)
    res = pk.split_half(df, n_splits=500, seed=2)
    assert res.method == "random" and res.n_splits == 500
    assert "random splits" in res.note
    lam = pk.guttman_lambdas(df)
    assert lam["lambda4"] >= lam["lambda3"] - 0.05


def test_spearman_brown_and_sem():
    assert pk.spearman_brown(0.6, 2) == pytest.approx(0.75)  # 1.2 / 1.6
    assert pk.spearman_brown(0.75, 0.5) == pytest.approx(0.6)
    np.testing.assert_allclose(pk.spearman_brown(np.array([0.5, 0.8]), 3), [1.5 / 2, 2.4 / 2.6])
    assert pk.sem(10.0, 0.91) == pytest.approx(3.0)
    assert pk.sem(4.0, 0.75) == pytest.approx(2.0)
    assert pk.sem(5.0, 1.0) == 0.0
    with pytest.raises(ValueError, match="reliability"):
        pk.spearman_brown(1.2, 2)
    with pytest.raises(ValueError, match="factor"):
        pk.spearman_brown(0.5, 0)
    with pytest.raises(ValueError, match="sd"):
        pk.sem(-1, 0.5)
    with pytest.raises(ValueError, match="reliability"):
        pk.sem(1, "high")


def test_omega_total_bootstrap(sim):
    est = pk.omega_total(sim, ci="bootstrap", n_boot=60, seed=1)
    assert est.ci_low < est.value < est.ci_high
    from psikometri._resampling import bootstrap_indices

    idx = bootstrap_indices(sim.shape[0], 3, 1)
    for b in range(3):  # replicate b is omega total of the materialised resample b
        want = pk.omega_total(sim.iloc[idx[b]].reset_index(drop=True)).value
        assert est.extra["bootstrap"][b] == pytest.approx(want, abs=1e-8)
    again = pk.omega_total(sim, ci="bootstrap", n_boot=60, seed=1)
    assert (again.ci_low, again.ci_high) == (est.ci_low, est.ci_high)
    small = sim.iloc[:60]
    bca = pk.omega_total(small, ci="bca", n_boot=60, seed=1)
    assert bca.ci_low < bca.value < bca.ci_high


def test_reliability_summary(bfi):
    tab = pk.reliability_summary(bfi, reverse=REV, scale_range=(1, 6))
    r = REF["bfi16_listwise"]
    assert tab.loc["cronbach_alpha", "value"] == pytest.approx(r["raw_alpha"], abs=1e-6)
    assert tab.loc["cronbach_alpha", "ci_low"] == pytest.approx(r["feldt_lower"], abs=1e-6)
    assert tab.loc["standardized_alpha", "value"] == pytest.approx(r["std_alpha"], abs=1e-6)
    assert tab.loc["lambda4", "value"] == pytest.approx(r["split_cov"]["max"], abs=1e-6)
    assert tab.loc["omega_total", "value"] == pytest.approx(r["omega1"]["omega_tot"], abs=1e-3)
    sd_total = np.sqrt(np.cov(bfi.dropna().assign(**{c: 7 - bfi.dropna()[c] for c in REV}), rowvar=False).sum())
    assert tab.loc["sem", "value"] == pytest.approx(sd_total * math.sqrt(1 - r["raw_alpha"]), rel=1e-6)
    assert list(tab.columns) == ["value", "ci_low", "ci_high", "ci_method", "n", "note"]
    assert np.isfinite(tab.loc["omega_hierarchical", "value"])


def test_results_objects_render(sim):
    om = pk.omega(sim, nfactors=3)
    assert "omega_hierarchical" in om.summary() and "<table" in om._repr_html_()
    assert list(om.loadings.columns) == ["g", "F1*", "F2*", "F3*", "h2", "u2", "p2"]
    assert om.phi.shape == (3, 3)
    sh = pk.split_half(sim)
    assert "split-half" in sh.summary() and "<table" in sh._repr_html_()
    assert sh.to_frame().shape == (3, 2)
    assert "OmegaResult" in repr(om) and "SplitHalfResult" in repr(sh)


def test_factor_helpers_are_consistent(sim):
    R = np.corrcoef(sim.to_numpy(), rowvar=False)
    L = rel._minres(R, 3)
    # minres (ULS) fixed point: the loadings are the leading eigenvectors of R with 1 - h2 off its diagonal
    L2 = rel._uls_loadings(R, 1 - (L**2).sum(axis=1), 3)
    np.testing.assert_allclose(L2 @ L2.T, L @ L.T, atol=1e-6)
    one = rel._minres(R, 1)
    assert np.all(one.sum(axis=0) > 0)
    V = rel._varimax(L)
    np.testing.assert_allclose(V @ V.T, L @ L.T, atol=1e-10)  # an orthogonal rotation
    P, phi = rel._oblimin(V)
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)
    np.testing.assert_allclose(P @ phi @ P.T, L @ L.T, atol=1e-10)  # an oblique rotation of the same solution
    N = 1 - np.eye(3)
    q = float(((P**2) * ((P**2) @ N)).sum())
    q_varimax = float(((V**2) * ((V**2) @ N)).sum())
    assert q < q_varimax  # oblimin lowers its criterion


def test_top_level_exports():
    for name in rel.__all__:
        assert getattr(pk, name) is getattr(rel, name)


# =============================================================================== bad input
class TestValidation:
    def test_too_few_items(self):
        with pytest.raises(ValueError, match="at least 2 item columns"):
            pk.cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4]}))
        with pytest.raises(ValueError, match="at least 3 item columns"):
            pk.omega_total(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3]}))

    def test_too_few_rows(self):
        df = pd.DataFrame({"a": [1, 2, np.nan, 4], "b": [2, np.nan, 1, 3]})
        with pytest.raises(ValueError, match="complete rows"):
            pk.cronbach_alpha(df)

    def test_constant_item(self):
        df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2], "c": [1, 3, 2, 4]})
        with pytest.raises(ValueError, match="constant item"):
            pk.cronbach_alpha(df)

    def test_non_numeric(self):
        df = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["2", "x", "1", "3"]})
        with pytest.raises(TypeError, match="not numeric"):
            pk.item_analysis(df)

    def test_bad_options(self, sim):
        with pytest.raises(ValueError, match="ci must be one of"):
            pk.cronbach_alpha(sim, ci="wald")
        with pytest.raises(ValueError, match="missing must be one of"):
            pk.cronbach_alpha(sim, missing="mean")
        with pytest.raises(ValueError, match="level"):
            pk.cronbach_alpha(sim, level=95)
        with pytest.raises(ValueError, match="n_boot"):
            pk.cronbach_alpha(sim, ci="bootstrap", n_boot=0)
        with pytest.raises(TypeError, match="seed"):
            pk.cronbach_alpha(sim, ci="bootstrap", seed="abc")
        with pytest.raises(ValueError, match="method must be one of"):
            pk.split_half(sim, method="some")
        with pytest.raises(ValueError, match="halves must be one of"):
            pk.split_half(sim, halves="odd-even")
        with pytest.raises(ValueError, match="nfactors=5 is too many"):
            pk.omega(sim.iloc[:, :6], nfactors=5)

    def test_reverse_and_scale_range(self, bfi):
        with pytest.raises(ValueError, match="no column"):
            pk.cronbach_alpha(bfi, reverse=["Z9"], scale_range=(1, 6))
        with pytest.raises(ValueError, match="scale_range must be a pair"):
            pk.cronbach_alpha(bfi, reverse=REV, scale_range=(6, 1))
        with pytest.raises(ValueError, match=r"outside scale_range=\(2, 6\): row 1, column 'E1' holds 1\."):
            pk.cronbach_alpha(bfi, reverse=REV, scale_range=(2, 6))
        with pytest.raises(ValueError, match="more than once"):
            pk.cronbach_alpha(bfi, reverse=["A1", "A1"], scale_range=(1, 6))

    def test_pairwise_without_overlap(self):
        df = pd.DataFrame({"a": [1, 2, 3, np.nan, np.nan, np.nan], "b": [np.nan, np.nan, np.nan, 1, 3, 2],
                           "c": [1, 3, 2, 2, 1, 3]})
        with pytest.raises(ValueError, match="answered together by fewer than 2"):
            pk.cronbach_alpha(df, missing="pairwise")

    def test_all_nan_rows_are_dropped(self, sim):
        df = pd.concat([sim, pd.DataFrame(np.nan, index=[9999], columns=sim.columns)])
        est = pk.cronbach_alpha(df)
        assert est.n == sim.shape[0]
        assert "1 respondent(s) with a missing answer (listwise deletion) dropped" in est.note
        est = pk.cronbach_alpha(df, missing="pairwise")
        assert est.n == sim.shape[0] and "without any answer" in est.note


@pytest.mark.parametrize("nf, seed", [(2, 1), (3, 2), (4, 3)])
def test_oblimin_kernel_matches_naive_gpa(nf, seed):
    from psikometri import _reliability_kernels as K
    from psikometri.reliability import _minres, _varimax

    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.3, 0.8, (12, nf)) * (rng.random((12, nf)) < 0.5) + 0.05
    R = lam @ lam.T
    np.fill_diagonal(R, 1.0)
    A = _varimax(_minres(R, nf))
    L, phi, iterations = K.oblimin_gpa(np.ascontiguousarray(A), 1e-10, 5000)
    Ln, phin = naive.oblimin_gpa(A)
    # both stop when the projected gradient's norm is below 1e-10 or no step lowers the criterion any more
    # (the rounding floor); the rounding of the two sums leaves loadings along flat directions of the
    # criterion up to about 1e-8 apart
    np.testing.assert_allclose(L, Ln, atol=1e-7)
    np.testing.assert_allclose(phi, phin, atol=1e-7)
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)  # unit-length columns of T
    # stopped at the floor (these three never reach eps), not by running to the iteration limit
    assert iterations < 500
    # where the projected gradient of the quartimin criterion is near zero (Bernaards & Jennrich 2005, eq. 8)
    T = (np.linalg.pinv(L) @ A).T  # A = L T'
    Gq = L * ((L**2) @ (1.0 - np.eye(nf)))
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    Gp = G - T @ np.diag((T * G).sum(axis=0))
    assert np.sqrt((Gp**2).sum()) < 1e-7
