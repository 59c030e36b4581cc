"""Tests for ``bimokit.batch``: Kommune list, failures, resume, SIGKILL, warm = fresh, Dask."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bimokit.batch import (
    ChapterRecord,
    WarmKernel,
    read_ags_list,
    run_batch,
    select_kommunen,
)
from bimokit.errors import InputError, ParameterError, UnknownRegionError
from bimokit.publish import save_values
from bimokit.report import check_html, run_chapter, run_report, validate_request

NOTEBOOKS = Path(__file__).parent / "data" / "batch_notebooks"
KOMMUNE = "Musterstadt <Süd> & Co"  # a name with markup characters: must arrive escaped


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """Region table (with a dissolved Kreis) and one tidy file with the years 2012–2024."""
    folder = tmp_path_factory.mktemp("data")
    (folder / "regions.csv").write_text(
        "ags,name,level,parent,kreistyp,valid_from,valid_to\n"
        "99,Musterland,land,,,,\n"
        f'99101,"{KOMMUNE}",kreis,99,kreisfreie Stadt,,\n'
        "99102,Beispielhafen,kreis,99,kreisfreie Stadt,,\n"
        "99103,Modellingen,kreis,99,kreisfreie Stadt,,\n"
        "99155,Altmusterkreis,kreis,99,Landkreis,,2015-12-31\n",
        encoding="utf-8",
    )
    (folder / "facts.csv").write_text(
        "ags,year,variable,value,status,source\n"
        "99101,2012,bevoelkerung,100,,t\n99101,2024,bevoelkerung,110,,t\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def values(tmp_path_factory) -> Path:
    """Indicator values handed to the chapters (the test notebooks do not read them)."""
    path = tmp_path_factory.mktemp("values") / "values.csv"
    save_values(pd.DataFrame({"ags": ["99101"], "year": [2024], "indicator": ["A1.1"],
                              "value": [1.0]}), path)
    return path


def _pages(out: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(out)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(out.glob("*/[A-S].html"))}


# --- the Kommune list -------------------------------------------------------------------------


def test_read_ags_list_csv_column_and_plain_lines(tmp_path):
    csv = tmp_path / "kommunen.csv"
    csv.write_text("name;ags;bemerkung\nMünchen;09162;x\n\nTalkreis;99151;\n", encoding="utf-8")
    assert read_ags_list(csv) == ["09162", "99151"]  # leading zero kept
    plain = tmp_path / "kommunen.txt"
    plain.write_text("# Kreise für den Bericht\n09162\n\n  99151  \n", encoding="utf-8-sig")
    assert read_ags_list(plain) == ["09162", "99151"]


def test_read_ags_list_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "kommunen.csv"
    bad.write_text("name,schluessel\nMünchen,09162\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column 'ags'") as err:
        read_ags_list(bad)
    assert "kommunen.csv" in str(err.value) and "line 1" in str(err.value)
    empty = tmp_path / "leer.csv"
    empty.write_text("name,ags\nMünchen,\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2.*the ags field is empty"):
        read_ags_list(empty)
    with pytest.raises(InputError, match="file not found"):
        read_ags_list(tmp_path / "fehlt.csv")


def test_select_kommunen_lists_every_problem_in_one_error(data_dir, tmp_path):
    listing = tmp_path / "kommunen.csv"
    listing.write_text("ags\n99101\n12345\n99155\n9101\n99101\n", encoding="utf-8")
    with pytest.raises(UnknownRegionError) as err:
        select_kommunen(listing, data=data_dir)
    text = str(err.value)
    assert text.startswith("Cannot run the batch, 3 problems with the Kommune list: ")
    assert f"(1) Unknown AGS '12345' (line 3 of {listing})" in text
    # 99155 has valid_to 2015-12-31: it exists no longer from 2016 on
    assert "(2) AGS '99155' (Altmusterkreis) (line 4 of" in text
    assert "no longer exists since 2016" in text
    assert "(3) AGS '9101' (line 5 of" in text and "(leading zero lost? '09101')" in text
    # repeats are dropped, order kept
    assert select_kommunen(["99103", "99101", "99103"], data=data_dir) == ["99103", "99101"]


def test_select_all_and_land_skip_dissolved_kreise(data_dir):
    assert select_kommunen(data=data_dir) == ["99101", "99102", "99103"]
    assert select_kommunen(land="99", data=data_dir) == ["99101", "99102", "99103"]
    with pytest.raises(ParameterError, match="No Kreis of Land '01'"):
        select_kommunen(land="01", data=data_dir)
    with pytest.raises(ParameterError, match="either a Kommune list or `land`"):
        select_kommunen(["99101"], land="99", data=data_dir)


def test_bad_parameters_stop_the_batch_before_any_kernel(data_dir, tmp_path, values):
    out = tmp_path / "reports"
    with pytest.raises(ParameterError) as err:
        run_batch(["99101", "99102"], data=data_dir, out=out, chapters="A,X",
                  years="2000-2030", notebook_dir=NOTEBOOKS, values_path=values, progress=False)
    text = str(err.value)
    assert text.startswith("Cannot run the batch, 2 problems:")
    assert "unknown chapter(s) 'X'" in text and "years 2000-2030 lie outside the data" in text
    assert not out.exists()
    with pytest.raises(UnknownRegionError, match="Unknown AGS '99999'"):
        run_batch(["99101", "99999"], data=data_dir, out=out, notebook_dir=NOTEBOOKS,
                  progress=False)
    assert not out.exists()


# --- a batch with failures, then the same batch again ----------------------------------------


@pytest.fixture(scope="module")
def batch(data_dir, values, tmp_path_factory):
    """Three Kommunen × A, B, C on two workers, then the same batch again.

    A kills its kernel for 99101, B is the probe of a clean kernel, C fails for 99102.
    """
    out = tmp_path_factory.mktemp("batch")
    kwargs = dict(data=data_dir, out=out, chapters="A,B,C", workers=2, notebook_dir=NOTEBOOKS,
                  values_path=values, progress=False)
    first = run_batch(["99101", "99102", "99103"], **kwargs)
    pages_first = _pages(out)
    second = run_batch(["99101", "99102", "99103"], **kwargs)
    return out, first, pages_first, second


def test_batch_goes_on_after_failures_and_records_them(batch):
    out, first, _, _ = batch
    status = {(r.ags, r.chapter): r.status for r in first.records}
    assert status == {
        ("99101", "A"): "failed", ("99101", "B"): "ok", ("99101", "C"): "ok",
        ("99102", "A"): "ok", ("99102", "B"): "ok", ("99102", "C"): "failed",
        ("99103", "A"): "ok", ("99103", "B"): "ok", ("99103", "C"): "ok",
    }
    fail_c = next(r for r in first.records if (r.ags, r.chapter) == ("99102", "C"))
    assert fail_c.cell == 4 and fail_c.source == 'if ags == "99102":'
    assert fail_c.error == "ValueError: absichtlicher Fehler für 99102"
    # the dead kernel is reported and replaced: the next chapter runs in a new kernel
    dead, after = (next(r for r in first.records if (r.ags, r.chapter) == ("99101", c))
                   for c in "AB")
    assert dead.error.startswith("DeadKernelError") and "Kernel abgestürzt" in dead.error
    assert not dead.kernel_restarted and after.kernel_restarted and after.worker == dead.worker
    assert first.failed_kommunen == ["99101", "99102"] and not first.ok
    summary = first.summary()
    assert summary.startswith(
        f"2 von 3 Kommunen mit Fehlern: 99101 {KOMMUNE} (A: DeadKernelError: Kernel died "
        "(Kernel abgestürzt; der Worker startet einen neuen)), 99102 Beispielhafen (C: Zelle "
        "4, ValueError: absichtlicher Fehler für 99102). 7 Kapitel erstellt, 0 übersprungen "
        "(aktuell), 2 fehlgeschlagen; Bericht: "
    ), summary
    assert len({r.worker for r in first.records}) == 2  # two worker processes
    # pages of failed chapters do not exist; every other page is complete and clean
    assert not (out / "99102" / "C.html").exists() and not (out / "99101" / "A.html").exists()
    for rel in _pages(out):
        assert check_html((out / rel).read_text(encoding="utf-8")) == [], rel
    for ags in ("99101", "99102", "99103"):
        assert (out / ags / "index.html").is_file()
        assert (out / ags / f"tabellenanhang_{ags}.xlsx").is_file()
    index = (out / "99102" / "index.html").read_text(encoding="utf-8")
    assert "nicht erstellt: Fehler in Zelle 4" in index


def test_batch_report_json_and_html(batch):
    out, _, _, second = batch
    report = json.loads((out / "batch_report.json").read_text(encoding="utf-8"))
    assert report["run"] == second.run_id and report["kommunen"] == 3
    assert report["counts"] == second.counts()
    assert [ChapterRecord.from_dict(d) for d in report["records"]] == second.records
    page = (out / "batch_report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="de">' in page
    assert "Musterstadt &lt;Süd&gt; &amp; Co" in page and KOMMUNE not in page
    assert "absichtlicher Fehler für 99102" in page and "übersprungen (aktuell)" in page


def test_rerun_skips_what_is_done_and_redoes_the_failures(batch):
    out, first, pages_first, second = batch
    by_key = {(r.ags, r.chapter): r for r in second.records}
    for (ags, letter), rec in by_key.items():
        before = next(r for r in first.records if (r.ags, r.chapter) == (ags, letter))
        if before.status == "ok":
            # skipped, and the record names the run that built the page
            assert rec.status == "skipped" and rec.run == first.run_id, (ags, letter)
        else:
            assert rec.status == "failed" and rec.run == second.run_id, (ags, letter)
    assert _pages(out) == pages_first  # no page rewritten
    assert second.counts() == {"ok": 0, "failed": 2, "skipped": 7}


def test_changed_code_or_values_file_makes_chapters_stale(batch, data_dir, values):
    from bimokit.batch._plan import build_requests, describe, file_sha256
    from bimokit.batch.runner import _plan, code_fingerprint, data_fingerprint

    out, first, _, _ = batch
    info, _ = describe(data_dir)
    requests = build_requests(["99101", "99102", "99103"], info=info, data=data_dir, out=out,
                              chapters="A,B,C", years=None, vergleichsgruppe="kreistyp",
                              notebook_dir=NOTEBOOKS)
    common = dict(data_fp=data_fingerprint(data_dir), run_id="probe", values_path="",
                  timeout=None, seed=1, force=False)

    def skipped(**kw):
        return len(_plan(requests, **common, **kw)[1])

    same = dict(code_fp=code_fingerprint(), values_fp=file_sha256(values))
    assert skipped(**same) == 7  # the 7 pages of the first run are current
    assert skipped(**{**same, "code_fp": "0" * 64}) == 0  # other bimokit code
    assert skipped(**{**same, "values_fp": "0" * 64}) == 0  # other values file


def test_code_fingerprint_follows_code_files_only(tmp_path):
    from bimokit.batch import code_fingerprint

    pkg = tmp_path / "bimokit"
    (pkg / "catalogue").mkdir(parents=True)
    (pkg / "notebooks").mkdir()
    (pkg / "__pycache__").mkdir()
    (pkg / "a.py").write_text("x = 1\n", encoding="utf-8")
    (pkg / "catalogue" / "indicators.toml").write_text("[x]\n", encoding="utf-8")
    first = code_fingerprint(pkg)
    assert code_fingerprint(pkg) == first and len(first) == 64
    (pkg / "notebooks" / "A.ipynb").write_text("{}", encoding="utf-8")
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert code_fingerprint(pkg) == first  # notebooks and caches are not code
    (pkg / "catalogue" / "indicators.toml").write_text("[y]\n", encoding="utf-8")
    assert code_fingerprint(pkg) != first


def test_warm_kernel_page_equals_fresh_kernel_page(batch, data_dir, values, tmp_path):
    out, first, _, _ = batch
    # With two workers the third Kommune always runs in a kernel that built another
    # Kommune before.
    worker = {r.ags: r.worker for r in first.records}
    assert worker["99103"] in (worker["99101"], worker["99102"])
    warm_page = (out / "99103" / "B.html").read_text(encoding="utf-8")
    assert "Reste früherer Läufe: keine" in warm_page
    assert "Linienbreite: 1.5 | offene Abbildungen: 0" in warm_page
    assert "Arbeitsordner ist out_dir: True" in warm_page and "Umgebung sauber: True" in warm_page
    assert "Zellennummer: 9" in warm_page  # numbering restarts as in a fresh kernel
    # the first numbers after seeding with the batch's seed (nothing draws before the cell:
    # random.seed(20250415); random.random() → 0.75095387, numpy likewise → 0.43473386)
    assert "Zufallszahlen: 0.75095387 0.43473386" in warm_page
    request = validate_request("99103", data=data_dir, out=tmp_path / "fresh", chapters="B",
                               notebook_dir=NOTEBOOKS)
    with WarmKernel() as kernel:
        kernel.ensure()
        kernel.reset(first.meta.get("seed", 20250415))
        fresh = run_chapter(request, "B", values_path=str(values), km=kernel.km)
    assert fresh.ok, fresh.failure
    assert fresh.html_path.read_text(encoding="utf-8") == warm_page
    # papermill in a fresh kernel of a kernelspec, without any reset: the same page but for
    # the unseeded random numbers
    single = run_report("99103", data=data_dir, out=tmp_path / "single", chapters="B",
                        notebook_dir=NOTEBOOKS, progress=False, kernel_name="python3")
    assert single.ok, single.chapters[0].failure
    page = (tmp_path / "single" / "99103" / "B.html").read_text(encoding="utf-8")
    random_line = re.compile(r"Zufallszahlen: [0-9.]+ [0-9.]+")
    assert random_line.sub("Zufall", page) == random_line.sub("Zufall", warm_page)
    # 'bimokit report' (one reused kernel, reset and seeded like the batch's): the same page
    report = run_report("99103", data=data_dir, out=tmp_path / "report", chapters="A,B",
                        notebook_dir=NOTEBOOKS, progress=False)
    assert report.ok
    assert (tmp_path / "report" / "99103" / "B.html").read_text(encoding="utf-8") == warm_page


def test_report_goes_on_in_a_new_kernel_after_a_chapter_killed_its_kernel(data_dir, tmp_path):
    # A ends its kernel process for 99101; B and C of the same report run in a new kernel
    result = run_report("99101", data=data_dir, out=tmp_path, chapters="A,B,C",
                        notebook_dir=NOTEBOOKS, progress=False)
    status = {c.chapter: c.ok for c in result.chapters}
    assert status == {"A": False, "B": True, "C": True}
    assert result.chapters[0].failure.ename == "DeadKernelError"
    page = (tmp_path / "99101" / "B.html").read_text(encoding="utf-8")
    assert "Reste früherer Läufe: keine" in page and "Zellennummer: 9" in page
    assert not (tmp_path / "99101" / "A.html").exists()
    assert "nicht erstellt" in (tmp_path / "99101" / "index.html").read_text(encoding="utf-8")


def test_cell_past_time_limit_fails_and_next_chapter_gets_a_new_kernel(data_dir, values,
                                                                       tmp_path):
    # D sleeps 600 s for 99102. With a 3 s limit the chapter fails; its kernel is still
    # busy with the sleep, so the worker replaces it (a reset queued behind the sleep would
    # wait for it) and the next chapters of the same worker run normally.
    result = run_batch(["99102", "99103"], data=data_dir, out=tmp_path / "out", chapters="B,D",
                       workers=1, notebook_dir=NOTEBOOKS, values_path=values, progress=False,
                       timeout=3)
    assert [(r.ags, r.chapter) for r in result.records] == [
        ("99102", "B"), ("99102", "D"), ("99103", "B"), ("99103", "D")]
    stuck, after, last = result.records[1:]
    assert stuck.status == "failed" and stuck.error.startswith("CellTimeoutError")
    assert "Zeitlimit überschritten" in stuck.error
    assert after.status == "ok" and after.kernel_restarted and after.worker == stuck.worker
    # the new kernel is reused; 99103 does not sleep
    assert last.status == "ok" and not last.kernel_restarted
    assert not (tmp_path / "out" / "99102" / "D.html").exists()


# --- killed with SIGKILL, then run again -----------------------------------------------------


def test_sigkill_leaves_complete_files_and_rerun_finishes(data_dir, values, tmp_path):
    out = tmp_path / "reports"
    listing = tmp_path / "kommunen.txt"
    listing.write_text("99101\n99102\n", encoding="utf-8")
    env = {**os.environ, "BIMOKIT_TEST_SLEEP": "0.5"}
    cmd = [sys.executable, "-m", "bimokit.cli", "batch", "--ags-list", str(listing),
           "--chapters", "B", "--workers", "1", "--data", str(data_dir), "--out", str(out),
           "--notebooks", str(NOTEBOOKS), "--values", str(values), "--no-progress"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not list(out.glob("*/B.html")):
            assert proc.poll() is None, "the batch ended before the first chapter was done"
            assert time.monotonic() < deadline, "no chapter within 90 s"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker, without warning
        proc.wait()
    done = _pages(out)
    assert len(done) >= 1
    for rel in done:  # whatever has its final name is complete
        assert check_html((out / rel).read_text(encoding="utf-8")) == [], rel
    assert not (out / "batch_report.json").exists()

    # the same command again (in this process): it finishes the batch, exit code 0
    from bimokit.cli import main

    assert main(cmd[3:]) == 0
    report = json.loads((out / "batch_report.json").read_text(encoding="utf-8"))
    status = {f"{r['ags']}/B.html": r["status"] for r in report["records"]}
    for rel in done:
        assert status[rel] == "skipped", rel  # nothing done is done again
    assert sum(s == "ok" for s in status.values()) == 2 - len(done)
    assert report["summary"].startswith(
        f"Alle 2 Kommunen fertig ({2 - len(done)} Kapitel erstellt, {len(done)} übersprungen"
    )
    after = _pages(out)
    assert {rel: after[rel] for rel in done} == done
    for ags in ("99101", "99102"):
        folder = out / ags
        assert check_html((folder / "B.html").read_text(encoding="utf-8")) == []
        assert (folder / "index.html").is_file() and (folder / ".bimokit" / "B.json").is_file()
        assert not list(folder.glob(".*.tmp")) and not list(folder.glob(".*.pending"))
        assert not list((folder / ".bimokit").glob(".work-*"))


# --- values computed once per batch ---------------------------------------------------------


def test_prepare_values_computes_once_per_data_content(tmp_path):
    from bimokit import compute, load_data
    from bimokit.batch import prepare_values
    from bimokit.publish import load_values

    path = prepare_values(None, tmp_path)
    ds = load_data()
    # what a chapter computes without a values file: totals and every breakdown
    expected = compute(ds.facts, regions=ds.regions, by="all")
    got = load_values(path)
    assert len(got) == len(expected) and list(got.columns) == list(expected.columns)
    assert {"geschlecht", "schulart", "abschluss"} <= set(got["breakdown"])
    stamp = path.stat().st_mtime_ns
    assert prepare_values(None, tmp_path) == path and path.stat().st_mtime_ns == stamp
    # a values file of an earlier version (totals only, no "by" in the stamp) is redone
    info = json.loads((path.parent / "values.json").read_text(encoding="utf-8"))
    info.pop("by")
    (path.parent / "values.json").write_text(json.dumps(info), encoding="utf-8")
    assert prepare_values(None, tmp_path) == path and path.stat().st_mtime_ns != stamp
