"""Tables as plain JSON data with a schema, and files checked against a manifest.

What the report keeps between its steps (the tables a chapter published, the chapter's data
in ``<out>/<ags>/.bimokit/``) lies in folders other people may write to. It is therefore
stored as data only, never as a pickle (loading a pickle runs whatever code its author put
into it), and read back against a schema: a file that does not fit is an
:class:`~bimokit.errors.InputError` naming the file and the field, never executed.

A frame becomes ``{"rows": n, "columns": [{"name": …, "dtype": …}, …], "data": [[…], …]}``
(one list of values per column). Supported column types: the integer, float and bool types
of numpy and their nullable pandas counterparts, ``str``/``string``, ``object`` holding
texts, numbers, booleans and missing values, ``category`` and ``datetime64``. Any other
column is stored as text. Floats are written with ``repr`` precision, so they come back
bit for bit; NaN and ±infinity are written as the texts ``"nan"``, ``"inf"``, ``"-inf"``.

:func:`file_sha256`, :func:`read_manifest` and :func:`write_manifest` keep a checksum for
each file of a cache folder, so that a damaged or foreign file is noticed before it is read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ._atomic import atomic_write_text
from .errors import InputError

__all__ = ["frame_record", "frame_from_record", "dumps", "file_sha256", "read_manifest",
           "write_manifest", "MANIFEST"]

#: The manifest of a cache folder: ``{"format": …, "files": {name: {"sha256": …}}}``.
MANIFEST = "manifest.json"
_MANIFEST_FORMAT = "bimokit-cache-manifest"

_INTS = {f"{p}int{b}" for p in ("", "u") for b in (8, 16, 32, 64)}
_FLOATS = {"float32", "float64"}
_NULLABLE = {f"{p}Int{b}" for p in ("", "U") for b in (8, 16, 32, 64)} | {
    "Float32", "Float64", "boolean"}
_DATETIMES = {f"datetime64[{u}]" for u in ("s", "ms", "us", "ns")}
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def dumps(obj) -> str:
    """Strict JSON text (no NaN tokens), UTF-8 characters kept."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


# --- encoding -------------------------------------------------------------------------------


def _float_out(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    v = float(v)
    if math.isfinite(v):
        return v
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")


def _scalar_out(v):
    """One cell of an object column as a JSON value."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else {"float": _float_out(f)}
    if isinstance(v, str):
        return v
    return str(v)


def _name_out(name):
    if isinstance(name, (bool, np.bool_)):
        return bool(name)
    if isinstance(name, (int, np.integer)):
        return int(name)
    return name if isinstance(name, str) else str(name)


def _column_out(col: pd.Series) -> tuple[dict, list]:
    dtype = col.dtype
    name = str(dtype)
    if name in _INTS:
        return {"dtype": name}, [int(v) for v in col.to_numpy()]
    if name in _FLOATS:
        return {"dtype": name}, [_float_out(v) for v in col.to_numpy()]
    if name == "bool":
        return {"dtype": "bool"}, [bool(v) for v in col.to_numpy()]
    if name in _NULLABLE:
        kind = bool if name == "boolean" else (float if name.startswith("Float") else int)
        return {"dtype": name}, [None if pd.isna(v) else
                                 (_float_out(v) if kind is float else kind(v))
                                 for v in col.astype(object)]
    if isinstance(dtype, pd.CategoricalDtype):
        cspec, cvalues = _column_out(pd.Series(dtype.categories))
        return ({"dtype": "category", "ordered": bool(dtype.ordered),
                 "categories": {**cspec, "values": cvalues}},
                [None if c < 0 else int(c) for c in col.cat.codes])
    if isinstance(dtype, pd.StringDtype):
        # "str" (missing: NaN) and "string" (missing: pd.NA)
        return {"dtype": "str" if dtype.na_value is not pd.NA else "string"}, [
            None if not isinstance(v, str) else v for v in col.astype(object)]
    if name in _DATETIMES:
        return {"dtype": name}, [None if pd.isna(v) else pd.Timestamp(v).isoformat()
                                 for v in col]
    if name == "object":
        return {"dtype": "object"}, [_scalar_out(v) for v in col.to_numpy()]
    return {"dtype": "object"}, [None if _missing(v) else str(v) for v in col.astype(object)]


def _missing(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def frame_record(frame: pd.DataFrame) -> dict:
    """``frame`` (its columns and values; the index is dropped) as a JSON-ready dict.

    Examples
    --------
    >>> rec = frame_record(pd.DataFrame({"ags": ["99101"], "value": [float("nan")]}))
    >>> dumps(rec)
    '{"rows":1,"columns":[{"name":"ags","dtype":"str"},{"name":"value","dtype":"float64"}],\
"data":[["99101"],["nan"]]}'
    >>> frame_from_record(rec).equals(pd.DataFrame({"ags": ["99101"], "value": [float("nan")]}))
    True
    """
    columns, data = [], []
    for i in range(frame.shape[1]):
        spec, values = _column_out(frame.iloc[:, i])
        columns.append({"name": _name_out(frame.columns[i]), **spec})
        data.append(values)
    return {"rows": int(len(frame)), "columns": columns, "data": data}


# --- decoding -------------------------------------------------------------------------------


class _Bad(Exception):
    """A value that does not fit the schema (turned into an InputError with its place)."""


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _float_in(v) -> float:
    if v is None:
        return math.nan
    if isinstance(v, str) and v in _NONFINITE:
        return _NONFINITE[v]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    raise _Bad(f"expected a number, not {v!r}")


def _scalar_in(v):
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, dict) and set(v) == {"float"} and v["float"] in _NONFINITE:
        return _NONFINITE[v["float"]]
    raise _Bad(f"expected a text, number or null, not {v!r}")


def _column_in(spec: dict, values: list) -> pd.Series:
    dtype = spec.get("dtype")
    if dtype in _INTS:
        if not all(_is_int(v) for v in values):
            raise _Bad("expected whole numbers")
        return pd.Series(np.array(values, dtype=dtype), dtype=dtype)
    if dtype in _FLOATS:
        return pd.Series(np.array([_float_in(v) for v in values], dtype=dtype), dtype=dtype)
    if dtype == "bool":
        if not all(isinstance(v, bool) for v in values):
            raise _Bad("expected true or false")
        return pd.Series(values, dtype=bool)
    if dtype in _NULLABLE:
        if dtype == "boolean":
            ok = all(v is None or isinstance(v, bool) for v in values)
        elif dtype.startswith("Float"):
            values = [None if v is None else _float_in(v) for v in values]
            ok = True
        else:
            ok = all(v is None or _is_int(v) for v in values)
        if not ok:
            raise _Bad(f"values do not fit {dtype}")
        return pd.Series(pd.array(values, dtype=dtype))
    if dtype in ("str", "string"):
        if not all(v is None or isinstance(v, str) for v in values):
            raise _Bad("expected texts")
        return pd.Series(values, dtype=dtype)
    if dtype == "object":
        return pd.Series([_scalar_in(v) for v in values], dtype=object)
    if dtype == "category":
        cats_spec = spec.get("categories")
        if not isinstance(cats_spec, dict) or not isinstance(cats_spec.get("dtype"), str):
            raise _Bad("the categories are missing")
        raw = cats_spec.get("values", [])
        cats = _column_in(cats_spec, raw) if isinstance(raw, list) else None
        if cats is None or not all(v is None or (_is_int(v) and 0 <= v < len(cats))
                                   for v in values):
            raise _Bad("category codes out of range")
        codes = [-1 if v is None else v for v in values]
        return pd.Series(pd.Categorical.from_codes(
            codes, dtype=pd.CategoricalDtype(cats, ordered=bool(spec.get("ordered")))))
    if dtype in _DATETIMES:
        if not all(v is None or isinstance(v, str) for v in values):
            raise _Bad("expected ISO dates")
        try:
            return pd.Series(pd.to_datetime(values, format="ISO8601")).astype(dtype)
        except (ValueError, TypeError) as exc:
            raise _Bad(f"expected ISO dates ({exc})") from None
    raise _Bad(f"unknown column type {dtype!r}")


def frame_from_record(record, *, path: str | os.PathLike | None = None,
                      where: str = "") -> pd.DataFrame:
    """Rebuild the frame of :func:`frame_record`, checking every column against its type.

    Raises
    ------
    bimokit.errors.InputError
        Naming ``path`` and the column (``where`` names the table inside the file) when the
        record does not fit the schema.
    """
    prefix = f"{where}: " if where else ""
    if not isinstance(record, dict):
        raise InputError(f"{prefix}a table must be an object", path=path)
    rows, columns, data = record.get("rows"), record.get("columns"), record.get("data")
    if not (_is_int(rows) and rows >= 0 and isinstance(columns, list)
            and isinstance(data, list) and len(columns) == len(data)):
        raise InputError(f"{prefix}a table needs 'rows', and as many 'columns' as 'data'",
                         path=path)
    series, names = [], []
    for spec, values in zip(columns, data, strict=True):
        name = spec.get("name") if isinstance(spec, dict) else None
        if not isinstance(name, (str, int, float, bool)) or name is None:
            raise InputError(f"{prefix}a column needs a name", path=path, field="columns")
        if not isinstance(values, list) or len(values) != rows:
            raise InputError(f"{prefix}expected {rows} values", path=path, field=name)
        try:
            series.append(_column_in(spec, values))
        except _Bad as exc:
            raise InputError(f"{prefix}{exc}", path=path, field=name) from None
        names.append(name)
    if not series:
        return pd.DataFrame(index=range(rows))
    frame = pd.concat(series, axis=1, ignore_index=True)
    frame.columns = pd.Index(names)
    return frame


# --- checked files --------------------------------------------------------------------------


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's content (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(folder: str | os.PathLike) -> dict:
    """The checksums of a cache folder, ``{file name: sha256}``; ``{}`` when there are none.

    A manifest that cannot be read or does not fit its schema counts as empty: every file it
    would vouch for is then treated as damaged and rebuilt.
    """
    try:
        record = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = record.get("files") if isinstance(record, dict) else None
    if record.get("format") != _MANIFEST_FORMAT or not isinstance(files, dict):
        return {}
    return {k: v["sha256"] for k, v in files.items()
            if isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("sha256"), str)}


def write_manifest(folder: str | os.PathLike, *, files: dict | None = None,
                   remove: tuple = ()) -> None:
    """Update the manifest of ``folder``: add or replace ``{name: sha256}``, drop ``remove``."""
    known = read_manifest(folder)
    known.update(files or {})
    for name in remove:
        known.pop(name, None)
    atomic_write_text(Path(folder) / MANIFEST, json.dumps(
        {"format": _MANIFEST_FORMAT, "version": 1,
         "files": {k: {"sha256": v} for k, v in sorted(known.items())}}, indent=1))
