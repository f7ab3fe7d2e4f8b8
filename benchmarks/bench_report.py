"""Batch reports: a synthetic batch of agencies with 2 workers; marginal time per report."""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from pathlib import Path

import numpy as np


def cases(quick: bool = False) -> list[dict]:
    from psikometri.report import run_batch
    from psikometri.simulate import simulate_assessment

    n_ag = 6 if quick else 40
    rng = np.random.default_rng(7)
    sizes = rng.integers(30, 160, n_ag)
    agencies = {f"instansi_{i + 1:02d}": (int(s), {"administrator": 0.5, "pengawas": 0.5}) for i, s in enumerate(sizes)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        simulate_assessment(agencies, seed=11).write(data)
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = run_batch(data, out, workers=2, n_boot=1000, seed=1, formats=("html",))
        total = time.perf_counter() - t0
        if code != 0:
            raise RuntimeError(f"batch failed with exit code {code}")
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            run_batch(data, out, workers=2, n_boot=1000, seed=1, formats=("html",))
        rerun = time.perf_counter() - t0
    rows.append({"case": f"{n_ag} agencies ({sizes.min()}-{sizes.max()} candidates), 2 workers: total", "ours": total,
                 "target": "-"})
    rows.append({"case": f"{n_ag} agencies, 2 workers: marginal time per report", "ours": total / n_ag,
                 "target": "< 10 s"})
    rows.append({"case": f"{n_ag} agencies: re-run, all up to date (skipped)", "ours": rerun, "target": "-"})
    return rows
