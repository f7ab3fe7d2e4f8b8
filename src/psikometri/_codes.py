"""Integer codes of id columns, the first step of every long-format input (private).

Long AC data (one row per rating) are turned into arrays once: each id column becomes integer codes in the
sorted order of its labels, and tables are filled by scattering values at those codes with numpy, with
duplicates found from the codes - never through ``pivot``, ``unstack`` or ``duplicated`` on the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["sorted_codes"]


def sorted_codes(col: pd.Series):
    """``pandas.factorize(col, sort=True)``, computed as a hash factorisation and a sort of the few uniques.

    Integer ids in a compact range skip the hashing: the codes come from one
    ``bincount`` of the offsets.
    """
    if col.dtype == object and len(col) and pd.api.types.infer_dtype(col, skipna=False) == "integer":
        try:
            col = col.astype(np.int64)  # ints held as Python objects (e.g. melted integer column labels)
        except (OverflowError, ValueError, TypeError):  # beyond int64: hash them as they are
            pass
    if (pd.api.types.is_integer_dtype(col.dtype) and not isinstance(col.dtype, pd.CategoricalDtype) and len(col)
            and not col.isna().any() and not (pd.api.types.is_unsigned_integer_dtype(col.dtype)
                                              and int(col.max()) >= 2**63)):
        from . import _codes_kernels as K

        v = np.ascontiguousarray(col.to_numpy(dtype=np.int64))
        lo, hi = (int(b) for b in K.int_bounds(v))
        if hi - lo <= 4 * len(v) + 1024:
            codes = np.empty(len(v), dtype=np.int64)
            present = K.compact_int_codes(v, lo, hi - lo + 1, codes)
            return codes, pd.Index(present + lo, dtype=col.dtype)
    if isinstance(col.dtype, pd.CategoricalDtype):  # category order, from the codes
        return pd.factorize(col, sort=True)
    codes, uniq = pd.factorize(col, sort=False)
    try:
        order = np.argsort(np.asarray(uniq), kind="stable")
    except TypeError:  # labels of mixed types: let pandas order them
        return pd.factorize(col, sort=True)
    if (order == np.arange(len(order))).all():  # first appearance already in sorted order
        return codes.astype(np.int64, copy=False), uniq
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # a missing id (code -1) indexes the last slot and stays -1
    return rank[codes], uniq.take(order)
