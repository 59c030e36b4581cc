"""Angebote und Bedarfe: the Kommune's inventory of local offers, matched with need.

The questions an analysis workshop starts from — which needs exist, which actors and resources
are there, where are Doppelstrukturen — as tables for chapter S:

* :func:`read_offers` reads the inventory (CSV or XLSX, template
  ``bimokit/templates/angebote_vorlage.csv``, see :func:`template_path`) and checks it; every
  error names file, line and field;
* :func:`coverage` (``bk.coverage``): places per 100 persons of the target group per Sozialraum,
  Angebotsart and Zielgruppe (zero where a Sozialraum has no such offer);
* :func:`doppelstrukturen` (``bk.doppelstrukturen``): several providers of the same Angebotsart
  for the same Zielgruppe in one Sozialraum;
* :func:`luecken` (``bk.luecken``): Sozialräume of a high Sozialindex class with low coverage.

The inventory template
----------------------
One row per offer; a CSV file separated by ``;`` (or ``,``), UTF-8 (Excel's Windows-1252 is
accepted too); lines starting with ``#`` are comments. An XLSX file has the same columns in its
first sheet, header in row 1.

============== ======== ==================================================================
column         required meaning
============== ======== ==================================================================
anbieter       yes      provider (Träger), e.g. ``AWO Musterstadt``
angebot        yes      name of the offer, e.g. ``Hausaufgabenhilfe Nordstadt``
angebotsart    yes      kind of offer, a short code, e.g. ``hausaufgabenhilfe``,
                        ``sprachfoerderung``, ``jugendtreff``, ``elterncafe``,
                        ``schulsozialarbeit``, ``lernfoerderung``, ``ferienbetreuung``
sozialraum     yes      key of the Sozialraum (``<Kreis-AGS>-<code>``, e.g. ``99101-03``) or the
                        AGS of a Gemeinde
zielgruppe     yes      target group, one of :data:`ZIELGRUPPEN` (decides which population
                        counts as the target group)
plaetze        yes      places (Plätze) or participants a year, a whole number ≥ 0
traegerart     no       ``oeffentlich``, ``frei`` or ``privat``
finanzierung   no       funding, free text (e.g. ``kommunal``, ``Land``, ``ESF``)
jahr           no       year the entry describes (whole number)
bemerkung      no       free text
============== ======== ==================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, ParameterError
from .io import read_csv_rows

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "ZIELGRUPPEN",
    "TRAEGERARTEN",
    "template_path",
    "read_offers",
    "check_offers",
    "coverage",
    "doppelstrukturen",
    "luecken",
]

#: Required columns of the inventory, in template order.
REQUIRED = ("anbieter", "angebot", "angebotsart", "sozialraum", "zielgruppe", "plaetze")
#: All known columns, in template order.
COLUMNS = (*REQUIRED, "traegerart", "finanzierung", "jahr", "bemerkung")
#: Allowed values of ``traegerart``.
TRAEGERARTEN = ("oeffentlich", "frei", "privat")

#: Zielgruppe → population age groups (``altersgruppe`` codes of the data contract) that form
#: the target group. ``eltern_u6`` uses the children under 6 as a proxy for their families.
ZIELGRUPPEN: dict[str, tuple[str, ...]] = {
    "kinder_u3": ("0-3",),
    "kinder_3_6": ("3-6",),
    "kinder_u6": ("0-3", "3-6"),
    "eltern_u6": ("0-3", "3-6"),
    "kinder_6_10": ("6-10",),
    "kinder_10_15": ("10-15",),
    "jugendliche_15_18": ("15-18",),
    "kinder_jugendliche_6_18": ("6-10", "10-15", "15-18"),
    "junge_erwachsene_18_25": ("18-20", "20-25"),
    "erwachsene_25_65": ("25-30", "30-35", "35-40", "40-45", "45-50", "50-55", "55-60",
                         "60-65"),
    "senioren_65plus": ("65-75", "75+"),
    "alle": ("insgesamt",),
}

_KEY = re.compile(r"^(\d{5}-[0-9A-Za-z]+|\d{8}|\d{12})$")


def template_path() -> Path:
    """Path of the CSV template of the offers inventory (with documented header comment).

    Examples
    --------
    >>> template_path().name
    'angebote_vorlage.csv'
    """
    return Path(__file__).resolve().parent / "templates" / "angebote_vorlage.csv"


# --------------------------------------------------------------------------------------------
# reading and checking


def _read_xlsx_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    try:
        df = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's fault
        raise InputError(f"cannot be read as an Excel file ({exc})", path=path) from None
    header: list[str] | None = None
    rows, lines_no = [], []
    for i, rec in enumerate(df.itertuples(index=False), start=1):
        cells = ["" if pd.isna(v) else str(v) for v in rec]
        if not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [h.strip().lower() for h in cells]
            continue
        rows.append(cells)
        lines_no.append(i)
    return header or [], rows, lines_no


def read_offers(path: str | PathLike, *, zielgruppen: Mapping | None = ZIELGRUPPEN
                ) -> pd.DataFrame:
    """Read and check the offers inventory (CSV or XLSX in the template's columns).

    Parameters
    ----------
    path : str or PathLike
        A ``.csv`` or ``.xlsx`` file.
    zielgruppen : mapping or None
        Allowed target groups (default :data:`ZIELGRUPPEN`); None accepts any non-empty text.

    Returns
    -------
    DataFrame
        One row per offer with the columns of :data:`COLUMNS` (optional ones empty if absent):
        ``anbieter, angebot, angebotsart, sozialraum, zielgruppe`` (str), ``plaetze`` (int64),
        ``traegerart, finanzierung`` (str), ``jahr`` (nullable Int64), ``bemerkung`` (str), and
        ``line``: the line of the offer in the file.

    Raises
    ------
    InputError
        Naming file, line and field: a missing required column, an empty required field, a
        malformed Sozialraum key, an unknown Zielgruppe or Trägerart, places that are not a
        whole number ≥ 0.

    Examples
    --------
    >>> from bimokit._paths import sample_dir
    >>> offers = read_offers(sample_dir() / "angebote.csv")
    >>> list(offers.columns)[:6]
    ['anbieter', 'angebot', 'angebotsart', 'sozialraum', 'zielgruppe', 'plaetze']
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        header, rows, lines_no = _read_xlsx_rows(path)
    else:
        header, rows, lines_no, _ = read_csv_rows(path)
    frame = pd.DataFrame(rows, columns=header if rows else header, dtype=object)
    return check_offers(frame, path=path, lines=lines_no, zielgruppen=zielgruppen)


def check_offers(offers: pd.DataFrame, *, path=None, lines: Sequence[int] | None = None,
                 zielgruppen: Mapping | None = ZIELGRUPPEN) -> pd.DataFrame:
    """Check an offers table (as from :func:`read_offers`) and return it with clean types.

    Parameters
    ----------
    offers : DataFrame
        Columns as in :data:`COLUMNS`.
    path : str, optional
        File name for error messages.
    lines : sequence of int, optional
        Line number of every row for error messages (default: row number + 2).
    zielgruppen : mapping or None
        Allowed target groups.

    Returns
    -------
    DataFrame
        See :func:`read_offers`.

    Examples
    --------
    >>> check_offers(pd.DataFrame({"anbieter": ["AWO"], "angebot": ["Treff"],
    ...     "angebotsart": ["jugendtreff"], "sozialraum": ["99101-01"],
    ...     "zielgruppe": ["kinder_10_15"], "plaetze": ["abc"]}), path="a.csv")
    Traceback (most recent call last):
    ...
    bimokit.errors.InputError: a.csv, line 2, field plaetze: 'abc' is not a whole number of places ≥ 0
    """  # noqa: E501
    df = offers.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the template has "
            f"{', '.join(COLUMNS)}", path=path, line=1,
        )
    lines = list(lines) if lines is not None else [i + 2 for i in range(len(df))]
    out = pd.DataFrame(index=range(len(df)))
    for col in COLUMNS:
        if col in df.columns:
            vals = ["" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v).strip()
                    for v in df[col].tolist()]
        else:
            vals = [""] * len(df)
        out[col] = pd.Series(vals, dtype=object)
    places, years = [], []
    for i, ln in enumerate(lines):
        for col in REQUIRED:
            if out.at[i, col] == "":
                raise InputError("required field is empty", path=path, line=ln, field=col)
        key = out.at[i, "sozialraum"]
        if not _KEY.match(key):
            raise InputError(
                f"{key!r} is not a Sozialraum key ('<5-digit Kreis>-<code>', e.g. '99101-03') "
                "or a Gemeinde AGS", path=path, line=ln, field="sozialraum",
            )
        zg = out.at[i, "zielgruppe"]
        if zielgruppen is not None and zg not in zielgruppen:
            raise InputError(
                f"unknown Zielgruppe {zg!r}; one of {', '.join(zielgruppen)}",
                path=path, line=ln, field="zielgruppe",
            )
        ta = out.at[i, "traegerart"]
        if ta and ta not in TRAEGERARTEN:
            raise InputError(
                f"unknown Trägerart {ta!r}; one of {', '.join(TRAEGERARTEN)}",
                path=path, line=ln, field="traegerart",
            )
        places.append(_whole(out.at[i, "plaetze"], path, ln, "plaetze", "places"))
        y = out.at[i, "jahr"]
        years.append(pd.NA if y == "" else _whole(y, path, ln, "jahr", "year"))
    out["plaetze"] = pd.Series(places, dtype="int64")
    out["jahr"] = pd.array(years, dtype="Int64")
    for col in COLUMNS:
        if col not in ("plaetze", "jahr"):
            out[col] = out[col].astype(str)
    out["line"] = pd.Series(lines, dtype="int64")
    return out


def _whole(text: str, path, line: int, field: str, what: str) -> int:
    t = text.replace("\u202f", "").replace(" ", "")
    t = t.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", t) else t
    t = re.sub(r",0+$|\.0+$", "", t)
    if not re.fullmatch(r"\d+", t):
        raise InputError(f"{text!r} is not a whole number of {what} ≥ 0", path=path, line=line,
                         field=field)
    if len(t.lstrip("0")) > 9:
        raise InputError(f"{text!r} is not a plausible number of {what} (1 billion or more)",
                         path=path, line=line, field=field)
    return int(t)


# --------------------------------------------------------------------------------------------
# coverage, Doppelstrukturen, Lücken


def _target_population(population: pd.DataFrame, year) -> tuple[pd.DataFrame, int | None]:
    need = [c for c in ("ags", "altersgruppe", "value") if c not in population.columns]
    if need:
        raise ParameterError(
            f"The population table lacks {', '.join(map(repr, need))}; expected facts with "
            "ags, altersgruppe, value (variable 'bevoelkerung')."
        )
    p = population
    if "variable" in p.columns:
        p = p[p["variable"] == "bevoelkerung"]
    for dim in ("geschlecht", "nationalitaet"):
        if dim in p.columns:
            p = p[p[dim] == "insgesamt"]
    used_year = None
    if "year" in p.columns:
        used_year = int(p["year"].max()) if year is None else int(year)
        p = p[p["year"] == used_year]
    if p.empty:
        raise ParameterError(f"No population values{'' if year is None else f' for {year}'}.")
    p = p.assign(ags=p["ags"].astype(str), value=pd.to_numeric(p["value"], errors="coerce"))
    return p[["ags", "altersgruppe", "value"]], used_year


def coverage(
    offers: pd.DataFrame,
    population: pd.DataFrame,
    *,
    target_group_map: Mapping[str, Sequence[str]] = ZIELGRUPPEN,
    year: int | None = None,
    units: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Places per 100 persons of the target group, per Sozialraum, Angebotsart and Zielgruppe.

    Parameters
    ----------
    offers : DataFrame
        The inventory (:func:`read_offers`).
    population : DataFrame
        Population facts with ``ags``, ``altersgruppe``, ``value`` (and optionally ``variable``
        = ``bevoelkerung``, ``year``, ``geschlecht``/``nationalitaet`` = ``insgesamt``).
    target_group_map : mapping
        Zielgruppe → age groups that form it (default :data:`ZIELGRUPPEN`).
    year : int, optional
        Population year (default: the latest).
    units : sequence of str, optional
        The Sozialräume to report. Default: every Sozialraum in ``population`` whose Kreis
        (the part before ``-``) has at least one offer, so that a Sozialraum without any offer
        of a kind shows up with 0 places.

    Returns
    -------
    DataFrame
        One row per unit × (Angebotsart, Zielgruppe) pair present in the inventory, columns:
        ``ags``, ``angebotsart``, ``zielgruppe``, ``n_angebote`` (offers), ``n_anbieter``
        (distinct providers), ``plaetze`` (sum of places), ``zielgruppe_bevoelkerung``
        (persons of the target group), ``plaetze_je_100`` (places per 100 of them; NaN where
        the target group is 0 or unknown), ``year`` (population year, ``<NA>`` if none).

    Notes
    -----
    ``plaetze_je_100 = 100 · sum(plaetze) / sum(population of the target group's age groups)``.

    Examples
    --------
    >>> offers = pd.DataFrame({"anbieter": ["A", "B"], "angebot": ["x", "y"],
    ...     "angebotsart": ["kita", "kita"], "sozialraum": ["99101-01", "99101-01"],
    ...     "zielgruppe": ["kinder_3_6", "kinder_3_6"], "plaetze": [30, 20]})
    >>> pop = pd.DataFrame({"ags": ["99101-01", "99101-02"], "altersgruppe": "3-6",
    ...                     "value": [200.0, 100.0]})
    >>> coverage(offers, pop)[["ags", "plaetze", "plaetze_je_100"]].values.tolist()
    [['99101-01', 50, 25.0], ['99101-02', 0, 0.0]]
    """
    for c in ("angebotsart", "zielgruppe", "sozialraum", "anbieter", "plaetze"):
        if c not in offers.columns:
            raise ParameterError(f"The offers table lacks the column {c!r}; see read_offers.")
    unknown = sorted(set(offers["zielgruppe"]) - set(target_group_map))
    if unknown:
        raise ParameterError(
            f"Zielgruppe(n) {', '.join(map(repr, unknown))} not in `target_group_map`."
        )
    pop, used_year = _target_population(population, year)
    o = offers.assign(ags=offers["sozialraum"].astype(str))
    if units is None:
        kreise = {a.split("-")[0] for a in o["ags"]}
        cand = pd.Index(pop["ags"].unique())
        units = [a for a in cand if "-" in a and a.split("-")[0] in kreise]
        units = sorted(set(units) | set(o["ags"]))
    units = [str(u) for u in units]
    pairs = o[["angebotsart", "zielgruppe"]].drop_duplicates().sort_values(
        ["angebotsart", "zielgruppe"])
    grid = pd.DataFrame(
        [(u, a, z) for u in units for a, z in pairs.itertuples(index=False)],
        columns=["ags", "angebotsart", "zielgruppe"],
    )
    agg = o.groupby(["ags", "angebotsart", "zielgruppe"]).agg(
        n_angebote=("angebot", "size") if "angebot" in o.columns else ("anbieter", "size"),
        n_anbieter=("anbieter", "nunique"),
        plaetze=("plaetze", "sum"),
    ).reset_index()
    res = grid.merge(agg, on=["ags", "angebotsart", "zielgruppe"], how="left")
    for c in ("n_angebote", "n_anbieter", "plaetze"):
        res[c] = res[c].fillna(0).astype("int64")
    tg = []
    for zg, groups in target_group_map.items():
        s = pop[pop["altersgruppe"].isin(list(groups))].groupby("ags")["value"].sum(min_count=1)
        tg.append(pd.DataFrame({"ags": s.index, "zielgruppe": zg, "zielgruppe_bevoelkerung":
                                s.to_numpy()}))
    tg = pd.concat(tg, ignore_index=True) if tg else pd.DataFrame(
        columns=["ags", "zielgruppe", "zielgruppe_bevoelkerung"])
    res = res.merge(tg, on=["ags", "zielgruppe"], how="left")
    res["zielgruppe_bevoelkerung"] = res["zielgruppe_bevoelkerung"].astype("float64")
    den = res["zielgruppe_bevoelkerung"]
    res["plaetze_je_100"] = (100.0 * res["plaetze"] / den).where(den > 0)
    res["year"] = pd.array([used_year] * len(res), dtype="Int64")
    return res[["ags", "angebotsart", "zielgruppe", "n_angebote", "n_anbieter", "plaetze",
                "zielgruppe_bevoelkerung", "plaetze_je_100", "year"]]


def doppelstrukturen(offers: pd.DataFrame, *, min_anbieter: int = 2) -> pd.DataFrame:
    """Several providers of the same Angebotsart for the same Zielgruppe in one Sozialraum.

    Parameters
    ----------
    offers : DataFrame
        The inventory (:func:`read_offers`).
    min_anbieter : int
        Minimum number of distinct providers (default 2).

    Returns
    -------
    DataFrame
        One row per (Sozialraum, Angebotsart, Zielgruppe) with at least ``min_anbieter``
        providers, columns: ``ags``, ``angebotsart``, ``zielgruppe``, ``n_anbieter``,
        ``n_angebote``, ``plaetze``, ``anbieter`` (the providers, sorted, joined by ``"; "``);
        sorted by ``n_anbieter`` descending, then ``ags``.

    Examples
    --------
    >>> offers = pd.DataFrame({"anbieter": ["A", "B", "A"], "angebot": ["x", "y", "z"],
    ...     "angebotsart": ["treff"] * 3, "sozialraum": ["99101-01", "99101-01", "99101-02"],
    ...     "zielgruppe": ["kinder_10_15"] * 3, "plaetze": [10, 15, 5]})
    >>> doppelstrukturen(offers)[["ags", "n_anbieter", "anbieter"]].values.tolist()
    [['99101-01', 2, 'A; B']]
    """
    if min_anbieter < 2:
        raise ParameterError(f"`min_anbieter` must be at least 2; not {min_anbieter!r}.")
    o = offers.assign(ags=offers["sozialraum"].astype(str))
    g = o.groupby(["ags", "angebotsart", "zielgruppe"])
    res = g.agg(
        n_anbieter=("anbieter", "nunique"),
        n_angebote=("anbieter", "size"),
        plaetze=("plaetze", "sum"),
        anbieter=("anbieter", lambda s: "; ".join(sorted(set(map(str, s))))),
    ).reset_index()
    res = res[res["n_anbieter"] >= min_anbieter]
    res = res.sort_values(["n_anbieter", "ags", "angebotsart"], ascending=[False, True, True])
    for c in ("n_anbieter", "n_angebote", "plaetze"):
        res[c] = res[c].astype("int64")
    return res[["ags", "angebotsart", "zielgruppe", "n_anbieter", "n_angebote", "plaetze",
                "anbieter"]].reset_index(drop=True)


def luecken(
    coverage: pd.DataFrame,
    sozialindex: pd.DataFrame,
    *,
    min_class: int = 4,
    max_coverage: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Sozialräume with a high Sozialindex class and low coverage (Lücken).

    Parameters
    ----------
    coverage : DataFrame
        Result of :func:`coverage`.
    sozialindex : DataFrame
        Result of :func:`bimokit.composite.sozialindex` (columns ``ags``, ``class``).
    min_class : int
        Lowest Sozialindex class that counts as high need (default 4 of 5).
    max_coverage : float, mapping or None
        Coverage (places per 100) below which a Sozialraum counts as under-supplied: one number,
        a mapping Angebotsart → number, or None for the median coverage of that Angebotsart and
        Zielgruppe over all Sozialräume in ``coverage``.

    Returns
    -------
    DataFrame
        One row per gap, columns: ``ags``, ``class``, ``angebotsart``, ``zielgruppe``,
        ``plaetze``, ``zielgruppe_bevoelkerung``, ``plaetze_je_100``, ``schwelle`` (the
        threshold used), ``regel`` (German statement of the rule); sorted by class
        descending, then coverage ascending.

    Examples
    --------
    >>> cov = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03"], "angebotsart": "kita",
    ...     "zielgruppe": "kinder_3_6", "plaetze": [10, 50, 90],
    ...     "zielgruppe_bevoelkerung": [100.0] * 3, "plaetze_je_100": [10.0, 50.0, 90.0]})
    >>> si = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03"], "class": [5, 2, 4]})
    >>> luecken(cov, si)[["ags", "class", "plaetze_je_100", "schwelle"]].values.tolist()
    [['99101-01', 5, 10.0, 50.0]]
    """
    for c in ("ags", "angebotsart", "zielgruppe", "plaetze_je_100"):
        if c not in coverage.columns:
            raise ParameterError(f"`coverage` lacks the column {c!r}; pass the coverage() table.")
    for c in ("ags", "class"):
        if c not in sozialindex.columns:
            raise ParameterError(
                f"`sozialindex` lacks the column {c!r}; pass the sozialindex() table."
            )
    cov = coverage.copy()
    if max_coverage is None:
        cov["schwelle"] = cov.groupby(["angebotsart", "zielgruppe"])["plaetze_je_100"].transform(
            "median")
        rule = "unter dem Median der Sozialräume"
    elif isinstance(max_coverage, Mapping):
        miss = sorted(set(cov["angebotsart"]) - set(max_coverage))
        if miss:
            raise ParameterError(f"`max_coverage` has no threshold for {', '.join(miss)}.")
        cov["schwelle"] = cov["angebotsart"].map(max_coverage).astype("float64")
        rule = "unter der Schwelle je Angebotsart"
    else:
        cov["schwelle"] = float(max_coverage)
        rule = f"unter {max_coverage} Plätzen je 100"
    si = sozialindex[["ags", "class"]].assign(ags=sozialindex["ags"].astype(str))
    res = cov.merge(si, on="ags", how="inner")
    cls = pd.to_numeric(res["class"], errors="coerce")
    hit = (cls >= min_class) & (res["plaetze_je_100"] < res["schwelle"])
    res = res[hit.fillna(False).to_numpy(dtype=bool)].copy()
    res["class"] = res["class"].astype("int64")
    res["regel"] = f"Sozialindex-Klasse ≥ {min_class} und Versorgung {rule}"
    res = res.sort_values(["class", "plaetze_je_100", "ags"], ascending=[False, True, True])
    return res[["ags", "class", "angebotsart", "zielgruppe", "plaetze",
                "zielgruppe_bevoelkerung", "plaetze_je_100", "schwelle", "regel"]].reset_index(
        drop=True)
