"""How much the Cholesky factor of the REML system fills in, by design: random assessors against session panels.

The REML cost of a crossed design is that of factoring the penalised system ``Lambda Z'Z Lambda + I`` (lme4's
formulation, Bates et al. 2015).  For 2,000 candidates rated by 50 to 2,000 assessors (the grid of
``bench_reml.py``), this module builds the pattern of ``Z'Z + I`` with every effect of the G study (candidate
levels included, as lme4 holds them), orders it by AMD (CHOLMOD's first choice, the ordering lme4 factors with)
and counts the factor's nonzeros and its floating-point operations, ``sum_j c_j^2`` over the column counts
``c_j`` (symbolic factorisation: no numbers).  Beside it, the ``g^3 / 3`` of a dense factorisation of the
facet-only border that psikometri's engine is left with after eliminating the candidates (before the folding
of nested effects, which takes it down by about half).

With assessors drawn at random for every candidate the operations grow with the cube of the assessor levels
under either method: no ordering keeps the factor sparse (the design is an expander graph). With fixed panels
per session they stay flat.  The rows are counts, not times: they do not depend on the machine.
"""

from __future__ import annotations

import numpy as np

EFFECTS = [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (2, 3), (0, 1, 2), (0, 2, 3), (1, 2, 3)]
FACTORS = ["candidate", "competency", "exercise", "assessor"]


def fill(ratings) -> dict:
    """Levels, facet-only levels, AMD factor nonzeros and operations of the full system of ``ratings``."""
    import scipy.sparse as sps
    from cvxopt import amd, matrix, spmatrix

    from psikometri import _gtheory_kernels as K

    codes = {f: ratings[f].astype("category").cat.codes.to_numpy().astype(np.int64) for f in FACTORS}
    cols, off, person = [], 0, 0
    for e in EFFECTS:
        key = np.zeros(len(ratings), dtype=np.int64)
        for k in e:
            key = key * (int(codes[FACTORS[k]].max()) + 1) + codes[FACTORS[k]]
        levels, inv = np.unique(key, return_inverse=True)
        cols.append(inv.ravel() + off)
        off += len(levels)
        person += len(levels) if 0 in e else 0
    q = off
    rows = np.repeat(np.arange(len(ratings)), len(EFFECTS))
    Z = sps.csr_matrix((np.ones(len(rows)), (rows, np.stack(cols, 1).ravel())), shape=(len(ratings), q))
    A = (Z.T @ Z + sps.identity(q)).tocoo()
    low = A.row >= A.col
    pattern = spmatrix(1.0, matrix(A.row[low].astype(np.int32), tc="i"), matrix(A.col[low].astype(np.int32), tc="i"),
                       (q, q))
    order = np.asarray(amd.order(pattern, "L")).ravel().astype(np.int64)
    P = sps.tril(A.tocsr()[order][:, order], format="csr")
    P.sort_indices()
    _, counts = K.cholesky_column_counts(P.indptr.astype(np.int64), P.indices.astype(np.int64))
    g = q - person
    return {"levels": q, "border": g, "nnz": int(counts.sum()), "flops": float((counts.astype(float) ** 2).sum()),
            "dense_border_flops": g**3 / 3.0}


def cases(quick: bool = False):
    from psikometri.simulate import simulate_assessment

    rows = []
    n = 2000
    for assignment in ("random", "sessions"):
        for n_a in (50, 200, 800) if quick else (50, 200, 800, 2000):
            per_ex = max(3, n_a // 5)  # as bench_reml's grid
            d = simulate_assessment({"kohort": n}, assessors_per_exercise=2, candidates_per_assessor=2 * n / per_ex,
                                    assignment=assignment, rounding=None, seed=7).ratings
            f = fill(d)
            rows.append(dict(
                case=f"REML system fill ({assignment}): {n:,} cand., {d['assessor'].nunique():,} assessors",
                ours=f["flops"] / 1e9, unit="Gflop", baseline=None, theirs=None,
                target="AMD on the whole system (lme4's)",
                check=f"{f['levels']:,} levels, factor nnz {f['nnz']:,}; dense border of {f['border']:,} levels: "
                      f"{f['dense_border_flops'] / 1e9:.1f} Gflop"))
    return rows
