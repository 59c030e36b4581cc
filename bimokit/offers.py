"""Angebote und Bedarfe: the Kommune's inventory of local offers, matched with need.

The questions an analysis workshop starts from — which needs exist, which actors and resources
are there, where are Doppelstrukturen — as tables for chapter S:

* :func:`read_offers` reads the inventory (CSV or XLSX, template
  ``bimokit/templates/angebote_vorlage.csv``, see :func:`template_path`) and checks it; every
  error names file, line and field;
* :func:`coverage` (``bk.coverage``): places per 100 persons of the target group per Sozialraum,
  Angebotsart and Zielgruppe (zero where a Sozialraum has no such offer);
* :func:`coverage_status` (``bk.coverage_status``): the coverage judged against the
  Kommune's Versorgungsstandards (places per 100 of the target group, a table with the columns
  of :data:`STANDARD_COLUMNS`) or, where no standard is set, against an explicit rule (the
  Kommune's average coverage), which every result states in German;
* :func:`luecken` (``bk.luecken``): Sozialräume of a high Sozialindex class with no offer or
  with coverage below that measure;
* :func:`doppelstrukturen` (``bk.doppelstrukturen``): several providers of the same Angebotsart
  for the same Zielgruppe in one Sozialraum, a possible Doppelstruktur only where the coverage
  lies above the standard (in an under-supplied area several providers are no Doppelstruktur,
  and without a standard it cannot be judged);
* :func:`soll_konzept` (``bk.soll_konzept``): per Sozialraum its need (class), its supply
  against the measure and the actors (Akteure) working there: the Soll-Konzept layer of
  chapter S.

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
akteur         no       the responsible actor (Akteur) where it is not the provider, e.g.
                        ``Jugendamt``, ``Bildungsbüro``, a network; empty: the provider
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
from .fmt import fmt_number
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
    "coverage_status",
    "doppelstrukturen",
    "luecken",
    "soll_konzept",
]

#: Required columns of the inventory, in template order.
REQUIRED = ("anbieter", "angebot", "angebotsart", "sozialraum", "zielgruppe", "plaetze")
#: All known columns, in template order.
COLUMNS = (*REQUIRED, "traegerart", "finanzierung", "jahr", "bemerkung", "akteur")
#: Columns of a Versorgungsstandards table: places per 100 persons of the Zielgruppe that the
#: Kommune sets as its standard for an Angebotsart, and where the standard comes from.
STANDARD_COLUMNS = ("angebotsart", "zielgruppe", "plaetze_je_100", "quelle")
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


_PAIR = ["angebotsart", "zielgruppe"]
_CELL = ["ags", "angebotsart", "zielgruppe"]

#: What a coverage is judged against (``grundlage`` of :func:`coverage_status`): a
#: Versorgungsstandard of the Kommune, a threshold given by hand, or, where neither is set, the
#: Kommune's average coverage (the stated rule).
GRUNDLAGEN = ("standard", "schwelle", "durchschnitt")


def _standards_table(standards) -> pd.DataFrame:
    """A clean standards table: one row per (Angebotsart, Zielgruppe), a number ≥ 0 each."""
    if not isinstance(standards, pd.DataFrame):
        raise ParameterError(
            f"`standards` must be a table with the columns {', '.join(STANDARD_COLUMNS)}; not "
            f"{type(standards).__name__}."
        )
    s = standards.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in STANDARD_COLUMNS if c not in s.columns]
    if missing:
        raise ParameterError(
            f"`standards` lacks the column(s) {', '.join(missing)}; it needs "
            f"{', '.join(STANDARD_COLUMNS)}."
        )
    s = s[list(STANDARD_COLUMNS)].copy()
    for c in ("angebotsart", "zielgruppe", "quelle"):
        s[c] = s[c].astype(object).where(s[c].notna(), "").astype(str).str.strip()
    raw = s["plaetze_je_100"]
    num = pd.to_numeric(raw.astype(str).str.replace(",", ".", regex=False), errors="coerce")
    bad = num.isna() | ~np.isfinite(num) | (num < 0) | (s["angebotsart"] == "") \
        | (s["zielgruppe"] == "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParameterError(
            f"`standards` row {i + 1}: needs an Angebotsart, a Zielgruppe and places per 100 "
            f"as a number ≥ 0; got {s['angebotsart'].iloc[i]!r}, {s['zielgruppe'].iloc[i]!r}, "
            f"{raw.iloc[i]!r}."
        )
    s["plaetze_je_100"] = num.astype("float64")
    dup = s.duplicated(_PAIR, keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise ParameterError(
            f"`standards` has more than one standard for {s['angebotsart'].iloc[i]!r} and "
            f"{s['zielgruppe'].iloc[i]!r}; give one per Angebotsart and Zielgruppe."
        )
    return s.reset_index(drop=True)


def _per_100(x: float) -> str:
    """'5,0 Plätze': places with one decimal and a decimal comma (a decimal takes the plural).

    >>> _per_100(5), _dative_places(1)
    ('5,0 Plätze', '1,0 Plätzen')
    """
    return f"{fmt_number(x, 1)} Plätze"


def _dative_places(x: float) -> str:
    return f"{fmt_number(x, 1)} Plätzen"


def coverage_status(
    coverage: pd.DataFrame,
    *,
    standards: pd.DataFrame | None = None,
    max_coverage: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Judge every coverage cell against a Versorgungsstandard or, without one, a stated rule.

    Parameters
    ----------
    coverage : DataFrame
        Result of :func:`coverage`.
    standards : DataFrame, optional
        The Kommune's Versorgungsstandards, columns :data:`STANDARD_COLUMNS`: ``angebotsart``,
        ``zielgruppe``, ``plaetze_je_100`` (places per 100 persons of the Zielgruppe that the
        Kommune wants in every Sozialraum) and ``quelle`` (where the standard comes from: a law,
        a Land guideline, the Kommune's own decision).
    max_coverage : float or mapping, optional
        A threshold set by hand where no standard is given: one number for every Angebotsart
        or a mapping Angebotsart → number.

    Returns
    -------
    DataFrame
        The columns of ``coverage`` and

        - ``schwelle``: the measure in places per 100 of the Zielgruppe
        - ``grundlage``: ``standard`` (from ``standards``), ``schwelle`` (``max_coverage``) or
          ``durchschnitt`` (neither is set: the Kommune's average coverage of the pair, places
          summed over all Sozialräume per 100 of the summed Zielgruppe)
        - ``quelle``: the source of the standard ('' otherwise)
        - ``versorgung``: ``ohne`` (no place at all), ``unter``, ``erreicht``, ``ueber`` (below,
          at or above the measure) or ``unbekannt`` (the Zielgruppe is unknown or 0)
        - ``massstab``: the measure in German, in the dative, for "unter/über …" ("dem
          Versorgungsstandard von 5,0 Plätzen je 100 der Zielgruppe (Quelle: …)")

    Notes
    -----
    A standard is used first, then ``max_coverage``, then the average. The average is a rule,
    not a standard: it says which areas lie below what the Kommune provides on average, and it
    is always greater than 0 where the Kommune has any place of the pair, so a Sozialraum
    without any offer is never judged as supplied.

    Examples
    --------
    >>> cov = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03"],
    ...     "angebotsart": "jugendtreff", "zielgruppe": "jugendliche_15_18",
    ...     "plaetze": [0, 10, 30], "zielgruppe_bevoelkerung": [200.0, 400.0, 400.0],
    ...     "plaetze_je_100": [0.0, 2.5, 7.5]})
    >>> coverage_status(cov)[["ags", "schwelle", "grundlage", "versorgung"]].values.tolist()
    [['99101-01', 4.0, 'durchschnitt', 'ohne'], ['99101-02', 4.0, 'durchschnitt', 'unter'], ['99101-03', 4.0, 'durchschnitt', 'ueber']]
    >>> std = pd.DataFrame({"angebotsart": ["jugendtreff"], "zielgruppe": ["jugendliche_15_18"],
    ...                     "plaetze_je_100": [2.5], "quelle": ["Soll-Konzept 2025"]})
    >>> coverage_status(cov, standards=std)["versorgung"].tolist()
    ['ohne', 'erreicht', 'ueber']
    """  # noqa: E501
    for c in ("ags", *_PAIR, "plaetze", "zielgruppe_bevoelkerung", "plaetze_je_100"):
        if c not in coverage.columns:
            raise ParameterError(f"`coverage` lacks the column {c!r}; pass the coverage() table.")
    cov = coverage.reset_index(drop=True).copy()
    cov["ags"] = cov["ags"].astype(str)
    places = pd.to_numeric(cov["plaetze"], errors="coerce").astype("float64")
    pop = pd.to_numeric(cov["zielgruppe_bevoelkerung"], errors="coerce").astype("float64")
    share = pd.to_numeric(cov["plaetze_je_100"], errors="coerce").astype("float64")
    known = pop > 0
    sums = pd.DataFrame({"p": places.where(known, 0.0), "n": pop.where(known, 0.0)}).groupby(
        [cov["angebotsart"], cov["zielgruppe"]]).sum()
    average = (100.0 * sums["p"] / sums["n"].where(sums["n"] > 0)).to_dict()
    keys = list(zip(cov["angebotsart"], cov["zielgruppe"], strict=True))
    schwelle = pd.Series([average.get(k, np.nan) for k in keys], dtype="float64")
    grundlage = pd.Series(["durchschnitt"] * len(cov), dtype=object)
    quelle = pd.Series([""] * len(cov), dtype=object)
    if max_coverage is not None:
        if isinstance(max_coverage, Mapping):
            given = cov["angebotsart"].map({str(k): float(v) for k, v in max_coverage.items()})
        else:
            given = pd.Series(float(max_coverage), index=cov.index)
        given = given.astype("float64")
        schwelle = schwelle.where(given.isna(), given)
        grundlage = grundlage.where(given.isna(), "schwelle")
    if standards is not None:
        st = _standards_table(standards)
        look = {(a, z): (v, q) for a, z, v, q in st.itertuples(index=False)}
        hit = [look.get(k) for k in keys]
        has = pd.Series([h is not None for h in hit])
        schwelle = schwelle.where(~has, pd.Series([h[0] if h else np.nan for h in hit]))
        grundlage = grundlage.where(~has, "standard")
        quelle = quelle.where(~has, pd.Series([h[1] if h else "" for h in hit], dtype=object))
    tol = 1e-9 * np.maximum(1.0, schwelle.abs())
    versorgung = np.select(
        [places == 0, share.isna() | schwelle.isna(), share < schwelle - tol,
         share > schwelle + tol],
        ["ohne", "unbekannt", "unter", "ueber"], default="erreicht")
    cov["schwelle"] = schwelle.to_numpy()
    cov["grundlage"] = grundlage.to_numpy()
    cov["quelle"] = quelle.astype(str).to_numpy()
    cov["versorgung"] = versorgung
    cov["massstab"] = [_measure(g, s, q) for g, s, q in
                       zip(cov["grundlage"], cov["schwelle"], cov["quelle"], strict=True)]
    return cov


def _measure(grundlage: str, schwelle: float, quelle: str) -> str:
    """The measure in the dative: 'dem Versorgungsstandard von 5,0 Plätzen je 100 …'."""
    if pd.isna(schwelle):
        return "einem Maßstab, der sich nicht berechnen lässt (Zielgruppe unbekannt)"
    if grundlage == "standard":
        src = f" (Quelle: {quelle})" if quelle else " (ohne Quellenangabe)"
        return f"dem Versorgungsstandard von {_dative_places(schwelle)} je 100 der Zielgruppe{src}"
    if grundlage == "schwelle":
        return f"der vorgegebenen Schwelle von {_dative_places(schwelle)} je 100 der Zielgruppe"
    return (f"dem Durchschnitt der Kommune ({_per_100(schwelle)} je 100 der Zielgruppe; "
            "ein Versorgungsstandard ist nicht festgelegt)")


def luecken(
    coverage: pd.DataFrame,
    sozialindex: pd.DataFrame,
    *,
    standards: pd.DataFrame | None = None,
    min_class: int = 4,
    max_coverage: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Lücken: Sozialräume of a high Sozialindex class without an offer or below the measure.

    Parameters
    ----------
    coverage : DataFrame
        Result of :func:`coverage` (or of :func:`coverage_status`).
    sozialindex : DataFrame
        Result of :func:`bimokit.composite.sozialindex` (columns ``ags``, ``class``).
    standards : DataFrame, optional
        Versorgungsstandards (:data:`STANDARD_COLUMNS`), see :func:`coverage_status`.
    min_class : int
        Lowest Sozialindex class that counts as high need (default 4 of 5).
    max_coverage : float or mapping, optional
        Threshold by hand where no standard is set (see :func:`coverage_status`).

    Returns
    -------
    DataFrame
        One row per gap, columns: ``ags``, ``class``, ``angebotsart``, ``zielgruppe``,
        ``plaetze``, ``zielgruppe_bevoelkerung``, ``plaetze_je_100``, ``schwelle``,
        ``grundlage``, ``quelle``, ``ohne_angebot`` (bool: not a single place), ``regel``
        (German statement of the rule that makes it a gap); sorted by class descending, then
        areas without any offer first, then coverage ascending.

    Notes
    -----
    A cell is a gap when the class is at least ``min_class`` and either there is no place at
    all (whatever the measure: zero coverage in a high-need area is always named) or the
    coverage lies below the measure of :func:`coverage_status`. An empty result therefore
    means, by that rule, that no high-need area lacks anything.

    Examples
    --------
    >>> cov = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03"], "angebotsart": "kita",
    ...     "zielgruppe": "kinder_3_6", "plaetze": [0, 0, 90],
    ...     "zielgruppe_bevoelkerung": [100.0] * 3, "plaetze_je_100": [0.0, 0.0, 90.0]})
    >>> si = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03"], "class": [5, 2, 4]})
    >>> luecken(cov, si)[["ags", "class", "schwelle", "ohne_angebot"]].values.tolist()
    [['99101-01', 5, 30.0, True]]
    """
    for c in ("ags", "class"):
        if c not in sozialindex.columns:
            raise ParameterError(
                f"`sozialindex` lacks the column {c!r}; pass the sozialindex() table."
            )
    if not isinstance(min_class, int | np.integer) or not 1 <= int(min_class) <= 5:
        raise ParameterError(f"`min_class` must be a class from 1 to 5; not {min_class!r}.")
    cov = coverage_status(coverage, standards=standards, max_coverage=max_coverage)
    si = sozialindex[["ags", "class"]].assign(ags=sozialindex["ags"].astype(str))
    res = cov.merge(si, on="ags", how="inner")
    cls = pd.to_numeric(res["class"], errors="coerce")
    hit = (cls >= min_class) & res["versorgung"].isin(["ohne", "unter"])
    res = res[hit.to_numpy(dtype=bool)].copy()
    res["class"] = res["class"].astype("int64")
    res["ohne_angebot"] = (res["versorgung"] == "ohne").astype(bool)
    res["regel"] = [
        f"Sozialindex-Klasse ≥ {min_class} und kein Angebot" if none else
        f"Sozialindex-Klasse ≥ {min_class} und Versorgung unter {m}"
        for none, m in zip(res["ohne_angebot"], res["massstab"], strict=True)]
    res = res.assign(_o=~res["ohne_angebot"]).sort_values(
        ["class", "_o", "plaetze_je_100", "ags", "angebotsart"],
        ascending=[False, True, True, True, True])
    return res[["ags", "class", "angebotsart", "zielgruppe", "plaetze",
                "zielgruppe_bevoelkerung", "plaetze_je_100", "schwelle", "grundlage", "quelle",
                "ohne_angebot", "regel"]].reset_index(drop=True)


def doppelstrukturen(
    offers: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    standards: pd.DataFrame | None = None,
    max_coverage: float | Mapping[str, float] | None = None,
    min_anbieter: int = 2,
) -> pd.DataFrame:
    """Several providers of one Angebotsart for one Zielgruppe in a Sozialraum, judged by need.

    Parameters
    ----------
    offers : DataFrame
        The inventory (:func:`read_offers`).
    coverage : DataFrame
        Result of :func:`coverage` for these offers.
    standards, max_coverage
        The measure of the coverage (see :func:`coverage_status`).
    min_anbieter : int
        Minimum number of distinct providers (default 2).

    Returns
    -------
    DataFrame
        One row per (Sozialraum, Angebotsart, Zielgruppe) with at least ``min_anbieter``
        providers, columns: ``ags``, ``angebotsart``, ``zielgruppe``, ``n_anbieter``,
        ``n_angebote``, ``plaetze``, ``anbieter`` (the providers, sorted, joined by ``"; "``),
        ``plaetze_je_100``, ``schwelle``, ``grundlage``, ``versorgung``, ``massstab`` (as in
        :func:`coverage_status`), ``urteil`` and ``doppelstruktur`` (bool: ``urteil ==
        'moeglich'``); the possible Doppelstrukturen first, then by ``n_anbieter`` descending
        and ``ags``. ``urteil``:

        - ``moeglich``: the coverage lies above a standard (or a threshold given by hand):
          together the providers offer more than the Kommune asks for;
        - ``nicht_ueber_standard``: at or below it: the providers together do not even cover
          the need; the area is under-supplied, not doubly supplied;
        - ``ohne_standard``: no standard or threshold is set for the pair; whether the need is
          exceeded cannot be judged (the Kommune's average is no measure of need);
        - ``unbekannt``: the coverage cannot be computed (target group unknown or 0).

    Notes
    -----
    Several providers are a possible Doppelstruktur only where the coverage lies above the
    standard. The average rule of :func:`coverage_status` is not used here: where most areas
    have no offer, the average is near 0 and any area with a few places would lie above it.

    Examples
    --------
    >>> offers = pd.DataFrame({"anbieter": ["A", "B", "A", "C"], "angebot": list("wxyz"),
    ...     "angebotsart": "treff", "zielgruppe": "kinder_10_15",
    ...     "sozialraum": ["99101-01", "99101-01", "99101-02", "99101-02"],
    ...     "plaetze": [10, 15, 1, 1]})
    >>> pop = pd.DataFrame({"ags": ["99101-01", "99101-02"], "altersgruppe": "10-15",
    ...                     "value": [100.0, 100.0]})
    >>> std = pd.DataFrame({"angebotsart": ["treff"], "zielgruppe": ["kinder_10_15"],
    ...                     "plaetze_je_100": [10.0], "quelle": ["Soll-Konzept"]})
    >>> d = doppelstrukturen(offers, coverage(offers, pop), standards=std)
    >>> d[["ags", "n_anbieter", "plaetze_je_100", "urteil"]].values.tolist()
    [['99101-01', 2, 25.0, 'moeglich'], ['99101-02', 2, 2.0, 'nicht_ueber_standard']]
    >>> doppelstrukturen(offers, coverage(offers, pop))["urteil"].tolist()
    ['ohne_standard', 'ohne_standard']
    """
    if not isinstance(min_anbieter, int | np.integer) or min_anbieter < 2:
        raise ParameterError(f"`min_anbieter` must be at least 2; not {min_anbieter!r}.")
    o = offers.assign(ags=offers["sozialraum"].astype(str))
    g = o.groupby(_CELL)
    res = g.agg(
        n_anbieter=("anbieter", "nunique"),
        n_angebote=("anbieter", "size"),
        plaetze=("plaetze", "sum"),
        anbieter=("anbieter", lambda s: "; ".join(sorted(set(map(str, s))))),
    ).reset_index()
    res = res[res["n_anbieter"] >= min_anbieter]
    for c in ("n_anbieter", "n_angebote", "plaetze"):
        res[c] = res[c].astype("int64")
    status = coverage_status(coverage, standards=standards, max_coverage=max_coverage)
    res = res.merge(status[[*_CELL, "plaetze_je_100", "schwelle", "grundlage", "versorgung",
                            "massstab"]], on=_CELL, how="left")
    res["versorgung"] = res["versorgung"].fillna("unbekannt")
    res["massstab"] = res["massstab"].fillna("")
    res["grundlage"] = res["grundlage"].fillna("")
    judged = res["grundlage"].isin(["standard", "schwelle"])
    res["urteil"] = np.select(
        [res["versorgung"] == "unbekannt", ~judged, res["versorgung"] == "ueber"],
        ["unbekannt", "ohne_standard", "moeglich"], default="nicht_ueber_standard")
    res["doppelstruktur"] = (res["urteil"] == "moeglich").astype(bool)
    res = res.assign(_d=~res["doppelstruktur"]).sort_values(
        ["_d", "n_anbieter", "ags", "angebotsart"], ascending=[True, False, True, True])
    return res[["ags", "angebotsart", "zielgruppe", "n_anbieter", "n_angebote", "plaetze",
                "anbieter", "plaetze_je_100", "schwelle", "grundlage", "versorgung", "massstab",
                "urteil", "doppelstruktur"]].reset_index(drop=True)


def soll_konzept(
    coverage: pd.DataFrame,
    sozialindex: pd.DataFrame,
    offers: pd.DataFrame,
    *,
    standards: pd.DataFrame | None = None,
    max_coverage: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Need, supply against the measure and actors per Sozialraum (the Soll-Konzept layer).

    Parameters
    ----------
    coverage : DataFrame
        Result of :func:`coverage`.
    sozialindex : DataFrame
        Result of :func:`bimokit.composite.sozialindex` (``ags``, ``class``).
    offers : DataFrame
        The inventory (:func:`read_offers`); its ``akteur`` (or, where empty, ``anbieter``)
        names who works in a Sozialraum.
    standards, max_coverage
        The measure (see :func:`coverage_status`).

    Returns
    -------
    DataFrame
        One row per Sozialraum of ``coverage``, sorted by class descending and ``ags``:
        ``ags``, ``class`` (Int64, ``<NA>`` without a Sozialindex), ``n_arten`` (pairs of
        Angebotsart and Zielgruppe judged), ``n_ohne``, ``n_unter``, ``n_erreicht`` (at or
        above the measure), ``n_unbekannt``, ``akteure`` (``"; "``-joined, '' where no offer).

    Examples
    --------
    >>> offers = pd.DataFrame({"anbieter": ["A", "B"], "angebot": ["x", "y"],
    ...     "angebotsart": "treff", "zielgruppe": "kinder_10_15",
    ...     "sozialraum": ["99101-01", "99101-01"], "plaetze": [10, 15],
    ...     "akteur": ["Jugendamt", ""]})
    >>> pop = pd.DataFrame({"ags": ["99101-01", "99101-02"], "altersgruppe": "10-15",
    ...                     "value": [100.0, 100.0]})
    >>> si = pd.DataFrame({"ags": ["99101-01", "99101-02"], "class": [2, 5]})
    >>> soll_konzept(coverage(offers, pop), si, offers)[["ags", "class", "n_ohne", "akteure"]
    ...     ].values.tolist()
    [['99101-02', 5, 1, ''], ['99101-01', 2, 0, 'B; Jugendamt']]
    """
    status = coverage_status(coverage, standards=standards, max_coverage=max_coverage)
    v = status["versorgung"]
    counts = pd.DataFrame({
        "ags": status["ags"],
        "n_arten": 1,
        "n_ohne": (v == "ohne").astype(int),
        "n_unter": (v == "unter").astype(int),
        "n_erreicht": v.isin(["erreicht", "ueber"]).astype(int),
        "n_unbekannt": (v == "unbekannt").astype(int),
    }).groupby("ags", sort=True).sum().reset_index()
    who = offers["akteur"].astype(str).str.strip() if "akteur" in offers.columns else \
        pd.Series("", index=offers.index)
    who = who.where(who != "", offers["anbieter"].astype(str).str.strip())
    actors = who.groupby(offers["sozialraum"].astype(str)).agg(
        lambda s: "; ".join(sorted(set(x for x in s if x))))
    counts["akteure"] = counts["ags"].map(actors).fillna("").astype(str)
    cls = sozialindex[["ags", "class"]].assign(ags=sozialindex["ags"].astype(str))
    out = counts.merge(cls, on="ags", how="left")
    out["class"] = pd.to_numeric(out["class"], errors="coerce").astype("Int64")
    for c in ("n_arten", "n_ohne", "n_unter", "n_erreicht", "n_unbekannt"):
        out[c] = out[c].astype("int64")
    out = out.assign(_c=out["class"].fillna(0)).sort_values(["_c", "ags"],
                                                              ascending=[False, True])
    return out[["ags", "class", "n_arten", "n_ohne", "n_unter", "n_erreicht", "n_unbekannt",
                "akteure"]].reset_index(drop=True)
