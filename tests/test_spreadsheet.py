"""No text bimokit writes to an XLSX or CSV file is ever evaluated as a formula (issue 14.1).

Payloads after OWASP "CSV Injection": a live link, a DDE command, arithmetic that ends in a
command, an ``@`` function, and a formula behind a tab or a carriage return.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from bimokit import cli
from bimokit._paths import sample_dir
from bimokit._spreadsheet import (
    FORMULA_TRIGGERS,
    csv_restore,
    csv_safe,
    csv_text,
    csv_unquote,
    is_formula_like,
)
from bimokit.publish import PublishedTable
from bimokit.report import write_xlsx

LINK = '=HYPERLINK("http://evil.example/x","Musterstadt")'
DDE = "=cmd|' /C calc'!A0"
PAYLOADS = [
    LINK,
    DDE,
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _starts_dangerously(text: str) -> bool:
    return text[:1] in FORMULA_TRIGGERS and text != "-"


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_formula_like_and_quoted(payload):
    assert is_formula_like(payload)
    assert csv_text(payload) == "'" + payload
    assert csv_unquote(csv_text(payload)) == payload


@given(st.text())
def test_csv_text_never_starts_a_formula_and_round_trips(text):
    quoted = csv_text(text)
    assert not _starts_dangerously(quoted)
    assert csv_unquote(quoted) == text


@given(st.lists(st.one_of(st.text(), st.floats(allow_nan=False), st.integers()), min_size=1,
                max_size=20))
def test_csv_safe_quotes_texts_and_leaves_numbers(cells):
    frame = pd.DataFrame({"mixed": pd.Series(cells, dtype=object),
                          "zahl": [-1.5] * len(cells)})
    safe = csv_safe(frame)
    assert safe["zahl"].tolist() == [-1.5] * len(cells)  # numbers stay numbers
    for before, after in zip(cells, safe["mixed"], strict=True):
        if isinstance(before, str):
            assert not _starts_dangerously(after)
        else:
            assert after == before
    pd.testing.assert_frame_equal(csv_restore(safe), frame)


def test_csv_safe_quotes_headers_and_keeps_the_zero_symbol():
    frame = pd.DataFrame({"=1+1": ["a"], "status": ["-"], "value": [-3]})
    safe = csv_safe(frame)
    assert list(safe.columns) == ["'=1+1", "status", "value"]
    assert safe.iloc[0].tolist() == ["a", "-", -3]


# --- the Tabellenanhang -------------------------------------------------------------------------


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.startswith("xl/worksheets/"))


def _assert_no_formula(path: Path) -> list:
    """Every text cell of the workbook; fails on any formula or unprotected payload."""
    assert "<f>" not in _sheet_xml(path) and "<f " not in _sheet_xml(path)
    texts = []
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if _starts_dangerously(cell.value):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    return texts


@pytest.mark.parametrize("kommune, anbieter", [(LINK, DDE), ("@SUM(A1)", "\t=A1*2")])
def test_xlsx_keeps_payloads_as_text_and_numbers_as_numbers(tmp_path, kommune, anbieter):
    table = pd.DataFrame({"ags": ["99101-01", "99101-02"], "anbieter": [anbieter, "-"],
                          "value": [-12.5, 3.0], "year": [2024, 2024]})
    items = [PublishedTable(name="S4.2 Doppelstrukturen", table=table, chapter="S",
                            labels={"value": kommune}, note="-Hinweis", source="+Quelle"),
             PublishedTable(name=kommune, table=table.iloc[:1], chapter="A")]
    path = write_xlsx(items, tmp_path / "t.xlsx", title=kommune)
    texts = _assert_no_formula(path)
    assert kommune in texts and anbieter in texts  # stored as the text itself
    ws = load_workbook(path)["S4.2 Doppelstrukturen"]
    assert ws["C1"].value == kommune and ws["C1"].quotePrefix
    assert ws["C2"].value == -12.5 and ws["C2"].data_type == "n"  # a negative number
    assert ws["B3"].value == "-" and not ws["B3"].quotePrefix  # the zero symbol as it was


def test_xlsx_drops_control_characters(tmp_path):
    table = pd.DataFrame({"name": ["Kiel\x00\x1b"]})
    path = write_xlsx([PublishedTable(name="T\x07", table=table, chapter="A")],
                      tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.worksheets[1]["A2"].value == "Kiel"


# --- through the command line ----------------------------------------------------------------


def _csv_cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_csv_safe(text: str, payloads) -> None:
    cells = _csv_cells(text)
    bad = [c for c in cells if _starts_dangerously(c) and not _is_number(c)]
    assert bad == []
    for p in payloads:
        assert "'" + p in cells


@pytest.fixture()
def evil_data(tmp_path) -> Path:
    """The sample with a Kommune named by a live link and offers from a DDE 'provider'."""
    folder = tmp_path / "daten"
    shutil.copytree(sample_dir("musterland"), folder)
    regions = (folder / "regions.csv").read_text(encoding="utf-8")
    quoted = '"' + LINK.replace('"', '""') + '"'
    regions = re.sub(r"^99101,Musterstadt,", f"99101,{quoted},", regions, flags=re.M)
    (folder / "regions.csv").write_text(regions, encoding="utf-8")
    offers = (folder / "angebote.csv").read_text(encoding="utf-8")
    offers = offers.replace("Lernwerk gGmbH Musterstadt;", f'"{DDE}";')
    (folder / "angebote.csv").write_text(offers, encoding="utf-8")
    return folder


@pytest.mark.parametrize("to_file", [True, False])
def test_regions_csv_quotes_a_formula_name(evil_data, tmp_path, capsys, to_file):
    argv = ["regions", "--data", str(evil_data)]
    target = tmp_path / "regionen.csv"
    if to_file:
        argv += ["-o", str(target)]
    assert cli.main(argv) == 0
    text = target.read_text(encoding="utf-8") if to_file else capsys.readouterr().out
    _assert_csv_safe(text, [LINK])


def test_read_csv_quotes_formula_texts_and_keeps_numbers(tmp_path, capsys):
    facts = tmp_path / "facts.csv"
    frame = pd.DataFrame({
        "ags": ["99", "99"], "year": [2024, 2024], "variable": ["bevoelkerung"] * 2,
        "geschlecht": ["@SUM(1+1)", "-2+3+cmd|' /C calc'!A0"], "value": [-5.0, 7.0],
        "status": ["", "-"], "source": [DDE, "t"],
    })
    frame.to_csv(facts, index=False)
    out = tmp_path / "out.csv"
    assert cli.main(["read", str(facts), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    _assert_csv_safe(text, ["@SUM(1+1)", DDE])
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back["value"].tolist() == ["-5.0", "7.0"]  # negative numbers stay numbers
    assert back["status"].tolist() == ["", "-"]


@pytest.mark.parametrize("title", ["=1+2", "@SUM(A1)"])
def test_indicators_csv_quotes_a_formula_title(tmp_path, capsys, title):
    extra = tmp_path / "eigene.toml"
    extra.write_text(f"""
[[indicator]]
id = "X1.1"
handlungsfeld = "D"
title = "{title}"
definition = "-Definition."
interpretation = "Lesehilfe."
kind = "share"
numerator = {{ variable = "abgaenger", filters = {{ abschluss = "ohne_esa" }} }}
denominator = {{ variable = "abgaenger" }}
scale = 100
unit = "%"
direction = -1
source_tables = ["21111-02-06-4"]
""", encoding="utf-8")
    assert cli.main(["indicators", "--format", "csv", "--catalogue", str(extra)]) == 0
    _assert_csv_safe(capsys.readouterr().out, [title, "-Definition."])


def test_report_tabellenanhang_has_no_formula(evil_data, tmp_path, capsys):
    """The issue's two examples end to end: chapter S of the sample with a Kommune named by a
    live link and a DDE command as an offer's provider (Doppelstrukturen)."""
    out = tmp_path / "berichte"
    code = cli.main(["report", "--ags", "99101", "--data", str(evil_data), "--out", str(out),
                     "--chapters", "S", "--no-progress"])
    assert code == 0, capsys.readouterr()
    texts = _assert_no_formula(out / "99101" / "tabellenanhang_99101.xlsx")
    # the Kommune's name in the headers and the provider in Doppelstrukturen, both as text
    # (the region reader puts a space after the comma of the name)
    assert any(t.startswith('=HYPERLINK("http://evil.example/x",') for t in texts)
    assert any(t.startswith(DDE) for t in texts)
