"""bimokit.io.download against a local HTTP server (http.server in a thread); no internet.

The server serves excerpts of real exports (tests/data/real, sources in SOURCES.md there) and
the failure cases a real server or network produces: an HTML error page, a login page, a cut
transfer, a file without its footer, no server at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _fileserver import file_server, free_port
from _fileserver import serve as _serve

from bimokit.errors import DownloadError, ParameterError
from bimokit.io import download_tables, download_url, read

REAL = Path(__file__).parent / "data" / "real"
ABG = "21111-02-06-4"
ABG_FILE = REAL / "21111-02-06-4_stand-2025.csv"  # Stand: 13.03.2025
SCHUELER = "21111-01-03-4"
SCHUELER_FILE = REAL / "21111-01-03-4_stand-2025.csv"


@pytest.fixture()
def server():
    with file_server() as srv:
        yield srv


def _only_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_download_url_uses_env_then_default(monkeypatch):
    monkeypatch.delenv("BIMOKIT_DOWNLOAD_URL", raising=False)
    assert download_url(ABG) == (
        "https://www.regionalstatistik.de/genesisws/downloader/00/tables/21111-02-06-4_00.csv")
    monkeypatch.setenv("BIMOKIT_DOWNLOAD_URL", "http://mirror.example/t/")
    assert download_url(ABG) == "http://mirror.example/t/21111-02-06-4_00.csv"
    assert download_url(ABG, base_url="http://x") == "http://x/21111-02-06-4_00.csv"


def test_fetch_writes_the_export_byte_for_byte(server, tmp_path):
    base, routes = server
    body = ABG_FILE.read_bytes()
    _serve(routes, ABG, body)
    _serve(routes, SCHUELER, SCHUELER_FILE.read_bytes())
    out = tmp_path / "daten"
    res = download_tables([ABG, SCHUELER], out, base_url=base)
    assert res["status"].tolist() == ["new", "new"]
    assert res["stand"].tolist() == ["13.03.2025", "13.03.2025"]
    assert res.loc[0, "bytes"] == len(body)
    assert (out / f"{ABG}.csv").read_bytes() == body
    assert _only_files(out) == [f"{SCHUELER}.csv", f"{ABG}.csv"]
    # the file reads as the table it is: Flensburg 1059 Absolvierende/Abgehende in 2023
    facts = read(out / f"{ABG}.csv").facts
    assert read(out / f"{ABG}.csv").table_code == ABG
    assert (facts["ags"] == "01001").any()


def test_second_run_keeps_the_unchanged_file_and_replaces_a_new_stand(server, tmp_path):
    base, routes = server
    body = ABG_FILE.read_bytes()
    _serve(routes, ABG, body)
    download_tables(ABG, tmp_path, base_url=base)
    target = tmp_path / f"{ABG}.csv"
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    again = download_tables(ABG, tmp_path, base_url=base)
    assert again.loc[0, ["status", "stand", "old_stand"]].tolist() == [
        "unchanged", "13.03.2025", "13.03.2025"]
    assert target.stat().st_mtime_ns == 1_000_000_000  # not rewritten
    # a new edition: the Stand line changed
    newer = body.replace(b"Stand: 13.03.2025", b"Stand: 02.04.2026")
    assert newer != body
    _serve(routes, ABG, newer)
    upd = download_tables(ABG, tmp_path, base_url=base)
    assert upd.loc[0, ["status", "stand", "old_stand"]].tolist() == [
        "updated", "02.04.2026", "13.03.2025"]
    assert target.read_bytes() == newer
    assert _only_files(tmp_path) == [f"{ABG}.csv"]


@pytest.mark.parametrize("page, reason", [
    (b"<!DOCTYPE html><html><head><title>Fehler</title></head><body>Die Tabelle ist "
     b"nicht verf\xfcgbar.</body></html>", "eine HTML-Seite statt der CSV-Tabelle"),
    (b"<html><body><form action='/login'>Kennung <input name='user'> Passwort "
     b"<input type='password'></form></body></html>",
     "eine Anmeldeseite statt der CSV-Tabelle"),
])
def test_html_page_is_refused_and_nothing_is_written(server, tmp_path, page, reason):
    base, routes = server
    _serve(routes, ABG, page, ctype="text/html; charset=utf-8")
    res = download_tables(ABG, tmp_path, base_url=base)
    assert res.loc[0, "status"] == "failed"
    assert res.loc[0, "message"].startswith(reason)
    assert "\n" not in res.loc[0, "message"]
    assert _only_files(tmp_path) == []


def test_html_served_as_csv_is_refused_too(server, tmp_path):
    base, routes = server
    _serve(routes, ABG, b"  \n<html><body>Wartungsarbeiten</body></html>")
    res = download_tables(ABG, tmp_path, base_url=base)
    assert res.loc[0, "message"].startswith("eine HTML-Seite")
    assert _only_files(tmp_path) == []


def test_cut_transfer_is_refused_with_nothing_left(server, tmp_path):
    base, routes = server
    body = ABG_FILE.read_bytes()
    _serve(routes, ABG, body, cut=len(body) // 2)
    # an older complete file of the table stays as it was
    old = tmp_path / f"{ABG}.csv"
    old.write_bytes(body.replace(b"Stand: 13.03.2025", b"Stand: 01.01.2024"))
    before = old.read_bytes()
    res = download_tables(ABG, tmp_path, base_url=base)
    assert res.loc[0, "status"] == "failed"
    assert res.loc[0, "message"].startswith(
        f"Übertragung abgebrochen: {len(body) // 2} von {len(body)} Bytes")
    assert old.read_bytes() == before
    assert _only_files(tmp_path) == [f"{ABG}.csv"]  # no temporary file left


def test_file_without_footer_is_refused(server, tmp_path):
    # the server sent what it had and a matching Content-Length, but the footer is missing
    base, routes = server
    body = ABG_FILE.read_bytes()
    _serve(routes, ABG, body[: body.index(b"__________")])
    res = download_tables(ABG, tmp_path, base_url=base)
    assert res.loc[0, "message"].startswith("unvollständig: der Fuß der Tabelle")
    assert _only_files(tmp_path) == []


def test_another_table_and_http_errors_are_refused(server, tmp_path):
    base, routes = server
    _serve(routes, ABG, SCHUELER_FILE.read_bytes())
    res = download_tables([ABG, "12411-02-03-4"], tmp_path, base_url=base)
    assert res["status"].tolist() == ["failed", "failed"]
    assert res.loc[0, "message"].startswith("die Antwort ist Tabelle 21111-01-03-4, nicht "
                                            "21111-02-06-4")
    assert res.loc[1, "message"].startswith("HTTP-Fehler 404 (Not Found)")
    assert _only_files(tmp_path) == []


def test_no_network_is_one_clear_error(tmp_path):
    base = f"http://127.0.0.1:{free_port()}/tables"
    with pytest.raises(DownloadError) as err:
        download_tables([ABG, SCHUELER], tmp_path / "daten", base_url=base)
    msg = str(err.value)
    assert msg.startswith("keine Verbindung: 127.0.0.1:")
    assert "Verbindung abgelehnt" in msg and "--base-url" in msg
    assert "\n" not in msg
    assert not (tmp_path / "daten").exists() or _only_files(tmp_path / "daten") == []


def test_unknown_host_is_one_clear_error(tmp_path):
    # .invalid never resolves (RFC 2606)
    with pytest.raises(DownloadError, match=r"der Rechnername 'regionalstatistik\.invalid' ist "
                                            r"unbekannt"):
        download_tables(ABG, tmp_path, base_url="http://regionalstatistik.invalid/t")
    assert _only_files(tmp_path) == []


def test_bad_codes_are_refused_before_any_request(tmp_path):
    with pytest.raises(ParameterError, match=r"not a Regionalstatistik table code: "
                                             r"'21111-02-06'"):
        download_tables(["21111-02-06", ABG], tmp_path, base_url="http://127.0.0.1:9/")
    with pytest.raises(ParameterError, match="no table codes"):
        download_tables([], tmp_path)
