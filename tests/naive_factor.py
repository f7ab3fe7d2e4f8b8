"""Plain numpy references for psikometri.factor, written independently of its engine.

* :func:`matrices`: Lambda, Theta, Psi, nu, alpha of one group filled by looping over the parameter rows
  (the engine fills them with vectorised index arrays).
* :func:`discrepancy`: the ML discrepancy F from ``np.linalg.inv`` and ``np.linalg.slogdet``.
* :func:`numeric_gradient`: central differences of :func:`discrepancy`.
* :func:`expected_information`: ``sum_g w_g [tr(V dS_k V dS_l) + 2 dmu_k' V dmu_l]`` with ``dS_k``, ``dmu_k``
  from central differences of the implied moments (the engine uses analytic derivatives and a Cholesky
  whitening).
* :func:`numeric_hessian`: the Hessian of a function (the observed information of F) from central second
  differences (the engine's kernel has the analytic second derivatives).
* :func:`iterate` (with :func:`line_search`): the optimiser's loop in plain Python with scipy's LAPACK, the
  reference of the loop kernel ``psikometri._factor_kernels.iterate``.
"""

from __future__ import annotations

import numpy as np


def matrices(model, x, g):
    p, m = len(model.ov), len(model.lv)
    L, T, P = np.zeros((p, m)), np.zeros((p, p)), np.zeros((m, m))
    nu, al = np.zeros(p), np.zeros(m)
    for r in model.params:
        if r.group != g:
            continue
        v = x[r.free] if r.free >= 0 else r.value
        if r.op == "=~":
            L[model.ov.index(r.rhs), model.lv.index(r.lhs)] = v
        elif r.op == "~~":
            names = model.lv if r.lhs in model.lv else model.ov
            M = P if r.lhs in model.lv else T
            i, j = names.index(r.lhs), names.index(r.rhs)
            M[i, j] = M[j, i] = v
        elif r.lhs in model.lv:
            al[model.lv.index(r.lhs)] = v
        else:
            nu[model.ov.index(r.lhs)] = v
    return L, T, P, nu, al


def implied(model, x, g):
    L, T, P, nu, al = matrices(model, x, g)
    return L @ P @ L.T + T, nu + L @ al


def discrepancy(model, x, S, means, nobs):
    N = float(sum(nobs))
    F = 0.0
    for g in range(model.ngroups):
        Sig, mu = implied(model, x, g)
        Vi = np.linalg.inv(Sig)
        p = Sig.shape[0]
        Fg = np.linalg.slogdet(Sig)[1] + np.trace(S[g] @ Vi) - np.linalg.slogdet(S[g])[1] - p
        if model.meanstructure:
            d = means[g] - mu
            Fg += d @ Vi @ d
        F += nobs[g] / N * Fg
    return F


def numeric_gradient(fun, x, h=1e-6):
    g = np.empty_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (fun(x + e) - fun(x - e)) / (2 * h)
    return g


def expected_information(model, x, nobs, h=1e-6):
    N = float(sum(nobs))
    q = x.size
    H = np.zeros((q, q))
    for g in range(model.ngroups):
        Sig, _ = implied(model, x, g)
        V = np.linalg.inv(Sig)
        dS, dm = [], []
        for k in range(q):
            e = np.zeros(q)
            e[k] = h
            Sp, mp = implied(model, x + e, g)
            Sm, mm = implied(model, x - e, g)
            dS.append((Sp - Sm) / (2 * h))
            dm.append((mp - mm) / (2 * h))
        for k in range(q):
            for j in range(q):
                v = np.trace(V @ dS[k] @ V @ dS[j])
                if model.meanstructure:
                    v += 2 * dm[k] @ V @ dm[j]
                H[k, j] += nobs[g] / N * v
    return H


def numeric_hessian(fun, x, h=1e-4):
    """``d2 fun / dx_k dx_l`` from the central second difference of ``fun`` at ``x +- h e_k +- h e_l``."""
    q = x.size
    H = np.empty((q, q))
    E = np.eye(q) * h
    for k in range(q):
        for j in range(k + 1):
            v = fun(x + E[k] + E[j]) - fun(x + E[k] - E[j]) - fun(x - E[k] + E[j]) + fun(x - E[k] - E[j])
            H[k, j] = H[j, k] = v / (4 * h * h)
    return H


# ----------------------------------------------------------------------------- the optimiser's loop
#
# The Fisher scoring / Newton loop of the engine as plain Python with scipy's LAPACK (dpotrf, dtrtrs), for the
# loop kernel psikometri._factor_kernels.iterate.  The derivatives are the engine's (factor._objective and
# factor._grad_info, themselves checked against the references above): this is a reference for the loop's
# logic (damping, line search, Newton phase, stopping rules), not for the derivatives.


def chol(A):
    """Lower Cholesky factor (LAPACK dpotrf), or ``None`` when ``A`` is not positive definite."""
    from scipy.linalg.lapack import dpotrf

    c, info = dpotrf(A, lower=1, clean=1)
    return c if info == 0 else None


def forward(Lh, b, trans=0):
    """``Lh^-1 b`` (``trans=1``: ``Lh'^-1 b``) for a lower-triangular ``Lh`` (LAPACK dtrtrs)."""
    from scipy.linalg.lapack import dtrtrs

    return dtrtrs(Lh, b, lower=1, trans=trans)[0]


def line_search(objective, x, F, step, slope, t0, shortest=1e-4):
    """The largest power of two ``t`` (from ``t0`` up while the Armijo test passes, else down to above
    ``shortest``) with ``F_new < F`` and ``F_new <= F + 1e-4 t slope``: ``(t, x_new, F_new)`` or
    ``(0, None, None)``."""
    def trial(t):
        xn = x + t * step
        Fn = objective(xn)
        return Fn < F and Fn <= F + 1e-4 * t * slope, xn, Fn

    t = t0
    ok, xn, Fn = trial(t)
    if ok:
        while t < 1.0:
            ok, x2, F2 = trial(2.0 * t)
            if not ok:
                break
            t, xn, Fn = 2.0 * t, x2, F2
        return t, xn, Fn
    t *= 0.5
    while t > shortest:
        ok, xn, Fn = trial(t)
        if ok:
            return t, xn, Fn
        t *= 0.5
    return 0.0, None, None


def iterate(model, x, F, S, means, w, logdetS, *, max_iter=500, gtol=1e-9, gfloor=1e-5, dtol=1e-15, bounds=None,
            patience=25, newton_below=1e-4):
    """``x, F, iterations, converged, reason, grad`` of the engine's loop (see ``factor._iterate``)."""
    from psikometri import factor as E

    def objective(v):
        return E._objective(model, v, S, means, w, logdetS)

    def failure(it, exc):
        return x, F, it, False, f"numerical failure at iteration {it} ({exc})", g

    try:
        g, H = E._grad_info(model, x, S, means, w)
    except np.linalg.LinAlgError as exc:
        g = np.full(model.npar, np.nan)
        return failure(0, exc)
    mu, t_last, newton, Ho = 0.0, 1.0, False, None
    hold, backoff, outside, it = 0, 0, 0, 0
    for it in range(1, max_iter + 1):
        gmax = float(np.max(np.abs(g))) if g.size else 0.0
        if gmax < gtol:
            return x, F, it - 1, True, "", g
        scale = dtol * (1.0 + abs(F + float(np.dot(w, logdetS)) + model.p))
        accepted = False
        if newton:
            Lo = chol(Ho)
            if Lo is not None:
                zo = forward(Lo, g)
                if float(zo @ zo) < scale and gmax < gfloor:
                    return x, F, it - 1, True, "", g
                step = -forward(Lo, zo, trans=1)
                t, xn, Fn = line_search(objective, x, F, step, float(g @ step), 1.0, shortest=1.0)
                accepted = t == 1.0
            newton = accepted
            if accepted:
                backoff = 0
            else:
                backoff = min(max(1, 2 * backoff), 64)
                hold = backoff
        if not accepted:
            Lh0 = chol(H)
            z0 = None
            if Lh0 is not None:
                z0 = forward(Lh0, g)
                if float(z0 @ z0) < scale and gmax < gfloor:
                    return x, F, it - 1, True, "", g
            d = np.maximum(np.diagonal(H), 1e-12 * max(1.0, float(np.max(np.diagonal(H)))))
            while mu < 1e12:
                Lh = Lh0 if mu == 0 else chol(H + np.diag(mu * d))
                if Lh is None:
                    mu = max(mu * 10.0, 1e-6)
                    continue
                z = z0 if mu == 0 else forward(Lh, g)
                step = -forward(Lh, z, trans=1)
                t, xn, Fn = line_search(objective, x, F, step, float(g @ step), min(1.0, 2.0 * t_last))
                accepted = t > 0.0
                if accepted:
                    mu = mu / 10.0 if t == 1.0 else mu
                    if mu < 1e-8:
                        mu = 0.0
                    break
                if gmax < gfloor:
                    break
                mu = max(mu * 10.0, 1e-4)
            if not accepted:
                if gmax < gfloor:
                    return x, F, it, True, "", g
                return x, F, it, False, (f"no step decreases the discrepancy at iteration {it} "
                                         f"(max |gradient| = {gmax:.2e})"), g
            newton = (hold == 0 and mu == 0 and t == 1.0 and z0 is not None and float(z0 @ z0) < newton_below)
            hold = max(hold - 1, 0)
        t_last = t
        x = xn
        if bounds is not None and np.any(np.abs(x) > bounds):
            outside += 1
            if outside >= patience:
                k = int(np.argmax(np.abs(x) / bounds))
                return x, Fn, it, False, (f"the estimates diverge: {model.param_name(k)} reached {x[k]:.4g} at "
                                          f"iteration {it} (the discrepancy keeps decreasing towards a limit at "
                                          "infinity)"), g
        else:
            outside = 0
        F = Fn
        try:
            if newton:
                g, H, Ho = E._grad_info(model, x, S, means, w, observed=True)
            else:
                g, H = E._grad_info(model, x, S, means, w)
        except np.linalg.LinAlgError as exc:
            return failure(it, exc)
    return x, F, it, False, (f"no convergence within {max_iter} iterations (max |gradient| = "
                             f"{np.max(np.abs(g)):.2e})"), g
