"""Load a data folder (or a list of exports) into harmonised facts and a region table.

:func:`load_data` reads every export with :func:`bimokit.io.read`, maps it to the harmonised
vocabulary with :func:`bimokit.harmonization.harmonize`, resolves overlapping editions (the newer
``Stand`` wins) and lists the values that were revised between editions.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ._paths import sample_dir
from .catalogue import load_vocabulary
from .computation import compute
from .disclosure import DisclosureRules, protect_facts
from .errors import InputError, InputWarning, UnknownTableError
from .harmonization import derive_complements, harmonize, load_table_mappings
from .io.editions import newest_edition, newest_first
from .io.own import read_sozialraum

__all__ = ["Dataset", "load_data", "load_sample", "NON_FACT_FILES", "DISCLOSURE_FILE",
           "SOZIALRAUM_FILES"]

#: Files in a data folder that are not exports: the region table, the offers inventory and
#: the Versorgungsstandards (``bimokit.offers``) and the Zielwerte (``bimokit.targets``), as
#: CSV or XLSX; GeoJSON files are skipped as well.
NON_FACT_FILES = ("regions.csv", "angebote.csv", "zielwerte.csv", "standards.csv",
                  "angebote.xlsx", "zielwerte.xlsx", "standards.xlsx")

#: The Kommune's own counts per Sozialraum (template ``bimokit template sozialraum``): read
#: with :func:`bimokit.io.own.read_sozialraum`, every problem of the file at once.
SOZIALRAUM_FILES = ("sozialraumdaten.csv", "sozialraumdaten.xlsx")

_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Harmonised facts of a data folder, its region table and the revisions between editions.

    Attributes
    ----------
    facts : DataFrame
        Harmonised facts (see :func:`bimokit.harmonization.harmonize`): ``ags``, ``year``,
        ``variable``, dimension columns, ``value``, ``status``, ``source`` (table code),
        ``file``, ``stand``. One row per observation: where editions overlap, the row of the
        newer ``Stand`` is kept.
    regions : DataFrame
        Region table (:func:`bimokit.regions.build_regions`): ``ags``, ``name``, ``level``,
        ``parent``, ``kreistyp``, ``valid_from``, ``valid_to``, ``exists``.
    revisions : DataFrame
        Values that differ between editions: ``ags``, ``year``, ``variable``, ``dims`` (the
        dimension codes as text, e.g. ``abschluss=ohne_esa, geschlecht=insgesamt``),
        ``old_value``, ``new_value``, ``old_status``, ``new_status``, ``old_stand``,
        ``new_stand``, ``old_file``, ``new_file``, ``source``.
    files : DataFrame
        One row per file read: ``file``, ``table_code``, ``stand``, ``rows`` (harmonised rows).
    disclosure : DisclosureRules or None
        The rules the Kommune's own small-area counts were protected with
        (:func:`bimokit.disclosure.protect_facts`); None where protection was switched off.
    suppressed : DataFrame
        The own cells the protection changed (``ags``, ``year``, ``variable``, dimensions,
        ``protection``).
    """

    facts: pd.DataFrame
    regions: pd.DataFrame
    revisions: pd.DataFrame
    files: pd.DataFrame
    disclosure: object = None
    suppressed: pd.DataFrame | None = None

    def compute(self, indicators=None, **options) -> pd.DataFrame:
        """Compute indicators on these facts with this region table.

        Same as ``bimokit.compute(ds.facts, indicators, regions=ds.regions, **options)``.
        """
        return compute(self.facts, indicators, regions=self.regions, **options)

    def __repr__(self) -> str:
        return (f"Dataset({len(self.facts)} facts, {self.facts['variable'].nunique()} "
                f"variables, {len(self.regions)} regions, {len(self.files)} files, "
                f"{len(self.revisions)} revised values)")


def _collect(paths) -> tuple[list[Path], Path | None]:
    if paths is None:
        paths = [sample_dir()]
    elif isinstance(paths, str | PathLike):
        paths = [paths]
    files: list[Path] = []
    regions_csv = None
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise InputError("no such file or folder", path=p)
        if p.is_dir():
            found = sorted(f for f in p.iterdir()
                           if f.is_file() and f.suffix.lower() in _SUFFIXES
                           and f.name not in NON_FACT_FILES and not f.name.startswith("."))
            if (p / "regions.csv").is_file():
                regions_csv = p / "regions.csv"
            if not found:
                raise InputError("the folder holds no exports (*.csv, *.xlsx)", path=p)
            files.extend(found)
        elif p.name == "regions.csv":
            regions_csv = p
        else:
            files.append(p)
    if not files:
        raise InputError("no export files given")
    return files, regions_csv


def _dims_text(df: pd.DataFrame, dims: list[str]) -> pd.Series:
    parts = []
    for d in dims:
        col = df[d].astype(object)
        parts.append(np.where(col.notna(), d + "=" + col.fillna("").astype(str), ""))
    if not parts:
        return pd.Series("", index=df.index, dtype=object)
    joined = [", ".join(p for p in row if p) for row in zip(*parts, strict=True)]
    return pd.Series(joined, index=df.index, dtype=object)


def _resolve(facts: pd.DataFrame, dims: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the newest edition of every observation; list the values that changed."""
    key = ["ags", "year", "variable", *dims]
    keep = newest_edition(facts, key)
    kept = facts[keep].reset_index(drop=True)
    if keep.all():
        return kept, _empty_revisions()
    # pair every older row with the kept row of its observation
    keyframe = facts[key].astype(object).where(facts[key].notna(), "")
    dup = keyframe.duplicated(keep=False).to_numpy()
    pair_key = pd.MultiIndex.from_frame(keyframe[dup]).to_flat_index()
    rows = facts[dup].assign(_k=pair_key)
    older, winners = rows[~keep[dup]], rows[keep[dup]]
    m = older.merge(winners[["_k", "value", "status", "stand", "file"]], on="_k",
                    suffixes=("_old", "_new"))
    same_value = (m["value_old"] == m["value_new"]) | (
        m["value_old"].isna() & m["value_new"].isna())
    changed = m[~(same_value & (m["status_old"] == m["status_new"]))]
    if not len(changed):
        return kept, _empty_revisions()
    revisions = pd.DataFrame({
        "ags": changed["ags"].astype(str).to_numpy(),
        "year": changed["year"].to_numpy(dtype="int64"),
        "variable": changed["variable"].astype(str).to_numpy(),
        "dims": _dims_text(changed, dims).to_numpy(),
        "old_value": changed["value_old"].to_numpy(dtype="float64"),
        "new_value": changed["value_new"].to_numpy(dtype="float64"),
        "old_status": changed["status_old"].astype(str).to_numpy(),
        "new_status": changed["status_new"].astype(str).to_numpy(),
        "old_stand": changed["stand_old"].to_numpy(dtype=object),
        "new_stand": changed["stand_new"].to_numpy(dtype=object),
        "old_file": changed["file_old"].astype(str).to_numpy(),
        "new_file": changed["file_new"].astype(str).to_numpy(),
        "source": changed["source"].astype(str).to_numpy(),
    })
    return kept, revisions.sort_values(["variable", "ags", "year"],
                                       kind="stable").reset_index(drop=True)


def _empty_revisions() -> pd.DataFrame:
    return pd.DataFrame({
        "ags": pd.Series([], dtype=str), "year": pd.Series([], dtype="int64"),
        "variable": pd.Series([], dtype=str), "dims": pd.Series([], dtype=str),
        "old_value": pd.Series([], dtype="float64"), "new_value": pd.Series([], dtype="float64"),
        "old_status": pd.Series([], dtype=str), "new_status": pd.Series([], dtype=str),
        "old_stand": pd.Series([], dtype=object), "new_stand": pd.Series([], dtype=object),
        "old_file": pd.Series([], dtype=str), "new_file": pd.Series([], dtype=str),
        "source": pd.Series([], dtype=str),
    })


def load_data(
    paths: str | PathLike | Iterable[str | PathLike] | None = None,
    *,
    strict: bool = False,
    disclosure="auto",
) -> Dataset:
    """Read exports into harmonised facts, a region table and a list of revisions.

    Parameters
    ----------
    paths : str, Path or list of them, optional
        A data folder (every ``*.csv`` and ``*.xlsx`` in it except :data:`NON_FACT_FILES`;
        its ``regions.csv``, if any, adds names, Kreistyp and Sozialräume to the region
        table; a :data:`SOZIALRAUM_FILES` file holds the Kommune's own counts per
        Sozialraum, whose keys must be in ``regions.csv`` where there is one) or a list of
        files and folders. Default: the embedded sample
        ``data_samples/musterland``.
    strict : bool, keyword-only
        Raise instead of warning when a file holds a table the catalogue does not know (no
        table mapping) or labels its mapping does not know.
    disclosure : "auto", DisclosureRules, mapping or None, keyword-only
        How the Kommune's own small-area counts (Sozialräume) are protected before anything
        is computed from them (:func:`bimokit.disclosure.protect_facts`). ``"auto"``
        (default): the rules of the data folder's ``geheimhaltung.toml`` (a ``[disclosure]``
        table; ``enabled = false`` there switches protection off explicitly), else a minimum
        count of 3 with secondary suppression. ``None`` switches it off; the chapters' Methodik
        then says so.

    Returns
    -------
    Dataset
        ``facts``, ``regions``, ``revisions``, ``files`` (see :class:`Dataset`).

    Raises
    ------
    bimokit.errors.InputError
        Naming the file: a path that does not exist, a file that is not a readable export;
        with ``strict=True`` a table without a mapping (:class:`~bimokit.errors.
        UnknownTableError`) or a label its mapping does not know; a table without a mapping
        also where no file holds a table the catalogue knows.

    Warns
    -----
    bimokit.errors.InputWarning
        For every file skipped because the catalogue does not know its table, naming the
        file and the table (not with ``strict=True``, which refuses instead).

    Notes
    -----
    Where several files hold the same observation (same ``ags``, ``year``, ``variable`` and
    dimension codes), the file with the newer ``Stand`` wins (files without a ``Stand``, such
    as flat CSV, count as oldest; between equals the later file name wins); every kept value
    keeps its ``file`` and ``stand``. Observations whose value or status differ between
    files are listed in ``revisions``.

    Hamburg and Berlin are a Land and a kreisfreie Stadt at once; the Kreis tables of the
    Regionalstatistik give them as Land rows (``02``, ``11``) only. Where the data has such a
    Land row but no ``02000`` / ``11000``, the Land's facts are also given under that Kreis
    key (name of the Land, Kreistyp ``kreisfreie Stadt``), so that reports and comparisons of
    Kreise include them.

    Examples
    --------
    >>> ds = load_data()
    >>> sorted(ds.facts["variable"].unique())[:3]
    ['abgaenger', 'abgaenger_beruflich', 'arbeitslose']
    >>> ds.regions.loc[ds.regions["ags"] == "99101", "level"].item()
    'kreis'
    """
    from . import io as bio
    from .regions import build_regions, read_regions

    files, regions_csv = _collect(paths)
    voc = load_vocabulary()
    mappings = load_table_mappings(vocabulary=voc)
    parts, region_rows, listing, skipped = [], [], [], []
    known_keys = read_regions(regions_csv)["ags"] if regions_csv is not None else None
    for f in files:
        if f.name in SOZIALRAUM_FILES:
            own = read_sozialraum(f, regions=known_keys, vocabulary=voc)
            h = harmonize(own, strict=strict, vocabulary=voc)
            h["file"] = str(f)
            parts.append(h)
            listing.append({"file": str(f), "table_code": "", "stand": None, "rows": len(h)})
            continue
        export = bio.read(f, units=voc.units)
        try:
            h = harmonize(export, strict=strict, vocabulary=voc, mappings=mappings,
                          complements=False)
        except UnknownTableError as exc:
            if strict:
                raise
            skipped.append(exc)
            _warn_skipped(f, export)
            continue
        h["file"] = str(f)
        parts.append(h)
        if export.regions is not None and len(export.regions):
            region_rows.append(export.regions.assign(stand=export.stand))
        listing.append({"file": str(f), "table_code": export.table_code or "",
                        "stand": export.stand, "rows": len(h)})
    if not parts:  # nothing the catalogue knows: say why for the first file
        raise skipped[0]
    dims = [d for d in voc.dimension_order if any(d in p.columns for p in parts)]
    cols = ["ags", "year", "variable", *dims, "value", "status", "source", "file", "stand"]
    facts = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
    for d in dims:
        facts[d] = facts[d].astype(object).where(facts[d].notna(), None)
    facts["stand"] = facts["stand"].astype(object).where(facts["stand"].notna(), None)
    facts, revisions = _resolve(facts, dims)
    # männlich/deutsch where only Insgesamt and weiblich/ausländisch are published: derived
    # after the editions are resolved, so that a revision is listed once, as published
    facts = derive_complements(facts, vocabulary=voc)
    facts, city_rows = _city_state_kreise(facts)

    rows = []
    if regions_csv is not None:
        rows.append(read_regions(regions_csv))
    if region_rows:
        # the names of the newest edition first: build_regions keeps the first it meets
        rr = pd.concat(region_rows, ignore_index=True)
        rows.append(rr.iloc[newest_first(rr["stand"])].drop(columns="stand"))
    if len(city_rows):
        rows.append(city_rows)
    if rows:
        all_rows = pd.concat(rows, ignore_index=True)
    else:
        all_rows = pd.DataFrame({"ags": [], "name": []})
    known = set(all_rows["ags"].astype(str))
    missing = sorted(set(facts["ags"]) - known)
    if missing:
        all_rows = pd.concat([all_rows, pd.DataFrame({"ags": missing, "name": missing})],
                             ignore_index=True)
    life = facts[facts["variable"] == "bevoelkerung"]
    if life.empty:
        life = facts
    regions = build_regions(all_rows, life[["ags", "year", "value", "status"]])
    rules = _disclosure_rules(disclosure, files)
    suppressed = None
    if rules is not None:
        facts, suppressed = protect_facts(facts, rules=rules, dimensions=dims)
    return Dataset(
        facts=facts,
        regions=regions,
        revisions=revisions,
        files=pd.DataFrame(listing, columns=["file", "table_code", "stand", "rows"]),
        disclosure=rules,
        suppressed=suppressed,
    )


#: The file of a data folder that sets the disclosure rules of its own small-area data.
DISCLOSURE_FILE = "geheimhaltung.toml"


def _disclosure_rules(disclosure, files: list[Path]):
    """The rules for :func:`load_data`'s ``disclosure`` (None: switched off)."""
    if disclosure is None or disclosure is False:
        return None
    if isinstance(disclosure, DisclosureRules):
        return disclosure
    if disclosure != "auto":
        return DisclosureRules.from_mapping(disclosure)
    for folder in dict.fromkeys(f.parent for f in files):
        path = folder / DISCLOSURE_FILE
        if path.is_file():
            data = _read_disclosure_file(path)
            enabled = data.pop("enabled", True)
            if not isinstance(enabled, bool):
                raise InputError(f"`enabled` must be true or false; not {enabled!r}.",
                                 path=path, field="enabled")
            return DisclosureRules.from_mapping(data, path=path) if enabled else None
    return DisclosureRules()


def _read_disclosure_file(path: Path) -> dict:
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path) from None
    return dict(data.get("disclosure", data))
def _warn_skipped(path: Path, export) -> None:
    """An :class:`InputWarning` for a file whose table the catalogue does not know."""
    code = export.table_code or ", ".join(map(str, pd.unique(export.facts["source"])[:3]))
    warnings.warn(
        f"{path}: table {code!r} is not in the catalogue (no table mapping); the file is "
        "skipped, the other files are read (strict=True / --strict refuses such a file)",
        InputWarning, stacklevel=3)


def _city_state_kreise(facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hamburg and Berlin as Kreise ``02000``/``11000`` where the data has them as Länder only.

    Returns the facts with the copies added and the region rows of the added Kreise.
    """
    from .regions import CITY_STATES, LAENDER

    ags = facts["ags"].astype(str)
    present = set(ags.unique())
    copies, rows = [], []
    for land in CITY_STATES:
        kreis = f"{land}000"
        if land in present and kreis not in present:
            copy = facts[(ags == land).to_numpy()].copy()
            copy["ags"] = kreis
            copies.append(copy)
            rows.append({"ags": kreis, "name": LAENDER[land], "kreistyp": "kreisfreie Stadt"})
    if not copies:
        return facts, pd.DataFrame(columns=["ags", "name", "kreistyp"])
    return (pd.concat([facts, *copies], ignore_index=True),
            pd.DataFrame(rows, columns=["ags", "name", "kreistyp"]))


def load_sample(name: str = "musterland") -> Dataset:
    """Load an embedded sample by name.

    Parameters
    ----------
    name : str
        ``"musterland"``: the fictional Land Musterland (code 99) with about 30 Kreise,
        Sozialräume of Musterstadt (99101) and years 2012–2024, in the real export formats.

    Returns
    -------
    Dataset

    Examples
    --------
    >>> ds = load_sample()
    >>> int(ds.facts["year"].max())
    2024
    """
    return load_data(sample_dir(name))


