"""Generalizability theory: where does the variance in assessment-centre ratings come from?

A G study splits the variance of the ratings into components for the candidate
(the object of measurement, ``p``), each facet of the measurement (competency
``c``, exercise ``e``, assessor ``a``...) and all their interactions.  A D study
turns the components into the reliability of scores averaged over ``n'``
levels of each facet, for the design used or for alternatives.

Two estimators are available:

* ``"anova"``: expected mean squares for balanced designs (every candidate has
  exactly one rating in every cell), with any number of crossed or nested
  facets.  The coefficients of the expected mean squares follow Brennan's
  (2001, sec. 3.4) rule ``E MS(a) = sum_{b contains a} pi(not b) s2(b)``.
  Negative estimates are reported and set to zero (Brennan 2001, p. 84).
* ``"reml"``: restricted maximum likelihood for unbalanced designs, missing
  cells and ill-structured assessor assignment, every effect a crossed random
  factor; it matches ``lme4::lmer(REML = TRUE)`` with one ``(1 | ...)`` term
  per effect (see :mod:`psikometri._reml`).
* ``"henderson1"``: Henderson's (1953) Method 1, the analogous-ANOVA moment
  estimates of Brennan (2001, ch. 7) and urGENOVA for any design: unbiased,
  equal to ANOVA on balanced data, in time linear in the ratings whatever the
  number of assessors (see :mod:`psikometri._henderson`); less efficient than
  REML, no standard errors (intervals of G and Phi by the candidate bootstrap).

References
----------
Brennan, R. L. (2001). *Generalizability Theory*. Springer.
Henderson, C. R. (1953). Estimation of variance and covariance components. *Biometrics*, 9, 226-252.
Shavelson, R. J., & Webb, N. M. (1991). *Generalizability Theory: A Primer*. Sage.
Putka, D. J., & Hoffman, B. J. (2013). Clarifying the contribution of assessee-,
dimension-, exercise-, and assessor-related effects to reliable and unreliable
variance in assessment center ratings. *Journal of Applied Psychology*, 98(1), 114-133.
Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance Components*. Wiley.
"""

from __future__ import annotations

import html
import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_level,
    check_real,
    numeric_column,
    plain,
)

__all__ = ["g_study", "GStudy"]


# ----------------------------------------------------------------------------- design


class _Design:
    """Factors, nesting and the effects of a G-study design."""

    def __init__(self, person: str, facets: list[str], nested: dict[str, tuple[str, ...]]):
        self.person = person
        self.facets = list(facets)
        self.factors = [person] + self.facets
        self.index = {f: i for i, f in enumerate(self.factors)}
        self.parents = {self.index[f]: tuple(self.index[q] for q in ps) for f, ps in nested.items()}
        self.ancestors: dict[int, frozenset[int]] = {}
        for i in range(len(self.factors)):
            seen: set[int] = set()
            stack = list(self.parents.get(i, ()))
            while stack:
                q = stack.pop()
                if q == i:
                    raise ValueError(
                        f"nested describes a cycle through {plain(self.factors[i])!r}; a facet cannot be nested in "
                        "itself. Fix the nested mapping."
                    )
                if q not in seen:
                    seen.add(q)
                    stack.extend(self.parents.get(q, ()))
            self.ancestors[i] = frozenset(seen)
        effects = []
        nf = len(self.factors)
        for r in range(1, nf + 1):
            for prim in itertools.combinations(range(nf), r):
                if any(b in self.ancestors[a] for a in prim for b in prim):
                    continue
                full = set(prim)
                for a in prim:
                    full |= self.ancestors[a]
                effects.append((tuple(prim), frozenset(full)))
        effects.sort(key=lambda t: (len(t[1]), sorted(t[1])))
        self.effects = [e[1] for e in effects]
        self.primaries = [e[0] for e in effects]
        self.labels = []
        for prim, full in effects:
            rest = sorted(full - set(prim))
            self.labels.append(":".join(self.factors[i] for i in list(prim) + rest))

    def closure(self, subset) -> frozenset[int]:
        full = set(subset)
        for a in subset:
            full |= self.ancestors[a]
        return frozenset(full)


# ----------------------------------------------------------------------------- coefficients


def _coefficients(comp: np.ndarray, effects, divisors: np.ndarray, fixed_idx: frozenset[int]):
    """Universe-score, relative- and absolute-error variance (Brennan 2001, sec. 4.1 and 4.4).

    ``comp``: variance components; ``effects``: frozensets of factor indices
    (0 = person); ``divisors``: (..., n_effects) D-study sample-size products
    ``pi(a)`` of the facets in each effect.  Facets in ``fixed_idx`` are fixed:
    effects of the person with fixed facets only join the universe score,
    effects of fixed facets only drop out.
    """
    tau = np.zeros(divisors.shape[:-1])
    rel = np.zeros_like(tau)
    ab = np.zeros_like(tau)
    for j, eff in enumerate(effects):
        facets = eff - {0}
        part = comp[j] / divisors[..., j]
        if 0 in eff:
            if facets <= fixed_idx:
                tau = tau + part
            else:
                rel = rel + part
                ab = ab + part
        elif not facets <= fixed_idx:
            ab = ab + part
    with np.errstate(divide="ignore", invalid="ignore"):
        g = tau / (tau + rel)
        phi = tau / (tau + ab)
    return tau, rel, ab, g, phi


def _satterthwaite_ci(variance: np.ndarray, se: np.ndarray, level: float):
    """Satterthwaite intervals of variance components.

    ``[nu s2 / chi2_{(1+level)/2}(nu), nu s2 / chi2_{(1-level)/2}(nu)]`` with
    ``nu = 2 (s2 / se)^2`` degrees of freedom.

    The usual interval for variance components (Satterthwaite 1946; Searle,
    Casella & McCulloch 1992, sec. 3.5); ``NaN`` where the standard error is
    undefined (a component on the boundary) or the component is zero.
    """
    variance = np.asarray(variance, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = 2.0 * (variance / se) ** 2
        lo = nu * variance / stats.chi2.ppf(0.5 + level / 2.0, nu)
        hi = nu * variance / stats.chi2.ppf(0.5 - level / 2.0, nu)
    ok = np.isfinite(nu) & (variance > 0) & (se > 0)
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class GStudy:
    """Result of :func:`g_study`: variance components and the coefficients they imply.

    Attributes
    ----------
    components : DataFrame
        One row per effect (index = the effect's columns joined by ``":"``; the
        highest-order interaction is confounded with error), columns
        ``variance`` (negative ANOVA estimates set to zero), ``se``,
        ``ci_low``, ``ci_high`` (95% Satterthwaite interval, see
        :func:`g_study`) and ``percent`` (of the total variance).
    method : str
        ``"anova"``, ``"reml"`` or ``"henderson1"``.
    loglik : float
        REML log-likelihood (``NaN`` for ANOVA).
    person, facets, nested :
        The design.
    sizes : dict
        Observed number of levels per candidate of each facet (within its
        nesting facets); the default D-study sample sizes.
    n_persons, n_obs : int
        Candidates and ratings used.
    anova : DataFrame or None
        The ANOVA table (``df``, ``ss``, ``ms``, ``estimate`` before
        truncation at zero) when ``method="anova"``; with
        ``method="henderson1"`` the table of T terms (``levels``, ``t_term``:
        the uncorrected sum of squares of the effect's level totals, the
        residual row holding the sum of squared ratings; ``estimate`` before
        truncation at zero).
    notes : tuple of str
        Warnings (negative estimates set to zero, convergence, dropped rows).
    boot_components : DataFrame or None
        With ``g_study(n_boot=...)``: the variance components of each
        candidate-bootstrap resample (one row per resample that could be
        fitted, one column per effect); :meth:`d_study` and
        :meth:`oar_reliability` then give percentile intervals of G and Phi.
    """

    components: pd.DataFrame
    method: str
    loglik: float
    person: str
    facets: tuple[str, ...]
    nested: dict[str, tuple[str, ...]]
    sizes: dict[str, float]
    n_persons: int
    n_obs: int
    anova: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    _effects: tuple = field(default=(), repr=False, compare=False)
    _observed_divisors: np.ndarray = field(default=None, repr=False, compare=False)
    _cov: np.ndarray = field(default=None, repr=False, compare=False)
    boot_components: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    # -- coefficients of the observed design
    def _observed(self):
        comp = self.components["variance"].to_numpy(dtype=float)
        return _coefficients(comp, self._effects, self._observed_divisors, frozenset())

    @property
    def g_coefficient(self) -> float:
        """Generalizability coefficient ``E rho^2 = s2(tau) / (s2(tau) + s2(delta))`` of the observed design."""
        return float(self._observed()[3])

    @property
    def phi(self) -> float:
        """Dependability (index of dependability) ``Phi = s2(tau) / (s2(tau) + s2(Delta))`` of the observed design."""
        return float(self._observed()[4])

    @property
    def relative_error(self) -> float:
        """Relative error variance ``s2(delta)`` of the observed design."""
        return float(self._observed()[1])

    @property
    def absolute_error(self) -> float:
        """Absolute error variance ``s2(Delta)`` of the observed design."""
        return float(self._observed()[2])

    # -- D studies
    def _fixed(self, fixed) -> frozenset[int]:
        if fixed is None:
            return frozenset()
        if isinstance(fixed, str):
            fixed = [fixed]
        bad = [f for f in fixed if f not in self.facets]
        if bad:
            raise ValueError(f"fixed names unknown facet(s) {bad}; the facets are {list(self.facets)}.")
        return frozenset(1 + self.facets.index(f) for f in fixed)

    def _grid(self, sizes: Mapping[str, Any]) -> pd.DataFrame:
        lists = {}
        for f in self.facets:
            v = sizes.get(f, self.sizes[f])
            vals = [v] if np.isscalar(v) else list(v)
            if not vals:
                raise ValueError(f"d_study: {f}= is empty; give at least one sample size.")
            for x in vals:
                if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) or not x > 0 \
                        or not np.isfinite(x):
                    raise ValueError(
                        f"d_study: sample sizes must be positive numbers; got {f}={v!r}. "
                        f"Use e.g. {f}=[1, 2, 3]."
                    )
            lists[f] = vals
        unknown = [k for k in sizes if k not in self.facets]
        if unknown:
            raise ValueError(
                f"d_study got unknown facet(s) {unknown}; the facets of this G study are {list(self.facets)}."
            )
        rows = list(itertools.product(*[lists[f] for f in self.facets]))
        return pd.DataFrame(rows, columns=list(self.facets))

    def _evaluate(self, grid: pd.DataFrame, fixed_idx: frozenset[int]) -> pd.DataFrame:
        div = self._divisors(grid)
        comp = self.components["variance"].to_numpy(dtype=float)
        tau, rel, ab, g, phi = _coefficients(comp, self._effects, div, fixed_idx)
        out = grid.copy()
        out["universe_score"] = tau
        out["relative_error"] = rel
        out["absolute_error"] = ab
        out["g_coefficient"] = g
        out["phi"] = phi
        return out

    def d_study(self, fixed=None, level=None, ci="auto", **sample_sizes) -> pd.DataFrame:
        """Coefficients for alternative numbers of levels of each facet.

        Parameters
        ----------
        fixed : str or list of str, optional
            Facets treated as fixed in the universe of generalization (e.g. the
            competencies of an overall assessment rating).  Default: all random.
        **sample_sizes
            ``facet=n`` or ``facet=[n1, n2, ...]``; a nested facet's size is per
            level of its nesting facet (assessors per exercise).  Facets not
            given keep their observed size (:attr:`sizes`).

        Returns
        -------
        DataFrame
            One row per combination: a column per facet, ``universe_score``,
            ``relative_error``, ``absolute_error``, ``g_coefficient``, ``phi``.

        Notes
        -----
        Brennan (2001, eq. 4.11-4.13): with ``pi(a)`` the product of the D-study
        sizes of the facets in effect ``a``,
        ``s2(delta) = sum_{a contains p and a facet} s2(a) / pi(a)``,
        ``s2(Delta) = s2(delta) + sum_{a without p} s2(a) / pi(a)``,
        ``E rho^2 = s2(p) / (s2(p) + s2(delta))``, ``Phi = s2(p) / (s2(p) + s2(Delta))``.
        With fixed facets (sec. 4.4) the person's interactions with fixed facets
        only move to the universe score and effects of fixed facets only drop out.
        """
        check_choice(ci, ["auto", "bootstrap", "delta"], "ci")
        if ci == "bootstrap" and self.boot_components is None:
            raise ValueError("ci='bootstrap' needs the candidate-bootstrap resamples: fit with g_study(..., n_boot=1000) "
                             "or use ci='delta'.")
        fixed_idx = self._fixed(fixed)
        out = self._evaluate(self._grid(sample_sizes), fixed_idx)
        if level is not None:
            level = check_level(level)
            if self._cov is None and self.boot_components is not None and ci == "delta":
                raise ValueError(
                    f"ci='delta' needs standard errors of the components, which method={self.method!r} does not "
                    "give; this fit has candidate-bootstrap resamples: use ci='bootstrap' (or 'auto').")
            if self._cov is None and self.boot_components is None:
                raise ValueError(
                    f"intervals of G and Phi need standard errors of the components, which method={self.method!r} "
                    "does not give: fit with g_study(..., n_boot=1000) for percentile intervals, or use "
                    "method='reml'.")
            if ci == "delta" or self.boot_components is None:
                out = self._intervals(out, fixed_idx, level)
                out.attrs["ci_method"] = "delta"
            else:
                out = self._boot_intervals(out, fixed_idx, level)
                out.attrs["ci_method"] = "bootstrap"
        return out

    def _divisors(self, out: pd.DataFrame) -> np.ndarray:
        n = out[list(self.facets)].to_numpy(dtype=float)
        div = np.ones((len(out), len(self._effects)))
        for j, eff in enumerate(self._effects):
            for i in eff - {0}:
                div[:, j] *= n[:, i - 1]
        return div

    def _boot_intervals(self, out: pd.DataFrame, fixed_idx: frozenset[int], level: float) -> pd.DataFrame:
        """Percentile intervals of ``g_coefficient`` and ``phi`` over the candidate-bootstrap resamples."""
        div = self._divisors(out)
        reps = self.boot_components.to_numpy(dtype=float)
        g = np.empty((len(reps), len(out)))
        phi = np.empty((len(reps), len(out)))
        for b, comp in enumerate(reps):
            g[b], phi[b] = _coefficients(comp, self._effects, div, fixed_idx)[3:]
        a = (1.0 - level) / 2.0
        for name, v in (("g_coefficient", g), ("phi", phi)):
            ok = np.isfinite(v).sum(axis=0) >= 2
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
                se = np.nanstd(v, axis=0, ddof=1)
                lo = np.nanquantile(v, a, axis=0)
                hi = np.nanquantile(v, 1.0 - a, axis=0)
            out[f"{name}_se"] = np.where(ok, se, np.nan)
            out[f"{name}_ci_low"] = np.where(ok, lo, np.nan)
            out[f"{name}_ci_high"] = np.where(ok, hi, np.nan)
        return out

    def _intervals(self, out: pd.DataFrame, fixed_idx: frozenset[int], level: float) -> pd.DataFrame:
        """Delta-method intervals of ``g_coefficient`` and ``phi`` on the logit scale."""
        ne = len(self._effects)
        div = self._divisors(out)
        tau, rel, ab = (out[c].to_numpy(dtype=float) for c in ("universe_score", "relative_error", "absolute_error"))
        # tau, delta and Delta are linear in the components: their gradients are the unit responses
        grads = [_coefficients(np.eye(ne)[j], self._effects, div, fixed_idx)[:3] for j in range(ne)]
        d_tau = np.column_stack([g[0] for g in grads])
        d_rel = np.column_stack([g[1] for g in grads])
        d_ab = np.column_stack([g[2] for g in grads])
        cov = self._cov if self._cov is not None else np.full((ne, ne), np.nan)
        known = np.isfinite(np.diagonal(cov))  # components on the boundary count as known zeros
        cov = np.where(np.outer(known, known), cov, 0.0)
        z = stats.norm.ppf(0.5 + level / 2.0)
        for name, err, d_err in (("g_coefficient", rel, d_rel), ("phi", ab, d_ab)):
            coef = out[name].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                grad = (d_tau * err[:, None] - tau[:, None] * d_err) / ((tau + err) ** 2)[:, None]
                se = np.sqrt(np.einsum("ri,ij,rj->r", grad, cov, grad))
                logit = np.log(coef / (1.0 - coef))
                half = z * se / (coef * (1.0 - coef))
                lo = 1.0 / (1.0 + np.exp(-(logit - half)))
                hi = 1.0 / (1.0 + np.exp(-(logit + half)))
            ok = np.isfinite(coef) & (coef > 0) & (coef < 1) & np.isfinite(se)
            out[f"{name}_se"] = np.where(ok, se, np.nan)
            out[f"{name}_ci_low"] = np.where(ok, lo, np.nan)
            out[f"{name}_ci_high"] = np.where(ok, hi, np.nan)
        return out

    def optimize(self, target: float = 0.80, cost: Mapping[str, float] | None = None, *,
                 criterion: str = "g_coefficient", max_size: int | Mapping[str, int] = 10,
                 fixed=None) -> pd.DataFrame:
        """Cheapest D-study design whose coefficient reaches ``target``.

        Parameters
        ----------
        target : float
            Required value of ``criterion`` (0 < target < 1).
        cost : dict, optional
            Cost of one level of each facet, e.g. ``{"exercise": 5, "assessor": 2}``;
            a nested facet's unit is counted in every level of its nesting facet
            (2 assessors per exercise in 3 exercises cost 6 assessor units).
            Only the facets in ``cost`` are varied, the others keep their
            observed size.  Default: every non-fixed facet varies and the cost
            is the number of ratings per candidate.
        criterion : {"g_coefficient", "phi"}
        max_size : int or dict
            Largest number of levels tried per facet (default 10).
        fixed : str or list of str, optional
            Facets treated as fixed (see :meth:`d_study`).

        Returns
        -------
        DataFrame
            The designs reaching the target, cheapest first (ties broken by the
            higher coefficient), with a ``cost`` column.
        """
        check_choice(criterion, ["g_coefficient", "phi"], "criterion")
        target = check_real(target, "target")
        if not 0.0 < target < 1.0:
            raise ValueError(f"target must be strictly between 0 and 1; got target={target!r}. Use e.g. 0.80.")
        fixed_idx = self._fixed(fixed)
        fixed_names = {self.facets[i - 1] for i in fixed_idx}
        if cost is None:
            vary = [f for f in self.facets if f not in fixed_names]
        else:
            if not isinstance(cost, Mapping):
                raise TypeError(f"cost must be a dict facet -> cost per level; got {type(cost).__name__}.")
            bad = [k for k in cost if k not in self.facets]
            if bad:
                raise ValueError(f"cost names unknown facet(s) {bad}; the facets are {list(self.facets)}.")
            for k, v in cost.items():
                check_real(v, f"cost[{k!r}]")
                if v < 0:
                    raise ValueError(f"cost[{k!r}] must be >= 0; got {v!r}.")
            vary = list(cost)
        if not vary:
            raise ValueError("optimize has no facet to vary: give cost for at least one random facet.")
        sizes = {}
        for f in vary:
            mx = max_size.get(f, 10) if isinstance(max_size, Mapping) else max_size
            if isinstance(mx, bool) or not isinstance(mx, (int, np.integer)) or mx < 1:
                raise ValueError(f"max_size must be a positive integer (or a dict of them); got {mx!r} for {f!r}.")
            sizes[f] = list(range(1, int(mx) + 1))
        res = self._evaluate(self._grid(sizes), fixed_idx)
        n = res[list(self.facets)].to_numpy(dtype=float)
        if cost is None:
            res["cost"] = n.prod(axis=1)
        else:
            total = np.zeros(len(res))
            for f, c in cost.items():
                i = self.facets.index(f)
                units = n[:, i].copy()
                for a in self._design_ancestors(i + 1):
                    units *= n[:, a - 1]
                total += c * units
            res["cost"] = total
        ok = res[res[criterion] >= target]
        if ok.empty:
            best = res[criterion].max()
            raise ValueError(
                f"no design with at most {max_size} levels per facet reaches {criterion} >= {target}; the best is "
                f"{best:.3f}. Raise max_size, vary more facets or lower the target."
            )
        return ok.sort_values(["cost", criterion], ascending=[True, False]).reset_index(drop=True)

    def _design_ancestors(self, i: int) -> set[int]:
        factors = [self.person] + list(self.facets)
        seen: set[int] = set()
        stack = [factors.index(q) for q in self.nested.get(factors[i], ())]
        while stack:
            q = stack.pop()
            if q not in seen:
                seen.add(q)
                stack.extend(factors.index(r) for r in self.nested.get(factors[q], ()))
        return seen

    # -- AC views
    def oar_reliability(self, fixed=None, level=None, ci="auto", **sample_sizes) -> pd.Series:
        """Reliability of the overall assessment rating (mean of all ratings of a candidate).

        ``fixed`` names facets whose levels are the same for every candidate and
        not generalised over (typically the competencies: the OAR is the mean of
        a fixed set of dimensions).  Returns the row of :meth:`d_study` as a Series
        (with intervals when ``level`` is given; ``ci`` as in :meth:`d_study`,
        ``attrs["ci_method"]`` says which interval was used).
        """
        out = self.d_study(fixed=fixed, level=level, ci=ci, **sample_sizes)
        row = out.iloc[0].copy()
        row.attrs = dict(out.attrs)
        return row

    def score_reliability(self, facet: str, **sample_sizes) -> pd.Series:
        """Reliability of the score on a single level of ``facet``.

        ``facet="competency"`` gives the dimension score (one competency,
        averaged over the exercises and assessors that rated it: the dimension
        perspective); ``facet="exercise"`` the exercise score (one exercise,
        averaged over its competencies and assessors: the exercise
        perspective).  The chosen facet is fixed with one level; its
        interaction with the candidate is universe-score variance.
        """
        if facet not in self.facets:
            raise ValueError(f"facet must be one of {list(self.facets)}; got facet={facet!r}.")
        sizes = dict(sample_sizes)
        sizes[facet] = 1
        return self.d_study(fixed=[facet], **sizes).iloc[0]

    def perspectives(self, dimension: str = "competency", exercise: str = "exercise") -> pd.DataFrame:
        """The dimension and exercise views of AC reliability side by side.

        Rows: the OAR with the dimensions fixed, the OAR with every facet
        random, a single dimension score and a single exercise score, all at
        the observed sample sizes.
        """
        for name, val in (("dimension", dimension), ("exercise", exercise)):
            if val not in self.facets:
                raise ValueError(
                    f"{name} must be one of the facets {list(self.facets)}; got {name}={val!r}."
                )
        rows = {
            f"OAR ({dimension} fixed)": self.oar_reliability(fixed=[dimension]),
            "OAR (all facets random)": self.oar_reliability(),
            f"{dimension} score": self.score_reliability(dimension),
            f"{exercise} score": self.score_reliability(exercise),
        }
        return pd.DataFrame(rows).T

    # -- display
    def summary(self) -> str:
        """Text report: design, components, coefficients and notes."""
        lines = [f"G study ({self.method.upper()}): {self.n_obs} ratings of {self.n_persons} {self.person}"]
        design = " x ".join(
            f"({f}:{','.join(self.nested[f])})" if f in self.nested else f for f in [self.person, *self.facets]
        )
        lines.append(f"design: {design}")
        lines.append("sizes : " + ", ".join(f"{k}={v:g}" for k, v in self.sizes.items()))
        if self.method == "reml":
            lines.append(f"REML log-likelihood: {self.loglik:.4f}")
        lines.append("")
        tab = self.components.copy()
        lines.append(tab.to_string(float_format=lambda x: f"{x:.4f}"))
        lines.append("")
        lines.append(
            f"E rho^2 = {self.g_coefficient:.4f}   Phi = {self.phi:.4f}   "
            f"s2(delta) = {self.relative_error:.4f}   s2(Delta) = {self.absolute_error:.4f}"
        )
        if self.boot_components is not None:
            row = self.d_study(level=0.95).iloc[0]
            lines.append(
                f"candidate bootstrap ({len(self.boot_components)} resamples), 95% percentile intervals: "
                f"E rho^2 [{row['g_coefficient_ci_low']:.4f}, {row['g_coefficient_ci_high']:.4f}]   "
                f"Phi [{row['phi_ci_low']:.4f}, {row['phi_ci_high']:.4f}]"
            )
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"GStudy(method={self.method!r}, n_persons={self.n_persons}, n_obs={self.n_obs}, "
            f"g_coefficient={self.g_coefficient:.3f}, phi={self.phi:.3f})"
        )

    def _repr_html_(self) -> str:
        head = (
            f"<b>G study ({html.escape(self.method.upper())})</b>: {self.n_obs} ratings of {self.n_persons} "
            f"{html.escape(self.person)}; E&rho;<sup>2</sup> = {self.g_coefficient:.3f}, "
            f"&Phi; = {self.phi:.3f}"
        )
        if self.method == "reml":
            head += f"; REML log-likelihood {self.loglik:.3f}"
        notes = "".join(f"<br><i>note: {html.escape(n)}</i>" for n in self.notes)
        return f"<div>{head}{self.components.to_html(float_format=lambda x: f'{x:.4f}')}{notes}</div>"


# ----------------------------------------------------------------------------- validation


def _check_design(data, score, person, facets, nested):
    df = check_dataframe(data, "data")
    if not isinstance(person, str):
        raise TypeError(f"person must be a column name (str); got {person!r}.")
    if not isinstance(score, str):
        raise TypeError(f"score must be a column name (str); got {score!r}.")
    if isinstance(facets, str):
        facets = [facets]
    if not isinstance(facets, Sequence) or len(facets) == 0:
        raise ValueError(
            f"facets must be a non-empty list of column names, e.g. ['competency', 'exercise', 'assessor']; "
            f"got facets={facets!r}."
        )
    facets = list(facets)
    if person not in df.columns:
        raise ValueError(
            f"person column {person!r} is not in data; its columns are {list(map(str, df.columns))}. "
            "Pass person= the column that identifies the candidates."
        )
    check_columns(df, [score] + facets, "data")
    if len(set(facets)) != len(facets):
        raise ValueError(f"facets has duplicates: {facets}. Name each facet once.")
    if person in facets or score in facets or score == person:
        raise ValueError(
            f"person ({person!r}), score ({score!r}) and facets ({facets}) must be different columns."
        )
    nest: dict[str, tuple[str, ...]] = {}
    if nested is not None:
        if not isinstance(nested, Mapping):
            raise TypeError(f"nested must be a dict such as {{'assessor': 'exercise'}}; got {nested!r}.")
        for f, ps in nested.items():
            if f not in facets:
                raise ValueError(
                    f"nested key {f!r} is not one of the facets {facets}; only facets can be nested "
                    "(the person is the object of measurement)."
                )
            ps = (ps,) if isinstance(ps, str) else tuple(ps)
            for q in ps:
                if q not in facets and q != person:
                    raise ValueError(f"nested[{f!r}] = {q!r} is not a facet or the person column.")
                if q == f:
                    raise ValueError(f"nested[{f!r}] names the facet itself; a facet cannot be nested in itself.")
            nest[f] = ps
    return df, facets, nest


def _codes(df, cols, score):
    """Factor codes (sorted levels) and the numeric score, rows with a missing score dropped."""
    for c in cols:
        bad = df[c].isna().to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            lab = plain(df.index[pos])
            raise ValueError(
                f"data column {c!r} is missing at row {lab!r} ({int(bad.sum())} rows in all); every rating needs "
                f"its {c}. Fill or drop those rows."
            )
    s = numeric_column(df, score, "score")
    y = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(y).any():
        pos = int(np.flatnonzero(np.isinf(y))[0])
        raise ValueError(
            f"data column {score!r} has an infinite score at row {plain(df.index[pos])!r}. Fix or drop it."
        )
    keep = ~np.isnan(y)
    notes = []
    if not keep.all():
        notes.append(f"{int((~keep).sum())} rows with a missing score were left out")
    codes, levels = [], []
    for c in cols:
        code, uniq = pd.factorize(df[c].to_numpy()[keep], sort=True)
        codes.append(code)
        levels.append(uniq)
    return np.column_stack(codes).astype(np.int64), levels, y[keep], notes


def _key(codes, cols) -> np.ndarray:
    """One int64 per row identifying the combination of ``codes[:, cols]``."""
    key = np.zeros(codes.shape[0], dtype=np.int64)
    for c in cols:
        key = key * np.int64(int(codes[:, c].max()) + 1) + codes[:, c]
    return key


def _n_distinct(codes, cols) -> int:
    return int(len(pd.unique(_key(codes, cols))))


def _check_levels(design: _Design, codes, levels):
    for i, f in enumerate(design.factors):
        if len(levels[i]) < 2:
            what = "candidates" if i == 0 else "levels"
            raise ValueError(
                f"{'person' if i == 0 else 'facet'} {f!r} has only {len(levels[i])} {what} "
                f"({[plain(v) for v in list(levels[i])[:3]]}); a variance component needs at least 2. "
                + ("Drop it from facets (it is constant in this design)." if i else "Provide more candidates.")
            )
    # nesting: each level of a nested facet must sit in one level (combination) of its nesting facets
    for i, ps in design.parents.items():
        f = design.factors[i]
        for q in ps:
            pair = pd.DataFrame({"f": codes[:, i], "q": codes[:, q]}).drop_duplicates()
            multi = pair.groupby("f")["q"].nunique()
            multi = multi[multi > 1]
            if len(multi):
                lev = plain(levels[i][int(multi.index[0])])
                qs = sorted(levels[q][pair.loc[pair.f == multi.index[0], "q"]].tolist())
                qname = design.factors[q]
                raise ValueError(
                    f"nested={{{f!r}: {qname!r}}} is contradicted by the data: {f} {lev!r} appears in "
                    f"{len(qs)} levels of {qname!r} ({qs[:4]}). If labels are reused within each {qname}, make them "
                    f"unique, e.g. data[{f!r}] = data[{qname!r}].astype(str) + '/' + data[{f!r}].astype(str); "
                    f"otherwise treat {f!r} as crossed (drop it from nested)."
                )
    # connectedness: a crossed facet must link the candidates into one group
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_p = len(levels[0])
    for i in range(1, len(design.factors)):
        if design.ancestors[i]:
            continue
        k01 = pd.unique(_key(codes, [0, i]))
        n_f = len(levels[i])
        pair = np.column_stack([k01 // n_f, k01 % n_f])
        adj = coo_matrix(
            (np.ones(len(pair)), (pair[:, 0], n_p + pair[:, 1])), shape=(n_p + n_f, n_p + n_f)
        )
        k, lab = connected_components(adj, directed=False)
        if k > 1:
            f = design.factors[i]
            g0 = [plain(levels[0][j]) for j in np.flatnonzero(lab[:n_p] == lab[0])[:3]]
            other = np.flatnonzero(lab[:n_p] != lab[0])
            g1 = [plain(levels[0][j]) for j in other[:3]]
            raise ValueError(
                f"the design is disconnected: facet {f!r} splits the {design.person} into {k} groups that share no "
                f"{f} (e.g. {g0} vs {g1}), so the {design.person} and {f} effects cannot be separated. Analyse the "
                f"groups separately, or declare {f!r} nested (nested={{{f!r}: ...}}) if its levels belong to a "
                f"grouping facet."
            )


def _effect_groups(design: _Design, codes) -> list[int]:
    """Number of distinct level combinations (groups of ratings) of each effect of the design."""
    return [_n_distinct(codes, sorted(eff)) for eff in design.effects]


def _near_confounded(design: _Design, counts, share: float = 0.05) -> list[str]:
    """Pairs of nested effects whose larger one adds fewer than ``share`` new groups (nearly confounded);
    ``counts`` from :func:`_effect_groups`."""
    out = []
    for i, small in enumerate(design.effects):
        for j, big in enumerate(design.effects):
            if small < big and counts[i] < counts[j] < (1.0 + share) * counts[i]:
                out.append(f"{design.labels[i]} and {design.labels[j]}: only {counts[j] - counts[i]} of the "
                           f"{counts[i]} {design.labels[i]} combinations are split by "
                           f"{[design.factors[k] for k in sorted(big - small)]}")
    return out


def _check_confounding(design: _Design, counts):
    """Raise when two effects group the ratings identically (their components cannot be separated); ``counts``
    from :func:`_effect_groups`."""
    for i, small in enumerate(design.effects):
        for j, big in enumerate(design.effects):
            if small < big and counts[i] == counts[j]:
                extra = [design.factors[k] for k in sorted(big - small)]
                raise ValueError(
                    f"effects {plain(design.labels[i])!r} and {plain(design.labels[j])!r} are confounded in these "
                    f"data: every {design.labels[i]} combination is rated with a single level of {extra}, so their "
                    f"variance components cannot be separated. Collect at least two levels of {extra} within some "
                    f"{design.labels[i]} combinations, or leave {extra} out of facets (their variance then joins the "
                    "components they are confounded with)."
                )


# ----------------------------------------------------------------------------- ANOVA


def _balanced_array(design: _Design, codes, y):
    """The data as a full array (nested facets indexed within their nesting cell), or None if unbalanced."""
    nf = len(design.factors)
    sizes = []
    within = np.empty_like(codes)
    for i in range(nf):
        anc = sorted(design.ancestors[i])
        if not anc:
            within[:, i] = codes[:, i]
            sizes.append(int(codes[:, i].max()) + 1)
            continue
        par = np.zeros(len(y), dtype=np.int64)
        for a in anc:
            par = par * (codes[:, a].max() + 1) + codes[:, a]
        pairs = pd.DataFrame({"par": par, "f": codes[:, i]}).drop_duplicates().sort_values(["par", "f"])
        cnt = pairs.groupby("par").size()
        if cnt.nunique() != 1:
            return None, None
        pairs["w"] = pairs.groupby("par").cumcount()
        w_of_f = pd.Series(pairs["w"].to_numpy(), index=pairs["f"].to_numpy())
        within[:, i] = w_of_f.reindex(codes[:, i]).to_numpy()
        sizes.append(int(cnt.iloc[0]))
    total = int(np.prod(sizes))
    if total != len(y):
        return None, None
    flat = np.ravel_multi_index(tuple(within.T), sizes)
    if np.bincount(flat, minlength=total).max() != 1:
        return None, None
    arr = np.empty(total)
    arr[flat] = y
    return arr.reshape(sizes), sizes


def _anova(design: _Design, arr, sizes):
    nf = len(design.factors)
    N = arr.size
    ne = len(design.effects)
    pos = {eff: j for j, eff in enumerate(design.effects)}
    ss = np.zeros(ne)
    df = np.zeros(ne)
    centered = arr - arr.mean()
    for r in range(1, nf + 1):
        for sub in itertools.combinations(range(nf), r):
            other = tuple(a for a in range(nf) if a not in sub)
            eff = centered.mean(axis=other, keepdims=True) if other else centered
            for a in sub:
                eff = eff - eff.mean(axis=a, keepdims=True)
            j = pos[design.closure(sub)]
            ss[j] += (N / eff.size) * float(np.sum(eff * eff))
            df[j] += float(np.prod([sizes[a] - 1 for a in sub]))
    ms = ss / df
    ems = np.zeros((ne, ne))
    for i, a in enumerate(design.effects):
        for j, b in enumerate(design.effects):
            if a <= b:
                ems[i, j] = float(np.prod([sizes[k] for k in range(nf) if k not in b]))
    est = np.linalg.solve(ems, ms)
    kinv = np.linalg.inv(ems)
    var_ms = 2.0 * ms**2 / (df + 2.0)
    cov = (kinv * var_ms) @ kinv.T
    se = np.sqrt(np.diagonal(cov))
    return ss, df, ms, est, se, cov


# ----------------------------------------------------------------------------- public


def g_study(data, *, score: str = "score", person: str, facets, nested: Mapping[str, Any] | None = None,
            method: str = "auto", n_boot: int = 0, seed=None) -> GStudy:
    """Generalizability (G) study: variance components of a random-effects design.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per rating.
    score : str
        Column with the ratings (numeric; rows with a missing score are left out).
    person : str
        Column identifying the object of measurement (the candidates).
    facets : list of str
        Facet columns, e.g. ``["competency", "exercise", "assessor"]``.
    nested : dict, optional
        Nesting of facets, e.g. ``{"assessor": "exercise"}`` when every
        assessor rates in one exercise only (Brennan's ``a:e``); a value may be
        a list of facets.  Facets not mentioned are crossed.
    method : {"auto", "anova", "reml", "henderson1"}
        ``"anova"`` requires a balanced design (one rating in every cell);
        ``"reml"`` handles any design; ``"auto"`` uses ANOVA when the design is
        balanced and REML otherwise.  ``"henderson1"`` (Henderson's Method 1,
        the analogous-ANOVA procedure of urGENOVA) handles any design in time
        linear in the ratings: for very large designs with assessors drawn at
        random, where exact REML's cost grows as the cube of the assessor
        levels; no standard errors (use ``n_boot``).
    n_boot : int, default 0
        Candidate-bootstrap resamples (0: none; otherwise 2 to 100,000).  Each
        resample draws the candidates with replacement, every drawn candidate
        keeping all its ratings and counting as a new candidate, and refits the
        components (ANOVA on the resampled array, REML started at the
        full-data estimates, or Henderson's Method 1).  The resampled
        components are kept in :attr:`GStudy.boot_components` and give the percentile intervals of G
        and Phi in :meth:`GStudy.d_study` and :meth:`GStudy.oar_reliability`.
    seed : None, int or numpy.random.Generator
        Seed of the bootstrap (counter-based streams: the same seed gives the
        same resamples).

    Returns
    -------
    GStudy
        Components (``variance``, ``se``, ``percent``), the observed design's
        ``g_coefficient`` and ``phi``, and :meth:`GStudy.d_study`,
        :meth:`GStudy.optimize`, :meth:`GStudy.oar_reliability`,
        :meth:`GStudy.score_reliability`, :meth:`GStudy.perspectives`.

    Notes
    -----
    The effects are all combinations of the person and facets allowed by the
    nesting, the highest-order one confounded with error.  ANOVA: with ``pi(b)``
    the product of the sample sizes of the factors not in ``b``,
    ``E MS(a) = sum_{b contains a} pi(b) s2(b)`` is solved for the components
    (Brennan 2001, eq. 3.34); their standard errors are
    ``sqrt(sum_b k_ab^2 2 MS_b^2 / (df_b + 2))`` with ``k`` the inverse
    coefficient matrix (Brennan 2001, eq. 6.1; Searle et al. 1992).  REML: see
    :mod:`psikometri._reml`; the estimates equal ``lme4::lmer(score ~ 1 + (1|p)
    + (1|c) + (1|p:c) + ..., REML = TRUE)`` and the standard errors come from the
    inverse average-information matrix.  Henderson's Method 1 (Searle et al.
    1992, sec. 5.3): the T terms ``T_k = sum_i y_i.^2 / n_i`` of every effect,
    the sum of squared ratings and ``T_mu = y..^2 / N`` are equated to their
    expectations ``E T_k = N mu^2 + sum_l s2_l sum_i (sum_j n_ij^2) / n_i``;
    negative estimates are reported in ``.anova`` and set to zero.

    The candidate bootstrap ("boot-p", Brennan 2001, sec. 6.2.3) keeps the
    facet levels fixed and resamples the object of measurement only.  It is
    meant for intervals of G and Phi, which depend mostly on the candidate
    and candidate-interaction components; for the facet components alone
    boot-p is biased and the Satterthwaite intervals of ``components`` are
    the ones to read.  REML refits cost about one fit each (a warm start saves
    the first iterations); resamples whose fit fails or that hold fewer than
    two distinct candidates are dropped, with a note.  On simulated AC data
    (50 agencies of 40 candidates, ``benchmarks/coverage_gstudy.py``) the 95%
    percentile intervals of the overall rating's G and Phi covered the truth
    88% and 90% of the time, the delta-method intervals 96% and 96%: prefer
    ``ci="delta"`` for small cohorts.

    For an unbalanced design the observed-design coefficients divide each
    component by the harmonic mean, over candidates, of the number of levels
    of the effect's facets that the candidate was rated on (the average error
    variance of a candidate's mean score); :attr:`GStudy.sizes` holds the
    mean numbers of levels per candidate used as default D-study sizes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psikometri as pk
    >>> rng = np.random.default_rng(1)
    >>> p, e, a = np.meshgrid(np.arange(50), np.arange(3), np.arange(2), indexing="ij")
    >>> ratings = pd.DataFrame({"candidate": p.ravel(), "exercise": e.ravel(), "assessor": a.ravel()})
    >>> ratings["score"] = (rng.normal(0, 1, 50)[ratings.candidate] + rng.normal(0, 0.7, 150)[
    ...     ratings.candidate * 3 + ratings.exercise] + rng.normal(0, 0.5, len(ratings)))
    >>> gs = pk.g_study(ratings, score="score", person="candidate", facets=["exercise", "assessor"])
    >>> gs.method
    'anova'
    >>> list(gs.components.index)  # doctest: +NORMALIZE_WHITESPACE
    ['candidate', 'exercise', 'assessor', 'candidate:exercise', 'candidate:assessor',
     'exercise:assessor', 'candidate:exercise:assessor']
    >>> round(gs.g_coefficient, 2)
    0.75
    >>> gs.d_study(exercise=[3, 5], assessor=1)[["exercise", "g_coefficient"]].round(2)
       exercise  g_coefficient
    0         3           0.71
    1         5           0.80
    """
    df, facets, nest = _check_design(data, score, person, facets, nested)
    check_choice(method, ["auto", "anova", "reml", "henderson1"], "method")
    if (isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0
            or n_boot == 1 or n_boot > 100_000):
        raise ValueError(f"n_boot must be 0 (no bootstrap) or an integer from 2 to 100,000; got n_boot={n_boot!r}. "
                         "Use e.g. n_boot=500.")
    from ._resampling import resolve_seed

    seed = resolve_seed(seed)  # checked even without a bootstrap, so that a bad seed is never silently ignored
    design = _Design(person, facets, nest)
    codes, levels, y, notes = _codes(df, design.factors, score)
    if len(y) == 0:
        raise ValueError(f"data has no rating with a score in column {score!r}.")
    if float(np.ptp(y)) == 0.0:
        raise ValueError(
            f"every score in column {score!r} equals {plain(y[0])!r}: there is no variance to decompose. Check the "
            "score column."
        )
    spread = float(np.ptp(y))
    if not 1e-100 < spread < 1e100 or float(np.max(np.abs(y))) > 1e100:
        # squares of such numbers overflow or underflow in double precision: the components would be inf or 0
        raise ValueError(
            f"the scores in column {score!r} span {plain(spread)!r} (largest magnitude "
            f"{plain(float(np.max(np.abs(y))))!r}): too far from the scale of ratings for the sums of squares to be "
            "represented. Rescale the score column (e.g. divide it by a power of ten) and fit again."
        )
    _check_levels(design, codes, levels)
    groups = _effect_groups(design, codes)
    _check_confounding(design, groups)
    ne = len(design.effects)
    arr, sizes = (None, None)
    if method in ("auto", "anova"):
        arr, sizes = _balanced_array(design, codes, y)
        if arr is None and method == "anova":
            raise ValueError(
                "method='anova' needs a balanced design (exactly one rating for every combination of "
                f"{design.person} and facet levels, nested facets with equal numbers per nesting level); this data is "
                "unbalanced or has missing cells. Use method='reml' (or 'auto')."
            )
    anova_tab = None
    loglik = math.nan
    if arr is not None:
        used = "anova"
        ss, dfs, ms, est, se, cov = _anova(design, arr, sizes)
        variance = np.maximum(est, 0.0)
        neg = [design.labels[j] for j in range(ne) if est[j] < 0]
        if neg:
            notes.append(
                "negative ANOVA estimate(s) set to zero (Brennan's convention; the raw values are in .anova and "
                "were used for the other components): " + ", ".join(neg)
            )
        anova_tab = pd.DataFrame({"df": dfs, "ss": ss, "ms": ms, "estimate": est}, index=design.labels)
        anova_tab.index.name = "effect"
        size_map = {f: float(sizes[i + 1]) for i, f in enumerate(facets)}
        div = np.array([float(np.prod([sizes[i] for i in eff if i != 0])) for eff in design.effects])
    elif method == "henderson1":
        used = "henderson1"
        from ._henderson import henderson1

        random_effects = [tuple(sorted(eff)) for eff in design.effects[:-1]]
        near = _near_confounded(design, groups)
        try:
            hf = henderson1(y, codes, np.array([len(lv) for lv in levels]), random_effects)
        except np.linalg.LinAlgError:
            raise ValueError(
                "method='henderson1': the moment equations of these data are singular"
                + (f" ({near[0]})" if near else " (the effects cannot be told apart with so few ratings)")
                + ". Leave out a facet, collect more ratings, or use method='reml'.") from None
        est = hf.estimates
        if near:
            notes.append("nearly confounded effects, whose Henderson estimates are imprecise (they can be far from "
                         "the truth with opposite signs; method='reml' gives standard errors that show it): "
                         + "; ".join(near))
        variance = np.maximum(est, 0.0)
        se = np.full(ne, np.nan)
        cov = None
        neg = [design.labels[j] for j in range(ne) if est[j] < 0]
        if neg:
            notes.append("negative Henderson estimate(s) set to zero (Brennan's convention; the raw values are in "
                         ".anova and were used for the other components): " + ", ".join(neg))
        if not n_boot:
            notes.append("Henderson's Method 1 gives no standard errors; for intervals of G and Phi fit with "
                         "n_boot (candidate bootstrap)")
        anova_tab = pd.DataFrame({"levels": np.append(hf.levels, len(y)), "t_term": hf.t_terms[:ne],
                                  "estimate": est}, index=design.labels)
        anova_tab.index.name = "effect"
        size_map, div = _unbalanced_sizes(design, codes, notes)
    else:
        used = "reml"
        from ._reml import fit_reml

        random_effects = [tuple(sorted(eff)) for eff in design.effects[:-1]]
        try:
            fit = fit_reml(y, codes, np.array([len(lv) for lv in levels]), random_effects)
        except np.linalg.LinAlgError:
            raise ValueError(
                f"REML cannot be fitted to these data: {len(y)} ratings for {ne} variance components leave the "
                "likelihood without a usable maximum (its matrices became singular). Leave out a facet (fewer "
                "interaction components) or collect more ratings per candidate.") from None
        variance = fit.variances
        se = fit.se
        cov = fit.cov
        loglik = fit.loglik
        if not fit.converged:
            notes.append(f"REML did not converge in {fit.iterations} iterations; treat the estimates with caution")
        zero = [design.labels[j] for j in range(ne) if fit.boundary[j]]
        if zero:
            notes.append("REML estimate(s) on the boundary (zero, standard error undefined): " + ", ".join(zero))
        size_map, div = _unbalanced_sizes(design, codes, notes)
    boot = None
    if n_boot:
        if used == "anova":
            reps = _boot_anova(design, arr, sizes, int(n_boot), seed)
        elif used == "henderson1":
            reps = _boot_henderson1(y, codes, random_effects, int(n_boot), seed)
        else:
            reps = _boot_reml(y, codes, random_effects, variance, fit.boundary, int(n_boot), seed)
        good = np.isfinite(reps).all(axis=1)
        if not good.all():
            notes.append(f"{int((~good).sum())} of {int(n_boot)} bootstrap resamples could not be fitted and were "
                         "left out")
        boot = pd.DataFrame(reps[good], columns=pd.Index(design.labels, name="effect"))
    total = float(variance.sum())
    lo, hi = _satterthwaite_ci(variance, se, 0.95)
    comp = pd.DataFrame(
        {"variance": variance, "se": se, "ci_low": lo, "ci_high": hi,
         "percent": 100.0 * variance / total if total > 0 else np.nan},
        index=pd.Index(design.labels, name="effect"),
    )
    return GStudy(
        components=comp, method=used, loglik=loglik, person=person, facets=tuple(facets), nested=nest,
        sizes=size_map, n_persons=len(levels[0]), n_obs=len(y), anova=anova_tab, notes=tuple(notes),
        _effects=tuple(design.effects), _observed_divisors=div, _cov=cov, boot_components=boot,
    )


def _boot_anova(design: _Design, arr, sizes, n_boot: int, seed: int) -> np.ndarray:
    """ANOVA components (negative estimates set to zero) of candidate-bootstrap resamples of a balanced array."""
    from ._resampling import bootstrap_indices

    idx = bootstrap_indices(arr.shape[0], n_boot, seed)
    reps = np.full((n_boot, len(design.effects)), np.nan)
    for b in range(n_boot):
        if len(np.unique(idx[b])) < 2:
            continue
        est = _anova(design, arr[idx[b]], sizes)[3]
        reps[b] = np.maximum(est, 0.0)
    return reps


def _resample_rows(codes, draw, order, starts, counts):
    """Rows and recoded design of one candidate-bootstrap resample (each drawn candidate a new candidate)."""
    n_p = len(draw)
    rows = np.concatenate([order[starts[c]:starts[c + 1]] for c in draw])
    sub = codes[rows].copy()
    sub[:, 0] = np.repeat(np.arange(n_p, dtype=np.int64), counts[draw])
    nl = np.empty(sub.shape[1], dtype=np.int64)
    nl[0] = n_p
    for j in range(1, sub.shape[1]):
        sub[:, j] = np.unique(sub[:, j], return_inverse=True)[1].ravel()
        nl[j] = int(sub[:, j].max()) + 1
    return rows, sub, nl


def _person_index(codes):
    n_p = int(codes[:, 0].max()) + 1
    order = np.argsort(codes[:, 0], kind="stable")
    starts = np.zeros(n_p + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes[:, 0], minlength=n_p), out=starts[1:])
    return n_p, order, starts, np.diff(starts)


def _boot_henderson1(y, codes, effects, n_boot: int, seed: int) -> np.ndarray:
    """Henderson's Method 1 components (negative estimates set to zero) of candidate-bootstrap resamples."""
    from ._henderson import henderson1
    from ._resampling import bootstrap_indices

    n_p, order, starts, counts = _person_index(codes)
    idx = bootstrap_indices(n_p, n_boot, seed)
    reps = np.full((n_boot, len(effects) + 1), np.nan)
    for b in range(n_boot):
        if len(np.unique(idx[b])) < 2:
            continue
        rows, sub, nl = _resample_rows(codes, idx[b], order, starts, counts)
        yb = y[rows]
        if float(np.ptp(yb)) == 0.0:
            continue
        try:
            reps[b] = np.maximum(henderson1(yb, sub, nl, effects).estimates, 0.0)
        except np.linalg.LinAlgError:
            continue
    return reps


def _boot_reml(y, codes, effects, variance, boundary, n_boot: int, seed: int) -> np.ndarray:
    """REML components of candidate-bootstrap resamples, each fit started at the full-data estimates."""
    from ._resampling import bootstrap_indices
    from ._threads import numba_threads, single_thread_blas

    n_p, order, starts, counts = _person_index(codes)
    start = np.asarray(variance, dtype=float).copy()
    total = float(start.sum())
    # a component on the boundary starts a little inside, so that a resample can move it either way
    start[:-1] = np.where(boundary[:-1], 1e-3 * total / len(start), start[:-1])
    idx = bootstrap_indices(n_p, n_boot, seed)
    reps = np.full((n_boot, len(effects) + 1), np.nan)
    with numba_threads(1 if n_p <= 1000 else 2**31), single_thread_blas():
        # many small refits: one thread each (parallel kernels and BLAS threads only spin on so little work)
        _refit_resamples(y, codes, effects, start, order, starts, counts, idx, reps)
    return reps


def _refit_resamples(y, codes, effects, start, order, starts, counts, idx, reps):
    """REML refits of each resample ``idx[b]`` into ``reps[b]`` (NaN when it cannot be fitted)."""
    from ._reml import RemlProblem

    for b in range(idx.shape[0]):
        draw = idx[b]
        if len(np.unique(draw)) < 2:
            continue
        rows, sub, nl = _resample_rows(codes, draw, order, starts, counts)
        yb = y[rows]
        if float(np.ptp(yb)) == 0.0:
            continue
        try:
            fit = RemlProblem(yb, sub, nl, effects).fit(start=start)
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            continue
        if fit.converged:
            reps[b] = fit.variances


def _unbalanced_sizes(design: _Design, codes, notes: list):
    """:func:`_observed_sizes`, with a note when the candidates see fewer facet combinations than a complete design."""
    size_map, div = _observed_sizes(design, codes)
    full = float(np.prod(list(size_map.values())))
    seen = div[-1]
    if seen < 0.95 * full:
        notes.append(
            f"incomplete design: a candidate has ratings in {seen:.1f} (harmonic mean) of the {full:.1f} facet "
            "combinations of a complete design with the sizes in .sizes; g_coefficient and phi use the observed "
            "design, d_study() assumes a complete design with the sizes given"
        )
    return size_map, div


def _observed_sizes(design: _Design, codes):
    """Mean levels per candidate of each facet and the per-effect harmonic-mean divisors."""
    n_p = int(codes[:, 0].max()) + 1
    person = codes[:, 0]

    def per_person_count(cols):
        if not cols:
            return np.ones(n_p)
        keys = pd.unique(_key(codes, [0] + list(cols)))
        width = np.int64(1)
        for c in cols:
            width *= np.int64(int(codes[:, c].max()) + 1)
        return np.bincount(keys // width, minlength=n_p).astype(float)

    sizes = {}
    for i, f in enumerate(design.facets, start=1):
        anc = sorted(a for a in design.ancestors[i] if a != 0)
        with_f = per_person_count(sorted(anc + [i]))
        par = per_person_count(anc)
        sizes[f] = float(np.mean(with_f / par))
    div = np.empty(len(design.effects))
    for j, eff in enumerate(design.effects):
        cnt = per_person_count(sorted(eff - {0}))
        cnt = cnt[cnt > 0]
        div[j] = 1.0 / float(np.mean(1.0 / cnt))
    del person
    return sizes, div
