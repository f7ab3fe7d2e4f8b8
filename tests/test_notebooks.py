"""The exploratory notebooks run end to end (papermill), and they are what their generator scripts write."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
TOURS = ("tour_id", "tour_en")
#: What each generator script writes.
TARGETS = {"_make_agency_report.py": ("agency_report.ipynb",), "_make_tour.py": ("tour_id.ipynb", "tour_en.ipynb"),
           "_make_gtheory_tour.py": ("gtheory_tour.ipynb",)}


def _run(name: str, tmp_path: Path, **params):
    """Run ``notebooks/<name>.ipynb`` with papermill on the python3 kernel (as the report runner does: a fresh
    machine need not have the ``psikometri`` kernel that `make lab` registers) and return the executed notebook."""
    pm = pytest.importorskip("papermill")
    import nbformat

    src = NB / f"{name}.ipynb"
    if not src.exists():
        pytest.fail(f"{src} is missing")
    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(src), str(out), parameters={"data_path": str(ROOT / "data_samples"), **params},
                        kernel_name="python3", cwd=str(NB), progress_bar=False)
    return nbformat.read(out, as_version=4)


def _problems(nb) -> list[str]:
    """Error outputs and tracebacks on stderr."""
    found = []
    for c in nb.cells:
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            if o.output_type == "error":
                found.append(f"{o.ename}: {o.evalue}")
            elif o.output_type == "stream" and o.name == "stderr" and "Traceback" in o.text:
                found.append(o.text[-500:])
    return found


def _interpretations(nb) -> list[str]:
    """The paragraphs the interpretation cells wrote (one per cell; '' when a cell wrote none)."""
    return ["".join(o.get("data", {}).get("text/markdown", "") for o in c.outputs)
            for c in nb.cells if c.cell_type == "code" and "interpretation" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("name", [*TOURS, "gtheory_tour"])
def test_notebook_runs(name, tmp_path):
    nb = _run(name, tmp_path, **({"n_boot": 200} if name in TOURS else {}))
    assert not _problems(nb)
    if name in TOURS:
        said = _interpretations(nb)
        assert len(said) >= 20 and all(said), "an interpretation cell wrote no paragraph"
        for paragraph in said:  # the paragraphs are in the notebook's language too
            wrong = _prose_words(paragraph) & MARKERS[name]
            assert not wrong, f"{name}: {sorted(wrong)} in {paragraph[:300]!r}"


def test_tour_runs_on_a_small_reassessed_agency(tmp_path):
    """The smallest agency (two occasions, ten performance ratings): the criterion-based analyses are skipped
    with a paragraph that says why, and everything else runs."""
    nb = _run("tour_id", tmp_path, agency="pemprov_nusa_makmur_jpt", n_boot=50)
    assert not _problems(nb)
    said = _interpretations(nb)
    assert all(said)
    skipped = [p for p in said if "analisis ini dilewati" in p]
    assert len(skipped) == 5, skipped  # validity, incremental validity, differential prediction, nine-box (x2)


# Words that mark a language; italic spans (foreign terms such as *frame-of-reference*) and code spans are not
# prose of the notebook's language and are left out of the check.
MARKERS = {"tour_id": {"the", "and", "of", "with", "is", "are"},
           "tour_en": {"yang", "dan", "dengan", "untuk", "adalah", "tidak"}}


def _prose_words(text: str) -> set[str]:
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\*[^*\n]+\*", " ", text)
    return set(re.findall(r"[a-z]+", text.lower()))


@pytest.mark.parametrize("name", TOURS)
def test_tour_reads_in_one_language(name):
    """Markdown and code comments of each tour are in its own language (the reference list aside)."""
    import nbformat

    nb = nbformat.read(NB / f"{name}.ipynb", as_version=4)
    texts = [c.source for c in nb.cells if c.cell_type == "markdown" and not c.source.startswith(("## Rujukan",
                                                                                                   "## References"))]
    texts += [line.split("#", 1)[1] for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines()
              if "#" in line and not line.lstrip().startswith(("f\"", "\""))]
    for text in texts:
        wrong = _prose_words(text) & MARKERS[name]
        assert not wrong, f"{name}: {sorted(wrong)} in {text[:200]!r}"


def test_tour_standards_are_the_reports_defaults():
    """The standards the tours' interpretations use are the validation report's defaults."""
    import nbformat
    from psikometri.report.sections import DEFAULT_STANDARDS

    for name in TOURS:
        nb = nbformat.read(NB / f"{name}.ipynb", as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        p = {t.id: ast.literal_eval(n.value) for n in ast.parse(cell.source).body for t in n.targets}
        assert (p["standard_reliability"], p["standard_icc"], p["standard_g"], p["standard_validity"],
                p["standard_impact_ratio"], p["standard_kappa"], p["standard_kappa"], p["test_level"]) == (
            DEFAULT_STANDARDS["reliability"], DEFAULT_STANDARDS["icc"], DEFAULT_STANDARDS["g_coefficient"],
            DEFAULT_STANDARDS["validity"], DEFAULT_STANDARDS["impact_ratio"], DEFAULT_STANDARDS["consistency"],
            DEFAULT_STANDARDS["jpm_consistency"], DEFAULT_STANDARDS["differential_prediction"])


@pytest.mark.parametrize("name", [*TOURS, "gtheory_tour"])
def test_tours_open_on_the_psikometri_kernel(name):
    import nbformat

    nb = nbformat.read(NB / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "psikometri"
    assert nb.metadata["kernelspec"]["display_name"] == "psikometri (Python 3.11)"


@pytest.mark.parametrize("script", sorted(p.name for p in NB.glob("_make_*.py")))
def test_committed_notebook_matches_its_generator(script):
    targets = TARGETS[script]
    before = {t: (NB / t).read_bytes() for t in targets}
    subprocess.run([sys.executable, str(NB / script)], check=True, capture_output=True, cwd=ROOT)
    for t in targets:
        assert before[t] == (NB / t).read_bytes(), f"{t} differs from what {script} writes: run the script and commit"
