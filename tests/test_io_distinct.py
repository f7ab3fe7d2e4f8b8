"""The loader's value-by-value steps, done once per distinct value or from integer codes, against the plain pandas
expressions in tests/naive_io.py; and one data set written in every file format and column kind loads the same.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from .naive_io import (as_dtypes, blank, gender, id_texts, lonely_assessors, numbers_and_nonnumbers, parse_numbers,
                      sorted_categorical, unused_categories)
from psikometri import io
from psikometri.io import DataValidationError, load_assessment

IDS = ["197210141999091001", " 196902101995121002 ", "", "  ", "\u00a0", "\u3000x", "\x1f", "\x1fy\x1c", "1.97E+17",
       "1,5e3", "-2.e5", "1e5x", "12E3-b", "\u0661\u0662\u0663", "\u0661e\u0665", None, "x\n", "e", "Agus", "agus",
       "Agus", "0012"]
SCORES = ["3", "3,5", " 4 ", "", "abc", "inf", "-inf", "1e400", None, "\u0663", "+3", ".5", "3.", "3,5", "1,2,3",
          "  ", "nan", "NaN"]
GENDERS = ["L", " p ", "PRIA", "Laki-laki", "laki laki", "x", "", None, "\u00a0L", "W", "l", "L"]
MIXED = [1, 1.0, True, "1", None, np.nan, 2.5, -0.0, 0.0, "  ", "x", 2**60, "2,5"]
CASES = {"ids": IDS, "scores": SCORES, "genders": GENDERS, "mixed": MIXED}


def _kinds() -> list:
    return [pytest.param(s, id=f"{name}-{kind}") for name, values in CASES.items()
            for kind, s in as_dtypes(values).items()]


def _same_values(got, exp):
    assert got.index.equals(exp.index)
    np.testing.assert_array_equal(np.asarray(got, dtype=object), np.asarray(exp, dtype=object))


@pytest.mark.parametrize("s", _kinds())
def test_blank_and_numbers_as_pandas_gives_them(s):
    before = s.copy()
    _same_values(io._blank(s), blank(s).astype(bool))
    pd.testing.assert_series_equal(io._parse_numbers(s, False), parse_numbers(s), check_exact=True,
                                   check_names=False)
    num, nonnum = io._numbers(s, False)
    exp_num, exp_nonnum = numbers_and_nonnumbers(s)
    np.testing.assert_array_equal(num, exp_num)
    np.testing.assert_array_equal(nonnum, exp_nonnum)
    pd.testing.assert_series_equal(s, before)  # the input is not modified


@pytest.mark.parametrize("s", _kinds())
def test_id_texts_once_per_distinct_value_equal_the_column_expression(s):
    t, bad, sci = io._per_value(s, io._id_texts)
    exp_t, exp_bad, exp_sci = id_texts(s)
    pd.testing.assert_series_equal(t, exp_t, check_exact=True, check_names=False)
    _same_values(bad, exp_bad.astype(bool))
    _same_values(sci, exp_sci)


def test_scientific_ids_and_non_ascii_digits():
    s = pd.Series(["1.97E+17", " 1,5e3 ", "-2.e5", "1e", "e5", "1e5x", "\u0661e\u0665", "12", None], dtype="string")
    _, _, sci = io._per_value(s, io._id_texts)
    # \d matches any decimal digit in Python's re, which pandas uses for text that is not ASCII
    assert sci.tolist() == [True, True, True, False, False, False, True, False, False]
    assert sci.tolist() == id_texts(s)[2].tolist()


@pytest.mark.parametrize("s", _kinds())
def test_gender_codes_equal_the_column_expression(s):
    mapped, bl = io._per_value(s, io._gender_codes)
    exp_mapped, exp_bl = gender(s)
    pd.testing.assert_series_equal(mapped, exp_mapped, check_exact=True, check_names=False)
    _same_values(bl, exp_bl.astype(bool))


@pytest.mark.parametrize("s", _kinds())
def test_isin_equals_pandas(s):
    for values in ({"Agus", "L", "3", "x", "1"}, {"Agus", None}, {1, "1"}, set()):
        _same_values(io._isin(s, values), s.isin(values))


@pytest.mark.parametrize("values", [["b", "a", "c", "a"], ["kab x", "Kab X", "kab_x", "\u00e9", "e"], ["x"],
                                    ["b", None, "a"]])
@pytest.mark.parametrize("kind", ["str", "string"])
def test_sorted_categoricals_equal_pandas(values, kind):
    s = pd.Series(values, dtype=kind)
    dropna = None in values
    got, exp = io._categorical(s, dropna=dropna), sorted_categorical(s, dropna=dropna)
    assert got.dtype == exp.dtype and got.categories.dtype == exp.categories.dtype
    assert list(got.categories) == list(exp.categories)
    assert got.codes.dtype == exp.codes.dtype
    np.testing.assert_array_equal(got.codes, exp.codes)
    cats = sorted(v for v in set(values) if v is not None)[::-1]
    for ordered in (False, True):
        got = io._categorical(s, cats, ordered=ordered)
        exp = pd.Categorical(s, categories=cats, ordered=ordered)
        assert got.dtype == exp.dtype and got.codes.dtype == exp.codes.dtype
        np.testing.assert_array_equal(got.codes, exp.codes)


def test_categorical_with_values_outside_the_categories_warns_as_pandas_does():
    s = pd.Series(["a", "b", "z"], dtype="str")
    with warnings.catch_warnings(record=True) as got_w:
        warnings.simplefilter("always")
        got = io._categorical(s, ["a", "b"])
    with warnings.catch_warnings(record=True) as exp_w:
        warnings.simplefilter("always")
        exp = pd.Categorical(s, categories=["a", "b"])
    np.testing.assert_array_equal(got.codes, exp.codes)
    assert [(w.category, str(w.message)) for w in got_w] == [(w.category, str(w.message)) for w in exp_w]


def test_lonely_assessors_and_unused_categories_equal_pandas():
    rng = np.random.default_rng(5)
    for n in (0, 1, 7, 300):
        r = pd.DataFrame({"assessor": rng.choice(["A1", "A2", "B1", "B2", "C"], n),
                          "candidate": rng.choice(["1", "2", "3"], n)}).astype("string")
        if n > 5:
            r.loc[3, "assessor"] = "solo"  # one rating
            r.loc[[4, 5], "assessor"] = "twice_one"  # two ratings, one candidate
            r.loc[[4, 5], "candidate"] = "3"
        assert io._lonely_assessors(r) == lonely_assessors(r)
        col = r["assessor"].astype("category")
        for c in (col, col.cat.add_categories(["unused"]), col.iloc[: n // 2]):
            assert io._has_unused_categories(c) == unused_categories(c)


def _tables(sim_seed=3):
    from psikometri.simulate import simulate_assessment

    sim = simulate_assessment({"kab_a": (9, {"administrator": 0.5, "pengawas": 0.5}),
                               "kota_b": (7, {"pengawas": 1.0})}, seed=sim_seed)
    return sim


ID_COLUMNS = ("agency", "candidate", "competency", "exercise", "assessor", "position_level", "gender")


def _write(d, tables, kind):
    d.mkdir(parents=True)
    for name, df in tables.items():
        if kind == "csv":
            df.to_csv(d / f"{name}.csv", index=False)
            continue
        out = df.copy()
        for c in out.columns:
            if c in ID_COLUMNS or c == "score" and out[c].dtype == object:
                txt = out[c].astype(object).where(out[c].notna(), None)
                out[c] = {"category": txt.astype("category"), "string": txt.astype("string"),
                          "object": txt.astype(object)}[kind]
        out.to_parquet(d / f"{name}.parquet", index=False)
    return d


@pytest.mark.parametrize("kind", ["category", "string", "object"])
def test_one_data_set_in_every_format_and_column_kind_loads_the_same(tmp_path, kind):
    sim = _tables()
    sim.write(tmp_path / "src")
    ds = load_assessment(tmp_path / "src", warn=False)
    tables = {"ratings": ds.ratings, "candidates": ds.candidates, "items": ds.items}
    csv = load_assessment(_write(tmp_path / "csv", tables, "csv"), warn=False)
    other = load_assessment(_write(tmp_path / kind, tables, kind), warn=False)
    for got in (csv, other):
        for f in ("ratings", "candidates", "items"):
            pd.testing.assert_frame_equal(getattr(got, f), getattr(ds, f), check_exact=True)
        assert got.warnings == ds.warnings


@pytest.mark.parametrize("kind", ["category", "string", "object"])
def test_problems_are_the_same_in_every_format_and_column_kind(tmp_path, kind):
    sim = _tables()
    sim.write(tmp_path / "src")
    ds = load_assessment(tmp_path / "src", warn=False)
    r = ds.ratings.astype({c: object for c in ("agency", "candidate", "assessor")}).astype({"score": object})
    c = ds.candidates.astype({"candidate": object, "gender": object})
    r.loc[2, "candidate"] = "  "
    r.loc[5, "candidate"] = "1.97E+17"
    r.loc[8, "candidate"] = "199912312020011999"
    r.loc[9, "assessor"] = " "
    r.loc[11, "score"] = "abc"
    r.loc[12, "score"] = "7"
    r.loc[13, "agency"] = "kota_b"
    c.loc[1, "gender"] = "x"
    c.loc[2, "gender"] = " pria "
    c.loc[3, "candidate"] = c.loc[4, "candidate"]
    tables = {"ratings": r.astype({"score": str}), "candidates": c, "items": ds.items}
    found = {}
    for k in ("csv", kind):
        with pytest.raises(DataValidationError) as info:
            load_assessment(_write(tmp_path / k, tables, k), warn=False)
        found[k] = [(p.file.split(".")[0], p.message, p.fix, p.column, p.rows) for p in info.value.problems]
    assert len(found["csv"]) >= 7
    assert found[kind] == found["csv"]
