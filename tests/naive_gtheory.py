"""Slow, obviously-correct reference implementations for the G-theory tests.

Dense matrices and textbook formulas only; used on small data to check the
fast code paths (group-mean ANOVA, person-block REML kernels, D-study rules,
MTMM summaries).
"""

from __future__ import annotations

import itertools

import numpy as np


def dummies(codes: np.ndarray, cols) -> np.ndarray:
    """Indicator matrix of the combinations of ``codes[:, cols]`` (observed combinations only)."""
    if not cols:
        return np.ones((codes.shape[0], 1))
    _, inv = np.unique(codes[:, list(cols)], axis=0, return_inverse=True)
    inv = inv.ravel()
    Z = np.zeros((codes.shape[0], inv.max() + 1))
    Z[np.arange(codes.shape[0]), inv] = 1.0
    return Z


def _proj_ss(X: np.ndarray, y: np.ndarray) -> float:
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    fit = X @ beta
    return float(fit @ fit)


def projection_ss(codes: np.ndarray, y: np.ndarray, effects) -> list[float]:
    """Sums of squares by successive projection: SS(S) = |H(T <= S) y|^2 - |H(T < S) y|^2.

    ``effects`` are frozensets of column indices (the design's valid effects).
    For a balanced design these are the ANOVA sums of squares.
    """
    out = []
    for s in effects:
        below = [t for t in effects if t <= s]
        strict = [t for t in effects if t < s]
        X_le = np.column_stack([np.ones(len(y))] + [dummies(codes, sorted(t)) for t in below])
        X_lt = np.column_stack([np.ones(len(y))] + [dummies(codes, sorted(t)) for t in strict])
        out.append(_proj_ss(X_le, y) - _proj_ss(X_lt, y))
    return out


def reml_criterion(y: np.ndarray, Zs: list[np.ndarray], theta: np.ndarray) -> float:
    """lme4's REML criterion (-2 profiled REML log-likelihood) from the dense marginal covariance.

    ``V = I + sum_k theta_k^2 Z_k Z_k'``, ``X = 1``;
    ``d = log|V| + log|X'V^-1 X| + (n - 1) (1 + log(2 pi r2 / (n - 1)))``,
    ``r2 = y' P y``, ``P = V^-1 - V^-1 X (X'V^-1 X)^-1 X'V^-1``.
    """
    n = len(y)
    V = np.eye(n)
    for t, Z in zip(theta, Zs):
        V += t * t * (Z @ Z.T)
    Vi = np.linalg.inv(V)
    X = np.ones((n, 1))
    XtViX = X.T @ Vi @ X
    P = Vi - Vi @ X @ np.linalg.inv(XtViX) @ X.T @ Vi
    r2 = float(y @ P @ y)
    nu = n - 1
    return float(np.linalg.slogdet(V)[1] + np.log(XtViX[0, 0]) + nu * (1 + np.log(2 * np.pi * r2 / nu)))


def penalised_matrix(Zs: list[np.ndarray], theta: np.ndarray) -> np.ndarray:
    """``Lambda Z'Z Lambda + I`` for the stacked random-effect design."""
    Z = np.column_stack([t * Zk for t, Zk in zip(theta, Zs)])
    return Z.T @ Z + np.eye(Z.shape[1])


def coefficients(comp: dict, sizes: dict, person: str, fixed=()) -> tuple[float, float]:
    """E rho^2 and Phi from a dict {effect label: variance} and D-study sizes, by Brennan's rules.

    Labels are ':'-joined factor names; ``sizes`` maps facet -> n'.
    """
    tau = rel = ab = 0.0
    for lab, v in comp.items():
        fs = lab.split(":")
        facets = [f for f in fs if f != person]
        div = float(np.prod([sizes[f] for f in facets])) if facets else 1.0
        random_facets = [f for f in facets if f not in fixed]
        if person in fs:
            if not random_facets:
                tau += v / div
            else:
                rel += v / div
                ab += v / div
        elif random_facets:
            ab += v / div
    return tau / (tau + rel), tau / (tau + ab)


def mtmm_means(wide: np.ndarray, traits: list, methods: list) -> dict:
    """Mean correlations of a candidate x (trait, method) score matrix, by explicit loops."""
    cols = list(itertools.product(range(len(traits)), range(len(methods))))
    R = np.corrcoef(wide, rowvar=False)
    conv, het_mono, het_het = [], [], []
    for i, (ti, mi) in enumerate(cols):
        for j, (tj, mj) in enumerate(cols):
            if j <= i:
                continue
            r = R[i, j]
            if ti == tj and mi != mj:
                conv.append(r)
            elif ti != tj and mi == mj:
                het_mono.append(r)
            elif ti != tj and mi != mj:
                het_het.append(r)
    return {"convergent": float(np.mean(conv)), "heterotrait_monomethod": float(np.mean(het_mono)),
            "heterotrait_heteromethod": float(np.mean(het_het))}


def cholesky_column_counts(pattern: np.ndarray) -> np.ndarray:
    """Nonzeros per column of the Cholesky factor of a symmetric boolean pattern, by dense elimination.

    Eliminating column ``j`` joins every pair of its remaining neighbours (the fill), which is the
    textbook definition of the factor's pattern (no cancellation assumed).
    """
    F = np.array(pattern, dtype=bool)
    n = F.shape[0]
    F |= F.T
    counts = np.zeros(n, dtype=np.int64)
    for j in range(n):
        below = np.flatnonzero(F[j + 1:, j]) + j + 1
        counts[j] = 1 + len(below)
        F[np.ix_(below, below)] = True
    return counts


def minque0(y: np.ndarray, codes: np.ndarray, effects) -> np.ndarray:
    """MINQUE(0) variance components from dense matrices: solve ``sum_l tr(P0 V_l P0 V_k) s_l = y'P0 V_k P0 y``.

    ``V_k = Z_k Z_k'`` for each effect and ``V = I`` for the residual (last), ``P0 = I - 11'/n``.
    """
    n = len(y)
    P0 = np.eye(n) - np.full((n, n), 1.0 / n)
    Vs = [dummies(codes, list(e)) for e in effects]
    Vs = [Z @ Z.T for Z in Vs] + [np.eye(n)]
    PV = [P0 @ V @ P0 for V in Vs]
    C = np.array([[np.sum(a * b) for b in PV] for a in PV])  # tr(P0 V_k P0 V_l), both symmetric
    q = np.array([y @ M @ y for M in PV])
    return np.linalg.solve(C, q)


def henderson1(y: np.ndarray, codes: np.ndarray, effects) -> np.ndarray:
    """Henderson's Method 1 from dense matrices: ``y'(A_k - A_mu)y = sum_l tr((A_k - A_mu) V_l) s_l``.

    ``A_k = Z_k diag(1/n_i) Z_k'`` (the T term of effect ``k`` as a quadratic form), ``A = I`` for the
    ratings (last) and ``A_mu = 11'/n``; ``V_l = Z_l Z_l'``, ``V = I`` for the residual.
    """
    n = len(y)
    Zs = [dummies(codes, list(e)) for e in effects]
    A = [Z @ np.diag(1.0 / Z.sum(axis=0)) @ Z.T for Z in Zs] + [np.eye(n)]
    A = [a - np.full((n, n), 1.0 / n) for a in A]
    Vs = [Z @ Z.T for Z in Zs] + [np.eye(n)]
    C = np.array([[np.trace(a @ v) for v in Vs] for a in A])
    return np.linalg.solve(C, np.array([y @ a @ y for a in A]))
