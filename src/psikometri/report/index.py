"""``index.html``: every agency's key figures, verdicts and report link, plus the national picture."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .i18n import tr
from .runner import atomic_write, report_paths

__all__ = ["build_index", "collect_results"]


_IND = {"reliability": "ind_reliability", "icc": "ind_icc", "g_coefficient": "ind_g", "validity": "ind_validity",
        "impact_ratio": "ind_impact", "consistency": "ind_consistency"}


def collect_results(out, lang="id") -> list[dict]:
    """Read every ``OUT/<agency>/results.json`` (language-neutral: verdicts are codes)."""
    rows = []
    for p in sorted(Path(out).glob("*/results.json")):
        rows.append(json.loads(p.read_text()))
    return rows


def _national(results, lang) -> str:
    """Meta-analysis of the agencies' observed validity coefficients, with a forest plot."""
    per = []
    for r in results:
        v = r["sections"].get("validity", {}).get("results", {})
        if v.get("observed_r") is not None and v.get("n"):
            per.append({"agency": r["agency"], "r": v["observed_r"], "n": v["n"]})
    if len(per) < 2:
        return f"<p>{html.escape(tr('too_few', lang, what='agencies', n=len(per), need=2))}</p>"
    try:
        from ..validity import meta_analysis
    except ImportError:
        return ""
    df = pd.DataFrame(per).set_index("agency")
    ma = meta_analysis(df, r="r", n="n")
    parts = [f"<p>{html.escape(tr('national_text', lang))}</p>", _meta_table(ma)]
    ax = ma.plot() if hasattr(ma, "plot") else None
    if ax is not None:
        fig = ax.figure
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        parts.append(f"<figure class='pk-figure'><img alt='forest plot' src='data:image/png;base64,"
                     f"{base64.b64encode(buf.getvalue()).decode()}'/></figure>")
    return "\n".join(parts)


def _meta_table(ma) -> str:
    if hasattr(ma, "summary_frame"):
        return ma.summary_frame().to_html(classes="pk-table", border=0, float_format=lambda x: f"{x:.3f}")
    if hasattr(ma, "_repr_html_"):
        return ma._repr_html_()
    return f"<pre>{html.escape(str(ma))}</pre>"


def build_index(out, lang="id") -> Path:
    """Write ``OUT/index.html`` from the agencies' ``results.json`` and the batch log."""
    out = Path(out)
    results = collect_results(out, lang)
    batch = out / f"batch_{lang}.json"
    failed = []
    if batch.exists():
        failed = [r for r in json.loads(batch.read_text())["results"] if r["status"] == "failed"]
    rows = []
    failed_names = {f["agency"] for f in failed}
    results = [r for r in results if r["agency"] not in failed_names]
    for r in results:
        row = {tr("agency", lang): html.escape(r["agency"]), tr("candidates", lang): r["n_candidates"]}
        for ind in r.get("indicators", []):
            v = ind.get("value")
            row[tr(_IND.get(ind["key"], ind["key"]), lang) if ind["key"] in _IND else ind["key"]] = "-" if v is None else html.escape(f"{v:.2f} ({tr(ind['verdict'], lang)})")
        rel = Path(report_paths(out, r["agency"], lang)["html"]).relative_to(out)
        row[tr("report_link", lang)] = f"<a href='{quote(rel.as_posix())}'>{tr('report_link', lang)}</a>"
        rows.append(row)
    for f in failed:
        rows.append({tr("agency", lang): html.escape(f["agency"]), tr("report_link", lang): tr("failed", lang)})
    table = pd.DataFrame(rows).to_html(escape=False, index=False, border=0, classes="pk-table", na_rep="-")
    doc = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(tr('index_title', lang))}</title>
<style>body{{font-family:sans-serif;margin:2em}} .pk-table td,.pk-table th{{padding:4px 8px;border-bottom:1px solid #ddd}}</style>
</head><body>
<h1>{html.escape(tr('index_title', lang))}</h1>
{table}
<h2>{html.escape(tr('national', lang))}</h2>
{_national(results, lang)}
</body></html>
"""
    path = out / "index.html"
    atomic_write(path, doc)
    return path
