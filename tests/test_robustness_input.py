"""Malformed input that used to be accepted silently, crash, or be reported with the wrong cause.

Each test builds one malformed data set in a temporary folder and asserts the exact outcome: a
DataValidationError whose problem names the file, the spreadsheet row (header = row 1), the column, the
cause and the fix.  The last test runs ``psikometri validate`` on every one of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from psikometri.io import DEFAULT_RANGES, DataValidationError, load_assessment, read_table

ROOT = Path(__file__).resolve().parents[1]

NIPS = ["197210141999091001", "196902101995121002", "197407032001111003"]
NAMES = ["Agus Santoso", "Dewi Rénata", "Siti Nurbaya"]


def _ratings_rows(agency="kab_x", nips=NIPS):
    scores = [2.5, 3, 3.5, 4, 3, 3, 2, 2.5, 4, 4.5, 3, 3.5] * 2
    rows, k = [], 0
    for c in nips:
        for comp in ("integritas", "komunikasi"):
            for ex in ("in_basket", "wawancara_kompetensi"):
                for a in ("A1", "A2"):
                    rows.append([agency, c, comp, ex, f"{ex[:2]}-{a}", f"{scores[k % len(scores)]:g}"])
                    k += 1
    return rows


RATINGS_HEADER = ["agency", "candidate", "competency", "exercise", "assessor", "score"]
CAND_HEADER = ["candidate", "name", "agency", "position_level", "gender", "birth_year", "cognitive",
               "performance", "potential", "selected"]


def _cand_rows(agency="kab_x", nips=NIPS):
    return [
        [nips[0], NAMES[0], agency, "administrator", "L", "1975", "36", "82.5", "85", "1"],
        [nips[1], NAMES[1], agency, "administrator", "P", "1980", "41", "", "77.5", "0"],
        [nips[2], NAMES[2], agency, "administrator", "P", "1988", "29", "77.0", "91", "1"],
    ]


def _csv(header, rows) -> str:
    return "\n".join(",".join(r) for r in [header] + rows) + "\n"


def _write(d: Path, ratings=None, candidates=None) -> Path:
    """A valid data set in ``d``; ``ratings``/``candidates`` replace a file's text (str) or bytes."""
    d.mkdir(parents=True, exist_ok=True)
    for name, default, given in (("ratings.csv", _csv(RATINGS_HEADER, _ratings_rows()), ratings),
                                 ("candidates.csv", _csv(CAND_HEADER, _cand_rows()), candidates)):
        content = default if given is None else given
        (d / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return d


def _problem(info, file, column=None):
    ps = [p for p in info.value.problems if p.file == file and (column is None or p.column == column)]
    assert ps, str(info.value)
    return ps[0]


def test_valid_base_loads(tmp_path):
    data = load_assessment(_write(tmp_path / "ok"), warn=False)
    assert sorted(map(str, data.candidates["candidate"])) == sorted(NIPS)
    assert "Dewi Rénata" in set(data.candidates["name"])
    assert data.candidates["potential"].tolist() == [77.5, 85.0, 91.0]


# --------------------------------------------------------------------------- implausible numbers


@pytest.mark.parametrize("column", ["performance", "cognitive", "potential"])
@pytest.mark.parametrize("value", ["inf", "-inf", "-250", "1e6", "1000000"])
def test_non_finite_or_implausible_candidate_number_is_an_error(tmp_path, column, value):
    rows = _cand_rows()
    rows[1][CAND_HEADER.index(column)] = value  # spreadsheet row 3
    d = _write(tmp_path / "d", candidates=_csv(CAND_HEADER, rows))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    assert len(info.value.problems) == 1
    p = _problem(info, "candidates.csv", column)
    assert p.rows == (3,)
    if "inf" in value:
        assert f"not finite (e.g. '{value}')" in p.message and "leave the cell empty" in p.fix
    else:
        lo, hi = DEFAULT_RANGES[column]
        assert f"outside the plausible range {lo:g}-{hi:g}" in p.message and f"{float(value):g}" in p.message
        assert f"ranges={{'{column}'" in p.fix and f"--range {column}=MIN:MAX" in p.fix
    msg = str(info.value)
    assert f"candidates.csv, row 3, column '{column}'" in msg and "Fix:" in msg


def test_default_ranges_are_documented_values():
    assert DEFAULT_RANGES == {"performance": (0.0, 120.0), "cognitive": (0.0, 800.0), "potential": (0.0, 120.0)}


def test_plausibility_range_can_be_widened_or_disabled_but_not_inf(tmp_path):
    rows = _cand_rows()
    rows[0][CAND_HEADER.index("performance")] = "-250"
    rows[1][CAND_HEADER.index("cognitive")] = "1000000"
    d = _write(tmp_path / "d", candidates=_csv(CAND_HEADER, rows))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    assert {p.column for p in info.value.problems} == {"performance", "cognitive"}
    data = load_assessment(d, ranges={"performance": (-300, 120), "cognitive": None}, warn=False)
    c = data.candidates.set_index("candidate")
    assert c.loc[NIPS[0], "performance"] == -250 and c.loc[NIPS[1], "cognitive"] == 1e6
    with pytest.raises(DataValidationError) as info:  # the other defaults still apply
        load_assessment(d, ranges={"cognitive": None}, warn=False)
    assert [p.column for p in info.value.problems] == ["performance"]
    rows[2][CAND_HEADER.index("potential")] = "inf"
    d2 = _write(tmp_path / "d2", candidates=_csv(CAND_HEADER, rows))
    with pytest.raises(DataValidationError, match="not finite") as info:  # disabling the range keeps inf out
        load_assessment(d2, ranges={"performance": None, "cognitive": None, "potential": None}, warn=False)
    assert _problem(info, "candidates.csv", "potential").rows == (4,)


def test_non_finite_number_in_parquet_is_an_error(tmp_path):
    d = _write(tmp_path / "d")
    c = pd.read_csv(d / "candidates.csv", dtype={"candidate": str})
    c.loc[2, "performance"] = np.inf
    (d / "candidates.csv").unlink()
    c.to_parquet(d / "candidates.parquet")
    with pytest.raises(DataValidationError, match="not finite") as info:
        load_assessment(d, warn=False)
    p = _problem(info, "candidates.parquet", "performance")
    assert p.rows == (4,) and "(e.g. inf)" in p.message


@pytest.mark.parametrize("ranges, fragment", [
    ({"performace": (0, 100)}, "unknown column 'performace'"),
    ({"performance": (100, 0)}, "(min, max) pair with min < max"),
    ({"performance": (0, float("nan"))}, "(min, max) pair with min < max"),
    ({"performance": "0-100"}, "(min, max) pair with min < max"),
    ("performance", "must be a mapping"),
])
def test_bad_ranges_argument_is_named(tmp_path, ranges, fragment):
    d = _write(tmp_path / "d")
    with pytest.raises(ValueError, match="ranges") as info:
        load_assessment(d, ranges=ranges, warn=False)
    assert fragment in str(info.value)
    assert not isinstance(info.value, DataValidationError)


# --------------------------------------------------------------------------- NIP in scientific notation


def test_nip_in_scientific_notation_is_an_error(tmp_path):
    # six NIPs that share their first 15 digits: written as 1.96602121990092E+17 they all collide
    nips = [f"196602121990092{k:03d}" for k in range(1, 7)]
    sci = "1.96602121990092E+17"
    cand = [[n, "Nama", "kab_x", "administrator", "L", "1966", "36", "80", "80", "1"] for n in nips]
    cand_sci = [[sci] + r[1:] for r in cand]
    d = _write(tmp_path / "d", candidates=_csv(CAND_HEADER, cand_sci),
               ratings=_csv(RATINGS_HEADER, _ratings_rows(nips=[sci] * 3)))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "candidates.csv", "candidate")
    assert "scientific notation" in p.message and sci in p.message
    assert p.rows == (2, 3, 4, 5, 6, 7)
    assert "Text" in p.fix and "digits" in p.message
    assert _problem(info, "ratings.csv", "candidate").rows[:3] == (2, 3, 4)
    # the same ids written in full load with every digit
    d2 = _write(tmp_path / "d2", candidates=_csv(CAND_HEADER, cand),
                ratings=_csv(RATINGS_HEADER, _ratings_rows(nips=nips)))
    data = load_assessment(d2, warn=False)
    assert sorted(map(str, data.candidates["candidate"])) == nips


def test_nips_collapsed_by_excel_name_the_cause(tmp_path):
    # Excel keeps 15 significant digits: NIPs exported as numbers end in 000 and collide
    nips = ["197210141999091000", "197210141999091000", NIPS[2]]
    d = _write(tmp_path / "d", candidates=_csv(CAND_HEADER, _cand_rows(nips=nips)),
               ratings=_csv(RATINGS_HEADER, _ratings_rows(nips=nips)))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "candidates.csv", "candidate")
    assert p.rows == (2, 3) and "appear more than once" in p.message and "ends in 000" in p.message
    assert "Text" in p.fix


def test_ids_are_read_as_text(tmp_path):
    d = _write(tmp_path / "d", candidates=_csv(CAND_HEADER, _cand_rows(nips=["0012", "12", "012.0"])),
               ratings=_csv(RATINGS_HEADER, _ratings_rows(nips=["0012", "12", "012.0"])))
    data = load_assessment(d, warn=False)
    assert sorted(map(str, data.candidates["candidate"])) == ["0012", "012.0", "12"]


# --------------------------------------------------------------------------- duplicate headers


def test_second_score_column_is_an_error(tmp_path):
    header = RATINGS_HEADER + ["score"]
    rows = [r + ["1"] for r in _ratings_rows()]
    d = _write(tmp_path / "d", ratings=_csv(header, rows))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "ratings.csv", "score")
    assert "columns F and G are both headed 'score'" in p.message
    assert "row" not in str(p).split(":")[0]  # the header itself, no data row


def test_second_score_column_in_excel_is_an_error(tmp_path):
    d = _write(tmp_path / "d")
    r = pd.read_csv(d / "ratings.csv", dtype=str)
    r.insert(2, "nilai_dup", r["score"])
    r = r.rename(columns={"nilai_dup": "score"})
    (d / "ratings.csv").unlink()
    r.to_excel(d / "ratings.xlsx", index=False)
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    assert "columns C and G are both headed 'score'" in _problem(info, "ratings.xlsx", "score").message


@pytest.mark.parametrize("second", ["Score ", "nilai", "SKOR"])
def test_second_score_column_after_normalising_is_an_error(tmp_path, second):
    header = RATINGS_HEADER + [second]
    rows = [r + ["1"] for r in _ratings_rows()]
    d = _write(tmp_path / "d", ratings=_csv(header, rows))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "ratings.csv")
    assert f"columns ['score', '{second}'] all mean 'score' (spreadsheet columns F and G)" in p.message


def test_empty_headers_of_blank_columns_are_not_duplicates(tmp_path):
    text = "\n".join(line + ",," for line in _csv(RATINGS_HEADER, _ratings_rows()).splitlines()) + "\n"
    data = load_assessment(_write(tmp_path / "d", ratings=text), warn=False)
    assert len(data.ratings) == 24


# --------------------------------------------------------------------------- encodings


def test_stray_cp1252_byte_in_utf8_file_is_an_error(tmp_path):
    rows = _cand_rows()
    rows[2][1] = "Siti Nurbay\xe9"  # this name written by a Windows-1252 program into a UTF-8 file
    text = _csv(CAND_HEADER, rows)
    raw = text.replace("Siti Nurbay\xe9", "@@").encode("utf-8").replace(b"@@", "Siti Nurbay\xe9".encode("cp1252"))
    offset = raw.index(b"\xe9")
    d = _write(tmp_path / "d", candidates=raw)
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "candidates.csv", "name")
    assert p.rows == (4,)
    assert f"byte 0xE9 at offset {offset}" in p.message and "line 4" in p.message
    assert "UTF-8" in p.message and "Windows-1252" in p.message
    assert "UTF-8" in p.fix
    with pytest.raises(DataValidationError, match="byte 0xE9"):
        read_table(d / "candidates.csv")


def test_windows_1252_file_still_loads(tmp_path):
    raw = _csv(CAND_HEADER, _cand_rows()).encode("cp1252")
    with pytest.warns(UserWarning, match="cp1252"):
        data = load_assessment(_write(tmp_path / "d", candidates=raw))
    assert "Dewi Rénata" in set(data.candidates["name"])


def test_mixed_encoding_file_names_the_encoding(tmp_path):
    agency = "Dinas Pendidikan Bône"
    text = _csv(RATINGS_HEADER, _ratings_rows(agency=agency))
    lines = text.splitlines(keepends=True)
    raw = b"".join(ln.encode("cp1252" if i in (5, 6) else "utf-8") for i, ln in enumerate(lines))
    d = _write(tmp_path / "d", ratings=raw, candidates=_csv(CAND_HEADER, _cand_rows(agency=agency)))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "ratings.csv", "agency")
    assert p.rows == (6, 7)
    assert "encoding" in p.message and "UTF-8" in p.fix
    assert "different from the candidates table" not in str(info.value)


def test_agency_mismatch_in_non_ascii_letters_mentions_encoding(tmp_path):
    agency = "Dinas Pendidikan Bône"
    mojibake = agency.encode("utf-8").decode("cp1252")  # saved twice through the wrong encoding
    d = _write(tmp_path / "d", ratings=_csv(RATINGS_HEADER, _ratings_rows(agency=mojibake)),
               candidates=_csv(CAND_HEADER, _cand_rows(agency=agency)))
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "ratings.csv", "agency")
    assert "different from the candidates table" in p.message
    assert "encoding" in p.message and mojibake in p.message and agency in p.message
    assert "UTF-8" in p.fix


@pytest.mark.parametrize("raw", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b"\xef\xbb\xbf\r\n\r\n  \r\n", b"\xff\xfe",
                                 b"\xff\xfe\r\x00\n\x00", b"\r\n"], ids=["bom", "bom_crlf", "bom_blank_lines",
                                                                         "utf16_bom", "utf16_bom_crlf", "crlf"])
def test_file_holding_only_a_bom_is_empty(tmp_path, raw):
    d = _write(tmp_path / "d", ratings=raw)
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, "ratings.csv")
    assert p.message == "the file is empty" and "header row" in p.fix
    with pytest.raises(DataValidationError, match="the file is empty"):
        read_table(d / "ratings.csv")


# --------------------------------------------------------------------------- wrong cause


def test_xlsx_formulas_without_saved_values_are_named(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    d = _write(tmp_path / "d")
    (d / "ratings.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(RATINGS_HEADER)
    for i, r in enumerate(_ratings_rows()):
        ws.append(r[:5] + ([f"=1+{i % 3}"] if i in (1, 4) else [float(r[5])]))
    wb.save(d / "ratings.xlsx")  # openpyxl stores formulas without computed values
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    assert "empty score" not in str(info.value)
    p = _problem(info, "ratings.xlsx", "score")
    assert p.rows == (3, 6)
    assert "formulas without saved values" in p.message and "'=1+1'" in p.message
    assert "open and save the workbook in Excel or LibreOffice" in p.fix


def test_xlsx_empty_cells_are_still_empty(tmp_path):
    d = _write(tmp_path / "d")
    r = pd.read_csv(d / "ratings.csv", dtype=str)
    r.loc[3, "score"] = None
    (d / "ratings.csv").unlink()
    r.to_excel(d / "ratings.xlsx", index=False)
    with pytest.raises(DataValidationError, match="1 empty score") as info:
        load_assessment(d, warn=False)
    assert _problem(info, "ratings.xlsx", "score").rows == (5,)


@pytest.mark.parametrize("content", [b"garbage", b"agency,candidate\nkab_x,1\n", b"PK\x03\x04broken"])
def test_file_that_is_not_a_workbook_is_named(tmp_path, content):
    d = _write(tmp_path / "d")
    (d / "ratings.csv").unlink()
    (d / "ratings.xlsx").write_bytes(content)
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    msg = str(info.value)
    assert "sheet name" not in msg and "ratings.xlsx" in msg
    assert "not an Excel workbook" in msg or "cannot open the workbook" in msg
    assert "save it as an Excel Workbook" in msg or "save the file again from Excel" in msg


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_symlink_loop_is_named(tmp_path):
    d = _write(tmp_path / "d")
    (d / "ratings.csv").unlink()
    os.symlink("loop_b.csv", d / "ratings.csv")
    os.symlink("ratings.csv", d / "loop_b.csv")
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    msg = str(info.value)
    assert "no ratings file" not in msg
    p = _problem(info, str(d / "ratings.csv"))
    assert "symbolic link loop" in p.message and "loop_b.csv" in p.message
    # the data path itself
    os.symlink("self", tmp_path / "self")
    with pytest.raises(DataValidationError) as info:
        load_assessment(tmp_path / "self", warn=False)
    assert "symbolic link loop" in str(info.value) and "does not exist" not in str(info.value)
    assert str(tmp_path / "self") in str(info.value)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_dangling_symlink_is_named(tmp_path):
    d = _write(tmp_path / "d")
    (d / "candidates.csv").unlink()
    os.symlink(tmp_path / "gone.csv", d / "candidates.csv")
    with pytest.raises(DataValidationError) as info:
        load_assessment(d, warn=False)
    p = _problem(info, str(d / "candidates.csv"))
    assert "symbolic link" in p.message and "gone.csv" in p.message and "does not exist" in p.message


# --------------------------------------------------------------------------- the command line


def _malformed_sets(tmp_path) -> dict[str, Path]:
    out = {}
    rows = _cand_rows()
    rows[0][CAND_HEADER.index("performance")] = "inf"
    rows[1][CAND_HEADER.index("cognitive")] = "-250"
    rows[2][CAND_HEADER.index("potential")] = "1e6"
    out["implausible_numbers"] = _write(tmp_path / "implausible", candidates=_csv(CAND_HEADER, rows))
    sci = "1.96602121990092E+17"
    out["scientific_nip"] = _write(tmp_path / "sci", candidates=_csv(CAND_HEADER, _cand_rows(nips=[sci] * 3)),
                                   ratings=_csv(RATINGS_HEADER, _ratings_rows(nips=[sci] * 3)))
    out["second_score"] = _write(tmp_path / "dup", ratings=_csv(RATINGS_HEADER + ["score"],
                                                                [r + ["1"] for r in _ratings_rows()]))
    raw = _csv(CAND_HEADER, _cand_rows()).encode("utf-8").replace(b"Siti", b"S\xeeti")
    out["stray_cp1252_byte"] = _write(tmp_path / "stray", candidates=raw)
    out["bom_only"] = _write(tmp_path / "bom", ratings=b"\xef\xbb\xbf")
    out["bom_crlf"] = _write(tmp_path / "bomcrlf", ratings=b"\xef\xbb\xbf\r\n")
    d = _write(tmp_path / "formula")
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(RATINGS_HEADER)
    for r in _ratings_rows():
        wb.active.append(r[:5] + ["=1+2"])
    wb.save(d / "ratings.xlsx")
    (d / "ratings.csv").unlink()
    out["formula_without_value"] = d
    if os.name != "nt":
        d = _write(tmp_path / "loop")
        (d / "ratings.csv").unlink()
        os.symlink("ratings.csv", d / "ratings.csv")
        out["symlink_loop"] = d
    agency = "Dinas Pendidikan Bône"
    lines = _csv(RATINGS_HEADER, _ratings_rows(agency=agency)).splitlines(keepends=True)
    out["mixed_encoding"] = _write(tmp_path / "mixed", candidates=_csv(CAND_HEADER, _cand_rows(agency=agency)),
                                   ratings=b"".join(ln.encode("cp1252" if i == 5 else "utf-8")
                                                    for i, ln in enumerate(lines)))
    return out


CLI_EXPECT = {
    "implausible_numbers": "not finite",
    "scientific_nip": "scientific notation",
    "second_score": "both headed 'score'",
    "stray_cp1252_byte": "byte 0xEE",
    "bom_only": "the file is empty",
    "bom_crlf": "the file is empty",
    "formula_without_value": "formulas without saved values",
    "symlink_loop": "symbolic link loop",
    "mixed_encoding": "encoding",
}


def test_cli_validate_reports_every_malformed_input_without_traceback(tmp_path):
    sets = _malformed_sets(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for name, path in sets.items():
        before = {p.name: (p.read_bytes() if p.exists() else None) for p in path.iterdir()}
        proc = subprocess.run([sys.executable, "-m", "psikometri.cli", "validate", str(path)],
                              capture_output=True, text=True, env=env, cwd=tmp_path)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, (name, proc.stderr)
        assert "INVALID" in proc.stderr and CLI_EXPECT[name] in proc.stderr, (name, proc.stderr)
        assert "Fix:" in proc.stderr, (name, proc.stderr)
        after = {p.name: (p.read_bytes() if p.exists() else None) for p in path.iterdir()}
        assert before == after, name  # inputs never modified


def test_cli_validate_range_option(tmp_path):
    from psikometri.cli import main

    rows = _cand_rows()
    rows[0][CAND_HEADER.index("cognitive")] = "950"
    d = _write(tmp_path / "d", candidates=_csv(CAND_HEADER, rows))
    assert main(["validate", str(d)]) == 1
    assert main(["validate", str(d), "--range", "cognitive=0:1000"]) == 0
    assert main(["validate", str(d), "--range", "cognitive=off"]) == 0
    for bad in ("cognitive=1000:0", "nonsense", "cognitiv=0:1", "cognitive=a:b"):
        assert main(["validate", str(d), "--range", bad]) == 2, bad
