"""Load a data folder (or a list of exports) into harmonised facts and a region table.

:func:`load_data` reads every export with :func:`bimokit.io.read`, maps it to the harmonised
vocabulary with :func:`bimokit.harmonization.harmonize`, resolves overlapping editions (the newer
``Stand`` wins) and lists the values that were revised between editions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ._paths import sample_dir
from .catalogue import load_vocabulary
from .computation import compute
from .errors import InputError
from .harmonization import harmonize

__all__ = ["Dataset", "load_data", "load_sample", "NON_FACT_FILES"]

#: Files in a data folder that are not exports: the region table, the offers inventory
#: (``bimokit.offers``), the Zielwerte (``bimokit.chapters``) and the Versorgungsstandards
#: (``standards.csv``, chapter S); GeoJSON files are skipped as well.
NON_FACT_FILES = ("regions.csv", "angebote.csv", "zielwerte.csv", "standards.csv")

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
    """

    facts: pd.DataFrame
    regions: pd.DataFrame
    revisions: pd.DataFrame
    files: pd.DataFrame

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
    order = pd.to_datetime(facts["stand"], errors="coerce")
    facts = facts.assign(_o=order, _n=np.arange(len(facts)))
    facts = facts.sort_values(["_o", "_n"], na_position="first", kind="stable")
    key = ["ags", "year", "variable", *dims]
    keyframe = facts[key].astype(object).where(facts[key].notna(), "")
    dup = keyframe.duplicated(keep=False).to_numpy()
    last = ~keyframe.duplicated(keep="last").to_numpy()
    kept = facts[last]
    revisions = _empty_revisions()
    if dup.any():
        older = facts[dup & ~last].copy()
        winners = facts[dup & last].copy()
        okey = keyframe[dup & ~last]
        wkey = keyframe[dup & last]
        older["_k"] = pd.MultiIndex.from_frame(okey).to_flat_index()
        winners["_k"] = pd.MultiIndex.from_frame(wkey).to_flat_index()
        m = older.merge(winners[["_k", "value", "status", "stand", "file"]], on="_k",
                        suffixes=("_old", "_new"))
        same_value = (m["value_old"] == m["value_new"]) | (
            m["value_old"].isna() & m["value_new"].isna())
        changed = m[~(same_value & (m["status_old"] == m["status_new"]))]
        if len(changed):
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
            }).sort_values(["variable", "ags", "year"], kind="stable").reset_index(drop=True)
    kept = kept.sort_values("_n", kind="stable").drop(columns=["_o", "_n"])
    return kept.reset_index(drop=True), revisions


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
) -> Dataset:
    """Read exports into harmonised facts, a region table and a list of revisions.

    Parameters
    ----------
    paths : str, Path or list of them, optional
        A data folder (every ``*.csv`` and ``*.xlsx`` in it except :data:`NON_FACT_FILES`;
        its ``regions.csv``, if any, adds names, Kreistyp and Sozialräume to the region
        table) or a list of files and folders. Default: the embedded sample
        ``data_samples/musterland``.
    strict : bool, keyword-only
        Raise instead of warning when a table holds labels its mapping does not know.

    Returns
    -------
    Dataset
        ``facts``, ``regions``, ``revisions``, ``files`` (see :class:`Dataset`).

    Raises
    ------
    bimokit.errors.InputError
        Naming the file: a path that does not exist, a file that is not a readable export, a
        table code without a mapping.

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
    ['abgaenger', 'arbeitslose', 'ausbildungsvertraege_neu']
    >>> ds.regions.loc[ds.regions["ags"] == "99101", "level"].item()
    'kreis'
    """
    from . import io as bio
    from .regions import build_regions, read_regions

    files, regions_csv = _collect(paths)
    voc = load_vocabulary()
    parts, region_rows, listing = [], [], []
    for f in files:
        export = bio.read(f)
        h = harmonize(export, strict=strict, vocabulary=voc)
        h["file"] = str(f)
        parts.append(h)
        if export.regions is not None and len(export.regions):
            r = export.regions.copy()
            r["_stand"] = pd.Timestamp(export.stand) if export.stand else pd.NaT
            region_rows.append(r)
        listing.append({"file": str(f), "table_code": export.table_code or "",
                        "stand": export.stand, "rows": len(h)})
    dims = [d for d in voc.dimension_order if any(d in p.columns for p in parts)]
    cols = ["ags", "year", "variable", *dims, "value", "status", "source", "file", "stand"]
    facts = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
    for d in dims:
        facts[d] = facts[d].astype(object).where(facts[d].notna(), None)
    facts["stand"] = facts["stand"].astype(object).where(facts["stand"].notna(), None)
    facts, revisions = _resolve(facts, dims)
    facts, city_rows = _city_state_kreise(facts)

    rows = []
    if regions_csv is not None:
        rows.append(read_regions(regions_csv))
    if region_rows:
        rr = pd.concat(region_rows, ignore_index=True)
        rr = rr.sort_values("_stand", ascending=False, na_position="last", kind="stable")
        rows.append(rr.drop(columns="_stand"))
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
    return Dataset(
        facts=facts,
        regions=regions,
        revisions=revisions,
        files=pd.DataFrame(listing, columns=["file", "table_code", "stand", "rows"]),
    )


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


