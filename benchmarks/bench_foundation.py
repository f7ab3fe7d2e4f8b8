"""Foundation: import time, loading the sample data, and the shared resampling utility."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from _common import best_time

ROOT = Path(__file__).resolve().parents[1]


def _import_seconds(stmt: str = "import psikometri") -> float:
    code = f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return min(runs)


def _import_numpy_pandas_seconds() -> float:
    code = "import time; t = time.perf_counter(); import numpy, pandas; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return min(runs)


def cases(quick: bool = False) -> list[dict]:
    from psikometri._resampling import bootstrap_counts, bootstrap_indices
    from psikometri.io import load_assessment

    rows = [{"case": "import psikometri (fresh interpreter)", "ours": _import_seconds(),
             "baseline": "import numpy, pandas", "theirs": _import_numpy_pandas_seconds(), "target": "< 1.5 s"},
            {"case": "import psikometri + every family module", "ours": _import_seconds(
                "import psikometri; psikometri.public_api()"), "target": "no compilation"}]
    t = best_time(lambda: load_assessment(ROOT / "data_samples", warn=False), repeat=1 if quick else 3)
    rows.append({"case": "load_assessment(data_samples): 149k ratings, validated", "ours": t, "target": "-"})
    n, b = 2091, (1000 if quick else 10000)
    ours = best_time(lambda: bootstrap_indices(n, b, seed=1))
    rng_t = best_time(lambda: np.random.default_rng(1).integers(0, n, size=(b, n)))
    rows.append({"case": f"bootstrap_indices n={n} x {b} (thread-independent)", "ours": ours,
                 "baseline": "numpy Generator.integers", "theirs": rng_t, "target": "-"})
    ours = best_time(lambda: bootstrap_counts(n, b, seed=1))
    npc = best_time(lambda: np.apply_along_axis(np.bincount, 1, np.random.default_rng(1).integers(0, n, (b, n)),
                                                minlength=n))
    rows.append({"case": f"bootstrap_counts n={n} x {b}", "ours": ours, "baseline": "numpy integers + bincount",
                 "theirs": npc, "target": "-"})
    return rows
