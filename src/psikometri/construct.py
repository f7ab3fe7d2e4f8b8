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
    numeric_column,
    plain,
    validates_seed,
)

__all__ = ["mtmm", "MTMMResult"]

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
    r[n < 3] = np.nan
    return r


def _weighted_corr_complete(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:func:`_weighted_corr` when no cell is missing: one weighted cross-product instead of five."""
    sw = float(w.sum())
    mean = (w @ X) / sw
    Xc = X - mean
    cov = (Xc * w[:, None]).T @ Xc
    sd = np.sqrt(np.diagonal(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cov / np.outer(sd, sd)
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
    sd = np.sqrt(np.einsum("bii->bi", cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cov / (sd[:, :, None] * sd[:, None, :])
    r[sw < 3] = np.nan
    return r


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
        ax.set_xticks(range(k))
        ax.set_yticks(range(k))
        ax.set_xticklabels(labels, rotation=90, fontsize=7)
        ax.set_yticklabels(labels, fontsize=7)
        methods = [m for _, m in R.index]
        start = 0
        for i in range(1, k + 1):
            if i == k or methods[i] != methods[start]:
                ax.add_patch(Rectangle((start - 0.5, start - 0.5), i - start, i - start, fill=False, lw=1.5,
                                       ec="black"))
                start = i
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
    df = check_dataframe(data, "data")
    for name, val in (("person", person), ("trait", trait), ("method", method), ("score", score)):
        if not isinstance(val, str):
            raise TypeError(f"{name} must be a column name (str); got {val!r}.")
    if len({person, trait, method, score}) < 4:
        raise ValueError(
            f"person, trait, method and score must be four different columns; got {person!r}, {trait!r}, "
            f"{method!r}, {score!r}."
        )
    if person not in df.columns:
        raise ValueError(
            f"person column {person!r} is not in data; its columns are {list(map(str, df.columns))}. "
            "Pass person= the column that identifies the candidates."
        )
    check_columns(df, [trait, method, score], "data")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be an integer >= 0; got n_boot={n_boot!r}. Use e.g. n_boot=1000.")
    level = check_level(level)
    s = numeric_column(df, score, "score")
    for c in (person, trait, method):
        bad = df[c].isna().to_numpy()
        if bad.any():
            raise ValueError(
                f"data column {c!r} is missing at row {plain(df.index[int(np.flatnonzero(bad)[0])])!r}; every "
                f"rating needs its {c}. Fill or drop those rows."
            )
    if len(s) and s.isna().all():
        raise ValueError(
            f"data column {score!r} (score) is all missing: none of its {len(s)} rows holds a score, so there is "
            f"nothing to correlate. Check that score={score!r} names the rating column and that its values were "
            "read (e.g. not text that could not be parsed)."
        )
    long = pd.DataFrame({"p": df[person].to_numpy(), "t": df[trait].to_numpy(), "m": df[method].to_numpy(),
                         "y": s.to_numpy(dtype=float, na_value=np.nan)}).dropna(subset=["y"])
    for name, col in (("trait", "t"), ("method", "m")):
        if long[col].nunique() < 2:
            if df[locals()[name]].nunique() >= 2:
                raise ValueError(
                    f"{name} column {locals()[name]!r} has {long[col].nunique()} level(s) with a score (of "
                    f"{df[locals()[name]].nunique()} in data: the others have only missing scores); an MTMM matrix "
                    f"needs at least 2 {name}s with scores."
                )
            raise ValueError(
                f"{name} column {locals()[name]!r} has {long[col].nunique()} level(s); an MTMM matrix needs at least "
                f"2 {name}s."
            )
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
                for b in range(n_boot):
                    mb = _means(_weighted_corr(X, M, counts[b]), pairs)
                    boot[b] = [mb[k] for k in _KINDS]
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
