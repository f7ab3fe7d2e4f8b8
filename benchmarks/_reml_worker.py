"""One REML G study in a fresh process, for bench_reml.py: prints a JSON line with time and peak memory.

Usage: python _reml_worker.py csv PATH [nested]
       python _reml_worker.py sim N_CANDIDATES N_ASSESSORS SEED [random|sessions] [reml|henderson1]
       python _reml_worker.py sample AGENCY
The time is that of the first g_study call in this process (numba kernels loaded from their cache).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
FACETS = ["competency", "exercise", "assessor"]


def _peak_rss() -> int:
    """Peak resident memory of this process image, in bytes.

    ``VmHWM`` starts afresh at ``exec``; ``getrusage``'s ``ru_maxrss`` does not (Linux keeps the forking
    parent's peak across ``execve``), so a worker started by a large benchmark process would report the
    parent's peak.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv):
    kind = argv[0]
    method = "reml"
    nested = {"assessor": "exercise"}
    if kind == "csv":
        d = pd.read_csv(argv[1])
        nested = nested if len(argv) > 2 and argv[2] == "nested" else None
    elif kind == "sample":
        r = pd.read_parquet(HERE.parent / "data_samples" / "ratings.parquet")
        d = r[r["agency"] == argv[1]]
    else:
        from psikometri.simulate import simulate_assessment

        n, n_a, seed = int(argv[1]), int(argv[2]), int(argv[3])
        assignment = argv[4] if len(argv) > 4 else "random"
        method = argv[5] if len(argv) > 5 else "reml"
        per_ex = max(3, n_a // 5)
        sim = simulate_assessment({"kohort": n}, assessors_per_exercise=2, candidates_per_assessor=2 * n / per_ex,
                                  assignment=assignment, rounding=None, seed=seed)
        d = sim.ratings
    import psikometri as pk

    t0 = time.perf_counter()
    gs = pk.g_study(d, score="score", person="candidate", facets=FACETS, nested=nested, method=method)
    secs = time.perf_counter() - t0
    rss = _peak_rss()
    print(json.dumps({"seconds": secs, "peak_rss": rss, "loglik": gs.loglik, "n_ratings": int(gs.n_obs),
                      "n_candidates": int(gs.n_persons), "n_assessors": int(d["assessor"].nunique()),
                      "variances": gs.components["variance"].to_dict(), "g": gs.g_coefficient}))


if __name__ == "__main__":
    main(sys.argv[1:])
