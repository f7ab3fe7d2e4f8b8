"""Excel and Word versions of an agency report, and the national workbook beside ``index.html``.

One source of truth: the notebook's last cell calls :func:`write_exports` with its
:class:`~psikometri.report.sections.AgencyContext`, so the workbook and the Word
document are written from the very :class:`~psikometri.report.sections.Section`
objects the HTML shows (same tables, same captions, same suppressed cells, same
paragraphs), in the report's staging folder; the runner moves them into place with
the other outputs.  Nothing is recomputed here.

* ``report_<agency>_<lang>.xlsx``: a contents sheet, then one sheet per section
  (name at most 31 characters, unique) with the section's paragraphs and each of
  its tables as an Excel table under its caption.  Headers are the report's
  (Indonesian by default); numbers stay numbers with number formats (three
  decimals for coefficients, whole numbers for counts; Excel shows the decimal
  comma of its own locale); interval ends are their own columns; a suppressed
  cell holds the text the HTML shows.
* ``report_<agency>_<lang>.docx``: title, headings, paragraphs, Word tables with the
  cells as the HTML shows them, the figures as PNG; A4; document language
  ``id-ID`` (or ``en-GB``).
* ``index.xlsx`` (``index_<lang>.xlsx`` for another language): one row per agency
  with its number of candidates and every indicator's value, interval, standard
  and verdict (from the agencies' ``results.json``), and the same figures in long
  form for a dashboard.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .i18n import column_label, tr
from .runner import agency_slug, atomic_write, report_paths

__all__ = ["EXPORT_FORMATS", "write_exports", "write_xlsx", "write_docx", "write_national_workbook",
           "export_path", "sheet_names", "report_sections", "national_workbook_name"]

#: the formats written from the report's sections (the others come from the executed notebook)
EXPORT_FORMATS = ("xlsx", "docx")

_DOC_LANG = {"id": "id-ID", "en": "en-GB"}
_P_COLUMNS = {"p", "pval", "p_z", "p_fisher", "p_value"}

FMT_COEF = "0.000"
FMT_COUNT = "#,##0"
FMT_LARGE = "0.00E+00"


def export_path(output_dir, agency: str, lang: str, fmt: str) -> Path:
    """``output_dir/report_<slug>_<lang>.<fmt>`` (the names :func:`~psikometri.report.runner.report_paths` uses)."""
    return Path(output_dir) / f"report_{agency_slug(agency)}_{lang}.{fmt}"


def national_workbook_name(lang: str) -> str:
    """``index.xlsx`` for Bahasa Indonesia, ``index_<lang>.xlsx`` for another language (as ``index.html``)."""
    return "index.xlsx" if lang == "id" else f"index_{lang}.xlsx"


def report_sections(ctx) -> list:
    """The sections of ``ctx`` the report shows, in order (a section that does not apply is left out)."""
    from .sections import SECTION_KEYS

    return [s for s in (ctx.section(k) for k in SECTION_KEYS) if s.status != "absent"]


def _check_formats(formats) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    formats = tuple(formats or ())
    bad = [f for f in formats if f not in EXPORT_FORMATS]
    if bad:
        raise ValueError(f"formats {bad} cannot be written from the report's sections: use a subset of "
                         f"{', '.join(EXPORT_FORMATS)} (html, ipynb and pdf come from the executed notebook).")
    return formats


def write_exports(ctx, formats, output_dir=None) -> list[Path]:
    """Write the report of ``ctx`` as each of ``formats`` (``"xlsx"``, ``"docx"``) into ``output_dir``.

    ``output_dir`` defaults to the context's ``output_dir`` (the staging folder of a batch run).  Returns the
    paths written; each file is written atomically.
    """
    import psikometri

    formats = _check_formats(formats)
    if not formats:
        return []
    from .i18n import use_names

    out = Path(output_dir or ctx.output_dir or ".")
    sections = report_sections(ctx)
    title = f"{tr('report_title', ctx.lang)}: {getattr(ctx, 'display_name', ctx.agency)}"
    subtitle = tr("generated", ctx.lang, version=psikometri.__version__, seed=ctx.seed, n_boot=ctx.n_boot)
    written = []
    for fmt in formats:
        path = export_path(out, ctx.agency, ctx.lang, fmt)
        writer = write_xlsx if fmt == "xlsx" else write_docx
        with use_names(getattr(ctx, "names", None)):  # the agency's names of its competencies and exercises
            writer(sections, path, title=title, subtitle=subtitle, lang=ctx.lang)
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------- table cells
def _is_nan(v) -> bool:
    return isinstance(v, (float, np.floating)) and math.isnan(v)


def _cell(v, lang: str, p_column: bool = False):
    """(value for a spreadsheet, its number format or None) of one table cell, as the HTML shows it."""
    from .sections import _fmt_cell

    if v is None or v is pd.NA or v is pd.NaT or _is_nan(v):
        return "-", None
    if isinstance(v, (bool, np.bool_)):
        return column_label(str(bool(v)), lang), None
    if isinstance(v, (int, np.integer)):
        return int(v), FMT_COUNT
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isinf(v):
            return ("∞" if v > 0 else "-∞"), None
        if p_column:
            below = "< 0,001" if lang == "id" else "< 0.001"
            return v, f'[<0.001]"{below}";{FMT_COEF}'
        if abs(v) >= 1e6:
            return v, FMT_LARGE
        if (v.is_integer() and abs(v) >= 1) or abs(v) >= 1000:
            return v, FMT_COUNT
        return v, FMT_COEF
    if isinstance(v, str):
        return column_label(v, lang), None
    return str(_fmt_cell(v, lang)), None


def _text(v, lang: str, p_column: bool = False) -> str:
    """One table cell as text, exactly as the HTML shows it."""
    from .sections import _fmt_cell, _fmt_p

    if v is None or v is pd.NA or v is pd.NaT or _is_nan(v):
        return "-"
    return str((_fmt_p if p_column else _fmt_cell)(v, lang))


def table_grid(df: pd.DataFrame, lang: str = "id"):
    """``(header, rows)`` of a report table: row labels first (unless the index is a plain range), then columns.

    Each row is a list of ``(raw value, is a p value)``; headers are the report's labels, unique and non-empty
    (an Excel table needs both).
    """
    frames = []
    heads = []
    if not isinstance(df.index, pd.RangeIndex):
        names = list(df.index.names)
        for i, name in enumerate(names):
            if name:
                heads.append(str(column_label(name, lang)))
            elif len(names) == 1 and df.columns.name:
                heads.append(str(column_label(df.columns.name, lang)))
            else:
                heads.append(tr("row_label", lang))
            frames.append([(v, False) for v in df.index.get_level_values(i)])
    for c in df.columns:
        parts = c if isinstance(c, tuple) else (c,)
        heads.append(" / ".join(str(column_label(str(p), lang)) for p in parts))
        is_p = any(str(p) in _P_COLUMNS for p in parts)
        frames.append([(v, is_p) for v in df[c].tolist()])
    seen: dict[str, int] = {}
    unique = []
    for h in heads:
        h = h.strip() or "-"
        n = seen.get(h.lower(), 0)
        seen[h.lower()] = n + 1
        unique.append(h if n == 0 else f"{h} ({n + 1})")
    rows = [list(r) for r in zip(*frames)] if frames else []
    return unique, rows


# ---------------------------------------------------------------------------------------------- xlsx
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def sheet_names(titles) -> list[str]:
    """Worksheet names for section ``titles``: no ``[]:*?/\\``, at most 31 characters, unique (ignoring case)."""
    out, used = [], set()
    for t in titles:
        base = re.sub(r"\s+", " ", _BAD_SHEET.sub(" ", str(t))).strip(" '") or "-"
        name = base[:31].rstrip()
        k = 2
        while name.lower() in used:
            tail = f" ({k})"
            name = base[:31 - len(tail)].rstrip() + tail
            k += 1
        used.add(name.lower())
        out.append(name)
    return out


def _widths(ws, widths: dict[int, int]) -> None:
    from openpyxl.utils import get_column_letter

    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(60, w + 2))


def _workbook_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(sections, path, *, title: str, subtitle: str = "", lang: str = "id") -> Path:
    """Write ``sections`` as a workbook: a contents sheet, then one sheet per section with its tables."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = Workbook()
    cover = wb.active
    cover.title = tr("contents", lang)
    cover["A1"] = title
    cover["A1"].font = Font(bold=True, size=14)
    if subtitle:
        cover["A2"] = subtitle
        cover["A2"].font = Font(italic=True)
    names = sheet_names([s.title for s in sections])
    cover.append([])
    cover.append([tr("section", lang), tr("sheet", lang)])
    for c in cover[cover.max_row]:
        c.font = Font(bold=True)
    for sec, name in zip(sections, names):
        cover.append([sec.title, name])
        cell = cover.cell(cover.max_row, 2)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1", display=name)
    _widths(cover, {1: max(len(s.title) for s in sections) if sections else 20, 2: 32})

    n_table = 0
    for sec, name in zip(sections, names):
        ws = wb.create_sheet(name)
        ws["A1"] = sec.title
        ws["A1"].font = Font(bold=True, size=13)
        widths: dict[int, int] = {1: 12}
        for p in sec.paragraphs:
            ws.append([p])
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False, vertical="top")
        for kind, caption, obj in sec.blocks:
            if kind != "table":
                continue
            ws.append([])
            ws.append([caption])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            header, rows = table_grid(obj, lang)
            ws.append(header)
            top = ws.max_row
            for j, h in enumerate(header, 1):
                widths[j] = max(widths.get(j, 0), min(len(h), 40))
            if not rows:  # an Excel table needs one data row
                ws.append([None] * len(header))
            for row in rows:
                ws.append([None] * len(header))
                r = ws.max_row
                for j, (v, is_p) in enumerate(row, 1):
                    value, fmt = _cell(v, lang, is_p)
                    c = ws.cell(r, j, value)
                    if fmt:
                        c.number_format = fmt
                    widths[j] = max(widths.get(j, 0), min(len(str(value)) if fmt is None else 10, 40))
            n_table += 1
            ref = f"A{top}:{get_column_letter(len(header))}{ws.max_row}"
            tab = Table(displayName=f"Tabel_{n_table}", ref=ref)
            tab.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
            ws.add_table(tab)
        _widths(ws, widths)
    wb.properties.title = title
    wb.properties.language = _DOC_LANG.get(lang, lang)
    path = Path(path)
    atomic_write(path, _workbook_bytes(wb))
    return path


# ---------------------------------------------------------------------------------------------- docx
def _set_language(doc, code: str) -> None:
    """The document's proofing language: default run properties of the document and of its Normal style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    for target in (rpr, doc.styles["Normal"].element.get_or_add_rPr()):
        lang = target.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            target.append(lang)
        lang.set(qn("w:val"), code)  # Latin-script text; East Asian and bidirectional settings are kept
    doc.core_properties.language = code


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def write_docx(sections, path, *, title: str, subtitle: str = "", lang: str = "id") -> Path:
    """Write ``sections`` as a Word document (A4): headings, paragraphs, tables and figures."""
    try:
        import docx
    except ImportError:
        raise RuntimeError("format 'docx' needs python-docx (pip install python-docx)") from None
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    doc = docx.Document()
    sect = doc.sections[0]
    sect.orientation = WD_ORIENT.PORTRAIT
    sect.page_width, sect.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sect, side, Mm(20))
    _set_language(doc, _DOC_LANG.get(lang, lang))
    doc.core_properties.title = title
    doc.core_properties.author = "psikometri"
    text_width = Mm(170)

    doc.add_heading(title, level=0)
    if subtitle:
        doc.add_paragraph().add_run(subtitle).italic = True
    for sec in sections:
        doc.add_heading(sec.title, level=1)
        for p in sec.paragraphs:
            doc.add_paragraph(p)
        for kind, caption, obj in sec.blocks:
            if kind == "table":
                cap = doc.add_paragraph(style="Caption")
                cap.add_run(caption).bold = True
                header, rows = table_grid(obj, lang)
                table = doc.add_table(rows=1 + len(rows), cols=len(header))
                table.style = "Table Grid"
                size = Pt(8) if len(header) > 6 else Pt(9)
                for j, h in enumerate(header):
                    cell = table.rows[0].cells[j]
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(h)
                    run.bold = True
                    run.font.size = size
                _repeat_header(table.rows[0])
                for i, row in enumerate(rows, 1):
                    cells = table.rows[i].cells
                    for j, (v, is_p) in enumerate(row):
                        cells[j].text = ""
                        cells[j].paragraphs[0].add_run(_text(v, lang, is_p)).font.size = size
                doc.add_paragraph()
            else:
                from docx.shared import Emu

                pic = doc.add_picture(io.BytesIO(obj))
                if pic.width > text_width:
                    ratio = text_width / pic.width
                    pic.width, pic.height = Emu(int(text_width)), Emu(int(pic.height * ratio))
                doc.add_paragraph(caption, style="Caption")
    buf = io.BytesIO()
    doc.save(buf)
    path = Path(path)
    atomic_write(path, buf.getvalue())
    return path


# ---------------------------------------------------------------------------------------------- national
def _indicator_label(key: str, lang: str) -> str:
    from .index import _IND

    return tr(_IND[key], lang) if key in _IND else str(column_label(key, lang))


def national_tables(out, lang: str = "id", agencies=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per agency, one row per agency x indicator) from the agencies' ``results.json`` and the batch log.

    Failed agencies of the last batch are rows with their status and no figures.
    """
    from .index import collect_results

    out = Path(out)
    results = collect_results(out, lang, agencies)
    batch = out / f"batch_{lang}.json"
    failed = []
    if batch.exists():
        failed = [r["agency"] for r in json.loads(batch.read_text())["results"] if r["status"] == "failed"]
    agency_h, n_h, status_h = tr("agency", lang), tr("candidates", lang), tr("status", lang)
    wide, long = [], []
    for r in results:
        if r["agency"] in failed:
            continue
        row = {agency_h: r["agency"], status_h: tr("done", lang), n_h: int(r["n_candidates"])}
        for ind in r.get("indicators", []):
            name = _indicator_label(ind["key"], lang)
            verdict = tr(ind["verdict"], lang) if ind.get("verdict") else None
            row[name] = ind.get("value")
            row[f"{name}: {column_label('ci_low', lang)}"] = ind.get("ci_low")
            row[f"{name}: {column_label('ci_high', lang)}"] = ind.get("ci_high")
            row[f"{name}: {tr('verdict', lang)}"] = verdict
            long.append({agency_h: r["agency"], tr("indicator", lang): name, tr("value", lang): ind.get("value"),
                         column_label("ci_low", lang): ind.get("ci_low"),
                         column_label("ci_high", lang): ind.get("ci_high"),
                         tr("standard", lang): ind.get("standard"), tr("verdict", lang): verdict})
        wide.append(row)
    for a in failed:
        wide.append({agency_h: a, status_h: tr("failed", lang)})
    wide_df = pd.DataFrame(wide, columns=list(dict.fromkeys([agency_h, status_h, n_h]
                                                             + [k for w in wide for k in w])))
    long_cols = [agency_h, tr("indicator", lang), tr("value", lang), column_label("ci_low", lang),
                 column_label("ci_high", lang), tr("standard", lang), tr("verdict", lang)]
    return wide_df, pd.DataFrame(long, columns=long_cols)


def write_national_workbook(out, lang: str = "id", agencies=None) -> Path:
    """Write ``index.xlsx`` (:func:`national_workbook_name`) beside the index from the agencies' results."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    out = Path(out)
    wide, long = national_tables(out, lang, agencies)
    wb = Workbook()
    ws = wb.active
    ws.title = tr("agency", lang)
    sheets = [(ws, wide, "Instansi"), (wb.create_sheet(tr("indicators", lang)), long, "Indikator")]
    count_cols = {tr("candidates", lang)}
    link_h = tr("report_link", lang)
    for sheet, df, tname in sheets:
        header = list(df.columns) + ([link_h] if sheet is ws else [])
        sheet.append(header)
        for c in sheet[1]:
            c.font = Font(bold=True)
        for rec in df.itertuples(index=False):
            sheet.append([None] * len(header))
            r = sheet.max_row
            for j, (col, v) in enumerate(zip(df.columns, rec), 1):
                if v is None or _is_nan(v):
                    continue
                cell = sheet.cell(r, j, v)
                if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                    cell.number_format = FMT_COUNT if col in count_cols else FMT_COEF
            if sheet is ws:
                html = report_paths(out, rec[0], lang)["html"]
                if html.exists():
                    cell = sheet.cell(r, len(header), link_h)
                    cell.hyperlink = html.relative_to(out).as_posix()
        if sheet.max_row == 1:
            sheet.append([None] * len(header))
        ref = f"A1:{get_column_letter(len(header))}{sheet.max_row}"
        tab = Table(displayName=tname, ref=ref)
        tab.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(tab)
        _widths(sheet, {j: min(len(str(h)), 30) for j, h in enumerate(header, 1)})
    wb.properties.title = tr("index_title", lang)
    wb.properties.language = _DOC_LANG.get(lang, lang)
    path = out / national_workbook_name(lang)
    atomic_write(path, _workbook_bytes(wb))
    return path
