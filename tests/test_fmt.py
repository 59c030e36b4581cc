"""German number formatting (bimokit.fmt)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bimokit.errors import ParameterError
from bimokit.fmt import (
    default_decimals,
    fmt_diff,
    fmt_number,
    fmt_percent,
    fmt_pp,
    fmt_value,
    is_missing,
    normalize_unit,
    round_half_up,
)


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (1234.5, 0, "1.235"),  # half away from zero
        (1234567.891, 2, "1.234.567,89"),
        (999.95, 1, "1.000,0"),  # rounding carries into the thousands
        (-1234.5, 1, "-1.234,5"),
        (0, 0, "0"),
        (7.05, 1, "7,1"),  # 7.05 is 7.04999… in binary; we round the written decimal
        (2.5, 0, "3"),  # not banker's rounding (Python round(2.5) == 2)
        (-0.04, 1, "0,0"),  # no "-0,0"
        (12, 2, "12,00"),
        (np.float64(3.14159), 3, "3,142"),
        (np.int64(40000), 0, "40.000"),
    ],
)
def test_fmt_number(x, decimals, expected):
    assert fmt_number(x, decimals) == expected


def test_fmt_number_options():
    assert fmt_number(2024, thousands=False) == "2024"
    assert fmt_number(1.44, 1, sign=True) == "+1,4"
    assert fmt_number(-1.44, 1, sign=True) == "-1,4"
    assert fmt_number(float("nan"), placeholder="keine Angabe") == "keine Angabe"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, ""])
def test_missing_never_nan(missing):
    assert is_missing(missing)
    assert fmt_number(missing) == "–"
    assert fmt_percent(missing) == "–"
    assert fmt_pp(missing) == "–"
    assert fmt_value(missing, "%") == "–"
    assert fmt_diff(missing, "EUR") == "–"


def test_is_missing_numbers_and_arrays():
    assert not is_missing(0)
    assert not is_missing(0.0)
    assert not is_missing("x")
    assert not is_missing([1, 2])


def test_fmt_percent():
    assert fmt_percent(12.345) == "12,3 %"
    assert fmt_percent(12.35) == "12,4 %"
    assert fmt_percent(100, decimals=0) == "100 %"
    assert fmt_percent(1234.56) == "1.234,6 %"


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1.4, 1, "1,4 Prozentpunkte"),
        (1.0, 1, "1,0 Prozentpunkte"),  # written with decimals → plural
        (0.1, 1, "0,1 Prozentpunkte"),
        (1, 0, "1 Prozentpunkt"),  # the plain integer one is singular
        (1.4, 0, "1 Prozentpunkt"),  # 1,4 rounds to 1
        (-1, 0, "-1 Prozentpunkt"),
        (2, 0, "2 Prozentpunkte"),
        (0.0, 1, "0,0 Prozentpunkte"),
    ],
)
def test_fmt_pp(x, decimals, expected):
    assert fmt_pp(x, decimals) == expected


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("%", "%"),
        ("Prozent", "%"),
        ("Promille", "‰"),
        ("je 1000 Einwohner", "je 1.000 Einwohner"),
        ("je 100000 Einwohner", "je 100.000 Einwohner"),
        ("je 1.000 Einwohner", "je 1.000 Einwohner"),
        ("Euro", "EUR"),
        ("Tsd. EUR", "Tsd. EUR"),
        (None, "Anzahl"),
        ("Anzahl", "Anzahl"),
        ("Jahre", "Jahre"),
    ],
)
def test_normalize_unit(unit, expected):
    assert normalize_unit(unit) == expected


def test_fmt_value_and_diff_by_unit():
    assert fmt_value(7.06, "%") == "7,1 %"
    assert fmt_value(3.25, "‰") == "3,3 ‰"
    assert fmt_value(12.345, "je 1000 Einwohner") == "12,3 je 1.000 Einwohner"
    assert fmt_value(23456.5, "EUR") == "23.457 EUR"
    assert fmt_value(23456.5, "EUR", prose=True) == "23.457 Euro"
    assert fmt_value(1234, "Anzahl") == "1.234"
    assert fmt_value(1234, "Jahre", 1) == "1.234,0 Jahre"
    assert fmt_diff(1.0, "%", 0) == "1 Prozentpunkt"
    assert fmt_diff(0.25, "‰") == "0,3 Promillepunkte"
    assert fmt_diff(2.1, "je 1.000 Einwohner") == "2,1 je 1.000 Einwohner"
    assert fmt_diff(1200, "Anzahl") == "1.200"
    assert default_decimals("Anzahl") == 0
    assert default_decimals("‰") == 1


def test_bad_arguments():
    with pytest.raises(ParameterError, match="decimals"):
        fmt_number(1.0, -1)
    with pytest.raises(ParameterError, match="number"):
        fmt_number("abc")
    with pytest.raises(ParameterError, match="infinite"):
        fmt_number(math.inf)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_round_trip(x, decimals):
    # Reading the German text back gives the half-up rounded number.
    text = fmt_number(x, decimals)
    back = float(text.replace(".", "").replace(",", "."))
    assert back == pytest.approx(round_half_up(x, decimals), abs=1e-9)
    assert abs(back - x) <= 0.5 * 10**-decimals + 1e-6
    assert "nan" not in text.lower()
    if decimals:
        assert text.split(",")[1].isdigit() and len(text.split(",")[1]) == decimals


def test_one_german_number_formatter():
    # fmt_number is the one formatter: table cells (decimals=None) and Methodik sentences
    # (trim=True) use it; the former second implementations are gone
    import bimokit.normalization as normalization
    import bimokit.trends as trends
    from bimokit import fmt

    assert not hasattr(fmt, "format_number") and not hasattr(fmt, "format_value")
    assert not hasattr(trends, "_de") and not hasattr(normalization, "_de")
    assert fmt.fmt_number(1234.5, None) == "1.234,5" and fmt.fmt_number(7, None) == "7"
    assert fmt.fmt_cell("k. A.") == "k. A." and fmt.fmt_cell(float("inf")) == "–"
    assert fmt.fmt_number(0.25, 2, trim=True) == "0,25" and fmt.fmt_number(5.0, 1, trim=True) == "5"
    assert fmt.fmt_cell(12.34, "%") == "12,3 %"


def test_table_cells_round_like_the_sentences():
    from bimokit.fmt import fmt_cell as format_value

    def format_number(v, decimals=None):
        return format_value(v, "", decimals)

    # 7,05 rounds half up as written (Python's format would give 7,0 on the binary value)
    assert format_number(7.05, 1) == fmt_number(7.05, 1) == "7,1"
    assert format_number(-0.04, 1) == "0,0"  # no "-0,0"
    assert format_number(float("inf")) == "–" and format_number(None) == "–"
    assert format_number("x") == "x"
    assert format_value(34.52, "%") == "34,5 %"
    assert format_value(None, "%", status=".") == "."
    assert format_value(616.5, "je 1.000 Einwohner") == "616,5 je 1.000 Einwohner"
