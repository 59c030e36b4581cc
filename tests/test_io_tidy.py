"""bimokit.io.read_tidy (own long format, CSV and XLSX) and the format detection of read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bimokit.io import read, read_tidy


def test_csv_symbols_status_and_sozialraeume(tmp_path):
    p = tmp_path / "sozialraeume.csv"
    p.write_text(
        "ags,year,variable,altersgruppe,value,status,source\n"
        "99101-01,2023,sgb2_leistungsberechtigte,insgesamt,1234.5,,BA\n"
        "99101-01,2023,sgb2_leistungsberechtigte,unter_15,,.,BA\n"
        "99101-02,2023,sgb2_leistungsberechtigte,,-,,BA\n"
        "09162,2023,sgb2_leistungsberechtigte,unter_15,17p,,\n",
        encoding="utf-8",
    )
    ex = read_tidy(p)
    f = ex.facts
    assert list(f.columns) == ["ags", "year", "variable", "altersgruppe", "value", "status",
                               "source"]
    assert f["ags"].tolist() == ["99101-01", "99101-01", "99101-02", "09162"]
    # an empty dimension cell is the total
    assert f["altersgruppe"].tolist() == ["insgesamt", "unter_15", "insgesamt", "unter_15"]
    assert f["status"].tolist() == ["", ".", "-", "p"]
    assert f["value"].iloc[0] == 1234.5 and np.isnan(f["value"].iloc[1])
    assert f["value"].iloc[2] == 0.0 and f["value"].iloc[3] == 17.0
    # an empty source is the file name
    assert f["source"].tolist() == ["BA", "BA", "BA", "sozialraeume.csv"]
    assert ex.regions["level"].tolist() == ["sozialraum", "sozialraum", "kreis"]
    assert ex.table_code is None


def test_semicolon_decimal_comma_and_names(tmp_path):
    p = tmp_path / "own.csv"
    p.write_bytes("ags;year;variable;name;value\n09162;2024;quote;München;12,5\n"
                  .encode("latin-1"))
    ex = read(p)
    assert ex.facts["value"].tolist() == [12.5]
    # 'name' gives the region name and is not a dimension
    assert ex.dimensions == []
    assert ex.regions.values.tolist() == [["09162", "München", "kreis"]]


def test_xlsx(tmp_path):
    p = tmp_path / "vhs.xlsx"
    pd.DataFrame({
        "ags": ["09162", "09162"], "year": [2022, 2023], "variable": ["vhs_kurse"] * 2,
        "value": [812, 845], "source": ["DIE"] * 2,
    }).to_excel(p, index=False)
    ex = read(p)
    # keys stay text with their leading zero, years int, values float
    assert ex.facts["ags"].tolist() == ["09162", "09162"]
    assert ex.facts["year"].tolist() == [2022, 2023]
    assert ex.facts["value"].tolist() == [812.0, 845.0]
    assert ex.table_code == "DIE"


def test_round_trip_through_cli_output(shared_data, tmp_path):
    # what `bimokit read` writes, read_tidy reads back unchanged
    from bimokit._cli.read import combine_facts

    src = read(shared_data / "genesis_examples" / "21111-02-06-4_stand-2017.csv")
    out = tmp_path / "facts.csv"
    combine_facts([src]).to_csv(out, index=False)
    back = read_tidy(out).facts
    pd.testing.assert_frame_equal(back, src.facts, check_dtype=False)
    assert back["status"].value_counts().to_dict() == src.facts["status"].value_counts() \
        .to_dict()


@pytest.mark.parametrize("first", ["ags,year,variable,value", "\ufeffags;year;variable;value"])
def test_read_sends_other_files_to_tidy(tmp_path, first):
    p = tmp_path / "t.csv"
    sep = ";" if ";" in first else ","
    p.write_text(first + "\n" + sep.join(["DG", "2020", "v", "1"]) + "\n", encoding="utf-8")
    assert read(p).facts[["ags", "value"]].values.tolist() == [["DG", 1.0]]
