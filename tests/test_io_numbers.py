"""Numbers as Germans write them, and counts (issue 14, item 3).

``585.719`` in a count table was taken as a decimal (a Kommune of 586 inhabitants), and
``585719,5`` was accepted for a count of people. Now: German thousands and decimal separators
are read where the format defines them (own ``;``-separated CSV, text cells of an XLSX
workbook); a number that can be read two ways is refused; counts (unit ``Anzahl``) are whole
and non-negative. Every refusal names file, line and field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bimokit.cli import main
from bimokit.data import load_data
from bimokit.errors import InputError
from bimokit.io import read, read_flat, read_genesis, read_tidy
from bimokit.io._numbers import parse_distinct

DATA = Path(__file__).parent / "data" / "io"
COUNT = {"bevoelkerung": "Anzahl"}


def _german(n: int) -> str:
    """585719 → '585.719' (thousands points, as a German spreadsheet writes it)."""
    return f"{n:,}".replace(",", ".")


def _tidy(tmp_path, name, rows, sep):
    p = tmp_path / name
    head = sep.join(["ags", "year", "variable", "value"])
    p.write_text("\n".join([head] + [sep.join(r) for r in rows]) + "\n", encoding="utf-8")
    return p


def _err(fn, *args, **kw) -> InputError:
    with pytest.raises(InputError) as exc:
        fn(*args, **kw)
    return exc.value


# ---- own tidy files declared German (';'): thousands point and decimal comma


@pytest.mark.parametrize("text,value", [("585.719", 585719.0), ("1.505.005", 1505005.0),
                                        ("585719", 585719.0), ("12", 12.0)])
def test_german_tidy_count_with_thousands_points(tmp_path, text, value):
    p = _tidy(tmp_path, "own.csv", [["09162", "2024", "bevoelkerung", text]], ";")
    assert read_tidy(p, units=COUNT).facts["value"].tolist() == [value]


@pytest.mark.parametrize("text,value", [("1.234,5", 1234.5), ("12,5", 12.5), ("-0,25", -0.25)])
def test_german_tidy_decimal_comma(tmp_path, text, value):
    p = _tidy(tmp_path, "own.csv", [["09162", "2024", "quote", text]], ";")
    assert read_tidy(p).facts["value"].tolist() == [value]


@pytest.mark.parametrize("text", ["12.5", "1234.56", "1.23.4"])
def test_german_tidy_refuses_a_decimal_point(tmp_path, text):
    # in a German file a point separates thousands; '12.5' can only be a mistake
    p = _tidy(tmp_path, "own.csv", [["09162", "2024", "quote", "7"],
                                    ["09163", "2024", "quote", text]], ";")
    err = _err(read_tidy, p)
    assert (err.line, err.field) == (3, "value") and "own.csv" in str(err)
    assert repr(text) in err.reason and ("ambiguous" in err.reason or "neither" in err.reason)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 10**12), cents=st.integers(0, 99))
def test_german_numbers_read_back(tmp_path_factory, n, cents):
    # law: what a German spreadsheet writes (1.234.567,89) reads back as the number
    p = tmp_path_factory.mktemp("de") / "own.csv"
    p.write_text(f"ags;year;variable;value\n09162;2024;bevoelkerung;{_german(n)}\n"
                 f"09162;2024;einkommen;{_german(n)},{cents:02d}\n", encoding="utf-8")
    got = read_tidy(p, units=COUNT).facts["value"].tolist()
    assert got == [float(n), float(f"{n}.{cents:02d}")]


# ---- own tidy files with ',' (decimal point): no thousands separator


@pytest.mark.parametrize("text", ['"1,5"', '"585,719"'])
def test_point_tidy_refuses_a_comma(tmp_path, text):
    p = _tidy(tmp_path, "own.csv", [["09162", "2024", "quote", text]], ",")
    err = _err(read_tidy, p)
    assert (err.line, err.field) == (2, "value") and "ambiguous" in err.reason


@pytest.mark.parametrize("text", ["585.719", "585719.5", "-3"])
def test_point_tidy_count_must_be_whole_and_non_negative(tmp_path, text):
    # 585.719 is a decimal here: no count; the message names the variable and its unit
    p = _tidy(tmp_path, "own.csv", [["09162", "2024", "bevoelkerung", "1"],
                                    ["09163", "2024", "bevoelkerung", text]], ",")
    err = _err(read_tidy, p, units=COUNT)
    assert (err.line, err.field) == (3, "value")
    assert "'bevoelkerung' is a count (unit Anzahl)" in err.reason
    # without a unit the same value is a plain number
    assert read_tidy(p).facts["value"].iloc[1] == float(text)


def test_unit_column_decides_what_is_a_count(tmp_path):
    p = tmp_path / "own.csv"
    p.write_text("ags,year,variable,value,unit\n09162,2024,schueler,12.5,%\n"
                 "09162,2024,lehrkraefte,12.5,Anzahl\n", encoding="utf-8")
    err = _err(read_tidy, p)
    assert err.line == 3 and "'lehrkraefte' is a count" in err.reason
    p.write_text("ags,year,variable,value,unit\n09162,2024,schueler,12.5,%\n"
                 "09162,2024,wanderungssaldo,-125,Anzahl\n", encoding="utf-8")
    ex = read_tidy(p)
    # a balance may be negative; the unit column is no dimension, it gives the units
    assert ex.facts["value"].tolist() == [12.5, -125.0]
    assert ex.dimensions == [] and ex.units == {"schueler": "%", "wanderungssaldo": "Anzahl"}


def test_xlsx_number_cells_and_german_text_cells(tmp_path):
    p = tmp_path / "own.xlsx"
    pd.DataFrame({"ags": ["09162", "09163", "09164"], "year": [2024] * 3,
                  "variable": ["bevoelkerung"] * 3,
                  "value": [585719, "585.719", "1.505.005"]}).to_excel(p, index=False)
    assert read(p, units=COUNT).facts["value"].tolist() == [585719.0, 585719.0, 1505005.0]
    pd.DataFrame({"ags": ["09162", "09163"], "year": [2024] * 2, "variable": ["quote"] * 2,
                  "value": [12.5, "12.5"]}).to_excel(p, index=False)
    err = _err(read, p)
    # the number cell 12.5 is fine; the text cell '12.5' in a German workbook is not
    assert (err.line, err.field) == (3, "value") and "ambiguous" in err.reason


# ---- GENESIS exports: decimal comma, no thousands separator; counts whole


def _classic(tmp_path, cells, measure="Bevölkerung (Anzahl)"):
    text = (f"GENESIS-Tabelle: 99999-01-01-4\nBeispiel;;\n{measure};;\n;;Insgesamt\n2024;;\n"
            + "".join(f"{k};Gemeinde {k};{c}\n" for k, c in cells)
            + "__________\nStand: 01.02.2025 / 10:00:00\n")
    p = tmp_path / "99999-01-01-4.csv"
    p.write_bytes(text.encode("latin-1"))
    return p


@pytest.mark.parametrize("cell,words", [("585.719", "ambiguous"),
                                        ("1.505.005", "ambiguous"),
                                        ("585719,5", "not a whole number"),
                                        ("-3", "negative")])
def test_classic_count_refused(tmp_path, cell, words):
    p = _classic(tmp_path, [("09162", "12"), ("09163", cell)])
    err = _err(read_genesis, p)
    # line 7 = the second data row (after 4 header lines and the year line), field 3
    assert (err.line, err.field) == (7, "3") and words in err.reason
    assert repr(cell) in err.reason


@pytest.mark.parametrize("cell,value", [("1234,5", 1234.5), ("-3,25", -3.25), ("0.5", 0.5)])
def test_classic_decimals_where_no_count(tmp_path, cell, value):
    p = _classic(tmp_path, [("09162", cell)], measure="Einkommen je Einwohner (EUR)")
    assert read_genesis(p).facts["value"].tolist() == [value]


def test_classic_balance_may_be_negative(tmp_path):
    p = _classic(tmp_path, [("09162", "-125"), ("09163", "40")],
                 measure="Wanderungssaldo (Anzahl)")
    assert read_genesis(p).facts["value"].tolist() == [-125.0, 40.0]


def test_real_counts_pass(shared_data):
    # the published count tables are whole and non-negative: nothing refused
    for name in ("12411-01-01-4.csv", "21111-01-03-4_stand-2017.csv", "82411-01-03-4.csv"):
        assert len(read_genesis(shared_data / "genesis_examples" / name).facts) > 0


@pytest.mark.parametrize("name,cell,ok", [("x_de_flat.csv", "585719,5", False),
                                          ("x_de_flat.csv", "585.719", False),
                                          ("x_en_flat.csv", "585.719", False),
                                          ("x_en_flat.csv", "585719", True)])
def test_flat_count(tmp_path, name, cell, ok):
    text = (DATA / "flat_limited_de_flat.csv").read_text(encoding="utf-8-sig")
    head, first = text.splitlines()[:2]
    p = tmp_path / name
    p.write_text(head + "\n" + first.replace(";71250;", f";{cell};") + "\n", encoding="utf-8")
    if ok:
        assert read_flat(p).facts["value"].tolist() == [585719.0]
    else:
        err = _err(read_flat, p)
        assert (err.line, err.field) == (2, "14") and repr(cell) in err.reason


def test_english_flat_file_reads_a_decimal_point(tmp_path):
    text = (DATA / "flat_limited_de_flat.csv").read_text(encoding="utf-8-sig")
    head, first = text.splitlines()[:2]
    p = tmp_path / "x_en_flat.csv"
    p.write_text(head + "\n" + first.replace(";71250;Anzahl;", ";585.719;EUR;") + "\n",
                 encoding="utf-8")
    assert read_flat(p).facts["value"].tolist() == [585.719]


# ---- the value parser on its own: laws


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1000, 10**9))
def test_genesis_refuses_every_thousands_grouping(n):
    # 1.234 / 585.719 / 1.505.005: a thousands point or a decimal point? refused
    values, _, bad = parse_distinct([_german(n), str(n), f"{n},5"])
    assert bad.tolist() == [0] and values[1] == n and values[2] == n + 0.5


@settings(max_examples=100, deadline=None)
@given(x=st.decimals(-10**6, 10**6, places=3, allow_nan=False, allow_infinity=False))
def test_point_format_reads_what_python_writes(x):
    values, status, bad = parse_distinct([str(x)], number_format="point")
    assert len(bad) == 0 and values[0] == float(x) and status[0] == ""


# ---- end to end: a German tidy file with a fractional count stops the CLI with one line


def test_cli_compute_names_file_line_and_field(tmp_path, capsys):
    from bimokit._paths import sample_dir

    own = tmp_path / "eigene.csv"
    own.write_text("ags;year;variable;geschlecht;value\n99101;2030;bevoelkerung;insgesamt;"
                   "585.719\n99102;2030;bevoelkerung;insgesamt;585719,5\n", encoding="utf-8")
    # 585.719 (thousands point) is 585719; 585719,5 is no count of people
    code = main(["compute", "--data", str(sample_dir("musterland")), str(own),
                 "--indicator", "A1.1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (f"bimokit compute: error: {own}, line 3, field value: value "
                           "'585719,5' is not a whole number, but 'bevoelkerung' is a count "
                           "(unit Anzahl): expected a whole number of at least 0")
    own.write_text("ags;year;variable;geschlecht;value\n99101;2030;bevoelkerung;insgesamt;"
                   "585.719\n", encoding="utf-8")
    ds = load_data([sample_dir("musterland"), own])
    got = ds.facts[(ds.facts["year"] == 2030) & (ds.facts["variable"] == "bevoelkerung")]
    assert got["value"].tolist() == [585719.0]
    assert np.isfinite(got["value"]).all()
