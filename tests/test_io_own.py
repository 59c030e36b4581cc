"""Tests of bimokit.io.own: the Kommune's own tables (numbers as Germans write them, every
problem at once) and the Sozialraum data file, alone and through load_data."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bimokit as bk
from bimokit._paths import sample_dir
from bimokit.catalogue import load_vocabulary
from bimokit.errors import InputError, InputProblems, InputWarning
from bimokit.io.own import (
    OwnColumn,
    Problems,
    parse_number,
    parse_whole,
    read_own_table,
    read_sozialraum,
)

SAMPLE = sample_dir("musterland")
VOC = load_vocabulary()


def _de(n: int) -> str:
    """A whole number as Germans write it: 1.234.567."""
    return f"{n:,}".replace(",", ".")


# ---------------------------------------------------------------------------------------------
# numbers


@given(st.integers(min_value=0, max_value=10**12))
def test_german_thousands_round_trip(n):
    assert parse_number(_de(n), german=True) == (float(n), "")
    assert parse_whole(_de(n), maximum=10**12) == (n, "")


@given(st.integers(min_value=-10**6, max_value=10**6), st.integers(min_value=1, max_value=99))
def test_german_decimal_comma(whole, cents):
    text = f"{whole},{cents:02d}"
    expected = float(f"{whole}.{cents:02d}")
    assert parse_number(text, german=True)[0] == pytest.approx(expected)
    # in a ','-separated file the point is the decimal sign
    assert parse_number(f"{whole}.{cents:02d}", german=False)[0] == pytest.approx(expected)


@pytest.mark.parametrize(("text", "german", "reason"), [
    ("1,234", False, "mehrdeutig"),        # English thousands or German decimal?
    ("12a", True, "keine Zahl"),
    ("1.2.3", True, "keine Zahl"),
    ("", True, "keine Zahl"),
])
def test_numbers_refused(text, german, reason):
    value, why = parse_number(text, german=german)
    assert value is None and reason in why


@pytest.mark.parametrize(("cell", "reason"), [
    ("585719,5", "keine ganze Zahl"),     # a count of people is whole (issue 14, item 3)
    ("-3", "negativ"),
    ("inf", "keine endliche Zahl"),
    ("1e3", "keine Zahl"),
    ("1.000.000.000", "nicht plausibel"),
])
def test_counts_refused(cell, reason):
    value, why = parse_whole(cell)
    assert value is None and reason in why


def test_counts_read():
    # "585.719" is a thousands dot in a count, never 585,719 people
    assert [parse_whole(c)[0] for c in ["585.719", "585719", "12,0", 7, 7.0]] == [
        585719, 585719, 12, 7, 7]


# ---------------------------------------------------------------------------------------------
# the shared table reader


COLS = (OwnColumn("a", "Spalte A", True), OwnColumn("b", "Spalte B", False))


def test_read_own_table_headers_problems_and_lines(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("# Kommentar\nSpalte B;x;x\n1;2\n\n3;4;5;6\n", encoding="utf-8")
    t = read_own_table(p, COLS, what="Die Testdatei")
    assert t.fields == {"b": "Spalte B"} and t.extra == {"x": "x"} and t.german
    assert t.lines == [3, 5] and t.header_line == 2
    assert [str(q) for q in t.problems.errors] == [
        "t.csv, Zeile 2, Feld x: die Spalte 'x' gibt es zweimal",
        "t.csv, Zeile 2: Pflichtspalte(n) Spalte A fehlen; die Vorlage hat Spalte A, Spalte B",
        "t.csv, Zeile 5: 4 Felder, die Kopfzeile hat aber 3 (Trennzeichen ';')",
    ]
    with pytest.raises(InputError, match="nicht gefunden"):
        read_own_table(tmp_path / "nope.csv", COLS, what="Die Testdatei")


def test_problems_warn_only_remarks():
    p = Problems("a.csv")
    p.warn("nur ein Hinweis", line=3, field="b")
    with pytest.warns(InputWarning, match="a.csv: 1 Hinweis:\n  a.csv, Zeile 3, Feld b: nur"):
        p.finish()


def test_read_own_table_xlsx_names_the_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daten"
    ws.append(["Spalte A", "Spalte B"])
    ws.append([1, 2.5])
    ws.append([None, None])
    ws.append(["x", None, "zu viel"])
    wb.create_sheet("Erläuterung")
    p = tmp_path / "t.xlsx"
    wb.save(p)
    t = read_own_table(p, COLS, what="Die Testdatei", sheet="Daten")
    assert t.sheet == "Daten" and t.lines == [2, 4]
    assert t.rows[0] == {"a": 1, "b": 2.5}
    assert [str(q) for q in t.problems.errors] == [
        "t.xlsx, Blatt Daten, Zeile 4: 1 Werte rechts der letzten Spalte mit Überschrift"]


# ---------------------------------------------------------------------------------------------
# the Sozialraum data file


def test_read_sozialraum_codes_dimensions_and_statuses(tmp_path):
    p = tmp_path / "sozialraumdaten.csv"
    p.write_text("Sozialraum;Jahr;Variable;Altersgruppe;Wert;Status;Quelle\n"
                 "01;2024;schuleingangsuntersuchungen;;1.204;;Gesundheitsamt\n"
                 "99101-02;2024;schuleingangsuntersuchungen;;98;;\n"
                 "99101-02;2024;kita_kinder;3-6;;.;\n"
                 "99101-03;2024;kita_kinder;3-6;-;;\n", encoding="utf-8")
    f = read_sozialraum(p, kreis="99101", vocabulary=VOC)
    assert list(f.columns) == ["ags", "year", "variable", "altersgruppe", "value", "status",
                               "source"]
    assert f["ags"].tolist() == ["99101-01", "99101-02", "99101-02", "99101-03"]
    assert f["altersgruppe"].tolist() == ["insgesamt", "insgesamt", "3-6", "3-6"]
    assert f["value"].tolist()[:2] == [1204.0, 98.0] and np.isnan(f["value"].iloc[2])
    assert f["status"].tolist() == ["", "", ".", "-"] and f["value"].iloc[3] == 0.0
    assert f["source"].tolist() == ["Gesundheitsamt"] + ["sozialraumdaten.csv"] * 3


def test_read_sozialraum_lists_five_different_errors_at_once(tmp_path):
    p = tmp_path / "sozialraumdaten.csv"
    p.write_text("Sozialraum;Jahr;Variable;Altersgruppe;Wert\n"
                 "99101-01;2024;schuleingangsuntersuchungen;;120\n"
                 "99101-77;2024;schuleingangsuntersuchungen;;120\n"   # 3: unknown Sozialraum
                 "99101-02;24;schuleingangsuntersuchungen;;120\n"     # 4: no year
                 "99101-02;2024;einschulungen;;120\n"                 # 5: unknown variable
                 "99101-02;2024;kita_kinder;3-7;120\n"                # 6: unknown code
                 "99101-02;2024;schuleingangsuntersuchungen;;-4\n",   # 7: negative count
                 encoding="utf-8")
    regions = pd.read_csv(SAMPLE / "regions.csv", dtype=str)
    with pytest.raises(InputProblems) as e:
        read_sozialraum(p, regions=regions, vocabulary=VOC)
    assert [(q.line, q.field) for q in e.value.problems] == [
        (3, "Sozialraum"), (4, "Jahr"), (5, "Variable"), (6, "Altersgruppe"), (7, "Wert")]
    lines = str(e.value).splitlines()
    assert lines[0] == f"{p}: 5 Fehler, die Datei wurde nicht übernommen:"
    assert lines[3] == ("  sozialraumdaten.csv, Zeile 5, Feld Variable: unbekannte Variable "
                        "'einschulungen' (meinten Sie 'schulen' oder 'kita_einrichtungen'?)")
    assert lines[5] == ("  sozialraumdaten.csv, Zeile 7, Feld Wert: '-4' ist negativ; "
                        "erwartet: Anzahl als ganze Zahl ≥ 0")


@pytest.mark.parametrize(("row", "field", "message"), [
    ("03;2024;schuleingangsuntersuchungen;12", "Sozialraum", "nur die Nummer des Sozialraums"),
    ("99101-02;2024;schuleingangsuntersuchungen;12,5", "Wert", "keine ganze Zahl"),
    ("99101-02;2024;schuleingangsuntersuchungen;", "Wert", "Pflichtfeld ist leer"),
])
def test_read_sozialraum_refuses(tmp_path, row, field, message):
    p = tmp_path / "s.csv"
    p.write_text("Sozialraum;Jahr;Variable;Wert\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputProblems, match=message) as e:
        read_sozialraum(p)
    assert (e.value.line, e.value.field) == (2, field)


def test_sozialraum_file_is_loaded_with_the_data_folder(tmp_path):
    folder = tmp_path / "daten"
    shutil.copytree(SAMPLE, folder)
    (folder / "sozialraumdaten.csv").write_text(
        "Sozialraum;Jahr;Variable;Wert;Quelle\n"
        "99101-01;2024;musikschule_schueler;1.234;Musikschule\n"
        "99101-02;2024;musikschule_schueler;56;Musikschule\n", encoding="utf-8")
    ds = bk.load_data(folder)
    own = ds.facts[ds.facts["variable"] == "musikschule_schueler"]
    own = own[own["ags"].str.startswith("99101-")]
    assert own.sort_values("ags")["value"].tolist() == [1234.0, 56.0]
    assert set(own["source"]) == {"Musikschule"}
    assert str(folder / "sozialraumdaten.csv") in set(ds.files["file"])
    # a Sozialraum that regions.csv does not know is refused with file and line
    (folder / "sozialraumdaten.csv").write_text(
        "Sozialraum;Jahr;Variable;Wert\n99101-99;2024;musikschule_schueler;3\n",
        encoding="utf-8")
    with pytest.raises(InputProblems, match="Zeile 2, Feld Sozialraum: den Sozialraum "
                       "'99101-99' gibt es in der Regionstabelle nicht"):
        bk.load_data(folder)
