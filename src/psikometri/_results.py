"""Shared result types.

:class:`Estimate` is the return type of every function that produces a single
coefficient (an alpha, a kappa, a corrected validity...).  It is a frozen
dataclass so that results can be stored, compared and serialised safely, and it
renders as a one-line text in a terminal and as a small table in Jupyter.
"""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Estimate"]


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "-"
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(xf):
        return "NaN"
    return f"{xf:.{digits}f}"


@dataclass(frozen=True)
class Estimate:
    """A single coefficient with its uncertainty.

    Parameters
    ----------
    value : float
        The point estimate.  ``NaN`` when it cannot be computed; ``note`` then
        says why.
    ci_low, ci_high : float
        Bounds of the confidence interval at ``level`` (``NaN`` when no interval
        was requested or it cannot be computed).
    se : float
        Standard error (``NaN`` when not available).
    n : int
        Number of observations (respondents, subjects, units, pairs...) the
        estimate rests on.
    method : str
        What was estimated, e.g. ``"cronbach_alpha"``.
    ci_method : str or None
        How the interval was obtained, e.g. ``"feldt"``, ``"bca"``.
    level : float
        Confidence level of the interval, e.g. ``0.95``.
    note : str
        Free text: warnings or the reason a value is ``NaN``.
    extra : dict
        Further named quantities specific to the method (e.g. per-category
        kappas).  Not used in equality or hashing.

    Examples
    --------
    >>> from psikometri import Estimate
    >>> est = Estimate(0.81, 0.77, 0.85, se=0.02, n=120, method="cronbach_alpha",
    ...                ci_method="feldt", level=0.95)
    >>> float(est)
    0.81
    >>> est
    Estimate(cronbach_alpha = 0.810, 95% CI [0.770, 0.850] (feldt), se = 0.020, n = 120)
    """

    value: float
    ci_low: float = math.nan
    ci_high: float = math.nan
    se: float = math.nan
    n: int = 0
    method: str = ""
    ci_method: str | None = None
    level: float = 0.95
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __float__(self) -> float:
        return float(self.value)

    def __format__(self, spec: str) -> str:
        if spec:
            return format(float(self.value), spec)
        return repr(self)

    @property
    def ci(self) -> tuple[float, float]:
        """The interval as a ``(low, high)`` tuple."""
        return (self.ci_low, self.ci_high)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary (JSON-serialisable, NaN kept as float)."""
        d = asdict(self)
        d["extra"] = {k: v for k, v in self.extra.items() if _jsonable(v)}
        return d

    def summary(self) -> str:
        """Multi-line human-readable summary."""
        lines = [f"{self.method or 'estimate'}", "-" * max(len(self.method), 8)]
        lines.append(f"value    : {_fmt(self.value, 4)}")
        if not (math.isnan(self.ci_low) and math.isnan(self.ci_high)):
            lines.append(
                f"{int(round(self.level * 100))}% CI   : [{_fmt(self.ci_low, 4)}, {_fmt(self.ci_high, 4)}]"
                f" ({self.ci_method})"
            )
        if not math.isnan(self.se):
            lines.append(f"se       : {_fmt(self.se, 4)}")
        lines.append(f"n        : {self.n}")
        if self.note:
            lines.append(f"note     : {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        parts = [f"{self.method or 'estimate'} = {_fmt(self.value)}"]
        if not (math.isnan(self.ci_low) and math.isnan(self.ci_high)):
            parts[0] += (
                f", {int(round(self.level * 100))}% CI [{_fmt(self.ci_low)}, {_fmt(self.ci_high)}]"
                f" ({self.ci_method})"
            )
        if not math.isnan(self.se):
            parts.append(f"se = {_fmt(self.se)}")
        parts.append(f"n = {self.n}")
        if self.note:
            parts.append(f"note: {self.note}")
        return "Estimate(" + ", ".join(parts) + ")"

    def _repr_html_(self) -> str:
        rows = [("value", _fmt(self.value, 4))]
        if not (math.isnan(self.ci_low) and math.isnan(self.ci_high)):
            rows.append(
                (
                    f"{int(round(self.level * 100))}% CI ({self.ci_method})",
                    f"[{_fmt(self.ci_low, 4)}, {_fmt(self.ci_high, 4)}]",
                )
            )
        if not math.isnan(self.se):
            rows.append(("se", _fmt(self.se, 4)))
        rows.append(("n", str(self.n)))
        if self.note:
            rows.append(("note", self.note))
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        return (
            f"<table class='psikometri-estimate'><caption style='text-align:left'><b>"
            f"{html.escape(self.method or 'estimate')}</b></caption>{body}</table>"
        )


def _jsonable(v: Any) -> bool:
    return isinstance(v, (int, float, str, bool, type(None), list, tuple, dict))
