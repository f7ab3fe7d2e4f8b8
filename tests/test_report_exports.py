"""Excel and Word outputs of the batch report: the same tables as the HTML, the privacy rules, the national workbook."""

from __future__ import annotations

import html as _html
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from psikometri.report import SECTION_KEYS, report_paths, run_batch
from psikometri.report.export import (FMT_COEF, FMT_COUNT, national_workbook_name, sheet_names, write_docx,
                                      write_exports, write_xlsx)
from psikometri.report.sections import Section
from psikometri.simulate import simulate_assessment

openpyxl = pytest.importorskip("openpyxl")
docx = pytest.importorskip("docx")

AGENCY = "kab_satu"
SUPPRESSED = "disembunyikan"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    sim = simulate_assessment({AGENCY: 40}, seed=1)
    sim.write(data, ratings_format="csv")
    out = tmp_path_factory.mktemp("reports")
    code = run_batch(data, out, n_boot=20, seed=1, lang="id", formats=("html", "xlsx", "docx"))
    assert code == 0
    return out, data, sim


def _html_sections(path: Path) -> dict[str, dict]:
    """Per section of the HTML report: title, table count, captions, rows and cell texts of each table."""
    page = path.read_text()
    found = {}
    for m in re.finditer(r"<section ([^>]*)>(.*?)</section>", page, re.S):
        attrs = dict(re.findall(r"""([\w-]+)=["']([^"']*)["']""", m.group(1)))
        if "pk-section" not in attrs.get("class", ""):
            continue
        key, status, n_tab, n_fig = (attrs["id"].removeprefix("sec-"), attrs["data-status"], attrs["data-tables"],
                                     attrs["data-figures"])
        body = m.group(2)
        tables = re.findall(r"<table.*?</table>", body, re.S)
        found[key] = {
            "title": _html.unescape(re.search(r"<h2>(.*?)</h2>", body, re.S).group(1)),
            "status": status, "tables": int(n_tab), "figures": int(n_fig), "n_table_tags": len(tables),
            "captions": [_html.unescape(c)
                         for c in re.findall(r"<p class=[\"']pk-caption[\"']><b>(.*?)</b></p>", body, re.S)],
            "rows": [len(re.findall(r"<tr", t.split("<tbody>", 1)[1])) for t in tables],
            "cells": [_html.unescape(c.strip()) for t in tables for c in re.findall(r"<td>(.*?)</td>", t, re.S)],
            "suppressed": len(re.findall(rf"<td>\s*{SUPPRESSED}\s*</td>", body)),
            "paragraphs": [_html.unescape(t) for t in re.findall(r"<p>(.*?)</p>", body, re.S)],
        }
    assert found, "no report section found in the HTML"
    return found


def _results(out):
    return json.loads(report_paths(out, AGENCY, "id")["results"].read_text())


def test_batch_writes_the_agency_workbook_document_and_the_national_workbook(batch):
    out, _, _ = batch
    paths = report_paths(out, AGENCY, "id")
    for k in ("html", "xlsx", "docx", "results"):
        assert paths[k].stat().st_size > 0, k
    assert (out / national_workbook_name("id")).exists()
    assert "href='index.xlsx'" in (out / "index.html").read_text()
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".staging-*"))


def test_xlsx_holds_every_table_of_the_html_section_by_section(batch):
    out, _, _ = batch
    res = _results(out)
    html = _html_sections(report_paths(out, AGENCY, "id")["html"])
    wb = openpyxl.load_workbook(report_paths(out, AGENCY, "id")["xlsx"])
    # the contents sheet names each section's sheet
    cover = wb.worksheets[0]
    assert cover.title == "Isi"
    sheet_of = {r[0]: r[1] for r in cover.iter_rows(min_row=4, values_only=True) if r[0]}
    shown = [k for k in SECTION_KEYS if res["sections"][k]["status"] != "absent"]
    assert len(wb.worksheets) == 1 + len(shown)
    n_checked = 0
    for key in shown:
        h = html[key]
        ws = wb[sheet_of[h["title"]]]
        assert len(ws.title) <= 31
        tables = list(ws.tables.values())
        assert len(tables) == res["sections"][key]["tables"] == h["tables"] == h["n_table_tags"], key
        captions, rows = [], []
        for t in tables:
            first, last = t.ref.split(":")
            top = ws[first].row
            captions.append(ws.cell(top - 1, 1).value)
            rows.append(ws[last].row - top)
        assert captions == h["captions"], key
        assert rows == h["rows"], key
        n_supp = sum(c.value == SUPPRESSED for row in ws.iter_rows() for c in row)
        assert n_supp == h["suppressed"], key
        n_checked += len(tables)
    assert n_checked == sum(s["tables"] for s in res["sections"].values()) > 5
    assert sum(h["suppressed"] for h in html.values()) > 0  # the data have small cells to hide


def test_xlsx_headers_numbers_and_intervals(batch):
    out, _, _ = batch
    wb = openpyxl.load_workbook(report_paths(out, AGENCY, "id")["xlsx"])
    ws = wb.worksheets[1]  # the summary
    t = next(iter(ws.tables.values()))
    first, last = t.ref.split(":")
    header = [c.value for c in ws[ws[first].row]]
    assert header[:6] == ["Indikator", "Nilai", "batas bawah", "batas atas", "Standar", "Penilaian"]
    row = [c for c in ws[ws[first].row + 1]]
    assert isinstance(row[1].value, float) and row[1].number_format == FMT_COEF
    assert row[2].value <= row[1].value <= row[3].value  # the interval as two numeric columns
    res = _results(out)
    assert row[1].value == pytest.approx(res["indicators"][0]["value"])
    # counts are whole numbers with a count format somewhere in the workbook
    counts = [c for w in wb.worksheets for r in w.iter_rows() for c in r
              if isinstance(c.value, int) and c.number_format == FMT_COUNT]
    assert counts


def test_docx_has_the_headings_paragraphs_tables_and_figures_of_the_report(batch):
    out, _, _ = batch
    res = _results(out)
    html = _html_sections(report_paths(out, AGENCY, "id")["html"])
    doc = docx.Document(str(report_paths(out, AGENCY, "id")["docx"]))
    shown = [k for k in SECTION_KEYS if res["sections"][k]["status"] != "absent"]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [html[k]["title"] for k in shown]
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [
        f"Laporan Validasi Assessment Center: {AGENCY}"]
    texts = {p.text for p in doc.paragraphs}
    paragraphs = [p for k in shown for p in html[k]["paragraphs"]]
    assert paragraphs and all(p in texts for p in paragraphs)
    assert len(doc.tables) == sum(s["tables"] for s in res["sections"].values())
    assert len(doc.inline_shapes) == sum(s["figures"] for s in res["sections"].values()) > 0
    # each Word table has the HTML table's rows, and its cells read as the HTML shows them
    rows = [len(t.rows) - 1 for t in doc.tables]
    assert rows == [n for k in shown for n in html[k]["rows"]]
    word_cells = {c.text for t in doc.tables for r in t.rows[1:] for c in r.cells}
    html_cells = {c for k in shown for c in html[k]["cells"]}
    assert html_cells <= word_cells, sorted(html_cells - word_cells)[:5]
    assert any("," in c and c.replace(",", "").replace("-", "").isdigit() for c in word_cells)  # decimal comma
    sect = doc.sections[0]
    assert (round(sect.page_width.mm), round(sect.page_height.mm)) == (210, 297)
    styles = zipfile.ZipFile(report_paths(out, AGENCY, "id")["docx"]).read("word/styles.xml").decode()
    assert 'w:val="id-ID"' in styles and doc.core_properties.language == "id-ID"


def _all_text(path: Path) -> str:
    """Every XML part of an Office file, as text (cells, shared strings, paragraphs, properties)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith((".xml", ".rels")))


def test_no_candidate_id_or_name_in_the_workbooks_or_the_document(batch):
    out, _, sim = batch
    ids = set(map(str, sim.candidates["candidate"]))
    names = set(sim.candidates["name"])
    files = [report_paths(out, AGENCY, "id")[k] for k in ("xlsx", "docx")] + [out / "index.xlsx"]
    for f in files:
        text = _all_text(f)
        assert AGENCY in text  # the scan reads the files' text
        leaked = [i for i in ids if i in text] + [n for n in names if n in text]
        assert not leaked, (f.name, leaked[:3])
    assert SUPPRESSED in _all_text(files[0]) and SUPPRESSED in _all_text(files[1])


def test_national_workbook_has_one_row_per_agency_with_its_indicators(batch):
    out, _, _ = batch
    res = _results(out)
    wb = openpyxl.load_workbook(out / "index.xlsx")
    ws = wb["Instansi"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 1 and body[0][0] == AGENCY
    rec = dict(zip(header, body[0]))
    assert rec["Asesi"] == res["n_candidates"] == 40
    assert rec["Status"] == "selesai"
    ind = res["indicators"][0]
    assert ind["key"] == "reliability"
    assert rec["Reliabilitas tes (omega)"] == pytest.approx(ind["value"])
    assert rec["Reliabilitas tes (omega): batas bawah"] == pytest.approx(ind["ci_low"])
    assert rec["Reliabilitas tes (omega): batas atas"] == pytest.approx(ind["ci_high"])
    assert rec["Reliabilitas tes (omega): Penilaian"] in ("memadai", "memadai, belum pasti", "belum memadai",
                                                           "belum memadai, belum pasti")
    assert ws.cell(2, len(header)).hyperlink.target == f"{AGENCY}/report_{AGENCY}_id.html"
    long = list(wb["Indikator"].iter_rows(values_only=True))
    assert len(long) - 1 == len(res["indicators"])
    assert not any(h and "_" in h for h in header)  # no untranslated indicator key


def test_formats_are_part_of_the_up_to_date_check(batch, tmp_path, capsys):
    out, data, _ = batch
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    assert run_batch(data, copy, n_boot=20, seed=1, lang="id", formats=("html", "xlsx", "docx")) == 0
    assert "0 report(s) written, 1 up to date" in capsys.readouterr().out
    assert run_batch(data, copy, n_boot=20, seed=1, lang="id", formats=("html",)) == 0
    assert "1 report(s) written, 0 up to date" in capsys.readouterr().out
    paths = report_paths(copy, AGENCY, "id")
    assert paths["html"].exists() and not paths["xlsx"].exists() and not paths["docx"].exists()
    assert not (copy / "index.xlsx").exists() and "index.xlsx" not in (copy / "index.html").read_text()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_docx_and_xlsx_open_in_headless_libreoffice(batch, tmp_path):
    out, _, _ = batch
    for k in ("docx", "xlsx"):
        src = report_paths(out, AGENCY, "id")[k]
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                       check=True, capture_output=True, timeout=180)
        assert (tmp_path / f"{src.stem}.pdf").stat().st_size > 1000


# ------------------------------------------------------------------------------------------ without a batch
def _section():
    sec = Section("demo", "1. Demo: a title [with] odd/characters that is long", lang="id")
    sec.paragraphs.append("Satu paragraf.")
    sec.add_table("Hitungan", pd.DataFrame({"n": [12, 3], "value": [0.12345, np.nan], "p": [0.0004, 0.2],
                                            "flag": [True, False], "hidden": [SUPPRESSED, "ok"]},
                                           index=pd.Index(["a", "b"], name="group")))
    return sec


def test_cells_keep_numbers_with_formats_and_show_suppressed_text(tmp_path):
    path = write_xlsx([_section()], tmp_path / "t.xlsx", title="T", lang="id")
    ws = openpyxl.load_workbook(path).worksheets[1]
    t = next(iter(ws.tables.values()))
    top = ws[t.ref.split(":")[0]].row
    assert [c.value for c in ws[top]] == ["group", "n", "nilai", "p", "flag", "hidden"]
    a, b = ws[top + 1], ws[top + 2]
    assert (a[1].value, a[1].number_format) == (12, FMT_COUNT)
    assert a[2].value == pytest.approx(0.12345) and a[2].number_format == FMT_COEF
    assert a[3].value == pytest.approx(0.0004) and '"< 0,001"' in a[3].number_format
    assert b[2].value == "-"  # as the HTML shows a missing value
    assert a[4].value == "ya" and a[5].value == SUPPRESSED


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["1. A/B: [x]*?", "x" * 40, "x" * 40, "X" * 40, ""])
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert names[0] == "1. A B x"


def test_docx_without_a_batch_and_a_bad_format(tmp_path):
    path = write_docx([_section()], tmp_path / "t.docx", title="T", lang="en")
    doc = docx.Document(str(path))
    assert len(doc.tables) == 1 and doc.core_properties.language == "en-GB"
    assert doc.tables[0].rows[1].cells[3].text == "< 0.001"

    class Ctx:
        output_dir = tmp_path

    with pytest.raises(ValueError, match="pdf.*subset of xlsx, docx"):
        write_exports(Ctx(), ["pdf"])


def test_cli_accepts_the_new_formats_and_names_them_when_wrong(capsys):
    from psikometri.cli import build_parser

    args = build_parser().parse_args(["report", "--data", "d", "--out", "o", "--format", "xlsx,docx"])
    assert args.format == ("xlsx", "docx")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--data", "d", "--out", "o", "--format", "xls"])
    err = capsys.readouterr().err
    assert "xlsx" in err and "docx" in err and "unknown: xls" in err
