"""The Kommune's own tables: one reading step for all, every problem reported at once.

A Kommune keeps a few small tables itself: Zielwerte (:func:`bimokit.targets.read_zielwerte`),
the Angebote inventory and the Versorgungsstandards (:mod:`bimokit.offers`) and its own counts
per Sozialraum (:func:`read_sozialraum`, here). They are written by hand or from the templates
(``bimokit template …``), as CSV (``;`` or ``,``) or as an Excel workbook, with German or
code headers. This module holds what they share:

* :class:`OwnColumn`: one column of such a table (code name, German header, whether it is
  required, an explanation for the template);
* :func:`read_own_table`: the header matched to the columns and the rows with their file lines
  (CSV) or sheet rows (XLSX);
* :class:`Problems`: collects every problem of a file with sheet, line and field, then raises
  one :class:`~bimokit.errors.InputProblems` listing them all (or warns, if there are only
  remarks);
* :func:`parse_number`, :func:`parse_whole`, :func:`parse_year`: numbers as Germans write them
  (``1.234``, ``12,5``, ``1.234,5``) where the file is German (``;``-separated CSV, text cells
  of a workbook), with a German reason where a cell is not one.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._schema import MISSING_STATUS, STATUS_SYMBOLS, TOTAL
from ..errors import InputError, InputProblems, InputWarning, Problem
from ._values import AGS_PATTERN, SOZIALRAUM_PATTERN, read_csv_table, snake

__all__ = [
    "OwnColumn",
    "OwnTable",
    "Problems",
    "read_own_table",
    "parse_number",
    "parse_whole",
    "parse_year",
    "SOZIALRAUM_COLUMNS",
    "read_sozialraum",
]

#: Largest count a single cell of an own table may hold (a billion is no local count).
MAX_COUNT = 999_999_999


@dataclass(frozen=True)
class OwnColumn:
    """One column of an own table.

    Parameters
    ----------
    name : str
        Code name (``target_value``); the reader's result uses it.
    label : str
        German header of the templates (``Zielwert``); the reader accepts either.
    required : bool
        Whether the column must be there and every row must fill it.
    help : str
        German explanation for the template's "Erläuterung" sheet.
    example : str
        An example entry.
    aliases : tuple of str
        Other headers accepted.
    """

    name: str
    label: str
    required: bool = False
    help: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()

    def keys(self) -> set[str]:
        """The header texts (as :func:`header_key`) that name this column."""
        return {header_key(t) for t in (self.name, self.label, *self.aliases)}


def header_key(text: str) -> str:
    """Header cell → comparison key: ASCII snake case without a trailing ``*``.

    Examples
    --------
    >>> header_key(" Plätze je 100 der Zielgruppe* "), header_key("target_value")
    ('plaetze_je_100_der_zielgruppe', 'target_value')
    """
    return snake(str(text).strip().rstrip("*").strip())


class Problems:
    """Collects the problems of one file; :meth:`finish` reports them all at once.

    Parameters
    ----------
    path : str or PathLike
        The file.
    sheet : str, optional
        The sheet of a workbook.

    Examples
    --------
    >>> p = Problems("ziele.csv")
    >>> p.error("'inf' ist keine endliche Zahl", line=5, field="target_value")
    >>> p.warn("Zeile doppelt", line=6)
    >>> print(p.errors[0])
    ziele.csv, Zeile 5, Feld target_value: 'inf' ist keine endliche Zahl
    """

    def __init__(self, path: str | PathLike, *, sheet: str | None = None) -> None:
        self.path = str(path)
        self.sheet = sheet
        self.items: list[Problem] = []

    def error(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        """Add a problem that stops the file from being used."""
        self.items.append(Problem(message, self.path, line, field, self.sheet, "Fehler"))

    def warn(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        """Add a remark: the file is used, and the remark is warned about."""
        self.items.append(Problem(message, self.path, line, field, self.sheet, "Hinweis"))

    def _sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.line or 0))

    @property
    def errors(self) -> list[Problem]:
        """The errors, in file order (by line)."""
        return [p for p in self._sorted() if p.severity == "Fehler"]

    @property
    def notes(self) -> list[Problem]:
        """The remarks, in file order (by line)."""
        return [p for p in self._sorted() if p.severity == "Hinweis"]

    def finish(self, *, stacklevel: int = 3) -> None:
        """Raise :class:`~bimokit.errors.InputProblems` if there are errors; warn remarks.

        Problems are listed in file order (by line), errors before remarks.
        """
        items = self._sorted()
        if any(p.severity == "Fehler" for p in items):
            raise InputProblems(items, path=self.path)
        if items:
            lines = [f"{self.path}: {len(items)} Hinweis{'e' if len(items) > 1 else ''}:"]
            lines += [f"  {p}" for p in items]
            warnings.warn("\n".join(lines), InputWarning, stacklevel=stacklevel)


@dataclass
class OwnTable:
    """An own table as read: columns matched by header, rows as text (or numbers from XLSX).

    Attributes
    ----------
    path : Path
    sheet : str or None
        The sheet read (XLSX), else None.
    fields : dict
        Column name → the header text in the file, for every known column found.
    extra : dict
        Header key (:func:`header_key`) → header text, for the columns not in the spec.
    rows : list of dict
        One dict per data row: column name (or extra key) → cell (``str``; ``int``/``float``
        for numeric cells of a workbook; ``""`` where empty).
    lines : list of int
        File line (CSV) or sheet row (XLSX) of every row.
    header_line : int
    german : bool
        Numbers in text cells are German (``;``-separated CSV or a workbook).
    problems : Problems
        Collector for the file; the header problems (missing or doubled columns, surplus
        fields) are already in it.
    """

    path: Path
    sheet: str | None
    fields: dict
    extra: dict
    rows: list
    lines: list
    header_line: int
    german: bool
    problems: Problems = field(repr=False)

    def field_name(self, name: str) -> str:
        """The header of column ``name`` as in the file (the code name if it is absent)."""
        return self.fields.get(name, self.extra.get(name, name))


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return int(v) if v.is_integer() and abs(v) < 1e15 else v
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(path: Path, sheet: str | None) -> tuple[str, list[tuple[int, list]]]:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise InputError(f"lässt sich nicht als Excel-Arbeitsmappe lesen ({exc})",
                         path=path) from None
    try:
        names = wb.sheetnames
        name = sheet if sheet in names else names[0]
        ws = wb[name]
        rows = [(i, [_cell(v) for v in row])
                for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()
    return name, rows


def read_own_table(path: str | PathLike, columns: Sequence[OwnColumn], *, what: str,
                   sheet: str | None = None, allow_extra: bool = True) -> OwnTable:
    """Read an own table (CSV or XLSX) and match its header to ``columns``.

    Parameters
    ----------
    path : str or PathLike
        ``.csv`` (``;`` or ``,``, UTF-8 or Windows-1252, ``#`` comment lines) or ``.xlsx``.
    columns : sequence of OwnColumn
        The table's columns.
    what : str
        German name of the table for messages (``die Zielwerte-Datei``).
    sheet : str, optional
        Sheet to read from a workbook; default (or where the workbook has no such sheet): the
        first sheet.
    allow_extra : bool
        Keep columns not in ``columns`` (in ``extra``); otherwise each is a problem.

    Returns
    -------
    OwnTable
        Header problems (a required column missing, a column twice, a row with more fields
        than the header) are in ``problems``; nothing is raised for them yet.

    Raises
    ------
    InputError
        Only where nothing can be read: the file is missing, cannot be decoded or opened, or
        has no header.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} gibt es nicht (Datei nicht gefunden)", path=p)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        sheet_name, raw = _xlsx_rows(p, sheet)
        problems = Problems(p, sheet=sheet_name)
        kept = [(i, r) for i, r in raw
                if any(c != "" for c in r) and not str(r[0]).lstrip().startswith("#")]
        if not kept:
            raise InputError(f"{what} ist leer: keine Kopfzeile mit den Spaltennamen",
                             path=p)
        header_line, head = kept[0]
        width = len(head)
        while width and head[width - 1] == "":
            width -= 1
        header = [str(h).strip() for h in head[:width]]
        body = []
        for i, r in kept[1:]:
            cells = (list(r) + [""] * width)[:width]
            over = [c for c in r[width:] if c != ""]
            if over:
                problems.error(f"{len(over)} Werte rechts der letzten Spalte mit Überschrift",
                               line=i)
            body.append((i, cells))
        german = True
    else:
        t = read_csv_table(p, empty=f"{what} ist leer: keine Kopfzeile mit den Spaltennamen")
        sheet_name = None
        problems = Problems(p)
        header, header_line = t.header, t.header_line
        body = []
        for ln, row, w in zip(t.lines, t.rows, t.widths, strict=True):
            if w > len(header):
                problems.error(f"{w} Felder, die Kopfzeile hat aber {len(header)} "
                               f"(Trennzeichen {t.sep!r})", line=ln)
            body.append((ln, [c.strip() for c in row]))
        german = t.sep == ";"
    by_key = {k: c for c in columns for k in c.keys()}
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    index: list[str | None] = []
    for text in header:
        key = header_key(text)
        col = by_key.get(key)
        if text == "":
            index.append(None)
            continue
        name = col.name if col is not None else key
        if name in fields or name in extra:
            problems.error(f"die Spalte {text!r} gibt es zweimal", line=header_line, field=text)
            index.append(None)
            continue
        shown = text.rstrip("*").strip() or text  # the templates mark required columns *
        if col is not None:
            fields[name] = shown
        elif allow_extra:
            extra[name] = shown
        else:
            problems.error(f"unbekannte Spalte {text!r}; die Spalten sind "
                           f"{', '.join(c.label for c in columns)}", line=header_line,
                           field=text)
            index.append(None)
            continue
        index.append(name)
    missing = [c for c in columns if c.required and c.name not in fields]
    if missing:
        # name the columns as the file does: German headers or code names
        german_headers = any(header_key(text) == header_key(c.label) != header_key(c.name)
                             for c in columns for text in fields.values())
        label = (lambda c: c.label) if german_headers or not fields else (lambda c: c.name)
        problems.error(
            f"Pflichtspalte(n) {', '.join(label(c) for c in missing)} fehlen; die Vorlage "
            f"hat {', '.join(label(c) for c in columns)}", line=header_line)
    rows, lines = [], []
    for ln, cells in body:
        rows.append({name: cell for name, cell in zip(index, cells, strict=False)
                     if name is not None})
        lines.append(ln)
    return OwnTable(p, sheet_name, fields, extra, rows, lines, header_line, german, problems)


# ---------------------------------------------------------------------------------------------
# numbers as Germans write them

_INT = re.compile(r"[+-]?\d+")
_DE_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")
_POINT_DECIMAL = re.compile(r"[+-]?\d+\.\d+")
_EN_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_NOT_FINITE = {"nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf,
               "infinity": math.inf, "-infinity": -math.inf, "∞": math.inf, "-∞": -math.inf,
               "unendlich": math.inf}


def parse_number(cell, *, german: bool) -> tuple[float | None, str]:
    """A number from a cell of an own table, or None and the German reason.

    Parameters
    ----------
    cell : str, int or float
        The cell (numbers come from workbook cells as they are).
    german : bool
        The file writes numbers the German way (``;``-separated CSV, text in a workbook):
        ``1.234`` is a thousand two hundred and thirty-four, ``12,5`` twelve and a half;
        ``12.5`` is read as well (it cannot be German). Otherwise (``,``-separated CSV) the
        point is the decimal sign; a comma is read as one only where it cannot be a
        thousands separator.

    Returns
    -------
    (float or None, str)
        The number (NaN and ±inf are returned as such, for the caller to refuse), or None
        with the reason.

    Examples
    --------
    >>> [parse_number(t, german=True)[0] for t in ["1.234", "12,5", "1.234,5", "12.5", 7]]
    [1234.0, 12.5, 1234.5, 12.5, 7.0]
    >>> [parse_number(t, german=False)[0] for t in ["1.234", "12,5", "50.0"]]
    [1.234, 12.5, 50.0]
    >>> parse_number("1,234", german=False)
    (None, "'1,234' ist mehrdeutig (1,234 oder 1234?): schreiben Sie 1234 oder 1.234 in einer Datei mit ; als Trennzeichen")
    >>> parse_number("viel", german=True)
    (None, "'viel' ist keine Zahl")
    """  # noqa: E501
    if isinstance(cell, bool):
        return None, f"{cell!r} ist keine Zahl"
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell), ""
    text = str(cell).strip()
    t = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if t.lower() in _NOT_FINITE:
        return _NOT_FINITE[t.lower()], ""
    if _INT.fullmatch(t):
        return float(int(t)), ""
    if german and _DE_THOUSANDS.fullmatch(t):
        return float(t.replace(".", "").replace(",", ".")), ""
    if _POINT_DECIMAL.fullmatch(t):
        return float(t), ""
    if _EN_THOUSANDS.fullmatch(t) and not german:
        return None, (f"{text!r} ist mehrdeutig ({text} oder {t.replace(',', '')}?): schreiben "
                      f"Sie {t.replace(',', '')} oder {t.replace(',', '.')} in einer Datei mit ; "
                      "als Trennzeichen")
    if _COMMA_DECIMAL.fullmatch(t):
        return float(t.replace(",", ".")), ""
    return None, f"{text!r} ist keine Zahl"


def parse_whole(cell, *, what: str = "Anzahl", maximum: int = MAX_COUNT
                ) -> tuple[int | None, str]:
    """A whole number ≥ 0 (a count) from a cell, or None and the German reason.

    German thousands separators (``1.200``) are read in every file: a count cannot be 1,2.

    Examples
    --------
    >>> [parse_whole(t)[0] for t in ["1.200", "12", "12,0", 3.0]]
    [1200, 12, 12, 3]
    >>> parse_whole("-3")
    (None, "'-3' ist negativ; erwartet: Anzahl als ganze Zahl ≥ 0")
    >>> parse_whole("2,5", what="Plätze")
    (None, "'2,5' ist keine ganze Zahl; erwartet: Plätze als ganze Zahl ≥ 0")
    """
    value, _ = parse_number(cell, german=True)
    shown = repr(cell) if isinstance(cell, str) else str(cell)
    expected = f"erwartet: {what} als ganze Zahl ≥ 0"
    if value is None:
        return None, f"{shown} ist keine Zahl; {expected}"
    if not math.isfinite(value):
        return None, f"{shown} ist keine endliche Zahl; {expected}"
    if value < 0:
        return None, f"{shown} ist negativ; {expected}"
    if not float(value).is_integer():
        return None, f"{shown} ist keine ganze Zahl; {expected}"
    if value > maximum:
        limit = f"{maximum:,}".replace(",", ".")
        return None, f"{shown} ist nicht plausibel (mehr als {limit}); {expected}"
    return int(value), ""


def parse_year(cell) -> tuple[int | None, str]:
    """A year (1900–2100) from a cell, or None and the German reason.

    Examples
    --------
    >>> parse_year("2030"), parse_year(2018.0), parse_year("24/25")[0]
    ((2030, ''), (2018, ''), None)
    """
    text = str(cell).strip()
    if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer():
        text = str(int(cell))
    if re.fullmatch(r"\d{4}", text) and 1900 <= int(text) <= 2100:
        return int(text), ""
    return None, f"{text!r} ist kein Jahr (vier Ziffern wie 2030)"


# ---------------------------------------------------------------------------------------------
# the Kommune's own counts per Sozialraum

#: Columns of the Sozialraum data file; any further column is a dimension of the vocabulary
#: (``altersgruppe``, ``geschlecht`` …; an empty cell means ``insgesamt``).
SOZIALRAUM_COLUMNS = (
    OwnColumn("sozialraum", "Sozialraum", True,
              "Schlüssel des Sozialraums: <Kreis-AGS>-<Nummer>, z. B. 99101-03 (oder nur die "
              "Nummer, wenn beim Einlesen der Kreis angegeben ist)", "99101-03",
              ("ags", "schluessel")),
    OwnColumn("year", "Jahr", True, "Berichtsjahr (Schuljahre nach dem Jahr ihres Beginns)",
              "2024", ("jahr",)),
    OwnColumn("variable", "Variable", True,
              "was gezählt wurde, als Name des Vokabulars, z. B. schuleingangsuntersuchungen, "
              "sprachfoerderbedarf, kita_kinder, bevoelkerung", "sprachfoerderbedarf",
              ("merkmal",)),
    OwnColumn("altersgruppe", "Altersgruppe", False,
              "Altersgruppe als Code, z. B. 3-6; leer = insgesamt", "3-6"),
    OwnColumn("geschlecht", "Geschlecht", False, "Geschlecht als Code; leer = insgesamt",
              "insgesamt"),
    OwnColumn("value", "Wert", True,
              "die Anzahl: ganze Zahl ≥ 0 (1.234 mit Tausenderpunkt ist erlaubt); leer nur "
              "mit einem Status, der sagt, warum", "37", ("wert", "anzahl")),
    OwnColumn("status", "Status", False,
              "leer, oder ein Zeichen der amtlichen Statistik: . (geheim), x (nicht sinnvoll), "
              "... (später), / (nicht sicher genug), - (genau null)", ""),
    OwnColumn("source", "Quelle", False,
              "woher die Zahl stammt, z. B. Gesundheitsamt, Schuleingangsuntersuchung 2024; "
              "leer = der Dateiname", "Gesundheitsamt", ("quelle",)),
    OwnColumn("bemerkung", "Bemerkung", False, "freier Text, wird nicht ausgewertet", ""),
)

_SOZIALRAUM_KEY = re.compile(rf"(?:{SOZIALRAUM_PATTERN})")
#: Symbols that may stand in the value cell itself.
_VALUE_SYMBOLS = {"-", ".", "x", "...", "/"}
_CODE = re.compile(r"[0-9A-Za-z_]+")


def _region_keys(regions) -> set[str] | None:
    if regions is None:
        return None
    if isinstance(regions, pd.DataFrame):
        if "ags" not in regions.columns:
            raise InputError("the region table has no column 'ags'")
        return set(regions["ags"].astype(str))
    return {str(r) for r in regions}


def read_sozialraum(
    path: str | PathLike,
    *,
    kreis: str | None = None,
    regions: pd.DataFrame | Iterable[str] | None = None,
    vocabulary=None,
) -> pd.DataFrame:
    """Read the Kommune's own counts per Sozialraum into facts.

    Parameters
    ----------
    path : str or PathLike
        CSV or XLSX with the columns of :data:`SOZIALRAUM_COLUMNS` (German headers or code
        names); further columns are dimensions (``altersgruppe``, ``betreuungsumfang``,
        ``schulart`` …).
    kreis : str, optional
        The Kreis AGS (5 digits): a key given as a number only (``03``) becomes
        ``<kreis>-03``.
    regions : DataFrame or iterable of str, optional
        Region table (or keys): every Sozialraum must be in it.
    vocabulary : bimokit.catalogue.Vocabulary, optional
        Checks variables, dimensions and codes (:func:`bimokit.catalogue.load_vocabulary`);
        without it they are checked when the facts are harmonised.

    Returns
    -------
    DataFrame
        Facts as DESIGN.md defines them: ``ags`` (``<kreis>-<code>``), ``year`` (int),
        ``variable``, one column per dimension in the file (``insgesamt`` where empty),
        ``value`` (float; NaN with a status that says why), ``status``, ``source`` (the
        ``Quelle`` column, or the file name).

    Raises
    ------
    bimokit.errors.InputProblems
        Listing every problem of the file at once, with line and field: a malformed or
        unknown Sozialraum, a year that is no year, an unknown variable or code, a count
        that is negative, not whole or not a number, an unknown status, a key twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sozialraumdaten.csv"
    >>> _ = p.write_text("Sozialraum;Jahr;Variable;Wert\\n"
    ...                  "01;2024;schuleingangsuntersuchungen;1.204\\n"
    ...                  "99101-02;2024;schuleingangsuntersuchungen;98\\n", encoding="utf-8")
    >>> read_sozialraum(p, kreis="99101")[["ags", "year", "value"]].values.tolist()
    [['99101-01', 2024, 1204.0], ['99101-02', 2024, 98.0]]
    """
    if kreis is not None and not re.fullmatch(r"\d{5}", str(kreis)):
        raise InputError(f"`kreis` must be a 5-digit Kreis AGS such as '99101'; not {kreis!r}")
    t = read_own_table(path, SOZIALRAUM_COLUMNS, what="Die Sozialraum-Datei",
                       sheet="Sozialraumdaten")
    pr = t.problems
    known = _region_keys(regions)
    fixed = {c.name for c in SOZIALRAUM_COLUMNS} - {"altersgruppe", "geschlecht"}
    dims = [n for n in (*t.fields, *t.extra) if n not in fixed]
    if vocabulary is not None:
        for d in dims:
            if d not in vocabulary.dimensions:
                pr.error(f"{t.field_name(d)!r} ist weder eine Spalte der Vorlage noch eine "
                         f"Dimension ({', '.join(vocabulary.dimensions)})",
                         line=t.header_line, field=t.field_name(d))
        dims = [d for d in dims if d in vocabulary.dimensions]
    out: dict[str, list] = {c: [] for c in ("ags", "year", "variable", *dims, "value",
                                             "status", "source")}
    seen: dict[tuple, int] = {}
    name = Path(path).name
    for ln, row in zip(t.lines, t.rows, strict=True):
        ok = True

        def bad(msg, col, _ln=ln):
            pr.error(msg, line=_ln, field=t.field_name(col))

        key = str(row.get("sozialraum", "")).strip()
        if isinstance(row.get("sozialraum"), int):
            key = f"{row['sozialraum']:02d}"
        if key == "":
            bad("Pflichtfeld ist leer", "sozialraum")
            ok = False
        elif not _SOZIALRAUM_KEY.fullmatch(key):
            if _CODE.fullmatch(key) and kreis is not None:
                key = f"{kreis}-{key}"
            elif _CODE.fullmatch(key):
                bad(f"{key!r} ist nur die Nummer des Sozialraums: schreiben Sie den ganzen "
                    "Schlüssel (<Kreis-AGS>-<Nummer>, z. B. 99101-03) oder geben Sie den "
                    "Kreis an", "sozialraum")
                ok = False
            else:
                bad(f"{key!r} ist kein Sozialraum-Schlüssel (<Kreis-AGS>-<Nummer>, z. B. "
                    "99101-03)", "sozialraum")
                ok = False
        if ok and kreis is not None and not key.startswith(f"{kreis}-"):
            bad(f"{key!r} liegt nicht im Kreis {kreis}", "sozialraum")
            ok = False
        if ok and known is not None and key not in known:
            bad(f"den Sozialraum {key!r} gibt es in der Regionstabelle nicht", "sozialraum")
            ok = False
        year, why = parse_year(row.get("year", ""))
        if year is None:
            bad(why if str(row.get("year", "")).strip() else "Pflichtfeld ist leer", "year")
            ok = False
        var = str(row.get("variable", "")).strip()
        if var == "":
            bad("Pflichtfeld ist leer", "variable")
            ok = False
        elif vocabulary is not None and var not in vocabulary.variables:
            bad(f"unbekannte Variable {var!r}{_suggest(var, vocabulary.variables)}", "variable")
            ok = False
        codes = {}
        for d in dims:
            code = str(row.get(d, "")).strip() or TOTAL
            codes[d] = code
            if vocabulary is None or var not in vocabulary.variables:
                continue
            if code != TOTAL and d not in vocabulary.variables[var]:
                bad(f"die Variable {var!r} ist nicht nach {d} gegliedert; lassen Sie das Feld "
                    "leer (insgesamt)", d)
                ok = False
            elif code not in vocabulary.dimensions[d]:
                bad(f"unbekannter Code {code!r}{_suggest(code, vocabulary.dimensions[d])}", d)
                ok = False
        status = str(row.get("status", "")).strip()
        cell = row.get("value", "")
        value = math.nan
        if isinstance(cell, str) and cell in _VALUE_SYMBOLS and status in ("", cell):
            # the symbol written in place of the number: - (zero), . (secret) …
            status, cell = cell, ""
        if status and status not in STATUS_SYMBOLS:
            bad(f"unbekannter Status {status!r}; erlaubt sind "
                f"{', '.join(repr(s) for s in STATUS_SYMBOLS if s)}", "status")
            ok = False
        elif cell == "" and status not in MISSING_STATUS and status != "-":
            bad("Pflichtfeld ist leer (ohne Zahl braucht es einen Status wie '.' für geheim)",
                "value")
            ok = False
        elif cell != "":
            number, why = parse_whole(cell)
            if number is None:
                bad(why, "value")
                ok = False
            else:
                value = float(number)
        if status in MISSING_STATUS:
            value = math.nan
        elif status == "-":
            value = 0.0
        source = str(row.get("source", "")).strip() or name
        if not ok:
            continue
        k = (key, year, var, *codes.values())
        if k in seen:
            bad(f"dieselbe Zahl (Sozialraum, Jahr, Variable und Gliederung) steht schon in "
                f"Zeile {seen[k]}", "value")
            continue
        seen[k] = ln
        for col, v in (("ags", key), ("year", year), ("variable", var), *codes.items(),
                       ("value", value), ("status", status), ("source", source)):
            out[col].append(v)
    pr.finish(stacklevel=3)
    facts = pd.DataFrame(out)
    facts["year"] = facts["year"].astype("int64")
    facts["value"] = facts["value"].astype("float64")
    for c in facts.columns:
        if c not in ("year", "value"):
            facts[c] = facts[c].astype(object).astype(str)
    return facts


def _suggest(text: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(str(text), [str(k) for k in known], n=2)
    return f" (meinten Sie {' oder '.join(repr(c) for c in close)}?)" if close else ""


#: Patterns for the keys of regions (used by the readers of Zielwerte and Angebote).
REGION_KEY = re.compile(rf"(?:{AGS_PATTERN}|{SOZIALRAUM_PATTERN})")
