"""Loading and validating assessment-centre data.

A data set is either a directory holding ``ratings.*``, ``candidates.*`` and
optionally ``items.*`` (``.csv``, ``.xlsx`` or ``.parquet``), or one Excel
workbook with sheets named ``ratings``, ``candidates`` and optionally ``items``.

Tables (tidy, long format)
--------------------------
ratings
    ``agency, candidate, competency, exercise, assessor, score`` (+ optional
    ``round``, e.g. ``pre``/``post`` consensus).  One row per assessor x
    candidate x competency x exercise (x round).
candidates
    ``candidate, agency, position_level, gender, birth_year`` and, where known,
    ``cognitive`` (psychological test score), ``performance`` (later kinerja /
    SKP rating), ``promoted`` (0/1), ``selected`` (0/1), ``potential`` and
    ``name`` (kept out of every aggregate report).
items
    ``candidate`` plus one numeric column per item of a questionnaire or test.

Indonesian headers found in agency spreadsheets are accepted through
:data:`COLUMN_ALIASES` (``instansi``, ``nip``, ``kompetensi``, ``alat_ukur``,
``asesor``, ``nilai``...), and a user mapping (``columns={"Kolom X": "score"}``)
takes precedence over it.  CSV exports with ``;`` separators and decimal commas,
and files saved as Windows-1252 rather than UTF-8, load as they are.

Validation is strict: every problem found is collected and raised together as a
:class:`DataValidationError` whose lines name the file, the row number(s) as seen
in a spreadsheet (header = row 1), the column and the fix.  Input files are never
modified.  Softer findings (an assessor who rated one candidate only...) are
returned as warnings and emitted as :class:`DataWarning`.
"""

from __future__ import annotations

import csv
import html
import io as _io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "COLUMN_ALIASES",
    "AssessmentData",
    "DataValidationError",
    "DataWarning",
    "Problem",
    "load_assessment",
    "read_table",
    "design_summary",
    "INDEPENDENT_ROUND_NAMES",
    "CONSENSUS_ROUND_NAMES",
    "independent_round",
]

#: Canonical column -> accepted spellings (compared after lower-casing and turning
#: spaces, dots, slashes and hyphens into underscores).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "agency": ("agency", "instansi", "nama_instansi", "opd", "unit_organisasi", "instansi_asal"),
    "candidate": ("candidate", "nip", "asesi", "id_asesi", "peserta", "id_peserta", "nomor_peserta", "candidate_id"),
    "name": ("name", "nama", "nama_asesi", "nama_peserta", "nama_lengkap"),
    "competency": ("competency", "kompetensi", "dimensi", "nama_kompetensi", "dimension"),
    "exercise": ("exercise", "alat_ukur", "metode", "simulasi", "metode_asesmen", "instrumen"),
    "assessor": ("assessor", "asesor", "penilai", "nama_asesor", "id_asesor", "rater"),
    "score": ("score", "nilai", "skor", "level", "rating", "nilai_kompetensi"),
    "round": ("round", "putaran", "tahap", "sesi_penilaian"),
    "position_level": ("position_level", "jabatan", "jenjang_jabatan", "level_jabatan", "jenis_jabatan"),
    "gender": ("gender", "jenis_kelamin", "jk", "sex"),
    "birth_year": ("birth_year", "tahun_lahir", "thn_lahir"),
    "cognitive": ("cognitive", "tes_psikologi", "psikotes", "kognitif", "skor_psikotes", "tpa"),
    "performance": ("performance", "kinerja", "nilai_kinerja", "skp", "nilai_skp", "predikat_kinerja_angka"),
    "promoted": ("promoted", "promosi", "dipromosikan"),
    "selected": ("selected", "terpilih", "lulus", "lolos", "diangkat"),
    "potential": ("potential", "potensi", "nilai_potensi"),
}

REQUIRED = {
    "ratings": ("agency", "candidate", "competency", "exercise", "assessor", "score"),
    "candidates": ("candidate", "agency", "position_level", "gender", "birth_year"),
    "items": ("candidate",),
}
OPTIONAL = {
    "ratings": ("round",),
    "candidates": ("name", "cognitive", "performance", "promoted", "selected", "potential"),
    "items": (),
}
_NUMERIC_CANDIDATE_COLS = ("birth_year", "cognitive", "performance", "potential")
_BINARY_CANDIDATE_COLS = ("promoted", "selected")
_GENDER_VALUES = {
    "l": "L", "laki-laki": "L", "laki laki": "L", "lakilaki": "L", "pria": "L", "m": "L", "male": "L",
    "p": "P", "perempuan": "P", "wanita": "P", "f": "P", "female": "P", "w": "P",
}
_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm", ".parquet")


class DataWarning(UserWarning):
    """A finding in the data that does not stop the analysis (e.g. an assessor with one candidate)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file."""

    file: str
    message: str
    fix: str
    column: str | None = None
    rows: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = self.file
        if self.rows:
            shown = ", ".join(map(str, self.rows[:8])) + (f" (and {len(self.rows) - 8} more)" if len(self.rows) > 8 else "")
            where += f", row{'s' if len(self.rows) > 1 else ''} {shown}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}. Fix: {self.fix}"


class DataValidationError(ValueError):
    """Raised by :func:`load_assessment` with every problem found; ``.problems`` lists them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} found in the assessment data:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class AssessmentData:
    """Validated assessment data returned by :func:`load_assessment`.

    Attributes
    ----------
    ratings, candidates : DataFrame
        Canonical column names; ids (agency, candidate, competency, exercise,
        assessor, round, position_level, gender) are categoricals; ``score`` is float.
    items : DataFrame or None
        ``candidate`` plus numeric item columns.
    warnings : tuple of str
        Non-fatal findings.
    source : str
        Where the data came from.
    """

    ratings: pd.DataFrame
    candidates: pd.DataFrame
    items: pd.DataFrame | None = None
    warnings: tuple[str, ...] = ()
    source: str = ""
    scale: tuple[float, float] = (1.0, 5.0)
    column_map: dict = field(default_factory=dict, compare=False)

    @property
    def agencies(self) -> list[str]:
        """Agencies present in the ratings, sorted."""
        return sorted(map(str, self.ratings["agency"].unique()))

    def for_agency(self, agency: str) -> AssessmentData:
        """The subset of the data belonging to one agency."""
        if agency not in self.agencies:
            raise ValueError(f"agency={agency!r} is not in the data; agencies are {self.agencies}.")
        r = self.ratings[self.ratings["agency"] == agency].copy()
        c = self.candidates[self.candidates["agency"] == agency].copy()
        for df in (r, c):
            for col in df.columns:
                if isinstance(df[col].dtype, pd.CategoricalDtype):
                    df[col] = df[col].cat.remove_unused_categories()
        it = None
        if self.items is not None:
            it = self.items[self.items["candidate"].isin(c["candidate"])].copy()
            it["candidate"] = it["candidate"].cat.remove_unused_categories()
        return AssessmentData(r, c, it, self.warnings, f"{self.source} [{agency}]", self.scale, self.column_map)

    def summary(self) -> pd.DataFrame:
        """Per-agency design summary (see :func:`design_summary`)."""
        return design_summary(self.ratings, self.candidates)

    def __repr__(self) -> str:
        r = self.ratings
        return (
            f"AssessmentData({len(self.agencies)} agencies, {r['candidate'].nunique()} candidates, "
            f"{r['assessor'].nunique()} assessors, {r['exercise'].nunique()} exercises, "
            f"{r['competency'].nunique()} competencies, {len(r)} ratings"
            + (f", items: {self.items.shape[1] - 1}" if self.items is not None else "")
            + f", {len(self.warnings)} warnings)"
        )

    def _repr_html_(self) -> str:
        return f"<p><code>{html.escape(repr(self))}</code></p>" + self.summary().to_html()


# --------------------------------------------------------------------------- reading


def _norm_header(h) -> str:
    s = str(h).strip().lower()
    s = re.sub(r"[\s\.\-/]+", "_", s)
    return s.strip("_")


def _decode(raw: bytes, fname: str, problems: list[Problem]) -> tuple[str, str | None]:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel "Unicode Text" exports
        return raw.decode("utf-16"), "utf-16"
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc), (None if enc == "utf-8-sig" else enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _read_csv(path: Path, problems: list[Problem], notes: list[str]) -> pd.DataFrame | None:
    raw = path.read_bytes()
    if not raw.strip():
        problems.append(Problem(path.name, "the file is empty", "export the table again with its header row"))
        return None
    text, enc = _decode(raw, path.name, problems)
    if enc:
        notes.append(f"{path.name}: read as {enc} (not UTF-8); consider saving as 'CSV UTF-8'")
    sample = text[:20000]
    first = sample.splitlines()[0] if sample.splitlines() else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=counts.get)
    if counts[delim] == 0:
        try:
            delim = csv.Sniffer().sniff(sample).delimiter
        except csv.Error:
            delim = ","
    try:
        df = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        rows = (int(m.group(1)),) if m else ()
        problems.append(
            Problem(path.name, f"the file is not a regular table ({str(exc).strip()})",
                    "check that every row has as many fields as the header (quote text containing the separator)",
                    rows=rows)
        )
        return None
    blank_rows = (df.apply(lambda col: col.str.strip()) == "").all(axis=1)
    if blank_rows.any():  # formatted-but-empty rows at the end of Excel exports (";;;;;")
        notes.append(f"{path.name}: {int(blank_rows.sum())} completely empty row(s) ignored")
        df = df[~blank_rows]
    df.attrs["decimal_comma"] = delim != ","
    return df


def _read_excel(path: Path, sheet, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        df = pd.read_excel(path, sheet_name=sheet, dtype=object)
    except ValueError as exc:
        problems.append(Problem(path.name, f"cannot read sheet {sheet!r} ({exc})", "check the sheet name"))
        return None
    except Exception as exc:  # zip/xml errors from a damaged workbook
        problems.append(Problem(path.name, f"cannot open the workbook ({type(exc).__name__}: {exc})",
                                "save the file again from Excel as .xlsx"))
        return None
    return df


def read_table(path, *, sheet=None) -> pd.DataFrame:
    """Read one table (CSV, XLSX or Parquet) as text columns, without validation.

    CSV separators (``,``, ``;``, tab, ``|``) and encodings (UTF-8, Windows-1252)
    are detected.  Raises :class:`DataValidationError` if the file cannot be read.
    """
    problems: list[Problem] = []
    df = _read_any(Path(path), sheet, problems, [])
    if problems:
        raise DataValidationError(problems)
    return df


def _read_any(path: Path, sheet, problems: list[Problem], notes: list[str]) -> pd.DataFrame | None:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path, problems, notes)
    if suffix in (".xlsx", ".xlsm"):
        if path.stat().st_size == 0:
            problems.append(Problem(path.name, "the file is empty", "export the table again with its header row"))
            return None
        return _read_excel(path, sheet if sheet is not None else 0, problems)
    if suffix == ".parquet":
        if path.stat().st_size == 0:
            problems.append(Problem(path.name, "the file is empty", "export the table again with its header row"))
            return None
        try:
            return pd.read_parquet(path)
        except Exception as exc:
            problems.append(Problem(path.name, f"cannot read the Parquet file ({exc})", "write it again"))
            return None
    problems.append(
        Problem(path.name, f"unsupported file type {suffix!r}", f"save the table as one of {list(_EXTENSIONS)}")
    )
    return None


# --------------------------------------------------------------------------- normalising


def _rename(df: pd.DataFrame, table: str, fname: str, user_map: Mapping[str, str], problems: list[Problem]):
    known = set(REQUIRED[table]) | set(OPTIONAL[table])
    alias_lookup = {}
    for canon, names in COLUMN_ALIASES.items():
        for a in names:
            alias_lookup[a] = canon
    user_norm = {_norm_header(k): v for k, v in user_map.items()}
    for k, v in user_map.items():
        if v not in COLUMN_ALIASES:
            problems.append(Problem(fname, f"the mapping columns={{{k!r}: {v!r}}} targets an unknown column {v!r}",
                                    f"map to one of {sorted(COLUMN_ALIASES)}"))
    mapping: dict[str, str] = {}
    sources: dict[str, list[str]] = {}
    user_targets = set(user_norm.values())
    for col in df.columns:
        n = _norm_header(col)
        canon = user_norm.get(n)
        if canon is None:
            canon = alias_lookup.get(n)
            if canon in user_targets:  # the user chose another column for this name: ignore the alias
                canon = None
        if canon and (canon in known or table == "items" and canon == "candidate"):
            mapping[col] = canon
            sources.setdefault(canon, []).append(str(col))
    for canon, cols in sources.items():
        if len(cols) > 1:
            problems.append(Problem(fname, f"columns {cols} all mean {canon!r}", f"keep one of them, or pass "
                                    f"columns={{{cols[0]!r}: {canon!r}}} and rename the others", column=cols[1]))
    out = df.rename(columns=mapping)
    missing = [c for c in REQUIRED[table] if c not in out.columns]
    if missing:
        problems.append(
            Problem(fname, f"required column(s) {missing} not found (columns present: {list(map(str, df.columns))})",
                    "rename the columns (Indonesian names such as 'instansi', 'nip', 'kompetensi', 'alat_ukur', "
                    "'asesor', 'nilai' are recognised) or pass columns={'your header': 'canonical name'}")
        )
    return out, {str(k): v for k, v in mapping.items()}


def _excel_rows(mask) -> tuple[int, ...]:
    """Spreadsheet row numbers (header is row 1) of the True positions of a boolean mask."""
    if isinstance(mask, pd.Series) and pd.api.types.is_integer_dtype(mask.index):
        return tuple(int(i) + 2 for i in mask.index[mask.to_numpy(dtype=bool)])  # labels survive dropped rows
    return tuple(int(i) + 2 for i in np.flatnonzero(np.asarray(mask)))


def _parse_numbers(s: pd.Series, decimal_comma: bool) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    txt = s.astype("string").str.strip()
    # "3,5" is a decimal comma: in a comma-separated file such a field must have been quoted on purpose, and in
    # Excel it is a number typed as text on an Indonesian-locale machine
    txt = txt.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    txt = txt.mask(txt == "", pd.NA)
    return pd.to_numeric(txt, errors="coerce").astype(float)


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def _clean_ids(df: pd.DataFrame, cols, fname: str, problems: list[Problem]) -> None:
    for c in cols:
        if c not in df.columns:
            continue
        s = df[c]
        is_num = s.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
        if pd.api.types.is_float_dtype(s) or (s.dtype == object and is_num.any()):
            # ids read as numbers from Excel (always doubles) or float columns: a double holds 15-16 digits only,
            # so an 18-digit NIP has already lost its last digits
            lost = is_num & s.map(lambda v: abs(float(v)) >= 2**53 if isinstance(v, (int, float, np.number)) and
                                  not isinstance(v, bool) else False)
            if lost.any():
                problems.append(Problem(fname, f"{int(lost.sum())} id(s) stored as numbers are too long to be exact "
                                        "(an 18-digit NIP loses its last digits as a number)", "format the column "
                                        "as Text in Excel (or write the ids as text) and export again", column=c,
                                        rows=_excel_rows(lost)))
            s = s.map(lambda v: "" if pd.isna(v) else (str(int(v)) if isinstance(v, (float, np.floating))
                                                         and float(v).is_integer() else str(v)))
        s = s.astype("string").str.strip()
        bad = _blank(s)
        if bad.any():
            problems.append(Problem(fname, f"{int(bad.sum())} empty value(s) in the id column", "fill in the id "
                                    "or delete the incomplete rows", column=c, rows=_excel_rows(bad)))
        df[c] = s


def _validate_ratings(df, fname, scale, problems, notes):
    _clean_ids(df, ["agency", "candidate", "competency", "exercise", "assessor", "round"], fname, problems)
    if "score" in df.columns:
        raw = df["score"]
        num = _parse_numbers(raw, df.attrs.get("decimal_comma", False))
        blank = _blank(raw)
        if blank.any():
            problems.append(Problem(fname, f"{int(blank.sum())} empty score(s)", "enter the score, or delete the "
                                    "row if the competency was not rated in that exercise", column="score",
                                    rows=_excel_rows(blank)))
        nonnum = num.isna() & ~blank
        if nonnum.any():
            ex = raw[nonnum].iloc[0]
            problems.append(Problem(fname, f"{int(nonnum.sum())} score(s) are not numbers (e.g. {ex!r})",
                                    f"write scores as numbers on the {scale[0]:g}-{scale[1]:g} scale "
                                    "(decimal comma or point)", column="score", rows=_excel_rows(nonnum)))
        out = num.notna() & ((num < scale[0]) | (num > scale[1]))
        if out.any():
            ex = num[out].iloc[0]
            problems.append(Problem(fname, f"{int(out.sum())} score(s) outside the scale {scale[0]:g}-{scale[1]:g} "
                                    f"(e.g. {ex:g})", "correct the scores, or declare the scale with "
                                    "load_assessment(..., scale=(min, max))", column="score", rows=_excel_rows(out)))
        df["score"] = num
    keys = [c for c in ("agency", "candidate", "competency", "exercise", "assessor", "round") if c in df.columns]
    if len(keys) >= 5:
        dup = df.duplicated(subset=keys, keep=False)
        if dup.any():
            problems.append(Problem(fname, f"{int(dup.sum())} rows repeat the same assessor x candidate x "
                                    "competency x exercise" + (" x round" if "round" in keys else ""),
                                    "keep one rating per assessor, candidate, competency and exercise (use a "
                                    "'round' column for pre/post-consensus ratings)", rows=_excel_rows(dup)))


def _validate_candidates(df, fname, problems, notes):
    _clean_ids(df, ["candidate", "agency", "position_level", "gender"], fname, problems)
    if "candidate" in df.columns:
        dup = df["candidate"].duplicated(keep=False) & ~_blank(df["candidate"])
        if dup.any():
            problems.append(Problem(fname, f"candidate id(s) {sorted(set(df.loc[dup, 'candidate']))[:5]} appear more "
                                    "than once", "keep one row per candidate", column="candidate",
                                    rows=_excel_rows(dup)))
    if "gender" in df.columns:
        g = df["gender"].astype("string").str.strip().str.lower()
        mapped = g.map(lambda v: _GENDER_VALUES.get(v, pd.NA) if isinstance(v, str) else pd.NA)
        bad = mapped.isna() & ~_blank(df["gender"])
        if bad.any():
            problems.append(Problem(fname, f"unrecognised gender value(s) {sorted(set(df.loc[bad, 'gender']))[:5]}",
                                    "use L/P (laki-laki/perempuan)", column="gender", rows=_excel_rows(bad)))
        df["gender"] = mapped.astype("string")
    dec = df.attrs.get("decimal_comma", False)
    for c in _NUMERIC_CANDIDATE_COLS + _BINARY_CANDIDATE_COLS:
        if c not in df.columns:
            continue
        raw = df[c]
        num = _parse_numbers(raw, dec)
        nonnum = num.isna() & ~_blank(raw)
        if nonnum.any():
            problems.append(Problem(fname, f"{int(nonnum.sum())} value(s) are not numbers (e.g. "
                                    f"{raw[nonnum].iloc[0]!r})", "write numbers, or leave the cell empty if "
                                    "unknown", column=c, rows=_excel_rows(nonnum)))
        if c in _BINARY_CANDIDATE_COLS:
            bad = num.notna() & ~num.isin([0.0, 1.0])
            if bad.any():
                problems.append(Problem(fname, f"{int(bad.sum())} value(s) other than 0/1 (e.g. {num[bad].iloc[0]:g})",
                                        "code it 1 = yes, 0 = no", column=c, rows=_excel_rows(bad)))
        if c == "birth_year":
            bad = num.notna() & ((num < 1940) | (num > 2010) | (num % 1 != 0))
            if bad.any():
                problems.append(Problem(fname, f"{int(bad.sum())} implausible birth year(s) (e.g. "
                                        f"{num[bad].iloc[0]:g})", "write the four-digit year of birth",
                                        column=c, rows=_excel_rows(bad)))
        df[c] = num.astype("Int64") if c in _BINARY_CANDIDATE_COLS + ("birth_year",) and (
            num.isna().all() or (num.dropna() % 1 == 0).all()) else num


def _validate_items(df, fname, problems):
    _clean_ids(df, ["candidate"], fname, problems)
    item_cols = [c for c in df.columns if c != "candidate"]
    if len(item_cols) < 2:
        problems.append(Problem(fname, f"only {len(item_cols)} item column(s)", "provide one column per item "
                                "(at least two)"))
    dec = df.attrs.get("decimal_comma", False)
    for c in item_cols:
        raw = df[c]
        num = _parse_numbers(raw, dec)
        nonnum = num.isna() & ~_blank(raw)
        if nonnum.any():
            problems.append(Problem(fname, f"{int(nonnum.sum())} response(s) are not numbers (e.g. "
                                    f"{raw[nonnum].iloc[0]!r})", "recode responses as numbers; leave missing "
                                    "responses empty", column=str(c), rows=_excel_rows(nonnum)))
        df[c] = num
    if "candidate" in df.columns:
        dup = df["candidate"].duplicated(keep=False)
        if dup.any():
            problems.append(Problem(fname, "candidate ids appear more than once", "keep one row per candidate",
                                    column="candidate", rows=_excel_rows(dup)))


def _locate(path: Path, problems: list[Problem]) -> dict[str, tuple[Path, object]]:
    """Find the three tables: name -> (file, sheet)."""
    found: dict[str, tuple[Path, object]] = {}
    if not path.exists():
        raise DataValidationError([Problem(str(path), "the path does not exist",
                                           "give a directory with ratings.* and candidates.*, or an .xlsx workbook")])
    if path.is_file():
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise DataValidationError([Problem(path.name, "a single file must be an Excel workbook with sheets "
                                               "'ratings', 'candidates' (and optionally 'items')",
                                               "pass the directory that holds ratings.csv and candidates.csv, "
                                               "or an .xlsx workbook")])
        try:
            sheets = {str(s).strip().lower(): s for s in pd.ExcelFile(path).sheet_names}
        except Exception as exc:
            raise DataValidationError([Problem(path.name, f"cannot open the workbook ({type(exc).__name__})",
                                               "save the file again from Excel as .xlsx")]) from None
        for t in ("ratings", "candidates", "items"):
            if t in sheets:
                found[t] = (path, sheets[t])
            elif t != "items":
                problems.append(Problem(path.name, f"no sheet named {t!r} (sheets: {list(sheets.values())})",
                                        f"rename the sheet holding the {t} to {t!r}"))
        return found
    for t in ("ratings", "candidates", "items"):
        hits = sorted(p for p in path.iterdir() if p.is_file() and p.stem.lower() == t
                      and not p.name.startswith((".", "~$")))
        if len(hits) > 1:
            problems.append(Problem(str(path), f"several {t} files: {[h.name for h in hits]}",
                                    f"keep exactly one {t}.* file in the directory"))
        elif hits:
            found[t] = (hits[0], None)
        elif t != "items":
            problems.append(Problem(str(path), f"no {t} file (expected {t}.csv, {t}.xlsx or {t}.parquet)",
                                    f"add the {t} table to the directory"))
    return found


def load_assessment(
    path,
    *,
    columns: Mapping[str, str] | None = None,
    scale: tuple[float, float] = (1, 5),
    warn: bool = True,
) -> AssessmentData:
    """Load and validate an assessment data set.

    Parameters
    ----------
    path : str or Path
        A directory with ``ratings.*``, ``candidates.*`` and optionally
        ``items.*`` (csv, xlsx, parquet), or an Excel workbook with sheets
        ``ratings``, ``candidates`` and optionally ``items``.
    columns : mapping, optional
        Your header -> canonical column name (e.g. ``{"Nilai Akhir": "score"}``);
        applied before the built-in :data:`COLUMN_ALIASES`.
    scale : (min, max)
        The rating scale; scores outside it are errors.  Default 1-5 (levels of
        PermenPANRB 38/2017), decimals allowed.
    warn : bool
        Emit non-fatal findings as :class:`DataWarning` (they are also returned
        in ``AssessmentData.warnings``).

    Returns
    -------
    AssessmentData
        Ids as sorted categoricals and rows in one canonical order (ratings by
        agency, candidate, competency, exercise, assessor and round; candidates
        and items by candidate), so that results do not depend on the order of
        the rows in the files (bootstrap resamples and simulation streams are
        drawn per row).

    Raises
    ------
    DataValidationError
        With one line per problem: file, spreadsheet row number(s) (header =
        row 1), column, what is wrong and the fix.

    Examples
    --------
    >>> import psikometri as pk
    >>> data = pk.load_assessment("data_samples", warn=False)
    >>> data.agencies[:2]
    ['badan_riset_contoh', 'kab_sukamaju']
    >>> sorted(data.ratings.columns)[:3]
    ['agency', 'assessor', 'candidate']
    """
    columns = dict(columns or {})
    if not (isinstance(scale, (tuple, list)) and len(scale) == 2 and float(scale[0]) < float(scale[1])):
        raise ValueError(f"scale must be a (min, max) pair with min < max; got scale={scale!r}. Use e.g. (1, 5).")
    scale = (float(scale[0]), float(scale[1]))
    path = Path(path)
    problems: list[Problem] = []
    notes: list[str] = []
    located = _locate(path, problems)
    tables: dict[str, pd.DataFrame] = {}
    colmap: dict[str, dict] = {}
    for t, (f, sheet) in located.items():
        fname = f.name if sheet is None else f"{f.name}[{sheet}]"
        df = _read_any(f, sheet, problems, notes)
        if df is None:
            continue
        if len(df) == 0:
            problems.append(Problem(fname, "the table has a header but no data rows", "export the table with its data"))
            continue
        df, m = _rename(df, t, fname, columns, problems)
        colmap[t] = m
        if any(c not in df.columns for c in REQUIRED[t]) or df.columns.duplicated().any():
            continue
        if t == "ratings":
            keep = [c for c in REQUIRED[t] + OPTIONAL[t] if c in df.columns]
            df = df[keep].copy()
            df.attrs["decimal_comma"] = df.attrs.get("decimal_comma", False)
            _validate_ratings(df, fname, scale, problems, notes)
        elif t == "candidates":
            extra = [c for c in df.columns if c not in REQUIRED[t] + OPTIONAL[t]]
            df = df[[c for c in REQUIRED[t] + OPTIONAL[t] if c in df.columns] + extra].copy()
            _validate_candidates(df, fname, problems, notes)
        else:
            df = df.copy()
            _validate_items(df, fname, problems)
        tables[t] = df

    if "ratings" in tables and "candidates" in tables:
        r, c = tables["ratings"], tables["candidates"]
        known = set(c["candidate"].dropna())
        unknown = ~r["candidate"].isin(known) & ~_blank(r["candidate"])
        if unknown.any():
            ids = sorted(set(r.loc[unknown, "candidate"]))
            stripped = {str(k).lstrip("0") for k in known}
            hint = (" (they match candidates once leading zeros are removed: format the id columns as Text in "
                    "Excel so that leading zeros are kept)") if any(i.lstrip("0") in stripped for i in ids) else ""
            problems.append(Problem(located["ratings"][0].name, f"{len(ids)} candidate(s) in the ratings are not in "
                                    f"the candidates table (e.g. {ids[:3]}){hint}", "add them to the candidates "
                                    "table or correct the ids", column="candidate", rows=_excel_rows(unknown)))
        ag = c.drop_duplicates("candidate").set_index("candidate")["agency"]
        mism = r["candidate"].isin(known) & (r["candidate"].map(ag).astype("string") != r["agency"])
        if mism.any():
            problems.append(Problem(located["ratings"][0].name, f"{int(mism.sum())} rating row(s) give an agency "
                                    "different from the candidates table", "use the same agency name in both tables",
                                    column="agency", rows=_excel_rows(mism)))
    if "items" in tables and "candidates" in tables:
        it = tables["items"]
        unknown = ~it["candidate"].isin(set(tables["candidates"]["candidate"]))
        if unknown.any():
            problems.append(Problem(located["items"][0].name, f"{int(unknown.sum())} item row(s) belong to candidates "
                                    "not in the candidates table", "add them to the candidates table or correct "
                                    "the ids", column="candidate", rows=_excel_rows(unknown)))
    if problems:
        raise DataValidationError(problems)

    ratings, candidates, items = tables["ratings"], tables["candidates"], tables.get("items")
    findings = list(notes)
    per_assessor = ratings.groupby("assessor", observed=True)["candidate"].nunique()
    lonely = sorted(per_assessor.index[per_assessor < 2])
    if lonely:
        findings.append(f"{len(lonely)} assessor(s) rated only one candidate ({lonely[:5]}); their leniency cannot be "
                        "separated from that candidate's level")
    unrated = sorted(set(candidates["candidate"]) - set(ratings["candidate"]))
    if unrated:
        findings.append(f"{len(unrated)} candidate(s) in the candidates table have no ratings")
    if "performance" in candidates and candidates["performance"].isna().all():
        findings.append("the 'performance' column is empty: predictive validity cannot be estimated")
    if items is not None:
        n_missing = int(items.drop(columns="candidate").isna().sum().sum())
        if n_missing:
            findings.append(f"items: {n_missing} missing response(s)")

    # categoricals for ids, in a stable (sorted) order
    for col in ("agency", "candidate", "competency", "exercise", "assessor", "round"):
        if col in ratings:
            ratings[col] = pd.Categorical(ratings[col].astype(str), categories=sorted(set(ratings[col].astype(str))))
    cand_ids = sorted(set(candidates["candidate"].astype(str)))
    ratings["candidate"] = pd.Categorical(ratings["candidate"].astype(str), categories=cand_ids)
    for col in ("agency", "position_level", "gender"):
        vals = candidates[col].astype("string")
        candidates[col] = pd.Categorical(vals, categories=sorted(set(vals.dropna())))
    candidates["candidate"] = pd.Categorical(candidates["candidate"].astype(str), categories=cand_ids)
    if items is not None:
        items["candidate"] = pd.Categorical(items["candidate"].astype(str), categories=cand_ids)
    # one row order whatever the order of the files: rows sorted by their ids (categorical codes, i.e. sorted
    # labels), so that everything computed from the data - bootstrap resamples, simulation streams, sums -
    # is the same for the same data
    rkeys = [c for c in ("agency", "candidate", "competency", "exercise", "assessor", "round") if c in ratings]
    ratings = ratings.sort_values(rkeys, kind="stable")
    candidates = candidates.sort_values(["candidate"], kind="stable")
    ratings, candidates = ratings.reset_index(drop=True), candidates.reset_index(drop=True)
    if items is not None:
        items = items.sort_values(["candidate"], kind="stable").reset_index(drop=True)
    for df in (ratings, candidates) + ((items,) if items is not None else ()):
        df.attrs.clear()
    if warn:
        for f in findings:
            warnings.warn(f, DataWarning, stacklevel=2)
    return AssessmentData(ratings, candidates, items, tuple(findings), str(path), scale, colmap)


def design_summary(ratings: pd.DataFrame, candidates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-agency counts and design completeness of a ratings table.

    ``completeness`` is the share of candidate x competency x exercise cells
    (among the competency x exercise combinations the agency uses at all) that
    hold at least one rating; ``assessors_per_cell`` is the mean number of
    assessors per rated cell.
    """
    rows = []
    for ag, r in ratings.groupby("agency", observed=True, sort=True):
        cells = r.groupby(["candidate", "competency", "exercise"], observed=True).size()
        used = r[["competency", "exercise"]].drop_duplicates().shape[0]
        n_cand = r["candidate"].nunique()
        row = {
            "agency": str(ag),
            "candidates": int(n_cand),
            "assessors": int(r["assessor"].nunique()),
            "exercises": int(r["exercise"].nunique()),
            "competencies": int(r["competency"].nunique()),
            "ratings": int(len(r)),
            "completeness": float(len(cells) / (n_cand * used)) if n_cand and used else float("nan"),
            "assessors_per_cell": float(cells.mean()) if len(cells) else float("nan"),
        }
        if candidates is not None:
            c = candidates[candidates["agency"] == ag]
            if "performance" in c:
                row["with_performance"] = int(c["performance"].notna().sum())
        rows.append(row)
    return pd.DataFrame(rows).set_index("agency")


#: Names of the independent (pre-consensus) rating round, compared after lower-casing and turning spaces and
#: hyphens into underscores.
INDEPENDENT_ROUND_NAMES = ("pre", "pre_consensus", "independent", "independen", "mandiri", "awal", "pra",
                           "pra_konsensus", "sebelum_konsensus", "individual", "individu", "1", "i")
#: Names of consensus (post-discussion) rounds.  Consensus ratings are never used for agreement.
CONSENSUS_ROUND_NAMES = ("post", "post_consensus", "consensus", "konsensus", "akhir", "final", "pasca",
                         "pasca_konsensus", "setelah_konsensus", "integrasi", "2", "ii")


def _round_key(name) -> str:
    return re.sub(r"[\s\-./]+", "_", str(name).strip().lower())


def independent_round(rounds, rating_round=None) -> str:
    """The rating round whose ratings are independent (before the assessors' consensus discussion).

    Parameters
    ----------
    rounds : iterable
        The values of the ``round`` column (any order, repeats allowed).
    rating_round : str, optional
        The round asked for; it must be one of ``rounds``.

    Returns
    -------
    str
        ``rating_round`` if given; else the round named as an independent
        round (:data:`INDEPENDENT_ROUND_NAMES`, e.g. ``pre``, ``independen``,
        ``awal``, ``sebelum konsensus``); else the only round that is not a
        consensus round (:data:`CONSENSUS_ROUND_NAMES`).  The order of the rows
        never matters.

    Raises
    ------
    ValueError
        When ``rating_round`` is not among ``rounds``, or when the names do not
        tell which round is independent (say which with ``rating_round``).

    Examples
    --------
    >>> from psikometri.io import independent_round
    >>> independent_round(["konsensus", "konsensus", "Sebelum Konsensus"])
    'Sebelum Konsensus'
    >>> independent_round(["post", "pre"], rating_round="post")
    'post'
    """
    names = sorted({str(r) for r in rounds})
    if not names:
        raise ValueError("rounds is empty: the data have no rating round.")
    if rating_round is not None:
        if str(rating_round) not in names:
            raise ValueError(f"rating_round={rating_round!r} is not in the data; the rounds are {names}. "
                             "Pass one of them.")
        return str(rating_round)
    if len(names) == 1:
        return names[0]
    indep = [n for n in names if _round_key(n) in INDEPENDENT_ROUND_NAMES]
    if len(indep) == 1:
        return indep[0]
    not_consensus = [n for n in names if _round_key(n) not in CONSENSUS_ROUND_NAMES]
    if not indep and len(not_consensus) == 1:
        return not_consensus[0]
    raise ValueError(
        f"cannot tell which rating round holds the independent (pre-consensus) ratings: the rounds are {names}. "
        f"Pass rating_round= (e.g. rating_round={names[0]!r}) or name the rounds 'pre' and 'post' "
        "(or 'sebelum konsensus' and 'konsensus')."
    )
