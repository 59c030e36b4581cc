"""Damaged files: every reader either reads the file or names the problem, never crashes.

Real excerpts (``tests/data/real``), the layout fixtures (``tests/data/io``) and small sample
tables are damaged the way files get damaged in practice: cut off at any byte, a line lost or
repeated, a cell overwritten, a line re-saved with another separator, a stray line, another
encoding. ``bimokit.io.read`` must then return a well-formed :class:`~bimokit.io.Export` or
raise a :class:`~bimokit.errors.BimokitError` (an ``InputError`` naming file and line), never
another exception (a pandas ``KeyError``, an ``IndexError``, a ``UnicodeDecodeError`` …).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bimokit.batch import read_ags_list
from bimokit.chapters import read_zielwerte
from bimokit.errors import BimokitError
from bimokit.io import read
from bimokit.offers import read_offers
from bimokit.plots import read_geojson
from bimokit.regions import read_regions

HERE = Path(__file__).parent
SAMPLE = HERE.parent / "data_samples" / "musterland"
#: Small enough to read a few hundred times; every layout the readers know.
FILES = sorted(
    [p for p in (HERE / "data" / "real").glob("*.csv")]
    + [p for p in (HERE / "data" / "io").glob("*.csv") if p.stat().st_size > 0]
    + [SAMPLE / name for name in ("21111-01-03-4.csv", "82411-01-03-4.csv",
                                  "21111-02-06-4_stand-2019.csv", "vhs_statistik.csv",
                                  "kultur_jugend.csv")]
)
CONTENTS = {p.name: p.read_bytes() for p in FILES}

TOKENS = ["", "x", ".", "-", "...", "/", "abc", "1.234,5", "12,5", "9" * 30, "nan", "1e5",
          "–", "()", '"', '";"', "Insgesamt", "2023", "31.12.2023", "DG", "0", "-5",
          "\x00", "ä", "\t"]


def _damage(data: bytes, kind: str, a: int, b: int, token: str) -> bytes:
    lines = data.split(b"\n")
    n = len(lines)
    if kind == "cut":
        return data[: a % (len(data) + 1)]
    if kind == "drop_line":
        del lines[a % n]
    elif kind == "repeat_line":
        lines.insert(a % n, lines[a % n])
    elif kind == "swap_lines":
        i, j = a % n, b % n
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "cell":
        i = a % n
        sep = b";" if b";" in lines[i] else b","
        cells = lines[i].split(sep)
        cells[b % len(cells)] = token.encode("latin-1", "replace")
        lines[i] = sep.join(cells)
    elif kind == "comma_line":
        i = a % n
        lines[i] = lines[i].replace(b";", b",")
    elif kind == "stray_line":
        lines.insert(a % (n + 1), token.encode("utf-8") * (1 + b % 3))
    elif kind == "byte":
        if not data:
            return data
        i = a % len(data)
        return data[:i] + bytes([b % 256]) + data[i + 1:]
    elif kind == "utf8":
        return data.decode("latin-1").encode("utf-8")
    elif kind == "utf8_bom_crlf":
        return b"\xef\xbb\xbf" + data.decode("latin-1").encode("utf-8").replace(b"\n", b"\r\n")
    elif kind == "utf16":
        return data.decode("latin-1").encode("utf-16")
    return b"\n".join(lines)


KINDS = ["cut", "drop_line", "repeat_line", "swap_lines", "cell", "comma_line", "stray_line",
         "byte", "utf8", "utf8_bom_crlf", "utf16"]


def _check_export(ex) -> None:
    f = ex.facts
    assert isinstance(f, pd.DataFrame)
    for col in ("ags", "year", "variable", "value", "status", "source"):
        assert col in f.columns, col
    if len(f):
        assert f["ags"].notna().all() and f["variable"].notna().all()
        assert pd.api.types.is_integer_dtype(f["year"])
        assert pd.api.types.is_float_dtype(f["value"])
        # a value is missing exactly where a status symbol says why
        assert not (f["value"].isna() & (f["status"].astype(str) == "")).any()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_undamaged_files_read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ex = read(path)
        except BimokitError:
            # the fixtures of refused layouts (cut rows, bad tokens …) are refused on purpose
            assert path.parent.name == "io", path
            return
    if hasattr(ex, "facts"):
        _check_export(ex)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CONTENTS)), kind=st.sampled_from(KINDS),
       a=st.integers(0, 10**6), b=st.integers(0, 10**6), token=st.sampled_from(TOKENS))
def test_damaged_file_is_read_or_refused_with_a_bimokit_error(tmp_path_factory, name, kind, a,
                                                              b, token):
    damaged = _damage(CONTENTS[name], kind, a, b, token)
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(damaged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ex = read(path)
        except BimokitError as exc:
            assert str(exc).strip(), "an error without a message"
            return
    if hasattr(ex, "facts"):
        _check_export(ex)


def _head(path: Path, lines: int = 120) -> bytes:
    return b"\n".join(path.read_bytes().split(b"\n")[:lines])


#: The Kommune's own tables and the other inputs, each with its reader.
OWN = {
    "regions.csv": (read_regions, _head(SAMPLE / "regions.csv")),
    "angebote.csv": (read_offers, _head(SAMPLE / "angebote.csv")),
    "zielwerte.csv": (read_zielwerte, (SAMPLE / "zielwerte.csv").read_bytes()),
    "musterland.geojson": (read_geojson, (SAMPLE / "musterland.geojson").read_bytes()),
    "kommunen.csv": (read_ags_list, b"name;ags\nMusterstadt;99101\nTalkreis;99151\n"),
}


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(OWN)), kind=st.sampled_from(KINDS),
       a=st.integers(0, 10**6), b=st.integers(0, 10**6), token=st.sampled_from(TOKENS))
def test_damaged_own_table_is_read_or_refused_with_a_bimokit_error(tmp_path_factory, name,
                                                                   kind, a, b, token):
    reader, content = OWN[name]
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(_damage(content, kind, a, b, token))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader(path)
        except BimokitError as exc:
            assert str(exc).strip(), "an error without a message"
