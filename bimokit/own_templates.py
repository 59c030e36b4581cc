"""Templates for the Kommune's own tables: Excel workbooks (or CSV) to fill in and read back.

``bimokit template sozialraum|zielwerte|angebote|standards -o FILE.xlsx`` calls
:func:`write_template`. A workbook has three sheets:

* the table itself (``Sozialraumdaten``, ``Zielwerte``, ``Angebote``, ``Standards``): German
  headers (``*`` marks a required column), key columns stored as text (so that ``01001``
  keeps its zero), and drop-down lists where the entries are fixed: the Sozialräume of the
  data, the indicator ids of the catalogue, the Angebotsarten and Zielgruppen;
* ``Erläuterung``: what the table is for, one line per column (required or not, meaning,
  example), how numbers are written, and the lists with their German names;
* ``Listen`` (hidden): the entries of the drop-down lists.

The readers take the filled workbook, or the same table saved as CSV, as it is:
:func:`bimokit.io.own.read_sozialraum`, :func:`bimokit.targets.read_zielwerte`,
:func:`bimokit.offers.read_offers`, :func:`bimokit.offers.read_standards`. A ``.csv`` target
gives the CSV template: the explanation as ``#`` comment lines, then the header.

Layer: beside :mod:`bimokit.publish` (it reads the data, the catalogue and the methods' column
lists, and writes files).
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd

from ._atomic import atomic_path, atomic_write_text
from .catalogue import load_catalogue, load_vocabulary
from .errors import InputError, ParameterError
from .io.own import SOZIALRAUM_COLUMNS, OwnColumn
from .offers import (
    ANGEBOTSARTEN,
    DEFAULT_STANDARDS,
    OFFER_COLUMNS,
    STANDARD_COLUMNS,
    TRAEGERARTEN,
    ZIELGRUPPEN,
    ZIELGRUPPEN_DE,
)
from .targets import ZIELWERTE_COLUMNS

__all__ = ["TEMPLATE_KINDS", "template_lists", "write_template"]

#: Rows of the data sheet that carry the drop-down lists.
ROWS = 2000

#: Columns that hold numbers (left in Excel's general format, so that 12,5 is a number).
_NUMERIC = frozenset({"year", "value", "baseline_year", "target_year", "target_value",
                      "baseline_value", "direction", "plaetze", "jahr", "plaetze_je_100"})


@dataclass(frozen=True)
class _Kind:
    sheet: str
    file: str
    columns: tuple
    title: str
    purpose: str
    lists: dict  # column name -> (list name, strict)


#: The templates: name → data sheet, file name in the data folder, columns, explanation.
TEMPLATE_KINDS = {
    "sozialraum": _Kind(
        "Sozialraumdaten", "sozialraumdaten", SOZIALRAUM_COLUMNS,
        "Eigene Daten je Sozialraum",
        "Zahlen, die die Kommune selbst je Sozialraum erhebt (Schuleingangsuntersuchung, "
        "Kita-Plätze, Jugendhilfe, VHS …): eine Zeile je Sozialraum, Jahr, Variable und "
        "Gliederung. Als sozialraumdaten.csv oder sozialraumdaten.xlsx in den Datenordner "
        "legen; bimokit liest die Datei mit den amtlichen Daten ein.",
        {"sozialraum": ("Sozialraum", True), "variable": ("Variable", True),
         "altersgruppe": ("Altersgruppe", True), "geschlecht": ("Geschlecht", True),
         "status": ("Status", True)}),
    "zielwerte": _Kind(
        "Zielwerte", "zielwerte", ZIELWERTE_COLUMNS,
        "Zielwerte",
        "Ziele der Kommune oder des Landes für Indikatoren des Katalogs: vom Basisjahr bis "
        "zum Zieljahr soll der Indikator den Zielwert erreichen. Eine Zeile je Indikator und "
        "Region. Als zielwerte.csv in den Datenordner legen; Kapitel S zeigt daraus die Ampel.",
        {"ags": ("Region", False), "indicator": ("Indikator", True),
         "direction": ("Richtung", True)}),
    "angebote": _Kind(
        "Angebote", "angebote", OFFER_COLUMNS,
        "Angebotsinventar",
        "Die Angebote im Sozialraum (Träger, Art, Zielgruppe, Plätze): eine Zeile je "
        "Angebot. Als angebote.csv in den Datenordner legen; Kapitel S berechnet daraus die "
        "Versorgung je 100 der Zielgruppe, Doppelstrukturen und Lücken.",
        {"angebotsart": ("Angebotsart", False), "sozialraum": ("Sozialraum", True),
         "zielgruppe": ("Zielgruppe", True), "traegerart": ("Trägerart", True)}),
    "standards": _Kind(
        "Standards", "standards", STANDARD_COLUMNS,
        "Versorgungsstandards (Soll-Konzept)",
        "Wie viele Plätze je 100 Personen der Zielgruppe ein Sozialraum haben soll, je "
        "Angebotsart und Zielgruppe, mit der Quelle (Beschluss, Gesetz, Landesvorgabe). Als "
        "standards.csv neben zielwerte.csv in den Datenordner legen; Lücken werden an diesen "
        "Standards gemessen.",
        {"angebotsart": ("Angebotsart", False), "zielgruppe": ("Zielgruppe", True)}),
}

_NUMBERS = ("Zahlen wie in Deutschland üblich: Dezimalkomma (12,5) und, wenn gewünscht, "
            "Tausenderpunkt (1.234). In einer CSV-Datei mit Komma als Trennzeichen ist der "
            "Punkt das Dezimalzeichen.")


def _sozialraeume(data, ags: str | None) -> list[str]:
    from .regions import read_regions

    if data is None:
        from ._paths import sample_dir

        data = sample_dir()
    folder = Path(data)
    if not folder.exists():
        raise InputError("no such data folder", path=folder)
    regions_csv = folder / "regions.csv" if folder.is_dir() else None
    if regions_csv is not None and regions_csv.is_file():
        regions = read_regions(regions_csv)
    else:
        from .data import load_data

        regions = load_data(folder).regions
    keys = regions["ags"].astype(str)
    level = regions["level"].astype(str) if "level" in regions.columns else None
    mask = keys.str.contains("-", regex=False)
    if level is not None:
        mask = mask | (level == "sozialraum")
    if ags is not None:
        if ags not in set(keys):
            raise ParameterError(
                f"Unknown AGS {ags!r}: not in the region table of {folder}.")
        mask = mask & keys.str.startswith(f"{ags}-")
    return sorted(set(keys[mask]))


def template_lists(kind: str, *, data: str | PathLike | None = None,
                   ags: str | None = None) -> dict[str, list[str]]:
    """The drop-down lists of a template: list name → entries.

    Parameters
    ----------
    kind : {"sozialraum", "zielwerte", "angebote", "standards"}
    data : str or PathLike, optional
        Data folder whose Sozialräume (``regions.csv``, else the data) fill the Sozialraum
        list; default: the sample Musterland.
    ags : str, optional
        Only the Sozialräume of this Kreis (and, for Zielwerte, this Kommune).

    Returns
    -------
    dict
        E.g. ``{"Sozialraum": [...], "Zielgruppe": [...]}``.

    Examples
    --------
    >>> lists = template_lists("angebote", ags="99101")
    >>> lists["Sozialraum"][:2], lists["Zielgruppe"][:2]
    (['99101-01', '99101-02'], ['kinder_u3', 'kinder_3_6'])
    """
    spec = _kind(kind)
    names = {name for name, _ in spec.lists.values()}
    out: dict[str, list[str]] = {}
    if "Sozialraum" in names:
        out["Sozialraum"] = _sozialraeume(data, ags)
    if "Region" in names:
        out["Region"] = ([ags] if ags else []) + _sozialraeume(data, ags)
    if "Indikator" in names:
        out["Indikator"] = [i.id for i in load_catalogue()]
    if "Richtung" in names:
        out["Richtung"] = ["1", "-1"]
    if "Angebotsart" in names:
        out["Angebotsart"] = list(ANGEBOTSARTEN)
    if "Zielgruppe" in names:
        out["Zielgruppe"] = list(ZIELGRUPPEN)
    if "Trägerart" in names:
        out["Trägerart"] = list(TRAEGERARTEN)
    if names & {"Variable", "Altersgruppe", "Geschlecht"}:
        voc = load_vocabulary()
        out["Variable"] = [v for v in voc.variables if voc.units.get(v, "Anzahl") == "Anzahl"]
        out["Altersgruppe"] = list(voc.dimensions["altersgruppe"])
        out["Geschlecht"] = list(voc.dimensions["geschlecht"])
    if "Status" in names:
        out["Status"] = [".", "x", "...", "/", "-"]
    return out


def _kind(kind: str) -> _Kind:
    if kind not in TEMPLATE_KINDS:
        raise ParameterError(
            f"`kind` must be one of {', '.join(map(repr, TEMPLATE_KINDS))}; not {kind!r}.")
    return TEMPLATE_KINDS[kind]


def _header(c: OwnColumn) -> str:
    return f"{c.label}*" if c.required else c.label


def _explanation(kind: str, spec: _Kind, lists: dict) -> list[list[str]]:
    """Rows of the 'Erläuterung' sheet (also the comment lines of the CSV template)."""
    rows = [[f"Vorlage: {spec.title}"], [spec.purpose], [],
            ["Spalte", "Pflicht", "Bedeutung", "Beispiel"]]
    for c in spec.columns:
        rows.append([c.label, "ja" if c.required else "nein", c.help, c.example])
    rows += [[], ["Hinweise"],
             ["* in der Überschrift: Pflichtspalte. Die Überschriften nicht ändern; die "
              "Code-Namen (z. B. " + ", ".join(c.name for c in spec.columns[:3]) + ") gehen "
              "auch."],
             [_NUMBERS],
             ["Zeilen, die mit # beginnen, und leere Zeilen werden übergangen."],
             ["Beim Einlesen werden alle Fehler der Datei auf einmal gemeldet, jeweils mit "
              "Zeile und Spalte."]]
    if kind == "sozialraum":
        voc = load_vocabulary()
        rows += [["Weitere Gliederungen als eigene Spalte (Name der Dimension als "
                  "Überschrift): " + ", ".join(d for d in voc.dimensions
                                               if d not in ("altersgruppe", "geschlecht"))],
                 [], ["Variable", "Bedeutung", "gegliedert nach"]]
        rows += [[v, voc.titles.get(v, v), ", ".join(voc.variables[v]) or "–"]
                 for v in lists.get("Variable", [])]
    if kind in ("angebote", "standards"):
        rows += [[], ["Angebotsart", "Bezeichnung"]]
        rows += [[k, v] for k, v in ANGEBOTSARTEN.items()]
        rows += [["(andere Codes sind erlaubt, kurz und ohne Leerzeichen)"]]
        rows += [[], ["Zielgruppe", "Bezeichnung"]]
        rows += [[k, ZIELGRUPPEN_DE.get(k, k)] for k in ZIELGRUPPEN]
    if kind == "standards":
        rows += [[], ["Standards, die ohne diese Datei gelten (Gesetz oder Land)"]]
        rows += ([[d["angebotsart"], d["zielgruppe"], str(d["plaetze_je_100"]), d["quelle"]]
                  for d in DEFAULT_STANDARDS]
                 or [["keine: für diese Angebotsarten legt weder ein Gesetz noch ein Land "
                      "Plätze je 100 der Zielgruppe fest. Ohne Standard misst bimokit Lücken "
                      "an einer Regel, die der Text nennt."]])
    if kind == "zielwerte":
        cat = load_catalogue()
        rows += [[], ["Indikator", "Titel", "Einheit", "Richtung", "erlaubte Zielwerte"]]
        rows += [[i.id, i.title, i.unit,
                  {1: "höher ist besser", -1: "niedriger ist besser"}.get(i.direction,
                                                                          "neutral"),
                  "0 bis 100" if i.kind == "share" else "≥ 0"] for i in cat]
    return rows


def write_template(kind: str, path: str | PathLike, *, data: str | PathLike | None = None,
                   ags: str | None = None) -> Path:
    """Write the template of an own table as an Excel workbook (``.xlsx``) or CSV (``.csv``).

    Parameters
    ----------
    kind : {"sozialraum", "zielwerte", "angebote", "standards"}
        Which table (see :data:`TEMPLATE_KINDS`).
    path : str or PathLike
        ``.xlsx`` for the workbook, ``.csv`` for the CSV template (``;``, UTF-8 with BOM so
        that Excel shows the umlauts). Written atomically: an existing file is replaced only
        by a complete one.
    data : str or PathLike, optional
        Data folder for the Sozialraum list; default: the sample Musterland.
    ags : str, optional
        The Kommune (Kreis AGS): only its Sozialräume in the lists.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        An unknown ``kind``, a target that is a folder or neither ``.xlsx`` nor ``.csv``, an
        ``ags`` not in the data.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from bimokit.offers import read_standards
    >>> p = write_template("standards", pathlib.Path(tempfile.mkdtemp()) / "standards.csv")
    >>> len(read_standards(p))
    0
    """
    spec = _kind(kind)
    target = Path(path)
    if target.is_dir():
        raise ParameterError(f"-o {target}: is a folder; name a file such as "
                             f"{spec.file}.xlsx or {spec.file}.csv.")
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ParameterError(f"-o {target}: the file must end in .xlsx or .csv.")
    lists = template_lists(kind, data=data, ags=ags)
    explanation = _explanation(kind, spec, lists)
    if suffix == ".csv":
        lines = [("# " + " – ".join(c for c in row if c)).rstrip() if row else "#"
                 for row in explanation]
        header = ";".join(_header(c) for c in spec.columns)
        atomic_write_text(target, "\ufeff" + "\n".join([*lines, header]) + "\n")
        return target
    _write_xlsx(target, spec, lists, explanation)
    return target


def _write_xlsx(target: Path, spec: _Kind, lists: dict, explanation: list) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = spec.sheet
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=j, value=_header(c))
        cell.font = bold
        cell.fill = fill
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(12, min(40, len(c.label) + 4))
        if c.name not in _NUMERIC:
            # text columns stay text: keys keep their leading zeros, no code becomes a date
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    # the lists
    ls = wb.create_sheet("Listen")
    names = list(lists)
    for j, name in enumerate(names, start=1):
        ls.cell(row=1, column=j, value=name).font = bold
        for i, entry in enumerate(lists[name], start=2):
            ls.cell(row=i, column=j, value=str(entry)).number_format = "@"
    for j, c in enumerate(spec.columns, start=1):
        if c.name not in spec.lists:
            continue
        name, strict = spec.lists[c.name]
        entries = lists.get(name, [])
        if not entries:
            continue
        col = get_column_letter(names.index(name) + 1)
        dv = DataValidation(
            type="list", allow_blank=True,
            formula1=f"{quote_sheetname('Listen')}!${col}$2:${col}${len(entries) + 1}",
            showErrorMessage=True, errorStyle="stop" if strict else "warning",
            errorTitle=f"{c.label}: nicht in der Liste",
            error=(f"Bitte einen Eintrag aus der Liste wählen ({name})." if strict else
                   f"Nicht in der Liste ({name}); andere Einträge sind erlaubt."),
            showInputMessage=True, promptTitle=c.label, prompt=c.help[:250])
        letter = get_column_letter(j)
        dv.add(f"{letter}2:{letter}{ROWS + 1}")
        ws.add_data_validation(dv)
    ls.sheet_state = "hidden"
    # the explanation
    ex = wb.create_sheet("Erläuterung", 1)
    for row in explanation:
        ex.append(row)
    ex["A1"].font = Font(bold=True, size=14)
    for r in ex.iter_rows():
        for cell in r:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.value in ("Spalte", "Hinweise", "Angebotsart", "Zielgruppe", "Variable",
                              "Indikator") and cell.column == 1:
                for c2 in r:
                    c2.font = bold
    for letter, width in zip("ABCDE", (22, 10, 70, 30, 18), strict=True):
        ex.column_dimensions[letter].width = width
    with atomic_path(target) as tmp:
        wb.save(tmp)


def read_back(kind: str, path: str | PathLike, **options) -> pd.DataFrame:
    """Read a filled template with the reader of its kind (for tests and the CLI check).

    Examples
    --------
    >>> from bimokit._paths import sample_dir
    >>> len(read_back("zielwerte", sample_dir() / "zielwerte.csv")) > 5
    True
    """
    _kind(kind)
    if kind == "sozialraum":
        from .io.own import read_sozialraum

        return read_sozialraum(path, vocabulary=load_vocabulary(), **options)
    if kind == "zielwerte":
        from .targets import read_zielwerte

        return read_zielwerte(path, **options)
    if kind == "angebote":
        from .offers import read_offers

        return read_offers(path, **options)
    from .offers import read_standards

    return read_standards(path, **options)
