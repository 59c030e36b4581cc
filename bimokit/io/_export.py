"""The value every reader returns."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Export"]


@dataclass(frozen=True, eq=False)
class Export:
    """One export file, read: its facts, the regions it names and its metadata.

    Attributes
    ----------
    facts : pandas.DataFrame
        One observation a row, columns ``ags, year, variable, <dims…>, value, status, source``
        (see ``docs/data_contract.md``): ``ags`` str as published, ``year`` int, ``variable``
        the published label of the measure, one str column per dimension (``Insgesamt``
        where a value column does not break the dimension down), ``value`` float (NaN for a
        secret or missing cell), ``status`` the published symbol (``""`` plain, ``-``, ``.``,
        ``x``, ``...``, ``/``, ``()``, ``p``, ``r``, ``s``), ``source`` the table code.
    regions : pandas.DataFrame
        Columns ``ags, name, level``: every region the file has a row for, name as
        published (stripped), level ``bund``/``land``/``regbez``/``kreis``/``gemeinde``
        (``sozialraum`` in own tidy files).
    table_code : str or None
        ``"21111-01-03-4"``.
    title : str
        The title lines joined with one space.
    stand : datetime.date or None
        Date of the ``Stand:`` line in the footer.
    units : dict of str to str
        Variable → unit as published (``Anzahl``, ``Tsd. EUR``, ``EUR``, ``%``).
    notes : str
        The notes of the footer.
    path : str
        The file read.
    regions_from : str
        Where the region of each fact comes from: ``"code"`` (a key column, the usual
        Regionalstatistik layout and flat files), ``"name"`` (Land names without keys,
        GENESIS-Online tables such as 12411-0010, mapped to keys; ``Insgesamt`` →
        ``DG``), ``"header"`` (Länder as columns, 12411-0012) or ``"none"`` (no regional
        breakdown: every fact is ``DG``, Deutschland).
    """

    facts: pd.DataFrame
    regions: pd.DataFrame
    table_code: str | None = None
    title: str = ""
    stand: datetime.date | None = None
    units: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    path: str = ""
    regions_from: str = "code"

    @property
    def dimensions(self) -> list[str]:
        """Names of the dimension columns of ``facts``, in column order."""
        fixed = {"ags", "year", "variable", "value", "status", "source"}
        return [c for c in self.facts.columns if c not in fixed]

    def __repr__(self) -> str:
        return (
            f"Export(table_code={self.table_code!r}, rows={len(self.facts)}, "
            f"regions={len(self.regions)}, stand={self.stand!r}, path={self.path!r})"
        )
