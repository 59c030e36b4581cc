"""Tests of ``bimokit regions`` on the real exports in ../shared/data."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from bimokit import cli
from bimokit._cli.regions import OUTPUT_COLUMNS
from bimokit.regions import read_regions


def _run(argv, capsys) -> tuple[int, str, str]:
    code = cli.main(["regions", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_kreise_of_the_classic_exports(shared_data, capsys):
    code, out, err = _run(
        ["--data", str(shared_data / "genesis_examples"), "--level", "kreis"], capsys
    )
    assert code == 0, err
    table = _csv(out)
    assert tuple(table.columns) == OUTPUT_COLUMNS
    # the four older exports list the same 471 five-digit keys
    # (grep -oE '^([0-9]{4};)?[0-9]{5};' | sort -u | wc -l → 471 in every file); 13211-02-05-4
    # (year 2023, Stand 09.07.2026) adds 06415 Hanau, kreisfreie Stadt (since 2026) with '-'
    assert len(table) == 472
    assert (table["level"] == "kreis").all()
    # 72 Kreise carry only '-' in 82411-01-03-4 (2021: grep -cE '^2021;[0-9]{5};[^;]*;-;-$'
    # → 72); the 2023 export adds Eisenach 16056 (part of the Wartburgkreis since 2021) and
    # Hanau 06415, both '-' in every column: 74 dissolved
    assert (table["exists"] == "false").sum() == 74
    by_key = table.set_index("ags")
    assert by_key.loc["09162", "kreistyp"] == "kreisfreie Stadt"
    assert by_key.loc["09162", "parent"] == "091"
    assert by_key.loc["01051", "kreistyp"] == "Landkreis"
    # Eisenach had values in 2021 but none in 2023: dissolved; so is 03152 Göttingen (alt)
    assert by_key.loc["16056", "exists"] == "false"
    assert by_key.loc["03152", "exists"] == "false"
    assert by_key.loc["06415", "exists"] == "false"
    # the newest export (Stand 2023) names the region: 82411 writes "kreisfreie Stadt"
    assert by_key.loc["01001", "name"] == "Flensburg, kreisfreie Stadt"


def test_output_file_round_trips_through_read_regions(shared_data, tmp_path, capsys):
    target = tmp_path / "regions.csv"
    code, out, err = _run(
        ["--data", str(shared_data / "genesis_examples"),
         str(shared_data / "genesis_flat"), "-o", str(target)],
        capsys,
    )
    assert code == 0, err
    assert out == ""
    # 538 keys of the 2018 file, plus 02000 and 11000 (Hamburg and Berlin as Kreise in the
    # flat file), 05313 "Aachen, Stadt (alt)" and 06415 Hanau (13211-02-05-4, '-' in 2023)
    # = 542; dissolved 78 of 2018, plus 05313, Eisenach 16056 ('-' in 2024) and 06415 = 81
    assert "542 Regionen, davon 81 aufgelöst" in err
    back = read_regions(target)
    assert len(back) == 542
    assert (~back["exists"]).sum() == 81
    assert not back.set_index("ags").loc["16056", "exists"]
    assert back.set_index("ags").loc["02000", "kreistyp"] == "kreisfreie Stadt"


def test_folder_regions_csv_comes_first(shared_data, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(shared_data / "genesis_examples" / "12411-01-01-4.csv", data)
    (data / "regions.csv").write_text(
        "ags,name,level,parent,kreistyp\n"
        "01001,Flensburg,kreis,01,kreisfreie Stadt\n"
        "01001-01,Altstadt,sozialraum,01001,\n"
        "01001-02,Jürgensby,sozialraum,01001,\n",
        encoding="utf-8",
    )
    code, out, err = _run(["--data", str(data)], capsys)
    assert code == 0, err
    table = _csv(out).set_index("ags")
    # 538 regions of the export + 2 Sozialräume from regions.csv
    assert len(table) == 540
    assert table.loc["01001", "name"] == "Flensburg"
    assert table.loc["01001-02", "parent"] == "01001"
    assert table.loc["01001-02", "level"] == "sozialraum"
    code, out, _ = _run(["--data", str(data), "--level", "sozialraum"], capsys)
    assert _csv(out)["ags"].tolist() == ["01001-01", "01001-02"]


def test_errors_are_one_line_and_leave_no_output(tmp_path, capsys):
    target = tmp_path / "out.csv"
    code, out, err = _run(["--data", str(tmp_path / "missing"), "-o", str(target)], capsys)
    assert code == 2
    assert err.strip().endswith("missing: no such file or folder")
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "regions.csv").write_text("ags,name\n01,a\n1001,b\n", encoding="utf-8")
    code, out, err = _run(["--data", str(bad), "-o", str(target)], capsys)
    assert code == 2
    assert "regions.csv, line 3, field ags: Malformed AGS '1001'" in err
    assert not target.exists()
    assert list(tmp_path.glob(".regions-*")) == []


def test_default_is_the_embedded_sample(capsys):
    from bimokit._paths import sample_dir
    from bimokit.errors import ParameterError

    try:
        sample = sample_dir("musterland")
    except ParameterError:
        pytest.skip("the sample data_samples/musterland is not generated yet")
    if not (Path(sample) / "regions.csv").is_file():
        pytest.skip("the sample has no regions.csv yet")
    code, out, err = _run([], capsys)
    assert code == 0, err
    table = _csv(out)
    # data contract: Land 99 Musterland, Regierungsbezirke 991–993, Sozialräume of 99101
    assert {"99", "991", "992", "993", "99101"} <= set(table["ags"])
    assert (table.loc[table["ags"].str.startswith("99101-"), "parent"] == "99101").all()
    assert table.set_index("ags").loc["99101", "kreistyp"] == "kreisfreie Stadt"
    # regions.csv gives Altmusterkreis 99155 valid_to 2015-12-31: dissolved
    assert table.set_index("ags").loc["99155", "exists"] == "false"
    # angebote.csv and zielwerte.csv are the Kommune's own tables (data.NON_FACT_FILES): no note
    assert "übersprungen" not in err


def test_sample_lists_regions_without_notes_about_own_tables(capsys):
    # angebote.csv and zielwerte.csv are the Kommune's own tables, not exports: no "übersprungen"
    assert cli.main(["regions", "--level", "kreis"]) == 0
    captured = capsys.readouterr()
    assert "übersprungen" not in captured.err
    assert captured.out.count("\n") == 1 + 30  # header + 30 Kreise (99155 dissolved, still listed)
