"""Coverage of the G and Phi intervals of ``g_study`` on the simulator (known truth).

Each replication simulates one agency with :func:`psikometri.simulate.simulate_assessment` (one position level,
latent scores, the default AC design: assessors nested in exercises, ill-structured assignment, 3% missing
cells), fits the REML G study with a candidate bootstrap, and checks whether the 95% intervals of the overall
rating's G and Phi (competencies fixed, the observed design's sizes) hold the value that the true variance
components give for the same design.  Both interval methods are scored on the same replications: the
candidate bootstrap (``ci="bootstrap"``) and the delta method (``ci="delta"``).  With ``--method henderson1``
the components come from Henderson's Method 1, which has no standard errors: the bootstrap intervals only.

Run: ``python benchmarks/coverage_gstudy.py [--reps 100] [--candidates 60] [--n-boot 200] [--method reml]``; the
README quotes the output of the committed settings (``coverage_gstudy.out``, ``coverage_gstudy_henderson1.out``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from psikometri.gtheory import _coefficients, g_study
from psikometri.simulate import simulate_assessment

FACETS = ["competency", "exercise", "assessor"]


def true_row(gs, truth_vc, fixed):
    """G and Phi that the true components give for the d_study design of ``gs``'s first row."""
    row = gs.d_study(fixed=fixed).iloc[[0]]
    div = gs._divisors(row)
    comp = np.zeros(len(gs.components))
    labels = list(gs.components.index)
    for lab, v in truth_vc.items():  # the simulator names its components as the G study does (residual last)
        key = frozenset(lab.split(":"))
        j = next((i for i, x in enumerate(labels) if frozenset(x.split(":")) == key), len(labels) - 1)
        comp[j] = v
    fixed_idx = gs._fixed(fixed)
    g, phi = _coefficients(comp, gs._effects, div, fixed_idx)[3:]
    return float(g[0]), float(phi[0])


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--candidates", type=int, default=60)
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--method", choices=["reml", "henderson1"], default="reml")
    ap.add_argument("--progress", action="store_true", help="print the running counts after each replication")
    args = ap.parse_args(argv)
    kinds = ("bootstrap", "delta") if args.method == "reml" else ("bootstrap",)
    hits = {(m, k): 0 for m in kinds for k in ("g", "phi")}
    width = {k: [] for k in hits}
    done = 0
    t0 = time.perf_counter()
    for rep in range(args.reps):
        sim = simulate_assessment({"agency": (args.candidates, {"administrator": 1.0})}, rounding=None,
                                  seed=args.seed + rep)
        gs = g_study(sim.ratings, person="candidate", facets=FACETS, nested={"assessor": "exercise"},
                     method=args.method, n_boot=args.n_boot, seed=rep)
        tg, tphi = true_row(gs, sim.truth["variance_components"], ["competency"])
        for method in kinds:
            r = gs.oar_reliability(fixed=["competency"], level=0.95, ci=method)
            for key, t, lo, hi in (("g", tg, r["g_coefficient_ci_low"], r["g_coefficient_ci_high"]),
                                   ("phi", tphi, r["phi_ci_low"], r["phi_ci_high"])):
                hits[(method, key)] += int(lo <= t <= hi)
                width[(method, key)].append(hi - lo)
        done += 1
        if args.progress:
            print(f"{done} done ({time.perf_counter() - t0:.0f} s): " + ", ".join(
                f"{m} {k} {hits[(m, k)]}" for m, k in hits), flush=True)
    el = time.perf_counter() - t0
    print(f"{args.method}: {done} replications of {args.candidates} candidates, {args.n_boot} bootstrap resamples "
          f"each ({el:.0f} s); true G/Phi of the overall rating (competencies fixed) at the observed design")
    out = pd.DataFrame([{"interval": m, "coefficient": "G" if k == "g" else "Phi",
                         "coverage": hits[(m, k)] / done, "mean_width": float(np.mean(width[(m, k)]))}
                        for (m, k) in hits])
    print(out.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
