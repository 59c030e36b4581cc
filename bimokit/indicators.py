"""The indicator catalogue, the table mappings and the computation of indicator values.

Three steps turn published tables into indicator values:

1. :func:`load_catalogue` reads the indicator definitions (``bimokit/catalogue/indicators.toml``
   plus any file a Kommune adds) and checks every entry against the harmonised vocabulary
   (``bimokit/catalogue/variables.toml``, docs/data_contract.md section 2).
2. :func:`harmonise` maps the published labels of an export (``bimokit.io.read``) to that
   vocabulary with the table mappings (``bimokit/catalogue/tables.toml``).
3. :func:`compute` computes any set of indicators for every region and year in one vectorised
   pass and returns the indicator-values table of DESIGN.md.

Statuses
--------
Each value carries the statistical offices' symbol of the counts it was built from. When
several counts meet (a sum over age groups, a numerator and a denominator, Kreise summed to a
Land) the status with the highest precedence wins, in this order::

    "."  >  "/"  >  "x"  >  "..."  >  "()"  >  "s"  >  "p"  >  "r"  >  "0"  >  ""  >  "-"

``.`` ``/`` ``x`` ``...`` make the value NaN: nothing computed from a secret or unknown count is
published. ``()`` ``s`` ``p`` ``r`` keep the value and the flag. ``-`` is a true zero: it only
survives where every count was ``-`` (a count indicator that is zero), otherwise a plain
status wins. A zero denominator gives NaN with status ``x`` (not meaningful).
"""

from __future__ import annotations

import difflib
import re
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._schema import MISSING_STATUS, TOTAL
from .errors import CatalogueError, InputError, ParameterError

__all__ = [
    "Vocabulary",
    "Term",
    "Indicator",
    "Catalogue",
    "UnmappedLabelWarning",
    "STATUS_PRECEDENCE",
    "KINDS",
    "HANDLUNGSFELDER",
    "load_vocabulary",
    "load_catalogue",
    "catalogue_table",
    "load_table_mappings",
    "harmonise",
    "combine_status",
    "wilson_interval",
    "poisson_interval",
    "compute",
]

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

#: Handlungsfelder of the Anwendungsleitfaden (A–H) plus S (Sozialraum und Steuerung).
HANDLUNGSFELDER = {
    "A": "Rahmenbedingungen",
    "B": "Grundinformationen",
    "C": "Frühkindliche Bildung",
    "D": "Allgemeinbildende Schulen",
    "E": "Berufliche Bildung",
    "F": "Hochschule",
    "G": "Weiterbildung",
    "H": "Non-formale Bildung",
    "S": "Sozialraum und Steuerung",
}

#: Kinds of indicator and the interval each gets.
KINDS = {
    "share": "part of the denominator; Wilson 95 % interval",
    "rate": "per population, not a part of it; exact Poisson 95 % interval of the numerator",
    "ratio": "one quantity per another; no interval",
    "count": "the numerator itself; no interval",
    "mean": "a published average; no interval, never summed over regions",
}

#: Status symbols from highest to lowest precedence (see the module docstring).
STATUS_PRECEDENCE = (".", "/", "x", "...", "()", "s", "p", "r", "0", "", "-")

_KEYS = ("ags", "year")
_DIRECTIONS = (1, -1, 0)
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_INDICATOR_FIELDS = {
    "id", "handlungsfeld", "title", "definition", "interpretation", "kind", "numerator",
    "denominator", "scale", "unit", "direction", "breakdowns", "source_tables",
}
_REQUIRED = (
    "id", "handlungsfeld", "title", "definition", "interpretation", "kind", "numerator",
    "unit", "direction", "source_tables",
)
_UNIT_SCALE = {"%": 100, "‰": 1000}


class UnmappedLabelWarning(UserWarning):
    """Published labels of a known table that the table mapping does not understand."""


# ---------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """The harmonised variables and dimension codes (``variables.toml``).

    Attributes
    ----------
    dimensions : dict[str, tuple[str, ...]]
        Dimension name → its codes (``insgesamt`` first).
    variables : dict[str, tuple[str, ...]]
        Variable name → the dimensions it is broken down by.
    titles : dict[str, str]
        German titles of variables and dimensions.
    units : dict[str, str]
        Variable → unit.
    non_additive : frozenset[str]
        Variables whose values cannot be summed over regions (published means).
    """

    dimensions: dict
    variables: dict
    titles: dict
    units: dict
    non_additive: frozenset

    @property
    def dimension_order(self) -> tuple[str, ...]:
        return tuple(self.dimensions)


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise CatalogueError(f"{path}: file not found.") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from None


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Read the harmonised vocabulary.

    Parameters
    ----------
    path : str or Path, optional
        A ``variables.toml``; default: the one shipped with bimokit.

    Returns
    -------
    Vocabulary

    Examples
    --------
    >>> voc = load_vocabulary()
    >>> voc.variables["abgaenger"]
    ('abschluss', 'geschlecht', 'nationalitaet')
    >>> voc.dimensions["abschluss"]
    ('insgesamt', 'ohne_esa', 'esa', 'msa', 'fhr', 'ahr')
    """
    path = Path(path) if path is not None else CATALOGUE_DIR / "variables.toml"
    data = _read_toml(path)
    dims, variables, titles, units, non_add = {}, {}, {}, {}, set()
    for name, spec in data.get("dimensions", {}).items():
        codes = spec.get("codes") if isinstance(spec, dict) else None
        if not isinstance(codes, list) or TOTAL not in codes:
            raise CatalogueError(
                f"{path}: dimension {name!r} needs a list `codes` that contains {TOTAL!r}."
            )
        dims[name] = tuple(str(c) for c in codes)
        titles[name] = spec.get("title", name)
    for name, spec in data.get("variables", {}).items():
        vd = spec.get("dimensions", []) if isinstance(spec, dict) else None
        if not isinstance(vd, list):
            raise CatalogueError(f"{path}: variable {name!r} needs a list `dimensions`.")
        unknown = [d for d in vd if d not in dims]
        if unknown:
            raise CatalogueError(
                f"{path}: variable {name!r} has unknown dimension(s) {', '.join(unknown)}."
            )
        variables[name] = tuple(vd)
        titles[name] = spec.get("title", name)
        units[name] = spec.get("unit", "Anzahl")
        if spec.get("additive", True) is False:
            non_add.add(name)
    return Vocabulary(dims, variables, titles, units, frozenset(non_add))


# ---------------------------------------------------------------------------------------------
# Catalogue


@dataclass(frozen=True)
class Term:
    """One summand of a numerator or denominator: a variable with dimension filters.

    ``filters`` maps a dimension to the tuple of codes summed; a dimension of the variable
    that is not filtered is taken at ``insgesamt``.
    """

    variable: str
    filters: tuple = ()

    @property
    def filter_dict(self) -> dict[str, tuple[str, ...]]:
        return dict(self.filters)

    def describe(self) -> str:
        if not self.filters:
            return self.variable
        parts = [f"{d}={'+'.join(c)}" for d, c in self.filters]
        return f"{self.variable}[{', '.join(parts)}]"


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (see ``bimokit/catalogue/indicators.toml`` for the fields)."""

    id: str
    handlungsfeld: str
    title: str
    definition: str
    interpretation: str
    kind: str
    numerator: tuple
    denominator: tuple
    scale: float
    unit: str
    direction: int
    breakdowns: tuple
    source_tables: tuple
    file: str = ""


@dataclass(frozen=True)
class Catalogue:
    """The indicator catalogue: entries by id, in file order, and the vocabulary they use.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat["D4.1"].title
    'Anteil der Schulabgänger ohne Ersten Schulabschluss'
    >>> "C1.1" in cat
    True
    """

    indicators: dict
    vocabulary: Vocabulary = field(repr=False)
    files: tuple = ()

    def __getitem__(self, key: str) -> Indicator:
        try:
            return self.indicators[key]
        except KeyError:
            raise ParameterError(_unknown_id_message(key, self.indicators)) from None

    def __contains__(self, key) -> bool:
        return key in self.indicators

    def __iter__(self):
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    @property
    def ids(self) -> list[str]:
        return list(self.indicators)

    def table(self) -> pd.DataFrame:
        """The catalogue as a DataFrame (see :func:`catalogue_table`)."""
        return catalogue_table(self)


def _unknown_id_message(key, known) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=3)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    return f"Unknown indicator {key!r}: not in the catalogue ({len(known)} indicators).{hint}"


def _entry_error(ident: str, path: Path, message: str) -> CatalogueError:
    return CatalogueError(f"Indicator {ident}: {message} (in {path})")


def _parse_terms(raw, role: str, ident: str, path: Path, voc: Vocabulary) -> tuple:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise _entry_error(ident, path, f"{role} has no terms")
    terms = []
    for item in items:
        if not isinstance(item, dict):
            raise _entry_error(
                ident, path, f"{role} must be {{ variable = ..., filters = {{...}} }}, "
                f"not {item!r}")
        extra = set(item) - {"variable", "filters"}
        if extra:
            raise _entry_error(
                ident, path, f"{role} has unknown field(s) {', '.join(sorted(extra))}; "
                "a term has only `variable` and `filters`")
        var = item.get("variable")
        if var not in voc.variables:
            close = difflib.get_close_matches(str(var), list(voc.variables), n=2)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise _entry_error(
                ident, path, f"{role} uses unknown variable {var!r}; the vocabulary "
                f"(variables.toml) has no such variable.{hint}")
        filters = item.get("filters", {})
        if not isinstance(filters, dict):
            raise _entry_error(ident, path, f"{role} filters must be a table, not {filters!r}")
        parsed = []
        for dim in voc.variables[var]:
            if dim not in filters:
                continue
            codes = filters[dim]
            codes = [codes] if isinstance(codes, str) else codes
            if not isinstance(codes, list) or not codes:
                raise _entry_error(
                    ident, path, f"{role} filter {dim!r} must be a code or a non-empty list")
            bad = [c for c in codes if c not in voc.dimensions[dim]]
            if bad:
                raise _entry_error(
                    ident, path, f"{role} filter {dim!r} has unknown code(s) "
                    f"{', '.join(map(repr, bad))}; {dim} codes are "
                    f"{', '.join(voc.dimensions[dim])}")
            if len(set(codes)) != len(codes):
                raise _entry_error(ident, path, f"{role} filter {dim!r} repeats a code")
            parsed.append((dim, tuple(codes)))
        unknown_dims = [d for d in filters if d not in voc.variables[var]]
        if unknown_dims:
            where = "a dimension" if unknown_dims[0] in voc.dimensions else "an unknown dimension"
            raise _entry_error(
                ident, path, f"{role} filter {unknown_dims[0]!r} is {where} that variable "
                f"{var!r} does not have (it has: {', '.join(voc.variables[var]) or 'none'})")
        terms.append(Term(var, tuple(parsed)))
    return tuple(terms)


def _parse_indicator(entry, n: int, path: Path, voc: Vocabulary) -> Indicator:
    if not isinstance(entry, dict):
        raise CatalogueError(f"Indicator #{n} (in {path}): must be a table, not {entry!r}")
    ident = repr(entry["id"]) if isinstance(entry.get("id"), str) else f"#{n}"
    for name in _REQUIRED:
        if name not in entry:
            raise _entry_error(ident, path, f"missing required field {name!r}")
    unknown = sorted(set(entry) - _INDICATOR_FIELDS)
    if unknown:
        raise _entry_error(
            ident, path, f"unknown field(s) {', '.join(map(repr, unknown))}; allowed are "
            f"{', '.join(sorted(_INDICATOR_FIELDS))}")
    iid = entry["id"]
    if not isinstance(iid, str) or not _ID_RE.match(iid):
        raise _entry_error(ident, path, f"id must be text like 'D4.1', not {iid!r}")
    for name in ("title", "definition", "interpretation", "unit"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise _entry_error(ident, path, f"{name} must be a non-empty text")
    hf = entry["handlungsfeld"]
    if hf not in HANDLUNGSFELDER:
        raise _entry_error(
            ident, path, f"handlungsfeld must be one of {', '.join(HANDLUNGSFELDER)}, not {hf!r}")
    kind = entry["kind"]
    if kind not in KINDS:
        raise _entry_error(ident, path, f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    direction = entry["direction"]
    if isinstance(direction, bool) or direction not in _DIRECTIONS:
        raise _entry_error(ident, path, f"direction must be 1, -1 or 0, not {direction!r}")
    scale = entry.get("scale", 1 if kind in ("count", "mean") else None)
    if scale is None:
        raise _entry_error(ident, path, f"missing required field 'scale' (kind {kind!r})")
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0:
        raise _entry_error(ident, path, f"scale must be a positive number, not {scale!r}")
    unit = entry["unit"]
    if unit in _UNIT_SCALE and scale != _UNIT_SCALE[unit]:
        raise _entry_error(
            ident, path, f"unit {unit!r} needs scale {_UNIT_SCALE[unit]}, not {scale!r}")
    numerator = _parse_terms(entry["numerator"], "numerator", ident, path, voc)
    if kind in ("count", "mean"):
        if "denominator" in entry:
            raise _entry_error(ident, path, f"a {kind} has no denominator")
        if kind == "mean" and len(numerator) > 1:
            raise _entry_error(ident, path, "a mean has exactly one numerator term")
        denominator = ()
    else:
        if "denominator" not in entry:
            raise _entry_error(ident, path, f"missing required field 'denominator' (kind {kind!r})")
        denominator = _parse_terms(entry["denominator"], "denominator", ident, path, voc)
    breakdowns = entry.get("breakdowns", [])
    if not isinstance(breakdowns, list):
        raise _entry_error(ident, path, f"breakdowns must be a list, not {breakdowns!r}")
    for b in breakdowns:
        if b not in voc.dimensions:
            raise _entry_error(ident, path, f"breakdown {b!r} is an unknown dimension")
        for t in numerator:
            if b not in voc.variables[t.variable]:
                raise _entry_error(
                    ident, path, f"breakdown {b!r} is not a dimension of numerator variable "
                    f"{t.variable!r}")
            if b in t.filter_dict:
                raise _entry_error(
                    ident, path, f"breakdown {b!r} is already filtered in the numerator")
        has = [b in voc.variables[t.variable] for t in denominator]
        if any(has) and not all(has):
            raise _entry_error(
                ident, path, f"breakdown {b!r} applies to some denominator terms but not all")
        if any(b in t.filter_dict for t in denominator):
            raise _entry_error(
                ident, path, f"breakdown {b!r} is already filtered in the denominator")
    if kind == "mean" and breakdowns:
        raise _entry_error(ident, path, "a mean offers no breakdowns")
    sources = entry["source_tables"]
    sources = [sources] if isinstance(sources, str) else sources
    if not isinstance(sources, list) or not sources or not all(
            isinstance(s, str) and s for s in sources):
        raise _entry_error(ident, path, "source_tables must be a non-empty list of table codes")
    return Indicator(
        id=iid, handlungsfeld=hf, title=entry["title"].strip(),
        definition=entry["definition"].strip(), interpretation=entry["interpretation"].strip(),
        kind=kind, numerator=numerator, denominator=denominator, scale=float(scale),
        unit=unit, direction=int(direction), breakdowns=tuple(breakdowns),
        source_tables=tuple(sources), file=str(path),
    )


def load_catalogue(
    path: str | Path | None = None,
    *,
    extra: Iterable[str | Path] = (),
    vocabulary: str | Path | Vocabulary | None = None,
) -> Catalogue:
    """Read and check the indicator catalogue.

    Parameters
    ----------
    path : str or Path, optional
        The catalogue file; default: ``bimokit/catalogue/indicators.toml``.
    extra : list of str or Path, keyword-only
        Further catalogue files of the same shape (e.g. a Kommune's own indicators); their
        entries are added after those of ``path``.
    vocabulary : str, Path or Vocabulary, keyword-only
        The harmonised vocabulary; default: ``bimokit/catalogue/variables.toml``.

    Returns
    -------
    Catalogue
        Entries by id, in file order.

    Raises
    ------
    CatalogueError
        For the first entry that is not valid, naming it and the file: a missing required
        field, an unknown field, an unknown variable, dimension or code, a bad direction,
        kind, scale or Handlungsfeld, or an id used twice.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> len(cat) >= 40
    True
    >>> sorted({ind.handlungsfeld for ind in cat})
    ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']
    """
    voc = vocabulary if isinstance(vocabulary, Vocabulary) else load_vocabulary(vocabulary)
    files = [Path(path) if path is not None else CATALOGUE_DIR / "indicators.toml"]
    files += [Path(p) for p in ([extra] if isinstance(extra, str | Path) else extra)]
    indicators: dict[str, Indicator] = {}
    for f in files:
        data = _read_toml(f)
        entries = data.get("indicator", [])
        unknown = sorted(set(data) - {"indicator"})
        if unknown:
            raise CatalogueError(
                f"{f}: unknown top-level key(s) {', '.join(unknown)}; write each indicator "
                "as an [[indicator]] table")
        if not isinstance(entries, list):
            raise CatalogueError(f"{f}: write each indicator as an [[indicator]] table")
        for n, entry in enumerate(entries, start=1):
            ind = _parse_indicator(entry, n, f, voc)
            if ind.id in indicators:
                raise CatalogueError(
                    f"Indicator {ind.id!r}: duplicate id, defined in {indicators[ind.id].file} "
                    f"and again in {f}")
            indicators[ind.id] = ind
    return Catalogue(indicators, voc, tuple(str(f) for f in files))


def catalogue_table(catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Return the catalogue as a table, one row per indicator.

    Parameters
    ----------
    catalogue : Catalogue, optional
        Default: :func:`load_catalogue` ().

    Returns
    -------
    DataFrame
        Columns ``id``, ``handlungsfeld``, ``title``, ``unit``, ``direction`` (1 higher is
        better, -1 worse, 0 neutral), ``kind``, ``scale``, ``numerator`` and ``denominator``
        (terms as text, e.g. ``bevoelkerung[altersgruppe=0-3]``), ``breakdowns`` and
        ``source_tables`` (comma-separated), ``definition``, ``interpretation``.

    Examples
    --------
    >>> t = catalogue_table()
    >>> t.loc[t["id"] == "D4.1", ["handlungsfeld", "unit", "direction"]].values.tolist()
    [['D', '%', -1]]
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    rows = [
        {
            "id": i.id,
            "handlungsfeld": i.handlungsfeld,
            "title": i.title,
            "unit": i.unit,
            "direction": i.direction,
            "kind": i.kind,
            "scale": i.scale,
            "numerator": " + ".join(t.describe() for t in i.numerator),
            "denominator": " + ".join(t.describe() for t in i.denominator),
            "breakdowns": ", ".join(i.breakdowns),
            "source_tables": ", ".join(i.source_tables),
            "definition": i.definition,
            "interpretation": i.interpretation,
        }
        for i in catalogue
    ]
    out = pd.DataFrame(rows, columns=[
        "id", "handlungsfeld", "title", "unit", "direction", "kind", "scale", "numerator",
        "denominator", "breakdowns", "source_tables", "definition", "interpretation",
    ])
    out["direction"] = out["direction"].astype("int64")
    out["scale"] = out["scale"].astype("float64")
    return out


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
        data = _read_toml(f)
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
# Status arithmetic


def _status_ranks(status: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Rank of every status (0 = highest precedence) and the names by rank."""
    s = status.astype(object).where(status.notna(), "").astype(str).str.strip()
    known = set(STATUS_PRECEDENCE)
    others = sorted(set(s.unique()) - known)
    names = list(STATUS_PRECEDENCE[:-2]) + others + list(STATUS_PRECEDENCE[-2:])
    lookup = {n: i for i, n in enumerate(names)}
    return s.map(lookup).to_numpy(dtype="int64"), names


def combine_status(statuses: Iterable[str]) -> str:
    """Return the status of a value built from counts with these statuses.

    Parameters
    ----------
    statuses : iterable of str
        Status symbols of the counts (``""`` plain).

    Returns
    -------
    str
        The symbol with the highest precedence (see the module docstring); ``-`` only
        where every count was ``-``.

    Examples
    --------
    >>> combine_status(["", "p", "."])
    '.'
    >>> combine_status(["-", ""])
    ''
    >>> combine_status(["-", "-"])
    '-'
    >>> combine_status(["r", "()"])
    '()'
    """
    s = pd.Series(list(statuses), dtype=object)
    if s.empty:
        return ""
    ranks, names = _status_ranks(s)
    return names[int(ranks.min())]


def _is_missing_rank(rank: np.ndarray, names: list[str]) -> np.ndarray:
    missing = [i for i, n in enumerate(names) if n in MISSING_STATUS]
    return np.isin(rank, missing)


def _group_ids(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Group number of every row (first-seen order) and the first row of every group."""
    combined = np.zeros(len(df), dtype="int64")
    for k in keys:
        codes, uniques = pd.factorize(df[k], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    ids, _ = pd.factorize(combined)
    first = np.unique(ids, return_index=True)[1] if len(ids) else np.array([], dtype="int64")
    return ids, first


def _sum_groups(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``value`` by ``keys``: NaN where any part is missing; min ``rank``; count ``n``.

    ``df`` has columns ``value`` (float), ``rank`` (int, status rank) and ``miss`` (bool).
    Vectorised with numpy (``bincount``), keys in first-seen order.
    """
    ids, first = _group_ids(df, keys)
    m = len(first)
    value = df["value"].to_numpy(dtype="float64")
    miss = df["miss"].to_numpy(dtype=bool) | np.isnan(value)
    sums = np.bincount(ids, weights=np.where(miss, 0.0, value), minlength=m)
    anymiss = np.bincount(ids, weights=miss.astype("float64"), minlength=m) > 0
    rank = np.full(m, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(rank, ids, df["rank"].to_numpy(dtype="int64"))
    out = df[keys].iloc[first].reset_index(drop=True)
    out["value"] = np.where(anymiss, np.nan, sums)
    out["rank"] = rank
    out["miss"] = anymiss
    out["n"] = np.bincount(ids, minlength=m).astype("int64")
    return out


# ---------------------------------------------------------------------------------------------
# Harmonise


def _facts_of(obj) -> tuple[pd.DataFrame, str | None, object, str]:
    if isinstance(obj, pd.DataFrame):
        return obj, None, None, ""
    facts = getattr(obj, "facts", None)
    if not isinstance(facts, pd.DataFrame):
        raise ParameterError(
            "harmonise() takes an export from bimokit.io.read or a facts DataFrame; "
            f"not {type(obj).__name__}.")
    return facts, getattr(obj, "table_code", None), getattr(obj, "stand", None), str(
        getattr(obj, "path", "") or "")


def _check_fact_columns(facts: pd.DataFrame, where: str) -> None:
    need = ["ags", "year", "variable", "value"]
    missing = [c for c in need if c not in facts.columns]
    if missing:
        raise InputError(
            f"facts lack the column(s) {', '.join(missing)}; expected ags, year, variable, "
            "<dimensions>, value, status, source", path=where or None)


def harmonise(
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
    >>> h = harmonise(raw)
    >>> h[["variable", "abschluss", "geschlecht", "nationalitaet", "value"]].values.tolist()
    [['abgaenger', 'insgesamt', 'insgesamt', 'insgesamt', 1302.0], \
['abgaenger', 'ohne_esa', 'insgesamt', 'insgesamt', 111.0]]
    """
    facts, code, stand, path = _facts_of(export_or_facts)
    _check_fact_columns(facts, path)
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
            raise InputError(
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
        ranks, names = _status_ranks(multi["status"])
        multi["rank"] = ranks
        multi["miss"] = _is_missing_rank(ranks, names) | multi["value"].isna().to_numpy()
        summed = _sum_groups(multi, key)
        summed["status"] = [names[r] for r in summed["rank"]]
        for d in dim_cols:
            summed[d] = summed[d].where(summed[d] != "", None)
        if "source" in multi.columns:
            summed["source"] = multi.groupby(key, sort=False)["source"].first().to_numpy()
        df = pd.concat([single, summed[df.columns]], ignore_index=False)
    return df


# ---------------------------------------------------------------------------------------------
# Intervals


def wilson_interval(numerator, denominator, *, alpha: float = 0.05):
    """Wilson score interval of a proportion, vectorised.

    Parameters
    ----------
    numerator, denominator : array-like of float
        Counts; the interval is NaN where they are missing, the denominator is not positive
        or the numerator lies outside ``[0, denominator]``.
    alpha : float, keyword-only
        1 − confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)`` as proportions (multiply by the scale for %).

    Notes
    -----
    With :math:`p = k/n` and :math:`z = \\Phi^{-1}(1-\\alpha/2)`:
    :math:`(p + z^2/2n \\pm z\\sqrt{p(1-p)/n + z^2/4n^2}) / (1 + z^2/n)`, computed by
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    Examples
    --------
    >>> lo, hi = wilson_interval([111], [1302])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0713, 0.1017)
    """
    from statsmodels.stats.proportion import proportion_confint

    k = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0) & (k >= 0) & (k <= n)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    if ok.any():
        lo, hi = proportion_confint(k[ok], n[ok], alpha=alpha, method="wilson")
        low[ok], high[ok] = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
    return low, high


def poisson_interval(numerator, denominator, *, alpha: float = 0.05):
    """Exact (Garwood) Poisson interval of a rate numerator / denominator, vectorised.

    Parameters
    ----------
    numerator, denominator : array-like of float
        Event count and population; NaN where missing or the denominator is not positive.
    alpha : float, keyword-only
        1 − confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)`` as rates per 1 (multiply by the scale for ‰ or "je 1.000").

    Notes
    -----
    :math:`[\\chi^2_{\\alpha/2}(2k)/2,\\; \\chi^2_{1-\\alpha/2}(2k+2)/2] / n`, lower bound 0
    for :math:`k = 0`. The population is treated as fixed exposure.

    Examples
    --------
    >>> lo, hi = poisson_interval([0], [1000])
    >>> float(lo[0]), round(float(hi[0]) * 1000, 3)
    (0.0, 3.689)
    """
    from scipy.stats import chi2

    k = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0) & (k >= 0)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    if ok.any():
        kk, nn = k[ok], n[ok]
        lo = np.where(kk > 0, chi2.ppf(alpha / 2, 2 * np.maximum(kk, 1e-12)) / 2, 0.0)
        hi = chi2.ppf(1 - alpha / 2, 2 * kk + 2) / 2
        low[ok], high[ok] = lo / nn, hi / nn
    return low, high


# ---------------------------------------------------------------------------------------------
# Compute


def _select_indicators(indicators, catalogue: Catalogue | None) -> tuple[list, Vocabulary]:
    if isinstance(indicators, Catalogue):
        return list(indicators), indicators.vocabulary
    cat = catalogue if catalogue is not None else load_catalogue()
    if indicators is None:
        return list(cat), cat.vocabulary
    if isinstance(indicators, str | Indicator):
        indicators = [indicators]
    out = []
    for i in indicators:
        if isinstance(i, Indicator):
            out.append(i)
        elif i in cat:
            out.append(cat[i])
        else:
            raise ParameterError(_unknown_id_message(i, cat.indicators))
    return out, cat.vocabulary


@dataclass
class _F:
    """Columns of a numpy frame: region index, year, category code, value, rank, missing."""

    a: np.ndarray
    y: np.ndarray
    c: np.ndarray
    v: np.ndarray
    r: np.ndarray
    m: np.ndarray

    def __len__(self) -> int:
        return len(self.a)

    def take(self, idx) -> _F:
        return _F(self.a[idx], self.y[idx], self.c[idx], self.v[idx], self.r[idx], self.m[idx])

    @staticmethod
    def concat(parts: list[_F]) -> _F:
        return _F(*(np.concatenate([getattr(p, f) for p in parts]) for f in "aycvrm"))


class _Keys:
    """Encode (region, year, category) as one int64."""

    def __init__(self, ymin: int, yspan: int, ncat: int):
        self.ymin, self.yspan, self.ncat = ymin, yspan, ncat

    def __call__(self, a, y, c):
        return (a.astype("int64") * self.yspan + (y - self.ymin)) * self.ncat + c


def _group_sum(f: _F, key: np.ndarray) -> tuple[_F, np.ndarray, np.ndarray]:
    """Sum ``f`` by ``key``: NaN where a part is missing, min rank; also counts and keys."""
    ids, uniq = pd.factorize(key)
    g = len(uniq)
    first = np.full(g, len(ids), dtype="int64")
    np.minimum.at(first, ids, np.arange(len(ids)))
    miss = f.m | np.isnan(f.v)
    sums = np.bincount(ids, weights=np.where(miss, 0.0, f.v), minlength=g)
    anymiss = np.bincount(ids, weights=miss.astype("float64"), minlength=g) > 0
    rank = np.full(g, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(rank, ids, f.r)
    out = _F(f.a[first], f.y[first], f.c[first], np.where(anymiss, np.nan, sums), rank, anymiss)
    return out, np.bincount(ids, minlength=g), uniq


@dataclass
class _VarData:
    a: np.ndarray
    y: np.ndarray
    v: np.ndarray
    r: np.ndarray
    m: np.ndarray
    dims: dict  # dimension -> int codes (index in the vocabulary's codes; -1 unknown)


def _prepare_facts(facts: pd.DataFrame, voc: Vocabulary, regions) -> tuple:
    """Split harmonised facts by variable into integer-coded numpy columns."""
    _check_fact_columns(facts, "")
    n = len(facts)
    ags_codes, ags_uniq = pd.factorize(facts["ags"].astype(str))
    hierarchy = _Hierarchy(regions, list(ags_uniq))
    a_all = hierarchy.index.get_indexer(pd.Index(ags_uniq, dtype=object))[ags_codes]
    y_all = facts["year"].to_numpy(dtype="int64")
    v_all = pd.to_numeric(facts["value"], errors="coerce").to_numpy(dtype="float64")
    if "status" in facts.columns:
        st_codes, st_uniq = pd.factorize(facts["status"], use_na_sentinel=False)
        st_uniq = pd.Series(list(st_uniq), dtype=object)
        ranks_u, names = _status_ranks(st_uniq)
        r_all = ranks_u[st_codes]
    else:
        names = list(STATUS_PRECEDENCE)
        r_all = np.full(n, names.index(""), dtype="int64")
    miss = _is_missing_rank(r_all, names)
    nan_plain = np.isnan(v_all) & ~miss  # a missing value without a symbol is "unknown" (.)
    r_all = np.where(nan_plain, names.index("."), r_all)
    m_all = miss | nan_plain
    dim_codes = {}
    for d in voc.dimension_order:
        if d not in facts.columns:
            continue
        codes, uniq = pd.factorize(facts[d])
        lut = np.array([voc.dimensions[d].index(u) if u in voc.dimensions[d] else -1
                        for u in uniq] + [0], dtype="int64")  # last entry: missing → total
        dim_codes[d] = lut[codes]  # factorize gives -1 for missing → lut[-1] = 0
    stand = facts["stand"] if "stand" in facts.columns else None
    var_codes, var_uniq = pd.factorize(facts["variable"])
    order = np.argsort(var_codes, kind="stable")
    bounds = np.searchsorted(var_codes[order], np.arange(len(var_uniq) + 1))
    by_var = {}
    for i, var in enumerate(var_uniq):
        dims = voc.variables.get(var)
        if dims is None:
            continue
        idx = order[bounds[i]:bounds[i + 1]]
        vd = _VarData(a_all[idx], y_all[idx], v_all[idx], r_all[idx], m_all[idx],
                      {d: (dim_codes[d][idx] if d in dim_codes else np.zeros(len(idx), "int64"))
                       for d in dims})
        # the same observation from several files: the newest Stand wins
        key = np.zeros(len(idx), dtype="int64")
        for col in (vd.a, vd.y - int(vd.y.min()) if len(idx) else vd.y,
                    *vd.dims.values()):
            key = key * (int(col.max()) + 2 if len(col) else 1) + (col + 1)
        ks_sorted = np.sort(key)
        if len(key) > 1 and (ks_sorted[1:] == ks_sorted[:-1]).any():
            when = (pd.to_datetime(pd.Series(stand.to_numpy()[idx]), errors="coerce")
                    .to_numpy().astype("int64") if stand is not None
                    else np.zeros(len(idx), dtype="int64"))  # NaT sorts first
            srt = np.lexsort((np.arange(len(idx)), when))
            ks = key[srt]
            _, first_rev = np.unique(ks[::-1], return_index=True)
            keep = np.sort(srt[len(ks) - 1 - first_rev])  # last (newest) of every key
            vd = _VarData(vd.a[keep], vd.y[keep], vd.v[keep], vd.r[keep], vd.m[keep],
                          {d: c[keep] for d, c in vd.dims.items()})
        by_var[var] = vd
    return by_var, names, hierarchy


class _Hierarchy:
    """Parent of every region and the number of children each parent expects per level."""

    CHILD_LEVELS = ("sozialraum", "kreis", "regbez", "land")
    #: bottom-up order in which sums are built
    LEVEL_ORDER = ("sozialraum", "gemeinde", "kreis", "regbez", "land", "bund")

    def __init__(self, regions: pd.DataFrame | None, keys: Iterable[str]):
        from .regions import LAENDER, ags_levels, parent_of

        keys = pd.Series(sorted(set(keys)), dtype=object)
        if regions is not None:
            missing = [c for c in ("ags",) if c not in regions.columns]
            if missing:
                raise ParameterError("`regions` must be a region table with a column 'ags'.")
            r = regions.copy()
            r["ags"] = r["ags"].astype(str)
            r = r.drop_duplicates("ags")
            if "level" not in r.columns:
                r["level"] = ags_levels(r["ags"]).to_numpy()
            if "parent" not in r.columns:
                r["parent"] = parent_of(r["ags"]).to_numpy()
            extra = keys[~keys.isin(r["ags"])]
            if len(extra):
                add = pd.DataFrame({"ags": extra.to_numpy()})
                add["level"] = ags_levels(add["ags"]).to_numpy()
                known = pd.concat([r["ags"], add["ags"]])
                add["parent"] = parent_of(add["ags"], regions=known).to_numpy()
                r = pd.concat([r, add], ignore_index=True)
        else:
            r = pd.DataFrame({"ags": keys.to_numpy()})
            r["level"] = ags_levels(r["ags"]).to_numpy() if len(r) else []
            r["parent"] = parent_of(r["ags"]).to_numpy() if len(r) else []
        r["level"] = r["level"].astype(str)
        r["parent"] = r["parent"].astype(object).where(r["parent"].notna(), None)
        exists = r["exists"] if "exists" in r.columns else pd.Series(True, index=r.index)
        exists = exists.astype(object).where(exists.notna(), True).astype(bool).to_numpy()
        self.table = r[["ags", "level", "parent"]].reset_index(drop=True)
        self.index = pd.Index(self.table["ags"].astype(str).to_numpy(dtype=object))
        self.level_of = dict(zip(self.table["ags"], self.table["level"], strict=True))
        lv_codes = {lv: i for i, lv in enumerate(self.LEVEL_ORDER)}
        self.level = self.table["level"].map(lv_codes).fillna(-1).to_numpy(dtype="int64")
        parent = self.index.get_indexer(self.table["parent"].astype(object))
        parent[self.table["parent"].isna().to_numpy()] = -1
        self.parent = parent
        # expected[l, p]: children of level l the region p has (existing regions only)
        n = len(self.index)
        self.expected = np.zeros((len(self.LEVEL_ORDER), max(n, 1)), dtype="int64")
        ok = exists & (parent >= 0) & (self.level >= 0)
        np.add.at(self.expected, (self.level[ok], parent[ok]), 1)
        # Deutschland is the sum of the 16 Länder, whatever the region table lists: a data
        # folder with one Land (or the fictional Musterland) never makes a Bund value
        dg = self.index.get_indexer(["DG"])[0]
        if dg >= 0:
            land = self.LEVEL_ORDER.index("land")
            self.expected[land, dg] = max(self.expected[land, dg], len(LAENDER))

    def aggregate(self, f: _F, keys: _Keys) -> _F:
        """Add parent rows (summed children) where the parent has none; bottom-up."""
        if not len(f):
            return f
        parts = [f]
        have = keys(f.a, f.y, f.c)
        cur = f
        for code, level in enumerate(self.LEVEL_ORDER):
            if level not in self.CHILD_LEVELS:
                continue
            sel = self.level[cur.a] == code
            if not sel.any():
                continue
            child = cur.take(np.flatnonzero(sel))
            p = self.parent[child.a]
            ok = p >= 0
            if not ok.any():
                continue
            child = child.take(np.flatnonzero(ok))
            child.a = p[ok]
            summed, cnt, uniq = _group_sum(child, keys(child.a, child.y, child.c))
            keep = (cnt >= self.expected[code, summed.a]) & ~np.isin(uniq, have)
            if not keep.any():
                continue
            new = summed.take(np.flatnonzero(keep))
            parts.append(new)
            have = np.concatenate([have, uniq[keep]])
            cur = _F.concat([cur, new])
        return parts[0] if len(parts) == 1 else _F.concat(parts)


class _Engine:
    def __init__(self, by_var, names, voc, hierarchy, keys: _Keys):
        self.by_var = by_var
        self.names = names
        self.voc = voc
        self.h = hierarchy
        self.keys = keys
        self.cache: dict = {}

    def term(self, term: Term, bdim: str | None) -> _F | None:
        key = (term, bdim)
        if key in self.cache:
            return self.cache[key]
        vd = self.by_var.get(term.variable)
        if vd is None or not len(vd.a):
            self.cache[key] = None
            return None
        filt = term.filter_dict
        mask = np.ones(len(vd.a), dtype=bool)
        expected = 1
        for d, codes in vd.dims.items():
            if d == bdim:
                mask &= codes > 0
            elif d in filt:
                wanted = [self.voc.dimensions[d].index(c) for c in filt[d]]
                mask &= np.isin(codes, wanted)
                expected *= len(wanted)
            else:
                mask &= codes == 0
        idx = np.flatnonzero(mask)
        c = vd.dims[bdim][idx] if bdim else np.zeros(len(idx), dtype="int64")
        f = _F(vd.a[idx], vd.y[idx], c, vd.v[idx], vd.r[idx], vd.m[idx])
        f, cnt, _ = _group_sum(f, self.keys(f.a, f.y, f.c))
        f = f.take(np.flatnonzero(cnt == expected))
        if term.variable not in self.voc.non_additive:
            f = self.h.aggregate(f, self.keys)
        self.cache[key] = f
        return f

    def side(self, terms: tuple, bdim: str | None) -> _F | None:
        out = None
        for t in terms:
            b = bdim if bdim in self.voc.variables[t.variable] else None
            f = self.term(t, b)
            if f is None or not len(f):
                return None
            if out is None:
                out = _F(f.a, f.y, f.c, f.v.copy(), f.r.copy(), f.m.copy())
                continue
            pos = pd.Index(self.keys(f.a, f.y, f.c)).get_indexer(
                self.keys(out.a, out.y, out.c))
            ok = np.flatnonzero(pos >= 0)
            out = out.take(ok)
            pos = pos[ok]
            out.v = out.v + f.v[pos]
            out.r = np.minimum(out.r, f.r[pos])
            out.m = out.m | f.m[pos]
        return out

    def indicator(self, ind: Indicator, bdim: str | None, pool: int):
        num = self.side(ind.numerator, bdim)
        if num is None or not len(num):
            return None
        if ind.denominator:
            den_has = bdim is not None and bdim in self.voc.variables[ind.denominator[0].variable]
            den = self.side(ind.denominator, bdim if den_has else None)
            if den is None or not len(den):
                return None
            num_c = num.c if den_has else np.zeros(len(num), dtype="int64")
            pos = pd.Index(self.keys(den.a, den.y, den.c)).get_indexer(
                self.keys(num.a, num.y, num_c))
            ok = np.flatnonzero(pos >= 0)
            num = num.take(ok)
            pos = pos[ok]
            dv, dr, dm = den.v[pos], den.r[pos], den.m[pos]
        else:
            # counts and means: value = numerator / 1 (pooling averages them)
            dv = np.ones(len(num))
            dr = np.full(len(num), self.names.index("-"), dtype="int64")
            dm = np.zeros(len(num), dtype=bool)
        rows = {"a": num.a, "y": num.y, "c": num.c, "nv": num.v, "nr": num.r, "nm": num.m,
                "dv": dv, "dr": dr, "dm": dm}
        if pool > 1:
            rows = self._pool(rows, pool)
        if not len(rows["a"]):
            return None
        return rows

    def _pool(self, rows: dict, k: int) -> dict:
        shifted = {f: np.concatenate([rows[f]] * k) for f in rows}
        shifted["y"] = np.concatenate([rows["y"] + off for off in range(k)])
        key = self.keys(shifted["a"], shifted["y"], shifted["c"])
        nf = _F(shifted["a"], shifted["y"], shifted["c"], shifted["nv"], shifted["nr"],
                shifted["nm"])
        df = _F(shifted["a"], shifted["y"], shifted["c"], shifted["dv"], shifted["dr"],
                shifted["dm"])
        ns, cnt, uniq = _group_sum(nf, key)
        ds, _, _ = _group_sum(df, key)
        # all k years present, and the last pooled year is a year of the data
        keep = (cnt == k) & np.isin(uniq, self.keys(rows["a"], rows["y"], rows["c"]))
        i = np.flatnonzero(keep)
        return {"a": ns.a[i], "y": ns.y[i], "c": ns.c[i], "nv": ns.v[i], "nr": ns.r[i],
                "nm": ns.m[i], "dv": ds.v[i], "dr": ds.r[i], "dm": ds.m[i]}


def _finalise(parts: list, inds: dict, names: list[str], voc: Vocabulary,
              hierarchy: _Hierarchy, order: dict) -> pd.DataFrame:
    cat = {f: np.concatenate([p[f] for _, _, p in parts]) for f in parts[0][2]}
    n_each = [len(p["a"]) for _, _, p in parts]
    ind_ids = np.repeat(np.array([i for i, _, _ in parts], dtype=object), n_each)
    bds = [b for _, b, _ in parts]
    bd_arr = np.repeat(np.array([b or TOTAL for b in bds], dtype=object), n_each)
    labels = np.concatenate([
        np.asarray(voc.dimensions[b], dtype=object)[p["c"]] if b else
        np.full(len(p["a"]), TOTAL, dtype=object) for _, b, p in parts])
    kind = np.repeat(np.array([inds[i].kind for i, _, _ in parts], dtype=object), n_each)
    scale = np.repeat(np.array([inds[i].scale for i, _, _ in parts], dtype="float64"), n_each)
    num = np.where(cat["nm"], np.nan, cat["nv"])
    den = np.where(cat["dm"], np.nan, cat["dv"])
    rank = np.minimum(cat["nr"], cat["dr"])
    single = np.isin(kind, ["count", "mean"])
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den * scale
    zero_den = ~single & np.isfinite(den) & (den == 0)
    rank = np.where(zero_den, np.minimum(rank, names.index("x")), rank)
    value = np.where(zero_den, np.nan, value)
    missing = _is_missing_rank(rank, names)
    value = np.where(missing, np.nan, value)
    low = np.full(len(value), np.nan)
    high = np.full(len(value), np.nan)
    share = (kind == "share") & ~missing
    if share.any():
        lo, hi = wilson_interval(num[share], den[share])
        low[share], high[share] = lo * scale[share], hi * scale[share]
    rate = (kind == "rate") & ~missing
    if rate.any():
        lo, hi = poisson_interval(num[rate], den[rate])
        low[rate], high[rate] = lo * scale[rate], hi * scale[rate]
    # sort: catalogue order, total first, breakdowns in the entry's order, categories in
    # vocabulary order, regions by key, years
    ags_rank = np.empty(len(hierarchy.index), dtype="int64")
    ags_rank[np.argsort(hierarchy.index.to_numpy().astype(str), kind="stable")] = np.arange(
        len(hierarchy.index))
    ind_order = np.repeat(np.array([order[i] for i, _, _ in parts]), n_each)
    bd_order = np.repeat(np.array([0 if b is None else 1 + inds[i].breakdowns.index(b)
                                   for i, b, _ in parts]), n_each)
    srt = np.lexsort((cat["y"], ags_rank[cat["a"]], cat["c"], bd_order, ind_order))
    out = pd.DataFrame({
        "ags": hierarchy.index.to_numpy()[cat["a"]][srt].astype(str),
        "year": cat["y"][srt].astype("int64"),
        "indicator": ind_ids[srt].astype(str),
        "breakdown": bd_arr[srt].astype(str),
        "category": labels[srt].astype(str),
        "numerator": np.where(single, value, num)[srt].astype("float64"),
        "denominator": np.where(single, np.nan, den)[srt].astype("float64"),
        "value": value[srt].astype("float64"),
        "ci_low": low[srt],
        "ci_high": high[srt],
        "status": np.asarray(names, dtype=object)[rank][srt].astype(str),
    })
    return out


VALUE_TABLE_COLUMNS = (
    "ags", "year", "indicator", "breakdown", "category", "numerator", "denominator", "value",
    "ci_low", "ci_high", "status",
)


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame({
        "ags": pd.Series([], dtype=str), "year": pd.Series([], dtype="int64"),
        "indicator": pd.Series([], dtype=str), "breakdown": pd.Series([], dtype=str),
        "category": pd.Series([], dtype=str),
        **{c: pd.Series([], dtype="float64") for c in
           ("numerator", "denominator", "value", "ci_low", "ci_high")},
        "status": pd.Series([], dtype=str),
    })


def compute(
    facts: pd.DataFrame,
    indicators=None,
    *,
    regions: pd.DataFrame | None = None,
    by: str | Iterable[str] | None = None,
    pool_years: int = 1,
    levels: Iterable[str] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Compute indicators for every region and year in one vectorised pass.

    Parameters
    ----------
    facts : DataFrame
        Harmonised facts (:func:`harmonise`, :func:`bimokit.load_data` ``.facts``).
    indicators : str, list of str, Catalogue, optional
        Indicator ids (or entries); default: the whole catalogue.
    regions : DataFrame, keyword-only, optional
        Region table (``ags``, ``level``, ``parent``, optionally ``exists``); its hierarchy
        builds the aggregates, and a region is summed from its children only where all its
        (existing) children of the table are in the data. Default: the regions whose keys are
        in ``facts``, with parents from :func:`bimokit.regions.parent_of` (a parent that is not
        in the facts gets no aggregate: nothing says which Kreise it has).
    by : str, list of str or "all", keyword-only, optional
        Breakdowns to compute besides the total: dimension names (each used where the
        indicator offers it) or ``"all"`` for every breakdown an indicator offers.
        Default: totals only.
    pool_years : int, keyword-only
        Pool this many years ending in ``year``: numerators and denominators are summed over
        the years (counts and means are averaged); only years with all pooled years present
        get a value.
    levels : list of str, keyword-only, optional
        Region levels to return (``bund``, ``land``, ``regbez``, ``kreis``, ``gemeinde``,
        ``sozialraum``); default: all.
    catalogue : Catalogue, keyword-only, optional
        Where to look up ids; default: :func:`load_catalogue` ().

    Returns
    -------
    DataFrame
        The indicator-values table, one row per region, year, indicator and category:

        ``ags`` (str), ``year`` (int), ``indicator`` (id), ``breakdown`` (the dimension, or
        ``insgesamt`` for the total), ``category`` (its code, ``insgesamt`` for the total),
        ``numerator`` and ``denominator`` (summed counts; for counts and means the value and
        NaN), ``value`` (numerator / denominator × scale), ``ci_low`` and ``ci_high`` (95 %:
        Wilson for shares, exact Poisson for rates, NaN otherwise), ``status`` (see the
        module docstring). The columns are the same whatever the options.

    Notes
    -----
    ``value = sum(numerator terms) / sum(denominator terms) * scale``. Regions above the
    Kreis take the published value of every count where the source has one; otherwise the
    counts of their children (Sozialräume → Kreis → Regierungsbezirk → Land → Bund) are
    summed, but only where every child of the region table is present (for Deutschland: all
    16 Länder): rates at higher levels come from summed counts, never from averaged rates. A
    sum over a secret count is NaN with status ``.``. Means (kind ``mean``) are never
    summed. Rows exist only where every count the value needs is in the data.

    Examples
    --------
    >>> facts = pd.DataFrame({
    ...     "ags": ["01001", "01001", "01002", "01002"], "year": 2015,
    ...     "variable": "abgaenger", "abschluss": ["insgesamt", "ohne_esa"] * 2,
    ...     "value": [1302.0, 111.0, 2140.0, 140.0], "status": ""})
    >>> v = compute(facts, "D4.1")
    >>> v[["ags", "numerator", "denominator"]].values.tolist()
    [['01001', 111.0, 1302.0], ['01002', 140.0, 2140.0]]
    >>> round(float(v["value"].iloc[0]), 2)
    8.53

    With a region table in which Land ``01`` has exactly these two Kreise, the Land value
    is built from the summed counts:

    >>> regions = pd.DataFrame({"ags": ["01", "01001", "01002"]})
    >>> v = compute(facts, "D4.1", regions=regions)
    >>> v.loc[v["ags"] == "01", ["numerator", "denominator"]].values.tolist()
    [[251.0, 3442.0]]
    """
    if not isinstance(facts, pd.DataFrame):
        raise ParameterError(f"`facts` must be a DataFrame of facts; not {type(facts).__name__}.")
    if isinstance(pool_years, bool) or not isinstance(pool_years, int | np.integer) \
            or pool_years < 1:
        raise ParameterError(f"`pool_years` must be a whole number ≥ 1; not {pool_years!r}.")
    inds, voc = _select_indicators(indicators, catalogue)
    if by is None:
        wanted: set | None = set()
    elif isinstance(by, str) and by == "all":
        wanted = None
    else:
        wanted = {by} if isinstance(by, str) else set(by)
        bad = sorted(wanted - set(voc.dimensions))
        if bad:
            raise ParameterError(
                f"`by` must name dimensions ({', '.join(voc.dimensions)}) or be 'all'; "
                f"not {', '.join(map(repr, bad))}.")
    if levels is not None:
        from .regions import LEVELS
        levels = [levels] if isinstance(levels, str) else list(levels)
        bad = [lv for lv in levels if lv not in LEVELS]
        if bad:
            raise ParameterError(
                f"`levels` must be among {', '.join(LEVELS)}; not {', '.join(map(repr, bad))}.")
    if facts.empty or not inds:
        return _empty_values()
    by_var, names, hierarchy = _prepare_facts(facts, voc, regions)
    if not by_var:
        return _empty_values()
    years = np.concatenate([vd.y for vd in by_var.values()])
    ymin, ymax = int(years.min()), int(years.max())
    ncat = max(len(c) for c in voc.dimensions.values())
    keys = _Keys(ymin, ymax - ymin + int(pool_years) + 1, ncat)
    engine = _Engine(by_var, names, voc, hierarchy, keys)
    parts = []
    for ind in inds:
        bds = [None] + [b for b in ind.breakdowns if wanted is None or b in wanted]
        for b in bds:
            part = engine.indicator(ind, b, int(pool_years))
            if part is not None:
                parts.append((ind.id, b, part))
    if not parts:
        return _empty_values()
    order = {i.id: n for n, i in enumerate(inds)}
    out = _finalise(parts, {i.id: i for i in inds}, names, voc, hierarchy, order)
    if levels is not None:
        lv = out["ags"].map(hierarchy.level_of)
        out = out[lv.isin(levels).to_numpy()]
    return out.reset_index(drop=True)
