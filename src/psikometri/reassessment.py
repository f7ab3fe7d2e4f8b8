r"""Re-assessment: test-retest stability, reliable change, category transitions and decision consistency.

Senior officials are re-assessed (a JPT Pratama's post is reviewed after five years, an
assessment-centre result counts as valid for three), so the same person has scores from two
occasions (asesmen ulang, periode, siklus).  This module answers the questions that follow:

* how stable are the scores between occasions (:func:`test_retest`: ICC(A,1), ICC(C,1),
  Pearson's r, the disattenuated r, the mean change and its standardised size);
* which persons changed by more than measurement error allows (:func:`reliable_change`,
  :func:`minimal_detectable_change`);
* how persons moved between categories (e.g. the JPM categories) and whether the moves exceed what
  measurement error alone would produce (:func:`transition_table`, with kappa, Bowker's symmetry
  test, the Stuart-Maxwell marginal homogeneity test and
  :meth:`TransitionResult.expected_by_error`);
* how trustworthy each category decision is (:func:`decision_consistency`: for every person the
  probability of each category, that the assigned one is right and that a parallel assessment
  would repeat it; for the cohort the decision agreement, kappa and accuracy).

Scores of the two occasions are passed as pandas Series indexed by person (e.g. NIP); they are
aligned by index, never by position.

Vocabulary (Indonesian / English)
---------------------------------
asesmen ulang / re-assessment; periode, siklus / occasion, cycle; stabilitas / stability;
perubahan yang andal / reliable change; perpindahan kategori / category transition; konsistensi
keputusan / decision consistency; ketepatan klasifikasi / classification accuracy; galat baku
pengukuran / standard error of measurement (SEM).
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._results import Estimate, _fmt
from ._validation import check_level, check_probability, validates_seed

__all__ = [
    "test_retest",
    "reliable_change",
    "minimal_detectable_change",
    "transition_table",
    "TransitionResult",
    "ChiSquareTest",
    "decision_consistency",
]

_RC_METHODS = ("jacobson_truax", "chelune", "maassen")
_RC_CLASSES = ("declined", "no_reliable_change", "improved")


# ---------------------------------------------------------------------------------------------------------------
# input helpers
# ---------------------------------------------------------------------------------------------------------------


def _label(x):
    """A row label as plain Python (``3``, not ``np.int64(3)``) for error messages."""
    return x.item() if isinstance(x, np.generic) else x


def _z(level: float) -> float:
    return float(special.ndtri(0.5 + level / 2.0))


def _check_series(x, name: str) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        raise TypeError(f"{name} must be one column (a pandas Series indexed by person); got a DataFrame. "
                        f"Select the score column, e.g. {name}=df['score'].")
    if not isinstance(x, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series indexed by person (e.g. NIP), so that the two occasions are matched "
            f"by person; got {type(x).__name__}. Wrap it: pd.Series(values, index=nip)."
        )
    dup = x.index.duplicated()
    if dup.any():
        lab = _label(x.index[int(np.flatnonzero(dup)[0])])
        raise ValueError(
            f"{name} has duplicated index label {lab!r} ({int(dup.sum())} duplicate(s)); each person must appear "
            f"once per occasion. Keep one score per person, e.g. {name}.groupby(level=0).mean()."
        )
    return x


def _numeric_values(s: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s):
        raise TypeError(f"{name} must hold numeric scores; got booleans.")
    conv = pd.to_numeric(s, errors="coerce")
    bad = conv.isna() & s.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise TypeError(f"{name} must hold numeric scores; person {_label(s.index[pos])!r} has {s.iloc[pos]!r}.")
    x = conv.to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(x)
    if inf.any():
        pos = int(np.flatnonzero(inf)[0])
        raise ValueError(f"{name} holds an infinite value for person {_label(s.index[pos])!r}. Use finite scores.")
    return x


def _align(t1, t2, n1: str = "t1", n2: str = "t2", *, numeric: bool = True):
    """Align two occasions by person; return values, the common index and the counts left out."""
    s1 = _check_series(t1, n1)
    s2 = _check_series(t2, n2)
    common = s1.index.intersection(s2.index, sort=False)
    if len(common) == 0:
        raise ValueError(
            f"{n1} and {n2} share no person: their indexes have no label in common (e.g. {n1} starts with "
            f"{[_label(v) for v in s1.index[:2]]!r}, {n2} with {[_label(v) for v in s2.index[:2]]!r}). Index both by "
            "the same person identifier (NIP); a single occasion cannot be compared with itself."
        )
    a = s1.loc[common]
    b = s2.loc[common]
    if numeric:
        x1 = _numeric_values(a, n1)
        x2 = _numeric_values(b, n2)
        ok = ~(np.isnan(x1) | np.isnan(x2))
    else:
        x1 = a.to_numpy(dtype=object)
        x2 = b.to_numpy(dtype=object)
        ok = ~(pd.isna(a).to_numpy() | pd.isna(b).to_numpy())
    info = {
        "n_only_" + n1: int(len(s1) - len(common)),
        "n_only_" + n2: int(len(s2) - len(common)),
        "n_missing": int((~ok).sum()),
    }
    return x1[ok], x2[ok], common[ok], info


def _check_reliability(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in (0, 1]; got {name}={value!r}. Use e.g. {name}=0.85.")
    return check_probability(value, name)


# ---------------------------------------------------------------------------------------------------------------
# test-retest
# ---------------------------------------------------------------------------------------------------------------


def _pair_icc(x1: np.ndarray, x2: np.ndarray, level: float) -> pd.DataFrame:
    from .agreement import _icc_from_mean_squares

    x = np.column_stack([x1, x2])
    n, k = x.shape
    g = x.mean()
    ssr = k * float(((x.mean(axis=1) - g) ** 2).sum())
    ssc = n * float(((x.mean(axis=0) - g) ** 2).sum())
    sst = float(((x - g) ** 2).sum())
    sse = max(sst - ssr - ssc, 0.0)
    msr = ssr / (n - 1)
    msc = ssc / (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    msw = (ssc + sse) / (n * (k - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return _icc_from_mean_squares(msr, msw, msc, mse, n, k, level)


def _d_z_interval(t_obs: float, df: int, level: float) -> tuple[float, float]:
    """Confidence limits of the noncentrality parameter of a t statistic (inverting the noncentral t CDF)."""
    a = (1.0 - level) / 2.0
    # the limits lie about z * sqrt(1 + t^2 / (2 df)) from t (normal approximation); start the bracket at twice
    # that and widen it only if needed, so the noncentral t CDF is never evaluated far out in its tails
    step = 2.0 * _z(level) * math.sqrt(1.0 + t_obs * t_obs / (2.0 * df)) + 1.0

    def solve(target):
        f = lambda nc: stats.nct.cdf(t_obs, df, nc) - target  # noqa: E731
        for _ in range(8):
            lo, hi = t_obs - step * 1.5**_, t_obs + step * 1.5**_
            flo, fhi = f(lo), f(hi)
            if np.isfinite(flo) and np.isfinite(fhi) and flo * fhi < 0:
                return optimize.brentq(f, lo, hi, xtol=1e-12)
        return math.nan

    return solve(1.0 - a), solve(a)


def test_retest(t1, t2, *, reliability_t1=None, reliability_t2=None, level=0.95) -> pd.DataFrame:
    r"""Stability of scores between two occasions (test-retest): ICCs, correlation and mean change.

    Parameters
    ----------
    t1, t2 : Series
        Scores of the first and the second occasion, indexed by person (e.g. NIP).  They are aligned
        by index, never by position: persons present in only one occasion are left out and counted
        in ``attrs``, and persons missing either score are dropped.
    reliability_t1, reliability_t2 : float in (0, 1], optional
        Reliabilities of the scores at each occasion (e.g. the G coefficient of the overall rating).
        Both are needed for ``disattenuated_r``.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        Index ``statistic`` with rows ``ICC(A,1)``, ``ICC(C,1)``, ``pearson_r``,
        ``disattenuated_r``, ``mean_change``, ``d_z``; columns ``value``, ``ci_low``, ``ci_high``,
        ``n`` (pairs used).  ``attrs``: ``n_pairs``, ``n_only_t1``, ``n_only_t2`` (persons in one
        occasion only), ``n_missing`` (common persons missing a score), ``level``, ``ci_method``
        (per statistic) and ``notes`` (per statistic: why a value is NaN, or a warning).

    Raises
    ------
    TypeError
        If ``t1`` or ``t2`` is not a Series, or holds non-numeric values (naming the person).
    ValueError
        For duplicated index labels, no person in common, fewer than 3 complete pairs, infinite
        scores, reliabilities outside (0, 1] or a level outside (0, 1).

    Notes
    -----
    The pairs form an :math:`n \times 2` table (persons x occasions) analysed by two-way ANOVA
    with mean squares :math:`MS_R` (persons), :math:`MS_C` (occasions) and :math:`MS_E`
    (residual), :math:`k = 2`:

    .. math::

        ICC(A,1) = \frac{MS_R - MS_E}{MS_R + (k-1)MS_E + \tfrac{k}{n}(MS_C - MS_E)},\qquad
        ICC(C,1) = \frac{MS_R - MS_E}{MS_R + (k-1)MS_E}

    (McGraw & Wong 1996; Shrout & Fleiss 1979 ICC(2,1) and ICC(3,1)).  ICC(A,1) counts a shift
    of the whole cohort between occasions (a practice effect, a stricter panel) against stability;
    ICC(C,1) does not.  The intervals are the F-based ones of McGraw & Wong (1996, Table 7), with
    Satterthwaite's degrees of freedom for ICC(A,1).  Values and intervals match R
    ``psych::ICC(cbind(t1, t2), lmer = FALSE)`` (ANOVA mean squares): ``ICC(A,1)`` is its
    ``ICC2`` ("Single_random_raters") and ``ICC(C,1)`` its ``ICC3`` ("Single_fixed_raters");
    psych's default ``lmer = TRUE`` takes the mean squares from an ``lme4`` fit and agrees to
    about 1e-6, the tolerance of that optimiser.

    ``pearson_r``: the product-moment correlation with the Fisher-z interval
    :math:`\tanh(\operatorname{atanh} r \pm z_{1-\alpha/2}/\sqrt{n-3})`, as R ``cor.test``
    (NaN interval for :math:`n = 3`).

    ``disattenuated_r`` :math:`= r / \sqrt{\rho_1 \rho_2}` (Spearman's correction), the
    correlation of the true scores; its interval is the interval of :math:`r` divided likewise.
    It can exceed 1 when the reliabilities are underestimated; the value is not truncated and the
    note says so.

    ``mean_change`` :math:`= \bar d`, the mean of :math:`d = t_2 - t_1`, with the paired
    :math:`t` interval :math:`\bar d \pm t_{n-1, 1-\alpha/2}\, s_d/\sqrt n` (R ``t.test(t2, t1,
    paired = TRUE)``).

    ``d_z`` :math:`= \bar d / s_d`, the standardised mean change (Cohen 1988).  Its interval
    inverts the noncentral :math:`t` distribution of :math:`t = d_z\sqrt n` with :math:`n-1`
    degrees of freedom: the limits are the noncentrality parameters whose distributions put
    :math:`t` at their :math:`1-\alpha/2` and :math:`\alpha/2` quantiles, divided by
    :math:`\sqrt n` (Steiger & Fouladi 1997; the interval of ``MBESS::ci.sm``).  It is exact under
    normality.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
    reliability. *Psychological Bulletin*, 86(2), 420-428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
    coefficients. *Psychological Methods*, 1(1), 30-46.
    Spearman, C. (1904). The proof and measurement of association between two things. *American
    Journal of Psychology*, 15, 72-101.
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation
    of statistical models. In *What if there were no significance tests?* (pp. 221-257). Erlbaum.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.reassessment import test_retest
    >>> t1 = pd.Series([3.1, 2.8, 3.6, 2.2, 3.0, 3.9, 2.5], index=list("abcdefg"))
    >>> t2 = pd.Series([3.4, 3.9, 2.6, 3.1, 3.8, 2.9, 3.2], index=list("gcbdeaf"))
    >>> res = test_retest(t1, t2, reliability_t1=0.8, reliability_t2=0.8)
    >>> res.index.tolist()
    ['ICC(A,1)', 'ICC(C,1)', 'pearson_r', 'disattenuated_r', 'mean_change', 'd_z']
    >>> round(float(res.loc["mean_change", "value"]), 3)
    0.257
    >>> int(res.loc["pearson_r", "n"])
    7
    """
    level = check_level(level)
    rel1 = None if reliability_t1 is None else _check_reliability(reliability_t1, "reliability_t1")
    rel2 = None if reliability_t2 is None else _check_reliability(reliability_t2, "reliability_t2")
    x1, x2, _, info = _align(t1, t2)
    n = x1.size
    if n < 3:
        raise ValueError(
            f"test_retest needs at least 3 persons with a score on both occasions; got {n} "
            f"({info['n_only_t1']} only in t1, {info['n_only_t2']} only in t2, {info['n_missing']} missing a score)."
        )
    notes: dict[str, str] = {}
    ci_method: dict[str, str] = {}
    rows = {}

    icc = _pair_icc(x1, x2, level)
    for name, key in (("ICC(A,1)", "ICC2"), ("ICC(C,1)", "ICC3")):
        rows[name] = (float(icc.loc[key, "icc"]), float(icc.loc[key, "ci_low"]), float(icc.loc[key, "ci_high"]))
        ci_method[name] = "F (McGraw & Wong 1996)"
        if not np.isfinite(rows[name][0]):
            notes[name] = "no variance between persons and no error variance: the ICC is undefined"

    sd1, sd2 = float(np.std(x1, ddof=1)), float(np.std(x2, ddof=1))
    ci_method["pearson_r"] = "Fisher z"
    if sd1 == 0.0 or sd2 == 0.0:
        r = lo = hi = math.nan
        notes["pearson_r"] = "the scores of one occasion are all equal: the correlation is undefined"
    else:
        r = float(np.corrcoef(x1, x2)[0, 1])
        r = min(max(r, -1.0), 1.0)
        if n > 3:
            zc = _z(level) / math.sqrt(n - 3)
            with np.errstate(divide="ignore"):
                zr = math.atanh(r) if abs(r) < 1.0 else math.copysign(math.inf, r)
            lo, hi = math.tanh(zr - zc), math.tanh(zr + zc)
        else:
            lo = hi = math.nan
            notes["pearson_r"] = "the Fisher-z interval needs at least 4 pairs"
    rows["pearson_r"] = (r, lo, hi)

    ci_method["disattenuated_r"] = "Fisher z interval of r, divided by sqrt(rel1 * rel2)"
    if rel1 is None or rel2 is None:
        rows["disattenuated_r"] = (math.nan, math.nan, math.nan)
        notes["disattenuated_r"] = "needs both reliability_t1 and reliability_t2"
    else:
        f = math.sqrt(rel1 * rel2)
        rows["disattenuated_r"] = (r / f, lo / f, hi / f)
        if np.isfinite(r) and abs(r / f) > 1.0:
            notes["disattenuated_r"] = ("exceeds 1 in absolute value: the reliabilities are probably underestimated "
                                        "(or the correlation overestimated); the value is not truncated")

    d = x2 - x1
    md = float(d.mean())
    sdd = float(np.std(d, ddof=1))
    tq = float(stats.t.ppf(0.5 + level / 2.0, n - 1))
    rows["mean_change"] = (md, md - tq * sdd / math.sqrt(n), md + tq * sdd / math.sqrt(n))
    ci_method["mean_change"] = "paired t"
    ci_method["d_z"] = "noncentral t (Steiger & Fouladi 1997)"
    if sdd == 0.0:
        rows["d_z"] = (math.nan, math.nan, math.nan)
        notes["d_z"] = "every person changed by the same amount (sd of change = 0): d_z is undefined"
    else:
        dz = md / sdd
        lo_nc, hi_nc = _d_z_interval(dz * math.sqrt(n), n - 1, level)
        rows["d_z"] = (dz, lo_nc / math.sqrt(n), hi_nc / math.sqrt(n))

    out = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "ci_low", "ci_high"])
    out["n"] = n
    out.index.name = "statistic"
    out.attrs.update({"n_pairs": n, **info, "level": level, "ci_method": ci_method, "notes": notes})
    return out


test_retest.__test__ = False  # a statistic, not a test case: keeps pytest from collecting it where it is imported


# ---------------------------------------------------------------------------------------------------------------
# reliable change
# ---------------------------------------------------------------------------------------------------------------


def minimal_detectable_change(sd, reliability, level=0.95) -> float:
    r"""Minimal detectable change: the smallest change larger than measurement error at ``level``.

    .. math::

        SEM = s\sqrt{1 - \rho},\qquad MDC = z_{1-\alpha/2}\,\sqrt 2\, SEM

    (:math:`1.96\sqrt 2\,SEM` at 95%; Jacobson & Truax 1991's reliable change criterion expressed
    in score units).

    Parameters
    ----------
    sd : float > 0
        Standard deviation of the scores (of the cohort at the first occasion, or of a norm group).
    reliability : float in (0, 1]
        Reliability of the scores.
    level : float, default 0.95

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For a non-positive or non-finite ``sd``, a reliability outside (0, 1] or a level outside (0, 1).

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining
    meaningful change in psychotherapy research. *Journal of Consulting and Clinical Psychology*,
    59(1), 12-19.

    Examples
    --------
    >>> from psikometri.reassessment import minimal_detectable_change
    >>> round(minimal_detectable_change(10, 0.9), 3)
    8.765
    """
    level = check_level(level)
    if isinstance(sd, (bool, np.bool_)) or not isinstance(sd, numbers.Real) or not (np.isfinite(sd) and sd > 0):
        raise ValueError(f"sd must be a positive finite number; got sd={sd!r}.")
    rel = _check_reliability(reliability, "reliability")
    return float(_z(level) * math.sqrt(2.0) * float(sd) * math.sqrt(1.0 - rel))


def _positive_sd(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not (
            np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number (a standard deviation); got {name}={value!r}.")
    return float(value)


def _pair_or_one(value, name: str, check, method: str):
    """A number, or for method='maassen' a (t1, t2) pair."""
    if isinstance(value, (tuple, list)):
        if method != "maassen" or len(value) != 2:
            raise ValueError(
                f"{name} must be one number (a (t1, t2) pair is accepted only with method='maassen'); "
                f"got {name}={value!r}."
            )
        return check(value[0], name), check(value[1], name)
    v = check(value, name)
    return v, v


def reliable_change(t1, t2, *, reliability, sd=None, method="jacobson_truax", level=0.95) -> pd.DataFrame:
    r"""Reliable change index of each person between two occasions (Jacobson-Truax, Chelune, Maassen).

    Parameters
    ----------
    t1, t2 : Series
        Scores of the first and second occasion, indexed by person; aligned by index.  Persons in
        one occasion only or missing a score are left out and counted in ``attrs``.
    reliability : float in (0, 1]
        Reliability of the scores (test-retest or internal consistency; e.g. a G coefficient).
        With ``method="maassen"`` a ``(rel_t1, rel_t2)`` pair is also accepted.
    sd : float > 0, optional
        Standard deviation used for the SEM instead of the cohort's first-occasion SD (e.g. a norm
        group's SD).  With ``method="maassen"`` a ``(sd_t1, sd_t2)`` pair is also accepted.
    method : {"jacobson_truax", "chelune", "maassen"}
        Standard error of the difference and centring (Notes).
    level : float, default 0.95
        A change is reliable when :math:`|RCI| \ge z_{1-\alpha/2}` (1.96 at 95%).

    Returns
    -------
    DataFrame
        One row per person with both scores, columns ``change`` (:math:`t_2 - t_1`), ``se_diff``,
        ``rci`` and ``classification`` (ordered categorical: ``declined`` < ``no_reliable_change``
        < ``improved``; higher scores are better).  ``attrs``: ``method``, ``sem`` (a float, or a
        ``(sem_t1, sem_t2)`` pair for Maassen), ``se_diff``, ``mdc`` (:math:`z\,SE_{diff}`, the
        change needed to be reliable), ``practice_effect`` (the mean change, subtracted by
        Chelune's method), ``counts`` (persons per class), ``z``, ``level``, ``n_pairs``,
        ``n_only_t1``, ``n_only_t2``, ``n_missing``.

    Raises
    ------
    TypeError, ValueError
        For inputs that are not Series, duplicated persons, no person in common, reliabilities
        outside (0, 1], a non-positive ``sd``, an unknown method, or too few persons to estimate
        the SD (2) or the practice effect.

    Notes
    -----
    With :math:`s_1, s_2` the standard deviations of the two occasions (``ddof=1``) and
    :math:`\rho` the reliability:

    * ``"jacobson_truax"`` (Jacobson & Truax 1991): :math:`SEM = s_1\sqrt{1-\rho}`,
      :math:`SE_{diff} = \sqrt 2\,SEM`, :math:`RCI = (t_2 - t_1)/SE_{diff}`.
    * ``"chelune"`` (Chelune et al. 1993): the same :math:`SE_{diff}`, but the change is taken
      relative to the cohort's mean change (practice effect, or a cohort-wide shift in
      standards): :math:`RCI = (t_2 - t_1 - \bar d)/SE_{diff}`.
    * ``"maassen"`` (Maassen 2004): both occasions' variances enter,
      :math:`SE_{diff} = \sqrt{(1-\rho_1)s_1^2 + (1-\rho_2)s_2^2}`, which is
      :math:`\sqrt{(s_1^2 + s_2^2)(1-\rho)}` for a common reliability;
      :math:`RCI = (t_2 - t_1 - \bar d)/SE_{diff}` (Maassen's index is practice-adjusted like
      Chelune's).

    A person is ``improved`` when :math:`RCI \ge z_{1-\alpha/2}`, ``declined`` when
    :math:`RCI \le -z_{1-\alpha/2}` and ``no_reliable_change`` otherwise.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining
    meaningful change in psychotherapy research. *Journal of Consulting and Clinical Psychology*,
    59(1), 12-19.
    Chelune, G. J., Naugle, R. I., Lüders, H., Sedlak, J., & Awad, I. A. (1993). Individual change
    after epilepsy surgery: Practice effects and base-rate information. *Neuropsychology*, 7(1),
    41-52.
    Maassen, G. H. (2004). The standard error in the Jacobson and Truax Reliable Change Index: The
    classical approach to the assessment of reliable change. *Journal of the International
    Neuropsychological Society*, 10(6), 888-893.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.reassessment import reliable_change
    >>> t1 = pd.Series([60.0, 70, 80, 90, 75], index=list("abcde"))
    >>> t2 = pd.Series([75.0, 69, 80, 82, 77], index=list("abcde"))
    >>> rc = reliable_change(t1, t2, reliability=0.9, sd=10)
    >>> round(rc.attrs["se_diff"], 3)
    4.472
    >>> rc["classification"].tolist()
    ['improved', 'no_reliable_change', 'no_reliable_change', 'no_reliable_change', 'no_reliable_change']
    """
    level = check_level(level)
    if method not in _RC_METHODS:
        raise ValueError(f"method must be one of {list(_RC_METHODS)}; got method={method!r}.")
    rel1, rel2 = _pair_or_one(reliability, "reliability", _check_reliability, method)
    sd_given = None if sd is None else _pair_or_one(sd, "sd", _positive_sd, method)
    x1, x2, index, info = _align(t1, t2)
    n = x1.size
    change = x2 - x1
    need = 1 if (sd_given is not None and method == "jacobson_truax") else 2
    if n < need:
        raise ValueError(
            f"reliable_change with method={method!r} needs at least {need} persons with both scores"
            f"{'' if need == 1 else ' (to estimate the SD or the mean change)'}; got {n}."
        )
    if sd_given is None:
        s1 = float(np.std(x1, ddof=1))
        s2 = float(np.std(x2, ddof=1))
        if s1 == 0.0 or (method == "maassen" and s2 == 0.0):
            raise ValueError(
                "the scores of an occasion have no spread (SD = 0), so the SEM cannot be estimated from the cohort; "
                "pass sd= (e.g. a norm group's SD)."
            )
    else:
        s1, s2 = sd_given
    if method == "maassen":
        sem = (s1 * math.sqrt(1.0 - rel1), s2 * math.sqrt(1.0 - rel2))
        se_diff = math.sqrt(sem[0] ** 2 + sem[1] ** 2)
    else:
        sem = s1 * math.sqrt(1.0 - rel1)
        se_diff = math.sqrt(2.0) * sem
    practice = float(change.mean()) if n else math.nan
    centred = change - practice if method in ("chelune", "maassen") else change
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        if se_diff > 0:
            rci = centred / se_diff
        else:  # reliability 1: any change is reliable
            rci = np.where(centred > 0, np.inf, np.where(centred < 0, -np.inf, 0.0))
    codes = np.where(rci >= z, 2, np.where(rci <= -z, 0, 1)).astype(np.int64)
    cls = pd.Categorical.from_codes(codes, categories=list(_RC_CLASSES), ordered=True)
    out = pd.DataFrame({"change": change, "se_diff": se_diff, "rci": rci, "classification": cls}, index=index)
    counts = {c: int((codes == k).sum()) for k, c in enumerate(_RC_CLASSES)}
    out.attrs.update({
        "method": method, "sem": sem, "se_diff": se_diff, "mdc": z * se_diff, "practice_effect": practice,
        "counts": counts, "z": z, "level": level, "sd": (s1, s2) if method == "maassen" else s1,
        "reliability": (rel1, rel2) if method == "maassen" else rel1, "n_pairs": n, **info,
    })
    return out


# ---------------------------------------------------------------------------------------------------------------
# transitions between categories
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChiSquareTest:
    """A chi-square test: statistic, degrees of freedom and p value.

    Attributes
    ----------
    statistic : float
    df : int
    p : float
        Upper-tail chi-square probability of ``statistic`` on ``df`` degrees of freedom.
    n : int
        Persons in the table.
    method : str
    note : str
        Why a value is NaN, or how the test was adapted (e.g. empty pairs of cells left out).
    """

    statistic: float
    df: int
    p: float
    n: int = 0
    method: str = ""
    note: str = ""

    def summary(self) -> str:
        """Multi-line text."""
        lines = [self.method, "-" * max(len(self.method), 8), f"chi2     : {_fmt(self.statistic, 4)}",
                 f"df       : {self.df}", f"p        : {_fmt(self.p, 4)}", f"n        : {self.n}"]
        if self.note:
            lines.append(f"note     : {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = f"ChiSquareTest({self.method}: chi2 = {_fmt(self.statistic)}, df = {self.df}, p = {_fmt(self.p, 4)}, " \
            f"n = {self.n}"
        return s + (f", note: {self.note})" if self.note else ")")

    def _repr_html_(self) -> str:
        rows = [("chi2", _fmt(self.statistic, 4)), ("df", str(self.df)), ("p", _fmt(self.p, 4)), ("n", str(self.n))]
        if self.note:
            rows.append(("note", self.note))
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                       for k, v in rows)
        return f"<table><caption style='text-align:left'><b>{html.escape(self.method)}</b></caption>{body}</table>"


def _bowker(tab: np.ndarray) -> ChiSquareTest:
    k = tab.shape[0]
    n = int(tab.sum())
    iu = np.triu_indices(k, 1)
    s = (tab + tab.T)[iu]
    dlt = (tab - tab.T)[iu]
    used = s > 0
    df = int(used.sum())
    note = ""
    if k == 2:
        note = "2 x 2 table: McNemar's test without continuity correction (R mcnemar.test(correct = FALSE))"
    if df < s.size:
        note = (f"{s.size - df} pair(s) of off-diagonal cells are both empty and were left out of the statistic and "
                "the degrees of freedom (R mcnemar.test returns NaN then)")
    if df == 0:
        return ChiSquareTest(math.nan, 0, math.nan, n, "bowker_symmetry",
                             "no person changed category: the symmetry test is undefined")
    stat = float((dlt[used] ** 2 / s[used]).sum())
    return ChiSquareTest(stat, df, float(stats.chi2.sf(stat, df)), n, "bowker_symmetry", note)


def _stuart_maxwell(tab: np.ndarray) -> ChiSquareTest:
    n = int(tab.sum())
    tot = tab.sum(axis=0) + tab.sum(axis=1)
    t = tab[np.ix_(tot > 0, tot > 0)].astype(float)
    k = t.shape[0]
    if k < 2:
        return ChiSquareTest(math.nan, 0, math.nan, n, "stuart_maxwell",
                             "fewer than 2 categories are used: marginal homogeneity is undefined")
    d = (t.sum(axis=1) - t.sum(axis=0))[:-1]
    s = -(t + t.T)
    np.fill_diagonal(s, t.sum(axis=1) + t.sum(axis=0) - 2.0 * np.diag(t))
    s = s[:-1, :-1]
    rank = int(np.linalg.matrix_rank(s))
    if rank == 0:
        return ChiSquareTest(math.nan, 0, math.nan, n, "stuart_maxwell",
                             "no person changed category: the marginal homogeneity test is undefined")
    note = ""
    if rank < k - 1:
        stat = float(d @ np.linalg.pinv(s) @ d)
        note = (f"singular covariance matrix (a category with no transitions): Moore-Penrose inverse, df = rank "
                f"{rank}")
    else:
        stat = float(d @ np.linalg.solve(s, d))
    return ChiSquareTest(stat, rank, float(stats.chi2.sf(stat, rank)), n, "stuart_maxwell", note)


def _resolve_cuts(cuts, name: str = "cuts"):
    """Cuts as an array plus the labels of the JPM scheme they name or equal (None otherwise)."""
    from .talent import JPM_SCHEMES, _check_cuts

    if isinstance(cuts, str):
        if cuts not in JPM_SCHEMES:
            raise ValueError(
                f"{name} must be increasing numbers or a JPM scheme name {list(JPM_SCHEMES)}; got {name}={cuts!r}."
            )
        sch = JPM_SCHEMES[cuts]
        return np.asarray(sch["cuts"], dtype=float), tuple(sch["labels"])
    c = _check_cuts(cuts, name, n=None)
    for sch in JPM_SCHEMES.values():
        if c.size == len(sch["cuts"]) and np.allclose(c, sch["cuts"]):
            return c, tuple(sch["labels"])
    return c, None


@dataclass(frozen=True, eq=False)
class TransitionResult:
    """Transitions between the categories of two occasions (result of :func:`transition_table`).

    Attributes
    ----------
    table : DataFrame
        Counts, rows = occasion 1, columns = occasion 2, categories in order.
    kappa, weighted_kappa : Estimate
        Cohen's kappa and the quadratic-weighted kappa between occasions
        (:func:`psikometri.agreement.cohen_kappa`).
    bowker : ChiSquareTest
        Bowker's test of symmetry (are moves up and down between each pair of categories balanced?).
    stuart_maxwell : ChiSquareTest
        Stuart-Maxwell test of marginal homogeneity (is the category distribution the same?).
    n : int
        Persons in the table.
    categories : tuple
    info : dict
        ``n_only_c1``, ``n_only_c2`` (persons in one occasion only), ``n_missing``.
    """

    table: pd.DataFrame
    kappa: Estimate
    weighted_kappa: Estimate
    bowker: ChiSquareTest
    stuart_maxwell: ChiSquareTest
    n: int
    categories: tuple
    info: dict[str, Any] = field(default_factory=dict)
    _scores: pd.DataFrame | None = field(default=None, repr=False)
    _persons: pd.Index | None = field(default=None, repr=False)

    def expected_by_error(self, reliability_t1, reliability_t2, cuts, *, scores=None) -> pd.DataFrame:
        r"""The transition table that measurement error alone would produce for the same true scores.

        Parameters
        ----------
        reliability_t1, reliability_t2 : float in (0, 1]
            Reliabilities of the scores at each occasion.
        cuts : sequence of float or {"mapping", "selection"}
            The cut-offs that made the categories (``len(cuts) + 1`` must equal the number of
            categories of the table; a JPM scheme name takes its cut-offs).
        scores : (Series, Series), optional
            The numeric scores behind the categories at the two occasions, indexed by person;
            default the ``scores`` given to :func:`transition_table`.

        Returns
        -------
        DataFrame
            Expected counts, same labels as :attr:`table`, summing to the persons with both
            scores (``attrs["n"]``; ``attrs["model"]`` holds the moments used).

        Notes
        -----
        Normal true-score model: :math:`X_o = T + E_o` with :math:`E_o \sim N(0, \sigma_{E_o}^2)`,
        :math:`\sigma_{E_o} = s_o\sqrt{1-\rho_o}` (the SEM implied by each occasion's observed SD
        and reliability), errors independent of :math:`T` and of each other.  The true score of
        person :math:`i` is estimated from the first occasion by regression toward the mean
        (Kelley): :math:`T \mid x_{1i} \sim N(\mu_1 + \rho_1(x_{1i} - \mu_1),\;
        \rho_1(1-\rho_1)s_1^2)`.  With no real change, two measurements of that same true
        score, :math:`X_1^* = T + E_1` and :math:`X_2^* = T + E_2`, are bivariate normal
        (variances :math:`v + \sigma_{E_o}^2`, covariance :math:`v`), and the expected count of
        cell :math:`(a, b)` is :math:`\sum_i P(X_1^* \in a, X_2^* \in b \mid x_{1i})`, computed
        exactly from the bivariate normal CDF (no simulation).  Observed counts well off the
        diagonal of this table point to real change (or to a shift in standards between
        occasions), not to noise.
        """
        from ._reassessment_kernels import gauss_legendre, pair_probs

        r1 = _check_reliability(reliability_t1, "reliability_t1")
        r2 = _check_reliability(reliability_t2, "reliability_t2")
        c, _ = _resolve_cuts(cuts)
        k = len(self.categories)
        if c.size + 1 != k:
            raise ValueError(
                f"cuts must give one category fewer than the table's {k} categories ({k - 1} cuts); got "
                f"{c.size} cut(s) {c.tolist()}."
            )
        if scores is None:
            sc = self._scores
            if sc is None:
                raise ValueError(
                    "expected_by_error needs the numeric scores behind the categories; pass scores=(t1_scores, "
                    "t2_scores) here or to transition_table(..., scores=(t1_scores, t2_scores))."
                )
        else:
            sc = _scores_frame(scores)
        sc = sc.reindex(self._persons)
        ok = sc.notna().all(axis=1).to_numpy()
        x1 = sc["t1"].to_numpy(dtype=float)[ok]
        x2 = sc["t2"].to_numpy(dtype=float)[ok]
        if x1.size < 3:
            raise ValueError(f"expected_by_error needs at least 3 persons with both scores; got {x1.size}.")
        mu1, s1, s2 = float(x1.mean()), float(np.std(x1, ddof=1)), float(np.std(x2, ddof=1))
        if s1 == 0.0:
            raise ValueError("the first-occasion scores are all equal; the true-score model needs score variance.")
        v = r1 * (1.0 - r1) * s1 * s1
        m = np.ascontiguousarray(mu1 + r1 * (x1 - mu1))
        e1, e2 = s1 * math.sqrt(1.0 - r1), s2 * math.sqrt(1.0 - r2)
        out = np.empty((m.size, k, k))
        gx, gw = gauss_legendre()
        pair_probs(m, v, e1, e2, np.ascontiguousarray(c), gx, gw, out)
        exp = pd.DataFrame(out.sum(axis=0), index=self.table.index.copy(), columns=self.table.columns.copy())
        exp.attrs.update({"n": int(x1.size), "n_without_scores": int((~ok).sum()),
                          "model": {"mean_t1": mu1, "sd_t1": s1, "sd_t2": s2, "sem_t1": e1, "sem_t2": e2,
                                    "true_score_posterior_var": v, "reliability": (r1, r2), "cuts": c.tolist()}})
        return exp

    def summary(self) -> str:
        """Multi-line text: the table, the kappas and the two tests."""
        lines = [f"Transitions between occasions (n = {self.n})", self.table.to_string(), "",
                 f"kappa           : {_fmt(self.kappa.value)} [{_fmt(self.kappa.ci_low)}, {_fmt(self.kappa.ci_high)}]",
                 f"weighted kappa  : {_fmt(self.weighted_kappa.value)} [{_fmt(self.weighted_kappa.ci_low)}, "
                 f"{_fmt(self.weighted_kappa.ci_high)}] (quadratic)",
                 f"Bowker symmetry : chi2 = {_fmt(self.bowker.statistic)}, df = {self.bowker.df}, "
                 f"p = {_fmt(self.bowker.p, 4)}",
                 f"Stuart-Maxwell  : chi2 = {_fmt(self.stuart_maxwell.statistic)}, df = {self.stuart_maxwell.df}, "
                 f"p = {_fmt(self.stuart_maxwell.p, 4)}"]
        for t in (self.bowker, self.stuart_maxwell):
            if t.note:
                lines.append(f"note ({t.method}): {t.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"TransitionResult(n = {self.n}, {len(self.categories)} categories, kappa = {_fmt(self.kappa.value)}, "
                f"Bowker p = {_fmt(self.bowker.p, 4)}, Stuart-Maxwell p = {_fmt(self.stuart_maxwell.p, 4)})")

    def _repr_html_(self) -> str:
        head = (f"<b>Transitions between occasions</b> (n = {self.n}): kappa = {_fmt(self.kappa.value)}, "
                f"weighted kappa = {_fmt(self.weighted_kappa.value)}; Bowker chi2 = {_fmt(self.bowker.statistic)} "
                f"(df {self.bowker.df}, p = {_fmt(self.bowker.p, 4)}); Stuart-Maxwell chi2 = "
                f"{_fmt(self.stuart_maxwell.statistic)} (df {self.stuart_maxwell.df}, "
                f"p = {_fmt(self.stuart_maxwell.p, 4)})")
        notes = "".join(f"<br><i>note: {html.escape(t.note)}</i>" for t in (self.bowker, self.stuart_maxwell) if t.note)
        return f"<div>{head}{self.table.to_html()}{notes}</div>"


def _scores_frame(scores) -> pd.DataFrame:
    """The (t1, t2) score pair as a frame with columns t1, t2 over the union of persons."""
    if not isinstance(scores, (tuple, list)) or len(scores) != 2:
        raise TypeError(f"scores must be a (t1_scores, t2_scores) pair of Series indexed by person; got {scores!r}.")
    a = _check_series(scores[0], "scores[0]")
    b = _check_series(scores[1], "scores[1]")
    s1 = pd.Series(_numeric_values(a, "scores[0]"), index=a.index)
    s2 = pd.Series(_numeric_values(b, "scores[1]"), index=b.index)
    idx = a.index.union(b.index, sort=False)
    return pd.DataFrame({"t1": s1.reindex(idx), "t2": s2.reindex(idx)})


def transition_table(c1, c2, *, categories=None, scores=None) -> TransitionResult:
    r"""Category transitions between two occasions, with kappa and tests of symmetry and marginal homogeneity.

    Parameters
    ----------
    c1, c2 : Series
        Categories of the first and second occasion (e.g. :func:`psikometri.talent.jpm_category`),
        indexed by person and aligned by index.  Persons in one occasion only, or missing either
        category, are left out and counted in ``info``.
    categories : sequence, optional
        The ordered categories (lowest first); by default those of an ordered categorical input,
        else the sorted observed values.
    scores : (Series, Series), optional
        The numeric scores behind the categories (e.g. the JPM of both occasions), kept for
        :meth:`TransitionResult.expected_by_error`.

    Returns
    -------
    TransitionResult
        ``.table`` (counts; rows = occasion 1), ``.kappa`` and ``.weighted_kappa`` (quadratic
        weights), ``.bowker``, ``.stuart_maxwell``, ``.expected_by_error(...)``.

    Raises
    ------
    TypeError, ValueError
        For inputs that are not Series, duplicated persons, no person in common, a value not in
        ``categories`` (naming the person), fewer than 2 persons or fewer than 2 categories.

    Notes
    -----
    With counts :math:`n_{ij}` (row :math:`i` = category at occasion 1):

    * Bowker's (1948) test of symmetry :math:`H_0: p_{ij} = p_{ji}`:
      :math:`\chi^2 = \sum_{i<j} (n_{ij} - n_{ji})^2/(n_{ij} + n_{ji})` on :math:`k(k-1)/2`
      degrees of freedom.  Matches R ``mcnemar.test(table)`` (for a 2 x 2 table
      ``mcnemar.test(table, correct = FALSE)``).  Pairs of cells that are both empty carry no
      information; they are left out of the sum and of the degrees of freedom (R returns NaN
      then), and the note says so.
    * Stuart-Maxwell test of marginal homogeneity (Stuart 1955; Maxwell 1970)
      :math:`H_0: p_{i.} = p_{.i}`: with :math:`d_i = n_{i.} - n_{.i}` for the first
      :math:`k-1` categories and :math:`S_{ii} = n_{i.} + n_{.i} - 2n_{ii}`,
      :math:`S_{ij} = -(n_{ij} + n_{ji})`, :math:`\chi^2 = d^\top S^{-1} d` on :math:`k-1`
      degrees of freedom.  Matches R ``coin::mh_test(table)`` and the formula coded by hand in R.
      Categories never used are dropped; when :math:`S` is singular (a category nobody left or
      entered) the Moore-Penrose inverse is used with df = rank(S), as ``coin`` does.
    * Kappa: :func:`psikometri.agreement.cohen_kappa` on the paired categories, unweighted and with
      quadratic weights; values match R ``psych::cohen.kappa``.

    References
    ----------
    Bowker, A. H. (1948). A test for symmetry in contingency tables. *Journal of the American
    Statistical Association*, 43, 572-574.
    Stuart, A. (1955). A test for homogeneity of the marginal distributions in a two-way
    classification. *Biometrika*, 42, 412-416.
    Maxwell, A. E. (1970). Comparing the classification of subjects by two independent judges.
    *British Journal of Psychiatry*, 116, 651-655.
    Cohen, J. (1968). Weighted kappa. *Psychological Bulletin*, 70, 213-220.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.reassessment import transition_table
    >>> cats = ["rendah", "sedang", "tinggi"]
    >>> c1 = pd.Series(["rendah", "sedang", "sedang", "tinggi", "rendah", "sedang"], index=list("abcdef"))
    >>> c2 = pd.Series(["sedang", "sedang", "tinggi", "tinggi", "rendah", "rendah"], index=list("abcdef"))
    >>> tr = transition_table(c1, c2, categories=cats)
    >>> tr.table.loc["sedang"].tolist()
    [1, 1, 1]
    >>> tr.bowker.df  # nobody moved between rendah and tinggi: that pair of cells is left out
    2
    """
    if categories is None:
        for s in (c1, c2):
            if isinstance(getattr(s, "dtype", None), pd.CategoricalDtype):
                categories = list(s.dtype.categories)
                break
    a, b, persons, info = _align(c1, c2, "c1", "c2", numeric=False)
    info = {"n_only_c1": info["n_only_c1"], "n_only_c2": info["n_only_c2"], "n_missing": info["n_missing"]}
    if categories is None:
        obs = pd.unique(np.concatenate([a, b]))
        try:
            cats = sorted(obs.tolist())
        except TypeError:
            cats = sorted(obs.tolist(), key=str)
    else:
        if isinstance(categories, (str, bytes)) or not hasattr(categories, "__iter__"):
            raise TypeError(f"categories must be a sequence of category labels; got categories={categories!r}.")
        cats = list(categories)
        if len(set(cats)) != len(cats):
            raise ValueError(f"categories must be distinct; got {cats!r}.")
    pos = {c: i for i, c in enumerate(cats)}
    codes = np.empty((2, a.size), dtype=np.int64)
    for row, (vals, nm) in enumerate(((a, "c1"), (b, "c2"))):
        for j, v in enumerate(vals):
            try:
                codes[row, j] = pos[v]
            except (KeyError, TypeError):
                raise ValueError(
                    f"{nm} has category {v!r} for person {_label(persons[j])!r}, which is not in categories {cats!r}. "
                    "Add it to categories= or correct the value."
                ) from None
    k = len(cats)
    if a.size < 2:
        raise ValueError(f"transition_table needs at least 2 persons with a category on both occasions; got {a.size}.")
    if k < 2:
        raise ValueError(f"only one category ({cats!r}) is used and no other was given; pass categories=[...].")
    tab = np.zeros((k, k), dtype=np.int64)
    np.add.at(tab, (codes[0], codes[1]), 1)
    table = pd.DataFrame(tab, index=pd.Index(cats, name="occasion_1"), columns=pd.Index(cats, name="occasion_2"))
    from .agreement import cohen_kappa

    la = np.array(cats, dtype=object)[codes[0]]
    lb = np.array(cats, dtype=object)[codes[1]]
    kap = cohen_kappa(la, lb, categories=cats)
    wkap = cohen_kappa(la, lb, categories=cats, weights="quadratic")
    sc = None if scores is None else _scores_frame(scores)
    return TransitionResult(table=table, kappa=kap, weighted_kappa=wkap, bowker=_bowker(tab),
                            stuart_maxwell=_stuart_maxwell(tab), n=int(a.size), categories=tuple(cats), info=info,
                            _scores=sc, _persons=persons)


# ---------------------------------------------------------------------------------------------------------------
# decision consistency
# ---------------------------------------------------------------------------------------------------------------


def _class_probs(m: np.ndarray, sd: float, cuts: np.ndarray) -> np.ndarray:
    """P(N(m, sd^2) in each category) for every row; a step function when sd = 0 (equal goes up)."""
    k = cuts.size + 1
    if sd > 0:
        below = special.ndtr((cuts[None, :] - m[:, None]) / sd)
    else:
        below = (m[:, None] < cuts[None, :]).astype(float)
    cdf = np.concatenate([np.zeros((m.size, 1)), below, np.ones((m.size, 1))], axis=1)
    p = np.diff(cdf, axis=1)
    return np.clip(p, 0.0, 1.0).reshape(m.size, k)


def _consistency_run(x: np.ndarray, rel: float, cuts: np.ndarray, assigned: np.ndarray, *, per_person: bool,
                     weights: np.ndarray | None = None):
    """Posterior moments and the per-person and cohort figures of the normal true-score model.

    ``weights`` (bootstrap counts of the distinct persons ``x``, summing to the resample size) weight the
    moments and the cohort averages; only the cohort figures are returned then.
    """
    from ._reassessment_kernels import gauss_legendre, pair_probs

    w = np.ones(x.size) if weights is None else weights
    n_w = float(w.sum())
    mu = float(w @ x) / n_w
    s = math.sqrt(float(w @ (x - mu) ** 2) / (n_w - 1.0))
    v = rel * (1.0 - rel) * s * s
    sem = s * math.sqrt(1.0 - rel)
    m = np.ascontiguousarray(mu + rel * (x - mu))
    k = cuts.size + 1
    gx, gw = gauss_legendre()
    c = np.ascontiguousarray(cuts)
    both = np.empty((x.size, k, k))
    pair_probs(m, v, sem, sem, c, gx, gw, both)
    agree_i = np.trace(both, axis1=1, axis2=2)
    tx = np.empty((x.size, k, k))
    pair_probs(m, v, 0.0, sem, c, gx, gw, tx)
    acc_i = np.trace(tx, axis1=1, axis2=2)
    retest = both.sum(axis=2)  # P(X' in k | x): margin of the pair table
    qbar = (w @ retest) / n_w
    pa = float(w @ agree_i) / n_w
    pc = float((qbar ** 2).sum())
    kappa = (pa - pc) / (1.0 - pc) if pc < 1.0 - 1e-12 else math.nan
    grid = np.array([pa, pc, kappa, float(w @ acc_i) / n_w])
    if not per_person:
        return grid
    p_true = tx.sum(axis=2)  # P(T in k | x)
    rows = np.arange(x.size)
    return {"grid": grid, "p_true": p_true, "p_assigned": p_true[rows, assigned],
            "p_retest": retest[rows, assigned], "mu": mu, "sd": s, "sem": sem, "post_var": v,
            "agreement_i": agree_i, "accuracy_i": acc_i}


_GRID = ("agreement", "chance_agreement", "kappa", "accuracy")


@validates_seed
def decision_consistency(scores, *, reliability, cuts, labels=None, level=0.95, n_boot=0,
                         seed=None) -> pd.DataFrame:
    r"""How trustworthy each category decision is (e.g. the JPM category), given the reliability of the score.

    Parameters
    ----------
    scores : Series or array-like
        Numeric scores of the cohort (e.g. JPM %); NaN gives a row of NaN, left out of the cohort
        figures.  At least 3 scores are needed.
    reliability : float in (0, 1]
        Reliability of the scores (e.g. the G coefficient or Phi of the JPM).
    cuts : sequence of float, or {"mapping", "selection"}
        Increasing cut-offs (a score equal to a cut goes up), or a JPM scheme name of
        :data:`psikometri.talent.JPM_SCHEMES`; cuts equal to a scheme's take its labels.
    labels : sequence of str, optional
        ``len(cuts) + 1`` category labels, lowest first; default the JPM scheme's labels, else
        ``category_1``, ``category_2``, ...
    level : float, default 0.95
        Level of the SEM band around each score and of the bootstrap intervals.
    n_boot : int, default 0
        Bootstrap resamples of persons for percentile intervals of the cohort figures (0: none).
    seed : None, int or numpy.random.Generator
        Seed of the bootstrap (same seed, same intervals).

    Returns
    -------
    DataFrame
        Indexed like ``scores``: ``score``, ``category`` (ordered categorical), one column per
        label (probability that the true score is in that category), ``p_assigned`` (that the
        assigned category is the true one), ``p_retest`` (that a parallel assessment gives the
        same category), ``sem_low``, ``sem_high`` (the band score :math:`\pm z\,SEM`).
        ``attrs["consistency"]``: DataFrame with rows ``agreement``, ``chance_agreement``,
        ``kappa``, ``accuracy`` and columns ``value``, ``ci_low``, ``ci_high`` (NaN without
        ``n_boot``); ``attrs["model"]``: mean, SD, SEM, posterior variance, reliability, cuts,
        labels, persons used and missing, ``method`` (``"exact normal integrals"``).

    Raises
    ------
    TypeError, ValueError
        For non-numeric or infinite scores (naming the element), fewer than 3 scores, constant
        scores, a reliability outside (0, 1], cuts that are not increasing, labels of the wrong
        length or repeated, a negative ``n_boot``.

    Notes
    -----
    Classical true-score model with everything normal (Livingston & Lewis 1995; the normal
    approach of Huynh 1976 and Peng & Subkoviak 1980), as
    :func:`psikometri.talent.placement_consistency` uses for the nine-box: :math:`X = T + E`,
    :math:`\sigma_E = SEM = s\sqrt{1-\rho}` with the cohort's mean :math:`\mu` and SD :math:`s`
    (``ddof=1``).  Given a score :math:`x`, the true score is normal with Kelley's regressed mean
    and variance

    .. math::

        T \mid x \sim N\big(\mu + \rho(x - \mu),\; \rho(1-\rho)s^2\big),

    and a parallel assessment is :math:`X' = T + E'` with a fresh error.  Per person:
    :math:`P(T \in k \mid x)` (one column per label), ``p_assigned`` :math:`= P(T \in c(x) \mid
    x)` and ``p_retest`` :math:`= P(X' \in c(x) \mid x)`, with :math:`c(x)` the assigned
    category.  Cohort: agreement :math:`P_A = \frac1n\sum_i P(X^{(1)}, X^{(2)} \text{ in the same
    category} \mid x_i)` for two independent parallel assessments, chance agreement
    :math:`P_C = \sum_k \bar q_k^2` with :math:`\bar q_k = \frac1n\sum_i P(X' \in k \mid x_i)`,
    :math:`\kappa = (P_A - P_C)/(1 - P_C)`, and accuracy
    :math:`\frac1n\sum_i P(X' \text{ and } T \text{ in the same category} \mid x_i)`.

    **Computation.** No simulation: the univariate probabilities are normal CDFs and the joint
    ones (:math:`X^{(1)}, X^{(2)}` with correlation :math:`\rho/(1+\rho)`; :math:`T, X'` with
    correlation :math:`\sqrt{\rho/(1+\rho)}`) are rectangle probabilities of the bivariate normal,
    computed to rounding error by Gauss-Legendre quadrature of Sheppard's integral in a numba
    kernel (3,000 persons take milliseconds).  The tests check them against a plain Monte-Carlo
    simulation of the same model.

    **Intervals.** With ``n_boot > 0`` persons are resampled with replacement (seeded
    counter-based streams, :mod:`psikometri._resampling`); each resample re-estimates :math:`\mu`
    and :math:`s` and recomputes the cohort figures (each distinct person once, weighted by how
    often it was drawn); percentile intervals.  The reliability is taken as known, so the
    intervals leave out its uncertainty.

    The normal model is an approximation for bounded scores (a JPM capped at 100 piles up at the
    top); the per-person probabilities near the top are then rougher.

    References
    ----------
    Livingston, S. A., & Lewis, C. (1995). Estimating the consistency and accuracy of
    classifications based on test scores. *Journal of Educational Measurement*, 32(2), 179-197.
    Huynh, H. (1976). On the reliability of decisions in domain-referenced testing. *Journal of
    Educational Measurement*, 13(4), 253-264.
    Peng, C.-Y. J., & Subkoviak, M. J. (1980). A note on Huynh's normal approximation procedure
    for estimating criterion-referenced reliability. *Journal of Educational Measurement*, 17(4),
    359-368.
    Kelley, T. L. (1947). *Fundamentals of statistics*. Harvard University Press.

    Examples
    --------
    >>> import numpy as np
    >>> from psikometri.reassessment import decision_consistency
    >>> jpm = np.random.default_rng(3).normal(84, 7, 400)
    >>> dc = decision_consistency(jpm, reliability=0.85, cuts="mapping")
    >>> dc.columns.tolist()[:5]
    ['score', 'category', 'Kurang Optimal', 'Cukup Optimal', 'Optimal']
    >>> bool(np.allclose(dc[["Kurang Optimal", "Cukup Optimal", "Optimal"]].sum(axis=1), 1))
    True
    >>> cons = dc.attrs["consistency"]
    >>> bool(0 < cons.loc["kappa", "value"] < cons.loc["agreement", "value"] < cons.loc["accuracy", "value"] < 1)
    True
    """
    from ._resampling import bootstrap_counts, percentile_interval, resolve_seed
    from .talent import _as_series, _numeric

    level = check_level(level)
    rel = _check_reliability(reliability, "reliability")
    c, scheme_labels = _resolve_cuts(cuts)
    k = c.size + 1
    if labels is None:
        labs = list(scheme_labels) if scheme_labels is not None else [f"category_{j + 1}" for j in range(k)]
    else:
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise TypeError(f"labels must be a sequence of {k} labels; got labels={labels!r}.")
        labs = list(labels)
        if len(labs) != k:
            raise ValueError(f"labels must have one more entry than cuts ({k}); got {len(labs)}: {labs!r}. "
                             "Pass labels from lowest to highest.")
        if len(set(labs)) != k:
            raise ValueError(f"labels must be distinct; got {labs!r}.")
    reserved = {"score", "category", "p_assigned", "p_retest", "sem_low", "sem_high"}
    if reserved & set(map(str, labs)):
        raise ValueError(f"labels must not be any of {sorted(reserved)} (output column names); got {labs!r}.")
    if isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer (0: no intervals); got n_boot={n_boot!r}. "
                         "Use e.g. n_boot=1000.")
    s = _as_series(scores, "scores")
    x_all = _numeric(s, "scores", allow_nan=True)
    used = ~np.isnan(x_all)
    x = np.ascontiguousarray(x_all[used])
    if x.size < 3:
        raise ValueError(f"decision_consistency needs at least 3 scores to estimate the cohort's SD; got {x.size}.")
    if np.ptp(x) == 0:
        raise ValueError(f"the scores are all equal ({x[0]!r}); the true-score model needs score variance.")
    from .talent import _cut_levels

    assigned = (_cut_levels(x, c) - 1).astype(np.int64)
    fit = _consistency_run(x, rel, c, assigned, per_person=True)

    def full(vals):
        o = np.full(x_all.size, np.nan)
        o[used] = vals
        return o

    codes = np.full(x_all.size, -1, dtype=np.int64)
    codes[used] = assigned
    z = _z(level)
    out = pd.DataFrame({"score": x_all, "category": pd.Categorical.from_codes(codes, categories=labs, ordered=True)},
                       index=s.index)
    for j, lab in enumerate(labs):
        out[lab] = full(fit["p_true"][:, j])
    out["p_assigned"] = full(fit["p_assigned"])
    out["p_retest"] = full(fit["p_retest"])
    out["sem_low"] = x_all - z * fit["sem"]
    out["sem_high"] = x_all + z * fit["sem"]

    ci = np.full((len(_GRID), 2), np.nan)
    n_used_boot = 0
    if n_boot:
        seed64 = resolve_seed(seed)
        counts = bootstrap_counts(x.size, int(n_boot), seed64)
        from ._reassessment_kernels import bootstrap_consistency, gauss_legendre

        boot = np.empty((int(n_boot), len(_GRID)))
        gx, gw = gauss_legendre()
        # every resample in one parallel kernel: each distinct drawn score is computed once, weighted by its
        # count (persons with equal scores have the same pair tables; JPM takes few distinct values, e.g. 14
        # among 120 candidates)
        xu, inv = np.unique(x, return_inverse=True)
        counts_u = np.zeros((int(n_boot), xu.size))
        np.add.at(counts_u.T, inv.ravel(), counts.T.astype(np.float64))
        bootstrap_consistency(np.ascontiguousarray(xu), float(rel), np.ascontiguousarray(c, dtype=np.float64), gx,
                              gw, counts_u, boot)
        n_used_boot = int(np.isfinite(boot[:, 0]).sum())
        for j in range(len(_GRID)):
            ci[j] = percentile_interval(boot[:, j], level)
    cons = pd.DataFrame({"value": fit["grid"], "ci_low": ci[:, 0], "ci_high": ci[:, 1]}, index=list(_GRID))
    cons.attrs.update({"n_boot": int(n_boot), "n_boot_used": n_used_boot,
                       "ci_method": "percentile bootstrap over persons" if n_boot else None})
    out.attrs["consistency"] = cons
    out.attrs["model"] = {
        "method": "exact normal integrals", "mean": fit["mu"], "sd": fit["sd"], "sem": fit["sem"],
        "posterior_var": fit["post_var"], "reliability": rel, "cuts": c.tolist(), "labels": labs,
        "n_used": int(used.sum()), "n_missing": int((~used).sum()), "level": level,
    }
    return out
