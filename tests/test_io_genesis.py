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


# --------------------------------------------------------------------------------------
# variants of the published layout (fixtures in tests/data/io and tables written here)

from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bimokit.errors import InputError  # noqa: E402
from bimokit.io import read  # noqa: E402

DATA = Path(__file__).parent / "data" / "io"


def test_year_columns_flags_and_12_digit_keys():
    ex = read(DATA / "classic_year_columns.csv")
    f = ex.facts
    assert ex.units == {"verfüg. Einkommen der priv. Haushalte je Einwohner": "EUR"}
    # header ';;Jahr;Jahr;Jahr' / ';;2019;2020;2021' gives the year per column
    assert f["year"].tolist() == [2019, 2020, 2021] * 4
    got = list(zip(f["ags"], f["value"].fillna(-999).tolist(), f["status"], strict=True))
    assert got == [
        ("DG", 23706.0, ""), ("DG", 23878.0, ""), ("DG", 24415.0, ""),
        ("01001", 19542.5, ""), ("01001", -3.2, ""), ("01001", 20282.0, "()"),
        ("03241001", -999, "."), ("03241001", -999, "..."), ("03241001", 21000.0, "p"),
        ("010010000000", -999, "/"), ("010010000000", -999, "x"),
        ("010010000000", 21000.0, "r"),
    ]
    levels = ex.regions.set_index("ags")["level"].to_dict()
    assert levels == {"DG": "bund", "01001": "kreis", "03241001": "gemeinde",
                      "010010000000": "gemeinde"}


def test_several_year_blocks():
    f = read(DATA / "classic_block_years.csv").facts
    # two blocks '2016;;;;' and '2017;;;;' (and a blank line before the footer)
    assert f.groupby("year").size().to_dict() == {2016: 6, 2017: 6}
    assert set(f["nationalitaet"]) == {"Insgesamt", "Deutsche", "Ausländer"}
    m = f[(f["ags"] == "09162") & (f["year"] == 2017)].set_index("nationalitaet")["value"]
    # 1034556 + 421483 = 1456039 (the file's Insgesamt)
    assert m["Deutsche"] + m["Ausländer"] == m["Insgesamt"] == 1456039


def test_utf8_bom_crlf_and_quoted_values(tmp_path):
    text = (DATA / "classic_ok.csv").read_bytes().decode("latin-1")
    text = text.replace("1302;111", '"1302";" 111 "').replace("\n", "\r\n")
    p = tmp_path / "utf8.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ex = read(p)
    fl = ex.facts[ex.facts["ags"] == "01001"]["value"].tolist()
    assert fl == [1302.0, 111.0]
    assert ex.title.startswith("Allgemeinbildende Schulen: Absolventen/Abgänger")
    assert ex.notes.endswith("Schulfremdenprüfung")


def test_mixed_unlabelled_row_and_row_labels(tmp_path):
    # like 21121-01-02-4: year column, Schulart in column 4, an unlabelled row mixing
    # Geschlecht and Nationalität values, a units row, several measures
    text = (
        "GENESIS-Tabelle: 21121-01-02-4\n"
        "Berufliche Schulen: Schüler nach Schulart;;;;;;\n"
        "regionale Tiefe: Kreise und krfr. Städte;;;;;;\n"
        "Statistik der beruflichen Schulen;;;;;;\n"
        ";;;;Schüler(innen) an beruflichen Schulen;Schüler(innen) an beruflichen Schulen;"
        "Schüler(innen) an beruflichen Schulen\n"
        ";;;;Insgesamt;weiblich;Ausländer(innen)\n"
        ";;;;Anzahl;Anzahl;Anzahl\n"
        "2020;DG;Deutschland;Berufsschulen;1500000;600000;200000\n"
        "2020;DG;Deutschland;Insgesamt;2400000;1100000;300000\n"
        "__________\nStand: 01.02.2022 / 10:00:00\n"
    )
    p = tmp_path / "21121.csv"
    p.write_bytes(text.encode("latin-1"))
    f = read(p).facts
    assert list(f.columns) == ["ags", "year", "variable", "merkmal", "geschlecht",
                               "nationalitaet", "value", "status", "source"]
    row = f[(f["merkmal"] == "Berufsschulen")]
    assert row[["geschlecht", "nationalitaet"]].values.tolist() == [
        ["Insgesamt", "Insgesamt"], ["weiblich", "Insgesamt"], ["Insgesamt", "Ausländer(innen)"]]
    assert row["value"].tolist() == [1500000.0, 600000.0, 200000.0]


def test_duplicate_header_columns(tmp_path):
    text = (
        "GENESIS-Tabelle: 1\nT;;;\nS;;;\nBevölkerungsstand (Anzahl);;;\n"
        ";;weiblich;weiblich\n2020;;;\nDG;Deutschland;1;2\n__________\n"
    )
    p = tmp_path / "dupcol.csv"
    p.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError, match="field 4: two value columns have the same header"):
        read(p)


# ---- round trip: a random table in the real layout, written as ISO-8859-1, read back

_KEYS = st.one_of(
    st.just("DG"),
    st.from_regex(r"[0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
    st.from_regex(r"[0-9]{5}", fullmatch=True),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
)
_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßÄÖÜ -,()", min_size=1,
                 max_size=20).filter(lambda s: s.strip() != "")


@st.composite
def _cells(draw):
    """(token as published, expected value or None for NaN, expected status)."""
    kind = draw(st.sampled_from(["int", "dec", "neg", "sym", "paren", "flag"]))
    n = draw(st.integers(0, 10**9))
    if kind == "int":
        return str(n), float(n), ""
    if kind == "dec":
        d = draw(st.integers(0, 99))
        return f"{n},{d:02d}", float(f"{n}.{d:02d}"), ""
    if kind == "neg":
        d = draw(st.integers(0, 9))
        return f"-{n},{d}", -float(f"{n}.{d}"), ""
    if kind == "paren":
        return f"({n})", float(n), "()"
    if kind == "flag":
        flag = draw(st.sampled_from(["p", "r", "s"]))
        space = draw(st.sampled_from(["", " "]))
        return f"{n}{space}{flag}", float(n), flag
    sym = draw(st.sampled_from(["-", ".", "x", "...", "/"]))
    return sym, (0.0 if sym == "-" else None), sym


@st.composite
def _tables(draw):
    keys = draw(st.lists(_KEYS, min_size=1, max_size=6, unique=True))
    names = [draw(_NAMES) for _ in keys]
    years = draw(st.lists(st.integers(1990, 2030), min_size=1, max_size=3, unique=True))
    cols = draw(st.lists(st.sampled_from(["Insgesamt", "männlich", "weiblich"]),
                         min_size=1, max_size=3, unique=True))
    layout = draw(st.sampled_from(["block", "column"]))
    labelled = draw(st.booleans())
    cells = {(y, a, c): draw(_cells()) for y in years for a in keys for c in cols}
    return keys, names, years, cols, layout, labelled, cells


def _write_classic(path, table):
    # the measure is in EUR: decimals and negative values are no counts (unit Anzahl)
    keys, names, years, cols, layout, labelled, cells = table
    lead = ";;;" if layout == "column" else ";;"
    pad = ";" * (len(cols) + len(lead) - 1)
    out = ["GENESIS-Tabelle: 99999-01-01-4", f"Prüftabelle für den Rundweg{pad}",
           f"regionale Tiefe: Kreise{pad}", f"Teststatistik{pad}", f"Prüfgröße (EUR){pad}"]
    if labelled:
        out.append(lead + ";".join(["Geschlecht"] * len(cols)))
    out.append(lead + ";".join(cols))
    for y in years:
        if layout == "block":
            out.append(f"{y}{pad}")
        for a, nm in zip(keys, names, strict=True):
            vals = ";".join(cells[(y, a, c)][0] for c in cols)
            prefix = f"{y};" if layout == "column" else ""
            out.append(f"{prefix}{a};  {nm};{vals}")
    out += ["__________", '"Hinweis: ""erfunden"""', "Stand: 02.03.2024 / 01:02:03", ""]
    path.write_bytes("\n".join(out).encode("iso-8859-1"))


@settings(max_examples=60, deadline=None)
@given(table=_tables())
def test_round_trip_random_classic_table(tmp_path_factory, table):
    keys, names, years, cols, layout, labelled, cells = table
    p = tmp_path_factory.mktemp("rt") / "99999-01-01-4.csv"
    _write_classic(p, table)
    ex = read(p)
    f = ex.facts
    assert list(f.columns) == ["ags", "year", "variable", "geschlecht", "value", "status",
                               "source"]
    assert len(f) == len(cells)
    assert (f["variable"] == "Prüfgröße").all() and ex.units == {"Prüfgröße": "EUR"}
    for row in f.itertuples(index=False):
        token, value, status = cells[(row.year, row.ags, row.geschlecht)]
        assert row.status == status, token
        if value is None:
            assert np.isnan(row.value), token
        else:
            assert row.value == pytest.approx(value), token
    assert ex.regions["ags"].tolist() == keys
    assert ex.regions["name"].tolist() == [n.strip() for n in names]
    assert ex.stand == datetime.date(2024, 3, 2)
    assert ex.notes == 'Hinweis: "erfunden"'
