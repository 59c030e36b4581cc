"""bimokit.io.read_genesis on the real classic exports (../shared/data/genesis_examples).

Every expected figure is from SOURCES.md of the shared data (published sanity figures) or
counted from the raw file in the test itself.
"""

from __future__ import annotations

import collections
import datetime

import numpy as np
import pandas as pd
import pytest

from bimokit.io import Export, read_genesis

EXAMPLES = "genesis_examples"

#: file → first value column (0-based) in its data rows
VALUE_START = {
    "12411-01-01-4.csv": 2,
    "21111-01-03-4_stand-2017.csv": 3,
    "21111-02-06-4_stand-2017.csv": 3,
    "82411-01-03-4.csv": 3,
}


def _one(facts: pd.DataFrame, **where) -> float:
    mask = np.ones(len(facts), bool)
    for col, val in where.items():
        mask &= (facts[col] == val).to_numpy()
    rows = facts[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return float(rows["value"].iloc[0])


@pytest.fixture(scope="module")
def exports(shared_data) -> dict[str, Export]:
    return {name: read_genesis(shared_data / EXAMPLES / name) for name in VALUE_START}


def _raw_tokens(path, start: int) -> list[str]:
    """Value cells of the data rows, counted with plain string operations."""
    text = path.read_bytes().decode("latin-1")
    tokens = []
    for line in text.split("\n"):
        if line.startswith("__________"):
            break
        cells = line.rstrip("\r").split(";")
        first = cells[0]
        # data rows start with DG, a region key, or a year followed by DG / a region key
        if first == "DG" or (first.isdigit() and len(first) != 4):
            tokens.extend(cells[start:])
        elif first.isdigit() and len(cells) > 1 and (cells[1] == "DG" or cells[1].isdigit()):
            tokens.extend(cells[start:])
    return tokens


@pytest.mark.parametrize("name", sorted(VALUE_START))
def test_every_symbol_is_accounted_for(shared_data, exports, name):
    tokens = _raw_tokens(shared_data / EXAMPLES / name, VALUE_START[name])
    facts = exports[name].facts
    # one fact per value cell of the body
    assert len(facts) == len(tokens)
    raw = collections.Counter(t if not t.isdigit() else "" for t in tokens)
    got = facts["status"].value_counts().to_dict()
    assert got == dict(raw)
    # "-" is a true zero, the other symbols are NaN; plain cells are their number
    assert (facts.loc[facts["status"] == "-", "value"] == 0).all()
    assert facts.loc[facts["status"].isin([".", "x"]), "value"].isna().all()
    plain = facts["status"] == ""
    assert facts.loc[plain, "value"].notna().all()
    assert facts.loc[plain, "value"].sum() == sum(int(t) for t in tokens if t.isdigit())


def test_21111_02_06_abgaenger_2015(exports):
    ex = exports["21111-02-06-4_stand-2017.csv"]
    f = ex.facts
    assert ex.table_code == "21111-02-06-4"
    assert list(f.columns) == ["ags", "year", "variable", "schulabschluss", "geschlecht",
                               "value", "status", "source"]
    assert set(f["year"]) == {2015}
    assert set(f["variable"]) == {"Absolventen/Abgänger"}
    assert ex.units == {"Absolventen/Abgänger": "Anzahl"}
    # SOURCES.md: Deutschland 846,423 Absolventen/Abgänger
    assert _one(f, ags="DG", schulabschluss="Insgesamt", geschlecht="Insgesamt") == 846423
    # SOURCES.md: of them 47,435 ohne Hauptschulabschluss
    assert _one(f, ags="DG", schulabschluss="ohne Hauptschulabschluss",
                geschlecht="Insgesamt") == 47435
    # SOURCES.md: 414,111 weiblich
    assert _one(f, ags="DG", schulabschluss="Insgesamt", geschlecht="weiblich") == 414111
    # SOURCES.md: Flensburg (01001) 1,302, of them 111 ohne Hauptschulabschluss
    assert _one(f, ags="01001", schulabschluss="Insgesamt", geschlecht="Insgesamt") == 1302
    assert _one(f, ags="01001", schulabschluss="ohne Hauptschulabschluss",
                geschlecht="Insgesamt") == 111
    # 47435 / 846423 = 5.60 % (SOURCES.md)
    share = 47435 / 846423
    assert round(100 * share, 2) == 5.60
    # the seven Schulabschluss labels x Insgesamt/weiblich = 14 columns
    assert f.groupby(["schulabschluss", "geschlecht"]).ngroups == 14
    assert ex.stand == datetime.date(2017, 12, 15)
    assert "Schulfremdenprüfung" in ex.notes
    assert "©" not in ex.notes


def test_21111_01_03_schulen_2015(exports):
    ex = exports["21111-01-03-4_stand-2017.csv"]
    f = ex.facts
    assert ex.table_code == "21111-01-03-4"
    assert set(f["year"]) == {2015}
    assert ex.stand == datetime.date(2017, 12, 13)
    gs = dict(ags="DG", merkmal="Grundschulen")
    total = dict(geschlecht="Insgesamt", nationalitaet="Insgesamt")
    # SOURCES.md: Deutschland, Grundschulen: 15,421 schools
    assert _one(f, variable="Allgemein bildende Schulen", **gs, **total) == 15421
    pupils = "Schüler(innen) an allgemein bildenden Schulen"
    klasse = "klassenstufe_jahrgangsstufe_schulbesuchsjahr"
    # SOURCES.md: 2,715,127 pupils
    assert _one(f, variable=pupils, **gs, **total, **{klasse: "Insgesamt"}) == 2715127
    # SOURCES.md: 1,332,689 weiblich
    assert _one(f, variable=pupils, **gs, geschlecht="weiblich") == 1332689
    # SOURCES.md: 226,962 Ausländer(innen)
    assert _one(f, variable=pupils, **gs, nationalitaet="Ausländer(innen)") == 226962
    # the Gymnasien row of the raw file: 3117;2281227;1200636;95828;290118;297929
    assert _one(f, variable=pupils, ags="DG", merkmal="Gymnasien",
                **{klasse: "11. Jahrgangsstufe / Einführungsphase"}) == 297929
    # Grundschulen have no 7. Klassenstufe: 'x'
    row = f[(f["ags"] == "DG") & (f["merkmal"] == "Grundschulen")
            & (f[klasse] == "7. Klassenstufe")]
    assert row["status"].tolist() == ["x"] and row["value"].isna().all()
    assert ex.units == {"Allgemein bildende Schulen": "Anzahl", pupils: "Anzahl"}
    # 12 Schularten (incl. Insgesamt) per region, 526 regions, 6 value columns
    assert f["merkmal"].nunique() == 12
    assert len(f) == 526 * 12 * 6


def test_12411_population_time_header(exports):
    ex = exports["12411-01-01-4.csv"]
    f = ex.facts
    assert set(f["year"]) == {2018}  # Stichtag 31.12.2018 in the header rows
    assert ex.units == {"Bevölkerungsstand": "Anzahl"}
    # SOURCES.md: Deutschland 31.12.2018 = 83,019,213 (männlich 40,966,691, weiblich 42,052,522)
    assert _one(f, ags="DG", geschlecht="Insgesamt") == 83019213
    assert _one(f, ags="DG", geschlecht="männlich") == 40966691
    assert _one(f, ags="DG", geschlecht="weiblich") == 42052522
    # SOURCES.md: München 1,471,508
    assert _one(f, ags="09162", geschlecht="Insgesamt") == 1471508
    assert ex.stand == datetime.date(2020, 3, 21)
    # 8-digit special units such as Hannover, Region (03241001) are kept as published
    assert "03241001" in set(ex.regions["ags"])
    assert ex.regions.set_index("ags").loc["03241001", "level"] == "gemeinde"
    # names stripped of their indentation
    assert ex.regions.set_index("ags").loc["01", "name"] == "Schleswig-Holstein"
    assert ex.regions.set_index("ags").loc["DG", "level"] == "bund"


def test_82411_income_two_measures(exports):
    ex = exports["82411-01-03-4.csv"]
    f = ex.facts
    per_head = "verfüg. Einkommen der priv. Haushalte je Einwohner"
    assert ex.units == {"verfügbares Einkommen der privaten Haushalte": "Tsd. EUR",
                        per_head: "EUR"}
    assert set(f["year"]) == {2021}
    # SOURCES.md: Deutschland 2021 verfügbares Einkommen je Einwohner 24,415 EUR
    assert _one(f, ags="DG", variable=per_head) == 24415
    # SOURCES.md: Flensburg 20,282 EUR
    assert _one(f, ags="01001", variable=per_head) == 20282
    # raw line 'DG;Deutschland;2031201000;24415'
    assert _one(f, ags="DG", variable="verfügbares Einkommen der privaten Haushalte") \
        == 2031201000
    assert ex.dimensions == []
    assert ex.stand == datetime.date(2023, 11, 10)


@pytest.mark.parametrize("name", sorted(VALUE_START))
def test_contract_shape(exports, name):
    ex = exports[name]
    f = ex.facts
    assert list(f.columns[:3]) == ["ags", "year", "variable"]
    assert list(f.columns[-3:]) == ["value", "status", "source"]
    assert f["year"].dtype == np.int64
    assert f["value"].dtype == np.float64
    assert (f["source"] == ex.table_code).all()
    assert list(ex.regions.columns) == ["ags", "name", "level"]
    assert ex.regions["ags"].is_unique
    assert set(ex.regions["ags"]) == set(f["ags"])
    # keys as published, zero-padded text
    assert f["ags"].str.fullmatch(r"DG|\d{2}|\d{3}|\d{5}|\d{8}").all()
    assert ex.title.startswith(("Bevölkerung", "Allgemeinbildende", "Verfügbares"))
    assert not ex.title.endswith(";")
    assert ex.path.endswith(name)
