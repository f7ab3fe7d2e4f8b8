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
import functools
import html
import io
import json
import math
import numbers
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .i18n import column_label, effect_label, format_number, label, named, tr, use_names

__all__ = ["SECTION_KEYS", "Section", "AgencyContext", "warm_up", "DEFAULT_STANDARDS"]

SECTION_KEYS = ("summary", "data", "reliability", "agreement", "gtheory", "construct", "validity", "incremental",
                "fairness", "talent", "reassessment", "methods")

#: Standards used for the verdicts (parameters of the notebook; an agency sets its own in the configuration file,
#: :mod:`psikometri.report.config`, where each default's source is given and shown in the report).
DEFAULT_STANDARDS = {
    "reliability": 0.70,  # omega / alpha of a test (Nunnally & Bernstein 1994)
    "icc": 0.70,  # inter-rater reliability of AC ratings (median of older AC studies; Koo & Li 2016 .75 = good)
    "g_coefficient": 0.80,  # dependable overall rating for decisions about individuals
    "validity": 0.20,  # operational validity worth using (AC meta-analyses .28-.37)
    "impact_ratio": 0.80,  # four-fifths rule
    "differential_prediction": 0.05,  # level of the Cleary omnibus test (slopes and intercepts equal)
    "consistency": 0.60,  # nine-box decision consistency: kappa between parallel assessments (Landis & Koch
    # 1977: > .60 substantial); raw agreement is inflated by chance when most candidates share a box
    "jpm_consistency": 0.60,  # JPM category decision consistency (kappa), the same reading
}

MIN = {"items": 30, "agreement_cells": 10, "gtheory": 10, "construct": 20, "validity": 20, "incremental": 30,
       "talent": 5, "reassessment": 10, "invariance": 50, "dif": 30}


@dataclass(repr=False)
class Section:
    """One rendered report section (HTML) plus its machine-readable results."""

    key: str
    title: str
    paragraphs: list = field(default_factory=list)
    blocks: list = field(default_factory=list)  # ("table", caption, DataFrame) | ("figure", caption, png bytes)
    results: dict = field(default_factory=dict)
    indicators: list = field(default_factory=list)  # summary rows
    status: str = "ok"  # ok | too_few | no_data
    lang: str = "id"
    figure_texts: list = field(default_factory=list)  # every visible text of each figure, as drawn
    names: dict = field(default_factory=dict)  # the agency's display names of data ids (i18n.use_names)

    def add_table(self, caption: str, df: pd.DataFrame) -> None:
        self.blocks.append(("table", caption, df))

    def add_figure(self, caption: str, fig) -> None:
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        try:
            # localised without a draw of its own: saving draws the figure (tick labels through the localising
            # formatters), and the texts are read as that drawing left them
            localise_figure(fig, self.lang, draw=False)
            texts = []
            with mpl.rc_context(FIGURE_RC):
                data = figure_png(fig, FIGURE_DPI, FIGURE_PNG_LEVEL)
                if _localise_texts(fig, self.lang, texts):  # a text made while drawing, not by a formatter:
                    data = figure_png(fig, FIGURE_DPI, FIGURE_PNG_LEVEL)  # saved again, and its texts found again
                    texts = None
            self.figure_texts.append(drawn_texts(fig, texts))
        finally:  # a figure that fails to draw is not left open in pyplot either
            plt.close(fig)
        self.blocks.append(("figure", caption, data))

    @property
    def n_tables(self) -> int:
        return sum(b[0] == "table" for b in self.blocks)

    @property
    def n_figures(self) -> int:
        return sum(b[0] == "figure" for b in self.blocks)

    def _repr_html_(self) -> str:
        with use_names(self.names):
            return self._html()

    def __repr__(self) -> str:
        # short: a notebook stores it beside the HTML as the section's text/plain output (the generated repr
        # of every table and figure's PNG bytes came to about 1 MB per report)
        return (f"Section(key={self.key!r}, title={self.title!r}, status={self.status!r}, "
                f"tables={self.n_tables}, figures={self.n_figures})")

    def _html(self) -> str:
        if self.status == "absent":  # a section that does not apply to this agency (e.g. one occasion only)
            return ""
        parts = [f"<section class='pk-section' id='sec-{self.key}' data-status='{self.status}' "
                 f"data-tables='{self.n_tables}' data-figures='{self.n_figures}'>",
                 f"<h2>{html.escape(self.title)}</h2>"]
        parts += [f"<p>{html.escape(p)}</p>" for p in self.paragraphs]
        for kind, caption, obj in self.blocks:
            if kind == "table":
                parts.append(f"<div class='pk-table-wrap'><p class='pk-caption'><b>{html.escape(caption)}</b></p>")
                parts.append(_table_html(obj, self.lang))
                parts.append("</div>")
            else:
                b64 = base64.b64encode(obj).decode()
                parts.append(f"<figure class='pk-figure'><img alt='{html.escape(caption)}' "
                             f"src='data:image/png;base64,{b64}' style='max-width:100%'/>"
                             f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</section>")
        return "\n".join(parts)


#: Resolution of the report's figures (pixels per inch of the PNG).
FIGURE_DPI = 110
#: zlib level of the report's PNGs: level 1 writes a report figure in about half the time of the default 6,
#: and the files come out about as small (flat colours, anti-aliased text: 92 kB at both levels for the
#: MTMM heat map); the pixels are the same whatever the level
FIGURE_PNG_LEVEL = 1
#: matplotlib settings under which the report's figures are measured and drawn: glyphs without hinting (no
#: grid fitting of outlines, as browsers and PDF viewers draw text at any zoom), which shapes and renders a
#: figure's texts in about 15% less time than FreeType's default hinting (0.6 s instead of 0.7 s for the eight
#: figures of a 120-candidate report)
FIGURE_RC = {"text.hinting": "no_hinting"}


def _savefig_png(fig, dpi: float, compress_level: int = 6) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": compress_level})
    return buf.getvalue()


@functools.lru_cache(maxsize=None)
def _one_renderer_canvas():
    """The class of an Agg canvas that keeps one renderer object whatever the figure's size.

    Matplotlib caches the measured size of a text per renderer object; the canvas of a saved figure changes size
    when it is cropped to its tight box, and a new renderer would measure every text again (shaping a label
    costs about a millisecond).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    class OneRendererCanvas(FigureCanvasAgg):
        _kept = None

        def get_renderer(self):
            w, h = self.get_width_height(physical=True)
            dpi = self.figure.dpi
            r = self._kept
            if r is None:
                r = self._kept = RendererAgg(w, h, dpi)
            elif (r.width, r.height, r.dpi) != (w, h, dpi):
                r.__init__(w, h, dpi)  # a blank canvas of the new size; the same object, so its text cache stays
            self.renderer = r
            return r

    return OneRendererCanvas


@functools.lru_cache(maxsize=None)
def _adjust_bbox():
    """``savefig``'s helper that moves and crops a figure to a box, called as this matplotlib calls it, or
    ``None`` when this matplotlib has none (then figures are saved by ``savefig``)."""
    import inspect

    try:
        from matplotlib._tight_bbox import adjust_bbox
        params = inspect.signature(adjust_bbox).parameters
    except (ImportError, TypeError, ValueError):
        return None
    if "renderer" in params:  # newer versions apply the axes locators with the renderer
        return adjust_bbox
    return lambda fig, box, renderer, fixed_dpi: adjust_bbox(fig, box, fixed_dpi)


def figure_png(fig, dpi: float = FIGURE_DPI, compress_level: int = 6) -> bytes:
    """The PNG of ``fig`` cropped to its tight box, drawn once.

    The bytes are those of ``fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight",
    pil_kwargs={"compress_level": compress_level})``, which draws the
    figure twice: once (without painting) to find the box that holds every artist, once more on a canvas of
    that box.  Here the box is measured before the only drawing (``Figure.get_tightbbox`` lays out the ticks,
    labels, titles, colour bars and legends as a drawing does), padded by ``savefig.pad_inches``, and the
    figure is drawn once on the canvas of that box, moved as ``savefig`` moves it
    (``matplotlib._tight_bbox.adjust_bbox``): the same canvas size (the box in pixels, truncated), the same
    sub-pixel placement of every artist, the same facecolor, PNG metadata and dpi.  The drawing measures each
    text with the renderer that measured it for the box (matplotlib caches text sizes per renderer object;
    ``savefig`` measures every text again on its second canvas).

    Figures that lay themselves out while drawing, for which the box measured before would not be the box
    ``savefig`` finds after its first drawing, are saved by ``savefig``: a layout engine, subfigures, child
    (inset or secondary) axes, a legend spread over its axes (``mode="expand"``), or a figure changed by a
    ``draw_event`` handler (stale after its drawing); so are figures under non-default ``savefig.*`` colours or
    transparency.  The report's figures are compared with ``savefig``'s, byte for byte, in the tests.

    Parameters
    ----------
    fig : matplotlib Figure
        Left as it was (canvas, dpi, size, axes positions).
    dpi : float
        Pixels per inch of the PNG.
    compress_level : int, default 6
        zlib level of the PNG (0-9; 6 is Pillow's and so ``savefig``'s default).  The pixels do not depend on it.

    Returns
    -------
    bytes
        The PNG file.
    """
    import matplotlib as mpl
    import matplotlib.image as mimage

    rc = mpl.rcParams
    adjust_bbox = _adjust_bbox()
    if (adjust_bbox is None or fig.get_layout_engine() is not None or fig.subfigs
            or any(ax.child_axes for ax in fig.axes)
            or any(getattr(leg, "_mode", None) == "expand"
                   for leg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)] if leg is not None)
            or rc["savefig.transparent"]
            or any(str(rc[f"savefig.{p}"]).lower() != "auto" for p in ("facecolor", "edgecolor"))):
        return _savefig_png(fig, dpi, compress_level)

    old_canvas, old_dpi, original_dpi = fig.canvas, fig.dpi, getattr(fig, "_original_dpi", None)
    canvas = _one_renderer_canvas()(fig)  # becomes fig.canvas until restored below
    done = None
    try:
        fig.dpi = dpi
        canvas._is_saving = True  # as savefig (artists may ask canvas.is_saving())
        renderer = canvas.get_renderer()
        box = fig.get_tightbbox(renderer).padded(rc["savefig.pad_inches"])
        restore = adjust_bbox(fig, box, renderer, canvas.fixed_dpi)
        try:
            canvas.draw()
            if not fig.stale:  # else changed after its drawing (a draw_event handler): savefig's box differs
                buf = io.BytesIO()
                mimage.imsave(buf, canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi,
                              pil_kwargs={"compress_level": compress_level})
                done = buf.getvalue()
        finally:
            restore()
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
        if original_dpi is not None:
            fig._original_dpi = original_dpi
    return done if done is not None else _savefig_png(fig, dpi, compress_level)


_DECIMAL = re.compile(r"(?<![\w.,])(-?\d+)\.(\d+)(?![\w.])")
_IDENT = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _local_text(text: str, lang: str) -> str:
    """Figure text in the report's language: data ids as words, and (Indonesian) decimal commas."""
    from .i18n import COLUMNS

    own = named(text, lang)  # a name the agency gave to an id of its data
    if own is not None:
        return own
    if text in COLUMNS:  # a whole label with a translation (a position level, a facet...)
        return COLUMNS[text][lang]
    if " | " in text:  # a pair such as "competency | exercise": each part on its own ("integritas" too)
        return " | ".join(_local_text(part, lang) for part in text.split(" | "))
    text = _IDENT.sub(lambda m: column_label(m.group(0), lang), text)
    if lang == "id":
        text = _DECIMAL.sub(lambda m: f"{m.group(1)},{m.group(2)}", text)
    return text


def escape_mathtext(text: str) -> str:
    """``text`` drawn literally by matplotlib: every ``$`` escaped, so that data names never start mathtext."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def _unescape_mathtext(text: str) -> str:
    return text.replace("\\$", "$")


@functools.lru_cache(maxsize=None)
def _given_locs_formatter():
    """The class of a ``FuncFormatter`` that keeps the tick locations a drawing hands to ``set_locs`` (in ``given``)."""
    from matplotlib.ticker import FuncFormatter

    class GivenLocs(FuncFormatter):
        given = ()

        def set_locs(self, locs):
            super().set_locs(locs)
            self.given = locs

    return GivenLocs


def localise_figure(fig, lang: str, *, draw: bool = True) -> list[str] | None:
    """Put a figure into the report's language before it is saved; return its visible texts.

    Numeric axes get tick labels in the language's number format (Indonesian decimal commas, integer ticks
    without decimals); categorical tick labels, titles, axis labels, legends and annotations show data ids as
    words and Indonesian decimals.  Every figure of a report goes through here, whatever plotting function
    drew it, so a test can check all of them.

    With ``draw=False`` the figure is not drawn here and ``None`` is returned: the texts that exist are
    localised now, the tick labels by their formatters when the figure is drawn (e.g. by ``savefig``); read
    the texts as drawn with :func:`drawn_texts` afterwards.  A drawing of a figure with many labels costs a
    good part of a second, and saving it draws it anyway.
    """
    import matplotlib.text as mtext
    from matplotlib.ticker import FixedFormatter, FuncFormatter, ScalarFormatter, StrMethodFormatter

    _GivenLocs = _given_locs_formatter()

    def numeric_formatter(axis):
        decimals = {}  # tick locations -> decimals (the same for every label of one drawing)

        def fmt(v, pos=None):
            # as few decimals as the ticks need to be exact (0,25 steps keep two, whole numbers none); a drawing
            # labels its ticks through format_ticks(the axis's tick locations), which hands them to set_locs
            # first: they are read there instead of running the locator again for every label
            given = formatter.given
            locs = np.asarray(given if pos is not None and len(given) else axis.get_majorticklocs(), dtype=float)
            locs = locs[np.isfinite(locs)]
            key = locs.tobytes()
            dec = decimals.get(key)
            if dec is None:
                scale = max(1.0, float(np.max(np.abs(locs)))) if locs.size else 1.0
                dec = next((d for d in range(7) if np.allclose(locs * 10**d, np.round(locs * 10**d),
                                                              rtol=0, atol=1e-6 * scale * 10**d)), 6)
                decimals[key] = dec
            return format_number(round(v, dec) + 0.0, f",.{dec}f", lang)

        formatter = _GivenLocs(fmt)
        return formatter

    def wrapped(orig):
        # categorical labels are data (exercise, competency, agency names): drawn as written, never as mathtext
        literal = isinstance(orig, (FixedFormatter, StrMethodFormatter, FuncFormatter)) or \
            type(orig).__name__ == "StrCategoryFormatter"
        if literal:
            return FuncFormatter(lambda v, pos=None: escape_mathtext(_local_text(str(orig(v, pos)), lang)))
        return FuncFormatter(lambda v, pos=None: _local_text(str(orig(v, pos)), lang))

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            f = axis.get_major_formatter()
            if isinstance(f, ScalarFormatter):
                axis.set_major_formatter(numeric_formatter(axis))
            elif not getattr(f, "_pk_local", False):  # any other formatter, once
                w = wrapped(f)
                w._pk_local = True
                axis.set_major_formatter(w)
    # titles, axis labels, legends and annotations hold data names: a "$" in one must not start mathtext
    # (an unbalanced "$" makes the figure fail to draw, a pair renders the name as a formula); escaped first,
    # then localised, in one walk over the figure's texts (a walk asks every axis's locator for its ticks)
    for t in fig.findobj(mtext.Text):
        txt = t.get_text()
        new = escape_mathtext(txt) if "$" in txt else txt
        if new:
            new = _local_text(new, lang)
        if new != txt:
            t.set_text(new)
    if not draw:
        return None
    fig.canvas.draw()  # makes the tick labels (through the formatters above)
    if _localise_texts(fig, lang):  # a text made while drawing, not by a formatter
        fig.canvas.draw()
    return drawn_texts(fig)


def _localise_texts(fig, lang: str, texts: list | None = None) -> bool:
    """Every text of ``fig`` in the report's language (:func:`_local_text`); whether any changed.

    ``texts``, a list, receives the figure's ``Text`` artists as found (in drawing order).
    """
    import matplotlib.text as mtext

    changed = False
    found = fig.findobj(mtext.Text)
    for t in found:
        txt = t.get_text()
        if txt:
            new = _local_text(txt, lang)
            if new != txt:
                t.set_text(new)
                changed = True
    if texts is not None:
        texts.extend(found)
    return changed


def drawn_texts(fig, texts: list | None = None) -> list[str]:
    """The visible texts of ``fig`` as last drawn (``$`` unescaped), in drawing order of the artists.

    ``texts``: the figure's ``Text`` artists when already found since the last drawing (``fig.findobj``).
    """
    import matplotlib.text as mtext

    found = fig.findobj(mtext.Text) if texts is None else texts
    return [_unescape_mathtext(t.get_text()) for t in found if t.get_text() and t.get_visible()]


def _fmt_cell(v, lang: str = "id"):
    """A table cell for display: numbers in the report language's format, booleans as yes/no, ids as words."""
    if isinstance(v, (bool, np.bool_)):
        return column_label(str(bool(v)), lang)
    if isinstance(v, (int, np.integer)):
        return format_number(int(v), ",", lang)
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return "-"
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        if abs(v) >= 1e6:  # e.g. the upper end of a Satterthwaite interval on very few degrees of freedom
            return format_number(v, ".2e", lang)
        if float(v).is_integer() and abs(v) >= 1:  # df1 = 1, not "1,000" (a thousand to an Indonesian reader)
            return format_number(int(v), ",", lang)
        return format_number(v, ".3f", lang) if abs(v) < 1000 else format_number(v, ",.0f", lang)
    if isinstance(v, str):
        return column_label(v, lang)
    return v


#: columns holding p values: shown as "< 0,001" below 0.001 instead of a misleading 0,000
P_COLUMNS = {"p", "pval", "p_z", "p_fisher", "p_value", "p_delta", "p_adjusted"}


#: Columns of proportions and fit indices: always three decimals (a CFI of 1 is shown as 1,000, not 1).
UNIT_COLUMNS = {"cfi", "tli", "rmsea", "srmr", "delta_cfi", "delta_rmsea", "delta_srmr", "dimension_share",
                "general_share", "exercise_share"}


def _fmt_p(v, lang):
    if isinstance(v, (float, np.floating)) and 0.0 <= v < 0.001:
        return "< " + format_number(0.001, ".3f", lang)
    if isinstance(v, (float, np.floating)) and np.isfinite(v):
        return format_number(float(v), ".3f", lang)
    return _fmt_cell(v, lang)


def _fmt_unit(v, lang):
    if isinstance(v, (float, np.floating)) and np.isfinite(v):
        return format_number(float(v), ".3f", lang)
    return _fmt_cell(v, lang)


def _html_text(v: str) -> str:
    """``v`` escaped as ``DataFrame.to_html(escape=True)`` escapes a cell: ``&``, ``<`` and ``>`` only."""
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_table_html(df: pd.DataFrame, lang: str) -> str | None:
    """:func:`_table_html` of a table with one level of columns and of rows, written directly; ``None`` otherwise.

    The string is the one ``DataFrame.to_html(classes="pk-table", border=0, escape=True, na_rep="-")`` writes
    of the formatted table (tested on every table of the sample reports and on edge cases), without building a
    formatted copy of the frame and pandas' formatter around it (a report has some 30 tables: about 0.1 s).
    Tables with a MultiIndex, no columns, or a label or cell that is not text after formatting are left to
    pandas.
    """
    if (isinstance(df.columns, pd.MultiIndex) or isinstance(df.index, pd.MultiIndex) or df.shape[1] == 0
            or df.columns.has_duplicates):
        return None
    if any(n is not None and not isinstance(n, str) for n in (df.columns.name, df.index.name)):
        return None
    heads = [column_label(c, lang) for c in df.columns]
    heads = [str(h) if isinstance(h, (int, np.integer)) and not isinstance(h, (bool, np.bool_)) else h
             for h in heads]
    if isinstance(df.index, pd.RangeIndex):  # shown as pandas shows it: numbers, and the name untranslated
        rows = [str(i) for i in df.index]
        iname = df.index.name
    else:
        rows = [_fmt_cell(i, lang) for i in df.index]
        iname = column_label(df.index.name, lang) if df.index.name else None
    if not all(isinstance(h, str) for h in heads) or not all(isinstance(r, str) for r in rows):
        return None
    cols = []
    bare = pd.DataFrame(df, copy=False)  # without the table's attrs, which pandas deep-copies into every column
    for j, c in enumerate(df.columns):
        fmt = _fmt_p if c in P_COLUMNS else _fmt_unit if c in UNIT_COLUMNS else _fmt_cell
        out = []
        for v in bare.iloc[:, j].to_numpy(dtype=object):
            f = fmt(v, lang)
            if not isinstance(f, str):
                if f is None or (np.ndim(f) == 0 and pd.isna(f)):
                    f = "-"
                else:  # e.g. a tuple: pandas' own formatting
                    return None
            out.append(_html_text(f))
        cols.append(out)
    cname = column_label(df.columns.name, lang) if df.columns.name else ""
    if not isinstance(cname, str) or not isinstance(iname, (str, type(None))):
        return None
    lines = ['<table class="dataframe pk-table">', "  <thead>", '    <tr style="text-align: right;">',
             f"      <th>{_html_text(cname)}</th>"]
    lines += [f"      <th>{_html_text(h)}</th>" for h in heads]
    lines.append("    </tr>")
    if iname is not None:
        lines += ["    <tr>", f"      <th>{_html_text(iname)}</th>"] + ["      <th></th>"] * len(heads) + ["    </tr>"]
    lines += ["  </thead>", "  <tbody>"]
    for i, r in enumerate(rows):
        lines += ["    <tr>", f"      <th>{_html_text(r)}</th>"]
        lines += [f"      <td>{col[i]}</td>" for col in cols]
        lines.append("    </tr>")
    lines += ["  </tbody>", "</table>"]
    return "\n".join(lines)


def _table_html(df: pd.DataFrame, lang: str = "id") -> str:
    plain = _plain_table_html(df, lang)
    if plain is not None:
        return plain
    return _pandas_table_html(df, lang)


def _pandas_table_html(df: pd.DataFrame, lang: str = "id") -> str:
    # a new frame without the table's attrs (pandas deep-copies attrs, e.g. bootstrap replicates, on every
    # column operation); assigning its columns below leaves ``df`` unchanged
    shown = pd.DataFrame(df, copy=False)
    for c in shown.columns:
        fmt = _fmt_p if c in P_COLUMNS else _fmt_unit if c in UNIT_COLUMNS else _fmt_cell
        shown[c] = shown[c].astype(object).map(lambda v, fmt=fmt: fmt(v, lang))
    shown = shown.rename(columns=lambda c: column_label(c, lang))
    if isinstance(shown.index, pd.MultiIndex):
        shown.index = shown.index.set_levels([lv.map(lambda i: _fmt_cell(i, lang)) for lv in shown.index.levels])
        shown.index.names = [column_label(n, lang) if n else n for n in df.index.names]
    elif not isinstance(shown.index, pd.RangeIndex):
        shown.index = pd.Index([_fmt_cell(i, lang) for i in shown.index],
                               name=column_label(df.index.name, lang) if df.index.name else None)
    if shown.columns.name:
        shown.columns.name = column_label(shown.columns.name, lang)
    return shown.to_html(classes="pk-table", border=0, escape=True, na_rep="-")


def suppression_mask(tab: pd.DataFrame, k: int) -> np.ndarray:
    """Cells of a count table to hide: counts 1..k-1 (primary), plus complementary cells.

    Row and column totals are taken as known.  A line with exactly one hidden cell would give its value away,
    and hidden cells summing to less than ``k`` would bound each of them to a small count, so the smallest other
    non-zero cell of such a line is hidden too, until every line with hidden cells has at least two of them
    summing to ``k`` or more (or nothing else to hide).  Zeros are shown (they disclose no one).
    """
    x = tab.to_numpy(dtype=float)
    hide = (x > 0) & (x < k)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = hide.T if axis == 0 else hide
            vals = x.T if axis == 0 else x
            for i in range(lines.shape[0]):
                others = (vals[i] > 0) & ~lines[i]
                n_hidden = lines[i].sum()
                weak = n_hidden == 1 or (n_hidden > 1 and vals[i][lines[i]].sum() < k)
                if weak and others.any():
                    j = np.flatnonzero(others)[np.argmin(vals[i][others])]
                    lines[i, j] = True
                    changed = True
    return hide


def verdict(value: float, standard: float, ci_low: float = float("nan"), ci_high: float = float("nan")) -> str:
    """Verdict code of an estimate against ``standard``, from its value and interval.

    ``adequate`` (the whole interval at or above the standard),
    ``adequate_uncertain`` (the value meets it, the interval reaches below),
    ``inadequate_uncertain`` (the value falls short, the interval reaches the
    standard), ``inadequate`` (the whole interval below it) or
    ``not_estimable``.  Without an interval a verdict is never certain.
    Translated with :func:`~psikometri.report.i18n.tr` for display.

    Examples
    --------
    >>> from psikometri.report import tr, verdict
    >>> verdict(0.82, 0.70, 0.74, 0.88), tr(verdict(0.72, 0.70, 0.61, 0.80), "id")
    ('adequate', 'memadai, belum pasti')
    """
    if value is None or not np.isfinite(value):
        return "not_estimable"
    if value >= standard:
        return "adequate" if np.isfinite(ci_low) and ci_low >= standard else "adequate_uncertain"
    return "inadequate" if np.isfinite(ci_high) and ci_high < standard else "inadequate_uncertain"


_verdict = verdict  # the name used before it became public


def _standard_at_floor(position_level: str) -> bool:
    """True when every required level of ``position_level`` is the lowest level (1): JPM is 100 for everyone."""
    from ..talent import competency_standard

    try:
        std = competency_standard(position_level)
    except (ValueError, KeyError):
        return False
    return bool((std.to_numpy(dtype=float) <= 1.0).all())


def strict_json(obj):
    """``obj`` with every non-finite or non-JSON number turned into ``None`` (``null``): strict JSON, no NaN tokens."""
    if isinstance(obj, dict):
        return {str(k): strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict_json(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(float(obj)) else None
    if obj is None or isinstance(obj, str):
        return obj
    return _num(obj) if _num(obj) is not None else str(obj)


def _est_dict(est) -> dict:
    return {"value": _num(est.value), "ci_low": _num(est.ci_low), "ci_high": _num(est.ci_high), "n": int(est.n)}


def _num(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _level_codes(index: pd.MultiIndex, name: str):
    """Integer codes of level ``name`` of ``index`` in the sorted order of its labels (the codes
    :func:`psikometri._codes.sorted_codes` gives the labels themselves); the labels if one is missing."""
    from .._codes import sorted_codes

    i = index.names.index(name)
    codes = np.asarray(index.codes[i])
    if (codes < 0).any():
        return index.get_level_values(name)
    rank, _ = sorted_codes(pd.Series(index.levels[i]))
    return np.asarray(rank, dtype=np.int64)[codes]


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
    jpm_scheme : {"mapping", "selection"}
        JPM category scheme (:data:`psikometri.talent.JPM_SCHEMES`): its labels, and its cut-offs unless
        ``jpm_cuts`` is given.
    jpm_cuts : tuple, optional
        (lower, upper) cut-offs of the JPM categories; default the scheme's.
    criterion_reliability : float
        Reliability of the performance ratings among incumbents (ryyi); default .52, the mean inter-rater
        reliability of supervisory ratings of overall job performance (Viswesvaran, Ones & Schmidt 1996).
    min_group_size : int
        Smallest group shown in demographic and fairness tables.
    include_identities : bool
        Show per-candidate rows (this agency only).  Off by default.
    rating_round : str, optional
        Round of the ratings to analyse; default the independent round (:func:`psikometri.io.independent_round`).
    reference_year : int, optional
        Assessment reference year (ages; validity of results older than three years); default
        :func:`psikometri.report.config.default_reference_year`: the year of the latest assessment date of the
        agency's data, else of its latest occasion, else the current year.
    display_name : str, optional
        The agency's name in the report (default ``agency``).
    competency_names, exercise_names : dict, optional
        Names shown for ids of the data: ``{id: name}`` or ``{id: {"id": name, "en": name}}``.
    settings_source : dict, optional
        ``{key path: {"source": "config"|"agency"|"cli", "detail": file or option}}`` from the batch runner
        (:func:`psikometri.report.config.notebook_parameters`); a setting not listed is the default when it
        equals the default, else a parameter of the call.  Every setting is checked as in a configuration file
        (a ``ValueError`` names the setting, the value and the fix).
    """

    def __init__(self, data, agency: str, *, lang="id", n_boot=1000, seed=2026, standards=None,
                 potential_cuts=(78.0, 90.0), performance_cuts=(70.0, 85.0), jpm_cuts=None,
                 criterion_reliability=0.52, min_group_size=5, include_identities=False, output_dir=None,
                 rating_round=None, reference_year=None, jpm_scheme="mapping", display_name=None,
                 competency_names=None, exercise_names=None, settings_source=None):
        from ..talent import JPM_SCHEMES
        from .config import check_report_settings, default_reference_year

        self.data = data
        self.agency = agency
        # the settings, for the context of an earlier occasion (re-assessment section)
        self._settings = dict(lang=lang, n_boot=n_boot, seed=seed, standards=standards, potential_cuts=potential_cuts,
                              performance_cuts=performance_cuts, jpm_cuts=jpm_cuts,
                              criterion_reliability=criterion_reliability, min_group_size=min_group_size,
                              include_identities=False, rating_round=rating_round, reference_year=reference_year,
                              jpm_scheme=jpm_scheme, competency_names=competency_names, exercise_names=exercise_names)
        given = check_report_settings(
            lang=lang, n_boot=n_boot, seed=seed, standards=standards, jpm_scheme=jpm_scheme, jpm_cuts=jpm_cuts,
            potential_cuts=potential_cuts, performance_cuts=performance_cuts,
            criterion_reliability=criterion_reliability, min_group_size=min_group_size, rating_round=rating_round,
            reference_year=reference_year, display_name=display_name, competency_names=competency_names,
            exercise_names=exercise_names)
        self.lang = lang
        self.n_boot = int(n_boot)
        self.seed = int(seed)
        self.standards = DEFAULT_STANDARDS | dict(standards or {})
        self.potential_cuts = tuple(given["potential_cuts"])
        self.performance_cuts = tuple(given["performance_cuts"])
        self.jpm_scheme = jpm_scheme
        self.jpm_cuts = tuple(given["jpm_cuts"] or JPM_SCHEMES[jpm_scheme]["cuts"])
        self.criterion_reliability = float(criterion_reliability)
        self.min_group_size = int(min_group_size)
        self.include_identities = bool(include_identities)
        self.output_dir = Path(output_dir) if output_dir else None
        self._cache: dict[str, Section] = {}
        self.display_name = given["display_name"] or str(agency)
        self.names = given["display_names.competencies"] | given["display_names.exercises"]
        # the assessment reference year: given, else from the data (so the same data give the same report in any
        # year); the basis is said in the report
        if reference_year is None:
            self.reference_year, self.reference_basis = default_reference_year(data)
        else:
            self.reference_year, self.reference_basis = int(reference_year), None
        # re-assessed cohorts: every section but the re-assessment one reads the latest occasion
        self.occasions: list[str] = list(getattr(data, "occasions", []))
        self.all_occasions = data if len(self.occasions) > 1 else None
        if self.occasions:
            data = data.for_occasion(self.occasions[-1])
            self.data = data
        r = data.ratings
        self.rating_round = None
        self.rounds: list[str] = []
        self.all_rounds = None
        if "round" in r.columns:
            # one round only: the independent (pre-consensus) round unless another is asked for; consensus
            # ratings are never used for agreement (psikometri.io.independent_round)
            from ..io import independent_round

            self.rounds = sorted(set(r["round"].astype(str)))
            self.rating_round = independent_round(self.rounds, rating_round)
            self.all_rounds = r  # for the consensus-change table only
            r = r[r["round"].astype(str) == self.rating_round].drop(columns="round")
            data = type(data)(r, data.candidates, data.items, data.warnings, data.source, data.scale,
                              data.column_map)
            self.data = data
        # every setting with its value and source (methods section, results.json)
        self.settings = self._resolved_settings(given, settings_source)
        from ..talent import overall_rating

        self.oar = overall_rating(r)  # the mean of all of a candidate's ratings
        cand = data.candidates.set_index("candidate")
        self.cand = cand.join(self.oar, how="inner")
        self.cand.index = self.cand.index.astype(str)
        # anonymous ids, so that no NIP or name travels into any table
        self.cand["anon"] = [f"A{i + 1:04d}" for i in range(len(self.cand))]

    def _resolved_settings(self, given: dict, sources) -> dict:
        """Key path -> :class:`~psikometri.report.config.Resolved` of every report setting."""
        from .config import DEFAULTS, SETTINGS, Resolved

        given = {k: v for k, v in given.items() if k != "lang"}  # the language is the report's own (top level)
        effective = given | {f"standards.{k}": float(v) for k, v in self.standards.items()} | {
            "n_boot": self.n_boot, "seed": self.seed, "jpm_cuts": self.jpm_cuts,
            "reference_year": self.reference_year, "rating_round": self.rating_round,
            "display_name": self.display_name}
        sources = dict(sources or {})
        out = {}
        for st in SETTINGS:
            if st.key not in effective:
                continue
            src = sources.get(st.key)
            if src:
                out[st.key] = Resolved(effective[st.key], src.get("source", "parameter"), src.get("detail", ""))
                continue
            # without a source from the runner: the default when the value given is the default (a setting whose
            # default comes from the scheme or the data: when none was given)
            if st.default is None or st.default == {}:
                default = given.get(st.key) in (None, {})
            else:
                default = _same(effective[st.key], DEFAULTS[st.key])
            out[st.key] = Resolved(effective[st.key], "default" if default else "parameter")
        return out

    def settings_record(self) -> dict:
        """The effective settings for ``results.json``: {key path: {"value", "source", "detail", "reference"}}."""
        out = {k: r.record(k) for k, r in self.settings.items()}
        if self.reference_basis is not None and "reference_year" in out:
            out["reference_year"]["basis"] = list(self.reference_basis)
        return out

    def settings_table(self) -> pd.DataFrame:
        """The standards, cut-offs and settings of the report, each with its value and source."""
        from .config import BY_KEY, format_setting, setting_source

        rows = []
        for key, res in self.settings.items():
            st = BY_KEY[key]
            if not st.table or (key == "rating_round" and self.rating_round is None):
                continue
            extra = ""
            if key == "reference_year" and res.source == "default" and self.reference_basis is not None:
                basis, detail = self.reference_basis
                extra = self.t(f"basis_{basis}", detail=detail)
            rows.append({self.t("setting"): st.label[self.lang], self.t("value"): format_setting(key, res.value, self.lang),
                         self.t("source"): setting_source(key, res, self.lang, extra)})
        return pd.DataFrame(rows).set_index(self.t("setting"))

    @classmethod
    def load(cls, data_path, agency, ranges=None, **kw):
        from ..io import DataWarning, load_assessment

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            full = load_assessment(data_path, ranges=ranges)
        return cls(full.for_agency(agency), agency, **kw)

    # ------------------------------------------------------------------ plumbing
    def t(self, key, **fmt):
        return tr(key, self.lang, **fmt)

    def section(self, key: str) -> Section:
        if key not in SECTION_KEYS:
            raise ValueError(f"key must be one of {SECTION_KEYS}; got {key!r}.")
        if key not in self._cache:
            import matplotlib.pyplot as plt

            fn = getattr(self, f"_sec_{key}")
            open_before = set(plt.get_fignums())
            try:
                try:
                    # every warning the computations raise becomes a note of this section (never silenced, never
                    # lost in a log the reader does not see); the agency's names of its data ids apply throughout
                    with warnings.catch_warnings(record=True) as caught, use_names(self.names):
                        warnings.simplefilter("always")
                        sec = fn(Section(key, self._title(key), lang=self.lang, names=self.names))
                    self._cache[key] = self._warning_notes(sec, caught)
                except ValueError as exc:
                    # the data do not support this analysis (a design the method cannot estimate, a level the
                    # standards table lacks...): say why in the report instead of failing the whole agency
                    sec = Section(key, self._title(key), lang=self.lang, status="not_estimable", names=self.names)
                    reason = self.scrub(str(exc))
                    sec.paragraphs.append(self.t("failed_section", reason=reason))
                    sec.results = {"status": "not_estimable", "reason": reason}
                    self._cache[key] = sec
            except Exception as exc:
                raise RuntimeError(f"report section {key!r} failed for agency {self.agency!r}: "
                                   f"{type(exc).__name__}: {exc}") from exc
            finally:  # figures a section opened and did not add (it failed half-way) do not stay in pyplot
                for num in set(plt.get_fignums()) - open_before:
                    plt.close(num)
        return self._cache[key]

    def _title(self, key: str) -> str:
        """Section title; the methods section follows the re-assessment one when that appears."""
        if key == "methods" and self.all_occasions is not None:
            return self.t("sec_methods_after_reassessment")
        return self.t(f"sec_{key}")

    def _warning_notes(self, sec: Section, caught) -> Section:
        """Add one translated note per section for the warnings ``caught`` while computing it; the scrubbed
        messages go to ``results["warnings"]``."""
        from ..io import DataWarning

        seen = {}
        for w in caught:
            cat = w.category
            if issubclass(cat, DataWarning):
                kind = "warning_data"
            elif issubclass(cat, RuntimeWarning):
                kind = "warning_numeric"
            elif "Convergence" in cat.__name__ or "converge" in str(w.message).lower():
                kind = "warning_convergence"
            else:
                kind = "warning_method"
            seen.setdefault((kind, cat.__name__, self.scrub(str(w.message))), None)
        if not seen:
            return sec
        kinds = list(dict.fromkeys(self.t(k) for k, _, _ in seen))
        messages = "; ".join(m for _, _, m in seen)
        sec.paragraphs.append(self.t("note_warnings", n=len(seen), kinds=", ".join(kinds), messages=messages))
        if isinstance(sec.results, dict):
            sec.results = dict(sec.results) | {"warnings": [{"category": c, "message": m} for _, c, m in seen]}
        return sec

    def scrub(self, text: str) -> str:
        """``text`` with every candidate id and name replaced, for messages that reach a report."""
        ids = set(self.data.candidates["candidate"].astype(str)) | set(self.data.ratings["candidate"].astype(str))
        names = set(self.data.candidates["name"].dropna().astype(str)) if "name" in self.data.candidates else set()
        out = re.sub(r"[\w.-]+", lambda m: "[asesi]" if m.group(0) in ids else m.group(0), text)
        for nm in names:
            out = out.replace(nm, "[asesi]")
        return out

    def header(self):
        from IPython.display import HTML

        import psikometri

        return HTML(
            f"<h1>{html.escape(self.t('report_title'))}</h1>"
            f"<p><b>{html.escape(self.t('agency'))}:</b> {html.escape(self.display_name)}</p>"
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
        if self.display_name != str(self.agency):
            out["display_name"] = self.display_name
        out["settings"] = self.settings_record()
        for key in SECTION_KEYS:
            s = self.section(key)
            out["sections"][key] = {"status": s.status, "tables": s.n_tables, "figures": s.n_figures,
                                    "results": s.results}
        out["indicators"] = self.section("summary").results.get("indicators", [])
        return out

    def write_results(self, path=None) -> Path:
        from .runner import atomic_write

        path = Path(path) if path else (self.output_dir or Path(".")) / "results.json"
        atomic_write(path, json.dumps(strict_json(self.results()), indent=2, ensure_ascii=False, allow_nan=False))
        return path

    # ------------------------------------------------------------------ sections
    def _sec_summary(self, sec):
        rows = []
        for key in SECTION_KEYS[1:-1]:
            rows += self.section(key).indicators
        table = pd.DataFrame(rows, columns=["key", "indicator", "value", "ci_low", "ci_high", "standard", "verdict"])
        sec.results = {"indicators": table.drop(columns="indicator").to_dict(orient="records")}
        table["verdict"] = [self.t(v) for v in table["verdict"]]
        shown = table.drop(columns="key").rename(columns={"indicator": self.t("indicator"), "value": self.t("value"),
                                                          "standard": self.t("standard"),
                                                          "verdict": self.t("verdict")})
        sec.add_table(self.t("sec_summary"), shown.set_index(self.t("indicator")))
        sec.paragraphs.append(self.t("summary_note"))
        return sec

    def _indicator(self, sec, key, ind_key, est_or_value, standard, ci=None, detail: str = ""):
        if hasattr(est_or_value, "value"):
            v, lo, hi = float(est_or_value.value), float(est_or_value.ci_low), float(est_or_value.ci_high)
        else:
            v = float(est_or_value) if est_or_value is not None else float("nan")
            lo, hi = ci if ci else (float("nan"), float("nan"))
        name = self.t(ind_key) + (f" ({detail})" if detail else "")
        sec.indicators.append({"key": key, "indicator": name, "value": v, "ci_low": lo, "ci_high": hi,
                               "standard": standard, "verdict": verdict(v, standard, lo, hi)})

    def _sec_data(self, sec):
        import matplotlib.pyplot as plt

        from ..io import design_summary

        ds = design_summary(self.data.ratings, self.data.candidates).iloc[0]
        sec.paragraphs.append(self.t("data_text", ratings=int(ds["ratings"]), candidates=int(ds["candidates"]),
                                     assessors=int(ds["assessors"]), exercises=int(ds["exercises"]),
                                     competencies=int(ds["competencies"]), completeness=float(ds["completeness"])))
        if self.rating_round is not None:
            sec.paragraphs.append(self.t("rating_round_text", round=self.rating_round, rounds=", ".join(self.rounds)))
        expired, at_reference = self._expired_occasions()
        if self.all_occasions is not None:
            sec.paragraphs.append(self.t("data_occasions", k=len(self.occasions), occasions=", ".join(self.occasions),
                                         last=self.occasions[-1]))
            if expired:
                if at_reference:  # a reference year after the latest occasion
                    sec.paragraphs.append(self.t("data_expired_at", occasions=", ".join(expired),
                                                 year=str(self.reference_year)))
                else:
                    sec.paragraphs.append(self.t("data_expired", occasions=", ".join(expired),
                                                 last=self.occasions[-1]))
                ra = self.all_occasions.ratings
                occ = ra["occasion"].astype(str)
                only_old = (set(ra.loc[occ.isin(expired), "candidate"].astype(str))
                            - set(ra.loc[~occ.isin(expired), "candidate"].astype(str)))
                n_old = self._count_or_hidden(len(only_old))
                sec.paragraphs.append(self.t("data_expired_persons", n=(
                    f"{n_old:,}" if n_old is not None else self.t("suppressed", k=self.min_group_size))))
        ds = ds.drop("occasions", errors="ignore")  # the report's data are one occasion (said in the text)
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
        sec.results = {k: _num(v) for k, v in ds.items()} | {"rating_round": self.rating_round}
        if self.occasions:
            sec.results |= {"occasion": self.occasions[-1], "occasions": list(self.occasions),
                            "expired_occasions": expired}
            if expired:
                sec.results["n_expired_only"] = n_old
        return sec

    def _expired_occasions(self) -> tuple[list, bool]:
        """Occasions whose results are more than three years old, and whether the reference year decided it.

        Counted from the latest occasion (:meth:`~psikometri.io.AssessmentData.expired_occasions`), or from
        1 January of the reference year when that is later (a reference year set after the latest assessment).
        """
        if self.all_occasions is None:
            return [], False
        expired = self.all_occasions.expired_occasions()
        dates = self.all_occasions.occasion_dates()
        start = pd.Timestamp(self.reference_year, 1, 1)
        if dates.empty or pd.isna(dates.iloc[-1]) or start <= dates.iloc[-1]:
            return expired, False
        limit = start - pd.DateOffset(months=36)
        later = [o for o, d in dates.items() if pd.notna(d) and d < limit]
        return later, later != expired

    def _group_counts(self, cols) -> pd.DataFrame:
        """Counts by group with cells under ``min_group_size`` suppressed."""
        c = self.cand
        tab = c.groupby([c[col].astype(str) for col in cols], observed=True).size().unstack(fill_value=0)
        shown = self._suppressed(tab)
        shown.index.name = label(cols[0], self.lang)
        shown.columns.name = label(cols[1], self.lang)
        return shown

    def _suppressed(self, tab: pd.DataFrame) -> pd.DataFrame:
        """``tab`` with small counts (and their complements, see :func:`suppression_mask`) replaced by a note."""
        mask = suppression_mask(tab, self.min_group_size)
        return tab.astype(object).mask(mask, self.t("suppressed", k=self.min_group_size))

    # shared derived quantities ---------------------------------------------------
    def cell_matrix(self) -> pd.DataFrame:
        """Cells (candidate x competency x exercise) x assessor slots: :func:`psikometri.agreement.cell_ratings`."""
        from ..agreement import cell_ratings

        return cell_ratings(self.data.ratings)

    def overall_reliability(self, kind: str = "phi") -> tuple[float, str]:
        """Reliability of the overall rating from the G study, else ICC(1k) of the cells.

        ``kind="phi"`` (dependability, absolute error) for decisions at cut-offs (JPM categories, nine-box: a
        cut-off compares a candidate with a fixed standard, not with other candidates; Brennan 2001, sec.
        2.5.2); ``kind="g_coefficient"`` (relative error) for correlations (validity corrections).
        """
        g = self.section("gtheory").results.get(kind)
        if g is not None and np.isfinite(g):
            return float(g), kind
        a = self.section("agreement").results.get("ICC1k")
        if a is not None and np.isfinite(a):
            return float(a), "ICC1k"
        return float("nan"), "none"

    def overall_reliability_ci(self, kind: str = "phi") -> tuple[float, float] | None:
        """The 95% interval of :meth:`overall_reliability` (None when its source has none)."""
        _, source = self.overall_reliability(kind)
        if source == kind:
            ci = self.section("gtheory").results.get(f"{kind}_ci")
        elif source == "ICC1k":
            ci = self.section("agreement").results.get("ICC1k_ci")
        else:
            ci = None
        if ci is None or not all(v is not None and np.isfinite(v) and 0 < v < 1 for v in ci):
            return None
        return float(ci[0]), float(ci[1])

    def _rel_ci_for(self, rel: float):
        """The interval of the potential reliability ``rel`` (Phi or ICC(1k)) as used for the nine-box; None when
        it has none or was capped at 1."""
        ci = self.overall_reliability_ci()
        if ci is None or not (ci[0] <= min(rel, 1.0) <= ci[1]):
            return None
        return ci

    def _sec_reliability(self, sec):
        from ..reliability import item_analysis, reliability_summary

        items = self.data.items
        if items is None or items.shape[1] < 3:
            sec.paragraphs.append(self.t("no_items"))
            sec.status = "no_data"
            return sec
        it = items.drop(columns="candidate")
        n_complete = int(it.dropna().shape[0])
        if n_complete < MIN["items"]:
            return self.too_few(sec, self.t("candidates"), n_complete, MIN["items"])
        cut = self.standards["reliability"]
        sec.paragraphs.append(self.t("reliability_text", k=it.shape[1], n=n_complete, cut=cut))
        tab = reliability_summary(it, ci="bca", n_boot=self.n_boot, seed=self.seed)
        sec.add_table(self.t("sec_reliability"), tab[["value", "ci_low", "ci_high", "ci_method", "n"]])
        ia = item_analysis(it)
        sec.add_table(self.t("item"), ia)
        alpha = tab.loc["cronbach_alpha"]
        om = tab.loc["omega_total"]
        sec.results = {"cronbach_alpha": {"value": _num(alpha["value"]), "ci_low": _num(alpha["ci_low"]),
                                          "ci_high": _num(alpha["ci_high"]), "n": n_complete},
                       "omega_total": {"value": _num(om["value"]), "ci_low": _num(om["ci_low"]),
                                       "ci_high": _num(om["ci_high"]), "n": n_complete}}
        self._indicator(sec, "reliability", "ind_reliability", float(om["value"]), cut,
                        (float(om["ci_low"]), float(om["ci_high"])))
        return sec

    def _sec_agreement(self, sec):
        import matplotlib.pyplot as plt

        from ..agreement import assessor_diagnostics, icc, krippendorff_alpha

        wide = self.cell_matrix()
        if wide.shape[1] < 2:
            sec.paragraphs.append(self.t("one_assessor"))
            sec.status = "no_data"
            return sec
        complete = wide
        if len(complete) < MIN["agreement_cells"]:
            return self.too_few(sec, "cells", len(complete), MIN["agreement_cells"])
        cut = self.standards["icc"]
        sec.paragraphs.append(self.t("agreement_text", cut=cut))
        sec.paragraphs.append(self.t("agreement_cells", used=int(wide.attrs["n_cells_used"]),
                                     total=int(wide.attrs["n_cells"]), ratings=int(wide.attrs["n_ratings_used"]),
                                     k=int(wide.attrs["max_ratings"])))
        # every cell with two or more ratings; cells with more ratings than others make the table incomplete,
        # which icc() analyses by REML (a complete table by ANOVA)
        # interval: cluster bootstrap over candidates (cells of one candidate are not independent)
        cand = _level_codes(wide.index, "candidate")
        flat = wide.reset_index(drop=True)
        tab = icc(flat, missing="reml", clusters=cand, n_boot=self.n_boot, seed=self.seed)
        # the cells' assessor slots are not the same raters across cells, so only the one-way forms apply
        sec.add_table("ICC (Shrout & Fleiss 1979)", tab.loc[["ICC1", "ICC1k"]])
        ka = krippendorff_alpha(flat, level_of_measurement="interval", n_boot=self.n_boot, seed=self.seed)
        per_ex = []
        # the cells of each exercise (in the order of the exercise ids), without the slots none of them fills
        ex_i = wide.index.names.index("exercise")
        ex_codes = np.asarray(wide.index.codes[ex_i])
        vals = flat.to_numpy()
        for code in np.unique(ex_codes[ex_codes >= 0]):
            ex = wide.index.levels[ex_i][code]
            rows = ex_codes == code
            sub = vals[rows]
            filled = ~np.isnan(sub).all(axis=0)
            sub = pd.DataFrame(sub[:, filled], columns=flat.columns[filled])
            if len(sub) >= MIN["agreement_cells"] and sub.shape[1] >= 2:
                t = icc(sub, missing="reml", clusters=cand[rows], n_boot=self.n_boot, seed=self.seed)
                per_ex.append({self.t("exercises"): ex, "n": len(sub), "ICC1": t.loc["ICC1", "icc"],
                               "boot_ci_low": t.loc["ICC1", "boot_ci_low"],
                               "boot_ci_high": t.loc["ICC1", "boot_ci_high"]})
        if per_ex:
            sec.add_table(f"ICC(1) / {self.t('exercises')}", pd.DataFrame(per_ex).set_index(self.t("exercises")))
        sec.paragraphs.append(self.t("kalpha_text", value=ka.value, lo=ka.ci_low, hi=ka.ci_high))
        extra = {}
        if self.all_rounds is not None and len(self.rounds) == 2:
            from ..agreement import consensus_change

            try:
                cc = consensus_change(self.all_rounds, independent=self.rating_round)
            except ValueError:
                cc = None
            if cc is not None:
                sec.paragraphs.append(self.t("consensus_text", independent=cc.attrs["independent"],
                                             consensus=cc.attrs["consensus"]))
                sec.add_table(self.t("consensus_title"), cc)
                row = cc.loc["overall"]
                extra = {"consensus_mean_change": _num(row["mean_change"]),
                         "consensus_share_outside_range": _num(row["share_outside_range"])}
        diag = assessor_diagnostics(self.data.ratings)
        sec.paragraphs.append(self.t("assessor_diag_text"))
        sec.paragraphs.append(self.t("flagged_assessors", n=int(diag["flagged"].sum()), total=len(diag)))
        cols = ["n_ratings", "leniency", "ci_low", "ci_high", "spread_ratio", "halo", "halo_co_assessors",
                "agreement_r", "flag_summary"]
        # every flagged assessor, the most lenient or severe first, for the AC manager
        flagged = diag.loc[diag["flagged"], cols].copy()
        flagged["flag_summary"] = [", ".join(column_label(f, self.lang) for f in str(v).split(", ") if f)
                                   for v in flagged["flag_summary"]]
        flagged = flagged.loc[flagged["leniency"].abs().sort_values(ascending=False, kind="stable").index]
        sec.add_table(self.t("flagged_assessors", n=len(flagged), total=len(diag)), flagged)
        fig, ax = plt.subplots(figsize=(7, 3.2))
        d = diag.sort_values("leniency")
        x = np.arange(len(d))
        ax.errorbar(x, d["leniency"], yerr=[d["leniency"] - d["ci_low"], d["ci_high"] - d["leniency"]], fmt="o",
                    ms=3, lw=0.8, color="#555")
        ax.scatter(x[d["flagged"].to_numpy()], d.loc[d["flagged"], "leniency"], color="#c0392b", zorder=3, s=14)
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xticks([])
        ax.set_xlabel(self.t("assessors"))
        ax.set_ylabel(self.t("leniency"))
        sec.add_figure(self.t("leniency"), fig)
        i1 = tab.loc["ICC1"]
        i1k = tab.loc["ICC1k"]
        sec.results = {"ICC1": _num(i1["icc"]), "ICC1_ci": [_num(i1["boot_ci_low"]), _num(i1["boot_ci_high"])],
                       "ICC1_ci_f": [_num(i1["ci_low"]), _num(i1["ci_high"])],
                       "ICC1k": _num(i1k["icc"]), "ICC1k_ci": [_num(i1k["boot_ci_low"]), _num(i1k["boot_ci_high"])],
                       "n_clusters": int(tab.attrs["n_clusters"]),
                       "n_cells": int(len(complete)),
                       "krippendorff_alpha": _est_dict(ka), "n_assessors": int(len(diag)),
                       "n_flagged": int(diag["flagged"].sum())} | extra
        self._indicator(sec, "icc", "ind_icc", float(i1["icc"]), cut,
                        (float(i1["boot_ci_low"]), float(i1["boot_ci_high"])))
        return sec

    def _sec_gtheory(self, sec):
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        from ..gtheory import g_study

        r = self.data.ratings
        n = int(r["candidate"].nunique())
        if n < MIN["gtheory"]:
            return self.too_few(sec, self.t("candidates"), n, MIN["gtheory"])
        facets = [f for f in ("competency", "exercise", "assessor") if r[f].nunique() >= 2]
        per_cell = r.groupby(["candidate", "competency", "exercise"], observed=True)["assessor"].nunique().max()
        if per_cell < 2 and "assessor" in facets:  # one assessor per cell: assessor confounded with the residual
            facets.remove("assessor")
            sec.paragraphs.append(self.t("one_assessor"))
        if not {"competency", "exercise"} <= set(facets):
            sec.paragraphs.append(self.t("too_few", what=self.t("exercises"), n=int(r["exercise"].nunique()), need=2))
            sec.status = "too_few"
            return sec
        g = g_study(r, score="score", person="candidate", facets=facets,
                    nested={"assessor": "exercise"} if "assessor" in facets else None, method="auto")
        sec.paragraphs.append(self.t("gtheory_text", method=g.method.upper()))
        # what the estimation itself reported, in the report's language
        cc = g.components
        on_bound = [effect_label(e, self.lang) for e in cc.index
                    if g.method == "reml" and cc.loc[e, "variance"] == 0 and np.isnan(cc.loc[e, "se"])]
        if on_bound:
            sec.paragraphs.append(self.t("gstudy_boundary", effects=", ".join(on_bound)))
        negative = [effect_label(e, self.lang) for e in (g.anova.index if g.anova is not None else [])
                    if g.anova.loc[e, "estimate"] < 0]
        if negative:
            sec.paragraphs.append(self.t("gstudy_negative", effects=", ".join(negative)))
        if any("did not converge" in n for n in g.notes):
            sec.paragraphs.append(self.t("gstudy_not_converged"))
        comp = g.components.copy()
        shown = comp.copy().astype({"ci_low": object, "ci_high": object})
        # a Satterthwaite interval on fewer than 2 degrees of freedom (df = 2 (v / se)^2) runs to absurd upper
        # ends (e.g. 134 for a total variance of 0.6): shown as unstable, the numbers stay in results.json
        with np.errstate(divide="ignore", invalid="ignore"):
            df_s = 2.0 * (comp["variance"] / comp["se"]) ** 2
        unstable = (df_s < 2.0).to_numpy() & comp["se"].notna().to_numpy()
        if unstable.any():
            shown.loc[unstable, ["ci_low", "ci_high"]] = self.t("unstable")
            sec.paragraphs.append(self.t("unstable_note"))
        shown.index = [effect_label(e, self.lang) for e in comp.index]
        shown.index.name = column_label("effect", self.lang)
        sec.add_table(self.t("sec_gtheory"), shown)
        fig, ax = plt.subplots(figsize=(7, 3.4))
        pct = shown["percent"].sort_values()
        ax.barh(pct.index, pct.to_numpy(), color="#2e86c1")
        ax.set_xlabel(self.t("percent"))
        ax.set_title(self.t("sec_gtheory"))
        sec.add_figure(self.t("sec_gtheory"), fig)
        persp = g.perspectives()
        sec.add_table(self.t("perspectives"), persp[["g_coefficient", "phi"]])
        sizes = dict(exercise=sorted({3, 4, 5, 6, int(round(g.sizes.get("exercise", 5)))}))
        if "assessor" in facets:
            sizes["assessor"] = [1, 2, 3]
        ds = g.d_study(fixed=["competency"], **sizes)
        sec.paragraphs.append(self.t("dstudy_text"))
        if "assessor" not in ds:
            ds["assessor"] = 1
        sec.add_table(self.t("dstudy_title"), ds.set_index(["exercise", "assessor"])[
            ["g_coefficient", "phi", "relative_error", "absolute_error"]])
        fig, ax = plt.subplots(figsize=(6, 3.4))
        for a, sub in ds.groupby("assessor"):
            ax.plot(sub["exercise"], sub["g_coefficient"], marker="o", label=f"{a} {self.t('assessors').lower()}")
        ax.axhline(self.standards["g_coefficient"], color="k", lw=0.8, ls="--")
        ax.set_xlabel(self.t("exercises"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # numbers of exercises are whole
        ax.set_ylabel(self.t("g_coefficient"))
        ax.legend()
        sec.add_figure(self.t("dstudy_title"), fig)
        # the overall rating at the observed design (mean numbers of levels per candidate, GStudy.sizes): the
        # same row as the first line of the perspectives table
        oar = g.oar_reliability(fixed=["competency"], level=0.95)
        sec.paragraphs.append(self.t("gstudy_typical", ex=float(g.sizes["exercise"]),
                                     ass=float(g.sizes.get("assessor", 1.0)), g=float(oar["g_coefficient"]),
                                     g_lo=float(oar["g_coefficient_ci_low"]), g_hi=float(oar["g_coefficient_ci_high"]),
                                     phi=float(oar["phi"]), phi_lo=float(oar["phi_ci_low"]),
                                     phi_hi=float(oar["phi_ci_high"])))
        sec.results = {"method": g.method, "n_persons": int(g.n_persons), "n_ratings": int(g.n_obs),
                       "g_coefficient": _num(oar["g_coefficient"]),
                       "g_coefficient_ci": [_num(oar["g_coefficient_ci_low"]), _num(oar["g_coefficient_ci_high"])],
                       "phi": _num(oar["phi"]), "phi_ci": [_num(oar["phi_ci_low"]), _num(oar["phi_ci_high"])],
                       "components": {str(k): _num(v) for k, v in comp["variance"].items()},
                       "components_ci": {str(k): [_num(comp.loc[k, "ci_low"]), _num(comp.loc[k, "ci_high"])]
                                         for k in comp.index},
                       "percent": {str(k): _num(v) for k, v in comp["percent"].items()}}
        self._indicator(sec, "g_coefficient", "ind_g", float(oar["g_coefficient"]), self.standards["g_coefficient"],
                        (float(oar["g_coefficient_ci_low"]), float(oar["g_coefficient_ci_high"])))
        return sec

    def _sec_construct(self, sec):
        import matplotlib.pyplot as plt

        from ..construct import mtmm

        r = self.data.ratings
        n = int(r["candidate"].nunique())
        if n < MIN["construct"]:
            return self.too_few(sec, self.t("candidates"), n, MIN["construct"])
        m = mtmm(r, person="candidate", trait="competency", method="exercise", score="score",
                 n_boot=self.n_boot, seed=self.seed)
        sec.paragraphs.append(self.t("construct_text"))
        # the Campbell-Fiske reading, stated: does the same competency agree across exercises more than different
        # competencies agree within one exercise?  (In most ACs it does not: Lance 2008.)
        conv, mono = float(m.convergent.value), float(m.heterotrait_monomethod.value)
        if np.isfinite(conv) and np.isfinite(mono):
            key = "construct_exercise_effect" if mono >= conv else "construct_competency_effect"
            sec.paragraphs.append(self.t(key, conv=conv, mono=mono))
        rows = {self.t(k): {"r": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}
                for k, e in (("convergent", m.convergent), ("hetero_mono", m.heterotrait_monomethod),
                             ("hetero_hetero", m.heterotrait_heteromethod))}
        sec.add_table(self.t("mtmm_table"), pd.DataFrame(rows).T)
        ax = m.plot()
        fig = ax.figure if hasattr(ax, "figure") else ax
        ax.set_title(self.t("mtmm_title"))
        if len(fig.axes) > 1:  # the colour bar
            fig.axes[-1].set_ylabel(self.t("correlation"))
        fig.set_size_inches(7.5, 6.5)
        sec.add_figure(self.t("sec_construct"), fig)
        plt.close("all")
        sec.results = {"convergent": _est_dict(m.convergent), "heterotrait_monomethod": _est_dict(m.heterotrait_monomethod),
                       "heterotrait_heteromethod": _est_dict(m.heterotrait_heteromethod), "n": n}
        sec.results.update(self._construct_cfa(sec, r))
        return sec

    #: Models of the AC model set with both dimension-type and exercise-type factors: only their variance shares
    #: can be set against each other (CE has no dimension factors, CD no exercise factors).
    CFA_BOTH_KINDS = ("CDCE", "CDCU", "1D-CE", "G-BD-CE")

    @classmethod
    def cfa_reading(cls, models: pd.DataFrame) -> dict:
        """The report's reading of the AC model set (``ac_cfa_models``), as a dict.

        * ``admissible``: the models that converged to an admissible solution (in the model set's order);
        * ``best_bic`` / ``best_aic``: the admissible model with the smallest BIC / AIC (``None`` if none);
        * ``compared``: among the admissible models with both dimension-type and exercise-type factors
          (:attr:`CFA_BOTH_KINDS`), the one with the smallest BIC, or ``None``;
        * ``carrier``: for ``compared``: ``"general_exercises"`` when it is 1D-CE (a general performance factor
          and exercise factors, no competency-specific factor), otherwise ``"dimensions"`` when the
          competency-specific share (``dimension_share - general_share``) exceeds ``exercise_share``, else
          ``"exercises"``; ``None`` without ``compared``.
        """
        ok = models[models["converged"].astype(bool) & models["admissible"].astype(bool) & models["bic"].notna()]
        out = {"admissible": [str(k) for k in ok.index], "best_bic": None, "best_aic": None, "compared": None,
               "carrier": None}
        if ok.empty:
            return out
        out["best_bic"], out["best_aic"] = str(ok["bic"].idxmin()), str(ok["aic"].idxmin())
        both = ok[ok.index.isin(cls.CFA_BOTH_KINDS)]
        if both.empty:
            return out
        best = str(both["bic"].idxmin())
        out["compared"] = best
        if best == "1D-CE":
            out["carrier"] = "general_exercises"
        else:
            gen = float(both.loc[best, "general_share"])
            comp = float(both.loc[best, "dimension_share"]) - (gen if np.isfinite(gen) else 0.0)
            out["carrier"] = "dimensions" if comp > float(both.loc[best, "exercise_share"]) else "exercises"
        return out

    def _construct_cfa(self, sec, r) -> dict:
        """The confirmatory model set of the AC ratings (``ac_cfa_models``), its table and reading."""
        from ..construct import ac_cfa_models

        try:
            models = ac_cfa_models(r, person="candidate", trait="competency", method="exercise", score="score")
        except ValueError:  # too few candidates with every (competency, exercise) score for ML
            sec.paragraphs.append(self.t("construct_cfa_too_few"))
            return {"cfa_models": None}
        status = np.where(~models["converged"].astype(bool), "not_converged",
                          np.where(models["admissible"].astype(bool), "admissible_solution", "inadmissible_solution"))
        shown = models[["chisq", "df", "cfi", "rmsea", "srmr", "aic", "bic", "dimension_share", "general_share",
                        "exercise_share"]].copy()
        # the competency-specific share: a general factor (1D-CE) is not competency-specific
        shown["dimension_share"] = shown["dimension_share"] - shown["general_share"].fillna(0.0)
        shown.insert(0, "solution", status)
        shown.index = pd.Index([f"cfa_{k}" for k in models.index], name="cfa_model")
        n_used = int(models["n_persons"].iloc[0])
        n_all = n_used + int(models["n_excluded"].iloc[0])
        sec.paragraphs.append(self.t("construct_cfa_text", n=n_used, n_all=n_all,
                                     k=int(models["n_indicators"].iloc[0])))
        sec.add_table(self.t("construct_cfa_table"), shown)
        reading = self.cfa_reading(models)
        name = (lambda m: column_label(f"cfa_{m}", self.lang))
        n_ok = len(reading["admissible"])
        if n_ok == 0:
            sec.paragraphs.append(self.t("construct_cfa_none", m=len(models)))
        else:
            if n_ok == 1:
                sec.paragraphs.append(self.t("construct_cfa_only", model=name(reading["best_bic"]), m=len(models)))
            elif reading["best_bic"] == reading["best_aic"]:
                sec.paragraphs.append(self.t("construct_cfa_best", k=n_ok, m=len(models),
                                             model=name(reading["best_bic"])))
            else:
                sec.paragraphs.append(self.t("construct_cfa_best_differ", k=n_ok, m=len(models),
                                             bic=name(reading["best_bic"]), aic=name(reading["best_aic"])))
            if reading["compared"] is None:
                sec.paragraphs.append(self.t("construct_cfa_not_comparable"))
            else:
                row = models.loc[reading["compared"]]
                gen = float(row["general_share"]) if np.isfinite(row["general_share"]) else 0.0
                sec.paragraphs.append(self.t(f"construct_cfa_{reading['carrier']}", model=name(reading["compared"]),
                                             comp=float(row["dimension_share"]) - gen, general=gen,
                                             ex=float(row["exercise_share"])))
        return {"cfa_models": {str(k): {"chisq": _num(models.loc[k, "chisq"]), "df": _num(models.loc[k, "df"]),
                                        "cfi": _num(models.loc[k, "cfi"]), "rmsea": _num(models.loc[k, "rmsea"]),
                                        "srmr": _num(models.loc[k, "srmr"]), "aic": _num(models.loc[k, "aic"]),
                                        "bic": _num(models.loc[k, "bic"]),
                                        "converged": bool(models.loc[k, "converged"]),
                                        "admissible": bool(models.loc[k, "admissible"]),
                                        "dimension_share": _num(models.loc[k, "dimension_share"]),
                                        "general_share": _num(models.loc[k, "general_share"]),
                                        "exercise_share": _num(models.loc[k, "exercise_share"])}
                               for k in models.index},
                "cfa_n": n_used, "cfa_reading": reading}

    def _sec_validity(self, sec):
        import matplotlib.pyplot as plt

        from ..validity import expectancy_table, plot_expectancy, validity_study

        c = self.cand
        n_crit = int(c["performance"].notna().sum()) if "performance" in c else 0
        if n_crit < MIN["validity"]:
            return self.too_few(sec, self.t("with_performance"), n_crit, MIN["validity"])
        rxxa, source = self.overall_reliability("g_coefficient")
        sec.paragraphs.append(self.t("validity_text", n=n_crit))
        vs = validity_study(c[["oar", "performance"]], predictor="oar", criterion="performance",
                            rxxa=min(rxxa, 1.0) if np.isfinite(rxxa) else None, ryyi=self.criterion_reliability,
                            case="IV" if np.isfinite(rxxa) else "II", n_boot=self.n_boot, seed=self.seed)
        shown = vs.copy()
        shown.index = [self.t(k) for k in shown.index]
        sec.add_table(self.t("validity_caption", title=self.t("sec_validity"), rxxa=rxxa,
                             source=column_label(source, self.lang), ryyi=self.criterion_reliability), shown)
        et = expectancy_table(c, predictor="oar", criterion="performance", bins=min(5, max(2, n_crit // 10)))
        sec.paragraphs.append(self.t("expectancy_text"))
        sec.add_table(self.t("expectancy_text"), self._expectancy_hidden(et).set_index("band"))
        fig, ax = plt.subplots(figsize=(6, 3.2))
        # the figure hides what the table hides: a band's share of high performers gives its count back
        shown = self._expectancy_hidden(et)
        hidden = shown["p_high"].map(lambda v: isinstance(v, str)).to_numpy()
        plot_et = et.copy()
        plot_et.loc[hidden, ["p_high", "ci_low", "ci_high"]] = np.nan
        plot_expectancy(plot_et, ax=ax, title=self.t("expectancy_text"))
        ax.set_xticklabels(shown["band"], rotation=20, ha="right", fontsize=8)
        ax.set_xlabel(self.t("band_axis"))
        ax.set_ylabel(self.t("high_axis", high=float(et.attrs.get("high", float("nan")))))
        sec.add_figure(self.t("expectancy_text"), fig)
        op = vs.loc["operational"]
        sec.results = {"observed_r": _num(vs.loc["observed", "r"]), "n": n_crit,
                       "operational": {"value": _num(op["r"]), "ci_low": _num(op["ci_low"]),
                                       "ci_high": _num(op["ci_high"])},
                       "rxxa": _num(rxxa), "ryyi": self.criterion_reliability, "u": _num(vs.attrs["u"]),
                       "case": vs.attrs["case"]}
        self._indicator(sec, "validity", "ind_validity", float(op["r"]), self.standards["validity"],
                        (float(op["ci_low"]), float(op["ci_high"])))
        return sec

    def _sec_incremental(self, sec):
        from ..validity import incremental_validity

        c = self.cand
        if "cognitive" not in c or "performance" not in c:
            sec.status = "no_data"
            return sec
        d = c[["performance", "cognitive", "oar"]].dropna()
        if len(d) < MIN["incremental"]:
            return self.too_few(sec, self.t("with_performance"), len(d), MIN["incremental"])
        sec.paragraphs.append(self.t("incremental_text"))
        iv = incremental_validity(d, criterion="performance", base=["cognitive"], added=["oar"],
                                  n_boot=self.n_boot, seed=self.seed)
        steps = iv.steps.copy()
        if "predictors" in steps:  # the predictor names as words, in the report's language
            steps["predictors"] = [", ".join(str(column_label(p.strip(), self.lang)) for p in str(v).split(","))
                                   for v in steps["predictors"]]
        sec.add_table(self.t("sec_incremental"), steps)
        sec.add_table("Delta R2", pd.DataFrame({"delta_r2": [iv.delta], "ci_low": [iv.delta_ci[0]],
                                                "ci_high": [iv.delta_ci[1]], "F": [iv.statistic],
                                                "p": [iv.p_value]}))
        sec.results = {"delta_r2": _num(iv.delta), "delta_r2_ci": [_num(x) for x in iv.delta_ci],
                       "p": _num(iv.p_value), "n": int(iv.n)}
        return sec

    def _groups(self) -> pd.DataFrame:
        c = self.cand.copy()
        age = self.reference_year - c["birth_year"].astype(float)
        # an ordered categorical: tables list the age groups youngest first
        c["age_group"] = pd.cut(age, [0, 40, 50, 200], right=False, labels=["< 40", "40-49", ">= 50"])
        c["gender"] = c["gender"].astype(str)
        return c

    #: Reference group of each fairness variable, fixed so that the sign of d means the same in every agency:
    #: men for gender (L), the youngest band for age.  A reference absent from the data falls back to the
    #: largest group (named in the report).
    FAIRNESS_REFERENCE = {"gender": "L", "age_group": "< 40"}

    def _reference(self, sub: pd.DataFrame, g: str):
        ref = self.FAIRNESS_REFERENCE.get(g)
        present = set(sub[g].dropna().astype(object))
        if ref in present:
            return ref
        return sub[g].value_counts().idxmax()

    def _suppress(self, df: pd.DataFrame, n_col="n") -> pd.DataFrame:
        return df[df[n_col] >= self.min_group_size]

    def _expectancy_hidden(self, et: pd.DataFrame) -> pd.DataFrame:
        """An expectancy table for display: a band's count of high performers (and its share) hidden when it or
        its complement is 1 to ``min_group_size - 1``."""
        out = et.astype(object)
        # bands as ranges in the report's number format: (2,135; 2,75]
        out["band"] = [re.sub(r"\(([-\d.]+), ([-\d.]+)\]", lambda m: f"({format_number(float(m.group(1)), '.4g', self.lang)}"
                                                                  f"; {format_number(float(m.group(2)), '.4g', self.lang)}]",
                              str(b)) for b in et["band"]]
        k = self.min_group_size
        hi = et["n_high"].astype(float)
        lo = et["n"].astype(float) - hi
        small = ((hi > 0) & (hi < k)) | ((lo > 0) & (lo < k))
        for col in ("n_high", "p_high", "ci_low", "ci_high"):
            if col in out:
                out.loc[small, col] = self.t("suppressed", k=k)
        return out

    def _selected_hidden(self, ai: pd.DataFrame) -> pd.DataFrame:
        """An adverse-impact table for display: groups under ``min_group_size`` left out, and where a group's
        selected or not-selected count is 1 to ``min_group_size - 1`` the count and the rate (count / n) hidden."""
        out = self._suppress(ai).astype(object)
        k = self.min_group_size
        sel = ai.loc[out.index, "n_selected"].astype(float)
        small = ((sel > 0) & (sel < k)) | (((ai.loc[out.index, "n"] - sel) > 0) & ((ai.loc[out.index, "n"] - sel) < k))
        for col in ("n_selected", "selection_rate"):
            if col in out:
                out.loc[small, col] = self.t("suppressed", k=k)
        return out

    def _sec_fairness(self, sec):
        from ..fairness import adverse_impact, differential_prediction, subgroup_differences

        c = self._groups()
        k = self.min_group_size
        sec.paragraphs.append(self.t("fairness_text", min_group=k))
        worst = None
        res = {}
        for g in ("gender", "age_group"):
            counts = c[g].value_counts()
            keep = counts.index[counts >= k]
            sub = c[c[g].isin(keep)]
            if isinstance(sub[g].dtype, pd.CategoricalDtype):
                sub = sub.assign(**{g: sub[g].cat.remove_unused_categories()})
            if len(keep) < 2:
                sec.paragraphs.append(self.t("too_few", what=label(g, self.lang), n=int(len(keep)), need=2))
                continue
            ref = self._reference(sub, g)
            fixed = self.FAIRNESS_REFERENCE.get(g)
            if fixed is not None and ref != fixed:
                sec.paragraphs.append(self.t("fairness_reference_fallback", group=label(g, self.lang),
                                             fixed=str(fixed), ref=str(ref)))
            else:
                sec.paragraphs.append(self.t("fairness_reference", group=label(g, self.lang), ref=str(ref)))
            res[f"reference_{g}"] = str(ref)
            if "selected" in sub and set(sub["selected"].dropna().astype(int)) == {0, 1}:
                # the four-fifths rule compares with the group of the highest selection rate (Uniform Guidelines)
                ai = adverse_impact(sub, group=g, selected="selected")
                sec.add_table(f"{label(g, self.lang)}: {self.t('adverse_impact')}", self._selected_hidden(ai))
                row = ai.loc[ai["impact_ratio"].idxmin()]
                ir = float(row["impact_ratio"])
                if worst is None or ir < worst[0]:
                    worst = (ir, float(row["ci_low"]), float(row["ci_high"]),
                             f"{label(g, self.lang).lower()}: {column_label(str(ai['impact_ratio'].idxmin()), self.lang)}")
                res[f"impact_ratio_{g}"] = {"value": _num(ir), "ci_low": _num(row["ci_low"]),
                                            "ci_high": _num(row["ci_high"]), "reference": str(ai.attrs["reference"])}
            sd = subgroup_differences(sub, group=g, score="oar", reference=ref)
            sec.add_table(f"{label(g, self.lang)}: {self.t('subgroup_d')}", sd)
            dsub = sub.dropna(subset=["performance"]) if "performance" in sub else sub.iloc[:0]
            gc = dsub[g].value_counts()
            if len(dsub) >= MIN["validity"] and (gc >= k).sum() >= 2:
                dsub = dsub[dsub[g].isin(gc.index[gc >= k])]
                if isinstance(dsub[g].dtype, pd.CategoricalDtype):
                    dsub = dsub.assign(**{g: dsub[g].cat.remove_unused_categories()})
                dp = differential_prediction(dsub, predictor="oar", criterion="performance", group=g,
                                             reference=ref if ref in set(dsub[g].astype(object)) else None)
                sec.add_table(f"{label(g, self.lang)}: {self.t('cleary')}", dp.tests)
                res[f"differential_prediction_{g}_p"] = _num(dp.tests.loc["omnibus", "p"])
        self._measurement_fairness(sec, c, res)
        sec.results = res
        if worst is not None:
            self._indicator(sec, "impact_ratio", "ind_impact", worst[0], self.standards["impact_ratio"], worst[1:3],
                            detail=worst[3])
        cleary = [v for k, v in res.items() if k.startswith("differential_prediction_") and v is not None]
        if cleary:
            # the Cleary finding reaches the summary: the smallest omnibus p against the test's level (a test
            # result is never a certain verdict: "no evidence" is not evidence of fairness)
            self._indicator(sec, "differential_prediction", "ind_cleary", min(cleary),
                            self.standards["differential_prediction"])
        return sec

    #: Labels of the invariance models and decisions, as the table shows them (translated through COLUMNS).
    INVARIANCE_LEVELS = ("configural", "metric", "scalar", "strict")

    def _test_items(self) -> pd.DataFrame | None:
        """The psychological test's complete item responses (index: candidate id as text, sorted), or ``None``."""
        items = self.data.items
        if items is None or items.shape[1] < 5:  # a one-factor model needs 4 items for positive df
            return None
        it = items.assign(candidate=items["candidate"].astype(str)).set_index("candidate").dropna()
        it = it.loc[it.index.intersection(self.cand.index)]
        return it.sort_index()

    #: Change-in-fit cut-offs of measurement invariance (Chen 2007): (total N at most, delta CFI, delta RMSEA);
    #: small samples get the stricter pair, as Chen recommends for N <= 300.
    INVARIANCE_CUTS = ((300, 0.005, 0.010), (None, 0.010, 0.015))

    @classmethod
    def invariance_cuts(cls, n_total: int) -> tuple[float, float]:
        """``(cfi_cut, rmsea_cut)`` the report uses for ``n_total`` people (:attr:`INVARIANCE_CUTS`)."""
        for limit, cfi, rmsea in cls.INVARIANCE_CUTS:
            if limit is None or n_total <= limit:
                return cfi, rmsea
        raise AssertionError("unreachable: the last row of INVARIANCE_CUTS has no limit")  # pragma: no cover

    def _measurement_fairness(self, sec, c: pd.DataFrame, res: dict) -> None:
        """Measurement invariance of the psychological test (one factor) and item DIF, by gender and age group.

        Groups under ``MIN["invariance"]`` (DIF: ``MIN["dif"]``) members are left out, so no count under
        ``min_group_size`` is ever shown.  The ETS classes follow the published rules (unadjusted p); the
        Holm-adjusted p over the items is shown beside them and read in the text.
        """
        from ..factor import measurement_invariance
        from ..fairness import dif

        it = self._test_items()
        if it is None:
            return
        cols = list(it.columns)
        sec.paragraphs.append(self.t("invariance_text", k=len(cols), n_min=MIN["invariance"], n_dif=MIN["dif"]))
        name = (lambda v: column_label(str(v), self.lang))
        for g in ("gender", "age_group"):
            grp = c.loc[it.index, g].astype(object).astype(str).where(c.loc[it.index, g].notna())
            counts = grp.value_counts()
            col = c[g]
            order = ([str(v) for v in col.cat.categories] if isinstance(col.dtype, pd.CategoricalDtype)
                     else sorted(counts.index))
            keep = [lv for lv in order if counts.get(lv, 0) >= MIN["invariance"]]
            groups_n = ", ".join(f"{name(lv)} (n = {int(counts[lv])})" for lv in keep)
            if len(keep) >= 2:
                mask = grp.isin(keep).to_numpy()
                n_total = int(mask.sum())
                cfi_cut, rmsea_cut = self.invariance_cuts(n_total)
                data = it[mask].assign(**{"__group__": grp[mask].to_numpy()})
                mi = measurement_invariance(data, {"test": cols}, "__group__", cfi_cut=cfi_cut, rmsea_cut=rmsea_cut,
                                            group_levels=keep)
                want = ["chisq", "df", "cfi", "rmsea", "srmr", "delta_chisq", "delta_df", "p_delta", "delta_cfi",
                        "delta_rmsea", "delta_srmr", "decision"]
                shown = pd.DataFrame(mi, copy=False)[[k for k in want if k in mi.columns]].copy()
                shown.index = pd.Index(list(mi.index), name="invariance_model")
                sec.add_table(f"{label(g, self.lang)}: {self.t('invariance')}", shown)
                top = mi.attrs["highest_level"]
                levels = list(mi.index)
                nxt = levels[levels.index(top) + 1] if top and levels.index(top) + 1 < len(levels) else None
                fmt = dict(group=label(g, self.lang).lower(), groups=groups_n, cfi=cfi_cut, rmsea=rmsea_cut,
                           level=name(top) if top else "",
                           next=self.t("invariance_next_rejected", next=name(nxt)) if nxt else "")
                sec.paragraphs.append(self.t("invariance_result" if top else "invariance_none", **fmt))
                if min(int(counts[lv]) for lv in keep) < 200:
                    sec.paragraphs.append(self.t("invariance_power", n=min(int(counts[lv]) for lv in keep)))
                bare = pd.DataFrame(mi, copy=False)  # without attrs (every fitted model), copied on each .loc
                res[f"invariance_{g}"] = {
                    "highest_level": top, "groups": [str(k) for k in keep], "n": n_total,
                    "cfi_cut": cfi_cut, "rmsea_cut": rmsea_cut,
                    "models": {lv: {"chisq": _num(bare.loc[lv, "chisq"]), "df": int(bare.loc[lv, "df"]),
                                    "cfi": _num(bare.loc[lv, "cfi"]), "rmsea": _num(bare.loc[lv, "rmsea"]),
                                    "srmr": _num(bare.loc[lv, "srmr"]), "decision": str(bare.loc[lv, "decision"])}
                               for lv in bare.index}}
            else:
                sec.paragraphs.append(self.t("invariance_too_few", group=label(g, self.lang).lower(),
                                             need=MIN["invariance"]))
            # DIF: each group of at least MIN["dif"] members against the fixed reference group
            keep_dif = [lv for lv in order if counts.get(lv, 0) >= MIN["dif"]]
            ref = self.FAIRNESS_REFERENCE.get(g)
            if ref not in keep_dif:
                ref = max(keep_dif, key=lambda lv: (counts[lv], lv)) if keep_dif else None
            for focal in [lv for lv in keep_dif if lv != ref]:
                mask = grp.isin([ref, focal]).to_numpy()
                d = dif(it[mask], pd.Series(grp[mask].to_numpy(), index=it.index[mask]), method="mh",
                        focal=focal, p_adjust="holm", min_group=MIN["dif"])
                poly = bool(d.attrs["polytomous"])
                size_col = "smd_sd" if poly else "delta_mh"
                shown = d[["chi2", "p", "p_adjusted", size_col, "ets"]].copy()
                shown.index = pd.Index(list(d.index), name="item")
                pair = (f"{name(focal)} (n = {int(counts[focal])}) vs {name(ref)} (n = {int(counts[ref])})")
                sec.add_table(f"{label(g, self.lang)}: {self.t('dif_table')}", shown)
                flagged = [str(i) for i in d.index[d["ets"].isin(["B", "C", "BB", "CC"])]]
                holm = [str(i) for i in d.index[d["flag"].astype(bool)]]
                if not flagged:
                    sec.paragraphs.append(self.t("dif_none", pair=pair))
                else:
                    sec.paragraphs.append(self.t("dif_result", pair=pair, k=len(flagged), items=", ".join(flagged),
                                                 j=len(holm), J=len(cols)))
                    sec.paragraphs.append(self.t("dif_holm_some", items=", ".join(holm)) if holm
                                          else self.t("dif_holm_none"))
                res[f"dif_{g}_{focal}"] = {
                    "reference": str(ref), "focal": str(focal), "n": int(mask.sum()), "polytomous": poly,
                    "flagged": flagged, "significant_holm": holm,
                    "ets": {str(i): (None if v is None else str(v)) for i, v in d["ets"].items()},
                    size_col: {str(i): _num(v) for i, v in d[size_col].items()},
                    "p_adjusted": {str(i): _num(v) for i, v in d["p_adjusted"].items()}}

    def achieved_levels(self) -> pd.DataFrame:
        """Candidate x competency achieved level: the mean rating rounded half up, within 1-5
        (:func:`psikometri.talent.achieved_levels`)."""
        from ..talent import achieved_levels

        m = achieved_levels(self.data.ratings)
        m.index = m.index.astype(str)
        return m

    def _sec_talent(self, sec):
        import matplotlib.pyplot as plt

        from ..talent import (jpm_category, job_person_match, nine_box, placement_consistency,
                              plot_jpm_distribution, plot_nine_box)

        c = self.cand
        if len(c) < self.min_group_size:
            # a cohort this small gets no individual-level talent result at all
            return self.too_few(sec, self.t("candidates"), len(c), self.min_group_size)
        lo, hi = self.jpm_cuts
        sec.paragraphs.append(self.t("talent_text" if self.jpm_scheme == "mapping" else "talent_text_selection",
                                     lo=lo, hi=hi))
        # candidates missing a required competency get NaN: counted and said in the jpm_missing note
        jpm = self.jpm()
        if jpm.isna().any():
            sec.paragraphs.append(self.t("jpm_missing", n=int(jpm.isna().sum())))
        ceiling = [lv for lv in sorted(set(c["position_level"].astype(str)))
                   if _standard_at_floor(lv)]
        if ceiling:
            sec.paragraphs.append(self.t("jpm_ceiling", levels=", ".join(column_label(lv, self.lang) for lv in ceiling)))
        cat = jpm_category(jpm, scheme=self.jpm_scheme, cuts=self.jpm_cuts)
        tab = pd.crosstab(c["position_level"].astype(str), cat)
        tab.index.name = self.t("position_level")
        sec.add_table(self.t("category"), self._suppressed(tab))
        fig, ax = plt.subplots(figsize=(6.5, 3.2))
        plot_jpm_distribution(jpm, c["position_level"].astype(str), cuts=self.jpm_cuts, ax=ax, points=False,
                              min_count=self.min_group_size)
        ax.set_title(self.t("jpm_distribution"))
        sec.add_figure(self.t("jpm"), fig)
        # category totals in results.json only where the table hides no cell of that category (a total with
        # hidden cells would give them back by subtraction)
        hidden_cols = suppression_mask(tab, self.min_group_size).any(axis=0)
        res = {"jpm_mean": _num(jpm.mean()),
               "jpm_categories": {str(col): (None if hide else int(tab[col].sum()))
                                  for col, hide in zip(tab.columns, hidden_cols)}}
        # how trustworthy the JPM category of each person is: decision consistency at the JPM cuts, with the
        # dependability (Phi) of the overall rating as the reliability of the JPM
        rel, rel_source = self.overall_reliability()
        if np.isfinite(rel) and int(jpm.notna().sum()) >= 3 and float(np.nanstd(jpm)) > 0:
            from ..reassessment import decision_consistency

            dc = decision_consistency(jpm, reliability=min(rel, 1.0), cuts=list(self.jpm_cuts),
                                      labels=list(cat.cat.categories), n_boot=self.n_boot, seed=self.seed)
            jc = dc.attrs["consistency"]
            band = float(dc["sem_high"].dropna().iloc[0] - dc["score"].dropna().iloc[0])
            sec.paragraphs.append(self.t("jpm_consistency_text", rel=rel, agree=float(jc.loc["agreement", "value"]),
                                         kappa=float(jc.loc["kappa", "value"]), acc=float(jc.loc["accuracy", "value"]),
                                         band=band))
            shown_jc = jc.copy()
            shown_jc.index = [column_label(k, self.lang) for k in shown_jc.index]
            sec.add_table(self.t("ind_jpm_consistency"), shown_jc)
            res |= {"jpm_consistency": {str(k): [_num(jc.loc[k, c_]) for c_ in ("value", "ci_low", "ci_high")]
                                        for k in jc.index},
                    "jpm_sem_band": _num(band)}
            self._indicator(sec, "jpm_consistency", "ind_jpm_consistency", float(jc.loc["kappa", "value"]),
                            self.standards["jpm_consistency"],
                            (float(jc.loc["kappa", "ci_low"]), float(jc.loc["kappa", "ci_high"])))
        perf = c["performance"] if "performance" in c else pd.Series(np.nan, index=c.index)
        ok = perf.notna()
        if ok.sum() < max(MIN["talent"], 3) or not np.isfinite(rel):
            sec.paragraphs.append(self.t("too_few", what=self.t("with_performance"), n=int(ok.sum()),
                                         need=max(MIN["talent"], 3)))
            sec.results = res
            return sec
        sec.paragraphs.append(self.t("ninebox_text", pcuts=self.potential_cuts, fcuts=self.performance_cuts, rel=rel))
        ok &= jpm.notna()
        try:
            pc = placement_consistency(jpm[ok], perf[ok], potential_reliability=min(rel, 1.0),
                                       performance_reliability=self.criterion_reliability,
                                       potential_cuts=self.potential_cuts, performance_cuts=self.performance_cuts,
                                       n_sim=2000, seed=self.seed, n_boot=self.n_boot, level=0.95,
                                       potential_reliability_ci=self._rel_ci_for(rel))
        except ValueError as exc:  # e.g. an observed correlation the stated reliabilities cannot produce
            reason = self.scrub(str(exc))
            sec.paragraphs.append(self.t("failed_section", reason=reason))
            sec.results = res | {"nine_box_reason": reason}
            return sec
        if self.include_identities:  # this agency's own individual results, only on request
            ind = pd.DataFrame({"jpm": jpm[ok], "category": cat[ok], "performance": perf[ok], "box": pc["box"],
                                "p_correct": pc["p_correct"]})
            sec.add_table(self.t("individual_results"), ind)
        box_counts = pc["box"].value_counts().reindex(range(1, 10), fill_value=0)
        sec.add_table(self.t("box"), self._suppressed(box_counts.rename(self.t("count")).to_frame().T))
        cons = pc.attrs["consistency"]
        sec.add_table(self.t("ind_consistency"), cons)
        fig, ax = plt.subplots(figsize=(5, 4.5))
        plot_nine_box(pc, lang=self.lang, ax=ax, min_count=self.min_group_size)
        sec.add_figure(self.t("sec_talent"), fig)
        agree = float(cons.loc["nine_box", "agreement"])
        kappa = float(cons.loc["nine_box", "kappa"])
        kappa_ci = (float(cons.loc["nine_box", "kappa_ci_low"]), float(cons.loc["nine_box", "kappa_ci_high"])) \
            if "kappa_ci_low" in cons else (float("nan"), float("nan"))
        res |= {"n_nine_box": int(ok.sum()), "nine_box_agreement": _num(agree), "nine_box_kappa": _num(kappa),
                "nine_box_kappa_ci": [_num(kappa_ci[0]), _num(kappa_ci[1])],
                "potential_reliability_ci": list(self._rel_ci_for(rel) or (None, None)),
                "potential_reliability": _num(rel), "potential_reliability_source": rel_source,
                "box_counts": {int(k): (None if hide else int(v)) for (k, v), hide in
                               zip(box_counts.items(), suppression_mask(box_counts.to_frame().T, self.min_group_size)[0])}}
        sec.results = res
        # the verdict rests on kappa (chance-corrected), with its bootstrap interval over candidates that also
        # carries the uncertainty of the potential reliability
        self._indicator(sec, "consistency", "ind_consistency", kappa, self.standards["consistency"], kappa_ci)
        return sec

    def jpm(self) -> pd.Series:
        """JPM (%) of every rated candidate against the standard of their position level (NaN, counted in the
        talent section, for a candidate missing a required competency)."""
        from ..talent import job_person_match

        c = self.cand
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*lack a level on a required competency", category=UserWarning)
            return job_person_match(self.achieved_levels().loc[c.index], c["position_level"].astype(str))

    def previous_context(self) -> AgencyContext | None:
        """The report context of the occasion before the latest one (None with one occasion)."""
        if self.all_occasions is None:
            return None
        if "_previous" not in self.__dict__:
            prev = self.all_occasions.for_occasion(self.occasions[-2])
            self._previous = AgencyContext(prev, self.agency, **self._settings)
        return self._previous

    def _count_or_hidden(self, n: int):
        """A count of persons for a table or text: hidden when 1-4 (below the minimum group size)."""
        return n if n == 0 or n >= self.min_group_size else None

    def _sec_reassessment(self, sec):
        from ..agreement import assessor_diagnostics
        from ..reassessment import reliable_change, test_retest, transition_table
        from ..talent import jpm_category

        prev = self.previous_context()
        if prev is None:  # one occasion: the section does not appear
            sec.status = "absent"
            sec.results = {"status": "absent"}
            return sec
        first, last = self.occasions[-2], self.occasions[-1]
        o1, o2 = prev.cand["oar"], self.cand["oar"]
        both = o1.index.intersection(o2.index)
        counts = {"both": len(both), "first_only": len(o1.index.difference(o2.index)),
                  "second_only": len(o2.index.difference(o1.index))}
        shown = {k: self._count_or_hidden(v) for k, v in counts.items()}
        fmt = {k: (f"{v:,}" if v is not None else self.t("suppressed", k=self.min_group_size)) for k, v in shown.items()}
        sec.paragraphs.append(self.t("reassess_text", first=first, last=last, **fmt))
        res = {"occasions": [first, last], "n_both": shown["both"], "n_first_only": shown["first_only"],
               "n_second_only": shown["second_only"]}
        if counts["both"] < MIN["reassessment"]:
            sec.paragraphs.append(self.t("too_few", what=self.t("persons_both"), n=counts["both"],
                                         need=MIN["reassessment"]))
            sec.status = "too_few"
            sec.results = res | {"status": "too_few", "need": MIN["reassessment"]}
            return sec
        # stability of the overall rating and of the JPM, the OAR disattenuated by the G coefficients
        g1, _ = prev.overall_reliability("g_coefficient")
        g2, _ = self.overall_reliability("g_coefficient")
        rel_ok = all(np.isfinite(g) and 0 < g <= 1 for g in (g1, g2))
        tr_oar = test_retest(o1, o2, reliability_t1=g1 if rel_ok else None, reliability_t2=g2 if rel_ok else None)
        j1, j2 = prev.jpm(), self.jpm()
        tr_jpm = test_retest(j1, j2)
        rows = ["ICC(A,1)", "ICC(C,1)", "pearson_r", "disattenuated_r", "mean_change", "d_z"]
        stab = pd.DataFrame({(column_label("oar", self.lang), col): tr_oar.loc[rows, col]
                             for col in ("value", "ci_low", "ci_high")}
                            | {(self.t("jpm"), col): tr_jpm.loc[rows, col] for col in ("value", "ci_low", "ci_high")})
        stab.index = [column_label(k, self.lang) for k in rows]
        stab.columns = pd.MultiIndex.from_tuples([(a, column_label(b, self.lang)) for a, b in stab.columns])
        sec.paragraphs.append(self.t("reassess_stability", g1=g1, g2=g2))
        if np.isfinite(tr_oar.loc["disattenuated_r", "value"]) and tr_oar.loc["disattenuated_r", "value"] > 1:
            sec.paragraphs.append(self.t("reassess_above_one"))
        sec.add_table(self.t("reassess_stability_title"), stab)
        res |= {"oar": {k: {c: _num(tr_oar.loc[k, c]) for c in ("value", "ci_low", "ci_high")} for k in rows},
                "jpm": {k: {c: _num(tr_jpm.loc[k, c]) for c in ("value", "ci_low", "ci_high")} for k in rows},
                "g_coefficient": [_num(g1), _num(g2)]}
        # reliable change of the overall rating: Jacobson & Truax, and Chelune's practice-adjusted version (the
        # mean change of the cohort, retest effect included, taken out); counts only
        if rel_ok:
            classes = ["improved", "no_reliable_change", "declined"]
            tab_rows, rc_res = {}, {}
            for method in ("jacobson_truax", "chelune"):
                rc = reliable_change(o1, o2, reliability=g1, method=method)
                cnt = rc["classification"].value_counts().reindex(classes, fill_value=0)
                tab_rows[method] = cnt
                hidden = suppression_mask(cnt.to_frame().T, self.min_group_size)[0]
                rc_res[method] = {k: (None if h else int(v)) for (k, v), h in zip(cnt.items(), hidden)}
            tab = pd.DataFrame(tab_rows).T
            tab.index = [column_label(m, self.lang) for m in tab.index]
            tab.columns = [column_label(c, self.lang) for c in tab.columns]
            sec.paragraphs.append(self.t("reassess_rci", mdc=float(rc.attrs["mdc"]), sem=float(rc.attrs["sem"])))
            sec.add_table(self.t("reassess_rci_title"), self._suppressed(tab))
            res |= {"mdc": _num(rc.attrs["mdc"]), "sem": _num(rc.attrs["sem"]), "reliable_change": rc_res}
        # JPM categories: transitions, collapsed to stayed / up / down beside those measurement error alone would
        # give; the full table and its tests only when no cell of it is small (its statistics would give small
        # cells back)
        c1 = jpm_category(j1.dropna(), scheme=self.jpm_scheme, cuts=self.jpm_cuts)
        c2 = jpm_category(j2.dropna(), scheme=self.jpm_scheme, cuts=self.jpm_cuts)
        labels_ = list(c1.cat.categories)
        tt = transition_table(c1, c2, categories=labels_, scores=(j1.dropna(), j2.dropna()))
        obs = tt.table.to_numpy(dtype=float)
        moves = {"stayed": float(np.trace(obs)), "up": float(np.triu(obs, 1).sum()), "down": float(np.tril(obs, -1).sum())}
        p1, _ = prev.overall_reliability("phi")
        p2, _ = self.overall_reliability("phi")
        exp_moves = None
        if all(np.isfinite(p) and 0 < p <= 1 for p in (p1, p2)):
            exp = tt.expected_by_error(min(p1, 1.0), min(p2, 1.0), list(self.jpm_cuts)).to_numpy(dtype=float)
            exp_moves = {"stayed": float(np.trace(exp)), "up": float(np.triu(exp, 1).sum()),
                         "down": float(np.tril(exp, -1).sum())}
            res |= {"phi": [_num(p1), _num(p2)]}
        full_hidden = bool(np.asarray(suppression_mask(tt.table, self.min_group_size)).any())
        move_counts = pd.Series(moves).astype(int)
        move_hidden = suppression_mask(move_counts.to_frame().T, self.min_group_size)[0]
        shown_moves = {k: (None if h else int(v)) for (k, v), h in zip(move_counts.items(), move_hidden)}
        tab = pd.DataFrame({self.t("observed"): [shown_moves[k] if shown_moves[k] is not None
                                                 else self.t("suppressed", k=self.min_group_size) for k in moves]},
                           index=[column_label(k, self.lang) for k in moves]).T
        if exp_moves is not None:
            # expected frequencies with one decimal (three would read like thousands: 17,400)
            tab.loc[self.t("expected_error")] = [format_number(exp_moves[k], ".1f", self.lang) for k in moves]
        sec.paragraphs.append(self.t("reassess_transitions", p1=p1, p2=p2))
        sec.add_table(self.t("reassess_transitions_title"), tab)
        # persons who changed category, up or down: a total of its own (n minus those who stayed), shown unless small
        n_changed = self._count_or_hidden(int(moves["up"] + moves["down"]))
        if exp_moves is not None and n_changed is not None:
            n_obs = n_changed
            n_exp = exp_moves["up"] + exp_moves["down"]
            sec.paragraphs.append(self.t("reassess_moves_more" if n_obs > 1.5 * n_exp + 2 else "reassess_moves_like",
                                         obs=n_obs, exp=n_exp))
        res |= {"moves": shown_moves, "changed": n_changed,
                "expected_moves": ({k: _num(v) for k, v in exp_moves.items()}
                                                          if exp_moves is not None else None)}
        if full_hidden:
            sec.paragraphs.append(self.t("reassess_table_hidden", k=self.min_group_size))
        else:
            t_full = tt.table.copy()
            t_full.index.name = self.t("occasion_of", occasion=first)
            t_full.columns.name = self.t("occasion_of", occasion=last)
            sec.add_table(self.t("reassess_full_title"), t_full)
            sec.paragraphs.append(self.t("reassess_tests", kappa=float(tt.kappa.value), lo=float(tt.kappa.ci_low),
                                         hi=float(tt.kappa.ci_high), p_sym=_fmt_p(float(tt.bowker.p), self.lang),
                                         df_sym=int(tt.bowker.df), p_marg=_fmt_p(float(tt.stuart_maxwell.p), self.lang),
                                         df_marg=int(tt.stuart_maxwell.df), n=counts["both"]))
            res |= {"kappa": _est_dict(tt.kappa), "weighted_kappa": _est_dict(tt.weighted_kappa),
                    "bowker": {"statistic": _num(tt.bowker.statistic), "df": _num(tt.bowker.df),
                               "pvalue": _num(tt.bowker.p)},
                    "stuart_maxwell": {"statistic": _num(tt.stuart_maxwell.statistic),
                                       "df": _num(tt.stuart_maxwell.df), "pvalue": _num(tt.stuart_maxwell.p)}}
        # relative leniency of the assessors who rated at both occasions
        l1 = assessor_diagnostics(prev.data.ratings)["leniency"]
        l2 = assessor_diagnostics(self.data.ratings)["leniency"]
        l1.index, l2.index = l1.index.astype(str), l2.index.astype(str)
        common = l1.dropna().index.intersection(l2.dropna().index)
        res["n_assessors_both"] = int(len(common))
        if len(common) >= 3:
            drift = test_retest(l1, l2)
            sec.paragraphs.append(self.t("reassess_drift", n=len(common), r=float(drift.loc["pearson_r", "value"]),
                                         r_lo=float(drift.loc["pearson_r", "ci_low"]),
                                         r_hi=float(drift.loc["pearson_r", "ci_high"]),
                                         change=float(drift.loc["mean_change", "value"]),
                                         lo=float(drift.loc["mean_change", "ci_low"]),
                                         hi=float(drift.loc["mean_change", "ci_high"])))
            res |= {"drift_r": [_num(drift.loc["pearson_r", c]) for c in ("value", "ci_low", "ci_high")],
                    "drift_mean_change": [_num(drift.loc["mean_change", c]) for c in ("value", "ci_low", "ci_high")]}
        else:
            sec.paragraphs.append(self.t("reassess_no_drift", n=len(common)))
        sec.results = res
        return sec

    def _sec_methods(self, sec):
        sec.paragraphs.append(self.t("methods_text"))
        # every standard and cut-off with its value and source: the psikometri default (and its reference) or the
        # agency's configuration file
        sec.paragraphs.append(self.t("settings_text", n_inv=MIN["invariance"], n_dif=MIN["dif"]))
        sec.add_table(self.t("settings_table"), self.settings_table())
        refs = [
            "Bowler, M. C., & Woehr, D. J. (2006). A meta-analytic evaluation of the impact of dimension and "
            "exercise factors on assessment center ratings. Journal of Applied Psychology, 91, 1114-1124.",
            "Buckett, A., Becker, J. R., & Melchers, K. G. (2020). How different indicator-dimension ratios in "
            "assessment center ratings affect evidence for dimension factors. Frontiers in Psychology, 11, 459.",
            "Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance. "
            "Structural Equation Modeling, 14, 464-504.",
            "Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing measurement "
            "invariance. Structural Equation Modeling, 9, 233-255.",
            "Hoffman, B. J., Melchers, K. G., Blair, C. A., Kleinmann, M., & Ladd, R. T. (2011). Exercises and "
            "dimensions are the currency of assessment centers. Personnel Psychology, 64, 351-395.",
            "Holland, P. W., & Thayer, D. T. (1988). Differential item performance and the Mantel-Haenszel "
            "procedure. In H. Wainer & H. I. Braun (Eds.), Test Validity (pp. 129-145). Erlbaum.",
            "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of "
            "Statistics, 6, 65-70.",
            "Lance, C. E., Lambert, T. A., Gewin, A. G., Lievens, F., & Conway, J. M. (2004). Revised estimates of "
            "dimension and exercise variance components in assessment center postexercise dimension ratings. "
            "Journal of Applied Psychology, 89, 377-385.",
            "Lievens, F., & Conway, J. M. (2001). Dimension and exercise variance in assessment center scores: a "
            "large-scale evaluation of multitrait-multimethod studies. Journal of Applied Psychology, 86, "
            "1202-1222.",
            "Mantel, N. (1963). Chi-square tests with one degree of freedom: extensions of the Mantel-Haenszel "
            "procedure. Journal of the American Statistical Association, 58, 690-700.",
            "Zieky, M. (1993). Practical questions in the use of DIF statistics in test development. In P. W. "
            "Holland & H. Wainer (Eds.), Differential Item Functioning (pp. 337-347). Erlbaum.",
            "Zwick, R., Thayer, D. T., & Mazzeo, J. (1997). Descriptive and inferential procedures for assessing "
            "differential item functioning in polytomous items. Applied Measurement in Education, 10, 321-344.",
            "Brennan, R. L. (2001). Generalizability Theory. Springer.",
            "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16, 297-334.",
            "Livingston, S. A., & Lewis, C. (1995). Estimating the consistency and accuracy of classifications based on "
            "test scores. Journal of Educational Measurement, 32, 179-197.",
            "Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability measure for "
            "coding data. Communication Methods and Measures, 1, 77-89.",
            "Hunter, J. E., Schmidt, F. L., & Le, H. (2006). Implications of direct and indirect range restriction "
            "for meta-analysis methods and findings. Journal of Applied Psychology, 91, 594-612.",
            "International Taskforce on Assessment Center Guidelines (2015). Journal of Management, 41, 1244-1273.",
            "Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass correlation "
            "coefficients. Journal of Chiropractic Medicine, 15, 155-163.",
            "Cleary, T. A. (1968). Test bias: prediction of grades of Negro and white students in integrated "
            "colleges. Journal of Educational Measurement, 5, 115-124.",
            "Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.",
            "Equal Employment Opportunity Commission et al. (1978). Uniform Guidelines on Employee Selection "
            "Procedures. 29 CFR 1607.4(D) (the four-fifths rule).",
            "Gaugler, B. B., Rosenthal, D. B., Thornton, G. C., & Bentson, C. (1987). Meta-analysis of assessment "
            "center validity. Journal of Applied Psychology, 72, 493-511.",
            "Hermelin, E., Lievens, F., & Robertson, I. T. (2007). The validity of assessment centres for the "
            "prediction of supervisory performance ratings: a meta-analysis. International Journal of Selection "
            "and Assessment, 15, 405-411.",
            "Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for categorical data. "
            "Biometrics, 33, 159-174.",
            "Nunnally, J. C., & Bernstein, I. H. (1994). Psychometric Theory (3rd ed.). McGraw-Hill.",
            "Viswesvaran, C., Ones, D. S., & Schmidt, F. L. (1996). Comparative analysis of the reliability of job "
            "performance ratings. Journal of Applied Psychology, 81, 557-574.",
            "Field, C. A., & Welsh, A. H. (2007). Bootstrapping clustered data. Journal of the Royal Statistical "
            "Society B, 69, 369-390.",
            "Lance, C. E. (2008). Why assessment centers do not work the way they are supposed to. Industrial and "
            "Organizational Psychology, 1, 84-97.",
            "Lautenschlager, G. J., & Mendoza, J. L. (1986). A step-down hierarchical multiple regression analysis "
            "for examining hypotheses about test bias in prediction. Applied Psychological Measurement, 10, "
            "133-139.",
            "McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation "
            "coefficients. Psychological Methods, 1, 30-46.",
            "McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.",
            "Putka, D. J., & Hoffman, B. J. (2013). Clarifying the contribution of assessee-, dimension-, "
            "exercise-, and assessor-related effects to reliable and unreliable variance in assessment center "
            "ratings. Journal of Applied Psychology, 98, 114-133.",
            "Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability. "
            "Psychological Bulletin, 86, 420-428.",
            "PermenPANRB 38/2017 tentang Standar Kompetensi Jabatan ASN; PermenPANRB 3/2020 tentang Manajemen Talenta ASN.",
        ]
        if self.all_occasions is not None:  # the methods of the re-assessment section
            refs += [
                "Bowker, A. H. (1948). A test for symmetry in contingency tables. Journal of the American "
                "Statistical Association, 43, 572-574.",
                "Chelune, G. J., Naugle, R. I., Lueders, H., Sedlak, J., & Awad, I. A. (1993). Individual change after "
                "epilepsy surgery: practice effects and base-rate information. Neuropsychology, 7, 41-52.",
                "Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining "
                "meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59, 12-19.",
                "Maxwell, A. E. (1970). Comparing the classification of subjects by two independent judges. British "
                "Journal of Psychiatry, 116, 651-655.",
                "Peraturan BKN 26/2019 tentang Pembinaan Penyelenggara Penilaian Kompetensi PNS.",
                "Stuart, A. (1955). A test for homogeneity of the marginal distributions in a two-way classification. "
                "Biometrika, 42, 412-416.",
            ]
        refs = sorted(refs, key=str.casefold)
        tab = pd.DataFrame({self.t("references"): refs}, index=pd.RangeIndex(1, len(refs) + 1))
        sec.add_table(self.t("references"), tab)
        return sec


def _same(a, b) -> bool:
    """Two setting values are equal (tuples and lists alike, numbers compared as floats)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return float(a) == float(b)
    return a == b


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
