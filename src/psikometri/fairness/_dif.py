r"""Differential item functioning (DIF): Mantel-Haenszel and logistic regression.

An item shows DIF when respondents of two groups who stand at the same level
of the measured trait (matched on the test score) answer it differently.  The
public function is :func:`dif`; the arithmetic is in
:mod:`psikometri.fairness._dif_kernels`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import (check_choice, check_dataframe, check_items, check_positive_int, check_text_distinct,
                           plain)
from ._score_level import _sorted_levels

__all__ = ["dif"]

#: Smallest group accepted by default (below it DIF statistics are too unstable to read).
MIN_GROUP = 30

#: ETS delta scale: delta = -2.35 ln(alpha) (Holland & Thayer 1988).
DELTA_SCALE = 2.35

_DIF_TYPES = {"both": "both", "uniform": "uniform", "nonuniform": "nonuniform", "udif": "uniform",
              "nudif": "nonuniform"}
_P_ADJUST = ("none", "bonferroni", "holm", "bh")

#: Nagelkerke R^2-change cut-offs: (B from, C from).
ZUMBO_THOMAS = (0.13, 0.26)
JODOIN_GIERL = (0.035, 0.070)


def _adjust(p: np.ndarray, how: str) -> np.ndarray:
    """Adjusted p values as R's ``p.adjust`` (NaN entries are left out of the count, as R does)."""
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    m = q.size
    if how == "none" or m == 0:
        out[ok] = q
        return out
    if how == "bonferroni":
        adj = np.minimum(1.0, q * m)
    elif how == "holm":
        o = np.argsort(q, kind="mergesort")
        steps = np.maximum.accumulate((m - np.arange(m)) * q[o])
        adj = np.empty(m)
        adj[o] = np.minimum(1.0, steps)
    else:  # Benjamini-Hochberg
        o = np.argsort(q, kind="mergesort")[::-1]
        steps = np.minimum.accumulate(m / np.arange(m, 0, -1) * q[o])
        adj = np.empty(m)
        adj[o] = np.minimum(1.0, steps)
    out[ok] = adj
    return out


def _size_class(x: np.ndarray, cuts: tuple[float, float]) -> list:
    """'A' below cuts[0], 'B' below cuts[1], else 'C'; None where x is NaN."""
    out = []
    for v in x:
        if np.isnan(v):
            out.append(None)
        else:
            a = abs(v)
            out.append("A" if a < cuts[0] else ("B" if a < cuts[1] else "C"))
    return out


def _ets_class(delta: np.ndarray, se: np.ndarray, p: np.ndarray, alpha: float) -> tuple[np.ndarray, list]:
    """Full ETS rule: p of the interval-null test |delta| <= 1 and the A/B/C class."""
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.abs(delta)
        p_gt1 = stats.norm.cdf((1.0 - a) / se) + stats.norm.cdf((-1.0 - a) / se)
    p_gt1 = np.where(np.isinf(a), 0.0, p_gt1)  # an odds ratio of 0 or infinity: |delta| is beyond any bound
    cls = []
    for d, pg, pm in zip(a, p_gt1, p):
        if np.isnan(d) or not np.isfinite(pm):
            cls.append(None)
        elif d < 1.0 or pm >= alpha:
            cls.append("A")
        elif d >= 1.5 and np.isfinite(pg) and pg < alpha:
            cls.append("C")
        else:
            cls.append("B")
    return p_gt1, cls


def _resolve_group(df: pd.DataFrame, group):
    """(items frame without the group column, group Series aligned with its rows, name used in messages)."""
    if isinstance(group, pd.Series):
        g = group
        if not g.index.equals(df.index):
            if not df.index.is_unique or not g.index.is_unique:
                if len(g) == len(df):
                    raise ValueError(
                        "group must be aligned with the rows of items by index, but the two indexes differ and one "
                        "of them has duplicated labels, so the rows cannot be matched. Pass group with the same "
                        "index as items (e.g. group.set_axis(items.index) if they are in the same order)."
                    )
                raise ValueError(f"group has {len(g)} values but items has {len(df)} rows; pass one group label "
                                 "per row of items.")
            missing = df.index.difference(g.index, sort=False)
            if len(missing):
                raise ValueError(
                    f"group has no value for {len(missing)} row(s) of items, e.g. row {plain(missing[0])!r}: the "
                    "Series is matched to items by index. Give every respondent a group label (NaN for unknown) "
                    "or pass group with the same index as items."
                )
            g = g.reindex(df.index)
        return df, g, g.name if g.name is not None else "group"
    if isinstance(group, (np.ndarray, list, tuple, pd.Categorical, pd.Index)):
        arr = group if isinstance(group, (pd.Categorical, pd.Index, np.ndarray)) else np.asarray(group, dtype=object)
        if len(arr) != len(df):
            raise ValueError(f"group has {len(arr)} values but items has {len(df)} rows; pass one group label per "
                             "row of items (or a Series aligned by index, or the name of a column of items).")
        return df, pd.Series(arr, index=df.index, name="group"), "group"
    try:
        hash(group)
    except TypeError:
        raise TypeError(f"group must be a pandas Series, an array of labels or the name of a column of items; got "
                        f"{type(group).__name__}.") from None
    if group in df.columns:
        return df.drop(columns=[group]), df[group], group
    raise ValueError(f"group={group!r} is not a column of items (columns: {list(map(str, df.columns))}). Pass the "
                     "name of the column holding the groups, or the groups as a Series aligned with items.")


#: Most response categories of a polytomous item (scores a, a + 1, ..., a + MAX_CATEGORIES - 1).
MAX_CATEGORIES = 21


def _codes(df: pd.DataFrame, method: str) -> tuple[np.ndarray, bool]:
    """The item responses as a float array (NaN = missing) and whether any item is polytomous.

    0/1 items are dichotomous; other values must be integer scores (polytomous, ``method="mh"`` only).
    """
    arr = df.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(arr)

    def where(mask):
        r, c = (int(v[0]) for v in np.nonzero(mask))
        return f"row {plain(df.index[r])!r}, column {plain(df.columns[c])!r} holds {plain(df.iloc[r, c])!r}"

    bad = ok & (arr != 0.0) & (arr != 1.0)
    if not bad.any():
        return arr, False
    if method != "mh":
        raise ValueError(
            f"items must be scored 0/1 (dichotomous) for method={method!r}: {where(bad)}. Score each item 1 "
            "(keyed/correct) or 0, NaN for missing; for Likert items use method='mh' (Mantel's test for ordered "
            "scores) or dichotomise them first (e.g. (items >= 4).astype(int))."
        )
    frac = ok & (arr != np.round(arr))
    if frac.any():
        raise ValueError(
            f"items must hold integer item scores (0/1, or ordered categories such as 1-5): {where(frac)}. "
            "Pass the item responses, not averages or rescaled scores."
        )
    lo, hi = np.nanmin(arr), np.nanmax(arr)
    if hi - lo + 1 > MAX_CATEGORIES:
        raise ValueError(
            f"items hold scores from {plain(lo):g} to {plain(hi):g}, {int(hi - lo + 1)} possible categories; DIF "
            f"by the Mantel test is for items with at most {MAX_CATEGORIES} ordered categories. Pass the item "
            "responses (e.g. 1-5), not scale or test scores."
        )
    return arr, True


def _poly_class(smd_sd: np.ndarray, p: np.ndarray, alpha: float) -> list:
    """ETS polytomous classes (Zwick, Thayer & Mazzeo 1997) from |SMD| / SD and the Mantel test's p."""
    out = []
    for r, pm in zip(smd_sd, p):
        if not (np.isfinite(r) and np.isfinite(pm)):
            out.append(None)
        elif pm >= alpha or abs(r) <= 0.17:
            out.append("AA")
        elif abs(r) <= 0.25:
            out.append("BB")
        else:
            out.append("CC")
    return out


def dif(items, group, *, method: str = "mh", focal=None, match: str = "total", purify: bool = False,
        max_iter: int = 10, correct: bool = True, dif_type: str = "both", alpha: float = 0.05,
        p_adjust: str = "none", min_group: int = MIN_GROUP) -> pd.DataFrame:
    r"""Differential item functioning (DIF) of test items between two groups.

    Respondents are matched on the test score; within each score level the
    reference and the focal group are compared on the studied item.  Items
    are dichotomous (0/1) for both methods; ``method="mh"`` also takes
    polytomous items (integer scores such as 1-5, see below).

    **Mantel-Haenszel** (``method="mh"``; Holland & Thayer 1988).  At score
    level :math:`s` with :math:`T_s > 1` respondents the item's 2 x 2 table holds
    :math:`A_s, B_s` (reference: 1, 0) and :math:`C_s, D_s` (focal: 1, 0), with
    margins :math:`n_{Rs}, n_{Fs}, m_{1s}, m_{0s}`.  Then

    .. math::

        \chi^2_{MH} = \frac{\big(|\sum_s A_s - \sum_s E(A_s)| - c\big)^2}{\sum_s \mathrm{Var}(A_s)},\quad
        E(A_s) = \frac{n_{Rs} m_{1s}}{T_s},\quad
        \mathrm{Var}(A_s) = \frac{n_{Rs} n_{Fs} m_{1s} m_{0s}}{T_s^2 (T_s - 1)}

    with :math:`c = 0.5` (``correct=True``) or 0, referred to :math:`\chi^2_1`;
    the common odds ratio :math:`\hat\alpha_{MH} = \sum_s (A_s D_s / T_s) /
    \sum_s (B_s C_s / T_s)` (above 1: the item favours the reference group), the
    ETS delta :math:`\Delta_{MH} = -2.35 \ln \hat\alpha_{MH}` (negative: favours
    the reference group) and its standard error :math:`2.35 \sqrt{\widehat{\mathrm{Var}}
    (\ln \hat\alpha_{MH})}` from the Robins-Breslow-Greenland (1986) variance (the
    Phillips-Holland 1987 form used by difR),

    .. math::

        \widehat{\mathrm{Var}}(\ln\hat\alpha) = \frac{\sum P_s R_s}{2 R^2} + \frac{\sum (P_s S_s + Q_s R_s)}{2 R S}
        + \frac{\sum Q_s S_s}{2 S^2},

    :math:`P_s = (A_s + D_s)/T_s`, :math:`Q_s = (B_s + C_s)/T_s`,
    :math:`R_s = A_s D_s / T_s`, :math:`S_s = B_s C_s / T_s`, :math:`R = \sum R_s`,
    :math:`S = \sum S_s`.  Score levels holding only one group add nothing
    to any of these sums.

    ETS classification (Zieky 1993; Dorans & Holland 1993): **A** when
    :math:`|\Delta| < 1` or the MH chi-square is not significant (``p >=
    alpha``); **C** when :math:`|\Delta| \ge 1.5` and :math:`|\Delta|` is
    significantly greater than 1; **B** otherwise.  The test of
    :math:`H_0: |\Delta| \le 1` is the interval-null test of Paek & Holland
    (2015), :math:`p = \Phi((1 - |\Delta|)/SE) + \Phi((-1 - |\Delta|)/SE)`
    (the non-central :math:`\chi^2_1` form; its first term alone is the one-sided
    z test :math:`(|\Delta| - 1)/SE > z_{1-\alpha}` of the ETS rule).
    ``ets_size`` is the effect-size-only code that difR prints (A
    :math:`|\Delta| < 1`, B :math:`< 1.5`, C otherwise, no significance test).

    **Polytomous items** (``method="mh"`` when any item holds a score other
    than 0/1; every item is then treated this way).  Mantel's (1963) test for
    ordered scores :math:`y_k`: with :math:`F_s` the sum of the focal group's
    item scores at score level :math:`s`,

    .. math::

        \chi^2_{M} = \frac{\big(\sum_s F_s - \sum_s E(F_s)\big)^2}{\sum_s \mathrm{Var}(F_s)},\quad
        E(F_s) = \frac{n_{Fs}}{T_s} \sum_k y_k n_{+ks},\quad
        \mathrm{Var}(F_s) = \frac{n_{Rs} n_{Fs}}{T_s^2 (T_s - 1)}
        \Big(T_s \sum_k y_k^2 n_{+ks} - \big(\sum_k y_k n_{+ks}\big)^2\Big)

    (df 1, no continuity correction; for a 0/1 item it is the uncorrected MH
    chi-square), and the standardized mean difference (Dorans & Schmitt 1991)
    :math:`SMD = \sum_s (n_{Fs}/n_F)(\bar y_{Fs} - \bar y_{Rs})` over the
    score levels holding both groups (negative: the focal group scores lower at
    equal total).  ETS classes (Zwick, Thayer & Mazzeo 1997): **AA** when the
    test is not significant or :math:`|SMD|/SD \le .17`, **CC** when it is and
    :math:`|SMD|/SD > .25`, **BB** otherwise, :math:`SD` the item's standard
    deviation over both groups (``ddof=1``).

    **Logistic regression** (``method="logistic"``; Swaminathan & Rogers 1990).
    With :math:`X` the matching score and :math:`G` = 1 for the focal group,

    .. math::

        M_0: \operatorname{logit} P(Y = 1) = \beta_0 + \beta_1 X,\quad
        M_1: M_0 + \beta_2 G,\quad M_2: M_1 + \beta_3 X G,

    fitted by maximum likelihood.  The likelihood-ratio statistics
    :math:`D_{M_0} - D_{M_1}` (uniform DIF, df 1), :math:`D_{M_1} - D_{M_2}`
    (non-uniform, df 1) and :math:`D_{M_0} - D_{M_2}` (both, df 2) are all
    reported; ``dif_type`` chooses the one that ``chi2``, ``p``, ``delta_r2``,
    the classes, the flag and the purification use (difR's ``type``).  Effect
    size: the change in Nagelkerke's :math:`R^2 = (1 - e^{(D - D_{null})/n}) /
    (1 - e^{-D_{null}/n})` between the two models, classed after Zumbo &
    Thomas (1997; A < .13 <= B < .26 <= C) and Jodoin & Gierl (2001; A < .035
    <= B < .070 <= C).  These codes are effect sizes only, as in difR; whether
    the item is flagged is the test's ``flag``.

    **Matching and purification.**  The matching score is the sum of the anchor
    items, which are all items unless ``purify``.  ``match="total"`` adds the
    studied item when it is not an anchor item (difR's default: the studied
    item is always in its own matching score); ``match="rest"`` removes it when
    it is.  With ``purify=True`` (difR's item purification) the items flagged
    (unadjusted ``p < alpha``) are dropped from the anchor set and the test is
    run again, until the flagged set repeats the previous one or after
    ``max_iter`` re-runs; the last run is reported.  ``p_adjust`` then adjusts
    the final p values (as difR, which purifies on unadjusted p values too).

    Parameters
    ----------
    items : DataFrame
        Rows = respondents, columns = items scored 1 (keyed) / 0 (bool
        accepted), or with ``method="mh"`` integer scores of ordered
        categories (at most 21, e.g. Likert 1-5), NaN for missing.  Respondents with any missing item are
        dropped (listwise; counted in ``.attrs["n_dropped"]``) so that every
        item is matched on the same score.
    group : Series, array or column name
        Group of each respondent: a Series aligned with ``items`` by index, an
        array in the row order of ``items``, or the name of a column of
        ``items`` (then not an item).  Missing labels are dropped; exactly two
        groups must remain.
    method : {"mh", "logistic"}
    focal : optional
        The focal group (the one studied for disadvantage); the other group is
        the reference.  Default: the second level in sorted order (category
        order for a categorical), e.g. 1 for a 0/1 code, ``"P"`` for ``"L"/"P"``.
    match : {"total", "rest"}
        Matching score with (difR) or without the studied item.
    purify : bool
        Iterative purification of the matching score.
    max_iter : int
        Most re-runs in the purification (difR's ``nrIter``).
    correct : bool
        Continuity correction of the MH chi-square (difR's default ``TRUE``);
        not used for polytomous items.
    dif_type : {"both", "uniform", "nonuniform"}
        The logistic test used for ``p`` and flagging (difR's ``type``
        ``"both"``, ``"udif"``, ``"nudif"``; those spellings are accepted too).
    alpha : float
        Significance level of the flags, the purification and the ETS rule.
    p_adjust : {"none", "bonferroni", "holm", "bh"}
        Multiple-testing adjustment of the p values over the items (R's
        ``p.adjust``; ``"bh"`` is Benjamini-Hochberg).  ``flag`` uses the
        adjusted values; the ETS classes follow the published rules, which
        use the unadjusted p (Zieky 1993; Zwick, Thayer & Mazzeo 1997), so an
        item can be class B/C without being flagged after the adjustment:
        report both.
    min_group : int
        Smallest group size accepted (default 30; samples of 100-200 per group
        and more are recommended for stable DIF statistics).

    Returns
    -------
    DataFrame
        One row per item (index ``item``).  Both methods: ``chi2, df, p,
        p_adjusted, flag``.  ``"mh"`` adds ``alpha_mh, delta_mh, se_delta,
        var_log_alpha, p_delta_gt_1, ets, ets_size, n_strata`` (score levels
        holding both groups); for polytomous items instead ``smd, sd_item,
        smd_sd, ets`` (AA/BB/CC), ``n_strata``.  ``"logistic"`` adds ``delta_r2, zumbo_thomas,
        jodoin_gierl``, the three tests ``chi2_uniform, p_uniform,
        chi2_nonuniform, p_nonuniform, chi2_both, p_both`` with
        ``delta_r2_uniform, delta_r2_nonuniform, delta_r2_both``, Nagelkerke
        ``r2_m0, r2_m1, r2_m2``, ``beta_group`` (group coefficient of
        :math:`M_1`: the focal group's log odds ratio at equal score),
        ``beta_interaction`` (of :math:`M_2`), ``converged`` (False when a
        fit did not converge, e.g. complete separation).  ``.attrs``:
        ``method, polytomous, reference, focal, n, n_reference, n_focal, n_dropped, match,
        purify, iterations, converged, anchor`` (items of the final matching
        score), ``flagged_history, alpha, p_adjust, notes``.  An item that is
        constant among the kept respondents gets NaN statistics (noted), as
        does, for ``"logistic"``, an item the matching score predicts
        perfectly (no group effect can be estimated).  An MH odds ratio of 0
        or infinity (one group answering alike at every score level) gives
        an infinite ``delta_mh`` without standard error, noted by item.

    Raises
    ------
    ValueError
        Items not 0/1 for ``"logistic"`` or not integer scores for ``"mh"``
        (naming row and column), not exactly two groups, a group
        smaller than ``min_group``, a ``focal`` that is not a group, group
        labels differing only in type (``1`` and ``"1"``), bad options.

    Notes
    -----
    ``method="mh"`` matches difR's ``difMH(Data, group, focal.name, correct =
    TRUE, purify, nrIter)`` (``MH``, ``alphaMH``, ``varLambda``, ``p.value``,
    ``adjusted.p``) and, item by item, R's ``mantelhaen.test(table, correct =
    FALSE)`` (R applies the continuity correction only when
    :math:`|\sum A - \sum E(A)| \ge 0.5`; difR and this function always apply
    it, as Holland & Thayer's formula).  ``method="logistic"`` matches difR's
    ``difLogistic(..., type, criterion = "LRT")`` (``Logistik``, ``deltaR2``)
    and R's ``glm(..., family = binomial)`` deviances.  The polytomous test
    matches ``coin::cmh_test(y ~ group | score, scores = list(y = ...))``
    (whose Z is the signed square root of the chi-square).  difR places a value
    exactly on a class boundary (after rounding to 4 decimals) in the lower
    class; here the boundaries belong to the upper class, as the published rules.
    The matching score in difR ignores missing responses (``rowSums(na.rm =
    TRUE)``) and ``glm`` drops them item by item; here such respondents are
    dropped listwise.

    References
    ----------
    Holland, P. W., & Thayer, D. T. (1988). Differential item performance and the
    Mantel-Haenszel procedure. In H. Wainer & H. I. Braun (Eds.), *Test validity*
    (pp. 129-145). Erlbaum.

    Robins, J., Breslow, N., & Greenland, S. (1986). Estimators of the
    Mantel-Haenszel variance consistent in both sparse data and large-strata
    limiting models. *Biometrics, 42*, 311-323.

    Zieky, M. (1993). Practical questions in the use of DIF statistics in test
    development. In P. W. Holland & H. Wainer (Eds.), *Differential item
    functioning* (pp. 337-347). Erlbaum.

    Mantel, N. (1963). Chi-square tests with one degree of freedom: Extensions
    of the Mantel-Haenszel procedure. *Journal of the American Statistical
    Association, 58*, 690-700.

    Dorans, N. J., & Schmitt, A. P. (1991). *Constructed response and
    differential item functioning: A pragmatic approach* (ETS RR-91-47).
    Educational Testing Service.

    Zwick, R., Thayer, D. T., & Mazzeo, J. (1997). Descriptive and inferential
    procedures for assessing differential item functioning in polytomous
    items. *Applied Measurement in Education, 10*, 321-344.

    Paek, I., & Holland, P. W. (2015). A note on statistical hypothesis testing
    based on log transformation of the Mantel-Haenszel common odds ratio for
    differential item functioning classification. *Psychometrika, 80*, 406-411.

    Swaminathan, H., & Rogers, H. J. (1990). Detecting differential item
    functioning using logistic regression procedures. *Journal of Educational
    Measurement, 27*, 361-370.

    Zumbo, B. D., & Thomas, D. R. (1997). *A measure of effect size for a
    model-based approach for studying DIF*. University of Northern British Columbia.

    Jodoin, M. G., & Gierl, M. J. (2001). Evaluating type I error and power rates
    using an effect size measure with the logistic regression procedure for DIF
    detection. *Applied Measurement in Education, 14*, 329-349.

    Magis, D., Beland, S., Tuerlinckx, F., & De Boeck, P. (2010). A general
    framework and an R package for the detection of dichotomous differential
    item functioning. *Behavior Research Methods, 42*, 847-862.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psikometri.fairness import dif
    >>> rng = np.random.default_rng(1)
    >>> theta = rng.normal(size=600)
    >>> g = pd.Series(np.repeat(["L", "P"], 300))
    >>> b = np.linspace(-1, 1, 8)
    >>> logit = theta[:, None] - b - np.where(g.to_numpy()[:, None] == "P", [1.0] + [0] * 7, 0.0)
    >>> x = pd.DataFrame((rng.random((600, 8)) < 1 / (1 + np.exp(-logit))).astype(int),
    ...                  columns=[f"i{k}" for k in range(1, 9)])
    >>> res = dif(x, g, method="mh")
    >>> res.attrs["focal"], bool(res.loc["i1", "flag"]), res.loc["i1", "ets"]
    ('P', True, 'C')
    """
    from . import _dif_kernels as K

    df = check_dataframe(items, "items")
    method = check_choice(method, ("mh", "logistic"), "method")
    match = check_choice(match, ("total", "rest"), "match")
    if not isinstance(dif_type, str) or dif_type not in _DIF_TYPES:
        raise ValueError(f"dif_type must be one of ['both', 'uniform', 'nonuniform'] (or difR's 'udif', 'nudif'); "
                         f"got dif_type={dif_type!r}.")
    dif_type = _DIF_TYPES[dif_type]
    p_adjust = check_choice(p_adjust.lower() if isinstance(p_adjust, str) else p_adjust, _P_ADJUST, "p_adjust")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not (0.0 < float(alpha) < 1.0):
        raise ValueError(f"alpha must be a number strictly between 0 and 1; got alpha={alpha!r}. Use e.g. 0.05.")
    alpha = float(alpha)
    max_iter = check_positive_int(max_iter, "max_iter")
    min_group = check_positive_int(min_group, "min_group")
    for name, val in (("purify", purify), ("correct", correct)):
        if not isinstance(val, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False; got {name}={val!r}.")

    df, g, gname = _resolve_group(df, group)
    # validation only (types, identifier columns, infinite values); the rows are selected below by position
    check_items(df, name="items", min_items=2, min_rows=1, missing="pairwise", allow_constant=True)
    arr, poly = _codes(df, method)
    gmiss = g.isna().to_numpy()
    imiss = np.isnan(arr).any(axis=1)
    keep = ~gmiss & ~imiss
    n_drop_items = int(imiss.sum())
    n_drop_group = int((gmiss & ~imiss).sum())
    arr = arr[keep]
    gk = g.to_numpy()[keep]
    check_text_distinct(gk, f"group {gname!r}")
    levels = _sorted_levels(gk, g)
    if len(levels) != 2:
        shown = [plain(v) for v in levels]
        raise ValueError(
            f"dif compares exactly two groups; {gname!r} has {len(levels)} among the respondents with complete "
            f"items: {shown}. Pass a two-level group (e.g. recode it, or drop the other groups' rows; for several "
            "focal groups run dif once per focal group against the reference)."
        )
    if focal is None:
        focal = levels[1]
    elif focal not in levels:
        raise ValueError(f"focal={focal!r} is not a group of {gname!r}; the groups are {[plain(v) for v in levels]}.")
    reference = levels[0] if focal == levels[1] else levels[1]
    gcode = (gk == focal).astype(np.int64)
    n_f = int(gcode.sum())
    n_r = int(gcode.size - n_f)
    for lab, size in ((reference, n_r), (focal, n_f)):
        if size < min_group:
            raise ValueError(
                f"group {plain(lab)!r} of {gname!r} has {size} respondent(s) with complete items, fewer than "
                f"min_group={min_group}: its DIF statistics would be too unstable to read. Pool more respondents "
                f"(or, knowingly, lower min_group)."
            )

    names = list(df.columns)
    J = len(names)
    # response codes 0 .. K-1: the scores minus the smallest score of all items (a shift of every matching
    # score by the same constant, which changes no stratum)
    low = float(arr.min()) if poly else 0.0
    xt = np.ascontiguousarray((arr - low).T.astype(np.int64))
    n_cat = int(xt.max()) + 1 if poly else 2
    n_scores = int(xt.max(axis=1).sum()) + 1 if poly else J + 1
    values = np.ascontiguousarray(np.tile(np.arange(n_cat, dtype=float) + low, (J, 1)))
    notes = []
    constant = arr.min(axis=0) == arr.max(axis=0)
    if constant.any():
        notes.append(f"item(s) {[str(names[k]) for k in np.flatnonzero(constant)]} are constant among the "
                     "kept respondents: no DIF statistic (NaN)")

    def run(anchor: np.ndarray) -> dict:
        counts = K.dif_tables(xt, gcode, anchor, match == "total", n_scores, n_cat)
        if poly:
            o = K.mantel_ordinal_stats(counts, values)
            chi2 = o[:, K.MO_CHI2]
            return {"counts": o, "chi2": chi2, "p": stats.chi2.sf(chi2, 1)}
        if method == "mh":
            o = K.mh_stats(counts, bool(correct))
            chi2 = o[:, K.MH_CHI2]
            return {"counts": o, "chi2": chi2, "p": stats.chi2.sf(chi2, 1)}
        o = K.logistic_fits(counts, 100, 1e-10)
        d0, d1, d2 = o[:, K.LR_DEV0], o[:, K.LR_DEV1], o[:, K.LR_DEV2]
        # the matching score alone predicts the item perfectly (deviance 0 without the group): no group effect
        # can be estimated, and the differences of zero deviances are rounding noise
        determined = (d0 <= 1e-9 * np.maximum(1.0, o[:, K.LR_NULL])) & ~constant
        chi = {"uniform": d0 - d1, "nonuniform": d1 - d2, "both": d0 - d2}
        for c in chi.values():
            c[determined] = np.nan
        chi2 = chi[dif_type].copy()
        chi2[constant] = np.nan
        df_t = 2 if dif_type == "both" else 1
        return {"counts": o, "chi": chi, "chi2": chi2, "p": stats.chi2.sf(chi2, df_t), "determined": determined}

    anchor = np.ones(J, dtype=np.bool_)
    res = run(anchor)
    history = [[names[k] for k in np.flatnonzero(res["p"] < alpha)]]
    iterations = 0
    converged = True
    if purify and history[0]:
        converged = False
        flagged = res["p"] < alpha
        while iterations < max_iter:
            iterations += 1
            anchor = ~flagged
            res = run(anchor)
            new = res["p"] < alpha
            history.append([names[k] for k in np.flatnonzero(new)])
            if np.array_equal(new, flagged):
                converged = True
                break
            flagged = new
        if not converged:
            notes.append(f"purification did not converge in {max_iter} iteration(s): the results are those of "
                         "the last iteration")

    chi2, p = res["chi2"], res["p"]
    p_adj = _adjust(p, p_adjust)
    with np.errstate(invalid="ignore"):
        flag = p_adj < alpha
    out = pd.DataFrame(index=pd.Index(names, name="item"))
    out["chi2"] = chi2
    out["df"] = 1 if (method == "mh" or dif_type != "both") else 2
    out["p"] = p
    out["p_adjusted"] = p_adj
    o = res["counts"]
    if poly:
        smd = o[:, K.MO_SMD].copy()
        smd[constant] = np.nan
        # the item's SD over both groups, from its category counts (so it does not depend on the row order)
        nk = np.array([np.bincount(xt[j], minlength=n_cat) for j in range(J)], dtype=float)
        ntot = nk.sum(axis=1)
        mean = (nk * values).sum(axis=1) / ntot
        sd = np.sqrt((nk * (values - mean[:, None]) ** 2).sum(axis=1) / (ntot - 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(sd > 0, smd / sd, np.nan)
        out["smd"] = smd
        out["sd_item"] = sd
        out["smd_sd"] = ratio
        out["ets"] = _poly_class(ratio, p, alpha)
        out["n_strata"] = o[:, K.MO_STRATA].astype(np.int64)
    elif method == "mh":
        a_mh = o[:, K.MH_ALPHA]
        var_l = o[:, K.MH_VAR_LOG_ALPHA]
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = -DELTA_SCALE * np.log(a_mh)
            se = DELTA_SCALE * np.sqrt(var_l)
        p_gt1, ets = _ets_class(delta, se, p, alpha)
        out["alpha_mh"] = a_mh
        out["delta_mh"] = delta
        out["se_delta"] = se
        out["var_log_alpha"] = var_l
        out["p_delta_gt_1"] = p_gt1
        out["ets"] = ets
        out["ets_size"] = _size_class(np.where(np.isfinite(p), delta, np.nan), (1.0, 1.5))
        out["n_strata"] = o[:, K.MH_STRATA].astype(np.int64)
        extreme = [str(names[k]) for k in np.flatnonzero(np.isinf(delta) & np.isfinite(p))]
        if extreme:
            notes.append(f"item(s) {extreme}: the Mantel-Haenszel odds ratio is 0 or infinite (within every matched "
                         "score level one group answers the item all alike, e.g. every focal respondent correct), "
                         "so delta_mh is infinite and its standard error is not available; the ETS class follows "
                         "the rule with |delta| beyond every bound")
    else:
        n = float(arr.shape[0])
        null = o[:, K.LR_NULL]
        with np.errstate(divide="ignore", invalid="ignore"):
            rmax = -np.expm1(-null / n)
            r2 = {m: -np.expm1((o[:, col] - null) / n) / rmax
                  for m, col in (("m0", K.LR_DEV0), ("m1", K.LR_DEV1), ("m2", K.LR_DEV2))}
        determined = res["determined"]
        for m in r2:
            r2[m][constant | determined] = np.nan
        dr2 = {"uniform": r2["m1"] - r2["m0"], "nonuniform": r2["m2"] - r2["m1"], "both": r2["m2"] - r2["m0"]}
        out["delta_r2"] = dr2[dif_type]
        out["zumbo_thomas"] = _size_class(dr2[dif_type], ZUMBO_THOMAS)
        out["jodoin_gierl"] = _size_class(dr2[dif_type], JODOIN_GIERL)
        for t, dft in (("uniform", 1), ("nonuniform", 1), ("both", 2)):
            c = res["chi"][t].copy()
            c[constant] = np.nan
            out[f"chi2_{t}"] = c
            out[f"p_{t}"] = stats.chi2.sf(c, dft)
        for t in ("uniform", "nonuniform", "both"):
            out[f"delta_r2_{t}"] = dr2[t]
        for m in ("m0", "m1", "m2"):
            out[f"r2_{m}"] = r2[m]
        bg = o[:, K.LR_B_GROUP1].copy()
        bi = o[:, K.LR_B_INT2].copy()
        bg[constant | determined] = np.nan
        bi[constant | determined] = np.nan
        out["beta_group"] = bg
        out["beta_interaction"] = bi
        conv = (o[:, K.LR_CONV] == 3) & ~constant
        out["converged"] = conv
        if determined.any():
            notes.append(f"item(s) {[str(names[k]) for k in np.flatnonzero(determined)]} are predicted perfectly by "
                         "the matching score (the same answer by everyone at each score level, e.g. items that "
                         "duplicate each other): no group effect can be estimated (NaN)")
        bad = [str(names[k]) for k in np.flatnonzero(~conv & ~constant & ~determined)]
        if bad:
            notes.append(f"logistic fit(s) of item(s) {bad} did not converge (a group or score level where "
                         "everyone answers alike: separation); their statistics are approximate")
    out["flag"] = flag
    out.attrs.update({
        "method": method, "reference": reference, "focal": focal, "group": gname,
        "n": int(arr.shape[0]), "n_reference": n_r, "n_focal": n_f,
        "n_dropped": {"missing_items": n_drop_items, "missing_group": n_drop_group},
        "polytomous": poly, "match": match, "correct": bool(correct) if (method == "mh" and not poly) else None,
        "dif_type": dif_type if method == "logistic" else None,
        "purify": bool(purify), "iterations": iterations, "converged": converged,
        "anchor": [names[k] for k in np.flatnonzero(anchor)], "flagged_history": history,
        "alpha": alpha, "p_adjust": p_adjust, "notes": "; ".join(notes),
    })
    return out
