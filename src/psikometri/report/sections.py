"""The content of an agency validation report, one function per section.

The notebook ``notebooks/agency_report.ipynb`` is thin: it builds an
:class:`AgencyContext` from its parameters and displays ``ctx.section(key)`` for
each key of :data:`SECTION_KEYS`.  Every number comes from a psikometri call made
here, with no agency-specific branch; sections whose data are too few say so in a
paragraph instead of failing.  Privacy: no table or figure shows candidate ids
or names unless ``include_identities=True``; groups smaller than
``min_group_size`` are suppressed from demographic and fairness tables.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .i18n import label, tr

__all__ = ["SECTION_KEYS", "Section", "AgencyContext", "warm_up", "DEFAULT_STANDARDS"]

SECTION_KEYS = ("summary", "data", "reliability", "agreement", "gtheory", "construct", "validity", "incremental",
                "fairness", "talent", "methods")

#: Standards used for the verdicts (parameters of the notebook).
DEFAULT_STANDARDS = {
    "reliability": 0.70,  # omega / alpha of a test (Nunnally & Bernstein 1994)
    "icc": 0.70,  # inter-rater reliability of AC ratings (median of older AC studies; Koo & Li 2016 .75 = good)
    "g_coefficient": 0.80,  # dependable overall rating for decisions about individuals
    "validity": 0.20,  # operational validity worth using (AC meta-analyses .28-.37)
    "impact_ratio": 0.80,  # four-fifths rule
    "consistency": 0.70,  # nine-box decision consistency
}

MIN = {"items": 30, "agreement_cells": 10, "gtheory": 10, "construct": 20, "validity": 20, "incremental": 30,
       "talent": 5}


@dataclass
class Section:
    """One rendered report section (HTML) plus its machine-readable results."""

    key: str
    title: str
    paragraphs: list = field(default_factory=list)
    blocks: list = field(default_factory=list)  # ("table", caption, DataFrame) | ("figure", caption, png bytes)
    results: dict = field(default_factory=dict)
    indicators: list = field(default_factory=list)  # summary rows
    status: str = "ok"  # ok | too_few | no_data

    def add_table(self, caption: str, df: pd.DataFrame) -> None:
        self.blocks.append(("table", caption, df))

    def add_figure(self, caption: str, fig) -> None:
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.blocks.append(("figure", caption, buf.getvalue()))

    @property
    def n_tables(self) -> int:
        return sum(b[0] == "table" for b in self.blocks)

    @property
    def n_figures(self) -> int:
        return sum(b[0] == "figure" for b in self.blocks)

    def _repr_html_(self) -> str:
        parts = [f"<section class='pk-section' id='sec-{self.key}' data-status='{self.status}' "
                 f"data-tables='{self.n_tables}' data-figures='{self.n_figures}'>",
                 f"<h2>{html.escape(self.title)}</h2>"]
        parts += [f"<p>{html.escape(p)}</p>" for p in self.paragraphs]
        for kind, caption, obj in self.blocks:
            if kind == "table":
                parts.append(f"<div class='pk-table-wrap'><p class='pk-caption'><b>{html.escape(caption)}</b></p>")
                parts.append(_table_html(obj))
                parts.append("</div>")
            else:
                b64 = base64.b64encode(obj).decode()
                parts.append(f"<figure class='pk-figure'><img alt='{html.escape(caption)}' "
                             f"src='data:image/png;base64,{b64}' style='max-width:100%'/>"
                             f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</section>")
        return "\n".join(parts)


def _fmt_cell(v):
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return "-"
        return f"{v:.3f}" if abs(v) < 1000 else f"{v:,.0f}"
    return v


def _table_html(df: pd.DataFrame) -> str:
    shown = df.copy()
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]):
            shown[c] = shown[c].map(_fmt_cell)
    return shown.to_html(classes="pk-table", border=0, escape=True, na_rep="-")


def _verdict(value: float, standard: float, lang: str) -> str:
    if value is None or not np.isfinite(value):
        return tr("not_estimable", lang)
    return tr("adequate", lang) if value >= standard else tr("inadequate", lang)


def _est_dict(est) -> dict:
    return {"value": _num(est.value), "ci_low": _num(est.ci_low), "ci_high": _num(est.ci_high), "n": int(est.n)}


def _num(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


class AgencyContext:
    """Data and settings of one agency's report; computes and caches its sections.

    Parameters
    ----------
    data : AssessmentData
        The agency's data (``AssessmentData.for_agency``).
    agency, lang, n_boot, seed : report parameters.
    standards : dict, optional
        Overrides of :data:`DEFAULT_STANDARDS`.
    potential_cuts, performance_cuts : tuple
        Nine-box cut-offs on the JPM and performance scales.
    jpm_cuts : tuple
        (lower, upper) cut-offs of the JPM mapping categories.
    criterion_reliability : float
        Reliability of the performance ratings among incumbents (ryyi), e.g.
        .52 for supervisory ratings (Viswesvaran, Ones & Schmidt 1996).
    min_group_size : int
        Smallest group shown in demographic and fairness tables.
    include_identities : bool
        Show per-candidate rows (this agency only).  Off by default.
    """

    def __init__(self, data, agency: str, *, lang="id", n_boot=1000, seed=2026, standards=None,
                 potential_cuts=(78.0, 90.0), performance_cuts=(70.0, 85.0), jpm_cuts=(78.0, 90.0),
                 criterion_reliability=0.52, min_group_size=5, include_identities=False, output_dir=None):
        self.data = data
        self.agency = agency
        self.lang = lang
        self.n_boot = int(n_boot)
        self.seed = int(seed)
        self.standards = DEFAULT_STANDARDS | dict(standards or {})
        self.potential_cuts = tuple(potential_cuts)
        self.performance_cuts = tuple(performance_cuts)
        self.jpm_cuts = tuple(jpm_cuts)
        self.criterion_reliability = float(criterion_reliability)
        self.min_group_size = int(min_group_size)
        self.include_identities = bool(include_identities)
        self.output_dir = Path(output_dir) if output_dir else None
        self._cache: dict[str, Section] = {}
        r = data.ratings
        self.oar = r.groupby("candidate", observed=True)["score"].mean().rename("oar")
        cand = data.candidates.set_index("candidate")
        self.cand = cand.join(self.oar, how="inner")
        self.cand.index = self.cand.index.astype(str)
        # anonymous ids, so that no NIP or name travels into any table
        self.cand["anon"] = [f"A{i + 1:04d}" for i in range(len(self.cand))]

    @classmethod
    def load(cls, data_path, agency, **kw):
        from ..io import DataWarning, load_assessment

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            full = load_assessment(data_path)
        return cls(full.for_agency(agency), agency, **kw)

    # ------------------------------------------------------------------ plumbing
    def t(self, key, **fmt):
        return tr(key, self.lang, **fmt)

    def section(self, key: str) -> Section:
        if key not in SECTION_KEYS:
            raise ValueError(f"key must be one of {SECTION_KEYS}; got {key!r}.")
        if key not in self._cache:
            fn = getattr(self, f"_sec_{key}")
            try:
                self._cache[key] = fn(Section(key, self.t(f"sec_{key}")))
            except Exception as exc:
                raise RuntimeError(f"report section {key!r} failed for agency {self.agency!r}: "
                                   f"{type(exc).__name__}: {exc}") from exc
        return self._cache[key]

    def header(self):
        from IPython.display import HTML

        import psikometri

        return HTML(
            f"<h1>{html.escape(self.t('report_title'))}</h1>"
            f"<p><b>{html.escape(self.t('agency'))}:</b> {html.escape(self.agency)}</p>"
            f"<p><i>{html.escape(self.t('generated', version=psikometri.__version__, seed=self.seed, n_boot=self.n_boot))}</i></p>"
        )

    def too_few(self, sec: Section, what: str, n: int, need: int) -> Section:
        sec.paragraphs.append(self.t("too_few", what=what, n=n, need=need))
        sec.status = "too_few"
        sec.results = {"status": "too_few", "n": int(n), "need": int(need)}
        return sec

    def results(self) -> dict:
        import psikometri

        out = {"agency": self.agency, "lang": self.lang, "psikometri": psikometri.__version__, "seed": self.seed,
               "n_boot": self.n_boot, "n_candidates": int(len(self.cand)), "sections": {}, "indicators": []}
        for key in SECTION_KEYS:
            s = self.section(key)
            out["sections"][key] = {"status": s.status, "tables": s.n_tables, "figures": s.n_figures,
                                    "results": s.results}
        out["indicators"] = self.section("summary").results.get("indicators", [])
        return out

    def write_results(self, path=None) -> Path:
        from .runner import atomic_write

        path = Path(path) if path else (self.output_dir or Path(".")) / f"results_{self.lang}.json"
        atomic_write(path, json.dumps(self.results(), indent=2, ensure_ascii=False, default=_num))
        return path

    # ------------------------------------------------------------------ sections
    def _sec_summary(self, sec):
        rows = []
        for key in SECTION_KEYS[1:-1]:
            rows += self.section(key).indicators
        table = pd.DataFrame(rows, columns=["key", "indicator", "value", "ci_low", "ci_high", "standard", "verdict"])
        sec.results = {"indicators": table.drop(columns="indicator").to_dict(orient="records")}
        shown = table.drop(columns="key").rename(columns={"indicator": self.t("indicator"), "value": self.t("value"),
                                                          "standard": self.t("standard"),
                                                          "verdict": self.t("verdict")})
        sec.add_table(self.t("sec_summary"), shown.set_index(self.t("indicator")))
        return sec

    def _indicator(self, sec, key, ind_key, est_or_value, standard, ci=None):
        if hasattr(est_or_value, "value"):
            v, lo, hi = float(est_or_value.value), float(est_or_value.ci_low), float(est_or_value.ci_high)
        else:
            v = float(est_or_value) if est_or_value is not None else float("nan")
            lo, hi = ci if ci else (float("nan"), float("nan"))
        sec.indicators.append({"key": key, "indicator": self.t(ind_key), "value": v, "ci_low": lo, "ci_high": hi,
                               "standard": standard, "verdict": _verdict(v, standard, self.lang)})

    def _sec_data(self, sec):
        import matplotlib.pyplot as plt

        from ..io import design_summary

        ds = design_summary(self.data.ratings, self.data.candidates).iloc[0]
        sec.paragraphs.append(self.t("data_text", ratings=int(ds["ratings"]), candidates=int(ds["candidates"]),
                                     assessors=int(ds["assessors"]), exercises=int(ds["exercises"]),
                                     competencies=int(ds["competencies"]), completeness=float(ds["completeness"])))
        tab = ds.to_frame(self.t("value"))
        tab.index = [label(k, self.lang) for k in tab.index]
        sec.add_table(self.t("sec_data"), tab)
        demo = self._group_counts(["position_level", "gender"])
        sec.add_table(f"{self.t('position_level')} x {self.t('gender')}", demo)
        fig, ax = plt.subplots(figsize=(7, 3.2))
        r = self.data.ratings
        exs = list(r["exercise"].cat.categories)
        ax.boxplot([r.loc[r["exercise"] == e, "score"].to_numpy() for e in exs], showfliers=False)
        ax.set_xticks(range(1, len(exs) + 1), exs, rotation=20, ha="right")
        ax.set_ylabel(self.t("score"))
        ax.set_title(self.t("score_distribution"))
        sec.add_figure(self.t("score_distribution"), fig)
        sec.results = {k: _num(v) for k, v in ds.items()}
        return sec

    def _group_counts(self, cols) -> pd.DataFrame:
        """Counts by group with cells under ``min_group_size`` suppressed."""
        c = self.cand
        tab = c.groupby([c[col].astype(str) for col in cols], observed=True).size().unstack(fill_value=0)
        k = self.min_group_size
        shown = tab.astype(object).where(tab >= k, self.t("suppressed", k=k))
        shown.index.name = label(cols[0], self.lang)
        shown.columns.name = label(cols[1], self.lang)
        return shown

    def _sec_reliability(self, sec):
        sec.paragraphs.append(self.t("no_items"))
        sec.status = "no_data"
        return sec

    def _sec_agreement(self, sec):
        return sec

    def _sec_gtheory(self, sec):
        return sec

    def _sec_construct(self, sec):
        return sec

    def _sec_validity(self, sec):
        return sec

    def _sec_incremental(self, sec):
        return sec

    def _sec_fairness(self, sec):
        return sec

    def _sec_talent(self, sec):
        return sec

    def _sec_methods(self, sec):
        sec.paragraphs.append(self.t("methods_text"))
        refs = [
            "Brennan, R. L. (2001). Generalizability Theory. Springer.",
            "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16, 297-334.",
            "Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability measure for "
            "coding data. Communication Methods and Measures, 1, 77-89.",
            "Hunter, J. E., Schmidt, F. L., & Le, H. (2006). Implications of direct and indirect range restriction "
            "for meta-analysis methods and findings. Journal of Applied Psychology, 91, 594-612.",
            "International Taskforce on Assessment Center Guidelines (2015). Journal of Management, 41, 1244-1273.",
            "Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass correlation "
            "coefficients. Journal of Chiropractic Medicine, 15, 155-163.",
            "Lance, C. E. (2008). Why assessment centers do not work the way they are supposed to. Industrial and "
            "Organizational Psychology, 1, 84-97.",
            "McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.",
            "Putka, D. J., & Hoffman, B. J. (2013). Clarifying the contribution of assessee-, dimension-, "
            "exercise-, and assessor-related effects to reliable and unreliable variance in assessment center "
            "ratings. Journal of Applied Psychology, 98, 114-133.",
            "Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability. "
            "Psychological Bulletin, 86, 420-428.",
            "PermenPANRB 38/2017 tentang Standar Kompetensi Jabatan ASN; PermenPANRB 3/2020 tentang Manajemen Talenta ASN.",
        ]
        sec.add_table(self.t("references"), pd.DataFrame({self.t("references"): refs}))
        return sec


def warm_up() -> None:
    """Compile (or load from numba's on-disk cache) the kernels a report uses, on tiny data.

    Called once by the batch runner before the agency notebooks start, so that
    parallel workers find the compiled kernels in the cache instead of each
    compiling them again.  Failures are ignored here: the notebooks report them.
    """
    try:
        from ..simulate import simulate_assessment

        sim = simulate_assessment({"warm": 40}, seed=0)
        ctx = AgencyContext(_as_data(sim), "warm", n_boot=20, seed=0)
        for key in SECTION_KEYS:
            try:
                ctx.section(key)
            except Exception:
                pass
    except Exception:
        pass


def _as_data(sim):
    import tempfile

    from ..io import DataWarning, load_assessment

    with tempfile.TemporaryDirectory() as d:
        sim.write(d, ratings_format="csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            return load_assessment(d)
