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


def _cov(places, pop, art="treff", group="kinder_10_15"):
    n = len(places)
    ags = [f"99101-{i + 1:02d}" for i in range(n)]
    return pd.DataFrame({"ags": ags, "angebotsart": art, "zielgruppe": group,
                         "plaetze": places, "zielgruppe_bevoelkerung": pop,
                         "plaetze_je_100": [100 * p / q if q else float("nan")
                                            for p, q in zip(places, pop, strict=True)]})


def test_coverage_status_uses_the_standard_then_a_threshold_then_the_average():
    cov = pd.concat([_cov([0, 10, 30], [200.0, 400.0, 400.0]),
                     _cov([5, 0, 5], [100.0, 100.0, 0.0], art="cafe", group="eltern_u6")],
                    ignore_index=True)
    s = bk.coverage_status(cov)
    # treff average: 100 * (0 + 10 + 30) / (200 + 400 + 400) = 4.0
    # cafe average: 100 * (5 + 0) / (100 + 100) = 2.5 (99101-03 has no target group: left out)
    assert s["schwelle"].tolist() == [4.0, 4.0, 4.0, 2.5, 2.5, 2.5]
    assert s["grundlage"].eq("durchschnitt").all()
    # 0 places: 'ohne' whatever the measure; 5 places of 0 persons: 'unbekannt'
    assert s["versorgung"].tolist() == ["ohne", "unter", "ueber", "ueber", "ohne", "unbekannt"]
    assert s["massstab"].iloc[0] == ("dem Durchschnitt der Kommune (4,0 Plätze je 100 der "
                                     "Zielgruppe; ein Versorgungsstandard ist nicht festgelegt)")
    std = pd.DataFrame({"angebotsart": ["treff"], "zielgruppe": ["kinder_10_15"],
                        "plaetze_je_100": ["2,5"], "quelle": ["Soll-Konzept 2025"]})
    s = bk.coverage_status(cov, standards=std, max_coverage={"cafe": 6})
    assert s["schwelle"].tolist() == [2.5, 2.5, 2.5, 6.0, 6.0, 6.0]
    assert s["grundlage"].tolist() == ["standard"] * 3 + ["schwelle"] * 3
    # 10 / 400 = 2.5 exactly the standard: 'erreicht'
    assert s["versorgung"].tolist()[:4] == ["ohne", "erreicht", "ueber", "unter"]
    assert s["massstab"].iloc[0] == ("dem Versorgungsstandard von 2,5 Plätzen je 100 der "
                                     "Zielgruppe (Quelle: Soll-Konzept 2025)")
    assert s["massstab"].iloc[3] == ("der vorgegebenen Schwelle von 6,0 Plätzen je 100 der "
                                     "Zielgruppe")
    for bad, msg in [(std.drop(columns="quelle"), "lacks the column.s. quelle"),
                     (pd.concat([std, std]), "more than one standard"),
                     (std.assign(plaetze_je_100="-1"), "number ≥ 0")]:
        with pytest.raises(ParameterError, match=msg):
            bk.coverage_status(cov, standards=bad)


def test_doppelstrukturen_only_where_coverage_is_above_the_measure():
    o = _offers([
        ("A", "x", "treff", "99101-01", "kinder_10_15", 10),
        ("B", "y", "treff", "99101-01", "kinder_10_15", 15),
        ("B", "z", "treff", "99101-01", "kinder_10_15", 5),
        ("A", "w", "treff", "99101-01", "kinder_6_10", 5),   # other Zielgruppe
        ("A", "v", "treff", "99101-02", "kinder_10_15", 1),
        ("C", "u", "treff", "99101-02", "kinder_10_15", 1),   # two providers, 2 places
    ])
    cov = bk.coverage(o, _pop())
    std = pd.DataFrame({"angebotsart": ["treff"], "zielgruppe": ["kinder_10_15"],
                        "plaetze_je_100": [4.0], "quelle": ["Soll-Konzept"]})
    d = bk.doppelstrukturen(o, cov, standards=std)
    # 99101-01: 100 * 30 / 500 = 6.0 per 100, above the standard 4: possible Doppelstruktur;
    # 99101-02: 100 * 2 / 400 = 0.5, under-supplied: two providers are no Doppelstruktur
    assert d[["ags", "n_anbieter", "n_angebote", "plaetze", "anbieter", "plaetze_je_100",
              "urteil", "doppelstruktur"]].values.tolist() == [
        ["99101-01", 2, 3, 30, "A; B", 6.0, "moeglich", True],
        ["99101-02", 2, 2, 2, "A; C", 0.5, "nicht_ueber_standard", False]]
    # with a standard of 8 per 100, 99101-01 (6.0) is under-supplied too
    assert not bk.doppelstrukturen(o, cov, standards=std.assign(plaetze_je_100=8.0))[
        "doppelstruktur"].any()
    # a threshold by hand is a measure as well; the Kommune's average is not: without a
    # standard, several providers are not judged (the average 100 * 32 / 900 = 3.6 would call
    # any area with a few places over-supplied where most have none)
    assert bk.doppelstrukturen(o, cov, max_coverage=5)["doppelstruktur"].tolist() == [
        True, False]
    assert bk.doppelstrukturen(o, cov)["urteil"].tolist() == ["ohne_standard"] * 2
    assert bk.doppelstrukturen(o, cov, min_anbieter=3).empty


def test_luecken_name_every_area_without_an_offer_and_judge_the_rest_by_the_measure():
    cov = _cov([0, 50, 90, 30, 0], [100.0] * 5, art="kita", group="kinder_3_6")
    si = pd.DataFrame({"ags": [f"99101-{i:02d}" for i in range(1, 6)],
                       "class": [5, 2, 4, 4, 1]})
    # average = 100 * 170 / 500 = 34: class >= 4 without any place (99101-01) or below 34
    # (99101-04, 30); 99101-05 has no place but class 1
    lk = bk.luecken(cov, si)
    assert lk[["ags", "class", "schwelle", "ohne_angebot"]].values.tolist() == [
        ["99101-01", 5, 34.0, True], ["99101-04", 4, 34.0, False]]
    assert lk["regel"].tolist() == [
        "Sozialindex-Klasse ≥ 4 und kein Angebot",
        "Sozialindex-Klasse ≥ 4 und Versorgung unter dem Durchschnitt der Kommune (34,0 Plätze "
        "je 100 der Zielgruppe; ein Versorgungsstandard ist nicht festgelegt)"]
    assert bk.luecken(cov, si, max_coverage=20)["ags"].tolist() == ["99101-01"]
    # a standard of 95 makes 99101-03 (90) a gap; a zero-coverage area stays one under any
    # measure, even a standard of 0
    std = pd.DataFrame({"angebotsart": ["kita"], "zielgruppe": ["kinder_3_6"],
                        "plaetze_je_100": [95.0], "quelle": ["Land"]})
    assert bk.luecken(cov, si, standards=std)["ags"].tolist() == ["99101-01", "99101-04",
                                                                  "99101-03"]
    assert bk.luecken(cov, si, standards=std.assign(plaetze_je_100=0.0))["ags"].tolist() == [
        "99101-01"]
    assert bk.luecken(cov, si, min_class=5)["ags"].tolist() == ["99101-01"]
    with pytest.raises(ParameterError, match="class from 1 to 5"):
        bk.luecken(cov, si, min_class=6)


def test_most_areas_without_an_offer_still_gives_gaps():
    # the case of the issue: most areas have nothing, so the median coverage is 0 and "below
    # the median" found no gap; the average rule finds them
    cov = _cov([0, 0, 0, 0, 18], [1000.0] * 5)
    si = pd.DataFrame({"ags": [f"99101-{i:02d}" for i in range(1, 6)],
                       "class": [5, 4, 3, 2, 1]})
    lk = bk.luecken(cov, si)
    assert lk["ags"].tolist() == ["99101-01", "99101-02"] and lk["ohne_angebot"].all()


def test_soll_konzept_counts_per_area_and_names_the_actors():
    o = _offers([
        ("A", "x", "treff", "99101-01", "kinder_10_15", 30),
        ("B", "y", "sprache", "99101-01", "kinder_3_6", 1),
        ("C", "z", "sprache", "99101-02", "kinder_3_6", 40),
    ]).assign(akteur=["Jugendamt", "", ""])
    cov = bk.coverage(o, _pop())
    si = pd.DataFrame({"ags": ["99101-01", "99101-02"], "class": [2, 5]})
    k = bk.soll_konzept(cov, si, o)
    # treff: 99101-01 6.0 (above the average 30/900 = 3.3), 99101-02 none;
    # sprache: 99101-01 0.5 (below the average 41/300 = 13.7), 99101-02 40.0 (above)
    assert k[["ags", "class", "n_arten", "n_ohne", "n_unter", "n_erreicht", "akteure"]
             ].values.tolist() == [["99101-02", 5, 2, 1, 0, 1, "C"],
                                   ["99101-01", 2, 2, 0, 1, 1, "B; Jugendamt"]]


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
    # independent check: every high-need cell without a place or below its pair's average
    # (summed places per 100 of the summed target group), and nothing else
    m = cov.merge(si[["ags", "class"]], on="ags")
    ok = m["zielgruppe_bevoelkerung"] > 0
    sums = m[ok].groupby(["angebotsart", "zielgruppe"])[["plaetze",
                                                       "zielgruppe_bevoelkerung"]].sum()
    avg = (100 * sums["plaetze"] / sums["zielgruppe_bevoelkerung"]).rename("avg")
    m = m.join(avg, on=["angebotsart", "zielgruppe"])
    expect = m[(m["class"] >= 4) & ((m["plaetze"] == 0) | (m["plaetze_je_100"] < m["avg"]))]
    assert set(zip(lk["ags"], lk["angebotsart"], strict=True)) == set(
        zip(expect["ags"], expect["angebotsart"], strict=True))
    assert len(lk) > 0
    d = bk.doppelstrukturen(offers, cov)
    assert (d["n_anbieter"] >= 2).all() and len(d) > 0
    assert d["urteil"].eq("ohne_standard").all() and not d["doppelstruktur"].any()


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

