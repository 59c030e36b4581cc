"""Tests of bimokit.composite: aggregation, data availability, sensitivity, Sozialindex."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bimokit as bk
from bimokit.composite import (
    describe_method,
    quantile_classes,
    sd_classes,
    sensitivity,
    weighted_geometric_mean,
    weighted_mean,
)
from bimokit.errors import ParameterError


def _long(wide: dict[str, list[float]], ags=None, year=2024) -> pd.DataFrame:
    n = len(next(iter(wide.values())))
    ags = ags or [f"99101-{k:02d}" for k in range(1, n + 1)]
    rows = [(a, year, ind, v) for ind, vals in wide.items() for a, v in zip(ags, vals, strict=True)]
    return pd.DataFrame(rows, columns=["ags", "year", "indicator", "value"])


# ---------------------------------------------------------------------------------------------
# primitives


def test_weighted_means_hand():
    w = pd.DataFrame({"a": [10.0, 20.0, np.nan], "b": [30.0, np.nan, np.nan]})
    # (1*10 + 3*30) / 4 = 25; only a present -> 20; nothing -> NaN
    m = weighted_mean(w, {"a": 1, "b": 3})
    assert m.tolist()[:2] == [25.0, 20.0] and math.isnan(m.iloc[2])
    # exp((ln 2 + 3 ln 32) / 4) = 2^(1/4) * 32^(3/4) = 2^(0.25 + 3.75) = 16
    g = weighted_geometric_mean(pd.DataFrame({"a": [2.0], "b": [32.0]}), {"a": 1, "b": 3})
    assert g.iloc[0] == pytest.approx(16.0)
    with pytest.raises(ParameterError, match="positive normalised values"):
        weighted_geometric_mean(pd.DataFrame({"a": [0.0, 1.0]}))


def test_sd_and_quantile_classes_hand():
    # limits -1.5, -0.5, 0.5, 1.5; a value on a limit goes up
    z = pd.Series([-1.6, -1.5, -0.5, 0.0, 0.49, 0.5, 1.5, 2.0])
    assert sd_classes(z).tolist() == [1, 2, 3, 3, 3, 4, 5, 5]
    # 4 classes: limits -1, 0, 1
    assert sd_classes(pd.Series([-1.2, -0.2, 0.2, 1.0]), classes=4).tolist() == [1, 2, 3, 4]
    q = quantile_classes(pd.Series(np.arange(10.0)), classes=5)
    assert q.value_counts().sort_index().tolist() == [2, 2, 2, 2, 2]
    # ties share a class
    assert quantile_classes(pd.Series([1.0, 1.0, 2.0, 3.0]), classes=2).tolist() == [1, 1, 2, 2]
    with pytest.raises(ParameterError, match="at least 2"):
        sd_classes(z, classes=1)


# ---------------------------------------------------------------------------------------------
# composite index


def test_composite_index_hand_weights_and_direction():
    v = _long({"a": [1.0, 2.0, 3.0], "b": [30.0, 10.0, 20.0]})
    # minmax a: 0, 50, 100; b with direction -1 (higher worse): 0, 100, 50
    # weights a 1, b 3 -> /4: (0 + 0)/4 = 0; (50 + 300)/4 = 87.5; (100 + 150)/4 = 62.5
    r = bk.composite_index(v, weights={"a": 1, "b": 3}, direction={"a": 1, "b": -1})
    assert r["index"].tolist() == [0.0, 87.5, 62.5]
    assert r["rank"].tolist() == [3.0, 1.0, 2.0]
    assert r.attrs["weights"] == {"a": 0.25, "b": 0.75}
    assert list(r.columns) == ["ags", "year", "index", "rank", "n_indicators", "n_available",
                               "data_availability", "normalization", "aggregation", "note"]
    assert "a: Gewicht 0,25; b: Gewicht 0,75" in describe_method(r)


def test_composite_index_geometric():
    v = _long({"a": [1.0, 2.0, 3.0], "b": [30.0, 10.0, 20.0]})
    with pytest.raises(ParameterError, match="lower=1"):
        bk.composite_index(v, aggregation="geometric", direction=1)
    r = bk.composite_index(v, aggregation="geometric", lower=1, upper=100, direction=1)
    # minmax to 1..100: a 1, 50.5, 100; b 100, 1, 50.5 -> sqrt(1*100) = 10, sqrt(50.5) = 7.106,
    # sqrt(100 * 50.5) = 71.06
    assert r["index"].round(3).tolist() == [10.0, 7.106, 71.063]


def test_composite_index_data_availability():
    v = _long({"a": [1.0, 2.0, 3.0], "b": [1.0, np.nan, 3.0], "c": [1.0, np.nan, np.nan]})
    r = bk.composite_index(v, min_availability=0.6, direction=1)
    # unit 2 has 1 of 3 (33 %) -> NaN with note; unit 3 has 2 of 3 (a 100, b 100) -> 100
    # unit 1: a 0, b 0, c: single value -> midpoint 50 -> (0 + 0 + 50) / 3
    assert r["n_available"].tolist() == [3, 1, 2]
    assert r["data_availability"].round(3).tolist() == [1.0, 0.333, 0.667]
    assert r["index"].iloc[0] == pytest.approx(50 / 3)
    assert math.isnan(r["index"].iloc[1]) and r["note"].iloc[1].startswith("zu wenige")
    assert r["index"].iloc[2] == pytest.approx(100.0)
    assert math.isnan(r["rank"].iloc[1])


def test_composite_index_errors():
    v = _long({"a": [1.0, 2.0]})
    with pytest.raises(ParameterError, match="'x' not in the values table"):
        bk.composite_index(v, indicators=["a", "x"], direction=1)
    with pytest.raises(ParameterError, match="`aggregation` must be one of"):
        bk.composite_index(v, aggregation="harmonic", direction=1)
    with pytest.raises(ParameterError, match="no weight for 'a'"):
        bk.composite_index(v, weights={"b": 1}, direction=1)
    dims = _long({"a": [1.0, 2.0]}).assign(geschlecht=["weiblich", "maennlich"])
    dims = pd.concat([dims, dims.assign(ags="x")])
    with pytest.raises(ParameterError, match="dimension 'geschlecht'"):
        bk.composite_index(dims, direction=1)


# ---------------------------------------------------------------------------------------------
# sensitivity


def test_sensitivity_single_indicator_has_no_rank_uncertainty():
    # every normalisation is increasing and the only weight is 1: ranks cannot move
    v = _long({"a": [5.0, 1.0, 3.0, 4.0]})
    s = sensitivity(v, n_draws=3, direction=1)
    assert (s["min_rank"] == s["max_rank"]).all()
    assert s["nominal_rank"].tolist() == [1.0, 4.0, 3.0, 2.0]
    assert s["n_scenarios"].tolist() == [1 + 3 * 4] * 4


def test_sensitivity_is_seeded_and_reports_spread():
    rng = np.random.default_rng(3)
    v = _long({k: rng.normal(size=12).tolist() for k in "abc"},
              ags=[f"{i:02d}" for i in range(12)])
    s1 = sensitivity(v, n_draws=20, seed=7, direction=1)
    s2 = sensitivity(v, n_draws=20, seed=7, direction=1)
    pd.testing.assert_frame_equal(s1, s2)
    assert (s1["rank_range"] > 0).any()
    assert "Startwert 7" in s1.attrs["methodik"]


@given(st.lists(st.tuples(st.floats(-100, 100), st.floats(-100, 100)), min_size=3,
                max_size=10, unique=True), st.integers(0, 1000))
@settings(max_examples=10, deadline=None)
def test_sensitivity_range_contains_nominal_rank(pairs, seed):
    a, b = zip(*pairs, strict=True)
    v = _long({"a": list(a), "b": list(b)}, ags=[f"{i:02d}" for i in range(len(pairs))])
    s = sensitivity(v, n_draws=4, seed=seed, direction=1)
    assert ((s["min_rank"] <= s["nominal_rank"]) & (s["nominal_rank"] <= s["max_rank"])).all()
    assert ((s["min_rank"] <= s["median_rank"]) & (s["median_rank"] <= s["max_rank"])).all()


# ---------------------------------------------------------------------------------------------
# Sozialindex


def test_sozialindex_sd_classes_on_known_vector():
    # mean 0, sample sd sqrt((2*1.6^2 + 2*1^2) / 4) = sqrt(1.78) = 1.33417
    # z = -1.1993, -0.7495, 0, 0.7495, 1.1993 -> classes 2, 2, 3, 4, 4
    v = _long({"sgb2": [-1.6, -1.0, 0.0, 1.0, 1.6]})
    s = bk.sozialindex(v, ["sgb2"])
    assert s["score_z"].round(4).tolist() == [-1.1993, -0.7495, 0.0, 0.7495, 1.1993]
    assert s["class"].tolist() == [2, 2, 3, 4, 4]
    assert s["class_label"].tolist() == ["niedrig", "niedrig", "mittel", "hoch", "hoch"]
    assert s["class_low"].tolist() == [-1.5, -1.5, -0.5, 0.5, 0.5]
    assert s["class_high"].tolist() == [-0.5, -0.5, 0.5, 1.5, 1.5]
    assert s["class_method"].eq("sd").all()
    assert "Grenzen bei -1,5; -0,5; 0,5; 1,5" in s.attrs["methodik"]


def test_sozialindex_class_counts_plausible_for_normal_data():
    # standard normal: expected shares 6.7 %, 24.2 %, 38.3 %, 24.2 %, 6.7 % of 2000 units
    rng = np.random.default_rng(11)
    n = 2000
    v = _long({"x": rng.normal(size=n).tolist()}, ags=[f"99101-{i:04d}" for i in range(n)])
    counts = bk.sozialindex(v, ["x"])["class"].value_counts().sort_index()
    expected = np.array([0.0668, 0.2417, 0.3829, 0.2417, 0.0668]) * n
    assert np.all(np.abs(counts.to_numpy() - expected) < 4 * np.sqrt(expected))


def test_sozialindex_weights_direction_and_quantiles():
    # a: z = -1, 0, 1 (need +1); b: 10, 20, 30 is a "lower need" indicator: z = 1, 0, -1
    # weights a 3, b 1: score = (3 z_a + z_b) / 4 = -0.5, 0, 0.5 -> score_z = -1, 0, 1
    v = _long({"a": [1.0, 2.0, 3.0], "b": [10.0, 20.0, 30.0]})
    s = bk.sozialindex(v, ["a", "b"], {"a": 3, "b": 1}, direction={"a": 1, "b": -1})
    assert s["score"].tolist() == pytest.approx([-0.5, 0.0, 0.5])
    assert s["score_z"].tolist() == pytest.approx([-1.0, 0.0, 1.0])
    assert s["class"].tolist() == [2, 3, 4]
    assert "Umgepolt (höherer Wert = geringerer Bedarf): b." in s.attrs["methodik"]
    q = bk.sozialindex(v, ["a", "b"], {"a": 3, "b": 1}, direction={"a": 1, "b": -1},
                       classes=3, class_method="quantile")
    assert q["class"].tolist() == [1, 2, 3]
    assert q["class_label"].tolist() == ["niedrig", "mittel", "hoch"]


def test_sozialindex_level_year_and_missing():
    v = pd.concat([
        _long({"a": [1.0, 2.0, 3.0, 4.0]}, year=2023),
        _long({"a": [4.0, 3.0, 2.0, np.nan]}, year=2024),
        _long({"a": [50.0]}, ags=["99101"], year=2024),  # the Kreis itself is dropped
    ])
    s = bk.sozialindex(v, ["a"])
    assert s["year"].eq(2024).all() and "99101" not in s["ags"].tolist()
    assert s["class"].isna().tolist() == [False, False, False, True]
    assert s["note"].iloc[3].startswith("zu wenige")
    # z of 4, 3, 2 = 1, 0, -1 -> classes 4, 3, 2
    assert s["class"].iloc[:3].tolist() == [4, 3, 2]
    with pytest.raises(ParameterError, match="`class_method` must be one of 'sd' or 'quantile'"):
        bk.sozialindex(v, ["a"], class_method="jenks")
    with pytest.raises(ParameterError, match="No units of level 'gemeinde'"):
        bk.sozialindex(v, ["a"], level="gemeinde")


@given(st.lists(st.integers(-500, 500), min_size=3, max_size=30, unique=True),
       st.integers(1, 20), st.integers(-100, 100))
@settings(max_examples=15, deadline=None)
def test_sozialindex_classes_invariant_under_rescaling(xs, a, b):
    v1 = _long({"x": [float(x) for x in xs]}, ags=[f"99101-{i:02d}" for i in range(len(xs))])
    v2 = v1.assign(value=a * v1["value"] + b)
    for method in ("sd", "quantile"):
        c1 = bk.sozialindex(v1, ["x"], class_method=method)["class"]
        c2 = bk.sozialindex(v2, ["x"], class_method=method)["class"]
        assert c1.tolist() == c2.tolist()
    # quantile classes are invariant under any increasing transformation, too
    v3 = v1.assign(value=v1["value"] ** 3)
    assert (bk.sozialindex(v3, ["x"], class_method="quantile")["class"].tolist()
            == bk.sozialindex(v1, ["x"], class_method="quantile")["class"].tolist())


def test_sozialindex_leaves_out_a_value_that_is_not_plausible():
    # area 03's share came out "!" (value NaN): with min_availability 1 it gets no index,
    # and the z-scores of the others are those of 10, 20, 40, 50 alone
    v = _long({"quote": [10.0, 20.0, np.nan, 40.0, 50.0]}).assign(status=["", "", "!", "", ""])
    s = bk.sozialindex(v, ["quote"]).set_index("ags")
    assert np.isnan(s.loc["99101-03", "score"]) and s.loc["99101-03", "note"] != ""
    # mean 30, sd of (10, 20, 40, 50) = sqrt(1000/3) = 18.257…; (10 − 30)/18.257 = −1.0954
    assert s.loc["99101-01", "score"] == pytest.approx(-20 / math.sqrt(1000 / 3))
    assert s["score"].notna().sum() == 4
