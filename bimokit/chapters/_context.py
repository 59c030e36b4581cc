"""What the chapters of one kernel share: loaded data sets and results the same for every
Kommune (one :class:`ChapterContext` per process)."""

from __future__ import annotations

import itertools
from pathlib import Path

from .._paths import sample_dir
from ..errors import InputError

__all__ = ["ChapterContext", "CONTEXT"]


class ChapterContext:
    """Data sets and shared results of the chapters built in one process (kernel).

    A kernel that builds several chapters (a batch worker, a test) reads each data folder
    once: :meth:`dataset` keys it by folder and file modification times and gives every load
    a new token. :meth:`shared` keeps what derives from a data set and is the same for every
    Kommune of a batch (a Land's source tables, the region names, the geometry, extra
    indicators, the Sozialindex of the Kreise …), keyed by (token, values file, chapter,
    years, …): the next Kommune's chapters only select and draw. Loading another folder
    clears both.

    Examples
    --------
    >>> ctx = ChapterContext()
    >>> token, ds = ctx.dataset("")
    >>> ctx.dataset("")[1] is ds
    True
    >>> ctx.shared(("answer", token), lambda: 42), ctx.shared(("answer", token), lambda: 0)
    (42, 42)
    """

    #: most shared results kept; beyond it the store starts afresh
    max_shared = 2048

    def __init__(self) -> None:
        self.datasets: dict = {}
        self.results: dict = {}
        self._tokens = itertools.count(1)

    def dataset(self, data: str = ""):
        """``(token, Dataset)`` of a data folder (``""``: the embedded sample), loaded once."""
        from ..data import load_data

        folder = sample_dir("musterland") if data in ("", None) else Path(data)
        if not folder.exists():
            raise InputError("no such data folder", path=folder)
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())) \
            if folder.is_dir() else (folder.name, folder.stat().st_mtime_ns)
        key = (str(folder.resolve()), stamp)
        if key not in self.datasets:
            self.clear()
            self.datasets[key] = (next(self._tokens), load_data(folder))
        return self.datasets[key]

    def shared(self, key: tuple, make):
        """``make()`` once per context for ``key``; the result is read only."""
        try:
            return self.results[key]
        except KeyError:
            pass
        value = make()
        if len(self.results) >= self.max_shared:
            self.results.clear()
        self.results[key] = value
        return value

    def clear(self) -> None:
        """Forget every data set and shared result."""
        self.datasets.clear()
        self.results.clear()


#: The context of this process (kernel).
CONTEXT = ChapterContext()
