"""DIF benchmarks: psikometri.fairness.dif against item-by-item loops.

Target: ``dif`` on 3,000 respondents x 40 dichotomous items, Mantel-Haenszel and logistic regression
together, under 1 s with a warm JIT cache.  Data: a 2PL test with two groups (40% focal, focal mean
ability -0.3) and four items with uniform or non-uniform DIF.

Baselines (tests/naive_fairness.py, respondent-level, written from the formulas):

* logistic: ``statsmodels.Logit`` fits of the three Swaminathan-Rogers models for each item (120 fits);
* Mantel-Haenszel: a numpy loop over items and score levels.

``check`` gives the largest differences of the statistics between the two.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from _common import best_time, once

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _data(n: int, J: int, seed: int = 20261202):
    rng = np.random.default_rng(seed)
    g = (rng.random(n) < 0.4).astype(np.int64)
    theta = rng.normal(size=n) - 0.3 * g
    a = rng.uniform(0.7, 2.0, J)
    b = rng.normal(0.0, 1.0, J)
    logit = a * (theta[:, None] - b)
    logit[:, 3] -= 0.6 * g
    logit[:, 11] += 0.5 * g
    logit[:, 19] -= 0.6 * g * theta
    logit[:, 27] -= 0.4 * g + 0.3 * g * theta
    X = (rng.random((n, J)) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    items = pd.DataFrame(X, columns=[f"b{k + 1:02d}" for k in range(J)])
    return items, pd.Series(np.where(g == 1, "P", "L"), name="gender"), X, g


def cases(quick: bool = False) -> list[dict]:
    from psikometri.fairness import dif
    from tests import naive_fairness as N

    n, J = (600, 20) if quick else (3000, 40)
    items, grp, X, g = _data(n, J)
    dif(items.iloc[:200, :5], grp.iloc[:200], method="mh", min_group=10)  # compile
    dif(items.iloc[:200, :5], grp.iloc[:200], method="logistic", min_group=10)

    def both():
        return dif(items, grp, method="mh"), dif(items, grp, method="logistic")

    t_mh = best_time(lambda: dif(items, grp, method="mh"), repeat=5)
    t_lr = best_time(lambda: dif(items, grp, method="logistic"), repeat=5)
    t_both = best_time(both, repeat=5)
    t_pur = best_time(lambda: (dif(items, grp, method="mh", purify=True),
                               dif(items, grp, method="logistic", purify=True)), repeat=3)
    mh, lr = both()

    S = N.matching_scores(X, np.ones(J, dtype=bool), True)
    t_naive_mh, ref_mh = once(lambda: [N.mh_item(X[:, j], g, S[:, j]) for j in range(J)])
    t_naive_lr, ref_lr = once(lambda: [N.logistic_item(X[:, j], g, S[:, j]) for j in range(J)])
    d_mh = max(abs(mh["chi2"].iloc[j] - r["chi2"]) for j, r in enumerate(ref_mh))
    d_lr = max(abs(lr["chi2_both"].iloc[j] - (r["dev0"] - r["dev2"])) for j, r in enumerate(ref_lr))
    size = f"{n:,} x {J} items"
    return [
        {"case": f"dif method='mh', {size}", "ours": t_mh, "baseline": "numpy loop", "theirs": t_naive_mh,
         "target": "", "check": f"max |chi2 diff| = {d_mh:.1e}"},
        {"case": f"dif method='logistic', {size}", "ours": t_lr, "baseline": "statsmodels Logit x 3J",
         "theirs": t_naive_lr, "target": "", "check": f"max |LR chi2 diff| = {d_lr:.1e}"},
        {"case": f"dif mh + logistic, {size}", "ours": t_both, "baseline": "both loops",
         "theirs": t_naive_mh + t_naive_lr, "target": "< 1 s"},
        {"case": f"dif mh + logistic, purify=True, {size}", "ours": t_pur, "baseline": None, "theirs": None,
         "target": ""},
    ]
