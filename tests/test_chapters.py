"""Tests for bimokit.chapters: the Chapter API on the sample and one executed notebook."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bimokit as bk
import bimokit.comparison as compare_mod  # noqa: E402
import bimokit.trends as trend_mod  # noqa: E402
from bimokit.chapters import Chapter, load_dataset, read_zielwerte
from bimokit.errors import InputError, ParameterError, UnknownRegionError
from bimokit.publish import read_published
from bimokit.text import Comparison, Subject, kernaussage

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture(scope="module")
def ds():
    return load_dataset("")


@pytest.fixture(scope="module")
def chapter_d():
    return Chapter("D", ags="99101")


def _strong(outputs):
    return [m for o in outputs for m in re.findall(r"<strong>(.*?)</strong>", o)]


def test_kernaussage_is_the_sentence_of_the_computed_numbers(ds, chapter_d):
    f = ds.facts
    sel = (f["variable"] == "abgaenger") & (f["ags"] == "99101") & (f["year"] == 2024) \
        & (f["geschlecht"].isna() | (f["geschlecht"] == "insgesamt")) \
        & (f["nationalitaet"].isna() | (f["nationalitaet"] == "insgesamt"))
    counts = f[sel].set_index("abschluss")["value"]
    # D4.1 = 100 · abgaenger[ohne_esa] / abgaenger[insgesamt] for Musterstadt 2024
    share = 100 * counts["ohne_esa"] / counts["insgesamt"]
    own = chapter_d.totals[(chapter_d.totals["ags"] == "99101")
                           & (chapter_d.totals["indicator"] == "D4.1")
                           & (chapter_d.totals["year"] == 2024)].iloc[0]
    assert own["value"] == pytest.approx(share)

    # the same sentence, built by hand from compare and trend
    values = ds.compute(["D4.1"])
    cat = bk.catalogue_table()
    comp = compare_mod.compare(values, "99101", regions=ds.regions, indicators="D4.1",
                               year=2024, direction=cat, units=cat).iloc[0]
    tr = trend_mod.trend(values[values["ags"] == "99101"], units=cat,
                         population_based=["A1.1"]).iloc[0]
    assert int(tr["first_year"]) == 2012  # school data: no Zensus cut
    expected = kernaussage(
        share, subject=Subject("der Anteil der Schulabgänger ohne Ersten Schulabschluss",
                               genus="m"),
        year=2024, unit="%", direction=-1, ci_low=own["ci_low"], ci_high=own["ci_high"],
        comparisons=[Comparison(comp["land_value"], "land"),
                     Comparison(comp["group_value"], "gruppe",
                                significant=comp["funnel_flag"] != "innerhalb")],
        trend=tr["trend_class"], trend_since=2012)
    assert chapter_d.kernaussage_text("D4.1") == expected
    start = len(chapter_d.outputs)
    chapter_d.indikator("D4.1")
    shown = _strong(chapter_d.outputs[start:])
    assert shown == [expected]
    assert expected.startswith(
        f"Der Anteil der Schulabgänger ohne Ersten Schulabschluss lag 2024 bei "
        f"{bk.fmt_number(share, 1)} %")


def test_published_table_has_german_headers_and_keyfigure(tmp_path):
    ch = Chapter("C", ags="99101", out_dir=str(tmp_path))
    ch.indikator("C1.1")
    tables, figures = read_published(tmp_path)
    (table,) = tables
    assert table.name == "C1.1 Betreuungsquote der Kinder unter 3 Jahren"
    headers = [table.header(c) for c in table.table.columns]
    assert headers == ["Jahr", "Musterstadt", "Land Musterland", "Vergleichsgruppe"]
    assert table.table["year"].tolist() == [2020, 2021, 2022, 2023, 2024]
    # key figure of the Steckbrief: the 2024 value, Ampel from the sample's Zielwerte
    (fig,) = figures
    v = ch.totals[(ch.totals["ags"] == "99101") & (ch.totals["indicator"] == "C1.1")
                  & (ch.totals["year"] == 2024)]["value"].item()
    assert (fig.indicator, fig.year, fig.unit) == ("C1.1", 2024, "%")
    assert fig.value == pytest.approx(v)
    targets = pd.DataFrame({"indicator": ["C1.1"], "baseline_year": [2018],
                            "target_year": [2030], "target_value": [50.0]})
    status = bk.target_status(ch.totals[ch.totals["ags"] == "99101"]
                              [["ags", "year", "indicator", "value"]], targets,
                              direction={"C1.1": 1})
    assert fig.ampel == {"grün": "gruen", "gelb": "gelb", "rot": "rot"}[status["ampel"].item()]
    html = "".join(ch.outputs)
    assert not re.search(r"\bnan\b", html)
    assert 'alt="Liniendiagramm: Betreuungsquote der Kinder unter 3 Jahren in Musterstadt' in html


def test_counts_are_not_compared_with_the_land():
    ch = Chapter("F", ags="99101")
    # F1.1 (Studierende, a count): the sentence names no reference value
    assert "Landeswert" not in ch.kernaussage_text("F1.1")
    assert "Landeswert" in ch.kernaussage_text("F1.2") or "Niveau des Landes" in \
        ch.kernaussage_text("F1.2")


def test_kreis_without_hochschule_says_so_instead_of_ranking(tmp_path):
    ch = Chapter("F", ags="99151", out_dir=str(tmp_path))
    t = ch.totals[(ch.totals["ags"] == "99151") & (ch.totals["year"] == 2024)]
    # the sample's Landkreis 99151 has no Studierende: F1.1 = 0 (status "-"), F1.3 = 0/0 → x
    assert t.loc[t["indicator"] == "F1.1", "value"].item() == 0
    assert ch.kernaussage_text("F1.3") == (
        "Im Kreis gibt es keine Hochschule; der Frauenanteil an den Studierenden entfällt "
        "deshalb.")
    assert ch.kernaussage_text("F1.2") == (
        "Im Kreis gibt es keine Hochschule; die Zahl der Studierenden je 1.000 Einwohner von "
        "18 bis unter 25 Jahren ist deshalb 0 und wird nicht mit anderen Regionen verglichen.")
    assert ch.kernaussage_text("F1.1") == (
        "Im Kreis gibt es keine Hochschule; die Zahl der Studierenden ist deshalb 0.")
    start = len(ch.outputs)
    ch.indikator("F1.2")
    ch.rangfolge("F1.2")
    ch.funnel("F1.3")
    html = "".join(ch.outputs[start:])
    assert "<img" not in html and "unter dem Landeswert" not in html
    assert not re.search(r"Rang \d", html)
    assert "Im Kreis gibt es keine Hochschule; eine Rangfolge entfällt." in html
    assert "Trichterdiagramm entfällt" in ch.outputs[-1]
    # a Hochschulstandort is ranked as before
    assert Chapter("F", ags="99101").kernaussage_text("F1.2").startswith(
        "Die Zahl der Studierenden je 1.000 Einwohner")


def test_allocation_sums_to_the_budget_and_follows_need():
    ch = Chapter("S", ags="99101")
    ch.mittelverteilung(budget=500_000, sockelanteil=0.0)
    a = ch.allocation
    assert len(a) == 15 and a["amount"].sum() == 500_000
    assert a["giesskanne_amount"].sum() == 500_000
    # without base: amount_u = budget · kinder_u · klasse_u / Σ kinder·klasse (± 1 euro)
    need = a["kinder"] * a["klasse"]
    exact = 500_000 * need / need.sum()
    assert np.all(np.abs(a["amount"] - exact) < 1.0)
    html = "".join(ch.outputs)
    assert "Mittelverteilung 500.000 Euro" in html
    # Sozialräume of the Kommune: no Land-level example, no highlighted row
    assert "Landesebene" not in html and "bk-hervorgehoben" not in html


def test_sozialindex_of_kreise_when_there_are_no_sozialraeume():
    ch = Chapter("S", ags="99151")
    ch.sozialindex()
    text = "".join(ch.outputs)
    assert "keine Daten auf Ebene von Sozialräumen" in text
    r = ch._sozialindex_result()
    # 29 Kreise exist in Musterland on 31.12.2024 (99155 was merged into 99154)
    assert r["level"] == "kreis" and len(r["si"]) == 29
    assert "Talkreis liegt in Klasse" in text
    # the Kreis's own row is highlighted in the table of all Kreise
    assert text.count('<tr class="bk-hervorgehoben"') == 1
    assert re.search(r'<tr class="bk-hervorgehoben" style="[^"]*font-weight:bold[^"]*">'
                     r"<td>99151</td><td>Talkreis</td>", text)


def test_allocation_without_sozialraeume_is_a_land_level_example():
    ch = Chapter("S", ags="99151")
    ch.mittelverteilung(budget=1_000_000)
    text = "".join(ch.outputs)
    assert ("Für Talkreis liegen keine Sozialräume vor. Die folgende Rechnung ist deshalb ein "
            "Beispiel auf Landesebene: Ein Landesbudget von 1.000.000 Euro wird nach Bedarf auf "
            "alle 29 Kreise und kreisfreien Städte in Musterland verteilt.") in text
    assert "Mittelverteilung 1.000.000 Euro auf die Kreise in Musterland (Beispiel)" in text
    a = ch.allocation
    assert len(a) == 29 and a["amount"].sum() == 1_000_000
    row = a[a["ags"] == "99151"].iloc[0]
    # the sentence repeats the Kreis's row: amount, share of the budget, euro per child
    share = 100 * row["amount"] / 1_000_000
    # 1 Mio. Euro for all children of the Land: about 1 Euro per child, shown with cents
    per_child = row["amount"] / row["kinder"]
    assert per_child < 10
    diff = row["amount"] - row["giesskanne_amount"]
    expected = (f"Talkreis (Klasse {int(row['klasse'])}) erhielte in diesem Beispiel "
                f"{bk.fmt.fmt_number(row['amount'], 0)} Euro ({bk.fmt.fmt_number(share, 1)} % "
                f"des Landesbudgets, {bk.fmt.fmt_number(per_child, 2)} Euro je Kind unter 15 "
                f"Jahren), {bk.fmt.fmt_number(abs(diff), 0)} Euro "
                f"{'mehr' if diff >= 0 else 'weniger'} als mit der Gießkanne.")
    assert expected in text
    assert text.count('<tr class="bk-hervorgehoben"') == 1
    assert re.search(r'<tr class="bk-hervorgehoben"[^>]*><td>99151</td><td>Talkreis</td>', text)


def test_unknown_and_dissolved_regions_raise_clear_errors():
    with pytest.raises(UnknownRegionError, match="no longer exists"):
        Chapter("A", ags="99155")
    with pytest.raises(UnknownRegionError, match="Unknown AGS '99999'"):
        Chapter("A", ags="99999")
    with pytest.raises(ParameterError, match="level 'land'"):
        Chapter("A", ags="99")
    with pytest.raises(ParameterError, match="`feld`"):
        Chapter("X", ags="99101")
    with pytest.raises(ParameterError, match="outside the data"):
        Chapter("A", ags="99101", years="2030-2031")
    with pytest.raises(ParameterError, match="vergleichsgruppe"):
        Chapter("A", ags="99101", vergleichsgruppe="aehnlich:x")


def test_years_and_vergleichsgruppe_parameters():
    ch = Chapter("C", ags="99101", years="2015-2020", vergleichsgruppe="99102,99103")
    assert ch.values["year"].between(2015, 2020).all()
    assert ch.kernaussage_text("C2.1").startswith(
        "Der Anteil ganztägig betreuter Kinder in Kindertageseinrichtungen lag 2020 bei")
    assert set(ch.comparison["n_group"]) <= {1, 2, 3}
    similar = Chapter("C", ags="99101", vergleichsgruppe="aehnlich:4")
    assert set(similar.comparison.loc[similar.comparison["indicator"] == "C1.1",
                                      "n_group"]) == {5}


def test_names_from_data_are_escaped():
    ch = Chapter("H", ags="99101")
    ch.name = "Muster<b>stadt</b> & Co"
    ch.titel()
    assert "Muster&lt;b&gt;stadt&lt;/b&gt; &amp; Co" in ch.outputs[0]
    assert "<b>" not in "".join(ch.outputs)


def test_sozialindex_with_missing_indicators_is_narrowed_or_left_out(tmp_path):
    # the sample without the BA file: no A2.3 (Arbeitslose) at all, A2.1 (SGB-II-Quote) only
    # for the 2 Kreise with Sozialräume (of 29)
    import shutil

    folder = tmp_path / "ohne_ba"
    shutil.copytree(bk.sample_dir(), folder)
    (folder / "ba_sgb2_arbeitsmarkt.csv").unlink()
    # the Kreis index (A2.1, A2.3, D4.1) keeps only D4.1: no index, a note naming both
    ch = Chapter("S", ags="99151", data=str(folder))
    ch.sozialindex()
    text = "".join(ch.outputs)
    assert ("Der Sozialindex entfällt: er fasst mindestens zwei Indikatoren zusammen, und für "
            "„SGB-II-Quote der unter 15-Jährigen“ (A2.1) und „Arbeitslose je 100 Einwohner von "
            "15 bis unter 65 Jahren“ (A2.3) fehlen in den Daten Werte für mindestens die Hälfte "
            "der Gebiete.") in text
    assert ch._sozialindex_result() is None
    # three indicators of which one is missing: the index of the other two, with a note
    ch = Chapter("S", ags="99151", data=str(folder))
    ch.sozialindex(indikatoren=["A2.3", "D4.1", "C1.1"])
    text = "".join(ch.outputs)
    assert ("Ohne „Arbeitslose je 100 Einwohner von 15 bis unter 65 Jahren“ (A2.3): dafür "
            "fehlen in den Daten Werte für mindestens die Hälfte der Gebiete.") in text
    r = ch._sozialindex_result(["A2.3", "D4.1", "C1.1"])
    assert list(r["indicators"]) == ["D4.1", "C1.1"] and r["missing"] == ["A2.3"]
    assert r["si"]["score_z"].notna().sum() >= 20  # the Kreise of Musterland


def test_zielwerte_file(tmp_path):
    t = read_zielwerte(bk.sample_dir() / "zielwerte.csv")
    assert {"indicator", "baseline_year", "target_year", "target_value"} <= set(t.columns)
    ch = Chapter("S", ags="99101")
    ch.zielerreichung()
    # Musterstadt's own D4.1 target (7,0) replaces the Land target (5,0)
    res = ch._target_status_cached
    assert res.loc[res["indicator"] == "D4.1", "target_value"].item() == 7.0
    bad = tmp_path / "ziele.csv"
    bad.write_text("indicator,baseline_year,target_year,target_value\nC1.1,2018,2030,viel\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"Zeile 2, Feld target_value: .viel. ist keine Zahl"):
        read_zielwerte(bad)


def test_zielwerte_saved_by_excel(tmp_path):
    # German Excel: ';', Windows-1252, decimal comma, a remark in quotes holding a ';'
    excel = tmp_path / "ziele.csv"
    excel.write_bytes("ags;indicator;baseline_year;target_year;target_value;bemerkung\r\n"
                      '99101;C1.1;2018;2030;52,5;"Beschluss Jugendhilfeausschuss; Ausbau Ü3"\r\n'
                      .encode("cp1252"))
    t = read_zielwerte(excel)
    assert t.loc[0, "target_value"] == 52.5 and t.loc[0, "ags"] == "99101"
    assert t.loc[0, "bemerkung"] == "Beschluss Jugendhilfeausschuss; Ausbau Ü3"
    # UTF-16 ("Unicode-Text" in Excel) is refused with the file named, not a UnicodeDecodeError
    utf16 = tmp_path / "ziele16.csv"
    utf16.write_text("indicator,baseline_year,target_year,target_value\n", encoding="utf-16")
    with pytest.raises(InputError, match="ziele16.csv"):
        read_zielwerte(utf16)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_executed_notebook_has_no_nan_no_traceback_and_alt_texts(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOKS / "D.ipynb", as_version=4)
    assert nb.cells[1].metadata.get("tags") == ["parameters"]
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    nb.cells[1].source += f'\nags = "99353"\nout_dir = r"{tmp_path}"'
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    markup = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            assert o["output_type"] != "error"
            assert not (o["output_type"] == "stream" and o["name"] == "stderr"), o["text"]
            markup.append(o.get("data", {}).get("text/html", "") + o.get("text", ""))
    text = re.sub(r'src="data:[^"]+"', "", "".join(markup))
    assert "Traceback" not in text
    assert not re.search(r"\b(nan|NaN|NaT)\b|<NA>", text)
    imgs = re.findall(r"<img[^>]*>", text)
    assert len(imgs) >= 8
    assert all(re.search(r'alt="[^"]{20,}"', i) for i in imgs)
    assert "Kernaussagen" in text and "Methodik" in text and "Quellen" in text
    tables, figures = read_published(tmp_path)
    assert len(tables) >= 5 and [f.indicator for f in figures] == ["D4.1", "D4.5"]


@pytest.mark.parametrize("feld", list("ABCDEFGHS"))
def test_chapter_heading_appears_once(feld):
    # ch.titel() writes the one <h1> of the page; a Markdown "# …" cell would repeat it
    import json

    nb = json.loads((NOTEBOOKS / f"{feld}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            lines = "".join(cell["source"]).splitlines()
            assert not any(ln.startswith("# ") for ln in lines), (feld, lines[0])
    assert any("ch.titel()" in "".join(c["source"]) for c in nb["cells"])


def test_s_sections_have_no_second_heading():
    ch = Chapter("S", ags="99101")
    ch.titel()
    ch.sozialindex()
    ch.zielerreichung()
    html = "".join(ch.outputs)
    assert html.count("<h1>") == 1
    assert "<h3>Sozialindex</h3>" not in html and "<h3>Zielerreichung</h3>" not in html


def test_trend_sentence_names_the_zensus_break_and_no_short_trend(tmp_path):
    ch = Chapter("A", ags="99101", out_dir=str(tmp_path))
    own = ch.totals[(ch.totals["ags"] == "99101") & (ch.totals["indicator"] == "A1.1")]
    before = own[own["year"] < 2022].sort_values("year")
    # population 2012 … 2021 in the sample rises every year → "gestiegen"
    assert before["value"].is_monotonic_increasing and len(before) == 10
    assert ch.kernaussage_text("A1.1") == (
        f"Die Einwohnerzahl lag 2024 bei {bk.fmt_number(own['value'].iloc[-1])}; von 2012 bis "
        "2021 ist sie gestiegen, seit dem Zeitreihenbruch durch den Zensus 2022 ist die Reihe "
        "für eine Trendaussage noch zu kurz.")
    ch.indikator("A1.1")
    _, figures = read_published(tmp_path)
    # 2022–2024 are three years: no arrow in the Steckbrief
    assert figures[0].indicator == "A1.1" and figures[0].trend_arrow is None
    assert "Zeitreihenbruch 2022: Bevölkerungszahlen ab 2022 beruhen auf dem Zensus 2022" in \
        "".join(ch.outputs)


def test_rate_units_are_written_once():
    ch = Chapter("F", ags="99101")
    s = ch.kernaussage_text("F1.2")
    own = ch.totals[(ch.totals["ags"] == "99101") & (ch.totals["indicator"] == "F1.2")
                    & (ch.totals["year"] == 2024)]["value"].item()
    # the subject names "je 1.000 Einwohner von 18 bis unter 25 Jahren": the number stands alone
    assert s.startswith("Die Zahl der Studierenden je 1.000 Einwohner von 18 bis unter 25 "
                        f"Jahren lag 2024 bei {bk.fmt_number(own, 1)} und damit ")
    assert s.count("je 1.000") == 1
    a = Chapter("A", ags="99101").kernaussage_text("A2.3")
    assert a.startswith("Der Anteil der Arbeitslosen an den Einwohnern von 15 bis unter 65 "
                        "Jahren lag 2024 bei ")


def test_map_alt_text_uses_the_region_names():
    ch = Chapter("A", ags="99101")
    ch.karte("A2.1", ebene="kreis")
    alt = re.search(r'alt="([^"]*)"', ch.outputs[-1]).group(1)
    # the GeoJSON calls it "Musterstadt, Kreisfreie Stadt"; the region table "Musterstadt"
    assert "Musterstadt liegt mit " in alt
    assert "Kreisfreie Stadt" not in alt and ", Landkreis" not in alt


def test_allocation_method_names_children_as_the_population():
    ch = Chapter("S", ags="99101")
    ch.mittelverteilung(budget=1_000_000)
    ch.methodik()
    text = "".join(ch.outputs)
    assert "je Einwohner*in" not in text
    assert ("Gießkanne = gleicher Betrag je Person der Bezugsbevölkerung. Bezugsbevölkerung: "
            "Kinder unter 15 Jahren") in text


def test_sozialindex_and_funnel_sentences_are_grammatical():
    s = Chapter("S", ags="99101")
    s.sozialindex()
    assert any(re.match(r"<p>\d+ von 15 Sozialräumen haben einen hohen", o) for o in s.outputs)
    g = Chapter("G", ags="99101")
    g.funnel("G1.1")
    # Musterstadt lies below the 99,8-% limit of G1.1 in the sample
    assert g.outputs[-1] == ("<p>Musterstadt liegt 2024 unterhalb der 99,8-%-Grenze (außerhalb "
                             "des Trichters): Der Abstand zur Vergleichsgruppe ist statistisch "
                             "auffällig.</p>")


def test_methodik_names_the_land_and_only_methods_in_use():
    a = Chapter("A", ags="99101")
    for i in ("A1.1", "A1.8"):
        a.indikator(i)
    a.methodik()
    text = "".join(a.outputs)
    assert "gleicher Kreistyp (kreisfreie Stadt) in Musterland;" in text
    assert "Land 99" not in text
    assert "Zielerreichungsgrad" not in text  # no Zielwert for A1.1/A1.8 in the sample
    c = Chapter("C", ags="99101")
    c.indikator("C1.1")  # C1.1 has a Zielwert: its Ampel goes to the Steckbrief
    c.methodik()
    assert "Zielerreichungsgrad" in "".join(c.outputs)


def test_breakdown_leaves_out_categories_without_values():
    d = Chapter("D", ags="99101")
    d.aufschluesselung("D2.1", nach="schulart")
    table = d.outputs[-1]
    # Orientierungsstufe and Vorschule have no pupils in Musterstadt or the Land
    assert "Orientierungsstufe" not in table and "Vorschule" not in table
    assert "<td>Grundschule</td>" in table
    d.aufschluesselung("D4.1", nach="geschlecht")
    # the table publishes Insgesamt and weiblich; männlich is their difference (harmonize)
    assert "<td>männlich</td>" in d.outputs[-1] and "<td>weiblich</td>" in d.outputs[-1]
    assert "nur „weiblich“ gesondert" not in "".join(d.outputs)


def test_real_data_degrades_gracefully(shared_data):
    folder = str(shared_data / "genesis_examples")
    a = Chapter("A", ags="01001", data=folder)
    assert a.name == "Flensburg"  # GENESIS: "Flensburg, kreisfreie Stadt"
    a.titel()
    a.kernaussagen()
    a.indikator("A1.1")
    a.indikator("A2.1")
    a.funnel("A2.1")
    a.quellen()
    html = "".join(a.outputs)
    assert "Flensburg (kreisfreie Stadt, AGS 01001), Schleswig-Holstein." in html
    # one year of population (2018): a table, no chart of one point
    assert "Für Flensburg liegt nur der Wert für 2018 vor; eine Zeitreihe entfällt." in html
    assert "Die SGB-II-Quote der unter 15-Jährigen liegt für Flensburg nicht vor" in html
    assert "Liniendiagramm" not in html
    # source titles as GENESIS writes them, attribution from the file
    assert "Tabelle 12411-01-01-4: Bevölkerung nach Geschlecht – Stichtag 31.12. (Datei" in html
    assert "© Statistische Ämter des Bundes und der Länder" in html
    assert "fiktiv" not in html and "Musterland" not in html
    # the source line names only the table the values came from, with its Stand: the
    # catalogue's 12411-02-03-4 and 12411-03-03-4 are not in this folder
    assert ("Quelle: Statistische Ämter des Bundes und der Länder und weitere Quellen, Tabelle "
            "12411-01-01-4 (Stand 21.03.2020); eigene Berechnungen") in html
    assert "12411-02-03-4" not in html and "12411-03-03-4" not in html
    assert "ba_sgb2" not in html  # A2.1 has no values here: no source line, no table named
    d = Chapter("D", ags="01001", data=folder)
    d.aufschluesselung("D2.1", nach="schulart")
    rows = re.findall(r"<tr>(.*?)</tr>", d.outputs[-1])
    # no row whose every number is missing (Hauptschule, Orientierungsstufe in 2015)
    assert all(re.search(r'class="bk-num">[\d,.]+<', r) for r in rows[1:])


def test_funnel_alt_text_names_the_denominator_not_cases():
    a = Chapter("A", ags="99101")
    a.funnel("A2.1")
    alt = re.search(r'alt="([^"]*)"', a.outputs[-2]).group(1)
    # A2.1 is a share of the population under 15, not of "Fälle"
    assert "nach ihrer Bezugsgröße (Bevölkerung unter 15 Jahren)" in alt
    assert "Fällen" not in alt and "Fallzahl" not in alt
    assert re.search(r"Musterstadt liegt mit [\d,]+ % bei einer Bezugsgröße von [\d.]+ ", alt)


def test_source_line_names_the_editions_the_values_came_from(chapter_d):
    # D4.1 uses both editions of 21111-02-06-4 (Stand 11.12.2019 for 2012–2016, the newer
    # edition of 03.03.2025 wins from 2017 on); the footers of the sample files say so
    assert chapter_d._tables_of("D4.1") == [("21111-02-06-4", ("11.12.2019", "03.03.2025"))]
    assert chapter_d._source(chapter_d._tables_of("D4.1")) == (
        "Beispieldaten Musterland (fiktiv, keine amtlichen Werte), Tabelle 21111-02-06-4 "
        "(Stand 11.12.2019 und 03.03.2025); eigene Berechnungen")
    # D3.1 of the Kreise comes from the flat Land table (no Stand), that of the Sozialräume
    # from the Kommune's own file
    assert chapter_d._tables_of("D3.1") == [("21111-04-01-4", ())]
    assert chapter_d._tables_of("D3.1", sozialraum=True) == [("sozialraeume.csv", ())]


def test_chapter_from_the_kernels_shared_results_equals_a_cold_one():
    # A batch kernel keeps what every Kommune of a Land shares (source tables, the Sozialindex
    # of the Kreise, extra indicators …); a Kommune built after another must read exactly as
    # one built in a fresh kernel.
    import bimokit.chapters._chapter as chapter_mod

    def build(ags):
        ch = Chapter("S", ags=ags)
        ch.sozialindex()
        ch.mittelverteilung()
        ch.zielerreichung()
        ch.indikator("A2.1")
        ch.methodik()
        ch.quellen()
        return ch.outputs

    chapter_mod.CONTEXT.results.clear()
    cold = build("99152")
    chapter_mod.CONTEXT.results.clear()
    other = build("99151")  # fills the shared results of the Land
    assert any(k[0] == "sozialindex" for k in chapter_mod.CONTEXT.results)
    warm = build("99152")
    assert warm == cold
    assert other != cold  # and they are not simply the same page


def test_rewritten_values_file_is_read_again(tmp_path, ds):
    values = ds.compute(["C1.1"])
    path = tmp_path / "values.csv"
    bk.save_values(values, path)
    first = Chapter("C", ags="99101", values_path=str(path))._latest("C1.1")["value"]
    bk.save_values(values.assign(value=values["value"] + 1.0), path)
    st = path.stat()  # a later modification time, as a re-run batch writes it
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    second = Chapter("C", ags="99101", values_path=str(path))._latest("C1.1")["value"]
    # every value raised by 1, so Musterstadt's latest one too
    assert second == pytest.approx(first + 1.0)


def test_city_state_is_compared_with_germany_not_with_itself(shared_data):
    # Berlin (11000, from the Land rows 11 of the real Kreis tables) is the only kreisfreie
    # Stadt of its Land: the Vergleichsgruppe is the kreisfreie Städte of Germany, and the
    # Kernaussagen do not compare it with its own Land value
    ch = Chapter("D", ags="11000", data=str(shared_data / "genesis_examples"))
    ch.titel()
    ch.kernaussagen()
    text = "".join(ch.outputs)
    assert "Vergleichsgruppe: Kreise gleichen Typs in Deutschland." in text
    assert "Berlin ist Land und kreisfreie Stadt zugleich" in text
    assert "auf dem Landeswert" not in text and "dem Wert der Vergleichsgruppe" in text
    # no Land line or column beside the city: it would repeat its own values
    ch.indikator("D4.1")
    assert "Land Berlin" not in "".join(ch.outputs)
    munich = Chapter("D", ags="09162", data=str(shared_data / "genesis_examples"))
    munich.indikator("D4.1")
    assert "Land Bayern" in "".join(munich.outputs)
    from bimokit.comparison import group_members

    members, how = group_members("11000", regions=ch.regions)
    assert {"02000", "09162", "01001"} <= set(members) and "in Deutschland" in how


def test_display_calls_return_sections_with_the_numbers_behind_them():
    # ch.indikator("D4.1") returns a Section: its table is the DataFrame behind the page's
    # table, its chart the figure, and its HTML is exactly what the page shows
    from bimokit.chapters import Section

    ch = bk.Chapter("D", ags="99101")
    r = ch.indikator("D4.1")
    assert isinstance(r, Section)
    assert r.title.startswith("D4.1 ")
    assert isinstance(r.table, pd.DataFrame) and list(r.table.columns[:2]) == ["year", "value"]
    own = ch.totals[(ch.totals["ags"] == "99101") & (ch.totals["indicator"] == "D4.1")]
    latest = own.sort_values("year").iloc[-1]
    assert r.table["value"].iloc[-1] == pytest.approx(latest["value"])
    assert r.table["year"].iloc[-1] == latest["year"]
    assert r.chart is not None and r.charts[0].alt
    assert r.sentences[0].startswith("Definition:") and any("D4.1" not in s for s in r.sentences)
    assert r.sources and all("Musterland" in s for s in r.sources)
    assert r.html == "".join(r.fragments) and r.fragments == ch.outputs[-len(r.fragments):]
    assert r._repr_html_() == r.html
    k = ch.kernaussagen()
    main = bk.load_catalogue().handlungsfelder["D"].main_indicators
    assert k.title == "Kernaussagen" and len(k.sentences) == len(main)
    assert k.table.empty and k.chart is None
