"""Restricted maximum likelihood for random-effects generalizability designs.

Model: ``y = mu + sum_k Z_k u_k + e`` with ``u_k ~ N(0, s2_k I)`` and
``e ~ N(0, s2_e I)``, every effect of the design (all interactions included)
a crossed random factor, the highest-order interaction confounded with error.

Computation
-----------
With ``Lambda = diag(theta_k)``, ``theta_k = sqrt(s2_k / s2_e)``, the REML
criterion is evaluated from the factorisation of the penalised system
(Bates et al. 2015, eq. 33-42)::

    M = [[Lambda Z'Z Lambda + I, Lambda Z'X], [X'Z Lambda, X'X]]

Effects that contain the person never meet across persons, so ``M`` is block
diagonal in persons except for a border of facet-only effects (and the
intercept).  The person blocks (at most a few hundred rows each) are factored
with batched dense LAPACK, and the border by its Schur complement ``S``, dense
(LAPACK) or sparse (CHOLMOD), of the size of the facet-only levels.  No dense
matrix of the size of the person levels is ever formed; memory and time grow
linearly with the number of persons.

Eliminating a person couples every border level that the person touches, so
with assessors assigned at random ``S`` is dense: an assessor's levels meet
those of every assessor who shares a candidate (at 2,000 candidates and 800
assessors, a competency x assessor level meets those of 190 other assessors,
with full-rank couplings), no ordering keeps the factor sparse (AMD or nested
dissection: 65-96% of a dense factorisation's flops), and the border costs
``O(b^3)`` per factorisation.  What can be removed is redundancy inside the
border: an effect whose levels nest in those of the finest facet-only effect
(assessor:exercise within competency x assessor:exercise) is folded into it
(:func:`_fold_plan`), ``Z_b u_b + Z_f u_f = Z_f F v`` with a square factor
``F`` of each block's covariance, which leaves the REML criterion unchanged
(Sylvester's determinant identity) and takes one column per assessor out of
the border: ``b`` shrinks from about 5.4 to 4.4 columns per assessor, half
the flops.

The variance components are found by average-information REML
(Gilmour, Thompson & Cullis 1995; Johnson & Thompson 1995): the score

    dl/ds2_k = -1/2 [tr(P Z_k Z_k') - y'P Z_k Z_k' P y]

uses ``tr(P Z_k Z_k') = (q_k - tr M^{kk}) / (s2_k)``, ``M^{kk}`` the diagonal
block of ``M^{-1}`` for effect ``k`` (for folded effects, sums over the blocks
of ``F^-T (I - S^-1_bb) F^-1``), and the average information
``AI_kl = 1/2 y'P V_k P V_l P y`` costs one extra solve per component.
Estimates are kept non-negative: a component whose score points below zero
at the boundary stays at zero (the usual active-set rule).  The reported
log-likelihood is the profiled REML log-likelihood of lme4 (``logLik`` of a
``lmer(..., REML = TRUE)`` fit); standard errors come from the inverse of the
average-information matrix at the solution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _gtheory_kernels as K
from ._threads import single_thread_blas

_FLOOR = 1e-10  # smallest variance ratio s2_k / s2_e used inside the factorisation


def _group_codes(cols: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, int]:
    """Dense codes of the combinations of ``cols``, ordered lexicographically (first column slowest)."""
    key = np.zeros(len(cols[0]), dtype=np.int64)
    for c, s in zip(cols, sizes):
        key = key * np.int64(s) + c.astype(np.int64)
    uniq, inv = np.unique(key, return_inverse=True)
    return inv.astype(np.int64), len(uniq)


@dataclass
class RemlFit:
    variances: np.ndarray  # (K,) random-effect variances, then residual last
    se: np.ndarray
    loglik: float
    iterations: int
    converged: bool
    boundary: np.ndarray  # bool (K+1,)
    cov: np.ndarray = None  # (K+1, K+1) inverse average information; NaN rows/columns on the boundary


def _solve(M, b):
    try:
        return np.linalg.solve(M, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(M, b, rcond=None)[0]


def _newton_step(AI, score, idx):
    step = np.zeros(len(score))
    step[idx] = _solve(AI[np.ix_(idx, idx)], score[idx])
    return step


def _feasible_step(AI, score, sig, lower, idx):
    """Newton step of the quadratic model restricted to ``sig + step >= lower``.

    Components whose step would cross their lower bound are moved onto it and
    the step of the others is re-solved given that move (projected Newton with
    an active set), until no bound is crossed.
    """
    free = [int(i) for i in idx]
    fixed: list[int] = []
    delta: list[float] = []
    step = np.zeros(len(score))
    for _ in range(len(score)):
        rhs = score[free].copy()
        if fixed:
            rhs -= AI[np.ix_(free, fixed)] @ np.asarray(delta)
        d = _solve(AI[np.ix_(free, free)], rhs)
        viol = [(k, dk) for k, dk in zip(free, d) if k < len(lower) and sig[k] + dk < lower[k]]
        if not viol:
            step[free] = d
            break
        for k, _ in viol:
            free.remove(k)
            fixed.append(k)
            delta.append(lower[k] - sig[k])
        if not free:
            break
    step[fixed] = delta
    return step


# one implementation of the BLAS thread limit for the whole package
_single_thread_blas = single_thread_blas


#: Borders up to this many levels are factored with single-threaded BLAS throughout the fit.  Below
#: it, the seconds a second BLAS thread saves on the border are lost to its contention with numba's
#: threads, which spin after each parallel person kernel (and with other processes on the cores): on
#: 2 cores, single-threaded BLAS fitted the 3,557-column border of 2,000 candidates x 800 assessors in
#: 23-28 s against 35-48 s with two threads (alternating runs); at 8,837 columns two threads won
#: (63 s against 92 s).
SMALL_BORDER = 6000
#: Borders up to this many levels are always factored densely (LAPACK); beyond, the fill of a sparse
#: factorisation decides.
DENSE_BORDER_MAX = 3000
#: A sparse factor holding more than this share of a dense triangle is refactored densely.
DENSE_FILL_SHARE = 0.25
#: Largest border that may be held densely (a 16,000-level border takes 2 GB per matrix).
DENSE_BORDER_LIMIT = 16000


class _DenseFactor:
    """Cholesky factor of a dense border ``S`` (LAPACK ``dpotrf``), intercept last."""

    def __init__(self, S):
        from scipy.linalg import lapack

        self._lapack = lapack
        c, info = lapack.dpotrf(S, lower=1, clean=1, overwrite_a=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"border matrix not positive definite (dpotrf info {info})")
        self.c = c
        d = np.diagonal(c)
        self.logdet_u = 2.0 * float(np.log(d[:-1]).sum())
        self.logdet_x = 2.0 * float(np.log(d[-1]))
        self._inv = None

    def solve(self, B):
        x, info = self._lapack.dpotrs(self.c, np.asarray(B, dtype=np.float64), lower=1)
        return x

    def _inverse_lower(self):
        if self._inv is None:
            inv, info = self._lapack.dpotri(self.c, lower=1, overwrite_c=0)
            if info != 0:
                raise np.linalg.LinAlgError(f"dpotri info {info}")
            self._inv = inv  # lower triangle holds S^{-1}
        return self._inv

    def inverse_dense(self):
        inv = self._inverse_lower()
        return np.tril(inv) + np.tril(inv, -1).T

    def inverse_blocks(self, gl, gcount):
        out = np.empty((gl.shape[0], gl.shape[1], gl.shape[1]))
        K.gather_lower(self._inverse_lower(), np.ascontiguousarray(gl), np.ascontiguousarray(gcount), out)
        return out

    def inverse_diagonal(self):
        return np.diagonal(self._inverse_lower()).copy()


class _DenseBorder:
    """The border held as a dense matrix."""

    kind = "dense"

    def __init__(self, g):
        self.g = g

    def start(self, gcol, gwt, T):
        return K.global_blocks(gcol, gwt, self.g, T)

    def subtract(self, S, gl, gcount, blocks):
        K.scatter_sub(S, gl, blocks)

    def factor(self, S):
        return _DenseFactor(S.T)  # S is symmetric: its transpose is the Fortran-ordered copy LAPACK wants


class _SparseFactor:
    """Sparse Cholesky ``L L' = S[perm][:, perm]`` by CHOLMOD, with the selected inverse on the pattern of ``L``."""

    def __init__(self, border, data):
        from cvxopt import cholmod, matrix

        g = border.g
        A = border.cv_matrix
        A.V = matrix(data[border.cv_order])  # the pattern is the border's: only the values change
        F = cholmod.symbolic(A, p=border.cv_perm)
        try:
            cholmod.numeric(A, F)
        except ArithmeticError as exc:
            raise np.linalg.LinAlgError(f"border matrix not positive definite ({exc})") from None
        d = np.asarray(cholmod.diag(F)).ravel()
        x = matrix(np.arange(g, dtype=np.float64).reshape(-1, 1))
        cholmod.solve(F, x, sys=7)
        self.perm = np.asarray(x).ravel().round().astype(np.int64)
        if self.perm[-1] != g - 1:  # the intercept (an etree root) stays last under postordering
            raise RuntimeError("internal: intercept not ordered last in the sparse border factor")
        self.iperm = np.empty(g, dtype=np.int64)
        self.iperm[self.perm] = np.arange(g)
        L = cholmod.getfactor(F)
        colptr, rowind, vals = L.CCS
        self.indptr = np.asarray(colptr, dtype=np.int64).ravel()
        self.indices = np.asarray(rowind, dtype=np.int64).ravel()
        self.lx = np.asarray(vals, dtype=np.float64).ravel()
        _sort_csc(self.indptr, self.indices, self.lx)
        self.logdet_u = 2.0 * float(np.log(d[:-1]).sum())
        self.logdet_x = 2.0 * float(np.log(d[-1]))
        self.nnz = len(self.lx)
        self._z = None

    def solve(self, B):
        B = np.ascontiguousarray(B, dtype=np.float64)
        return K.csc_cholesky_solve(self.indptr, self.indices, self.lx, self.perm, B)

    def _selinv(self):
        if self._z is None:
            self._z = K.selected_inverse(self.indptr, self.indices, self.lx)
        return self._z

    def inverse_blocks(self, gl, gcount):
        z = self._selinv()
        out = np.empty((gl.shape[0], gl.shape[1], gl.shape[1]))
        K.gather_blocks(self.indptr, self.indices, z, self.iperm, np.ascontiguousarray(gl),
                        np.ascontiguousarray(gcount), out)
        return out

    def inverse_diagonal(self):
        z = self._selinv()
        return z[self.indptr[self.iperm]]

    def inverse_dense(self):  # pragma: no cover - the sparse border is used with compact columns only
        raise NotImplementedError


def _sort_csc(indptr, indices, data):
    """Sort the row indices of each CSC column in place (CHOLMOD's factors are usually sorted already)."""
    same_col = np.diff(np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))) == 0
    if np.all(np.diff(indices)[same_col] > 0):
        return
    for j in range(len(indptr) - 1):
        a, b = indptr[j], indptr[j + 1]
        o = np.argsort(indices[a:b], kind="stable")
        indices[a:b] = indices[a:b][o]
        data[a:b] = data[a:b][o]


class _SparseBorder:
    """The border held as a sparse lower-triangular matrix on the pattern of co-rated levels.

    The pattern holds every pair of facet-only levels that one person touches
    (person elimination fills exactly these), the diagonal and the dense
    intercept row.  The fill-reducing ordering is AMD on the levels with the
    intercept put last; CHOLMOD factors the matrix (supernodal).
    """

    kind = "sparse"

    @staticmethod
    def pattern(prob):
        """The border's lower-triangular pattern (scipy CSC, sorted): the levels each person touches, paired."""
        import scipy.sparse as sps

        mask = np.arange(prob.gl.shape[1])[None, :] < prob.gcount[:, None]
        prs = np.repeat(np.arange(prob.P), prob.gcount)
        Zg = sps.csr_matrix((np.ones(len(prs)), (prs, prob.gl[mask])), shape=(prob.P, prob.g))
        pat = sps.tril(Zg.T @ Zg + sps.identity(prob.g, format="csr"), format="csc")
        pat.sort_indices()
        return pat

    def __init__(self, prob, pat=None):
        from cvxopt import amd, matrix, spmatrix

        g = self.g = prob.g
        pat = self.pattern(prob) if pat is None else pat
        self.indptr = pat.indptr.astype(np.int64)
        self.indices = pat.indices.astype(np.int64)
        self.nnz = len(self.indices)
        cols = np.repeat(np.arange(g), np.diff(self.indptr))
        # CHOLMOD's matrix, built once (only the values change between factorisations): cvxopt builds the
        # upper triangle from triplets at once but takes a second for the lower one of a 5e5-entry border
        # (whose intercept row is dense), so the upper triangle is built and transposed; ``cv_order`` records
        # where each entry of the pattern sits in the matrix's values
        upper = spmatrix(matrix(np.arange(1.0, self.nnz + 1.0)), matrix(cols.astype(np.int32), tc="i"),
                         matrix(self.indices.astype(np.int32), tc="i"), (g, g))
        self.cv_matrix = upper.T
        self.cv_order = np.asarray(self.cv_matrix.V).ravel().round().astype(np.int64) - 1
        if len(self.cv_order) != self.nnz:
            raise RuntimeError("internal: CHOLMOD's copy of the border pattern lost entries")
        # AMD on the levels without the intercept, intercept last
        inner = pat[:-1, :-1].tocoo()
        A = spmatrix(1.0, matrix(inner.col.astype(np.int32), tc="i"), matrix(inner.row.astype(np.int32), tc="i"),
                     (g - 1, g - 1))  # its upper triangle (built at once, see above)
        order = np.asarray(amd.order(A, "U")).ravel().astype(np.int64)
        self.cv_perm = matrix(np.append(order, g - 1).astype(np.int32), tc="i")

    def factor_nnz(self):
        """Nonzeros of the Cholesky factor under this border's ordering (symbolic; no factorisation)."""
        import scipy.sparse as sps

        g = self.g
        perm = np.asarray(self.cv_perm).ravel().astype(np.int64)
        pat = sps.csc_matrix((np.ones(self.nnz), self.indices, self.indptr), shape=(g, g))
        full = (pat + pat.T).tocsr()
        low = sps.tril(full[perm][:, perm], format="csr")
        low.sort_indices()
        _, counts = K.cholesky_column_counts(low.indptr.astype(np.int64), low.indices.astype(np.int64))
        return int(counts.sum())

    def start(self, gcol, gwt, T):
        data = np.empty(self.nnz)
        cg = np.empty((self.g, T.shape[1]))
        K.csc_global_blocks(gcol, gwt, self.indptr, self.indices, data, np.ascontiguousarray(T), cg)
        return data, cg

    def subtract(self, data, gl, gcount, blocks):
        K.csc_scatter_sub(self.indptr, self.indices, data, np.ascontiguousarray(gl), np.ascontiguousarray(gcount),
                          np.ascontiguousarray(blocks))

    def factor(self, data):
        return _SparseFactor(self, data)


def _choose_border(prob, sparse_border="auto"):
    """Dense LAPACK for small borders or borders that fill in; CHOLMOD for large borders that stay sparse."""
    if not (sparse_border is True or sparse_border is False or (isinstance(sparse_border, str)
                                                                 and sparse_border == "auto")):
        raise ValueError(f"sparse_border must be True, False or 'auto'; got {sparse_border!r}.")
    if sparse_border is False or not prob.compact or (sparse_border == "auto" and prob.g <= DENSE_BORDER_MAX):
        return _DenseBorder(prob.g)
    try:
        import cvxopt  # noqa: F401
    except ImportError:  # pragma: no cover - cvxopt is a dependency
        if prob.g > DENSE_BORDER_LIMIT:
            raise
        return _DenseBorder(prob.g)
    if sparse_border == "auto" and prob.g <= DENSE_BORDER_LIMIT:
        # an upper bound of the pattern's size: the cliques of border levels that the persons touch, each
        # distinct set once (the candidates of one session touch their panel's levels: counted per person,
        # 2,000 candidates in sessions of 800 assessors gave a bound of 1e7 entries for a pattern of 2.1e5
        # that does not fill in at all).  A border that is dense by this bound's tenth is dense indeed, with
        # no pattern to build (with assessors drawn at random every person's set is its own)
        sets = np.unique(prob.gl, axis=0)
        sizes = (sets != prob.g - 1).sum(axis=1).astype(np.float64) + 1.0
        bound = float(np.sum(sizes**2)) / 2.0
        if bound > 10 * 0.05 * prob.g * (prob.g + 1) / 2:
            return _DenseBorder(prob.g)
    pat = _SparseBorder.pattern(prob)
    if sparse_border == "auto" and pat.nnz > 0.05 * prob.g * (prob.g + 1) / 2 and prob.g <= DENSE_BORDER_LIMIT:
        # a pattern this dense fills in almost completely under any ordering: no ordering or symbolic count
        # needed (with 2,000 assessors drawn at random, 2e6 entries, AMD and CHOLMOD's copy took 1.3 s)
        return _DenseBorder(prob.g)
    sb = _SparseBorder(prob, pat)
    if sparse_border is True:
        return sb
    # the symbolic factorisation (column counts under the fill-reducing order, no numbers) tells how much
    # the factor fills in, at the cost of counting its nonzeros
    if sb.factor_nnz() > DENSE_FILL_SHARE * prob.g * (prob.g + 1) / 2 and prob.g <= DENSE_BORDER_LIMIT:
        return _DenseBorder(prob.g)
    return sb


#: Largest block of a folded border: levels of the finest facet-only effect within one level of the
#: coarsest effect folded into it (e.g. the competencies one assessor rates).
FOLD_BLOCK_MAX = 16


@dataclass
class _Fold:
    """Facet-only effects folded into the levels of the finest one (see :func:`_fold_plan`)."""

    fine: int  # border effect (index among the facet-only effects) whose levels carry the block
    effects: list  # the folded border effects, ``fine`` last
    block: np.ndarray  # (q_fine,) block of each level of the fine effect
    within: np.ndarray  # (q_fine,) its place in the block
    sizes: np.ndarray  # (nblocks,) levels per block
    bstart: np.ndarray  # (nblocks,) first column of each block (relative to ``base``)
    bmax: int
    rows: np.ndarray  # (nblocks, qmax, bmax) 0/1: the level of each folded effect that a fine level is in
    row_effect: np.ndarray  # (qmax,) folded effect (index into ``effects``) of each template row
    same: np.ndarray  # (len(effects), nblocks, bmax, bmax) 0/1: two fine levels share a level of the effect
    base: int = 0  # first border column of the blocks
    cols: np.ndarray = None  # (nblocks, bmax) border columns of each block, padded with the intercept


def _fold_plan(geff, gsets, q, person):
    """Fold nested facet-only effects into the levels of the finest one, or ``None``.

    When every level of the finest facet-only effect ``f`` (e.g. competency
    x assessor:exercise) lies inside one level of a coarser effect ``b`` (the
    assessor:exercise), the effects ``k`` with ``b <= k < f`` are
    ``Z_k = Z_f H_k`` (``H_k`` aggregates the levels of ``f``), so their
    contribution to the marginal covariance is ``Z_f Sigma Z_f'`` with
    ``Sigma`` block diagonal by the levels of ``b``,
    ``Sigma_b = sum_k theta_k^2 H_kb H_kb'``.  Writing it with a square factor
    ``Sigma_b = F_b F_b'`` (from the QR factorisation of the stacked
    ``theta_k H_kb'``) gives the same REML criterion (Sylvester's determinant
    identity) with one border column per level of ``f`` instead of one per
    level of every folded effect: a border of ``q_f`` instead of
    ``q_f + q_b + ...`` columns.  A rating then touches every column of its
    block, so ``b`` qualifies only when its blocks hold at most
    :data:`FOLD_BLOCK_MAX` levels of ``f`` and the persons touch no more
    border columns than before (a person rated in a block is rated on most of
    its levels, as a candidate is on the competencies of an exercise by each
    assessor); the qualifying ``b`` with the fewest levels is used (most
    effects folded).  ``person`` holds the person code of each rating.
    """
    kg = len(gsets)
    if kg < 2:
        return None
    fine = max(range(kg), key=lambda j: (q[j], len(gsets[j])))
    fs = set(gsets[fine])

    def pairs(codes, width):  # distinct (person, level) pairs
        return len(np.unique(person * np.int64(width) + codes))

    lvl = {}
    for j in range(kg):
        if j != fine and set(gsets[j]) < fs:
            m = np.zeros(q[fine], dtype=np.int64)
            m[geff[:, fine]] = geff[:, j]
            lvl[j] = m
    best = None
    for j in sorted(lvl, key=lambda j: q[j]):
        sizes = np.bincount(lvl[j], minlength=q[j])
        if sizes.max() > FOLD_BLOCK_MAX:
            continue
        bs = set(gsets[j])
        members = [k for k in range(kg) if k != fine and bs <= set(gsets[k]) < fs] + [fine]
        before = sum(pairs(geff[:, k], q[k]) for k in members)
        touched = np.unique(person * np.int64(q[j]) + geff[:, j]) % q[j]
        if sizes[touched].sum() <= before:
            best = j
            break
    if best is None:
        return None
    bs = set(gsets[best])
    effects = [j for j in range(kg) if j != fine and bs <= set(gsets[j]) < fs] + [fine]
    lvl[fine] = np.arange(q[fine], dtype=np.int64)
    block = lvl[best]
    nblocks = q[best]
    sizes = np.bincount(block, minlength=nblocks).astype(np.int64)
    bmax = int(sizes.max())
    bstart = np.zeros(nblocks, dtype=np.int64)
    bstart[1:] = np.cumsum(sizes)[:-1]
    order = np.lexsort((np.arange(q[fine]), block))
    within = np.empty(q[fine], dtype=np.int64)
    within[order] = np.arange(q[fine]) - bstart[block[order]]
    # template rows: for each folded effect, its levels inside the block (numbered from 0 in each block)
    row_blocks = []
    row_effect = []
    for t, j in enumerate(effects):
        key = block * np.int64(q[j]) + lvl[j]
        uk, local = np.unique(key, return_inverse=True)
        local = local.ravel()
        ublk = uk // q[j]
        start = np.searchsorted(ublk, np.arange(nblocks))
        loc = local - start[block]  # level of effect j within the block, from 0
        nrows = int(loc.max()) + 1
        R = np.zeros((nblocks, nrows, bmax))
        R[block, loc, within] = 1.0
        row_blocks.append(R)
        row_effect += [t] * nrows
    rows = np.concatenate(row_blocks, axis=1)
    row_effect = np.asarray(row_effect, dtype=np.int64)
    same = np.stack([np.einsum("bri,brj->bij", rb, rb) for rb in row_blocks])
    return _Fold(fine=fine, effects=effects, block=block, within=within, sizes=sizes, bstart=bstart, bmax=bmax,
                 rows=rows, row_effect=row_effect, same=same)


class RemlProblem:
    """A random-effects design prepared for repeated factorisation.

    Parameters
    ----------
    y : (n,) float
    codes : (n, F) int factor codes, column 0 the person
    n_levels : (F,) number of levels of each factor
    effects : list of tuples of factor indices (random effects; the residual excluded)
    chunk_bytes : memory budget for one chunk of person blocks
    """

    def __init__(self, y, codes, n_levels, effects, chunk_bytes=256 * 2**20, cache_bytes=2 * 2**30,
                 sparse_border="auto", fold_border=True):
        y = np.ascontiguousarray(y, dtype=np.float64)
        order = np.argsort(codes[:, 0], kind="stable")
        self.order = order
        y = y[order]
        codes = codes[order]
        self.y = y
        self.n = n = len(y)
        person = codes[:, 0].astype(np.int64)
        self.P = P = int(n_levels[0])
        counts = np.bincount(person, minlength=P)
        self.row_ptr = np.zeros(P + 1, dtype=np.int64)
        np.cumsum(counts, out=self.row_ptr[1:])
        self.effects = [tuple(e) for e in effects]
        self.pidx = [i for i, e in enumerate(self.effects) if 0 in e]
        self.gidx = [i for i, e in enumerate(self.effects) if 0 not in e]
        self.q = np.zeros(len(self.effects), dtype=np.int64)
        # person effects: positions inside each person's block
        kp = len(self.pidx)
        pos = np.zeros((n, kp), dtype=np.int64)
        cnt = np.zeros((P, kp), dtype=np.int64)
        locs = []
        for j, i in enumerate(self.pidx):
            e = sorted(self.effects[i])  # person (0) first
            code, q = _group_codes([codes[:, f] for f in e], [int(n_levels[f]) for f in e])
            self.q[i] = q
            start = np.full(P, np.iinfo(np.int64).max)
            np.minimum.at(start, person, code)
            loc = code - start[person]
            locs.append(loc)
            np.maximum.at(cnt[:, j], person, loc + 1)
        off = np.zeros((P, kp), dtype=np.int64)
        if kp:
            off[:, 1:] = np.cumsum(cnt, axis=1)[:, :-1]
        for j in range(kp):
            pos[:, j] = off[person, j] + locs[j]
        self.m = m = int(cnt.sum(axis=1).max()) if kp else 1
        self.pos = np.ascontiguousarray(pos)
        eff_of_pos = np.full((P, m), -1, dtype=np.int64)
        for j in range(kp):
            rows = np.repeat(np.arange(P), cnt[:, j])
            within = np.arange(cnt[:, j].sum()) - np.repeat(np.cumsum(cnt[:, j]) - cnt[:, j], cnt[:, j])
            eff_of_pos[rows, off[rows, j] + within] = j
        self.eff_of_pos = eff_of_pos
        # facet-only effects: the level codes of each (the sums of the scores use them), then the border
        # columns: the levels of the effects that are not folded, the folded blocks, the intercept last
        kg = len(self.gidx)
        geff = np.zeros((n, kg), dtype=np.int64)
        for j, i in enumerate(self.gidx):
            e = sorted(self.effects[i])
            geff[:, j], self.q[i] = _group_codes([codes[:, f] for f in e], [int(n_levels[f]) for f in e])
        self.geff = geff
        qg = [int(self.q[i]) for i in self.gidx]
        fold = _fold_plan(geff, [self.effects[i] for i in self.gidx], qg, person) if fold_border else None
        unfolded = [j for j in range(kg) if fold is None or j not in fold.effects]
        goff = np.zeros(kg, dtype=np.int64)
        eff_of_col = []
        off = 0
        for j in unfolded:
            goff[j] = off
            eff_of_col += [j] * qg[j]
            off += qg[j]
        self.unfolded = unfolded
        self.eff_of_col = np.asarray(eff_of_col, dtype=np.int64)
        self.fold = fold
        nfold = 0 if fold is None else fold.sizes.sum()
        self.g = g = off + nfold + 1
        w = len(unfolded) + (0 if fold is None else fold.bmax) + 1
        gcol = np.full((n, w), g - 1, dtype=np.int64)  # padding points at the intercept (zero weight)
        for t, j in enumerate(unfolded):
            gcol[:, t] = goff[j] + geff[:, j]
        if fold is not None:
            fl = geff[:, fold.fine]
            blk = fold.block[fl]
            self.fold_rows = (blk, fold.within[fl])  # each rating's block and place in it
            fold.base = off
            cols = off + fold.bstart[blk][:, None] + np.arange(fold.bmax)[None, :]
            inside = np.arange(fold.bmax)[None, :] < fold.sizes[blk][:, None]
            gcol[:, len(unfolded):len(unfolded) + fold.bmax] = np.where(inside, cols, g - 1)
            fold.cols = np.where(np.arange(fold.bmax)[None, :] < fold.sizes[:, None],
                                 off + fold.bstart[:, None] + np.arange(fold.bmax)[None, :], g - 1)
        self.gcol = np.ascontiguousarray(gcol)
        self._wkey = None
        # the facet-only columns each person touches (compact, padded to gmax)
        person_rep = np.repeat(person, w)
        keys = person_rep * np.int64(g) + gcol.reshape(-1)
        ukeys = np.unique(keys)
        upers = ukeys // g
        gcount = np.bincount(upers, minlength=P)
        gmax = int(gcount.max())
        # compact columns pay off only when candidates touch a small part of the facet-only levels
        self.compact = 2 * gmax <= g
        if not self.compact:
            gmax = g
        self.gmax = gmax
        gstart = np.zeros(P + 1, dtype=np.int64)
        np.cumsum(gcount, out=gstart[1:])
        if self.compact:
            self.glocal = np.ascontiguousarray((np.searchsorted(ukeys, keys) - gstart[person_rep]).reshape(n, w))
            gl = np.full((P, gmax), g - 1, dtype=np.int64)  # padding points at the intercept (zero weight)
            within = np.arange(len(ukeys)) - gstart[upers]
            gl[upers, within] = ukeys % g
            self.gl = gl
        else:
            self.glocal = self.gcol
            self.gl = None
        self.gcount = gcount.astype(np.int64)
        per_person = 8 * (m * (2 * m + 3 * gmax + 4) + gmax * gmax)
        self.chunk = max(1, min(P, int(chunk_bytes // max(per_person, 1))))
        self.cache_ok = P * 8 * m * (m + gmax) <= cache_bytes
        self._cache: dict = {}
        self.yy = float(y @ y)
        self.border = _choose_border(self, sparse_border)

    # ------------------------------------------------------------------ factorisation
    def _lams(self, theta):
        """Person-effect factors ``lam_p`` and the border weights of every rating (``gwt``, n x w)."""
        lam_p = np.ascontiguousarray(theta[self.pidx], dtype=np.float64)
        return lam_p, self._weights(theta)[0]

    def _weights(self, theta):
        """Border weights ``gwt`` (n, w) of the ratings' columns ``gcol`` and, with folding, the blocks' ``R``.

        An effect that is not folded weighs its column by ``theta_k``; a
        folded block's columns carry the rating's row of ``F_b = R_b'``, where
        ``R_b`` is the triangular factor of the QR factorisation of the
        stacked ``theta_k H_kb'`` (so ``F_b F_b' = sum_k theta_k^2 H_kb H_kb'``);
        the intercept weighs 1.
        """
        theta = np.asarray(theta, dtype=np.float64)
        key = theta.tobytes()
        if self._wkey == key:
            return self._wval
        th = theta[self.gidx]
        gwt = np.zeros(self.gcol.shape)
        for t, j in enumerate(self.unfolded):
            gwt[:, t] = th[j]
        R = None
        fold = self.fold
        if fold is not None:
            A = fold.rows * th[np.asarray(fold.effects)][fold.row_effect][None, :, None]
            R = np.linalg.qr(A, mode="r")
            blk, wi = self.fold_rows
            u = len(self.unfolded)
            gwt[:, u:u + fold.bmax] = R[blk, :, wi]
        gwt[:, -1] = 1.0
        self._wkey, self._wval = key, (gwt, R)
        return gwt, R

    def _chunks(self):
        for lo in range(0, self.P, self.chunk):
            yield lo, min(self.P, lo + self.chunk)

    def _chunk_factor(self, theta, lo, hi):
        key = (lo, hi)
        if key in self._cache:
            return self._cache[key]
        lam_p, gwt = self._lams(theta)
        nb = hi - lo
        A = np.empty((nb, self.m, self.m))
        B = np.empty((nb, self.m, self.gmax))
        K.person_blocks(self.row_ptr, self.pos, self.glocal, gwt, lam_p, lo, hi, A, B)
        with _single_thread_blas():
            L = np.linalg.cholesky(A)
            logdet = 2.0 * float(np.log(np.diagonal(L, axis1=1, axis2=2)).sum())
            Ainv = np.linalg.inv(A)
            Ainv = 0.5 * (Ainv + np.swapaxes(Ainv, 1, 2))
            W = Ainv @ B
        out = (Ainv, B, W, logdet)
        if self.cache_ok:
            self._cache[key] = out
        return out

    def factorize(self, theta, traces=True):
        """Factor ``M`` at ``theta``; return a dict with the REML pieces.

        The person blocks are eliminated block by block; their Schur
        complement on the facet-only levels (the border ``S``) is factored by
        ``self.border`` (dense LAPACK or sparse CHOLMOD).  With ``traces`` the
        per-effect traces of ``M^{-1}`` (``one_minus``) are added, which needs
        the entries of ``S^{-1}`` on the pattern of ``S`` (:meth:`traces`).
        """
        self._cache = {}
        theta = np.asarray(theta, dtype=np.float64)
        lam_p, gwt = self._lams(theta)
        bd = self.border
        S, cg = bd.start(self.gcol, gwt, self.y[:, None])
        rg = cg[:, 0].copy()
        logdet_a = 0.0
        cps = {}
        for lo, hi in self._chunks():
            Ainv, B, W, ld = self._chunk_factor(theta, lo, hi)
            logdet_a += ld
            cp = np.empty((hi - lo, self.m, 1))
            K.person_rhs(self.row_ptr, self.pos, lam_p, self.y[:, None], lo, hi, cp)
            cps[lo] = cp
            with _single_thread_blas():
                if self.compact:
                    bd.subtract(S, self.gl[lo:hi], self.gcount[lo:hi], np.matmul(B.transpose(0, 2, 1), W))
                    K.scatter_vec_sub(rg, self.gl[lo:hi], np.matmul(W.transpose(0, 2, 1), cp)[:, :, 0])
                else:
                    S -= B.reshape(-1, self.g).T @ W.reshape(-1, self.g)
                    rg -= W.reshape(-1, self.g).T @ cp.reshape(-1)
        fac = bd.factor(S)
        logdet_u = logdet_a + fac.logdet_u
        logdet_x = fac.logdet_x
        sg = fac.solve(rg[:, None])[:, 0]
        csol = float(cg[:, 0] @ sg)
        sol_p = np.empty((self.P, self.m, 1))
        for lo, hi in self._chunks():
            Ainv, B, W, _ = self._chunk_factor(theta, lo, hi)
            cp = cps[lo]
            sgl = sg[self.gl[lo:hi]][:, :, None] if self.compact else sg[:, None]
            with _single_thread_blas():
                sp = Ainv @ cp - W @ sgl
            sol_p[lo:hi] = sp
            csol += float((cp * sp).sum())
        r2 = max(self.yy - csol, 1e-300)
        fitted = np.empty((self.n, 1))
        K.fitted_values(self.row_ptr, self.pos, self.gcol, gwt, lam_p, sol_p, sg[:, None], fitted)
        f = dict(theta=theta, lam_p=lam_p, gwt=gwt, R=self._weights(theta)[1], fac=fac, logdet_u=logdet_u,
                 logdet_x=logdet_x, r2=r2, fitted=fitted[:, 0])
        if traces:
            self.traces(f)
        return f

    def traces(self, f):
        """Add ``one_minus[k] = q_k - tr(M^{kk})`` (the per-effect traces) to the factorisation ``f``."""
        if "one_minus" in f:
            return f
        theta = f["theta"]
        fac = f["fac"]
        inv_diag = fac.inverse_diagonal()  # the inverse (dense or selected) with every BLAS thread
        one_minus = np.zeros(len(self.effects))
        for lo, hi in self._chunks():
            Ainv, B, W, _ = self._chunk_factor(theta, lo, hi)
            with _single_thread_blas():
                if self.compact:
                    Ssub = fac.inverse_blocks(self.gl[lo:hi], self.gcount[lo:hi])
                    quad = (np.matmul(W, Ssub) * W).sum(axis=2)
                else:
                    Wf = W.reshape(-1, self.g)
                    quad = ((Wf @ fac.inverse_dense()) * Wf).sum(axis=1).reshape(hi - lo, self.m)
            dg = np.diagonal(Ainv, axis1=1, axis2=2) + quad
            eop = self.eff_of_pos[lo:hi]
            valid = eop >= 0
            if len(self.pidx):
                one_minus += np.bincount(
                    np.asarray(self.pidx)[eop[valid]], weights=1.0 - dg[valid], minlength=len(self.effects))
        gidx = np.asarray(self.gidx, dtype=np.int64)
        if len(self.eff_of_col):
            dgg = inv_diag[:len(self.eff_of_col)]
            one_minus += np.bincount(gidx[self.eff_of_col], weights=1.0 - dgg, minlength=len(self.effects))
        fold = self.fold
        if fold is not None:
            # sigma^2 Z_f'P Z_f = F^-T (I - S^-1_bb) F^-1 on each block; the trace of effect k is its sum over
            # pairs of levels of f in one level of k, times theta_k^2 (the scale of ``one_minus``)
            Sb = fac.inverse_blocks(fold.cols, fold.sizes)
            pad = (np.arange(fold.bmax)[None, :] >= fold.sizes[:, None]).astype(np.float64)
            d = np.arange(fold.bmax)
            Q = -Sb
            Q[:, d, d] += 1.0
            Rp = f["R"].copy()
            Rp[:, d, d] += pad
            with _single_thread_blas():
                Ri = np.linalg.inv(Rp)
                G = Ri @ Q @ Ri.transpose(0, 2, 1)
            tk = np.einsum("kbij,bij->k", fold.same, G)
            one_minus[gidx[fold.effects]] += theta[gidx[fold.effects]] ** 2 * tk
        f["one_minus"] = one_minus
        return f

    def profiled_deviance(self, f) -> float:
        """lme4's REML criterion (-2 x profiled REML log-likelihood)."""
        nu = self.n - 1
        return f["logdet_u"] + f["logdet_x"] + nu * (1.0 + math.log(2.0 * math.pi * f["r2"] / nu))

    def full_deviance(self, f, s2e) -> float:
        nu = self.n - 1
        return nu * math.log(2.0 * math.pi * s2e) + f["logdet_u"] + f["logdet_x"] + f["r2"] / s2e

    def solve_fitted(self, f, T):
        """``X b + Z u`` for the mixed-model equations with data columns ``T`` (n, r)."""
        lam_p, gwt = f["lam_p"], f["gwt"]
        theta = f["theta"]
        r = T.shape[1]
        T = np.ascontiguousarray(T)
        rg = K.border_rhs(self.gcol, gwt, self.g, T)
        parts = {}
        for lo, hi in self._chunks():
            Ainv, B, W, _ = self._chunk_factor(theta, lo, hi)
            cp = np.empty((hi - lo, self.m, r))
            K.person_rhs(self.row_ptr, self.pos, lam_p, T, lo, hi, cp)
            parts[lo] = cp
            if self.compact:
                K.scatter_mat_sub(rg, self.gl[lo:hi], np.matmul(W.transpose(0, 2, 1), cp))
            else:
                rg -= W.reshape(-1, self.g).T @ cp.reshape(-1, r)
        sg = f["fac"].solve(rg)
        sol_p = np.empty((self.P, self.m, r))
        for lo, hi in self._chunks():
            Ainv, B, W, _ = self._chunk_factor(theta, lo, hi)
            sgl = sg[self.gl[lo:hi]] if self.compact else sg
            sol_p[lo:hi] = Ainv @ parts[lo] - W @ sgl
        out = np.empty((self.n, r))
        K.fitted_values(self.row_ptr, self.pos, self.gcol, gwt, lam_p, sol_p, np.ascontiguousarray(sg), out)
        return out

    def effect_sums(self, vec):
        """Per-effect level sums of ``vec`` and the row-wise expansion ``Z_k Z_k' vec`` (n, K)."""
        vec = np.ascontiguousarray(vec, dtype=np.float64)
        out_p = np.empty((self.P, self.m))
        K.effect_sums(self.row_ptr, self.pos, vec, self.P, self.m, out_p)
        ke = len(self.effects)
        sq = np.zeros(ke)
        T = np.empty((self.n, ke))
        person_of_row = np.repeat(np.arange(self.P), np.diff(self.row_ptr))
        for j, i in enumerate(self.pidx):
            vals = out_p[person_of_row, self.pos[:, j]]
            T[:, i] = vals
            sel = self.eff_of_pos == j
            sq[i] = float((out_p[sel] ** 2).sum())
        for j, i in enumerate(self.gidx):
            gsum = np.bincount(self.geff[:, j], weights=vec, minlength=int(self.q[i]))
            T[:, i] = gsum[self.geff[:, j]]
            sq[i] = float(gsum @ gsum)
        return sq, T

    # ------------------------------------------------------------------ AI-REML
    def fit(self, start=None, max_iter=200, tol=1e-10, tol_step=1e-8, tol_rel=1e-4, max_halvings=30) -> RemlFit:
        """Average-information REML from ``start`` (variances, residual last); see the module notes.

        ``max_halvings`` bounds the step halvings of one iteration; when no step within them lowers the
        deviance the iteration stops where it is (``converged`` then says whether the decrement was small).
        """
        if self.g <= SMALL_BORDER:
            # a border this small gains less from BLAS threads than their contention with numba's costs
            with _single_thread_blas():
                return self._fit(start, max_iter, tol, tol_step, tol_rel, max_halvings)
        return self._fit(start, max_iter, tol, tol_step, tol_rel, max_halvings)

    def _fit(self, start, max_iter, tol, tol_step, tol_rel, max_halvings=30) -> RemlFit:
        ke = len(self.effects)
        nu = self.n - 1
        vy = float(np.var(self.y, ddof=1)) if self.n > 1 else 1.0
        vy = vy if vy > 0 else 1.0
        sig = np.full(ke + 1, vy / (ke + 1)) if start is None else np.asarray(start, dtype=float).copy()
        sig = np.maximum(sig, 0.0)
        sig[-1] = max(sig[-1], 1e-8 * vy)

        def evaluate(s, final=False):
            ratio = np.maximum(s[:-1] / s[-1], _FLOOR)
            theta = np.sqrt(ratio)
            if final:  # the reported solution: components on the bound exactly zero
                theta[s[:-1] <= _FLOOR * s[-1] * 10] = 0.0
            f = self.factorize(theta, traces=False)
            return f, ratio, self.full_deviance(f, s[-1])

        f, ratio, dev = evaluate(sig)
        converged = False
        it = 0
        prev_dec = None
        AI = np.eye(ke + 1)
        for it in range(1, max_iter + 1):
            s2e = sig[-1]
            self.traces(f)
            e = (self.y - f["fitted"]) / s2e  # P y
            sq, T = self.effect_sums(e)
            tr_pv = f["one_minus"] / (ratio * s2e)
            score = np.empty(ke + 1)
            score[:-1] = -0.5 * (tr_pv - sq)
            score[-1] = -0.5 * ((nu - f["one_minus"].sum()) / s2e - float(e @ e))
            Tall = np.column_stack([T, e])
            PT = (Tall - self.solve_fitted(f, Tall)) / s2e
            AI = 0.5 * (Tall.T @ PT)
            AI = 0.5 * (AI + AI.T)
            at_bound = np.append(sig[:-1] <= 2.0 * _FLOOR * s2e, False)
            idx = np.flatnonzero(~at_bound)
            step = _newton_step(AI, score, idx)
            decrement = face_decrement = float(score[idx] @ step[idx])
            # Kuhn-Tucker check: bound components whose score points inwards, with one Newton step's worth
            # of gain at least, are released once the current face has converged (decrement < 1e-6), or
            # before when their gain is a tenth of the decrement on the face or more (converging first on
            # a face that the optimum is not on costs iterations)
            diag = np.maximum(np.diagonal(AI), 1e-300)
            gain = np.where(at_bound & (score > 0), score**2 / diag, 0.0)
            release = (gain > tol) & ((decrement < 1e-6) | (gain > 0.1 * decrement))
            if release.any():
                idx = np.flatnonzero(~at_bound | release)
            elif decrement < tol:
                converged = True
                break
            # Newton step on the free components.  Positive components that the step increases grow
            # multiplicatively (a Newton step in log sigma^2): by up to a factor e^3 per iteration (e once
            # they exceed a tenth of the variance of the scores) instead of creeping up from the boundary.
            # Components that the step decreases take the additive step itself, which keeps the Newton
            # step's fast convergence for a component heading for a small positive value (in log scale
            # it would lose a constant share of the distance per iteration).  A component the step would
            # cut by 95% or more goes onto the bound (the Kuhn-Tucker check releases it if the data pull
            # it back).  Components released from the boundary move additively, projected onto the bound
            # where the step points outwards.  A full step that will end the iteration (small decrement,
            # nothing to release) is evaluated with the bound components exactly zero, the reported
            # solution, so that no refactorisation is needed after the loop.
            interior = np.append(sig[:-1] > 2.0 * _FLOOR * s2e, True)
            step = _feasible_step(AI, score, sig, np.where(interior[:-1], -np.inf, _FLOOR * s2e), idx)
            # the step ends the iteration when what it leaves is small in the likelihood and in every free
            # component.  The error after the step is taken as the step times the contraction seen in the
            # decrements, rho = sqrt(decrement / previous decrement) (the iteration converges linearly
            # where the average information differs from the Hessian; rho = 1 without history): the
            # decrement left, rho^2 times this one, under tol_step, and rho times the step under tol_rel
            # in every free component (relative to the component, or to a millionth of the total for tiny
            # ones; along a flat direction of the likelihood a small decrement can leave a sizeable step).
            rel = np.abs(step[idx]) / np.maximum(sig[idx], 1e-6 * sig.sum())
            rho = 1.0 if prev_dec is None or prev_dec <= 0 else min(1.0, math.sqrt(face_decrement / prev_dec))
            last = (face_decrement < 1e-3 and rho**2 * face_decrement < tol_step
                    and rho * float(rel.max(initial=0.0)) < tol_rel and not release.any())
            prev_dec = None if release.any() else face_decrement
            t = 1.0
            accepted = False
            for _ in range(max_halvings):
                new = sig + t * step
                r = t * step[interior] / sig[interior]
                grown = np.minimum(sig[interior] * np.exp(np.minimum(r, 3.0)),
                                   np.maximum(sig[interior] * np.exp(np.minimum(r, 1.0)), 0.1 * vy))
                if t == 1.0:
                    grown = np.where(r < 0.0, sig[interior] * (1.0 + r), grown)
                    # a component the Newton step sends (nearly) to zero goes onto the bound
                    new[interior] = np.where(r > -0.95, grown, 0.0)
                else:
                    # the full step was rejected: decreasing components shrink in log scale (never onto the
                    # bound), which keeps a component that the step overshot towards zero (a facet with few
                    # levels, whose likelihood the average information approximates poorly far from the
                    # optimum) near its value instead of halving from the bound again and again
                    new[interior] = np.where(r < 0.0, sig[interior] * np.exp(np.minimum(r, 0.0)), grown)
                new[:-1] = np.maximum(new[:-1], _FLOOR * max(new[-1], 1e-300))
                if new[-1] <= 0:
                    t *= 0.5
                    continue
                fn, rn, dn = evaluate(new, final=last and t == 1.0)
                # deviance noise: accept equal values to a few ulps of the deviance
                if dn <= dev + 1e-11 * max(1.0, abs(dev)):
                    accepted = True
                    break
                t *= 0.5
            if not accepted:
                converged = face_decrement < 1e-6
                break
            sig, f, ratio, dev = new, fn, rn, dn
            if t == 1.0 and last:
                # the full step leaves a decrement and component errors within the tolerances (see above)
                converged = True
                break
        # final: exact zeros on the boundary, profiled log-likelihood
        boundary = np.zeros(ke + 1, dtype=bool)
        boundary[:-1] = sig[:-1] <= _FLOOR * sig[-1] * 10
        theta = np.sqrt(np.where(boundary[:-1], 0.0, sig[:-1] / sig[-1]))
        if np.array_equal(theta, f["theta"]):  # the last accepted point is the final one: no refactorisation
            ff = f
        else:
            ff = self.factorize(theta, traces=False)
        s2e = ff["r2"] / nu
        variances = np.append(theta**2 * s2e, s2e)
        loglik = -0.5 * self.profiled_deviance(ff)
        se = np.full(ke + 1, np.nan)
        cov_full = np.full((ke + 1, ke + 1), np.nan)
        keep = np.flatnonzero(~boundary)
        try:
            cov = np.linalg.inv(AI[np.ix_(keep, keep)])
            cov_full[np.ix_(keep, keep)] = 0.5 * (cov + cov.T)
            se[keep] = np.sqrt(np.clip(np.diagonal(cov), 0.0, None))
        except np.linalg.LinAlgError:
            pass
        self._cache = {}
        return RemlFit(variances=variances, se=se, loglik=loglik, iterations=it, converged=converged,
                       boundary=boundary, cov=cov_full)


def _pair_cells(a: np.ndarray, qa: int, b: np.ndarray, qb: int):
    """Counts of the non-empty cells of the cross-tabulation of the codes ``a`` (0..qa-1) and ``b`` (0..qb-1),
    with each cell's two levels: a bincount of the pair key when the level product is small, else a hash."""
    key = a * np.int64(qb) + b
    if qa * qb <= 4 * len(key) + 1024:
        c = np.bincount(key, minlength=qa * qb)
        cell = np.flatnonzero(c)
        return c[cell].astype(np.float64), cell // qb, cell % qb
    import pandas as pd

    codes, uniq = pd.factorize(key, sort=False)
    c = np.bincount(codes, minlength=len(uniq)).astype(np.float64)
    uniq = np.asarray(uniq, dtype=np.int64)
    return c, uniq // qb, uniq % qb


def _pair_square_sum(a: np.ndarray, qa: int, b: np.ndarray, qb: int) -> float:
    """``sum N_ij^2`` of the cross-tabulation ``N`` of the codes ``a`` (0..qa-1) and ``b`` (0..qb-1)."""
    c = _pair_cells(a, qa, b, qb)[0]
    return float(c @ c)


def moment_start(y, codes, n_levels, effects) -> np.ndarray | None:
    r"""MINQUE(0) estimates of the variance components: a start for the REML iteration (``None`` if unusable).

    With :math:`P_0 = I - 11'/n` and the residual as the effect :math:`Z_{K+1} = I`, the quadratic forms
    :math:`q_k = \lVert Z_k' P_0 y \rVert^2` have expectations
    :math:`E q_k = \sum_l \sigma^2_l \lVert Z_l' P_0 Z_k \rVert_F^2` (Rao 1971, MINQUE with identity
    weights; Henderson's method 3 is its balanced-data special case), so the components solve a
    :math:`(K+1) \times (K+1)` linear system.  Its coefficients need only the counts of the cross-tabulations
    of the effects' levels: with :math:`N` the counts of ``(level of l, level of k)`` and ``u, v`` the counts of
    each effect's levels, :math:`\lVert N - uv'/n \rVert_F^2 = \lVert N \rVert_F^2 - 2u'Nv/n + u'u\,v'v/n^2`.
    Unbiased but not efficient; negative estimates are set to a small positive value so that REML can move
    them either way.  From this start a 120-candidate AC design needs 6 factorisations instead of 10.
    """
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    K = len(effects)
    if n < 2 * (K + 2):
        return None
    g, q = [], []
    for e in effects:
        c, m = _group_codes([codes[:, f] for f in e], [int(n_levels[f]) for f in e])
        g.append(c)
        q.append(m)
    cnt = [np.bincount(c, minlength=m).astype(np.float64) for c, m in zip(g, q)]
    yc = y - y.mean()
    quad = np.empty(K + 1)
    for k in range(K):
        s_k = np.bincount(g[k], weights=yc, minlength=q[k])
        quad[k] = float(s_k @ s_k)
    quad[K] = float(yc @ yc)
    sq = [float(c @ c) for c in cnt]  # u'u
    C = np.empty((K + 1, K + 1))
    for k in range(K):
        for m in range(k, K):
            nn = sq[k] if m == k else _pair_square_sum(g[k], q[k], g[m], q[m])
            unv = float(cnt[k][g[k]] @ cnt[m][g[m]])  # u'Nv: a sum over the ratings
            C[k, m] = C[m, k] = nn - 2.0 * unv / n + sq[k] * sq[m] / n**2
        # with the residual (Z = I): ||Z_k' P0||^2 = n - u'u/n
        C[k, K] = C[K, k] = n - sq[k] / n
    C[K, K] = n - 1.0
    try:
        est = np.linalg.solve(C, quad)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(est)) or est[-1] <= 0:
        return None
    total = float(np.clip(est, 0.0, None).sum())
    est[:-1] = np.where(est[:-1] > 1e-3 * total / (K + 1), est[:-1], 1e-3 * total / (K + 1))
    return est


def fit_reml(y, codes, n_levels, effects) -> RemlFit:
    """REML fit started from the MINQUE(0) moment estimates (:func:`moment_start`).

    The moment estimates come from cross-tabulation counts in time linear in the ratings and put the fit
    within a few average-information steps of the optimum (4 to 6 factorisations of the full problem in the
    benchmark designs).  A warm start from a fit to a thinned pilot problem, used before, cost more than it
    saved from this start: its own iterations, and from its estimates (sampling error of the thinned data)
    the full fit needed as many steps as from the moment estimates or more.
    """
    codes = np.asarray(codes, dtype=np.int64)
    y = np.asarray(y, dtype=np.float64)
    return RemlProblem(y, codes, n_levels, effects).fit(start=moment_start(y, codes, n_levels, effects))
