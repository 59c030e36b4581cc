"""The region model: keys (AGS), levels, parents, Kreistyp and the region table.

A region key (``ags``) is a string, zero-padded, exactly as the statistical offices publish it:

=============================  ==============  ===========================================
key                            level           example
=============================  ==============  ===========================================
``DG``                         ``bund``        Deutschland
2 digits                       ``land``        ``09`` Bayern
3 digits                       ``regbez``      ``091`` Oberbayern (also "Stat. Region")
5 digits                       ``kreis``       ``09162`` München
8 digits (AGS)                 ``gemeinde``    ``03241001`` Hannover
12 digits (ARS)                ``gemeinde``    ``010510011011`` (Gemeinde or Gemeindeverband)
``<5-digit Kreis>-<code>``     ``sozialraum``  ``99101-07`` (own small areas of a Kommune)
=============================  ==============  ===========================================

City states: the BKG lists Hamburg and Berlin as Kreise ``02000`` and ``11000``; the
statistics tables (GENESIS, Regionalstatistik) publish them only as Länder ``02`` and ``11``.
:func:`normalise_kreis_key` maps between the two; :func:`parent_of` uses the Land key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import UnknownRegionError

__all__ = [
    "LEVELS",
    "LAENDER",
    "CITY_STATES",
    "ags_level",
    "ags_levels",
    "land_of",
    "kreis_of",
    "parent_of",
    "land_name",
    "normalise_kreis_key",
]

#: Region levels from top to bottom.
LEVELS = ("bund", "land", "regbez", "kreis", "gemeinde", "sozialraum")

#: The 16 Länder by their two-digit key.
LAENDER = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}

#: Länder that are at the same time one Kreis (kreisfreie Stadt): Hamburg and Berlin.
CITY_STATES = ("02", "11")

_SOZIALRAUM = re.compile(r"\d{5}-[0-9A-Za-z_]+")


def _as_series(codes) -> tuple[pd.Series, bool]:
    """Return ``codes`` as a Series of str (missing kept as NA) and whether it was a scalar."""
    if isinstance(codes, str) or codes is None or (np.ndim(codes) == 0):
        return pd.Series([codes], dtype=object), True
    if isinstance(codes, pd.Series):
        return codes, False
    if isinstance(codes, pd.Index):
        return pd.Series(codes, index=codes), False
    return pd.Series(list(codes), dtype=object), False


def _level_array(s: pd.Series) -> np.ndarray:
    """Level of every key in ``s`` as an object array; raises on the first bad key."""
    text = s.astype("string")
    missing = text.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise UnknownRegionError(
            f"Missing AGS at position {pos} (of {len(s)} keys): every region needs a key."
        )
    n = text.str.len().to_numpy(dtype="int64")
    digits = text.str.fullmatch(r"\d+").to_numpy(dtype=bool)
    sozial = text.str.fullmatch(_SOZIALRAUM.pattern).to_numpy(dtype=bool)
    conditions = [
        (text == "DG").to_numpy(dtype=bool),
        digits & (n == 2),
        digits & (n == 3),
        digits & (n == 5),
        digits & ((n == 8) | (n == 12)),
        sozial,
    ]
    levels = np.select(conditions, list(LEVELS), default="")
    bad = levels == ""
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = s.iloc[pos]
        hint = ""
        if isinstance(value, str) and value.isdigit() and len(value) in (1, 4, 7, 11):
            hint = (
                " It looks like a key that lost its leading zero: read keys as text "
                "(e.g. dtype={'ags': str})."
            )
        elif not isinstance(value, str):
            hint = " Keys must be text, zero-padded, not numbers."
        where = "" if len(s) == 1 else f" at position {pos} ({int(bad.sum())} of {len(s)} bad)"
        raise UnknownRegionError(
            f"Malformed AGS {str(value)!r}{where}: expected 'DG', 2, 3, 5, 8 or 12 digits, "
            f"or '<5-digit Kreis>-<code>' for a Sozialraum.{hint}"
        )
    return levels.astype(object)


def ags_levels(codes: pd.Series) -> pd.Series:
    """Return the level of every region key.

    Parameters
    ----------
    codes : pandas.Series of str
        Region keys as published (zero-padded text).

    Returns
    -------
    pandas.Series
        Same index as ``codes``, named ``level``: one of ``bund``, ``land``, ``regbez``,
        ``kreis``, ``gemeinde``, ``sozialraum``.

    Raises
    ------
    UnknownRegionError
        For the first key that is missing or malformed, naming the value, its position and
        how many keys are bad.

    Notes
    -----
    ``DG`` → ``bund``; 2 digits → ``land``; 3 → ``regbez``; 5 → ``kreis``; 8 (AGS) and 12
    (ARS, Regionalschlüssel of a Gemeinde or Gemeindeverband) → ``gemeinde``;
    ``<5 digits>-<code>`` → ``sozialraum``.

    Examples
    --------
    >>> ags_levels(pd.Series(["DG", "09", "091", "09162", "03241001", "99101-07"])).tolist()
    ['bund', 'land', 'regbez', 'kreis', 'gemeinde', 'sozialraum']
    """
    s, _ = _as_series(codes)
    return pd.Series(_level_array(s), index=s.index, name="level").astype("str")


def ags_level(code: str) -> str:
    """Return the level of one region key (see :func:`ags_levels`).

    Examples
    --------
    >>> ags_level("010510011011")
    'gemeinde'
    >>> ags_level("1001")
    Traceback (most recent call last):
    ...
    bimokit.errors.UnknownRegionError: Malformed AGS '1001': expected 'DG', 2, 3, 5, 8 or 12 ...
    """
    return str(_level_array(pd.Series([code], dtype=object))[0])


def _result(values: np.ndarray, s: pd.Series, scalar: bool, name: str):
    if scalar:
        return values[0]
    # Default inference: str dtype (NaN for missing) on pandas 3, object (None) on pandas 2.
    return pd.Series(list(values), index=s.index, name=name)


def land_of(codes):
    """Return the Land key of every region key.

    Parameters
    ----------
    codes : str or pandas.Series of str
        Region keys.

    Returns
    -------
    str or pandas.Series
        The two-digit Land key (the first two characters); missing (None) for ``DG``.
        A Series when a Series was given, with the same index, named ``land``.

    Examples
    --------
    >>> land_of("05334002")
    '05'
    >>> land_of(pd.Series(["DG", "099", "99101-07"])).fillna("-").tolist()
    ['-', '09', '99']
    """
    s, scalar = _as_series(codes)
    levels = _level_array(s)
    land = s.astype("string").str[:2].to_numpy(dtype=object)
    values = np.where(levels == "bund", None, land)
    return _result(values, s, scalar, "land")


def _kreis_values(s: pd.Series, levels: np.ndarray) -> np.ndarray:
    text = s.astype("string")
    first5 = text.str[:5].to_numpy(dtype=object)
    land = text.str[:2].to_numpy(dtype=object)
    city = np.isin(land, CITY_STATES)
    kreis = np.where(city, land.astype(str).astype(object) + "000", first5)
    return np.where(np.isin(levels, ("bund", "land", "regbez")), None, kreis)


def kreis_of(codes):
    """Return the Kreis key (5 digits) of every region key.

    Parameters
    ----------
    codes : str or pandas.Series of str
        Region keys.

    Returns
    -------
    str or pandas.Series
        The first five digits for Kreise, Gemeinden (AGS and ARS) and Sozialräume; missing
        (None) above the Kreis level. Keys in Hamburg and Berlin give the BKG Kreis key
        ``02000`` / ``11000`` (see :func:`normalise_kreis_key` for the statistics tables'
        ``02`` / ``11``). A Series when a Series was given, named ``kreis``.

    Examples
    --------
    >>> kreis_of("03241001")
    '03241'
    >>> kreis_of(pd.Series(["09", "99101-07", "11001001"])).fillna("-").tolist()
    ['-', '99101', '11000']
    """
    s, scalar = _as_series(codes)
    levels = _level_array(s)
    values = _kreis_values(s, levels)
    return _result(values, s, scalar, "kreis")


def _known_keys(regions) -> set[str]:
    if regions is None:
        return set()
    if isinstance(regions, pd.DataFrame):
        return set(regions["ags"].astype(str))
    if isinstance(regions, str):
        return {regions}
    return {str(r) for r in regions}


def parent_of(codes, *, regions: pd.DataFrame | Iterable[str] | None = None):
    """Return the parent key of every region key.

    Parameters
    ----------
    codes : str or pandas.Series of str
        Region keys.
    regions : DataFrame with column ``ags``, or iterable of keys, optional
        The region table the keys belong to. A Kreis's parent is its Regierungsbezirk only
        where that key is in ``regions`` or among ``codes`` themselves; otherwise its Land.

    Returns
    -------
    str or pandas.Series
        Parent key, missing (None) for ``DG``. A Series when a Series was given, named
        ``parent``.

    Notes
    -----
    ``DG`` → none; Land → ``DG``; Regierungsbezirk → Land; Kreis → Regierungsbezirk (first 3
    digits) if known, else Land; Gemeinde (8 or 12 digits) and Sozialraum → its Kreis (first
    5 digits). In Hamburg and Berlin the Kreis is the Land itself, so Berlin's Bezirke
    ``11001001`` … and Hamburg's ``02000000`` have the Land (``11``, ``02``) as parent, as in
    the statistics tables.

    Examples
    --------
    >>> keys = pd.Series(["DG", "03", "031", "03101", "03241001", "11001001", "99101-07"])
    >>> parent_of(keys).fillna("-").tolist()
    ['-', 'DG', '03', '031', '03241', '11', '99101']
    >>> parent_of("03101")
    '03'
    """
    s, scalar = _as_series(codes)
    levels = _level_array(s)
    text = s.astype("string")
    known = np.array(sorted(_known_keys(regions) | set(text.dropna())), dtype=object)
    land = text.str[:2].to_numpy(dtype=object)
    regbez = text.str[:3].to_numpy(dtype=object)
    city = np.isin(land, CITY_STATES)
    kreis_parent = np.where(np.isin(regbez, known) & ~city, regbez, land)
    below_kreis = np.where(city, land, _kreis_values(s, levels))
    out = np.select(
        [levels == "bund", levels == "land", levels == "regbez", levels == "kreis"],
        [None, "DG", land, kreis_parent],
        default=below_kreis,
    )
    return _result(out, s, scalar, "parent")


def land_name(code: str) -> str:
    """Return the name of the Land a key belongs to.

    Parameters
    ----------
    code : str
        A Land key or any key below it.

    Returns
    -------
    str
        The Land's name, e.g. ``Baden-Württemberg``.

    Raises
    ------
    UnknownRegionError
        For ``DG``, a malformed key, or a Land key that is not one of the 16 Länder.

    Examples
    --------
    >>> land_name("08222")
    'Baden-Württemberg'
    """
    land = land_of(code)
    if land is None or land not in LAENDER:
        raise UnknownRegionError(
            f"AGS {code!r} is not in one of the 16 Länder (keys 01 to 16)."
        )
    return LAENDER[land]


def normalise_kreis_key(codes, *, to: str = "statistics"):
    """Map the Kreis keys of Hamburg and Berlin between BKG and statistics-table spelling.

    Parameters
    ----------
    codes : str or pandas.Series of str
        Region keys; keys other than the two city states pass through unchanged.
    to : {'statistics', 'bkg'}, keyword-only
        ``'statistics'``: ``02000`` → ``02``, ``11000`` → ``11`` (how GENESIS and the
        Regionalstatistik publish them). ``'bkg'``: ``02`` → ``02000``, ``11`` → ``11000``
        (the BKG Verwaltungsgebiete and geometries).

    Returns
    -------
    str or pandas.Series
        The mapped keys, same index.

    Examples
    --------
    >>> normalise_kreis_key(pd.Series(["02000", "11000", "01001"])).tolist()
    ['02', '11', '01001']
    >>> normalise_kreis_key("11", to="bkg")
    '11000'
    """
    from .errors import ParameterError

    if to == "statistics":
        mapping = {f"{c}000": c for c in CITY_STATES}
    elif to == "bkg":
        mapping = {c: f"{c}000" for c in CITY_STATES}
    else:
        raise ParameterError(f"`to` must be 'statistics' or 'bkg'; not {to!r}.")
    if isinstance(codes, str):
        return mapping.get(codes, codes)
    s, _ = _as_series(codes)
    return s.replace(mapping)
