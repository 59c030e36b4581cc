"""Normalisation of indicator values (OECD/JRC Handbook methods) and COINr-style outlier treatment.

Two layers, as in COINr:

* small **primitives** with one contract, a :class:`pandas.Series` in and a Series of the same
  length and index out, NaN kept where the input is NaN: :func:`rank`, :func:`percentile_rank`,
  :func:`zscore`, :func:`minmax`, :func:`distance`, :func:`goalposts`,
  :func:`percentile_bands`, :func:`above_below_mean`, :func:`winsorize`, :func:`log_ct`;
  :func:`treat_outliers` combines them by COINr's rule;
* one **table verb**, :func:`normalize` (``bk.normalize``), that applies a primitive to an
  indicator-values table within each indicator and year, with direction, and returns every
  choice it made beside the result (columns ``method``, ``direction``, ``treatment``, ``note``
  and the German sentence :func:`describe_method`).

Every primitive expects ``direction``-adjusted input: the table verb multiplies by the direction
(+1 higher is better, -1 higher is worse) *before* ranking, so that in every result a higher
normalised value is better. For methods with a fixed scale (min-max, goalposts, distance) the
mirror is taken on that scale instead, so that ``minmax(-x) == 100 - minmax(x)``.

Edge cases are decided here, once:

* **no variation** (zero range, zero standard deviation, a single unit): every unit gets the
  midpoint of the scale (min-max: ``(lower + upper) / 2``, z-score: 0, percentile rank: 50,
  percentile bands: the middle band) so that it counts neutrally in a composite index instead of
  dropping the unit; the table verb says so in ``note``;
* **all NaN**: all NaN;
* NaN inputs stay NaN and do not count in the statistics of the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ._schema import VALUE_FIXED_COLUMNS
from .errors import ParameterError
from .fmt import fmt_number

__all__ = [
    "METHODS",
    "rank",
    "percentile_rank",
    "zscore",
    "minmax",
    "distance",
    "goalposts",
    "percentile_bands",
    "above_below_mean",
    "skew",
    "kurt",
    "winsorize",
    "log_ct",
    "treat_outliers",
    "OutlierTreatment",
    "normalize",
    "resolve_direction",
]

#: Numbers in Methodik sentences: German, trailing zeros dropped (``2,5``, ``5``).
_num = partial(fmt_number, trim=True)

#: Names accepted by :func:`normalize` ``method``.
METHODS = (
    "minmax",
    "zscore",
    "rank",
    "percentile_rank",
    "reference",
    "target",
    "goalposts",
    "bands",
    "above_below_mean",
)

_METHOD_DE = {
    "minmax": "Min-Max-Normierung",
    "zscore": "z-Standardisierung",
    "rank": "Rangplätze",
    "percentile_rank": "Perzentilränge",
    "reference": "Abstand zu einer Referenz",
    "target": "Abstand zum Zielwert",
    "goalposts": "Goalposts-Normierung",
    "bands": "Kategorien nach Perzentilbändern",
    "above_below_mean": "Über/unter dem Mittelwert",
}


# --------------------------------------------------------------------------------------------
# helpers


def one_of(name: str, value, allowed: Sequence[str]) -> None:
    """Raise ParameterError "`name` must be one of 'a', 'b' or 'c'; not 'x'." unless allowed."""
    if value in allowed:
        return
    quoted = [repr(a) for a in allowed]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    raise ParameterError(f"`{name}` must be one of {listed}; not {value!r}.")


def _as_float(x: pd.Series) -> pd.Series:
    if not isinstance(x, pd.Series):
        x = pd.Series(x)
    return pd.to_numeric(x, errors="coerce").astype("float64")




# --------------------------------------------------------------------------------------------
# primitives: Series in, Series of the same index out


def rank(x: pd.Series) -> pd.Series:
    """Rank of every unit, 1 = lowest value, ties get the average rank.

    Parameters
    ----------
    x : pandas.Series
        Values (already multiplied by the direction).

    Returns
    -------
    pandas.Series
        Same index; float ranks 1 … n (n = number of non-NaN values), NaN where ``x`` is NaN.

    Examples
    --------
    >>> rank(pd.Series([10.0, 30.0, 20.0, 20.0, None])).tolist()
    [1.0, 4.0, 2.5, 2.5, nan]
    """
    x = _as_float(x)
    return x.rank(method="average", ascending=True)


def percentile_rank(x: pd.Series) -> pd.Series:
    """Percentile rank 0–100: ``(rank - 1) / (n - 1) * 100``; a single unit gets 50.

    Examples
    --------
    >>> percentile_rank(pd.Series([5.0, 1.0, 3.0])).tolist()
    [100.0, 0.0, 50.0]
    """
    x = _as_float(x)
    r = rank(x)
    n = int(x.notna().sum())
    if n == 1:
        return r.where(r.isna(), 50.0)
    return (r - 1.0) / (n - 1) * 100.0


def zscore(x: pd.Series, *, ddof: int = 1) -> pd.Series:
    """z-score ``(x - mean) / sd`` with the sample standard deviation (``ddof=1``) by default.

    No variation (sd 0) or a single unit gives 0 for every unit.

    Examples
    --------
    >>> zscore(pd.Series([1.0, 2.0, 3.0])).tolist()
    [-1.0, 0.0, 1.0]
    """
    x = _as_float(x)
    n = int(x.notna().sum())
    if n == 0:
        return x
    sd = x.std(ddof=ddof) if n > ddof else float("nan")
    if not np.isfinite(sd) or sd == 0:
        return x.where(x.isna(), 0.0)
    return (x - x.mean()) / sd


def minmax(x: pd.Series, *, lower: float = 0.0, upper: float = 100.0) -> pd.Series:
    """Min-max normalisation to ``[lower, upper]``; zero range gives the midpoint.

    Examples
    --------
    >>> minmax(pd.Series([1.0, 2.0, 4.0])).round(2).tolist()
    [0.0, 33.33, 100.0]
    >>> minmax(pd.Series([7.0, 7.0])).tolist()
    [50.0, 50.0]
    """
    x = _as_float(x)
    lo, hi = x.min(), x.max()
    if x.notna().sum() == 0:
        return x
    if hi == lo:
        return x.where(x.isna(), (lower + upper) / 2.0)
    return lower + (x - lo) / (hi - lo) * (upper - lower)


def distance(x: pd.Series, ref: float) -> pd.Series:
    """Distance to a reference (or target) value as an index: ``x / ref * 100``.

    Examples
    --------
    >>> distance(pd.Series([8.0, 10.0, 12.5]), 10.0).tolist()
    [80.0, 100.0, 125.0]
    """
    x = _as_float(x)
    if ref is None or not np.isfinite(ref) or ref == 0:
        raise ParameterError(
            f"The reference value must be a number other than 0; got {ref!r}."
        )
    return x / ref * 100.0


def goalposts(x: pd.Series, *, low: float, high: float) -> pd.Series:
    """Goalposts ``(x - low) / (high - low) * 100``, clipped to [0, 100] (OECD/JRC, HDI).

    Examples
    --------
    >>> goalposts(pd.Series([0.0, 25.0, 50.0, 80.0]), low=10, high=60).tolist()
    [0.0, 30.0, 80.0, 100.0]
    """
    x = _as_float(x)
    if not (np.isfinite(low) and np.isfinite(high)) or high == low:
        raise ParameterError(
            f"Goalposts need two different numbers; got low={low!r}, high={high!r}."
        )
    return ((x - low) / (high - low) * 100.0).clip(0.0, 100.0)


def percentile_bands(x: pd.Series, *, bands: Sequence[float] = (20, 40, 60, 80)) -> pd.Series:
    """Categorical scale: category 1 … len(bands)+1 by the unit's percentile rank.

    A unit whose percentile rank (:func:`percentile_rank`) is at or above ``bands[k-1]`` is in
    category k+1 or higher. A single unit or no variation gives the middle category.

    Examples
    --------
    >>> percentile_bands(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    x = _as_float(x)
    b = sorted(float(v) for v in bands)
    pr = percentile_rank(x)
    if x.notna().sum() > 1 and x.max() == x.min():
        pr = pr.where(pr.isna(), 50.0)
    cat = np.searchsorted(np.asarray(b), pr.to_numpy(), side="right") + 1.0
    return pd.Series(np.where(pr.isna(), np.nan, cat), index=x.index)


def above_below_mean(x: pd.Series, *, threshold: float = 0.1) -> pd.Series:
    """+1 above ``mean * (1 + threshold)``, -1 below ``mean * (1 - threshold)``, else 0.

    The band is ``mean ± threshold * |mean|`` (OECD/JRC "above or below the mean").

    Examples
    --------
    >>> above_below_mean(pd.Series([80.0, 95.0, 100.0, 125.0]), threshold=0.1).tolist()
    [-1.0, 0.0, 0.0, 1.0]
    """
    x = _as_float(x)
    m = x.mean()
    band = threshold * abs(m)
    out = np.where(x > m + band, 1.0, np.where(x < m - band, -1.0, 0.0))
    return pd.Series(np.where(x.isna(), np.nan, out), index=x.index)


# --------------------------------------------------------------------------------------------
# outlier treatment (COINr)


def skew(x: pd.Series) -> float:
    """Sample skewness as in COINr (``e1071::skewness`` type 2, Excel ``SKEW``); NaN below 3 values.

    Examples
    --------
    >>> round(skew(pd.Series([1.0, 2.0, 3.0, 10.0])), 4)
    1.7636
    """
    v = _as_float(x).dropna().to_numpy()
    n = v.size
    if n < 3:
        return float("nan")
    if np.ptp(v) == 0:
        return 0.0
    from scipy import stats

    return float(stats.skew(v, bias=False))


def kurt(x: pd.Series) -> float:
    """Sample excess kurtosis as in COINr (``e1071::kurtosis`` type 2, Excel ``KURT``); NaN below 4.

    Examples
    --------
    >>> round(kurt(pd.Series([1.0, 2.0, 3.0, 10.0])), 4)
    3.228
    """
    v = _as_float(x).dropna().to_numpy()
    n = v.size
    if n < 4:
        return float("nan")
    if np.ptp(v) == 0:
        return 0.0
    from scipy import stats

    return float(stats.kurtosis(v, fisher=True, bias=False))


def _outlying(x: pd.Series, skew_thresh: float, kurt_thresh: float) -> bool:
    s, k = skew(x), kurt(x)
    if not (np.isfinite(s) and np.isfinite(k)):
        return False
    return abs(s) >= skew_thresh and k >= kurt_thresh


def winsorize(
    x: pd.Series, *, winmax: int = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> pd.Series:
    """Winsorise one extreme value at a time while the series is outlying, at most ``winmax``.

    Outlying means ``|skew| >= skew_thresh`` **and** ``kurt >= kurt_thresh`` (COINr's
    ``check_SkewKurt``: a series passes if ``|skew| < 2`` or ``kurtosis < 3.5``). Each step
    replaces the highest value (if skew >= 0, else the lowest; tied extremes together) by the
    next value inside it.

    Examples
    --------
    >>> winsorize(pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0])).tolist()[-2:]
    [30.0, 30.0]
    """
    return _winsorise(_as_float(x), winmax, skew_thresh, kurt_thresh)[0]


def _winsorise(x: pd.Series, winmax: int, skew_thresh: float, kurt_thresh: float):
    x = x.copy()
    treated: list = []
    while _outlying(x, skew_thresh, kurt_thresh) and len(treated) < winmax:
        high = skew(x) >= 0
        extreme = x.max() if high else x.min()
        hit = x == extreme
        rest = x[~hit & x.notna()]
        if rest.empty:
            break
        x[hit] = rest.max() if high else rest.min()
        treated.extend(i for i in x.index[hit] if i not in treated)
    return x, treated


def log_ct(x: pd.Series) -> pd.Series:
    """COINr's ``log_CT`` transform: ``log(x - min + 0.01 * (max - min))``.

    Examples
    --------
    >>> log_ct(pd.Series([0.0, 1.0, 100.0])).round(4).tolist()
    [0.0, 0.6931, 4.6151]
    """
    x = _as_float(x)
    lo, hi = x.min(), x.max()
    if hi == lo:
        return x.where(x.isna(), 0.0)
    return np.log(x - lo + 0.01 * (hi - lo))


@dataclass(frozen=True)
class OutlierTreatment:
    """What :func:`treat_outliers` did to one series.

    Attributes
    ----------
    values : pandas.Series
        The treated series (same index as the input).
    treatment : str
        ``"none"``, ``"winsorised"`` or ``"log"``.
    winsorised : list
        Index labels of the winsorised points (empty unless ``treatment == "winsorised"``).
    skew_before, kurt_before, skew_after, kurt_after : float
        Skewness and kurtosis (COINr definitions) before and after treatment.
    """

    values: pd.Series
    treatment: str
    winsorised: list = field(default_factory=list)
    skew_before: float = float("nan")
    kurt_before: float = float("nan")
    skew_after: float = float("nan")
    kurt_after: float = float("nan")


def treat_outliers(
    x: pd.Series, *, winmax: int = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> OutlierTreatment:
    """COINr's default outlier treatment of one indicator.

    Notes
    -----
    The rule of COINr's ``Treat()`` with its defaults (``winsorize`` then ``log_CT``,
    ``check_SkewKurt``):

    1. The series is *outlying* if ``|skew| >= 2`` and ``kurtosis >= 3.5`` (both; skewness and
       excess kurtosis as ``e1071`` type 2 / Excel, see :func:`skew`, :func:`kurt`). Fewer than
       four values are never treated.
    2. If outlying, winsorize one point at a time (the highest if skew >= 0, otherwise the
       lowest; tied extremes together) until it is no longer outlying or ``winmax`` points
       (default 5) were winsorised. Unlike COINr's code, which counts only the points of the
       last step, we count every winsorised point.
    3. If still outlying, discard the winsorisation and log-transform the *original* series with
       :func:`log_ct` (COINr ``combine_treat = FALSE``).

    Examples
    --------
    >>> t = treat_outliers(pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0]))
    >>> t.treatment, t.winsorised
    ('winsorised', [11])
    """
    x = _as_float(x)
    s0, k0 = skew(x), kurt(x)
    if not _outlying(x, skew_thresh, kurt_thresh):
        return OutlierTreatment(x, "none", [], s0, k0, s0, k0)
    w, pts = _winsorise(x, winmax, skew_thresh, kurt_thresh)
    if not _outlying(w, skew_thresh, kurt_thresh):
        return OutlierTreatment(w, "winsorised", pts, s0, k0, skew(w), kurt(w))
    lg = log_ct(x)
    return OutlierTreatment(lg, "log", [], s0, k0, skew(lg), kurt(lg))


# --------------------------------------------------------------------------------------------
# direction


def resolve_direction(direction, indicators: Sequence[str]) -> dict[str, int]:
    """Return ``{indicator: +1 or -1}`` from the catalogue, an int, a mapping or a table.

    Parameters
    ----------
    direction : "catalogue", int, mapping or DataFrame
        ``"catalogue"``: the ``direction`` of each indicator in the bimokit catalogue
        (:func:`bimokit.catalogue.catalogue_table`); ``1``/``-1`` for every indicator; a
        mapping indicator → 1/-1; or a table with a column ``indicator`` (or ``id``) and a
        column ``direction``. ``"higher_better"``/``"higher_worse"`` are accepted as values too.
        An indicator that is missing, or neutral (0) in the catalogue, is an error: give its
        direction explicitly.
    indicators : sequence of str
        The indicators that need a direction.

    Examples
    --------
    >>> resolve_direction({"a": 1, "b": -1}, ["a", "b"])
    {'a': 1, 'b': -1}
    >>> resolve_direction(1, ["x"])
    {'x': 1}
    """
    words = {"higher_better": 1, "higher_worse": -1, "+": 1, "-": -1}
    from_catalogue = isinstance(direction, str) and direction == "catalogue"
    if from_catalogue:
        from .catalogue import catalogue_table

        direction = catalogue_table()
    if isinstance(direction, pd.DataFrame):
        key = "indicator" if "indicator" in direction.columns else "id"
        if key not in direction.columns or "direction" not in direction.columns:
            raise ParameterError(
                "`direction` as a table needs the columns 'indicator' (or 'id') and "
                f"'direction'; it has {', '.join(map(str, direction.columns))}."
            )
        direction = dict(zip(direction[key].astype(str), direction["direction"], strict=True))
    if isinstance(direction, Mapping):
        out = {}
        missing = [i for i in indicators if i not in direction]
        if missing and from_catalogue:
            raise ParameterError(
                f"Indicator(s) {', '.join(map(repr, missing))} not in the catalogue; give "
                "`direction=` (1 higher is better, -1 higher is worse), e.g. "
                f"direction={{{missing[0]!r}: 1}}."
            )
        if missing:
            raise ParameterError(
                f"`direction` has no entry for indicator(s) {', '.join(map(repr, missing))}; "
                "give 1 (higher is better) or -1 (higher is worse) for each."
            )
        for i in indicators:
            d = words.get(direction[i], direction[i])
            try:
                d = int(d)
            except (TypeError, ValueError):
                d = 0
            if d == 0 and from_catalogue:
                raise ParameterError(
                    f"Indicator {i!r} is neutral (direction 0) in the catalogue; give "
                    f"`direction={{{i!r}: 1}}` or -1 to say which way is better."
                )
            if d not in (1, -1):
                raise ParameterError(
                    f"Indicator {i!r}: direction must be 1 or -1, not {direction[i]!r}."
                )
            out[i] = d
        return out
    d = words.get(direction, direction)
    if d in (1, -1) and not isinstance(d, bool):
        return {i: int(d) for i in indicators}
    raise ParameterError(
        "`direction` must be 1, -1, a mapping indicator → 1/-1 or the catalogue table; "
        f"not {direction!r}."
    )


# --------------------------------------------------------------------------------------------
# table verb


def _key_columns(values: pd.DataFrame) -> list[str]:
    dims = [c for c in values.columns if c not in VALUE_FIXED_COLUMNS and c not in _OUT_EXTRA]
    return ["ags", "year", "indicator", *dims]


_OUT_EXTRA = ("normalized", "direction", "method", "treatment", "note")


def _lookup(option, indicator: str, name: str):
    if isinstance(option, Mapping):
        if indicator not in option:
            raise ParameterError(f"`{name}` has no entry for indicator {indicator!r}.")
        return option[indicator]
    return option


def normalize(
    values: pd.DataFrame,
    method: str = "minmax",
    *,
    direction="catalogue",
    by: Sequence[str] = ("indicator", "year"),
    lower: float = 0.0,
    upper: float = 100.0,
    ddof: int = 1,
    reference=None,
    target=None,
    goalposts=None,
    bands: Sequence[float] = (20, 40, 60, 80),
    threshold: float = 0.1,
    treat_outliers: bool = False,
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
) -> pd.DataFrame:
    """Normalise an indicator-values table within each indicator and year, with direction.

    Parameters
    ----------
    values : DataFrame
        Indicator values: ``ags, year, indicator, <dims>, value`` (``status`` kept if present).
    method : str
        One of :data:`METHODS`: ``"minmax"`` (to ``[lower, upper]``), ``"zscore"``,
        ``"rank"`` (1 = worst … n = best), ``"percentile_rank"`` (0–100), ``"reference"``
        (value of a reference unit = 100), ``"target"`` (target value = 100),
        ``"goalposts"`` (0–100 between two goalposts, clipped), ``"bands"`` (categories
        1 … len(bands)+1 by percentile rank) or ``"above_below_mean"`` (+1/0/−1).
    direction : "catalogue", int, mapping or DataFrame
        1 if a higher value is better, −1 if worse. Default ``"catalogue"``: the direction of
        each indicator in the bimokit catalogue (an indicator not in it, or neutral there, is a
        :class:`ParameterError`). Or one number for all, a mapping per indicator, or a table
        with columns ``indicator``/``id`` and ``direction`` (see :func:`resolve_direction`).
    by : sequence of str
        Columns that define a group (default per indicator and year); dimension columns are
        added automatically so that e.g. girls and boys are not mixed.
    lower, upper : float
        Range of ``"minmax"``.
    ddof : int
        Delta degrees of freedom of the standard deviation for ``"zscore"`` (1: sample sd).
    reference : str or float or mapping
        For ``"reference"``: the AGS of the reference unit in each group (e.g. the Land ``"99"``)
        or a number; a mapping indicator → AGS/number per indicator.
    target : float or mapping
        For ``"target"``: the target value (or a mapping indicator → target value).
    goalposts : tuple or mapping
        For ``"goalposts"``: ``(low, high)`` in the indicator's unit (or a mapping per
        indicator). With direction −1 the result is mirrored: ``100 - goalposts``.
    bands : sequence of float
        Percentile-rank limits for ``"bands"``.
    threshold : float
        Relative band around the mean for ``"above_below_mean"`` (0.1 = ±10 %).
    treat_outliers : bool
        Apply COINr's outlier treatment (:func:`treat_outliers`) per group before normalising.
    winmax, skew_thresh, kurt_thresh
        Parameters of the outlier treatment.

    Returns
    -------
    DataFrame
        One row per input row, columns:

        * ``ags``, ``year``, ``indicator``, dimension columns: the keys;
        * ``value``: the raw value;
        * ``status``: the status symbol of the value (``""`` if the input had none);
        * ``normalized``: the normalised value, higher = better;
        * ``direction``: the direction used (1 or −1);
        * ``method``: the method name;
        * ``treatment``: ``"none"``, ``"winsorised"`` (this unit's value was winsorised) or
          ``"log"`` (the group was log-transformed) — always ``"none"`` without treatment;
        * ``note``: a German note where an edge case applied (no variation, too few values),
          else ``""``.

        ``result.attrs["methodik"]`` holds the German Methodik sentence (see
        :func:`describe_method`).

    Notes
    -----
    With direction d ∈ {1, −1}: rank-type methods (rank, percentile rank, z-score, bands,
    above/below mean) are applied to ``d * x``. Fixed-scale methods are mirrored on their scale:
    min-max ``lower + upper - minmax(x)``; goalposts ``100 - goalposts(x)``; reference and
    target ``200 - x / ref * 100`` (a unit 20 % above the reference on a "higher is worse"
    indicator gets 80).

    Examples
    --------
    >>> v = pd.DataFrame({"ags": ["01", "02", "03"], "year": 2024, "indicator": "q",
    ...                   "value": [1.0, 2.0, 4.0]})
    >>> normalize(v, "minmax", direction=1)["normalized"].round(2).tolist()
    [0.0, 33.33, 100.0]
    >>> normalize(v, "minmax", direction=-1)["normalized"].round(2).tolist()
    [100.0, 66.67, 0.0]
    >>> normalize(v, "min-max", direction=1)
    Traceback (most recent call last):
    ...
    bimokit.errors.ParameterError: `method` must be one of 'minmax', 'zscore', ...; not 'min-max'.
    """
    one_of("method", method, METHODS)
    if not isinstance(values, pd.DataFrame):
        raise ParameterError("`values` must be a DataFrame (the indicator-values table).")
    missing = [c for c in ("ags", "year", "indicator", "value") if c not in values.columns]
    if missing:
        raise ParameterError(
            f"The values table lacks the column(s) {', '.join(map(repr, missing))}; "
            "expected ags, year, indicator, value (the indicator-values table)."
        )
    by = list(by)
    bad = [c for c in by if c not in values.columns]
    if bad:
        raise ParameterError(f"`by` names column(s) not in the table: {', '.join(bad)}.")
    keys = _key_columns(values)
    dims = keys[3:]
    group_cols = list(dict.fromkeys([*by, *dims]))
    if method == "reference" and reference is None:
        raise ParameterError("method 'reference' needs `reference=` (an AGS or a number).")
    if method == "target" and target is None:
        raise ParameterError("method 'target' needs `target=` (a number or a mapping).")
    if method == "goalposts" and goalposts is None:
        raise ParameterError("method 'goalposts' needs `goalposts=(low, high)`.")

    data = values.reset_index(drop=True)
    indicators = list(dict.fromkeys(data["indicator"].astype(str)))
    dirs = resolve_direction(direction, indicators)
    x_all = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    out_norm = pd.Series(np.nan, index=data.index)
    out_treat = pd.Series("none", index=data.index, dtype=object)
    out_note = pd.Series("", index=data.index, dtype=object)
    out_dir = data["indicator"].astype(str).map(dirs).astype("int64")

    for _, idx in data.groupby(group_cols, sort=False, dropna=False).groups.items():
        ind = str(data.at[idx[0], "indicator"])
        d = dirs[ind]
        x = x_all.loc[idx]
        n = int(x.notna().sum())
        note = ""
        if treat_outliers and n >= 4:
            t = _treat_outliers_fn(x, winmax=winmax, skew_thresh=skew_thresh,
                                   kurt_thresh=kurt_thresh)
            x = t.values
            if t.treatment == "winsorised":
                out_treat.loc[t.winsorised] = "winsorised"
            elif t.treatment == "log":
                out_treat.loc[idx[x.notna().to_numpy()]] = "log"
        if n == 0:
            note = "keine Werte"
        elif method in ("minmax", "zscore", "percentile_rank", "bands") and (
            n == 1 or x.max() == x.min()
        ):
            note = "keine Streuung: Skalenmitte gesetzt"
        y = _apply(method, x, d, data, idx, ind, lower=lower, upper=upper, ddof=ddof,
                   reference=reference, target=target, goalposts_=goalposts, bands=bands,
                   threshold=threshold)
        out_norm.loc[idx] = y.to_numpy()
        if note:
            out_note.loc[idx] = note
        if n > 0:
            out_note.loc[idx[x.isna().to_numpy()]] = "Wert fehlt"

    status = data["status"].astype(object).fillna("") if "status" in data.columns else ""
    result = data[keys].copy()
    result["value"] = x_all
    result["status"] = status
    result["normalized"] = out_norm.to_numpy()
    result["direction"] = out_dir.to_numpy()
    result["method"] = method
    result["treatment"] = out_treat.to_numpy()
    result["note"] = out_note.to_numpy()
    result.attrs["methodik"] = describe_method(
        method, direction=dirs, lower=lower, upper=upper, ddof=ddof, reference=reference,
        target=target, goalposts=goalposts, bands=bands, threshold=threshold,
        treat_outliers=treat_outliers, winmax=winmax, skew_thresh=skew_thresh,
        kurt_thresh=kurt_thresh, n_treated=int((out_treat != "none").sum()),
    )
    return result


_treat_outliers_fn = treat_outliers


def _apply(method, x, d, data, idx, ind, *, lower, upper, ddof, reference, target, goalposts_,
           bands, threshold) -> pd.Series:
    if method == "minmax":
        y = minmax(x, lower=lower, upper=upper)
        return y if d == 1 else lower + upper - y
    if method == "zscore":
        return zscore(d * x, ddof=ddof)
    if method == "rank":
        return rank(d * x)
    if method == "percentile_rank":
        return percentile_rank(d * x)
    if method == "bands":
        return percentile_bands(d * x, bands=bands)
    if method == "above_below_mean":
        return above_below_mean(d * x, threshold=threshold) if d == 1 else -above_below_mean(
            x, threshold=threshold)
    if method == "goalposts":
        gp = _lookup(goalposts_, ind, "goalposts")
        try:
            low, high = (float(v) for v in gp)
        except (TypeError, ValueError):
            raise ParameterError(
                f"`goalposts` for {ind!r} must be a pair (low, high); got {gp!r}."
            ) from None
        y = goalposts(x, low=low, high=high)
        return y if d == 1 else 100.0 - y
    # reference / target
    ref = _lookup(reference if method == "reference" else target, ind, method)
    if isinstance(ref, str):
        hit = data.loc[idx, "ags"].astype(str) == ref
        if not hit.any():
            raise ParameterError(
                f"Reference unit {ref!r} has no value for indicator {ind!r} in year "
                f"{data.at[idx[0], 'year']}."
            )
        ref = float(x[hit.to_numpy()].iloc[0])
    y = distance(x, float(ref))
    return y if d == 1 else 200.0 - y


def describe_method(
    method: str | pd.DataFrame,
    *,
    direction=None,
    lower: float = 0.0,
    upper: float = 100.0,
    ddof: int = 1,
    reference=None,
    target=None,
    goalposts=None,
    bands: Sequence[float] = (20, 40, 60, 80),
    threshold: float = 0.1,
    treat_outliers: bool = False,
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    n_treated: int | None = None,
) -> str:
    """German Methodik sentence for a normalisation (or the one stored on a result).

    Parameters
    ----------
    method : str or DataFrame
        A method name with its options, or a result of :func:`normalize` (then its
        ``attrs["methodik"]`` is returned).

    Examples
    --------
    >>> describe_method("minmax")
    'Normierung: Min-Max-Normierung je Indikator und Jahr auf 0 bis 100 (höher = besser). Keine Ausreißerbehandlung.'
    """  # noqa: E501
    if isinstance(method, pd.DataFrame):
        text = method.attrs.get("methodik")
        if not text:
            raise ParameterError("This table carries no Methodik note (not made by normalize).")
        return text
    one_of("method", method, METHODS)
    detail = {
        "minmax": f"auf {_num(lower, 2)} bis {_num(upper, 2)}",
        "zscore": "(Mittelwert 0, Standardabweichung 1, "
        + ("Stichproben-Standardabweichung" if ddof == 1 else f"ddof = {ddof}") + ")",
        "rank": "(Rang 1 = ungünstigster Wert, Bindungen mit mittlerem Rang)",
        "percentile_rank": "auf 0 bis 100",
        "reference": f"(Referenz {reference!r} = 100)" if not isinstance(reference, Mapping)
        else "(Referenzwert = 100)",
        "target": "(Zielwert = 100)",
        "goalposts": "auf 0 bis 100 zwischen festen Grenzwerten, außerhalb abgeschnitten",
        "bands": "mit Grenzen bei den Perzentilrängen " + ", ".join(_num(b, 2) for b in bands),
        "above_below_mean": f"(+1 über, −1 unter Mittelwert ± {_num(threshold * 100, 2)} %)",
    }[method]
    text = f"Normierung: {_METHOD_DE[method]} je Indikator und Jahr {detail} (höher = besser)."
    if isinstance(direction, Mapping):
        neg = sorted(k for k, v in direction.items() if v == -1)
        if neg:
            text += " Gespiegelt (höherer Rohwert = ungünstiger): " + ", ".join(neg) + "."
    if treat_outliers:
        text += (
            f" Ausreißerbehandlung nach COINr: bei |Schiefe| ≥ {_num(skew_thresh, 2)} und "
            "Kurtosis ≥ "
            f"{_num(kurt_thresh, 2)} bis zu {winmax} Werte winsorisiert, sonst Log-Transformation"
        )
        text += f" ({n_treated} Werte betroffen)." if n_treated is not None else "."
    else:
        text += " Keine Ausreißerbehandlung."
    return text
