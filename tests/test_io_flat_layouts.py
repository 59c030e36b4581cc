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
