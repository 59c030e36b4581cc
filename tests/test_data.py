"""load_data / load_sample: harmonised facts, editions, revisions, region table, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bimokit._paths import sample_dir
from bimokit.data import Dataset, load_data, load_sample
from bimokit.errors import InputError, InputWarning, UnknownTableError

SAMPLE = sample_dir("musterland")
ABG_2019 = SAMPLE / "21111-02-06-4_stand-2019.csv"
ABG_2025 = SAMPLE / "21111-02-06-4_stand-2025.csv"


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_sample()


@pytest.fixture(scope="module")
def editions() -> Dataset:
    return load_data([ABG_2019, ABG_2025])


def _key_columns(facts: pd.DataFrame) -> list[str]:
    fixed = {"value", "status", "source", "file", "stand"}
    return [c for c in facts.columns if c not in fixed]


def test_sample_facts_are_harmonised_and_unique(ds):
    f = ds.facts
    assert list(f.columns[:3]) == ["ags", "year", "variable"]
    assert list(f.columns[-5:]) == ["value", "status", "source", "file", "stand"]
    keys = f[_key_columns(f)].astype(object).where(f[_key_columns(f)].notna(), "")
    assert not keys.duplicated().any()
    assert {"bevoelkerung", "abgaenger", "kita_kinder", "vhs_belegungen",
            "sprachfoerderbedarf"} <= set(f["variable"])
    # every file that was read is listed, the region table and the offers are not facts
    names = {p.split("/")[-1] for p in ds.files["file"]}
    assert "regions.csv" not in names and "angebote.csv" not in names
    assert len(ds.files) == 23


def test_sample_region_table(ds):
    r = ds.regions.set_index("ags")
    assert r.loc["99101", "level"] == "kreis" and r.loc["99101", "parent"] == "991"
    assert r.loc["99101", "kreistyp"] == "kreisfreie Stadt"
    assert r.loc["99101-01", "level"] == "sozialraum" and r.loc["99101-01", "parent"] == "99101"
    # 99155 Altmusterkreis was merged into 99154 on 01.01.2016 (docs/data_contract.md §4)
    assert not r.loc["99155", "exists"]
    assert (r["level"] == "kreis").sum() == 30


def test_editions_old_and_new_labels_give_the_same_codes(editions):
    f = editions.facts
    by_file = f.groupby("file")["abschluss"].agg(lambda s: sorted(set(s)))
    codes = ["ahr", "esa", "fhr", "insgesamt", "msa", "ohne_esa"]
    assert len(by_file) == 2
    assert all(v == codes for v in by_file)


def test_editions_newer_stand_wins_where_they_overlap(editions):
    f = editions.facts
    # edition Stand 2019 has 2012-2018, Stand 2025 has 2017-2024: 2017/2018 from 2025
    per_year = f.groupby("year")["file"].agg(lambda s: set(s))
    for year in (2017, 2018, 2020):
        assert per_year[year] == {str(ABG_2025)}, year
    assert per_year[2014] == {str(ABG_2019)}
    assert set(f.loc[f["year"] == 2018, "stand"].astype(str)) == {"2025-03-03"}


def test_revisions_list_the_changed_values(editions):
    rev = editions.revisions
    assert len(rev) > 0
    assert set(rev["year"]) <= {2017, 2018}
    assert (rev["old_file"] == str(ABG_2019)).all() and (rev["new_file"] == str(ABG_2025)).all()
    assert (rev["old_stand"].astype(str) == "2019-12-11").all()
    changed = (rev["old_value"] != rev["new_value"]) | (rev["old_status"] != rev["new_status"])
    assert changed.all()
    # the new value of every revision is the value kept in the facts
    f = editions.facts
    for _, r in rev.head(20).iterrows():
        dims = dict(part.split("=") for part in r["dims"].split(", "))
        sel = (f["ags"] == r["ags"]) & (f["year"] == r["year"]) & (f["variable"] == r["variable"])
        for d, c in dims.items():
            sel &= f[d] == c
        kept = f.loc[sel, "value"]
        assert len(kept) == 1
        assert kept.item() == r["new_value"] or (np.isnan(kept.item())
                                                 and np.isnan(r["new_value"]))


def test_unchanged_overlap_is_not_a_revision(editions):
    rev = editions.revisions
    overlap = editions.facts[editions.facts["year"].isin([2017, 2018])]
    assert len(rev) < len(overlap)


def test_same_edition_twice_gives_no_revision():
    ds = load_data([ABG_2019, ABG_2019])
    assert ds.revisions.empty
    assert list(ds.revisions.columns) == [
        "ags", "year", "variable", "dims", "old_value", "new_value", "old_status", "new_status",
        "old_stand", "new_stand", "old_file", "new_file", "source"]


def test_missing_path_names_it(tmp_path):
    with pytest.raises(InputError, match="nope.csv: no such file or folder"):
        load_data(tmp_path / "nope.csv")


def test_folder_without_exports(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="holds no exports"):
        load_data(tmp_path)


def test_unreadable_file_error_names_the_file(tmp_path):
    bad = tmp_path / "kaputt.csv"
    bad.write_text("this is;not\nan export;at all\n", encoding="utf-8")
    with pytest.raises(InputError, match="kaputt.csv"):
        load_data(tmp_path)


def test_tidy_file_with_unknown_table_names_the_file(tmp_path):
    p = tmp_path / "eigene.csv"
    p.write_text("ags,year,variable,value,status,source\n99101,2020,Kinder im Hort,12,,x\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match="eigene.csv.*no table mapping"):
        load_data(p)


def test_own_tidy_file_joins_the_sample(tmp_path):
    p = tmp_path / "eigene_vhs.csv"
    p.write_text("ags,year,variable,geschlecht,value,status,source\n"
                 "99101,2030,vhs_belegungen,insgesamt,1234,,eigene_vhs\n", encoding="utf-8")
    ds = load_data([SAMPLE, p])
    row = ds.facts[(ds.facts["year"] == 2030)]
    assert row[["ags", "variable", "value", "source"]].values.tolist() == [
        ["99101", "vhs_belegungen", 1234.0, "eigene_vhs"]]


def test_real_exports_load(shared_data):
    ds = load_data(shared_data / "genesis_examples")
    f = ds.facts
    sel = (f["variable"] == "abgaenger") & (f["ags"] == "01001") & (f["year"] == 2015) & (
        f["geschlecht"] == "insgesamt")
    got = f[sel].set_index("abschluss")["value"]
    # SOURCES.md: Flensburg 2015: 1,302 Absolventen/Abgänger, 111 ohne Hauptschulabschluss
    assert got["insgesamt"] == 1302 and got["ohne_esa"] == 111
    assert ds.regions.set_index("ags").loc["01001", "level"] == "kreis"
    assert ds.revisions.empty


def test_hamburg_and_berlin_are_also_kreise(tmp_path):
    # Kreis tables give the city-states as Land rows 02 / 11 only; load_data adds them as the
    # kreisfreie Städte 02000 / 11000 with the same facts, unless the data has those keys
    p = tmp_path / "stadtstaaten.csv"
    p.write_text("ags,year,variable,geschlecht,value,status,source\n"
                 "02,2024,bevoelkerung,insgesamt,1910000,,t\n"
                 "11,2024,bevoelkerung,insgesamt,3897000,,t\n"
                 "11000,2023,bevoelkerung,insgesamt,3880000,,t\n"
                 "04011,2024,bevoelkerung,insgesamt,577000,,t\n", encoding="utf-8")
    ds = load_data(p)
    v = ds.facts.set_index(["ags", "year"])["value"]
    assert v[("02000", 2024)] == 1910000 and v[("02", 2024)] == 1910000
    # Berlin has its Kreis key already: nothing is copied (no 11000 row for 2024)
    assert ("11000", 2024) not in v.index and v[("11000", 2023)] == 3880000
    r = ds.regions.set_index("ags")
    assert r.loc["02000", ["name", "level", "parent", "kreistyp"]].tolist() == [
        "Hamburg", "kreis", "02", "kreisfreie Stadt"]
    assert "04000" not in r.index  # Bremen has two Kreise of its own


def test_real_exports_give_berlin_as_kreis(shared_data):
    ds = load_data(shared_data / "genesis_examples")
    f = ds.facts
    land, kreis = (f[f["ags"] == a].drop(columns="ags").reset_index(drop=True)
                   for a in ("11", "11000"))
    assert len(kreis) > 0 and kreis.equals(land)
    assert ds.regions.set_index("ags").loc["11000", "kreistyp"] == "kreisfreie Stadt"


def _unknown_table(src, dst, code="12613-01-01-4"):
    """A real export with its table code changed to one of the official list that the
    catalogue does not use (12613-01-01-4 Gestorbene nach Geschlecht)."""
    text = src.read_bytes().decode("latin-1")
    first, rest = text.split("\n", 1)
    dst.write_bytes((f"GENESIS-Tabelle: {code}\n" + rest).encode("latin-1"))
    return dst


def test_unknown_table_is_skipped_with_a_warning(tmp_path):
    folder = tmp_path / "daten"
    folder.mkdir()
    for f in (ABG_2025, SAMPLE / "82411-01-03-4.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    _unknown_table(SAMPLE / "12411-03-03-4.csv", folder / "12613-01-01-4.csv")
    with pytest.warns(InputWarning) as caught:
        ds = load_data(folder)
    msgs = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    assert len(msgs) == 1
    assert "12613-01-01-4.csv" in msgs[0] and "table '12613-01-01-4'" in msgs[0]
    # what the catalogue knows is read: Abgänger and Einkommen, nothing of the unknown file
    assert set(ds.files["table_code"]) == {"21111-02-06-4", "82411-01-03-4"}
    assert {"abgaenger", "einkommen_je_einwohner"} <= set(ds.facts["variable"])
    assert not ds.facts["file"].str.endswith("12613-01-01-4.csv").any()
    # strict=True refuses instead, naming the file and the table
    with pytest.raises(UnknownTableError, match=r"12613-01-01-4\.csv.*'12613-01-01-4'"):
        load_data(folder, strict=True)


def test_real_exports_with_an_unknown_table_load(shared_data, tmp_path):
    # every real classic export, plus a copy of one under a table code the catalogue does
    # not use: read for what the catalogue knows, one warning per file it does not know
    folder = tmp_path / "echt"
    folder.mkdir()
    for f in (shared_data / "genesis_examples").glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    _unknown_table(shared_data / "genesis_examples" / "12411-01-01-4.csv",
                   folder / "12613-01-01-4.csv")
    with pytest.warns(InputWarning, match="12613-01-01-4"):
        ds = load_data(folder)
    assert "12411-01-01-4" in set(ds.files["table_code"])
    assert "12613-01-01-4" not in set(ds.files["table_code"])
