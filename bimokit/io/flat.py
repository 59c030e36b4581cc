"""Reader for the GENESIS flat CSV ("ffcsv") of the GENESIS web service.

One value a row, UTF-8 (usually with BOM), ``;``-separated::

    statistics_code;statistics_label;time_code;time_label;time;
    1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;
    2_variable_code;…;value;value_unit;value_variable_code;value_variable_label[;value_q]

with any number of ``<k>_variable_*`` groups. The regional variable is the group whose code
is a region list (``DINSG``, ``DLAND``, ``REGBEZ``, ``KREISE``, ``GEMEINDE`` …); its attribute
codes are the region keys. Every other group is a dimension named by its label; an empty
attribute code is the total (``Insgesamt``). A table without a regional variable is a
Deutschland table (``ags`` ``DG``). ``time`` is ISO (``2024-12-31``, ``2023``,
``2023-10P6M``) and gives the year. Values use a decimal comma (German files) or point
(English files), never a thousands separator, and may be symbols as in the classic tables;
an optional ``value_q`` column carries quality flags (``e`` final, ``p``/``v`` provisional,
``r`` revised, ``s`` estimated).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ._export import Export
from ._values import (
    EXPECTED_VALUE,
    check_ags,
    decode_file,
    map_unique,
    parse_values,
    region_levels,
    snake,
    str_column,
    strip,
    unique_name,
)

__all__ = ["read_flat", "REGION_VARIABLES"]

#: Variable codes of the GENESIS region lists.
REGION_VARIABLES = frozenset({
    "DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEINDE", "GEMVB", "GVBEZ", "STAREG", "DG",
})

#: Region lists of the Zensus 2022 database: GEOBL1 Länder, GEOLK4 Kreise, GEOGM4 Gemeinden …
_GEO_VARIABLE = r"GEO[A-Z]{2,3}[0-9]"

_REQUIRED = ("statistics_code", "time", "value", "value_variable_label")
#: The year of a time: ISO (2024-12-31, 2023, 2023/24, 2024-05, 2023-10P6M) or, in the older
#: format, German (31.12.2022, 04/1991).
_TIME_YEAR = (r"^(?:((?:19|20)[0-9]{2})(?:$|[-P/ ])|(?:[0-9]{1,2}[./])+((?:19|20)[0-9]{2})$)")
_QUALITY = {"": "", "e": "", "p": "p", "v": "p", "r": "r", "s": "s"}
_TABLE_FROM_NAME = re.compile(r"^([0-9]{5}-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*?)(?:_[a-z]{2})?_flat")


def read_flat(path: str | Path) -> Export:
    """Read a GENESIS flat CSV (``ffcsv``) as published.

    Parameters
    ----------
    path : str or Path
        The ``…_flat.csv`` file.

    Returns
    -------
    Export
        ``facts`` with columns ``ags, year, variable, <dims…>, value, status, source``
        (``variable`` = ``value_variable_label``, one column per non-regional variable named
        by its label in snake_case); ``regions`` with ``ags, name, level``; ``table_code``
        from the file name (``12411-01-01-4_de_flat.csv``) or ``statistics_code``;
        ``title`` = ``statistics_label``; ``units`` from ``value_unit``; ``stand`` None.

    Raises
    ------
    InputError
        Naming file, line and field: missing columns, wrong separator, a time without a
        year, a region key of unknown shape, a value that is neither a number nor a symbol,
        the same key twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> head = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;"
    ...         "1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    ...         "2_variable_code;2_variable_label;2_variable_attribute_code;"
    ...         "2_variable_attribute_label;value;value_unit;value_variable_code;"
    ...         "value_variable_label")
    >>> rows = ["12411;Bev;STAG;Stichtag;2024-12-31;KREISE;Kreise;09162;München;"
    ...         "GES;Geschlecht;;Insgesamt;1505005;Anzahl;BEVSTD;Bevölkerungsstand",
    ...         "12411;Bev;STAG;Stichtag;2024-12-31;KREISE;Kreise;09162;München;"
    ...         "GES;Geschlecht;GESW;weiblich;767563;Anzahl;BEVSTD;Bevölkerungsstand"]
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "12411-01-01-4_de_flat.csv"
    >>> _ = p.write_text("\\ufeff" + "\\n".join([head] + rows) + "\\n", encoding="utf-8")
    >>> ex = read_flat(p)
    >>> ex.facts
         ags  year           variable geschlecht      value status         source
    0  09162  2024  Bevölkerungsstand  Insgesamt  1505005.0         12411-01-01-4
    1  09162  2024  Bevölkerungsstand   weiblich   767563.0         12411-01-01-4
    """
    text = decode_file(path)
    return _parse(text, str(path))


def _parse(text: str, path: str) -> Export:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0].rstrip("\r")
    old_format = first.startswith("Statistik_Code;")
    if not first.startswith("statistics_code;") and not old_format:
        if first.startswith(("statistics_code,", "statistics_code\t", "Statistik_Code,")):
            sep = "," if first.startswith("statistics_code,") else "tab"
            raise InputError(
                f"the fields are separated by {sep!r}: expected ';' as in GENESIS flat files",
                path=path, line=1,
            )
        raise InputError(
            f"expected a header starting 'statistics_code;', found {first[:60]!r}",
            path=path, line=1,
        )
    try:
        df = pd.read_csv(io.StringIO(text), sep=";", dtype=object, keep_default_na=False,
                         na_filter=False, quotechar='"', engine="c")
    except (pd.errors.ParserError, ValueError) as exc:
        m = re.search(r"line ([0-9]+)", str(exc))
        raise InputError(f"cannot be read as ';'-separated rows ({str(exc).strip()})",
                         path=path, line=int(m.group(1)) if m else None) from None
    lines = np.arange(len(df)) + 2
    value_field = None
    if old_format:
        df, lines, value_field = _from_old_format(df, path)
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}: expected the GENESIS flat header "
            "(statistics_code;…;time;<k>_variable_code;…;value;value_unit;…;"
            "value_variable_label)",
            path=path, line=1,
        )
    if len(df) == 0:
        raise InputError("the file has a header but no rows", path=path, line=2)
    cols = list(df.columns)
    if value_field is None:
        value_field = np.full(len(df), cols.index("value") + 1)
    # rows cut short: the last columns are empty where a value variable label is required
    variable = strip(df["value_variable_label"])
    short = variable == ""
    if short.any():
        i = int(np.flatnonzero(short)[0])
        raise InputError(
            "the row has no value_variable_label: the row is incomplete (the file may be "
            "cut off)", path=path, line=int(lines[i]),
            field=list(df.columns).index("value_variable_label") + 1,
        )

    # one variable in several units (Zensus: Personen as Anzahl and as %): the further
    # units become part of the label, "Personen (%)", so that every fact has one key
    if "value_unit" in df.columns:
        unit = strip(df["value_unit"])
        pairs = pd.DataFrame({"v": variable, "u": unit}).drop_duplicates()
        multi = pairs[pairs.duplicated("v", keep=False)]
        if len(multi):
            # the count keeps the plain label where there is one, else the first unit
            multi = multi.assign(o=(multi["u"] != "Anzahl").astype(int)).sort_values(
                "o", kind="stable")
            first_unit = multi.drop_duplicates("v").set_index("v")["u"]
            extra = (pd.Series(variable).isin(first_unit.index).to_numpy()
                     & (unit != pd.Series(variable).map(first_unit).to_numpy()))
            variable = variable.copy()
            variable[extra] = (pd.Series(variable[extra]) + " (" + pd.Series(unit[extra])
                               + ")").to_numpy(dtype=object)

    # ---- year
    t = df["time"].to_numpy(dtype=object)
    def _years(u: pd.Series) -> pd.Series:
        m = u.astype(str).str.strip().str.extract(_TIME_YEAR)
        return pd.to_numeric(m[0].fillna(m[1]), errors="coerce")

    year = map_unique(t, _years).astype("float64")
    bad = np.flatnonzero(np.isnan(year))
    if len(bad):
        i = bad[0]
        raise InputError(
            f"time {t[i]!r} has no year: expected an ISO time such as 2024-12-31, 2023 "
            "or 2023-10P6M", path=path, line=int(lines[i]),
            field=list(df.columns).index("time") + 1,
        )

    # ---- variable groups
    groups = sorted(int(m.group(1)) for c in df.columns
                    if (m := re.fullmatch(r"([0-9]+)_variable_code", c)))
    for g in groups:
        for part in ("label", "attribute_code", "attribute_label"):
            if f"{g}_variable_{part}" not in df.columns:
                raise InputError(f"missing column {g}_variable_{part}", path=path, line=1)
    region_code = np.full(len(df), "", dtype=object)
    region_name = np.full(len(df), "", dtype=object)
    has_region = np.zeros(len(df), bool)
    region_field = np.zeros(len(df), int)
    dims: dict[str, np.ndarray] = {}
    cache: dict[str, np.ndarray] = {}

    def col(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = strip(df[name])
        return cache[name]

    for g in groups:
        code = col(f"{g}_variable_code")
        reg_any = map_unique(code, lambda u: u.isin(list(REGION_VARIABLES))
                             | u.str.fullmatch(_GEO_VARIABLE)).astype(bool)
        is_reg = reg_any & ~has_region
        if is_reg.any():
            attr = col(f"{g}_variable_attribute_code")
            # the total of a region list ("Insgesamt", empty key) is Deutschland
            region_code[is_reg] = np.where(attr[is_reg] == "", "DG", attr[is_reg])
            region_name[is_reg] = col(f"{g}_variable_attribute_label")[is_reg]
            region_field[is_reg] = cols.index(f"{g}_variable_attribute_code") + 1
            has_region |= is_reg
        other = ~reg_any & (code != "")
        if not other.any():
            continue
        label = col(f"{g}_variable_label")
        attr_code = col(f"{g}_variable_attribute_code")
        attr_label = col(f"{g}_variable_attribute_label")
        value = np.where(attr_code != "", attr_label, "Insgesamt").astype(object)
        for lab in pd.unique(label[other]):
            name = snake(lab)
            if name in dims:
                name = unique_name(name, set(dims))
            rows = other & (label == lab)
            arr = np.full(len(df), "Insgesamt", dtype=object)
            arr[rows] = value[rows]
            dims[name] = arr
    if has_region.any() and not has_region.all():
        i = int(np.flatnonzero(~has_region)[0])
        raise InputError(
            "the row has no regional variable (DINSG, DLAND, REGBEZ, KREISE, GEMEINDE …) "
            "while other rows have one", path=path, line=int(lines[i]),
        )
    if not has_region.any():
        region_code[:] = "DG"
        region_name[:] = "Deutschland"
    badr = check_ags(region_code)
    if len(badr):
        i = badr[0]
        raise InputError(
            f"region code {region_code[i]!r} has an unknown shape: expected 'DG' or a "
            "key of 2, 3, 5, 8, 9 or 12 digits", path=path, line=int(lines[i]),
            field=int(region_field[i]) or None,
        )

    # ---- values
    tokens = df["value"].to_numpy(dtype=object)
    decimal = "both"
    values, status, badv = parse_values(tokens, decimal=decimal)
    if len(badv):
        i = int(badv[0])
        tok = tokens[i]
        what = "an empty value" if not str(tok).strip() else f"value {tok!r}"
        more = f" ({len(badv) - 1} more rows like it)" if len(badv) > 1 else ""
        raise InputError(f"{what} is neither a number nor a known symbol{more}; "
                         f"{EXPECTED_VALUE}", path=path, line=int(lines[i]),
                         field=int(value_field[i]))
    if "value_q" in df.columns:
        qs = pd.Series(map_unique(df["value_q"], lambda u: u.str.strip().str.lower()
                                  .map(_QUALITY)))
        badq = np.flatnonzero(qs.isna().to_numpy())
        if len(badq):
            i = badq[0]
            raise InputError(
                f"quality flag {df['value_q'].iloc[i]!r} is unknown: expected e, p, v, r, s "
                "or empty", path=path, line=int(lines[i]),
                field=int(value_field[i]) + (1 if old_format else
                                             cols.index("value_q") - cols.index("value")),
            )
        flag = qs.to_numpy(dtype=object)
        use = (status == "") & (flag != "")
        status = np.where(use, flag, status)

    m = _TABLE_FROM_NAME.match(Path(path).name)
    stat = str(df["statistics_code"].iloc[0]).strip()
    table_code = m.group(1) if m else (stat or None)

    # text columns built from their distinct values; the integer codes give the key
    out: dict[str, object] = {}
    key: dict[str, np.ndarray] = {}
    for name, arr in [("ags", region_code), ("year", None), ("variable", variable),
                      *dims.items()]:
        if arr is None:
            out["year"] = year.astype("int64")
            key["year"] = out["year"]
            continue
        codes, uniq = pd.factorize(arr, use_na_sentinel=False)
        out[name] = str_column(np.asarray(uniq, dtype=object), codes)
        key[name] = codes
    out["value"] = values
    out["status"] = str_column(status)
    out["source"] = str_column([table_code or Path(path).stem],
                               np.zeros(len(df), dtype=np.intp))
    facts = pd.DataFrame(out)
    dup = np.flatnonzero(pd.DataFrame(key).duplicated().to_numpy())
    if len(dup):
        i = int(dup[0])
        desc = ", ".join(f"{c}={facts[c].iloc[i]!r}" for c in key)
        raise InputError(f"the key ({desc}) occurs twice: expected one row per region, "
                         "time, variable and breakdown", path=path, line=int(lines[i]))

    regions = pd.DataFrame({"ags": region_code, "name": region_name})
    regions = regions.drop_duplicates("ags").sort_values("ags", kind="stable")
    regions = regions.reset_index(drop=True)
    regions["level"] = region_levels(regions["ags"]).to_numpy()
    regions = regions.astype(str)

    units: dict[str, str] = {}
    if "value_unit" in df.columns:
        pairs = pd.DataFrame({"v": variable, "u": strip(df["value_unit"])})
        for v, u in pairs.drop_duplicates("v").itertuples(index=False):
            if u:
                units[v] = u
    title = str(df["statistics_label"].iloc[0]).strip() if "statistics_label" in df else ""
    return Export(facts=facts, regions=regions, table_code=table_code, title=title,
                  stand=None, units=units, notes="", path=path)


_OLD_NAMES = {"Statistik_Code": "statistics_code", "Statistik_Label": "statistics_label",
              "Zeit_Code": "time_code", "Zeit_Label": "time_label", "Zeit": "time"}
_OLD_GROUP = re.compile(r"^([0-9]+)_(Merkmal|Auspraegung)_(Code|Label)$")
_OLD_VALUE = re.compile(r"^([A-Za-z0-9]+)__(.+?)__(.+)$")


def _from_old_format(df: pd.DataFrame, path: str):
    """The older flat CSV (``Statistik_Code;…;Zeit;1_Merkmal_Code;…;BEVSTD__Label__Anzahl``)
    in the columns of the current one: one row per value column, with its line and field.

    Value columns are named ``<code>__<label>__<unit>``; ``<code>__<label>__q`` holds the
    quality flag of the value column before it.
    """
    rename = {}
    value_cols: list[tuple[int, str, str, str, str | None]] = []
    columns = [str(c).strip() for c in df.columns]
    for j, c in enumerate(columns):
        if c in _OLD_NAMES:
            rename[df.columns[j]] = _OLD_NAMES[c]
        elif m := _OLD_GROUP.match(c):
            part = {("Merkmal", "Code"): "variable_code", ("Merkmal", "Label"): "variable_label",
                    ("Auspraegung", "Code"): "variable_attribute_code",
                    ("Auspraegung", "Label"): "variable_attribute_label"}[m.group(2, 3)]
            rename[df.columns[j]] = f"{m.group(1)}_{part}"
        elif m := _OLD_VALUE.match(c):
            if m.group(3) == "q":
                if value_cols and value_cols[-1][1] == m.group(1):
                    value_cols[-1] = (*value_cols[-1][:4], df.columns[j])
                continue
            value_cols.append((j, m.group(1), m.group(2).replace("_", " "), m.group(3), None))
        else:
            raise InputError(
                f"column {c!r} is not part of the GENESIS flat format: expected "
                "Statistik_Code, Zeit, <k>_Merkmal_Code … or value columns "
                "'<code>__<label>__<unit>'", path=path, line=1, field=j + 1)
    if not value_cols:
        raise InputError("no value column '<code>__<label>__<unit>' in the header",
                         path=path, line=1)
    keep = df.rename(columns=rename)[list(rename.values())]
    parts = []
    for j, code, label, unit, qcol in value_cols:
        part = keep.copy()
        part["value"] = df.iloc[:, j].to_numpy()
        part["value_unit"] = unit
        part["value_variable_code"] = code
        part["value_variable_label"] = label
        if qcol is not None:
            part["value_q"] = df[qcol].to_numpy()
        elif any(q is not None for *_, q in value_cols):
            part["value_q"] = ""
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    n = len(df)
    lines = np.tile(np.arange(n) + 2, len(value_cols))
    fields = np.repeat([j + 1 for j, *_ in value_cols], n)
    return out, lines, fields
