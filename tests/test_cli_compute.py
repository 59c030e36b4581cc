"""``bimokit indicators`` and ``bimokit compute``, including the issue's done-when on real data."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from bimokit.catalogue import load_catalogue
from bimokit.cli import main
from bimokit.computation import VALUE_COLUMNS


def _read_values(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"ags": str, "status": str}, keep_default_na=False,
                       na_values={c: [""] for c in ("numerator", "denominator", "value",
                                                    "ci_low", "ci_high")})


def test_indicators_lists_the_catalogue(capsys):
    assert main(["indicators"]) == 0
    out = capsys.readouterr().out
    cat = load_catalogue()
    header = out.splitlines()[0].split()
    assert header[:3] == ["ID", "HF", "Titel"]
    for ind in cat:
        assert f"\n{ind.id} " in out
    assert f"{len(cat)} Indikatoren" in out


def test_indicators_csv_has_the_catalogue_columns(capsys):
    assert main(["indicators", "--format", "csv", "--handlungsfeld", "D"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    for col in ("id", "handlungsfeld", "title", "unit", "source_tables"):
        assert col in t.columns
    assert set(t["handlungsfeld"]) == {"D"}
    assert "D4.1" in set(t["id"])


def test_indicators_bad_handlungsfeld(capsys):
    assert main(["indicators", "--handlungsfeld", "Q"]) == 2
    assert "--handlungsfeld must be one of" in capsys.readouterr().err


def test_compute_for_one_kommune_writes_kommune_land_bund(tmp_path, capsys):
    out = tmp_path / "reports" / "99101" / "indikatoren.csv"
    assert main(["compute", "--ags", "99101", "-o", str(out)]) == 0
    v = _read_values(out)
    assert list(v.columns) == list(VALUE_COLUMNS)
    assert set(v["ags"]) == {"99101", "99", "DG"}
    assert set(load_catalogue().ids) <= set(v["indicator"])
    assert {"insgesamt", "geschlecht"} <= set(v["breakdown"])
    text = capsys.readouterr().out
    assert "Indikatoren für Musterstadt (99101)" in text
    # German decimal comma in the summary, e.g. the Betreuungsquote
    line = next(ln for ln in text.splitlines() if ln.startswith("C1.1 "))
    k = v[(v["ags"] == "99101") & (v["indicator"] == "C1.1") & (v["breakdown"] == "insgesamt")]
    last = k.loc[k["year"].idxmax()]
    expected = f"{last['value']:.1f}".replace(".", ",")
    assert f" {int(last['year'])} " in line and f" {expected} " in line
    assert not list(out.parent.glob("*.tmp"))


def test_compute_indicator_subset_to_stdout(capsys):
    assert main(["compute", "--indicator", "D4.1", "A1.11", "--by", "none"]) == 0
    v = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"ags": str})
    assert set(v["indicator"]) == {"D4.1", "A1.11"}
    assert set(v["breakdown"]) == {"insgesamt"}


def test_compute_unknown_ags_and_indicator_exit_2_without_output(tmp_path, capsys):
    out = tmp_path / "values.csv"
    assert main(["compute", "--ags", "99999", "-o", str(out)]) == 2
    assert "Unknown AGS '99999'" in capsys.readouterr().err
    assert main(["compute", "--indicator", "Z9.9", "-o", str(out)]) == 2
    assert "Unknown indicator 'Z9.9'" in capsys.readouterr().err
    assert not out.exists()


def test_done_when_school_leaver_shares_for_every_kreis_2015(shared_data, tmp_path, capsys):
    data = shared_data / "genesis_examples"
    out = tmp_path / "values.csv"
    assert main(["compute", "--data", str(data), "-o", str(out)]) == 0
    v = _read_values(out)
    tot = v[(v["breakdown"] == "insgesamt") & (v["year"] == 2015)]

    # every Kreis of the 2015 school-leaver table gets the shares
    from bimokit.io import read

    raw = read(data / "21111-02-06-4_stand-2017.csv").facts
    raw = raw[raw["geschlecht"] == "Insgesamt"]
    # Hamburg and Berlin are Land rows (02, 11) in the table and Kreise 02000 / 11000 in the
    # data (load_data gives them both keys)
    city = raw[raw["ags"].isin(["02", "11"])].assign(ags=lambda d: d["ags"] + "000")
    raw = pd.concat([raw[raw["ags"].str.len() == 5], city], ignore_index=True)
    kreise = set(raw["ags"])
    assert len(kreise) > 400

    def published(label, *, zero_ok):
        ok = raw["status"].isin(["", "-"] if zero_ok else [""])  # "-" is a true zero
        return set(raw.loc[(raw["schulabschluss"] == label) & ok, "ags"])

    labels = {"D4.1": "ohne Hauptschulabschluss", "D4.2": "mit Hauptschulabschluss",
              "D4.3": "mit Mittlerem Abschluss", "D4.4": "mit Fachhochschulreife",
              "D4.5": "mit allgemeiner Hochschulreife"}
    for iid, label in labels.items():
        got = tot[(tot["indicator"] == iid) & (tot["ags"].str.len() == 5)]
        assert kreise <= set(got["ags"]), iid
        # a value wherever numerator and total are published; secret cells stay secret
        # (a total of "-" is a dissolved Kreis: 0 / 0 is not meaningful, status x)
        expected = published(label, zero_ok=True) & published("Insgesamt", zero_ok=False)
        finite = set(got.loc[np.isfinite(got["value"]), "ags"])
        assert finite == expected, iid
        assert len(finite) > 300, iid
        assert set(got.loc[~got["ags"].isin(expected), "status"]) <= {".", "x", "/", "..."}

    d41 = tot[tot["indicator"] == "D4.1"].set_index("ags")
    # SOURCES.md: Deutschland 2015: 47,435 of 846,423 ohne Hauptschulabschluss = 5.60 %
    assert d41.loc["DG", "numerator"] == 47435 and d41.loc["DG", "denominator"] == 846423
    assert round(d41.loc["DG", "value"], 2) == 5.60
    # SOURCES.md: Flensburg (01001): 111 of 1,302 = 8.53 %
    assert d41.loc["01001", "numerator"] == 111 and d41.loc["01001", "denominator"] == 1302
    assert round(d41.loc["01001", "value"], 2) == 8.53
    # mit allgemeiner Hochschulreife, Deutschland: 287,862 / 846,423 (table row DG)
    d45 = tot[tot["indicator"] == "D4.5"].set_index("ags")
    assert d45.loc["DG", "value"] == pytest.approx(287862 / 846423 * 100, rel=1e-12)
    # by sex: Deutschland weiblich 18,348 of 414,111 ohne Hauptschulabschluss
    w = v[(v["indicator"] == "D4.1") & (v["category"] == "weiblich") & (v["ags"] == "DG")]
    assert w["value"].item() == pytest.approx(18348 / 414111 * 100, rel=1e-12)


def test_compute_end_to_end_numerator_above_denominator(tmp_path):
    # issue 14: 1.100 foreigners among 700 residents gave "Ausländeranteil … 157,1 %"
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "ags,year,variable,nationalitaet,value,status,source\n"
        "99101,2024,bevoelkerung,insgesamt,700,,own\n"
        "99101,2024,bevoelkerung,auslaendisch,1100,,own\n"
        "99102,2024,bevoelkerung,insgesamt,700,,own\n"
        "99102,2024,bevoelkerung,auslaendisch,140,,own\n", encoding="utf-8")
    out = tmp_path / "values.csv"
    assert main(["compute", "--data", str(facts), "--indicator", "A1.11", "-o", str(out)]) == 0
    v = _read_values(out).set_index("ags")
    assert v.loc["99101", "status"] == "!" and np.isnan(v.loc["99101", "value"])
    assert np.isnan(v.loc["99101", "numerator"]) and np.isnan(v.loc["99101", "ci_high"])
    # 140 / 700 = 20 %
    assert v.loc["99102", "value"] == pytest.approx(20.0) and v.loc["99102", "status"] == ""
