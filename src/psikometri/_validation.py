"""Input validation shared by the public functions.

Every check raises a ``ValueError`` or ``TypeError`` whose message names the
parameter, shows the offending value (with row and column for data) and says how
to fix it.  Inputs are never modified: helpers return new arrays.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "check_dataframe",
    "check_columns",
    "check_items",
    "check_choice",
    "check_level",
    "check_probability",
    "check_positive_int",
    "check_real",
    "check_seed",
    "validates_seed",
    "first_bad_cells",
    "numeric_column",
    "plain",
    "check_unique_columns",
    "check_text_distinct",
    "sorted_labels",
]


def plain(value):
    """A numpy scalar as the Python value it holds (messages then show ``4``, not ``np.int64(4)``).

    A tuple (a MultiIndex label) is converted element by element.
    """
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(plain(v) for v in value)
    return value.item() if isinstance(value, np.generic) else value


def _row_label(index, pos: int) -> str:
    lab = plain(index[pos])
    return f"row {lab!r}" if not isinstance(index, pd.RangeIndex) else f"row {pos}"


def first_bad_cells(mask: np.ndarray, index, columns, limit: int = 5) -> str:
    """Describe up to ``limit`` True cells of a 2-D ``mask`` as 'row r, column c'."""
    rows, cols = np.nonzero(mask)
    parts = [f"{_row_label(index, r)}, column {plain(columns[c])!r}" for r, c in zip(rows[:limit], cols[:limit])]
    more = f" (and {len(rows) - limit} more)" if len(rows) > limit else ""
    return "; ".join(parts) + more


def check_dataframe(data, name: str = "data") -> pd.DataFrame:
    """Require a pandas DataFrame (a 2-D ndarray is accepted and wrapped)."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, np.ndarray) and data.ndim == 2:
        return pd.DataFrame(data)
    raise TypeError(
        f"{name} must be a pandas DataFrame (rows = observations, columns = variables); got "
        f"{type(data).__name__}. Convert it with pandas.DataFrame(...)."
    )


def check_unique_columns(data: pd.DataFrame, name: str = "data", columns=None) -> None:
    """Require that no two columns of ``data`` share a name (a repeated name makes ``data[col]`` a DataFrame).

    With ``columns``, only those names (the ones a function reads) must be unique.
    """
    dup = data.columns[data.columns.duplicated()]
    if columns is not None:
        wanted = set(columns)
        dup = [c for c in dup if c in wanted]
    if len(dup):
        names = list(dict.fromkeys(plain(c) for c in dup))
        raise ValueError(f"{name} has duplicated column names {names}; give every column a unique name "
                         f"(e.g. {name}.columns = [...] or {name}.loc[:, ~{name}.columns.duplicated()]).")


def check_text_distinct(values, what: str) -> None:
    """Raise when two distinct ``values`` read the same as text (``1`` and ``"1"``): ids differing only in type.

    ``what`` names the values in the message, e.g. ``"data column 'candidate'"``.
    """
    uniq = pd.unique(np.asarray(list(values) if not isinstance(values, (pd.Series, pd.Index, np.ndarray))
                                else values, dtype=object))
    seen: dict[str, object] = {}
    for v in uniq:
        if v is None or (isinstance(v, float) and v != v):
            continue
        k = str(plain(v))
        if k in seen and type(plain(seen[k])) is not type(plain(v)):
            a, b = plain(seen[k]), plain(v)
            raise ValueError(
                f"{what} holds values that differ only in type: {a!r} ({type(a).__name__}) and {b!r} "
                f"({type(b).__name__}) would be taken for two different ids. Convert the column with "
                ".astype(str) (or to numbers) so that each id is written one way."
            )
        seen.setdefault(k, v)


def sorted_labels(values) -> list:
    """The distinct values (NaN excluded) in sorted order; values of mixed types by type name, then as text."""
    uniq = [plain(v) for v in pd.unique(np.asarray(values, dtype=object)) if not pd.isna(v)]
    try:
        return sorted(uniq)
    except TypeError:
        return sorted(uniq, key=lambda v: (type(v).__name__, str(v)))


def check_columns(data: pd.DataFrame, columns: Iterable[str], name: str = "data") -> None:
    """Require that all ``columns`` exist in ``data``."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{name} has no column(s) {missing}; its columns are {list(map(str, data.columns))}. "
            f"Rename the columns or pass the right names."
        )


_ID_NAMES = frozenset({
    "candidate", "candidate_id", "kandidat", "peserta", "nip", "id", "person", "person_id", "respondent",
    "respondent_id", "responden", "participant", "participant_id", "nama", "name",
})


def _looks_like_id(column) -> bool:
    """Whether a column name is that of an identifier (candidate, nip, id, ..._id) rather than an item."""
    key = str(column).strip().lower().replace(" ", "_").replace("-", "_")
    return key in _ID_NAMES or key.startswith("id_") or key.endswith("_id")


def check_items(
    items,
    *,
    name: str = "items",
    min_items: int = 2,
    min_rows: int = 3,
    missing: str = "listwise",
    allow_constant: bool = False,
) -> pd.DataFrame:
    """Validate an items DataFrame (rows = respondents, columns = items).

    Returns a float64 copy with all-NaN rows removed.  With
    ``missing="listwise"`` rows with any NaN are removed as well.

    Raises a clear error for: non-DataFrame input, identifier columns (named
    like ``candidate``, ``nip``, ``id``, ``..._id``, or holding text), fewer than
    ``min_items`` columns, non-numeric columns (naming the first bad cell),
    infinite values, fewer than ``min_rows`` usable rows, and constant items.
    """
    df = check_dataframe(items, name)
    for c in df.columns:
        if _looks_like_id(c):
            raise ValueError(
                f"{name} column {plain(c)!r} looks like a respondent identifier, not an item: it would be scored as "
                "one (an id or NIP as a score makes the coefficient meaningless). Pass "
                f"{name}.drop(columns={plain(c)!r}), or make it the index with {name}.set_index({plain(c)!r})."
            )
    if df.shape[1] < min_items:
        raise ValueError(
            f"{name} needs at least {min_items} item columns; got {df.shape[1]} "
            f"({list(map(str, df.columns))}). Pass a DataFrame with one column per item."
        )
    if df.columns.duplicated().any():
        dup = list(df.columns[df.columns.duplicated()])
        raise ValueError(f"{name} has duplicated column names {dup}. Give every item a unique name.")
    bad_cols = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            conv = pd.to_numeric(s, errors="coerce")
            bad = conv.isna() & s.notna()
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise TypeError(
                    f"{name} column {c!r} is not numeric: {_row_label(df.index, pos)} holds "
                    f"{plain(s.iloc[pos])!r}. Recode the responses as numbers (NaN for missing)."
                )
            dt = s.dtype.categories.dtype if isinstance(s.dtype, pd.CategoricalDtype) else s.dtype
            if pd.api.types.is_object_dtype(dt) or pd.api.types.is_string_dtype(dt):
                raise TypeError(
                    f"{name} column {c!r} holds text (dtype {s.dtype}), not numbers. If it identifies respondents "
                    f"(e.g. NIPs kept as text), drop it with {name}.drop(columns={c!r}) or make it the index with "
                    f"{name}.set_index({c!r}); if it holds scores stored as text, convert them first with "
                    f"{name}.apply(pandas.to_numeric)."
                )
            bad_cols.append(c)
    arr = df.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan) if bad_cols else (
        df.to_numpy(dtype=float, na_value=np.nan)
    )
    if np.isinf(arr).any():
        raise ValueError(
            f"{name} contains infinite values at {first_bad_cells(np.isinf(arr), df.index, df.columns)}. "
            "Replace them with NaN (missing) or valid scores."
        )
    keep = ~np.isnan(arr).all(axis=1)
    if missing == "listwise":
        keep &= ~np.isnan(arr).any(axis=1)
    out = pd.DataFrame(arr[keep], index=df.index[keep], columns=df.columns)
    if out.shape[0] < min_rows:
        what = "complete rows (no missing item)" if missing == "listwise" else "rows with any response"
        raise ValueError(
            f"{name} has {out.shape[0]} {what}; at least {min_rows} are needed. "
            "Provide more respondents" + (" or use missing='pairwise'." if missing == "listwise" else ".")
        )
    if not allow_constant:
        sd = out.std(axis=0, ddof=1)
        const = [str(c) for c in out.columns[(sd.fillna(0.0).to_numpy() == 0.0)]]
        if const:
            raise ValueError(
                f"{name} has constant item(s) {const}: every respondent gave the same answer, so the item carries "
                "no information and correlations with it are undefined. Drop these columns."
            )
    return out


def check_choice(value, choices: Sequence, name: str):
    """Require ``value`` in ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {name}={value!r}.")
    return value


def check_level(level, name: str = "level") -> float:
    """Require a confidence level strictly between 0 and 1."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not (0.0 < float(level) < 1.0):
        raise ValueError(f"{name} must be a number strictly between 0 and 1; got {name}={level!r}. Use e.g. 0.95.")
    return float(level)


def check_probability(value, name: str, *, low_open: bool = True, high_open: bool = False) -> float:
    """Require a number in (0, 1] (bounds' openness configurable)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok:
        v = float(value)
        ok = (v > 0 if low_open else v >= 0) and (v < 1 if high_open else v <= 1)
    if not ok:
        lo = "(0" if low_open else "[0"
        hi = "1)" if high_open else "1]"
        raise ValueError(f"{name} must be a number in {lo}, {hi}; got {name}={value!r}.")
    return float(value)


def check_seed(seed, name: str = "seed"):
    """Raise for a seed that no bootstrap could use, even when no bootstrap runs (a bad seed is never ignored).

    Valid: ``None``, a non-negative integer, a ``numpy.random.Generator`` (as
    :func:`psikometri._resampling.resolve_seed`, without importing numba).
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be None, a non-negative integer or a numpy.random.Generator; got "
                        f"{plain(seed)!r} of type {type(seed).__name__}. Pass e.g. {name}=2024.")
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {name}={plain(seed)}. Pass e.g. {name}=2024.")
    return seed


def validates_seed(fn):
    """Decorator: check the ``seed`` keyword of ``fn`` with :func:`check_seed` before it runs."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if "seed" in kwargs:
            check_seed(kwargs["seed"])
        return fn(*args, **kwargs)

    return wrapper


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Require an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {name}={value!r}.")
    return int(value)


def check_real(value, name: str) -> float:
    """Require a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {name}={value!r}.")
    return float(value)


def numeric_column(df: pd.DataFrame, column: str, role: str = "score", *, table: str = "data",
                   fix: str = "Recode the scores as numbers.", positional: bool = False) -> pd.Series:
    """Column ``column`` of ``df`` as numbers; a TypeError names the first non-numeric row if it is not numeric.

    The message reads "``table`` column ``column`` (``role``) is not numeric: row ... holds ...", then ``fix``;
    with ``positional`` the row of a default (range) index is named by its position.
    """
    s = df[column]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        conv = pd.to_numeric(s, errors="coerce")
        bad = (conv.isna() & s.notna()).to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            where = _row_label(df.index, pos) if positional else f"row {plain(df.index[pos])!r}"
            raise TypeError(
                f"{table} column {column!r} ({role}) is not numeric: {where} holds {plain(s.iloc[pos])!r}. {fix}"
            )
        s = conv
    return s
