"""Table mappings against excerpts of real exports (tests/data/real, sources in SOURCES.md there).

Every expected number below is copied from the real export (the row is quoted in the comment),
so a mapping that sends a label to the wrong code, or drops it, changes the number.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bimokit.catalogue import load_vocabulary
from bimokit.data import load_data
from bimokit.errors import InputError
from bimokit.harmonization import UnmappedLabelWarning, harmonize
from bimokit.io import read

REAL = Path(__file__).parent / "data" / "real"
ABG_2025 = REAL / "21111-02-06-4_stand-2025.csv"
SCHUELER_2025 = REAL / "21111-01-03-4_stand-2025.csv"
BERUFLICH_ABG = REAL / "21121-02-02-4.csv"
KITA_BIS_2002 = REAL / "22541-01-01-4_bis-2002.csv"
POPULATION = "population/bevoelkerung_altersgruppen_2023_2024_buddemax-derived.csv"


def _strict(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmappedLabelWarning)
        return harmonize(read(path), strict=True)


def _pick(h: pd.DataFrame, **where) -> pd.Series:
    sel = np.ones(len(h), dtype=bool)
    for col, val in where.items():
        sel &= (h[col] == val).to_numpy()
    return h[sel]


# --------------------------------------------------------------------------------------------
# 21111-02-06-4, edition Stand 13.03.2025: "Absolvierende/Abgehende", no "Schulabschluss" label


@pytest.fixture(scope="module")
def abg_2025() -> pd.DataFrame:
    return _strict(ABG_2025)


def test_abgaenger_2025_every_label_is_mapped(abg_2025):
    h = abg_2025
    assert set(h["variable"]) == {"abgaenger"}
    assert set(h["abschluss"]) == {"insgesamt", "ohne_esa", "esa", "msa", "fhr", "ahr"}
    # published: Insgesamt and weiblich; männlich is derived as their difference
    assert set(h["geschlecht"]) == {"insgesamt", "weiblich", "maennlich"}
    # the edition has no Nationalität breakdown
    assert set(h["nationalitaet"]) == {"insgesamt"}
    assert set(h["year"]) == {2023}
    assert str(h["stand"].iloc[0]) == "2025-03-13"
    # 19 regions x 6 Abschlüsse x 3 (Insgesamt, weiblich, männlich); the "dar." column is dropped
    assert len(h) == 19 * 6 * 3


def test_abgaenger_2025_flensburg_numbers(abg_2025):
    # "2023;01001;      Flensburg, kreisfreie Stadt;1059;558;90;39;147;69;318;162;57;27;-;-;504;288"
    fl = _pick(abg_2025, ags="01001", geschlecht="insgesamt").set_index("abschluss")["value"]
    assert fl.to_dict() == {"insgesamt": 1059.0, "ohne_esa": 90.0, "esa": 147.0,
                            "msa": 318.0, "fhr": 0.0, "ahr": 504.0}
    w = _pick(abg_2025, ags="01001", geschlecht="weiblich").set_index("abschluss")["value"]
    assert w["insgesamt"] == 558 and w["ohne_esa"] == 39
    # share ohne Ersten Schulabschluss: 90 / 1059 = 8.50 %
    assert fl["ohne_esa"] / fl["insgesamt"] == pytest.approx(0.0850, abs=5e-5)


def test_abgaenger_2025_darunter_column_is_not_summed_into_fhr(abg_2025):
    # DG: dar. schulischer Teil der FHR 22530, mit Fachhochschulreife 802
    dg = _pick(abg_2025, ags="DG", geschlecht="insgesamt").set_index("abschluss")["value"]
    assert dg["fhr"] == 802
    assert dg["msa"] == 336361
    # the five Abschlüsse add up to the total: 55708+130322+336361+802+259230 = 782423
    assert dg.drop("insgesamt").sum() == dg["insgesamt"] == 782423


def test_abgaenger_2025_symbols(abg_2025):
    # Niedersachsen 03: "...;.;.;24790;13876" (FHR secret), 03152 dissolved: all "-"
    nds = _pick(abg_2025, ags="03", geschlecht="insgesamt", abschluss="fhr")
    assert np.isnan(nds["value"].item()) and nds["status"].item() == "."
    goe = _pick(abg_2025, ags="03152", geschlecht="insgesamt", abschluss="insgesamt")
    assert goe["value"].item() == 0 and goe["status"].item() == "-"
    th = _pick(abg_2025, ags="16063", geschlecht="insgesamt", abschluss="fhr")
    assert np.isnan(th["value"].item()) and th["status"].item() == "x"


def test_abgaenger_editions_2017_and_2025_give_the_same_codes(shared_data):
    old = shared_data / "genesis_examples" / "21111-02-06-4_stand-2017.csv"
    ds = load_data([old, ABG_2025], strict=True)
    f = ds.facts[ds.facts["variable"] == "abgaenger"]
    by_year = f.groupby("year")["abschluss"].agg(lambda s: sorted(set(s)))
    assert by_year.to_dict() == {2015: ["ahr", "esa", "fhr", "insgesamt", "msa", "ohne_esa"],
                                 2023: ["ahr", "esa", "fhr", "insgesamt", "msa", "ohne_esa"]}
    # Flensburg: 111 of 1302 (2015, Stand 2017) and 90 of 1059 (2023, Stand 2025)
    fl = _pick(f, ags="01001", geschlecht="insgesamt", nationalitaet="insgesamt")
    got = fl.set_index(["year", "abschluss"])["value"]
    assert got[(2015, "ohne_esa")] == 111 and got[(2015, "insgesamt")] == 1302
    assert got[(2023, "ohne_esa")] == 90 and got[(2023, "insgesamt")] == 1059
    assert ds.revisions.empty


# --------------------------------------------------------------------------------------------
# 21111-01-03-4, edition Stand 13.03.2025: "Schülerinnen und Schüler …", Nationalität "ausländisch"


@pytest.fixture(scope="module")
def schueler_2025() -> pd.DataFrame:
    return _strict(SCHUELER_2025)


def test_schueler_2025_every_label_is_mapped(schueler_2025):
    h = schueler_2025
    assert set(h["variable"]) == {"schulen", "schueler"}
    voc = load_vocabulary()
    assert set(h["schulart"]) == set(voc.dimensions["schulart"])
    s = h[h["variable"] == "schueler"]
    # published ausländisch and weiblich; deutsch and männlich derived
    assert set(s["nationalitaet"]) == {"insgesamt", "auslaendisch", "deutsch"}
    assert set(s["geschlecht"]) == {"insgesamt", "weiblich", "maennlich"}
    assert set(s["klassenstufe"]) == {"insgesamt", "7", "11"}
    # 3 regions x 12 Schularten x (schulen + 3 pupil columns + 2 derived + 2 Klassenstufen)
    assert len(h) == 3 * 12 * 8


def test_schueler_2025_flensburg_gymnasien(schueler_2025):
    # "2023;01001;      Flensburg, kreisfreie Stadt;Gymnasien;4;3537;1878;267;408;120"
    g = _pick(schueler_2025, ags="01001", schulart="gymnasium")
    assert _pick(g, variable="schulen")["value"].item() == 4
    s = _pick(g, variable="schueler")
    total = _pick(s, klassenstufe="insgesamt")
    assert _pick(total, geschlecht="insgesamt", nationalitaet="insgesamt")["value"].item() == 3537
    assert _pick(total, geschlecht="weiblich")["value"].item() == 1878
    assert _pick(total, nationalitaet="auslaendisch")["value"].item() == 267
    # 408 (7. Klassenstufe) and 120 (11. Jahrgangsstufe) are sub-counts, never a pupil total
    assert not total["value"].isin([408.0, 120.0]).any()
    assert _pick(s, klassenstufe="7")["value"].item() == 408
    assert _pick(s, klassenstufe="11")["value"].item() == 120


def test_schueler_2025_germany_totals(schueler_2025):
    # "2023;DG;Deutschland;Insgesamt;x;8819489;4327552;1359457;777644;265719"
    dg = _pick(schueler_2025, ags="DG", schulart="insgesamt")
    n = _pick(dg, variable="schulen")
    assert np.isnan(n["value"].item()) and n["status"].item() == "x"
    s = _pick(dg, variable="schueler", klassenstufe="insgesamt").set_index(
        ["geschlecht", "nationalitaet"])["value"]
    # 777644 pupils of the 7. Klassenstufe, 265719 of the 11. Jahrgangsstufe
    assert _pick(dg, variable="schueler", klassenstufe="7")["value"].item() == 777644
    assert _pick(dg, variable="schueler", klassenstufe="11")["value"].item() == 265719
    assert s[("insgesamt", "insgesamt")] == 8819489
    assert s[("insgesamt", "auslaendisch")] == 1359457
    # each Schulart is mapped once (none summed twice, none lost):
    # 28808+3098664+119201+333907+550067+771330+2280967+1148583+88050+344349+30473 = 8794399;
    # the published total 8819489 is larger (table note: Länder corrections are not in the parts)
    parts = _pick(schueler_2025, ags="DG", variable="schueler", geschlecht="insgesamt",
                  nationalitaet="insgesamt", klassenstufe="insgesamt")
    assert parts[parts["schulart"] != "insgesamt"]["value"].sum() == 8794399


# --------------------------------------------------------------------------------------------
# Tables the catalogue does not map: the error names the table and its labels


def test_berufliche_abgaenger_every_label_is_mapped():
    export = read(BERUFLICH_ABG)
    assert export.table_code == "21121-02-02-4"
    h = _strict(BERUFLICH_ABG)
    assert set(h["variable"]) == {"abgaenger_beruflich"}  # the memo column is not used
    assert set(h["abschluss"]) == {"insgesamt", "esa", "msa", "fhr", "ahr"}
    assert set(h["geschlecht"]) == {"insgesamt", "weiblich", "maennlich"}
    # 9 regions x 5 Abschlüsse x (Insgesamt, weiblich, männlich derived)
    assert len(h) == 9 * 5 * 3
    # "2023;01001;      Flensburg, kreisfreie Stadt;690;297;126;57;222;90;165;48;177;102;39;30"
    fl = _pick(h, ags="01001").set_index(["abschluss", "geschlecht"])["value"]
    assert fl[("insgesamt", "insgesamt")] == 690 and fl[("insgesamt", "weiblich")] == 297
    assert fl[("esa", "insgesamt")] == 126 and fl[("msa", "weiblich")] == 90
    assert fl[("fhr", "insgesamt")] == 165 and fl[("ahr", "insgesamt")] == 177
    assert fl[("ahr", "maennlich")] == 177 - 102
    # the four Abschlüsse make the total: 126 + 222 + 165 + 177 = 690
    assert fl.xs("insgesamt", level="geschlecht").drop("insgesamt").sum() == 690
    # 03152 Göttingen (dissolved): "-" everywhere
    goe = _pick(h, ags="03152")
    assert (goe["status"] == "-").all() and (goe["value"] == 0).all()


def test_22541_01_01_4_is_the_old_table_until_2002_and_is_not_taken_for_kita_data():
    export = read(KITA_BIS_2002)
    assert export.table_code == "22541-01-01-4"
    assert "bis 2002" in export.title and "Stichtag 31.12." in export.title
    # "31.12.2002;DG;Deutschland;48017;28406;3494;799;15318;3142497;..."
    dg = export.facts[(export.facts["ags"] == "DG")
                      & (export.facts["variable"] == "Tageseinrichtungen für Kinder")]
    assert dg["value"].iloc[0] == 48017 and set(dg["year"]) == {2002}
    # the catalogue takes Kita data from 22541-01-04-4 and 22543-*: the old code has no mapping
    with pytest.raises(InputError, match=r"table '22541-01-01-4' has no table mapping.*"
                                         r"'Tageseinrichtungen für Kinder'"):
        harmonize(export)


# --------------------------------------------------------------------------------------------
# 12411-02-03-4: the age labels of the real table (via the derived population file)


@pytest.fixture(scope="module")
def population_raw(shared_data) -> pd.DataFrame:
    """DG and München rows of the derived file, in the real table's layout.

    The real 12411-02-03-4 download has the Altersgruppe as a row label beside the region
    (``31.12.2023;DG;Deutschland;unter 3 Jahre;<insgesamt>;<männlich>;<weiblich>``), which the
    readers name ``merkmal``; columns Insgesamt / männlich / weiblich.
    """
    pop = pd.read_csv(shared_data / POPULATION, sep=";", dtype=str, keep_default_na=False)
    pop = pop[pop["region_code"].isin(["DG", "09162"])]
    long = pop.melt(id_vars=["jahr", "region_code", "altersgruppe"],
                    value_vars=["insgesamt", "maennlich", "weiblich"], var_name="g")
    return pd.DataFrame({
        "ags": long["region_code"], "year": long["jahr"].astype(int),
        "variable": "Bevölkerungsstand", "merkmal": long["altersgruppe"],
        "geschlecht": long["g"].map({"insgesamt": "Insgesamt", "maennlich": "männlich",
                                     "weiblich": "weiblich"}),
        "value": pd.to_numeric(long["value"]), "status": "", "source": "12411-02-03-4",
    }).reset_index(drop=True)


def test_population_age_labels_all_map(population_raw):
    labels = set(population_raw["merkmal"])
    assert len(labels) == 18
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmappedLabelWarning)
        h = harmonize(population_raw, strict=True)
    expected = ["insgesamt", "0-3", "3-6", "6-10", "10-15", "15-18", "18-20", "20-25", "25-30",
                "30-35", "35-40", "40-45", "45-50", "50-55", "55-60", "60-65", "65-75", "75+"]
    assert sorted(set(h["altersgruppe"])) == sorted(expected)
    assert len(h) == len(population_raw)


def test_population_numbers_after_harmonisation(population_raw):
    h = harmonize(population_raw, strict=True)
    v = h.set_index(["ags", "year", "altersgruppe", "geschlecht"])["value"]
    # SOURCES.md: Deutschland unter 3 Jahre 31.12.2023 = 2,222,340; 31.12.2024 = 2,118,482
    assert v[("DG", 2023, "0-3", "insgesamt")] == 2222340
    assert v[("DG", 2024, "0-3", "insgesamt")] == 2118482
    # row "2023;DG;Deutschland;DE;DG;unter 3 Jahre;2222340;1139464;1082876"
    assert v[("DG", 2023, "0-3", "maennlich")] == 1139464
    # SOURCES.md: München (09162) Insgesamt 31.12.2024 = 1,505,005 = sum of the 17 groups
    assert v[("09162", 2024, "insgesamt", "insgesamt")] == 1505005
    groups = h[(h["ags"] == "09162") & (h["year"] == 2024) & (h["geschlecht"] == "insgesamt")
               & (h["altersgruppe"] != "insgesamt")]
    assert len(groups) == 17 and groups["value"].sum() == 1505005


def test_population_age_column_named_altersgruppen_maps_too(population_raw):
    # the sample's layout names the column after its header label "Altersgruppen (...)"
    raw = population_raw.rename(columns={"merkmal": "altersgruppen_unter_3_bis_75_u_m"})
    h = harmonize(raw, strict=True)
    assert _pick(h, ags="DG", year=2023, altersgruppe="75+", geschlecht="insgesamt")[
        "value"].item() == pd.to_numeric(population_raw.loc[
            (population_raw["ags"] == "DG") & (population_raw["year"] == 2023)
            & (population_raw["merkmal"] == "75 Jahre und mehr")
            & (population_raw["geschlecht"] == "Insgesamt"), "value"]).item()


# --------------------------------------------------------------------------------------------
# Label variants seen in real files of other layouts


def test_studierende_im_kreisgebiet_label_of_the_flat_download():
    # value variable HS-W02 "Studierende (im Kreisgebiet)" of the 21311-01-01-4 flat download
    raw = pd.DataFrame({"ags": ["14612", "14612"], "year": 2015,
                        "variable": "Studierende (im Kreisgebiet)",
                        "geschlecht": ["Insgesamt", "weiblich"], "value": [40500.0, 17800.0],
                        "status": "", "source": "21311-01-01-4"})
    h = harmonize(raw, strict=True)
    assert h[["variable", "geschlecht", "value"]].values.tolist() == [
        ["studierende", "insgesamt", 40500.0], ["studierende", "weiblich", 17800.0],
        ["studierende", "maennlich", 22700.0]]


def test_shared_real_folders_load_strictly(shared_data):
    # what `bimokit compute --data …/genesis_examples` and `…/genesis_flat` read: no label unused
    for folder in ("genesis_examples", "genesis_flat"):
        ds = load_data(shared_data / folder, strict=True)
        assert len(ds.facts) > 0
        assert (ds.files["rows"] > 0).all(), folder
