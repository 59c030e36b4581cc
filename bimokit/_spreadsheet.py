"""Text a spreadsheet must never evaluate: one rule for every XLSX and CSV bimokit writes.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula (``=HYPERLINK(…)``) or a DDE command
(``+cmd|' /C calc'!A0``) when the file is opened or the cell edited. Names of Kommunen,
Anbieter, categories and notes come from files other people wrote, so every writer stores
such a text as text:

* in an XLSX workbook the cell keeps its text as a string cell with Excel's "quote prefix"
  (:func:`protect_cell`), so it stays text even when someone edits it;
* in a CSV file the text gets a leading single quote (OWASP, "CSV Injection"):
  ``'=HYPERLINK(…)`` (:func:`csv_text`, :func:`csv_safe`); :func:`csv_unquote` reverses it for
  bimokit's own readers.

Numbers are never touched: ``-5`` in a numeric column stays the number -5. The one text left
as it is is a lone ``-``, the statistical offices' symbol for a true zero: a single sign is no
formula in any spreadsheet, and quoting it would change every status column.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "is_formula_like", "csv_text", "csv_unquote", "csv_safe",
           "csv_restore", "protect_cell", "xlsx_text"]

#: First characters that make a spreadsheet evaluate a text cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Texts that begin with a trigger but are no formula (the true-zero status symbol).
_HARMLESS = frozenset({"-"})

#: Control characters that XML 1.0 (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(value) -> bool:
    """Whether ``value`` is a text that a spreadsheet could evaluate as a formula.

    Examples
    --------
    >>> [is_formula_like(v) for v in ['=1+1', '@SUM(A1)', '+49 89', '-2+3', '\\t=1', 'Kiel']]
    [True, True, True, True, True, False]
    >>> [is_formula_like(v) for v in [-5, 3.5, None, '-', '']]
    [False, False, False, False, False]
    """
    return (isinstance(value, str) and value[:1] in FORMULA_TRIGGERS
            and value not in _HARMLESS)


def _needs_quote(value) -> bool:
    # A text that is already quoted once more gets a further quote, so that csv_unquote
    # gives back exactly what was written ("'=x" -> "''=x" -> "'=x").
    if not isinstance(value, str):
        return False
    return is_formula_like(value) or (value[:1] == "'" and _needs_quote(value[1:]))


def csv_text(value):
    """``value`` as a CSV cell that no spreadsheet evaluates: formula-like text gets a ``'``.

    Examples
    --------
    >>> csv_text('=HYPERLINK("http://x","Musterstadt")')
    '\\'=HYPERLINK("http://x","Musterstadt")'
    >>> csv_text("Musterstadt"), csv_text(-5), csv_text("-")
    ('Musterstadt', -5, '-')
    """
    return "'" + value if _needs_quote(value) else value


def csv_unquote(value):
    """Undo :func:`csv_text`: ``"'=x"`` becomes ``"=x"``; everything else stays.

    Examples
    --------
    >>> csv_unquote("'=1+1"), csv_unquote("'Kiel"), csv_unquote("Kiel")
    ('=1+1', "'Kiel", 'Kiel')
    """
    if isinstance(value, str) and value[:1] == "'" and _needs_quote(value[1:]):
        return value[1:]
    return value


def _is_text_column(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or pd.api.types.is_datetime64_any_dtype(series))


def _replace_texts(frame: pd.DataFrame, change) -> pd.DataFrame:
    """``frame`` with ``change`` applied to the headers and to the texts of its text columns.

    Works on the distinct values of a column (a values table repeats the same few texts in
    100,000 rows), so that only the columns that hold such a text are copied.
    """
    out = frame.copy(deep=False)
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if not _is_text_column(col):
            continue
        texts = [v for v in pd.unique(col.dropna()) if isinstance(v, str)]
        mapping = {v: new for v in texts if (new := change(v)) != v}
        if mapping:
            new = col.astype(object)
            hit = new.isin(list(mapping))
            new[hit] = new[hit].map(mapping)
            if isinstance(col.dtype, pd.StringDtype):
                new = new.astype(col.dtype)
            out.isetitem(i, new)
    out.columns = [change(c) for c in out.columns]
    return out


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` to write as CSV for spreadsheets: headers and text cells quoted.

    Numeric columns are returned as they are; in a text (or mixed) column only the text
    cells that :func:`is_formula_like` finds get the leading ``'``.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["=1+1", "Kiel"], "value": [-5.0, 2.0],
    ...                    "status": ["-", ""]})
    >>> csv_safe(df).to_dict("list")
    {'name': ["'=1+1", 'Kiel'], 'value': [-5.0, 2.0], 'status': ['-', '']}
    """
    return _replace_texts(frame, csv_text)


def csv_restore(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_safe` on a frame read back from CSV (headers and text cells).

    Examples
    --------
    >>> df = pd.DataFrame({"'=n": ["'=1+1", "Kiel"], "value": [-5.0, 2.0]})
    >>> csv_restore(df).to_dict("list")
    {'=n': ['=1+1', 'Kiel'], 'value': [-5.0, 2.0]}
    """
    return _replace_texts(frame, csv_unquote)


def xlsx_text(value):
    """A text as an XLSX cell can hold it: control characters XML forbids are removed.

    Other values are returned as they are.

    Examples
    --------
    >>> xlsx_text("Kiel\\x00\\x1b"), xlsx_text(3)
    ('Kiel', 3)
    """
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)
    return value


def protect_cell(cell) -> None:
    """Keep an openpyxl cell's formula-like text a text (string type, quote prefix).

    openpyxl stores a text that starts with ``=`` as a formula; this sets the cell back to a
    string cell and sets Excel's quote prefix, so that editing the cell does not turn it into
    a formula either. Numbers and other texts are left alone.
    """
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
