"""bimokit.io.read_flat on flat files of other tables, databases and format editions.

Fixtures in tests/data/io/ are cut from real flat files quoted in public repositories
(cited per test) or, where stated, built in the published format.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bimokit.errors import InputError
from bimokit.io import read, read_flat

DATA = Path(__file__).parent / "data" / "io"


def _one(facts: pd.DataFrame, **where) -> float:
    mask = np.ones(len(facts), bool)
    for col, val in where.items():
        mask &= (facts[col] == val).to_numpy()
    rows = facts[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return float(rows["value"].iloc[0])


def test_zensus_laender_geo_variable_and_two_units():
    # Zensus 2022 database, table 1000A-1018 as ffcsv (two rows quoted in the notes of a
    # public repository): region list GEOBL1, value_q 'e', the same value variable PRS018
    # 'Personen' once in % (3,1) and once as Anzahl (49282)
    ex = read(DATA / "flat_zensus_laender.csv")
    f = ex.facts
    assert set(f["ags"]) == {"13"}
    assert ex.regions["level"].tolist() == ["land"]
    # the count keeps the published label, the share gets its unit appended
    assert _one(f, variable="Personen") == 49282
    assert _one(f, variable="Personen (%)") == 3.1
    assert ex.units == {"Personen": "Anzahl", "Personen (%)": "%"}
    assert set(f["status"]) == {""}  # 'e' = final


def test_zensus_gemeinden_twelve_digit_ars():
    # 1000A-0001_de_flat.csv (preview quoted in a public repository): GEOGM4 Gemeinden with
    # 12-digit ARS, three value variables in different units, file without BOM
    ex = read(DATA / "flat_zensus_gemeinden.csv")
    f = ex.facts
    assert ex.regions.to_dict("list") == {"ags": ["092760130130"], "name": ["Lindberg"],
                                          "level": ["gemeinde"]}
    assert _one(f, variable="Fläche") == 108.84
    assert _one(f, variable="Personen") == 2294
    assert ex.units["Bevölkerungsdichte"] == "Ew/qkm"
    assert set(f["year"]) == {2022}


def test_older_flat_format():
    # the older flat CSV (CorrelAid/pystatis, tests: EASY_TABLE of 11111-0001):
    # Statistik_Code;…;Zeit;1_Merkmal_Code;…;FLC006__Gebietsflaeche__qkm, Zeit 31.12.2022,
    # the Länder total with an empty key ('Insgesamt') = Deutschland, Windows-1252
    ex = read(DATA / "11111-0001_flat.csv")
    f = ex.facts
    assert ex.table_code == "11111-0001"
    assert set(f["year"]) == {2022}
    assert _one(f, ags="08") == 35747.85
    assert _one(f, ags="DG") == 357595.99
    assert ex.units == {"Gebietsflaeche": "qkm"}
    assert ex.regions.set_index("ags").loc["DG", "level"] == "bund"


def test_several_levels_school_year_decimal_point_four_groups():
    # built in the ffcsv format of the shared real file (../shared genesis_flat) for a
    # school table: DINSG/DLAND/REGBEZ/KREISE/GEMEINDE rows in one file, SJAHR '2023/24',
    # a value with decimal point, four variable groups, value_q p/r, CRLF, no BOM
    ex = read_flat(DATA / "21111-0009_flat.csv")
    f = ex.facts
    assert ex.regions.set_index("ags")["level"].to_dict() == {
        "09": "land", "091": "regbez", "09162": "kreis", "09184119": "gemeinde",
        "DG": "bund"}
    assert list(f.columns) == ["ags", "year", "variable", "geschlecht", "nationalitaet",
                               "schularten", "value", "status", "source"]
    # school year 2023/24 → 2023
    assert _one(f, ags="09162", year=2023) == 147311
    assert _one(f, ags="DG", geschlecht="weiblich", nationalitaet="Ausländer",
                schularten="Gymnasien") == 228731.0
    # quality flags become the status; '...' stays a missing value
    assert _one(f, ags="DG", geschlecht="Insgesamt") == 8708349
    assert f.loc[f["ags"] == "DG", "status"].tolist() == ["p", "p"]
    assert f.loc[(f["ags"] == "09162") & (f["year"] == 2022), "status"].tolist() == ["r"]
    gem = f[f["ags"] == "09184119"]
    assert gem["status"].tolist() == ["..."] and gem["value"].isna().all()


def test_older_flat_format_bad_value_names_line_and_field(tmp_path):
    text = (DATA / "11111-0001_flat.csv").read_bytes().decode("cp1252")
    p = tmp_path / "11111-0001_flat.csv"
    p.write_bytes(text.replace("891,12", "891;12").encode("cp1252"))
    err = pytest.raises(InputError, read_flat, p).value
    # line 4 (Berlin) has 11 fields, the header 10
    assert err.line == 4 and "11" in err.reason and "11111-0001_flat.csv" in str(err)
    p.write_bytes(text.replace("70541,58", "7O541").encode("cp1252"))
    err = pytest.raises(InputError, read_flat, p).value
    # line 3 = Bayern, field 10 = the value column
    assert (err.line, err.field) == (3, "10") and "'7O541'" in err.reason


# ---- flat exports of other statistics (issue 13, item 9): fixtures built in the format of
# the real file ../shared/data/genesis_flat/12411-01-01-4_de_flat.csv (header, BOM, ';'),
# one per class of file the reader used to refuse; the figures are invented.


def test_quarterly_reference_dates_are_kept():
    # 13111 (employees at the place of work) with the Stichtage 31.03. and 30.06.2023:
    # both in year 2023; the date is kept as the dimension 'stichtag' (time_label)
    ex = read_flat(DATA / "flat_quarterly_de_flat.csv")
    f = ex.facts
    assert list(f.columns) == ["ags", "year", "variable", "geschlecht", "stichtag", "value",
                               "status", "source"]
    assert set(f["year"]) == {2023} and len(f) == 8
    assert sorted(set(f["stichtag"])) == ["2023-03-31", "2023-06-30"]
    assert _one(f, ags="09162", stichtag="2023-03-31", geschlecht="Insgesamt") == 915234
    assert _one(f, ags="09162", stichtag="2023-06-30", geschlecht="Insgesamt") == 918660
    assert _one(f, ags="09184", stichtag="2023-06-30", geschlecht="weiblich") == 149388


def test_one_reference_date_a_year_adds_no_column(shared_data):
    # the real file: Stichtag 2024-12-31 only, the year is enough
    assert "stichtag" not in read_flat(shared_data / "genesis_flat" /
                                       "12411-01-01-4_de_flat.csv").facts.columns


def test_categories_keyed_by_code_where_codes_share_a_label():
    # SCHART-FOEP and SCHART-FOES are both 'Förderschulen': two categories, each shown with
    # its code; the other categories keep their label
    ex = read_flat(DATA / "flat_repeated_labels_de_flat.csv")
    f = ex.facts
    assert f["schularten"].tolist() == ["Insgesamt", "Grundschulen",
                                        "Förderschulen [SCHART-FOEP]",
                                        "Förderschulen [SCHART-FOES]"]
    assert _one(f, schularten="Förderschulen [SCHART-FOEP]") == 1912
    assert _one(f, schularten="Förderschulen [SCHART-FOES]") == 3105


@pytest.mark.parametrize("code", ["GEMEIN", "GEMLISTE"])
def test_gemeinden_of_one_name_are_regions(tmp_path, code):
    # two Gemeinden 'Neustadt': the GEMEIN list (or a list labelled 'Gemeinden' whose codes
    # are all region keys) is the region, keyed by the AGS, not a breakdown by name
    text = (DATA / "flat_gemeinden_same_name_de_flat.csv").read_text(encoding="utf-8-sig")
    p = tmp_path / "12411-01-01-5_de_flat.csv"
    p.write_text(text.replace(";GEMEIN;", f";{code};"), encoding="utf-8")
    ex = read_flat(p)
    f = ex.facts
    assert list(f.columns) == ["ags", "year", "variable", "geschlecht", "value", "status",
                               "source"]
    assert ex.regions.to_dict("list") == {
        "ags": ["09162000", "09374143", "09575153"],
        "name": ["München, Landeshauptstadt", "Neustadt", "Neustadt"],
        "level": ["gemeinde"] * 3}
    assert _one(f, ags="09575153", geschlecht="Insgesamt") == 13120
    assert _one(f, ags="09374143", geschlecht="weiblich") == 618


def test_quality_flag_limited_and_bracketed_values():
    # value_q '()' (Aussagewert eingeschränkt) marks a plain value; '(24517)' in the value
    # cell is the same status; 'e' is final (plain); a symbol in the value cell stays
    ex = read_flat(DATA / "flat_limited_de_flat.csv")
    f = ex.facts
    assert f["status"].tolist() == ["", "()", "()", "p", "."]
    assert f["value"].tolist()[:4] == [71250.0, 18932.0, 24517.0, 6040.0]
    assert np.isnan(f["value"].iloc[4])


@pytest.mark.parametrize("flag,status,value", [("()", "()", 5.0), ("v", "p", 5.0),
                                               (".", ".", None), ("-", "-", 0.0),
                                               ("0", "0", 5.0)])
def test_every_documented_quality_flag(tmp_path, flag, status, value):
    text = (DATA / "flat_limited_de_flat.csv").read_text(encoding="utf-8-sig")
    head, first = text.splitlines()[:2]
    p = tmp_path / "22541-01-01-4_de_flat.csv"
    p.write_text(head + "\n" + first.replace(";71250;", ";5;").rsplit(";", 1)[0] + f";{flag}\n",
                 encoding="utf-8")
    f = read_flat(p).facts
    assert f["status"].tolist() == [status]
    assert (np.isnan(f["value"].iloc[0]) if value is None else f["value"].iloc[0] == value)


def test_unknown_quality_flag_names_the_accepted_ones(tmp_path):
    text = (DATA / "flat_limited_de_flat.csv").read_text(encoding="utf-8-sig")
    p = tmp_path / "22541-01-01-4_de_flat.csv"
    p.write_text(text.replace(";e\n", ";q\n"), encoding="utf-8")
    err = pytest.raises(InputError, read_flat, p).value
    assert (err.line, err.field) == (2, "18") and "'q'" in err.reason and "'()'" in err.reason
