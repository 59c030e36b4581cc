"""Status arithmetic: the statistical offices' symbols carried through sums and ratios.

Each value carries the symbol of the counts it was built from. When several counts meet (a sum
over age groups, a numerator and a denominator, Kreise summed to a Land) the status with the
highest precedence wins, in this order::

    "."  >  "/"  >  "!"  >  "x"  >  "..."  >  "()"  >  "s"  >  "p"  >  "r"  >  "0"  >  ""  >  "-"

``.`` ``/`` ``!`` ``x`` ``...`` make the value NaN: nothing computed from a secret or unknown count
is published. ``!`` is bimokit's own mark for a value that cannot be true (a share above 100 %,
a negative count, a rate from one): it is never published either, and tables say "nicht
plausibel". ``()`` ``s`` ``p`` ``r`` keep the value and the flag. ``-`` is a true zero: it only
survives where every count was ``-`` (a count indicator that is zero), otherwise a plain
status wins. A zero denominator gives NaN with status ``x`` (not meaningful).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._schema import MISSING_STATUS

__all__ = ["STATUS_PRECEDENCE", "combine_status"]

#: Status symbols from highest to lowest precedence (see the module docstring).
STATUS_PRECEDENCE = (".", "/", "!", "x", "...", "()", "s", "p", "r", "0", "", "-")


def status_ranks(status: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Rank of every status (0 = highest precedence) and the names by rank."""
    s = status.astype(object).where(status.notna(), "").astype(str).str.strip()
    known = set(STATUS_PRECEDENCE)
    others = sorted(set(s.unique()) - known)
    names = list(STATUS_PRECEDENCE[:-2]) + others + list(STATUS_PRECEDENCE[-2:])
    lookup = {n: i for i, n in enumerate(names)}
    return s.map(lookup).to_numpy(dtype="int64"), names


def combine_status(statuses: Iterable[str]) -> str:
    """Return the status of a value built from counts with these statuses.

    Parameters
    ----------
    statuses : iterable of str
        Status symbols of the counts (``""`` plain).

    Returns
    -------
    str
        The symbol with the highest precedence (see the module docstring); ``-`` only
        where every count was ``-``.

    Examples
    --------
    >>> combine_status(["", "p", "."])
    '.'
    >>> combine_status(["-", ""])
    ''
    >>> combine_status(["-", "-"])
    '-'
    >>> combine_status(["r", "()"])
    '()'
    """
    s = pd.Series(list(statuses), dtype=object)
    if s.empty:
        return ""
    ranks, names = status_ranks(s)
    return names[int(ranks.min())]


def is_missing_rank(rank: np.ndarray, names: list[str]) -> np.ndarray:
    missing = [i for i, n in enumerate(names) if n in MISSING_STATUS]
    return np.isin(rank, missing)


def group_ids(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Group number of every row (first-seen order) and the first row of every group."""
    combined = np.zeros(len(df), dtype="int64")
    for k in keys:
        codes, uniques = pd.factorize(df[k], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    ids, _ = pd.factorize(combined)
    first = np.unique(ids, return_index=True)[1] if len(ids) else np.array([], dtype="int64")
    return ids, first


def sum_groups(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``value`` by ``keys``: NaN where any part is missing; min ``rank``; count ``n``.

    ``df`` has columns ``value`` (float), ``rank`` (int, status rank) and ``miss`` (bool).
    Vectorised with numpy (``bincount``), keys in first-seen order.
    """
    ids, first = group_ids(df, keys)
    m = len(first)
    value = df["value"].to_numpy(dtype="float64")
    miss = df["miss"].to_numpy(dtype=bool) | np.isnan(value)
    sums = np.bincount(ids, weights=np.where(miss, 0.0, value), minlength=m)
    anymiss = np.bincount(ids, weights=miss.astype("float64"), minlength=m) > 0
    rank = np.full(m, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(rank, ids, df["rank"].to_numpy(dtype="int64"))
    out = df[keys].iloc[first].reset_index(drop=True)
    out["value"] = np.where(anymiss, np.nan, sums)
    out["rank"] = rank
    out["miss"] = anymiss
    out["n"] = np.bincount(ids, minlength=m).astype("int64")
    return out


