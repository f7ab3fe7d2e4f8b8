"""Talent benchmarks: nine-box placement consistency (numba kernel) vs a vectorised plain numpy simulation.

Target (issue 7): ``placement_consistency`` for 2,091 candidates x 10,000 simulations in under 2 s after
compilation.  The baseline is tests/naive_talent.py's ``placement_numpy``: the same model, vectorised over
candidates x simulations in chunks, drawing the errors of two parallel administrations explicitly.

The bootstrap rows time the 1,000 resamples of ``placement_consistency(..., n_boot=1000)`` with one numba
thread (as a batch worker runs them): the one-kernel bootstrap against tests/naive_talent.py's
``placement_replicates_loop``, the Python loop over resamples it replaced (numpy posterior and the
simulation kernel per resample).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from _common import best_time, once

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CUTS_P = (78.0, 90.0)
CUTS_F = (70.0, 85.0)
REL = (0.8, 0.7)


def _cohort(n: int, seed: int = 20261124):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.35], [0.35, 1.0]], size=n)
    return 82.0 + 8.0 * z[:, 0], 78.0 + 9.0 * z[:, 1]


def cases(quick: bool = False) -> list[dict]:
    from psikometri.talent import placement_consistency
    from tests.naive_talent import placement_numpy

    n, n_sim = (300, 2000) if quick else (2091, 10000)
    pot, perf = _cohort(n)

    def ours():
        return placement_consistency(pot, perf, potential_reliability=REL[0], performance_reliability=REL[1],
                                     potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=n_sim, seed=1)

    placement_consistency(pot[:5], perf[:5], potential_reliability=REL[0], performance_reliability=REL[1],
                          potential_cuts=CUTS_P, performance_cuts=CUTS_F, n_sim=5, seed=1)  # compile
    t_ours = best_time(ours, repeat=3, warmup=1)
    res = ours()
    t_np, ref = once(lambda: placement_numpy(pot, perf, list(REL), CUTS_P, CUTS_F, n_sim=n_sim, seed=1))
    cons = res.attrs["consistency"]
    d_agree = abs(cons.loc["nine_box", "agreement"] - ref["grid"]["nine_box"]["agreement"])
    d_kappa = abs(cons.loc["nine_box", "kappa"] - ref["grid"]["nine_box"]["kappa"])
    d_pc = float(np.abs(res["p_correct"].to_numpy() - ref["p_correct"]).max())
    rows = [
        {
            "case": f"placement_consistency {n} candidates x {n_sim} simulations",
            "ours": t_ours,
            "baseline": "numpy (vectorised)",
            "theirs": t_np,
            "target": "< 2 s",
            "check": f"|d agreement| = {d_agree:.4f}, |d kappa| = {d_kappa:.4f}, max |d p_correct| = {d_pc:.4f} "
                     "(Monte-Carlo)",
        }
    ]
    for nb_cand in ((120,) if quick else (120, 2091)):
        rows.append(_bootstrap_row(nb_cand, 200 if quick else 1000))
    return rows


def _bootstrap_row(n: int, n_boot: int) -> dict:
    from psikometri._threads import numba_threads
    from psikometri.talent import _cut_levels, _placement_replicates
    from tests.naive_talent import placement_replicates_loop

    pot, perf = _cohort(n)
    x = np.column_stack([pot, perf])
    cp, cf = np.array(CUTS_P), np.array(CUTS_F)
    assigned = np.column_stack([_cut_levels(pot, cp), _cut_levels(perf, cf)]).astype(np.int64) - 1
    args = (x, assigned, np.array(REL), True, cp, cf, n_boot, np.uint64(1), 0.3)
    with numba_threads(1):
        t_ours = best_time(lambda: _placement_replicates(*args), repeat=3, warmup=1)
        ours = _placement_replicates(*args)
        t_loop, ref = once(lambda: placement_replicates_loop(*args))
    d = float(np.nanmax(np.abs(ours - ref)))
    return {
        "case": f"placement_consistency bootstrap, {n} candidates x {n_boot} resamples, 1 thread",
        "ours": t_ours,
        "baseline": "Python loop over resamples",
        "theirs": t_loop,
        "target": "-",
        "check": f"max |d| over the replicates = {d:.1e}",
    }


if __name__ == "__main__":  # pragma: no cover
    for row in cases(quick="--quick" in sys.argv):
        print(row)
