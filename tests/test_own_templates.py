"""Tests of bimokit.own_templates and ``bimokit template``: the workbooks' sheets, headers and
lists; write, fill, read back (XLSX and CSV); every problem of a filled template at once."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import bimokit as bk
from bimokit._paths import sample_dir
from bimokit.cli import main
from bimokit.errors import InputProblems, ParameterError
from bimokit.own_templates import TEMPLATE_KINDS, read_back, template_lists, write_template

openpyxl = pytest.importorskip("openpyxl")

SAMPLE = sample_dir("musterland")


def _sozialraeume(prefix: str = "") -> list[str]:
    with (SAMPLE / "regions.csv").open(encoding="utf-8") as f:
        return sorted(r["ags"] for r in csv.DictReader(f)
                      if r["level"] == "sozialraum" and r["ags"].startswith(prefix))


def _sozialraeume_99101() -> list[str]:
    return _sozialraeume("99101-")


def _fill(path, rows):
    """Fill the data sheet of a template as a user would (first sheet, from row 2)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(path)


@pytest.mark.parametrize("kind", list(TEMPLATE_KINDS))
def test_workbook_sheets_headers_and_lists(tmp_path, kind):
    p = write_template(kind, tmp_path / f"{kind}.xlsx", ags="99101")
    wb = openpyxl.load_workbook(p)
    spec = TEMPLATE_KINDS[kind]
    assert wb.sheetnames == [spec.sheet, "Erläuterung", "Listen"]
    assert wb["Listen"].sheet_state == "hidden"
    ws = wb[spec.sheet]
    header = [c.value for c in ws[1]]
    assert header == [f"{c.label}*" if c.required else c.label for c in spec.columns]
    # one drop-down per list column, each pointing at its column of the list sheet
    lists = template_lists(kind, ags="99101")
    listen = wb["Listen"]
    names = [c.value for c in listen[1]]
    assert names == list(lists)
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == len(spec.lists)
    for dv in dvs:
        col = dv.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
        entries = [listen[f"{col}{i}"].value for i in range(2, listen.max_row + 1)]
        assert [e for e in entries if e is not None] == lists[listen[f"{col}1"].value]
    # the explanation names every column with its meaning
    text = [r[0] for r in wb["Erläuterung"].iter_rows(values_only=True)]
    assert text[0] == f"Vorlage: {spec.title}"
    for c in spec.columns:
        assert c.label in text
    # the empty template reads back as an empty table
    assert len(read_back(kind, p)) == 0


def test_lists_come_from_the_data():
    lists = template_lists("sozialraum", ags="99101")
    assert lists["Sozialraum"] == _sozialraeume_99101() and len(lists["Sozialraum"]) > 10
    assert "schuleingangsuntersuchungen" in lists["Variable"]
    assert "3-6" in lists["Altersgruppe"]
    z = template_lists("zielwerte", ags="99101")
    assert z["Region"][0] == "99101" and z["Region"][1:] == _sozialraeume_99101()
    assert z["Indikator"] == [i.id for i in bk.load_catalogue()]
    # without --ags: every Sozialraum of the data (the sample's Kreise 99101 and 99351)
    every = template_lists("angebote")["Sozialraum"]
    assert every == _sozialraeume() and len(every) > len(_sozialraeume_99101())
    with pytest.raises(ParameterError, match="Unknown AGS '12345'"):
        template_lists("angebote", ags="12345")


def test_round_trip_zielwerte_xlsx(tmp_path):
    p = write_template("zielwerte", tmp_path / "zielwerte.xlsx", ags="99101")
    # as typed into German Excel: numbers in number columns, "7,5" typed into a text cell
    _fill(p, [["99101", "D4.1", 2018, 2030, 7.5, None, None, "Beschluss Rat"],
              [None, "C1.1", 2018, 2030, "52,5", "40,0", None, None]])
    t = read_back("zielwerte", p)
    assert t[["ags", "indicator", "baseline_year", "target_year", "target_value", "line"]] \
        .values.tolist() == [["99101", "D4.1", 2018, 2030, 7.5, 2],
                             [None, "C1.1", 2018, 2030, 52.5, 3]]
    assert t["baseline_value"].iloc[1] == 40.0 and np.isnan(t["baseline_value"].iloc[0])
    assert t["bemerkung"].tolist() == ["Beschluss Rat", ""]


def test_round_trip_angebote_and_standards_xlsx(tmp_path):
    a = write_template("angebote", tmp_path / "angebote.xlsx", ags="99101")
    _fill(a, [["AWO", "Treff Nord", "jugendtreff", "99101-01", "jugendliche_15_18", 25, "frei",
               "kommunal", 2024, None],
              ["DRK", "Café", "Elterncafé", "99101-02", "eltern_u6", "1.200", None, None, None,
               None]])
    o = read_back("angebote", a)
    # the German label from the list is read as its code; 1.200 is twelve hundred places
    assert o[["anbieter", "angebotsart", "sozialraum", "plaetze", "line"]].values.tolist() == [
        ["AWO", "jugendtreff", "99101-01", 25, 2], ["DRK", "elterncafe", "99101-02", 1200, 3]]
    assert o["jahr"].tolist()[0] == 2024 and o["jahr"].isna().tolist() == [False, True]
    s = write_template("standards", tmp_path / "standards.xlsx")
    _fill(s, [["jugendtreff", "jugendliche_15_18", 8, "Soll-Konzept 2025", None],
              ["sprachfoerderung", "kinder_3_6", "12,5", "Beschluss JHA", "bis 2027"]])
    st = read_back("standards", s)
    assert st[["angebotsart", "plaetze_je_100", "quelle"]].values.tolist() == [
        ["jugendtreff", 8.0, "Soll-Konzept 2025"], ["sprachfoerderung", 12.5, "Beschluss JHA"]]


def test_round_trip_sozialraum_xlsx_and_csv(tmp_path):
    x = write_template("sozialraum", tmp_path / "sozialraumdaten.xlsx", ags="99101")
    _fill(x, [["99101-01", 2024, "schuleingangsuntersuchungen", None, None, 412, None, None,
               None],
              ["99101-01", 2024, "kita_kinder", "3-6", None, "1.018", None, "Jugendamt",
               None]])
    f = read_back("sozialraum", x)
    assert f[["ags", "variable", "altersgruppe", "value", "source"]].values.tolist() == [
        ["99101-01", "schuleingangsuntersuchungen", "insgesamt", 412.0, "sozialraumdaten.xlsx"],
        ["99101-01", "kita_kinder", "3-6", 1018.0, "Jugendamt"]]
    c = write_template("sozialraum", tmp_path / "sozialraumdaten.csv")
    with c.open("a", encoding="utf-8") as fh:
        fh.write("99101-02;2023;sprachfoerderbedarf;;;37;;;\n"
                 "99101-02;2023;bevoelkerung;3-6;weiblich;1.204;;;\n")
    f = read_back("sozialraum", c)
    assert f[["ags", "year", "variable", "geschlecht", "value"]].values.tolist() == [
        ["99101-02", 2023, "sprachfoerderbedarf", "insgesamt", 37.0],
        ["99101-02", 2023, "bevoelkerung", "weiblich", 1204.0]]


def test_filled_template_with_five_errors_reports_all_five(tmp_path):
    p = write_template("zielwerte", tmp_path / "zielwerte.xlsx", ags="99101")
    _fill(p, [["99101", "D4.1", 2018, 2030, 7, None, None, None],
              ["99101", "D4.1", 2018, 2030, 6, None, None, None],    # 3: contradicts row 2
              [None, "X1.1", 2018, 2030, 5, None, None, None],       # 4: unknown indicator
              [None, "C1.1", 2018, 2030, "inf", None, None, None],   # 5: not finite
              [None, "C1.1", 2030, 2018, 50, None, None, None],      # 6: years reversed
              [None, "D4.5", 2018, 2030, 140, None, None, None]])    # 7: share above 100
    with pytest.raises(InputProblems) as e:
        read_back("zielwerte", p)
    assert [(q.sheet, q.line, q.field) for q in e.value.problems] == [
        ("Zielwerte", 3, "Indikator"), ("Zielwerte", 4, "Indikator"), ("Zielwerte", 5, "Zielwert"),
        ("Zielwerte", 6, "Zieljahr"), ("Zielwerte", 7, "Zielwert")]
    assert str(e.value).splitlines()[3] == (
        "  zielwerte.xlsx, Blatt Zielwerte, Zeile 5, Feld Zielwert: 'inf' ist keine endliche "
        "Zahl")


def test_cli_template(tmp_path, capsys):
    out = tmp_path / "a.xlsx"
    assert main(["template", "angebote", "-o", str(out), "--ags", "99101"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Angebote"
    assert main(["template", "standards", "-o", str(tmp_path / "s.csv")]) == 0
    text = (tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == "# Vorlage: Versorgungsstandards (Soll-Konzept)"
    assert text[-1] == "Angebotsart*;Zielgruppe*;Plätze je 100 der Zielgruppe*;Quelle*;Bemerkung"
    capsys.readouterr()
    # a folder, a wrong suffix, an unknown AGS: exit 2 and one line, nothing written
    for args in (["-o", str(tmp_path)], ["-o", str(tmp_path / "x.txt")],
                 ["-o", str(tmp_path / "x.xlsx"), "--ags", "12345"]):
        assert main(["template", "zielwerte", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("bimokit template: error: ") and err.count("\n") == 1
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.txt").exists()


def test_existing_file_replaced_only_by_a_complete_template(tmp_path):
    p = tmp_path / "zielwerte.xlsx"
    p.write_bytes(b"old")
    with pytest.raises(ParameterError):
        write_template("zielwerte", p, ags="12345")
    assert p.read_bytes() == b"old"
    write_template("zielwerte", p)
    assert openpyxl.load_workbook(p).sheetnames[0] == "Zielwerte"
    assert [f.name for f in tmp_path.iterdir()] == ["zielwerte.xlsx"]  # no temporary file left
