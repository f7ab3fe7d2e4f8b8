"""Numba kernels behind :mod:`psikometri._reml`.

The REML engine orders the random effects of a generalizability design in two
groups: effects that contain the object of measurement (the person) and
effects that do not.  Person effects of different persons never meet in one
rating, so the penalised cross-product matrix is block diagonal in persons
except for the border of the (small) facet-only effects.  These kernels
assemble, for a range of persons, the per-person blocks

``A_p = I + Lp Zp'Zp Lp``   (m x m, padded with identity rows),
``B_p = Lp Zp'Zg Lg``       (m x gmax: the facet-only levels and intercept
                            that the person touches, in compact columns),
``c_p = Lp Zp' t``          (m x r, for r data vectors),

and the facet-only block ``D = I + Lg Zg'Zg Lg`` (intercept entry without the
identity).  Each person writes only its own slot, so the person loop runs in
parallel.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def person_blocks(row_ptr, pos, gpos, lam_p, lam_g, p_lo, p_hi, A, B):
    """Fill ``A`` (np, m, m) and ``B`` (np, m, g) for persons ``p_lo..p_hi-1``.

    ``row_ptr`` (P+1) delimits each person's rows (rows sorted by person);
    ``pos`` (n, Kp) are positions inside the person block; ``gpos`` (n, Kg) are
    the person's compact facet-only columns (the intercept included, with
    ``lam_g`` = 1).
    """
    m = A.shape[1]
    kp = pos.shape[1]
    kg = gpos.shape[1]
    for j in prange(p_hi - p_lo):
        p = p_lo + j
        for a in range(m):
            for b in range(m):
                A[j, a, b] = 0.0
            A[j, a, a] = 1.0
            for b in range(B.shape[2]):
                B[j, a, b] = 0.0
        for r in range(row_ptr[p], row_ptr[p + 1]):
            for k1 in range(kp):
                i1 = pos[r, k1]
                l1 = lam_p[k1]
                for k2 in range(kp):
                    A[j, i1, pos[r, k2]] += l1 * lam_p[k2]
                for k2 in range(kg):
                    B[j, i1, gpos[r, k2]] += l1 * lam_g[k2]


@njit(cache=True, parallel=True)
def person_rhs(row_ptr, pos, lam_p, T, p_lo, p_hi, C):
    """``C[j] = Lp Zp' T`` for persons ``p_lo..p_hi-1``; ``T`` is (n, r), ``C`` (np, m, r)."""
    kp = pos.shape[1]
    r_ = T.shape[1]
    for j in prange(p_hi - p_lo):
        p = p_lo + j
        for a in range(C.shape[1]):
            for c in range(r_):
                C[j, a, c] = 0.0
        for r in range(row_ptr[p], row_ptr[p + 1]):
            for k in range(kp):
                i = pos[r, k]
                lam = lam_p[k]
                for c in range(r_):
                    C[j, i, c] += lam * T[r, c]


@njit(cache=True)
def global_blocks(gpos, lam_g, g, T):
    """``D = Lg Zg'Zg Lg + I`` (no identity on the intercept, the last column) and ``Lg Zg' T``."""
    n, kg = gpos.shape
    D = np.zeros((g, g))
    cg = np.zeros((g, T.shape[1]))
    for r in range(n):
        for k1 in range(kg):
            i1 = gpos[r, k1]
            l1 = lam_g[k1]
            for k2 in range(kg):
                D[i1, gpos[r, k2]] += l1 * lam_g[k2]
            for c in range(T.shape[1]):
                cg[i1, c] += l1 * T[r, c]
    for i in range(g - 1):
        D[i, i] += 1.0
    return D, cg


@njit(cache=True, parallel=True)
def fitted_values(row_ptr, pos, gpos, lam_p, lam_g, sol_p, sol_g, out):
    """``out[r, c] = sum_k lam_k * sol[pos_k(r), c]`` (Z u + X b for each solution column)."""
    kp = pos.shape[1]
    kg = gpos.shape[1]
    n_p = row_ptr.shape[0] - 1
    for p in prange(n_p):
        for r in range(row_ptr[p], row_ptr[p + 1]):
            for c in range(out.shape[1]):
                acc = 0.0
                for k in range(kp):
                    acc += lam_p[k] * sol_p[p, pos[r, k], c]
                for k in range(kg):
                    acc += lam_g[k] * sol_g[gpos[r, k], c]
                out[r, c] = acc


@njit(cache=True, parallel=True)
def effect_sums(row_ptr, pos, gpos, vec, n_p, m, g, out_p, out_g_parts):
    """Per-level sums of ``vec`` for every random effect: ``Z_k' vec``.

    ``out_p`` (P, m) receives the person-effect sums; ``out_g_parts`` (P, g)
    the facet-only sums of each person (summed over persons by the caller).
    """
    kp = pos.shape[1]
    kg = gpos.shape[1]
    for p in prange(n_p):
        for a in range(m):
            out_p[p, a] = 0.0
        for a in range(g):
            out_g_parts[p, a] = 0.0
        for r in range(row_ptr[p], row_ptr[p + 1]):
            v = vec[r]
            for k in range(kp):
                out_p[p, pos[r, k]] += v
            for k in range(kg):
                out_g_parts[p, gpos[r, k]] += v


@njit(cache=True)
def scatter_sub(S, gl, blocks):
    """``S[gl[j], gl[j]] -= blocks[j]`` for every person ``j`` (serial: persons share entries of ``S``)."""
    for j in range(blocks.shape[0]):
        for a in range(blocks.shape[1]):
            ia = gl[j, a]
            for b in range(blocks.shape[2]):
                S[ia, gl[j, b]] -= blocks[j, a, b]


@njit(cache=True)
def scatter_vec_sub(v, gl, parts):
    """``v[gl[j]] -= parts[j]`` for every person ``j``."""
    for j in range(parts.shape[0]):
        for a in range(parts.shape[1]):
            v[gl[j, a]] -= parts[j, a]


@njit(cache=True)
def scatter_mat_sub(M, gl, parts):
    """``M[gl[j], :] -= parts[j]`` for every person ``j``; ``parts`` is (np, gmax, r)."""
    for j in range(parts.shape[0]):
        for a in range(parts.shape[1]):
            ia = gl[j, a]
            for c in range(parts.shape[2]):
                M[ia, c] -= parts[j, a, c]
