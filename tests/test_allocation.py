"""Tests of bimokit.allocation: hand-computed allocations, constraints, Hamilton rounding, laws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import bimokit as bk
from bimokit.allocation import largest_remainder, water_fill
from bimokit.errors import ParameterError

COLUMNS = ["ags", "need", "base_amount", "need_amount", "amount", "share", "constraint",
           "giesskanne_amount", "difference"]


def _need(values, **extra):
    ags = [f"99101-{k:02d}" for k in range(1, len(values) + 1)]
    return pd.DataFrame({"ags": ags, "need": values, **extra})


def test_largest_remainder_hand():
    # 33.4 / 33.3 / 33.3: floors 33+33+33 = 99, one euro to the largest remainder (0.4)
    assert largest_remainder(pd.Series([33.4, 33.3, 33.3]), 100).tolist() == [34, 33, 33]
    # equal remainders: the larger priority wins, then the order
    r = largest_remainder(pd.Series([0.5, 0.5]), 1, priority=pd.Series([1, 2]))
    assert r.tolist() == [0, 1]
    assert largest_remainder(pd.Series([10 / 3] * 3), 10).tolist() == [4, 3, 3]


def test_base_share_plus_need_and_giesskanne():
    # base 30 % of 100.000 = 30.000 / 3 = 10.000 each; rest 70.000 by need 1:2:7
    # -> 7.000, 14.000, 49.000; Gießkanne by 500:300:200 -> 50.000, 30.000, 20.000
    r = bk.allocate(_need([1.0, 2.0, 7.0], einwohner=[500, 300, 200]), 100_000,
                    base_share=0.3, population="einwohner")
    assert list(r.columns) == COLUMNS
    assert r["amount"].tolist() == [17_000, 24_000, 59_000]
    assert r["base_amount"].tolist() == [10_000, 10_000, 10_000]
    assert r["need_amount"].tolist() == [7_000, 14_000, 49_000]
    assert r["giesskanne_amount"].tolist() == [50_000, 30_000, 20_000]
    assert r["difference"].tolist() == [-33_000, -6_000, 39_000]
    assert r["share"].tolist() == [0.17, 0.24, 0.59]
    assert "Sockelbetrag 10.000 € je Einheit" in r.attrs["methodik"]


def test_columns_same_without_population():
    r = bk.allocate(_need([1.0, 3.0]), 100)
    assert list(r.columns) == COLUMNS
    assert r["giesskanne_amount"].isna().all() and r["amount"].tolist() == [25, 75]


def test_zero_need_gets_only_base():
    # base 100 each; rest 1000 - 300 = 700 by need 0:1:3 -> 0, 175, 525
    r = bk.allocate(_need([0.0, 1.0, 3.0]), 1000, base_amount=100)
    assert r["amount"].tolist() == [100, 275, 625]
    assert r["need_amount"].tolist() == [0, 175, 525]


def test_all_zero_need_shares_rest_equally():
    r = bk.allocate(_need([0.0, 0.0, 0.0]), 100)
    assert r["amount"].tolist() == [34, 33, 33]


def test_floor_redistribution():
    # unconstrained 10, 10, 980; the floor of 100 binds twice -> 100, 100, 800
    r = bk.allocate(_need([1.0, 1.0, 98.0]), 1000, floor=100)
    assert r["amount"].tolist() == [100, 100, 800]
    assert r["constraint"].tolist() == ["floor", "floor", ""]


def test_cap_then_redistribution_with_rounding():
    # unconstrained 10, 20, 30, 940; cap 500 binds; 500 left for need 1:2:3 -> 83.33, 166.67, 250
    # (all above the floor of 50); Hamilton: 83 + 166 + 250 + 500 = 999, +1 to 166.67
    r = bk.allocate(_need([1.0, 2.0, 3.0, 94.0]), 1000, floor=50, cap=500)
    assert r["amount"].tolist() == [83, 167, 250, 500]
    assert r["constraint"].tolist() == ["", "", "", "cap"]


def test_per_unit_floor_and_weighted_counts():
    # need = kinder + 2 * kinder_sgb2 = 10 + 0, 10 + 20, 20 + 40 = 10, 30, 60 (sum 100)
    need = pd.DataFrame({"ags": ["a", "b", "c"], "kinder": [10, 10, 20],
                         "kinder_sgb2": [0, 10, 20]})
    r = bk.allocate(need, 1000, weights={"kinder": 1, "kinder_sgb2": 2})
    assert r["need"].tolist() == [10.0, 30.0, 60.0]
    assert r["amount"].tolist() == [100, 300, 600]
    # a floor only for 'a' of 250: 250 + 750 * (30, 60) / 90 = 250, 250, 500
    r = bk.allocate(need, 1000, weights={"kinder": 1, "kinder_sgb2": 2},
                    floor={"a": 250, "b": 0, "c": 0})
    assert r["amount"].tolist() == [250, 250, 500]


def test_series_input():
    r = bk.allocate(pd.Series([1.0, 1.0], index=["x", "y"]), 11)
    assert r["ags"].tolist() == ["x", "y"] and r["amount"].sum() == 11


def test_infeasible_and_bad_input():
    n = _need([1.0, 2.0])
    with pytest.raises(ParameterError, match="floors sum to 1.200 €, more than the budget"):
        bk.allocate(n, 1000, floor=600)
    with pytest.raises(ParameterError, match="caps sum to 800 €, less than the budget"):
        bk.allocate(n, 1000, cap=400)
    with pytest.raises(ParameterError, match="Floor above cap"):
        bk.allocate(n, 1000, floor=500, cap=400)
    with pytest.raises(ParameterError, match="exceed the budget"):
        bk.allocate(n, 1000, base_amount=600)
    with pytest.raises(ParameterError, match="negative"):
        bk.allocate(_need([1.0, -0.5]), 1000)
    with pytest.raises(ParameterError, match="whole number of euros"):
        bk.allocate(n, 1000.5)
    with pytest.raises(ParameterError, match="lacks the column 'bedarf'"):
        bk.allocate(n, 1000, column="bedarf")
    # a unit with zero need cannot take money above its base: caps too low for the others
    with pytest.raises(ParameterError, match="the caps allow at most"):
        water_fill(pd.Series([0.0, 1.0]), 1000, cap=pd.Series([900.0, 50.0]))


# ---------------------------------------------------------------------------------------------
# properties

needs = st.lists(st.one_of(st.just(0.0), st.floats(0.01, 1e5)), min_size=1, max_size=25)


@given(needs, st.integers(0, 10_000_000), st.floats(0, 1))
@settings(max_examples=80, deadline=None)
def test_sum_is_budget_exactly(n, budget, base_share):
    r = bk.allocate(_need(n), budget, base_share=base_share)
    assert int(r["amount"].sum()) == budget
    assert (r["amount"] >= 0).all()


@given(needs, st.integers(1000, 10_000_000), st.floats(0, 1), st.floats(0, 1))
@settings(max_examples=80, deadline=None)
def test_floors_and_caps_respected(n, budget, f_frac, c_frac):
    k = len(n)
    assume(sum(n) > 0)
    floor = int(f_frac * budget / k)  # sum of floors <= budget
    cap = int(np.ceil(budget / k + c_frac * budget))  # sum of caps >= budget
    # units without need keep their base (0, lifted to the floor): feasible only if the caps of
    # the others can take the rest
    positive = sum(x > 0 for x in n)
    if positive * cap + (k - positive) * floor < budget:
        with pytest.raises(ParameterError, match="caps allow at most"):
            bk.allocate(_need(n), budget, floor=floor, cap=cap)
        return
    r = bk.allocate(_need(n), budget, floor=floor, cap=cap)
    assert int(r["amount"].sum()) == budget
    assert (r["amount"] >= floor).all()
    assert (r["amount"] <= cap).all()


@given(needs, st.integers(0, 10_000_000), st.floats(0, 1))
@settings(max_examples=80, deadline=None)
def test_more_need_not_less_money(n, budget, base_share):
    r = bk.allocate(_need(n), budget, base_share=base_share)
    a, nd = r["amount"].to_numpy(), r["need"].to_numpy()
    for i in range(len(n)):
        for j in range(len(n)):
            if nd[i] > nd[j]:
                assert a[i] >= a[j]


@given(needs, st.integers(0, 1_000_000), st.integers(0, 10_000))
@settings(max_examples=100, deadline=None)
def test_zero_need_gets_base_only(n, budget, base):
    k = len(n)
    assume(base * k <= budget and sum(n) > 0)
    r = bk.allocate(_need(n), budget, base_amount=base)
    zero = r["need"] == 0
    assert (r.loc[zero, "amount"] == base).all()
