"""compute(): the indicator-values table, intervals, aggregation, statuses, pooling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bimokit.catalogue import load_catalogue
from bimokit.computation import VALUE_COLUMNS, compute, poisson_interval, wilson_interval
from bimokit.errors import ParameterError
from bimokit.status import combine_status

CAT = load_catalogue()


@pytest.fixture(scope="module")
def sample():
    from bimokit.data import load_sample

    return load_sample()


@pytest.fixture(scope="module")
def sample_values(sample):
    return sample.compute(by="all")


def _abg(rows, *, variable="abgaenger"):
    """Facts of abgaenger: rows of (ags, year, abschluss, value, status)."""
    return pd.DataFrame(rows, columns=["ags", "year", "abschluss", "value", "status"]).assign(
        variable=variable)


def _regions(land, kreise):
    return pd.DataFrame({"ags": [land, *kreise], "level": ["land"] + ["kreis"] * len(kreise),
                         "parent": ["DG"] + [land] * len(kreise)})


# --------------------------------------------------------------------------------------------
# Every catalogue indicator on the sample


@pytest.mark.parametrize("iid", CAT.ids)
def test_every_indicator_has_a_finite_kreis_value_on_the_sample(sample, sample_values, iid):
    kreise = set(sample.regions.loc[sample.regions["level"] == "kreis", "ags"])
    v = sample_values[(sample_values["indicator"] == iid)
                      & (sample_values["breakdown"] == "insgesamt")
                      & sample_values["ags"].isin(kreise)]
    assert np.isfinite(v["value"].to_numpy(dtype=float)).any(), iid


def test_value_table_columns_are_the_same_whatever_the_options(sample):
    facts = sample.facts
    a = compute(facts, ["D4.1", "A1.1"])
    b = compute(facts, ["D4.1", "A1.1"], by="all", pool_years=3, regions=sample.regions,
                levels=["kreis"])
    assert list(a.columns) == list(b.columns) == list(VALUE_COLUMNS)
    assert set(a["breakdown"]) == {"insgesamt"}
    assert {"geschlecht", "nationalitaet"} <= set(b["breakdown"])
    assert a["year"].dtype == np.int64 and a["value"].dtype == np.float64


def test_breakdown_applies_to_numerator_and_denominator():
    facts = pd.DataFrame({
        "ags": "01001", "year": 2015, "variable": "abgaenger",
        "abschluss": ["insgesamt", "ohne_esa", "insgesamt", "ohne_esa"],
        "geschlecht": ["insgesamt", "insgesamt", "weiblich", "weiblich"],
        "value": [1302.0, 111.0, 664.0, 48.0], "status": "",
    })
    v = compute(facts, "D4.1", by="geschlecht").set_index("category")
    # published 2015 Flensburg: 48 of 664 weiblich ohne Hauptschulabschluss = 7.2289 %
    assert v.loc["weiblich", "value"] == pytest.approx(48 / 664 * 100, rel=1e-12)
    assert v.loc["insgesamt", "value"] == pytest.approx(111 / 1302 * 100, rel=1e-12)
    assert v.loc["weiblich", "breakdown"] == "geschlecht"


# --------------------------------------------------------------------------------------------
# Intervals


def test_wilson_interval_for_111_of_1302_by_hand():
    # Wilson: p = 111/1302, z = 1.959963984540054 (97.5 % normal quantile), n = 1302
    #   centre = (p + z²/2n) / (1 + z²/n);  half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)
    #   → low = 0.07127808191154035, high = 0.10166899163646269
    n, k, z = 1302, 111, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert centre - half == pytest.approx(0.07127808191154035, abs=1e-12)
    assert centre + half == pytest.approx(0.10166899163646269, abs=1e-12)
    lo, hi = wilson_interval([k], [n])
    assert lo[0] == pytest.approx(centre - half, abs=1e-9)
    assert hi[0] == pytest.approx(centre + half, abs=1e-9)
    # and through compute, scaled to %
    v = compute(_abg([("01001", 2015, "insgesamt", 1302.0, ""),
                      ("01001", 2015, "ohne_esa", 111.0, "")]), "D4.1")
    assert v["ci_low"].item() == pytest.approx(100 * (centre - half), abs=1e-9)
    assert v["ci_high"].item() == pytest.approx(100 * (centre + half), abs=1e-9)


def test_wilson_interval_is_nan_where_undefined():
    lo, hi = wilson_interval([5, 1, np.nan], [0, 3, 10])
    assert np.isnan(lo[0]) and np.isnan(hi[2])
    assert 0 < lo[1] < 1 / 3 < hi[1] < 1


def test_poisson_interval_for_zero_events_by_hand():
    # k = 0: lower 0, upper = chi2(0.975, 2)/2 = -ln(0.025) = 3.6888794541139363 events
    lo, hi = poisson_interval([0], [1000])
    assert lo[0] == 0.0
    assert hi[0] == pytest.approx(-math.log(0.025) / 1000, rel=1e-9)


def test_rate_gets_poisson_interval_and_ratio_none():
    facts = pd.DataFrame({
        "ags": "01001", "year": 2020,
        "variable": ["auszubildende", "bevoelkerung", "bevoelkerung", "bevoelkerung"],
        "altersgruppe": [None, "15-18", "18-20", "20-25"],
        "value": [0.0, 300.0, 300.0, 400.0], "status": "",
    })
    v = compute(facts, ["E2.1"])
    # 0 Auszubildende je 1.000 of 1,000 Einwohner 15-25: upper = -ln(0.025) / 1000 * 1000
    assert v["value"].item() == 0.0
    assert v["denominator"].item() == 1000.0
    assert v["ci_high"].item() == pytest.approx(-math.log(0.025), rel=1e-9)


# --------------------------------------------------------------------------------------------
# Aggregation to Land


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50_000), st.floats(0, 1)), min_size=1, max_size=12))
def test_land_share_is_summed_counts_over_summed_denominators(kreise):
    rows, keys = [], []
    for i, (den, frac) in enumerate(kreise):
        ags = f"01{i + 1:03d}"
        keys.append(ags)
        num = math.floor(den * frac)
        rows += [(ags, 2020, "insgesamt", float(den), ""), (ags, 2020, "ohne_esa", float(num), "")]
    v = compute(_abg(rows), "D4.1", regions=_regions("01", keys)).set_index("ags")
    nums = [math.floor(d * f) for d, f in kreise]
    dens = [d for d, _ in kreise]
    land = v.loc["01"]
    assert land["numerator"] == sum(nums) and land["denominator"] == sum(dens)
    assert land["value"] == pytest.approx(sum(nums) / sum(dens) * 100, rel=1e-12)
    rates = v.loc[keys, "value"]
    assert rates.min() - 1e-9 <= land["value"] <= rates.max() + 1e-9


def test_published_land_value_wins_over_the_sum():
    rows = [("01001", 2015, "insgesamt", 100.0, ""), ("01001", 2015, "ohne_esa", 10.0, ""),
            ("01002", 2015, "insgesamt", 100.0, ""), ("01002", 2015, "ohne_esa", 30.0, ""),
            ("01", 2015, "insgesamt", 250.0, ""), ("01", 2015, "ohne_esa", 45.0, "")]
    v = compute(_abg(rows), "D4.1", regions=_regions("01", ["01001", "01002"])).set_index("ags")
    # published Land: 45 / 250 = 18 %, not (10 + 30) / 200 = 20 %
    assert v.loc["01", "value"] == pytest.approx(18.0)


def test_no_land_sum_when_a_kreis_is_missing():
    rows = [("01001", 2015, "insgesamt", 100.0, ""), ("01001", 2015, "ohne_esa", 10.0, "")]
    v = compute(_abg(rows), "D4.1", regions=_regions("01", ["01001", "01002"]))
    assert v["ags"].tolist() == ["01001"]


def test_land_from_kreise_via_regierungsbezirk_but_no_bund_from_one_land():
    rows = [("03101", 2015, "insgesamt", 100.0, ""), ("03101", 2015, "ohne_esa", 10.0, ""),
            ("03102", 2015, "insgesamt", 300.0, ""), ("03102", 2015, "ohne_esa", 20.0, "")]
    regions = pd.DataFrame({"ags": ["DG", "03", "031", "03101", "03102"],
                            "parent": [None, "DG", "03", "031", "031"]})
    v = compute(_abg(rows), "D4.1", regions=regions).set_index("ags")
    # (10 + 20) / (100 + 300) = 7.5 % for the Regierungsbezirk and the Land
    for ags in ("031", "03"):
        assert v.loc[ags, "value"] == pytest.approx(7.5)
    # one Land is not Deutschland: DG needs all 16 Länder
    assert "DG" not in v.index
    assert compute(_abg(rows), "D4.1", regions=regions, levels=["land"])["ags"].tolist() == [
        "03"]


def test_bund_is_the_sum_of_the_16_laender():
    laender = [f"{i:02d}" for i in range(1, 17)]
    rows = []
    for i, land in enumerate(laender, start=1):
        rows += [(land, 2015, "insgesamt", 100.0 * i, ""), (land, 2015, "ohne_esa", float(i), "")]
    regions = pd.DataFrame({"ags": ["DG", *laender]})
    v = compute(_abg(rows), "D4.1", regions=regions).set_index("ags")
    # sum 1..16 = 136; 136 / (100 * 136) = 1 %
    assert v.loc["DG", "numerator"] == 136 and v.loc["DG", "value"] == pytest.approx(1.0)
    v = compute(_abg(rows[:-2]), "D4.1", regions=regions)
    assert "DG" not in set(v["ags"])


def test_sozialraeume_sum_to_their_kreis():
    facts = pd.DataFrame({
        "ags": ["99101-01", "99101-01", "99101-02", "99101-02"], "year": 2023,
        "variable": ["sprachfoerderbedarf", "schuleingangsuntersuchungen"] * 2,
        "value": [12.0, 100.0, 30.0, 150.0], "status": "",
    })
    regions = pd.DataFrame({"ags": ["99101", "99101-01", "99101-02"]})
    v = compute(facts, "C3.1", regions=regions).set_index("ags")
    # (12 + 30) / (100 + 150) = 16.8 %
    assert v.loc["99101", "value"] == pytest.approx(16.8)


def test_means_are_never_summed():
    facts = pd.DataFrame({"ags": ["01001", "01002"], "year": 2021,
                          "variable": "einkommen_je_einwohner", "value": [20282.0, 21320.0],
                          "status": ""})
    v = compute(facts, "A2.5", regions=_regions("01", ["01001", "01002"]))
    assert v["ags"].tolist() == ["01001", "01002"]
    assert v["value"].tolist() == [20282.0, 21320.0]
    assert v["denominator"].isna().all()


# --------------------------------------------------------------------------------------------
# Statuses


def test_secret_kreis_count_makes_kreis_and_land_secret():
    rows = [("01001", 2015, "insgesamt", 100.0, ""), ("01001", 2015, "ohne_esa", np.nan, "."),
            ("01002", 2015, "insgesamt", 100.0, ""), ("01002", 2015, "ohne_esa", 30.0, "")]
    v = compute(_abg(rows), "D4.1", regions=_regions("01", ["01001", "01002"])).set_index("ags")
    assert np.isnan(v.loc["01001", "value"]) and v.loc["01001", "status"] == "."
    assert np.isnan(v.loc["01", "value"]) and v.loc["01", "status"] == "."
    assert np.isnan(v.loc["01", "ci_low"])
    assert v.loc["01002", "value"] == pytest.approx(30.0) and v.loc["01002", "status"] == ""


def test_secret_kreis_with_published_land_keeps_the_published_land():
    rows = [("01001", 2015, "insgesamt", 100.0, ""), ("01001", 2015, "ohne_esa", np.nan, "."),
            ("01002", 2015, "insgesamt", 100.0, ""), ("01002", 2015, "ohne_esa", 30.0, ""),
            ("01", 2015, "insgesamt", 200.0, ""), ("01", 2015, "ohne_esa", 41.0, "p")]
    v = compute(_abg(rows), "D4.1", regions=_regions("01", ["01001", "01002"])).set_index("ags")
    assert v.loc["01", "value"] == pytest.approx(20.5) and v.loc["01", "status"] == "p"
    assert v.loc["01001", "status"] == "."


@pytest.mark.parametrize(("num_status", "den_status", "expected"), [
    ("p", "", "p"), ("()", "p", "()"), ("r", "s", "s"), ("-", "", ""), ("", "/", "/"),
    ("x", ".", "."),
])
def test_status_precedence(num_status, den_status, expected):
    num = 0.0 if num_status == "-" else (np.nan if num_status in ("x", ".") else 10.0)
    den = np.nan if den_status in ("/", ".") else 100.0
    v = compute(_abg([("01001", 2015, "insgesamt", den, den_status),
                      ("01001", 2015, "ohne_esa", num, num_status)]), "D4.1")
    assert v["status"].item() == expected
    assert combine_status([num_status, den_status]) == expected
    if expected in (".", "/", "x"):
        assert np.isnan(v["value"].item())
    elif num_status == "-":
        assert v["value"].item() == 0.0


def test_true_zero_count_keeps_dash_and_zero_denominator_is_x():
    facts = pd.DataFrame({"ags": ["01001", "01002"], "year": 2020, "variable": "studierende",
                          "value": [0.0, 0.0], "status": ["-", "-"]})
    v = compute(facts, "F1.1")
    assert v["value"].tolist() == [0.0, 0.0] and v["status"].tolist() == ["-", "-"]
    facts = pd.DataFrame({"ags": "01001", "year": 2020, "variable": "studierende",
                          "geschlecht": ["insgesamt", "weiblich"], "value": [0.0, 0.0],
                          "status": "-"})
    v = compute(facts, "F1.3")
    assert np.isnan(v["value"].item()) and v["status"].item() == "x"


def test_incomplete_filter_sum_gives_no_value():
    # 15-25 needs three age groups; with 20-25 missing there is no E2.1 value
    facts = pd.DataFrame({"ags": "01001", "year": 2020,
                          "variable": ["auszubildende", "bevoelkerung", "bevoelkerung"],
                          "altersgruppe": [None, "15-18", "18-20"],
                          "value": [50.0, 300.0, 300.0], "status": ""})
    assert compute(facts, "E2.1").empty


# --------------------------------------------------------------------------------------------
# Pooling


def test_pooling_three_years_by_hand():
    rows = []
    for year, (den, num) in zip(range(2018, 2022), [(10, 1), (20, 3), (40, 5), (30, 6)],
                                strict=True):
        rows += [("01001", year, "insgesamt", float(den), ""),
                 ("01001", year, "ohne_esa", float(num), "")]
    v = compute(_abg(rows), "D4.1", pool_years=3).set_index("year")
    assert v.index.tolist() == [2020, 2021]
    # 2020: (1 + 3 + 5) / (10 + 20 + 40) = 9 / 70;  2021: (3 + 5 + 6) / (20 + 40 + 30) = 14 / 90
    assert v.loc[2020, "numerator"] == 9 and v.loc[2020, "denominator"] == 70
    assert v.loc[2020, "value"] == pytest.approx(900 / 70, rel=1e-12)
    assert v.loc[2021, "value"] == pytest.approx(1400 / 90, rel=1e-12)
    lo, hi = wilson_interval([14], [90])
    assert v.loc[2021, "ci_low"] == pytest.approx(lo[0] * 100, rel=1e-12)


def test_pooling_needs_every_year_and_averages_counts():
    facts = pd.DataFrame({"ags": "01001", "year": [2018, 2019, 2021],
                          "variable": "studierende", "value": [100.0, 200.0, 300.0],
                          "status": ""})
    # 2020 is missing: no 3-year window 2019-2021 or 2018-2020 is complete
    assert compute(facts, "F1.1", pool_years=3).empty
    v = compute(facts, "F1.1", pool_years=2)
    # only 2018-2019 is complete: mean (100 + 200) / 2 = 150
    assert v[["year", "value"]].values.tolist() == [[2019, 150.0]]


# --------------------------------------------------------------------------------------------
# Parameters


def test_parameter_errors():
    facts = _abg([("01001", 2015, "insgesamt", 10.0, "")])
    with pytest.raises(ParameterError, match="Unknown indicator 'D4.10'.*Did you mean"):
        compute(facts, "D4.10")
    with pytest.raises(ParameterError, match="`by` must name dimensions"):
        compute(facts, "D4.1", by="sex")
    with pytest.raises(ParameterError, match="`pool_years` must be a whole number"):
        compute(facts, "D4.1", pool_years=0)
    with pytest.raises(ParameterError, match="`levels` must be among"):
        compute(facts, "D4.1", levels=["kreise"])


def test_sample_land_value_equals_summed_kreis_counts(sample, sample_values):
    # Musterland's flat Kita tables have Kreis rows only: the Land value is their sum
    v = sample_values[(sample_values["indicator"] == "C1.1")
                      & (sample_values["breakdown"] == "insgesamt")
                      & (sample_values["year"] == 2023)]
    kreise = sample.regions[(sample.regions["level"] == "kreis") & sample.regions["exists"]]
    k = v[v["ags"].isin(kreise["ags"])]
    land = v[v["ags"] == "99"].iloc[0]
    assert land["numerator"] == pytest.approx(k["numerator"].sum())
    assert land["value"] == pytest.approx(k["numerator"].sum() / k["denominator"].sum() * 100)


# --------------------------------------------------------------------------------------------
# The readable pandas steps and the numpy fast path give the same table


@pytest.mark.parametrize("options", [
    {"by": "all"},
    {"by": "geschlecht", "pool_years": 3, "levels": ["land", "kreis", "sozialraum"]},
])
def test_readable_steps_equal_the_fast_path_on_the_sample(sample, options):
    # every kind: share D4.1, rate E2.1, ratio B1.2, count A1.1, mean A2.5, two-term C1.1,
    # Sozialraum values A2.1 (summed to the Kreis), breakdowns by Geschlecht and Nationalität
    ids = ["D4.1", "E2.1", "B1.2", "A1.1", "A2.5", "C1.1", "A2.1"]
    fast = compute(sample.facts, ids, regions=sample.regions, **options)
    readable = compute(sample.facts, ids, regions=sample.regions, engine="pandas", **options)
    assert len(fast) > 1000
    pd.testing.assert_frame_equal(fast, readable, check_exact=False, rtol=1e-12)


_KREISE = ["01001", "01002", "01003"]


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.tuples(st.integers(0, 2), st.integers(2019, 2021),
                              st.sampled_from(["insgesamt", "ohne_esa", "esa"]),
                              st.floats(-50, 5000, allow_nan=False),
                              st.sampled_from(["", "", "", ".", "p", "-", "x"])),
                    min_size=1, max_size=30),
    with_regions=st.booleans(), pool=st.sampled_from([1, 2]))
def test_readable_steps_equal_the_fast_path_on_random_facts(values, with_regions, pool):
    # random counts of three Kreise, some secret, some missing, some duplicated (the newest
    # Stand wins): both engines build the same Land sums, ratios, statuses and intervals
    rows = [(_KREISE[k], y, a, v, s) for k, y, a, v, s in values]
    facts = _abg(rows)
    facts["stand"] = pd.to_datetime("2024-01-01") + pd.to_timedelta(range(len(facts)), "D")
    regions = _regions("01", _KREISE) if with_regions else None
    fast = compute(facts, ["D4.1", "D4.6"], regions=regions, pool_years=pool)
    readable = compute(facts, ["D4.1", "D4.6"], regions=regions, pool_years=pool,
                       engine="pandas")
    pd.testing.assert_frame_equal(fast, readable, check_exact=False, rtol=1e-12)


def test_engine_must_be_known(sample):
    with pytest.raises(ParameterError, match="`engine` must be 'numpy' or 'pandas'"):
        compute(sample.facts, "D4.1", engine="polars")

# Values that cannot be true: status "!" (nicht plausibel), never a number


def _bev(rows):
    """Facts of bevoelkerung: rows of (ags, nationalitaet, value)."""
    return pd.DataFrame(rows, columns=["ags", "nationalitaet", "value"]).assign(
        year=2024, variable="bevoelkerung", status="")


@pytest.mark.parametrize(("auslaender", "insgesamt", "value", "status"), [
    (1100.0, 700.0, np.nan, "!"),          # 157,1 % (issue 14): numerator above denominator
    (701.0, 700.0, np.nan, "!"),           # 100,14 %: just above
    (700.0, 700.0, 100.0, ""),             # every resident a foreigner: 100 %, plausible
    (140.0, 700.0, 20.0, ""),              # 140/700 = 20 %
])
def test_share_above_100_percent_is_not_plausible(auslaender, insgesamt, value, status):
    v = compute(_bev([("01001", "insgesamt", insgesamt),
                      ("01001", "auslaendisch", auslaender)]), "A1.11")
    row = v.iloc[0]
    assert row["status"] == status
    if status == "!":
        # neither the value nor the counts nor an interval are published
        assert row[["value", "numerator", "denominator", "ci_low", "ci_high"]].isna().all()
    else:
        assert row["value"] == pytest.approx(value) and row["numerator"] == auslaender


@pytest.mark.parametrize(("iid", "rows"), [
    # Ausländeranteil from −143 of 700 (the −20,5 % of issue 14)
    ("A1.11", [("insgesamt", 700.0), ("auslaendisch", -143.0)]),
    # a negative denominator
    ("A1.11", [("insgesamt", -700.0), ("auslaendisch", 143.0)]),
    # Bevölkerung as a count
    ("A1.1", [("insgesamt", -3.0)]),
])
def test_negative_counts_are_not_plausible(iid, rows):
    v = compute(_bev([("01001", *r) for r in rows]), iid)
    assert v["status"].tolist() == ["!"] and v["value"].isna().all()


def test_rate_from_a_negative_count_is_not_plausible():
    # VHS-Belegungen je 1.000 Einwohner: −5 / 1.000 refused; 5 / 1.000 · 1.000 = 5
    facts = pd.concat([
        _bev([("01001", "insgesamt", 1000.0), ("01002", "insgesamt", 1000.0)]),
        pd.DataFrame({"ags": ["01001", "01002"], "year": 2024, "variable": "vhs_belegungen",
                      "value": [-5.0, 5.0], "status": ""}),
    ], ignore_index=True)
    v = compute(facts, "G1.1").set_index("ags")
    assert v.loc["01001", "status"] == "!" and np.isnan(v.loc["01001", "value"])
    assert v.loc["01002", "value"] == pytest.approx(5.0) and v.loc["01002", "status"] == ""


def test_a_ratio_may_exceed_100_and_a_negative_kreis_count_spoils_the_land_sum():
    # Auslastung der Kita-Plätze (ratio, %): 110 Kinder auf 100 Plätzen is possible
    facts = pd.DataFrame({"ags": ["01001", "01001"], "year": 2024,
                          "variable": ["kita_kinder", "kita_plaetze"], "value": [110.0, 100.0],
                          "status": "", "altersgruppe": "insgesamt",
                          "betreuungsumfang": "insgesamt"})
    v = compute(facts, "B1.5")
    assert v["value"].item() == pytest.approx(110.0) and v["status"].item() == ""
    # Land 01 = 01001 + 01002; a negative count in 01002 makes the Land sum not plausible
    facts = _bev([("01001", "insgesamt", 700.0), ("01001", "auslaendisch", 70.0),
                  ("01002", "insgesamt", 300.0), ("01002", "auslaendisch", -30.0)])
    v = compute(facts, "A1.11", regions=_regions("01", ["01001", "01002"])).set_index("ags")
    assert v.loc["01001", "value"] == pytest.approx(10.0)
    assert v.loc["01002", "status"] == "!" and v.loc["01", "status"] == "!"
    assert np.isnan(v.loc["01", "value"])
    assert combine_status(["", "!"]) == "!" and combine_status(["!", "."]) == "."


def test_harmonize_marks_negative_counts_and_says_so():
    from bimokit.errors import InputWarning
    from bimokit.harmonization import harmonize

    facts = _bev([("01001", "insgesamt", 700.0), ("01002", "insgesamt", -30.0)]).assign(
        source="own.csv")
    with pytest.warns(InputWarning, match=r"1 negative Anzahl\(en\) sind nicht plausibel .*"
                      "01002 2024 bevoelkerung = -30"):
        h = harmonize(facts)
    h = h.set_index("ags")
    assert h.loc["01002", "status"] == "!" and np.isnan(h.loc["01002", "value"])
    assert h.loc["01001", "value"] == 700.0
    # an amount of money is no count: a negative one is kept (unit EUR)
    money = pd.DataFrame({"ags": ["01001"], "year": 2024, "variable": "einkommen_je_einwohner",
                          "value": [-1.0], "status": "", "source": "own.csv"})
    assert harmonize(money)["value"].item() == -1.0
