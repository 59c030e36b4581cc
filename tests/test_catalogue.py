"""The indicator catalogue, its validation, and the table mappings (harmonize)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from bimokit.catalogue import catalogue_table, load_catalogue, load_vocabulary
from bimokit.computation import compute
from bimokit.errors import CatalogueError, InputError
from bimokit.harmonization import UnmappedLabelWarning, harmonize, load_table_mappings

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "bimokit" / "catalogue"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


# --------------------------------------------------------------------------------------------
# The shipped catalogue


def test_catalogue_has_40_indicators_and_three_per_handlungsfeld(cat):
    assert len(cat) >= 40
    counts = pd.Series([i.handlungsfeld for i in cat]).value_counts()
    for hf in "ABCDEFGH":
        assert counts.get(hf, 0) >= 3, f"Handlungsfeld {hf} has {counts.get(hf, 0)} indicators"
    assert set(counts.index) <= set(load_catalogue().handlungsfelder)


@pytest.mark.parametrize("pattern", [
    r"Anteil der Kinder unter 3 Jahren", r"^Jugendquotient$", r"^Altenquotient$",
    r"Ausländeranteil an der Bevölkerung", r"SGB-II-Quote der unter 15", r"Betreuungsquote "
    r"der Kinder unter 3", r"Betreuungsquote der Kinder von 3 bis unter 6",
    r"ganztägig betreuter", r"Schülerinnen und Schüler an Gymnasien",
    r"Übergangsquote von der Grundschule auf das Gymnasium", r"ohne Ersten Schulabschluss",
    r"allgemeiner Hochschulreife", r"Ausländeranteil an allgemeinbildenden Schulen",
    r"Auszubildende je 1.000 Einwohner von 15 bis unter 25", r"^Studierende",
    r"VHS-Belegungen je 1.000", r"Kinder je pädagogisch tätige Person",
    r"Schülerinnen und Schüler je allgemeinbildende Schule",
])
def test_catalogue_has_the_indicators_every_report_has(cat, pattern):
    assert any(re.search(pattern, i.title) for i in cat), pattern


def test_school_leaver_shares_offer_sex_and_nationality(cat):
    for iid in ("D4.1", "D4.5"):
        assert {"geschlecht", "nationalitaet"} <= set(cat[iid].breakdowns)
        assert cat[iid].kind == "share" and cat[iid].unit == "%" and cat[iid].scale == 100
    assert cat["D4.1"].direction == -1 and cat["D4.5"].direction == 1


def test_auszubildende_denominator_sums_the_three_age_groups(cat):
    (den,) = cat["E2.1"].denominator
    assert den.variable == "bevoelkerung"
    assert den.filter_dict == {"altersgruppe": ("15-18", "18-20", "20-25")}
    assert cat["E2.1"].scale == 1000 and cat["E2.1"].kind == "rate"


def test_betreuungsquote_sums_kita_and_tagespflege(cat):
    assert [t.variable for t in cat["C1.1"].numerator] == ["kita_kinder", "tagespflege_kinder"]


def test_catalogue_table_columns_and_content(cat):
    t = catalogue_table(cat)
    for col in ("id", "handlungsfeld", "title", "unit", "direction", "source_tables"):
        assert col in t.columns
    assert len(t) == len(cat)
    assert t["id"].is_unique
    row = t.set_index("id").loc["E2.1"]
    assert row["numerator"] == "auszubildende"
    assert row["denominator"] == "bevoelkerung[altersgruppe=15-18+18-20+20-25]"
    assert row["source_tables"] == "21211-01-01-4, 12411-02-03-4"
    assert set(t["direction"].unique()) <= {1, -1, 0}


# --------------------------------------------------------------------------------------------
# Validation: one test per kind of error; the message names the entry

GOOD = """
[[indicator]]
id = "X1.1"
handlungsfeld = "D"
title = "Testanteil"
definition = "Definition."
interpretation = "Lesehilfe."
kind = "share"
numerator = { variable = "abgaenger", filters = { abschluss = "ohne_esa" } }
denominator = { variable = "abgaenger" }
scale = 100
unit = "%"
direction = -1
breakdowns = ["geschlecht"]
source_tables = ["21111-02-06-4"]
"""


def _write(tmp_path: Path, text: str, name: str = "cat.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_good_entry_loads(tmp_path):
    cat = load_catalogue(_write(tmp_path, GOOD))
    assert cat.ids == ["X1.1"]
    assert cat["X1.1"].numerator[0].filter_dict == {"abschluss": ("ohne_esa",)}


@pytest.mark.parametrize(("old", "new", "message"), [
    ('variable = "abgaenger", filters', 'variable = "abgänger", filters',
     "Indicator 'X1.1': numerator uses unknown variable 'abgänger'"),
    ('abschluss = "ohne_esa"', 'abschlus = "ohne_esa"',
     "Indicator 'X1.1': numerator filter 'abschlus' is an unknown dimension"),
    ('abschluss = "ohne_esa"', 'altersgruppe = "0-3"',
     "Indicator 'X1.1': numerator filter 'altersgruppe' is a dimension that variable "
     "'abgaenger' does not have"),
    ('abschluss = "ohne_esa"', 'abschluss = "ohne_hsa"',
     "Indicator 'X1.1': numerator filter 'abschluss' has unknown code(s) 'ohne_hsa'"),
    ("direction = -1", "direction = 2",
     "Indicator 'X1.1': direction must be 1, -1 or 0, not 2"),
    ("scale = 100", "scale = 0", "Indicator 'X1.1': scale must be a positive number, not 0"),
    ("scale = 100", "scale = 1000", "Indicator 'X1.1': unit '%' needs scale 100, not 1000"),
    ('kind = "share"', 'kind = "quote"', "Indicator 'X1.1': kind must be one of"),
    ('handlungsfeld = "D"', 'handlungsfeld = "Z"', "Indicator 'X1.1': handlungsfeld must be"),
    ('unit = "%"\n', "", "Indicator 'X1.1': missing required field 'unit'"),
    ('denominator = { variable = "abgaenger" }\n', "",
     "Indicator 'X1.1': missing required field 'denominator' (kind 'share')"),
    ('breakdowns = ["geschlecht"]', 'breakdowns = ["schulart"]',
     "Indicator 'X1.1': breakdown 'schulart' is not a dimension of numerator variable"),
    ('source_tables = ["21111-02-06-4"]', 'source_tables = []',
     "Indicator 'X1.1': source_tables must be a non-empty list"),
    ("direction = -1", "direction = -1\ndirektion = 1",
     "Indicator 'X1.1': unknown field(s) 'direktion'"),
])
def test_validation_error_names_the_entry(tmp_path, old, new, message):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_id_names_the_entry_by_position(tmp_path):
    path = _write(tmp_path, GOOD + GOOD.replace('id = "X1.1"\n', ""))
    with pytest.raises(CatalogueError, match=r"Indicator #2: missing required field 'id'"):
        load_catalogue(path)


def test_count_must_not_have_a_denominator(tmp_path):
    text = GOOD.replace('kind = "share"', 'kind = "count"').replace('unit = "%"', 'unit = "x"')
    with pytest.raises(CatalogueError, match="Indicator 'X1.1': a count has no denominator"):
        load_catalogue(_write(tmp_path, text))


def test_duplicate_id_within_a_file(tmp_path):
    with pytest.raises(CatalogueError, match="Indicator 'X1.1': duplicate id"):
        load_catalogue(_write(tmp_path, GOOD + GOOD))


def test_duplicate_id_between_catalogue_and_extra(tmp_path):
    extra = _write(tmp_path, GOOD.replace('"X1.1"', '"D4.1"'), "kommune.toml")
    with pytest.raises(CatalogueError, match="Indicator 'D4.1': duplicate id, defined in .*"
                                             "indicators.toml and again in .*kommune.toml"):
        load_catalogue(extra=[extra])


def test_toml_syntax_error_names_the_file(tmp_path):
    path = _write(tmp_path, GOOD.replace('title = "Testanteil"', 'title = "Testanteil'))
    with pytest.raises(CatalogueError, match=re.escape(str(path)) + ": not valid TOML"):
        load_catalogue(path)


def test_kommune_adds_an_indicator_by_a_toml_entry(tmp_path, cat):
    extra = _write(tmp_path, GOOD, "kommune.toml")
    both = load_catalogue(extra=[extra])
    assert len(both) == len(cat) + 1
    assert both.ids[-1] == "X1.1"
    facts = pd.DataFrame({
        "ags": "01001", "year": 2015, "variable": "abgaenger",
        "abschluss": ["insgesamt", "ohne_esa"], "value": [1302.0, 111.0], "status": "",
    })
    v = compute(facts, ["X1.1"], catalogue=both)
    # 111 / 1302 * 100 = 8.5253456...
    assert v["value"].item() == pytest.approx(111 / 1302 * 100, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Vocabulary and table mappings


def test_vocabulary_matches_the_data_contract():
    voc = load_vocabulary()
    assert voc.dimensions["abschluss"] == ("insgesamt", "ohne_esa", "esa", "msa", "fhr", "ahr")
    assert voc.variables["schueler"] == ("schulart", "geschlecht", "nationalitaet", "klassenstufe")
    assert voc.variables["kita_kinder"] == ("altersgruppe", "betreuungsumfang")
    assert "einkommen_je_einwohner" in voc.non_additive


def test_mappings_cover_the_required_table_codes():
    maps = load_table_mappings()
    for code in ("12411-01-01-4", "12411-02-03-4", "12411-03-03-4", "21111-01-03-4",
                 "21111-02-06-4", "21111-04-01-4", "21121-01-02-4", "21211-01-01-4",
                 "21211-02-01-4", "21311-01-01-4", "22541-01-04-4", "22543-01-03-4",
                 "22543-03-01-4", "22543-04-01-4", "82411-01-03-4"):
        assert code in maps, code
    # the tables that end in 2002 and 2010 are not taken for current Kita data
    assert "22541-01-01-4" not in maps and "22543-01-01-4" not in maps


def test_mapping_to_an_unknown_code_names_table_and_column(tmp_path):
    path = _write(tmp_path, """
[tables."99999-01-01-4"]
variables = { "Absolventen/Abgänger" = "abgaenger" }
[tables."99999-01-01-4".dimensions.schulabschluss]
to = "abschluss"
labels = { "ohne Abschluss" = "ohne_hauptschulabschluss" }
""", "tables.toml")
    with pytest.raises(CatalogueError, match=r"table '99999-01-01-4', column 'schulabschluss', "
                                             r"label 'ohne Abschluss': 'ohne_hauptschulabschluss'"
                                             r" is not a code of abschluss"):
        load_table_mappings(path)


def _raw_abgaenger(labels, geschlecht, values, code="21111-02-06-4"):
    return pd.DataFrame({
        "ags": "01001", "year": 2015, "variable": "Absolventen/Abgänger",
        "schulabschluss": labels, "geschlecht": geschlecht, "value": values, "status": "",
        "source": code,
    })


def test_old_and_new_labels_harmonise_to_the_same_codes():
    old = _raw_abgaenger(
        ["Insgesamt", "ohne Hauptschulabschluss", "mit Hauptschulabschluss",
         "mit Mittlerem Abschluss", "mit Fachhochschulreife", "mit allgemeiner Hochschulreife"],
        "Insgesamt", [100.0, 5, 20, 40, 1, 34])
    new = _raw_abgaenger(
        ["Insgesamt", "ohne Ersten Schulabschluss", "mit Erstem Schulabschluss",
         "mit mittlerem Schulabschluss", "mit Fachhochschulreife",
         "mit allgemeiner Hochschulreife"],
        "Insgesamt", [100.0, 5, 20, 40, 1, 34])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h_old, h_new = harmonize(old), harmonize(new)
    assert h_old["abschluss"].tolist() == h_new["abschluss"].tolist() == [
        "insgesamt", "ohne_esa", "esa", "msa", "fhr", "ahr"]
    assert h_old["variable"].unique().tolist() == ["abgaenger"]


def test_davon_row_is_dropped_not_summed():
    raw = _raw_abgaenger(
        ["Insgesamt", "mit Mittlerem Abschluss", "dar. schulischer Teil der Fachhochschulreife"],
        "Insgesamt", [1302.0, 440.0, 89.0])
    h = harmonize(raw)
    assert h["abschluss"].tolist() == ["insgesamt", "msa"]
    # msa stays 440: the 89 "darunter" are part of it, not added
    assert h.loc[h["abschluss"] == "msa", "value"].item() == 440.0


def test_auslaender_in_the_geschlecht_row_becomes_nationalitaet():
    raw = _raw_abgaenger(["Insgesamt"] * 3, ["Insgesamt", "weiblich", "Ausländer(innen)"],
                         [1302.0, 664.0, 90.0])
    h = harmonize(raw, complements=False)
    got = h[["geschlecht", "nationalitaet", "value"]].values.tolist()
    assert got == [["insgesamt", "insgesamt", 1302.0], ["weiblich", "insgesamt", 664.0],
                   ["insgesamt", "auslaendisch", 90.0]]
    # with the complements (the default): männlich 1302 − 664, deutsch 1302 − 90
    got = harmonize(raw)[["geschlecht", "nationalitaet", "value"]].values.tolist()[3:]
    assert got == [["maennlich", "insgesamt", 638.0], ["insgesamt", "deutsch", 1212.0]]


def test_unmapped_label_warns_with_the_labels_and_strict_raises():
    raw = _raw_abgaenger(["Insgesamt", "mit Abitur", "mit Abitur"], ["Insgesamt", "Insgesamt",
                                                                      "weiblich"],
                         [10.0, 3.0, 2.0])
    with pytest.warns(UnmappedLabelWarning,
                      match=r"table '21111-02-06-4'.*column 'schulabschluss': 'mit Abitur' "
                            r"\(2 rows\)"):
        h = harmonize(raw)
    assert h["abschluss"].tolist() == ["insgesamt"]
    with pytest.raises(InputError, match="'mit Abitur'"):
        harmonize(raw, strict=True)


def test_unmapped_variable_label_is_reported():
    raw = _raw_abgaenger(["Insgesamt"], ["Insgesamt"], [10.0])
    raw["variable"] = "Absolventen mit Migrationshintergrund"
    with pytest.warns(UnmappedLabelWarning, match="variable: 'Absolventen mit Migration"):
        h = harmonize(raw)
    assert h.empty


def test_klassenstufe_is_a_breakdown_beside_the_total():
    raw = pd.DataFrame({
        "ags": "01001", "year": 2015,
        "variable": "Schüler(innen) an allgemein bildenden Schulen",
        "merkmal": "Gymnasien", "geschlecht": "Insgesamt", "nationalitaet": "Insgesamt",
        "klassenstufe_jahrgangsstufe_schulbesuchsjahr": ["Insgesamt", "7. Klassenstufe"],
        "value": [3672.0, 363.0], "status": "", "source": "21111-01-03-4",
    })
    h = harmonize(raw)
    # 363 pupils of the 7. Klassenstufe are a sub-count of the 3672, never a pupil total
    assert h[["variable", "schulart", "klassenstufe", "value"]].values.tolist() == [
        ["schueler", "gymnasium", "insgesamt", 3672.0], ["schueler", "gymnasium", "7", 363.0]]


def test_labels_mapped_to_one_code_are_summed_with_status():
    raw = pd.DataFrame({
        "ags": "01001", "year": 2015, "variable": "Schüler(innen) an beruflichen Schulen",
        "merkmal": ["Berufsvorbereitungsjahr", "Berufsgrundbildungsjahr"],
        "geschlecht": "Insgesamt", "nationalitaet": "Insgesamt",
        "value": [120.0, 30.0], "status": ["", "p"], "source": "21121-01-02-4",
    })
    h = harmonize(raw)
    assert h[["schulart_beruflich", "value", "status"]].values.tolist() == [
        ["uebergangssystem", 150.0, "p"]]


def test_unknown_table_with_unknown_variables_is_an_input_error():
    raw = _raw_abgaenger(["Insgesamt"], ["Insgesamt"], [1.0], code="12345-01-01-4")
    with pytest.raises(InputError, match="table '12345-01-01-4' has no table mapping"):
        harmonize(raw)


def test_tidy_facts_pass_through_with_codes_checked():
    tidy = pd.DataFrame({"ags": "99", "year": 2020, "variable": "vhs_belegungen",
                         "geschlecht": ["insgesamt", "weiblich", "divers"],
                         "value": [10.0, 6.0, 1.0], "status": "", "source": "vhs.csv"})
    with pytest.warns(UnmappedLabelWarning, match="'divers' \\(1 rows\\)"):
        h = harmonize(tidy, complements=False)
    assert h["geschlecht"].tolist() == ["insgesamt", "weiblich"]
    assert h["source"].unique().tolist() == ["vhs.csv"]


def test_real_exports_harmonise_without_unmapped_labels(shared_data):
    from bimokit.io import read

    for f in sorted((shared_data / "genesis_examples").glob("*.csv")) + sorted(
            (shared_data / "genesis_flat").glob("*.csv")):
        h = harmonize(read(f), strict=True)
        assert len(h) > 0, f
        assert h["file"].eq(str(f)).all()
    h = harmonize(read(shared_data / "genesis_examples" / "21111-02-06-4_stand-2017.csv"))
    dg = h[(h["ags"] == "DG") & (h["geschlecht"] == "insgesamt")].set_index("abschluss")
    # SOURCES.md: Deutschland 2015: 846,423 Absolventen/Abgänger, 47,435 ohne Hauptschulabschluss
    assert dg.loc["insgesamt", "value"] == 846423
    assert dg.loc["ohne_esa", "value"] == 47435
    assert str(h["stand"].iloc[0]) == "2017-12-15"


def test_the_catalogue_is_the_one_source_of_chapter_facts():
    # Handlungsfeld titles, main indicators, structural zeros, Sozialindex defaults and subject
    # phrases are catalogue data; nothing about an indicator is repeated in Python
    cat = load_catalogue()
    assert list(cat.handlungsfelder) == list("ABCDEFGHS")
    assert cat.handlungsfelder["D"].chapter_title == "Allgemeinbildende Schulen"
    assert cat.handlungsfelder["D"].main_indicators[0] == "D4.1"
    assert cat.handlungsfelder["F"].structural_zero["marker"] == "F1.1"
    assert cat.sozialindex["sozialraum"] == {"A2.1": 1, "C3.1": 1, "D3.1": -1}
    assert cat.similar_context == ("A2.1", "A1.11", "A1.8")
    assert cat["A1.1"].subject == ("die Einwohnerzahl", "f")
    import bimokit.chapters as chapters

    assert not (Path(chapters.__file__).parent / "_config.py").exists()


@pytest.mark.parametrize("snippet, message", [
    ('[handlungsfeld.A]\nname = "X"\nchapter_title = "X"\nmain_indicators = ["Z9.9"]\n',
     "Handlungsfeld 'A'.*Unknown indicator 'Z9.9'"),
    ('[handlungsfeld.A]\nname = "X"\nmain_indicators = []\n',
     "Handlungsfeld 'A'.*missing field.*chapter_title"),
    ('[handlungsfeld.A]\nname = "X"\nchapter_title = "X"\nmain_indicators = []\n'
     '[sozialindex]\nkreis = { "A1.1" = 2, "A1.2" = 1 }\n',
     "Sozialindex 'kreis'.*direction of 'A1.1' must be 1 or -1, not 2"),
])
def test_catalogue_settings_are_checked_with_the_entry_named(tmp_path, snippet, message):
    import re

    from bimokit.errors import CatalogueError

    src = (Path(load_catalogue().files[0])).read_text(encoding="utf-8")
    entries = src.split("\n[[indicator]]\n")[1:]
    body = "".join("\n[[indicator]]\n" + e for e in entries if 'handlungsfeld = "A"' in e)
    path = tmp_path / "katalog.toml"
    path.write_text(snippet + "\n" + body, encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.compile(message, re.S)):
        load_catalogue(path)


def test_a_mean_needs_a_published_non_additive_variable(tmp_path):
    text = (GOOD.replace('kind = "share"', 'kind = "mean"')
            .replace('denominator = { variable = "abgaenger" }\n', "")
            .replace('breakdowns = ["geschlecht"]', "breakdowns = []")
            .replace("scale = 100", "scale = 1"))
    with pytest.raises(CatalogueError, match="Indicator 'X1.1': a mean needs a published value "
                                             "that is never summed; variable 'abgaenger'"):
        load_catalogue(_write(tmp_path, text))
    # a published quota: a mean in %, with scale 1 and a breakdown the table publishes
    ok = text.replace('variable = "abgaenger", filters = { abschluss = "ohne_esa" }',
                      'variable = "betreuungsquote", filters = { altersgruppe = "0-3" }')
    ok = ok.replace("breakdowns = []", 'breakdowns = ["betreuungsart"]')
    cat = load_catalogue(_write(tmp_path, ok, "ok.toml"))
    assert cat["X1.1"].unit == "%" and cat["X1.1"].scale == 1
    assert cat["X1.1"].breakdowns == ("betreuungsart",)
