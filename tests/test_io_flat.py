"""bimokit.io.read_flat: the real ffcsv file and written variants of the published format."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from bimokit.errors import InputError
from bimokit.io import read, read_flat

FLAT = "genesis_flat/12411-01-01-4_de_flat.csv"

HEAD2 = ("statistics_code;statistics_label;time_code;time_label;time;"
         "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
         "2_variable_code;2_variable_label;2_variable_attribute_code;2_variable_attribute_label;"
         "value;value_unit;value_variable_code;value_variable_label")


def _one(facts, **where):
    m = np.ones(len(facts), bool)
    for c, v in where.items():
        m &= (facts[c] == v).to_numpy()
    assert m.sum() == 1, where
    return float(facts.loc[m, "value"].iloc[0])


def _write(tmp_path, name, lines, *, bom=True):
    p = tmp_path / name
    p.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def real(shared_data):
    return read_flat(shared_data / FLAT)


def test_real_flat_figures(real):
    f = real.facts
    assert real.table_code == "12411-01-01-4"
    assert list(f.columns) == ["ags", "year", "variable", "geschlecht", "value", "status",
                               "source"]
    assert set(f["year"]) == {2024}  # time 2024-12-31
    assert real.units == {"Bevölkerungsstand": "Anzahl"}
    # SOURCES.md: München (09162) 1,505,005 (männlich 737,442, weiblich 767,563)
    assert _one(f, ags="09162", geschlecht="Insgesamt") == 1505005
    assert _one(f, ags="09162", geschlecht="männlich") == 737442
    assert _one(f, ags="09162", geschlecht="weiblich") == 767563
    # SOURCES.md: Mannheim (08222) 318,035
    assert _one(f, ags="08222", geschlecht="Insgesamt") == 318035
    assert real.title == "Fortschreibung des Bevölkerungsstandes"
    assert real.regions.set_index("ags").loc["09162", "name"].startswith("München")


def test_real_flat_every_symbol_accounted(shared_data, real):
    lines = (shared_data / FLAT).read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    vi = header.index("value")
    tokens = [ln.split(";")[vi] for ln in lines[1:] if ln]
    # SOURCES.md: 1,467 rows, 222 values '-'
    assert len(tokens) == 1467 == len(real.facts)
    raw = collections.Counter("" if t.isdigit() else t for t in tokens)
    assert raw["-"] == 222
    assert real.facts["status"].value_counts().to_dict() == dict(raw)
    # every total row had an empty attribute code → Insgesamt; 1467 = 489 regions x 3
    assert (real.facts["geschlecht"] == "Insgesamt").sum() == 489
    # the plain values sum to the raw sum
    assert real.facts.loc[real.facts["status"] == "", "value"].sum() == sum(
        int(t) for t in tokens if t.isdigit())


def test_read_detects_flat(shared_data):
    assert read(shared_data / FLAT).table_code == "12411-01-01-4"


def test_several_value_variables_mixed_regions_and_flags(tmp_path):
    head = ("statistics_code;statistics_label;time_code;time_label;time;"
            "1_variable_code;1_variable_label;1_variable_attribute_code;"
            "1_variable_attribute_label;2_variable_code;2_variable_label;"
            "2_variable_attribute_code;2_variable_attribute_label;3_variable_code;"
            "3_variable_label;3_variable_attribute_code;3_variable_attribute_label;"
            "value;value_unit;value_variable_code;value_variable_label;value_q")
    s = "22541;Kita;STAG;Stichtag;2023-03-01;"
    rows = [
        s + "DINSG;Deutschland;DG;Deutschland;ALT;Altersgruppe;ALT003;unter 3 Jahre;"
            "BETRUM;Betreuungsumfang;;Insgesamt;857234;Anzahl;KIND01;Kinder;e",
        s + "KREISE;Kreise;09162;München;ALT;Altersgruppe;ALT003;unter 3 Jahre;"
            "BETRUM;Betreuungsumfang;BETR07;mehr als 7 Stunden;12345;Anzahl;KIND01;Kinder;p",
        s + "KREISE;Kreise;09162;München;ALT;Altersgruppe;;Insgesamt;"
            "BETRUM;Betreuungsumfang;;Insgesamt;x;Anzahl;KIND01;Kinder;",
        s + "KREISE;Kreise;09162;München;;;;;;;;;34,5;%;QUOT01;Betreuungsquote;r",
    ]
    ex = read_flat(_write(tmp_path, "22541-01-01-4_flat.csv", [head] + rows))
    f = ex.facts
    assert ex.table_code == "22541-01-01-4"
    assert list(f.columns) == ["ags", "year", "variable", "altersgruppe", "betreuungsumfang",
                               "value", "status", "source"]
    assert f["ags"].tolist() == ["DG", "09162", "09162", "09162"]
    assert f["year"].tolist() == [2023] * 4
    assert f["variable"].tolist() == ["Kinder"] * 3 + ["Betreuungsquote"]
    # a row without a group for a dimension, and empty attribute codes, are totals
    assert f["altersgruppe"].tolist() == ["unter 3 Jahre", "unter 3 Jahre", "Insgesamt",
                                          "Insgesamt"]
    assert f["betreuungsumfang"].tolist() == ["Insgesamt", "mehr als 7 Stunden", "Insgesamt",
                                              "Insgesamt"]
    # 'e' (final) is plain; 'p' and 'r' flags kept; 'x' symbol; decimal comma
    assert f["status"].tolist() == ["", "p", "x", "r"]
    assert f["value"].tolist()[:2] == [857234.0, 12345.0]
    assert np.isnan(f["value"].iloc[2]) and f["value"].iloc[3] == 34.5
    assert ex.units == {"Kinder": "Anzahl", "Betreuungsquote": "%"}
    assert ex.regions[["ags", "level"]].values.tolist() == [["09162", "kreis"],
                                                            ["DG", "bund"]]


@pytest.mark.parametrize("time,year", [("2023", 2023), ("2023-10P6M", 2023),
                                       ("2024-12-31", 2024), ("2015-08-01", 2015)])
def test_time_to_year(tmp_path, time, year):
    row = (f"21211;Azubi;JAHR;Jahr;{time};DLAND;Länder;09;Bayern;GES;Geschlecht;GESW;weiblich;"
           "-3,5;%;AZUBI;Veränderung gegenüber dem Vorjahr")  # a change, no count
    f = read_flat(_write(tmp_path, "x_flat.csv", [HEAD2, row], bom=False)).facts
    assert f["year"].tolist() == [year]
    assert f["value"].tolist() == [-3.5] and f["status"].tolist() == [""]


def test_table_without_regional_variable_is_deutschland(tmp_path):
    head = ("statistics_code;statistics_label;time_code;time_label;time;"
            "1_variable_code;1_variable_label;1_variable_attribute_code;"
            "1_variable_attribute_label;value;value_unit;value_variable_code;"
            "value_variable_label")
    row = "21611;Kinos;JAHR;Jahr;2022;FILMART;Art;;Insgesamt;9.26;EUR;FILM08;Eintrittspreis"
    ex = read_flat(_write(tmp_path, "21611-0002_de_flat.csv", [head, row]))
    assert ex.facts["ags"].tolist() == ["DG"]
    assert ex.facts["value"].tolist() == [9.26]  # English-style decimal point
    assert ex.table_code == "21611-0002"


def test_flat_errors(tmp_path):
    good = ("12411;Bev;STAG;Stichtag;2024-12-31;KREISE;Kreise;09162;München;GES;Geschlecht;"
            ";Insgesamt;{v};Anzahl;BEVSTD;Bevölkerungsstand")
    p = _write(tmp_path, "a_flat.csv", [HEAD2, good.format(v="12"), good.format(v="1a")])
    with pytest.raises(InputError, match=r"line 3, field 14: value '1a'") as e:
        read_flat(p)
    assert e.value.line == 3
    p = _write(tmp_path, "b_flat.csv", [HEAD2, good.format(v="12"), good.format(v="13")])
    with pytest.raises(InputError, match=r"line 3: the key .* occurs twice"):
        read_flat(p)
    p = _write(tmp_path, "c_flat.csv", [HEAD2, good.format(v="12").replace("09162", "0916X")])
    with pytest.raises(InputError, match=r"line 2, field 8: region code '0916X'"):
        read_flat(p)
    p = _write(tmp_path, "d_flat.csv", [HEAD2.replace(";", ","), good.replace(";", ",")])
    with pytest.raises(InputError, match=r"separated by ','"):
        read_flat(p)
    p = _write(tmp_path, "e_flat.csv", [HEAD2, good.format(v="12").replace("2024-12-31",
                                                                          "Dezember")])
    with pytest.raises(InputError, match=r"line 2, field 5: time 'Dezember' has no year"):
        read_flat(p)
    cut = good.format(v="12")[:70]
    p = _write(tmp_path, "f_flat.csv", [HEAD2, good.format(v="12"), cut])
    with pytest.raises(InputError, match=r"line 3.*incomplete"):
        read_flat(p)
