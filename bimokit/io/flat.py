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
    check_control,
    decode_bytes,
    duplicate_rows,
    first_row,
    parse_distinct,
    read_raw,
    region_levels,
    snake,
    str_column,
    text_codes,
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
    raw = read_raw(path)
    check_control(raw, path)
    return _parse(raw, str(path))


#: Columns the reader takes from the first row only, or not at all: the body read skips them.
_FIRST_ROW_ONLY = frozenset({"statistics_code", "statistics_label", "time_code", "time_label",
                             "value_variable_code"})


def _read_csv(data: bytes, path: str, **kw) -> pd.DataFrame:
    """``read_csv`` of UTF-8 bytes, every cell as text (raises UnicodeDecodeError as it is)."""
    try:
        # bytes with encoding="utf-8" go to the C parser without a decoding wrapper; a BOM
        # at the start is dropped by the parser
        return pd.read_csv(io.BytesIO(data), sep=";", dtype=object, keep_default_na=False,
                           na_filter=False, quotechar='"', engine="c", encoding="utf-8", **kw)
    except UnicodeDecodeError:
        raise
    except (pd.errors.ParserError, ValueError) as exc:
        m = re.search(r"line ([0-9]+)", str(exc))
        raise InputError(f"cannot be read as ';'-separated rows ({str(exc).strip()})",
                         path=path, line=int(m.group(1)) if m else None) from None


def _read_frames(data: bytes, path: str, old_format: bool):
    """The header with the first row, and the body (the columns the reader uses)."""
    head = _read_csv(data, path, nrows=1)
    if old_format:
        return head, _read_csv(data, path)
    use = [j for j, c in enumerate(head.columns) if c not in _FIRST_ROW_ONLY]
    if len(use) == len(head.columns):
        return head, _read_csv(data, path)
    return head, _read_csv(data, path, usecols=use)


def _parse(raw: bytes, path: str) -> Export:
    nl = raw.find(b"\n")
    first = decode_bytes(raw[: nl if nl >= 0 else len(raw)]).lstrip("\ufeff").rstrip("\r")
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
        head, df = _read_frames(raw, path, old_format)
    except UnicodeDecodeError:
        # not UTF-8: Windows-1252 / ISO-8859-1, handed to the parser as UTF-8
        head, df = _read_frames(decode_bytes(raw).lstrip("\ufeff").encode("utf-8"), path,
                                old_format)
    lines = np.arange(len(df)) + 2
    value_field = None
    if old_format:
        df, lines, value_field = _from_old_format(df, path)
        head = df
    missing = [c for c in _REQUIRED if c not in head.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}: expected the GENESIS flat header "
            "(statistics_code;…;time;<k>_variable_code;…;value;value_unit;…;"
            "value_variable_label)",
            path=path, line=1,
        )
    if len(df) == 0:
        raise InputError("the file has a header but no rows", path=path, line=2)
    n = len(df)
    cols = list(head.columns)
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def col(name: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes and distinct stripped texts of a column (hashed once)."""
        if name not in cache:
            cache[name] = text_codes(df[name].to_numpy(dtype=object))
        return cache[name]

    def fail_at(msg: str, i: int, field: int | None = None):
        raise InputError(msg, path=path, line=int(lines[i]), field=field)

    # rows cut short: the last columns are empty where a value variable label is required
    var_codes, var_uniq = col("value_variable_label")
    i = first_row(var_uniq == "", var_codes)
    if i is not None:
        fail_at("the row has no value_variable_label: the row is incomplete (the file may be "
                "cut off)", i, cols.index("value_variable_label") + 1)

    # one variable in several units (Zensus: Personen as Anzahl and as %): the further
    # units become part of the label, "Personen (%)", so that every fact has one key.
    # Worked on the distinct (variable, unit) pairs, in the order of their first row.
    units: dict[str, str] = {}
    if "value_unit" in df.columns:
        unit_codes, unit_uniq = col("value_unit")
        pair_codes, pair_uniq = pd.factorize(var_codes * len(unit_uniq) + unit_codes)
        pv = var_uniq[pair_uniq // len(unit_uniq)]
        pu = unit_uniq[pair_uniq % len(unit_uniq)]
        pairs = pd.DataFrame({"v": pv, "u": pu})
        multi = pairs[pairs.duplicated("v", keep=False)]
        labels = pv
        if len(multi):
            # the count keeps the plain label where there is one, else the first unit
            multi = multi.assign(o=(multi["u"] != "Anzahl").astype(int)).sort_values(
                "o", kind="stable")
            first_unit = multi.drop_duplicates("v").set_index("v")["u"]
            extra = (pairs["v"].isin(first_unit.index).to_numpy()
                     & (pu != pairs["v"].map(first_unit).to_numpy()))
            labels = pv.copy()
            labels[extra] = (pd.Series(pv[extra]) + " (" + pd.Series(pu[extra])
                             + ")").to_numpy(dtype=object)
            relabel, var_uniq = pd.factorize(labels)
            var_codes = relabel[pair_codes]
            var_uniq = np.asarray(var_uniq, dtype=object)
        for v, u in zip(labels, pu, strict=True):
            if v not in units:
                units[v] = u
        units = {v: u for v, u in units.items() if u}

    # ---- year
    time_codes, time_uniq = col("time")
    m = pd.Series(time_uniq, dtype=object).astype(str).str.extract(_TIME_YEAR)
    year_u = pd.to_numeric(m[0].fillna(m[1]), errors="coerce").to_numpy(dtype="float64")
    i = first_row(np.isnan(year_u), time_codes)
    if i is not None:
        fail_at(f"time {df['time'].iloc[i]!r} has no year: expected an ISO time such as "
                "2024-12-31, 2023 or 2023-10P6M", i, cols.index("time") + 1)
    year_u = year_u.astype("int64")
    year_key, year_distinct = pd.factorize(year_u)
    year_key = year_key[time_codes]

    # ---- variable groups: regions and dimensions, as codes into lists of distinct texts
    groups = sorted(int(m.group(1)) for c in df.columns
                    if (m := re.fullmatch(r"([0-9]+)_variable_code", c)))
    for g in groups:
        for part in ("label", "attribute_code", "attribute_label"):
            if f"{g}_variable_{part}" not in df.columns:
                raise InputError(f"missing column {g}_variable_{part}", path=path, line=1)
    has_region = np.zeros(n, bool)
    reg_codes = np.zeros(n, dtype=np.intp)  # into reg_texts
    name_codes = np.zeros(n, dtype=np.intp)  # into name_texts
    reg_texts: list = []
    name_texts: list = []
    reg_fields: list[int] = []  # field of the key, a value of reg_texts
    dims: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for g in groups:
        code_codes, code_uniq = col(f"{g}_variable_code")
        reg_u = np.fromiter((u in REGION_VARIABLES or re.fullmatch(_GEO_VARIABLE, u) is not None
                             for u in code_uniq), dtype=bool, count=len(code_uniq))
        reg_any = reg_u[code_codes]
        is_reg = reg_any & ~has_region
        if is_reg.any():
            attr_codes, attr_uniq = col(f"{g}_variable_attribute_code")
            lab_codes, lab_uniq = col(f"{g}_variable_attribute_label")
            # the total of a region list ("Insgesamt", empty key) is Deutschland
            off, name_off = len(reg_texts), len(name_texts)
            reg_texts.extend(np.where(attr_uniq == "", "DG", attr_uniq).tolist())
            name_texts.extend(lab_uniq.tolist())
            reg_fields.extend([cols.index(f"{g}_variable_attribute_code") + 1] * len(attr_uniq))
            if is_reg.all():
                reg_codes = attr_codes + off
                name_codes = lab_codes + name_off
            else:
                reg_codes[is_reg] = attr_codes[is_reg] + off
                name_codes[is_reg] = lab_codes[is_reg] + name_off
            has_region |= is_reg
        other_u = ~reg_u & (code_uniq != "")
        if not other_u.any():
            continue
        other = other_u[code_codes]
        if not other.any():
            continue
        label_codes, label_uniq = col(f"{g}_variable_label")
        ac_codes, ac_uniq = col(f"{g}_variable_attribute_code")
        al_codes, al_uniq = col(f"{g}_variable_attribute_label")
        # the dimension's value: the attribute label, "Insgesamt" where the code is empty
        texts = np.append(al_uniq, "Insgesamt").astype(object)
        total = len(texts) - 1
        value = np.where((ac_uniq != "")[ac_codes], al_codes, total)
        every = other.all()
        for lc in pd.unique(label_codes[other]):
            name = snake(label_uniq[lc])
            if name in dims:
                name = unique_name(name, set(dims))
            rows = other & (label_codes == lc)
            if every and rows.all():
                arr = value
            else:
                arr = np.full(n, total, dtype=np.intp)
                arr[rows] = value[rows]
            dims[name] = (arr, texts)
    if has_region.any() and not has_region.all():
        fail_at("the row has no regional variable (DINSG, DLAND, REGBEZ, KREISE, GEMEINDE …) "
                "while other rows have one", int(np.flatnonzero(~has_region)[0]))
    if not has_region.any():
        reg_codes = np.zeros(n, dtype=np.intp)
        name_codes = np.zeros(n, dtype=np.intp)
        reg_texts, name_texts, reg_fields = ["DG"], ["Deutschland"], [0]
    reg_texts_arr = np.asarray(reg_texts, dtype=object)
    bad_u = np.zeros(len(reg_texts_arr), bool)
    bad_u[check_ags(reg_texts_arr)] = True
    i = first_row(bad_u, reg_codes)
    if i is not None:
        fail_at(f"region code {reg_texts_arr[reg_codes[i]]!r} has an unknown shape: expected "
                "'DG' or a key of 2, 3, 5, 8, 9 or 12 digits",
                i, reg_fields[reg_codes[i]] or None)
    ags_merge, ags_uniq = pd.factorize(reg_texts_arr)
    ags_codes = ags_merge[reg_codes]
    ags_uniq = np.asarray(ags_uniq, dtype=object)

    # ---- values: the distinct cell texts parsed once
    # (mostly distinct numbers: hashed by value at once)
    tok_codes, tok_uniq = pd.factorize(df["value"].to_numpy(dtype=object), use_na_sentinel=False)
    tok_uniq = np.asarray(tok_uniq, dtype=object)
    val_u, status_u, bad = parse_distinct(tok_uniq, decimal="both")
    bad_u = np.zeros(len(tok_uniq), bool)
    bad_u[bad] = True
    badv = np.flatnonzero(bad_u[tok_codes]) if len(bad) else bad
    if len(badv):
        i = int(badv[0])
        tok = tok_uniq[tok_codes[i]]
        what = "an empty value" if not str(tok).strip() else f"value {tok!r}"
        more = f" ({len(badv) - 1} more rows like it)" if len(badv) > 1 else ""
        fail_at(f"{what} is neither a number nor a known symbol{more}; {EXPECTED_VALUE}", i,
                int(value_field[i]) if value_field is not None else cols.index("value") + 1)
    values = val_u[tok_codes]
    status_codes, status_texts = pd.factorize(status_u)
    status_codes = status_codes[tok_codes]
    status_texts = np.asarray(status_texts, dtype=object)
    if "value_q" in df.columns:
        q_codes, q_uniq = text_codes(df["value_q"].to_numpy(dtype=object), strip=False)
        q_flag = pd.Series(q_uniq, dtype=object).str.strip().str.lower().map(_QUALITY)
        i = first_row(q_flag.isna().to_numpy(), q_codes)
        if i is not None:
            field = (int(value_field[i]) + 1 if old_format
                     else cols.index("value_q") + 1)
            fail_at(f"quality flag {df['value_q'].iloc[i]!r} is unknown: expected e, p, v, r, "
                    "s or empty", i, field)
        q_flag = q_flag.to_numpy(dtype=object)
        # a flag marks a plain value; a symbol stays
        pair_codes, pair_uniq = pd.factorize(status_codes * len(q_uniq) + q_codes)
        ps = status_texts[pair_uniq // len(q_uniq)]
        pf = q_flag[pair_uniq % len(q_uniq)]
        status_texts = np.where((ps == "") & (pf != ""), pf, ps).astype(object)
        status_codes = pair_codes

    m = _TABLE_FROM_NAME.match(Path(path).name)
    stat = str(head["statistics_code"].iloc[0]).strip()
    table_code = m.group(1) if m else (stat or None)

    # the same key twice
    var_key = var_codes
    dim_keys = {}
    for name, (arr, texts) in dims.items():
        merge, distinct = pd.factorize(texts)
        dim_keys[name] = (merge[arr], len(distinct))
    dup = duplicate_rows((ags_codes, len(ags_uniq)), (year_key, len(year_distinct)),
                         (var_key, len(var_uniq)), *dim_keys.values())
    if len(dup):
        i = int(dup[0])
        parts = {"ags": ags_uniq[ags_codes[i]], "year": int(year_u[time_codes[i]]),
                 "variable": var_uniq[var_codes[i]]}
        parts.update({name: arr_texts[1][arr_texts[0][i]] for name, arr_texts in dims.items()})
        desc = ", ".join(f"{c}={v!r}" for c, v in parts.items())
        fail_at(f"the key ({desc}) occurs twice: expected one row per region, time, variable "
                "and breakdown", i)

    # text columns built from their distinct values at the end
    out: dict[str, object] = {
        "ags": str_column(ags_uniq, ags_codes),
        "year": year_u[time_codes],
        "variable": str_column(var_uniq, var_codes),
    }
    for name, (arr, texts) in dims.items():
        out[name] = str_column(texts, arr)
    out["value"] = values
    out["status"] = str_column(status_texts, status_codes)
    out["source"] = str_column([table_code or Path(path).stem], np.zeros(n, dtype=np.intp))
    facts = pd.DataFrame(out, copy=False)

    firsts = np.flatnonzero(~pd.Series(ags_codes).duplicated().to_numpy())
    regions = pd.DataFrame({"ags": ags_uniq[ags_codes[firsts]],
                            "name": np.asarray(name_texts, dtype=object)[name_codes[firsts]]})
    regions = regions.sort_values("ags", kind="stable").reset_index(drop=True)
    regions["level"] = region_levels(regions["ags"]).to_numpy()
    regions = regions.astype(str)

    title = (str(head["statistics_label"].iloc[0]).strip()
             if "statistics_label" in head.columns else "")
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
