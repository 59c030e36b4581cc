"""Tests for bimokit.report: validation, chapter execution, pages, XLSX and atomic writes.

The chapters here are the tiny notebooks in tests/data/notebooks/: ``A.ipynb`` publishes two
tables, two key figures and a chart; ``B.ipynb`` raises in its cell 4. One report run (A and
B, two kernel starts) is shared by the module.
"""

from __future__ import annotations

import html
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from _chromium import render

import bimokit as bk
from bimokit._atomic import atomic_open, atomic_path, atomic_write_text
from bimokit.errors import ParameterError, UnknownRegionError
from bimokit.fmt import fmt_cell
from bimokit.publish import figure_html, publish_keyfigure, publish_table, read_published
from bimokit.report import (
    check_html,
    execute_chapter,
    run_report,
    sheet_names,
    start_kernel,
    validate_request,
)

matplotlib.use("Agg")

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
MARKER = "bk-code-marker-7f3a"  # a line of code in A.ipynb; must never reach the HTML
KOMMUNE = "Musterstadt <Süd> & Co"  # a name with markup characters: must arrive escaped


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A minimal data folder: region table and one tidy file with the years 2012–2024."""
    folder = tmp_path_factory.mktemp("data")
    (folder / "regions.csv").write_text(
        "ags,name,level\n99,Musterland,land\n"
        f'99101,"{KOMMUNE}",kreis\n99102,Beispielkreis,kreis\n',
        encoding="utf-8",
    )
    (folder / "facts.csv").write_text(
        "ags,year,variable,value,status,source\n"
        "99101,2012,bevoelkerung,100,,t\n99101,2024,bevoelkerung,110,,t\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def report(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = run_report(
        "99101", data=data_dir, out=out, chapters="A,B", years="2013-2020",
        vergleichsgruppe="99102, 99101", notebook_dir=NOTEBOOKS, progress=False,
    )
    return result


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []
        self.sources = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a)
        if tag in ("script", "img", "link", "iframe") and (a.get("src") or a.get("href")):
            self.sources.append(a.get("src") or a.get("href"))


# --- the run -------------------------------------------------------------------------------


def test_run_writes_index_chapter_and_xlsx(report):
    folder = report.out_dir
    assert folder.name == "99101"
    assert (folder / "A.html").is_file()
    assert (folder / "index.html").is_file()
    assert (folder / "steckbrief.html").is_file()
    assert (folder / "tabellenanhang_99101.xlsx").is_file()
    a = report.chapters[0]
    assert (a.chapter, a.ok, a.tables, a.keyfigures) == ("A", True, 2, 2)
    # No temporary or pending file is left behind.
    leftovers = [p.name for p in folder.rglob("*") if ".tmp" in p.name or "pending" in p.name
                 or p.name.startswith(".work-")]
    assert leftovers == []


def test_failing_chapter_leaves_no_file_and_names_the_cell(report):
    b = report.chapters[1]
    assert b.chapter == "B" and not b.ok
    assert not (report.out_dir / "B.html").exists()
    assert not (report.out_dir / ".bimokit" / "B.json").exists()
    # B.ipynb: cells 0 markdown, 1 import, 2 parameters, 3 `anteil = 1`, 4 the raise.
    assert b.failure.cell_index == 4
    assert b.failure.ename == "ValueError"
    assert b.failure.evalue == "absichtlicher Fehler im Testkapitel"
    assert b.failure.source.startswith('raise ValueError("absichtlicher')
    assert "Traceback" in b.failure.traceback and "\x1b[" not in b.failure.traceback
    assert not report.ok
    assert [c.chapter for c in report.failed] == ["B"]
    summary = report.summary()
    assert "Kapitel A: fertig" in summary
    assert "Kapitel B: FEHLER" in summary and "cell 4" in summary and "ValueError" in summary
    with pytest.raises(bk.ReportFailedError, match="1 fehlgeschlagen"):
        report.raise_for_failures()


def test_chapter_html_has_no_code_traceback_or_nan(report):
    page = (report.out_dir / "A.html").read_text(encoding="utf-8")
    assert check_html(page) == []
    assert '<html lang="de">' in page
    assert f"<title>A Rahmenbedingungen – {html.escape(KOMMUNE)}</title>" in page
    assert KOMMUNE not in page  # only escaped
    assert MARKER not in page
    assert "import bimokit" not in page
    assert not re.search(r'class="[^"]*(jp-InputArea-editor|jp-InputPrompt|highlight)', page)
    assert len(re.findall(r'class="jp-Cell jp-CodeCell[^"]*jp-mod-noInput', page)) >= 3
    assert "Traceback" not in page
    assert not re.search(r"\bnan\b|NaN|&lt;NA&gt;", page)
    # stderr (the notebook's warning) stays out of the page and is reported instead.
    assert "Testwarnung" not in page
    assert any("Testwarnung" in w for w in report.chapters[0].warnings)
    # The parameters arrived in the kernel: the notebook prints them.
    assert "Kommune 99101; Jahre 2013-2020; Vergleich 99102,99101; Werte keine" in page
    # The published table is shown with German numbers (31.25 rounds half up as written: 31,3)
    # and the secret value as its symbol.
    assert "31,3" in page and "1.250" in page and "Zähler" in page


def test_every_image_has_alt_text_and_nothing_loads_from_the_network(report):
    parser = _Images()
    parser.feed((report.out_dir / "A.html").read_text(encoding="utf-8"))
    assert len(parser.images) == 1
    alt = parser.images[0]["alt"]
    assert alt == "Linie: Die Betreuungsquote stieg von 31,3 % (2022) auf 34,5 % (2024)."
    assert parser.images[0]["src"].startswith("data:image/png;base64,")
    assert [s for s in parser.sources if not s.startswith("data:")] == []


def test_index_lists_chapters_and_steckbrief_escaped(report):
    page = (report.out_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in page
    assert f"<h1>Bildungsbericht {html.escape(KOMMUNE)}</h1>" in page
    assert KOMMUNE not in page
    assert '<a href="A.html">A Rahmenbedingungen</a>' in page
    assert "B Grundinformationen" in page and "nicht erstellt: Fehler in Zelle 4" in page
    assert 'href="B.html"' not in page
    assert 'href="tabellenanhang_99101.xlsx"' in page and 'href="steckbrief.html"' in page
    # Key figure 1: 34.5 % → "34,5 %", Ampel grün, trend ↑; key figure 2: secret value ".".
    assert "34,5 %" in page and "grün" in page and "↑" in page and "Land: 31,2 %" in page
    assert '<td class="bk-num">.</td>' in page
    assert "@media print" in page
    standalone = (report.out_dir / "steckbrief.html").read_text(encoding="utf-8")
    assert "Steckbrief Bildung: " + html.escape(KOMMUNE) in standalone
    assert "34,5 %" in standalone and check_html(standalone) == []


def test_xlsx_has_one_sheet_per_table_with_german_headers(report):
    from openpyxl import load_workbook

    wb = load_workbook(report.out_dir / "tabellenanhang_99101.xlsx")
    # the id and the title cut at a word; the second table by what sets it apart
    assert wb.sheetnames == ["Inhalt", "C1.1 Betreuungsquote unter 3", "C1.1 … Kindertagespflege"]
    ws = wb["C1.1 Betreuungsquote unter 3"]
    assert [c.value for c in ws[1]] == ["AGS", "Jahr", "Wert", "Zähler", "Status"]
    assert [c.value for c in ws[2]] == ["99101", 2022, 31.25, 1250, ""] or [
        c.value for c in ws[2]
    ] == ["99101", 2022, 31.25, 1250, None]
    # 2023 is secret: empty cells, status ".".
    assert [c.value for c in ws[3]][2:] == [None, None, "."]
    assert ws["C2"].number_format == "#,##0.0"
    assert ws["D2"].number_format == "#,##0"
    assert ws["B2"].number_format == "0"
    assert ws["A6"].value == "Anmerkung: Stichtag 1. März"
    assert ws["A7"].value == "Quelle: Kinder- und Jugendhilfestatistik"
    # The second table halves the values: 31.25 / 2 = 15.625.
    assert wb["C1.1 … Kindertagespflege"]["C2"].value == 15.625
    toc = wb["Inhalt"]
    assert toc["C4"].value == "C1.1 Betreuungsquote unter 3 Jahren in Kindertageseinrichtungen"
    assert toc["B4"].value == "Rahmenbedingungen"


def test_chapter_renders_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "A.png"
    dom = render(report.out_dir / "A.html", shot, tmp_path / "profile")
    assert '<html lang="de">' in dom
    assert "Betreuungsquote" in dom and 'class="bk-figure"' in dom
    assert len(shot.read_bytes()) > 10_000


@pytest.mark.slow
def test_warm_kernel_runs_two_kommunen_in_one_kernel(data_dir, tmp_path):
    request = validate_request("99101", data=data_dir, out=tmp_path, chapters="A",
                               notebook_dir=NOTEBOOKS)
    km = start_kernel()
    try:
        pages = {}
        for ags in ("99101", "99102"):
            work = tmp_path / f"work-{ags}"
            params = {**request.parameters(out_dir=work), "ags": ags}
            run = execute_chapter(request.notebooks["A"], params, tmp_path / f"{ags}.html",
                                  title=f"A – {ags}", km=km)
            assert run.ok, run.failure
            pages[ags] = (tmp_path / f"{ags}.html").read_text(encoding="utf-8")
            tables, figures = read_published(work)
            assert [t.table["ags"].iloc[0] for t in tables] == [ags, ags]
        assert km.is_alive()  # the kernel is the caller's: still running
        assert "Kommune 99102;" in pages["99102"] and "Kommune 99101;" in pages["99101"]
        # A failing notebook in the warm kernel is reported with its cell like a fresh one.
        run = execute_chapter(NOTEBOOKS / "B.ipynb", request.parameters(out_dir=tmp_path / "b"),
                              tmp_path / "B.html", title="B", km=km)
        assert not run.ok and run.failure.cell_index == 4 and run.failure.ename == "ValueError"
        assert not (tmp_path / "B.html").exists()
    finally:
        km.shutdown_kernel(now=True)


# --- validation before any kernel ----------------------------------------------------------


def _no_kernel_started(out: Path):
    # run_report creates <out>/<ags> only after validation; nothing may exist.
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chapters": "A,X"}, "unknown chapter(s) 'X'"),
        ({"chapters": "A,A"}, "chapter(s) A given twice"),
        ({"years": "2000-2030"}, "years 2000-2030 lie outside the data (2012–2024"),
        ({"years": "2020-2015"}, "the first year is after the last"),
        ({"years": "zwanzig"}, "`years` must look like '2012-2024'"),
        ({"vergleichsgruppe": "aehnlich:0"}, "must be 1 to 50"),
        ({"vergleichsgruppe": "99102,12345"}, "vergleichsgruppe: unknown AGS '12345'"),
    ],
)
def test_parameter_errors_raise_before_any_kernel(data_dir, tmp_path, kwargs, message):
    out = tmp_path / "reports"
    with pytest.raises(ParameterError) as err:
        run_report("99101", data=data_dir, out=out, notebook_dir=NOTEBOOKS,
                   **{"chapters": "A", **kwargs})
    assert message in str(err.value)
    assert not isinstance(err.value, UnknownRegionError)
    _no_kernel_started(out)


@pytest.mark.parametrize(
    ("ags", "message"),
    [
        ("9910", "AGS '9910' is malformed: expected 5 digits"),
        ("99 101", "AGS '99 101' is malformed"),
        ("99999", "Unknown AGS '99999': not in the region table of"),
    ],
)
def test_region_errors_raise_unknown_region_error(data_dir, tmp_path, ags, message):
    out = tmp_path / "reports"
    with pytest.raises(UnknownRegionError, match=re.escape(message)):
        run_report(ags, data=data_dir, out=out, chapters="A", notebook_dir=NOTEBOOKS)
    _no_kernel_started(out)


def test_all_problems_in_one_message(data_dir, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ParameterError) as err:
        run_report("99999", data=data_dir, out=out, chapters="A,Z", years="1990",
                   notebook_dir=NOTEBOOKS)
    text = str(err.value)
    assert text.startswith("Cannot build the report, 3 problems: (1) unknown chapter(s) 'Z'")
    assert "(2) Unknown AGS '99999'" in text and "(3) years 1990 lie outside" in text
    _no_kernel_started(out)


def test_missing_notebook_and_bad_parameters_cell(data_dir, tmp_path):
    import nbformat

    folder = tmp_path / "nbs"
    folder.mkdir()
    nb = nbformat.read(NOTEBOOKS / "A.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace('values_path: str = ""', 'values: str = ""').replace(
        "# Berichtsjahre,", "# Berichtsjahre = "
    )
    nbformat.write(nb, folder / "A.ipynb")
    with pytest.raises(ParameterError) as err:
        validate_request("99101", data=data_dir, chapters="A,C", notebook_dir=folder)
    text = str(err.value)
    assert "more than one '='" in text and "line 3 of the parameters cell" in text
    assert "the parameters cell lacks years, values_path" in text
    assert "chapter C: notebook" in text and "C.ipynb' not found" in text


def test_data_folder_without_exports(tmp_path):
    with pytest.raises(ParameterError, match="the folder holds no exports"):
        validate_request("99101", data=tmp_path, chapters="A", notebook_dir=NOTEBOOKS)


def test_valid_request_fills_name_and_parameters(data_dir, tmp_path):
    request = validate_request(" 99101", data=data_dir, out=tmp_path, chapters=["b", "A"],
                               years=(2014, 2014), notebook_dir=NOTEBOOKS)
    assert request.name == KOMMUNE
    assert request.chapters == ("A", "B")  # report order, whatever the order given
    assert request.years == "2014"
    assert request.out_dir == tmp_path.resolve() / "99101"
    params = request.parameters(out_dir="w", values_path="v.csv")
    assert sorted(params) == sorted(bk.report.PARAMETERS)
    assert Path(params["out_dir"]).is_absolute() and params["values_path"].endswith("v.csv")
    assert request.title("C") == f"C Frühkindliche Bildung – {KOMMUNE}"


# --- atomic writes -------------------------------------------------------------------------


def test_atomic_write_keeps_old_file_when_writer_raises(tmp_path):
    target = tmp_path / "index.html"
    atomic_write_text(target, "alt")
    with pytest.raises(RuntimeError, match="mittendrin"):
        with atomic_open(target) as fh:
            fh.write("neu, aber nur halb")
            raise RuntimeError("mittendrin")
    assert target.read_text(encoding="utf-8") == "alt"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]
    with pytest.raises(ValueError):
        with atomic_path(tmp_path / "t.xlsx") as tmp:
            tmp.write_bytes(b"PK")
            raise ValueError("writer failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_atomic_write_replaces_and_uses_normal_mode(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "eins")
    atomic_write_text(target, "zwei")
    assert target.read_text(encoding="utf-8") == "zwei"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


# --- HTML check ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ('<img src="a.png">', "image 1 has no alt text"),
        ('<img alt="  " src="a.png">', "image 1 has no alt text"),
        ('<img alt="No description has been provided for this image" src="a.png">',
         "image 1 has no alt text"),
        ('<div class="jp-Cell jp-CodeCell jp-Notebook-cell"></div>', "code input is visible"),
        ('<div class="jp-InputPrompt">In [1]:</div>', "code input is visible"),
        ('<div data-mime-type="application/vnd.jupyter.stderr">x</div>',
         "an error or stderr output is visible"),
        ("<pre>Traceback (most recent call last):</pre>", "a Python traceback is visible"),
        ("<td>&lt;NA&gt;</td>", "raw missing value '<NA>'"),
        ("<td>NaN</td>", "raw missing value 'NaN'"),
    ],
)
def test_check_html_finds_problems(markup, problem):
    problems = check_html(f'<html lang="de"><body>{markup}</body></html>')
    assert any(p.startswith(problem) for p in problems), problems


def test_check_html_accepts_clean_page_and_ignores_styles():
    page = (
        '<html lang="de"><head><style>.nan { color: red }</style></head><body>'
        '<div class="jp-Cell jp-CodeCell jp-mod-noInput"><img alt="Balken" src="x.png"></div>'
        "<p>Finanzanalyse, Nanopartikel, 12,3 %</p></body></html>"
    )
    assert check_html(page) == []


# --- publishing ----------------------------------------------------------------------------


def test_publish_rejects_duplicates_and_bad_values(tmp_path):
    t = pd.DataFrame({"year": [2024], "value": [1.0]})
    publish_table(t, name="T1", out_dir=tmp_path, display=False)
    with pytest.raises(ParameterError, match="already published"):
        publish_table(t, name="T1", out_dir=tmp_path, display=False)
    with pytest.raises(ParameterError, match="needs a pandas DataFrame"):
        publish_table([1, 2], name="T2", out_dir=tmp_path, display=False)
    with pytest.raises(ParameterError, match="`ampel` must be one of"):
        publish_keyfigure(indicator="X", label="x", value=1, unit="%", ampel="blau",
                          out_dir=tmp_path)
    with pytest.raises(ParameterError, match="`trend_arrow` must be"):
        publish_keyfigure(indicator="X", label="x", value=1, unit="%", trend_arrow="hoch",
                          out_dir=tmp_path)
    with pytest.raises(ParameterError, match="`value` must be a number"):
        publish_keyfigure(indicator="X", label="x", value="viel", unit="%", out_dir=tmp_path)
    tables, figures = read_published(tmp_path)
    assert [t.name for t in tables] == ["T1"] and figures == []
    # out_dir "" (interactive use) writes nothing.
    publish_table(t, name="T1", out_dir="", display=False)
    assert len(read_published(tmp_path)[0]) == 1


def test_keyfigures_keep_order_and_format(tmp_path):
    publish_keyfigure(indicator="D1", label="Quote ohne Abschluss", value=7.08, unit="%",
                      year=2024, ampel="rot", trend_arrow="fallend", out_dir=tmp_path)
    publish_keyfigure(indicator="A1", label="Einwohner", value=1234567, unit="Anzahl",
                      trend_arrow="→", out_dir=tmp_path)
    _, figures = read_published(tmp_path, chapter="D")
    assert [(f.indicator, f.formatted_value(), f.ampel, f.trend_arrow, f.chapter)
            for f in figures] == [("D1", "7,1 %", "rot", "↓", "D"),
                                  ("A1", "1.234.567", None, "→", "D")]


def test_figure_needs_alt_text():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots(figsize=(1, 1))
    with pytest.raises(ParameterError, match="needs an alt text"):
        figure_html(fig)
    with pytest.raises(ParameterError, match="show needs a bimokit Chart"):
        figure_html("kein Bild", alt="x")

    class Chart:  # the shape of bimokit.plots.Chart
        def __init__(self, fig, ax, alt):
            self.fig, self.ax, self.alt = fig, ax, alt

    fig, ax = plt.subplots(figsize=(1, 1))
    markup = figure_html(Chart(fig, ax, 'Balken "A" & B'))
    assert 'alt="Balken &quot;A&quot; &amp; B"' in markup
    assert not plt.fignum_exists(fig.number)  # closed: the inline backend cannot show it again


def test_values_round_trip_csv(tmp_path):
    values = pd.DataFrame({"ags": ["01001", "99101"], "year": [2024, 2024],
                           "indicator": ["D1", "D1"], "value": [8.53, float("nan")],
                           "status": ["", "."]})
    path = bk.save_values(values, tmp_path / "values.csv")
    back = bk.load_values(path)
    assert back["ags"].tolist() == ["01001", "99101"]  # leading zero kept
    assert back["value"].iloc[0] == 8.53 and pd.isna(back["value"].iloc[1])
    assert back["status"].tolist() == ["", "."]
    assert bk.load_values("", compute=lambda: "berechnet") == "berechnet"
    with pytest.raises(ParameterError, match="does not exist"):
        bk.load_values(tmp_path / "fehlt.csv")


def test_sheet_names_are_short_and_unique():
    names = ["Sehr lange Tabellenüberschrift mit Jahr " + str(y) for y in range(2000, 2030)]
    sheets = sheet_names(names + ["a:b/c", "Inhalt", "history"])
    assert len(set(s.lower() for s in sheets)) == len(sheets)
    assert all(len(s) <= 31 for s in sheets)
    # the first keeps the words that fit; the others are named by their year
    assert sheets[:3] == ["Sehr lange Tabellenüberschrift", "Sehr lange … 2001",
                          "Sehr lange … 2002"]
    assert sheets[-3:] == ["a b-c", "Inhalt (2)", "history (2)"]


def test_sheet_names_cut_at_words_and_keep_the_indicator_id():
    names = [
        "A1.8 Anteil der 65-Jährigen und Älteren an der Bevölkerung",
        "A1.8 Anteil der 65-Jährigen und Älteren an der Bevölkerung nach Geschlecht, 2024",
        "Bevölkerung nach Altersgruppen, 2024",
        "Absolventen und Abgänger nach Abschlussart, 2024",
        "C1.4 Anteil der Kindertagespflege an der Betreuung unter 3-Jähriger",
        "A2.3 Arbeitslose je 100 Einwohner von 15 bis unter 65 Jahren",
    ]
    assert sheet_names(names) == [
        "A1.8 Anteil der 65-Jährigen",  # not "… 65-Jährigen und" (31 characters)
        "A1.8 … nach Geschlecht, 2024",
        "Bevölkerung nach Altersgruppen",
        "Absolventen … nach Abschlussart",
        "C1.4 Anteil Kindertagespflege",  # without the articles more of the title fits
        "A2.3 Arbeitslose je 100",
    ]


def test_xlsx_years_numbers_links_widths_and_repeated_tables(tmp_path):
    from openpyxl import load_workbook

    from bimokit.publish import PublishedTable
    from bimokit.report import write_xlsx

    ziel = pd.DataFrame({"indicator": ["C1.1"], "baseline_year": ["2018"],
                         "baseline_value": [38.9389525], "target_year": ["2030"],
                         "target_value": [50.0], "year": [2024.0], "value": [1234.5678]})
    quote = pd.DataFrame({"year": [2023, 2024], "value": [23.088412628809472, 21.5]})
    tables = [
        PublishedTable("A2.1 SGB-II-Quote der unter 15-Jährigen", quote, chapter="A",
                       decimals={"value": 1}),
        PublishedTable("Zielerreichung Flensburg [Test]: 2030?", ziel, chapter="S",
                       labels={"baseline_value": "Basiswert"},
                       decimals={"baseline_value": 1, "target_value": 1, "value": 1}),
        PublishedTable("A2.1 SGB-II-Quote der unter 15-Jährigen", quote, chapter="S"),
    ]
    path = write_xlsx(tables, tmp_path / "t.xlsx", title="Tabellenanhang Flensburg",
                      chapter_titles={"A": "Rahmenbedingungen", "S": "Sozialraum"})
    wb = load_workbook(path)
    # forbidden characters gone; chapter S repeats A2.1 of chapter A and says so
    assert wb.sheetnames == ["Inhalt", "A2.1 SGB-II-Quote",
                             "Zielerreichung Flensburg Test", "A2.1 SGB-II-Quote … (Kapitel S)"]
    ws = wb["Zielerreichung Flensburg Test"]
    # the Zielwerte file's years arrive as text; the sheet holds numbers without separators
    assert [ws["B2"].value, ws["D2"].value, ws["F2"].value] == [2018, 2030, 2024]
    assert [ws[c].number_format for c in ("B2", "D2", "F2")] == ["0", "0", "0"]
    assert ws["G2"].value == 1234.5678 and ws["G2"].number_format == "#,##0.0"
    assert ws.freeze_panes == "A2"
    # widths follow what is shown: "1.234,6" (7) + 2, not repr(1234.5678) (9) + 2 …
    assert ws.column_dimensions["G"].width == 7 + 2
    # … and the header where it is wider: "Basiswert" (9) + 2, not "38.9389525" (10) + 2
    assert ws.column_dimensions["C"].width == 9 + 2
    toc = wb["Inhalt"]
    assert toc.freeze_panes == "A4"
    assert [toc.cell(row=r, column=3).value for r in (4, 5, 6)] == [t.name for t in tables]
    assert toc["A5"].hyperlink.location == "'Zielerreichung Flensburg Test'!A1"
    last = ws.cell(row=ws.max_row, column=1)
    assert last.value == "Zurück zum Inhalt" and last.hyperlink.location == "'Inhalt'!A1"
    assert wb["A2.1 SGB-II-Quote"]["B2"].number_format == "#,##0.0"


@pytest.mark.parametrize(
    ("value", "unit", "status", "expected"),
    [
        (12.345, "%", "", "12,3 %"),
        (1234567, "Anzahl", "", "1.234.567"),
        (24415.0, "EUR", "", "24.415 EUR"),
        (float("nan"), "%", ".", "."),
        (None, "%", "", "–"),
        (-0.05, "Prozentpunkte", "", "-0,1 Prozentpunkte"),
    ],
)
def test_format_value(value, unit, status, expected):
    assert fmt_cell(value, unit, status=status) == expected


def test_sample_data_is_the_default(tmp_path):
    # data_samples/musterland: regions.csv names 99101 "Musterstadt"; tidy files span 2012–2024.
    request = validate_request("99101", out=tmp_path, chapters="A", years="2012-2024",
                               notebook_dir=NOTEBOOKS)
    assert (request.name, request.data, request.years) == ("Musterstadt", "", "2012-2024")
    with pytest.raises(ParameterError, match=r"years 2011-2024 lie outside the data \(2012–2024"):
        validate_request("99101", out=tmp_path, chapters="A", years="2011-2024",
                         notebook_dir=NOTEBOOKS)


def test_dissolved_kreis_is_refused_before_any_kernel(tmp_path):
    # 99155 (Altmusterkreis) was merged in 2016: the sample's rows hold only '-' from then on.
    out = tmp_path / "reports"
    with pytest.raises(UnknownRegionError, match="'99155'.*no longer exists"):
        validate_request("99155", out=out, chapters="A")
    assert not out.exists()


# --- one naming rule for the runner and the chapters -----------------------------------------


def test_display_names_drop_the_kreistyp_only_where_unambiguous():
    from bimokit.regions import display_name, display_names

    assert display_name("Flensburg, kreisfreie Stadt") == "Flensburg"
    assert display_name("Mannheim, Stadtkreis") == "Mannheim"
    assert display_name("Lübeck, kreisfreie Stadt, Hansestadt") == "Lübeck, Hansestadt"
    reg = pd.DataFrame({
        "ags": ["06", "066", "06611", "06633", "01001", "09162", "09184"],
        "name": ["Hessen", "Kassel, Regierungsbezirk", "Kassel, kreisfreie Stadt",
                 "Kassel, Landkreis", "Flensburg, kreisfreie Stadt",
                 "München, Landeshauptstadt", "München, Landkreis"],
        "level": ["land", "regbez", "kreis", "kreis", "kreis", "kreis", "kreis"],
    })
    names = display_names(reg)
    # two Kreise named Kassel (München): both keep the type; the Regierungsbezirk does not count
    assert names.to_dict() == {
        "06": "Hessen", "066": "Kassel, Regierungsbezirk", "06611": "Kassel, kreisfreie Stadt",
        "06633": "Kassel, Landkreis", "01001": "Flensburg",
        "09162": "München, Landeshauptstadt", "09184": "München, Landkreis"}


def test_index_steckbrief_and_xlsx_use_the_chapters_name(tmp_path):
    from openpyxl import load_workbook

    from bimokit.report import finish_report

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "regions.csv").write_text(
        'ags,name,level\n01,Schleswig-Holstein,land\n01001,"Flensburg, kreisfreie Stadt",kreis\n'
        '01002,"Kiel, kreisfreie Stadt",kreis\n', encoding="utf-8")
    (folder / "facts.csv").write_text(
        "ags,year,variable,value,status,source\n01001,2024,bevoelkerung,90000,,t\n",
        encoding="utf-8")
    # a batch builds its requests like this: the region table's name, with the Kreistyp
    request = validate_request("01001", data=folder, out=tmp_path / "out", chapters="A",
                               notebook_dir=NOTEBOOKS)
    assert request.name == "Flensburg, kreisfreie Stadt"
    index, steckbrief, xlsx = finish_report(request, [])
    page = index.read_text(encoding="utf-8")
    assert "<h1>Bildungsbericht Flensburg</h1>" in page
    assert "kreisfreie Stadt" not in page
    assert "Steckbrief Bildung: Flensburg<" in steckbrief.read_text(encoding="utf-8")
    assert load_workbook(xlsx)["Inhalt"]["A1"].value == "Tabellenanhang Bildungsbericht Flensburg"
    assert '"name": "Flensburg"' in (index.parent / ".bimokit" / "report.json").read_text(
        encoding="utf-8")
