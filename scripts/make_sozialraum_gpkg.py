"""Write ``data_samples/musterland/sozialraeume.gpkg``: the sample's Sozialräume as a GIS has them.

A Kommune's GIS delivers its Sozialräume as a GeoPackage in ETRS89 / UTM zone 32N
(EPSG:25832), not as GeoJSON in longitude/latitude. This script takes the 26 Sozialräume of
``musterland.geojson`` (level ``sozialraum``: 15 in Musterstadt 99101, 11 in the
Sonnenfeldkreis 99351), reprojects them to EPSG:25832 and writes them as one layer
``sozialraeume`` with the columns ``ags``, ``name``, ``parent`` and the geometry.

Needs the extra ``bimokit[geo]`` (geopandas). The polygons are the GeoJSON's; only the CRS and
the format differ, so a map drawn from either is the same. GeoPackage stores a timestamp, so a
rerun changes the file's bytes but not its content.

Usage: ``python scripts/make_sozialraum_gpkg.py [--out PATH]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples" / "musterland"


def make(out: Path, source: Path = SAMPLE / "musterland.geojson") -> Path:
    """Write the GeoPackage to ``out`` and return it."""
    import geopandas as gpd

    frame = gpd.read_file(source)
    frame = frame[frame["level"] == "sozialraum"][["ags", "name", "parent", "geometry"]]
    frame = frame.sort_values("ags").reset_index(drop=True).to_crs("EPSG:25832")
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    frame.to_file(out, layer="sozialraeume", driver="GPKG")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=SAMPLE / "sozialraeume.gpkg")
    args = ap.parse_args()
    path = make(args.out)
    print(f"{path}: {path.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
