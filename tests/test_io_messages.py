"""Messages of the readers (issue 14, item 8): file lines, plain values, one full stop.

A problem is reported at the line of the file where it is, also after a quoted value that
spans lines or a blank line (the C parser of pandas counts records, not lines: an unclosed
quote at line 431 came out as "row 423"); values appear as written, never as numpy reprs
(``np.int64(2012)``); no message has a doubled full stop.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bimokit.errors import InputError
from bimokit.io import read, read_flat, read_genesis, read_tidy

DATA = Path(__file__).parent / "data" / "io"

_TIDY_HEAD = "ags,year,variable,source,value"


def _tidy(tmp_path, rows: list[str]) -> Path:
    p = tmp_path / "eigene.csv"
    p.write_text("\n".join([_TIDY_HEAD] + rows) + "\n", encoding="utf-8")
    return p


def _clean(err: InputError) -> InputError:
    """The hygiene every message keeps."""
    msg = str(err)
    assert not re.search(r"\bnp\.|numpy|dtype", msg), msg
    assert not re.search(r"(?<!\.)\.\.(?!\.)", msg), msg  # '..' but not the symbol '...'
    assert not re.search(r"\brow [0-9]", msg), msg  # lines, not parser rows
    return err


def _err(fn, *args, **kw) -> InputError:
    with pytest.raises(InputError) as exc:
        fn(*args, **kw)
    return _clean(exc.value)


@pytest.mark.parametrize("spanning", [0, 1, 3])
def test_tidy_unclosed_quote_at_its_file_line(tmp_path, spanning):
    # a source note over `spanning` extra lines and a blank line come before; the unclosed
    # quote is on the last line written
    note = '"Zählung\n' + "Fortsetzung\n" * spanning + 'Ende"'
    rows = ["09162,2022,bevoelkerung,x,1", f"09162,2023,bevoelkerung,{note},2", "",
            "09162,2024,bevoelkerung,x,3", '09163,2024,bevoelkerung,"offen,4']
    p = _tidy(tmp_path, rows)
    line = len(p.read_text(encoding="utf-8").splitlines())
    err = _err(read_tidy, p)
    assert err.line == line and "never closed" in err.reason


@pytest.mark.parametrize("spanning", [1, 2])
def test_tidy_extra_field_at_its_file_line(tmp_path, spanning):
    note = '"Zählung' + "\nweiter" * spanning + '"'
    p = _tidy(tmp_path, [f"09162,2023,bevoelkerung,{note},2", "09162,2024,bevoelkerung,x,3,9"])
    err = _err(read_tidy, p)
    assert err.line == 3 + spanning and "6 fields but the header has 5" in err.reason


@pytest.mark.parametrize("spanning", [0, 2])
def test_tidy_value_problem_at_its_file_line(tmp_path, spanning):
    # errors found after parsing (a bad value) also name the file line
    note = '"Zählung' + "\nweiter" * spanning + '"'
    p = _tidy(tmp_path, [f"09162,2023,bevoelkerung,{note},2", "", "09162,2024,bevoelkerung,x,1a"])
    err = _err(read_tidy, p)
    assert (err.line, err.field) == (4 + spanning, "value")


def test_duplicate_key_shows_plain_values(tmp_path):
    p = _tidy(tmp_path, ["09162,2012,bevoelkerung,x,1", "09162,2012,bevoelkerung,x,2"])
    err = _err(read_tidy, p)
    assert err.line == 3
    assert "(ags='09162', year=2012, variable='bevoelkerung')" in err.reason


def test_flat_unclosed_quote_at_its_file_line(tmp_path):
    text = (DATA / "flat_limited_de_flat.csv").read_text(encoding="utf-8-sig").splitlines()
    # line 2 gets a label over two lines, line 4 (now file line 5) an unclosed quote
    text[1] = text[1].replace("München, Landeshauptstadt", '"München,\nLandeshauptstadt"')
    text[3] = text[3].replace("München, Landkreis", '"München, Landkreis')
    p = tmp_path / "22541-01-01-4_de_flat.csv"
    p.write_text("\n".join(text) + "\n", encoding="utf-8")
    err = _err(read_flat, p)
    assert err.line == 5 and "never closed" in err.reason


def test_classic_unclosed_quote_at_its_file_line(tmp_path):
    text = (DATA / "classic_ok.csv").read_bytes().decode("latin-1").split("\n")
    i = next(k for k, ln in enumerate(text) if ln.startswith("2015;01002"))
    text[i] = text[i].replace(";01002;", ';01002;"', 1)
    p = tmp_path / "21111-02-06-4.csv"
    p.write_bytes("\n".join(text).encode("latin-1"))
    err = _err(read_genesis, p)
    assert err.line == i + 1


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.csv")))
def test_every_fixture_message_is_clean(name):
    try:
        read(DATA / name)
    except InputError as exc:
        _clean(exc)
        assert str(DATA / name) in str(exc)
