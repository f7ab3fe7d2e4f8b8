"""The exploratory notebooks run end to end (papermill), and they are what their generator scripts write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"


@pytest.mark.parametrize("name", ["tour", "gtheory_tour"])
def test_notebook_runs(name, tmp_path):
    pm = pytest.importorskip("papermill")
    src = NB / f"{name}.ipynb"
    if not src.exists():
        pytest.fail(f"{src} is missing")
    out = tmp_path / f"{name}.ipynb"
    params = {"data_path": str(ROOT / "data_samples")}
    if name == "tour":
        params["n_boot"] = 200
    pm.execute_notebook(str(src), str(out), parameters=params, kernel_name="python3", cwd=str(NB),
                        progress_bar=False)
    import nbformat

    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("script", sorted(p.name for p in NB.glob("_make_*.py")))
def test_committed_notebook_matches_its_generator(script, tmp_path):
    target = {"_make_agency_report.py": "agency_report.ipynb", "_make_tour.py": "tour.ipynb",
              "_make_gtheory_tour.py": "gtheory_tour.ipynb"}[script]
    before = (NB / target).read_bytes()
    subprocess.run([sys.executable, str(NB / script)], check=True, capture_output=True, cwd=ROOT)
    after = (NB / target).read_bytes()
    assert before == after, f"{target} differs from what {script} writes: run the script and commit"
