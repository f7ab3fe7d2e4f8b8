"""Agency workbooks: per-exercise rating sheets, a recap sheet and a candidates sheet (load_assessment, wide layout)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from psikometri.io import DataValidationError, load_assessment, parse_level

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"
FIX = Path(__file__).parent / "fixtures" / "io"

NIP = ["198001012005011001", "198102022006022002", "198203032007031003"]
PESERTA = [
    ["No", "NIP", "Nama", "Instansi", "Jabatan", "Jenis Kelamin", "Tahun Lahir"],
    [1, NIP[0], "Andi", "kab_x", "administrator", "L", 1980],
    [2, NIP[1], "Budi", "kab_x", "pengawas", "laki-laki", 1981],
    [3, NIP[2], "Citra", "kab_x", "pengawas", "P", 1982],
]


def _book(path: Path, sheets: dict) -> Path:
    """Write a workbook: sheet name -> dict(rows=[...], title=None, hidden=(), merge=[(r1, c1, r2, c2)], blank=0)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, spec in sheets.items():
        if isinstance(spec, list):
            spec = {"rows": spec}
        ws = wb.create_sheet(name)
        r0 = 1
        if spec.get("title"):
            width = max(len(r) for r in spec["rows"])
            ws.cell(row=1, column=1, value=spec["title"])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
            ws.cell(row=2, column=1, value="Tanggal: 17 Agustus 2026")
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3)
            r0 = 4  # title, subtitle, a blank row, then the header
        for i, row in enumerate(spec["rows"]):
            for j, v in enumerate(row):
                if v is not None:
                    ws.cell(row=r0 + i, column=j + 1, value=v)
        for letter in spec.get("hidden", ()):
            ws.column_dimensions[letter].hidden = True
        for r1, c1, r2, c2 in spec.get("merge", ()):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    wb.save(path)
    return path


# In Basket: header on row 4 below a merged title; one row per candidate x assessor; the NIP of the first
# candidate merged over its two assessor rows (cell B6 is empty in the file); a hidden helper column E that is
# not read, a hidden competency column H that is read; every accepted form of level label; an empty cell (not
# rated); an average row at the bottom.
IN_BASKET = {
    "title": "PENILAIAN IN BASKET KABUPATEN X",
    "rows": [
        ["No", "NIP", "Nama", "Asesor", "Catatan", "Orientasi pada Hasil", "Pengambilan Keputusan",
         "Integritas"],
        [1, NIP[0], "Andi", "as1", "x", "3", "Level 3", 3],
        [2, None, "Andi", "as2", "x", "L3", "3 - Menengah", "3,5"],
        [3, NIP[1], "Budi", "as1", "x", 4, "level 4 (Mahir)", None],
        [4, NIP[1], "Budi", "as2", "x", "L 2,5", "2.5", "lvl 2"],
        [5, NIP[2], "Citra", "as1", "x", "  5 ", "Level: 5", "5 : Ahli"],
        [6, NIP[2], "Citra", "as2", "x", 4.5, "4,5", "L4"],
        [None, None, "Rata-rata", None, None, 3.8, 3.8, 3.5],
    ],
    "hidden": ("E", "H"),
    "merge": [(5, 2, 6, 2)],
}
# Diskusi Kelompok: a two-row header (a merged group header "Kompetensi" over the competencies, NIP and Asesor
# merged vertically over both rows), competency headers as agencies number them, and a "Jumlah" row
DISKUSI = {
    "rows": [
        ["NIP", "Asesor", "Kompetensi", None],
        [None, None, "1. Kerjasama", "Perekat Bangsa"],
        [NIP[0], "as3", 2, "L2"],
        [NIP[1], "as3", "3", "3 - Menengah"],
        [NIP[2], "as3", "Level 4", 4],
        ["Jumlah", None, 9, 9],
    ],
    "merge": [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 4)],
}
EXPECTED = [  # candidate, competency, exercise, assessor, score: written independently of the sheets above
    (NIP[0], "orientasi_pada_hasil", "in_basket", "as1", 3.0),
    (NIP[0], "pengambilan_keputusan", "in_basket", "as1", 3.0),
    (NIP[0], "integritas", "in_basket", "as1", 3.0),
    (NIP[0], "orientasi_pada_hasil", "in_basket", "as2", 3.0),
    (NIP[0], "pengambilan_keputusan", "in_basket", "as2", 3.0),
    (NIP[0], "integritas", "in_basket", "as2", 3.5),
    (NIP[1], "orientasi_pada_hasil", "in_basket", "as1", 4.0),
    (NIP[1], "pengambilan_keputusan", "in_basket", "as1", 4.0),
    (NIP[1], "orientasi_pada_hasil", "in_basket", "as2", 2.5),
    (NIP[1], "pengambilan_keputusan", "in_basket", "as2", 2.5),
    (NIP[1], "integritas", "in_basket", "as2", 2.0),
    (NIP[2], "orientasi_pada_hasil", "in_basket", "as1", 5.0),
    (NIP[2], "pengambilan_keputusan", "in_basket", "as1", 5.0),
    (NIP[2], "integritas", "in_basket", "as1", 5.0),
    (NIP[2], "orientasi_pada_hasil", "in_basket", "as2", 4.5),
    (NIP[2], "pengambilan_keputusan", "in_basket", "as2", 4.5),
    (NIP[2], "integritas", "in_basket", "as2", 4.0),
    (NIP[0], "kerjasama", "diskusi_kelompok", "as3", 2.0),
    (NIP[0], "perekat_bangsa", "diskusi_kelompok", "as3", 2.0),
    (NIP[1], "kerjasama", "diskusi_kelompok", "as3", 3.0),
    (NIP[1], "perekat_bangsa", "diskusi_kelompok", "as3", 3.0),
    (NIP[2], "kerjasama", "diskusi_kelompok", "as3", 4.0),
    (NIP[2], "perekat_bangsa", "diskusi_kelompok", "as3", 4.0),
]
RECAP = [
    ["No", "NIP", "Nama", "Integritas", "Kerjasama", "Orientasi pada Hasil", "JPM (%)", "Kategori"],
    [1, NIP[0], "Andi", "Level 3", 2, "3", "85,5%", "Cukup Optimal"],
    [2, NIP[1], "Budi", 2, "3", "L3", 80, "Cukup Optimal"],
    [3, NIP[2], "Citra", "4 - Mahir", 4, 5, 95.25, "Optimal"],
    [None, None, "Rata-rata", 3, 3, 3.7, 86.9, None],
]


def _long(data) -> pd.DataFrame:
    cols = ["candidate", "competency", "exercise", "assessor", "score"]
    r = data.ratings[cols].astype({c: str for c in cols[:-1]})
    return r.sort_values(cols[:-1]).reset_index(drop=True)


def _expected(rows) -> pd.DataFrame:
    cols = ["candidate", "competency", "exercise", "assessor", "score"]
    return pd.DataFrame(rows, columns=cols).sort_values(cols[:-1]).reset_index(drop=True)


def _problem(err, sheet_part, column=None):
    hits = [p for p in err.value.problems if sheet_part in p.file and (column is None or p.column == column)]
    assert hits, f"no problem for {sheet_part!r}/{column!r} in {err.value}"
    return hits[0]


# ----------------------------------------------------------------------------------------- the level rule


@pytest.mark.parametrize("label, level", [
    (3, 3.0), (3.5, 3.5), ("3", 3.0), ("3.5", 3.5), ("3,5", 3.5), ("Level 3", 3.0), ("LEVEL 4", 4.0),
    ("level: 2", 2.0), ("L3", 3.0), ("l 3,5", 3.5), ("Lvl 2", 2.0), ("3 - Menengah", 3.0),
    ("3 \u2013 Menengah", 3.0), ("Level 3 (Menengah)", 3.0), ("4 Mahir", 4.0), (" 2 ", 2.0), ("5: Ahli", 5.0),
])
def test_accepted_level_labels(label, level):
    assert parse_level(label) == level


@pytest.mark.parametrize("label", ["Tiga", "Menengah", "3-4", "3 4", "3a", "L", "Level", "3/5x", True,
                                   dt.datetime(2026, 3, 5), float("inf"), "3..5"])
def test_other_labels_are_errors(label):
    with pytest.raises(ValueError, match="is not a level"):
        parse_level(label)


@pytest.mark.parametrize("empty", [None, "", "   ", float("nan")])
def test_empty_cell_is_not_rated(empty):
    assert np.isnan(parse_level(empty))


# ------------------------------------------------------------------------------ per-exercise rating sheets


def test_exercise_sheets_become_the_long_table(tmp_path):
    book = _book(tmp_path / "asesmen.xlsx", {"Peserta": PESERTA, "In Basket": IN_BASKET,
                                              "Diskusi Kelompok": DISKUSI})
    before = book.read_bytes()
    data = load_assessment(book, warn=False)
    pd.testing.assert_frame_equal(_long(data), _expected(EXPECTED))
    assert book.read_bytes() == before  # the input is never modified
    assert data.recap is None
    assert set(data.ratings["agency"]) == {"kab_x"}  # from the candidates sheet
    assert data.candidates["gender"].astype(str).tolist() == ["L", "L", "P"]
    # how the workbook was read
    assert data.reading["layout"] == "wide"
    rd = data.describe_reading()
    ib = rd[rd["sheet"] == "In Basket"].set_index("column")
    assert (ib["header_row"] == 4).all()
    assert ib.loc["H", "read_as"] == "competency integritas" and bool(ib.loc["H", "hidden"])
    assert ib.loc["E", "read_as"] == "not read" and bool(ib.loc["E", "hidden"])
    assert ib.loc["B", "read_as"] == "candidate" and ib.loc["D", "read_as"] == "assessor"
    dk = rd[rd["sheet"] == "Diskusi Kelompok"].set_index("column")
    assert (dk["header_row"] == 2).all() and dk.loc["C", "read_as"] == "competency kerjasama"
    assert set(rd.loc[rd["sheet"] == "Peserta", "role"]) == {"candidates"}
    assert rd.attrs["layout"] == "wide" and "In Basket" in rd.attrs["ratings_from"]
    assert data.column_map["ratings"]["Orientasi pada Hasil"] == "orientasi_pada_hasil"
    # skipped rows are reported with their numbers
    assert any("'In Basket': 1 row(s) skipped (row(s) 11)" in w for w in data.warnings)
    assert any("'Diskusi Kelompok': 1 row(s) skipped (row(s) 6)" in w for w in data.warnings)
    assert any("hidden column(s) H read" in w for w in data.warnings)


def test_layout_wide_equals_auto_and_long_refuses_it(tmp_path):
    book = _book(tmp_path / "asesmen.xlsx", {"Peserta": PESERTA, "In Basket": IN_BASKET})
    auto = load_assessment(book, warn=False)
    wide = load_assessment(book, layout="wide", warn=False)
    pd.testing.assert_frame_equal(auto.ratings, wide.ratings)
    with pytest.raises(DataValidationError, match="no sheet named 'ratings'"):
        load_assessment(book, layout="long")


def test_long_workbook_and_folder_load_as_before():
    book = FIX / "good" / "workbook.xlsx"
    auto, long = load_assessment(book, warn=False), load_assessment(book, layout="long", warn=False)
    pd.testing.assert_frame_equal(auto.ratings, long.ratings)
    pd.testing.assert_frame_equal(auto.candidates, long.candidates)
    assert auto.reading["layout"] == "long" and auto.recap is None
    with pytest.raises(DataValidationError, match="layout='wide' reads one Excel workbook"):
        load_assessment(FIX / "good" / "custom_headers", layout="wide")
    with pytest.raises(ValueError, match="layout must be one of"):
        load_assessment(book, layout="tall")
    with pytest.raises(ValueError, match="competencies= maps the competency headers of a wide workbook"):
        load_assessment(book, competencies={"Kerja Sama": "kerjasama"})


def test_bad_label_names_sheet_row_column_and_fix(tmp_path):
    sheet = {**IN_BASKET, "rows": [list(r) for r in IN_BASKET["rows"]]}
    sheet["rows"][3][6] = "Tiga"  # spreadsheet row 4 + 3 = 7, column G (Pengambilan Keputusan)
    sheet["rows"][5][5] = "3-4"  # row 9, column F (Orientasi pada Hasil)
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "In Basket": sheet})
    with pytest.raises(DataValidationError) as err:
        load_assessment(book)
    p = _problem(err, "b.xlsx[In Basket]", "Pengambilan Keputusan")
    assert p.rows == (7,) and "'Tiga' in cell G7" in p.message and "'Level 3', 'L3' or '3 - Menengah'" in p.fix
    q = _problem(err, "b.xlsx[In Basket]", "Orientasi pada Hasil")
    assert q.rows == (9,) and "'3-4' in cell F9" in q.message
    assert "b.xlsx[In Basket], row 7, column 'Pengambilan Keputusan'" in str(err.value)


def test_level_outside_the_scale_names_the_cell(tmp_path):
    sheet = {**IN_BASKET, "rows": [list(r) for r in IN_BASKET["rows"]]}
    sheet["rows"][2][7] = "Level 7"  # row 6, column H
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "In Basket": sheet})
    with pytest.raises(DataValidationError) as err:
        load_assessment(book)
    p = _problem(err, "[In Basket]", "Integritas")
    assert p.rows == (6,) and "outside the scale 1-5 (e.g. 7 in cell H6)" in p.message
    assert len(load_assessment(book, scale=(1, 7), warn=False).ratings) == 17


def test_ids_and_duplicates_name_the_sheet_rows(tmp_path):
    rows = [list(r) for r in IN_BASKET["rows"]]
    rows[4][1] = "199901012020011999"  # row 8: not in the candidates sheet
    rows[6][3] = "as1"  # row 10: Citra rated twice by as1 (rows 9 and 10)
    rows[2][3] = None  # row 6: no assessor
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "In Basket": {**IN_BASKET, "rows": rows}})
    with pytest.raises(DataValidationError) as err:
        load_assessment(book)
    assert _problem(err, "[In Basket]", "NIP").rows == (8,)
    assert _problem(err, "[In Basket]", "Asesor").rows == (6,)
    dup = [p for p in err.value.problems if "repeat the same candidate and assessor" in p.message]
    assert dup and dup[0].rows == (9, 10)


def test_missing_assessor_column_is_an_error(tmp_path):
    rows = [[c for j, c in enumerate(r) if j != 3] for r in IN_BASKET["rows"]]
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "In Basket": rows})
    with pytest.raises(DataValidationError, match=r"b.xlsx\[In Basket\]: no assessor column"):
        load_assessment(book)


def test_competency_mapping_for_other_headers(tmp_path):
    rows = [["NIP", "Asesor", "Kemampuan Bekerja Sama", "Integritas"],
            [NIP[0], "as1", 3, 4], [NIP[1], "as1", "L2", 3], [NIP[2], "as1", 4, "Level 5"]]
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "LGD": rows})
    plain = load_assessment(book, warn=False)
    assert set(plain.ratings["competency"]) == {"integritas"}
    assert any("['Kemampuan Bekerja Sama'] not read" in w for w in plain.warnings)
    mapped = load_assessment(book, competencies={"Kemampuan Bekerja Sama": "kerjasama"}, warn=False)
    got = mapped.ratings[mapped.ratings["competency"] == "kerjasama"]
    assert got["score"].tolist() == [3.0, 2.0, 4.0] and set(got["exercise"]) == {"lgd"}
    with pytest.raises(ValueError, match="competencies="):
        load_assessment(book, competencies={"Kemampuan Bekerja Sama": 3})


def test_a_sheet_without_a_header_is_named_and_skipped(tmp_path):
    book = _book(tmp_path / "b.xlsx", {"Petunjuk": [["Isi nilai tiap asesor"], ["Level 1-5"]],
                                        "Peserta": PESERTA, "In Basket": IN_BASKET})
    data = load_assessment(book, warn=False)
    assert any("sheet 'Petunjuk' not read" in w for w in data.warnings)
    assert data.describe_reading().set_index("sheet").loc["Petunjuk", "role"] == "not read"
    empty = _book(tmp_path / "e.xlsx", {"Petunjuk": [["Isi nilai"]], "Peserta": PESERTA})
    with pytest.raises(DataValidationError, match="neither a long 'ratings' sheet nor a recap sheet"):
        load_assessment(empty)


def test_formula_levels_without_saved_values_are_errors(tmp_path):
    rows = [list(r) for r in IN_BASKET["rows"]]
    rows[1][5] = "=2+1"  # row 5, column F: openpyxl saves the formula without its value
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "In Basket": {**IN_BASKET, "rows": rows}})
    with pytest.raises(DataValidationError) as err:
        load_assessment(book)
    p = _problem(err, "[In Basket]", "Orientasi pada Hasil")
    assert p.rows == (5,) and "formulas without saved values" in p.message and "cell F5" in p.message


# --------------------------------------------------------------------------------------------- recap sheet


def test_recap_alone_gives_one_rating_per_candidate_and_competency(tmp_path):
    rows = [r[:3] + ["kab_x", "pengawas", "P", 1980 + i] + r[3:] if i else
            r[:3] + ["Instansi", "Jabatan", "Jenis Kelamin", "Tahun Lahir"] + r[3:]
            for i, r in enumerate(RECAP)]
    rows[-1][3:7] = [None] * 4
    book = _book(tmp_path / "rekap.xlsx", {"Rekap": {"title": "REKAPITULASI HASIL ASESMEN", "rows": rows}})
    data = load_assessment(book, warn=False)
    levels = {NIP[0]: (3, 2, 3), NIP[1]: (2, 3, 3), NIP[2]: (4, 4, 5)}
    comps = ("integritas", "kerjasama", "orientasi_pada_hasil")
    expected = [(c, comp, "rekap", "rekap", float(v)) for c, lv in levels.items() for comp, v in zip(comps, lv)]
    pd.testing.assert_frame_equal(_long(data), _expected(expected))
    assert len(data.candidates) == 3 and data.candidates["birth_year"].tolist() == [1981, 1982, 1983]
    assert data.recap["jpm"].tolist() == [85.5, 80.0, 95.25]
    assert data.recap["category"].tolist() == ["Cukup Optimal", "Cukup Optimal", "Optimal"]
    assert data.recap["integritas"].tolist() == [3.0, 2.0, 4.0]
    note = [w for w in data.warnings if "recap sheet 'Rekap' alone" in w]
    assert note and "assessor agreement" in note[0] and "not" in note[0]
    assert "recap sheet 'Rekap'" in data.reading["ratings_from"]


def test_recap_without_candidate_columns_needs_a_candidates_sheet(tmp_path):
    book = _book(tmp_path / "rekap.xlsx", {"Rekap": RECAP})
    with pytest.raises(DataValidationError) as err:
        load_assessment(book)
    p = _problem(err, "[Rekap]")
    assert "position_level" in p.message and "'candidates'" in p.fix
    data = load_assessment(_book(tmp_path / "r2.xlsx", {"Rekap": RECAP, "Peserta": PESERTA}), warn=False)
    assert len(data.ratings) == 9


def test_recap_beside_exercise_sheets_is_kept_apart(tmp_path):
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "In Basket": IN_BASKET, "Diskusi Kelompok": DISKUSI,
                                        "Rekap": RECAP})
    data = load_assessment(book, warn=False)
    pd.testing.assert_frame_equal(_long(data), _expected(EXPECTED))
    assert "rekap" not in set(data.ratings["exercise"].astype(str))
    assert data.recap["candidate"].astype(str).tolist() == NIP
    sub = data.for_agency("kab_x")
    assert len(sub.recap) == 3


def test_bad_recap_label_and_jpm_name_cells(tmp_path):
    rows = [list(r) for r in RECAP]
    rows[2][4] = "tinggi"  # row 3, column E (Kerjasama)
    rows[3][6] = "sembilan puluh"  # row 4, column G (JPM)
    book = _book(tmp_path / "b.xlsx", {"Peserta": PESERTA, "Rekap": rows})
    with pytest.raises(DataValidationError) as err:
        load_assessment(book)
    assert _problem(err, "[Rekap]", "Kerjasama").rows == (3,)
    assert _problem(err, "[Rekap]", "JPM (%)").rows == (4,)


def test_agency_parameter_fills_a_single_agency_workbook(tmp_path):
    peserta = [[c for j, c in enumerate(r) if j != 3] for r in PESERTA]  # no Instansi column
    book = _book(tmp_path / "b.xlsx", {"Peserta": peserta, "In Basket": IN_BASKET})
    with pytest.raises(DataValidationError, match="agency='...'"):
        load_assessment(book)
    data = load_assessment(book, agency="kab_y", warn=False)
    assert data.agencies == ["kab_y"] and set(data.candidates["agency"]) == {"kab_y"}
    with pytest.raises(ValueError, match="agency="):
        load_assessment(FIX / "good" / "workbook.xlsx", agency="kab_y")


# ------------------------------------------------------------------------------------- the sample workbook


def test_sample_workbook_gives_the_sample_ratings():
    book = load_assessment(SAMPLES / "workbook_kab_sukamaju.xlsx", warn=False)
    ref = load_assessment(SAMPLES, warn=False).for_agency("kab_sukamaju")
    cols = ["agency", "candidate", "competency", "exercise", "assessor", "occasion", "score", "assessment_date"]

    def plain(df):
        out = df[cols].copy()
        for c in cols[:-2]:
            out[c] = out[c].astype(str)
        out["assessment_date"] = out["assessment_date"].astype("datetime64[ns]")
        return out.sort_values(cols[:-2]).reset_index(drop=True)

    pd.testing.assert_frame_equal(plain(book.ratings), plain(ref.ratings))
    cand_cols = ["candidate", "agency", "position_level", "gender", "birth_year", "performance", "selected"]
    pd.testing.assert_frame_equal(book.candidates[cand_cols].astype(str).reset_index(drop=True),
                                  ref.candidates[cand_cols].astype(str).reset_index(drop=True))
    assert len(book.recap) == 120 and book.recap["jpm"].between(0, 100).all()
    assert book.reading["layout"] == "wide" and len(book.reading["sheets"]) == 7


def test_sample_workbook_is_what_the_script_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_workbook", SAMPLES / "make_workbook.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(tmp_path / "w.xlsx")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest == hashlib.sha256((SAMPLES / "workbook_kab_sukamaju.xlsx").read_bytes()).hexdigest()


def test_cli_validate_shows_how_the_workbook_was_read():
    res = subprocess.run([sys.executable, "-m", "psikometri.cli", "validate", str(SAMPLES /
                          "workbook_kab_sukamaju.xlsx")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "layout       : wide (ratings from exercise sheets 'In Basket'" in res.stdout
    assert "How the data were read" in res.stdout
    assert "Orientasi pada Hasil" in res.stdout and "competency orientasi_pada_hasil" in res.stdout
    assert "recap        : 120 candidates" in res.stdout


def test_report_runs_on_the_sample_workbook_and_agrees_with_the_long_data(tmp_path):
    """``make report DATA=data_samples/workbook_kab_sukamaju.xlsx``: the batch reads the agency workbook, and the
    figures that rest on the ratings equal those of the same agency's long data."""
    import json

    def run(data, out):
        res = subprocess.run([sys.executable, "-m", "psikometri.cli", "report", "--data", str(data), "--out",
                              str(out), "--agency", "kab_sukamaju", "--n-boot", "200", "--format", "html"],
                             capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"})
        assert res.returncode == 0, res.stderr[-2000:]
        found = list(Path(out).rglob("results.json"))
        assert len(found) == 1, found
        return json.loads(found[0].read_text())

    book = run(SAMPLES / "workbook_kab_sukamaju.xlsx", tmp_path / "book")
    long = run(SAMPLES, tmp_path / "long")
    for key in ("agreement", "gtheory", "construct"):
        assert book["sections"][key]["status"] == "ok"
        assert book["sections"][key]["results"] == long["sections"][key]["results"], key
