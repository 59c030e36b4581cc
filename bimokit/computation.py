"""Computation: any set of catalogue indicators for every region and year in one pass.

The computation reads like the catalogue entry: the counts of each term, summed over the
term's filters; parent regions as sums of their children's counts (never means of rates); the
ratio with its interval and the status carried over (:mod:`bimokit.status`). It returns the
indicator-values table of docs/design.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._schema import IMPLAUSIBLE, TOTAL, VALUE_COLUMNS
from .catalogue import Catalogue, Indicator, Term, Vocabulary, load_catalogue, unknown_id_message
from .errors import ParameterError
from .harmonization import check_fact_columns
from .status import STATUS_PRECEDENCE, is_missing_rank, status_ranks

__all__ = ["VALUE_COLUMNS", "wilson_interval", "poisson_interval", "compute"]

_KEYS = ("ags", "year")

# ---------------------------------------------------------------------------------------------
# Intervals


def wilson_interval(numerator, denominator, *, alpha: float = 0.05):
    """Wilson score interval of a proportion, vectorised.

    Parameters
    ----------
    numerator, denominator : array-like of float
        Counts; the interval is NaN where they are missing, the denominator is not positive
        or the numerator lies outside ``[0, denominator]``.
    alpha : float, keyword-only
        1 − confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)`` as proportions (multiply by the scale for %).

    Notes
    -----
    With :math:`p = k/n` and :math:`z = \\Phi^{-1}(1-\\alpha/2)`:
    :math:`(p + z^2/2n \\pm z\\sqrt{p(1-p)/n + z^2/4n^2}) / (1 + z^2/n)`, computed by
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    Examples
    --------
    >>> lo, hi = wilson_interval([111], [1302])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0713, 0.1017)
    """
    from statsmodels.stats.proportion import proportion_confint

    k = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0) & (k >= 0) & (k <= n)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    if ok.any():
        lo, hi = proportion_confint(k[ok], n[ok], alpha=alpha, method="wilson")
        low[ok], high[ok] = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
    return low, high


def poisson_interval(numerator, denominator, *, alpha: float = 0.05):
    """Exact (Garwood) Poisson interval of a rate numerator / denominator, vectorised.

    Parameters
    ----------
    numerator, denominator : array-like of float
        Event count and population; NaN where missing or the denominator is not positive.
    alpha : float, keyword-only
        1 − confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)`` as rates per 1 (multiply by the scale for ‰ or "je 1.000").

    Notes
    -----
    :math:`[\\chi^2_{\\alpha/2}(2k)/2,\\; \\chi^2_{1-\\alpha/2}(2k+2)/2] / n`, lower bound 0
    for :math:`k = 0`. The population is treated as fixed exposure.

    Examples
    --------
    >>> lo, hi = poisson_interval([0], [1000])
    >>> float(lo[0]), round(float(hi[0]) * 1000, 3)
    (0.0, 3.689)
    """
    from scipy.stats import chi2

    k = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0) & (k >= 0)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    if ok.any():
        kk, nn = k[ok], n[ok]
        lo = np.where(kk > 0, chi2.ppf(alpha / 2, 2 * np.maximum(kk, 1e-12)) / 2, 0.0)
        hi = chi2.ppf(1 - alpha / 2, 2 * kk + 2) / 2
        low[ok], high[ok] = lo / nn, hi / nn
    return low, high


# ---------------------------------------------------------------------------------------------
# Compute


def _select_indicators(indicators, catalogue: Catalogue | None) -> tuple[list, Vocabulary]:
    if isinstance(indicators, Catalogue):
        return list(indicators), indicators.vocabulary
    cat = catalogue if catalogue is not None else load_catalogue()
    if indicators is None:
        return list(cat), cat.vocabulary
    if isinstance(indicators, str | Indicator):
        indicators = [indicators]
    out = []
    for i in indicators:
        if isinstance(i, Indicator):
            out.append(i)
        elif i in cat:
            out.append(cat[i])
        else:
            raise ParameterError(unknown_id_message(i, cat.indicators))
    return out, cat.vocabulary


@dataclass
class _F:
    """Columns of a numpy frame: region index, year, category code, value, rank, missing."""

    a: np.ndarray
    y: np.ndarray
    c: np.ndarray
    v: np.ndarray
    r: np.ndarray
    m: np.ndarray

    def __len__(self) -> int:
        return len(self.a)

    def take(self, idx) -> _F:
        return _F(self.a[idx], self.y[idx], self.c[idx], self.v[idx], self.r[idx], self.m[idx])

    @staticmethod
    def concat(parts: list[_F]) -> _F:
        return _F(*(np.concatenate([getattr(p, f) for p in parts]) for f in "aycvrm"))


class _Keys:
    """Encode (region, year, category) as one int64."""

    def __init__(self, ymin: int, yspan: int, ncat: int):
        self.ymin, self.yspan, self.ncat = ymin, yspan, ncat

    def __call__(self, a, y, c):
        return (a.astype("int64") * self.yspan + (y - self.ymin)) * self.ncat + c


def _group_sum(f: _F, key: np.ndarray) -> tuple[_F, np.ndarray, np.ndarray]:
    """Sum ``f`` by ``key``: NaN where a part is missing, min rank; also counts and keys."""
    ids, uniq = pd.factorize(key)
    g = len(uniq)
    first = np.full(g, len(ids), dtype="int64")
    np.minimum.at(first, ids, np.arange(len(ids)))
    miss = f.m | np.isnan(f.v)
    sums = np.bincount(ids, weights=np.where(miss, 0.0, f.v), minlength=g)
    anymiss = np.bincount(ids, weights=miss.astype("float64"), minlength=g) > 0
    rank = np.full(g, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(rank, ids, f.r)
    out = _F(f.a[first], f.y[first], f.c[first], np.where(anymiss, np.nan, sums), rank, anymiss)
    return out, np.bincount(ids, minlength=g), uniq


@dataclass
class _VarData:
    a: np.ndarray
    y: np.ndarray
    v: np.ndarray
    r: np.ndarray
    m: np.ndarray
    dims: dict  # dimension -> int codes (index in the vocabulary's codes; -1 unknown)


def _prepare_facts(facts: pd.DataFrame, voc: Vocabulary, regions) -> tuple:
    """Split harmonised facts by variable into integer-coded numpy columns."""
    check_fact_columns(facts, "")
    n = len(facts)
    ags_codes, ags_uniq = pd.factorize(facts["ags"].astype(str))
    hierarchy = _Hierarchy(regions, list(ags_uniq))
    a_all = hierarchy.index.get_indexer(pd.Index(ags_uniq, dtype=object))[ags_codes]
    y_all = facts["year"].to_numpy(dtype="int64")
    v_all = pd.to_numeric(facts["value"], errors="coerce").to_numpy(dtype="float64")
    if "status" in facts.columns:
        st_codes, st_uniq = pd.factorize(facts["status"], use_na_sentinel=False)
        st_uniq = pd.Series(list(st_uniq), dtype=object)
        ranks_u, names = status_ranks(st_uniq)
        r_all = ranks_u[st_codes]
    else:
        names = list(STATUS_PRECEDENCE)
        r_all = np.full(n, names.index(""), dtype="int64")
    miss = is_missing_rank(r_all, names)
    nan_plain = np.isnan(v_all) & ~miss  # a missing value without a symbol is "unknown" (.)
    r_all = np.where(nan_plain, names.index("."), r_all)
    m_all = miss | nan_plain
    # a negative count cannot be true: not plausible (!), and nothing is built from it
    var_codes, var_uniq = pd.factorize(facts["variable"])
    is_count = np.array([voc.units.get(v, "Anzahl") == "Anzahl" for v in var_uniq] + [False],
                        dtype=bool)[var_codes]
    negative = is_count & ~m_all & (v_all < 0)
    r_all = np.where(negative, np.minimum(r_all, names.index(IMPLAUSIBLE)), r_all)
    m_all = m_all | negative
    dim_codes = {}
    for d in voc.dimension_order:
        if d not in facts.columns:
            continue
        codes, uniq = pd.factorize(facts[d])
        lut = np.array([voc.dimensions[d].index(u) if u in voc.dimensions[d] else -1
                        for u in uniq] + [0], dtype="int64")  # last entry: missing → total
        dim_codes[d] = lut[codes]  # factorize gives -1 for missing → lut[-1] = 0
    stand = facts["stand"] if "stand" in facts.columns else None
    order = np.argsort(var_codes, kind="stable")
    bounds = np.searchsorted(var_codes[order], np.arange(len(var_uniq) + 1))
    by_var = {}
    for i, var in enumerate(var_uniq):
        dims = voc.variables.get(var)
        if dims is None:
            continue
        idx = order[bounds[i]:bounds[i + 1]]
        vd = _VarData(a_all[idx], y_all[idx], v_all[idx], r_all[idx], m_all[idx],
                      {d: (dim_codes[d][idx] if d in dim_codes else np.zeros(len(idx), "int64"))
                       for d in dims})
        # the same observation from several files: the newest Stand wins
        key = np.zeros(len(idx), dtype="int64")
        for col in (vd.a, vd.y - int(vd.y.min()) if len(idx) else vd.y,
                    *vd.dims.values()):
            key = key * (int(col.max()) + 2 if len(col) else 1) + (col + 1)
        ks_sorted = np.sort(key)
        if len(key) > 1 and (ks_sorted[1:] == ks_sorted[:-1]).any():
            when = (pd.to_datetime(pd.Series(stand.to_numpy()[idx]), errors="coerce")
                    .to_numpy().astype("int64") if stand is not None
                    else np.zeros(len(idx), dtype="int64"))  # NaT sorts first
            srt = np.lexsort((np.arange(len(idx)), when))
            ks = key[srt]
            _, first_rev = np.unique(ks[::-1], return_index=True)
            keep = np.sort(srt[len(ks) - 1 - first_rev])  # last (newest) of every key
            vd = _VarData(vd.a[keep], vd.y[keep], vd.v[keep], vd.r[keep], vd.m[keep],
                          {d: c[keep] for d, c in vd.dims.items()})
        by_var[var] = vd
    return by_var, names, hierarchy


class _Hierarchy:
    """Parent of every region and the number of children each parent expects per level."""

    CHILD_LEVELS = ("sozialraum", "kreis", "regbez", "land")
    #: bottom-up order in which sums are built
    LEVEL_ORDER = ("sozialraum", "gemeinde", "kreis", "regbez", "land", "bund")

    def __init__(self, regions: pd.DataFrame | None, keys: Iterable[str]):
        from .regions import LAENDER, ags_levels, parent_of

        keys = pd.Series(sorted(set(keys)), dtype=object)
        if regions is not None:
            missing = [c for c in ("ags",) if c not in regions.columns]
            if missing:
                raise ParameterError("`regions` must be a region table with a column 'ags'.")
            r = regions.copy()
            r["ags"] = r["ags"].astype(str)
            r = r.drop_duplicates("ags")
            if "level" not in r.columns:
                r["level"] = ags_levels(r["ags"]).to_numpy()
            if "parent" not in r.columns:
                r["parent"] = parent_of(r["ags"]).to_numpy()
            extra = keys[~keys.isin(r["ags"])]
            if len(extra):
                add = pd.DataFrame({"ags": extra.to_numpy()})
                add["level"] = ags_levels(add["ags"]).to_numpy()
                known = pd.concat([r["ags"], add["ags"]])
                add["parent"] = parent_of(add["ags"], regions=known).to_numpy()
                r = pd.concat([r, add], ignore_index=True)
        else:
            r = pd.DataFrame({"ags": keys.to_numpy()})
            r["level"] = ags_levels(r["ags"]).to_numpy() if len(r) else []
            r["parent"] = parent_of(r["ags"]).to_numpy() if len(r) else []
        r["level"] = r["level"].astype(str)
        r["parent"] = r["parent"].astype(object).where(r["parent"].notna(), None)
        exists = r["exists"] if "exists" in r.columns else pd.Series(True, index=r.index)
        exists = exists.astype(object).where(exists.notna(), True).astype(bool).to_numpy()
        self.table = r[["ags", "level", "parent"]].reset_index(drop=True)
        self.index = pd.Index(self.table["ags"].astype(str).to_numpy(dtype=object))
        self.level_of = dict(zip(self.table["ags"], self.table["level"], strict=True))
        lv_codes = {lv: i for i, lv in enumerate(self.LEVEL_ORDER)}
        self.level = self.table["level"].map(lv_codes).fillna(-1).to_numpy(dtype="int64")
        parent = self.index.get_indexer(self.table["parent"].astype(object))
        parent[self.table["parent"].isna().to_numpy()] = -1
        self.parent = parent
        # expected[l, p]: children of level l the region p has (existing regions only)
        n = len(self.index)
        self.expected = np.zeros((len(self.LEVEL_ORDER), max(n, 1)), dtype="int64")
        ok = exists & (parent >= 0) & (self.level >= 0)
        np.add.at(self.expected, (self.level[ok], parent[ok]), 1)
        # Deutschland is the sum of the 16 Länder, whatever the region table lists: a data
        # folder with one Land (or the fictional Musterland) never makes a Bund value
        dg = self.index.get_indexer(["DG"])[0]
        if dg >= 0:
            land = self.LEVEL_ORDER.index("land")
            self.expected[land, dg] = max(self.expected[land, dg], len(LAENDER))

    def aggregate(self, f: _F, keys: _Keys) -> _F:
        """Add parent rows (summed children) where the parent has none; bottom-up."""
        if not len(f):
            return f
        parts = [f]
        have = keys(f.a, f.y, f.c)
        cur = f
        for code, level in enumerate(self.LEVEL_ORDER):
            if level not in self.CHILD_LEVELS:
                continue
            sel = self.level[cur.a] == code
            if not sel.any():
                continue
            child = cur.take(np.flatnonzero(sel))
            p = self.parent[child.a]
            ok = p >= 0
            if not ok.any():
                continue
            child = child.take(np.flatnonzero(ok))
            child.a = p[ok]
            summed, cnt, uniq = _group_sum(child, keys(child.a, child.y, child.c))
            keep = (cnt >= self.expected[code, summed.a]) & ~np.isin(uniq, have)
            if not keep.any():
                continue
            new = summed.take(np.flatnonzero(keep))
            parts.append(new)
            have = np.concatenate([have, uniq[keep]])
            cur = _F.concat([cur, new])
        return parts[0] if len(parts) == 1 else _F.concat(parts)


class _Engine:
    def __init__(self, by_var, names, voc, hierarchy, keys: _Keys):
        self.by_var = by_var
        self.names = names
        self.voc = voc
        self.h = hierarchy
        self.keys = keys
        self.cache: dict = {}

    def term(self, term: Term, bdim: str | None) -> _F | None:
        key = (term, bdim)
        if key in self.cache:
            return self.cache[key]
        vd = self.by_var.get(term.variable)
        if vd is None or not len(vd.a):
            self.cache[key] = None
            return None
        filt = term.filter_dict
        mask = np.ones(len(vd.a), dtype=bool)
        expected = 1
        for d, codes in vd.dims.items():
            if d == bdim:
                mask &= codes > 0
            elif d in filt:
                wanted = [self.voc.dimensions[d].index(c) for c in filt[d]]
                mask &= np.isin(codes, wanted)
                expected *= len(wanted)
            else:
                mask &= codes == 0
        idx = np.flatnonzero(mask)
        c = vd.dims[bdim][idx] if bdim else np.zeros(len(idx), dtype="int64")
        f = _F(vd.a[idx], vd.y[idx], c, vd.v[idx], vd.r[idx], vd.m[idx])
        f, cnt, _ = _group_sum(f, self.keys(f.a, f.y, f.c))
        f = f.take(np.flatnonzero(cnt == expected))
        if term.variable not in self.voc.non_additive:
            f = self.h.aggregate(f, self.keys)
        self.cache[key] = f
        return f

    def side(self, terms: tuple, bdim: str | None) -> _F | None:
        out = None
        for t in terms:
            b = bdim if bdim in self.voc.variables[t.variable] else None
            f = self.term(t, b)
            if f is None or not len(f):
                return None
            if out is None:
                out = _F(f.a, f.y, f.c, f.v.copy(), f.r.copy(), f.m.copy())
                continue
            pos = pd.Index(self.keys(f.a, f.y, f.c)).get_indexer(
                self.keys(out.a, out.y, out.c))
            ok = np.flatnonzero(pos >= 0)
            out = out.take(ok)
            pos = pos[ok]
            out.v = out.v + f.v[pos]
            out.r = np.minimum(out.r, f.r[pos])
            out.m = out.m | f.m[pos]
        return out

    def indicator(self, ind: Indicator, bdim: str | None, pool: int):
        num = self.side(ind.numerator, bdim)
        if num is None or not len(num):
            return None
        if ind.denominator:
            den_has = bdim is not None and bdim in self.voc.variables[ind.denominator[0].variable]
            den = self.side(ind.denominator, bdim if den_has else None)
            if den is None or not len(den):
                return None
            num_c = num.c if den_has else np.zeros(len(num), dtype="int64")
            pos = pd.Index(self.keys(den.a, den.y, den.c)).get_indexer(
                self.keys(num.a, num.y, num_c))
            ok = np.flatnonzero(pos >= 0)
            num = num.take(ok)
            pos = pos[ok]
            dv, dr, dm = den.v[pos], den.r[pos], den.m[pos]
        else:
            # counts and means: value = numerator / 1 (pooling averages them)
            dv = np.ones(len(num))
            dr = np.full(len(num), self.names.index("-"), dtype="int64")
            dm = np.zeros(len(num), dtype=bool)
        rows = {"a": num.a, "y": num.y, "c": num.c, "nv": num.v, "nr": num.r, "nm": num.m,
                "dv": dv, "dr": dr, "dm": dm}
        if pool > 1:
            rows = self._pool(rows, pool)
        if not len(rows["a"]):
            return None
        return rows

    def _pool(self, rows: dict, k: int) -> dict:
        shifted = {f: np.concatenate([rows[f]] * k) for f in rows}
        shifted["y"] = np.concatenate([rows["y"] + off for off in range(k)])
        key = self.keys(shifted["a"], shifted["y"], shifted["c"])
        nf = _F(shifted["a"], shifted["y"], shifted["c"], shifted["nv"], shifted["nr"],
                shifted["nm"])
        df = _F(shifted["a"], shifted["y"], shifted["c"], shifted["dv"], shifted["dr"],
                shifted["dm"])
        ns, cnt, uniq = _group_sum(nf, key)
        ds, _, _ = _group_sum(df, key)
        # all k years present, and the last pooled year is a year of the data
        keep = (cnt == k) & np.isin(uniq, self.keys(rows["a"], rows["y"], rows["c"]))
        i = np.flatnonzero(keep)
        return {"a": ns.a[i], "y": ns.y[i], "c": ns.c[i], "nv": ns.v[i], "nr": ns.r[i],
                "nm": ns.m[i], "dv": ds.v[i], "dr": ds.r[i], "dm": ds.m[i]}


def _finalise(parts: list, inds: dict, names: list[str], voc: Vocabulary,
              hierarchy: _Hierarchy, order: dict) -> pd.DataFrame:
    cat = {f: np.concatenate([p[f] for _, _, p in parts]) for f in parts[0][2]}
    n_each = [len(p["a"]) for _, _, p in parts]
    ind_ids = np.repeat(np.array([i for i, _, _ in parts], dtype=object), n_each)
    bds = [b for _, b, _ in parts]
    bd_arr = np.repeat(np.array([b or TOTAL for b in bds], dtype=object), n_each)
    labels = np.concatenate([
        np.asarray(voc.dimensions[b], dtype=object)[p["c"]] if b else
        np.full(len(p["a"]), TOTAL, dtype=object) for _, b, p in parts])
    kind = np.repeat(np.array([inds[i].kind for i, _, _ in parts], dtype=object), n_each)
    scale = np.repeat(np.array([inds[i].scale for i, _, _ in parts], dtype="float64"), n_each)
    num = np.where(cat["nm"], np.nan, cat["nv"])
    den = np.where(cat["dm"], np.nan, cat["dv"])
    rank = np.minimum(cat["nr"], cat["dr"])
    single = np.isin(kind, ["count", "mean"])
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den * scale
    zero_den = ~single & np.isfinite(den) & (den == 0)
    rank = np.where(zero_den, np.minimum(rank, names.index("x")), rank)
    value = np.where(zero_den, np.nan, value)
    # values that cannot be true: a share above 100 % (numerator above denominator), or a
    # negative count on either side; status "!", and neither value nor counts are published
    with np.errstate(invalid="ignore"):
        impossible = ((num < 0) | (~single & (den < 0))
                      | ((kind == "share") & (den > 0) & (num > den)))
    impossible &= ~is_missing_rank(rank, names)
    rank = np.where(impossible, np.minimum(rank, names.index(IMPLAUSIBLE)), rank)
    num = np.where(impossible, np.nan, num)
    den = np.where(impossible, np.nan, den)
    missing = is_missing_rank(rank, names)
    value = np.where(missing, np.nan, value)
    low = np.full(len(value), np.nan)
    high = np.full(len(value), np.nan)
    share = (kind == "share") & ~missing
    if share.any():
        lo, hi = wilson_interval(num[share], den[share])
        low[share], high[share] = lo * scale[share], hi * scale[share]
    rate = (kind == "rate") & ~missing
    if rate.any():
        lo, hi = poisson_interval(num[rate], den[rate])
        low[rate], high[rate] = lo * scale[rate], hi * scale[rate]
    # sort: catalogue order, total first, breakdowns in the entry's order, categories in
    # vocabulary order, regions by key, years
    ags_rank = np.empty(len(hierarchy.index), dtype="int64")
    ags_rank[np.argsort(hierarchy.index.to_numpy().astype(str), kind="stable")] = np.arange(
        len(hierarchy.index))
    ind_order = np.repeat(np.array([order[i] for i, _, _ in parts]), n_each)
    bd_order = np.repeat(np.array([0 if b is None else 1 + inds[i].breakdowns.index(b)
                                   for i, b, _ in parts]), n_each)
    srt = np.lexsort((cat["y"], ags_rank[cat["a"]], cat["c"], bd_order, ind_order))
    out = pd.DataFrame({
        "ags": hierarchy.index.to_numpy()[cat["a"]][srt].astype(str),
        "year": cat["y"][srt].astype("int64"),
        "indicator": ind_ids[srt].astype(str),
        "breakdown": bd_arr[srt].astype(str),
        "category": labels[srt].astype(str),
        "numerator": np.where(single, value, num)[srt].astype("float64"),
        "denominator": np.where(single, np.nan, den)[srt].astype("float64"),
        "value": value[srt].astype("float64"),
        "ci_low": low[srt],
        "ci_high": high[srt],
        "status": np.asarray(names, dtype=object)[rank][srt].astype(str),
    })
    return out




def _empty_values() -> pd.DataFrame:
    return pd.DataFrame({
        "ags": pd.Series([], dtype=str), "year": pd.Series([], dtype="int64"),
        "indicator": pd.Series([], dtype=str), "breakdown": pd.Series([], dtype=str),
        "category": pd.Series([], dtype=str),
        **{c: pd.Series([], dtype="float64") for c in
           ("numerator", "denominator", "value", "ci_low", "ci_high")},
        "status": pd.Series([], dtype=str),
    })


def compute(
    facts: pd.DataFrame,
    indicators=None,
    *,
    regions: pd.DataFrame | None = None,
    by: str | Iterable[str] | None = None,
    pool_years: int = 1,
    levels: Iterable[str] | None = None,
    catalogue: Catalogue | None = None,
    engine: str = "numpy",
) -> pd.DataFrame:
    """Compute indicators for every region and year in one vectorised pass.

    Parameters
    ----------
    facts : DataFrame
        Harmonised facts (:func:`harmonize`, :func:`bimokit.load_data` ``.facts``).
    indicators : str, list of str, Catalogue, optional
        Indicator ids (or entries); default: the whole catalogue.
    regions : DataFrame, keyword-only, optional
        Region table (``ags``, ``level``, ``parent``, optionally ``exists``); its hierarchy
        builds the aggregates, and a region is summed from its children only where all its
        (existing) children of the table are in the data. Default: the regions whose keys are
        in ``facts``, with parents from :func:`bimokit.regions.parent_of` (a parent that is not
        in the facts gets no aggregate: nothing says which Kreise it has).
    by : str, list of str or "all", keyword-only, optional
        Breakdowns to compute besides the total: dimension names (each used where the
        indicator offers it) or ``"all"`` for every breakdown an indicator offers.
        Default: totals only.
    pool_years : int, keyword-only
        Pool this many years ending in ``year``: numerators and denominators are summed over
        the years (counts and means are averaged); only years with all pooled years present
        get a value.
    levels : list of str, keyword-only, optional
        Region levels to return (``bund``, ``land``, ``regbez``, ``kreis``, ``gemeinde``,
        ``sozialraum``); default: all.
    catalogue : Catalogue, keyword-only, optional
        Where to look up ids; default: :func:`load_catalogue` ().
    engine : {"numpy", "pandas"}, keyword-only
        ``"numpy"`` (default): the vectorised fast path. ``"pandas"``: the same computation
        written as named pandas steps that read like the catalogue (term counts, parent sums,
        ratio and interval), slower; a test checks that both give the same table.

    Returns
    -------
    DataFrame
        The indicator-values table, one row per region, year, indicator and category:

        ``ags`` (str), ``year`` (int), ``indicator`` (id), ``breakdown`` (the dimension, or
        ``insgesamt`` for the total), ``category`` (its code, ``insgesamt`` for the total),
        ``numerator`` and ``denominator`` (summed counts; for counts and means the value and
        NaN), ``value`` (numerator / denominator × scale), ``ci_low`` and ``ci_high`` (95 %:
        Wilson for shares, exact Poisson for rates, NaN otherwise), ``status`` (see the
        module docstring). The columns are the same whatever the options.

    Notes
    -----
    ``value = sum(numerator terms) / sum(denominator terms) * scale``. Regions above the
    Kreis take the published value of every count where the source has one; otherwise the
    counts of their children (Sozialräume → Kreis → Regierungsbezirk → Land → Bund) are
    summed, but only where every child of the region table is present (for Deutschland: all
    16 Länder): rates at higher levels come from summed counts, never from averaged rates. A
    sum over a secret count is NaN with status ``.``. Means (kind ``mean``) are never
    summed. Rows exist only where every count the value needs is in the data.

    Values that cannot be true get status ``!`` ("nicht plausibel") with ``value``,
    ``numerator``, ``denominator`` and the interval NaN: a share whose numerator is above its
    denominator (a "157,1 %"), and anything built from a negative count (a count variable
    below 0 in the facts is itself marked ``!``, so that no sum over it is published either).

    Examples
    --------
    >>> facts = pd.DataFrame({
    ...     "ags": ["01001", "01001", "01002", "01002"], "year": 2015,
    ...     "variable": "abgaenger", "abschluss": ["insgesamt", "ohne_esa"] * 2,
    ...     "value": [1302.0, 111.0, 2140.0, 140.0], "status": ""})
    >>> v = compute(facts, "D4.1")
    >>> v[["ags", "numerator", "denominator"]].values.tolist()
    [['01001', 111.0, 1302.0], ['01002', 140.0, 2140.0]]
    >>> round(float(v["value"].iloc[0]), 2)
    8.53

    With a region table in which Land ``01`` has exactly these two Kreise, the Land value
    is built from the summed counts:

    >>> regions = pd.DataFrame({"ags": ["01", "01001", "01002"]})
    >>> v = compute(facts, "D4.1", regions=regions)
    >>> v.loc[v["ags"] == "01", ["numerator", "denominator"]].values.tolist()
    [[251.0, 3442.0]]
    """
    if not isinstance(facts, pd.DataFrame):
        raise ParameterError(f"`facts` must be a DataFrame of facts; not {type(facts).__name__}.")
    if isinstance(pool_years, bool) or not isinstance(pool_years, int | np.integer) \
            or pool_years < 1:
        raise ParameterError(f"`pool_years` must be a whole number ≥ 1; not {pool_years!r}.")
    inds, voc = _select_indicators(indicators, catalogue)
    if by is None:
        wanted: set | None = set()
    elif isinstance(by, str) and by == "all":
        wanted = None
    else:
        wanted = {by} if isinstance(by, str) else set(by)
        bad = sorted(wanted - set(voc.dimensions))
        if bad:
            raise ParameterError(
                f"`by` must name dimensions ({', '.join(voc.dimensions)}) or be 'all'; "
                f"not {', '.join(map(repr, bad))}.")
    if levels is not None:
        from .regions import LEVELS
        levels = [levels] if isinstance(levels, str) else list(levels)
        bad = [lv for lv in levels if lv not in LEVELS]
        if bad:
            raise ParameterError(
                f"`levels` must be among {', '.join(LEVELS)}; not {', '.join(map(repr, bad))}.")
    if engine not in ("numpy", "pandas"):
        raise ParameterError(f"`engine` must be 'numpy' or 'pandas'; not {engine!r}.")
    if facts.empty or not inds:
        return _empty_values()
    if engine == "pandas":
        out, tree = _compute_pandas(facts, inds, voc, regions, wanted, int(pool_years))
        if levels is not None:
            out = out[out["ags"].map(tree.level_of).isin(levels).to_numpy()]
        return out.reset_index(drop=True)
    by_var, names, hierarchy = _prepare_facts(facts, voc, regions)
    if not by_var:
        return _empty_values()
    years = np.concatenate([vd.y for vd in by_var.values()])
    ymin, ymax = int(years.min()), int(years.max())
    ncat = max(len(c) for c in voc.dimensions.values())
    keys = _Keys(ymin, ymax - ymin + int(pool_years) + 1, ncat)
    engine = _Engine(by_var, names, voc, hierarchy, keys)
    parts = []
    for ind in inds:
        bds = [None] + [b for b in ind.breakdowns if wanted is None or b in wanted]
        for b in bds:
            part = engine.indicator(ind, b, int(pool_years))
            if part is not None:
                parts.append((ind.id, b, part))
    if not parts:
        return _empty_values()
    order = {i.id: n for n, i in enumerate(inds)}
    out = _finalise(parts, {i.id: i for i in inds}, names, voc, hierarchy, order)
    if levels is not None:
        lv = out["ags"].map(hierarchy.level_of)
        out = out[lv.isin(levels).to_numpy()]
    return out.reset_index(drop=True)



# ---------------------------------------------------------------------------------------------
# The computation in named pandas steps (engine="pandas")
#
# The same result as the numpy engine above, written as the catalogue reads: the counts of
# each term, parent sums, the ratio with its interval. It is the reference the fast path is
# tested against (tests/test_indicators.py); the fast path stays the default because the
# benchmark of a synthetic Germany needs it (benchmarks/bench_compute.py).

_CELL = ["ags", "year", "category"]
_NO_ROWS = pd.DataFrame(columns=["ags", "year", "value", "rank", "missing"])


def _observations(facts: pd.DataFrame, voc: Vocabulary) -> tuple[pd.DataFrame, list[str]]:
    """Step 1: one row per published count, with its status rank and whether it is missing.

    A value without a symbol that is NaN counts as unknown (``.``); of the same observation
    in several files the newest Stand wins.
    """
    check_fact_columns(facts, "")
    obs = facts[facts["variable"].isin(list(voc.variables))].copy()
    obs["ags"] = obs["ags"].astype(str)
    obs["year"] = obs["year"].astype("int64")
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce").astype("float64")
    status = obs["status"] if "status" in obs.columns else pd.Series("", index=obs.index)
    ranks, names = status_ranks(status)
    unknown = np.isnan(obs["value"].to_numpy()) & ~is_missing_rank(ranks, names)
    rank = np.where(unknown, names.index("."), ranks)
    # a negative count cannot be true: not plausible (!), and nothing is built from it
    is_count = obs["variable"].map(lambda v: voc.units.get(v, "Anzahl") == "Anzahl")
    negative = is_count.to_numpy(dtype=bool) & ~is_missing_rank(rank, names) \
        & (obs["value"].to_numpy() < 0)
    obs["rank"] = np.where(negative, np.minimum(rank, names.index(IMPLAUSIBLE)), rank)
    obs["missing"] = is_missing_rank(obs["rank"].to_numpy(), names)
    for d in voc.dimension_order:
        if d in obs.columns:
            obs[d] = obs[d].astype(object).where(obs[d].notna(), TOTAL)
    if "stand" in obs.columns and len(obs):
        dims = [d for d in voc.dimension_order if d in obs.columns]
        when = pd.to_datetime(obs["stand"], errors="coerce")
        obs = (obs.assign(_when=when).sort_values("_when", kind="stable", na_position="first")
               .drop_duplicates(["variable", "ags", "year", *dims], keep="last")
               .drop(columns="_when").sort_index())
    return obs, names


def _sum_cells(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``value`` by ``keys``: NaN where any part is missing, the highest-precedence
    status (lowest rank), and the number of parts ``n``."""
    g = rows.groupby(keys, sort=False, dropna=False)
    out = g.agg(value=("value", "sum"), rank=("rank", "min"), missing=("missing", "any"),
                n=("value", "size")).reset_index()
    out["missing"] = out["missing"] | rows.assign(_nan=rows["value"].isna()).groupby(
        keys, sort=False, dropna=False)["_nan"].any().to_numpy()
    out["value"] = out["value"].where(~out["missing"])
    return out


def _term_counts(obs: dict, term: Term, breakdown: str | None,
                 voc: Vocabulary) -> pd.DataFrame:
    """Step 2: the counts of one term per region, year and category.

    A dimension of the variable is taken at its filter codes (summed; every code must be
    there), at the breakdown's categories, or at ``insgesamt``.
    """
    rows = obs.get(term.variable, _NO_ROWS)
    filters = term.filter_dict
    expected = 1
    for d in voc.variables[term.variable]:
        codes = rows[d] if d in rows.columns else pd.Series(TOTAL, index=rows.index)
        if d == breakdown:
            keep = codes.isin(voc.dimensions[d][1:])
        elif d in filters:
            keep = codes.isin(filters[d])
            expected *= len(filters[d])
        else:
            keep = codes == TOTAL
        rows = rows[keep.to_numpy()]
    category = rows[breakdown] if breakdown else pd.Series(TOTAL, index=rows.index)
    cells = _sum_cells(rows.assign(category=category.to_numpy()), _CELL)
    return cells[cells["n"] == expected].drop(columns="n")


def _parent_sums(cells: pd.DataFrame, tree: _Hierarchy) -> pd.DataFrame:
    """Step 3: add each region's count as the sum of its children where it has none of its
    own and every (existing) child is there; bottom up, Sozialräume → … → Deutschland."""
    table = tree.table.assign(code=tree.level)
    for code, level in enumerate(tree.LEVEL_ORDER):
        if level not in tree.CHILD_LEVELS:
            continue
        children = cells.merge(table[["ags", "level", "parent"]], on="ags")
        children = children[(children["level"] == level)
                            & children["parent"].isin(tree.index).to_numpy()]
        if children.empty:
            continue
        sums = _sum_cells(children.drop(columns="ags").rename(columns={"parent": "ags"}),
                          _CELL)
        parent_pos = tree.index.get_indexer(sums["ags"])
        complete = sums["n"].to_numpy() >= tree.expected[code, parent_pos]
        own = sums.merge(cells[_CELL], on=_CELL, how="left", indicator=True)["_merge"]
        new = sums[complete & (own == "left_only").to_numpy()]
        cells = pd.concat([cells, new.drop(columns="n")], ignore_index=True)
    return cells


def _side(obs, terms, breakdown, voc, tree, cache: dict) -> pd.DataFrame:
    """Numerator or denominator: the sum of its terms, where every term has the cell."""
    total = None
    for term in terms:
        b = breakdown if breakdown in voc.variables[term.variable] else None
        if (term, b) not in cache:
            cells = _term_counts(obs, term, b, voc)
            if term.variable not in voc.non_additive:
                cells = _parent_sums(cells, tree)
            cache[term, b] = cells
        cells = cache[term, b]
        if total is None:
            total = cells
            continue
        both = total.merge(cells, on=_CELL, suffixes=("", "_t"))
        total = both.assign(value=both["value"] + both["value_t"],
                            rank=np.minimum(both["rank"], both["rank_t"]),
                            missing=both["missing"] | both["missing_t"])[total.columns]
    return total


def _pool(num: pd.DataFrame, den: pd.DataFrame, k: int) -> tuple:
    """Pool ``k`` years ending in each year of the data (all ``k`` years present)."""
    def pooled(cells):
        shifted = pd.concat([cells.assign(year=cells["year"] + off) for off in range(k)])
        sums = _sum_cells(shifted, _CELL)
        sums = sums[sums["n"] == k].drop(columns="n")
        return sums.merge(cells[_CELL], on=_CELL)  # the last pooled year is a data year
    return pooled(num), pooled(den)


def _ratio(ind: Indicator, num, den, names, pool: int) -> pd.DataFrame:
    """Step 4: value = numerator / denominator × scale, status and interval."""
    if den is None:  # counts and means: the value is the numerator
        den = num.assign(value=1.0, rank=names.index("-"), missing=False)
    elif "category" in den.columns and (den["category"] == TOTAL).all() \
            and (num["category"] != TOTAL).any():
        den = num[_CELL].merge(den.drop(columns="category"), on=["ags", "year"])
    if pool > 1:
        num, den = _pool(num, den, pool)
    both = num.merge(den, on=_CELL, suffixes=("_n", "_d"))
    n = both["value_n"].where(~both["missing_n"]).to_numpy(dtype="float64")
    d = both["value_d"].where(~both["missing_d"]).to_numpy(dtype="float64")
    rank = np.minimum(both["rank_n"], both["rank_d"]).to_numpy()
    single = ind.kind in ("count", "mean")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = n / d * ind.scale
    zero = ~single & np.isfinite(d) & (d == 0)
    rank = np.where(zero, np.minimum(rank, names.index("x")), rank)
    # a share above 100 % or anything from a negative count is not plausible (!)
    with np.errstate(invalid="ignore"):
        impossible = (n < 0) | (~single & (d < 0)) | ((ind.kind == "share") & (d > 0) & (n > d))
    impossible &= ~is_missing_rank(rank, names)
    rank = np.where(impossible, np.minimum(rank, names.index(IMPLAUSIBLE)), rank)
    n = np.where(impossible, np.nan, n)
    d = np.where(impossible, np.nan, d)
    missing = is_missing_rank(rank, names)
    value = np.where(zero | missing, np.nan, value)
    low = high = np.full(len(value), np.nan)
    interval = {"share": wilson_interval, "rate": poisson_interval}.get(ind.kind)
    if interval is not None:
        lo, hi = interval(np.where(missing, np.nan, n), np.where(missing, np.nan, d))
        low, high = lo * ind.scale, hi * ind.scale
    return pd.DataFrame({
        "ags": both["ags"], "year": both["year"], "category": both["category"],
        "numerator": value if single else n, "denominator": np.nan if single else d,
        "value": value, "ci_low": low, "ci_high": high,
        "status": np.asarray(names, dtype=object)[rank],
    })


def _compute_pandas(facts, inds, voc, regions, wanted, pool: int) -> pd.DataFrame:
    """Every indicator of ``inds`` in named pandas steps (see the section comment)."""
    obs, names = _observations(facts, voc)
    tree = _Hierarchy(regions, obs["ags"].unique())
    by_variable = dict(tuple(obs.groupby("variable", sort=False)))
    cache: dict = {}
    region_order = {a: i for i, a in enumerate(sorted(tree.index.astype(str)))}
    parts = []
    for n_ind, ind in enumerate(inds):
        breakdowns = [b for b in ind.breakdowns if wanted is None or b in wanted]
        for n_b, b in enumerate([None, *breakdowns]):
            num = _side(by_variable, ind.numerator, b, voc, tree, cache)
            den = _side(by_variable, ind.denominator, b, voc, tree, cache) \
                if ind.denominator else None
            if num is None or num.empty or (den is not None and den.empty):
                continue
            rows = _ratio(ind, num, den, names, pool)
            if rows.empty:
                continue
            codes = voc.dimensions[b] if b else (TOTAL,)
            parts.append(rows.assign(
                indicator=ind.id, breakdown=b or TOTAL, _ind=n_ind, _b=n_b,
                _c=rows["category"].map({c: i for i, c in enumerate(codes)}),
                _a=rows["ags"].map(region_order)))
    if not parts:
        return _empty_values(), tree
    out = pd.concat(parts, ignore_index=True).sort_values(
        ["_ind", "_b", "_c", "_a", "year"], kind="stable")
    out = out[list(VALUE_COLUMNS)].reset_index(drop=True)
    return out.astype({"year": "int64", "numerator": "float64", "denominator": "float64",
                       "status": str}), tree
