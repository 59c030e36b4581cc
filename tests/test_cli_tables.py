"""``bimokit tables``: the source tables per chapter and indicator, present or missing."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from bimokit import cli

REAL = Path(__file__).parent / "data" / "real"
URL = "https://www.regionalstatistik.de/genesisws/downloader/00/tables/"


@pytest.fixture(autouse=True)
def _default_base_url(monkeypatch):
    monkeypatch.delenv("BIMOKIT_DOWNLOAD_URL", raising=False)


def _chapter_blocks(text: str) -> dict[str, str]:
    """Chapter letter → its indented lines, from the guide text."""
    blocks, current = {}, None
    for line in text.splitlines():
        if len(line) > 2 and line[1] == " " and line[0] in "ABCDEFGHS":
            current = line[0]
            blocks[current] = ""
        elif current and line.startswith(" "):
            blocks[current] += line + "\n"
        else:
            current = None
    return blocks


def test_tables_on_the_shared_examples_lists_present_and_missing_tables(shared_data, capsys):
    data = shared_data / "genesis_examples"
    assert cli.main(["tables", "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Quelltabellen der Indikatoren im Datenordner {data}\n")
    blocks = _chapter_blocks(text)
    assert list(blocks) == list("ABCDEFGHS")
    # present and missing tables, per chapter
    for letter, present, missing in [
            ("A", "12411-01-01-4", "12411-02-03-4"), ("B", "21111-01-03-4", "22541-01-04-4"),
            ("D", "21111-02-06-4", "21111-04-01-4"), ("G", "12411-01-01-4", "vhs_statistik"),
            ("H", "12411-01-01-4", "kultur_jugend"),
            ("S", "21111-02-06-4", "ba_sgb2_arbeitsmarkt")]:
        assert f"    vorhanden  {present}" in blocks[letter], letter
        assert f"    fehlt      {missing}" in blocks[letter], letter
    for letter in "CEF":  # nothing of these chapters is in the folder
        assert "    fehlt      " in blocks[letter] and "vorhanden  " not in blocks[letter]
    a = blocks["A"]
    # file, Stand and years of a present table (the export's footer: Stand 21.03.2020)
    assert "        Datei 12411-01-01-4.csv (Stand 21.03.2020; Jahre 2018)" in a
    # a missing table: official title, address, the indicators it enables
    assert ("        Bevölkerung nach Geschlecht und Altersgruppen (17) - Stichtag 31.12. - "
            "regionale Tiefe:\n        Kreise und krfr. Städte\n") in a
    assert f"        Download: {URL}12411-02-03-4_00.csv" in a
    assert ("        ermöglicht A1.2, A1.3, A1.4, A1.5, A1.6, A1.7, A1.8, A1.9, A1.10, A2.3, "
            "B2.3;") in a
    assert "  A2.5   Verfügbares Einkommen der privaten Haushalte je Einwohner  [Daten " \
           "vorhanden]" in a
    assert "  A1.2   Anteil der Kinder unter 3 Jahren an der Bevölkerung  [keine Daten]" in a
    assert "         Tabellen: ✓ 12411-01-01-4   ✗ 12411-02-03-4   ✗ 12411-03-03-4" in a
    # a table shown in an earlier chapter is referred to
    assert "    fehlt      12411-02-03-4  (siehe Kapitel A)" in blocks["B"]
    assert ("  bimokit download 12411-02-03-4 12411-03-03-4 11111-01-01-4 22541-01-04-4 "
            "22543-01-03-4 22543-03-01-4 22543-04-01-4 21121-02-02-4 21311-01-01-4 "
            f"--to {data}") in text
    assert "13211-02-05-4" in text  # every file of the folder is accounted for


def test_tables_csv(tmp_path, capsys):
    (tmp_path / "21111-02-06-4.csv").write_bytes(
        (REAL / "21111-02-06-4_stand-2025.csv").read_bytes())
    assert cli.main(["tables", "--data", str(tmp_path), "--chapters", "D", "--format",
                     "csv"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert set(t["chapter"]) == {"D"}
    d41 = t[t["indicator"] == "D4.1"].iloc[0]
    assert d41[["table", "present", "available", "stand", "years"]].tolist() == [
        "21111-02-06-4", "True", "True", "13.03.2025", "2023"]
    d11 = t[t["indicator"] == "D1.1"].iloc[0]
    assert d11[["table", "present", "url", "enables"]].tolist() == [
        "21111-01-03-4", "False", URL + "21111-01-03-4_00.csv",
        "B2.1, B2.2, D1.1, D1.2, D1.3, D1.4, D1.5, D1.6, D1.7, D1.8, D1.9, D2.1, D2.2, D3.4"]


def test_tables_bad_chapter_is_one_line(capsys):
    assert cli.main(["tables", "--chapters", "A,Q"]) == 2
    err = capsys.readouterr().err
    assert err == ("bimokit tables: error: --chapters must be a comma list out of "
                   "A,B,C,D,E,F,G,H,S; not 'A,Q'\n")
