"""The indicator catalogue: every fact about an indicator, as data, checked on load.

:func:`load_catalogue` reads the indicator definitions (``bimokit/catalogue/indicators.toml``
plus any file a Kommune adds) and checks every entry against the harmonised vocabulary
(``bimokit/catalogue/variables.toml``, docs/data_contract.md section 2). Messages name the
entry: "Indicator 'C2.1': direction must be 1, -1 or 0, not 2".
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .._schema import TOTAL
from ..errors import CatalogueError, ParameterError

__all__ = [
    "Vocabulary",
    "Term",
    "Indicator",
    "Catalogue",
    "KINDS",
    "Handlungsfeld",
    "load_vocabulary",
    "load_catalogue",
    "catalogue_table",
    "SOURCE_KINDS",
    "load_source_tables",
]

CATALOGUE_DIR = Path(__file__).resolve().parent
#: Kinds of indicator and the interval each gets.
KINDS = {
    "share": "part of the denominator; Wilson 95 % interval",
    "rate": "per population, not a part of it; exact Poisson 95 % interval of the numerator",
    "ratio": "one quantity per another; no interval",
    "count": "the numerator itself; no interval",
    "mean": "a published average or quota; no interval, never summed over regions",
}

_KEYS = ("ags", "year")
_DIRECTIONS = (1, -1, 0)
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_INDICATOR_FIELDS = {
    "id", "handlungsfeld", "title", "definition", "interpretation", "kind", "numerator",
    "denominator", "scale", "unit", "direction", "breakdowns", "source_tables", "subject",
}
_GENERA = ("m", "f", "n")
_HF_FIELDS = {"name", "chapter_title", "main_indicators", "structural_zero"}
_TOP_KEYS = {"indicator", "handlungsfeld", "sozialindex", "vergleichsgruppe"}
_REQUIRED = (
    "id", "handlungsfeld", "title", "definition", "interpretation", "kind", "numerator",
    "unit", "direction", "source_tables",
)
_UNIT_SCALE = {"%": 100, "‰": 1000}


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise CatalogueError(f"{path}: file not found.") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from None

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
    partitions : frozenset[str]
        Dimensions whose categories other than ``insgesamt`` add up to it (``geschlecht``:
        männlich + weiblich; ``nationalitaet``: deutsch + ausländisch), so that a missing one
        is the total minus the others.
    splits : dict[str, tuple[str, dict[str, str]]]
        Variable → (dimension, code → variable): a value of the variable with that code is
        the other variable (``betreute_kinder`` of the ``betreuungsart`` ``tagespflege`` is
        ``tagespflege_kinder``).
    """

    dimensions: dict
    variables: dict
    titles: dict
    units: dict
    non_additive: frozenset
    partitions: frozenset = frozenset()
    splits: dict = field(default_factory=dict)

    @property
    def dimension_order(self) -> tuple[str, ...]:
        return tuple(self.dimensions)




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
    data = read_toml(path)
    dims, variables, titles, units, non_add, parts = {}, {}, {}, {}, set(), set()
    for name, spec in data.get("dimensions", {}).items():
        codes = spec.get("codes") if isinstance(spec, dict) else None
        if not isinstance(codes, list) or TOTAL not in codes:
            raise CatalogueError(
                f"{path}: dimension {name!r} needs a list `codes` that contains {TOTAL!r}."
            )
        dims[name] = tuple(str(c) for c in codes)
        titles[name] = spec.get("title", name)
        partition = spec.get("partition", False)
        if not isinstance(partition, bool):
            raise CatalogueError(f"{path}: dimension {name!r}: `partition` must be true or false.")
        if partition:
            if len(codes) != 3:
                raise CatalogueError(
                    f"{path}: dimension {name!r}: a partition has {TOTAL!r} and two codes.")
            parts.add(name)
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
    splits = {}
    for name, spec in data.get("variables", {}).items():
        if "split" in spec:
            splits[name] = _parse_split(name, spec["split"], variables, dims, path)
    return Vocabulary(dims, variables, titles, units, frozenset(non_add), frozenset(parts),
                      splits)


def _parse_split(name, split, variables, dims, path) -> tuple[str, dict[str, str]]:
    where = f"{path}: variable {name!r}: split"
    if not isinstance(split, dict) or "dimension" not in split:
        raise CatalogueError(f"{where} must be {{ dimension = ..., <code> = <variable> }}.")
    dim = split["dimension"]
    if dim not in variables[name]:
        raise CatalogueError(f"{where}: {dim!r} is not a dimension of {name!r}.")
    targets = {k: v for k, v in split.items() if k != "dimension"}
    for code, target in targets.items():
        if code not in dims[dim] or code == TOTAL:
            raise CatalogueError(f"{where}: {code!r} is not a category of {dim}.")
        if target not in variables:
            raise CatalogueError(f"{where}: {target!r} is not a variable.")
    return dim, targets


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
    #: ``(phrase, genus)`` of the indicator as the subject of a German sentence, or None
    subject: tuple | None = None


@dataclass(frozen=True)
class Handlungsfeld:
    """One Handlungsfeld of the catalogue: a report chapter.

    ``structural_zero`` is None or ``{"marker": id, "indicators": (ids…), "text": str}``.
    """

    letter: str
    name: str
    chapter_title: str
    main_indicators: tuple
    structural_zero: dict | None = None


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
    #: letter → :class:`Handlungsfeld`, in report order
    handlungsfelder: dict = field(default_factory=dict, repr=False)
    #: default Sozialindex indicators and need directions: ``{"sozialraum": {id: ±1}, "kreis":
    #: {id: ±1}}``
    sozialindex: dict = field(default_factory=dict, repr=False)
    #: context indicators of the Vergleichsgruppe ``aehnlich:<k>``
    similar_context: tuple = ()

    def __getitem__(self, key: str) -> Indicator:
        try:
            return self.indicators[key]
        except KeyError:
            raise ParameterError(unknown_id_message(key, self.indicators)) from None

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


def unknown_id_message(key, known) -> str:
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


def _parse_indicator(entry, n: int, path: Path, voc: Vocabulary, letters) -> Indicator:
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
    if hf not in letters:
        raise _entry_error(
            ident, path, f"handlungsfeld must be one of {', '.join(letters)}, not {hf!r}")
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
    # a published quota (kind mean) is already in its unit
    if unit in _UNIT_SCALE and kind != "mean" and scale != _UNIT_SCALE[unit]:
        raise _entry_error(
            ident, path, f"unit {unit!r} needs scale {_UNIT_SCALE[unit]}, not {scale!r}")
    numerator = _parse_terms(entry["numerator"], "numerator", ident, path, voc)
    if kind in ("count", "mean"):
        if "denominator" in entry:
            raise _entry_error(ident, path, f"a {kind} has no denominator")
        if kind == "mean" and len(numerator) > 1:
            raise _entry_error(ident, path, "a mean has exactly one numerator term")
        if kind == "mean" and numerator[0].variable not in voc.non_additive:
            raise _entry_error(
                ident, path, f"a mean needs a published value that is never summed; variable "
                f"{numerator[0].variable!r} is additive (variables.toml: additive = false)")
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
    sources = entry["source_tables"]
    sources = [sources] if isinstance(sources, str) else sources
    if not isinstance(sources, list) or not sources or not all(
            isinstance(s, str) and s for s in sources):
        raise _entry_error(ident, path, "source_tables must be a non-empty list of table codes")
    subject = entry.get("subject")
    if subject is not None:
        if not isinstance(subject, dict) or set(subject) != {"phrase", "genus"} \
                or not str(subject.get("phrase", "")).strip() or subject["genus"] not in _GENERA:
            raise _entry_error(ident, path, "subject must be { phrase = \"der …\", genus = "
                               "\"m\" | \"f\" | \"n\" }")
        subject = (subject["phrase"].strip(), subject["genus"])
    return Indicator(
        id=iid, handlungsfeld=hf, title=entry["title"].strip(),
        definition=entry["definition"].strip(), interpretation=entry["interpretation"].strip(),
        kind=kind, numerator=numerator, denominator=denominator, scale=float(scale),
        unit=unit, direction=int(direction), breakdowns=tuple(breakdowns),
        source_tables=tuple(sources), file=str(path), subject=subject,
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
    first = read_toml(files[0])
    # A catalogue file of indicators only takes the Handlungsfelder, Sozialindex defaults and
    # Vergleichsgruppe of the built-in catalogue (ids it lacks are then left out of them).
    own = "handlungsfeld" in first
    settings_file = files[0] if own else CATALOGUE_DIR / "indicators.toml"
    settings = first if own else read_toml(settings_file)
    letters = _parse_handlungsfelder(settings.get("handlungsfeld"), settings_file)
    indicators: dict[str, Indicator] = {}
    for n_file, f in enumerate(files):
        data = first if n_file == 0 else read_toml(f)
        entries = data.get("indicator", [])
        allowed = _TOP_KEYS if n_file == 0 else {"indicator"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise CatalogueError(
                f"{f}: unknown top-level key(s) {', '.join(unknown)}; write each indicator "
                "as an [[indicator]] table")
        if not isinstance(entries, list):
            raise CatalogueError(f"{f}: write each indicator as an [[indicator]] table")
        for n, entry in enumerate(entries, start=1):
            ind = _parse_indicator(entry, n, f, voc, letters)
            if ind.id in indicators:
                raise CatalogueError(
                    f"Indicator {ind.id!r}: duplicate id, defined in {indicators[ind.id].file} "
                    f"and again in {f}")
            indicators[ind.id] = ind
    if not own:
        settings = _only_known(settings, indicators)
    handlungsfelder = _check_handlungsfelder(letters, indicators, settings_file) if own else \
        {k: replace(h, main_indicators=tuple(i for i in h.main_indicators if i in indicators),
                    structural_zero=h.structural_zero if h.structural_zero
                    and h.structural_zero["marker"] in indicators else None)
         for k, h in letters.items()}
    sozialindex = _parse_sozialindex(settings.get("sozialindex"), indicators, settings_file)
    similar = _parse_similar(settings.get("vergleichsgruppe"), indicators, settings_file)
    return Catalogue(indicators, voc, tuple(str(f) for f in files), handlungsfelder,
                     sozialindex, similar)


def _only_known(settings: dict, indicators: dict) -> dict:
    """The built-in Sozialindex and Vergleichsgruppe settings, restricted to ``indicators``."""
    si = {level: {i: d for i, d in spec.items() if i in indicators}
          for level, spec in (settings.get("sozialindex") or {}).items()}
    similar = [i for i in (settings.get("vergleichsgruppe") or {}).get("aehnlich", [])
               if i in indicators]
    return {"sozialindex": {k: v for k, v in si.items() if len(v) >= 2},
            "vergleichsgruppe": {"aehnlich": similar}}


def _parse_handlungsfelder(raw, path: Path) -> dict:
    """The ``[handlungsfeld.<letter>]`` tables, checked field by field (ids are checked later)."""
    if not isinstance(raw, dict) or not raw:
        raise CatalogueError(f"{path}: the catalogue needs its [handlungsfeld.<letter>] tables")
    out = {}
    for letter, spec in raw.items():
        where = f"Handlungsfeld {letter!r} (in {path})"
        if not re.fullmatch(r"[A-Z]", letter) or not isinstance(spec, dict):
            raise CatalogueError(f"{where}: write [handlungsfeld.<one capital letter>]")
        unknown = sorted(set(spec) - _HF_FIELDS)
        missing = sorted({"name", "chapter_title", "main_indicators"} - set(spec))
        if unknown or missing:
            what = f"unknown field(s) {', '.join(unknown)}" if unknown else \
                f"missing field(s) {', '.join(missing)}"
            raise CatalogueError(f"{where}: {what}")
        for name in ("name", "chapter_title"):
            if not isinstance(spec[name], str) or not spec[name].strip():
                raise CatalogueError(f"{where}: {name} must be a non-empty text")
        main = spec["main_indicators"]
        if not isinstance(main, list) or not all(isinstance(i, str) for i in main):
            raise CatalogueError(f"{where}: main_indicators must be a list of indicator ids")
        zero = spec.get("structural_zero")
        if zero is not None:
            if not isinstance(zero, dict) or set(zero) != {"marker", "indicators", "text"}:
                raise CatalogueError(f"{where}: structural_zero must be {{ marker = id, "
                                     "indicators = [ids], text = \"…\" }")
            zero = {"marker": zero["marker"], "indicators": tuple(zero["indicators"]),
                    "text": str(zero["text"])}
        out[letter] = Handlungsfeld(letter, spec["name"].strip(), spec["chapter_title"].strip(),
                                    tuple(main), zero)
    return out


def _check_handlungsfelder(hf: dict, indicators: dict, path: Path) -> dict:
    for letter, spec in hf.items():
        ids = list(spec.main_indicators)
        if spec.structural_zero:
            ids += [spec.structural_zero["marker"], *spec.structural_zero["indicators"]]
        for i in ids:
            if i not in indicators:
                raise CatalogueError(
                    f"Handlungsfeld {letter!r} (in {path}): {unknown_id_message(i, indicators)}")
    return hf


def _parse_sozialindex(raw, indicators: dict, path: Path) -> dict:
    out = {}
    for level, spec in (raw or {}).items():
        where = f"Sozialindex {level!r} (in {path})"
        if level not in ("sozialraum", "kreis") or not isinstance(spec, dict) or len(spec) < 2:
            raise CatalogueError(f"{where}: write sozialraum/kreis = {{ id = 1 or -1, … }} with "
                                 "at least two indicators")
        for i, d in spec.items():
            if i not in indicators:
                raise CatalogueError(f"{where}: {unknown_id_message(i, indicators)}")
            if isinstance(d, bool) or d not in (1, -1):
                raise CatalogueError(f"{where}: the need direction of {i!r} must be 1 or -1, "
                                     f"not {d!r}")
        out[level] = dict(spec)
    return out


def _parse_similar(raw, indicators: dict, path: Path) -> tuple:
    ids = (raw or {}).get("aehnlich", [])
    for i in ids:
        if i not in indicators:
            raise CatalogueError(f"Vergleichsgruppe 'aehnlich' (in {path}): "
                                 f"{unknown_id_message(i, indicators)}")
    return tuple(ids)


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
# Source tables: official code and title of every table the catalogue names

#: Kinds of source table (``source`` in ``source_tables.toml``).
SOURCE_KINDS = {
    "regionalstatistik": "a table of www.regionalstatistik.de, downloadable",
    "sample": "a code only the embedded sample Musterland uses; no Regionalstatistik table",
    "own": "a file the Kommune supplies in bimokit's long format",
}

_SOURCE_FIELDS = {"title", "source", "replaced_by", "see", "note"}
_SOURCE_COLUMNS = ["code", "title", "source", "replaced_by", "see", "note"]
#: Regionalstatistik table codes: ``21111-01-03-4``, ``21111-01-03-4-B``, ``12211-Z-08``.
_OFFICIAL_CODE = re.compile(r"^\d{5}-(?:\d{2}-\d{2}-\d|Z-\d{2})(?:-B)?$")


def _source_entry(code: str, spec, path: Path) -> dict:
    def fail(message: str) -> CatalogueError:
        return CatalogueError(f"Source table {code!r}: {message} (in {path})")

    if not isinstance(spec, dict):
        raise fail("must be a table")
    unknown = sorted(set(spec) - _SOURCE_FIELDS)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(map(repr, unknown))}; allowed are "
                   f"{', '.join(sorted(_SOURCE_FIELDS))}")
    title = spec.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("title must be a non-empty text")
    kind = spec.get("source")
    if kind not in SOURCE_KINDS:
        raise fail(f"source must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}")
    if kind == "regionalstatistik" and not _OFFICIAL_CODE.match(code):
        raise fail("is not a Regionalstatistik table code like '21111-01-03-4'")
    texts = {}
    for name in ("replaced_by", "see", "note"):
        value = spec.get(name, "")
        if not isinstance(value, str):
            raise fail(f"{name} must be a text, not {value!r}")
        texts[name] = " ".join(value.split())
    return {"code": code, "title": " ".join(title.split()), "source": kind, **texts}


def load_source_tables(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the source tables: official code and title of every table named.

    Parameters
    ----------
    path : str or Path, optional
        Default: ``bimokit/catalogue/source_tables.toml``.

    Returns
    -------
    DataFrame
        One row per table, in file order: ``code``; ``title`` (the official title of a
        Regionalstatistik table, a German description otherwise); ``source`` (a key of
        :data:`SOURCE_KINDS`: ``regionalstatistik``, ``sample`` or ``own``); ``replaced_by``
        (the current table where this one has ended);
        ``see`` (the Regionalstatistik table a sample code stands for); ``note`` (German).
        Texts are ``""`` where not given.

    Raises
    ------
    CatalogueError
        Naming the entry: an unknown field, a missing title, an unknown ``source``, a
        Regionalstatistik entry whose code is not a table code, or ``replaced_by`` / ``see``
        naming no entry. (Whether a table's mapping was checked against a real export is said
        where the mapping is: ``verified`` in ``tables.toml``.)

    Examples
    --------
    >>> st = load_source_tables().set_index("code")
    >>> st.loc["22541-01-01-4", "replaced_by"]
    '22541-01-04-4'
    >>> st.loc["21111-02-06-4", "source"]
    'regionalstatistik'
    """
    path = Path(path) if path is not None else CATALOGUE_DIR / "source_tables.toml"
    data = read_toml(path)
    unknown = sorted(set(data) - {"tables"})
    if unknown:
        raise CatalogueError(
            f"{path}: unknown top-level key(s) {', '.join(unknown)}; write each table as "
            '[tables."<code>"]')
    tables = data.get("tables", {})
    if not isinstance(tables, dict):
        raise CatalogueError(f'{path}: write each table as [tables."<code>"]')
    rows = [_source_entry(str(code), spec, path) for code, spec in tables.items()]
    codes = {r["code"] for r in rows}
    for r in rows:
        for name in ("replaced_by", "see"):
            if r[name] and r[name] not in codes:
                raise CatalogueError(
                    f"Source table {r['code']!r}: {name} {r[name]!r} is not an entry of "
                    f"{path.name} (in {path})")
    return pd.DataFrame(rows, columns=_SOURCE_COLUMNS)
