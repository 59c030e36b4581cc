"""Chapter S statements a Dezernent can act on: Lücken and Doppelstrukturen against the
Versorgungsstandards (or a stated rule), the Soll-Konzept table, on small hand-made inventories
beside the Musterland sample."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

import bimokit as bk
from bimokit.chapters import Chapter

# A realistic small inventory: most Sozialräume have no offer of a kind. Hafenviertel
# (99101-06) has the highest need (Sozialindex class 5): no Jugendtreff, no Elterncafé, and
# Sprachförderung from two providers with 15 + 14 = 29 places for 1.582 children of 3 to 6
# years: 100 · 29 / 1.582 = 1,8 places per 100.
SPARSE = """anbieter;angebot;angebotsart;sozialraum;zielgruppe;plaetze;akteur
Jugendamt Musterstadt;Treff Nord;jugendtreff;99101-02;jugendliche_15_18;40;
Sportverein Nord;Treff Nord 2;jugendtreff;99101-02;jugendliche_15_18;20;Stadtsportbund
AWO;Treff Heide;jugendtreff;99101-10;jugendliche_15_18;30;
Caritas;Sprache Hafen 1;sprachfoerderung;99101-06;kinder_3_6;15;Bildungsbüro
Diakonie;Sprache Hafen 2;sprachfoerderung;99101-06;kinder_3_6;14;
Caritas;Sprache Nord;sprachfoerderung;99101-02;kinder_3_6;40;
VHS;Café Ost;elterncafe;99101-05;eltern_u6;20;
"""

# Versorgungsstandards in the columns of the standards template (angebotsart, zielgruppe,
# plaetze_je_100, quelle), with its comment lines and a decimal comma.
STANDARDS = """# Versorgungsstandards (Soll-Konzept) – Plätze je 100 Personen der Zielgruppe
# angebotsart;zielgruppe;plaetze_je_100;quelle
angebotsart;zielgruppe;plaetze_je_100;quelle
sprachfoerderung;kinder_3_6;5,0;Soll-Konzept Musterstadt 2025
jugendtreff;jugendliche_15_18;3,0;Soll-Konzept Musterstadt 2025
elterncafe;eltern_u6;2,0;Soll-Konzept Musterstadt 2025
"""


# Zielwerte with the Soll-Konzept's optional columns: a Maßnahme and who is responsible; a row
# whose ags is a Sozialraum key is a target of that Sozialraum.
ZIELWERTE = """ags,indicator,baseline_year,target_year,target_value,bemerkung,massnahme,akteur
,A2.1,2018,2030,10.0,Landesziel,,
,D4.1,2018,2030,5.0,Landesziel,Schulsozialarbeit an allen Schulen,Schulamt
99101-06,A2.1,2018,2030,35.0,,Familienzentrum Hafen,Jugendamt
99101-06,C3.1,2018,2030,30.0,,Sprachkita-Verbund,Bildungsbüro
99101-13,A2.1,2018,2030,25.0,,,
"""


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sparse")
    path = folder / "angebote.csv"
    path.write_text(SPARSE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def with_standards(tmp_path_factory, sparse):
    """The sample folder with the sparse inventory and a standards.csv beside zielwerte.csv:
    the CSV template of ``bimokit template standards``, filled in as a user would."""
    from bimokit.own_templates import write_template

    folder = tmp_path_factory.mktemp("daten") / "musterland"
    shutil.copytree(bk.sample_dir(), folder)
    shutil.copy(sparse, folder / "angebote.csv")
    template = write_template("standards", folder / "standards.csv")
    rows = [line + ";" for line in STANDARDS.splitlines()[3:]]  # Bemerkung left empty
    with open(template, "a", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    (folder / "zielwerte.csv").write_text(ZIELWERTE, encoding="utf-8")
    return folder


def _text(section) -> str:
    return " ".join(section.sentences)


def test_sparse_inventory_names_the_gap_of_the_highest_need_area_and_never_denies_one(sparse):
    ch = Chapter("S", ags="99101")
    sec = ch.angebote(datei=str(sparse))
    text = _text(sec)
    # the rule is stated before any judgement
    assert "Einen Versorgungsstandard hat die Kommune für keine dieser Angebotsarten" in text
    assert "weniger Plätze je 100 der Zielgruppe hat als die Kommune im Durchschnitt" in text
    # Hafenviertel: class 5, no Jugendtreff and no Elterncafé: named
    assert "Hafenviertel (Klasse 5): Elterncafé und Jugendtreff" in text
    assert not re.search(r"keine? (Lücke|Angebot unter)", text)
    gaps = sec.tables[2]
    hafen = gaps[gaps["name"] == "Hafenviertel"]
    assert set(hafen["angebotsart"]) >= {"Jugendtreff", "Elterncafé"}
    # every class 4-5 area without a place of a kind is in the gap table
    si = ch._sozialindex_result()["si"]
    high = set(si.loc[si["class"] >= 4, "ags"])
    status = ch.coverage
    zero = status[status["ags"].isin(high) & (status["plaetze"] == 0)]
    assert len(zero) == int((gaps["plaetze_je_100"] == 0).sum()) > 0


def test_doppelstruktur_in_an_under_supplied_area_is_not_flagged(sparse, with_standards):
    # without a standard: not judged, and the text says why
    sec = Chapter("S", ags="99101").angebote(datei=str(sparse))
    table = sec.tables[-1]
    hafen = table[table["name"] == "Hafenviertel"].iloc[0]
    assert hafen["plaetze_je_100"] == pytest.approx(100 * 29 / 1582)
    assert hafen["beurteilung"] == "nicht beurteilt: kein Versorgungsstandard"
    assert "mögliche Doppelstruktur" not in " ".join(table["beurteilung"][
        table["name"] == "Hafenviertel"])
    assert "keinen Versorgungsstandard festgelegt" in _text(sec)
    # with the standard of 5,0 places: 1,8 is under-supplied, not doubly supplied;
    # Nordviertel's Jugendtreff (100 · 60 / 476 = 12,6 against 3,0) is one: singular
    sec = Chapter("S", ags="99101", data=str(with_standards)).angebote()
    table = sec.tables[-1].set_index("name")
    assert table.loc["Hafenviertel", "beurteilung"] == (
        "keine: nicht über dem Standard (Unterversorgung)")
    assert table.loc["Nordviertel", "beurteilung"] == (
        "mögliche Doppelstruktur (über dem Standard)")
    text = _text(sec)
    assert ("Davon ist 1 mögliche Doppelstruktur: Dort liegt die Versorgung über dem "
            "Versorgungsstandard.") in text
    assert "In einem Fall liegt die Versorgung nicht über dem Standard" in text
    assert "Hinweis auf Unterversorgung" in text


def test_standards_from_the_template_format_are_used(with_standards):
    ch = Chapter("S", ags="99101", data=str(with_standards))
    sec = ch.angebote()
    text = _text(sec)
    assert "gilt der Versorgungsstandard, den die Kommune für jede Angebotsart" in text or \
        "Maßstab: der Versorgungsstandard" in text
    measure = sec.tables[1].set_index("angebotsart")
    assert measure.loc["Sprachförderung", "schwelle"] == 5.0
    assert measure.loc["Sprachförderung", "quelle"] == "Soll-Konzept Musterstadt 2025"
    assert set(measure["grundlage"]) == {"Versorgungsstandard"}
    # Hafenviertel's Sprachförderung (1,8) lies below the standard 5,0: a gap
    gaps = sec.tables[2]
    row = gaps[(gaps["name"] == "Hafenviertel") & (gaps["angebotsart"] == "Sprachförderung")]
    assert row["schwelle"].tolist() == [5.0] and row["grundlage"].tolist() == [
        "Versorgungsstandard"]
    # the rule texts write decimal commas
    assert ch.coverage["massstab"].str.contains(r"\d\.\d").sum() == 0
    assert ("dem Versorgungsstandard von 5,0 Plätzen je 100 der Zielgruppe (Quelle: "
            "Soll-Konzept Musterstadt 2025)") in set(ch.coverage["massstab"])
    ch.methodik()
    assert "Maßstab ist der Versorgungsstandard, den die Kommune in ihrem Soll-Konzept" in \
        " ".join(ch.outputs)


def test_standards_file_errors_name_file_line_and_field(tmp_path, sparse):
    bad = tmp_path / "standards.csv"
    bad.write_text("angebotsart;zielgruppe;plaetze_je_100;quelle\n"
                   "jugendtreff;jugendliche_15_18;viele;Soll-Konzept\n", encoding="utf-8")
    with pytest.raises(bk.InputError) as e:
        Chapter("S", ags="99101").angebote(datei=str(sparse), standards=str(bad))
    assert (e.value.line, e.value.field) == (2, "plaetze_je_100")


def test_methodik_says_where_no_legal_or_land_standard_exists():
    ch = Chapter("S", ags="99101")
    ch.angebote()
    ch.methodik()
    html = " ".join(ch.outputs)
    assert "kennt bimokit keinen gesetzlichen oder landesweiten Standard" in html
    assert "einen Vorgabewert setzt bimokit deshalb nicht" in html


def test_no_gap_is_said_only_when_true_by_the_rule(tmp_path):
    # every high-need area (classes 4 and 5: 99101-06, -11, -13, -15) has 10 places per 100
    # children of 3 to 6, the others 1: nothing lies below the average, nothing is missing
    ch = Chapter("S", ags="99101")
    f = ch.facts
    pop = f[(f["variable"] == "bevoelkerung") & f["ags"].isin(ch.sozialraeume)
            & (f["altersgruppe"] == "3-6") & (f["year"] == 2024)
            & (f["geschlecht"] == "insgesamt") & (f["nationalitaet"] == "insgesamt")]
    high = {"99101-06", "99101-11", "99101-13", "99101-15"}
    rows = [f"T{i};S{i};sprachfoerderung;{a};kinder_3_6;{round(v * (0.10 if a in high else 0.01))}"
            for i, (a, v) in enumerate(zip(pop["ags"], pop["value"], strict=True))]
    path = tmp_path / "angebote.csv"
    path.write_text("anbieter;angebot;angebotsart;sozialraum;zielgruppe;plaetze\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")
    text = _text(ch.angebote(datei=str(path)))
    assert ("Nach diesem Maßstab gibt es in den 4 Sozialräumen mit hohem Bedarf (Klasse 4 und "
            "5) keine Lücke") in text


def test_soll_konzept_per_sozialraum_with_akteure_massnahmen_and_ampel(with_standards):
    ch = Chapter("S", ags="99101", data=str(with_standards))
    # the Kommune's targets keep their Maßnahme and Akteur through target_status
    z = ch.zielerreichung().tables[0].set_index("indicator")
    assert z.loc["D4.1", "massnahme"] == "Schulsozialarbeit an allen Schulen"
    assert z.loc["D4.1", "akteur"] == "Schulamt" and z.loc["A2.1", "massnahme"] == ""
    sec = ch.soll_konzept()
    t = sec.tables[0].set_index("name")
    assert list(t.columns) == ["ags", "bedarf", "angebot", "akteure", "massnahmen", "ampel"]
    assert list(t.index[:2]) == ["Hafenviertel", "Gartenstadt"]  # highest need first
    hafen = t.loc["Hafenviertel"]
    assert hafen["bedarf"] == "5 sehr hoch"
    # no Jugendtreff, no Elterncafé; Sprachförderung 1,8 below the standard 5,0
    assert hafen["angebot"] == ("ohne Angebot: Elterncafé, Jugendtreff; unter dem Maßstab: "
                                "Sprachförderung; Maßstab erreicht: 0 von 3")
    # the offers' Akteur where given, else the provider; then the Zielwerte's Akteure
    assert hafen["akteure"] == "Bildungsbüro; Diakonie; Jugendamt"
    assert hafen["massnahmen"] == ("Familienzentrum Hafen (Jugendamt); Sprachkita-Verbund "
                                   "(Bildungsbüro)")
    # the Ampel of the Sozialraum's own targets, judged on its own values
    values = ch.totals[(ch.totals["ags"] == "99101-06") & (ch.totals["indicator"] == "A2.1")]
    res = bk.target_status(values, pd.DataFrame({
        "indicator": ["A2.1"], "baseline_year": [2018], "target_year": [2030],
        "target_value": [35.0]}), direction={"A2.1": -1})
    assert hafen["ampel"].startswith(f"A2.1: {res['ampel'].iloc[0]}; C3.1: ")
    assert t.loc["Nordviertel", "massnahmen"] == "–" and t.loc["Nordviertel", "ampel"] == "–"
    assert t.loc["Gartenstadt", "massnahmen"] == "–" and t.loc["Gartenstadt", "ampel"] != "–"
    # high-need areas with gaps and no Maßnahme are named
    text = _text(sec)
    assert "mit hohem Bedarf und Lücken haben noch keine Maßnahme: Gartenstadt" in text
    assert "Hafenviertel" not in text.split("noch keine Maßnahme")[1]
