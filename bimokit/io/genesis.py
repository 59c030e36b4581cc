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
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ._export import Export
from ._values import (
    AGS_PATTERN,
    EXPECTED_VALUE,
    check_ags,
    decode_file,
    duplicate_rows,
    first_row,
    is_historical_unit,
    parse_distinct,
    parse_value_tokens_ok,
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


def _fields(line: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=";", quotechar='"'), [])
    except csv.Error:
        # a line break inside an unquoted cell (a stray quote mid-cell joined two lines):
        # the break is read as a space, as a spreadsheet would show it
        flat = line.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        return next(csv.reader([flat], delimiter=";", quotechar='"'), [])


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
# parsing


def _parse(text: str, path: str, *, require_footer: bool) -> Export:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    first_cell = _fields(first)[0].strip() if first.strip() else ""
    head = next((h for h in (_HEAD, _HEAD_NEW) if first_cell.startswith(h)), None)
    if head is None:
        raise InputError(
            f"expected the first line to start with '{_HEAD} <code>', found {first[:60]!r}",
            path=path, line=1,
        )
    rest_head = first_cell[len(head):].strip()
    table_code = rest_head.split()[0] if rest_head else None
    if table_code is not None and not _TABLE_CODE.fullmatch(table_code):
        table_code = None  # "GENESIS-Tabelle: Temporär" (a table put together by the user)

    # footer: the first line of underscores (the rows end there)
    m_footer = _find_footer(text, first_end + 1 if first_end >= 0 else len(text))
    footer_pos = m_footer.start() - 1 if m_footer else -1
    if footer_pos < 0:
        footer_pos = len(text)

    # ---- header: scan lines until the first data row
    titles: list[str] = []
    header_rows: list[tuple[int, list[str]]] = []  # (line number, cells)
    pre_block_year: int | None = None
    pos = first_end + 1 if first_end >= 0 else len(text)
    lineno = 1
    body_start = None
    first_data: list[str] = []
    any_semicolon = False
    pre_notes: list[str] = []
    while pos < footer_pos:
        end = text.find("\n", pos)
        if end < 0 or end > footer_pos:
            end = footer_pos
        line = text[pos:end]
        start_line = lineno + 1
        lineno += 1
        # a quoted cell may span lines (notes, long titles): join until the quotes close
        while line.count('"') % 2 and end < footer_pos:
            nxt = text.find("\n", end + 1)
            if nxt < 0 or nxt > footer_pos:
                nxt = footer_pos
            line = text[pos:nxt]
            end = nxt
            lineno += 1
        if ";" in line:
            any_semicolon = True
        cells = _fields(line) if line.strip() else []
        nonempty = [c for c in cells if c.strip()]
        if nonempty:
            head = cells[0].strip()
            rest = any(c.strip() for c in cells[1:])
            if head and rest and not pre_notes:
                body_start = pos
                body_line = start_line
                first_data = cells
                break
            if pre_notes or _NOTES_START.match(head):
                if head and rest:  # the body after a notes block
                    body_start = pos
                    body_line = start_line
                    first_data = cells
                    break
                if not head:
                    header_rows.append((start_line, cells))
                elif (not rest and parse_year(head) is not None
                      and re.fullmatch(r"[0-9./ ]+", head)):
                    pre_block_year = parse_year(head)
                else:
                    pre_notes.append(" ".join(head.split()))
            elif not head:
                header_rows.append((start_line, cells))
            else:
                year = parse_year(head)
                if year is not None and not rest and re.fullmatch(r"[0-9./ ]+", head):
                    pre_block_year = year
                else:
                    titles.append(" ".join(head.split()))
        pos = end + 1
    if body_start is None:
        if not any_semicolon and "," in text[:footer_pos]:
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
    if m_footer is None:
        # no line of underscores: the copyright or 'Stand:' line ends the rows, if present
        m_tail = _FOOTER_TAIL.search(text, body_start)
        if m_tail is not None:
            footer_pos = m_tail.start() - 1
        elif require_footer:
            raise InputError(
                "no footer line '__________' found: the file seems truncated (a GENESIS "
                "export ends with '__________', the notes and 'Stand: …'); download it again "
                "(in Python, read_genesis(path, require_footer=False) reads the rows present)",
                path=path,
            )
        else:
            footer_pos = len(text)
    ncols = len(first_data)
    # trailing empty fields (';' at the end of every row) are no value columns
    trailing = 0
    while trailing < ncols - 1 and not first_data[ncols - 1 - trailing].strip():
        trailing += 1

    # ---- measure line (one measure only) and title
    measure = None
    for t in range(len(titles) - 1, 0, -1):
        m = _MEASURE.match(titles[t])
        if m and _UNIT.match(m.group("unit").strip()):
            measure = (m.group("label").strip(), m.group("unit").strip())
            titles = titles[:t] + titles[t + 1:]
            break
    title = " ".join(t.strip() for t in titles)

    # ---- layout of the label columns: [year;] [code; name | region name;] [labels;] values
    ncols_used = ncols - trailing
    head0 = first_data[0].strip()
    year_col = parse_year(head0) is not None and not re.fullmatch(AGS_PATTERN, head0)
    first_lab = 1 if year_col else 0
    cell = first_data[first_lab].strip() if first_lab < ncols_used else ""
    if header_rows:
        n_label = min(_leading_empty(c) for _, c in header_rows)
    else:
        n_label = None
    code_col = name_col = None
    region_by_name = False
    if re.fullmatch(AGS_PATTERN, cell) and (n_label is None or n_label > first_lab + 1
                                            or n_label == first_lab):
        code_col, name_col = first_lab, first_lab + 1
    elif region_code_of_name(cell) not in (None, "*") or is_historical_unit(cell):
        name_col = first_lab
        region_by_name = True
    if n_label is None:
        n_label = (name_col + 1) if name_col is not None else first_lab + 1
    min_label = (name_col + 1) if name_col is not None else first_lab + 1
    n_label = max(n_label, min_label)
    # a "label" column whose first cell is a value is a value column with an empty header
    for j in range(min_label, min(n_label, ncols_used)):
        if parse_value_tokens_ok(first_data[j]):
            n_label = j
            break
    if n_label >= ncols_used:
        raise InputError(
            f"the table has no value columns: {ncols_used} fields per row, all of them labels",
            path=path, line=body_line,
        )
    k = ncols_used - n_label
    for ln, cells in header_rows:
        extra = [c for c in cells[ncols_used:] if c.strip()]
        if extra:
            raise InputError(
                f"the header row has {len(cells)} fields but the data rows have {ncols_used}",
                path=path, line=ln,
            )
    hdr = [(ln, [c.strip() for c in (cells + [""] * ncols)[n_label:ncols_used]])
           for ln, cells in header_rows]

    columns = _column_keys(hdr, k, measure, path)
    # regions in the column header (Länder as columns, 12411-0012)
    col_region = None
    if name_col is None:
        for nm, vals in list(columns["dims"].items()):
            mapped = [_HIST + v.strip() if is_historical_unit(v) else region_code_of_name(v)
                      for v in vals]
            real = [c for c in mapped if c not in (None, "*") and not c.startswith(_HIST)]
            if real and all(c is not None for c in mapped):
                col_region = (np.asarray(["DG" if c == "*" else c for c in mapped], dtype=object),
                              np.asarray(vals, dtype=object))
                del columns["dims"][nm]
                break

    # ---- body
    body = _read_body(text[body_start:footer_pos], body_line, ncols, n_label, path)
    line_of = body.line_of
    nrows = len(line_of)
    labels_df = body.labels
    for j in range(ncols_used, ncols):
        filled = np.flatnonzero(~body.empty(j))
        if len(filled):
            i = int(filled[0])
            raise InputError(
                "this row has a value beyond the last column of the first data row",
                path=path, line=int(line_of[i]), field=j + 1)
    # rows whose value cells are all empty: blank lines and year lines ('2016;;;;')
    cand = np.flatnonzero(body.empty(n_label))
    if len(cand):
        others_v = np.ones(len(cand), bool)
        for j in range(n_label + 1, ncols_used):
            others_v &= body.empty(j, cand)
        cand = cand[others_v]
    blank = np.zeros(nrows, bool)
    block = np.zeros(nrows, bool)
    if len(cand):
        c0 = strip(labels_df[0].to_numpy(dtype=object)[cand])
        others = np.ones(len(cand), bool)
        for j in range(1, n_label):
            others &= body.empty(j, cand)
        is_blank_row = (c0 == "") & others
        blank[cand[is_blank_row]] = True
        years_b = parse_years(c0)
        is_block = ~is_blank_row & others & ~np.isnan(years_b)
        if not year_col:
            bad = np.flatnonzero(~is_blank_row & ~is_block)
            if len(bad):
                i = cand[bad[0]]
                raise InputError(
                    "the row has no values: expected 'code;name;values…' or a year line "
                    f"such as '2015;;;', found {body.line_text(i)[:60]!r}",
                    path=path, line=int(line_of[i]), field=n_label + 1,
                )
        block[cand[is_block]] = True
    all_rows = not (blank.any() or block.any())
    data_idx = np.arange(nrows) if all_rows else np.flatnonzero(~blank & ~block)
    if len(data_idx) == 0:
        raise InputError("no data rows found between the header and the footer",
                         path=path, line=body_line)
    lines = line_of[data_idx]

    def data_rows(j: int) -> np.ndarray:
        """Body column ``j`` (object) at the data rows."""
        arr = labels_df[j].to_numpy(dtype=object)
        return arr if all_rows else arr[data_idx]

    # regions as codes into their distinct keys (first appearance order) and names
    if code_col is not None:
        ags_codes, ags_uniq = text_codes(data_rows(code_col))
        bad_u = np.zeros(len(ags_uniq), bool)
        bad_u[check_ags(ags_uniq)] = True
        i = first_row(bad_u, ags_codes)
        if i is not None:
            n_bad = int(np.count_nonzero(bad_u[ags_codes]))
            raise InputError(
                f"region code {ags_uniq[ags_codes[i]]!r} has an unknown shape: expected 'DG' "
                "or a key of 2 (Land), 3 (Regierungsbezirk), 5 (Kreis), 9 (Gemeindeverband), "
                "8 or 12 digits (Gemeinde)"
                + (f"; {n_bad} rows are affected" if n_bad > 1 else ""),
                path=path, line=int(lines[i]), field=code_col + 1,
            )
        name_codes, name_uniq = text_codes(data_rows(name_col))
        regions_from = "code"
    elif region_by_name:
        name_codes, name_uniq = text_codes(data_rows(name_col))
        mapped = _codes_of_names(name_uniq[name_codes], lines, path, field=name_col + 1)
        ags_codes, ags_uniq = text_codes(mapped, strip=False)
        regions_from = "name"
    else:
        ags_codes = ags_uniq = name_codes = name_uniq = None
        regions_from = "header" if col_region is not None else "none"

    # ---- years of the rows
    row_year = None
    if year_col:
        first_col = data_rows(0)
        row_year = parse_years(first_col)
        bad = np.flatnonzero(np.isnan(row_year))
        if len(bad):
            i = bad[0]
            raise InputError(
                f"expected a year (e.g. 2015 or 31.12.2018) in the first column, found "
                f"{first_col[i]!r}", path=path, line=int(lines[i]), field=1,
            )
    elif block.any() or pre_block_year is not None:
        ys = np.full(nrows, np.nan)
        if block.any():
            ys[block] = parse_years(strip(labels_df[0].to_numpy(dtype=object)[block]))
        if pre_block_year is not None and not block[0]:
            ys[0] = pre_block_year
        row_year = pd.Series(ys).ffill().to_numpy()[data_idx]
    col_year = columns["year"]
    if np.isnan(col_year).all():
        col_year = None
    if col_year is None and row_year is None:
        raise InputError(
            "no year found: expected a year line above the rows (e.g. '2015;;;'), a year "
            "in the first column ('2015;DG;Deutschland;…') or a time header row "
            "('Stichtag' / '31.12.2018' or '2019;2020;2021')",
            path=path, line=int(lines[0]),
        )
    if col_year is not None and np.isnan(col_year).any() and row_year is None:
        j = int(np.flatnonzero(np.isnan(col_year))[0])
        raise InputError(
            "this value column has no year in the time header and the rows give none",
            path=path, line=hdr[-1][0] if hdr else body_line, field=n_label + j + 1,
        )
    if row_year is not None and col_year is None and np.isnan(row_year).any():
        i = int(np.flatnonzero(np.isnan(row_year))[0])
        raise InputError(
            "this row comes before the first year line: expected a year line such as "
            "'2015;;;' above it", path=path, line=int(lines[i]),
        )

    # ---- row labels (column 3 of 21111-01-03-4; the age rows of 12411-0005)
    first_row_label = (name_col + 1) if name_col is not None else first_lab
    label_cols = list(range(first_row_label, n_label))
    label_names = []
    taken: set[str] = set()
    for _ in label_cols:
        nm = unique_name("merkmal", taken)
        taken.add(nm)
        label_names.append(nm)
    labels = {nm: text_codes(data_rows(j))
              for nm, j in zip(label_names, label_cols, strict=True)}

    # ---- duplicates: rows (region, year, labels) and columns (variable, dims, year)
    n = len(data_idx)
    row_key = [(ags_codes, len(ags_uniq)) if ags_codes is not None
               else (np.zeros(n, dtype=np.intp), 1)]
    if row_year is not None:
        year_codes, year_distinct = pd.factorize(row_year, use_na_sentinel=False)
        row_key.append((year_codes, len(year_distinct)))
    row_key += [(c, len(u)) for c, u in labels.values()]
    dup = duplicate_rows(*row_key)
    if len(dup):
        i = int(dup[0])
        key = pd.DataFrame({f"k{p}": c for p, (c, _) in enumerate(row_key)})
        first_i = np.flatnonzero((key == key.iloc[i]).all(axis=1).to_numpy())[0]
        what = (f"region {ags_uniq[ags_codes[i]]!r}" if ags_codes is not None
                else "the row")
        raise InputError(
            what
            + (f", year {int(row_year[i])}" if row_year is not None else "")
            + "".join(f", {u[c[i]]!r}" for c, u in labels.values())
            + f" occurs twice (first in line {int(lines[first_i])}): expected one row per "
            "region and year",
            path=path, line=int(lines[i]),
            field=(code_col if code_col is not None else (name_col or 0)) + 1,
        )
    col_key = pd.DataFrame({"variable": columns["variable"], "year": columns["year"]})
    if col_region is not None:
        col_key["ags"] = col_region[0]
    for nm, vals in columns["dims"].items():
        col_key[nm] = vals
    cdup = np.flatnonzero(col_key.duplicated().to_numpy())
    if len(cdup):
        j = int(cdup[0])
        raise InputError(
            f"two value columns have the same header ({columns['variable'][j]!r}, "
            + ", ".join(f"{v[j]!r}" for v in columns["dims"].values())
            + "): expected each column to be unique",
            path=path, line=hdr[-1][0] if hdr else body_line, field=n_label + j + 1,
        )

    # ---- values: numeric columns come parsed from read_csv; the distinct texts of the
    # others (numbers with symbols) are parsed once for all columns
    values = np.empty((n, k), dtype="float64")
    status_codes = np.empty((n, k), dtype=np.intp)
    tokens = body.tokens
    val_u, status_u, bad = parse_distinct(tokens)
    st_codes_u, st_texts = pd.factorize(status_u, use_na_sentinel=False)
    texts = list(st_texts)
    if "" not in texts:
        texts.append("")
    status_texts = np.asarray(texts, dtype=object)
    plain_code = texts.index("")
    bad_u = np.zeros(len(tokens), bool)
    bad_u[bad] = True
    first_bad: tuple[int, int, int] | None = None
    n_bad = 0
    for j in range(k):
        num = body.num[j]
        tok = body.tok[j]
        if not all_rows:
            num, tok = num[data_idx], tok[data_idx]
        plain = tok < 0
        if plain.all():
            if not np.isfinite(num).all():
                i = int(np.flatnonzero(~np.isfinite(num))[0])
                raise InputError(f"value {num[i]!r} is not a finite number; {EXPECTED_VALUE}",
                                 path=path, line=int(lines[i]), field=n_label + j + 1)
            values[:, j] = num
            status_codes[:, j] = plain_code
            continue
        values[:, j] = np.where(plain, num, val_u[tok])
        status_codes[:, j] = np.where(plain, plain_code, st_codes_u[tok])
        if len(bad):
            rows_bad = np.flatnonzero(~plain & bad_u[tok])
            n_bad += len(rows_bad)
            if len(rows_bad) and (first_bad is None or rows_bad[0] < first_bad[0]):
                first_bad = (int(rows_bad[0]), j, int(tok[rows_bad[0]]))
    if first_bad is not None:
        r, j, t = first_bad
        tok = tokens[t]
        what = "an empty cell" if not str(tok).strip() else f"value {tok!r}"
        more = f" ({n_bad - 1} more cells like it)" if n_bad > 1 else ""
        raise InputError(
            f"{what} is neither a number nor a known symbol{more}; {EXPECTED_VALUE}",
            path=path, line=int(lines[r]), field=n_label + j + 1,
        )

    cols_k = np.tile(np.arange(k), n)  # value column of every fact (row-major facts)
    if ags_codes is not None:
        ags_col = str_column(ags_uniq, np.repeat(ags_codes, k))
    elif col_region is not None:
        ags_col = str_column(col_region[0], cols_k)
    else:
        ags_col = str_column(["DG"], np.zeros(n * k, dtype=np.intp))
    out: dict[str, object] = {"ags": ags_col}
    if col_year is None:
        year = np.repeat(row_year, k)
    elif row_year is None:
        year = col_year[cols_k]
    else:
        year = np.where(np.isnan(col_year[cols_k]), np.repeat(row_year, k), col_year[cols_k])
    out["year"] = year.astype("int64")
    out["variable"] = str_column(columns["variable"], cols_k)
    for nm, (c, u) in labels.items():
        out[nm] = str_column(u, np.repeat(c, k))
    for nm, vals in columns["dims"].items():
        out[unique_name(nm, set(out)) if nm in out else nm] = str_column(vals, cols_k)
    out["value"] = values.ravel()
    out["status"] = str_column(status_texts, status_codes.ravel())
    source = table_code or Path(path).stem
    out["source"] = str_column([source], np.zeros(n * k, dtype=np.intp))
    facts = pd.DataFrame(out, copy=False)
    facts = _drop_historical_units(facts, path)

    if ags_codes is not None:
        firsts = np.flatnonzero(~pd.Series(ags_codes).duplicated().to_numpy())
        regions = pd.DataFrame({"ags": ags_uniq[ags_codes[firsts]],
                                "name": name_uniq[name_codes[firsts]]})
    elif col_region is not None:
        regions = pd.DataFrame({"ags": col_region[0], "name": col_region[1]})
        regions.loc[regions["ags"] == "DG", "name"] = "Deutschland"
    else:
        regions = pd.DataFrame({"ags": ["DG"], "name": ["Deutschland"]})
    regions = regions.drop_duplicates("ags")
    regions = regions[~regions["ags"].astype(str).str.startswith(_HIST)].reset_index(drop=True)
    regions["level"] = region_levels(regions["ags"]).to_numpy()
    regions = regions.astype(str)

    stand, notes = _footer(text[footer_pos:])
    if pre_notes:
        notes = "\n".join(pre_notes + ([notes] if notes else []))
    units = {}
    for v, u in zip(columns["variable"], columns["unit"], strict=True):
        if v not in units and u:
            units[v] = u
    return Export(facts=facts, regions=regions, table_code=table_code, title=title,
                  stand=stand, units=units, notes=notes, path=path, regions_from=regions_from)


def _drop_historical_units(facts: pd.DataFrame, path: str) -> pd.DataFrame:
    """Leave out the rows of historical units (stand-in key ``~<name>``), with a warning."""
    import warnings

    from ..errors import InputWarning

    hist = facts["ags"].astype(str).str.startswith(_HIST).to_numpy()
    if not hist.any():
        return facts
    names = sorted({a[len(_HIST):] for a in facts["ags"].astype(str)[hist]})
    warnings.warn(
        f"{path}: {int(hist.sum())} values of units without a key of their own left out "
        f"({', '.join(repr(n) for n in names)}): only Deutschland and the Länder are read "
        "from a table that names its regions",
        InputWarning, stacklevel=3,
    )
    return facts[~hist].reset_index(drop=True)


class _Body:
    """The body rows: label columns as text, value columns as numbers or distinct texts.

    ``num[j]`` is the number of a cell of the ``j``-th column after the labels (body column
    ``n_label + j``) where ``tok[j]`` is -1 (a plain number, parsed without Python
    objects); elsewhere ``tok[j]`` is the code of the cell's text in ``tokens`` (symbols,
    decimals, empty cells …). ``tokens`` ends with ``""``, so that -1 indexes it too.
    """

    def __init__(self, labels, n_label, num, tok, tokens, data, starts, ends, line_of):
        self.labels = labels
        self.n_label = n_label
        self.num = num
        self.tok = tok
        self.tokens = tokens
        self._data, self._starts, self._ends = data, starts, ends
        self.line_of = line_of
        self._blank = None

    def empty(self, j: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Whether the cells of column ``j`` (in ``rows``) are empty or blank."""
        if j in self.labels.columns:
            cells = self.labels[j].to_numpy(dtype=object)
            cells = cells if rows is None else cells[rows]
            return np.asarray([str(x).strip() == "" for x in cells], dtype=bool)
        if self._blank is None:
            self._blank = np.fromiter((not str(t).strip() for t in self.tokens), dtype=bool,
                                      count=len(self.tokens))
        tok = self.tok[j - self.n_label]
        tok = tok if rows is None else tok[rows]
        return (tok >= 0) & self._blank[tok]

    def line_text(self, i: int) -> str:
        return self._data[self._starts[i]:self._ends[i]].decode("utf-8")


#: Plain numbers (digits only) up to this length are parsed on the bytes; longer ones, and
#: anything else, go through the text parser.
_MAX_DIGITS = 15
_ZEROS = np.uint64(0x3030303030303030)  # eight '0'
_HIGH = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIXES = np.uint64(0x0606060606060606)


def _digits8(words: np.ndarray, pos: np.ndarray, count: np.ndarray):
    """Value of the ``count`` (1 to 8) bytes at ``pos`` read as decimal digits; whether
    they are digits.

    ``words[i]`` is the big-endian 64-bit word of the bytes ``i … i+7``. The ``count``
    bytes are shifted to the end of the word and padded with ``'0'``; then all eight
    bytes are checked and converted at once (pairs, quads, the whole word: "SWAR").
    """
    w = words[pos].astype(np.uint64)
    count = count.astype(np.uint64)
    w >>= (np.uint64(8) - count) * np.uint64(8)
    w |= np.where(count < 8, _ZEROS << (count * np.uint64(8)), np.uint64(0)).astype(np.uint64)
    ok = ((w & _HIGH) == _ZEROS) & (((w + _SIXES) & _HIGH) == _ZEROS)
    x = w - _ZEROS
    x = ((x >> np.uint64(8)) & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(10) + (
        x & np.uint64(0x00FF00FF00FF00FF))
    x = ((x >> np.uint64(16)) & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(100) + (
        x & np.uint64(0x0000FFFF0000FFFF))
    x = (x >> np.uint64(32)) * np.uint64(10000) + (x & np.uint64(0xFFFFFFFF))
    return x, ok


def _words(buf: np.ndarray) -> np.ndarray:
    """``words[i]``: the bytes ``buf[i:i+8]`` as one big-endian integer (zeros past the end)."""
    padded = np.zeros(len(buf) + 8, dtype=np.uint8)
    padded[:len(buf)] = buf
    return np.ndarray(shape=(len(buf) + 1,), dtype=">u8", buffer=padded, strides=(1,))


def _plain_numbers(words: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """Values of the cells ``starts:ends`` that are digits only; and which those are.

    Cells of 1 to 15 ASCII digits (exact in float64) are converted on the bytes, eight
    digits at a time; every other cell (empty, signs, decimals, symbols …) gets NaN and
    ``False``.
    """
    length = ends - starts
    val, ok = _digits8(words, starts, np.clip(length, 1, 8))
    ok &= (length > 0) & (length <= 8)
    long = np.flatnonzero((length > 8) & (length <= _MAX_DIGITS))
    if len(long):
        hi, ok_hi = _digits8(words, starts[long], length[long] - 8)
        lo, ok_lo = _digits8(words, ends[long] - 8, np.full(len(long), 8))
        val[long] = hi * np.uint64(10**8) + lo
        ok[long] = ok_hi & ok_lo
    return np.where(ok, val.astype("float64"), np.nan), ok


def _cell_texts(data: bytes, words: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """Codes of the texts of the cells ``starts:ends`` and the distinct texts.

    A cell of at most eight bytes is keyed by its bytes as one integer (no byte of a text
    is NUL, so that the key is unique); longer cells by their bytes. Only one cell of each
    distinct key is cut out and decoded.
    """
    length = ends - starts
    short = length <= 8
    codes = np.empty(len(starts), dtype=np.intp)
    texts: list[str] = []
    if short.any():
        idx = np.flatnonzero(short)
        st, ln = starts[idx], length[idx]
        shift = (np.uint64(8) - np.clip(ln, 1, 8).astype(np.uint64)) * np.uint64(8)
        key = np.where(ln > 0, words[st].astype(np.uint64) >> shift, np.uint64(0))
        key_codes, distinct = pd.factorize(key)
        one = np.empty(len(distinct), dtype=np.intp)
        one[key_codes] = np.arange(len(key_codes))
        texts = [data[a:a + n].decode("utf-8")
                 for a, n in zip(st[one].tolist(), ln[one].tolist(), strict=True)]
        codes[idx] = key_codes
    if not short.all():
        idx = np.flatnonzero(~short)
        pieces = np.empty(len(idx), dtype=object)
        pieces[:] = [data[a:b] for a, b in zip(starts[idx].tolist(), ends[idx].tolist(),
                                               strict=True)]
        long_codes, distinct = pd.factorize(pieces, use_na_sentinel=False)
        codes[idx] = long_codes + len(texts)
        texts += [t.decode("utf-8") for t in distinct]
    return codes, np.asarray(texts, dtype=object)


def _read_body(body_text: str, body_line: int, ncols: int, n_label: int, path: str) -> _Body:
    """Read the body; check every line has ``ncols`` fields.

    The fields of every line are counted on the bytes at once (``;`` per line); only lines
    with another count are looked at one by one. Without quotes in the body (the usual
    export), the cells of the value columns are cut at the ``;`` positions: plain numbers
    are parsed on the bytes, only the other cells (symbols, decimals) become texts, and one
    ``read_csv`` reads the label columns. With quotes, ``read_csv`` reads every column.
    """
    data = body_text.encode("utf-8")
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == ord("\n"))
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    semis = np.flatnonzero(buf == ord(";"))
    counts = np.diff(np.searchsorted(semis, ends), prepend=0)
    off = np.flatnonzero(counts != ncols - 1)
    n_lines = len(ends)
    for i in off:
        ln = data[starts[i]:ends[i]].decode("utf-8")
        if not ln.strip():
            continue
        got = len(_fields(ln)) if '"' in ln else int(counts[i]) + 1
        if got == ncols:
            continue
        if got < ncols:
            cut = " (the file may be cut off)" if i >= n_lines - 1 else ""
            msg = (f"the row has {got} fields, expected {ncols} as in the first data row"
                   f"{cut}")
        else:
            msg = (f"the row has {got} fields, expected {ncols} as in the first data row "
                   "(is ';' used inside a value?)")
        raise InputError(msg, path=path, line=body_line + int(i), field=min(got, ncols))
    quoted = b'"' in data
    try:
        # UTF-8 bytes go to the C parser without a decoding wrapper
        df = pd.read_csv(
            io.BytesIO(data), sep=";", header=None, names=list(range(ncols)),
            usecols=None if quoted else list(range(n_label)),
            dtype={j: object for j in range(n_label)}, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, quotechar='"', engine="c", decimal=",", encoding="utf-8",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        m = re.search(r"line ([0-9]+)", str(exc))
        raise InputError(
            f"the body cannot be read as ';'-separated rows ({str(exc).strip()})",
            path=path, line=body_line + int(m.group(1)) - 1 if m else None,
        ) from None
    if len(df) != n_lines:
        raise InputError(
            f"the body has {n_lines} lines but {len(df)} rows were read: a quoted "
            "value spans lines; expected one row per line",
            path=path, line=body_line,
        )
    line_of = body_line + np.arange(n_lines)
    nv = ncols - n_label
    num = np.full((nv, n_lines), np.nan)
    tok = np.full((nv, n_lines), -1, dtype=np.intp)
    labels = df[list(range(n_label))]
    if quoted:
        # every value column from read_csv: numbers as parsed, the rest as distinct texts
        text_js = []
        for j in range(n_label, ncols):
            if df[j].dtype.kind in "iuf":
                num[j - n_label] = df[j].to_numpy(dtype="float64")
            else:
                text_js.append(j)
        tokens = np.asarray([""], dtype=object)  # never empty: code -1 must index
        if text_js:
            codes, distinct = pd.factorize(
                np.concatenate([df[j].to_numpy(dtype=object) for j in text_js]),
                use_na_sentinel=False)
            tok[np.asarray(text_js) - n_label] = codes.reshape(len(text_js), n_lines)
            tokens = np.asarray(list(distinct) + [""], dtype=object)
        return _Body(labels, n_label, num, tok, tokens, data, starts, ends, line_of)

    # cells of the value columns cut at the ';' of the full lines (other lines are blank)
    full = counts == ncols - 1
    grid = semis.reshape(int(full.sum()), ncols - 1)
    cell_start = np.empty((nv, len(grid)), dtype=np.int64)
    cell_end = np.empty((nv, len(grid)), dtype=np.int64)
    for p, j in enumerate(range(n_label, ncols)):
        cell_start[p] = grid[:, j - 1] + 1
        cell_end[p] = grid[:, j] if j < ncols - 1 else ends[full]
    cell_start, cell_end = cell_start.ravel(), cell_end.ravel()
    words = _words(buf)
    values, plain = _plain_numbers(words, cell_start, cell_end)
    # the other cells: their distinct texts
    other = np.flatnonzero(~plain)
    codes, distinct = _cell_texts(data, words, cell_start[other], cell_end[other])
    tokens = np.append(distinct, "").astype(object)
    cells_tok = np.full(len(cell_start), -1, dtype=np.intp)
    cells_tok[other] = codes
    num[:, full] = values.reshape(nv, len(grid))
    tok[:, full] = cells_tok.reshape(nv, len(grid))
    if not full.all():
        tok[:, ~full] = len(tokens) - 1  # blank lines: empty cells
    return _Body(labels, n_label, num, tok, tokens, data, starts, ends, line_of)


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
