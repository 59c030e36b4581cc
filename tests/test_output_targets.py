"""Bad output targets and an output folder that changes during the run (issue 14.6).

Parameters that cannot work (``--out`` naming a file or a path that cannot be created, ``-o``
naming a folder) give exit code 2 and one line before anything runs. A folder that becomes
unwritable during the run gives exit code 1 and one line naming the path; what can still be
written is written, and no work file is left behind.

The tests run as root, where ``chmod`` does not stop writes; a read-only folder is simulated
by making every creating, renaming or removing file operation below it fail with ``EROFS``
(the operations bimokit's atomic writes use: ``os.open``, ``os.mkdir``, ``os.replace``,
``os.rename``, ``os.unlink``, ``os.rmdir``), or by putting a folder where a file must go.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from bimokit import cli
from bimokit.batch._records import BatchResult, ChapterRecord

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    (folder / "regions.csv").write_text(
        "ags,name,level,parent\n99,Musterland,land,\n99101,Musterstadt,kreis,99\n",
        encoding="utf-8")
    (folder / "facts.csv").write_text(
        "ags,year,variable,value,status,source\n99101,2012,bevoelkerung,100,,t\n"
        "99101,2024,bevoelkerung,110,,t\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    """Two chapters that publish tables and key figures: A and C (a copy of A)."""
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copy(NOTEBOOKS / "A.ipynb", folder / "A.ipynb")
    shutil.copy(NOTEBOOKS / "A.ipynb", folder / "C.ipynb")
    return folder


class ReadOnly:
    """Make folders unwritable for this process from a moment on (see the module text)."""

    _WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def __init__(self, monkeypatch):
        self.folders: list[str] = []
        self.real = {name: getattr(os, name)
                     for name in ("open", "mkdir", "replace", "rename", "unlink", "rmdir")}
        for name in self.real:
            monkeypatch.setattr(os, name, self._wrap(name))

    def add(self, folder: Path) -> None:
        self.folders.append(os.path.abspath(folder))

    def _blocked(self, path) -> bool:
        try:
            p = os.path.abspath(os.fspath(path))
        except TypeError:  # a file descriptor
            return False
        return any(os.path.dirname(p) == f or p == f for f in self.folders)

    def _wrap(self, name):
        real = self.real[name]

        def guarded(*args, **kwargs):
            paths = args[:2] if name in ("replace", "rename") else args[:1]
            if name == "open" and not (len(args) > 1 and args[1] & self._WRITE_FLAGS):
                paths = ()
            for p in paths:
                if self._blocked(p):
                    raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(p))
            return real(*args, **kwargs)

        return guarded


# --- parameters: exit 2 before anything runs --------------------------------------------------


@pytest.mark.parametrize("command", ["report", "batch"])
@pytest.mark.parametrize("where", ["file", "below a file", "cannot be created"])
def test_out_that_cannot_be_a_folder_is_a_parameter_error(data_dir, tmp_path, capsys, command,
                                                          where):
    a_file = tmp_path / "bericht.html"
    a_file.write_text("x", encoding="utf-8")
    out = {"file": a_file, "below a file": a_file / "berichte",
           "cannot be created": Path("/proc/bimokit-test/berichte")}[where]
    which = ["--ags", "99101"] if command == "report" else ["--all"]
    code = cli.main([command, *which, "--data", str(data_dir), "--out", str(out),
                     "--chapters", "A", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"bimokit {command}: error: Cannot " in err
    assert ("is a file, not a folder" in err) if where != "cannot be created" else (
        "cannot be created" in err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bericht.html"]  # nothing written


@pytest.mark.parametrize("argv, example", [
    (["compute"], "values.csv"),
    (["read", "FACTS"], "facts.csv"),
    (["regions"], "regions.csv"),
])
def test_output_option_naming_a_folder_is_a_parameter_error(tmp_path, capsys, argv, example):
    facts = tmp_path / "facts.csv"
    facts.write_text("ags,year,variable,value,status,source\n99,2020,x,1,,t\n",
                     encoding="utf-8")
    argv = [str(facts) if a == "FACTS" else a for a in argv]
    folder = tmp_path / "ausgabe"
    folder.mkdir()
    code = cli.main([*argv, "-o", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"is a folder; give a file name, e.g. {folder / example}" in err
    assert list(folder.iterdir()) == []
    code = cli.main([*argv, "-o", str(facts / "x.csv")])  # below a file
    err = capsys.readouterr().err
    assert code == 2 and "is a file, not a folder" in err


def test_output_file_in_a_read_only_folder_is_one_line(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ausgabe"
    folder.mkdir()
    ReadOnly(monkeypatch).add(folder)
    code = cli.main(["regions", "-o", str(folder / "regions.csv")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"bimokit regions: error: cannot read or write {folder}")
    assert "Read-only file system" in err
    assert list(folder.iterdir()) == []


# --- the output folder turns read-only during a report ----------------------------------------


def _read_only_after_first_chapter(monkeypatch, folders):
    """From the end of the first chapter on, ``folders`` cannot be written."""
    import bimokit.report.runner as runner

    guard = ReadOnly(monkeypatch)
    real = runner.run_chapter
    seen = []

    def run_chapter(request, chapter, **kwargs):
        if seen:
            for f in folders(request.out_dir):
                guard.add(f)
        seen.append(chapter)
        return real(request, chapter, **kwargs)

    monkeypatch.setattr(runner, "run_chapter", run_chapter)
    return guard


@pytest.mark.parametrize("which", ["kommune", "kommune and state"])
def test_folder_turning_read_only_mid_run(data_dir, notebooks, tmp_path, capsys, monkeypatch,
                                          which):
    out = tmp_path / "berichte"
    folders = (lambda d: [d]) if which == "kommune" else (lambda d: [d, d / ".bimokit"])
    _read_only_after_first_chapter(monkeypatch, folders)
    code = cli.main(["report", "--ags", "99101", "--data", str(data_dir), "--out", str(out),
                     "--chapters", "A,C", "--notebooks", str(notebooks), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1, captured
    err = captured.err
    assert err.count("\n") == 1 and "Traceback" not in err
    target = out / "99101"
    assert err.startswith(f"bimokit report: error: cannot write {target}")
    assert "Read-only file system" in err and "more)" in err  # C, index, Steckbrief, XLSX
    # the summary is still printed: A built, C failed naming the folder
    lines = captured.out.splitlines()
    assert lines[0].startswith("Kapitel A: fertig")
    assert lines[1].startswith("Kapitel C: FEHLER") and str(target) in lines[1]
    named = target / ("C.html" if which == "kommune" else ".bimokit")
    assert f"cannot write {named}: Read-only file system" in lines[1]
    assert (target / "A.html").is_file() and not (target / "C.html").exists()
    # no work file left: no work folder, no pending page, no temporary file
    assert not list(target.rglob(".work-*")) and not list(target.rglob(".*.tmp"))
    assert not list(target.glob(".*.pending"))
    record = target / ".bimokit" / "report.json"
    if which == "kommune":  # what could still be written was written
        import json

        chapters = json.loads(record.read_text(encoding="utf-8"))["chapters"]
        assert [c["status"] for c in chapters] == ["ok", "failed"]


# --- the batch report --------------------------------------------------------------------------


def test_batch_report_that_cannot_be_written_is_reported(tmp_path):
    (tmp_path / "batch_report.json").mkdir()  # something in the way of the file
    result = BatchResult([ChapterRecord(ags="99101", name="M", chapter="A", status="ok")],
                         [("99101", "M")], tmp_path, "run", 1.0)
    result.write()
    assert (tmp_path / "batch_report.html").is_file()  # the other file is written
    assert not result.ok and len(result.write_errors) == 1
    assert result.write_errors[0].startswith(f"cannot write {tmp_path}")
    assert not list(tmp_path.glob(".*.tmp"))


def test_batch_with_an_unwritable_report_exits_1_with_one_line(data_dir, tmp_path, capsys):
    out = tmp_path / "berichte"
    (out / "batch_report.html").mkdir(parents=True)
    code = cli.main(["batch", "--all", "--data", str(data_dir), "--out", str(out),
                     "--chapters", "A", "--notebooks", str(NOTEBOOKS), "--workers", "1",
                     "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(f"bimokit batch: error: cannot write {out}")
    assert (out / "batch_report.json").is_file() and (out / "99101" / "A.html").is_file()
