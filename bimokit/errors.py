"""Errors bimokit raises for input it cannot use.

Every error a user can cause is a :class:`BimokitError` (a ``ValueError``), with a message in
plain words that names the file, line and field where there is one. No pandas traceback should
reach a user: readers catch what pandas raises and re-raise it as an :class:`InputError`.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "BimokitError",
    "InputError",
    "UnknownTableError",
    "CatalogueError",
    "UnknownRegionError",
    "ParameterError",
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


class InputWarning(UserWarning):
    """A file was read, but part of it was left out on purpose (the message says which)."""
