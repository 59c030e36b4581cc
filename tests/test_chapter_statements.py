"""What the chapters state and draw, checked against the numbers: the pyramid per year of age,
maps whose legend is the table's classes, one truth about trends in chapter and Steckbrief,
named Vergleichskommunen, German details."""

from __future__ import annotations

import pandas as pd
import pytest

from bimokit.chapters import Chapter


def test_pyramid_data_are_per_year_of_age():
    ch = Chapter("A", ags="99101")
    sec = ch.pyramide()
    drawn = sec.charts[0].data.set_index("altersgruppe")
    table = sec.tables[0].set_index("altersgruppe")
    f = ch.facts
    pop = f[(f["variable"] == "bevoelkerung") & (f["ags"] == "99101") & (f["year"] == 2024)
            & (f["nationalitaet"] == "insgesamt")]
    # 65 bis unter 75 Jahre: the count over 10 years of age; 3 bis unter 6: over 3 years
    for code, label, width in (("65-75", "65 bis unter 75 Jahre", 10),
                               ("3-6", "3 bis unter 6 Jahre", 3), ("75+", "75 Jahre und älter",
                                                                   15)):
        men = pop[(pop["altersgruppe"] == code) & (pop["geschlecht"] == "maennlich")]
        women = pop[(pop["altersgruppe"] == code) & (pop["geschlecht"] == "weiblich")]
        assert drawn.loc[code, "maennlich"] == pytest.approx(men["value"].sum() / width)
        assert drawn.loc[code, "weiblich"] == pytest.approx(women["value"].sum() / width)
        assert table.loc[label, "je_altersjahr"] == pytest.approx(
            (men["value"].sum() + women["value"].sum()) / width)
        assert table.loc[label, "insgesamt"] == men["value"].sum() + women["value"].sum()
    # the widest groups no longer look largest: 65-75 and 75+ are less dense than 30-35
    dens = drawn["maennlich"] + drawn["weiblich"]
    assert dens["30-35"] > dens["65-75"] > dens["75+"]
    assert sec.charts[0].ax.get_xlabel().startswith("Personen je Altersjahr")
    assert "Personen je Altersjahr" in sec.charts[0].alt


def _sections(feld: str, **options) -> tuple[Chapter, list]:
    """Run the display calls of notebooks/<feld>.ipynb on the sample; return the sections."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "notebooks" / f"{feld}.ipynb").read_text(
        encoding="utf-8"))
    ch = Chapter(feld, ags="99101", **options)
    sections = []
    for cell in nb["cells"]:
        src = "".join(cell["source"]).strip()
        if cell["cell_type"] == "code" and src.startswith("ch."):
            sections.append(eval(src, {"ch": ch}))  # noqa: S307 - our own notebook
    return ch, sections


@pytest.fixture(scope="module")
def chapter_s():
    return _sections("S")


@pytest.fixture(scope="module")
def chapter_a():
    return _sections("A")


def test_sozialindex_map_legend_title_and_classes_are_the_tables(chapter_s):
    ch, sections = chapter_s
    table = next(s for s in sections if s.tables and "score_z" in s.tables[0]).tables[0]
    chart = next(s for s in sections if s.charts and s.charts[0].alt.startswith(
        "Karte: Sozialindex")).charts[0]
    legend = chart.ax.get_legend()
    # the legend names what is shown (the class of the index), not "Anzahl"
    title = legend.get_title().get_text().replace("\n", " ")
    assert title == "Sozialindex-Klasse (Bedarf)" and "Anzahl" not in title
    # the classes are the table's: one entry per class that occurs, none empty
    pairs = table[["klasse", "bedeutung"]].drop_duplicates().sort_values("klasse")
    expected = [f"{int(k)} {b}" for k, b in pairs.itertuples(index=False)]
    assert [t.get_text() for t in legend.get_texts()] == expected
    assert expected == ["2 niedrig", "3 mittel", "4 hoch", "5 sehr hoch"]  # no class 1 here
    drawn = chart.data.set_index("ags")["klasse"]
    assert (drawn[table["ags"]].to_numpy() == table["klasse"].to_numpy()).all()
    # every area is numbered on the map and named in the key
    assert sorted(int(t.get_text()) for t in chart.ax.texts) == list(range(1, 16))


def test_map_of_an_indicator_names_it_in_the_legend(chapter_s):
    _, sections = chapter_s
    sec = next(s for s in sections if s.charts and s.charts[0].alt.startswith(
        "Karte: SGB-II-Quote"))
    legend = sec.charts[0].ax.get_legend().get_title().get_text().replace("\n", " ")
    assert legend == "SGB-II-Quote der unter 15-Jährigen in %"
    table = sec.tables[0]
    assert table.set_index("name").loc["Hafenviertel", "nummer"] == 6


@pytest.mark.parametrize("feld", ["A", "S"])
def test_no_chart_of_chapters_a_and_s_has_a_clipped_or_covered_legend(feld, chapter_a,
                                                                     chapter_s):
    from _layout import layout_problems

    _, sections = {"A": chapter_a, "S": chapter_s}[feld]
    charts = [c for s in sections for c in s.charts]
    assert len(charts) >= 5
    assert {c.alt[:40]: layout_problems(c) for c in charts if layout_problems(c)} == {}


def test_population_based_series_mark_the_zensus_break(chapter_a):
    _, sections = chapter_a
    a18 = next(s for s in sections if s.title.startswith("A1.8"))
    marks = [ln.get_xdata()[0] for ln in a18.charts[0].ax.lines
             if ln.get_gid() == "bimokit-break"]
    assert marks == [2021.5]
    # Übergangsquote (D3.1) does not rest on population figures: no mark
    ch = Chapter("D", ags="99101")
    chart = ch.indikator("D3.1").charts[0]
    assert not [ln for ln in chart.ax.lines if ln.get_gid() == "bimokit-break"]


def test_a_chart_from_a_copy_of_the_sample_credits_the_sample(tmp_path):
    import shutil

    import bimokit as bk

    folder = tmp_path / "musterland"
    shutil.copytree(bk.sample_dir(), folder)
    ch = Chapter("D", ags="99101", data=str(folder))
    chart = ch.indikator("D4.1").charts[0]
    assert chart.source.startswith("Quelle: Beispieldaten Musterland (fiktiv, keine amtlichen "
                                   "Werte)")
    assert "Statistische Ämter" not in chart.source


_PREDICATES = {"gestiegen": "gestiegen", "gesunken": "gesunken",
               "weitgehend stabil": "weitgehend stabil", "uneinheitlich": "uneinheitlich"}


def _note_in_sentence(part: str, sentence: str) -> bool:
    """One '; '-part of a Steckbrief trend note said in the Kernaussage."""
    import re

    if re.fullmatch(r"nur \d+ Jahre? \(mindestens 5 nötig\)", part):
        return not any(w in sentence for w in _PREDICATES)
    m = re.fullmatch(r"seit (Zensus \d{4}) zu wenige Jahre", part)
    if m:
        return (f"seit dem Zeitreihenbruch durch den {m.group(1)} ist die Reihe für eine "
                "Trendaussage noch zu kurz") in sentence
    m = re.fullmatch(r"zu wenige vergleichbare Jahre \(seit (Zensus \d{4}) und davor\)", part)
    if m:
        return (f"wegen des Zeitreihenbruchs durch den {m.group(1)} ist keine Trendaussage "
                "möglich (zu wenige vergleichbare Jahre)") in sentence
    m = re.fullmatch(r"(seit [\w ]+?|\d{4}–\d{4}) (gestiegen|gesunken|weitgehend "
                     r"stabil|uneinheitlich)", part)
    assert m, part
    when, word = m.groups()
    when = re.sub(r"(\d{4})–(\d{4})", r"von \1 bis \2", when)
    when = when.replace("seit Zensus", "seit dem Zeitreihenbruch durch den Zensus")
    return when in sentence and word.split()[-1] in sentence.split(when, 1)[1][:80]


def test_steckbrief_trend_equals_the_chapters_for_every_steckbrief_indicator(tmp_path):
    from bimokit.catalogue import load_catalogue
    from bimokit.publish import TRENDS, read_published
    from bimokit.report import steckbrief_table

    words = {"steigend": "gestiegen", "fallend": "gesunken", "gleichbleibend": "weitgehend stabil",
             "uneinheitlich": "uneinheitlich"}
    checked = {}
    for feld in "ABCDEFGH":
        out = tmp_path / feld
        ch = Chapter(feld, ags="99101", out_dir=str(out))
        for ind in load_catalogue().handlungsfelder[feld].main_indicators[:2]:
            ch.indikator(ind)
        _, figures = read_published(out)
        for kf in figures:
            sentence = ch.kernaussage_text(kf.indicator)
            cls, note = ch.trend_statement(kf.indicator)
            assert (kf.trend_arrow, kf.trend_note) == (
                {"steigend": "↑", "fallend": "↓", "stabil": "→", "uneinheitlich": "↕"}.get(cls),
                note)
            if kf.trend_arrow:  # the arrow's word is the sentence's predicate
                word = TRENDS[kf.trend_arrow]
                assert words[word] in sentence, (kf.indicator, sentence)
            for part in filter(None, note.split("; ")):
                assert _note_in_sentence(part, sentence), (kf.indicator, part, sentence)
            html = steckbrief_table([kf])
            assert note in html
            checked[kf.indicator] = (kf.trend_arrow, note)
    assert len(checked) >= 12
    # the case of the issue: the chapter said "seit 2012 uneinheitlich", the Steckbrief "–"
    # "weil weniger als fünf vergleichbare Jahre"
    assert checked["D4.1"] == ("↕", "seit 2012 uneinheitlich")
    assert checked["A1.1"] == (None, "2012–2021 gestiegen; seit Zensus 2022 zu wenige Jahre")


def test_five_named_peers_appear_as_five_lines_and_columns():
    peers = ["99102", "99103", "99151", "99152", "99201"]
    ch = Chapter("D", ags="99101", vergleichsgruppe=",".join(peers))
    names = [ch._names[a] for a in peers]
    assert names == ["Beispielhafen", "Modellingen", "Talkreis", "Musterheide", "Fiktivbrück"]
    sec = ch.indikator("D4.1")
    chart = sec.charts[0]
    lines = {ln.get_label(): ln for ln in chart.ax.lines}
    assert [n for n in names if n in lines] == names  # five lines, each named
    drawn = chart.data[chart.data["role"] == "vergleichskommune"]
    assert list(pd.unique(drawn["ags"])) == peers
    t = ch.totals
    for ags, name in zip(peers, names, strict=True):
        own = t[(t["indicator"] == "D4.1") & (t["ags"] == ags)].sort_values("year")
        assert list(lines[name].get_ydata()) == pytest.approx(list(own["value"]))
    # the pooled group value stays beside them
    assert "Vergleichsgruppe" in lines
    table = sec.tables[0]
    cols = [f"peer_{a}" for a in peers]
    assert [c for c in table.columns if c.startswith("peer_")] == cols
    last = t[(t["indicator"] == "D4.1") & (t["year"] == 2024)].set_index("ags")["value"]
    assert table.loc[table["year"] == 2024, cols].iloc[0].tolist() == pytest.approx(
        [last[a] for a in peers])
    html = "".join(sec.fragments)
    assert all(f"<th>{n}</th>" in html or f">{n}<" in html for n in names)
    assert "jeder wird in Grafiken und Tabellen einzeln gezeigt" in ch.titel().sentences[0]
    # more than five: compared as a pooled group only
    six = Chapter("D", ags="99101", vergleichsgruppe=",".join([*peers, "99202"]))
    assert not any(r == "vergleichskommune" for r in six.indikator("D4.1").charts[0].data["role"])
    assert "mehr als 5 werden nur als Gruppe gezeigt" in six.titel().sentences[0]


def test_chapter_d_states_the_leavers_berichtsjahr_one_way():
    from bimokit.chapters._chapter import LEAVERS_YEAR

    ch, sections = _sections("D")
    text = " ".join(s for sec in sections for s in sec.sentences)
    notes = "".join(f for sec in sections for f in sec.fragments)
    # the definitions, the table notes and the Methodik say the same: the year it ends
    assert LEAVERS_YEAR == ("Berichtsjahr ist das Jahr, in dem das Schuljahr endet (2023 = "
                            "Schuljahr 2022/23).")
    assert text.count(LEAVERS_YEAR) >= 3 and notes.count(LEAVERS_YEAR) >= 5
    # no sentence counts every school year by its start any more
    assert "Schuljahre werden nach dem Jahr ihres Beginns gezählt" not in notes
    methodik = next(sec for sec in sections if sec.title == "Methodik").sentences[0]
    assert methodik.endswith("Schülerinnen, Schüler und Schulen werden nach dem Jahr gezählt, in "
                             "dem das Schuljahr beginnt (2023 = Schuljahr 2023/24). Absolventen "
                             f"und Abgänger: {LEAVERS_YEAR}")
    # every table of a leavers' indicator carries it
    import re

    captions = re.findall(r"<caption>(D4\.\d[^<]*)</caption>.*?</table>(<p class=\"bk-table-note"
                          r"\">[^<]*</p>)", notes, flags=re.S)
    assert len(captions) >= 2 and all(LEAVERS_YEAR in note for _, note in captions)


def _one_target():
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "ziele.csv"
    path.write_text("ags,indicator,baseline_year,target_year,target_value\n"
                    ",A2.1,2018,2030,10.0\n", encoding="utf-8")
    return path


def test_german_singular_and_plural_and_decimal_commas():
    from bimokit.chapters._chapter import _count

    assert _count(1, "mögliche Doppelstruktur", "mögliche Doppelstrukturen") == \
        "1 mögliche Doppelstruktur"
    assert _count(2, "Lücke", "Lücken") == "2 Lücken"
    ch = Chapter("S", ags="99101")
    ch.zielerreichung(zielwerte=str(_one_target()))
    assert "Das Ziel steht auf" in ch.outputs[-1] and "Von 1 Zielen" not in ch.outputs[-1]
