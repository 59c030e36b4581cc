"""German charts (bimokit.plots): structure, German numbers, source line, alt text, no rc leak."""

from __future__ import annotations

import json

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from bimokit.errors import ParameterError, UnknownRegionError
from bimokit.plots import (
    Chart,
    funnel_curves,
    map_classes,
    plot_choropleth,
    plot_funnel,
    plot_pyramid,
    plot_ranking,
    plot_small_multiples,
    plot_stacked_shares,
    plot_timeseries,
    source_text,
)

NAMES = {"99101": "Musterstadt", "99": "Musterland", "DG": "Deutschland",
         "99151": "Nordkreis", "99152": "Südkreis", "99153": "Westkreis"}
YEARS = list(range(2015, 2025))


def _values() -> pd.DataFrame:
    rows = []
    for ags, base in (("99101", 6.0), ("99", 5.0), ("DG", 5.5)):
        for i, y in enumerate(YEARS):
            v = base + 0.1 * i
            ci = (v - 0.5, v + 0.5) if ags == "99101" else (np.nan, np.nan)
            rows.append({"ags": ags, "year": y, "indicator": "D3.1", "value": v,
                         "ci_low": ci[0], "ci_high": ci[1], "status": ""})
    return pd.DataFrame(rows)


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels if t.get_text()]


def _texts(chart: Chart) -> list[str]:
    return [t.get_text() for t in chart.fig.texts]


def _square(x0, y0, size=1.0):
    return [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]


def _geojson() -> dict:
    # Musterstadt: a square with a hole (lake); Nordkreis: MultiPolygon of two squares
    # (mainland + island); Südkreis and Westkreis plain squares; one Sozialraum ignored by level.
    feats = [
        ("99101", "Musterstadt", "kreis",
         {"type": "Polygon", "coordinates": [_square(0, 0, 4), _square(1, 1, 1)[::-1]]}),
        ("99151", "Nordkreis", "kreis",
         {"type": "MultiPolygon", "coordinates": [[_square(4, 0, 4)], [[*_square(9, 3)]]]}),
        ("99152", "Südkreis", "kreis", {"type": "Polygon", "coordinates": [_square(0, -4, 4)]}),
        ("99153", "Westkreis", "kreis", {"type": "Polygon", "coordinates": [_square(-4, 0, 4)]}),
        ("99101-01", "Altstadt", "sozialraum",
         {"type": "Polygon", "coordinates": [_square(0, 0, 2)]}),
    ]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"ags": a, "name": n, "level": lvl}, "geometry": g}
        for a, n, lvl, g in feats]}


# --- one builder per chart, used by the cross-cutting tests ---------------------------------

def _ts():
    group = pd.Series([5.5 + 0.05 * i for i in range(len(YEARS))], index=YEARS)
    return plot_timeseries(_values(), ags="99101", names=NAMES, group=group,
                           title="Abgänger ohne Ersten Schulabschluss",
                           source_tables=["21111-02-06-4"])


def _ranking():
    v = pd.DataFrame({"ags": ["99101", "99151", "99152", "99153"], "year": 2024,
                      "value": [6.9, 4.25, 7.5, 6.9]})
    return plot_ranking(v, ags="99101", names=NAMES, land_value=5.9, title="Ohne Abschluss")


def _funnel():
    m = pd.DataFrame({"ags": ["99101", "99151", "99152", "99153"],
                      "denominator": [400, 900, 2500, 100], "value": [12.0, 9.0, 10.2, 22.0],
                      "year": 2024})
    return plot_funnel(m, ags="99101", names=NAMES, center=10.0, title="Ohne Abschluss")


def _stacked():
    d = pd.DataFrame({"year": [2023] * 4 + [2024] * 4,
                      "abschluss": ["insgesamt", "ohne_esa", "msa", "ahr"] * 2,
                      "value": [200, 20, 120, 60, 250, 25, 150, 75]})
    return plot_stacked_shares(d, category="abschluss", name="Musterstadt",
                               title="Abschlussarten", source="IT.Musterland")


def _pyramid():
    ages = ["75+", "0-3", "3-6", "insgesamt"]
    rows = [{"year": y, "altersgruppe": a, "geschlecht": g, "value": v}
            for y in (2023, 2024)
            for a, (m, w) in zip(ages, [(700, 1100), (500, 480), (510, 490), (1710, 2070)],
                                 strict=True)
            for g, v in (("maennlich", m), ("weiblich", w), ("insgesamt", m + w))]
    return plot_pyramid(pd.DataFrame(rows), name="Musterstadt")


def _multiples():
    d = pd.DataFrame([{"geschlecht": g, "ags": a, "year": y, "value": base + (a == "99")}
                      for g, base in (("insgesamt", 6.0), ("weiblich", 5.0), ("maennlich", 7.0))
                      for a in ("99101", "99") for y in YEARS])
    return plot_small_multiples(d, by="geschlecht", hue="ags", name="Musterstadt",
                                labels=NAMES, title="Ohne Abschluss")


def _choropleth():
    v = pd.DataFrame({"ags": ["99101", "99151", "99152"], "value": [7.1, 3.0, 9.99],
                      "year": 2024})
    return plot_choropleth(v, _geojson(), level="kreis", bins=[0, 5, 10], highlight="99101",
                           area="Musterland", title="Ohne Abschluss")


BUILDERS = {"timeseries": _ts, "ranking": _ranking, "funnel": _funnel, "stacked": _stacked,
            "pyramid": _pyramid, "multiples": _multiples, "choropleth": _choropleth}


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_chart_keeps_rcparams_and_has_source_and_alt(kind):
    before = dict(mpl.rcParams)
    chart = BUILDERS[kind]()
    after = dict(mpl.rcParams)
    assert after == before  # nothing of the house style leaks into the kernel
    assert isinstance(chart, Chart)
    assert any(t.startswith("Quelle: ") for t in _texts(chart))
    assert chart.source.startswith("Quelle: ")
    assert "Musterstadt" in chart.alt
    assert "2024" in chart.alt
    assert "nan" not in chart.alt.lower()
    html = chart.to_html(dpi=40)
    assert html.startswith('<img src="data:image/png;base64,')
    assert 'alt="' in html and "Musterstadt" in html
    assert dict(mpl.rcParams) == before


def test_timeseries_lines_band_ticks_and_alt():
    ch = _ts()
    ax = ch.ax
    # Kommune, Land, Bund and Vergleichsgruppe
    assert len(ax.lines) == 4
    assert len(ax.collections) == 1  # the confidence band of the Kommune
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["Musterstadt", "Land (Musterland)", "Bund (Deutschland)",
                      "Vergleichsgruppe"]
    kom = ax.lines[0]
    assert list(kom.get_xdata()) == YEARS
    assert kom.get_ydata()[-1] == pytest.approx(6.9)  # 6,0 + 0,1 · 9
    ch.fig.canvas.draw()
    yt = _ticks(ax.get_yticklabels())
    assert yt and all(t.endswith(" %") for t in yt)
    assert any("," in t for t in yt)
    assert not any("." in t for t in yt)
    xt = _ticks(ax.get_xticklabels())
    assert "2024" in xt and not any("." in t for t in xt)  # years without thousands dot
    # Musterstadt (99101) is of the fictional sample: the chart credits the sample, not the
    # statistical offices
    assert ("Quelle: Beispieldaten Musterland (fiktiv, keine amtlichen Werte), Tabelle "
            "21111-02-06-4; eigene Berechnungen") in _texts(ch)
    real = plot_timeseries(_values().assign(ags=_values()["ags"].str.replace("99", "05", n=1)),
                           ags="05101", land=None, source_tables=["21111-02-06-4"])
    assert ("Quelle: Statistische Ämter des Bundes und der Länder, Tabelle 21111-02-06-4; "
            "eigene Berechnungen") in _texts(real)
    # 2024: Kommune 6,9; Land 5,0 + 0,9 = 5,9; Bund 6,4; Gruppe 5,5 + 0,45 = 5,95 → 6,0 (half up)
    assert ch.alt == (
        "Liniendiagramm: Abgänger ohne Ersten Schulabschluss in Musterstadt von 2015 bis 2024 "
        "im Vergleich mit dem Land, dem Bund und der Vergleichsgruppe. Zuletzt (2024) lag der "
        "Wert in Musterstadt bei 6,9 % (Land: 5,9 %; Bund: 6,4 %; Vergleichsgruppe: 6,0 %)."
    )
    assert set(ch.data["role"]) == {"kommune", "land", "bund", "gruppe"}


def test_timeseries_gaps_and_errors():
    v = _values()
    v.loc[(v["ags"] == "99101") & (v["year"] == 2024), ["value", "status"]] = [np.nan, "."]
    ch = plot_timeseries(v, ags="99101", names=NAMES, land=None, bund=None, ci=False)
    assert len(ch.ax.lines) == 1 and len(ch.ax.collections) == 0
    # the secret 2024 value is a gap; the alt text reports the last published year
    assert "Zuletzt (2023) lag der Wert in Musterstadt bei 6,8 %" in ch.alt
    with pytest.raises(UnknownRegionError, match="99999"):
        plot_timeseries(v, ags="99999")
    two = pd.concat([v, v.assign(indicator="D3.2")])
    with pytest.raises(ParameterError, match="indicator="):
        plot_timeseries(two, ags="99101")
    assert len(plot_timeseries(two, ags="99101", indicator="D3.2", bund=None).ax.lines) == 2
    with pytest.raises(ParameterError, match="'year'"):
        plot_timeseries(v.drop(columns="year"), ags="99101")


def test_ranking_bars_highlight_rank_and_labels():
    ch = _ranking()
    ax = ch.ax
    assert len(ax.patches) == 4
    # sorted descending: 7,5 Südkreis; 6,9 Musterstadt and Westkreis (tie → same rank 2,
    # order by AGS); 4,25 Nordkreis
    assert list(ch.data["ags"]) == ["99152", "99101", "99153", "99151"]
    assert list(ch.data["rank"]) == [1, 2, 2, 4]
    colors = {a: to_hex(p.get_facecolor()) for a, p in zip(ch.data["ags"], ax.patches,
                                                             strict=True)}
    assert colors["99101"] == "#0072b2"
    assert {colors[a] for a in ("99151", "99152", "99153")} == {"#a6a6a6"}
    values_at_bars = [t.get_text().strip() for t in ax.texts]
    assert values_at_bars == ["7,5 %", "6,9 %", "6,9 %", "4,3 %"]  # 4,25 → 4,3 (half up)
    ch.fig.canvas.draw()
    assert _ticks(ax.get_yticklabels())[1] == "Musterstadt"
    assert ch.alt == (
        "Balkendiagramm: Ohne Abschluss 2024 für 4 Kommunen der Vergleichsgruppe, absteigend "
        "sortiert. Musterstadt liegt mit 6,9 % auf Rang 2 von 4 (Land: 5,9 %)."
    )


def test_ranking_missing_values_and_unknown_kommune():
    v = pd.DataFrame({"ags": ["99101", "99151", "99152"], "value": [5.0, np.nan, 3.0]})
    ch = plot_ranking(v, ags="99101", names=NAMES, year=2022, unit="EUR")
    assert len(ch.ax.patches) == 2
    assert ch.alt.endswith("Musterstadt liegt mit 5 EUR auf Rang 1 von 2. Ohne Angabe: 1 Kommune.")
    with pytest.raises(UnknownRegionError):
        plot_ranking(v, ags="99153")


def test_ranking_of_a_large_group_is_shortened_around_the_kommune():
    # 100 members with values 100, 99, …, 1 (descending = rank order); the Kommune "k50"
    # has value 50 → rank 51. Shown: ranks 1–10, 48–54 (the Kommune ± 3), 91–100 = 27 bars,
    # and two gaps: ranks 11–47 (37 members) and 55–90 (36 members).
    v = pd.DataFrame({"ags": [f"k{i}" for i in range(100)], "value": np.arange(100.0, 0, -1)})
    v.loc[v["ags"] == "k50", "value"] = 50.0
    ch = plot_ranking(v, ags="k50", names={"k50": "Musterstadt"}, year=2024, unit="%",
                      title="Quote")
    assert len(ch.ax.patches) == 27
    labels = [t.get_text() for t in ch.ax.get_yticklabels()]
    assert labels[:2] == ["1. k0", "2. k1"] and labels[10] == "… 37 weitere"
    assert labels[14] == "51. Musterstadt" and labels[18] == "… 36 weitere"
    assert labels[-1] == "100. k99" and len(labels) == 29
    bold = [t.get_text() for t in ch.ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["51. Musterstadt"]
    assert ch.data["shown"].sum() == 27 and len(ch.data) == 100  # every member in the data
    assert "auf Rang 51 von 100" in ch.alt and "Gezeigt werden 27 davon" in ch.alt
    assert ch.fig.get_figheight() < 10  # 29 rows instead of 100
    # a group that fits is drawn whole, without rank numbers
    small = plot_ranking(v.head(30), ags="k0", year=2024)
    assert len(small.ax.patches) == 30 and small.ax.get_yticklabels()[0].get_text() == "k0"
    assert small.data["shown"].all() and "Gezeigt werden" not in small.alt


def test_funnel_curves_hand_computed():
    z95 = 1.959963984540054
    # normal approximation, p0 = 0,1; n = 400: se = sqrt(0,1 · 0,9 / 400) = 0,015
    lo, hi = funnel_curves([400], center=10.0, method="normal")
    assert lo[0] == pytest.approx(10 - z95 * 1.5)
    assert hi[0] == pytest.approx(10 + z95 * 1.5)
    # Poisson rate per 1.000: λ0 = 0,012, n = 10.000: se = sqrt(0,012 / 10.000) = 0,0010954
    lo, hi = funnel_curves([10_000], center=12.0, kind="rate", scale=1000)
    assert hi[0] == pytest.approx(12 + z95 * 1.0954451150103321)
    # exact (default) = the comparison module's limits, scaled to %
    from bimokit.comparison import funnel_limits

    lo, hi = funnel_curves([50, 400], center=10.0, level=0.998)
    elo, ehi = funnel_limits(0.1, [50, 400], level=0.998)
    assert list(lo) == pytest.approx(list(elo * 100)) and list(hi) == pytest.approx(list(ehi * 100))
    # and close to the normal approximation for large n
    assert hi[1] == pytest.approx(10 + 3.090232306167813 * 1.5, abs=0.3)
    with pytest.raises(ParameterError, match="share"):
        funnel_curves([10], center=150.0)


def test_funnel_plot_lines_points_positions():
    ch = _funnel()
    ax = ch.ax
    # centre + 2 × 95 % + 2 × 99,8 % limits
    assert len(ax.lines) == 5
    assert len(ax.collections) == 2  # other members, the Kommune
    assert ax.collections[1].get_offsets().tolist() == [[400.0, 12.0]]
    d = ch.data.set_index("ags")
    # normal approximation of the exact limits: n = 400: 95 % upper ≈ 12,94 → 12,0 inside;
    # n = 100: se = 3,0, 99,8 % upper ≈ 10 + 3,09 · 3 = 19,3 → 22,0 above;
    # n = 900: se = 1,0, 95 % lower ≈ 8,04 → 9,0 inside
    assert d.loc["99101", "position"] == "innerhalb"
    assert d.loc["99153", "position"] == "oberhalb 99,8 %"
    assert d.loc["99151", "position"] == "innerhalb"
    assert d.loc["99101", "upper95"] == pytest.approx(10 + 1.959963984540054 * 1.5, abs=0.3)
    assert d.loc["99101", "lower95"] < 10 < d.loc["99101", "upper95"] < d.loc["99101", "upper998"]
    ch.fig.canvas.draw()
    assert "1.000" in _ticks(ax.get_xticklabels())
    assert all(t.endswith(" %") for t in _ticks(ax.get_yticklabels()))
    assert ch.alt.endswith(
        "um den Landeswert von 10,0 %. Musterstadt liegt mit 12,0 % bei einer Bezugsgröße von 400 "
        "innerhalb der 95-%-Grenzen (Unterschied statistisch nicht gesichert)."
    )


def test_funnel_pooled_centre():
    m = pd.DataFrame({"ags": ["a", "b"], "denominator": [100, 300], "value": [10.0, 20.0]})
    ch = plot_funnel(m, ags="a", year=2024)
    # (10 · 100 + 20 · 300) / 400 = 17,5
    assert ch.ax.lines[0].get_ydata()[0] == pytest.approx(17.5)
    assert "um den Wert der Vergleichsgruppe von 17,5 %" in ch.alt


def test_stacked_shares_patches_and_numbers():
    ch = _stacked()
    ax = ch.ax
    assert len(ax.patches) == 6  # 2 years × 3 categories; "insgesamt" left out
    d = ch.data.set_index(["x", "category"])
    # 2023: 20 / (20 + 120 + 60) = 10 %; 2024: 150 / 250 = 60 %
    assert d.loc[(2023, "ohne_esa"), "share"] == pytest.approx(10.0)
    assert d.loc[(2024, "msa"), "share"] == pytest.approx(60.0)
    ch.fig.canvas.draw()
    assert _ticks(ax.get_yticklabels())[-1] == "100 %"
    assert _ticks(ax.get_xticklabels()) == ["2023", "2024"]
    assert "Quelle: IT.Musterland" in _texts(ch)
    assert ch.alt.endswith(
        "2024: ohne Ersten Schulabschluss 10,0 %, Mittlerer Schulabschluss 60,0 % und "
        "Allgemeine Hochschulreife 30,0 %."
    )
    with pytest.raises(ParameterError, match="order"):
        plot_stacked_shares(ch.data.assign(abschluss=ch.data["category"], year=ch.data["x"]),
                            category="abschluss", name="X", order=["fhr"])


def test_pyramid_bars_order_and_thousands():
    ch = _pyramid()
    ax = ch.ax
    assert len(ax.patches) == 6  # 3 age groups × 2
    assert list(ch.data["altersgruppe"]) == ["0-3", "3-6", "75+"]  # youngest at the bottom
    # per year of age: 0-3 and 3-6 span 3 years, 75+ is spread over 75 to 90 (15 years)
    assert ch.data["breite"].tolist() == [3, 3, 15]
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx([-500 / 3, -510 / 3, -700 / 15, 480 / 3, 490 / 3,
                                    1100 / 15])
    # each bar spans its ages: from the lower bound, as high as the group is wide
    assert [(p.get_y(), p.get_height()) for p in ax.patches[:3]] == [(0, 3), (3, 3), (75, 15)]
    assert ch.data["maennlich_gruppe"].tolist() == [500, 510, 700]
    assert ax.patches[2].get_hatch() == "///" and ax.patches[0].get_hatch() is None
    assert ax.get_xlabel().startswith("Personen je Altersjahr\n(Zahl der Altersgruppe geteilt")
    assert ax.get_ylabel() == "Alter in Jahren"
    ch.fig.canvas.draw()
    xt = _ticks(ax.get_xticklabels())
    assert xt and not any(t.startswith("-") for t in xt)
    # 2024 chosen as the latest year; 1.710 + 2.070 = 3.780; densest: 3-6, (510 + 490) / 3
    assert ch.alt == (
        "Bevölkerungspyramide: Musterstadt 2024 nach 3 Altersgruppen und Geschlecht, insgesamt "
        "3.780 Personen (1.710 männlich, 2.070 weiblich), gezeichnet je Altersjahr (Zahl der "
        "Altersgruppe geteilt durch ihre Breite in Jahren; 75 Jahre und älter bis 90 Jahre "
        "gerechnet). Am dichtesten besetzt ist die Altersgruppe 3 bis unter 6 Jahre (333 "
        "Personen je Altersjahr)."
    )
    counts = ch.data[["altersgruppe", "maennlich_gruppe", "weiblich_gruppe"]].rename(
        columns={"maennlich_gruppe": "maennlich", "weiblich_gruppe": "weiblich"})
    pct = plot_pyramid(counts.melt(id_vars=["altersgruppe"], var_name="geschlecht"),
                       name="Musterstadt", percent=True)
    # 1.100 / 3.780 = 29,1 % of the population, over 15 years of age
    assert pct.data.loc[2, "weiblich_gruppe"] == pytest.approx(1100 / 3780 * 100)
    assert pct.data.loc[2, "weiblich"] == pytest.approx(1100 / 3780 * 100 / 15)
    # as counted, one bar per group
    raw = plot_pyramid(counts.melt(id_vars=["altersgruppe"], var_name="geschlecht"),
                       name="Musterstadt", per_year=False)
    assert [p.get_width() for p in raw.ax.patches] == [-500, -510, -700, 480, 490, 1100]
    raw.fig.canvas.draw()
    assert _ticks(raw.ax.get_yticklabels()) == ["unter 3 Jahre", "3 bis unter 6 Jahre",
                                                "75 Jahre und älter"]
    with pytest.raises(ParameterError, match="no width in years"):
        plot_pyramid(counts.assign(altersgruppe=["Kinder", "3-6", "75+"]).melt(
            id_vars=["altersgruppe"], var_name="geschlecht"), name="X")


def test_small_multiples_panels_and_lines():
    ch = _multiples()
    assert len(ch.ax) == 3
    assert [a.get_title(loc="left") for a in ch.ax] == ["insgesamt", "weiblich", "männlich"]
    assert all(len(a.lines) == 2 for a in ch.ax)
    assert ch.ax[1].lines[1].get_ydata()[0] == pytest.approx(6.0)  # weiblich, Land: 5 + 1
    ch.fig.canvas.draw()
    assert all(t.endswith(" %") for t in _ticks(ch.ax[0].get_yticklabels()))
    assert ch.alt.endswith("2024: insgesamt 6,0 %, weiblich 5,0 %, männlich 7,0 %.")
    assert "Linien für Musterstadt und Musterland" in ch.alt


def test_choropleth_classes_colours_and_missing():
    ch = _choropleth()
    ax = ch.ax
    filled, missing = ax.collections[0], ax.collections[1]
    assert len(filled.get_paths()) == 3  # Musterstadt, Nordkreis, Südkreis
    assert len(missing.get_paths()) == 1  # Westkreis has no value
    assert missing.get_hatch() == "///"
    # bins [0, 5, 10]: 7,1 → class 2; 3,0 → class 1; 9,99 → class 2; Westkreis → 0
    assert list(ch.data["ags"]) == ["99101", "99151", "99152", "99153"]
    assert list(ch.data["klasse"]) == [2, 1, 2, 0]
    face = [to_hex(c) for c in filled.get_facecolor()]
    assert face[0] == face[2] != face[1]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["0,0 bis unter 5,0 %", "5,0 bis 10,0 %", "keine Angabe"]
    # The Nordkreis MultiPolygon keeps both parts: 2 rings
    nord = filled.get_paths()[1]
    assert list(nord.codes).count(1) == 2  # MOVETO
    assert "Sozialr" not in ch.alt  # the Sozialraum feature is filtered out by level
    assert ch.alt == (
        "Karte: Ohne Abschluss für die 4 Kreise von Musterland, 2024, in 2 Klassen von 0,0 % "
        "bis 10,0 % (dunkler = höher). Musterstadt liegt mit 7,1 % in Klasse 2 von 2. Höchster "
        "Wert: Südkreis (10,0 %), niedrigster: Nordkreis (3,0 %). Für 1 Gebiet keine Angabe."
    )


def test_choropleth_hole_stays_empty():
    # Render Musterstadt alone and look at the pixel in its lake (1,5 | 1,5) and on land (3 | 3)
    ch = plot_choropleth(pd.Series({"99101": 1.0}), _geojson(), within="99101", level="kreis",
                         bins=[0, 2], figsize=(4, 4), area="Musterstadt")
    ch.fig.canvas.draw()
    buf = np.asarray(ch.fig.canvas.buffer_rgba())
    to_px = ch.ax.transData.transform
    h = buf.shape[0]

    def pixel(x, y):
        px, py = to_px((x, y))
        return tuple(buf[int(h - py), int(px), :3])

    assert pixel(1.5, 1.5) == (255, 255, 255)
    assert pixel(3.0, 3.0) != (255, 255, 255)


def test_choropleth_sozialraeume_quantiles():
    gj = _geojson()
    v = pd.DataFrame({"ags": ["99101-01"], "value": [12.0]})
    ch = plot_choropleth(v, gj, within="99101-", unit="je 1000 Einwohner", highlight="99101-01")
    assert ch.alt == ("Karte: Indikatorwerte für 1 Sozialraum. Altstadt liegt mit "
                      "12,0 je 1.000 Einwohner in Klasse 1 von 1.")
    vals = [1.0, 2.0, 3.0, 4.0, 5.0, np.nan]
    cls, edges = map_classes(vals, k=2)  # median edge 3,0: [1, 3) and [3, 5]
    assert list(cls) == [0, 0, 1, 1, 1, -1]
    assert list(edges) == [1.0, 3.0, 5.0]


def test_choropleth_errors():
    gj = _geojson()
    with pytest.raises(ParameterError, match="None of the"):
        plot_choropleth(pd.Series({"01001": 1.0}), gj)
    with pytest.raises(ParameterError, match="outside"):
        plot_choropleth(pd.Series({"99101": 11.0}), gj, level="kreis", bins=[0, 10])
    with pytest.raises(ParameterError, match="No feature"):
        plot_choropleth(pd.Series({"99101": 1.0}), gj, within="01")
    with pytest.raises(UnknownRegionError):
        plot_choropleth(pd.Series({"99101": 1.0}), gj, highlight="01001")


@pytest.mark.shared
def test_choropleth_real_kreise_of_schleswig_holstein(shared_data):
    path = shared_data / "geo" / "kreise_vg5000_2021-01-01.geojson"
    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    keys = sorted(f["properties"]["ARS"] for f in feats if f["properties"]["ARS"].startswith("01"))
    assert len(keys) == 15  # 4 kreisfreie Städte + 11 Kreise (BKG VG5000, 01.01.2021)
    # hand-chosen values: Flensburg 01001 → 1, Kiel 01002 → 5 (classes [0,2) [2,4) [4,6]),
    # Lübeck 01003 → no value
    values = {k: 3.0 for k in keys}
    values.update({"01001": 1.0, "01002": 5.0, "01003": np.nan})
    ch = plot_choropleth(pd.Series(values), path, geo_key="ARS", within="01", bins=[0, 2, 4, 6],
                         highlight="01002", area="Schleswig-Holstein", year=2024,
                         source="© GeoBasis-DE / BKG 2021 (Daten verändert)")
    assert len(ch.ax.collections[0].get_paths()) == 14
    assert len(ch.ax.collections[1].get_paths()) == 1
    d = ch.data.set_index("ags")
    assert d.loc["01001", "klasse"] == 1 and d.loc["01002", "klasse"] == 3
    assert d.loc["01003", "klasse"] == 0 and d.loc["01001", "name"] == "Flensburg"
    assert "Kiel liegt mit 5,0 % in Klasse 3 von 3" in ch.alt
    assert "für die 15 Kreise von Schleswig-Holstein, 2024" in ch.alt
    # lon/lat aspect: 1 / cos(~54°) ≈ 1,7
    assert 1.5 < ch.ax.get_aspect() < 1.9


def test_source_text_variants():
    assert source_text(None) == "Quelle: eigene Berechnungen"
    assert source_text("Quelle: BA") == "Quelle: BA"
    assert source_text(None, ["12411-01-01-4", "21111-01-03-4"]) == (
        "Quelle: Statistische Ämter des Bundes und der Länder, Tabellen 12411-01-01-4, "
        "21111-01-03-4; eigene Berechnungen"
    )


def test_chart_html_escapes_alt():
    ch = plot_ranking(pd.DataFrame({"ags": ["a", "b"], "value": [1.0, 2.0]}), ags="a",
                      names={"a": 'Stadt "A" & <B>'}, year=2024)
    html = ch._repr_html_()
    assert 'Stadt &quot;A&quot; &amp; &lt;B&gt;' in html
    assert "<B>" not in html


def test_choropleth_on_the_sample_geometry():
    from bimokit._paths import sample_dir

    path = sample_dir("musterland") / "musterland.geojson"
    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    kreise = [f["properties"]["ags"] for f in feats if f["properties"]["level"] == "kreis"]
    sr = [f["properties"]["ags"] for f in feats
          if f["properties"]["ags"].startswith("99101-")]
    # one value per Kreis: 0, 1, 2, … → equal classes
    ch = plot_choropleth(pd.Series({k: float(i) for i, k in enumerate(kreise)}), path,
                         level="kreis", scheme="equal", k=4, highlight="99101",
                         area="Musterland", unit="Anzahl")
    assert len(ch.ax.collections[0].get_paths()) == len(kreise)
    assert sorted(set(ch.data["klasse"])) == [1, 2, 3, 4]
    m = plot_choropleth(pd.Series({k: 10.0 + i for i, k in enumerate(sr)}), path,
                        within="99101-", area="Musterstadt", year=2024)
    assert len(m.ax.collections[0].get_paths()) == len(sr) > 1
    assert f"für die {len(sr)} Sozialräume von Musterstadt, 2024" in m.alt


def test_funnel_axis_and_alt_text_use_the_denominator_wording():
    m = pd.DataFrame({"ags": ["1", "2", "3"], "denominator": [12_000, 30_000, 8_000],
                      "value": [21.0, 15.0, 18.0]})
    chart = plot_funnel(m, ags="1", names={"1": "Musterstadt"}, center=17.0, year=2024,
                        title="SGB-II-Quote", n_label="Bevölkerung unter 15 Jahren")
    assert chart.ax.get_xlabel() == ("Bezugsgröße: Bevölkerung unter 15 Jahren "
                                     "(logarithmische Achse)")
    # 12.000 with the German thousands separator
    assert "Musterstadt liegt mit 21,0 % bei einer Bezugsgröße von 12.000 " in chart.alt
    assert "Fällen" not in chart.alt
    group = plot_funnel(m, ags="1", center=17.0, center_label="Wert der Vergleichsgruppe")
    assert "um den Wert der Vergleichsgruppe von 17,0 %." in group.alt
    neutral = plot_funnel(m, ags="1", center=17.0)
    assert neutral.ax.get_xlabel() == "Bezugsgröße (Nenner, logarithmische Achse)"
    assert "nach ihrer Bezugsgröße, mit 95-%-" in neutral.alt


def test_chart_renders_once_at_its_size_and_looks_the_same_outside_the_style():
    import io

    from PIL import Image

    from bimokit.plots._base import house_rc
    from bimokit.publish import figure_html

    ch = _ts()
    # nothing drawn yet: the figure is laid out and drawn when it is rendered
    assert ch.fig.stale
    png = ch.to_png(dpi=110)
    # fixed figure size 7 × 4 inches at 110 dpi (no tight crop that would widen it)
    assert Image.open(io.BytesIO(png)).size == (770, 440)
    assert ch.fig.dpi == 110
    assert ch.to_png(dpi=55) != png and ch.fig.dpi == 110  # the figure keeps its dpi
    markup = figure_html(ch, dpi=110)
    assert markup.startswith('<figure class="bk-figure"><img alt="Liniendiagramm: ')
    # drawn outside the house style the ticks still have its size and grid colour
    ch2 = _ts()
    ch2.fig.canvas.draw()
    rc = house_rc()
    label = next(t for t in ch2.ax.get_yticklabels() if t.get_text())
    # notebook context × 0,85: 11 × 0,85 = 9,35 pt (matplotlib's default "medium" is 10 pt)
    assert label.get_fontsize() == pytest.approx(rc["ytick.labelsize"]) == pytest.approx(9.35)
    assert to_hex(ch2.ax.yaxis.get_major_ticks()[1].gridline.get_color()) == to_hex(
        rc["grid.color"])


def test_long_source_line_is_wrapped_inside_the_figure():
    tables = [f"12411-0{i}-01-4 (Stand 14.06.2025)" for i in range(1, 7)]
    ch = plot_timeseries(_values(), ags="99101", names=NAMES, source_tables=tables)
    text = next(t for t in ch.fig.texts if t.get_gid() == "bimokit-source")
    lines = text.get_text().split("\n")
    assert len(lines) >= 2
    assert " ".join(lines) == ch.source  # only line breaks added
    ch.fig.canvas.draw()
    fig_box = ch.fig.bbox
    box = text.get_window_extent()
    assert box.x0 >= fig_box.x0 and box.x1 <= fig_box.x1
    # the axes (and their tick labels) stay above the source line
    assert ch.ax.get_tightbbox().y0 > box.y1


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_no_legend_or_text_is_clipped_or_covered(kind):
    from _layout import layout_problems

    assert layout_problems(BUILDERS[kind]()) == []


def test_small_multiples_with_a_long_title_and_breaks_stay_inside():
    from _layout import layout_problems

    d = pd.DataFrame({"geschlecht": "weiblich", "ags": ["99101", "99"] * 5,
                      "year": [y for y in range(2020, 2025) for _ in (0, 1)],
                      "value": [7.0, 5.0] * 5})
    ch = plot_small_multiples(d, by="geschlecht", hue="ags", name="Musterstadt", labels=NAMES,
                              title="Anteil der Schulabgänger ohne Ersten Schulabschluss",
                              breaks={2022: "Zensus 2022"})
    assert layout_problems(ch) == []
    assert [ln.get_xdata()[0] for ln in ch.ax[0].lines if ln.get_gid() == "bimokit-break"] == [
        2021.5]
    assert "Markiert: Zeitreihenbruch 2022 (Zensus 2022)" in ch.alt


def test_timeseries_marks_a_break_inside_the_years_only():
    ch = plot_timeseries(_values(), ags="99101", names=NAMES,
                         breaks={2022: "Zensus 2022", 2011: "Zensus 2011"})
    marks = [ln for ln in ch.ax.lines if ln.get_gid() == "bimokit-break"]
    # 2011 lies before the first year (2015): not drawn
    assert [m.get_xdata()[0] for m in marks] == [2021.5]
    assert "Zeitreihenbruch 2022\n(Zensus 2022)" in [t.get_text() for t in
                                                      ch.ax.get_legend().get_texts()]
    assert ch.alt.endswith("Markiert: Zeitreihenbruch 2022 (Zensus 2022); Werte ab dann sind "
                           "mit früheren nur eingeschränkt vergleichbar.")


def test_choropleth_of_classes_lists_only_the_classes_that_occur():
    v = pd.DataFrame({"ags": ["99101", "99151", "99152"], "value": [5, 2, 5]})
    classes = {1: "1 sehr niedrig", 2: "2 niedrig", 3: "3 mittel", 4: "4 hoch", 5: "5 sehr hoch"}
    ch = plot_choropleth(v, _geojson(), level="kreis", classes=classes,
                         legend_title="Sozialindex-Klasse (Bedarf)", title="Sozialindex")
    legend = ch.ax.get_legend()
    assert legend.get_title().get_text() == "Sozialindex-Klasse\n(Bedarf)"
    assert [t.get_text() for t in legend.get_texts()] == ["2 niedrig", "5 sehr hoch",
                                                         "keine Angabe"]
    assert list(ch.data["klasse"]) == [5, 2, 5, 0]
    # the colour of a class is fixed (class 5 is the darkest of five), whatever occurs
    face = [to_hex(c) for c in ch.ax.collections[0].get_facecolor()]
    assert face[0] == face[2] == to_hex(mpl.colormaps["YlGnBu"](0.15 + 0.8 * 4.5 / 5))
    # numbers on the map with a key: Musterstadt 1, Nordkreis 2, Südkreis 3, Westkreis 4
    assert [t.get_text() for t in ch.ax.texts] == ["1", "2", "3", "4"]
    key = [ax.get_legend() for ax in ch.fig.axes if ax.get_legend() is not None
           and ax.get_legend().get_gid() == "bimokit-key"][0]
    assert [t.get_text() for t in key.get_texts()] == ["1  Musterstadt", "2  Nordkreis",
                                                      "3  Südkreis", "4  Westkreis"]
    with pytest.raises(ParameterError, match="not one of the `classes`"):
        plot_choropleth(v.assign(value=[6, 2, 5]), _geojson(), level="kreis", classes=classes)
