r"""Fairness of assessment results across groups (keadilan; UU ASN forbids discrimination).

Score level (:mod:`psikometri.fairness._score_level`):

* :func:`adverse_impact` - selection rates by group, impact ratios and the
  four-fifths rule, two-proportion z test and Fisher's exact test.
* :func:`subgroup_differences` - standardized mean differences (Cohen's d,
  Hedges' g) with intervals.
* :func:`differential_prediction` - Cleary's moderated regression: do the
  regression lines of the criterion on the assessment differ by group?

Item level (:mod:`psikometri.fairness._dif`):

* :func:`dif` - differential item functioning between two groups matched on
  the test score: Mantel-Haenszel with the ETS A/B/C classes, or
  Swaminathan-Rogers logistic regression with Nagelkerke R-squared classes;
  iterative purification of the matching score.

Groups with fewer than 5 members are not dropped by the score-level functions:
they are flagged in a ``small_group`` column (and in ``.attrs["notes"]``)
because their statistics rest on too few people to be read on their own.
"""

from __future__ import annotations

from ._dif import dif
from ._score_level import (
    SMALL_GROUP,  # noqa: F401  (kept importable from psikometri.fairness)
    DifferentialPredictionResult,
    adverse_impact,
    differential_prediction,
    subgroup_differences,
)

__all__ = [
    "adverse_impact",
    "subgroup_differences",
    "DifferentialPredictionResult",
    "differential_prediction",
    "dif",
]
