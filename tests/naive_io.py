"""Plain pandas references for the value-by-value steps of psikometri.io.

Each function is the whole-column pandas expression that the loader computes once per distinct value
(``io._per_value``) or from integer codes; used by tests/test_io_distinct.py, which checks that both give the
same values, dtypes and row labels on categorical, text, object and number columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCIENTIFIC = r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+"
GENDER = {
    "l": "L", "laki-laki": "L", "laki laki": "L", "lakilaki": "L", "pria": "L", "m": "L", "male": "L",
    "p": "P", "perempuan": "P", "wanita": "P", "f": "P", "female": "P", "w": "P",
}


def blank(s: pd.Series) -> pd.Series:
    """Missing or whitespace-only values."""
    return s.isna() | (s.astype("string").str.strip() == "")


def parse_numbers(s: pd.Series) -> pd.Series:
    """Numbers of a column: decimal commas read, blanks and other texts NaN."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    txt = s.astype("string").str.strip()
    txt = txt.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    txt = txt.mask(txt == "", pd.NA)
    return pd.to_numeric(txt, errors="coerce").astype(float)


def id_texts(s: pd.Series):
    """An id column as stripped text, its blank values and its values in scientific notation."""
    t = s.astype("string").str.strip()
    return t, blank(t), t.str.fullmatch(SCIENTIFIC).fillna(False).astype(bool)


def gender(s: pd.Series):
    """L/P ("string", missing when not recognised) and the blank values of a gender column."""
    g = s.astype("string").str.strip().str.lower()
    mapped = g.map(lambda v: GENDER.get(v, pd.NA) if isinstance(v, str) else pd.NA)
    return mapped.astype("string"), blank(s)


def sorted_categorical(s: pd.Series, dropna: bool = False) -> pd.Categorical:
    """Categorical with the sorted distinct values as categories."""
    return pd.Categorical(s, categories=sorted(set(s.dropna() if dropna else s)))


def lonely_assessors(ratings: pd.DataFrame) -> list:
    """Assessors who rated fewer than two candidates."""
    per_assessor = ratings.groupby("assessor", observed=True)["candidate"].nunique()
    return sorted(per_assessor.index[per_assessor < 2])


def numbers_and_nonnumbers(raw: pd.Series):
    """(floats, values that are neither blank nor numbers) as arrays."""
    num = parse_numbers(raw)
    return num.to_numpy(), (num.isna() & ~blank(raw)).to_numpy(dtype=bool)


def unused_categories(col: pd.Series) -> bool:
    """Whether remove_unused_categories would drop a category."""
    return len(col.cat.remove_unused_categories().cat.categories) < len(col.cat.categories)


def as_dtypes(values: list) -> dict[str, pd.Series]:
    """The same values as a column of every kind the loader meets (text values only for the text kinds)."""
    obj = pd.Series(values, dtype=object)
    out = {"object": obj}
    texts = [v if isinstance(v, str) or v is None else None for v in values]
    if any(v is not None for v in texts):
        out["string"] = pd.Series(texts, dtype="string")
        out["str"] = pd.Series(texts, dtype="str")
        out["category"] = pd.Series(texts, dtype=object).astype("category")
        cats = sorted({t for t in texts if t is not None} | {"zz unused"})
        out["category_unused"] = pd.Series(pd.Categorical(texts, categories=cats))
        out["category_no_missing"] = pd.Series([t if t is not None else "" for t in texts]).astype("category")
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if nums:
        out["float"] = pd.Series(nums, dtype=float)
        out["category_numbers"] = pd.Series(nums).astype("category")
        if all(float(v).is_integer() for v in nums if v == v):
            out["Int64"] = pd.Series([None if v != v else int(v) for v in nums], dtype="Int64")
    for s in out.values():
        s.index = np.arange(len(s)) * 3 + 7  # row labels with gaps, as after dropped blank rows
    return out
