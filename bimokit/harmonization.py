"""Harmonisation: the published labels of an export mapped to the catalogue's vocabulary.

:func:`load_table_mappings` reads ``bimokit/catalogue/tables.toml`` (published labels →
variables and codes, across editions); :func:`harmonize` applies it to an export of
:func:`bimokit.read`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._schema import TOTAL
from .catalogue import CATALOGUE_DIR, Vocabulary, load_vocabulary, read_toml
from .errors import CatalogueError, InputError, ParameterError, UnknownTableError
from .status import is_missing_rank, status_ranks, sum_groups

__all__ = ["UnmappedLabelWarning", "load_table_mappings", "harmonize"]


class UnmappedLabelWarning(UserWarning):
    """Published labels of a known table that the table mapping does not understand."""


# ---------------------------------------------------------------------------------------------
# Table mappings


def _norm_col(name: str) -> str:
    s = str(name).lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", s)).strip("_")


@dataclass(frozen=True)
class _DimSpec:
    column: str
    to: str | None
    labels: dict  # published label -> (dimension, code)
    drop: frozenset
    keep_only: str | None


@dataclass(frozen=True)
class _TableSpec:
    code: str
    title: str
    variables: dict
    dimensions: dict  # normalised column -> _DimSpec


def load_table_mappings(
    path: str | Path | None = None,
    *,
    extra: Iterable[str | Path] = (),
    vocabulary: Vocabulary | None = None,
) -> dict:
    """Read and check the table mappings (published labels → vocabulary).

    Parameters
    ----------
    path : str or Path, optional
        Default: ``bimokit/catalogue/tables.toml``.
    extra : list of str or Path, keyword-only
        Further mapping files; a table code defined again replaces the earlier mapping.
    vocabulary : Vocabulary, keyword-only
        Default: :func:`load_vocabulary` ().

    Returns
    -------
    dict
        Table code → its (internal) mapping.

    Raises
    ------
    CatalogueError
        Naming the table and column of a mapping to an unknown variable, dimension or code.

    Examples
    --------
    >>> maps = load_table_mappings()
    >>> maps["21111-02-06-4"].dimensions["schulabschluss"].labels["ohne Ersten Schulabschluss"]
    ('abschluss', 'ohne_esa')
    """
    voc = vocabulary or load_vocabulary()
    files = [Path(path) if path is not None else CATALOGUE_DIR / "tables.toml"]
    files += [Path(p) for p in ([extra] if isinstance(extra, str | Path) else extra)]
    label_maps: dict[str, dict] = {}
    tables: dict[str, _TableSpec] = {}
    for f in files:
        data = read_toml(f)
        for name, mapping in data.get("labels", {}).items():
            if not isinstance(mapping, dict):
                raise CatalogueError(f"{f}: [labels.{name}] must map labels to codes")
            label_maps[name] = dict(mapping)
        for code, spec in data.get("tables", {}).items():
            tables[code] = _parse_table(code, spec, label_maps, f, voc)
    return tables


def _parse_code(target: str, code: str, where: str, voc: Vocabulary) -> tuple[str, str]:
    dim, _, c = code.partition(":") if ":" in code else (target, "", code)
    if dim not in voc.dimensions:
        raise CatalogueError(f"{where}: unknown dimension {dim!r} in code {code!r}")
    if c not in voc.dimensions[dim]:
        raise CatalogueError(
            f"{where}: {c!r} is not a code of {dim} ({', '.join(voc.dimensions[dim])})")
    return dim, c


def _parse_table(code, spec, label_maps, path, voc) -> _TableSpec:
    where = f"{path}: table {code!r}"
    if not isinstance(spec, dict):
        raise CatalogueError(f"{where}: must be a table")
    variables = spec.get("variables", {})
    if not isinstance(variables, dict) or not variables:
        raise CatalogueError(f"{where}: needs `variables` (published label = variable)")
    for label, var in variables.items():
        if var not in voc.variables:
            raise CatalogueError(f"{where}: label {label!r} maps to unknown variable {var!r}")
    dims = {}
    for col, d in spec.get("dimensions", {}).items():
        w = f"{where}, column {col!r}"
        unknown = set(d) - {"to", "labels", "drop", "keep_only"}
        if unknown:
            raise CatalogueError(f"{w}: unknown field(s) {', '.join(sorted(unknown))}")
        keep_only = d.get("keep_only")
        to = d.get("to")
        if (to is None) == (keep_only is None):
            raise CatalogueError(f"{w}: give either `to` (a dimension) or `keep_only` (a label)")
        labels: dict[str, tuple[str, str]] = {}
        if to is not None:
            if to not in voc.dimensions:
                raise CatalogueError(f"{w}: `to` names unknown dimension {to!r}")
            raw = d.get("labels", {})
            sources = raw if isinstance(raw, list) else [raw]
            for src in sources:
                if isinstance(src, str):
                    if src not in label_maps:
                        raise CatalogueError(f"{w}: unknown label map {src!r} ([labels.{src}])")
                    src = label_maps[src]
                for label, c in src.items():
                    labels[str(label)] = _parse_code(to, str(c), f"{w}, label {label!r}", voc)
        drop = d.get("drop", [])
        dims[_norm_col(col)] = _DimSpec(col, to, labels, frozenset(drop), keep_only)
    return _TableSpec(code, spec.get("title", code), dict(variables), dims)


def _find_spec(column: str, table: _TableSpec) -> _DimSpec | None:
    n = _norm_col(column)
    if n in table.dimensions:
        return table.dimensions[n]
    for key, spec in table.dimensions.items():
        if n.startswith(key + "_"):
            return spec
    return None


# ---------------------------------------------------------------------------------------------
# Harmonise


def _facts_of(obj) -> tuple[pd.DataFrame, str | None, object, str]:
    if isinstance(obj, pd.DataFrame):
        return obj, None, None, ""
    facts = getattr(obj, "facts", None)
    if not isinstance(facts, pd.DataFrame):
        raise ParameterError(
            "harmonize() takes an export from bimokit.io.read or a facts DataFrame; "
            f"not {type(obj).__name__}.")
    return facts, getattr(obj, "table_code", None), getattr(obj, "stand", None), str(
        getattr(obj, "path", "") or "")


def check_fact_columns(facts: pd.DataFrame, where: str) -> None:
    need = ["ags", "year", "variable", "value"]
    missing = [c for c in need if c not in facts.columns]
    if missing:
        raise InputError(
            f"facts lack the column(s) {', '.join(missing)}; expected ags, year, variable, "
            "<dimensions>, value, status, source", path=where or None)


def harmonize(
    export_or_facts,
    *,
    table_code: str | None = None,
    strict: bool = False,
    mappings: Mapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> pd.DataFrame:
    """Map the published labels of an export to the harmonised vocabulary.

    Parameters
    ----------
    export_or_facts : bimokit.io.Export or DataFrame
        What :func:`bimokit.io.read` returns, or raw facts (columns ``ags, year, variable,
        <dimensions…>, value, status, source``).
    table_code : str, keyword-only, optional
        The table's code; default: the export's ``table_code`` or the facts' ``source``.
    strict : bool, keyword-only
        Raise :class:`bimokit.errors.InputError` instead of warning when labels are not in the
        mapping.
    mappings : dict, keyword-only, optional
        Table mappings from :func:`load_table_mappings`; default: bimokit's own.
    vocabulary : Vocabulary, keyword-only, optional
        Default: :func:`load_vocabulary` ().

    Returns
    -------
    DataFrame
        Harmonised facts, one row per observation: ``ags`` (str), ``year`` (int),
        ``variable`` (vocabulary name), one column per vocabulary dimension used (codes,
        ``insgesamt`` for the total; missing where the variable has no such dimension),
        ``value`` (float), ``status`` (str), ``source`` (table code), ``file`` (the file read,
        ``""`` for a DataFrame), ``stand`` (``datetime.date`` of the edition or None).

    Warns
    -----
    UnmappedLabelWarning
        Listing every published label of a known table that the mapping neither maps nor
        drops (those rows are not used), with the column and number of rows.

    Notes
    -----
    A table whose variables are already vocabulary names (bimokit's tidy files) passes
    through with its codes checked. Several labels mapped to the same code are summed
    (statuses combined, see the module docstring). A dimension the vocabulary does not carry
    for a variable keeps only its ``insgesamt`` rows.

    Examples
    --------
    >>> raw = pd.DataFrame({
    ...     "ags": ["01001"] * 3, "year": [2015] * 3, "variable": ["Absolventen/Abgänger"] * 3,
    ...     "schulabschluss": ["Insgesamt", "ohne Hauptschulabschluss",
    ...                        "dar. schulischer Teil der Fachhochschulreife"],
    ...     "geschlecht": ["Insgesamt"] * 3, "value": [1302.0, 111.0, 89.0],
    ...     "status": [""] * 3, "source": ["21111-02-06-4"] * 3})
    >>> h = harmonize(raw)
    >>> h[["variable", "abschluss", "geschlecht", "nationalitaet", "value"]].values.tolist()
    [['abgaenger', 'insgesamt', 'insgesamt', 'insgesamt', 1302.0], \
['abgaenger', 'ohne_esa', 'insgesamt', 'insgesamt', 111.0]]
    """
    facts, code, stand, path = _facts_of(export_or_facts)
    check_fact_columns(facts, path)
    voc = vocabulary or load_vocabulary()
    if table_code is None:
        table_code = code
    if table_code is None and "source" in facts.columns and len(facts):
        srcs = facts["source"].dropna().unique()
        if len(srcs) == 1:
            table_code = str(srcs[0])
    df = facts.copy()
    if "status" not in df.columns:
        df["status"] = ""
    df["status"] = df["status"].astype(object).where(df["status"].notna(), "").astype(str)
    df["ags"] = df["ags"].astype(str)
    df["year"] = df["year"].astype("int64")
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    fixed = {"ags", "year", "variable", "value", "status", "source", "file", "stand"}
    raw_dims = [c for c in df.columns if c not in fixed]
    problems: list[str] = []
    variables = set(df["variable"].astype(str).unique())
    tidy = variables <= set(voc.variables) and all(c in voc.dimensions for c in raw_dims)
    if tidy:
        out = _pass_through(df, raw_dims, voc, problems)
    else:
        maps = mappings if mappings is not None else load_table_mappings(vocabulary=voc)
        if table_code not in maps:
            unknown = sorted(variables - set(voc.variables))
            raise UnknownTableError(
                f"table {table_code!r} has no table mapping, and its variables "
                f"{', '.join(map(repr, unknown[:5]))} are not vocabulary names; add a mapping "
                "for it (bimokit/catalogue/tables.toml or your own file via "
                "load_table_mappings(extra=...))", path=path or None)
        out = _map_table(df, raw_dims, maps[table_code], voc, problems)
    if problems:
        msg = (f"table {table_code!r}{' (' + path + ')' if path else ''}: labels not in the "
               f"table mapping, rows not used: " + "; ".join(problems))
        if strict:
            raise InputError(msg, path=None)
        warnings.warn(msg, UnmappedLabelWarning, stacklevel=2)
    out = _finish(out, voc)
    fallback = table_code or (Path(path).stem if path else "")
    if "source" in out.columns and tidy:
        out["source"] = out["source"].astype(object).where(out["source"].notna(), fallback)
    else:
        out["source"] = table_code or fallback
    out["source"] = out["source"].astype(str)
    out["file"] = path
    out["stand"] = stand
    return out.reset_index(drop=True)


def _pass_through(df, raw_dims, voc, problems) -> pd.DataFrame:
    keep = np.ones(len(df), dtype=bool)
    for d in raw_dims:
        col = df[d]
        ok = col.isna() | col.isin(voc.dimensions[d])
        if not ok.all():
            bad = col[~ok].value_counts()
            problems.append(f"column {d!r}: " + ", ".join(
                f"{lab!r} ({n} rows)" for lab, n in bad.items()))
            keep &= ok.to_numpy()
    return df[keep]


def _map_table(df, raw_dims, table: _TableSpec, voc, problems) -> pd.DataFrame:
    var = df["variable"].astype(str).map(table.variables)
    keep = var.notna().to_numpy().copy()
    if not keep.all():
        bad = df.loc[~keep, "variable"].value_counts()
        problems.append("variable: " + ", ".join(f"{lab!r} ({n} rows)" for lab, n in bad.items()))
    candidates: dict[str, list[pd.Series]] = {}
    for col in raw_dims:
        raw = df[col].astype(object)
        spec = _find_spec(col, table)
        is_total = raw.isna() | raw.isin(["Insgesamt", "insgesamt", ""])
        if spec is None:
            if not is_total.all():
                labels = raw[~is_total].value_counts()
                problems.append(f"column {col!r} (not in the mapping, only its 'Insgesamt' rows "
                                "are used): " + ", ".join(
                                    f"{lab!r} ({n} rows)" for lab, n in labels.items()))
                keep &= is_total.to_numpy()
            continue
        if spec.keep_only is not None:
            keep &= (raw.isna() | (raw == spec.keep_only)).to_numpy()
            continue
        dropped = raw.isin(spec.drop).to_numpy()
        keep &= ~dropped
        dims = raw.map({k: v[0] for k, v in spec.labels.items()})
        codes = raw.map({k: v[1] for k, v in spec.labels.items()})
        unmapped = raw.notna().to_numpy() & codes.isna().to_numpy() & ~dropped
        if unmapped.any():
            labels = raw[unmapped].value_counts()
            problems.append(f"column {col!r}: " + ", ".join(
                f"{lab!r} ({n} rows)" for lab, n in labels.items()))
            keep &= ~unmapped
        # a missing label (a column this variable does not break down) is the total
        dims = dims.astype(object).where(raw.notna(), spec.to)
        codes = codes.astype(object).where(raw.notna(), TOTAL)
        for target in dims.dropna().unique():
            candidates.setdefault(target, []).append(codes.where(dims == target))
        if spec.to not in candidates:
            candidates[spec.to] = []
    out = pd.DataFrame({"ags": df["ags"], "year": df["year"], "variable": var},
                       index=df.index)
    conflict = np.zeros(len(df), dtype=bool)
    for target, series in candidates.items():
        res = pd.Series(np.nan, index=df.index, dtype=object)
        for s in series:
            s2 = s.where(s != TOTAL)
            clash = res.notna() & s2.notna() & (res != s2)
            conflict |= clash.to_numpy()
            res = res.where(res.notna(), s2)
        out[target] = res.where(res.notna(), TOTAL).astype(object)
    if (conflict & keep).any():
        problems.append(f"{int((conflict & keep).sum())} rows with contradicting labels")
        keep &= ~conflict
    out["value"] = df["value"]
    out["status"] = df["status"]
    if "source" in df.columns:
        out["source"] = df["source"]
    return out[keep]


def _finish(df: pd.DataFrame, voc: Vocabulary) -> pd.DataFrame:
    """Apply the vocabulary: per variable, keep its dimensions, totals of the others; sum."""
    dims_present = [d for d in voc.dimension_order if d in df.columns]
    variables = df["variable"].unique()
    needed = sorted({d for v in variables for d in voc.variables.get(v, ())},
                    key=voc.dimension_order.index)
    for d in needed:
        if d not in df.columns:
            df[d] = TOTAL
    df = df.copy()
    keep = np.ones(len(df), dtype=bool)
    for d in set(dims_present) | set(needed):
        col = df[d].astype(object)
        has_dim = df["variable"].map(
            {v: d in voc.variables.get(v, ()) for v in variables}).to_numpy(dtype=bool)
        filled = col.where(col.notna(), TOTAL)
        # a breakdown the vocabulary does not carry for this variable: keep only its total
        keep &= has_dim | (filled == TOTAL).to_numpy()
        df[d] = filled.where(has_dim, None)
    df = df[keep]
    dim_cols = [d for d in voc.dimension_order if d in df.columns]
    df = df[["ags", "year", "variable", *dim_cols, "value", "status",
             *[c for c in ("source",) if c in df.columns]]]
    key = ["ags", "year", "variable", *dim_cols]
    keyframe = df[key].astype(object).where(df[key].notna(), "")
    dup = keyframe.duplicated(keep=False).to_numpy()
    if dup.any():
        # several labels mapped to one code: sum them (statuses combined)
        single = df[~dup]
        multi = df[dup].copy()
        for d in dim_cols:
            multi[d] = multi[d].astype(object).where(multi[d].notna(), "")
        ranks, names = status_ranks(multi["status"])
        multi["rank"] = ranks
        multi["miss"] = is_missing_rank(ranks, names) | multi["value"].isna().to_numpy()
        summed = sum_groups(multi, key)
        summed["status"] = [names[r] for r in summed["rank"]]
        for d in dim_cols:
            summed[d] = summed[d].where(summed[d] != "", None)
        if "source" in multi.columns:
            summed["source"] = multi.groupby(key, sort=False)["source"].first().to_numpy()
        df = pd.concat([single, summed[df.columns]], ignore_index=False)
    return df


