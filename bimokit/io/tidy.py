"""Reader for bimokit's own long format (CSV or XLSX) and the format detection of :func:`read`.

A tidy file has one observation a row with the columns of the facts table::

    ags,year,variable,<dimension columns…>,value[,status][,source][,unit]

``ags`` is read as text (zero-padded keys stay as they are; Sozialräume as
``<5-digit Kreis>-<code>``), ``year`` as an integer. ``value`` is a number or a symbol (``-``,
``.``, ``x``, ``...``, ``/``, ``(123)``, ``123p`` …); numbers as the file's convention writes
them:

* ``,``-separated CSV: decimal point, no thousands separator (``1234.5``);
* ``;``-separated CSV (what a German spreadsheet writes) and text cells of an XLSX workbook:
  German, decimal comma and point as thousands separator (``1.234,5``, ``585.719``); a point
  that is no thousands separator (``12.5``) is refused as ambiguous. Number cells of a
  workbook are taken as they are.

``status`` is optional; where given it must be one of the status symbols, and an empty
``value`` needs a status that means "no value" (``.``, ``x``, ``...``, ``/``). ``source`` is
optional (the file name where absent or empty). An optional ``name`` column gives region
names for ``regions``. An empty dimension cell means the total (``insgesamt``). Counts (unit
``Anzahl``, from an optional ``unit`` column or the ``units`` the caller knows) are whole and
non-negative.

A CSV file is read in chunks of rows: each column becomes integer codes into its distinct
texts, the value column is parsed chunk by chunk; every check works on the distinct texts,
and no text object per cell outlives its chunk, so that a large file needs little more
memory than the facts it gives (``benchmarks/bench_read_memory.py``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .._schema import MISSING_STATUS, STATUS_SYMBOLS, TOTAL
from ..errors import InputError
from ._export import Export
from ._numbers import count_problem, count_problems, is_count, parse_distinct, value_problem
from ._values import (
    AGS_PATTERN,
    SOZIALRAUM_PATTERN,
    duplicate_rows,
    factorize_objects,
    first_row,
    parser_error_line,
    record_line,
    region_levels,
    scan_text_file,
    str_column,
)

__all__ = ["read_tidy", "read"]

_REQUIRED = ("ags", "year", "variable", "value")
_FIXED = ("ags", "year", "variable", "value", "status", "source", "name", "unit")
_EXCEL = (".xlsx", ".xlsm", ".xls")


def read_tidy(path: str | Path, *, units: Mapping[str, str] | None = None) -> Export:
    """Read a table in bimokit's own long format (CSV or XLSX).

    Parameters
    ----------
    path : str or Path
        ``.csv`` (``,`` or ``;``-separated, UTF-8 or ISO-8859-1) or ``.xlsx`` (first sheet).
    units : mapping of str to str, keyword-only, optional
        Unit of each variable (e.g. the vocabulary's, ``bevoelkerung`` → ``Anzahl``), for
        rows without a ``unit`` column: counts must be whole and non-negative.

    Returns
    -------
    Export
        ``facts`` with columns ``ags, year, variable, <dims…>, value, status, source``;
        ``regions`` with ``ags, name, level`` (``name`` from an optional ``name`` column,
        else empty); ``table_code`` the single ``source`` if there is one, else None;
        ``units`` from the ``unit`` column.

    Raises
    ------
    InputError
        Naming file, line and field: missing columns, a year that is not an integer, a
        region key of unknown shape, a value that is neither a number nor a symbol or that
        can be read two ways, a count that is not a whole number of at least 0, an unknown
        status, the same key twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "own.csv"
    >>> _ = p.write_text("ags,year,variable,geschlecht,value,status\\n"
    ...                  "99101-01,2023,sprachfoerderbedarf,insgesamt,12,\\n"
    ...                  "99101-02,2023,sprachfoerderbedarf,insgesamt,,.\\n")
    >>> read_tidy(p).facts
            ags  year             variable geschlecht  value status  source
    0  99101-01  2023  sprachfoerderbedarf  insgesamt   12.0          own.csv
    1  99101-02  2023  sprachfoerderbedarf  insgesamt    NaN      .  own.csv

    A ``;``-separated file is German:

    >>> _ = p.write_text("ags;year;variable;value\\n09162;2024;bevoelkerung;1.505.005\\n")
    >>> read_tidy(p, units={"bevoelkerung": "Anzahl"}).facts["value"].tolist()
    [1505005.0]
    """
    p = Path(path)
    table = _read_excel(p) if p.suffix.lower() in _EXCEL else _read_csv(p)
    return _from_table(table, str(p), units=units or {})


class _Table:
    """The cells of a tidy file: every column but ``value`` as codes into its distinct
    stripped texts, ``value`` parsed (:class:`_Values`). ``line(i)`` is the file line of row
    ``i``, ``cell(i, name)`` the text of a cell (for messages)."""

    def __init__(self, columns: dict, value, n: int, number_format: str, line, cell):
        self.columns, self.value, self.n = columns, value, n
        self.number_format, self.line, self.cell = number_format, line, cell

    def has(self, name: str) -> bool:
        return name in self.columns or (name == "value" and self.value is not None)

    def names(self) -> list[str]:
        return list(self.columns) + (["value"] if self.value is not None else [])

    def col(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.columns[name]

    def text(self, name: str, i: int) -> str:
        if name == "value":
            return self.cell(i, name)
        codes, uniq = self.columns[name]
        return str(uniq[codes[i]])


#: Rows read at a time: the text objects of one chunk are all that exists at once.
_CHUNK = 200_000


class _Codes:
    """One column read chunk by chunk: each chunk as codes into its distinct texts; at the
    end, the distinct texts of all chunks are hashed once into one list."""

    def __init__(self):
        self.codes: list[np.ndarray] = []
        self.uniq: list[np.ndarray] = []

    def add(self, cells: np.ndarray) -> None:
        codes, uniq = factorize_objects(cells)
        self.codes.append(codes.astype(np.int32))
        self.uniq.append(np.asarray(uniq, dtype=object))

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """Codes and distinct stripped texts (texts equal after stripping share a code)."""
        if not self.codes:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
        offsets = np.cumsum([0] + [len(u) for u in self.uniq[:-1]])
        to_global, distinct = pd.factorize(np.concatenate(self.uniq), use_na_sentinel=False)
        stripped = np.empty(len(distinct), dtype=object)
        stripped[:] = [u.strip() for u in distinct]
        merged, distinct = pd.factorize(stripped, use_na_sentinel=False)
        if len(distinct) < len(stripped):
            to_global = merged[to_global]
        to_global = to_global.astype(np.int32 if len(distinct) < 2**31 else np.int64)
        codes = np.concatenate([to_global[o + c] for o, c in zip(offsets, self.codes,
                                                                  strict=True)])
        self.codes, self.uniq = [], []
        return codes, np.asarray(distinct, dtype=object)


class _Values:
    """The value column, parsed chunk by chunk (its texts are not kept).

    After :meth:`result`: ``values`` (float, NaN where the cell is empty, a symbol without
    a value, or bad), ``symbol`` (codes into ``symbols``: the status the cell writes, ``""``
    for a plain number), ``empty`` (bool), ``first_bad`` (row and text of the first cell
    that is no value in the file's number format, or None) and ``n_bad``.
    """

    def __init__(self, number_format: str):
        self.number_format = number_format
        self.symbols: list[str] = [""]
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.first_bad: tuple[int, str] | None = None
        self.n_bad = 0
        self.n = 0

    def add(self, cells: np.ndarray, typed: np.ndarray | None = None) -> None:
        """Parse one chunk; ``typed`` (a workbook's number cells) is taken as it is."""
        codes, uniq = factorize_objects(cells)
        texts = [u.strip() if isinstance(u, str) else "" for u in uniq]
        empty_u = np.asarray([t == "" for t in texts], dtype=bool)
        uv, us, bad = parse_distinct(texts, number_format=self.number_format)
        bad_u = np.zeros(len(texts), bool)
        bad_u[bad] = True
        bad_u &= ~empty_u
        sym = np.asarray([self._symbol(s) for s in us], dtype=np.int8)
        values, symbol, empty = uv[codes], sym[codes], empty_u[codes]
        bad_rows = bad_u[codes]
        if typed is not None:
            values[typed[0]] = typed[1][typed[0]]
            symbol[typed[0]] = 0
            empty[typed[0]] = False
            bad_rows &= ~typed[0]
        values[empty] = np.nan
        hit = np.flatnonzero(bad_rows)
        if len(hit):
            if self.first_bad is None:
                self.first_bad = (self.n + int(hit[0]), texts[codes[hit[0]]])
            self.n_bad += len(hit)
        self.parts.append((values, symbol, empty))
        self.n += len(cells)

    def _symbol(self, status: str) -> int:
        if status not in self.symbols:
            self.symbols.append(status)
        return self.symbols.index(status)

    def result(self) -> _Values:
        if self.parts:
            self.values, self.symbol, self.empty = (np.concatenate(p) for p in zip(*self.parts,
                                                                                     strict=True))
        else:
            self.values, self.symbol, self.empty = np.zeros(0), np.zeros(0, np.int8), \
                np.zeros(0, bool)
        self.symbols = np.asarray(self.symbols, dtype=object)
        self.parts = []
        return self


def _read_csv(p: Path) -> _Table:
    """Every column read in chunks: as codes into its distinct texts, ``value`` parsed."""
    # checks, encoding, and whether row i is line i + 2 (no quotes, no blank lines), read
    # block by block: the file is never held whole (read_csv reads it in chunks)
    scan = scan_text_file(p)
    encoding, first = scan.encoding, scan.first_line
    simple = not (scan.has_quote or scan.has_blank_line)
    sep = ";" if first.count(";") > first.count(",") else ","
    number_format = "german" if sep == ";" else "point"

    def open_text():
        return open(p, encoding=encoding, errors="replace", newline="")

    columns: dict[str, _Codes] = {}
    value = None
    n = 0
    try:
        reader = pd.read_csv(p, sep=sep, dtype=object, keep_default_na=False,
                             na_filter=False, engine="c", encoding=encoding, chunksize=_CHUNK)
        with reader:
            for chunk in reader:
                names = [str(c).strip() for c in chunk.columns]
                if not columns and value is None:
                    columns = {nm: _Codes() for nm in names if nm != "value"}
                    value = _Values(number_format) if "value" in names else None
                for nm, c in zip(names, chunk.columns, strict=True):
                    cells = chunk[c].to_numpy(dtype=object)
                    (value if nm == "value" else columns[nm]).add(cells)
                n += len(chunk)
    except (pd.errors.ParserError, ValueError) as exc:
        _parser_error(exc, p, sep, open_text)
    if not columns and value is None:  # a header without rows: the names from line 1
        names = [c.strip().strip('"') for c in first.lstrip("\ufeff").split(sep)]
        columns = {nm: _Codes() for nm in names if nm != "value"}
        value = _Values(number_format) if "value" in names else None

    def line(i: int) -> int:
        return i + 2 if simple else record_line(open_text, i + 1, sep=sep, blank=False)

    def cell(i: int, name: str) -> str:
        with open_text() as fh:
            for k, row in enumerate(r for r in csv.reader(fh, delimiter=sep) if _filled(r)):
                if k == i + 1:
                    fields = dict(zip([h.strip() for h in first.lstrip("\ufeff").split(sep)],
                                      row, strict=False))
                    return fields.get(name, "").strip()
        return ""

    return _Table({nm: c.result() for nm, c in columns.items()},
                  value.result() if value is not None else None, n, number_format, line, cell)


def _filled(row: list[str]) -> bool:
    """Whether a CSV row is no blank line (read_csv skips those)."""
    return bool(row) and not (len(row) == 1 and not row[0].strip())


def _parser_error(exc: Exception, p: Path, sep: str, open_text) -> None:
    """Raise the InputError for what read_csv could not parse, at the file line."""
    msg = str(exc).strip()
    line = parser_error_line(msg, open_text, sep=sep)
    m = re.search(r"Expected ([0-9]+) fields in line [0-9]+, saw ([0-9]+)", msg)
    if m:
        raise InputError(
            f"the row has {m.group(2)} fields but the header has {m.group(1)}: "
            f"expected a {sep!r}-separated long table with columns ags, year, "
            "variable, <dimensions…>, value[, status][, source]",
            path=p, line=line,
        ) from None
    if "EOF inside string" in msg:
        raise InputError("a quote opened here is never closed: expected every quoted value "
                         "to end with a quote", path=p, line=line) from None
    raise InputError(f"cannot be read as a {sep!r}-separated table "
                     f"({msg.removeprefix('Error tokenizing data. ')})", path=p,
                     line=line) from None


def _read_excel(p: Path) -> _Table:
    """The first sheet; number cells of ``value`` kept as numbers, the other cells as text
    (German where a number is written as text)."""
    try:
        df = pd.read_excel(p, sheet_name=0, dtype=object, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("file not found", path=p) from None
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(f"cannot be read as an XLSX workbook ({exc})", path=p) from None
    df.columns = [str(c).strip() for c in df.columns]
    texts = {}
    for c in df.columns:
        texts[c] = np.asarray(["" if v is None or (isinstance(v, float) and np.isnan(v))
                               else _cell_text(v) for v in df[c].to_numpy(dtype=object)],
                              dtype=object)
    columns = {}
    for c in df.columns:
        if c != "value":
            codes, uniq = pd.factorize(texts[c], use_na_sentinel=False)
            columns[c] = (codes, np.asarray([u.strip() for u in uniq], dtype=object))
    value = None
    if "value" in df.columns:
        cells = df["value"].to_numpy(dtype=object)
        mask = np.fromiter((isinstance(v, int | float) and not isinstance(v, bool)
                            for v in cells), dtype=bool, count=len(cells))
        numbers = np.full(len(cells), np.nan)
        numbers[mask] = [float(v) for v in cells[mask]]
        value = _Values("german")
        value.add(np.where(mask, "", texts["value"]).astype(object), typed=(mask, numbers))
        value = value.result()
    return _Table(columns, value, len(df), "german", lambda i: i + 2,
                  lambda i, name: str(texts[name][i]).strip())


def _cell_text(v) -> str:
    """Text of a workbook cell: whole numbers without '.0' (a year 2022, a key 9162)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _from_table(t: _Table, path: str, *, units: Mapping[str, str]) -> Export:
    """Check every column on its distinct texts and build the facts."""
    missing = [c for c in _REQUIRED if not t.has(c)]
    if missing:
        found = ", ".join(t.names()[:8])
        raise InputError(
            f"missing column(s) {', '.join(missing)}: expected a long table with columns "
            f"ags, year, variable, <dimensions…>, value[, status][, source]; found {found}",
            path=path, line=1,
        )
    if t.n == 0:
        raise InputError("the table has a header but no rows", path=path, line=2)
    ags_codes, ags_u = t.col("ags")
    ok = pd.Series(ags_u, dtype=object).str.fullmatch(f"{AGS_PATTERN}|{SOZIALRAUM_PATTERN}")
    _refuse(t, path, "ags", ~ok.to_numpy(dtype=bool), lambda text: (
        f"region code {text!r} has an unknown shape: expected 'DG', 2, 3, 5, 8 or 12 "
        "digits, or '<5-digit Kreis>-<code>' for a Sozialraum (keys are text: keep their "
        "leading zeros)"))
    year_codes, year_u = t.col("year")
    year_v = np.asarray([float(y) if re.fullmatch(r"[0-9]{4}(?:\.0)?", y) else np.nan
                         for y in year_u], dtype="float64")
    _refuse(t, path, "year", np.isnan(year_v), lambda text: (
        f"year {text!r} is not a year: expected four digits such as 2023"))
    var_codes, var_u = t.col("variable")
    _refuse(t, path, "variable", var_u == "", lambda text: (
        "the variable is empty: expected a variable name such as 'schueler'"))
    values, status = _values(t, path)
    _check_counts(t, values, path, units)

    src_codes, src_u = _optional(t, "source")
    src_u = np.where(src_u == "", Path(path).name, src_u).astype(object)
    dims = [c for c in t.names() if c not in _FIXED]
    for c in dims:  # an empty dimension cell is the total
        codes, uniq = t.col(c)
        uniq = np.where(uniq == "", TOTAL, uniq).astype(object)
        merged, distinct = pd.factorize(uniq, use_na_sentinel=False)
        t.columns[c] = (merged.astype(np.int32)[codes], np.asarray(distinct, dtype=object))
    _check_unique(t, path, year_v, dims)
    units_of_file = _file_units(t)
    first = np.flatnonzero(~pd.Series(ags_codes).duplicated().to_numpy())
    name_codes, name_u = _optional(t, "name")
    regions = pd.DataFrame({"ags": ags_u[ags_codes[first]], "name": name_u[name_codes[first]]})
    regions["level"] = region_levels(regions["ags"]).to_numpy()
    regions = regions.astype(str)
    sources = src_u[pd.unique(src_codes)]
    table_code = (str(sources[0]) if len(set(sources)) == 1 and sources[0] != Path(path).name
                  else None)
    # the facts, column by column; the codes of a column are dropped once it is built
    out: dict[str, object] = {"ags": str_column(ags_u, ags_codes),
                              "year": year_v.astype("int64")[year_codes]}
    del ags_codes, year_codes
    for c in ["variable", *dims]:
        codes, uniq = t.columns.pop(c)
        out[c] = str_column(uniq, codes)
        del codes
    out["value"] = values
    out["status"] = status
    out["source"] = str_column(src_u, src_codes)
    t.columns.clear()
    facts = pd.DataFrame(out, copy=False)
    return Export(facts=facts, regions=regions, table_code=table_code, title="",
                  stand=None, units=units_of_file, notes="", path=path)


def _check_unique(t: _Table, path: str, year_v: np.ndarray, dims: list[str]) -> None:
    """No two rows with the same region, year, variable, breakdowns and source."""
    names = ["ags", "year", "variable", *dims] + (["source"] if t.has("source") else [])
    dup = duplicate_rows(*[(t.col(c)[0], len(t.col(c)[1])) for c in names])
    if len(dup):
        i = int(dup[0])
        year_codes = t.col("year")[0]
        parts = [f"ags={t.text('ags', i)!r}", f"year={int(year_v[year_codes[i]])}"]
        parts += [f"{c}={t.text(c, i)!r}" for c in ["variable", *dims]]
        raise InputError(f"the key ({', '.join(parts)}) occurs twice: expected one row per "
                         "region, year, variable and breakdown", path=path, line=t.line(i))


def _optional(t: _Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    """An optional column, or every row empty."""
    if t.has(name):
        return t.col(name)
    return np.zeros(t.n, dtype=np.intp), np.asarray([""], dtype=object)


def _refuse(t: _Table, path: str, column: str, bad_u: np.ndarray, message) -> None:
    """Raise for the first row whose distinct text of ``column`` is flagged in ``bad_u``."""
    codes, _ = t.col(column)
    i = first_row(bad_u, codes)
    if i is not None:
        raise InputError(message(t.text(column, i)), path=path, line=t.line(i), field=column)


def _first(rows: np.ndarray) -> int | None:
    """Position of the first True of a boolean row mask."""
    hit = np.flatnonzero(rows)
    return int(hit[0]) if len(hit) else None


def _values(t: _Table, path: str):
    """Value and status of every row.

    The value cells come parsed in the file's number format (number cells of a workbook as
    they are); a given ``status`` wins over the symbol of the value cell; an empty value
    needs a status that means "no value".
    """
    v = t.value
    st_codes, st_u = _optional(t, "status")
    if t.has("status"):
        _refuse(t, path, "status", ~np.isin(st_u, list(STATUS_SYMBOLS)), lambda text: (
            f"status {text!r} is unknown: expected one of "
            + ", ".join(repr(s) for s in STATUS_SYMBOLS)))
    i = _first(v.empty & ~np.isin(st_u, list(MISSING_STATUS))[st_codes])
    if i is not None:
        raise InputError("the value is empty: expected a number, or a status such as '.' "
                         "(secret) that says why there is none", path=path, line=t.line(i),
                         field="value")
    if v.first_bad is not None:
        i, text = v.first_bad
        more = f" ({v.n_bad - 1} more rows like it)" if v.n_bad > 1 else ""
        raise InputError(value_problem(text, t.number_format) + more, path=path,
                         line=t.line(i), field="value")
    values = v.values
    # status of every distinct (symbol, status) pair: the given one, else the cell's symbol
    pair_codes, pair_u = pd.factorize(v.symbol.astype(np.int64) * len(st_u) + st_codes)
    given = st_u[pair_u % len(st_u)]
    status_u = np.where(given != "", given, v.symbols[pair_u // len(st_u)]).astype(object)
    values[np.isin(status_u, list(MISSING_STATUS))[pair_codes]] = np.nan
    values[(status_u == "-")[pair_codes] & np.isnan(values)] = 0.0
    return values, str_column(status_u, pair_codes)


def _check_counts(t: _Table, values: np.ndarray, path: str, units: Mapping[str, str]) -> None:
    """Counts (unit Anzahl: the ``unit`` column, else ``units``) are whole and non-negative."""
    var_codes, var_u = t.col("variable")
    unit_codes, unit_u = _optional(t, "unit")
    pair_codes, pair_u = pd.factorize(var_codes * len(unit_u) + unit_codes)
    pv, pu = var_u[pair_u // len(unit_u)], unit_u[pair_u % len(unit_u)]
    pu = np.asarray([u or units.get(v, "") for v, u in zip(pv, pu, strict=True)], dtype=object)
    count_u = np.fromiter((is_count(v, u) for v, u in zip(pv, pu, strict=True)), dtype=bool,
                          count=len(pv))
    if not count_u.any():
        return
    rows = np.flatnonzero(count_u[pair_codes])
    bad = rows[count_problems(values[rows])]
    if len(bad):
        i = int(bad[0])
        p = pair_codes[i]
        token = t.text("value", i)
        raise InputError(count_problem(token, values[i], pv[p], pu[p]), path=path,
                         line=t.line(i), field="value")


def _file_units(t: _Table) -> dict[str, str]:
    """Variable → unit from a ``unit`` column (the first unit a variable has)."""
    if not t.has("unit"):
        return {}
    var_codes, var_u = t.col("variable")
    unit_codes, unit_u = t.col("unit")
    _, first = np.unique(var_codes * len(unit_u) + unit_codes, return_index=True)
    units: dict[str, str] = {}
    for i in np.sort(first):
        v, u = var_u[var_codes[i]], unit_u[unit_codes[i]]
        if u and v not in units:
            units[v] = u
    return units


def read(path: str | Path, *, units: Mapping[str, str] | None = None) -> Export:
    """Read an export file, detecting its format from the content.

    First line ``GENESIS-Tabelle: …`` (or ``Tabelle: …``) → :func:`~bimokit.io.read_genesis`;
    a header starting ``statistics_code;`` or ``Statistik_Code;`` →
    :func:`~bimokit.io.read_flat`; anything else (CSV or XLSX) →
    :func:`read_tidy`.

    Parameters
    ----------
    path : str or Path
        One file (folders are read by the loader).
    units : mapping of str to str, keyword-only, optional
        Unit of each variable, for own tidy files without a ``unit`` column (see
        :func:`read_tidy`); GENESIS exports carry their units.

    Returns
    -------
    Export
        See :class:`bimokit.io.Export`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("ags,year,variable,value\\n09162,2024,bevoelkerung,1505005\\n")
    >>> read(p).facts[["ags", "year", "value"]]
         ags  year      value
    0  09162  2024  1505005.0
    """
    from .flat import read_flat
    from .genesis import read_genesis

    p = Path(path)
    if p.is_dir():
        raise InputError(
            "is a folder; expected one export file (folders are read by the loader)", path=p
        )
    try:
        with open(p, "rb") as fh:
            start = fh.read(4096)
    except FileNotFoundError:
        raise InputError("file not found", path=p) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=p) from None
    if start[:4] == b"PK\x03\x04":
        return read_tidy(p, units=units)
    if start.startswith(b"\xef\xbb\xbf"):
        start = start[3:]
    head = start.lstrip(b'"')
    if head.startswith((b"GENESIS-Tabelle:", b"Tabelle:")):
        return read_genesis(p)
    if head.startswith((b"statistics_code", b"Statistik_Code")):
        return read_flat(p)
    return read_tidy(p, units=units)
