"""Loading one agency's subset: what every report's notebook does first.

The batch runner writes each agency's validated tables as three Parquet files (``write_agency_subset``);
the report's notebook reads them back with ``AgencyContext.load``, which validates them again with
``load_assessment`` and takes the agency with ``for_agency``.  A batch of 600 agencies pays this 600 times.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from _common import best_time

CANDIDATES = 120


def cases(quick: bool = False) -> list[dict]:
    from psikometri.io import DataWarning, load_assessment
    from psikometri.report.runner import write_agency_subset
    from psikometri.simulate import simulate_assessment

    agency = "instansi_001"
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        tmp = Path(tmp)
        sim = simulate_assessment({agency: (CANDIDATES, {"administrator": 0.5, "pengawas": 0.5})}, seed=600)
        sim.write(tmp / "data")
        sub = write_agency_subset(load_assessment(tmp / "data"), agency, tmp / "subset")
        data = load_assessment(sub)
        n = len(data.ratings)
        repeat = 5 if quick else 40
        t_load = best_time(lambda: load_assessment(sub), repeat=repeat, warmup=2)
        t_agency = best_time(lambda: load_assessment(sub).for_agency(agency), repeat=repeat, warmup=2)
    return [
        {"case": f"load_assessment of one agency's Parquet subset ({CANDIDATES} candidates, {n:,} ratings)",
         "ours": t_load, "target": "-"},
        {"case": "  and for_agency (what AgencyContext.load does)", "ours": t_agency, "target": "-"},
    ]
