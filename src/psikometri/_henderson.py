"""Henderson's Method 1 for random-effects designs: unbiased moment estimates in time linear in the ratings.

Model as in :mod:`psikometri._reml`: ``y = mu + sum_k Z_k u_k + e``, every
effect a random factor, the residual one per rating.  For each effect ``k``
the *T term* is the uncorrected sum of squares of its level totals,

    T_k = sum_i y_{i.}^2 / n_i,

with ``T_mu = y_{..}^2 / N`` for the grand mean and ``T_0 = sum y^2`` for the
ratings.  Its expectation (Searle, Casella & McCulloch 1992, sec. 5.3) is

    E T_k = N mu^2 + sum_l h_kl s2_l + q_k s2_e,   h_kl = sum_i (sum_j n_ij^2) / n_i,

``n_ij`` the number of ratings in level ``i`` of ``k`` and level ``j`` of
``l`` and ``q_k`` the number of levels of ``k`` (``h_kk = N``; ``h_mu,l =
sum_j n_j^2 / N``; for ``T_0`` every coefficient is ``N``).  Equating
``T_k - T_mu`` and ``T_0 - T_mu`` to their expectations gives one linear
equation per component; the solution is unbiased whatever the balance of the
design and, with balanced data, equals the ANOVA estimates (the T terms span
the same quadratic forms as the ANOVA sums of squares).  This is the
"analogous-ANOVA" procedure of Brennan (2001, ch. 7) and urGENOVA.

The coefficients need only the counts of the cross-tabulation of each pair of
effects, so the cost is a hash of the ratings per pair of effects that do not
nest in one another: linear in the ratings, whatever the number of assessors
and however they were assigned (exact REML is not, see :mod:`psikometri._reml`).
The estimates are less efficient than REML's and can be negative; no standard
errors are computed (their sampling variances need fourth-moment traces that
are not linear in the ratings): intervals come from the candidate bootstrap.

References
----------
Henderson, C. R. (1953). Estimation of variance and covariance components. *Biometrics*, 9, 226-252.
Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance Components*, sec. 5.3. Wiley.
Brennan, R. L. (2001). *Generalizability Theory*, ch. 7. Springer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._reml import _group_codes, _pair_cells


@dataclass(frozen=True)
class Henderson1Fit:
    """Henderson's Method 1 estimates: ``estimates`` (effects then residual, unbiased, possibly negative),
    the ``t_terms`` (effects, ratings ``T_0``, grand mean ``T_mu``), the coefficient matrix ``coef`` of the
    equations ``T - T_mu = coef @ estimates`` and the number of levels of each effect."""

    estimates: np.ndarray
    t_terms: np.ndarray
    coef: np.ndarray
    levels: np.ndarray


def henderson1(y, codes, n_levels, effects) -> Henderson1Fit:
    """Henderson's Method 1 for the random ``effects`` (tuples of columns of ``codes``; residual excluded).

    Raises ``numpy.linalg.LinAlgError`` when the equations are singular (effects confounded in the data).
    """
    y = np.asarray(y, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.int64)
    n = len(y)
    ke = len(effects)
    sets = [frozenset(e) for e in effects]
    # ``T_k - T_mu`` is a quadratic form that annihilates constants, so the equations are solved for the
    # centred ratings (the T terms of ratings far from zero are large numbers whose differences would lose
    # digits); the T terms reported are those of the ratings as given
    yc = y - y.mean()
    g, q, cnt, t, tc = [], [], [], np.empty(ke + 2), np.empty(ke + 2)
    for k, e in enumerate(effects):
        c, m = _group_codes([codes[:, f] for f in sorted(e)], [int(n_levels[f]) for f in sorted(e)])
        g.append(c)
        q.append(m)
        cnt.append(np.bincount(c, minlength=m).astype(np.float64))
        for out, v in ((t, y), (tc, yc)):
            tot = np.bincount(c, weights=v, minlength=m)
            out[k] = float(np.sum(tot * tot / cnt[k]))
    for out, v in ((t, y), (tc, yc)):
        out[ke] = float(v @ v)
        out[ke + 1] = float(v.sum()) ** 2 / n
    # h[k, l] = sum_i (sum_j n_ij^2) / n_i over the levels i of k and j of l
    h = np.empty((ke, ke))
    for k in range(ke):
        h[k, k] = n
        for m in range(k + 1, ke):
            if sets[m] <= sets[k]:  # every level of k lies in one level of m: n_ij = n_i
                h[k, m] = n
                h[m, k] = float(np.sum(np.bincount(_parent(g[k], g[m], q[k]), weights=cnt[k] ** 2,
                                                   minlength=q[m]) / cnt[m]))
            elif sets[k] <= sets[m]:
                h[m, k] = n
                h[k, m] = float(np.sum(np.bincount(_parent(g[m], g[k], q[m]), weights=cnt[m] ** 2,
                                                   minlength=q[k]) / cnt[k]))
            else:
                c, i, j = _pair_cells(g[k], q[k], g[m], q[m])
                c2 = c * c
                h[k, m] = float(np.sum(c2 / cnt[k][i]))
                h[m, k] = float(np.sum(c2 / cnt[m][j]))
    h_mu = np.array([float(c @ c) / n for c in cnt])
    coef = np.empty((ke + 1, ke + 1))
    coef[:ke, :ke] = h - h_mu[None, :]
    coef[:ke, ke] = np.asarray(q, dtype=np.float64) - 1.0
    coef[ke, :ke] = n - h_mu
    coef[ke, ke] = n - 1.0
    rhs = tc[:ke + 1] - tc[ke + 1]
    # scale the equations to unit diagonal before judging their conditioning (the coefficients are counts)
    d = np.sqrt(np.abs(np.diagonal(coef)))
    if not np.all(d > 0) or np.linalg.cond(coef / d[:, None] / d[None, :]) > 1e12:
        raise np.linalg.LinAlgError("Henderson's equations are singular: two effects cannot be told apart in "
                                    "these data")
    est = np.linalg.solve(coef, rhs)
    return Henderson1Fit(estimates=est, t_terms=t, coef=coef, levels=np.asarray(q, dtype=np.int64))


def _parent(fine, coarse, q_fine):
    """The level of the coarse effect that each level of the fine effect lies in."""
    out = np.empty(q_fine, dtype=np.int64)
    out[fine] = coarse
    return out
