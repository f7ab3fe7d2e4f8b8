"""``index.html``: every agency's key figures, verdicts and report link, plus the national picture."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .i18n import column_label, format_number, tr
from .runner import atomic_write, report_paths

__all__ = ["build_index", "collect_results", "index_name"]


_IND = {"reliability": "ind_reliability", "icc": "ind_icc", "g_coefficient": "ind_g", "validity": "ind_validity",
        "impact_ratio": "ind_impact", "consistency": "ind_consistency", "differential_prediction": "ind_cleary",
        "jpm_consistency": "ind_jpm_consistency"}


def collect_results(out, lang="id", agencies=None) -> list[dict]:
    """Read ``OUT/<agency>/results.json`` of ``agencies`` (default: every one found; verdicts are codes)."""
    rows = []
    if agencies is not None:
        paths = [report_paths(out, a, lang)["results"] for a in agencies]
        paths = [p for p in paths if p.exists()]
    else:
        paths = sorted(Path(out).glob("*/results.json"))
    for p in paths:
        rows.append(json.loads(p.read_text()))
    return rows


def _national(results, lang) -> str:
    """Artifact-corrected meta-analysis of the agencies' validity coefficients, with a forest plot.

    Each agency's observed r is corrected with its own predictor reliability (the G coefficient of its
    overall rating), the criterion reliability and its range restriction (``u``), Case IV
    (:func:`psikometri.validity.meta_analysis`).  Agencies left out are listed with the reason.
    """
    per, left_out = [], []
    for r in results:
        sec = r["sections"].get("validity", {})
        v = sec.get("results", {})
        if v.get("observed_r") is None or not v.get("n"):
            left_out.append((r["agency"], tr("left_out_too_few", lang)))
        elif v.get("case") != "IV" or any(v.get(k) is None for k in ("rxxa", "ryyi", "u")):
            left_out.append((r["agency"], tr("left_out_artifacts", lang)))
        else:
            per.append({"agency": r["agency"], "r": v["observed_r"], "n": v["n"], "rxxa": v["rxxa"],
                        "ryyi": v["ryyi"], "u": v["u"]})
    parts = []
    if left_out:
        items = "; ".join(f"{html.escape(a)} ({html.escape(why)})" for a, why in left_out)
        parts.append(f"<p>{html.escape(tr('left_out', lang))}: {items}</p>")
    if len(per) < 2:
        few = tr("too_few", lang, what=tr("agencies", lang), n=len(per), need=2)
        return "\n".join(parts + [f"<p>{html.escape(few)}</p>"])
    try:
        from ..validity import meta_analysis
    except ImportError:
        return ""
    df = pd.DataFrame(per).set_index("agency")
    ma = meta_analysis(df, r="r", n="n", rxxa="rxxa", ryyi="ryyi", u="u", case="IV")
    parts = [f"<p>{html.escape(tr('national_text', lang))}</p>", _meta_table(ma, lang)] + parts
    ax = ma.plot() if hasattr(ma, "plot") else None
    if ax is not None:
        fig = ax.figure
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        from .sections import FIGURE_PNG_LEVEL, FIGURE_RC, figure_png, localise_figure

        # in the index's language; a correlation's interval ends at +-1 on the axis
        lo, hi = ax.get_xlim()
        ax.set_xlim(max(lo, -1.0), min(hi, 1.0))
        ax.set_title(tr("forest_title", lang))
        ax.set_xlabel(tr("forest_x", lang))
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        if ticks:
            ax.set_yticklabels(ticks[:-1] + [tr("forest_overall", lang)])
        handles, _ = ax.get_legend_handles_labels()
        if len(handles) == 2:
            ax.legend(handles, [tr("forest_credibility", lang), tr("forest_mean", lang)], fontsize=8)
        localise_figure(fig, lang, draw=False)  # saving draws it
        try:
            with mpl.rc_context(FIGURE_RC):  # savefig(bbox_inches="tight")'s PNG from one drawing
                png = figure_png(fig, 100, FIGURE_PNG_LEVEL)
        finally:
            plt.close(fig)
        parts.append(f"<figure class='pk-figure'><img alt='{html.escape(tr('forest_title', lang))}' "
                     "src='data:image/png;base64,"
                     f"{base64.b64encode(png).decode()}'/></figure>")
    return "\n".join(parts)


def _meta_table(ma, lang="id") -> str:
    """Bare-bones and corrected summaries side by side, headers and numbers in the index's language."""
    from .sections import _table_html

    parts = {"bare_bones": ma.bare_bones}
    if ma.corrected is not None:
        parts["corrected"] = ma.corrected.rename(columns={"mean_rho": "mean_r"})
    tab = pd.concat(parts.values(), keys=[column_label(k, lang) for k in parts]).droplevel(1)
    return _table_html(tab, lang)


def _workbook_link(out: Path, lang: str) -> str:
    """A link to the national workbook (``--format xlsx``) when it is there."""
    from .export import national_workbook_name

    name = national_workbook_name(lang)
    if not (out / name).exists():
        return ""
    return f"<p><a href='{quote(name)}'>{html.escape(tr('national_workbook', lang))}</a></p>"


def index_name(lang: str) -> str:
    """``index.html`` for Bahasa Indonesia, ``index_<lang>.html`` for another language."""
    return "index.html" if lang == "id" else f"index_{lang}.html"


def build_index(out, lang="id", agencies=None) -> Path:
    """Write the index of ``lang`` (:func:`index_name`) from the agencies' ``results.json`` and the batch log.

    ``agencies``: the agencies of the current data set (default: every report folder under ``out``).
    """
    out = Path(out)
    results = collect_results(out, lang, agencies)
    batch = out / f"batch_{lang}.json"
    failed = []
    if batch.exists():
        failed = [r for r in json.loads(batch.read_text())["results"] if r["status"] == "failed"]
    rows = []
    failed_names = {f["agency"] for f in failed}
    results = [r for r in results if r["agency"] not in failed_names]
    for r in results:
        row = {tr("agency", lang): html.escape(r.get("display_name") or r["agency"]),
               tr("candidates", lang): format_number(int(r["n_candidates"]), ",", lang)}
        for ind in r.get("indicators", []):
            v = ind.get("value")
            head = tr(_IND[ind["key"]], lang) if ind["key"] in _IND else column_label(ind["key"], lang)
            row[head] = "-" if v is None else html.escape(f"{format_number(v, '.2f', lang)} ({tr(ind['verdict'], lang)})")
        rel = Path(report_paths(out, r["agency"], lang)["html"]).relative_to(out)
        row[tr("report_link", lang)] = f"<a href='{quote(rel.as_posix())}'>{tr('report_link', lang)}</a>"
        rows.append(row)
    for f in failed:
        # invalid rows: each problem with its file, row and column (candidate ids are hidden); any other failure
        # is described in the agency's log
        probs = f.get("problems") or []
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in probs)
        cell = (f"<details><summary>{html.escape(tr('failed', lang))}</summary><ul>{items}</ul></details>"
                if probs else html.escape(tr("failed", lang)))
        rows.append({tr("agency", lang): html.escape(f["agency"]), tr("report_link", lang): cell})
    table = pd.DataFrame(rows).to_html(escape=False, index=False, border=0, classes="pk-table", na_rep="-")
    doc = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(tr('index_title', lang))}</title>
<style>body{{font-family:sans-serif;margin:2em}} .pk-table td,.pk-table th{{padding:4px 8px;border-bottom:1px solid #ddd}}</style>
</head><body>
<h1>{html.escape(tr('index_title', lang))}</h1>
{table}
{_workbook_link(out, lang)}
<h2>{html.escape(tr('national', lang))}</h2>
{_national(results, lang)}
</body></html>
"""
    path = out / index_name(lang)
    atomic_write(path, doc)
    return path
