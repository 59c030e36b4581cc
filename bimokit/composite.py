"""Composite indices, their sensitivity, and the Sozialindex.

* :func:`composite_index` (``bk.composite_index``): normalise chosen indicators
  (:func:`bimokit.normalization.normalize`) and aggregate them per unit and year, arithmetically or
  geometrically, with weights and a minimum data availability;
* :func:`sensitivity`: recompute the index under alternative normalisations and random weight
  perturbations and report each unit's rank range (COINr / OECD-JRC uncertainty analysis);
* :func:`sozialindex` (``bk.sozialindex``): a social-need index for Sozialräume (or schools):
  z-scores of chosen context indicators, weighted mean, re-standardised, classes 1–5.

Primitives (Series in, Series out): :func:`weighted_mean`, :func:`weighted_geometric_mean`
work on a wide unit × indicator frame row-wise; :func:`sd_classes`, :func:`quantile_classes`
classify one Series.

How the Sozialindex compares to those in use
--------------------------------------------
*Berlin, Monitoring Soziale Stadtentwicklung (MSS)*: a few status indicators per Planungsraum
(unemployment, transfer receipt, child poverty and the like) are z-standardised, combined and
grouped into a small number of status groups by standard-deviation bands; a second index
describes the dynamics (change over two years). :func:`sozialindex` with ``class_method="sd"``
reproduces the status part of this scheme (choose ``classes=4`` for four groups).
*NRW, schulscharfer Sozialindex*: per school, from pupil-level data (child poverty by SGB II
receipt, non-German family language, immigration from abroad, special educational needs),
weighted by how strongly they predict achievement, published as levels 1–9. Its weights come
from a regression that a Kommune cannot rerun; :func:`sozialindex` takes the weights as
given (``weights=``) and classes by quantiles or sd bands, so it reproduces the *kind* of index,
not the NRW figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd

from . import normalization as _nz
from ._schema import VALUE_FIXED_COLUMNS
from .errors import ParameterError
from .fmt import fmt_number
from .normalization import one_of

__all__ = [
    "AGGREGATIONS",
    "CLASS_METHODS",
    "weighted_mean",
    "weighted_geometric_mean",
    "sd_classes",
    "quantile_classes",
    "composite_index",
    "sensitivity",
    "sozialindex",
    "index_coverage",
]

#: Numbers in Methodik sentences: German, trailing zeros dropped (``2,5``, ``5``).
_num = partial(fmt_number, trim=True)

#: Names accepted by ``aggregation``.
AGGREGATIONS = ("arithmetic", "geometric")
#: Names accepted by ``class_method``.
CLASS_METHODS = ("sd", "quantile")

_SOZIAL_LABELS = {
    5: ("sehr niedrig", "niedrig", "mittel", "hoch", "sehr hoch"),
    4: ("niedrig", "eher niedrig", "eher hoch", "hoch"),
    3: ("niedrig", "mittel", "hoch"),
}


# --------------------------------------------------------------------------------------------
# primitives


def _weights_vector(wide: pd.DataFrame, weights) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=wide.columns)
    w = pd.Series({c: float(weights.get(c, np.nan)) for c in wide.columns})
    return w


def weighted_mean(wide: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """Row-wise weighted arithmetic mean over the available (non-NaN) columns.

    Weights are re-scaled over the indicators a unit has: ``sum(w_i x_i) / sum(w_i)``.

    Examples
    --------
    >>> w = pd.DataFrame({"a": [10.0, 20.0], "b": [30.0, None]})
    >>> weighted_mean(w, {"a": 1, "b": 3}).tolist()
    [25.0, 20.0]
    """
    w = _weights_vector(wide, weights)
    present = wide.notna()
    num = (wide.fillna(0.0) * w).sum(axis=1)
    den = (present * w).sum(axis=1)
    return (num / den).where(den > 0)


def weighted_geometric_mean(
    wide: pd.DataFrame, weights: Mapping[str, float] | None = None
) -> pd.Series:
    """Row-wise weighted geometric mean ``exp(sum(w_i ln x_i) / sum(w_i))``; needs x > 0.

    Examples
    --------
    >>> w = pd.DataFrame({"a": [1.0, 4.0], "b": [100.0, 16.0]})
    >>> weighted_geometric_mean(w).round(6).tolist()
    [10.0, 8.0]
    """
    if (wide <= 0).any().any():
        raise ParameterError(
            "Geometric aggregation needs positive normalised values; normalise with "
            "method='minmax' and lower=1 (1 to 100) or use aggregation='arithmetic'."
        )
    w = _weights_vector(wide, weights)
    present = wide.notna()
    num = (np.log(wide).fillna(0.0) * w).sum(axis=1)
    den = (present * w).sum(axis=1)
    return np.exp(num / den).where(den > 0)


def sd_classes(x: pd.Series, *, classes: int = 5) -> pd.Series:
    """Classes 1 … k by standard-deviation bands of a z-standardised Series.

    The k − 1 limits are ``j - k/2`` for ``j = 1 … k-1`` (k = 5: −1,5; −0,5; 0,5; 1,5 sd;
    k = 4: −1; 0; 1). A value on a limit belongs to the higher class.

    Examples
    --------
    >>> sd_classes(pd.Series([-2.0, -1.0, 0.0, 0.5, 1.6, None])).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, nan]
    """
    limits = _sd_limits(classes)
    c = np.searchsorted(limits, x.to_numpy(dtype=float), side="right") + 1.0
    return pd.Series(np.where(x.isna(), np.nan, c), index=x.index)


def _sd_limits(classes: int) -> np.ndarray:
    if not isinstance(classes, int | np.integer) or classes < 2:
        raise ParameterError(f"`classes` must be a whole number of at least 2; not {classes!r}.")
    return np.arange(1, classes) - classes / 2.0


def quantile_classes(x: pd.Series, *, classes: int = 5) -> pd.Series:
    """Classes 1 … k of (about) equal size by rank: ``1 + floor(k (rank − 1) / n)``.

    Ties share the average rank and hence the class; invariant under increasing rescaling.

    Examples
    --------
    >>> quantile_classes(pd.Series([5.0, 1, 9, 3, 7, 2, 8, 4, 6, 10]), classes=5).tolist()
    [3.0, 1.0, 5.0, 2.0, 4.0, 1.0, 4.0, 2.0, 3.0, 5.0]
    """
    _sd_limits(classes)
    r = x.rank(method="average")
    n = int(x.notna().sum())
    c = np.floor(classes * (r - 1.0) / max(n, 1)) + 1.0
    return c.clip(upper=classes)


# --------------------------------------------------------------------------------------------
# composite index


def _select(values: pd.DataFrame, indicators, year) -> tuple[pd.DataFrame, list[str]]:
    for c in ("ags", "year", "indicator", "value"):
        if c not in values.columns:
            raise ParameterError(
                f"The values table lacks the column {c!r}; expected the indicator-values table "
                "(ags, year, indicator, value, …)."
            )
    have = list(dict.fromkeys(values["indicator"].astype(str)))
    if indicators is None:
        indicators = have
    indicators = [str(i) for i in indicators]
    if not indicators:
        raise ParameterError("`indicators` is empty: name at least one indicator.")
    missing = [i for i in indicators if i not in have]
    if missing:
        raise ParameterError(
            f"Indicator(s) {', '.join(map(repr, missing))} not in the values table; it has "
            f"{', '.join(map(repr, have[:12]))}{' …' if len(have) > 12 else ''}."
        )
    sel = values[values["indicator"].astype(str).isin(indicators)]
    if year is not None:
        years = [year] if np.isscalar(year) else list(year)
        sel = sel[sel["year"].isin(years)]
        if sel.empty:
            raise ParameterError(f"No values for year {year!r} and the chosen indicators.")
    dims = [c for c in sel.columns if c not in VALUE_FIXED_COLUMNS]
    for d in dims:
        if sel[d].nunique(dropna=False) > 1:
            raise ParameterError(
                f"The values table has several values of the dimension {d!r}; select one "
                f"(e.g. values[values[{d!r}] == 'insgesamt']) before building an index."
            )
    return sel, indicators


def _check_weights(weights, indicators) -> dict[str, float]:
    if weights is None:
        return {i: 1.0 / len(indicators) for i in indicators}
    if not isinstance(weights, Mapping):
        raise ParameterError("`weights` must be a mapping indicator → weight, or None.")
    missing = [i for i in indicators if i not in weights]
    if missing:
        raise ParameterError(f"`weights` has no weight for {', '.join(map(repr, missing))}.")
    w = {i: float(weights[i]) for i in indicators}
    if any(not np.isfinite(v) or v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ParameterError("`weights` must be non-negative numbers with a positive sum.")
    s = sum(w.values())
    return {i: v / s for i, v in w.items()}


def _aggregate(norm: pd.DataFrame, indicators, w, aggregation, min_availability):
    # numpy version of pivot + weighted_mean / weighted_geometric_mean (same formulas)
    ags = norm["ags"].astype(str).to_numpy()
    year = norm["year"].to_numpy()
    key = pd.Series(ags, dtype=object) + "\x1f" + pd.Series(year).astype(str).to_numpy()
    cu, uniq = pd.factorize(key)
    ci = pd.Index(indicators).get_indexer(norm["indicator"].astype(str))
    first = pd.Series(np.arange(len(cu))).groupby(cu).first().to_numpy()
    m = np.full((len(uniq), len(indicators)), np.nan)
    ok_rows = ci >= 0
    m[cu[ok_rows], ci[ok_rows]] = pd.to_numeric(norm["normalized"], errors="coerce").to_numpy(
        dtype=float)[ok_rows]
    wv = np.array([w[i] for i in indicators], dtype=float)
    present = ~np.isnan(m)
    den = (present * wv).sum(axis=1)
    if aggregation == "geometric":
        if (m[present] <= 0).any():
            raise ParameterError(
                "Geometric aggregation needs positive normalised values; normalise with "
                "method='minmax' and lower=1 (1 to 100) or use aggregation='arithmetic'."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            idx = np.exp(np.where(present, np.log(np.where(present, m, 1.0)), 0.0) @ wv / den)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            idx = np.where(present, m, 0.0) @ wv / den
    n_av = present.sum(axis=1)
    avail = n_av / len(indicators)
    ok = (avail >= min_availability - 1e-12) & (den > 0)
    return pd.DataFrame({
        "ags": ags[first],
        "year": year[first],
        "index": np.where(ok, idx, np.nan),
        "n_indicators": len(indicators),
        "n_available": n_av.astype("int64"),
        "data_availability": avail,
        "note": np.where(ok, "", f"zu wenige Indikatoren (< {_num(min_availability * 100, 2)} %)"),
    })


def _rank_desc(s: pd.Series) -> pd.Series:
    return s.rank(method="min", ascending=False)


def composite_index(
    values: pd.DataFrame,
    *,
    indicators: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    normalization: str | None = "minmax",
    aggregation: str = "arithmetic",
    direction="catalogue",
    min_availability: float = 0.5,
    year=None,
    **normalize_options,
) -> pd.DataFrame:
    """Composite index per unit and year from chosen indicators.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table (``ags, year, indicator, value``; one value per unit, year and
        indicator: select dimension totals first).
    indicators : sequence of str, optional
        Indicators to combine (default: all in the table).
    weights : mapping, optional
        Indicator → weight (non-negative); re-scaled to sum 1. Default: equal weights.
    normalization : str or None
        A method of :func:`bimokit.normalization.normalize` (default ``"minmax"``), or None when
        ``value`` is already normalised (higher = better).
    aggregation : {"arithmetic", "geometric"}
        Weighted arithmetic mean, or weighted geometric mean (needs positive normalised values,
        e.g. ``normalization="minmax", lower=1``; otherwise a :class:`ParameterError`).
    direction : "catalogue", int, mapping or DataFrame
        Direction per indicator (default from the catalogue), see
        :func:`bimokit.normalization.normalize`.
    min_availability : float
        Minimum share of the indicators a unit must have (0–1, default 0,5); below it the
        index is NaN and ``note`` says why.
    year : int or list, optional
        Restrict to these years.
    **normalize_options
        Passed to :func:`bimokit.normalization.normalize` (``lower``, ``upper``,
        ``treat_outliers``…).

    Returns
    -------
    DataFrame
        One row per unit and year, columns:

        * ``ags``, ``year``;
        * ``index``: the composite index (NaN below ``min_availability``);
        * ``rank``: 1 = highest index within the year (ties share the best rank);
        * ``n_indicators``: number of indicators in the index;
        * ``n_available``: indicators the unit has;
        * ``data_availability``: ``n_available / n_indicators``;
        * ``normalization``, ``aggregation``: the methods used;
        * ``note``: German note where the index is missing, else ``""``.

        ``result.attrs["weights"]`` holds the weights (summing to 1),
        ``result.attrs["methodik"]`` the German Methodik sentence.

    Notes
    -----
    Arithmetic: ``I_u = sum_i w_i y_ui / sum_{i available} w_i``; geometric:
    ``I_u = exp(sum_i w_i ln y_ui / sum_{i available} w_i)``, with ``y`` the normalised values.
    Missing indicators are left out and the weights re-scaled over the rest.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": ["01", "02", "03"] * 2, "year": 2024,
    ...                   "indicator": ["a"] * 3 + ["b"] * 3,
    ...                   "value": [1.0, 2.0, 3.0, 30.0, 10.0, 20.0]})
    >>> r = composite_index(v, direction=1)
    >>> r[["ags", "index", "rank"]].values.tolist()
    [['01', 50.0, 2.0], ['02', 25.0, 3.0], ['03', 75.0, 1.0]]
    """
    one_of("aggregation", aggregation, AGGREGATIONS)
    if normalization is not None:
        one_of("normalization", normalization, _nz.METHODS)
    if not 0 <= min_availability <= 1:
        raise ParameterError(f"`min_availability` must be between 0 and 1; not {min_availability}.")
    sel, indicators = _select(values, indicators, year)
    w = _check_weights(weights, indicators)
    if normalization is not None:
        direction = _nz.resolve_direction(direction, indicators)
    if normalization is None:
        norm = sel.assign(normalized=pd.to_numeric(sel["value"], errors="coerce"))
    else:
        norm = _nz.normalize(sel, normalization, direction=direction, **normalize_options)
    out = _aggregate(norm, indicators, w, aggregation, min_availability)
    out["rank"] = out.groupby("year")["index"].transform(_rank_desc)
    out["normalization"] = normalization if normalization is not None else "none"
    out["aggregation"] = aggregation
    out = out[["ags", "year", "index", "rank", "n_indicators", "n_available",
               "data_availability", "normalization", "aggregation", "note"]]
    out.attrs["weights"] = w
    out.attrs["methodik"] = describe_method(
        "composite", weights=w, normalization=normalization, aggregation=aggregation,
        min_availability=min_availability,
    )
    return out


def sensitivity(
    values: pd.DataFrame,
    *,
    indicators: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    normalizations: Sequence[str] = ("minmax", "zscore", "percentile_rank"),
    aggregation: str = "arithmetic",
    n_draws: int = 50,
    perturbation: float = 0.25,
    seed: int = 1,
    direction="catalogue",
    min_availability: float = 0.5,
    year=None,
    nominal: str = "minmax",
) -> pd.DataFrame:
    """Rank ranges of every unit under alternative normalisations and weights.

    Parameters
    ----------
    values, indicators, weights, aggregation, direction, min_availability, year
        As in :func:`composite_index`.
    normalizations : sequence of str
        Normalisation methods to try.
    n_draws : int
        Random weight draws per normalisation (plus the nominal weights).
    perturbation : float
        Each weight is multiplied by a factor drawn uniformly from ``[1 - p, 1 + p]``.
    seed : int
        Seed of the random draws (results are reproducible).
    nominal : str
        The normalisation of the nominal index.

    Returns
    -------
    DataFrame
        One row per unit and year, columns: ``ags``, ``year``, ``nominal_index``,
        ``nominal_rank`` (1 = highest), ``min_rank``, ``median_rank``, ``max_rank``,
        ``rank_range`` (max − min), ``n_scenarios`` (scenarios in which the unit had an index).

    Notes
    -----
    Scenarios: every method in ``normalizations`` × (nominal weights and ``n_draws`` perturbed
    weight vectors), plus the nominal index; the nominal rank is always inside the range.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": ["01", "02", "03"] * 2, "year": 2024,
    ...                   "indicator": ["a"] * 3 + ["b"] * 3,
    ...                   "value": [1.0, 2.0, 3.0, 30.0, 10.0, 20.0]})
    >>> s = sensitivity(v, n_draws=5, direction=1)
    >>> s[["ags", "nominal_rank", "min_rank", "max_rank"]].values.tolist()
    [['01', 2.0, 2.0, 2.0], ['02', 3.0, 3.0, 3.0], ['03', 1.0, 1.0, 1.0]]
    """
    one_of("aggregation", aggregation, AGGREGATIONS)
    for m in [*normalizations, nominal]:
        one_of("normalizations", m, _nz.METHODS)
    if not 0 <= perturbation < 1:
        raise ParameterError(f"`perturbation` must be in [0, 1); not {perturbation!r}.")
    sel, indicators = _select(values, indicators, year)
    w0 = _check_weights(weights, indicators)
    direction = _nz.resolve_direction(direction, indicators)
    rng = np.random.default_rng(seed)
    draws = [w0]
    for _ in range(int(n_draws)):
        f = rng.uniform(1 - perturbation, 1 + perturbation, size=len(indicators))
        draws.append(_check_weights({i: w0[i] * f[k] for k, i in enumerate(indicators)},
                                    indicators))
    kw = dict(indicators=indicators, aggregation=aggregation, direction=direction,
              min_availability=min_availability)
    nom = composite_index(sel, weights=w0, normalization=nominal, **kw)
    ranks = [nom[["ags", "year", "rank"]]]
    for m in normalizations:
        norm = _nz.normalize(sel, m, direction=direction)
        for w in draws:
            r = _aggregate(norm, indicators, w, aggregation, min_availability)
            r["rank"] = r.groupby("year")["index"].transform(_rank_desc)
            ranks.append(r[["ags", "year", "rank"]])
    allr = pd.concat(ranks, ignore_index=True).dropna(subset=["rank"])
    g = allr.groupby(["ags", "year"])["rank"]
    summary = pd.DataFrame({
        "min_rank": g.min(), "median_rank": g.median(), "max_rank": g.max(),
        "n_scenarios": g.size().astype("int64"),
    }).reset_index()
    out = nom[["ags", "year", "index", "rank"]].rename(
        columns={"index": "nominal_index", "rank": "nominal_rank"}
    ).merge(summary, on=["ags", "year"], how="left")
    out["rank_range"] = out["max_rank"] - out["min_rank"]
    out = out[["ags", "year", "nominal_index", "nominal_rank", "min_rank", "median_rank",
               "max_rank", "rank_range", "n_scenarios"]]
    out.attrs["methodik"] = (
        f"Sensitivitätsanalyse: {len(normalizations)} Normierungen "
        f"({', '.join(normalizations)}) × {int(n_draws) + 1} Gewichtungen (nominal und "
        f"{int(n_draws)} Zufallsziehungen, jedes Gewicht ×U[{_num(1 - perturbation, 2)}; "
        f"{_num(1 + perturbation, 2)}], Startwert {seed}); berichtet wird die Spannweite der "
        "Rangplätze."
    )
    return out


# --------------------------------------------------------------------------------------------
# Sozialindex


def sozialindex(
    values: pd.DataFrame,
    indicators: Sequence[str],
    weights: Mapping[str, float] | None = None,
    *,
    level: str | None = "sozialraum",
    year: int | None = None,
    classes: int = 5,
    class_method: str = "sd",
    direction=1,
    min_availability: float = 1.0,
) -> pd.DataFrame:
    """Sozialindex of Sozialräume (or other units): z-scores, weighted mean, classes 1–k.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table (``ags, year, indicator, value``).
    indicators : sequence of str
        Context indicators (e.g. SGB-II-Quote of children, share with Sprachförderbedarf).
    weights : mapping, optional
        Indicator → weight; re-scaled to sum 1. Default: equal weights.
    level : str or None
        Keep only units of this level (``"sozialraum"``, ``"kreis"``, ``"gemeinde"`` …, from the
        form of the AGS, see :func:`bimokit.regions.ags_levels`); None keeps all.
    year : int, optional
        The year; default the latest year in which any chosen indicator has values.
    classes : int
        Number of classes (default 5).
    class_method : {"sd", "quantile"}
        ``"sd"``: bands of one standard deviation of the standardised index, centred on 0
        (5 classes: below −1,5; −1,5 to −0,5; −0,5 to 0,5; 0,5 to 1,5; from 1,5);
        ``"quantile"``: classes of equal size by rank.
    direction : int or mapping
        +1 if a higher indicator value means **higher need** (default for all), −1 if it means
        lower need (e.g. a Gymnasium transition rate).
    min_availability : float
        Minimum share of indicators a unit must have (default 1: all).

    Returns
    -------
    DataFrame
        One row per unit, columns:

        * ``ags``, ``year``;
        * ``score``: weighted mean of the indicator z-scores (direction applied);
        * ``score_z``: ``score`` standardised again across units (mean 0, sd 1);
        * ``class``: 1 (lowest need) … ``classes`` (highest need);
        * ``class_label``: German label (5 classes: sehr niedrig … sehr hoch);
        * ``class_low``, ``class_high``: the limits of the unit's class on ``score_z`` (sd rule)
          or on the percentile rank (quantile rule); ±inf at the ends;
        * ``class_method``: ``"sd"`` or ``"quantile"``;
        * ``n_indicators``, ``n_available``, ``data_availability``;
        * ``note``: German note where the unit has no index, else ``""``.

        ``result.attrs["weights"]`` and ``result.attrs["methodik"]`` hold the choices.

    Notes
    -----
    ``z_ui = d_i (x_ui − mean_i) / sd_i`` per indicator across the units (sample sd, ddof 1);
    ``score_u = sum_i w_i z_ui / sum_i w_i``; ``score_z = (score − mean) / sd``; higher = more
    need. Limits belong to the higher class.

    Examples
    --------
    >>> v = pd.DataFrame({"ags": [f"99101-{k:02d}" for k in range(1, 6)], "year": 2024,
    ...                   "indicator": "sgb2_quote", "value": [10.0, 20.0, 30.0, 40.0, 50.0]})
    >>> s = sozialindex(v, ["sgb2_quote"])
    >>> s["score_z"].round(2).tolist()
    [-1.26, -0.63, 0.0, 0.63, 1.26]
    >>> s["class"].tolist(), s["class_label"].tolist()[-1]
    ([2, 2, 3, 4, 4], 'hoch')
    """
    one_of("class_method", class_method, CLASS_METHODS)
    limits = _sd_limits(classes)
    sel, indicators = _select(values, indicators, None)
    if level is not None:
        from .regions import ags_levels

        lv = ags_levels(sel["ags"].astype(str))
        sel = sel[(lv == level).to_numpy()]
        if sel.empty:
            raise ParameterError(f"No units of level {level!r} in the values table.")
    if year is None:
        year = int(sel.loc[pd.to_numeric(sel["value"], errors="coerce").notna(), "year"].max())
    sel = sel[sel["year"] == year]
    if sel.empty:
        raise ParameterError(f"No values for year {year!r} and the chosen indicators.")
    w = _check_weights(weights, indicators)
    dirs = _nz.resolve_direction(direction, indicators)
    norm = _nz.normalize(sel, "zscore", direction=dirs)
    agg = _aggregate(norm, indicators, w, "arithmetic", min_availability)
    score = agg["index"]
    score_z = _nz.zscore(score)
    if class_method == "sd":
        cls = sd_classes(score_z, classes=classes)
        lo_lim = np.concatenate([[-np.inf], limits])
        hi_lim = np.concatenate([limits, [np.inf]])
    else:
        cls = quantile_classes(score, classes=classes)
        edges = np.arange(classes + 1) / classes * 100
        lo_lim, hi_lim = edges[:-1], edges[1:]
    labels = _SOZIAL_LABELS.get(classes, tuple(f"Klasse {k}" for k in range(1, classes + 1)))
    k = cls.to_numpy()
    ok = ~np.isnan(k)
    ki = np.where(ok, k, 1).astype(int) - 1
    out = pd.DataFrame({
        "ags": agg["ags"],
        "year": agg["year"],
        "score": score,
        "score_z": score_z,
        "class": pd.array([int(c) if o else pd.NA for c, o in zip(k, ok, strict=True)],
                          dtype="Int64"),
        "class_label": np.where(ok, np.asarray(labels, dtype=object)[ki], ""),
        "class_low": np.where(ok, lo_lim[ki], np.nan),
        "class_high": np.where(ok, hi_lim[ki], np.nan),
        "class_method": class_method,
        "n_indicators": agg["n_indicators"],
        "n_available": agg["n_available"],
        "data_availability": agg["data_availability"],
        "note": agg["note"],
    })
    out.attrs["weights"] = w
    out.attrs["methodik"] = describe_method(
        "sozialindex", weights=w, classes=classes, class_method=class_method, direction=dirs,
        year=year, n_units=int(ok.sum()),
    )
    return out


def describe_method(
    kind: str | pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    normalization: str | None = "minmax",
    aggregation: str = "arithmetic",
    min_availability: float = 0.5,
    classes: int = 5,
    class_method: str = "sd",
    direction: Mapping[str, int] | None = None,
    year: int | None = None,
    n_units: int | None = None,
) -> str:
    """German Methodik sentence for a composite index or Sozialindex (or the one on a result).

    Examples
    --------
    >>> describe_method("sozialindex", weights={"a": 0.5, "b": 0.5}, classes=5)
    'Sozialindex aus 2 Indikatoren (a: Gewicht 0,5; b: Gewicht 0,5): je Indikator z-standardisiert (Stichproben-Standardabweichung), gewichtet gemittelt und erneut standardisiert; höher = höherer Bedarf. Klassen 1 bis 5 nach Standardabweichungsbändern mit Grenzen bei -1,5; -0,5; 0,5; 1,5 (Grenzwert gehört zur höheren Klasse).'
    """  # noqa: E501
    if isinstance(kind, pd.DataFrame):
        text = kind.attrs.get("methodik")
        if not text:
            raise ParameterError("This table carries no Methodik note.")
        return text
    one_of("kind", kind, ("composite", "sozialindex"))
    wtxt = "; ".join(f"{i}: Gewicht {_num(v, 3)}" for i, v in (weights or {}).items())
    n = len(weights or {})
    if kind == "composite":
        agg = "arithmetisches" if aggregation == "arithmetic" else "geometrisches"
        ntxt = ("ohne weitere Normierung" if normalization is None
                else f"normiert mit {_nz._METHOD_DE[normalization]}")
        return (
            f"Zusammengesetzter Index aus {n} Indikatoren ({wtxt}), {ntxt}, gewichtetes "
            f"{agg} Mittel; Einheiten mit weniger als {_num(min_availability * 100, 2)} % der "
            "Indikatoren erhalten keinen Indexwert."
        )
    text = (
        f"Sozialindex aus {n} Indikatoren ({wtxt}): je Indikator z-standardisiert "
        "(Stichproben-Standardabweichung), gewichtet gemittelt und erneut standardisiert; "
        "höher = höherer Bedarf."
    )
    if direction:
        neg = sorted(i for i, d in direction.items() if d == -1)
        if neg:
            text += " Umgepolt (höherer Wert = geringerer Bedarf): " + ", ".join(neg) + "."
    if class_method == "sd":
        lim = "; ".join(_num(v, 2) for v in _sd_limits(classes))
        text += (
            f" Klassen 1 bis {classes} nach Standardabweichungsbändern mit Grenzen bei {lim} "
            "(Grenzwert gehört zur höheren Klasse)."
        )
    else:
        text += f" Klassen 1 bis {classes} gleicher Größe nach Rangplatz (Quantile)."
    if year is not None:
        text += f" Berichtsjahr {year}"
        text += f", {n_units} Einheiten." if n_units is not None else "."
    return text


def index_coverage(values: pd.DataFrame, indicators: Sequence[str], units: Sequence[str], *,
                   min_share: float = 0.5) -> tuple[list[str], list[str], int | None]:
    """Which indicators an index of ``units`` can use, and the year to build it for.

    An indicator with values for fewer than ``min_share`` of the units in every year is left
    out (the index would compare only the few units that have it). The year is the latest in
    which every kept indicator has values for every unit, else the latest year with any value.

    Parameters
    ----------
    values : DataFrame
        Indicator-values table (``ags, year, indicator, value``).
    indicators : sequence of str
        The candidate indicators, in order.
    units : sequence of str
        The units (AGS) of the index.
    min_share : float
        Minimum share of units with a value (default one half).

    Returns
    -------
    kept : list of str
        The usable indicators, in the given order.
    dropped : list of str
        The others.
    year : int or None
        The year for the index; None when no indicator is kept.

    Examples
    --------
    ``y`` lacks unit ``b`` in 2024, so the index is built for 2023; ``z`` has no values:

    >>> v = pd.DataFrame({"ags": ["a", "b", "a", "b", "a", "b", "a"],
    ...                   "year": [2023, 2023, 2024, 2024, 2023, 2023, 2024],
    ...                   "indicator": ["x", "x", "x", "x", "y", "y", "y"], "value": 1.0})
    >>> index_coverage(v, ["x", "y", "z"], ["a", "b"])
    (['x', 'y'], ['z'], 2023)
    """
    units = [str(u) for u in units]
    v = values[values["ags"].astype(str).isin(units) & values["indicator"].isin(list(indicators))
               & values["value"].notna()]
    per_year = v.groupby(["indicator", "year"])["ags"].nunique()
    best = per_year.groupby(level="indicator").max()
    have = set(best[best >= min_share * len(units)].index)
    kept = [i for i in indicators if i in have]
    dropped = [i for i in indicators if i not in have]
    if not kept:
        return kept, dropped, None
    v = v[v["indicator"].isin(kept)]
    counts = v.groupby(["year", "indicator"])["ags"].nunique().unstack()
    full = counts.reindex(columns=kept).fillna(0)
    complete = full[(full >= len(units)).all(axis=1)].index
    year = int(complete.max()) if len(complete) else int(v["year"].max())
    return kept, dropped, year
