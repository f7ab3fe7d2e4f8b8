"""Catalogue of degenerate inputs to the library functions (issue 13, "Library edge cases" and
"Misleading messages").

Each test builds one malformed or degenerate input and asserts the exact outcome: a clear error that
names the parameter, where the bad value is and the fix, or an honest value (NaN with a reason, an
interval inside the coefficient's range with a note saying it was truncated).  Expected values are
computed here independently of the implementation.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import psikometri as pk
from psikometri import _reliability_kernels as K
from psikometri._resampling import bootstrap_indices

from . import naive_reliability as naive


# =============================================================================== 1. bootstrap alpha
# Three respondents with decimal scores: a resample that draws one respondent three times has no
# variance, but its sums of squares are round-off (about 1e-17), whose ratio used to give alpha = 1.137.
THREE = pd.DataFrame({"a": [0.1, 0.2, 0.7], "b": [0.3, 0.2, 0.4], "c": [0.1, 0.3, 0.9]})


@pytest.mark.parametrize("ci", ["bootstrap", "bca"])
@pytest.mark.parametrize("standardized", [False, True])
def test_bootstrap_alpha_zero_variance_resamples_are_undefined_not_above_one(ci, standardized):
    n_boot, seed = 2000, 1
    est = pk.cronbach_alpha(THREE, ci=ci, n_boot=n_boot, seed=seed, standardized=standardized)
    boot = est.extra["bootstrap"]
    # the respondents are distinct, so a resample has no variance exactly when it draws one of them n times
    idx = bootstrap_indices(3, n_boot, seed)
    constant = (idx == idx[:, :1]).all(axis=1)
    assert np.array_equal(np.isnan(boot), constant)
    assert np.nanmax(boot) <= 1.0
    assert est.ci_high <= 1.0 and est.ci_low <= est.ci_high
    assert f"{int(constant.sum())} bootstrap replicate(s) undefined and dropped" in est.note
    # the plain reference (materialised resamples) agrees replicate by replicate
    want = naive.bootstrap_alpha(THREE.to_numpy(), seed, n_boot, standardized)
    np.testing.assert_allclose(boot, want, rtol=1e-10, atol=1e-12)
    jack = np.empty(3)
    K.jackknife_alpha(THREE.to_numpy(), standardized, False, jack)
    np.testing.assert_allclose(jack, naive.jackknife_alpha(THREE.to_numpy(), standardized), rtol=1e-10)


def test_bootstrap_alpha_too_many_undefined_replicates_gives_nan_interval():
    # two distinct respondents among three: resamples drawing only the two identical rows have no variance
    df = pd.DataFrame({"a": [0.1, 0.1, 0.7], "b": [0.3, 0.3, 0.4], "c": [0.2, 0.2, 0.9]})
    n_boot, seed = 1000, 3
    idx = bootstrap_indices(3, n_boot, seed)
    n_bad = int(np.isin(idx, [0, 1]).all(axis=1).sum() + (idx == 2).all(axis=1).sum())
    assert n_bad > 0.1 * n_boot  # about 30% (8/27 + 1/27)
    est = pk.cronbach_alpha(df, ci="bootstrap", n_boot=n_boot, seed=seed)
    assert math.isnan(est.ci_low) and math.isnan(est.ci_high)
    assert f"{n_bad} of {n_boot} bootstrap replicates are undefined" in est.note
    assert "ci='feldt'" in est.note
    assert int(np.isnan(est.extra["bootstrap"]).sum()) == n_bad


def test_alpha_kernels_pairwise_never_above_one():
    rng = np.random.default_rng(5)
    for _ in range(30):
        X = np.round(rng.normal(size=(6, 3)), 1) / 10
        X[rng.random(X.shape) < 0.2] = np.nan
        got = np.empty(200)
        K.bootstrap_alpha(np.ascontiguousarray(X), np.uint64(2), 200, False, True, got)
        want = naive.bootstrap_alpha(X, 2, 200, False, True)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        assert not (got > 1.0).any()


# =============================================================================== 2. intervals inside the range
def _t_interval(values, level=0.95):
    """Mean +/- t sd/sqrt(n): the linearised interval of a coefficient whose unit contributions are ``values``."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size)
    return v.mean() - half, v.mean() + half


def test_agreement_intervals_truncated_to_the_coefficients_range():
    from psikometri import agreement as ag

    # two raters: percent agreement is the share of identical pairs, its linearised variance that of the 0/1
    # agreement indicators; here (2/3 agreeing units) the t interval runs from below 0 to above 1
    d = pd.DataFrame({"A": [1, 2, 1], "B": [1, 1, 1]})
    raw_lo, raw_hi = _t_interval([1, 0, 1])
    assert raw_lo < 0 and raw_hi > 1
    pa = ag.percent_agreement(d)
    assert pa.value == pytest.approx(2 / 3)
    assert (pa.ci_low, pa.ci_high) == (0.0, 1.0)
    assert f"lower end {raw_lo:.3f} raised to 0" in pa.note and f"upper end {raw_hi:.3f} lowered to 1" in pa.note
    # Brennan-Prediger with q = 2 categories: BP = 2 pa - 1, range [-1/(q-1), 1] = [-1, 1]
    bp = ag.brennan_prediger(d)
    assert bp.value == pytest.approx(2 * (2 / 3) - 1)
    assert (bp.ci_low, bp.ci_high) == (-1.0, 1.0) and "truncated" in bp.note
    # Gwet's AC1 and Fleiss' kappa (two ratings per subject: range [-1/(2-1), 1])
    for est in (ag.gwet_ac(d), ag.fleiss_kappa(d)):
        assert -1.0 <= est.ci_low <= est.ci_high <= 1.0
        assert "truncated" in est.note
    # Gwet's AC2 with quadratic weights on 3 categories: T_w = 3 + 4 * 3/4 = 6, lowest value -6 / (9 - 6) = -2
    d3 = pd.DataFrame({"A": [1, 3, 1, 2], "B": [3, 1, 1, 2]})
    ac2 = ag.gwet_ac(d3, weights="quadratic", categories=[1, 2, 3])
    assert ac2.ci_low >= -2.0 and ac2.ci_high <= 1.0
    # Cohen's kappa: normal interval from the Fleiss-Cohen-Everitt se would reach above 1
    ck = ag.cohen_kappa([1, 2, 1, 2], [1, 2, 1, 1])
    po, pe = 3 / 4, (3 / 4) * (1 / 2) + (1 / 4) * (1 / 2)
    assert ck.value == pytest.approx((po - pe) / (1 - pe))
    assert ck.value + 1.959963984540054 * ck.se > 1
    assert ck.ci_high == 1.0 and "upper end" in ck.note and "lowered to 1" in ck.note
    # Fleiss' kappa with unequal numbers of ratings per subject
    du = pd.DataFrame({"A": [1, 2, 1, 2], "B": [1, 1, np.nan, 2], "C": [1, 2, 1, np.nan]})
    fu = ag.fleiss_kappa(du)
    assert fu.ci_high <= 1.0 and "truncated" in fu.note and "unequal numbers" in fu.note
    # an interval well inside the range is left alone and gets no note
    big = pd.DataFrame({"A": [1, 2, 3, 1, 2, 3, 1, 2, 3, 1] * 4, "B": [1, 2, 3, 1, 2, 1, 1, 2, 3, 2] * 4})
    est = ag.fleiss_kappa(big)
    assert "truncated" not in est.note and -1 < est.ci_low < est.ci_high < 1


# property test: every interval of every agreement / reliability coefficient lies inside its range
_ratings = st.integers(min_value=2, max_value=9).flatmap(
    lambda n: st.integers(min_value=2, max_value=4).flatmap(
        lambda k: st.integers(min_value=2, max_value=4).flatmap(
            lambda q: st.tuples(
                st.just(q),
                st.lists(st.lists(st.one_of(st.integers(0, q - 1), st.just(-1)), min_size=k, max_size=k),
                         min_size=n, max_size=n),
            )
        )
    )
)


def _inside(est, low, high):
    for v in (est.value, est.ci_low, est.ci_high):
        if math.isfinite(v):
            assert low - 1e-12 <= v <= high + 1e-12, (est, low, high)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ratings)
def test_every_agreement_interval_inside_its_range(case):
    from psikometri import agreement as ag

    q, rows = case
    arr = np.array(rows, dtype=float)
    arr[arr < 0] = np.nan  # -1 marks a missing rating
    d = pd.DataFrame(arr, columns=[f"r{j}" for j in range(arr.shape[1])])
    cats = list(range(q))
    calls = [
        # (function, kwargs, lower bound, upper bound), bounds derived in the comments
        (ag.percent_agreement, {}, 0.0, 1.0),  # a share of agreeing pairs
        (ag.brennan_prediger, {}, -1 / (q - 1), 1.0),  # chance agreement 1/q, pa >= 0
        (ag.gwet_ac, {}, -1 / (q - 1), 1.0),  # chance agreement at most 1/q
    ]
    tw = sum(1 - ((a - b) / (q - 1)) ** 2 for a in range(q) for b in range(q))  # quadratic weights' total
    calls += [(ag.gwet_ac, {"weights": "quadratic"}, -tw / (q * q - tw), 1.0),
              (ag.brennan_prediger, {"weights": "quadratic"}, -tw / (q * q - tw), 1.0)]
    for fn, kw, low, high in calls:
        try:
            est = fn(d, categories=cats, **kw)
        except ValueError:
            continue  # too little data: a clear error is the right outcome
        _inside(est, low, high)
    try:
        fk = ag.fleiss_kappa(d, categories=cats)
    except ValueError:
        fk = None
    if fk is not None:
        r = (~np.isnan(arr)).sum(axis=1)
        r = r[r > 0]
        pe = fk.extra["pe"]
        # equal numbers r of ratings: kappa >= -1/(r-1); otherwise >= -pe/(1-pe) (no pair agrees)
        low = -1 / (r[0] - 1) if np.all(r == r[0]) and r[0] >= 2 else (-pe / (1 - pe) if pe < 1 else -np.inf)
        _inside(fk, low, 1.0)
    for w in (None, "linear", "quadratic"):
        try:
            ck = ag.cohen_kappa(d["r0"], d["r1"], weights=w, categories=cats)
        except ValueError:
            continue
        _inside(ck, -1.0, 1.0)
    try:
        ka = ag.krippendorff_alpha(d, level_of_measurement="nominal", n_boot=50, seed=1)
    except ValueError:
        ka = None
    if ka is not None and math.isfinite(ka.value):
        _inside(ka, -math.inf, 1.0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(3, 8), st.integers(2, 4), st.integers(0, 2**31), st.sampled_from([1.0, 0.1, 0.001]))
def test_every_reliability_interval_inside_its_range(n, k, seed, scale):
    # alpha is at most 1 (the total-score variance is at most k times the sum of the item variances); the ICCs
    # too; decimal scores (scale < 1) make sums of squares of constant resamples round-off rather than 0
    rng = np.random.default_rng(seed)
    X = np.round(rng.integers(1, 6, size=(n, k)) * scale + rng.integers(0, 2, size=(n, 1)) * scale, 6)
    df = pd.DataFrame(X, columns=[f"i{j}" for j in range(k)])
    for kw in ({"ci": "feldt"}, {"ci": "bootstrap", "n_boot": 200, "seed": 1}, {"ci": "bca", "n_boot": 200, "seed": 2},
               {"ci": "bootstrap", "n_boot": 200, "seed": 3, "standardized": True}):
        try:
            est = pk.cronbach_alpha(df, **kw)
        except ValueError:
            continue
        _inside(est, -math.inf, 1.0)
        assert not (est.extra.get("bootstrap", np.zeros(1)) > 1.0).any()
    try:
        tab = pk.icc(df)
    except ValueError:
        return
    for col in ("icc", "ci_low", "ci_high"):
        v = tab[col].to_numpy(dtype=float)
        assert not (v[np.isfinite(v)] > 1.0 + 1e-12).any(), tab


def test_icc2k_undefined_rather_than_above_one_and_no_wrapped_lower_limit():
    d = pd.DataFrame({"A": [6.0, 2.0, 1.0], "B": [2.0, 3.0, 5.0]})
    X = d.to_numpy()
    n, k = X.shape
    grand = X.mean()
    msr = k * ((X.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((X.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    resid = X - X.mean(axis=1, keepdims=True) - X.mean(axis=0, keepdims=True) + grand
    mse = (resid**2).sum() / ((n - 1) * (k - 1))
    assert msr + (msc - mse) / n < 0  # the textbook ICC2k = (MSR - MSE) / (that) would be above 1
    assert (msr - mse) / (msr + (msc - mse) / n) > 1
    tab = pk.icc(d)
    assert tab.loc["ICC2k", ["icc", "ci_low", "ci_high"]].isna().all()
    assert "ICC2k is undefined" in tab.attrs["note"]
    for col in ("icc", "ci_low", "ci_high"):
        v = tab[col].to_numpy(dtype=float)
        assert not (v[np.isfinite(v)] > 1).any()


# =============================================================================== 4. misleading messages
def _message(fn):
    with pytest.raises((ValueError, TypeError)) as info:
        fn()
    return str(info.value)


def test_error_messages_show_plain_row_labels_not_numpy_reprs():
    from psikometri import agreement as ag

    idx = pd.Index([10, 11, 12, 4, 13], dtype="int64")  # integer row labels: numpy scalars when indexed
    items = pd.DataFrame({"a": [1, 2, 3, "x", 5], "b": [2, 3, 4, 5, 1], "c": [1, 3, 2, 4, 5]}, index=idx)
    ratings = pd.DataFrame({"A": [1, 2, 3, np.inf, 2], "B": [1, 2, 3, 3, 1]}, index=idx)
    ratio = pd.DataFrame({"A": [1.0, 2, 3, -1, 2], "B": [1.0, 2, 3, 3, 1]}, index=idx)
    long = pd.DataFrame({"t": [1, 1, 2, 2, 2], "r": ["a", "b", "a", "b", "b"], "y": [1, 2, 3, 4, 5]}, index=idx)
    messages = [
        _message(lambda: pk.cronbach_alpha(items)),
        _message(lambda: ag.krippendorff_alpha(ratings)),
        _message(lambda: ag.krippendorff_alpha(ratio, level_of_measurement="ratio")),
        _message(lambda: ag.icc(long, targets="t", raters="r", ratings="y")),
        _message(lambda: pk.cronbach_alpha(items.assign(a=[1, 2, 3, 9, 5]), scale_range=(1, 5))),
    ]
    for msg in messages:
        assert "np." not in msg and "numpy" not in msg, msg
    assert "column 'a' is not numeric: row 4 holds 'x'" in messages[0]
    assert "row 4, column 'A'" in messages[1]
    assert "row 4, column 'A' holds -1.0" in messages[2]
    assert "target 2 by rater 'b' (row 4)" in messages[3]
    assert "row 4, column 'a' holds 9" in messages[4]


# =============================================================================== 3. silent impossible values
@pytest.mark.parametrize("fn", ["fleiss_kappa", "gwet_ac", "brennan_prediger", "percent_agreement"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_rating_is_not_a_category(fn, bad):
    from psikometri import agreement as ag

    d = pd.DataFrame({"A": [1, 2, bad, 3], "B": [1, 2, 3, 3]}, index=[7, 8, 9, 10])
    with pytest.raises(ValueError) as info:
        getattr(ag, fn)(d)
    msg = str(info.value)
    assert msg.startswith("data holds an infinite rating at row 9, column 'A'")
    assert "Replace it with NaN" in msg
    # labels stored as objects: an infinite float among them is still not a category
    obj = d.astype(object)
    with pytest.raises(ValueError, match=r"row 9, column 'A'"):
        getattr(ag, fn)(obj)


def test_cohen_kappa_infinite_rating_is_not_a_category():
    from psikometri import agreement as ag

    a = pd.Series([1, 2, 3, 3], index=["p", "q", "r", "s"])
    b = pd.Series([1, 2, np.inf, 3], index=["p", "q", "r", "s"])
    with pytest.raises(ValueError, match=r"^rater_b holds an infinite rating at row 'r' \(1 in all\)"):
        ag.cohen_kappa(a, b)
    with pytest.raises(ValueError, match=r"^rater_a holds an infinite rating at position 0"):
        ag.cohen_kappa([-np.inf, 2, 3], [1, 2, 3])


def test_linear_or_quadratic_weights_on_nominal_labels_raise():
    from psikometri import agreement as ag

    a, b = ["sedang", "rendah", "tinggi", "sedang"], ["tinggi", "rendah", "tinggi", "rendah"]
    d = pd.DataFrame({"A": a, "B": b})
    for call in (lambda: ag.cohen_kappa(a, b, weights="quadratic"),
                 lambda: ag.gwet_ac(d, weights="linear"),
                 lambda: ag.brennan_prediger(d, weights="quadratic"),
                 lambda: ag.percent_agreement(d, weights="linear")):
        msg = _message(call)
        assert "needs ordered categories" in msg and "categories=[...]" in msg and "weights=None" in msg
    # stating the order makes the weights meaningful: the result equals the one on the codes 1 < 2 < 3
    order = ["rendah", "sedang", "tinggi"]
    code = {c: i + 1 for i, c in enumerate(order)}
    want = ag.cohen_kappa([code[v] for v in a], [code[v] for v in b], weights="quadratic").value
    assert ag.cohen_kappa(a, b, weights="quadratic", categories=order).value == pytest.approx(want)
    ca = pd.Series(pd.Categorical(a, categories=order, ordered=True))
    cb = pd.Series(pd.Categorical(b, categories=order, ordered=True))
    assert ag.cohen_kappa(ca, cb, weights="quadratic").value == pytest.approx(want)
    # nominal labels without weights are fine
    assert math.isfinite(ag.cohen_kappa(a, b).value)


def test_rwg_rating_off_the_scale_raises():
    from psikometri import agreement as ag

    msg = _message(lambda: ag.rwg([3, 7, 4], n_options=5))
    assert "ratings holds 7 at position 1" in msg and "5-point scale 1-5" in msg and "n_options" in msg
    msg = _message(lambda: ag.rwg(pd.Series([3, 4, 0], index=["a1", "a2", "a3"])))
    assert "ratings holds 0 at row 'a3'" in msg
    msg = _message(lambda: ag.rwg_j(pd.DataFrame({"int": [3, 4, 4], "kom": [2, 6, 3]}, index=[5, 6, 7])))
    assert "ratings holds 6 at row 6, column 'kom'" in msg
    # on the scale (or with a 0-4 scale declared) it is computed: 1 - s^2 / ((A^2 - 1) / 12)
    x = np.array([0.0, 1, 1, 2])
    assert ag.rwg(x, n_options=5, scale_min=0).value == pytest.approx(1 - x.var(ddof=1) / 2.0)


def test_krippendorff_alpha_on_one_unit_is_nan_with_reason():
    from psikometri import agreement as ag

    for level in ("nominal", "interval", "ordinal", "ratio"):
        est = ag.krippendorff_alpha(pd.DataFrame({"A": [1.0, np.nan], "B": [2.0, 3.0]}), level_of_measurement=level)
        assert math.isnan(est.value)
        assert "only 1 unit has two or more ratings" in est.note
    # two units: defined (interval, by hand: values 1,2 | 2,3; D_o = (1 + 1) * 2 / (4 * 1) = 1;
    # D_e = sum over ordered pairs (v_i - v_j)^2 / (n (n-1)) = 2 * (1 + 1 + 4 + 0 + 1 + 1) / 12 = 4/3)
    est = ag.krippendorff_alpha(pd.DataFrame({"A": [1.0, 2.0], "B": [2.0, 3.0]}))
    assert est.value == pytest.approx(1 - 1 / (4 / 3))


def test_correct_attenuation_outside_minus_one_one_warns():
    want = 0.5 / math.sqrt(0.1)  # Spearman's formula: 1.58, not a correlation
    with pytest.warns(UserWarning, match=r"corrected correlation 1\.581 lies outside \[-1, 1\]") as rec:
        got = pk.correct_attenuation(0.5, ryy=0.1)
    assert got == pytest.approx(want)  # the honest value is returned, not clipped
    assert "ryy=0.1" in str(rec[0].message) and "underestimated" in str(rec[0].message)
    with pytest.warns(UserWarning, match="outside"):
        assert pk.correct_attenuation(-0.6, rxx=0.5, ryy=0.5) == pytest.approx(-1.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # inside the range: no warning
        assert pk.correct_attenuation(0.3, ryy=0.52) == pytest.approx(0.3 / math.sqrt(0.52))


def test_expectancy_table_constant_predictor_raises():
    d = pd.DataFrame({"ac": [3.0] * 12, "kinerja": np.arange(12.0)})
    msg = _message(lambda: pk.expectancy_table(d, predictor="ac", criterion="kinerja"))
    assert "'ac' (predictor) has the same value 3 for all 12 candidates" in msg
    # two distinct values, one of them rare: quantile bands collapse; the suggested edges work
    d2 = pd.DataFrame({"ac": [3.0] * 11 + [4.0], "kinerja": np.arange(12.0)})
    msg = _message(lambda: pk.expectancy_table(d2, predictor="ac", criterion="kinerja"))
    assert "bins=[3.0, 3.5, 4.0]" in msg
    tab = pk.expectancy_table(d2, predictor="ac", criterion="kinerja", bins=[3.0, 3.5, 4.0])
    assert tab["n"].tolist() == [11, 1]


def test_jpm_category_outside_zero_to_hundred_raises():
    from psikometri.talent import jpm_category

    msg = _message(lambda: jpm_category(pd.Series([95.0, 150.0, np.nan], index=["a", "b", "c"])))
    assert "jpm must be a percentage between 0 and 100; element 'b' holds 150" in msg
    assert "max_jpm=500" in msg
    msg = _message(lambda: jpm_category([-5.0]))
    assert "element 0 holds -5" in msg
    # NaN stays NaN; 100 is Optimal; an uncapped JPM is accepted when declared
    out = jpm_category([np.nan, 100.0])
    assert pd.isna(out[0]) and out[1] == "Optimal"
    assert jpm_category([150.0], max_jpm=500)[0] == "Optimal"


def test_cronbach_alpha_rejects_the_candidate_id_column():
    rng = np.random.default_rng(3)
    scores = pd.DataFrame(rng.integers(1, 6, size=(30, 4)) + rng.integers(0, 2, size=(30, 1)),
                          columns=[f"item{j}" for j in range(4)]).astype(float)
    nip = [str(196902101995121000 + i) for i in range(30)]
    items = pd.concat([pd.DataFrame({"candidate": nip}), scores], axis=1)
    for fn in (pk.cronbach_alpha, pk.item_analysis, pk.guttman_lambdas, pk.split_half, pk.omega_total):
        msg = _message(lambda: fn(items))
        assert "items column 'candidate' looks like a respondent identifier" in msg
        assert "items.drop(columns='candidate')" in msg and "items.set_index('candidate')" in msg
    # numeric NIPs under another name are caught by the name too
    msg = _message(lambda: pk.cronbach_alpha(scores.assign(nip=np.arange(30) + 10**17)))
    assert "'nip' looks like a respondent identifier" in msg
    # text ids under any name: named, with the fix
    msg = _message(lambda: pk.cronbach_alpha(pd.concat([pd.DataFrame({"kode": nip}), scores], axis=1)))
    assert "items column 'kode' holds text" in msg and "set_index('kode')" in msg
    # as the index, the id is not an item: alpha equals that of the score columns alone
    k = scores.shape[1]
    C = np.cov(scores.to_numpy(), rowvar=False)
    want = k / (k - 1) * (1 - np.trace(C) / C.sum())
    assert pk.cronbach_alpha(items.set_index("candidate")).value == pytest.approx(want)


def test_nine_box_equal_cuts_suggest_valid_cuts():
    from psikometri.talent import nine_box

    msg = _message(lambda: nine_box([80, 95], [70, 90], potential_cuts=(80, 80), performance_cuts=(70, 85)))
    assert "potential_cuts must be strictly increasing; got potential_cuts=(80.0, 80.0)" in msg
    assert "80 appears 2 times" in msg
    suggested = eval(msg.split("e.g. potential_cuts=")[1].rstrip("."))  # the suggestion must itself be valid
    assert suggested != (80, 80) and suggested[0] < suggested[1]
    nine_box([80, 95], [70, 90], potential_cuts=suggested, performance_cuts=(70, 85))
    # unsorted but distinct cuts: sorting them is the fix
    assert "e.g. performance_cuts=(70.0, 85.0)" in _message(
        lambda: nine_box([80], [70], potential_cuts=(78, 90), performance_cuts=(85, 70)))


@pytest.mark.parametrize("standardized", [False, True])
def test_alpha_point_estimate_of_a_constant_total_is_nan_not_huge(standardized):
    # b = 0.8 - a: the total score is 0.8 for everyone, but its variance computed from the covariance
    # matrix is round-off (about 1e-18), not 0
    a = np.array([0.1, 0.2, 0.7, 0.3])
    df = pd.DataFrame({"a": a, "b": 0.8 - a})
    C = np.cov(df.to_numpy(), rowvar=False)
    M = C / np.sqrt(np.outer(np.diag(C), np.diag(C))) if standardized else C
    assert abs(M.sum()) < 1e-12 * np.trace(M)
    est = pk.cronbach_alpha(df, standardized=standardized)
    assert math.isnan(est.value) and math.isnan(est.ci_low)
    assert "the total score has no variance" in est.note


def test_mtmm_and_subgroup_differences_say_scores_are_all_missing():
    ratings = pd.DataFrame({"candidate": np.repeat(np.arange(6), 4), "competency": np.tile(["a", "a", "b", "b"], 6),
                            "exercise": np.tile(["x", "y", "x", "y"], 6), "score": np.nan})
    msg = _message(lambda: pk.mtmm(ratings, person="candidate"))
    assert "data column 'score' (score) is all missing: none of its 24 rows holds a score" in msg
    half = ratings.assign(score=np.where(ratings["competency"] == "a", 3.0, np.nan))
    msg = _message(lambda: pk.mtmm(half, person="candidate"))
    assert "1 level(s) with a score (of 2 in data" in msg
    groups = pd.DataFrame({"gender": ["L", "P"] * 5, "score": np.nan})
    msg = _message(lambda: pk.subgroup_differences(groups, group="gender", score="score"))
    assert "data column 'score' (score) is all missing" in msg
    one = groups.assign(score=[np.nan] * 9 + [70.0])
    msg = _message(lambda: pk.subgroup_differences(one, group="gender", score="score"))
    assert "only ['P'] have any, group(s) ['L'] have none (all missing)" in msg
    msg = _message(lambda: pk.differential_prediction(groups.assign(kinerja=1.0), predictor="score",
                                                      criterion="kinerja", group="gender"))
    assert "data column 'score' (predictor) is all missing" in msg
