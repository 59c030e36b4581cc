"""Broken files: every reader raises InputError naming file, line and field and what it expected.

Fixtures in tests/data/io/ are small hand-written files in the classic layout (ISO-8859-1);
binary and UTF-16 files are written in the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bimokit.errors import InputError
from bimokit.io import read, read_genesis, read_tidy

DATA = Path(__file__).parent / "data" / "io"


def _err(path, reader=read, **kw) -> InputError:
    with pytest.raises(InputError) as exc:
        reader(path, **kw)
    err = exc.value
    assert str(path) in str(err)  # every message names the file
    return err


def test_good_fixture_reads():
    # the reference the broken files are made from
    ex = read(DATA / "classic_ok.csv")
    # 4 regions x 2 columns; Flensburg 1302 and 111 ohne Hauptschulabschluss
    assert len(ex.facts) == 8
    fl = ex.facts[ex.facts["ags"] == "01001"].set_index("schulabschluss")["value"]
    assert fl.to_dict() == {"Insgesamt": 1302.0, "ohne Hauptschulabschluss": 111.0}
    assert ex.notes == 'zu "gesamte Tabelle":\nDeutschland: mit Schulfremdenprüfung'


def test_no_footer_is_refused_as_truncated():
    err = _err(DATA / "classic_no_footer.csv")
    assert "truncated" in err.reason and "__________" in err.reason


def test_no_footer_can_be_read_when_asked():
    # the four complete rows, nothing dropped: 4 x 2 facts
    ex = read_genesis(DATA / "classic_no_footer.csv", require_footer=False)
    assert len(ex.facts) == 8
    assert ex.stand is None


def test_row_cut_in_the_middle():
    err = _err(DATA / "classic_cut_row.csv")
    assert "truncated" in err.reason
    # even when a missing footer is allowed, the cut row is an error, not a lost row
    err = _err(DATA / "classic_cut_row.csv", read_genesis, require_footer=False)
    assert err.line == 13  # 8 header lines, 4 rows, the cut row
    assert "3 fields, expected 5" in err.reason and "cut off" in err.reason


def test_wrong_separator():
    err = _err(DATA / "classic_comma.csv")
    assert "','" in err.reason and "';'" in err.reason


def test_utf16_file(tmp_path):
    text = (DATA / "classic_ok.csv").read_bytes().decode("latin-1")
    p = tmp_path / "utf16.csv"
    p.write_bytes(text.encode("utf-16"))
    err = _err(p)
    assert "UTF-16" in err.reason and "UTF-8" in err.reason
    err = _err(p, read_genesis)
    assert "UTF-16" in err.reason


def test_binary_file(tmp_path):
    p = tmp_path / "binary.csv"
    p.write_bytes(b"GENESIS-Tabelle: 1\n" + bytes(range(1, 32)) * 4)
    err = _err(p)
    assert "binary" in err.reason
    assert err.line == 2


def test_header_without_years():
    err = _err(DATA / "classic_no_year.csv")
    assert err.reason.startswith("no year found")
    assert err.line == 9  # first data row


def test_unknown_token():
    err = _err(DATA / "classic_bad_token.csv")
    # line 11 = Flensburg, field 5 = 'ohne Hauptschulabschluss'
    assert (err.line, err.field) == (11, "5")
    assert "'1l1'" in err.reason and "expected a number" in err.reason


def test_empty_value_cell():
    err = _err(DATA / "classic_empty_cell.csv")
    assert (err.line, err.field) == (10, "4")
    assert "empty cell" in err.reason


def test_duplicate_key():
    err = _err(DATA / "classic_duplicate.csv")
    assert (err.line, err.field) == (13, "2")
    assert "'01001'" in err.reason and "twice" in err.reason and "line 11" in err.reason


@pytest.mark.parametrize("name,code,line", [("classic_ags_4digit.csv", "1002", 12),
                                            ("classic_ags_letter.csv", "0100X", 11)])
def test_unknown_ags_shape(name, code, line):
    err = _err(DATA / name)
    assert (err.line, err.field) == (line, "2")
    assert repr(code) in err.reason and "expected 'DG'" in err.reason


def test_empty_file():
    err = _err(DATA / "empty.csv")
    assert "empty" in err.reason
    err = _err(DATA / "empty.csv", read_genesis)
    assert "empty" in err.reason


def test_not_a_genesis_table():
    err = _err(DATA / "classic_ok.csv".replace("ok", "not_genesis"), read_genesis)
    assert err.line == 1 and "GENESIS-Tabelle:" in err.reason


def test_missing_file_and_folder(tmp_path):
    assert "not found" in _err(tmp_path / "nope.csv").reason
    assert "folder" in _err(tmp_path).reason


def test_header_only(tmp_path):
    text = (DATA / "classic_ok.csv").read_bytes().decode("latin-1")
    head, foot = text.split("2015;DG", 1)[0], "__________\nStand: 15.12.2017 / 14:16:49\n"
    p = tmp_path / "header_only.csv"
    p.write_bytes((head + foot).encode("latin-1"))
    err = _err(p)
    assert err.reason.startswith("no data rows found")


def test_too_many_fields(tmp_path):
    text = (DATA / "classic_ok.csv").read_bytes().decode("latin-1")
    p = tmp_path / "wide.csv"
    p.write_bytes(text.replace("2140;140", "2140;140;7").encode("latin-1"))
    err = _err(p)
    # line 12 = Kiel, one field more than the first data row
    assert err.line == 12 and "6 fields, expected 5" in err.reason


def test_tidy_errors(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("ags,year,variable,value\n9162,2024,bevoelkerung,1\n")
    err = _err(p, read_tidy)
    assert (err.line, err.field) == (2, "ags") and "leading zeros" in err.reason
    p.write_text("ags,year,variable,value\n09162,24,bevoelkerung,1\n")
    assert _err(p, read_tidy).field == "year"
    p.write_text("ags,year,variable,value,status\n09162,2024,bevoelkerung,1,?\n")
    assert "status '?'" in _err(p, read_tidy).reason
    p.write_text("ags,year,variable,value\n09162,2024,bevoelkerung,\n")
    assert "empty" in _err(p, read_tidy).reason
    p.write_text("ags,year,variable,value\n09162,2024,a,1\n09162,2024,a,2\n")
    err = _err(p, read_tidy)
    assert err.line == 3 and "twice" in err.reason
    p.write_text("ags,jahr,value\n09162,2024,1\n")
    assert "missing column(s) year, variable" in _err(p, read_tidy).reason
