"""Several editions of one table: the newest ``Stand`` wins.

An office republishes a table with corrected values and further years; a data folder may hold
several of these editions (``21111-02-06-4_stand-2019.csv`` and ``…_stand-2025.csv``). Where
they hold the same observation, the value of the newest edition is the one to use. This
module is the one place that rule is written down: :func:`newest_first` orders rows by it and
:func:`newest_edition` keeps the winner of every observation.

The rule: a newer ``Stand`` wins; a row without a ``Stand`` (flat CSV, own tables) counts as
the oldest; between equal ``Stand`` dates the later row wins (files are read in the order of
their names, so the later file name).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["newest_first", "newest_edition"]


def newest_first(stand) -> np.ndarray:
    """Positions of the rows from the newest ``Stand`` to the oldest.

    Parameters
    ----------
    stand : sequence of date, str or None
        The ``Stand`` of every row (anything :func:`pandas.to_datetime` reads); None or
        unreadable counts as the oldest.

    Returns
    -------
    numpy.ndarray of int
        Row positions, newest first; among equal ``Stand`` the later row first.

    Examples
    --------
    >>> import datetime
    >>> newest_first([datetime.date(2019, 12, 11), None, datetime.date(2025, 3, 3),
    ...               datetime.date(2019, 12, 11)]).tolist()
    [2, 3, 0, 1]
    """
    when = pd.to_datetime(pd.Series(list(stand), dtype=object), errors="coerce")
    ns = when.to_numpy(dtype="datetime64[ns]").astype("int64")  # NaT is the smallest
    n = len(ns)
    return np.lexsort((np.arange(n), ns))[::-1]


def newest_edition(frame: pd.DataFrame, key: Sequence[str], *,
                   stand: str = "stand") -> np.ndarray:
    """Which rows to keep where several editions hold the same observation.

    Parameters
    ----------
    frame : DataFrame
        Rows of one or more editions, with the ``key`` columns and a ``stand`` column.
    key : sequence of str
        The columns that name an observation (``ags, year, variable, <dimensions…>``);
        missing values count as equal.
    stand : str
        The column with the ``Stand`` of every row.

    Returns
    -------
    numpy.ndarray of bool
        True for the row of every key that :func:`newest_first` puts first.

    Examples
    --------
    >>> import datetime
    >>> f = pd.DataFrame({"ags": ["01001", "01001", "01002"], "year": [2018, 2018, 2018],
    ...                   "stand": [datetime.date(2019, 12, 11), datetime.date(2025, 3, 3),
    ...                             None]})
    >>> newest_edition(f, ["ags", "year"]).tolist()
    [False, True, True]
    """
    order = newest_first(frame[stand].to_numpy(dtype=object))
    keys = frame[list(key)].astype(object)
    keys = keys.where(keys.notna(), "").iloc[order]
    keep = np.zeros(len(frame), dtype=bool)
    keep[order[~keys.duplicated(keep="first").to_numpy()]] = True
    return keep
