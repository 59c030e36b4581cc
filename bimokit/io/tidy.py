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

The file is read column by column as categories (codes and distinct texts): every check and
conversion works on the distinct texts, and a large file needs little more memory than the
facts it gives (``benchmarks/bench_read_memory.py``).
"""

from __future__ import annotations

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
    check_control,
    duplicate_rows,
    first_row,
    parser_error_line,
    read_raw,
    region_levels,
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
    """The cells of a tidy file, column by column as codes into distinct stripped texts.

    ``typed`` holds the number cells of a workbook's value column (mask, values); ``line(i)``
    is the file line of row ``i``.
    """

    def __init__(self, columns: dict, n: int, number_format: str, line, typed=None):
        self.columns, self.n, self.number_format = columns, n, number_format
        self.line, self.typed = line, typed

    def col(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.columns[name]

    def text(self, name: str, i: int) -> str:
        codes, uniq = self.columns[name]
        return str(uniq[codes[i]])


#: Rows read at a time: the text objects of one chunk are all that exists at once.
_CHUNK = 500_000


class _Codes:
    """One column read chunk by chunk: integer codes into the distinct texts seen so far."""

    def __init__(self):
        self.index: dict[str, int] = {}
        self.parts: list[np.ndarray] = []

    def add(self, cells: np.ndarray) -> None:
        codes, uniq = pd.factorize(cells, use_na_sentinel=False)
        index = self.index
        to_global = np.fromiter((index.setdefault(u, len(index)) for u in uniq),
                                dtype=np.int64, count=len(uniq))
        self.parts.append(to_global[codes].astype(np.int32 if len(index) < 2**31 else np.int64))

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """Codes and distinct stripped texts (texts equal after stripping share a code)."""
        codes = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int32)
        self.parts = []
        uniq = np.empty(len(self.index), dtype=object)
        uniq[:] = [u.strip() for u in self.index]
        self.index = {}
        merged, distinct = pd.factorize(uniq, use_na_sentinel=False)
        if len(distinct) < len(uniq):
            return merged[codes], np.asarray(distinct, dtype=object)
        return codes, uniq


def _read_csv(p: Path) -> _Table:
    """Every column as codes into its distinct texts, read in chunks; separator from line 1."""
    raw = read_raw(p)
    check_control(raw, p)
    try:
        raw.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        encoding = "cp1252" if _cp1252_ok(raw, exc.start) else "latin-1"
    # without quotes and blank lines, row i is line i + 2
    simple = b'"' not in raw and b"\n\n" not in raw.replace(b"\r\n", b"\n")
    first = raw[:raw.find(b"\n") if b"\n" in raw else len(raw)].decode(encoding, "replace")
    del raw  # read_csv reads the file itself, chunk by chunk
    sep = ";" if first.count(";") > first.count(",") else ","

    def open_text():
        return open(p, encoding=encoding, errors="replace", newline="")

    columns: dict[str, _Codes] = {}
    n = 0
    try:
        reader = pd.read_csv(p, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                             engine="c", encoding=encoding, chunksize=_CHUNK)
        with reader:
            for chunk in reader:
                if not columns:
                    columns = {str(c).strip(): _Codes() for c in chunk.columns}
                for name, c in zip(columns.values(), chunk.columns, strict=True):
                    name.add(chunk[c].to_numpy(dtype=object))
                n += len(chunk)
    except (pd.errors.ParserError, ValueError) as exc:
        _parser_error(exc, p, sep, open_text)
    if not columns:  # a header without rows: the names from the first line
        columns = {c.strip().strip('"'): _Codes() for c in first.lstrip("\ufeff").split(sep)}
    result = {name: c.result() for name, c in columns.items()}

    def line(i: int) -> int:
        if simple:
            return i + 2
        return parser_error_line(f"line {i + 2}", open_text, sep=sep) or i + 2

    return _Table(result, n, "german" if sep == ";" else "point", line)


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


def _cp1252_ok(raw: bytes, start: int) -> bool:
    """Whether the bytes decode as Windows-1252 (else ISO-8859-1 is used)."""
    try:
        raw[max(0, start - 4):].decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _read_excel(p: Path) -> _Table:
    """The first sheet; number cells of ``value`` kept as numbers, every other cell as text."""
    try:
        df = pd.read_excel(p, sheet_name=0, dtype=object, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("file not found", path=p) from None
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(f"cannot be read as an XLSX workbook ({exc})", path=p) from None
    df.columns = [str(c).strip() for c in df.columns]
    typed = None
    if "value" in df.columns:
        cells = df["value"].to_numpy(dtype=object)
        mask = np.fromiter((isinstance(v, int | float) and not isinstance(v, bool)
                            for v in cells), dtype=bool, count=len(cells))
        values = np.full(len(cells), np.nan)
        values[mask] = [float(v) for v in cells[mask]]
        typed = (mask, values)
    columns = {}
    for c in df.columns:
        cells = df[c].to_numpy(dtype=object)
        texts = np.asarray(["" if v is None or (isinstance(v, float) and np.isnan(v))
                            else _cell_text(v) for v in cells], dtype=object)
        codes, uniq = pd.factorize(texts, use_na_sentinel=False)
        columns[c] = (codes, np.asarray([u.strip() for u in uniq], dtype=object))
    return _Table(columns, len(df), "german", lambda i: i + 2, typed)


def _cell_text(v) -> str:
    """Text of a workbook cell: whole numbers without '.0' (a year 2022, a key 9162)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _from_table(t: _Table, path: str, *, units: Mapping[str, str]) -> Export:
    """Check every column on its distinct texts and build the facts."""
    missing = [c for c in _REQUIRED if c not in t.columns]
    if missing:
        found = ", ".join(list(t.columns)[:8])
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
    dims = [c for c in t.columns if c not in _FIXED]
    key = [(ags_codes, len(ags_u)), (year_codes, len(year_u)), (var_codes, len(var_u))]
    out: dict[str, object] = {
        "ags": str_column(ags_u, ags_codes),
        "year": year_v.astype("int64")[year_codes],
        "variable": str_column(var_u, var_codes),
    }
    for c in dims:
        codes, uniq = t.col(c)
        uniq = np.where(uniq == "", TOTAL, uniq).astype(object)  # empty: the total
        merged, distinct = pd.factorize(uniq, use_na_sentinel=False)
        key.append((merged[codes], len(distinct)))
        out[c] = str_column(uniq, codes)
    key.append((src_codes, len(src_u)))
    dup = duplicate_rows(*key)
    if len(dup):
        i = int(dup[0])
        parts = [f"{c}={t.text(c, i)!r}" for c in ["ags", "year", "variable", *dims]]
        raise InputError(f"the key ({', '.join(parts)}) occurs twice: expected one row per "
                         "region, year, variable and breakdown", path=path, line=t.line(i))
    out["value"] = values
    out["status"] = status
    out["source"] = str_column(src_u, src_codes)
    facts = pd.DataFrame(out, copy=False)

    first = np.flatnonzero(~pd.Series(ags_codes).duplicated().to_numpy())
    name_codes, name_u = _optional(t, "name")
    regions = pd.DataFrame({"ags": ags_u[ags_codes[first]], "name": name_u[name_codes[first]]})
    regions["level"] = region_levels(regions["ags"]).to_numpy()
    regions = regions.astype(str)
    sources = src_u[pd.unique(src_codes)]
    table_code = (str(sources[0]) if len(set(sources)) == 1 and sources[0] != Path(path).name
                  else None)
    return Export(facts=facts, regions=regions, table_code=table_code, title="",
                  stand=None, units=_file_units(t), notes="", path=path)


def _optional(t: _Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    """An optional column, or every row empty."""
    if name in t.columns:
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

    The distinct texts of ``value`` are parsed once in the file's number format (number
    cells of a workbook are taken as they are); a given ``status`` wins over the symbol of
    the value cell; an empty value needs a status that means "no value".
    """
    val_codes, val_u = t.col("value")
    st_codes, st_u = _optional(t, "status")
    if "status" in t.columns:
        _refuse(t, path, "status", ~np.isin(st_u, list(STATUS_SYMBOLS)), lambda text: (
            f"status {text!r} is unknown: expected one of "
            + ", ".join(repr(s) for s in STATUS_SYMBOLS)))
    typed = t.typed[0] if t.typed is not None else None
    empty = (val_u == "")[val_codes]
    i = _first(empty & ~np.isin(st_u, list(MISSING_STATUS))[st_codes])
    if i is not None:
        raise InputError("the value is empty: expected a number, or a status such as '.' "
                         "(secret) that says why there is none", path=path, line=t.line(i),
                         field="value")
    uv, us, bad = parse_distinct(val_u, number_format=t.number_format)
    bad_u = np.isin(np.arange(len(val_u)), bad) & (val_u != "")
    bad_rows = bad_u[val_codes] if typed is None else bad_u[val_codes] & ~typed
    i = _first(bad_rows)
    if i is not None:
        raise InputError(value_problem(t.text("value", i), t.number_format), path=path,
                         line=t.line(i), field="value")
    values = uv[val_codes]
    if typed is not None:
        values[typed] = t.typed[1][typed]
    values[empty] = np.nan
    # status of every distinct (value, status) pair: the given one, else the value's symbol
    pair_codes, pair_u = pd.factorize(val_codes * len(st_u) + st_codes)
    given = st_u[pair_u % len(st_u)]
    status_u = np.where(given != "", given, us[pair_u // len(st_u)]).astype(object)
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
        token = (f"{values[i]:g}" if t.typed is not None and t.typed[0][i]
                 else t.text("value", i))
        raise InputError(count_problem(token, values[i], pv[p], pu[p]), path=path,
                         line=t.line(i), field="value")


def _file_units(t: _Table) -> dict[str, str]:
    """Variable → unit from a ``unit`` column (the first unit a variable has)."""
    if "unit" not in t.columns:
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
