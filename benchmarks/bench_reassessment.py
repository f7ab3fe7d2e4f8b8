"""Re-assessment benchmarks: JPM decision consistency (exact normal integrals, numba) vs a numpy simulation.

Target (issue 14): ``decision_consistency`` on 3,000 persons x 10,000 simulations in under 1 s.  psikometri does
not simulate: every probability is an exact normal or bivariate-normal integral, so the figure is the time of the
exact computation for 3,000 persons.  The baseline is tests/naive_reassessment.py's ``decision_consistency_sim``:
the same model by brute-force Monte-Carlo with 10,000 draws per person, vectorised in chunks.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from _common import best_time, once

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REL = 0.8


def _cohort(n: int, seed: int = 20261201):
    return np.random.default_rng(seed).normal(83.0, 7.0, n)


def cases(quick: bool = False) -> list[dict]:
    from psikometri.reassessment import decision_consistency
    from tests.naive_reassessment import decision_consistency_sim

    n, n_sim = (300, 2000) if quick else (3000, 10000)
    x = _cohort(n)

    def ours():
        return decision_consistency(x, reliability=REL, cuts="mapping")

    decision_consistency(x[:5], reliability=REL, cuts="mapping", n_boot=2, seed=1)  # compile
    t_ours = best_time(ours, repeat=5, warmup=1)
    res = ours()
    t_np, ref = once(lambda: decision_consistency_sim(x, REL, (78.0, 90.0), n_sim=n_sim, seed=1))
    cons = res.attrs["consistency"]
    d_agree = abs(cons.loc["agreement", "value"] - ref["agreement"])
    d_kappa = abs(cons.loc["kappa", "value"] - ref["kappa"])
    d_pa = float(np.abs(res["p_assigned"].to_numpy() - ref["p_assigned"]).max())
    n_boot = 100 if quick else 1000
    t_boot = best_time(lambda: decision_consistency(x, reliability=REL, cuts="mapping", n_boot=n_boot, seed=1),
                       repeat=1, warmup=0)
    return [
        {
            "case": f"decision_consistency (JPM mapping), {n} persons; baseline simulates {n_sim} draws per person",
            "ours": t_ours,
            "baseline": "numpy Monte-Carlo",
            "theirs": t_np,
            "target": "< 1 s",
            "check": f"|d agreement| = {d_agree:.4f}, |d kappa| = {d_kappa:.4f}, max |d p_assigned| = {d_pa:.4f} "
                     "(Monte-Carlo error of the baseline)",
        },
        {
            "case": f"decision_consistency, {n} persons, {n_boot} bootstrap resamples for intervals",
            "ours": t_boot,
            "baseline": "-",
            "theirs": None,
            "target": "-",
        },
    ]


if __name__ == "__main__":  # pragma: no cover
    for row in cases(quick="--quick" in sys.argv):
        print(row)
