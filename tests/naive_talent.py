"""Plain numpy references for the placement-consistency simulation of psikometri.talent.

``placement_numpy`` is written independently of the numba kernel: errors are *drawn* (no
Rao-Blackwellisation), true scores come from a symmetric square root of the posterior covariance (not a
Cholesky factor), levels from ``np.searchsorted`` and everything is vectorised over candidates x simulations
in chunks.  Used by tests/test_talent.py (agreement within Monte-Carlo error) and as the baseline of
benchmarks/bench_talent.py.

``placement_replicates_loop`` is the bootstrap of ``placement_consistency`` as a Python loop over
resamples, each fitted by ``talent._placement_run`` (numpy posterior, then the simulation kernel on the
resample): the reference for the one-kernel bootstrap and the baseline of its benchmark row.

``placement_one_loop`` and ``placement_boot_one_loop`` are the two kernels of psikometri._talent_kernels in
their plain form, one draw at a time (the form they had before the draws were run in blocks): the normal CDF
by the table interpolation with its branches (``phi_branches``), the level probabilities of each draw in two
small arrays, every sum updated at each draw.  Same streams and formulas, so the kernels must return exactly
these numbers (compared with ``np.array_equal``).  They are compiled with numba (not cached) because the
Box-Muller sine and cosine must be the same library calls as in the kernels.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from psikometri._resampling import stream_index, stream_start, stream_uniform
from psikometri._talent_kernels import _pairwise_sum

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


# ----------------------------------------------------------------------------- one draw at a time

_BOX_INDEX = BOX - 1
_TINY = 2.0**-53


@njit
def phi_branches(z, tab_v, tab_d):
    """Normal CDF by cubic Hermite interpolation of the table (nodes every 1/64 on [-8.5, 8.5])."""
    if z <= -8.5:
        return 0.0
    if z >= 8.5:
        return 1.0
    s = (z + 8.5) * 64.0
    j = int(s)
    if j > tab_v.shape[0] - 2:
        j = tab_v.shape[0] - 2
    u = s - j
    u2 = u * u
    u3 = u2 * u
    h = 1.0 / 64.0
    return ((2.0 * u3 - 3.0 * u2 + 1.0) * tab_v[j] + (u3 - 2.0 * u2 + u) * h * tab_d[j]
            + (3.0 * u2 - 2.0 * u3) * tab_v[j + 1] + (u3 - u2) * h * tab_d[j + 1])


@njit
def _upper_one(t, c, inv_sd, tab_v, tab_d):
    if inv_sd > 0.0:
        return phi_branches((t - c) * inv_sd, tab_v, tab_d)
    return 1.0 if t >= c else 0.0


@njit
def _simulate_one_loop(state, m_p, m_f, a_lp, a_lf, l11, l21, l22, inv_p, inv_f, cp, cf, n_sim, tab_v, tab_d,
                       cnt, sq):
    """One candidate, draw by draw: adds to ``cnt`` (9) and ``sq`` (15); returns the seven per-draw sums."""
    pp = np.empty(3)
    pf = np.empty(3)
    sums = np.zeros(7)  # retest, accuracy grid / potential / performance, agreement grid / potential / perf.
    for _ in range(n_sim):
        state, u1 = stream_uniform(state)
        state, u2 = stream_uniform(state)
        if u1 <= 0.0:
            u1 = _TINY
        r = math.sqrt(-2.0 * math.log(u1))
        a = 2.0 * math.pi * u2
        z1 = r * math.cos(a)
        z2 = r * math.sin(a)
        t_p = m_p + l11 * z1
        t_f = m_f + l21 * z1 + l22 * z2
        lp = (1 if t_p >= cp[0] else 0) + (1 if t_p >= cp[1] else 0)
        lf = (1 if t_f >= cf[0] else 0) + (1 if t_f >= cf[1] else 0)
        cnt[_BOX_INDEX[lp, lf]] += 1.0
        v1 = _upper_one(t_p, cp[0], inv_p, tab_v, tab_d)
        v2 = _upper_one(t_p, cp[1], inv_p, tab_v, tab_d)
        pp[0] = 1.0 - v1
        pp[1] = v1 - v2
        pp[2] = v2
        v1 = _upper_one(t_f, cf[0], inv_f, tab_v, tab_d)
        v2 = _upper_one(t_f, cf[1], inv_f, tab_v, tab_d)
        pf[0] = 1.0 - v1
        pf[1] = v1 - v2
        pf[2] = v2
        sp = 0.0
        sf = 0.0
        for i in range(3):
            sp += pp[i] * pp[i]
            sf += pf[i] * pf[i]
            sq[9 + i] += pp[i]
            sq[12 + i] += pf[i]
            for k in range(3):
                sq[_BOX_INDEX[i, k]] += pp[i] * pf[k]
        sums[0] += pp[a_lp] * pf[a_lf]
        sums[1] += pp[lp] * pf[lf]
        sums[2] += pp[lp]
        sums[3] += pf[lf]
        sums[4] += sp * sf
        sums[5] += sp
        sums[6] += sf
    return sums


@njit
def placement_one_loop(mean, chol, err_sd, cuts_p, cuts_f, assigned, n_sim, seed, tab_v, tab_d):
    """``(p_true, p_retest, acc, agree, marg)`` as ``_talent_kernels.placement_kernel`` writes them."""
    n = mean.shape[0]
    inv_p = 1.0 / err_sd[0] if err_sd[0] > 0.0 else 0.0
    inv_f = 1.0 / err_sd[1] if err_sd[1] > 0.0 else 0.0
    inv = 1.0 / n_sim
    p_true = np.empty((n, 9))
    p_retest = np.empty(n)
    acc = np.empty((n, 3))
    agree = np.empty((n, 3))
    marg = np.empty((n, 15))
    for i in range(n):
        cnt = np.zeros(9)
        sq = np.zeros(15)
        s = _simulate_one_loop(stream_start(seed, i), mean[i, 0], mean[i, 1], assigned[i, 0], assigned[i, 1],
                               chol[0], chol[1], chol[2], inv_p, inv_f, cuts_p, cuts_f, n_sim, tab_v, tab_d, cnt, sq)
        p_true[i] = cnt * inv
        marg[i] = sq * inv
        p_retest[i] = s[0] * inv
        for k in range(3):
            acc[i, k] = s[1 + k] * inv
            agree[i, k] = s[4 + k] * inv
    return p_true, p_retest, acc, agree, marg


@njit
def placement_boot_one_loop(x, assigned, rel_p, rel_f, correlated, cuts_p, cuts_f, n_sim, seed, tab_v, tab_d):
    """(n_boot, 3, 2) as ``_talent_kernels.placement_boot_kernel`` writes it (its moments and posterior)."""
    n = x.shape[0]
    n_boot = rel_p.shape[0]
    out = np.full((n_boot, 3, 2), np.nan)
    inv = 1.0 / n_sim
    f = 1.0 / (n - 1)
    for b in range(n_boot):
        idx = np.empty(n, dtype=np.int64)
        state = stream_start(seed, b)
        for j in range(n):
            state, i = stream_index(state, n)
            idx[j] = i
        s0 = 0.0
        s1 = 0.0
        for j in range(n):
            s0 += x[idx[j], 0]
            s1 += x[idx[j], 1]
        if x[idx, 0].max() == x[idx, 0].min() or x[idx, 1].max() == x[idx, 1].min():
            continue
        mu0 = s0 / n
        mu1 = s1 / n
        c00 = 0.0
        c01 = 0.0
        c11 = 0.0
        for j in range(n):
            d0 = x[idx[j], 0] - mu0
            d1 = x[idx[j], 1] - mu1
            c00 += d0 * d0
            c01 += d0 * d1
            c11 += d1 * d1
        c00 *= f
        c01 *= f
        c11 *= f
        r0 = rel_p[b]
        if not correlated:
            c01 = 0.0
        e0 = (1.0 - r0) * c00
        e1 = (1.0 - rel_f) * c11
        t00 = c00 - e0
        t11 = c11 - e1
        if correlated and c01 * c01 > r0 * rel_f * c00 * c11 * (1.0 + 1e-12):
            continue
        det = c00 * c11 - c01 * c01
        if det <= 0.0:
            continue
        i00 = c11 / det
        i01 = -c01 / det
        i11 = c00 / det
        b00 = t00 * i00 + c01 * i01
        b01 = t00 * i01 + c01 * i11
        b10 = c01 * i00 + t11 * i01
        b11 = c01 * i01 + t11 * i11
        v00 = t00 - (b00 * t00 + b01 * c01)
        v01 = c01 - (b00 * c01 + b01 * t11)
        v10 = c01 - (b10 * t00 + b11 * c01)
        v11 = t11 - (b10 * c01 + b11 * t11)
        v00 = 0.5 * (v00 + v00)
        v10 = 0.5 * (v10 + v01)
        v11 = 0.5 * (v11 + v11)
        l11 = math.sqrt(max(v00, 0.0))
        l21 = v10 / l11 if l11 > 1e-300 else 0.0
        l22 = math.sqrt(max(v11 - l21 * l21, 0.0))
        sd0 = math.sqrt(e0)
        sd1 = math.sqrt(e1)
        inv_p = 1.0 / sd0 if sd0 > 0.0 else 0.0
        inv_f = 1.0 / sd1 if sd1 > 0.0 else 0.0
        seed_b = (seed + np.uint64(1) + np.uint64(b)) & np.uint64(2**63 - 1)
        ag = np.empty((3, n))
        msum = np.zeros(15)
        for j in range(n):
            i = idx[j]
            d0 = x[i, 0] - mu0
            d1 = x[i, 1] - mu1
            cnt = np.zeros(9)
            sq = np.zeros(15)
            s = _simulate_one_loop(stream_start(seed_b, j), mu0 + (d0 * b00 + d1 * b01), mu1 + (d0 * b10 + d1 * b11),
                                   assigned[i, 0], assigned[i, 1], l11, l21, l22, inv_p, inv_f, cuts_p, cuts_f, n_sim,
                                   tab_v, tab_d, cnt, sq)
            for r in range(3):
                ag[r, j] = s[4 + r] * inv
            for k in range(15):
                msum[k] += sq[k] * inv
        for r in range(3):
            lo, hi = (0, 9) if r == 0 else ((9, 12) if r == 1 else (12, 15))
            pa = _pairwise_sum(ag[r]) / n
            q = np.empty(hi - lo)
            for k in range(lo, hi):
                v = msum[k] / n
                q[k - lo] = v * v
            pc = _pairwise_sum(q)
            out[b, r, 0] = pa
            out[b, r, 1] = (pa - pc) / (1.0 - pc) if pc < 1.0 - 1e-9 else np.nan
    return out
