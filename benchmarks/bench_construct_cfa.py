"""Benchmark of psikometri.construct.ac_cfa_models, the AC confirmatory model set.

* The six models (CE, CD, CDCE, CDCU, 1D-CE, general + broad dimensions + exercises) on 2,000 candidates x
  9 competencies x 5 exercises (45 indicators; tests/fixtures/construct/ac_bench.csv.gz), from the long
  ratings (90,000 rows): psikometri's time, best of three after a warm-up call, against lavaan 0.6-14's time
  for the same six ``cfa()`` calls as recorded by tests/fixtures/construct/make_reference.R on this machine
  (``seconds_model_set`` in reference_lavaan.json).  Target: < 10 s.  The check column compares the
  chi-squares with lavaan's: equal where both reach the same minimum; where lavaan's default run stops at a
  point with a larger chi-square, psikometri's smaller one is the value lavaan itself keeps when started from
  psikometri's estimates (the "restart" entries of the JSON).
* The incomplete design of the sample (600 candidates, 22 indicators), the same comparison.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from _common import best_time

import psikometri as pk

FIX = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "construct"


def _long(file: str) -> pd.DataFrame:
    w = pd.read_csv(FIX / file, index_col=0)
    long = w.stack().rename("score").reset_index()
    long.columns = ["candidate", "cell", "score"]
    long[["competency", "exercise"]] = long["cell"].str.split("__", expand=True)
    return long.drop(columns="cell")


def _check(tab: pd.DataFrame, ref: dict) -> str:
    same, both_bad, lower, worst = 0, [], [], 0.0
    for m, r in ref["models"].items():
        ours = float(tab.loc[m, "chisq"])
        theirs = float(r["fit"]["chisq"]) if r.get("fit") else float("nan")
        restart = r.get("restart", {}).get("fit", {}).get("chisq")
        if r.get("post_check") and abs(ours - theirs) <= 1e-4 * theirs:
            same += 1
            worst = max(worst, abs(ours - theirs) / theirs)
        elif restart is not None and abs(ours - float(restart)) <= 1e-4 * float(restart) and ours < theirs:
            lower.append(f"{m} {ours:.1f} < {theirs:.1f}")
        elif not r.get("post_check") and not tab.loc[m, "admissible"]:
            both_bad.append(m)
    out = f"{same} models = lavaan (max rel. diff {worst:.1e})"
    if both_bad:
        out += f"; inadmissible in both: {', '.join(both_bad)}"
    if lower:
        out += "; lower chi-square than lavaan's default run: " + ", ".join(lower)
    return out


def cases(quick: bool = False) -> list[dict]:
    ref = json.loads((FIX / "reference_lavaan.json").read_text())
    groups = ref["dimension_groups"]
    rows = []
    sets = [("incomplete", "ac_incomplete.csv")] if quick else [("bench", "ac_bench.csv.gz"),
                                                                 ("incomplete", "ac_incomplete.csv")]
    for name, file in sets:
        d = _long(file)
        r = ref["datasets"][name]
        run = lambda: pk.ac_cfa_models(d, person="candidate", dimension_groups=groups)  # noqa: E731
        t = best_time(run, repeat=1 if quick else 3)
        tab = run()
        rows.append(dict(
            case=f"AC model set (6 CFA models), {r['n_rows']} candidates x {r['n_indicators']} scores",
            ours=t, baseline="lavaan 0.6-14 (recorded)", theirs=float(r["seconds_model_set"]),
            target="< 10 s" if name == "bench" else "", check=_check(tab, r),
        ))
    return rows
