"""The fast paths of the readers give what the general ones give.

The classic reader cuts the value cells of an unquoted body at the ``;`` positions and
converts plain digit cells on the bytes (``plain_numbers``); a body with a quote goes
through ``read_csv`` for every column. Text columns are hashed by object identity first
(``factorize_objects``). Each is checked here against the plain computation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bimokit.io import read_flat, read_genesis
from bimokit.io._body import byte_words, cell_texts, plain_numbers
from bimokit.io._numbers import parse_distinct
from bimokit.io._values import factorize_objects

CLASSIC = ["12411-01-01-4.csv", "21111-01-03-4_stand-2017.csv",
           "21111-02-06-4_stand-2017.csv", "82411-01-03-4.csv"]

_CELL = st.one_of(
    st.integers(0, 10**18).map(str),
    st.text(alphabet="0123456789", max_size=17),
    st.text(alphabet="0123456789-+.,() pxX/äé–", max_size=17),
)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(_CELL, min_size=1, max_size=60))
def test_plain_numbers_and_cell_texts(cells):
    data = ";".join(cells).encode("utf-8")
    sizes = np.array([len(c.encode("utf-8")) for c in cells])
    starts = np.concatenate([[0], np.cumsum(sizes + 1)[:-1]]).astype(np.int64)
    words = byte_words(np.frombuffer(data, np.uint8))
    values, plain = plain_numbers(words, starts, starts + sizes)
    codes, texts = cell_texts(data, words, starts, starts + sizes)
    assert texts[codes].tolist() == cells
    assert len(set(texts)) == len(texts)
    for cell, v, ok in zip(cells, values, plain, strict=True):
        # a plain number: 1 to 15 ASCII digits, exact in float64
        expected = cell.isascii() and cell.isdigit() and 0 < len(cell) <= 15
        assert ok == expected, cell
        if expected:
            assert v == float(int(cell)), cell
        else:
            assert np.isnan(v), cell


@settings(max_examples=60, deadline=None)
@given(pool=st.lists(st.text(max_size=4), min_size=1, max_size=30),
       picks=st.lists(st.integers(0, 10**6), min_size=10, max_size=100),
       fresh=st.integers(1, 7))
def test_factorize_objects_equals_factorize(pool, picks, fresh):
    # at least 1000 cells (below, plain factorize is used); equal texts as shared and as
    # separate objects (every fresh-th cell is a new string)
    cells = [pool[p % len(pool)] for p in picks] * (1000 // len(picks) + 1)
    cells = [("#" + c)[1:] if i % fresh == 0 else c for i, c in enumerate(cells)]
    arr = np.array(cells, dtype=object)
    codes, uniq = factorize_objects(arr)
    want_codes, want_uniq = pd.factorize(arr, use_na_sentinel=False)
    assert codes.tolist() == want_codes.tolist()
    assert list(uniq) == list(want_uniq)


@settings(max_examples=100, deadline=None)
@given(tokens=st.lists(st.one_of(st.integers(0, 10**20).map(str),
                                 st.sampled_from(["-", ".", "x", "(12)", "7p", "1,5", "",
                                                  "١٢", "²", "0012", "abc", "1e5"])),
                       min_size=1, max_size=40, unique=True))
def test_parse_distinct_of_digit_strings_equals_int(tokens):
    # the classic reader converts digit cells on the bytes and leaves the rest to
    # parse_distinct; both must agree with int() on every digit string
    values, status, bad = parse_distinct(tokens)
    for i, t in enumerate(tokens):
        if t.isascii() and t.isdigit():
            assert values[i] == float(int(t)) and status[i] == "", t
        elif t.isdigit():  # Arabic-Indic or superscript digits: no number, no symbol
            assert i in bad.tolist(), t


@pytest.mark.parametrize("name", CLASSIC)
def test_classic_unquoted_and_quoted_body_agree(shared_data, tmp_path, name):
    raw = (shared_data / "genesis_examples" / name).read_bytes().decode("latin-1")
    lines = raw.split("\n")
    foot = next(i for i, ln in enumerate(lines) if ln.startswith("_____"))
    # quote the text of the last body row's second field: the body now has a quote,
    # so that every column goes through read_csv
    cells = lines[foot - 1].split(";")
    assert '"' not in "\n".join(lines[:foot])
    cells[1] = f'"{cells[1]}"'
    lines[foot - 1] = ";".join(cells)
    quoted = tmp_path / name
    quoted.write_bytes("\n".join(lines).encode("latin-1"))
    fast = read_genesis(shared_data / "genesis_examples" / name)
    slow = read_genesis(quoted)
    pd.testing.assert_frame_equal(fast.facts, slow.facts, check_exact=True)
    pd.testing.assert_frame_equal(fast.regions, slow.regions)


def test_flat_windows_1252_equals_utf8(shared_data, tmp_path):
    path = shared_data / "genesis_flat" / "12411-01-01-4_de_flat.csv"
    text = path.read_bytes().decode("utf-8-sig")
    assert "ü" in text or "ö" in text or "ä" in text  # the fallback is really taken
    p = tmp_path / path.name
    p.write_bytes(text.encode("cp1252"))
    utf8, cp1252 = read_flat(path), read_flat(p)
    pd.testing.assert_frame_equal(utf8.facts, cp1252.facts, check_exact=True)
    pd.testing.assert_frame_equal(utf8.regions, cp1252.regions)
    assert (utf8.title, utf8.units) == (cp1252.title, cp1252.units)
