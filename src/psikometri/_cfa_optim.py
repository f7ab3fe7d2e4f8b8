r"""Damped Fisher scoring for the CFA engine (private): the optimiser of the AC confirmatory model set.

Works on the parameter table, objective and analytic gradient / expected information of
:mod:`psikometri.factor` (``_build_model``, ``_objective``, ``_grad_info``) and hands the solution to its
``_finish`` (fit measures, admissibility), so estimates, fit and checks are the engine's; only the way to the
minimum differs from the engine's own loop (``factor._iterate``, plain Fisher scoring with a line search), in
three ways that matter for the large, weakly identified models of assessment-centre ratings (general factors
next to correlated exercises or broad dimensions, nearly collinear dimension factors):

* Levenberg-Marquardt damping of the scoring step, :math:`(E + \mu\,\mathrm{diag}(E))\,s = -g`, with
  :math:`\mu` raised when the line search fails and lowered after full steps.  Undamped scoring can stall on
  the flat ridges of such models (the step is dominated by near-null directions of :math:`E` and the line
  search accepts ever smaller fractions of it); the damped step turns towards scaled gradient descent there and
  is Fisher scoring again near the minimum.
* convergence also when the Newton decrement :math:`g^\top E^{-1} g` falls to the rounding error of F (with a
  small gradient), so that a solution at the numerical floor is not reported as non-converged;
* a divergence guard: a run whose estimates stay beyond bounds no proper solution reaches (a factor
  correlation of 10, say) is stopped as diverging instead of crawling along the ridge for thousands of
  iterations (the improper CDCE solutions of Kenny & Kashy 1992; Lance et al. 2004).

Example of the stall: the general + broad dimensions + exercises model on
``tests/fixtures/construct/ac_incomplete.csv`` (22 indicators, 101 parameters): ``factor._fit_ml`` stops after
its 500 iterations at chi-square 793.69 with exercise-factor correlations of -64; this loop converges in about 90
iterations to 459.94, lavaan's admissible solution.

References
----------
Kenny, D. A., & Kashy, D. A. (1992). Analysis of the multitrait-multimethod matrix by confirmatory factor
analysis. *Psychological Bulletin*, 112(1), 165-172.
Lance, C. E., Lambert, T. A., Gewin, A. G., Lievens, F., & Conway, J. M. (2004). Revised estimates of dimension
and exercise variance components in assessment center postexercise dimension ratings. *Journal of Applied
Psychology*, 89(2), 377-385.
Marquardt, D. W. (1963). An algorithm for least-squares estimation of nonlinear parameters. *Journal of the
Society for Industrial and Applied Mathematics*, 11(2), 431-441.
"""

from __future__ import annotations

import math

import numpy as np

from ._threads import single_threaded_blas

__all__: list[str] = []


def _chol(A):
    """Lower Cholesky factor, or ``None`` when ``A`` is not positive definite."""
    try:
        return np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None


@single_threaded_blas
def fit_damped(model, S: np.ndarray, start: np.ndarray, *, bounds: np.ndarray | None = None, max_iter: int = 1000,
               gtol: float = 1e-9, gfloor: float = 1e-5, dtol: float = 1e-15, patience: int = 25):
    """Minimise F from ``start``; ``(x, converged, iterations, grad, reason)``.

    Converged: the largest absolute gradient of F is below ``gtol``, or, with that gradient below ``gfloor``, the
    Newton decrement is below ``dtol * (1 + |F + log|S| + p|)`` (the rounding error of F) or no step decreases F
    any more.  A start whose Sigma is not positive definite gets the
    observed variances as residual variances (as the engine does).  With ``bounds`` (one positive number per free parameter), the run
    stops as diverging when a parameter stays outside ``[-bound, bound]`` for ``patience`` iterations: the
    minimum then lies at infinity (a ridge along which, e.g., factor covariances grow without limit while
    loadings shrink), so no estimate exists.
    """
    from scipy.linalg import solve_triangular

    from .factor import _grad_info, _objective

    S = [np.asarray(S, dtype=float)]
    w = np.array([1.0])
    logdet = [float(np.linalg.slogdet(S[0])[1])]
    x = np.asarray(start, dtype=float).copy()
    F = _objective(model, x, S, None, w, logdet)
    if not math.isfinite(F):
        from .factor import _THETA

        for r in model.params:
            if r.free >= 0 and r.mat == _THETA and r.row == r.col:
                x[r.free] = S[0][r.row, r.row]
        F = _objective(model, x, S, None, w, logdet)
    if math.isfinite(F):
        g, H = _grad_info(model, x, S, None, w)
    else:
        return x, False, 0, np.full(model.npar, np.nan), "the start values give a non-positive-definite Sigma"
    mu = 0.0
    it = 0
    outside = 0
    for it in range(1, max_iter + 1):
        gmax = float(np.max(np.abs(g))) if g.size else 0.0
        if gmax < gtol:
            return x, True, it - 1, g, ""
        Lh0 = _chol(H)
        if Lh0 is not None:  # the Newton decrement g' E^-1 g: twice the decrease a full scoring step promises
            z = solve_triangular(Lh0, g, lower=True, check_finite=False)
            if float(z @ z) < dtol * (1.0 + abs(F + logdet[0] + model.p)) and gmax < gfloor:
                return x, True, it - 1, g, ""
        d = np.maximum(np.diagonal(H), 1e-12 * max(1.0, float(np.max(np.diagonal(H)))))
        accepted = False
        while mu < 1e12:
            Lh = Lh0 if mu == 0 else _chol(H + np.diag(mu * d))
            if Lh is None:
                mu = max(mu * 10.0, 1e-6)
                continue
            z = solve_triangular(Lh, g, lower=True, check_finite=False)
            step = -solve_triangular(Lh, z, lower=True, trans="T", check_finite=False)
            slope = float(g @ step)
            t = 1.0
            while t > 1e-4:
                xn = x + t * step
                Fn = _objective(model, xn, S, None, w, logdet)
                if Fn <= F + 1e-4 * t * slope:
                    accepted = True
                    break
                t *= 0.5
            if accepted:
                mu = mu / 10.0 if t == 1.0 else mu
                if mu < 1e-8:
                    mu = 0.0
                break
            mu = max(mu * 10.0, 1e-4)
        if not accepted:
            if gmax < gfloor:
                return x, True, it, g, ""
            return x, False, it, g, (f"no step decreases the discrepancy at iteration {it} "
                                     f"(max |gradient| = {gmax:.2e})")
        x = xn
        if bounds is not None and np.any(np.abs(x) > bounds):
            outside += 1
            if outside >= patience:
                k = int(np.argmax(np.abs(x) / bounds))
                return x, False, it, g, (f"the estimates diverge: {model.param_name(k)} reached {x[k]:.4g} at "
                                         f"iteration {it} (the discrepancy keeps decreasing towards a limit at "
                                         "infinity)")
        else:
            outside = 0
        F = Fn
        g, H = _grad_info(model, x, S, None, w)
    return x, False, it, g, f"no convergence within {max_iter} iterations"
