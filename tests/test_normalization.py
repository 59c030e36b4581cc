"""Tests of bimokit.normalization: hand values, COINr outlier rule, table verb, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import bimokit as bk
import bimokit.normalization as normalization
from bimokit.errors import ParameterError
from bimokit.normalization import (
    above_below_mean,
    distance,
    goalposts,
    kurt,
    log_ct,
    minmax,
    percentile_bands,
    percentile_rank,
    rank,
    skew,
    treat_outliers,
    winsorize,
    zscore,
)

S = pd.Series

# ---------------------------------------------------------------------------------------------
# namespace: the verb and the module


def test_verbs_are_plain_functions_and_modules_are_nouns():
    # bk.normalize and bk.allocate are functions; the modules keep their primitives
    import types

    import bimokit.allocation as al
    import bimokit.normalization as nz

    assert isinstance(bk.normalize, types.FunctionType) and bk.normalize is nz.normalize
    assert isinstance(bk.allocate, types.FunctionType) and bk.allocate is al.allocate
    assert type(nz) is types.ModuleType and type(al) is types.ModuleType
    assert nz.minmax is minmax
    v = pd.DataFrame({"ags": ["a", "b"], "year": 2020, "indicator": "i", "value": [1.0, 3.0]})
    assert bk.normalize(v, "minmax", direction=1)["normalized"].tolist() == [0.0, 100.0]


# ---------------------------------------------------------------------------------------------
# primitives, hand-computed


def test_minmax_hand():
    # (x - 1) / (4 - 1) * 100 = 0, 33.33, 100
    assert minmax(S([1.0, 2.0, 4.0])).round(2).tolist() == [0.0, 33.33, 100.0]
    # to [1, 100]: 1 + (x - 1) / 3 * 99 = 1, 34, 100
    assert minmax(S([1.0, 2.0, 4.0]), lower=1, upper=100).tolist() == [1.0, 34.0, 100.0]


def test_minmax_edge_cases():
    # zero range -> midpoint of the scale; NaN stays NaN; all NaN stays all NaN
    assert minmax(S([5.0, 5.0, np.nan])).tolist()[:2] == [50.0, 50.0]
    assert math.isnan(minmax(S([5.0, 5.0, np.nan])).iloc[2])
    assert minmax(S([np.nan, np.nan])).isna().all()
    assert minmax(S([3.0])).tolist() == [50.0]
    # index is kept
    assert minmax(S([1.0, 2.0], index=["x", "y"])).index.tolist() == ["x", "y"]


def test_zscore_hand():
    # mean 5, sample sd sqrt(32/7) = 2.13809; z(9) = 4 / 2.13809 = 1.87083
    z = zscore(S([2.0, 4, 4, 4, 5, 5, 7, 9]))
    assert z.iloc[-1] == pytest.approx(1.870829, abs=1e-6)
    # population sd (ddof=0) is 2: z(9) = 2
    assert zscore(S([2.0, 4, 4, 4, 5, 5, 7, 9]), ddof=0).iloc[-1] == pytest.approx(2.0)
    assert zscore(S([4.0, 4.0])).tolist() == [0.0, 0.0]
    assert zscore(S([4.0])).tolist() == [0.0]


def test_rank_percentile_bands_hand():
    assert rank(S([10.0, 30, 20, 20])).tolist() == [1.0, 4.0, 2.5, 2.5]
    assert percentile_rank(S([5.0, 1, 3])).tolist() == [100.0, 0.0, 50.0]
    assert percentile_rank(S([7.0, np.nan])).tolist()[0] == 50.0
    # percentile ranks of 1..10: 0, 11.1, 22.2, ..., 100 -> bands at 20/40/60/80
    assert percentile_bands(S(np.arange(1.0, 11))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # no variation -> middle band
    assert percentile_bands(S([2.0, 2.0, 2.0])).tolist() == [3.0, 3.0, 3.0]


def test_distance_goalposts_mean_hand():
    assert distance(S([8.0, 10, 12.5]), 10).tolist() == [80.0, 100.0, 125.0]
    # (x - 10) / 50 * 100 clipped: -20 -> 0, 30, 80, 140 -> 100
    assert goalposts(S([0.0, 25, 50, 80]), low=10, high=60).tolist() == [0.0, 30.0, 80.0, 100.0]
    # mean 100, band 90..110
    assert above_below_mean(S([80.0, 95, 100, 125]), threshold=0.1).tolist() == [-1, 0, 0, 1]
    with pytest.raises(ParameterError, match="reference value"):
        distance(S([1.0]), 0)
    with pytest.raises(ParameterError, match="two different numbers"):
        goalposts(S([1.0]), low=5, high=5)


# ---------------------------------------------------------------------------------------------
# COINr outlier treatment


@pytest.mark.parametrize(
    "x",
    [[1.0, 2, 3, 10], [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100], list(np.geomspace(1, 1e4, 9))],
)
def test_skew_kurt_match_excel_definitions(x):
    # COINr uses e1071 type 2 (= Excel SKEW/KURT) = scipy's bias-corrected estimators
    assert skew(S(x)) == pytest.approx(stats.skew(x, bias=False))
    assert kurt(S(x)) == pytest.approx(stats.kurtosis(x, bias=False))


def test_skew_kurt_too_few_points():
    assert math.isnan(skew(S([1.0, 2.0])))
    assert math.isnan(kurt(S([1.0, 2.0, 3.0])))


def test_treat_outliers_coinr_vignette_example():
    # COINr's vignette vector 1:10, 30, 100: skew 3.06, kurtosis 9.74 -> outlying;
    # winsorising the 100 to 30 gives skew 1.71 -> passes after one point
    x = S([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    t = treat_outliers(x)
    assert t.treatment == "winsorised"
    assert t.winsorised == [11]
    assert t.values.iloc[11] == 30.0 and t.values.iloc[:11].equals(x.iloc[:11])
    assert t.skew_before == pytest.approx(stats.skew(x, bias=False))
    assert t.skew_after == pytest.approx(stats.skew(t.values, bias=False))
    assert abs(t.skew_after) < 2


def test_treat_outliers_tied_extremes_counted_once():
    # after 1e7 -> 1e6 the two tied 1e6 are winsorised together: distinct points 26, 25, 24
    x = S([1.0] * 20 + [10, 100, 1000, 1e4, 1e5, 1e6, 1e7])
    t = treat_outliers(x)
    assert t.treatment == "winsorised"
    assert sorted(t.winsorised) == [24, 25, 26]
    assert t.values.iloc[24:].tolist() == [1e4, 1e4, 1e4]


def test_treat_outliers_falls_back_to_log_of_original():
    # 80 ones and 10 values 10^1..10^10: five winsorised points leave six at 10^5 -> still
    # outlying; log_CT of the original: log(x - 1 + 0.01 * (1e10 - 1)); for x = 1: log(1e8)
    x = S([1.0] * 80 + [10.0**k for k in range(1, 11)])
    t = treat_outliers(x)
    assert t.treatment == "log" and t.winsorised == []
    assert t.values.iloc[0] == pytest.approx(math.log(0.01 * (1e10 - 1)))
    assert t.values.equals(log_ct(x))


def test_treat_outliers_leaves_normal_data_alone():
    x = S([3.0, 4, 5, 4, 6, 5, 4, 3])
    t = treat_outliers(x)
    assert t.treatment == "none" and t.values.equals(x)
    # fewer than four values: kurtosis undefined, never treated
    assert winsorize(S([1.0, 2.0, 3.0])).tolist() == [1.0, 2.0, 3.0]


# ---------------------------------------------------------------------------------------------
# table verb


def _values():
    return pd.DataFrame({
        "ags": ["01", "02", "03", "99"] * 2,
        "year": [2023] * 4 + [2024] * 4,
        "indicator": "q",
        "value": [1.0, 2.0, 4.0, 2.0, 10.0, 10.0, 10.0, 10.0],
        "status": ["", "p", "", "", "", "", "", ""],
    })


def test_normalize_groups_by_year_and_keeps_columns():
    r = bk.normalize(_values(), "minmax", direction=1)
    assert list(r.columns) == ["ags", "year", "indicator", "value", "status", "normalized",
                               "direction", "method", "treatment", "note"]
    # 2023: (x - 1) / 3 * 100 -> 0, 33.3, 100, 33.3; 2024: zero range -> 50 with a note
    assert r["normalized"].round(1).tolist() == [0.0, 33.3, 100.0, 33.3, 50, 50, 50, 50]
    assert r.loc[r["year"] == 2024, "note"].eq("keine Streuung: Skalenmitte gesetzt").all()
    assert r["status"].tolist()[1] == "p"
    assert "Min-Max-Normierung" in normalization.describe_method(r)


def test_normalize_columns_do_not_change_with_options():
    cols = list(bk.normalize(_values(), "minmax", direction=1).columns)
    for method, kw in [("zscore", {}), ("rank", {}), ("reference", {"reference": "99"}),
                       ("target", {"target": 5}), ("goalposts", {"goalposts": (0, 10)}),
                       ("bands", {}), ("above_below_mean", {}), ("percentile_rank", {})]:
        r = bk.normalize(_values(), method, treat_outliers=True, **kw, direction=1)
        assert list(r.columns) == cols, method


def test_normalize_reference_unit_and_direction():
    # reference = Land '99' with value 2 in 2023: 1/2*100 = 50, 100, 200, 100
    r = bk.normalize(_values(), "reference", reference="99", direction=1)
    assert r["normalized"].tolist()[:4] == [50.0, 100.0, 200.0, 100.0]
    # higher is worse: mirrored around 100 -> 150, 100, 0, 100
    r = bk.normalize(_values(), "reference", reference="99", direction={"q": -1})
    assert r["normalized"].tolist()[:4] == [150.0, 100.0, 0.0, 100.0]
    assert r["direction"].eq(-1).all()


def test_normalize_dimensions_are_separate_groups():
    v = pd.DataFrame({"ags": ["01", "02"] * 2, "year": 2024, "indicator": "q",
                      "geschlecht": ["weiblich"] * 2 + ["maennlich"] * 2,
                      "value": [1.0, 3.0, 100.0, 300.0]})
    r = bk.normalize(v, "minmax", direction=1)
    assert "geschlecht" in r.columns
    assert r["normalized"].tolist() == [0.0, 100.0, 0.0, 100.0]


def test_normalize_treat_outliers_reports_units():
    v = pd.DataFrame({"ags": [f"{k:02d}" for k in range(12)], "year": 2024, "indicator": "q",
                      "value": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]})
    r = bk.normalize(v, "minmax", treat_outliers=True, direction=1)
    assert r.loc[r["treatment"] == "winsorised", "ags"].tolist() == ["11"]
    # after winsorising 100 -> 30, both top units get 100
    assert r["normalized"].tolist()[-2:] == [100.0, 100.0]
    assert "1 Werte betroffen" in r.attrs["methodik"]


def test_normalize_errors():
    with pytest.raises(ParameterError) as e:
        bk.normalize(_values(), "min-max", direction=1)
    assert str(e.value).startswith("`method` must be one of 'minmax', 'zscore', 'rank'")
    assert str(e.value).endswith("; not 'min-max'.")
    with pytest.raises(ParameterError, match="direction must be 1 or -1, not 0"):
        bk.normalize(_values(), direction={"q": 0})
    with pytest.raises(ParameterError, match="no entry for indicator"):
        bk.normalize(_values(), direction={"other": 1})
    with pytest.raises(ParameterError, match="lacks the column"):
        bk.normalize(_values().drop(columns="value"), direction=1)
    with pytest.raises(ParameterError, match="Reference unit '98'"):
        bk.normalize(_values(), "reference", reference="98", direction=1)
    with pytest.raises(ParameterError, match="needs `goalposts="):
        bk.normalize(_values(), "goalposts", direction=1)


def test_direction_from_catalogue_table():
    cat = pd.DataFrame({"id": ["q"], "direction": [-1]})
    r = bk.normalize(_values(), "rank", direction=cat)
    # ranks of -x in 2023: -1 > -2 = -2 > -4 -> 4, 2.5, 1, 2.5
    assert r["normalized"].tolist()[:4] == [4.0, 2.5, 1.0, 2.5]


# ---------------------------------------------------------------------------------------------
# properties

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
ints = st.lists(st.integers(-1000, 1000), min_size=2, max_size=40)


@given(st.lists(finite, min_size=3, max_size=50))
@settings(max_examples=100, deadline=None)
def test_zscore_mean_0_sd_1(xs):
    x = S(xs)
    if x.std() < 1e-3 * max(1.0, x.abs().max()):
        return
    z = zscore(x)
    assert z.mean() == pytest.approx(0.0, abs=1e-9)
    assert z.std(ddof=1) == pytest.approx(1.0, rel=1e-9)


@given(ints, st.integers(1, 50), st.integers(-100, 100))
@settings(max_examples=100, deadline=None)
def test_rank_based_invariant_under_increasing_rescaling(xs, a, b):
    x = S(xs, dtype="float64")
    # strictly increasing on the integers, exact in floating point
    y = a * x**3 + 5 * x + b
    assert rank(y).equals(rank(x))
    assert percentile_rank(y).equals(percentile_rank(x))
    assert percentile_bands(y).equals(percentile_bands(x))


@given(st.lists(finite, min_size=1, max_size=40))
@settings(max_examples=50, deadline=None)
def test_direction_minus_one_mirrors_minmax(xs):
    x = S(xs)
    np.testing.assert_allclose(minmax(-x), 100 - minmax(x), atol=1e-7)
    v = pd.DataFrame({"ags": [str(i) for i in range(len(xs))], "year": 2024, "indicator": "q",
                      "value": xs})
    up = bk.normalize(v, "minmax", direction=1)["normalized"]
    down = bk.normalize(v, "minmax", direction=-1)["normalized"]
    np.testing.assert_allclose(down, 100 - up, atol=1e-7)


@given(st.lists(finite, min_size=1, max_size=40), finite, st.floats(1e-3, 1e5))
@settings(max_examples=100, deadline=None)
def test_goalposts_clipped(xs, low, width):
    g = goalposts(S(xs), low=low, high=low + width)
    assert ((g >= 0) & (g <= 100)).all()


def test_direction_from_the_bimokit_catalogue_by_default():
    # catalogue: A2.1 SGB-II-Quote der unter 15-Jährigen, direction -1 (higher is worse);
    # A2.4 Beschäftigungsquote, direction 1; A1.1 is context (0)
    v = pd.DataFrame({"ags": ["a", "b", "c"] * 2, "year": 2024,
                      "indicator": ["A2.1"] * 3 + ["A2.4"] * 3,
                      "value": [10.0, 20.0, 30.0, 50.0, 60.0, 70.0]})
    r = bk.normalize(v, "minmax")
    assert r["direction"].tolist() == [-1, -1, -1, 1, 1, 1]
    assert r["normalized"].tolist() == [100.0, 50.0, 0.0, 0.0, 50.0, 100.0]
    assert "Gespiegelt (höherer Rohwert = ungünstiger): A2.1." in r.attrs["methodik"]
    with pytest.raises(ParameterError, match="'A1.1' is neutral .direction 0. in the catalogue"):
        bk.normalize(v.assign(indicator="A1.1"), "minmax")
    with pytest.raises(ParameterError, match="'q' not in the catalogue; give `direction=`"):
        bk.normalize(_values(), "minmax")
