"""Tests of bimokit.trends: primitives against statsmodels/scipy, hand values, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import bimokit as bk

# bk.trend is the table verb; the module itself (primitives, index_series, …):
import bimokit.trends as tr  # noqa: E402
from bimokit.errors import ParameterError
from bimokit.trends import cagr, classify_trend, loglinear_rate, mann_kendall, ols_slope, theil_sen

# A fixed 10-year series (share of school leavers without Abschluss, %, invented but plausible)
YEARS = np.arange(2015, 2025)
SERIES = np.array([7.9, 7.4, 7.6, 7.0, 6.8, 7.1, 6.5, 6.2, 6.4, 5.9])


def _table(values, years=YEARS, ags="05111", indicator="D3.1", **extra) -> pd.DataFrame:
    return pd.DataFrame({"ags": ags, "year": years, "indicator": indicator, "value": values,
                         **extra})


# --- primitives against the reference implementations --------------------------------------


def test_ols_equals_statsmodels():
    ref = sm.OLS(SERIES, sm.add_constant(YEARS.astype(float))).fit()
    low, high = ref.conf_int(alpha=0.05)[1]
    r = ols_slope(SERIES, YEARS)
    assert r.slope == pytest.approx(ref.params[1], rel=1e-10)
    assert r.ci_low == pytest.approx(low, rel=1e-9)
    assert r.ci_high == pytest.approx(high, rel=1e-9)
    assert r.pvalue == pytest.approx(ref.pvalues[1], rel=1e-8)
    # 90 % interval too
    low90, high90 = ref.conf_int(alpha=0.10)[1]
    r90 = ols_slope(SERIES, YEARS, alpha=0.10)
    assert (r90.ci_low, r90.ci_high) == pytest.approx((low90, high90), rel=1e-9)


def test_theil_sen_equals_scipy():
    ref = stats.theilslopes(SERIES, YEARS, alpha=0.95)
    r = theil_sen(SERIES, YEARS)
    assert (r.slope, r.ci_low, r.ci_high) == pytest.approx(
        (ref.slope, ref.low_slope, ref.high_slope), rel=1e-12)


def test_mann_kendall_equals_scipy_exact():
    ref = stats.kendalltau(YEARS, SERIES, method="exact")
    r = mann_kendall(SERIES, YEARS)
    assert r.method == "exakt"
    assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-12)
    assert r.tau == pytest.approx(ref.statistic)
    # S by hand: 45 pairs; rising pairs (7.4→7.6, 7.0→7.1, 6.8→7.1, 6.2→6.4) = 4, all other
    # 41 fall → S = 4 − 41 = −37, tau = −37/45
    assert r.s == -37
    assert r.tau == pytest.approx(-37 / 45)


def test_mann_kendall_exact_small_hand():
    # n = 4 strictly increasing: S = 6 is the maximum; of 4! = 24 orderings one gives S = 6 and
    # one S = −6, so the two-sided exact p = 2/24
    r = mann_kendall([1.0, 2.0, 3.0, 4.0], [2001, 2002, 2003, 2004])
    assert r.pvalue == pytest.approx(2 / 24)
    # n = 3 increasing: p = 2/6
    assert mann_kendall([1.0, 2.0, 3.0], [1, 2, 3]).pvalue == pytest.approx(2 / 6)


def test_mann_kendall_ties_use_corrected_normal_approximation():
    v = np.array([5.0, 5.0, 6.0, 7.0, 7.0, 8.0])
    y = np.arange(6)
    r = mann_kendall(v, y)
    # S by hand: pairs with a larger later value 13, ties 2 (5,5 and 7,7), none smaller → S = 13
    # Var S = [6·5·17 − 2·(2·1·9)] / 18 = (510 − 36)/18 = 26.333…; z = 13/sqrt(26.333)
    z = 13 / np.sqrt((510 - 36) / 18)
    assert r.s == 13
    assert r.method == "Normalapproximation mit Bindungskorrektur"
    assert r.pvalue == pytest.approx(2 * stats.norm.sf(z), rel=1e-9)


def test_cagr_and_loglinear_by_hand():
    # 7.9 → 5.9 over 9 years: (5.9/7.9)^(1/9) − 1
    assert cagr(SERIES, YEARS) == pytest.approx((5.9 / 7.9) ** (1 / 9) - 1)
    assert cagr([200.0, 0.0, 242.0], [2010, 2011, 2012]) == pytest.approx(0.1)  # √1.21 − 1
    b = np.polyfit(YEARS, np.log(SERIES), 1)[0]
    assert loglinear_rate(SERIES, YEARS) == pytest.approx(np.exp(b) - 1, rel=1e-10)


def test_totality():
    for f in (cagr, loglinear_rate):
        assert np.isnan(f([3.0], [2020]))
        assert np.isnan(f([], []))
        assert f([4.0, 4.0], [2020, 2024]) == 0.0
    assert np.isnan(ols_slope([1.0], [1]).slope)
    assert ols_slope([1.0, 3.0], [2020, 2022]).slope == 1.0
    assert np.isnan(ols_slope([1.0, 3.0], [2020, 2022]).ci_low)
    assert np.isnan(theil_sen([1.0], [1]).slope)
    assert np.isnan(mann_kendall([1.0], [1]).pvalue)
    assert mann_kendall([2.0, 2.0, 2.0], [1, 2, 3]) == (0.0, 0.0, 1.0, "konstant")
    assert classify_trend([1.0], [2020]) == ""
    # missing values are left out, not counted
    assert cagr([np.nan, 100.0, 121.0], [2019, 2020, 2022]) == pytest.approx(0.1)
    with pytest.raises(ParameterError, match="appears twice"):
        cagr([1.0, 2.0], [2020, 2020])
    with pytest.raises(ParameterError, match="same length"):
        cagr([1.0, 2.0], [2020])
    with pytest.raises(ParameterError, match="alpha"):
        ols_slope(SERIES, YEARS, alpha=5)


def test_rebase_and_moving_ratio_by_hand():
    assert tr.rebase([50.0, 40.0, 60.0], [2020, 2021, 2022]).tolist() == [100.0, 80.0, 120.0]
    assert np.isnan(tr.rebase([0.0, 1.0], [2020, 2021])).all()
    # 2022: (3 + 4 + 5)/(30 + 50 + 40) = 12/120; 2023 lacks 2021 → NaN
    got = tr.moving_ratio([3, 4, 5, 9], [30, 50, 40, 10], [2020, 2021, 2022, 2024])
    assert np.isnan(got[:2]).all() and got[2] == pytest.approx(0.1) and np.isnan(got[3])


# --- the table verb -------------------------------------------------------------------------


def test_trend_table_on_fixed_series():
    r = bk.trend(_table(SERIES), units={"D3.1": "%"}, breaks=None)
    assert list(r.columns) == ["ags", "indicator", *tr.TREND_COLUMNS]
    row = r.iloc[0]
    assert (row.first_year, row.last_year, row.n_years, row.base_year) == (2015, 2024, 10, 2015)
    # 5.9 − 7.9 = −2.0 Prozentpunkte; 100·(5.9/7.9 − 1) = −25.316… %
    assert row.change_pp == pytest.approx(-2.0)
    assert row.change_abs == pytest.approx(-2.0)
    assert row.change_pct == pytest.approx(100 * (5.9 / 7.9 - 1))
    assert row.cagr_pct == pytest.approx(100 * ((5.9 / 7.9) ** (1 / 9) - 1))
    ref = sm.OLS(SERIES, sm.add_constant(YEARS.astype(float))).fit()
    assert row.ols_slope == pytest.approx(ref.params[1])
    assert row.mk_p == pytest.approx(stats.kendalltau(YEARS, SERIES, method="exact").pvalue)
    # MK p ≈ 0.0000 and the Theil–Sen interval is below 0 → fallend
    assert row.ts_ci_high < 0 and row.trend_class == "fallend"
    assert row.reason == "" and not row.break_in_window and row.alpha == 0.05


def test_trend_groups_by_breakdown_and_region():
    a = _table(SERIES, geschlecht="weiblich")
    b = _table(SERIES[::-1], geschlecht="maennlich")
    c = _table(SERIES + 1, ags="05112", geschlecht="weiblich")
    r = bk.trend(pd.concat([a, b, c]), breaks=None)
    assert list(r.columns[:3]) == ["ags", "indicator", "geschlecht"]
    got = r.set_index(["ags", "geschlecht"])["trend_class"].to_dict()
    assert got == {("05111", "maennlich"): "steigend", ("05111", "weiblich"): "fallend",
                   ("05112", "weiblich"): "fallend"}
    # unit not given → no Prozentpunkte
    assert r["change_pp"].isna().all() and (r["unit"] == "").all()


def test_trend_total_with_short_and_flat_series():
    v = pd.concat([_table([3.0], years=[2020], ags="01001"),
                   _table([4.0, 4.0, 4.0], years=[2020, 2021, 2022], ags="01002")])
    r = bk.trend(v, breaks=None, min_years=2).set_index("ags")
    assert r.loc["01001", "n_years"] == 1 and np.isnan(r.loc["01001", "cagr_pct"])
    assert r.loc["01001", "reason"] == "weniger als zwei Jahre mit Wert"
    assert r.loc["01001", "trend_class"] == ""
    # equal endpoints → 0 change, 0 growth, slope 0, stabil
    flat = r.loc["01002"]
    assert (flat.change_abs, flat.change_pct, flat.cagr_pct, flat.ts_slope) == (0, 0, 0, 0)
    assert flat.trend_class == "stabil" and flat.mk_p == 1.0
    # by default no class from fewer years than the chapters require (MIN_TREND_YEARS = 5):
    # the numbers stay, the class is '' and the reason says why
    d = bk.trend(v, breaks=None).set_index("ags").loc["01002"]
    assert d.trend_class == "" and d.change_abs == 0 and d.n_years == 3
    assert d.reason == "keine Trendklasse aus weniger als 5 Jahren"
    assert tr.MIN_TREND_YEARS == bk.MIN_TREND_YEARS == 5
    five = bk.trend(_table(SERIES[:5], years=YEARS[:5]), breaks=None).iloc[0]
    assert five.n_years == 5 and five.trend_class == classify_trend(SERIES[:5], YEARS[:5])
    with pytest.raises(ParameterError, match="min_years"):
        bk.trend(v, min_years=1)


def test_trend_secret_values_are_skipped():
    vals = SERIES.copy()
    vals[3] = np.nan
    r = bk.trend(_table(vals), breaks=None).iloc[0]
    assert r.n_years == 9


def test_trend_base_and_end_year():
    r = bk.trend(_table(SERIES), base_year=2018, end_year=2022, breaks=None).iloc[0]
    # 2018: 7.0, 2022: 6.2 → −0.8
    assert (r.first_year, r.last_year, r.n_years) == (2018, 2022, 5)
    assert r.change_abs == pytest.approx(-0.8)
    # base year without a value: change is NaN and the reason says so
    v = _table(SERIES)
    v.loc[v["year"] == 2018, "value"] = np.nan
    r = bk.trend(v, base_year=2018, breaks=None).iloc[0]
    assert np.isnan(r.change_abs) and "kein Wert im Basisjahr 2018" in r.reason
    assert r.first_year == 2019 and r.base_year == 2018


def test_zensus_break_segments_or_flags():
    # 2015–2024 contains the Zensus 2022 break; A2.1 (SGB-II-Quote) rests on population
    # figures: segment keeps 2022–2024 only
    pop = _table(SERIES, indicator="A2.1")
    r = bk.trend(pop).iloc[0]
    assert r.break_in_window and r.breaks == "Zensus 2022 (2022)"
    assert (r.first_year, r.n_years, r.base_year) == (2022, 3, 2022)
    assert r.change_abs == pytest.approx(5.9 - 6.2)
    assert "nur Jahre ab 2022" in r.reason
    assert r.trend_class == ""  # three years: no class
    # flag: whole window fitted, the break named
    f = bk.trend(pop, on_break="flag").iloc[0]
    assert f.break_in_window and f.n_years == 10 and "über Bruch hinweg" in f.reason
    # by default only the catalogue's population-based indicators are cut, as in the chapters:
    # D3.1 (Übergangsquote) keeps its ten years, an id outside the catalogue too
    for ind in ("D3.1", "X9"):
        n = bk.trend(_table(SERIES, indicator=ind)).iloc[0]
        assert not n.break_in_window and n.n_years == 10
    assert not bk.trend(pop, population_based=["A1.1"]).iloc[0].break_in_window
    # "all" (or None) cuts every indicator
    assert bk.trend(_table(SERIES), population_based="all").iloc[0].n_years == 3
    assert bk.trend(_table(SERIES), population_based=None).iloc[0].n_years == 3
    with pytest.raises(ParameterError, match="population_based"):
        bk.trend(pop, population_based="bevoelkerung")
    # a series ending 2021 does not contain 2022; one starting 2022 neither (b must be > first)
    assert not bk.trend(_table(SERIES[:7], years=YEARS[:7], indicator="A2.1")).iloc[
        0].break_in_window
    assert not bk.trend(_table(SERIES[7:], years=YEARS[7:], indicator="A2.1")).iloc[
        0].break_in_window


def test_territorial_reform_break_only_for_its_region():
    v = pd.concat([_table(SERIES, ags="13071"), _table(SERIES, ags="13072")])
    r = bk.trend(v, breaks=[("13071", 2017, "Kreisgebietsreform MV")], population_based=[])
    r = r.set_index("ags")
    assert r.loc["13071", "breaks"] == "Kreisgebietsreform MV (2017)"
    assert r.loc["13071", "first_year"] == 2017 and r.loc["13071", "n_years"] == 8
    assert not r.loc["13072", "break_in_window"]


def test_trend_errors():
    with pytest.raises(ParameterError, match="lacks the column"):
        bk.trend(pd.DataFrame({"ags": ["01"], "year": [2020]}))
    with pytest.raises(ParameterError, match="on_break"):
        bk.trend(_table(SERIES), on_break="cut")
    with pytest.raises(ParameterError, match="breaks"):
        bk.trend(_table(SERIES), breaks="zensus")
    with pytest.raises(ParameterError, match="two values for 2015"):
        bk.trend(pd.concat([_table(SERIES), _table(SERIES)]))


def test_empty_table_keeps_columns():
    r = bk.trend(_table([], years=[]))
    assert len(r) == 0 and "trend_class" in r.columns


def test_index_series_table():
    v = _table([80.0, 100.0, 120.0], years=[2020, 2021, 2022])
    got = tr.index_series(v, base_year=2021)
    assert got["index"].tolist() == [80.0, 100.0, 120.0]
    assert set(got["base_year"]) == {2021}
    # base year absent → NaN index
    assert tr.index_series(v, base_year=2019)["index"].isna().all()


def test_pooled_values_sums_counts_not_rates():
    # rates 50 %, 10 %, 10 % (mean 23.3 %); pooled: (1 + 10 + 20) / (2 + 100 + 200) = 10.26 %
    v = _table([50.0, 10.0, 10.0], years=[2020, 2021, 2022], numerator=[1.0, 10.0, 20.0],
               denominator=[2.0, 100.0, 200.0])
    got = tr.pooled_values(v)
    assert got["scale"].iloc[0] == 100.0
    assert got["value"].iloc[2] == pytest.approx(100 * 31 / 302)
    assert got["value"].iloc[:2].isna().all()
    assert (got["window_start"].iloc[2], got["window_end"].iloc[2]) == (2020, 2022)


def test_describe_method_names_choices():
    r = bk.trend(_table(SERIES, indicator="A2.1"), alpha=0.1, tolerance=0.02)
    text = tr.describe_method(r)
    assert "Signifikanzniveau 10 %" in text and "90-%-Konfidenzintervall" in text
    assert "höchstens 2 % des Medianwerts" in text and "Zensus 2022 (2022)" in text


# --- properties -----------------------------------------------------------------------------

series_st = st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False,
                               allow_infinity=False).map(lambda x: round(x, 3)),
                     min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(series_st)
def test_negation_mirrors_class(values):
    years = np.arange(2010, 2010 + len(values))
    v = np.array(values)
    mirror = {"steigend": "fallend", "fallend": "steigend", "stabil": "stabil",
              "uneinheitlich": "uneinheitlich"}
    assert classify_trend(-v, years) == mirror[classify_trend(v, years)]


@settings(max_examples=60, deadline=None)
@given(series_st, st.floats(min_value=-500, max_value=500).map(lambda x: round(x, 2)))
def test_adding_constant_leaves_slopes(values, c):
    years = np.arange(2010, 2010 + len(values))
    v = np.array(values)
    a, b = ols_slope(v, years), ols_slope(v + c, years)
    assert b.slope == pytest.approx(a.slope, abs=1e-6)
    ta, tb = theil_sen(v, years), theil_sen(v + c, years)
    assert tb.slope == pytest.approx(ta.slope, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0.1, max_value=1e4), min_size=1, max_size=8),
       st.data())
def test_index_of_base_year_is_100(values, data):
    years = list(range(2015, 2015 + len(values)))
    base = data.draw(st.sampled_from(years))
    got = tr.index_series(_table(values, years=years), base_year=base)
    assert got.loc[got["year"] == base, "index"].iloc[0] == pytest.approx(100.0)
