"""Validity benchmarks: psikometri.validity.validity_study against a plain numpy loop.

Case (full size; ``quick`` divides the number of resamples by 10):

* ``validity_study`` with 5,000 bootstrap resamples of an applicant pool of 2,091 candidates
  (35% selected, criterion missing for the others), Case IV and Case II: each replicate
  resamples candidates, re-estimates u = SD(predictor | selected) / SD(predictor), recomputes
  the observed r among the selected and applies the corrections.  Target < 2 s after
  compilation.  The baseline is ``tests/naive_validity.py``, a plain numpy loop over
  replicates doing the same chain on the same resamples; it is timed on 250 resamples and
  extrapolated linearly to 5,000 (said so in the row).  ``check`` compares the bootstrap
  intervals of both on those 250 resamples.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from _common import best_time, once

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _pool(n: int = 2_091, seed: int = 20261124) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = rng.normal(size=n)
    x = math.sqrt(0.85) * t + math.sqrt(0.15) * rng.normal(size=n)
    p = 0.45 * t + math.sqrt(1 - 0.45**2) * rng.normal(size=n)
    y = 80 + 6 * (math.sqrt(0.7) * p + math.sqrt(0.3) * rng.normal(size=n))
    z = 0.8 * t + 0.6 * rng.normal(size=n)
    y[z < np.quantile(z, 0.65)] = np.nan
    return pd.DataFrame({"oar": 3 + 0.5 * x, "kinerja": y})


def cases(quick: bool = False) -> list[dict]:
    from psikometri import validity as V
    from tests import naive_validity as N

    d = _pool()
    x, y = d["oar"].to_numpy(), d["kinerja"].to_numpy()
    n_boot = 5_000 // (10 if quick else 1)
    n_naive = 250 // (10 if quick else 1)
    rows = []
    for case, kw in (("IV", {"rxxa": 0.85, "ryyi": 0.6}), ("II", {"ryyi": 0.6})):
        V.validity_study(d, predictor="oar", criterion="kinerja", case=case, n_boot=10, seed=1, **kw)  # compile
        ours = best_time(lambda: V.validity_study(d, predictor="oar", criterion="kinerja", case=case,
                                                  n_boot=n_boot, seed=1, **kw), repeat=5)
        t_naive, rep = once(lambda: N.validity_bootstrap(x, y, n_boot=n_naive, seed=1, case=case, **kw))
        theirs = t_naive * n_boot / n_naive
        res = V.validity_study(d, predictor="oar", criterion="kinerja", case=case, n_boot=n_naive, seed=1, **kw)
        diffs = []
        for k, row in enumerate(res.index):
            v = rep[:, k][np.isfinite(rep[:, k])]
            if np.isfinite(res.loc[row, "r"]) and v.size:
                lo, hi = np.quantile(v, [0.025, 0.975])
                diffs += [abs(lo - res.loc[row, "ci_low"]), abs(hi - res.loc[row, "ci_high"])]
        rows.append({
            "case": f"validity_study case {case}, {n_boot:,} resamples, 2,091 candidates",
            "ours": ours,
            "baseline": f"numpy loop (x{n_boot // n_naive} from {n_naive})",
            "theirs": theirs,
            "target": "< 2 s",
            "check": f"max |CI diff| on {n_naive} resamples = {max(diffs):.1e}; naive timed on {n_naive} "
                     f"resamples and extrapolated",
        })
    return rows
