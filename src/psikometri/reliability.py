r"""Reliability of tests, questionnaires and composites of assessment-centre ratings.

Every function takes a DataFrame of items (rows = respondents, columns = items,
numbers, ``NaN`` = missing answer) and returns either an
:class:`~psikometri.Estimate`, a tidy :class:`pandas.DataFrame` / ``Series`` or a
small results object.  Reverse-keyed items are declared with ``reverse=[...]``
and rescored as ``min + max - x`` on the scale given by ``scale_range=(min, max)``.

The coefficients match R's psych package (Revelle 2024):

========================  =================================================
psikometri                R
========================  =================================================
cronbach_alpha            ``psych::alpha(x)$total`` (``raw_alpha``, ``std.alpha``), ``$feldt``
guttman_lambdas           ``psych::guttman`` / ``psych::splitHalf`` (``standardized=True``)
split_half                ``psych::splitHalf(x, covar = TRUE)`` (``standardized=False``)
item_analysis             ``psych::alpha(x)$item.stats``, ``$alpha.drop``
omega, omega_total        ``psych::omega(x, nfactors = 3)`` / ``nfactors = 1``
========================  =================================================

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika*, 16, 297-334.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient alpha.
*Applied Psychological Measurement*, 11, 93-103.
Guttman, L. (1945). A basis for analyzing test-retest reliability. *Psychometrika*, 10, 255-282.
McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions. *Psychometrika*, 22, 53-61.
Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and the glb. *Psychometrika*, 74, 145-154.
Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*. Chapman & Hall.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._resampling import bca_interval, percentile_interval, resolve_seed
from ._results import Estimate
from ._threads import single_threaded_blas
from ._validation import (
    check_choice,
    check_columns,
    check_items,
    check_level,
    check_positive_int,
    plain,
    validates_seed,
)

__all__ = [
    "OmegaResult",
    "SplitHalfResult",
    "cronbach_alpha",
    "guttman_lambdas",
    "item_analysis",
    "omega",
    "omega_total",
    "reliability_summary",
    "sem",
    "spearman_brown",
    "split_half",
]

_MAX_EXHAUSTIVE_ITEMS = 20
_MAX_UNDEFINED_SHARE = 0.10  # more undefined bootstrap replicates than this: no interval


# =========================================================================== preparation
def _check_missing(missing: str) -> str:
    return check_choice(missing, ("listwise", "pairwise"), "missing")


def _prepare(items, reverse=None, scale_range=None, missing="listwise", min_items=2) -> tuple[pd.DataFrame, str]:
    """Validated float copy of ``items`` with reverse-keyed items rescored; returns (data, note)."""
    _check_missing(missing)
    df = check_items(items, name="items", min_items=min_items, min_rows=3, missing=missing)
    note = ""
    dropped = len(items) - df.shape[0] if hasattr(items, "__len__") else 0
    if dropped > 0:
        why = "with a missing answer (listwise deletion)" if missing == "listwise" else "without any answer"
        note = f"{dropped} respondent(s) {why} dropped"
    if reverse is None:
        reverse = []
    elif isinstance(reverse, (str, bytes)) or not hasattr(reverse, "__iter__"):
        reverse = [reverse]
    reverse = list(reverse)
    if scale_range is not None:
        ok = (
            isinstance(scale_range, (tuple, list, np.ndarray))
            and len(scale_range) == 2
            and all(isinstance(v, numbers.Real) and not isinstance(v, bool) and np.isfinite(v) for v in scale_range)
            and scale_range[0] < scale_range[1]
        )
        if not ok:
            raise ValueError(
                f"scale_range must be a pair (minimum, maximum) of numbers with minimum < maximum; got "
                f"scale_range={scale_range!r}. Pass e.g. scale_range=(1, 5) for a five-point scale."
            )
        lo, hi = float(scale_range[0]), float(scale_range[1])
        arr = df.to_numpy()
        bad = (arr < lo) | (arr > hi)
        if bad.any():
            r, c = (int(v[0]) for v in np.nonzero(bad))
            lab = plain(df.index[r])
            raise ValueError(
                f"items has a score outside scale_range={tuple(scale_range)!r}: row {lab!r}, column "
                f"{plain(df.columns[c])!r} holds {float(arr[r, c]):g}. Fix the score or give the scale's true minimum "
                "and maximum."
            )
    if reverse:
        dup = [c for c in set(reverse) if reverse.count(c) > 1]
        if dup:
            raise ValueError(f"reverse lists item(s) {dup} more than once. Name every reverse-keyed item once.")
        check_columns(df, reverse, name="items")
        if scale_range is None:
            lo, hi = float(np.nanmin(df.to_numpy())), float(np.nanmax(df.to_numpy()))
            note = "; ".join(filter(None, [note, (
                f"reverse-keyed items rescored as {lo:g} + {hi:g} - x (observed minimum and maximum; "
                "pass scale_range to set them)"
            )]))
        df = df.copy()
        for c in reverse:
            df[c] = lo + hi - df[c]
    return df, note


def _cov(df: pd.DataFrame, missing: str) -> np.ndarray:
    """Covariance matrix (listwise data are complete; pairwise uses pairwise-complete rows)."""
    if missing == "listwise":
        return np.cov(df.to_numpy(), rowvar=False, ddof=1)
    C = df.cov(min_periods=2).to_numpy()
    if np.isnan(C).any():
        i, j = (int(v[0]) for v in np.nonzero(np.isnan(C)))
        raise ValueError(
            f"items {plain(df.columns[i])!r} and {plain(df.columns[j])!r} are answered together by fewer than 2 "
            "respondents, so their pairwise covariance is undefined. Drop one of them or collect more complete "
            "responses."
        )
    return C


def _cor(df: pd.DataFrame, missing: str) -> np.ndarray:
    """Correlation matrix; with ``"pairwise"`` every correlation uses its pair's complete rows
    (R's ``cor(x, use = "pairwise")``, as psych::omega uses)."""
    if missing == "listwise":
        return _cov2cor(np.cov(df.to_numpy(), rowvar=False, ddof=1))
    _cov(df, missing)  # same check of the pairwise overlap
    R = df.corr(min_periods=2).to_numpy()
    if np.isnan(R).any():
        i, j = (int(v[0]) for v in np.nonzero(np.isnan(R)))
        raise ValueError(
            f"items {plain(df.columns[i])!r} and {plain(df.columns[j])!r} have no variance on the respondents who "
            "answered both, so their correlation is undefined. Drop one of them or use missing='listwise'."
        )
    return R


def _cov2cor(C: np.ndarray) -> np.ndarray:
    d = 1.0 / np.sqrt(np.diag(C))
    R = C * d[:, None] * d[None, :]
    np.fill_diagonal(R, 1.0)
    return R


def _alpha_cov(C: np.ndarray, standardized: bool) -> float:
    """Alpha of a covariance matrix; NaN when the total score has no variance (up to round-off: at most
    1e-10 of the summed item variances) or, for a pairwise matrix that no data could give, when alpha
    would exceed 1 (round-off just above 1 is set to 1)."""
    k = C.shape[0]
    M = _cov2cor(C) if standardized else C
    tot = M.sum()
    tr = np.trace(M)
    if not np.isfinite(tot) or not tot > 1e-10 * abs(tr):
        return math.nan
    a = float(k / (k - 1.0) * (1.0 - tr / tot))
    if a > 1.0:
        return 1.0 if a <= 1.0 + 1e-9 else math.nan
    return a


def _feldt(alpha: float, n: int, k: int, level: float) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) interval, as psych::alpha.ci and pingouin.cronbach_alpha."""
    df1 = n - 1
    df2 = df1 * (k - 1)
    a = (1.0 - level) / 2.0
    low = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - a, df1, df2)
    high = 1.0 - (1.0 - alpha) * stats.f.ppf(a, df1, df2)
    return float(low), float(high)


def _check_ci(ci, allowed):
    if ci is not None and ci not in allowed:
        raise ValueError(f"ci must be one of {list(allowed) + [None]}; got ci={ci!r}.")
    return ci


# =========================================================================== alpha
def _alpha_bootstrap(X: np.ndarray, standardized: bool, pairwise: bool, n_boot: int, seed: int) -> np.ndarray:
    from . import _reliability_kernels as K

    out = np.empty(n_boot)
    K.bootstrap_alpha(np.ascontiguousarray(X), np.uint64(seed), n_boot, standardized, pairwise, out)
    return out


def _alpha_jackknife(X: np.ndarray, standardized: bool, pairwise: bool) -> np.ndarray:
    from . import _reliability_kernels as K

    out = np.empty(X.shape[0])
    K.jackknife_alpha(np.ascontiguousarray(X), standardized, pairwise, out)
    return out


@validates_seed
def cronbach_alpha(
    items,
    *,
    standardized: bool = False,
    ci: str | None = "feldt",
    level: float = 0.95,
    n_boot: int = 2000,
    seed=None,
    missing: str = "listwise",
    reverse=None,
    scale_range=None,
) -> Estimate:
    r"""Cronbach's coefficient alpha with a confidence interval.

    .. math::

        \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_j \sigma^2_j}{\sigma^2_X}\right)

    for ``k`` items with variances :math:`\sigma^2_j` and total score variance
    :math:`\sigma^2_X` (the sum of the covariance matrix).  Standardized alpha is
    the same formula on the correlation matrix,
    :math:`k\bar r / (1 + (k-1)\bar r)`.

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items (numeric, ``NaN`` = missing).
    standardized : bool
        Alpha of the correlation matrix (psych's ``std.alpha``) instead of the
        covariance matrix (``raw_alpha``).
    ci : {"feldt", "bootstrap", "bca", None}
        Interval: Feldt's F-based interval (Feldt, Woodruff & Salih 1987, as
        psych::alpha.ci and pingouin), percentile bootstrap, bias-corrected and
        accelerated bootstrap (acceleration from the jackknife), or none.
    level : float
        Confidence level.
    n_boot : int
        Bootstrap replicates (``ci="bootstrap"`` or ``"bca"``).
    seed : None, int or numpy.random.Generator
        Seed of the bootstrap; the same seed gives the same interval whatever the
        number of threads.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` drops respondents with any missing item; ``"pairwise"``
        uses pairwise-complete covariances, as R psych::alpha does by default.
    reverse : list of str, optional
        Reverse-keyed items, rescored as ``min + max - x``.
    scale_range : (min, max), optional
        The response scale, e.g. ``(1, 5)``.  Without it the observed minimum and
        maximum over all items are used (as psych does) and ``note`` says so.

    Returns
    -------
    Estimate
        ``value`` = alpha, ``ci_low``/``ci_high``, ``se`` (standard deviation of the
        bootstrap replicates for bootstrap intervals), ``n`` = respondents used,
        ``extra`` = ``{"n_items", "bootstrap"}`` (the replicates, when drawn).

    Notes
    -----
    Matches ``psych::alpha(x)$total$raw_alpha`` (``std.alpha`` with
    ``standardized=True``) and ``psych::alpha(x)$feldt`` for the interval, and
    ``pingouin.cronbach_alpha``.  The Feldt interval is
    :math:`[1-(1-\hat\alpha)F_{1-a/2},\ 1-(1-\hat\alpha)F_{a/2}]` with
    :math:`F(n-1, (n-1)(k-1))` quantiles; with ``missing="pairwise"`` ``n`` counts
    every respondent with at least one answer (respondents who answered nothing
    are dropped and ``note`` says how many).  ``psych::alpha`` counts every row,
    answered or not, so the two Feldt intervals agree (to 1e-6) only when no row
    is empty: on the 1,000 bfi respondents of the tests plus 12 empty rows
    psych uses n = 1012 and its bounds differ from these by 1.1e-4 (they are
    ``psych::alpha.ci(alpha, 1000, k)``).  Bootstrap
    replicates are computed from multinomial resampling weights without building
    the resampled data sets.  A replicate whose total score has no variance
    (zero up to round-off: at most 1e-10 of the full sample's variance; for
    standardized alpha, an item without variance) is undefined: it is dropped and
    ``note`` says how many were.  When more than 10% of the replicates are
    undefined (a handful of respondents) the interval is NaN and ``note`` says
    why.  Alpha of a covariance matrix never exceeds 1, nor does any replicate.

    Examples
    --------
    >>> import pandas as pd, psikometri as pk
    >>> items = pd.read_csv("data_samples/items.csv").drop(columns="candidate")
    >>> est = pk.cronbach_alpha(items)
    >>> round(est.value, 2), round(est.ci_low, 2), round(est.ci_high, 2)
    (0.86, 0.85, 0.87)
    >>> boot = pk.cronbach_alpha(items, ci="bca", n_boot=500, seed=1)
    >>> boot.ci_method
    'bca'
    """
    _check_ci(ci, ("feldt", "bootstrap", "bca"))
    level = check_level(level)
    df, note = _prepare(items, reverse, scale_range, missing)
    pairwise = missing == "pairwise"
    C = _cov(df, missing)
    k = C.shape[1]
    n = df.shape[0]
    value = _alpha_cov(C, bool(standardized))
    if math.isnan(value):
        M = _cov2cor(C) if standardized else C
        why = (
            "the total score has no variance" if not M.sum() > 1e-10 * abs(np.trace(M))
            else "the pairwise covariance matrix is not one of any data set (alpha would exceed 1)"
        )
        note = "; ".join(filter(None, [note, why]))
    lo = hi = se = math.nan
    extra: dict[str, Any] = {"n_items": k}
    if ci == "feldt" and not math.isnan(value):
        lo, hi = _feldt(value, n, k, level)
    elif ci in ("bootstrap", "bca"):
        n_boot = check_positive_int(n_boot, "n_boot", minimum=2)
        s = resolve_seed(seed)
        X = df.to_numpy(dtype=float)
        boot = _alpha_bootstrap(X, bool(standardized), pairwise, n_boot, s)
        finite = np.isfinite(boot)
        n_bad = n_boot - int(finite.sum())
        if n_bad > _MAX_UNDEFINED_SHARE * n_boot:
            note = "; ".join(filter(None, [note, (
                f"no bootstrap interval: {n_bad} of {n_boot} bootstrap replicates are undefined (resamples whose "
                f"total score has no variance), more than {_MAX_UNDEFINED_SHARE:.0%}; too few distinct respondents "
                "for a bootstrap, use ci='feldt'"
            )]))
        else:
            if n_bad:
                note = "; ".join(filter(None, [note, (
                    f"{n_bad} bootstrap replicate(s) undefined and dropped (resamples whose total score has no "
                    "variance)"
                )]))
            if finite.sum() >= 2:
                se = float(np.std(boot[finite], ddof=1))
            if ci == "bootstrap":
                lo, hi = percentile_interval(boot, level)
            else:
                jack = _alpha_jackknife(X, bool(standardized), pairwise)
                lo, hi = bca_interval(boot, value, jack, level)
        extra["bootstrap"] = boot
    return Estimate(
        value=value,
        ci_low=lo,
        ci_high=hi,
        se=se,
        n=int(n),
        method="standardized_alpha" if standardized else "cronbach_alpha",
        ci_method=ci,
        level=level,
        note=note,
        extra=extra,
    )


# =========================================================================== split halves
def _split_all(C: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from . import _reliability_kernels as K

    k = C.shape[0]
    n_masks = 1 << (k - 1)
    flan = np.empty(n_masks)
    sb = np.empty(n_masks)
    size = np.empty(n_masks, dtype=np.int64)
    K.split_half_all(np.ascontiguousarray(C, dtype=float), 4096, flan, sb, size)
    return flan, sb, size


def _split_random(C: np.ndarray, n_splits: int, seed: int, equal: bool):
    from . import _reliability_kernels as K

    k = C.shape[0]
    flan = np.empty(n_splits)
    sb = np.empty(n_splits)
    masks = np.zeros((n_splits, k), dtype=np.bool_)
    K.split_half_random(np.ascontiguousarray(C, dtype=float), np.uint64(seed), n_splits, equal, flan, sb, masks)
    return flan, sb, masks


def _gray_mask(idx: int, k: int) -> np.ndarray:
    g = idx ^ (idx >> 1)
    return np.array([(g >> j) & 1 == 1 for j in range(k)])


@dataclass(frozen=True)
class SplitHalfResult:
    """Split-half reliabilities over many splits of the items into two halves.

    Attributes
    ----------
    mean, min, max : float
        Mean, smallest and largest Guttman split-half coefficient
        :math:`4\\sigma_{AB}/\\sigma^2_X` (Flanagan-Rulon; psych's ``meanr``,
        ``minrb`` = beta, ``maxrb`` = lambda 4).
    mean_spearman_brown, min_spearman_brown, max_spearman_brown : float
        The same summaries of the Spearman-Brown corrected correlation of the two
        half scores, :math:`2r_{AB}/(1+r_{AB})`.
    best_split, worst_split : tuple of two tuples of item names
        The halves giving ``max`` and ``min``.
    n_splits : int
        Number of splits evaluated.
    method : str
        ``"all"`` (every split enumerated) or ``"random"``.
    halves : str
        ``"equal"`` (halves of ``k // 2`` and ``k - k // 2`` items) or ``"any"``.
    standardized : bool
        Whether the correlation matrix (True) or the covariance matrix was used.
    n : int
        Respondents.
    n_items : int
        Items.
    note : str
        Remarks (e.g. why random splits were used).
    """

    mean: float
    min: float
    max: float
    mean_spearman_brown: float
    min_spearman_brown: float
    max_spearman_brown: float
    best_split: tuple
    worst_split: tuple
    n_splits: int
    method: str
    halves: str
    standardized: bool
    n: int
    n_items: int
    note: str = ""
    values: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per summary, columns ``guttman`` and ``spearman_brown``."""
        return pd.DataFrame(
            {
                "guttman": [self.mean, self.min, self.max],
                "spearman_brown": [self.mean_spearman_brown, self.min_spearman_brown, self.max_spearman_brown],
            },
            index=pd.Index(["mean", "min", "max"], name="split_half"),
        )

    def summary(self) -> str:
        """Multi-line text summary."""
        how = "all" if self.method == "all" else "random"
        lines = [
            "split-half reliability",
            "----------------------",
            (
                f"splits   : {self.n_splits} ({how}, {self.halves} halves, "
                f"{'correlations' if self.standardized else 'covariances'})"
            ),
            f"items    : {self.n_items}, respondents: {self.n}",
            f"mean     : {self.mean:.4f} (Spearman-Brown {self.mean_spearman_brown:.4f})",
            f"min      : {self.min:.4f} (Spearman-Brown {self.min_spearman_brown:.4f})",
            f"max      : {self.max:.4f} (Spearman-Brown {self.max_spearman_brown:.4f})",
            f"best split: {list(self.best_split[0])} | {list(self.best_split[1])}",
        ]
        if self.note:
            lines.append(f"note     : {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"SplitHalfResult(mean = {self.mean:.3f}, min = {self.min:.3f}, max = {self.max:.3f}, "
            f"n_splits = {self.n_splits}, method = {self.method!r}, halves = {self.halves!r})"
        )

    def _repr_html_(self) -> str:
        return (
            "<div class='psikometri-split-half'><b>split-half reliability</b> "
            f"({self.n_splits} {html.escape(self.method)} splits, {html.escape(self.halves)} halves)"
            + self.to_frame().to_html(float_format=lambda v: f"{v:.4f}")
            + (f"<p>note: {html.escape(self.note)}</p>" if self.note else "")
            + "</div>"
        )


def _split_half_core(C, names, *, method, n_splits, seed, halves, n, standardized, note=""):
    k = C.shape[0]
    if standardized:
        C = _cov2cor(C)
    m = k // 2
    if method == "all" and k > _MAX_EXHAUSTIVE_ITEMS:
        note = "; ".join(
            filter(None, [note, f"{k} items: {n_splits} random splits instead of all {2 ** (k - 1) - 1}"])
        )
        method = "random"
    if method == "all":
        flan, sb, size = _split_all(C)
        keep = size > 0
        if halves == "equal":
            keep &= (size == m) | (size == k - m)
        idx = np.flatnonzero(keep)
        f, s = flan[idx], sb[idx]

        def mask_of(i):
            return _gray_mask(int(idx[i]), k)
    else:
        s_ = resolve_seed(seed)
        f, s, masks = _split_random(C, n_splits, s_, halves == "equal")

        def mask_of(i):
            return masks[i]

    ib, iw = int(np.nanargmax(f)), int(np.nanargmin(f))

    def halves_of(mask):
        mask = np.asarray(mask, dtype=bool)
        return (tuple(names[mask]), tuple(names[~mask]))

    return SplitHalfResult(
        mean=float(np.nanmean(f)),
        min=float(f[iw]),
        max=float(f[ib]),
        mean_spearman_brown=float(np.nanmean(s)),
        min_spearman_brown=float(np.nanmin(s)),
        max_spearman_brown=float(np.nanmax(s)),
        best_split=halves_of(mask_of(ib)),
        worst_split=halves_of(mask_of(iw)),
        n_splits=int(f.size),
        method=method,
        halves=halves,
        standardized=bool(standardized),
        n=int(n),
        n_items=k,
        note=note,
        values=f,
    )


@validates_seed
def split_half(
    items,
    *,
    method: str = "all",
    n_splits: int = 10000,
    seed=None,
    halves: str = "equal",
    standardized: bool = False,
    missing: str = "listwise",
    reverse=None,
    scale_range=None,
) -> SplitHalfResult:
    r"""Split-half reliability over all (or many random) splits of the items.

    For a split of the items into halves A and B with covariance
    :math:`\sigma_{AB}` between the half scores and total variance
    :math:`\sigma^2_X`, Guttman's split-half coefficient is

    .. math:: \lambda_{4}(A, B) = \frac{4\,\sigma_{AB}}{\sigma^2_X}
              = 2\left(1 - \frac{\sigma^2_A + \sigma^2_B}{\sigma^2_X}\right)

    (Flanagan-Rulon).  Its maximum over splits is Guttman's :math:`\lambda_4`, its
    minimum Revelle's beta, and over all equal splits of an even number of items
    its mean equals alpha.  The Spearman-Brown coefficient
    :math:`2r_{AB}/(1+r_{AB})` is reported alongside.

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items.
    method : {"all", "random"}
        ``"all"`` enumerates every split (up to 20 items: :math:`2^{k-1}-1` splits
        into two non-empty parts, of which ``halves`` selects the equal ones);
        beyond 20 items random splits are used and ``note`` says so.
    n_splits : int
        Number of random splits.
    seed : None, int or numpy.random.Generator
        Seed of the random splits.
    halves : {"equal", "any"}
        ``"equal"``: halves of ``k // 2`` and ``k - k // 2`` items (as psych);
        ``"any"``: every split into two non-empty parts.
    standardized : bool
        Use the correlation matrix (psych's default, ``covar = FALSE``) instead of
        the covariance matrix.
    missing, reverse, scale_range
        As in :func:`cronbach_alpha`.

    Returns
    -------
    SplitHalfResult

    Notes
    -----
    For an even number of items and ``halves="equal"`` the results equal
    ``psych::splitHalf(x, covar = TRUE)`` (``standardized=False``) or
    ``psych::splitHalf(x)`` (``standardized=True``): ``maxrb``, ``minrb`` and
    ``meanr``.  For an odd number of items psych enumerates only about half of the
    splits; all of them are used here.

    Examples
    --------
    >>> import pandas as pd, psikometri as pk
    >>> items = pd.read_csv("data_samples/items.csv").drop(columns="candidate")
    >>> res = pk.split_half(items)
    >>> res.n_splits   # C(12, 6) / 2 equal splits of 12 items
    462
    >>> res.min <= res.mean <= res.max
    True
    """
    check_choice(method, ("all", "random"), "method")
    check_choice(halves, ("equal", "any"), "halves")
    n_splits = check_positive_int(n_splits, "n_splits")
    df, note = _prepare(items, reverse, scale_range, missing)
    C = _cov(df, missing)
    return _split_half_core(
        C, np.asarray(df.columns, dtype=object), method=method, n_splits=n_splits, seed=seed, halves=halves,
        n=df.shape[0], standardized=standardized, note=note,
    )


# =========================================================================== Guttman
def _lambdas(C: np.ndarray) -> dict[str, float]:
    k = C.shape[0]
    V = C.sum()
    off = C - np.diag(np.diag(C))
    l1 = 1.0 - np.trace(C) / V
    l2 = l1 + math.sqrt(k / (k - 1.0) * float((off**2).sum())) / V
    l3 = k / (k - 1.0) * l1
    l5 = l1 + 2.0 * math.sqrt(float((off**2).sum(axis=0).max())) / V
    try:
        inv_diag = np.diag(np.linalg.inv(C))
        l6 = 1.0 - float((1.0 / inv_diag).sum()) / V if np.all(inv_diag > 0) else math.nan
    except np.linalg.LinAlgError:
        l6 = math.nan
    return {"lambda1": l1, "lambda2": l2, "lambda3": l3, "lambda5": l5, "lambda6": l6}


def guttman_lambdas(
    items,
    *,
    standardized: bool = False,
    missing: str = "listwise",
    reverse=None,
    scale_range=None,
) -> pd.Series:
    r"""Guttman's (1945) six lower bounds to reliability.

    With covariance matrix :math:`C` of ``k`` items, :math:`V = \sum_{ij} C_{ij}`:

    .. math::

        \lambda_1 &= 1 - \operatorname{tr} C / V \\
        \lambda_2 &= \lambda_1 + \sqrt{\tfrac{k}{k-1}\textstyle\sum_{i\ne j} C_{ij}^2}\,/\,V \\
        \lambda_3 &= \tfrac{k}{k-1}\lambda_1 \quad (= \alpha) \\
        \lambda_4 &= \max_{A,B} 4 C_{AB} / V \\
        \lambda_5 &= \lambda_1 + 2\sqrt{\max_j \textstyle\sum_{i\ne j} C_{ij}^2}\,/\,V \\
        \lambda_6 &= 1 - \textstyle\sum_j e_j^2 / V,\quad e_j^2 = 1/(C^{-1})_{jj}

    (:math:`e_j^2` is the error variance of item ``j`` regressed on the others,
    i.e. :math:`C_{jj}(1 - \mathrm{SMC}_j)`).

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items.
    standardized : bool
        Compute on the correlation matrix, as R ``psych::guttman`` does.
    missing, reverse, scale_range
        As in :func:`cronbach_alpha`.

    Returns
    -------
    Series
        Indexed ``lambda1`` ... ``lambda6``.

    Notes
    -----
    :math:`\lambda_4` is the exact maximum over all splits into halves of
    ``k // 2`` and ``k - k // 2`` items, found by enumerating them (up to 20
    items); beyond 20 items it is the maximum over 10,000 random equal splits
    (seed 0), a lower bound of the true maximum.  Use :func:`split_half` with
    ``halves="any"`` for the maximum over unequal splits.  With
    ``standardized=True`` and complete data the values equal
    ``psych::guttman(x)`` (``lambda.1`` to ``lambda.6``, to 1e-6; psych's
    ``lambda.4`` is ``splitHalf(x)$maxrb``, exhaustive for up to 16 items).
    With missing answers they do not: psych always uses
    ``cor(x, use = "pairwise")``, whose standard deviations come from each
    pair's complete cases, while psikometri uses the complete rows (the
    default ``missing="listwise"``) or pairwise covariances scaled by each
    item's variance over all its answers (``missing="pairwise"``).  On the
    tests' 1,000 bfi respondents (85 with a missing answer) the lambdas
    differ from psych's by up to 3e-3 (listwise) and 2e-4 (pairwise).

    Examples
    --------
    >>> import pandas as pd, psikometri as pk
    >>> items = pd.read_csv("data_samples/items.csv").drop(columns="candidate")
    >>> lam = pk.guttman_lambdas(items)
    >>> list(lam.index)
    ['lambda1', 'lambda2', 'lambda3', 'lambda4', 'lambda5', 'lambda6']
    >>> bool(lam["lambda1"] < lam["lambda3"] <= lam["lambda4"])
    True
    """
    df, _ = _prepare(items, reverse, scale_range, missing)
    C = _cov(df, missing)
    if standardized:
        C = _cov2cor(C)
    lam = _lambdas(C)
    sh = _split_half_core(
        C, np.asarray(df.columns, dtype=object), method="all", n_splits=10000, seed=0, halves="equal",
        n=df.shape[0], standardized=False,
    )
    lam["lambda4"] = sh.max
    order = ["lambda1", "lambda2", "lambda3", "lambda4", "lambda5", "lambda6"]
    return pd.Series([lam[o] for o in order], index=order, name="guttman_standardized" if standardized else "guttman")


# =========================================================================== factor analysis
def _smc(R: np.ndarray) -> np.ndarray:
    try:
        inv = np.linalg.inv(R)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(R)
    return 1.0 - 1.0 / np.diag(inv)


def _uls_loadings(S: np.ndarray, psi: np.ndarray, nf: int) -> np.ndarray:
    w, V = np.linalg.eigh(S - np.diag(psi))
    w, V = w[::-1][:nf], V[:, ::-1][:, :nf]
    return V * np.sqrt(np.maximum(w, 0.0))


def _minres(S: np.ndarray, nf: int, start: np.ndarray | None = None) -> np.ndarray:
    r"""Minimum-residual (unweighted least squares) factor loadings of a correlation matrix.

    Minimises :math:`\sum_{i \ne j}(S - \Lambda\Lambda^\top)_{ij}^2` as psych's
    ``fa(fm = "minres")``: over the uniquenesses :math:`\psi` (bounded to
    [0.005, 1]), with :math:`\Lambda` the first ``nf`` scaled eigenvectors of
    :math:`S - \operatorname{diag}\psi`, minimising the full ULS criterion whose
    gradient is :math:`\operatorname{diag}(\Lambda\Lambda^\top + \psi - S)`.
    Columns are signed so that their sums are positive (as psych).
    """
    k = S.shape[0]

    def fun(psi):
        L = _uls_loadings(S, psi, nf)
        res = S - L @ L.T - np.diag(psi)
        return 0.5 * float((res**2).sum()), -np.diag(res).copy()

    upper = max(1.0, float(np.max(np.diag(S))))
    # psych's start (1 - SMC), or a given one (a bootstrap replicate starts from the full sample's solution:
    # the same optimum, fewer iterations)
    start = np.clip(np.diag(S) - _smc(S), 0.005, 1.0) if start is None else np.clip(start, 0.005, upper)
    opt = optimize.minimize(
        fun, start, jac=True, method="L-BFGS-B", bounds=[(0.005, upper)] * k,
        options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 10000, "maxcor": 20},
    )
    L = _uls_loadings(S, opt.x, nf)
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1.0
    return L * signs


def _varimax(A: np.ndarray, eps: float = 1e-10, maxit: int = 1000) -> np.ndarray:
    """Kaiser-normalised varimax rotation (Kaiser 1958), SVD iteration."""
    p, nc = A.shape
    if nc < 2:
        return A
    sc = np.sqrt((A**2).sum(axis=1))
    x = A / sc[:, None]
    T = np.eye(nc)
    d = 0.0
    for _ in range(maxit):
        z = x @ T
        B = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        dpast, d = d, s.sum()
        if d < dpast * (1 + eps):
            break
    return (x @ T) * sc[:, None]


def _oblimin(A: np.ndarray, eps: float = 1e-10, maxit: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    r"""Direct oblimin rotation (gamma = 0, quartimin) by gradient projection.

    Bernaards & Jennrich (2005): minimise
    :math:`Q(\Lambda) = \tfrac14\sum_{r \ne s}\sum_i \lambda_{ir}^2\lambda_{is}^2` over
    oblique rotations :math:`\Lambda = A (T^\top)^{-1}` with unit-length columns of
    ``T``.  Returns (pattern loadings, factor correlations :math:`T^\top T`).
    The iteration runs in a numba kernel (``_reliability_kernels.oblimin_gpa``).
    """
    from . import _reliability_kernels as K

    L, phi, _ = K.oblimin_gpa(np.ascontiguousarray(A, dtype=np.float64), float(eps), int(maxit))
    return L, phi


def _schmid(R: np.ndarray, nfactors: int, start: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Schmid-Leiman transformation of an oblimin minres solution, as psych::schmid."""
    orth = _minres(R, nfactors, start)
    if nfactors == 1:
        fload = orth
        phi = np.ones((1, 1))
        gload = np.ones(1)
    else:
        orth = _varimax(orth)
        fload, phi = _oblimin(orth)
        if nfactors == 2:
            gload = np.array([math.sqrt(abs(phi[0, 1])), math.copysign(math.sqrt(abs(phi[0, 1])), phi[0, 1])])
        else:
            gload = _minres(phi, 1)[:, 0]
    g = fload @ gload
    h2 = (orth**2).sum(axis=1)
    u2 = np.diag(R) - h2
    uniq2 = np.clip(fload**2 * (1.0 - gload[None, :] ** 2), 0.0, None)
    group = np.sign(fload) * np.sqrt(uniq2)
    return {"g": g, "group": group, "h2": h2, "u2": u2, "oblique": fload, "phi": phi, "gload": gload}


def _omega_from_cor(R: np.ndarray, nfactors: int, flip: bool = True, start: np.ndarray | None = None
                    ) -> dict[str, Any]:
    sl = _schmid(R, nfactors, start)
    key = np.sign(sl["g"]) if flip else np.ones(R.shape[0])
    key[key == 0] = 1.0
    Rk = R * key[:, None] * key[None, :]
    Vt = float(Rk.sum())
    g = sl["g"] * key
    group = sl["group"] * key[:, None]
    omega_t = (Vt - float(sl["u2"].sum())) / Vt
    omega_h = float(g.sum()) ** 2 / Vt
    return {"omega_t": omega_t, "omega_h": omega_h, "g": g, "group": group, "h2": sl["h2"], "u2": sl["u2"],
            "phi": sl["phi"], "key": key}


@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega from a Schmid-Leiman bifactor solution.

    Attributes
    ----------
    omega_total : float
        :math:`\\omega_t = 1 - \\sum_j u^2_j / V` (psych's ``omega.tot``).
    omega_hierarchical : float
        :math:`\\omega_h = (\\sum_j g_j)^2 / V` (psych's ``omega_h``).
    alpha : float
        Standardized alpha of the same (keyed) correlation matrix.
    loadings : DataFrame
        One row per item: ``g``, the group factors ``F1*`` ..., ``h2``, ``u2``,
        ``p2`` (share of common variance due to g).
    phi : DataFrame
        Correlations of the oblique factors.
    nfactors, n, n_items : int
    flipped : tuple of str
        Items reversed because their general-factor loading was negative.
    note : str
    ci_method : {"bootstrap", None}
        How the intervals were obtained (``None``: no intervals).
    level : float
        Confidence level of the intervals.
    omega_total_ci, omega_hierarchical_ci : tuple of float
        Percentile bootstrap intervals ``(low, high)``, inside [0, 1]
        (``(nan, nan)`` without ``ci`` or when too many replicates are undefined).
    n_boot : int
        Bootstrap replicates drawn (0 without ``ci``).
    bootstrap : DataFrame or None
        The replicates, one row each, columns ``omega_total`` and
        ``omega_hierarchical`` (NaN where the refit failed).
    """

    omega_total: float
    omega_hierarchical: float
    alpha: float
    loadings: pd.DataFrame = field(repr=False, compare=False)
    phi: pd.DataFrame = field(repr=False, compare=False)
    nfactors: int = 3
    n: int = 0
    n_items: int = 0
    flipped: tuple = ()
    note: str = ""
    ci_method: str | None = None
    level: float = 0.95
    omega_total_ci: tuple = (math.nan, math.nan)
    omega_hierarchical_ci: tuple = (math.nan, math.nan)
    n_boot: int = 0
    bootstrap: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table of the coefficients (with ``ci_low``, ``ci_high`` when intervals were requested)."""
        out = pd.DataFrame(
            {"value": [self.omega_hierarchical, self.omega_total, self.alpha]},
            index=pd.Index(["omega_hierarchical", "omega_total", "alpha"], name="coefficient"),
        )
        if self.ci_method is not None:
            out["ci_low"] = [self.omega_hierarchical_ci[0], self.omega_total_ci[0], math.nan]
            out["ci_high"] = [self.omega_hierarchical_ci[1], self.omega_total_ci[1], math.nan]
        return out

    def summary(self) -> str:
        """Multi-line text summary with the Schmid-Leiman loadings."""
        lines = [
            (
                f"omega ({self.nfactors} group factor{'s' if self.nfactors > 1 else ''}, n = {self.n}, "
                f"{self.n_items} items)"
            ),
            "-" * 40,
            f"omega_hierarchical : {self.omega_hierarchical:.4f}{self._ci_text(self.omega_hierarchical_ci)}",
            f"omega_total        : {self.omega_total:.4f}{self._ci_text(self.omega_total_ci)}",
            f"alpha (std.)       : {self.alpha:.4f}",
        ]
        if self.flipped:
            lines.append(f"reversed items     : {', '.join(map(str, self.flipped))}")
        if self.note:
            lines.append(f"note               : {self.note}")
        lines.append("")
        lines.append(self.loadings.round(3).to_string())
        return "\n".join(lines)

    def _ci_text(self, ci) -> str:
        if self.ci_method is None:
            return ""
        return f"  {self.level:.0%} CI [{ci[0]:.4f}, {ci[1]:.4f}] ({self.ci_method}, {self.n_boot} replicates)"

    def __repr__(self) -> str:
        return (
            f"OmegaResult(omega_hierarchical = {self.omega_hierarchical:.3f}, omega_total = {self.omega_total:.3f}, "
            f"nfactors = {self.nfactors}, n = {self.n})"
        )

    def _repr_html_(self) -> str:
        return (
            f"<div class='psikometri-omega'><b>omega</b> ({self.nfactors} group factors, n = {self.n})"
            + self.to_frame().to_html(float_format=lambda v: f"{v:.4f}")
            + self.loadings.to_html(float_format=lambda v: f"{v:.3f}")
            + (f"<p>note: {html.escape(self.note)}</p>" if self.note else "")
            + "</div>"
        )


@validates_seed
@single_threaded_blas
def omega(
    items,
    *,
    nfactors: int = 3,
    flip: bool = True,
    ci: str | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    seed=None,
    missing: str = "listwise",
    reverse=None,
    scale_range=None,
) -> OmegaResult:
    r"""McDonald's omega hierarchical and omega total from a Schmid-Leiman solution.

    The correlation matrix is factored by minimum residuals (minres) with
    ``nfactors`` factors, rotated by varimax then oblimin; a general factor is
    extracted from the factor correlations (minres, one factor) and the
    Schmid-Leiman transformation gives every item a general loading :math:`g_j`
    and one group loading per factor.  With :math:`V` the sum of the (keyed)
    correlation matrix and :math:`u^2_j = 1 - h^2_j` the uniquenesses,

    .. math::

        \omega_h = \frac{(\sum_j g_j)^2}{V}, \qquad \omega_t = 1 - \frac{\sum_j u^2_j}{V}.

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items.
    nfactors : int
        Number of group factors (1 gives only a meaningful omega total; 2 sets
        the two general loadings equal, as psych's ``option = "equal"``).
    flip : bool
        Reverse items whose general loading is negative (psych's ``flip = TRUE``).
    ci : {"bootstrap", None}
        Percentile bootstrap intervals for :math:`\omega_h` and
        :math:`\omega_t`: each replicate refits the whole Schmid-Leiman solution
        (minres, varimax, oblimin, the general factor, the item flips) to the
        correlation matrix of a resample of respondents.
    level : float
        Confidence level of the intervals.
    n_boot : int
        Bootstrap replicates.
    seed : int, numpy.random.Generator or None
        Seed of the bootstrap; the same seed gives the same replicates.
    missing, reverse, scale_range
        As in :func:`cronbach_alpha` (pairwise correlations with ``"pairwise"``;
        the bootstrap needs ``missing="listwise"``).

    Returns
    -------
    OmegaResult
        With ``omega_total_ci``, ``omega_hierarchical_ci`` and the replicates
        in ``bootstrap`` when ``ci="bootstrap"``.

    Raises
    ------
    ValueError
        ``nfactors`` too large for the number of items, ``ci`` not one of
        ``"bootstrap"``/``None``, a bootstrap with ``missing="pairwise"``.

    Notes
    -----
    Reproduces ``psych::omega(x, nfactors)`` (fm = "minres", rotate = "oblimin",
    option = "equal") to about 1e-4: psych stops its optimisers at looser
    tolerances, the optimum is the same.

    The bootstrap intervals are the :math:`(1 \mp \text{level})/2` quantiles
    of the replicates (Efron & Tibshirani 1993, ch. 13).  Both coefficients lie
    in [0, 1]; a replicate outside (a Heywood solution of the resample) is set
    to the nearer bound and counted in ``note``, so the intervals stay inside
    [0, 1].  Replicates whose refit fails are NaN and dropped; when more than
    10 % fail there is no interval.  ``psych::omega`` has no intervals
    (``psych::omegaFromSem`` and lavaan-based tools give model-based ones for
    a confirmatory bifactor model, a different estimator).  A replicate costs
    about as much as the point estimate (0.05 s for 12 items and 3 factors,
    mostly the oblimin rotation), so the default 1,000 replicates take about
    a minute.

    References
    ----------
    Schmid & Leiman (1957); McDonald (1999); Zinbarg, Revelle, Yovel & Li (2005),
    Psychometrika 70, 123-133; Bernaards & Jennrich (2005), Educational and
    Psychological Measurement 65, 676-696.

    Examples
    --------
    >>> import pandas as pd, psikometri as pk
    >>> items = pd.read_csv("data_samples/items.csv").drop(columns="candidate")
    >>> res = pk.omega(items, nfactors=3)
    >>> bool(0 < res.omega_hierarchical <= res.omega_total < 1)
    True
    >>> boot = pk.omega(items, nfactors=3, ci="bootstrap", n_boot=50, seed=1)
    >>> lo, hi = boot.omega_hierarchical_ci
    >>> bool(0 <= lo <= hi <= 1)
    True
    """
    nfactors = check_positive_int(nfactors, "nfactors")
    _check_ci(ci, ("bootstrap",))
    level = check_level(level)
    if ci is not None:
        if missing != "listwise":
            raise ValueError(
                f"omega bootstrap intervals need missing='listwise'; got missing={missing!r}. "
                "Drop ci or use missing='listwise'."
            )
        n_boot = check_positive_int(n_boot, "n_boot", minimum=2)
        seed = resolve_seed(seed)
    df, note = _prepare(items, reverse, scale_range, missing, min_items=3)
    k = df.shape[1]
    if nfactors > k // 2 and nfactors > 1:
        raise ValueError(
            f"nfactors={nfactors} is too many for {k} items; a factor needs at least 2 items (3 to be identified). "
            f"Use nfactors <= {max(1, k // 3)}."
        )
    R = _cor(df, missing)
    res = _omega_from_cor(R, nfactors, flip=flip)
    names = list(map(str, df.columns))
    cols = {"g": res["g"]}
    for f in range(nfactors if nfactors > 1 else 0):
        cols[f"F{f + 1}*"] = res["group"][:, f]
    cols["h2"] = res["h2"]
    cols["u2"] = res["u2"]
    cols["p2"] = res["g"] ** 2 / res["h2"]
    loadings = pd.DataFrame(cols, index=pd.Index(names, name="item"))
    fn = [f"F{f + 1}" for f in range(res["phi"].shape[0])]
    phi = pd.DataFrame(res["phi"], index=fn, columns=fn)
    flipped = tuple(n for n, s in zip(names, res["key"]) if s < 0)
    Rk = R * res["key"][:, None] * res["key"][None, :]
    if np.any(res["h2"] > 1.0 + 1e-6):
        note = "; ".join(filter(None, [note, "Heywood case: a communality exceeds 1"]))
    if nfactors == 1:
        note = "; ".join(filter(None, [note, "with one factor omega_hierarchical is not meaningful"]))
    ci_t = ci_h = (math.nan, math.nan)
    boot_df = None
    if ci is not None:
        boot = _omega_bootstrap(df.to_numpy(dtype=float), nfactors, flip, res["u2"], n_boot, seed)
        boot, bnote, usable = _bounded_replicates(boot, ("omega_total", "omega_hierarchical"))
        ci_t, ci_h = (percentile_interval(boot[:, j], level) if usable[j] else (math.nan, math.nan) for j in (0, 1))
        note = "; ".join(filter(None, [note, bnote]))
        boot_df = pd.DataFrame(boot, columns=["omega_total", "omega_hierarchical"])
    return OmegaResult(
        omega_total=float(res["omega_t"]),
        omega_hierarchical=float(res["omega_h"]),
        alpha=_alpha_cov(Rk, False),
        loadings=loadings,
        phi=phi,
        nfactors=nfactors,
        n=df.shape[0],
        n_items=k,
        flipped=flipped,
        note=note,
        ci_method=ci,
        level=level,
        omega_total_ci=ci_t,
        omega_hierarchical_ci=ci_h,
        n_boot=n_boot if ci is not None else 0,
        bootstrap=boot_df,
    )


def _omega_bootstrap(X: np.ndarray, nfactors: int, flip: bool, start: np.ndarray, n_boot: int, seed: int
                     ) -> np.ndarray:
    """Omega total and hierarchical of every bootstrap replicate, an ``(n_boot, 2)`` array (NaN: refit failed).

    Replicate ``b`` weights the respondents by its multinomial counts (the draws of every psikometri
    bootstrap, :func:`psikometri._resampling.draw_counts`), so it equals the coefficient of the
    materialised resample ``bootstrap_indices(n, n_boot, seed)[b]``.  The minres fit starts from the
    full sample's uniquenesses (the same optimum, fewer iterations).  With one factor the replicates run in
    a numba kernel (``_reliability_kernels.omega1_bootstrap``: projected Newton with the exact Hessian, to
    the same minimum as the general optimiser within about 1e-10); a replicate it cannot finish (an item
    without variance, no convergence) goes through the general path below.
    """
    from ._resampling import draw_counts

    s = np.uint64(seed)
    counts = np.empty(X.shape[0], dtype=np.int64)
    out = np.full((n_boot, 2), math.nan)
    todo = range(n_boot)
    if nfactors == 1 and flip and n_boot > 0:
        from . import _reliability_kernels as K

        done = np.zeros(n_boot, dtype=np.bool_)
        K.omega1_bootstrap(np.ascontiguousarray(X, dtype=np.float64), s, int(n_boot),
                           np.ascontiguousarray(start, dtype=np.float64), 0.005, out, done)
        out[~done] = math.nan
        todo = np.flatnonzero(~done)
    with np.errstate(all="ignore"):
        for b in todo:
            draw_counts(s, int(b), X.shape[0], counts)
            try:
                r = _omega_from_cor(_weighted_cor(X, counts.astype(float)), nfactors, flip=flip, start=start)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                continue
            out[b] = (r["omega_t"], r["omega_h"])
    return out


def _bounded_replicates(boot: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, str, list[bool]]:
    """Set replicates outside [0, 1] to the nearer bound.

    Returns the replicates (a copy, one column per name), a note on what was done, and per column
    whether an interval may be given (at most 10 % of the replicates undefined).
    """
    boot = np.array(boot, dtype=float, copy=True)
    if boot.ndim == 1:
        boot = boot[:, None]
    notes = []
    usable = []
    n_boot = boot.shape[0]
    for j, nm in enumerate(names):
        col = boot[:, j]
        finite = np.isfinite(col)
        n_bad = n_boot - int(finite.sum())
        out_of_range = int(np.sum(finite & ((col < 0.0) | (col > 1.0))))
        if out_of_range:
            boot[:, j] = np.where(finite, np.clip(col, 0.0, 1.0), col)
            notes.append(f"{out_of_range} bootstrap replicate(s) of {nm} outside [0, 1] set to the nearer bound")
        if n_bad > _MAX_UNDEFINED_SHARE * n_boot:
            notes.append(f"no bootstrap interval for {nm}: the factor model failed in {n_bad} of {n_boot} "
                         f"replicates, more than {_MAX_UNDEFINED_SHARE:.0%}")
            usable.append(False)
            continue
        if n_bad:
            notes.append(f"{n_bad} bootstrap replicate(s) of {nm} undefined (factor model failed) and dropped")
        usable.append(True)
    return boot, "; ".join(notes), usable


def _weighted_cor(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    W = w.sum()
    m = (w @ X) / W
    D = X - m
    C = (D * w[:, None]).T @ D / (W - 1.0)
    return _cov2cor(C)


@validates_seed
@single_threaded_blas
def omega_total(
    items,
    *,
    ci: str | None = None,
    level: float = 0.95,
    n_boot: int = 1000,
    seed=None,
    missing: str = "listwise",
    reverse=None,
    scale_range=None,
) -> Estimate:
    r"""McDonald's omega total from a one-factor (minres) model of the correlations.

    .. math:: \omega_t = 1 - \frac{\sum_j u^2_j}{\sum_{ij} R_{ij}}

    with :math:`u^2_j = 1 - h^2_j` the uniquenesses of the one-factor minres
    solution of the correlation matrix ``R`` (items with a negative loading are
    reversed first, as psych does).

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items (at least 3).
    ci : {"bootstrap", "bca", None}
        Percentile or BCa bootstrap interval (each replicate refits the factor
        model from the resampling-weighted correlation matrix; BCa adds a
        jackknife of ``n`` refits, so it is slow for large ``n``).  Replicates
        outside [0, 1] (Heywood solutions of a resample) are set to the nearer
        bound and counted in ``note``, so the interval stays inside [0, 1];
        replicates whose refit fails are dropped, and with more than 10 %
        failed there is no interval.  ``extra["bootstrap"]`` holds the
        replicates; the percentile interval is their
        :math:`(1 \mp \text{level})/2` quantiles.
    level, n_boot, seed, missing, reverse, scale_range
        As in :func:`cronbach_alpha` (bootstrap needs ``missing="listwise"``).

    Returns
    -------
    Estimate
        ``extra["omega_h_1factor"]`` holds :math:`(\sum_j \lambda_j)^2 / V`.

    Notes
    -----
    Equals ``psych::omega(x, nfactors = 1)$omega.tot`` (to about 1e-4).

    Examples
    --------
    >>> import pandas as pd, psikometri as pk
    >>> items = pd.read_csv("data_samples/items.csv").drop(columns="candidate")
    >>> est = pk.omega_total(items)
    >>> bool(0 < est.value < 1)
    True
    """
    _check_ci(ci, ("bootstrap", "bca"))
    level = check_level(level)
    df, note = _prepare(items, reverse, scale_range, missing, min_items=3)
    R = _cor(df, missing)
    res = _omega_from_cor(R, 1)
    value = float(res["omega_t"])
    lo = hi = se = math.nan
    extra: dict[str, Any] = {"n_items": df.shape[1], "omega_h_1factor": float(res["omega_h"])}
    if ci is not None:
        if missing != "listwise":
            raise ValueError("omega_total bootstrap intervals need missing='listwise'; got missing='pairwise'.")
        n_boot = check_positive_int(n_boot, "n_boot", minimum=2)
        X = df.to_numpy(dtype=float)
        boot2 = _omega_bootstrap(X, 1, True, res["u2"], n_boot, resolve_seed(seed))
        boot2, bnote, usable = _bounded_replicates(boot2[:, :1], ("omega_total",))
        boot = boot2[:, 0]
        note = "; ".join(filter(None, [note, bnote]))
        if np.isfinite(boot).sum() >= 2:
            se = float(np.nanstd(boot, ddof=1))
        if usable[0] and ci == "bootstrap":
            lo, hi = percentile_interval(boot, level)
        elif usable[0]:
            jack = np.empty(X.shape[0])
            with np.errstate(all="ignore"):
                for i in range(X.shape[0]):
                    w = np.ones(X.shape[0])
                    w[i] = 0.0
                    try:
                        jack[i] = _omega_from_cor(_weighted_cor(X, w), 1, start=res["u2"])["omega_t"]
                    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                        jack[i] = math.nan
            lo, hi = bca_interval(boot, value, jack, level)
        extra["bootstrap"] = boot
    return Estimate(value=value, ci_low=lo, ci_high=hi, se=se, n=df.shape[0], method="omega_total",
                    ci_method=ci, level=level, note=note, extra=extra)


# =========================================================================== items
def item_analysis(items, *, missing: str = "listwise", reverse=None, scale_range=None) -> pd.DataFrame:
    r"""Item statistics: mean, sd, item-total and corrected item-total correlations, alpha and omega if deleted.

    ``r_total`` is the correlation of the item with the total (sum) score and
    ``r_drop`` the corrected item-total correlation, from the covariance matrix
    :math:`C`:

    .. math:: r_{drop,j} = \frac{\sum_{i\ne j} C_{ij}}{\sqrt{C_{jj}\,\sum_{i,l \ne j} C_{il}}}

    ``alpha_if_deleted`` is raw alpha of the other items, ``omega_if_deleted``
    their one-factor omega total (NaN when fewer than 3 items would remain).

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items.
    missing, reverse, scale_range
        As in :func:`cronbach_alpha`.  With ``missing="pairwise"`` ``n``, ``mean``
        and ``sd`` use each item's answers and ``r_total`` correlates the item with
        the mean of each respondent's answered items (prorated total), as psych does.

    Returns
    -------
    DataFrame
        Indexed by item, columns ``n, mean, sd, r_total, r_drop,
        alpha_if_deleted, omega_if_deleted``.

    Notes
    -----
    Matches ``psych::alpha(x)$item.stats`` (``n``, ``raw.r``, ``r.drop``,
    ``mean``, ``sd``) and ``$alpha.drop$raw_alpha``; ``omega_if_deleted`` matches
    ``psych::omega(x[, -j], nfactors = 1)$omega.tot``.

    Examples
    --------
    >>> import pandas as pd, psikometri as pk
    >>> items = pd.read_csv("data_samples/items.csv").drop(columns="candidate")
    >>> tab = pk.item_analysis(items)
    >>> list(tab.columns)
    ['n', 'mean', 'sd', 'r_total', 'r_drop', 'alpha_if_deleted', 'omega_if_deleted']
    """
    df, _ = _prepare(items, reverse, scale_range, missing)
    C = _cov(df, missing)
    k = C.shape[0]
    X = df.to_numpy(dtype=float)
    total = np.nanmean(X, axis=1)  # mean of the answered items (= sum score when complete)
    r_total = np.empty(k)
    for j in range(k):
        ok = ~np.isnan(X[:, j])
        r_total[j] = np.corrcoef(X[ok, j], total[ok])[0, 1]
    colsum = C.sum(axis=0)
    V = C.sum()
    diag = np.diag(C)
    r_drop = (colsum - diag) / np.sqrt(diag * (V - 2.0 * colsum + diag))
    a_drop = np.empty(k)
    o_drop = np.full(k, np.nan)
    R = _cor(df, missing)
    for j in range(k):
        keep = np.arange(k) != j
        a_drop[j] = _alpha_cov(C[np.ix_(keep, keep)], False) if k > 2 else math.nan
        if k - 1 >= 3:
            o_drop[j] = _omega_from_cor(R[np.ix_(keep, keep)], 1)["omega_t"]
    return pd.DataFrame(
        {
            "n": (~np.isnan(X)).sum(axis=0),
            "mean": np.nanmean(X, axis=0),
            "sd": np.nanstd(X, axis=0, ddof=1),
            "r_total": r_total,
            "r_drop": r_drop,
            "alpha_if_deleted": a_drop,
            "omega_if_deleted": o_drop,
        },
        index=pd.Index(df.columns, name="item"),
    )


# =========================================================================== formulas
def _as_float_array(x, name):
    arr = np.asarray(x, dtype=float) if not isinstance(x, (str, bytes)) else None
    if arr is None or arr.dtype.kind not in "f" or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite number (or an array of them); got {name}={x!r}.")
    return arr


def spearman_brown(reliability, factor):
    r"""Spearman-Brown prophecy: reliability of a test ``factor`` times as long.

    .. math:: \rho^* = \frac{m\rho}{1 + (m-1)\rho}

    Parameters
    ----------
    reliability : float or array
        Reliability of the current test, in [0, 1].
    factor : float or array
        Length factor ``m`` > 0 (2 = twice as many parallel items, 0.5 = half).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from psikometri import spearman_brown
    >>> round(spearman_brown(0.6, 2), 4)   # 2 * .6 / 1.6
    0.75
    """
    try:
        r = _as_float_array(reliability, "reliability")
        m = _as_float_array(factor, "factor")
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    if np.any((r < 0) | (r > 1)):
        raise ValueError(f"reliability must lie in [0, 1]; got reliability={reliability!r}.")
    if np.any(m <= 0):
        raise ValueError(f"factor must be > 0 (e.g. 2 for a test twice as long); got factor={factor!r}.")
    out = m * r / (1.0 + (m - 1.0) * r)
    return float(out) if out.ndim == 0 else out


def sem(sd, reliability):
    r"""Standard error of measurement, :math:`\sigma_E = \sigma_X\sqrt{1 - \rho_{XX'}}`.

    Parameters
    ----------
    sd : float or array
        Standard deviation of the observed scores (>= 0).
    reliability : float or array
        Reliability of the scores, in [0, 1].

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from psikometri import sem
    >>> round(sem(10.0, 0.91), 6)   # 10 * sqrt(0.09)
    3.0
    """
    try:
        s = _as_float_array(sd, "sd")
        r = _as_float_array(reliability, "reliability")
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    if np.any(s < 0):
        raise ValueError(f"sd must be >= 0; got sd={sd!r}.")
    if np.any((r < 0) | (r > 1)):
        raise ValueError(f"reliability must lie in [0, 1]; got reliability={reliability!r}.")
    out = s * np.sqrt(1.0 - r)
    return float(out) if out.ndim == 0 else out


# =========================================================================== summary
@validates_seed
@single_threaded_blas
def reliability_summary(
    items,
    *,
    ci: str = "feldt",
    level: float = 0.95,
    n_boot: int = 2000,
    seed=None,
    missing: str = "listwise",
    reverse=None,
    scale_range=None,
) -> pd.DataFrame:
    """All reliability coefficients of a scale in one tidy table, for reports.

    Rows: ``cronbach_alpha`` (with the interval chosen by ``ci``),
    ``standardized_alpha``, ``lambda1`` ... ``lambda6``, ``split_half_mean`` /
    ``_min`` / ``_max`` (equal halves), ``omega_total`` (one factor; with a
    percentile bootstrap interval when ``ci`` is ``"bootstrap"`` or ``"bca"``),
    ``omega_hierarchical`` (three group factors, when there are at least 9 items)
    and ``sem`` (standard error of measurement of the total score, from alpha).

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items.
    ci : {"feldt", "bootstrap", "bca"}
        Interval for alpha.
    level, n_boot, seed, missing, reverse, scale_range
        As in :func:`cronbach_alpha`.

    Returns
    -------
    DataFrame
        Indexed by ``coefficient`` with columns ``value, ci_low, ci_high,
        ci_method, n, note``.

    Examples
    --------
    >>> import pandas as pd, psikometri as pk
    >>> items = pd.read_csv("data_samples/items.csv").drop(columns="candidate")
    >>> tab = pk.reliability_summary(items)
    >>> "omega_total" in tab.index and "lambda4" in tab.index
    True
    """
    _check_ci(ci, ("feldt", "bootstrap", "bca"))
    kw = {"missing": missing, "reverse": reverse, "scale_range": scale_range}
    df, _ = _prepare(items, **kw)
    n, k = df.shape
    rows = []

    def add(name, value, lo=math.nan, hi=math.nan, how=None, note=""):
        rows.append({"coefficient": name, "value": float(value), "ci_low": lo, "ci_high": hi, "ci_method": how,
                     "n": n, "note": note})

    a = cronbach_alpha(items, ci=ci, level=level, n_boot=n_boot, seed=seed, **kw)
    add("cronbach_alpha", a.value, a.ci_low, a.ci_high, a.ci_method, a.note)
    sa = cronbach_alpha(items, standardized=True, ci="feldt", level=level, **kw)
    add("standardized_alpha", sa.value, sa.ci_low, sa.ci_high, sa.ci_method)
    for name, v in guttman_lambdas(items, **kw).items():
        add(name, v)
    sh = split_half(items, **kw)
    add("split_half_mean", sh.mean, note=f"{sh.n_splits} {sh.method} equal splits")
    add("split_half_min", sh.min)
    add("split_half_max", sh.max)
    if k >= 3:
        if ci in ("bootstrap", "bca") and missing == "listwise":
            # percentile bootstrap (the BCa jackknife would refit the factor model n times)
            om = omega_total(items, ci="bootstrap", level=level, n_boot=n_boot, seed=seed, **kw)
            add("omega_total", om.value, om.ci_low, om.ci_high, om.ci_method, om.note)
        else:
            add("omega_total", omega_total(items, **kw).value)
    else:
        add("omega_total", math.nan, note="needs at least 3 items")
    if k >= 9:
        try:
            om = omega(items, nfactors=3, **kw)
            add("omega_hierarchical", om.omega_hierarchical, note=om.note)
        except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover - degenerate data
            add("omega_hierarchical", math.nan, note=str(exc))
    else:
        add("omega_hierarchical", math.nan, note="needs at least 9 items for three group factors")
    sd_total = float(np.sqrt(_cov(df, missing).sum()))
    add("sem", sem(sd_total, min(max(a.value, 0.0), 1.0)) if np.isfinite(a.value) else math.nan,
        note="standard error of measurement of the total score, from alpha")
    return pd.DataFrame(rows).set_index("coefficient")
