"""The report says what is missing: empty chapters, indicators without data and their tables.

A report on real data with tables missing must not say "Alle Kapitel erstellt": the summary
and the index name the chapters without data, every indicator without data with the table that
would fill it, and the ``bimokit download`` line that fetches those tables.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from bimokit._paths import sample_dir
from bimokit.publish import KeyFigure
from bimokit.report import ChapterResult, ReportResult, run_report
from bimokit.report._pages import ChapterEntry, steckbrief_table, write_index


def _missing() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["F1.1", "F1.2", "G1.1"], "chapter": ["F", "F", "G"],
        "title": ["Studierende", "Studierende je 1.000 Einwohner von 18 bis unter 25 Jahren",
                  "VHS-Belegungen je 1.000 Einwohner"],
        "missing_tables": [("21311-01-01-4",), ("21311-01-01-4", "12411-02-03-4"),
                           ("vhs_statistik",)],
        "note": ["", "", ""]})


# --------------------------------------------------------------------------------------------
# Steckbrief


def test_steckbrief_value_without_data_says_so_and_has_no_year():
    html = steckbrief_table([
        KeyFigure("C1.1", "Betreuungsquote unter 3", None, "%", 2024, chapter="C"),
        KeyFigure("C1.2", "Betreuungsquote 3 bis 6", None, "%", 2024, status=".", chapter="C"),
    ])
    rows = html.split("<tr>")[2:]
    # no data: no year (the chapter's last year would pretend a value of 2024)
    assert '<td class="bk-num">keine Daten</td><td class="bk-num">–</td>' in rows[0]
    # a secret value is data: its symbol and its year stay
    assert '<td class="bk-num">.</td><td class="bk-num">2024</td>' in rows[1]


def test_steckbrief_says_when_the_years_of_its_values_differ():
    mixed = steckbrief_table([
        KeyFigure("A1.1", "Bevölkerung", 1505005.0, "Anzahl", 2024, chapter="A"),
        KeyFigure("D4.1", "ohne Abschluss", 6.0, "%", 2015, chapter="D"),
        KeyFigure("F1.1", "Studierende", None, "Anzahl", 2024, chapter="F"),
    ])
    assert ("Die Werte stammen aus verschiedenen Jahren (2015 bis 2024); die Spalte Jahr "
            "nennt das Jahr jedes Werts.") in mixed
    assert '<td class="bk-num">6,0 %</td><td class="bk-num">2015</td>' in mixed
    same = steckbrief_table([
        KeyFigure("A1.1", "Bevölkerung", 1505005.0, "Anzahl", 2024, chapter="A"),
        KeyFigure("F1.1", "Studierende", None, "Anzahl", 2024, chapter="F"),
    ])
    assert "verschiedenen Jahren" not in same
    assert "<caption>Kennzahlen mit Ampel und Trend</caption>" in same


# --------------------------------------------------------------------------------------------
# summary and index


def test_summary_names_empty_chapters_and_the_missing_tables(tmp_path):
    chapters = [
        ChapterResult("A", True, tmp_path / "A.html", 2.5, tables=3, keyfigures=2),
        ChapterResult("F", True, tmp_path / "F.html", 1.0, keyfigures=2, empty=True),
        ChapterResult("G", True, tmp_path / "G.html", 0.5, keyfigures=2, empty=True),
    ]
    result = ReportResult("09162", "München", tmp_path, chapters, tmp_path / "index.html",
                          tmp_path / "steckbrief.html", tmp_path / "t.xlsx", _missing(),
                          "bimokit download 21311-01-01-4 12411-02-03-4 --to daten")
    assert result.ok and [c.chapter for c in result.empty] == ["F", "G"]
    lines = result.summary().splitlines()
    assert lines[1] == (f"Kapitel F: enthält keine Daten / holds no data (1,0 s) -> "
                        f"{tmp_path / 'F.html'}")
    assert lines[3] == ("Kapitel F, G enthalten keine Daten / chapters F, G hold no data; "
                        "1 von 3 Kapiteln mit Daten erstellt / 1 of 3 chapters built with "
                        f"data: {tmp_path / 'index.html'}")
    assert "Alle" not in result.summary()
    assert lines[4:] == [
        "Indikatoren ohne Daten für München / indicators without data: 3",
        "  21311-01-01-4 fehlt / missing: F1.1, F1.2",
        "  12411-02-03-4 fehlt / missing: F1.2",
        "  vhs_statistik (eigene Datei) fehlt / missing: G1.1",
        "Fehlende Tabellen laden / download the missing tables:",
        "  bimokit download 21311-01-01-4 12411-02-03-4 --to daten",
    ]


def test_summary_of_a_complete_report_is_unchanged(tmp_path):
    chapters = [ChapterResult("A", True, tmp_path / "A.html", 2.5, tables=3, keyfigures=2)]
    result = ReportResult("99101", "Musterstadt", tmp_path, chapters, tmp_path / "index.html",
                          tmp_path / "s.html", tmp_path / "t.xlsx", _missing().iloc[0:0], "")
    assert result.summary().splitlines()[1] == (
        f"Das Kapitel ist erstellt / the chapter is built: {tmp_path / 'index.html'}")
    assert len(result.summary().splitlines()) == 2


def test_index_lists_the_indicators_without_data_and_the_download_line(tmp_path):
    path = write_index(
        tmp_path / "index.html", kommune="München", ags="09162",
        chapters=[ChapterEntry("A", "Rahmenbedingungen", "A.html"),
                  ChapterEntry("F", "Hochschule", "F.html", "enthält keine Daten")],
        keyfigures=[], missing=_missing(),
        download="bimokit download 21311-01-01-4 12411-02-03-4 --to daten")
    html = path.read_text(encoding="utf-8")
    assert '<li><a href="A.html">A Rahmenbedingungen</a></li>' in html
    assert ('<li><a href="F.html">F Hochschule</a> <span class="bk-meta">(enthält keine '
            "Daten)</span></li>") in html
    assert "<h2>Fehlende Daten</h2><p>Für 3 Indikatoren dieses Berichts liegen für München " \
           "keine Daten vor" in html
    assert ('<tr><td>Studierende je 1.000 Einwohner von 18 bis unter 25 Jahren <span '
            'class="bk-meta">(F1.2)</span></td><td>F</td><td>21311-01-01-4, 12411-02-03-4'
            "</td></tr>") in html
    assert "<td>vhs_statistik (eigene Datei)</td>" in html
    assert "<code>bimokit download 21311-01-01-4 12411-02-03-4 --to daten</code>" in html
    # the section lies between the contents and the Steckbrief
    assert html.index("</nav>") < html.index("Fehlende Daten") < html.index("<h2>Steckbrief")


def test_index_without_missing_data_has_no_section(tmp_path):
    html = write_index(tmp_path / "index.html", kommune="M", ags="99101",
                       chapters=[ChapterEntry("A", "Rahmenbedingungen", "A.html")],
                       keyfigures=[], missing=_missing().iloc[0:0]).read_text(encoding="utf-8")
    assert "Fehlende Daten" not in html and "bk-meta\">(" not in html


# --------------------------------------------------------------------------------------------
# a real run: the sample without the Studierende table and the VHS file


@pytest.fixture(scope="module")
def gap_report(tmp_path_factory):
    data = tmp_path_factory.mktemp("daten")
    for f in sample_dir().iterdir():
        if f.name not in ("21311-01-01-4.csv", "vhs_statistik.csv"):
            shutil.copy(f, data)
    out = tmp_path_factory.mktemp("reports")
    result = run_report("99101", data=data, out=out, chapters="D,F,G", progress=False)
    return data, result


def test_report_with_tables_missing_says_so_in_its_summary(gap_report):
    data, result = gap_report
    assert result.ok
    assert [c.chapter for c in result.empty] == ["F", "G"]
    text = result.summary()
    assert "Alle" not in text
    assert (f"Kapitel F, G enthalten keine Daten / chapters F, G hold no data; 1 von 3 Kapiteln "
            f"mit Daten erstellt / 1 of 3 chapters built with data: {result.index_path}") in text
    assert "Indikatoren ohne Daten für Musterstadt / indicators without data: 11" in text
    assert "  21311-01-01-4 fehlt / missing: F1.1, F1.2, F1.3, F1.4, F2.1, F2.2" in text
    assert "  vhs_statistik (eigene Datei) fehlt / missing: G1.1, G1.2, G1.3, G1.4, G1.5" in text
    assert text.endswith("Fehlende Tabellen laden / download the missing tables:\n"
                         f"  bimokit download 21311-01-01-4 --to {data}")
    # chapter D has all its data: no D indicator is listed
    assert set(result.missing["chapter"]) == {"F", "G"}


def test_report_with_tables_missing_lists_them_on_the_index(gap_report):
    data, result = gap_report
    html = result.index_path.read_text(encoding="utf-8")
    assert '<li><a href="D.html">D Allgemeinbildende Schulen</a></li>' in html
    assert ('<a href="F.html">F Hochschule</a> <span class="bk-meta">(enthält keine Daten)'
            "</span>") in html
    assert "Für 11 Indikatoren dieses Berichts liegen für Musterstadt keine Daten vor" in html
    assert ('<tr><td>Studierende <span class="bk-meta">(F1.1)</span></td><td>F</td>'
            "<td>21311-01-01-4</td></tr>") in html
    assert f"<code>bimokit download 21311-01-01-4 --to {data}</code>" in html
    record = json.loads((result.out_dir / ".bimokit" / "report.json").read_text("utf-8"))
    assert record["download"] == f"bimokit download 21311-01-01-4 --to {data}"
    assert {"id": "G1.5", "chapter": "G", "tables": ["vhs_statistik"], "note": ""} in \
        record["missing"]
    assert [c["empty"] for c in record["chapters"]] == [False, True, True]
