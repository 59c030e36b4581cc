"""Comparison of one Kommune with Land, Bund and a Vergleichsgruppe, with funnel-plot limits.

:func:`compare` (``bk.compare``) puts a Kommune's value beside the values of its Land, of
Deutschland and of a comparison group, with differences, rank, percentile and a funnel flag that
keeps small Kommunen from being ranked on noise. :func:`funnel_table` (``bk.funnel_table``)
gives every group member's numbers for a funnel plot; :func:`funnel_limits` the curves.

Comparison groups:

* ``"kreistyp"`` (default): regions of the same level, in the same Land, of the same Kreistyp
  (kreisfreie Städte with kreisfreien Städten, Landkreise with Landkreisen); for regions
  without a Kreistyp (Gemeinden, Sozialräume) the regions with the same parent.
* ``"land"``: the same level in the same Land; ``"all"``: the same level everywhere.
* a list of AGS chosen by the user (the Kommune itself is always a member).
* ``"similar"``: the ``k`` most similar regions of the same level on chosen context indicators
  (standardised Euclidean distance, see :func:`similar_regions`).

The group's value comes from summed numerators and denominators (not the mean of rates) where
every member has both counts; otherwise it is the plain mean of the members' values and
``group_method`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import ParameterError, UnknownRegionError
from .trends import check_values_table, clean_values_table, infer_scales, per_indicator

__all__ = [
    "FUNNEL_FLAGS",
    "funnel_limits",
    "similar_regions",
    "group_members",
    "compare",
    "funnel_table",
]

#: Values of ``funnel_flag``.
FUNNEL_FLAGS = ("innerhalb", "oberhalb 95 %", "oberhalb 99,8 %", "unterhalb 95 %",
                "unterhalb 99,8 %", "")

_SHARE_UNITS = {"%", "prozent"}


# ---------------------------------------------------------------------------------------------
# primitives
# ---------------------------------------------------------------------------------------------


def funnel_limits(p0, n, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial funnel limits around a proportion ``p0`` for denominators ``n``.

    Parameters
    ----------
    p0 : float or array-like
        Reference proportion (0–1), e.g. the group's pooled share.
    n : int or array-like
        Denominators (number of cases) of the units.
    level : float, default 0.95
        Two-sided coverage, e.g. 0.95 or 0.998.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits as proportions (0–1); NaN where ``n`` < 1 or ``p0`` is missing.

    Notes
    -----
    Spiegelhalter (2005, Statistics in Medicine 24:1185, appendix): for a tail probability
    ``p`` (``(1 − level)/2`` and ``(1 + level)/2``), ``r_p`` is the smallest r with
    ``P(R ≤ r) ≥ p`` for ``R ~ Bin(n, p0)`` (``scipy.stats.binom.ppf``);
    ``α = (P(R ≤ r_p) − p) / (P(R ≤ r_p) − P(R ≤ r_p − 1))`` and the limit is
    ``(r_p − α) / n``, clipped to [0, 1]. This interpolates between the integer counts so the
    funnel is smooth.

    Examples
    --------
    >>> lo, hi = funnel_limits(0.5, 10)      # see tests for the hand computation
    >>> round(float(lo), 6), round(float(hi), 6)
    (0.132444, 0.767556)
    """
    if not 0 < level < 1:
        raise ParameterError(f"`level` must lie between 0 and 1, e.g. 0.95; not {level!r}.")
    p0 = np.asarray(p0, dtype="float64")
    n = np.asarray(n, dtype="float64")
    p0, n = np.broadcast_arrays(p0, n)
    ok = (n >= 1) & ~np.isnan(p0) & (p0 >= 0) & (p0 <= 1)
    nn = np.where(ok, np.round(n), 1.0)
    pp = np.where(ok, p0, 0.5)
    from scipy import stats  # here, not at import: scipy.stats takes 0.6 s to import

    out = []
    for p in ((1 - level) / 2, (1 + level) / 2):
        r = stats.binom.ppf(p, nn, pp)
        f_r = stats.binom.cdf(r, nn, pp)
        f_prev = stats.binom.cdf(r - 1, nn, pp)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(f_r > f_prev, (f_r - p) / (f_r - f_prev), 0.0)
        out.append(np.where(ok, np.clip((r - alpha) / nn, 0.0, 1.0), np.nan))
    return out[0], out[1]


def _flag(q, lo95, hi95, lo998, hi998) -> np.ndarray:
    q = np.asarray(q, dtype="float64")
    known = ~np.isnan(q) & ~np.isnan(lo95)
    return np.select(
        [~known, q > hi998, q > hi95, q < lo998, q < lo95],
        ["", "oberhalb 99,8 %", "oberhalb 95 %", "unterhalb 99,8 %", "unterhalb 95 %"],
        default="innerhalb",
    ).astype(object)


# ---------------------------------------------------------------------------------------------
# regions and groups
# ---------------------------------------------------------------------------------------------


def _check_regions(regions, func: str) -> pd.DataFrame:
    if not isinstance(regions, pd.DataFrame):
        raise ParameterError(
            f"{func}: `regions` must be the region table (a DataFrame with ags, name, level, "
            f"parent, kreistyp), not {type(regions).__name__}."
        )
    missing = [c for c in ("ags", "level") if c not in regions.columns]
    if missing:
        raise ParameterError(
            f"{func}: the region table lacks the column(s) {', '.join(map(repr, missing))}."
        )
    r = regions.copy()
    r["ags"] = r["ags"].astype(str)
    for col in ("name", "parent", "kreistyp"):
        if col not in r.columns:
            r[col] = None
    if "exists" in r.columns:
        r = r[r["exists"].fillna(True).astype(bool)]
    return r.drop_duplicates("ags").set_index("ags", drop=False)


def _land(ags: str) -> str:
    return "DG" if ags == "DG" else ags[:2]


def _known(ags, regions: pd.DataFrame, func: str) -> str:
    if not isinstance(ags, str):
        raise UnknownRegionError(f"{func}: `ags` must be a region key as text, e.g. '05111'; "
                                 f"not {ags!r}.")
    if ags not in regions.index:
        raise UnknownRegionError(
            f"Unknown AGS {ags!r}: not in the region table ({len(regions)} regions)."
        )
    return ags


def similar_regions(values: pd.DataFrame, ags: str, *, regions: pd.DataFrame,
                    context: Iterable[str], k: int = 10,
                    year: int | None = None) -> pd.DataFrame:
    """The ``k`` regions most similar to ``ags`` on context indicators.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table holding the context indicators.
    ags : str
        The Kommune.
    regions : DataFrame
        Region table; candidates are the regions of the same level as ``ags``.
    context : iterable of str
        Context indicator ids (e.g. SGB-II-Quote, Ausländeranteil, Bevölkerungsdichte).
    k : int, default 10
        Number of neighbours.
    year : int, optional
        Year of the context values. Default: the latest year in which ``ags`` has all of them.

    Returns
    -------
    DataFrame
        ``ags``, ``distance``, ``year``, sorted by distance (ties by ``ags``), ``k`` rows at most
        (fewer if fewer candidates have every context value); the Kommune itself not included.

    Notes
    -----
    For each context indicator the values of all candidates with every context value (and of
    ``ags``) in ``year`` are turned into z-scores ``(x − mean) / sd`` (population sd; an
    indicator with sd 0 is left out). The distance is the Euclidean distance of the z-score
    vectors, ``sqrt(Σ_i (z_i − z_i(ags))²)``, so every context indicator weighs the same.
    Breakdowns: only total rows (every breakdown column ``insgesamt`` or empty) are used.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": ["01001", "01002", "01003", "01004"], "year": 2020,
    ...                   "indicator": "A2.1", "value": [10.0, 11.0, 30.0, 12.5]})
    >>> reg = pd.DataFrame({"ags": v["ags"], "level": "kreis"})
    >>> similar_regions(v, "01001", regions=reg, context=["A2.1"], k=2)["ags"].tolist()
    ['01002', '01004']
    """
    dims = check_values_table(values, "similar_regions")
    reg = _check_regions(regions, "similar_regions")
    _known(ags, reg, "similar_regions")
    context = [str(c) for c in ([context] if isinstance(context, str) else context or [])]
    if not context:
        raise ParameterError("similar_regions: give at least one context indicator in `context`.")
    if not isinstance(k, int | np.integer) or k < 1:
        raise ParameterError(f"`k` must be a whole number ≥ 1; not {k!r}.")
    data = clean_values_table(values, dims)
    for d in dims:
        data = data[data[d].isin(["", "insgesamt"])]
    unknown = sorted(set(context) - set(data["indicator"]))
    if unknown:
        raise ParameterError(
            f"Context indicator(s) {', '.join(unknown)} not in the values; there are "
            f"{', '.join(sorted(set(data['indicator']))[:20])}."
        )
    data = data[data["indicator"].isin(context) & data["value"].notna()]
    level = reg.loc[ags, "level"]
    same = set(reg.index[reg["level"] == level])
    wide = data[data["ags"].isin(same)].pivot_table(
        index=["ags", "year"], columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=context).dropna()
    own_years = sorted(y for (a, y) in wide.index if a == ags)
    if year is None:
        if not own_years:
            raise ParameterError(
                f"similar_regions: AGS {ags!r} lacks a year with every context indicator "
                f"({', '.join(context)})."
            )
        year = own_years[-1]
    elif int(year) not in own_years:
        raise ParameterError(
            f"similar_regions: AGS {ags!r} lacks context values for {year}; years with all of "
            f"them: {', '.join(map(str, own_years)) or 'none'}."
        )
    x = wide.xs(int(year), level="year")
    sd = x.std(ddof=0)
    z = (x - x.mean()) / sd.where(sd > 0)
    z = z.loc[:, sd > 0]
    dist = np.sqrt(((z - z.loc[ags]) ** 2).sum(axis=1)).drop(ags)
    out = pd.DataFrame({"ags": dist.index.astype(str), "distance": dist.to_numpy()})
    out = out.sort_values(["distance", "ags"]).head(int(k)).reset_index(drop=True)
    out["year"] = int(year)
    return out


def group_members(ags: str, *, regions: pd.DataFrame, group="kreistyp", values=None,
                  context=None, k: int = 10, context_year=None) -> tuple[list[str], str]:
    """Members of a Vergleichsgruppe and a German description of how it was formed.

    Parameters
    ----------
    ags : str
        The Kommune (always a member).
    regions : DataFrame
        Region table (``ags``, ``level``, ``parent``, ``kreistyp``, optional ``exists``).
    group : {'kreistyp', 'land', 'all', 'similar'} or list of str, default 'kreistyp'
        See the module notes.
    values, context, k, context_year
        For ``group='similar'``: see :func:`similar_regions`.

    Returns
    -------
    (list of str, str)
        The member keys (sorted, ``ags`` included) and e.g. ``"gleicher Kreistyp
        (kreisfreie Stadt) in Land 05"``.

    Examples
    --------
    >>> reg = pd.DataFrame({"ags": ["05111", "05112", "05158", "06411"], "level": "kreis",
    ...                     "kreistyp": ["kreisfreie Stadt", "kreisfreie Stadt", "Landkreis",
    ...                                  "kreisfreie Stadt"]})
    >>> group_members("05111", regions=reg)[0]
    ['05111', '05112']
    >>> group_members("06411", regions=reg)  # alone in its Land: the type in Germany
    (['05111', '05112', '06411'], 'gleicher Kreistyp (kreisfreie Stadt) in Deutschland (in Land 06 der einzige)')
    """  # noqa: E501
    reg = _check_regions(regions, "group_members")
    _known(ags, reg, "group_members")
    me = reg.loc[ags]
    same_level = reg[reg["level"] == me["level"]]
    land = _land(ags)
    if isinstance(group, str):
        if group == "kreistyp":
            if pd.notna(me["kreistyp"]) and str(me["kreistyp"]):
                typ = same_level[same_level["kreistyp"] == me["kreistyp"]]
                sel = typ[typ["ags"].map(_land) == land]
                text = f"gleicher Kreistyp ({me['kreistyp']}) in Land {land}"
                if len(sel) <= 1:  # alone in its Land (Berlin, Hamburg): the type in Germany
                    sel = typ
                    text = (f"gleicher Kreistyp ({me['kreistyp']}) in Deutschland (in Land "
                            f"{land} der einzige)")
            else:
                sel = same_level[same_level["parent"] == me["parent"]]
                text = f"gleiche übergeordnete Region ({me['parent']})"
            members = set(sel.index)
        elif group == "land":
            members = set(same_level.index[same_level["ags"].map(_land) == land])
            text = f"alle Regionen derselben Ebene ({me['level']}) in Land {land}"
        elif group == "all":
            members = set(same_level.index)
            text = f"alle Regionen derselben Ebene ({me['level']})"
        elif group == "similar":
            if values is None or context is None:
                raise ParameterError(
                    "group='similar' needs `context` (context indicator ids) and the values."
                )
            near = similar_regions(values, ags, regions=regions, context=context, k=k,
                                   year=context_year)
            members = set(near["ags"])
            ctx = [context] if isinstance(context, str) else list(context)
            text = (f"die {len(members)} ähnlichsten Regionen nach {', '.join(ctx)} "
                    f"({int(near['year'].iloc[0]) if len(near) else context_year}; "
                    "standardisierte euklidische Distanz)")
        else:
            raise ParameterError(
                "`group` must be 'kreistyp', 'land', 'all', 'similar' or a list of AGS; "
                f"not {group!r}."
            )
    else:
        try:
            members = {str(a) for a in group}
        except TypeError:
            raise ParameterError(
                f"`group` must be 'kreistyp', 'land', 'all', 'similar' or a list of AGS; "
                f"not {group!r}."
            ) from None
        for a in sorted(members):
            _known(a, reg, "group")
        text = "vom Nutzer gewählte Regionen"
    members.add(ags)
    return sorted(members), text


# ---------------------------------------------------------------------------------------------
# table verbs
# ---------------------------------------------------------------------------------------------

#: Columns of :func:`compare` after ``ags, indicator, <breakdowns>``.
COMPARE_COLUMNS = (
    "year", "value", "land_value", "bund_value", "group_value", "group_method",
    "diff_land", "diff_bund", "diff_group", "diff_unit", "direction", "rank", "n_group",
    "percentile", "rank_rule", "funnel_base", "funnel_p0", "funnel_n", "lower_998", "lower_95",
    "upper_95", "upper_998", "funnel_flag", "group_definition",
)


def _select(data, ags, indicators, year, func):
    own = data[data["ags"] == ags]
    if own.empty:
        raise ParameterError(f"{func}: the values hold no rows for AGS {ags!r}.")
    have = sorted(set(own["indicator"]))
    if indicators is not None:
        wanted = [indicators] if isinstance(indicators, str) else [str(i) for i in indicators]
        missing = [i for i in wanted if i not in have]
        if missing:
            raise ParameterError(
                f"{func}: no values of indicator(s) {', '.join(missing)} for AGS {ags!r}; "
                f"there are {', '.join(have)}."
            )
        own = own[own["indicator"].isin(wanted)]
    if year is not None:
        years = [year] if isinstance(year, int | np.integer) else [int(y) for y in year]
        found = sorted(set(own["year"]))
        missing = [y for y in years if y not in found]
        if missing:
            raise ParameterError(
                f"{func}: no values for year(s) {', '.join(map(str, missing))} for AGS "
                f"{ags!r}; there are {', '.join(map(str, found))}."
            )
        own = own[own["year"].isin(years)]
    return own


def _members_frame(data, members, keys, scale_of, dir_of, land_frame, funnel_base,
                   funnel_for=None):
    """Every member's row with group value, rank, percentile and funnel limits.

    ``funnel_for``: an AGS; the funnel limits (exact binomial quantiles, the costly part for
    a group of hundreds of Kreise) are computed for its rows only, NaN for the others.
    """
    m = data[data["ags"].isin(members) & data["value"].notna()].copy()
    counts_ok = (m["numerator"].notna() & m["denominator"].notna() & (m["denominator"] > 0)
                 if "numerator" in m.columns and "denominator" in m.columns
                 else pd.Series(False, index=m.index))
    if "numerator" not in m.columns:
        m["numerator"] = np.nan
    if "denominator" not in m.columns:
        m["denominator"] = np.nan
    m["_ok"] = counts_ok
    g = m.groupby(keys, dropna=False).agg(
        n_group=("value", "size"), _num=("numerator", "sum"), _den=("denominator", "sum"),
        _all=("_ok", "all"), _mean=("value", "mean")).reset_index()
    g["_scale"] = g["indicator"].map(scale_of).astype("float64")
    pooled = g["_all"] & g["_scale"].notna() & (g["_den"] > 0)
    g["group_value"] = np.where(pooled, g["_scale"] * g["_num"] / g["_den"].where(pooled),
                                g["_mean"])
    g["group_method"] = np.where(pooled, "gepoolt (Summe Zähler / Summe Nenner)",
                                 "Mittelwert der Werte")
    g["_p_group"] = np.where(pooled, g["_num"] / g["_den"].where(g["_den"] > 0), np.nan)
    m = m.merge(g[[*keys, "n_group", "group_value", "group_method", "_p_group", "_scale"]],
                on=keys, how="left")
    direction = m["indicator"].map(lambda i: dir_of.get(i, 0)).fillna(0).astype("float64")
    m["direction"] = direction.astype("int64")
    score = m["value"] * np.where(direction == 0, 1.0, direction)
    m["_score"] = score
    m["rank"] = m.groupby(keys, dropna=False)["_score"].rank(method="min", ascending=False)
    # weak percentile: share of members at most as good as this one (itself included)
    m["_le"] = m.groupby(keys, dropna=False)["_score"].rank(method="max", ascending=True)
    m["percentile"] = 100.0 * m["_le"] / m["n_group"]
    # funnel: binomial limits for proportions (0 ≤ numerator ≤ denominator, whole counts)
    if funnel_base == "land":
        lf = land_frame[[*keys, "_p_land"]]
        m = m.merge(lf, on=keys, how="left")
        p0 = m["_p_land"]
    else:
        p0 = m["_p_group"]
    n = m["denominator"]
    whole = (n - n.round()).abs() < 1e-9
    share = m["_ok"] & whole & (m["numerator"] >= 0) & (m["numerator"] <= n)
    if funnel_for is not None:
        share = share & (m["ags"] == funnel_for)
    p0 = p0.where(share)
    lo95, hi95 = (np.full(len(m), np.nan) for _ in range(2))
    lo998, hi998 = (np.full(len(m), np.nan) for _ in range(2))
    at = np.flatnonzero(share.to_numpy())
    if len(at):
        p_at = p0.to_numpy(dtype="float64", na_value=np.nan)[at]
        n_at = n.to_numpy(dtype="float64", na_value=np.nan)[at]
        lo95[at], hi95[at] = funnel_limits(p_at, n_at, level=0.95)
        lo998[at], hi998[at] = funnel_limits(p_at, n_at, level=0.998)
    scale = m["_scale"].to_numpy()
    m["funnel_base"] = "Land" if funnel_base == "land" else "Vergleichsgruppe"
    m["funnel_p0"] = p0.to_numpy() * scale
    m["funnel_n"] = n.where(share)
    for col, lim in (("lower_998", lo998), ("lower_95", lo95), ("upper_95", hi95),
                     ("upper_998", hi998)):
        m[col] = lim * scale
    q = (m["numerator"] / n).where(share)
    m["funnel_flag"] = _flag(q, lo95, hi95, lo998, hi998)
    return m


def _land_bund(data, keys, ags, scale_of):
    land = data[data["ags"] == _land(ags)][[*keys, "value", "numerator", "denominator"]]
    land = land.rename(columns={"value": "land_value"})
    scale = land["indicator"].map(scale_of).astype("float64")
    ok = land["numerator"].notna() & (land["denominator"] > 0)
    land["_p_land"] = np.where(ok, land["numerator"] / land["denominator"].where(ok),
                               land["land_value"] / scale)
    bund = data[data["ags"] == "DG"][[*keys, "value"]].rename(columns={"value": "bund_value"})
    return land[[*keys, "land_value", "_p_land"]], bund


def _rank_rule(direction: int) -> str:
    if direction == 1:
        return "Rang 1 = höchster Wert (höher ist besser)"
    if direction == -1:
        return "Rang 1 = niedrigster Wert (niedriger ist besser)"
    return "Rang 1 = höchster Wert (Richtung neutral: nur Reihenfolge, keine Wertung)"


def _diff_unit(unit: str) -> str:
    u = str(unit or "").strip()
    return "Prozentpunkte" if u.lower() in _SHARE_UNITS else u


def _setup(values, regions, func):
    dims = check_values_table(values, func)
    data = clean_values_table(values, dims)
    for col in ("numerator", "denominator"):
        if col not in data.columns:
            data[col] = np.nan
    reg = _check_regions(regions, func)
    return dims, data, reg


def compare(
    values: pd.DataFrame,
    ags: str,
    *,
    regions: pd.DataFrame,
    group="kreistyp",
    indicators=None,
    year=None,
    direction=None,
    units=None,
    context=None,
    k: int = 10,
    context_year: int | None = None,
    funnel_base: str = "group",
) -> pd.DataFrame:
    """One Kommune beside its Land, Deutschland and a Vergleichsgruppe.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table for all regions (``ags, year, indicator, <breakdowns>,
        numerator, denominator, value, …``); Land rows (2-digit ``ags``) and ``DG`` give the
        Land and Bund values.
    ags : str
        The Kommune.
    regions : DataFrame
        Region table (``ags, name, level, parent, kreistyp``, optional ``exists``).
    group : {'kreistyp', 'land', 'all', 'similar'} or list of AGS, default 'kreistyp'
        Vergleichsgruppe (see the module notes and :func:`group_members`).
    indicators : str or list of str, optional
        Default: every indicator with values for ``ags``.
    year : int or list of int, optional
        Default: every year with values for ``ags``.
    direction : mapping, Series or table (``indicator``/``id`` and ``direction``), optional
        +1 higher is better, −1 lower is better, 0 neutral (default for unknown indicators).
    units : mapping, Series or table (``indicator``/``id`` and ``unit``), optional
        Unit per indicator; differences of ``%`` indicators are Prozentpunkte.
    context, k, context_year
        For ``group='similar'`` (see :func:`similar_regions`).
    funnel_base : {'group', 'land'}, default 'group'
        Reference proportion of the funnel limits: the group's pooled share or the Land's.

    Returns
    -------
    DataFrame
        One row per ``indicator, <breakdowns>, year`` of the Kommune:

        - ``ags``, ``indicator``, breakdown columns, ``year``, ``value``
        - ``land_value``, ``bund_value``: the Land's and Deutschland's values (NaN if absent)
        - ``group_value``: pooled group value (Σ numerator / Σ denominator · scale), or the
          mean of the members' values where counts are missing; ``group_method`` says which
        - ``diff_land``, ``diff_bund``, ``diff_group``: value − reference; ``diff_unit``
          (``Prozentpunkte`` for % indicators, else the unit, '' if unknown)
        - ``direction``, ``rank`` (1 = best; ties share the best rank), ``n_group`` (members
          with a value, the Kommune included), ``percentile`` (share of members at most as good,
          itself included: 100 = best), ``rank_rule`` (German)
        - ``funnel_base``, ``funnel_p0`` (reference value), ``funnel_n`` (the Kommune's
          denominator), ``lower_998``, ``lower_95``, ``upper_95``, ``upper_998`` (limits in the
          indicator's unit), ``funnel_flag`` (``innerhalb``, ``oberhalb 95 %``,
          ``oberhalb 99,8 %``, ``unterhalb 95 %``, ``unterhalb 99,8 %``; '' where the
          indicator is not a proportion of counts)
        - ``group_definition``: how the group was formed, in German

    Raises
    ------
    UnknownRegionError
        ``ags`` (or a group member) is not in the region table.
    ParameterError
        Indicator or year without values for ``ags`` (the message lists those there are).

    Notes
    -----
    Funnel limits: exact binomial around ``p0`` for the Kommune's denominator, interpolated
    after Spiegelhalter (2005); see :func:`funnel_limits`. A Kommune inside the 95 % limits
    does not differ from the reference beyond chance, whatever its rank.

    Examples
    --------
    >>> reg = pd.DataFrame({"ags": ["DG", "05", "05111", "05112", "05113"],
    ...                     "level": ["bund", "land", "kreis", "kreis", "kreis"],
    ...                     "kreistyp": [None, None] + ["kreisfreie Stadt"] * 3})
    >>> v = pd.DataFrame({"ags": ["DG", "05", "05111", "05112", "05113"], "year": 2020,
    ...                   "indicator": "D3.1", "numerator": [5e4, 1e4, 10, 30, 5],
    ...                   "denominator": [8e5, 2e5, 100, 200, 100]})
    >>> v["value"] = 100 * v["numerator"] / v["denominator"]
    >>> r = compare(v, "05111", regions=reg, direction={"D3.1": -1}, units={"D3.1": "%"})
    >>> r[["value", "group_value", "diff_group", "rank"]].to_dict("records")
    [{'value': 10.0, 'group_value': 11.25, 'diff_group': -1.25, 'rank': 2}]
    >>> r["diff_unit"].iloc[0]
    'Prozentpunkte'
    """
    dims, data, reg = _setup(values, regions, "compare")
    _known(ags, reg, "compare")
    if funnel_base not in ("group", "land"):
        raise ParameterError(f"`funnel_base` must be 'group' or 'land'; not {funnel_base!r}.")
    own = _select(data, ags, indicators, year, "compare")
    members, text = group_members(ags, regions=regions, group=group, values=values,
                                  context=context, k=k, context_year=context_year)
    keys = ["indicator", *dims, "year"]
    scale_of = infer_scales(data)
    dir_of = {i: int(d) for i, d in per_indicator(direction, "direction", column="direction")
              .items() if pd.notna(d)}
    unit_of = per_indicator(units, "units", column="unit")
    land, bund = _land_bund(data, keys, ags, scale_of)
    sub = data.merge(own[keys].drop_duplicates(), on=keys, how="inner")
    m = _members_frame(sub, members, keys, scale_of, dir_of, land, funnel_base,
                       funnel_for=ags)
    me = own[["ags", *keys, "value"]].merge(
        m[m["ags"] == ags].drop(columns=["ags", "value"]), on=keys, how="left")
    me = me.merge(land[[*keys, "land_value"]], on=keys, how="left")
    me = me.merge(bund, on=keys, how="left")
    if me["direction"].isna().any():  # the Kommune's value is missing: no rank, no group row
        fill = me["indicator"].map(lambda i: dir_of.get(i, 0)).astype("int64")
        me["direction"] = me["direction"].fillna(fill)
        gv = m.drop_duplicates(keys)[[*keys, "group_value", "group_method", "n_group"]]
        me = me.drop(columns=["group_value", "group_method", "n_group"]).merge(
            gv, on=keys, how="left")
    me["diff_land"] = me["value"] - me["land_value"]
    me["diff_bund"] = me["value"] - me["bund_value"]
    me["diff_group"] = me["value"] - me["group_value"]
    me["diff_unit"] = me["indicator"].map(lambda i: _diff_unit(unit_of.get(i, "")))
    me["direction"] = me["direction"].astype("int64")
    me["rank_rule"] = me["direction"].map(_rank_rule)
    me["rank"] = me["rank"].astype("Int64")
    me["n_group"] = me["n_group"].fillna(0).astype("int64")
    me["funnel_flag"] = me["funnel_flag"].fillna("")
    me["funnel_base"] = "Land" if funnel_base == "land" else "Vergleichsgruppe"
    me["group_method"] = me["group_method"].fillna("")
    me["group_definition"] = f"{text}; {len(members)} Regionen"
    cols = ["ags", "indicator", *dims, *COMPARE_COLUMNS]
    return me[cols].sort_values(["indicator", *dims, "year"]).reset_index(drop=True)


def funnel_table(
    values: pd.DataFrame,
    *,
    indicator: str,
    year: int,
    regions: pd.DataFrame,
    ags: str | None = None,
    group=None,
    context=None,
    k: int = 10,
    context_year: int | None = None,
    base: str = "group",
) -> pd.DataFrame:
    """Every group member's count, value and funnel limits, for a funnel plot.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table.
    indicator : str
    year : int
    regions : DataFrame
        Region table.
    ags : str, optional
        The Kommune in focus (``is_focus``); needed for the groups 'kreistyp', 'land',
        'similar'.
    group : {'kreistyp', 'land', 'all', 'similar'} or list of AGS, optional
        Default: 'kreistyp' with ``ags``, else every region of level ``kreis``.
    context, k, context_year
        For ``group='similar'``.
    base : {'group', 'land'}, default 'group'
        Reference proportion: pooled group share or the Land's share (Land of ``ags``).

    Returns
    -------
    DataFrame
        One row per member with a value (and breakdown): ``ags``, ``name``, ``indicator``,
        breakdown columns, ``year``, ``numerator``, ``denominator``, ``value``,
        ``group_value``, ``funnel_p0``, ``lower_998``, ``lower_95``, ``upper_95``,
        ``upper_998`` (at the member's own denominator), ``funnel_flag``, ``is_focus``.
        Sorted by denominator. Limits for any ``n`` (the curves): :func:`funnel_limits`.

    Examples
    --------
    >>> reg = pd.DataFrame({"ags": ["05111", "05112", "05113"], "level": "kreis"})
    >>> v = pd.DataFrame({"ags": ["05111", "05112", "05113"], "year": 2020,
    ...                   "indicator": "D3.1", "numerator": [10, 30, 5],
    ...                   "denominator": [100, 200, 100], "value": [10.0, 15.0, 5.0]})
    >>> funnel_table(v, indicator="D3.1", year=2020, regions=reg)["funnel_flag"].tolist()
    ['innerhalb', 'innerhalb', 'innerhalb']
    """
    dims, data, reg = _setup(values, regions, "funnel_table")
    if base not in ("group", "land"):
        raise ParameterError(f"`base` must be 'group' or 'land'; not {base!r}.")
    have = sorted(set(data["indicator"]))
    if str(indicator) not in have:
        raise ParameterError(
            f"funnel_table: indicator {indicator!r} not in the values; there are "
            f"{', '.join(have)}."
        )
    sub = data[data["indicator"] == str(indicator)]
    years = sorted(set(sub["year"]))
    if int(year) not in years:
        raise ParameterError(
            f"funnel_table: no values of {indicator!r} for {year}; there are "
            f"{', '.join(map(str, years))}."
        )
    sub = sub[sub["year"] == int(year)]
    if ags is not None:
        _known(ags, reg, "funnel_table")
        members, _ = group_members(ags, regions=regions, group=group or "kreistyp",
                                   values=values, context=context, k=k,
                                   context_year=context_year)
    elif group is None or (isinstance(group, str) and group == "all"):
        members = sorted(reg.index[reg["level"] == "kreis"])
    elif isinstance(group, str):
        raise ParameterError(f"funnel_table: group={group!r} needs `ags` (the Kommune).")
    else:
        members = sorted({str(a) for a in group})
        for a in members:
            _known(a, reg, "funnel_table")
    if base == "land" and ags is None:
        raise ParameterError("funnel_table: base='land' needs `ags` (whose Land).")
    keys = ["indicator", *dims, "year"]
    scale_of = infer_scales(data)
    land, _ = _land_bund(sub, keys, ags or "DG", scale_of)
    m = _members_frame(sub, members, keys, scale_of, {}, land, base)
    m["name"] = m["ags"].map(reg["name"])
    m["is_focus"] = m["ags"] == (ags or "")
    cols = ["ags", "name", "indicator", *dims, "year", "numerator", "denominator", "value",
            "group_value", "funnel_p0", "lower_998", "lower_95", "upper_95", "upper_998",
            "funnel_flag", "is_focus"]
    return m[cols].sort_values(["denominator", "ags"]).reset_index(drop=True)


def _ids(series: pd.Series) -> list[str]:
    return sorted(set(series.astype(str)), key=lambda i: [
        (0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", i)])


def _id_list(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " und " + ids[-1]


def describe_method(result: pd.DataFrame) -> str:
    """German Methodik note for a :func:`compare` result.

    It says how the Vergleichsgruppe's value was built, and for which indicators: the summed
    numerators over the summed denominators of the members (where every member has both and
    the indicator has a scale), otherwise the unweighted mean of the members' values
    (``group_method`` of each row).

    Examples
    --------
    >>> reg = pd.DataFrame({"ags": ["05111", "05112"], "level": "kreis",
    ...                     "kreistyp": "kreisfreie Stadt"})
    >>> v = pd.DataFrame({"ags": ["05111", "05112"], "year": 2020, "indicator": "X",
    ...                   "value": [1.0, 2.0]})
    >>> text = describe_method(compare(v, "05111", regions=reg))
    >>> print(text.split(". ")[0])
    Vergleichsgruppe: gleicher Kreistyp (kreisfreie Stadt) in Land 05; 2 Regionen
    >>> print(text.split(". ")[1][:72])
    Der Wert der Vergleichsgruppe ist der ungewichtete Mittelwert der Werte
    """
    if not isinstance(result, pd.DataFrame) or "group_definition" not in result.columns:
        raise ParameterError("describe_method expects the table that bk.compare returned.")
    definition = str(result["group_definition"].iloc[0]) if len(result) else ""
    base = str(result["funnel_base"].iloc[0]) if len(result) else "Vergleichsgruppe"
    method = result["group_method"].astype(str)
    pooled_rows = method.str.startswith("gepoolt")
    mean_rows = method.str.startswith("Mittelwert")
    pooled_ids = _ids(result.loc[pooled_rows, "indicator"])
    mean_ids = _ids(result.loc[mean_rows, "indicator"])
    summed = ("die Summe der Zähler aller Mitglieder geteilt durch die Summe ihrer Nenner (so "
              "zählt jedes Mitglied nach seiner Größe)")
    averaged = ("der ungewichtete Mittelwert der Werte der Mitglieder (jedes Mitglied zählt "
                "gleich)")
    why = ("wo nicht für jedes Mitglied Zähler und Nenner vorliegen oder der Indikator keine "
           "Quote ist")
    if pooled_ids and not mean_ids:
        how = f"Der Wert der Vergleichsgruppe ist {summed}; so bei allen Indikatoren hier."
    elif mean_ids and not pooled_ids:
        how = (f"Der Wert der Vergleichsgruppe ist {averaged}, weil nicht für jedes Mitglied "
               "Zähler und Nenner vorliegen oder der Indikator keine Quote ist; so bei allen "
               "Indikatoren hier.")
    elif pooled_ids:
        both = set(pooled_ids) & set(mean_ids)
        years = (" (in einzelnen Jahren: " + ", ".join(i for i in mean_ids if i in both) + ")"
                 if both else "")
        how = (f"Der Wert der Vergleichsgruppe ist {summed}, wo für jedes Mitglied Zähler und "
               f"Nenner vorliegen; {why}, ist er {averaged}. Summiert wurde bei "
               f"{_id_list(pooled_ids)}, gemittelt bei {_id_list(mean_ids)}{years}.")
    else:
        how = "Für die Vergleichsgruppe liegen keine Werte vor."
    text = (
        f"Vergleichsgruppe: {definition}. {how} Differenzen bei Anteilen in Prozentpunkten. "
        "Rang 1 ist der beste Wert nach der "
        "Richtung des Indikators (bei neutraler Richtung der höchste Wert); das Perzentil gibt "
        "den Anteil der Gruppe an, der höchstens so gut abschneidet. Trichtergrenzen "
        f"(Funnel-Plot): exakte Binomialgrenzen (95 % und 99,8 %) um den Anteil der {base} "
        "für die Bezugsgröße (den Nenner) der Kommune, interpoliert nach Spiegelhalter (2005). "
        "Liegt ein Wert innerhalb der 95-%-Grenzen, ist der Unterschied zur Referenz mit Zufall "
        "vereinbar."
    )
    return text
