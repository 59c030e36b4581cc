"""The standard context and outcome indicators added from their real tables (issue 13, item 7).

Each number is read off the real export in a comment above the assertion: the published
Arbeitslosenquote (13211-02-05-4, ../shared/data), Absolvierende beruflicher Schulen
(21121-02-02-4, tests/data/real), the 7. Klassenstufe (21111-01-03-4, two real editions) and the
Studierende of the -B variant (21311-01-01-4-B, tests/data/real).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bimokit.catalogue import load_catalogue
from bimokit.computation import compute
from bimokit.data import load_data
from bimokit.harmonization import harmonize
from bimokit.io import read

REAL = Path(__file__).parent / "data" / "real"
CAT = load_catalogue()


def _values(v: pd.DataFrame, iid: str, ags: str, year: int, breakdown: str = "insgesamt"):
    sel = v[(v["indicator"] == iid) & (v["ags"] == ags) & (v["year"] == year)
            & (v["breakdown"] == breakdown)]
    return sel.set_index("category")


def test_new_entries_are_in_their_handlungsfeld_with_sources():
    want = {"A1.12": ("A", "ratio"), "A2.6": ("A", "mean"), "A2.7": ("A", "mean"),
            "C1.5": ("C", "mean"), "C1.6": ("C", "mean"), "D1.9": ("D", "count"),
            "D3.4": ("D", "share"), "E3.1": ("E", "count"), "E3.2": ("E", "share"),
            "E3.3": ("E", "share")}
    for iid, (hf, kind) in want.items():
        ind = CAT[iid]
        assert (ind.handlungsfeld, ind.kind) == (hf, kind), iid
        assert ind.title and ind.definition and ind.interpretation and ind.source_tables
    assert CAT["A2.6"].source_tables == ("13211-02-05-4",)
    assert CAT["A1.12"].source_tables == ("12411-01-01-4", "11111-01-01-4")
    assert CAT["E3.1"].source_tables == ("21121-02-02-4",)
    assert CAT["D1.9"].source_tables == ("21111-01-03-4",)
    # a published quota says so in its definition
    for iid in ("A2.6", "A2.7", "C1.5", "C1.6"):
        assert "veröffentlicht" in CAT[iid].definition, iid
        assert "nie gemittelt" in CAT[iid].definition, iid


# --------------------------------------------------------------------------------------------
# Arbeitslosenquote as published (13211-02-05-4, edition Stand 09.07.2026, year 2023)


@pytest.fixture(scope="module")
def alo(shared_data) -> pd.DataFrame:
    h = harmonize(read(shared_data / "genesis_examples" / "13211-02-05-4_2023.csv"),
                  strict=True)
    return compute(h, ["A2.6", "A2.7"], by="all")


def test_arbeitslosenquote_is_the_published_value(alo):
    # "2023;01001;      Flensburg, kreisfreie Stadt;4131;1225;231;82;441;724;1323;8,5;7,9;8,5;
    #  7,2;16,0;6,0": alle zivilen Erwerbspersonen 7,9; Männer 8,5; Frauen 7,2; ausländisch
    # 16,0; 15 bis unter 25 Jahre 6,0
    fl = _values(alo, "A2.6", "01001", 2023)
    assert fl.loc["insgesamt", "value"] == pytest.approx(7.9)
    assert _values(alo, "A2.6", "01001", 2023, "geschlecht")["value"].to_dict() == pytest.approx(
        {"maennlich": 8.5, "weiblich": 7.2})
    assert _values(alo, "A2.6", "01001", 2023, "nationalitaet")["value"].to_dict() == \
        pytest.approx({"auslaendisch": 16.0})
    assert _values(alo, "A2.7", "01001", 2023).loc["insgesamt", "value"] == pytest.approx(6.0)
    # a published quota has no interval and no counts
    assert np.isnan(fl.loc["insgesamt", "ci_low"]) and np.isnan(fl.loc["insgesamt", "denominator"])


def test_arbeitslosenquote_of_land_and_bund_as_published_never_averaged(alo):
    # "2023;01;  Schleswig-Holstein;…;6,0;5,5;…" and "2023;DG;Deutschland;…;6,2;5,7;…"
    assert _values(alo, "A2.6", "01", 2023).loc["insgesamt", "value"] == pytest.approx(5.5)
    assert _values(alo, "A2.6", "DG", 2023).loc["insgesamt", "value"] == pytest.approx(5.7)
    # without the published Land row there is no Land value: Kreis quotas are not averaged
    facts = pd.DataFrame({"ags": ["01001", "01002"], "year": 2023,
                          "variable": "arbeitslosenquote", "geschlecht": "insgesamt",
                          "nationalitaet": "insgesamt", "altersgruppe": "insgesamt",
                          "value": [7.9, 7.6], "status": ""})
    regions = pd.DataFrame({"ags": ["01", "01001", "01002"], "level": ["land", "kreis", "kreis"],
                            "parent": ["DG", "01", "01"]})
    v = compute(facts, "A2.6", regions=regions)
    assert sorted(v["ags"]) == ["01001", "01002"]


def test_arbeitslose_counts_get_deutsch_as_the_difference(shared_data):
    h = harmonize(read(shared_data / "genesis_examples" / "13211-02-05-4_2023.csv"))
    a = h[(h["variable"] == "arbeitslose") & (h["ags"] == "01001")
          & (h["altersgruppe"] == "insgesamt")].set_index("nationalitaet")["value"]
    # 4131 Arbeitslose, of them 1225 ausländisch: 2906 deutsch
    assert a.to_dict() == {"insgesamt": 4131, "auslaendisch": 1225, "deutsch": 2906}


# --------------------------------------------------------------------------------------------
# Bevölkerungsdichte (12411-01-01-4 with 11111-01-01-4)


def test_bevoelkerungsdichte_from_summed_population_and_area():
    facts = pd.DataFrame({
        "ags": ["09162", "09184", "09162", "09184"], "year": 2018,
        "variable": ["bevoelkerung", "bevoelkerung", "flaeche", "flaeche"],
        "geschlecht": ["insgesamt", "insgesamt", None, None],
        "value": [1471508.0, 348871.0, 310.7, 667.26], "status": ""})
    regions = pd.DataFrame({"ags": ["091", "09162", "09184"],
                            "level": ["regbez", "kreis", "kreis"], "parent": ["09", "091", "091"]})
    v = compute(facts, "A1.12", regions=regions).set_index("ags")["value"]
    # München 1,471,508 (SOURCES.md, 31.12.2018) / 310.70 km² = 4736.1
    assert v["09162"] == pytest.approx(1471508 / 310.7)
    # the Bezirk: summed population over summed area, not the mean of two densities
    assert v["091"] == pytest.approx((1471508 + 348871) / (310.7 + 667.26))


def test_area_table_labels_map():
    raw = pd.DataFrame({"ags": "09162", "year": 2021, "variable": ["Gebietsfläche",
                                                                   "Gebietsfläche in qkm"],
                        "value": [310.7, 310.7], "status": "", "source": "11111-01-01-4"})
    h = harmonize(raw, strict=True)
    assert set(h["variable"]) == {"flaeche"}


# --------------------------------------------------------------------------------------------
# Absolvierende beruflicher Schulen nach Abschluss (21121-02-02-4, Stand 12.03.2025)


def test_absolvierende_beruflicher_schulen_nach_abschluss():
    h = harmonize(read(REAL / "21121-02-02-4.csv"), strict=True)
    v = compute(h, ["E3.1", "E3.2", "E3.3"], by="all")
    # "2023;01001;      Flensburg, kreisfreie Stadt;690;297;126;57;222;90;165;48;177;102;39;30"
    e31 = _values(v, "E3.1", "01001", 2023, "abschluss")["value"]
    assert e31.to_dict() == {"esa": 126, "msa": 222, "fhr": 165, "ahr": 177}
    assert _values(v, "E3.1", "01001", 2023).loc["insgesamt", "value"] == 690
    # Hochschulreife 177 / 690 = 25.65 %; Fachhochschulreife 165 / 690 = 23.91 %
    assert _values(v, "E3.2", "01001", 2023).loc["insgesamt", "value"] == pytest.approx(
        177 / 690 * 100, rel=1e-12)
    assert _values(v, "E3.3", "01001", 2023).loc["insgesamt", "value"] == pytest.approx(
        165 / 690 * 100, rel=1e-12)
    # weiblich 102 / 297; männlich (derived) 75 / 393
    g = _values(v, "E3.2", "01001", 2023, "geschlecht")["value"]
    assert g["weiblich"] == pytest.approx(102 / 297 * 100, rel=1e-12)
    assert g["maennlich"] == pytest.approx(75 / 393 * 100, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Schülerinnen und Schüler der Klassenstufe 7 nach Schularten (21111-01-03-4)


def test_klassenstufe_7_in_both_real_editions(shared_data):
    ds = load_data([shared_data / "genesis_examples" / "21111-01-03-4_stand-2017.csv",
                    REAL / "21111-01-03-4_stand-2025.csv"], strict=True)
    v = ds.compute(["D1.9", "D3.4"], by="schulart")
    # 2015 (Stand 2017): "01001;…;Gymnasien;5;3672;1931;100;363;445" and
    # "01001;…;Insgesamt;42;11609;5783;589;1137;668": 363 of 1137 = 31.93 %
    assert _values(v, "D3.4", "01001", 2015).loc["insgesamt", "value"] == pytest.approx(
        363 / 1137 * 100, rel=1e-12)
    # 2023 (Stand 2025): Gymnasien 408 of 1212 = 33.66 %
    assert _values(v, "D3.4", "01001", 2023).loc["insgesamt", "value"] == pytest.approx(
        408 / 1212 * 100, rel=1e-12)
    by = _values(v, "D1.9", "01001", 2015, "schulart")["value"]
    # Gymnasien 363, Integrierte Gesamtschulen 665, Freie Waldorfschulen 42, Förderschulen 67;
    # Grundschulen have no 7. Klassenstufe
    assert by[["gymnasium", "gesamtschule", "waldorfschule", "foerderschule"]].tolist() == [
        363, 665, 42, 67]
    assert _values(v, "D1.9", "DG", 2023).loc["insgesamt", "value"] == 777644


# --------------------------------------------------------------------------------------------
# Studierende from the -B variant (21311-01-01-4-B, flat, Wintersemester 2022/23)


def test_studierende_from_the_b_variant():
    h = harmonize(read(REAL / "21311-01-01-4-B_de_flat.csv"), strict=True)
    v = compute(h, ["F1.1"], by="all")
    # "…;14612;Dresden, kreisfreie Stadt;GESINS;Geschlecht;GESW;weiblich;NAT01;…;INSGESAMT;
    #  Insgesamt;HS-FG2;…;INSGESAMT;Insgesamt;17322;Anzahl;HS-W02;Studierende (im Kreisgebiet)"
    assert _values(v, "F1.1", "14612", 2022, "geschlecht").loc["weiblich", "value"] == 17322
    # "…;05515;Münster, kreisfreie Stadt;GESINS;…;INSGESAMT;Insgesamt;NAT01;…;NATA;ausländisch;
    #  …;INSGESAMT;Insgesamt;4290;…"
    assert _values(v, "F1.1", "05515", 2022, "nationalitaet").loc["auslaendisch",
                                                                   "value"] == 4290
    # Quedlinburg (dissolved): "-"
    q = _values(v, "F1.1", "15364", 2022)
    assert q.loc["insgesamt", "value"] == 0 and q.loc["insgesamt", "status"] == "-"
    assert set(h["source"]) == {"21311-01-01-4-B"}
