"""``--strict`` on the commands that read a data folder: unknown tables skipped or refused.

The data folder is the embedded sample plus a copy of one of its exports under a table code
of the official list (``12613-01-01-4``, Gestorbene) that the catalogue does not use.
"""

from __future__ import annotations

import shutil

import pytest

from bimokit._paths import sample_dir
from bimokit.cli import main

SAMPLE = sample_dir("musterland")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("daten")
    for f in SAMPLE.iterdir():
        if f.is_file():
            shutil.copy(f, folder / f.name)
    text = (SAMPLE / "12411-03-03-4.csv").read_bytes().decode("latin-1")
    rest = text.split("\n", 1)[1]
    (folder / "12613-01-01-4.csv").write_bytes(
        ("GENESIS-Tabelle: 12613-01-01-4\n" + rest).encode("latin-1"))
    return folder


def test_compute_skips_the_unknown_table_with_a_warning(folder, tmp_path, capsys):
    out = tmp_path / "werte.csv"
    code = main(["compute", "--data", str(folder), "--indicator", "A1.1", "-o", str(out)])
    assert code == 0 and out.stat().st_size > 0
    # one line that names the file and the table
    warned = [ln for ln in capsys.readouterr().err.splitlines() if "warning" in ln]
    assert len(warned) == 1
    assert warned[0].startswith("bimokit compute: warning: ")
    assert "12613-01-01-4.csv: table '12613-01-01-4' is not in the catalogue" in warned[0]


@pytest.mark.parametrize("argv", [
    ["compute", "--indicator", "A1.1"],
    ["regions"],
    ["report", "--ags", "99101", "--chapters", "A"],
    ["batch", "--land", "99", "--chapters", "A"],
])
def test_strict_refuses_before_anything_runs(folder, tmp_path, capsys, argv):
    out = tmp_path / "out"
    extra = ["--out", str(out)] if argv[0] in ("report", "batch") else []
    code = main(argv + ["--data", str(folder), "--strict"] + extra)
    err = capsys.readouterr().err
    assert code == 2
    assert "12613-01-01-4.csv" in err and "'12613-01-01-4'" in err and "no table mapping" in err
    assert len(err.strip().splitlines()) == 1  # one line, no traceback
    assert not out.exists()
