"""Loading and validating assessment-centre data.

A data set is either a directory holding ``ratings.*``, ``candidates.*`` and
optionally ``items.*`` (``.csv``, ``.xlsx`` or ``.parquet``), or one Excel
workbook with sheets named ``ratings``, ``candidates`` and optionally ``items``,
or an agency workbook (the "wide" layout): per-exercise rating sheets and/or a
recap (rekap) sheet beside a candidates sheet, read into the same long tables
(see :func:`load_assessment` and :func:`parse_level`).

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
and files saved as Windows-1252 rather than UTF-8, load as they are.  The decode
rule for CSV files is explicit: a file is read as UTF-8 when it is valid UTF-8
(with or without a byte-order mark), as UTF-16 when it starts with a UTF-16
byte-order mark, and as Windows-1252 when it holds no UTF-8 character at all; a
file that mixes UTF-8 characters with bytes that are not UTF-8 is an error that
names the byte, its offset and its line.  Ids (NIP...) are read as text, so that
no digit is lost; ids written in scientific notation are errors.

The numeric candidate columns are checked against plausibility ranges
(:data:`DEFAULT_RANGES`, changed with ``load_assessment(..., ranges=...)``), and
``inf`` is never accepted.

Validation is strict: every problem found is collected and raised together as a
:class:`DataValidationError` whose lines name the file, the row number(s) as seen
in a spreadsheet (header = row 1), the column and the fix.  Input files are never
modified.  Softer findings (an assessor who rated one candidate only...) are
returned as warnings and emitted as :class:`DataWarning`.
"""

from __future__ import annotations

import bisect
import csv
import errno
import html
import io as _io
import os
import re
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "COLUMN_ALIASES",
    "DEFAULT_RANGES",
    "AssessmentData",
    "DataValidationError",
    "DataWarning",
    "Problem",
    "load_assessment",
    "parse_level",
    "LAYOUTS",
    "CANDIDATE_SHEET_NAMES",
    "RECAP_SHEET_NAMES",
    "TOTAL_ROW_WORDS",
    "RECAP_ALIASES",
    "RECAP_EXERCISE",
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
    "occasion": ("occasion", "periode", "siklus", "tahun_asesmen", "gelombang", "periode_asesmen", "wave"),
    "assessment_date": ("assessment_date", "tanggal_asesmen", "tgl_asesmen", "tanggal_penilaian", "date"),
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
    "ratings": ("round", "occasion", "assessment_date"),
    "candidates": ("occasion", "name", "cognitive", "performance", "promoted", "selected", "potential"),
    "items": (),
}
_NUMERIC_CANDIDATE_COLS = ("birth_year", "cognitive", "performance", "potential")
#: Plausible (min, max) of the numeric candidate columns; a value outside is an error (change them with
#: ``load_assessment(..., ranges=...)``, where None disables a check).
#:
#: * ``performance`` 0-120: performance ratings on the SKP scale (0-100, with room above 100 for scores
#:   that exceed the target);
#: * ``cognitive`` 0-800: psychological test scores are non-negative; 800 covers sum scores of tests up to
#:   160 five-point items, IQ-type standard scores, percentiles, T scores and the TPA scale (200-800);
#: * ``potential`` 0-120: potential indices and JPM percentages (0-100, capped JPM at most 100), with the
#:   same room as performance.
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "performance": (0.0, 120.0),
    "cognitive": (0.0, 800.0),
    "potential": (0.0, 120.0),
}
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


def _has_unused_categories(col: pd.Series) -> bool:
    """Whether a categorical column has a category that no value uses (else ``remove_unused_categories`` would
    return the column as it is)."""
    n = len(col.cat.categories)
    used = np.zeros(n + 1, dtype=bool)
    used[col.cat.codes.to_numpy()] = True  # a missing value (code -1) marks the extra last slot
    return not used[:n].all()


@dataclass(frozen=True)
class AssessmentData:
    """Validated assessment data returned by :func:`load_assessment`.

    Attributes
    ----------
    ratings, candidates : DataFrame
        Canonical column names; ids (agency, candidate, competency, exercise,
        assessor, round, occasion, position_level, gender) are categoricals;
        ``score`` is float; ``assessment_date`` (when given) is a datetime.
        ``occasion`` (assessment cycle: periode, siklus, tahun asesmen,
        gelombang) is an ordered categorical, earliest occasion first; the same
        candidate id links a person across occasions.
    items : DataFrame or None
        ``candidate`` plus numeric item columns.
    warnings : tuple of str
        Non-fatal findings.
    source : str
        Where the data came from.
    scale : (float, float)
        The rating scale.
    column_map : dict
        Table -> {header as written: canonical column}; for a wide workbook
        ``column_map["ratings"]`` also holds competency header -> competency id.
    recap : DataFrame or None
        The recap sheet of a wide workbook (``candidate``, ``agency`` when
        given, one column per competency holding the final level, ``jpm`` and
        ``category`` when given), one row per candidate; None otherwise.  When
        the workbook also has per-exercise sheets, the ratings come from them
        and the recap is kept here only, so that no analysis mixes final
        levels with assessors' ratings.
    reading : dict
        How the data were read: ``layout`` (``"long"`` or ``"wide"``),
        ``ratings_from``, and per sheet (or file) its role, header row,
        skipped rows and each column's header and reading.  Shown as a table
        by :meth:`describe_reading`.
    """

    ratings: pd.DataFrame
    candidates: pd.DataFrame
    items: pd.DataFrame | None = None
    warnings: tuple[str, ...] = ()
    source: str = ""
    scale: tuple[float, float] = (1.0, 5.0)
    column_map: dict = field(default_factory=dict, compare=False)
    recap: pd.DataFrame | None = field(default=None, compare=False)
    reading: dict = field(default_factory=dict, compare=False)

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
                if isinstance(df[col].dtype, pd.CategoricalDtype) and _has_unused_categories(df[col]):
                    df[col] = df[col].cat.remove_unused_categories()
        it = None
        if self.items is not None:
            it = self.items[self.items["candidate"].isin(c["candidate"])].copy()
            if _has_unused_categories(it["candidate"]):
                it["candidate"] = it["candidate"].cat.remove_unused_categories()
        return AssessmentData(r, c, it, self.warnings, f"{self.source} [{agency}]", self.scale, self.column_map,
                              self._recap_of(c), self.reading)

    def _recap_of(self, candidates: pd.DataFrame) -> pd.DataFrame | None:
        """The recap rows of the given candidates (and of their occasions, when the recap has them)."""
        if self.recap is None:
            return None
        rc = self.recap[self.recap["candidate"].isin(set(candidates["candidate"]))]
        if "occasion" in rc.columns and "occasion" in candidates.columns:
            rc = rc[rc["occasion"].astype("string").isin(set(candidates["occasion"].astype("string")))]
        rc = rc.reset_index(drop=True)
        rc["candidate"] = rc["candidate"].cat.remove_unused_categories()
        return rc

    @property
    def occasions(self) -> list[str]:
        """Assessment occasions (cycles) in time order; ``[]`` when the data have no ``occasion`` column."""
        if "occasion" not in self.ratings.columns:
            return []
        return [str(o) for o in self.ratings["occasion"].cat.categories
                if (self.ratings["occasion"] == o).any()]

    def occasion_dates(self) -> pd.Series:
        """Date of each occasion: its earliest ``assessment_date``, else 1 January of a year label ("2021").

        NaT for an occasion with neither; empty without occasions.
        """
        occ = self.occasions
        out = pd.Series(pd.NaT, index=pd.Index(occ, name="occasion"), dtype="datetime64[ns]", name="date")
        r = self.ratings
        if "assessment_date" in r.columns and occ:
            first = r.groupby(r["occasion"].astype(str))["assessment_date"].min()
            out.update(first.reindex(occ))
        for o in occ:
            if pd.isna(out[o]) and re.fullmatch(r"(19|20)\d\d", o.strip()):
                out[o] = pd.Timestamp(int(o.strip()), 1, 1)
        return out

    def expired_occasions(self, years: float = 3.0) -> list[str]:
        """Occasions dated more than ``years`` before the latest one (AC results count for three years:
        Peraturan BKN 26/2019, art. 29(4)); occasions without a date are never listed."""
        dates = self.occasion_dates()
        if dates.empty or pd.isna(dates.iloc[-1]):
            return []
        limit = dates.iloc[-1] - pd.DateOffset(months=int(round(12 * years)))
        return [o for o, d in dates.items() if pd.notna(d) and d < limit]

    def for_occasion(self, occasion) -> AssessmentData:
        """The ratings of one occasion and the candidates rated in it (or listed for it).

        Raises
        ------
        ValueError
            When the data have no ``occasion`` column or ``occasion`` is not one of :attr:`occasions`.
        """
        occ = self.occasions
        if not occ:
            raise ValueError("for_occasion needs an 'occasion' column in the ratings (periode, siklus, tahun asesmen, "
                             "gelombang); this data has one occasion only. Use the data as they are.")
        if str(occasion) not in occ:
            raise ValueError(f"occasion={occasion!r} is not in the data; the occasions are {occ}.")
        r = self.ratings[self.ratings["occasion"].astype(str) == str(occasion)].copy()
        if "occasion" in self.candidates.columns:
            c = self.candidates[self.candidates["occasion"].astype("string") == str(occasion)].copy()
        else:
            c = self.candidates[self.candidates["candidate"].isin(set(r["candidate"]))].copy()
        for df in (r, c):
            for col in df.columns:
                if isinstance(df[col].dtype, pd.CategoricalDtype) and col != "occasion":
                    df[col] = df[col].cat.remove_unused_categories()
        it = None
        if self.items is not None:
            it = self.items[self.items["candidate"].isin(set(c["candidate"]))].copy()
            it["candidate"] = it["candidate"].cat.remove_unused_categories()
        return AssessmentData(r.reset_index(drop=True), c.reset_index(drop=True), it, self.warnings,
                              f"{self.source} [{occasion}]", self.scale, self.column_map, self._recap_of(c),
                              self.reading)

    def _one_round_ratings(self, rating_round, what: str) -> pd.DataFrame:
        """The ratings of one occasion and one rating round (the independent round unless another is asked)."""
        occ = self.occasions
        if len(occ) > 1:
            raise ValueError(
                f"the data hold {len(occ)} occasions {occ}; a re-assessed candidate has one {what} per occasion. "
                f"Take one occasion first, e.g. data.for_occasion({occ[-1]!r}).{what}()."
            )
        r = self.ratings
        if "round" in r.columns:
            rnd = independent_round(r["round"].astype(str), rating_round)
            r = r[r["round"].astype(str) == rnd].drop(columns="round")
        elif rating_round is not None:
            raise ValueError(f"rating_round={rating_round!r} was given, but the ratings have no 'round' column (one "
                             "round only). Leave rating_round out.")
        return r

    def overall_rating(self, *, rating_round=None, **kwargs) -> pd.Series:
        """Overall assessment rating of each candidate: :func:`psikometri.talent.overall_rating` on the ratings.

        Parameters
        ----------
        rating_round : str, optional
            With pre/post-consensus rounds (a ``round`` column), the round to
            use; default the independent (pre-consensus) round
            (:func:`independent_round`), as in the validation report.
        **kwargs
            ``weights=`` and ``by=`` of :func:`~psikometri.talent.overall_rating`.

        Returns
        -------
        Series
            ``"oar"`` per candidate id (mean of the candidate's ratings by
            default), sorted by id.

        Raises
        ------
        ValueError
            When the data hold several occasions (take one with
            :meth:`for_occasion`) or ``rating_round`` is not a round of the data.
        """
        from .talent import overall_rating

        return overall_rating(self._one_round_ratings(rating_round, "overall_rating"), **kwargs)

    def achieved_levels(self, *, rating_round=None, rounding="half_up") -> pd.DataFrame:
        """Achieved level per candidate and competency: :func:`psikometri.talent.achieved_levels` on the ratings.

        The mean rating of the candidate on the competency, rounded half up
        (``rounding=``), on the data's rating scale (:attr:`scale`).
        ``rating_round`` as in :meth:`overall_rating`; several occasions are
        an error (take one with :meth:`for_occasion`).

        Returns
        -------
        DataFrame
            Candidates (sorted ids) x competencies, the input of
            :func:`psikometri.talent.job_person_match`.
        """
        from .talent import achieved_levels

        return achieved_levels(self._one_round_ratings(rating_round, "achieved_levels"), rounding=rounding,
                               scale=self.scale)

    def summary(self) -> pd.DataFrame:
        """Per-agency design summary (see :func:`design_summary`)."""
        return design_summary(self.ratings, self.candidates)

    def describe_reading(self) -> pd.DataFrame:
        """How the data were read, one row per column of every sheet (or file) read.

        Columns: ``sheet``, ``role`` (``exercise``, ``recap``, ``candidates``,
        ``items``, ``ratings`` or ``not read``), ``exercise``, ``header_row``,
        ``column`` (spreadsheet letter), ``header`` (as written), ``read_as``
        (canonical column, ``competency <id>`` or ``not read``) and ``hidden``.
        A sheet that was not read has one row saying why; ``attrs`` hold the
        ``layout`` and where the ratings come from.
        """
        rows = []
        for sh in self.reading.get("sheets", []):
            base = {"sheet": sh["sheet"], "role": sh.get("role") or "", "exercise": sh.get("exercise") or "",
                    "header_row": sh.get("header_row")}
            cols = sh.get("columns") or []
            if not cols:
                rows.append({**base, "column": "", "header": "", "read_as": sh.get("reason", ""), "hidden": False})
            for c in cols:
                rows.append({**base, "column": c["column"] or "", "header": c["header"], "read_as": c["read_as"],
                             "hidden": bool(c["hidden"])})
        out = pd.DataFrame(rows, columns=["sheet", "role", "exercise", "header_row", "column", "header", "read_as",
                                          "hidden"])
        out["header_row"] = out["header_row"].astype("Int64")
        out.attrs.update({"layout": self.reading.get("layout", ""),
                          "ratings_from": self.reading.get("ratings_from", "")})
        return out

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


def _col_letter(i: int) -> str:
    """Spreadsheet column letter of the 0-based position ``i`` (0 -> A, 26 -> AA)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _letters(positions) -> str:
    names = [_col_letter(i) for i in positions]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _duplicate_headers(names, fname: str, problems: list[Problem]) -> bool:
    """Report header texts that occur more than once (blank headers of empty columns excepted)."""
    where: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        if isinstance(n, str) and n.strip() and not n.startswith("Unnamed: "):
            where.setdefault(n.strip(), []).append(i)
        elif not isinstance(n, str) and not pd.isna(n):
            where.setdefault(str(n), []).append(i)
    found = False
    for n, pos in where.items():
        if len(pos) > 1:
            found = True
            problems.append(Problem(fname, f"columns {_letters(pos)} are {'both' if len(pos) == 2 else 'all'} headed "
                                    f"{n!r} (only one of them would be used)", "delete the extra column, or give "
                                    "each column its own header", column=n))
    return found


# UTF-8 multi-byte characters (2, 3 and 4 bytes, no overlong forms); their presence in a file that is not valid
# UTF-8 means that two encodings are mixed
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


# one token of a byte string: a run of ASCII, one well-formed UTF-8 character, or (group 1) any other byte
_UTF8_TOKEN = re.compile(
    rb"[\x00-\x7f]+|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}|(.)", re.DOTALL)


def _invalid_utf8(raw: bytes) -> list[int]:
    """Offsets of the bytes of ``raw`` that are not part of a well-formed UTF-8 character (one pass)."""
    return [m.start(1) for m in _UTF8_TOKEN.finditer(raw) if m.start(1) >= 0]


def _mixed_encoding(raw: bytes, start: int, fname: str, problems: list[Problem]) -> None:
    """Name the bytes of a UTF-8 file that are not UTF-8: offset, line (= spreadsheet row) and column."""
    bad = _invalid_utf8(raw)
    first_line = raw[start:].split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=counts.get)
    header = next(csv.reader([first_line], delimiter=delim, skipinitialspace=True), []) if counts[delim] else [
        first_line]
    newlines = [m.start() for m in re.finditer(b"\n", raw)]
    by_col: dict[str | None, list[tuple[int, int, int]]] = {}
    for off in bad:
        line = bisect.bisect_left(newlines, off) + 1
        line_start = newlines[line - 2] + 1 if line > 1 else 0
        field = raw[max(line_start, start):off].decode("utf-8", "replace").count(delim) if counts[delim] else 0
        col = header[field].strip() if field < len(header) and header[field].strip() else None
        by_col.setdefault(col, []).append((off, line, raw[off]))
    for col, hits in by_col.items():
        off, line, byte = hits[0]
        try:
            shown = f" (it reads {bytes([byte]).decode('cp1252')!r} in Windows-1252)"
        except UnicodeDecodeError:
            shown = ""
        more = f"; {len(hits)} such bytes in this column" if len(hits) > 1 else ""
        problems.append(Problem(
            fname, f"the file mixes encodings: it holds UTF-8 text, but byte 0x{byte:02X} at offset {off} "
            f"(line {line}) is not UTF-8{shown}{more}, so names would be garbled",
            "save the file as UTF-8 ('CSV UTF-8' in Excel's Save As) after checking the names of these rows",
            column=col, rows=tuple(sorted({h[1] for h in hits}))))


def _decode(raw: bytes, fname: str, problems: list[Problem]) -> tuple[str | None, str | None]:
    """Text of a CSV file and the encoding used if not UTF-8; (None, None) after a problem."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel "Unicode Text" exports
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            problems.append(Problem(fname, f"the file starts as UTF-16 but byte offset {exc.start} is not UTF-16",
                                    "save the file again as UTF-8 ('CSV UTF-8' in Excel)"))
            return None, None
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if start or _UTF8_CHAR.search(raw):
        _mixed_encoding(raw, start, fname, problems)
        return None, None
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _show(v) -> str:
    """A cell value for a message: text quoted, numbers plain (never ``np.float64(inf)``)."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return f"{float(v):g}"
    return repr(v)


def _empty_file(fname: str) -> Problem:
    return Problem(fname, "the file is empty", "export the table again with its header row")


def _read_csv(path: Path, problems: list[Problem], notes: list[str]) -> pd.DataFrame | None:
    raw = path.read_bytes()
    if not raw.strip():
        problems.append(_empty_file(path.name))
        return None
    text, enc = _decode(raw, path.name, problems)
    if text is None:
        return None
    if not text.replace("\ufeff", "").strip():  # a byte-order mark and line ends only
        problems.append(_empty_file(path.name))
        return None
    if enc:
        notes.append(f"{path.name}: read as {enc} (not UTF-8); consider saving as 'CSV UTF-8'")
    sample = text[:20000]
    lines = [ln for ln in sample.splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=counts.get)
    if counts[delim] == 0:
        try:
            delim = csv.Sniffer().sniff(sample).delimiter
        except csv.Error:
            delim = ","
        if delim not in counts:
            delim = ","
    try:
        df = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        problems.append(_empty_file(path.name))
        return None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        rows = (int(m.group(1)),) if m else ()
        problems.append(
            Problem(path.name, f"the file is not a regular table ({str(exc).strip()})",
                    "check that every row has as many fields as the header (quote text containing the separator)",
                    rows=rows)
        )
        return None
    # pandas renames a repeated header ("score" -> "score.1") and the analysis would silently use the first
    # column: take the headers as written and report repeats
    header = next((row for row in csv.reader(_io.StringIO(text), delimiter=delim, skipinitialspace=True) if row),
                  [])
    if len(header) == len(df.columns):
        df.columns = [h if h.strip() else old for h, old in zip(header, df.columns)]
        if _duplicate_headers(list(df.columns), path.name, problems):
            return None
    blank_rows = (df.apply(lambda col: col.str.strip()) == "").all(axis=1)
    if blank_rows.any():  # formatted-but-empty rows at the end of Excel exports (";;;;;")
        notes.append(f"{path.name}: {int(blank_rows.sum())} completely empty row(s) ignored")
        df = df[~blank_rows]
    df.attrs["decimal_comma"] = delim != ","
    return df


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of an .xlsx holds a formula (a quick look at the XML, without parsing it)."""
    try:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with z.open(name) as f:
                    tail = b""
                    while chunk := f.read(1 << 20):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile):
        return True  # let openpyxl decide
    return False


def _formulas_without_values(path: Path, sheet, df: pd.DataFrame, fname: str, problems: list[Problem]) -> bool:
    """Report empty cells of ``df`` that hold a formula whose computed value was never saved.

    pandas reads a workbook's saved values; a workbook written by a program that does not compute formulas
    (a script, some converters) has none, and the cells would read as empty.
    """
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        return False
    empty = {(i + 2, j + 1) for i, j in zip(*np.nonzero(df.isna().to_numpy()))}
    if not empty or not _has_formulas(path):
        return False
    hits: dict[int, list[tuple[int, str]]] = {}
    books = []
    try:
        books = [openpyxl.load_workbook(path, read_only=True, data_only=d) for d in (False, True)]
        sheets = [b.worksheets[sheet] if isinstance(sheet, int) else b[sheet] for b in books]
        for r, (frow, vrow) in enumerate(zip(sheets[0].iter_rows(min_row=1, min_col=1, values_only=True),
                                             sheets[1].iter_rows(min_row=1, min_col=1, values_only=True)), 1):
            for c, (f, v) in enumerate(zip(frow, vrow), 1):
                text = getattr(f, "text", f)  # array formulas
                if v is None and isinstance(text, str) and text.startswith("=") and (r, c) in empty:
                    hits.setdefault(c, []).append((r, text))
    except Exception:  # the values were read; a failure here only loses the finer diagnosis
        return False
    finally:
        for b in books:
            b.close()
    for c, cells in sorted(hits.items()):
        col = df.columns[c - 1] if c - 1 < len(df.columns) else _col_letter(c - 1)
        problems.append(Problem(fname, f"{len(cells)} cell(s) hold formulas without saved values (e.g. "
                                f"{cells[0][1]!r} in cell {_col_letter(c - 1)}{cells[0][0]}), so they read as "
                                "empty", "open and save the workbook in Excel or LibreOffice (which stores the "
                                "computed values), or paste the cells as values", column=str(col),
                                rows=tuple(r for r, _ in cells)))
    return bool(hits)


def _read_excel(path: Path, sheet, problems: list[Problem]) -> pd.DataFrame | None:
    fname = path.name if isinstance(sheet, int) else f"{path.name}[{sheet}]"
    if not zipfile.is_zipfile(path):
        problems.append(Problem(path.name, "the file is not an Excel workbook (an .xlsx file is a zip archive and "
                                "this one is not: it is damaged, or a file of another kind renamed to .xlsx)",
                                "open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or "
                                "export the table as CSV"))
        return None
    try:
        # header=None: pandas would rename a repeated header ("score" -> "score.1")
        df = pd.read_excel(path, sheet_name=sheet, dtype=object, header=None)
    except ValueError as exc:
        problems.append(Problem(path.name, f"cannot read sheet {sheet!r} ({exc})", "check the sheet name"))
        return None
    except Exception as exc:  # zip/xml errors from a damaged workbook
        problems.append(Problem(path.name, f"cannot open the workbook ({type(exc).__name__}: {exc})",
                                "save the file again from Excel as .xlsx"))
        return None
    if df.empty:
        return pd.DataFrame()
    header = [h if not (pd.isna(h) or str(h).strip() == "") else f"Unnamed: {j}" for j, h in enumerate(df.iloc[0])]
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = header
    if _duplicate_headers(header, fname, problems):
        return None
    if _formulas_without_values(path, sheet, df, fname, problems):
        return None
    return df


def read_table(path, *, sheet=None) -> pd.DataFrame:
    """Read one table (CSV, XLSX or Parquet) as text columns, without validation.

    CSV separators (``,``, ``;``, tab, ``|``) and encodings (UTF-8, Windows-1252)
    are detected.  Raises :class:`DataValidationError` if the file cannot be read.
    """
    problems: list[Problem] = []
    path = Path(path)
    link = _link_problem(path)
    if link is not None:
        raise DataValidationError([link])
    df = _read_any(path, sheet, problems, [])
    if problems:
        raise DataValidationError(problems)
    return df


def _read_any(path: Path, sheet, problems: list[Problem], notes: list[str]) -> pd.DataFrame | None:
    try:
        return _read_file(path, sheet, problems, notes)
    except OSError as exc:  # permissions, a file locked by another program, a vanished network share...
        problems.append(Problem(path.name, f"cannot read the file ({exc.strerror or exc})", "check that the file "
                                "exists, that you may read it, and that no other program holds it open"))
        return None


def _read_file(path: Path, sheet, problems: list[Problem], notes: list[str]) -> pd.DataFrame | None:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path, problems, notes)
    if suffix in (".xlsx", ".xlsm"):
        if path.stat().st_size == 0:
            problems.append(_empty_file(path.name))
            return None
        return _read_excel(path, sheet if sheet is not None else 0, problems)
    if suffix == ".parquet":
        if path.stat().st_size == 0:
            problems.append(_empty_file(path.name))
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
    positions: dict[str, list[int]] = {}
    user_targets = set(user_norm.values())
    for pos, col in enumerate(df.columns):
        n = _norm_header(col)
        canon = user_norm.get(n)
        if canon is None:
            canon = alias_lookup.get(n)
            if canon in user_targets:  # the user chose another column for this name: ignore the alias
                canon = None
        if canon and (canon in known or table == "items" and canon == "candidate"):
            mapping[col] = canon
            sources.setdefault(canon, []).append(str(col))
            positions.setdefault(canon, []).append(pos)
    for canon, cols in sources.items():
        if len(cols) > 1:
            problems.append(Problem(fname, f"columns {cols} all mean {canon!r} (spreadsheet columns "
                                    f"{_letters(positions[canon])})", f"keep one of them, or pass "
                                    f"columns={{{cols[0]!r}: {canon!r}}} and rename the others", column=cols[1]))
    out = df.rename(columns=mapping) if any(k != v for k, v in mapping.items()) else df
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


def _distinct(s: pd.Series):
    """``(codes, u)`` for a categorical or text column, else None: ``u`` holds each distinct value of ``s`` once
    (and one missing value, last, when ``s`` has any), and ``u.iloc[codes]`` holds the values of ``s``.

    ``u`` has the dtype of ``s``, except that the categories of a categorical column of text come as text (their
    own dtype). Work that goes value by value on the values alone (stripping, matching, mapping, parsing) is done
    on ``u`` and spread back with the codes (:func:`_per_value`), so that a column of 5,000 ratings holding 50
    assessor ids costs 50 values.  Object columns are not taken apart: pandas' hashing makes 1, 1.0 and True one
    key (and None and NaN another) while their texts differ; numbers are not either (0.0 and -0.0 are one key).
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        cats = s.dtype.categories
        n = len(cats)
        missing = bool((codes < 0).any())
        if isinstance(cats.dtype, pd.StringDtype):
            u = pd.Series(cats.insert(n, cats.dtype.na_value) if missing else cats, name=s.name, copy=False)
        else:
            ucodes = np.append(np.arange(n), -1) if missing else np.arange(n)
            u = pd.Series(pd.Categorical.from_codes(ucodes, dtype=s.dtype), name=s.name)
    elif isinstance(s.dtype, pd.StringDtype):
        codes, uniq = pd.factorize(s)
        n = len(uniq)
        missing = bool((codes < 0).any())
        u = pd.Series(uniq.insert(n, s.dtype.na_value) if missing else uniq, name=s.name, copy=False)
    else:
        return None
    codes = codes.astype(np.intp, copy=False)
    if missing:
        codes = np.where(codes < 0, n, codes)
    return codes, u


def _per_value(s: pd.Series, fn):
    """``fn(s)`` for a function ``fn`` that works value by value on the values alone (its result, or each Series or
    array of the tuple it returns, holds one value per value of ``s``), computed once per distinct value where
    :func:`_distinct` allows it: the values and dtype of ``fn(s)``, on the index of ``s`` (arrays as Series)."""
    d = _distinct(s)
    if d is None:
        out = fn(s)
        if isinstance(out, tuple):
            return tuple(r if isinstance(r, pd.Series) else pd.Series(r, index=s.index) for r in out)
        return out if isinstance(out, pd.Series) else pd.Series(out, index=s.index)
    codes, u = d
    out = fn(u)

    def spread(r):
        if isinstance(r, pd.Series):
            return pd.Series(r.array.take(codes), index=s.index, name=r.name, copy=False)
        return pd.Series(r[codes], index=s.index, copy=False)

    return tuple(map(spread, out)) if isinstance(out, tuple) else spread(out)


def _number_like(dtype) -> bool:
    """Whether every value of a column of this dtype is a number, a date or missing (its text is never blank)."""
    return not isinstance(dtype, pd.CategoricalDtype) and (
        pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype))


def _parse_numbers(s: pd.Series, decimal_comma: bool) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    return _per_value(s, _parse_number_texts)


def _parse_number_texts(s: pd.Series) -> pd.Series:
    txt = s.astype("string").str.strip()
    # "3,5" is a decimal comma: in a comma-separated file such a field must have been quoted on purpose, and in
    # Excel it is a number typed as text on an Indonesian-locale machine
    txt = txt.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    txt = txt.mask(txt == "", pd.NA)
    return pd.to_numeric(txt, errors="coerce").astype(float)


def _numbers(raw: pd.Series, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    """The values of a column as floats (:func:`_parse_numbers`: NaN when missing or not a number) and the mask of
    the values that are not numbers (neither blank nor readable as a number)."""
    if raw.dtype == np.float64:  # the values themselves; NaN is missing, every other value is a number
        return raw.to_numpy(copy=True), np.zeros(len(raw), dtype=bool)
    num = _parse_numbers(raw, decimal_comma).to_numpy(dtype=float)
    return num, np.isnan(num) & ~_blank(raw).to_numpy(dtype=bool)


def _mask_rows(s: pd.Series, mask: np.ndarray) -> tuple[int, ...]:
    """:func:`_excel_rows` of a boolean array over the rows of ``s`` (row labels, as for a mask Series)."""
    return _excel_rows(pd.Series(mask, index=s.index))


def _blank(s: pd.Series) -> pd.Series:
    """Missing or whitespace-only values."""
    if _number_like(s.dtype):
        return s.isna()
    return _per_value(s, _blank_values)


def _blank_values(s: pd.Series) -> pd.Series:
    """``s.isna() | (s.astype("string").str.strip() == "")`` (a boolean Series).

    pandas strips only the texts that start with a character other than a letter or a digit: a text that starts
    with one is never blank (no letter or digit is whitespace), and the empty text always is.
    """
    t = s.astype("string")
    vals = t.to_numpy(dtype=object, na_value=None)
    out = np.fromiter((v is None or v == "" for v in vals), dtype=bool, count=len(vals))
    unsure = np.fromiter((v is not None and v != "" and not v[0].isalnum() for v in vals), dtype=bool,
                         count=len(vals))
    if unsure.any():
        out[unsure] = (t[unsure].str.strip() == "").to_numpy(dtype=bool)
    return pd.Series(out, index=s.index, copy=False)


def _isin(s: pd.Series, values: set) -> pd.Series:
    """``s.isin(values)`` (a boolean Series); for a text column and texts, by Python's string equality on the
    distinct values (pandas' Arrow ``isin`` costs half a millisecond whatever the size)."""
    if not (isinstance(s.dtype, pd.StringDtype) and all(isinstance(v, str) for v in values)):
        return s.isin(values)

    def member(x):
        return np.fromiter((v in values for v in x.to_numpy(dtype=object, na_value=None)), dtype=bool,
                           count=len(x))

    return _per_value(s, member)


def _value_set(s: pd.Series) -> set:
    """``set(s)``, from the distinct values of a categorical or text column (iterating 5,000 Arrow strings one by
    one costs milliseconds)."""
    if isinstance(s.dtype, (pd.CategoricalDtype, pd.StringDtype)):
        return set(s.unique())
    return set(s)


def _categorical(values: pd.Series, categories=None, ordered: bool = False, dropna: bool = False) -> pd.Categorical:
    """``pd.Categorical(values, categories=categories, ordered=ordered)``, each distinct value looked up once;
    ``categories=None`` stands for ``sorted(set(values))`` (``sorted(set(values.dropna()))`` with ``dropna``)."""
    d = _distinct(values)
    if d is None:
        if categories is None:
            categories = sorted(set(values.dropna() if dropna else values))
        return pd.Categorical(values, categories=categories, ordered=ordered)
    codes, u = d
    if categories is None:
        categories = sorted(set((u.dropna() if dropna else u).tolist()))
    dtype = pd.CategoricalDtype(categories, ordered=ordered)
    # pd.Categorical's own lookup (Categorical._get_codes_for_values), on the distinct values
    ucodes = dtype.categories.get_indexer_for(u)
    if ((ucodes < 0) & u.notna().to_numpy()).any():  # values outside the categories: pandas' own way (and warning)
        return pd.Categorical(values, categories=categories, ordered=ordered)
    return pd.Categorical.from_codes(ucodes[codes], dtype=dtype, validate=False)


_SCIENTIFIC = r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+"
_ID_AS_TEXT_FIX = ("format the id column as Text in Excel, enter the full ids again (the lost digits cannot be "
                   "recovered from this file) and export again")


_SCIENTIFIC_RE = re.compile(_SCIENTIFIC)


def _id_texts(s: pd.Series):
    """An id column as stripped text (a "string" Series), and two boolean arrays: its blank values and its values
    in scientific notation.

    Once stripped, a value is blank when it is missing or ``""``.  The notation is matched with Python's ``re``:
    the pattern reads the same there and in RE2 (pandas' engine for Arrow strings, which hands text that is not
    ASCII to ``re``), so this is ``s.str.fullmatch(_SCIENTIFIC)`` without pandas' cost per call.
    """
    s = s.astype("string").str.strip()
    vals = s.to_numpy(dtype=object, na_value=None)
    blank = np.fromiter((v is None or v == "" for v in vals), dtype=bool, count=len(vals))
    sci = np.fromiter((v is not None and _SCIENTIFIC_RE.fullmatch(v) is not None for v in vals), dtype=bool,
                      count=len(vals))
    return s, blank, sci


def _clean_ids(df: pd.DataFrame, cols, fname: str, problems: list[Problem]) -> None:
    for c in cols:
        if c not in df.columns:
            continue
        s = df[c]
        lost = None
        if pd.api.types.is_float_dtype(s) or s.dtype == object:
            is_num = s.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
            if pd.api.types.is_float_dtype(s) or is_num.any():
                # ids read as numbers from Excel (always doubles) or float columns: a double holds 15-16 digits
                # only, so an 18-digit NIP has already lost its last digits
                lost = is_num & s.map(lambda v: abs(float(v)) >= 2**53 if isinstance(v, (int, float, np.number))
                                      and not isinstance(v, bool) else False)
                if lost.any():
                    problems.append(Problem(fname, f"{int(lost.sum())} id(s) stored as numbers are too long to be "
                                            "exact (an 18-digit NIP loses its last digits as a number)", "format the "
                                            "column as Text in Excel (or write the ids as text) and export again",
                                            column=c, rows=_excel_rows(lost)))
                s = s.map(lambda v: "" if pd.isna(v) else (str(int(v)) if isinstance(v, (float, np.floating))
                                                             and float(v).is_integer() else str(v)))
        # text and categorical ids (Parquet, CSV): the work is done once per distinct id
        s, bad, sci = _per_value(s, _id_texts)
        if bad.any():
            problems.append(Problem(fname, f"{int(bad.sum())} empty value(s) in the id column", "fill in the id "
                                    "or delete the incomplete rows", column=c, rows=_excel_rows(bad)))
        if lost is not None:
            sci = sci & ~lost.astype(bool)
        if sci.any():
            problems.append(Problem(fname, f"{int(sci.sum())} id(s) written in scientific notation (e.g. "
                                    f"{s[sci].iloc[0]!r}): their last digits are lost, and different NIPs become "
                                    "the same id", _ID_AS_TEXT_FIX, column=c, rows=_excel_rows(sci)))
        df[c] = s


def _validate_dates(df, fname, problems):
    """Parse ``assessment_date`` (ISO dates, or day-first as typed in Indonesia: 31/12/2024, 31-12-2024)."""
    if "assessment_date" not in df.columns:
        return
    raw = df["assessment_date"]
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        df["assessment_date"] = raw.astype("datetime64[ns]")
        return
    txt = raw.astype("string").str.strip()
    blank = _blank(raw)
    iso = txt.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]00:00(?::00)?)?").fillna(False).astype(bool)
    parsed = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if iso.any():
        parsed[iso] = pd.to_datetime(txt[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    rest = ~iso & ~blank
    if rest.any():
        parsed[rest] = pd.to_datetime(txt[rest].str.replace(r"[./]", "-", regex=True), format="%d-%m-%Y",
                                      errors="coerce")
    bad = parsed.isna() & ~blank
    if bad.any():
        problems.append(Problem(fname, f"{int(bad.sum())} assessment date(s) could not be read (e.g. "
                                f"{str(raw[bad].iloc[0])!r})", "write dates as 2024-12-31 or 31/12/2024",
                                column="assessment_date", rows=_excel_rows(bad)))
    df["assessment_date"] = parsed


def _validate_ratings(df, fname, scale, problems, notes):
    _clean_ids(df, ["agency", "candidate", "competency", "exercise", "assessor", "round", "occasion"], fname,
               problems)
    _validate_dates(df, fname, problems)
    if "score" in df.columns:
        raw = df["score"]
        num, nonnum = _numbers(raw, df.attrs.get("decimal_comma", False))
        blank = np.isnan(num) & ~nonnum
        if blank.any():
            problems.append(Problem(fname, f"{int(blank.sum())} empty score(s)", "enter the score, or delete the "
                                    "row if the competency was not rated in that exercise", column="score",
                                    rows=_mask_rows(raw, blank)))
        if nonnum.any():
            ex = raw[nonnum].iloc[0]
            problems.append(Problem(fname, f"{int(nonnum.sum())} score(s) are not numbers (e.g. {ex!r})",
                                    f"write scores as numbers on the {scale[0]:g}-{scale[1]:g} scale "
                                    "(decimal comma or point)", column="score", rows=_mask_rows(raw, nonnum)))
        out = ~np.isnan(num) & ((num < scale[0]) | (num > scale[1]))
        if out.any():
            ex = num[out][0]
            problems.append(Problem(fname, f"{int(out.sum())} score(s) outside the scale {scale[0]:g}-{scale[1]:g} "
                                    f"(e.g. {ex:g})", "correct the scores, or declare the scale with "
                                    "load_assessment(..., scale=(min, max))", column="score",
                                    rows=_mask_rows(raw, out)))
        if raw.dtype != np.float64:  # a float column keeps its values
            df["score"] = num
    keys = [c for c in ("agency", "candidate", "competency", "exercise", "assessor", "round", "occasion")
            if c in df.columns]
    if len(keys) >= 5:
        dup = df.duplicated(subset=keys, keep=False)
        if dup.any():
            problems.append(Problem(fname, f"{int(dup.sum())} rows repeat the same assessor x candidate x "
                                    "competency x exercise" + (" x round" if "round" in keys else "")
                                    + (" x occasion" if "occasion" in keys else ""),
                                    "keep one rating per assessor, candidate, competency and exercise (use a "
                                    "'round' column for pre/post-consensus ratings)", rows=_excel_rows(dup)))


def _gender_codes(s: pd.Series):
    """L/P (a "string" Series, missing when not recognised) and the blank values of a gender column."""
    g = s.astype("string").str.strip().str.lower().to_numpy(dtype=object, na_value=None)
    mapped = pd.array([_GENDER_VALUES.get(v, pd.NA) if isinstance(v, str) else pd.NA for v in g], dtype="string")
    return pd.Series(mapped, index=s.index, name=s.name), _blank_values(s)


def _validate_candidates(df, fname, problems, notes, ranges=None):
    ranges = DEFAULT_RANGES if ranges is None else ranges
    _clean_ids(df, ["candidate", "agency", "position_level", "gender", "occasion"], fname, problems)
    if "candidate" in df.columns:
        # with an occasion column a person has one row per occasion
        dup = (df.duplicated(subset=["candidate", "occasion"], keep=False) if "occasion" in df.columns
               else df["candidate"].duplicated(keep=False)) & ~_blank(df["candidate"])
        if dup.any():
            ids = sorted(set(df.loc[dup, "candidate"]))
            # Excel keeps 15 significant digits of a number: 18-digit NIPs typed as numbers end in 000 and collide
            zeroed = [i for i in ids if re.fullmatch(r"\d{15}000", str(i))]
            problems.append(Problem(fname, f"candidate id(s) {ids[:5]} appear more than once" + (
                                    f" ({zeroed[0]!r} ends in 000: stored as a number, an 18-digit NIP keeps 15 "
                                    "digits only, so NIPs that differ in their last three digits become equal)"
                                    if zeroed else ""), _ID_AS_TEXT_FIX if zeroed else "keep one row per candidate",
                                    column="candidate", rows=_excel_rows(dup)))
    if "gender" in df.columns:
        mapped, blank = _per_value(df["gender"], _gender_codes)
        bad = mapped.isna() & ~blank
        if bad.any():
            problems.append(Problem(fname, f"unrecognised gender value(s) {sorted(set(df.loc[bad, 'gender']))[:5]}",
                                    "use L/P (laki-laki/perempuan)", column="gender", rows=_excel_rows(bad)))
        df["gender"] = mapped.astype("string")
    dec = df.attrs.get("decimal_comma", False)
    for c in _NUMERIC_CANDIDATE_COLS + _BINARY_CANDIDATE_COLS:
        if c not in df.columns:
            continue
        raw = df[c]
        num, nonnum = _numbers(raw, dec)
        if nonnum.any():
            problems.append(Problem(fname, f"{int(nonnum.sum())} value(s) are not numbers (e.g. "
                                    f"{raw[nonnum].iloc[0]!r})", "write numbers, or leave the cell empty if "
                                    "unknown", column=c, rows=_mask_rows(raw, nonnum)))
        known = ~np.isnan(num)
        if c in ranges:
            inf = np.isinf(num)
            if inf.any():
                problems.append(Problem(fname, f"{int(inf.sum())} value(s) are not finite (e.g. "
                                        f"{_show(raw[inf].iloc[0])})", "write the number, or leave the cell empty if "
                                        "unknown", column=c, rows=_mask_rows(raw, inf)))
            if ranges[c] is not None:
                lo, hi = ranges[c]
                out = known & ~inf & ((num < lo) | (num > hi))
                if out.any():
                    problems.append(Problem(fname, f"{int(out.sum())} value(s) outside the plausible range "
                                            f"{lo:g}-{hi:g} (e.g. {num[out][0]:g})", "correct the value(s), "
                                            f"or widen the range with load_assessment(..., ranges={{{c!r}: (min, "
                                            f"max)}}) (None disables the check; on the command line: --range "
                                            f"{c}=MIN:MAX)", column=c, rows=_mask_rows(raw, out)))
        with np.errstate(all="ignore"):  # inf % 1 is NaN (not a whole number), as in pandas
            whole = num % 1 == 0
        if c in _BINARY_CANDIDATE_COLS:
            bad = known & (num != 0.0) & (num != 1.0)
            if bad.any():
                problems.append(Problem(fname, f"{int(bad.sum())} value(s) other than 0/1 (e.g. {num[bad][0]:g})",
                                        "code it 1 = yes, 0 = no", column=c, rows=_mask_rows(raw, bad)))
        if c == "birth_year":
            bad = known & ((num < 1940) | (num > 2010) | ~whole)
            if bad.any():
                problems.append(Problem(fname, f"{int(bad.sum())} implausible birth year(s) (e.g. "
                                        f"{num[bad][0]:g})", "write the four-digit year of birth",
                                        column=c, rows=_mask_rows(raw, bad)))
        if c in _BINARY_CANDIDATE_COLS + ("birth_year",) and whole[known].all():  # (all missing: all() is True)
            df[c] = pd.Series(num, index=df.index).astype("Int64")
        elif raw.dtype != np.float64:  # a float column keeps its values
            df[c] = num


def _validate_items(df, fname, problems):
    _clean_ids(df, ["candidate"], fname, problems)
    item_cols = [c for c in df.columns if c != "candidate"]
    if len(item_cols) < 2:
        problems.append(Problem(fname, f"only {len(item_cols)} item column(s)", "provide one column per item "
                                "(at least two)"))
    dec = df.attrs.get("decimal_comma", False)
    for c in item_cols:
        raw = df[c]
        num, nonnum = _numbers(raw, dec)
        if nonnum.any():
            problems.append(Problem(fname, f"{int(nonnum.sum())} response(s) are not numbers (e.g. "
                                    f"{raw[nonnum].iloc[0]!r})", "recode responses as numbers; leave missing "
                                    "responses empty", column=str(c), rows=_mask_rows(raw, nonnum)))
        inf = np.isinf(num)
        if inf.any():
            problems.append(Problem(fname, f"{int(inf.sum())} response(s) are not finite (e.g. "
                                    f"{_show(raw[inf].iloc[0])})", "recode responses as numbers; leave missing "
                                    "responses empty", column=str(c), rows=_mask_rows(raw, inf)))
        if raw.dtype != np.float64:  # a float column keeps its values
            df[c] = num
    if "candidate" in df.columns:
        dup = df["candidate"].duplicated(keep=False)
        if dup.any():
            problems.append(Problem(fname, "candidate ids appear more than once", "keep one row per candidate",
                                    column="candidate", rows=_excel_rows(dup)))


def _link_problem(path: Path) -> Problem | None:
    """A problem if ``path`` cannot be opened because of a symbolic link loop, a dangling link or the system."""
    try:
        os.stat(path)
        return None
    except OSError as exc:
        err = exc
    if err.errno == errno.ELOOP:
        chain, cur, seen = [path.name], path, {os.path.normpath(path)}
        while cur.is_symlink() and len(chain) < 12:
            target = os.readlink(cur)
            chain.append(target)
            cur = Path(os.path.normpath(cur.parent / target))
            if os.path.normpath(cur) in seen:
                break
            seen.add(os.path.normpath(cur))
        how = " -> ".join(chain) if len(chain) > 1 else "a folder on the path links back to itself"
        return Problem(str(path), f"the path is a symbolic link loop ({how}), so it leads to no file",
                       "replace the link with the file itself, or point the link at the real file")
    if path.is_symlink():
        return Problem(str(path), f"the path is a symbolic link to {os.readlink(path)!r}, which does not exist",
                       "replace the link with the file itself, or point the link at the real file")
    if err.errno == errno.ENOENT:
        return None
    return Problem(str(path), f"the path cannot be opened ({err.strerror or err})",
                   "check the path and that you may read it")


def _locate(path: Path, problems: list[Problem]) -> dict[str, tuple[Path, object]]:
    """Find the three tables: name -> (file, sheet)."""
    found: dict[str, tuple[Path, object]] = {}
    link = _link_problem(path)
    if link is not None:
        raise DataValidationError([link])
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
    try:
        entries = sorted(p for p in path.iterdir() if not p.name.startswith((".", "~$")))
    except OSError as exc:
        raise DataValidationError([Problem(str(path), f"cannot list the folder ({exc.strerror or exc})",
                                           "check that you may read the folder")]) from None
    for t in ("ratings", "candidates", "items"):
        named = [p for p in entries if p.stem.lower() == t]
        broken = [q for q in (_link_problem(p) for p in named if p.is_symlink()) if q is not None]
        problems.extend(broken)
        hits = [p for p in named if p.is_file()]
        if broken:
            continue
        if len(hits) > 1:
            problems.append(Problem(str(path), f"several {t} files: {[h.name for h in hits]}",
                                    f"keep exactly one {t}.* file in the directory"))
        elif hits:
            found[t] = (hits[0], None)
        elif t != "items":
            problems.append(Problem(str(path), f"no {t} file (expected {t}.csv, {t}.xlsx or {t}.parquet)",
                                    f"add the {t} table to the directory"))
    return found


def _check_ranges(ranges) -> dict[str, tuple[float, float] | None]:
    """:data:`DEFAULT_RANGES` updated with the user's ``ranges`` (validated)."""
    out: dict[str, tuple[float, float] | None] = dict(DEFAULT_RANGES)
    if ranges is None:
        return out
    if not isinstance(ranges, Mapping):
        raise ValueError(f"ranges must be a mapping such as {{'performance': (0, 120)}}; got ranges={ranges!r}.")
    for col, rng in ranges.items():
        if col not in DEFAULT_RANGES:
            raise ValueError(f"ranges={{{col!r}: ...}} names an unknown column {col!r}; plausibility ranges apply "
                             f"to {sorted(DEFAULT_RANGES)}.")
        if rng is None:
            out[col] = None
            continue
        try:
            lo, hi = (float(v) for v in rng)
            ok = not isinstance(rng, (str, bytes)) and lo < hi  # False for NaN
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"ranges[{col!r}] must be a (min, max) pair with min < max, or None to switch the "
                             f"check off; got ranges[{col!r}]={rng!r}. Use e.g. ranges={{{col!r}: "
                             f"{DEFAULT_RANGES[col]}}}.")
        out[col] = (lo, hi)
    return out


# --------------------------------------------------------------------------- agency workbooks (wide layout)

#: Accepted values of ``load_assessment(..., layout=...)``.
LAYOUTS = ("auto", "long", "wide")
#: Sheet names (compared in snake_case) of the candidates table in a wide workbook.
CANDIDATE_SHEET_NAMES = ("candidates", "peserta", "data_peserta", "daftar_peserta", "asesi", "data_asesi",
                         "biodata", "biodata_peserta", "identitas_peserta")
#: Sheet names (compared in snake_case) of the recap sheet; any sheet whose name starts with ``rekap`` is one too.
RECAP_SHEET_NAMES = ("rekap", "rekapitulasi", "recap", "rekap_hasil", "rekapitulasi_hasil", "hasil_akhir",
                     "hasil_asesmen")
#: Cell texts (compared in snake_case) that mark a totals or average row; such rows are skipped.
TOTAL_ROW_WORDS = ("jumlah", "jumlah_total", "total", "grand_total", "sub_total", "subtotal", "rata_rata",
                   "rata2", "rerata", "nilai_rata_rata", "average", "mean")
#: Recap columns beside the levels: canonical name -> accepted spellings (snake_case).
RECAP_ALIASES: dict[str, tuple[str, ...]] = {
    "jpm": ("jpm", "nilai_jpm", "jpm_persen", "persentase_jpm", "job_person_match"),
    "category": ("kategori", "category", "kategori_jpm", "kategori_hasil", "rekomendasi"),
}
_HEADER_SEARCH_ROWS = 30
_ROW_NUMBER_HEADERS = ("no", "nomor", "no_urut", "nomor_urut", "urut")
_WIDE_COLUMNS = {
    "exercise": ("candidate", "assessor", "agency", "name", "round", "occasion", "assessment_date"),
    "recap": ("candidate", "agency", "name", "position_level", "gender", "birth_year", "occasion", "cognitive",
              "performance", "promoted", "selected", "potential", "jpm", "category"),
    "candidates": REQUIRED["candidates"] + OPTIONAL["candidates"],
}
_RECAP_CANDIDATE_COLUMNS = ("candidate", "agency", "name", "position_level", "gender", "birth_year", "occasion",
                            "cognitive", "performance", "promoted", "selected", "potential")
_LEVEL_LABEL = re.compile(r"(?:level|lvl|lv|l)?\s*[.:]?\s*(\d+(?:[.,]\d+)?)(?:\s*(?:[-\u2013\u2014:(/]|\s)\s*\D.*)?",
                          re.IGNORECASE | re.DOTALL)
_LEVEL_FIX = ("write the level as a number (3, 3.5 or 3,5), as 'Level 3', 'L3' or '3 - Menengah', or leave the "
              "cell empty if the competency was not rated")
#: Exercise and assessor given to the ratings read from a recap sheet alone.
RECAP_EXERCISE = "rekap"


def _snake(text) -> str:
    """``"Orientasi pada Hasil"`` -> ``"orientasi_pada_hasil"``: lower case, non-alphanumeric runs become ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower()).strip("_")


def _is_total(text: str) -> bool:
    """Whether a cell text marks a totals or average row ("Jumlah", "Rata-rata", "Jumlah peserta"...)."""
    s = _snake(text)
    return any(s == w or s.startswith(w + "_") for w in TOTAL_ROW_WORDS)


def _is_blank_cell(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and np.isnan(v))


def parse_level(value) -> float:
    """The number of a competency level as agencies type it.

    The rule: the cell holds a number (an Excel number, or text written with a
    decimal point or a decimal comma: ``3``, ``3.5``, ``3,5``), optionally
    after ``Level``, ``Lvl``, ``Lv`` or ``L`` and optionally followed by a
    description after a space, dash, colon, slash or parenthesis (``Level 3``,
    ``L3``, ``L 3,5``, ``3 - Menengah``, ``Level 3 (Menengah)``), in any case.
    The description is not checked.  An empty cell is NaN (not rated).
    Anything else, such as a word alone (``"Tiga"``), a range (``"3-4"``), a
    date or ``TRUE``, is an error.

    Parameters
    ----------
    value : str, number or None
        The cell value.

    Returns
    -------
    float
        The level, or NaN for an empty cell.

    Raises
    ------
    ValueError
        When the value is not a level by the rule above.

    Examples
    --------
    >>> from psikometri.io import parse_level
    >>> [parse_level(v) for v in (3, "3", "Level 3", "L3", "3 - Menengah", "3,5")]
    [3.0, 3.0, 3.0, 3.0, 3.0, 3.5]
    >>> parse_level("Tiga")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'Tiga' is not a level; write the level as a number (3, 3.5 or 3,5), as 'Level 3', 'L3' or ...
    """
    if _is_blank_cell(value) or value is pd.NA:
        return float("nan")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        v = float(value)
        if np.isfinite(v):
            return v
    elif isinstance(value, str):
        m = _LEVEL_LABEL.fullmatch(value.strip())
        if m:
            return float(m.group(1).replace(",", "."))
    raise ValueError(f"{value!r} is not a level; {_LEVEL_FIX}")


def _wide_options(columns: Mapping[str, str], competencies: Mapping[str, str] | None) -> dict:
    """Validated user mappings, keyed by snake_case header."""
    if competencies is not None and not isinstance(competencies, Mapping):
        raise ValueError(f"competencies must be a mapping of header -> competency id such as "
                         f"{{'Kemampuan Bekerja Sama': 'kerjasama'}}; got competencies={competencies!r}.")
    comps = {}
    for k, v in (competencies or {}).items():
        if not (isinstance(k, str) and k.strip() and isinstance(v, str) and _snake(v)):
            raise ValueError(f"competencies={{{k!r}: {v!r}}}: map a header text to a competency id (text), e.g. "
                             "{'Kemampuan Bekerja Sama': 'kerjasama'}.")
        comps[_snake(k)] = _snake(v)
    return {"columns": {_snake(k): v for k, v in columns.items()}, "competencies": comps}


def _wide_header(text, role: str, opts: dict):
    """``("column", canonical)`` or ``("competency", id)`` for a header cell of a wide sheet, else None."""
    from .talent import COMPETENCIES, _competency_id

    if _is_blank_cell(text):
        return None
    s = _snake(text)
    allowed = _WIDE_COLUMNS[role]
    user = opts["columns"].get(s)
    if user is not None:
        return ("column", user) if user in allowed else None
    if role != "candidates" and s in opts["competencies"]:
        return ("competency", opts["competencies"][s])
    for canon, names in list(COLUMN_ALIASES.items()) + list(RECAP_ALIASES.items()):
        if s in names and canon in allowed and canon not in opts["columns"].values():
            return ("column", canon)
    if role != "candidates":
        comp = _competency_id(re.sub(r"^\s*\d+\s*[.)]\s*", "", str(text)))
        if comp in COMPETENCIES:
            return ("competency", comp)
    return None


def _sheet_grid(ws) -> list[list]:
    """Cell values of a worksheet, a vertically merged cell's value repeated in every row it covers."""
    rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    for rng in ws.merged_cells.ranges:
        if rng.min_col == rng.max_col and rng.min_row <= len(rows):
            v = rows[rng.min_row - 1][rng.min_col - 1]
            for rr in range(rng.min_row + 1, min(rng.max_row, len(rows)) + 1):
                rows[rr - 1][rng.min_col - 1] = v
    return [[v.strip() if isinstance(v, str) else v for v in r] for r in rows]


def _hidden_columns(ws) -> set[int]:
    """0-based positions of the hidden columns of a worksheet."""
    from openpyxl.utils import column_index_from_string

    out: set[int] = set()
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            lo = dim.min or column_index_from_string(key)
            out.update(range(lo - 1, (dim.max or lo)))
    return out


def _named_columns(problems: list[Problem], start: int, header: list) -> None:
    """Replace the canonical column names of the problems from ``start`` on by the headers as written."""
    for k in range(start, len(problems)):
        p = problems[k]
        if p.column in header:
            problems[k] = Problem(p.file, p.message, p.fix, column=header[p.column], rows=p.rows)


def _read_wide_sheet(ws, wsf, fname: str, role: str, opts: dict, scale, problems: list[Problem]) -> dict | None:
    """Find the header row of one sheet and read its id columns and its level columns.

    Returns None when no row of the first :data:`_HEADER_SEARCH_ROWS` is a header (a candidate id column and,
    except in the candidates sheet, a competency column).  ``ids`` is indexed by spreadsheet row - 2, so that
    :func:`_excel_rows` gives the sheet's own row numbers.
    """
    grid = _sheet_grid(ws)
    hidden = _hidden_columns(ws)
    found = None
    for i, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        cls = [_wide_header(h, role, opts) for h in row]
        n_cols = sum(1 for c in cls if c and c[0] == "column")
        if ("column", "candidate") in cls and (n_cols >= 3 if role == "candidates"
                                               else any(c and c[0] == "competency" for c in cls)):
            found = (i, cls)
            break
    if found is None:
        return None
    h, cls = found
    header = grid[h]
    info, id_cols, comp_cols, ignored = [], {}, {}, []
    for j, (text, c) in enumerate(zip(header, cls)):
        if _is_blank_cell(text):
            continue
        read_as = "not read" if c is None else (c[1] if c[0] == "column" else f"competency {c[1]}")
        info.append({"column": _col_letter(j), "header": str(text), "read_as": read_as, "hidden": j in hidden})
        if c is None:
            if _snake(text) not in _ROW_NUMBER_HEADERS:
                ignored.append(str(text))
            continue
        (id_cols if c[0] == "column" else comp_cols).setdefault(c[1], []).append(j)
    n0 = len(problems)
    for kind, cols in (("column", id_cols), ("competency", comp_cols)):
        for name, js in cols.items():
            if len(js) > 1:
                heads = ", ".join(repr(str(header[j])) for j in js)
                problems.append(Problem(fname, f"columns {_letters(js)} ({heads}) all mean {kind} {name!r} (header "
                                        f"row {h + 1})", "delete the extra column, or map its header to another "
                                        "name with " + ("columns=" if kind == "column" else "competencies="),
                                        column=str(header[js[1]])))
    if len(problems) > n0:
        return {"failed": True}
    cj = id_cols["candidate"][0]
    level_js = {j for js in comp_cols.values() for j in js}
    rows, skipped = [], []
    for i in range(h + 1, len(grid)):
        row = grid[i]
        if all(_is_blank_cell(v) for v in row):
            continue
        total = any(isinstance(v, str) and _is_total(v) for j, v in enumerate(row) if j not in level_js)
        if _is_blank_cell(row[cj]) or total:
            skipped.append(i + 1)
        else:
            rows.append(i)
    index = pd.Index([i - 1 for i in rows])  # spreadsheet row - 2
    names = {canon: str(header[js[0]]) for canon, js in id_cols.items()}
    ids = pd.DataFrame({canon: pd.Series([grid[i][js[0]] for i in rows], index=index, dtype=object)
                        for canon, js in id_cols.items()}, index=index)
    formula_cells = []
    if wsf is not None:  # cells with a formula whose value was never saved read as empty
        for j in [js[0] for js in id_cols.values()] + sorted(level_js):
            for i in rows:
                if grid[i][j] is None:
                    f = wsf.cell(row=i + 1, column=j + 1).value
                    text = getattr(f, "text", f)
                    if isinstance(text, str) and text.startswith("="):
                        formula_cells.append((i + 1, j, text))
    for j in sorted({c[1] for c in formula_cells}):
        cells = [c for c in formula_cells if c[1] == j]
        problems.append(Problem(fname, f"{len(cells)} cell(s) hold formulas without saved values (e.g. "
                                f"{cells[0][2]!r} in cell {_col_letter(j)}{cells[0][0]}), so they read as empty",
                                "open and save the workbook in Excel or LibreOffice (which stores the computed "
                                "values), or paste the cells as values", column=str(header[j]),
                                rows=tuple(c[0] for c in cells)))
    levels = {}
    for comp, js in comp_cols.items():
        j = js[0]
        vals, bad = [], []
        for i in rows:
            try:
                vals.append(parse_level(grid[i][j]))
            except ValueError:
                vals.append(np.nan)
                bad.append(i)
        if bad:
            problems.append(Problem(fname, f"{len(bad)} level label(s) cannot be read as a level (e.g. "
                                    f"{grid[bad[0]][j]!r} in cell {_col_letter(j)}{bad[0] + 1})", _LEVEL_FIX,
                                    column=str(header[j]), rows=tuple(i + 1 for i in bad)))
        s = pd.Series(vals, index=index, dtype=float)
        out = s.notna() & ((s < scale[0]) | (s > scale[1]))
        if out.any():
            first = int(s.index[out.to_numpy()][0]) + 2
            problems.append(Problem(fname, f"{int(out.sum())} level(s) outside the scale {scale[0]:g}-{scale[1]:g} "
                                    f"(e.g. {s[out].iloc[0]:g} in cell {_col_letter(j)}{first})", "correct the "
                                    "level(s), or declare the scale with load_assessment(..., scale=(min, max))",
                                    column=str(header[j]), rows=_excel_rows(out)))
        levels[comp] = s
    return {"header_row": h + 1, "columns": info, "ids": ids, "names": names, "levels": levels,
            "skipped": tuple(skipped), "ignored": ignored, "hidden": sorted(hidden & (level_js | {
                js[0] for js in id_cols.values()})), "n_problems_from": n0}


def _sheet_role(name: str) -> str | None:
    s = _snake(name)
    if s in CANDIDATE_SHEET_NAMES:
        return "candidates"
    if s in RECAP_SHEET_NAMES or s.startswith("rekap"):
        return "recap"
    if s == "items":
        return "items"
    if s == "ratings":
        return "ratings"
    return None


def _load_wide(path: Path, columns: Mapping[str, str], competencies, agency, scale, ranges,
               problems: list[Problem], notes: list[str]):
    """Read an agency workbook: per-exercise rating sheets and/or a recap sheet, a candidates sheet, items."""
    import openpyxl

    opts = _wide_options(columns, competencies)
    known_targets = set(COLUMN_ALIASES) | set(RECAP_ALIASES)
    for k, v in columns.items():
        if v not in known_targets:
            problems.append(Problem(path.name, f"the mapping columns={{{k!r}: {v!r}}} targets an unknown column "
                                    f"{v!r}", f"map to one of {sorted(known_targets)}"))
    if not zipfile.is_zipfile(path):
        raise DataValidationError([Problem(path.name, "the file is not an Excel workbook (an .xlsx file is a zip "
                                           "archive and this one is not)", "open it in Excel or LibreOffice and "
                                           "save it as an Excel Workbook (.xlsx)")])
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        wbf = openpyxl.load_workbook(path, data_only=False) if _has_formulas(path) else None
    except Exception as exc:
        raise DataValidationError([Problem(path.name, f"cannot open the workbook ({type(exc).__name__}: {exc})",
                                           "save the file again from Excel as .xlsx")]) from None
    reading = {"layout": "wide", "ratings_from": None, "sheets": []}
    exercise_sheets, recap, cand_sheet, items_sheet = [], None, None, None
    exercise_names: dict[str, str] = {}
    for ws in wb.worksheets:
        name, role = ws.title, _sheet_role(ws.title)
        fname = f"{path.name}[{name}]"
        wsf = wbf[name] if wbf is not None else None
        entry = {"sheet": name, "role": role, "hidden_sheet": ws.sheet_state != "visible"}
        reading["sheets"].append(entry)
        if entry["hidden_sheet"]:
            notes.append(f"sheet {name!r} is hidden in the workbook; it is read like the visible ones")
        if role == "items":
            items_sheet = name
            continue
        if role == "ratings":
            entry["role"] = "not read"
            entry["reason"] = "a long 'ratings' sheet is read with layout='long' (or 'auto')"
            continue
        got = _read_wide_sheet(ws, wsf, fname, role or "exercise", opts, scale, problems)
        if got is None:
            what = ("a candidate id column (NIP, ...) and at least two of instansi, jabatan, jenis kelamin, tahun "
                    "lahir" if role == "candidates" else "a candidate id column (NIP, ...) and competency columns")
            if role in ("candidates", "recap"):
                problems.append(Problem(fname, f"no header row found: none of the first {_HEADER_SEARCH_ROWS} rows "
                                        f"holds {what}", "write the headers in one row (e.g. 'NIP', 'Integritas', "
                                        "...), or map your headers with columns= and competencies="))
            else:
                entry["role"] = "not read"
                entry["reason"] = f"no row among the first {_HEADER_SEARCH_ROWS} holds {what}"
                notes.append(f"sheet {name!r} not read: no row among its first {_HEADER_SEARCH_ROWS} holds {what}; "
                             "if it holds ratings, map its headers with load_assessment(..., columns=..., "
                             "competencies=...)")
            continue
        if got.get("failed"):
            continue
        entry.update({k: got[k] for k in ("header_row", "columns", "skipped")})
        entry["rows"] = len(got["ids"])
        if got["skipped"]:
            notes.append(f"sheet {name!r}: {len(got['skipped'])} row(s) skipped (row(s) "
                         f"{', '.join(map(str, got['skipped'][:8]))}): the candidate id is empty or the row is a "
                         "total or average")
        if got["ignored"]:
            notes.append(f"sheet {name!r}: column(s) {got['ignored']} not read (neither an id column nor a known "
                         "competency; map a competency header with competencies={'header': 'competency_id'})")
        if got["hidden"]:
            notes.append(f"sheet {name!r}: hidden column(s) {_letters(got['hidden'])} read like the visible ones")
        got["sheet"], got["fname"] = name, fname
        if role == "candidates":
            cand_sheet = got
        elif role == "recap":
            if recap is not None:
                problems.append(Problem(fname, f"two recap sheets ({recap['sheet']!r} and {name!r})",
                                        "keep one recap sheet, or rename the other"))
            recap = got
        else:
            ex = _snake(name)
            entry["role"], entry["exercise"] = "exercise", ex
            if ex in exercise_names:
                problems.append(Problem(fname, f"sheets {exercise_names[ex]!r} and {name!r} both name exercise "
                                        f"{ex!r}", "give each exercise sheet its own name"))
            exercise_names[ex] = name
            got["exercise"] = ex
            exercise_sheets.append(got)
    if not exercise_sheets and recap is None:
        sheets = [ws.title for ws in wb.worksheets]
        raise DataValidationError(problems + [Problem(path.name, f"neither a long 'ratings' sheet nor a recap sheet "
                                  f"nor exercise rating sheets were found (sheets: {sheets})", "name the sheet of "
                                  "long ratings 'ratings'; or give each exercise sheet (named after the exercise) a "
                                  "header row with NIP, Asesor and the competencies, and name the recap sheet "
                                  "'Rekap'")])

    # candidates: their own sheet, else the recap's candidate columns
    tables: dict[str, pd.DataFrame] = {}
    colmap: dict[str, dict] = {}
    if cand_sheet is not None:
        src, cfname = cand_sheet, cand_sheet["fname"]
    elif recap is not None:
        src, cfname = recap, recap["fname"]
    else:
        src, cfname = None, path.name
        problems.append(Problem(path.name, "no candidates sheet and no recap sheet: the position level, gender "
                                "and birth year of the candidates are missing", "add a sheet 'candidates' (or "
                                "'peserta') with NIP, instansi, jabatan, jenis kelamin and tahun lahir"))
    if src is not None:
        keep = [c for c in src["ids"].columns if c in _RECAP_CANDIDATE_COLUMNS or src is cand_sheet]
        cand = src["ids"][keep].copy()
        if "agency" not in cand.columns and agency is not None:
            cand["agency"] = str(agency)
        missing = [c for c in REQUIRED["candidates"] if c not in cand.columns]
        if missing:
            problems.append(Problem(cfname, f"required candidate column(s) {missing} not found (header row "
                                    f"{src['header_row']})", "add them to the " + ("candidates" if src is cand_sheet
                                    else "recap") + " sheet (instansi, jabatan, jenis kelamin, tahun lahir), or a "
                                    "sheet 'candidates' with them" + ("; or pass load_assessment(..., agency='...') "
                                    "when the workbook holds one agency" if "agency" in missing else "")))
        else:
            n0 = len(problems)
            _validate_candidates(cand, cfname, problems, notes, ranges)
            _named_columns(problems, n0, src["names"])
            tables["candidates"] = cand
        colmap["candidates"] = {src["names"][c]: c for c in keep if c in src["names"]}
    cands = tables.get("candidates")
    known_agency = (cands.drop_duplicates("candidate").set_index("candidate")["agency"]
                    if cands is not None else None)

    def _sheet_ids(got, id_cols) -> pd.DataFrame:
        ids = got["ids"].copy()
        n0 = len(problems)
        _clean_ids(ids, [c for c in id_cols if c in ids.columns], got["fname"], problems)
        _validate_dates(ids, got["fname"], problems)
        _named_columns(problems, n0, got["names"])
        if known_agency is None:
            return ids
        unknown = ~ids["candidate"].isin(set(known_agency.index))
        if unknown.any():
            ex = sorted(set(ids.loc[unknown, "candidate"]))
            problems.append(Problem(got["fname"], f"{len(ex)} candidate(s) are not in the candidates table (e.g. "
                                    f"{ex[:3]})", "add them to the candidates sheet or correct the ids",
                                    column=got["names"]["candidate"], rows=_excel_rows(unknown)))
        their = ids["candidate"].map(known_agency).astype("string")
        if "agency" in ids.columns:
            mism = ~unknown & (their != ids["agency"].astype("string"))
            if mism.any():
                problems.append(Problem(got["fname"], f"{int(mism.sum())} row(s) give an agency different from "
                                        "the candidates table", "use the same agency name in both sheets",
                                        column=got["names"]["agency"], rows=_excel_rows(mism)))
        else:
            ids["agency"] = their
        return ids

    def _long(got, ids, exercise, assessor=None) -> pd.DataFrame:
        parts = []
        for comp, s in got["levels"].items():
            s = s.dropna()
            part = ids.loc[s.index].copy()
            part["competency"], part["exercise"], part["score"] = comp, exercise, s.to_numpy()
            if assessor is not None:
                part["assessor"] = assessor
            parts.append(part)
        return pd.concat(parts) if parts else pd.DataFrame(columns=list(ids.columns) + ["competency", "score"])

    order = list(REQUIRED["ratings"]) + list(OPTIONAL["ratings"])
    ratings_parts = []
    for got in exercise_sheets:
        if "assessor" not in got["ids"].columns:
            problems.append(Problem(got["fname"], f"no assessor column in the header row (row {got['header_row']})",
                                    "add a column 'Asesor' naming the assessor of each row (one row per candidate "
                                    "and assessor), or map your header with columns={'header': 'assessor'}"))
            continue
        ids = _sheet_ids(got, ["candidate", "assessor", "agency", "round", "occasion"])
        keys = [c for c in ("candidate", "assessor", "round", "occasion") if c in ids.columns]
        dup = ids.duplicated(subset=keys, keep=False)
        if dup.any():
            problems.append(Problem(got["fname"], f"{int(dup.sum())} rows repeat the same candidate and assessor",
                                    "keep one row per candidate and assessor in each exercise sheet (use a "
                                    "'Putaran' column for pre/post-consensus ratings)", rows=_excel_rows(dup)))
        ratings_parts.append(_long(got, ids, got["exercise"]))
    recap_table = None
    if recap is not None:
        ids = _sheet_ids(recap, ["candidate", "agency", "occasion"])
        if cands is not None and recap is not src:
            keys = ["candidate"] + (["occasion"] if "occasion" in ids.columns else [])
            dup = ids.duplicated(subset=keys, keep=False)
            if dup.any():
                problems.append(Problem(recap["fname"], f"{int(dup.sum())} rows repeat the same candidate",
                                        "keep one row per candidate in the recap sheet",
                                        column=recap["names"]["candidate"], rows=_excel_rows(dup)))
        rt = ids[[c for c in ("candidate", "agency", "occasion") if c in ids.columns]].copy()
        for comp, s in recap["levels"].items():
            rt[comp] = s
        if "jpm" in ids.columns:
            raw = ids["jpm"].map(lambda v: v.replace("%", "").strip() if isinstance(v, str) else v)
            num = _parse_numbers(raw.astype(object), True)
            bad = num.isna() & ~_blank(raw)
            if bad.any():
                problems.append(Problem(recap["fname"], f"{int(bad.sum())} JPM value(s) are not numbers (e.g. "
                                        f"{ids.loc[bad, 'jpm'].iloc[0]!r})", "write the JPM as a number such as "
                                        "85.5 or 85,5 (a % sign is allowed)", column=recap["names"]["jpm"],
                                        rows=_excel_rows(bad)))
            rt["jpm"] = num
        if "category" in ids.columns:
            rt["category"] = ids["category"].map(lambda v: None if _is_blank_cell(v) else str(v)).astype("string")
        recap_table = rt
        if not exercise_sheets:
            ratings_parts.append(_long(recap, ids, RECAP_EXERCISE, RECAP_EXERCISE))
            reading["ratings_from"] = f"recap sheet {recap['sheet']!r}"
            notes.append(f"the ratings come from the recap sheet {recap['sheet']!r} alone: one final level per "
                         f"candidate and competency, stored as exercise {RECAP_EXERCISE!r} and assessor "
                         f"{RECAP_EXERCISE!r}. Analyses of final levels (achieved levels, JPM, gaps, nine-box, the "
                         "overall rating and its validity) are meaningful; assessor agreement, G-study variance "
                         "components, exercise effects and MTMM are not (they need the per-exercise rating sheets)")
    if exercise_sheets:
        reading["ratings_from"] = "exercise sheets " + ", ".join(repr(g["sheet"]) for g in exercise_sheets)
    if items_sheet is not None:
        fname = f"{path.name}[{items_sheet}]"
        df = _read_excel(path, items_sheet, problems)
        if df is not None and len(df):
            df, m = _rename(df, "items", fname, {k: v for k, v in columns.items() if v in COLUMN_ALIASES}, problems)
            colmap["items"] = m
            if "candidate" in df.columns and not df.columns.duplicated().any():
                df = df.copy()
                _validate_items(df, fname, problems)
                tables["items"] = df
                if cands is not None:
                    unknown = ~df["candidate"].isin(set(cands["candidate"]))
                    if unknown.any():
                        problems.append(Problem(fname, f"{int(unknown.sum())} item row(s) belong to candidates not "
                                                "in the candidates table", "add them to the candidates table or "
                                                "correct the ids", column="candidate", rows=_excel_rows(unknown)))
    if problems:
        return tables, colmap, reading, None
    ratings = pd.concat(ratings_parts, ignore_index=True)
    ratings = ratings[[c for c in order if c in ratings.columns]].copy()
    ratings["score"] = ratings["score"].astype(float)
    if ratings.empty:
        problems.append(Problem(path.name, "the level columns of the workbook are all empty", "enter the levels"))
    tables["ratings"] = ratings
    comps = {}
    for got in exercise_sheets + ([recap] if recap is not None else []):
        for col in got["columns"]:
            if col["read_as"].startswith("competency "):
                comps[col["header"]] = col["read_as"][len("competency "):]
    colmap["ratings"] = {**{n: c for g in exercise_sheets + ([recap] if recap else []) for c, n in g["names"].items()
                            if c in order}, **comps}
    reading["competencies"] = comps
    if recap_table is not None:
        recap_table = recap_table.sort_values("candidate", kind="stable").reset_index(drop=True)
    return tables, colmap, reading, recap_table


def _choose_layout(path: Path, layout: str) -> str:
    """``"long"`` or ``"wide"``: a workbook without a ``ratings`` sheet is wide under ``layout="auto"``."""
    is_book = path.suffix.lower() in (".xlsx", ".xlsm") and path.is_file() and _link_problem(path) is None
    if layout == "wide":
        if not is_book:
            raise DataValidationError([Problem(str(path), "layout='wide' reads one Excel workbook (.xlsx), and "
                                               "this path is not one", "pass the workbook file, or "
                                               "layout='long' for a folder of long tables")])
        return "wide"
    if layout == "long" or not is_book or not zipfile.is_zipfile(path):
        return "long"
    try:  # the sheet names, from the workbook part alone
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/workbook.xml").decode("utf-8")
        names = [html.unescape(n) for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', xml)]
    except Exception:  # the long reader reports a damaged workbook
        return "long"
    return "long" if any(_snake(n) == "ratings" for n in names) else "wide"


def _load_long(path: Path, columns: Mapping[str, str], scale, ranges, problems: list[Problem],
               notes: list[str]) -> tuple[dict[str, pd.DataFrame], dict[str, dict], dict]:
    """Read and validate the long (tidy) tables: a directory of files, or a workbook with a ``ratings`` sheet."""
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
            _validate_candidates(df, fname, problems, notes, ranges)
        else:
            df = df.copy()
            _validate_items(df, fname, problems)
        tables[t] = df

    if "ratings" in tables and "candidates" in tables:
        r, c = tables["ratings"], tables["candidates"]
        known = _value_set(c["candidate"].dropna())
        in_known, blank = _per_value(r["candidate"], lambda x: (_isin(x, known), _blank_values(x)))
        unknown = ~in_known & ~blank
        if unknown.any():
            ids = sorted(set(r.loc[unknown, "candidate"]))
            stripped = {str(k).lstrip("0") for k in known}
            hint = (" (they match candidates once leading zeros are removed: format the id columns as Text in "
                    "Excel so that leading zeros are kept)") if any(i.lstrip("0") in stripped for i in ids) else ""
            problems.append(Problem(located["ratings"][0].name, f"{len(ids)} candidate(s) in the ratings are not in "
                                    f"the candidates table (e.g. {ids[:3]}){hint}", "add them to the candidates "
                                    "table or correct the ids", column="candidate", rows=_excel_rows(unknown)))
        # the agency of each rating's candidate in the candidates table (its first row):
        # r["candidate"].map(c.drop_duplicates("candidate").set_index("candidate")["agency"]).astype("string"),
        # on the distinct ids (both id columns are "string" columns from _clean_ids)
        ag: dict = {}
        for k, v in zip(c["candidate"].to_numpy(dtype=object, na_value=None),
                        c["agency"].astype("string").to_numpy(dtype=object, na_value=None)):
            ag.setdefault(k, v)
        cand_agency = _per_value(r["candidate"], lambda x: pd.Series(pd.array(
            [ag.get(k) for k in x.to_numpy(dtype=object, na_value=None)], dtype="string"), index=x.index))
        mism = in_known & (cand_agency != r["agency"])
        if mism.any():
            pairs = sorted(set(zip(r.loc[mism, "agency"].astype(str), cand_agency[mism].astype(str))))
            here, there = pairs[0]
            msg = (f"{int(mism.sum())} rating row(s) give an agency different from the candidates table (e.g. "
                   f"{here!r} here, {there!r} in the candidates table)")
            fix = "use the same agency name in both tables"
            if any(not (a + b).isascii() for a, b in pairs):
                msg += ("; the names differ in non-ASCII letters, which happens when the files were saved in "
                        "different encodings")
                fix += ", and save both files as UTF-8 ('CSV UTF-8' in Excel)"
            problems.append(Problem(located["ratings"][0].name, msg, fix, column="agency", rows=_excel_rows(mism)))
    if "items" in tables and "candidates" in tables:
        it = tables["items"]
        unknown = ~_isin(it["candidate"], _value_set(tables["candidates"]["candidate"]))
        if unknown.any():
            problems.append(Problem(located["items"][0].name, f"{int(unknown.sum())} item row(s) belong to candidates "
                                    "not in the candidates table", "add them to the candidates table or correct "
                                    "the ids", column="candidate", rows=_excel_rows(unknown)))
    reading = {"layout": "long", "ratings_from": "ratings table", "sheets": [
        {"sheet": f.name if sheet is None else f"{f.name}[{sheet}]", "role": t, "header_row": 1,
         "columns": [{"column": None, "header": h, "read_as": c, "hidden": False}
                     for h, c in colmap.get(t, {}).items()]}
        for t, (f, sheet) in located.items()]}
    return tables, colmap, reading


def load_assessment(
    path,
    *,
    columns: Mapping[str, str] | None = None,
    scale: tuple[float, float] = (1, 5),
    ranges: Mapping[str, tuple[float, float] | None] | None = None,
    warn: bool = True,
    layout: str = "auto",
    competencies: Mapping[str, str] | None = None,
    agency: str | None = None,
) -> AssessmentData:
    """Load and validate an assessment data set.

    Parameters
    ----------
    path : str or Path
        A directory with ``ratings.*``, ``candidates.*`` and optionally
        ``items.*`` (csv, xlsx, parquet), or an Excel workbook with sheets
        ``ratings``, ``candidates`` and optionally ``items``, or an agency
        workbook (see Notes).
    columns : mapping, optional
        Your header -> canonical column name (e.g. ``{"Nilai Akhir": "score"}``);
        applied before the built-in :data:`COLUMN_ALIASES` (and, in an agency
        workbook, :data:`RECAP_ALIASES`: ``jpm``, ``category``).
    scale : (min, max)
        The rating scale; scores outside it are errors.  Default 1-5 (levels of
        PermenPANRB 38/2017), decimals allowed.
    ranges : mapping, optional
        Plausible ``(min, max)`` of the numeric candidate columns, merged over
        :data:`DEFAULT_RANGES`: ``performance`` 0-120 (SKP scale),
        ``cognitive`` 0-800 (test scores: sum scores, IQ-type and T scores,
        percentiles, TPA 200-800) and ``potential`` 0-120 (potential index or
        JPM %).  A value outside its range is an error naming file, row and
        column.  Give a column a wider pair to accept more
        (``ranges={"performance": (0, 150)}``), ``None`` to switch its check
        off (``ranges={"cognitive": None}``), or ``-inf``/``inf`` as one bound.
        ``inf`` in the data is an error whatever the ranges.
    warn : bool
        Emit non-fatal findings as :class:`DataWarning` (they are also returned
        in ``AssessmentData.warnings``).
    layout : {"auto", "long", "wide"}
        ``"long"``: tidy tables (a directory, or a workbook with a
        ``ratings`` sheet).  ``"wide"``: an agency workbook.  ``"auto"``
        (default): a workbook without a sheet named ``ratings`` is wide,
        everything else long (so long data load exactly as before).
    competencies : mapping, optional
        Agency workbooks only: competency header -> competency id for headers
        that are not among the nine competencies of PermenPANRB 38/2017
        (e.g. ``{"Kemampuan Bekerja Sama": "kerjasama"}``).
    agency : str, optional
        Agency workbooks only: the agency of every candidate when the workbook
        has no agency (instansi) column.

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
        With one line per problem: file (``workbook.xlsx[sheet]`` for a
        sheet), spreadsheet row number(s) (in long tables the header is row
        1; in agency workbooks the rows are the sheet's own), column, what is
        wrong and the fix.
    ValueError
        When ``scale``, ``ranges``, ``layout``, ``competencies`` or ``agency``
        is malformed, or ``competencies``/``agency`` is given for long tables.

    Notes
    -----
    Agency workbooks.  Sheets are told apart by name: the candidates sheet
    (:data:`CANDIDATE_SHEET_NAMES`, e.g. ``Peserta``), the recap sheet
    (:data:`RECAP_SHEET_NAMES` or any name starting with ``rekap``), an
    ``items`` sheet, and exercise sheets (every other sheet with a header row;
    the exercise id is the sheet name in snake_case, ``"In Basket"`` ->
    ``in_basket``).

    * Header row: the first of the first 30 rows holding a candidate id column
      and competency columns (the candidates sheet: the id and two candidate
      columns); rows above it (merged titles) are skipped.  A value merged
      over several rows of one column counts for each row.
    * Competency headers: the nine competencies of PermenPANRB 38/2017 as
      written in agencies ("Orientasi pada Hasil", "Kerja Sama", "1.
      Integritas") or in English; others through ``competencies``.
    * Levels: :func:`parse_level` ("3", "Level 3", "L3", "3 - Menengah",
      "3,5"); an empty cell is not rated; anything else is an error naming
      sheet, row, column and cell.
    * Skipped rows: an empty candidate id, or a cell outside the level
      columns reading :data:`TOTAL_ROW_WORDS` (Jumlah, Total, Rata-rata...).
      Hidden columns and sheets are read like visible ones; all of these are
      named in the warnings.
    * Exercise sheets give one rating per candidate x assessor x competency x
      exercise.  A recap sheet beside them is kept in
      ``AssessmentData.recap`` and never mixed into the ratings; a recap
      sheet alone gives one rating per candidate x competency with exercise
      and assessor ``"rekap"`` (:data:`RECAP_EXERCISE`), good for analyses
      of final levels (achieved levels, JPM, gaps, nine-box) but not for
      assessor agreement, G-studies, exercise effects or MTMM (a warning
      says so).
    * Candidates: the candidates sheet, else the recap's candidate columns.

    ``AssessmentData.reading`` and :meth:`AssessmentData.describe_reading`
    show how each sheet and column was read.

    Examples
    --------
    >>> import psikometri as pk
    >>> data = pk.load_assessment("data_samples", warn=False)
    >>> data.agencies[:2]
    ['badan_riset_contoh', 'kab_sukamaju']
    >>> sorted(data.ratings.columns)[:3]
    ['agency', 'assessment_date', 'assessor']
    >>> book = pk.load_assessment("data_samples/workbook_kab_sukamaju.xlsx", warn=False)
    >>> book.reading["layout"], sorted(book.ratings["exercise"].cat.categories)[:2]
    ('wide', ['analisis_kasus', 'bermain_peran'])
    >>> len(book.ratings) == len(data.for_agency("kab_sukamaju").ratings)
    True
    """
    columns = dict(columns or {})
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {list(LAYOUTS)}; got layout={layout!r}.")
    if agency is not None and not (isinstance(agency, str) and agency.strip()):
        raise ValueError(f"agency must be the agency's name or id as text; got agency={agency!r}.")
    if not (isinstance(scale, (tuple, list)) and len(scale) == 2 and float(scale[0]) < float(scale[1])):
        raise ValueError(f"scale must be a (min, max) pair with min < max; got scale={scale!r}. Use e.g. (1, 5).")
    scale = (float(scale[0]), float(scale[1]))
    ranges = _check_ranges(ranges)
    path = Path(path)
    problems: list[Problem] = []
    notes: list[str] = []
    recap = None
    if _choose_layout(path, layout) == "long":
        if agency is not None:
            raise ValueError(f"agency={agency!r} fills the agency of a wide workbook; long tables carry their own "
                             "'agency' column. Leave agency out, or pass layout='wide' for an agency workbook.")
        if competencies is not None:
            raise ValueError("competencies= maps the competency headers of a wide workbook; long tables name the "
                             "competency in their 'competency' column. Leave competencies out, or pass "
                             "layout='wide' for an agency workbook.")
        tables, colmap, reading = _load_long(path, columns, scale, ranges, problems, notes)
    else:
        tables, colmap, reading, recap = _load_wide(path, columns, competencies, agency, scale, ranges, problems,
                                                    notes)
        problems[:] = list(dict.fromkeys(problems))  # a cell read for two tables is reported once
    if problems:
        raise DataValidationError(problems)

    ratings, candidates, items = tables["ratings"], tables["candidates"], tables.get("items")
    findings = list(notes)
    lonely = _lonely_assessors(ratings)
    if lonely:
        findings.append(f"{len(lonely)} assessor(s) rated only one candidate ({lonely[:5]}); their leniency cannot be "
                        "separated from that candidate's level")
    unrated = sorted(_value_set(candidates["candidate"]) - _value_set(ratings["candidate"]))
    if unrated:
        findings.append(f"{len(unrated)} candidate(s) in the candidates table have no ratings")
    if "performance" in candidates and candidates["performance"].isna().all():
        findings.append("the 'performance' column is empty: predictive validity cannot be estimated")
    if items is not None:
        n_missing = sum(int(np.isnan(items[c].to_numpy()).sum()) if items[c].dtype == np.float64 else
                        int(items[c].isna().sum()) for c in items.columns if c != "candidate")
        if n_missing:
            findings.append(f"items: {n_missing} missing response(s)")

    occ_order = _occasion_order(ratings, candidates)
    if occ_order:
        people = {o: _value_set(ratings.loc[ratings["occasion"] == o, "candidate"]) for o in occ_order}
        for a, b in zip(occ_order, occ_order[1:]):
            if people[a] and people[b] and not people[a] & people[b]:
                findings.append(f"occasions {a!r} and {b!r} share no candidate: their results cannot be linked "
                                "person by person (check that the NIPs are written the same way in both)")
    # categoricals for ids, in a stable (sorted) order; occasions in time order
    # (the candidate column of the ratings takes the candidates table's ids)
    for col in ("agency", "competency", "exercise", "assessor", "round"):
        if col in ratings:
            ratings[col] = _categorical(ratings[col].astype(str))
    candidates["candidate"] = _categorical(candidates["candidate"].astype(str))
    cand_ids = list(candidates["candidate"].cat.categories)
    ratings["candidate"] = _categorical(ratings["candidate"].astype(str), cand_ids)
    for col in ("agency", "position_level", "gender"):
        candidates[col] = _categorical(candidates[col].astype("string"), dropna=True)
    if occ_order:
        ratings["occasion"] = _categorical(ratings["occasion"].astype(str), occ_order, ordered=True)
        if "occasion" in candidates:
            candidates["occasion"] = _categorical(candidates["occasion"].astype("string"), occ_order, ordered=True)
    if items is not None:
        items["candidate"] = _categorical(items["candidate"].astype(str), cand_ids)
    # one row order whatever the order of the files: rows sorted by their ids (categorical codes, i.e. sorted
    # labels), so that everything computed from the data - bootstrap resamples, simulation streams, sums -
    # is the same for the same data
    rkeys = [c for c in ("agency", "occasion", "candidate", "competency", "exercise", "assessor", "round")
             if c in ratings]
    ratings = ratings.sort_values(rkeys, kind="stable")
    candidates = candidates.sort_values(["candidate"] + (["occasion"] if "occasion" in candidates else []),
                                        kind="stable")
    ratings, candidates = ratings.reset_index(drop=True), candidates.reset_index(drop=True)
    if items is not None:
        items = items.sort_values(["candidate"], kind="stable").reset_index(drop=True)
    for df in (ratings, candidates) + ((items,) if items is not None else ()):
        df.attrs.clear()
    if warn:
        for f in findings:
            warnings.warn(f, DataWarning, stacklevel=2)
    if recap is not None:
        recap["candidate"] = pd.Categorical(recap["candidate"].astype(str), categories=cand_ids)
    reading["source"] = str(path)
    return AssessmentData(ratings, candidates, items, tuple(findings), str(path), scale, colmap, recap, reading)


def _lonely_assessors(ratings: pd.DataFrame) -> list:
    """Assessors who rated fewer than two candidates, sorted: ``sorted(per_assessor.index[per_assessor < 2])``
    for ``per_assessor = ratings.groupby("assessor", observed=True)["candidate"].nunique()``, from integer codes
    (rows without an assessor belong to no group; a missing candidate id is not counted)."""
    ca, assessors = pd.factorize(ratings["assessor"])
    cc, cands = pd.factorize(ratings["candidate"])
    both = (ca >= 0) & (cc >= 0)
    width = max(len(cands), 1)
    pairs = np.unique(ca[both].astype(np.int64) * width + cc[both])
    return sorted(assessors[np.bincount(pairs // width, minlength=len(assessors)) < 2])


def _natural_key(label: str):
    """Sort key of an occasion label: numbers (years, cycle numbers) by value, then text."""
    m = re.search(r"\d+(?:[.,]\d+)?", label)
    return (0, float(m.group(0).replace(",", ".")), label) if m else (1, 0.0, label)


def _occasion_order(ratings: pd.DataFrame, candidates: pd.DataFrame) -> list[str]:
    """Occasion labels in time order: by their earliest assessment date when dates are given, else by the
    numbers in their labels (2021 < 2026; siklus 2 < siklus 10), else alphabetically."""
    if "occasion" not in ratings:
        return []
    labels = _value_set(ratings["occasion"].dropna().astype(str))
    if "occasion" in candidates:
        labels |= _value_set(candidates["occasion"].dropna().astype(str))
    if "assessment_date" in ratings and ratings["assessment_date"].notna().any():
        first = ratings.groupby(ratings["occasion"].astype(str))["assessment_date"].min()
        return sorted(labels, key=lambda o: (pd.isna(first.get(o, pd.NaT)),
                                             first.get(o, pd.NaT) if pd.notna(first.get(o, pd.NaT)) else 0,
                                             _natural_key(o)))
    return sorted(labels, key=_natural_key)


def design_summary(ratings: pd.DataFrame, candidates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-agency counts and design completeness of a ratings table.

    ``completeness`` is the share of candidate x competency x exercise cells
    (among the competency x exercise combinations the agency uses at all) that
    hold at least one rating; ``assessors_per_cell`` is the mean number of
    assessors per rated cell.  With an ``occasion`` column a cell is counted
    per occasion, and ``occasions`` gives their number.
    """
    rows = []
    occ = ["occasion"] if "occasion" in ratings.columns else []
    for ag, r in ratings.groupby("agency", observed=True, sort=True):
        cells = r.groupby(occ + ["candidate", "competency", "exercise"], observed=True).size()
        used = r[["competency", "exercise"]].drop_duplicates().shape[0]
        n_cand = r["candidate"].nunique()
        # candidate x occasion: a person assessed twice has two sets of cells
        n_sessions = len(r[occ + ["candidate"]].drop_duplicates()) if occ else n_cand
        row = {
            "agency": str(ag),
            "candidates": int(n_cand),
            "assessors": int(r["assessor"].nunique()),
            "exercises": int(r["exercise"].nunique()),
            "competencies": int(r["competency"].nunique()),
            "ratings": int(len(r)),
            **({"occasions": int(r["occasion"].nunique())} if occ else {}),
            "completeness": float(len(cells) / (n_sessions * used)) if n_sessions and used else float("nan"),
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
