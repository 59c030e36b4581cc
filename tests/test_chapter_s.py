"""Chapter S statements a Dezernent can act on: Lücken and Doppelstrukturen against the
Versorgungsstandards (or a stated rule), the Soll-Konzept table, on small hand-made inventories
beside the Musterland sample."""

from __future__ import annotations

import re
import shutil

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


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sparse")
    path = folder / "angebote.csv"
    path.write_text(SPARSE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def with_standards(tmp_path_factory, sparse):
    """The sample folder with the sparse inventory and a standards.csv beside zielwerte.csv."""
    folder = tmp_path_factory.mktemp("daten") / "musterland"
    shutil.copytree(bk.sample_dir(), folder)
    shutil.copy(sparse, folder / "angebote.csv")
    (folder / "standards.csv").write_text(STANDARDS, encoding="utf-8")
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
    assert "Einer davon ist eine mögliche Doppelstruktur" in text
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
