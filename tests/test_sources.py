"""bimokit.sources: which tables the indicators need, which a folder has, where to get the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from bimokit.errors import ParameterError
from bimokit.sources import (
    chapter_indicators,
    download_command,
    downloadable_tables,
    guide_text,
    indicator_availability,
    scan_folder,
    table_guide,
)

REAL = Path(__file__).parent / "data" / "real"
URL = "https://www.regionalstatistik.de/genesisws/downloader/00/tables/"


def _facts(rows) -> pd.DataFrame:
    """Harmonised facts from (ags, variable, altersgruppe, source) tuples."""
    return pd.DataFrame({
        "ags": [r[0] for r in rows], "year": 2024, "variable": [r[1] for r in rows],
        "altersgruppe": [r[2] for r in rows], "value": 100.0, "status": "",
        "source": [r[3] for r in rows]})


@pytest.fixture(autouse=True)
def _default_base_url(monkeypatch):
    monkeypatch.delenv("BIMOKIT_DOWNLOAD_URL", raising=False)


# --------------------------------------------------------------------------------------------
# indicator_availability


def test_population_total_only_gives_a1_1_and_names_the_age_table_for_the_rest():
    facts = _facts([("09162", "bevoelkerung", "insgesamt", "12411-01-01-4")])
    av = indicator_availability(facts, ags="09162").set_index("id")
    assert bool(av.loc["A1.1", "available"]) and av.loc["A1.1", "missing_tables"] == ()
    # A1.2 needs bevoelkerung[altersgruppe=0-3]: only 12411-02-03-4 gives Altersgruppen
    assert not av.loc["A1.2", "available"]
    assert av.loc["A1.2", "missing_tables"] == ("12411-02-03-4",)
    # G1.1 = vhs_belegungen / bevoelkerung: the population is there, the VHS file is missing
    assert av.loc["G1.1", "missing_tables"] == ("vhs_statistik",)
    # C1.1 needs Kita and Tagespflege (22543-01-03-4) and the age groups
    assert av.loc["C1.1", "missing_tables"] == ("22543-01-03-4", "12411-02-03-4")
    assert len(av) >= 72 and av["available"].dtype == bool


def test_only_the_kommunes_facts_count():
    facts = _facts([("09162", "bevoelkerung", "insgesamt", "12411-01-01-4")])
    av = indicator_availability(facts, ags="09184").set_index("id")
    assert not av.loc["A1.1", "available"]
    # no population at all: of the three tables that give it, the one most indicators use
    assert av.loc["A1.1", "missing_tables"] == ("12411-02-03-4",)
    assert av.loc["A1.1", "note"] == "statt 12411-02-03-4 auch 12411-03-03-4"
    # 12411-01-01-4 is in the folder, so it is not named as missing
    assert "12411-01-01-4" not in av.loc["A1.1", "note"]


def test_a_present_table_without_the_values_is_said_so():
    facts = _facts([("09162", "bevoelkerung", "insgesamt", "12411-01-01-4")])
    av = indicator_availability(facts, ags="09162",
                                present={"12411-01-01-4", "12411-02-03-4"}).set_index("id")
    assert not av.loc["A1.2", "available"]
    assert av.loc["A1.2", "missing_tables"] == ()
    assert av.loc["A1.2", "note"] == ("12411-02-03-4 vorhanden, aber ohne Werte für "
                                      "bevoelkerung[altersgruppe=0-3]")


def test_a_secret_value_counts_as_data():
    facts = _facts([("09162", "bevoelkerung", "insgesamt", "12411-02-03-4"),
                    ("09162", "bevoelkerung", "0-3", "12411-02-03-4")])
    facts.loc[1, ["value", "status"]] = [float("nan"), "."]
    av = indicator_availability(facts, ags="09162").set_index("id")
    assert av.loc["A1.2", "available"]


def test_the_sample_gives_every_indicator_for_musterstadt():
    from bimokit.data import load_sample

    ds = load_sample()
    av = indicator_availability(ds.facts, ags="99101")
    assert av["available"].all(), av.loc[~av["available"], "id"].tolist()


# --------------------------------------------------------------------------------------------
# chapters and download lines


def test_chapter_s_reports_the_sozialindex_indicators():
    assert chapter_indicators("S") == ["A2.1", "C3.1", "D3.1", "A2.3", "D4.1"]
    assert chapter_indicators("D")[:2] == ["D1.1", "D1.2"]


def test_downloadable_tables_leave_out_own_sample_and_ended_tables():
    # chapter G: vhs_statistik (own file) and 12411-01-01-4
    assert downloadable_tables("G") == ["12411-01-01-4"]
    # chapter E: 21121-01-02-4 and 21211-* are codes of the sample only
    assert downloadable_tables("E") == ["12411-02-03-4", "21121-02-02-4"]
    # chapter C: the current Kita tables
    assert downloadable_tables("C") == ["22543-01-03-4", "12411-02-03-4", "22543-03-01-4",
                                        "22543-04-01-4"]
    everything = downloadable_tables()
    assert "21311-01-01-4" in everything and "vhs_statistik" not in everything
    assert len(everything) == len(set(everything))
    with pytest.raises(ParameterError, match="--chapters must be a comma list out of "
                                             "A,B,C,D,E,F,G,H,S; not 'X'"):
        downloadable_tables("X")


def test_download_command():
    assert download_command(["21311-01-01-4", "sozialraeume", "22541-01-01-4"], to="daten") \
        == "bimokit download 21311-01-01-4 --to daten"
    assert download_command(["vhs_statistik"]) == ""


# --------------------------------------------------------------------------------------------
# scan_folder and table_guide


@pytest.fixture()
def folder(tmp_path) -> Path:
    """Two real exports, a -B copy of one, an unknown table and a file that is no export."""
    shutil.copy(REAL / "21111-02-06-4_stand-2025.csv", tmp_path)
    body = (REAL / "21111-01-03-4_stand-2025.csv").read_bytes()
    (tmp_path / "21111-01-03-4-B.csv").write_bytes(
        body.replace(b"21111-01-03-4", b"21111-01-03-4-B", 1))
    (tmp_path / "99999-99-99-4.csv").write_bytes(
        (REAL / "21121-02-02-4.csv").read_bytes().replace(b"21121-02-02-4", b"99999-99-99-4",
                                                          1))
    (tmp_path / "notizen.csv").write_text("Das ist keine Tabelle\n", encoding="utf-8")
    (tmp_path / "regions.csv").write_text("ags,name\n", encoding="utf-8")
    return tmp_path


def test_scan_lists_every_file_and_why_one_gives_nothing(folder):
    scan = scan_folder(folder)
    files = scan.files.set_index("file")
    assert list(files.index) == ["21111-01-03-4-B.csv", "21111-02-06-4_stand-2025.csv",
                                 "99999-99-99-4.csv", "notizen.csv"]  # not regions.csv
    abg = files.loc["21111-02-06-4_stand-2025.csv"]
    assert abg[["table", "stand", "years", "problem"]].tolist() == [
        "21111-02-06-4", "13.03.2025", "2023", ""]
    # 19 regions x 6 Abschlüsse x 3 (Insgesamt, weiblich and männlich as their difference)
    assert abg["rows"] == 19 * 6 * 3
    assert files.loc["99999-99-99-4.csv", "problem"].startswith(
        "nicht zugeordnet: table '99999-99-99-4' has no table mapping")
    assert files.loc["notizen.csv", "problem"].startswith("nicht lesbar: ")
    # the -B variant counts as its table
    assert {"21111-01-03-4-B", "21111-01-03-4", "21111-02-06-4"} <= scan.tables
    assert set(scan.facts["variable"]) == {"abgaenger"} or "schueler" in set(
        scan.facts["variable"])


def test_guide_rows_for_a_folder(folder):
    g = table_guide(folder, chapters="D,F")
    assert set(g["chapter"]) == {"D", "F"}
    d41 = g[(g["indicator"] == "D4.1")].iloc[0]
    assert d41[["table", "present", "available", "files", "stand", "years", "url"]].tolist() \
        == ["21111-02-06-4", True, True, "21111-02-06-4_stand-2025.csv", "13.03.2025", "2023",
            ""]
    assert d41["table_title"].startswith("Absolventen/Abgänger allgemeinbildender Schulen")
    assert bool(d41["verified"])
    d11 = g[(g["indicator"] == "D1.1")].iloc[0]
    assert bool(d11["present"]) and d11["files"] == "21111-01-03-4-B.csv"
    f11 = g[(g["indicator"] == "F1.1")].iloc[0]
    assert f11[["table", "present", "available", "url"]].tolist() == [
        "21311-01-01-4", False, False, URL + "21311-01-01-4_00.csv"]
    # F1.1, F1.3, F1.4, F2.1 need only 21311-01-01-4; F1.2, F2.2 also the age groups
    assert f11["enables"] == "F1.1, F1.3, F1.4, F2.1"
    assert f11["needed_for"] == "F1.1, F1.2, F1.3, F1.4, F2.1, F2.2"
    assert not bool(f11["verified"])


def test_guide_without_a_folder_lists_tables_and_addresses():
    g = table_guide(chapters="A", base_url="http://spiegel.example/t")
    assert g["present"].isna().all() and g["available"].isna().all()
    a12 = g[g["indicator"] == "A1.2"].iloc[0]
    assert a12["url"] == "http://spiegel.example/t/12411-02-03-4_00.csv"
    own = g[g["table"] == "ba_sgb2_arbeitsmarkt"].iloc[0]
    assert own["url"] == "" and own["source"] == "own"
    assert list(g.columns) == [
        "chapter", "indicator", "indicator_title", "available", "table", "table_title",
        "source", "verified", "present", "files", "stand", "years", "url", "enables",
        "needed_for", "note"]


def test_guide_of_sample_tables_says_why_there_is_no_address():
    g = table_guide(chapters="C,E")
    # the catalogue names only current tables (the Kita tables that ended in 2002 and 2010
    # were replaced: see test_source_tables)
    assert not g["table"].isin(["22541-01-01-4", "22543-01-01-4"]).any()
    kita = g[g["table"] == "22543-01-03-4"].iloc[0]
    assert kita["url"].endswith("22543-01-03-4_00.csv")
    azubi = g[g["table"] == "21211-01-01-4"].iloc[0]
    assert azubi["url"] == "" and azubi["source"] == "sample"
    assert "keine Tabelle der Regionalstatistik" in azubi["note"]


def test_guide_text_without_folder_has_no_marks():
    text = guide_text(table_guide(chapters="F"))
    assert text.splitlines()[0].startswith("Quelltabellen der Indikatoren (2 Tabellen;")
    assert "         Tabellen: 21311-01-01-4   12411-02-03-4" in text
    assert "vorhanden" not in text and "fehlt " not in text
    assert "Nicht an einem echten Export geprüft" in text
