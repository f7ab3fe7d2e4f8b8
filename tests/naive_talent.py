"""Plain numpy references for the placement-consistency simulation of psikometri.talent.

``placement_numpy`` is written independently of the numba kernel: errors are *drawn* (no
Rao-Blackwellisation), true scores come from a symmetric square root of the posterior covariance (not a
Cholesky factor), levels from ``np.searchsorted`` and everything is vectorised over candidates x simulations
in chunks.  Used by tests/test_talent.py (agreement within Monte-Carlo error) and as the baseline of
benchmarks/bench_talent.py.

``placement_replicates_loop`` is the bootstrap of ``placement_consistency`` as a Python loop over
resamples, each fitted by ``talent._placement_run`` (numpy posterior, then the simulation kernel on the
resample): the reference for the one-kernel bootstrap and the baseline of its benchmark row.
"""

from __future__ import annotations

import math

import numpy as np

BOX = np.array([[1, 2, 4], [3, 5, 7], [6, 8, 9]])


def posterior(x, rel, correlated=True):
    """Posterior mean (n, 2) and covariance of true scores, error sds (multivariate Kelley formula)."""
    x = np.asarray(x, dtype=float)
    mu = x.mean(axis=0)
    d = x - mu
    sx = d.T @ d / (x.shape[0] - 1)
    if not correlated:
        sx = np.diag(np.diag(sx))
    se = np.diag((1 - np.asarray(rel)) * np.diag(sx))
    st = sx - se
    gain = np.linalg.solve(sx, st).T  # Sigma_T Sigma_X^{-1} (both symmetric)
    mean = mu + d @ gain.T
    cov = st - gain @ st
    return mean, (cov + cov.T) / 2, np.sqrt(np.diag(se))


def sqrtm_psd(a):
    w, v = np.linalg.eigh(a)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def levels(x, cuts):
    """0, 1, 2: number of cuts <= x (a value on a cut goes up)."""
    return np.searchsorted(np.asarray(cuts, dtype=float), x, side="right")


def placement_numpy(pot, perf, rel, cuts_p, cuts_f, n_sim, seed=0, correlated=True, chunk=64):
    """Simulate true scores and two parallel administrations explicitly; return a dict of results."""
    x = np.column_stack([pot, perf]).astype(float)
    mean, cov, esd = posterior(x, rel, correlated)
    root = sqrtm_psd(cov)
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    assigned = BOX[levels(x[:, 0], cuts_p), levels(x[:, 1], cuts_f)]
    p_box = np.zeros((n, 9))
    p_retest = np.zeros(n)
    joint = {"nine_box": np.zeros((9, 9)), "potential": np.zeros((3, 3)), "performance": np.zeros((3, 3))}
    hits_acc = {"nine_box": 0, "potential": 0, "performance": 0}
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        m = hi - lo
        t = mean[lo:hi, None, :] + rng.standard_normal((m, n_sim, 2)) @ root.T
        x1 = t + rng.standard_normal((m, n_sim, 2)) * esd
        x2 = t + rng.standard_normal((m, n_sim, 2)) * esd
        lt = (levels(t[..., 0], cuts_p), levels(t[..., 1], cuts_f))
        l1 = (levels(x1[..., 0], cuts_p), levels(x1[..., 1], cuts_f))
        l2 = (levels(x2[..., 0], cuts_p), levels(x2[..., 1], cuts_f))
        bt, b1, b2 = BOX[lt], BOX[l1], BOX[l2]
        for k in range(9):
            p_box[lo:hi, k] = (bt == k + 1).mean(axis=1)
        p_retest[lo:hi] = (b1 == assigned[lo:hi, None]).mean(axis=1)
        np.add.at(joint["nine_box"], (b1.ravel() - 1, b2.ravel() - 1), 1)
        np.add.at(joint["potential"], (l1[0].ravel(), l2[0].ravel()), 1)
        np.add.at(joint["performance"], (l1[1].ravel(), l2[1].ravel()), 1)
        hits_acc["nine_box"] += int((b1 == bt).sum())
        hits_acc["potential"] += int((l1[0] == lt[0]).sum())
        hits_acc["performance"] += int((l1[1] == lt[1]).sum())
    total = n * n_sim
    grid = {}
    for name, tab in joint.items():
        tab = tab / total
        pa = float(np.trace(tab))
        pc = float(np.sum(tab.sum(axis=0) * tab.sum(axis=1)))
        grid[name] = {"agreement": pa, "chance_agreement": pc, "kappa": (pa - pc) / (1 - pc),
                      "accuracy": hits_acc[name] / total}
    p_correct = p_box[np.arange(n), assigned - 1]
    return {"box": assigned, "p_box": p_box, "p_correct": p_correct, "p_retest": p_retest, "grid": grid}


def placement_replicates_loop(x, assigned, rel, correlated, cp, cf, n_boot, seed64, rel_se):
    """(n_boot, 3, 2) agreement and kappa of rows nine_box, potential, performance per resample; NaN if unfitted.

    Resample ``b``: candidates ``bootstrap_indices(n, n_boot, seed)[b]``, seed ``(seed + 1 + b) mod 2**63``,
    potential reliability ``expit(logit(rel_p) + rel_se * z_b)`` with ``z`` the first ``n_boot`` standard
    normals of ``numpy.random.default_rng(seed)``; skipped when a column is constant or ``_posterior`` refuses
    the resample (a correlation the reliabilities cannot produce, a singular covariance).
    """
    from psikometri._resampling import bootstrap_indices
    from psikometri._threads import numba_threads
    from psikometri.talent import _BOOT_DRAWS, _placement_run

    n = x.shape[0]
    n_sim_boot = max(10, math.ceil(_BOOT_DRAWS / n))
    idx = bootstrap_indices(n, n_boot, int(seed64))
    z = np.random.default_rng(int(seed64)).standard_normal(n_boot) * rel_se
    logit0 = math.log(rel[0] / (1.0 - rel[0])) if rel[0] < 1.0 else math.inf
    boot = np.full((n_boot, 3, 2), np.nan)
    with numba_threads(1):
        for b in range(n_boot):
            i = idx[b]
            xb = x[i]
            if np.ptp(xb[:, 0]) == 0 or np.ptp(xb[:, 1]) == 0:
                continue
            rb = rel if rel_se == 0.0 else np.array([1.0 / (1.0 + math.exp(-(logit0 + z[b]))), rel[1]])
            try:
                tb = _placement_run(np.ascontiguousarray(xb), np.ascontiguousarray(assigned[i]), rb, correlated,
                                    cp, cf, n_sim_boot, np.uint64((int(seed64) + 1 + b) % 2**63))["grid"]
            except ValueError:  # this resample's correlation exceeds what the reliabilities allow
                continue
            boot[b, :, 0] = tb[:, 0]
            boot[b, :, 1] = tb[:, 2]
    return boot


def jpm_naive(achieved_rows, required_rows, cap=True):
    """JPM by plain Python loops over lists of levels."""
    out = []
    for a_row, r_row in zip(achieved_rows, required_rows):
        num = sum(min(a, r) if cap else a for a, r in zip(a_row, r_row))
        out.append(100.0 * num / sum(r_row))
    return out
