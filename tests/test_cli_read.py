"""``bimokit read``: every real export, concatenated into one tidy CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from bimokit import cli
from bimokit.io import read

#: The real exports whose figures SOURCES.md gives (the folders may hold more).
_NAMED = ["genesis_examples/12411-01-01-4.csv", "genesis_examples/21111-01-03-4_stand-2017.csv",
          "genesis_examples/21111-02-06-4_stand-2017.csv", "genesis_examples/82411-01-03-4.csv",
          "genesis_flat/12411-01-01-4_de_flat.csv"]


def _real_files(shared_data):
    return [shared_data / name for name in _NAMED]


def test_every_real_export_reads(shared_data):
    files = sorted((shared_data / "genesis_examples").glob("*.csv"))
    files += sorted((shared_data / "genesis_flat").glob("*.csv"))
    assert len(files) >= len(_NAMED)
    for f in files:
        assert len(read(f).facts) > 0, f.name


def test_read_all_real_files_to_csv(shared_data, tmp_path, capsys):
    files = _real_files(shared_data)
    out = tmp_path / "facts.csv"
    rc = cli.main(["read", *map(str, files), "-o", str(out)])
    assert rc == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(_NAMED)  # one summary line per file
    assert err[0].startswith("12411-01-01-4.csv: Tabelle 12411-01-01-4, Stand 21.03.2020, "
                             "1.614 Zeilen, 538 Regionen, Jahre 2018")
    # raw token counts of 21111-01-03-4 (see test_io_genesis): 6,888 '-', 5,455 'x', 24 '.'
    assert "'-' 6.888, 'x' 5.455, '.' 24" in err[1]
    df = pd.read_csv(out, dtype={"ags": str}, keep_default_na=False)
    # the design's column order: ags, year, variable, dims…, value, status, source
    assert list(df.columns[:3]) == ["ags", "year", "variable"]
    assert list(df.columns[-3:]) == ["value", "status", "source"]
    dims = set(df.columns[3:-3])
    assert dims == {"geschlecht", "merkmal", "nationalitaet", "schulabschluss",
                    "klassenstufe_jahrgangsstufe_schulbesuchsjahr"}
    # every row of every file, nothing lost
    assert len(df) == sum(len(read(f).facts) for f in files)
    # a dimension a file does not have is 'Insgesamt'
    inc = df[df["source"] == "82411-01-03-4"]
    assert (inc[list(dims)] == "Insgesamt").all().all()
    # SOURCES.md figures survive the trip: München 2024 (flat) and 2018 (classic)
    mu = df[(df["ags"] == "09162") & (df["geschlecht"] == "Insgesamt")
            & (df["variable"] == "Bevölkerungsstand")]
    assert mu.set_index("year")["value"].astype(float).to_dict() == {
        2018: 1471508.0, 2024: 1505005.0}
    # no temporary file left behind
    assert [p.name for p in tmp_path.iterdir()] == ["facts.csv"]


def test_read_to_stdout(shared_data, capsys):
    f = shared_data / "genesis_examples" / "82411-01-03-4.csv"
    assert cli.main(["read", str(f)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ags,year,variable,value,status,source"
    # 538 regions x 2 measures + header
    assert len(out) == 1 + 538 * 2
    assert out[2] == "DG,2021,verfüg. Einkommen der priv. Haushalte je Einwohner,24415.0,,"\
        "82411-01-03-4"


def test_bad_file_is_one_line_and_no_output(shared_data, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    out = tmp_path / "facts.csv"
    good = shared_data / "genesis_examples" / "82411-01-03-4.csv"
    rc = cli.main(["read", str(good), str(bad), "-o", str(out)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "bimokit read: error:" in err and "bad.csv: the file is empty" in err
    assert "Traceback" not in err
    # nothing half-written
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_missing_output_folder(shared_data, tmp_path, capsys):
    good = shared_data / "genesis_examples" / "82411-01-03-4.csv"
    rc = cli.main(["read", str(good), "-o", str(tmp_path / "no" / "facts.csv")])
    assert rc == 2
    assert "output folder does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["12411-01-01-4.csv", "21111-02-06-4_stand-2017.csv"])
def test_output_is_tidy_readable(shared_data, tmp_path, name):
    out = tmp_path / "f.csv"
    assert cli.main(["read", str(shared_data / "genesis_examples" / name), "-o", str(out)]) \
        == 0
    back = read(out)
    orig = read(shared_data / "genesis_examples" / name)
    pd.testing.assert_frame_equal(back.facts, orig.facts, check_dtype=False)
