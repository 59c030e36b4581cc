"""``bimokit download`` against a local HTTP server (no internet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _fileserver import file_server, free_port, serve

from bimokit import cli

REAL = Path(__file__).parent / "data" / "real"


@pytest.fixture(autouse=True)
def _default_base_url(monkeypatch):
    monkeypatch.delenv("BIMOKIT_DOWNLOAD_URL", raising=False)




def test_download_fetches_keeps_and_reports(tmp_path, capsys):
    body = (REAL / "21111-02-06-4_stand-2025.csv").read_bytes()
    out = tmp_path / "daten"
    with file_server() as (base, routes):
        serve(routes, "21111-02-06-4", body)
        serve(routes, "21111-01-03-4", b"<html><body>Fehler</body></html>",
              ctype="text/html")
        opts = ["--to", str(out), "--base-url", base, "--no-progress"]
        args = ["download", "21111-02-06-4", *opts]
        assert cli.main(args) == 0
        first = capsys.readouterr().out.splitlines()
        assert first[0] == f"21111-02-06-4  neu          {out / '21111-02-06-4.csv'} " \
                           "(Stand 13.03.2025)"
        assert first[1] == f"1 von 1 Tabellen geladen oder unverändert: {out}"
        assert cli.main(args) == 0
        assert capsys.readouterr().out.splitlines()[0].startswith(
            "21111-02-06-4  unverändert  ")
        # a table that fails: one line, exit code 1, the other table still kept
        assert cli.main(["download", "21111-02-06-4", "21111-01-03-4", *opts]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert lines[1] == (f"21111-01-03-4  FEHLER       eine HTML-Seite statt der "
                            f"CSV-Tabelle ({base}/21111-01-03-4_00.csv)")
        assert lines[2] == "1 von 2 Tabellen geladen oder unverändert, 1 fehlgeschlagen."
    assert sorted(p.name for p in out.iterdir()) == ["21111-02-06-4.csv"]


def test_download_chapters_uses_the_env_address(tmp_path, capsys, monkeypatch):
    with file_server() as (base, routes):
        monkeypatch.setenv("BIMOKIT_DOWNLOAD_URL", base)
        # chapter F: 21311-01-01-4 and 12411-02-03-4, neither served here
        assert cli.main(["download", "--chapters", "F", "--to", str(tmp_path),
                         "--no-progress"]) == 1
        out = capsys.readouterr().out.splitlines()
        assert [line.split()[0] for line in out[:2]] == ["21311-01-01-4", "12411-02-03-4"]
        assert "HTTP-Fehler 404 (Not Found)" in out[0]
    assert list(tmp_path.iterdir()) == []


def test_download_without_network_is_one_line(tmp_path, capsys):
    # with the progress bar on (it shows only on a terminal, and never stays)
    rc = cli.main(["download", "--all", "--to", str(tmp_path / "d"), "--base-url",
                   f"http://127.0.0.1:{free_port()}"])
    captured = capsys.readouterr()
    assert rc == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("bimokit download: error: keine Verbindung: 127.0.0.1:")


@pytest.mark.parametrize("argv", [
    ["download", "--to", "x"],
    ["download", "12411-01-01-4", "--all", "--to", "x"],
    ["download", "--chapters", "A", "--all", "--to", "x"],
])
def test_download_needs_one_way_to_name_tables(argv, capsys):
    assert cli.main(argv) == 2
    assert "give the tables to fetch in one way" in capsys.readouterr().err
