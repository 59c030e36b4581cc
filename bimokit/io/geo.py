"""Region geometry as a GIS keeps it: GeoJSON, GeoPackage or Shapefile, in any CRS.

The core reads GeoJSON in longitude/latitude (WGS84) with the standard library
(:func:`read_geojson`). A Kommune's GIS usually delivers its Sozialräume as a GeoPackage or a
Shapefile in ETRS89/UTM (EPSG:25832 or 25833); :func:`read_geometry` reads those with
geopandas (the optional extra ``bimokit[geo]``) and reprojects them to WGS84, so that the maps
of :mod:`bimokit.plots` draw them as they draw the GeoJSON.

What :func:`read_geometry` returns is always the same: a GeoJSON FeatureCollection (a dict)
in WGS84 whose features carry the region key in the property ``ags`` and a ``name``. On the
way it

* finds the key property (``ags``, ``AGS``, ``ARS``, … or the one given) and writes numeric
  keys as the zero-padded strings of the region table (``5111`` → ``05111``);
* refuses duplicate keys and features without a key, naming file and feature;
* matches the keys to a region table where one is given, and says which features have no
  region and which regions have no feature;
* repairs invalid polygons (self-intersections, wrong ring order) with ``make_valid`` and says
  so, or names file and feature where a geometry cannot be repaired.

:func:`find_geometry_files` lists the geometry files of a data folder and
:func:`read_geometries` merges them (a region's first geometry wins: GeoJSON before GeoPackage
before Shapefile, each in name order).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, InputWarning, ParameterError

__all__ = ["read_geometry", "read_geometries", "find_geometry_files"]

#: File name endings of geometry files, in the order :func:`read_geometries` prefers them.
GEOMETRY_SUFFIXES = (".geojson", ".geo.json", ".gpkg", ".shp")

#: Feature properties that hold the region key, tried in this order.
KEY_PROPERTIES = ("ags", "AGS", "ARS", "ars", "schluessel", "Schluessel", "SCHLUESSEL", "key")

#: Feature properties that hold the region name, tried in this order.
NAME_PROPERTIES = ("name", "GEN", "Name", "NAME", "bezeichnung", "Bezeichnung")

_EXTRA = "pip install 'bimokit[geo]'"


class _NeedsExtra(InputError):
    """The file needs geopandas, which is not installed."""


class _NoKey(InputError):
    """No feature property holds a region key."""


# ---------------------------------------------------------------------------------------------
# GeoJSON with the standard library (the core path)
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise InputError(f"Not valid GeoJSON: {exc.msg}", path=path, line=exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"Not UTF-8 text (GeoJSON is UTF-8): byte {exc.start} cannot be read",
                         path=path) from None


def _load_collection(source: str | Path | Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    if isinstance(source, Mapping):
        data: Any = source
        where = "<GeoJSON object>"
    else:
        p = Path(source)
        if not p.is_file():
            raise InputError("GeoJSON file not found.", path=str(p))
        data = _load(str(p.resolve()), p.stat().st_mtime)
        where = str(p)
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise InputError("Expected a GeoJSON FeatureCollection.", path=where)
    if not isinstance(data.get("features"), list):
        raise InputError("The FeatureCollection has no list 'features'.", path=where)
    return data, where


def read_geojson(source: str | Path | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection (path or already loaded dict).

    Returns
    -------
    list of dict
        The features (``type``, ``properties``, ``geometry``) as in the file.
    """
    return _load_collection(source)[0]["features"]


def _declared_crs(data: Mapping[str, Any]) -> str | None:
    """The CRS a (pre-RFC 7946) GeoJSON names, or None for the default WGS84."""
    crs = data.get("crs")
    if not isinstance(crs, Mapping):
        return None
    name = str((crs.get("properties") or {}).get("name", ""))
    if not name or name.upper().endswith(("CRS84", "EPSG::4326", "EPSG:4326")):
        return None
    return name


def _lonlat(bounds: Iterable[float]) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


def _coordinate_bounds(features: list[Any]) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if isinstance(c, list | tuple) and c and isinstance(c[0], int | float):
            if len(c) >= 2 and all(isinstance(v, int | float) for v in c[:2]):
                xs.append(float(c[0]))
                ys.append(float(c[1]))
        elif isinstance(c, list | tuple):
            for x in c:
                walk(x)

    for f in features:
        g = f.get("geometry") if isinstance(f, Mapping) else None
        if isinstance(g, Mapping):
            walk(g.get("coordinates"))
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


# ---------------------------------------------------------------------------------------------
# any format with geopandas (the extra)
# ---------------------------------------------------------------------------------------------


def _geopandas(path: Path):
    try:
        import geopandas
    except ImportError:
        raise _NeedsExtra(
            f"Reading {path.suffix or 'this'} geometry or reprojecting needs geopandas: "
            f"{_EXTRA}. Without it, give the geometry as GeoJSON in longitude/latitude "
            "(WGS84).", path=path) from None
    return geopandas


def _read_frame(path: Path, *, layer: str | int | None, crs: str | None):
    """The features of ``path`` as a GeoDataFrame in WGS84 (EPSG:4326)."""
    gpd = _geopandas(path)
    if not path.exists():
        raise InputError("Geometry file not found.", path=path)
    try:
        kwargs = {"layer": layer} if layer is not None else {}
        frame = gpd.read_file(path, **kwargs)
    except Exception as exc:  # pyogrio's DataSourceError and friends: the file is not readable
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"Cannot read the geometry: {msg}", path=path) from None
    if frame.crs is None:
        if crs is not None:
            frame = frame.set_crs(crs)
        elif len(frame) and _lonlat(frame.total_bounds):
            frame = frame.set_crs("EPSG:4326")
        else:
            raise InputError(
                "The file declares no coordinate reference system and its coordinates are not "
                "longitude/latitude; pass the CRS it is in, e.g. crs='EPSG:25832' "
                "(ETRS89 / UTM 32N).", path=path)
    elif crs is not None and frame.crs != gpd.GeoSeries(crs=crs).crs:
        raise ParameterError(
            f"`crs` is {crs!r} but {path.name} declares {frame.crs.to_string()}; leave `crs` "
            "out for files that declare theirs.")
    return frame.to_crs("EPSG:4326") if not frame.crs.equals("EPSG:4326") else frame


def _features_of_frame(frame) -> list[dict[str, Any]]:
    out = []
    geoms = frame.geometry
    props = frame.drop(columns=[frame.geometry.name])
    for i in range(len(frame)):
        row = {k: _plain(v) for k, v in props.iloc[i].items()}
        g = geoms.iloc[i]
        out.append({"type": "Feature", "properties": row,
                    "geometry": None if g is None or g.is_empty else g.__geo_interface__})
    return out


def _plain(v: Any) -> Any:
    """A property value as JSON has it (NaN → None, numpy scalars → Python)."""
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


# ---------------------------------------------------------------------------------------------
# keys, regions, repair
# ---------------------------------------------------------------------------------------------


def _key_text(v: Any) -> str | None:
    """A key as the region table writes it: numbers zero-padded (``5111`` → ``05111``)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int | float):
        if isinstance(v, float) and (math.isnan(v) or not v.is_integer()):
            return None if math.isnan(v) else str(v)
        s = str(int(v))
        # AGS/ARS of Länder 01–09 lose their leading zero when a GIS stores them as numbers
        return s.zfill(len(s) + 1) if len(s) in (1, 4, 7, 11) else s
    s = str(v).strip()
    return s or None


def _repair(geometry: Any, *, where: str, label: str, repaired: list[str]) -> Any:
    """The geometry, made valid where shapely is there; InputError where it cannot be."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon",
                                                                         "MultiPolygon"):
        gtype = geometry.get("type") if isinstance(geometry, Mapping) else None
        raise InputError(f"{label}: geometry type {gtype!r} is not Polygon or MultiPolygon.",
                         path=where, field="geometry")
    try:
        import shapely
        from shapely.geometry import mapping, shape
        from shapely.validation import explain_validity
    except ImportError:
        return geometry  # core path: matplotlib draws what it gets
    try:
        g = shape(geometry)
    except Exception as exc:  # shapely's GEOSException, ValueError: broken coordinates
        raise InputError(f"{label}: the geometry cannot be read ({exc}).", path=where,
                         field="geometry") from None
    if g.is_valid and not g.is_empty:
        return geometry
    reason = explain_validity(g) if not g.is_empty else "empty"
    fixed = shapely.make_valid(g) if not g.is_empty else g
    if fixed.geom_type == "GeometryCollection":
        parts = [p for p in fixed.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(parts) if parts else shapely.Polygon()
    if fixed.is_empty or fixed.geom_type not in ("Polygon", "MultiPolygon"):
        fixed = g.buffer(0)
    if fixed.is_empty or fixed.geom_type not in ("Polygon", "MultiPolygon") \
            or not fixed.is_valid:
        raise InputError(f"{label}: the geometry is invalid ({reason}) and cannot be repaired.",
                         path=where, field="geometry")
    repaired.append(f"{label} ({reason})")
    return mapping(fixed)


def _region_keys(regions: pd.DataFrame | Iterable[str] | None,
                 level: str | None) -> tuple[set[str], set[str]] | None:
    """All keys of the region table, and those that should have a geometry."""
    if regions is None:
        return None
    if isinstance(regions, pd.DataFrame):
        if "ags" not in regions.columns:
            raise ParameterError("`regions` needs a column 'ags' (the region table).")
        keys = set(regions["ags"].astype(str))
        sel = regions
        if level is not None and "level" in regions.columns:
            sel = sel[sel["level"].astype(str) == level]
        if "exists" in sel.columns:
            sel = sel[sel["exists"].astype(bool)]
        expected = set(sel["ags"].astype(str)) if level is not None else set()
        return keys, expected
    keys = {str(k) for k in regions}
    return keys, (set(keys) if level is not None else set())


def read_geometry(
    source: str | Path,
    *,
    key: str | None = None,
    key_prefix: str = "",
    layer: str | int | None = None,
    crs: str | None = None,
    regions: pd.DataFrame | Iterable[str] | None = None,
    level: str | None = None,
) -> dict[str, Any]:
    """Read region geometry from GeoJSON, GeoPackage or Shapefile into GeoJSON in WGS84.

    Parameters
    ----------
    source : path
        ``.geojson`` (also ``.geo.json``, ``.json``), ``.gpkg`` or ``.shp`` (or anything else
        GDAL reads). Files other than GeoJSON in longitude/latitude need ``bimokit[geo]``.
    key : str, optional
        The property with the region key (default: the first of ``ags``, ``AGS``, ``ARS``,
        ``schluessel``, ``key`` that the features have).
    key_prefix : str
        Put in front of every key that does not start with it, e.g. ``"99101-"`` when the
        GIS numbers the Sozialräume of Kreis 99101 as ``01``, ``02``, … .
    layer : str or int, optional
        The layer of a GeoPackage with several.
    crs : str, optional
        The CRS of a file that declares none (e.g. ``"EPSG:25832"``).
    regions : region table or keys, optional
        Match the keys: features whose key is not a region are left out with an
        :class:`~bimokit.errors.InputWarning`; none matching is an error.
    level : str, optional
        With ``regions``: the level the file covers (``kreis``, ``sozialraum``); regions of
        that level without a feature are named in a warning, and features of other levels
        are left out silently.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection in WGS84: one feature per region, properties as in the
        file plus ``ags`` (the key) and ``name``; ``source`` names the file and
        ``repaired`` lists features whose geometry was made valid.

    Raises
    ------
    InputError
        A file that cannot be read, no key property, a feature without key, a duplicate key,
        a geometry that is not a polygon or cannot be repaired; always naming file and
        feature (1-based, as a GIS counts them).

    Examples
    --------
    >>> from bimokit import sample_dir
    >>> gj = read_geometry(sample_dir() / "musterland.geojson")
    >>> len(gj["features"]), gj["features"][0]["properties"]["ags"]
    (55, '99101')
    """
    p = Path(source)
    name = p.name.lower()
    where = str(p)
    is_geojson = name.endswith((".geojson", ".json"))
    features: list[Any]
    if is_geojson and crs is None:
        data, where = _load_collection(p)
        features = list(data["features"])
        bounds = _coordinate_bounds(features)
        if _declared_crs(data) is not None or (bounds is not None and not _lonlat(bounds)):
            features = _features_of_frame(_read_frame(p, layer=layer, crs=None))
    else:
        features = _features_of_frame(_read_frame(p, layer=layer, crs=crs))
    if not features:
        raise InputError("The file holds no features.", path=where)

    props0 = [f.get("properties") or {} for f in features if isinstance(f, Mapping)]
    if key is None:
        present = set().union(*(set(pr) for pr in props0)) if props0 else set()
        key = next((k for k in KEY_PROPERTIES if k in present), None)
        if key is None:
            raise _NoKey(
                "No property holds the region key (tried "
                f"{', '.join(KEY_PROPERTIES)}); the features have "
                f"{', '.join(map(repr, sorted(present))) or 'none'}. Pass `key`.", path=where)
    match = _region_keys(regions, level)
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    unknown: list[str] = []
    repaired: list[str] = []
    for i, f in enumerate(features, start=1):
        if not isinstance(f, Mapping):
            raise InputError(f"Feature {i} is not a GeoJSON Feature.", path=where)
        props = dict(f.get("properties") or {})
        k = _key_text(props.get(key))
        if k is None:
            raise InputError(f"Feature {i} has no key in {key!r}.", path=where, field=key)
        if key_prefix and not k.startswith(key_prefix):
            k = key_prefix + k
        if k in seen:
            raise InputError(f"The key {k!r} appears twice: features {seen[k]} and {i}. Each "
                             "region needs exactly one feature (merge its parts in the GIS).",
                             path=where, field=key)
        seen[k] = i
        if match is not None and k not in match[0]:
            unknown.append(k)
            continue
        if match is not None and level is not None and match[1] and k not in match[1]:
            continue  # another level of the region table
        label = f"Feature {i} ({key}={k!r})"
        geometry = _repair(f.get("geometry"), where=where, label=label, repaired=repaired)
        props["ags"] = k
        nm = next((props[n] for n in NAME_PROPERTIES if props.get(n) not in (None, "")), None)
        props["name"] = str(nm) if nm is not None else k
        out.append({"type": "Feature", "properties": props, "geometry": geometry})
    if match is not None:
        if not out:
            raise InputError(
                f"None of the {len(seen)} keys in {key!r} is in the region table (e.g. "
                f"{next(iter(seen))!r}); set `key` or `key_prefix`.", path=where, field=key)
        if unknown:
            warnings.warn(InputWarning(
                f"{where}: {len(unknown)} feature(s) have keys that are not in the region "
                f"table and are left out: {', '.join(map(repr, unknown[:5]))}"
                f"{' …' if len(unknown) > 5 else ''}."), stacklevel=2)
        missing = sorted(match[1] - set(seen))
        if missing:
            warnings.warn(InputWarning(
                f"{where}: {len(missing)} region(s) of level {level!r} have no geometry: "
                f"{', '.join(map(repr, missing[:5]))}{' …' if len(missing) > 5 else ''}."),
                stacklevel=2)
    if repaired:
        warnings.warn(InputWarning(
            f"{where}: invalid geometry repaired in {len(repaired)} feature(s): "
            f"{'; '.join(repaired[:3])}{' …' if len(repaired) > 3 else ''}."), stacklevel=2)
    return {"type": "FeatureCollection", "features": out, "source": where,
            "repaired": repaired}


def find_geometry_files(folder: str | Path) -> list[Path]:
    """The geometry files of a data folder: GeoJSON, then GeoPackage, then Shapefile.

    Each kind in name order; hidden files are left out.
    """
    p = Path(folder)
    if not p.is_dir():
        return []
    files = [f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")]
    out: list[Path] = []
    for kind in ((".geojson", ".geo.json"), (".gpkg",), (".shp",)):
        out += sorted((f for f in files if f.name.lower().endswith(kind)), key=lambda f: f.name)
    return out


def read_geometries(folder: str | Path, *,
                    regions: pd.DataFrame | None = None) -> dict[str, Any] | None:
    """All region geometry of a data folder as one GeoJSON FeatureCollection in WGS84.

    Every file of :func:`find_geometry_files` is read with :func:`read_geometry`; a region's
    first geometry wins (GeoJSON before GeoPackage before Shapefile), so an own
    ``sozialraeume.gpkg`` beside the Land's Kreise in GeoJSON adds the Sozialräume.

    Files that need ``bimokit[geo]`` while it is missing are left out; a warning names them
    where regions of the region table (Kreise and Sozialräume) are left without geometry.
    Files without a region key property are left out with a warning.

    Returns
    -------
    dict or None
        The FeatureCollection (``sources``: the files used; ``skipped``: those left out), or
        None where the folder has no geometry file that could be read.

    Examples
    --------
    >>> from bimokit import sample_dir
    >>> gj = read_geometries(sample_dir())
    >>> gj["sources"][0], len(gj["features"])
    ('musterland.geojson', 55)
    """
    files = find_geometry_files(folder)
    if not files:
        return None
    merged: dict[str, dict[str, Any]] = {}
    used: list[str] = []
    skipped: list[str] = []
    for f in files:
        try:
            gj = read_geometry(f, regions=regions)
        except _NeedsExtra:
            skipped.append(f.name)
            continue
        except _NoKey as exc:  # some other GeoJSON in the data folder: not region geometry
            warnings.warn(InputWarning(f"{exc} The file is not used for maps."), stacklevel=2)
            continue
        used.append(f.name)
        for feat in gj["features"]:
            merged.setdefault(feat["properties"]["ags"], feat)
    if skipped:
        lacking: list[str] = []
        if regions is not None and "level" in regions.columns:
            sel = regions[regions["level"].isin(["kreis", "sozialraum"])]
            if "exists" in sel.columns:
                sel = sel[sel["exists"].astype(bool)]
            lacking = sorted(set(sel["ags"].astype(str)) - set(merged))
        if regions is None or lacking:
            warnings.warn(InputWarning(
                f"{Path(folder)}: {', '.join(skipped)} left out: reading GeoPackage or "
                f"Shapefile needs geopandas ({_EXTRA})"
                + (f"; {len(lacking)} region(s) have no geometry, e.g. {lacking[0]!r}."
                   if lacking else ".")), stacklevel=2)
    if not merged:
        return None
    return {"type": "FeatureCollection", "features": list(merged.values()), "sources": used,
            "skipped": skipped}
