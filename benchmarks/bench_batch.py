"""National batch: 600 simulated agencies of 120 candidates, throughput and per-agency overhead.

What it measures, in one run:

* preparing the national data set: simulate 600 agencies (72,000 candidates, about 3 million ratings),
  write, load and validate it once, and write each agency's subset (what ``psikometri report`` does first);
* reports for a sample of those agencies (all 600 would take about an hour), with 2 local worker processes
  and with a 2-worker local Dask cluster (worker processes that receive the agency's tables as bytes);
  throughput in agencies per minute and the marginal cost per agency per worker (wall time x workers /
  agencies), extrapolated to the 600 agencies;
* the fixed cost of one report outside its computations (kernel start, imports, numba cache loads, HTML
  export): one agency's ``run_task`` time minus the same report computed in a warm process.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
import warnings
from pathlib import Path

N_AGENCIES = 600
CANDIDATES = 120


def _quiet():
    return contextlib.ExitStack()


def cases(quick: bool = False) -> list[dict]:
    from psikometri.io import DataWarning, load_assessment
    from psikometri.report import AgencyContext, SECTION_KEYS, run_batch
    from psikometri.report.runner import ReportTask, run_task, write_agency_subset
    from psikometri.simulate import simulate_assessment

    n_all = 60 if quick else N_AGENCIES
    n_run = 4 if quick else 12
    n_boot = 1000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        sim = simulate_assessment({f"instansi_{i + 1:03d}": (CANDIDATES, {"administrator": 0.5, "pengawas": 0.5})
                                   for i in range(n_all)}, seed=600)
        t_sim = time.perf_counter() - t0
        data = tmp / "national"
        sim.write(data)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            ds = load_assessment(data)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for a in ds.agencies:
            write_agency_subset(ds, a, tmp / "subsets" / a)
        t_subsets = time.perf_counter() - t0
        rows.append({"case": f"national data: simulate {n_all} agencies x {CANDIDATES} candidates "
                             f"({len(sim.ratings):,} ratings)", "ours": t_sim, "target": "-"})
        rows.append({"case": f"national data: load and validate {len(sim.ratings):,} ratings once", "ours": t_load,
                     "target": "-"})
        rows.append({"case": f"national data: write {n_all} agency subsets", "ours": t_subsets, "target": "-"})

        # a sample of the agencies as their own data set (the reports read only their own subset anyway)
        sample = ds.agencies[:n_run]
        sub = tmp / "sample"
        sim_s = simulate_assessment({a: (CANDIDATES, {"administrator": 0.5, "pengawas": 0.5}) for a in sample},
                                    seed=600)
        sim_s.write(sub)
        sink = io.StringIO()

        def batch(out, **kw):
            t = time.perf_counter()
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                code = run_batch(sub, out, n_boot=n_boot, seed=1, formats=("html",), index=False, **kw)
            if code != 0:
                raise RuntimeError(f"batch failed with exit code {code}: {sink.getvalue()[-2000:]}")
            return time.perf_counter() - t

        wall_local = batch(tmp / "out_local", workers=2)
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            wall_dask = batch(tmp / "out_dask", scheduler=cluster.scheduler_address)
        for label, wall in (("2 local workers", wall_local), ("2-worker local Dask cluster", wall_dask)):
            per_min = 60.0 * n_run / wall
            rows.append({"case": f"{n_run} agencies x {CANDIDATES} candidates, {label}: agencies per minute",
                         "ours": per_min, "unit": "agencies/min", "target": "-"})
            rows.append({"case": f"  {label}: marginal cost per agency per worker", "ours": 2 * wall / n_run,
                         "target": "< 3 s"})
            rows.append({"case": f"  {label}: {N_AGENCIES} agencies (extrapolated)",
                         "ours": N_AGENCIES * wall / n_run, "target": "-"})

        # fixed cost of one report: run_task minus the same computations in a warm process
        a = sample[0]
        d1 = tmp / "one"
        write_agency_subset(load_assessment(sub), a, d1)
        task = ReportTask(a, str(sub), str(tmp / "out_one"), "id", ("html",), "", {"n_boot": n_boot, "seed": 1},
                          True, data_subset=str(d1), threads=max(1, (os.cpu_count() or 1) // 2))
        t0 = time.perf_counter()
        res = run_task(task)
        t_task = time.perf_counter() - t0
        if res.status != "ok":
            raise RuntimeError(f"report failed: {res.error}")
        ctx = AgencyContext.load(d1, a, n_boot=n_boot, seed=1)  # warm: kernels compiled above
        for k in SECTION_KEYS:
            ctx.section(k)
        ctx = AgencyContext.load(d1, a, n_boot=n_boot, seed=1)
        t0 = time.perf_counter()
        for k in SECTION_KEYS:
            ctx.section(k)
        ctx.results()
        t_compute = time.perf_counter() - t0
        rows.append({"case": f"one {CANDIDATES}-candidate report: notebook run and export (run_task)",
                     "ours": t_task, "target": "-"})
        rows.append({"case": "  of which its computations in a warm process", "ours": t_compute, "target": "-"})
        rows.append({"case": "  of which fixed cost (kernel start, imports, cache loads, HTML export)",
                     "ours": t_task - t_compute, "target": "-"})
    return rows
