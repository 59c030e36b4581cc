"""Tests of bimokit.comparison: pooled group values, rank, funnel limits by hand, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import bimokit as bk
from bimokit.comparison import (
    COMPARE_COLUMNS,
    describe_method,
    funnel_limits,
    group_members,
    similar_regions,
)
from bimokit.errors import ParameterError, UnknownRegionError

REGIONS = pd.DataFrame({
    "ags": ["DG", "05", "06", "05111", "05112", "05113", "05158", "05162", "06411"],
    "name": ["Deutschland", "Nordrhein-Westfalen", "Hessen", "Düsseldorf", "Duisburg",
             "Essen", "Mettmann", "Rhein-Kreis Neuss", "Darmstadt"],
    "level": ["bund", "land", "land", "kreis", "kreis", "kreis", "kreis", "kreis", "kreis"],
    "parent": [None, "DG", "DG", "051", "051", "051", "051", "051", "064"],
    "kreistyp": [None, None, None, "kreisfreie Stadt", "kreisfreie Stadt", "kreisfreie Stadt",
                 "Landkreis", "Landkreis", "kreisfreie Stadt"],
})


def _values(rows, indicator="D3.1", year=2020, scale=100.0):
    df = pd.DataFrame(rows, columns=["ags", "numerator", "denominator"])
    df["indicator"] = indicator
    df["year"] = year
    df["value"] = scale * df["numerator"] / df["denominator"]
    return df


# three kreisfreie Städte 10/100, 30/200, 5/100; two Landkreise; Land, Bund, a Hessian city
BASE = _values([
    ("DG", 50_000, 800_000), ("05", 10_000, 200_000), ("06", 3_000, 60_000),
    ("05111", 10, 100), ("05112", 30, 200), ("05113", 5, 100),
    ("05158", 40, 1000), ("05162", 60, 1000), ("06411", 20, 100),
])


def test_group_value_pooled_by_hand():
    r = bk.compare(BASE, "05111", regions=REGIONS, direction={"D3.1": -1},
                   units={"D3.1": "%"})
    assert list(r.columns) == ["ags", "indicator", *COMPARE_COLUMNS]
    row = r.iloc[0]
    # group = kreisfreie Städte in NRW: (10 + 30 + 5)/(100 + 200 + 100) = 45/400 = 11.25 %
    # (the mean of the rates would be (10 + 15 + 5)/3 = 10 %)
    assert row.group_value == pytest.approx(11.25)
    assert row.group_method.startswith("gepoolt")
    assert row.n_group == 3
    # Land 10000/200000 = 5 %, Bund 50000/800000 = 6.25 %
    assert (row.land_value, row.bund_value) == (5.0, 6.25)
    assert row.diff_land == pytest.approx(5.0) and row.diff_bund == pytest.approx(3.75)
    assert row.diff_group == pytest.approx(-1.25) and row.diff_unit == "Prozentpunkte"
    # lower is better: 5 % (05113) rank 1, 10 % rank 2, 15 % rank 3
    assert row["rank"] == 2 and row.direction == -1
    # at most as good as 05111: itself and 05112 → 2 of 3
    assert row.percentile == pytest.approx(200 / 3)
    assert "niedrigster Wert" in row.rank_rule
    assert row.group_definition.startswith("gleicher Kreistyp (kreisfreie Stadt) in Land 05")


def test_neutral_direction_ranks_descending_and_says_so():
    r = bk.compare(BASE, "05111", regions=REGIONS).iloc[0]
    # neutral: 15 % rank 1, 10 % rank 2
    assert r["rank"] == 2 and r.direction == 0 and "neutral" in r.rank_rule
    assert r.diff_unit == ""


def test_group_variants():
    members, text = group_members("05158", regions=REGIONS)
    assert members == ["05158", "05162"] and "Landkreis" in text
    assert group_members("05111", regions=REGIONS, group="land")[0] == [
        "05111", "05112", "05113", "05158", "05162"]
    assert "06411" in group_members("05111", regions=REGIONS, group="all")[0]
    members, text = group_members("05111", regions=REGIONS, group=["06411"])
    assert members == ["05111", "06411"] and text == "vom Nutzer gewählte Regionen"
    # user list: (10 + 20)/(100 + 100) = 15 %
    r = bk.compare(BASE, "05111", regions=REGIONS, group=["06411"]).iloc[0]
    assert r.group_value == pytest.approx(15.0) and r.n_group == 2
    with pytest.raises(UnknownRegionError, match="09999"):
        group_members("05111", regions=REGIONS, group=["09999"])
    with pytest.raises(ParameterError, match="`group` must be"):
        group_members("05111", regions=REGIONS, group="nachbarn")


def test_similar_regions_by_hand():
    ctx = pd.DataFrame({
        "ags": ["05111", "05112", "05113", "05158", "05162", "06411"] * 2,
        "year": 2020,
        "indicator": ["A1"] * 6 + ["A2"] * 6,
        "value": [10.0, 12.0, 20.0, 10.0, 30.0, 11.0, 1.0, 1.0, 2.0, 5.0, 3.0, 1.2],
    })
    got = similar_regions(ctx, "05111", regions=REGIONS, context=["A1", "A2"], k=2)
    # z-scores with population sd: A1 mean 15.5, sd 7.0890; A2 mean 2.2, sd 1.4479
    x = ctx.pivot(index="ags", columns="indicator", values="value")
    z = (x - x.mean()) / x.std(ddof=0)
    d = np.sqrt(((z - z.loc["05111"]) ** 2).sum(axis=1)).drop("05111").sort_values()
    assert got["ags"].tolist() == d.index[:2].tolist() == ["06411", "05112"]
    assert got["distance"].to_numpy() == pytest.approx(d.iloc[:2].to_numpy())
    # as a comparison group in compare
    v = pd.concat([BASE, ctx])
    r = bk.compare(v, "05111", regions=REGIONS, group="similar", context=["A1", "A2"], k=2,
                   indicators="D3.1").iloc[0]
    # members 05111, 06411, 05112: (10 + 20 + 30)/(100 + 100 + 200) = 15 %
    assert r.group_value == pytest.approx(15.0) and r.n_group == 3
    assert "ähnlichsten" in r.group_definition
    with pytest.raises(ParameterError, match="Context indicator"):
        similar_regions(ctx, "05111", regions=REGIONS, context=["Z9"])


def test_funnel_limits_by_hand():
    # Bin(10, 0.5): P(R ≤ 8) = 1013/1024, P(R ≤ 7) = 968/1024 → r_0.975 = 8,
    # α = (1013/1024 − 0.975)/(45/1024) = 14.6/45, upper = (8 − 14.6/45)/10 = 0.767556
    # P(R ≤ 1) = 11/1024 < 0.025 ≤ P(R ≤ 2) = 56/1024 → r_0.025 = 2,
    # α = (56/1024 − 0.025)/(45/1024) = 30.4/45, lower = (2 − 30.4/45)/10 = 0.132444
    lo, hi = funnel_limits(0.5, 10)
    assert float(hi) == pytest.approx((8 - 14.6 / 45) / 10)
    assert float(lo) == pytest.approx((2 - 30.4 / 45) / 10)
    # 99.8 %: P(R ≤ 0) = 1/1024 < 0.001 ≤ P(R ≤ 1) → r = 1, α = (11 − 1.024)/10,
    # lower = (1 − 0.9976)/10 = 0.00024
    lo998, _ = funnel_limits(0.5, 10, level=0.998)
    assert float(lo998) == pytest.approx((1 - (11 - 1.024) / 10) / 10)
    # large n: close to the normal approximation p0 ± 1.96·sqrt(p0(1 − p0)/n)
    lo, hi = funnel_limits(0.2, 100_000)
    half = stats.norm.ppf(0.975) * np.sqrt(0.2 * 0.8 / 100_000)
    assert float(hi) == pytest.approx(0.2 + half, abs=2e-5)
    assert float(lo) == pytest.approx(0.2 - half, abs=2e-5)
    assert np.isnan(funnel_limits(0.5, 0)[0])


def test_funnel_flag_small_kommune_below_95():
    # group share (1 + 999)/(10 + 1990) = 0.5; the small one has 1/10 = 0.1 < 0.132444 (lower
    # 95 %) but > 0.00024 (lower 99.8 %)
    regions = pd.DataFrame({"ags": ["01001", "01002"], "level": "kreis",
                            "kreistyp": "kreisfreie Stadt"})
    v = _values([("01001", 1, 10), ("01002", 999, 1990)])
    r = bk.compare(v, "01001", regions=regions).iloc[0]
    assert r.funnel_p0 == pytest.approx(50.0) and r.funnel_n == 10
    assert r.lower_95 == pytest.approx(100 * (2 - 30.4 / 45) / 10)
    assert r.funnel_flag == "unterhalb 95 %"
    ft = bk.funnel_table(v, indicator="D3.1", year=2020, regions=regions, ags="01001")
    assert ft["ags"].tolist() == ["01001", "01002"]  # sorted by denominator
    assert ft["funnel_flag"].tolist() == ["unterhalb 95 %", "innerhalb"]
    assert ft["is_focus"].tolist() == [True, False]


def test_compare_funnel_equals_funnel_table_for_every_member():
    # compare() computes the costly funnel limits for the Kommune only; they must be the
    # limits funnel_table() computes for all members
    checked = 0
    for ags in REGIONS.loc[REGIONS["level"] == "kreis", "ags"]:
        rows = bk.compare(BASE, ags, regions=REGIONS)
        for r in rows.itertuples():
            if not r.funnel_flag:
                continue
            ft = bk.funnel_table(BASE, indicator=r.indicator, year=r.year, regions=REGIONS,
                                 ags=ags)
            mine = ft[ft["ags"] == ags].iloc[0]
            for col in ("lower_998", "lower_95", "upper_95", "upper_998"):
                assert getattr(r, col) == pytest.approx(mine[col]), (ags, col)
            assert r.funnel_flag == mine["funnel_flag"]
            checked += 1
    assert checked >= 5


def test_funnel_against_land_and_no_funnel_without_counts():
    r = bk.compare(BASE, "05113", regions=REGIONS, funnel_base="land").iloc[0]
    # Land share 5 %; 5/100 = 5 % sits in the middle
    assert r.funnel_p0 == pytest.approx(5.0) and r.funnel_flag == "innerhalb"
    assert r.funnel_base == "Land"
    # 06411 vs Hessen 5 %: 20/100 = 20 % → far above
    r = bk.compare(BASE, "06411", regions=REGIONS, funnel_base="land").iloc[0]
    assert r.funnel_flag == "oberhalb 99,8 %"
    # no counts: group value is the mean, no funnel
    v = BASE.drop(columns=["numerator", "denominator"])
    r = bk.compare(v, "05111", regions=REGIONS).iloc[0]
    assert r.group_value == pytest.approx(10.0) and r.group_method == "Mittelwert der Werte"
    assert r.funnel_flag == "" and np.isnan(r.upper_95)


def test_breakdowns_and_years():
    a = BASE.assign(geschlecht="insgesamt")
    b = BASE.assign(geschlecht="weiblich", numerator=BASE["numerator"] // 2)
    b["value"] = 100 * b["numerator"] / b["denominator"]
    c = a.assign(year=2021)
    r = bk.compare(pd.concat([a, b, c]), "05111", regions=REGIONS)
    assert list(r.columns[:3]) == ["ags", "indicator", "geschlecht"]
    assert len(r) == 3
    w = r[r["geschlecht"] == "weiblich"].iloc[0]
    # weiblich: (5 + 15 + 2)/400 = 5.5 %
    assert w.group_value == pytest.approx(5.5)
    only = bk.compare(pd.concat([a, c]), "05111", regions=REGIONS, year=2021)
    assert only["year"].tolist() == [2021]


def test_secret_value_of_the_kommune():
    v = BASE.copy()
    v.loc[v["ags"] == "05111", ["numerator", "value"]] = np.nan
    v["status"] = np.where(v["ags"] == "05111", ".", "")
    r = bk.compare(v, "05111", regions=REGIONS, direction={"D3.1": -1}).iloc[0]
    # no value → no difference, rank or funnel; the group is the two others: 35/300
    assert np.isnan(r.value) and pd.isna(r["rank"]) and r.funnel_flag == ""
    assert r.group_value == pytest.approx(100 * 35 / 300) and r.n_group == 2
    assert r.land_value == 5.0


def test_errors_name_what_exists():
    with pytest.raises(UnknownRegionError, match="Unknown AGS '09999'"):
        bk.compare(BASE, "09999", regions=REGIONS)
    with pytest.raises(ParameterError, match="there are D3.1"):
        bk.compare(BASE, "05111", regions=REGIONS, indicators=["C1.1"])
    with pytest.raises(ParameterError, match="year.*2019.*there are 2020"):
        bk.compare(BASE, "05111", regions=REGIONS, year=2019)
    with pytest.raises(ParameterError, match="there are D3.1"):
        bk.funnel_table(BASE, indicator="C1.1", year=2020, regions=REGIONS)
    with pytest.raises(ParameterError, match="there are 2020"):
        bk.funnel_table(BASE, indicator="D3.1", year=2018, regions=REGIONS)
    with pytest.raises(ParameterError, match="region table"):
        bk.compare(BASE, "05111", regions=["05111"])


def test_describe_method():
    text = describe_method(bk.compare(BASE, "05111", regions=REGIONS))
    assert "45" not in text and "Spiegelhalter" in text and "Prozentpunkten" in text
    assert text.startswith("Vergleichsgruppe: gleicher Kreistyp")


def test_describe_method_says_which_indicators_were_summed_and_which_averaged():
    # D3.1 has counts for every member: summed, 45/400 = 11,25 %; "X9" has values only
    # (members 1, 3 and 2): the unweighted mean (1 + 3 + 2) / 3 = 2
    only_values = pd.DataFrame({"ags": ["05111", "05112", "05113"], "indicator": "X9",
                                "year": 2020, "value": [1.0, 3.0, 2.0]})
    data = pd.concat([BASE, only_values], ignore_index=True)
    r = bk.compare(data, "05111", regions=REGIONS, units={"D3.1": "%"})
    by = r.set_index("indicator")
    assert by.loc["D3.1", "group_value"] == pytest.approx(11.25)
    assert by.loc["X9", "group_value"] == pytest.approx(2.0)
    text = describe_method(r)
    assert ("Der Wert der Vergleichsgruppe ist die Summe der Zähler aller Mitglieder geteilt "
            "durch die Summe ihrer Nenner") in text
    assert "ist er der ungewichtete Mittelwert der Werte der Mitglieder" in text
    assert "Summiert wurde bei D3.1, gemittelt bei X9." in text
    assert "bzw." not in text and "gepoolt" not in text
    # one method only: no list of indicators
    pooled = describe_method(bk.compare(BASE, "05111", regions=REGIONS, units={"D3.1": "%"}))
    assert "so bei allen Indikatoren hier." in pooled and "ungewichtet" not in pooled


# --- properties -----------------------------------------------------------------------------

counts = st.tuples(st.integers(0, 500), st.integers(1, 500)).map(
    lambda t: (min(t[0], t[1]), t[1]))


@settings(max_examples=25, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8))
def test_group_value_between_member_rates(members):
    keys = [f"01{i:03d}" for i in range(1, len(members) + 1)]
    regions = pd.DataFrame({"ags": keys, "level": "kreis", "kreistyp": "Landkreis"})
    v = _values([(a, n, d) for a, (n, d) in zip(keys, members, strict=True)])
    r = bk.compare(v, keys[0], regions=regions).iloc[0]
    rates = v["value"]
    assert rates.min() - 1e-9 <= r.group_value <= rates.max() + 1e-9
    assert r.n_group == len(members)
    assert 1 <= r["rank"] <= len(members)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 3)),
                min_size=2, max_size=8),
       st.sampled_from([1, -1, 0]), st.floats(min_value=0.1, max_value=10), st.data())
def test_rank_invariant_under_monotone_rescaling(vals, direction, a, data):
    keys = [f"01{i:03d}" for i in range(1, len(vals) + 1)]
    regions = pd.DataFrame({"ags": keys, "level": "kreis", "kreistyp": "Landkreis"})
    v = pd.DataFrame({"ags": keys, "year": 2020, "indicator": "X", "value": vals})
    w = v.assign(value=a * np.exp(v["value"] / 20) + 7)  # strictly increasing
    key = data.draw(st.sampled_from(keys))
    r1 = bk.compare(v, key, regions=regions, direction={"X": direction}).iloc[0]
    r2 = bk.compare(w, key, regions=regions, direction={"X": direction}).iloc[0]
    assert r1["rank"] == r2["rank"]
    assert r1.percentile == pytest.approx(r2.percentile)


def test_value_that_is_not_plausible_is_neither_ranked_nor_in_the_funnel():
    # Duisburg's share came out as 157,1 % (110 of 70): compute marks it "!" with the value
    # and the counts NaN; the group is the other two kreisfreie Städte of NRW
    v = BASE.copy()
    bad = v["ags"] == "05112"
    v.loc[bad, ["numerator", "denominator", "value"]] = np.nan
    v["status"] = np.where(bad, "!", "")
    r = bk.compare(v, "05111", regions=REGIONS, direction={"D3.1": -1}).iloc[0]
    # (10 + 5) / (100 + 100) = 7,5 %; two members, Düsseldorf (10 %) second of two
    assert r.group_value == pytest.approx(7.5) and r.n_group == 2 and r["rank"] == 2
    own = bk.compare(v, "05112", regions=REGIONS, direction={"D3.1": -1}).iloc[0]
    assert pd.isna(own.value) and pd.isna(own["rank"]) and pd.isna(own.lower_95)
    f = bk.funnel_table(v, indicator="D3.1", year=2020, regions=REGIONS, ags="05111")
    assert "05112" not in set(f["ags"])
