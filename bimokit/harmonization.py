"""Harmonisation: the published labels of an export mapped to the catalogue's vocabulary.

:func:`load_table_mappings` reads ``bimokit/catalogue/tables.toml`` (published labels →
variables and codes, across editions); :func:`harmonize` applies it to an export of
:func:`bimokit.read`. Labels are compared after :func:`normalize_label` (case, umlauts, gender
forms, punctuation and whitespace do not count) and may be given as patterns
(:class:`LabelPatterns`), so that the offices' renames between editions map to the same codes;
a ``-B`` variant of a table maps like the table (:func:`find_table_mapping`). Where a table
publishes a total and one category of Geschlecht or Nationalität, the other is derived
(:func:`derive_complements`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._schema import IMPLAUSIBLE, TOTAL
from .catalogue import CATALOGUE_DIR, Vocabulary, load_vocabulary, read_toml
from .errors import CatalogueError, InputError, InputWarning, ParameterError, UnknownTableError
from .status import is_missing_rank, status_ranks, sum_groups

__all__ = [
    "UnmappedLabelWarning",
    "LabelPatterns",
    "TableMapping",
    "normalize_label",
    "load_table_mappings",
    "find_table_mapping",
    "derive_complements",
    "harmonize",
]


class UnmappedLabelWarning(UserWarning):
    """Published labels of a known table that the table mapping does not understand."""


# ---------------------------------------------------------------------------------------------
# Labels: normalised forms and patterns


_BINNEN_I = re.compile(r"(?<=[a-zäöüß])Innen\b")
_GENDER_SUFFIX = re.compile(r"\s*(?:\(innen\)|/-?innen\b|\*innen\b|:innen\b|_innen\b|\(r\))")
_PAIR_FEM_FIRST = re.compile(r"\b(\w+)innen und (\1\w{0,2})\b")
_PAIR_MASC_FIRST = re.compile(r"\b(\w+?)(\w{0,2}) und \1innen\b")
_NON_WORD = re.compile(r"[\W_]+")


def normalize_label(label) -> str:
    """Return the form in which published labels are compared with the table mappings.

    Case, umlauts and ß, gender forms, punctuation and whitespace do not distinguish labels:
    the label is case-folded, ``ä ö ü ß`` become ``ae oe ue ss``, the gender forms
    ``Schüler(innen)``, ``Schüler/-innen``, ``Schüler*innen``, ``SchülerInnen``,
    ``Schülerinnen und Schüler`` (either order) become ``schueler``, ``Deutsche(r)`` becomes
    ``deutsche``, and every run of punctuation or whitespace becomes one space.

    Parameters
    ----------
    label : str
        A published label.

    Returns
    -------
    str

    Examples
    --------
    >>> normalize_label("Schülerinnen und Schüler an allgemeinbildenden Schulen")
    'schueler an allgemeinbildenden schulen'
    >>> normalize_label("Schüler(innen) an allgemein bildenden Schulen")
    'schueler an allgemein bildenden schulen'
    >>> normalize_label("Absolventen/Abgänger (Anzahl)")
    'absolventen abgaenger anzahl'
    >>> normalize_label("  Erster   Schulabschluss ")
    'erster schulabschluss'
    """
    s = unicodedata.normalize("NFKC", str(label))
    s = _BINNEN_I.sub("", s).casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        s = s.replace(a, b)
    s = _GENDER_SUFFIX.sub("", s)
    s = _PAIR_FEM_FIRST.sub(r"\2", s)
    s = _PAIR_MASC_FIRST.sub(r"\1\2", s)
    return " ".join(_NON_WORD.sub(" ", s).split())


def _compact(label) -> str:
    return normalize_label(label).replace(" ", "")


class LabelPatterns:
    """Published labels → targets, by normalised label or by pattern.

    A key is either a label, which matches every label equal to it after
    :func:`normalize_label` (spaces ignored, so ``allgemein bildende`` and ``allgemeinbildende``
    are one label), or ``"re:<regular expression>"``, which matches every label whose
    normalised form (lower case, ``ae oe ue ss``, single spaces, no punctuation) it matches in
    full. Labels are tried first, then patterns in the order given; the first that matches
    wins, so a specific pattern goes before a general one.

    Examples
    --------
    >>> p = LabelPatterns({"Insgesamt": "insgesamt",
    ...                    r"re:ohne .*(hauptschul|erste[nrm]? schul)abschluss": "ohne_esa"})
    >>> p.lookup("INSGESAMT"), p.lookup("ohne Ersten Schulabschluss"), p.lookup("mit Abitur")
    ('insgesamt', 'ohne_esa', None)
    """

    def __init__(self, mapping: Mapping | None = None, *, where: str = ""):
        self.exact: dict[str, object] = {}
        self.patterns: list[tuple[re.Pattern, object, str]] = []
        self.labels: dict[str, str] = {}  # normalised plain label -> label as written
        self._cache: dict[str, object] = {}
        for key, target in (mapping or {}).items():
            self.add(str(key), target, where=where)

    def add(self, key: str, target, *, where: str = "") -> None:
        if key.startswith("re:"):
            try:
                rx = re.compile(key[3:])
            except re.error as exc:
                raise CatalogueError(f"{where}: pattern {key!r} is not a regular expression: "
                                     f"{exc}") from None
            self.patterns.append((rx, target, key))
        else:
            self.exact[_compact(key)] = target
            self.labels.setdefault(normalize_label(key), key)
        self._cache.clear()

    def __bool__(self) -> bool:
        return bool(self.exact or self.patterns)

    def lookup(self, label):
        """The target of ``label``, or None where nothing matches."""
        label = str(label)
        if label in self._cache:
            return self._cache[label]
        norm = normalize_label(label)
        found = self.exact.get(norm.replace(" ", ""))
        if found is None:
            for rx, target, _ in self.patterns:
                if rx.fullmatch(norm):
                    found = target
                    break
        self._cache[label] = found
        return found

    def map(self, values: pd.Series) -> pd.Series:
        """``lookup`` of every value (missing values stay missing)."""
        uniq = values.dropna().unique()
        table = {u: self.lookup(u) for u in uniq}
        return values.map(table)

    def closest(self, label) -> str | None:
        """The mapped label most like ``label`` (difflib), as written in the mapping."""
        hits = difflib.get_close_matches(normalize_label(label), list(self.labels), n=1,
                                         cutoff=0.5)
        return self.labels[hits[0]] if hits else None


# ---------------------------------------------------------------------------------------------
# Table mappings


def _norm_col(name: str) -> str:
    s = str(name).lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", s)).strip("_")


@dataclass(frozen=True)
class DimensionMapping:
    """How one raw dimension column of a table maps to the vocabulary.

    Attributes
    ----------
    column : str
        The column as written in the mapping (``re:`` for a pattern on the column name).
    to : str or None
        The vocabulary dimension; None where only ``keep_only`` rows are kept.
    labels : LabelPatterns
        Published label → ``(dimension, code)``.
    drop : LabelPatterns
        Published labels whose rows are not used (target ``True``).
    keep_only : LabelPatterns or None
        Keep only rows with this label and drop the column.
    """

    column: str
    to: str | None
    labels: LabelPatterns
    drop: LabelPatterns
    keep_only: LabelPatterns | None


@dataclass(frozen=True)
class TableMapping:
    """The mapping of one table code (see ``bimokit/catalogue/tables.toml``).

    Attributes
    ----------
    code, title : str
        Table code and what the table is.
    variables : LabelPatterns
        Published measure label → vocabulary variable.
    drop_variables : LabelPatterns
        Measures the table publishes that are not used (memo items, duplicates).
    dimensions : dict
        Normalised column name → :class:`DimensionMapping`.
    column_patterns : tuple
        ``(compiled pattern, DimensionMapping)`` for columns given as ``re:`` patterns.
    verified : bool
        True where the mapping was checked against a real export, named in ``verified_by``.
    verified_by : tuple of str
        The real exports (``tests/data/real/…`` or ``shared:…`` below ``../shared/data``).
    totals : dict
        Dimension → the code the table's total stands for (a table of children under 3 years
        has ``{"altersgruppe": "0-3"}``: its "Insgesamt" is the group 0-3).
    """

    code: str
    title: str
    variables: LabelPatterns
    drop_variables: LabelPatterns
    dimensions: dict
    column_patterns: tuple = ()
    verified: bool = False
    verified_by: tuple = ()
    totals: dict = field(default_factory=dict)

    def find(self, column: str) -> DimensionMapping | None:
        """The dimension mapping of a raw column: by name, pattern or name prefix."""
        n = _norm_col(column)
        if n in self.dimensions:
            return self.dimensions[n]
        for rx, spec in self.column_patterns:
            if rx.fullmatch(n):
                return spec
        for key, spec in self.dimensions.items():
            if n.startswith(key + "_"):
                return spec
        return None

    def code_of(self, column: str, label: str) -> tuple[str, str] | None:
        """``(dimension, code)`` of a published label in a raw column, or None."""
        spec = self.find(column)
        return None if spec is None or spec.to is None else spec.labels.lookup(label)


def base_table_code(code: str | None) -> str | None:
    """The table a ``-B`` variant ("regionale Ebenen") belongs to: ``21311-01-01-4-B`` →
    ``21311-01-01-4``; other codes unchanged.

    >>> base_table_code("21311-01-01-4-B"), base_table_code("12411-01-01-4")
    ('21311-01-01-4', '12411-01-01-4')
    """
    if code is None:
        return None
    return code[:-2] if code.upper().endswith("-B") else code


def find_table_mapping(code: str | None, mappings: Mapping) -> TableMapping | None:
    """The mapping of a table code; a ``-B`` variant without its own maps like its table."""
    if code is None:
        return None
    if code in mappings:
        return mappings[code]
    return mappings.get(base_table_code(code))


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
        Table code → :class:`TableMapping`.

    Raises
    ------
    CatalogueError
        Naming the table and column of a mapping to an unknown variable, dimension or code,
        or of a pattern that is not a regular expression.

    Examples
    --------
    >>> maps = load_table_mappings()
    >>> maps["21111-02-06-4"].code_of("schulabschluss", "ohne Ersten Schulabschluss")
    ('abschluss', 'ohne_esa')
    >>> maps["21111-02-06-4"].code_of("schulabschluss", "Erster Schulabschluss")
    ('abschluss', 'esa')
    """
    voc = vocabulary or load_vocabulary()
    files = [Path(path) if path is not None else CATALOGUE_DIR / "tables.toml"]
    files += [Path(p) for p in ([extra] if isinstance(extra, str | Path) else extra)]
    label_maps: dict[str, dict] = {}
    tables: dict[str, TableMapping] = {}
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


def _label_list(raw, what: str, where: str) -> LabelPatterns:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise CatalogueError(f"{where}: `{what}` must be a label or a list of labels")
    return LabelPatterns({x: True for x in items}, where=where)


_TABLE_FIELDS = {"title", "variables", "drop_variables", "dimensions", "verified", "verified_by",
                 "totals"}
_DIM_FIELDS = {"to", "labels", "drop", "keep_only"}


def _parse_table(code, spec, label_maps, path, voc) -> TableMapping:
    where = f"{path}: table {code!r}"
    if not isinstance(spec, dict):
        raise CatalogueError(f"{where}: must be a table")
    unknown = set(spec) - _TABLE_FIELDS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    variables = spec.get("variables", {})
    if not isinstance(variables, dict) or not variables:
        raise CatalogueError(f"{where}: needs `variables` (published label = variable)")
    for label, var in variables.items():
        if var not in voc.variables:
            raise CatalogueError(f"{where}: label {label!r} maps to unknown variable {var!r}")
    verified = spec.get("verified", False)
    if not isinstance(verified, bool):
        raise CatalogueError(f"{where}: `verified` must be true or false, not {verified!r}")
    verified_by = spec.get("verified_by", [])
    if isinstance(verified_by, str):
        verified_by = [verified_by]
    if verified and not verified_by:
        raise CatalogueError(f"{where}: `verified = true` needs `verified_by` (the real export)")
    dims, col_patterns = {}, []
    for col, d in spec.get("dimensions", {}).items():
        w = f"{where}, column {col!r}"
        if not isinstance(d, dict):
            raise CatalogueError(f"{w}: must be a table")
        unknown = set(d) - _DIM_FIELDS
        if unknown:
            raise CatalogueError(f"{w}: unknown field(s) {', '.join(sorted(unknown))}")
        keep_only = d.get("keep_only")
        to = d.get("to")
        if (to is None) == (keep_only is None):
            raise CatalogueError(f"{w}: give either `to` (a dimension) or `keep_only` (a label)")
        labels = LabelPatterns(where=w)
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
                    labels.add(str(label), _parse_code(to, str(c), f"{w}, label {label!r}", voc),
                               where=w)
        keep = None if keep_only is None else _label_list(keep_only, "keep_only", w)
        dm = DimensionMapping(col, to, labels, _label_list(d.get("drop", []), "drop", w), keep)
        if col.startswith("re:"):
            try:
                col_patterns.append((re.compile(col[3:]), dm))
            except re.error as exc:
                raise CatalogueError(f"{w}: not a regular expression: {exc}") from None
        else:
            dims[_norm_col(col)] = dm
    totals = spec.get("totals", {})
    if not isinstance(totals, dict):
        raise CatalogueError(f"{where}: `totals` must be {{ dimension = code }}")
    for dim, c in totals.items():
        _parse_code(dim, str(c), f"{where}, totals", voc)
    return TableMapping(
        code=code, title=spec.get("title", code), totals=dict(totals),
        variables=LabelPatterns(variables, where=where),
        drop_variables=_label_list(spec.get("drop_variables", []), "drop_variables", where),
        dimensions=dims, column_patterns=tuple(col_patterns), verified=verified,
        verified_by=tuple(verified_by))


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


_DEFAULT_MAPPINGS: dict = {}


def _default_mappings(voc: Vocabulary) -> dict:
    """bimokit's own mappings, read once per vocabulary and version of ``tables.toml``."""
    path = CATALOGUE_DIR / "tables.toml"
    key = (tuple(voc.dimensions.items()), tuple(voc.variables.items()), path.stat().st_mtime_ns)
    if key not in _DEFAULT_MAPPINGS:
        _DEFAULT_MAPPINGS.clear()
        _DEFAULT_MAPPINGS[key] = load_table_mappings(vocabulary=voc)
    return _DEFAULT_MAPPINGS[key]


def harmonize(
    export_or_facts,
    *,
    table_code: str | None = None,
    strict: bool = False,
    mappings: Mapping | None = None,
    vocabulary: Vocabulary | None = None,
    complements: bool = True,
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
    complements : bool, keyword-only
        Derive the missing category of Geschlecht and Nationalität where the table publishes
        the total and the other category (:func:`derive_complements`); default True.

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
    for a variable keeps only its ``insgesamt`` rows. Where a table publishes Insgesamt and
    weiblich (or ausländisch) only, männlich (deutsch) is added as the difference, secret where
    either count is (:func:`derive_complements`).

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
        maps = mappings if mappings is not None else _default_mappings(voc)
        table = find_table_mapping(table_code, maps)
        if table is None:
            unknown = sorted(variables - set(voc.variables))
            raise UnknownTableError(
                f"table {table_code!r} has no table mapping, and its variables "
                f"{', '.join(map(repr, unknown[:5]))} are not vocabulary names; add a mapping "
                "for it (bimokit/catalogue/tables.toml or your own file via "
                "load_table_mappings(extra=...))", path=path or None)
        out = _map_table(df, raw_dims, table, voc, problems)
        for dim, code in table.totals.items():
            if dim not in out.columns:
                out[dim] = TOTAL
            has = out["variable"].map(lambda v, d=dim: d in voc.variables.get(v, ()))
            out[dim] = out[dim].where((out[dim] != TOTAL) | ~has.astype(bool), code)
        out = _split_variables(out, voc)
    if problems:
        msg = (f"table {table_code!r}{' (' + path + ')' if path else ''}: labels not in the "
               f"table mapping, rows not used: " + "; ".join(problems))
        if strict:
            raise InputError(msg, path=None)
        warnings.warn(msg, UnmappedLabelWarning, stacklevel=2)
    out = _mark_negative_counts(out, voc, path or table_code or "")
    out = _finish(out, voc)
    if complements:
        out = derive_complements(out, vocabulary=voc)
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


def _labels_text(labels: pd.Series, patterns: LabelPatterns | None = None) -> str:
    """``'label' (n rows)`` for each label, with the closest mapped label where there is one."""
    parts = []
    for lab, n in labels.value_counts().items():
        close = patterns.closest(lab) if patterns is not None else None
        hint = f", closest mapping {close!r}" if close else ""
        parts.append(f"{lab!r} ({n} rows{hint})")
    return ", ".join(parts)


def _is_total(raw: pd.Series) -> pd.Series:
    totals = [u for u in raw.dropna().unique() if normalize_label(u) in ("insgesamt", "")]
    return raw.isna() | raw.isin(totals)


def _map_table(df, raw_dims, table: TableMapping, voc, problems) -> pd.DataFrame:
    labels = df["variable"].astype(str)
    var = table.variables.map(labels)
    dropped_var = table.drop_variables.map(labels).notna().to_numpy() & var.isna().to_numpy()
    keep = var.notna().to_numpy().copy()
    unknown_var = ~keep & ~dropped_var
    if unknown_var.any():
        problems.append("variable: " + _labels_text(labels[unknown_var], table.variables))
    candidates: dict[str, list[pd.Series]] = {}
    for col in raw_dims:
        raw = df[col].astype(object)
        spec = table.find(col)
        is_total = _is_total(raw)
        if spec is None:
            bad = ~is_total.to_numpy() & keep
            if bad.any():
                problems.append(f"column {col!r} (not in the mapping, only its 'Insgesamt' rows "
                                "are used): " + _labels_text(raw[bad]))
            keep &= is_total.to_numpy()
            continue
        if spec.keep_only is not None:
            keep &= (raw.isna() | spec.keep_only.map(raw).notna()).to_numpy()
            continue
        dropped = spec.drop.map(raw).notna().to_numpy()
        lut = {u: spec.labels.lookup(u) for u in raw.dropna().unique()}
        dims = raw.map({u: t[0] for u, t in lut.items() if t is not None})
        codes = raw.map({u: t[1] for u, t in lut.items() if t is not None})
        unmapped = raw.notna().to_numpy() & codes.isna().to_numpy() & ~dropped
        keep &= ~dropped
        if (unmapped & keep).any():
            problems.append(f"column {col!r}: " + _labels_text(raw[unmapped & keep],
                                                              spec.labels))
        keep &= ~unmapped
        # a missing label (a column this variable does not break down) is the total
        dims = dims.astype(object).where(raw.notna(), spec.to)
        codes = codes.astype(object).where(raw.notna(), TOTAL)
        for t in dims.dropna().unique():
            candidates.setdefault(t, []).append(codes.where(dims == t))
        if spec.to not in candidates:
            candidates[spec.to] = []
    out = pd.DataFrame({"ags": df["ags"], "year": df["year"], "variable": var},
                       index=df.index)
    conflict = np.zeros(len(df), dtype=bool)
    for t, series in candidates.items():
        res = pd.Series(np.nan, index=df.index, dtype=object)
        for s in series:
            s2 = s.where(s != TOTAL)
            clash = res.notna() & s2.notna() & (res != s2)
            conflict |= clash.to_numpy()
            res = res.where(res.notna(), s2)
        out[t] = res.where(res.notna(), TOTAL).astype(object)
    if (conflict & keep).any():
        problems.append(f"{int((conflict & keep).sum())} rows with contradicting labels")
        keep &= ~conflict
    out["value"] = df["value"]
    out["status"] = df["status"]
    if "source" in df.columns:
        out["source"] = df["source"]
    return out[keep]


def _mark_negative_counts(df: pd.DataFrame, voc: Vocabulary, where: str) -> pd.DataFrame:
    """A count (unit Anzahl) below 0 cannot be true: status ``!``, value NaN, and a warning.

    Marked before labels are summed, so that no sum over it is published either.
    """
    if df.empty:
        return df
    counts = df["variable"].map(
        {v: voc.units.get(v, "Anzahl") == "Anzahl" for v in df["variable"].unique()})
    bad = counts.to_numpy(dtype=bool) & (df["value"].to_numpy(dtype="float64") < 0)
    if not bad.any():
        return df
    shown = df[bad].head(5)
    cells = "; ".join(f"{r.ags} {r.year} {r.variable} = {r.value:g}".replace(".", ",")
                      for r in shown.itertuples(index=False))
    more = f" und {int(bad.sum()) - len(shown)} weitere" if bad.sum() > len(shown) else ""
    warnings.warn(
        f"{where + ': ' if where else ''}{int(bad.sum())} negative Anzahl(en) sind nicht "
        f"plausibel und werden nicht verwendet (Status !): {cells}{more}",
        InputWarning, stacklevel=3)
    df = df.copy()
    df.loc[bad, "value"] = np.nan
    df.loc[bad, "status"] = IMPLAUSIBLE
    return df


def _split_variables(df: pd.DataFrame, voc: Vocabulary) -> pd.DataFrame:
    """``betreute_kinder`` of the Art ``tagespflege`` → ``tagespflege_kinder`` (vocabulary)."""
    for var, (dim, targets) in voc.splits.items():
        if dim not in df.columns:
            continue
        is_var = (df["variable"] == var).to_numpy()
        for code, target in targets.items():
            sel = is_var & (df[dim] == code).to_numpy()
            if sel.any():
                df.loc[sel, "variable"] = target
                df.loc[sel, dim] = TOTAL
    return df


def derive_complements(facts: pd.DataFrame, *, vocabulary: Vocabulary | None = None
                       ) -> pd.DataFrame:
    """Add the missing category of a two-way breakdown as the total minus the published one.

    Many tables publish Insgesamt and one category only: weiblich but not männlich, Ausländer
    but not Deutsche. For every dimension the vocabulary marks ``partition = true``
    (``geschlecht``, ``nationalitaet``) and every additive variable broken down by it, a row
    with the total and one category but not the other gets the other category.

    Parameters
    ----------
    facts : DataFrame
        Harmonised facts (vocabulary variables and codes).
    vocabulary : Vocabulary, keyword-only, optional
        Default: :func:`load_vocabulary` ().

    Returns
    -------
    DataFrame
        ``facts`` with the derived rows appended (same columns; ``source`` that of the total).

    Notes
    -----
    ``value = total − category``; ``status`` = the status of a value built from both counts
    (:func:`bimokit.status.combine_status`): a secret (``.``), unreliable (``/``), not
    meaningful (``x``) or later (``...``) total or category makes the derived value NaN with
    that symbol, so nothing un-suppresses a secret cell (a secret weiblich cannot be recovered
    as Insgesamt − männlich either: the derived männlich is secret too). Flags (``p``, ``r``,
    ``()``) are carried. A negative difference (inconsistent inputs) is NaN with status ``x``.
    Published means (``additive = false``) are never derived. Dimensions are completed one
    after the other, so a cross-classified table (Geschlecht × Nationalität) gets every cell
    it can.

    Examples
    --------
    >>> f = pd.DataFrame({"ags": "01001", "year": 2023, "variable": "abgaenger",
    ...                   "abschluss": "insgesamt", "geschlecht": ["insgesamt", "weiblich"],
    ...                   "nationalitaet": "insgesamt", "value": [1059.0, 558.0],
    ...                   "status": ""})
    >>> derive_complements(f)[["geschlecht", "value", "status"]].values.tolist()
    [['insgesamt', 1059.0, ''], ['weiblich', 558.0, ''], ['maennlich', 501.0, '']]
    """
    voc = vocabulary or load_vocabulary()
    out = facts
    for dim in voc.dimension_order:
        if dim not in voc.partitions or dim not in out.columns:
            continue
        vars_ = [v for v, dims in voc.variables.items()
                 if dim in dims and v not in voc.non_additive]
        sub = out[out["variable"].isin(vars_).to_numpy() & out[dim].notna().to_numpy()]
        if sub.empty:
            continue
        a, b = (c for c in voc.dimensions[dim] if c != TOTAL)
        others = [d for d in voc.dimension_order if d in out.columns and d != dim]
        added = [_complement(sub, dim, others, have, want) for have, want in ((a, b), (b, a))]
        added = [x for x in added if len(x)]
        if added:
            out = pd.concat([out, *added], ignore_index=True)
    return out


def _complement(sub: pd.DataFrame, dim: str, others: list[str], have: str, want: str
                ) -> pd.DataFrame:
    """Rows ``dim = want`` as ``insgesamt − have`` where both exist and ``want`` does not."""
    total = TOTAL
    key = ["ags", "year", "variable", *others]
    k = sub[key].astype(object).where(sub[key].notna(), "")
    idx = pd.MultiIndex.from_frame(k)
    code = sub[dim].to_numpy()
    tot = pd.Series(np.flatnonzero(code == total), index=idx[code == total])
    hav = pd.Series(np.flatnonzero(code == have), index=idx[code == have])
    tot = tot[~tot.index.duplicated()]
    hav = hav[~hav.index.duplicated()]
    common = tot.index.intersection(hav.index, sort=False)
    if (code == want).any():
        common = common[~common.isin(idx[code == want])]
    if not len(common):
        return sub.iloc[0:0]
    ti = tot.reindex(common).to_numpy()
    hi = hav.reindex(common).to_numpy()
    t_rows, h_rows = sub.iloc[ti], sub.iloc[hi]
    ranks, names = status_ranks(pd.concat([t_rows["status"], h_rows["status"]],
                                          ignore_index=True))
    n = len(ti)
    rank = np.minimum(ranks[:n], ranks[n:])
    value = t_rows["value"].to_numpy(dtype="float64") - h_rows["value"].to_numpy(dtype="float64")
    missing = is_missing_rank(rank, names) | np.isnan(value)
    negative = ~missing & (value < 0)
    rank = np.where(negative, names.index("x"), rank)
    missing |= negative
    rank = np.where(np.isnan(value) & ~is_missing_rank(rank, names), names.index("."), rank)
    new = t_rows.copy()
    new[dim] = want
    new["value"] = np.where(missing, np.nan, value)
    new["status"] = [names[r] for r in rank]
    return new


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


