"""Write ``workbook_kab_sukamaju.xlsx``: the sample agency kab_sukamaju as an agency keeps it in Excel.

The workbook is made from the committed sample files (``ratings.parquet``, ``candidates.csv``) and nothing
else, so it is the same every time (run from the repository root)::

    python data_samples/make_workbook.py

Sheets
------
``Peserta``
    The candidates table (NIP, name, agency, position level, gender, birth year and the later outcomes).
One sheet per exercise (``In Basket``, ``Diskusi Kelompok``, ``Bermain Peran``, ``Analisis Kasus``,
``Wawancara Kompetensi``)
    A merged title row and a blank row above the header; one row per candidate x assessor, one column per
    competency (headers as written in agencies, e.g. "Orientasi pada Hasil"); the levels typed in the forms
    agencies use ("3", "Level 3", "L3", "3 - Menengah", "3,5"), an empty cell where the competency is not rated
    in that exercise; a hidden helper column; an average row at the bottom.
``Rekap``
    One row per candidate: the nine final levels (the mean of the candidate's ratings on the competency,
    rounded to the nearest half level), JPM against the default standard of the candidate's position level and
    its mapping category; a total row at the bottom.

Loading the workbook gives the ratings of kab_sukamaju in ``ratings.parquet`` (the levels as numbers) and
the recap as ``AssessmentData.recap``.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from psikometri.talent import COMPETENCIES, job_person_match, jpm_category  # noqa: E402

AGENCY = "kab_sukamaju"
EXERCISE_SHEETS = {
    "in_basket": "In Basket",
    "diskusi_kelompok": "Diskusi Kelompok",
    "bermain_peran": "Bermain Peran",
    "analisis_kasus": "Analisis Kasus",
    "wawancara_kompetensi": "Wawancara Kompetensi",
}
HEADERS = {
    "integritas": "Integritas",
    "kerjasama": "Kerjasama",
    "komunikasi": "Komunikasi",
    "orientasi_pada_hasil": "Orientasi pada Hasil",
    "pelayanan_publik": "Pelayanan Publik",
    "pengembangan_diri_dan_orang_lain": "Pengembangan Diri dan Orang Lain",
    "mengelola_perubahan": "Mengelola Perubahan",
    "pengambilan_keputusan": "Pengambilan Keputusan",
    "perekat_bangsa": "Perekat Bangsa",
}
LEVEL_NAMES = {1: "Dasar", 2: "Cukup", 3: "Menengah", 4: "Mahir", 5: "Ahli"}


def level_label(value: float, k: int) -> str | float:
    """The level typed in one of the forms agencies use, chosen by the row/column counter ``k``."""
    if value % 1:
        return f"{value:g}".replace(".", ",") if k % 2 else float(value)  # 3,5 typed as text, or a number
    v = int(value)
    return (v, f"Level {v}", f"L{v}", f"{v} - {LEVEL_NAMES[v]}", str(v))[k % 5]


def title(ws, text: str, width: int) -> None:
    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")


def main(out: Path = HERE / "workbook_kab_sukamaju.xlsx") -> Path:
    ratings = pd.read_parquet(HERE / "ratings.parquet")
    ratings = ratings[ratings["agency"] == AGENCY]
    candidates = pd.read_csv(HERE / "candidates.csv", dtype={"candidate": str})
    candidates = candidates[candidates["agency"] == AGENCY].sort_values("candidate")
    names = candidates.set_index("candidate")["name"]
    wb = Workbook()
    wb.remove(wb.active)

    ws = wb.create_sheet("Peserta")
    head = ["No", "NIP", "Nama", "Instansi", "Jabatan", "Jenis Kelamin", "Tahun Lahir", "Tes Psikologi",
            "Kinerja", "Promosi", "Terpilih"]
    ws.append(head)
    for n, row in enumerate(candidates.itertuples(index=False), 1):
        ws.append([n, row.candidate, row.name, row.agency, row.position_level, row.gender, int(row.birth_year),
                   row.cognitive, None if pd.isna(row.performance) else float(row.performance), int(row.promoted),
                   int(row.selected)])

    k = 0
    for ex, sheet in EXERCISE_SHEETS.items():
        r = ratings[ratings["exercise"] == ex]
        comps = [c for c in COMPETENCIES if c in set(r["competency"])]
        wide = r.pivot_table(index=["candidate", "assessor"], columns="competency", values="score",
                             aggfunc="first").reindex(columns=comps).sort_index()
        ws = wb.create_sheet(sheet)
        head = ["No", "NIP", "Nama Peserta", "Asesor", "Periode", "Tanggal Asesmen", "Catatan"]
        head += [HEADERS[c] for c in comps]
        title(ws, f"PENILAIAN {sheet.upper()} - KABUPATEN SUKAMAJU", len(head))
        ws.append([])
        ws.append(head)
        ws.column_dimensions["G"].hidden = True  # a helper column, hidden as agencies do
        for n, ((cand, assessor), levels) in enumerate(wide.iterrows(), 1):
            row = [n, cand, names[cand], assessor, "2026", pd.Timestamp("2026-08-17").to_pydatetime(), "cek"]
            for v in levels:
                k += 1
                row.append(None if np.isnan(v) else level_label(float(v), k))
            ws.append(row)
        ws.append([None, None, "Rata-rata", None, None, None, None]
                  + [round(float(wide[c].mean()), 2) for c in comps])

    ws = wb.create_sheet("Rekap")
    final = (ratings.groupby(["candidate", "competency"])["score"].mean() * 2).round() / 2
    final = final.unstack("competency").reindex(columns=list(COMPETENCIES))
    posts = candidates.set_index("candidate")["position_level"].reindex(final.index)
    jpm = job_person_match(final, posts)
    category = jpm_category(jpm)
    head = ["No", "NIP", "Nama", "Jabatan"] + [HEADERS[c] for c in COMPETENCIES] + ["JPM (%)", "Kategori"]
    title(ws, "REKAPITULASI HASIL PENILAIAN KOMPETENSI - KABUPATEN SUKAMAJU 2026", len(head))
    ws.append(["Metode: assessment center"])
    ws.append(head)
    for n, cand in enumerate(final.index, 1):
        ws.append([n, cand, names[cand], posts[cand]] + [float(v) for v in final.loc[cand]]
                  + [round(float(jpm[cand]), 2), str(category[cand])])
    ws.append([None, "Jumlah peserta", len(final)])
    _save_reproducibly(wb, out)
    return out


def _save_reproducibly(wb: Workbook, out: Path) -> None:
    """Save with fixed timestamps (zip entries and document properties), so the same data give the same bytes."""
    buf = io.BytesIO()
    wb.save(buf)
    stamp = "2026-11-24T00:00:00Z"
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 11, 24, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    print(main())
