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
