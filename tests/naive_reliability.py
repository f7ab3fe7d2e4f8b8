"""Plain numpy / pandas versions of the reliability kernels, written for clarity, not speed.

They build what the kernels avoid building (resampled data sets, every subset of
items) so that the kernels can be checked against them on small data.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from psikometri._resampling import bootstrap_indices


ZERO_VARIANCE = 1e-10  # a resample's variance at most this fraction of the full sample's is round-off


def cov_of_data(X: np.ndarray, pairwise: bool = False) -> np.ndarray:
    if pairwise:
        return pd.DataFrame(X).cov(min_periods=2).to_numpy()
    return np.cov(X, rowvar=False, ddof=1)


def alpha_of_data(X: np.ndarray, standardized: bool = False, pairwise: bool = False, ref=None) -> float:
    """Alpha of a data matrix from its covariance (or correlation) matrix.

    ``ref`` is the covariance matrix of the full sample when ``X`` is a resample of it: a total
    variance (standardized: an item variance) at most ``ZERO_VARIANCE`` times the full sample's is
    zero up to round-off, so alpha is undefined.  Alpha above 1 is round-off (set to 1) or comes from
    a pairwise matrix that no data could give (undefined).
    """
    C = cov_of_data(X, pairwise)
    if np.isnan(C).any():
        return np.nan
    if ref is None:
        ref = C
    if standardized:
        d = np.diag(C)
        if np.any(~(d > ZERO_VARIANCE * np.diag(ref))):
            return np.nan
        C = C / np.sqrt(np.outer(d, d))
        if not C.sum() > 0:
            return np.nan
    elif not C.sum() > ZERO_VARIANCE * abs(ref.sum()):
        return np.nan
    k = C.shape[0]
    a = k / (k - 1) * (1 - np.trace(C) / C.sum())
    if a > 1:
        return 1.0 if a <= 1 + 1e-9 else np.nan
    return a


def bootstrap_alpha(X, seed, n_boot, standardized=False, pairwise=False) -> np.ndarray:
    """Alpha of each materialised bootstrap resample X[idx]."""
    idx = bootstrap_indices(X.shape[0], n_boot, seed)
    ref = cov_of_data(X, pairwise)
    return np.array([alpha_of_data(X[i], standardized, pairwise, ref) for i in idx])


def jackknife_alpha(X, standardized=False, pairwise=False) -> np.ndarray:
    ref = cov_of_data(X, pairwise)
    return np.array(
        [alpha_of_data(np.delete(X, i, axis=0), standardized, pairwise, ref) for i in range(X.shape[0])]
    )


def split_values(C: np.ndarray, A) -> tuple[float, float]:
    """(4 c_AB / V, Spearman-Brown of r_AB) for the split (A, rest)."""
    k = C.shape[0]
    a = np.zeros(k)
    a[list(A)] = 1.0
    b = 1.0 - a
    va, vb, cab = a @ C @ a, b @ C @ b, a @ C @ b
    V = C.sum()
    r = cab / np.sqrt(va * vb)
    return 4 * cab / V, 2 * r / (1 + r)


def all_splits(C: np.ndarray, equal: bool = True) -> dict:
    """Every split with the last item in part B, keyed by the frozenset of part A."""
    k = C.shape[0]
    out = {}
    for size in range(1, k):
        if equal and size not in (k // 2, k - k // 2):
            continue
        for A in itertools.combinations(range(k - 1), size):
            out[frozenset(A)] = split_values(C, A)
    return out


def oblimin_gpa(A: np.ndarray, eps: float = 1e-10, maxit: int = 5000):
    """Quartimin rotation by gradient projection, straight from Bernaards & Jennrich (2005) / GPFoblq."""
    nf = A.shape[1]
    N = 1.0 - np.eye(nf)

    def vgq(L):
        X = (L**2) @ N
        return L * X, float((L**2 * X).sum()) / 4.0

    T = np.eye(nf)
    L = A.copy()
    Gq, f = vgq(L)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    al = 1.0
    for _ in range(maxit):
        Gp = G - T @ np.diag((T * G).sum(axis=0))
        s = np.sqrt(float((Gp**2).sum()))
        if s < eps:
            break
        al *= 2.0
        armijo = False
        for _ in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt((X**2).sum(axis=0))
            L = A @ np.linalg.inv(Tt).T
            Gq, ft = vgq(L)
            if f - ft > 0.5 * s * s * al:
                armijo = True
                break
            al /= 2.0
        if not armijo and ft >= f:  # no step lowers the criterion any more: stop where it is
            L = A @ np.linalg.inv(T).T
            break
        T, f = Tt, ft
        G = -(L.T @ Gq @ np.linalg.inv(Tt)).T
    return L, T.T @ T


def minres_one_factor(R: np.ndarray, start: np.ndarray) -> np.ndarray:
    """One-factor minres loadings of ``R``: minimise 1/2 ||R - l l' - diag(psi)||^2 over psi in [0.005, 1] with
    scipy's L-BFGS-B (numerical gradient), l the scaled leading eigenvector of R - diag(psi)."""
    from scipy import optimize

    def loadings(psi):
        w, V = np.linalg.eigh(R - np.diag(psi))
        return V[:, -1] * np.sqrt(max(w[-1], 0.0))

    def crit(psi):
        lam = loadings(psi)
        return 0.5 * float(((R - np.outer(lam, lam) - np.diag(psi)) ** 2).sum())

    opt = optimize.minimize(crit, np.clip(start, 0.005, 1.0), method="L-BFGS-B", bounds=[(0.005, 1.0)] * len(R),
                            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    lam = loadings(opt.x)
    return lam if lam.sum() >= 0 else -lam


def omega_one_factor(R: np.ndarray, lam: np.ndarray) -> tuple[float, float]:
    """Omega total and hierarchical of a one-factor solution, items with a negative loading reversed."""
    key = np.where(lam < 0, -1.0, 1.0)
    vt = float((R * np.outer(key, key)).sum())
    return (vt - float((1.0 - lam**2).sum())) / vt, float(np.abs(lam).sum()) ** 2 / vt


def omega1_bootstrap(X, seed, n_boot, start) -> np.ndarray:
    """(omega total, omega hierarchical) of the one-factor minres solution of each materialised resample."""
    idx = bootstrap_indices(X.shape[0], n_boot, seed)
    out = np.empty((n_boot, 2))
    for b, i in enumerate(idx):
        R = np.corrcoef(X[i], rowvar=False)
        out[b] = omega_one_factor(R, minres_one_factor(R, start))
    return out
