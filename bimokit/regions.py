"""The region model: keys (AGS), levels, parents, Kreistyp and the region table.

A region key (``ags``) is a string, zero-padded, exactly as the statistical offices publish it:

=============================  ===================  =============================================
key                            level                example
=============================  ===================  =============================================
``DG``                         ``bund``             Deutschland
2 digits                       ``land``             ``09`` Bayern
3 digits                       ``regbez``           ``091`` Oberbayern (also "Stat. Region")
5 digits                       ``kreis``            ``09162`` München
9 digits                       ``gemeindeverband``  ``071315001`` (Regionalstatistik -5 tables)
8 digits (AGS)                 ``gemeinde``         ``03241001`` Hannover
12 digits (ARS)                ``gemeinde``         ``010510011011`` (Gemeinde or Gemeindeverband)
``<5-digit Kreis>-<code>``     ``sozialraum``       ``99101-07`` (own small areas of a Kommune)
=============================  ===================  =============================================

City states: the BKG lists Hamburg and Berlin as Kreise ``02000`` and ``11000``; the
statistics tables (GENESIS, Regionalstatistik) publish them only as Länder ``02`` and ``11``.
:func:`normalize_kreis_key` maps between the two; :func:`parent_of` uses the Land key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._schema import LAENDER
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
    "normalize_kreis_key",
    "KREISTYPEN",
    "kreistyp_from_name",
    "build_regions",
    "check_ags",
    "read_regions",
    "display_name",
    "display_names",
]

#: Region levels from top to bottom.
LEVELS = ("bund", "land", "regbez", "kreis", "gemeindeverband", "gemeinde", "sozialraum")


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


def _on_uniques(s: pd.Series, fn) -> np.ndarray:
    """``fn(s)`` computed once per distinct key: facts tables repeat a few hundred keys.

    ``fn`` maps a Series of keys to an aligned array. Errors are raised from the full
    Series, so that positions and counts in messages refer to the caller's keys.
    """
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    if len(uniques) * 2 > len(s) or (codes < 0).any():
        return fn(s)
    try:
        values = fn(pd.Series(uniques, dtype=object))
    except UnknownRegionError:
        fn(s)
        raise
    return np.asarray(values, dtype=object)[codes]


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
        digits & (n == 9),
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
            f"Malformed AGS {str(value)!r}{where}: expected 'DG', 2, 3, 5, 8, 9 or 12 digits, "
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
        ``kreis``, ``gemeindeverband``, ``gemeinde``, ``sozialraum``.

    Raises
    ------
    UnknownRegionError
        For the first key that is missing or malformed, naming the value, its position and
        how many keys are bad.

    Notes
    -----
    ``DG`` → ``bund``; 2 digits → ``land``; 3 → ``regbez``; 5 → ``kreis``; 9 (key of a
    Gemeindeverband in the Regionalstatistik ``-5`` tables: Kreis + 4-digit Verband number)
    → ``gemeindeverband``; 8 (AGS) and 12 (ARS, Regionalschlüssel of a Gemeinde or
    Gemeindeverband) → ``gemeinde``;
    ``<5 digits>-<code>`` → ``sozialraum``.

    Examples
    --------
    >>> ags_levels(pd.Series(["DG", "09", "091", "09162", "03241001", "99101-07"])).tolist()
    ['bund', 'land', 'regbez', 'kreis', 'gemeinde', 'sozialraum']
    >>> ags_levels(pd.Series(["010515163"])).tolist()
    ['gemeindeverband']
    """
    s, _ = _as_series(codes)
    return _text_series(_on_uniques(s, _level_array), s.index, "level")


def ags_level(code: str) -> str:
    """Return the level of one region key (see :func:`ags_levels`).

    Examples
    --------
    >>> ags_level("010510011011")
    'gemeinde'
    >>> ags_level("1001")
    Traceback (most recent call last):
    ...
    bimokit.errors.UnknownRegionError: Malformed AGS '1001': expected 'DG', 2, 3, 5, 8, 9 or 12 ...
    """
    return str(_level_array(pd.Series([code], dtype=object))[0])


def _result(values: np.ndarray, s: pd.Series, scalar: bool, name: str):
    if scalar:
        return values[0]
    return _text_series(values, s.index, name)


_TEXT_DTYPE = pd.Series(["a"]).dtype  # str on pandas 3, object on pandas 2


def _text_series(values, index, name) -> pd.Series:
    """Text Series with NaN for missing: str dtype on pandas 3, object on pandas 2."""
    out = pd.Series([np.nan if v is None or v is pd.NA else v for v in values],
                    index=index, name=name)
    return out if out.dtype == _TEXT_DTYPE else out.astype(_TEXT_DTYPE)


def land_of(codes):
    """Return the Land key of every region key.

    Parameters
    ----------
    codes : str or pandas.Series of str
        Region keys.

    Returns
    -------
    str or pandas.Series
        The two-digit Land key (the first two characters); missing for ``DG`` (None for a
        single key, NaN in a Series).
        A Series when a Series was given, with the same index, named ``land``.

    Examples
    --------
    >>> land_of("05334002")
    '05'
    >>> land_of(pd.Series(["DG", "099", "99101-07"])).fillna("-").tolist()
    ['-', '09', '99']
    """
    s, scalar = _as_series(codes)
    return _result(_on_uniques(s, _land_values), s, scalar, "land")


def _land_values(s: pd.Series) -> np.ndarray:
    levels = _level_array(s)
    land = s.astype("string").str[:2].to_numpy(dtype=object)
    return np.where(levels == "bund", None, land)


def _kreis_values(s: pd.Series, levels: np.ndarray | None = None) -> np.ndarray:
    if levels is None:
        levels = _level_array(s)
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
        above the Kreis level (None / NaN). Keys in Hamburg and Berlin give the BKG Kreis key
        ``02000`` / ``11000`` (see :func:`normalize_kreis_key` for the statistics tables'
        ``02`` / ``11``). A Series when a Series was given, named ``kreis``.

    Examples
    --------
    >>> kreis_of("03241001")
    '03241'
    >>> kreis_of(pd.Series(["09", "99101-07", "11001001"])).fillna("-").tolist()
    ['-', '99101', '11000']
    """
    s, scalar = _as_series(codes)
    return _result(_on_uniques(s, _kreis_values), s, scalar, "kreis")


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
        Parent key, missing for ``DG`` (None for a single key, NaN in a Series). A Series
        when a Series was given, named ``parent``.

    Notes
    -----
    ``DG`` → none; Land → ``DG``; Regierungsbezirk → Land; Kreis → Regierungsbezirk (first 3
    digits) if known, else Land; Gemeindeverband (9 digits), Gemeinde (8 or 12 digits) and
    Sozialraum → its Kreis (first 5 digits). In Hamburg and Berlin the Kreis is the Land
    itself, so Berlin's Bezirke
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
    extra = _known_keys(regions)
    out = _on_uniques(s, lambda keys: _parent_values(keys, extra))
    return _result(out, s, scalar, "parent")


def _parent_values(s: pd.Series, extra: set[str]) -> np.ndarray:
    levels = _level_array(s)
    text = s.astype("string")
    known = np.array(sorted(extra | set(text.dropna())), dtype=object)
    land = text.str[:2].to_numpy(dtype=object)
    regbez = text.str[:3].to_numpy(dtype=object)
    city = np.isin(land, CITY_STATES)
    kreis_parent = np.where(np.isin(regbez, known) & ~city, regbez, land)
    below_kreis = np.where(city, land, _kreis_values(s, levels))
    return np.select(
        [levels == "bund", levels == "land", levels == "regbez", levels == "kreis"],
        [None, "DG", land, kreis_parent],
        default=below_kreis,
    )


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


def normalize_kreis_key(codes, *, to: str = "statistics"):
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
    >>> normalize_kreis_key(pd.Series(["02000", "11000", "01001"])).tolist()
    ['02', '11', '01001']
    >>> normalize_kreis_key("11", to="bkg")
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


# --------------------------------------------------------------------------- Kreistyp
#: The two Kreistypen: the values of the ``kreistyp`` column.
KREISTYPEN = ("kreisfreie Stadt", "Landkreis")

# A kreisfreie Stadt by its name: "…, Kreisfreie Stadt", "…, kreisfreie Stadt, Hansestadt",
# "Kreisfreie Stadt Rostock, …", "…, krfr. Stadt", "…, krsfr. Stadt", "…, Stadtkreis".
_KREISFREI = r"(?i)\bkreisfreie\s+Stadt\b|\bkrs?fr\.\s*Stadt\b|(?:^|,\s*)Stadtkreis\b"
# A Landkreis-type unit by its name: "…, Landkreis", "Landkreis Demmin", "…, Kreis",
# "Rhein-Kreis Neuss", "Vogtlandkreis", "Städteregion Aachen", "Saarbrücken, Regionalverband",
# "Region Hannover".
_LANDKREIS = r"(?i)(?:^|,\s*)Landkreis\b|kreis\b|Städteregion|Regionalverband|Region Hannover"
# A city by its name ("Chemnitz, Stadt", "München, Landeshauptstadt", "Aachen, Stadt (alt)"):
# kreisfrei only where the key is a Kreis key (checked by the caller).
_STADT = r",\s*(?:[\w-]*stadt|Stadt)\b"


def kreistyp_from_name(names: pd.Series, *, ags: pd.Series | None = None) -> pd.Series:
    """Return the Kreistyp (kreisfreie Stadt or Landkreis) from published Kreis names.

    Parameters
    ----------
    names : pandas.Series of str
        Region names as published, e.g. ``Flensburg, Kreisfreie Stadt``,
        ``Dithmarschen, Landkreis``, ``Mannheim, Stadtkreis``, ``Vogtlandkreis``.
    ags : pandas.Series of str, keyword-only, optional
        The keys of the same rows (same index). With keys, rows that are not Kreise get no
        Kreistyp (except Hamburg and Berlin), and two key rules decide names without a type
        word. Without keys, every name is taken to be the name of a Kreis.

    Returns
    -------
    pandas.Series
        Same index, named ``kreistyp``: ``kreisfreie Stadt``, ``Landkreis`` or missing where
        neither the name nor the key decides.

    Notes
    -----
    Rules, first match wins:

    1. ``kreisfreie Stadt`` / ``Kreisfreie Stadt`` anywhere, ``krfr. Stadt``, ``krsfr. Stadt``,
       ``Stadtkreis`` (Baden-Württemberg) → ``kreisfreie Stadt``.
    2. ``Landkreis``, ``Kreis`` as a word or a word ending in ``kreis`` (``Rhein-Kreis Neuss``,
       ``Vogtlandkreis``), ``Städteregion`` (Aachen), ``Regionalverband`` (Saarbrücken),
       ``Region Hannover`` → ``Landkreis``. These Kreis-type Gemeindeverbände are counted as
       Landkreise, as the BKG does (``bez`` Landkreis or Kreis) and as comparisons of Kreistyp
       need them: they hold kreisangehörige Gemeinden.
    3. A Kreis whose name ends in a city title (``, Stadt``, ``, Landeshauptstadt``,
       ``, Hansestadt``, ``, Stadt (alt)``) → ``kreisfreie Stadt``: a city that is a unit of
       its own at Kreis level is kreisfrei (``München, Landeshauptstadt`` in the 2018 export).
       With ``ags``, only for 5-digit keys: ``Hannover, Landeshauptstadt`` (``03241001``) is a
       Gemeinde inside the Region Hannover.
    4. Only with ``ags``: Bayern publishes kreisfreie Städte without a type word
       (``Ingolstadt``); there the fourth digit decides: ``09x6y`` → kreisfreie Stadt,
       ``09x7y`` … ``09x9y`` → Landkreis. Hamburg and Berlin (``02``, ``11``, ``02000``,
       ``11000``) → kreisfreie Stadt.

    Examples
    --------
    >>> names = pd.Series(["Flensburg, Kreisfreie Stadt", "Mannheim, Stadtkreis",
    ...                    "Dithmarschen, Landkreis", "Städteregion Aachen (einschl. Stadt Aachen)",
    ...                    "München, Landeshauptstadt", "Ingolstadt"])
    >>> kreistyp_from_name(names).fillna("?").tolist()
    ['kreisfreie Stadt', 'kreisfreie Stadt', 'Landkreis', 'Landkreis', 'kreisfreie Stadt', '?']
    >>> keys = pd.Series(["01001", "08222", "01051", "05334", "09162", "09161"])
    >>> kreistyp_from_name(names, ags=keys).tolist()[-1]
    'kreisfreie Stadt'
    """
    s, _ = _as_series(names)
    text = s.astype("string").fillna("").str.strip()
    kreisfrei = text.str.contains(_KREISFREI, regex=True).to_numpy(dtype=bool)
    landkreis = text.str.contains(_LANDKREIS, regex=True).to_numpy(dtype=bool)
    stadt = text.str.contains(_STADT, regex=True).to_numpy(dtype=bool)
    if ags is None:
        is_kreis = np.ones(len(s), dtype=bool)
        bayern_kfs = bayern_lk = city_state = np.zeros(len(s), dtype=bool)
    else:
        keys, _ = _as_series(ags)
        if len(keys) != len(s):
            from .errors import ParameterError

            raise ParameterError(
                f"`ags` must have one key per name: got {len(keys)} keys for {len(s)} names."
            )
        keys = pd.Series(keys.to_numpy(), index=s.index)
        levels = _level_array(keys)
        k = keys.astype("string")
        is_kreis = levels == "kreis"
        city_state = np.isin(k.to_numpy(dtype=object), ["02", "11", "02000", "11000"])
        bayern = is_kreis & (k.str[:2] == "09").to_numpy(dtype=bool)
        digit4 = k.str[3:4].to_numpy(dtype=object)
        bayern_kfs = bayern & (digit4 == "6")
        bayern_lk = bayern & np.isin(digit4, ["7", "8", "9"])
    out = np.select(
        [
            city_state,
            ~is_kreis,
            kreisfrei,
            landkreis,
            stadt,
            bayern_kfs,
            bayern_lk,
        ],
        ["kreisfreie Stadt", None, "kreisfreie Stadt", "Landkreis", "kreisfreie Stadt",
         "kreisfreie Stadt", "Landkreis"],
        default=None,
    )
    return _text_series(out, s.index, "kreistyp")


# --------------------------------------------------------------------------- region table
def _blank_to_na(s: pd.Series) -> pd.Series:
    """Text column with empty / whitespace-only cells as missing."""
    text = s.astype("string").str.strip()
    return text.mask(text == "")


def build_regions(region_rows: pd.DataFrame, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Build the region table from the region rows of one or more exports.

    Parameters
    ----------
    region_rows : DataFrame
        Columns ``ags`` and ``name`` (as the readers return them in ``Export.regions``);
        optional ``level``, ``parent``, ``kreistyp``, ``valid_from``, ``valid_to``, ``exists``
        (e.g. from a ``regions.csv``). Rows may repeat and names may differ between files: for
        every column the first non-empty value wins, so put the newest or most trusted rows
        first.
    facts : DataFrame, optional
        Facts (columns ``ags``, ``year``, ``status``) of the same exports, to find dissolved
        regions. Without facts every region is taken to exist.

    Returns
    -------
    DataFrame
        One row per region, in order of first appearance, columns:

        - ``ags`` (str): region key.
        - ``name`` (str): name as published, stripped of indentation.
        - ``level`` (str): ``bund``, ``land``, ``regbez``, ``kreis``, ``gemeinde`` or
          ``sozialraum`` (from the key, see :func:`ags_levels`).
        - ``parent`` (str): parent key (:func:`parent_of` with this table); missing for ``DG``.
        - ``kreistyp`` (str): ``kreisfreie Stadt`` or ``Landkreis`` for Kreise (and Hamburg,
          Berlin), from the name (:func:`kreistyp_from_name`); missing otherwise.
        - ``valid_from`` (Int64): first year with a value, where the facts list the region
          earlier with ``-`` only (a new unit); missing otherwise.
        - ``valid_to`` (Int64): last year with a value, for regions that no longer exist;
          missing where unknown. Given values may be years or ISO dates (the year counts:
          ``2015-12-31`` → 2015).
        - ``exists`` (bool): False for dissolved regions (and, unless given, for regions
          with a given ``valid_to``).

    Raises
    ------
    UnknownRegionError
        For a malformed key (naming it and its row position).
    ParameterError
        If ``region_rows`` lacks ``ags`` or ``name``, or ``facts`` lacks ``ags``, ``year``
        or ``status``.

    Notes
    -----
    Exports keep dissolved units as rows whose cells all hold ``-`` (e.g. ``03152`` Göttingen
    (alt) in 12411-01-01-4 of 2018, Eisenach ``16056`` from 2022). A region is dissolved when
    every fact in its last listed year has status ``-``; its ``valid_to`` is the last year in
    which any fact had another status. Because ``-`` is also a true zero, pass facts in which
    every existing region has a non-zero count (population, pupils), not a table alone whose
    zeros fill whole rows (Studierende in a Kreis without Hochschule).

    Examples
    --------
    >>> rows = pd.DataFrame({"ags": ["DG", "16", "16056", "16063", "16056"],
    ...                      "name": ["Deutschland", "  Thüringen", "      Eisenach, krsfr. Stadt",
    ...                               "      Wartburgkreis", "Eisenach, Stadt"]})
    >>> facts = pd.DataFrame({"ags": ["16056", "16056", "16063"], "year": [2020, 2024, 2024],
    ...                       "value": [42000.0, 0.0, 160000.0], "status": ["", "-", ""]})
    >>> build_regions(rows, facts)[["ags", "name", "parent", "kreistyp", "valid_to", "exists"]]
         ags                        name parent          kreistyp  valid_to  exists
    0     DG                 Deutschland    NaN               NaN      <NA>    True
    1     16                   Thüringen     DG               NaN      <NA>    True
    2  16056  Eisenach, krsfr. Stadt     16  kreisfreie Stadt      2020   False
    3  16063               Wartburgkreis     16         Landkreis      <NA>    True
    """
    from ._schema import REGION_COLUMNS
    from .errors import ParameterError

    if not isinstance(region_rows, pd.DataFrame):
        raise ParameterError("`region_rows` must be a DataFrame with columns 'ags' and 'name'.")
    missing = [c for c in ("ags", "name") if c not in region_rows.columns]
    if missing:
        raise ParameterError(
            f"`region_rows` lacks the column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, region_rows.columns))}."
        )
    optional = [c for c in ("parent", "kreistyp", "valid_from", "valid_to", "exists")
                if c in region_rows.columns]
    rows = pd.DataFrame({"ags": _blank_to_na(region_rows["ags"]).to_numpy(),
                         "name": _blank_to_na(region_rows["name"]).to_numpy()})
    for c in optional:
        col = region_rows[c]
        rows[c] = (_blank_to_na(col) if c in ("parent", "kreistyp") else col).to_numpy()
    _level_array(rows["ags"])  # validate every key, naming the first bad one
    table = rows.groupby("ags", sort=False, dropna=False).first().reset_index()
    table["ags"] = table["ags"].astype(str)

    keys = table["ags"]
    table["level"] = _level_array(keys)
    computed_parent = parent_of(keys)
    if "parent" in table:
        table["parent"] = table["parent"].astype(object).where(
            table["parent"].notna(), computed_parent.astype(object))
    else:
        table["parent"] = computed_parent.to_numpy()
    computed_typ = kreistyp_from_name(table["name"], ags=keys)
    if "kreistyp" in table:
        given = _normalise_kreistyp(table["kreistyp"])
        table["kreistyp"] = given.where(given.notna(), computed_typ.astype(object))
    else:
        table["kreistyp"] = computed_typ.to_numpy()
    table["name"] = table["name"].astype(object).where(table["name"].notna(), None)

    valid_from, valid_to, exists = _lifetimes(keys, facts)
    for c, computed in (("valid_from", valid_from), ("valid_to", valid_to)):
        given = (_year_of(table[c]) if c in table
                 else pd.Series(pd.NA, index=table.index, dtype="Float64"))
        if c == "valid_to":
            # a region with a given end year no longer exists (unless `exists` says so)
            exists = exists & given.isna().to_numpy(dtype=bool)
        table[c] = given.fillna(computed.astype("Float64")).astype("Int64")
    if "exists" in table:
        given = table["exists"].map(_parse_bool_or_na)
        bad = given.astype(str) == "?"
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise ParameterError(
                f"`exists` of AGS {table['ags'].iloc[pos]!r} must be true or false, "
                f"not {table['exists'].iloc[pos]!r}."
            )
        table["exists"] = given.where(given.notna(), exists).astype(bool)
    else:
        table["exists"] = exists.astype(bool)
    out = table[list(REGION_COLUMNS)].copy()
    for c in ("ags", "name", "level", "parent", "kreistyp"):
        out[c] = _text_series(out[c].astype(object).tolist(), out.index, c)
    return out


def _year_of(s: pd.Series) -> pd.Series:
    """Years (Float64, NA for empty) from years or ISO dates (``2015-12-31`` → 2015)."""
    text = s.astype("string").str.strip()
    text = text.where(~text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False), text.str[:4])
    return pd.to_numeric(text, errors="coerce").astype("Float64")


def _lifetimes(keys: pd.Series, facts: pd.DataFrame | None):
    """valid_from, valid_to (float, NaN) and exists (bool) for ``keys`` from the facts."""
    from .errors import ParameterError

    n = len(keys)
    nan = pd.Series(np.full(n, np.nan), index=keys.index)
    if facts is None or len(facts) == 0:
        return nan, nan.copy(), pd.Series(np.ones(n, dtype=bool), index=keys.index)
    missing = [c for c in ("ags", "year", "status") if c not in facts.columns]
    if missing:
        raise ParameterError(
            f"`facts` lacks the column(s) {', '.join(map(repr, missing))} needed to find "
            "dissolved regions."
        )
    f = pd.DataFrame({
        "ags": facts["ags"].astype(str).to_numpy(),
        "year": pd.to_numeric(facts["year"], errors="coerce").to_numpy(),
        "has_value": (facts["status"].astype("string").fillna("").str.strip() != "-")
        .to_numpy(dtype=bool),
    }).dropna(subset=["year"])
    listed = f.groupby("ags")["year"].agg(["min", "max"])
    valued = f[f["has_value"]].groupby("ags")["year"].agg(["min", "max"])
    valued.columns = ["min_value", "max_value"]
    stats = listed.join(valued).reindex(keys.to_numpy())
    last_listed, first_listed = stats["max"].to_numpy(), stats["min"].to_numpy()
    first_value, last_value = stats["min_value"].to_numpy(), stats["max_value"].to_numpy()
    in_facts = ~np.isnan(last_listed)
    with np.errstate(invalid="ignore"):
        exists = ~in_facts | (last_value == last_listed)
        valid_to = np.where(~exists, last_value, np.nan)
        valid_from = np.where(in_facts & (first_value > first_listed), first_value, np.nan)
    idx = keys.index
    return pd.Series(valid_from, index=idx), pd.Series(valid_to, index=idx), pd.Series(
        exists, index=idx)


_KREISTYP_SPELLINGS = {
    "kreisfreie stadt": "kreisfreie Stadt",
    "stadtkreis": "kreisfreie Stadt",
    "landkreis": "Landkreis",
    "kreis": "Landkreis",
}


def _normalise_kreistyp(s: pd.Series) -> pd.Series:
    """Given Kreistyp values in the two canonical spellings (unknown spellings kept)."""
    text = s.astype("string").str.strip()
    mapped = text.str.lower().map(_KREISTYP_SPELLINGS)
    return mapped.astype(object).where(mapped.notna(), text.astype(object)).where(
        text.notna(), None)


_TRUE = {"true", "1", "ja", "yes", "wahr"}
_FALSE = {"false", "0", "nein", "no", "falsch"}


def _parse_bool_or_na(v):
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    t = str(v).strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None if t == "" else "?"


# --------------------------------------------------------------------------- checks and files
def _source_of(regions: pd.DataFrame, source: str | None) -> str:
    if source is not None:
        return str(source)
    return str(regions.attrs.get("source", "the given regions"))


def _suggestions(code: str, regions: pd.DataFrame, n: int = 3) -> list[str]:
    """Near matches of ``code``: keys of the same Land and length, or names like it."""
    import difflib

    keys = regions["ags"].astype(str)
    names = (regions["name"].astype(str) if "name" in regions
             else pd.Series("", index=regions.index))
    by_key = dict(zip(keys, names, strict=True))
    same = keys[(keys.str.len() == len(code)) & (keys.str[:2] == code[:2])].tolist()
    hits = difflib.get_close_matches(code, same, n=n, cutoff=0.6)
    if not hits and not code[:1].isdigit():
        # a name given where a key was expected: match it against the names
        stem = names.str.split(",").str[0].str.strip().str.lower()
        found = difflib.get_close_matches(code.lower(), stem.tolist(), n=n, cutoff=0.75)
        hits = [k for k, s in zip(keys, stem, strict=True) if s in found][:n]
    if code in {"02000", "11000", "02", "11"}:
        other = normalize_kreis_key(code, to="bkg" if len(code) == 2 else "statistics")
        if other in by_key:
            hits = [other, *[h for h in hits if h != other]]
    return [f"'{k}' ({by_key[k]})" if by_key.get(k) else f"'{k}'" for k in hits]


def check_ags(codes, regions: pd.DataFrame, *, source: str | None = None) -> None:
    """Raise if a key is not in the region table.

    Parameters
    ----------
    codes : str or iterable of str
        Keys to check.
    regions : DataFrame
        A region table (column ``ags``, and ``name`` for suggestions).
    source : str, keyword-only, optional
        Where the table comes from, for the message; default ``regions.attrs["source"]``
        (set by :func:`read_regions`).

    Returns
    -------
    None

    Raises
    ------
    UnknownRegionError
        Naming the first unknown key, the table's source, near matches (same Land and level,
        or a similar name where a name was given instead of a key) and how many more keys
        are unknown.

    Examples
    --------
    >>> regions = pd.DataFrame({"ags": ["09", "09162", "09163"],
    ...                         "name": ["Bayern", "München", "Rosenheim"]})
    >>> check_ags(["09162"], regions)
    >>> try:
    ...     check_ags("09164", regions, source="data_samples/musterland")
    ... except UnknownRegionError as exc:
    ...     print(exc)
    Unknown AGS '09164': not in the region table of data_samples/musterland.
    Did you mean '09163' (Rosenheim) or '09162' (München)?
    """
    if "ags" not in getattr(regions, "columns", ()):
        from .errors import ParameterError

        raise ParameterError("`regions` must be a region table with a column 'ags'.")
    s = pd.Series([codes] if isinstance(codes, str) else list(codes), dtype=object)
    known = set(regions["ags"].astype(str))
    unknown = [str(c) for c in pd.unique(s.astype(str)) if c not in known]
    if not unknown:
        return None
    first = unknown[0]
    message = (f"Unknown AGS '{first}': not in the region table of "
               f"{_source_of(regions, source)}.")
    hints = _suggestions(first, regions)
    if hints:
        message += " Did you mean " + (
            hints[0] if len(hints) == 1 else ", ".join(hints[:-1]) + " or " + hints[-1]
        ) + "?"
    if len(unknown) > 1:
        more = ", ".join(f"'{u}'" for u in unknown[1:6])
        extra = " …" if len(unknown) > 6 else ""
        message += f" {len(unknown) - 1} more unknown: {more}{extra}."
    raise UnknownRegionError(message)


def read_regions(path) -> pd.DataFrame:
    """Read a region table written in bimokit's format (``regions.csv``).

    Parameters
    ----------
    path : str or PathLike
        A UTF-8 CSV with a header line and at least the columns ``ags`` and ``name``;
        optional ``level``, ``parent``, ``kreistyp``, ``valid_from``, ``valid_to``, ``exists``.
        Keys are read as text; write them zero-padded.

    Returns
    -------
    DataFrame
        The region table with the columns of :func:`build_regions` (missing optional columns
        are derived from the keys and names); ``attrs["source"]`` holds ``path``.

    Raises
    ------
    InputError
        Naming file, line and field: a malformed key, a duplicated key, a ``level`` that
        does not fit the key, a ``parent`` that is no key, an unknown ``kreistyp``, a year
        or ``exists`` value that cannot be read.

    Examples
    --------
    >>> import tempfile, os
    >>> from bimokit.errors import InputError
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "regions.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(
    ...         "ags,name,level\\n99,Musterland,land\\n99101,Musterstadt,kreis\\n991,x,kreis\\n")
    ...     try:
    ...         read_regions(p)
    ...     except InputError as exc:
    ...         print(exc)
    /.../regions.csv, line 4, field level: level 'kreis' does not fit AGS '991'
    (a 'regbez' key)
    """
    from .errors import InputError

    path = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot be read as a UTF-8 CSV region table ({exc})",
                         path=path) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    for c in ("ags", "name"):
        if c not in raw.columns:
            raise InputError(
                f"no column {c!r}; a region table needs 'ags' and 'name' (found "
                f"{', '.join(map(repr, raw.columns))})", path=path, line=1)
    line_of = pd.Series(np.arange(len(raw)) + 2, index=raw.index)
    for c in raw.columns:
        raw[c] = raw[c].astype("string").str.strip()

    def fail(pos: int, field: str, msg: str):
        raise InputError(msg, path=path, line=int(line_of.iloc[pos]), field=field)

    keys = raw["ags"]
    try:
        levels = _level_array(keys)
    except UnknownRegionError:
        for pos, k in enumerate(keys):
            try:
                ags_level(k)
            except UnknownRegionError as exc:
                fail(pos, "ags", str(exc))
        raise
    dup = keys.duplicated(keep="first").to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((keys == keys.iloc[pos]).to_numpy())[0])
        fail(pos, "ags", f"AGS {keys.iloc[pos]!r} appears twice (first on line "
                         f"{int(line_of.iloc[first])})")
    if "level" in raw:
        given = raw["level"].fillna("")
        bad = ((given != "") & (given != levels)).to_numpy(dtype=bool)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            fail(pos, "level", f"level {given.iloc[pos]!r} does not fit AGS "
                               f"{keys.iloc[pos]!r} (a {levels[pos]!r} key)")
    if "parent" in raw:
        for pos, p in enumerate(raw["parent"].fillna("")):
            if p:
                try:
                    ags_level(p)
                except UnknownRegionError:
                    fail(pos, "parent", f"parent {p!r} is not a region key")
    if "kreistyp" in raw:
        typ = raw["kreistyp"].fillna("")
        ok = typ.str.lower().isin(list(_KREISTYP_SPELLINGS)) | (typ == "")
        if not ok.all():
            pos = int(np.flatnonzero(~ok.to_numpy(dtype=bool))[0])
            fail(pos, "kreistyp", f"kreistyp {typ.iloc[pos]!r} is not one of "
                                  "'kreisfreie Stadt', 'Landkreis' (or empty)")
    for c in ("valid_from", "valid_to"):
        if c in raw:
            text = raw[c].fillna("")
            ok = text.str.fullmatch(r"\d{4}(?:\.0)?|\d{4}-\d{2}-\d{2}") | (text == "")
            if not ok.all():
                pos = int(np.flatnonzero(~ok.to_numpy(dtype=bool))[0])
                fail(pos, c, f"{c} {text.iloc[pos]!r} is not a year (2015), a date "
                                     "(2015-12-31) or empty")
    if "exists" in raw:
        parsed = raw["exists"].map(_parse_bool_or_na)
        bad = (parsed.astype(str) == "?").to_numpy(dtype=bool)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            fail(pos, "exists", f"exists {raw['exists'].iloc[pos]!r} is not true or false")
    table = build_regions(raw)
    table.attrs["source"] = path
    return table


# --------------------------------------------------------------------------- names for readers
#: Comma-separated parts of a published name that only state the Kreistyp.
_TYPE_PARTS = frozenset({"kreisfreie stadt", "landkreis", "kreis", "stadtkreis"})


def _name_parts(name) -> list[str]:
    return [p.strip() for p in str(name).split(",") if p.strip()]


def display_name(name) -> str:
    """A region's name for readers: without the GENESIS part that only states the Kreistyp.

    Parameters
    ----------
    name : str
        The name as published (``Flensburg, kreisfreie Stadt``).

    Returns
    -------
    str
        The name without a comma part ``kreisfreie Stadt``, ``Landkreis``, ``Kreis`` or
        ``Stadtkreis`` (any case); other parts stay (``Lübeck, kreisfreie Stadt, Hansestadt``
        → ``Lübeck, Hansestadt``). The Kreistyp is said elsewhere (``kreistyp``).

    Notes
    -----
    For a whole region table use :func:`display_names`: it keeps the published name where
    the short one would be ambiguous (``Kassel, kreisfreie Stadt`` and ``Kassel, Landkreis``).

    Examples
    --------
    >>> display_name("Flensburg, kreisfreie Stadt"), display_name("Dithmarschen, Kreis")
    ('Flensburg', 'Dithmarschen')
    >>> display_name("Lübeck, kreisfreie Stadt, Hansestadt"), display_name("Musterstadt")
    ('Lübeck, Hansestadt', 'Musterstadt')
    """
    parts = _name_parts(name)
    if not parts:
        return str(name).strip()
    return ", ".join([parts[0]] + [p for p in parts[1:] if p.lower() not in _TYPE_PARTS])


def display_names(regions: pd.DataFrame) -> pd.Series:
    """Names for readers of every region of a region table, unambiguous within the table.

    Parameters
    ----------
    regions : DataFrame
        A region table with the columns ``ags`` and ``name``.

    Returns
    -------
    pandas.Series
        Indexed by ``ags`` (str), named ``name``: :func:`display_name` of each region, except
        where two Kreise or Gemeinden of the table share the name before the first comma
        (``Kassel, kreisfreie Stadt`` and ``Kassel, Landkreis``; ``München, Landeshauptstadt``
        and ``München, Landkreis``): those keep their published names. A Land or
        Regierungsbezirk of the same name (``Kassel, Regierungsbezirk``) does not count: its
        name says what it is.

    Examples
    --------
    >>> reg = pd.DataFrame({"ags": ["06611", "06633", "01001", "066"],
    ...                     "name": ["Kassel, kreisfreie Stadt", "Kassel, Landkreis",
    ...                              "Flensburg, kreisfreie Stadt", "Kassel, Regierungsbezirk"]})
    >>> display_names(reg).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'06611': 'Kassel, kreisfreie Stadt', '06633': 'Kassel, Landkreis', '01001': 'Flensburg',
     '066': 'Kassel, Regierungsbezirk'}
    """
    ags = regions["ags"].astype(str).str.strip().tolist()
    full = [str(n).strip() for n in regions["name"].tolist()]
    bases = [(_name_parts(n) or [n])[0].lower() for n in full]
    levels = (regions["level"].astype(str).tolist() if "level" in regions.columns
              else ags_levels(pd.Series(ags)).tolist())
    seen: dict[str, set[str]] = {}
    for a, b, lv in zip(ags, bases, levels, strict=True):
        if lv not in ("bund", "land", "regbez"):
            seen.setdefault(b, set()).add(a)
    out = [n if len(seen.get(b, ())) > 1 else display_name(n)
           for n, b in zip(full, bases, strict=True)]
    return pd.Series(out, index=pd.Index(ags, name="ags"), name="name", dtype=object)
