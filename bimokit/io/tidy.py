"""Reader for bimokit's own long format (CSV or XLSX) and the format detection of :func:`read`.

A tidy file has one observation a row with the columns of the facts table::

    ags,year,variable,<dimension columns…>,value[,status][,source]

``ags`` is read as text (zero-padded keys stay as they are; Sozialräume as
``<5-digit Kreis>-<code>``), ``year`` as an integer, ``value`` as a number (decimal point in
``,``-separated files, decimal comma allowed in ``;``-separated ones) or a symbol
(``-``, ``.``, ``x``, ``...``, ``/``, ``(123)``, ``123p`` …). ``status`` is optional; where
given it must be one of the status symbols, and an empty ``value`` needs a status that means
"no value" (``.``, ``x``, ``...``, ``/``). ``source`` is optional (the file name where absent
or empty). An optional ``name`` column gives region names for ``regions``. An empty
dimension cell means the total (``insgesamt``).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._schema import MISSING_STATUS, STATUS_SYMBOLS, TOTAL
from ..errors import InputError
from ._export import Export
from ._numbers import parse_values, value_problem
from ._values import (
    AGS_PATTERN,
    SOZIALRAUM_PATTERN,
    decode_file,
    region_levels,
)

__all__ = ["read_tidy", "read"]

_REQUIRED = ("ags", "year", "variable", "value")
_FIXED = ("ags", "year", "variable", "value", "status", "source", "name")


def read_tidy(path: str | Path) -> Export:
    """Read a table in bimokit's own long format (CSV or XLSX).

    Parameters
    ----------
    path : str or Path
        ``.csv`` (``,`` or ``;``-separated, UTF-8 or ISO-8859-1) or ``.xlsx`` (first sheet).

    Returns
    -------
    Export
        ``facts`` with columns ``ags, year, variable, <dims…>, value, status, source``;
        ``regions`` with ``ags, name, level`` (``name`` from an optional ``name`` column,
        else empty); ``table_code`` the single ``source`` if there is one, else None.

    Raises
    ------
    InputError
        Naming file, line and field: missing columns, a year that is not an integer, a
        region key of unknown shape, a value that is neither a number nor a symbol, an
        unknown status, the same key twice.

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
    """
    p = Path(path)
    number_format = "point"
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        df = _read_excel(p)
    else:
        text = decode_file(p).lstrip("\ufeff")
        first = text.split("\n", 1)[0]
        sep = ";" if first.count(";") > first.count(",") else ","
        if sep == ";":
            number_format = "genesis"
        try:
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                             na_filter=False, engine="c")
        except (pd.errors.ParserError, ValueError) as exc:
            m = re.search(r"Expected ([0-9]+) fields in line ([0-9]+), saw ([0-9]+)", str(exc))
            if m:
                raise InputError(
                    f"the row has {m.group(3)} fields but the header has {m.group(1)}: "
                    f"expected a {sep!r}-separated long table with columns ags, year, "
                    "variable, <dimensions…>, value[, status][, source]",
                    path=p, line=int(m.group(2)),
                ) from None
            raise InputError(f"cannot be read as a {sep!r}-separated table "
                             f"({str(exc).strip()})", path=p) from None
    return _from_frame(df.astype(object), str(p), number_format=number_format)


def _read_excel(p: Path) -> pd.DataFrame:
    try:
        df = pd.read_excel(p, sheet_name=0, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("file not found", path=p) from None
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(f"cannot be read as an XLSX workbook ({exc})", path=p) from None
    df.columns = [str(c) for c in df.columns]
    return df.fillna("")


def _from_frame(df: pd.DataFrame, path: str, *, number_format: str) -> Export:
    df = df.rename(columns=lambda c: str(c).strip())
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns[:8]))
        raise InputError(
            f"missing column(s) {', '.join(missing)}: expected a long table with columns "
            f"ags, year, variable, <dimensions…>, value[, status][, source]; found {found}",
            path=path, line=1,
        )
    if len(df) == 0:
        raise InputError("the table has a header but no rows", path=path, line=2)
    cols = list(df.columns)
    lines = np.arange(len(df)) + 2

    def fail(msg, i, col):
        raise InputError(msg, path=path, line=int(lines[i]), field=col)

    ags = df["ags"].astype(str).str.strip()
    bad = np.flatnonzero(~ags.str.fullmatch(f"{AGS_PATTERN}|{SOZIALRAUM_PATTERN}")
                         .fillna(False).to_numpy(bool))
    if len(bad):
        i = bad[0]
        fail(f"region code {ags.iloc[i]!r} has an unknown shape: expected 'DG', 2, 3, 5, 8 "
             "or 12 digits, or '<5-digit Kreis>-<code>' for a Sozialraum (keys are text: "
             "keep their leading zeros)", i, "ags")
    ytxt = df["year"].astype(str).str.strip()
    year = pd.to_numeric(ytxt.where(ytxt.str.fullmatch(r"[0-9]{4}(?:\.0)?"), None),
                         errors="coerce")
    bad = np.flatnonzero(year.isna().to_numpy())
    if len(bad):
        i = bad[0]
        fail(f"year {ytxt.iloc[i]!r} is not a year: expected four digits such as 2023",
             i, "year")
    variable = df["variable"].astype(str).str.strip()
    bad = np.flatnonzero((variable == "").to_numpy())
    if len(bad):
        fail("the variable is empty: expected a variable name such as 'schueler'",
             bad[0], "variable")

    tokens = df["value"].astype(str).str.strip().to_numpy(dtype=object)
    given = (df["status"].astype(str).str.strip().to_numpy(dtype=object)
             if "status" in df.columns else np.full(len(df), "", dtype=object))
    unknown = ~pd.Series(given).isin(list(STATUS_SYMBOLS)).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        fail(f"status {given[i]!r} is unknown: expected one of "
             + ", ".join(repr(s) for s in STATUS_SYMBOLS), i, "status")
    empty = tokens == ""
    no_value = pd.Series(given).isin(list(MISSING_STATUS)).to_numpy()
    bad = np.flatnonzero(empty & ~no_value)
    if len(bad):
        fail("the value is empty: expected a number, or a status such as '.' (secret) "
             "that says why there is none", bad[0], "value")
    values, status, badv = parse_values(np.where(empty, "0", tokens),
                                        number_format=number_format)
    if len(badv):
        i = int(badv[0])
        fail(value_problem(tokens[i], number_format), i, "value")
    values[empty] = np.nan
    status = np.where(given != "", given, status)
    values[np.isin(status, list(MISSING_STATUS))] = np.nan
    values[(status == "-") & np.isnan(values)] = 0.0

    if "source" in df.columns:
        src = df["source"].astype(str).str.strip()
        source = src.where(src != "", Path(path).name).to_numpy(dtype=object)
    else:
        source = np.full(len(df), Path(path).name, dtype=object)

    out = {"ags": ags.to_numpy(dtype=object), "year": year.to_numpy().astype("int64"),
           "variable": variable.to_numpy(dtype=object)}
    dims = [c for c in cols if c not in _FIXED]
    for c in dims:
        v = df[c].astype(str).str.strip()
        out[c] = v.where(v != "", TOTAL).to_numpy(dtype=object)
    out["value"] = values
    out["status"] = status.astype(object)
    out["source"] = source
    facts = pd.DataFrame(out)
    key = ["ags", "year", "variable", *dims, "source"]
    dup = np.flatnonzero(facts.duplicated(key).to_numpy())
    if len(dup):
        i = int(dup[0])
        desc = ", ".join(f"{c}={facts[c].iloc[i]!r}" for c in key[:-1])
        fail(f"the key ({desc}) occurs twice: expected one row per region, year, variable "
             "and breakdown", i, None)
    for c in facts.columns:
        if c not in ("year", "value"):
            facts[c] = facts[c].astype(str)

    names = (df["name"].astype(str).str.strip().to_numpy(dtype=object)
             if "name" in df.columns else np.full(len(df), "", dtype=object))
    regions = pd.DataFrame({"ags": out["ags"], "name": names}).drop_duplicates("ags")
    regions = regions.reset_index(drop=True)
    regions["level"] = region_levels(regions["ags"]).to_numpy()
    regions = regions.astype(str)
    sources = pd.unique(facts["source"])
    table_code = str(sources[0]) if len(sources) == 1 and sources[0] != Path(path).name \
        else None
    return Export(facts=facts, regions=regions, table_code=table_code, title="",
                  stand=None, units={}, notes="", path=path)


def read(path: str | Path) -> Export:
    """Read an export file, detecting its format from the content.

    First line ``GENESIS-Tabelle: …`` (or ``Tabelle: …``) → :func:`~bimokit.io.read_genesis`;
    a header starting ``statistics_code;`` or ``Statistik_Code;`` →
    :func:`~bimokit.io.read_flat`; anything else (CSV or XLSX) →
    :func:`read_tidy`.

    Parameters
    ----------
    path : str or Path
        One file (folders are read by the loader).

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
        return read_tidy(p)
    if start.startswith(b"\xef\xbb\xbf"):
        start = start[3:]
    head = start.lstrip(b'"')
    if head.startswith((b"GENESIS-Tabelle:", b"Tabelle:")):
        return read_genesis(p)
    if head.startswith((b"statistics_code", b"Statistik_Code")):
        return read_flat(p)
    return read_tidy(p)
