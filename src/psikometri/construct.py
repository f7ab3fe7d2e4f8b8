"""Construct validity of assessment-centre ratings: the multitrait-multimethod matrix.

In an AC the competencies (dimensions) are the traits and the exercises the
methods.  Campbell & Fiske (1959) read the MTMM matrix through three kinds of
correlation between candidate-level scores:

* convergent (monotrait-heteromethod): same competency, different exercises;
* heterotrait-monomethod: different competencies, same exercise;
* heterotrait-heteromethod: different competencies, different exercises.

Construct-valid dimension ratings have high convergent and low discriminant
correlations; the typical AC finding ("the exercise effect", Sackett &
Dreher 1982; Lance 2008) is the reverse: heterotrait-monomethod correlations
exceed the convergent ones.

References
----------
Campbell, D. T., & Fiske, D. W. (1959). Convergent and discriminant validation by
the multitrait-multimethod matrix. *Psychological Bulletin*, 56(2), 81-105.
Lance, C. E. (2008). Why assessment centers do not work the way they are supposed to.
*Industrial and Organizational Psychology*, 1(1), 84-97.
Woehr, D. J., & Arthur, W. (2003). The construct-related validity of assessment
center ratings. *Journal of Management*, 29(2), 231-258.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._resampling import bootstrap_counts, percentile_interval, resolve_seed
from ._results import Estimate
from ._validation import (
    check_columns,
    check_dataframe,
    check_level,
    check_positive_int,
    check_text_distinct,
    check_unique_columns,
    numeric_column,
    plain,
    validates_seed,
)

__all__ = ["mtmm", "MTMMResult", "ac_cfa_models", "AC_MODELS"]

_KINDS = ("convergent", "heterotrait_monomethod", "heterotrait_heteromethod")
_LABELS = {
    "convergent": "convergent (same competency, different exercise)",
    "heterotrait_monomethod": "discriminant (different competency, same exercise)",
    "heterotrait_heteromethod": "discriminant (different competency, different exercise)",
}


def _weighted_corr(X: np.ndarray, M: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Pairwise-complete Pearson correlations of the columns of ``X`` with row weights ``w``.

    ``M`` is the 0/1 mask of observed cells (``X`` is 0 where ``M`` is 0).
    All sums run over the rows where both columns are observed.
    """
    Mw = M * w[:, None]
    Xw = X * w[:, None]
    n = M.T @ Mw
    sx = Xw.T @ M  # sx[i, j] = sum over rows with both observed of x_i
    sxx = (X * Xw).T @ M
    sxy = X.T @ Xw
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx**2 / n
        r = cov / np.sqrt(var_i * var_i.T)
    # a score constant over the complete pairs has no correlation: its variance is rounding noise, and the
    # quotient would be any number (+-inf, 0, or a finite value outside [-1, 1])
    flat = var_i <= 1e-12 * sxx
    r[(n < 3) | flat | flat.T] = np.nan
    return r


def _weighted_corr_complete(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`_weighted_corr` when no cell is missing: one weighted cross-product instead of five."""
    sw = float(w.sum())
    mean = (w @ X) / sw
    Xc = X - mean
    cov = (Xc * w[:, None]).T @ Xc
    var = np.diagonal(cov)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cov / np.outer(sd, sd)
    flat = var <= 1e-12 * (w @ (X * X))  # a constant score (see _weighted_corr)
    r[flat, :] = np.nan
    r[:, flat] = np.nan
    if sw < 3:
        r[:] = np.nan
    return r


def _weighted_corr_block(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """:func:`_weighted_corr_complete` for each row of ``W`` (B resamples) with one matrix product.

    ``sum_r w_r (x_ri - m_i)(x_rj - m_j) = sum_r w_r x_ri x_rj - S m_i m_j`` with ``S = sum_r w_r``: the
    weighted cross-products of all resamples come from ``(X * w_b)' X`` stacked along the columns.
    """
    n, p = X.shape
    B = W.shape[0]
    sw = W.sum(axis=1)
    means = (W @ X) / sw[:, None]  # (B, p)
    stacked = (X[:, None, :] * W.T[:, :, None]).reshape(n, B * p)  # column b*p + i holds w_b * x_i
    cross = (stacked.T @ X).reshape(B, p, p)
    cov = cross - sw[:, None, None] * means[:, :, None] * means[:, None, :]
    var = np.einsum("bii->bi", cov)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cov / (sd[:, :, None] * sd[:, None, :])
    flat = var <= 1e-12 * np.einsum("bii->bi", cross)  # a constant score (see _weighted_corr)
    r[flat[:, :, None] | flat[:, None, :]] = np.nan
    r[sw < 3] = np.nan
    return r


def _weighted_corr_block_missing(X: np.ndarray, M: np.ndarray, W: np.ndarray) -> np.ndarray:
    """:func:`_weighted_corr` (pairwise complete) for each row of ``W`` (B resamples), with stacked products.

    Each of the five weighted sums over rows where both columns are observed is one matrix product for all
    resamples: the rows of ``M``, ``X`` and ``X**2`` weighted by ``w_b`` are stacked along the columns.
    """
    n, p = X.shape
    B = W.shape[0]

    def stacked(A):  # column b*p + i holds w_b * A[:, i]
        return (A[:, None, :] * W.T[:, :, None]).reshape(n, B * p)

    Mw = stacked(M)
    Xw = stacked(X)
    cnt = (Mw.T @ M).reshape(B, p, p)
    sx = (Xw.T @ M).reshape(B, p, p)  # sx[b, i, j] = sum over rows with both observed of w x_i
    sxx = (stacked(X * X).T @ M).reshape(B, p, p)
    sxy = (Xw.T @ X).reshape(B, p, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = sxy - sx * np.swapaxes(sx, 1, 2) / cnt
        var_i = sxx - sx**2 / cnt
        r = cov / np.sqrt(var_i * np.swapaxes(var_i, 1, 2))
    flat = var_i <= 1e-12 * sxx  # as in _weighted_corr
    r[(cnt < 3) | flat | np.swapaxes(flat, 1, 2)] = np.nan
    return r


def _block_means(Rb: np.ndarray, pairs) -> np.ndarray:
    """:func:`_means` of each matrix of the stack ``Rb`` (B, p, p): (B, 3) in the order of ``_KINDS``."""
    out = np.full((Rb.shape[0], len(_KINDS)), np.nan)
    for j, k in enumerate(_KINDS):
        a, b = pairs[k]
        if not len(a):
            continue
        vals = Rb[:, a, b]
        ok = np.isfinite(vals)
        cnt = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(cnt > 0, np.where(ok, vals, 0.0).sum(axis=1) / cnt, np.nan)
    return out


def _pair_kinds(cols):
    """Index pairs (i < j) of each kind for the (trait, method) columns."""
    out = {k: ([], []) for k in _KINDS}
    for i, j in itertools.combinations(range(len(cols)), 2):
        (ti, mi), (tj, mj) = cols[i], cols[j]
        if ti == tj and mi != mj:
            kind = "convergent"
        elif ti != tj and mi == mj:
            kind = "heterotrait_monomethod"
        elif ti != tj and mi != mj:
            kind = "heterotrait_heteromethod"
        else:  # pragma: no cover - columns are unique (trait, method) pairs
            continue
        out[kind][0].append(i)
        out[kind][1].append(j)
    return {k: (np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)) for k, (a, b) in out.items()}


def _means(R: np.ndarray, pairs) -> dict[str, float]:
    res = {}
    for k, (a, b) in pairs.items():
        vals = R[a, b] if len(a) else np.array([])
        vals = vals[np.isfinite(vals)]
        res[k] = float(vals.mean()) if vals.size else math.nan
    return res


@dataclass(frozen=True)
class MTMMResult:
    """Multitrait-multimethod analysis of candidate x competency x exercise scores.

    Attributes
    ----------
    matrix : DataFrame
        Correlations between the (competency, exercise) scores of the candidates
        (pairwise complete), rows and columns a MultiIndex (trait, method).
    scores : DataFrame
        The candidate x (trait, method) mean scores the matrix is computed from.
    convergent, heterotrait_monomethod, heterotrait_heteromethod : Estimate
        Mean correlation of each kind with a percentile bootstrap interval
        (candidates resampled).
    trait, method : str
        The column names used as traits and methods.
    n_persons : int
    n_boot : int
    """

    matrix: pd.DataFrame
    scores: pd.DataFrame
    convergent: Estimate
    heterotrait_monomethod: Estimate
    heterotrait_heteromethod: Estimate
    trait: str
    method: str
    n_persons: int
    n_boot: int
    notes: tuple[str, ...] = ()
    _boot: np.ndarray = field(default=None, repr=False, compare=False)

    @property
    def means(self) -> pd.DataFrame:
        """Tidy table of the three mean correlations: ``mean, ci_low, ci_high, n_pairs``."""
        rows = []
        for k in _KINDS:
            e = getattr(self, k)
            rows.append({"kind": k, "description": _LABELS[k], "mean": e.value, "ci_low": e.ci_low,
                         "ci_high": e.ci_high, "n_pairs": e.extra.get("n_pairs", 0)})
        return pd.DataFrame(rows).set_index("kind")

    @property
    def exercise_effect(self) -> float:
        """Mean heterotrait-monomethod minus mean convergent correlation (> 0: exercises dominate)."""
        return self.heterotrait_monomethod.value - self.convergent.value

    def summary(self) -> str:
        """Text report of the three mean correlations."""
        lines = [f"MTMM: {self.n_persons} candidates, {self.matrix.shape[0]} {self.trait} x {self.method} scores",
                 ""]
        m = self.means
        lv = int(round(self.convergent.level * 100))
        for k in _KINDS:
            r = m.loc[k]
            lines.append(f"{_LABELS[k]:<58s} {r['mean']: .3f}  {lv}% CI [{r['ci_low']: .3f}, {r['ci_high']: .3f}]"
                         f"  ({int(r['n_pairs'])} pairs)")
        lines.append("")
        lines.append(f"exercise effect (monomethod - convergent): {self.exercise_effect: .3f}")
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"MTMMResult(n_persons={self.n_persons}, convergent={self.convergent.value:.3f}, "
                f"heterotrait_monomethod={self.heterotrait_monomethod.value:.3f}, "
                f"heterotrait_heteromethod={self.heterotrait_heteromethod.value:.3f})")

    def _repr_html_(self) -> str:
        m = self.means.drop(columns="description")
        notes = "".join(f"<br><i>note: {html.escape(n)}</i>" for n in self.notes)
        return (f"<div><b>MTMM</b>: {self.n_persons} candidates, {self.matrix.shape[0]} "
                f"{html.escape(self.trait)} x {html.escape(self.method)} scores"
                f"{m.to_html(float_format=lambda x: f'{x:.3f}')}{notes}</div>")

    def plot(self, ax=None, *, cmap: str = "RdBu_r", annotate: bool | None = None):
        """Heatmap of the MTMM matrix, ordered by method then trait, with method blocks outlined.

        Rows are labelled ``trait | method``; columns, in the same order, likewise up to 20 scores and by
        the method under each block beyond that.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure is made when omitted.
        cmap : str
            Colormap (diverging, centred at 0).
        annotate : bool, optional
            Write the correlations in the cells (default: when there are at most 20 scores).

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle

        R = self.matrix
        order = sorted(range(R.shape[0]), key=lambda i: (str(R.index[i][1]), str(R.index[i][0])))
        R = R.iloc[order, order]
        k = R.shape[0]
        if ax is None:
            size = max(4.0, 0.45 * k + 2)
            _, ax = plt.subplots(figsize=(size, size * 0.85))
        im = ax.imshow(R.to_numpy(dtype=float), cmap=cmap, vmin=-1, vmax=1)
        labels = [f"{t} | {m}" for t, m in R.index]
        ax.set_yticks(range(k))
        ax.set_yticklabels(labels, fontsize=7)
        methods = [m for _, m in R.index]
        blocks = []
        start = 0
        for i in range(1, k + 1):
            if i == k or methods[i] != methods[start]:
                ax.add_patch(Rectangle((start - 0.5, start - 0.5), i - start, i - start, fill=False, lw=1.5,
                                       ec="black"))
                blocks.append((start, i))
                start = i
        if k <= 20:  # every column named
            ax.set_xticks(range(k))
            ax.set_xticklabels(labels, rotation=90, fontsize=7)
        else:  # columns in the rows' order: the method of each block under it (45 turned labels are unreadable)
            ax.set_xticks([(a + b - 1) / 2 for a, b in blocks])
            ax.set_xticklabels([str(methods[a]) for a, _ in blocks], rotation=90, fontsize=8)
        if annotate is None:
            annotate = k <= 20
        if annotate:
            vals = R.to_numpy(dtype=float)
            for i in range(k):
                for j in range(k):
                    if i != j and np.isfinite(vals[i, j]):
                        ax.text(j, i, f"{vals[i, j]:.2f}", ha="center", va="center", fontsize=6)
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="correlation")
        ax.set_title(f"MTMM: {self.trait} x {self.method} (blocks: same {self.method})")
        return ax


def _person_by_score(long: pd.DataFrame, person: str, trait: str, method: str) -> pd.DataFrame:
    """Persons x (trait, method) table of mean scores, built from integer codes (no groupby/unstack).

    Ids become sorted integer codes once; the scores are summed into their (person, trait, method) slot with
    ``bincount`` and divided by the counts (several assessors on one score are averaged).  Columns are the
    (trait, method) pairs present in the data, in sorted order; NaN where a person lacks a score.
    """
    from ._codes import sorted_codes

    pc, pu = sorted_codes(long["p"])
    tc, tu = sorted_codes(long["t"])
    mc, mu = sorted_codes(long["m"])
    n_t, n_m = len(tu), len(mu)
    col = tc.astype(np.int64) * n_m + mc
    present = np.flatnonzero(np.bincount(col, minlength=n_t * n_m) > 0)
    col_of = np.full(n_t * n_m, -1, dtype=np.int64)
    col_of[present] = np.arange(len(present))
    key = pc.astype(np.int64) * len(present) + col_of[col]
    size = len(pu) * len(present)
    y = long["y"].to_numpy(dtype=float)
    sums = np.bincount(key, weights=y, minlength=size)
    cnt = np.bincount(key, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        X = np.where(cnt > 0, sums / np.maximum(cnt, 1), np.nan).reshape(len(pu), len(present))
    columns = pd.MultiIndex.from_arrays([tu.take(present // n_m), mu.take(present % n_m)], names=[trait, method])
    return pd.DataFrame(X, index=pd.Index(pu, name=person), columns=columns)


def _long_ratings(data, person: str, trait: str, method: str, score: str, what: str) -> pd.DataFrame:
    """Validate long-format AC ratings; return columns ``p, t, m, y`` (rows without a score dropped).

    ``what`` names the analysis in the messages (an MTMM matrix, a confirmatory model set...).
    """
    df = check_dataframe(data, "data")
    for name, val in (("person", person), ("trait", trait), ("method", method), ("score", score)):
        if not isinstance(val, str):
            raise TypeError(f"{name} must be a column name (str); got {val!r}.")
    if len({person, trait, method, score}) < 4:
        raise ValueError(
            f"person, trait, method and score must be four different columns; got {person!r}, {trait!r}, "
            f"{method!r}, {score!r}."
        )
    check_unique_columns(df, "data", [person, trait, method, score])
    if person not in df.columns:
        raise ValueError(
            f"person column {person!r} is not in data; its columns are {list(map(str, df.columns))}. "
            "Pass person= the column that identifies the candidates."
        )
    check_columns(df, [trait, method, score], "data")
    s = numeric_column(df, score, "score")
    inf = np.isinf(s.to_numpy(dtype=float, na_value=np.nan))
    if inf.any():
        pos = int(np.flatnonzero(inf)[0])
        raise ValueError(
            f"data column {score!r} (score) holds an infinite value ({plain(s.iloc[pos])!r}) at row "
            f"{plain(df.index[pos])!r}" + (f" ({int(inf.sum())} in all)" if inf.sum() > 1 else "")
            + ". Replace it with NaN (missing) or a valid score."
        )
    for c in (person, trait, method):
        bad = df[c].isna().to_numpy()
        if bad.any():
            raise ValueError(
                f"data column {c!r} is missing at row {plain(df.index[int(np.flatnonzero(bad)[0])])!r}; every "
                f"rating needs its {c}. Fill or drop those rows."
            )
        check_text_distinct(df[c].to_numpy(), f"data column {c!r}")
    if len(s) and s.isna().all():
        raise ValueError(
            f"data column {score!r} (score) is all missing: none of its {len(s)} rows holds a score, so there is "
            f"nothing to correlate. Check that score={score!r} names the rating column and that its values were "
            "read (e.g. not text that could not be parsed)."
        )
    long = pd.DataFrame({"p": df[person].to_numpy(), "t": df[trait].to_numpy(), "m": df[method].to_numpy(),
                         "y": s.to_numpy(dtype=float, na_value=np.nan)}).dropna(subset=["y"])
    for name, col, column in (("trait", "t", trait), ("method", "m", method)):
        if long[col].nunique() < 2:
            if df[column].nunique() >= 2:
                raise ValueError(
                    f"{name} column {column!r} has {long[col].nunique()} level(s) with a score (of "
                    f"{df[column].nunique()} in data: the others have only missing scores); {what} "
                    f"needs at least 2 {name}s with scores."
                )
            raise ValueError(
                f"{name} column {column!r} has {long[col].nunique()} level(s); {what} needs at least "
                f"2 {name}s."
            )
    return long

@validates_seed
def mtmm(data, *, person: str, trait: str = "competency", method: str = "exercise", score: str = "score",
         n_boot: int = 1000, level: float = 0.95, seed=None) -> MTMMResult:
    """Multitrait-multimethod matrix of AC ratings with mean convergent and discriminant correlations.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating (several assessors per cell are averaged).
    person : str
        Column identifying the candidates.
    trait : str
        Column of the traits (competencies / dimensions).
    method : str
        Column of the methods (exercises).
    score : str
        Column of the ratings.
    n_boot : int
        Bootstrap resamples of candidates for the intervals (0 for none).
    level : float
        Confidence level of the intervals.
    seed : int, optional
        Seed of the counter-based bootstrap (same seed, same intervals).

    Returns
    -------
    MTMMResult

    Notes
    -----
    Each candidate's score on a (trait, method) cell is the mean of its
    ratings.  The matrix holds Pearson correlations over the candidates with
    both scores (pairwise complete).  The mean of each kind is the arithmetic
    mean of the correlations of that kind (Woehr & Arthur 2003); its interval
    is the percentile interval of the same mean over bootstrap resamples of
    the candidates (the whole matrix is recomputed in every resample).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psikometri as pk
    >>> rng = np.random.default_rng(0)
    >>> rows = []
    >>> g, ex = rng.normal(size=200), rng.normal(size=(200, 3))
    >>> for p in range(200):
    ...     for c in range(3):
    ...         for e in range(3):
    ...             rows.append((p, f"C{c}", f"E{e}", g[p] + ex[p, e] + rng.normal(0, 0.5)))
    >>> d = pd.DataFrame(rows, columns=["candidate", "competency", "exercise", "score"])
    >>> res = pk.mtmm(d, person="candidate", n_boot=200, seed=1)
    >>> res.heterotrait_monomethod.value > res.convergent.value   # the exercise effect
    True
    >>> 0.3 < res.convergent.value < 0.6
    True
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be an integer >= 0; got n_boot={n_boot!r}. Use e.g. n_boot=1000.")
    level = check_level(level)
    long = _long_ratings(data, person, trait, method, score, "an MTMM matrix")
    wide = _person_by_score(long, person, trait, method)
    n = wide.shape[0]
    if n < 3:
        raise ValueError(f"mtmm needs at least 3 candidates; got {n}.")
    cols = list(wide.columns)
    pairs = _pair_kinds(cols)
    X = wide.to_numpy(dtype=float)
    M = np.isfinite(X).astype(float)
    X = np.where(M > 0, X, 0.0)
    R = _weighted_corr(X, M, np.ones(n))
    np.fill_diagonal(R, 1.0)
    matrix = pd.DataFrame(R, index=wide.columns, columns=wide.columns)
    point = _means(R, pairs)
    notes = []
    for k in _KINDS:
        if len(pairs[k][0]) == 0:
            notes.append(f"no pair of scores of kind '{k}' in this design")
    boot = np.full((n_boot, 3), np.nan)
    if n_boot > 0:
        counts = bootstrap_counts(n, int(n_boot), resolve_seed(seed)).astype(float)
        from ._threads import single_thread_blas  # small products: BLAS threads only add synchronisation

        with single_thread_blas():
            if M.all():
                for lo in range(0, n_boot, 64):
                    for b, Rb in enumerate(_weighted_corr_block(X, counts[lo:lo + 64]), start=lo):
                        mb = _means(Rb, pairs)
                        boot[b] = [mb[k] for k in _KINDS]
            else:
                for lo in range(0, n_boot, 64):
                    boot[lo:lo + 64] = _block_means(_weighted_corr_block_missing(X, M, counts[lo:lo + 64]), pairs)
    ests = {}
    for j, k in enumerate(_KINDS):
        lo, hi = percentile_interval(boot[:, j], level) if n_boot > 1 else (math.nan, math.nan)
        se = float(np.nanstd(boot[:, j], ddof=1)) if n_boot > 1 and np.isfinite(boot[:, j]).sum() > 1 else math.nan
        ests[k] = Estimate(point[k], lo, hi, se=se, n=n, method=f"mtmm_{k}",
                           ci_method="percentile bootstrap" if n_boot > 1 else None, level=level,
                           note="" if len(pairs[k][0]) else f"no pair of kind '{k}'",
                           extra={"n_pairs": int(len(pairs[k][0]))})
    return MTMMResult(matrix=matrix, scores=wide, trait=trait, method=method, n_persons=n, n_boot=int(n_boot),
                      notes=tuple(notes), _boot=boot, **ests)


# ---------------------------------------------------------------------------------------------------------------
# Confirmatory models of AC ratings
# ---------------------------------------------------------------------------------------------------------------

#: The AC confirmatory model set, in the order of the table (Widaman 1985; Lievens & Conway 2001;
#: Lance et al. 2004; Hoffman et al. 2011).
AC_MODELS: dict[str, str] = {
    "CE": "correlated exercises: one factor per exercise, exercise factors correlated",
    "CD": "correlated dimensions: one factor per competency, competency factors correlated",
    "CDCE": "correlated dimensions + correlated exercises, dimensions orthogonal to exercises",
    "CDCU": "correlated dimensions + correlated uniquenesses of the cells of one exercise",
    "1D-CE": "one general dimension + correlated exercises, general orthogonal to exercises",
    "G-BD-CE": "general factor + correlated broad dimensions + correlated exercises, the general factor orthogonal "
               "to both, broad dimensions orthogonal to exercises (after Hoffman et al. 2011)",
}

_FIT_COLUMNS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")


@dataclass(frozen=True)
class _ACSpec:
    """One model of the set, in the engine's syntax over internal names (``ind<i>``, ``dim<j>``...).

    ``kind`` maps every factor to ``"general"``, ``"dimension"`` (competency or broad dimension) or
    ``"exercise"``; ``cu_pairs`` are the indicator pairs with a free residual covariance (CDCU);
    ``reason`` is non-empty when the model cannot be fitted to this design (it is then not fitted).
    """

    name: str
    syntax: str
    kind: dict
    cu_pairs: tuple = ()
    npar: int = 0
    reason: str = ""


def _ac_specs(cols, names, dimension_groups) -> list[_ACSpec]:
    """Build the requested models for the (trait, method) indicator columns ``cols``."""
    k = len(cols)
    ind = [f"ind{i + 1}" for i in range(k)]
    traits = sorted({t for t, _ in cols}, key=lambda v: [t for t, _ in cols].index(v))
    methods = sorted({m for _, m in cols}, key=lambda v: [m for _, m in cols].index(v))
    by_trait = {t: [i for i, (ti, _) in enumerate(cols) if ti == t] for t in traits}
    by_method = {m: [i for i, (_, mi) in enumerate(cols) if mi == m] for m in methods}
    dim_f = {t: f"dim{j + 1}" for j, t in enumerate(traits)}
    ex_f = {m: f"exe{j + 1}" for j, m in enumerate(methods)}

    def block(fac, members):
        return [f"{fac} =~ " + " + ".join(ind[i] for i in members)]

    def zeros(a, b):
        return [f"{x} ~~ 0*{y}" for x in a for y in b]

    def single(kind, groups):
        bad = [g for g, members in groups.items() if len(members) < 2]
        if not bad:
            return ""
        what = {"competency": "is rated in one exercise only", "exercise": "rates one competency only",
                "broad dimension": "holds one rated cell only"}[kind]
        return (f"not identified: {kind} {plain(bad[0])!r} {what}, so its factor has a single indicator "
                f"(loading and residual variance cannot be separated)")

    p_moments = k * (k + 1) // 2
    out = []
    for name in names:
        lines, kind, cu, reason = [], {}, (), ""
        n_cov = 0  # free factor covariances
        if name in ("CE", "CDCE", "1D-CE", "G-BD-CE"):
            reason = reason or single("exercise", by_method)
        if name in ("CD", "CDCE", "CDCU"):
            reason = reason or single("competency", by_trait)
        if name in ("CD", "CDCE", "CDCU"):
            for t in traits:
                lines += block(dim_f[t], by_trait[t])
                kind[dim_f[t]] = "dimension"
            n_cov += len(traits) * (len(traits) - 1) // 2
        if name in ("1D-CE", "G-BD-CE"):
            lines += block("gen", range(k))
            kind["gen"] = "general"
        broad = []
        if name == "G-BD-CE":
            bmembers = {}
            for g, comps in dimension_groups.items():
                members = [i for i, (t, _) in enumerate(cols) if t in comps]
                if members:
                    bmembers[g] = members
            reason = reason or single("broad dimension", bmembers)
            for j, (g, members) in enumerate(bmembers.items()):
                fac = f"brd{j + 1}"
                broad.append(fac)
                lines += block(fac, members)
                kind[fac] = "dimension"
            n_cov += len(broad) * (len(broad) - 1) // 2
        if name in ("CE", "CDCE", "1D-CE", "G-BD-CE"):
            for m in methods:
                lines += block(ex_f[m], by_method[m])
                kind[ex_f[m]] = "exercise"
            n_cov += len(methods) * (len(methods) - 1) // 2
        if name == "CDCE":
            lines += zeros([dim_f[t] for t in traits], [ex_f[m] for m in methods])
        if name == "1D-CE":
            lines += zeros(["gen"], [ex_f[m] for m in methods])
        if name == "G-BD-CE":
            lines += zeros(["gen"], broad + [ex_f[m] for m in methods])
            lines += zeros(broad, [ex_f[m] for m in methods])
        if name == "CDCU":
            cu = tuple((i, j) for m in methods for a, i in enumerate(by_method[m]) for j in by_method[m][a + 1:])
            lines += [f"{ind[i]} ~~ {ind[j]}" for i, j in cu]
        n_load = sum(1 for line in lines if "=~" in line for _ in line.split("=~")[1].split("+"))
        npar = n_load + n_cov + k + len(cu)
        if not reason and npar > p_moments:
            reason = (f"not identified: {npar} free parameters for {p_moments} variances and covariances of the "
                      f"{k} scores")
        out.append(_ACSpec(name, "\n".join(lines), kind, cu, npar, reason))
    return out


def _ac_shares(spec: _ACSpec, Lam: np.ndarray, Psi: np.ndarray, Theta: np.ndarray, factors) -> dict[str, float]:
    """Mean shares of the model-implied indicator variances due to dimension, general and exercise factors.

    ``Lam`` (k x m), ``Psi`` (m x m) and ``Theta`` (k x k) are the estimates, ``factors`` the m factor names
    in the engine's order.  The share of indicator i due to a set K of factors is
    ``lam_iK' Psi_KK lam_iK / sigma_ii`` with ``sigma = Lam Psi Lam' + Theta`` (with one loading per factor
    kind and unit factor variances: the squared standardized loading).  Dimension factors include the
    general one.  For CDCU the exercise share is the mean standardized within-exercise residual covariance
    ``theta_ij / sqrt(sigma_ii sigma_jj)`` (Conway 1998), averaged first over the other cells of the indicator's
    exercise, then over the indicators.
    """
    sigma = np.diagonal(Lam @ Psi @ Lam.T + Theta)
    kinds = np.array([spec.kind[f] for f in factors])

    def share(mask):
        if not mask.any():
            return math.nan
        L = Lam[:, mask]
        v = np.einsum("ij,jk,ik->i", L, Psi[np.ix_(mask, mask)], L)
        return float(np.mean(v / sigma))

    out = {"dimension_share": share((kinds == "dimension") | (kinds == "general")),
           "general_share": share(kinds == "general"),
           "exercise_share": share(kinds == "exercise")}
    if spec.cu_pairs:
        k = Lam.shape[0]
        tot, cnt = np.zeros(k), np.zeros(k)
        for i, j in spec.cu_pairs:
            r = Theta[i, j] / math.sqrt(sigma[i] * sigma[j])
            tot[i] += r
            tot[j] += r
            cnt[i] += 1
            cnt[j] += 1
        has = cnt > 0
        out["exercise_share"] = float(np.mean(tot[has] / cnt[has])) if has.any() else math.nan
    return out


def _ac_indicators(long: pd.DataFrame, person: str, trait: str, method: str):
    """Candidates x (trait, method) means and the listwise-complete rows with their covariance (divisor N)."""
    wide = _person_by_score(long, person, trait, method)
    X = wide.to_numpy(dtype=float)
    complete = np.isfinite(X).all(axis=1)
    return wide, complete


def _check_dimension_groups(dimension_groups, traits) -> dict:
    """``{broad dimension: [competencies]}`` covering every rated competency exactly once."""
    from collections.abc import Mapping

    if not isinstance(dimension_groups, Mapping):
        raise TypeError(
            "dimension_groups must be a mapping {broad dimension: [competencies]}; got "
            f"{type(dimension_groups).__name__}. Example: {{'interpersonal': ['komunikasi', 'kerjasama'], ...}}."
        )
    known = {plain(t) for t in traits}
    seen: dict = {}
    groups = {}
    for g, comps in dimension_groups.items():
        if isinstance(comps, str) or not hasattr(comps, "__iter__"):
            raise TypeError(f"dimension_groups[{g!r}] must be a list of competencies; got {comps!r}.")
        comps = [plain(c) for c in comps]
        if not comps:
            raise ValueError(f"dimension_groups[{g!r}] is empty; give every broad dimension its competencies.")
        for c in comps:
            if c not in known:
                raise ValueError(
                    f"dimension_groups[{g!r}] names competency {c!r}, which has no score in ratings; the rated "
                    f"competencies are {sorted(map(str, known))}."
                )
            if c in seen:
                raise ValueError(
                    f"competency {c!r} is in two broad dimensions of dimension_groups ({seen[c]!r} and {g!r}); "
                    "each competency belongs to one broad dimension."
                )
            seen[c] = g
        groups[g] = set(comps)
    left = sorted(map(str, known - set(seen)))
    if left:
        raise ValueError(
            f"dimension_groups leaves out the rated competencies {left}; assign every competency to one broad "
            "dimension."
        )
    if len(groups) < 2:
        raise ValueError(
            f"dimension_groups has {len(groups)} broad dimension; the general + broad dimension model needs at "
            "least 2 (one broad dimension holding every competency is the general factor itself)."
        )
    return groups


def ac_cfa_models(ratings, *, person: str, trait: str = "competency", method: str = "exercise",
                  score: str = "score", models=None, dimension_groups=None,
                  keep_inadmissible: bool = False) -> pd.DataFrame:
    r"""Fit the confirmatory model set of assessment-centre ratings and compare the models.

    The indicators are the candidate's mean rating (over assessors) on each rated (competency, exercise)
    cell; a competency that an exercise does not assess is simply not an indicator (incomplete designs).
    Each model is a confirmatory factor model of the covariance matrix of those indicators, fitted by
    maximum likelihood with every factor variance fixed at 1 (``std.lv = TRUE``):

    =========  ==============================================================================================
    CE         one factor per exercise on its cells; exercise factors correlated
    CD         one factor per competency on its cells; competency factors correlated
    CDCE       CD and CE factors; competencies correlated among themselves, exercises among themselves,
               every competency factor orthogonal to every exercise factor
    CDCU       CD factors and a free residual covariance for every pair of cells of one exercise
               (correlated uniquenesses, Marsh 1989)
    1D-CE      one general factor on every cell and the CE factors, general orthogonal to exercises
    G-BD-CE    (with ``dimension_groups``) a general factor on every cell, one factor per broad dimension on
               the cells of its competencies and the CE factors; the general factor orthogonal to all others,
               broad dimensions correlated among themselves, exercises among themselves, broad dimensions
               orthogonal to exercises (after Hoffman et al. 2011)
    =========  ==============================================================================================

    Parameters
    ----------
    ratings : DataFrame
        Long format, one row per rating (assessor x candidate x competency x exercise).
    person : str
        Column identifying the candidates.
    trait : str
        Column of the competencies (dimensions).
    method : str
        Column of the exercises.
    score : str
        Column of the ratings.
    models : str or list of str, optional
        Models to fit, among :data:`AC_MODELS`.  Default: the five models, and ``"G-BD-CE"`` when
        ``dimension_groups`` is given.
    dimension_groups : mapping, optional
        ``{broad dimension: [competencies]}``, every rated competency in exactly one broad dimension.
    keep_inadmissible : bool
        Report the fit and shares of converged but inadmissible solutions (``admissible`` False) instead of
        ``NaN``.

    Returns
    -------
    DataFrame
        One row per model (index ``model``) with ``description``, ``n_persons`` (candidates with every
        score), ``n_excluded`` (candidates left out for lacking a score), ``n_indicators``, ``npar``, the fit ``chisq, df, pvalue, cfi, tli, rmsea, srmr, aic, bic``, ``converged``,
        ``admissible``, ``reason`` (empty when the solution is usable) and the variance shares
        ``dimension_share``, ``general_share`` and ``exercise_share``.  A model that does not converge,
        is inadmissible or is not identified in this design is a row with ``NaN`` fit and shares and the
        reason; it never raises.

    Notes
    -----
    Shares are means over the indicators of the share of the model-implied variance
    :math:`\sigma_{ii}` due to a kind of factor,
    :math:`\lambda_{iK}^\top \Psi_{KK} \lambda_{iK} / \sigma_{ii}`; every factor has variance 1, each cell loads
    on at most one general, one competency or broad-dimension and one exercise factor, and factors of different
    kinds are orthogonal, so this is the sum of the cell's squared standardized loadings on that kind.
    ``dimension_share`` counts every dimension factor: competency factors (CD, CDCE, CDCU), the general
    factor (1D-CE, G-BD-CE) and the broad dimensions (G-BD-CE); ``general_share`` is the general factor
    alone.  Kinds a model lacks are ``NaN`` (CE has no dimension share, CD no exercise share).  CDCU has no
    exercise factors: its ``exercise_share`` is the mean standardized residual covariance of two cells of
    one exercise, :math:`\theta_{ij} / \sqrt{\sigma_{ii}\sigma_{jj}}` (averaged over the other cells of the
    indicator's exercise, then over the indicators), the share of method variance when the cells of an
    exercise load equally on it (Conway 1998) and a lower bound of the mean squared standardized exercise
    loading otherwise.  Outside CDCU, ``dimension_share + exercise_share`` is the mean common (non-unique)
    share.

    Candidates lacking any indicator are left out (listwise deletion, lavaan's default); ML needs more
    candidates than indicators.  A converged solution is *admissible* when every residual and factor variance is
    positive and the factor and residual covariance matrices are positive definite (the CFA engine's check,
    lavaan's ``lavInspect(fit, "post.check")``).  CD and CDCE solutions are often inadmissible, or do not exist
    at all (the discrepancy keeps falling as estimates go to infinity), in AC data (Lance et al. 2004; Bowler &
    Woehr 2006; Buckett et al. 2020): a result, not an error.

    Each model is minimised by the CFA engine's damped Fisher scoring, with Newton steps near the minimum
    (:mod:`psikometri.factor`), from two starts, the CFA engine's start values and start values from the mean
    MTMM correlations; the converged run with the smaller discrepancy is the estimate.  A run whose estimates
    stay beyond ten times what a proper solution can reach
    (a factor correlation of 10, a loading of ten standard deviations) for 25 iterations is reported as
    diverging.  The fit measures and the admissibility are the engine's (:mod:`psikometri.factor`).  Matches
    ``lavaan::cfa(model, std.lv = TRUE)`` with the same syntax (see ``tests/fixtures/construct/make_reference.R``)
    wherever lavaan reaches the same minimum; where lavaan's default run stops at a point with a larger
    discrepancy (CDCE and general-factor models, weakly identified), lavaan started from psikometri's estimates
    stays at them.

    References
    ----------
    Widaman, K. F. (1985). Hierarchically nested covariance structure models for multitrait-multimethod data.
    *Applied Psychological Measurement*, 9(1), 1-26.
    Marsh, H. W. (1989). Confirmatory factor analyses of multitrait-multimethod data: Many problems and a few
    solutions. *Applied Psychological Measurement*, 13(4), 335-361.
    Conway, J. M. (1998). Estimation and uses of the proportion of method variance for multitrait-multimethod
    data. *Organizational Research Methods*, 1(2), 209-222.
    Lievens, F., & Conway, J. M. (2001). Dimension and exercise variance in assessment center scores: A
    large-scale evaluation of multitrait-multimethod studies. *Journal of Applied Psychology*, 86(6), 1202-1222.
    Lance, C. E., Lambert, T. A., Gewin, A. G., Lievens, F., & Conway, J. M. (2004). Revised estimates of
    dimension and exercise variance components in assessment center postexercise dimension ratings. *Journal
    of Applied Psychology*, 89(2), 377-385.
    Bowler, M. C., & Woehr, D. J. (2006). A meta-analytic evaluation of the impact of dimension and exercise
    factors on assessment center ratings. *Journal of Applied Psychology*, 91(5), 1114-1124.
    Hoffman, B. J., Melchers, K. G., Blair, C. A., Kleinmann, M., & Ladd, R. T. (2011). Exercises and
    dimensions are the currency of assessment centers. *Personnel Psychology*, 64(2), 351-395.
    Buckett, A., Becker, J. R., & Melchers, K. G. (2020). How different indicator-dimension ratios in
    assessment center ratings affect evidence for dimension factors. *Frontiers in Psychology*, 11, 459.

    Examples
    --------
    >>> import psikometri as pk
    >>> sim = pk.simulate_assessment({"contoh": 300}, seed=3)
    >>> tab = pk.ac_cfa_models(sim.ratings, person="candidate")
    >>> list(tab.index)
    ['CE', 'CD', 'CDCE', 'CDCU', '1D-CE']
    >>> bool(tab.loc["CE", "exercise_share"] > 0.3)
    True
    """
    long = _long_ratings(ratings, person, trait, method, score, "a confirmatory model of AC ratings")
    if not isinstance(keep_inadmissible, (bool, np.bool_)):
        raise TypeError(f"keep_inadmissible must be True or False; got {keep_inadmissible!r}.")
    if models is None:
        names = [m for m in AC_MODELS if m != "G-BD-CE" or dimension_groups is not None]
    else:
        if not isinstance(models, str) and not isinstance(models, Iterable):
            raise TypeError(f"models must be None, a model name or a list of them among {list(AC_MODELS)}; got "
                            f"models={models!r}. Pass e.g. models=['CE', 'CDCU'].")
        names = [models] if isinstance(models, str) else list(models)
        for m in names:
            if m not in AC_MODELS:
                raise ValueError(f"models holds {m!r}, which is not a model of the set; choose among "
                                 f"{list(AC_MODELS)}.")
        if len(set(names)) < len(names):
            raise ValueError(f"models names a model twice: {names}.")
        if not names:
            raise ValueError(f"models is empty; choose among {list(AC_MODELS)} or leave models=None.")
        if "G-BD-CE" in names and dimension_groups is None:
            raise ValueError(
                "models includes 'G-BD-CE' (general + broad dimensions + exercises), which needs "
                "dimension_groups={broad dimension: [competencies]}."
            )
    wide, complete = _ac_indicators(long, person, trait, method)
    cols = list(wide.columns)
    groups = _check_dimension_groups(dimension_groups, [t for t, _ in cols]) if dimension_groups is not None \
        else None
    k = len(cols)
    X = wide.to_numpy(dtype=float)[complete]
    n = X.shape[0]
    if n <= k:
        lacking = int((~complete).sum())
        why = (f" ({lacking} of the {len(complete)} candidates lack at least one of these scores and are left "
               "out)") if lacking else ""
        raise ValueError(
            f"too few candidates for a confirmatory model: {n} candidates have all {k} (competency, exercise) "
            f"scores{why}, and maximum likelihood needs more candidates than scores (in practice several times "
            f"more: at least {max(5 * k, 100)} for {k} scores). Pool more candidates (e.g. several cohorts "
            "assessed with the same design) or analyse fewer exercises."
        )
    S = np.cov(X, rowvar=False, bias=True)
    sd = np.sqrt(np.diagonal(S))
    if np.any(sd <= 0):
        j = int(np.flatnonzero(sd <= 0)[0])
        raise ValueError(
            f"every candidate with all scores has the same score on {trait}={plain(cols[j][0])!r}, "
            f"{method}={plain(cols[j][1])!r} ({plain(X[0, j])!r}); a constant score has no variance to model. Drop that "
            "cell or check the data."
        )
    R = S / np.outer(sd, sd)
    w = np.linalg.eigvalsh(R)
    if w[0] <= 1e-10:
        raise ValueError(
            f"the covariance matrix of the {k} (competency, exercise) scores of the {n} candidates is singular "
            f"(smallest eigenvalue of the correlation matrix {w[0]:.2e}): some scores are exact linear "
            "combinations of others (e.g. a cell copied from another or computed from them). Remove such cells."
        )
    specs = _ac_specs(cols, names, groups)
    from ._threads import single_thread_blas  # matrices of a few dozen rows: threads only add synchronisation

    with single_thread_blas():
        rows = [_ac_row(spec, S, X, n, complete, k, cols, trait, method, groups, keep_inadmissible)
                for spec in specs]
    tab = pd.DataFrame(rows).set_index("model")
    tab["df"] = tab["df"].astype(float)
    return tab


def _ac_row(spec, S, X, n, complete, k, cols, trait, method, groups, keep_inadmissible) -> dict:
    """One row of the table: the model's status and, when it was fitted, its fit and shares."""
    row = {"model": spec.name, "description": AC_MODELS[spec.name], "n_persons": n,
           "n_excluded": int((~complete).sum()), "n_indicators": k, "npar": spec.npar}
    row.update({c: math.nan for c in _FIT_COLUMNS})
    row.update(converged=False, admissible=False, reason=spec.reason,
               dimension_share=math.nan, general_share=math.nan, exercise_share=math.nan)
    if not spec.reason:
        row.update(_ac_fit(spec, S, X.mean(axis=0), n, cols, trait, method, groups, keep_inadmissible))
    return row


def _ac_readable(text: str, cols, spec: _ACSpec, trait: str, method: str, dimension_groups) -> str:
    """Replace the internal names (``ind3``, ``dim2``, ``exe1``, ``gen``, ``brd1``) in an engine note."""
    traits = list(dict.fromkeys(t for t, _ in cols))
    methods = list(dict.fromkeys(m for _, m in cols))
    broad = [g for g in (dimension_groups or {}) if any(t in dimension_groups[g] for t, _ in cols)]

    def name(mo):
        tok = mo.group(0)
        if tok == "gen":
            return "general factor"
        kind, j = tok[:3], int(tok[3:]) - 1
        if kind == "ind":
            return f"{plain(cols[j][0])} | {plain(cols[j][1])}"
        if kind == "dim":
            return f"{trait} factor {plain(traits[j])!r}"
        if kind == "exe":
            return f"{method} factor {plain(methods[j])!r}"
        return f"broad dimension {plain(broad[j])!r}"

    text = re.sub(r"\b(ind\d+)~~\1\b", r"the residual variance of \1", text)
    text = re.sub(r"\b(ind\d+)~~(ind\d+)\b", r"the residual covariance of \1 and \2", text)
    text = re.sub(r"\b((?:dim|exe|brd)\d+|gen)=~(ind\d+)\b", r"the loading of \2 on \1", text)
    text = re.sub(r"\b((?:dim|exe|brd)\d+|gen)~~((?:dim|exe|brd)\d+|gen)\b", r"\1 ~~ \2", text)
    return re.sub(r"\b(?:ind|dim|exe|brd)\d+\b|\bgen\b", name, text)


def _ac_bounds(model, S: np.ndarray) -> np.ndarray:
    """Divergence bounds per free parameter: 10 times the largest value a proper solution can take.

    With unit factor variances a proper loading is at most the indicator's SD, a factor covariance at most 1
    and a residual (co)variance at most the indicator (co)variance scale; estimates ten times beyond that lie
    on a ridge towards infinity (the improper solutions typical of CDCE models, Kenny & Kashy 1992).
    """
    from .factor import _LAMBDA, _PSI

    sd = np.sqrt(np.diagonal(S))
    out = np.full(model.npar, np.inf)
    for r in model.params:
        if r.free < 0:
            continue
        if r.mat == _LAMBDA:
            v = 10.0 * sd[r.row]
        elif r.mat == _PSI:
            v = 10.0
        else:
            v = 10.0 * sd[r.row] * sd[r.col]
        out[r.free] = min(out[r.free], v)
    return out


def _ac_fit(spec: _ACSpec, S: np.ndarray, means: np.ndarray, n: int, cols, trait, method, dimension_groups,
            keep_inadmissible: bool) -> dict:
    """Fit one model; the row's fit, status and shares (never raises for a bad model).

    Two starts (the CFA engine's own start values and :func:`_ac_start`'s), each minimised by the CFA engine
    (:func:`psikometri.factor._fit_ml`: damped Fisher scoring with the divergence guard of :func:`_ac_bounds`);
    the converged solution with the smaller discrepancy is the estimate, with the engine's fit measures and
    admissibility (``factor._finish``).
    """
    from .factor import _build_model, _check_identified, _matrices

    model = _build_model(spec.syntax, std_lv=True)
    perm = np.array([int(v[3:]) - 1 for v in model.ov])
    out = {"npar": model.npar}
    readable = lambda text: _ac_readable(text, cols, spec, trait, method, dimension_groups)  # noqa: E731
    try:
        _check_identified(model)
    except ValueError as exc:
        out["reason"] = readable(str(exc))
        return out
    res = _ac_optimise(spec, model, S, perm, cols, dimension_groups, means=means, n=n)
    conv = res.converged
    notes = "; ".join(res.notes)
    out.update(converged=bool(conv), admissible=bool(conv and res.admissible))
    if not conv:
        out["reason"] = readable(notes)
        return out
    if not res.admissible:
        out["reason"] = "inadmissible: " + readable(notes)
        if not keep_inadmissible:
            return out
    for c in _FIT_COLUMNS:
        out[c] = float(res.fit[c])
    L, T, P, _, _ = _matrices(model, res.x, 0)
    inv = np.empty_like(perm)  # back to the indicator order of ``cols``
    inv[perm] = np.arange(len(perm))
    L, T = L[inv], T[np.ix_(inv, inv)]
    out.update(_ac_shares(spec, L, P, T, model.lv))
    return out


def _ac_optimise(spec: _ACSpec, model, S: np.ndarray, perm: np.ndarray, cols, dimension_groups, *, means=None,
                 n: int = 1):
    """The estimate: the CFA engine's fit from two starts, the converged run with the smaller discrepancy.

    ``S`` (and ``means``) are in the order of ``cols``, ``perm`` maps the model's indicators to it, ``n`` is the
    number of candidates.  Each start is minimised by :func:`psikometri.factor._fit_ml` (damped Fisher scoring,
    up to 1,000 iterations, stopped as diverging after 25 iterations beyond :func:`_ac_bounds`).  Returns the
    chosen run's ``factor._MLFit`` (the one with the smaller discrepancy when none converged); only that run is
    finished (``factor._finish``: standard errors and fit measures).
    """
    from ._threads import single_thread_blas
    from .factor import _finish, _minimise, _objective, _stacked_args, _start_values

    Sm = np.ascontiguousarray(S[np.ix_(perm, perm)])
    mu = np.zeros(len(perm)) if means is None else np.asarray(means, dtype=float)[perm]
    bounds = _ac_bounds(model, Sm)
    runs = []
    args = _stacked_args(model, [Sm], [mu])
    with single_thread_blas():
        for start in (_start_values(model, [Sm], None), _ac_start(spec, model, S, cols, dimension_groups)):
            run = _minimise(model, [Sm], [mu], [n], start=start, max_iter=1000, bounds=bounds, patience=25)
            F = _objective(model, run[1], run[2], run[3], run[5], run[6], args=args)  # the F _finish reports
            runs.append((not run[7], F if math.isfinite(F) else math.inf, len(runs), run))
        runs.sort(key=lambda r: r[:3])
        return _finish(*runs[0][3])  # only the chosen run: the fit measures and standard errors cost


def _ac_start(spec: _ACSpec, model, S: np.ndarray, cols, dimension_groups) -> np.ndarray:
    """Start values from the MTMM correlations, in the engine's parameter order.

    With ``r_hh``, ``r_hm`` and ``r_mh`` the mean heterotrait-heteromethod, heterotrait-monomethod and
    monotrait-heteromethod (convergent) correlations, a general factor starts at standardized loading
    ``sqrt(r_hh)``, exercise factors at ``sqrt(r_hm - r_hh)`` (uncorrelated) when dimension or general factors
    carry the common part, else at ``sqrt(r_hm)`` correlated ``r_hh / r_hm``; competency factors at
    ``sqrt(r_mh)`` correlated ``r_hh / r_mh``; broad dimensions at ``sqrt(r_bd - r_hh)`` (``r_bd``: different
    exercise, different competency of one broad dimension); CDCU's residual covariances at
    ``r_hm - r_hh``; residual variances take the rest (at least 10% of the variance).  Each indicator's loading
    is scaled by its own mean correlation of that kind relative to the overall mean (clipped to 0.5-1.5).
    :func:`_ac_optimise` runs from these and from the engine's own starts (one-factor loadings per block): in
    the weakly identified models the two can end at different minima.
    """
    k = len(cols)
    sd = np.sqrt(np.diagonal(S))
    R = S / np.outer(sd, sd)
    t = np.array([str(c[0]) for c in cols], dtype=object)
    m = np.array([str(c[1]) for c in cols], dtype=object)
    same_t = t[:, None] == t[None, :]
    same_m = m[:, None] == m[None, :]
    off = ~np.eye(k, dtype=bool)
    bmap = {}
    for g, comps in (dimension_groups or {}).items():
        for c in comps:
            bmap[str(c)] = str(g)
    b = np.array([bmap.get(x, x) for x in t], dtype=object)
    masks = {"hh": ~same_t & ~same_m, "hm": ~same_t & same_m, "mh": same_t & ~same_m,
             "bd": (b[:, None] == b[None, :]) & ~same_t & ~same_m}

    def mean_r(mask):
        v = R[mask & off]
        return float(np.clip(v.mean(), 0.02, 0.95)) if v.size else 0.02

    rbar = {key: mean_r(mask) for key, mask in masks.items()}

    def per_ind(key, level):
        """Standardized loadings around ``sqrt(level)``, scaled by each indicator's mean correlation of the kind."""
        mask = masks[key] & off
        cnt = mask.sum(axis=1)
        own = np.where(cnt > 0, (R * mask).sum(axis=1) / np.maximum(cnt, 1), rbar[key])
        return np.clip(math.sqrt(level) * np.clip(own / rbar[key], 0.5, 1.5), 0.1, 0.95)

    factors = list(model.lv)
    has_common = any(f == "gen" or f.startswith("dim") for f in factors)  # exercises need not carry r_hh
    L = np.zeros((k, len(factors)))
    P = np.eye(len(factors))
    hh = rbar["hh"]
    lam_g = per_ind("hh", hh)
    lam_e = per_ind("hm", max(rbar["hm"] - hh, 0.05) if has_common else rbar["hm"])
    lam_d = per_ind("mh", rbar["mh"])
    lam_b = per_ind("bd", max(rbar["bd"] - hh, 0.05))
    members = {f: [] for f in factors}
    for line in spec.syntax.splitlines():
        if "=~" in line:
            f, rhs = (s.strip() for s in line.split("=~"))
            members[f] = [int(v.strip()[3:]) - 1 for v in rhs.split("+")]
    for j, f in enumerate(factors):
        src = {"gen": lam_g, "dim": lam_d, "exe": lam_e, "brd": lam_b}[f[:3]]
        for i in members[f]:
            L[i, j] = src[i]
    for a, fa in enumerate(factors):
        for c, fc in enumerate(factors):
            if a != c and fa[:3] == fc[:3]:
                if fa.startswith("dim"):
                    P[a, c] = min(hh / rbar["mh"], 0.9)
                elif fa.startswith("exe") and not has_common:
                    P[a, c] = min(hh / rbar["hm"], 0.9)
    Tc = np.zeros((k, k))
    for i, j in spec.cu_pairs:
        Tc[i, j] = Tc[j, i] = max(rbar["hm"] - hh, 0.02)
    common = np.einsum("ij,jk,ik->i", L, P, L)
    Tc[np.diag_indices(k)] = np.maximum(1.0 - common, 0.1)
    # to the covariance scale and the engine's order
    L = L * sd[:, None]
    Tc = Tc * np.outer(sd, sd)
    oi = {v: int(v[3:]) - 1 for v in model.ov}
    li = {f: j for j, f in enumerate(factors)}
    from .factor import _LAMBDA, _PSI, _THETA

    x = np.zeros(model.npar)
    for r in model.params:
        if r.free < 0:
            continue
        if r.mat == _LAMBDA:
            x[r.free] = L[oi[r.rhs], li[r.lhs]]
        elif r.mat == _PSI:
            x[r.free] = P[li[r.lhs], li[r.rhs]]
        elif r.mat == _THETA:
            x[r.free] = Tc[oi[r.lhs], oi[r.rhs]]
    return x
