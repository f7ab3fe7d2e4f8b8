"""Numba kernels behind :mod:`psikometri._reml`.

The REML engine orders the random effects of a generalizability design in two
groups: effects that contain the object of measurement (the person) and
effects that do not.  Person effects of different persons never meet in one
rating, so the penalised cross-product matrix is block diagonal in persons
except for the border of the (small) facet-only effects.  These kernels
assemble, for a range of persons, the per-person blocks

``A_p = I + Lp Zp'Zp Lp``   (m x m, padded with identity rows),
``B_p = Lp Zp'(Zg Lg)``     (m x gmax: the facet-only columns and intercept
                            that the person touches, in compact columns),
``c_p = Lp Zp' t``          (m x r, for r data vectors),

and the facet-only block ``D = I + (Zg Lg)'(Zg Lg)`` (intercept entry without
the identity).  ``Zg Lg`` is held row by row: each rating lists the border
columns it touches (``gcol``) with their weights (``gwt``): the relative
standard deviation of an effect, or a row of the factor of a folded block
(see :mod:`psikometri._reml`); padding entries have weight zero.  Each person
writes only its own slot, so the person loop runs in parallel.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def person_blocks(row_ptr, pos, gloc, gwt, lam_p, p_lo, p_hi, A, B):
    """Fill ``A`` (np, m, m) and ``B`` (np, m, g) for persons ``p_lo..p_hi-1``.

    ``row_ptr`` (P+1) delimits each person's rows (rows sorted by person);
    ``pos`` (n, Kp) are positions inside the person block; ``gloc`` (n, w) are
    the person's compact facet-only columns of each rating (the intercept
    included) and ``gwt`` (n, w) their weights.
    """
    m = A.shape[1]
    kp = pos.shape[1]
    kg = gloc.shape[1]
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
                    B[j, i1, gloc[r, k2]] += l1 * gwt[r, k2]


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
def global_blocks(gcol, gwt, g, T):
    """``D = (Zg Lg)'(Zg Lg) + I`` (no identity on the intercept, the last column) and ``(Zg Lg)' T``."""
    n, kg = gcol.shape
    D = np.zeros((g, g))
    cg = np.zeros((g, T.shape[1]))
    for r in range(n):
        for k1 in range(kg):
            i1 = gcol[r, k1]
            l1 = gwt[r, k1]
            for k2 in range(kg):
                D[i1, gcol[r, k2]] += l1 * gwt[r, k2]
            for c in range(T.shape[1]):
                cg[i1, c] += l1 * T[r, c]
    for i in range(g - 1):
        D[i, i] += 1.0
    return D, cg


@njit(cache=True)
def border_rhs(gcol, gwt, g, T):
    """``(Zg Lg)' T`` (g, r): the border part of the right-hand side for data columns ``T`` (n, r)."""
    n, kg = gcol.shape
    cg = np.zeros((g, T.shape[1]))
    for r in range(n):
        for k in range(kg):
            i = gcol[r, k]
            w = gwt[r, k]
            for c in range(T.shape[1]):
                cg[i, c] += w * T[r, c]
    return cg


@njit(cache=True, parallel=True)
def fitted_values(row_ptr, pos, gcol, gwt, lam_p, sol_p, sol_g, out):
    """``out[r, c] = sum_k lam_k * sol[pos_k(r), c]`` (Z u + X b for each solution column)."""
    kp = pos.shape[1]
    kg = gcol.shape[1]
    n_p = row_ptr.shape[0] - 1
    for p in prange(n_p):
        for r in range(row_ptr[p], row_ptr[p + 1]):
            for c in range(out.shape[1]):
                acc = 0.0
                for k in range(kp):
                    acc += lam_p[k] * sol_p[p, pos[r, k], c]
                for k in range(kg):
                    acc += gwt[r, k] * sol_g[gcol[r, k], c]
                out[r, c] = acc


@njit(cache=True, parallel=True)
def effect_sums(row_ptr, pos, vec, n_p, m, out_p):
    """Per-level sums of ``vec`` for every person effect: ``Z_k' vec``; ``out_p`` is (P, m).

    (The facet-only effects' sums are plain ``np.bincount`` over their level codes.)
    """
    kp = pos.shape[1]
    for p in prange(n_p):
        for a in range(m):
            out_p[p, a] = 0.0
        for r in range(row_ptr[p], row_ptr[p + 1]):
            v = vec[r]
            for k in range(kp):
                out_p[p, pos[r, k]] += v


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


# ----------------------------------------------------------------------------- sparse border


@njit(cache=True)
def _csc_find(indptr, indices, row, col):
    """Position of entry (row, col) of a lower CSC pattern with sorted row indices (-1 if absent)."""
    lo = indptr[col]
    hi = indptr[col + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        v = indices[mid]
        if v < row:
            lo = mid + 1
        elif v > row:
            hi = mid
        else:
            return mid
    return -1


@njit(cache=True)
def csc_global_blocks(gcol, gwt, indptr, indices, data, T, cg):
    """Sparse ``D = (Zg Lg)'(Zg Lg) + I`` (lower CSC; no identity on the intercept, the last column) and
    ``(Zg Lg)' T``.

    ``data`` and ``cg`` are overwritten.  Columns are in their natural order
    (the pattern holds every pair of columns that share a rating).
    """
    n, kg = gcol.shape
    g = indptr.shape[0] - 1
    for t in range(data.shape[0]):
        data[t] = 0.0
    for i in range(cg.shape[0]):
        for c in range(cg.shape[1]):
            cg[i, c] = 0.0
    for r in range(n):
        for k1 in range(kg):
            i1 = gcol[r, k1]
            l1 = gwt[r, k1]
            for k2 in range(kg):
                i2 = gcol[r, k2]
                if i1 >= i2:
                    data[_csc_find(indptr, indices, i1, i2)] += l1 * gwt[r, k2]
            for c in range(T.shape[1]):
                cg[i1, c] += l1 * T[r, c]
    for i in range(g - 1):
        data[_csc_find(indptr, indices, i, i)] += 1.0


@njit(cache=True)
def csc_scatter_sub(indptr, indices, data, gl, gcount, blocks):
    """``S[gl[j], gl[j]] -= blocks[j]`` on the lower CSC pattern (first ``gcount[j]`` local levels)."""
    for j in range(blocks.shape[0]):
        cnt = gcount[j]
        for a in range(cnt):
            ia = gl[j, a]
            for b in range(cnt):
                ib = gl[j, b]
                if ia >= ib:
                    data[_csc_find(indptr, indices, ia, ib)] -= blocks[j, a, b]


@njit(cache=True)
def selected_inverse(indptr, indices, lx):
    """Entries of ``(L L')^{-1}`` on the pattern of the lower Cholesky factor ``L`` (Takahashi recurrences).

    ``L`` in CSC with the diagonal first in each column and sorted row
    indices.  Works from the last column backwards:
    ``Z_ij = -(1/l_jj) sum_{k > j} Z_ik l_kj`` for ``i > j`` in the pattern of
    column ``j``, ``Z_jj = (1/l_jj - sum_{k > j} l_kj Z_kj) / l_jj``.  The
    entries needed lie in the pattern of ``L`` (the elimination-tree
    property), so no other entry of the inverse is formed.
    """
    n = indptr.shape[0] - 1
    z = np.zeros(lx.shape[0])
    mark = np.full(n, -1, dtype=np.int64)
    acc = np.zeros(n)
    for j in range(n - 1, -1, -1):
        s0 = indptr[j]
        s1 = indptr[j + 1]
        djj = lx[s0]
        cnt = s1 - s0 - 1
        for t in range(cnt):
            mark[indices[s0 + 1 + t]] = t
            acc[t] = 0.0
        for t in range(cnt):
            k = indices[s0 + 1 + t]
            lkj = lx[s0 + 1 + t]
            acc[t] += z[indptr[k]] * lkj  # Z_kk l_kj
            for s in range(indptr[k] + 1, indptr[k + 1]):
                li = mark[indices[s]]
                if li >= 0:
                    zik = z[s]
                    acc[li] += zik * lkj  # Z_ij += Z_ik l_kj   (i > k)
                    acc[t] += zik * lx[s0 + 1 + li]  # Z_kj += Z_ki l_ij
        diag = 1.0 / djj
        for t in range(cnt):
            v = -acc[t] / djj
            z[s0 + 1 + t] = v
            diag -= lx[s0 + 1 + t] * v
            mark[indices[s0 + 1 + t]] = -1
        z[s0] = diag / djj
    return z


@njit(cache=True, parallel=True)
def gather_blocks(indptr, indices, z, iperm, gl, gcount, out):
    """``out[j] = Z[gl[j], gl[j]]`` from the selected inverse ``z`` of a permuted factor (``iperm``: level -> row)."""
    for j in prange(out.shape[0]):
        cnt = gcount[j]
        for a in range(out.shape[1]):
            for b in range(out.shape[2]):
                out[j, a, b] = 0.0
        for a in range(cnt):
            ra = iperm[gl[j, a]]
            for b in range(a + 1):
                rb = iperm[gl[j, b]]
                if ra >= rb:
                    v = z[_csc_find(indptr, indices, ra, rb)]
                else:
                    v = z[_csc_find(indptr, indices, rb, ra)]
                out[j, a, b] = v
                out[j, b, a] = v


@njit(cache=True)
def csc_cholesky_solve(indptr, indices, lx, perm, B):
    """Solve ``A X = B`` given ``L L' = A[perm][:, perm]`` (``L`` lower CSC, diagonal first); ``B`` (n, r)."""
    n = indptr.shape[0] - 1
    r_ = B.shape[1]
    X = np.empty((n, r_))
    for i in range(n):
        for c in range(r_):
            X[i, c] = B[perm[i], c]
    for j in range(n):  # forward: L z = P b
        s0 = indptr[j]
        d = lx[s0]
        for c in range(r_):
            X[j, c] /= d
        for s in range(s0 + 1, indptr[j + 1]):
            i = indices[s]
            v = lx[s]
            for c in range(r_):
                X[i, c] -= v * X[j, c]
    for j in range(n - 1, -1, -1):  # backward: L' w = z
        s0 = indptr[j]
        for s in range(s0 + 1, indptr[j + 1]):
            i = indices[s]
            v = lx[s]
            for c in range(r_):
                X[j, c] -= v * X[i, c]
        d = lx[s0]
        for c in range(r_):
            X[j, c] /= d
    out = np.empty((n, r_))
    for i in range(n):
        for c in range(r_):
            out[perm[i], c] = X[i, c]
    return out


@njit(cache=True, parallel=True)
def gather_lower(C, gl, gcount, out):
    """``out[j] = S[gl[j], gl[j]]`` from a matrix ``C`` whose lower triangle holds the symmetric ``S``."""
    for j in prange(out.shape[0]):
        cnt = gcount[j]
        for a in range(out.shape[1]):
            for b in range(out.shape[2]):
                out[j, a, b] = 0.0
        for a in range(cnt):
            ia = gl[j, a]
            for b in range(a + 1):
                ib = gl[j, b]
                v = C[ia, ib] if ia >= ib else C[ib, ia]
                out[j, a, b] = v
                out[j, b, a] = v


@njit(cache=True)
def cholesky_column_counts(indptr, indices):
    """Nonzeros per column of the Cholesky factor of a symmetric pattern (symbolic factorisation).

    ``indptr``/``indices``: the lower triangle in compressed rows (row ``k``
    lists its columns ``i <= k``), already in elimination order.  The
    elimination tree comes from Liu's algorithm with path compression; row
    ``k`` of the factor is the set of tree nodes reached from the entries of
    row ``k`` of the matrix walking towards the root and stopping at ``k``
    (its row subtree), so each nonzero of the factor is visited once: the
    cost is that of counting, ``O(nnz(L))``, with no numbers computed.
    Returns ``(parent, counts)``; ``counts`` include the diagonal.
    """
    n = indptr.shape[0] - 1
    parent = np.full(n, -1, dtype=np.int64)
    ancestor = np.full(n, -1, dtype=np.int64)
    for k in range(n):
        for s in range(indptr[k], indptr[k + 1]):
            i = indices[s]
            while i != -1 and i < k:
                nxt = ancestor[i]
                ancestor[i] = k
                if nxt == -1:
                    parent[i] = k
                i = nxt
    counts = np.ones(n, dtype=np.int64)
    mark = np.full(n, -1, dtype=np.int64)
    for k in range(n):
        mark[k] = k
        for s in range(indptr[k], indptr[k + 1]):
            i = indices[s]
            while i != -1 and i < k and mark[i] != k:
                counts[i] += 1
                mark[i] = k
                i = parent[i]
    return parent, counts
