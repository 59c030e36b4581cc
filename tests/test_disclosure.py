"""bimokit.disclosure: minimum counts, dominance, secondary suppression, rounding.

The properties are checked with an attacker written here, independent of the module: the test
knows how its tables add up, and for every suppressed cell it computes with
``scipy.optimize.linprog`` the smallest and largest value that fits what is published.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from bimokit.disclosure import (
    DisclosureRules,
    check_protected,
    describe_method,
    protect,
    protect_linked,
    read_rules,
)
from bimokit.errors import InputError, ParameterError

# ---------------------------------------------------------------------------------------------
# building test tables: regions (Land → Kreise → Sozialräume) × categories (+ insgesamt)
# ---------------------------------------------------------------------------------------------


def region_tree(sizes: list[int]) -> dict[str, list[str]]:
    """Land '99' with Kreise '9910k', each with ``sizes[k]`` Sozialräume '9910k-0j'."""
    tree = {"99": [f"9910{k + 1}" for k in range(len(sizes))]}
    for k, n in enumerate(sizes):
        tree[f"9910{k + 1}"] = [f"9910{k + 1}-0{j + 1}" for j in range(n)]
    return tree


def leaves_of(tree: dict[str, list[str]]) -> list[str]:
    return [c for kids in tree.values() for c in kids if c not in tree]


def full_table(tree: dict[str, list[str]], counts: np.ndarray, cats: list[str]) -> pd.DataFrame:
    """All cells (leaves and every total) from the leaf × category counts."""
    leaves = leaves_of(tree)
    inner = {a: counts[i] for i, a in enumerate(leaves)}

    def total(a: str) -> np.ndarray:
        return inner[a] if a in inner else sum(total(c) for c in tree[a])

    rows = []
    for a in [*leaves, *tree]:
        v = total(a)
        for c, x in zip([*cats, "insgesamt"], [*v, v.sum()], strict=True):
            rows.append((a, c, float(x)))
    return pd.DataFrame(rows, columns=["ags", "merkmal", "value"])


def constraints(table: pd.DataFrame, tree: dict[str, list[str]], cats: list[str]):
    """Equality rows (total − parts = 0) over the rows of ``table``, built here independently."""
    pos = {(a, c): i for i, (a, c) in enumerate(zip(table["ags"], table["merkmal"], strict=True))}
    rows = []
    areas = sorted(set(table["ags"]))
    for a in areas:  # categories add up to insgesamt
        rows.append({pos[(a, "insgesamt")]: 1.0, **{pos[(a, c)]: -1.0 for c in cats}})
    for parent, kids in tree.items():  # areas add up to their parent
        for c in [*cats, "insgesamt"]:
            rows.append({pos[(parent, c)]: 1.0, **{pos[(k, c)]: -1.0 for k in kids}})
    return rows


def attacker_bounds(published: pd.DataFrame, rows: list[dict[int, float]]):
    """Min and max of every suppressed cell given the published ones (scipy's linprog)."""
    v = published["value"].to_numpy(dtype="float64")
    hidden = np.flatnonzero(np.isnan(v))
    col = {c: j for j, c in enumerate(hidden)}
    A, b = [], []
    for r in rows:
        if not any(c in col for c in r):
            continue
        a = np.zeros(len(hidden))
        rhs = 0.0
        for c, coef in r.items():
            if c in col:
                a[col[c]] += coef
            else:
                rhs -= coef * v[c]
        A.append(a)
        b.append(rhs)
    out = {}
    for j, c in enumerate(hidden):
        obj = np.zeros(len(hidden))
        obj[j] = 1.0
        bounds = [(0, None)] * len(hidden)
        kw = dict(A_eq=np.array(A), b_eq=np.array(b)) if A else {}
        lo = linprog(obj, bounds=bounds, method="highs", **kw)
        hi = linprog(-obj, bounds=bounds, method="highs", **kw)
        assert lo.status == 0
        out[c] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


def differencing_attack(published: pd.DataFrame, rows: list[dict[int, float]]) -> dict[int, float]:
    """Recover cells as an analyst would: any total or part that is the only unknown in a sum."""
    v = dict(enumerate(published["value"].to_numpy(dtype="float64")))
    known = {c: x for c, x in v.items() if not np.isnan(x)}
    recovered: dict[int, float] = {}
    changed = True
    while changed:
        changed = False
        for r in rows:
            unknown = [c for c in r if c not in known]
            if len(unknown) == 1:
                c = unknown[0]
                known[c] = -sum(coef * known[k] for k, coef in r.items() if k != c) / r[c]
                recovered[c] = known[c]
                changed = True
    return recovered


def assert_safe(original: pd.DataFrame, published: pd.DataFrame, rows, rules: DisclosureRules):
    """Both properties of the issue, with this file's own attacker."""
    v0 = original["value"].to_numpy(dtype="float64")
    v1 = published["value"].to_numpy(dtype="float64")
    shown = ~np.isnan(v1)
    # 1. no published cell under the minimum, and every published number is the true one
    assert not ((v1[shown] > 0) & (v1[shown] < rules.min_count)).any()
    np.testing.assert_array_equal(v1[shown], v0[shown])
    assert (published.loc[~shown, "status"] == ".").all()
    # 2. no suppressed cell is fixed by the published ones; primary cells keep a wide interval
    for c, (lo, hi) in attacker_bounds(published, rows).items():
        assert lo <= v0[c] + 1e-6 and v0[c] <= hi + 1e-6
        if published["protection"].iloc[c] == "primary":
            assert hi - lo >= rules.protection_width - 1e-6, (published.iloc[c].to_dict(), lo, hi)
        else:
            assert hi - lo > 1e-6, (published.iloc[c].to_dict(), lo, hi)
    # 3. differencing totals recovers nothing
    assert differencing_attack(published, rows) == {}


# ---------------------------------------------------------------------------------------------
# hand-computed examples
# ---------------------------------------------------------------------------------------------


def two_by_two() -> pd.DataFrame:
    #            0-3  3-6  insgesamt
    # 99101-01     2   10         12
    # 99101-02    20   30         50
    # 99101       22   40         62
    return pd.DataFrame({
        "ags": ["99101-01"] * 3 + ["99101-02"] * 3 + ["99101"] * 3,
        "altersgruppe": ["0-3", "3-6", "insgesamt"] * 3,
        "value": [2, 10, 12, 20, 30, 50, 22, 40, 62],
    })


def test_two_by_two_rectangle():
    out = protect(two_by_two())
    # the 2 is secret; with the row, column and Kreis totals published, the only way to hide
    # it is the whole 2 × 2 block of Sozialraum cells (the totals stay)
    assert list(out["protection"]) == ["primary", "secondary", "", "secondary", "secondary", "",
                                       "", "", ""]
    assert out["value"].isna().sum() == 4
    assert list(out.loc[out["value"].notna(), "value"]) == [12, 50, 22, 40, 62]
    res = check_protected(out)
    # attacker: x(01,0-3) = 12 - x(01,3-6) ∈ [0, 12]; x(02,0-3) = 22 - x(01,0-3) ∈ [10, 22]
    bounds = {(a, g): (lo, hi) for a, g, lo, hi in
              zip(res["ags"], res["altersgruppe"], res["lower"], res["upper"], strict=True)}
    assert bounds[("99101-01", "0-3")] == (0.0, 12.0)
    assert bounds[("99101-02", "0-3")] == (10.0, 22.0)
    assert res["protected"].all()


def test_nothing_secret_nothing_changes():
    t = two_by_two()
    t.loc[0, "value"], t.loc[2, "value"], t.loc[6, "value"], t.loc[8, "value"] = 5, 15, 25, 65
    out = protect(t)
    assert out["value"].tolist() == t["value"].astype(float).tolist()
    assert (out["status"] == "").all() and (out["protection"] == "").all()


def test_zeros_are_published_unless_asked():
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [0, 40, 40]})
    assert protect(t)["value"].notna().all()
    out = protect(t, rules=DisclosureRules(suppress_zeros=True))
    # the 0 is secret; its partner 40 goes too (a total costs more than a part)
    assert out["value"].isna().tolist() == [True, True, False]


def test_fixed_cells_are_never_suppressed():
    # 1-1 = 2 is secret. Kreis total published elsewhere (fixed) → protect with 1-2 and 1-3
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1-3", "1"], "value": [2, 40, 50, 92],
                      "fixed": [False, False, False, True]})
    out = protect(t)
    assert out["value"].isna().tolist() == [True, True, False, False]
    assert "fixed" in out.columns
    # if the only other part is published elsewhere too, the 2 cannot be protected
    t["fixed"] = [False, True, True, True]
    with pytest.raises(ParameterError, match=r"\(ags='1-1'\) cannot be protected"):
        protect(t)


def test_status_column_kept_and_set():
    t = two_by_two()
    t["status"] = ["", "p", "", "", "", "", "", "", "p"]
    out = protect(t)
    assert out["status"].tolist() == [".", ".", "", ".", ".", "", "", "", "p"]


def test_total_below_minimum_is_secret_too():
    # Kreis total of 2 with parts 1 and 1: every cell is secret; nothing to derive
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [1, 1, 2]})
    out = protect(t)
    assert out["value"].isna().all()
    assert (out["protection"] == "primary").all()


def test_protection_interval_needs_big_enough_partners():
    # 1 and 1 in one Kreis of 40: suppressing the two ones alone leaves x ∈ [0, 2], too
    # narrow for a protection interval of 3; a third cell (the 38) must go too
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1-3", "1"], "value": [1, 1, 38, 40]})
    out = protect(t)
    assert out["value"].isna().tolist() == [True, True, True, False]
    assert out["protection"].tolist() == ["primary", "primary", "secondary", ""]
    # with protection 1 the two ones protect each other: x ∈ [0, 2]
    out1 = protect(t, rules=DisclosureRules(protection=1))
    assert out1["value"].isna().tolist() == [True, True, False, False]


def test_hierarchy_sozialraum_kreis_land():
    tree = region_tree([2, 3])
    counts = np.array([[1, 9], [7, 12], [4, 4], [15, 2], [30, 30]], dtype=float)
    t = full_table(tree, counts, ["a", "b"])
    out = protect(t, hierarchy={"ags": tree})
    assert_safe(t, out, constraints(t, tree, ["a", "b"]), DisclosureRules())


def test_hierarchy_from_region_table():
    regions = pd.DataFrame({"ags": ["99", "99101", "99102", "99101-01", "99101-02",
                                    "99102-01", "99102-02"],
                            "parent": ["DG", "99", "99", "99101", "99101", "99102", "99102"]})
    tree = region_tree([2, 2])
    t = full_table(tree, np.array([[1, 8], [9, 9], [6, 6], [5, 11]], dtype=float), ["a", "b"])
    out = protect(t, hierarchy={"ags": regions})
    assert_safe(t, out, constraints(t, tree, ["a", "b"]), DisclosureRules())


def test_year_splits_independent_parts():
    a = two_by_two().assign(year=2023)
    b = two_by_two().assign(year=2024)
    b.loc[0, "value"], b.loc[2, "value"], b.loc[6, "value"], b.loc[8, "value"] = 5, 15, 25, 65
    out = protect(pd.concat([a, b], ignore_index=True))
    assert out.loc[out["year"] == 2023, "value"].isna().sum() == 4
    assert out.loc[out["year"] == 2024, "value"].notna().all()


def test_dominance_rule():
    # Sozialraum 1-2 has 40 pupils, 36 of them at one school: (1, 85) makes it secret
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1-3", "1"], "value": [30, 40, 50, 120]})
    contrib = pd.DataFrame({"ags": ["1-1", "1-1", "1-2", "1-2", "1-3", "1-3"],
                            "contributor": ["s1", "s2", "s3", "s4", "s5", "s3"],
                            "value": [15, 15, 36, 4, 25, 25]})
    rules = DisclosureRules(dominance=(1, 85))
    out = protect(t, rules=rules, contributions=contrib)
    # 36 / 40 = 90 % > 85 %; the Kreis: s3 gives 36 + 25 = 61 of 120 = 51 %, not dominated
    assert out["protection"].tolist() == ["secondary", "primary", "", ""] \
        or out["protection"].tolist() == ["", "primary", "secondary", ""]
    assert out.loc[3, "value"] == 120
    with pytest.raises(ParameterError, match="contributions"):
        protect(t, rules=rules)


def test_rounding_rule_set():
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1-3", "1-4", "1"], "value": [1, 2, 4, 7, 14]})
    r3 = protect(t, rules=DisclosureRules(rounding_base=3))
    # 1 → 0, 2 → 3, 4 → 3, 7 → 6, 14 → 15 (each on its own: 0+3+3+6 = 12 ≠ 15)
    assert r3["value"].tolist() == [0, 3, 3, 6, 15]
    assert (r3["protection"] == "rounded").all()
    r5 = protect(t, rules=DisclosureRules(rounding_base=5))
    # 1 → 0, 2 → 0, 4 → 5, 7 → 5, 14 → 15
    assert r5["value"].tolist() == [0, 0, 5, 5, 15]


def test_linked_tables_share_margins():
    # Sozialraum × Altersgruppe and Sozialraum × Geschlecht share the Sozialraum totals
    a = pd.DataFrame({"ags": ["1-1", "1-2", "1"] * 3,
                      "altersgruppe": ["0-3"] * 3 + ["3-6"] * 3 + ["insgesamt"] * 3,
                      "value": [2, 20, 22, 8, 30, 38, 10, 50, 60]})
    b = pd.DataFrame({"ags": ["1-1", "1-2", "1"] * 3,
                      "geschlecht": ["männlich"] * 3 + ["weiblich"] * 3 + ["insgesamt"] * 3,
                      "value": [1, 24, 25, 9, 26, 35, 10, 50, 60]})
    pa, pb = protect_linked({"alter": a, "geschlecht": b}).values()
    res = check_protected(pa, linked=[pb])
    assert res["protected"].all() and len(res) == int(pa["value"].isna().sum()
                                                      + pb["value"].isna().sum())
    assert protect(a, linked=[b]).equals(pa)
    # published apart, each table alone is safe, but the shared totals must agree on their
    # pattern: what one table shows, the other does not hide
    shared = pa[pa["altersgruppe"] == "insgesamt"].set_index("ags")["value"]
    shared_b = pb[pb["geschlecht"] == "insgesamt"].set_index("ags")["value"]
    pd.testing.assert_series_equal(shared, shared_b, check_names=False)


def test_linked_tables_must_agree():
    a = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [5, 40, 45]})
    b = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [5, 41, 46]})
    with pytest.raises(ParameterError, match=r"disagree on the cell \(ags='1'\): 45 and 46"):
        protect(a, linked=[b])


def test_not_additive_is_an_error():
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [5, 40, 50]})
    with pytest.raises(ParameterError, match=r"not additive: the total \(ags='1'\) is 50 but "
                                             r"its parts add up to 45"):
        protect(t)
    # told that ags is not additive, there is nothing to derive: only the 5 … stays
    out = protect(t, hierarchy={"ags": None})
    assert out["value"].notna().all()


def test_missing_value_and_negative_are_errors():
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [5, np.nan, 45]})
    with pytest.raises(ParameterError, match="1 cell.*no value.*'1-2'"):
        protect(t)
    t = pd.DataFrame({"ags": ["1-1", "1-2", "1"], "value": [5, -1, 4]})
    with pytest.raises(ParameterError, match="negative"):
        protect(t)
    with pytest.raises(ParameterError, match="not a key column"):
        protect(t.assign(value=t["value"].abs()), hierarchy={"merkmal": None})


def test_unprotected_table_fails_the_check():
    t = two_by_two()
    res = check_protected(t)
    assert res["protected"].tolist() == [False]
    naive = t.assign(value=t["value"].where(t["value"] >= 3), status=np.where(
        t["value"] >= 3, "", "."))
    res = check_protected(naive)
    # only the 2 is hidden: 12 - 10 gives it back
    assert res[["lower", "upper"]].to_numpy().tolist() == [[2.0, 2.0]]
    assert not res["protected"].any()


def test_rules_from_toml(tmp_path):
    p = tmp_path / "regeln.toml"
    p.write_text("[disclosure]\nmin_count = 5\ndominance = [2, 90]\n", encoding="utf-8")
    r = read_rules(p)
    assert (r.min_count, r.dominance, r.protection_width) == (5, (2, 90.0), 5.0)
    p.write_text("min_count = 3\nminimum = 4\n", encoding="utf-8")
    with pytest.raises(InputError, match="regeln.toml.*Unknown key 'minimum'"):
        read_rules(p)
    p.write_text("rounding_base = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="rounding_base"):
        read_rules(p)


def test_rules_are_checked():
    with pytest.raises(ParameterError, match="dominance"):
        DisclosureRules(dominance=(0, 85))
    with pytest.raises(ParameterError, match="cost"):
        DisclosureRules(cost="sum")
    with pytest.raises(ParameterError, match="protection"):
        DisclosureRules(protection=-1)


def test_describe_method():
    text = describe_method(DisclosureRules(min_count=5, dominance=(2, 90)))
    assert text.startswith("Geheimhaltung: Fallzahlen unter 5 (ohne Nullen) sind gesperrt (.),")
    assert "die 2 größten Beiträge mehr als 90 % der Summe ausmachen" in text
    assert "Spanne von mindestens 5" in text
    assert "Vielfaches von 3" in describe_method({"rounding_base": 3})


def test_benchmark_table_is_protected():
    # the benchmark's table (100 Sozialräume × 50 cells and the Kreis), smaller: 20 × 10
    rng = np.random.default_rng(7)
    tree = {"99101": [f"99101-{i:02d}" for i in range(20)]}
    counts = rng.poisson(rng.choice([1.5, 8, 40], size=(20, 9))).astype(float)
    cats = [f"m{j}" for j in range(9)]
    t = full_table(tree, counts, cats)
    out = protect(t)
    assert_safe(t, out, constraints(t, tree, cats), DisclosureRules())
    assert check_protected(out)["protected"].all()


# ---------------------------------------------------------------------------------------------
# properties on random tables and hierarchies
# ---------------------------------------------------------------------------------------------

small_counts = st.sampled_from([0, 1, 1, 2, 2, 3, 4, 5, 7, 9, 12, 20, 35])


@st.composite
def hierarchical_tables(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    n_cats = draw(st.integers(1, 4))
    tree = region_tree(sizes)
    n_leaves = sum(sizes)
    counts = np.array(draw(st.lists(small_counts, min_size=n_leaves * n_cats,
                                    max_size=n_leaves * n_cats)), dtype=float)
    cats = [f"k{j}" for j in range(n_cats)]
    return tree, cats, full_table(tree, counts.reshape(n_leaves, n_cats), cats)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchical_tables(), st.sampled_from([DisclosureRules(), DisclosureRules(min_count=5),
                                               DisclosureRules(protection=1),
                                               DisclosureRules(cost="value")]))
def test_random_hierarchies_are_protected(case, rules):
    tree, cats, t = case
    out = protect(t.sample(frac=1, random_state=0).reset_index(drop=True), rules=rules,
                  hierarchy={"ags": tree})
    out = out.set_index(["ags", "merkmal"]).loc[list(zip(t["ags"], t["merkmal"],
                                                         strict=True))].reset_index()
    assert_safe(t, out, constraints(t, tree, cats), rules)
    assert check_protected(out, rules=rules, hierarchy={"ags": tree})["protected"].all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.data())
def test_random_linked_tables_are_protected(n_areas, n_a, n_b, data):
    # one cube Sozialraum × A × B; published as two tables that share the Sozialraum margin:
    # (ags × A) and (ags × B), each with its insgesamt and the Kreis
    cube = np.array(data.draw(st.lists(small_counts, min_size=n_areas * n_a * n_b,
                                       max_size=n_areas * n_a * n_b)), dtype=float)
    cube = cube.reshape(n_areas, n_a, n_b)
    tree = {"1": [f"1-{i}" for i in range(n_areas)]}
    ta = full_table(tree, cube.sum(axis=2), [f"a{j}" for j in range(n_a)])
    tb = full_table(tree, cube.sum(axis=1), [f"b{j}" for j in range(n_b)])
    pa, pb = protect_linked([ta.rename(columns={"merkmal": "alter"}),
                             tb.rename(columns={"merkmal": "geschlecht"})])
    # the attacker sees both tables: one system over the union of their rows, where the
    # shared cells (ags, insgesamt) are one unknown
    both = pd.concat([pa.rename(columns={"alter": "merkmal"}).assign(t="a"),
                      pb.rename(columns={"geschlecht": "merkmal"}).assign(t="b")],
                     ignore_index=True)
    both.loc[both["merkmal"] == "insgesamt", "t"] = "shared"
    both = both.drop_duplicates(["t", "ags", "merkmal"]).reset_index(drop=True)
    orig = pd.concat([ta.assign(t="a"), tb.assign(t="b")], ignore_index=True)
    orig.loc[orig["merkmal"] == "insgesamt", "t"] = "shared"
    orig = orig.drop_duplicates(["t", "ags", "merkmal"]).reset_index(drop=True)
    pos = {k: i for i, k in enumerate(zip(both["t"], both["ags"], both["merkmal"], strict=True))}
    rows = []
    for t_, cats in (("a", [f"a{j}" for j in range(n_a)]), ("b", [f"b{j}" for j in range(n_b)])):
        for a in [*tree["1"], "1"]:
            rows.append({pos[("shared", a, "insgesamt")]: 1.0,
                         **{pos[(t_, a, c)]: -1.0 for c in cats}})
        for c in cats:
            rows.append({pos[(t_, "1", c)]: 1.0, **{pos[(t_, k, c)]: -1.0 for k in tree["1"]}})
    rows.append({pos[("shared", "1", "insgesamt")]: 1.0,
                 **{pos[("shared", k, "insgesamt")]: -1.0 for k in tree["1"]}})
    orig = orig.set_index(["t", "ags", "merkmal"]).loc[both.set_index(["t", "ags", "merkmal"])
                                                      .index].reset_index()
    assert_safe(orig, both, rows, DisclosureRules())


def test_differencing_attack_on_sample_like_table():
    # 15 Sozialräume of Musterstadt × 4 Altersgruppen (counts as in a Schuleingangsuntersuchung)
    rng = np.random.default_rng(3)
    tree = {"99101": [f"99101-{i:02d}" for i in range(1, 16)]}
    cats = ["0-3", "3-6", "6-10", "10-15"]
    counts = rng.poisson(rng.choice([0.8, 3, 25], size=(15, 4))).astype(float)
    t = full_table(tree, counts, cats)
    out = protect(t)
    rows = constraints(t, tree, cats)
    assert out["value"].isna().any()
    assert differencing_attack(out, rows) == {}
    # the same attack on the naive table (only cells under 3 hidden) does recover cells
    naive = t.assign(value=t["value"].where(~((t["value"] > 0) & (t["value"] < 3))))
    assert differencing_attack(naive, rows)


@pytest.mark.parametrize("sizes", [[1], [2, 1]])
def test_single_sozialraum_kreis(sizes):
    # a Kreis with one Sozialraum: the Sozialraum equals the Kreis, so both go together
    tree = region_tree(sizes)
    n = sum(sizes)
    t = full_table(tree, np.array(list(itertools.islice(itertools.cycle([2, 30]), n * 2)),
                                  dtype=float).reshape(n, 2), ["a", "b"])
    out = protect(t, hierarchy={"ags": tree})
    assert_safe(t, out, constraints(t, tree, ["a", "b"]), DisclosureRules())


# ---------------------------------------------------------------------------------------------
# the Cell-Key-Methode (ONS package cell-key-perturbation, extra cellkey)
# ---------------------------------------------------------------------------------------------


def test_cell_key_tables_are_consistent_and_hide_the_true_counts():
    pytest.importorskip("cell_key_perturbation", reason="needs bimokit[cellkey]")
    from bimokit.disclosure import cell_key_table

    rng = np.random.default_rng(0)
    n = 2000
    micro = pd.DataFrame({"ags": rng.choice(["1-1", "1-2", "1-3"], n, p=[0.6, 0.39, 0.01]),
                          "befund": rng.choice(["a", "b"], n),
                          "geschlecht": rng.choice(["m", "w"], n),
                          "record_key": rng.integers(0, 256, n)})
    t1 = cell_key_table(micro, by=["ags", "befund"])
    t2 = cell_key_table(micro, by=["ags", "geschlecht"])
    # every cell and margin: 3 × 2 + 3 + 2 + 1
    assert len(t1) == 12 and (t1["protection"] == "perturbed").all()
    # the same records give the same perturbed margin in both tables
    m1 = t1[t1["befund"] == "insgesamt"].set_index("ags")["value"]
    m2 = t2[t2["geschlecht"] == "insgesamt"].set_index("ags")["value"]
    pd.testing.assert_series_equal(m1, m2, check_names=False)
    # ONS 10-5 p-table: published counts are multiples of 5 and at least 10; the grand total
    # 2000 is a multiple of 5 and stays; 1-3 has 21 records, under 10 in each befund
    shown = t1["value"].dropna()
    assert (shown % 5 == 0).all() and (shown >= 10).all()
    assert t1.loc[(t1["ags"] == "insgesamt") & (t1["befund"] == "insgesamt"), "value"].item() \
        == 2000
    true = micro.groupby(["ags", "befund"]).size()
    secret = t1[t1["value"].isna()]
    assert (secret["status"] == ".").all()
    assert all(true[(a, b)] < 10 for a, b in zip(secret["ags"], secret["befund"], strict=True))
    assert "pre_sdc_count" not in t1.columns
    bad = micro.assign(record_key=micro["record_key"].astype(float))
    bad.loc[5, "record_key"] = 300
    with pytest.raises(ParameterError, match="row 6 has '300.0'"):
        cell_key_table(bad, by=["ags"])


def test_cell_key_rules():
    rules = DisclosureRules(cell_key=True)
    assert rules.method == "cellkey"
    assert "Cell-Key-Methode" in describe_method(rules)
    with pytest.raises(ParameterError, match="cell_key_table"):
        protect(two_by_two(), rules=rules)
    with pytest.raises(ParameterError, match="one rule set"):
        DisclosureRules(cell_key=True, rounding_base=5)
