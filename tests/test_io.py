"""Loader and validator: the catalogue of bad inputs, awkward-but-valid exports, and the sample data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psikometri as pk
from psikometri.io import DataValidationError, DataWarning, load_assessment

FIX = Path(__file__).parent / "fixtures" / "io"
BAD = json.loads((FIX / "bad" / "expected.json").read_text())
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"


def test_catalogue_has_at_least_15_kinds():
    assert len(BAD) >= 15


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_fails_with_clear_message(case):
    exp = BAD[case]
    with pytest.raises(DataValidationError) as info:
        load_assessment(FIX / "bad" / case, warn=False)
    msg = str(info.value)
    assert exp["file"] in msg
    for frag in exp["fragments"]:
        assert frag in msg, (frag, msg)
    if "rows" in exp:
        p = next(p for p in info.value.problems if tuple(exp["rows"]) == p.rows[: len(exp["rows"])])
        assert p.column == exp.get("column", p.column)
        rows_txt = ", ".join(map(str, exp["rows"]))
        assert f"row{'s' if len(exp['rows']) > 1 else ''} {rows_txt}" in msg
    if "column" in exp:
        assert f"column {exp['column']!r}" in msg
    assert "Fix:" in msg


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_files_are_not_modified(case, tmp_path):
    src = FIX / "bad" / case
    before = {p.name: p.read_bytes() for p in ([src] if src.is_file() else sorted(src.iterdir()))}
    with pytest.raises(DataValidationError):
        load_assessment(src, warn=False)
    after = {p.name: p.read_bytes() for p in ([src] if src.is_file() else sorted(src.iterdir()))}
    assert before == after


def test_missing_path_and_single_csv():
    with pytest.raises(DataValidationError, match="does not exist"):
        load_assessment(FIX / "nowhere")
    with pytest.raises(DataValidationError, match="single file must be an Excel workbook"):
        load_assessment(FIX / "bad" / "missing_column" / "ratings.csv")


def test_all_problems_reported_together(tmp_path):
    d = tmp_path / "many"
    shutil.copytree(FIX / "bad" / "out_of_scale", d)
    c = pd.read_csv(d / "candidates.csv")
    c.loc[0, "gender"] = "?"
    c.to_csv(d / "candidates.csv", index=False)
    with pytest.raises(DataValidationError) as info:
        load_assessment(d)
    assert len(info.value.problems) == 2
    assert "2 problems found" in str(info.value)


def test_scale_parameter(tmp_path):
    d = FIX / "bad" / "out_of_scale"  # holds a 0 and a 7
    data = load_assessment(d, scale=(0, 7), warn=False)
    assert data.ratings["score"].max() == 7
    with pytest.raises(ValueError, match="scale must be a"):
        load_assessment(d, scale=(5, 1))


def test_indonesian_excel_export_loads():
    with pytest.warns(DataWarning, match="cp1252"):
        data = load_assessment(FIX / "good" / "excel_export_id")
    r, c = data.ratings, data.candidates
    assert list(r.columns) == ["agency", "candidate", "competency", "exercise", "assessor", "score"]
    expected = pd.read_csv(FIX / "good" / "excel_export_id" / "ratings.csv", sep=";", decimal=",", encoding="cp1252")
    np.testing.assert_allclose(r["score"].to_numpy(), expected["Nilai"].to_numpy())
    assert r["score"].dtype == float and 3.5 in set(r["score"])
    assert list(c["gender"].astype(str)) == ["L", "P", "P"]
    assert c["name"].tolist() == ["Agus Santoso", "Dewi Hasibuan", "Siti Nurbaya"]
    assert "Keterangan" in c.columns  # extra columns are kept
    assert np.isnan(c.loc[1, "performance"]) and c.loc[0, "performance"] == 82.5
    for col in ("agency", "candidate", "competency", "exercise", "assessor"):
        assert isinstance(r[col].dtype, pd.CategoricalDtype)


def test_workbook_with_three_sheets():
    data = load_assessment(FIX / "good" / "workbook.xlsx", warn=False)
    assert data.items is not None and list(data.items.columns) == ["candidate", "i1", "i2", "i3"]
    assert len(data.ratings) == 24


def test_user_column_mapping():
    with pytest.raises(DataValidationError, match=r"required column\(s\) \['score'\]"):
        load_assessment(FIX / "good" / "custom_headers")
    data = load_assessment(FIX / "good" / "custom_headers", columns={"Nilai Akhir Asesor": "score"}, warn=False)
    assert data.ratings["score"].notna().all()
    with pytest.raises(DataValidationError, match="unknown column 'skore'"):
        load_assessment(FIX / "good" / "custom_headers", columns={"Nilai Akhir Asesor": "skore"})


def test_nip_kept_as_text_with_all_digits(tmp_path):
    d = tmp_path / "nip"
    shutil.copytree(FIX / "good" / "custom_headers", d)
    nip = "198001012005011001"
    for f in ("ratings.csv", "candidates.csv", "items.csv"):
        t = pd.read_csv(d / f, dtype=str)
        t.columns = ["nilai akhir asesor" if c == "Nilai Akhir Asesor" else c for c in t.columns]
        t["candidate"] = t["candidate"].replace({"C1": nip, "C2": "0" + nip[1:]})
        t.to_csv(d / f, index=False)
    data = load_assessment(d, columns={"nilai akhir asesor": "score"}, warn=False)
    assert nip in set(data.candidates["candidate"].astype(str))
    assert "0" + nip[1:] in set(data.ratings["candidate"].astype(str))  # leading zero kept


def test_warning_for_assessor_with_one_candidate(tmp_path):
    d = tmp_path / "lonely"
    shutil.copytree(FIX / "good" / "custom_headers", d)
    r = pd.read_csv(d / "ratings.csv")
    r.loc[0, "assessor"] = "solo"
    r.to_csv(d / "ratings.csv", index=False)
    with pytest.warns(DataWarning, match="rated only one candidate"):
        data = load_assessment(d, columns={"Nilai Akhir Asesor": "score"})
    assert any("solo" in w for w in data.warnings)


def test_sample_data_loads_and_summarises():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        data = load_assessment(SAMPLES)
    assert len(data.agencies) == 6
    sizes = data.candidates.groupby("agency", observed=True).size()
    # the JPT cohort: 30 assessed now, 6 more assessed five years ago only (they have left since)
    assert sizes.min() == 36 and sizes.max() == 2091
    assert data.occasions == ["2021", "2026"]
    assert len(data.for_agency("pemprov_nusa_makmur_jpt").for_occasion("2026").candidates) == 30
    summ = data.summary()
    assert set(summ.columns) >= {"candidates", "assessors", "exercises", "competencies", "completeness"}
    assert (summ["completeness"] > 0.9).all() and (summ["completeness"] <= 1).all()
    one = data.for_agency("kab_sukamaju")
    assert one.agencies == ["kab_sukamaju"] and len(one.candidates) == 120
    assert set(one.items["candidate"]) <= set(one.candidates["candidate"])
    with pytest.raises(ValueError, match="not in the data"):
        data.for_agency("nowhere")
    assert "AssessmentData(6 agencies" in repr(data) and "<table" in data._repr_html_()


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "psikometri.cli", *map(str, args)], capture_output=True, text=True)


def test_cli_validate_ok():
    p = _cli("validate", SAMPLES)
    assert p.returncode == 0, p.stderr
    assert "OK" in p.stdout and "agencies     : 6" in p.stdout and "pemprov_nusa_makmur" in p.stdout


def test_cli_validate_bad_exits_nonzero():
    p = _cli("validate", FIX / "bad" / "out_of_scale")
    assert p.returncode == 1
    assert "INVALID" in p.stderr and "outside the scale" in p.stderr and "rows 4, 9" in p.stderr


def test_simulated_data_loads_through_validator(tmp_path):
    sim = pk.simulate_assessment({"kab_a": 40, "kota_b": 25}, seed=3)
    sim.write(tmp_path / "sim", ratings_format="csv")
    data = load_assessment(tmp_path / "sim", warn=False)
    assert data.agencies == ["kab_a", "kota_b"]
    assert len(data.ratings) == len(sim.ratings)
    assert data.items.shape == sim.items.shape


def _base(tmp_path, name="d"):
    d = tmp_path / name
    shutil.copytree(FIX / "good" / "custom_headers", d)
    r = pd.read_csv(d / "ratings.csv").rename(columns={"Nilai Akhir Asesor": "score"})
    return d, r, pd.read_csv(d / "candidates.csv")


def test_long_nip_stored_as_number_in_excel_is_an_error(tmp_path):
    d, r, c = _base(tmp_path)
    nips = [199001012015031001, 199001012015031002, 198805052010121003]
    ids = dict(zip(["C1", "C2", "C3"], nips))
    r["candidate"] = r["candidate"].map(ids)
    c["candidate"] = c["candidate"].map(ids)
    for f in ("ratings.csv", "candidates.csv", "items.csv"):
        (d / f).unlink()
    r.to_excel(d / "ratings.xlsx", index=False)
    c.to_excel(d / "candidates.xlsx", index=False)
    with pytest.raises(DataValidationError, match="too long to be exact") as info:
        load_assessment(d)
    assert "format the column as Text" in str(info.value)


def test_decimal_comma_typed_as_text_in_excel(tmp_path):
    d, r, c = _base(tmp_path)
    r["score"] = r["score"].map(lambda v: f"{v:g}".replace(".", ","))
    (d / "ratings.csv").unlink()
    r.to_excel(d / "ratings.xlsx", index=False)
    data = load_assessment(d, warn=False)
    assert 3.5 in set(data.ratings["score"]) and 2.5 in set(data.ratings["score"])


def test_user_mapping_wins_over_alias_clash(tmp_path):
    d, r, c = _base(tmp_path)
    r.to_csv(d / "ratings.csv", index=False)
    c = c.rename(columns={"position_level": "Jenjang Jabatan"})
    c["Jabatan"] = "Kepala Bidang Mutasi"
    c.to_csv(d / "candidates.csv", index=False)
    with pytest.raises(DataValidationError, match="all mean 'position_level'"):
        load_assessment(d)
    data = load_assessment(d, columns={"Jenjang Jabatan": "position_level"}, warn=False)
    assert set(data.candidates["position_level"].astype(str)) == {"administrator"}
    assert "Jabatan" in data.candidates.columns


def test_utf16_export_and_blank_trailing_rows(tmp_path):
    d, r, c = _base(tmp_path)
    text = r.to_csv(index=False, sep="\t") + "\t\t\t\t\t\n" * 3
    (d / "ratings.csv").write_bytes(text.encode("utf-16"))
    with pytest.warns(DataWarning, match="3 completely empty row"):
        data = load_assessment(d)
    assert len(data.ratings) == len(r)


def test_leading_zeros_lost_hint(tmp_path):
    d, r, c = _base(tmp_path)
    r["candidate"] = r["candidate"].map({"C1": "0001", "C2": "0002", "C3": "0003"})
    c["candidate"] = ["1", "2", "3"]
    r.to_csv(d / "ratings.csv", index=False)
    c.to_csv(d / "candidates.csv", index=False)
    (d / "items.csv").unlink()
    with pytest.raises(DataValidationError, match="leading zeros"):
        load_assessment(d)


def test_independent_round_by_name_never_by_order():
    from psikometri.io import independent_round

    assert independent_round(["post", "pre", "post"]) == "pre"
    assert independent_round(["Konsensus", "Sebelum-Konsensus"]) == "Sebelum-Konsensus"
    assert independent_round(["konsensus", "tahap_penilaian"]) == "tahap_penilaian"  # the only non-consensus one
    assert independent_round(["only"]) == "only"
    assert independent_round(["pre", "post"], rating_round="post") == "post"
    with pytest.raises(ValueError, match="rating_round='x' is not in the data"):
        independent_round(["pre", "post"], rating_round="x")
    with pytest.raises(ValueError, match="cannot tell.*rating_round="):
        independent_round(["A", "B"])
    with pytest.raises(ValueError, match="empty"):
        independent_round([])
