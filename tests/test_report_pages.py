"""Report pages (index, Steckbrief), formatting in the report and the runner's kernel shutdown."""

from __future__ import annotations

import asyncio
import copy
import re

import pytest

from bimokit.report import _execute


@pytest.mark.parametrize("factory", ["_warm_manager_class", "_kernel_manager_class"])
def test_kernel_shutdown_sends_no_interrupt(monkeypatch, factory):
    # jupyter_client interrupts (SIGINT) before every shutdown; an ipykernel busy with a message
    # then prints "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." to the terminal.
    from jupyter_client import KernelManager

    calls = []

    async def fake_interrupt(self):
        calls.append(self.shutting_down)

    monkeypatch.setattr(KernelManager, "_async_interrupt_kernel", fake_interrupt)
    km = getattr(_execute, factory)()()
    km.shutting_down = True
    asyncio.run(km._async_interrupt_kernel())
    assert calls == []  # no SIGINT while shutting down
    km.shutting_down = False
    asyncio.run(km._async_interrupt_kernel())
    assert calls == [False]  # a user's interrupt still goes through


def _cells(html, row):
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                          rows[row])]


def test_steckbrief_value_has_a_short_unit_and_words_beside_signs():
    from bimokit.publish import KeyFigure
    from bimokit.report import steckbrief_table

    figures = [
        KeyFigure("F1.1", "Studierende", 33148.0, "Anzahl", 2024, None, None, chapter="F"),
        KeyFigure("F1.2", "Studierende je 1.000 Einwohner von 18 bis unter 25 Jahren", 616.49,
                  "je 1.000 Einwohner von 18 bis unter 25 Jahren", 2024, "gruen", "↑",
                  comparison="Land: 163,4 je 1.000", chapter="F"),
        KeyFigure("A1.9", "Jugendquotient", 27.7, "je 100 Personen von 20 bis unter 65 Jahren",
                  2024, "rot", None, chapter="A"),
        KeyFigure("C1.1", "Betreuungsquote", 20.0, "%", 2024, "gelb", "→", chapter="C"),
    ]
    html = steckbrief_table(figures, chapter_titles={"F": "Hochschule", "A": "Rahmen",
                                                     "C": "Kita"})
    head = _cells(html, 0)
    assert head == ["Handlungsfeld", "Kennzahl", "Wert", "Jahr", "Ampel", "Trend", "Vergleich"]
    # the Handlungsfeld once for its two rows
    assert html.count(">Hochschule<") == 1 and 'rowspan="2"' in html
    assert _cells(html, 1)[2:] == ["33.148", "2024", "–", "–", ""]
    # 616,49 → "616,5 je 1.000"; the long unit is in the label already
    assert _cells(html, 2) == [
        "Studierende je 1.000 Einwohner von 18 bis unter 25 Jahren (F1.2)", "616,5 je 1.000",
        "2024", "✓ grün", "↑ steigend", "Land: 163,4 je 1.000"]
    # a label without the unit gets it written out once under the label
    assert _cells(html, 3)[1] == ("Jugendquotient (A1.9)Einheit: je 100 Personen von 20 bis "
                                  "unter 65 Jahren")
    assert _cells(html, 3)[2:5] == ["27,7 je 100", "2024", "✗ rot"]
    # a share keeps one decimal even when whole: 20,0 %
    assert _cells(html, 4)[2:6] == ["20,0 %", "2024", "! gelb", "→ gleichbleibend"]
    assert "je 1.000 Einwohner von 18 bis unter 25 Jahren</td><td" not in html


def test_steckbrief_trend_cell_shows_the_chapters_note():
    from bimokit.publish import KeyFigure
    from bimokit.report import steckbrief_table

    html = steckbrief_table([
        KeyFigure("D4.1", "Ohne Abschluss", 9.0, "%", 2024, None, "↕", chapter="D",
                  trend_note="seit 2012 uneinheitlich"),
        KeyFigure("A1.1", "Einwohner", 585719.0, "Anzahl", 2024, None, None, chapter="A",
                  trend_note="2012–2021 gestiegen; seit Zensus 2022 zu wenige Jahre")])
    assert _cells(html, 1)[5] == "↕ uneinheitlichseit 2012 uneinheitlich"
    assert _cells(html, 2)[5] == "–2012–2021 gestiegen; seit Zensus 2022 zu wenige Jahre"


def test_steckbrief_page_explains_signs_and_prints_on_a4(tmp_path):
    from bimokit.publish import KeyFigure
    from bimokit.report import write_steckbrief

    path = write_steckbrief(tmp_path / "steckbrief.html", kommune="Musterstadt", ags="99101",
                            keyfigures=[KeyFigure("C1.1", "Quote", 1.0, "%", 2024, "rot", None,
                                                  chapter="C")], stand="01.01.2025")
    page = path.read_text(encoding="utf-8")
    assert "✗ rot = weniger" in page and "↑ steigend, ↓ fallend, → gleichbleibend" in page
    # the legend no longer gives one reason for every "–": the cell says why (trend_note)
    assert "↕ uneinheitlich" in page and "– = keine Trendaussage; der Grund steht darunter" in page
    assert "weil weniger als fünf vergleichbare Jahre" not in page
    assert "@page { size: A4" in page and "print-color-adjust: exact" in page


def test_chapter_tables_are_not_right_aligned_by_jupyterlab_css():
    # JupyterLab right-aligns every cell with specificity (0,2,1); ours must be higher
    from pathlib import Path

    import bimokit.report

    css = (Path(bimokit.report.__file__).parent / "templates" / "report.css").read_text(
        encoding="utf-8")
    rule = re.search(r"\.bk-chapter \.jp-RenderedHTMLCommon \.bk-table td \{([^}]*)\}", css)
    assert rule and "text-align: left" in rule.group(1)


def test_reused_html_exporter_gives_each_page_its_own_content():
    # The exporter is kept per thread (its templates are compiled once); a page converted
    # after another must carry only its own title, header and outputs, exactly as a page
    # converted by a new exporter.
    import nbformat.v4 as nbf

    def notebook(text):
        nb = nbf.new_notebook()
        cell = nbf.new_code_cell("x")
        cell.outputs = [nbf.new_output("display_data", data={"text/html": f"<p>{text}</p>"})]
        nb.cells = [nbf.new_markdown_cell(f"# Kapitel {text}"), cell]
        return nb

    notebooks = {t: notebook(t) for t in ("Erstes", "Zweites")}

    def page(text, kommune):
        return _execute.notebook_to_html(
            copy.deepcopy(notebooks[text]), title=f"C – {kommune}",
            context={"kommune": kommune, "ags": "99101", "chapter": "C", "date": "01.12.2026"})

    first = page("Erstes", "Musterstadt")
    second = page("Zweites", "Beispielkreis")
    assert "<title>C – Beispielkreis</title>" in second and "Musterstadt" not in second
    assert "<p>Zweites</p>" in second and "Erstes" not in second
    assert _execute._html_exporter() is _execute._html_exporter()
    _execute._EXPORTERS.__dict__.clear()  # a new exporter converts the same page the same way
    assert page("Zweites", "Beispielkreis") == second
    assert page("Erstes", "Musterstadt") == first


def test_summaries_of_one_chapter_and_one_kommune_read_as_german():
    from pathlib import Path

    from bimokit.batch import BatchResult, ChapterRecord
    from bimokit.report import ChapterResult, ReportResult

    one = ChapterResult("S", True, Path("r/S.html"), 1.0, None)
    report = ReportResult("99101", "Musterstadt", Path("r"), [one], Path("r/index.html"),
                          Path("r/steckbrief.html"), Path("r/t.xlsx"))
    assert report.summary().endswith("Das Kapitel ist erstellt / the chapter is built: "
                                     "r/index.html")
    two = ReportResult("99101", "Musterstadt", Path("r"), [one, one], Path("r/index.html"),
                       Path("r/steckbrief.html"), Path("r/t.xlsx"))
    assert "Alle 2 Kapitel erstellt / all 2 chapters built: r/index.html" in two.summary()
    rec = ChapterRecord(ags="99101", name="Musterstadt", chapter="S", status="ok")
    batch = BatchResult([rec], [("99101", "Musterstadt")], Path("out"), "run", 1.0,
                        html_path=Path("out/batch_report.html"))
    assert batch.summary() == ("Die Kommune ist fertig (1 Kapitel erstellt, 0 übersprungen "
                               "(aktuell), 0 fehlgeschlagen); Bericht: out/batch_report.html")
