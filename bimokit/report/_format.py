"""German number formats and column labels for what a report reader sees."""

from __future__ import annotations

import math
import numbers

__all__ = ["format_number", "format_value", "column_label", "COLUMN_LABELS", "is_missing"]

#: German headers for the column names the library's result tables use.
COLUMN_LABELS = {
    "ags": "AGS",
    "name": "Name",
    "level": "Ebene",
    "parent": "Übergeordnete Region",
    "kreistyp": "Kreistyp",
    "year": "Jahr",
    "indicator": "Indikator",
    "title": "Titel",
    "variable": "Merkmal",
    "numerator": "Zähler",
    "denominator": "Nenner",
    "value": "Wert",
    "ci_low": "Konfidenzintervall unten",
    "ci_high": "Konfidenzintervall oben",
    "status": "Status",
    "source": "Quelle",
    "unit": "Einheit",
    "geschlecht": "Geschlecht",
    "nationalitaet": "Nationalität",
    "altersgruppe": "Altersgruppe",
    "schulart": "Schulart",
    "schulart_beruflich": "Schulart (beruflich)",
    "abschluss": "Abschluss",
    "betreuungsumfang": "Betreuungsumfang",
    "rank": "Rang",
    "difference": "Differenz",
    "target": "Zielwert",
    "first_year": "Erstes Jahr",
    "last_year": "Letztes Jahr",
    "n_years": "Anzahl Jahre",
    "slope": "Steigung",
}


def column_label(name) -> str:
    """German header for a column name.

    Examples
    --------
    >>> column_label("ci_low"), column_label("Betreuungsquote")
    ('Konfidenzintervall unten', 'Betreuungsquote')
    """
    return COLUMN_LABELS.get(str(name), str(name))


def is_missing(value) -> bool:
    """True for None, NaN, NA and NaT."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        pass
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value, decimals: int | None = None, *, missing: str = "–") -> str:
    """Format a number the German way: ``1.234,5``.

    Parameters
    ----------
    value : number or None
        The number; None, NaN and NA give ``missing``.
    decimals : int, optional
        Digits after the comma. Default: 0 for whole numbers, 1 otherwise.
    missing : str
        What to show for a missing value.

    Examples
    --------
    >>> format_number(1234567), format_number(12.345), format_number(0.5, 2)
    ('1.234.567', '12,3', '0,50')
    >>> format_number(float("nan")), format_number(-1234.56, 1)
    ('–', '-1.234,6')
    """
    if is_missing(value):
        return missing
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    x = float(value)
    if math.isinf(x):
        return missing
    if decimals is None:
        decimals = 0 if x.is_integer() else 1
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_value(value, unit: str = "", decimals: int | None = None, *, status: str = "") -> str:
    """Format a value with its unit for a table cell: ``12,3 %``, ``24.415 EUR``, ``1.234``.

    A value with a published status that hides it (``.`` secret, ``x`` not meaningful, ``/``
    unreliable, ``...`` later) shows the symbol instead of a number.

    Examples
    --------
    >>> format_value(12.34, "%"), format_value(24415, "EUR"), format_value(1234, "Anzahl")
    ('12,3 %', '24.415 EUR', '1.234')
    >>> format_value(float("nan"), "%", status=".")
    '.'
    """
    if status and status not in ("", "p", "r", "s", "()") and is_missing(value):
        return status
    if is_missing(value):
        return "–"
    text = format_number(value, decimals)
    unit = (unit or "").strip()
    if unit in ("", "Anzahl"):
        return text
    return f"{text} {unit}"
