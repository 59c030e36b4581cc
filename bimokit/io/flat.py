"""Reader for the GENESIS flat CSV ("ffcsv") of the GENESIS web service.

One value a row, UTF-8 (usually with BOM), ``;``-separated::

    statistics_code;statistics_label;time_code;time_label;time;
    1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;
    2_variable_code;…;value;value_unit;value_variable_code;value_variable_label[;value_q]

with any number of ``<k>_variable_*`` groups.

Regions
    The regional variable is the group whose code is a region list: Deutschland ``DINSG``,
    Länder ``DLAND``, Regierungsbezirke ``REGBEZ``, Kreise ``KREISE``, Gemeindeverbände
    ``GEMVB``, Gemeinden ``GEMEIN`` (the Zensus database: ``GEOBL1``, ``GEOLK4``, ``GEOGM4``
    …), or a group whose label names such a list ("Gemeinden", "Kreise und kreisfreie
    Städte" …) and whose attribute codes are all region keys. Its attribute codes are the
    keys; an empty code (the total) is Deutschland. A table without a regional variable is
    a Deutschland table (``ags`` ``DG``).
Breakdowns
    Every other group is a dimension named by its label. The facts are keyed by the
    attribute codes the file gives, and show their labels: a label that several codes share
    (a classification with a repeated name) is written ``label [CODE]``, so that the
    categories stay apart. An empty attribute code is the total (``Insgesamt``).
Time
    ``time`` is ISO (``2024-12-31``, ``2023``, ``2023-10P6M``) and gives the year. Where the
    file has several reference dates within one year (quarterly Stichtage ``2023-03-31`` and
    ``2023-06-30``), the date is kept in a dimension named after ``time_label``
    (``stichtag``) beside the year.
Values
    A decimal comma (German files) or point (English files, ``…_en_flat.csv``), never a
    thousands separator; symbols as in the classic tables (``-``, ``.``, ``x``, ``...``,
    ``/``, ``(123)``). An optional ``value_q`` column carries the quality flags: ``e``
    final, ``p``/``v`` provisional, ``r`` revised, ``s`` estimated, ``()`` limited
    (Aussagewert eingeschränkt), ``0`` less than half the unit, and the value-replacing
    symbols. A flag marks a plain value; the symbol of a value cell stays.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ._export import Export
from ._numbers import count_problem, count_problems, is_count, parse_distinct, value_problem
from ._values import (
    check_ags,
    check_control,
    decode_bytes,
    duplicate_rows,
    first_row,
    parser_error_line,
    read_raw,
    region_levels,
    snake,
    str_column,
    text_codes,
    unique_name,
)

__all__ = ["read_flat", "REGION_VARIABLES"]

#: Variable codes of the GENESIS region lists: Deutschland, Länder, Regierungsbezirke
#: (Statistische Regionen), Kreise, Gemeindeverbände, Gemeinden.
REGION_VARIABLES = frozenset({
    "DINSG", "DG", "DLAND", "REGBEZ", "STAREG", "KREISE", "GEMVB", "GVBEZ", "GEMEIN",
    "GEMEINDE",
})
#: Labels of region lists, for a group whose code is not in REGION_VARIABLES.
_REGION_LABEL = re.compile(
    r"(?i)deutschland(?: insgesamt)?|(?:bundes)?länder|regierungsbezirke|statistische regionen|"
    r"kreise(?: und kreisfreie städte)?|landkreise|kreisfreie städte|gemeindeverbände|"
    r"verbandsgemeinden|gemeinden")

#: Region lists of the Zensus 2022 database: GEOBL1 Länder, GEOLK4 Kreise, GEOGM4 Gemeinden …
_GEO_VARIABLE = r"GEO[A-Z]{2,3}[0-9]"

_REQUIRED = ("statistics_code", "time", "value", "value_variable_label")
#: The year of a time: ISO (2024-12-31, 2023, 2023/24, 2024-05, 2023-10P6M) or, in the older
#: format, German (31.12.2022, 04/1991).
_TIME_YEAR = (r"^(?:((?:19|20)[0-9]{2})(?:$|[-P/ ])|(?:[0-9]{1,2}[./])+((?:19|20)[0-9]{2})$)")
#: Quality flags (``value_q``) and the status they give: the flags of the GENESIS web service
#: and every symbol of the Zeichenerklärung.
_QUALITY = {"": "", "e": "", "p": "p", "v": "p", "r": "r", "s": "s", "()": "()", "0": "0",
            "-": "-", "\u2013": "-", ".": ".", "x": "x", "...": "...", "\u2026": "...",
            "/": "/"}
#: Statuses whose value is unknown (NaN).
_MISSING = frozenset({".", "x", "...", "/"})
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
        msg = str(exc).strip()
        line = parser_error_line(msg, lambda: io.TextIOWrapper(io.BytesIO(data), "utf-8-sig",
                                                               errors="replace", newline=""),
                                 sep=";")
        if "EOF inside string" in msg:
            raise InputError("a quote opened here is never closed: expected every quoted "
                             "value to end with a quote", path=path, line=line) from None
        raise InputError("cannot be read as ';'-separated rows "
                         f"({msg.removeprefix('Error tokenizing data. ')})", path=path,
                         line=line) from None


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
    """Read the bytes of a flat file: header, variables, years, regions, values, facts."""
    # 1. the header line, then the rows (the older format turned into the current one)
    old_format = _check_header(raw, path)
    try:
        head, df = _read_frames(raw, path, old_format)
    except UnicodeDecodeError:
        # not UTF-8: Windows-1252 / ISO-8859-1, handed to the parser as UTF-8
        head, df = _read_frames(decode_bytes(raw).lstrip("\ufeff").encode("utf-8"), path,
                                old_format)
    lines, value_field = np.arange(len(df)) + 2, None
    if old_format:
        df, lines, value_field = _from_old_format(df, path)
        head = df
    _check_columns(head, df, path)
    rows = _Table(df, list(head.columns), lines, path)
    if value_field is None:
        value_field = np.full(len(df), rows.field("value"))
    # 2. the measure of every row (a variable in several units gets the unit in its label)
    var_codes, var_labels, units = _variables(rows)
    # 3. the year of every row, and the reference date where it is finer than a year
    year_codes, years, dates = _years(rows)
    # 4. the variable groups: one region list, every other group a breakdown
    region, dims = _variable_groups(rows)
    if dates is not None:
        label = str(head["time_label"].iloc[0]) if "time_label" in head.columns else ""
        dims[unique_name(snake(label) if label.strip() else "zeit", set(dims))] = dates
    # 5. values and statuses; counts whole and non-negative
    values, status_codes, status_texts = _values(rows, value_field, old_format)
    _check_counts(rows, values, var_codes, var_labels, units, value_field)
    # 6. each key once
    _check_unique(rows, region, year_codes, years, var_codes, var_labels, dims)
    m = _TABLE_FROM_NAME.match(Path(path).name)
    stat = str(head["statistics_code"].iloc[0]).strip()
    table_code = m.group(1) if m else (stat or None)
    # 7. the facts: text columns built from their distinct values
    n = len(df)
    out: dict[str, object] = {
        "ags": str_column(region.keys, region.codes),
        "year": years[year_codes],
        "variable": str_column(var_labels, var_codes),
    }
    for name, (codes, texts) in dims.items():
        out[name] = str_column(texts, codes)
    out["value"] = values
    out["status"] = str_column(status_texts, status_codes)
    out["source"] = str_column([table_code or Path(path).stem], np.zeros(n, dtype=np.intp))
    facts = pd.DataFrame(out, copy=False)
    title = (str(head["statistics_label"].iloc[0]).strip()
             if "statistics_label" in head.columns else "")
    return Export(facts=facts, regions=region.table(), table_code=table_code, title=title,
                  stand=None, units=units, notes="", path=path)


def _check_header(raw: bytes, path: str) -> bool:
    """The first line starts ``statistics_code;`` (or ``Statistik_Code;``: the older format)."""
    nl = raw.find(b"\n")
    first = decode_bytes(raw[: nl if nl >= 0 else len(raw)]).lstrip("\ufeff").rstrip("\r")
    if first.startswith("statistics_code;"):
        return False
    if first.startswith("Statistik_Code;"):
        return True
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


def _check_columns(head: pd.DataFrame, df: pd.DataFrame, path: str) -> None:
    """The columns the reader needs, and at least one row."""
    missing = [c for c in _REQUIRED if c not in head.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}: expected the GENESIS flat header "
            "(statistics_code;…;time;<k>_variable_code;…;value;value_unit;…;"
            "value_variable_label)",
            path=path, line=1,
        )
    for g in _groups(df):
        for part in ("label", "attribute_code", "attribute_label"):
            if f"{g}_variable_{part}" not in df.columns:
                raise InputError(f"missing column {g}_variable_{part}", path=path, line=1)
    if len(df) == 0:
        raise InputError("the file has a header but no rows", path=path, line=2)


def _groups(df: pd.DataFrame) -> list[int]:
    """Numbers of the ``<k>_variable_*`` groups."""
    return sorted(int(m.group(1)) for c in df.columns
                  if (m := re.fullmatch(r"([0-9]+)_variable_code", c)))


class _Table:
    """The rows of a flat file: every column hashed once into codes and distinct texts."""

    def __init__(self, df: pd.DataFrame, header: list[str], lines: np.ndarray, path: str):
        self.df, self.header, self.lines, self.path = df, header, lines, path
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.df)

    def col(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes and distinct stripped texts of a column (``uniq[codes]`` is the column)."""
        if name not in self._cache:
            self._cache[name] = text_codes(self.df[name].to_numpy(dtype=object))
        return self._cache[name]

    def field(self, name: str) -> int:
        """1-based field of a column in the header."""
        return self.header.index(name) + 1

    def fail(self, msg: str, i: int, field: int | None = None):
        raise InputError(msg, path=self.path, line=int(self.lines[i]), field=field)


def _variables(rows: _Table):
    """The measure of every row: codes into labels, and each label's unit.

    One variable in several units (Zensus: Personen as Anzahl and as %) keeps its label for
    the count (or the first unit) and gets the unit in the label otherwise, "Personen (%)",
    so that every fact has one key. Worked on the distinct (variable, unit) pairs.
    """
    var_codes, var_uniq = rows.col("value_variable_label")
    i = first_row(var_uniq == "", var_codes)
    if i is not None:  # rows cut short: the last columns are empty
        rows.fail("the row has no value_variable_label: the row is incomplete (the file may "
                  "be cut off)", i, rows.field("value_variable_label"))
    if "value_unit" not in rows.df.columns:
        return var_codes, var_uniq, {}
    unit_codes, unit_uniq = rows.col("value_unit")
    pair_codes, pair_uniq = pd.factorize(var_codes * len(unit_uniq) + unit_codes)
    pv = var_uniq[pair_uniq // len(unit_uniq)]
    pu = unit_uniq[pair_uniq % len(unit_uniq)]
    pairs = pd.DataFrame({"v": pv, "u": pu})
    multi = pairs[pairs.duplicated("v", keep=False)]
    labels = pv
    if len(multi):
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
    units: dict[str, str] = {}
    for v, u in zip(labels, pu, strict=True):
        if v not in units:
            units[v] = u
    return var_codes, var_uniq, {v: u for v, u in units.items() if u}


def _years(rows: _Table):
    """Year of every row, from ``time``: codes into the distinct years.

    Where one year has several distinct times (quarterly or monthly reference dates), the
    times are returned too, as (codes, texts), to be kept as a dimension; else None.
    """
    time_codes, time_uniq = rows.col("time")
    m = pd.Series(time_uniq, dtype=object).astype(str).str.extract(_TIME_YEAR)
    year_u = pd.to_numeric(m[0].fillna(m[1]), errors="coerce").to_numpy(dtype="float64")
    i = first_row(np.isnan(year_u), time_codes)
    if i is not None:
        rows.fail(f"time {rows.df['time'].iloc[i]!r} has no year: expected an ISO time such "
                  "as 2024-12-31, 2023 or 2023-10P6M", i, rows.field("time"))
    year_key, years = pd.factorize(year_u.astype("int64"))
    finer = len(years) < len(time_uniq)
    dates = (time_codes, np.asarray(time_uniq, dtype=object)) if finer else None
    return year_key[time_codes], np.asarray(years, dtype="int64"), dates


class _Region:
    """The region of every row: codes into the distinct keys, and the keys' names."""

    def __init__(self, codes, keys, name_codes, names):
        self.codes, self.keys, self.name_codes, self.names = codes, keys, name_codes, names

    def table(self) -> pd.DataFrame:
        """``ags, name, level`` of every region, sorted by key."""
        firsts = np.flatnonzero(~pd.Series(self.codes).duplicated().to_numpy())
        table = pd.DataFrame({"ags": self.keys[self.codes[firsts]],
                              "name": self.names[self.name_codes[firsts]]})
        table = table.sort_values("ags", kind="stable").reset_index(drop=True)
        table["level"] = region_levels(table["ags"]).to_numpy()
        return table.astype(str)


def _is_region_list(rows: _Table, g: int) -> np.ndarray:
    """Which distinct variable codes of group ``g`` are region lists.

    A code of :data:`REGION_VARIABLES` or of the Zensus lists (``GEOGM4`` …); or a code whose
    variable label names a region list and whose attribute codes are all region keys (or
    empty, the total).
    """
    code_codes, code_uniq = rows.col(f"{g}_variable_code")
    known = np.fromiter((u in REGION_VARIABLES or re.fullmatch(_GEO_VARIABLE, u) is not None
                         for u in code_uniq), dtype=bool, count=len(code_uniq))
    if (known | (code_uniq == "")).all():
        return known
    label_codes, label_uniq = rows.col(f"{g}_variable_label")
    attr_codes, attr_uniq = rows.col(f"{g}_variable_attribute_code")
    key_like = np.zeros(len(attr_uniq), bool)
    key_like[:] = True
    key_like[check_ags(attr_uniq)] = False
    key_like |= attr_uniq == ""
    for u in np.flatnonzero(~known & (code_uniq != "")):
        these = code_codes == u
        labels = label_uniq[np.unique(label_codes[these])]
        if all(_REGION_LABEL.fullmatch(str(lab).strip()) for lab in labels) and \
                key_like[attr_codes[these]].all():
            known[u] = True
    return known


def _variable_groups(rows: _Table):
    """The region of every row and the breakdowns (name → codes into their values).

    The first group of a row whose code is a region list gives the region: its attribute
    codes are the keys (an empty code, the total, is Deutschland). Every other group is a
    breakdown named by its label; its value is the attribute label, ``Insgesamt`` where the
    attribute code is empty, and where a row has no such group.
    """
    n = len(rows)
    has_region = np.zeros(n, bool)
    reg_codes = np.zeros(n, dtype=np.intp)  # into reg_texts
    name_codes = np.zeros(n, dtype=np.intp)  # into name_texts
    reg_texts: list = []
    name_texts: list = []
    reg_fields: list[int] = []  # field of the key, one per entry of reg_texts
    dims: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for g in _groups(rows.df):
        code_codes, code_uniq = rows.col(f"{g}_variable_code")
        reg_u = _is_region_list(rows, g)
        is_reg = reg_u[code_codes] & ~has_region
        if is_reg.any():
            attr_codes, attr_uniq = rows.col(f"{g}_variable_attribute_code")
            lab_codes, lab_uniq = rows.col(f"{g}_variable_attribute_label")
            off, name_off = len(reg_texts), len(name_texts)
            reg_texts.extend(np.where(attr_uniq == "", "DG", attr_uniq).tolist())
            name_texts.extend(lab_uniq.tolist())
            reg_fields.extend([rows.field(f"{g}_variable_attribute_code")] * len(attr_uniq))
            reg_codes[is_reg] = attr_codes[is_reg] + off
            name_codes[is_reg] = lab_codes[is_reg] + name_off
            has_region |= is_reg
        other = (~reg_u & (code_uniq != ""))[code_codes]
        if other.any():
            _add_breakdowns(rows, g, other, dims)
    if has_region.any() and not has_region.all():
        rows.fail("the row has no regional variable (DINSG, DLAND, REGBEZ, KREISE, GEMEINDE …) "
                  "while other rows have one", int(np.flatnonzero(~has_region)[0]))
    if not has_region.any():
        reg_texts, name_texts, reg_fields = ["DG"], ["Deutschland"], [0]
    keys = np.asarray(reg_texts, dtype=object)
    bad_u = np.zeros(len(keys), bool)
    bad_u[check_ags(keys)] = True
    i = first_row(bad_u, reg_codes)
    if i is not None:
        rows.fail(f"region code {keys[reg_codes[i]]!r} has an unknown shape: expected "
                  "'DG' or a key of 2, 3, 5, 8, 9 or 12 digits",
                  i, reg_fields[reg_codes[i]] or None)
    merge, distinct = pd.factorize(keys)
    region = _Region(merge[reg_codes], np.asarray(distinct, dtype=object), name_codes,
                     np.asarray(name_texts, dtype=object))
    return region, dims


def _add_breakdowns(rows: _Table, g: int, other: np.ndarray, dims: dict) -> None:
    """The breakdowns of group ``g`` in the rows ``other`` (one per variable label).

    A category is its attribute code; it shows its label, ``Insgesamt`` for the empty code
    (the total, also where a row has no such group), and ``label [CODE]`` where several
    codes share the label.
    """
    n = len(rows)
    label_codes, label_uniq = rows.col(f"{g}_variable_label")
    ac_codes, ac_uniq = rows.col(f"{g}_variable_attribute_code")
    al_codes, al_uniq = rows.col(f"{g}_variable_attribute_label")
    for lc in pd.unique(label_codes[other]):
        these = other & (label_codes == lc)
        # the distinct (code, label) pairs of these rows
        pair_codes, pair_uniq = pd.factorize(ac_codes[these] * len(al_uniq) + al_codes[these])
        code = ac_uniq[pair_uniq // len(al_uniq)]
        text = np.where(code == "", "Insgesamt", al_uniq[pair_uniq % len(al_uniq)]).astype(object)
        shared = (pd.Series(code).groupby(text).transform("nunique") > 1).to_numpy()
        relabel = shared & (code != "")
        text[relabel] = [f"{t} [{c}]" for t, c in zip(text[relabel], code[relabel],
                                                     strict=True)]
        # one code per distinct text (a code with two labels is one category)
        merged, texts = pd.factorize(text)
        texts = np.append(np.asarray(texts, dtype=object), "Insgesamt")
        total = int(np.flatnonzero(texts == "Insgesamt")[0])
        codes = np.full(n, total, dtype=np.intp)
        codes[these] = merged[pair_codes]
        name = snake(label_uniq[lc])
        dims[unique_name(name, set(dims)) if name in dims else name] = (codes, texts)


def _values(rows: _Table, value_field: np.ndarray, old_format: bool):
    """Value and status of every row: the distinct cell texts parsed once; ``value_q``
    flags mark plain values (a symbol stays)."""
    df = rows.df
    tok_codes, tok_uniq = pd.factorize(df["value"].to_numpy(dtype=object),
                                       use_na_sentinel=False)
    tok_uniq = np.asarray(tok_uniq, dtype=object)
    val_u, status_u, bad = parse_distinct(tok_uniq, number_format=_number_format(rows.path))
    if len(bad):
        bad_u = np.zeros(len(tok_uniq), bool)
        bad_u[bad] = True
        badv = np.flatnonzero(bad_u[tok_codes])
        i = int(badv[0])
        more = f" ({len(badv) - 1} more rows like it)" if len(badv) > 1 else ""
        rows.fail(value_problem(tok_uniq[tok_codes[i]], _number_format(rows.path)) + more, i,
                  int(value_field[i]))
    values = val_u[tok_codes]
    status_codes, status_texts = pd.factorize(status_u)
    status_codes = status_codes[tok_codes]
    status_texts = np.asarray(status_texts, dtype=object)
    if "value_q" not in df.columns:
        return values, status_codes, status_texts
    q_codes, q_uniq = text_codes(df["value_q"].to_numpy(dtype=object), strip=False)
    q_text = pd.Series(q_uniq, dtype=object).str.strip()
    q_flag = q_text.map(_QUALITY).fillna(q_text.str.lower().map(_QUALITY))
    i = first_row(q_flag.isna().to_numpy(), q_codes)
    if i is not None:
        field = int(value_field[i]) + 1 if old_format else rows.field("value_q")
        rows.fail(f"quality flag {df['value_q'].iloc[i]!r} is unknown: expected one of "
                  + ", ".join(repr(f) for f in _QUALITY if f) + " or empty", i, field)
    q_flag = q_flag.to_numpy(dtype=object)
    pair_codes, pair_uniq = pd.factorize(status_codes * len(q_uniq) + q_codes)
    ps = status_texts[pair_uniq // len(q_uniq)]
    pf = q_flag[pair_uniq % len(q_uniq)]
    status = np.where((ps == "") & (pf != ""), pf, ps).astype(object)
    # a flag that replaces the value: no value (secret …), or a true zero
    flagged = (ps == "")[pair_codes]
    values = values.copy()
    values[flagged & np.isin(status, list(_MISSING))[pair_codes]] = np.nan
    values[flagged & (status == "-")[pair_codes]] = 0.0
    return values, pair_codes, status


def _number_format(path: str) -> str:
    """English flat files (``…_en_flat.csv``) write a decimal point; the others GENESIS style."""
    return "point" if re.search(r"_en_flat\.csv$", Path(path).name, re.IGNORECASE) else "genesis"


def _check_counts(rows: _Table, values, var_codes, var_labels, units: dict,
                  value_field: np.ndarray) -> None:
    """Counts (unit Anzahl) are whole and non-negative."""
    count_u = np.fromiter((is_count(v, units.get(v)) for v in var_labels), dtype=bool,
                          count=len(var_labels))
    if not count_u.any():
        return
    counted = np.flatnonzero(count_u[var_codes])
    bad = counted[count_problems(values[counted])]
    if len(bad):
        i = int(bad[0])
        label = var_labels[var_codes[i]]
        rows.fail(count_problem(rows.df["value"].iloc[i], values[i], label, units.get(label)),
                  i, int(value_field[i]))


def _check_unique(rows: _Table, region: _Region, year_codes, years, var_codes, var_labels,
                  dims: dict) -> None:
    """No two rows with the same region, year, variable and breakdowns."""
    dim_keys = {}
    for name, (codes, texts) in dims.items():
        merge, distinct = pd.factorize(texts)
        dim_keys[name] = (merge[codes], len(distinct))
    dup = duplicate_rows((region.codes, len(region.keys)), (year_codes, len(years)),
                         (var_codes, len(var_labels)), *dim_keys.values())
    if len(dup):
        i = int(dup[0])
        parts = {"ags": region.keys[region.codes[i]], "year": int(years[year_codes[i]]),
                 "variable": var_labels[var_codes[i]]}
        parts.update({name: texts[codes[i]] for name, (codes, texts) in dims.items()})
        desc = ", ".join(f"{c}={v!r}" for c, v in parts.items())
        rows.fail(f"the key ({desc}) occurs twice: expected one row per region, time, variable "
                  "and breakdown", i)


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
