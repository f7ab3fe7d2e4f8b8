r"""Score-level fairness: adverse impact, subgroup differences, differential prediction.

Part of :mod:`psikometri.fairness` (the public names are re-exported there):

* :func:`adverse_impact` - selection rates by group, impact ratios and the
  four-fifths rule, two-proportion z test and Fisher's exact test.
* :func:`subgroup_differences` - standardized mean differences (Cohen's d,
  Hedges' g) with intervals.
* :func:`differential_prediction` - Cleary's moderated regression: do the
  regression lines of the criterion on the assessment differ by group?

Groups with fewer than 5 members are not dropped: they are flagged in a
``small_group`` column (and in ``.attrs["notes"]``) because their statistics
rest on too few people to be read on their own.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from .._validation import check_columns, check_dataframe, check_level, plain

__all__ = [
    "adverse_impact",
    "subgroup_differences",
    "DifferentialPredictionResult",
    "differential_prediction",
]

#: Groups smaller than this are flagged.
SMALL_GROUP = 5


def _group_labels(df: pd.DataFrame, group: str) -> pd.Series:
    g = df[group]
    if g.isna().all():
        raise ValueError(f"data column {group!r} (group) is empty (all missing).")
    return g


def _numeric(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(s):
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna() & s.notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise TypeError(f"data column {col!r} is not numeric: row {plain(df.index[pos])!r} holds "
                            f"{plain(s.iloc[pos])!r}. Recode it as numbers (NaN for missing).")
        s = conv
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(arr).any():
        pos = int(np.flatnonzero(np.isinf(arr))[0])
        raise ValueError(f"data column {col!r} holds an infinite value at row {plain(df.index[pos])!r}.")
    return arr


def _require_values(x: np.ndarray, col: str, role: str) -> None:
    """Raise when column ``col`` holds no value at all (every row missing)."""
    if x.size and np.isnan(x).all():
        raise ValueError(
            f"data column {col!r} ({role}) is all missing: none of its {x.size} rows holds a value, so the groups "
            f"cannot be compared. Check that {role}={col!r} names the right column and that its values were read "
            "(e.g. not text that could not be parsed)."
        )


def _too_few_groups(fn: str, group: str, levels: list, g: pd.Series, what: str) -> ValueError:
    """The error for fewer than two groups, saying when a group is there but has no usable row."""
    present = _sorted_levels(g[g.notna()].to_numpy(), g)
    lost = [plain(lv) for lv in present if lv not in levels]
    if lost:
        return ValueError(
            f"{fn} needs at least two groups with {what}; in {group!r} only {[plain(v) for v in levels]} have any, "
            f"group(s) {lost} have none (all missing). Fill in the missing values or compare groups that have them."
        )
    return ValueError(f"{fn} needs at least two groups in {group!r}; found {[plain(v) for v in levels]}.")


def _pick_reference(levels: list, reference, key: dict) -> Any:
    if reference is None:
        best = max(levels, key=lambda lv: (key[lv], -levels.index(lv)))
        return best
    if reference not in levels:
        raise ValueError(f"reference={reference!r} is not a group of the data; the groups are {levels}.")
    return reference


def _sorted_levels(values, series=None) -> list:
    """The groups present in ``values``: in category order for a categorical ``series``, else sorted."""
    levels = list(pd.unique(values))
    if series is not None and isinstance(series.dtype, pd.CategoricalDtype):
        present = set(levels)
        return [c for c in series.cat.categories if c in present]
    try:
        return sorted(levels)
    except TypeError:
        return sorted(levels, key=str)


def adverse_impact(data, *, group: str, selected: str, reference=None, level: float = 0.95) -> pd.DataFrame:
    r"""Adverse impact (dampak merugikan) of a selection decision by group.

    For each group :math:`g` with :math:`n_g` candidates of whom :math:`s_g`
    were selected, the selection rate :math:`p_g = s_g/n_g` is compared with
    the reference group's :math:`p_r` (the group with the highest rate unless
    ``reference`` is given):

    * impact ratio :math:`p_g / p_r`; ``four_fifths_violation`` when it is
      below 0.8 (Uniform Guidelines, 29 CFR 1607.4D); its interval is the
      log-ratio (Katz) interval that Morris & Lobsenz (2000) recommend,

      .. math::

          \exp\Big(\ln\frac{p_g}{p_r} \pm z \sqrt{\frac{1 - p_g}{s_g} + \frac{1 - p_r}{s_r}}\Big),

      undefined (NaN) when no one of either group was selected;
    * two-proportion z test with the pooled proportion
      :math:`\bar p = (s_g + s_r)/(n_g + n_r)`:

      .. math::

          z = \frac{p_g - p_r}{\sqrt{\bar p (1 - \bar p)(1/n_g + 1/n_r)}},

      two-sided ``p_z`` (the "two standard deviations" rule);
    * Fisher's exact test of the 2 x 2 table (selected / not by group vs
      reference), two-sided ``p_fisher`` (``scipy.stats.fisher_exact``).

    Parameters
    ----------
    data : DataFrame
        One row per candidate.
    group : str
        Column with the group (gender, age band, region...).  Rows with a
        missing group are dropped (counted in ``.attrs["notes"]``).
    selected : str
        Column with the decision: 1/0 or True/False.  Rows with a missing
        decision are dropped.
    reference : optional
        Reference group label.
    level : float
        Confidence level of the impact-ratio interval.

    Returns
    -------
    DataFrame
        Indexed by group, columns ``n, n_selected, selection_rate,
        impact_ratio, ci_low, ci_high, four_fifths_violation, z, p_z,
        p_fisher, small_group`` (``ci_low``, ``ci_high``, ``z``, ``p_z``,
        ``p_fisher`` are NaN in the reference row);
        ``.attrs["reference"]`` and ``.attrs["notes"]``.

    Notes
    -----
    ``p_fisher`` equals R's ``fisher.test(matrix(...))$p.value`` and ``p_z``
    ``prop.test(..., correct = FALSE)$p.value``.

    References
    ----------
    Equal Employment Opportunity Commission et al. (1978). Uniform guidelines on
    employee selection procedures. 29 CFR Part 1607.

    Morris, S. B., & Lobsenz, R. E. (2000). Significance tests and confidence
    intervals for the adverse impact ratio. *Personnel Psychology, 53*, 89-111.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.fairness import adverse_impact
    >>> d = pd.DataFrame({"gender": ["L"] * 60 + ["P"] * 40,
    ...                   "selected": [1] * 30 + [0] * 30 + [1] * 12 + [0] * 28})
    >>> ai = adverse_impact(d, group="gender", selected="selected")
    >>> round(float(ai.loc["P", "impact_ratio"]), 2), bool(ai.loc["P", "four_fifths_violation"])
    (0.6, True)
    """
    df = check_dataframe(data)
    check_columns(df, [group, selected])
    level = check_level(level)
    zq = float(stats.norm.ppf(0.5 + level / 2.0))
    g = _group_labels(df, group)
    s = df[selected]
    if pd.api.types.is_bool_dtype(s):
        sv = s.to_numpy(dtype=float)
    else:
        sv = _numeric(df, selected)
        bad = ~np.isnan(sv) & (sv != 0) & (sv != 1)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ValueError(f"data column {selected!r} must hold 1 (selected) or 0 (not selected); row "
                             f"{plain(df.index[pos])!r} holds {plain(s.iloc[pos])!r}.")
    notes = []
    keep = g.notna().to_numpy() & ~np.isnan(sv)
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} row(s) with a missing group or decision dropped")
    gk = g[keep].to_numpy()
    sk = sv[keep]
    levels = _sorted_levels(gk, g)
    if len(levels) < 2:
        raise _too_few_groups("adverse_impact", group, levels, g, f"a decision in {selected!r}")
    n = {lv: int(np.sum(gk == lv)) for lv in levels}
    ns = {lv: int(np.sum(sk[gk == lv])) for lv in levels}
    rate = {lv: ns[lv] / n[lv] for lv in levels}
    ref = _pick_reference(levels, reference, rate)
    rows = []
    for lv in levels:
        ir = rate[lv] / rate[ref] if rate[ref] > 0 else math.nan
        lo = hi = math.nan
        if lv == ref:
            z = pz = pf = math.nan
        else:
            if ns[lv] > 0 and ns[ref] > 0:
                half = zq * math.sqrt((1 - rate[lv]) / ns[lv] + (1 - rate[ref]) / ns[ref])
                lo, hi = ir * math.exp(-half), ir * math.exp(half)
            pbar = (ns[lv] + ns[ref]) / (n[lv] + n[ref])
            se = math.sqrt(pbar * (1 - pbar) * (1 / n[lv] + 1 / n[ref]))
            z = (rate[lv] - rate[ref]) / se if se > 0 else math.nan
            pz = float(2 * stats.norm.sf(abs(z))) if se > 0 else math.nan
            table = [[ns[lv], n[lv] - ns[lv]], [ns[ref], n[ref] - ns[ref]]]
            pf = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
        rows.append({"n": n[lv], "n_selected": ns[lv], "selection_rate": rate[lv], "impact_ratio": ir,
                     "ci_low": lo, "ci_high": hi, "four_fifths_violation": bool(ir < 0.8) if ir == ir else False,
                     "z": z, "p_z": pz, "p_fisher": pf, "small_group": n[lv] < SMALL_GROUP})
    out = pd.DataFrame(rows, index=pd.Index(levels, name=group))
    small = [str(lv) for lv in levels if n[lv] < SMALL_GROUP]
    if small:
        notes.append(f"group(s) {small} have fewer than {SMALL_GROUP} members: read their rates with care")
    if rate[ref] == 0:
        notes.append("no one in the reference group was selected: impact ratios undefined")
    out.attrs.update({"reference": ref, "notes": "; ".join(notes)})
    return out


def _hedges_j(m: float) -> float:
    """Exact small-sample correction of Hedges (1981): Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))."""
    if m < 2:
        return math.nan
    return math.exp(special.gammaln(m / 2.0) - 0.5 * math.log(m / 2.0) - special.gammaln((m - 1) / 2.0))


def subgroup_differences(data, *, group: str, score: str, reference=None, level: float = 0.95) -> pd.DataFrame:
    r"""Standardized mean differences between each group and a reference group.

    .. math::

        d = \frac{\bar x_g - \bar x_r}{s_p},\quad
        s_p^2 = \frac{(n_g - 1)s_g^2 + (n_r - 1)s_r^2}{n_g + n_r - 2},\quad
        g = J(m)\, d,\ J(m) = \frac{\Gamma(m/2)}{\sqrt{m/2}\,\Gamma((m-1)/2)},\ m = n_g + n_r - 2

    with large-sample intervals :math:`d \pm z\sqrt{v_d}`, :math:`v_d = 1/n_g +
    1/n_r + d^2 / (2(n_g + n_r))` (and likewise for :math:`g`; Hedges & Olkin
    1985, ch. 5).  Negative values mean the group scores below the reference.

    Parameters
    ----------
    data : DataFrame
    group, score : str
        Columns; rows with either missing are dropped.
    reference : optional
        Reference group (default: the largest group).
    level : float

    Returns
    -------
    DataFrame
        Indexed by the non-reference groups; columns ``n, mean, sd, n_reference,
        mean_reference, sd_reference, d, d_ci_low, d_ci_high, g, g_ci_low,
        g_ci_high, small_group``; ``.attrs["reference"]``.

    Notes
    -----
    ``g`` and its variance match ``metafor::escalc(measure = "SMD")`` (exact
    correction factor, ``vtype = "LS"``).

    References
    ----------
    Hedges, L. V., & Olkin, I. (1985). *Statistical methods for meta-analysis*.
    Academic Press.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.fairness import subgroup_differences
    >>> d = pd.DataFrame({"gender": ["L"] * 5 + ["P"] * 5, "oar": [3, 4, 5, 4, 4, 3, 3, 4, 2, 3]})
    >>> res = subgroup_differences(d, group="gender", score="oar")
    >>> round(float(res.loc["P", "d"]), 3)
    -1.414
    """
    df = check_dataframe(data)
    check_columns(df, [group, score])
    level = check_level(level)
    g = _group_labels(df, group)
    x = _numeric(df, score)
    _require_values(x, score, "score")
    keep = g.notna().to_numpy() & ~np.isnan(x)
    gk, xk = g[keep].to_numpy(), x[keep]
    levels = _sorted_levels(gk, g)
    if len(levels) < 2:
        raise _too_few_groups("subgroup_differences", group, levels, g, f"a score in {score!r}")
    n = {lv: int(np.sum(gk == lv)) for lv in levels}
    ref = _pick_reference(levels, reference, n)
    if n[ref] < 2:
        raise ValueError(f"the reference group {ref!r} has {n[ref]} member(s); at least 2 are needed.")
    z = stats.norm.ppf(0.5 + level / 2)
    xr = xk[gk == ref]
    mr, sr = float(xr.mean()), float(xr.std(ddof=1))
    rows, idx, small = [], [], []
    for lv in levels:
        if lv == ref:
            continue
        xg = xk[gk == lv]
        ng, nr = xg.size, xr.size
        mg = float(xg.mean())
        sg = float(xg.std(ddof=1)) if ng > 1 else math.nan
        m = ng + nr - 2
        sp2 = ((ng - 1) * (sg if ng > 1 else 0.0) ** 2 + (nr - 1) * sr**2) / m
        d = (mg - mr) / math.sqrt(sp2) if sp2 > 0 else math.nan
        jj = _hedges_j(m)
        gg = jj * d
        vd = 1 / ng + 1 / nr + d * d / (2 * (ng + nr))
        vg = 1 / ng + 1 / nr + gg * gg / (2 * (ng + nr))
        rows.append({"n": ng, "mean": mg, "sd": sg, "n_reference": nr, "mean_reference": mr, "sd_reference": sr,
                     "d": d, "d_ci_low": d - z * math.sqrt(vd), "d_ci_high": d + z * math.sqrt(vd),
                     "g": gg, "g_ci_low": gg - z * math.sqrt(vg), "g_ci_high": gg + z * math.sqrt(vg),
                     "small_group": ng < SMALL_GROUP})
        idx.append(lv)
        if ng < SMALL_GROUP:
            small.append(str(lv))
    out = pd.DataFrame(rows, index=pd.Index(idx, name=group))
    notes = [f"group(s) {small} have fewer than {SMALL_GROUP} members"] if small else []
    if n[ref] < SMALL_GROUP:
        notes.append(f"the reference group {ref!r} has fewer than {SMALL_GROUP} members")
    out.attrs.update({"reference": ref, "level": level, "notes": "; ".join(notes)})
    return out


@dataclass(frozen=True)
class DifferentialPredictionResult:
    """Result of :func:`differential_prediction`.

    Attributes
    ----------
    tests : DataFrame
        Rows ``omnibus`` (common line vs separate lines), ``slopes`` (M2 vs M3)
        and ``intercepts`` (M1 vs M2); columns ``F, df1, df2, p, delta_r2``.
    coefficients : DataFrame
        Full moderated model (``coef, se, t, p``).
    lines : DataFrame
        Per group: ``n``, ``intercept``, ``slope`` (from the full model, predictor
        centred when ``center``), ``mean_residual_common`` (mean of criterion minus
        the common line's prediction: negative = the common line over-predicts the
        group), ``small_group``.
    reference : object
    n : int
    center : float
        The value subtracted from the predictor.
    """

    tests: pd.DataFrame
    coefficients: pd.DataFrame
    lines: pd.DataFrame
    reference: Any
    n: int
    center: float
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def summary(self) -> str:
        """Text summary: tests, coefficients and per-group lines."""
        head = "Differential prediction (Cleary moderated regression)"
        out = [head, "=" * len(head), f"reference group: {self.reference!r}; n = {self.n}; "
               f"predictor centred at {self.center:.4g}", "", self.tests.to_string(), "",
               self.lines.to_string(), "", self.coefficients.to_string()]
        if self.note:
            out += ["", f"note: {self.note}"]
        return "\n".join(out)

    def __repr__(self) -> str:
        t = self.tests
        return (f"DifferentialPredictionResult(reference={self.reference!r}, n={self.n}, "
                f"slopes p={t.loc['slopes', 'p']:.4g}, intercepts p={t.loc['intercepts', 'p']:.4g})")

    def _repr_html_(self) -> str:
        parts = [f"<div class='psikometri-result'><b>Differential prediction (Cleary)</b>"
                 f"<div>reference group: {html.escape(repr(self.reference))}; n = {self.n}</div>"]
        for cap, fr in (("tests", self.tests), ("lines", self.lines), ("coefficients", self.coefficients)):
            parts.append(f"<div><i>{cap}</i></div>" + fr.to_html(float_format=lambda v: f"{v:.4f}"))
        if self.note:
            parts.append(f"<div>note: {html.escape(self.note)}</div>")
        return "".join(parts) + "</div>"


def differential_prediction(data, *, predictor: str, criterion: str, group: str, reference=None,
                            center: bool | float = True) -> DifferentialPredictionResult:
    r"""Cleary's test of differential prediction by moderated multiple regression.

    With :math:`D` the dummy codes of the non-reference groups and :math:`x` the
    predictor (centred at the grand mean by default, so that intercept
    differences are read at the average score), three nested OLS models are fitted:

    .. math::

        M_1: y = b_0 + b_1 x,\qquad
        M_2: M_1 + \textstyle\sum c_g D_g,\qquad
        M_3: M_2 + \textstyle\sum d_g\, x D_g .

    Slope differences are tested by :math:`M_3` vs :math:`M_2` and intercept
    differences by :math:`M_2` vs :math:`M_1` (the step-down order of
    Lautenschlager & Mendoza 1986), each with the F test of the increase in
    :math:`R^2` over the larger model's residual variance; the omnibus test is
    :math:`M_3` vs :math:`M_1`.  The test is fair in Cleary's sense when neither
    differs.

    Parameters
    ----------
    data : DataFrame
    predictor, criterion, group : str
    reference : optional
        Reference group (default: the largest).
    center : bool or float
        ``True``: centre the predictor at its mean; ``False``: no centring; a
        number: centre there (e.g. the cut score).

    Returns
    -------
    DifferentialPredictionResult

    Notes
    -----
    Each F test matches R's ``anova(m_small, m_large)`` for two nested ``lm``
    fits (not the three-model ``anova(m1, m2, m3)``, which uses the largest
    model's residual variance throughout).

    References
    ----------
    Cleary, T. A. (1968). Test bias: Prediction of grades of Negro and white
    students in integrated colleges. *Journal of Educational Measurement, 5*, 115-124.

    Lautenschlager, G. J., & Mendoza, J. L. (1986). A step-down hierarchical
    multiple regression analysis for examining hypotheses about test bias in
    prediction. *Applied Psychological Measurement, 10*, 133-139.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psikometri.fairness import differential_prediction
    >>> rng = np.random.default_rng(5)
    >>> d = pd.DataFrame({"gender": rng.choice(["L", "P"], 300), "oar": rng.normal(3, 0.5, 300)})
    >>> d["kinerja"] = 60 + 6 * d["oar"] + rng.normal(0, 4, 300)
    >>> res = differential_prediction(d, predictor="oar", criterion="kinerja", group="gender")
    >>> list(res.tests.index)
    ['omnibus', 'slopes', 'intercepts']
    """
    import statsmodels.api as sm

    df = check_dataframe(data)
    check_columns(df, [predictor, criterion, group])
    g = _group_labels(df, group)
    x = _numeric(df, predictor)
    y = _numeric(df, criterion)
    _require_values(x, predictor, "predictor")
    _require_values(y, criterion, "criterion")
    keep = g.notna().to_numpy() & ~np.isnan(x) & ~np.isnan(y)
    notes = []
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} row(s) with missing values dropped")
    gk, xk, yk = g[keep].to_numpy(), x[keep], y[keep]
    levels = _sorted_levels(gk, g)
    if len(levels) < 2:
        raise _too_few_groups("differential_prediction", group, levels, g,
                              f"both {predictor!r} and {criterion!r}")
    nlev = {lv: int(np.sum(gk == lv)) for lv in levels}
    ref = _pick_reference(levels, reference, nlev)
    n = yk.size
    q = len(levels) - 1
    if n < 2 * len(levels) + 2:
        raise ValueError(f"too few complete rows ({n}) for {len(levels)} groups; at least {2 * len(levels) + 2} "
                         "are needed to fit separate lines.")
    for lv in levels:
        xs = xk[gk == lv]
        if xs.size < 2 or np.ptp(xs) == 0:
            raise ValueError(f"group {lv!r} has {xs.size} member(s) with distinct {predictor!r} values fewer than "
                             "2: its slope cannot be estimated. Merge it with another group or drop it.")
    if isinstance(center, (bool, np.bool_)):
        c = float(xk.mean()) if center else 0.0
    else:
        c = float(center)
        if not math.isfinite(c):
            raise ValueError(f"center must be True, False or a finite number; got center={center!r}.")
    xc = xk - c
    others = [lv for lv in levels if lv != ref]
    D = np.column_stack([(gk == lv).astype(float) for lv in others])
    X1 = np.column_stack([np.ones(n), xc])
    X2 = np.column_stack([X1, D])
    X3 = np.column_stack([X2, D * xc[:, None]])
    f1, f2, f3 = (sm.OLS(yk, X).fit() for X in (X1, X2, X3))

    def ftest(big, small):
        F, p, dfd = big.compare_f_test(small)
        return {"F": float(F), "df1": float(dfd), "df2": float(big.df_resid), "p": float(p),
                "delta_r2": float(big.rsquared - small.rsquared)}

    tests = pd.DataFrame([ftest(f3, f1), ftest(f3, f2), ftest(f2, f1)],
                         index=pd.Index(["omnibus", "slopes", "intercepts"], name="test"))
    names = ["const", predictor, *[f"{group}[{lv}]" for lv in others],
             *[f"{predictor}:{group}[{lv}]" for lv in others]]
    coefs = pd.DataFrame({"coef": f3.params, "se": f3.bse, "t": f3.tvalues, "p": f3.pvalues},
                         index=pd.Index(names))
    b = f3.params
    resid_common = yk - f1.fittedvalues
    lines = []
    for lv in levels:
        if lv == ref:
            a0, a1 = b[0], b[1]
        else:
            j = others.index(lv)
            a0, a1 = b[0] + b[2 + j], b[1] + b[2 + q + j]
        lines.append({"n": nlev[lv], "intercept": float(a0), "slope": float(a1),
                      "mean_residual_common": float(resid_common[gk == lv].mean()),
                      "small_group": nlev[lv] < SMALL_GROUP})
    lines = pd.DataFrame(lines, index=pd.Index(levels, name=group))
    small = [str(lv) for lv in levels if nlev[lv] < SMALL_GROUP]
    if small:
        notes.append(f"group(s) {small} have fewer than {SMALL_GROUP} members")
    return DifferentialPredictionResult(tests=tests, coefficients=coefs, lines=lines, reference=ref, n=int(n),
                                        center=c, note="; ".join(notes))
