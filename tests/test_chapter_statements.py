"""What the chapters state and draw, checked against the numbers: the pyramid per year of age,
maps whose legend is the table's classes, one truth about trends in chapter and Steckbrief,
named Vergleichskommunen, German details."""

from __future__ import annotations

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
