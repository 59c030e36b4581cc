"""The source tables the catalogue names, against the Regionalstatistik's official table list.

``../shared/data/catalogue/regionalstatistik_tables.csv`` (columns Code, Content, Time; the
statistical offices' titles, via CorrelAid/pystatis) is the reference: every table the
catalogue names (indicators.toml ``source_tables``, tables.toml ``tables``) must have an entry
in ``bimokit/catalogue/source_tables.toml``; an entry of a Regionalstatistik table must carry the
official title of an existing code, and that title must say what the table mapping assumes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bimokit.catalogue import CATALOGUE_DIR, load_catalogue, load_source_tables, read_toml
from bimokit.errors import CatalogueError

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL = "catalogue/regionalstatistik_tables.csv"

#: What a title must say for a table whose mapping gives a variable: (variable pattern, title
#: pattern); the first matching pair applies. A variable no pair covers fails the test, so that
#: a new mapping gets its key word here.
KEYWORDS = [
    (r"^bevoelkerung", r"Bevölkerung"),
    (r"^schulen$", r"Schulen"),
    (r"^schueler", r"Schüler"),
    (r"abgaenger|absolv", r"Absolvent|Abgänger|Absolvierende|Abgehende"),
    (r"^studi", r"Studierende"),
    (r"^einkommen", r"Einkommen"),
    (r"^kita_einrichtungen", r"Einrichtungen"),
    (r"^kita_plaetze", r"Plätze"),
    (r"^kita_personal", r"Personen|Personal"),
    (r"^kita_|^tagespflege|betreu", r"Kinder"),
    (r"arbeitslos", r"Arbeitslose"),
    (r"flaeche", r"[Ff]läche"),
    (r"auszubild|ausbildung", r"Auszubildende|Ausbildung"),
]

#: Tables the catalogue may still use although they have ended (none since the Kita tables
#: were replaced by 22541-01-04-4, 22543-01-03-4, 22543-03-01-4 and 22543-04-01-4).
PENDING_REPLACEMENT: set[str] = set()


@pytest.fixture(scope="module")
def official(shared_data) -> pd.DataFrame:
    t = pd.read_csv(shared_data / OFFICIAL, dtype=str, keep_default_na=False)
    t["title"] = t["Content"].map(lambda s: " ".join(s.split()))
    return t.set_index("Code")


@pytest.fixture(scope="module")
def entries() -> pd.DataFrame:
    return load_source_tables().set_index("code")


def _mapped_tables() -> dict:
    return read_toml(CATALOGUE_DIR / "tables.toml").get("tables", {})


def _named_codes() -> set[str]:
    codes = {t for ind in load_catalogue() for t in ind.source_tables}
    return codes | set(_mapped_tables())


def test_every_table_the_catalogue_names_has_an_entry(entries):
    missing = sorted(_named_codes() - set(entries.index))
    assert missing == [], f"add these to bimokit/catalogue/source_tables.toml: {missing}"


def test_the_official_list_is_the_one_described(official):
    # SOURCES.md: 791 tables, 285 of them '-B' variants ("regionale Ebenen")
    assert len(official) == 791
    assert official.index.str.endswith("-B").sum() == 285


def test_regionalstatistik_entries_exist_with_their_official_title(official, entries):
    rs = entries[entries["source"] == "regionalstatistik"]
    assert len(rs) >= 20
    unknown = sorted(set(rs.index) - set(official.index))
    assert unknown == [], f"not in the official table list: {unknown}"
    for code, row in rs.iterrows():
        assert row["title"] == official.loc[code, "title"], code


def test_sample_codes_are_not_regionalstatistik_tables(official, entries):
    # a code marked "sample" really is no Regionalstatistik table, and says what to use
    sample = entries[entries["source"] == "sample"]
    assert sorted(sample.index) == ["21111-04-01-4", "21121-01-02-4", "21211-01-01-4",
                                    "21211-02-01-4"]
    assert not set(sample.index) & set(official.index)
    assert sample["note"].str.len().gt(40).all()
    for code, row in sample.iterrows():
        assert "Beispieldaten" in row["title"], code
        if row["see"]:
            assert row["see"] in official.index and entries.loc[row["see"], "source"] == \
                "regionalstatistik"
    # 21121-01-05-4 is the Regionalstatistik's table of pupils at vocational schools
    assert official.loc["21121-01-05-4", "title"].startswith("Schulen, Schüler nach Schularten")


def _keyword(variable: str) -> str:
    for var_pattern, title_pattern in KEYWORDS:
        if re.search(var_pattern, variable):
            return title_pattern
    raise AssertionError(f"variable {variable!r}: add its title key word to KEYWORDS")


def test_titles_say_what_the_mappings_assume(official, entries):
    checked = 0
    for code, spec in _mapped_tables().items():
        if entries.loc[code, "source"] != "regionalstatistik" or code in PENDING_REPLACEMENT:
            continue
        title = official.loc[code, "title"]
        for variable in sorted(set(spec["variables"].values())):
            assert re.search(_keyword(variable), title), (
                f"table {code}: the mapping gives {variable!r}, but the official title "
                f"{title!r} does not say so")
            checked += 1
        # the catalogue reads Kreis tables: '-4' codes are 'Kreise und krfr. Städte'
        if code.endswith("-4"):
            assert "regionale Tiefe: Kreise" in title, code
    assert checked >= 8


def test_ended_tables_are_flagged_and_not_used_beyond_the_pending_ones(official, entries):
    used = {t for ind in load_catalogue() for t in ind.source_tables}
    ended = {c for c in entries.index
             if c in official.index and re.search(r"\(bis \d{4}\)", official.loc[c, "title"])}
    # 22541-01-01-4 ends with 31.12.2002, 22543-01-01-4 with 01.03.2010
    assert {"22541-01-01-4", "22543-01-01-4"} <= ended
    for code in ended:
        assert entries.loc[code, "replaced_by"], f"{code} has ended: give replaced_by"
        assert not re.search(r"\(bis \d{4}\)", official.loc[entries.loc[code, "replaced_by"],
                                                            "title"])
    assert used & ended <= PENDING_REPLACEMENT


def test_kita_and_new_tables_carry_their_official_titles(official, entries):
    for code in ("22541-01-04-4", "22543-01-03-4", "22543-03-01-4", "22543-04-01-4",
                 "13211-02-05-4", "11111-01-01-4", "21121-02-02-4", "21111-01-03-4"):
        assert entries.loc[code, "title"] == official.loc[code, "title"]
    assert "Betreuungsquoten" in entries.loc["22543-03-01-4", "title"]
    assert entries.loc["22541-01-01-4", "replaced_by"] == "22541-01-04-4"
    assert entries.loc["22543-01-01-4", "replaced_by"] == "22543-01-03-4"


# --------------------------------------------------------------------------------------------
# verified: said once, where the mapping is (tables.toml), and listed in SOURCES.md


def test_sources_md_lists_exactly_the_verified_mappings():
    from bimokit.harmonization import load_table_mappings

    text = (ROOT / "tests" / "data" / "real" / "SOURCES.md").read_text(encoding="utf-8")
    section = text.split("## Which table mappings are verified", 1)[1]
    verified = {c for c, m in load_table_mappings().items() if m.verified}
    assert verified and all(code in section for code in verified)
    assert "verified" not in (ROOT / "bimokit" / "catalogue" / "source_tables.toml").read_text(
        encoding="utf-8").split("# Gebiet")[1]


# --------------------------------------------------------------------------------------------
# load_source_tables checks its file


@pytest.mark.parametrize("body, message", [
    ('[tables."12411-01-01-4"]\ntitle = "Bevölkerung"\nsource = "regionalstatistik"\n'
     "colour = 1\n", r"Source table '12411-01-01-4': unknown field\(s\) "
     r"'colour'"),
    ('[tables."12411-01-01-4"]\ntitle = "Bevölkerung"\nsource = "destatis"\n',
     r"source must be one of regionalstatistik, sample, own, not 'destatis'"),
    ('[tables."12411-01-01"]\ntitle = "Bevölkerung"\nsource = "regionalstatistik"\n',
     r"'12411-01-01': is not a Regionalstatistik table code"),
    ('[tables."12411-01-01-4"]\ntitle = ""\nsource = "regionalstatistik"\n',
     r"title must be a non-empty text"),
    ('[tables."22541-01-01-4"]\ntitle = "K"\nsource = "regionalstatistik"\n'
     'replaced_by = "22541-01-04-4"\n', r"replaced_by '22541-01-04-4' is not an entry"),
    ('[table."12411-01-01-4"]\ntitle = "B"\n', r"unknown top-level key\(s\) table"),
])
def test_load_source_tables_names_the_bad_entry(tmp_path, body, message):
    path = tmp_path / "source_tables.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_source_tables(path)


def test_load_source_tables_columns_and_whitespace(tmp_path):
    path = tmp_path / "source_tables.toml"
    path.write_text('[tables."own_file"]\ntitle = """Eigene\n  Daten"""\nsource = "own"\n'
                    "", encoding="utf-8")
    t = load_source_tables(path)
    assert t.columns.tolist() == ["code", "title", "source", "replaced_by", "see", "note"]
    assert t.iloc[0].tolist() == ["own_file", "Eigene Daten", "own", "", "", ""]
