"""Confirmatory factor analysis benchmarks: psikometri.cfa against semopy.

Cases (``quick`` fits semopy once instead of taking the best of three):

* lavaan's HolzingerSwineford1939, three factors x three indicators, 301 pupils (tests/fixtures/factor).
* 45 indicators: nine correlated factors x five indicators, 2,000 simulated persons (marker identification).
* The assessment-centre shape: nine competency factors x five exercise factors over the same 45 scores
  (correlated traits, correlated methods, traits and methods uncorrelated; 2,000 persons).
* ``measurement_invariance`` on HolzingerSwineford1939 across ``school``: four multigroup models (ours only).

Both packages estimate by normal-theory ML from the sample covariance matrix.  semopy (``Model.fit``, objective
"MLW", SLSQP) is not a dependency: ``pip install semopy`` to get its column; without it only our times are
reported.  ``check`` compares the chi-square and the largest loading difference: semopy's chi-square is
``N F`` as ours, its RMSEA uses ``N - 1`` (ours and lavaan's ``N``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from _common import best_time, once

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def simulated(n: int = 2_000, n_comp: int = 9, n_ex: int = 5, seed: int = 20240601) -> pd.DataFrame:
    """Competency x exercise scores: a competency (trait) factor plus an exercise (method) factor per score."""
    rng = np.random.default_rng(seed)
    phi = 0.35 + 0.65 * np.eye(n_comp)
    trait = rng.normal(size=(n, n_comp)) @ np.linalg.cholesky(phi).T
    method = rng.normal(size=(n, n_ex)) @ np.linalg.cholesky(0.2 + 0.8 * np.eye(n_ex)).T
    cols, X = [], []
    for c in range(n_comp):
        for e in range(n_ex):
            lt, lm = rng.uniform(0.5, 0.8), rng.uniform(0.3, 0.5)
            X.append(lt * trait[:, c] + lm * method[:, e] + rng.normal(0, np.sqrt(max(1 - lt**2 - lm**2, 0.2)), n))
            cols.append(f"c{c + 1}_e{e + 1}")
    return pd.DataFrame(np.column_stack(X), columns=cols)


def models(n_comp: int = 9, n_ex: int = 5) -> dict[str, str]:
    comp = "\n".join(f"C{c + 1} =~ " + " + ".join(f"c{c + 1}_e{e + 1}" for e in range(n_ex)) for c in range(n_comp))
    meth = "\n".join(f"E{e + 1} =~ " + " + ".join(f"c{c + 1}_e{e + 1}" for c in range(n_comp)) for e in range(n_ex))
    zero = "\n".join(f"C{c + 1} ~~ 0*E{e + 1}" for c in range(n_comp) for e in range(n_ex))
    return {"correlated factors": comp, "competency x exercise": f"{comp}\n{meth}\n{zero}"}


def _semopy_fit(model: str, data: pd.DataFrame):
    import semopy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = semopy.Model(model)
        m.fit(data)
        st = semopy.calc_stats(m)
    return m, float(st.loc["Value", "chi2"])


def _check(ours, sem_model, sem_chi2) -> str:
    est = sem_model.inspect()
    load = est[(est["op"] == "~") & est["rval"].isin(set(ours.loadings["factor"]))]
    mine = ours.loadings.set_index(["factor", "indicator"])["est"]
    diffs = [abs(float(r["Estimate"]) - mine[(r["rval"], r["lval"])]) for _, r in load.iterrows()]
    return (f"chisq {ours.fit['chisq']:.4f} vs semopy {sem_chi2:.4f}; max |loading diff| {max(diffs):.1e}; "
            f"{ours.iterations} iterations")


def cases(quick: bool = False) -> list[dict]:
    import psikometri as pk

    try:
        import semopy  # noqa: F401
        have_semopy = True
    except ImportError:
        have_semopy = False
    hs = pd.read_csv(ROOT / "tests" / "fixtures" / "factor" / "hs1939.csv")
    sim = simulated()
    work = [("HolzingerSwineford1939, 3 factors x 3 indicators, 301 persons", HS, hs)]
    for name, syn in models().items():
        work.append((f"45 indicators ({name}), 2,000 persons", syn, sim))
    rows = []
    for case, syn, data in work:
        res = pk.cfa(data, syn)  # first call: imports
        ours = best_time(lambda: pk.cfa(data, syn), repeat=5)
        row = {"case": f"cfa, {case}", "ours": ours, "baseline": "semopy" if have_semopy else None,
               "theirs": None, "target": "< 2 s (five 45-indicator models < 10 s)"}
        if have_semopy:
            if quick:
                theirs, (m, chi2) = once(lambda: _semopy_fit(syn, data))
            else:
                theirs = best_time(lambda: _semopy_fit(syn, data), repeat=3, warmup=0)
                m, chi2 = _semopy_fit(syn, data)
            row["theirs"] = theirs
            row["check"] = _check(res, m, chi2) + ("" if res.admissible else "; inadmissible: " + res.reason)
        else:
            row["check"] = "semopy not installed (pip install semopy)"
        rows.append(row)
    pk.measurement_invariance(hs, HS, "school")
    rows.append({"case": "measurement_invariance, HolzingerSwineford1939 by school, 4 models",
                 "ours": best_time(lambda: pk.measurement_invariance(hs, HS, "school"), repeat=5),
                 "baseline": None, "theirs": None, "target": "-"})
    return rows
