"""Tests for ``bimokit report``: exit codes 0 / 1 / 2 and the per-chapter summary lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from bimokit.cli import main

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


@pytest.fixture()
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "regions.csv").write_text(
        "ags,name,level\n99,Musterland,land\n99101,Musterstadt,kreis\n", encoding="utf-8"
    )
    (folder / "facts.csv").write_text(
        "ags,year,variable,value,status,source\n99101,2015,bevoelkerung,1,,t\n99101,2020,bevoelkerung,2,,t\n",
        encoding="utf-8",
    )
    return folder


def _args(data_dir, out, *extra):
    return ["report", "--data", str(data_dir), "--out", str(out), "--notebooks",
            str(NOTEBOOKS), "--no-progress", *extra]


def test_parameter_error_exits_2_before_anything_runs(data_dir, tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(_args(data_dir, out, "--ags", "99999", "--chapters", "A,Q", "--years", "2010"))
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("bimokit report: error: Cannot build the report, 3 problems:")
    assert "unknown chapter(s) 'Q'" in err and "Unknown AGS '99999'" in err
    assert "years 2010 lie outside the data (2015–2020" in err
    assert "\n" not in err.rstrip("\n")  # one line
    assert not out.exists()


def test_failing_chapter_exits_1_and_names_the_cell(data_dir, tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(_args(data_dir, out, "--ags", "99101", "--chapters", "B"))
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0].startswith("Kapitel B: FEHLER / FAILED (")
    assert lines[0].endswith('cell 4 (raise ValueError("absichtlicher Fehler im Testkapitel")): '
                             "ValueError: absichtlicher Fehler im Testkapitel")
    assert lines[1] == ("0 von 1 Kapiteln erstellt, 1 fehlgeschlagen / "
                        "0 of 1 chapters built, 1 failed: B")
    folder = out / "99101"
    assert not (folder / "B.html").exists()
    # index, Steckbrief and Tabellenanhang are still written, with B marked as not built.
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "B Grundinformationen" in index and "nicht erstellt: Fehler in Zelle 4" in index
    assert (folder / "tabellenanhang_99101.xlsx").is_file()


def test_success_exits_0(monkeypatch, capsys, tmp_path):
    import bimokit.report as report

    calls = {}

    class Result:
        ok = True
        write_errors: list = []

        def summary(self):
            return "Alle 2 Kapitel erstellt / all 2 chapters built: x/index.html"

    def fake_run_report(ags, **kwargs):
        calls.update(kwargs, ags=ags)
        return Result()

    monkeypatch.setattr(report, "run_report", fake_run_report)
    code = main(["report", "--ags", "09162", "--chapters", "A,C", "--out", str(tmp_path),
                 "--vergleichsgruppe", "aehnlich:5", "--no-progress"])
    assert code == 0
    assert capsys.readouterr().out.startswith("Alle 2 Kapitel erstellt")
    assert calls["ags"] == "09162" and calls["chapters"] == "A,C"
    assert calls["vergleichsgruppe"] == "aehnlich:5" and calls["progress"] is False
    assert calls["data"] is None and calls["out"] == str(tmp_path)
