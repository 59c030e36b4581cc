"""Table mappings as normalised label patterns: renames between editions, -B variants, warnings.

The renames below are the ones the statistical offices made between editions of the tables the
catalogue uses; the real editions are in ``../shared/data/genesis_examples`` (Stand 2017) and
``tests/data/real`` (Stand 2025, see SOURCES.md there).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bimokit.data import load_data
from bimokit.errors import CatalogueError, InputError
from bimokit.harmonization import (
    LabelPatterns,
    UnmappedLabelWarning,
    base_table_code,
    find_table_mapping,
    harmonize,
    load_table_mappings,
    normalize_label,
)
from bimokit.io import read

REAL = Path(__file__).parent / "data" / "real"
MAPS = load_table_mappings()


# --------------------------------------------------------------------------------------------
# Normalisation


@pytest.mark.parametrize(("a", "b"), [
    ("Schüler(innen) an allgemein bildenden Schulen",
     "Schüler/-innen an allgemein bildenden Schulen"),
    ("Schülerinnen und Schüler", "Schüler(innen)"),
    ("Schüler und Schülerinnen", "SchülerInnen"),
    ("Schüler*innen", "Schüler:innen"),
    ("Ausländerinnen und Ausländer", "Ausländer(innen)"),
    ("Absolventinnen und Absolventen", "Absolventen"),
    ("Deutsche(r)", "deutsche"),
    ("GROSSSTADT", "Großstadt"),
    ("  mit   Mittlerem  Abschluss ", "mit mittlerem Abschluss"),
    ("dar. schulischer Teil", "dar schulischer Teil"),
])
def test_labels_that_normalise_alike(a, b):
    assert normalize_label(a) == normalize_label(b)


@pytest.mark.parametrize(("a", "b"), [
    ("weiblich", "männlich"),
    ("Schülerinnen", "Schüler"),  # the female count alone is not the total
    ("mit Fachhochschulreife", "mit allgemeiner Hochschulreife"),
])
def test_labels_that_stay_apart(a, b):
    assert normalize_label(a) != normalize_label(b)


@given(st.text(max_size=40))
def test_normalisation_is_idempotent(text):
    once = normalize_label(text)
    assert normalize_label(once) == once


def test_pattern_order_first_match_wins_and_labels_before_patterns():
    p = LabelPatterns({"re:.*hochschulreife": "b", "re:mit fachhochschulreife": "a",
                       "mit Fachhochschulreife": "c"})
    # the plain label is tried before any pattern; among patterns the first one wins
    assert p.lookup("MIT Fachhochschulreife") == "c"
    assert p.lookup("mit fachhochschulreife (FHR)") is None
    assert p.lookup("mit allgemeiner Hochschulreife") == "b"


def test_bad_pattern_names_table_and_column(tmp_path):
    path = tmp_path / "tables.toml"
    path.write_text("""
[tables."99999-01-01-4"]
variables = { "Absolventen/Abgänger" = "abgaenger" }
[tables."99999-01-01-4".dimensions.schulabschluss]
to = "abschluss"
labels = { "re:(ohne" = "ohne_esa" }
""", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"table '99999-01-01-4', column 'schulabschluss'"
                                             r".*'re:\(ohne' is not a regular expression"):
        load_table_mappings(path)


# --------------------------------------------------------------------------------------------
# One test per rename between editions


@pytest.mark.parametrize(("table", "column", "old", "new", "code"), [
    # Hauptschulabschluss → Erster Schulabschluss (from 2020 on in the statistics)
    ("21111-02-06-4", "schulabschluss", "ohne Hauptschulabschluss", "ohne Ersten Schulabschluss",
     "ohne_esa"),
    ("21111-02-06-4", "schulabschluss", "mit Hauptschulabschluss", "mit Erstem Schulabschluss",
     "esa"),
    ("21111-02-06-4", "schulabschluss", "mit Hauptschulabschluss", "Erster Schulabschluss",
     "esa"),
    ("21111-02-06-4", "schulabschluss", "ohne Hauptschulabschluss",
     "ohne ersten allgemeinbildenden Schulabschluss", "ohne_esa"),
    # Mittlerer Abschluss → mittlerer Schulabschluss
    ("21111-02-06-4", "schulabschluss", "mit Mittlerem Abschluss", "mit mittlerem Abschluss",
     "msa"),
    ("21111-02-06-4", "schulabschluss", "mit Mittlerem Abschluss", "Mittlerer Schulabschluss",
     "msa"),
    # allgemeine Hochschulreife → Allgemeine und fachgebundene Hochschulreife
    ("21111-02-06-4", "schulabschluss", "mit allgemeiner Hochschulreife",
     "mit Allgemeiner und fachgebundener Hochschulreife", "ahr"),
    ("21111-02-06-4", "schulabschluss", "mit allgemeiner Hochschulreife",
     "Allgemeine und fachgebundene Hochschulreife", "ahr"),
    # the unlabelled Abschluss row of the Stand-2025 edition, named by its top header
    ("21111-02-06-4", "absolvierende_abgehende_allgemeinbildender_schulen_nach_dem_abschluss",
     "mit Fachhochschulreife", "Fachhochschulreife", "fhr"),
    # Ausländer(innen) (Stand 2017) → ausländisch (Stand 2025), in the Nationalität row
    ("21111-01-03-4", "nationalitaet", "Ausländer(innen)", "ausländisch", "auslaendisch"),
    ("21111-01-03-4", "nationalitaet", "Ausländer/-innen", "Ausländerinnen und Ausländer",
     "auslaendisch"),
    # Sonderschulen/Förderschulen → Förderschulen
    ("21111-01-03-4", "merkmal", "Sonderschulen/Förderschulen", "Förderschulen", "foerderschule"),
    ("21111-01-03-4", "merkmal", "Integrierte Gesamtschulen", "Gesamtschulen, integrierte",
     "gesamtschule"),
    # Altersgruppen: "Jahre"/"Jahren", "Kinder im Alter von …"
    ("12411-02-03-4", "altersgruppen", "unter 3 Jahre", "Kinder im Alter von unter 3 Jahren",
     "0-3"),
    ("12411-02-03-4", "altersgruppen", "75 Jahre und mehr", "75 Jahre und älter", "75+"),
])
def test_dimension_label_rename(table, column, old, new, code):
    dim = MAPS[table].find(column).to
    assert MAPS[table].code_of(column, old)[1] == code
    assert MAPS[table].code_of(column, new)[1] == code
    assert MAPS[table].code_of(column, new)[0] in {dim, "nationalitaet", "geschlecht"}


@pytest.mark.parametrize(("table", "old", "new", "variable"), [
    # Absolventen/Abgänger → Absolvierende/Abgehende
    ("21111-02-06-4", "Absolventen/Abgänger", "Absolvierende/Abgehende", "abgaenger"),
    ("21111-02-06-4", "Absolventen/Abgänger (Anzahl)", "Absolvierende/Abgehende (Anzahl)",
     "abgaenger"),
    # Schüler(innen) → Schülerinnen und Schüler; allgemein bildend → allgemeinbildend
    ("21111-01-03-4", "Schüler(innen) an allgemein bildenden Schulen",
     "Schülerinnen und Schüler an allgemeinbildenden Schulen", "schueler"),
    ("21111-01-03-4", "Allgemein bildende Schulen", "Allgemeinbildende Schulen", "schulen"),
    ("21121-01-02-4", "Schüler(innen) an beruflichen Schulen",
     "Schülerinnen und Schüler an beruflichen Schulen", "schueler_beruflich"),
    # Studienanfänger/-innen → Studienanfängerinnen und -anfänger
    ("21311-01-01-4", "Studienanfänger/-innen im 1. Hochschulsemester",
     "Studienanfängerinnen und -anfänger im 1. Hochschulsemester", "studienanfaenger"),
    ("21311-01-01-4", "Studierende", "Studierende (im Kreisgebiet)", "studierende"),
    ("82411-01-03-4", "verfüg. Einkommen der priv. Haushalte je Einwohner",
     "Verfügbares Einkommen der privaten Haushalte je Einwohner", "einkommen_je_einwohner"),
])
def test_measure_label_rename(table, old, new, variable):
    assert MAPS[table].variables.lookup(old) == variable
    assert MAPS[table].variables.lookup(new) == variable


def test_old_and_new_wording_harmonise_to_the_same_facts():
    def raw(measure, abschluesse, nat):
        return pd.DataFrame({
            "ags": "01001", "year": 2015, "variable": measure,
            "schulabschluss": ["Insgesamt", *abschluesse, "Insgesamt"],
            "geschlecht": ["Insgesamt"] * 5 + [nat], "value": [100.0, 5, 20, 40, 35, 7],
            "status": "", "source": "21111-02-06-4"})

    old = raw("Absolventen/Abgänger", ["ohne Hauptschulabschluss", "mit Hauptschulabschluss",
                                       "mit Mittlerem Abschluss",
                                       "mit allgemeiner Hochschulreife"], "Ausländer(innen)")
    new = raw("Absolvierende/Abgehende", ["ohne Ersten Schulabschluss", "Erster Schulabschluss",
                                          "mit mittlerem Schulabschluss",
                                          "Allgemeine und fachgebundene Hochschulreife"],
              "ausländisch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h_old = harmonize(old, strict=True, complements=False)
        h_new = harmonize(new, strict=True, complements=False)
    cols = ["variable", "abschluss", "geschlecht", "nationalitaet", "value"]
    assert h_old[cols].values.tolist() == h_new[cols].values.tolist() == [
        ["abgaenger", "insgesamt", "insgesamt", "insgesamt", 100.0],
        ["abgaenger", "ohne_esa", "insgesamt", "insgesamt", 5.0],
        ["abgaenger", "esa", "insgesamt", "insgesamt", 20.0],
        ["abgaenger", "msa", "insgesamt", "insgesamt", 40.0],
        ["abgaenger", "ahr", "insgesamt", "insgesamt", 35.0],
        ["abgaenger", "insgesamt", "insgesamt", "auslaendisch", 7.0],
    ]


def test_darunter_rows_are_dropped_in_every_wording():
    raw = pd.DataFrame({
        "ags": "01001", "year": 2015, "variable": "Absolventen/Abgänger",
        "schulabschluss": ["Insgesamt", "mit Mittlerem Abschluss",
                           "dar. schulischer Teil der Fachhochschulreife",
                           "darunter schulischer Teil der Fachhochschulreife"],
        "value": [1302.0, 440.0, 89.0, 89.0], "status": "", "source": "21111-02-06-4"})
    h = harmonize(raw, strict=True)
    assert h[["abschluss", "value"]].values.tolist() == [["insgesamt", 1302.0], ["msa", 440.0]]


def test_real_editions_of_21111_01_03_4_give_the_same_codes(shared_data):
    # Stand 2017 (school year 2015): "Schüler(innen) an allgemein bildenden Schulen",
    # "Ausländer(innen)"; Stand 2025 (2023): "Schülerinnen und Schüler an allgemeinbildenden
    # Schulen", "ausländisch"
    old = shared_data / "genesis_examples" / "21111-01-03-4_stand-2017.csv"
    ds = load_data([old, REAL / "21111-01-03-4_stand-2025.csv"], strict=True)
    s = ds.facts[ds.facts["variable"] == "schueler"]
    for col in ("schulart", "geschlecht", "nationalitaet", "klassenstufe"):
        by_year = s.groupby("year")[col].agg(lambda x: sorted(set(x)))
        assert by_year[2015] == by_year[2023], col
    dg = s[(s["ags"] == "DG") & (s["schulart"] == "grundschule")
           & (s["klassenstufe"] == "insgesamt") & (s["geschlecht"] == "insgesamt")]
    dg = dg.set_index(["year", "nationalitaet"])["value"]
    # SOURCES.md: Deutschland 2015, Grundschulen: 2,715,127 pupils, 226,962 Ausländer(innen);
    # "2023;DG;Deutschland;Grundschulen;15531;3098664;1529357;507817;x;x"
    assert dg[(2015, "insgesamt")] == 2715127 and dg[(2015, "auslaendisch")] == 226962
    assert dg[(2023, "insgesamt")] == 3098664 and dg[(2023, "auslaendisch")] == 507817


# --------------------------------------------------------------------------------------------
# -B variants ("regionale Ebenen")


def test_b_codes_map_like_their_table():
    assert base_table_code("21111-02-06-4-B") == "21111-02-06-4"
    assert find_table_mapping("21111-02-06-4-B", MAPS) is MAPS["21111-02-06-4"]
    assert find_table_mapping("21311-01-01-4-b", MAPS) is MAPS["21311-01-01-4"]
    assert find_table_mapping("99999-01-01-4-B", MAPS) is None


def test_b_variant_classic_maps_like_the_4_table(tmp_path):
    # The -B export has the -4 layout (key and name in two columns) with the title ending in
    # "regionale Ebenen"; built here from the real Stand-2025 excerpt of 21111-02-06-4
    text = (REAL / "21111-02-06-4_stand-2025.csv").read_bytes().decode("iso-8859-1")
    lines = text.split("\n")
    assert lines[0] == "GENESIS-Tabelle: 21111-02-06-4"
    lines[0] += "-B"
    lines[2] = lines[2].replace("regionale Tiefe:", "regionale Ebenen")
    lines[3] = ";" * lines[3].count(";")
    b = tmp_path / "21111-02-06-4-B.csv"
    b.write_bytes("\n".join(lines).encode("iso-8859-1"))
    export = read(b)
    assert export.table_code == "21111-02-06-4-B"
    h_b = harmonize(export, strict=True)
    h_4 = harmonize(read(REAL / "21111-02-06-4_stand-2025.csv"), strict=True)
    key = ["ags", "year", "abschluss", "geschlecht", "nationalitaet"]
    cols = [*key, "value", "status"]
    got = h_b[cols].sort_values(key).reset_index(drop=True)
    want = h_4[cols].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert set(h_b["source"]) == {"21111-02-06-4-B"}


@pytest.fixture(scope="module")
def studierende_b() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmappedLabelWarning)
        return harmonize(read(REAL / "21311-01-01-4-B_de_flat.csv"), strict=True,
                         complements=False)


def test_b_variant_flat_studierende(studierende_b):
    h = studierende_b
    # 90 rows, of them 11 with "Fächergruppe (mit Insgesamt)" = Insgesamt; the others are
    # Fächergruppen (not in the vocabulary: only the total is used)
    assert len(h) == 11
    assert set(h["variable"]) == {"studierende"}
    assert set(h["year"]) == {2022}  # "2022-10P6M": Wintersemester 2022/23
    assert set(h["source"]) == {"21311-01-01-4-B"}
    v = h.set_index(["ags", "geschlecht", "nationalitaet"])["value"]
    # "…;14612;Dresden, kreisfreie Stadt;GESINS;Geschlecht;GESW;weiblich;NAT01;…;INSGESAMT;
    #  Insgesamt;HS-FG2;…;INSGESAMT;Insgesamt;17322;Anzahl;HS-W02;Studierende (im Kreisgebiet)"
    assert v[("14612", "weiblich", "insgesamt")] == 17322
    assert v[("02000", "maennlich", "auslaendisch")] == 8039
    assert v[("05515", "insgesamt", "auslaendisch")] == 4290
    assert v[("09371", "insgesamt", "deutsch")] == 633
    zero = h[h["ags"] == "15364"]
    assert zero["value"].item() == 0 and zero["status"].item() == "-"


# --------------------------------------------------------------------------------------------
# Unmapped labels: a warning naming the label and the closest mapping


def test_unmapped_label_warns_with_the_closest_mapping():
    raw = pd.DataFrame({
        "ags": "01001", "year": 2023, "variable": "Absolvierende/Abgehende",
        "schulabschluss": ["Insgesamt", "ohne Hauptschulabschl.", "m. allg. Hochschulreife"],
        "value": [10.0, 1.0, 4.0], "status": "", "source": "21111-02-06-4"})
    with pytest.warns(UnmappedLabelWarning) as rec:
        h = harmonize(raw)
    msg = str(rec[0].message)
    assert "table '21111-02-06-4'" in msg and "column 'schulabschluss'" in msg
    assert "'ohne Hauptschulabschl.' (1 rows, closest mapping 'ohne Hauptschulabschluss')" in msg
    assert "'m. allg. Hochschulreife' (1 rows, closest mapping" in msg
    assert h["abschluss"].tolist() == ["insgesamt"]
    with pytest.raises(InputError, match="closest mapping 'ohne Hauptschulabschluss'"):
        harmonize(raw, strict=True)


def test_unmapped_measure_warns_with_the_closest_mapping():
    raw = pd.DataFrame({"ags": "01001", "year": 2023, "variable": "Absolvierende/Abgehend",
                        "value": [10.0], "status": "", "source": "21111-02-06-4"})
    with pytest.warns(UnmappedLabelWarning,
                      match=r"variable: 'Absolvierende/Abgehend' \(1 rows, closest mapping "
                            r"'Absolvierende/Abgehende'\)"):
        assert harmonize(raw).empty


@pytest.mark.parametrize("code", sorted(MAPS))
def test_every_shipped_mapping_says_whether_it_is_verified(code):
    import tomllib

    from bimokit.catalogue import CATALOGUE_DIR

    with open(CATALOGUE_DIR / "tables.toml", "rb") as fh:
        raw = tomllib.load(fh)["tables"][code]
    assert isinstance(raw.get("verified"), bool), code
    m = MAPS[code]
    assert m.verified == raw["verified"]
    assert bool(m.verified_by) == m.verified, code


def _verified_files():
    out = []
    for code, m in sorted(MAPS.items()):
        out += [(code, f) for f in m.verified_by]
    return out


@pytest.mark.parametrize(("code", "ref"), _verified_files())
def test_verified_mappings_read_their_real_export_strictly(code, ref, request):
    if ref.startswith("shared:"):
        shared = request.getfixturevalue("shared_data")
        path = shared / ref.removeprefix("shared:")
    else:
        path = Path(__file__).resolve().parents[1] / ref
        assert ref.startswith("tests/data/real/"), ref
        assert path.name in (REAL / "SOURCES.md").read_text(encoding="utf-8"), ref
    export = read(path)
    assert find_table_mapping(export.table_code, MAPS) is MAPS[code]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmappedLabelWarning)
        h = harmonize(export, strict=True)
    assert len(h) > 0
    assert np.isfinite(h["value"]).any()


# --------------------------------------------------------------------------------------------
# Complement categories: männlich = Insgesamt − weiblich, deutsch = Insgesamt − ausländisch


def _facts(rows, variable="abgaenger", **fixed):
    cols = ["ags", "geschlecht", "nationalitaet", "value", "status"]
    df = pd.DataFrame(rows, columns=cols).assign(year=2023, variable=variable, **fixed)
    return df


def _cell(h, ags, g, n):
    r = h[(h["ags"] == ags) & (h["geschlecht"] == g) & (h["nationalitaet"] == n)]
    assert len(r) == 1, (ags, g, n, len(r))
    return r["value"].item(), r["status"].item()


def test_complements_are_derived_with_the_status_carried():
    from bimokit.harmonization import derive_complements

    f = _facts([
        # plain: 1059 − 558 = 501 männlich; 1059 − 90 = 969 deutsch
        ("01001", "insgesamt", "insgesamt", 1059.0, ""),
        ("01001", "weiblich", "insgesamt", 558.0, ""),
        ("01001", "insgesamt", "auslaendisch", 90.0, ""),
        # weiblich secret: männlich is secret too (Insgesamt − männlich would reveal weiblich)
        ("01002", "insgesamt", "insgesamt", 40.0, ""),
        ("01002", "weiblich", "insgesamt", np.nan, "."),
        # total secret
        ("01003", "insgesamt", "insgesamt", np.nan, "."),
        ("01003", "weiblich", "insgesamt", 7.0, ""),
        # unreliable and provisional: the symbol of higher precedence wins, the value stays
        # missing for "/", kept for "p"
        ("01004", "insgesamt", "insgesamt", 50.0, "p"),
        ("01004", "insgesamt", "auslaendisch", 5.0, "/"),
        ("01005", "insgesamt", "insgesamt", 50.0, "p"),
        ("01005", "weiblich", "insgesamt", 20.0, ""),
        # true zeros stay true zeros
        ("01006", "insgesamt", "insgesamt", 0.0, "-"), ("01006", "weiblich", "insgesamt", 0.0, "-"),
        # both categories published: nothing derived, the published männlich is kept
        ("01007", "insgesamt", "insgesamt", 10.0, ""), ("01007", "weiblich", "insgesamt", 4.0, ""),
        ("01007", "maennlich", "insgesamt", 5.0, ""),
        # inconsistent inputs (category above the total): not meaningful
        ("01008", "insgesamt", "insgesamt", 3.0, ""), ("01008", "weiblich", "insgesamt", 4.0, ""),
    ], abschluss="insgesamt")
    h = derive_complements(f)
    assert _cell(h, "01001", "maennlich", "insgesamt") == (501.0, "")
    assert _cell(h, "01001", "insgesamt", "deutsch") == (969.0, "")
    v, st = _cell(h, "01002", "maennlich", "insgesamt")
    assert np.isnan(v) and st == "."
    v, st = _cell(h, "01003", "maennlich", "insgesamt")
    assert np.isnan(v) and st == "."
    v, st = _cell(h, "01004", "insgesamt", "deutsch")
    assert np.isnan(v) and st == "/"
    assert _cell(h, "01005", "maennlich", "insgesamt") == (30.0, "p")
    assert _cell(h, "01006", "maennlich", "insgesamt") == (0.0, "-")
    assert _cell(h, "01007", "maennlich", "insgesamt") == (5.0, "")
    v, st = _cell(h, "01008", "maennlich", "insgesamt")
    assert np.isnan(v) and st == "x"
    # nothing else is invented: no deutsch where no ausländisch was published
    assert not ((h["ags"] == "01002") & (h["nationalitaet"] == "deutsch")).any()
    assert len(h) == len(f) + 8


def test_complements_never_unsuppress_a_secret_cell():
    from bimokit.harmonization import derive_complements

    # weiblich secret; männlich derived must not be computable: it is secret as well, so that
    # Insgesamt − männlich gives nothing back
    f = _facts([("01001", "insgesamt", "insgesamt", 12.0, ""),
                ("01001", "weiblich", "insgesamt", np.nan, ".")], abschluss="insgesamt")
    h = derive_complements(f)
    assert h["value"].notna().sum() == 1


def test_complements_of_a_cross_classified_table():
    from bimokit.harmonization import derive_complements

    # Studierende: Geschlecht × Nationalität, published Insgesamt and weiblich × Insgesamt and
    # ausländisch: every cell of the 3 × 3 table results
    f = _facts([("14612", "insgesamt", "insgesamt", 100.0, ""),
                ("14612", "weiblich", "insgesamt", 45.0, ""),
                ("14612", "insgesamt", "auslaendisch", 10.0, ""),
                ("14612", "weiblich", "auslaendisch", 4.0, "")], variable="studierende")
    h = derive_complements(f)
    assert len(h) == 9
    assert _cell(h, "14612", "maennlich", "auslaendisch") == (6.0, "")
    assert _cell(h, "14612", "maennlich", "deutsch") == (100 - 45 - 10 + 4, "")
    assert _cell(h, "14612", "weiblich", "deutsch") == (41.0, "")


def test_published_means_are_never_complemented():
    # a quota for Frauen is no difference of quotas: einkommen_je_einwohner has no breakdown,
    # so use a non-additive variable with geschlecht by a vocabulary of its own
    from bimokit.catalogue import Vocabulary, load_vocabulary
    from bimokit.harmonization import derive_complements

    voc = load_vocabulary()
    voc2 = Vocabulary(voc.dimensions, {**voc.variables, "quote": ("geschlecht",)}, voc.titles,
                      voc.units, voc.non_additive | {"quote"}, voc.partitions)
    f = pd.DataFrame({"ags": "01001", "year": 2023, "variable": "quote",
                      "geschlecht": ["insgesamt", "weiblich"], "value": [6.2, 5.5],
                      "status": ""})
    assert len(derive_complements(f, vocabulary=voc2)) == 2


def test_real_21111_02_06_4_gets_maennlich_with_secret_cells_carried():
    h = harmonize(read(REAL / "21111-02-06-4_stand-2025.csv"), strict=True)
    m = h[h["geschlecht"] == "maennlich"].set_index(["ags", "abschluss"])
    # "2023;01001;      Flensburg, kreisfreie Stadt;1059;558;90;39;147;69;318;162;57;27;-;-;504;288"
    # männlich: 1059 − 558 = 501, ohne Ersten Schulabschluss 90 − 39 = 51, ahr 504 − 288 = 216
    assert m.loc[("01001", "insgesamt"), "value"] == 501
    assert m.loc[("01001", "ohne_esa"), "value"] == 51
    assert m.loc[("01001", "ahr"), "value"] == 216
    assert m.loc[("01001", "fhr"), "status"] == "-" and m.loc[("01001", "fhr"), "value"] == 0
    # Niedersachsen FHR ".;." (secret) and 16063 FHR "x": männlich carries the symbol
    assert np.isnan(m.loc[("03", "fhr"), "value"]) and m.loc[("03", "fhr"), "status"] == "."
    assert np.isnan(m.loc[("16063", "fhr"), "value"]) and m.loc[("16063", "fhr"), "status"] == "x"
    # one derived männlich row per published weiblich row
    assert len(m) == (h["geschlecht"] == "weiblich").sum() == 19 * 6


def test_breakdown_by_geschlecht_exists_after_harmonising():
    from bimokit.computation import compute

    h = harmonize(read(REAL / "21111-02-06-4_stand-2025.csv"), strict=True)
    v = compute(h, "D4.1", by="geschlecht")
    fl = v[v["ags"] == "01001"].set_index("category")
    # Flensburg 2023: männlich 51 of 501 ohne Ersten Schulabschluss = 10.18 %; weiblich 39/558
    assert fl.loc["maennlich", "value"] == pytest.approx(51 / 501 * 100, rel=1e-12)
    assert fl.loc["weiblich", "value"] == pytest.approx(39 / 558 * 100, rel=1e-12)
    assert fl.loc["maennlich", "breakdown"] == "geschlecht"


def test_real_21111_01_03_4_gets_deutsch_and_maennlich():
    h = harmonize(read(REAL / "21111-01-03-4_stand-2025.csv"), strict=True)
    s = h[(h["variable"] == "schueler") & (h["ags"] == "01001") & (h["schulart"] == "gymnasium")]
    v = s.set_index(["geschlecht", "nationalitaet"])["value"]
    # "2023;01001;      Flensburg, kreisfreie Stadt;Gymnasien;4;3537;1878;267;408;120"
    assert v[("maennlich", "insgesamt")] == 3537 - 1878
    assert v[("insgesamt", "deutsch")] == 3537 - 267


def test_load_data_derives_complements_after_the_editions_are_resolved():
    from bimokit._paths import sample_dir

    sample = sample_dir("musterland")
    ds = load_data([sample / "21111-02-06-4_stand-2019.csv",
                    sample / "21111-02-06-4_stand-2025.csv"])
    f = ds.facts
    assert (f["geschlecht"] == "maennlich").any() and (f["nationalitaet"] == "deutsch").any()
    # a revised published value is listed once, not again through its derived complement
    assert not ds.revisions["dims"].str.contains("maennlich|deutsch").any()
    key = ["ags", "year", "variable", "abschluss", "geschlecht", "nationalitaet"]
    assert not f[key].duplicated().any()
    row = f[(f["ags"] == "99101") & (f["year"] == 2018) & (f["abschluss"] == "insgesamt")
            & (f["nationalitaet"] == "insgesamt")].set_index("geschlecht")["value"]
    assert row["maennlich"] == row["insgesamt"] - row["weiblich"]


# --------------------------------------------------------------------------------------------
# Kindertagesbetreuung: the current tables (no real export at hand: tolerant, unverified)


def _raw(table, variable, values, **cols):
    n = len(values)
    return pd.DataFrame({"ags": "09162", "year": 2024, "variable": variable, **cols,
                         "value": values, "status": "", "source": table}, index=range(n))


def test_kita_mappings_are_the_current_tables_and_unverified():
    for code in ("22541-01-04-4", "22543-01-03-4", "22543-03-01-4", "22543-04-01-4"):
        assert not MAPS[code].verified and MAPS[code].verified_by == ()
    assert "22541-01-01-4" not in MAPS and "22543-01-01-4" not in MAPS


def test_betreute_kinder_by_art_are_kita_and_tagespflege_children():
    raw = _raw("22543-01-03-4", "Betreute Kinder", [60.0, 50.0, 12.0, 20.0, 16.0, 4.0],
               art_der_kindertagesbetreuung=["Insgesamt", "Kindertageseinrichtungen",
                                             "in öffentlich geförderter Kindertagespflege"] * 2,
               altersgruppen=["Insgesamt"] * 3 + ["unter 3 Jahre"] * 3)
    h = harmonize(raw, strict=True)
    got = {(r.variable, r.altersgruppe): r.value for r in h.itertuples()}
    assert got == {("betreute_kinder", "insgesamt"): 60, ("kita_kinder", "insgesamt"): 50,
                   ("tagespflege_kinder", "insgesamt"): 12, ("betreute_kinder", "0-3"): 20,
                   ("kita_kinder", "0-3"): 16, ("tagespflege_kinder", "0-3"): 4}
    # kita_kinder and tagespflege_kinder carry no betreuungsart: it named the variable
    assert h.loc[h["variable"] == "kita_kinder", "betreuungsart"].isna().all()


def test_betreuungsumfang_bands_other_than_ganztags_are_parts_of_the_total():
    raw = _raw("22543-01-03-4", "Kinder in Tageseinrichtungen", [100.0, 20.0, 30.0, 50.0],
               vertraglich_vereinbarte_betreuungszeit=[
                   "Insgesamt", "bis zu 5 Stunden", "mehr als 5 bis zu 7 Stunden",
                   "mehr als 7 Stunden"])
    h = harmonize(raw, strict=True)
    assert h[["betreuungsumfang", "value"]].values.tolist() == [["insgesamt", 100.0],
                                                                 ["ganztags", 50.0]]


def test_u3_quota_table_totals_are_the_under_3_group():
    # 22543-03-01-4 has only children under 3: its total is the group 0-3; single years of age
    # are dropped (their sum is that group)
    raw = _raw("22543-03-01-4", "Betreuungsquote", [35.2, 28.0, 7.2, 12.1, 40.0],
               art_der_kindertagesbetreuung=["Insgesamt", "Kindertageseinrichtungen",
                                             "Kindertagespflege", "Insgesamt", "Insgesamt"],
               altersgruppen=["Insgesamt", "Insgesamt", "Insgesamt", "unter 1 Jahr",
                              "2 bis unter 3 Jahre"])
    h = harmonize(raw, strict=True)
    assert h[["variable", "altersgruppe", "betreuungsart", "value"]].values.tolist() == [
        ["betreuungsquote", "0-3", "insgesamt", 35.2],
        ["betreuungsquote", "0-3", "tageseinrichtung", 28.0],
        ["betreuungsquote", "0-3", "tagespflege", 7.2]]
    # without an age column at all
    raw2 = raw.iloc[:3].drop(columns="altersgruppen")
    assert set(harmonize(raw2, strict=True)["altersgruppe"]) == {"0-3"}
    # the -B variant maps alike
    raw3 = raw2.assign(source="22543-03-01-4-B")
    assert harmonize(raw3, strict=True)["value"].tolist() == [35.2, 28.0, 7.2]


def test_published_quota_is_reported_as_published_and_never_averaged():
    from bimokit.computation import compute

    raw = _raw("22543-04-01-4", "Betreuungsquote", [40.0, 30.0, 95.0],
               art_der_kindertagesbetreuung="Insgesamt",
               altersgruppen=["unter 3 Jahre", "unter 3 Jahre", "3 bis unter 6 Jahre"])
    raw["ags"] = ["09161", "09162", "09162"]
    h = harmonize(raw, strict=True)
    regions = pd.DataFrame({"ags": ["09", "09161", "09162"], "level": ["land", "kreis", "kreis"],
                            "parent": ["DG", "09", "09"]})
    v = compute(h, ["C1.5", "C1.6"], regions=regions)
    got = {(r.indicator, r.ags): r.value for r in v.itertuples()}
    # the published values; no Land value from the two Kreise (a quota is not summed or
    # averaged: the Land quota needs its own published row)
    assert got == {("C1.5", "09161"): 40.0, ("C1.5", "09162"): 30.0, ("C1.6", "09162"): 95.0}


def test_kita_einrichtungen_by_age_keep_the_total():
    raw = _raw("22541-01-04-4", "Tageseinrichtungen", [120.0, 30.0, 90.0],
               einrichtungen_nach_alter_der_kinder=[
                   "Insgesamt", "Einrichtungen für Kinder von 0 bis unter 3 Jahren",
                   "Einrichtungen mit Kindern aller Altersgruppen"])
    raw = pd.concat([raw, _raw("22541-01-04-4", "Genehmigte Plätze", [7000.0]),
                     _raw("22541-01-04-4", "Pädagogisches Personal", [1400.0])],
                    ignore_index=True)
    h = harmonize(raw, strict=True)
    assert dict(zip(h["variable"], h["value"], strict=True)) == {
        "kita_einrichtungen": 120.0, "kita_plaetze": 7000.0, "kita_personal": 1400.0}
    # all staff is not the pedagogical staff: the warning names the label and the closest
    with pytest.warns(UnmappedLabelWarning, match="'Tätige Personen' .*closest mapping "
                                                  "'Pädagogisch tätige Personen'"):
        harmonize(_raw("22541-01-04-4", "Tätige Personen", [1700.0]))
