"""bimokit.io.read_genesis on layouts of other tables and editions (fixtures in tests/data/io/).

Each fixture is cut from a real export of a public repository (cited in the comment of its
test) to a few rows, keeping the published layout, labels and values; the numbers asserted
are those of the published rows.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bimokit.errors import InputError, InputWarning
from bimokit.io import read, read_genesis
from bimokit.regions import ags_level, ags_levels, parent_of

DATA = Path(__file__).parent / "data" / "io"


def _one(facts: pd.DataFrame, **where) -> float:
    mask = np.ones(len(facts), bool)
    for col, val in where.items():
        mask &= (facts[col] == val).to_numpy()
    rows = facts[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return float(rows["value"].iloc[0])


def test_laender_by_name_with_insgesamt_row():
    # GENESIS-Online 11111-0001 "Gebietsfläche: Bundesländer, Stichtag", export quoted in a
    # test of a public repository (rows Baden-Württemberg … Insgesamt, Stand 22.04.2010):
    # Land names without keys, Stichtag columns, footer of five underscores and '(C)opyright'
    ex = read(DATA / "online_laender_names.csv")
    f = ex.facts
    assert ex.regions_from == "name"
    assert ex.table_code == "11111-0001"
    assert ex.stand == datetime.date(2010, 4, 22)
    assert ex.units == {"Gebietsfläche": "qkm"}
    assert set(f["year"]) == {1995, 1996, 1997}
    # Baden-Württemberg 31.12.1995: 35752,50 qkm; Insgesamt (= Deutschland) 357022,31
    assert _one(f, ags="08", year=1995) == 35752.50
    assert _one(f, ags="DG", year=1997) == 357020.79
    # Thüringen 31.12.1996: 16170,88
    assert _one(f, ags="16", year=1996) == 16170.88
    assert ex.regions.set_index("ags")["level"].to_dict() == {
        "08": "land", "09": "land", "11": "land", "16": "land", "DG": "bund"}
    # the notes between the two '_____' lines, without the separators and the copyright
    assert ex.notes.startswith("Gebietsfläche:\nBerlin (1995-2000)")
    assert "_____" not in ex.notes and "opyright" not in ex.notes
    # 5 rows x 3 Stichtage
    assert len(f) == 15


def test_historical_unit_is_left_out_with_a_warning():
    # 11111-0001 of 1995-1997 lists 'Berlin-West' beside the Länder: a unit without a key,
    # left out (3 Stichtage) with a warning that names it; the Länder and the total are read
    with pytest.warns(InputWarning, match=r"3 values .* left out \('Berlin-West'\)"):
        ex = read(DATA / "online_bad_name.csv")
    assert ex.facts.groupby("ags").size().to_dict() == {"08": 3, "09": 3, "16": 3, "DG": 3}
    assert sorted(ex.regions["ags"]) == ["08", "09", "16", "DG"]
    # Bayern 31.12.1996: 70550,87 qkm (line 8)
    f = ex.facts.set_index(["ags", "year"])["value"]
    assert f[("09", 1996)] == pytest.approx(70550.87)


def test_historical_aggregates_and_columns(tmp_path):
    # rows and columns named 'Früheres Bundesgebiet …' / 'Neue Länder …' are aggregates
    # of Länder: left out; 'Deutschland' stays
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "GENESIS-Tabelle: 12411-0010\nBevölkerung: Bundesländer, Stichtag;;\n"
        "Bevölkerungsstand (Anzahl);;\n;Stichtag;Stichtag\n;31.12.1989;31.12.1990\n"
        "Früheres Bundesgebiet (ohne Berlin);60000000;61000000\n"
        "Neue Länder (einschl. Berlin);18000000;17500000\nSaarland;1065000;1072000\n"
        "Deutschland;79000000;79700000\n__________\n© Statistisches Bundesamt\n",
        encoding="utf-8")
    with pytest.warns(InputWarning, match="Früheres Bundesgebiet .ohne Berlin.', 'Neue"):
        ex = read(rows)
    assert sorted(set(ex.facts["ags"])) == ["10", "DG"] and len(ex.facts) == 4
    # the real 12411-0012 layout (Länder as columns) with Bayern renamed 'Berlin-Ost'
    cols = tmp_path / "cols.csv"
    cols.write_bytes((DATA / "online_laender_columns.csv").read_bytes()
                     .replace(b";Bayern;", b";Berlin-Ost;"))
    with pytest.warns(InputWarning, match=r"5 values .*\('Berlin-Ost'\)"):
        ex = read(cols)
    assert sorted(set(ex.facts["ags"])) == ["08", "12"] and len(ex.facts) == 10
    assert ex.regions["ags"].tolist() == ["08", "12"]


def test_unknown_land_name_names_line_and_value(tmp_path):
    bad = tmp_path / "online_typo.csv"
    text = (DATA / "online_bad_name.csv").read_bytes().replace(b"Bayern", b"Bayren")
    bad.write_bytes(text)
    err = pytest.raises(InputError, read, bad).value
    # line 8 is the Bayern row (line 7 Baden-Württemberg), field 1 the name
    assert (err.line, err.field) == (8, "1")
    assert "'Bayren'" in err.reason and "Länder" in err.reason
    assert "online_typo.csv" in str(err)


def test_laender_as_columns():
    # 12411-0012 "Bevölkerung: Bundesländer, Stichtag, Altersjahre"
    # (MortalityWatch/charts, data_static/12411-0012.csv): Länder in the header under
    # "Bundesländer", Stichtag and Altersjahr as row labels; CRLF line endings here
    ex = read(DATA / "online_laender_columns.csv")
    f = ex.facts
    assert ex.regions_from == "header"
    assert list(f.columns) == ["ags", "year", "variable", "merkmal", "value", "status",
                               "source"]
    # Baden-Württemberg, 31.12.1967, unter 1 Jahr: 152272; Bayern 2023 Insgesamt 13435062
    assert _one(f, ags="08", year=1967, merkmal="unter 1 Jahr") == 152272
    assert _one(f, ags="09", year=2023, merkmal="Insgesamt") == 13435062
    # Brandenburg before 1990: '-'
    row = f[(f["ags"] == "12") & (f["year"] == 1967) & (f["merkmal"] == "Insgesamt")]
    assert row["status"].tolist() == ["-"] and row["value"].tolist() == [0.0]
    assert ex.regions["ags"].tolist() == ["08", "09", "12"]
    assert ex.regions["name"].tolist() == ["Baden-Württemberg", "Bayern", "Brandenburg"]
    # the quoted note spans four lines with an empty one inside
    assert ex.notes.splitlines()[:2] == ["Berlin: bis 1989 nur Berlin-West.",
                                         "Neue Länder ab 1990."]
    assert len(f) == 5 * 3


def test_deutschland_table_without_regional_column():
    # 12411-0005 "Bevölkerung: Deutschland, Stichtag, Altersjahre"
    # (MortalityWatch/charts, data_static/12411-0005_$F.csv): rows are ages, no region
    ex = read(DATA / "online_no_region.csv")
    f = ex.facts
    assert ex.regions_from == "none"
    assert set(f["ags"]) == {"DG"}
    assert ex.regions.to_dict("list") == {"ags": ["DG"], "name": ["Deutschland"],
                                          "level": ["bund"]}
    # unter 1 Jahr 31.12.1970: 784613; 2-Jährige 31.12.2023: 823742
    assert _one(f, year=1970, merkmal="unter 1 Jahr") == 784613
    assert _one(f, year=2023, merkmal="2-Jährige") == 823742
    assert len(f) == 9


def test_two_row_labels_single_year_header():
    # 21341-0001 "Personal an Hochschulen: Deutschland, Jahre, Personalgruppen …,
    # Geschlecht" (R tutorial of a public repository printing the raw file): two row labels,
    # one year column "2020", '-' cells, footer © and Stand only
    ex = read(DATA / "online_two_labels.csv")
    f = ex.facts
    assert ex.regions_from == "none"
    assert set(f["year"]) == {2020}
    # Professoren weiblich 12949; Insgesamt Insgesamt 759065
    assert _one(f, merkmal="Professoren", merkmal_2="weiblich") == 12949
    assert _one(f, merkmal="Insgesamt", merkmal_2="Insgesamt") == 759065
    assert _one(f, merkmal="Arbeiter", merkmal_2="männlich") == 0.0
    assert ex.stand == datetime.date(2024, 4, 4)


def test_year_and_land_name_columns_trailing_separator():
    # 21621-0003 (a public R script reads it with columns Year, FederalState, …): year in
    # column 1, Land name in column 2 ("Baden-Württemberg, Land"), Insgesamt rows; every
    # row ends with ';' (an empty last column); 'Stand:' without a time
    ex = read(DATA / "online_year_land.csv")
    f = ex.facts
    assert ex.regions_from == "name"
    assert ex.stand == datetime.date(2023, 3, 21)
    assert ex.units == {"Grundmittel": "Mill. EUR"}
    # 2 years x 3 rows x 2 value columns (the empty trailing column is dropped)
    assert len(f) == 12
    assert _one(f, ags="08", year=2020, merkmal_1="Theater und Musik") == 560.8
    assert _one(f, ags="DG", year=2019, merkmal_1="Bibliotheken") == 1000.1
    secret = f[(f["ags"] == "09") & (f["year"] == 2020) & (f["merkmal_1"] == "Bibliotheken")]
    assert secret["status"].tolist() == ["."] and secret["value"].isna().all()


def test_gemeindeverband_keys():
    # 11111-01-01-5 (regionale Tiefe: Gemeinden, Samt-/Verbandsgemeinden) in the layout of
    # 11111-01-01-4 (datenguide/datenguide-backend, data/excerpt/11111-01-01-4.csv; the
    # Land and Kreis rows are from there): 9-digit Verbandsgemeinde keys, 8-digit AGS and a
    # 12-digit ARS
    ex = read(DATA / "classic_gemeindeverband.csv")
    f = ex.facts
    assert _one(f, ags="07131") == 786.99  # Ahrweiler, Landkreis (datenguide file)
    assert _one(f, ags="071315001") == 255.37
    levels = ex.regions.set_index("ags")["level"].to_dict()
    assert levels == {"07": "land", "07131": "kreis", "071315001": "gemeindeverband",
                      "07131001": "gemeinde", "071315002": "gemeindeverband",
                      "071310000000": "gemeinde"}


def test_regions_accept_nine_digit_keys():
    # additive change in bimokit.regions: 9 digits = Kreis (5) + Verband (4)
    assert ags_level("071315001") == "gemeindeverband"
    assert ags_levels(pd.Series(["07131", "071315001"])).tolist() == ["kreis",
                                                                      "gemeindeverband"]
    assert parent_of("071315001") == "07131"
    with pytest.raises(ValueError, match="9 or 12 digits"):
        ags_level("0713150")


def test_header_oddities_crlf_blank_line_no_underscores():
    # 12411-03-03-4 layout (as tests/data/io/classic_block_years.csv) with: a quoted title
    # holding ';', a title cell spanning two lines, an 'Erläuterungen' block before the
    # header rows, a blank line between the year blocks, CRLF, and no '__________' line
    # (the quoted copyright starts the footer)
    ex = read_genesis(DATA / "classic_header_oddities.csv")
    f = ex.facts
    assert ex.title.startswith("Bevölkerung nach Nationalität; Stichtag 31.12. regionale "
                               "Tiefe: Kreise und krfr. Städte")
    assert ex.stand == datetime.date(2020, 3, 21)
    assert ex.notes == ("Erläuterungen:\nAb 2011: Ergebnisse auf Grundlage des Zensus 2011; "
                        "vorher Volkszählung 1987.")
    # München 2017 Ausländer 421483; Deutschland 2016 Insgesamt 82521653
    assert _one(f, ags="09162", year=2017, nationalitaet="Ausländer") == 421483
    assert _one(f, ags="DG", year=2016, nationalitaet="Insgesamt") == 82521653
    assert len(f) == 2 * 2 * 3


def test_missing_underscores_without_copyright_is_truncation(tmp_path):
    text = (DATA / "online_no_region.csv").read_bytes().decode("latin-1")
    cut = text.split("__________")[0]
    p = tmp_path / "cut.csv"
    p.write_bytes(cut.encode("latin-1"))
    err = pytest.raises(InputError, read_genesis, p).value
    assert "truncated" in err.reason
    # the rows present are complete: read on request, 3 ages x 3 years
    assert len(read_genesis(p, require_footer=False).facts) == 9


def test_temporary_table_has_no_table_code(tmp_path):
    # "GENESIS-Tabelle: Temporär" (a table the user put together) is no table code
    text = (DATA / "online_no_region.csv").read_bytes().decode("latin-1")
    p = tmp_path / "12411-0005_custom.csv"
    p.write_bytes(text.replace("12411-0005", "Temporär", 1).encode("latin-1"))
    ex = read(p)
    assert ex.table_code is None
    assert set(ex.facts["source"]) == {"12411-0005_custom"}
