"""National batch: 600 simulated agencies of 120 candidates, throughput and per-agency overhead.

What it measures, in one run:

* preparing the national data set: simulate 600 agencies (72,000 candidates, about 3 million ratings),
  write, load and validate it once, and write each agency's subset (what ``psikometri report`` does first);
* reports for samples of those agencies (all 600 would take most of an hour), with 2 local worker processes
  and with a 2-worker local Dask cluster (worker processes that receive the agency's tables as bytes):
  throughput in agencies per minute, the marginal cost per agency per worker (the difference between a
  4- and a 12-agency batch, x workers / 8, both after an unmeasured warm-up batch), the median time of one
  report in its worker, and the 600 agencies extrapolated from them;
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


def cases(quick: bool = False) -> list[dict]:
    from psikometri.io import DataWarning, load_assessment
    from psikometri.report import AgencyContext, SECTION_KEYS, run_batch
    from psikometri.report.runner import ReportTask, run_task, write_agency_subset
    from psikometri.simulate import simulate_assessment

    n_all = 60 if quick else N_AGENCIES
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

        # samples of the agencies as their own data sets (the reports read only their own subset anyway); the
        # marginal cost is the difference between a small and a large batch, so the batch's own start (loading,
        # warm-up, starting workers and kernels) cancels out
        small_n, large_n = (2, 4) if quick else (4, 12)
        sink = io.StringIO()

        def make(n_ag):
            d = tmp / f"sample_{n_ag}"
            simulate_assessment({a: (CANDIDATES, {"administrator": 0.5, "pengawas": 0.5}) for a in ds.agencies[:n_ag]},
                                seed=600).write(d)
            return d

        def batch(data_dir, out, **kw):
            t = time.perf_counter()
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                code = run_batch(data_dir, out, n_boot=n_boot, seed=1, formats=("html",), index=False, **kw)
            if code != 0:
                raise RuntimeError(f"batch failed with exit code {code}: {sink.getvalue()[-2000:]}")
            return time.perf_counter() - t

        small, large, warm = make(small_n), make(large_n), make(2)
        from distributed import LocalCluster

        def task_seconds(out):  # time of each report in its worker (run_task), from the batch summary
            import json

            return [r["seconds"] for r in json.loads((out / "batch_id.json").read_text())["results"]]

        # each mode first runs a warm-up batch that is not measured: both measured batches then start from the
        # same state (this process's imports and compiled kernels loaded; the Dask workers' kept notebook kernels
        # started), so that the batch start cancels out of their difference.  Without it the first batch carries
        # costs the second does not, and the difference understates the cost per agency.
        walls, tasks = {}, {}
        batch(warm, tmp / "l_warm", workers=2)
        walls["2 local workers"] = [batch(small, tmp / "l_small", workers=2), batch(large, tmp / "l_large", workers=2)]
        tasks["2 local workers"] = task_seconds(tmp / "l_large")
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            batch(warm, tmp / "d_warm", scheduler=cluster.scheduler_address)
            walls["2-worker local Dask cluster"] = [batch(small, tmp / "d_small", scheduler=cluster.scheduler_address),
                                                    batch(large, tmp / "d_large", scheduler=cluster.scheduler_address)]
            tasks["2-worker local Dask cluster"] = task_seconds(tmp / "d_large")
        sub = large
        sample = ds.agencies[:large_n]
        for label, (w_small, w_large) in walls.items():
            marginal = 2 * (w_large - w_small) / (large_n - small_n)
            rows.append({"case": f"{large_n} agencies x {CANDIDATES} candidates, {label}: agencies per minute",
                         "ours": 60.0 * large_n / w_large, "unit": "agencies/min", "target": "-"})
            rows.append({"case": f"  {label}: marginal cost per agency per worker", "ours": marginal,
                         "target": "< 3 s"})
            t = sorted(tasks[label])
            rows.append({"case": f"  {label}: one report in its worker while the other worker runs one "
                                 f"(median of {len(t)})", "ours": t[len(t) // 2], "target": "-"})
            rows.append({"case": f"  {label}: {N_AGENCIES} agencies (batch start + marginal)",
                         "ours": w_small - small_n * marginal / 2 + N_AGENCIES * marginal / 2, "target": "-"})

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
