"""Tests of bimokit.regions: keys, levels, parents, Kreistyp and the region table."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bimokit._schema import REGION_COLUMNS
from bimokit.errors import InputError, ParameterError, UnknownRegionError
from bimokit.regions import (
    LAENDER,
    LEVELS,
    ags_level,
    ags_levels,
    build_regions,
    check_ags,
    kreis_of,
    kreistyp_from_name,
    land_name,
    land_of,
    normalize_kreis_key,
    parent_of,
    read_regions,
)


# --------------------------------------------------------------------------- helpers
def _bkg_kreise(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(
        shared_data / "regions" / "kreise_2021-01-01_bkg-vg5000.csv",
        dtype=str,
        keep_default_na=False,
    )


_KEY = re.compile(r"DG|\d{2}|\d{3}|\d{5}|\d{8}|\d{12}")


def _classic_region_rows(path: Path) -> pd.DataFrame:
    """Key, name and the cells after the name of a classic GENESIS -4 export.

    ISO-8859-1, ';'; the key is in column 1, or in column 2 where column 1 holds the year.
    """
    rows = []
    with open(path, encoding="latin-1") as fh:
        for line in fh:
            cells = line.rstrip("\r\n").split(";")
            at = 1 if len(cells) > 3 and re.fullmatch(r"\d{4}", cells[0]) else 0
            key = cells[at].strip()
            if len(cells) < at + 3 or not key:
                continue
            if not _KEY.fullmatch(key):
                continue
            rows.append({"ags": key, "name": cells[at + 1], "values": cells[at + 2:]})
    return pd.DataFrame(rows)


def _flat_region_rows(path: Path) -> pd.DataFrame:
    """Key, name, year and status of every value row of a GENESIS flat file (KREISE)."""
    flat = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    value = flat["value"].str.strip()
    return pd.DataFrame({
        "ags": flat["1_variable_attribute_code"],
        "name": flat["1_variable_attribute_label"],
        "year": flat["time"].str[:4].astype(int),
        "status": value.where(value == "-", ""),
    })


def _classic_facts(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """One fact per value cell: status '-' where the cell is '-', else '' (or the symbol)."""
    long = rows[["ags", "values"]].explode("values")
    cell = long["values"].str.strip()
    return pd.DataFrame({
        "ags": long["ags"].to_numpy(),
        "year": year,
        "status": cell.where(cell.isin(["-", ".", "x"]), "").to_numpy(),
    })


BKG_TYP = {
    "Kreisfreie Stadt": "kreisfreie Stadt",
    "Stadtkreis": "kreisfreie Stadt",
    "Landkreis": "Landkreis",
    "Kreis": "Landkreis",
}


# --------------------------------------------------------------------------- levels
def test_levels_of_every_key_form():
    keys = pd.Series(
        ["DG", "01", "031", "01001", "03241001", "010510011011", "99101-07", "99552-A3"]
    )
    assert ags_levels(keys).tolist() == [
        "bund", "land", "regbez", "kreis", "gemeinde", "gemeinde", "sozialraum", "sozialraum",
    ]
    assert ags_level("DG") == "bund"


def test_levels_keep_the_index():
    out = ags_levels(pd.Series(["01", "05334002"], index=[10, 20]))
    assert out.index.tolist() == [10, 20]
    assert out.name == "level"


@pytest.mark.parametrize(
    "bad", ["1001", "0100", "123456", "dg", "01 001", "9910-07", "99101-", "", "0100100"]
)
def test_malformed_keys_are_named(bad):
    with pytest.raises(UnknownRegionError, match=repr(bad)):
        ags_level(bad)


def test_series_error_names_first_bad_value_position_and_count():
    keys = pd.Series(["01", "01001", "1001", "x", "09"])
    # positions 2 ('1001') and 3 ('x') are bad: the message names the first and counts both
    with pytest.raises(UnknownRegionError, match=r"'1001' at position 2 \(2 of 5 bad\)") as e:
        ags_levels(keys)
    assert "leading zero" in str(e.value)


def test_repeated_keys_computed_once_give_the_same_and_full_positions():
    # facts repeat few keys many times: computed per distinct key, spread back
    keys = pd.Series(["091", "09162", "03241001", "DG"] * 50, index=range(100, 300))
    parents = parent_of(keys)
    assert parents.index.equals(keys.index)
    assert parents.iloc[:3].tolist() == ["09", "091", "03241"]
    assert parents.iloc[3::4].isna().all()
    assert (ags_levels(keys).value_counts() == 50).all()
    bad = keys.copy()
    bad.iloc[137] = "9162"
    # position 137 of the caller's 200 keys, 1 of 200 bad
    with pytest.raises(UnknownRegionError, match=r"'9162' at position 137 \(1 of 200 bad\)"):
        kreis_of(bad)


def test_missing_key_and_numeric_key():
    with pytest.raises(UnknownRegionError, match="position 1"):
        ags_levels(pd.Series(["01", None]))
    with pytest.raises(UnknownRegionError, match="must be text"):
        ags_levels(pd.Series([1001.5]))


def test_levels_of_the_2018_export(shared_data):
    # 12411-01-01-4.csv (Stand 2018), counted by hand in the file:
    #   grep -c '^DG;' → 1;  grep -cE '^[0-9]{2};' → 16;  grep -cE '^[0-9]{3};' → 35
    #   (Regierungsbezirke and "Stat. Region"s, incl. 6 dissolved ones in 14/15 with '-');
    #   grep -cE '^[0-9]{5};' → 471 (399 with values + 72 dissolved with '-' only);
    #   grep -cE '^[0-9]{8};' → 15 (Hannover, Aachen, Saarbrücken + 12 Berlin Bezirke).
    rows = _classic_region_rows(shared_data / "genesis_examples" / "12411-01-01-4.csv")
    counts = ags_levels(rows["ags"]).value_counts().to_dict()
    assert counts == {"bund": 1, "land": 16, "regbez": 35, "kreis": 471, "gemeinde": 15}


# --------------------------------------------------------------------------- land / kreis
def test_land_of_bkg_kreise_per_land(shared_data):
    bkg = _bkg_kreise(shared_data)
    # BKG VG5000 2021-01-01 lists 401 Kreise (SOURCES.md); Bayern 96, NRW 53,
    # Niedersachsen 45, Baden-Württemberg 44.
    assert len(bkg) == 401
    per_land = land_of(bkg["ars"]).value_counts()
    assert per_land["09"] == 96
    assert per_land["05"] == 53
    assert per_land["03"] == 45
    assert per_land["08"] == 44
    assert per_land.sum() == 401
    # the BKG's own land_ars column agrees with land_of for every row
    assert (land_of(bkg["ars"]) == bkg["land_ars"]).all()
    # and so do the names (the BKG file writes Bayern as "Bayern (Bodensee)")
    bkg_names = bkg["land_name"].str.replace(" (Bodensee)", "", regex=False)
    assert all(land_name(k) == n for k, n in zip(bkg["ars"], bkg_names, strict=True))


def test_land_of_and_kreis_of_values():
    keys = pd.Series(["DG", "09", "091", "09162", "05334002", "11001001", "99101-07"])
    assert land_of(keys).fillna("").tolist() == ["", "09", "09", "09", "05", "11", "99"]
    assert kreis_of(keys).fillna("").tolist() == ["", "", "", "09162", "05334", "11000", "99101"]
    assert land_of("DG") is None
    assert kreis_of("010510011011") == "01051"


def test_laender_and_names():
    assert len(LAENDER) == 16
    assert list(LAENDER) == [f"{i:02d}" for i in range(1, 17)]
    assert LAENDER["01"] == "Schleswig-Holstein"
    assert LAENDER["16"] == "Thüringen"
    assert land_name("11001001") == "Berlin"
    with pytest.raises(UnknownRegionError, match="'99'"):
        land_name("99")
    with pytest.raises(UnknownRegionError, match="'DG'"):
        land_name("DG")


# --------------------------------------------------------------------------- parents
def test_parents_of_named_keys():
    keys = pd.Series(["03241001", "05334002", "11001001", "02000000", "09162", "099", "09"])
    assert parent_of(keys).tolist() == ["03241", "05334", "11", "02", "09", "09", "DG"]
    assert parent_of("DG") is None


def test_kreis_parent_is_regbez_only_where_known():
    # 09162 München: parent 091 (Oberbayern) where the table holds 091, else the Land 09
    assert parent_of("09162") == "09"
    assert parent_of("09162", regions=["091"]) == "091"
    assert parent_of("09162", regions=pd.DataFrame({"ags": ["09", "091"]})) == "091"
    # given together, the codes themselves are the table
    assert parent_of(pd.Series(["091", "09162"])).tolist() == ["09", "091"]
    # Hamburg/Berlin as BKG Kreise have their Land as parent
    assert parent_of(pd.Series(["02000", "11000", "020"])).tolist() == ["02", "11", "02"]


def test_parents_in_the_2018_export(shared_data):
    rows = _classic_region_rows(shared_data / "genesis_examples" / "12411-01-01-4.csv")
    parents = parent_of(rows["ags"])
    levels = ags_levels(rows["ags"])
    # every parent is itself a row of the export (the file is complete top-down)
    present = set(rows["ags"])
    assert parents.dropna().isin(present).all()
    # Braunschweig 03101 lies in Stat. Region 031, Flensburg 01001 directly in Land 01
    by_key = dict(zip(rows["ags"], parents, strict=True))
    assert by_key["03101"] == "031"
    assert by_key["01001"] == "01"
    # Schleswig-Holstein has no Regierungsbezirk: its 15 Kreise (4 kreisfreie Städte
    # 01001–01004 + 11 Kreise 01051–01062, as in the BKG list) hang directly under 01
    direct = rows.loc[(levels == "kreis") & (parents.str.len() == 2), "ags"]
    assert land_of(direct).value_counts()["01"] == 15


# --------------------------------------------------------------------------- city states
def test_normalise_kreis_key_round_trip():
    keys = pd.Series(["02000", "11000", "04011", "02", "11"])
    stat = normalize_kreis_key(keys)
    assert stat.tolist() == ["02", "11", "04011", "02", "11"]
    assert normalize_kreis_key(stat, to="bkg").tolist() == [
        "02000", "11000", "04011", "02000", "11000",
    ]
    with pytest.raises(ParameterError, match="'genesis'"):
        normalize_kreis_key("02000", to="genesis")


# --------------------------------------------------------------------------- properties
def region_keys():
    return st.one_of(
        st.from_regex(r"\d{2}|\d{3}|\d{5}|\d{8}|\d{12}", fullmatch=True),
        st.from_regex(r"\d{5}-[0-9A-Z]{1,3}", fullmatch=True),
        st.just("DG"),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(region_keys(), min_size=1, max_size=30))
def test_kreis_and_land_agree(keys):
    s = pd.Series(keys)
    kreise = kreis_of(s)
    has_kreis = kreise.notna()
    assert (land_of(kreise[has_kreis]) == land_of(s[has_kreis])).all()
    assert (ags_levels(kreise[has_kreis]) == "kreis").all()


@settings(max_examples=60, deadline=None)
@given(st.lists(region_keys(), min_size=1, max_size=30))
def test_parent_level_is_above_child_level(keys):
    s = pd.Series(keys)
    parents = parent_of(s)
    has_parent = parents.notna()
    # only Deutschland has no parent
    assert (s[~has_parent] == "DG").all()
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    child = ags_levels(s[has_parent]).map(rank)
    parent = ags_levels(parents[has_parent]).map(rank)
    assert (parent < child).all()
    # walking up always ends at DG within five steps
    up = s
    for _ in range(5):
        up = parent_of(up).fillna("DG")
    assert (up == "DG").all()


# --------------------------------------------------------------------------- Kreistyp
def test_kreistyp_from_name_forms():
    names = pd.Series([
        "Flensburg, Kreisfreie Stadt", "Görlitz, kreisfreie Stadt", "Aachen, krfr. Stadt",
        "Erfurt, krsfr. Stadt", "Mannheim, Stadtkreis", "Kreisfreie Stadt Rostock, Hansestadt",
        "Kiel, Landeshauptstadt, Kreisfreie Stadt", "Chemnitz, Stadt",
        "Dithmarschen, Landkreis", "Landkreis Demmin", "Dithmarschen, Kreis",
        "Rhein-Kreis Neuss", "Vogtlandkreis", "Eifelkreis Bitburg-Prüm",
        "Städteregion Aachen (einschl. Stadt Aachen)", "Saarbrücken, Regionalverband",
        "Region Hannover", "Ingolstadt", "",
    ])
    kfs, lk = "kreisfreie Stadt", "Landkreis"
    assert kreistyp_from_name(names).fillna("?").tolist() == [kfs] * 8 + [lk] * 9 + ["?", "?"]


def test_kreistyp_with_keys_decides_bayern_muenchen_and_city_states():
    names = pd.Series(["München, Landeshauptstadt", "Ingolstadt", "Rosenheim, Landkreis",
                       "Altötting", "Hannover, Landeshauptstadt", "Hamburg", "Berlin",
                       "Oberbayern, Regierungsbezirk", "Deutschland"])
    keys = pd.Series(["09162", "09161", "09187", "09171", "03241001", "02", "11", "091", "DG"])
    out = kreistyp_from_name(names, ags=keys).fillna("-").tolist()
    # München (5-digit Kreis key, a Landeshauptstadt) and Ingolstadt (09x6y) are kreisfrei;
    # Altötting 09171 (09x7y) is a Landkreis; Hannover 03241001 is a Gemeinde: no Kreistyp
    assert out == ["kreisfreie Stadt", "kreisfreie Stadt", "Landkreis", "Landkreis", "-",
                   "kreisfreie Stadt", "kreisfreie Stadt", "-", "-"]
    with pytest.raises(ParameterError, match="one key per name"):
        kreistyp_from_name(names, ags=keys[:3])


@pytest.mark.parametrize("export", [
    "12411-01-01-4.csv", "82411-01-03-4.csv",
    "21111-01-03-4_stand-2017.csv", "21111-02-06-4_stand-2017.csv",
])
def test_kreistyp_agrees_with_bkg_for_classic_exports(shared_data, export):
    bkg = _bkg_kreise(shared_data)
    rows = _classic_region_rows(shared_data / "genesis_examples" / export)
    rows = rows.drop_duplicates("ags")
    rows["kreistyp"] = kreistyp_from_name(rows["name"], ags=rows["ags"])
    rows["ars"] = normalize_kreis_key(rows["ags"], to="bkg")
    both = rows.merge(bkg, on="ars")
    # every one of the 401 BKG Kreise (Gebietsstand 2021-01-01) is in each export by key
    # (Hamburg and Berlin as the Land rows 02 and 11): 401 of 401 agree.
    assert len(both) == 401
    agree = (both["kreistyp"] == both["bez"].map(BKG_TYP)).sum()
    assert agree == 401, both.loc[both["kreistyp"] != both["bez"].map(BKG_TYP)]
    # and every Kreis row of the export gets a type, dissolved ones included
    kreise = ags_levels(rows["ags"]) == "kreis"
    assert rows.loc[kreise, "kreistyp"].notna().all()


def test_kreistyp_agrees_with_bkg_for_flat_export(shared_data):
    bkg = _bkg_kreise(shared_data)
    rows = _flat_region_rows(shared_data / "genesis_flat" / "12411-01-01-4_de_flat.csv")
    rows = rows.drop_duplicates("ags")
    # 489 units: 474 five-digit keys (incl. 02000, 11000) and 15 eight-digit keys
    assert len(rows) == 489
    rows["kreistyp"] = kreistyp_from_name(rows["name"], ags=rows["ags"])
    both = rows.merge(bkg, left_on="ags", right_on="ars")
    assert len(both) == 401
    # 401 of 401 agree ("Mannheim, Stadtkreis", "Görlitz, kreisfreie Stadt", …)
    assert (both["kreistyp"] == both["bez"].map(BKG_TYP)).sum() == 401
    assert both.loc[both["ags"] == "08222", "kreistyp"].item() == "kreisfreie Stadt"


# --------------------------------------------------------------------------- build_regions
def test_build_regions_2018_export(shared_data):
    rows = _classic_region_rows(shared_data / "genesis_examples" / "12411-01-01-4.csv")
    facts = _classic_facts(rows, 2018)
    table = build_regions(rows[["ags", "name"]], facts)
    assert tuple(table.columns) == REGION_COLUMNS
    assert len(table) == 538  # 1 + 16 + 35 + 471 + 15 rows, keys unique
    # dissolved: rows with '-' in all three value cells, grep -cE ';-;-;-$' → 78
    # (72 Kreise + 6 Regierungsbezirke/Stat. Regionen in Sachsen and Sachsen-Anhalt)
    assert (~table["exists"]).sum() == 78
    gone = set(table.loc[~table["exists"], "ags"])
    assert {"03152", "03156", "05354", "141", "153"} <= gone
    # the facts hold one year only: no year with a value, so valid_to is unknown
    assert table["valid_to"].isna().all()
    # existing Kreise 471 - 72 = 399, plus Hamburg and Berlin as Länder: the 401 of BKG
    kreise = table[(table["level"] == "kreis") & table["exists"]]
    assert len(kreise) == 399
    # the same Kreise as the BKG list without 02000/11000: BKG bez Landkreis 252 + Kreis 42
    # = 294; Kreisfreie Stadt 98 + Stadtkreis 9 = 107, minus Hamburg and Berlin = 105
    assert kreise["kreistyp"].value_counts().to_dict() == {"Landkreis": 294,
                                                           "kreisfreie Stadt": 105}
    # Berlin's Bezirke carry '.' (secret), not '-': they exist
    berlin = table[table["ags"].str.startswith("11") & (table["level"] == "gemeinde")]
    assert len(berlin) == 12 and berlin["exists"].all()
    assert (berlin["parent"] == "11").all()
    # names lose their indentation, keep the published text
    by_key = table.set_index("ags")
    assert by_key.loc["01001", "name"] == "Flensburg, Kreisfreie Stadt"
    assert by_key.loc["09162", "name"] == "München, Landeshauptstadt"
    assert by_key.loc["09162", "kreistyp"] == "kreisfreie Stadt"
    assert by_key.loc["09162", "parent"] == "091"
    assert by_key.loc["01001", "parent"] == "01"
    assert by_key.loc["03241001", "parent"] == "03241"
    assert by_key.loc["DG", "parent"] is None or pd.isna(by_key.loc["DG", "parent"])


def test_build_regions_two_exports_dissolution_year(shared_data):
    old = _classic_region_rows(shared_data / "genesis_examples" / "12411-01-01-4.csv")
    new = _flat_region_rows(shared_data / "genesis_flat" / "12411-01-01-4_de_flat.csv")
    # newest first: its names win where both files name a region
    rows = pd.concat([new[["ags", "name"]], old[["ags", "name"]]], ignore_index=True)
    facts = pd.concat([new[["ags", "year", "status"]], _classic_facts(old, 2018)])
    table = build_regions(rows, facts).set_index("ags")
    # Eisenach 16056: values in 2018, '-' in 2024 → dissolved, valid until 2018
    assert not table.loc["16056", "exists"]
    assert table.loc["16056", "valid_to"] == 2018
    assert table.loc["16056", "name"] == "Eisenach, kreisfreie Stadt"
    # 15151 Anhalt-Zerbst: '-' in both files → dissolved, last year unknown
    assert not table.loc["15151", "exists"]
    assert pd.isna(table.loc["15151", "valid_to"])
    # Wartburgkreis and Göttingen (new 2016) exist throughout
    assert table.loc["16063", "exists"] and table.loc["03159", "exists"]
    # flat 2024: 474 - 74 dissolved = 400 Kreise (SOURCES.md: 400 Kreise in 2024), of them
    # Hamburg and Berlin as 02000/11000; the 2018 file has them as Länder 02/11
    kreise = table[(table["level"] == "kreis") & table["exists"]]
    assert len(kreise) == 400
    # the 2024 file lists 74 dissolved units (222 '-' values / 3 columns): all flagged
    gone_2024 = set(new.loc[new["status"] == "-", "ags"])
    assert len(gone_2024) == 74
    assert not table.loc[sorted(gone_2024), "exists"].any()


def test_build_regions_new_unit_and_given_columns():
    rows = pd.DataFrame({
        "ags": ["03", "03159", "03152", "99101-01", "99101"],
        "name": ["Niedersachsen", "Göttingen, Landkreis", "Göttingen, Landkreis (alt)",
                 "Innenstadt", "Musterstadt"],
        "kreistyp": ["", "", "", "", "Kreisfreie Stadt"],
        "exists": ["", "", "", "true", ""],
    })
    facts = pd.DataFrame({
        "ags": ["03159", "03159", "03152", "03152"],
        "year": [2015, 2016, 2015, 2016],
        "status": ["-", "", "", "-"],
    })
    t = build_regions(rows, facts).set_index("ags")
    # 03159 listed with '-' in 2015 and a value from 2016: new unit, valid_from 2016
    assert t.loc["03159", "valid_from"] == 2016 and t.loc["03159", "exists"]
    # 03152 value in 2015, '-' in 2016: dissolved, valid_to 2015
    assert t.loc["03152", "valid_to"] == 2015 and not t.loc["03152", "exists"]
    # given Kreistyp spelled as in the BKG list is normalised; Sozialraum parent is its Kreis
    assert t.loc["99101", "kreistyp"] == "kreisfreie Stadt"
    assert t.loc["99101-01", "parent"] == "99101"
    assert t.loc["99101-01", "level"] == "sozialraum"
    assert str(t["valid_from"].dtype) == "Int64"


def test_build_regions_first_non_empty_name_wins_and_errors():
    rows = pd.DataFrame({"ags": ["01001", "01001", "01001"],
                         "name": ["  ", "Flensburg, Kreisfreie Stadt", "Flensburg, Stadt"]})
    t = build_regions(rows)
    assert t["name"].tolist() == ["Flensburg, Kreisfreie Stadt"]
    assert t["exists"].tolist() == [True]
    with pytest.raises(ParameterError, match="'name'"):
        build_regions(pd.DataFrame({"ags": ["01"]}))
    with pytest.raises(UnknownRegionError, match="'1001' at position 1"):
        build_regions(pd.DataFrame({"ags": ["01", "1001"], "name": ["a", "b"]}))
    with pytest.raises(ParameterError, match="'status'"):
        build_regions(rows, pd.DataFrame({"ags": ["01001"], "year": [2020]}))


# --------------------------------------------------------------------------- check_ags
def _small_table():
    return build_regions(pd.DataFrame({
        "ags": ["09", "09162", "09163", "09171", "02"],
        "name": ["Bayern", "München, Landeshauptstadt", "Rosenheim", "Altötting, Landkreis",
                 "Hamburg"],
    }))


def test_check_ags_accepts_known_and_names_unknown():
    regions = _small_table()
    check_ags(pd.Series(["09162", "09", "02"]), regions)
    with pytest.raises(UnknownRegionError) as e:
        check_ags(["09162", "09999000", "09172"], regions, source="data_samples/musterland")
    msg = str(e.value)
    assert msg.startswith(
        "Unknown AGS '09999000': not in the region table of data_samples/musterland."
    )
    assert "1 more unknown: '09172'" in msg


def test_check_ags_suggestions():
    regions = _small_table()
    regions.attrs["source"] = "regions.csv"
    with pytest.raises(UnknownRegionError, match=r"of regions.csv\. Did you mean '09171'"):
        check_ags("09172", regions)
    # a name instead of a key
    with pytest.raises(UnknownRegionError, match=r"Did you mean '09162' \(München"):
        check_ags("Muenchen", regions)
    # the BKG key of Hamburg where the table uses the statistics key
    with pytest.raises(UnknownRegionError, match=r"Did you mean '02' \(Hamburg\)"):
        check_ags("02000", regions)


# --------------------------------------------------------------------------- read_regions
def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "regions.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_read_regions_round_trip(tmp_path, shared_data):
    rows = _classic_region_rows(shared_data / "genesis_examples" / "12411-01-01-4.csv")
    table = build_regions(rows[["ags", "name"]], _classic_facts(rows, 2018))
    path = tmp_path / "regions.csv"
    table.to_csv(path, index=False)
    back = read_regions(path)
    assert back.attrs["source"] == str(path)
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    assert back["ags"].tolist()[:3] == ["DG", "01", "01001"]


def test_read_regions_fills_missing_columns(tmp_path):
    p = _write(tmp_path, "ags,name\n99,Musterland\n991,Nord\n99101,Musterstadt, Stadt\n")
    # an unquoted comma in a name makes a third field: pandas refuses the line
    with pytest.raises(InputError, match="regions.csv"):
        read_regions(p)
    p = _write(tmp_path, 'ags,name\n99,Musterland\n991,Nord\n99101,"Musterstadt, Stadt"\n'
                         "99101-01,Altstadt\n")
    t = read_regions(p)
    assert t["level"].tolist() == ["land", "regbez", "kreis", "sozialraum"]
    assert t["parent"].tolist()[1:] == ["99", "991", "99101"]
    assert t["kreistyp"].fillna("-").tolist() == ["-", "-", "kreisfreie Stadt", "-"]


@pytest.mark.parametrize("body, line, field, what", [
    ("ags,name\n01,a\n1001,b\n", 3, "ags", "'1001'"),
    ("ags,name\n01,a\n01,b\n", 3, "ags", "first on line 2"),
    ("ags,name,level\n01,a,land\n01001,b,gemeinde\n", 3, "level", "'gemeinde'"),
    ("ags,name,parent\n01,a,DG\n01001,b,1\n", 3, "parent", "'1'"),
    ("ags,name,kreistyp\n01001,a,Großstadt\n", 2, "kreistyp", "'Großstadt'"),
    ("ags,name,valid_to\n01001,a,2020\n01002,b,bald\n", 3, "valid_to", "'bald'"),
    ("ags,name,exists\n01001,a,vielleicht\n", 2, "exists", "'vielleicht'"),
])
def test_read_regions_errors_name_line_and_field(tmp_path, body, line, field, what):
    p = _write(tmp_path, body)
    with pytest.raises(InputError) as e:
        read_regions(p)
    assert e.value.line == line
    assert e.value.field == field
    assert what in str(e.value)
    assert e.value.path == str(p)


def test_read_regions_dates_and_given_end(tmp_path):
    p = _write(tmp_path, "ags,name,level,parent,kreistyp,valid_from,valid_to\n"
                         "99155,Altmusterkreis,kreis,991,Landkreis,,2015-12-31\n"
                         "99158,Neukreis,kreis,991,Landkreis,2016-01-01,\n"
                         "99156,Seen,kreis,991,Landkreis,,\n")
    t = read_regions(p).set_index("ags")
    # an ISO date counts by its year; a given end means the region no longer exists
    assert t.loc["99155", "valid_to"] == 2015 and not t.loc["99155", "exists"]
    assert t.loc["99158", "valid_from"] == 2016 and t.loc["99158", "exists"]
    assert t.loc["99156", "exists"]
    # the parent written in the file wins over the computed one (no 991 row here)
    assert t.loc["99156", "parent"] == "991"


def test_read_regions_missing_file_and_column(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_regions(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no column 'name'"):
        read_regions(_write(tmp_path, "ags,bez\n01,a\n"))
