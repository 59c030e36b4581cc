"""The Kommune's own small-area counts are protected before anything is published from them."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import bimokit as bk
from bimokit.disclosure import check_protected

SMALL = {"99101-02": 2.0, "99101-05": 1.0}  # Sprachförderbedarf 2024: two areas with 1 and 2


@pytest.fixture(scope="module")
def small_counts(tmp_path_factory):
    """The sample with Sprachförderbedarf 2024 of two Sozialräume set to 2 and 1 children."""
    folder = tmp_path_factory.mktemp("data") / "musterland"
    shutil.copytree(bk.sample_dir("musterland"), folder)
    path = folder / "sozialraeume.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for ags, value in SMALL.items():
        hit = (table["ags"] == ags) & (table["year"] == "2024") \
            & (table["variable"] == "sprachfoerderbedarf")
        assert hit.sum() == 1
        table.loc[hit, "value"] = str(int(value))
    table.to_csv(path, index=False)
    return folder


def _own(facts, variable, year):
    f = facts[(facts["variable"] == variable) & (facts["year"] == year)
              & facts["ags"].str.contains("-")]
    return f.set_index("ags")


def test_small_counts_are_suppressed_with_secondary_cells(small_counts):
    ds = bk.load_data(small_counts)
    own = _own(ds.facts, "sprachfoerderbedarf", 2024)
    for ags in SMALL:  # primary: 1 and 2 children
        assert np.isnan(own.loc[ags, "value"]) and own.loc[ags, "status"] == "."
    hidden = own[own["status"] == "."]
    assert len(hidden) >= 3  # at least one more cell, else the Kreis total gives the last one
    cells = ds.suppressed
    assert set(cells.loc[cells["protection"] == "primary", "ags"]) == set(SMALL)
    assert (cells["protection"] == "secondary").sum() == len(hidden) - len(SMALL)
    # official data keep their values: the Kreis and the Land are untouched
    assert ds.facts.loc[~ds.facts["ags"].str.contains("-"), "status"].ne(".").sum() > 0


def test_nothing_published_lets_an_attacker_recover_a_suppressed_cell(small_counts):
    # the attacker knows every published Sozialraum count and the Kreis total (the sum of the
    # Sozialräume: a Kreis value is published anyway) and differences them
    ds = bk.load_data(small_counts)
    own = _own(ds.facts, "sprachfoerderbedarf", 2024).reset_index()
    published = own[["ags", "value", "status"]].copy()
    truth = bk.load_data(small_counts, disclosure=None)
    total = _own(truth.facts, "sprachfoerderbedarf", 2024)["value"].sum()
    published = pd.concat([published, pd.DataFrame(
        {"ags": ["99101"], "value": [total], "status": [""]})], ignore_index=True)
    attack = check_protected(published, keys=["ags"])
    assert len(attack) == (published["status"] == ".").sum()
    assert attack["protected"].all()
    assert (attack["upper"] - attack["lower"] >= 3).all()
    # and the rate behind chapter S: C3.1 of a suppressed area is not published
    values = ds.compute("C3.1")
    rate = values[(values["year"] == 2024)].set_index("ags")
    for ags in SMALL:
        assert np.isnan(rate.loc[ags, "value"]) and rate.loc[ags, "status"] == "."


def test_chapter_s_shows_no_suppressed_number_and_states_the_rules(small_counts, tmp_path):
    ch = bk.Chapter("S", ags="99101", data=str(small_counts), out_dir=str(tmp_path))
    karte = ch.karte("C3.1", ebene="sozialraum")
    table = karte.table.set_index("ags")
    shown = table["value"].dropna()
    assert len(shown) >= 10
    for ags in SMALL:  # left out of the map's table (or without a value)
        assert ags not in shown.index
    methodik = " ".join(ch.methodik().sentences)
    assert "Fallzahlen unter 3" in methodik and "sekundäre Sperrung" in methodik
    assert "Gesperrt wurden" in methodik


def test_switching_protection_off_is_explicit_and_said(small_counts, tmp_path):
    folder = tmp_path / "off"
    shutil.copytree(small_counts, folder)
    (folder / "geheimhaltung.toml").write_text("[disclosure]\nenabled = false\n",
                                               encoding="utf-8")
    ds = bk.load_data(folder)
    assert ds.disclosure is None
    assert _own(ds.facts, "sprachfoerderbedarf", 2024).loc["99101-02", "value"] == 2.0
    ch = bk.Chapter("S", ags="99101", data=str(folder))
    assert "ausdrücklich abgeschaltet" in " ".join(ch.methodik().sentences)


def test_rules_from_the_data_folder(small_counts, tmp_path):
    folder = tmp_path / "round"
    shutil.copytree(small_counts, folder)
    (folder / "geheimhaltung.toml").write_text("[disclosure]\nrounding_base = 5\n",
                                               encoding="utf-8")
    ds = bk.load_data(folder)
    own = _own(ds.facts, "sprachfoerderbedarf", 2024)["value"]
    assert (own % 5 == 0).all()
    (folder / "geheimhaltung.toml").write_text("[disclosure]\nmin_count = 0\n",
                                               encoding="utf-8")
    with pytest.raises(bk.InputError, match="geheimhaltung.toml"):
        bk.load_data(folder)


def test_the_published_report_does_not_give_away_a_suppressed_cell(small_counts, tmp_path):
    # Build chapter S as a user would and read what it publishes: the page (HTML) and the
    # Tabellenanhang (XLSX). For the two areas with 2 and 1 children with Sprachförderbedarf
    # (of 158 and 306 examined children), neither the rate C3.1 (1,3 % and 0,3 %) nor the
    # counts appear in any row of those areas, and no Sozialraum count of Sprachförderbedarf
    # 2024 is published from which the Kreis total would give them back by differencing.
    import re

    import openpyxl

    result = bk.run_report("99101", data=small_counts, out=tmp_path, chapters="S",
                           progress=False)
    assert result.ok
    folder = tmp_path / "99101"
    secret_rates = {"Nordviertel": 100 * 2 / 158, "Oststadt": 100 * 1 / 306}
    rows = []
    book = openpyxl.load_workbook(folder / "tabellenanhang_99101.xlsx", read_only=True)
    for sheet in book.worksheets:
        rows += [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    html = (folder / "S.html").read_text(encoding="utf-8")
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        rows.append(re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S))
    for row in rows:
        cells = [str(c) for c in row]
        for name, rate in secret_rates.items():
            if not any(name in c for c in cells):
                continue
            shown = {f"{rate:.1f}".replace(".", ","), f"{rate:.2f}".replace(".", ",")}
            numbers = set(cells) | {f"{c:.1f}".replace(".", ",") for c in row
                                    if isinstance(c, float)}
            assert not shown & numbers, (name, cells)
    # the counts behind the rate are not published per Sozialraum at all
    assert not any("Sprachförderbedarf" in str(c) and "Anzahl" in str(c)
                   for row in rows for c in row)
