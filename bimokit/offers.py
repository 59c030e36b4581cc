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
  of :data:`STANDARD_FIELDS`) or, where no standard is set, against an explicit rule (the
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

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ._schema import IMPLAUSIBLE
from .errors import ParameterError
from .fmt import fmt_number
from .io.own import (
    OwnColumn,
    OwnTable,
    Problems,
    parse_number,
    parse_whole,
    parse_year,
    read_own_table,
)

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "OFFER_COLUMNS",
    "STANDARD_COLUMNS",
    "ZIELGRUPPEN",
    "ZIELGRUPPEN_DE",
    "ANGEBOTSARTEN",
    "TRAEGERARTEN",
    "DEFAULT_STANDARDS",
    "template_path",
    "read_offers",
    "check_offers",
    "read_standards",
    "default_standards",
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
STANDARD_FIELDS = ("angebotsart", "zielgruppe", "plaetze_je_100", "quelle")
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

#: German labels of the Zielgruppen.
ZIELGRUPPEN_DE = {
    "kinder_u3": "Kinder unter 3 Jahren",
    "kinder_3_6": "Kinder von 3 bis unter 6 Jahren",
    "kinder_u6": "Kinder unter 6 Jahren",
    "eltern_u6": "Eltern von Kindern unter 6 Jahren",
    "kinder_6_10": "Kinder von 6 bis unter 10 Jahren",
    "kinder_10_15": "Kinder von 10 bis unter 15 Jahren",
    "jugendliche_15_18": "Jugendliche von 15 bis unter 18 Jahren",
    "kinder_jugendliche_6_18": "Kinder und Jugendliche von 6 bis unter 18 Jahren",
    "junge_erwachsene_18_25": "junge Erwachsene von 18 bis unter 25 Jahren",
    "erwachsene_25_65": "Erwachsene von 25 bis unter 65 Jahren",
    "senioren_65plus": "Menschen ab 65 Jahren",
    "alle": "alle Einwohnerinnen und Einwohner",
}

#: Angebotsarten with a German label (the codes of the templates' list). Other codes are
#: allowed; a German label from this list is read as its code.
ANGEBOTSARTEN = {
    "hausaufgabenhilfe": "Hausaufgabenhilfe",
    "sprachfoerderung": "Sprachförderung",
    "jugendtreff": "Jugendtreff",
    "elterncafe": "Elterncafé",
    "schulsozialarbeit": "Schulsozialarbeit",
    "lernfoerderung": "Lernförderung",
    "ferienbetreuung": "Ferienbetreuung",
    "familienbildung": "Familienbildung",
    "fruehe_hilfen": "Frühe Hilfen",
}

_KEY = re.compile(r"^(\d{5}-[0-9A-Za-z_]+|\d{8}|\d{12})$")

#: The inventory's columns for the reader and the template (code name, German header …).
OFFER_COLUMNS = (
    OwnColumn("anbieter", "Anbieter", True, "Träger oder Anbieter", "AWO Musterstadt"),
    OwnColumn("angebot", "Angebot", True, "Name des Angebots", "Hausaufgabenhilfe Nordstadt"),
    OwnColumn("angebotsart", "Angebotsart", True,
              "Kurzcode der Angebotsart aus der Liste (andere Codes sind erlaubt)",
              "hausaufgabenhilfe"),
    OwnColumn("sozialraum", "Sozialraum", True,
              "Schlüssel des Sozialraums (<Kreis-AGS>-<Nr.>, z. B. 99101-03) oder AGS der "
              "Gemeinde", "99101-03"),
    OwnColumn("zielgruppe", "Zielgruppe", True,
              "Zielgruppe aus der Liste; sie bestimmt, welche Bevölkerung der Nenner ist",
              "kinder_6_10"),
    OwnColumn("plaetze", "Plätze", True,
              "Plätze bzw. Teilnehmende im Jahr, ganze Zahl ≥ 0", "25", ("plaetze_anzahl",)),
    OwnColumn("traegerart", "Trägerart", False, "oeffentlich, frei oder privat", "frei"),
    OwnColumn("finanzierung", "Finanzierung", False, "freier Text, z. B. kommunal, Land, ESF",
              "kommunal"),
    OwnColumn("jahr", "Jahr", False, "Berichtsjahr", "2024"),
    OwnColumn("bemerkung", "Bemerkung", False, "freier Text", ""),
)

#: Columns of the Versorgungsstandards file (``standards.csv`` beside ``zielwerte.csv``).
STANDARD_COLUMNS = (
    OwnColumn("angebotsart", "Angebotsart", True, "Kurzcode der Angebotsart (wie im "
              "Angebotsinventar)", "sprachfoerderung"),
    OwnColumn("zielgruppe", "Zielgruppe", True, "Zielgruppe aus der Liste", "kinder_3_6"),
    OwnColumn("plaetze_je_100", "Plätze je 100 der Zielgruppe", True,
              "Soll: Plätze je 100 Personen der Zielgruppe im Sozialraum, mehr als 0 und "
              "höchstens 100; Dezimalkomma wie 12,5", "12,5", ("standard", "soll")),
    OwnColumn("quelle", "Quelle", True,
              "woher der Standard stammt: Beschluss, Gesetz, Landesvorgabe, Soll-Konzept",
              "Soll-Konzept, Beschluss des Jugendhilfeausschusses vom 12.03.2025"),
    OwnColumn("bemerkung", "Bemerkung", False, "freier Text", ""),
)

#: Versorgungsstandards that hold without a file of the Kommune: only where a law or a Land
#: sets places per 100 of the target group, each with its source. None of the Angebotsarten
#: above has one: the Rechtsansprüche of § 24 SGB VIII (Kindertagesbetreuung, from 2026
#: Ganztag in der Grundschule) give every child a claim, not a number of places per 100, and
#: staffing keys for Schulsozialarbeit count staff, not places. So the tuple is empty, and
#: without ``standards.csv`` Lücken are judged by a rule the text states.
DEFAULT_STANDARDS: tuple[dict, ...] = ()


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


def read_offers(path: str | PathLike, *, zielgruppen: Mapping | None = ZIELGRUPPEN,
                regions: pd.DataFrame | Iterable[str] | None = None) -> pd.DataFrame:
    """Read and check the offers inventory (CSV or XLSX in the template's columns).

    Parameters
    ----------
    path : str or PathLike
        A ``.csv`` or ``.xlsx`` file, headed by the code names (``plaetze``) or the template's
        German headers (``Plätze``).
    zielgruppen : mapping or None
        Allowed target groups (default :data:`ZIELGRUPPEN`); None accepts any non-empty text.
    regions : DataFrame or iterable of str, optional
        Region table (or keys); every offer's Sozialraum must be in it.

    Returns
    -------
    DataFrame
        One row per offer with the columns of :data:`COLUMNS` (optional ones empty if absent):
        ``anbieter, angebot, angebotsart, sozialraum, zielgruppe`` (str), ``plaetze`` (int64),
        ``traegerart, finanzierung`` (str), ``jahr`` (nullable Int64), ``bemerkung`` (str), and
        ``line``: the line of the offer in the file (the row of the sheet).

    Raises
    ------
    bimokit.errors.InputProblems
        Every problem of the file at once, each with line and field: a missing required
        column, an empty required field, a malformed Sozialraum key or one not in
        ``regions``, an unknown Zielgruppe or Trägerart, places that are not a whole number
        ≥ 0, a year that is no year.

    Examples
    --------
    >>> from bimokit._paths import sample_dir
    >>> offers = read_offers(sample_dir() / "angebote.csv")
    >>> list(offers.columns)[:6]
    ['anbieter', 'angebot', 'angebotsart', 'sozialraum', 'zielgruppe', 'plaetze']
    """
    t = read_own_table(path, OFFER_COLUMNS, what="Das Angebotsinventar", sheet="Angebote")
    out = _check_table(t, zielgruppen=zielgruppen, regions=regions)
    out.attrs["path"] = str(path)
    return out


def check_offers(offers: pd.DataFrame, *, path=None, lines: Sequence[int] | None = None,
                 zielgruppen: Mapping | None = ZIELGRUPPEN,
                 regions: pd.DataFrame | Iterable[str] | None = None) -> pd.DataFrame:
    """Check an offers table (as from :func:`read_offers`) and return it with clean types.

    Parameters
    ----------
    offers : DataFrame
        Columns as in :data:`COLUMNS` (or the template's German headers).
    path : str, optional
        File name for error messages.
    lines : sequence of int, optional
        Line number of every row for error messages (default: row number + 2).
    zielgruppen : mapping or None
        Allowed target groups.
    regions : DataFrame or iterable of str, optional
        Region table (or keys) the Sozialräume must be in.

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
    bimokit.errors.InputProblems: a.csv: 1 Fehler, die Datei wurde nicht übernommen:
      a.csv, Zeile 2, Feld plaetze: 'abc' ist keine Zahl; erwartet: Plätze als ganze Zahl ≥ 0
    """
    from .io.own import header_key

    by_key = {k: c.name for c in OFFER_COLUMNS for k in c.keys()}
    names = {str(c): by_key.get(header_key(str(c)), header_key(str(c))) for c in offers.columns}
    fields = {names[str(c)]: str(c) for c in offers.columns if names[str(c)] in
              {c.name for c in OFFER_COLUMNS}}
    lines = list(lines) if lines is not None else [i + 2 for i in range(len(offers))]
    problems = Problems(path if path is not None else "Angebote")
    missing = [c for c in OFFER_COLUMNS if c.required and c.name not in fields]
    if missing:
        problems.error(f"Pflichtspalte(n) {', '.join(repr(c.name) for c in missing)} fehlen; "
                       f"die Vorlage hat {', '.join(c.name for c in OFFER_COLUMNS)}", line=1)
    rows = []
    for rec in offers.itertuples(index=False):
        row = {}
        for col, v in zip(offers.columns, rec, strict=True):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                v = ""
            row[names[str(col)]] = v.strip() if isinstance(v, str) else v
        rows.append(row)
    t = OwnTable(Path(str(path)) if path else Path("Angebote"), None, fields, {}, rows, lines,
                 1, True, problems)
    return _check_table(t, zielgruppen=zielgruppen, regions=regions)


def _label_to_code(labels: Mapping[str, str]) -> dict[str, str]:
    return {v.lower(): k for k, v in labels.items()} | {k: k for k in labels}


def _check_table(t: OwnTable, *, zielgruppen, regions) -> pd.DataFrame:
    pr = t.problems
    known = None
    if regions is not None:
        known = set((regions["ags"] if isinstance(regions, pd.DataFrame) else
                     pd.Series(list(regions))).astype(str))
    kinds = _label_to_code(ANGEBOTSARTEN)
    groups = _label_to_code(ZIELGRUPPEN_DE) if zielgruppen is ZIELGRUPPEN else {}
    out = {c: [] for c in (*COLUMNS, "line")}
    for ln, raw in zip(t.lines, t.rows, strict=True):
        ok = True

        def bad(msg, col, _ln=ln):
            pr.error(msg, line=_ln, field=t.field_name(col))

        row = {c: raw.get(c, "") for c in COLUMNS}
        row = {c: (v if c in ("plaetze", "jahr") and not isinstance(v, str) else str(v).strip())
               for c, v in row.items()}
        for col in REQUIRED:
            if row[col] == "" and col in t.fields:
                bad("Pflichtfeld ist leer", col)
                ok = False
        art = row["angebotsart"]
        row["angebotsart"] = kinds.get(art.lower(), art) if isinstance(art, str) else art
        key = row["sozialraum"]
        if key != "" and not _KEY.match(key):
            bad(f"{key!r} ist kein Sozialraum-Schlüssel ('<Kreis-AGS>-<Nr.>', z. B. "
                "'99101-03') und keine AGS einer Gemeinde", "sozialraum")
            ok = False
        elif key != "" and known is not None and key not in known:
            bad(f"den Sozialraum {key!r} gibt es in der Regionstabelle nicht", "sozialraum")
            ok = False
        zg = groups.get(str(row["zielgruppe"]).lower(), row["zielgruppe"])
        row["zielgruppe"] = zg
        if zg != "" and zielgruppen is not None and zg not in zielgruppen:
            bad(f"unbekannte Zielgruppe {zg!r}; erlaubt sind {', '.join(zielgruppen)}",
                "zielgruppe")
            ok = False
        ta = row["traegerart"]
        if ta and ta not in TRAEGERARTEN:
            bad(f"unbekannte Trägerart {ta!r}; erlaubt sind {', '.join(TRAEGERARTEN)}",
                "traegerart")
            ok = False
        places = None
        if row["plaetze"] != "":
            places, why = parse_whole(row["plaetze"], what="Plätze")
            if places is None:
                bad(why, "plaetze")
                ok = False
        year = pd.NA
        if str(row["jahr"]).strip() != "":
            year, why = parse_year(row["jahr"])
            if year is None:
                bad(why, "jahr")
                ok = False
        if not ok or places is None:
            continue
        row["plaetze"], row["jahr"] = places, year
        for c in COLUMNS:
            out[c].append(row[c])
        out["line"].append(ln)
    pr.finish(stacklevel=4)
    res = pd.DataFrame({c: pd.Series(out[c], dtype=object) for c in out})
    res["plaetze"] = res["plaetze"].astype("int64")
    res["jahr"] = pd.array(list(out["jahr"]), dtype="Int64")
    for c in COLUMNS:
        if c not in ("plaetze", "jahr"):
            res[c] = res[c].astype(str)
    res["line"] = res["line"].astype("int64")
    return res


def read_standards(path: str | PathLike, *, zielgruppen: Mapping | None = ZIELGRUPPEN
                   ) -> pd.DataFrame:
    """Read the Versorgungsstandards of the Soll-Konzept (``standards.csv`` or XLSX).

    One row per Angebotsart and Zielgruppe: how many places per 100 persons of the target
    group a Sozialraum should have, and where that standard comes from.

    Parameters
    ----------
    path : str or PathLike
        CSV or XLSX with the columns of :data:`STANDARD_COLUMNS` (code names or the template's
        German headers).
    zielgruppen : mapping or None
        Allowed target groups (default :data:`ZIELGRUPPEN`).

    Returns
    -------
    DataFrame
        ``angebotsart``, ``zielgruppe`` (str), ``plaetze_je_100`` (float), ``quelle``,
        ``bemerkung`` (str), ``line`` (int).

    Raises
    ------
    bimokit.errors.InputProblems
        Every problem at once, with line and field: a missing column or field, an unknown
        Zielgruppe, a standard that is no number, not finite, not above 0 or above 100 places
        per 100 (more places than persons), two rows for the same Angebotsart and Zielgruppe.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "standards.csv"
    >>> _ = p.write_text("Angebotsart;Zielgruppe;Plätze je 100 der Zielgruppe;Quelle\\n"
    ...                  "sprachfoerderung;kinder_3_6;12,5;Soll-Konzept 2025\\n",
    ...                  encoding="utf-8")
    >>> read_standards(p)[["angebotsart", "plaetze_je_100", "quelle"]].values.tolist()
    [['sprachfoerderung', 12.5, 'Soll-Konzept 2025']]
    """
    t = read_own_table(path, STANDARD_COLUMNS, what="Die Datei der Versorgungsstandards",
                       sheet="Standards")
    pr = t.problems
    kinds = _label_to_code(ANGEBOTSARTEN)
    groups = _label_to_code(ZIELGRUPPEN_DE) if zielgruppen is ZIELGRUPPEN else {}
    rows, seen = [], {}
    for ln, raw in zip(t.lines, t.rows, strict=True):
        ok = True

        def bad(msg, col, _ln=ln):
            pr.error(msg, line=_ln, field=t.field_name(col))

        row = {c.name: raw.get(c.name, "") for c in STANDARD_COLUMNS}
        for c in STANDARD_COLUMNS:
            if c.required and str(row[c.name]).strip() == "" and c.name in t.fields:
                bad("Pflichtfeld ist leer", c.name)
                ok = False
        art = str(row["angebotsart"]).strip()
        art = kinds.get(art.lower(), art)
        zg = str(row["zielgruppe"]).strip()
        zg = groups.get(zg.lower(), zg)
        if zg and zielgruppen is not None and zg not in zielgruppen:
            bad(f"unbekannte Zielgruppe {zg!r}; erlaubt sind {', '.join(zielgruppen)}",
                "zielgruppe")
            ok = False
        value = math.nan
        if str(row["plaetze_je_100"]).strip() != "":
            value, why = parse_number(row["plaetze_je_100"], german=t.german)
            cell = row["plaetze_je_100"]
            shown = repr(cell) if isinstance(cell, str) else str(cell)
            if value is None:
                bad(why, "plaetze_je_100")
                ok = False
            elif not math.isfinite(value):
                bad(f"{shown} ist keine endliche Zahl", "plaetze_je_100")
                ok = False
            elif not 0 < value <= 100:
                bad(f"{shown} liegt nicht über 0 und höchstens bei 100: ein Standard sind "
                    "Plätze je 100 Personen der Zielgruppe (mehr Plätze als Personen sind "
                    "nicht plausibel)", "plaetze_je_100")
                ok = False
        if not ok or not art or not zg or math.isnan(value):
            continue
        if (art, zg) in seen:
            bad(f"für {art} und {zg} gibt es schon einen Standard in Zeile {seen[(art, zg)]}; "
                "je Angebotsart und Zielgruppe gilt einer", "angebotsart")
            continue
        seen[(art, zg)] = ln
        rows.append({"angebotsart": art, "zielgruppe": zg, "plaetze_je_100": float(value),
                     "quelle": str(row["quelle"]).strip(),
                     "bemerkung": str(row["bemerkung"]).strip(), "line": ln})
    pr.finish(stacklevel=3)
    return _standards_frame(rows)


def _standards_frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["angebotsart", "zielgruppe", "plaetze_je_100", "quelle",
                                      "bemerkung", "line"])
    out["plaetze_je_100"] = out["plaetze_je_100"].astype("float64")
    out["line"] = out["line"].astype("int64")
    for c in ("angebotsart", "zielgruppe", "quelle", "bemerkung"):
        out[c] = out[c].astype(str)
    return out


def default_standards() -> pd.DataFrame:
    """The Versorgungsstandards that hold by law or Land rule (:data:`DEFAULT_STANDARDS`).

    Returns
    -------
    DataFrame
        Columns as :func:`read_standards` (``line`` 0); no rows as long as no law or Land
        sets places per 100 for an Angebotsart of :data:`ANGEBOTSARTEN` (see there).

    Examples
    --------
    >>> list(default_standards().columns)
    ['angebotsart', 'zielgruppe', 'plaetze_je_100', 'quelle', 'bemerkung', 'line']
    """
    return _standards_frame([{**d, "line": 0} for d in DEFAULT_STANDARDS])


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
    max_per_100: float | None = 100.0,
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
        of a kind shows up with 0 places. Offers in a Sozialraum outside ``units`` are not
        counted, and warned about.
    max_per_100 : float or None
        Largest plausible coverage (default 100: not more places than persons of the target
        group). Above it the coverage is not given (NaN, status ``!``, "nicht plausibel")
        and the offers are warned about with their lines. None: no check.

    Returns
    -------
    DataFrame
        One row per unit × (Angebotsart, Zielgruppe) pair present in the inventory, columns:
        ``ags``, ``angebotsart``, ``zielgruppe``, ``n_angebote`` (offers), ``n_anbieter``
        (distinct providers), ``plaetze`` (sum of places), ``zielgruppe_bevoelkerung``
        (persons of the target group), ``plaetze_je_100`` (places per 100 of them; NaN where
        the target group is 0 or unknown, or the coverage is not plausible), ``year``
        (population year, ``<NA>`` if none), ``status`` (``""``, or ``!`` where the coverage
        is above ``max_per_100``).

    Warns
    -----
    bimokit.errors.InputWarning
        Naming the offers (file and line, where the table has ``line``) that lie outside
        ``units`` or give a coverage above ``max_per_100``.

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
    res["status"] = ""
    notes = Problems(offers.attrs.get("path", "Angebotsinventar"))
    outside = o[~o["ags"].isin(set(units))]
    for rec in outside.itertuples(index=False):
        notes.warn(f"das Angebot {rec.angebot!r} liegt im Sozialraum {rec.ags!r}, der nicht zu "
                   "den ausgewerteten Sozialräumen gehört; es wird nicht gezählt",
                   line=getattr(rec, "line", None), field="sozialraum")
    if max_per_100 is not None:
        high = res["plaetze_je_100"] > float(max_per_100)
        for rec in res[high].itertuples(index=False):
            lines = o.loc[(o["ags"] == rec.ags) & (o["angebotsart"] == rec.angebotsart)
                          & (o["zielgruppe"] == rec.zielgruppe)]
            lines = lines["line"].tolist() if "line" in lines.columns else []
            group = ZIELGRUPPEN_DE.get(rec.zielgruppe, rec.zielgruppe)
            notes.warn(
                f"{fmt_number(rec.plaetze, 0)} Plätze ({rec.angebotsart}) für "
                f"{fmt_number(rec.zielgruppe_bevoelkerung, 0)} {group} im Sozialraum "
                f"{rec.ags} ergäben {fmt_number(rec.plaetze_je_100, 0)} Plätze je 100; mehr "
                f"als {fmt_number(float(max_per_100), None)} je 100 (mehr Plätze als Personen "
                "der Zielgruppe) ist nicht plausibel, der Versorgungsgrad wird nicht "
                "ausgewiesen" + (f" (Angebote in Zeile {', '.join(map(str, lines))})"
                                 if lines else ""),
                line=lines[0] if len(lines) == 1 else None, field="plaetze")
        res.loc[high, "status"] = IMPLAUSIBLE
        res.loc[high, "plaetze_je_100"] = np.nan
    notes.finish(stacklevel=3)
    return res[["ags", "angebotsart", "zielgruppe", "n_angebote", "n_anbieter", "plaetze",
                "zielgruppe_bevoelkerung", "plaetze_je_100", "year", "status"]]


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
            f"`standards` must be a table with the columns {', '.join(STANDARD_FIELDS)}; not "
            f"{type(standards).__name__}."
        )
    s = standards.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in STANDARD_FIELDS if c not in s.columns]
    if missing:
        raise ParameterError(
            f"`standards` lacks the column(s) {', '.join(missing)}; it needs "
            f"{', '.join(STANDARD_FIELDS)}."
        )
    s = s[list(STANDARD_FIELDS)].copy()
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
        The Kommune's Versorgungsstandards, columns :data:`STANDARD_FIELDS`: ``angebotsart``,
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
        Versorgungsstandards (:data:`STANDARD_FIELDS`), see :func:`coverage_status`.
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
