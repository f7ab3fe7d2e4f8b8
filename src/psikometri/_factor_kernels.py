"""Numba kernels for :mod:`psikometri.factor` (private).

The ML discrepancy of one group and its gradient and expected information, straight from the free parameter
vector and the model's free parameter rows (``factor._Model._rows[g]``: ``mat, row, col, x index``), and the
whole Fisher scoring / Newton loop of ``factor._iterate`` built on them (:func:`iterate`).  The models have a
few dozen indicators: one call of the loop kernel replaces, per iteration, some ten Python calls into scipy's
LAPACK wrappers and the kernels, the small arrays they allocate, and the discrepancy and factorisations worked
out twice.

* :func:`discrepancy`: ``log|Sigma| + tr(S Sigma^-1) (+ d' Sigma^-1 d)`` of one group, ``inf`` where
  ``Sigma`` is not positive definite (the caller subtracts ``log|S| + p`` and weights the groups).
* :func:`grad_info`: adds ``w_g`` times the group's gradient of F and expected Hessian
  ``E[d2F] = tr(V dS_k V dS_l) + 2 dmu_k' V dmu_l`` to ``grad`` and ``H``.  Every ``dSigma_k`` has the rank-two
  form ``c_k (u_k v_k' + v_k u_k')`` with ``u_k`` and ``v_k`` columns of ``B = [I_p, Lambda, Lambda Psi]``
  (a loading lambda_ij: ``e_i`` and ``(Lambda Psi)_.j``; a factor (co)variance psi_ab: ``Lambda_.a`` and
  ``Lambda_.b``; a residual (co)variance theta_ij: ``e_i`` and ``e_j``; ``c = 1/2`` on a diagonal), and every
  ``dmu_k`` is a multiple of one (a loading: ``alpha_j e_i``, an intercept: ``e_i``, a factor mean:
  ``Lambda_.a``), so with ``G = B' V B`` (``p + 2m`` square)

      tr(V dS_k V dS_l) = 2 c_k c_l [G(u_k, u_l) G(v_k, v_l) + G(u_k, v_l) G(v_k, u_l)],

  ``K x K`` look-ups instead of ``K x p`` matrix products.  With ``observed`` it also adds the Hessian of F
  (the observed information, for the Newton steps near the minimum), whose extra terms are look-ups in
  ``B' W B`` and ``B' V d`` and the few non-zero second derivatives of ``Sigma`` and ``mu`` (:func:`_second`).

* :func:`objective` / :func:`gradient`: the discrepancy F and its derivatives summed over the groups, whose
  arguments are stacked (:func:`psikometri.factor._stacked_args`).
* :func:`iterate`: the optimiser's loop (damped Fisher scoring, :func:`line_search`, Newton steps near the
  minimum, the stopping rules and the divergence guard of ``factor._iterate``); the information matrices are
  factored by LAPACK (``np.linalg.cholesky``), the triangular solves are loops.  Its plain Python reference is
  ``tests/naive_factor.py`` (``iterate``, with scipy's LAPACK), which it matches step for step up to rounding.

Cholesky factor and triangular inverse of ``Sigma`` are plain loops (matrices of a few dozen rows).  The codes
of the matrices (``LAMBDA ... ALPHA``) are those of :mod:`psikometri.factor`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LAMBDA, THETA, PSI, NU, ALPHA = 0, 1, 2, 3, 4


@njit(cache=True)
def _fill(x, rows, L0, T0, P0, nu0, al0):
    """The model matrices: the fixed values of the base matrices and the free entries of ``x``."""
    L = L0.copy()
    T = T0.copy()
    P = P0.copy()
    nu = nu0.copy()
    al = al0.copy()
    for r in range(rows.shape[0]):
        mat, i, j = rows[r, 0], rows[r, 1], rows[r, 2]
        v = x[rows[r, 3]]
        if mat == LAMBDA:
            L[i, j] = v
        elif mat == THETA:
            T[i, j] = v
            T[j, i] = v
        elif mat == PSI:
            P[i, j] = v
            P[j, i] = v
        elif mat == NU:
            nu[i] = v
        else:
            al[i] = v
    return L, T, P, nu, al


@njit(cache=True)
def _moments(L, T, P, nu, al):
    """``Lambda Psi``, ``Sigma = Lambda Psi Lambda' + Theta`` and ``mu = nu + Lambda alpha``.

    The sums run over the non-zero loadings only (an indicator loads on one to three factors): the terms
    left out are exact zeros, so the sums are those over every factor."""
    p, m = L.shape
    nz = np.empty((p, m), dtype=np.int64)  # per indicator, its factors with a non-zero loading
    cnt = np.zeros(p, dtype=np.int64)
    for i in range(p):
        for a in range(m):
            if L[i, a] != 0.0:
                nz[i, cnt[i]] = a
                cnt[i] += 1
    LP = np.zeros((p, m))
    for i in range(p):
        for t in range(cnt[i]):
            a = nz[i, t]
            lia = L[i, a]
            for b in range(m):
                LP[i, b] += lia * P[a, b]
    Sig = np.empty((p, p))
    for i in range(p):
        for j in range(i + 1):
            s = 0.0
            for t in range(cnt[j]):
                b = nz[j, t]
                s += LP[i, b] * L[j, b]
            Sig[i, j] = s + T[i, j]
            Sig[j, i] = s + T[j, i]
    mu = nu.copy()
    for i in range(p):
        for t in range(cnt[i]):
            a = nz[i, t]
            mu[i] += L[i, a] * al[a]
    return LP, Sig, mu


# The triangular loops below compute independent sums four at a time (four rows, or four columns, of the
# result): each sum still adds its terms in the same order as the one-at-a-time loop (so the values are the
# same to the last bit), but the processor overlaps four chains of dependent additions instead of waiting on
# one.  Matrices of a few dozen rows: the latency of those chains, not the arithmetic, is their cost.

@njit(cache=True)
def _cholesky(A):
    """Lower Cholesky factor of ``A`` and whether ``A`` is positive definite (a pivot <= 0 or NaN: not)."""
    n = A.shape[0]
    C = np.zeros((n, n))
    for j in range(n):
        s = A[j, j]
        for k in range(j):
            s -= C[j, k] * C[j, k]
        if not s > 0.0:
            return C, False
        d = math.sqrt(s)
        C[j, j] = d
        i = j + 1
        while i + 3 < n:  # C[i, j] = (A[i, j] - sum_k C[i, k] C[j, k]) / d for four rows
            t0, t1, t2, t3 = A[i, j], A[i + 1, j], A[i + 2, j], A[i + 3, j]
            for k in range(j):
                cjk = C[j, k]
                t0 -= C[i, k] * cjk
                t1 -= C[i + 1, k] * cjk
                t2 -= C[i + 2, k] * cjk
                t3 -= C[i + 3, k] * cjk
            C[i, j] = t0 / d
            C[i + 1, j] = t1 / d
            C[i + 2, j] = t2 / d
            C[i + 3, j] = t3 / d
            i += 4
        while i < n:
            t = A[i, j]
            for k in range(j):
                t -= C[i, k] * C[j, k]
            C[i, j] = t / d
            i += 1
    return C, True


@njit(cache=True)
def _tri_inv(C):
    """Inverse of a lower-triangular matrix with a positive diagonal (lower-triangular):
    ``Ci[i, j] = -sum_{k=j}^{i-1} C[i, k] Ci[k, j] / C[i, i]``, row by row."""
    n = C.shape[0]
    Ci = np.zeros((n, n))
    for i in range(n):
        Ci[i, i] = 1.0 / C[i, i]
        cii = C[i, i]
        j = 0
        while j + 3 < i:  # four columns j..j+3 of row i; column j + q sums from k = j + q
            s0 = 0.0
            s0 -= C[i, j] * Ci[j, j]
            s0 -= C[i, j + 1] * Ci[j + 1, j]
            s1 = 0.0
            s1 -= C[i, j + 1] * Ci[j + 1, j + 1]
            s0 -= C[i, j + 2] * Ci[j + 2, j]
            s1 -= C[i, j + 2] * Ci[j + 2, j + 1]
            s2 = 0.0
            s2 -= C[i, j + 2] * Ci[j + 2, j + 2]
            s3 = 0.0
            for k in range(j + 3, i):
                cik = C[i, k]
                s0 -= cik * Ci[k, j]
                s1 -= cik * Ci[k, j + 1]
                s2 -= cik * Ci[k, j + 2]
                s3 -= cik * Ci[k, j + 3]
            Ci[i, j] = s0 / cii
            Ci[i, j + 1] = s1 / cii
            Ci[i, j + 2] = s2 / cii
            Ci[i, j + 3] = s3 / cii
            j += 4
        while j < i:
            s = 0.0
            for k in range(j, i):
                s -= C[i, k] * Ci[k, j]
            Ci[i, j] = s / cii
            j += 1
    return Ci


@njit(cache=True)
def _inverse_from(Ci):
    """``Sigma^-1 = Ci' Ci`` (symmetric) from the inverse Cholesky factor: ``V[i, j] = sum_{k>=i} Ci[k, i]
    Ci[k, j]`` for ``j <= i``."""
    p = Ci.shape[0]
    V = np.zeros((p, p))
    for i in range(p):
        j = 0
        while j + 3 <= i:
            s0 = s1 = s2 = s3 = 0.0
            for k in range(i, p):
                cki = Ci[k, i]
                s0 += cki * Ci[k, j]
                s1 += cki * Ci[k, j + 1]
                s2 += cki * Ci[k, j + 2]
                s3 += cki * Ci[k, j + 3]
            V[i, j] = s0
            V[j, i] = s0
            V[i, j + 1] = s1
            V[j + 1, i] = s1
            V[i, j + 2] = s2
            V[j + 2, i] = s2
            V[i, j + 3] = s3
            V[j + 3, i] = s3
            j += 4
        while j <= i:
            s = 0.0
            for k in range(i, p):
                s += Ci[k, i] * Ci[k, j]
            V[i, j] = s
            V[j, i] = s
            j += 1
    return V


@njit(cache=True)
def discrepancy(x, rows, L0, T0, P0, nu0, al0, S, ybar, meanstructure):
    """``log|Sigma| + tr(S Sigma^-1)`` (``+ (ybar - mu)' Sigma^-1 (ybar - mu)`` with a mean structure) of one
    group; ``inf`` where ``Sigma`` is not positive definite."""
    L, T, P, nu, al = _fill(x, rows, L0, T0, P0, nu0, al0)
    LP, Sig, mu = _moments(L, T, P, nu, al)
    C, ok = _cholesky(Sig)
    if not ok:
        return np.inf
    p = Sig.shape[0]
    ld = 0.0
    for i in range(p):
        ld += math.log(C[i, i])
    Ci = _tri_inv(C)
    tr = 0.0  # tr(Ci S Ci') with Ci lower triangular: sum_i sum_{j<=i} Ci[i, j] sum_{k<=i} S[j, k] Ci[i, k]
    for i in range(p):
        j = 0
        while j + 3 <= i:
            t0 = t1 = t2 = t3 = 0.0
            for k in range(i + 1):
                cik = Ci[i, k]
                t0 += S[j, k] * cik
                t1 += S[j + 1, k] * cik
                t2 += S[j + 2, k] * cik
                t3 += S[j + 3, k] * cik
            tr += Ci[i, j] * t0
            tr += Ci[i, j + 1] * t1
            tr += Ci[i, j + 2] * t2
            tr += Ci[i, j + 3] * t3
            j += 4
        while j <= i:
            t = 0.0
            for k in range(i + 1):
                t += S[j, k] * Ci[i, k]
            tr += Ci[i, j] * t
            j += 1
    F = 2.0 * ld + tr
    if meanstructure:
        d = ybar - mu
        for i in range(p):
            z = 0.0
            for k in range(i + 1):
                z += Ci[i, k] * d[k]
            F += z * z
    return F


@njit(cache=True)
def _second(mr, ir, jr, ms, is_, js, P, W, WL, Vd):
    """``tr(W d2Sigma) - 2 d' V d2mu`` for the second derivatives by two free rows: non-zero only for a loading
    with a loading, a factor (co)variance or a factor mean (Sigma and mu are linear in every other pair)."""
    if mr != LAMBDA:
        if ms != LAMBDA:
            return 0.0
        mr, ir, jr, ms, is_, js = ms, is_, js, mr, ir, jr
    i, a = ir, jr  # row r: the loading lambda_ia
    if ms == LAMBDA:  # lambda_jb: d2Sigma = psi_ab (e_i e_j' + e_j e_i')
        return 2.0 * P[a, js] * W[i, is_]
    if ms == PSI:  # psi_bc: d2Sigma = [a = b] (e_i L_c' + L_c e_i') + [a = c] (L_b e_i' + e_i L_b'), once if b = c
        b, c = is_, js
        if b == c:
            return 2.0 * WL[i, b] if a == b else 0.0
        out = 0.0
        if a == b:
            out += 2.0 * WL[i, c]
        if a == c:
            out += 2.0 * WL[i, b]
        return out
    if ms == ALPHA:  # alpha_b: d2mu = [a = b] e_i
        return -2.0 * Vd[i] if a == is_ else 0.0
    return 0.0


@njit(cache=True)
def grad_info(x, rows, L0, T0, P0, nu0, al0, S, ybar, meanstructure, wg, info, grad, H, observed, Ho):
    """Add ``wg`` times the group's gradient of F to ``grad``, with ``info`` its expected Hessian to ``H`` and
    with ``observed`` its Hessian (the observed information) to ``Ho``: to their lower triangles only (each
    pair of parameters once, so the loop writes along rows); :func:`mirror` fills the upper triangles after the
    last group.

    The Hessian is the expected one plus

        - 2 tr(V dS_l W dS_k) + 2 d' V dS_k V dmu_l + 2 d' V dS_l V dmu_k + tr(W d2S_kl) - 2 d' V d2mu_kl

    (``W = V - V (S + d d') V``, ``d = ybar - mu``; ``W = 0`` and ``d = 0`` at a perfect fit, where the two
    coincide), the first three terms as look-ups in ``B' W B``, ``B' V B`` and ``B' V d``.  Returns False
    (adding nothing) where ``Sigma`` is not positive definite.
    """
    L, T, P, nu, al = _fill(x, rows, L0, T0, P0, nu0, al0)
    LP, Sig, mu = _moments(L, T, P, nu, al)
    C, ok = _cholesky(Sig)
    if not ok:
        return False
    p, m = L.shape
    Ci = _tri_inv(C)
    V = _inverse_from(Ci)  # Sigma^-1 = Ci' Ci
    Sd = S.copy()
    d = np.zeros(p)
    Vd = np.zeros(p)
    if meanstructure:
        for i in range(p):
            d[i] = ybar[i] - mu[i]
        for i in range(p):
            for j in range(p):
                Sd[i, j] += d[i] * d[j]
        for i in range(p):
            s = 0.0
            for j in range(p):
                s += V[i, j] * d[j]
            Vd[i] = s
    gmu = -2.0 * Vd
    # W = V - V Sd V
    VS = V @ Sd
    W = V - VS @ V
    WL = W @ L
    GL = 2.0 * (W @ LP)
    if meanstructure:
        for i in range(p):
            for a in range(m):
                GL[i, a] += gmu[i] * al[a]
    GP = L.T @ WL
    ga = L.T @ gmu
    K = rows.shape[0]
    for r in range(K):
        mat, i, j, k = rows[r, 0], rows[r, 1], rows[r, 2], rows[r, 3]
        if mat == LAMBDA:
            v = GL[i, j]
        elif mat == THETA:
            v = W[i, j] if i == j else 2.0 * W[i, j]
        elif mat == PSI:
            v = GP[i, j] if i == j else 2.0 * GP[i, j]
        elif mat == NU:
            v = gmu[i]
        else:
            v = ga[i]
        grad[k] += wg * v
    if not (info or observed):
        return True
    # G = B' V B with B = [I_p, Lambda, Lambda Psi]
    nb = p + 2 * m
    B = np.zeros((p, nb))
    for i in range(p):
        B[i, i] = 1.0
        for a in range(m):
            B[i, p + a] = L[i, a]
            B[i, p + m + a] = LP[i, a]
    G = B.T @ (V @ B)
    GW = B.T @ (W @ B) if observed else G
    bv = B.T @ Vd
    iu = np.zeros(K, dtype=np.int64)
    iv = np.zeros(K, dtype=np.int64)
    c = np.zeros(K)
    im = np.zeros(K, dtype=np.int64)
    sm = np.zeros(K)
    for r in range(K):
        mat, i, j = rows[r, 0], rows[r, 1], rows[r, 2]
        if mat == LAMBDA:
            iu[r], iv[r], c[r] = i, p + m + j, 1.0
            im[r], sm[r] = i, al[j]
        elif mat == THETA:
            iu[r], iv[r], c[r] = i, j, 0.5 if i == j else 1.0
        elif mat == PSI:
            iu[r], iv[r], c[r] = p + i, p + j, 0.5 if i == j else 1.0
        elif mat == NU:
            im[r], sm[r] = i, 1.0
        else:
            im[r], sm[r] = p + i, 1.0
    # the pairs (r, s <= r): every look-up G[a, b] with a fixed by r is read from row a of G (or of G', an
    # exact copy of the columns: B' V B is symmetric only up to rounding), so the inner loops walk contiguous
    # rows and arrays; the arithmetic is term by term that of the formulas above
    kk = rows[:, 3].copy()
    mats = rows[:, 0].copy()
    GT = G.T.copy()
    GWT = GW.T.copy()
    for r in range(K):
        ur, vr, cr, kr = iu[r], iv[r], c[r], kk[r]
        Gu, Gv, Gm = G[ur], G[vr], G[im[r]]
        GTm = GT[im[r]]
        smr = sm[r]
        if not observed:
            for s in range(r + 1):
                us, vs, ks = iu[s], iv[s], kk[s]
                h = 2.0 * cr * c[s] * (Gu[us] * Gv[vs] + Gu[vs] * Gv[us])
                if meanstructure:
                    h += 2.0 * smr * sm[s] * Gm[im[s]]
                if kr >= ks:
                    H[kr, ks] += wg * h
                    if s != r and kr == ks:
                        H[kr, kr] += wg * h
                else:
                    H[ks, kr] += wg * h
            continue
        GWu, GWv = GWT[ur], GWT[vr]
        bur, bvr = bv[ur], bv[vr]
        lam_r = mats[r] == LAMBDA
        for s in range(r + 1):
            us, vs, cs, ks = iu[s], iv[s], c[s], kk[s]
            h = 2.0 * cr * cs * (Gu[us] * Gv[vs] + Gu[vs] * Gv[us])
            if meanstructure:
                h += 2.0 * smr * sm[s] * Gm[im[s]]
            if info:
                if kr >= ks:
                    H[kr, ks] += wg * h
                    if s != r and kr == ks:
                        H[kr, kr] += wg * h
                else:
                    H[ks, kr] += wg * h
            # - 2 tr(V dS_s W dS_r)
            h -= 2.0 * cr * cs * (GWu[vs] * Gv[us] + GWv[vs] * Gu[us] + GWu[us] * Gv[vs] + GWv[us] * Gu[vs])
            if meanstructure:  # 2 d' V dS_r V dmu_s + 2 d' V dS_s V dmu_r
                h += 2.0 * cr * sm[s] * (bur * Gv[im[s]] + bvr * Gu[im[s]])
                h += 2.0 * cs * smr * (bv[us] * GTm[vs] + bv[vs] * GTm[us])
            if lam_r or mats[s] == LAMBDA:  # the only pairs with second derivatives
                h += _second(mats[r], rows[r, 1], rows[r, 2], mats[s], rows[s, 1], rows[s, 2], P, W, WL, Vd)
            if kr >= ks:
                Ho[kr, ks] += wg * h
                if s != r and kr == ks:
                    Ho[kr, kr] += wg * h
            else:
                Ho[ks, kr] += wg * h
    return True


@njit(cache=True)
def mirror(H):
    """Copy the lower triangle of ``H`` to the upper one (after :func:`grad_info` of every group)."""
    n = H.shape[0]
    for i in range(n):
        for j in range(i):
            H[j, i] = H[i, j]


# ----------------------------------------------------------------------------- the whole Fisher scoring loop
#
# The groups' arguments stacked: ``rows`` the free rows of every group one after the other (group g's are
# ``rows[off[g]:off[g + 1]]``), ``L0, T0, P0, nu0, al0, S, ybar`` with the group as the first axis.

@njit(cache=True)
def objective(x, rows, off, L0, T0, P0, nu0, al0, S, ybar, meanstructure, w, logdetS):
    """``F = sum_g w_g [discrepancy_g - log|S_g| - p]`` (``inf`` where a ``Sigma_g`` is not positive definite)."""
    p = S.shape[1]
    F = 0.0
    for g in range(w.shape[0]):
        Fg = discrepancy(x, rows[off[g]:off[g + 1]], L0[g], T0[g], P0[g], nu0[g], al0[g], S[g], ybar[g],
                         meanstructure)
        if not math.isfinite(Fg):
            return np.inf
        F += w[g] * (Fg - logdetS[g] - p)
    return F if math.isfinite(F) else np.inf


@njit(cache=True)
def gradient(x, rows, off, L0, T0, P0, nu0, al0, S, ybar, meanstructure, w, info, grad, H, observed, Ho):
    """The gradient of F into ``grad`` (zeroed first), with ``info`` its expected Hessian into ``H`` and with
    ``observed`` its Hessian into ``Ho`` (:func:`grad_info` summed over the groups); -1, or the first group whose
    ``Sigma`` is not positive definite (the arrays then hold a partial sum)."""
    grad[:] = 0.0
    if info:
        H[:, :] = 0.0
    if observed:
        Ho[:, :] = 0.0
    for g in range(w.shape[0]):
        if not grad_info(x, rows[off[g]:off[g + 1]], L0[g], T0[g], P0[g], nu0[g], al0[g], S[g], ybar[g],
                         meanstructure, w[g], info, grad, H, observed, Ho):
            return g
    if info:
        mirror(H)
    if observed:
        mirror(Ho)
    return -1


@njit(cache=True)
def chol(A):
    """Lower Cholesky factor of a symmetric ``A`` (LAPACK's, through numba) and whether ``A`` is positive
    definite (not: a non-positive pivot or a non-finite entry)."""
    try:
        return np.linalg.cholesky(A), True
    except Exception:  # noqa: BLE001 - numba raises LinAlgError (not PD) or ValueError (not finite)
        return np.zeros_like(A), False


@njit(cache=True)
def forward(C, b):
    """``C^-1 b`` for a lower-triangular ``C``."""
    n = b.shape[0]
    z = np.empty(n)
    for i in range(n):
        s = b[i]
        for k in range(i):
            s -= C[i, k] * z[k]
        z[i] = s / C[i, i]
    return z


@njit(cache=True)
def backward(C, z):
    """``C'^-1 z`` for a lower-triangular ``C``."""
    n = z.shape[0]
    y = z.copy()
    for i in range(n - 1, -1, -1):
        y[i] /= C[i, i]
        yi = y[i]
        for k in range(i):
            y[k] -= C[i, k] * yi
    return y


@njit(cache=True)
def _dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit(cache=True)
def line_search(x, F, step, slope, t0, shortest, rows, off, L0, T0, P0, nu0, al0, S, ybar, meanstructure, w,
                logdetS):
    """``(t, x + t step, F there)`` for the largest ``t`` among the powers of two from 1 down to above
    ``shortest`` at which F falls by the Armijo amount (``F_new < F`` and ``F_new <= F + 1e-4 t slope``),
    searched from ``t0`` upwards while the test passes, else downwards; ``t = 0`` (and ``x``, ``F``) when none
    does (``factor._iterate`` has the reasoning).  One call site of the discrepancy (the compiled loop stays
    small)."""
    t = t0
    best_t, best_x, best_F = 0.0, x, F
    first, up = True, False
    while True:
        xn = x + t * step
        Fn = objective(xn, rows, off, L0, T0, P0, nu0, al0, S, ybar, meanstructure, w, logdetS)
        ok = Fn < F and Fn <= F + 1e-4 * t * slope
        if first:
            first = False
            up = ok
        if up:  # from t0 upwards while the test passes: the last step that passed
            if not ok:
                return best_t, best_x, best_F
            best_t, best_x, best_F = t, xn, Fn
            if not t < 1.0:
                return best_t, best_x, best_F
            t = 2.0 * t
        else:  # downwards from t0 / 2 to the first step that passes
            if ok:
                return t, xn, Fn
            t *= 0.5
            if not t > shortest:
                return 0.0, x, F


@njit(cache=True)
def _scoring_decrement(H, grad, wanted):
    """``(Lh0, ok, z0, g' H^-1 g)``: the Cholesky factor of ``H``, ``z0 = Lh0^-1 g`` and the decrement (``ok``
    False and an infinite decrement when ``H`` is not positive definite or ``wanted`` is False)."""
    q = grad.shape[0]
    if wanted:
        Lh0, ok0 = chol(H)
        if ok0:
            z0 = forward(Lh0, grad)
            return Lh0, True, z0, _dot(z0, z0)
    return np.zeros((q, q)), False, np.zeros(q), np.inf


# outcomes of :func:`iterate`
CONVERGED, FAILURE, NO_DECREASE, DIVERGED, MAX_ITER = 0, 1, 2, 3, 4


@njit(cache=True)
def iterate(x, F, rows, off, L0, T0, P0, nu0, al0, S, ybar, meanstructure, w, logdetS, max_iter, gtol, gfloor,
            dtol, bounds, patience, newton_below):
    """The loop of ``factor._iterate`` (damped Fisher scoring with a line search, Newton steps near the
    minimum; its docstring has the algorithm), from ``x`` with ``F`` there.

    Returns ``x, F, iterations, outcome, grad, detail``: ``outcome`` one of ``CONVERGED``, ``FAILURE`` (a
    ``Sigma`` not positive definite at the new point: ``detail`` is the group), ``NO_DECREASE`` (``detail`` the
    largest absolute gradient), ``DIVERGED`` (``detail`` the parameter beyond ``bounds``; ``bounds`` empty: no
    guard) and ``MAX_ITER``; ``grad`` is the last gradient (NaN when it failed at the start).
    """
    q = x.shape[0]
    p = S.shape[1]
    grad = np.full(q, np.nan)
    H = np.zeros((q, q))
    Ho = np.zeros((q, q))
    guard = bounds.shape[0] == q
    ldsum = _dot(w, logdetS)
    mu = 0.0
    t_last = 1.0
    t = 1.0
    newton = False
    hold, backoff, outside = 0, 0, 0
    xn, Fn = x, F
    it = 0
    while True:
        # the gradient and information at x (observed too before a Newton step): at the start, then after
        # every step (one call site, so the compiled loop holds one copy of the derivatives)
        g_new = np.zeros(q)
        bad = gradient(x, rows, off, L0, T0, P0, nu0, al0, S, ybar, meanstructure, w, True, g_new, H, newton, Ho)
        if bad >= 0:
            return x, F, it, FAILURE, grad, float(bad)
        grad = g_new
        it += 1
        if it > max_iter:
            return x, F, max_iter, MAX_ITER, grad, 0.0
        gmax = 0.0
        for k in range(q):
            gmax = max(gmax, abs(grad[k]))
        if gmax < gtol:
            return x, F, it - 1, CONVERGED, grad, 0.0
        scale = dtol * (1.0 + abs(F + ldsum + p))
        accepted = False
        if newton:
            Lo, ok = chol(Ho)
            if ok:  # the Newton decrement g' Ho^-1 g
                zo = forward(Lo, grad)
                if _dot(zo, zo) < scale and gmax < gfloor:
                    return x, F, it - 1, CONVERGED, grad, 0.0
                step = -backward(Lo, zo)
                t, xn, Fn = line_search(x, F, step, _dot(grad, step), 1.0, 1.0, rows, off, L0, T0, P0, nu0, al0,
                                        S, ybar, meanstructure, w, logdetS)
                accepted = t == 1.0
            newton = accepted
            if accepted:
                backoff = 0
            else:
                backoff = min(max(1, 2 * backoff), 64)
                hold = backoff
        if not accepted:
            # the undamped factor and the Fisher-scoring decrement g' E^-1 g: needed for the convergence test
            # (gmax < gfloor), the undamped step (mu = 0) and the switch to Newton steps (mu = 0 after the step),
            # so computed only then (a damped iteration away from the floor skips one factorisation)
            have0 = gmax < gfloor or mu == 0
            Lh0, ok0, z0, dec0 = _scoring_decrement(H, grad, have0)
            if ok0 and dec0 < scale and gmax < gfloor:
                return x, F, it - 1, CONVERGED, grad, 0.0
            dmax = H[0, 0]
            for k in range(1, q):
                dmax = max(dmax, H[k, k])
            floor = 1e-12 * max(1.0, dmax)
            while mu < 1e12:
                if mu == 0:
                    Lh, ok = Lh0, ok0
                else:
                    Hd = H.copy()
                    for k in range(q):
                        Hd[k, k] += mu * max(H[k, k], floor)
                    Lh, ok = chol(Hd)
                if not ok:
                    mu = max(mu * 10.0, 1e-6)
                    continue
                z = z0 if mu == 0 else forward(Lh, grad)
                step = -backward(Lh, z)
                t, xn, Fn = line_search(x, F, step, _dot(grad, step), min(1.0, 2.0 * t_last), 1e-4, rows, off, L0,
                                        T0, P0, nu0, al0, S, ybar, meanstructure, w, logdetS)
                accepted = t > 0.0
                if accepted:
                    mu = mu / 10.0 if t == 1.0 else mu
                    if mu < 1e-8:
                        mu = 0.0
                    break
                if gmax < gfloor:  # at the rounding floor of F: no damped step decreases it either
                    break
                mu = max(mu * 10.0, 1e-4)
            if not accepted:
                if gmax < gfloor:
                    return x, F, it, CONVERGED, grad, 0.0
                return x, F, it, NO_DECREASE, grad, gmax
            if hold == 0 and mu == 0 and t == 1.0 and not have0:
                Lh0, ok0, z0, dec0 = _scoring_decrement(H, grad, True)
            newton = hold == 0 and mu == 0 and t == 1.0 and ok0 and dec0 < newton_below
            hold = max(hold - 1, 0)
        t_last = t
        x = xn
        if guard:
            beyond = False
            for k in range(q):
                if abs(x[k]) > bounds[k]:
                    beyond = True
            if beyond:
                outside += 1
                if outside >= patience:
                    kmax, rmax = 0, -1.0
                    for k in range(q):
                        r = abs(x[k]) / bounds[k]
                        if r > rmax:
                            kmax, rmax = k, r
                    return x, Fn, it, DIVERGED, grad, float(kmax)
            else:
                outside = 0
        F = Fn
