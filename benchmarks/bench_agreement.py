"""Agreement benchmarks: psikometri.agreement against krippendorff, pingouin and scikit-learn.

Cases (full size; ``quick`` divides the sizes by 10):

* Krippendorff's alpha, 100,000 units x 3 raters, 5% missing, ratings 1-7, each level of
  measurement, against ``krippendorff.alpha`` (target >= 3x, identical values);
* Hayes & Krippendorff bootstrap, 10,000 replicates on 2,091 units x 3 raters (target < 2 s);
* ICC, all six forms with F tests and intervals, 100,000 targets x 3 raters, against
  ``pingouin.intraclass_corr`` (target >= 20x);
* quadratically weighted kappa on 1,000,000 pairs against ``sklearn.metrics.cohen_kappa_score``
  (target >= 5x).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import best_time, once


def _ratings(n_units: int, n_raters: int, missing: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.normal(4.0, 1.2, size=(n_units, 1))
    x = np.clip(np.round(truth + rng.normal(0, 0.8, size=(n_units, n_raters))), 1, 7)
    x[rng.random(x.shape) < missing] = np.nan
    return x


def cases(quick: bool = False) -> list[dict]:
    from psikometri import agreement as ag

    div = 10 if quick else 1
    rows: list[dict] = []

    # --- Krippendorff's alpha vs the krippendorff package ----------------------------------
    try:
        import krippendorff
    except ImportError:  # pragma: no cover
        krippendorff = None
    n = 100_000 // div
    x = _ratings(n, 3, 0.05, seed=1)
    df = pd.DataFrame(x)
    for lvl in ("nominal", "ordinal", "interval", "ratio"):
        ours = best_time(lambda lvl=lvl: ag.krippendorff_alpha(df, level_of_measurement=lvl), repeat=5)
        a = ag.krippendorff_alpha(df, level_of_measurement=lvl).value
        row = {"case": f"krippendorff_alpha {lvl}, {n:,} units x 3 raters, 5% missing", "ours": ours,
               "baseline": "krippendorff", "theirs": None, "target": ">= 3x, identical values"}
        if krippendorff is not None:
            theirs = best_time(lambda lvl=lvl: krippendorff.alpha(reliability_data=x.T, level_of_measurement=lvl),
                               repeat=3)
            b = krippendorff.alpha(reliability_data=x.T, level_of_measurement=lvl)
            row.update(theirs=theirs, check=f"|diff| = {abs(a - b):.1e}")
        rows.append(row)
    # the same ratings as long rows in random order: ours from the long frame, the peer after a pandas pivot
    long = (df.rename_axis("unit").reset_index().melt(id_vars="unit", var_name="rater", value_name="score")
            .dropna().sample(frac=1.0, random_state=4).reset_index(drop=True))
    kw = dict(targets="unit", raters="rater", ratings="score")
    ours = best_time(lambda: ag.krippendorff_alpha(long, level_of_measurement="interval", **kw), repeat=5)
    a = ag.krippendorff_alpha(long, level_of_measurement="interval", **kw).value
    row = {"case": f"krippendorff_alpha interval, {len(long):,} long rows in random order", "ours": ours,
           "baseline": "pivot + krippendorff", "theirs": None, "target": "-"}
    if krippendorff is not None:
        def _peer():
            w = long.pivot(index="unit", columns="rater", values="score")
            return krippendorff.alpha(reliability_data=w.to_numpy().T, level_of_measurement="interval")

        row.update(theirs=best_time(_peer, repeat=3), check=f"|diff| = {abs(a - _peer()):.1e}")
    rows.append(row)
    ours = best_time(lambda: ag.fleiss_kappa(long, **kw), repeat=5)
    rows.append({"case": f"fleiss_kappa, {len(long):,} long rows in random order", "ours": ours,
                 "baseline": "-", "theirs": None, "target": "-",
                 "check": f"|diff wide| = {abs(ag.fleiss_kappa(long, **kw).value - ag.fleiss_kappa(df).value):.1e}"})

    # --- bootstrap --------------------------------------------------------------------------
    xb = pd.DataFrame(_ratings(2_091, 3, 0.0, seed=2))
    n_boot = 10_000 // div
    ag.krippendorff_alpha(xb, level_of_measurement="interval", n_boot=10, seed=1)  # compile
    t, est = once(lambda: ag.krippendorff_alpha(xb, level_of_measurement="interval", n_boot=n_boot, seed=1))
    t = min(t, best_time(lambda: ag.krippendorff_alpha(xb, level_of_measurement="interval", n_boot=n_boot, seed=1),
                         repeat=2, warmup=0))
    rows.append({"case": f"krippendorff_alpha bootstrap, {n_boot:,} reps, 2,091 units x 3", "ours": t,
                 "baseline": None, "theirs": None, "target": "< 2 s",
                 "check": f"alpha {est.value:.3f} [{est.ci_low:.3f}, {est.ci_high:.3f}]"})

    # --- ICC vs pingouin --------------------------------------------------------------------
    n = 100_000 // div
    xi = pd.DataFrame(_ratings(n, 3, 0.0, seed=3), columns=["r1", "r2", "r3"])
    ours = best_time(lambda: ag.icc(xi), repeat=5)
    row = {"case": f"icc (6 forms, F, CIs), {n:,} targets x 3 raters", "ours": ours,
           "baseline": "pingouin.intraclass_corr", "theirs": None, "target": ">= 20x"}
    try:
        import warnings

        import pingouin as pg

        long = xi.reset_index().melt(id_vars="index", var_name="rater", value_name="score")

        def _pg():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pg.intraclass_corr(long, targets="index", raters="rater", ratings="score")

        theirs, res = once(_pg)
        diff = float(np.max(np.abs(res["ICC"].to_numpy() - ag.icc(xi)["icc"].to_numpy())))
        row.update(theirs=theirs, check=f"max |diff ICC| = {diff:.1e}")
        # the same ratings in long format, rows in random order (the shape AC data come in)
        shuffled = long.sample(frac=1.0, random_state=5).reset_index(drop=True)
        ours_long = best_time(lambda: ag.icc(shuffled, targets="index", raters="rater", ratings="score"), repeat=5)
        theirs_long, res_long = once(lambda: pg.intraclass_corr(shuffled, targets="index", raters="rater",
                                                                 ratings="score"))
        got = ag.icc(shuffled, targets="index", raters="rater", ratings="score")["icc"].to_numpy()
        rows.append({"case": f"icc long format, {len(shuffled):,} rows in random order", "ours": ours_long,
                     "baseline": "pingouin.intraclass_corr", "theirs": theirs_long, "target": ">= 15x",
                     "check": f"max |diff ICC| = {float(np.max(np.abs(res_long['ICC'].to_numpy() - got))):.1e}"})
    except ImportError:  # pragma: no cover
        pass
    rows.append(row)

    # --- weighted kappa vs scikit-learn -------------------------------------------------------
    n = 1_000_000 // div
    rng = np.random.default_rng(4)
    a = rng.integers(1, 6, n)
    b = np.clip(a + rng.integers(-1, 2, n), 1, 5)
    ours = best_time(lambda: ag.cohen_kappa(a, b, weights="quadratic"), repeat=5)
    row = {"case": f"weighted kappa (quadratic), {n:,} pairs", "ours": ours,
           "baseline": "sklearn cohen_kappa_score", "theirs": None, "target": ">= 5x"}
    try:
        from sklearn.metrics import cohen_kappa_score

        theirs = best_time(lambda: cohen_kappa_score(a, b, weights="quadratic"), repeat=3)
        diff = abs(cohen_kappa_score(a, b, weights="quadratic") - ag.cohen_kappa(a, b, weights="quadratic").value)
        row.update(theirs=theirs, check=f"|diff| = {diff:.1e}")
    except ImportError:  # pragma: no cover
        pass
    rows.append(row)
    return rows
