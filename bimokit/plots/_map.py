"""Choropleth maps: Kreise in a Land, Sozialräume in a Kommune.

The core draws GeoJSON in longitude/latitude without geopandas; GeoPackage, Shapefile and
GeoJSON in another CRS are read (and reprojected) by :func:`bimokit.io.geo.read_geometry`
with the extra ``bimokit[geo]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import IdentityTransform

from ..errors import InputError, ParameterError, UnknownRegionError
from ..fmt import fmt_number, normalize_unit
from ..io.geo import read_geojson, read_geometry
from ._base import (
    MISSING_COLOR,
    MISSING_HATCH,
    Chart,
    finish,
    house_style,
    new_figure,
    select_indicator,
    select_year,
    value_text,
)

__all__ = ["read_geojson", "map_classes", "class_labels", "geometry_path", "plot_choropleth"]


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _ring(coords: Any, ccw: bool) -> np.ndarray:
    arr = np.asarray(coords, dtype="float64")
    if arr.ndim != 2 or arr.shape[0] < 3 or arr.shape[1] < 2:
        raise ValueError("a ring needs at least three [x, y] positions")
    arr = arr[:, :2]
    if np.array_equal(arr[0], arr[-1]):
        arr = arr[:-1]
    if (_signed_area(arr) > 0) != ccw:
        arr = arr[::-1]
    return arr


def geometry_path(geometry: Mapping[str, Any]) -> MplPath:
    """One compound matplotlib Path of a Polygon or MultiPolygon, holes included.

    Exterior rings are oriented counter-clockwise and holes clockwise, so holes stay empty
    under either fill rule, whatever the orientation in the file.

    Examples
    --------
    >>> sq = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    >>> hole = [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]
    >>> p = geometry_path({"type": "Polygon", "coordinates": [sq, hole]})
    >>> len(p.vertices), list(p.codes).count(MplPath.MOVETO)  # two closed rings
    (10, 2)
    """
    gtype = geometry.get("type") if isinstance(geometry, Mapping) else None
    if gtype == "Polygon":
        polygons = [geometry["coordinates"]]
    elif gtype == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"geometry type {gtype!r} is not Polygon or MultiPolygon")
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polygons:
        for i, coords in enumerate(poly):
            r = _ring(coords, ccw=(i == 0))
            v = np.vstack([r, r[:1]])
            c = np.full(len(v), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(v)
            codes.append(c)
    if not verts:
        raise ValueError("geometry without rings")
    return MplPath(np.vstack(verts), np.concatenate(codes))


def map_classes(
    values: np.ndarray | Sequence[float],
    *,
    k: int = 5,
    scheme: str = "quantile",
    bins: Sequence[float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Assign values to classes.

    Parameters
    ----------
    values : array of float
        NaN gets class -1.
    k : int
        Number of classes for ``quantile`` and ``equal``.
    scheme : {"quantile", "equal"}
        Class edges at quantiles or at equal steps between minimum and maximum.
    bins : list of float, optional
        The class edges (k+1 increasing numbers) chosen by hand; overrides ``scheme``.

    Returns
    -------
    (classes, edges)
        Class index per value (0 … len(edges)-2, -1 for NaN) and the edges.

    Notes
    -----
    Class i holds ``edges[i] ≤ v < edges[i+1]``; the last class includes its upper edge.
    Tied quantile edges are merged, so there may be fewer than ``k`` classes.

    Examples
    --------
    >>> map_classes([1, 2, 3, 4, float("nan")], bins=[0, 2, 4])
    (array([ 0,  1,  1,  1, -1]), array([0., 2., 4.]))
    """
    v = np.asarray(values, dtype="float64")
    finite = v[np.isfinite(v)]
    if bins is not None:
        edges = np.asarray(bins, dtype="float64")
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise ParameterError("`bins` must be at least two increasing class edges.")
        outside = finite[(finite < edges[0]) | (finite > edges[-1])]
        if len(outside):
            raise ParameterError(
                f"`bins` run from {fmt_number(edges[0], 2)} to {fmt_number(edges[-1], 2)} but "
                f"{len(outside)} value(s) lie outside, e.g. {fmt_number(outside[0], 2)}."
            )
    else:
        if not isinstance(k, int) or k < 1:
            raise ParameterError(f"`k` must be a whole number ≥ 1; not {k!r}.")
        if len(finite) == 0:
            return np.full(len(v), -1), np.array([], dtype="float64")
        if scheme == "quantile":
            edges = np.unique(np.quantile(finite, np.linspace(0, 1, k + 1)))
        elif scheme == "equal":
            edges = np.unique(np.linspace(finite.min(), finite.max(), k + 1))
        else:
            raise ParameterError(f"`scheme` must be 'quantile' or 'equal'; not {scheme!r}.")
        if len(edges) == 1:
            edges = np.array([edges[0], edges[0]])
    inner = edges[1:-1]
    cls = np.searchsorted(inner, v, side="right")
    cls = np.where(np.isfinite(v), cls, -1)
    return cls.astype(int), edges


def class_labels(edges: np.ndarray, unit: str | None, decimals: int | None) -> list[str]:
    """German legend labels: "5,0 bis unter 7,5 %", …, the last "12,5 bis 15,0 %".

    Examples
    --------
    >>> class_labels([0, 2.5, 5], "%", 1)
    ['0,0 bis unter 2,5 %', '2,5 bis 5,0 %']
    """
    u = normalize_unit(unit)
    n = len(edges) - 1
    out = []
    for i in range(n):
        lo = value_text(edges[i], None, decimals if decimals is not None else 1).strip()
        hi = value_text(edges[i + 1], u, decimals if decimals is not None else 1)
        if edges[i] == edges[i + 1]:
            out.append(hi)
        else:
            out.append(f"{lo} bis {'unter ' if i < n - 1 else ''}{hi}")
    return out


def _area_word(keys: Sequence[str], n: int) -> str:
    if keys and all("-" in k for k in keys):
        return "Sozialraum" if n == 1 else "Sozialräume"
    if keys and all(len(k) == 5 and k.isdigit() for k in keys):
        return "Kreis" if n == 1 else "Kreise"
    if keys and all(len(k) in (8, 12) and k.isdigit() for k in keys):
        return "Gemeinde" if n == 1 else "Gemeinden"
    return "Gebiet" if n == 1 else "Gebiete"


def plot_choropleth(
    values: pd.DataFrame | pd.Series,
    geometry: str | Path | Mapping[str, Any],
    *,
    value: str = "value",
    geo_key: str = "ags",
    name_key: str | None = None,
    within: str | None = None,
    level: str | None = None,
    year: int | None = None,
    indicator: str | None = None,
    k: int = 5,
    scheme: str = "quantile",
    bins: Sequence[float] | None = None,
    unit: str | None = "%",
    decimals: int | None = None,
    highlight: str | None = None,
    area: str | None = None,
    cmap: str = "YlGnBu",
    classes: Mapping[Any, str] | None = None,
    legend_title: str | None = None,
    area_labels: str | None = "nummern",
    title: str | None = None,
    source: str | None = None,
    source_tables: Sequence[str] | None = None,
    figsize: tuple[float, float] = (6.5, 6.0),
) -> Chart:
    """Choropleth map with classed colours and a German legend; no value → hatched grey.

    Parameters
    ----------
    values : DataFrame or Series
        ``ags`` and ``value`` (with ``year``/``indicator`` one is kept), or a Series indexed by
        AGS.
    geometry : path or GeoJSON dict
        FeatureCollection of Polygons/MultiPolygons whose property ``geo_key`` holds the AGS
        (``ags`` in the sample's ``musterland.geojson``, ``ARS`` in the BKG VG5000 files).
        A GeoPackage or Shapefile path (any CRS) is read with
        :func:`bimokit.io.geo.read_geometry` (needs ``bimokit[geo]``; the key is then in
        ``ags``).
    value : str
        Value column of ``values``.
    geo_key, name_key : str
        Feature properties with the key and the name (default: ``name`` or ``GEN``).
    within : str, optional
        Draw only features whose key starts with this prefix (``"01"``: the Kreise of
        Schleswig-Holstein; ``"99101-"``: the Sozialräume of 99101).
    level : str, optional
        Draw only features whose property ``level`` equals this (``kreis``, ``sozialraum``).
    year, indicator : optional
        Choose one year/indicator where ``values`` holds several (default: the latest year).
    k, scheme, bins
        Classes (see :func:`map_classes`).
    unit, decimals
        Unit and decimals of the legend.
    highlight : str, optional
        AGS outlined in black and named in the alt text (the Kommune).
    area : str, optional
        Name of the whole area for the alt text ("Schleswig-Holstein", "Musterstadt").
    cmap : str
        Sequential colour map (default ColorBrewer YlGnBu, colour-blind safe).
    classes : mapping, optional
        The values are classes already (e.g. the five classes of a Sozialindex): class →
        legend label, in order from low to high. Each region is coloured by its class (the
        colour of a class does not depend on which classes occur); the legend lists the classes
        that occur, so it never shows an empty class. ``k``, ``scheme``, ``bins`` and ``unit``
        are not used then.
    legend_title : str, optional
        What the colours show, e.g. ``"SGB-II-Quote in %"`` or ``"Sozialindex: Klasse"``.
        Default: from the unit (``Anteil in %``, ``je 1.000 …``, ``Wert`` without a unit).
    area_labels : {"nummern", "namen", None}
        Name the areas on the map: a number on each area with a key under the map (default;
        a Sozialraum key ``99101-06`` gives 6, other keys are numbered in key order), the
        names themselves, or nothing.
    title, source, source_tables, figsize
        As in the other charts.

    Returns
    -------
    Chart
        ``ax.collections[0]`` holds one patch per region with a value (in ``data`` order),
        ``ax.collections[1]`` the hatched regions without. ``data`` has columns ``ags, name,
        value, klasse, color, nummer`` (klasse 1…k, 0 for "keine Angabe"; with ``classes``
        the class itself; ``nummer`` the number on the map, 0 without), one row per drawn
        region. ``ax.get_legend()`` is the colour legend; with numbers the key is the legend
        (``gid`` ``bimokit-key``) of a second, empty axes under the map.

    Examples
    --------
    >>> sq = lambda x: {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1],
    ...                                                    [x, 1], [x, 0]]]}
    >>> gj = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"ags": a, "name": n}, "geometry": sq(i)}
    ...     for i, (a, n) in enumerate([("99101", "Musterstadt"), ("99151", "Nordkreis"),
    ...                                 ("99152", "Südkreis")])]}
    >>> v = pd.DataFrame({"ags": ["99101", "99151"], "value": [7.1, 3.0], "year": 2024})
    >>> ch = plot_choropleth(v, gj, bins=[0, 5, 10], highlight="99101", area="Musterland")
    >>> list(ch.data["klasse"]), ch.alt
    ([2, 1, 0], 'Karte: Indikatorwerte für die 3 Kreise von Musterland, 2024, in 2 Klassen von 0,0 % bis 10,0 % (dunkler = höher). Musterstadt liegt mit 7,1 % in Klasse 2 von 2. Höchster Wert: Musterstadt (7,1 %), niedrigster: Nordkreis (3,0 %). Für 1 Gebiet keine Angabe.')
    """  # noqa: E501
    if isinstance(values, pd.Series):
        vals = pd.Series(pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(),
                         index=values.index.astype(str))
    elif isinstance(values, pd.DataFrame):
        if "ags" not in values.columns or value not in values.columns:
            raise ParameterError(
                f"`values` needs the columns 'ags' and {value!r}; it has "
                f"{', '.join(map(repr, map(str, values.columns)))}."
            )
        df = select_indicator(values, indicator, "values")
        df, year = select_year(df, year, "values")
        keys = df["ags"].astype(str)
        if keys.duplicated().any():
            raise ParameterError(
                "`values` holds several rows per AGS (dimension columns?); e.g. "
                f"{keys[keys.duplicated()].iloc[0]!r}. Filter to one breakdown first."
            )
        vals = pd.Series(pd.to_numeric(df[value], errors="coerce").astype("float64").to_numpy(),
                         index=keys.to_numpy())
    else:
        raise ParameterError(
            f"`values` must be a DataFrame (ags, value) or a Series by AGS; not "
            f"{type(values).__name__}."
        )

    feats = _features(geometry)
    rows: list[tuple[str, str, MplPath]] = []
    for i, f in enumerate(feats):
        props = f.get("properties") or {}
        if geo_key not in props:
            raise InputError(
                f"Feature {i} has no property {geo_key!r} (it has "
                f"{', '.join(map(repr, props))}); set `geo_key`.", field=geo_key)
        key = str(props[geo_key])
        if within is not None and not key.startswith(str(within)):
            continue
        if level is not None and str(props.get("level", "")) != level:
            continue
        nk = name_key or ("name" if "name" in props else "GEN" if "GEN" in props else None)
        nm = str(props[nk]) if nk and props.get(nk) is not None else key
        try:
            path = geometry_path(f.get("geometry") or {})
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"Feature {key!r}: {exc}.", field="geometry") from None
        rows.append((key, nm, path))
    if not rows:
        raise ParameterError(
            "No feature of the geometry matches"
            + (f" within={within!r}" if within is not None else "")
            + (f" level={level!r}" if level is not None else "")
            + "."
        )
    keys_drawn = [r[0] for r in rows]
    if not set(vals.index) & set(keys_drawn):
        raise ParameterError(
            f"None of the {len(vals)} AGS in `values` is among the {len(rows)} drawn features "
            f"(property {geo_key!r}, e.g. {keys_drawn[0]!r}); values start with "
            f"{', '.join(map(repr, list(vals.index[:3])))}."
        )
    if highlight is not None and str(highlight) not in keys_drawn:
        raise UnknownRegionError(f"`highlight` {highlight!r} is not among the drawn features.")

    if area_labels not in ("nummern", "namen", None):
        raise ParameterError(
            f"`area_labels` must be 'nummern', 'namen' or None; not {area_labels!r}.")
    v = np.array([vals.get(kk, np.nan) for kk in keys_drawn], dtype="float64")
    cm = mpl.colormaps[cmap]
    if classes is not None:
        order = list(classes)
        if not order:
            raise ParameterError("`classes` must name at least one class.")
        pos = {float(c): i for i, c in enumerate(order)}
        odd = sorted({x for x in v[np.isfinite(v)] if x not in pos})
        if odd:
            raise ParameterError(
                f"`values` hold {fmt_number(odd[0], 2)}, which is not one of the `classes` "
                f"({', '.join(map(str, order))}).")
        cls = np.array([pos[x] if np.isfinite(x) else -1 for x in v], dtype=int)
        ncls = len(order)
        edges = np.array([], dtype="float64")
        palette = [to_hex(cm(0.15 + 0.8 * (i + 0.5) / ncls)) for i in range(ncls)]
        klasse = np.where(cls >= 0, v, 0)
    else:
        cls, edges = map_classes(v, k=k, scheme=scheme, bins=bins)
        ncls = max(len(edges) - 1, 0)
        palette = [to_hex(cm(0.15 + 0.8 * (i + 0.5) / ncls)) for i in range(ncls)] \
            if ncls else []
        klasse = cls + 1
    numbers = _area_numbers(keys_drawn) if area_labels == "nummern" else [0] * len(keys_drawn)
    data = pd.DataFrame({
        "ags": keys_drawn,
        "name": [r[1] for r in rows],
        "value": v,
        "klasse": klasse.astype(int) if classes is None or
        all(float(c).is_integer() for c in classes) else klasse,
        "color": [palette[c] if c >= 0 else MISSING_COLOR for c in cls],
        "nummer": numbers,
    })
    key_rows = 0
    if area_labels == "nummern":
        ncol_key = 1 if len(rows) <= 6 else 2 if len(rows) <= 16 else 3
        key_rows = -(-len(rows) // ncol_key)
        figsize = (figsize[0], figsize[1] + 0.35 + 0.19 * key_rows)

    with house_style():
        fig = new_figure(figsize)
        # Map and colour legend side by side, the key in a row of its own under them: every
        # part has its own cell, so the layout makes room for it in one pass (a legend hung
        # outside a fixed-aspect map can run off the figure).
        key_h = 0.35 + 0.19 * key_rows if key_rows else 0.0
        grid = fig.add_gridspec(2 if key_rows else 1, 2, width_ratios=[3.0, 1.0],
                                height_ratios=[figsize[1] - key_h - 0.6, key_h]
                                if key_rows else None)
        ax = fig.add_subplot(grid[0, 0])
        legend_ax = fig.add_subplot(grid[0, 1])
        legend_ax.set_axis_off()
        if key_rows:
            key_ax = fig.add_subplot(grid[1, :])
            key_ax.set_axis_off()
        has = cls >= 0
        filled = [PathPatch(rows[i][2]) for i in range(len(rows)) if has[i]]
        empty = [PathPatch(rows[i][2]) for i in range(len(rows)) if not has[i]]
        coll = PatchCollection(filled, facecolors=list(data.loc[has, "color"]),
                               edgecolors="white", linewidths=0.5, zorder=1)
        ax.add_collection(coll)
        miss = PatchCollection(empty, facecolors=MISSING_COLOR, edgecolors="#8C8C8C",
                               linewidths=0.5, hatch=MISSING_HATCH, zorder=1)
        ax.add_collection(miss)
        if highlight is not None:
            hp = rows[keys_drawn.index(str(highlight))][2]
            ax.add_patch(PathPatch(hp, facecolor="none", edgecolor="black", linewidth=1.8,
                                   zorder=3))
        allv = np.vstack([r[2].vertices for r in rows])
        xmin, ymin = allv.min(axis=0)
        xmax, ymax = allv.max(axis=0)
        padx, pady = (xmax - xmin) * 0.02, (ymax - ymin) * 0.02
        ax.set_xlim(xmin - padx, xmax + padx)
        ax.set_ylim(ymin - pady, ymax + pady)
        if -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90:
            ax.set_aspect(1 / math.cos(math.radians((ymin + ymax) / 2)))  # lon/lat
        else:
            ax.set_aspect("equal")
        ax.set_axis_off()
        # the map's box shrinks to its aspect at the top left, under the title (the spare
        # room of the fixed figure size stays below, above the source line)
        ax.set_anchor("NW")
        if classes is not None:
            present = sorted(set(cls[cls >= 0]))
            handles = [Patch(facecolor=palette[i], edgecolor="white",
                             label=str(classes[order[i]])) for i in present]
        else:
            labels = class_labels(edges, unit, decimals) if ncls else []
            handles = [Patch(facecolor=c, edgecolor="white", label=lab)
                       for c, lab in zip(palette, labels, strict=True)]
        if (~has).any():
            handles.append(Patch(facecolor=MISSING_COLOR, edgecolor="#8C8C8C",
                                 hatch=MISSING_HATCH, label="keine Angabe"))
        if area_labels is not None:
            _label_areas(ax, rows, data, area_labels)
        if area_labels == "nummern":
            key = [Patch(facecolor="none", edgecolor="none", label=f"{n}  {nm}")
                   for n, nm in sorted(zip(data["nummer"], data["name"], strict=True))]
            key_legend = key_ax.legend(
                handles=key, loc="upper left", bbox_to_anchor=(0.0, 1.0), ncol=ncol_key,
                fontsize="small", handlelength=0, handletextpad=0, columnspacing=1.5,
                title="Gebiete auf der Karte", title_fontsize="small", alignment="left",
                borderaxespad=0.0)
            key_legend.set_gid("bimokit-key")
        legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=legend_ax.bbox,
                           bbox_transform=IdentityTransform(),
                           fontsize="small", title=_wrap(legend_title or _legend_title(unit)),
                           title_fontsize="small", alignment="left", borderaxespad=0.0)
        legend.set_in_layout(False)  # its cell holds it: the legend column is as wide
        wide = legend.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi + 0.1
        grid.set_width_ratios([max(figsize[0] - wide - 0.3, 1.0), wide])
        if title:
            ax.set_title(f"{title} {year}" if year is not None else title)

        if classes is not None:
            alt = _classes_alt(data, classes, keys_drawn, title=title, area=area, year=year,
                               highlight=highlight, legend_title=legend_title)
        else:
            alt = _choropleth_alt(data, edges, ncls, keys_drawn, title=title, area=area,
                                  year=year, unit=unit, decimals=decimals, highlight=highlight)
        return finish(fig, ax, alt=alt, source=source, source_tables=source_tables, data=data)


def _features(geometry: str | Path | Mapping[str, Any]) -> list[dict[str, Any]]:
    """GeoJSON as it is (core); other formats through read_geometry (extra ``geo``)."""
    if isinstance(geometry, Mapping) or str(geometry).lower().endswith((".geojson", ".json")):
        return read_geojson(geometry)
    return read_geometry(geometry)["features"]


def _wrap(text: str, width: int = 26) -> str:
    """A legend title in lines of at most ``width`` characters (broken at spaces)."""
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _area_numbers(keys: Sequence[str]) -> list[int]:
    """Numbers for the areas: a Sozialraum's own number (``99101-06`` → 6) where every key has
    one and they differ; else 1, 2, … in key order."""
    tails = [k.rsplit("-", 1)[1] if "-" in k else "" for k in keys]
    if all(t.isdigit() for t in tails) and len({int(t) for t in tails}) == len(tails):
        return [int(t) for t in tails]
    rank = {k: i + 1 for i, k in enumerate(sorted(keys))}
    return [rank[k] for k in keys]


def _label_point(path: MplPath) -> tuple[float, float]:
    """A point inside the largest ring of ``path`` (its centroid where that lies inside)."""
    best, best_area = None, -1.0
    for poly in path.to_polygons(closed_only=False):
        if len(poly) < 3:
            continue
        a = abs(_signed_area(poly))
        if a > best_area:
            best, best_area = poly, a
    if best is None:
        x0, y0 = path.vertices.mean(axis=0)
        return float(x0), float(y0)
    x, y = best[:, 0], best[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if area == 0:
        return float(x.mean()), float(y.mean())
    cx = float(((x + np.roll(x, -1)) * cross).sum() / (6 * area))
    cy = float(((y + np.roll(y, -1)) * cross).sum() / (6 * area))
    if path.contains_point((cx, cy)):
        return cx, cy
    gx, gy = np.meshgrid(np.linspace(x.min(), x.max(), 25), np.linspace(y.min(), y.max(), 25))
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    inside = pts[path.contains_points(pts)]
    if not len(inside):
        return cx, cy
    k = int(np.argmin((inside[:, 0] - cx) ** 2 + (inside[:, 1] - cy) ** 2))
    return float(inside[k, 0]), float(inside[k, 1])


def _label_areas(ax, rows, data: pd.DataFrame, how: str) -> None:
    """Write a number or the name on every area, dark on a white halo."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for (_, name, path), number in zip(rows, data["nummer"], strict=True):
        x, y = _label_point(path)
        ax.text(x, y, str(number) if how == "nummern" else name, ha="center", va="center",
                fontsize="small" if how == "nummern" else "x-small", color="#1A1A1A",
                path_effects=halo, zorder=4, clip_on=True)


def _classes_alt(data: pd.DataFrame, classes: Mapping[Any, str], keys: list[str], *,
                 title: str | None, area: str | None, year: int | None,
                 highlight: str | None, legend_title: str | None) -> str:
    n = len(data)
    word = _area_word(keys, n)
    where = f"für {'die ' if n > 1 else ''}{n} {word}" + (f" von {area}" if area else "")
    text = f"Karte: {title or 'Klassen'} {where}" + (f", {year}" if year else "")
    text += f", farbig nach {legend_title or 'Klasse'} (dunkler = höher)."
    parts = []
    for c, label in classes.items():
        names = data.loc[(data["klasse"] == c) & (data["color"] != MISSING_COLOR), "name"]
        if len(names):
            parts.append(f"{label}: {', '.join(names)}")
    if parts:
        text += " " + "; ".join(parts) + "."
    if highlight is not None:
        row = data[data["ags"] == str(highlight)].iloc[0]
        if row["color"] != MISSING_COLOR:
            text += f" {row['name']}: {classes[row['klasse']]}."
    n_miss = int((data["color"] == MISSING_COLOR).sum())
    if n_miss:
        text += f" Für {n_miss} Gebiet{'e' if n_miss > 1 else ''} keine Angabe."
    return text


def _legend_title(unit: str | None) -> str:
    if unit is None or not str(unit).strip():
        return "Wert"
    u = normalize_unit(unit)
    if u == "%":
        return "Anteil in %"
    if u == "Anzahl":
        return "Anzahl"
    return u if u.startswith("je ") else f"in {u}"


def _choropleth_alt(data: pd.DataFrame, edges: np.ndarray, ncls: int, keys: list[str], *,
                    title: str | None, area: str | None, year: int | None, unit: str | None,
                    decimals: int | None, highlight: str | None) -> str:
    n = len(data)
    word = _area_word(keys, n)
    where = f"für {'die ' if n > 1 else ''}{n} {word}" + (f" von {area}" if area else "")
    text = f"Karte: {title or 'Indikatorwerte'} {where}" + (f", {year}" if year else "")
    d = 1 if decimals is None else decimals
    if ncls and edges[0] != edges[-1]:
        text += (f", in {ncls} Klasse{'n' if ncls > 1 else ''} von "
                 f"{value_text(edges[0], unit, d)} bis {value_text(edges[-1], unit, d)} "
                 "(dunkler = höher).")
    else:
        text += "."
    if highlight is not None:
        row = data[data["ags"] == str(highlight)].iloc[0]
        if row["klasse"] > 0:
            text += (f" {row['name']} liegt mit {value_text(row['value'], unit, decimals)} in "
                     f"Klasse {int(row['klasse'])} von {ncls}.")
        else:
            text += f" Für {row['name']} liegt kein Wert vor."
    valid = data[data["klasse"] > 0]
    if len(valid) > 1:
        hi = valid.loc[valid["value"].idxmax()]
        lo = valid.loc[valid["value"].idxmin()]
        text += (f" Höchster Wert: {hi['name']} ({value_text(hi['value'], unit, decimals)}), "
                 f"niedrigster: {lo['name']} ({value_text(lo['value'], unit, decimals)}).")
    n_miss = int((data["klasse"] == 0).sum())
    if n_miss:
        text += f" Für {n_miss} Gebiet{'e' if n_miss > 1 else ''} keine Angabe."
    return text
