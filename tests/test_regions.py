"""Tests of bimokit.regions: keys, levels, parents, Kreistyp and the region table."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bimokit.errors import ParameterError, UnknownRegionError
from bimokit.regions import (
    LAENDER,
    LEVELS,
    ags_level,
    ags_levels,
    kreis_of,
    land_name,
    land_of,
    normalise_kreis_key,
    parent_of,
)


# --------------------------------------------------------------------------- helpers
def _bkg_kreise(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(
        shared_data / "regions" / "kreise_2021-01-01_bkg-vg5000.csv",
        dtype=str,
        keep_default_na=False,
    )


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
            try:
                ags_level(key)
            except UnknownRegionError:
                continue
            rows.append({"ags": key, "name": cells[at + 1], "values": cells[at + 2:]})
    return pd.DataFrame(rows)


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
    # Kreise hanging directly under their Land: SH 15, Saarland 6, Brandenburg 18, MV 8,
    # Bremen 2, Thüringen 23, … — at least those of the Länder without Regierungsbezirke
    direct = rows.loc[(levels == "kreis") & (parents.str.len() == 2), "ags"]
    assert land_of(direct).value_counts()["01"] == 15


# --------------------------------------------------------------------------- city states
def test_normalise_kreis_key_round_trip():
    keys = pd.Series(["02000", "11000", "04011", "02", "11"])
    stat = normalise_kreis_key(keys)
    assert stat.tolist() == ["02", "11", "04011", "02", "11"]
    assert normalise_kreis_key(stat, to="bkg").tolist() == [
        "02000", "11000", "04011", "02000", "11000",
    ]
    with pytest.raises(ParameterError, match="'genesis'"):
        normalise_kreis_key("02000", to="genesis")


# --------------------------------------------------------------------------- properties
def region_keys():
    return st.one_of(
        st.from_regex(r"\d{2}|\d{3}|\d{5}|\d{8}|\d{12}", fullmatch=True),
        st.from_regex(r"\d{5}-[0-9A-Z]{1,3}", fullmatch=True),
        st.just("DG"),
    )


@given(st.lists(region_keys(), min_size=1, max_size=30))
def test_kreis_and_land_agree(keys):
    s = pd.Series(keys)
    kreise = kreis_of(s)
    has_kreis = kreise.notna()
    assert (land_of(kreise[has_kreis]) == land_of(s[has_kreis])).all()
    assert (ags_levels(kreise[has_kreis]) == "kreis").all()


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
