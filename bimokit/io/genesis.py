"""Reader for the classic GENESIS / Regionalstatistik table CSV ("GENESIS-Tabelle: …").

The layout, as published
------------------------
::

    GENESIS-Tabelle: 21111-02-06-4                      line 1: table code
    Allgemeinbildende Schulen: Absolventen/Abgänger;;;  title lines (trailing ;;;)
    regionale Tiefe: Kreise und krfr. Städte;;;
    Statistik der allgemein bildenden Schulen;;;        the statistic
    Absolventen/Abgänger (Anzahl);;;                    measure line (one measure only)
    ;;;Schulabschluss;Schulabschluss;…                  2-4 column-header rows
    ;;;Insgesamt;Insgesamt;ohne Hauptschulabschluss;…
    ;;;Insgesamt;weiblich;Insgesamt;weiblich;…
    ;;;Anzahl;Anzahl;…                                  unit row (several measures only)
    2015;DG;Deutschland;846423;414111;…                 body: [year;] code; name; [label;] values
    __________                                          footer: notes, ©, Stand
    "zu ""gesamte Tabelle"": …"
    Stand: 15.12.2017 / 14:16:49

The year is found in one of three places: a block line (``2015;;;;``) above its rows, the
first column (``2015;DG;…``), or a time header (``Stichtag`` / ``31.12.2018``, or year
columns ``2019;2020;2021``). Header rows are told apart by their content: a time row parses
as dates/years, a unit row holds units, the first remaining row names the measures where the
title has no measure line, a row of dimension names (``Geschlecht;Geschlecht;Nationalität``)
pairs with the value row below it, and an unlabelled value row (``Insgesamt;weiblich``) is
named from its well-known values (``geschlecht``, ``nationalitaet``) or ``merkmal_<n>``.

Tables of GENESIS-Online name their regions instead of keying them (Länder, ``Deutschland``,
``Insgesamt``), as rows or as columns. Units without a key of their own that such tables list
beside the Länder (``Früheres Bundesgebiet``, ``Neue Länder``, ``Berlin-West``/``-Ost`` …)
are left out with an :class:`~bimokit.errors.InputWarning` naming them; any other name that is
not a Land is an error.

Truncated files: an export without the footer line ``__________`` is refused by default (the
rows after the cut would be lost without notice); ``require_footer=False`` reads such a file
when every row present is complete. A row cut in the middle is always an error.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, InputWarning
from ._body import Body, read_body, split_fields
from ._export import Export
from ._numbers import (
    count_problem,
    count_problems,
    is_count,
    is_value_token,
    parse_distinct,
    value_problem,
)
from ._values import (
    AGS_PATTERN,
    check_ags,
    decode_file,
    duplicate_rows,
    first_row,
    is_historical_unit,
    parse_year,
    parse_years,
    region_code_of_name,
    region_levels,
    snake,
    str_column,
    strip,
    text_codes,
    unique_name,
)

__all__ = ["read_genesis"]

_HEAD = "GENESIS-Tabelle:"
_HEAD_NEW = "Tabelle:"  # first line of some newer exports
_FOOTER = "__________"
#: The footer starts at a line of underscores (ten; older exports have five) ...
_FOOTER_LINE = re.compile(r'(?m)^"?_{3,}"?;*[ \t]*$')
#: ... or, where that line is missing, at the copyright or the 'Stand:' line.
_FOOTER_TAIL = re.compile(r'(?m)^"?(?:©|\(C\)|Stand:\s*[0-9])')
_TABLE_CODE = re.compile(r"[0-9A-Z]{3,5}-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*")

_TIME_NAME = re.compile(
    r"(?i)^(stichtag|stichtage|jahr|jahre|zeit|zeitraum|schuljahr|schuljahre|berichtsjahr|"
    r"semester|wintersemester|sommersemester|studienjahr|prüfungsjahr|erhebungsjahr|"
    r"monat|quartal)\b"
)
_UNIT = re.compile(
    r"^(?:(?:Tsd|Mill|Mio|Mrd)\.?\s*)?(?:EUR|Euro|€|DM|Anzahl|Personen|Prozent|%|‰|Promille|"
    r"Prozentpunkte|Anteil|Index|ha|qkm|km²|km2|km|m²|m2|qm|m³|cbm|t|Tonnen|kg|Std\.?|Stunden|"
    r"Jahre|Tage|Monate|1000|1\.000|Tsd\.?|Mill\.?|Stück|Betten|Einwohner|MWh|kWh|GWh|"
    r"[0-9]{4}\s*=\s*100)(?:\s+(?:je|pro)\s+.+)?$"
)
_MEASURE = re.compile(r"^(?P<label>.+?)\s*\((?P<unit>[^()]+)\)$")
_STAND = re.compile(r"Stand:\s*([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")

_SEX = {"insgesamt", "männlich", "weiblich", "maennlich"}
_NATIONALITY = {
    "insgesamt", "deutsche", "deutsch", "ausländer", "ausländer(innen)", "ausländerinnen",
    "ausländer/-innen", "ausländisch", "ausländerinnen und ausländer",
}
_VALUE_LIKE = _SEX | _NATIONALITY | {"zusammen"}
_VALUE_PREFIX = ("mit ", "ohne ", "unter ", "dar.", "darunter", "davon", "und mehr")
_DIM_NAME_PREFIX = (
    "geschlecht", "nationalität", "staatsangehörigkeit", "alter", "schul", "abschluss",
    "klassenstufe", "jahrgangsstufe", "betreuung", "träger", "art ", "familienstand",
    "migration", "wirtschaft", "fach", "hochschul", "studien", "ausbildung", "beruf",
    "einrichtung", "religion", "bildung", "herkunft",
)

TOTAL_LABEL = "Insgesamt"

#: A header text line that starts a notes block placed before the body.
_NOTES_START = re.compile(r"(?i)^(?:Erläuterung|Hinweis|Anmerkung|Fußnote|Fussnote)")


#: Prefix of the stand-in key of a historical unit ('~Berlin-West'); its facts are dropped
#: with an :class:`~bimokit.errors.InputWarning` before the export is returned.
_HIST = "~"


def _codes_of_names(names: np.ndarray, lines: np.ndarray, path: str, *, field: int):
    """Keys of the region names of a GENESIS-Online table (Länder, Deutschland, Insgesamt).

    Historical units ('Früheres Bundesgebiet', 'Berlin-West' …) get the stand-in key
    ``~<name>``.
    """
    uniq, inv = np.unique(names.astype(str), return_inverse=True)
    mapped = np.asarray([_HIST + u.strip() if is_historical_unit(u) else region_code_of_name(u)
                         for u in uniq], dtype=object)
    unknown = np.flatnonzero(mapped[inv] == None)  # noqa: E711 (object array)
    if len(unknown):
        i = int(unknown[0])
        raise InputError(
            f"region name {names[i]!r} is not a Land: expected one of the 16 Länder "
            "(e.g. 'Baden-Württemberg' or 'Baden-Württemberg, Land'), 'Deutschland' or "
            "'Insgesamt' in this column, as the first data row has a Land name here"
            + (f"; {len(unknown)} rows are affected" if len(unknown) > 1 else ""),
            path=path, line=int(lines[i]), field=field,
        )
    mapped[mapped == "*"] = "DG"
    return mapped[inv].astype(object)


def _find_footer(text: str, start: int):
    """Match of the first footer line (underscores) at or after ``start`` (a line start).

    Same as ``_FOOTER_LINE.search(text, start)``, but jumps from one ``___`` to the next
    instead of trying the pattern at every line of a large body.
    """
    pos = start
    while True:
        hit = text.find("___", pos)
        if hit < 0:
            return None
        line_start = text.rfind("\n", 0, hit) + 1
        if line_start >= start:
            m = _FOOTER_LINE.match(text, line_start)
            if m is not None:
                return m
        line_end = text.find("\n", hit)
        if line_end < 0:
            return None
        pos = line_end + 1


def _leading_empty(cells: list[str]) -> int:
    n = 0
    for c in cells:
        if c.strip():
            break
        n += 1
    return n


def read_genesis(path: str | Path, *, require_footer: bool = True) -> Export:
    """Read a classic GENESIS / Regionalstatistik table CSV as published.

    Parameters
    ----------
    path : str or Path
        The ``.csv`` export (ISO-8859-1 or UTF-8, ``;``-separated, decimal comma).
    require_footer : bool, default True
        Refuse a file without the footer line ``__________`` (a truncated download). With
        ``False`` such a file is read as far as it goes, provided every row is complete.

    Returns
    -------
    Export
        ``facts`` with columns ``ags, year, variable, <dims…>, value, status, source``;
        ``regions`` with ``ags, name, level``; ``table_code``, ``title``, ``stand``, ``units``,
        ``notes``, ``path`` (see :class:`bimokit.io.Export`).

    Raises
    ------
    InputError
        Naming file, line and field: not a GENESIS table, wrong separator or encoding,
        truncated file, a value that is neither a number nor a symbol, a region key of
        unknown shape, a region name that is not a Land, no year anywhere, or the same
        region, year and column twice.

    Warns
    -----
    InputWarning
        Values of historical units (``Früheres Bundesgebiet``, ``Berlin-West`` …) left out.

    Notes
    -----
    Symbols: ``-`` → 0 with status ``-``; ``.``, ``x``, ``...``, ``/`` → NaN with that status;
    ``(123)`` → 123 with status ``()``; ``123p``, ``123 r``, ``123s`` → 123 with the flag.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = (
    ...     "GENESIS-Tabelle: 99999-01-01-4\\n"
    ...     "Beispiel;;;\\nBeispielstatistik;;;\\nSchüler (Anzahl);;;\\n"
    ...     ";;Insgesamt;weiblich\\n"
    ...     "2015;;;\\nDG;Deutschland;120;.\\n01;  Schleswig-Holstein;-;(4)\\n"
    ...     "__________\\nStand: 01.02.2017 / 10:00:00\\n")
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "99999-01-01-4.csv"
    >>> _ = p.write_bytes(text.encode("latin-1"))
    >>> ex = read_genesis(p)
    >>> ex.facts[["ags", "year", "variable", "geschlecht", "value", "status"]]
      ags  year variable geschlecht  value status
    0  DG  2015  Schüler  Insgesamt  120.0
    1  DG  2015  Schüler   weiblich    NaN      .
    2  01  2015  Schüler  Insgesamt    0.0      -
    3  01  2015  Schüler   weiblich    4.0     ()
    >>> ex.stand, ex.units
    (datetime.date(2017, 2, 1), {'Schüler': 'Anzahl'})
    """
    text = decode_file(path)
    return _parse(text, str(path), require_footer=require_footer)


# --------------------------------------------------------------------------------------
# the steps of reading a table, in file order


def _parse(text: str, path: str, *, require_footer: bool) -> Export:
    """Read the text of a classic table: header, layout, body, regions, years, values."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    # 1. the first line names the table; the footer (line of underscores) ends the rows
    table_code, head_end = _first_line(text, path)
    footer = _find_footer(text, head_end)
    # 2. title lines, header rows and a year line above the body, up to the first data row
    head = _scan_head(text, head_end, footer.start() - 1 if footer else len(text), path)
    body_end = _body_end(text, head, footer, require_footer, path)
    measure, title = _measure_and_title(head.titles)
    # 3. which fields of a row are year, region key and name, row labels and values
    layout = _layout(head, path)
    # 4. what every value column holds: variable, unit, year, breakdowns (header rows)
    hdr = [(ln, [c.strip() for c in (cells + [""] * layout.ncols)[layout.n_label:layout.n_used]])
           for ln, cells in head.header_rows]
    columns = _column_keys(hdr, layout.n_values, measure, path)
    col_region = _regions_in_header(columns) if layout.name_col is None else None
    # 5. the body, and which of its rows hold data (not blank lines or year lines)
    body = read_body(text[head.body_start:body_end], head.body_line, layout.ncols,
                     layout.n_label, path)
    rows = _data_rows(body, layout, path)
    # 6. per data row: region, year, row labels; each key once
    regions = _row_regions(body, rows, layout, path)
    row_year, col_year = _years(body, rows, layout, head, columns, hdr, path)
    labels = _row_labels(body, rows, layout)
    _check_unique_rows(rows, regions, row_year, labels, layout, path)
    _check_unique_columns(columns, col_region, hdr, layout, head.body_line, path)
    # 7. the value cells: numbers and symbols; counts whole and non-negative
    values, status_codes, status_texts = _cell_values(body, rows, layout, path)
    _check_counts(values, body, rows, layout, columns, path)
    # 8. the facts (row-major: every value column of a row, then the next row)
    keys, key_of_fact = _fact_regions(len(rows.index), layout.n_values, regions, col_region)
    facts = _facts(keys, key_of_fact, layout.n_values, row_year, col_year, columns, labels,
                   values, status_codes, status_texts, table_code or Path(path).stem)
    facts = _drop_historical_units(facts, keys, key_of_fact, path)
    stand, notes = _footer(text[body_end:])
    if head.notes:
        notes = "\n".join(head.notes + ([notes] if notes else []))
    units = {}
    for v, u in zip(columns["variable"], columns["unit"], strict=True):
        if v not in units and u:
            units[v] = u
    return Export(facts=facts, regions=_region_table(regions, col_region), table_code=table_code,
                  title=title, stand=stand, units=units, notes=notes, path=path,
                  regions_from=regions.source if col_region is None else "header")


def _first_line(text: str, path: str) -> tuple[str | None, int]:
    """Table code of the first line (``GENESIS-Tabelle: 21111-02-06-4``); where line 2 starts."""
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    first_cell = split_fields(first)[0].strip() if first.strip() else ""
    head = next((h for h in (_HEAD, _HEAD_NEW) if first_cell.startswith(h)), None)
    if head is None:
        raise InputError(
            f"expected the first line to start with '{_HEAD} <code>', found {first[:60]!r}",
            path=path, line=1,
        )
    rest = first_cell[len(head):].strip()
    table_code = rest.split()[0] if rest else None
    if table_code is not None and not _TABLE_CODE.fullmatch(table_code):
        table_code = None  # "GENESIS-Tabelle: Temporär" (a table put together by the user)
    return table_code, first_end + 1 if first_end >= 0 else len(text)


@dataclass
class _Head:
    """What comes before the body."""

    titles: list[str] = field(default_factory=list)
    #: (file line, cells) of the rows with an empty first field: column headers
    header_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    #: a year line ('2015;;;') right above the first data row
    block_year: int | None = None
    #: a notes block placed before the body
    notes: list[str] = field(default_factory=list)
    body_start: int = 0
    body_line: int = 0
    first_data: list[str] = field(default_factory=list)


def _is_year_line(head: str, rest: bool) -> bool:
    return not rest and parse_year(head) is not None and bool(re.fullmatch(r"[0-9./ ]+", head))


def _scan_head(text: str, pos: int, end_pos: int, path: str) -> _Head:
    """Scan the lines after the first one until the first data row.

    A line whose first field is empty is a column header row; a line with text in the
    first field only is a title line (or a year line ``2015;;;``, or part of a notes block
    before the body); the first line with text in the first field and another field is
    the first data row.
    """
    head = _Head()
    lineno = 1
    any_semicolon = False
    while pos < end_pos:
        end = text.find("\n", pos)
        if end < 0 or end > end_pos:
            end = end_pos
        line = text[pos:end]
        start_line = lineno = lineno + 1
        # a quoted cell may span lines (notes, long titles): join until the quotes close
        while line.count('"') % 2 and end < end_pos:
            nxt = text.find("\n", end + 1)
            end = end_pos if nxt < 0 or nxt > end_pos else nxt
            line = text[pos:end]
            lineno += 1
        any_semicolon = any_semicolon or ";" in line
        cells = split_fields(line) if line.strip() else []
        if any(c.strip() for c in cells):
            first = cells[0].strip()
            rest = any(c.strip() for c in cells[1:])
            if first and rest:  # the first data row (also after a notes block)
                head.body_start, head.body_line, head.first_data = pos, start_line, cells
                return head
            if not first:
                head.header_rows.append((start_line, cells))
            elif _is_year_line(first, rest):
                head.block_year = parse_year(first)
            elif head.notes or _NOTES_START.match(first):
                head.notes.append(" ".join(first.split()))
            else:
                head.titles.append(" ".join(first.split()))
        pos = end + 1
    if not any_semicolon and "," in text[:end_pos]:
        raise InputError(
            "the fields are separated by ',' : expected ';' as in GENESIS exports "
            "(was the file re-saved by a spreadsheet program?)",
            path=path, line=2,
        )
    raise InputError(
        "no data rows found: expected rows like 'DG;Deutschland;123' or "
        "'2015;DG;Deutschland;123' between the header and the footer '__________'",
        path=path, line=lineno + 1 if lineno > 1 else 2,
    )


def _body_end(text: str, head: _Head, footer, require_footer: bool, path: str) -> int:
    """Where the rows end: at the line of underscores; without it, at the copyright or
    'Stand:' line, else (if allowed) at the end of the file."""
    if footer is not None:
        return footer.start() - 1
    tail = _FOOTER_TAIL.search(text, head.body_start)
    if tail is not None:
        return tail.start() - 1
    if require_footer:
        raise InputError(
            "no footer line '__________' found: the file seems truncated (a GENESIS "
            "export ends with '__________', the notes and 'Stand: …'); download it again "
            "(in Python, read_genesis(path, require_footer=False) reads the rows present)",
            path=path,
        )
    return len(text)


def _measure_and_title(titles: list[str]) -> tuple[tuple[str, str] | None, str]:
    """The measure line ('Schüler (Anzahl)', one measure only) and the title of the rest."""
    for t in range(len(titles) - 1, 0, -1):
        m = _MEASURE.match(titles[t])
        if m and _UNIT.match(m.group("unit").strip()):
            rest = titles[:t] + titles[t + 1:]
            return (m.group("label").strip(), m.group("unit").strip()), " ".join(rest)
    return None, " ".join(titles)


@dataclass(frozen=True)
class _Layout:
    """The fields of a data row: ``[year;] [code; name | region name;] [labels;] values``."""

    ncols: int  # fields per row
    n_used: int  # without the trailing empty fields (';' at the end of every row)
    n_label: int  # fields before the first value
    year_col: bool  # the year is field 1
    code_col: int | None  # field of the region key (then the name follows)
    name_col: int | None  # field of the region name
    by_name: bool  # regions given by Land names without keys (GENESIS-Online)
    body_line: int

    @property
    def n_values(self) -> int:
        return self.n_used - self.n_label

    @property
    def first_row_label(self) -> int:
        """First field of the row labels (after year and region)."""
        return (self.name_col + 1) if self.name_col is not None else int(self.year_col)

    @property
    def region_field(self) -> int:
        """1-based field that names the region (for messages)."""
        return (self.code_col if self.code_col is not None else (self.name_col or 0)) + 1


def _layout(head: _Head, path: str) -> _Layout:
    """Tell year, region and label fields from the first data row and the header rows."""
    first = head.first_data
    ncols = len(first)
    trailing = 0
    while trailing < ncols - 1 and not first[ncols - 1 - trailing].strip():
        trailing += 1
    n_used = ncols - trailing
    head0 = first[0].strip()
    year_col = parse_year(head0) is not None and not re.fullmatch(AGS_PATTERN, head0)
    first_lab = int(year_col)
    cell = first[first_lab].strip() if first_lab < n_used else ""
    # the header rows leave the label fields empty
    n_label = min((_leading_empty(c) for _, c in head.header_rows), default=None)
    code_col = name_col = None
    by_name = False
    if re.fullmatch(AGS_PATTERN, cell) and (n_label is None or n_label > first_lab + 1
                                            or n_label == first_lab):
        code_col, name_col = first_lab, first_lab + 1
    elif region_code_of_name(cell) not in (None, "*") or is_historical_unit(cell):
        name_col, by_name = first_lab, True
    min_label = (name_col + 1) if name_col is not None else first_lab + 1
    n_label = max(min_label if n_label is None else n_label, min_label)
    # a "label" field whose first cell is a value is a value column with an empty header
    for j in range(min_label, min(n_label, n_used)):
        if is_value_token(first[j]):
            n_label = j
            break
    if n_label >= n_used:
        raise InputError(
            f"the table has no value columns: {n_used} fields per row, all of them labels",
            path=path, line=head.body_line,
        )
    for ln, cells in head.header_rows:
        if any(c.strip() for c in cells[n_used:]):
            raise InputError(
                f"the header row has {len(cells)} fields but the data rows have {n_used}",
                path=path, line=ln,
            )
    return _Layout(ncols, n_used, n_label, year_col, code_col, name_col, by_name,
                   head.body_line)


def _regions_in_header(columns: dict):
    """Länder as columns (12411-0012): their keys and names, taken out of the dimensions."""
    for nm, vals in list(columns["dims"].items()):
        mapped = [_HIST + v.strip() if is_historical_unit(v) else region_code_of_name(v)
                  for v in vals]
        real = [c for c in mapped if c not in (None, "*") and not c.startswith(_HIST)]
        if real and all(c is not None for c in mapped):
            del columns["dims"][nm]
            return (np.asarray(["DG" if c == "*" else c for c in mapped], dtype=object),
                    np.asarray(vals, dtype=object))
    return None


@dataclass(frozen=True)
class _Rows:
    """The data rows of the body (not blank lines, not year lines)."""

    index: np.ndarray  # body rows that hold data
    lines: np.ndarray  # their file lines
    block: np.ndarray  # bool per body row: a year line ('2016;;;;')
    every: bool  # every body row holds data

    def take(self, arr: np.ndarray) -> np.ndarray:
        """``arr`` (one entry per body row) at the data rows."""
        return arr if self.every else arr[self.index]


def _data_rows(body: Body, layout: _Layout, path: str) -> _Rows:
    """Rows whose value cells are all empty are blank lines or year lines; the rest is data."""
    n_label, n_used, nrows = layout.n_label, layout.n_used, len(body)
    for j in range(n_used, layout.ncols):
        filled = np.flatnonzero(~body.empty(j))
        if len(filled):
            raise InputError(
                "this row has a value beyond the last column of the first data row",
                path=path, line=int(body.line_of[filled[0]]), field=j + 1)
    cand = np.flatnonzero(body.empty(n_label))
    for j in range(n_label + 1, n_used):
        if len(cand):
            cand = cand[body.empty(j, cand)]
    blank = np.zeros(nrows, bool)
    block = np.zeros(nrows, bool)
    if len(cand):
        c0 = strip(body.label(0)[cand])
        others = np.ones(len(cand), bool)
        for j in range(1, n_label):
            others &= body.empty(j, cand)
        is_blank = (c0 == "") & others
        is_block = ~is_blank & others & ~np.isnan(parse_years(c0))
        if not layout.year_col:
            bad = np.flatnonzero(~is_blank & ~is_block)
            if len(bad):
                i = cand[bad[0]]
                raise InputError(
                    "the row has no values: expected 'code;name;values…' or a year line "
                    f"such as '2015;;;', found {body.line_text(i)[:60]!r}",
                    path=path, line=int(body.line_of[i]), field=n_label + 1,
                )
        blank[cand[is_blank]] = True
        block[cand[is_block]] = True
    every = not (blank.any() or block.any())
    index = np.arange(nrows) if every else np.flatnonzero(~blank & ~block)
    if len(index) == 0:
        raise InputError("no data rows found between the header and the footer",
                         path=path, line=layout.body_line)
    return _Rows(index, body.line_of[index], block, every)


@dataclass(frozen=True)
class _Regions:
    """Region of every data row: codes into distinct keys and names."""

    codes: np.ndarray | None
    keys: np.ndarray | None
    name_codes: np.ndarray | None
    names: np.ndarray | None
    source: str  # "code", "name" or "none" (see Export.regions_from)


def _row_regions(body: Body, rows: _Rows, layout: _Layout, path: str) -> _Regions:
    """Region keys (checked) and names of the data rows, or Land names mapped to keys."""
    if layout.code_col is not None:
        codes, keys = text_codes(rows.take(body.label(layout.code_col)))
        bad_u = np.zeros(len(keys), bool)
        bad_u[check_ags(keys)] = True
        i = first_row(bad_u, codes)
        if i is not None:
            n_bad = int(np.count_nonzero(bad_u[codes]))
            raise InputError(
                f"region code {keys[codes[i]]!r} has an unknown shape: expected 'DG' "
                "or a key of 2 (Land), 3 (Regierungsbezirk), 5 (Kreis), 9 (Gemeindeverband), "
                "8 or 12 digits (Gemeinde)"
                + (f"; {n_bad} rows are affected" if n_bad > 1 else ""),
                path=path, line=int(rows.lines[i]), field=layout.code_col + 1,
            )
        name_codes, names = text_codes(rows.take(body.label(layout.name_col)))
        return _Regions(codes, keys, name_codes, names, "code")
    if layout.by_name:
        name_codes, names = text_codes(rows.take(body.label(layout.name_col)))
        mapped = _codes_of_names(names[name_codes], rows.lines, path,
                                 field=layout.name_col + 1)
        codes, keys = text_codes(mapped, strip=False)
        return _Regions(codes, keys, name_codes, names, "name")
    return _Regions(None, None, None, None, "none")


def _years(body: Body, rows: _Rows, layout: _Layout, head: _Head, columns: dict, hdr,
           path: str):
    """Year of every data row (field 1, or the year line above it) and of every column."""
    row_year = None
    if layout.year_col:
        first_col = rows.take(body.label(0))
        row_year = parse_years(first_col)
        bad = np.flatnonzero(np.isnan(row_year))
        if len(bad):
            i = bad[0]
            raise InputError(
                f"expected a year (e.g. 2015 or 31.12.2018) in the first column, found "
                f"{first_col[i]!r}", path=path, line=int(rows.lines[i]), field=1,
            )
    elif rows.block.any() or head.block_year is not None:
        ys = np.full(len(body), np.nan)
        if rows.block.any():
            ys[rows.block] = parse_years(strip(body.label(0)[rows.block]))
        if head.block_year is not None and not rows.block[0]:
            ys[0] = head.block_year
        row_year = pd.Series(ys).ffill().to_numpy()[rows.index]
    col_year = columns["year"]
    if np.isnan(col_year).all():
        col_year = None
    if col_year is None and row_year is None:
        raise InputError(
            "no year found: expected a year line above the rows (e.g. '2015;;;'), a year "
            "in the first column ('2015;DG;Deutschland;…') or a time header row "
            "('Stichtag' / '31.12.2018' or '2019;2020;2021')",
            path=path, line=int(rows.lines[0]),
        )
    if col_year is not None and np.isnan(col_year).any() and row_year is None:
        j = int(np.flatnonzero(np.isnan(col_year))[0])
        raise InputError(
            "this value column has no year in the time header and the rows give none",
            path=path, line=hdr[-1][0] if hdr else layout.body_line,
            field=layout.n_label + j + 1,
        )
    if row_year is not None and col_year is None and np.isnan(row_year).any():
        i = int(np.flatnonzero(np.isnan(row_year))[0])
        raise InputError(
            "this row comes before the first year line: expected a year line such as "
            "'2015;;;' above it", path=path, line=int(rows.lines[i]),
        )
    return row_year, col_year


def _row_labels(body: Body, rows: _Rows, layout: _Layout) -> dict:
    """Row labels (field 3 of 21111-01-03-4; the age rows of 12411-0005): name → codes."""
    labels = {}
    for j in range(layout.first_row_label, layout.n_label):
        labels[unique_name("merkmal", set(labels))] = text_codes(rows.take(body.label(j)))
    return labels


def _check_unique_rows(rows: _Rows, regions: _Regions, row_year, labels: dict,
                       layout: _Layout, path: str) -> None:
    """No two data rows with the same region, year and row labels."""
    n = len(rows.index)
    key = [(regions.codes, len(regions.keys)) if regions.codes is not None
           else (np.zeros(n, dtype=np.intp), 1)]
    if row_year is not None:
        year_codes, year_distinct = pd.factorize(row_year, use_na_sentinel=False)
        key.append((year_codes, len(year_distinct)))
    key += [(c, len(u)) for c, u in labels.values()]
    dup = duplicate_rows(*key)
    if not len(dup):
        return
    i = int(dup[0])
    frame = pd.DataFrame({f"k{p}": c for p, (c, _) in enumerate(key)})
    first_i = np.flatnonzero((frame == frame.iloc[i]).all(axis=1).to_numpy())[0]
    what = (f"region {regions.keys[regions.codes[i]]!r}" if regions.codes is not None
            else "the row")
    raise InputError(
        what
        + (f", year {int(row_year[i])}" if row_year is not None else "")
        + "".join(f", {u[c[i]]!r}" for c, u in labels.values())
        + f" occurs twice (first in line {int(rows.lines[first_i])}): expected one row per "
        "region and year",
        path=path, line=int(rows.lines[i]), field=layout.region_field,
    )


def _check_unique_columns(columns: dict, col_region, hdr, layout: _Layout, body_line: int,
                          path: str) -> None:
    """No two value columns with the same variable, year, region and breakdowns."""
    key = pd.DataFrame({"variable": columns["variable"], "year": columns["year"]})
    if col_region is not None:
        key["ags"] = col_region[0]
    for nm, vals in columns["dims"].items():
        key[nm] = vals
    dup = np.flatnonzero(key.duplicated().to_numpy())
    if len(dup):
        j = int(dup[0])
        raise InputError(
            f"two value columns have the same header ({columns['variable'][j]!r}, "
            + ", ".join(f"{v[j]!r}" for v in columns["dims"].values())
            + "): expected each column to be unique",
            path=path, line=hdr[-1][0] if hdr else body_line, field=layout.n_label + j + 1,
        )


def _cell_values(body: Body, rows: _Rows, layout: _Layout, path: str):
    """Values and statuses of the data rows, shape (rows, value columns).

    Plain numbers come converted from the body; the distinct texts of the other cells
    (symbols, decimals, flags) are parsed once for all columns. Returns the values, status
    codes and the status texts they index.
    """
    n, k = len(rows.index), layout.n_values
    values = np.empty((n, k), dtype="float64")
    status_codes = np.empty((n, k), dtype=np.intp)
    val_u, status_u, bad = parse_distinct(body.tokens)
    st_codes_u, st_texts = pd.factorize(status_u, use_na_sentinel=False)
    texts = list(st_texts)
    if "" not in texts:
        texts.append("")
    plain_code = texts.index("")
    bad_u = np.zeros(len(body.tokens), bool)
    bad_u[bad] = True
    first_bad: tuple[int, int, int] | None = None
    n_bad = 0
    for j in range(k):
        num, tok = rows.take(body.num[j]), rows.take(body.tok[j])
        plain = tok < 0
        values[:, j] = np.where(plain, num, val_u[tok])
        status_codes[:, j] = np.where(plain, plain_code, st_codes_u[tok])
        if len(bad):
            rows_bad = np.flatnonzero(~plain & bad_u[tok])
            n_bad += len(rows_bad)
            if len(rows_bad) and (first_bad is None or rows_bad[0] < first_bad[0]):
                first_bad = (int(rows_bad[0]), j, int(tok[rows_bad[0]]))
    if first_bad is not None:
        r, j, t = first_bad
        more = f" ({n_bad - 1} more cells like it)" if n_bad > 1 else ""
        raise InputError(value_problem(body.tokens[t]) + more, path=path,
                         line=int(rows.lines[r]), field=layout.n_label + j + 1)
    return values, status_codes, np.asarray(texts, dtype=object)


def _check_counts(values: np.ndarray, body: Body, rows: _Rows, layout: _Layout, columns: dict,
                  path: str) -> None:
    """Counts (unit Anzahl) are whole and non-negative."""
    for j, (variable, unit) in enumerate(zip(columns["variable"], columns["unit"],
                                             strict=True)):
        if not is_count(variable, unit):
            continue
        bad = count_problems(values[:, j])
        if len(bad):
            i = int(bad[0])
            t = rows.take(body.tok[j])[i]
            token = body.tokens[t] if t >= 0 else f"{values[i, j]:g}"
            raise InputError(count_problem(token, values[i, j], variable, unit), path=path,
                             line=int(rows.lines[i]), field=layout.n_label + j + 1)


def _fact_regions(n: int, k: int, regions: _Regions, col_region):
    """Region keys, and the key of every fact (``n`` rows of ``k`` values, row-major)."""
    if regions.codes is not None:
        return regions.keys, np.repeat(regions.codes, k)
    if col_region is not None:
        return col_region[0], np.tile(np.arange(k), n)
    return np.asarray(["DG"], dtype=object), np.zeros(n * k, dtype=np.intp)


def _facts(keys, key_of_fact, k: int, row_year, col_year, columns: dict, labels: dict, values,
           status_codes, status_texts, source: str) -> pd.DataFrame:
    """The facts table, one row per value cell; text columns built from their distinct values."""
    n = len(values)
    cols_k = np.tile(np.arange(k), n)  # value column of every fact
    ags = str_column(keys, key_of_fact)
    if col_year is None:
        year = np.repeat(row_year, k)
    elif row_year is None:
        year = col_year[cols_k]
    else:
        year = np.where(np.isnan(col_year[cols_k]), np.repeat(row_year, k), col_year[cols_k])
    out: dict[str, object] = {"ags": ags, "year": year.astype("int64"),
                              "variable": str_column(columns["variable"], cols_k)}
    for nm, (c, u) in labels.items():
        out[nm] = str_column(u, np.repeat(c, k))
    for nm, vals in columns["dims"].items():
        out[unique_name(nm, set(out)) if nm in out else nm] = str_column(vals, cols_k)
    out["value"] = values.ravel()
    out["status"] = str_column(status_texts, status_codes.ravel())
    out["source"] = str_column([source], np.zeros(n * k, dtype=np.intp))
    return pd.DataFrame(out, copy=False)


def _region_table(regions: _Regions, col_region) -> pd.DataFrame:
    """``ags, name, level`` of every region the table names (historical units left out)."""
    if regions.codes is not None:
        firsts = np.flatnonzero(~pd.Series(regions.codes).duplicated().to_numpy())
        table = pd.DataFrame({"ags": regions.keys[regions.codes[firsts]],
                              "name": regions.names[regions.name_codes[firsts]]})
    elif col_region is not None:
        table = pd.DataFrame({"ags": col_region[0], "name": col_region[1]})
        table.loc[table["ags"] == "DG", "name"] = "Deutschland"
    else:
        table = pd.DataFrame({"ags": ["DG"], "name": ["Deutschland"]})
    table = table.drop_duplicates("ags")
    table = table[~table["ags"].astype(str).str.startswith(_HIST)].reset_index(drop=True)
    table["level"] = region_levels(table["ags"]).to_numpy()
    return table.astype(str)


def _drop_historical_units(facts: pd.DataFrame, keys, key_of_fact, path: str) -> pd.DataFrame:
    """Leave out the rows of historical units (stand-in key ``~<name>``), with a warning."""
    hist_u = np.fromiter((str(a).startswith(_HIST) for a in keys), dtype=bool,
                         count=len(keys))
    if not hist_u.any():
        return facts
    hist = hist_u[key_of_fact]
    names = sorted(str(a)[len(_HIST):] for a in keys[hist_u])
    warnings.warn(
        f"{path}: {int(hist.sum())} values of units without a key of their own left out "
        f"({', '.join(repr(n) for n in names)}): only Deutschland and the Länder are read "
        "from a table that names its regions",
        InputWarning, stacklevel=4,
    )
    return facts[~hist].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# the header rows: what every value column holds


def _is_time_row(cells: list[str]) -> bool:
    vals = [c for c in cells if c]
    return bool(vals) and all(parse_year(c) is not None for c in vals)


def _is_unit_row(cells: list[str]) -> bool:
    vals = [c for c in cells if c]
    return bool(vals) and all(_UNIT.match(c) for c in vals)


def _is_value_like(c: str) -> bool:
    low = c.lower()
    return low in _VALUE_LIKE or low.startswith(_VALUE_PREFIX) or low[:1].isdigit()


def _is_name_row(a: list[str], b: list[str]) -> bool:
    vals = [c for c in a if c]
    if not vals:
        return False
    if any(x and not y for x, y in zip(a, b, strict=False)):
        return False
    if any(_is_value_like(c) for c in vals):
        return False
    known = all(c.lower().startswith(_DIM_NAME_PREFIX) for c in vals)
    return known or len(set(vals)) < len({c for c in b if c})


def _unlabelled_names(cells: list[str], n_unlabelled: int) -> list[str | None] | str:
    """Dimension name of an unlabelled value row: one name, or one per column."""
    low = [c.lower() for c in cells if c]
    if all(c in _SEX for c in low):
        return "geschlecht"
    if all(c in _NATIONALITY for c in low):
        return "nationalitaet"
    if all(c in _SEX | _NATIONALITY for c in low):
        per = []
        for c in cells:
            lc = c.lower()
            if not c or lc == "insgesamt":
                per.append(None)
            elif lc in _SEX:
                per.append("geschlecht")
            else:
                per.append("nationalitaet")
        return per
    return f"merkmal_{n_unlabelled}"


def _column_keys(hdr: list[tuple[int, list[str]]], k: int, measure, path: str) -> dict:
    """Variable, unit, year and dimension values of every value column."""
    rows = list(hdr)
    col_year = np.full(k, np.nan)
    # time rows (and the row naming them)
    keep = []
    i = 0
    while i < len(rows):
        ln, cells = rows[i]
        if _is_time_row(cells):
            for j, c in enumerate(cells):
                if c:
                    col_year[j] = parse_year(c)
            if keep and all(_TIME_NAME.match(c) for c in keep[-1][1] if c) \
                    and any(keep[-1][1]):
                keep.pop()
        else:
            keep.append((ln, cells))
        i += 1
    rows = keep
    units = [""] * k
    if rows and _is_unit_row(rows[-1][1]):
        units = rows[-1][1]
        rows = rows[:-1]
    if measure is not None:
        variables = [measure[0]] * k
        units = [u or measure[1] for u in units]
    elif rows:
        variables = []
        last = ""
        for c in rows[0][1]:
            last = c or last
            variables.append(last)
        if not all(variables):
            raise InputError(
                "the first value column has no measure label: expected the measure in the "
                "first header row or a title line like 'Schüler (Anzahl)'",
                path=path, line=rows[0][0],
            )
        rows = rows[1:]
    else:
        raise InputError(
            "no measure found: expected a title line like 'Absolventen/Abgänger (Anzahl)' "
            "or a header row naming the measures",
            path=path,
        )

    dims: dict[str, list[str]] = {}
    n_unlab = 0
    i = 0
    while i < len(rows):
        ln, cells = rows[i]
        if not any(cells):
            i += 1
            continue
        assign: dict[str, dict[int, str]] = {}
        if i + 1 < len(rows) and _is_name_row(cells, rows[i + 1][1]):
            values = rows[i + 1][1]
            for j in range(k):
                if cells[j]:
                    assign.setdefault(snake(cells[j]), {})[j] = values[j]
            i += 2
        else:
            names = _unlabelled_names(cells, n_unlab + 1)
            if isinstance(names, str):
                if names.startswith("merkmal_"):
                    n_unlab += 1
                for j in range(k):
                    if cells[j]:
                        assign.setdefault(names, {})[j] = cells[j]
            else:
                for j, nm in enumerate(names):
                    if nm:
                        assign.setdefault(nm, {})[j] = cells[j]
            i += 1
        for nm, colvals in assign.items():
            name = nm
            if name in dims and any(dims[name][j] != TOTAL_LABEL for j in colvals):
                name = unique_name(name, set(dims))
            target = dims.setdefault(name, [TOTAL_LABEL] * k)
            for j, v in colvals.items():
                target[j] = v
    return {"variable": variables, "unit": units, "year": col_year, "dims": dims}


def _footer(footer: str):
    """``Stand`` date and notes text of the footer (starting at the '____' line)."""
    footer = footer.lstrip("\n")
    lines = footer.split("\n", 1)
    if _FOOTER_LINE.match(lines[0]):
        rest = lines[1] if len(lines) > 1 else ""
    else:  # no line of underscores: the footer starts at the copyright or 'Stand:' line
        rest = footer
    stand = None
    notes = []
    for rec in csv.reader(io.StringIO(rest), delimiter=";", quotechar='"'):
        txt = ";".join(rec).rstrip(";").strip()
        if not txt:
            continue
        m = _STAND.match(txt)
        if m:
            try:
                stand = datetime.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                stand = None
            continue
        if txt.startswith("©") or txt.startswith("(C)") or re.fullmatch(r"_{3,}", txt):
            continue
        notes.append(txt)
    return stand, "\n".join(notes)
