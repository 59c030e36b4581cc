"""The embedded sample Musterland: reproducible, in the real formats, consistent and plausible.

The files are parsed here with small pandas helpers that know the sample's own layouts, so that
these tests do not depend on the readers in ``bimokit.io`` (tested in ``test_sample_io`` below
through ``bimokit.io.read``).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data_samples" / "musterland"
KREIS_RE = re.compile(r"^99\d{3}$")

CLASSIC = [
    "11111-01-01-4.csv",
    "12411-02-03-4.csv",
    "12411-03-03-4.csv",
    "13211-02-05-4.csv",
    "21111-01-03-4.csv",
    "21111-02-06-4_stand-2019.csv",
    "21111-02-06-4_stand-2025.csv",
    "21121-01-02-4.csv",
    "21121-02-02-4.csv",
    "21311-01-01-4.csv",
    "22543-03-01-4.csv",
    "22543-04-01-4.csv",
    "82411-01-03-4.csv",
]
FLAT = [
    "12411-01-01-4_flat.csv",
    "21111-04-01-4_flat.csv",
    "21211-01-01-4_flat.csv",
    "21211-02-01-4_flat.csv",
    "22541-01-04-4_flat.csv",
    "22543-01-03-4_flat.csv",
]
TIDY = ["ba_sgb2_arbeitsmarkt.csv", "kultur_jugend.csv", "sozialraeume.csv", "vhs_statistik.csv"]
ALL_FILES = sorted(CLASSIC + FLAT + TIDY + ["regions.csv", "musterland.geojson"])


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_sample", ROOT / "scripts" / "make_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample"] = module
    spec.loader.exec_module(module)
    return module


make_sample = _load_generator()


# ---------------------------------------------------------------------------- parsing helpers


def _num(raw: str) -> float:
    """Value of a published cell as the data contract reads it (NaN where there is none)."""
    if raw == "-":
        return 0.0
    if raw in (".", "x", "...", "/"):
        return float("nan")
    m = re.fullmatch(r"\(?(\d+(?:,\d+)?)\)?\s?[prs]?", raw)  # "35,2": quota; "505,68": km²
    assert m, raw
    return float(m.group(1).replace(",", "."))


def parse_classic(name: str, n_labels: int = 0) -> pd.DataFrame:
    """Long table of a classic sample file: ags, name, year, merkmal, column, raw, value.

    ``n_labels``: row-label columns after the region name (Schulart). ``column`` joins the
    header cells of a value column with ``|``.
    """
    lines = (SAMPLE / name).read_bytes().decode("iso-8859-1").split("\n")
    end = lines.index("__________")
    header = [line.split(";") for line in lines[:end] if line.startswith(";")]
    units = {"", "Anzahl", "Tsd. EUR", "EUR", "Prozent", "qkm"}
    header = [h for h in header if not set(h) <= units]  # the unit row is not part of the key
    records = []
    year = None
    for line in lines[1:end]:
        f = line.split(";")
        if line.startswith(";"):
            continue
        if all(x == "" for x in f[1:]):
            if re.fullmatch(r"\d{4}", f[0]):
                year = int(f[0])  # block line
            continue
        if re.fullmatch(r"(\d\d\.\d\d\.)?\d{4}", f[0]):  # year or Stichtag in column 1
            row_year, f, off = int(f[0][-4:]), f[1:], 1
        else:
            row_year, off = year, 0
        merkmal = f[2] if n_labels else ""
        first = 2 + n_labels
        for j, raw in enumerate(f[first:]):
            col = "|".join(h[off + first + j] for h in header if h[off + first + j])
            records.append((f[0], f[1].strip(), row_year, merkmal, col, raw))
    df = pd.DataFrame(records, columns=["ags", "name", "year", "merkmal", "column", "raw"])
    df["value"] = df["raw"].map(_num)
    return df


def parse_flat(name: str) -> pd.DataFrame:
    df = pd.read_csv(SAMPLE / name, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    df["year"] = df["time"].str[:4].astype(int)
    df["value_num"] = df["value"].map(_num)
    return df


def parse_tidy(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False).assign(
        year=lambda d: d["year"].astype(int), value=lambda d: d["value"].astype(float)
    )


def regions() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "regions.csv", dtype=str, keep_default_na=False)


def kreise_of(rb: str) -> list[str]:
    r = regions()
    return sorted(r.loc[(r["level"] == "kreis") & (r["parent"] == rb), "ags"])


# ------------------------------------------------------------------------------ reproducibility


def test_regenerated_sample_is_byte_identical(tmp_path):
    written = make_sample.generate(tmp_path)
    assert [p.name for p in written] == ALL_FILES
    # other parts may add their own seeded files (angebote.csv); ours are all there
    assert set(ALL_FILES) <= {p.name for p in SAMPLE.iterdir()}
    for path in written:
        assert path.read_bytes() == (SAMPLE / path.name).read_bytes(), path.name


# ------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize("name", CLASSIC)
def test_classic_files_have_the_genesis_shape(name):
    raw = (SAMPLE / name).read_bytes()
    assert b"\r" not in raw  # like the real exports in ../shared/data/genesis_examples: "\n"
    text = raw.decode("iso-8859-1")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # umlauts are Latin-1 bytes, as in the real files
    lines = text.split("\n")
    assert lines[0] == f"GENESIS-Tabelle: {name[:13]}"
    ncol = max(len(line.split(";")) for line in lines[: lines.index("__________")])
    title = lines[1 : lines.index("regionale Tiefe: Kreise und krfr. Städte" + ";" * (ncol - 1))]
    assert title and all(line.endswith(";" * (ncol - 1)) for line in title)
    end = lines.index("__________")
    body = [line for line in lines[1:end] if not line.startswith(";")]
    assert all(len(line.split(";")) == ncol for line in body)
    assert 'zu ""gesamte Tabelle"":' in text
    assert "Fiktive Beispieldaten (Musterland) für bimokit, keine amtlichen Werte." in lines
    assert '"© bimokit, fiktive Daten, CC0.' in lines
    assert re.fullmatch(r"Stand: \d\d\.\d\d\.\d{4} / \d\d:\d\d:\d\d", lines[-2])
    assert lines[-1] == ""
    # indentation: 2 spaces Land, 4 Regierungsbezirk, 6 Kreis
    rows = parse_classic(name, 1 if name.startswith(("21111-01", "21121")) else 0)
    first = rows.drop_duplicates("ags").set_index("ags")["name"]
    assert list(first.index[:3]) == ["DG", "99", "991"]
    for line in body:
        f = line.split(";")
        f = f[1:] if re.fullmatch(r"\d{4}", f[0]) else f
        if f[0] == "99":
            assert f[1] == "  Musterland"
        elif len(f[0]) == 3:
            assert f[1].startswith("    ") and f[1].endswith(", Regierungsbezirk")
        elif len(f[0]) == 5:
            assert f[1].startswith("      ") and not f[1].startswith("       ")


@pytest.mark.parametrize("name", FLAT)
def test_flat_files_have_the_ffcsv_shape(name):
    raw = (SAMPLE / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    df = parse_flat(name)
    # the column pattern of ../shared/data/genesis_flat/12411-01-01-4_de_flat.csv
    cols = list(df.columns[:-2])
    assert cols[:5] == ["statistics_code", "statistics_label", "time_code", "time_label", "time"]
    assert cols[-4:] == ["value", "value_unit", "value_variable_code", "value_variable_label"]
    assert cols[5:9] == [
        "1_variable_code",
        "1_variable_label",
        "1_variable_attribute_code",
        "1_variable_attribute_label",
    ]
    assert set(df["1_variable_code"]) == {"KREISE"}
    assert df["1_variable_attribute_code"].str.fullmatch(r"99\d{3}").all()
    assert set(df["year"]) == set(range(2012, 2025))
    # totals have an empty attribute code and the label Insgesamt
    for k in range(2, (len(cols) - 9) // 4 + 1):
        empty = df[f"{k}_variable_attribute_code"] == ""
        assert (df.loc[empty, f"{k}_variable_attribute_label"] == "Insgesamt").all()
    expected_time = "STAG" if name.startswith(("12411", "225")) else "JAHR"
    assert set(df["time_code"]) == {expected_time}


# -------------------------------------------------------------------------------- aggregation


def _check_sums(df: pd.DataFrame, keys: list[str]) -> int:
    """Land and Regierungsbezirk = sum of their Kreise wherever no Kreis cell is secret."""
    checked = 0
    kreise = df[df["ags"].str.fullmatch(KREIS_RE)].copy()
    kreise["rb"] = kreise["ags"].str[:3]
    secret = kreise.groupby(keys)["value"].apply(lambda s: s.isna().any())
    land = df[df["ags"] == "99"].set_index(keys)["value"]
    total = kreise.groupby(keys)["value"].sum()
    ok = ~secret
    # exact for counts; areas in km² with two decimals: up to float rounding
    np.testing.assert_allclose(land[ok.index[ok]].to_numpy(), total[ok].to_numpy(), rtol=0,
                               atol=1e-6)
    checked += int(ok.sum())
    rb_total = kreise.groupby(["rb"] + keys)["value"].sum()
    rb_secret = kreise.groupby(["rb"] + keys)["value"].apply(lambda s: s.isna().any())
    rb = (
        df[df["ags"].str.len() == 3].rename(columns={"ags": "rb"}).set_index(["rb"] + keys)["value"]
    )
    ok = ~rb_secret
    np.testing.assert_allclose(rb[ok.index[ok]].to_numpy(), rb_total[ok].to_numpy(), rtol=0,
                               atol=1e-6)
    return checked + int(ok.sum())


@pytest.mark.parametrize(
    "name, n_labels",
    [
        ("12411-02-03-4.csv", 0),
        ("12411-03-03-4.csv", 0),
        ("21111-01-03-4.csv", 1),
        ("21111-02-06-4_stand-2019.csv", 0),
        ("21111-02-06-4_stand-2025.csv", 0),
        ("21121-01-02-4.csv", 1),
        ("21121-02-02-4.csv", 0),
        ("21311-01-01-4.csv", 0),
        ("11111-01-01-4.csv", 0),
    ],
)
def test_land_and_regbez_rows_are_sums_of_kreise(name, n_labels):
    df = parse_classic(name, n_labels)
    if name.startswith("21111-01"):
        df = df[~((df["merkmal"] == "Insgesamt") & df["column"].str.startswith("Allgemein"))]
        # a Klassenstufe a school type does not have is "x" (only "-" where a Kreis is
        # dissolved): those cells are no sums
        x = df.loc[(df["ags"] == "99") & (df["raw"] == "x"), ["merkmal", "column"]]
        no_sum = pd.MultiIndex.from_frame(x)
        df = df[~pd.MultiIndex.from_frame(df[["merkmal", "column"]]).isin(no_sum)]
    # every year x column (x Schulart) checked at Land level, plus three Regierungsbezirke
    n_cells = df[df["ags"] == "99"].shape[0]
    assert _check_sums(df, ["year", "merkmal", "column"]) >= 0.95 * 4 * n_cells


def test_population_example_sums():
    df = parse_classic("12411-02-03-4.csv")
    musterstadt = df[(df["ags"] == "99101") & (df["year"] == 2024)].set_index("column")["value"]
    prefix = "Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|"
    # row total = sum of the 17 age groups, and = männlich + weiblich
    ages = musterstadt[
        [c for c in musterstadt.index if c.startswith(prefix) and not c.endswith("|Insgesamt")]
    ]
    assert len(ages) == 17
    assert ages.sum() == musterstadt[prefix + "Insgesamt"]
    assert (
        musterstadt["männlich|Altersgruppen (unter 3 bis 75 u. m.)|Insgesamt"]
        + musterstadt["weiblich|Altersgruppen (unter 3 bis 75 u. m.)|Insgesamt"]
        == musterstadt[prefix + "Insgesamt"]
    )
    # the same totals in the flat file and in 12411-03-03-4
    flat = parse_flat("12411-01-01-4_flat.csv")
    f = flat[
        (flat["1_variable_attribute_code"] == "99101")
        & (flat["year"] == 2024)
        & (flat["2_variable_attribute_code"] == "")
    ]
    assert f["value_num"].item() == musterstadt[prefix + "Insgesamt"]
    nat = parse_classic("12411-03-03-4.csv")
    n = nat[(nat["ags"] == "99101") & (nat["year"] == 2024)].set_index("column")["value"]
    assert n["Nationalität|Insgesamt"] == musterstadt[prefix + "Insgesamt"]
    assert n["Nationalität|Deutsche"] + n["Nationalität|Ausländer"] == n["Nationalität|Insgesamt"]


def test_sozialraeume_add_up_to_their_kreis():
    sr = parse_tidy("sozialraeume.csv")
    sr = sr[sr["ags"].str.contains("-")].assign(kreis=lambda d: d["ags"].str[:5])
    assert sr.groupby("kreis")["ags"].nunique().to_dict() == {"99101": 15, "99351": 11}
    pop = parse_classic("12411-02-03-4.csv")
    pop = pop[pop["column"].str.startswith("Insgesamt|")]
    labels = dict(zip(make_sample.AGE_CODES, make_sample.AGE_LABELS, strict=True))
    labels["insgesamt"] = "Insgesamt"
    ba = parse_tidy("ba_sgb2_arbeitsmarkt.csv")
    kita = parse_flat("22543-01-03-4_flat.csv")
    kita = kita[
        (kita["value_variable_code"] == "BETKIN") & (kita["3_variable_attribute_code"] == "")
        & (kita["4_variable_attribute_code"] == "BETART01")
    ]
    kita_codes = {"insgesamt": "", "0-3": "ALT000B03", "3-6": "ALT003B06", "6-14": "ALT006B14"}
    ub = parse_flat("21111-04-01-4_flat.csv")
    ub_codes = {"insgesamt": "", "gymnasium": "SCHARTGYM"}
    own = parse_tidy("sozialraeume.csv")
    want = {}  # (kreis, year, variable, altersgruppe, schulart) -> Kreis value
    for (kreis, year, col), v in pop.set_index(["ags", "year", "column"])["value"].items():
        alt = col.rsplit("|", 1)[1]
        for code, label in labels.items():
            if label == alt:
                want[(kreis, year, "bevoelkerung", code, "")] = v
    for r in ba[ba["variable"] == "sgb2_leistungsberechtigte"].itertuples():
        want[(r.ags, r.year, r.variable, r.altersgruppe, "")] = r.value
    for code, attr in kita_codes.items():
        sel = kita[kita["2_variable_attribute_code"] == attr]
        for kreis, year, v in zip(
            sel["1_variable_attribute_code"], sel["year"], sel["value_num"], strict=True
        ):
            want[(kreis, year, "kita_kinder", code, "")] = v
    for code, attr in ub_codes.items():
        sel = ub[ub["2_variable_attribute_code"] == attr]
        for kreis, year, v in zip(
            sel["1_variable_attribute_code"], sel["year"], sel["value_num"], strict=True
        ):
            want[(kreis, year, "uebergaenge", "", code)] = v
    for r in own[~own["ags"].str.contains("-")].itertuples():  # own data: the Kreis row
        want[(r.ags, r.year, r.variable, "", "")] = r.value
    n_checked = 0
    sums = sr.groupby(["kreis", "year", "variable", "altersgruppe", "schulart"])["value"].sum()
    for key, total in sums.items():
        assert total == want[key], key
        n_checked += 1
    # 2 Kreise x 13 years x (18 age groups + sgb2 + 4 kita + 2 transitions + 2 own)
    assert n_checked == 2 * 13 * 27


# ------------------------------------------------------------------------------- plausibility


def _kreis_pop(year_shift: int = 0) -> pd.Series:
    pop = parse_classic("12411-02-03-4.csv")
    pop = pop[pop["ags"].str.fullmatch(KREIS_RE) & (pop["ags"] != "99155")]
    return pop.assign(year=pop["year"] + year_shift).set_index(["ags", "year", "column"])["value"]


def test_plausible_population_and_social_situation():
    pop = _kreis_pop()
    total = pop.xs("Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|Insgesamt", level="column")
    assert total.between(40_000, 700_000).all()
    assert total.loc["99101"].between(500_000, 600_000).all()  # Musterstadt
    u15 = sum(
        pop.xs(f"Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|{a}", level="column")
        for a in make_sample.AGE_LABELS[:4]
    )
    ba = parse_tidy("ba_sgb2_arbeitsmarkt.csv")
    sgb2 = ba[(ba["variable"] == "sgb2_leistungsberechtigte") & (ba["altersgruppe"] == "unter_15")]
    quote = sgb2.set_index(["ags", "year"])["value"].reindex(u15.index) / u15
    assert quote.between(0.03, 0.36).all()
    assert quote.xs(2024, level="year").min() < 0.07 and quote.xs(2024, level="year").max() > 0.25
    nat = parse_classic("12411-03-03-4.csv")
    nat = nat[nat["ags"].str.fullmatch(KREIS_RE) & (nat["ags"] != "99155") & (nat["year"] == 2024)]
    share = (
        nat[nat["column"] == "Nationalität|Ausländer"].set_index("ags")["value"]
        / nat[nat["column"] == "Nationalität|Insgesamt"].set_index("ags")["value"]
    )
    assert share.between(0.04, 0.26).all() and share.max() - share.min() > 0.15
    # births: under-3-year-olds / 3 per 1000 inhabitants ~ 8-11
    u3 = pop.xs("Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|unter 3 Jahre", level="column")
    assert (u3 / 3 / total * 1000).between(7, 12).all()


def test_plausible_kindertagesbetreuung():
    pop = _kreis_pop(year_shift=1)  # Stichtag 01.03.t over population 31.12.(t-1)
    flat = parse_flat("22543-01-03-4_flat.csv")
    kita = flat[flat["4_variable_attribute_code"] == "BETART01"]  # Kindertageseinrichtungen
    tp = flat[flat["4_variable_attribute_code"] == "BETART02"]  # Kindertagespflege

    def kids(df, alt, betrum=""):
        sel = (df["2_variable_attribute_code"] == alt) & (df["value_variable_code"] == "BETKIN")
        sel &= df["3_variable_attribute_code"] == betrum
        return (
            df[sel]
            .rename(columns={"1_variable_attribute_code": "ags"})
            .set_index(["ags", "year"])["value_num"]
        )

    for alt, label, lo, hi in [
        ("ALT000B03", "unter 3 Jahre", 0.1, 0.7),
        ("ALT003B06", "3 bis unter 6 Jahre", 0.85, 0.99),
    ]:
        p = pop.xs(f"Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|{label}", level="column")
        q = ((kids(kita, alt) + kids(tp, alt)) / p).dropna()
        q = q[q.index.get_level_values("year") >= 2013]
        # Gebietsreform: children of 01.03.2016 in the enlarged 99154 over its old population
        q = q.drop(("99154", 2016))
        assert len(q) == 29 * 12 - 1 and q.between(lo, hi).all(), (alt, q.min(), q.max())
        if alt == "ALT000B03":  # rising from about 25 % to 35-45 %
            by_year = q.groupby(level="year").median()
            assert 0.2 < by_year[2013] < 0.32 and 0.34 < by_year[2024] < 0.48
    ganztags = (kids(kita, "", "BETRUM04") / kids(kita, "")).dropna()
    assert ganztags.between(0.35, 0.75).all()


def test_plausible_schools():
    df = parse_classic("21111-01-03-4.csv", 1)
    land = df[(df["ags"] == "99")].set_index(["year", "merkmal", "column"])["value"]
    pupils = "Schüler(innen) an allgemein bildenden Schulen|Geschlecht|Insgesamt"
    foreign = "Schüler(innen) an allgemein bildenden Schulen|Nationalität|Ausländer(innen)"
    for year, lo, hi in ((2012, 0.05, 0.1), (2024, 0.09, 0.2)):
        tot = land[(year, "Insgesamt", pupils)]
        assert 0.03 < land[(year, "Sonderschulen/Förderschulen", pupils)] / tot < 0.05
        assert lo < land[(year, "Insgesamt", foreign)] / tot < hi
    ab = parse_classic("21111-02-06-4_stand-2025.csv")
    ab = ab[ab["ags"].str.fullmatch(KREIS_RE) & (ab["ags"] != "99155")].set_index(
        ["ags", "year", "column"]
    )["value"]
    tot = ab.xs("Schulabschluss|Insgesamt|Geschlecht|Insgesamt", level="column")
    ohne = ab.xs("Schulabschluss|ohne Ersten Schulabschluss|Geschlecht|Insgesamt", level="column")
    ahr = ab.xs(
        "Schulabschluss|mit allgemeiner Hochschulreife|Geschlecht|Insgesamt", level="column"
    )
    female = ab.xs("Schulabschluss|Insgesamt|Geschlecht|weiblich", level="column")
    assert (ohne / tot).between(0.02, 0.14).all()
    assert (ahr / tot).between(0.2, 0.5).all()
    assert (female.sum() / tot.sum()) == pytest.approx(0.49, abs=0.02)
    ub = parse_flat("21111-04-01-4_flat.csv")
    ub = ub[ub["1_variable_attribute_code"] != "99155"].set_index(
        ["1_variable_attribute_code", "year", "2_variable_attribute_code"]
    )["value_num"]
    gym = ub.xs("SCHARTGYM", level=2) / ub.xs("", level=2)
    assert gym.between(0.28, 0.58).all()


def test_plausible_weiterbildung_and_hochschule():
    vhs = parse_tidy("vhs_statistik.csv")
    beleg = vhs[
        (vhs["variable"] == "vhs_belegungen")
        & (vhs["geschlecht"] == "insgesamt")
        & vhs["ags"].str.fullmatch(KREIS_RE)
        & (vhs["ags"] != "99155")
    ]
    pop = _kreis_pop().xs(
        "Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|Insgesamt", level="column"
    )
    per_1000 = beleg.set_index(["ags", "year"])["value"] / pop * 1000
    pre_covid = per_1000[per_1000.index.get_level_values("year") <= 2019]
    assert pre_covid.between(60, 120).all()
    st = parse_classic("21311-01-01-4.csv")
    st = st[
        st["ags"].str.fullmatch(KREIS_RE) & (st["column"] == "Studierende|Geschlecht|Insgesamt")
    ]
    with_hs = set(st.loc[st["value"] > 0, "ags"])
    assert with_hs == {"99101", "99103", "99201", "99301", "99352"}
    assert (st.loc[~st["ags"].isin(with_hs), "raw"] == "-").all()


# -------------------------------------------------------------------- symbols, reform, editions


def test_planted_status_symbols():
    schools = parse_classic("21111-01-03-4.csv", 1)
    secret = schools[schools["raw"] == "."]
    assert len(secret) == 15 and secret["ags"].str.fullmatch(KREIS_RE).all()
    # planted: foreign pupils at Abendschulen in 99202, 99302 (2013-2016), Förderschulen 99353
    # (2019-2021), Freie Waldorfschulen 99256 (2012-2015)
    assert {("99202", 2013), ("99302", 2016), ("99353", 2020), ("99256", 2015)} <= set(
        zip(secret["ags"], secret["year"], strict=True)
    )
    assert secret["column"].str.endswith("Ausländer(innen)").all()
    assert set(secret["merkmal"]) <= {
        "Sonderschulen/Förderschulen",
        "Abendschulen und Kollegs",
        "Freie Waldorfschulen",
    }
    klasse = schools["column"].str.contains("Klassenstufe")
    x = schools[(schools["raw"] == "x") & ~klasse]
    assert set(x["merkmal"]) == {"Insgesamt"} and set(x["ags"]) == {"DG", "99", "991", "992", "993"}
    # Klassenstufe 7 / Jahrgangsstufe 11 of a school type without that grade: "x", as in the real
    # 21111-01-03-4 (e.g. Grundschulen)
    x7 = schools[(schools["raw"] == "x") & schools["column"].str.endswith("7. Klassenstufe")]
    assert set(x7["merkmal"]) == {"Vorschulbereich", "Grundschulen",
                                  "Schulartunabhängige Orientierungsstufe",
                                  "Abendschulen und Kollegs"}
    beruf = parse_classic("21121-01-02-4.csv", 1)
    assert set(beruf.loc[beruf["raw"] == "/", "ags"]) == {"99157"}
    limited = beruf[beruf["raw"].str.fullmatch(r"\(\d+\)")]
    assert len(limited) == 10 and (limited["value"] > 0).all()
    income = parse_classic("82411-01-03-4.csv")
    p = income[income["raw"].str.endswith("p")]
    assert set(p["year"]) == {2024} and len(p) > 10
    later = income[income["raw"] == "..."]
    assert later[["ags", "year"]].values.tolist() == [["DG", 2024]]


def test_gebietsreform_99155():
    pop = parse_classic("12411-02-03-4.csv")
    old = pop[pop["ags"] == "99155"]
    assert (old.loc[old["year"] >= 2016, "raw"] == "-").all()
    assert (old.loc[old["year"] < 2016, "value"] > 0).all()
    total = pop[pop["column"] == "Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|Insgesamt"]
    t = total.set_index(["ags", "year"])["value"]
    # the absorbing Kreis jumps by about the size of the dissolved one
    assert t[("99154", 2016)] - t[("99154", 2015)] == pytest.approx(t[("99155", 2015)], rel=0.05)
    r = regions().set_index("ags")
    assert r.loc["99155", "valid_to"] == "2015-12-31"
    flat = parse_flat("12411-01-01-4_flat.csv")
    assert (
        flat.loc[(flat["1_variable_attribute_code"] == "99155") & (flat["year"] >= 2016), "value"]
        == "-"
    ).all()


def test_two_editions_of_21111_02_06_4():
    old = parse_classic("21111-02-06-4_stand-2019.csv")
    new = parse_classic("21111-02-06-4_stand-2025.csv")
    assert set(old["year"]) == set(range(2012, 2019)) and set(new["year"]) == set(range(2017, 2025))
    assert "Schulabschluss|ohne Hauptschulabschluss|Geschlecht|Insgesamt" in set(old["column"])
    assert "Schulabschluss|ohne Ersten Schulabschluss|Geschlecht|Insgesamt" in set(new["column"])
    # same cells by position in the overlapping years: only revised Kreise and their aggregates
    o = old[old["year"] >= 2017].reset_index(drop=True)
    n = new[new["year"] <= 2018].reset_index(drop=True)
    assert (o[["ags", "year"]] == n[["ags", "year"]]).all().all()
    changed = set(o.loc[o["raw"] != n["raw"], "ags"])
    assert changed == {"99102", "99253", "99356", "991", "992", "993", "99"}


# ----------------------------------------------------------------------- regions and geometry


def _ring_area(ring) -> float:
    return 0.5 * sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))


def test_regions_table():
    r = regions()
    assert list(r.columns) == [
        "ags",
        "name",
        "level",
        "parent",
        "kreistyp",
        "valid_from",
        "valid_to",
    ]
    assert r["level"].value_counts().to_dict() == {
        "kreis": 30,
        "sozialraum": 26,
        "regbez": 3,
        "bund": 1,
        "land": 1,
    }
    assert r["ags"].is_unique
    assert set(r.loc[r["level"] == "sozialraum", "parent"]) == {"99101", "99351"}
    # every region of every file is in the table
    codes = set(parse_classic("21121-01-02-4.csv", 1)["ags"])
    codes |= set(parse_flat("22541-01-04-4_flat.csv")["1_variable_attribute_code"])
    codes |= set(parse_tidy("sozialraeume.csv")["ags"])
    assert codes <= set(r["ags"])


def test_geojson_tiles_kreise_and_sozialraeume():
    path = SAMPLE / "musterland.geojson"
    assert path.stat().st_size < 300_000
    doc = json.loads(path.read_text(encoding="utf-8"))
    feats = {f["properties"]["ags"]: f for f in doc["features"]}
    r = regions()
    current = set(r.loc[(r["level"] == "kreis") & (r["valid_to"] == ""), "ags"])
    kreise = {a for a, f in feats.items() if f["properties"]["level"] == "kreis"}
    assert kreise == current  # Gebietsstand 31.12.2024: 99155 is part of 99154
    assert {a for a, f in feats.items() if f["properties"]["level"] == "sozialraum"} == set(
        r.loc[r["level"] == "sozialraum", "ags"]
    )
    for f in doc["features"]:
        ring = f["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and _ring_area(ring) > 0  # closed, counter-clockwise
        for lon, lat in ring:
            assert 5.9 < lon < 15.0 and 47.3 < lat < 55.1
            assert round(lon, 5) == lon and round(lat, 5) == lat
    for kreis in ("99101", "99351"):
        parts = [f for a, f in feats.items() if a.startswith(kreis + "-")]
        area = sum(_ring_area(f["geometry"]["coordinates"][0]) for f in parts)
        assert area == pytest.approx(
            _ring_area(feats[kreis]["geometry"]["coordinates"][0]), rel=1e-9
        )
        # shared vertices: every vertex of the Kreis ring is a vertex of some Sozialraum
        verts = {tuple(p) for f in parts for p in f["geometry"]["coordinates"][0]}
        assert {tuple(p) for p in feats[kreis]["geometry"]["coordinates"][0]} <= verts
    total = sum(_ring_area(feats[k]["geometry"]["coordinates"][0]) for k in kreise)
    assert total == pytest.approx(40 * 0.31 * 0.205, rel=0.05)  # 40 grid cells of 0.31 x 0.205 deg


# ---------------------------------------------------------------------------------- packaging


def test_wheel_contains_the_sample_and_finds_it(tmp_path):
    """Build the wheel, check its contents and that ``sample_dir`` resolves inside it."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (tmp_path / "dist").glob("bimokit-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for f in ALL_FILES:
            assert f"bimokit/data_samples/musterland/{f}" in names
            assert zf.read(f"bimokit/data_samples/musterland/{f}") == (SAMPLE / f).read_bytes()
        assert "bimokit/_paths.py" in names
        zf.extractall(tmp_path / "site")
    code = (
        "import bimokit, bimokit._paths as p; "
        "print(bimokit.__file__); print(p.sample_dir('musterland'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""},
        check=True,
        cwd=tmp_path,
    )
    pkg_file, sample = out.stdout.splitlines()
    assert Path(pkg_file).parent == tmp_path / "site" / "bimokit"
    assert Path(sample) == tmp_path / "site" / "bimokit" / "data_samples" / "musterland"
    assert (Path(sample) / "regions.csv").is_file()


# ------------------------------------------------------------------------- through bimokit.io


# file -> (regions, years, status symbols planted or expected)
READ_BACK = {
    "12411-02-03-4.csv": (35, range(2012, 2025), {"", "-"}),
    "12411-03-03-4.csv": (35, range(2012, 2025), {"", "-"}),
    "21111-01-03-4.csv": (35, range(2012, 2025), {"", "-", ".", "x"}),
    "21111-02-06-4_stand-2019.csv": (35, range(2012, 2019), {"", "-"}),
    "21111-02-06-4_stand-2025.csv": (35, range(2017, 2025), {"", "-"}),
    "21121-01-02-4.csv": (35, range(2012, 2025), {"", "-", "/", "()"}),
    "21311-01-01-4.csv": (35, range(2012, 2025), {"", "-"}),
    "82411-01-03-4.csv": (35, range(2012, 2025), {"", "-", "p", "..."}),
    "12411-01-01-4_flat.csv": (30, range(2012, 2025), {"", "-"}),
    "21111-04-01-4_flat.csv": (30, range(2012, 2025), {"", "-"}),
    "21211-01-01-4_flat.csv": (30, range(2012, 2025), {"", "-"}),
    "21211-02-01-4_flat.csv": (30, range(2012, 2025), {"", "-"}),
    "22543-03-01-4.csv": (35, range(2012, 2025), {"", "-"}),
    "11111-01-01-4.csv": (35, range(2012, 2025), {"", "-"}),
    "13211-02-05-4.csv": (35, range(2012, 2025), {"", "-"}),
    "21121-02-02-4.csv": (35, range(2012, 2025), {"", "-"}),
    "22543-04-01-4.csv": (35, range(2012, 2025), {"", "-"}),
    "22541-01-04-4_flat.csv": (30, range(2012, 2025), {"", "-"}),
    "22543-01-03-4_flat.csv": (30, range(2012, 2025), {"", "-"}),
    "ba_sgb2_arbeitsmarkt.csv": (35, range(2012, 2025), {"", "-"}),
    "kultur_jugend.csv": (34, range(2012, 2025), {"", "-"}),
    "sozialraeume.csv": (28, range(2012, 2025), {""}),
    "vhs_statistik.csv": (34, range(2012, 2025), {"", "-"}),
}


@pytest.mark.parametrize("name", sorted(READ_BACK))
def test_sample_reads_back_through_bimokit_io(name):
    from bimokit.harmonization import harmonize
    from bimokit.io import read

    n_regions, years, statuses = READ_BACK[name]
    export = read(SAMPLE / name)
    facts = export.facts
    assert facts["ags"].nunique() == n_regions
    assert sorted(facts["year"].unique()) == list(years)
    assert set(facts["status"]) == statuses
    if name[0].isdigit():
        assert export.table_code == name[:13]
    if name in CLASSIC:
        stand = make_sample.STAND[name[:-4] if "stand" in name else name[:13]][:10]
        assert export.stand.strftime("%d.%m.%Y") == stand
    # the generator's numbers come back: Musterstadt 2024 (or its first Sozialraum)
    # and the 99155 rows of 2016 on are "-" with value 0
    if name not in ("sozialraeume.csv",):
        old = facts[(facts["ags"] == "99155") & (facts["year"] >= 2016)]
        assert len(old) > 0 and (old["status"] == "-").all() and (old["value"] == 0).all()
    # the published labels map onto the harmonised vocabulary without a single unmapped label
    # (complements=False: no derived männlich/deutsch rows, one harmonised row per published one)
    harmonised = harmonize(export, strict=True, complements=False)
    # memo columns ("nachrichtl.: …") are published but not used
    assert len(harmonised) == (~facts["variable"].str.startswith("nachrichtl.")).sum()


def test_read_back_values_match_the_generator():
    from bimokit.io import read

    data = make_sample.simulate_all(np.random.default_rng(make_sample.SEED))
    i = make_sample.yi(2024)
    pop = read(SAMPLE / "12411-02-03-4.csv").facts
    row = pop[
        (pop["ags"] == "99101")
        & (pop["year"] == 2024)
        & (pop["geschlecht"] == "weiblich")
        & (pop["altersgruppen_unter_3_bis_75_u_m"] == "unter 3 Jahre")
    ]
    assert row["value"].item() == data["99101"]["pop"][i, 0, 1]
    kita = read(SAMPLE / "22543-01-03-4_flat.csv").facts
    row = kita[
        (kita["ags"] == "99351")
        & (kita["year"] == 2024)
        & (kita["variable"] == "Betreute Kinder")
        & (kita["art_der_kindertagesbetreuung"] == "Kindertageseinrichtungen")
        & (kita["altersgruppen"] == "unter 3 Jahre")
        & (kita["betreuungsumfang"] == "Insgesamt")
    ]
    assert row["value"].item() == data["99351"]["kita"][i, 0, 0]
    income = read(SAMPLE / "82411-01-03-4.csv").facts
    row = income[
        (income["ags"] == "99")
        & (income["year"] == 2024)
        & (income["variable"] == "verfügbares Einkommen der privaten Haushalte")
    ]
    assert row["value"].item() == data["99"]["eink"][i] and row["status"].item() == "p"


def test_published_betreuungsquote_has_its_own_population_base():
    # 22543-03-01-4: children on 01.03.t (22543-01-03-4) over the under-3-year-olds of
    # 31.12.(t-1) (12411-02-03-4), one decimal
    quota = parse_classic("22543-03-01-4.csv")
    quota = quota.set_index(["ags", "year", "column"])["value"]
    flat = parse_flat("22543-01-03-4_flat.csv")
    u3 = flat[(flat["2_variable_attribute_code"] == "ALT000B03")
              & (flat["3_variable_attribute_code"] == "")]
    kids = u3.groupby(["1_variable_attribute_code", "year"])["value_num"].sum()
    pop = parse_classic("12411-02-03-4.csv").set_index(["ags", "year", "column"])["value"]
    col = "Insgesamt|Altersgruppen (unter 3 bis 75 u. m.)|unter 3 Jahre"
    n = 0
    for ags in ("99101", "99351", "99257"):
        for year in range(2013, 2025):
            want = round(100 * kids[(ags, year)] / pop[(ags, year - 1, col)], 1)
            got = quota[(ags, year, "Betreuungsquote|Art der Kindertagesbetreuung|Insgesamt")]
            assert got == pytest.approx(want, abs=1e-9), (ags, year)
            n += 1
    assert n == 36
    # the two Arten add up to the total up to rounding
    parts = [quota.xs(f"Betreuungsquote|Art der Kindertagesbetreuung|{a}", level="column")
             for a in ("Kindertageseinrichtungen", "Kindertagespflege")]
    total = quota.xs("Betreuungsquote|Art der Kindertagesbetreuung|Insgesamt", level="column")
    assert ((parts[0] + parts[1] - total).abs() <= 0.10001).all()
    # 22543-04-01-4 repeats the under-3 quota and adds 3 bis unter 6 Jahre
    q4 = parse_classic("22543-04-01-4.csv").set_index(["ags", "year", "column"])["value"]
    assert q4[("99101", 2024, "Betreuungsquote|Altersgruppen|unter 3 Jahre|"
               "Art der Kindertagesbetreuung|Insgesamt")] == quota[
        ("99101", 2024, "Betreuungsquote|Art der Kindertagesbetreuung|Insgesamt")]
    q36 = q4.xs("Betreuungsquote|Altersgruppen|3 bis unter 6 Jahre|Art der Kindertagesbetreuung|"
                "Insgesamt", level="column")
    assert q36[q36 > 0].between(85, 100).all()
