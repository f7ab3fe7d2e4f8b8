r"""Talent management: Job Person Match, the nine-box talent grid and how trustworthy each placement is.

What agencies do with assessment results under PermenPANRB 38/2017 (ASN competency
standards) and PermenPANRB 3/2020 (manajemen talenta / talent management):

* turn the assessors' ratings into each candidate's scores: the overall
  assessment rating (:func:`overall_rating`) and the achieved level on each
  competency (:func:`achieved_levels`);
* compare each person's competency levels with the standard of the post
  (:func:`competency_standard`, :func:`job_person_match`, :func:`gaps`,
  :func:`jpm_category`);
* place people in the nine-box grid of potential (potensi) x performance
  (kinerja) and read the recommended follow-up of each box (:func:`nine_box`,
  :func:`nine_box_actions`);
* say how reliable those placements are: the probability that each person's
  box is right and the decision consistency of the whole grid given the
  reliabilities of the potential and performance measures
  (:func:`placement_consistency`);
* draw them (:func:`plot_nine_box`, :func:`plot_competency_gaps`,
  :func:`plot_jpm_distribution`).

Vocabulary (Indonesian / English)
---------------------------------
kompetensi / competency; standar kompetensi jabatan / competency standard of the
post; Job Person Match (JPM, kesesuaian orang dengan jabatan); kesenjangan /
gap; potensi / potential; kinerja / performance; kotak manajemen talenta /
nine-box talent grid; rendah, menengah, tinggi / low, medium, high; di bawah,
sesuai, di atas ekspektasi / below, meets, above expectation; konsistensi
keputusan / decision consistency; ketepatan klasifikasi / classification
accuracy.

Candidates are identified by the index of every per-candidate input (the
candidate id, e.g. the NIP).  Inputs that belong together (achieved levels and
a standard per candidate; potential and performance; JPM and position level)
are matched by that id, never by position: the same candidates in another
order give the same results, in the order of the first argument.  Ids must be
unique, and two inputs must hold the same ids; otherwise the error lists the
ids concerned.  Array-likes without an index are matched by position.

Competencies are identified by the snake_case ids in :data:`COMPETENCIES` and
position levels by those in :data:`POSITION_LEVELS`; human spellings such as
``"JPT Pratama"``, ``"Ahli Muda"`` or ``"Orientasi pada Hasil"`` are accepted
case-insensitively wherever an id is expected.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from ._resampling import _check_level, percentile_interval, resolve_seed
from ._threads import single_threaded_blas
from ._validation import (
    _row_label,
    check_columns,
    check_dataframe,
    check_positive_int,
    check_probability,
    check_real,
    check_text_distinct,
    check_unique_columns,
    numeric_column,
    plain,
    validates_seed,
)

__all__ = [
    "COMPETENCIES",
    "POSITION_LEVELS",
    "JPM_SCHEMES",
    "load_competency_standards",
    "competency_standard",
    "overall_rating",
    "achieved_levels",
    "job_person_match",
    "gaps",
    "jpm_category",
    "nine_box",
    "nine_box_actions",
    "placement_consistency",
    "plot_nine_box",
    "plot_competency_gaps",
    "plot_jpm_distribution",
]

#: The nine competencies of PermenPANRB 38/2017 (eight managerial, one socio-cultural), as stable ids.
COMPETENCIES: tuple[str, ...] = (
    "integritas",
    "kerjasama",
    "komunikasi",
    "orientasi_pada_hasil",
    "pelayanan_publik",
    "pengembangan_diri_dan_orang_lain",
    "mengelola_perubahan",
    "pengambilan_keputusan",
    "perekat_bangsa",
)

#: Position levels of the default standards table (structural, then functional expert levels).
POSITION_LEVELS: tuple[str, ...] = (
    "jpt_utama",
    "jpt_madya",
    "jpt_pratama",
    "administrator",
    "pengawas",
    "pelaksana",
    "ahli_utama",
    "ahli_madya",
    "ahli_muda",
    "ahli_pertama",
)

#: JPM category schemes: cut-offs (a JPM equal to a cut goes up) and labels from lowest to highest.
JPM_SCHEMES: dict[str, dict[str, tuple]] = {
    "mapping": {"cuts": (78.0, 90.0), "labels": ("Kurang Optimal", "Cukup Optimal", "Optimal")},
    "selection": {
        "cuts": (68.0, 80.0),
        "labels": ("Kurang Memenuhi Syarat", "Masih Memenuhi Syarat", "Memenuhi Syarat"),
    },
}

_COMPETENCY_ALIASES = {
    "integrity": "integritas",
    "kerja_sama": "kerjasama",
    "teamwork": "kerjasama",
    "cooperation": "kerjasama",
    "communication": "komunikasi",
    "orientasi_hasil": "orientasi_pada_hasil",
    "results_orientation": "orientasi_pada_hasil",
    "result_orientation": "orientasi_pada_hasil",
    "public_service": "pelayanan_publik",
    "pengembangan_diri": "pengembangan_diri_dan_orang_lain",
    "developing_self_and_others": "pengembangan_diri_dan_orang_lain",
    "managing_change": "mengelola_perubahan",
    "decision_making": "pengambilan_keputusan",
    "national_unity": "perekat_bangsa",
    "nation_building": "perekat_bangsa",
}

_POSITION_ALIASES = {
    "eselon_ii": "jpt_pratama",
    "eselon_2": "jpt_pratama",
    "eselon_iii": "administrator",
    "eselon_3": "administrator",
    "eselon_iv": "pengawas",
    "eselon_4": "pengawas",
    "jabatan_administrator": "administrator",
    "jabatan_pengawas": "pengawas",
    "jabatan_pelaksana": "pelaksana",
}

_META_COLUMNS = ("label", "family", "description", "notes", "keterangan")

# box number for (potential level, performance level), PermenPANRB 3/2020
_BOX = np.array([[1, 2, 4], [3, 5, 7], [6, 8, 9]], dtype=np.int64)

_POTENTIAL_LABELS = {
    "id": ("rendah", "menengah", "tinggi"),
    "en": ("low", "medium", "high"),
}
_PERFORMANCE_LABELS = {
    "id": ("di bawah ekspektasi", "sesuai ekspektasi", "di atas ekspektasi"),
    "en": ("below expectation", "meets expectation", "above expectation"),
}
_POTENTIAL_WORDS = {
    "rendah": 1, "low": 1,
    "menengah": 2, "sedang": 2, "medium": 2, "middle": 2, "moderate": 2,
    "tinggi": 3, "high": 3,
}
_PERFORMANCE_WORDS = {
    "di_bawah_ekspektasi": 1, "dibawah_ekspektasi": 1, "di_bawah": 1, "dibawah": 1, "below": 1,
    "below_expectation": 1, "below_expectations": 1,
    "sesuai_ekspektasi": 2, "sesuai": 2, "meets": 2, "meets_expectation": 2, "meets_expectations": 2,
    "di_atas_ekspektasi": 3, "diatas_ekspektasi": 3, "di_atas": 3, "diatas": 3, "above": 3,
    "above_expectation": 3, "above_expectations": 3,
}

_ACTIONS = {
    "id": {
        9: "Dipromosikan dan dipertahankan; masuk kelompok rencana suksesi instansi/nasional; diberikan penghargaan.",
        8: "Dipertahankan; masuk kelompok rencana suksesi instansi; rotasi/perluasan jabatan (job enlargement); "
           "bimbingan kinerja.",
        7: "Dipertahankan; masuk kelompok rencana suksesi instansi; rotasi/pengayaan jabatan (job enrichment); "
           "pengembangan kompetensi; tugas belajar.",
        6: "Penempatan yang sesuai; bimbingan kinerja dan konseling kinerja.",
        5: "Penempatan yang sesuai; bimbingan kinerja; pengembangan kompetensi.",
        4: "Rotasi; pengembangan kompetensi.",
        3: "Bimbingan kinerja dan konseling kinerja; pengembangan kompetensi; penempatan yang sesuai.",
        2: "Bimbingan kinerja; pengembangan kompetensi; penempatan yang sesuai.",
        1: "Diproses sesuai ketentuan peraturan perundang-undangan.",
    },
    "en": {
        9: "Promote and retain; national/agency succession pool; award.",
        8: "Retain; agency succession pool; rotation/job enlargement; performance coaching.",
        7: "Retain; agency succession pool; rotation/job enrichment; competency development; study assignment.",
        6: "Suitable placement; performance coaching and counselling.",
        5: "Suitable placement; performance coaching; competency development.",
        4: "Rotation; competency development.",
        3: "Performance coaching and counselling; competency development; suitable placement.",
        2: "Performance coaching; competency development; suitable placement.",
        1: "Handled under the applicable regulations.",
    },
}


# ---------------------------------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------------------------------


def _snake(name) -> str:
    """``"JPT  Pratama"`` -> ``"jpt_pratama"``: lower case, runs of non-alphanumerics become one underscore."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _competency_id(name) -> str:
    s = _snake(name)
    return _COMPETENCY_ALIASES.get(s, s)


def _position_id(name, known, param: str = "position_level") -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"{param} must be a string such as 'JPT Pratama' or 'ahli_muda'; got {name!r} of type "
            f"{type(name).__name__}."
        )
    s = _snake(name)
    s = _POSITION_ALIASES.get(s, s)
    if s not in known:
        raise ValueError(
            f"unknown position level {param}={name!r}; known levels are {list(known)}. Use one of these "
            "(human spellings such as 'JPT Pratama' or 'Ahli Muda' are accepted) or pass your agency's "
            "table with standards=load_competency_standards(...)."
        )
    return s


# ---------------------------------------------------------------------------------------------------------------
# candidate ids
# ---------------------------------------------------------------------------------------------------------------


def _plain_index(index: pd.Index) -> pd.Index:
    """The index with categorical ids replaced by their values (ids are matched by value, never by code)."""
    if isinstance(index, pd.CategoricalIndex):
        return index.astype(index.categories.dtype)
    return index


def _sorted_positions(values) -> np.ndarray:
    """Positions that put ``values`` (an Index or array of ids) in sorted order, the same whatever their order.

    Ids of mixed types (numbers and text), which do not sort, are ordered by type name and then as text.
    """
    idx = _plain_index(pd.Index(values))
    try:
        return np.asarray(idx.argsort(kind="stable"), dtype=np.intp)
    except TypeError:
        keys = [(type(plain(v)).__name__, str(v)) for v in idx]
        return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)


def _ids_text(ids, limit: int = 5) -> str:
    """Up to ``limit`` ids (in sorted order) for a message, and how many more there are."""
    ids = pd.Index(list(ids))
    ids = ids[_sorted_positions(ids)] if len(ids) else ids
    shown = ", ".join(repr(plain(v)) for v in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _check_unique_ids(index: pd.Index, name: str) -> None:
    """Raise when a candidate id labels more than one row of ``name``."""
    dup = index.duplicated()
    if dup.any():
        ids = pd.unique(np.asarray(index[dup], dtype=object))
        raise ValueError(
            f"{name} has {len(ids)} candidate id(s) on more than one row: {_ids_text(ids)}. Candidates are matched "
            f"by id (the index), so each must appear once. Keep one row per candidate (find the repeats with "
            f"{name}[{name}.index.duplicated(keep=False)]), or, for a cohort assessed more than once, index by "
            "(candidate, occasion)."
        )


def _match_ids(index: pd.Index, other: pd.Index, name: str, other_name: str) -> np.ndarray:
    """Positions in ``other`` of the ids of ``index``, in the order of ``index``.

    Both must hold the same candidate ids, each once; otherwise a ValueError names the ids found on one side
    only (first five in sorted order) and the fix.
    """
    a, b = _plain_index(index), _plain_index(other)
    _check_unique_ids(a, name)
    _check_unique_ids(b, other_name)
    pos = np.asarray(b.get_indexer(a), dtype=np.intp)
    only_b = b[np.asarray(a.get_indexer(b)) < 0]
    only_a = a[pos < 0]
    if len(only_a) or len(only_b):
        parts = [f"{len(ids)} id(s) in {x} but not in {y}: {_ids_text(ids)}"
                 for ids, x, y in ((only_a, name, other_name), (only_b, other_name, name)) if len(ids)]
        typed = {str(v) for v in only_a} & {str(v) for v in only_b}
        hint = (f" Some ids differ only in type (e.g. {next(iter(sorted(typed)))!r} is a number on one side and "
                "text on the other): convert both with .index.astype(str)." if typed else "")
        raise ValueError(
            f"{name} and {other_name} must hold the same candidates, matched by id (the index), never by position; "
            + "; ".join(parts) + "." + hint + f" Keep the candidates found in both, e.g. "
            f"ids = {name}.index.intersection({other_name}.index), then pass {name}.loc[ids] and "
            f"{other_name}.loc[ids]."
        )
    return pos


def _align_to(ref: pd.Series | pd.DataFrame, other, name: str, other_name: str):
    """``other`` (Series or DataFrame) reordered to the candidate ids of ``ref``, indexed exactly like ``ref``."""
    pos = _match_ids(ref.index, other.index, name, other_name)
    return other.iloc[pos].set_axis(ref.index, axis=0)


# ---------------------------------------------------------------------------------------------------------------
# competency standards
# ---------------------------------------------------------------------------------------------------------------


def _check_level_values(arr: np.ndarray, index, columns, name: str, *, integer: bool,
                        allow_nan: bool = False) -> None:
    bad = (~np.isfinite(arr) & ~(allow_nan & np.isnan(arr))) | (arr < 1) | (arr > 5)
    if integer:
        bad |= np.isfinite(arr) & (arr != np.round(arr))
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        what = "integer levels 1-5" if integer else "levels between 1 and 5"
        raise ValueError(
            f"{name} must hold {what} (PermenPANRB 38/2017 levels); row {plain(index[r])!r}, column "
            f"{plain(columns[c])!r} holds {plain(arr[r, c])!r}. Correct the value"
            + ("" if integer else " or mark it missing and drop the row")
            + "."
        )


def _standards_from_frame(df: pd.DataFrame, source: str) -> pd.DataFrame:
    df = df.copy()
    if "position_level" in map(_snake, df.columns):
        col = next(c for c in df.columns if _snake(c) == "position_level")
        df = df.set_index(col)
    df = df.drop(columns=[c for c in df.columns if _snake(c) in _META_COLUMNS])
    if df.shape[1] == 0 or df.shape[0] == 0:
        raise ValueError(
            f"the competency standards from {source} hold no position level or no competency column. Use one row "
            "per position level (column position_level) and one column per competency with levels 1-5."
        )
    pos = [_snake(p) for p in df.index]
    pos = [_POSITION_ALIASES.get(p, p) for p in pos]
    comps = [_competency_id(c) for c in df.columns]
    for what, names in (("position level", pos), ("competency", comps)):
        seen = set()
        for n in names:
            if n in seen or n == "":
                raise ValueError(
                    f"the competency standards from {source} name the {what} {n!r} twice (or leave it empty) once "
                    "spellings are normalised. Give each one row/column."
                )
            seen.add(n)
    values = df.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    _check_level_values(values, list(df.index), list(df.columns), f"the competency standards from {source}",
                        integer=True)
    out = pd.DataFrame(values.astype(np.int64), index=pd.Index(pos, name="position_level"),
                       columns=pd.Index(comps, name="competency"))
    return out


def load_competency_standards(source=None) -> pd.DataFrame:
    """Table of required competency levels by position level (the default one, or an agency's own).

    Parameters
    ----------
    source : None, str, Path, dict or DataFrame
        ``None`` loads the table shipped with psikometri
        (``psikometri/data/competency_standards.csv``): every competency of
        :data:`COMPETENCIES` at JPT Utama 5, JPT Madya 5, JPT Pratama 4,
        Administrator 3, Pengawas 2, Pelaksana 1, Ahli Utama 4, Ahli Madya 3,
        Ahli Muda 2, Ahli Pertama 1 -- the levels commonly applied under
        PermenPANRB 38/2017, **not verified line by line against the
        regulation's annex**; agencies should pass their own table.

        A path to a ``.csv`` file (lines starting with ``#`` are comments) or a
        ``.yaml``/``.yml`` file (needs PyYAML) or a DataFrame: one row per
        position level (column or index ``position_level``), one column per
        competency; columns ``label``, ``family``, ``description``, ``notes``
        and ``keterangan`` are ignored.  A dict (or YAML mapping)
        ``{position_level: {competency: level}}``, or
        ``{position_level: level}`` for one level on all nine competencies.

    Returns
    -------
    DataFrame
        Index ``position_level`` (snake_case ids), columns ``competency``
        (snake_case ids), integer levels 1-5.

    Raises
    ------
    ValueError
        For levels that are not integers in 1-5 (naming row and column), a
        position level or competency named twice, or an empty table.

    Examples
    --------
    >>> from psikometri.talent import load_competency_standards
    >>> tab = load_competency_standards()
    >>> int(tab.loc["jpt_pratama", "integritas"]), int(tab.loc["ahli_muda", "perekat_bangsa"])
    (4, 2)
    >>> own = load_competency_standards({"Kepala Seksi": {"Integritas": 3, "Kerjasama": 2}})
    >>> own.loc["kepala_seksi"].to_dict()
    {'integritas': 3, 'kerjasama': 2}
    """
    if source is None:
        return _default_standards().copy()
    if isinstance(source, pd.DataFrame):
        return _standards_from_frame(source, "the DataFrame")
    if isinstance(source, Mapping):
        return _standards_from_mapping(source, "the dict")
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"competency standards file {str(path)!r} does not exist. Check the path.")
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return _standards_from_frame(pd.read_csv(path, comment="#"), repr(str(path)))
        if suffix in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError as exc:  # pragma: no cover - PyYAML present in the development environment
                raise ImportError(
                    "reading a YAML standards table needs PyYAML (pip install pyyaml); or save the table as CSV."
                ) from exc
            with open(path, encoding="utf-8") as fh:
                data = yaml.safe_load(fh)
            if not isinstance(data, Mapping):
                raise ValueError(
                    f"the YAML file {str(path)!r} must hold a mapping position_level -> {{competency: level}}; got "
                    f"{type(data).__name__}."
                )
            return _standards_from_mapping(data, repr(str(path)))
        raise ValueError(
            f"competency standards file {str(path)!r} has suffix {suffix!r}; use a .csv, .yaml or .yml file."
        )
    raise TypeError(
        "source must be None, a path to a CSV/YAML file, a dict or a DataFrame; got "
        f"{type(source).__name__}."
    )


@functools.lru_cache(maxsize=1)
def _default_standards() -> pd.DataFrame:
    """The shipped table, read and checked once per process (callers get copies)."""
    ref = resources.files("psikometri").joinpath("data/competency_standards.csv")
    with ref.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, comment="#")
    return _standards_from_frame(df, "the default table")


def _standards_from_mapping(data: Mapping, source: str) -> pd.DataFrame:
    rows = {}
    for pos, val in data.items():
        if isinstance(val, Mapping):
            row = {}
            for comp, lev in val.items():
                cid = _competency_id(comp)
                if cid in row:
                    raise ValueError(
                        f"the competency standards from {source}: position level {pos!r} names the competency "
                        f"{cid!r} twice once spellings are normalised. Keep one entry."
                    )
                row[cid] = lev
            rows[pos] = row
        elif isinstance(val, numbers.Real) and not isinstance(val, bool):
            rows[pos] = {c: val for c in COMPETENCIES}
        else:
            raise ValueError(
                f"the competency standards from {source}: position level {pos!r} maps to {val!r}; give a "
                "{competency: level} mapping or one level 1-5."
            )
    df = pd.DataFrame.from_dict(rows, orient="index")
    return _standards_from_frame(df, source)


def _resolve_standards(standards) -> pd.DataFrame:
    return load_competency_standards(standards)


def competency_standard(position_level: str, *, standards=None) -> pd.Series:
    """Required competency levels (standar kompetensi jabatan) of a position level.

    Parameters
    ----------
    position_level : str
        ``"jpt_utama"``, ``"jpt_madya"``, ``"jpt_pratama"``,
        ``"administrator"``, ``"pengawas"``, ``"pelaksana"``, ``"ahli_utama"``,
        ``"ahli_madya"``, ``"ahli_muda"``, ``"ahli_pertama"`` or a human
        spelling of these (``"JPT Pratama"``, ``"Ahli Muda"``; also
        ``"Eselon II"``, ``"Eselon III"``, ``"Eselon IV"``), case-insensitive,
        or a level of the agency table passed as ``standards``.
    standards : None, path, dict or DataFrame
        The table to read from; anything :func:`load_competency_standards`
        accepts.  ``None`` uses the default table (see there for its source
        and caveats).

    Returns
    -------
    Series
        Required level per competency id, named after the position level id.

    Raises
    ------
    ValueError
        For an unknown position level (the message lists the known ones).

    Examples
    --------
    >>> from psikometri.talent import competency_standard
    >>> req = competency_standard("JPT Pratama")
    >>> req.name, int(req["pengambilan_keputusan"]), len(req)
    ('jpt_pratama', 4, 9)
    """
    table = _resolve_standards(standards)
    pid = _position_id(position_level, list(table.index))
    out = table.loc[pid].copy()
    out.name = pid
    return out


# ---------------------------------------------------------------------------------------------------------------
# candidate scores from the assessors' ratings
# ---------------------------------------------------------------------------------------------------------------

#: Columns of a ratings table that must hold one value: several rounds (pre/post consensus) or occasions would
#: count a candidate's ratings more than once.
_ONE_VALUE_COLUMNS = {
    "round": "rating rounds (before and after the consensus discussion)",
    "occasion": "assessment occasions",
}


def _check_column_name(value, param: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{param} must be a column name (str); got {param}={value!r}.")
    return value


def _rating_table(ratings, score: str, id_columns: dict[str, str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Validated long ratings: the frame and the scores as float64 (NaN for a missing score).

    ``id_columns`` maps each parameter name to the column it names.
    """
    df = check_dataframe(ratings, "ratings")
    _check_column_name(score, "score")
    for param, col in id_columns.items():
        _check_column_name(col, param)
    cols = list(id_columns.values())
    if len(set(cols + [score])) != len(cols) + 1:
        raise ValueError(f"the columns must all differ; got {', '.join(f'{p}={c!r}' for p, c in id_columns.items())}, "
                         f"score={score!r}.")
    check_unique_columns(df, "ratings", cols + [score])
    check_columns(df, cols + [score], "ratings")
    for col, what in _ONE_VALUE_COLUMNS.items():
        if col in df.columns and col not in cols and df[col].nunique(dropna=True) > 1:
            vals = sorted(map(str, df[col].dropna().unique()))
            raise ValueError(
                f"ratings hold {len(vals)} {what} in column {col!r} ({', '.join(map(repr, vals[:5]))}): each "
                f"candidate's ratings would be counted once per {col}. Keep one {col}, e.g. "
                f"ratings[ratings[{col!r}] == {vals[0]!r}] (AssessmentData.overall_rating and .achieved_levels pick "
                f"the independent round), or drop the column if it means something else."
            )
    if len(df) == 0:
        raise ValueError("ratings has no rows; pass the long ratings table, one row per rating.")
    s = df[score]
    is_bool = np.array([isinstance(v, (bool, np.bool_)) for v in s.to_numpy()], dtype=bool) if (
        pd.api.types.is_bool_dtype(s) or pd.api.types.is_object_dtype(s)) else np.zeros(len(s), dtype=bool)
    if is_bool.any():
        pos = int(np.flatnonzero(is_bool)[0])
        raise TypeError(
            f"ratings column {score!r} (score) holds True/False ({plain(s.iloc[pos])!r} at "
            f"{_row_label(df.index, pos)}), not a rating: True would count as 1. Recode the ratings as numbers on "
            "the rating scale."
        )
    s = numeric_column(df, score, table="ratings", positional=True,
                       fix="Recode the ratings as numbers (NaN for a missing rating).")
    y = s.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(y).any():
        pos = int(np.flatnonzero(np.isinf(y))[0])
        raise ValueError(f"ratings column {score!r} holds an infinite value at {_row_label(df.index, pos)}. Use "
                         "finite ratings (NaN for a missing one).")
    if np.isnan(y).all():
        raise ValueError(
            f"ratings column {score!r} (score) is missing on all {len(y)} rows: there is no rating to use. Check "
            f"that score={score!r} names the rating column and that its values were read as numbers."
        )
    for param, col in id_columns.items():
        miss = df[col].isna().to_numpy()
        if miss.any():
            pos = int(np.flatnonzero(miss)[0])
            raise ValueError(
                f"ratings column {col!r} ({param}) is empty at {_row_label(df.index, pos)} ({int(miss.sum())} "
                "empty in all): every rating must say whose it is. Fill in the ids or drop these rows."
            )
        check_text_distinct(df[col].to_numpy(), f"ratings column {col!r} ({param})")
    return df, y


def _id_codes(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of the ids in ``s`` and the ids, in sorted order (categories in their order)."""
    try:
        codes, uniq = pd.factorize(s, sort=True)
        uniq = _plain_index(pd.Index(uniq))
    except TypeError:  # ids of mixed types: sorted by type name, then as text
        codes, uniq = pd.factorize(s, sort=False)
        uniq = _plain_index(pd.Index(uniq))
        order = _sorted_positions(uniq)
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        codes, uniq = rank[codes], uniq[order]
    return np.asarray(codes, dtype=np.int64), uniq


def _grouped_mean(codes: np.ndarray, n_groups: int, y: np.ndarray) -> np.ndarray:
    """Mean of ``y`` per group code (missing ``y`` left out; NaN for a group without a value).

    The values of each group are summed in sorted order, so the means do not depend on the order of the rows.
    """
    ok = ~np.isnan(y)
    c, v = codes[ok], y[ok]
    order = np.lexsort((v, c))
    sums = np.bincount(c[order], weights=v[order], minlength=n_groups)
    counts = np.bincount(c, minlength=n_groups)
    out = np.full(n_groups, np.nan)
    has = counts > 0
    out[has] = sums[has] / counts[has]
    return out


def _level_weights(weights, levels: pd.Index, by: str) -> np.ndarray:
    """Weights of the levels of ``by`` (ones when ``weights`` is None), checked."""
    if weights is None:
        return np.ones(len(levels))
    if isinstance(weights, Mapping):
        weights = pd.Series(dict(weights), dtype=object)
    if not isinstance(weights, pd.Series):
        raise TypeError(f"weights must be a dict or Series {{{by}: weight}}; got {type(weights).__name__}.")
    if weights.index.duplicated().any():
        raise ValueError(f"weights names {plain(weights.index[weights.index.duplicated()][0])!r} twice; give each "
                         f"{by} once.")
    lev_types = {type(plain(v)) for v in levels}
    def _num(t):
        return issubclass(t, numbers.Real) and not issubclass(t, bool)

    for k in weights.index:
        t = type(plain(k))
        if t not in lev_types and not (_num(t) and all(_num(u) for u in lev_types)):
            raise ValueError(
                f"weights key {plain(k)!r} is a {t.__name__}, but the levels of ratings column {by!r} "
                f"are {', '.join(sorted(u.__name__ for u in lev_types))} ({[plain(v) for v in levels][:5]}); write "
                f"the keys as the levels are written, or convert the column (e.g. with .astype(str)).")
    bad = [plain(k) for k, v in weights.items() if isinstance(v, (bool, np.bool_))]
    if bad:
        raise TypeError(f"weights[{bad[0]!r}] is {weights[bad[0]]!r}, not a number; give each {by} a number "
                        "(0 to leave it out).")
    key = {plain(k): k for k in weights.index}  # matched by value: 1 and 1.0 are the same level
    lev_vals = [plain(v) for v in levels]
    lev_key = [str(v) for v in lev_vals]
    missing = [str(v) for v in lev_vals if v not in key]
    if missing:
        raise ValueError(f"weights has no weight for the {by} level(s) {missing[:5]} found in the ratings; give a "
                         f"weight (0 to leave one out) to every level: {lev_key}.")
    unknown = sorted(str(k) for k in key if k not in set(lev_vals))
    if unknown:
        raise ValueError(f"weights names {unknown[:5]}, not found in ratings column {by!r} (its levels are "
                         f"{lev_key}). Correct the names or drop those weights.")
    w = pd.to_numeric(pd.Series([weights[key[v]] for v in lev_vals]), errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any() or not (w > 0).any():
        raise ValueError(f"weights must be finite, non-negative numbers, not all zero; got "
                         f"{dict(zip(lev_key, w.tolist()))}.")
    return w


def overall_rating(ratings, *, person: str = "candidate", score: str = "score", weights=None,
                   by: str | None = None) -> pd.Series:
    r"""Overall assessment rating (OAR, nilai akhir) of each candidate from the assessors' ratings.

    With ``by=None`` (the default) the OAR is the mean of all of a
    candidate's ratings, every rating counting once:

    .. math::

        \mathrm{OAR}_i = \frac{1}{n_i}\sum_{r \in R_i} y_r ,

    with :math:`R_i` the :math:`n_i` non-missing ratings :math:`y_r` of
    candidate *i* (over competencies, exercises and assessors).  With
    ``by="competency"`` (or another column) it is the weighted mean of the
    candidate's mean rating at each level *k* of that column:

    .. math::

        \mathrm{OAR}_i = \frac{\sum_k w_k \bar y_{ik}}{\sum_k w_k},\qquad
        \bar y_{ik} = \frac{1}{n_{ik}}\sum_{r \in R_{ik}} y_r ,

    so that every competency counts with its weight :math:`w_k` (1 by
    default) however many ratings it has.  The two agree when every
    competency of a candidate has the same number of ratings.

    Parameters
    ----------
    ratings : DataFrame
        Long format, one row per rating (``AssessmentData.ratings``).  A
        column ``round`` or ``occasion`` holding more than one value is an
        error (a candidate's ratings would be counted once per round or
        occasion): keep one first.
    person, score : str
        Columns of the candidate id and of the rating.
    weights : dict or Series, optional
        ``{level of by: weight}``, non-negative, not all zero, one for every
        level found in the ratings (0 leaves a level out).  Needs ``by``.
    by : str, optional
        Column whose levels are averaged first (e.g. ``"competency"``).

    Returns
    -------
    Series
        Named ``"oar"``, indexed by candidate id (index named ``person``),
        one row per candidate in the ratings, in sorted order of the ids (for
        a categorical column, the order of its categories).  NaN for a
        candidate without a non-missing rating or, with ``by``, without a
        rating at some level of positive weight (with a warning naming the
        first).  The result does not depend on the order of the rows.

    Raises
    ------
    ValueError, TypeError
        For a missing column, a non-numeric or infinite rating (naming the
        row), an empty id, several rounds or occasions, ``weights`` without
        ``by``, or weights that are negative, all zero, miss a level or name
        one the ratings do not have.

    Warns
    -----
    UserWarning
        With ``by``, when candidates lack a rating at a level of positive
        weight (their OAR is NaN).

    See Also
    --------
    achieved_levels : the level per candidate and competency.
    psikometri.io.AssessmentData.overall_rating : the same from loaded data,
        one rating round.

    Notes
    -----
    The default is the OAR of the validation report (``results.json``) and
    the score whose reliability :meth:`GStudy.oar_reliability` gives.  In R:
    ``aggregate(score ~ candidate, ratings, mean)``; with ``by``,
    ``weighted.mean`` of the per-competency means.  Each candidate's
    ratings are summed in sorted order, so shuffled rows give the same bits.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.talent import overall_rating
    >>> r = pd.DataFrame({"candidate": ["a", "a", "a", "b", "b"],
    ...                   "competency": ["integritas", "integritas", "kerjasama", "integritas", "kerjasama"],
    ...                   "score": [4, 4, 1, 3, 3]})
    >>> overall_rating(r).tolist()                       # (4 + 4 + 1) / 3; (3 + 3) / 2
    [3.0, 3.0]
    >>> overall_rating(r, by="competency").tolist()      # (4 + 1) / 2; (3 + 3) / 2
    [2.5, 3.0]
    >>> overall_rating(r, by="competency", weights={"integritas": 3, "kerjasama": 1}).tolist()
    [3.25, 3.0]
    """
    if by is None and weights is not None:
        raise ValueError("weights need by=, the column whose levels they weight, e.g. by='competency' with "
                         "weights={'integritas': 2, ...}.")
    ids = {"person": person} if by is None else {"person": person, "by": by}
    df, y = _rating_table(ratings, score, ids)
    pc, pids = _id_codes(df[person])
    if by is None:
        oar = _grouped_mean(pc, len(pids), y)
    else:
        bc, levels = _id_codes(df[by])
        w = _level_weights(weights, levels, by)
        k = len(levels)
        cell = _grouped_mean(pc * k + bc, len(pids) * k, y).reshape(len(pids), k)
        use = w > 0
        cell, w = cell[:, use], w[use]
        lacking = np.isnan(cell).any(axis=1) & ~np.isnan(cell).all(axis=1)
        if lacking.any():
            i = int(np.flatnonzero(lacking)[0])
            lev = levels[use][int(np.flatnonzero(np.isnan(cell[i]))[0])]
            warnings.warn(
                f"{int(lacking.sum())} candidate(s) lack a rating at some {by} (first: {plain(pids[i])!r} has none "
                f"at {plain(lev)!r}); their overall rating is NaN. Give that level weight 0, or use by=None (the "
                "mean of all ratings).",
                UserWarning, stacklevel=2,
            )
        oar = (cell * w).sum(axis=1) / w.sum()
    return pd.Series(oar, index=pids.rename(person), name="oar")


def _check_scale(scale) -> tuple[float, float]:
    ok = isinstance(scale, (tuple, list, np.ndarray)) and len(scale) == 2 and all(
        isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in scale)
    if ok:
        try:
            lo, hi = float(scale[0]), float(scale[1])
        except (TypeError, ValueError):
            ok = False
        else:
            ok = math.isfinite(lo) and math.isfinite(hi) and lo < hi
    if not ok:
        raise ValueError(f"scale must be a (min, max) pair of finite numbers with min < max; got scale={scale!r}. "
                         "Use e.g. scale=(1, 5).")
    return lo, hi


def achieved_levels(ratings, *, person: str = "candidate", competency: str = "competency", score: str = "score",
                    rounding: str | None = "half_up", scale=(1, 5)) -> pd.DataFrame:
    r"""Achieved level (level capaian) of each candidate on each competency, from the assessors' ratings.

    The level is the candidate's mean rating on the competency, over all
    exercises and assessors, rounded half up and kept within the scale:

    .. math::

        L_{ic} = \min\!\big(\max(\lfloor \bar y_{ic} + \tfrac12 \rfloor,\ s_{\min}),\ s_{\max}\big),\qquad
        \bar y_{ic} = \frac{1}{n_{ic}} \sum_{r \in R_{ic}} y_r ,

    with :math:`R_{ic}` the :math:`n_{ic}` non-missing ratings of candidate
    *i* on competency *c*.  These are the levels :func:`job_person_match`
    compares with the standard of the post.

    Parameters
    ----------
    ratings : DataFrame
        Long format, one row per rating (``AssessmentData.ratings``); a
        ``round`` or ``occasion`` column holding more than one value is an
        error (keep one first).
    person, competency, score : str
        Columns of the candidate id, the competency and the rating.
    rounding : {"half_up", "half_even", None}, default "half_up"
        ``"half_up"``: a mean of exactly x.5 goes up (3.5 -> 4, the reading
        of the report and of most AC units); ``"half_even"``: it goes to the
        even level (3.5 -> 4, 2.5 -> 2; R's ``round``, numpy's ``rint``);
        ``None``: the unrounded mean (an "integrated average" with decimals,
        which :func:`job_person_match` also accepts).  A mean within a
        relative 1e-9 of a half counts as the half (floating-point noise,
        as for the cut-offs of :func:`jpm_category`).
    scale : (min, max), default (1, 5)
        The rating scale (PermenPANRB 38/2017 levels 1-5).  A rating outside
        it is an error naming the row; rounded levels are kept within it.

    Returns
    -------
    DataFrame
        Candidates (index named ``person``, sorted ids) x competencies
        (columns named ``competency``, sorted; categories in their order),
        float levels; NaN where a candidate has no rating on a competency.
        The result does not depend on the order of the rows.

    Raises
    ------
    ValueError, TypeError
        For a missing or repeated column, a non-numeric, boolean, infinite or
        out-of-scale rating (naming the row), no rating at all, an empty id,
        ids differing only in type (``1`` and ``"1"``), several rounds or
        occasions, or an unknown ``rounding``.

    See Also
    --------
    overall_rating, job_person_match, gaps
    psikometri.io.AssessmentData.achieved_levels : the same from loaded data,
        one rating round.

    Notes
    -----
    This is the rule of the validation report's Job Person Match.  In R:
    ``pmin(pmax(floor(tapply(score, list(candidate, competency), mean) +
    0.5), 1), 5)``.  Agencies whose final level is the consensus rating pass
    that round (``AssessmentData.achieved_levels(rating_round="post")``).

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.talent import achieved_levels
    >>> r = pd.DataFrame({"candidate": ["a", "a", "a", "a", "b", "b"],
    ...                   "competency": ["integritas", "integritas", "kerjasama", "kerjasama", "integritas",
    ...                                  "integritas"],
    ...                   "score": [3, 4, 2, 2, 2, 3]})
    >>> achieved_levels(r).to_dict("index")     # a: (3 + 4) / 2 = 3.5 -> 4; b has no kerjasama rating
    {'a': {'integritas': 4.0, 'kerjasama': 2.0}, 'b': {'integritas': 3.0, 'kerjasama': nan}}
    >>> float(achieved_levels(r, rounding="half_even").loc["b", "integritas"])   # mean 2.5
    2.0
    >>> float(achieved_levels(r, rounding=None).loc["a", "integritas"])
    3.5
    """
    if rounding not in ("half_up", "half_even", None):
        raise ValueError(f"rounding must be 'half_up', 'half_even' or None; got rounding={rounding!r}. Use "
                         "rounding='half_up' for the usual reading (3.5 -> 4).")
    lo, hi = _check_scale(scale)
    df, y = _rating_table(ratings, score, {"person": person, "competency": competency})
    out = (y < lo) | (y > hi)
    if out.any():
        pos = int(np.flatnonzero(out)[0])
        raise ValueError(
            f"ratings column {score!r} holds {plain(y[pos])!r} at {_row_label(df.index, pos)}, outside the scale "
            f"{lo:g}-{hi:g} ({int(out.sum())} outside in all). Correct the ratings, or pass scale=(min, max) of "
            "your rating scale."
        )
    pc, pids = _id_codes(df[person])
    cc, comps = _id_codes(df[competency])
    k = len(comps)
    m = _grouped_mean(pc * k + cc, len(pids) * k, y).reshape(len(pids), k)
    if rounding is not None:
        base = np.floor(m)
        half = np.abs(m - base - 0.5) <= 1e-9 * np.maximum(1.0, np.abs(m))
        up = base + 1.0 if rounding == "half_up" else base + (np.mod(base, 2.0) == 1.0)
        m = np.clip(np.where(half, up, np.floor(m + 0.5)), lo, hi)
    return pd.DataFrame(m, index=pids.rename(person), columns=comps.rename(competency))


# ---------------------------------------------------------------------------------------------------------------
# Job Person Match
# ---------------------------------------------------------------------------------------------------------------


def _achieved_frame(achieved) -> pd.DataFrame:
    if isinstance(achieved, pd.Series):
        achieved = achieved.to_frame().T
    if isinstance(achieved, np.ndarray) and achieved.ndim == 2:
        raise TypeError(
            "achieved must be a pandas DataFrame with one column per competency (names such as 'integritas'); "
            "got a bare ndarray, whose columns cannot be matched to the standard. Wrap it in pandas.DataFrame "
            "with competency column names."
        )
    if not isinstance(achieved, pd.DataFrame):
        raise TypeError(
            "achieved must be a pandas DataFrame (rows = candidates, columns = competencies); got "
            f"{type(achieved).__name__}."
        )
    ids = [_competency_id(c) for c in achieved.columns]
    dup = sorted({c for c in ids if ids.count(c) > 1})
    if dup:
        raise ValueError(
            f"achieved names the competencies {dup} more than once once spellings are normalised. Keep one column "
            "per competency."
        )
    out = achieved.copy()
    out.columns = pd.Index(ids, name="competency")
    return out


def _numeric_levels(df: pd.DataFrame, name: str, allow_nan: bool = False) -> np.ndarray:
    arr = np.empty(df.shape, dtype=float)
    for j, c in enumerate(df.columns):
        s = df[c]
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna() & s.notna()
        if bad.any() or pd.api.types.is_bool_dtype(s):
            pos = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
            raise TypeError(
                f"{name} column {c!r} is not numeric: row {plain(df.index[pos])!r} holds {plain(s.iloc[pos])!r}. "
                "Use levels 1-5."
            )
        arr[:, j] = conv.to_numpy(dtype=float, na_value=np.nan)
    nan = np.isnan(arr)
    if nan.any() and not allow_nan:
        r, c = (int(v[0]) for v in np.nonzero(nan))
        raise ValueError(
            f"{name} has a missing level at row {plain(df.index[r])!r}, column {plain(df.columns[c])!r} "
            f"({int(nan.sum())} missing "
            "in all). Give every required competency a level 1-5."
        )
    _check_level_values(arr, list(df.index), list(df.columns), name, integer=False, allow_nan=allow_nan)
    return arr


def _aligned(achieved, required, standards) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Return (achieved frame restricted to the required competencies, achieved array, required array).

    Rows keep the order of ``achieved``; a per-candidate ``required`` is matched to them by candidate id.
    """
    ach = _achieved_frame(achieved)
    _check_unique_ids(_plain_index(ach.index), "achieved")
    if isinstance(required, str):
        required = competency_standard(required, standards=standards)
    if isinstance(required, Mapping):
        required = pd.Series(required, dtype=float)
    if isinstance(required, pd.Series) and isinstance(required.dtype, pd.CategoricalDtype):
        required = required.astype(object)  # e.g. the position_level column of AssessmentData.candidates
    if isinstance(required, pd.Series) and (
        pd.api.types.is_object_dtype(required) or pd.api.types.is_string_dtype(required)
    ) and len(required) and pd.to_numeric(required, errors="coerce").notna().all():
        # levels stored as text or mixed with numbers ({competency: "4"}): a standard, not positions
        required = pd.to_numeric(required, errors="coerce").astype(float)
    if isinstance(required, pd.Series) and (
        pd.api.types.is_object_dtype(required) or pd.api.types.is_string_dtype(required)
    ):
        # one position level per candidate
        table = _resolve_standards(standards)
        required = _align_to(ach, required, "achieved", "required")
        pids = [_position_id(p, list(table.index), "required") for p in required]
        req_df = table.loc[pids]
        req_df.index = ach.index
        required = req_df
    if isinstance(required, pd.Series):
        req_ids = [_competency_id(c) for c in required.index]
        req_vals = pd.to_numeric(required, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        _check_level_values(req_vals[None, :], ["required"], req_ids, "required", integer=False)
        missing = [c for c in req_ids if c not in ach.columns]
        if missing:
            raise ValueError(
                f"achieved has no column for the required competencies {missing}; its columns are "
                f"{list(ach.columns)}. Add them (levels 1-5) or pass a standard without them."
            )
        sub = ach[req_ids]
        a = _numeric_levels(sub, "achieved", allow_nan=True)
        r = np.broadcast_to(req_vals, a.shape)
        return sub, a, r
    if isinstance(required, pd.DataFrame):
        req = _align_to(ach, _achieved_frame(required), "achieved", "required")
        missing = [c for c in req.columns if c not in ach.columns]
        if missing:
            raise ValueError(
                f"achieved has no column for the required competencies {missing}; its columns are "
                f"{list(ach.columns)}."
            )
        r = _numeric_levels(req, "required")
        sub = ach[list(req.columns)]
        a = _numeric_levels(sub, "achieved", allow_nan=True)
        return sub, a, r
    raise TypeError(
        "required must be a position level (str), a Series or dict {competency: level}, a Series of position "
        f"levels per candidate, or a DataFrame of levels per candidate; got {type(required).__name__}."
    )


def job_person_match(achieved, required, *, cap="competency", method: str = "ratio_of_sums", weights=None,
                     standards=None) -> pd.Series:
    r"""Job Person Match (JPM, %) of each candidate with the standard of the post.

    .. math::

        \mathrm{JPM}_i = 100\,\frac{\sum_c w_c \tilde a_{ic}}{\sum_c w_c r_{ic}}
        \quad\text{(ratio\_of\_sums)},\qquad
        \mathrm{JPM}_i = 100\,\frac{\sum_c w_c \tilde a_{ic} / r_{ic}}{\sum_c w_c}
        \quad\text{(mean\_of\_ratios)},

    with :math:`a_{ic}` the achieved and :math:`r_{ic}` the required level of
    candidate *i* on competency *c*, :math:`\tilde a_{ic} = \min(a_{ic},
    r_{ic})` when ``cap="competency"`` (else :math:`a_{ic}`), and weights
    :math:`w_c` (1 by default).  ``cap="total"`` caps the JPM itself at 100.

    Parameters
    ----------
    achieved : DataFrame
        Candidates x competencies, levels 1-5 (decimals allowed, e.g. an
        integrated average).  Column names are matched to competency ids
        case-insensitively (``"Orientasi pada Hasil"`` =
        ``"orientasi_pada_hasil"``); columns the standard does not name are
        ignored.
    required : str, Series, dict or DataFrame
        The standard: a position level (looked up with
        :func:`competency_standard`), a Series/dict ``{competency: level}`` for
        all candidates, a Series of position levels indexed by candidate id
        (one post per candidate), or a DataFrame of required levels indexed
        by candidate id (a level per competency per post).  A per-candidate
        ``required`` is matched to ``achieved`` by id, in any order; both
        must hold the same candidates, each once.
    cap : {"competency", "total", None}, default "competency"
        ``"competency"``: each achieved level is capped at the required level,
        so that exceeding the standard on one competency does not offset a gap
        on another (JPM at most 100); ``"total"``: the raw sums are used and
        the JPM is capped at 100 (exceeding on one competency offsets a gap on
        another); ``None``: raw sums, JPM may exceed 100.  ``True`` and
        ``False`` are accepted for ``"competency"`` and ``None``.
    method : {"ratio_of_sums", "mean_of_ratios"}
        ``"ratio_of_sums"``: achieved levels summed over the competencies,
        divided by the sum of required levels (the formula of BKN-style JPM);
        ``"mean_of_ratios"``: the mean of the per-competency ratios, so that
        every competency counts equally whatever its required level.
    weights : dict or Series, optional
        ``{competency: weight}`` (non-negative, at least one positive) for
        every required competency, e.g. to weight technical against
        managerial competencies (40/60, 50/50, 60/40 in some regulations).
    standards : optional
        Table used for position-level lookups (see
        :func:`load_competency_standards`); default table when ``None``.

    Returns
    -------
    Series
        JPM in percent, named ``"jpm"``, indexed like ``achieved`` (in its
        order).

    Raises
    ------
    ValueError
        For levels outside 1-5 (naming row and column), an unknown position
        level, a required competency that ``achieved`` lacks, an unknown
        ``cap`` or ``method``, weights that are negative, all zero or miss
        a required competency, or candidate ids that are repeated or found in
        only one of ``achieved`` and a per-candidate ``required`` (the message
        lists them).

    Warns
    -----
    UserWarning
        When a candidate lacks a level on a required competency (NaN); that
        candidate's JPM is NaN.

    Notes
    -----
    The default (``cap="competency"``, ``"ratio_of_sums"``) is
    ``100 * sum(achieved) / sum(required)`` with each competency capped at its
    standard, the reading of the JPM most agency systems apply.  Some
    provincial systems cap only the total at 100 (``cap="total"``) or average
    the per-competency ratios (``"mean_of_ratios"``); regulations that weight
    technical and managerial competencies use ``weights``.  The sums are formed
    before dividing (``100 * sum / sum``) so that a JPM that is exactly a
    cut-off, e.g. 39 of 50 = 78 %, is exactly 78.0 in floating point.
    Categories: :func:`jpm_category`.

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.talent import job_person_match, COMPETENCIES
    >>> ach = pd.DataFrame([[3] * 9, [5, 5, 3, 3, 3, 3, 3, 3, 3]], index=["A", "B"], columns=COMPETENCIES)
    >>> job_person_match(ach, "JPT Pratama").round(2).tolist()   # 27/36; 29/36 (5s capped at 4)
    [75.0, 80.56]
    >>> job_person_match(ach, "JPT Pratama", cap="total").round(2).tolist()   # 27/36; 31/36
    [75.0, 86.11]
    >>> job_person_match(ach, "Administrator", cap=None).round(2).tolist()   # 27/27; 31/27
    [100.0, 114.81]
    """
    if cap is True:
        cap = "competency"
    elif cap is False:
        cap = None
    if cap not in ("competency", "total", None):
        raise ValueError(f"cap must be 'competency', 'total' or None; got cap={cap!r}. Use cap='competency' to cap "
                         "each competency at its standard.")
    if method not in ("ratio_of_sums", "mean_of_ratios"):
        raise ValueError(f"method must be 'ratio_of_sums' or 'mean_of_ratios'; got method={method!r}.")
    sub, a, r = _aligned(achieved, required, standards)
    w = _jpm_weights(weights, list(sub.columns))
    nan = np.isnan(a)
    if nan.any():
        rows, cols = np.nonzero(nan)
        warnings.warn(
            f"{len(np.unique(rows))} candidate(s) lack a level on a required competency (first: row "
            f"{plain(sub.index[rows[0]])!r}, column {plain(sub.columns[cols[0]])!r}); their JPM is NaN.",
            UserWarning,
            stacklevel=2,
        )
    if cap == "competency":
        a = np.minimum(a, r)
    if method == "ratio_of_sums":
        num = 100.0 * (a * w).sum(axis=1)
        den = (r * w).sum(axis=1)
    else:
        num = 100.0 * (w * a / r).sum(axis=1)
        den = np.full(a.shape[0], float(w.sum()))
    jpm = num / den
    if cap == "total":
        jpm = np.minimum(jpm, 100.0)
    return pd.Series(jpm, index=sub.index, name="jpm")


def _jpm_weights(weights, comps: list[str]) -> np.ndarray:
    """Weights per required competency (ones when ``weights`` is None), checked."""
    if weights is None:
        return np.ones(len(comps))
    if isinstance(weights, Mapping):
        weights = pd.Series(weights, dtype=object)
    if not isinstance(weights, pd.Series):
        raise TypeError(f"weights must be a dict or Series {{competency: weight}}; got {type(weights).__name__}.")
    w = pd.Series(pd.to_numeric(weights, errors="coerce").to_numpy(dtype=float),
                  index=[_competency_id(c) for c in weights.index])
    if w.index.duplicated().any():
        raise ValueError(f"weights names competency {w.index[w.index.duplicated()][0]!r} twice; give each once.")
    missing = [c for c in comps if c not in w.index]
    if missing:
        raise ValueError(f"weights has no weight for the required competencies {missing}; give a weight to every "
                         f"competency of the standard ({comps}).")
    w = w.reindex(comps).to_numpy()
    if not np.isfinite(w).all() or (w < 0).any() or not (w > 0).any():
        raise ValueError(f"weights must be finite, non-negative and not all zero; got {dict(zip(comps, w))}.")
    return w


def gaps(achieved, required, *, standards=None) -> pd.DataFrame:
    """Competency gap profile: achieved minus required level, per candidate and competency.

    Negative values are gaps (kesenjangan) below the standard, positive values
    exceed it; a missing achieved level gives a missing gap.  ``achieved``, ``required`` and ``standards`` are as in
    :func:`job_person_match`; only the competencies of the standard are kept.

    Returns
    -------
    DataFrame
        Candidates (in the order of ``achieved``) x competency ids,
        ``achieved - required``.  ``.mean()``
        gives the group's gap profile (see :func:`plot_competency_gaps`).

    Examples
    --------
    >>> import pandas as pd
    >>> from psikometri.talent import gaps
    >>> ach = pd.DataFrame({"Integritas": [4, 2], "Kerjasama": [3, 3]})
    >>> gaps(ach, {"integritas": 3, "kerjasama": 3}).to_dict("list")
    {'integritas': [1.0, -1.0], 'kerjasama': [0.0, 0.0]}
    """
    sub, a, r = _aligned(achieved, required, standards)
    return pd.DataFrame(a - r, index=sub.index, columns=sub.columns)


def _check_cuts(cuts, name: str, n: int | None = 2) -> np.ndarray:
    try:
        arr = np.asarray(cuts, dtype=float).ravel()
    except (TypeError, ValueError):
        arr = None
    example = "(78, 90)" if n == 2 else "(60, 78, 90)"
    if arr is None or arr.size == 0 or (n is not None and arr.size != n) or not np.isfinite(arr).all():
        need = f"{n} finite numbers" if n is not None else "finite numbers"
        raise ValueError(f"{name} must be {need} in increasing order; got {name}={cuts!r}. Use e.g. {name}={example}.")
    if np.any(np.diff(arr) <= 0):
        if np.unique(arr).size < arr.size:
            # sorting would not help: two cut-offs are equal and the level between them would be empty
            vals, counts = np.unique(arr, return_counts=True)
            if n is None and arr.size == 2:
                example = "(78, 90)"
            raise ValueError(
                f"{name} must be strictly increasing; got {name}={tuple(arr.tolist())!r}, in which "
                f"{float(vals[counts > 1][0]):g} appears {int(counts[counts > 1][0])} times, so the level between "
                f"those cut-offs would be empty. Give {arr.size} different cut-offs from low to high, e.g. "
                f"{name}={example}."
            )
        raise ValueError(
            f"{name} must be strictly increasing; got {name}={tuple(arr.tolist())!r}. Sort them, e.g. "
            f"{name}={tuple(np.sort(arr).tolist())!r}."
        )
    return arr


def _cut_levels(x: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """1 + number of cuts <= x (a value equal to a cut goes up), with a 1e-9 relative tolerance; NaN stays NaN."""
    tol = 1e-9 * np.maximum(1.0, np.abs(cuts))
    lev = 1.0 + (x[:, None] >= (cuts - tol)[None, :]).sum(axis=1)
    return np.where(np.isnan(x), np.nan, lev)


def _as_series(values, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} must be one column (a Series or 1-D array); got a DataFrame. Select the column.")
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}.")
    return pd.Series(arr)


def _numeric(s: pd.Series, name: str, allow_nan: bool) -> np.ndarray:
    conv = pd.to_numeric(s, errors="coerce")
    bad = conv.isna() & s.notna()
    if bad.any() or pd.api.types.is_bool_dtype(s):
        pos = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
        raise TypeError(f"{name} must be numeric; element {plain(s.index[pos])!r} holds {plain(s.iloc[pos])!r}.")
    x = conv.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        pos = int(np.flatnonzero(np.isinf(x))[0])
        raise ValueError(f"{name} holds an infinite value at element {plain(s.index[pos])!r}. Use finite scores.")
    if not allow_nan and np.isnan(x).any():
        pos = int(np.flatnonzero(np.isnan(x))[0])
        raise ValueError(
            f"{name} holds a missing value at element {plain(s.index[pos])!r} ({int(np.isnan(x).sum())} in all). "
            "Drop these candidates first."
        )
    return x


def jpm_category(jpm, *, scheme: str = "mapping", cuts=None, labels=None, max_jpm: float = 100.0) -> pd.Series:
    """Category of each JPM: mapping (pemetaan) or selection (seleksi) scheme, or an agency's own cut-offs.

    ========== =============================== ====================================
    scheme     category                        JPM (%)
    ========== =============================== ====================================
    mapping    Optimal                         >= 90
    mapping    Cukup Optimal                   78 to < 90
    mapping    Kurang Optimal                  < 78
    selection  Memenuhi Syarat                 >= 80
    selection  Masih Memenuhi Syarat           68 to < 80
    selection  Kurang Memenuhi Syarat          < 68
    ========== =============================== ====================================

    A JPM equal to a cut-off goes to the higher category (a relative tolerance
    of 1e-9 absorbs floating-point noise, so a computed 89.99999999999999
    counts as 90).

    Parameters
    ----------
    jpm : Series or array-like
        JPM values in percent, 0 to 100 (NaN stays NaN; a value outside 0-100
        is an error naming the element).
    max_jpm : float
        Largest valid JPM: 100 for capped JPMs (:func:`job_person_match`'s
        default); uncapped JPMs (``cap=False``) reach at most 500.
    scheme : {"mapping", "selection"}
        Which default cut-offs and labels to use (:data:`JPM_SCHEMES`).
    cuts : sequence of float, optional
        Increasing cut-offs replacing the scheme's (agencies set their own).
    labels : sequence of str, optional
        ``len(cuts) + 1`` labels from lowest to highest; default the scheme's
        labels (which need two cuts).

    Returns
    -------
    Series
        Ordered categorical, named ``"jpm_category"``, indexed like ``jpm``
        (a Series' candidate ids must be unique).

    Examples
    --------
    >>> from psikometri.talent import jpm_category
    >>> jpm_category([77.9, 78, 89.9, 90]).tolist()
    ['Kurang Optimal', 'Cukup Optimal', 'Cukup Optimal', 'Optimal']
    >>> jpm_category([67.9, 68, 80], scheme="selection").tolist()
    ['Kurang Memenuhi Syarat', 'Masih Memenuhi Syarat', 'Memenuhi Syarat']
    """
    if scheme not in JPM_SCHEMES:
        raise ValueError(f"scheme must be one of {list(JPM_SCHEMES)}; got scheme={scheme!r}.")
    c = _check_cuts(JPM_SCHEMES[scheme]["cuts"] if cuts is None else cuts, "cuts", n=None)
    labs = tuple(JPM_SCHEMES[scheme]["labels"] if labels is None else labels)
    if len(labs) != c.size + 1:
        raise ValueError(
            f"labels must have one more entry than cuts ({c.size + 1}); got {len(labs)} labels {list(labs)}. "
            "Pass labels=... from lowest to highest."
        )
    if len(set(labs)) != len(labs):
        raise ValueError(f"labels must be distinct; got {list(labs)}.")
    s = _as_series(jpm, "jpm")
    _check_unique_ids(_plain_index(s.index), "jpm")
    x = _numeric(s, "jpm", allow_nan=True)
    top = check_real(max_jpm, "max_jpm")
    if not top > 0:
        raise ValueError(f"max_jpm must be a positive percentage; got max_jpm={max_jpm!r}. Use the default 100.")
    bad = (x < 0) | (x > top * (1.0 + 1e-9))  # the tolerance absorbs floating-point noise, as for the cuts
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"jpm must be a percentage between 0 and {top:g}; element {plain(s.index[pos])!r} holds {x[pos]:g} "
            f"({int(bad.sum())} outside 0-{top:g} in all). A JPM is 100 x achieved / required levels, at most 100 "
            "when levels above the standard are capped: check that the values are percentages (not sums or "
            "fractions); for JPMs from job_person_match(..., cap=False) pass max_jpm=500."
        )
    lev = _cut_levels(x, c)
    codes = np.where(np.isnan(lev), -1, np.nan_to_num(lev, nan=1.0) - 1).astype(np.int64)
    cat = pd.Categorical.from_codes(codes, categories=list(labs), ordered=True)
    return pd.Series(cat, index=s.index, name="jpm_category")


# ---------------------------------------------------------------------------------------------------------------
# nine-box
# ---------------------------------------------------------------------------------------------------------------


def _given_levels(s: pd.Series, name: str, words: dict) -> np.ndarray:
    out = np.full(len(s), np.nan)
    for k, v in enumerate(s.tolist()):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            continue
        if isinstance(v, str):
            key = _snake(v)
            if key in ("1", "2", "3"):
                out[k] = float(key)
                continue
            if key not in words:
                raise ValueError(
                    f"{name} element {plain(s.index[k])!r} is {plain(v)!r}, which is not a level; use 1, 2, 3 or "
                    f"one of {sorted(set(w.replace('_', ' ') for w in words))}, or pass {name}_cuts to cut numeric "
                    "scores."
                )
            out[k] = words[key]
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name} element {plain(s.index[k])!r} is {plain(v)!r}; use levels 1-3 or their labels.")
        if v not in (1, 2, 3):
            raise ValueError(
                f"{name} element {plain(s.index[k])!r} is {plain(v)!r}; without {name}_cuts the values must be "
                f"levels 1, 2 or 3 (or labels). To place numeric scores, pass e.g. {name}_cuts=(78, 90)."
            )
        out[k] = float(v)
    return out


def _two_series(a, b, na: str, nb: str) -> tuple[pd.Series, pd.Series, pd.Index]:
    """Two per-candidate inputs side by side, in the order of the first.

    Two Series are matched by candidate id (their index; the same ids, each once, are required); otherwise the
    values are matched by position (same length required) and indexed like the one Series given, if any.
    """
    sa = _as_series(a, na)
    sb = _as_series(b, nb)
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        sb = _align_to(sa, sb, na, nb)
        return sa, sb, sa.index
    if len(sa) != len(sb):
        raise ValueError(f"{na} and {nb} must have the same length; got {len(sa)} and {len(sb)}.")
    if isinstance(a, pd.Series):
        _check_unique_ids(_plain_index(sa.index), na)
        return sa, sb.set_axis(sa.index), sa.index
    if isinstance(b, pd.Series):
        _check_unique_ids(_plain_index(sb.index), nb)
        return sa.set_axis(sb.index), sb, sb.index
    return sa, sb, sa.index


def _levels(s: pd.Series, cuts, name: str, words: dict) -> np.ndarray:
    if cuts is None:
        return _given_levels(s, name, words)
    c = _check_cuts(cuts, f"{name}_cuts")
    return _cut_levels(_numeric(s, name, allow_nan=True), c)


def _box_of(lp: np.ndarray, lf: np.ndarray) -> np.ndarray:
    ok = ~(np.isnan(lp) | np.isnan(lf))
    box = np.full(lp.shape, np.nan)
    box[ok] = _BOX[lp[ok].astype(np.int64) - 1, lf[ok].astype(np.int64) - 1]
    return box


def nine_box(potential, performance, *, potential_cuts=None, performance_cuts=None) -> pd.DataFrame:
    """Place candidates in the nine-box talent grid (kotak manajemen talenta) of PermenPANRB 3/2020.

    Box numbering (potential level, performance level) -> box::

        performance \\ potential   rendah (1)  menengah (2)  tinggi (3)
        di atas ekspektasi (3)        4            7            9
        sesuai ekspektasi (2)         2            5            8
        di bawah ekspektasi (1)       1            3            6

    Parameters
    ----------
    potential, performance : Series or array-like
        One value per candidate.  Two Series are matched by candidate id
        (their index: the same ids, each once, in any order); array-likes by
        position (same length).
        Either levels (1, 2, 3 or the labels ``"rendah"``/``"menengah"``/
        ``"tinggi"`` and ``"di bawah ekspektasi"``/``"sesuai ekspektasi"``/
        ``"di atas ekspektasi"``; English ``low/medium/high`` and
        ``below/meets/above`` also accepted, case-insensitive) or, with cuts,
        numeric scores.  Missing values give a missing box.
    potential_cuts, performance_cuts : (low, high), optional
        Two increasing cut-offs turning scores into levels: level 1 below
        ``low``, 2 from ``low`` to below ``high``, 3 from ``high`` (a score
        equal to a cut goes up), e.g. ``potential_cuts=(78, 90)`` on the JPM
        scale and ``performance_cuts=(70, 85)``.  Agencies set their own.

    Returns
    -------
    DataFrame
        Columns ``potential_level``, ``performance_level`` and ``box``
        (nullable integers), indexed like ``potential`` (in its order; like
        ``performance`` when only that one is a Series).  The recommended
        follow-up of each box is in :func:`nine_box_actions`.

    Raises
    ------
    ValueError
        For a level outside 1-3 or an unknown label (naming the element), cuts
        that are not two increasing numbers, inputs of different lengths, or
        candidate ids that are repeated or found in one input only (the
        message lists them).

    Examples
    --------
    >>> from psikometri.talent import nine_box, nine_box_actions
    >>> nb = nine_box([95, 80, 82, 60], [90, 70, 60, 72], potential_cuts=(78, 90), performance_cuts=(70, 85))
    >>> nb["box"].tolist()
    [9, 5, 3, 2]
    >>> nine_box(["tinggi", "Rendah"], ["sesuai ekspektasi", 3])["box"].tolist()
    [8, 4]
    >>> nine_box_actions("en").loc[9, "action"]
    'Promote and retain; national/agency succession pool; award.'
    """
    sp, sf, index = _two_series(potential, performance, "potential", "performance")
    lp = _levels(sp, potential_cuts, "potential", _POTENTIAL_WORDS)
    lf = _levels(sf, performance_cuts, "performance", _PERFORMANCE_WORDS)
    box = _box_of(lp, lf)
    out = pd.DataFrame(
        {"potential_level": lp, "performance_level": lf, "box": box}, index=index
    )
    return out.astype("Int64")


def nine_box_actions(lang: str = "id") -> pd.DataFrame:
    """Recommended follow-up (tindak lanjut) for each box of the nine-box grid.

    The follow-ups are those commonly listed under PermenPANRB 3/2020; an
    agency's own talent-management rules prevail.

    Parameters
    ----------
    lang : {"id", "en"}
        Indonesian or English labels and texts.

    Returns
    -------
    DataFrame
        Index ``box`` 1-9; columns ``potential_level``, ``performance_level``,
        ``potential``, ``performance`` (labels) and ``action``.

    Examples
    --------
    >>> from psikometri.talent import nine_box_actions
    >>> tab = nine_box_actions()
    >>> tab.loc[1, "action"]
    'Diproses sesuai ketentuan peraturan perundang-undangan.'
    >>> tab.loc[7, ["potential", "performance"]].tolist()
    ['menengah', 'di atas ekspektasi']
    """
    if lang not in _ACTIONS:
        raise ValueError(f"lang must be one of {list(_ACTIONS)}; got lang={lang!r}.")
    rows = []
    for p in range(3):
        for f in range(3):
            b = int(_BOX[p, f])
            rows.append((b, p + 1, f + 1, _POTENTIAL_LABELS[lang][p], _PERFORMANCE_LABELS[lang][f], _ACTIONS[lang][b]))
    df = pd.DataFrame(rows, columns=["box", "potential_level", "performance_level", "potential", "performance",
                                     "action"])
    return df.set_index("box").sort_index()


# ---------------------------------------------------------------------------------------------------------------
# placement consistency
# ---------------------------------------------------------------------------------------------------------------


def _posterior(x: np.ndarray, rel: np.ndarray, correlated: bool):
    """Mean (n, 2) and covariance (2, 2) of (T_p, T_f) | x, plus error sds, moments and Sigma_T."""
    mu = x.mean(axis=0)
    s = np.cov(x, rowvar=False, ddof=1)
    if not correlated:
        s = np.diag(np.diag(s))
    err = np.diag((1.0 - rel) * np.diag(s))
    st = s - err
    if correlated:
        lim = rel[0] * rel[1] * s[0, 0] * s[1, 1]
        if s[0, 1] ** 2 > lim * (1.0 + 1e-12):
            r = s[0, 1] / math.sqrt(s[0, 0] * s[1, 1])
            raise ValueError(
                f"the observed correlation of potential and performance ({r:.3f}) exceeds "
                f"sqrt(potential_reliability * performance_reliability) = {math.sqrt(rel[0] * rel[1]):.3f}, so the "
                "true-score correlation would exceed 1: the reliabilities are too low for these data. Check them, "
                "or pass correlated=False to treat the two true scores as unrelated."
            )
    if np.linalg.det(s) <= 0:
        raise ValueError(
            "potential and performance scores are perfectly correlated (singular covariance matrix); the joint "
            "true-score model needs two distinct measures. Pass correlated=False."
        )
    b = st @ np.linalg.inv(s)  # Sigma_T Sigma_X^{-1}
    mean = mu + (x - mu) @ b.T
    cov = st - b @ st
    cov = 0.5 * (cov + cov.T)
    return mean, cov, np.sqrt(np.diag(err)), mu, s, st


def _chol2(cov: np.ndarray) -> np.ndarray:
    c11 = max(cov[0, 0], 0.0)
    l11 = math.sqrt(c11)
    l21 = cov[1, 0] / l11 if l11 > 1e-300 else 0.0
    l22 = math.sqrt(max(cov[1, 1] - l21 * l21, 0.0))
    return np.array([l11, l21, l22])


#: true-score draws per bootstrap resample of placement_consistency (all candidates together): the Monte-Carlo
#: standard deviation of a replicate's agreement is then about 0.003, small beside the sampling error (it adds
#: its square to the bootstrap variance: about 2% on the width of a 120-candidate interval)
_BOOT_DRAWS = 5_000
_GRID_ROWS = (("nine_box", slice(0, 9)), ("potential", slice(9, 12)), ("performance", slice(12, 15)))


def _check_n_boot(n_boot) -> int:
    if isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer (0 for no intervals); got n_boot={n_boot!r}. "
                         "Use e.g. n_boot=1000.")
    return int(n_boot)


def _placement_run(x, assigned, rel, correlated, cp, cf, n_sim, seed64) -> dict:
    """Posterior, simulation and grid-level table for one cohort (rows of ``x``)."""
    from ._talent_kernels import phi_table, placement_kernel

    mean, cov, err_sd, mu, s_x, s_t = _posterior(x, rel, correlated)
    n = x.shape[0]
    p_true = np.empty((n, 9))
    p_retest = np.empty(n)
    acc = np.empty((n, 3))
    agree = np.empty((n, 3))
    marg = np.empty((n, 15))
    placement_kernel(
        np.ascontiguousarray(mean), _chol2(cov), np.ascontiguousarray(err_sd), cp, cf, assigned, n_sim, seed64,
        *phi_table(), p_true, p_retest, acc, agree, marg,
    )
    mbar = marg.mean(axis=0)
    grid = np.empty((len(_GRID_ROWS), 4))  # agreement, chance agreement, kappa, accuracy
    for j, (name, sl) in enumerate(_GRID_ROWS):
        pa = float(agree[:, j].mean())
        pc = float(np.sum(mbar[sl] ** 2))
        # when (nearly) everyone is in one class, chance agreement is (nearly) 1 and kappa is 0/0: undefined
        grid[j] = (pa, pc, (pa - pc) / (1.0 - pc) if pc < 1.0 - 1e-9 else math.nan, float(acc[:, j].mean()))
    return {"grid": grid, "p_true": p_true, "p_retest": p_retest, "mu": mu, "s_x": s_x, "s_t": s_t, "cov": cov,
            "err_sd": err_sd}


def _reliability_se(ci, value, level) -> float:
    """Standard error on the logit scale implied by a ``level`` interval ``ci`` of a reliability (0: none)."""
    if ci is None:
        return 0.0
    if isinstance(ci, (str, bytes)) or not hasattr(ci, "__len__") or len(ci) != 2:
        raise ValueError(f"potential_reliability_ci must be a (low, high) pair or None; got {ci!r}.")
    try:
        lo, hi = float(ci[0]), float(ci[1])
    except (TypeError, ValueError):
        raise TypeError(f"potential_reliability_ci must hold two numbers; got {ci!r}.") from None
    if not (0.0 < lo <= value <= hi < 1.0):
        raise ValueError(
            f"potential_reliability_ci={ci!r} must satisfy 0 < low <= potential_reliability ({float(value)!r}) <= high < 1; "
            "pass None when no interval is known."
        )
    z = float(special.ndtri(0.5 + level / 2.0))
    return (math.log(hi / (1.0 - hi)) - math.log(lo / (1.0 - lo))) / (2.0 * z)


def _boot_draws(n: int) -> int:
    """True-score draws per candidate in a bootstrap resample of ``n`` candidates."""
    return max(10, math.ceil(_BOOT_DRAWS / n))


def _boot_reliabilities(rel, n_boot, seed64, rel_se) -> np.ndarray:
    """Potential reliability of each bootstrap replicate: logit-normal around ``rel[0]``, or ``rel[0]`` itself."""
    if rel_se == 0.0:
        return np.full(n_boot, float(rel[0]))
    z = np.random.default_rng(int(seed64)).standard_normal(n_boot) * rel_se
    logit0 = math.log(rel[0] / (1.0 - rel[0])) if rel[0] < 1.0 else math.inf
    return np.array([1.0 / (1.0 + math.exp(-(logit0 + float(zb)))) for zb in z])


def _placement_replicates(x, assigned, rel, correlated, cp, cf, n_boot, seed64, rel_se) -> np.ndarray:
    """(n_boot, 3, 2) bootstrap agreement and kappa of the grid rows; NaN for resamples that cannot be fitted.

    All replicates run in one numba kernel (:func:`._talent_kernels.placement_boot_kernel`): replicate ``b``
    uses the candidates ``bootstrap_indices(n, n_boot, seed)[b]``, draws per candidate from the stream of
    seed ``(seed + 1 + b) mod 2**63`` and the potential reliability of :func:`_boot_reliabilities`, so it
    gives the numbers of :func:`_placement_run` on that resample (tests/naive_talent.py keeps that loop).
    """
    from ._talent_kernels import phi_table, placement_boot_kernel

    boot = np.empty((n_boot, len(_GRID_ROWS), 2))
    placement_boot_kernel(
        np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(assigned, dtype=np.int64),
        _boot_reliabilities(rel, n_boot, seed64, rel_se), float(rel[1]), bool(correlated),
        np.ascontiguousarray(cp, dtype=np.float64), np.ascontiguousarray(cf, dtype=np.float64),
        _boot_draws(x.shape[0]), np.uint64(seed64), *phi_table(), boot,
    )
    return boot


def _placement_bootstrap(x, assigned, rel, correlated, cp, cf, n_boot, level, seed64, rel_se) -> pd.DataFrame:
    """Percentile intervals of the grid agreement and kappa over candidate resamples."""
    boot = _placement_replicates(x, assigned, rel, correlated, cp, cf, n_boot, seed64, rel_se)
    used = np.isfinite(boot[:, 0, 0])
    dropped = n_boot - int(used.sum())
    if dropped > 0.1 * n_boot:
        warnings.warn(
            f"placement_consistency: {dropped} of {n_boot} bootstrap resamples could not be fitted (constant scores, "
            "or a correlation the reliabilities cannot produce); they are the resamples nearest that limit, so the "
            "interval leans away from it. Read it with care, or check the reliabilities.",
            UserWarning, stacklevel=3,
        )
    cols = {}
    for k, what in enumerate(("agreement", "kappa")):
        lo, hi = [], []
        for j in range(len(_GRID_ROWS)):
            a, c = percentile_interval(boot[used, j, k], level) if used.sum() >= n_boot / 2 else (math.nan, math.nan)
            lo.append(a)
            hi.append(c)
        cols[f"{what}_ci_low"], cols[f"{what}_ci_high"] = lo, hi
    cols["n_boot_used"] = [int(used.sum())] * len(_GRID_ROWS)
    return pd.DataFrame(cols, index=[name for name, _ in _GRID_ROWS])


@validates_seed
@single_threaded_blas
def placement_consistency(
    potential_scores,
    performance_scores,
    *,
    potential_reliability: float,
    performance_reliability: float,
    potential_cuts,
    performance_cuts,
    n_sim: int = 10000,
    seed=None,
    correlated: bool = True,
    n_boot: int = 0,
    level: float = 0.95,
    potential_reliability_ci=None,
) -> pd.DataFrame:
    r"""How trustworthy each nine-box placement is, given the reliabilities of potential and performance.

    For each candidate: the probability of each box given measurement error, the probability that the
    assigned box is right and that a parallel assessment would give the same box; for the cohort: the
    decision consistency (agreement and kappa between two parallel administrations) and accuracy of the
    grid and of each axis (konsistensi dan ketepatan penempatan).  The model is in the Notes.

    Parameters
    ----------
    potential_scores, performance_scores : Series or array-like
        Numeric scores of the cohort (e.g. JPM % and a performance rating).
        Two Series are matched by candidate id (their index: the same ids,
        each once, in any order); array-likes are matched by position (same
        length).  Candidates missing either score get missing levels and
        probabilities and are left out of the moments and the grid-level
        figures (``attrs["model"]["n_missing"]``); at least 3 complete
        candidates are needed.
    potential_reliability, performance_reliability : float in (0, 1]
        Reliabilities of the two measures (e.g. a G coefficient or an inter-
        rater ICC of the integrated rating; an SKP/performance rating's
        reliability).
    potential_cuts, performance_cuts : (low, high)
        Increasing cut-offs, as in :func:`nine_box`.
    n_sim : int, default 10000
        True-score draws per candidate.  Monte-Carlo standard error of a
        probability is at most :math:`0.5/\sqrt{n_{sim}}` (0.005 at 10 000).
    seed : None, int or numpy.random.Generator
        Seed; the same seed gives the same numbers whatever the number of
        threads.
    correlated : bool, default True
        Use the observed covariance of potential and performance in the joint
        true-score model (recommended).  ``False`` treats the two true scores
        as uncorrelated (univariate Kelley estimates per measure).
    n_boot : int, default 0
        Bootstrap resamples of candidates for percentile intervals of the
        grid-level agreement and kappa (0: no intervals).  Each resample
        re-estimates the cohort moments and the posterior and re-runs the
        simulation with ``max(10, ceil(5000 / n))`` draws per candidate
        (the Monte-Carlo standard deviation of a replicate's agreement is
        then about 0.003, small beside the sampling error).  All resamples
        run in one numba kernel, in parallel over resamples.
    level : float, default 0.95
        Coverage of the bootstrap intervals.
    potential_reliability_ci : (low, high) or None
        An interval for ``potential_reliability`` at the same ``level`` as
        the intervals asked for (e.g. the delta-
        method interval of Phi from :meth:`GStudy.oar_reliability`).  Given,
        each bootstrap resample also draws the potential reliability from the
        logit-normal distribution centred on ``potential_reliability`` with
        the standard error the interval implies, so the intervals carry that
        uncertainty too.  ``None``: the reliability is taken as known.

    Returns
    -------
    DataFrame
        Indexed like ``potential_scores`` (its order), with columns ``potential_level``,
        ``performance_level``, ``box`` (observed placement), ``p_box_1`` ...
        ``p_box_9``, ``p_correct``, ``p_retest`` (levels and box as nullable
        integers).  ``attrs["consistency"]``
        is a DataFrame (rows ``nine_box``, ``potential``, ``performance``;
        columns ``agreement``, ``chance_agreement``, ``kappa``,
        ``accuracy``, and with ``n_boot > 0`` also ``agreement_ci_low``,
        ``agreement_ci_high``, ``kappa_ci_low``, ``kappa_ci_high``,
        ``n_boot_used``) and ``attrs["model"]`` a dict with :math:`\mu`,
        :math:`\Sigma_X`, :math:`\Sigma_T`, the posterior covariance and the
        settings.

    Raises
    ------
    ValueError
        For reliabilities outside (0, 1], cuts that are not two increasing
        numbers, infinite scores, constant scores, fewer than 3 complete
        candidates, an observed correlation larger than the reliabilities
        allow, or candidate ids that are repeated or found in one input only
        (the message lists them).

    Notes
    -----
    **Model.**     Classical true-score model for each measure :math:`d \in \{p, f\}`
    (potential, performance): :math:`X_d = T_d + E_d`, with errors
    independent of the true scores, of each other (an error on the potential
    measure says nothing about the error on the performance rating) and
    across administrations, and reliability
    :math:`\rho_d = \sigma^2_{T_d} / \sigma^2_{X_d}`.  Everything is normal.
    The mean :math:`\mu` and covariance :math:`\Sigma_X` of the observed scores
    are estimated from the cohort (``ddof=1``), and

    .. math::

        \Sigma_E = \mathrm{diag}\{(1-\rho_p)\sigma^2_{X_p},\,(1-\rho_f)\sigma^2_{X_f}\},\qquad
        \Sigma_T = \Sigma_X - \Sigma_E .

    A candidate's true scores given the observed pair :math:`x` are normal
    (multivariate Kelley regressed true scores):

    .. math::

        T \mid x \sim N\!\big(\mu + \Sigma_T\Sigma_X^{-1}(x-\mu),\;
                               \Sigma_T - \Sigma_T\Sigma_X^{-1}\Sigma_T\big).

    With uncorrelated scores (or ``correlated=False``, which sets the
    off-diagonal of :math:`\Sigma_X` to 0) this is Kelley's formula for each
    measure: mean :math:`\mu_d + \rho_d(x_d-\mu_d)`, variance
    :math:`\rho_d(1-\rho_d)\sigma^2_{X_d}`.  A parallel administration is
    :math:`X' = T + E'` with a fresh error :math:`E' \sim N(0, \Sigma_E)`.

    Levels are given by the cuts (a value equal to a cut goes up) and boxes by
    the PermenPANRB 3/2020 numbering (see :func:`nine_box`).  For each
    candidate ``n_sim`` true-score pairs are drawn from :math:`T\mid x`; given
    each draw the probabilities that a parallel administration falls in each
    level are computed exactly from the normal error
    (:math:`P(X'_d \ge c \mid T) = \Phi((T_d - c)/\sigma_{E_d})`), so only the
    true scores are simulated (Rao-Blackwellisation: same expectation as
    drawing the errors, less Monte-Carlo noise).  :math:`\Phi` is evaluated
    by cubic Hermite interpolation of exact values tabulated every 1/64
    (error < 3e-10).

    Per candidate:

    * ``p_box_k`` :math:`= P(\text{box of } T = k \mid x)`;
    * ``p_correct`` :math:`= P(\text{box of } T = \text{box of } x \mid x)`,
      the probability that the assigned box is right;
    * ``p_retest`` :math:`= P(\text{box of } X' = \text{box of } x \mid x)`,
      the probability that a parallel assessment gives the same box.

    Grid level (``result.attrs["consistency"]``), as in classification
    consistency methods (Livingston & Lewis 1995; the normal-model version of
    Huynh 1976 and Peng & Subkoviak 1980): the true-score distribution is the
    mixture of the candidates' posteriors (its mean is :math:`\mu` and its
    covariance exactly :math:`\Sigma_T`), and two independent parallel
    administrations :math:`X^{(1)}, X^{(2)}` are compared:

    .. math::

        P_A = \tfrac1n\sum_i E\Big[\sum_k q_k(T)^2 \,\Big|\, x_i\Big],\quad
        P_C = \sum_k \bar q_k^{\,2},\quad \bar q_k = \tfrac1n\sum_i E[q_k(T)\mid x_i],\quad
        \kappa = \frac{P_A - P_C}{1 - P_C},

    with :math:`q_k(T) = P(X' \in k \mid T)`; accuracy
    :math:`= \tfrac1n\sum_i P(\text{class of } X' = \text{class of } T \mid x_i)`.
    Rows ``nine_box``, ``potential`` and ``performance`` give these for the
    boxes and for each axis's three levels.  When the observed scores are
    bivariate normal, :math:`P_A` is the probability that two parallel
    measurements with correlation :math:`\rho_d` fall in the same category,
    which the tests check against the multivariate normal CDF.  Consistency
    and accuracy rise to 1 as both reliabilities go to 1.

    The normal model is an approximation for bounded scores: a JPM capped at
    100 piles up at the ceiling, and the probabilities near the top are then
    rougher than the Monte-Carlo error suggests.  The error covariance is
    taken as diagonal (potential and performance are measured by different
    instruments and raters); correlated errors would raise the agreement
    between administrations and are not modelled.

    **Intervals.** With ``n_boot > 0`` candidates are resampled with
    replacement; in each resample the moments, the posterior and the grid
    figures are recomputed, and the percentile interval of the resampled
    agreement and kappa is reported.  Resamples in which the model cannot be
    fitted (constant scores, or an observed correlation the reliabilities
    cannot produce) are dropped and counted in ``n_boot_used``; with fewer
    than half usable the intervals are NaN.  The performance reliability is
    taken as known (typically a published figure); the uncertainty of the
    potential reliability enters only through ``potential_reliability_ci``.
    Without it the intervals are conditional on both reliabilities and can
    be very narrow, since the reliabilities drive kappa.

    References
    ----------
    Kelley, T. L. (1947). *Fundamentals of statistics*. Harvard University Press (regressed true score).
    Lord, F. M., & Novick, M. R. (1968). *Statistical theories of mental test scores*, ch. 3.
    Huynh, H. (1976). On the reliability of decisions in domain-referenced testing. *Journal of
    Educational Measurement*, 13(4), 253-264.
    Peng, C.-Y. J., & Subkoviak, M. J. (1980). A note on Huynh's normal approximation procedure for
    estimating criterion-referenced reliability. *Journal of Educational Measurement*, 17(4), 359-368.
    Livingston, S. A., & Lewis, C. (1995). Estimating the consistency and accuracy of classifications based
    on test scores. *Journal of Educational Measurement*, 32(2), 179-197.

    Examples
    --------
    >>> import numpy as np
    >>> from psikometri.talent import placement_consistency
    >>> rng = np.random.default_rng(1)
    >>> pot = rng.normal(82, 8, 300); perf = rng.normal(78, 9, 300)
    >>> res = placement_consistency(pot, perf, potential_reliability=0.8, performance_reliability=0.7,
    ...                             potential_cuts=(78, 90), performance_cuts=(70, 85), n_sim=2000, seed=7)
    >>> res.columns[:4].tolist()
    ['potential_level', 'performance_level', 'box', 'p_box_1']
    >>> bool(((res.filter(like="p_box_").sum(axis=1) - 1).abs() < 1e-9).all())
    True
    >>> cons = res.attrs["consistency"]
    >>> bool(0 < cons.loc["nine_box", "agreement"] < cons.loc["potential", "agreement"] < 1)
    True
    """
    sp, sf, index = _two_series(potential_scores, performance_scores, "potential_scores", "performance_scores")
    # the computation runs in sorted order of the candidate ids (each candidate's simulation stream is that of
    # its place in this order), so shuffled rows give the same numbers; the output is put back in input order
    order = _sorted_positions(index)
    sp, sf = sp.iloc[order], sf.iloc[order]
    xp_all = _numeric(sp, "potential_scores", allow_nan=True)
    xf_all = _numeric(sf, "performance_scores", allow_nan=True)
    used = ~(np.isnan(xp_all) | np.isnan(xf_all))
    xp, xf = xp_all[used], xf_all[used]
    if xp.size < 3:
        raise ValueError(
            "placement_consistency needs at least 3 candidates with both scores to estimate the score variances; "
            f"got {xp.size}."
        )
    for x, nm in ((xp, "potential_scores"), (xf, "performance_scores")):
        if np.ptp(x) == 0:
            raise ValueError(f"{nm} are all equal ({plain(x[0])!r}); the true-score model needs score variance.")
    rel = np.array([
        check_probability(potential_reliability, "potential_reliability"),
        check_probability(performance_reliability, "performance_reliability"),
    ])
    cp = _check_cuts(potential_cuts, "potential_cuts")
    cf = _check_cuts(performance_cuts, "performance_cuts")
    n_sim = check_positive_int(n_sim, "n_sim")
    if not isinstance(correlated, (bool, np.bool_)):
        raise TypeError(f"correlated must be True or False; got {correlated!r}.")
    seed64 = np.uint64(resolve_seed(seed))

    n_boot = _check_n_boot(n_boot)
    _check_level(level)
    rel_se = _reliability_se(potential_reliability_ci, rel[0], level)

    x = np.column_stack([xp, xf])
    lp = _cut_levels(xp, cp)
    lf = _cut_levels(xf, cf)
    assigned = np.ascontiguousarray(np.column_stack([lp, lf]).astype(np.int64) - 1)
    fit = _placement_run(x, assigned, rel, bool(correlated), cp, cf, n_sim, seed64)
    mu, s_x, s_t, cov, err_sd = fit["mu"], fit["s_x"], fit["s_t"], fit["cov"], fit["err_sd"]
    p_true, p_retest = fit["p_true"], fit["p_retest"]
    n = x.shape[0]

    box = _box_of(lp, lf).astype(np.int64)
    n_all = used.size

    def full(v):
        o = np.full(n_all, np.nan)
        o[used] = v
        return o

    out = pd.DataFrame(
        {"potential_level": full(lp), "performance_level": full(lf), "box": full(box)}, index=index[order]
    ).astype("Int64")
    for k in range(9):
        out[f"p_box_{k + 1}"] = full(p_true[:, k])
    out["p_correct"] = full(p_true[np.arange(n), box - 1])
    out["p_retest"] = full(p_retest)
    out = out.iloc[np.argsort(order)]

    table = pd.DataFrame(fit["grid"], index=[name for name, _ in _GRID_ROWS],
                         columns=["agreement", "chance_agreement", "kappa", "accuracy"])
    if n_boot:
        table = pd.concat([table, _placement_bootstrap(x, assigned, rel, bool(correlated), cp, cf, n_boot, level,
                                                       seed64, rel_se)], axis=1)
    out.attrs["consistency"] = table
    out.attrs["model"] = {
        "mean": mu.tolist(),
        "cov_observed": s_x.tolist(),
        "cov_true": s_t.tolist(),
        "cov_posterior": cov.tolist(),
        "error_sd": err_sd.tolist(),
        "reliability": rel.tolist(),
        "potential_cuts": cp.tolist(),
        "performance_cuts": cf.tolist(),
        "n_sim": n_sim,
        "seed": int(seed64),
        "correlated": bool(correlated),
        "n_used": int(used.sum()),
        "n_missing": int((~used).sum()),
        "n_boot": n_boot,
        "level": float(level),
        "potential_reliability_se_logit": rel_se,
    }
    return out


# ---------------------------------------------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------------------------------------------


def _boxes_from(data) -> pd.Series:
    if isinstance(data, (pd.DataFrame, pd.Series)):
        _check_unique_ids(_plain_index(data.index), "data")
    if isinstance(data, pd.DataFrame):
        if "box" not in data.columns:
            raise ValueError("data must have a 'box' column (the output of nine_box or placement_consistency).")
        s = data["box"]
    else:
        s = _as_series(data, "data")
    vals = pd.to_numeric(s, errors="coerce").astype(float)
    bad = ~vals.isna() & ~vals.isin(range(1, 10))
    if bad.any() or (vals.isna() & s.notna()).any():
        raise ValueError("boxes must be integers 1-9 (the output of nine_box or placement_consistency).")
    return vals


def plot_nine_box(data, *, uncertainty=None, lang: str = "id", ax=None, title: str | None = None,
                  min_count: int = 0):
    """Draw the nine-box grid with the number (and share) of candidates in each box.

    Parameters
    ----------
    data : DataFrame or array-like
        Output of :func:`nine_box` or :func:`placement_consistency` (column
        ``box``), or the box numbers themselves.
    uncertainty : bool, optional
        Shade each box by the mean probability that its placements are right
        (``p_correct`` of :func:`placement_consistency`; darker = more
        certain) and print that mean.  Default: on when ``data`` has a
        ``p_correct`` column.
    lang : {"id", "en"}
        Language of the axis labels.
    ax : matplotlib Axes, optional
    title : str, optional
    min_count : int
        Privacy threshold for aggregate reports: a box holding 1 to
        ``min_count - 1`` candidates is shown as hidden instead of its count
        (and no probability); while exactly one box is hidden, or the hidden
        boxes hold fewer than ``min_count`` together, the smallest other
        non-empty box is hidden too, and no shares are printed while any box
        is hidden, so that no hidden count can be recovered from the total.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise ValueError(f"min_count must be a whole number >= 0; got min_count={min_count!r}.")

    if lang not in _ACTIONS:
        raise ValueError(f"lang must be one of {list(_ACTIONS)}; got lang={lang!r}.")
    boxes = _boxes_from(data)
    if isinstance(data, pd.DataFrame):  # sorted by candidate id: the figure does not depend on the row order
        order = _sorted_positions(data.index)
        data, boxes = data.iloc[order], boxes.iloc[order]
    has_p = isinstance(data, pd.DataFrame) and "p_correct" in data.columns
    if uncertainty is None:
        uncertainty = has_p
    if uncertainty and not has_p:
        raise ValueError("uncertainty=True needs the output of placement_consistency (column 'p_correct').")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6))
    counts = boxes.value_counts()
    total = int(boxes.notna().sum())
    hidden = {int(b) for b, n in counts.items() if 0 < n < min_count}
    # the total is known: one hidden box, or hidden boxes summing to less than min_count, would give the small
    # counts back, so the smallest other boxes are hidden too (as the report's count tables do)
    while hidden and (len(hidden) == 1 or sum(int(counts[b]) for b in hidden) < min_count):
        others = [(int(n), int(b)) for b, n in counts.items() if int(b) not in hidden and n > 0]
        if not others:
            break
        hidden.add(min(others)[1])
    cmap = plt.get_cmap("Greens")
    for p in range(3):
        for f in range(3):
            b = int(_BOX[p, f])
            n_b = int(counts.get(b, 0))
            if uncertainty and b not in hidden:
                sel = data.loc[boxes == b, "p_correct"]
                pc = float(sel.mean()) if len(sel) else math.nan
                face = cmap(0.15 + 0.7 * pc) if np.isfinite(pc) else "white"
            elif uncertainty:
                pc, face = math.nan, "white"
            else:
                face = cmap(0.15 + 0.6 * (b - 1) / 8)
            ax.add_patch(Rectangle((p, f), 1, 1, facecolor=face, edgecolor="black", linewidth=1.2))
            if b in hidden:
                ax.text(p + 0.5, f + 0.5, f"{b}\n{'disembunyikan' if lang == 'id' else 'suppressed'}", ha="center",
                        va="center", fontsize=10)
                continue
            share = f"{100.0 * n_b / total:.1f}%" if total else "-"
            text = f"{b}\nn = {n_b}" + ("" if hidden else f" ({share})")
            if uncertainty and np.isfinite(pc):
                text += f"\nP({'benar' if lang == 'id' else 'right'}) = {pc:.2f}"
            ax.text(p + 0.5, f + 0.5, text, ha="center", va="center", fontsize=10)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    ax.set_xticks([0.5, 1.5, 2.5], list(_POTENTIAL_LABELS[lang]))
    ax.set_yticks([0.5, 1.5, 2.5], ["\n".join(lab.rsplit(" ", 1)) for lab in _PERFORMANCE_LABELS[lang]])
    ax.set_xlabel("Potensi" if lang == "id" else "Potential")
    ax.set_ylabel("Kinerja" if lang == "id" else "Performance")
    ax.set_aspect("equal")
    ax.set_title(title if title is not None else ("Kotak manajemen talenta" if lang == "id" else "Nine-box grid"))
    return ax


def plot_competency_gaps(achieved, required=None, *, kind: str = "bar", standards=None, ax=None,
                         title: str | None = None):
    """Group competency gap profile as bars (mean gap) or a radar (mean achieved vs required level).

    Parameters
    ----------
    achieved : DataFrame
        Candidates x competencies (levels 1-5); with ``required=None`` it is
        taken to be a gap table from :func:`gaps` (``kind="bar"`` only).
        Candidate ids (the index) must be unique; the row order does not
        matter.
    required : optional
        As in :func:`job_person_match` (a per-candidate standard is matched
        by candidate id).
    kind : {"bar", "radar"}
    standards, ax, title : optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if kind not in ("bar", "radar"):
        raise ValueError(f"kind must be 'bar' or 'radar'; got kind={kind!r}.")
    if required is None:
        if kind == "radar":
            raise ValueError("kind='radar' needs required (the standard) to draw against; pass required=...")
        g = achieved if isinstance(achieved, pd.DataFrame) else pd.DataFrame(achieved)
        _check_unique_ids(_plain_index(g.index), "achieved")
        g = g.iloc[_sorted_positions(g.index)]  # means summed in id order: the same whatever the row order
        mean_gap = g.apply(pd.to_numeric, errors="coerce").mean()
        mean_ach = mean_req = None
    else:
        sub, a, r = _aligned(achieved, required, standards)
        order = _sorted_positions(sub.index)  # means summed in id order: the same whatever the row order
        a, r = a[order], r[order]
        mean_gap = pd.Series(np.nanmean(a - r, axis=0), index=sub.columns)
        mean_ach = pd.Series(np.nanmean(a, axis=0), index=sub.columns)
        mean_req = pd.Series(r.mean(axis=0), index=sub.columns)
    labels = [str(c).replace("_", " ") for c in mean_gap.index]
    if kind == "bar":
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.5))
        colors = ["#c0392b" if v < 0 else "#27ae60" for v in mean_gap.to_numpy()]
        ax.barh(labels, mean_gap.to_numpy(), color=colors)
        ax.axvline(0.0, color="black", linewidth=1)
        ax.invert_yaxis()
        ax.set_xlabel("rata-rata kesenjangan (capaian - standar) / mean gap (achieved - required)")
    else:
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 6.5), subplot_kw={"projection": "polar"})
        ang = np.linspace(0, 2 * np.pi, len(labels), endpoint=False)
        closed = np.concatenate([ang, ang[:1]])
        for vals, lab, style in ((mean_req, "standar / required", "--"), (mean_ach, "capaian / achieved", "-")):
            v = vals.to_numpy()
            ax.plot(closed, np.concatenate([v, v[:1]]), style, label=lab)
        ax.fill(closed, np.concatenate([mean_ach.to_numpy(), mean_ach.to_numpy()[:1]]), alpha=0.2)
        ax.set_xticks(ang, labels, fontsize=8)
        ax.set_ylim(0, 5)
        ax.legend(loc="lower right", bbox_to_anchor=(1.15, -0.1))
    ax.set_title(title if title is not None else "Profil kesenjangan kompetensi / competency gap profile")
    return ax


def plot_jpm_distribution(jpm, position_level=None, *, scheme: str = "mapping", cuts=None, ax=None,
                          title: str | None = None, points: bool = True, min_count: int = 0):
    """Distribution of JPM by position level (box plots with the category cut-offs as lines).

    Parameters
    ----------
    jpm : Series or array-like
        JPM values (%).
    position_level : Series or array-like, optional
        Position level of each candidate; one box per level.  Two Series are
        matched by candidate id (the same ids, each once, in any order),
        array-likes by position (same length).
    scheme, cuts : optional
        Cut-offs drawn as vertical lines (see :func:`jpm_category`).
    ax, title : optional
    points : bool
        Draw every candidate as a dot beside the box.  Aggregate reports pass
        ``False``: no individual is drawn, the whiskers end at the 10th and
        90th percentiles and outliers are not shown.
    min_count : int
        Position levels with fewer candidates are not drawn (a box of a few
        values shows individual values); their label says ``n < min_count``.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise ValueError(f"min_count must be a whole number >= 0; got min_count={min_count!r}.")
    if scheme not in JPM_SCHEMES:
        raise ValueError(f"scheme must be one of {list(JPM_SCHEMES)}; got scheme={scheme!r}.")
    c = _check_cuts(JPM_SCHEMES[scheme]["cuts"] if cuts is None else cuts, "cuts", n=None)
    if position_level is None:
        s = _as_series(jpm, "jpm")
        _check_unique_ids(_plain_index(s.index), "jpm")
    else:
        s, pl, _ = _two_series(jpm, position_level, "jpm", "position_level")
    # candidates in sorted id order: the dots (and their jitter) do not depend on the row order
    by_id = _sorted_positions(s.index)
    s = s.iloc[by_id]
    x = _numeric(s, "jpm", allow_nan=True)
    if position_level is None:
        groups = {"semua / all": x[~np.isnan(x)]}
    else:
        pl = pl.iloc[by_id]
        keys = [_POSITION_ALIASES.get(_snake(v), _snake(v)) if isinstance(v, str) else str(v) for v in pl.tolist()]
        order = [p for p in POSITION_LEVELS if p in keys] + sorted(set(keys) - set(POSITION_LEVELS))
        karr = np.asarray(keys, dtype=object)
        groups = {k: x[(karr == k) & ~np.isnan(x)] for k in order}
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(groups) + 1.8))
    names = list(groups)
    small = {k for k in names if groups[k].size < min_count}
    data = [np.array([]) if k in small else groups[k] for k in names]
    # without points (aggregate reports) the whiskers end at the 10th and 90th percentiles and no outlier is
    # drawn, so that no single candidate's value (the lowest, the highest) appears in the figure
    box_kw = {} if points else {"whis": (10, 90), "showfliers": False}
    try:
        ax.boxplot(data, orientation="horizontal", **box_kw)
    except TypeError:  # matplotlib < 3.10
        ax.boxplot(data, vert=False, **box_kw)
    ax.set_yticks(np.arange(1, len(names) + 1),
                  [k.replace("_", " ") + (f" (n < {min_count})" if k in small else "") for k in names])
    for k, v in enumerate(names):
        if not points or v in small:
            continue
        yv = np.full(groups[v].size, k + 1.0) + np.linspace(-0.15, 0.15, max(groups[v].size, 1))[: groups[v].size]
        ax.plot(groups[v], yv, ".", alpha=0.35, color="grey")
    for cut in c:
        ax.axvline(cut, color="#c0392b", linestyle="--", linewidth=1)
    ax.invert_yaxis()
    ax.set_xlabel("JPM (%)")
    ax.set_title(title if title is not None else "Sebaran JPM per jenjang jabatan / JPM by position level")
    return ax
