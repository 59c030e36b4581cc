"""Tests of bimokit.offers: template, reading with line/field errors, coverage, Doppelstrukturen,
Lücken; on hand-made tables and on the Musterland sample."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

import bimokit as bk
from bimokit._paths import sample_dir
from bimokit.errors import InputError, InputProblems, InputWarning, ParameterError
from bimokit.offers import COLUMNS, ZIELGRUPPEN, read_offers, template_path

SAMPLE = sample_dir("musterland")
HEADER = "anbieter;angebot;angebotsart;sozialraum;zielgruppe;plaetze;traegerart;jahr\n"


def _offers(rows):
    return pd.DataFrame(rows, columns=["anbieter", "angebot", "angebotsart", "sozialraum",
                                       "zielgruppe", "plaetze"])


# ---------------------------------------------------------------------------------------------
# template and reading


def test_template_documents_every_column_and_reads_empty():
    text = template_path().read_text(encoding="utf-8")
    for col in COLUMNS:
        assert f"#   {col}" in text, col
    for zg in ZIELGRUPPEN:
        assert zg in text
    t = read_offers(template_path())
    assert list(t.columns) == [*COLUMNS, "line"] and len(t) == 0


def test_read_sample_offers():
    o = read_offers(SAMPLE / "angebote.csv")
    assert len(o) == 102
    assert o["plaetze"].dtype == "int64" and (o["plaetze"] >= 5).all()
    with (SAMPLE / "regions.csv").open(encoding="utf-8") as f:
        sozialraeume = {r["ags"] for r in csv.DictReader(f) if r["level"] == "sozialraum"}
    assert set(o["sozialraum"]) <= sozialraeume
    # first offer is on line 4 (two comment lines, one header line)
    assert o["line"].iloc[0] == 4
    assert o["jahr"].eq(2024).all()


def test_read_errors_name_line_and_field(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("# Kommentar\n" + HEADER
                 + "AWO;Treff;jugendtreff;99101-01;jugendliche_15_18;20;frei;2024\n"
                 + "\n"
                 + "DRK;Café;elterncafe;99101-02;eltern_u6;zwölf;frei;2024\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_offers(p)
    assert e.value.line == 5 and e.value.field == "plaetze"
    assert str(e.value) == (
        f"{p}: 1 Fehler, die Datei wurde nicht übernommen:\n"
        "  a.csv, Zeile 5, Feld plaetze: 'zwölf' ist keine Zahl; erwartet: Plätze als ganze "
        "Zahl ≥ 0")


@pytest.mark.parametrize(("row", "field", "msg"), [
    ("AWO;Treff;jugendtreff;Nordstadt;jugendliche_15_18;20;frei;2024", "sozialraum",
     "kein Sozialraum-Schlüssel"),
    ("AWO;Treff;jugendtreff;99101-01;teens;20;frei;2024", "zielgruppe", "unbekannte Zielgruppe"),
    ("AWO;Treff;jugendtreff;99101-01;jugendliche_15_18;20;kirchlich;2024", "traegerart",
     "unbekannte Trägerart"),
    ("AWO;;jugendtreff;99101-01;jugendliche_15_18;20;frei;2024", "angebot", "Pflichtfeld"),
    ("AWO;Treff;jugendtreff;99101-01;jugendliche_15_18;-3;frei;2024", "plaetze", "negativ"),
    ("AWO;Treff;jugendtreff;99101-01;jugendliche_15_18;2,5;frei;2024", "plaetze",
     "keine ganze Zahl"),
    ("AWO;Treff;jugendtreff;99101-01;jugendliche_15_18;3;frei;24/25", "jahr", "kein Jahr"),
])
def test_read_field_errors(tmp_path, row, field, msg):
    p = tmp_path / "b.csv"
    p.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=msg) as e:
        read_offers(p)
    assert (e.value.line, e.value.field) == (2, field)


def test_read_missing_column_and_missing_file(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("anbieter;angebot;sozialraum\nA;B;99101-01\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"Pflichtspalte\(n\) angebotsart, zielgruppe, plaetze "
                       "fehlen"):
        read_offers(p)
    with pytest.raises(InputError, match="nicht gefunden"):
        read_offers(tmp_path / "nope.csv")


def test_read_excel_csv_variants(tmp_path):
    # Windows-1252 with comma separator and a German thousands separator
    p = tmp_path / "d.csv"
    p.write_bytes(("anbieter,angebot,angebotsart,sozialraum,zielgruppe,plaetze\n"
                   "Stadt Musterstadt,Schulsozialarbeit Süd,schulsozialarbeit,99101-03,"
                   "kinder_jugendliche_6_18,\"1.200\"\n").encode("cp1252"))
    o = read_offers(p)
    assert o["angebot"].iloc[0] == "Schulsozialarbeit Süd" and o["plaetze"].iloc[0] == 1200
    # XLSX: header in row 1, errors name the spreadsheet row
    x = tmp_path / "e.xlsx"
    pd.DataFrame({"anbieter": ["A", "B"], "angebot": ["x", "y"], "angebotsart": ["kita", "kita"],
                  "sozialraum": ["99101-01", "99101-02"], "zielgruppe": ["kinder_3_6"] * 2,
                  "plaetze": [10, 20]}).to_excel(x, index=False)
    assert read_offers(x)["plaetze"].tolist() == [10, 20]
    pd.DataFrame({"anbieter": ["A", "B"], "angebot": ["x", "y"], "angebotsart": ["kita", "kita"],
                  "sozialraum": ["99101-01", "99101-2x?"], "zielgruppe": ["kinder_3_6"] * 2,
                  "plaetze": [10, 20]}).to_excel(x, index=False)
    with pytest.raises(InputError) as e:
        read_offers(x)
    assert (e.value.line, e.value.field) == (3, "sozialraum")


# ---------------------------------------------------------------------------------------------
# coverage, Doppelstrukturen, Lücken on hand-made tables


def _pop():
    return pd.DataFrame({
        "ags": ["99101-01"] * 3 + ["99101-02"] * 3,
        "year": 2024, "variable": "bevoelkerung",
        "altersgruppe": ["3-6", "6-10", "10-15"] * 2,
        "value": [200.0, 300.0, 500.0, 100.0, 0.0, 400.0],
    })


def test_coverage_hand():
    o = _offers([
        ("A", "Kita 1", "sprachfoerderung", "99101-01", "kinder_3_6", 30),
        ("B", "Kita 2", "sprachfoerderung", "99101-01", "kinder_3_6", 20),
        ("A", "HA 1", "hausaufgabenhilfe", "99101-02", "kinder_6_10", 15),
    ])
    c = bk.coverage(o, _pop())
    assert list(c.columns) == ["ags", "angebotsart", "zielgruppe", "n_angebote", "n_anbieter",
                               "plaetze", "zielgruppe_bevoelkerung", "plaetze_je_100", "year",
                               "status"]
    c = c.set_index(["ags", "angebotsart"])
    # 99101-01 Sprachförderung: 100 * (30 + 20) / 200 = 25
    assert c.loc[("99101-01", "sprachfoerderung"), "plaetze_je_100"] == 25.0
    assert c.loc[("99101-01", "sprachfoerderung"), "n_anbieter"] == 2
    # 99101-02 has no Sprachförderung: 0 places of 100 children -> 0
    assert c.loc[("99101-02", "sprachfoerderung"), "plaetze_je_100"] == 0.0
    # 99101-01 Hausaufgabenhilfe: 0 / 300 = 0; 99101-02: 15 places but 0 children -> NaN
    assert c.loc[("99101-01", "hausaufgabenhilfe"), "plaetze_je_100"] == 0.0
    assert pd.isna(c.loc[("99101-02", "hausaufgabenhilfe"), "plaetze_je_100"])
    assert c["year"].eq(2024).all()
    with pytest.raises(ParameterError, match="not in `target_group_map`"):
        bk.coverage(o, _pop(), target_group_map={"kinder_3_6": ("3-6",)})


def test_doppelstrukturen_hand():
    o = _offers([
        ("A", "x", "treff", "99101-01", "kinder_10_15", 10),
        ("B", "y", "treff", "99101-01", "kinder_10_15", 15),
        ("B", "z", "treff", "99101-01", "kinder_10_15", 5),
        ("A", "w", "treff", "99101-01", "kinder_6_10", 5),   # other Zielgruppe
        ("A", "v", "treff", "99101-02", "kinder_10_15", 5),  # other Sozialraum
    ])
    d = bk.doppelstrukturen(o)
    assert d.values.tolist() == [["99101-01", "treff", "kinder_10_15", 2, 3, 30, "A; B"]]
    assert bk.doppelstrukturen(o, min_anbieter=3).empty


def test_luecken_thresholds():
    cov = pd.DataFrame({
        "ags": ["99101-01", "99101-02", "99101-03", "99101-04"], "angebotsart": "kita",
        "zielgruppe": "kinder_3_6", "plaetze": [10, 50, 90, 30],
        "zielgruppe_bevoelkerung": [100.0] * 4, "plaetze_je_100": [10.0, 50.0, 90.0, 30.0]})
    si = pd.DataFrame({"ags": ["99101-01", "99101-02", "99101-03", "99101-04"],
                       "class": [5, 2, 4, 4]})
    # median of 10, 30, 50, 90 = 40: classes >= 4 below 40 -> 99101-01 (10), 99101-04 (30)
    lk = bk.luecken(cov, si)
    assert lk[["ags", "class", "schwelle"]].values.tolist() == [["99101-01", 5, 40.0],
                                                                ["99101-04", 4, 40.0]]
    assert lk["regel"].iloc[0] == (
        "Sozialindex-Klasse ≥ 4 und Versorgung unter dem Median der Sozialräume")
    assert bk.luecken(cov, si, max_coverage=20)["ags"].tolist() == ["99101-01"]
    assert bk.luecken(cov, si, max_coverage={"kita": 95}, min_class=5)["ags"].tolist() == [
        "99101-01"]
    with pytest.raises(ParameterError, match="no threshold for kita"):
        bk.luecken(cov, si, max_coverage={"treff": 1})


# ---------------------------------------------------------------------------------------------
# the whole S-chapter chain on the sample


def test_sample_chain_coverage_sozialindex_luecken():
    facts = pd.read_csv(SAMPLE / "sozialraeume.csv", dtype={"ags": str})
    offers = read_offers(SAMPLE / "angebote.csv")
    cov = bk.coverage(offers, facts)
    pairs = offers[["angebotsart", "zielgruppe"]].drop_duplicates()
    assert len(cov) == 26 * len(pairs)  # every Sozialraum × every pair
    assert cov["year"].eq(facts["year"].max()).all()
    # one cell checked against the raw files: 99101-01 Sprachförderung (3-6-Jährige)
    pop = facts[(facts["ags"] == "99101-01") & (facts["year"] == facts["year"].max())
                & (facts["variable"] == "bevoelkerung") & (facts["altersgruppe"] == "3-6")]
    places = offers.loc[(offers["sozialraum"] == "99101-01")
                        & (offers["angebotsart"] == "sprachfoerderung"), "plaetze"].sum()
    row = cov[(cov["ags"] == "99101-01") & (cov["angebotsart"] == "sprachfoerderung")].iloc[0]
    assert row["plaetze_je_100"] == pytest.approx(100 * places / pop["value"].iloc[0])

    # Sozialindex from two context rates computed from the sample facts
    y = int(facts["year"].max())
    f = facts[facts["year"] == y]
    kids = f[(f["variable"] == "bevoelkerung")
             & f["altersgruppe"].isin(["0-3", "3-6", "6-10", "10-15"])]
    kids = kids.groupby("ags")["value"].sum()
    sgb2 = f[(f["variable"] == "sgb2_leistungsberechtigte")
             & (f["altersgruppe"] == "unter_15")].set_index("ags")["value"]
    sfb = f[f["variable"] == "sprachfoerderbedarf"].set_index("ags")["value"]
    seu = f[f["variable"] == "schuleingangsuntersuchungen"].set_index("ags")["value"]
    values = pd.concat([
        pd.DataFrame({"ags": kids.index, "year": y, "indicator": "sgb2_u15",
                      "value": (sgb2 / kids).reindex(kids.index).to_numpy()}),
        pd.DataFrame({"ags": seu.index, "year": y, "indicator": "sprachfoerderbedarf",
                      "value": (sfb / seu).reindex(seu.index).to_numpy()}),
    ], ignore_index=True)
    si = bk.sozialindex(values, ["sgb2_u15", "sprachfoerderbedarf"])
    assert len(si) == 26 and si["class"].between(1, 5).all()
    lk = bk.luecken(cov, si)
    # independent check: every high-need cell below its pair's median, and nothing else
    m = cov.merge(si[["ags", "class"]], on="ags")
    med = m.groupby(["angebotsart", "zielgruppe"])["plaetze_je_100"].transform("median")
    expect = m[(m["class"] >= 4) & (m["plaetze_je_100"] < med)]
    assert set(zip(lk["ags"], lk["angebotsart"], strict=True)) == set(
        zip(expect["ags"], expect["angebotsart"], strict=True))
    assert len(lk) > 0
    d = bk.doppelstrukturen(offers)
    assert (d["n_anbieter"] >= 2).all() and len(d) > 0


# ---------------------------------------------------------------------------------------------
# every problem at once; unknown Sozialräume; implausible capacity


def test_read_offers_lists_five_different_errors_at_once(tmp_path):
    p = tmp_path / "angebote.csv"
    p.write_text(HEADER
                 + "AWO;Treff;jugendtreff;99101-01;jugendliche_15_18;20;frei;2024\n"
                 + "DRK;;elterncafe;99101-02;eltern_u6;12;frei;2024\n"          # 3: empty
                 + "DRK;Café;elterncafe;Hafen;eltern_u6;12;frei;2024\n"         # 4: key
                 + "DRK;Café;elterncafe;99101-02;babys;12;frei;2024\n"          # 5: Zielgruppe
                 + "DRK;Café;elterncafe;99101-02;eltern_u6;-1;frei;2024\n"      # 6: places
                 + "DRK;Café;elterncafe;99101-02;eltern_u6;12;frei;2024/25\n",  # 7: year
                 encoding="utf-8")
    with pytest.raises(InputProblems) as e:
        read_offers(p)
    assert [(q.line, q.field) for q in e.value.problems] == [
        (3, "angebot"), (4, "sozialraum"), (5, "zielgruppe"), (6, "plaetze"), (7, "jahr")]
    text = str(e.value)
    assert text.startswith(f"{p}: 5 Fehler, die Datei wurde nicht übernommen:\n")
    assert "  angebote.csv, Zeile 6, Feld plaetze: '-1' ist negativ; erwartet: Plätze als " \
           "ganze Zahl ≥ 0" in text.splitlines()


def test_read_offers_unknown_sozialraum_with_region_table(tmp_path):
    p = tmp_path / "angebote.csv"
    p.write_text(HEADER + "AWO;Treff;jugendtreff;99101-01;jugendliche_15_18;20;frei;2024\n"
                 "AWO;Treff;jugendtreff;99101-77;jugendliche_15_18;20;frei;2024\n",
                 encoding="utf-8")
    regions = pd.read_csv(SAMPLE / "regions.csv", dtype=str)
    with pytest.raises(InputProblems, match="Zeile 3, Feld sozialraum: den Sozialraum "
                       "'99101-77' gibt es in der Regionstabelle nicht"):
        read_offers(p, regions=regions)
    # without the region table the offer is read; coverage names it and does not count it
    offers = read_offers(p)
    with pytest.warns(InputWarning, match="angebote.csv, Zeile 3, Feld sozialraum: das Angebot "
                      "'Treff' liegt im Sozialraum '99101-77', der nicht zu den ausgewerteten"):
        c = bk.coverage(offers, _pop().assign(altersgruppe=["15-18"] * 6),
                        units=["99101-01", "99101-02"])
    # 99101-01: 20 places for 200 + 300 + 500 = 1.000 Jugendliche: 100 · 20 / 1.000 = 2
    assert c.set_index("ags").loc["99101-01", "plaetze_je_100"] == pytest.approx(2.0)
    assert set(c["ags"]) == {"99101-01", "99101-02"}


@pytest.mark.parametrize(("places", "expected", "status"), [
    (99999, np.nan, "!"),   # 100 · 99999 / 200 = 49.999,5 per 100: not plausible
    (201, np.nan, "!"),     # 100,5 per 100: more places than children
    (200, 100.0, ""),       # exactly one place per child: plausible
])
def test_coverage_above_100_per_100_is_not_plausible(places, expected, status):
    o = _offers([("A", "Kita", "sprachfoerderung", "99101-01", "kinder_3_6", places)])
    o["line"] = 7
    if status:
        with pytest.warns(InputWarning, match=r"Zeile 7, Feld plaetze: .* Plätze \(sprachfoerd"
                          r"erung\) für 200 Kinder von 3 bis unter 6 Jahren im Sozialraum "
                          r"99101-01 ergäben .* Plätze je 100; mehr als 100 je 100"):
            c = bk.coverage(o, _pop())
    else:
        c = bk.coverage(o, _pop())
    row = c.set_index("ags").loc["99101-01"]
    assert row["status"] == status and row["plaetze"] == places
    assert (np.isnan(row["plaetze_je_100"]) if np.isnan(expected)
            else row["plaetze_je_100"] == expected)
    # no Lücke is derived from a coverage that is not plausible
    si = pd.DataFrame({"ags": ["99101-01", "99101-02"], "class": [5, 5]})
    gaps = set(bk.luecken(c, si, max_coverage=1000)["ags"])
    assert ("99101-01" in gaps) == (status == "")


# ---------------------------------------------------------------------------------------------
# Versorgungsstandards


def test_read_standards(tmp_path):
    p = tmp_path / "standards.csv"
    p.write_text("Angebotsart;Zielgruppe;Plätze je 100 der Zielgruppe;Quelle\n"
                 "Sprachförderung;Kinder von 3 bis unter 6 Jahren;12,5;Soll-Konzept 2025\n"
                 "jugendtreff;jugendliche_15_18;8;Beschluss JHA 2024\n", encoding="utf-8")
    s = bk.read_standards(p)
    # German labels are read as the codes
    assert s[["angebotsart", "zielgruppe", "plaetze_je_100", "line"]].values.tolist() == [
        ["sprachfoerderung", "kinder_3_6", 12.5, 2], ["jugendtreff", "jugendliche_15_18", 8.0, 3]]
    bad = tmp_path / "bad.csv"
    bad.write_text("angebotsart;zielgruppe;plaetze_je_100;quelle\n"
                   "jugendtreff;jugendliche_15_18;8;JHA\n"
                   "jugendtreff;jugendliche_15_18;9;JHA\n"        # 3: twice
                   "elterncafe;eltern;5;JHA\n"                    # 4: Zielgruppe
                   "elterncafe;eltern_u6;0;JHA\n"                 # 5: not above 0
                   "lernfoerderung;kinder_10_15;150;JHA\n"        # 6: above 100
                   "ferienbetreuung;kinder_6_10;inf;\n",          # 7: not finite, no source
                   encoding="utf-8")
    with pytest.raises(InputProblems) as e:
        bk.read_standards(bad)
    assert [(q.line, q.field) for q in e.value.problems] == [
        (3, "angebotsart"), (4, "zielgruppe"), (5, "plaetze_je_100"), (6, "plaetze_je_100"),
        (7, "quelle"), (7, "plaetze_je_100")]
    assert bk.default_standards().empty  # no law or Land sets places per 100 for these kinds
