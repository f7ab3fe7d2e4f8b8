r"""Inter-rater agreement: ICC, kappas, Krippendorff's alpha, Gwet's AC and assessor diagnostics.

Assessor agreement is the first question asked of any assessment centre: do two
assessors who watch the same candidate in the same exercise give the same
rating?  This module answers it with the standard coefficients, each checked
against published tables and R (see ``tests/test_agreement.py``):

========================  ==========================================================
:func:`icc`               six Shrout & Fleiss (1979) intraclass correlations with
                          F tests and intervals (R ``psych::ICC``); REML variance
                          components for incomplete designs (``psych::ICC(lmer=TRUE)``)
:func:`cohen_kappa`       Cohen's (weighted) kappa, Fleiss-Cohen-Everitt (1969) SE
:func:`fleiss_kappa`      Fleiss' (1971) kappa for many raters (weighted or not), per-category kappas
:func:`conger_kappa`      Conger's (1980) kappa: Cohen's kappa for many raters
:func:`krippendorff_alpha`  nominal/ordinal/interval/ratio or weighted alpha, any missing
                          pattern, Hayes & Krippendorff (2007) bootstrap
:func:`gwet_ac`           Gwet's AC1 / AC2 with Gwet's (2014) variance
:func:`brennan_prediger`  Brennan & Prediger (1981) coefficient
:func:`percent_agreement` observed (weighted) agreement
:func:`rwg`, :func:`rwg_j`  within-group agreement of a panel (James, Demaree & Wolf 1984)
:func:`assessor_diagnostics`  leniency/severity, central tendency, halo and agreement
                          of every assessor, with flags for recalibration
:func:`cell_ratings`      long AC ratings -> cells x assessor slots, the input of
                          the agreement coefficients
:func:`consensus_change`  independent ratings against the panel's consensus rating
========================  ==========================================================

Data layout: "wide" tables have one row per rated unit (candidate, target) and
one column per rater; ``NaN`` marks a missing rating.  Nothing here modifies its
input.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd
from scipy import special, stats

from ._codes import sorted_codes
from ._resampling import bootstrap_counts, percentile_interval, resolve_seed
from ._results import Estimate
from ._threads import single_threaded_blas
from ._validation import (
    validates_seed,
    check_choice,
    check_columns,
    check_dataframe,
    check_level,
    check_positive_int,
    check_real,
    first_bad_cells,
    plain,
)

__all__ = [
    "assessor_diagnostics",
    "brennan_prediger",
    "cell_ratings",
    "consensus_change",
    "cohen_kappa",
    "conger_kappa",
    "fleiss_kappa",
    "gwet_ac",
    "icc",
    "krippendorff_alpha",
    "percent_agreement",
    "rwg",
    "rwg_j",
]

_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _kernels():
    # imported lazily: importing psikometri.agreement compiles nothing
    from . import _agreement_kernels

    return _agreement_kernels


# ==========================================================================
# shared input handling
# ==========================================================================


def _wide_numeric(data, name: str = "data") -> pd.DataFrame:
    """Validate a wide units x raters table of numbers (NaN = missing); return a float copy."""
    df = check_dataframe(data, name)
    if len(df.columns) and all(isinstance(t, np.dtype) and t.kind in "iuf" for t in df.dtypes):
        # plain numpy numbers: one conversion of the whole table (the same values as column by column)
        arr = np.ascontiguousarray(df.to_numpy(dtype=np.float64, copy=True))
        _reject_inf_cells(arr, df, name)
        return pd.DataFrame(arr, index=df.index, columns=df.columns)
    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s):
            raise TypeError(f"{name} column {c!r} is boolean; code the ratings as numbers (e.g. 0/1).")
        if not pd.api.types.is_numeric_dtype(s):
            conv = pd.to_numeric(s, errors="coerce")
            bad = conv.isna() & s.notna()
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise TypeError(
                    f"{name} column {c!r} is not numeric: row {plain(df.index[pos])!r} holds {plain(s.iloc[pos])!r}. "
                    "Recode the ratings as numbers (NaN for a missing rating)."
                )
            s = conv
        out[c] = s.to_numpy(dtype=float, na_value=np.nan)
    arr = np.column_stack([out[c] for c in df.columns]) if len(df.columns) else np.empty((len(df), 0))
    _reject_inf_cells(arr, df, name)
    return pd.DataFrame(arr, index=df.index, columns=df.columns)


def _reject_inf_cells(arr: np.ndarray, df: pd.DataFrame, name: str) -> None:
    if np.isinf(arr).any():
        r, c = np.argwhere(np.isinf(arr))[0]
        raise ValueError(
            f"{name} contains an infinite value at row {plain(df.index[r])!r}, column {plain(df.columns[c])!r}. "
            "Replace it with NaN (missing) or a valid rating."
        )


_sorted_codes = sorted_codes  # one implementation, in psikometri._codes


def _long_to_wide(df: pd.DataFrame, targets: str, raters: str, ratings: str, *, numeric: bool = True
                  ) -> pd.DataFrame:
    """Targets x raters table of a long frame (sorted labels, NaN where missing) without ``pivot``.

    Ids become integer codes once (``pandas.factorize``); duplicates are found
    from the codes and the ratings scattered into a numpy array.  ``numeric=False``
    keeps category labels of any type (object table) unless they are numbers.
    """
    if numeric or pd.api.types.is_numeric_dtype(df[ratings].dtype) and not pd.api.types.is_bool_dtype(
            df[ratings].dtype):
        yv = _wide_numeric(df[[ratings]], "data")[ratings].to_numpy()  # numbers, finite or NaN (same checks)
    else:
        yv = df[ratings].astype(object).where(df[ratings].notna(), np.nan).to_numpy()
    tc, tu = _sorted_codes(df[targets])
    rc, ru = _sorted_codes(df[raters])
    for codes, col in ((tc, targets), (rc, raters)):
        if (codes < 0).any():
            pos = int(np.flatnonzero(codes < 0)[0])
            raise ValueError(f"data column {col!r} is missing at row {plain(df.index[pos])!r}; every rating needs its "
                             f"{col}. Fill it in or drop the row.")
    n_t, n_r = len(tu), len(ru)
    if yv.dtype == object:
        x = np.full(n_t * n_r, np.nan, dtype=object)
        key = tc.astype(np.int64) * np.int64(n_r) + rc.astype(np.int64)
        srt = np.sort(key)
        rep = srt[1:][srt[1:] == srt[:-1]]
        dup = int(np.flatnonzero(key == rep[0])[1]) if len(rep) else -1
        if dup < 0:
            x[key] = yv
    else:
        from ._codes_kernels import scatter_table

        x = np.full(n_t * n_r, np.nan)
        dup = int(scatter_table(np.ascontiguousarray(tc, dtype=np.int64), np.ascontiguousarray(rc, dtype=np.int64),
                                np.ascontiguousarray(yv, dtype=np.float64), n_r, x))
    if dup >= 0:
        # the first row of the repeated target x rater cell
        pos = int(np.flatnonzero((tc == tc[dup]) & (rc == rc[dup]))[0])
        raise ValueError(
            f"data has more than one rating for target {plain(df[targets].iloc[pos])!r} by rater "
            f"{plain(df[raters].iloc[pos])!r} (row {plain(df.index[pos])!r}). Keep one rating per target and rater "
            "(e.g. average the repeats first)."
        )
    x = x.reshape(n_t, n_r)
    return pd.DataFrame(x, index=pd.Index(tu, name=targets), columns=pd.Index(ru, name=raters))


def _dtype_categories(data, ratings, categories):
    """``categories`` as given, else the ordered set of a categorical rating column (long data: ``ratings``;
    wide data: every rater column of one categorical dtype), so that weights follow its order and unused
    levels still count; else None (the sorted observed labels)."""
    if categories is not None or not isinstance(data, pd.DataFrame):
        return categories
    if ratings is not None:
        dt = data[ratings].dtype if ratings in data.columns else None
        return list(dt.categories) if isinstance(dt, pd.CategoricalDtype) else None
    dts = {str(d) for d in data.dtypes}
    first = data.dtypes.iloc[0] if data.shape[1] else None
    if isinstance(first, pd.CategoricalDtype) and all(isinstance(d, pd.CategoricalDtype) for d in data.dtypes):
        if len(dts) == 1 and all(d == first for d in data.dtypes):
            return list(first.categories)
    return None


def _wide_or_long(data, targets, raters, ratings, *, numeric: bool) -> pd.DataFrame:
    """``data`` as a units x raters table: as given (wide) or built from long columns."""
    names = (targets, raters, ratings)
    if all(v is None for v in names):
        return data
    if any(v is None for v in names):
        raise ValueError(
            "For long-format data pass all three of targets=, raters= and ratings= (column names); "
            f"got targets={targets!r}, raters={raters!r}, ratings={ratings!r}. Leave all three as None "
            "for a wide table (rows = units, columns = raters)."
        )
    df = check_dataframe(data, "data")
    check_columns(df, list(names), "data")
    return _long_to_wide(df, targets, raters, ratings, numeric=numeric)


def _infinite_mask(vals: np.ndarray) -> np.ndarray:
    """True where a cell of a numeric or object array holds +inf or -inf."""
    if vals.dtype.kind in "fc":
        return np.isinf(vals)
    if vals.dtype.kind != "O":
        return np.zeros(vals.shape, dtype=bool)
    return np.frompyfunc(lambda v: isinstance(v, (float, np.floating)) and math.isinf(v), 1, 1)(vals).astype(bool)


def _reject_infinite(df: pd.DataFrame, name: str = "data") -> None:
    """Raise for an infinite rating: infinity is not a rating category (nor a score)."""
    mask = _infinite_mask(df.to_numpy())
    if mask.any():
        raise ValueError(
            f"{name} holds an infinite rating at {first_bad_cells(mask, df.index, df.columns)}; infinity is not a "
            "rating category. Replace it with NaN (a missing rating) or a valid rating."
        )


def _reject_infinite_1d(x, arr: np.ndarray, name: str) -> None:
    """Raise for an infinite rating in one rater's ratings (``x`` as given, ``arr`` its 1-D array)."""
    mask = _infinite_mask(arr)
    if mask.any():
        pos = int(np.flatnonzero(mask)[0])
        where = f"row {plain(x.index[pos])!r}" if isinstance(x, (pd.Series, pd.DataFrame)) else f"position {pos}"
        raise ValueError(
            f"{name} holds an infinite rating at {where} ({int(mask.sum())} in all); infinity is not a rating "
            "category. Replace it with NaN (a missing rating) or a valid rating."
        )


def _order_given(data, ratings, categories) -> bool:
    """Whether the categories' order was stated: ``categories=[...]`` or an ordered pandas categorical."""
    if categories is not None:
        return True
    if isinstance(data, pd.DataFrame):
        if ratings is not None:
            dts = [data[ratings].dtype] if ratings in data.columns else []
        else:
            dts = list(data.dtypes)
        return bool(dts) and all(isinstance(d, pd.CategoricalDtype) and d.ordered for d in dts)
    return isinstance(getattr(data, "dtype", None), pd.CategoricalDtype) and data.dtype.ordered


def _check_weights_order(weights, cats, ordered: bool, name: str = "data") -> None:
    """Linear and quadratic weights need ordered categories: numbers, or labels whose order was stated."""
    if not isinstance(weights, str) or ordered:
        return
    labels = [c for c in cats if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Real)]
    if labels:
        raise ValueError(
            f"weights={weights!r} needs ordered categories (distances between them), but the ratings in {name} are "
            f"labels without a stated order (e.g. {[plain(c) for c in labels[:3]]!r}). Pass categories=[...] "
            "listing them from lowest to highest, give them as an ordered pandas Categorical, or use "
            "weights=None for nominal ratings."
        )


def _need_raters_units(arr: np.ndarray, name: str, *, min_units: int = 2) -> None:
    if arr.shape[1] < 2:
        raise ValueError(
            f"{name} has {arr.shape[1]} rater column(s); agreement needs at least 2 raters. "
            "Pass a table with one column per rater (rows = rated units)."
        )
    if arr.shape[0] < min_units:
        raise ValueError(
            f"{name} has {arr.shape[0]} rated unit(s) (rows); at least {min_units} are needed. "
            "Pass one row per candidate/target."
        )


def _encode_labels(values: np.ndarray, categories=None, name: str = "data"):
    """Integer-code a 1-D object/float array of labels.

    Returns ``(codes, cats)`` with ``codes == -1`` for missing values and
    ``cats`` the ordered category list (sorted union of observed labels, or
    ``categories`` as given).
    """
    v = np.asarray(values)
    if v.dtype.kind in "biuf":
        vf = v.astype(float, copy=False)
        ok, lo, hi, cnt = _kernels().integer_range(np.ascontiguousarray(vf))
        if categories is None and ok and cnt > 0 and hi - lo <= 1_000_000:
            codes = _kernels().offset_codes(np.ascontiguousarray(vf), lo)
            present = np.bincount(codes[codes >= 0], minlength=int(hi - lo) + 1) > 0
            remap = np.cumsum(present) - 1
            cats = (np.flatnonzero(present) + lo).tolist()
            codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            cats = [int(c) if float(c).is_integer() else c for c in cats]
            return codes.astype(np.int64), cats
        miss = np.isnan(vf)
    else:
        miss = pd.isna(v)
    codes, uniq = pd.factorize(pd.Series(v, dtype=object if v.dtype.kind not in "biuf" else float), sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    codes[miss] = -1
    uniq = list(uniq)
    if categories is None:
        try:
            order = sorted(range(len(uniq)), key=lambda i: uniq[i])
        except TypeError as exc:
            raise TypeError(
                f"the labels in {name} cannot be ordered ({exc}); pass categories=[...] to fix their order."
            ) from None
        cats = [uniq[i] for i in order]
        pos = np.empty(len(uniq), dtype=np.int64)
        pos[np.asarray(order, dtype=np.int64)] = np.arange(len(uniq))
    else:
        cats = list(categories)
        if len(set(map(_hashable, cats))) != len(cats):
            raise ValueError(f"categories has duplicated entries: {cats!r}. List every category once.")
        lookup = {_hashable(c): i for i, c in enumerate(cats)}
        pos = np.empty(len(uniq), dtype=np.int64)
        for i, u in enumerate(uniq):
            key = _hashable(u)
            if key not in lookup:
                raise ValueError(
                    f"{name} holds the value {plain(u)!r}, which is not in categories={cats!r}. "
                    "Add it to categories or recode the data."
                )
            pos[i] = lookup[key]
    out = np.where(codes >= 0, pos[np.maximum(codes, 0)] if len(uniq) else -1, -1)
    return out.astype(np.int64), cats


def _hashable(x):
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return int(x)
    if isinstance(x, np.generic):
        return x.item()
    return x


def _weight_matrix(weights, q: int, name: str = "weights") -> np.ndarray:
    """Agreement weights ``w_kl`` (1 on the diagonal) for ``q`` ordered categories.

    ``None``: identity; ``"linear"``: ``1 - |k-l|/(q-1)``; ``"quadratic"``:
    ``1 - (k-l)^2/(q-1)^2`` (positions of the categories in their ordered set);
    or a ``q x q`` matrix of agreement weights.
    """
    if weights is None:
        return np.eye(q)
    if isinstance(weights, str):
        check_choice(weights, ("linear", "quadratic"), name)
        if q < 2:
            return np.ones((q, q))
        d = np.abs(np.subtract.outer(np.arange(q), np.arange(q))) / (q - 1.0)
        return 1.0 - (d if weights == "linear" else d**2)
    w = np.asarray(weights, dtype=float)
    if w.shape != (q, q):
        raise ValueError(
            f"{name} must be None, 'linear', 'quadratic' or a {q} x {q} matrix (one row and column per "
            f"category); got shape {w.shape}."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0) or np.any(w > 1) or not np.allclose(np.diag(w), 1.0):
        raise ValueError(
            f"{name} must be a matrix of agreement weights in [0, 1] with 1 on the diagonal (full credit for "
            "identical ratings). To use disagreement weights d, pass 1 - d / d.max()."
        )
    return w


def _normal_ci(value, se, level):
    z = stats.norm.ppf(0.5 + level / 2.0)
    return value - z * se, value + z * se


def _bounded_interval(value, lo, hi, low, high, what):
    """Truncate the interval ``(lo, hi)`` to the coefficient's range ``[low, high]``.

    A normal or t interval ``value +/- q se`` ignores that the coefficient cannot
    leave its range (percent agreement: [0, 1]; kappa-type coefficients: at most
    1).  Returns ``(lo, hi, note)``; ``note`` says which end was truncated and how
    far the untruncated interval reached, and is empty when nothing was cut.  The
    range always contains ``value`` itself.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return lo, hi, ""
    if math.isfinite(value):
        low, high = min(low, value), max(high, value)
    cut = []
    if lo < low:
        cut.append(f"lower end {lo:.3f} raised to {low:.4g}")
        lo = low
    if hi > high:
        cut.append(f"upper end {hi:.3f} lowered to {high:.4g}")
        hi = high
    if not cut:
        return lo, hi, ""
    return lo, hi, (f"interval truncated to the range of {what} [{low:.4g}, {high:.4g}]: " + " and ".join(cut))


# ==========================================================================
# ICC
# ==========================================================================

_ICC_NAMES = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
_ICC_DESCRIPTIONS = (
    "Single rater, one-way random (McGraw & Wong ICC(1))",
    "Single rater, two-way random, absolute agreement (McGraw & Wong ICC(A,1))",
    "Single rater, two-way mixed, consistency (McGraw & Wong ICC(C,1))",
    "Mean of k raters, one-way random (McGraw & Wong ICC(k))",
    "Mean of k raters, two-way random, absolute agreement (McGraw & Wong ICC(A,k))",
    "Mean of k raters, two-way mixed, consistency (McGraw & Wong ICC(C,k))",
)


def _icc_from_mean_squares(msb, msw, msj, mse, n, k, level):
    """The six Shrout & Fleiss ICCs, F tests and intervals from the mean squares.

    ``msb`` targets, ``msw`` within targets (one-way), ``msj`` raters, ``mse``
    residual; ``n`` targets, ``k`` raters.  Formulas: Shrout & Fleiss (1979),
    McGraw & Wong (1996) Table 7 (intervals; Satterthwaite df for ICC2).
    """
    a = (1.0 - level) / 2.0
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    icc1k = (msb - msw) / msb
    icc2k = (msb - mse) / (msb + (msj - mse) / n)
    icc3k = (msb - mse) / msb
    f1 = msb / msw
    f2 = msb / mse
    df1n, df1d = n - 1, n * (k - 1)
    df2n, df2d = n - 1, (n - 1) * (k - 1)
    p1 = _f_sf(f1, df1n, df1d)
    p2 = _f_sf(f2, df2n, df2d)
    f1l = f1 / _f_ppf(1 - a, df1n, df1d)
    f1u = f1 * _f_ppf(1 - a, df1d, df1n)
    f3l = f2 / _f_ppf(1 - a, df2n, df2d)
    f3u = f2 * _f_ppf(1 - a, df2d, df2n)
    lo1, hi1 = (f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1)
    lo3, hi3 = (f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1)
    lo1k, hi1k = 1 - 1 / f1l, 1 - 1 / f1u
    lo3k, hi3k = 1 - 1 / f3l, 1 - 1 / f3u
    # ICC(A,1): Satterthwaite degrees of freedom (McGraw & Wong 1996, Table 7)
    fj = msj / mse
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    fu = _f_ppf(1 - a, n - 1, v)
    fl = _f_ppf(1 - a, v, n - 1)
    c = k * msj + (k * n - k - n) * mse
    lo2 = n * (msb - fu * mse) / (fu * c + n * msb)
    hi2 = n * (fl * msb - mse) / (c + n * fl * msb)
    # Spearman-Brown step-up to k raters, increasing on (-1/(k-1), 1]; a single-rater limit at or below
    # -1/(k-1) (possible for ICC2 when MSC < MSE) maps to no finite lower limit (it would wrap above 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo2k = lo2 * k / (1 + lo2 * (k - 1)) if 1 + lo2 * (k - 1) > 0 else -math.inf
        hi2k = hi2 * k / (1 + hi2 * (k - 1)) if 1 + hi2 * (k - 1) > 0 else -math.inf
    if not msb + (msj - mse) / n > 0:
        # the estimated variance of the k-rater mean, MSR + (MSC - MSE)/n, is not positive: ICC2k undefined
        icc2k = lo2k = hi2k = math.nan
    out = pd.DataFrame(
        {
            "description": list(_ICC_DESCRIPTIONS),
            "icc": [icc1, icc2, icc3, icc1k, icc2k, icc3k],
            "F": [f1, f2, f2, f1, f2, f2],
            "df1": np.array([df1n, df2n, df2n, df1n, df2n, df2n], dtype=float),
            "df2": np.array([df1d, df2d, df2d, df1d, df2d, df2d], dtype=float),
            "pval": [p1, p2, p2, p1, p2, p2],
            "ci_low": [lo1, lo2, lo3, lo1k, lo2k, lo3k],
            "ci_high": [hi1, hi2, hi3, hi1k, hi2k, hi3k],
        },
        index=pd.Index(_ICC_NAMES, name="type"),
    )
    return out


def _f_sf(x, dfn, dfd):
    """``scipy.stats.f.sf(x, dfn, dfd)`` for scalars: the same special function and the same answers outside
    its domain (NaN for bad degrees of freedom or ``x``, 1 at or below 0, 0 at infinity), without the
    distribution wrapper's overhead (a fifth of a millisecond a call)."""
    x, dfn, dfd = np.float64(x), np.float64(dfn), np.float64(dfd)
    if not (dfn > 0 and dfd > 0) or np.isnan(x):
        return np.float64(np.nan)
    if x <= 0:
        return np.float64(1.0)
    if x == np.inf:
        return np.float64(0.0)
    return special.fdtrc(dfn, dfd, x)


def _f_ppf(q, dfn, dfd):
    """``scipy.stats.f.ppf(q, dfn, dfd)`` for scalars, as :func:`_f_sf` (0 at ``q = 0``, inf at ``q = 1``)."""
    q, dfn, dfd = np.float64(q), np.float64(dfn), np.float64(dfd)
    if not (dfn > 0 and dfd > 0):
        return np.float64(np.nan)
    if q == 0:
        return np.float64(0.0)
    if q == 1:
        return np.float64(np.inf)
    if not 0 < q < 1:
        return np.float64(np.nan)
    return special.fdtri(dfn, dfd, q) * 1 + 0  # the wrapper's scale and location (turns -0.0 into 0.0)


def _icc_r0_tests(out, msb, msw, msj, mse, n, k, r0):
    """Replace the F tests of ``out`` by tests of H0: ICC = r0 (McGraw & Wong 1996, Table 8; as irr::icc)."""
    f1 = msb / msw
    f3 = msb / mse
    out.loc["ICC1", "F"] = f1 * (1 - r0) / (1 + (k - 1) * r0)
    out.loc["ICC1k", "F"] = f1 * (1 - r0)
    out.loc["ICC3", "F"] = f3 * (1 - r0) / (1 + (k - 1) * r0)
    out.loc["ICC3k", "F"] = f3 * (1 - r0)
    for name, m in (("ICC2", k), ("ICC2k", 1)):
        a = m * r0 / (n * (1 - r0))
        b = 1 + m * r0 * (n - 1) / (n * (1 - r0))
        out.loc[name, "F"] = msb / (a * msj + b * mse)
        # Satterthwaite df as irr::icc computes them: k and the form's estimated ICC (for ICC2k too)
        rho = out.loc[name, "icc"]
        a = k * rho / (n * (1 - rho))
        b = 1 + k * rho * (n - 1) / (n * (1 - rho))
        out.loc[name, "df2"] = (a * msj + b * mse) ** 2 / ((a * msj) ** 2 / (k - 1)
                                                          + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    out["pval"] = stats.f.sf(out["F"].to_numpy(), out["df1"].to_numpy(), out["df2"].to_numpy())


def _reml_crossed(y, ti, rj, n_t, n_r):
    """REML variance components of ``y = mu + a_target + b_rater + e`` (crossed random effects).

    The G-study REML engine (:mod:`psikometri._reml`, the one engine for every
    random-effects fit of the package) with the targets as the blocked factor
    and the raters as the border; it equals ``lme4::lmer(y ~ 1 + (1 | target)
    + (1 | rater), REML = TRUE)``.  Returns ``(var_target, var_rater, var_error)``.
    """
    from ._reml import fit_reml

    codes = np.column_stack([np.asarray(ti, dtype=np.int64), np.asarray(rj, dtype=np.int64)])
    fit = fit_reml(np.asarray(y, dtype=np.float64), codes, np.array([int(n_t), int(n_r)]), [(0,), (1,)])
    va, vb, ve = (float(v) for v in fit.variances)
    return va, vb, ve


#: fewest clusters for which icc reports a cluster-bootstrap interval
MIN_CLUSTERS = 5


def _icc_values(msb, msw, msj, mse, n, k) -> np.ndarray:
    """The six ICCs (columns ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k) from arrays of mean squares."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.column_stack([
            (msb - msw) / (msb + (k - 1) * msw),
            (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n),
            (msb - mse) / (msb + (k - 1) * mse),
            (msb - msw) / msb,
            (msb - mse) / (msb + (msj - mse) / n),
            (msb - mse) / msb,
        ])


def _cluster_codes(clusters, keep: np.ndarray, df: pd.DataFrame, targets) -> np.ndarray:
    """Dense integer cluster code of each analysed target (rows of the table where ``keep``).

    Long data (``targets`` given): ``clusters`` is a column name or one value per row of ``df``, and every
    target must lie in one cluster.  Wide data: one value per row of the table.  Codes are positional
    (sorted ids, as the table's rows), so a repeated index never matters.
    """
    if targets is not None:
        if isinstance(clusters, str) or (np.ndim(clusters) == 0 and clusters in df.columns):
            check_columns(df, [clusters], "data")
            col = df[clusters]
        else:
            col = _cluster_values(clusters, df.index, "data")
        tc, tu = sorted_codes(df[targets])
        cc, _ = sorted_codes(col)
        if (cc < 0).any():
            pos = int(np.flatnonzero(cc < 0)[0])
            raise ValueError(f"clusters is missing at row {plain(df.index[pos])!r} of data; give every rating's target "
                             "a cluster.")
        per_target = np.full(len(tu), -1, dtype=np.int64)
        per_target[tc] = cc
        bad = np.flatnonzero(per_target[tc] != cc)
        if len(bad):
            name = clusters if isinstance(clusters, str) else "clusters"
            raise ValueError(
                f"target {plain(df[targets].iloc[int(bad[0])])!r} lies in more than one cluster of {name!r}; each "
                "target must belong to one cluster (e.g. cells within one candidate)."
            )
        codes = per_target
    else:
        if isinstance(clusters, str):
            raise ValueError(
                f"clusters={clusters!r} names a column, which needs long-format data (targets=, raters=, "
                "ratings=); for a wide table pass one cluster value per row instead."
            )
        codes, _ = sorted_codes(_cluster_values(clusters, df.index, "data"))
        if (codes < 0).any():
            raise ValueError(f"clusters is missing for row {int(np.flatnonzero(codes < 0)[0])} (position) of "
                             "data; give every target a cluster.")
    return pd.factorize(np.asarray(codes)[keep], sort=True)[0].astype(np.int64)


def _cluster_values(clusters, index: pd.Index, name: str) -> pd.Series:
    """One cluster value per row of ``name`` (whose index is ``index``), as a positional Series.

    A Series is aligned on its index when that index holds the same labels as the data's (in any order);
    arrays and lists are taken in row order."""
    if isinstance(clusters, (dict, set, frozenset)) or (hasattr(clusters, "__next__")):
        raise TypeError(f"clusters must be a column name, a Series or an array with one value per row of {name}; "
                        f"got a {type(clusters).__name__}.")
    if isinstance(clusters, pd.DataFrame):
        raise ValueError(f"clusters must be one-dimensional (one value per row of {name}); got a DataFrame with "
                         f"{clusters.shape[1]} column(s). Pass one of its columns.")
    if isinstance(clusters, pd.Series):
        if len(clusters) == len(index) and not clusters.index.equals(index):
            if clusters.index.has_duplicates or index.has_duplicates or set(clusters.index) != set(index):
                raise ValueError(
                    f"clusters is a Series whose index does not match the rows of {name}; pass it with the same "
                    "index (e.g. clusters=data['candidate']) or as an array in row order (clusters.to_numpy())."
                )
            clusters = clusters.reindex(index)
        vals = pd.Series(clusters.to_numpy())
    else:
        if isinstance(clusters, np.ndarray) and clusters.dtype.kind == "i":
            arr = clusters  # integer codes: coded as they are (as objects they would be turned back into integers)
        else:
            arr = clusters.to_numpy() if isinstance(clusters, pd.Index) else np.asarray(clusters, dtype=object)
        if arr.ndim != 1:
            raise ValueError(f"clusters must be one-dimensional (one value per row of {name}); got an array of "
                             f"shape {arr.shape}.")
        vals = pd.Series(arr)
    if len(vals) != len(index):
        raise ValueError(
            f"clusters must hold one value per row of {name} ({len(index)} rows); got {len(vals)}. Pass e.g. the "
            "candidate of each cell."
        )
    return vals


def _icc_cluster_bootstrap(x, codes, n_boot, seed, level, method):
    """Percentile intervals of the six ICCs over resamples of clusters of targets (rows of ``x``).

    Complete tables (ANOVA): each replicate's mean squares come from per-cluster sums weighted by the
    replicate's multinomial counts, exactly as the ANOVA of the resampled table.  Incomplete tables: each
    replicate is refitted by REML on its resampled rows.
    """
    n, k = x.shape
    n_cl = int(codes.max()) + 1
    counts = _cluster_counts(n_cl, n_boot, seed)
    if method == "anova":
        xc = x - x.mean()
        rs = xc.sum(axis=1)
        agg = np.zeros((n_cl, 4 + k))
        np.add.at(agg, codes, np.column_stack([np.ones(n), rs, rs * rs, (xc * xc).sum(axis=1), xc]))
        s = counts @ agg  # (n_boot, 4 + k): targets, total, sum of squared row sums, sum of squares, column sums
        nt, tot, rr, q, cols = s[:, 0], s[:, 1], s[:, 2], s[:, 3], s[:, 4:]
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = tot * tot / (nt * k)
            sst = q - corr
            ssr = rr / k - corr
            ssc = (cols * cols).sum(axis=1) / nt - corr
            sse = sst - ssr - ssc
            msb = ssr / (nt - 1)
            msj = ssc / (k - 1)
            mse = sse / ((nt - 1) * (k - 1))
            msw = (ssc + sse) / (nt * (k - 1))
        vals = _icc_values(msb, msw, msj, mse, nt, k)
        # a resample of a single distinct target has no between-target variance: undefined, not a floor value
        distinct = (counts > 0).astype(np.float64) @ agg[:, 0]
        vals[distinct < 2] = np.nan
    else:
        order = np.argsort(codes, kind="stable")
        starts = np.searchsorted(codes[order], np.arange(n_cl + 1))
        vals = np.full((n_boot, 6), np.nan)
        sizes_cl = np.diff(starts)
        for b in range(n_boot):
            if float((counts[b] > 0) @ sizes_cl) < 2:  # a single distinct target: undefined
                continue
            rows = np.concatenate([np.tile(order[starts[c]:starts[c + 1]], int(w))
                                   for c, w in enumerate(counts[b]) if w])
            xb = x[rows]
            obs = ~np.isnan(xb)
            if (obs.sum(axis=0) == 0).any() or np.ptp(xb[obs]) == 0:
                continue
            ti, rj = np.nonzero(obs)
            nb = xb.shape[0]
            va, vb, ve = _reml_crossed(xb[obs], ti.astype(np.int64), rj.astype(np.int64), nb, k)
            vals[b] = _icc_values(np.array([k * va + ve]), np.array([ve + vb]), np.array([nb * vb + ve]),
                                  np.array([ve]), nb, k)[0]
    lo = np.full(6, np.nan)
    hi = np.full(6, np.nan)
    fin = np.isfinite(vals)
    whole = fin.all(axis=0) if n_boot >= 2 else np.zeros(6, dtype=bool)
    if whole.any():  # every replicate usable: the quantiles of these forms in one call (the same numbers)
        a = (1.0 - level) / 2.0
        q = np.quantile(vals[:, whole], [a, 1.0 - a], axis=0)
        lo[whole], hi[whole] = q[0], q[1]
    for j in np.flatnonzero(~whole):
        if fin[:, j].sum() >= n_boot / 2:
            lo[j], hi[j] = percentile_interval(vals[:, j], level)
    return lo, hi, int(fin[:, 0].sum()), n_cl


#: the last resample counts drawn by :func:`_cluster_counts`, by (clusters, resamples, seed)
_LAST_COUNTS: dict = {}


def _cluster_counts(n_cl: int, n_boot: int, seed: int) -> np.ndarray:
    """``bootstrap_counts(n_cl, n_boot, seed)`` as float64 (read-only), kept for a next call with the same
    arguments: a report asks for the resamples of the same candidates once for all cells and once per exercise.
    Only tables up to 8 MB are kept, and only the last one."""
    key = (int(n_cl), int(n_boot), int(seed))
    counts = _LAST_COUNTS.get(key)
    if counts is None:
        counts = bootstrap_counts(n_cl, n_boot, seed).astype(np.float64)
        counts.flags.writeable = False
        _LAST_COUNTS.clear()
        if counts.nbytes <= 8 * 2**20:
            _LAST_COUNTS[key] = counts
    return counts


@validates_seed
@single_threaded_blas
def icc(data, *, targets=None, raters=None, ratings=None, level=0.95, missing="raise", clusters=None, n_boot=0,
        seed=None, r0=0.0) -> pd.DataFrame:
    r"""Intraclass correlations: the six forms of Shrout & Fleiss (1979).

    Parameters
    ----------
    data : pandas.DataFrame
        Long format (one row per rating) when ``targets``, ``raters`` and
        ``ratings`` name its columns; otherwise a wide table with one row per
        target (candidate) and one column per rater.
    targets, raters, ratings : str, optional
        Column names of the long format.
    level : float
        Confidence level of the intervals.
    missing : {"raise", "reml", "omit"}
        ``"raise"``: missing ratings are an error (the ANOVA estimators need a
        complete targets x raters table).  ``"reml"``: variance components of
        the crossed random model ``x_ij = mu + a_i + b_j + e_ij`` are estimated
        by REML from all available ratings and turned into expected mean
        squares as R ``psych::ICC(lmer = TRUE)`` does.  ``"omit"``: targets
        with a missing rating are dropped and the rest analysed by ANOVA
        (pingouin's ``nan_policy="omit"``; R ``irr::icc`` does the same);
        ``attrs["n_omitted"]`` counts them.  A complete table is analysed by
        ANOVA in every case.
    clusters : str or array-like, optional
        Groups of targets that are not independent, e.g. the candidate of
        each cell when the targets are candidate x competency x exercise
        cells: a column name of long data, or one value per row of a wide
        table.  Used by the cluster bootstrap (``n_boot > 0``); without it
        each target is its own cluster.
    n_boot : int, default 0
        Bootstrap resamples of clusters for percentile intervals
        ``boot_ci_low`` / ``boot_ci_high`` (0: none).  The F-based intervals
        assume independent targets; when targets share a candidate or an
        assessor they are too narrow, and the cluster bootstrap is the
        honest interval.  With fewer than 5 clusters no bootstrap interval
        is given (NaN, said in ``attrs["note"]``); resamples holding a single
        distinct target are dropped (``attrs["n_boot_used"]``).
    seed : None, int or numpy.random.Generator
        Seed of the bootstrap.
    r0 : float, default 0
        The value of the ICC under the null hypothesis of the F tests
        (``F``, ``df1``, ``df2``, ``pval``): H0: ICC = r0, one-sided against
        ICC > r0, for each of the six forms (McGraw & Wong 1996, Table 8).
        ``0 <= r0 < 1``.

    Returns
    -------
    pandas.DataFrame
        Index ``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k``; columns
        ``description`` (with the McGraw & Wong 1996 name), ``icc``, ``F``,
        ``df1``, ``df2``, ``pval``, ``ci_low``, ``ci_high`` (and with
        ``n_boot > 0`` ``boot_ci_low``, ``boot_ci_high``).  ``attrs`` holds
        ``n_targets``, ``n_raters``, ``method`` ("anova" or "reml"),
        ``level``, ``r0``, ``n_omitted`` (targets dropped by
        ``missing="omit"``), the ``mean_squares`` and, with a bootstrap, ``n_boot``,
        ``n_boot_used`` and ``n_clusters``.

    Notes
    -----
    With ``n`` targets, ``k`` raters, mean squares for targets ``MSR``,
    raters ``MSC``, residual ``MSE`` and within targets
    ``MSW = (SSC + SSE) / (n (k - 1))``:

    .. math::

        ICC1 = \frac{MSR - MSW}{MSR + (k-1) MSW},\quad
        ICC2 = \frac{MSR - MSE}{MSR + (k-1) MSE + k (MSC - MSE)/n},\quad
        ICC3 = \frac{MSR - MSE}{MSR + (k-1) MSE}

    and the average-measure forms ``ICC1k = (MSR - MSW)/MSR``,
    ``ICC2k = (MSR - MSE)/(MSR + (MSC - MSE)/n)``, ``ICC3k = (MSR - MSE)/MSR``.
    F tests: ``MSR/MSW`` on ``(n-1, n(k-1))`` df for ICC1/ICC1k and
    ``MSR/MSE`` on ``(n-1, (n-1)(k-1))`` df otherwise.  Intervals follow
    McGraw & Wong (1996, Table 7), with Satterthwaite degrees of freedom for
    ICC2/ICC2k.  Tests of H0: ICC = r0 (McGraw & Wong 1996, Table 8):
    ``F = MSR/MSW (1-r0)/(1+(k-1)r0)`` (ICC1), ``MSR/MSW (1-r0)`` (ICC1k),
    ``MSR/MSE (1-r0)/(1+(k-1)r0)`` (ICC3), ``MSR/MSE (1-r0)`` (ICC3k), on
    the df above, and for the absolute-agreement forms
    ``F = MSR/(a MSC + b MSE)`` with ``a = k r0/(n(1-r0))``,
    ``b = 1 + k r0 (n-1)/(n(1-r0))`` (ICC2; ICC2k: ``r0`` in place of
    ``k r0``) on ``n-1`` and Satterthwaite
    ``v = (a'MSC + b'MSE)^2/((a'MSC)^2/(k-1) + (b'MSE)^2/((n-1)(k-1)))`` df,
    where ``a', b'`` are ICC2's ``a, b`` with the estimated ICC of the form
    (ICC2 or ICC2k) in place of ``r0`` (the computation of
    ``irr::icc(r0 = )``, which this matches for every form and ``r0 > 0``).  With ``r0 = 0`` the absolute-agreement
    tests are the exact ``MSR/MSE`` tests on ``(n-1)(k-1)`` df of
    ``psych::ICC`` (``irr::icc`` reports Satterthwaite df there as well).
    When ICC2's lower limit is at or below ``-1/(k-1)`` (small
    samples with ``MSC < MSE``) ICC2k's lower limit is ``-inf`` (the step-up
    formula would wrap it above 1, as psych's does) and ``attrs["note"]`` says
    so.  When ``MSR + (MSC - MSE)/n`` is not positive ICC2k is NaN (psych
    reports a value above 1) and the note says why.  Matches R ``psych::ICC`` (``lmer = FALSE`` for complete data,
    ``lmer = TRUE`` with ``missing = "reml"``) to rounding error (REML: to
    the optimiser's tolerance).  Targets without any rating are dropped
    (``psych`` would still count them in ``n``).

    With ``missing="reml"`` the REML components
    :math:`\hat\sigma^2_t, \hat\sigma^2_r, \hat\sigma^2_e` become
    :math:`MSR = k\hat\sigma^2_t + \hat\sigma^2_e`,
    :math:`MSC = n\hat\sigma^2_r + \hat\sigma^2_e`,
    :math:`MSE = \hat\sigma^2_e`, :math:`MSW = \hat\sigma^2_r + \hat\sigma^2_e`
    in the formulas above (the expected mean squares of the complete design).

    **Cluster bootstrap.** Clusters are drawn with replacement and every
    target of a drawn cluster enters the replicate as often as its cluster
    was drawn; the ICCs are recomputed with the same estimator as the point
    estimate (ANOVA from count-weighted per-cluster sums, which equals the
    ANOVA of the resampled table; REML refitted on the resampled rows) and
    the percentile interval is reported (Field & Welsh 2007).  Replicates in
    which the ICC is undefined are dropped (``n_boot_used``); with fewer
    than half usable the interval is NaN.  Resampling clusters of targets
    keeps their dependence; raters crossed with clusters (assessors who
    rate many candidates) are not resampled, so the interval is still
    conditional on the raters' leniencies.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in
    assessing rater reliability. Psychological Bulletin, 86, 420-428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some
    intraclass correlation coefficients. Psychological Methods, 1, 30-46.
    Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear
    mixed-effects models using lme4. Journal of Statistical Software, 67(1).
    Field, C. A., & Welsh, A. H. (2007). Bootstrapping clustered data.
    Journal of the Royal Statistical Society B, 69, 369-390.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import icc
    >>> sf = pd.DataFrame({"j1": [9, 6, 8, 7, 10, 6], "j2": [2, 1, 4, 1, 5, 2],
    ...                    "j3": [5, 3, 6, 2, 6, 4], "j4": [8, 2, 8, 6, 9, 7]})
    >>> icc(sf)["icc"].round(2).tolist()
    [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    """
    level = check_level(level)
    check_choice(missing, ("raise", "reml", "omit"), "missing")
    if isinstance(r0, (bool, np.bool_)) or not isinstance(r0, numbers.Real) or not 0.0 <= float(r0) < 1.0:
        raise ValueError(f"r0 must be a number in [0, 1) (the ICC under the null hypothesis); got r0={r0!r}.")
    r0 = float(r0)
    df = check_dataframe(data, "data")
    if (isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0
            or n_boot == 1 or n_boot > 1_000_000):
        raise ValueError(f"n_boot must be 0 (no bootstrap) or an integer from 2 to 1,000,000; got n_boot={n_boot!r}. "
                         "Use e.g. n_boot=1000.")
    if all(v is None for v in (targets, raters, ratings)):
        wide = _wide_numeric(df, "data")
    else:
        wide = _wide_or_long(df, targets, raters, ratings, numeric=True)
    x_all = wide.to_numpy(dtype=np.float64)
    nan_all = np.isnan(x_all)
    keep = ~nan_all.all(axis=1)
    n_omitted = 0
    if missing == "omit":
        complete = ~nan_all.any(axis=1)
        n_omitted = int((keep & ~complete).sum())
        keep = complete
    codes = None
    if n_boot:
        codes = (np.arange(len(wide), dtype=np.int64) if clusters is None
                 else _cluster_codes(clusters, keep, df, targets))
    elif clusters is not None:
        raise ValueError("clusters is only used by the bootstrap; pass n_boot > 0 (e.g. n_boot=1000) with it.")
    x = np.ascontiguousarray(x_all[keep])
    _need_raters_units(x, "data")
    n, k = x.shape
    nan = np.isnan(x)
    if nan.any():
        if missing == "raise":
            r, c = np.argwhere(nan)[0]
            raise ValueError(
                f"data has {int(nan.sum())} missing rating(s), e.g. target {plain(wide.index[keep][r])!r}, rater "
                f"{plain(wide.columns[c])!r}. Use missing='reml' (variance components from all ratings, as "
                "psych::ICC with lmer) or missing='omit' (drop the incomplete targets)."
            )
        obs = ~nan
        if (obs.sum(axis=0) == 0).any():
            c = int(np.flatnonzero(obs.sum(axis=0) == 0)[0])
            raise ValueError(f"rater {plain(wide.columns[c])!r} has no rating at all; drop that column.")
        vals = x[obs]
        if np.ptp(vals) == 0:
            raise ValueError("data is constant (every rating is the same); the ICC is undefined.")
        ti, rj = np.nonzero(obs)
        va, vb, ve = _reml_crossed(vals, ti.astype(np.int64), rj.astype(np.int64), n, k)
        msb = k * va + ve
        msj = n * vb + ve
        mse = ve
        msw = ve + vb
        method = "reml"
        comps = {"target": va, "rater": vb, "residual": ve}
    else:
        ssr, ssc, sse, sst = _kernels().icc_sums_of_squares(x)
        if sst == 0:
            raise ValueError("data is constant (every rating is the same); the ICC is undefined.")
        msb = ssr / (n - 1)
        msj = ssc / (k - 1)
        mse = sse / ((n - 1) * (k - 1))
        msw = (ssc + sse) / (n * (k - 1))
        method = "anova"
        comps = {"target": (msb - mse) / k, "rater": (msj - mse) / n, "residual": mse}
    scale = max(msb, msj, msw, mse)
    note = ""
    if mse <= 1e-13 * scale:
        # raters agree perfectly up to constants: F is infinite, intervals degenerate
        mse = 0.0
        if msw <= 1e-13 * scale:
            msw = 0.0
        note = "the residual variance is zero (raters agree up to constants); F is infinite"
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _icc_from_mean_squares(*(np.float64(v) for v in (msb, msw, msj, mse)), n, k, level)
        if r0 > 0:
            _icc_r0_tests(out, *(np.float64(v) for v in (msb, msw, msj, mse)), n, k, r0)
    if not msb + (msj - mse) / n > 0:
        note = "; ".join(v for v in (note, (
            "ICC2k is undefined: MSR + (MSC - MSE)/n is not positive (the raters differ less than the residual "
            "and the targets hardly at all)"
        )) if v)
    elif out.loc["ICC2k", "ci_low"] == -math.inf:
        note = "; ".join(v for v in (note, (
            f"ICC2's lower limit {out.loc['ICC2', 'ci_low']:.3f} is at or below -1/(k-1) = {-1 / (k - 1):.3f}, "
            "so ICC2k has no finite lower limit (-inf)"
        )) if v)
    if note:
        perfect = np.isinf(out["F"]) & np.isclose(out["icc"], 1.0, rtol=0, atol=1e-12)
        out.loc[perfect, ["ci_low", "ci_high"]] = 1.0
        out.loc[np.isinf(out["F"]), "pval"] = 0.0
    out.attrs.update(
        n_targets=int(n), n_raters=int(k), method=method, level=level, r0=r0, n_omitted=n_omitted,
        mean_squares={"targets": float(msb), "within": float(msw), "raters": float(msj), "residual": float(mse)},
        variance_components={kk: float(v) for kk, v in comps.items()}, note=note,
    )
    if n_boot:
        n_cl = int(codes.max()) + 1 if len(codes) else 0
        if n_cl < MIN_CLUSTERS:
            # too few clusters for a resampling distribution: no interval, said in the note
            lo = hi = np.full(6, np.nan)
            used = 0
            boot_note = (f"{n_cl} cluster(s): a cluster bootstrap needs at least {MIN_CLUSTERS}; no bootstrap "
                         "interval")
            out.attrs["note"] = "; ".join(x for x in (out.attrs.get("note", ""), boot_note) if x)
        else:
            lo, hi, used, n_cl = _icc_cluster_bootstrap(x, codes, int(n_boot), resolve_seed(seed), level, method)
        out["boot_ci_low"] = lo
        out["boot_ci_high"] = hi
        out.attrs.update(n_boot=int(n_boot), n_boot_used=used, n_clusters=n_cl)
    return out


# ==========================================================================
# Cohen's kappa
# ==========================================================================


def _as_1d(x, name):
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise ValueError(f"{name} must be one column of ratings; got a DataFrame with {x.shape[1]} columns.")
        x = x.iloc[:, 0]
    arr = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one rating per unit); got shape {arr.shape}.")
    return arr


def _kappa_from_table(table: np.ndarray, w: np.ndarray, level: float):
    """Weighted kappa and its Fleiss-Cohen-Everitt (1969) standard errors from a count table."""
    n = table.sum()
    p = table / n
    pr = p.sum(axis=1)
    pc = p.sum(axis=0)
    po = float((w * p).sum())
    pe = float(pr @ w @ pc)
    if pe >= 1.0:
        return math.nan, math.nan, math.nan, po, pe
    kap = (po - pe) / (1.0 - pe)
    wr = w @ pc  # w-bar_i.
    wc = pr @ w  # w-bar_.j
    t = w - (wr[:, None] + wc[None, :]) * (1.0 - kap)
    var = ((p * t**2).sum() - (kap - pe * (1.0 - kap)) ** 2) / (n * (1.0 - pe) ** 2)
    t0 = w - (wr[:, None] + wc[None, :])
    var0 = ((np.outer(pr, pc) * t0**2).sum() - pe**2) / (n * (1.0 - pe) ** 2)
    return kap, math.sqrt(max(var, 0.0)), math.sqrt(max(var0, 0.0)), po, pe


def cohen_kappa(rater_a=None, rater_b=None, *, table=None, weights=None, categories=None, level=0.95) -> Estimate:
    r"""Cohen's kappa (weighted or not) for two raters, with Fleiss-Cohen-Everitt standard errors.

    Parameters
    ----------
    rater_a, rater_b : array-like, optional
        The two raters' ratings of the same units (numbers or labels, ``NaN``
        / ``None`` = missing; units missing in either are dropped).  Leave
        both out when ``table`` is given.
    table : pandas.DataFrame or square 2-D array, optional
        Instead of the ratings: the ``q x q`` contingency table of the two
        raters (rows = rater_a's category, columns = rater_b's), counts of
        units (non-negative, finite; fractional counts such as survey weights
        are accepted and their sum is taken as ``n``).  The rows and columns
        are the categories in the order given: the labels of a DataFrame
        whose index equals its columns, else ``categories``, else
        ``0 .. q-1``; linear and quadratic weights follow this order.
    weights : None, "linear", "quadratic" or square array
        ``None``: unweighted kappa.  ``"linear"``: agreement weights
        ``1 - |i-j|/(q-1)``; ``"quadratic"``: ``1 - (i-j)^2/(q-1)^2``, where
        ``i, j`` are the positions of the categories in their ordered set (as
        R irr/psych and scikit-learn do).  A matrix gives agreement weights
        directly (1 on the diagonal).  Linear and quadratic weights need
        ordered categories: numbers, ``categories=[...]`` or an ordered pandas
        Categorical; text labels without a stated order are an error.
    categories : sequence, optional
        The ordered category set; by default the categories of a pandas
        categorical input, else the sorted union of the observed categories
        (as R ``irr::kappa2``).  With ``table``: the labels of its rows and
        columns, one per row.
    level : float
        Confidence level.

    Returns
    -------
    Estimate
        ``value`` = kappa, ``se`` the large-sample (non-null) standard error of
        Fleiss, Cohen & Everitt (1969) and the normal interval from it,
        truncated to kappa's range [-1, 1] (``note`` says when it was).
        ``extra``: ``se0`` (standard error under kappa = 0), ``z`` and
        ``pval`` (two-sided test of kappa = 0), ``po``, ``pe``,
        ``categories``, ``table`` (confusion counts, rows = rater_a).

    Notes
    -----
    With cell proportions :math:`p_{ij}`, margins :math:`p_{i.}, p_{.j}` and
    agreement weights :math:`w_{ij}`:

    .. math::

        p_o = \sum_{ij} w_{ij} p_{ij},\quad p_e = \sum_{ij} w_{ij} p_{i.} p_{.j},\quad
        \kappa_w = \frac{p_o - p_e}{1 - p_e},

        \widehat{var}(\kappa_w) = \frac{\sum_{ij} p_{ij}[w_{ij} - (\bar w_{i.} + \bar w_{.j})(1-\kappa_w)]^2
        - [\kappa_w - p_e(1-\kappa_w)]^2}{n (1-p_e)^2}

    with :math:`\bar w_{i.} = \sum_j p_{.j} w_{ij}`, :math:`\bar w_{.j} = \sum_i p_{i.} w_{ij}`.
    Matches R ``vcd::Kappa`` (value and ASE), ``psych::cohen.kappa`` (values;
    the unweighted variance) and ``sklearn.metrics.cohen_kappa_score`` (value).
    ``psych::cohen.kappa`` (2.2.9) miscodes the weighted-kappa variance: for
    :math:`\bar w_{.j}` it computes ``rowSums(w * rs)``, i.e.
    :math:`p_{j.}\sum_k w_{jk}`, where the Fleiss-Cohen-Everitt formula used
    here and by ``vcd::Kappa`` needs :math:`\sum_i p_{i.} w_{ij}`; on irr's
    anxiety data (raters 1 and 2, quadratic weights) its variance is 0.462, 19
    times the correct 0.0247 (docs/cross_checks.md).  A
    ``table`` gives the same Estimate as the ratings it counts; it matches
    ``vcd::Kappa(table)`` (``weights="linear"``: its "Equal-Spacing" weights,
    ``"quadratic"``: its "Fleiss-Cohen" weights) and
    ``statsmodels.stats.inter_rater.cohens_kappa(table)`` (value).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational
    and Psychological Measurement, 20, 37-46.
    Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70, 213-220.
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard
    errors of kappa and weighted kappa. Psychological Bulletin, 72, 323-327.

    Examples
    --------
    >>> from psikometri.agreement import cohen_kappa
    >>> a = [1, 2, 3, 3, 2, 1, 4, 1, 2, 3]
    >>> b = [1, 2, 3, 3, 2, 2, 4, 1, 2, 4]
    >>> round(cohen_kappa(a, b).value, 3)
    0.73
    >>> round(cohen_kappa(a, b, weights="quadratic").value, 3)
    0.902
    >>> tab = [[2, 1, 0, 0], [0, 3, 0, 0], [0, 0, 2, 1], [0, 0, 0, 1]]  # the same ratings as a table
    >>> round(cohen_kappa(table=tab).value, 3)
    0.73
    """
    level = check_level(level)
    if table is not None:
        if rater_a is not None or rater_b is not None:
            raise ValueError("pass either the two raters' ratings (rater_a, rater_b) or table=, not both.")
        tab, cats = _square_table(table, categories)
        return _cohen_from_table(tab, cats, weights, True, level, "table")
    if rater_a is None or rater_b is None:
        raise ValueError("cohen_kappa needs the ratings of two raters (rater_a and rater_b) or a contingency "
                         "table (table=).")
    ordered = categories is not None or any(_order_given(r, None, None) for r in (rater_a, rater_b))
    if categories is None:
        # an ordered categorical fixes the category order (e.g. "rendah" < "sedang" < "tinggi")
        for r in (rater_a, rater_b):
            if isinstance(getattr(r, "dtype", None), pd.CategoricalDtype):
                categories = list(r.dtype.categories)
                break
    a = _as_1d(rater_a, "rater_a")
    b = _as_1d(rater_b, "rater_b")
    _reject_infinite_1d(rater_a, a, "rater_a")
    _reject_infinite_1d(rater_b, b, "rater_b")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"rater_a and rater_b must rate the same units; got {a.shape[0]} and {b.shape[0]} ratings."
        )
    numeric = a.dtype.kind in "biuf" and b.dtype.kind in "biuf"
    # units missing in either rating are dropped first (as irr::kappa2 does), so the default
    # category set is the union of the categories of the complete pairs
    if numeric:
        a = a.astype(float, copy=False) if a.dtype.kind == "b" else a
        b = b.astype(float, copy=False) if b.dtype.kind == "b" else b
        miss = (np.isnan(a) if a.dtype.kind == "f" else False) | (np.isnan(b) if b.dtype.kind == "f" else False)
    else:
        miss = pd.isna(a) | pd.isna(b)
    if np.any(miss):
        a, b = a[~miss], b[~miss]
    table = None
    if numeric and categories is None and a.shape[0] > 0:
        K = _kernels()
        oka, loa, hia, _ = K.integer_range(np.ascontiguousarray(a, dtype=float) if a.dtype.kind == "f" else a)
        okb, lob, hib, _ = K.integer_range(np.ascontiguousarray(b, dtype=float) if b.dtype.kind == "f" else b)
        lo, hi = min(loa, lob), max(hia, hib)
        if oka and okb and hi - lo < 512:
            full = K.offset_confusion(np.ascontiguousarray(a), np.ascontiguousarray(b), lo, int(hi - lo) + 1)
            present = (full.sum(axis=0) + full.sum(axis=1)) > 0
            table = np.ascontiguousarray(full[present][:, present])
            cats = [int(v) for v in (np.flatnonzero(present) + lo)]
    if table is None:
        both = np.concatenate([a, b]) if numeric else np.concatenate([a.astype(object), b.astype(object)])
        codes, cats = _encode_labels(both, categories, "rater_a/rater_b")
        ca, cb = codes[: a.shape[0]], codes[a.shape[0]:]
        table = _kernels().confusion_matrix(np.ascontiguousarray(ca), np.ascontiguousarray(cb), max(len(cats), 1))
    return _cohen_from_table(table, cats, weights, ordered, level, "rater_a/rater_b")


def _square_table(table, categories):
    """Validate a square contingency table; return ``(float counts, category labels)``."""
    if isinstance(table, pd.DataFrame):
        labels = list(table.index) if list(table.index) == list(table.columns) else None
        df = _wide_numeric(table, "table")
        arr = df.to_numpy()
    else:
        try:
            arr = np.asarray(table, dtype=float)
        except (TypeError, ValueError):
            raise TypeError("table must hold numbers (counts of units); got values that are not numbers. "
                            "Pass a q x q table of counts.") from None
        labels = None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"table must be a square q x q contingency table (rows = rater_a's category, columns = "
                         f"rater_b's); got shape {arr.shape}.")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"table must hold non-negative finite counts; row {int(r)}, column {int(c)} (positions) "
                         f"holds {plain(arr[r, c])!r}. Fix the count (0 for an empty cell).")
    q = arr.shape[0]
    if categories is not None:
        cats = list(categories)
        if len(cats) != q:
            raise ValueError(f"categories has {len(cats)} entries but table is {q} x {q}; give one label per "
                             "row (and column) of the table.")
    else:
        cats = labels if labels is not None else list(range(q))
    return np.ascontiguousarray(arr, dtype=float), cats


def _cohen_from_table(table, cats, weights, ordered, level, name):
    """The Cohen's kappa Estimate of a q x q count table (rows = rater_a) with category labels ``cats``."""
    q = len(cats)
    total = float(table.sum())
    n = int(total) if float(total).is_integer() else total
    if total < 2:
        raise ValueError(f"only {plain(total)} unit(s) rated by both raters; kappa needs at least 2.")
    if q < 2:
        raise ValueError(
            f"both raters used a single category ({cats!r}) and no other category was given; kappa is "
            "undefined. Pass categories=[...] with the full rating scale."
        )
    _check_weights_order(weights, cats, ordered, name)
    w = _weight_matrix(weights, q)
    kap, se, se0, po, pe = _kappa_from_table(table.astype(float), w, level)
    note = ""
    if math.isnan(kap):
        note = "chance agreement is 1 (every rating in one category); kappa is undefined"
    lo, hi = _normal_ci(kap, se, level)
    # kappa lies in [-1, 1] with these weights; with another weight matrix its floor is -pe/(1-pe) (po = 0)
    floor = -1.0 if weights is None or isinstance(weights, str) else -pe / (1.0 - pe) if pe < 1.0 else -1.0
    lo, hi, cut = _bounded_interval(kap, lo, hi, floor, 1.0, "kappa")
    note = "; ".join(v for v in (note, cut) if v)
    z = kap / se0 if se0 > 0 else math.nan
    return Estimate(
        value=float(kap), ci_low=float(lo), ci_high=float(hi), se=float(se), n=n,
        method="cohen_kappa" if weights is None else "weighted_kappa",
        ci_method="normal (Fleiss-Cohen-Everitt 1969)", level=level, note=note,
        extra={"se0": se0, "z": z, "pval": float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
               "po": po, "pe": pe, "categories": cats, "table": table, "weights": w},
    )


# ==========================================================================
# Gwet's framework: Fleiss' kappa, AC1/AC2, Brennan-Prediger, percent agreement
# ==========================================================================


def _ratings_to_counts(data, categories, name="data", *, counts=False):
    """Units x categories count table from wide ratings (or validate a count table)."""
    df = check_dataframe(data, name)
    if counts:
        tab, cats = _count_table(df, categories, name)
    else:
        if df.shape[1] < 2:
            raise ValueError(
                f"{name} has {df.shape[1]} rater column(s); agreement needs at least 2 raters. "
                "Pass one column per rater (rows = rated units)."
            )
        _reject_infinite(df, name)
        vals = df.to_numpy()
        flat = vals.ravel()
        if flat.dtype.kind not in "biuf":
            flat = flat.astype(object)
        codes, cats = _encode_labels(flat, categories, name)
        codes = codes.reshape(vals.shape)
        tab = _kernels().category_counts(np.ascontiguousarray(codes), max(len(cats), 1))
    tab = tab[tab.sum(axis=1) > 0]
    if tab.shape[0] < 2:
        raise ValueError(f"{name} has {tab.shape[0]} rated unit(s); at least 2 are needed.")
    if (tab.sum(axis=1) >= 2).sum() < 1:
        raise ValueError(f"no unit in {name} was rated by two or more raters; agreement cannot be computed.")
    return tab, cats


def _count_table(df: pd.DataFrame, categories, name: str):
    """Validate a units x categories table of counts (``counts=True``); return ``(float counts, labels)``.

    Counts are non-negative finite numbers; they may be fractional (e.g. shares of a fixed number of
    raters, as in Randolph's calculator).  The columns are the categories, in the order given.
    """
    if df.shape[1] < 1:
        raise ValueError(f"{name} with counts=True has no category column; pass one column per category.")
    cols = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s):
            bad = np.ones(len(s), dtype=bool)
        elif pd.api.types.is_numeric_dtype(s):
            bad = np.zeros(len(s), dtype=bool)
        else:
            conv = pd.to_numeric(s, errors="coerce")
            bad = (conv.isna() & s.notna()).to_numpy()
            s = conv
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise TypeError(
                f"{name} with counts=True must be a subjects x categories table of counts, but column {c!r} is "
                f"not numeric (row {plain(df.index[pos])!r} holds {plain(df[c].iloc[pos])!r}). Pass counts "
                "(how many raters put each subject in each category), or the ratings themselves with counts=False."
            )
        cols.append(s.to_numpy(dtype=float, na_value=np.nan))
    arr = np.column_stack(cols) if cols else np.empty((len(df), 0))
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(
            f"{name} with counts=True must hold non-negative finite counts; row {plain(df.index[r])!r}, column "
            f"{plain(df.columns[c])!r} holds {plain(arr[r, c])!r}. Use 0 for a category nobody chose."
        )
    cats = list(df.columns) if categories is None else list(categories)
    if len(cats) != arr.shape[1]:
        raise ValueError(f"categories has {len(cats)} entries but {name} has {arr.shape[1]} category columns; "
                         "give one label per column, in the columns' order.")
    if len(set(map(_hashable, cats))) != len(cats):
        raise ValueError(f"categories has duplicated entries: {cats!r}. List every category once.")
    return arr, cats


def _population_factor(N, n: int) -> float:
    """Finite-population factor ``1 - n/N`` of a variance (``N=None`` or infinite: 1)."""
    if N is None:
        return 1.0
    if isinstance(N, (bool, np.bool_)) or not isinstance(N, numbers.Real) or math.isnan(N):
        raise TypeError(f"N must be the population size (a number of units) or None; got N={N!r}.")
    if math.isinf(N) and N > 0:
        return 1.0
    if not N >= n:
        raise ValueError(
            f"N={N!r} is the size of the population the {n} rated units were drawn from, so it must be at least "
            f"{n}. Pass the population size (or N=None for an infinite population)."
        )
    return 1.0 - n / float(N)


def _gwet_framework(tab: np.ndarray, w: np.ndarray, method: str, fpc: float = 1.0, chance=None):
    """Coefficient and linearised variance in Gwet's (2014, ch. 5) framework.

    ``tab``: units x categories counts ``r_ik``; ``w``: agreement weights;
    ``fpc``: finite-population factor ``1 - n/N`` of the variance; ``chance``:
    ``(p_e, pe_i)`` computed elsewhere (Conger's kappa, whose chance agreement
    needs the raters' identities), overriding ``method``.
    Returns ``(coef, se, pa, pe, n_units)``.
    """
    n, q = tab.shape
    r = tab.sum(axis=1).astype(float)
    rstar = tab @ w.T  # r*_ik = sum_l w_kl r_il
    two = r >= 2
    n2 = int(two.sum())
    pa_i = np.zeros(n)
    pa_i[two] = (tab[two] * (rstar[two] - 1.0)).sum(axis=1) / (r[two] * (r[two] - 1.0))
    pa = pa_i[two].mean()
    pi = (tab / r[:, None]).mean(axis=0)
    tw = w.sum()
    if chance is not None:
        pe, pe_i = chance
    elif method == "fleiss":
        pe = float(pi @ w @ pi)
        pe_i = (tab / r[:, None]) @ (0.5 * (w + w.T) @ pi)
    elif method == "gwet":
        pe = float(tw * (pi * (1.0 - pi)).sum() / (q * (q - 1.0)))
        pe_i = tw * ((tab / r[:, None]) @ (1.0 - pi)) / (q * (q - 1.0))
    elif method == "bp":
        pe = float(tw / q**2)
        pe_i = np.full(n, pe)
    else:  # percent agreement
        pe = 0.0
        pe_i = np.zeros(n)
    if pe >= 1.0:
        return math.nan, math.nan, pa, pe, n
    coef = (pa - pe) / (1.0 - pe)
    g_i = (n / n2) * (pa_i - pe * two) / (1.0 - pe)
    g_star = g_i - 2.0 * (1.0 - coef) * (pe_i - pe) / (1.0 - pe)
    var = fpc * ((g_star - coef) ** 2).sum() / (n * (n - 1.0)) if n > 1 else math.nan
    return float(coef), math.sqrt(var), float(pa), float(pe), n


def _gwet_range(tab: np.ndarray, w: np.ndarray, method: str, pe: float) -> tuple[float, float]:
    """The range ``(low, 1)`` of a coefficient of Gwet's framework (observed agreement ``p_a`` lies in [0, 1]).

    * percent agreement: [0, 1];
    * Brennan-Prediger and Gwet's AC: chance agreement is at most ``T_w / q^2``
      (exactly that for Brennan-Prediger; for AC because
      ``sum_k pi_k (1 - pi_k) <= 1 - 1/q``), so the coefficient is at least
      ``-T_w / (q^2 - T_w)`` (``-1/(q-1)`` unweighted);
    * Fleiss' kappa with ``r`` ratings per subject: at least ``-1/(r-1)``
      (the mean within-subject sum of squared shares is at least ``p_e``, by
      convexity); with unequal numbers of ratings, ``-p_e/(1-p_e)``, its value
      when no pair of ratings agrees.
    """
    if not np.all(tab == np.floor(tab)):
        # fractional counts: a unit's agreement r_ik (r*_ik - 1) can be negative, so no finite floor
        return -math.inf, 1.0
    if method == "pa":
        return 0.0, 1.0
    if method in ("bp", "gwet"):
        q = w.shape[0]
        tw = float(w.sum())
        return (-tw / (q * q - tw) if tw < q * q else -math.inf), 1.0
    r = tab.sum(axis=1)
    if np.all(r == r[0]) and r[0] >= 2 and np.array_equal(w, np.eye(w.shape[0])):
        return -1.0 / (float(r[0]) - 1.0), 1.0
    # p_a >= 0, so the coefficient is at least its value at p_a = 0
    return (-pe / (1.0 - pe) if pe < 1.0 else -math.inf), 1.0


def _gwet_estimate(data, weights, categories, level, method, label, *, counts=False, ordered=True, N=None):
    level = check_level(level)
    tab, cats = _ratings_to_counts(data, categories, counts=counts)
    ordered = ordered or counts  # a count table's columns state the order of the categories
    fpc = _population_factor(N, tab.shape[0])
    _check_weights_order(weights, cats, ordered)
    q = len(cats)
    if q < 2 and method != "pa":
        raise ValueError(
            f"only one category ({cats!r}) was used and no other was given; {label} is undefined. "
            "Pass categories=[...] with the full rating scale."
        )
    w = _weight_matrix(weights, max(q, 1))
    coef, se, pa, pe, n = _gwet_framework(tab.astype(float), w, method, fpc)
    tq = stats.t.ppf(0.5 + level / 2.0, n - 1)
    note = "" if math.isfinite(coef) else "chance agreement is 1; the coefficient is undefined"
    tstat = coef / se if se > 0 else math.nan
    lo, hi, cut = _bounded_interval(coef, coef - tq * se, coef + tq * se, *_gwet_range(tab, w, method, pe), label)
    note = "; ".join(v for v in (note, cut) if v)
    return Estimate(
        value=coef, ci_low=lo, ci_high=hi, se=se, n=int(n), method=label,
        ci_method="t (Gwet 2014 linearisation)", level=level, note=note,
        extra={"pa": pa, "pe": pe, "categories": cats, "weights": w, "t": tstat, "N": N,
               "pval": float(2 * stats.t.sf(abs(tstat), n - 1)) if math.isfinite(tstat) else math.nan},
    ), tab, cats


def _family_estimate(data, weights, categories, level, method, label, counts, N, targets, raters, ratings):
    """Shared entry of the coefficients of Gwet's framework: wide, long or count-table input."""
    if not isinstance(counts, (bool, np.bool_)):
        raise TypeError(f"counts must be True (data is a subjects x categories count table) or False (ratings); "
                        f"got counts={counts!r}.")
    if counts and any(v is not None for v in (targets, raters, ratings)):
        raise ValueError("targets=, raters= and ratings= describe long-format ratings; they cannot be combined with "
                         "counts=True (a subjects x categories count table).")
    ordered = bool(counts) or _order_given(data, ratings, categories)
    if not counts:
        categories = _dtype_categories(data, ratings, categories)
        data = _wide_or_long(data, targets, raters, ratings, numeric=False)
    return _gwet_estimate(data, weights, categories, level, method, label, counts=bool(counts), ordered=ordered,
                          N=N)


def gwet_ac(data, *, weights=None, categories=None, level=0.95, counts=False, N=None, targets=None, raters=None,
            ratings=None) -> Estimate:
    r"""Gwet's AC1 (unweighted) or AC2 (weighted) for any number of raters, with missing ratings.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows = rated units, columns = raters, cells = category labels
        (``NaN`` = missing).
    weights : None, "linear", "quadratic" or square array
        Agreement weights over the ordered categories (see :func:`cohen_kappa`;
        linear and quadratic weights need numbers, ``categories=[...]`` or
        ordered categoricals).
    categories : sequence, optional
        The ordered set of possible categories; by default the sorted union of
        those observed.  AC1's chance agreement depends on the number of
        categories ``q``, so give the full scale when some levels were unused.
        With ``counts=True``: labels of the count table's columns.
    level : float
        Confidence level.
    counts : bool
        ``True``: ``data`` is a subjects x categories table of how many raters
        put each subject in each category (irrCAC's ``*.dist`` input); the
        columns are the categories in their order.  Counts may be fractional.
    N : float, optional
        Size of the population of subjects the rated ones were drawn from: the
        variance is multiplied by the finite-population factor ``1 - n/N``
        (``n`` rated subjects), as irrCAC's ``N=``.  ``None``: infinite.
    targets, raters, ratings : str, optional
        Column names of long-format ``data`` (one row per rating): the units x
        raters table is built from integer codes of the ids (no ``pivot``),
        and a repeated (unit, rater) pair is an error naming its row.

    Returns
    -------
    Estimate
        ``se`` from Gwet's (2014) linearisation (sampling fraction ``n/N``); the
        interval uses the t distribution on ``n - 1`` df, as Gwet's irrCAC does,
        truncated to the coefficient's range (see Notes).
        ``extra``: ``pa``, ``pe``, ``categories``, ``t``, ``pval``.

    Notes
    -----
    With ``r_ik`` raters putting unit ``i`` in category ``k``,
    ``r_i = sum_k r_ik``, ``r*_ik = sum_l w_kl r_il`` and ``n'`` units with
    ``r_i >= 2``:

    .. math::

        p_a = \frac{1}{n'}\sum_{i: r_i\ge 2}\sum_k \frac{r_{ik}(r^*_{ik}-1)}{r_i(r_i-1)},\quad
        \pi_k = \frac1n \sum_i \frac{r_{ik}}{r_i},\quad
        p_e = \frac{T_w}{q(q-1)}\sum_k \pi_k(1-\pi_k),\quad
        AC = \frac{p_a - p_e}{1-p_e}

    (``T_w`` = sum of the weights).  Variance:
    ``v = sum_i (g*_i - AC)^2 / (n (n-1))`` with
    ``g_i = (n/n') (pa_i - p_e [r_i >= 2])/(1 - p_e)`` and
    ``g*_i = g_i - 2 (1 - AC)(pe_i - p_e)/(1 - p_e)``; with a population of
    ``N`` subjects ``v`` is multiplied by ``1 - n/N``.  Matches
    ``irrCAC::gwet.ac1.raw(ratings, weights, N=)`` and, with ``counts=True``,
    ``irrCAC::gwet.ac1.dist`` (value, standard error, p-value).

    The t interval ``AC +/- t se`` can leave the coefficient's range; it is
    truncated at 1 and at the lowest possible value ``-T_w / (q^2 - T_w)``
    (``-1/(q-1)`` for AC1: chance agreement is at most ``T_w/q^2``), and
    ``note`` says so.  irrCAC reports the untruncated interval.

    References
    ----------
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in
    the presence of high agreement. British Journal of Mathematical and
    Statistical Psychology, 61, 29-48.
    Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.),
    chapters 2-5. Advanced Analytics.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import gwet_ac
    >>> d = pd.DataFrame({"A": [1, 2, 3, 3, 2, 1, 4, 1, 2], "B": [1, 2, 3, 3, 2, 2, 4, 1, 2],
    ...                   "C": [1, 3, 3, 3, 2, 3, 4, 2, 2]})
    >>> round(gwet_ac(d).value, 3)
    0.66
    """
    label = "gwet_ac2" if weights is not None else "gwet_ac1"
    return _family_estimate(data, weights, categories, level, "gwet", label, counts, N, targets, raters,
                            ratings)[0]


def brennan_prediger(data, *, weights=None, categories=None, level=0.95, counts=False, N=None, targets=None,
                     raters=None, ratings=None) -> Estimate:
    r"""Brennan & Prediger's (1981) coefficient: chance agreement ``T_w / q^2`` (``1/q`` unweighted).

    Same data and options as :func:`gwet_ac`; variance from Gwet's (2014)
    linearisation.  ``BP = (p_a - T_w/q^2) / (1 - T_w/q^2)``.  The t interval
    is truncated to the coefficient's range ``[-T_w/(q^2 - T_w), 1]``
    (``[-1/(q-1), 1]`` unweighted) and ``note`` says when it was.
    ``counts=True`` takes a subjects x categories count table and ``N`` the
    population size, as for :func:`gwet_ac`.  Matches
    ``irrCAC::bp.coeff.raw(ratings, weights, N=)`` and ``irrCAC::bp.coeff.dist``.

    References
    ----------
    Brennan, R. L., & Prediger, D. J. (1981). Coefficient kappa: some uses,
    misuses, and alternatives. Educational and Psychological Measurement, 41, 687-699.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import brennan_prediger
    >>> d = pd.DataFrame({"A": [1, 2, 3, 3, 2, 1, 4, 1, 2], "B": [1, 2, 3, 3, 2, 2, 4, 1, 2]})
    >>> round(brennan_prediger(d).value, 3)
    0.852
    """
    return _family_estimate(data, weights, categories, level, "bp", "brennan_prediger", counts, N, targets, raters,
                            ratings)[0]


def percent_agreement(data, *, weights=None, categories=None, level=0.95, counts=False, N=None, targets=None,
                      raters=None, ratings=None) -> Estimate:
    r"""Observed (weighted) proportion of agreeing rater pairs, averaged over units.

    ``p_a = (1/n') sum_i sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` over the
    ``n'`` units with two or more ratings (Gwet 2014, ch. 2); with two raters
    and no weights, the share of units rated identically.  Same data and
    options as :func:`gwet_ac`; the t interval from Gwet's linearised variance
    is truncated to [0, 1] and ``note`` says when it was.  ``counts=True`` takes
    a subjects x categories count table and ``N`` the population size, as for
    :func:`gwet_ac`.  Matches ``irrCAC::pa.coeff.raw(ratings, weights, N=)`` and
    ``irrCAC::pa.coeff.dist``.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import percent_agreement
    >>> d = pd.DataFrame({"A": [1, 2, 3, 3], "B": [1, 2, 3, 4]})
    >>> percent_agreement(d).value
    0.75
    """
    return _family_estimate(data, weights, categories, level, "pa", "percent_agreement", counts, N, targets, raters,
                            ratings)[0]


def fleiss_kappa(data, *, weights=None, counts=False, categories=None, level=0.95, N=None, targets=None, raters=None,
                 ratings=None) -> Estimate:
    r"""Fleiss' (1971) kappa for many raters per subject (weighted or not), with per-category kappas.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows = subjects, columns = raters, cells = category labels; or, with
        ``counts=True``, a subjects x categories table of how many raters put
        each subject in each category.  Every subject must have the same number
        of ratings in Fleiss' design; with unequal numbers (missing ratings)
        the generalisation of Gwet (2014, ch. 5) is used and the per-category
        kappas and null standard error are left out (``note`` says so).
    weights : None, "linear", "quadratic" or square array
        Agreement weights over the ordered categories, as for
        :func:`cohen_kappa` (linear and quadratic weights need numbers,
        ``categories=[...]``, ordered categoricals or a count table, whose
        columns give the order).  Weighted kappa has no per-category kappas
        nor null standard error (they are defined for unweighted kappa).
    counts : bool
        Whether ``data`` is a subjects x categories count table.  Counts may be
        fractional (e.g. Randolph's calculator, where each row holds shares of
        the raters); the columns are the categories in their order.
    categories : sequence, optional
        Category labels: their order matters only for linear and quadratic
        weights; the full scale when some levels were unused.  With
        ``counts=True``: labels of the table's columns.
    level : float
        Confidence level.
    N : float, optional
        Size of the population of subjects: Gwet's variance is multiplied by
        the finite-population factor ``1 - n/N`` (``n`` rated subjects), as
        irrCAC's ``N=``.  ``None``: infinite (no correction).  ``se0`` is the
        unconditional null standard error and is not corrected.
    targets, raters, ratings : str, optional
        Column names of long-format ``data`` (one row per rating): the units x
        raters table is built from integer codes of the ids (no ``pivot``),
        and a repeated (unit, rater) pair is an error naming its row.

    Returns
    -------
    Estimate
        ``se``: Gwet's (2014) non-null linearised standard error, with a
        t interval on ``N - 1`` df, truncated to kappa's range
        ``[-1/(n-1), 1]`` for ``n`` ratings per subject (unequal numbers:
        ``[-P_e/(1-P_e), 1]``); ``note`` says when it was.  ``extra``: ``se0`` (Fleiss, Nee & Landis
        1979 standard error under kappa = 0), ``z`` and ``pval`` (test of
        kappa = 0 with ``se0``), ``per_category`` (DataFrame with kappa_j, se0
        and z per category), ``pa``, ``pe``.

    Notes
    -----
    With ``N`` subjects, ``n`` ratings each, ``n_ij`` ratings of subject
    ``i`` in category ``j``, ``p_j = sum_i n_ij / (N n)``, ``q_j = 1 - p_j``:

    .. math::

        \bar P = \frac{1}{N}\sum_i \frac{\sum_j n_{ij}^2 - n}{n(n-1)},\quad
        P_e = \sum_j p_j^2,\quad \kappa = \frac{\bar P - P_e}{1 - P_e},\quad
        \kappa_j = 1 - \frac{\sum_i n_{ij}(n - n_{ij})}{N n (n-1) p_j q_j}

        se_0(\kappa) = \sqrt{\frac{2}{Nn(n-1)}}\,
        \frac{\sqrt{(\sum_j p_j q_j)^2 - \sum_j p_j q_j (q_j - p_j)}}{\sum_j p_j q_j},\quad
        se_0(\kappa_j) = \sqrt{\frac{2}{Nn(n-1)}}

    (``N`` here is the number of subjects.)  With agreement weights
    :math:`w_{kl}` and Gwet's (2014, ch. 5) notation (``r_ik`` ratings of
    subject ``i`` in category ``k``, ``r*_ik = sum_l w_kl r_il``, ``pi_k`` the
    mean share of category ``k``), weighted kappa is

    .. math::

        p_a = \frac{1}{n'}\sum_{i: r_i\ge 2}\sum_k \frac{r_{ik}(r^*_{ik}-1)}{r_i(r_i-1)},\quad
        p_e = \sum_{k,l} w_{kl}\pi_k\pi_l,\quad \kappa_w = \frac{p_a - p_e}{1 - p_e}

    (identity weights give Fleiss' kappa), with the variance of
    :func:`gwet_ac` (``pe_i = sum_k (r_ik/r_i) sum_l (w_kl + w_lk)/2 pi_l``)
    times ``1 - n/N``.  The interval of weighted kappa is truncated at its
    value for ``p_a = 0``, ``-p_e/(1-p_e)``.

    Matches ``statsmodels.stats.inter_rater.fleiss_kappa`` (also on count
    tables with fractional counts) and R ``irr::kappam.fleiss`` (value, z);
    ``irrCAC::fleiss.kappa.raw(ratings, weights, N=)`` and, with
    ``counts=True``, ``irrCAC::fleiss.kappa.dist`` (value, standard error,
    p-value).

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin, 76, 378-382.
    Fleiss, J. L., Nee, J. C. M., & Landis, J. R. (1979). Large sample variance
    of kappa in the case of different sets of raters. Psychological Bulletin,
    86, 974-977.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import fleiss_kappa
    >>> d = pd.DataFrame({"r1": [1, 2, 3, 1, 2], "r2": [1, 2, 3, 2, 2], "r3": [1, 3, 3, 1, 2]})
    >>> round(fleiss_kappa(d).value, 3)
    0.595
    """
    est, tab, cats = _family_estimate(data, weights, categories, level, "fleiss", "fleiss_kappa", counts, N, targets,
                                      raters, ratings)
    if weights is not None:
        return Estimate(value=est.value, ci_low=est.ci_low, ci_high=est.ci_high, se=est.se, n=est.n,
                        method="weighted_fleiss_kappa", ci_method=est.ci_method, level=est.level, note=est.note,
                        extra=dict(est.extra))
    nr = tab.sum(axis=1)
    if np.any(nr != nr[0]):
        note = ("unequal numbers of ratings per subject: Fleiss' kappa generalised as in Gwet (2014, ch. 5); "
                "per-category kappas and the null standard error need equal numbers and are omitted")
        return Estimate(value=est.value, ci_low=est.ci_low, ci_high=est.ci_high, se=est.se, n=est.n,
                        method="fleiss_kappa", ci_method=est.ci_method, level=est.level,
                        note="; ".join(v for v in (est.note, note) if v), extra=dict(est.extra))
    N, n = tab.shape[0], float(nr[0])
    if n < 2:
        raise ValueError("Fleiss' kappa needs at least 2 ratings per subject.")
    p = tab.sum(axis=0) / (N * n)
    qj = 1.0 - p
    pq = p * qj
    with np.errstate(divide="ignore", invalid="ignore"):
        se0 = math.sqrt(2.0 / (N * n * (n - 1))) * math.sqrt(pq.sum() ** 2 - (pq * (qj - p)).sum()) / pq.sum()
        kj = 1.0 - (tab * (n - tab)).sum(axis=0) / (N * n * (n - 1) * pq)
    se0j = math.sqrt(2.0 / (N * n * (n - 1)))
    per = pd.DataFrame({"kappa": kj, "se0": se0j, "z": kj / se0j, "p": p}, index=pd.Index(cats, name="category"))
    per["pval"] = 2 * stats.norm.sf(np.abs(per["z"]))
    z = est.value / se0 if se0 > 0 else math.nan
    extra = dict(est.extra)
    extra.update(se0=se0, z=z, pval=float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
                 per_category=per, n_raters=int(n))
    return Estimate(value=est.value, ci_low=est.ci_low, ci_high=est.ci_high, se=est.se, n=est.n,
                    method="fleiss_kappa", ci_method=est.ci_method, level=est.level, note=est.note, extra=extra)


def _conger_chance(codes: np.ndarray, w: np.ndarray):
    """Conger's (1980) chance agreement and its per-unit linearisation terms (Gwet 2014, ch. 5).

    ``codes``: units x raters category codes (``-1`` missing); ``w``: agreement weights.  Returns
    ``(p_e, pe_i)``, as ``irrCAC::conger.kappa.raw``.
    """
    n, r = codes.shape
    q = w.shape[0]
    eps = (codes >= 0).astype(float)
    onehot = np.zeros((n, r, q))
    ii, gg = np.nonzero(codes >= 0)
    onehot[ii, gg, codes[ii, gg]] = 1.0
    ng = eps.sum(axis=0)  # ratings of each rater
    pgk = onehot.sum(axis=0) / ng[:, None]  # rater g's share of category k
    pbar = pgk.mean(axis=0)
    s2 = (pgk.T @ pgk - r * np.outer(pbar, pbar)) / (r - 1.0)  # between-rater covariances of the shares
    pe = float((w * (np.outer(pbar, pbar) - s2 / r)).sum())
    # lambda_ig = sum_k (n/n_g) sum_l w_kl [delta_igl - (eps_ig - n_g/n) p_gl] (r pbar_k - p_gk)
    lam_k = (n / ng)[None, :, None] * (onehot @ w.T - (eps - ng / n)[:, :, None] * (pgk @ w.T)[None, :, :])
    lam = (lam_k * (r * pbar[None, None, :] - pgk[None, :, :])).sum(axis=2)
    return pe, lam.sum(axis=1) / (r * (r - 1.0))


def conger_kappa(data, *, weights=None, categories=None, level=0.95, N=None, targets=None, raters=None,
                 ratings=None) -> Estimate:
    r"""Conger's (1980) kappa: Cohen's kappa generalised to many raters, weighted or not.

    Cohen's kappa takes chance agreement from each rater's own category
    distribution; Conger's kappa keeps that for any number of raters (Fleiss'
    kappa pools the raters into one distribution instead).  With two raters
    and complete data it equals Cohen's kappa.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows = rated units, columns = raters (the same raters for every unit),
        cells = category labels (``NaN`` = missing).
    weights : None, "linear", "quadratic" or square array
        Agreement weights over the ordered categories (see :func:`cohen_kappa`).
    categories : sequence, optional
        The ordered set of possible categories; by default the categories of
        categorical columns, else the sorted union of those observed.
    level : float
        Confidence level.
    N : float, optional
        Size of the population of units: the variance is multiplied by
        ``1 - n/N`` (``None``: infinite population).
    targets, raters, ratings : str, optional
        Column names of long-format ``data`` (one row per rating).

    Returns
    -------
    Estimate
        ``se`` from Gwet's (2014) linearisation, t interval on ``n - 1`` df
        truncated to ``[-p_e/(1-p_e), 1]`` (``note`` says when it was);
        ``extra``: ``pa``, ``pe``, ``categories``, ``weights``, ``t``,
        ``pval``.

    Notes
    -----
    With ``r`` raters, ``p_gk`` the share of rater ``g``'s ratings in category
    ``k``, ``pbar_k = (1/r) sum_g p_gk`` and
    ``s2_kl = (sum_g p_gk p_gl - r pbar_k pbar_l)/(r - 1)``:

    .. math::

        p_e = \sum_{k,l} w_{kl}\left(ar p_k ar p_l - rac{s^2_{kl}}{r}
ight),\qquad
        \kappa_C = rac{p_a - p_e}{1 - p_e},

    ``p_a`` as in :func:`gwet_ac`.  The variance is Gwet's (2014, ch. 5)
    linearisation ``(1 - n/N) sum_i (k*_i - kappa)^2 / (n (n-1))`` with
    ``k*_i = (n/n')(pa_i - p_e)/(1 - p_e) - 2(1 - kappa)(pe_i - p_e)/(1 - p_e)``
    and ``pe_i = sum_g lambda_ig / (r(r-1))``,
    ``lambda_ig = sum_k (n/n_g) sum_l w_kl [d_igl - (e_ig - n_g/n) p_gl] (r pbar_k - p_gk)``
    (``d_igl``: rater ``g`` put unit ``i`` in ``l``; ``e_ig``: rater ``g``
    rated unit ``i``; ``n_g`` units rated by ``g``).  Units without any
    rating are dropped first.  Matches ``irrCAC::conger.kappa.raw(ratings,
    weights, N=)`` (value, standard error, p-value) and, unweighted on complete
    data, ``irr::kappam.fleiss(ratings, exact = TRUE)``.

    References
    ----------
    Conger, A. J. (1980). Integration and generalization of kappas for
    multiple raters. Psychological Bulletin, 88, 322-328.
    Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.),
    chapter 5. Advanced Analytics.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import conger_kappa
    >>> d = pd.DataFrame({"r1": [1, 2, 3, 1, 2], "r2": [1, 2, 3, 2, 2], "r3": [1, 3, 3, 1, 2]})
    >>> round(conger_kappa(d).value, 3)
    0.608
    """
    level = check_level(level)
    ordered = _order_given(data, ratings, categories)
    categories = _dtype_categories(data, ratings, categories)
    df = check_dataframe(_wide_or_long(data, targets, raters, ratings, numeric=False), "data")
    if df.shape[1] < 2:
        raise ValueError(f"data has {df.shape[1]} rater column(s); Conger's kappa needs at least 2 raters. "
                         "Pass one column per rater (rows = rated units).")
    _reject_infinite(df, "data")
    vals = df.to_numpy()
    flat = vals.ravel()
    codes, cats = _encode_labels(flat if flat.dtype.kind in "biuf" else flat.astype(object), categories, "data")
    codes = codes.reshape(vals.shape)
    rated = (codes >= 0).any(axis=1)
    codes = np.ascontiguousarray(codes[rated])
    if codes.shape[0] < 2:
        raise ValueError(f"data has {codes.shape[0]} rated unit(s); Conger's kappa needs at least 2.")
    none = np.flatnonzero((codes < 0).all(axis=0))
    if len(none):
        raise ValueError(f"rater {plain(df.columns[none[0]])!r} has no rating; Conger's kappa needs every rater's "
                         "category distribution. Drop that column.")
    if not ((codes >= 0).sum(axis=1) >= 2).any():
        raise ValueError("no unit in data was rated by two or more raters; agreement cannot be computed.")
    q = len(cats)
    if q < 2:
        raise ValueError(f"only one category ({cats!r}) was used and no other was given; Conger's kappa is "
                         "undefined. Pass categories=[...] with the full rating scale.")
    _check_weights_order(weights, cats, ordered)
    w = _weight_matrix(weights, q)
    tab = _kernels().category_counts(codes, q).astype(float)
    fpc = _population_factor(N, codes.shape[0])
    pe, pe_i = _conger_chance(codes, w)
    coef, se, pa, pe, n = _gwet_framework(tab, w, "conger", fpc, chance=(pe, pe_i))
    tq = stats.t.ppf(0.5 + level / 2.0, n - 1)
    note = "" if math.isfinite(coef) else "chance agreement is 1; Conger's kappa is undefined"
    tstat = coef / se if se > 0 else math.nan
    lo, hi, cut = _bounded_interval(coef, coef - tq * se, coef + tq * se,
                                    -pe / (1.0 - pe) if pe < 1.0 else -math.inf, 1.0, "Conger's kappa")
    note = "; ".join(v for v in (note, cut) if v)
    return Estimate(
        value=coef, ci_low=lo, ci_high=hi, se=se, n=int(n),
        method="conger_kappa" if weights is None else "weighted_conger_kappa",
        ci_method="t (Gwet 2014 linearisation)", level=level, note=note,
        extra={"pa": pa, "pe": pe, "categories": cats, "weights": w, "t": tstat, "N": N,
               "pval": float(2 * stats.t.sf(abs(tstat), n - 1)) if math.isfinite(tstat) else math.nan},
    )


# ==========================================================================
# Krippendorff's alpha
# ==========================================================================


def _kalpha_prepare(data, level_of_measurement):
    check_choice(level_of_measurement, _LEVELS, "level_of_measurement")
    df = check_dataframe(data, "data")
    if df.shape[1] < 2:
        raise ValueError(
            f"data has {df.shape[1]} rater column(s); Krippendorff's alpha needs at least 2 raters (coders). "
            "Pass one column per rater and one row per unit."
        )
    if level_of_measurement == "nominal":
        vals = df.to_numpy()
        if vals.dtype.kind in "iuf":
            x = np.ascontiguousarray(vals, dtype=float)
            if np.isinf(x).any():
                r, c = np.argwhere(np.isinf(x))[0]
                raise ValueError(f"data holds an infinite value at row {plain(df.index[r])!r}, column "
                                 f"{plain(df.columns[c])!r}.")
            codes, values = _value_codes(x)  # unused codes have zero counts: harmless for nominal
            return "nominal", codes, list(values)
        _reject_infinite(df, "data")
        flat = vals.ravel().astype(object)
        codes, cats = _encode_labels(flat, None, "data")
        return "nominal", np.ascontiguousarray(codes.reshape(vals.shape)), cats
    x = np.ascontiguousarray(_wide_numeric(df, "data").to_numpy())
    if level_of_measurement == "ratio" and np.nanmin(x, initial=0.0) < 0:
        r, c = np.argwhere(x < 0)[0]
        raise ValueError(
            f"ratio-level alpha needs non-negative values (a true zero); row {plain(df.index[r])!r}, column "
            f"{plain(df.columns[c])!r} holds {plain(x[r, c])!r}. Use level_of_measurement='interval'."
        )
    return level_of_measurement, x, None


def _value_codes(x):
    """Integer codes (``-1`` missing) of a float units x raters array and the sorted values they stand for."""
    K = _kernels()
    flat = x.ravel()
    ok, lo, hi, cnt = K.integer_range(flat)
    if ok and cnt > 0 and hi - lo <= 1_000_000:
        codes = K.offset_codes(flat, lo).reshape(x.shape)
        values = lo + np.arange(int(hi - lo) + 1, dtype=float)
    else:
        keep = ~np.isnan(flat)
        values, inv = np.unique(flat[keep], return_inverse=True)
        codes = np.full(flat.shape, -1, dtype=np.int64)
        codes[keep] = inv
        codes = codes.reshape(x.shape)
    return np.ascontiguousarray(codes), values


def _kalpha_core(kind, x, k_cat=None):
    """Return ``(alpha, n_pairable, n_units, D_o, D_e, y_fn, level_code)``.

    ``y_fn()`` gives the array on which within-unit differences are taken (category
    codes, values or ordinal mid-ranks); it is only built when bootstrapping.
    """
    K = _kernels()
    if kind == "nominal":
        do_sum, n, de_sum = K.kalpha_nominal_parts(x, max(k_cat, 1))
        n_units = K.pairable_units(x)

        def y_fn():
            return K.map_codes(x, np.arange(max(k_cat, 1), dtype=float))

        code = 0
    elif kind == "ratio":
        codes, values = _value_codes(x)
        n_units = K.pairable_units(codes)
        counts = K.pairable_counts(codes, max(values.shape[0], 1)).astype(float)
        used = counts > 0
        values, counts = values[used], counts[used]
        do_sum, n = K.kalpha_ratio_parts(x)
        expected = K.ratio_expected_parallel if values.shape[0] > 4000 else K.ratio_expected
        de_sum = expected(values, counts)

        def y_fn():
            return x

        code = 3
    else:
        if kind == "ordinal":
            codes, values = _value_codes(x)
            cnt_c = K.pairable_counts(codes, max(values.shape[0], 1)).astype(float)
            ranks = np.cumsum(cnt_c) - cnt_c + cnt_c / 2.0
            y = K.map_codes(codes, ranks)
        else:
            y = x
        do_sum, n, ss = K.kalpha_interval_parts(y)
        de_sum = 2.0 * n * ss
        do_sum = 2.0 * do_sum
        n_units = None

        def y_fn():
            return y

        code = 1
    if n_units is None:
        n_units = int(((~np.isnan(y)).sum(axis=1) >= 2).sum())
    if n == 0:
        return math.nan, 0, int(n_units), math.nan, math.nan, y_fn, code
    d_o = do_sum / n
    d_e = de_sum / (n * (n - 1.0))
    alpha = 1.0 - d_o / d_e if d_e > 0 else math.nan
    return alpha, int(n), int(n_units), d_o, d_e, y_fn, code


@validates_seed
def krippendorff_alpha(data, *, level_of_measurement=None, categories=None, value_counts=False, weights=None,
                       n_boot=0, seed=None, level=0.95, targets=None, raters=None, ratings=None) -> Estimate:
    r"""Krippendorff's alpha for any number of raters, missing ratings and four levels of measurement.

    Parameters
    ----------
    data : pandas.DataFrame or 2-D array
        Rows = units (candidates), columns = raters (coders); ``NaN`` =
        missing.  Units with fewer than two ratings are not pairable and are
        ignored; with fewer than two pairable units alpha is NaN (a single
        unit gives 0 whatever its ratings) and ``note`` says why.  Nominal data
        may hold any labels (not infinity); other levels need finite numbers.
    level_of_measurement : {"nominal", "ordinal", "interval", "ratio"}, optional
        Difference function: nominal ``[c != k]``; ordinal
        ``(sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2``; interval ``(c - k)^2``;
        ratio ``((c - k)/(c + k))^2`` (non-negative values).  Default
        ``"interval"``; leave it unset with ``weights``.
    categories : sequence, optional
        Nominal and ordinal data: the categories, from lowest to highest for
        ordinal data, so that text labels (``"Level 3"``, ``"Menengah"``)
        can be ordinal (the ``krippendorff`` package's ``value_domain``).  An
        ordered pandas Categorical gives the order too.  A value missing
        from ``categories`` is an error naming it.  With ``weights``: the
        ordered categories the weights refer to (default: the sorted values
        observed, as irrCAC).  With ``value_counts=True``: labels of the
        count table's columns.
    value_counts : bool
        ``True``: ``data`` is a units x values table of how many coders gave
        each value to each unit (whole numbers), the ``krippendorff``
        package's ``value_counts``; the columns are the values in their
        order (interval and ratio data: the column labels are the values).
    weights : None, "linear", "quadratic" or square array
        Agreement weights between the ordered categories, as for
        :func:`cohen_kappa`; the difference function becomes
        ``delta_kl = 1 - w_kl`` (``irrCAC::krippen.alpha.raw(weights = )``).
        Quadratic weights give interval alpha on the category positions
        ``1..q``; linear weights the absolute difference of positions.
    n_boot : int
        Number of bootstrap replicates for the Hayes & Krippendorff (2007)
        interval (0 = no interval).
    seed : None, int or numpy.random.Generator
        Seed of the bootstrap (results are reproducible by seed and independent
        of the number of threads).
    level : float
        Confidence level of the bootstrap interval.
    targets, raters, ratings : str, optional
        Column names of long-format ``data`` (one row per rating): the units x
        raters table is built from integer codes of the ids (no ``pivot``),
        and a repeated (unit, rater) pair is an error naming its row.

    Returns
    -------
    Estimate
        ``value`` = alpha, ``n`` = number of pairable values.  With
        ``n_boot > 0``: ``se`` (sd of the bootstrap replicates), percentile
        interval, and ``extra["p_below"]``: the bootstrap probability of alpha
        below 0.667 and 0.800 (Krippendorff's thresholds).  ``extra`` also
        holds ``D_o``, ``D_e`` and ``n_units`` (pairable units).

    Notes
    -----
    With ``m_u`` values in unit ``u``, ``n = sum_u m_u`` over pairable units
    and difference function ``delta``:

    .. math::

        D_o = \frac1n \sum_u \frac{1}{m_u - 1}\sum_{i\ne j\in u}\delta(v_i, v_j),\quad
        D_e = \frac{1}{n(n-1)}\sum_{i \ne j}\delta(v_i, v_j),\quad
        \alpha = 1 - \frac{D_o}{D_e}.

    For interval data the sums are computed from per-unit sums of squares,
    ``sum_{i != j} (v_i - v_j)^2 = 2 m sum_i (v_i - vbar)^2``, and ordinal
    data are interval data on the mid-rank scale ``r_c = sum_{g<c} n_g + n_c/2``,
    so no value x value coincidence matrix is ever built (time O(n), memory
    O(units)).  The ratio level accumulates ``D_e`` over the ``V`` distinct
    values in O(V^2) time and O(V) memory.

    With agreement weights the difference function is
    ``delta_kl = 1 - (w_kl + w_lk)/2`` between the categories' codes; this is
    Gwet's (2014, ch. 5) weighted form of alpha,
    ``(p_a - p_e)/(1 - p_e)`` with ``p_a = (1 - 1/n) p_a' + 1/n``, which
    equals ``1 - D_o/D_e`` above, and matches
    ``irrCAC::krippen.alpha.raw(ratings, weights = )`` (and, without weights,
    its nominal value).  Ordinal alpha of labels uses only their order
    (the category codes), so it equals ordinal alpha of any numbers in that
    order (``irr::kripp.alpha(method = "ordinal")``).

    Bootstrap (Hayes & Krippendorff 2007): each replicate draws, with
    replacement, as many pairs of values as the data hold (``sum_u m_u (m_u -
    1)/2``), pair probabilities proportional to the coincidence weight
    ``1/(m_u - 1)`` of their unit, and computes ``1 - mean(delta)/D_e`` with
    ``D_e`` fixed.  Matches the ``krippendorff`` Python package and the
    worked examples of Krippendorff (2011).

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania.
    Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
    reliability measure for coding data. Communication Methods and Measures,
    1, 77-89.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from psikometri.agreement import krippendorff_alpha
    >>> nan = np.nan  # Krippendorff (2011), 4 coders x 12 units, transposed
    >>> d = pd.DataFrame({
    ...     "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...     "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...     "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...     "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]})
    >>> [round(krippendorff_alpha(d, level_of_measurement=m).value, 3)
    ...  for m in ("nominal", "ordinal", "interval", "ratio")]
    [0.743, 0.815, 0.849, 0.797]
    >>> lvl = ["Rendah", "Menengah", "Tinggi"]
    >>> t = pd.DataFrame({"A": ["Rendah", "Tinggi", "Menengah", "Tinggi"],
    ...                   "B": ["Menengah", "Tinggi", "Menengah", "Tinggi"]})
    >>> round(krippendorff_alpha(t, level_of_measurement="ordinal", categories=lvl).value, 3)
    0.9
    """
    n_boot = check_positive_int(n_boot, "n_boot", minimum=0)
    level = check_level(level)
    if not isinstance(value_counts, (bool, np.bool_)):
        raise TypeError(f"value_counts must be True (data is a units x values count table) or False (ratings); got "
                        f"value_counts={value_counts!r}.")
    if weights is not None and level_of_measurement is not None:
        raise ValueError(
            f"weights={weights!r} sets the difference function itself (1 - w_kl between categories), so it cannot be "
            f"combined with level_of_measurement={level_of_measurement!r}; leave level_of_measurement unset."
        )
    lom = "interval" if level_of_measurement is None else level_of_measurement
    if weights is None:
        check_choice(lom, _LEVELS, "level_of_measurement")
    elif isinstance(weights, str):
        check_choice(weights, ("linear", "quadratic"), "weights")
    categorical = weights is not None or lom in ("nominal", "ordinal")
    if categories is not None and not categorical:
        raise ValueError(
            f"categories orders the labels of nominal or ordinal ratings (or of weights=); {lom} alpha uses the "
            "numbers themselves. Use level_of_measurement='ordinal' for ordered labels, or leave categories unset."
        )
    if value_counts:
        if any(v is not None for v in (targets, raters, ratings)):
            raise ValueError("targets=, raters= and ratings= describe long-format ratings; they cannot be combined "
                             "with value_counts=True (a units x values count table).")
        codes, cats = _value_count_codes(data, categories)
        ordered = True  # the columns give the order of the values
    else:
        ordered = _order_given(data, ratings, categories)
        cats_in = _dtype_categories(data, ratings, categories) if categorical else None
        data = _wide_or_long(data, targets, raters, ratings,
                             numeric=weights is None and lom != "nominal" and cats_in is None)
        codes = cats = None
        if weights is not None or cats_in is not None:
            codes, cats = _kalpha_codes(data, cats_in)
    pooled = None
    if weights is not None:
        _check_weights_order(weights, cats, ordered)
        w = _weight_matrix(weights, max(len(cats), 1))
        alpha, n, n_units, d_o, d_e, pooled = _kalpha_weighted(codes, w)
        method = (f"krippendorff_alpha ({weights} weights)" if isinstance(weights, str)
                  else "krippendorff_alpha (weight matrix)")
    else:
        if codes is None:
            try:
                kind, x, cats = _kalpha_prepare(data, lom)
            except TypeError as exc:
                if lom != "ordinal":
                    raise
                raise TypeError(f"{exc} For ordinal labels pass categories=[...] listing them from lowest to "
                                "highest, or give them as an ordered pandas Categorical.") from None
        elif lom == "nominal":
            kind, x = "nominal", codes
        elif lom == "ordinal":
            labels = [c for c in cats if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Real)]
            if labels and not ordered:
                raise ValueError(
                    f"ordinal alpha needs ordered categories, but the ratings in data are labels without a stated "
                    f"order (e.g. {[plain(c) for c in labels[:3]]!r}). Pass categories=[...] from lowest to highest "
                    "or give them as an ordered pandas Categorical."
                )
            kind, x = "ordinal", np.where(codes >= 0, codes, np.nan).astype(float)  # ordinal: only the order counts
        else:  # value counts of interval or ratio values: the column labels are the values
            vals = _numeric_labels(cats)
            x = np.ascontiguousarray(np.where(codes >= 0, vals[np.maximum(codes, 0)], np.nan))
            kind = lom
            if lom == "ratio" and (vals < 0).any():
                raise ValueError(f"ratio-level alpha needs non-negative values (a true zero); the count table has a "
                                 f"column for {plain(vals[vals < 0][0])!r}. Use level_of_measurement='interval'.")
        alpha, n, n_units, d_o, d_e, y_fn, code = _kalpha_core(kind, x, len(cats) if cats is not None else None)
        method = f"krippendorff_alpha ({lom})"
    note = ""
    if n == 0:
        note = "no unit has two or more ratings (nothing is pairable); alpha is undefined"
    elif n_units < 2:
        # one unit: its disagreement is all the disagreement there is, so alpha is 0 whatever the ratings
        alpha = math.nan
        note = ("only 1 unit has two or more ratings; alpha compares the disagreement within units with the "
                "disagreement between them and needs at least 2 such units, so it is undefined")
    elif not math.isfinite(alpha):
        note = "all pairable values are identical (no variation, D_e = 0); alpha is undefined"
    extra = {"D_o": d_o, "D_e": d_e, "n_units": n_units, "level_of_measurement": None if weights is not None else lom}
    if cats is not None:
        extra["categories"] = cats
    if weights is not None:
        extra["weights"] = w
    lo = hi = se = math.nan
    ci_method = None
    if n_boot > 0 and math.isfinite(alpha):
        from ._resampling import resolve_seed

        if pooled is None:
            boot = _kalpha_boot(y_fn(), code, d_e, n_boot, resolve_seed(seed))
        else:
            boot = _kalpha_boot_pooled(*pooled, d_e, n_boot, resolve_seed(seed))
        a = (1.0 - level) / 2.0
        lo, hi = (float(v) for v in np.quantile(boot, [a, 1.0 - a]))
        se = float(boot.std(ddof=1)) if n_boot > 1 else math.nan
        ci_method = "bootstrap (Hayes & Krippendorff 2007)"
        extra["p_below"] = {0.667: float((boot < 0.667).mean()), 0.8: float((boot < 0.8).mean())}
        extra["boot"] = boot
    return Estimate(value=float(alpha), ci_low=lo, ci_high=hi, se=se, n=n, method=method, ci_method=ci_method,
                    level=level, note=note, extra=extra)


def _kalpha_codes(data, categories):
    """Category codes (``-1`` missing) of a wide units x coders table of labels, in the order of ``categories``."""
    df = check_dataframe(data, "data")
    if df.shape[1] < 2:
        raise ValueError(
            f"data has {df.shape[1]} rater column(s); Krippendorff's alpha needs at least 2 raters (coders). "
            "Pass one column per rater and one row per unit."
        )
    _reject_infinite(df, "data")
    vals = df.to_numpy()
    flat = vals.ravel()
    codes, cats = _encode_labels(flat if flat.dtype.kind in "biuf" else flat.astype(object), categories, "data")
    return np.ascontiguousarray(codes.reshape(vals.shape)), cats


def _value_count_codes(data, categories):
    """A units x values count table (``value_counts=True``) as a units x coders table of value codes."""
    df = check_dataframe(data, "data")
    arr, cats = _count_table(df, categories, "data")
    if not np.all(arr == np.floor(arr)):
        r, c = np.argwhere(arr != np.floor(arr))[0]
        raise ValueError(
            f"data with value_counts=True counts the coders who gave each value to each unit, so it must hold whole "
            f"numbers; row {plain(df.index[r])!r}, column {plain(df.columns[c])!r} holds {plain(arr[r, c])!r}."
        )
    cnt = arr.astype(np.int64)
    n, q = cnt.shape
    m = cnt.sum(axis=1)
    codes = np.full((n, max(int(m.max(initial=0)), 2)), -1, dtype=np.int64)
    rows = np.repeat(np.arange(n), m)
    slot = np.arange(rows.shape[0]) - np.repeat(np.cumsum(m) - m, m)
    codes[rows, slot] = np.repeat(np.tile(np.arange(q), n), cnt.ravel())
    return codes, cats


def _numeric_labels(cats) -> np.ndarray:
    """The column labels of a count table of interval or ratio values, as numbers."""
    try:
        vals = np.asarray([float(c) for c in cats])
    except (TypeError, ValueError):
        raise TypeError(
            f"interval and ratio alpha need numeric values, but the count table's columns include labels "
            f"{[plain(c) for c in cats[:3]]!r}. Name the columns by their values, or use "
            "level_of_measurement='nominal' / 'ordinal'."
        ) from None
    if not np.all(np.isfinite(vals)):
        raise ValueError("the count table's columns (values) must be finite numbers.")
    return vals


def _kalpha_weighted(codes, w):
    """Alpha with the difference function ``delta_kl = 1 - (w_kl + w_lk)/2`` between category codes.

    Returns ``(alpha, n, n_units, D_o, D_e, pooled)``, ``pooled = (delta, weight, n_draw)`` the
    differences of the within-unit pairs of values, pooled by category pair, for the bootstrap.
    """
    q = w.shape[0]
    tab = _kernels().category_counts(np.ascontiguousarray(codes), q).astype(float)
    m = tab.sum(axis=1)
    tab, m = tab[m >= 2], m[m >= 2]
    n, n_units = float(m.sum()), int(tab.shape[0])
    if n == 0:
        return math.nan, 0, n_units, math.nan, math.nan, None
    d = 1.0 - 0.5 * (w + w.T)
    inv = 1.0 / (m - 1.0)
    d_o = float((((tab @ d) * tab).sum(axis=1) * inv).sum()) / n
    tot = tab.sum(axis=0)
    d_e = float(tot @ d @ tot) / (n * (n - 1.0))
    alpha = 1.0 - d_o / d_e if d_e > 0 else math.nan
    # unordered pairs of values within units: category pair (k, l), k < l, has sum_u t_uk t_ul pairs of weight
    # 2/(m_u - 1) each; pairs within one category (difference 0) weigh sum_u t_uk (t_uk - 1)/(m_u - 1)
    cross = (tab * inv[:, None]).T @ tab
    ku, lu = np.triu_indices(q, 1)
    delta = np.concatenate([d[ku, lu], [0.0]])
    weight = np.concatenate([2.0 * cross[ku, lu], [float(((tab * (tab - 1.0)).sum(axis=1) * inv).sum())]])
    n_draw = int(round(float((m * (m - 1.0)).sum() / 2.0)))
    return alpha, int(n), n_units, d_o, d_e, (delta, weight, n_draw)


def _kalpha_boot(y, code, d_e, n_boot, seed):
    K = _kernels()
    delta, weight = K.kalpha_pairs(np.ascontiguousarray(y, dtype=float), code)
    return _kalpha_boot_pooled(delta, weight, delta.shape[0], d_e, n_boot, seed)


def _kalpha_boot_pooled(delta, weight, n_draw, d_e, n_boot, seed):
    """Hayes & Krippendorff's bootstrap from the pairs' differences and coincidence weights."""
    K = _kernels()
    # pool pairs with equal differences: same distribution, smaller alias table
    uniq, inv = np.unique(delta, return_inverse=True)
    wsum = np.bincount(inv, weights=weight, minlength=uniq.shape[0])
    keep = wsum > 0
    prob, alias = K.alias_table(np.ascontiguousarray(wsum[keep]))
    vals = np.ascontiguousarray(uniq[keep])
    scaled = _dyadic_integers(vals, int(n_draw))
    if scaled is not None:  # the same numbers, summed exactly in integers
        return K.kalpha_bootstrap_scaled(scaled[0], scaled[1], prob, alias, int(n_draw), float(d_e),
                                         np.uint64(seed), int(n_boot))
    return K.kalpha_bootstrap(vals, prob, alias, int(n_draw), float(d_e), np.uint64(seed), int(n_boot))


def _dyadic_integers(values: np.ndarray, n_terms: int):
    """``(values / 2**-m as int64, 2**-m)`` for the smallest ``m`` (0..63) that makes every value a whole
    multiple of ``2**-m``, provided ``n_terms`` of them add up to less than 2**53 in absolute value; else None.

    Then every partial sum of up to ``n_terms`` values is exactly representable, so a floating-point sum in any
    order equals the integer sum times ``2**-m`` (the squared differences of ratings in steps of 1, 0.5 or 0.25
    are such numbers; differences of weights such as 1/3 are not).
    """
    if values.size == 0 or not np.isfinite(values).all():
        return None
    for m in range(64):
        s = np.ldexp(values, m)
        if (s == np.floor(s)).all():
            break
    else:
        return None
    top = float(np.abs(s).max())
    if top >= 2.0**53 or int(top) * max(n_terms, 1) >= 2**53:
        return None
    return np.ascontiguousarray(s.astype(np.int64)), math.ldexp(1.0, -m)


# ==========================================================================
# rwg
# ==========================================================================


def _null_variance(n_options, null_variance):
    if null_variance is not None:
        v = float(null_variance)
        if not (v > 0 and math.isfinite(v)):
            raise ValueError(f"null_variance must be a positive number; got {null_variance!r}.")
        return v
    a = check_positive_int(n_options, "n_options", minimum=2)
    return (a * a - 1.0) / 12.0


def _check_on_scale(x: np.ndarray, where, n_options, scale_min, name: str = "ratings") -> None:
    """Ratings must be among the ``n_options`` scale points ``scale_min, scale_min + 1, ...``.

    ``where(i)`` describes the position of the ``i``-th (flattened) value.
    """
    lo = check_real(scale_min, "scale_min")
    hi = lo + check_positive_int(n_options, "n_options", minimum=2) - 1
    bad = ~np.isnan(x) & ((x < lo) | (x > hi))
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"{name} holds {float(x.ravel()[i]):g} at {where(i)} ({int(bad.sum())} in all), outside the "
            f"{int(n_options)}-point scale {lo:g}-{hi:g} (n_options={n_options!r}, scale_min={scale_min!r}). "
            "Correct the rating, or give the scale's true n_options and scale_min."
        )


def rwg(ratings, *, n_options=5, null_variance=None, scale_min=1) -> Estimate:
    r"""Within-group agreement ``r_wg`` of a panel rating one candidate on one dimension.

    .. math:: r_{wg} = 1 - s_x^2 / \sigma_{EU}^2,\qquad \sigma_{EU}^2 = (A^2 - 1)/12

    ``s_x^2`` is the variance (n - 1 denominator) of the panel's ratings and
    ``sigma_EU^2`` the variance of a uniform ("no agreement") response over
    ``A = n_options`` scale points (James, Demaree & Wolf 1984).  Values below
    0 (more disagreement than random responding) are truncated to 0 as
    LeBreton & Senter (2008) recommend; the raw value is in ``extra["raw"]``.

    Parameters
    ----------
    ratings : array-like
        The panel's ratings (NaN ignored); at least 2.
    n_options : int
        Number of scale points (5 for the PermenPANRB 1-5 levels).
    null_variance : float, optional
        Another null variance (e.g. for a skewed null) instead of the uniform.
    scale_min : float
        The lowest scale point (1 for the 1-5 levels).  With the uniform null
        (``null_variance=None``) every rating must be one of the ``n_options``
        points ``scale_min, ..., scale_min + n_options - 1``; a value off the
        scale (a 7 on a five-point scale) is an error naming it and its
        position, since the null variance would not describe the ratings.

    Examples
    --------
    >>> from psikometri.agreement import rwg
    >>> rwg([3, 3, 4, 3], n_options=5).value
    0.875
    """
    x = np.asarray(ratings, dtype=float).ravel()
    if null_variance is None:
        idx = ratings.index if isinstance(ratings, pd.Series) else None
        _check_on_scale(x, (lambda i: f"row {plain(idx[i])!r}") if idx is not None else (lambda i: f"position {i}"),
                        n_options, scale_min)
    x = x[~np.isnan(x)]
    if x.size < 2:
        raise ValueError(f"rwg needs at least 2 ratings of the candidate; got {x.size}.")
    ev = _null_variance(n_options, null_variance)
    s2 = float(x.var(ddof=1))
    raw = 1.0 - s2 / ev
    return Estimate(value=max(raw, 0.0), n=int(x.size), method="rwg",
                    note="truncated to 0 (observed variance exceeds the null)" if raw < 0 else "",
                    extra={"raw": raw, "variance": s2, "null_variance": ev})


def rwg_j(ratings, *, n_options=5, null_variance=None, scale_min=1) -> Estimate:
    r"""Multi-item within-group agreement ``r_wg(J)`` of a panel rating one candidate.

    .. math:: r_{wg(J)} = \frac{J(1 - \bar s^2/\sigma_{EU}^2)}{J(1 - \bar s^2/\sigma_{EU}^2) + \bar s^2/\sigma_{EU}^2}

    where ``J`` is the number of items (competencies) and ``sbar^2`` the mean
    of the items' rating variances (James, Demaree & Wolf 1984, eq. 9).
    Truncated to 0 when ``sbar^2 > sigma_EU^2`` (LeBreton & Senter 2008).

    Parameters
    ----------
    ratings : pandas.DataFrame or 2-D array
        Rows = panel members (assessors), columns = items (competencies).
    n_options, null_variance, scale_min
        As in :func:`rwg` (ratings off the scale are an error naming their row
        and column).

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import rwg_j
    >>> d = pd.DataFrame({"int": [3, 3, 4], "kom": [4, 4, 4], "kerj": [2, 3, 3]})
    >>> round(rwg_j(d, n_options=5).value, 3)
    0.96
    """
    wide = _wide_numeric(check_dataframe(ratings, "ratings"), "ratings")
    x = wide.to_numpy()
    if null_variance is None:
        _check_on_scale(x, lambda i: first_bad_cells(np.eye(1, x.size, i, dtype=bool).reshape(x.shape), wide.index,
                                                      wide.columns), n_options, scale_min)
    if x.shape[1] < 1 or x.shape[0] < 2:
        raise ValueError(f"ratings needs at least 2 rows (panel members) and 1 item column; got shape {x.shape}.")
    ev = _null_variance(n_options, null_variance)
    var = np.array([np.var(c[~np.isnan(c)], ddof=1) if (~np.isnan(c)).sum() >= 2 else np.nan for c in x.T])
    if np.isnan(var).all():
        raise ValueError("no item has two or more ratings; rwg_j is undefined.")
    J = int((~np.isnan(var)).sum())
    ratio = float(np.nanmean(var)) / ev
    raw = J * (1.0 - ratio) / (J * (1.0 - ratio) + ratio)
    val = raw if ratio <= 1.0 else 0.0
    return Estimate(value=max(val, 0.0), n=int(x.shape[0]), method="rwg_j",
                    note="truncated to 0 (mean variance exceeds the null)" if ratio > 1.0 else "",
                    extra={"raw": raw, "mean_variance": ratio * ev, "null_variance": ev, "n_items": J})


# ==========================================================================
# assessor diagnostics
# ==========================================================================


def _coded_group_pearson(group, n_groups: int, x, y, min_n: int) -> np.ndarray:
    """Pearson correlation of ``x`` and ``y`` within integer-coded groups, on rows where both are present.

    ``NaN`` for groups with fewer than ``min_n`` complete rows or no variation.
    """
    ok = ~(np.isnan(x) | np.isnan(y))
    g, xo, yo = group[ok], x[ok], y[ok]
    n = np.bincount(g, minlength=n_groups).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.bincount(g, weights=xo, minlength=n_groups) / n
        my = np.bincount(g, weights=yo, minlength=n_groups) / n
        dx, dy = xo - mx[g], yo - my[g]
        sxy = np.bincount(g, weights=dx * dy, minlength=n_groups)
        sxx = np.bincount(g, weights=dx * dx, minlength=n_groups)
        syy = np.bincount(g, weights=dy * dy, minlength=n_groups)
        tiny = 1e-12 * (1.0 + float(np.nanmax(np.abs(np.concatenate([xo, yo])), initial=0.0))) ** 2
        r = sxy / np.sqrt(sxx * syy)
    return np.where((n >= min_n) & (sxx > tiny) & (syy > tiny), r, np.nan)


def assessor_diagnostics(
    ratings,
    *,
    candidate="candidate",
    competency="competency",
    exercise="exercise",
    assessor="assessor",
    score="score",
    level=0.95,
    min_effect=0.25,
    spread_threshold=0.67,
    halo_threshold=0.80,
    halo_margin=0.10,
    agreement_threshold=0.50,
) -> pd.DataFrame:
    r"""Rating behaviour of every assessor: leniency/severity, central tendency, halo and agreement.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long-format AC ratings, one row per candidate x competency x exercise x
        assessor (column names set by the keyword arguments).
    candidate, competency, exercise, assessor, score : str
        Column names.
    level : float
        Confidence level of the leniency interval.
    min_effect : float
        Smallest mean deviation (scale points) worth flagging as lenient/severe.
    spread_threshold : float
        Central tendency flag when ``spread_ratio`` is below this.
    halo_threshold : float
        Halo flag when the mean within-exercise correlation between
        competencies exceeds this ...
    halo_margin : float
        ... and exceeds the co-assessors' halo on the same candidates
        (``halo_co_assessors``) by more than this: when the candidates truly
        differ in general level, every assessor's competency ratings
        correlate, and only an excess over the co-assessors is the
        assessor's own halo.
    agreement_threshold : float
        Low-agreement flag when the correlation with the co-assessors'
        consensus is below this.

    Returns
    -------
    pandas.DataFrame
        One row per assessor (index ``assessor``) with columns

        ``n_ratings``        ratings given;
        ``n_shared``         ratings on cells (candidate x competency x
                             exercise) that at least one other assessor also rated;
        ``leniency``         mean of ``score - consensus`` over shared cells, where
                             the consensus is the mean of the *other*
                             assessors' scores on the cell (positive = lenient,
                             negative = severe);
        ``leniency_se``, ``ci_low``, ``ci_high``  standard error (sd / sqrt(n_shared))
                             and t interval of the leniency;
        ``spread``           sd of all the assessor's scores;
        ``spread_ratio``     sd of the assessor's scores on shared cells divided by
                             the sd of the co-assessors' scores on the same cells
                             (below 1 = narrower use of the scale);
        ``halo``             mean correlation between competencies within an
                             exercise, across the candidates the assessor rated
                             (average over exercises with >= 3 candidates and
                             >= 2 competencies, weighted by candidates);
        ``halo_co_assessors``  the halo of the co-assessors who rated the same
                             candidates in the same exercise, weighted by the
                             candidates shared;
        ``agreement_r``      correlation between the assessor's scores and the
                             consensus on shared cells (>= 3 cells);
        ``exact_agreement``  share of co-rated pairs with identical scores;
        ``severity``         "lenient", "severe" or "";
        ``central_tendency``, ``halo_flag``, ``low_agreement``, ``flagged``  booleans;
        ``flag_summary``     the raised flags as text (e.g. "lenient, halo").

    Notes
    -----
    Flag rules (all thresholds are parameters):

    * lenient/severe: the leniency interval excludes 0 **and**
      ``|leniency| >= min_effect``;
    * central tendency: ``spread_ratio < spread_threshold``;
    * halo: ``halo > halo_threshold`` and ``halo - halo_co_assessors >
      halo_margin`` (the second condition is dropped when no co-assessor rated
      the same candidates);
    * low agreement: ``agreement_r < agreement_threshold``.

    The leniency interval treats the assessor's deviations as independent;
    deviations on one candidate are correlated, so with few candidates read the
    interval as approximate.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from psikometri.agreement import assessor_diagnostics
    >>> rng = np.random.default_rng(1)
    >>> rows = [(c, k, e, a, 3 + (a == "A3") * 1.0 + rng.normal(0, 0.5))
    ...         for c in range(20) for k in ("INT", "KOM") for e in ("LGD", "RP")
    ...         for a in ("A1", "A2", "A3")]
    >>> d = pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "assessor", "score"])
    >>> assessor_diagnostics(d)["severity"].to_dict()
    {'A1': 'severe', 'A2': 'severe', 'A3': 'lenient'}
    """
    level = check_level(level)
    df = check_dataframe(ratings, "ratings")
    cols = [candidate, competency, exercise, assessor, score]
    check_columns(df, cols, "ratings")
    d = df[cols]
    d.columns = ["candidate", "competency", "exercise", "assessor", "score"]  # a relabelled view, df untouched
    s = d["score"]
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna() & s.notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise TypeError(
                f"ratings column {score!r} is not numeric: row {plain(df.index[pos])!r} holds {plain(s.iloc[pos])!r}. "
                "Recode the scores as numbers."
            )
        s = conv
    y_all = s.to_numpy(dtype=np.float64, na_value=np.nan)
    keys = ["candidate", "competency", "exercise"]
    for c in keys + ["assessor"]:
        miss = d[c].isna().to_numpy()
        if miss.any():
            pos = int(np.flatnonzero(miss)[0])
            raise ValueError(f"ratings column {plain(dict(zip(d.columns, cols))[c])!r} is empty at row "
                             f"{plain(df.index[pos])!r}.")
    rows = np.flatnonzero(~np.isnan(y_all))  # the rows with a score, as positions in ratings
    if not len(rows):
        raise ValueError("ratings holds no score.")
    y = y_all[rows]
    if np.isinf(y).any():
        raise ValueError(f"ratings column {score!r} holds infinite values; replace them with NaN or valid scores.")
    # ids as sorted integer codes, once; repeats found from the codes
    every = len(rows) == len(d)
    cc = {c: sorted_codes(d[c] if every else d[c].iloc[rows]) for c in keys + ["assessor"]}
    sizes = [len(cc[c][1]) for c in keys + ["assessor"]]
    codes = [np.asarray(cc[c][0], dtype=np.int64) for c in keys + ["assessor"]]
    cell_code = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    full = cell_code * sizes[3] + codes[3]
    order = np.argsort(full, kind="stable")
    fs = full[order]
    rep = np.flatnonzero(fs[1:] == fs[:-1])
    if len(rep):
        pos = int(rows[order[rep[0]]])
        r = {c: d[c].iloc[pos] for c in keys + ["assessor"]}
        raise ValueError(
            f"ratings has more than one score by assessor {plain(r['assessor'])!r} for candidate "
            f"{plain(r['candidate'])!r}, "
            f"competency {plain(r['competency'])!r}, exercise {plain(r['exercise'])!r}. Keep one score per cell and "
            "assessor (e.g. the pre-discussion rating)."
        )
    if sizes[3] < 2:
        raise ValueError("ratings has a single assessor; diagnostics compare assessors with each other.")
    st = _assessor_statistics(y, codes[0], codes[1], codes[2], codes[3], sizes, cell_code, order)
    with np.errstate(invalid="ignore", divide="ignore"):
        tq = special.stdtrit(np.maximum(st["n_shared"] - 1, 1).astype(np.float64), 0.5 + level / 2)
        tq[st["n_shared"] < 2] = np.nan
        ci_low = st["leniency"] - tq * st["leniency_se"]
        ci_high = st["leniency"] + tq * st["leniency_se"]
        spread_ratio = st["own_sd"] / np.where(st["other_sd"] > 0, st["other_sd"], np.nan)
    sev = np.where((ci_low > 0) & (st["leniency"] >= min_effect), "lenient",
                   np.where((ci_high < 0) & (st["leniency"] <= -min_effect), "severe", ""))
    central = spread_ratio < spread_threshold  # NaN compares False
    excess = st["halo"] - st["halo_co"]
    relative = np.isnan(excess) | (excess > halo_margin)
    halo_flag = (st["halo"] > halo_threshold) & relative
    low = st["agreement_r"] < agreement_threshold
    flagged = (sev != "") | central | halo_flag | low
    names = []
    for sev_, ct, hf, la in zip(sev.tolist(), central.tolist(), halo_flag.tolist(), low.tolist()):
        f = [sev_] if sev_ else []
        f += [n for n, c in (("central tendency", ct), ("halo", hf), ("low agreement", la)) if c]
        names.append(", ".join(f))
    index = _group_labels(d["assessor"] if every else d["assessor"].iloc[rows], codes[3], cc["assessor"][1], "assessor")
    out = pd.DataFrame({
        "n_ratings": st["n_ratings"], "n_shared": st["n_shared"], "leniency": st["leniency"],
        "leniency_se": st["leniency_se"], "ci_low": ci_low, "ci_high": ci_high, "spread": st["spread"],
        "spread_ratio": spread_ratio, "halo": st["halo"], "halo_co_assessors": st["halo_co"],
        "agreement_r": st["agreement_r"], "exact_agreement": st["exact"], "severity": sev,
        "central_tendency": central, "halo_flag": halo_flag, "low_agreement": low, "flagged": flagged,
        "flag_summary": names,
    }, index=index)
    return out


def _group_labels(col: pd.Series, codes: np.ndarray, uniq: pd.Index, name: str) -> pd.Index:
    """The index ``col.groupby(col)`` gives its groups, from the sorted codes and labels of ``col``.

    Labels held as Python objects get the dtype pandas infers for a group index (str, int64, float64, ...),
    from the first value of each group as it stands in ``col``.
    """
    if col.dtype == object:
        _, first = np.unique(codes, return_index=True)
        uniq = pd.Index(col.to_numpy()[first], dtype=object).infer_objects()
    return uniq.rename(name)


def _grouped_mean_sd(g, n_groups: int, v):
    """Count, mean and sd (ddof 1) of ``v`` within integer-coded groups ``g``; NaN where undefined."""
    n = np.bincount(g, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=v, minlength=n_groups) / n
        dev = v - mean[g]
        sd = np.sqrt(np.bincount(g, weights=dev * dev, minlength=n_groups) / (n - 1))
    sd[n < 2] = np.nan
    return n, mean, sd


def _ordered_pairs(group):
    """Every ordered pair ``(p, q)``, ``p != q``, of positions with equal ``group`` (``group`` sorted)."""
    n = len(group)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    bounds = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1], [True])))
    size = np.diff(bounds)
    sz = np.repeat(size, size)  # size of each position's group
    p = np.repeat(np.arange(n), sz)
    q = np.repeat(np.repeat(bounds[:-1], size), sz) + (np.arange(len(p)) - np.repeat(np.cumsum(sz) - sz, sz))
    keep = p != q
    return p[keep], q[keep]


def _assessor_statistics(y, cand, comp, exer, asr, sizes, cell_code, order) -> dict:
    """Per-assessor arrays of :func:`assessor_diagnostics` from the scores ``y`` and the integer id codes.

    ``sizes``: numbers of candidates, competencies, exercises and assessors; ``cell_code``: candidate x
    competency x exercise key of each rating; ``order``: the ratings sorted by cell, then assessor.
    """
    n_c, n_k, n_e, n_a = sizes
    # cells: the consensus of a rating is the mean of the other assessors' scores on its cell
    cs = cell_code[order]
    new = np.concatenate(([True], cs[1:] != cs[:-1]))
    cell_id = np.empty(len(y), dtype=np.int64)
    cell_id[order] = np.cumsum(new) - 1
    cell_n = np.bincount(cell_id)[cell_id]
    cell_sum = np.bincount(cell_id, weights=y)[cell_id]
    shared = cell_n >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        consensus = np.where(shared, (cell_sum - y) / np.maximum(cell_n - 1, 1), np.nan)
    dev = y - consensus
    n_ratings, _, spread = _grouped_mean_sd(asr, n_a, y)
    a_sh = asr[shared]
    n_shared, leniency, dev_sd = _grouped_mean_sd(a_sh, n_a, dev[shared])
    with np.errstate(invalid="ignore", divide="ignore"):
        leniency_se = dev_sd / np.sqrt(n_shared)
    _, _, own_sd = _grouped_mean_sd(a_sh, n_a, y[shared])
    # co-rated pairs: (an assessor's score, another assessor's score on the same cell)
    p, q = _ordered_pairs(cs)
    pa = asr[order[p]]
    _, _, other_sd = _grouped_mean_sd(pa, n_a, y[order[q]])
    n_pairs = np.bincount(pa, minlength=n_a)
    with np.errstate(invalid="ignore", divide="ignore"):
        exact = np.bincount(pa, weights=(y[order[p]] == y[order[q]]).astype(np.float64), minlength=n_a) / n_pairs
    agreement_r = _coded_group_pearson(a_sh, n_a, y[shared], consensus[shared], 3)
    # halo: mean correlation between competencies within assessor x exercise, across candidates
    # (assessor x exercise) groups x candidates x competencies, scattered from the codes
    grp_key = asr * n_e + exer
    row_key, row_id = np.unique(grp_key * n_c + cand, return_inverse=True)
    row_id = row_id.ravel()
    X = np.full((len(row_key), n_k), np.nan)
    X[row_id, comp] = y
    grp_keys, grp_of_row = np.unique(row_key // n_c, return_inverse=True)
    grp_of_row = grp_of_row.ravel()
    n_grp = len(grp_keys)
    ncand = np.bincount(grp_of_row, minlength=n_grp)
    fin = np.isfinite(X)
    rs = [_coded_group_pearson(grp_of_row, n_grp, X[:, i], X[:, j], 3)
          for i in range(n_k) for j in range(i + 1, n_k)
          if (fin[:, i] & fin[:, j]).any()]  # a pair never rated together adds only NaN, which nanmean skips
    if rs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # groups with no defined r: NaN, as intended
            rg = np.nanmean(np.column_stack(rs), axis=1)
    else:
        rg = np.full(n_grp, np.nan)
    ok = ~np.isnan(rg)
    g_asr = grp_keys // n_e
    with np.errstate(invalid="ignore", divide="ignore"):
        halo = (np.bincount(g_asr[ok], weights=rg[ok] * ncand[ok], minlength=n_a)
                / np.bincount(g_asr[ok], weights=ncand[ok].astype(np.float64), minlength=n_a))
    # the same quantity for the co-assessors who rated the same candidates in the same exercise, weighted by the
    # candidates shared: a high halo that the co-assessors share reflects the candidates, not the assessor
    r_asr, r_rest = row_key // (n_e * n_c), row_key % (n_e * n_c)  # row_key = (assessor x exercise) x candidate
    eo = np.argsort(r_rest, kind="stable")
    p, q = _ordered_pairs(r_rest[eo])
    a1, a2, e = r_asr[eo[p]], r_asr[eo[q]], r_rest[eo[p]] // n_c
    wkey, w = np.unique((a1 * n_a + a2) * n_e + e, return_counts=True)
    grp_index = np.full(n_a * n_e, -1, dtype=np.int64)
    grp_index[grp_keys] = np.arange(n_grp)
    a1, a2, e = wkey // (n_a * n_e), (wkey // n_e) % n_a, wkey % n_e
    rgw = rg[grp_index[a2 * n_e + e]]
    okw = ~np.isnan(rgw)
    with np.errstate(invalid="ignore", divide="ignore"):
        halo_co = (np.bincount(a1[okw], weights=w[okw] * rgw[okw], minlength=n_a)
                   / np.bincount(a1[okw], weights=w[okw].astype(np.float64), minlength=n_a))
    return {"n_ratings": n_ratings, "n_shared": n_shared, "leniency": leniency, "leniency_se": leniency_se,
            "spread": spread, "own_sd": own_sd, "other_sd": other_sd, "exact": exact, "agreement_r": agreement_r,
            "halo": halo, "halo_co": halo_co}


# ==========================================================================
# Pairing the ratings of a cell
# ==========================================================================


def _rating_scores(df: pd.DataFrame, score: str) -> pd.Series:
    """The ``score`` column of long ratings as numbers (missing stays NaN); a non-number is an error naming it."""
    y = pd.to_numeric(df[score], errors="coerce")
    bad = y.isna() & df[score].notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"ratings column {score!r} holds a non-number {plain(df[score].iloc[pos])!r} (row "
                         f"{plain(df.index[pos])!r}). Fix or remove that rating.")
    return y


def cell_ratings(ratings, *, cell=("candidate", "competency", "exercise"), assessor="assessor", score="score",
                 min_ratings=2) -> pd.DataFrame:
    """The ratings of each AC cell side by side: cells (rows) x assessor slots (columns).

    A cell is what several assessors rate independently: by default one
    candidate on one competency in one exercise.  The agreement coefficients
    (:func:`icc`, :func:`krippendorff_alpha`, ...) take this table.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long format, one row per rating.
    cell : sequence of str
        Columns that identify a cell.
    assessor, score : str
        Column names of the assessor and the rating.
    min_ratings : int
        Cells with fewer ratings (non-missing scores) are left out; 2 keeps
        every cell that at least two assessors rated.

    Returns
    -------
    pandas.DataFrame
        Index: the cell columns (cells in sorted order of their keys);
        columns ``rating_1 ... rating_k``, ``k`` the largest number of ratings
        of a cell; ``NaN`` where a cell has fewer.  ``attrs``:
        ``n_cells`` (cells with at least one rating), ``n_cells_used``,
        ``n_ratings_used``, ``max_ratings`` and ``assessors`` (a frame of the
        same shape with the assessor of each rating).

    Notes
    -----
    Slot ``j`` of a cell holds the rating of the cell's assessor with the
    ``j``-th smallest id: the table depends on the data, never on the order of
    the rows, and every rating of every cell with ``min_ratings`` or more
    ratings is kept (cells with three or more ratings fill three or more
    slots; the slots are exchangeable, as in Shrout & Fleiss's Case 1 where
    each target is rated by a different set of raters).  A second rating by
    the same assessor of the same cell is an error.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import cell_ratings
    >>> r = pd.DataFrame({"candidate": ["c1", "c1", "c2", "c2", "c2", "c3"],
    ...                   "competency": "integritas", "exercise": "wawancara",
    ...                   "assessor": ["B", "A", "A", "C", "B", "A"], "score": [3, 4, 2, 3, 2, 5]})
    >>> tab = cell_ratings(r)
    >>> tab.droplevel(["competency", "exercise"]).to_numpy().tolist()
    [[4.0, 3.0, nan], [2.0, 2.0, 3.0]]
    >>> tab.attrs["n_cells"], tab.attrs["n_cells_used"], tab.attrs["n_ratings_used"]
    (3, 2, 5)
    """
    df = check_dataframe(ratings, "ratings")
    cell = [cell] if isinstance(cell, str) else list(cell)
    if not cell:
        raise ValueError("cell must name at least one column, e.g. cell=('candidate', 'competency', 'exercise').")
    check_columns(df, cell + [assessor, score], "ratings")
    min_ratings = check_positive_int(min_ratings, "min_ratings")
    y = _rating_scores(df, score)
    keep = y.notna().to_numpy()
    if not keep.any():
        raise ValueError(f"ratings has no rating with a score in column {score!r}.")
    sub = df.loc[keep, cell + [assessor]]
    yv = y.to_numpy(dtype=np.float64)[keep]
    # codes in sorted order of the values: the same table whatever the row order
    ccodes = [pd.factorize(sub[c], sort=True) for c in cell]
    key = np.zeros(len(sub), dtype=np.int64)
    for codes, uniq in ccodes:
        key = key * np.int64(len(uniq)) + codes.astype(np.int64)
    cell_uniq, cell_code = np.unique(key, return_inverse=True)
    cell_code = cell_code.ravel()
    a_code, a_uniq = pd.factorize(sub[assessor], sort=True)
    if (a_code < 0).any():
        pos = int(np.flatnonzero(a_code < 0)[0])
        raise ValueError(f"ratings has a rating without an assessor (row {plain(sub.index[pos])!r}, column "
                         f"{assessor!r}). Fill in the assessor or drop the row.")
    order = np.lexsort((a_code, cell_code))
    cc, ac = cell_code[order], a_code[order]
    same = (cc[1:] == cc[:-1]) & (ac[1:] == ac[:-1])
    if same.any():
        i = int(np.flatnonzero(same)[0])
        rows = sorted([sub.index[order[i]], sub.index[order[i + 1]]], key=str)
        vals = ", ".join(f"{c}={plain(sub[c].iloc[order[i]])!r}" for c in cell)
        raise ValueError(
            f"assessor {plain(sub[assessor].iloc[order[i]])!r} rated the cell ({vals}) more than once (rows "
            f"{plain(rows[0])!r} and {plain(rows[1])!r}). Keep one rating per assessor and cell (for pre/post "
            "consensus ratings use a 'round' column and select one round)."
        )
    counts = np.bincount(cc, minlength=len(cell_uniq))
    start = np.zeros(len(cell_uniq) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    slot = np.arange(len(cc)) - start[cc]
    used = counts >= min_ratings
    k = int(counts[used].max()) if used.any() else 0
    new_id = np.cumsum(used) - 1
    n_used = int(used.sum())
    vals = np.full((n_used, k), np.nan)
    who = np.full((n_used, k), None, dtype=object)
    sel = used[cc]
    vals[new_id[cc[sel]], slot[sel]] = yv[order][sel]
    who[new_id[cc[sel]], slot[sel]] = np.asarray(a_uniq, dtype=object)[ac[sel]]
    # the cell keys of the used cells, decoded from the first row of each
    first = order[start[:-1][used]]
    index = pd.MultiIndex.from_arrays([sub[c].to_numpy()[first] for c in cell], names=cell) if len(cell) > 1 else \
        pd.Index(sub[cell[0]].to_numpy()[first], name=cell[0])
    cols = [f"rating_{j + 1}" for j in range(k)]
    out = pd.DataFrame(vals, index=index, columns=cols)
    out.attrs.update(n_cells=int(len(cell_uniq)), n_cells_used=n_used, n_ratings_used=int(sel.sum()),
                     max_ratings=k, min_ratings=int(min_ratings),
                     assessors=pd.DataFrame(who, index=index, columns=cols))
    return out


def consensus_change(ratings, *, round="round", independent=None, consensus=None,
                     cell=("candidate", "competency", "exercise"), by="competency", score="score") -> pd.DataFrame:
    """How the assessors' consensus discussion moved the ratings of each cell.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long format with a round column holding the independent
        (pre-consensus) and the consensus round.
    round : str
        Name of the round column.
    independent, consensus : str, optional
        Names of the two rounds.  By default the independent round is found
        by :func:`psikometri.io.independent_round` and the consensus round is
        the only other one.
    cell : sequence of str
        Columns that identify a cell.
    by : str or None
        Column to break the table down by (one row per level, plus
        ``"overall"``); ``None`` for the overall row only.
    score : str
        Column of the ratings.

    Returns
    -------
    pandas.DataFrame
        Columns ``n_cells`` (cells rated in both rounds), ``mean_independent``
        (mean over cells of the mean independent rating), ``mean_consensus``,
        ``mean_change`` (consensus - independent), ``mean_abs_change`` and
        ``share_outside_range`` (share of cells whose consensus lies outside
        the range of the independent ratings, which a consensus should not
        do).  ``attrs``: ``independent`` and ``consensus`` (the round names).

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.agreement import consensus_change
    >>> r = pd.DataFrame({"candidate": ["a"] * 3 + ["b"] * 3, "competency": "integritas",
    ...                   "exercise": "wawancara", "assessor": ["A1", "A2", "panel"] * 2,
    ...                   "round": ["pre", "pre", "post"] * 2, "score": [3, 4, 4, 2, 2, 3]})
    >>> consensus_change(r).loc["overall", ["n_cells", "mean_change", "share_outside_range"]].tolist()
    [2.0, 0.75, 0.5]
    """
    from .io import independent_round

    df = check_dataframe(ratings, "ratings")
    cell = [cell] if isinstance(cell, str) else list(cell)
    check_columns(df, cell + [round, score] + ([by] if by else []), "ratings")
    names = sorted({str(v) for v in df[round].dropna()})
    indep = independent_round(names, independent)
    others = [n for n in names if n != indep]
    if consensus is None:
        if len(others) != 1:
            raise ValueError(f"cannot tell the consensus round among {others} (independent round {indep!r}). Pass "
                             "consensus= with its name.")
        consensus = others[0]
    elif str(consensus) not in others:
        raise ValueError(f"consensus={consensus!r} is not a round of the data other than {indep!r}; the rounds are "
                         f"{names}.")
    consensus = str(consensus)
    y = _rating_scores(df, score)
    rnd = df[round].astype(str)
    keys = cell + ([by] if by and by not in cell else [])
    base = df[keys].assign(_y=y.to_numpy())
    pre = base[rnd.to_numpy() == indep].dropna(subset=["_y"]).groupby(keys, observed=True)["_y"].agg(
        ["mean", "min", "max"])
    post = base[rnd.to_numpy() == consensus].dropna(subset=["_y"]).groupby(keys, observed=True)["_y"].mean()
    both = pre.join(post.rename("consensus"), how="inner")
    if both.empty:
        raise ValueError(f"no cell has ratings in both rounds {indep!r} and {consensus!r}; check the cell columns "
                         f"{cell} and the round names.")
    both["change"] = both["consensus"] - both["mean"]
    both["outside"] = (both["consensus"] < both["min"] - 1e-12) | (both["consensus"] > both["max"] + 1e-12)

    def summarise(t):
        return pd.Series({"n_cells": float(len(t)), "mean_independent": t["mean"].mean(),
                          "mean_consensus": t["consensus"].mean(), "mean_change": t["change"].mean(),
                          "mean_abs_change": t["change"].abs().mean(), "share_outside_range": t["outside"].mean()})

    rows = {}
    if by:
        for level, t in both.groupby(level=by, observed=True, sort=True):
            rows[level] = summarise(t)
    rows["overall"] = summarise(both)
    out = pd.DataFrame(rows).T
    out.index.name = by or "group"
    out.attrs.update(independent=indep, consensus=consensus)
    return out
