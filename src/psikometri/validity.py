r"""Predictive validity of assessment-centre results.

Does the assessment predict later performance, by how much once the usual
artifacts are corrected, and does it add to a cheaper psychological test?

* :func:`correct_attenuation` - Spearman's correction for unreliability.
* :func:`correct_range_restriction` - Thorndike Case I (selection on the
  criterion), Case II (direct selection on the predictor), Case III
  (selection on a third variable), Hunter, Schmidt & Le (2006) Case IV
  (indirect selection) and the bivariate indirect correction of Dahlke &
  Wiernik (2020).
* :func:`validity_study` - observed and corrected validity of one study, with a
  bootstrap that carries the whole correction chain (numba).
* :func:`incremental_validity` - hierarchical OLS (or logistic regression for a
  binary criterion such as *promoted*) with the Delta R\ :sup:`2` test.
* :func:`relative_weights` - Johnson's (2000) relative weights.
* :func:`expectancy_table` and :func:`plot_expectancy` - chance of high
  performance by assessment band.
* :func:`meta_analysis` - Hunter-Schmidt psychometric meta-analysis across
  agencies, with a forest plot.
* :func:`utility` - Brogden-Cronbach-Gleser utility in rupiah.

Notation
--------
``u`` is always the ratio of the predictor's standard deviation among those
selected (incumbents, whose criterion is known) to its standard deviation in
the applicant pool, so ``0 < u <= 1`` under range restriction.  ``rxxa`` is the
predictor's reliability in the applicant pool, ``ryyi`` the criterion's
reliability among incumbents.
"""

from __future__ import annotations

import html
import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._resampling import bootstrap_indices, percentile_interval, resolve_seed
from ._threads import single_threaded_blas
from ._validation import (
    validates_seed,
    check_choice,
    check_columns,
    check_dataframe,
    check_level,
    check_positive_int,
    check_probability,
    check_real,
    plain,
)

__all__ = [
    "correct_attenuation",
    "correct_range_restriction",
    "validity_study",
    "IncrementalValidityResult",
    "incremental_validity",
    "relative_weights",
    "expectancy_table",
    "plot_expectancy",
    "MetaAnalysisResult",
    "meta_analysis",
    "utility",
]

_MIN_SELECTED = 5


# ----------------------------------------------------------------------------------------------
# scalar checks
# ----------------------------------------------------------------------------------------------
def _check_r(r, name="r") -> float:
    if isinstance(r, bool) or not isinstance(r, numbers.Real) or not (-1.0 <= float(r) <= 1.0):
        raise ValueError(f"{name} must be a correlation in [-1, 1]; got {name}={r!r}.")
    return float(r)


def _check_u(u, name="u") -> float:
    if isinstance(u, bool) or not isinstance(u, numbers.Real) or not math.isfinite(u) or not (0.0 < u <= 1.0):
        raise ValueError(
            f"{name} must be in (0, 1]: the SD of the predictor among those selected divided by its SD in the "
            f"applicant pool; got {name}={u!r}. A value above 1 means the selected group is more variable than "
            "the applicants (no range restriction): check that numerator and denominator are not swapped."
        )
    return float(u)


def _check_rel(v, name) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or not (0.0 < v <= 1.0):
        raise ValueError(f"{name} must be a reliability in (0, 1]; got {name}={v!r}.")
    return float(v)


def _case_ii(r: float, u: float) -> float:
    d = u * u + r * r * (1.0 - u * u)
    return r / math.sqrt(d) if d > 0 else math.nan


def _as_list(cols, name) -> list:
    if isinstance(cols, str):
        return [cols]
    try:
        out = list(cols)
    except TypeError:
        raise TypeError(f"{name} must be a column name or a list of column names; got {cols!r}.") from None
    if not out:
        raise ValueError(f"{name} must name at least one column; got an empty list.")
    return out


def _numeric_column(df: pd.DataFrame, col, param: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(s):
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna() & s.notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            lab = plain(df.index[pos])
            raise TypeError(
                f"{param} column {col!r} is not numeric: row {lab!r} holds {plain(s.iloc[pos])!r}. "
                "Recode it as numbers (NaN for missing)."
            )
        s = conv
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(arr).any():
        pos = int(np.flatnonzero(np.isinf(arr))[0])
        raise ValueError(
            f"{param} column {col!r} holds an infinite value at row {plain(df.index[pos])!r}. Use NaN or a number."
        )
    return arr


# ----------------------------------------------------------------------------------------------
# corrections
# ----------------------------------------------------------------------------------------------
def correct_attenuation(r, *, rxx=None, ryy=None) -> float:
    r"""Correct a correlation for measurement error (Spearman 1904).

    .. math::

        \rho = \frac{r_{xy}}{\sqrt{r_{xx}\, r_{yy}}}

    Pass only ``ryy`` for the operational validity of a predictor (criterion
    unreliability corrected, the predictor used as it is).

    Parameters
    ----------
    r : float
        Observed correlation.
    rxx, ryy : float, optional
        Reliabilities of ``x`` and ``y`` in (0, 1]; at least one is needed.

    Returns
    -------
    float
        The corrected correlation.  It can exceed 1 in absolute value when the
        reliabilities are underestimated (or the correlation overestimated); it
        is then returned as computed, not clipped, with a warning.

    Warns
    -----
    UserWarning
        When the corrected correlation lies outside [-1, 1]: it is not a
        correlation and should not be reported as one.

    Notes
    -----
    Matches ``psychmeta::correct_r(correction = "meas")`` (``rtp`` column) and
    ``psych::correct.cor``.

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two
    things. *American Journal of Psychology, 15*, 72-101.

    Examples
    --------
    >>> from psikometri.validity import correct_attenuation
    >>> round(correct_attenuation(0.30, ryy=0.52), 4)
    0.416
    """
    value = _attenuation(r, rxx, ryy)
    if abs(value) > 1.0:
        given = ", ".join(f"{k}={v!r}" for k, v in (("rxx", rxx), ("ryy", ryy)) if v is not None)
        warnings.warn(
            f"correct_attenuation: the corrected correlation {value:.3f} lies outside [-1, 1], so it is not a "
            f"correlation: r={r!r} is too large for the reliabilities {given} (sqrt of their product "
            f"{r / value:.3f} < |r|). The reliabilities are probably underestimated (or r is "
            "overestimated); check them before reporting a corrected validity.",
            UserWarning,
            stacklevel=2,
        )
    return value


def _attenuation(r, rxx, ryy) -> float:
    """``r / sqrt(rxx ryy)`` after checking the inputs (no warning: meta-analysis corrects study by study)."""
    r = _check_r(r)
    if rxx is None and ryy is None:
        raise ValueError("correct_attenuation needs rxx, ryy or both; got neither. Pass e.g. ryy=0.52.")
    a = 1.0
    if rxx is not None:
        a *= _check_rel(rxx, "rxx")
    if ryy is not None:
        a *= _check_rel(ryy, "ryy")
    return r / math.sqrt(a)


def correct_range_restriction(
    r,
    *,
    u,
    case: str = "II",
    rxxa=None,
    ryyi=None,
    true_score: bool = False,
    rxz=None,
    ryz=None,
    uy=None,
    sign_xz: int = 1,
    sign_yz: int = 1,
) -> float:
    r"""Correct a validity coefficient for range restriction.

    ``u`` is the SD of the predictor (or of the selection variable in Case III)
    among those selected divided by its SD in the applicant pool, and
    :math:`U = 1/u`.

    **Case I** (Thorndike 1949; explicit selection on the criterion, e.g. only
    incumbents with a good performance rating stay in the sample, while ``u``
    is the ratio of the *predictor's* SDs, selected / applicants): the
    variance of the predictor around its regression on the criterion is the
    same in both groups, :math:`u^2(1-r^2) = 1-\rho^2`, so

    .. math::

        \rho_{XYa} = \operatorname{sign}(r)\sqrt{1 - u^2(1 - r^2)}

    **Case II** (Thorndike 1949; direct selection on the predictor):

    .. math::

        \rho_{XYa} = \frac{r}{\sqrt{u^2 + r^2(1-u^2)}}

    With ``ryyi`` the criterion is first corrected for unreliability among the
    incumbents (:math:`r/\sqrt{r_{yyi}}`), giving the operational validity;
    ``true_score=True`` further divides by :math:`\sqrt{r_{xxa}}`.

    **Case III** (Thorndike 1949; selection on a third variable :math:`z` with
    ratio ``u``, correlations ``rxz`` and ``ryz`` among the selected):

    .. math::

        \rho_{XYa} = \frac{r + r_{xz} r_{yz}(U^2-1)}
            {\sqrt{[1 + r_{xz}^2 (U^2-1)][1 + r_{yz}^2 (U^2-1)]}}

    **Case IV** (Hunter, Schmidt & Le 2006; indirect selection, needs ``rxxa``
    and ``ryyi``):

    .. math::

        r_{xxi} = 1 - \frac{1 - r_{xxa}}{u^2},\quad
        u_T = \sqrt{\frac{u^2 - (1 - r_{xxa})}{r_{xxa}}},\quad
        \rho_{TPi} = \frac{r}{\sqrt{r_{xxi}\, r_{yyi}}},

        \rho_{TPa} = \frac{\rho_{TPi}}{\sqrt{u_T^2 + \rho_{TPi}^2 (1-u_T^2)}},\qquad
        \rho_{XPa} = \rho_{TPa}\sqrt{r_{xxa}}

    and the function returns the operational validity :math:`\rho_{XPa}`, or
    the true-score correlation :math:`\rho_{TPa}` with ``true_score=True``.

    **Bivariate indirect** ``case="bvirr"`` (Dahlke & Wiernik 2020; selection
    on an unmeasured variable related to both predictor and criterion, ``u``
    and ``uy`` the observed-score ratios of predictor and criterion):

    .. math::

        \rho_{XYa} = r\, u_X u_Y + \lambda \sqrt{|1-u_X^2|\,|1-u_Y^2|},\qquad
        \lambda = \mathrm{sign}(r_{XZ}\, r_{YZ})

    (for :math:`u_X, u_Y \le 1`).  With ``ryyi`` the result is divided by
    :math:`\sqrt{r_{yya}}`, :math:`r_{yya} = 1 - u_Y^2(1 - r_{yyi})` (the
    operational validity), and with ``true_score=True`` also by
    :math:`\sqrt{r_{xxa}}`.

    Parameters
    ----------
    r : float
        Correlation observed among the selected.
    u : float
        Ratio in (0, 1] (of the predictor; of the selection variable in Case III).
        In Case I the selection is on the criterion and ``u`` is the ratio of
        the predictor, the variable not selected on.
    case : {"II", "I", "III", "IV", "bvirr"}
    rxxa : float, optional
        Predictor reliability in the applicant pool (Case IV; ``true_score``).
    ryyi : float, optional
        Criterion reliability among the incumbents (Case IV; optional for II and bvirr).
    true_score : bool
        Return the true-score correlation instead of the operational validity.
    rxz, ryz : float
        Case III: correlations of predictor and criterion with the selection
        variable among the selected.
    uy : float
        ``bvirr``: ratio of the criterion's SDs (selected / applicants).
    sign_xz, sign_yz : {1, -1}
        ``bvirr``: signs of the predictor's and criterion's relations to the
        selection mechanism.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``u`` (or ``uy``) outside (0, 1], a reliability outside (0, 1], a
        missing parameter of the chosen case, or Case IV values for which
        :math:`u^2 \le 1 - r_{xxa}` (the observed variance among incumbents
        would be smaller than the applicants' error variance).

    Notes
    -----
    Case I matches ``psych::rangeCorrection(r, sdu, sdr, case = 1)`` with
    ``u = sdr/sdu`` (the SDs of the variable not selected on) for
    :math:`r \ge 0`; for a negative ``r`` psych returns the positive root and
    this function keeps the sign of ``r`` (at :math:`r = 0` the corrected
    value :math:`\sqrt{1-u^2}` is returned positive; its sign is not
    identified by the data).  Like Case III it corrects
    observed-score correlations only (``ryyi`` and ``true_score`` are errors).
    Case II matches ``psych::rangeCorrection(r, sdu, sdr)`` with ``u = sdr/sdu``;
    the bivariate indirect correction with both ``u`` below 1 matches
    ``psych::rangeCorrection(r, sdu, sdr, sdxu, sdxr)`` (its "case 4") and
    ``psychmeta::correct_r(correction = "bvirr")``; Case IV follows the steps of
    Hunter, Schmidt & Le (2006) as in
    ``psychmeta::correct_r(correction = "uvirr_x", rxx_restricted = FALSE)``
    (columns ``rxpa`` and ``rtpa``).

    References
    ----------
    Thorndike, R. L. (1949). *Personnel selection*. Wiley.

    Hunter, J. E., Schmidt, F. L., & Le, H. (2006). Implications of direct and
    indirect range restriction for meta-analysis methods and findings. *Journal
    of Applied Psychology, 91*(3), 594-612.

    Dahlke, J. A., & Wiernik, B. M. (2020). Not restricted to selection
    research: Accounting for indirect range restriction in organizational
    research. *Organizational Research Methods, 23*(4), 717-749.

    Examples
    --------
    >>> from psikometri.validity import correct_range_restriction
    >>> round(correct_range_restriction(0.25, u=0.6), 4)
    0.3953
    >>> round(correct_range_restriction(0.25, u=0.6, case="IV", rxxa=0.8, ryyi=0.6), 4)
    0.6956
    >>> round(correct_range_restriction(0.25, u=0.6, case="I"), 4)
    0.8139
    """
    r = _check_r(r)
    case = check_choice(case, ("II", "I", "III", "IV", "bvirr"), "case")
    u = _check_u(u)
    if not isinstance(true_score, (bool, np.bool_)):
        raise TypeError(f"true_score must be True or False; got true_score={true_score!r}.")
    if rxxa is not None:
        rxxa = _check_rel(rxxa, "rxxa")
    if ryyi is not None:
        ryyi = _check_rel(ryyi, "ryyi")
    if true_score and rxxa is None:
        raise ValueError("true_score=True needs rxxa, the predictor's reliability in the applicant pool.")

    if case == "II":
        rr = r / math.sqrt(ryyi) if ryyi is not None else r
        out = _case_ii(rr, u)
        return out / math.sqrt(rxxa) if true_score else out

    if case == "I":
        if ryyi is not None or true_score:
            raise ValueError(
                "case='I' corrects observed-score correlations only; drop ryyi/true_score and correct the "
                "result for unreliability with correct_attenuation."
            )
        out = math.sqrt(1.0 - u * u * (1.0 - r * r))
        return -out if r < 0.0 else out

    if case == "III":
        if rxz is None or ryz is None:
            raise ValueError(
                "case='III' needs rxz and ryz, the correlations of the predictor and of the criterion with the "
                "selection variable among those selected (u is then the selection variable's SD ratio)."
            )
        if ryyi is not None or true_score:
            raise ValueError(
                "case='III' corrects observed-score correlations only; drop ryyi/true_score and correct the "
                "result for unreliability with correct_attenuation."
            )
        rxz = _check_r(rxz, "rxz")
        ryz = _check_r(ryz, "ryz")
        k = 1.0 / (u * u) - 1.0
        den = (1.0 + rxz * rxz * k) * (1.0 + ryz * ryz * k)
        return (r + rxz * ryz * k) / math.sqrt(den)

    if case == "IV":
        if rxxa is None or ryyi is None:
            raise ValueError(
                "case='IV' (Hunter, Schmidt & Le 2006) needs rxxa (predictor reliability among applicants) and "
                "ryyi (criterion reliability among incumbents); pass both, e.g. rxxa=0.8, ryyi=0.6."
            )
        rxxi = 1.0 - (1.0 - rxxa) / (u * u)
        ut2 = (u * u - (1.0 - rxxa)) / rxxa
        if rxxi <= 0.0 or ut2 <= 0.0:
            raise ValueError(
                f"case='IV' is undefined for u={u!r} and rxxa={rxxa!r}: u**2 must exceed 1 - rxxa = {1 - rxxa:.4g} "
                "(otherwise the predictor's reliability among incumbents, 1 - (1 - rxxa)/u**2, is not positive). "
                "Check u and rxxa."
            )
        rtpi = r / math.sqrt(rxxi * ryyi)
        if abs(rtpi) > 1.0:
            raise ValueError(
                f"case='IV': the true-score correlation among incumbents r/sqrt(rxxi*ryyi) = {rtpi:.4g} exceeds 1 "
                f"in absolute value (r={r}, rxxi={rxxi:.4g}, ryyi={ryyi}); the reliabilities are too low for this r."
            )
        rtpa = _case_ii(rtpi, math.sqrt(ut2))
        return rtpa if true_score else rtpa * math.sqrt(rxxa)

    # bivariate indirect
    if uy is None:
        raise ValueError("case='bvirr' needs uy, the criterion's SD among those selected / among applicants.")
    uy = _check_u(uy, "uy")
    for nm, s in (("sign_xz", sign_xz), ("sign_yz", sign_yz)):
        if s not in (1, -1) or isinstance(s, bool):
            raise ValueError(f"{nm} must be 1 or -1; got {nm}={s!r}.")
    lam = float(sign_xz * sign_yz)
    rxya = r * u * uy + lam * math.sqrt(abs(1.0 - u * u) * abs(1.0 - uy * uy))
    out = rxya
    if ryyi is not None:
        ryya = 1.0 - uy * uy * (1.0 - ryyi)
        out = out / math.sqrt(ryya)
    if true_score:
        out = out / math.sqrt(rxxa)
    return out


# ----------------------------------------------------------------------------------------------
# validity study with a bootstrap of the whole chain
# ----------------------------------------------------------------------------------------------
def _validity_point(x, y, obs, u_mode, u_fixed, applicant_sd):
    """Point estimates from the original data (plain numpy; the kernel does the same per replicate)."""
    xs, ys = x[obs], y[obs]
    r = float(np.corrcoef(xs, ys)[0, 1])
    sd_sel = float(np.std(xs, ddof=1))
    if u_mode == 0:
        u = u_fixed
    elif u_mode == 1:
        u = sd_sel / applicant_sd
    else:
        u = sd_sel / float(np.std(x, ddof=1))
    return r, u


@validates_seed
@single_threaded_blas
def validity_study(
    data,
    *,
    predictor: str,
    criterion: str,
    rxxa=None,
    ryyi=None,
    u=None,
    applicant_sd=None,
    case: str = "IV",
    n_boot: int = 5000,
    seed=None,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Observed and corrected predictive validity of one study, with bootstrap intervals.

    The four rows are

    ``observed``
        :math:`r_{xy}` among those whose criterion is observed (the selected).
    ``corrected_criterion``
        :math:`r_{xy}/\sqrt{r_{yyi}}`, criterion unreliability corrected, still
        range-restricted.
    ``corrected_range_restriction``
        The observed-score correlation in the applicant pool.  Case II:
        Thorndike's formula on :math:`r_{xy}`.  Case IV: :math:`\rho_{TPa}
        \sqrt{r_{xxa}\, r_{yya}}`, where :math:`r_{yya} = 1/[1 + v_{Pi}(1 -
        r_{yyi})/r_{yyi}]` and :math:`v_{Pi} = 1 - \rho_{TPa}^2 (1 - u_T^2)` is the
        incumbents' true-criterion variance implied by selection on the
        predictor's true score (Hunter, Schmidt & Le 2006).
    ``operational``
        The operational validity :math:`\rho_{XPa}` (range restriction and
        criterion unreliability corrected; the predictor used as it is), see
        :func:`correct_range_restriction`.

    ``u`` is taken, in order of preference, from ``u`` (a number), from
    ``applicant_sd`` (``u = SD(predictor | criterion observed) / applicant_sd``)
    or, when ``data`` holds the whole applicant pool with the criterion missing
    (NaN) for those not selected, as ``SD(predictor | criterion observed) /
    SD(predictor over all rows)``.

    The bootstrap resamples rows (candidates) of ``data`` - the whole applicant
    pool when it is there, so that the number selected varies from replicate to
    replicate - and in each replicate recomputes the observed correlation among
    the selected, re-estimates ``u`` from the same resample (unless ``u`` is
    fixed) and applies the corrections; the intervals are percentile intervals
    of these replicates, so the uncertainty of ``u`` is carried into the
    corrected coefficients.  ``rxxa`` and ``ryyi`` are treated as known
    constants.

    Parameters
    ----------
    data : DataFrame
        One row per candidate.
    predictor, criterion : str
        Column names.  The criterion may be NaN (not selected); rows with a
        missing predictor are dropped.
    rxxa : float, optional
        Predictor reliability in the applicant pool (required for Case IV).
    ryyi : float, optional
        Criterion reliability among incumbents (required for Case IV; without it
        Case II gives NaN in the rows that need it).
    u, applicant_sd : float, optional
        See above.
    case : {"IV", "II"}
        Indirect (default: selection was on the overall assessment and other
        information, not on this predictor alone) or direct range restriction.
    n_boot : int
        Bootstrap replicates (0 for none).
    seed : int, optional
        Seed: the same seed gives the same intervals whatever the number of threads.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Index ``observed, corrected_criterion, corrected_range_restriction,
        operational``; columns ``r, ci_low, ci_high, n`` (``n`` is the number
        of selected candidates the correlation rests on).  ``.attrs`` holds
        ``u`` (and its interval), ``n_applicants``, ``case``, ``n_boot``,
        ``n_invalid_replicates`` and ``notes``.

    Raises
    ------
    ValueError
        Reliabilities or ``u`` outside (0, 1], fewer than 5 selected candidates,
        ``u`` impossible to obtain, or an estimated ``u`` above 1.

    Notes
    -----
    The point estimates equal :func:`correct_range_restriction` applied to the
    observed ``r`` and ``u``.  The bootstrap is a numba kernel (prange over
    replicates): 5,000 resamples of 2,091 candidates take about 0.1-0.2 s on two cores after compilation.

    References
    ----------
    Hunter, J. E., Schmidt, F. L., & Le, H. (2006). *Journal of Applied
    Psychology, 91*(3), 594-612.

    Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*,
    ch. 13. Chapman & Hall.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psikometri.validity import validity_study
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=600)
    >>> y = 0.5 * x + rng.normal(size=600)
    >>> y[x < np.quantile(x, 0.6)] = np.nan          # only the top 40% were hired
    >>> res = validity_study(pd.DataFrame({"ac": x, "kinerja": y}), predictor="ac",
    ...                      criterion="kinerja", case="II", n_boot=500, seed=1)
    >>> list(res.index)
    ['observed', 'corrected_criterion', 'corrected_range_restriction', 'operational']
    >>> bool(res.loc["corrected_range_restriction", "r"] > res.loc["observed", "r"])
    True
    """
    from . import _validity_kernels as K

    df = check_dataframe(data)
    check_columns(df, [predictor, criterion])
    case = check_choice(case, ("IV", "II"), "case")
    level = check_level(level)
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(f"n_boot must be an integer >= 0; got n_boot={n_boot!r}. Use e.g. n_boot=5000.")
    n_boot = int(n_boot)
    rxxa = _check_rel(rxxa, "rxxa") if rxxa is not None else None
    ryyi = _check_rel(ryyi, "ryyi") if ryyi is not None else None
    if case == "IV" and (rxxa is None or ryyi is None):
        raise ValueError(
            "case='IV' needs rxxa (predictor reliability in the applicant pool) and ryyi (criterion reliability "
            "among incumbents), e.g. rxxa=0.85, ryyi=0.60; or use case='II' for direct selection on the predictor."
        )
    x = _numeric_column(df, predictor, "data")
    y = _numeric_column(df, criterion, "data")
    notes = []
    keep = ~np.isnan(x)
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} row(s) with a missing predictor were dropped")
    x, y = x[keep], y[keep]
    obs = ~np.isnan(y)
    n_sel = int(obs.sum())
    if n_sel < _MIN_SELECTED:
        raise ValueError(
            f"too few selected candidates to estimate validity: {n_sel} row(s) have both {predictor!r} and "
            f"{criterion!r}; at least {_MIN_SELECTED} are needed. Pool more cohorts or agencies (see meta_analysis)."
        )
    if np.std(x[obs]) == 0 or np.std(y[obs]) == 0:
        raise ValueError(
            f"{predictor!r} or {criterion!r} is constant among the selected candidates; the correlation is undefined."
        )
    if u is not None:
        u_mode, u_fixed, app_sd = K.U_FIXED, _check_u(u), math.nan
        if applicant_sd is not None:
            raise ValueError("pass either u or applicant_sd, not both.")
    elif applicant_sd is not None:
        app_sd = check_real(applicant_sd, "applicant_sd")
        if app_sd <= 0:
            raise ValueError(f"applicant_sd must be positive; got applicant_sd={applicant_sd!r}.")
        u_mode, u_fixed = K.U_APPLICANT_SD, math.nan
    elif n_sel < x.size:
        u_mode, u_fixed, app_sd = K.U_POOL, math.nan, math.nan
    else:
        raise ValueError(
            f"cannot obtain u: every row has {criterion!r} observed, so data does not hold the unselected "
            "applicants. Pass u= (SD among selected / SD among applicants), applicant_sd=, or include all "
            "applicants with the criterion missing (NaN) for those not selected."
        )
    case_code = K.CASE_IV if case == "IV" else K.CASE_II
    r_obs, u_hat = _validity_point(x, y, obs, u_mode, u_fixed, app_sd)
    if not (0.0 < u_hat <= 1.0):
        raise ValueError(
            f"the estimated u = {u_hat:.4f} is not in (0, 1]: the predictor varies more among the selected than "
            "in the applicant pool, so there is no range restriction to correct. Report the observed validity, "
            "or check applicant_sd."
        )
    ryy_k = ryyi if ryyi is not None else math.nan
    rxx_k = rxxa if rxxa is not None else 1.0
    if case == "IV":
        try:
            correct_range_restriction(r_obs, u=u_hat, case="IV", rxxa=rxxa, ryyi=ryyi)
        except ValueError as exc:
            raise ValueError(f"validity_study: {exc}") from None
    point = K.correction_chain.py_func(r_obs, u_hat, rxx_k, ryy_k, case_code)
    if ryyi is None:
        notes.append("ryyi not given: rows corrected for criterion unreliability are NaN")

    ci = np.full((4, 2), np.nan)
    u_ci = (math.nan, math.nan)
    n_bad = 0
    if n_boot > 0:
        xc = np.ascontiguousarray(x - x[obs].mean())
        yc = np.ascontiguousarray(np.where(obs, y - y[obs].mean(), 0.0))
        obs_c = np.ascontiguousarray(obs)
        out = K.empty_out(n_boot)
        K.validity_bootstrap_kernel(
            xc, yc, obs_c, np.uint64(resolve_seed(seed)), n_boot, u_mode, float(u_fixed),
            float(app_sd) if app_sd == app_sd else math.nan, float(rxx_k), float(ryy_k), case_code, out,
        )
        for k in range(4):
            if math.isfinite(point[k]):
                ci[k] = percentile_interval(out[:, k], level)
        u_ci = percentile_interval(out[:, 5], level) if u_mode != K.U_FIXED else (math.nan, math.nan)
        last = 3 if ryyi is not None else 2
        n_bad = int(np.sum(~np.isfinite(out[:, last])))
        if n_bad:
            notes.append(
                f"{n_bad} of {n_boot} bootstrap replicates gave an undefined corrected value and were left out"
            )
    res = pd.DataFrame(
        {"r": np.asarray(point, dtype=float), "ci_low": ci[:, 0], "ci_high": ci[:, 1], "n": n_sel},
        index=pd.Index(["observed", "corrected_criterion", "corrected_range_restriction", "operational"]),
    )
    res.attrs.update({
        "u": float(u_hat), "u_ci": tuple(map(float, u_ci)),
        "u_source": {0: "given", 1: "applicant_sd", 2: "estimated from the applicant pool"}[u_mode],
        "n_applicants": int(x.size) if u_mode == K.U_POOL else None,
        "case": case, "rxxa": rxxa, "ryyi": ryyi, "n_boot": n_boot, "level": level,
        "ci_method": "percentile bootstrap of the whole correction chain" if n_boot else None,
        "n_invalid_replicates": n_bad, "notes": "; ".join(notes),
    })
    return res


# ----------------------------------------------------------------------------------------------
# incremental validity
# ----------------------------------------------------------------------------------------------
def _fmt(x, d=3):
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "NaN" if math.isnan(xf) else f"{xf:.{d}f}"


def _df_html(title: str, frames: list[tuple[str, pd.DataFrame]], lines: list[str]) -> str:
    parts = [f"<div class='psikometri-result'><b>{html.escape(title)}</b>"]
    for ln in lines:
        parts.append(f"<div>{html.escape(ln)}</div>")
    for cap, fr in frames:
        parts.append(f"<div><i>{html.escape(cap)}</i></div>" + fr.to_html(float_format=lambda v: f"{v:.4f}"))
    parts.append("</div>")
    return "".join(parts)


@dataclass(frozen=True)
class IncrementalValidityResult:
    """Result of :func:`incremental_validity`.

    Attributes
    ----------
    model : str
        ``"ols"`` or ``"logit"``.
    steps : DataFrame
        One row per step (``base``, ``full``) with the predictors, ``n`` and
        ``r2``/``adj_r2`` (OLS) or ``pseudo_r2`` (McFadden), ``log_lik`` and
        ``auc`` (logistic).
    delta : float
        Delta R\\ :sup:`2` (OLS) or Delta pseudo-R\\ :sup:`2` (logistic).
    delta_ci : tuple
        Percentile bootstrap interval of ``delta``.
    statistic, df1, df2, p_value : float
        F test of Delta R\\ :sup:`2` (OLS; ``df2`` the residual df of the full
        model) or likelihood-ratio chi-square test (logistic; ``df2`` NaN).
    delta_auc, delta_auc_ci : float, tuple
        Gain in AUC and its bootstrap interval (logistic; NaN for OLS).
    coefficients : DataFrame
        Full model's coefficients (``coef, se, stat, p``).
    """

    model: str
    steps: pd.DataFrame
    delta: float
    delta_ci: tuple
    statistic: float
    df1: float
    df2: float
    p_value: float
    delta_auc: float
    delta_auc_ci: tuple
    coefficients: pd.DataFrame
    n: int
    level: float = 0.95
    n_boot: int = 0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _lines(self) -> list[str]:
        lvl = int(round(self.level * 100))
        if self.model == "ols":
            lines = [
                f"Delta R2 = {_fmt(self.delta, 4)}, {lvl}% CI [{_fmt(self.delta_ci[0], 4)}, "
                f"{_fmt(self.delta_ci[1], 4)}] (bootstrap, {self.n_boot})",
                f"F({int(self.df1)}, {int(self.df2)}) = {_fmt(self.statistic, 3)}, p = {self.p_value:.4g}",
            ]
        else:
            lines = [
                f"Delta pseudo-R2 (McFadden) = {_fmt(self.delta, 4)}, {lvl}% CI [{_fmt(self.delta_ci[0], 4)}, "
                f"{_fmt(self.delta_ci[1], 4)}]",
                f"Delta AUC = {_fmt(self.delta_auc, 4)}, {lvl}% CI [{_fmt(self.delta_auc_ci[0], 4)}, "
                f"{_fmt(self.delta_auc_ci[1], 4)}]",
                f"LR chi2({int(self.df1)}) = {_fmt(self.statistic, 3)}, p = {self.p_value:.4g}",
            ]
        lines.append(f"n = {self.n}")
        if self.note:
            lines.append(f"note: {self.note}")
        return lines

    def summary(self) -> str:
        """Text summary: the steps table and the test of the increment."""
        head = f"Incremental validity ({'hierarchical OLS' if self.model == 'ols' else 'hierarchical logistic'})"
        return "\n".join([head, "=" * len(head), self.steps.to_string(), "", *self._lines(), "",
                          "Full model coefficients", self.coefficients.to_string()])

    def __repr__(self) -> str:
        return f"IncrementalValidityResult(model={self.model!r}, " + "; ".join(self._lines()[:2]) + ")"

    def _repr_html_(self) -> str:
        return _df_html("Incremental validity", [("steps", self.steps), ("full model", self.coefficients)],
                        self._lines())


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve = Mann-Whitney U / (n1 n0), ties counted one half."""
    pos = y == 1
    n1 = int(pos.sum())
    n0 = y.size - n1
    if n1 == 0 or n0 == 0:
        return math.nan
    ranks = stats.rankdata(score)
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def _logit_fit(X: np.ndarray, y: np.ndarray, iters: int = 50):
    """Newton-Raphson logistic regression (X includes the constant); returns (beta, loglik) or None."""
    beta = np.zeros(X.shape[1])
    ll_old = -np.inf
    for _ in range(iters):
        eta = X @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = p * (1.0 - p)
        grad = X.T @ (y - p)
        hess = (X * w[:, None]).T @ X
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        eta = X @ beta
        ll = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
        if abs(ll - ll_old) < 1e-10:
            break
        ll_old = ll
    if not np.all(np.isfinite(beta)):
        return None
    return beta, ll


@validates_seed
@single_threaded_blas
def _ols_r2_boot(X: np.ndarray, y: np.ndarray, idx: np.ndarray, block: int = 256) -> np.ndarray:
    """R-squared of the least-squares fit of ``y`` on ``X`` in every resample ``idx[b]`` (NaN where y is constant).

    The residuals come from a thin QR factorisation of all resamples at once (``numpy.linalg.qr`` on the stack
    of resampled design matrices), :math:`e = y - Q Q^\top y`; a resample whose design is rank-deficient in
    the sense of ``numpy.linalg.lstsq(rcond=None)`` (a predictor constant in it) is fitted by ``lstsq``, whose
    minimum-norm solution has the same residuals.  Equal to the per-resample ``lstsq`` loop to rounding
    (tests/test_validity.py).
    """
    B, n = idx.shape
    k = X.shape[1]
    out = np.empty(B)
    for lo in range(0, B, block):
        ii = idx[lo:lo + block]
        Xb = X[ii]
        yb = y[ii]
        tss = ((yb - yb.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        Q, R = np.linalg.qr(Xb)
        res = yb - np.einsum("bnk,bk->bn", Q, np.einsum("bnk,bn->bk", Q, yb))
        rss = (res**2).sum(axis=1)
        # lstsq's rank: singular values above eps * max(n, k) * the largest; |diag R| bounds them (checked as
        # a ratio with a safety factor, so that near-deficient designs go to lstsq as well)
        d = np.abs(np.diagonal(R, axis1=1, axis2=2))
        doubtful = d.min(axis=1) <= 1e3 * np.finfo(float).eps * max(n, k) * d.max(axis=1)
        for j in np.flatnonzero(doubtful):
            beta, *_ = np.linalg.lstsq(Xb[j], yb[j], rcond=None)
            rss[j] = np.sum((yb[j] - Xb[j] @ beta) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[lo:lo + block] = np.where(tss > 0, 1.0 - rss / tss, np.nan)
    return out


def incremental_validity(
    data,
    *,
    criterion: str,
    base,
    added,
    model: str = "auto",
    n_boot: int = 2000,
    seed=None,
    level: float = 0.95,
) -> IncrementalValidityResult:
    r"""Does the assessment add to a cheaper predictor?  Hierarchical regression.

    Step 1 regresses the criterion on ``base`` (e.g. the psychological test),
    step 2 on ``base + added`` (e.g. the overall assessment rating).

    *OLS* (statsmodels): :math:`\Delta R^2 = R^2_2 - R^2_1`, tested with

    .. math::

        F = \frac{\Delta R^2 / q}{(1 - R^2_2)/(n - k_2 - 1)} \sim F(q,\, n - k_2 - 1)

    (``q`` added predictors, ``k_2`` predictors in step 2).

    *Logistic* (binary criterion such as *promoted*; statsmodels ``Logit``):
    the likelihood-ratio test :math:`2(\ell_2 - \ell_1) \sim \chi^2_q`,
    McFadden's pseudo-:math:`R^2 = 1 - \ell/\ell_0` of each step and its
    increase, and the area under the ROC curve of each step's predicted
    probabilities.

    Intervals for the increments are percentile bootstraps over rows (both
    steps refitted on each resample).

    Parameters
    ----------
    data : DataFrame
    criterion : str
    base, added : str or list of str
        Predictors of step 1, and those added in step 2.
    model : {"auto", "ols", "logit"}
        ``"auto"``: logistic when the criterion takes only the values 0 and 1.
    n_boot : int
        Bootstrap replicates (0 for none).
    seed : int, optional
    level : float

    Returns
    -------
    IncrementalValidityResult

    Notes
    -----
    Rows with a missing value in any used column are dropped (listwise).  The F
    test matches R's ``anova(lm(y ~ base), lm(y ~ base + added))`` and the LR
    test ``anova(glm1, glm2, test = "Chisq")``.

    References
    ----------
    Cohen, J., Cohen, P., West, S. G., & Aiken, L. S. (2003). *Applied multiple
    regression/correlation analysis for the behavioral sciences* (3rd ed.),
    ch. 5. Erlbaum.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psikometri.validity import incremental_validity
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"tes": rng.normal(size=300)})
    >>> d["ac"] = 0.4 * d["tes"] + rng.normal(size=300)
    >>> d["kinerja"] = 0.3 * d["tes"] + 0.3 * d["ac"] + rng.normal(size=300)
    >>> res = incremental_validity(d, criterion="kinerja", base="tes", added="ac", n_boot=200, seed=1)
    >>> bool(res.delta > 0 and res.p_value < 0.05)
    True
    """
    import statsmodels.api as sm

    df = check_dataframe(data)
    base = _as_list(base, "base")
    added = _as_list(added, "added")
    overlap = set(base) & set(added)
    if overlap:
        raise ValueError(f"base and added share column(s) {sorted(overlap)}; each predictor belongs to one step.")
    if criterion in base or criterion in added:
        raise ValueError(f"criterion {criterion!r} is also listed as a predictor.")
    cols = [criterion, *base, *added]
    check_columns(df, cols)
    model = check_choice(model, ("auto", "ols", "logit"), "model")
    level = check_level(level)
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(f"n_boot must be an integer >= 0; got n_boot={n_boot!r}.")
    arr = np.column_stack([_numeric_column(df, c, "data") for c in cols])
    ok = ~np.isnan(arr).any(axis=1)
    arr = arr[ok]
    notes = []
    if (~ok).any():
        notes.append(f"{int((~ok).sum())} row(s) with missing values dropped (listwise)")
    y = arr[:, 0]
    n = y.size
    k1, k2 = len(base), len(base) + len(added)
    if n < k2 + 3:
        raise ValueError(f"too few complete rows ({n}) for {k2} predictors; at least {k2 + 3} are needed.")
    binary = bool(np.all((y == 0) | (y == 1)))
    if model == "auto":
        model = "logit" if binary else "ols"
    if model == "logit" and not binary:
        raise ValueError(f"model='logit' needs a 0/1 criterion; {criterion!r} takes other values.")
    X1 = np.column_stack([np.ones(n), arr[:, 1:1 + k1]])
    X2 = np.column_stack([np.ones(n), arr[:, 1:1 + k2]])
    for X, nm in ((X2, "full"),):
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise ValueError(f"the predictors of the {nm} model are collinear (or one is constant); drop one.")
    names1 = ["const", *base]
    names2 = ["const", *base, *added]
    alpha = level
    rng_seed = resolve_seed(seed)
    if model == "ols":
        f1 = sm.OLS(y, X1).fit()
        f2 = sm.OLS(y, X2).fit()
        delta = float(f2.rsquared - f1.rsquared)
        F, p, _ = f2.compare_f_test(f1)
        df1, df2 = float(k2 - k1), float(f2.df_resid)
        steps = pd.DataFrame(
            {"predictors": [", ".join(base), ", ".join(base + added)], "n": n,
             "r2": [f1.rsquared, f2.rsquared], "adj_r2": [f1.rsquared_adj, f2.rsquared_adj]},
            index=pd.Index(["base", "full"], name="step"))
        coefs = pd.DataFrame({"coef": f2.params, "se": f2.bse, "stat": f2.tvalues, "p": f2.pvalues},
                             index=pd.Index(names2))
        delta_ci = (math.nan, math.nan)
        if n_boot:
            idx = bootstrap_indices(n, n_boot, rng_seed)
            boot = _ols_r2_boot(X2, y, idx) - _ols_r2_boot(X1, y, idx)
            delta_ci = percentile_interval(boot, alpha)
        return IncrementalValidityResult(
            model="ols", steps=steps, delta=delta, delta_ci=delta_ci, statistic=float(F), df1=df1, df2=df2,
            p_value=float(p), delta_auc=math.nan, delta_auc_ci=(math.nan, math.nan), coefficients=coefs, n=n,
            level=level, n_boot=int(n_boot), note="; ".join(notes))

    # logistic
    try:
        f1 = sm.Logit(y, X1).fit(disp=0, maxiter=200)
        f2 = sm.Logit(y, X2).fit(disp=0, maxiter=200)
    except Exception as exc:  # perfect separation and similar
        raise ValueError(f"the logistic regression could not be fitted ({exc}); check for perfect separation.") \
            from None
    lr = float(2.0 * (f2.llf - f1.llf))
    df1 = float(k2 - k1)
    p = float(stats.chi2.sf(lr, df1))
    auc1, auc2 = _auc(y, X1 @ f1.params), _auc(y, X2 @ f2.params)
    steps = pd.DataFrame(
        {"predictors": [", ".join(base), ", ".join(base + added)], "n": n,
         "pseudo_r2": [f1.prsquared, f2.prsquared], "log_lik": [f1.llf, f2.llf], "auc": [auc1, auc2]},
        index=pd.Index(["base", "full"], name="step"))
    coefs = pd.DataFrame({"coef": f2.params, "se": f2.bse, "stat": f2.tvalues, "p": f2.pvalues},
                         index=pd.Index(names2))
    delta = float(f2.prsquared - f1.prsquared)
    delta_ci = delta_auc_ci = (math.nan, math.nan)
    n_fail = 0
    if n_boot:
        idx = bootstrap_indices(n, n_boot, rng_seed)
        bd = np.full(n_boot, np.nan)
        ba = np.full(n_boot, np.nan)
        for b in range(n_boot):
            ii = idx[b]
            yb = y[ii]
            pbar = yb.mean()
            if pbar <= 0 or pbar >= 1:
                n_fail += 1
                continue
            ll0 = float(yb.size * (pbar * math.log(pbar) + (1 - pbar) * math.log(1 - pbar)))
            g1, g2 = _logit_fit(X1[ii], yb), _logit_fit(X2[ii], yb)
            if g1 is None or g2 is None:
                n_fail += 1
                continue
            bd[b] = (1 - g2[1] / ll0) - (1 - g1[1] / ll0)
            ba[b] = _auc(yb, X2[ii] @ g2[0]) - _auc(yb, X1[ii] @ g1[0])
        delta_ci = percentile_interval(bd, alpha)
        delta_auc_ci = percentile_interval(ba, alpha)
        if n_fail:
            notes.append(f"{n_fail} bootstrap replicate(s) could not be fitted and were left out")
    return IncrementalValidityResult(
        model="logit", steps=steps, delta=delta, delta_ci=delta_ci, statistic=lr, df1=df1, df2=math.nan,
        p_value=p, delta_auc=float(auc2 - auc1), delta_auc_ci=delta_auc_ci, coefficients=coefs, n=n,
        level=level, n_boot=int(n_boot), note="; ".join(notes))


# ----------------------------------------------------------------------------------------------
# relative weights
# ----------------------------------------------------------------------------------------------
def _relative_weights_core(R: np.ndarray, r: np.ndarray) -> np.ndarray:
    evals, evecs = np.linalg.eigh(R)
    if evals.min() <= 1e-12:
        return np.full(R.shape[0], np.nan)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T  # R^(1/2): corr(X, Z)
    beta = np.linalg.solve(lam, r)  # regression of y on the orthogonal Z
    return (lam**2) @ (beta**2)


@validates_seed
@single_threaded_blas
def relative_weights(data, *, criterion: str, predictors, n_boot: int = 0, seed=None, level: float = 0.95
                     ) -> pd.DataFrame:
    r"""Johnson's (2000) relative weights: which competencies carry the prediction.

    With :math:`R_{xx} = Q \Lambda Q^\top` the predictors' correlation matrix,
    :math:`\Lambda^* = Q \Lambda^{1/2} Q^\top` (the correlations of the
    predictors with their closest orthogonal counterparts :math:`Z`) and
    :math:`\beta = \Lambda^{*-1} r_{xy}` (the standardized regression of the
    criterion on :math:`Z`), the raw weight of predictor :math:`j` is

    .. math::

        \varepsilon_j = \sum_k \lambda^{*2}_{jk}\, \beta_k^2, \qquad
        \sum_j \varepsilon_j = R^2.

    Parameters
    ----------
    data : DataFrame
    criterion : str
    predictors : list of str
        At least two.
    n_boot : int
        Bootstrap replicates for percentile intervals of the raw weights (0: none).
    seed : int, optional
    level : float

    Returns
    -------
    DataFrame
        Index = predictors; columns ``weight`` (raw, sums to R\ :sup:`2`),
        ``percent`` (share of R\ :sup:`2`, %), ``ci_low``, ``ci_high``;
        ``.attrs["r2"]`` and ``.attrs["n"]``.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. *Multivariate
    Behavioral Research, 35*(1), 1-19.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psikometri.validity import relative_weights
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame(rng.normal(size=(200, 3)), columns=["integritas", "kerjasama", "komunikasi"])
    >>> d["kinerja"] = d @ np.array([0.5, 0.2, 0.0]) + rng.normal(size=200)
    >>> rw = relative_weights(d, criterion="kinerja", predictors=["integritas", "kerjasama", "komunikasi"])
    >>> rw["percent"].idxmax()
    'integritas'
    """
    df = check_dataframe(data)
    predictors = _as_list(predictors, "predictors")
    if len(predictors) < 2:
        raise ValueError("relative_weights needs at least two predictors; with one, its weight is simply r**2.")
    cols = [criterion, *predictors]
    check_columns(df, cols)
    level = check_level(level)
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(f"n_boot must be an integer >= 0; got n_boot={n_boot!r}.")
    arr = np.column_stack([_numeric_column(df, c, "data") for c in cols])
    arr = arr[~np.isnan(arr).any(axis=1)]
    n = arr.shape[0]
    if n < len(predictors) + 3:
        raise ValueError(f"too few complete rows ({n}) for {len(predictors)} predictors.")
    if np.any(arr.std(axis=0) == 0):
        raise ValueError("a predictor or the criterion is constant; its correlations are undefined.")
    C = np.corrcoef(arr, rowvar=False)
    w = _relative_weights_core(C[1:, 1:], C[1:, 0])
    if np.isnan(w).any():
        raise ValueError("the predictors' correlation matrix is singular (collinear predictors); drop one.")
    r2 = float(w.sum())
    ci = np.full((len(predictors), 2), np.nan)
    if n_boot:
        idx = bootstrap_indices(n, int(n_boot), seed)
        boot = np.full((int(n_boot), len(predictors)), np.nan)
        for b in range(int(n_boot)):
            a = arr[idx[b]]
            if np.any(a.std(axis=0) == 0):
                continue
            Cb = np.corrcoef(a, rowvar=False)
            boot[b] = _relative_weights_core(Cb[1:, 1:], Cb[1:, 0])
        ci = np.array([percentile_interval(boot[:, j], level) for j in range(len(predictors))])
    out = pd.DataFrame({"weight": w, "percent": 100.0 * w / r2, "ci_low": ci[:, 0], "ci_high": ci[:, 1]},
                       index=pd.Index(predictors, name="predictor"))
    out.attrs.update({"r2": r2, "n": n, "n_boot": int(n_boot), "level": level})
    return out


# ----------------------------------------------------------------------------------------------
# expectancy table
# ----------------------------------------------------------------------------------------------
def _wilson(k, n, level):
    if n == 0:
        return (math.nan, math.nan)
    z = stats.norm.ppf(0.5 + level / 2.0)
    p = k / n
    den = 1 + z * z / n
    c = (p + z * z / (2 * n)) / den
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (c - h, c + h)


def expectancy_table(data, *, predictor: str, criterion: str, bins=5, high=None, level: float = 0.95
                     ) -> pd.DataFrame:
    r"""Chance of high performance by assessment band: the chart decision makers understand.

    Candidates with both scores are split into ``bins`` bands of the predictor
    (quantile bands of about equal size, or the given edges); each row gives
    the share of the band whose criterion is "high", with a Wilson interval

    .. math::

        \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}.

    Parameters
    ----------
    data : DataFrame
    predictor, criterion : str
    bins : int or sequence of float
        Number of quantile bands, or band edges (increasing).  Quantile bands
        that coincide (many tied predictor values) are merged; a constant
        predictor, which cannot be banded, is an error.
    high : float, optional
        Criterion value from which performance counts as high (``>= high``).
        Default: 1 for a 0/1 criterion, otherwise the criterion's median (a
        value above it counts as high).
    level : float
        Level of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per band (lowest first): ``band`` (interval of the predictor),
        ``n``, ``n_high``, ``p_high``, ``ci_low``, ``ci_high``, ``mean_criterion``;
        ``.attrs["high"]`` holds the threshold.

    References
    ----------
    Lawshe, C. H., & Bolda, R. A. (1958). Expectancy charts I: Their use and
    empirical development. *Personnel Psychology, 11*, 353-365.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psikometri.validity import expectancy_table
    >>> rng = np.random.default_rng(4)
    >>> d = pd.DataFrame({"ac": rng.normal(size=500)})
    >>> d["kinerja"] = 0.5 * d["ac"] + rng.normal(size=500)
    >>> tab = expectancy_table(d, predictor="ac", criterion="kinerja", bins=4)
    >>> bool(tab["p_high"].iloc[-1] > tab["p_high"].iloc[0])
    True
    """
    df = check_dataframe(data)
    check_columns(df, [predictor, criterion])
    level = check_level(level)
    x = _numeric_column(df, predictor, "data")
    y = _numeric_column(df, criterion, "data")
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if x.size < 2:
        raise ValueError(f"expectancy_table needs at least 2 rows with both {predictor!r} and {criterion!r}.")
    if np.all(x == x[0]):
        raise ValueError(
            f"data column {predictor!r} (predictor) has the same value {x[0]:g} for all {x.size} candidates with "
            "both scores, so they cannot be split into bands and the table would be empty. Check that "
            f"predictor={predictor!r} names the assessment score (not a constant column)."
        )
    if high is None:
        if np.all((y == 0) | (y == 1)):
            is_high, thr, rule = y == 1, 1.0, ">= 1"
        else:
            thr = float(np.median(y))
            is_high, rule = y > thr, f"> median ({thr:g})"
    else:
        thr = check_real(high, "high")
        is_high, rule = y >= thr, f">= {thr:g}"
    if isinstance(bins, numbers.Integral) and not isinstance(bins, bool):
        nb = check_positive_int(bins, "bins", 2)
        band = pd.qcut(pd.Series(x), nb, duplicates="drop")
        if len(band.cat.categories) < 2:
            u = np.unique(x)
            edges = [u[0], *((u[:-1] + u[1:]) / 2.0), u[-1]]
            raise ValueError(
                f"data column {predictor!r} (predictor) takes so few distinct values ({u.size}) that bins={nb} "
                "quantile bands collapse into one. Pass band edges instead, e.g. "
                f"bins={[round(float(v), 6) for v in edges]!r} (one band per value)."
            )
    else:
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or edges.size < 3 or np.any(np.diff(edges) <= 0):
            raise ValueError(f"bins must be an integer >= 2 or increasing band edges (at least 3); got {bins!r}.")
        band = pd.cut(pd.Series(x), edges, include_lowest=True)
        if band.isna().any():
            raise ValueError(f"some {predictor!r} values fall outside the band edges {list(edges)}; widen them.")
    g = pd.DataFrame({"band": band, "high": is_high.astype(int), "y": y}).groupby("band", observed=False)
    out = pd.DataFrame({"n": g.size(), "n_high": g["high"].sum(), "mean_criterion": g["y"].mean()})
    out["p_high"] = out["n_high"] / out["n"].where(out["n"] > 0)
    cis = [_wilson(int(k), int(m), level) for k, m in zip(out["n_high"], out["n"])]
    out["ci_low"] = [c[0] for c in cis]
    out["ci_high"] = [c[1] for c in cis]
    out = out.reset_index()[["band", "n", "n_high", "p_high", "ci_low", "ci_high", "mean_criterion"]]
    out["band"] = [f"{'[' if iv.closed in ('left', 'both') else '('}{iv.left:.4g}, {iv.right:.4g}"
                   f"{']' if iv.closed in ('right', 'both') else ')'}" for iv in out["band"]]
    if not isinstance(bins, numbers.Integral):  # pd.cut(include_lowest=True) shifts the first edge down
        out.loc[0, "band"] = f"[{edges[0]:.4g}, {edges[1]:.4g}]"
    out.attrs.update({"high": thr, "rule": rule, "predictor": predictor, "criterion": criterion, "level": level})
    return out


def plot_expectancy(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bar chart of an :func:`expectancy_table`: percent with high performance by band, with intervals.

    matplotlib is imported only when this function is called.  Returns the ``Axes``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psikometri.validity import expectancy_table, plot_expectancy
    >>> rng = np.random.default_rng(4)
    >>> d = pd.DataFrame({"ac": rng.normal(size=200)}); d["kinerja"] = d["ac"] + rng.normal(size=200)
    >>> ax = plot_expectancy(expectancy_table(d, predictor="ac", criterion="kinerja"))
    >>> len(ax.patches)
    5
    """
    import matplotlib.pyplot as plt

    if not isinstance(table, pd.DataFrame) or not {"band", "p_high", "ci_low", "ci_high"} <= set(table.columns):
        raise TypeError("table must be the DataFrame returned by expectancy_table.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    pct = 100 * table["p_high"].to_numpy(dtype=float)
    lo = 100 * table["ci_low"].to_numpy(dtype=float)
    hi = 100 * table["ci_high"].to_numpy(dtype=float)
    pos = np.arange(len(table))
    ax.bar(pos, pct, color="#397689", yerr=np.vstack([pct - lo, hi - pct]), capsize=4)
    for p_, v, n_ in zip(pos, pct, table["n"]):
        if np.isfinite(v):
            ax.text(p_, v / 2, f"{v:.0f}%\n(n={int(n_)})", ha="center", va="center", color="white", fontsize=8)
    ax.set_xticks(pos)
    ax.set_xticklabels(table["band"], rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_xlabel(f"{table.attrs.get('predictor', 'predictor')} band")
    ax.set_ylabel(f"% with {table.attrs.get('criterion', 'criterion')} {table.attrs.get('rule', 'high')}")
    ax.set_title(title or "Expectancy chart")
    return ax


# ----------------------------------------------------------------------------------------------
# meta-analysis
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MetaAnalysisResult:
    """Result of :func:`meta_analysis` (Hunter-Schmidt psychometric meta-analysis).

    Attributes
    ----------
    studies : DataFrame
        Per study: ``r``, ``n``, corrected ``r_c`` (equals ``r`` when no
        artifacts are given), attenuation factor ``A``, sampling error variance
        ``var_e`` of ``r`` and ``var_e_c`` of ``r_c``, weight.
    bare_bones : DataFrame
        One-row table: ``k, n_total, mean_r, var_obs, var_e, var_rho, sd_rho,
        pct_var_artifacts, se_mean, ci_low, ci_high, cr_low, cr_high`` and the
        homogeneity test ``Q, Q_df, Q_p, I2`` (``I2`` in percent).
    corrected : DataFrame or None
        The same for the corrected correlations (``mean_rho``...), ``None``
        without artifacts.
    level, cred_level : float
    """

    studies: pd.DataFrame
    bare_bones: pd.DataFrame
    corrected: pd.DataFrame | None
    level: float = 0.95
    cred_level: float = 0.80
    note: str = ""

    def summary(self) -> str:
        """Text summary of both analyses."""
        lines = ["Hunter-Schmidt meta-analysis", "=" * 28, "Bare-bones:", self.bare_bones.T.to_string()]
        if self.corrected is not None:
            lines += ["", "Artifact-corrected:", self.corrected.T.to_string()]
        lines += ["", f"CI level {self.level:g}, credibility level {self.cred_level:g}"]
        if self.note:
            lines.append(f"note: {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        tab = self.corrected if self.corrected is not None else self.bare_bones
        col = "mean_rho" if self.corrected is not None else "mean_r"
        row = tab.iloc[0]
        return (f"MetaAnalysisResult(k={int(row['k'])}, N={int(row['n_total'])}, {col}={row[col]:.3f}, "
                f"{int(round(self.level * 100))}% CI [{row['ci_low']:.3f}, {row['ci_high']:.3f}], "
                f"{int(round(self.cred_level * 100))}% CrI [{row['cr_low']:.3f}, {row['cr_high']:.3f}])")

    def _repr_html_(self) -> str:
        frames = [("bare-bones", self.bare_bones)]
        if self.corrected is not None:
            frames.append(("artifact-corrected", self.corrected))
        frames.append(("studies", self.studies))
        return _df_html("Hunter-Schmidt meta-analysis", frames, [self.note] if self.note else [])

    def plot(self, *, ax=None, corrected: bool | None = None, title: str | None = None):
        """Forest plot: each study's correlation with its interval, the mean, CI and credibility interval.

        matplotlib is imported only here.  Returns the ``Axes``.
        """
        import matplotlib.pyplot as plt

        use_c = (self.corrected is not None) if corrected is None else bool(corrected)
        if use_c and self.corrected is None:
            raise ValueError("no artifact-corrected analysis: meta_analysis was run without artifacts.")
        st = self.studies
        val = st["r_c"] if use_c else st["r"]
        ve = st["var_e_c"] if use_c else st["var_e"]
        tab = self.corrected if use_c else self.bare_bones
        mcol = "mean_rho" if use_c else "mean_r"
        z = stats.norm.ppf(0.5 + self.level / 2)
        k = len(st)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 1.5 + 0.35 * k))
        ypos = np.arange(k, 0, -1)
        sz = 20 + 200 * st["weight"].to_numpy() / st["weight"].max()
        ax.errorbar(val, ypos, xerr=z * np.sqrt(ve.to_numpy()), fmt="none", ecolor="grey", capsize=2)
        ax.scatter(val, ypos, s=sz, marker="s", color="#397689", zorder=3)
        m = float(tab[mcol].iloc[0])
        lo, hi = float(tab["ci_low"].iloc[0]), float(tab["ci_high"].iloc[0])
        crl, crh = float(tab["cr_low"].iloc[0]), float(tab["cr_high"].iloc[0])
        ax.plot([crl, crh], [0, 0], color="#a4cdd9", lw=6, solid_capstyle="butt",
                label=f"{int(round(self.cred_level * 100))}% credibility")
        ax.fill([lo, m, hi, m], [0, 0.3, 0, -0.3], color="#1b3b47", label=f"mean, {int(round(self.level * 100))}% CI")
        ax.axvline(m, color="#1b3b47", ls=":", lw=1)
        ax.axvline(0, color="black", lw=0.5)
        ax.set_yticks([*ypos, 0])
        ax.set_yticklabels([*map(str, st.index), "Overall"])
        ax.set_xlabel("corrected correlation" if use_c else "observed correlation")
        ax.set_title(title or ("Forest plot (artifact-corrected)" if use_c else "Forest plot (bare-bones)"))
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        return ax


def _hs_summary(values, n, weights, var_e_each, level, cred_level, mean_name):
    k = len(values)
    w = weights
    mean = float(np.sum(w * values) / np.sum(w))
    var_obs = float(np.sum(w * (values - mean) ** 2) / np.sum(w))
    var_e = float(np.sum(w * var_e_each) / np.sum(w))
    var_rho = max(var_obs - var_e, 0.0)
    sd_rho = math.sqrt(var_rho)
    z = stats.norm.ppf(0.5 + level / 2)
    zc = stats.norm.ppf(0.5 + cred_level / 2)
    se = math.sqrt(var_obs / k)
    return pd.DataFrame({
        "k": [k], "n_total": [int(np.sum(n))], mean_name: [mean], "var_obs": [var_obs], "var_e": [var_e],
        "var_rho": [var_rho], "sd_rho": [sd_rho],
        "pct_var_artifacts": [100.0 * min(var_e / var_obs, 1.0) if var_obs > 0 else 100.0],
        "se_mean": [se], "ci_low": [mean - z * se], "ci_high": [mean + z * se],
        "cr_low": [mean - zc * sd_rho], "cr_high": [mean + zc * sd_rho],
    })


def meta_analysis(
    per_agency,
    *,
    r: str = "r",
    n: str = "n",
    study: str | None = None,
    rxxa: str | float | None = None,
    ryyi: str | float | None = None,
    u: str | float | None = None,
    case: str = "IV",
    level: float = 0.95,
    cred_level: float = 0.80,
) -> MetaAnalysisResult:
    r"""Hunter-Schmidt psychometric meta-analysis of validity studies across agencies.

    **Bare-bones** (Schmidt & Hunter 2015, ch. 3): with study correlations
    :math:`r_i`, sample sizes :math:`n_i`, :math:`k` studies,

    .. math::

        \bar r = \frac{\sum n_i r_i}{\sum n_i},\quad
        S_r^2 = \frac{\sum n_i (r_i - \bar r)^2}{\sum n_i},\quad
        \sigma_{e}^2 = \frac{\sum n_i \sigma^2_{e_i}}{\sum n_i},\;
        \sigma^2_{e_i} = \frac{(1 - \bar r^2)^2}{n_i - 1},\quad
        \hat\sigma_\rho^2 = \max(S_r^2 - \sigma_e^2, 0).

    **Artifact-corrected** (individual corrections, Schmidt & Hunter 2015,
    ch. 3-4): each :math:`r_i` is corrected (:func:`correct_range_restriction`
    with ``case`` when ``u`` is given, otherwise :func:`correct_attenuation`
    for criterion unreliability), giving :math:`r_{ci} = r_i / A_i`; studies
    are weighted :math:`w_i = n_i A_i^2`; the error variance of a corrected
    correlation is :math:`\sigma^2_{e_i} a_i^2 / A_i^2` with, for range
    restriction, :math:`a_i = 1 / [(U^2 - 1) r_i^2 + 1]` (:math:`U = 1/u`, or
    :math:`1/u_T` in Case IV; Schmidt & Hunter 2015, p. 145, as in psychmeta); and the same
    summary follows with :math:`r_{ci}` in place of :math:`r_i`.

    The random-effects confidence interval of the mean is :math:`\bar r \pm
    z\, S_r/\sqrt{k}` (Schmidt & Hunter 2015, ch. 5; Whitener 1990) and the
    credibility interval :math:`\bar r \pm z_{cr}\, \hat\sigma_\rho` (80 % by
    default).

    **Homogeneity** (bare-bones table; Hunter & Schmidt 2004, ch. 3): the
    chi-square test that all studies share one population correlation,

    .. math::

        Q = \sum_i \frac{(n_i - 1)(r_i - \bar r)^2}{(1 - \bar r^2)^2},\qquad
        df = k - 1,\qquad p = P(\chi^2_{k-1} > Q),

    and :math:`I^2 = 100\,\max\{0, (Q - df)/Q\}` (Higgins & Thompson 2002),
    the percentage of the variation across studies beyond sampling error.
    The test has little power with few studies; a non-significant ``Q`` is
    not evidence of homogeneity.

    Parameters
    ----------
    per_agency : DataFrame
        One row per study (agency).
    r, n : str
        Columns holding the observed validity and the sample size.
    study : str, optional
        Column with the study label (default: the index).
    rxxa, ryyi, u : str or float, optional
        Artifacts: a column name (one value per study, NaN for unknown is not
        allowed) or one number for all studies.
    case : {"IV", "II"}
        Range-restriction correction used when ``u`` is given.
    level, cred_level : float
        Levels of the confidence and credibility intervals.

    Returns
    -------
    MetaAnalysisResult
        With ``summary()``, and ``plot()`` for the forest plot.

    Notes
    -----
    The bare-bones numbers match the formulas of ``psychmeta::ma_r_bb`` (with
    ``correct_bias = FALSE``, ``wt_type = "sample_size"``) and
    ``metafor::escalc(measure = "COR", vtype = "AV")`` for the sampling
    variances; checked in ``tests/fixtures/validity/make_reference.R``.
    ``Q``, ``Q_df`` and ``Q_p`` match ``psychometric::Qrbar`` (and ``mean_r``,
    ``var_obs``, ``var_e`` its ``rbar``, ``varr``, ``vare``) to 1e-12 on the
    package's data sets ``ABHt32`` and ``HSJt35``
    (``tests/fixtures/validity/make_reference_peers.R``); psychometric has no
    :math:`I^2`.  This ``Q`` weights by :math:`n_i - 1` on the correlation
    scale, so it differs from the inverse-variance ``Q`` of
    ``metafor::rma`` (Fisher-z or raw correlations with study-specific
    variances), and so does :math:`I^2`.

    References
    ----------
    Schmidt, F. L., & Hunter, J. E. (2015). *Methods of meta-analysis:
    Correcting error and bias in research findings* (3rd ed.). Sage.

    Hunter, J. E., & Schmidt, F. L. (2004). *Methods of meta-analysis:
    Correcting error and bias in research findings* (2nd ed.). Sage.

    Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a
    meta-analysis. *Statistics in Medicine, 21*, 1539-1558.

    Whitener, E. M. (1990). Confusion of confidence intervals and credibility
    intervals in meta-analysis. *Journal of Applied Psychology, 75*, 315-321.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.validity import meta_analysis
    >>> studies = pd.DataFrame({"r": [0.20, 0.35, 0.28, 0.15], "n": [120, 240, 90, 400]},
    ...                        index=["kab_a", "kota_b", "kab_c", "kementerian_d"])
    >>> res = meta_analysis(studies)
    >>> round(float(res.bare_bones["mean_r"].iloc[0]), 4)
    0.2273
    """
    df = check_dataframe(per_agency, "per_agency")
    check_columns(df, [r, n], "per_agency")
    level = check_level(level)
    cred_level = check_level(cred_level, "cred_level")
    case = check_choice(case, ("IV", "II"), "case")
    rv = _numeric_column(df, r, "per_agency")
    nv = _numeric_column(df, n, "per_agency")
    for arr, nm in ((rv, r), (nv, n)):
        if np.isnan(arr).any():
            pos = int(np.flatnonzero(np.isnan(arr))[0])
            raise ValueError(f"per_agency column {nm!r} is missing at row {plain(df.index[pos])!r}; drop that study.")
    bad = np.flatnonzero((rv < -1) | (rv > 1))
    if bad.size:
        raise ValueError(
            f"per_agency column {r!r} holds {float(rv[bad[0]])!r} at row {plain(df.index[bad[0]])!r}: not in [-1, 1]."
        )
    bad = np.flatnonzero((nv < 2) | (nv != np.round(nv)))
    if bad.size:
        raise ValueError(f"per_agency column {n!r} holds {float(nv[bad[0]])!r} at row {plain(df.index[bad[0]])!r}: "
                         "sample sizes must be integers >= 2.")
    k = rv.size
    if k < 2:
        raise ValueError(f"meta_analysis needs at least 2 studies; got {k}.")
    labels = df[study].astype(str).to_numpy() if study is not None else np.asarray(df.index.astype(str))
    if study is not None:
        check_columns(df, [study], "per_agency")

    def artifact(spec, nm, checker):
        if spec is None:
            return None
        if isinstance(spec, str):
            check_columns(df, [spec], "per_agency")
            vals = _numeric_column(df, spec, "per_agency")
        else:
            vals = np.full(k, checker(spec, nm))
        for i, v in enumerate(vals):
            try:
                checker(float(v), nm)
            except ValueError:
                raise ValueError(f"per_agency artifact {nm} ({spec!r}) holds {float(v)!r} at row "
                                 f"{plain(df.index[i])!r}: must be in (0, 1].") from None
        return vals

    rxx_v = artifact(rxxa, "rxxa", _check_rel)
    ryy_v = artifact(ryyi, "ryyi", _check_rel)
    u_v = artifact(u, "u", _check_u)
    notes = []
    small = nv < 5
    if small.any():
        notes.append(f"{int(small.sum())} stud(ies) with fewer than 5 cases")

    rbar = float(np.sum(nv * rv) / np.sum(nv))
    ve = (1.0 - rbar**2) ** 2 / (nv - 1.0)
    bare = _hs_summary(rv, nv, nv, ve, level, cred_level, "mean_r")
    q = float(np.sum((nv - 1.0) * (rv - rbar) ** 2) / (1.0 - rbar**2) ** 2) if rbar**2 < 1.0 else math.nan
    q_df = k - 1
    bare["Q"] = q
    bare["Q_df"] = q_df
    bare["Q_p"] = float(stats.chi2.sf(q, q_df)) if math.isfinite(q) else math.nan
    bare["I2"] = 100.0 * max(0.0, (q - q_df) / q) if q > 0 else (0.0 if q == 0 else math.nan)

    have_art = any(v is not None for v in (rxx_v, ryy_v, u_v))
    rc = rv.copy()
    a_rr = np.ones(k)
    if have_art:
        if u_v is not None and case == "IV" and (rxx_v is None or ryy_v is None):
            raise ValueError("case='IV' needs rxxa and ryyi as well as u (columns or numbers).")
        for i in range(k):
            ryy_i = float(ryy_v[i]) if ryy_v is not None else None
            if u_v is None:
                rc[i] = _attenuation(rv[i], None, ryy_i) if ryy_i is not None else rv[i]
                continue
            ui = float(u_v[i])
            if case == "II":
                rc[i] = correct_range_restriction(rv[i], u=ui, case="II", ryyi=ryy_i)
                U2 = 1.0 / ui**2
            else:
                rxx_i = float(rxx_v[i])
                rc[i] = correct_range_restriction(rv[i], u=ui, case="IV", rxxa=rxx_i, ryyi=ryy_i)
                U2 = rxx_i / (ui**2 - (1.0 - rxx_i))
            a_rr[i] = 1.0 / ((U2 - 1.0) * rv[i] ** 2 + 1.0)
    A = np.divide(rv, rc, out=np.ones(k), where=rc != 0)
    if have_art and np.any(rc == 0):
        # attenuation factor undefined at r = 0: use the artifact product directly
        notes.append("attenuation factor set from artifacts where r = 0")
    ve_c = ve * a_rr**2 / A**2
    wts = nv * A**2
    corrected = _hs_summary(rc, nv, wts, ve_c, level, cred_level, "mean_rho") if have_art else None
    studies = pd.DataFrame({"r": rv, "n": nv.astype(int), "r_c": rc, "A": A, "var_e": ve, "var_e_c": ve_c,
                            "weight": wts}, index=pd.Index(labels, name="study"))
    return MetaAnalysisResult(studies=studies, bare_bones=bare, corrected=corrected, level=level,
                              cred_level=cred_level, note="; ".join(notes))


# ----------------------------------------------------------------------------------------------
# utility
# ----------------------------------------------------------------------------------------------
def utility(
    *,
    validity,
    sd_y,
    selection_ratio,
    n_selected,
    cost_per_candidate,
    tenure: float = 1.0,
    baseline_validity=0.0,
    baseline_cost_per_candidate=0.0,
) -> pd.Series:
    r"""Brogden-Cronbach-Gleser utility of selecting with the assessment centre.

    Top-down selection of ``n_selected`` from :math:`N_a = N_s / SR`
    applicants:

    .. math::

        \Delta U = N_s\, T\, (r_{xy} - r_0)\, SD_y\, \bar z_x \;-\; N_a (C - C_0),
        \qquad \bar z_x = \frac{\varphi(\Phi^{-1}(1 - SR))}{SR}

    where :math:`\bar z_x` is the mean standardized predictor score of those
    selected (the normal ordinate at the cut over the selection ratio),
    :math:`T` the expected tenure in years and :math:`SD_y` the standard
    deviation of job performance in rupiah per year (often 40 % of salary,
    Schmidt & Hunter 1998).  ``baseline_validity`` and
    ``baseline_cost_per_candidate`` describe the procedure the AC replaces (0 for
    random selection).

    Returns
    -------
    Series
        ``z_bar``, ``n_applicants``, ``gain_per_selectee_per_year``,
        ``total_gain``, ``total_cost``, ``net_utility``,
        ``net_utility_per_selectee_per_year``.

    References
    ----------
    Brogden, H. E. (1949). When testing pays off. *Personnel Psychology, 2*, 171-183.

    Cronbach, L. J., & Gleser, G. C. (1965). *Psychological tests and personnel
    decisions* (2nd ed.). University of Illinois Press.

    Examples
    --------
    >>> from psikometri.validity import utility
    >>> u = utility(validity=0.37, sd_y=40_000_000, selection_ratio=0.2, n_selected=30,
    ...             cost_per_candidate=3_500_000, tenure=5)
    >>> round(float(u["z_bar"]), 3)
    1.4
    >>> bool(u["net_utility"] > 0)
    True
    """
    r = _check_r(validity, "validity")
    r0 = _check_r(baseline_validity, "baseline_validity")
    sdy = check_real(sd_y, "sd_y")
    if sdy < 0:
        raise ValueError(f"sd_y must be >= 0 (rupiah per year); got sd_y={sd_y!r}.")
    sr = check_probability(selection_ratio, "selection_ratio")
    ns = check_real(n_selected, "n_selected")
    if ns <= 0:
        raise ValueError(f"n_selected must be positive; got n_selected={n_selected!r}.")
    c = check_real(cost_per_candidate, "cost_per_candidate")
    c0 = check_real(baseline_cost_per_candidate, "baseline_cost_per_candidate")
    if c < 0 or c0 < 0:
        raise ValueError("costs per candidate must be >= 0.")
    t = check_real(tenure, "tenure")
    if t <= 0:
        raise ValueError(f"tenure must be positive (years); got tenure={tenure!r}.")
    z_bar = 0.0 if sr >= 1.0 else float(stats.norm.pdf(stats.norm.isf(sr)) / sr)
    na = ns / sr
    gain1 = (r - r0) * sdy * z_bar
    total_gain = ns * t * gain1
    total_cost = na * (c - c0)
    net = total_gain - total_cost
    return pd.Series({
        "z_bar": z_bar, "n_applicants": na, "gain_per_selectee_per_year": gain1, "total_gain": total_gain,
        "total_cost": total_cost, "net_utility": net, "net_utility_per_selectee_per_year": net / (ns * t),
    }, name="utility")
