"""Cell texts → values and statuses: numbers as each format writes them, and the symbols.

The statistical offices replace a value by a symbol (Zeichenerklärung) or mark it with a flag;
every reader turns a cell text into a value and a status the same way (:func:`parse_values`).
How a number is written depends on the format:

``"genesis"``
    classic and flat GENESIS exports: decimal comma (``12,5``; English flat files ``12.5``),
    never a thousands separator. ``585.719`` is refused as ambiguous: a German thousands
    point or a decimal point?
``"german"``
    own tables declared German (``;``-separated CSV, text cells of an XLSX workbook): decimal
    comma and point as thousands separator, ``1.234,5``; a point anywhere else (``12.5``) is
    refused as ambiguous.
``"point"``
    own ``,``-separated CSV: decimal point (``1234.5``, ``1e-05`` as pandas writes it), no
    thousands separator; a comma in a number is refused.

Counts (unit ``Anzahl``) are whole and non-negative (:func:`count_problems`), except where
the label names a balance, a change or a mean (``Saldo``, ``Veränderung``, ``Durchschnitt``).

Everything works on the *distinct* texts of a column (:func:`pandas.factorize` first); the
readers then spread the results back with the codes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "NUMBER_FORMATS",
    "EXPECTED_VALUE",
    "parse_values",
    "parse_distinct",
    "is_value_token",
    "value_problem",
    "is_count",
    "count_problems",
    "count_problem",
    "plain_number",
]

#: The number formats and how they write numbers (for messages).
NUMBER_FORMATS = {
    "genesis": "decimal comma (12,5) or point (12.5), no thousands separator",
    "german": "decimal comma and point as thousands separator (1.234,5)",
    "point": "decimal point (1234.5), no thousands separator",
}

#: Symbols that replace a value (Zeichenerklärung), with the status they give.
SYMBOLS = {
    "-": "-",
    "\u2013": "-",  # en dash, as some hand-edited files write the true zero
    ".": ".",
    "x": "x",
    "X": "x",
    "...": "...",
    "\u2026": "...",  # the single-character ellipsis
    "/": "/",
}

#: What a value cell may hold, for error messages.
EXPECTED_VALUE = (
    "expected a number (1234, 12,5 or -3,2) or a symbol: - (zero), . (secret), x (not "
    "meaningful), ... (later), / (unreliable), (123) (limited), 123p / 123r / 123s (flags)"
)

# The number part of a cell, per format (after stripping; flags and brackets taken off).
_NUMBER = {
    "genesis": re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)"),
    "german": re.compile(r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?|[+-]?,[0-9]+"),
    "point": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"),
}
# Numbers a reader could take two ways; refused with a message that says so. In "genesis"
# such a number looks valid (and is refused); in the other formats it does not match
# ``_NUMBER`` anyway, and the pattern only chooses the message.
_AMBIGUOUS = {
    # 585.719: thousands point (585719) or decimal point (585,719)?
    "genesis": re.compile(r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+"),
    # 12.5 or 1234.56 in a German file: a decimal point, or a misplaced thousands point?
    "german": re.compile(r"[+-]?[0-9]*\.[0-9]*(?:,[0-9]*)?"),
    # 1,234 or 12,5 in a file with decimal points: a thousands comma or a decimal comma?
    "point": re.compile(r"[+-]?[0-9]*,[0-9]*(?:\.[0-9]*)?"),
}
_FLAGGED = re.compile(r"^(?:\((?P<paren>[^()]+)\)|(?P<num>[^()]+?)\s*(?P<flag>[prs]))$")


def _to_float(text: str, number_format: str) -> float:
    """Value of a number already matched by ``_NUMBER[number_format]``."""
    if number_format == "german":
        text = text.replace(".", "").replace(",", ".")
    elif number_format == "genesis":
        text = text.replace(",", ".")
    return float(text)


def plain_number(text: str, number_format: str = "genesis") -> float | None:
    """Value of a cell that holds a plain number in ``number_format``, else None.

    Examples
    --------
    >>> [plain_number(t) for t in ["12", "-3,5", "0.25", "585.719", "x"]]
    [12.0, -3.5, 0.25, None, None]
    >>> plain_number("1.234,5", "german"), plain_number("12.5", "german")
    (1234.5, None)
    """
    t = text.strip()
    if not _NUMBER[number_format].fullmatch(t) or (
            number_format == "genesis" and _AMBIGUOUS["genesis"].fullmatch(t)):
        return None
    return _to_float(t, number_format)


def parse_distinct(tokens, *, number_format: str = "genesis"):
    """Values, statuses and bad positions of distinct cell texts.

    Parameters
    ----------
    tokens : sequence of str
        Distinct cell texts (non-str cells are taken as their ``str``).
    number_format : {"genesis", "german", "point"}
        How the format writes numbers (see the module docstring).

    Returns
    -------
    values : numpy.ndarray of float
        NaN for a missing value (``.``, ``x``, ``...``, ``/``) and for a bad cell; 0 for ``-``.
    status : numpy.ndarray of object (str)
        ``""`` plain, the symbol, ``()`` for a bracketed value, ``p``/``r``/``s`` for a flag.
    bad : numpy.ndarray of int
        Positions of texts that are neither a number in this format nor a known symbol
        (:func:`value_problem` says why).

    Examples
    --------
    >>> v, s, bad = parse_distinct(["12", "-3,5", "-", ".", "(7)", "8p", "x", "abc", "585.719"])
    >>> v.tolist()[:6], s.tolist()[:7], bad.tolist()
    ([12.0, -3.5, 0.0, nan, 7.0, 8.0], ['', '', '-', '.', '()', 'p', 'x'], [7, 8])
    """
    texts = [t.strip() if isinstance(t, str) else str(t).strip() for t in tokens]
    n = len(texts)
    values = np.full(n, np.nan)
    status = np.full(n, "", dtype=object)
    # whole numbers (the bulk of most tables) in one vectorised conversion; the other
    # numbers through the pattern of the format; the rest (symbols, flags) one by one
    series = pd.Series(texts, dtype=object)
    digits = (np.fromiter(map(str.isdigit, texts), dtype=bool, count=n)
              & np.fromiter(map(str.isascii, texts), dtype=bool, count=n))
    values[digits] = series[digits].astype("float64").to_numpy()
    rest = series[~digits]
    plain = np.zeros(n, dtype=bool)
    plain[~digits] = rest.str.fullmatch(_NUMBER[number_format].pattern).to_numpy(dtype=bool)
    if number_format == "genesis":
        plain[~digits] &= ~rest.str.fullmatch(_AMBIGUOUS["genesis"].pattern).to_numpy(dtype=bool)
    if plain.any():
        numbers = series[plain]
        if number_format == "german":
            numbers = numbers.str.replace(".", "", regex=False)
        if number_format != "point":
            numbers = numbers.str.replace(",", ".", regex=False)
        values[plain] = numbers.astype("float64").to_numpy()
    plain |= digits
    bad: list[int] = []
    for i in np.flatnonzero(~plain).tolist():
        sym = SYMBOLS.get(texts[i])
        if sym is not None:
            status[i] = sym
            values[i] = 0.0 if sym == "-" else np.nan
            continue
        m = _FLAGGED.match(texts[i])
        number = None if m is None else plain_number(m.group("paren") or m.group("num"),
                                                      number_format)
        if number is None:
            bad.append(i)
            continue
        values[i] = number
        status[i] = "()" if m.group("paren") is not None else m.group("flag")
    return values, status, np.asarray(bad, dtype=np.int64)


def parse_values(tokens, *, number_format: str = "genesis"):
    """:func:`parse_distinct` of a whole column: each distinct text is parsed once.

    Returns
    -------
    (values, status, bad)
        As :func:`parse_distinct`, one entry per cell; ``bad`` holds the positions of the bad
        cells.

    Examples
    --------
    >>> v, s, bad = parse_values(["12", "12", "-", "1,5", "?"])
    >>> v.tolist()[:4], s.tolist(), bad.tolist()
    ([12.0, 12.0, 0.0, 1.5], ['', '', '-', '', ''], [4])
    """
    arr = np.asarray(tokens, dtype=object)
    if len(arr) == 0:
        return np.zeros(0), np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    codes, uniq = pd.factorize(arr, use_na_sentinel=False)
    uv, us, ubad = parse_distinct(uniq, number_format=number_format)
    bad_u = np.zeros(len(uniq), bool)
    bad_u[ubad] = True
    return uv[codes], us[codes], np.flatnonzero(bad_u[codes])


def is_value_token(token: str, number_format: str = "genesis") -> bool:
    """Whether one cell text is a number or a known symbol (tells values from labels).

    Examples
    --------
    >>> is_value_token("(12)"), is_value_token("Insgesamt"), is_value_token("-")
    (True, False, True)
    """
    return len(parse_distinct([token], number_format=number_format)[2]) == 0


def value_problem(token, number_format: str = "genesis") -> str:
    """Why a cell text is not a value, in a sentence for an :class:`InputError`.

    Examples
    --------
    >>> value_problem("585.719")  # doctest: +NORMALIZE_WHITESPACE
    "value '585.719' is ambiguous: a thousands point (585719) or a decimal point (585,719)?
    This format has no thousands separator: write 585719, or 585,719 for a decimal"
    >>> value_problem("12.5", "german")  # doctest: +NORMALIZE_WHITESPACE
    "value '12.5' is ambiguous: in this German file the point separates thousands (1.234,5);
    write 12,5 for a decimal"
    """
    text = str(token).strip()
    core = text
    m = _FLAGGED.match(text)
    if m is not None:
        core = (m.group("paren") or m.group("num")).strip()
    if not text:
        return f"an empty cell is neither a number nor a known symbol; {EXPECTED_VALUE}"
    if _AMBIGUOUS[number_format].fullmatch(core) and any(ch.isdigit() for ch in core):
        if number_format == "genesis":
            whole = core.replace(".", "")
            return (f"value {text!r} is ambiguous: a thousands point ({whole}) or a decimal "
                    f"point ({core.replace('.', ',')})? This format has no thousands "
                    f"separator: write {whole}, or {core.replace('.', ',')} for a decimal")
        if number_format == "german":
            return (f"value {text!r} is ambiguous: in this German file the point separates "
                    f"thousands (1.234,5); write {core.replace('.', ',')} for a decimal")
        return (f"value {text!r} is ambiguous: this file writes decimals with a point "
                f"(1234.5) and no thousands separator; write {core.replace(',', '.')} for a "
                f"decimal or {core.replace(',', '')} for a whole number")
    return f"value {text!r} is neither a number nor a known symbol; {EXPECTED_VALUE}"


#: A label that names a balance, a change, a mean or a ratio: its values may be negative or
#: fractional although the unit is ``Anzahl``.
_NOT_A_COUNT = re.compile(
    r"(?i)saldo|überschuss|ueberschuss|veränderung|veraenderung|differenz|zunahme|abnahme|"
    r"zuwachs|durchschnitt|mittelwert|\bje\b|\bpro\b|quote|anteil|rate\b|index")


def is_count(label: str, unit: str | None) -> bool:
    """Whether a variable holds counts: unit ``Anzahl`` and a label that is no balance or mean.

    Examples
    --------
    >>> is_count("Bevölkerungsstand", "Anzahl"), is_count("Wanderungssaldo", "Anzahl")
    (True, False)
    >>> is_count("Verfügbares Einkommen", "Tsd. EUR")
    False
    """
    return (unit or "").strip().lower() == "anzahl" and not _NOT_A_COUNT.search(str(label))


def count_problems(values: np.ndarray) -> np.ndarray:
    """Positions of values that no count can take: fractional or negative (NaN is fine).

    Examples
    --------
    >>> count_problems(np.array([3.0, np.nan, 2.5, -1.0, 0.0])).tolist()
    [2, 3]
    """
    v = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.flatnonzero(np.isfinite(v) & ((v < 0) | (v != np.floor(v))))


def count_problem(token, value: float, variable: str, unit: str = "Anzahl") -> str:
    """Why a value cannot be a count, for an :class:`InputError`.

    Examples
    --------
    >>> print(count_problem("585719,5", 585719.5, "Bevölkerungsstand"))
    value '585719,5' is not a whole number, but 'Bevölkerungsstand' is a count (unit Anzahl): \
expected a whole number of at least 0
    """
    what = "negative" if value < 0 else "not a whole number"
    return (f"value {str(token).strip()!r} is {what}, but {variable!r} is a count (unit "
            f"{unit}): expected a whole number of at least 0")
