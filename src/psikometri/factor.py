"""Confirmatory factor analysis (CFA) and measurement invariance across groups.

A CFA model states which observed indicators measure which latent factors.  For
``p`` indicators and ``m`` factors, in group ``g``,

    Sigma_g(theta) = Lambda_g Psi_g Lambda_g' + Theta_g,     mu_g(theta) = nu_g + Lambda_g alpha_g

with the loadings ``Lambda`` (p x m), the factor (co)variances ``Psi`` (m x m),
the residual (co)variances ``Theta`` (p x p), the intercepts ``nu`` and the latent
means ``alpha``.  The parameters are estimated by normal-theory maximum likelihood
(Joreskog 1969) from the sample moments only: the covariance matrix ``S_g``
(divisor ``N_g``) and, with a mean structure, the means ``ybar_g``.  The
discrepancy function minimised is

    F = sum_g (N_g / N) [ log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p
                          + (ybar_g - mu_g)' Sigma_g^-1 (ybar_g - mu_g) ]

and the likelihood-ratio statistic is ``chisq = N F``.  Everything follows lavaan
0.6 (Rosseel 2012) with its defaults for ``cfa()``: marker-variable
identification (first loading of each factor fixed to 1) or ``std_lv=True``
(factor variances fixed to 1), correlated factors, likelihood "normal" (``N``,
not ``N - 1``), standard errors from the expected information, a mean structure
whenever groups are compared, and lavaan's definitions of the fit measures
(CFI, TLI, RMSEA with ``sqrt(G)`` for ``G`` groups and its 90% interval, SRMR
as Bentler's standardised root mean square residual including the means).

Model syntax (lavaan's, for the CFA part)
-----------------------------------------
``f =~ x1 + x2 + x3`` loadings; ``f1 ~~ f2`` covariance, ``x1 ~~ x1`` variance,
``f1 ~~ 0*f2`` a fixed value, ``x1 ~~ x2`` a residual covariance; ``x1 ~ 1``
an intercept; modifiers ``1*x1`` (fixed), ``NA*x1`` (free, e.g. a marker),
``a*x2`` (a label: equal labels give one parameter), ``start(0.7)*x2`` (start
value) and per group ``c(1, NA)*x1`` / ``c(a, b)*x2``.  Comments start with
``#`` or ``!``; statements are separated by new lines or ``;`` and continue on
the next line after a trailing ``+``.  A mapping ``{factor: [indicators]}`` is
the same as one ``=~`` line per factor.  Regressions (``~``), second-order
factors and defined parameters are not part of this module.

Private engine (for modules built on this one)
-----------------------------------------------
The public functions are thin wrappers around private functions that take no
pandas and can be called repeatedly (e.g. several competency x exercise models
on the same data):

``_indicators(spec) -> tuple``
    The indicator names of a model (syntax or mapping), in model order.
``_build_model(spec, *, ngroups=1, std_lv=False, meanstructure=False, group_equal=()) -> _Model``
    Parse lavaan syntax or a ``{factor: [indicators]}`` mapping into a
    parameter table (:class:`_Model`: ``ov`` indicator names in model order,
    ``lv`` factor names, ``params`` rows with ``lhs, op, rhs, group, free,
    value, label``, ``npar``, ``df()``).  Raises ``ValueError`` for syntax
    errors.
``_sample_moments(X_groups) -> (S, means, nobs)``
    Covariance matrices (divisor ``N_g``), means and sizes of a list of
    complete-data arrays (rows = persons, columns in ``model.ov`` order).
``_check_identified(model)``
    Single-indicator factors, negative degrees of freedom and a rank test of
    the model's Jacobian at a random point; raises ``ValueError`` naming the
    factor / parameters (optional: costs a few ms).
``_fit_ml(model, S, means, nobs, *, start=None, max_iter=500, gtol=1e-9, bounds=None, patience=25) -> _MLFit``
    Fisher scoring with the analytic gradient and expected information,
    Levenberg-Marquardt damping and a line search, then Newton steps with the
    observed information near the minimum (``_iterate``, the one optimiser of
    every model here: groups, mean structures, and the AC model set of
    :mod:`psikometri.construct`), run as one numba kernel
    (:func:`psikometri._factor_kernels.iterate`, which also computes F, the
    gradient and both information matrices); cost per iteration independent
    of ``N``.  Converged at a gradient below
    ``gtol`` or at the rounding floor of F (Newton decrement); with ``bounds`` (one positive
    number per free parameter) a run whose estimates stay beyond them for
    ``patience`` iterations stops as diverging (no finite minimum).  Never
    raises for a bad solution: ``_MLFit.converged``, ``.admissible`` and
    ``.notes`` report non-convergence, Heywood cases (negative variances),
    non-positive-definite latent covariance matrices and a singular
    information matrix.  ``_MLFit.fit`` is the dict of fit measures (the keys
    of ``CFAResult.fit``), ``.est`` / ``.se`` the estimates and standard
    errors per parameter row, ``.x`` the free parameter vector (pass it as
    ``start=`` to refit the same model, e.g. on a resample), ``.vcov`` its
    covariance matrix, ``.sigma`` / ``.mu`` the model-implied moments per
    group (``mu`` = the sample means without a mean structure).
    ``_minimise`` (same arguments) runs the minimisation alone and returns the
    arguments of ``_finish``, which adds standard errors, fit measures and the
    admissibility checks: to choose among several runs before finishing one.
``_result(model, fit, groups=()) -> CFAResult``
    The public result (tidy tables, standardized solutions) of an engine fit.

Example: ``m = _build_model("C1 =~ a + b + c\\nE1 =~ a + d + e")``; ``S, mu, n =
_sample_moments([X])`` with the columns of ``X`` in ``m.ov`` order; ``fit =
_fit_ml(m, S, mu, n)``; then ``fit.fit["cfi"]``, ``fit.converged``,
``fit.admissible``, ``fit.notes``.

References
----------
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
invariance. *Structural Equation Modeling*, 14(3), 464-504.
Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for
testing measurement invariance. *Structural Equation Modeling*, 9(2), 233-255.
Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
structure analysis. *Structural Equation Modeling*, 6(1), 1-55.
Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood
factor analysis. *Psychometrika*, 34(2), 183-202.
Kenny, D. A., & Kashy, D. A. (1992). Analysis of the multitrait-multimethod
matrix by confirmatory factor analysis. *Psychological Bulletin*, 112(1), 165-172.
Lance, C. E., Lambert, T. A., Gewin, A. G., Lievens, F., & Conway, J. M. (2004).
Revised estimates of dimension and exercise variance components in assessment
center postexercise dimension ratings. *Journal of Applied Psychology*, 89(2),
377-385.
Marquardt, D. W. (1963). An algorithm for least-squares estimation of nonlinear
parameters. *Journal of the Society for Industrial and Applied Mathematics*,
11(2), 431-441.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
*Journal of Statistical Software*, 48(2), 1-36.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._threads import single_threaded_blas
from ._validation import (check_choice, check_dataframe, check_real, check_text_distinct, check_unique_columns,
                          numeric_column, plain, sorted_labels)

__all__ = ["cfa", "measurement_invariance", "CFAResult"]

# matrices of the parameter table
_LAMBDA, _THETA, _PSI, _NU, _ALPHA = range(5)
_GROUP_EQUAL = ("loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
                "lv.covariances")
_FIT_ORDER = ("npar", "ntotal", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "baseline_pvalue", "cfi",
              "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr", "loglik", "unrestricted_loglik", "aic", "bic")


# ----------------------------------------------------------------------------- syntax


@dataclass(frozen=True)
class _Mod:
    """Modifier of one term in one group: fixed value, free (NA), label, start value."""

    fixed: float | None = None
    free: bool = False
    label: str | None = None
    start: float | None = None

    def merge(self, other: _Mod) -> _Mod:
        return _Mod(
            fixed=other.fixed if other.fixed is not None else (None if other.free else self.fixed),
            free=other.free or (self.free and other.fixed is None),
            label=other.label if other.label is not None else self.label,
            start=other.start if other.start is not None else self.start,
        )


@dataclass(frozen=True)
class _Statement:
    lhs: str
    op: str  # "=~", "~~", "~1"
    rhs: str
    mods: tuple  # one _Mod per group
    text: str


_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"
_NAME_RE = re.compile(rf"^{_NAME}$")
_NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses (and not inside a number's exponent for '+')."""
    if "(" not in text and ")" not in text and not (sep == "+" and ("e+" in text or "E+" in text)):
        return text.split(sep)  # nothing to skip: the loop below would split at every sep
    out, depth, cur = [], 0, []
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            if sep == "+" and i > 0 and text[i - 1] in "eE" and i > 1 and text[i - 2].isdigit():
                cur.append(ch)
                continue
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _parse_value(tok: str, stmt: str) -> _Mod:
    tok = tok.strip()
    if tok in ("NA", "na"):
        return _Mod(free=True)
    if _NUM_RE.match(tok):
        return _Mod(fixed=float(tok))
    m = re.match(r"^start\((.*)\)$", tok)
    if m:
        v = m.group(1).strip()
        if not _NUM_RE.match(v):
            raise ValueError(f"model: start() needs a number in {stmt!r}; got {tok!r}. Write e.g. start(0.7)*x2.")
        return _Mod(start=float(v))
    m = re.match(r"^equal\((.*)\)$", tok)
    if m:
        lab = m.group(1).strip().strip("'\"").strip()
        if not _NAME_RE.match(lab):
            raise ValueError(
                f"model: equal({m.group(1).strip()}) in {stmt!r} refers to a parameter by its name; only equal() of a "
                "label is supported. Give both parameters the same label instead, e.g. 'A =~ l1*a1 + l1*a2'.")
        return _Mod(label=lab)
    if _NAME_RE.match(tok):
        return _Mod(label=tok)
    raise ValueError(
        f"model: cannot read the modifier {tok!r} in {stmt!r}. Use a number (fixed value), NA (free), a label, "
        "start(value), or c(...) with one of these per group."
    )


def _parse_modifier(tok: str, stmt: str):
    """A modifier: a single _Mod (all groups) or a list of _Mod (one per group, from c(...))."""
    tok = tok.strip()
    m = re.match(r"^c\((.*)\)$", tok)
    if m:
        return [_parse_value(t, stmt) for t in _split_top(m.group(1), ",")]
    return _parse_value(tok, stmt)


def _parse_terms(rhs: str, stmt: str) -> list[tuple[str, list]]:
    terms = []
    for term in _split_top(rhs, "+"):
        term = term.strip()
        if not term:
            raise ValueError(f"model: empty term in {stmt!r} (a '+' with nothing after it?). Remove the extra '+'.")
        parts = _split_top(term, "*")
        name = parts[-1].strip()
        if not (_NAME_RE.match(name) or name == "1"):
            raise ValueError(
                f"model: {name!r} in {stmt!r} is not a variable name. Names start with a letter and hold letters, "
                "digits, '_' or '.'."
            )
        terms.append((name, [_parse_modifier(p, stmt) for p in parts[:-1]]))
    return terms


def _statements_from_syntax(syntax: str) -> list[tuple[str, str, str, list, str]]:
    lines = []
    for raw in syntax.replace("\r", "\n").split("\n"):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for piece in line.split(";"):
            piece = piece.strip()
            if not piece:
                continue
            has_op = bool(re.search(r"=~|~~|~|:=|==|<|>|\|", piece))
            if lines and (not has_op or lines[-1].endswith("+") or piece.startswith("+")):
                lines[-1] = lines[-1] + " " + piece
            else:
                lines.append(piece)
    out = []
    for line in lines:
        stmt = " ".join(line.split())
        for op in ("=~", "~~", ":=", "==", "<", ">", "|", "~"):
            if op in line:
                break
        else:
            raise ValueError(
                f"model: {stmt!r} has no operator. Write loadings as 'factor =~ x1 + x2 + x3' and (co)variances "
                "as 'a ~~ b'."
            )
        if op in (":=", "==", "<", ">", "|"):
            raise ValueError(
                f"model: the operator {op!r} in {stmt!r} is not supported by psikometri.cfa (defined parameters, "
                "explicit constraints and thresholds are not implemented). Use equal labels (a*x1, a*x2) for equality "
                "constraints."
            )
        lhs, rhs = line.split(op, 1)
        lhs, rhs = lhs.strip(), rhs.strip()
        if op == "~":
            if re.match(r"^(.*\*)?\s*1$", rhs) or rhs == "1":
                op = "~1"
            else:
                raise ValueError(
                    f"model: {stmt!r} is a regression ('~'); a CFA has only loadings (=~), (co)variances (~~) and "
                    "intercepts (~ 1). Use a structural equation modelling package for regressions among factors."
                )
        if not lhs or not rhs:
            raise ValueError(f"model: {stmt!r} needs a left- and a right-hand side.")
        lhs_names = [t.strip() for t in _split_top(lhs, "+")]
        for ln in lhs_names:
            if not _NAME_RE.match(ln):
                raise ValueError(f"model: {ln!r} on the left of {stmt!r} is not a variable name.")
        for ln in lhs_names:
            for name, mods in _parse_terms(rhs, stmt):
                if op == "~1":
                    if name != "1":
                        raise ValueError(f"model: write an intercept as 'x1 ~ 1'; got {stmt!r}.")
                elif name == "1":
                    raise ValueError(f"model: '1' is not a variable in {stmt!r}.")
                out.append((ln, op, "" if op == "~1" else name, mods, stmt))
    if not out:
        raise ValueError("model is empty. Give at least one line 'factor =~ x1 + x2 + x3'.")
    return out


def _statements_from_mapping(spec: Mapping) -> list[tuple[str, str, str, list, str]]:
    out = []
    for f, inds in spec.items():
        if not isinstance(f, str) or not _NAME_RE.match(f):
            raise ValueError(f"model: factor name {f!r} must be a string starting with a letter.")
        if isinstance(inds, str) or not isinstance(inds, Sequence) or not all(isinstance(i, str) for i in inds):
            raise TypeError(
                f"model: the indicators of factor {f!r} must be a list of column names; got {inds!r}. "
                "Write e.g. {'visual': ['x1', 'x2', 'x3']}."
            )
        if len(inds) == 0:
            raise ValueError(f"model: factor {f!r} has no indicators. Give at least one (three are advisable).")
        text = f"{f} =~ " + " + ".join(inds)
        for i in inds:
            out.append((f, "=~", i, [], text))
    if not out:
        raise ValueError("model is an empty mapping. Give {factor: [indicators]}.")
    return out


def _indicators(spec) -> tuple[str, ...]:
    """The observed indicators of a model, in model order (factors are the left-hand sides of '=~')."""
    if isinstance(spec, str):
        raw = _statements_from_syntax(spec)
    elif isinstance(spec, Mapping):
        raw = _statements_from_mapping(spec)
    else:
        raise TypeError(
            f"model must be lavaan syntax (str) or a mapping {{factor: [indicators]}}; got {type(spec).__name__}."
        )
    lv = {lhs for lhs, op, *_ in raw if op == "=~"}
    ov: list[str] = []
    for lhs, op, rhs, *_ in raw:
        if op == "=~" and rhs not in lv and rhs not in ov:
            ov.append(rhs)
    return tuple(ov)


# ----------------------------------------------------------------------------- parameter table


@dataclass
class _Param:
    lhs: str
    op: str
    rhs: str
    group: int
    mat: int
    row: int
    col: int
    free: int  # -1 fixed, else index into x
    value: float  # the fixed value, or a start value (nan: default start)
    label: str
    user: bool


@dataclass
class _Model:
    """Parameter table of a CFA model (see the module docstring)."""

    ov: tuple[str, ...]
    lv: tuple[str, ...]
    ngroups: int
    meanstructure: bool
    std_lv: bool
    group_equal: tuple[str, ...]
    params: list[_Param]
    npar: int
    syntax: str
    # per group: base matrices (fixed values) and free entries per matrix: (rows, cols, x index)
    _base: list = field(default_factory=list, repr=False)
    _free: list = field(default_factory=list, repr=False)
    _rows: list = field(default_factory=list, repr=False)  # per group: arrays (mat, row, col, xidx) of free rows
    _unique_rows: list = field(default_factory=list, repr=False)  # per group: no two free rows share a parameter

    @property
    def p(self) -> int:
        return len(self.ov)

    @property
    def m(self) -> int:
        return len(self.lv)

    def n_moments(self) -> int:
        p = self.p
        return self.ngroups * (p * (p + 1) // 2 + (p if self.meanstructure else 0))

    def df(self) -> int:
        return self.n_moments() - self.npar

    def param_name(self, k: int) -> str:
        """Readable name of free parameter ``k`` (its first row), e.g. ``visual=~x2`` or ``x1~~x1 [group 2]``."""
        for r in self.params:
            if r.free == k:
                s = f"{r.lhs}{r.op}{r.rhs}"
                return s + (f" [group {r.group + 1}]" if self.ngroups > 1 else "")
        return f"parameter {k}"


def _build_model(spec, *, ngroups: int = 1, std_lv: bool = False, meanstructure: bool = False,
                 group_equal: Sequence[str] = ()) -> _Model:
    """Parse ``spec`` (lavaan syntax or ``{factor: [indicators]}``) into a :class:`_Model`."""
    if isinstance(spec, str):
        raw = _statements_from_syntax(spec)
        syntax = spec
    elif isinstance(spec, Mapping):
        raw = _statements_from_mapping(spec)
        syntax = "\n".join(f"{f} =~ " + " + ".join(v) for f, v in spec.items())
    else:
        raise TypeError(
            f"model must be lavaan syntax (str) or a mapping {{factor: [indicators]}}; got {type(spec).__name__}."
        )
    group_equal = tuple(group_equal)
    # expand modifiers per group
    stmts: list[_Statement] = []
    for lhs, op, rhs, mods, text in raw:
        per = [_Mod() for _ in range(ngroups)]
        for mod in mods:
            if isinstance(mod, list):
                if len(mod) != ngroups:
                    raise ValueError(
                        f"model: c(...) in {text!r} has {len(mod)} values but there are {ngroups} group(s). Give "
                        "one value per group."
                    )
                per = [a.merge(b) for a, b in zip(per, mod)]
            else:
                per = [a.merge(mod) for a in per]
        stmts.append(_Statement(lhs, op, rhs, tuple(per), text))

    lv: list[str] = []
    for s in stmts:
        if s.op == "=~" and s.lhs not in lv:
            lv.append(s.lhs)
    if not lv:
        raise ValueError("model has no factor: give at least one line 'factor =~ x1 + x2 + x3'.")
    ov: list[str] = []
    for s in stmts:
        if s.op == "=~":
            if s.rhs in lv:
                raise ValueError(
                    f"model: {s.rhs!r} is a factor and also an indicator of {s.lhs!r} ({s.text!r}); second-order "
                    "factors are not supported by psikometri.cfa."
                )
            if s.rhs not in ov:
                ov.append(s.rhs)
    if set(ov) & set(lv):
        raise ValueError(f"model: {sorted(set(ov) & set(lv))} are used both as factors and as indicators.")
    known = set(ov) | set(lv)
    for s in stmts:
        for v in (s.lhs, s.rhs) if s.op == "~~" else (s.lhs,):
            if v not in known:
                raise ValueError(
                    f"model: {v!r} in {s.text!r} is neither a factor nor an indicator of a factor. Every "
                    "variable must appear in a '=~' line."
                )
        if s.op == "~~" and ((s.lhs in lv) != (s.rhs in lv)):
            raise ValueError(
                f"model: {s.text!r} relates a factor to an indicator; covariances are between factors or between "
                "indicators' residuals."
            )
    if any(s.op == "~1" for s in stmts):
        meanstructure = True
    oi = {v: i for i, v in enumerate(ov)}
    li = {v: i for i, v in enumerate(lv)}

    params: list[_Param] = []
    seen_load: set = set()
    for g in range(ngroups):
        first_done: set = set()
        # loadings
        for s in stmts:
            if s.op != "=~":
                continue
            key = (s.lhs, s.rhs, g)
            if key in seen_load:
                raise ValueError(f"model: the loading {s.lhs} =~ {s.rhs} is given twice. Give it once.")
            seen_load.add(key)
            mod = s.mods[g]
            first = s.lhs not in first_done
            first_done.add(s.lhs)
            if mod.fixed is not None:
                free, val = False, mod.fixed
            elif mod.free or mod.start is not None:
                free, val = True, (mod.start if mod.start is not None else math.nan)
            elif first and not std_lv:
                free, val = False, 1.0
            else:
                free, val = True, math.nan
            params.append(_Param(s.lhs, "=~", s.rhs, g, _LAMBDA, oi[s.rhs], li[s.lhs], 0 if free else -1, val,
                                 mod.label or "", True))
        # (co)variances
        user_cov: dict = {}
        for s in stmts:
            if s.op != "~~":
                continue
            is_lv = s.lhs in lv
            idx = li if is_lv else oi
            a, b = sorted((s.lhs, s.rhs), key=lambda v: idx[v])
            if (a, b) in user_cov:
                raise ValueError(f"model: the (co)variance {a} ~~ {b} is given twice. Give it once.")
            user_cov[(a, b)] = s
        def cov_row(a, b, default_free, default_val):
            is_lv = a in lv
            mat, idx = (_PSI, li) if is_lv else (_THETA, oi)
            s = user_cov.get((a, b))
            if s is not None:
                mod = s.mods[g]
                if mod.fixed is not None:
                    free, val = False, mod.fixed
                elif mod.free or mod.start is not None or mod.label:
                    free, val = True, (mod.start if mod.start is not None else math.nan)
                else:
                    free, val = True, math.nan
                label, user = mod.label or "", True
            else:
                free, val, label, user = default_free, default_val, "", False
            r, c = idx[b], idx[a]  # lower triangle: row >= col
            params.append(_Param(a, "~~", b, g, mat, r, c, 0 if free else -1, val, label, user))

        # user-specified (co)variances first (lavaan's order), then the defaults
        done: set = set()
        for s in stmts:
            if s.op == "~~":
                idx = li if s.lhs in lv else oi
                a, b = sorted((s.lhs, s.rhs), key=lambda v: idx[v])
                if (a, b) in done:
                    continue
                done.add((a, b))
                if a == b and a in lv:
                    cov_row(a, b, not std_lv, 1.0 if std_lv else math.nan)
                else:
                    cov_row(a, b, True, math.nan)
        for v in ov:
            if (v, v) not in done:
                cov_row(v, v, True, math.nan)
        free_lv_var = std_lv and g > 0 and "loadings" in group_equal
        for v in lv:
            if (v, v) not in done:
                fixed_one = std_lv and not free_lv_var
                cov_row(v, v, not fixed_one, 1.0 if fixed_one else math.nan)
        for i, a in enumerate(lv):
            for b in lv[i + 1:]:
                if (a, b) not in done:
                    cov_row(a, b, True, math.nan)
        # means
        if meanstructure:
            user_mean = {s.lhs: s for s in stmts if s.op == "~1"}
            free_alpha = g > 0 and "intercepts" in group_equal and "means" not in group_equal
            for v in ov + lv:
                s = user_mean.get(v)
                is_lv = v in lv
                if s is not None:
                    mod = s.mods[g]
                    if mod.fixed is not None:
                        free, val = False, mod.fixed
                    else:
                        free, val = True, (mod.start if mod.start is not None else math.nan)
                    label, user = mod.label or "", True
                else:
                    free = (not is_lv) or free_alpha
                    val, label, user = (math.nan if free else 0.0), "", False
                params.append(_Param(v, "~1", "", g, _ALPHA if is_lv else _NU, li[v] if is_lv else oi[v], 0,
                                     0 if free else -1, val, label, user))

    # free parameter indices: labels and group.equal share one index
    kinds = {
        "loadings": lambda r: r.op == "=~",
        "intercepts": lambda r: r.mat == _NU,
        "means": lambda r: r.mat == _ALPHA,
        "residuals": lambda r: r.mat == _THETA and r.lhs == r.rhs,
        "residual.covariances": lambda r: r.mat == _THETA and r.lhs != r.rhs,
        "lv.variances": lambda r: r.mat == _PSI and r.lhs == r.rhs,
        "lv.covariances": lambda r: r.mat == _PSI and r.lhs != r.rhs,
    }
    for ge in group_equal:
        if ge not in kinds:
            raise ValueError(f"group_equal entries must be among {list(_GROUP_EQUAL)}; got {ge!r}.")
    first_group = {(r.lhs, r.op, r.rhs): r for r in params if r.group == 0}
    keys: dict = {}
    for r in params:
        if r.free < 0:
            continue
        if r.label:
            key = ("label", r.label)
        else:
            key = ("row", r.group, r.lhs, r.op, r.rhs)
            if r.group > 0 and any(kinds[ge](r) for ge in group_equal):
                r0 = first_group.get((r.lhs, r.op, r.rhs))
                if r0 is not None and r0.free >= 0:
                    key = ("label", r0.label) if r0.label else ("row", 0, r.lhs, r.op, r.rhs)
        if key not in keys:
            keys[key] = len(keys)
        r.free = keys[key]
    model = _Model(tuple(ov), tuple(lv), ngroups, meanstructure, std_lv, group_equal, params, len(keys), syntax)
    _index_model(model)
    return model


def _index_model(model: _Model) -> None:
    p, m = model.p, model.m
    model._base, model._free, model._rows, model._unique_rows = [], [], [], []
    for g in range(model.ngroups):
        base = [np.zeros((p, m)), np.zeros((p, p)), np.zeros((m, m)), np.zeros(p), np.zeros(m)]
        free = {k: ([], [], []) for k in range(5)}
        rows = []
        for r in model.params:
            if r.group != g:
                continue
            if r.free < 0:
                if r.mat in (_NU, _ALPHA):
                    base[r.mat][r.row] = r.value
                else:
                    base[r.mat][r.row, r.col] = r.value
                    if r.mat in (_THETA, _PSI):
                        base[r.mat][r.col, r.row] = r.value
            else:
                free[r.mat][0].append(r.row)
                free[r.mat][1].append(r.col)
                free[r.mat][2].append(r.free)
                rows.append((r.mat, r.row, r.col, r.free))
        model._base.append(base)
        model._free.append({k: tuple(np.asarray(a, dtype=np.int64) for a in v) for k, v in free.items()})
        arr = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
        model._rows.append(arr)
        model._unique_rows.append(len(np.unique(arr[:, 3])) == arr.shape[0])


# ----------------------------------------------------------------------------- moments and matrices


def _sample_moments(X_groups):
    """``(S, means, nobs)`` of a list of complete arrays: covariances with divisor N (lavaan's likelihood "normal")."""
    S, means, nobs = [], [], []
    for X in X_groups:
        X = np.ascontiguousarray(X, dtype=float)
        n = X.shape[0]
        mu = X.mean(axis=0)
        Xc = X - mu
        S.append((Xc.T @ Xc) / n)
        means.append(mu)
        nobs.append(n)
    return S, means, nobs


def _matrices(model: _Model, x: np.ndarray, g: int):
    L, T, P, nu, al = (b.copy() for b in model._base[g])
    fr = model._free[g]
    r, c, k = fr[_LAMBDA]
    L[r, c] = x[k]
    for M, mat in ((T, _THETA), (P, _PSI)):
        r, c, k = fr[mat]
        M[r, c] = x[k]
        M[c, r] = x[k]
    r, _, k = fr[_NU]
    nu[r] = x[k]
    r, _, k = fr[_ALPHA]
    al[r] = x[k]
    return L, T, P, nu, al


def _implied(model: _Model, x: np.ndarray, g: int):
    L, T, P, nu, al = _matrices(model, x, g)
    LP = L @ P
    Sig = LP @ L.T + T
    mu = nu + L @ al
    return L, T, P, nu, al, LP, Sig, mu


def _kernels():
    """The numba kernels (:mod:`psikometri._factor_kernels`), imported on first use (no compilation at import)."""
    global _K
    if _K is None:
        from . import _factor_kernels

        _K = _factor_kernels
    return _K


_K = None


def _stacked_args(model: _Model, S, means) -> tuple:
    """The arguments of the kernels :func:`psikometri._factor_kernels.objective`, ``gradient`` and ``iterate``
    after ``x`` (and ``F``): the free rows of every group one after the other with their offsets, the base
    matrices, ``S_g`` and the mean vectors stacked over the groups (contiguous float64), and whether there is a
    mean structure."""
    G, p = model.ngroups, model.p
    ms = bool(model.meanstructure)
    off = np.zeros(G + 1, dtype=np.int64)
    off[1:] = np.cumsum([model._rows[g].shape[0] for g in range(G)])
    rows = np.ascontiguousarray(np.concatenate([model._rows[g] for g in range(G)]).reshape(-1, 4), dtype=np.int64)
    base = [np.ascontiguousarray(np.stack([model._base[g][k] for g in range(G)]), dtype=np.float64)
            for k in range(5)]
    Ss = np.ascontiguousarray(np.stack([np.asarray(S[g], dtype=np.float64) for g in range(G)]))
    ys = (np.ascontiguousarray(np.stack([np.asarray(means[g], dtype=np.float64) for g in range(G)])) if ms
          else np.zeros((G, p)))
    return (rows, off, *base, Ss, ys, ms)


def _objective(model: _Model, x, S, means, w, logdetS, *, args=None) -> float:
    """F = sum_g w_g [log|Sigma| + tr(S Sigma^-1) - log|S| - p + d' Sigma^-1 d] (inf where Sigma is not PD).

    One call of the kernel :func:`psikometri._factor_kernels.objective` (the one the optimiser's loop uses);
    ``args``: the :func:`_stacked_args` of ``S`` and ``means`` when they are at hand (a loop of many calls)."""
    K = _kernels()
    if args is None:
        args = _stacked_args(model, S, means)
    return float(K.objective(np.ascontiguousarray(x, dtype=np.float64), *args,
                             np.ascontiguousarray(w, dtype=np.float64), np.asarray(logdetS, dtype=np.float64)))


def _tri_inv(C: np.ndarray) -> np.ndarray:
    """Inverse of a lower-triangular Cholesky factor (LAPACK dtrtri)."""
    from scipy.linalg.lapack import dtrtri

    Ci, info = dtrtri(C, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"triangular factor is singular (dtrtri info {info})")
    return Ci


def _grad_info(model: _Model, x, S, means, w, *, info: bool = True, args=None, observed: bool = False):
    """Analytic gradient of F and its expected Hessian E[d2F] = sum_g w_g [tr(V dS_k V dS_l) + 2 dmu_k' V dmu_l].

    One call of the kernel :func:`psikometri._factor_kernels.gradient` (``grad_info`` of every group: the
    rank-two form of ``dSigma_k`` of :func:`_derivatives`, evaluated as look-ups in ``B' V B``); raises
    ``np.linalg.LinAlgError`` where a model-implied covariance matrix is not positive definite.  ``args`` as
    in :func:`_objective`.  With ``observed``, ``(grad, H, Ho)``: also the Hessian of F itself (the observed
    information; the kernel's docstring has the formula).
    """
    K = _kernels()
    q = model.npar
    if args is None:
        args = _stacked_args(model, S, means)
    grad = np.zeros(q)
    info, observed = bool(info), bool(observed)
    H = np.zeros((q, q)) if info else np.zeros((0, 0))
    Ho = np.zeros((q, q)) if observed else np.zeros((0, 0))
    bad = K.gradient(np.ascontiguousarray(x, dtype=np.float64), *args, np.ascontiguousarray(w, dtype=np.float64),
                     info, grad, H, observed, Ho)
    if bad >= 0:
        raise np.linalg.LinAlgError(f"the model-implied covariance matrix of group {bad + 1} is not positive "
                                    "definite")
    if observed:
        return grad, (H if info else None), Ho
    return grad, (H if info else None)


def _derivatives(model: _Model, rows, L, LP, al):
    """Rank-two form of dSigma/dtheta of the free rows of one group, and dmu/dtheta.

    Returns ``U, V, c, dmu`` with ``dSigma_k = c_k (u_k v_k' + v_k u_k')`` (rows of ``U`` and ``V``):
    a loading lambda_ij has ``u = e_i, v = (Lambda Psi)_.j, c = 1``; a factor (co)variance psi_ab has
    ``u = Lambda_.a, v = Lambda_.b`` and a residual (co)variance theta_ij ``u = e_i, v = e_j``, with ``c = 1/2``
    on the diagonal.  ``dmu`` (K x p) is None without a mean structure.
    """
    p = model.p
    K = rows.shape[0]
    mat, rr, cc = rows[:, 0], rows[:, 1], rows[:, 2]
    U = np.zeros((K, p))
    V = np.zeros((K, p))
    c = np.ones(K)
    idx = np.flatnonzero(mat == _LAMBDA)
    U[idx, rr[idx]] = 1.0
    V[idx] = LP[:, cc[idx]].T
    idx = np.flatnonzero(mat == _PSI)
    U[idx] = L[:, rr[idx]].T
    V[idx] = L[:, cc[idx]].T
    c[idx[rr[idx] == cc[idx]]] = 0.5
    idx = np.flatnonzero(mat == _THETA)
    U[idx, rr[idx]] = 1.0
    V[idx, cc[idx]] = 1.0
    c[idx[rr[idx] == cc[idx]]] = 0.5
    dmu = None
    if model.meanstructure:
        dmu = np.zeros((K, p))
        idx = np.flatnonzero(mat == _LAMBDA)
        dmu[idx, rr[idx]] = al[cc[idx]]
        idx = np.flatnonzero(mat == _NU)
        dmu[idx, rr[idx]] = 1.0
        idx = np.flatnonzero(mat == _ALPHA)
        dmu[idx] = L[:, rr[idx]].T
    return U, V, c, dmu


def _jacobian(model: _Model, x) -> np.ndarray:
    """d(vech Sigma_g, mu_g over groups)/dx at ``x`` (rows: moments, columns: free parameters)."""
    p, q = model.p, model.npar
    t0, t1 = np.tril_indices(p)
    blocks = []
    for g in range(model.ngroups):
        L, T, P, nu, al, LP, Sig, mu = _implied(model, x, g)
        rows = model._rows[g]
        U, Vv, c, dmu = _derivatives(model, rows, L, LP, al)
        Jr = c[:, None] * (U[:, t0] * Vv[:, t1] + Vv[:, t0] * U[:, t1])  # K x p*
        # the columns of the free parameters: row k of Jr added to column rows[k, 3] (rows sharing a parameter
        # are summed), instead of a product with the K x q selection matrix
        Jg = np.zeros((q, Jr.shape[1]))
        np.add.at(Jg, rows[:, 3], Jr)
        blocks.append(Jg.T)
        if model.meanstructure:
            Jm = np.zeros((q, model.p))
            np.add.at(Jm, rows[:, 3], dmu)
            blocks.append(Jm.T)
    return np.vstack(blocks)


# ----------------------------------------------------------------------------- identification


@single_threaded_blas
def _check_identified(model: _Model) -> None:
    """Raise ValueError for a model that is not identified (see the module docstring)."""
    for g in range(min(model.ngroups, 1)):
        loads: dict = {}  # the rows of group g looked up once (the first row of each variance, as next() below)
        var: dict = {}
        for r in model.params:
            if r.group != g:
                continue
            if r.op == "=~":
                loads.setdefault(r.lhs, []).append(r)
            elif r.mat in (_THETA, _PSI) and r.lhs == r.rhs:
                var.setdefault((r.mat, r.lhs), r)
        for f in model.lv:
            load = loads.get(f, [])
            if len(load) != 1:
                continue
            x = load[0].rhs
            th = var[(_THETA, x)]
            ps = var[(_PSI, f)]
            if th.free >= 0 and (load[0].free >= 0 or ps.free >= 0):
                raise ValueError(
                    f"model is not identified: factor {f!r} has a single indicator ({x!r}), so its variance and the "
                    f"residual variance of {x!r} cannot be told apart. Add indicators (three or more), or fix the "
                    f"residual variance, e.g. '{x} ~~ 0*{x}' (or a value from the indicator's reliability)."
                )
    df = model.df()
    if df < 0:
        p = model.p
        per = p * (p + 1) // 2 + (p if model.meanstructure else 0)
        few = {f: n for f in model.lv
               if (n := sum(1 for r in model.params if r.group == 0 and r.op == "=~" and r.lhs == f)) < 3}
        hint = (f" Factors with fewer than three indicators: "
                + ", ".join(f"{f!r} ({n})" for f, n in few.items()) + ".") if few else ""
        raise ValueError(
            f"model is not identified: it has {model.npar} free parameters but the data give only "
            f"{model.n_moments()} moments ({per}{' per group' if model.ngroups > 1 else ''}: "
            f"{p * (p + 1) // 2} variances and covariances of {p} indicators"
            + (f" and {p} means" if model.meanstructure else "") + f"), so df = {df} < 0.{hint} Add indicators, "
            "or fix or equate parameters."
        )
    # local identification: rank of the Jacobian at a random (generic) point
    rng = np.random.default_rng(12345)
    x = np.empty(model.npar)
    for r in model.params:
        if r.free < 0:
            continue
        if r.mat == _LAMBDA:
            v = rng.uniform(0.5, 1.5)
        elif r.mat in (_THETA, _PSI):
            v = rng.uniform(0.8, 1.6) if r.lhs == r.rhs else rng.uniform(-0.3, 0.3)
        else:
            v = rng.uniform(-1, 1)
        x[r.free] = v
    J = _jacobian(model, x)
    if J.shape[1] == 0:
        return
    if _full_rank_by_bound(J):
        return
    sv = np.linalg.svd(J, compute_uv=False)
    tol = sv[0] * max(J.shape) * 1e-10
    rank = int((sv > tol).sum())
    if rank < model.npar:
        _, _, Vt = np.linalg.svd(J)
        null = np.abs(Vt[rank:]).max(axis=0)  # weight of each parameter in the directions the data cannot see
        bad = np.flatnonzero(null > 0.1 * null.max())
        names = [model.param_name(int(k)) for k in bad]
        raise ValueError(
            f"model is not identified: the {model.npar} free parameters are determined by the data only up to "
            f"{model.npar - rank} free direction(s) (Jacobian rank {rank}); these parameters cannot be told apart: "
            f"{names}. Fix one of them (e.g. a loading to 1 or a variance), add indicators, or remove the "
            "constraint that isolates them."
        )


def _full_rank_by_bound(J: np.ndarray) -> bool:
    """True when ``J`` has full column rank by a wide margin, so the singular values need not be computed.

    The 1-norm condition number of ``A = J'J`` bounds the spectral one, ``kappa_2(A) <= ||A||_1 ||A^-1||_1``
    (both norms of a symmetric matrix bound its largest eigenvalue), and ``sigma_max / sigma_min(J) =
    sqrt(kappa_2(A))``.  Below ``1e8`` the smallest singular value of ``J`` exceeds ``1e-4`` times the largest,
    far above the rank tolerance of :func:`_check_identified` (``max(J.shape) * 1e-10`` times the largest) and
    above the rounding of ``J'J`` and of its inverse (relative ``1e-16 kappa``), so the SVD would find full rank
    too.  False (the caller computes the SVD) otherwise, or when ``A`` is not numerically positive definite.
    """
    A = J.T @ J
    try:
        Li = _tri_inv(np.linalg.cholesky(A))
    except np.linalg.LinAlgError:
        return False
    kappa = float(np.abs(A).sum(axis=0).max() * np.abs(Li.T @ Li).sum(axis=0).max())
    return bool(kappa < 1e8 and math.sqrt(kappa) * max(J.shape) * 1e-10 < 1e-3)


# ----------------------------------------------------------------------------- start values


def _start_values(model: _Model, S, means) -> np.ndarray:
    x = np.full(model.npar, np.nan)
    p, m = model.p, model.m
    for g in range(model.ngroups):
        Sg = S[g]
        load_rows = [r for r in model.params if r.group == g and r.op == "=~"]
        nfac = np.zeros(p)
        for r in load_rows:
            nfac[r.row] += 1
        lam = np.zeros((p, m))
        psi = np.ones(m)
        for j, f in enumerate(model.lv):
            rows = [r for r in load_rows if r.col == j]
            idx = [r.row for r in rows]
            if len(idx) >= 2:
                ev, evec = np.linalg.eigh(Sg[np.ix_(idx, idx)])
                v = evec[:, -1] * math.sqrt(max(ev[-1], 1e-8))
                if v.sum() < 0:
                    v = -v
            else:
                v = np.array([math.sqrt(max(Sg[idx[0], idx[0]], 1e-8) / 2)])
            v = v / np.sqrt(nfac[idx])
            fixed = [(k, r) for k, r in enumerate(rows) if r.free < 0 and r.value != 0]
            if fixed and abs(v[fixed[0][0]]) > 1e-6 * max(1.0, np.abs(v).max()):
                k0, r0 = fixed[0]
                scale = v[k0] / r0.value
                psi[j] = scale**2
                v = v / scale
            else:
                psi[j] = 1.0
            for k, r in enumerate(rows):
                lam[r.row, j] = v[k]
        for r in model.params:
            if r.group != g or r.free < 0 or not math.isnan(x[r.free]):
                continue
            if not math.isnan(r.value):
                x[r.free] = r.value
            elif r.mat == _LAMBDA:
                x[r.free] = lam[r.row, r.col]
            elif r.mat == _THETA:
                x[r.free] = 0.5 * Sg[r.row, r.row] if r.row == r.col else 0.0
            elif r.mat == _PSI:
                x[r.free] = psi[r.row] if r.row == r.col else 0.0
            elif r.mat == _NU:
                x[r.free] = means[g][r.row] if means is not None else 0.0
            else:
                x[r.free] = 0.0
    return np.nan_to_num(x)


# ----------------------------------------------------------------------------- the engine


@dataclass
class _MLFit:
    """Result of :func:`_fit_ml` (see the module docstring)."""

    x: np.ndarray
    est: np.ndarray  # per parameter row
    se: np.ndarray  # per parameter row (nan for fixed rows, or all nan when the information is singular)
    vcov: np.ndarray
    fmin: float  # F / 2 as lavaan reports it
    fit: dict
    converged: bool
    iterations: int
    admissible: bool
    notes: tuple
    sigma: list
    mu: list
    grad_max: float
    nobs: tuple = ()


@single_threaded_blas
def _fit_ml(model: _Model, S, means, nobs, *, start=None, max_iter: int = 500, gtol: float = 1e-9,
            bounds=None, patience: int = 25) -> _MLFit:
    """Maximum likelihood estimation of ``model`` from the sample moments; never raises for a bad solution.

    ``start`` (free parameter vector) replaces the engine's start values; ``max_iter``, ``gtol``, ``bounds`` and
    ``patience`` are passed to :func:`_iterate` (``bounds``: one positive number per free parameter, the
    divergence guard, off by default).  :func:`_minimise` then :func:`_finish`.
    """
    return _finish(*_minimise(model, S, means, nobs, start=start, max_iter=max_iter, gtol=gtol, bounds=bounds,
                              patience=patience))


def _minimise(model: _Model, S, means, nobs, *, start=None, max_iter: int = 500, gtol: float = 1e-9, bounds=None,
              patience: int = 25) -> tuple:
    """The minimisation of :func:`_fit_ml` without the result: the arguments of :func:`_finish`, ``(model, x, S,
    means, nobs, w, logdetS, converged, iterations, grad, notes)``, whose ``x`` has the discrepancy ``F`` that
    ``_finish`` reports (for a choice among several runs before the cost of finishing one)."""
    nobs = [int(n) for n in nobs]
    N = float(sum(nobs))
    w = np.array([n / N for n in nobs])
    logdetS = [float(np.linalg.slogdet(s)[1]) for s in S]
    notes: list[str] = []
    x = np.asarray(start, dtype=float).copy() if start is not None else _start_values(model, S, means)
    args = _stacked_args(model, S, means)
    F = _objective(model, x, S, means, w, logdetS, args=args)
    if not math.isfinite(F):
        # fall back to residual variances equal to the observed variances
        for r in model.params:
            if r.free >= 0 and r.mat == _THETA and r.row == r.col:
                x[r.free] = S[r.group][r.row, r.row]
        F = _objective(model, x, S, means, w, logdetS, args=args)
    converged = False
    it = 0
    grad = np.full(model.npar, np.nan)
    reason = ""
    if not math.isfinite(F):
        reason = "the start values give a model-implied covariance matrix that is not positive definite"
    else:
        x, F, it, converged, reason, grad = _iterate(model, x, F, S, means, w, logdetS, max_iter=max_iter,
                                                     gtol=gtol, bounds=bounds, patience=patience, args=args)
    if not converged:
        notes.append(f"did not converge: {reason}" if reason else "did not converge")
    return model, x, S, means, nobs, w, logdetS, converged, it, grad, notes


def _iterate(model, x, F, S, means, w, logdetS, *, max_iter=500, gtol=1e-9, gfloor=1e-5, dtol=1e-15, bounds=None,
             patience=25, newton_below=1e-4, args=None):
    r"""Damped Fisher scoring with a line search, then Newton steps near the minimum; ``x, F, iterations,
    converged, reason, grad``.

    The step solves :math:`(E + \mu\,\mathrm{diag}(E))\,s = -g` with ``g`` the gradient of F and ``E`` its
    expected Hessian (:func:`_grad_info`): Fisher scoring for :math:`\mu = 0`, Levenberg-Marquardt damping
    (Marquardt 1963) otherwise.  Each iteration starts from the current :math:`\mu` (0 at first) and takes the
    longest of ``s``, ``s/2``, ... down to ``s/2^13`` at which F falls by the Armijo amount
    :math:`10^{-4}\,t\,g^\top s` (:func:`psikometri._factor_kernels.line_search`, started at twice the previous iteration's step length);
    when none does (or ``E + mu diag(E)`` is not positive definite) :math:`\mu` is raised tenfold (to at least
    ``1e-4``) and the step recomputed; after a full step it is lowered tenfold (to 0 below ``1e-8``).  Undamped
    scoring can stall on the flat ridges of weakly identified models (the step is dominated by near-null
    directions of ``E`` and the line search accepts ever smaller fractions of it; e.g. the general + broad
    dimensions + exercises model of ``tests/fixtures/construct/ac_incomplete.csv``, 22 indicators and 101
    parameters, where plain scoring stopped after 500 iterations at chi-square 793.69 with exercise-factor
    correlations of -64, and this loop converges in about 90 iterations to lavaan's admissible 459.94); the
    damped step turns towards scaled gradient descent there and is Fisher scoring again near the minimum.

    Near the minimum (an undamped full scoring step, and a scoring decrement :math:`g^\top E^{-1} g` below
    ``newton_below``) the loop takes Newton steps :math:`H_o s = -g` with the Hessian of F itself (the observed
    information, ``_grad_info(observed=True)``) for as long as it is positive definite and the full step lowers
    F; otherwise that iteration is a scoring step as above, and the next try waits 1, 2, 4, ... (at most 64)
    scoring iterations (on a flat ridge ``H_o`` can stay indefinite for dozens of iterations).  Scoring converges only linearly where the model
    does not fit (``E`` is the Hessian only where ``Sigma = S``): on the AC model sets of the tests, e.g. 70
    scoring iterations for the CD model of a 59-candidate agency, where the last 50 each gained a factor of
    about 0.6 in the decrement; the Newton steps converge quadratically to the same minimum (20 iterations),
    to a smaller final gradient.

    Converged when the largest absolute gradient is below ``gtol``, or, with that gradient below ``gfloor``,
    the Newton decrement :math:`g^\top E^{-1} g` (twice the decrease a full scoring step promises;
    :math:`g^\top H_o^{-1} g` in the Newton phase) is below ``dtol * (1 + |F + sum_g w_g log|S_g| + p|)``
    (the rounding error of F) or no step of the line search decreases F any more: a solution at the numerical
    floor is not reported as non-converged.  A step is taken
    only where F falls (``F_new < F``, besides the Armijo test, which at the floor passes for an unchanged F
    because ``F + 1e-4 t g's`` rounds to F): a run at the floor stops instead of wandering along steps that
    change nothing (with a noisier gradient, e.g. of an inadmissible solution with a near-singular information
    matrix, the decrement can stay just above its threshold until ``max_iter``).

    With ``bounds`` (one positive number per free parameter) the run stops as diverging when a parameter stays
    outside ``[-bound, bound]`` for ``patience`` iterations: the minimum then lies at infinity (a ridge along
    which, e.g., factor covariances grow without limit while loadings shrink), so no estimate exists (the
    improper CDCE solutions of Kenny & Kashy 1992; Lance et al. 2004), and the run is not left to crawl along
    the ridge for thousands of iterations.

    The loop is one call of the numba kernel :func:`psikometri._factor_kernels.iterate` (its plain Python
    reference, with scipy's LAPACK, is ``iterate`` in ``tests/naive_factor.py``).  The kernel factors the
    undamped information matrix only where it is used: for the convergence test (a gradient below ``gfloor``),
    for an undamped step, and for the switch to Newton steps (a damped iteration away from the floor skips it).
    ``args``: the kernels' arguments (:func:`_stacked_args` of ``S`` and ``means``) when the caller has them.
    """
    K = _kernels()
    q = model.npar
    if args is None:  # the kernels' arguments (:func:`_stacked_args`), unless the caller has them
        args = _stacked_args(model, S, means)
    bnd = np.zeros(0) if bounds is None else np.ascontiguousarray(np.broadcast_to(bounds, (q,)), dtype=np.float64)
    x, F, it, outcome, g, detail = K.iterate(np.ascontiguousarray(x, dtype=np.float64), float(F), *args,
                                             np.ascontiguousarray(w, dtype=np.float64),
                                             np.asarray(logdetS, dtype=np.float64), int(max_iter), float(gtol),
                                             float(gfloor), float(dtol), bnd, int(patience), float(newton_below))
    it = int(it)
    if outcome == K.CONVERGED:
        return x, F, it, True, "", g
    if outcome == K.FAILURE:
        return x, F, it, False, (f"numerical failure at iteration {it} (the model-implied covariance matrix of "
                                 f"group {int(detail) + 1} is not positive definite)"), g
    if outcome == K.NO_DECREASE:
        return x, F, it, False, (f"no step decreases the discrepancy at iteration {it} "
                                 f"(max |gradient| = {detail:.2e})"), g
    if outcome == K.DIVERGED:
        k = int(detail)
        return x, F, it, False, (f"the estimates diverge: {model.param_name(k)} reached {x[k]:.4g} at "
                                 f"iteration {it} (the discrepancy keeps decreasing towards a limit at "
                                 "infinity)"), g
    return x, F, it, False, (f"no convergence within {max_iter} iterations (max |gradient| = "
                             f"{np.max(np.abs(g)):.2e})"), g


def _finish(model, x, S, means, nobs, w, logdetS, converged, it, grad, notes) -> _MLFit:
    G, p = model.ngroups, model.p
    N = float(sum(nobs))
    est = np.array([x[r.free] if r.free >= 0 else r.value for r in model.params])
    args = _stacked_args(model, S, means)
    F = _objective(model, x, S, means, w, logdetS, args=args)
    sig, mus = [], []
    for g in range(G):
        *_, Sig, mu = _implied(model, x, g)
        sig.append(Sig)
        mus.append(mu if model.meanstructure else np.asarray(means[g], dtype=float).copy())  # saturated means
    se_rows = np.full(len(model.params), np.nan)
    vcov = np.full((model.npar, model.npar), np.nan)
    if math.isfinite(F):
        _, H = _grad_info(model, x, S, means, w, args=args)
        info_total = 0.5 * N * H  # total expected information of the log-likelihood
        try:
            Lc = np.linalg.cholesky(info_total)
            Li = _tri_inv(Lc)
            inv = Li.T @ Li
            # singular when the smallest eigenvalue of H is below 1e-12 times the largest; the 1-norm condition
            # number bounds their ratio (kappa_2 <= ||H||_1 ||H^-1||_1), so below 1e11 (a tenth of the limit:
            # room for the rounding of the computed inverse) the eigenvalues need not be computed
            kappa = float(np.abs(info_total).sum(axis=0).max() * np.abs(inv).sum(axis=0).max())
            if not kappa < 1e11:
                ev = np.linalg.eigvalsh(H)
                if ev[0] <= ev[-1] * 1e-12:
                    raise np.linalg.LinAlgError
            vcov = inv
            se = np.sqrt(np.diagonal(vcov))
            se_rows = np.array([se[r.free] if r.free >= 0 else np.nan for r in model.params])
        except np.linalg.LinAlgError:
            notes.append("the information matrix is singular: no standard errors (the model may not be identified)")
    # fit measures
    chisq = N * F if math.isfinite(F) else math.nan
    df = model.df()
    base_chisq = float(sum(n * (np.log(np.diagonal(s)).sum() - ld) for n, s, ld in zip(nobs, S, logdetS)))
    base_df = G * p * (p - 1) // 2
    h1 = float(sum(-0.5 * n * (p * math.log(2 * math.pi) + ld + p) for n, ld in zip(nobs, logdetS)))
    loglik = h1 - 0.5 * chisq
    npar = model.npar
    fit = {
        "npar": npar, "ntotal": int(N), "chisq": chisq, "df": df,
        "pvalue": _chi2_sf(chisq, df) if df > 0 else math.nan,
        "baseline_chisq": base_chisq, "baseline_df": base_df,
        "baseline_pvalue": _chi2_sf(base_chisq, base_df) if base_df > 0 else math.nan,
        "cfi": _cfi(chisq, df, base_chisq, base_df), "tli": _tli(chisq, df, base_chisq, base_df),
        "rmsea": _rmsea(chisq, df, N, G),
    }
    lo, hi = _rmsea_ci(chisq, df, N, G)
    fit["rmsea_ci_low"], fit["rmsea_ci_high"] = lo, hi
    fit["srmr"] = _srmr(model, S, means, nobs, sig, mus)
    fit["loglik"] = loglik
    fit["unrestricted_loglik"] = h1
    fit["aic"] = -2 * loglik + 2 * npar
    fit["bic"] = -2 * loglik + npar * math.log(N)
    # admissibility (lavaan's post.check, plus a non-positive-definite residual matrix)
    admissible = True
    for g in range(G):
        L, T, P, *_ = _matrices(model, x, g)
        gl = f" in group {g + 1}" if G > 1 else ""
        neg = [(v, T[i, i]) for i, v in enumerate(model.ov) if T[i, i] < 0]
        if neg:
            admissible = False
            notes.append(
                "negative residual variance (Heywood case)" + gl + ": "
                + ", ".join(f"{v} = {val:.4g}" for v, val in neg)
            )
        negl = [(v, P[i, i]) for i, v in enumerate(model.lv) if P[i, i] < 0]
        if negl:
            admissible = False
            notes.append("negative factor variance" + gl + ": " + ", ".join(f"{v} = {val:.4g}" for v, val in negl))
        if model.m > 0 and not negl:
            evp = np.linalg.eigvalsh(P)
            if evp[0] <= 0:
                admissible = False
                d = np.sqrt(np.abs(np.diagonal(P)))
                with np.errstate(divide="ignore", invalid="ignore"):
                    R = P / np.outer(d, d)
                iu = np.triu_indices(model.m, 1)
                big = [(model.lv[i], model.lv[j], R[i, j]) for i, j in zip(*iu) if abs(R[i, j]) > 1]
                extra = ("; factor correlations beyond +-1: "
                         + ", ".join(f"{a}~~{b} = {r:.3f}" for a, b, r in big)) if big else ""
                notes.append(f"the factor covariance matrix{gl} is not positive definite (smallest eigenvalue "
                             f"{evp[0]:.4g}){extra}")
        if not neg and np.any(T - np.diag(np.diagonal(T))):
            evt = np.linalg.eigvalsh(T)
            if evt[0] < 0:
                admissible = False
                notes.append(f"the residual covariance matrix{gl} is not positive definite (smallest eigenvalue "
                             f"{evt[0]:.4g})")
    return _MLFit(x=x, est=est, se=se_rows, vcov=vcov, fmin=F / 2 if math.isfinite(F) else math.nan, fit=fit,
                  converged=converged, iterations=it, admissible=admissible, notes=tuple(notes), sigma=sig, mu=mus,
                  grad_max=float(np.max(np.abs(grad))) if grad.size and np.all(np.isfinite(grad)) else math.nan,
                  nobs=tuple(nobs))


def _chi2_sf(x: float, df: int) -> float:
    """``scipy.stats.chi2.sf(x, df)`` (the same special function, the same values, NaN for NaN and 1 below 0)
    without the distribution's argument handling (a tenth of a millisecond a call)."""
    from scipy import special

    return 1.0 if x < 0 else float(special.chdtrc(df, x))


def _cfi(X2, df, X2b, dfb) -> float:
    if not all(map(math.isfinite, (X2, X2b))):
        return math.nan
    t1 = max(X2 - df, 0.0)
    t2 = max(X2 - df, X2b - dfb, 0.0)
    if abs(t1) < 1.5e-8 and abs(t2) < 1.5e-8:
        return 1.0
    return 1.0 - t1 / t2


def _tli(X2, df, X2b, dfb) -> float:
    if not all(map(math.isfinite, (X2, X2b))):
        return math.nan
    t1 = (X2 - df) * dfb
    t2 = (X2b - dfb) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def _rmsea(X2, df, N, G) -> float:
    if not math.isfinite(X2):
        return math.nan
    if df <= 0:
        return 0.0
    return math.sqrt(max(X2 / N / df - 1.0 / N, 0.0)) * math.sqrt(G)


def _rmsea_ci(X2, df, N, G, level: float = 0.90) -> tuple[float, float]:
    """lavaan's interval: the noncentrality parameters at which X2 is the upper / lower (1 - level)/2 point."""
    from scipy import optimize, special

    if not math.isfinite(X2) or df < 1:
        return (0.0, 0.0) if math.isfinite(X2) else (math.nan, math.nan)
    up, lowp = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        # scipy.stats.chi2.cdf(X2, df) / ncx2.cdf(X2, df, lam) without their argument handling (the same special
        # functions, the same values; X2 outside the support (0, inf) gives 0)
        if not X2 > 0:
            return 0.0
        with np.errstate(over="ignore"):  # as scipy.stats.ncx2 (scipy gh-17432)
            return float(special.chdtr(df, X2) if lam == 0 else special.chndtr(X2, df, lam))

    if cdf(0.0) - up < 0:
        lo = 0.0
    else:
        lam = optimize.brentq(lambda v: cdf(v) - up, 0.0, X2, xtol=1e-12)
        lo = math.sqrt(lam / (N * df)) * math.sqrt(G)
    n_r = max(N, 4 * X2)
    if cdf(n_r) - lowp > 0 or cdf(0.0) - lowp < 0:
        hi = 0.0
    else:
        lam = optimize.brentq(lambda v: cdf(v) - lowp, 0.0, n_r, xtol=1e-12)
        hi = math.sqrt(lam / (N * df)) * math.sqrt(G)
    return lo, hi


def _srmr(model, S, means, nobs, sig, mus) -> float:
    """Bentler's SRMR as lavaan: residuals standardised by the sample SDs, means included with a mean structure."""
    p = model.p
    tri = np.tril_indices(p)
    N = float(sum(nobs))
    total = 0.0
    for g in range(model.ngroups):
        sd = np.sqrt(np.diagonal(S[g]))
        R = (S[g] - sig[g]) / np.outer(sd, sd)
        ss = float((R[tri] ** 2).sum())
        k = len(tri[0])
        if model.meanstructure:
            ss += float((((means[g] - mus[g]) / sd) ** 2).sum())
            k += p
        total += nobs[g] / N * math.sqrt(ss / k)
    return total


# ----------------------------------------------------------------------------- public result


def _std_columns(model: _Model, est: np.ndarray, sig: list) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's std.lv and std.all of every parameter row."""
    std_lv = np.full(len(model.params), np.nan)
    std_all = np.full(len(model.params), np.nan)
    for g in range(model.ngroups):
        psi_diag = np.zeros(model.m)
        th_diag = np.zeros(model.p)
        for i, r in enumerate(model.params):
            if r.group == g and r.row == r.col:
                if r.mat == _PSI:
                    psi_diag[r.row] = est[i]
                elif r.mat == _THETA:
                    th_diag[r.row] = est[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            sdl = np.sqrt(psi_diag)
            sdo = np.sqrt(np.diagonal(sig[g]))
            for i, r in enumerate(model.params):
                if r.group != g:
                    continue
                e = est[i]
                if r.mat == _LAMBDA:
                    std_lv[i] = e * sdl[r.col]
                    std_all[i] = e * sdl[r.col] / sdo[r.row]
                elif r.mat == _PSI:
                    std_lv[i] = std_all[i] = e / (sdl[r.row] * sdl[r.col])
                elif r.mat == _THETA:
                    std_lv[i] = e
                    # a residual covariance is standardised by the residual variances (a residual correlation)
                    std_all[i] = e / (sdo[r.row] ** 2) if r.row == r.col else e / np.sqrt(th_diag[r.row] *
                                                                                             th_diag[r.col])
                elif r.mat == _NU:
                    std_lv[i] = e
                    std_all[i] = e / sdo[r.row]
                else:
                    std_lv[i] = std_all[i] = e / sdl[r.row]
    return std_lv, std_all


@dataclass(frozen=True)
class CFAResult:
    """A fitted confirmatory factor model (see :func:`cfa`).

    Attributes
    ----------
    fit : Series
        Fit measures (lavaan's definitions): ``npar, ntotal, chisq, df, pvalue, baseline_chisq, baseline_df,
        baseline_pvalue, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high`` (90% interval), ``srmr, loglik,
        unrestricted_loglik, aic, bic``.
    parameters : DataFrame
        Every parameter (as ``lavaan::parameterEstimates(fit, standardized = TRUE)``): ``lhs, op, rhs``
        (and ``group``), ``label, free, est, se, z, pvalue, std_lv, std_all``; fixed parameters have ``se`` NaN.
    loadings : DataFrame
        ``factor, indicator, est, se, z, pvalue, std_all`` (and ``group``).
    covariances : DataFrame
        Factor variances and covariances and residual covariances between indicators: ``lhs, rhs, kind``
        (``"factor"`` or ``"residual"``), ``est, se, z, pvalue, std_all`` (``std_all`` of a factor covariance is
        the factor correlation).
    residual_variances : DataFrame
        ``indicator, est, se, z, pvalue, std_all`` (``std_all`` = 1 - R^2 of the indicator).
    intercepts : DataFrame
        Indicator intercepts and factor means (empty without a mean structure).
    converged : bool
        Whether the optimiser reached a stationary point.
    admissible : bool
        No negative variance (Heywood case), positive definite factor and residual covariance matrices.
    reason : str
        Why the solution is not converged or not admissible ("" when it is both).
    notes : tuple of str
    n : int
        Number of persons used (complete cases).
    groups : tuple
        Group labels (``()`` for one group) and ``n_per_group`` their sizes.
    implied : dict
        Model-implied covariance matrix (DataFrame) per group label (``None`` for one group).
    """

    fit: pd.Series
    parameters: pd.DataFrame
    loadings: pd.DataFrame
    covariances: pd.DataFrame
    residual_variances: pd.DataFrame
    intercepts: pd.DataFrame
    converged: bool
    admissible: bool
    reason: str
    notes: tuple[str, ...]
    n: int
    groups: tuple = ()
    n_per_group: tuple = ()
    group_equal: tuple[str, ...] = ()
    std_lv: bool = False
    model: str = ""
    iterations: int = 0
    implied: dict = field(default_factory=dict, repr=False, compare=False)
    vcov: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def chisq(self) -> float:
        return float(self.fit["chisq"])

    @property
    def df(self) -> int:
        return int(self.fit["df"])

    def _headline(self) -> str:
        f = self.fit
        return (f"chisq({int(f['df'])}) = {f['chisq']:.3f}, p = {f['pvalue']:.4f}; CFI = {f['cfi']:.3f}, "
                f"TLI = {f['tli']:.3f}, RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci_low']:.3f}, "
                f"{f['rmsea_ci_high']:.3f}], SRMR = {f['srmr']:.3f}")

    def _status(self) -> str:
        if self.converged and self.admissible:
            return "converged, admissible"
        return ("converged" if self.converged else "NOT converged") + (
            "" if self.admissible else ", NOT admissible")

    def summary(self) -> str:
        """Text report: fit measures, loadings, covariances, residual variances and notes."""
        grp = (f", {len(self.groups)} groups ({', '.join(f'{g}: {n}' for g, n in zip(self.groups, self.n_per_group))})"
               if self.groups else "")
        ge = f", equal across groups: {', '.join(self.group_equal)}" if self.group_equal else ""
        lines = [f"CFA (ML): {self.n} persons{grp}{ge}; {self._status()} after {self.iterations} iterations",
                 self._headline(),
                 f"loglik = {self.fit['loglik']:.3f}, AIC = {self.fit['aic']:.3f}, BIC = {self.fit['bic']:.3f}, "
                 f"npar = {int(self.fit['npar'])}", ""]
        fmt = {c: (lambda v: f"{v:.3f}") for c in ("est", "se", "z", "std_all")}
        fmt["pvalue"] = lambda v: f"{v:.4f}"
        for title, tab in (("Loadings", self.loadings), ("Covariances", self.covariances),
                           ("Residual variances", self.residual_variances), ("Intercepts and means", self.intercepts)):
            if len(tab):
                lines.append(f"{title}:")
                lines.append(tab.to_string(index=False, formatters=fmt, na_rep="-"))
                lines.append("")
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines).rstrip()

    def __repr__(self) -> str:
        return (f"CFAResult(n={self.n}, {self._status()}, chisq={self.fit['chisq']:.3f}, df={int(self.fit['df'])}, "
                f"cfi={self.fit['cfi']:.3f}, rmsea={self.fit['rmsea']:.3f}, srmr={self.fit['srmr']:.3f})")

    def _repr_html_(self) -> str:
        notes = "".join(f"<br><i>note: {html.escape(n)}</i>" for n in self.notes)
        ff = lambda x: f"{x:.3f}"  # noqa: E731
        return (f"<div><b>CFA (ML)</b>: {self.n} persons; {html.escape(self._status())}<br>"
                f"{html.escape(self._headline())}"
                f"<br><b>Loadings</b>{self.loadings.to_html(index=False, float_format=ff, na_rep='-')}"
                f"<b>Covariances</b>{self.covariances.to_html(index=False, float_format=ff, na_rep='-')}"
                f"<b>Residual variances</b>"
                f"{self.residual_variances.to_html(index=False, float_format=ff, na_rep='-')}{notes}</div>")


# ----------------------------------------------------------------------------- public functions


def _prepare(data, model, group, estimator, missing):
    if not isinstance(estimator, str) or estimator.upper() != "ML":
        raise ValueError(
            f"estimator={estimator!r} is not implemented: psikometri.cfa estimates by normal-theory maximum "
            "likelihood only (estimator='ML', lavaan's default). For ordinal indicators with few categories "
            "(WLSMV) use lavaan."
        )
    if not isinstance(missing, str) or missing.lower() not in ("listwise",):
        if isinstance(missing, str) and missing.lower() in ("fiml", "ml", "direct"):
            raise ValueError(
                f"missing={missing!r}: full-information ML is not implemented; use missing='listwise' (rows with "
                "a missing indicator are dropped), or impute the missing scores first."
            )
        raise ValueError(f"missing must be 'listwise'; got missing={missing!r}.")
    df = check_dataframe(data, "data")
    return df


def _group_labels(gcol: pd.Series, present, group, group_levels) -> list:
    """The groups in model order: ``group_levels`` as given, else the categories' order, else sorted values."""
    if group_levels is None:
        if isinstance(gcol.dtype, pd.CategoricalDtype):
            return [plain(c) for c in gcol.cat.categories if c in present]
        return sorted_labels(list(present))
    if isinstance(group_levels, (str, bytes)) or not isinstance(group_levels, Iterable):
        raise TypeError(f"group_levels must be None or a sequence of the values of column {group!r}, in the order "
                        f"wanted (the first is the reference group); got group_levels={group_levels!r}. Pass "
                        f"e.g. group_levels={sorted_labels(list(present))!r}.")
    levels = [plain(v) for v in group_levels]
    dup = [v for i, v in enumerate(levels) if v in levels[:i]]
    unknown = [v for v in levels if v not in present]
    absent = [v for v in sorted_labels(list(present)) if v not in levels]
    if dup or unknown or absent:
        what = "; ".join(x for x in (
            f"repeated {dup}" if dup else "",
            f"not groups of the complete rows {unknown}" if unknown else "",
            f"missing {absent}" if absent else "") if x)
        raise ValueError(f"group_levels must list every group of column {group!r} once ({what}); got "
                         f"group_levels={levels!r}. Pass an order of {sorted_labels(list(present))!r}, or drop "
                         "the rows of the groups you leave out.")
    return levels


def _data_arrays(df: pd.DataFrame, ov, group, group_levels=None):
    """Numeric complete-case arrays per group, with the group labels; validates the columns.

    The rows of every group are put in lexicographic order of their indicator values, so the sample moments (and
    all results) are bit-identical whatever the order of the rows.
    """
    try:
        check_unique_columns(df, "data", list(ov) + ([group] if group is not None else []))
    except TypeError:  # an unhashable group: reported below
        check_unique_columns(df, "data", list(ov))
    missing_cols = [v for v in ov if v not in df.columns]
    if missing_cols:
        raise ValueError(
            f"model indicator(s) {missing_cols} are not columns of data; its columns are "
            f"{list(map(str, df.columns))}. Rename the columns or fix the model."
        )
    if group is not None:
        try:
            ok = group in df.columns
        except TypeError:  # unhashable
            ok = False
        if not ok:
            raise ValueError(
                f"group must be a column of data (its name); got group={group!r}; data's columns are "
                f"{[plain(c) for c in df.columns]}."
            )
        if group in ov:
            raise ValueError(f"group={group!r} is also an indicator of the model; use another column.")
    cols = {}
    for v in ov:
        s = numeric_column(df, v, role="indicator")
        cols[v] = s.to_numpy(dtype=float, na_value=np.nan)
    X = np.column_stack([cols[v] for v in ov])
    if np.isinf(X).any():
        i, j = np.argwhere(np.isinf(X))[0]
        raise ValueError(f"data column {ov[j]!r} holds an infinite value at row {plain(df.index[i])!r}. Replace it "
                         "with NaN (missing) or a valid score.")
    keep = ~np.isnan(X).any(axis=1)
    if group is not None:
        gcol = df[group]
        keep &= gcol.notna().to_numpy()
    n_dropped = int((~keep).sum())
    X = X[keep]
    p = len(ov)
    if group is None:
        groups, Xs = (), [X]
    else:
        gv = np.asarray(df[group].to_numpy()[keep], dtype=object)
        check_text_distinct(gv, f"group column {group!r}")
        present = [plain(v) for v in pd.unique(gv)]
        labels = _group_labels(df[group], present, group, group_levels)
        groups = tuple(labels)
        gplain = np.array([plain(v) for v in gv], dtype=object)
        Xs = [X[gplain == g] for g in labels]
        if len(Xs) < 2:
            raise ValueError(
                f"group column {group!r} has {len(Xs)} group(s) among the complete rows; a multigroup model needs at "
                "least 2. Leave group=None for one group."
            )
    # row-order independence: sort each group's rows by all indicator values (identical rows tie harmlessly)
    Xs = [Xg[np.lexsort(Xg.T[::-1])] if Xg.shape[0] else Xg for Xg in Xs]
    for lab, Xg in zip(groups or (None,), Xs):
        n = Xg.shape[0]
        where = f"group {lab!r} of column {group!r}" if lab is not None else "data"
        if n <= p:
            raise ValueError(
                f"{where} has {n} complete rows but the model has {p} indicators: the sample covariance matrix "
                f"needs more rows than indicators (at least {p + 1}; a CFA needs many more, 200 or so)"
                + (f". {n_dropped} rows were dropped for missing values" if n_dropped else "")
                + (". Merge small groups or drop the group." if lab is not None else ". Provide more persons.")
            )
        sd = Xg.std(axis=0)
        const = [ov[j] for j in np.flatnonzero(sd == 0)]
        if const:
            raise ValueError(f"indicator(s) {const} are constant in {where}: every person has the same score. "
                             "Drop them from the model.")
    return Xs, groups, n_dropped


def _parse_group_equal(group_equal) -> tuple[str, ...]:
    if isinstance(group_equal, str):
        group_equal = (group_equal,)
    if group_equal is None or not isinstance(group_equal, Iterable):
        raise TypeError(f"group_equal must be a sequence of names among {list(_GROUP_EQUAL)} (or () for none); got "
                        f"group_equal={group_equal!r}. Pass e.g. group_equal=['loadings'].")
    ge = tuple(group_equal)
    for g in ge:
        if g not in _GROUP_EQUAL:
            raise ValueError(f"group_equal entries must be among {list(_GROUP_EQUAL)}; got {g!r}.")
    return ge


def _result(model: _Model, fitres: _MLFit, groups=(), n_dropped: int = 0) -> CFAResult:
    nobs = fitres.nobs
    G = model.ngroups
    multi = G > 1
    if multi and len(groups) != G:
        groups = tuple(range(1, G + 1))
    std_lv_col, std_all = _std_columns(model, fitres.est, fitres.sigma)
    from scipy import special

    est, se = fitres.est, fitres.se
    with np.errstate(invalid="ignore", divide="ignore"):
        z = est / se
    pv = 2 * special.ndtr(-np.abs(z))  # scipy.stats.norm.sf(|z|), the same function without its argument checks
    params = model.params
    text = {"lhs": [r.lhs for r in params], "op": [r.op for r in params], "rhs": [r.rhs for r in params],
            "label": [r.label for r in params]}
    if multi:
        text["group"] = [groups[r.group] for r in params]
    num = {"est": est, "se": se, "z": z, "pvalue": pv, "std_lv": std_lv_col, "std_all": std_all}
    # every table is built from its rows' values (taking rows of one wide table with string columns costs a
    # few ms per fit: each cut, rename and column choice copies every column)
    P = pd.DataFrame({"lhs": text["lhs"], "op": text["op"], "rhs": text["rhs"],
                      **({"group": text["group"]} if multi else {}), "label": text["label"],
                      "free": np.array([r.free >= 0 for r in params], dtype=bool), **num})
    dtypes = P.dtypes
    gc = ["group"] if multi else []
    cols = ["est", "se", "z", "pvalue", "std_all"]
    mats = np.array([r.mat for r in params], dtype=np.int64)
    diag = np.array([r.lhs == r.rhs for r in params], dtype=bool)

    def table(mask, names, extra=None):
        """The rows ``mask`` of the columns ``names`` (``{new name: column}``) of the parameter table."""
        idx = np.flatnonzero(mask)
        out = {}
        for new, old in names.items():
            if old in num:
                out[new] = num[old][idx]
            elif old in text:
                vals = text[old]
                out[new] = pd.array([vals[i] for i in idx], dtype=dtypes[old])
            else:
                out[new] = pd.array(extra[idx].tolist(), dtype=dtypes["lhs"])
        return pd.DataFrame(out, copy=False)  # fresh arrays, not shared with anything

    base = {c: c for c in gc}
    load = table(mats == _LAMBDA, {**base, "factor": "lhs", "indicator": "rhs", **{c: c for c in cols}})
    in_cov = (mats == _PSI) | ((mats == _THETA) & ~diag)
    kind = np.where(mats == _PSI, "factor", "residual")
    cov = table(in_cov, {**base, "lhs": "lhs", "rhs": "rhs", "kind": "kind", **{c: c for c in cols}}, kind)
    res = table((mats == _THETA) & diag, {**base, "indicator": "lhs", **{c: c for c in cols}})
    icp = table((mats == _NU) | (mats == _ALPHA), {**base, "variable": "lhs", **{c: c for c in cols}})
    fit = pd.Series({k: fitres.fit[k] for k in _FIT_ORDER}, name="fit")
    notes = list(fitres.notes)
    if n_dropped:
        notes.append(f"{n_dropped} row(s) with a missing indicator{' or group' if multi else ''} were dropped "
                     "(listwise)")
    reason = "; ".join(n for n in fitres.notes)
    implied = {}
    ov = pd.Index(list(model.ov))  # one (immutable) Index for the rows and columns of every group
    for g in range(G):
        implied[groups[g] if multi else None] = pd.DataFrame(fitres.sigma[g], index=ov, columns=ov)
    names = pd.Index([model.param_name(k) for k in range(model.npar)])
    vc = pd.DataFrame(fitres.vcov, index=names, columns=names)
    return CFAResult(fit=fit, parameters=P, loadings=load, covariances=cov, residual_variances=res, intercepts=icp,
                     converged=fitres.converged, admissible=fitres.admissible, reason=reason, notes=tuple(notes),
                     n=int(sum(nobs)), groups=tuple(groups), n_per_group=tuple(int(n) for n in nobs) if multi else (),
                     group_equal=model.group_equal, std_lv=model.std_lv, model=model.syntax,
                     iterations=fitres.iterations, implied=implied, vcov=vc)


def cfa(data, model, *, group=None, group_equal=(), estimator="ML", std_lv=False, missing="listwise",
        group_levels=None) -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa``.

    Parameters
    ----------
    data : DataFrame
        One row per person, one numeric column per indicator (other columns are ignored).
    model : str or mapping
        lavaan syntax (``"visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6"``; see the module docstring for
        ``~~``, fixed values ``1*x1``, ``NA*x1``, labels, ``f1 ~~ 0*f2``) or ``{factor: [indicators]}``.
    group : str, optional
        Column of ``data`` with the group of each person: a multigroup model with a mean structure (intercepts
        free in every group, factor means fixed to 0), as ``lavaan::cfa(group = )``.
    group_equal : sequence of str
        Parameters held equal across groups, with lavaan's names: ``"loadings"``, ``"intercepts"`` (factor means
        are then free in all groups but the first), ``"residuals"``, ``"residual.covariances"``,
        ``"lv.variances"``, ``"lv.covariances"``, ``"means"``.
    estimator : {"ML"}
        Normal-theory maximum likelihood; no other estimator is implemented.
    std_lv : bool
        ``False`` (default): the first loading of each factor is fixed to 1 (marker variable).  ``True``: factor
        variances are fixed to 1 and all loadings are free (with equal loadings across groups, the factor
        variances of the other groups are then free, as in lavaan).
    missing : {"listwise"}
        Rows with a missing indicator (or group) are dropped.  Full-information ML is not implemented.
    group_levels : sequence, optional
        The order of the groups, each group once; the first is the reference group (its factor means are fixed
        to 0 when the intercepts are equal).  Default: the categories' order for a categorical column, otherwise
        the sorted values, so the result does not depend on the order of the rows.  lavaan orders the groups by
        first appearance in the data: to compare with lavaan, pass that order (e.g.
        ``group_levels=list(data[group].unique())``).

    Returns
    -------
    CFAResult
        Fit measures, parameter tables, ``converged``, ``admissible`` and ``reason``.  A solution that does not
        converge or is inadmissible (Heywood case, non-positive-definite factor covariances) is returned, with the
        reason, never raised.

    Notes
    -----
    Matches ``lavaan::cfa(model, data, group, group.equal, std.lv)`` of lavaan 0.6 with its defaults
    (``estimator = "ML"``, ``likelihood = "normal"``, ``information = "expected"``, ``se = "standard"``): the ML
    discrepancy ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` (plus the mean term with groups), ``chisq = N F``
    summed over groups, standard errors from the inverse expected information ``(N/2) E[d2F]``, CFI / TLI against
    the independence model, RMSEA ``sqrt(max(chisq/N/df - 1/N, 0)) sqrt(G)`` with lavaan's 90% interval, SRMR as
    Bentler's (residuals divided by the sample standard deviations; means included with groups; groups weighted
    by ``N_g / N``), ``loglik`` the normal log-likelihood, ``aic = -2 loglik + 2 npar``, ``bic = -2 loglik + npar
    log N``.  Checked against lavaan 0.6-14 on ``HolzingerSwineford1939`` (single and multigroup, see
    ``tests/fixtures/factor``).  The estimates are the same as lavaan's; the optimiser is different (Fisher
    scoring with damping and a line search, then Newton steps with the observed information near the minimum,
    instead of ``nlminb``), and works on the sample moments only, so its cost does not depend on the number of
    persons.  The sample moments are computed from the rows of each group sorted by
    their values, so a shuffled data set gives bit-identical results.

    References
    ----------
    Joreskog (1969); Bollen (1989, ch. 7); Hu & Bentler (1999); Rosseel (2012).  See the module docstring.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psikometri as pk
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(500, 2)) @ np.linalg.cholesky([[1, .4], [.4, 1]]).T
    >>> X = np.column_stack([f[:, 0] * l + rng.normal(0, .6, 500) for l in (1, .8, .9)] +
    ...                     [f[:, 1] * l + rng.normal(0, .6, 500) for l in (1, .7, .9)])
    >>> data = pd.DataFrame(X, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> res = pk.cfa(data, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    >>> res.converged, res.admissible, int(res.fit["df"])
    (True, True, 8)
    >>> res.loadings[["factor", "indicator"]].iloc[1].tolist()
    ['A', 'a2']
    """
    ge, Xs, groups, n_dropped = _cfa_data(data, model, group, group_equal, estimator, std_lv, missing,
                                          group_levels)
    mod = _build_model(model, ngroups=len(Xs), std_lv=bool(std_lv), meanstructure=group is not None,
                       group_equal=ge)
    return _cfa_fit(mod, _checked_moments(Xs, groups), groups, n_dropped)


def _cfa_data(data, model, group, group_equal, estimator, std_lv, missing, group_levels):
    """The checks of :func:`cfa`'s arguments and its data: ``(group_equal, arrays per group, group labels,
    rows dropped)``."""
    df = _prepare(data, model, group, estimator, missing)
    if not isinstance(std_lv, (bool, np.bool_)):
        raise TypeError(f"std_lv must be True or False; got std_lv={std_lv!r}.")
    ge = _parse_group_equal(group_equal)
    if ge and group is None:
        raise ValueError(f"group_equal={list(ge)} needs group=: equality constraints hold across groups.")
    # the indicators first (the number of groups is known only from the data), then the full model
    if group is None and group_levels is not None:
        raise ValueError(f"group_levels={group_levels!r} needs group=: it orders the groups of that column.")
    Xs, groups, n_dropped = _data_arrays(df, _indicators(model), group, group_levels)
    return ge, Xs, groups, n_dropped


def _checked_moments(Xs, groups):
    """:func:`_sample_moments` of the arrays per group; raises ValueError for a singular covariance matrix."""
    S, means, nobs = _sample_moments(Xs)
    for lab, s, n in zip(groups or (None,), S, nobs):
        ev = np.linalg.eigvalsh(s / np.sqrt(np.outer(np.diagonal(s), np.diagonal(s))))
        if ev[0] <= 1e-10:
            where = f"group {lab!r}" if lab is not None else "data"
            raise ValueError(
                f"the sample covariance matrix of the indicators in {where} ({n} complete rows) is singular: some "
                "indicators are exact linear combinations of others (smallest eigenvalue of the correlation matrix "
                f"{ev[0]:.2e}). Drop the redundant indicators (e.g. a total score next to its parts)."
            )
    return S, means, nobs


def _cfa_fit(mod: _Model, moments, groups, n_dropped) -> CFAResult:
    """The identification check, the fit and the result of :func:`cfa` from the checked sample moments."""
    _check_identified(mod)
    fitres = _fit_ml(mod, *moments)
    return _result(mod, fitres, groups, n_dropped)


_MI_LEVELS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}


def measurement_invariance(data, model, group, *, cfi_cut=0.01, rmsea_cut=0.015, std_lv=False,
                           levels=("configural", "metric", "scalar", "strict"), missing="listwise",
                           srmr_cut=None, group_levels=None) -> pd.DataFrame:
    """Configural, metric, scalar and strict invariance of a CFA model across groups.

    Fits the model in every group with increasingly many parameters held equal (Meredith 1993's sequence as in
    ``lavaan::cfa(group.equal = )``): configural (same pattern), metric (+ loadings), scalar (+ intercepts,
    factor means then free in all groups but the first) and strict (+ residual variances), and compares each
    model with the previous one.

    Parameters
    ----------
    data, model : as :func:`cfa`.
    group : str
        Column with the group of each person (e.g. gender, agency, exercise version).
    cfi_cut : float
        Largest acceptable drop of CFI between successive models (Cheung & Rensvold 2002: 0.01).
    rmsea_cut : float
        Largest acceptable rise of RMSEA (Chen 2007: 0.015).
    std_lv : bool
        Identification as in :func:`cfa`.
    levels : sequence of str
        Which models to fit: the sequence ``configural, metric, scalar, strict`` from ``configural`` up to the
        highest level wanted, e.g. ``("configural", "metric")`` (each step is judged against the one before it,
        so no level may be skipped, repeated or put out of order).
    missing : {"listwise"}
    srmr_cut : float, optional
        Largest acceptable rise of SRMR; ``None`` (default) leaves SRMR out of the decision.  Chen (2007)
        suggests 0.030 for the loadings step (metric) and 0.010 for the intercepts and residuals steps (scalar,
        strict); a single value applies to every step, so fit the sequence twice, or read ``delta_srmr``, to use
        both.
    group_levels : sequence, optional
        Order of the groups, the first being the reference group, as in :func:`cfa` (default: categories' order or
        sorted values).

    Returns
    -------
    DataFrame
        One row per model (index ``model``): ``group_equal, npar, chisq, df, pvalue, cfi, tli, rmsea,
        rmsea_ci_low, rmsea_ci_high, srmr, aic, bic``, and against the previous row ``delta_chisq, delta_df,
        p_delta`` (the likelihood-ratio test, as ``lavaan::lavTestLRT``), ``delta_cfi``, ``delta_rmsea``,
        ``delta_srmr`` and ``decision``: ``"holds"`` when ``-delta_cfi <= cfi_cut`` and
        ``delta_rmsea <= rmsea_cut`` (and ``delta_srmr <= srmr_cut`` when ``srmr_cut`` is given), ``"rejected"``
        otherwise (``"baseline"`` for the first model, ``"not assessed"`` when a model did not converge or is
        inadmissible); ``supported``: ``True`` when this step and every step before it hold (the level of
        invariance the data support); ``converged``, ``admissible``, ``reason``.  ``attrs["fits"]`` holds the
        :class:`CFAResult` of every model and ``attrs["highest_level"]`` the last supported level (``None``
        when not even the configural model is admissible).

    Notes
    -----
    Each decision compares a model with the one before it, whatever that one's decision: after a rejected
    scalar model, the strict row says only whether equal residual variances worsen the fit further, and its
    ``supported`` is ``False`` (strict invariance presupposes scalar invariance).  Read ``supported`` or
    ``attrs["highest_level"]`` for the conclusion (partial
    invariance, freeing some intercepts, is then the usual next step; fit it with :func:`cfa` and labels).
    The chi-square difference test is exact only for nested ML models with multivariate normal data; with large
    samples it rejects trivial differences, hence the change-in-fit criteria (Cheung & Rensvold 2002; Chen 2007,
    who also suggests .005 for CFI and .010 for RMSEA with small or unequal groups).  Matches lavaan 0.6-14 on
    ``HolzingerSwineford1939`` across ``school``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import psikometri as pk
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=600)
    >>> X = np.column_stack([l * f + rng.normal(0, .7, 600) for l in (1, .8, .9, .7)])
    >>> data = pd.DataFrame(X, columns=["x1", "x2", "x3", "x4"]).assign(sex=rng.choice(["L", "P"], 600))
    >>> mi = pk.measurement_invariance(data, "f =~ x1 + x2 + x3 + x4", "sex")
    >>> list(mi.index), mi["df"].tolist()
    (['configural', 'metric', 'scalar', 'strict'], [4, 7, 10, 14])
    """
    cfi_cut = check_real(cfi_cut, "cfi_cut")
    rmsea_cut = check_real(rmsea_cut, "rmsea_cut")
    if srmr_cut is not None:
        srmr_cut = check_real(srmr_cut, "srmr_cut")
    levels = _check_mi_levels(levels)
    if group is None:
        raise ValueError("group must be the column holding each person's group, e.g. group='gender'.")
    fits = {}
    rows = []
    prev = None
    prepared = None
    for lv in levels:
        # cfa(data, model, group=group, group_equal=_MI_LEVELS[lv], std_lv=std_lv, missing=missing,
        # group_levels=group_levels), with the data checked and its moments computed once for every level
        if prepared is None:
            ge, Xs, groups, n_dropped = _cfa_data(data, model, group, _MI_LEVELS[lv], "ML", std_lv, missing,
                                                  group_levels)
            mod = _build_model(model, ngroups=len(Xs), std_lv=bool(std_lv), meanstructure=True, group_equal=ge)
            prepared = (_checked_moments(Xs, groups), groups, n_dropped, len(Xs))
        else:
            mod = _build_model(model, ngroups=prepared[3], std_lv=bool(std_lv), meanstructure=True,
                               group_equal=_MI_LEVELS[lv])
        res = _cfa_fit(mod, *prepared[:3])
        fits[lv] = res
        res_levels = res.groups
        f = res.fit.to_dict()  # plain floats: a Series look-up costs tens of microseconds
        row = {"model": lv, "group_equal": ", ".join(_MI_LEVELS[lv]) or "-", "npar": int(f["npar"]),
               "chisq": f["chisq"], "df": int(f["df"]), "pvalue": f["pvalue"], "cfi": f["cfi"], "tli": f["tli"],
               "rmsea": f["rmsea"], "rmsea_ci_low": f["rmsea_ci_low"], "rmsea_ci_high": f["rmsea_ci_high"],
               "srmr": f["srmr"], "aic": f["aic"], "bic": f["bic"]}
        ok = res.converged and res.admissible
        if prev is None:
            row.update(delta_chisq=math.nan, delta_df=math.nan, p_delta=math.nan, delta_cfi=math.nan,
                       delta_rmsea=math.nan, delta_srmr=math.nan, decision="baseline" if ok else "not assessed")
        else:
            pf = prev_fit
            dchi = f["chisq"] - pf["chisq"]
            ddf = int(f["df"] - pf["df"])
            dcfi = f["cfi"] - pf["cfi"]
            drm = f["rmsea"] - pf["rmsea"]
            dsr = f["srmr"] - pf["srmr"]
            row.update(delta_chisq=dchi, delta_df=ddf,
                       p_delta=_chi2_sf(dchi, ddf) if ddf > 0 else math.nan,
                       delta_cfi=dcfi, delta_rmsea=drm, delta_srmr=dsr)
            if not (ok and prev.converged and prev.admissible):
                row["decision"] = "not assessed"
            else:
                holds = -dcfi <= cfi_cut and drm <= rmsea_cut and (srmr_cut is None or dsr <= srmr_cut)
                row["decision"] = "holds" if holds else "rejected"
        chain_ok = row["decision"] in ("baseline", "holds") and (not rows or rows[-1]["supported"])
        row.update(supported=bool(chain_ok), converged=res.converged, admissible=res.admissible,
                   reason=res.reason)
        rows.append(row)
        prev, prev_fit = res, f
    out = pd.DataFrame(rows).set_index("model")
    out["delta_df"] = out["delta_df"].astype("Int64")
    out.attrs["fits"] = fits
    supported = [r["model"] for r in rows if r["supported"]]
    out.attrs["highest_level"] = supported[-1] if supported else None
    out.attrs["cfi_cut"] = cfi_cut
    out.attrs["rmsea_cut"] = rmsea_cut
    out.attrs["srmr_cut"] = srmr_cut
    out.attrs["groups"] = res_levels
    return out


def _check_mi_levels(levels) -> tuple[str, ...]:
    """``levels`` as a tuple: a non-empty run of configural < metric < scalar < strict starting at configural."""
    order = list(_MI_LEVELS)
    fix = ("Pass the sequence from 'configural' up to the highest level wanted, e.g. "
           "levels=('configural', 'metric', 'scalar').")
    if isinstance(levels, str):
        levels = (levels,)
    if levels is None or not isinstance(levels, Iterable):
        raise TypeError(f"levels must be a sequence of level names among {order}; got levels={levels!r}. {fix}")
    levels = tuple(levels)
    for lv in levels:
        if not isinstance(lv, str) or lv not in _MI_LEVELS:
            raise ValueError(f"levels entries must be among {order}; got {plain(lv)!r} in levels={levels!r}. {fix}")
    if not levels or levels != tuple(order[:len(levels)]):
        raise ValueError(
            f"levels must start at 'configural' and follow the order {' < '.join(order)} without gaps or "
            f"repeats, since each model is judged against the one before it; got levels={levels!r}. {fix}")
    return levels
