"""bimokit.io.geo: region geometry from GeoJSON (core), GeoPackage and Shapefile (extra geo)."""

from __future__ import annotations

import json
import re
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

import bimokit as bk
from bimokit.errors import InputError, InputWarning
from bimokit.io.geo import find_geometry_files, read_geometries, read_geometry
from bimokit.plots import plot_choropleth

SAMPLE = bk.sample_dir("musterland")
NEEDS_GEO = "needs bimokit[geo] (geopandas)"


def square(x: float, y: float = 0.0, d: float = 1.0) -> dict:
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]}


def write(path, obj) -> str:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------------------------------------
# core: GeoJSON in WGS84, no geopandas needed
# ---------------------------------------------------------------------------------------------


def test_sample_geojson_with_keys_and_names():
    gj = read_geometry(SAMPLE / "musterland.geojson")
    props = [f["properties"] for f in gj["features"]]
    assert len(props) == 55  # 29 Kreise + 26 Sozialräume (see data_samples/README.md)
    assert props[0]["ags"] == "99101" and props[0]["name"] == "Musterstadt, Kreisfreie Stadt"
    assert sum(p["level"] == "sozialraum" for p in props) == 26
    assert gj["repaired"] == []


def test_keys_matched_to_the_region_table(tmp_path):
    regions = pd.DataFrame({"ags": ["99101", "99101-01", "99101-02", "99101-03"],
                            "level": ["kreis", "sozialraum", "sozialraum", "sozialraum"],
                            "exists": True})
    path = write(tmp_path / "sr.geojson", collection(
        ({"ags": "99101-01", "name": "Altstadt"}, square(9.0, 51.0, 0.01)),
        ({"ags": "99101-02", "name": "Nordviertel"}, square(9.1, 51.0, 0.01)),
        ({"ags": "99101-77", "name": "Gibt es nicht"}, square(9.2, 51.0, 0.01))))
    with pytest.warns(InputWarning) as record:
        gj = read_geometry(path, regions=regions, level="sozialraum")
    messages = [str(w.message) for w in record]
    assert any("1 feature(s) have keys that are not in the region table and are left out: "
               "'99101-77'" in m for m in messages)
    assert any("1 region(s) of level 'sozialraum' have no geometry: '99101-03'" in m
               for m in messages)
    assert [f["properties"]["ags"] for f in gj["features"]] == ["99101-01", "99101-02"]
    with pytest.raises(InputError, match=r"sr.geojson.*None of the 3 keys"):
        read_geometry(path, regions=["01001"])


def test_short_gis_codes_get_the_kreis_prefix(tmp_path):
    # the GIS numbers the Sozialräume 1, 2 (as numbers) in a column SR_NR
    path = write(tmp_path / "sr.geojson", collection(
        ({"SR_NR": "01", "SR_NAME": "Altstadt"}, square(9.0, 51.0, 0.01)),
        ({"SR_NR": "02", "SR_NAME": "Nordviertel"}, square(9.1, 51.0, 0.01))))
    with pytest.raises(InputError, match=r"No property holds the region key.*'SR_NAME', 'SR_NR'"):
        read_geometry(path)
    gj = read_geometry(path, key="SR_NR", key_prefix="99101-")
    assert [f["properties"]["ags"] for f in gj["features"]] == ["99101-01", "99101-02"]
    assert gj["features"][0]["properties"]["name"] == "99101-01"  # no known name property


def test_numeric_ags_are_zero_padded(tmp_path):
    # Schleswig-Holstein's Kreis 01001 stored as the number 1001 by a GIS
    path = write(tmp_path / "k.geojson", collection(({"AGS": 1001}, square(9.0, 54.0, 0.1)),
                                                    ({"AGS": 5111}, square(6.7, 51.2, 0.1))))
    assert [f["properties"]["ags"] for f in read_geometry(path)["features"]] == ["01001", "05111"]


def test_duplicate_and_missing_keys_name_file_and_feature(tmp_path):
    path = write(tmp_path / "dup.geojson", collection(({"ags": "99101-01"}, square(9.0, 51.0)),
                                                      ({"ags": "99101-02"}, square(9.1, 51.0)),
                                                      ({"ags": "99101-01"}, square(9.2, 51.0))))
    with pytest.raises(InputError, match=r"dup.geojson, field ags: The key '99101-01' appears "
                                         r"twice: features 1 and 3"):
        read_geometry(path)
    path = write(tmp_path / "nokey.geojson", collection(({"ags": "99101-01"}, square(9, 51)),
                                                        ({"ags": None}, square(9.1, 51))))
    with pytest.raises(InputError, match=r"nokey.geojson, field ags: Feature 2 has no key"):
        read_geometry(path)


def test_points_are_not_regions(tmp_path):
    path = write(tmp_path / "p.geojson", collection(
        ({"ags": "99101"}, {"type": "Point", "coordinates": [9.0, 51.0]})))
    with pytest.raises(InputError, match=r"p.geojson, field geometry: Feature 1 "
                                         r"\(ags='99101'\): geometry type 'Point'"):
        read_geometry(path)


def test_find_geometry_files_order(tmp_path):
    for name in ["b.shp", "a.gpkg", "z.geojson", "k.geo.json", ".hidden.geojson", "x.csv"]:
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.name for p in find_geometry_files(tmp_path)] == ["k.geo.json", "z.geojson",
                                                               "a.gpkg", "b.shp"]
    assert find_geometry_files(tmp_path / "nicht da") == []


def test_sample_folder_geometries():
    regions = bk.load_data().regions
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # nothing to warn about in the sample
        gj = read_geometries(SAMPLE, regions=regions)
    assert gj["sources"][0] == "musterland.geojson"
    # 55 regions whether or not the GeoPackage could be read: its 26 Sozialräume are in the
    # GeoJSON already, and the GeoJSON comes first
    assert len(gj["features"]) == 55


# ---------------------------------------------------------------------------------------------
# the extra: GeoPackage, Shapefile, other CRS, repair
# ---------------------------------------------------------------------------------------------


def test_sample_geopackage_is_the_geojson_reprojected():
    pytest.importorskip("geopandas", reason=NEEDS_GEO)
    gj = read_geometry(SAMPLE / "sozialraeume.gpkg")
    assert len(gj["features"]) == 26
    ref = {f["properties"]["ags"]: f["geometry"] for f in
           read_geometry(SAMPLE / "musterland.geojson")["features"]}
    for f in gj["features"]:
        got = np.asarray(f["geometry"]["coordinates"][0])
        want = np.asarray(ref[f["properties"]["ags"]]["coordinates"][0])
        # EPSG:25832 and back: the same polygon to within 1e-6 degrees (about 10 cm)
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_shapefile_in_utm33_without_and_with_crs(tmp_path):
    gpd = pytest.importorskip("geopandas", reason=NEEDS_GEO)
    frame = gpd.read_file(SAMPLE / "sozialraeume.gpkg").to_crs("EPSG:25833")
    frame.to_file(tmp_path / "sr.shp")
    gj = read_geometry(tmp_path / "sr.shp")
    x, y = np.asarray(gj["features"][0]["geometry"]["coordinates"][0]).mean(axis=0)
    assert 9 < x < 10 and 51 < y < 52  # back in longitude/latitude: Musterstadt
    # the same without its .prj: no CRS; refused unless told
    (tmp_path / "sr.prj").unlink()
    with pytest.raises(InputError, match=r"sr.shp: The file declares no coordinate reference "
                                         r"system.*crs='EPSG:25832'"):
        read_geometry(tmp_path / "sr.shp")
    gj2 = read_geometry(tmp_path / "sr.shp", crs="EPSG:25833")
    assert np.allclose(gj2["features"][0]["geometry"]["coordinates"][0],
                       gj["features"][0]["geometry"]["coordinates"][0])


def test_geojson_in_utm_is_reprojected(tmp_path):
    pytest.importorskip("geopandas", reason=NEEDS_GEO)
    # an old-style GeoJSON with a crs member, coordinates in EPSG:25832
    obj = collection(({"ags": "99101-01"}, square(516000, 5680000, 1000)))
    obj["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    gj = read_geometry(write(tmp_path / "utm.geojson", obj))
    x, y = np.asarray(gj["features"][0]["geometry"]["coordinates"][0]).mean(axis=0)
    assert 9.2 < x < 9.3 and 51.2 < y < 51.3


def test_invalid_geometry_is_repaired_or_named(tmp_path):
    pytest.importorskip("shapely", reason=NEEDS_GEO)
    bowtie = {"type": "Polygon",
              "coordinates": [[[9.0, 51.0], [9.1, 51.1], [9.1, 51.0], [9.0, 51.1], [9.0, 51.0]]]}
    path = write(tmp_path / "bow.geojson", collection(({"ags": "99101-01"}, square(9, 51, .1)),
                                                      ({"ags": "99101-02"}, bowtie)))
    with pytest.warns(InputWarning, match=r"bow.geojson: invalid geometry repaired in 1 "
                                          r"feature\(s\): Feature 2 \(ags='99101-02'\) "
                                          r"\(Self-intersection"):
        gj = read_geometry(path)
    assert gj["features"][1]["geometry"]["type"] == "MultiPolygon"  # two triangles
    flat = {"type": "Polygon", "coordinates": [[[9.0, 51.0], [9.1, 51.0], [9.2, 51.0],
                                                [9.0, 51.0]]]}
    path = write(tmp_path / "flat.geojson", collection(({"ags": "99101-03"}, flat)))
    with pytest.raises(InputError, match=r"flat.geojson, field geometry: Feature 1 "
                                         r"\(ags='99101-03'\): the geometry is invalid"):
        read_geometry(path)


def test_broken_geopackage_is_an_input_error(tmp_path):
    pytest.importorskip("geopandas", reason=NEEDS_GEO)
    bad = tmp_path / "kaputt.gpkg"
    bad.write_bytes(b"not a geopackage at all")
    with pytest.raises(InputError, match="kaputt.gpkg: Cannot read the geometry"):
        read_geometry(bad)


def test_without_geopandas_a_geopackage_asks_for_the_extra(tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_geopandas(name, *args, **kwargs):
        if name == "geopandas":
            raise ImportError("no geopandas")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_geopandas)
    with pytest.raises(InputError, match=r"sozialraeume.gpkg: .*needs geopandas: "
                                         r"pip install 'bimokit\[geo\]'"):
        read_geometry(SAMPLE / "sozialraeume.gpkg")
    # a folder with only the GeoPackage: nothing readable, and a warning that says why
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(SAMPLE / "sozialraeume.gpkg", folder)
    with pytest.warns(InputWarning, match=r"sozialraeume.gpkg left out.*bimokit\[geo\]"):
        assert read_geometries(folder) is None


def test_choropleth_from_a_geopackage_path():
    pytest.importorskip("geopandas", reason=NEEDS_GEO)
    keys = [f"99101-{i:02d}" for i in range(1, 16)]
    v = pd.DataFrame({"ags": keys, "value": np.arange(15.0)})
    ch = plot_choropleth(v, SAMPLE / "sozialraeume.gpkg", within="99101-", bins=[0, 5, 10, 15],
                         unit="", decimals=0, area="Musterstadt")
    assert list(ch.data["ags"]) == keys
    assert ch.alt.startswith("Karte: Indikatorwerte für die 15 Sozialräume von Musterstadt")


# ---------------------------------------------------------------------------------------------
# chapter S draws the sample's Sozialräume from the GeoPackage in EPSG:25832
# ---------------------------------------------------------------------------------------------


@pytest.fixture()
def gpkg_only_folder(tmp_path):
    """The sample with its Sozialräume as GeoPackage only (no GeoJSON)."""
    folder = tmp_path / "musterland_gis"
    shutil.copytree(SAMPLE, folder)
    (folder / "musterland.geojson").unlink()
    return folder


def test_chapter_s_sozialindex_map_from_geopackage_geometry(gpkg_only_folder):
    # what the chapter draws (its Sozialindex of the Sozialräume) on what read_geometries
    # finds in the data folder: the GeoPackage, reprojected
    pytest.importorskip("geopandas", reason=NEEDS_GEO)
    from bimokit.chapters import Chapter

    geo = read_geometries(gpkg_only_folder)
    assert geo["sources"] == ["sozialraeume.gpkg"]
    si = Chapter("S", ags="99101")._sozialindex_result()["si"]
    si = si[si["score_z"].notna()]
    ch = plot_choropleth(pd.DataFrame({"ags": si["ags"].to_numpy(), "value": si["score_z"]}),
                         geo, within="99101-", bins=[-2, -1.5, -0.5, 0.5, 1.5, 2.5], unit="",
                         decimals=1, area="Musterstadt", cmap="YlOrRd")
    assert len(ch.data) == 15 and (ch.data["klasse"] > 0).all()
    assert "für die 15 Sozialräume von Musterstadt" in ch.alt


def test_chapter_s_draws_from_the_geopackage(gpkg_only_folder):
    pytest.importorskip("geopandas", reason=NEEDS_GEO)
    from bimokit.chapters import Chapter

    ch = Chapter("S", ags="99101", data=str(gpkg_only_folder))
    ch.karte_sozialindex()
    alt = re.search(r'alt="([^"]*)"', ch.outputs[-1]).group(1)
    assert alt.startswith("Karte: Sozialindex 2024: Klassen des Unterstützungsbedarfs für die "
                          "15 Sozialräume von Musterstadt")
