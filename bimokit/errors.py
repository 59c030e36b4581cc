"""Errors bimokit raises for input it cannot use.

Every error a user can cause is a :class:`BimokitError` (a ``ValueError``), with a message in
plain words that names the file, line and field where there is one. No pandas traceback should
reach a user: readers catch what pandas raises and re-raise it as an :class:`InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

__all__ = [
    "BimokitError",
    "InputError",
    "Problem",
    "InputProblems",
    "UnknownTableError",
    "CatalogueError",
    "UnknownRegionError",
    "ParameterError",
    "DownloadError",
    "InputWarning",
]


class BimokitError(ValueError):
    """Base class of every error bimokit raises for bad input or bad parameters."""


class InputError(BimokitError):
    """A file (or table) that cannot be read as what it claims to be.

    Parameters
    ----------
    message : str
        What is wrong and what was expected, in plain words.
    path : str or PathLike, optional
        The file.
    line : int, optional
        1-based line number in the file.
    field : str, optional
        Column name or 1-based column number.

    Examples
    --------
    >>> str(InputError("value 'abc' is neither a number nor a known symbol",
    ...                path="x.csv", line=12, field="4"))
    "x.csv, line 12, field 4: value 'abc' is neither a number nor a known symbol"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike | None = None,
        line: int | None = None,
        field: str | int | None = None,
    ) -> None:
        self.reason = message
        self.path = None if path is None else str(path)
        self.line = line
        self.field = None if field is None else str(field)
        where = []
        if self.path is not None:
            where.append(self.path)
        if line is not None:
            where.append(f"line {line}")
        if self.field is not None:
            where.append(f"field {self.field}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class Problem:
    """One problem found in a file the Kommune keeps itself (Zielwerte, Angebote …).

    Parameters
    ----------
    message : str
        What is wrong, in German.
    path : str, optional
        The file.
    line : int, optional
        1-based line of the file (row of the sheet for a workbook).
    field : str, optional
        The column as its header names it in the file.
    sheet : str, optional
        Sheet of a workbook.
    severity : {"Fehler", "Hinweis"}
        A ``Fehler`` stops the file from being used; a ``Hinweis`` is warned about.

    Examples
    --------
    >>> str(Problem("'inf' ist keine endliche Zahl", path="/tmp/zielwerte.csv", line=5,
    ...             field="target_value"))
    "zielwerte.csv, Zeile 5, Feld target_value: 'inf' ist keine endliche Zahl"
    """

    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None
    sheet: str | None = None
    severity: str = "Fehler"

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(Path(self.path).name)
        if self.sheet is not None:
            where.append(f"Blatt {self.sheet}")
        if self.line is not None:
            where.append(f"Zeile {self.line}")
        if self.field is not None:
            where.append(f"Feld {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class InputProblems(InputError):
    """Every problem of one file at once: one error that carries the list.

    ``str(error)`` names the file, then one line per problem (file name, sheet, line, field
    and message, in German), the errors first, then the remarks (``Hinweis``). ``path``,
    ``line`` and ``field`` are those of the first error.

    Parameters
    ----------
    problems : sequence of Problem
        At least one with severity ``Fehler``.
    path : str or PathLike, optional
        The file (default: that of the first problem).

    Examples
    --------
    >>> err = InputProblems([Problem("Pflichtfeld ist leer", path="a.csv", line=3,
    ...                              field="Zielwert"),
    ...                      Problem("'inf' ist keine endliche Zahl", path="a.csv", line=4,
    ...                              field="Zielwert")])
    >>> print(err)
    a.csv: 2 Fehler, die Datei wurde nicht übernommen:
      a.csv, Zeile 3, Feld Zielwert: Pflichtfeld ist leer
      a.csv, Zeile 4, Feld Zielwert: 'inf' ist keine endliche Zahl
    >>> err.line, len(err.problems)
    (3, 2)
    """

    def __init__(self, problems, *, path: str | PathLike | None = None) -> None:
        problems = tuple(problems)
        errors = [p for p in problems if p.severity != "Hinweis"]
        notes = [p for p in problems if p.severity == "Hinweis"]
        first = errors[0] if errors else (problems[0] if problems else Problem(""))
        where = str(path) if path is not None else (first.path or "")
        lines = [f"{where + ': ' if where else ''}{len(errors)} Fehler, die Datei wurde "
                 "nicht übernommen:"]
        lines += [f"  {p}" for p in errors]
        if notes:
            lines.append("Hinweise:")
            lines += [f"  {p}" for p in notes]
        super().__init__("\n".join(lines))
        self.problems = problems
        self.errors = tuple(errors)
        self.notes = tuple(notes)
        self.path = where or None
        self.line = first.line
        self.field = first.field
        self.sheet = first.sheet
class UnknownTableError(InputError):
    """An export of a table the catalogue has no table mapping for (and whose variables are
    not vocabulary names): :func:`bimokit.data.load_data` skips such a file with an
    :class:`InputWarning`, or refuses it with ``strict=True``."""


class CatalogueError(BimokitError):
    """An indicator catalogue entry (or table mapping) that is not valid."""


class UnknownRegionError(BimokitError):
    """An AGS that is malformed or not in the region table at hand."""


class ParameterError(BimokitError):
    """A function or command-line parameter outside what is allowed."""


class DownloadError(BimokitError):
    """A download that cannot reach its server (no network, unknown host, refused)."""


class InputWarning(UserWarning):
    """A file was read, but part of it was left out on purpose (the message says which)."""
