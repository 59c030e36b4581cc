"""German number formatting: ``1.234,5``, ``12,3 %``, ``1,4 Prozentpunkte``.

Every number a report reader sees goes through these helpers, so charts, tables and
Kernaussagen round and write numbers the same way:

* decimal comma and a dot as thousands separator (``1.234,5``);
* rounding half away from zero on the decimal value as written (``7,05`` → ``7,1``), not
  Python's round-half-even on the binary value;
* a missing value (``None``, NaN, ``pd.NA``) becomes a placeholder (``–`` by default), never
  the string ``nan``;
* ``-0,0`` is written ``0,0``.

Units understood by :func:`fmt_value` and :func:`fmt_diff` (see :func:`normalize_unit`):
``%`` (differences in Prozentpunkten), ``‰`` (Promillepunkte), ``je 1.000 …`` rates,
``EUR``/``Tsd. EUR`` and ``Anzahl`` (no suffix).

Table cells and column headers of the report (:mod:`bimokit.report`) use
:func:`format_number`, :func:`format_value` and :func:`column_label` from here too: there is
one implementation of German number formatting in bimokit.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ._schema import IMPLAUSIBLE
from .errors import ParameterError

__all__ = [
    "PLACEHOLDER",
    "IMPLAUSIBLE_TEXT",
    "is_missing",
    "round_half_up",
    "fmt_number",
    "fmt_percent",
    "fmt_pp",
    "fmt_value",
    "fmt_diff",
    "normalize_unit",
    "default_decimals",
    "short_unit",
    "fmt_cell",
    "column_label",
    "COLUMN_LABELS",
]

#: What a missing value is written as.
PLACEHOLDER = "–"

#: What a table cell says for a value with status ``!`` (it cannot be true).
IMPLAUSIBLE_TEXT = "nicht plausibel"


def is_missing(x: object) -> bool:
    """True for ``None``, NaN, ``pd.NA``/``NaT`` and empty strings; False for numbers.

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(None), is_missing(0.0)
    (True, True, False)
    """
    if x is None:
        return True
    if isinstance(x, str):
        return x.strip() == ""
    if isinstance(x, list | tuple | dict | set):
        return False
    import pandas as pd

    try:
        res = pd.isna(x)
    except (TypeError, ValueError):
        return False
    try:
        return bool(res)
    except (TypeError, ValueError):  # array-like
        return False


def _to_decimal(x: object) -> Decimal:
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"Expected a number, not {x!r}.") from exc
    if math.isinf(f):
        raise ParameterError(f"Cannot format an infinite number ({x!r}).")
    # repr gives the shortest decimal that round-trips: 7.05 stays 7.05, not 7.0499999…
    return Decimal(repr(f))


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round half away from zero on the decimal value as written.

    Parameters
    ----------
    x : float
        The number.
    decimals : int
        Number of decimal places.

    Returns
    -------
    float
        The rounded number; NaN stays NaN.

    Examples
    --------
    >>> round_half_up(7.05, 1), round_half_up(-2.5), round(2.5)
    (7.1, -3.0, 2)
    """
    if is_missing(x):
        return float("nan")
    d = _to_decimal(x)
    q = Decimal(1).scaleb(-decimals)
    return float(d.quantize(q, rounding=ROUND_HALF_UP))


def fmt_number(
    x: object,
    decimals: int | None = 0,
    *,
    thousands: bool = True,
    placeholder: str = PLACEHOLDER,
    sign: bool = False,
    trim: bool = False,
) -> str:
    """Write a number the German way: ``1.234,5``.

    Parameters
    ----------
    x : float
        The number; ``None``/NaN/``pd.NA`` give ``placeholder``.
    decimals : int or None
        Decimal places (rounded half away from zero). None: 0 for a whole number, 1 otherwise
        (a table cell).
    thousands : bool
        Group thousands with a dot (``1.234``). Use ``False`` for years.
    placeholder : str
        Written for a missing value.
    sign : bool
        Write a ``+`` before positive numbers.
    trim : bool
        Drop trailing zeros after the comma (``2,50`` → ``2,5``, ``5,0`` → ``5``), for numbers
        in running text such as a Methodik sentence.

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_number(1234.5, decimals=1)
    '1.234,5'
    >>> fmt_number(-1234567)
    '-1.234.567'
    >>> fmt_number(float("nan"))
    '–'
    >>> fmt_number(0.04, 1, sign=True), fmt_number(-0.04, 1)
    ('0,0', '0,0')
    >>> fmt_number(1234567, None), fmt_number(12.345, None), fmt_number(2.5, 2, trim=True)
    ('1.234.567', '12,3', '2,5')
    """
    if is_missing(x):
        return placeholder
    if decimals is None:
        decimals = 0 if isinstance(x, numbers.Real) and float(x).is_integer() else 1
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ParameterError(f"`decimals` must be a whole number ≥ 0; not {decimals!r}.")
    d = _to_decimal(x)
    q = Decimal(1).scaleb(-decimals)
    try:
        r = d.quantize(q, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # pragma: no cover - absurdly large numbers
        raise ParameterError(f"Cannot format {x!r} with {decimals} decimals.") from exc
    if r == 0:
        r = abs(r)
    negative = r < 0
    text = f"{abs(r):,.{decimals}f}"  # 1,234.5
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", "." if thousands else "")
    if trim and "," in text:
        text = text.rstrip("0").rstrip(",")
    if negative:
        return "-" + text
    if sign and r > 0:
        return "+" + text
    return text


def fmt_percent(
    x: object, decimals: int = 1, *, placeholder: str = PLACEHOLDER, sign: bool = False
) -> str:
    """Write a percentage already on the 0–100 scale: ``12,3 %``.

    Examples
    --------
    >>> fmt_percent(12.345)
    '12,3 %'
    >>> fmt_percent(None, placeholder="keine Angabe")
    'keine Angabe'
    """
    if is_missing(x):
        return placeholder
    return fmt_number(x, decimals, sign=sign) + " %"


def _points(x: object, decimals: int, singular: str, plural: str, placeholder: str) -> str:
    if is_missing(x):
        return placeholder
    text = fmt_number(x, decimals)
    # Only the plain integer one takes the singular: "1 Prozentpunkt", but "1,0 Prozentpunkte".
    word = singular if text in ("1", "-1") else plural
    return f"{text} {word}"


def fmt_pp(x: object, decimals: int = 1, *, placeholder: str = PLACEHOLDER) -> str:
    """Write a difference of percentages in Prozentpunkten.

    German grammar: only the plain integer one is singular ("1 Prozentpunkt"); a number written
    with decimals is plural ("1,0 Prozentpunkte", "0,1 Prozentpunkte").

    Examples
    --------
    >>> fmt_pp(1.4)
    '1,4 Prozentpunkte'
    >>> fmt_pp(1, decimals=0), fmt_pp(1.0), fmt_pp(0.1)
    ('1 Prozentpunkt', '1,0 Prozentpunkte', '0,1 Prozentpunkte')
    """
    return _points(x, decimals, "Prozentpunkt", "Prozentpunkte", placeholder)


_PER_RE = re.compile(r"^je\s+(\d[\d.]*)\s*(.*)$", re.IGNORECASE)


def normalize_unit(unit: str | None) -> str:
    """Bring a unit label into bimokit's canonical form.

    ``Prozent``/``percent``/``%`` → ``%``; ``Promille``/``‰`` → ``‰``; ``je 1000 Einwohner`` →
    ``je 1.000 Einwohner``; ``Euro`` → ``EUR``; ``None``/``""``/``Anzahl`` → ``Anzahl``.
    Anything else is returned stripped.

    Examples
    --------
    >>> normalize_unit("Prozent"), normalize_unit("je 1000 Einwohner"), normalize_unit(None)
    ('%', 'je 1.000 Einwohner', 'Anzahl')
    """
    if unit is None or is_missing(unit):
        return "Anzahl"
    u = str(unit).strip()
    low = u.lower()
    if low in ("%", "prozent", "percent", "anteil in %", "in %"):
        return "%"
    if low in ("‰", "promille", "permille"):
        return "‰"
    if low in ("eur", "euro", "€"):
        return "EUR"
    if low in ("tsd. eur", "tsd eur", "1000 eur", "tsd. euro"):
        return "Tsd. EUR"
    if low in ("anzahl", "count", "n", "personen"):
        return "Anzahl"
    m = _PER_RE.match(u)
    if m:
        num = m.group(1).replace(".", "")
        rest = m.group(2).strip()
        return f"je {fmt_number(int(num))}" + (f" {rest}" if rest else "")
    return u


def default_decimals(unit: str | None) -> int:
    """Decimal places bimokit uses for a unit: 1 for shares and rates, 0 for EUR and counts.

    Examples
    --------
    >>> default_decimals("%"), default_decimals("EUR"), default_decimals("je 1.000 Einwohner")
    (1, 0, 1)
    """
    u = normalize_unit(unit)
    if u in ("EUR", "Tsd. EUR", "Anzahl"):
        return 0
    return 1


def short_unit(unit: str | None) -> str:
    """The unit as it stands after a number in a narrow cell; the rest belongs to the label.

    ``%``, ``‰``, ``EUR`` and ``Tsd. EUR`` stay; ``je 1.000 Einwohner von 18 bis unter 25
    Jahren`` becomes ``je 1.000``; counts and other ratios (``Kinder je Person``) give ``""``
    (the indicator's title names them).

    Examples
    --------
    >>> short_unit("je 1000 Einwohner von 18 bis unter 25 Jahren"), short_unit("Prozent")
    ('je 1.000', '%')
    >>> short_unit("Kinder je Person"), short_unit("Anzahl"), short_unit("EUR")
    ('', '', 'EUR')
    """
    u = normalize_unit(unit)
    if u in ("%", "‰", "EUR", "Tsd. EUR"):
        return u
    m = re.match(r"^je (\d[\d.]*)(\s|$)", u)
    return f"je {m.group(1)}" if m else ""


def _suffix(unit: str, prose: bool) -> str:
    if unit == "Anzahl":
        return ""
    if prose and unit == "EUR":
        return " Euro"
    if prose and unit == "Tsd. EUR":
        return " Tsd. Euro"
    return " " + unit


def fmt_value(
    x: object,
    unit: str | None = "Anzahl",
    decimals: int | None = None,
    *,
    prose: bool = False,
    placeholder: str = PLACEHOLDER,
) -> str:
    """Write a value with its unit: ``7,1 %``, ``12,3 je 1.000 Einwohner``, ``23.456 EUR``.

    Parameters
    ----------
    x : float
        The value.
    unit : str
        Unit label (see :func:`normalize_unit`).
    decimals : int, optional
        Decimal places; default from :func:`default_decimals`.
    prose : bool
        Write ``Euro`` instead of ``EUR`` (for running text).
    placeholder : str
        Written for a missing value (without unit).

    Examples
    --------
    >>> fmt_value(7.06, "%"), fmt_value(23456.4, "EUR", prose=True), fmt_value(1234, "Anzahl")
    ('7,1 %', '23.456 Euro', '1.234')
    """
    if is_missing(x):
        return placeholder
    u = normalize_unit(unit)
    d = default_decimals(u) if decimals is None else decimals
    return fmt_number(x, d) + _suffix(u, prose)


def fmt_diff(
    x: object,
    unit: str | None = "Anzahl",
    decimals: int | None = None,
    *,
    prose: bool = False,
    placeholder: str = PLACEHOLDER,
) -> str:
    """Write a difference of two values in the unit's difference form.

    ``%`` → Prozentpunkte, ``‰`` → Promillepunkte, other units as in :func:`fmt_value`.
    The sign is kept; running text usually passes ``abs(diff)`` and says "über"/"unter".

    Examples
    --------
    >>> fmt_diff(1.43, "%"), fmt_diff(0.25, "‰"), fmt_diff(-120.0, "EUR", prose=True)
    ('1,4 Prozentpunkte', '0,3 Promillepunkte', '-120 Euro')
    """
    if is_missing(x):
        return placeholder
    u = normalize_unit(unit)
    d = default_decimals(u) if decimals is None else decimals
    if u == "%":
        return _points(x, d, "Prozentpunkt", "Prozentpunkte", placeholder)
    if u == "‰":
        return _points(x, d, "Promillepunkt", "Promillepunkte", placeholder)
    return fmt_number(x, d) + _suffix(u, prose)


# ---------------------------------------------------------------------------------------------
# table cells and headers (used by bimokit.report)

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
    """German header for a column name of a result table.

    Examples
    --------
    >>> column_label("ci_low"), column_label("Betreuungsquote")
    ('Konfidenzintervall unten', 'Betreuungsquote')
    """
    return COLUMN_LABELS.get(str(name), str(name))




def fmt_cell(value, unit: str = "", decimals: int | None = None, *, status: str = "") -> str:
    """A value with its unit as given, for a table cell: ``12,3 %``, ``24.415 EUR``, ``1.234``.

    A missing value whose status hides it (``.`` secret, ``x`` not meaningful, ``/``
    unreliable, ``...`` later) shows the symbol instead of a number; a value that cannot be
    true (status ``!``: a share above 100 %, a negative count) shows "nicht plausibel", with
    or without a number.

    Examples
    --------
    >>> fmt_cell(12.34, "%"), fmt_cell(24415, "EUR"), fmt_cell(1234, "Anzahl")
    ('12,3 %', '24.415 EUR', '1.234')
    >>> fmt_cell(float("nan"), "%", status=".")
    '.'
    >>> fmt_cell(157.1, "%", status="!"), fmt_cell(float("nan"), "%", status="!")
    ('nicht plausibel', 'nicht plausibel')
    """
    if status == IMPLAUSIBLE:
        return IMPLAUSIBLE_TEXT
    if status and status not in ("", "p", "r", "s", "()") and is_missing(value):
        return status
    if is_missing(value):
        return PLACEHOLDER
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    if math.isinf(float(value)):
        return PLACEHOLDER
    text = fmt_number(value, decimals)
    unit = (unit or "").strip()
    if unit in ("", "Anzahl"):
        return text
    return f"{text} {unit}"
